//! `spendql suppliers`: reads the dataset's spend and contracts tables (through
//! [`TableReader`]) into one [`SupplierRecord`] per canonical supplier key, and lays out either the
//! suppliers with their keys, or (`--unmatched`) the likely duplicates with their evidence
//! and a ready-to-paste `suppliers.toml` line. Results are Arrow record batches, so every
//! output format of [`crate::output`] can print them.
//!
//! Keys are recomputed from the published names with the current
//! [`supplier_key`], because `suppliers.toml` is
//! read with it: a dataset ingested by an older spendql still gets proposals that agree
//! with its aliases.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Decimal128Array, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};

use super::detect::{Candidate, Evidence, SupplierRecord, Thresholds, find_candidates};
use super::{Aliases, normalise_company_number, normalise_postcode, normalise_vat_number, supplier_key};
use crate::catalog::Dataset;
use crate::catalog::reader::{flag_at, money_at};
use crate::error::Result;
use crate::schema::{MONEY, MONEY_PRECISION, MONEY_SCALE, Table, contracts, spend};

/// `spendql suppliers`: the dataset's suppliers, or with `unmatched` its likely duplicates,
/// after the aliases in its `suppliers.toml`.
pub fn suppliers_report(dataset: &Dataset, unmatched: bool, limit: Option<usize>) -> Result<RecordBatch> {
    let aliases = Aliases::load(dataset.root())?;
    let records = read_suppliers(dataset, &aliases)?;
    if unmatched { unmatched_report(&records, &aliases, limit) } else { supplier_list(&records, limit) }
}

/// Every supplier of the dataset, one record per canonical key, sorted by key.
pub fn read_suppliers(dataset: &Dataset, aliases: &Aliases) -> Result<Vec<SupplierRecord>> {
    let snapshot = dataset.snapshot()?;
    let mut builder = RecordsBuilder { aliases, keys: HashMap::new(), records: HashMap::new() };
    let spend_columns =
        [spend::SUPPLIER_NAME, spend::AMOUNT, spend::VAT_NUMBER, spend::COMPANY_NUMBER, spend::REDACTED];
    for batch in snapshot.reader(Table::Spend).batches(Some(&spend_columns)) {
        let batch = batch?;
        let names = batch.required_text(spend::SUPPLIER_NAME)?;
        let amounts = batch.required_money(spend::AMOUNT)?;
        let vats = batch.required_text(spend::VAT_NUMBER)?;
        let companies = batch.required_text(spend::COMPANY_NUMBER)?;
        let redacted = batch.required_flag(spend::REDACTED)?;
        for row in 0..batch.num_rows() {
            let Some(name) = names.raw(row) else { continue };
            if flag_at(Some(redacted), row) == Some(true) {
                continue;
            }
            let Some(record) = builder.record(name) else { continue };
            record.rows += 1;
            record.spend += money_at(Some(amounts), row).unwrap_or(0);
            if let Some(vat) = vats.raw(row).and_then(normalise_vat_number) {
                record.vat_numbers.insert(vat);
            }
            if let Some(number) = companies.raw(row).and_then(normalise_company_number) {
                record.company_numbers.insert(number);
            }
        }
    }
    let contract_columns = [contracts::SUPPLIER_NAME, contracts::COMPANY_NUMBER, contracts::SUPPLIER_POSTCODE];
    for batch in snapshot.reader(Table::Contracts).batches(Some(&contract_columns)) {
        let batch = batch?;
        let names = batch.required_text(contracts::SUPPLIER_NAME)?;
        let companies = batch.required_text(contracts::COMPANY_NUMBER)?;
        let postcodes = batch.required_text(contracts::SUPPLIER_POSTCODE)?;
        for row in 0..batch.num_rows() {
            let Some(name) = names.raw(row) else { continue };
            let Some(record) = builder.record(name) else { continue };
            if let Some(number) = companies.raw(row).and_then(normalise_company_number) {
                record.company_numbers.insert(number);
            }
            if let Some(postcode) = postcodes.raw(row).and_then(normalise_postcode) {
                record.postcodes.insert(postcode);
            }
        }
    }
    Ok(builder.finish())
}

/// Accumulates rows into records; published names repeat, so their keys are cached.
struct RecordsBuilder<'a> {
    aliases: &'a Aliases,
    keys: HashMap<String, String>,
    /// canonical key → (record, name → rows)
    records: HashMap<String, (SupplierRecord, HashMap<String, u64>)>,
}

impl RecordsBuilder<'_> {
    fn record(&mut self, name: &str) -> Option<&mut SupplierRecord> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let key = match self.keys.get(name) {
            Some(key) => key.clone(),
            None => {
                let key = self.aliases.canonical(&supplier_key(name)).to_string();
                self.keys.insert(name.to_string(), key.clone());
                key
            }
        };
        if key.is_empty() {
            return None;
        }
        let (record, names) = self
            .records
            .entry(key.clone())
            .or_insert_with(|| (SupplierRecord { key, ..Default::default() }, HashMap::new()));
        *names.entry(name.to_string()).or_default() += 1;
        Some(record)
    }

    fn finish(self) -> Vec<SupplierRecord> {
        let mut records: Vec<SupplierRecord> = self
            .records
            .into_values()
            .map(|(mut record, names)| {
                let mut names: Vec<(String, u64)> = names.into_iter().collect();
                names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                record.names = names;
                record
            })
            .collect();
        records.sort_by(|a, b| a.key.cmp(&b.key));
        records
    }
}

fn money_array(values: impl IntoIterator<Item = i128>) -> Result<ArrayRef> {
    Ok(Arc::new(Decimal128Array::from_iter_values(values).with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?))
}

fn text_array<'a>(values: impl IntoIterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

/// The suppliers with their keys: `key, name, names, rows, spend`, largest spend first,
/// at most `limit` of them.
pub fn supplier_list(records: &[SupplierRecord], limit: Option<usize>) -> Result<RecordBatch> {
    let mut order: Vec<&SupplierRecord> = records.iter().collect();
    order.sort_by(|a, b| b.spend.cmp(&a.spend).then_with(|| a.key.cmp(&b.key)));
    order.truncate(limit.unwrap_or(usize::MAX));
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, false),
        Field::new("names", DataType::UInt64, false),
        Field::new("rows", DataType::UInt64, false),
        Field::new("spend", MONEY, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        text_array(order.iter().map(|r| r.key.as_str())),
        text_array(order.iter().map(|r| r.display_name())),
        Arc::new(UInt64Array::from_iter_values(order.iter().map(|r| r.names.len() as u64))),
        Arc::new(UInt64Array::from_iter_values(order.iter().map(|r| r.rows))),
        money_array(order.iter().map(|r| r.spend))?,
    ];
    Ok(RecordBatch::try_new(schema, columns)?)
}

/// Likely duplicates to confirm: `supplier_a, spend_a, supplier_b, spend_b, similarity,
/// evidence, suppliers_toml`, the pairs with the most money first, at most `limit`.
/// `a` is the side with more spend (or the one `suppliers.toml` already has an entry
/// for): the canonical name of the suggested line.
pub fn unmatched_report(records: &[SupplierRecord], aliases: &Aliases, limit: Option<usize>) -> Result<RecordBatch> {
    let mut candidates = find_candidates(records, &Thresholds::DEFAULT);
    let money = |c: &Candidate| records[c.a].spend.saturating_add(records[c.b].spend);
    candidates.sort_by(|x, y| {
        money(y).cmp(&money(x)).then_with(|| {
            let name = |c: &Candidate| (records[c.a].key.clone(), records[c.b].key.clone());
            name(x).cmp(&name(y))
        })
    });
    candidates.truncate(limit.unwrap_or(usize::MAX));
    let rows: Vec<(&SupplierRecord, &SupplierRecord, &Candidate)> = candidates
        .iter()
        .map(|c| {
            let (x, y) = (&records[c.a], &records[c.b]);
            let x_first = match (aliases.entry(&x.key).is_some(), aliases.entry(&y.key).is_some()) {
                (true, false) => true,
                (false, true) => false,
                _ => (x.spend, &y.key) >= (y.spend, &x.key),
            };
            if x_first { (x, y, c) } else { (y, x, c) }
        })
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("supplier_a", DataType::Utf8, false),
        Field::new("spend_a", MONEY, false),
        Field::new("supplier_b", DataType::Utf8, false),
        Field::new("spend_b", MONEY, false),
        Field::new("similarity", DataType::Utf8, false),
        Field::new("evidence", DataType::Utf8, false),
        Field::new("suppliers_toml", DataType::Utf8, false),
    ]));
    let evidence: Vec<String> = rows.iter().map(|(_, _, c)| evidence_text(&c.evidence)).collect();
    let lines: Vec<String> = rows.iter().map(|(a, b, _)| toml_line(a, b, aliases)).collect();
    let columns: Vec<ArrayRef> = vec![
        text_array(rows.iter().map(|(a, _, _)| a.display_name())),
        money_array(rows.iter().map(|(a, _, _)| a.spend))?,
        text_array(rows.iter().map(|(_, b, _)| b.display_name())),
        money_array(rows.iter().map(|(_, b, _)| b.spend))?,
        Arc::new(StringArray::from_iter_values(rows.iter().map(|(_, _, c)| format!("{:.2}", c.similarity)))),
        text_array(evidence.iter().map(String::as_str)),
        text_array(lines.iter().map(String::as_str)),
    ];
    Ok(RecordBatch::try_new(schema, columns)?)
}

fn evidence_text(evidence: &[Evidence]) -> String {
    evidence
        .iter()
        .map(|e| match e {
            Evidence::SameCompanyNumber(n) => format!("same company number {n}"),
            Evidence::SameVatNumber(n) => format!("same VAT number GB{n}"),
            Evidence::SamePostcode(p) => format!("same postcode {p}"),
            Evidence::SimilarNames => "similar names".to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The `suppliers.toml` line that makes `b` an alias of `a`. When the file already has an
/// entry for either, the line replaces it (and the other's entry, whose variants it carries).
fn toml_line(a: &SupplierRecord, b: &SupplierRecord, aliases: &Aliases) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let (canonical, mut variants): (String, Vec<String>) = match aliases.entry(&a.key) {
        Some((name, variants)) => (name.to_string(), variants.to_vec()),
        None => (a.display_name().to_string(), Vec::new()),
    };
    match aliases.entry(&b.key) {
        Some((name, others)) => {
            variants.push(name.to_string());
            variants.extend(others.iter().cloned());
        }
        None => variants.push(b.display_name().to_string()),
    }
    let mut seen = BTreeSet::new();
    variants.retain(|v| seen.insert(v.clone()));
    format!("{} = [{}]", quote(&canonical), variants.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", "))
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::AsArray;

    use super::*;

    fn record(name: &str, spend: i128) -> SupplierRecord {
        SupplierRecord {
            key: supplier_key(name),
            names: vec![(name.to_string(), 1)],
            spend,
            rows: 1,
            ..Default::default()
        }
    }

    #[test]
    fn toml_lines_quote_names_and_extend_existing_entries() {
        let aliases = Aliases::parse("[aliases]\n\"Wates Group\" = [\"Wates Construction\"]\n").unwrap();
        let a = record("Wates Group", 10);
        let b = record("Wates Living Space", 5);
        assert_eq!(toml_line(&a, &b, &aliases), r#""Wates Group" = ["Wates Construction", "Wates Living Space"]"#);
        let c = record("Smith \"Bros\" Ltd", 5);
        let d = record("Smith Bros", 1);
        assert_eq!(toml_line(&c, &d, &Aliases::default()), r#"'Smith "Bros" Ltd' = ["Smith Bros"]"#);
        // The line parses back and joins the two keys.
        let line = toml_line(&c, &d, &Aliases::default());
        let parsed = Aliases::parse(&format!("[aliases]\n{line}\n")).unwrap();
        assert_eq!(parsed.canonical(&d.key), c.key);
    }

    #[test]
    fn the_larger_spender_is_canonical_unless_the_file_has_the_other() {
        let records = vec![record("Biffa Waste Servic", 100), record("Biffa Waste Services Ltd", 900)];
        let batch = unmatched_report(&records, &Aliases::default(), None).unwrap();
        assert_eq!(batch.num_rows(), 1);
        let column = |name: &str| batch.column_by_name(name).unwrap().as_string::<i32>().value(0).to_string();
        assert_eq!(column("supplier_a"), "Biffa Waste Services Ltd");
        assert_eq!(column("suppliers_toml"), r#""Biffa Waste Services Ltd" = ["Biffa Waste Servic"]"#);

        let aliases = Aliases::parse("[aliases]\n\"Biffa Waste Servic\" = [\"BIFFA WASTE SERV\"]\n").unwrap();
        let batch = unmatched_report(&records, &aliases, None).unwrap();
        let column = |name: &str| batch.column_by_name(name).unwrap().as_string::<i32>().value(0).to_string();
        assert_eq!(column("supplier_a"), "Biffa Waste Servic");
        assert_eq!(
            column("suppliers_toml"),
            r#""Biffa Waste Servic" = ["BIFFA WASTE SERV", "Biffa Waste Services Ltd"]"#
        );
    }
}
