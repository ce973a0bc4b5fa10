//! `spendql categories --unmapped`: the council values (expense type, else published
//! category) carrying the most unclassified, then weakly classified, spend, each with a
//! proposed ProClass code, the evidence for it and a ready `categories.toml` line. Reads the
//! stored classification (through [`TableReader`]) rather than classifying again, so what it
//! lists is what queries see. The result is an Arrow record batch, for every output format.
//!
//! "Weakly classified" is the supplier and text tiers: guesses from other rows, which an
//! analyst may want to confirm, unlike a published code or a mapping.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Decimal128Array, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};

use crate::catalog::Dataset;
use crate::error::Result;
use crate::money::money_text;
use crate::schema::{MONEY, MONEY_PRECISION, MONEY_SCALE, Table, spend};
use crate::taxonomy::{Category, OUT_OF_SCOPE_TEXT};

/// Value per category, summed by absolute pence.
#[derive(Default)]
struct Tally(HashMap<Category, u128>);

impl Tally {
    fn add(&mut self, category: Category, pence: u128) {
        *self.0.entry(category).or_default() += pence;
    }

    /// The category with the most value (the lower one on a tie), its value and the total.
    fn top(&self) -> Option<(Category, u128, u128)> {
        let total = self.0.values().sum();
        self.0.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(c, v)| (*c, *v, total))
    }
}

/// One council value and what its rows carry.
#[derive(Default)]
struct Value {
    unclassified: u128,
    unclassified_rows: u64,
    weak: u128,
    /// What the value's classified rows got.
    classified: Tally,
    /// Unclassified spend per supplier key.
    suppliers: HashMap<String, u128>,
}

/// The stored category of a row, when it has one.
fn stored_category(code: Option<&str>, label: Option<&str>) -> Option<Category> {
    match code {
        Some(code) => Category::parse(code),
        None => label.filter(|l| *l == crate::taxonomy::OUT_OF_SCOPE_LABEL).map(|_| Category::OutOfScope),
    }
}

fn category_text(category: Category) -> String {
    match category.code() {
        Some(code) => code.text(),
        None => OUT_OF_SCOPE_TEXT.to_string(),
    }
}

/// `spendql categories --unmapped`: at most `limit` council values, the most unclassified
/// spend first, then the most weakly classified.
pub fn unmapped_report(dataset: &Dataset, limit: Option<usize>) -> Result<RecordBatch> {
    let snapshot = dataset.snapshot()?;
    let columns = [
        spend::COUNCIL,
        spend::AMOUNT,
        spend::EXPENSE_TYPE,
        spend::PUBLISHED_CATEGORY,
        spend::SUPPLIER_KEY,
        spend::REDACTED,
        spend::CATEGORY,
        spend::CATEGORY_CODE,
        spend::CATEGORY_SOURCE,
    ];
    let mut values: HashMap<(String, &'static str, String), Value> = HashMap::new();
    let mut by_supplier: HashMap<String, Tally> = HashMap::new();
    for batch in snapshot.reader(Table::Spend).batches(Some(&columns)) {
        let batch = batch?;
        let council = batch.required_text(spend::COUNCIL)?;
        let amount = batch.required_money(spend::AMOUNT)?;
        let expense = batch.text(spend::EXPENSE_TYPE)?;
        let published = batch.text(spend::PUBLISHED_CATEGORY)?;
        let key = batch.text(spend::SUPPLIER_KEY)?;
        let redacted = batch.required_flag(spend::REDACTED)?;
        let label = batch.text(spend::CATEGORY)?;
        let code = batch.text(spend::CATEGORY_CODE)?;
        let source = batch.text(spend::CATEGORY_SOURCE)?;
        for i in 0..batch.num_rows() {
            let pence = amount.value(i).unsigned_abs();
            let category = stored_category(code.get(i), label.get(i));
            let supplier = key.get(i).filter(|_| !redacted.value(i));
            if let (Some(category), Some(supplier)) = (category, supplier) {
                by_supplier.entry(supplier.to_string()).or_default().add(category, pence);
            }
            let (field, text) = match (expense.get(i), published.get(i)) {
                (Some(e), _) => ("expense_type", e),
                (None, Some(p)) => ("published_category", p),
                (None, None) => continue,
            };
            let key = (council.raw(i).unwrap_or_default().to_string(), field, text.to_string());
            let value = values.entry(key).or_default();
            match (category, source.get(i)) {
                (None, _) => {
                    value.unclassified += pence;
                    value.unclassified_rows += 1;
                    if let Some(s) = supplier {
                        *value.suppliers.entry(s.to_string()).or_default() += pence;
                    }
                }
                (Some(category), source) => {
                    if matches!(source, Some("supplier" | "text")) {
                        value.weak += pence;
                    }
                    value.classified.add(category, pence);
                }
            }
        }
    }
    let mut rows: Vec<((String, &'static str, String), Value)> =
        values.into_iter().filter(|(_, v)| v.unclassified > 0 || v.weak > 0).collect();
    rows.sort_by(|(ka, a), (kb, b)| b.unclassified.cmp(&a.unclassified).then(b.weak.cmp(&a.weak)).then(ka.cmp(kb)));
    rows.truncate(limit.unwrap_or(usize::MAX));

    let mut proposed_code = Vec::new();
    let mut proposed_label = Vec::new();
    let mut evidence = Vec::new();
    let mut lines = Vec::new();
    for ((council, field, text), value) in &rows {
        let (proposal, why) = propose(value, &by_supplier);
        proposed_code.push(proposal.map(category_text));
        proposed_label.push(proposal.map(Category::label));
        evidence.push(why);
        let target = proposal.map_or_else(|| "\"?\"".to_string(), |c| toml_string(&category_text(c)));
        let line = format!("council.{}.{field}.{} = {target}", toml_string(council), toml_string(text));
        lines.push(if proposal.is_some() { line } else { format!("# {line}  (choose a ProClass code)") });
    }
    let pence_array = |values: Vec<i128>| -> Result<ArrayRef> {
        Ok(Arc::new(Decimal128Array::from(values).with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?))
    };
    let schema = Arc::new(Schema::new(vec![
        Field::new("council", DataType::Utf8, false),
        Field::new("field", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, false),
        Field::new("unclassified spend", MONEY, false),
        Field::new("unclassified rows", DataType::UInt64, false),
        Field::new("weakly classified spend", MONEY, false),
        Field::new("proposed code", DataType::Utf8, true),
        Field::new("proposed category", DataType::Utf8, true),
        Field::new("evidence", DataType::Utf8, false),
        Field::new("categories_toml", DataType::Utf8, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|((c, _, _), _)| c.as_str()))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|((_, f, _), _)| *f))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|((_, _, t), _)| t.as_str()))),
        pence_array(rows.iter().map(|(_, v)| v.unclassified as i128).collect())?,
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|(_, v)| v.unclassified_rows))),
        pence_array(rows.iter().map(|(_, v)| v.weak as i128).collect())?,
        Arc::new(StringArray::from(proposed_code)),
        Arc::new(StringArray::from(proposed_label)),
        Arc::new(StringArray::from_iter_values(evidence)),
        Arc::new(StringArray::from_iter_values(lines)),
    ];
    Ok(RecordBatch::try_new(schema, columns)?)
}

/// A proposed category and the evidence for it: what the value's classified rows got, else
/// what its unclassified rows' suppliers are classified as elsewhere.
fn propose(value: &Value, by_supplier: &HashMap<String, Tally>) -> (Option<Category>, String) {
    let share = |part: u128, total: u128| if total == 0 { 0.0 } else { part as f64 * 100.0 / total as f64 };
    let pounds = |pence: u128| money_text(pence as i128);
    if let Some((category, top, total)) = value.classified.top() {
        let why = format!(
            "{:.0}% of the value's {} classified spend is {} ({})",
            share(top, total),
            pounds(total),
            category_text(category),
            category.label()
        );
        return (Some(category), why);
    }
    // The unclassified rows' suppliers, largest first, and their classified spend elsewhere.
    let mut suppliers: Vec<(&String, &u128)> = value.suppliers.iter().collect();
    suppliers.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut elsewhere = Tally::default();
    let mut named = Vec::new();
    for (supplier, pence) in &suppliers {
        if let Some((category, _, _)) = by_supplier.get(*supplier).and_then(Tally::top) {
            elsewhere.add(category, **pence);
            if named.len() < 3 {
                named.push(format!("{supplier} ({}, {} here)", category_text(category), pounds(**pence)));
            }
        }
    }
    match elsewhere.top() {
        Some((category, top, total)) => (
            Some(category),
            format!(
                "suppliers classified elsewhere: {}; {:.0}% of that spend is {}",
                named.join(", "),
                share(top, total),
                category_text(category)
            ),
        ),
        None => {
            let top: Vec<String> = suppliers.iter().take(3).map(|(s, p)| format!("{s} ({})", pounds(**p))).collect();
            let why = if top.is_empty() { "no supplier named".to_string() } else { top.join(", ") };
            (None, format!("no classified spend to go by; suppliers: {why}"))
        }
    }
}

/// A TOML basic string, quoted and escaped.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}
