//! Spend and contracts → the harmonised category: materialises `category`,
//! `category_code`, `category_group` and `category_source` on spend from what the stored
//! rows say (published category and code, expense type, purpose, department, supplier, and
//! the register's code for the contract a payment is linked to), through the pure
//! [`classify_rows`] and the dataset's `categories.toml`; then the same columns on the
//! contracts registers, through [`classify_contracts`], from each contract's own code or
//! label and the payments just classified.
//!
//! It runs inside every ingest transaction that changes spend, the supplier aliases (the
//! supplier tier reads the keys) or `categories.toml`, after the contract link, and
//! rewrites only the spend and contracts files whose classification changed: like `link`, a rewritten
//! file replaces its staged hard link, so the committed version it came from is untouched.
//! The supplier and learned tiers are evidence from the whole dataset (one council's
//! coded payments teach another's), so every row is classified on every pass; the rows are
//! read in file-path order so the result never depends on ingest order.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, StringArray};
use sha2::{Digest, Sha256};

use crate::catalog::{ClassifyRecord, Manifest, TableReader, Transaction};
use crate::classify::{
    CATEGORIES_FILE, CategoryMap, Classification, ClassifiedPayment, ContractEvidence, Evidence, EvidenceRecord,
    Source, classify_contracts, classify_rows,
};
use crate::error::{Error, Result};
use crate::money::money_text;
use crate::schema::{Table, contracts as c, spend as s};
use crate::taxonomy::{Category, ProclassCode};

use super::cells::is_missing;
use super::link::{rewrite_file, with_column};

/// SHA-256 of the dataset's `categories.toml`, or empty when there is none.
pub fn categories_sha256(dataset_root: &Path) -> Result<String> {
    let path = dataset_root.join(CATEGORIES_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(format!("{:x}", Sha256::digest(&bytes))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(Error::io(format!("cannot read {}", path.display()), e)),
    }
}

/// Whether the change from `base` to `staged` can move any row's category: spend or
/// contracts files added or removed (a register's codes classify the payments linked to its
/// contracts), the aliases (supplier keys) or `categories.toml` changed, or no pass has run
/// yet.
pub fn needed(base: &Manifest, staged: &Manifest, categories_sha256: &str) -> bool {
    let Some(record) = &base.classify else { return true };
    fn files(m: &Manifest, table: Table) -> Vec<&str> {
        let mut files: Vec<&str> = m
            .sources
            .iter()
            .filter(|r| r.kind.table() == table)
            .flat_map(|r| r.parquet_files.iter().map(String::as_str))
            .collect();
        files.sort_unstable();
        files
    }
    let aliases = |m: &Manifest| m.link.as_ref().map(|l| l.aliases_sha256.clone()).unwrap_or_default();
    record.categories_sha256 != categories_sha256
        || [Table::Spend, Table::Contracts].into_iter().any(|t| files(base, t) != files(staged, t))
        || aliases(base) != aliases(staged)
}

/// Summary of one classification pass, for the ingest report.
#[derive(Debug, Clone, Default)]
pub struct ClassifyReport {
    /// Spend rows classified.
    pub rows: u64,
    /// Rows in the spend files this version adds, all classified for the first time.
    pub rows_new: u64,
    /// Rows already in the dataset whose stored classification changed: the supplier and
    /// learned tiers read the whole dataset, so new spend moves earlier payments too.
    pub rows_changed: u64,
    /// Those earlier rows' absolute value, in pence.
    pub pence_changed: i128,
    /// Spend files rewritten.
    pub files_rewritten: usize,
    /// Pence per source, strongest first.
    pub amount_by_source: Vec<(Source, i128)>,
    /// Contracts classified, and how many by each source, strongest first.
    pub contracts: u64,
    /// Contracts per source, strongest first.
    pub contracts_by_source: Vec<(Source, u64)>,
    /// Contracts whose stored classification changed.
    pub contracts_changed: u64,
}

impl ClassifyReport {
    /// The ingest report's lines: the share of spend by value each tier classified, and
    /// how the registers' contracts were classified (when there are any).
    pub fn describe(&self) -> String {
        let mut lines = vec![self.describe_spend()];
        if self.contracts > 0 {
            let counts: Vec<String> = self
                .contracts_by_source
                .iter()
                .filter(|(_, n)| *n != 0)
                .map(|(source, n)| format!("{} {n}", source.as_str()))
                .collect();
            lines.push(format!(
                "classified {} contract(s) ({}); {} changed",
                self.contracts,
                counts.join(", "),
                self.contracts_changed
            ));
        }
        lines.join("\n")
    }

    fn describe_spend(&self) -> String {
        let total: i128 = self.amount_by_source.iter().map(|(_, a)| a.abs()).sum();
        let shares: Vec<String> = self
            .amount_by_source
            .iter()
            .filter(|(_, a)| *a != 0)
            .map(|(source, a)| {
                let share = if total == 0 { 0.0 } else { a.abs() as f64 * 100.0 / total as f64 };
                format!("{} {share:.1}%", source.as_str())
            })
            .collect();
        format!(
            "classified {} spend row(s) into ProClass or out of scope (by value: {}); {} new row(s), {} earlier row(s) changed ({}), {} file(s) rewritten",
            self.rows,
            if shares.is_empty() { "no spend".to_string() } else { shares.join(", ") },
            self.rows_new,
            self.rows_changed,
            money_text(self.pence_changed),
            self.files_rewritten
        )
    }
}

/// One stored row's evidence, owned.
#[derive(Default)]
struct Row {
    evidence: EvidenceRecord,
    /// The contract the payment is linked to, for the contracts' supplier tier.
    contract_id: Option<String>,
    /// What the file holds now: category, code, group, source.
    stored: [Option<String>; 4],
}

impl std::ops::Deref for Row {
    type Target = EvidenceRecord;
    fn deref(&self) -> &EvidenceRecord {
        &self.evidence
    }
}

/// The four stored values of a classification.
fn columns_of(c: &Classification) -> [Option<String>; 4] {
    [
        c.category.map(Category::label),
        c.category.and_then(Category::code).map(ProclassCode::text),
        c.category.map(|c| c.level1_name().to_string()),
        Some(c.source.as_str().to_string()),
    ]
}

const STORED: [&str; 4] = [s::CATEGORY, s::CATEGORY_CODE, s::CATEGORY_GROUP, s::CATEGORY_SOURCE];
const STORED_ON_CONTRACTS: [&str; 4] = [c::CATEGORY, c::CATEGORY_CODE, c::CATEGORY_GROUP, c::CATEGORY_SOURCE];

/// Rewrite `relative` with `fresh` in the four `columns`, row for row.
fn write_classification(
    tx: &Transaction,
    relative: &str,
    columns: [&str; 4],
    fresh: &[[Option<String>; 4]],
) -> Result<()> {
    let mut offset = 0;
    rewrite_file(&tx.dir().join(relative), |batch, path| {
        let n = batch.num_rows();
        let slice = fresh.get(offset..offset + n).ok_or_else(|| super::link::damaged(path, columns[0]))?;
        offset += n;
        let mut batch = batch;
        for (column, name) in columns.iter().enumerate() {
            let values: ArrayRef = Arc::new(slice.iter().map(|v| v[column].as_deref()).collect::<StringArray>());
            batch = with_column(batch, name, values, path)?;
        }
        Ok(batch)
    })
}

/// Classify every spend row of the staged version, rewrite the files whose classification
/// changed, and record the pass in its manifest.
pub fn classify(tx: &mut Transaction, dataset_root: &Path) -> Result<ClassifyReport> {
    let map = CategoryMap::load(dataset_root)?;
    let categories_sha256 = categories_sha256(dataset_root)?;
    let mut files: Vec<String> = tx
        .manifest()
        .sources
        .iter()
        .filter(|r| r.kind.table() == Table::Spend)
        .flat_map(|r| r.parquet_files.iter().cloned())
        .collect();
    files.sort();
    files.dedup();
    let earlier: HashSet<&str> = tx
        .base()
        .sources
        .iter()
        .filter(|r| r.kind.table() == Table::Spend)
        .flat_map(|r| r.parquet_files.iter().map(String::as_str))
        .collect();
    let registers = registers(tx)?;
    let mut rows: Vec<Row> = Vec::new();
    let mut lengths = Vec::with_capacity(files.len());
    for relative in &files {
        let before = rows.len();
        read_rows(&tx.dir().join(relative), &registers, &mut rows)?;
        lengths.push(rows.len() - before);
    }
    let evidence: Vec<Evidence<'_>> = rows.iter().map(|row| row.evidence.evidence()).collect();
    let result = classify_rows(&evidence, &map);
    drop(evidence);

    let mut report = ClassifyReport { rows: rows.len() as u64, ..ClassifyReport::default() };
    let mut by_source: BTreeMap<Source, i128> = Source::ALL.iter().map(|s| (*s, 0)).collect();
    let mut start = 0;
    for (relative, length) in files.iter().zip(lengths) {
        let range = start..start + length;
        start += length;
        let fresh: Vec<[Option<String>; 4]> = result[range.clone()].iter().map(columns_of).collect();
        for (row, c) in rows[range.clone()].iter().zip(&result[range.clone()]) {
            *by_source.entry(c.source).or_default() += row.pence;
        }
        let changed: Vec<&Row> =
            rows[range].iter().zip(&fresh).filter(|(row, new)| row.stored != **new).map(|(row, _)| row).collect();
        if earlier.contains(relative.as_str()) {
            report.rows_changed += changed.len() as u64;
            report.pence_changed += changed.iter().map(|row| row.pence.abs()).sum::<i128>();
        } else {
            report.rows_new += length as u64;
        }
        if changed.is_empty() {
            continue;
        }
        report.files_rewritten += 1;
        write_classification(tx, relative, STORED, &fresh)?;
    }
    report.amount_by_source = by_source.into_iter().collect();

    let payments: Vec<ClassifiedPayment<'_>> = rows
        .iter()
        .zip(&result)
        .map(|(row, c)| ClassifiedPayment {
            contract_id: row.contract_id.as_deref(),
            supplier_key: &row.supplier_key,
            pence: row.pence,
            category: c.category,
        })
        .collect();
    classify_registers(tx, &payments, &map, &mut report)?;
    drop(payments);
    tx.set_classify(ClassifyRecord {
        categories_sha256,
        spend_rows: report.rows,
        amount_by_source: report
            .amount_by_source
            .iter()
            .map(|(source, pence)| (source.as_str().to_string(), super::values::format_pence(*pence)))
            .collect(),
    });
    Ok(report)
}

/// What the registers say about categories: each contract's category (code, label) by
/// `contract_id`, and per council and supplier key the category of that supplier's largest
/// contract by total value.
#[derive(Default)]
struct Registers {
    by_contract: HashMap<String, Published>,
    by_supplier: HashMap<(String, String), (i128, Published)>,
}

/// A category as a register published it: code and label.
type Published = (Option<String>, Option<String>);

impl Registers {
    /// The register's category for a payment: its linked contract's, else that of the
    /// largest contract the council holds with the payee. Classification needs no date
    /// cover, as the on/off-contract link does: a PFI contract the register gives no end
    /// date is still what its unitary charges buy.
    fn category(&self, contract_id: Option<&str>, council: &str, supplier_key: &str) -> Published {
        contract_id
            .and_then(|id| self.by_contract.get(id))
            .or_else(|| {
                (!supplier_key.is_empty())
                    .then(|| self.by_supplier.get(&(council.to_string(), supplier_key.to_string())))
                    .flatten()
                    .map(|(_, published)| published)
            })
            .cloned()
            .unwrap_or_default()
    }
}

/// The staged version's contracts registers, read for their categories.
fn registers(tx: &Transaction) -> Result<Registers> {
    let files: Vec<_> = tx
        .manifest()
        .sources
        .iter()
        .filter(|r| r.kind.table() == Table::Contracts)
        .flat_map(|r| r.parquet_files.iter().map(|f| tx.dir().join(f)))
        .collect();
    let mut registers = Registers::default();
    let columns = [
        c::CONTRACT_ID,
        c::COUNCIL,
        c::SUPPLIER_KEY,
        c::VALUE_TOTAL,
        c::PUBLISHED_CATEGORY_CODE,
        c::PUBLISHED_CATEGORY,
    ];
    for batch in TableReader::of_files(Table::Contracts, files).batches(Some(&columns)) {
        let batch = batch?;
        let (id, council, key) = (batch.text(c::CONTRACT_ID)?, batch.text(c::COUNCIL)?, batch.text(c::SUPPLIER_KEY)?);
        let (code, label) = (batch.text(c::PUBLISHED_CATEGORY_CODE)?, batch.text(c::PUBLISHED_CATEGORY)?);
        let value = batch.money(c::VALUE_TOTAL)?;
        for i in 0..batch.num_rows() {
            let text = |t: &crate::catalog::Text<'_>| t.get(i).filter(|v| !is_missing(v)).map(str::to_string);
            let published = (text(&code), text(&label));
            if published == (None, None) {
                continue;
            }
            if let Some(id) = id.get(i) {
                registers.by_contract.insert(id.to_string(), published.clone());
            }
            if let (Some(council), Some(key)) = (council.raw(i), text(&key)) {
                let pence = crate::catalog::reader::money_at(value, i).unwrap_or_default();
                let entry =
                    registers.by_supplier.entry((council.to_string(), key)).or_insert((i128::MIN, (None, None)));
                // Largest first; the first-read contract keeps a tie, and files are read in
                // path order, so the choice never depends on ingest order.
                if pence > entry.0 {
                    *entry = (pence, published);
                }
            }
        }
    }
    Ok(registers)
}

/// One stored contract's evidence, owned, with what its file holds now.
struct ContractRow {
    council: String,
    contract_id: Option<String>,
    supplier_key: String,
    text: [Option<String>; 5],
    stored: [Option<String>; 4],
}

impl ContractRow {
    fn evidence(&self) -> ContractEvidence<'_> {
        let [published_category, published_code, department, title, description] =
            self.text.each_ref().map(Option::as_deref);
        ContractEvidence {
            council: &self.council,
            contract_id: self.contract_id.as_deref(),
            supplier_key: &self.supplier_key,
            published_category,
            published_code,
            department,
            title,
            description,
        }
    }
}

/// Classify every contract of the staged version from its register's words and the
/// classified `payments`, and rewrite the register files whose classification changed.
fn classify_registers(
    tx: &Transaction,
    payments: &[ClassifiedPayment<'_>],
    map: &CategoryMap,
    report: &mut ClassifyReport,
) -> Result<()> {
    let mut files: Vec<String> = tx
        .manifest()
        .sources
        .iter()
        .filter(|r| r.kind.table() == Table::Contracts)
        .flat_map(|r| r.parquet_files.iter().cloned())
        .collect();
    files.sort();
    files.dedup();
    let mut by_source: BTreeMap<Source, u64> = Source::ALL.iter().map(|s| (*s, 0)).collect();
    for relative in &files {
        let rows = read_contracts(&tx.dir().join(relative))?;
        let evidence: Vec<ContractEvidence<'_>> = rows.iter().map(ContractRow::evidence).collect();
        let result = classify_contracts(&evidence, payments, map);
        let fresh: Vec<[Option<String>; 4]> = result.iter().map(columns_of).collect();
        for c in &result {
            *by_source.entry(c.source).or_default() += 1;
        }
        report.contracts += rows.len() as u64;
        let changed = rows.iter().zip(&fresh).filter(|(row, new)| row.stored != **new).count();
        if changed > 0 {
            report.contracts_changed += changed as u64;
            write_classification(tx, relative, STORED_ON_CONTRACTS, &fresh)?;
        }
    }
    report.contracts_by_source = by_source.into_iter().collect();
    Ok(())
}

/// The contracts of one stored register file, in file order.
fn read_contracts(path: &Path) -> Result<Vec<ContractRow>> {
    let text_columns = [c::PUBLISHED_CATEGORY, c::PUBLISHED_CATEGORY_CODE, c::DEPARTMENT, c::TITLE, c::DESCRIPTION];
    let mut columns = vec![c::COUNCIL, c::CONTRACT_ID, c::SUPPLIER_KEY];
    columns.extend(text_columns);
    columns.extend(STORED_ON_CONTRACTS);
    let mut rows = Vec::new();
    for batch in TableReader::of_files(Table::Contracts, vec![path.to_path_buf()]).batches(Some(&columns)) {
        let batch = batch?;
        let council = batch.required_text(c::COUNCIL)?;
        let (id, key) = (batch.text(c::CONTRACT_ID)?, batch.text(c::SUPPLIER_KEY)?);
        let text: Vec<_> = text_columns.iter().map(|name| batch.text(name)).collect::<Result<_>>()?;
        let stored: Vec<_> = STORED_ON_CONTRACTS.iter().map(|name| batch.text(name)).collect::<Result<_>>()?;
        for i in 0..batch.num_rows() {
            let value = |t: &crate::catalog::Text<'_>| t.get(i).filter(|v| !is_missing(v)).map(str::to_string);
            rows.push(ContractRow {
                council: council.raw(i).unwrap_or_default().to_string(),
                contract_id: id.get(i).map(str::to_string),
                supplier_key: key.get(i).unwrap_or_default().to_string(),
                text: [0, 1, 2, 3, 4].map(|t| value(&text[t])),
                stored: [0, 1, 2, 3].map(|t| stored[t].raw(i).map(str::to_string)),
            });
        }
    }
    Ok(rows)
}

/// The rows of one stored spend file, in file order.
fn read_rows(path: &Path, registers: &Registers, rows: &mut Vec<Row>) -> Result<()> {
    let columns = [
        s::COUNCIL,
        s::SUPPLIER_NAME,
        s::SUPPLIER_KEY,
        s::AMOUNT,
        s::REDACTED,
        s::PUBLISHED_CATEGORY,
        s::PUBLISHED_CATEGORY_CODE,
        s::EXPENSE_TYPE,
        s::PURPOSE,
        s::DEPARTMENT,
        s::CONTRACT_ID,
        s::CATEGORY,
        s::CATEGORY_CODE,
        s::CATEGORY_GROUP,
        s::CATEGORY_SOURCE,
    ];
    for batch in TableReader::of_files(Table::Spend, vec![path.to_path_buf()]).batches(Some(&columns)) {
        let batch = batch?;
        let council = batch.required_text(s::COUNCIL)?;
        let name = batch.required_text(s::SUPPLIER_NAME)?;
        let key = batch.required_text(s::SUPPLIER_KEY)?;
        let amount = batch.required_money(s::AMOUNT)?;
        let redacted = batch.required_flag(s::REDACTED)?;
        let text: Vec<_> =
            [s::PUBLISHED_CATEGORY, s::PUBLISHED_CATEGORY_CODE, s::EXPENSE_TYPE, s::PURPOSE, s::DEPARTMENT]
                .iter()
                .map(|c| batch.text(c))
                .collect::<Result<_>>()?;
        let stored: Vec<_> = STORED.iter().map(|c| batch.text(c)).collect::<Result<_>>()?;
        let contract = batch.text(s::CONTRACT_ID)?;
        for i in 0..batch.num_rows() {
            let value = |t: &crate::catalog::Text<'_>| t.get(i).filter(|v| !is_missing(v)).map(str::to_string);
            let hidden = redacted.value(i);
            let council_name = council.raw(i).unwrap_or_default();
            let supplier = if hidden { "" } else { key.get(i).unwrap_or_default() };
            let (contract_code, contract_category) = registers.category(contract.get(i), council_name, supplier);
            let evidence = EvidenceRecord {
                council: council.raw(i).unwrap_or_default().to_string(),
                supplier_key: if hidden { String::new() } else { key.get(i).unwrap_or_default().to_string() },
                supplier_name: if hidden { None } else { value(&name) },
                pence: amount.value(i),
                published_category: value(&text[0]),
                published_code: value(&text[1]),
                expense_type: value(&text[2]),
                purpose: value(&text[3]),
                department: value(&text[4]),
                contract_code,
                contract_category,
            };
            rows.push(Row {
                evidence,
                contract_id: contract.get(i).map(str::to_string),
                stored: [0, 1, 2, 3].map(|c| stored[c].raw(i).map(str::to_string)),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{LinkRecord, SourceKind, SourceRecord};

    fn manifest(files: &[&str], aliases: &str, categories: Option<&str>) -> Manifest {
        let record = SourceRecord {
            council: "Trafford".into(),
            kind: SourceKind::Spend,
            source_name: "a.csv".into(),
            sha256: String::new(),
            rows_read: 0,
            rows_loaded: 0,
            rows_rejected: 0,
            amount_read: "0.00".into(),
            amount_loaded: "0.00".into(),
            amount_rejected: "0.00".into(),
            parquet_files: files.iter().map(ToString::to_string).collect(),
            mapping: vec![],
            ingested_at: String::new(),
        };
        Manifest {
            sources: vec![record],
            link: Some(LinkRecord { aliases_sha256: aliases.into(), ..LinkRecord::default() }),
            classify: categories
                .map(|sha| ClassifyRecord { categories_sha256: sha.into(), ..ClassifyRecord::default() }),
            ..Manifest::default()
        }
    }

    #[test]
    fn a_pass_is_needed_when_spend_keys_or_mappings_change_and_only_then() {
        let base = manifest(&["spend/a.parquet"], "", Some("m1"));
        assert!(!needed(&base, &manifest(&["spend/a.parquet"], "", None), "m1"), "nothing changed");
        assert!(needed(&base, &manifest(&["spend/a.parquet", "spend/b.parquet"], "", None), "m1"), "new spend");
        assert!(needed(&base, &manifest(&["spend/b.parquet"], "", None), "m1"), "spend replaced");
        assert!(needed(&base, &manifest(&["spend/a.parquet"], "x", None), "m1"), "aliases changed");
        assert!(needed(&base, &manifest(&["spend/a.parquet"], "", None), "m2"), "categories.toml changed");
        assert!(needed(&manifest(&["spend/a.parquet"], "", None), &base, "m1"), "never classified");
        // A register's codes classify the payments linked to its contracts.
        let mut with_register = manifest(&["spend/a.parquet"], "", None);
        let mut register = with_register.sources[0].clone();
        register.kind = SourceKind::Contracts;
        register.parquet_files = vec!["contracts/r.parquet".into()];
        with_register.sources.push(register);
        assert!(needed(&base, &with_register, "m1"), "a register loaded");
    }
}
