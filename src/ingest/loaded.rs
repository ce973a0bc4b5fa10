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
    /// Data rows read from the source.
    pub rows_read: u64,
    /// Rows loaded into the table.
    pub rows_loaded: u64,
    /// Rows rejected (written to the rejects file).
    pub rows_rejected: u64,
    /// The reconciled money read (spend: amounts; contracts: total values), in pence.
    pub amount_read: i128,
    /// The reconciled money of the loaded rows, in pence.
    pub amount_loaded: i128,
    /// The reconciled money of the rejected rows, in pence.
    pub amount_rejected: i128,
}

impl Counts {
    /// Whether rows and money read equal those loaded plus those rejected.
    pub fn reconciles(&self) -> bool {
        self.rows_read == self.rows_loaded + self.rows_rejected
            && self.amount_read == self.amount_loaded + self.amount_rejected
    }
}

/// How a cell of an optional field that held no usable value was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reading {
    /// `Nil` in a money column: £0.00.
    Zero,
    /// A placeholder (`cells::says_no_value`): no value.
    NoValue,
    /// Text that is not a value of the field (a malformed company number): no value, the
    /// text kept in `extras`.
    Unreadable,
}

/// One line of [`CellCounts`]: a field, how its cells were read, how many, and the text
/// (for placeholders, the spelling first seen; for unreadable cells, the first one).
#[derive(Debug, Clone, PartialEq, Eq)]
struct CellCount<F> {
    field: F,
    reading: Reading,
    text: String,
    cells: u64,
}

/// Per field, the cells of optional fields that were read as no value or as £0.00 rather
/// than rejecting their rows: the one counter behind every such line of a file's report
/// (`company number: 12 cells 'Not yet available' read as none`). Placeholders are counted
/// per spelling (case aside); unreadable cells per field, with the first as an example.
/// Empty cells are not counted: they say nothing.
#[derive(Debug, Clone)]
pub struct CellCounts<F: Field> {
    counts: Vec<CellCount<F>>,
}

impl<F: Field> Default for CellCounts<F> {
    fn default() -> Self {
        CellCounts { counts: Vec::new() }
    }
}

impl<F: Field> CellCounts<F> {
    /// Count one cell of `field` (its trimmed text) read as `reading`.
    pub fn count(&mut self, field: F, reading: Reading, text: &str) {
        if text.is_empty() {
            return;
        }
        // A handful of lines per file, so a scan beats hashing a key per cell.
        let same = |c: &CellCount<F>| {
            c.field == field
                && c.reading == reading
                && (reading == Reading::Unreadable || c.text.eq_ignore_ascii_case(text))
        };
        match self.counts.iter_mut().find(|c| same(c)) {
            Some(count) => count.cells += 1,
            None => self.counts.push(CellCount { field, reading, text: text.to_string(), cells: 1 }),
        }
    }

    /// How many cells of `field` were read as `reading`, over every spelling.
    #[cfg(test)]
    pub fn cells(&self, field: F, reading: Reading) -> u64 {
        self.counts.iter().filter(|c| c.field == field && c.reading == reading).map(|c| c.cells).sum()
    }

    /// The report's lines, in schema order of the fields, most frequent spelling first.
    pub fn lines(&self) -> Vec<String> {
        let mut counts: Vec<&CellCount<F>> = self.counts.iter().collect();
        counts.sort_by(|a, b| (a.field, a.reading, b.cells, &a.text).cmp(&(b.field, b.reading, a.cells, &b.text)));
        counts
            .into_iter()
            .map(|c| {
                let field = field_label(c.field.field_name());
                let cells = if c.cells == 1 { "1 cell".to_string() } else { format!("{} cells", c.cells) };
                match c.reading {
                    Reading::Zero => format!("{field}: {cells} '{}' read as £0.00", c.text),
                    Reading::NoValue => format!("{field}: {cells} '{}' read as none", c.text),
                    Reading::Unreadable => {
                        format!("{field}: {cells} unreadable (first '{}') read as none, kept in extras", c.text)
                    }
                }
            })
            .collect()
    }
}

/// A harmonised column name as the report words it: `company_number` → `company number`,
/// with `VAT` in capitals.
fn field_label(name: &str) -> String {
    name.split('_').map(|w| if w == "vat" { "VAT" } else { w }).collect::<Vec<_>>().join(" ")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::headers::Target;

    #[test]
    fn issue_10_cells_are_counted_per_field_and_spelling_and_reported_in_schema_order() {
        let mut counts = CellCounts::default();
        for _ in 0..12 {
            counts.count(Target::CompanyNumber, Reading::NoValue, "Not yet available");
        }
        counts.count(Target::CompanyNumber, Reading::NoValue, "NOT YET AVAILABLE");
        counts.count(Target::CompanyNumber, Reading::NoValue, "N/A");
        counts.count(Target::CompanyNumber, Reading::NoValue, "");
        counts.count(Target::CompanyNumber, Reading::Unreadable, "ABC/123");
        counts.count(Target::CompanyNumber, Reading::Unreadable, "Ltd 9");
        counts.count(Target::IrrecoverableVat, Reading::Zero, "Nil");
        counts.count(Target::IrrecoverableVat, Reading::Zero, "NIL");
        assert_eq!(counts.cells(Target::CompanyNumber, Reading::NoValue), 14);
        assert_eq!(counts.cells(Target::CompanyNumber, Reading::Unreadable), 2);
        assert_eq!(
            counts.lines(),
            [
                "irrecoverable VAT: 2 cells 'Nil' read as £0.00",
                "company number: 13 cells 'Not yet available' read as none",
                "company number: 1 cell 'N/A' read as none",
                "company number: 2 cells unreadable (first 'ABC/123') read as none, kept in extras",
            ]
        );
    }
}
