//! A tiny hand-checkable spend dataset for tests and for `\h` examples: fourteen payments
//! across three councils and two financial years, with a credit, card payments and a
//! redacted beneficiary. Written straight to Parquet through the catalog, so the language
//! can be tested without going through ingest. Every total in the tests is worked out by
//! hand from the rows below.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int64Array, RecordBatch, StringArray, new_null_array,
};
use datafusion::parquet::arrow::ArrowWriter;

use crate::catalog::{Dataset, SourceKind, SourceRecord};
use crate::error::{Error, Result};
use crate::schema::{self, MONEY_PRECISION, MONEY_SCALE, Table};

/// One fixture payment: council, date, pence, supplier name, supplier key, category,
/// department, expense type, card, redacted.
pub type Row = (
    &'static str,
    &'static str,
    i128,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    bool,
);

pub const ROWS: &[Row] = &[
    ("Trafford", "2021-04-15", 100_000, "Amey Ltd", "AMEY", "Highways", "Place", "Works", false, false),
    ("Trafford", "2021-05-20", 25_050, "AMEY LIMITED", "AMEY", "Highways", "Place", "Works", false, false),
    ("Trafford", "2021-06-01", -10_000, "Amey Ltd", "AMEY", "Highways", "Place", "Works", false, false),
    (
        "Trafford",
        "2022-04-10",
        3_000_000,
        "Wates Construction Ltd",
        "WATES CONSTRUCTION",
        "Construction",
        "Place",
        "Capital",
        false,
        false,
    ),
    ("Trafford", "2022-07-01", 7_525, "Tesco Stores", "TESCO STORES", "Catering", "Schools", "Supplies", true, false),
    ("Salford", "2021-04-02", 50_000, "Amey Ltd", "AMEY", "Highways", "Place", "Works", false, false),
    ("Salford", "2021-09-30", 120_000, "Redacted", "REDACTED", "Social Care", "Adults", "Care", false, true),
    (
        "Salford",
        "2022-01-15",
        2_600_000,
        "Wates Construction Ltd",
        "WATES CONSTRUCTION",
        "Construction",
        "Place",
        "Capital",
        false,
        false,
    ),
    ("Salford", "2022-03-31", 80_000, "Capita PLC", "CAPITA", "IT", "Corporate", "Consultancy", false, false),
    ("Salford", "2022-04-01", 90_000, "Capita PLC", "CAPITA", "IT", "Corporate", "Consultancy", false, false),
    (
        "Stockport",
        "2021-12-25",
        65_000,
        "Tesco Stores Ltd",
        "TESCO STORES",
        "Catering",
        "Schools",
        "Supplies",
        true,
        false,
    ),
    ("Stockport", "2022-02-14", 200_000, "Amey Ltd", "AMEY", "Highways", "Place", "Works", false, false),
    ("Stockport", "2022-08-31", -5_000, "Capita PLC", "CAPITA", "IT", "Corporate", "Consultancy", false, false),
    ("Stockport", "2022-09-01", 400_000, "Capita PLC", "CAPITA", "IT", "Corporate", "Consultancy", false, false),
];

fn days(date: &str) -> Result<i32> {
    let d: chrono::NaiveDate = date.parse().map_err(|e| Error::usage(format!("fixture date {date}: {e}")))?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
    Ok((d - epoch).num_days() as i32)
}

/// Write the fixture rows as one committed version of a dataset at `dir`.
pub fn write_spend_fixture(dir: &Path) -> Result<()> {
    write_rows(dir, ROWS)
}

/// Write `rows` as the spend table of a dataset at `dir`.
pub fn write_rows(dir: &Path, rows: &[Row]) -> Result<()> {
    let schema = schema::spend_schema();
    let n = rows.len();
    let text = |f: fn(&Row) -> &str| -> ArrayRef { Arc::new(StringArray::from_iter_values(rows.iter().map(f))) };
    let nulls = || -> ArrayRef { Arc::new(StringArray::from(vec![None::<&str>; n])) };
    let money = Decimal128Array::from_iter_values(rows.iter().map(|r| r.2))
        .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?;
    let dates = rows.iter().map(|r| days(r.1)).collect::<Result<Vec<_>>>()?;
    let columns: Vec<ArrayRef> = vec![
        text(|r| r.0),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| schema::council_code(r.0).unwrap_or("")))),
        Arc::new(StringArray::from_iter_values((1..=n).map(|i| format!("T{i:04}")))),
        Arc::new(Date32Array::from(dates)),
        Arc::new(money),
        Arc::new(Decimal128Array::from(vec![None::<i128>; n]).with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?),
        text(|r| r.3),
        text(|r| r.4),
        nulls(),
        nulls(),
        nulls(),
        text(|r| r.6),
        text(|r| r.7),
        text(|r| r.5),
        nulls(),
        nulls(),
        Arc::new(BooleanArray::from(rows.iter().map(|r| r.8).collect::<Vec<_>>())),
        Arc::new(BooleanArray::from(rows.iter().map(|r| r.9).collect::<Vec<_>>())),
        Arc::new(StringArray::from_iter_values(std::iter::repeat_n("fixture.csv", n))),
        Arc::new(Int64Array::from_iter_values(2..(n as i64 + 2))),
        nulls(),
        nulls(),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    let dataset = Dataset::new(dir);
    let mut tx = dataset.begin()?;
    let relative = "spend/fixture.parquet";
    let path = tx.dir().join(relative);
    std::fs::create_dir_all(tx.dir().join("spend")).map_err(|e| Error::io("cannot create fixture folder", e))?;
    let file = std::fs::File::create(&path).map_err(|e| Error::io("cannot create fixture", e))?;
    let mut writer = ArrowWriter::try_new(file, schema, None)?;
    writer.write(&batch)?;
    writer.close()?;
    let total: i128 = rows.iter().map(|r| r.2).sum();
    tx.add_source(SourceRecord {
        council: "Fixture".into(),
        kind: SourceKind::Spend,
        source_name: "fixture.csv".into(),
        sha256: String::new(),
        rows_read: n as u64,
        rows_loaded: n as u64,
        rows_rejected: 0,
        amount_read: format!("{}.{:02}", total / 100, total % 100),
        amount_loaded: format!("{}.{:02}", total / 100, total % 100),
        amount_rejected: "0.00".into(),
        parquet_files: vec![relative.into()],
        mapping: vec![],
        ingested_at: String::new(),
    });
    tx.commit()
}

/// A batch with `table`'s full schema from just the named columns; every other column is
/// null. For tests that care about a few columns only (the non-nullable ones must be given).
pub fn table_batch(table: Table, columns: Vec<(&str, ArrayRef)>) -> Result<RecordBatch> {
    let schema = table.schema();
    let rows = columns.first().map_or(0, |(_, c)| c.len());
    let mut given: std::collections::HashMap<&str, ArrayRef> = columns.into_iter().collect();
    let arrays: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|f| given.remove(f.name().as_str()).unwrap_or_else(|| new_null_array(f.data_type(), rows)))
        .collect();
    if let Some(name) = given.keys().next() {
        return Err(Error::usage(format!("fixture: {} has no column {name}", table.name())));
    }
    Ok(RecordBatch::try_new(schema, arrays)?)
}

/// Commit `batch` as the rows of one more source file of `table` for `council`, as ingest
/// would: a new dataset version holding everything before plus this file.
pub fn write_table_batch(
    dir: &Path,
    table: Table,
    council: &str,
    source_name: &str,
    batch: &RecordBatch,
) -> Result<()> {
    let dataset = Dataset::new(dir);
    let mut tx = dataset.begin()?;
    let folder = format!("{}/council={council}", table.name());
    let relative = format!("{folder}/fixture-{}.parquet", tx.manifest().version);
    std::fs::create_dir_all(tx.dir().join(&folder)).map_err(|e| Error::io("cannot create fixture folder", e))?;
    let file = std::fs::File::create(tx.dir().join(&relative)).map_err(|e| Error::io("cannot create fixture", e))?;
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None)?;
    writer.write(batch)?;
    writer.close()?;
    let rows = batch.num_rows() as u64;
    tx.add_source(SourceRecord {
        council: council.into(),
        kind: match table {
            Table::Spend => SourceKind::Spend,
            Table::Contracts => SourceKind::Contracts,
        },
        source_name: source_name.into(),
        sha256: String::new(),
        rows_read: rows,
        rows_loaded: rows,
        rows_rejected: 0,
        amount_read: "0.00".into(),
        amount_loaded: "0.00".into(),
        amount_rejected: "0.00".into(),
        parquet_files: vec![relative],
        mapping: vec![],
        ingested_at: String::new(),
    });
    tx.commit()
}
