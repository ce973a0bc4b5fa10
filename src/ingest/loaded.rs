//! The interface between the ingest transaction and the two parsers (`spend`, `contracts`):
//! the run's settings each parser reads ([`Context`]) and what parsing one source hands back
//! ([`Loaded`]: scratch Parquet files, rejects, the mapping chosen and the reconciliation),
//! whichever the source's format. Neither side imports the other through it.

use std::path::PathBuf;

use crate::catalog::SourceKind;

use super::headers::{Field, Mapping};
use super::read::{ContentHash, Encoding};
use super::values::{DateOrder, DateShape};
use super::write::PartitionFile;

/// What every source of one run shares.
pub struct Context {
    /// The council's display name.
    pub council: String,
    pub council_code: Option<String>,
    pub kind: SourceKind,
    /// The profile's `date_order`, which overrides what a file's dates suggest.
    pub date_order: Option<DateOrder>,
    /// Show a progress bar for big files.
    pub progress: bool,
}

/// The reconciliation of one source, in rows and pence: read = loaded + rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub rows_read: u64,
    pub rows_loaded: u64,
    pub rows_rejected: u64,
    pub amount_read: i128,
    pub amount_loaded: i128,
    pub amount_rejected: i128,
}

/// One source parsed into scratch files, not yet placed.
pub struct Loaded {
    pub counts: Counts,
    pub sha256: ContentHash,
    pub mapping: MappingSummary,
    pub parts: Vec<PartitionFile>,
    pub rejects_path: PathBuf,
    pub encoding: Encoding,
    pub header_line: u64,
    pub date_shape: Option<DateShape>,
    pub date_order: DateOrder,
    /// Further lines for the report, e.g. rows whose money could not be read.
    pub notes: Vec<String>,
}

/// A column mapping as reported and kept in the manifest, whichever fields it maps.
pub struct MappingSummary {
    /// (harmonised field, source header), in schema order.
    pub pairs: Vec<(String, String)>,
    /// (field, header) mapped through a misspelling.
    pub fuzzy: Vec<(String, String)>,
    /// Headers kept in `extras`.
    pub extras: Vec<String>,
}

impl MappingSummary {
    pub fn of<F: Field>(mapping: &Mapping<F>) -> Self {
        MappingSummary {
            pairs: mapping.pairs(),
            fuzzy: mapping.fuzzy.iter().map(|(f, h)| (f.field_name().to_string(), h.clone())).collect(),
            extras: mapping.extras.iter().map(|(_, h)| h.clone()).collect(),
        }
    }
}

impl Loaded {
    /// The report's lines about how `source_name` was read: encoding, header, dates, the
    /// mapping and any notes.
    pub fn describe(&self, source_name: &str) -> String {
        let m = &self.mapping;
        let mut text = format!("{source_name}: {}, header on line {}", self.encoding.name(), self.header_line);
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
