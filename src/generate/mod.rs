//! Deterministic synthetic published files for Stockport, Trafford and Rochdale, each in the
//! council's own layout, for the demo, tests and benchmarks: the raw files a council puts on its
//! website (CSV, zipped CSV, XLSX), not Parquet, so that they exercise ingest end to end.
//!
//! The same seed and row count always give byte-identical files. Rows are drawn and written one
//! at a time in date order; only the supplier population (at most 20,000), the contracts and the
//! calendar are held in memory, so `--rows 100000000` runs in the same memory as `--rows 1000`
//! (measured on a debug build: 30 MB peak resident at both 1,000,000 and 3,000,000 rows).
//! Every file is written under a temporary name and renamed into place when complete.
//!
//! The layout of each file is described in `datasets/sample/README.md`.

mod files;
mod layouts;
mod metrics;
mod vocab;
mod world;

use std::path::PathBuf;

use crate::error::{Error, Result};

pub use files::GeneratedFile;
pub use layouts::{
    CONTRACTS_HEADER, ROCHDALE_CARD_HEADER, ROCHDALE_SPEND_HEADER, STOCKPORT_CARD_HEADER, STOCKPORT_SPEND_HEADER,
    TRAFFORD_CARD_HEADER, TRAFFORD_SPEND_HEADER, XLSX_ROWS_PER_FILE,
};
pub use metrics::SERVICE_FOLDER;

/// What `spendql generate` writes, and where.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// The folder the files are written under.
    pub out: PathBuf,
    /// Spend rows across all three councils. Card rows (about 4% of these) and contracts come on top.
    pub rows: u64,
    /// Seed of the random generator: the same seed writes the same files.
    pub seed: u64,
}

/// Writes the three councils' spend, card, contracts and metrics files under `options.out`,
/// one folder per council (`stockport/`, `trafford/`, `rochdale/`), and the shared service's
/// website and social media exports in `service/`; returns the files in the order written.
pub fn generate(options: &GenerateOptions) -> Result<Vec<GeneratedFile>> {
    let world = world::World::build(options.seed, options.rows)?;
    let mut written = Vec::new();
    for council in [world::STOCKPORT, world::TRAFFORD, world::ROCHDALE] {
        let dir = options.out.join(world::COUNCIL_NAMES[council].to_lowercase());
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        written.extend(layouts::write_spend(&world, council, &dir)?);
        written.extend(layouts::write_cards(&world, council, &dir)?);
        written.push(layouts::write_contracts(&world, council, &dir)?);
    }
    // From a stream of their own, so every file above stays as it was before metrics.
    written.extend(metrics::write_metrics(options.seed, &options.out)?);
    Ok(written)
}
