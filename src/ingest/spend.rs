//! Spend and card files → the `spend` table: the row parser. Each record's amount, date,
//! VAT, card flag and text columns are read into typed values and batched by financial
//! year, or the record goes to the rejects with the reason. The steps both kinds of file
//! share (header search, shape checks, missing markers, `extras`) are in `cells`; what
//! happens to the parsed files (placing, the manifest, the commit) is the transaction's.
//!
//! A file is read twice: a first pass decides the day/month order of numeric dates from
//! every date in the file (it stops at once when the dates are not numeric), then the parse.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use csv::ByteRecord;
use datafusion::arrow::record_batch::RecordBatch;

use crate::catalog::SourceKind;
use crate::error::{Error, Result};
use crate::suppliers;

use super::cells::{self, HeaderSearch, is_missing, is_nil, is_placeholder, says_no_value};
use super::contracts;
use super::headers::{Mapping, Target};
use super::loaded::{CellCounts, Context, Counts, Loaded, MappingSummary, Reading};
use super::read::{Encoding, Records, Source};
use super::rejects;
use super::values::{self, DateOrder, DateShape, OrderEvidence};
use super::write::{Batcher, PartitionFile, PartitionWriter, Row, TEXT_COLUMNS, text};

/// Files bigger than this get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 << 20;

/// Find the header row among the first records: the first one naming both an amount and a
/// payment date column.
fn find_header(
    records: &mut dyn Records,
    source: &Source,
    overrides: &HashMap<Target, String>,
) -> Result<(Mapping, u64)> {
    let (names, line, mapping) = match cells::find_header(records, source, overrides, Mapping::is_loadable)? {
        HeaderSearch::Found(mapping, line) => return Ok((mapping, line)),
        HeaderSearch::NotFound { names, line, mapping } => (names, line, mapping),
    };
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
fn probe_date_order(
    source: &Source,
    overrides: &HashMap<Target, String>,
) -> Result<(Option<DateShape>, OrderEvidence)> {
    let progress = Arc::new(AtomicU64::new(0));
    source.records(&progress, |records, _| {
        let (mapping, _) = find_header(records, source, overrides)?;
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
}

/// Parse one spend or card file into scratch Parquet files (one per financial year) and
/// rejects; nothing is placed yet. `overrides` are the profile's `[COUNCIL.columns]`.
pub fn load_source(
    source: &Source,
    context: &Context,
    overrides: &HashMap<Target, String>,
    scratch: &Path,
    index: usize,
) -> Result<Loaded> {
    let (probed_shape, evidence) = probe_date_order(source, overrides)?;
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
    let (parsed, sha256) = source.records_hashed(&progress, |records, encoding| {
        let (mapping, header_line) = find_header(records, source, overrides)?;
        let parse = Parser::new(source, context, &mapping, encoding, date_order, &rejects_path)?;
        let delimiter = records.delimiter();
        let outcome = parse.run(records, scratch, &prefix, &progress, bar.as_ref())?;
        Ok((mapping, header_line, encoding, outcome, delimiter))
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (mapping, header_line, encoding, outcome, delimiter) = parsed;
    if outcome.rows_read == 0 {
        return Err(Error::input(
            &source.path,
            Some(header_line),
            format!("{} has a header but no data rows", source.name),
        ));
    }
    let counts = Counts {
        rows_read: outcome.rows_read,
        rows_loaded: outcome.parts.iter().map(|p| p.rows).sum(),
        rows_rejected: outcome.rows_rejected,
        amount_read: outcome.amount_read,
        amount_loaded: outcome.parts.iter().map(|p| p.amount).sum(),
        amount_rejected: outcome.amount_rejected,
    };
    let mut notes = Vec::new();
    if let Some(separator) = delimiter.filter(|&d| d != b',') {
        let name = match separator {
            b'\t' => "tabs".to_string(),
            other => format!("'{}'", other as char),
        };
        notes.push(format!("fields separated by {name} (found from the header and first rows)"));
    }
    notes.extend(outcome.cells.lines());
    if outcome.unreadable_amounts > 0 {
        notes.push(format!(
            "{} row(s) had no readable amount: they count £0.00 in both read and rejected",
            outcome.unreadable_amounts
        ));
    }
    Ok(Loaded {
        counts,
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
    /// Optional cells read as no value or £0.00 instead of rejecting their rows.
    cells: CellCounts<Target>,
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
    /// The VAT column's header as an `extras` key, for keeping a cell it cannot read.
    vat_extras_key: Option<String>,
    card_flag: Option<usize>,
    texts: [Option<usize>; TEXT_COLUMNS],
    /// Each text column's field and, for an identifier, its `extras` key (for keeping a
    /// value that is not a number of its kind).
    text_fields: [Option<(Target, Option<String>)>; TEXT_COLUMNS],
    /// Unmapped columns, each with its JSON key already escaped (`"Header":`).
    extras: Vec<(usize, String)>,
    rejects: rejects::RejectWriter,
    suppliers: HashMap<String, (String, bool)>,
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
        let mut text_fields: [Option<(Target, Option<String>)>; TEXT_COLUMNS] = Default::default();
        for (target, slot) in TEXT_FIELDS {
            texts[slot] = mapping.column(target);
            let key =
                mapping.column(target).filter(|_| identifier(target).is_some()).and_then(|c| extras_key(mapping, c));
            text_fields[slot] = Some((target, key));
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
            vat_extras_key: mapping.column(Target::IrrecoverableVat).and_then(|c| extras_key(mapping, c)),
            card_flag: mapping.column(Target::CardFlag),
            texts,
            text_fields,
            extras: cells::escaped_extras(&mapping.extras),
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
            cells: CellCounts::default(),
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
                let texts = self.texts(&record, &mut outcome.cells, &mut scratch.extras);
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
        if let Some(why) = cells::shape_problem(record, self.header_len) {
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
        // Irrecoverable VAT is optional: a payment exists without it, so a cell that cannot be
        // read never rejects the row. `Nil` is £0.00; a placeholder (`Not yet available`,
        // `TBC`) is no value; anything else unreadable is no value, its text kept in `extras`.
        let mut vat_unread: Option<&[u8]> = None;
        let vat = match self.vat.and_then(|c| record.get(c)) {
            None => None,
            Some(raw) => match values::parse_amount(raw) {
                Ok(pence) => Some(pence),
                Err(_) => {
                    let text = self.encoding.decode(raw);
                    let text = text.trim();
                    if is_nil(text) {
                        outcome.cells.count(Target::IrrecoverableVat, Reading::Zero, text);
                        Some(0)
                    } else if says_no_value(text) {
                        outcome.cells.count(Target::IrrecoverableVat, Reading::NoValue, text);
                        None
                    } else {
                        outcome.cells.count(Target::IrrecoverableVat, Reading::Unreadable, text);
                        vat_unread = Some(raw);
                        None
                    }
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
        cells::extras_json(record, self.encoding, &self.extras, &mut scratch.extras);
        if let (Some(raw), Some(key)) = (vat_unread, &self.vat_extras_key) {
            cells::push_extra(&mut scratch.extras, key, self.encoding.decode(raw).trim());
        }
        let year = values::financial_year(date);
        Ok(Some((year, RowValues { date, amount, vat, is_card, redacted, supplier_key })))
    }

    /// The text columns of a kept row. Every one but the supplier name is optional: a
    /// placeholder is no value (counted for the report), and an identifier that is not a
    /// number of its kind is no value with its text added to the row's `extras`. The
    /// supplier name keeps its own rules (its key and redaction are decided from it).
    fn texts<'r>(
        &self,
        record: &'r ByteRecord,
        cells: &mut CellCounts<Target>,
        extras: &mut String,
    ) -> [Option<Cow<'r, str>>; TEXT_COLUMNS] {
        let mut out: [Option<Cow<'r, str>>; TEXT_COLUMNS] = Default::default();
        for (slot, value) in out.iter_mut().enumerate() {
            let Some(raw) = self.texts[slot].and_then(|column| record.get(column)) else { continue };
            let text = cells::trimmed(raw, self.encoding);
            let Some((target, key)) = &self.text_fields[slot] else { continue };
            if *target == Target::SupplierName {
                *value = (!is_missing(&text)).then_some(text);
                continue;
            }
            *value = optional_text(*target, text, cells, |unread| {
                if let Some(key) = key {
                    cells::push_extra(extras, key, unread);
                }
            });
        }
        out
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
        let (computed, redacted) = (suppliers::supplier_key(name), suppliers::is_redacted(name));
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
}

/// The text fields of a spend row and the slots they fill.
const TEXT_FIELDS: [(Target, usize); 11] = [
    (Target::TransactionId, text::TRANSACTION_ID),
    (Target::SupplierName, text::SUPPLIER_NAME),
    (Target::SupplierId, text::SUPPLIER_ID),
    (Target::CompanyNumber, text::COMPANY_NUMBER),
    (Target::CharityNumber, text::CHARITY_NUMBER),
    (Target::VatNumber, text::VAT_NUMBER),
    (Target::Department, text::DEPARTMENT),
    (Target::ExpenseType, text::EXPENSE_TYPE),
    (Target::Category, text::PUBLISHED_CATEGORY),
    (Target::CategoryCode, text::PUBLISHED_CATEGORY_CODE),
    (Target::Purpose, text::PURPOSE),
];

/// How an identifier field's values are read: its registered form, or `None` when the text
/// is not a number of its kind.
fn identifier(target: Target) -> Option<fn(&str) -> Option<String>> {
    match target {
        Target::CompanyNumber => Some(values::company_number),
        Target::CharityNumber => Some(values::charity_number),
        Target::VatNumber => Some(values::vat_number),
        _ => None,
    }
}

/// One optional text cell of `target` (trimmed): a placeholder is no value, counted; an
/// identifier in its registered form; an identifier that is not one is no value, counted,
/// its text handed to `keep` for `extras`. Other text is kept as published.
fn optional_text<'r>(
    target: Target,
    text: Cow<'r, str>,
    cells: &mut CellCounts<Target>,
    keep: impl FnOnce(&str),
) -> Option<Cow<'r, str>> {
    let Some(read) = identifier(target) else {
        if says_no_value(&text) {
            cells.count(target, Reading::NoValue, &text);
            return None;
        }
        return Some(text);
    };
    // In an identifier column no word is a value: `Various` and all-zero `0000` are none.
    if is_placeholder(&text) || values::is_zero_identifier(&text) {
        cells.count(target, Reading::NoValue, &text);
        return None;
    }
    match read(&text) {
        Some(number) => Some(Cow::Owned(number)),
        None => {
            cells.count(target, Reading::Unreadable, &text);
            keep(&text);
            None
        }
    }
}

/// The `extras` key (`"Header":`) of a mapped column, for keeping a cell it cannot read.
fn extras_key(mapping: &Mapping, column: usize) -> Option<String> {
    let header = mapping.headers.get(column)?;
    cells::escaped_extras(&[(column, header.clone())]).pop().map(|(_, key)| key)
}

/// Whether a card-flag cell marks a card transaction (Trafford: `GPC`).
fn is_card_marker(raw: &[u8]) -> bool {
    let upper = raw.to_ascii_uppercase();
    matches!(
        upper.as_slice(),
        b"GPC" | b"PCARD" | b"P-CARD" | b"PURCHASE CARD" | b"PROCUREMENT CARD" | b"CARD" | b"Y" | b"YES" | b"TRUE"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_10_optional_text_reads_placeholders_as_none_and_keeps_unreadable_identifiers() {
        let mut cells = CellCounts::default();
        let mut kept = Vec::new();
        let mut read = |target, text: &str| {
            optional_text(target, Cow::Owned(text.to_string()), &mut cells, |t| kept.push(t.to_string()))
                .map(Cow::into_owned)
        };
        assert_eq!(read(Target::CompanyNumber, "2535986").as_deref(), Some("02535986"));
        assert_eq!(read(Target::CompanyNumber, "Not yet available"), None);
        assert_eq!(read(Target::CompanyNumber, "Various"), None, "no word is a company number");
        assert_eq!(read(Target::CompanyNumber, "00000000"), None);
        assert_eq!(read(Target::CompanyNumber, "ABC/123"), None);
        assert_eq!(read(Target::CharityNumber, "1089464-01").as_deref(), Some("1089464-1"));
        assert_eq!(read(Target::VatNumber, "GB812311285").as_deref(), Some("812311285"));
        assert_eq!(read(Target::Department, "N/A"), None);
        assert_eq!(read(Target::Department, "Various").as_deref(), Some("Various"), "a department may be");
        assert_eq!(read(Target::Purpose, "Nil return").as_deref(), Some("Nil return"));
        assert_eq!(kept, ["ABC/123"], "only the unreadable identifier goes to extras");
        assert_eq!(
            cells.lines(),
            [
                // Equally frequent spellings in text order.
                "company number: 1 cell '00000000' read as none",
                "company number: 1 cell 'Not yet available' read as none",
                "company number: 1 cell 'Various' read as none",
                "company number: 1 cell unreadable (first 'ABC/123') read as none, kept in extras",
                "department: 1 cell 'N/A' read as none",
            ]
        );
    }

    #[test]
    fn card_markers() {
        assert!(is_card_marker(b"GPC"));
        assert!(is_card_marker(b"gpc"));
        assert!(!is_card_marker(b"BACS"));
        assert!(!is_card_marker(b""));
    }
}
