//! Published council files → the harmonised Parquet dataset, as one catalog transaction.
//! Never imports the language. This module is the orchestration: expanding the files given,
//! the profile, handing each source to its parser, then what is shared after parsing
//! (idempotence, replacement, rejects, the manifest, the contract link, the commit).
//!
//! The parts, all private; each imports only parts listed before it, so there is no cycle:
//! - `values`: amounts, dates, financial years; `write`: spend Parquet batches and files;
//! - `headers`: header normalisation and detection, and the spend fields (`Target`);
//! - `read`: sources (plain, gzip, zip, XLSX), encodings, records, the content hash;
//! - `rejects`: `rejects.csv`; `cells`: what both parsers share (header search, shape
//!   checks, missing markers, `extras`); `loaded`: the parsers' common input and output;
//! - `contracts`: the register's fields and its row parser; `spend`: the spend row parser;
//! - `metrics`: metrics files (tidy, wide, GA4, social media) and their periods and values;
//! - `profile`: `--profile` files; `link`: spend ↔ contracts, after every change;
//! - `categorise`: the harmonised ProClass category of every payment, after the link;
//! - `upgrade`: an older dataset format's stored rows rewritten in the current one.
//! - `supplier_table`: the `suppliers` table; `identity`: supplier keys from names, aliases
//!   and identifiers, after every change (before `link`, which reads the keys).
//!
//! One `spendql ingest` run is one catalog [`Transaction`]: every Parquet file, the rebuilt
//! `rejects.csv` and the manifest are written inside the staged version folder and become
//! visible together at `commit`, or not at all. A source whose bytes are unchanged since it
//! was last ingested is skipped; if nothing changed, no version is created.
//!
//! A dataset in an older format is upgraded inside the same transaction as the files being
//! ingested (a monthly script keeps working after spendql is updated, and the upgrade
//! commits with the new files or not at all); `spendql upgrade` does it alone.

mod categorise;
mod cells;
mod contracts;
mod headers;
mod identity;
mod link;
mod loaded;
mod metrics;
mod profile;
mod read;
mod rejects;
mod spend;
mod supplier_table;
mod upgrade;
mod values;
mod write;

// What the rest of the crate uses besides the two entry points below: money codecs (until
// they move to their own module) and relinking inside a caller's transaction (test data).
pub use categorise::ClassifyReport;
pub use identity::IdentityReport;
pub use link::{LinkReport, Scope as LinkScope, relink};
pub use loaded::Counts;

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::PathBuf;

use crate::catalog::{Dataset, FORMAT, SourceKind, SourceRecord, Transaction, partition_folder, path_component};
use crate::error::{Error, ErrorKind, Result};
use crate::schema;

use loaded::{Context, Loaded};
use profile::Profile;
use read::Source;

/// How to ingest a batch of files.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The council's display name (`Trafford`).
    pub council: String,
    /// What kind of published file every file of the batch is.
    pub kind: SourceKind,
    /// A TOML profile overriding the detected column mapping.
    pub profile: Option<PathBuf>,
    /// Show a progress bar (only when stderr is a terminal).
    pub progress: bool,
    /// The share of a file's rows (0 to 1) that may be rejected before the whole ingest fails
    /// (`--max-reject-rate`); a file where nothing loads fails unless this is 1.
    pub max_reject_rate: f64,
}

/// More than 1% of a file's rows rejected fails the ingest unless `--max-reject-rate` says
/// otherwise: a file that mostly does not load is a wrong mapping or a broken export, and a
/// script ingesting every month must hear of it.
pub const DEFAULT_MAX_REJECT_RATE: f64 = 0.01;

/// What happened to one source file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The file name as given (for a zip member: `archive.zip/member.csv`).
    pub source_name: String,
    /// Rows and money read, loaded and rejected.
    pub counts: Counts,
    /// The same bytes were already ingested; nothing was written for this source.
    pub unchanged: bool,
    /// An earlier version of this source (same council, same name) was replaced.
    pub replaced: bool,
}

impl FileReport {
    /// The report of a source just parsed, before the transaction decides what it replaces.
    fn parsed(source_name: &str, counts: Counts) -> Self {
        FileReport { source_name: source_name.to_string(), counts, unchanged: false, replaced: false }
    }

    /// Whether rows and money read equal those loaded plus those rejected.
    pub fn reconciles(&self) -> bool {
        self.counts.reconciles()
    }
}

/// Ingest `files` into `dataset` as one all-or-nothing version, printing the chosen column
/// mapping and the reconciliation of each file to `out`.
pub fn ingest_files(
    dataset: &Dataset,
    files: &[PathBuf],
    options: &IngestOptions,
    out: &mut dyn Write,
) -> Result<Vec<FileReport>> {
    // A metrics file may cover the whole shared service, or name its councils itself.
    if options.council.trim().is_empty() && options.kind != SourceKind::Metrics {
        return Err(Error::usage("--council must name the council that published the files"));
    }
    let council = schema::council_display_name(&options.council);
    let profile = match &options.profile {
        Some(path) => Profile::load(path, &council)?,
        None => Profile::default(),
    };
    // Everything that can be checked without reading rows is checked before the dataset
    // is touched: a typo in the fifth file name must not leave a half-run behind.
    let mut sources = Vec::new();
    for file in files {
        sources.extend(read::expand(file)?);
    }
    let context = Context {
        council: council.clone(),
        council_code: schema::council_code(&council).map(str::to_string),
        kind: options.kind,
        date_order: profile.date_order,
        progress: options.progress,
    };

    let mut tx = dataset.begin_upgrade()?;
    let upgrading = tx.base().format < FORMAT;
    // An edited `categories.toml` is a change even when no file is: the next ingest applies it.
    let categories_sha256 = categorise::categories_sha256(dataset.root())?;
    let recategorise = tx.base().classify.as_ref().is_some_and(|c| c.categories_sha256 != categories_sha256);
    if upgrading && let Err(err) = rewrite_older_format(&mut tx, out) {
        abandon(tx);
        return Err(err);
    }
    match ingest_into(&mut tx, &sources, &context, &profile, options.max_reject_rate, out) {
        Ok((reports, changed)) => {
            let scratch = tx.dir().join(SCRATCH);
            let _ = fs::remove_dir_all(&scratch);
            if changed || upgrading || recategorise {
                if let Err(err) = derive_changed(&mut tx, dataset, out) {
                    abandon(tx);
                    return Err(err);
                }
                tx.commit()?;
                let version = dataset.manifest().map(|m| m.version).unwrap_or_default();
                print(out, format_args!("committed dataset version {version} at {}\n", dataset.root().display()))?;
            } else {
                abandon(tx);
                print(out, format_args!("nothing changed; dataset left as it was\n"))?;
            }
            Ok(reports)
        }
        Err(err) => {
            abandon(tx);
            Err(err)
        }
    }
}

/// Recompute what is derived from the loaded tables: supplier keys and the `suppliers`
/// table over the whole dataset, then `spend.contract_id` where this transaction's change
/// can have moved it, then the category (whose supplier tier reads the keys).
fn derive_changed(tx: &mut Transaction, dataset: &Dataset, out: &mut dyn Write) -> Result<()> {
    let identity = derive_identity(tx, dataset.root())?;
    print_identity(out, &identity)?;
    let keys_moved = !identity.spend_files_rekeyed.is_empty();
    relink_changed(tx, dataset, identity, out)?;
    let sha = categorise::categories_sha256(dataset.root())?;
    if keys_moved || tx.base().format < FORMAT || categorise::needed(tx.base(), tx.manifest(), &sha) {
        let report = categorise::classify(tx, dataset.root())?;
        print(out, format_args!("{}\n", report.describe()))?;
    }
    Ok(())
}

/// Classify every spend row and contract again, as one new dataset version (`spendql
/// classify`): for after `categories.toml` is edited. A dataset whose classification is
/// already what the rules and mappings give is left as it is.
pub fn classify_dataset(dataset: &Dataset, out: &mut dyn Write) -> Result<ClassifyReport> {
    dataset.snapshot()?;
    let mut tx = dataset.begin()?;
    match categorise::classify(&mut tx, dataset.root()) {
        Ok(report) => {
            print(out, format_args!("{}\n", report.describe()))?;
            if report.rows_new == 0
                && report.rows_changed == 0
                && report.contracts_changed == 0
                && tx.base().classify == tx.manifest().classify
            {
                abandon(tx);
                print(out, format_args!("classification unchanged; dataset left as it was\n"))?;
                return Ok(report);
            }
            tx.commit()?;
            let version = dataset.manifest().map(|m| m.version).unwrap_or_default();
            print(out, format_args!("committed dataset version {version} at {}\n", dataset.root().display()))?;
            Ok(report)
        }
        Err(err) => {
            abandon(tx);
            Err(err)
        }
    }
}

/// Recompute `spend.contract_id` where this transaction's change (or the identity pass's
/// new keys) can have moved it.
fn relink_changed(
    tx: &mut Transaction,
    dataset: &Dataset,
    identity: IdentityReport,
    out: &mut dyn Write,
) -> Result<()> {
    // A version upgraded from an older format has stale derived columns everywhere.
    let scope = if tx.base().format < FORMAT {
        link::Scope::All
    } else {
        link::scope_of_change(tx.base(), tx.manifest(), &link::aliases_sha256(dataset.root())?)
    };
    // Keys the identity pass changed can move the links of files this change did not touch.
    let rekeyed = identity.spend_files_rekeyed;
    let scope = match scope {
        _ if identity.contracts_rekeyed => link::Scope::All,
        link::Scope::Nothing if rekeyed.is_empty() || !tx.manifest().has_table(schema::Table::Contracts) => {
            return Ok(());
        }
        link::Scope::Nothing => link::Scope::Files(rekeyed),
        link::Scope::Files(mut files) => {
            let more: Vec<String> = rekeyed.into_iter().filter(|f| !files.contains(f)).collect();
            files.extend(more);
            link::Scope::Files(files)
        }
        link::Scope::All => link::Scope::All,
    };
    let report = relink(tx, dataset.root(), &scope)?;
    print_link(out, tx.manifest(), &report)
}

/// Recompute every supplier key and rebuild the `suppliers` table inside a caller's
/// transaction (ingest does it in every one that changes data; test datasets call it).
pub fn derive_identity(tx: &mut Transaction, dataset_root: &std::path::Path) -> Result<IdentityReport> {
    let aliases = crate::suppliers::Aliases::load(dataset_root)?;
    identity::derive_identity(tx, &aliases)
}

fn print_identity(out: &mut dyn Write, report: &IdentityReport) -> Result<()> {
    print(
        out,
        format_args!(
            "suppliers: {} supplier key(s); identifiers merged {} name key(s) into others ({} identifier(s) \
             refused as shared by unrelated names, {} link(s) as joining different companies); {} file(s) rekeyed\n",
            report.suppliers,
            report.keys_merged,
            report.identifiers_refused,
            report.links_refused,
            report.files_rewritten
        ),
    )
}

fn print_link(out: &mut dyn Write, manifest: &crate::catalog::Manifest, report: &LinkReport) -> Result<()> {
    if let Some(record) = &manifest.link {
        print(
            out,
            format_args!(
                "linked spend to {} contract(s): {} of {} payment rows on-contract (£{}); {} file(s) relinked\n",
                record.contracts, record.rows_linked, record.spend_rows, record.amount_linked, report.files_rewritten
            ),
        )?;
    }
    Ok(())
}

/// Recompute every supplier key, the `suppliers` table and every spend row's contract
/// link, as one new dataset version: for after `suppliers.toml` is edited.
pub fn relink_dataset(dataset: &Dataset, out: &mut dyn Write) -> Result<LinkReport> {
    // Fails with a helpful message when there is no dataset, before anything is created.
    dataset.snapshot()?;
    let mut tx = dataset.begin()?;
    let derived = derive_identity(&mut tx, dataset.root())
        .and_then(|identity| print_identity(out, &identity))
        .and_then(|()| relink(&mut tx, dataset.root(), &link::Scope::All))
        .and_then(|report| {
            // New keys move the supplier tier's evidence.
            let classified = categorise::classify(&mut tx, dataset.root())?;
            print(out, format_args!("{}\n", classified.describe()))?;
            Ok(report)
        });
    match derived {
        Ok(report) => {
            tx.commit()?;
            Ok(report)
        }
        Err(err) => {
            abandon(tx);
            Err(err)
        }
    }
}

/// Rewrite a dataset written by an older spendql in the current format, as one new
/// version: every stored row in the current layout and schemas, then every derived column
/// recomputed. All or nothing; a dataset already current is left as it is.
pub fn upgrade_dataset(dataset: &Dataset, out: &mut dyn Write) -> Result<()> {
    if !dataset.root().join("current").exists() {
        // The one-line refusals of other commands, and a clear one for a wrong folder.
        dataset.snapshot()?;
    }
    let mut tx = dataset.begin_upgrade()?;
    if tx.base().format == FORMAT {
        abandon(tx);
        return print(
            out,
            format_args!("dataset {} is already in format {}; nothing to upgrade\n", dataset.root().display(), FORMAT),
        );
    }
    let upgraded = rewrite_older_format(&mut tx, out).and_then(|()| derive_changed(&mut tx, dataset, out));
    if let Err(err) = upgraded {
        abandon(tx);
        return Err(err);
    }
    tx.commit()?;
    let version = dataset.manifest().map(|m| m.version).unwrap_or_default();
    print(
        out,
        format_args!("committed dataset version {version} at {} in format {}\n", dataset.root().display(), FORMAT),
    )
}

/// The staged version of an older dataset rewritten in the current format, reported.
fn rewrite_older_format(tx: &mut Transaction, out: &mut dyn Write) -> Result<()> {
    for line in upgrade::rewrite(tx)?.describe() {
        print(out, format_args!("{line}\n"))?;
    }
    Ok(())
}

/// Drop a transaction without committing, removing its staged folder while the lock is
/// still held so no other ingest can be using it.
fn abandon(tx: Transaction) {
    let _ = fs::remove_dir_all(tx.dir());
    drop(tx);
}

/// Scratch folder inside the staged version for files not yet given their final names.
const SCRATCH: &str = ".ingest";

fn print(out: &mut dyn Write, args: std::fmt::Arguments<'_>) -> Result<()> {
    out.write_fmt(args).map_err(|e| Error::io("cannot write the ingest report", e))
}

/// Load every source into the staged version. Returns the reports and whether anything
/// changed.
fn ingest_into(
    tx: &mut Transaction,
    sources: &[Source],
    context: &Context,
    profile: &Profile,
    max_reject_rate: f64,
    out: &mut dyn Write,
) -> Result<(Vec<FileReport>, bool)> {
    let scratch = tx.dir().join(SCRATCH);
    fs::create_dir_all(&scratch).map_err(|e| Error::io(format!("cannot create {}", scratch.display()), e))?;
    let mut reports = Vec::new();
    let mut replaced: HashSet<(String, String)> = HashSet::new();
    // Keyed by source, so a name given twice in one run keeps only the last one's rejects.
    let mut new_rejects: BTreeMap<(String, String), PathBuf> = BTreeMap::new();
    for (index, source) in sources.iter().enumerate() {
        let loaded = match context.kind {
            SourceKind::Spend | SourceKind::Card => {
                spend::load_source(source, context, &profile.spend, &scratch, index)?
            }
            SourceKind::Contracts => contracts::load_register(source, context, &profile.contracts, &scratch, index)?,
            SourceKind::Metrics => metrics::load_metrics(source, context, &scratch, index)?,
        };
        print(out, format_args!("{}\n", loaded.describe(&source.name)))?;
        let report = &FileReport::parsed(&source.name, loaded.counts);
        print(out, format_args!("  {}\n", reconciliation_line(report, context.kind)))?;
        let previous = tx.manifest().find(&context.council, context.kind, &source.name).cloned();
        if previous.as_ref().is_some_and(|p| p.sha256 == loaded.sha256.as_str()) {
            for part in &loaded.parts {
                let _ = fs::remove_file(&part.path);
            }
            print(out, format_args!("  unchanged: the same bytes were ingested before; kept as it was\n"))?;
            reports.push(FileReport { unchanged: true, ..report.clone() });
            continue;
        }
        if !report.reconciles() {
            return Err(Error::new(
                ErrorKind::Reconciliation,
                format!("{} does not reconcile: {}", source.name, reconciliation_line(report, context.kind)),
            )
            .in_file(&source.path, None)
            .with_hint("nothing was written; this is a bug in spendql, please report it with the file"));
        }
        check_reject_rate(report, max_reject_rate, source, &loaded.rejects_path)?;
        let was_there = tx.remove_source(&context.council, context.kind, &source.name)?.is_some();
        let record = place_files(tx, source, context, report, &loaded)?;
        tx.add_source(record);
        replaced.insert((context.council.clone(), source.name.clone()));
        new_rejects.insert((context.council.clone(), source.name.clone()), loaded.rejects_path);
        if was_there {
            print(out, format_args!("  replaces the earlier ingest of {}\n", source.name))?;
        }
        reports.push(FileReport { replaced: was_there, ..report.clone() });
    }
    let changed = !replaced.is_empty();
    if changed {
        let files: Vec<PathBuf> = new_rejects.into_values().collect();
        rejects::rebuild(tx.dir(), &replaced, &files)?;
    }
    let (rows, rejected) =
        reports.iter().fold((0, 0), |(r, j), rep| (r + rep.counts.rows_loaded, j + rep.counts.rows_rejected));
    print(
        out,
        format_args!(
            "{} file(s): {} unchanged, {} rows loaded, {} rejected (see rejects.csv)\n",
            reports.len(),
            reports.iter().filter(|r| r.unchanged).count(),
            rows,
            rejected
        ),
    )?;
    Ok((reports, changed))
}

/// Fails the ingest (nothing is committed) when a file rejects more than `max_rate` of its
/// rows, or loads nothing at all, naming the commonest reasons with counts and a first line.
fn check_reject_rate(
    report: &FileReport,
    max_rate: f64,
    source: &Source,
    rejects_path: &std::path::Path,
) -> Result<()> {
    let report = &report.counts;
    if report.rows_read == 0 || report.rows_rejected == 0 {
        return Ok(());
    }
    let rate = report.rows_rejected as f64 / report.rows_read as f64;
    let nothing_loaded = report.rows_loaded == 0 && max_rate < 1.0;
    if !nothing_loaded && rate <= max_rate {
        return Ok(());
    }
    let reasons = rejects::top_reasons(rejects_path)?;
    let what = if report.rows_loaded == 0 {
        format!("every one of its {} rows was rejected", report.rows_read)
    } else {
        format!(
            "{} of {} rows rejected ({:.1}%), more than the {}% allowed",
            report.rows_rejected,
            report.rows_read,
            rate * 100.0,
            max_rate * 100.0
        )
    };
    let mut err = Error::new(ErrorKind::Input, what).in_file(&source.path, None);
    for reason in reasons.iter().take(3) {
        err = err.with_hint(format!(
            "{} row(s): {} (first on line {}: {})",
            reason.count, reason.kind, reason.first_line, reason.first_reason
        ));
    }
    Err(err.with_hint(
        "nothing was committed; fix the mapping with --profile, or accept the rejects with --max-reject-rate RATE",
    ))
}

/// Move a source's Parquet files to their partition folders and describe it for the manifest.
fn place_files(
    tx: &Transaction,
    source: &Source,
    context: &Context,
    report: &FileReport,
    loaded: &Loaded,
) -> Result<SourceRecord> {
    let counts = &report.counts;
    let source_id = format!("{}-{}", path_component(&source.name), loaded.sha256.short());
    let mut parquet_files = Vec::new();
    for part in &loaded.parts {
        // Contracts registers and metrics carry no payment dates, so no financial-year folder;
        // metrics of the whole service (no `--council`) go in a `service` folder.
        let year = part.financial_year.map(values::financial_year_label);
        let council = if context.council.is_empty() { SERVICE_FOLDER } else { &context.council };
        let folder = partition_folder(context.kind.table(), council, year.as_deref());
        let relative = format!("{folder}/{source_id}.parquet");
        let target = tx.dir().join(&relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(format!("cannot create {}", parent.display()), e))?;
        }
        fs::rename(&part.path, &target).map_err(|e| Error::io(format!("cannot move {}", target.display()), e))?;
        parquet_files.push(relative);
    }
    Ok(SourceRecord {
        council: context.council.clone(),
        kind: context.kind,
        source_name: source.name.clone(),
        sha256: String::from(loaded.sha256.clone()),
        rows_read: counts.rows_read,
        rows_loaded: counts.rows_loaded,
        rows_rejected: counts.rows_rejected,
        amount_read: amount_text(context.kind, counts.amount_read),
        amount_loaded: amount_text(context.kind, counts.amount_loaded),
        amount_rejected: amount_text(context.kind, counts.amount_rejected),
        parquet_files,
        mapping: loaded.mapping.pairs.clone(),
        ingested_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    })
}

/// The folder of metrics loaded without `--council`, which belong to the whole service.
const SERVICE_FOLDER: &str = "service";

/// A reconciled total as the manifest spells it: pounds and pence, or a metrics file's
/// figures with their four decimals.
fn amount_text(kind: SourceKind, amount: i128) -> String {
    match kind {
        SourceKind::Metrics => metrics::value_text(amount),
        _ => values::format_pence(amount),
    }
}

fn reconciliation_line(report: &FileReport, kind: SourceKind) -> String {
    let r = &report.counts;
    let verdict = if r.reconciles() { "reconciled" } else { "DOES NOT RECONCILE" };
    if kind == SourceKind::Metrics {
        return format!(
            "reconciliation: read {} figures {} = loaded {} figures {} + rejected {} figures {}: {verdict}",
            r.rows_read,
            amount_text(kind, r.amount_read),
            r.rows_loaded,
            amount_text(kind, r.amount_loaded),
            r.rows_rejected,
            amount_text(kind, r.amount_rejected),
        );
    }
    format!(
        "reconciliation: read {} rows £{} = loaded {} rows £{} + rejected {} rows £{}: {verdict}",
        r.rows_read,
        values::format_pence(r.amount_read),
        r.rows_loaded,
        values::format_pence(r.amount_loaded),
        r.rows_rejected,
        values::format_pence(r.amount_rejected),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_names_become_safe_file_names() {
        assert_eq!(path_component("trafford.zip/2024 spend.csv"), "trafford.zip_2024_spend.csv");
    }
}
