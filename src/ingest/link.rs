//! Spend ↔ contracts: gives every contract its `contract_id` and materialises
//! `spend.contract_id`, the contract covering each payment.
//!
//! Ids (`contracts::contract_ids`, schema `contracts::CONTRACT_ID`) are assigned over every
//! register of the dataset at once, councils and their registers in name order and rows in
//! file order, so they are unique in the dataset whatever was ingested when; a register file
//! is rewritten only when its ids change.
//!
//! The rule (README, "On- and off-contract spend"): a payment is on-contract when a contract
//! of the same council, or a collaborative contract covering that council, is with the same
//! supplier and the payment date lies within `[start_date, expiry_date]`. "Same supplier" is
//! [`crate::suppliers::same_supplier`]: company numbers decide when both sides have one,
//! otherwise the supplier keys after the dataset's aliases. Redacted payments are never
//! linked: they are neither on nor off contract.
//!
//! The link is computed here, once per change, rather than joined at query time, so that
//! `spend off-contract by ...` is a plain filter on one column. It runs inside the ingest
//! transaction that changed spend, contracts or the aliases, and rewrites only the spend
//! files whose links may have changed: a rewritten file replaces its staged hard link, so
//! the committed version it came from is never touched.

use std::collections::HashMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, RecordBatch, StringArray, StringBuilder};
use datafusion::arrow::datatypes::{Date32Type, Decimal128Type};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use sha2::{Digest, Sha256};

use crate::catalog::reader::date_at;
use crate::catalog::{LinkRecord, Manifest, SourceKind, TableBatch, TableReader, Transaction};
use crate::error::{Error, Result};
use crate::schema::{Table, contracts as c, spend as s};
use crate::suppliers::{ALIASES_FILE, Aliases, normalise_company_number};

use super::contracts::{IdParts, contract_ids};
use super::write::writer_properties;

/// Which spend files a linking pass must rewrite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Contracts or aliases changed: every spend file.
    All,
    /// Only these spend files are new (relative to the version folder).
    Files(Vec<String>),
    /// Nothing that linking depends on changed.
    Nothing,
}

/// The scope implied by the change from `base` to `staged`, given the aliases file's hash.
pub fn scope_of_change(base: &Manifest, staged: &Manifest, aliases_sha256: &str) -> Scope {
    let contracts = |m: &Manifest| {
        let mut v: Vec<(String, String, String)> = m
            .sources
            .iter()
            .filter(|r| r.kind == SourceKind::Contracts)
            .map(|r| (r.council.clone(), r.source_name.clone(), r.sha256.clone()))
            .collect();
        v.sort();
        v
    };
    let linked_aliases = base.link.as_ref().map_or("", |l| l.aliases_sha256.as_str());
    if contracts(base) != contracts(staged) || linked_aliases != aliases_sha256 {
        return Scope::All;
    }
    if !staged.has_table(Table::Contracts) && aliases_sha256.is_empty() {
        // Fresh spend files are written unlinked and keyed without aliases, so with neither a
        // register nor aliases there is nothing to do.
        return Scope::Nothing;
    }
    let old: std::collections::HashSet<&str> = base
        .sources
        .iter()
        .filter(|r| r.kind.table() == Table::Spend)
        .flat_map(|r| r.parquet_files.iter().map(String::as_str))
        .collect();
    let new: Vec<String> = staged
        .sources
        .iter()
        .filter(|r| r.kind.table() == Table::Spend)
        .flat_map(|r| r.parquet_files.iter())
        .filter(|f| !old.contains(f.as_str()))
        .cloned()
        .collect();
    if new.is_empty() { Scope::Nothing } else { Scope::Files(new) }
}

/// SHA-256 of the dataset's `suppliers.toml`, or empty when there is none.
pub fn aliases_sha256(dataset_root: &Path) -> Result<String> {
    let path = dataset_root.join(ALIASES_FILE);
    match fs::read(&path) {
        Ok(bytes) => Ok(format!("{:x}", Sha256::digest(&bytes))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(Error::io(format!("cannot read {}", path.display()), e)),
    }
}

/// Summary of one linking pass, for the ingest report.
#[derive(Debug, Clone, Default)]
pub struct LinkReport {
    /// Spend files rewritten with new contract links.
    pub files_rewritten: usize,
    /// Spend rows linked to a contract.
    pub rows_linked: u64,
    /// Spend rows examined.
    pub spend_rows: u64,
}

/// Recompute `contract_id` for the spend files in `scope` of the staged version (with
/// [`Scope::All`], every contract's id first), and record the pass in its manifest.
pub fn relink(tx: &mut Transaction, dataset_root: &Path, scope: &Scope) -> Result<LinkReport> {
    let aliases = Aliases::load(dataset_root)?;
    let aliases_sha256 = aliases_sha256(dataset_root)?;
    // The stored supplier keys (aliases and identifiers applied) are `ingest::identity`'s,
    // computed before this pass; linking only reads them.
    if *scope == Scope::All {
        // Registers changed (or the aliases did): name every contract again, and rewrite the
        // register files whose ids are not what they should be.
        for (path, ids, ids_changed) in assign_contract_ids(tx.dir(), tx.manifest())? {
            if !ids_changed {
                continue;
            }
            let mut offset = 0;
            rewrite_file(&path, |batch, path| {
                let rows = batch.num_rows();
                let slice = ids.get(offset..offset + rows).ok_or_else(|| damaged(path, c::CONTRACT_ID))?;
                offset += rows;
                with_column(batch, c::CONTRACT_ID, Arc::new(StringArray::from_iter_values(slice)), path)
            })?;
        }
    }
    let register = Register::load(tx.dir(), tx.manifest(), &aliases)?;
    let spend_files: Vec<String> = tx
        .manifest()
        .sources
        .iter()
        .filter(|r| r.kind.table() == Table::Spend)
        .flat_map(|r| r.parquet_files.iter().cloned())
        .collect();
    let targets: Vec<&String> = match scope {
        Scope::Nothing => Vec::new(),
        Scope::All => spend_files.iter().collect(),
        Scope::Files(files) => spend_files.iter().filter(|f| files.contains(f)).collect(),
    };
    let mut report = LinkReport::default();
    // Totals over the whole table, so the manifest describes the version, not the pass:
    // rewritten files count as they are written, the others are read for two columns.
    let mut totals = (0u64, 0u64, 0i128);
    for relative in &spend_files {
        let path = tx.dir().join(relative);
        let (rows, linked, amount) = if targets.contains(&relative) {
            let counts = relink_file(&path, &register, &aliases)?;
            report.files_rewritten += 1;
            report.spend_rows += counts.0;
            report.rows_linked += counts.1;
            counts
        } else {
            count_links(&path)?
        };
        totals.0 += rows;
        totals.1 += linked;
        totals.2 += amount;
    }
    tx.set_link(LinkRecord {
        aliases_sha256,
        contracts: register.contracts as u64,
        spend_rows: totals.0,
        rows_linked: totals.1,
        amount_linked: super::values::format_pence(totals.2),
    });
    Ok(report)
}

/// Every register file of the version, in the order ids are assigned (council, source
/// name, file), with the ids its rows should have and whether they differ from the stored
/// ones.
fn assign_contract_ids(version_dir: &Path, manifest: &Manifest) -> Result<Vec<(PathBuf, Vec<String>, bool)>> {
    let mut sources: Vec<_> = manifest.sources.iter().filter(|r| r.kind == SourceKind::Contracts).collect();
    sources.sort_by(|a, b| (&a.council, &a.source_name).cmp(&(&b.council, &b.source_name)));
    let files: Vec<PathBuf> =
        sources.iter().flat_map(|r| r.parquet_files.iter().map(|f| version_dir.join(f))).collect();
    // (council, reference, title, line) of every contract, and the ids stored now, by file.
    let mut contracts: Vec<(String, Option<String>, Option<String>, i64)> = Vec::new();
    let mut stored: Vec<Option<String>> = Vec::new();
    let mut lengths: Vec<usize> = Vec::new();
    for path in &files {
        let before = contracts.len();
        let columns = [c::COUNCIL, c::REFERENCE, c::TITLE, c::SOURCE_ROW, c::CONTRACT_ID];
        for batch in TableReader::of_files(Table::Contracts, vec![path.clone()]).batches(Some(&columns)) {
            let batch = batch?;
            let council = batch.required_text(c::COUNCIL)?;
            let reference = batch.required_text(c::REFERENCE)?;
            let title = batch.required_text(c::TITLE)?;
            let line = batch.row_numbers(c::SOURCE_ROW)?;
            let id = batch.text(c::CONTRACT_ID)?;
            for i in 0..batch.num_rows() {
                let council = council.raw(i).unwrap_or_default().to_string();
                let text = |t: &crate::catalog::reader::Text<'_>| t.raw(i).map(str::to_string);
                contracts.push((council, text(&reference), text(&title), line.value(i)));
                stored.push(id.raw(i).map(str::to_string));
            }
        }
        lengths.push(contracts.len() - before);
    }
    let ids = contract_ids(contracts.iter().map(|(council, reference, title, line)| IdParts {
        council,
        reference: reference.as_deref(),
        title: title.as_deref(),
        line: *line,
    }));
    let mut out = Vec::with_capacity(files.len());
    let mut start = 0;
    for (path, length) in files.into_iter().zip(lengths) {
        let ids = ids[start..start + length].to_vec();
        let changed = ids.iter().zip(&stored[start..start + length]).any(|(new, old)| old.as_deref() != Some(new));
        start += length;
        out.push((path, ids, changed));
    }
    Ok(out)
}

/// The batch with one of its columns replaced.
pub(super) fn with_column(batch: RecordBatch, name: &str, values: ArrayRef, path: &Path) -> Result<RecordBatch> {
    let index = batch.schema().index_of(name).map_err(|_| damaged(path, name))?;
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    columns[index] = values;
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}

/// One contract's cover: which dates it spans, and which contract it is.
#[derive(Debug, Clone)]
struct Cover {
    start: i32,
    expiry: i32,
    company_number: Option<String>,
    contract_id: String,
}

/// The contracts register indexed for lookups by council (every council a contract covers)
/// and supplier.
#[derive(Debug, Default)]
struct Register {
    by_key: HashMap<String, HashMap<String, Vec<Cover>>>,
    by_company: HashMap<String, HashMap<String, Vec<Cover>>>,
    contracts: usize,
}

impl Register {
    fn load(version_dir: &Path, manifest: &Manifest, aliases: &Aliases) -> Result<Register> {
        let mut register = Register::default();
        let files: Vec<PathBuf> = manifest
            .sources
            .iter()
            .filter(|r| r.kind == SourceKind::Contracts)
            .flat_map(|r| r.parquet_files.iter().map(|f| version_dir.join(f)))
            .collect();
        for batch in TableReader::of_files(Table::Contracts, files).batches(None) {
            register.add(&batch?, aliases)?;
        }
        Ok(register)
    }

    fn add(&mut self, batch: &TableBatch, aliases: &Aliases) -> Result<()> {
        let council = batch.required_text(c::COUNCIL)?;
        let contract_id = batch.required_text(c::CONTRACT_ID)?;
        let key = batch.required_text(c::SUPPLIER_KEY)?;
        let company = batch.required_text(c::COMPANY_NUMBER)?;
        let collaborative = batch.required_text(c::COLLABORATIVE)?;
        let start = batch.required_date(c::START_DATE)?;
        let end = batch.required_date(c::END_DATE)?;
        let expiry = batch.required_date(c::EXPIRY_DATE)?;
        for i in 0..batch.num_rows() {
            self.contracts += 1;
            // A contract without both ends cannot show that a payment fell inside it.
            let Some(start) = date_at(Some(start), i) else { continue };
            let Some(expiry) = date_at(Some(expiry), i).or_else(|| date_at(Some(end), i)) else { continue };
            let company_number = company.raw(i).and_then(normalise_company_number);
            let supplier = key.raw(i).map(|k| aliases.canonical(k).to_string());
            if supplier.as_deref().is_none_or(str::is_empty) && company_number.is_none() {
                continue;
            }
            // Ids are assigned before the register is loaded; a row without one cannot be named.
            let Some(contract_id) = contract_id.raw(i).map(str::to_string) else { continue };
            let cover = Cover { start, expiry, company_number: company_number.clone(), contract_id };
            let mut councils = vec![council.raw(i).unwrap_or_default().to_string()];
            if let Some(others) = collaborative.raw(i) {
                councils.extend(others.split(';').map(str::trim).filter(|c| !c.is_empty()).map(str::to_string));
            }
            councils.dedup();
            for covered in councils {
                if let Some(number) = &company_number {
                    self.by_company
                        .entry(covered.clone())
                        .or_default()
                        .entry(number.clone())
                        .or_default()
                        .push(cover.clone());
                }
                if let Some(supplier) = &supplier {
                    self.by_key.entry(covered).or_default().entry(supplier.clone()).or_default().push(cover.clone());
                }
            }
        }
        Ok(())
    }

    /// The contract covering a payment, if any: the latest-starting one, ties broken by
    /// the smaller id (ids are unique) so the answer never depends on file order.
    fn cover(&self, council: &str, key: &str, company_number: Option<&str>, date: i32) -> Option<&str> {
        let by_key = self.by_key.get(council).and_then(|m| m.get(key)).into_iter().flatten();
        let candidates: Box<dyn Iterator<Item = &Cover>> = match company_number {
            // Company numbers decide when both sides have one; a contract without one can
            // still match on the name.
            Some(number) => Box::new(
                self.by_company
                    .get(council)
                    .and_then(|m| m.get(number))
                    .into_iter()
                    .flatten()
                    .chain(by_key.filter(|c| c.company_number.is_none())),
            ),
            None => Box::new(by_key),
        };
        candidates
            .filter(|c| c.start <= date && date <= c.expiry)
            // Later start wins; on a tie the smaller id does.
            .max_by(|a, b| a.start.cmp(&b.start).then_with(|| b.contract_id.cmp(&a.contract_id)))
            .map(|c| c.contract_id.as_str())
    }
}

pub(super) fn damaged(path: &Path, column: &str) -> Error {
    Error::dataset(format!("{} has no readable column {column}", path.display()))
        .with_hint("the dataset may be from an older spendql; ingest its files into a fresh dataset")
}

/// Rewrite one spend file with fresh links. Returns (rows, rows linked, amount linked in
/// pence).
fn relink_file(path: &Path, register: &Register, aliases: &Aliases) -> Result<(u64, u64, i128)> {
    let (mut rows, mut linked, mut amount) = (0u64, 0u64, 0i128);
    rewrite_file(path, |batch, path| {
        let links = links_for(&batch, register, aliases, path)?;
        let amounts = batch
            .column_by_name(s::AMOUNT)
            .and_then(|a| a.as_primitive_opt::<Decimal128Type>())
            .ok_or_else(|| damaged(path, s::AMOUNT))?;
        for i in (0..links.len()).filter(|i| links.is_valid(*i)) {
            linked += 1;
            amount += amounts.value(i);
        }
        rows += batch.num_rows() as u64;
        with_column(batch, s::CONTRACT_ID, Arc::new(links), path)
    })?;
    Ok((rows, linked, amount))
}

/// Rewrite a Parquet file batch by batch through `change`, atomically: the new file replaces
/// this version's hard link only, so earlier versions keep theirs.
pub(super) fn rewrite_file(
    path: &Path,
    mut change: impl FnMut(RecordBatch, &Path) -> Result<RecordBatch>,
) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)?.with_batch_size(64 * 1024);
    let schema = builder.schema().clone();
    let reader = builder.build()?;
    let tmp = path.with_extension("parquet.link-tmp");
    let out = File::create(&tmp).map_err(|e| Error::io(format!("cannot create {}", tmp.display()), e))?;
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(writer_properties()))?;
    for batch in reader {
        writer.write(&change(batch?, path)?)?;
    }
    let out = writer.into_inner()?;
    out.sync_all().map_err(|e| Error::io(format!("cannot sync {}", tmp.display()), e))?;
    fs::rename(&tmp, path).map_err(|e| Error::io(format!("cannot replace {}", path.display()), e))?;
    Ok(())
}

fn links_for(batch: &RecordBatch, register: &Register, aliases: &Aliases, path: &Path) -> Result<StringArray> {
    let text = |name: &str| -> Result<&StringArray> {
        batch
            .column_by_name(name)
            .and_then(|a| a.as_any().downcast_ref::<StringArray>())
            .ok_or_else(|| damaged(path, name))
    };
    let council = text(s::COUNCIL)?;
    let key = text(s::SUPPLIER_KEY)?;
    let company = text(s::COMPANY_NUMBER)?;
    let dates = batch
        .column_by_name(s::PAYMENT_DATE)
        .and_then(|a| a.as_primitive_opt::<Date32Type>())
        .ok_or_else(|| damaged(path, s::PAYMENT_DATE))?;
    let redacted: &BooleanArray =
        batch.column_by_name(s::REDACTED).and_then(|a| a.as_boolean_opt()).ok_or_else(|| damaged(path, s::REDACTED))?;
    let mut links = StringBuilder::with_capacity(batch.num_rows(), batch.num_rows() * 4);
    for i in 0..batch.num_rows() {
        if redacted.value(i) || dates.is_null(i) {
            links.append_null();
            continue;
        }
        let number = company.is_valid(i).then(|| company.value(i)).and_then(normalise_company_number);
        let supplier = if key.is_valid(i) { aliases.canonical(key.value(i)) } else { "" };
        match register.cover(council.value(i), supplier, number.as_deref(), dates.value(i)) {
            Some(contract_id) => links.append_value(contract_id),
            None => links.append_null(),
        }
    }
    Ok(links.finish())
}

/// (rows, rows linked, amount linked in pence) of one spend file, reading two columns.
fn count_links(path: &Path) -> Result<(u64, u64, i128)> {
    let (mut rows, mut linked, mut amount) = (0u64, 0u64, 0i128);
    let reader = TableReader::of_files(Table::Spend, vec![path.to_path_buf()]);
    for batch in reader.batches(Some(&[s::AMOUNT, s::CONTRACT_ID])) {
        let batch = batch?;
        rows += batch.num_rows() as u64;
        let amounts = batch.required_money(s::AMOUNT)?;
        let links = batch.required_text(s::CONTRACT_ID)?;
        for i in (0..batch.num_rows()).filter(|i| links.raw(*i).is_some()) {
            linked += 1;
            amount += amounts.value(i);
        }
    }
    Ok((rows, linked, amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cover(start: i32, expiry: i32, contract_id: &str, company: Option<&str>) -> Cover {
        Cover { start, expiry, company_number: company.map(str::to_string), contract_id: contract_id.to_string() }
    }

    fn register(entries: &[(&str, &str, Cover)]) -> Register {
        let mut r = Register::default();
        for (council, key, c) in entries {
            if let Some(n) = &c.company_number {
                r.by_company.entry(council.to_string()).or_default().entry(n.clone()).or_default().push(c.clone());
            }
            r.by_key.entry(council.to_string()).or_default().entry(key.to_string()).or_default().push(c.clone());
        }
        r
    }

    #[test]
    fn payment_dates_inside_the_contract_are_covered_inclusive_of_both_ends() {
        let r = register(&[("Salford", "ACME", cover(100, 200, "S1", None))]);
        assert_eq!(r.cover("Salford", "ACME", None, 100), Some("S1"));
        assert_eq!(r.cover("Salford", "ACME", None, 200), Some("S1"));
        assert_eq!(r.cover("Salford", "ACME", None, 99), None);
        assert_eq!(r.cover("Salford", "ACME", None, 201), None);
        assert_eq!(r.cover("Trafford", "ACME", None, 150), None, "another council's contract does not cover");
    }

    #[test]
    fn company_numbers_decide_when_both_sides_have_one() {
        let r = register(&[("Salford", "ACME", cover(0, 1000, "S1", Some("01234567")))]);
        assert_eq!(r.cover("Salford", "ACME", Some("07654321"), 5), None, "same name, different company");
        assert_eq!(r.cover("Salford", "ACME HOLDINGS", Some("01234567"), 5), Some("S1"), "renamed, same company");
        assert_eq!(r.cover("Salford", "ACME", None, 5), Some("S1"), "no number on the payment: the name decides");
    }

    #[test]
    fn the_latest_starting_contract_wins_then_the_smaller_id() {
        let r = register(&[
            ("Salford", "ACME", cover(0, 1000, "S1", None)),
            ("Salford", "ACME", cover(500, 1000, "S9", None)),
            ("Salford", "ACME", cover(500, 1000, "S2", None)),
        ]);
        assert_eq!(r.cover("Salford", "ACME", None, 600), Some("S2"));
        assert_eq!(r.cover("Salford", "ACME", None, 100), Some("S1"));
    }
}
