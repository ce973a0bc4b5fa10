//! Published council files → the harmonised Parquet dataset. Owns header detection,
//! encodings, amount and date parsing, rejects, reconciliation and the write of new
//! Parquet files into a catalog transaction. Never imports the language. Spend and card
//! files are parsed here; contracts registers in [`contracts`]; everything after parsing
//! (idempotence, replacement, rejects, the manifest, the commit) is shared.
//!
//! One `spendql ingest` run is one catalog [`Transaction`]: every Parquet file, the rebuilt
//! `rejects.csv` and the manifest are written inside the staged version folder and become
//! visible together at `commit`, or not at all. A source whose bytes are unchanged since it
//! was last ingested is skipped; if nothing changed, no version is created.

pub mod contracts;
pub mod headers;
pub mod link;
pub mod read;
mod rejects;
pub mod supplier;
pub mod values;
pub mod write;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use csv::ByteRecord;
use datafusion::arrow::record_batch::RecordBatch;

use crate::catalog::{Dataset, SourceKind, SourceRecord, Transaction};
use crate::error::{Error, ErrorKind, Result};
use crate::schema;

use contracts::ContractField;
use headers::{Field, Mapping, Target};
use read::{CsvRecords, Encoding, Format, Records, Source, XlsxRecords};
use values::{DateOrder, DateShape, OrderEvidence};
use write::{Batcher, PartitionFile, PartitionWriter, Row, TEXT_COLUMNS, text};

/// How to ingest a batch of files.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The council's display name (`Trafford`).
    pub council: String,
    pub kind: SourceKind,
    /// A TOML profile overriding the detected column mapping.
    pub profile: Option<PathBuf>,
    /// Show a progress bar (only when stderr is a terminal).
    pub progress: bool,
}

/// What happened to one source file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub source_name: String,
    pub rows_read: u64,
    pub rows_loaded: u64,
    pub rows_rejected: u64,
    /// Pence, as in the manifest's decimal strings.
    pub amount_read: i128,
    pub amount_loaded: i128,
    pub amount_rejected: i128,
    /// The same bytes were already ingested; nothing was written for this source.
    pub unchanged: bool,
    /// An earlier version of this source (same council, same name) was replaced.
    pub replaced: bool,
}

impl FileReport {
    pub fn reconciles(&self) -> bool {
        self.rows_read == self.rows_loaded + self.rows_rejected
            && self.amount_read == self.amount_loaded + self.amount_rejected
    }
}

/// Files bigger than this get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 << 20;
/// Header rows may follow a few lines of title text.
const HEADER_SEARCH_ROWS: usize = 20;

/// Ingest `files` into `dataset` as one all-or-nothing version, printing the chosen column
/// mapping and the reconciliation of each file to `out`.
pub fn ingest_files(
    dataset: &Dataset,
    files: &[PathBuf],
    options: &IngestOptions,
    out: &mut dyn Write,
) -> Result<Vec<FileReport>> {
    if options.council.trim().is_empty() {
        return Err(Error::usage("--council must name the council that published the files"));
    }
    let council = schema::council_display_name(&options.council);
    let (overrides, contract_overrides, date_order) = match (&options.profile, options.kind) {
        (None, _) => (HashMap::new(), HashMap::new(), None),
        (Some(path), SourceKind::Contracts) => {
            let (contract_overrides, date_order) = headers::load_profile_for::<ContractField>(path, &council)?;
            (HashMap::new(), contract_overrides, date_order)
        }
        (Some(path), SourceKind::Spend | SourceKind::Card) => {
            let (overrides, date_order) = headers::load_profile(path, &council)?;
            (overrides, HashMap::new(), date_order)
        }
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
        overrides,
        contract_overrides,
        date_order,
        progress: options.progress,
    };

    let mut tx = dataset.begin()?;
    match ingest_into(&mut tx, &sources, &context, out) {
        Ok((reports, changed)) => {
            let scratch = tx.dir().join(SCRATCH);
            let _ = fs::remove_dir_all(&scratch);
            if changed {
                if let Err(err) = relink_changed(&mut tx, dataset, out) {
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

/// Recompute `spend.contract_ref` where this transaction's change can have moved it.
fn relink_changed(tx: &mut Transaction, dataset: &Dataset, out: &mut dyn Write) -> Result<()> {
    let scope = link::scope_of_change(tx.base(), tx.manifest(), &link::aliases_sha256(dataset.root())?);
    if scope == link::Scope::Nothing {
        return Ok(());
    }
    let report = link::relink(tx, dataset.root(), &scope)?;
    print_link(out, tx.manifest(), &report)
}

fn print_link(out: &mut dyn Write, manifest: &crate::catalog::Manifest, report: &link::LinkReport) -> Result<()> {
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

/// Recompute every spend row's contract link, as one new dataset version: for after
/// `suppliers.toml` is edited.
pub fn relink_dataset(dataset: &Dataset, out: &mut dyn Write) -> Result<link::LinkReport> {
    // Fails with a helpful message when there is no dataset, before anything is created.
    dataset.snapshot()?;
    let mut tx = dataset.begin()?;
    match link::relink(&mut tx, dataset.root(), &link::Scope::All) {
        Ok(report) => {
            print_link(out, tx.manifest(), &report)?;
            tx.commit()?;
            Ok(report)
        }
        Err(err) => {
            abandon(tx);
            Err(err)
        }
    }
}

/// Drop a transaction without committing, removing its staged folder while the lock is
/// still held so no other ingest can be using it.
fn abandon(tx: Transaction) {
    let _ = fs::remove_dir_all(tx.dir());
    drop(tx);
}

/// Scratch folder inside the staged version for files not yet given their final names.
const SCRATCH: &str = ".ingest";

struct Context {
    council: String,
    council_code: Option<String>,
    kind: SourceKind,
    overrides: HashMap<Target, String>,
    /// The profile's `[COUNCIL.contracts]` table, for contracts registers.
    contract_overrides: HashMap<ContractField, String>,
    date_order: Option<DateOrder>,
    progress: bool,
}

fn print(out: &mut dyn Write, args: std::fmt::Arguments<'_>) -> Result<()> {
    out.write_fmt(args).map_err(|e| Error::io("cannot write the ingest report", e))
}

/// Load every source into the staged version. Returns the reports and whether anything
/// changed.
fn ingest_into(
    tx: &mut Transaction,
    sources: &[Source],
    context: &Context,
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
            SourceKind::Spend | SourceKind::Card => load_source(source, context, &scratch, index)?,
            SourceKind::Contracts => contracts::load_register(source, context, &scratch, index)?,
        };
        print(out, format_args!("{}\n", loaded.describe()))?;
        let report = &loaded.report;
        print(out, format_args!("  {}\n", reconciliation_line(report)))?;
        let previous = tx.manifest().find(&context.council, context.kind, &source.name).cloned();
        if previous.as_ref().is_some_and(|p| p.sha256 == loaded.sha256) {
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
                format!("{} does not reconcile: {}", source.name, reconciliation_line(report)),
            )
            .in_file(&source.path, None)
            .with_hint("nothing was written; this is a bug in spendql, please report it with the file"));
        }
        let was_there = tx.remove_source(&context.council, context.kind, &source.name)?.is_some();
        let record = place_files(tx, source, context, loaded.sha256.clone(), &loaded, was_there)?;
        tx.add_source(record);
        replaced.insert((context.council.clone(), source.name.clone()));
        new_rejects.insert((context.council.clone(), source.name.clone()), loaded.rejects_path.clone());
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
    let (rows, rejected) = reports.iter().fold((0, 0), |(r, j), rep| (r + rep.rows_loaded, j + rep.rows_rejected));
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

/// Move a source's Parquet files to their partition folders and describe it for the manifest.
fn place_files(
    tx: &Transaction,
    source: &Source,
    context: &Context,
    sha256: String,
    loaded: &Loaded,
    _replacing: bool,
) -> Result<SourceRecord> {
    let source_id = format!("{}-{}", safe_name(&source.name), &sha256[..12]);
    let mut parquet_files = Vec::new();
    for part in &loaded.parts {
        let table = context.kind.table().name();
        let council = safe_name(&context.council);
        let relative = match part.financial_year {
            Some(year) => {
                format!("{table}/council={council}/fy={}/{source_id}.parquet", values::financial_year_label(year))
            }
            // Contracts registers carry no payment dates, so no financial-year folder.
            None => format!("{table}/council={council}/{source_id}.parquet"),
        };
        let target = tx.dir().join(&relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(format!("cannot create {}", parent.display()), e))?;
        }
        fs::rename(&part.path, &target).map_err(|e| Error::io(format!("cannot move {}", target.display()), e))?;
        parquet_files.push(relative);
    }
    let report = &loaded.report;
    Ok(SourceRecord {
        council: context.council.clone(),
        kind: context.kind,
        source_name: source.name.clone(),
        sha256,
        rows_read: report.rows_read,
        rows_loaded: report.rows_loaded,
        rows_rejected: report.rows_rejected,
        amount_read: values::format_pence(report.amount_read),
        amount_loaded: values::format_pence(report.amount_loaded),
        amount_rejected: values::format_pence(report.amount_rejected),
        parquet_files,
        mapping: loaded.mapping.pairs.clone(),
        ingested_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    })
}

/// A name safe as one path component: letters, digits, `-`, `_` and `.` kept.
fn safe_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect()
}

pub fn reconciliation_line(r: &FileReport) -> String {
    let verdict = if r.reconciles() { "reconciled" } else { "DOES NOT RECONCILE" };
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

/// One source parsed into scratch files, not yet placed.
struct Loaded {
    report: FileReport,
    sha256: String,
    mapping: MappingSummary,
    parts: Vec<PartitionFile>,
    rejects_path: PathBuf,
    encoding: Encoding,
    header_line: u64,
    date_shape: Option<DateShape>,
    date_order: DateOrder,
    /// Further lines for the report, e.g. rows whose money could not be read.
    notes: Vec<String>,
}

/// A column mapping as reported and kept in the manifest, whichever fields it maps.
struct MappingSummary {
    /// (harmonised field, source header), in schema order.
    pairs: Vec<(String, String)>,
    /// (field, header) mapped through a misspelling.
    fuzzy: Vec<(String, String)>,
    /// Headers kept in `extras`.
    extras: Vec<String>,
}

impl MappingSummary {
    fn of<F: Field>(mapping: &Mapping<F>) -> Self {
        MappingSummary {
            pairs: mapping.pairs(),
            fuzzy: mapping.fuzzy.iter().map(|(f, h)| (f.field_name().to_string(), h.clone())).collect(),
            extras: mapping.extras.iter().map(|(_, h)| h.clone()).collect(),
        }
    }
}

impl Loaded {
    fn describe(&self) -> String {
        let m = &self.mapping;
        let mut text =
            format!("{}: {}, header on line {}", self.report.source_name, self.encoding.name(), self.header_line);
        if let Some(shape) = self.date_shape {
            text.push_str(&format!(", dates {shape}"));
            if shape == DateShape::Numeric {
                let order = match self.date_order {
                    DateOrder::DayFirst => "day first",
                    DateOrder::MonthFirst => "month first",
                };
                text.push_str(&format!(" ({order})"));
            }
        }
        let columns: Vec<String> = m.pairs.iter().map(|(field, header)| format!("{field} <- {header}")).collect();
        text.push_str(&format!("\n  columns: {}", columns.join(", ")));
        if !m.fuzzy.is_empty() {
            let fuzzy: Vec<String> = m.fuzzy.iter().map(|(t, h)| format!("'{h}' as {t}")).collect();
            text.push_str(&format!("\n  misspelt headers matched: {}", fuzzy.join(", ")));
        }
        if !m.extras.is_empty() {
            text.push_str(&format!("\n  kept in extras: {}", m.extras.join(", ")));
        }
        for note in &self.notes {
            text.push_str(&format!("\n  {note}"));
        }
        text
    }
}

/// Find the header row among the first records: the first one naming both an amount and a
/// payment date column.
fn find_header(records: &mut dyn Records, source: &Source, context: &Context) -> Result<(Mapping, u64)> {
    let mut record = ByteRecord::new();
    let mut first: Option<(Vec<String>, u64)> = None;
    for _ in 0..HEADER_SEARCH_ROWS {
        let Some(line) = records.next_record(&mut record)? else { break };
        let names: Vec<String> = record.iter().map(|f| Encoding::Utf8.decode(f).into_owned()).collect();
        let mapping = headers::detect(&names, &context.overrides)
            .map_err(|why| Error::input(&source.path, Some(line), format!("{}: {why}", source.name)))?;
        if mapping.is_loadable() {
            return Ok((mapping, line));
        }
        first.get_or_insert((names, line));
    }
    let Some((names, line)) = first else {
        return Err(Error::input(&source.path, None, format!("{} has no header row", source.name)));
    };
    let mapping = headers::detect(&names, &context.overrides)
        .map_err(|why| Error::input(&source.path, Some(line), format!("{}: {why}", source.name)))?;
    let missing = if mapping.column(Target::Amount).is_none() { "amount" } else { "payment date" };
    let shown: Vec<&str> = names.iter().map(|h| h.trim()).take(12).collect();
    let error = Error::input(
        &source.path,
        Some(line),
        format!("{}: no recognisable {missing} column in the header ({})", source.name, shown.join(", ")),
    );
    if contracts::looks_like_register(&names) {
        return Err(error.with_hint("this looks like a contracts register: ingest it with --kind contracts"));
    }
    Err(error.with_hint("name the column in a --profile file (see README, 'Ingest profiles')"))
}

/// First pass, only for files with numeric dates: which of day and month comes first.
fn probe_date_order(source: &Source, context: &Context) -> Result<(Option<DateShape>, OrderEvidence)> {
    let progress = Arc::new(AtomicU64::new(0));
    let ((shape, evidence), _) = source.with_bytes(&progress, false, |input| {
        with_records(source, input, |records, _| {
            let (mapping, _) = find_header(records, source, context)?;
            let Some(date_column) = mapping.column(Target::PaymentDate) else {
                return Ok((None, OrderEvidence::default()));
            };
            let mut record = ByteRecord::new();
            let mut shape = None;
            let mut evidence = OrderEvidence::default();
            while records.next_record(&mut record)?.is_some() {
                let Some(raw) = record.get(date_column) else { continue };
                if shape.is_none() {
                    shape = values::date_shape(raw);
                    if shape.is_some_and(|s| s != DateShape::Numeric) {
                        break;
                    }
                }
                evidence.observe(raw);
            }
            Ok((shape, evidence))
        })
    })?;
    Ok((shape, evidence))
}

/// Open the right record reader for a source's bytes and run `f` over it.
fn with_records<T>(
    source: &Source,
    input: &mut dyn Read,
    f: impl FnOnce(&mut dyn Records, Encoding) -> Result<T>,
) -> Result<T> {
    match source.format {
        Format::Csv => {
            let mut buffered = BufReader::with_capacity(1 << 20, input);
            let (mut records, encoding) = CsvRecords::open(&mut buffered, &source.path, &source.name)?;
            f(&mut records, encoding)
        }
        Format::Xlsx => {
            let mut bytes = Vec::new();
            input
                .read_to_end(&mut bytes)
                .map_err(|e| Error::input(&source.path, None, format!("cannot read {}: {e}", source.name)))?;
            let mut records = XlsxRecords::open(bytes, &source.path, &source.name)?;
            f(&mut records, Encoding::Utf8)
        }
    }
}

fn load_source(source: &Source, context: &Context, scratch: &Path, index: usize) -> Result<Loaded> {
    let (probed_shape, evidence) = probe_date_order(source, context)?;
    let date_order = context.date_order.unwrap_or(evidence.order());
    let progress = Arc::new(AtomicU64::new(0));
    let bar = (context.progress && source.file_size > PROGRESS_MIN_BYTES).then(|| {
        let bar = indicatif::ProgressBar::new(source.file_size);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
        {
            bar.set_style(style);
        }
        bar.set_message(source.name.clone());
        bar
    });
    let prefix = format!("source{index}");
    let rejects_path = scratch.join(format!("{prefix}-rejects.csv"));
    let (parsed, sha256) = source.with_bytes(&progress, true, |input| {
        with_records(source, input, |records, encoding| {
            let (mapping, header_line) = find_header(records, source, context)?;
            let parse = Parser::new(source, context, &mapping, encoding, date_order, &rejects_path)?;
            let outcome = parse.run(records, scratch, &prefix, &progress, bar.as_ref())?;
            Ok((mapping, header_line, encoding, outcome))
        })
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (mapping, header_line, encoding, outcome) = parsed;
    let sha256 = sha256.unwrap_or_default();
    if outcome.rows_read == 0 {
        return Err(Error::input(
            &source.path,
            Some(header_line),
            format!("{} has a header but no data rows", source.name),
        ));
    }
    let report = FileReport {
        source_name: source.name.clone(),
        rows_read: outcome.rows_read,
        rows_loaded: outcome.parts.iter().map(|p| p.rows).sum(),
        rows_rejected: outcome.rows_rejected,
        amount_read: outcome.amount_read,
        amount_loaded: outcome.parts.iter().map(|p| p.amount).sum(),
        amount_rejected: outcome.amount_rejected,
        unchanged: false,
        replaced: false,
    };
    let mut notes = Vec::new();
    if outcome.unreadable_amounts > 0 {
        notes.push(format!(
            "{} row(s) had no readable amount: they count £0.00 in both read and rejected",
            outcome.unreadable_amounts
        ));
    }
    Ok(Loaded {
        report,
        sha256,
        mapping: MappingSummary::of(&mapping),
        parts: outcome.parts,
        rejects_path,
        encoding,
        header_line,
        date_shape: probed_shape.or(outcome.first_shape),
        date_order,
        notes,
    })
}

struct Outcome {
    rows_read: u64,
    rows_rejected: u64,
    amount_read: i128,
    amount_rejected: i128,
    unreadable_amounts: u64,
    parts: Vec<PartitionFile>,
    first_shape: Option<DateShape>,
}

/// The per-row work of one source: fields → typed values → a batch row or a reject.
struct Parser<'a> {
    source: &'a Source,
    context: &'a Context,
    encoding: Encoding,
    date_order: DateOrder,
    header_len: usize,
    amount: usize,
    date: usize,
    vat: Option<usize>,
    card_flag: Option<usize>,
    texts: [Option<usize>; TEXT_COLUMNS],
    /// Unmapped columns, each with its JSON key already escaped (`"Header":`).
    extras: Vec<(usize, String)>,
    rejects: rejects::RejectWriter,
    suppliers: HashMap<String, (String, bool)>,
}

/// Values that mean "no value" in published files (Trafford writes `NA`).
fn is_missing(value: &str) -> bool {
    matches!(value, "" | "NA" | "N/A" | "n/a" | "#N/A" | "NULL" | "null")
}

impl<'a> Parser<'a> {
    fn new(
        source: &'a Source,
        context: &'a Context,
        mapping: &Mapping,
        encoding: Encoding,
        date_order: DateOrder,
        rejects_path: &Path,
    ) -> Result<Self> {
        let mut texts = [None; TEXT_COLUMNS];
        for (target, slot) in [
            (Target::TransactionId, text::TRANSACTION_ID),
            (Target::SupplierName, text::SUPPLIER_NAME),
            (Target::SupplierId, text::SUPPLIER_ID),
            (Target::CompanyNumber, text::COMPANY_NUMBER),
            (Target::VatNumber, text::VAT_NUMBER),
            (Target::Department, text::DEPARTMENT),
            (Target::ExpenseType, text::EXPENSE_TYPE),
            (Target::Category, text::CATEGORY),
            (Target::CategoryCode, text::CATEGORY_CODE),
            (Target::Purpose, text::PURPOSE),
        ] {
            texts[slot] = mapping.column(target);
        }
        let (Some(amount), Some(date)) = (mapping.column(Target::Amount), mapping.column(Target::PaymentDate)) else {
            return Err(Error::input(&source.path, None, format!("{}: no amount or date column", source.name)));
        };
        Ok(Parser {
            source,
            context,
            encoding,
            date_order,
            header_len: mapping.headers.len(),
            amount,
            date,
            vat: mapping.column(Target::IrrecoverableVat),
            card_flag: mapping.column(Target::CardFlag),
            texts,
            extras: escaped_extras(&mapping.extras),
            rejects: rejects::RejectWriter::create(rejects_path, &context.council, &source.name)?,
            suppliers: HashMap::new(),
        })
    }

    /// Parse every record after the header. Encoding the Parquet runs on a second thread so
    /// parsing and compression overlap on a two-core machine.
    fn run(
        mut self,
        records: &mut dyn Records,
        scratch: &Path,
        prefix: &str,
        progress: &AtomicU64,
        bar: Option<&indicatif::ProgressBar>,
    ) -> Result<Outcome> {
        let money: Vec<usize> = std::iter::once(self.amount).chain(self.vat).collect();
        records.set_money_columns(&money);
        let (sender, receiver) = mpsc::sync_channel::<(i32, RecordBatch)>(4);
        let mut writer = PartitionWriter::new(scratch, prefix);
        std::thread::scope(|scope| {
            let writing = scope.spawn(move || -> Result<Vec<PartitionFile>> {
                for (year, batch) in receiver {
                    writer.write(year, batch)?;
                }
                writer.finish()
            });
            let parsed = self.parse_all(records, &sender, progress, bar);
            drop(sender);
            let written = writing.join().map_err(|_| Error::execution("the Parquet writer thread panicked"))?;
            // A writer failure makes the parser's send fail; report the writer's error.
            let parts = written?;
            let mut outcome = parsed?;
            outcome.parts = parts;
            Ok(outcome)
        })
    }

    fn parse_all(
        &mut self,
        records: &mut dyn Records,
        sender: &mpsc::SyncSender<(i32, RecordBatch)>,
        progress: &AtomicU64,
        bar: Option<&indicatif::ProgressBar>,
    ) -> Result<Outcome> {
        let mut batcher = Batcher::new(&self.context.council, self.context.council_code.as_deref(), &self.source.name);
        let mut outcome = Outcome {
            rows_read: 0,
            rows_rejected: 0,
            amount_read: 0,
            amount_rejected: 0,
            unreadable_amounts: 0,
            parts: Vec::new(),
            first_shape: None,
        };
        let mut record = ByteRecord::new();
        let mut scratch = Scratch::default();
        let send =
            |batch: (i32, RecordBatch)| sender.send(batch).map_err(|_| Error::execution("the Parquet writer stopped"));
        while let Some(line) = records.next_record(&mut record)? {
            outcome.rows_read += 1;
            if outcome.rows_read.is_multiple_of(16_384)
                && let Some(bar) = bar
            {
                bar.set_position(progress.load(Ordering::Relaxed));
            }
            if let Some((year, row_values)) = self.row(&record, line, &mut scratch, &mut outcome)? {
                let texts = row_values.texts(&record, self.encoding);
                let mut text = texts.each_ref().map(|t| t.as_deref());
                text[text::SUPPLIER_KEY] = row_values.supplier_key.then_some(scratch.key.as_str());
                let row = Row {
                    payment_date: row_values.date,
                    amount: row_values.amount,
                    irrecoverable_vat: row_values.vat,
                    text,
                    is_card: row_values.is_card,
                    redacted: row_values.redacted,
                    source_row: line as i64,
                    extras: (!scratch.extras.is_empty()).then_some(scratch.extras.as_str()),
                };
                if let Some(batch) = batcher.push(year, &row)? {
                    send(batch)?;
                }
            }
        }
        for batch in batcher.finish()? {
            send(batch)?;
        }
        self.rejects.finish()?;
        Ok(outcome)
    }

    /// Decide one record: load it (returning its typed values) or write it to the rejects.
    fn row(
        &mut self,
        record: &ByteRecord,
        line: u64,
        scratch: &mut Scratch,
        outcome: &mut Outcome,
    ) -> Result<Option<(i32, RowValues)>> {
        if let Some(why) = shape_problem(record, self.header_len) {
            return self.reject(record, line, &why, None, outcome);
        }
        let raw_amount = record.get(self.amount).unwrap_or_default();
        let amount = match values::parse_amount(raw_amount) {
            Ok(pence) => pence,
            Err(e) => {
                outcome.unreadable_amounts += 1;
                let why = match e {
                    values::AmountError::Empty => e.reason().to_string(),
                    _ => format!("{}: '{}'", e.reason(), self.encoding.decode(raw_amount)),
                };
                return self.reject(record, line, &why, None, outcome);
            }
        };
        outcome.amount_read += amount;
        let raw_date = record.get(self.date).unwrap_or_default();
        if outcome.first_shape.is_none() {
            outcome.first_shape = values::date_shape(raw_date);
        }
        let Some(date) = values::parse_date(raw_date, self.date_order) else {
            let why = if values::trim(raw_date).is_empty() {
                "no payment date".to_string()
            } else {
                format!("unreadable payment date '{}'", self.encoding.decode(raw_date))
            };
            return self.reject(record, line, &why, Some(amount), outcome);
        };
        let vat = match self.vat.and_then(|c| record.get(c)) {
            None => None,
            Some(raw) if is_missing(self.encoding.decode(values::trim(raw)).as_ref()) => None,
            Some(raw) => match values::parse_amount(raw) {
                Ok(pence) => Some(pence),
                Err(e) => {
                    let why = format!("irrecoverable VAT: {}: '{}'", e.reason(), self.encoding.decode(raw));
                    return self.reject(record, line, &why, Some(amount), outcome);
                }
            },
        };
        let is_card = self.context.kind == SourceKind::Card
            || self.card_flag.and_then(|c| record.get(c)).is_some_and(|raw| is_card_marker(values::trim(raw)));
        let (supplier_key, redacted) = match self.texts[text::SUPPLIER_NAME].and_then(|c| record.get(c)) {
            Some(raw) => {
                let name = self.encoding.decode(raw);
                let name = name.trim();
                if is_missing(name) { (false, false) } else { (true, self.supplier(name, &mut scratch.key)) }
            }
            None => (false, false),
        };
        extras_json(record, self.encoding, &self.extras, &mut scratch.extras);
        let year = values::financial_year(date);
        Ok(Some((year, RowValues { date, amount, vat, is_card, redacted, supplier_key, text_columns: self.texts })))
    }

    /// Copy the supplier key of `name` into `key` and say whether the name is a redaction.
    /// Supplier names repeat heavily, so both are cached; the cache is bounded so memory
    /// stays flat however many distinct names a file has.
    fn supplier(&mut self, name: &str, key: &mut String) -> bool {
        key.clear();
        if let Some((cached, redacted)) = self.suppliers.get(name) {
            key.push_str(cached);
            return *redacted;
        }
        let (computed, redacted) = (supplier::supplier_key(name), supplier::is_redacted(name));
        key.push_str(&computed);
        if self.suppliers.len() > 200_000 {
            self.suppliers.clear();
        }
        self.suppliers.insert(name.to_string(), (computed, redacted));
        redacted
    }

    fn reject(
        &mut self,
        record: &ByteRecord,
        line: u64,
        reason: &str,
        amount: Option<i128>,
        outcome: &mut Outcome,
    ) -> Result<Option<(i32, RowValues)>> {
        outcome.rows_rejected += 1;
        outcome.amount_rejected += amount.unwrap_or(0);
        self.rejects.write(line, reason, record, self.encoding)?;
        Ok(None)
    }
}

/// Per-row text built by the parser, reused from row to row so a row allocates nothing.
#[derive(Default)]
struct Scratch {
    extras: String,
    key: String,
}

/// The typed values of a loaded row; its text columns are decoded once the row is kept.
struct RowValues {
    date: i32,
    amount: i128,
    vat: Option<i128>,
    is_card: bool,
    redacted: bool,
    /// Whether the row has a supplier key (it is in the scratch buffer).
    supplier_key: bool,
    text_columns: [Option<usize>; TEXT_COLUMNS],
}

impl RowValues {
    fn texts<'r>(
        &self,
        record: &'r ByteRecord,
        encoding: Encoding,
    ) -> [Option<std::borrow::Cow<'r, str>>; TEXT_COLUMNS] {
        self.text_columns.map(|column| {
            let raw = record.get(column?)?;
            let value = match encoding.decode(raw) {
                std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.trim()),
                std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.trim().to_string()),
            };
            (!is_missing(&value)).then_some(value)
        })
    }
}

/// Why a record cannot be a row of a file whose header has `header_len` fields, if it cannot:
/// blank, or too few or too many fields (column positions would be guesses).
fn shape_problem(record: &ByteRecord, header_len: usize) -> Option<String> {
    let fields = record.len();
    if record.iter().all(|f| values::trim(f).is_empty()) {
        return Some("blank row".to_string());
    }
    if fields < header_len {
        return Some(format!("expected {header_len} fields, found {fields}"));
    }
    // Salford pads some months with one empty field more than the header: harmless.
    if fields > header_len && record.iter().skip(header_len).any(|f| !values::trim(f).is_empty()) {
        return Some(format!("expected {header_len} fields, found {fields} (the extra ones are not empty)"));
    }
    None
}

/// The `extras` columns of a mapping with their JSON keys escaped once (`"Header":`), so the
/// per-row work is only the values.
fn escaped_extras(extras: &[(usize, String)]) -> Vec<(usize, String)> {
    extras
        .iter()
        .map(|(column, header)| {
            let mut key = String::new();
            push_json_string(&mut key, header);
            key.push(':');
            (*column, key)
        })
        .collect()
}

/// Write the non-empty cells of the `extras` columns (keys from [`escaped_extras`]) into
/// `out` as one JSON object, or leave `out` empty when there are none.
fn extras_json(record: &ByteRecord, encoding: Encoding, extras: &[(usize, String)], out: &mut String) {
    out.clear();
    for (column, key) in extras {
        let Some(raw) = record.get(*column) else { continue };
        let value = encoding.decode(raw);
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        out.push(if out.is_empty() { '{' } else { ',' });
        out.push_str(key);
        push_json_string(out, value);
    }
    if !out.is_empty() {
        out.push('}');
    }
}

/// Whether a card-flag cell marks a card transaction (Trafford: `GPC`).
fn is_card_marker(raw: &[u8]) -> bool {
    let upper = raw.to_ascii_uppercase();
    matches!(
        upper.as_slice(),
        b"GPC" | b"PCARD" | b"P-CARD" | b"PURCHASE CARD" | b"PROCUREMENT CARD" | b"CARD" | b"Y" | b"YES" | b"TRUE"
    )
}

/// Append `value` as a JSON string literal.
fn push_json_string(out: &mut String, value: &str) {
    out.push('"');
    // Almost every published value needs no escaping: copy it whole.
    if !value.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(value);
        out.push('"');
        return;
    }
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extras_are_valid_json() {
        let mut out = String::new();
        out.push('{');
        push_json_string(&mut out, "Invoice \"No\"");
        out.push(':');
        push_json_string(&mut out, "a\\b\nc\u{1}");
        out.push('}');
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["Invoice \"No\""], "a\\b\nc\u{1}");
    }

    #[test]
    fn card_markers() {
        assert!(is_card_marker(b"GPC"));
        assert!(is_card_marker(b"gpc"));
        assert!(!is_card_marker(b"BACS"));
        assert!(!is_card_marker(b""));
    }

    #[test]
    fn source_names_become_safe_file_names() {
        assert_eq!(safe_name("trafford.zip/2024 spend.csv"), "trafford.zip_2024_spend.csv");
    }
}
