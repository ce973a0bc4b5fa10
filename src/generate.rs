//! Deterministic synthetic published files for Stockport, Trafford and Rochdale, each in the
//! council's own layout, for the demo, tests and benchmarks. Streams rows, so very large
//! outputs run in bounded memory.

use std::path::PathBuf;

use crate::error::Result;

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub out: PathBuf,
    /// Spend rows across all three councils.
    pub rows: u64,
    pub seed: u64,
}

/// One file written.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    pub council: String,
    pub kind: crate::catalog::SourceKind,
    pub path: PathBuf,
    pub rows: u64,
}

pub fn generate(options: &GenerateOptions) -> Result<Vec<GeneratedFile>> {
    let _ = options;
    Err(crate::error::Error::usage("generate is not written yet"))
}
