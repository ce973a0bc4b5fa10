//! Published council files → the harmonised Parquet dataset. Owns header detection,
//! encodings, amount and date parsing, rejects, reconciliation and the write of new
//! Parquet files into a catalog transaction. Never imports the language.

use std::io::Write;
use std::path::PathBuf;

use crate::catalog::{Dataset, SourceKind};
use crate::error::Result;

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
    pub unchanged: bool,
}

/// Ingest `files` into `dataset` as one all-or-nothing version, printing the chosen column
/// mapping and the reconciliation of each file to `out`.
pub fn ingest_files(
    dataset: &Dataset,
    files: &[PathBuf],
    options: &IngestOptions,
    out: &mut dyn Write,
) -> Result<Vec<FileReport>> {
    let _ = (dataset, files, options, out);
    Err(crate::error::Error::usage("ingest is not written yet"))
}
