//! The `suppliers` table: one row per supplier key, with its label (the commonest published
//! name), identifiers, councils, first and last payment, payments and spend. Rebuilt whole
//! inside every transaction that changes spend, contracts or `suppliers.toml`, from the
//! tallies the identity pass (`identity`) gathers while it reads every row anyway, so the
//! table costs no second read of the dataset.
//!
//! It exists so that supplier queries can group by key alone and join the label on after
//! aggregating: picking the commonest name per key at query time regrouped every row by
//! (key, name), which made `top 10 suppliers` several times slower than DuckDB.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, File};
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::parquet::arrow::ArrowWriter;

use crate::catalog::derived_file;
use crate::error::{Error, Result};
use crate::schema::{MONEY_PRECISION, MONEY_SCALE, Table};

use super::write::writer_properties;

/// Which table a row was read from: labels prefer the names spend publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A `spend` row.
    Spend,
    /// A `contracts` row.
    Contracts,
}

/// What is known of one supplier key (or of one name key before keys are merged).
#[derive(Debug, Clone, Default)]
pub struct Tally {
    spend_names: HashMap<String, u64>,
    contract_names: HashMap<String, u64>,
    company: HashMap<String, u64>,
    charity: HashMap<String, u64>,
    vat: HashMap<String, u64>,
    councils: BTreeSet<String>,
    redacted: bool,
    first: Option<i32>,
    last: Option<i32>,
    payments: u64,
    spend: i128,
    contracts: u64,
}

/// The identifiers of one row, normalised; `None` where not published or a placeholder.
#[derive(Debug, Clone, Copy, Default)]
pub struct RowIds<'a> {
    /// Companies House number.
    pub company: Option<&'a str>,
    /// Charity number.
    pub charity: Option<&'a str>,
    /// VAT registration number.
    pub vat: Option<&'a str>,
}

/// A spend row's payment: date (days since the epoch) and amount (pence).
#[derive(Debug, Clone, Copy)]
pub struct Payment {
    /// Days since the epoch.
    pub date: i32,
    /// Pence.
    pub amount: i128,
}

fn bump(map: &mut HashMap<String, u64>, value: &str, by: u64) {
    match map.get_mut(value) {
        Some(n) => *n += by,
        None => {
            map.insert(value.to_string(), by);
        }
    }
}

impl Tally {
    /// Count one row. `payment` is `None` for a contracts row.
    pub fn add(
        &mut self,
        side: Side,
        name: Option<&str>,
        council: &str,
        ids: RowIds<'_>,
        redacted: bool,
        payment: Option<Payment>,
    ) {
        if let Some(name) = name {
            bump(if side == Side::Spend { &mut self.spend_names } else { &mut self.contract_names }, name, 1);
        }
        for (map, id) in [(&mut self.company, ids.company), (&mut self.charity, ids.charity), (&mut self.vat, ids.vat)]
        {
            if let Some(id) = id {
                bump(map, id, 1);
            }
        }
        if !self.councils.contains(council) {
            self.councils.insert(council.to_string());
        }
        self.redacted |= redacted;
        match payment {
            Some(p) => {
                self.payments += 1;
                self.spend += p.amount;
                self.first = Some(self.first.map_or(p.date, |d| d.min(p.date)));
                self.last = Some(self.last.map_or(p.date, |d| d.max(p.date)));
            }
            None => self.contracts += 1,
        }
    }

    /// Fold another key's tally into this one (keys merged by an identifier).
    pub fn merge(&mut self, other: &Tally) {
        for (mine, theirs) in [
            (&mut self.spend_names, &other.spend_names),
            (&mut self.contract_names, &other.contract_names),
            (&mut self.company, &other.company),
            (&mut self.charity, &other.charity),
            (&mut self.vat, &other.vat),
        ] {
            for (value, n) in theirs {
                bump(mine, value, *n);
            }
        }
        self.councils.extend(other.councils.iter().cloned());
        self.redacted |= other.redacted;
        self.first = [self.first, other.first].into_iter().flatten().min();
        self.last = [self.last, other.last].into_iter().flatten().max();
        self.payments += other.payments;
        self.spend += other.spend;
        self.contracts += other.contracts;
    }

    /// Rows counted: spend and contracts together.
    pub fn rows(&self) -> u64 {
        self.payments + self.contracts
    }

    /// The label: the name on most spend rows, or on most contracts rows for a supplier
    /// with no spend; ties go to the name first in byte order (as `ORDER BY name` sorts).
    pub fn label(&self) -> Option<&str> {
        let names = if self.spend_names.is_empty() { &self.contract_names } else { &self.spend_names };
        commonest(names)
    }

    fn distinct_names(&self) -> usize {
        let mut all: BTreeSet<&str> = self.spend_names.keys().map(String::as_str).collect();
        all.extend(self.contract_names.keys().map(String::as_str));
        all.len()
    }
}

/// The value on most rows; ties to the smallest in byte order, so the pick never depends on
/// the order files were read in.
fn commonest(counts: &HashMap<String, u64>) -> Option<&str> {
    counts.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(v, _)| v.as_str())
}

/// Write the `suppliers` table of the staged version at `version_dir` from the tallies by
/// final supplier key, replacing the one carried over from the previous version (by
/// rename, so the committed version's hard link is never written through). With no
/// suppliers at all, the table is removed. Returns the rows written.
pub fn write_table(version_dir: &Path, tallies: &BTreeMap<String, Tally>) -> Result<usize> {
    let relative = derived_file(Table::Suppliers).expect("suppliers is a derived table");
    let path = version_dir.join(relative);
    if tallies.is_empty() {
        if path.exists() {
            fs::remove_file(&path).map_err(|e| Error::io(format!("cannot remove {}", path.display()), e))?;
        }
        return Ok(0);
    }
    let schema = Table::Suppliers.schema();
    let n = tallies.len();
    let text = |f: &dyn Fn(&Tally) -> Option<String>| -> ArrayRef {
        Arc::new(tallies.values().map(f).collect::<StringArray>())
    };
    let count = |f: &dyn Fn(&Tally) -> u64| -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(tallies.values().map(|t| i64::try_from(f(t)).unwrap_or(i64::MAX))))
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(tallies.keys())),
        text(&|t| t.label().map(str::to_string)),
        count(&|t| t.distinct_names() as u64),
        text(&|t| commonest(&t.company).map(str::to_string)),
        text(&|t| commonest(&t.charity).map(str::to_string)),
        text(&|t| commonest(&t.vat).map(str::to_string)),
        text(&|t| Some(t.councils.iter().map(String::as_str).collect::<Vec<_>>().join(";"))),
        Arc::new(tallies.values().map(|t| Some(t.redacted)).collect::<BooleanArray>()),
        Arc::new(tallies.values().map(|t| t.first).collect::<Date32Array>()),
        Arc::new(tallies.values().map(|t| t.last).collect::<Date32Array>()),
        count(&|t| t.payments),
        Arc::new(
            Decimal128Array::from_iter_values(tallies.values().map(|t| t.spend))
                .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?,
        ),
        count(&|t| t.contracts),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(format!("cannot create {}", parent.display()), e))?;
    }
    let tmp = path.with_extension("parquet.tmp");
    let file = File::create(&tmp).map_err(|e| Error::io(format!("cannot create {}", tmp.display()), e))?;
    let mut writer = ArrowWriter::try_new(file, schema, Some(writer_properties()))?;
    writer.write(&batch)?;
    let file = writer.into_inner()?;
    file.sync_all().map_err(|e| Error::io(format!("cannot sync {}", tmp.display()), e))?;
    fs::rename(&tmp, &path).map_err(|e| Error::io(format!("cannot replace {}", path.display()), e))?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spend(t: &mut Tally, name: &str, council: &str, date: i32, amount: i128) {
        t.add(Side::Spend, Some(name), council, RowIds::default(), false, Some(Payment { date, amount }));
    }

    #[test]
    fn the_label_is_the_commonest_spend_name_ties_to_the_first_in_byte_order() {
        let mut t = Tally::default();
        spend(&mut t, "AMEY LIMITED", "Trafford", 5, 100);
        spend(&mut t, "Amey Ltd", "Trafford", 3, 100);
        assert_eq!(t.label(), Some("AMEY LIMITED"), "'A' 'M' sorts before 'A' 'm'");
        spend(&mut t, "Amey Ltd", "Salford", 9, -50);
        assert_eq!(t.label(), Some("Amey Ltd"));
        t.add(Side::Contracts, Some("Amey"), "Salford", RowIds::default(), false, None);
        t.add(Side::Contracts, Some("Amey"), "Salford", RowIds::default(), false, None);
        assert_eq!(t.label(), Some("Amey Ltd"), "contracts names label only suppliers without spend");
        assert_eq!((t.first, t.last, t.payments, t.spend, t.contracts), (Some(3), Some(9), 3, 150, 2));
        assert_eq!(t.councils.iter().collect::<Vec<_>>(), ["Salford", "Trafford"]);
    }

    #[test]
    fn merging_adds_counts_and_widens_dates() {
        let mut a = Tally::default();
        spend(&mut a, "A", "X", 10, 1);
        let mut b = Tally::default();
        spend(&mut b, "B", "Y", 2, 2);
        spend(&mut b, "B", "Y", 20, 2);
        a.merge(&b);
        assert_eq!((a.first, a.last, a.payments, a.spend), (Some(2), Some(20), 3, 5));
        assert_eq!(a.label(), Some("B"));
        assert_eq!(a.distinct_names(), 2);
    }
}
