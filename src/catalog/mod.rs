//! The dataset on disk: where each table's Parquet files live, the manifest of ingested
//! source files with their reconciliation, the dataset format version, and the versioned
//! commit that makes an ingest all-or-nothing. Ingest writes through a [`Transaction`]; the
//! language reads a [`Snapshot`]. This and [`crate::schema`] are all the two sides share.
//!
//! Layout of a dataset folder `DIR` (formats 2 and later):
//!
//! ```text
//! DIR/versions/v000007/manifest.json      what was ingested, with reconciliation and format
//! DIR/versions/v000007/spend/Trafford/2024-25/*.parquet
//! DIR/versions/v000007/contracts/Salford/*.parquet
//! DIR/versions/v000007/suppliers/suppliers.parquet   derived: one row per supplier
//! DIR/versions/v000007/rejects.csv        rows that could not be loaded
//! DIR/current  -> versions/v000007        the one committed version (a symlink)
//! DIR/spend    -> current/spend           stable paths for other tools, one per table
//! DIR/contracts, DIR/suppliers, DIR/rejects.csv, DIR/manifest.json likewise
//! DIR/.lock                               held by the one ingest writing
//! ```
//!
//! Folder names hold no `=` on purpose: every file carries its own `council` column, and a
//! `council=Trafford` folder is a hive partition to pandas, pyarrow, Polars and DuckDB,
//! which then either refuse the table (the folder's dictionary type against the file's
//! string) or add a column spendql's own `sql` does not have. The folders only group files
//! for people browsing; spendql reads the file list in the manifest and never prunes by
//! folder. So `pandas.read_parquet("DIR/spend")` reads exactly the rows `spendql sql` does.
//!
//! A new version starts as hard links to the current version's files, so unchanged data
//! costs nothing to carry over. Committing is a single atomic `rename` of the `current`
//! symlink: a process killed at any moment before it leaves the old version in place and
//! readable, and one killed after it leaves the new one. Readers resolve `current` once and
//! so see one consistent version for a whole query; the stable paths go through `current`,
//! so they switch in the same rename.
//!
//! The manifest records the format its version is written in ([`FORMAT`]; a manifest
//! without one is format 1, the `council=`/`fy=` folders and the columns before issue 10).
//! A dataset in another format is never read as if it were this one: reading it, or
//! beginning a plain transaction, stops with one line saying what to run. Only
//! [`Dataset::begin_upgrade`] opens an older format, for `ingest::upgrade_dataset`.

pub mod reader;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::schema::Table;
pub use reader::{TableBatch, TableReader, Text};

/// The dataset format this spendql writes and reads. Format 1 (manifests without a
/// `format`) had hive-style `council=`/`fy=` folders and the columns before issue 10;
/// format 2 kept each council's published category in spend's `category`; format 3 kept
/// the register's published category in the contracts' `category`.
pub const FORMAT: u32 = 4;

const VERSIONS: &str = "versions";
const CURRENT: &str = "current";
const LOCK: &str = ".lock";
/// File name of a version's manifest, inside the version folder.
pub const MANIFEST: &str = "manifest.json";
/// File name, inside a version folder, of the rows that could not be loaded.
pub const REJECTS: &str = "rejects.csv";

/// The one file of a derived table (`suppliers/suppliers.parquet`), relative to a version
/// folder; `None` for a table loaded from sources. Derived tables are rebuilt whole inside
/// every transaction that changes what they derive from, so they need no manifest entry.
pub fn derived_file(table: Table) -> Option<String> {
    table.is_derived().then(|| format!("{0}/{0}.parquet", table.name()))
}

/// What kind of published file a source was (also `spendql ingest --kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A spend-over-£500 file.
    Spend,
    /// A purchase card transactions file (loaded into the spend table).
    Card,
    /// A contracts register.
    Contracts,
    /// A file of metrics (satisfaction, days to pay, web and social analytics).
    Metrics,
}

impl SourceKind {
    /// The table this kind of file is loaded into.
    pub fn table(self) -> Table {
        match self {
            SourceKind::Spend | SourceKind::Card => Table::Spend,
            SourceKind::Contracts => Table::Contracts,
            SourceKind::Metrics => Table::Metrics,
        }
    }

    /// The kind's lower-case name, as in `--kind`.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Spend => "spend",
            SourceKind::Card => "card",
            SourceKind::Contracts => "contracts",
            SourceKind::Metrics => "metrics",
        }
    }
}

/// The folder, inside a version folder, holding a table's files for one council and (for
/// spend) one financial year: `spend/Trafford/2024-25`, `contracts/Salford`. The one place
/// the layout is spelt, for ingest, upgrades and test datasets alike.
pub fn partition_folder(table: Table, council: &str, financial_year: Option<&str>) -> String {
    let mut folder = format!("{}/{}", table.name(), council_folder(council));
    if let Some(year) = financial_year {
        folder.push('/');
        folder.push_str(&path_component(year));
    }
    folder
}

/// A council's folder name: its name when that is already a safe component, else the safe
/// form with a short hash of the name, so two councils never share a folder (and a file).
fn council_folder(council: &str) -> String {
    use sha2::{Digest, Sha256};
    let safe = path_component(council);
    if safe == council {
        return safe;
    }
    let hash = Sha256::digest(council.as_bytes());
    format!("{safe}-{:02x}{:02x}{:02x}{:02x}", hash[0], hash[1], hash[2], hash[3])
}

/// Text as one path component that every common Parquet reader lists: ASCII letters,
/// digits, `-`, `_` and `.` kept, anything else (`=` too: a hive partition to them) made
/// `_`, and no leading `.` or `_`, which pyarrow, pandas and Polars skip as hidden files.
pub fn path_component(text: &str) -> String {
    let safe: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect();
    let visible = safe.trim_start_matches(['.', '_']);
    if visible.is_empty() { "unnamed".to_string() } else { visible.to_string() }
}

/// One ingested source file and how it reconciled. Money is kept as decimal strings
/// (`"1234.56"`) so the manifest never rounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    /// The council the file was published by.
    pub council: String,
    /// What kind of file it was.
    pub kind: SourceKind,
    /// The file name as given (for a member of a zip: `archive.zip/member.csv`).
    pub source_name: String,
    /// SHA-256 of the file's bytes: re-ingesting identical bytes is a no-op.
    pub sha256: String,
    /// Data rows read from the file.
    pub rows_read: u64,
    /// Rows loaded into the table.
    pub rows_loaded: u64,
    /// Rows rejected (written to the rejects file).
    pub rows_rejected: u64,
    /// Total of all amounts read, in pounds as a decimal string.
    pub amount_read: String,
    /// Total of loaded amounts, in pounds as a decimal string.
    pub amount_loaded: String,
    /// Total of rejected amounts, in pounds as a decimal string.
    pub amount_rejected: String,
    /// Parquet files holding this source's rows, relative to the version folder.
    pub parquet_files: Vec<String>,
    /// The source column chosen for each harmonised field.
    pub mapping: Vec<(String, String)>,
    /// When the file was ingested, in UTC as `YYYY-MM-DDTHH:MM:SSZ`.
    pub ingested_at: String,
}

/// The record of one dataset version: its number and every source loaded into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The dataset format the version's files are written in (see [`FORMAT`]).
    #[serde(default = "format_one")]
    pub format: u32,
    /// The version number (the `vNNNNNN` folder it lives in).
    pub version: u64,
    /// Every source file loaded, in ingest order.
    pub sources: Vec<SourceRecord>,
    /// The last spend ↔ contracts linking pass (absent until a register is loaded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<LinkRecord>,
    /// The last classification pass (absent before the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classify: Option<ClassifyRecord>,
}

/// What the last classification pass saw, so a later ingest knows whether
/// `categories.toml` changed since.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassifyRecord {
    /// SHA-256 of `categories.toml` when the rows were classified (empty: no file).
    pub categories_sha256: String,
    /// Spend rows classified.
    pub spend_rows: u64,
    /// Pence, as a decimal string, per `category_source` (`mapped`, ..., `none`).
    pub amount_by_source: Vec<(String, String)>,
}

/// What the last linking pass saw, kept in the manifest so a later ingest knows whether
/// the aliases changed since.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRecord {
    /// SHA-256 of `suppliers.toml` when the links were computed (empty: no file).
    pub aliases_sha256: String,
    /// Contracts in the register when linking ran.
    pub contracts: u64,
    /// Spend rows examined.
    pub spend_rows: u64,
    /// Spend rows given a contract reference.
    pub rows_linked: u64,
    /// Pence, as a decimal string.
    pub amount_linked: String,
}

/// Manifests written before the format was recorded are format 1.
fn format_one() -> u32 {
    1
}

/// The manifest of a dataset with nothing in it yet, in this spendql's format.
impl Default for Manifest {
    fn default() -> Self {
        Manifest { format: FORMAT, version: 0, sources: Vec::new(), link: None, classify: None }
    }
}

impl Manifest {
    /// The record of a source with this council, table and name, if already loaded.
    pub fn find(&self, council: &str, kind: SourceKind, source_name: &str) -> Option<&SourceRecord> {
        self.sources
            .iter()
            .find(|s| s.council == council && s.kind.table() == kind.table() && s.source_name == source_name)
    }

    /// Whether any source put rows into `table`; a derived table exists when spend or
    /// contracts, which it is derived from, does.
    pub fn has_table(&self, table: Table) -> bool {
        if table.is_derived() {
            return Table::ALL.iter().any(|t| t.names_suppliers() && self.has_table(*t));
        }
        self.sources.iter().any(|s| s.kind.table() == table && !s.parquet_files.is_empty())
    }
}

/// A dataset folder. Opening does not create anything; [`Dataset::begin`] does.
#[derive(Debug, Clone)]
pub struct Dataset {
    root: PathBuf,
}

/// One committed version of a dataset, fixed for as long as it is used.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The resolved version folder (not the `current` symlink), so it cannot change underfoot.
    pub dir: PathBuf,
    /// The manifest of that version.
    pub manifest: Manifest,
}

impl Snapshot {
    /// The folder holding a table's Parquet files, if the table has any rows.
    pub fn table_dir(&self, table: Table) -> Option<PathBuf> {
        let dir = self.dir.join(table.name());
        (self.manifest.has_table(table) && dir.is_dir()).then_some(dir)
    }

    /// The one way to read a table's rows outside the query engine.
    pub fn reader(&self, table: Table) -> TableReader {
        TableReader::of_files(table, self.table_files(table))
    }

    /// All Parquet files of a table, sorted, as absolute paths.
    pub fn table_files(&self, table: Table) -> Vec<PathBuf> {
        if let Some(relative) = derived_file(table) {
            let path = self.dir.join(relative);
            return if path.is_file() { vec![path] } else { Vec::new() };
        }
        let mut files: Vec<PathBuf> = self
            .manifest
            .sources
            .iter()
            .filter(|s| s.kind.table() == table)
            .flat_map(|s| s.parquet_files.iter().map(|f| self.dir.join(f)))
            .collect();
        files.sort();
        files
    }
}

impl Dataset {
    /// The dataset at folder `root` (nothing is read or created yet).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Dataset { root: root.into() }
    }

    /// The dataset folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The committed version, or an error saying how to create one. A version in another
    /// dataset format is refused with one line saying what to run, never read.
    pub fn snapshot(&self) -> Result<Snapshot> {
        let snapshot = self.stored_snapshot()?;
        self.check_format(&snapshot.manifest, false)?;
        Ok(snapshot)
    }

    /// The committed version, whatever its format.
    fn stored_snapshot(&self) -> Result<Snapshot> {
        let current = self.root.join(CURRENT);
        if !self.root.is_dir() {
            return Err(Error::dataset(format!("no dataset at {}", self.root.display()))
                .with_hint("create one with `spendql ingest --dataset DIR --council NAME FILE...` or `spendql demo`"));
        }
        let dir = fs::canonicalize(&current).map_err(|_| {
            Error::dataset(format!("{} holds no ingested data yet", self.root.display()))
                .with_hint("load files with `spendql ingest --dataset DIR --council NAME FILE...`")
        })?;
        let manifest = read_manifest(&dir)?;
        Ok(Snapshot { dir, manifest })
    }

    /// The committed manifest, or an empty one for a dataset with nothing in it yet.
    pub fn manifest(&self) -> Result<Manifest> {
        let manifest = self.stored_manifest()?;
        self.check_format(&manifest, false)?;
        Ok(manifest)
    }

    fn stored_manifest(&self) -> Result<Manifest> {
        match self.stored_snapshot() {
            Ok(s) => Ok(s.manifest),
            Err(_) if !self.root.join(CURRENT).exists() => Ok(Manifest::default()),
            Err(e) => Err(e),
        }
    }

    /// The dataset format of the committed version ([`FORMAT`] for an empty dataset).
    pub fn stored_format(&self) -> Result<u32> {
        Ok(self.stored_manifest()?.format)
    }

    /// Refuse a manifest in another format: an older one (unless `upgrading`) with the
    /// command that rewrites it, a newer one always. One line each, so a script's log says
    /// what to do without a backtrace of hints.
    fn check_format(&self, manifest: &Manifest, upgrading: bool) -> Result<()> {
        let dir = self.root.display();
        if manifest.format > FORMAT {
            return Err(Error::dataset(format!(
                "dataset {dir} is in format {}, newer than this spendql understands (format {FORMAT}); use a newer spendql",
                manifest.format
            )));
        }
        if manifest.format < FORMAT && !upgrading {
            return Err(Error::dataset(format!(
                "dataset {dir} is in format {} from an older spendql; run `spendql --dataset {dir} upgrade` to rewrite it in format {FORMAT}",
                manifest.format
            )));
        }
        Ok(())
    }

    /// Start a new version: take the writer lock, and stage a copy (by hard links) of the
    /// current version. Nothing is visible to readers until [`Transaction::commit`]. A
    /// dataset in another format is refused (see [`Dataset::begin_upgrade`]).
    pub fn begin(&self) -> Result<Transaction> {
        self.begin_checked(false)
    }

    /// As [`Dataset::begin`], but a dataset in an older format is opened too: the
    /// transaction's [`Transaction::base`] says which, and it cannot commit until its files
    /// are rewritten and [`Transaction::mark_upgraded`] is called. A newer format is still
    /// refused.
    pub fn begin_upgrade(&self) -> Result<Transaction> {
        self.begin_checked(true)
    }

    fn begin_checked(&self, upgrading: bool) -> Result<Transaction> {
        // Checked before anything is created, so a refused dataset keeps every byte.
        self.check_format(&self.stored_manifest()?, upgrading)?;
        fs::create_dir_all(self.root.join(VERSIONS))
            .map_err(|e| Error::io(format!("cannot create dataset folder {}", self.root.display()), e))?;
        let lock_path = self.root.join(LOCK);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(format!("cannot open {}", lock_path.display()), e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::dataset(format!("dataset {} is locked by another ingest", self.root.display()))
                    .with_hint("wait for the other ingest to finish, then run this one again"));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(Error::io(format!("cannot lock {}", lock_path.display()), e));
            }
        }
        // Read again under the lock: another writer may have committed since.
        let base = self.stored_manifest()?;
        self.check_format(&base, upgrading)?;
        self.collect_garbage()?;
        let version = base.version + 1;
        let staging = self.root.join(VERSIONS).join(format!("v{version:06}"));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| Error::io(format!("cannot clear {}", staging.display()), e))?;
        }
        fs::create_dir_all(&staging).map_err(|e| Error::io(format!("cannot create {}", staging.display()), e))?;
        if let Ok(current) = fs::canonicalize(self.root.join(CURRENT)) {
            link_tree(&current, &staging)?;
        }
        let manifest = Manifest { version, ..base.clone() };
        Ok(Transaction { root: self.root.clone(), staging, manifest, base, _lock: lock })
    }

    /// Remove versions other than the current one: leftovers of killed ingests and
    /// superseded versions. Only called with the lock held.
    fn collect_garbage(&self) -> Result<()> {
        let current = fs::canonicalize(self.root.join(CURRENT)).ok();
        let versions = self.root.join(VERSIONS);
        let Ok(entries) = fs::read_dir(&versions) else { return Ok(()) };
        for entry in entries.flatten() {
            let path = entry.path();
            let keep = current.as_ref().is_some_and(|c| fs::canonicalize(&path).ok().as_ref() == Some(c));
            if !keep {
                fs::remove_dir_all(&path).map_err(|e| Error::io(format!("cannot remove {}", path.display()), e))?;
            }
        }
        Ok(())
    }
}

fn read_manifest(version_dir: &Path) -> Result<Manifest> {
    let path = version_dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::new(ErrorKind::Dataset, format!("damaged manifest {}: {e}", path.display())))
}

/// Recreate `from`'s tree under `to` with hard links to its files.
fn link_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in fs::read_dir(from).map_err(|e| Error::io(format!("cannot read {}", from.display()), e))? {
        let entry = entry.map_err(|e| Error::io(format!("cannot read {}", from.display()), e))?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        let file_type = entry.file_type().map_err(|e| Error::io(format!("cannot stat {}", src.display()), e))?;
        if file_type.is_dir() {
            fs::create_dir_all(&dst).map_err(|e| Error::io(format!("cannot create {}", dst.display()), e))?;
            link_tree(&src, &dst)?;
        } else if entry.file_name() != MANIFEST {
            // The manifest is rewritten at commit; everything else is immutable once written.
            fs::hard_link(&src, &dst).map_err(|e| Error::io(format!("cannot link {}", dst.display()), e))?;
        }
    }
    Ok(())
}

/// A version being built. Dropping it without committing leaves the dataset unchanged
/// (the staged folder is removed by the next ingest).
pub struct Transaction {
    root: PathBuf,
    staging: PathBuf,
    manifest: Manifest,
    base: Manifest,
    _lock: File,
}

impl Transaction {
    /// The staged version folder; paths in [`SourceRecord::parquet_files`] are relative to it.
    pub fn dir(&self) -> &Path {
        &self.staging
    }

    /// The manifest being built, with the sources added so far.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The manifest as it was when this transaction began.
    pub fn base(&self) -> &Manifest {
        &self.base
    }

    /// Forget an earlier ingest of this source and delete its files from the staged version.
    pub fn remove_source(
        &mut self,
        council: &str,
        kind: SourceKind,
        source_name: &str,
    ) -> Result<Option<SourceRecord>> {
        let Some(index) = self
            .manifest
            .sources
            .iter()
            .position(|s| s.council == council && s.kind.table() == kind.table() && s.source_name == source_name)
        else {
            return Ok(None);
        };
        let record = self.manifest.sources.remove(index);
        for file in &record.parquet_files {
            let path = self.staging.join(file);
            if path.exists() {
                fs::remove_file(&path).map_err(|e| Error::io(format!("cannot remove {}", path.display()), e))?;
            }
        }
        Ok(Some(record))
    }

    /// Add a loaded source to the version being built.
    pub fn add_source(&mut self, record: SourceRecord) {
        self.manifest.sources.push(record);
    }

    /// Record the linking pass that this version's `spend.contract_id` came from.
    pub fn set_link(&mut self, link: LinkRecord) {
        self.manifest.link = Some(link);
    }

    /// Record the classification pass run on the staged version.
    pub fn set_classify(&mut self, record: ClassifyRecord) {
        self.manifest.classify = Some(record);
    }

    /// Rename, in the manifest, every table file of every source (the files themselves
    /// are moved by the caller): for rewriting a dataset into a new layout.
    pub fn rename_parquet_files(&mut self, mut rename: impl FnMut(&SourceRecord, &str) -> String) {
        for record in &mut self.manifest.sources {
            let files = record.parquet_files.iter().map(|f| rename(record, f)).collect();
            record.parquet_files = files;
        }
    }

    /// Declare the staged version rewritten in this spendql's [`FORMAT`]; a transaction
    /// begun on an older dataset cannot commit without it.
    pub fn mark_upgraded(&mut self) {
        self.manifest.format = FORMAT;
    }

    /// Make the staged version the current one, atomically.
    pub fn commit(self) -> Result<()> {
        if self.manifest.format != FORMAT {
            // A bug, not bad input: committing would label old files with the new format.
            return Err(Error::dataset(format!(
                "refusing to commit {}: its files are still in format {}",
                self.root.display(),
                self.manifest.format
            )));
        }
        let manifest_path = self.staging.join(MANIFEST);
        let json = serde_json::to_string_pretty(&self.manifest).expect("manifest serialises");
        write_durably(&manifest_path, json.as_bytes())?;
        sync_tree(&self.staging)?;

        let version_name = self.staging.file_name().expect("version folder has a name").to_owned();
        let target = Path::new(VERSIONS).join(version_name);
        let tmp_link = self.root.join(format!("{CURRENT}.tmp"));
        let _ = fs::remove_file(&tmp_link);
        std::os::unix::fs::symlink(&target, &tmp_link)
            .map_err(|e| Error::io(format!("cannot create {}", tmp_link.display()), e))?;
        fs::rename(&tmp_link, self.root.join(CURRENT))
            .map_err(|e| Error::io(format!("cannot commit {}", self.root.display()), e))?;
        sync_dir(&self.root)?;

        // Stable names for other tools; they point through `current`, so they never change.
        for name in Table::ALL.iter().map(|t| t.name()).chain([REJECTS, MANIFEST]) {
            let link = self.root.join(name);
            if fs::symlink_metadata(&link).is_err() {
                let _ = std::os::unix::fs::symlink(Path::new(CURRENT).join(name), &link);
            }
        }
        Ok(())
    }
}

/// Write a file so that it is complete on disk before anything refers to it.
pub fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = File::create(path).map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
    file.write_all(bytes).map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    file.sync_all().map_err(|e| Error::io(format!("cannot sync {}", path.display()), e))
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io(format!("cannot sync {}", dir.display()), e))
}

fn sync_tree(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io(format!("cannot read {}", dir.display()), e))?.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            sync_tree(&entry.path())?;
        }
    }
    sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, file: &str) -> SourceRecord {
        SourceRecord {
            council: "Trafford".into(),
            kind: SourceKind::Spend,
            source_name: name.into(),
            sha256: "00".into(),
            rows_read: 1,
            rows_loaded: 1,
            rows_rejected: 0,
            amount_read: "1.00".into(),
            amount_loaded: "1.00".into(),
            amount_rejected: "0.00".into(),
            parquet_files: vec![file.into()],
            mapping: vec![],
            ingested_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn layout_folders_are_not_hive_partitions_nor_hidden() {
        assert_eq!(partition_folder(Table::Spend, "Trafford", Some("2024-25")), "spend/Trafford/2024-25");
        assert_eq!(partition_folder(Table::Contracts, "Salford", None), "contracts/Salford");
        for council in ["council=Trafford", "_Wigan", ".Bury", "St Helens", "St_Helens", "", "==="] {
            let folder = partition_folder(Table::Spend, council, None);
            let name = folder.strip_prefix("spend/").unwrap();
            assert!(!name.contains('=') && !name.contains('/'), "{council:?} -> {folder}");
            assert!(name.starts_with(|c: char| c.is_ascii_alphanumeric()), "{council:?} -> {folder}");
        }
        // Names that clean to the same text keep apart.
        assert_ne!(
            partition_folder(Table::Spend, "St Helens", None),
            partition_folder(Table::Spend, "St_Helens", None)
        );
        assert_eq!(path_component("_2024 spend.csv"), "2024_spend.csv");
    }

    /// A committed dataset whose manifest says `format` (or, with `None`, says nothing, as
    /// datasets before the format was recorded).
    fn dataset_in_format(dir: &Path, format: Option<u32>) {
        let version = dir.join(VERSIONS).join("v000001");
        fs::create_dir_all(&version).unwrap();
        let format = format.map_or(String::new(), |f| format!("\"format\": {f}, "));
        fs::write(version.join(MANIFEST), format!("{{{format}\"version\": 1, \"sources\": []}}")).unwrap();
        std::os::unix::fs::symlink("versions/v000001", dir.join(CURRENT)).unwrap();
    }

    #[test]
    fn issue_10_an_older_format_is_refused_with_the_command_to_run_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        dataset_in_format(dir.path(), None);
        let dataset = Dataset::new(dir.path());
        assert_eq!(dataset.stored_format().unwrap(), 1);
        for err in
            [dataset.snapshot().err().unwrap(), dataset.manifest().err().unwrap(), dataset.begin().err().unwrap()]
        {
            assert_eq!(err.kind, ErrorKind::Dataset);
            assert!(err.message.contains("format 1") && err.message.contains("upgrade"), "{}", err.message);
            assert!(err.hints.is_empty() && !err.message.contains('\n'), "one line: {err:?}");
        }
        assert!(!dir.path().join(LOCK).exists(), "a refused begin creates nothing");
        // An upgrade may open it, but cannot commit it unconverted.
        let tx = dataset.begin_upgrade().unwrap();
        assert_eq!(tx.base().format, 1);
        assert!(tx.commit().is_err());
        assert_eq!(fs::read_link(dir.path().join(CURRENT)).unwrap(), Path::new("versions/v000001"));
    }

    #[test]
    fn issue_10_a_newer_format_is_refused_even_by_an_upgrade() {
        let dir = tempfile::tempdir().unwrap();
        dataset_in_format(dir.path(), Some(FORMAT + 1));
        let dataset = Dataset::new(dir.path());
        for err in [dataset.snapshot().err().unwrap(), dataset.begin_upgrade().err().unwrap()] {
            assert!(err.message.contains("newer than this spendql"), "{}", err.message);
        }
    }

    #[test]
    fn new_datasets_are_written_in_the_current_format() {
        let dir = tempfile::tempdir().unwrap();
        let dataset = Dataset::new(dir.path());
        dataset.begin().unwrap().commit().unwrap();
        let text = fs::read_to_string(dir.path().join(CURRENT).join(MANIFEST)).unwrap();
        assert!(text.contains(&format!("\"format\": {FORMAT}")), "{text}");
        assert_eq!(dataset.snapshot().unwrap().manifest.format, FORMAT);
    }

    #[test]
    fn uncommitted_transaction_leaves_dataset_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let dataset = Dataset::new(dir.path());
        let mut tx = dataset.begin().unwrap();
        fs::create_dir_all(tx.dir().join("spend")).unwrap();
        fs::write(tx.dir().join("spend/a.parquet"), b"x").unwrap();
        tx.add_source(record("a.csv", "spend/a.parquet"));
        tx.commit().unwrap();
        assert_eq!(dataset.snapshot().unwrap().manifest.sources.len(), 1);

        let mut tx = dataset.begin().unwrap();
        tx.remove_source("Trafford", SourceKind::Spend, "a.csv").unwrap();
        drop(tx);
        let snap = dataset.snapshot().unwrap();
        assert_eq!(snap.manifest.sources.len(), 1);
        assert!(snap.dir.join("spend/a.parquet").exists());
    }

    #[test]
    fn second_writer_is_refused_while_first_holds_lock() {
        let dir = tempfile::tempdir().unwrap();
        let dataset = Dataset::new(dir.path());
        let _first = dataset.begin().unwrap();
        let err = dataset.begin().err().expect("second begin must fail");
        assert_eq!(err.kind, ErrorKind::Dataset);
        assert!(err.message.contains("locked"), "{}", err.message);
    }

    #[test]
    fn commit_carries_over_untouched_files_and_drops_removed_ones() {
        let dir = tempfile::tempdir().unwrap();
        let dataset = Dataset::new(dir.path());
        let mut tx = dataset.begin().unwrap();
        fs::create_dir_all(tx.dir().join("spend")).unwrap();
        fs::write(tx.dir().join("spend/a.parquet"), b"a").unwrap();
        fs::write(tx.dir().join("spend/b.parquet"), b"b").unwrap();
        tx.add_source(record("a.csv", "spend/a.parquet"));
        tx.add_source(record("b.csv", "spend/b.parquet"));
        tx.commit().unwrap();

        let mut tx = dataset.begin().unwrap();
        tx.remove_source("Trafford", SourceKind::Spend, "a.csv").unwrap();
        tx.commit().unwrap();
        let snap = dataset.snapshot().unwrap();
        assert_eq!(snap.manifest.version, 2);
        assert!(!snap.dir.join("spend/a.parquet").exists());
        assert_eq!(fs::read(snap.dir.join("spend/b.parquet")).unwrap(), b"b");
        assert!(dir.path().join("spend").join("b.parquet").exists(), "stable path follows current");
    }
}
