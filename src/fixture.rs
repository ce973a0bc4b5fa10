//! A tiny hand-checkable spend dataset for tests and for `\h` examples: fourteen payments
//! across three councils and two financial years, with a credit, card payments and a
//! redacted beneficiary. Written straight to Parquet through the catalog, so the language
//! can be tested without going through ingest. Every total in the tests is worked out by
//! hand from the rows below.
//!
//! Test support only: compiled under `cfg(test)` or the `test-support` feature (which the
//! crate's self dev-dependency turns on for tests, examples and benches), never into the
//! shipped library or binary.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int64Array, RecordBatch, StringArray, new_null_array,
};
use datafusion::parquet::arrow::ArrowWriter;

use crate::catalog::{Dataset, SourceKind, SourceRecord};
use crate::error::{Error, Result};
use crate::schema::{self, MONEY_PRECISION, MONEY_SCALE, Table};

/// One fixture payment: council, date, pence, supplier name, supplier key, category (both
/// the published and the harmonised one),
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
        // The harmonised category is the fixture's own category too: the language is tested
        // on hand-written values, without the classifier deciding them.
        text(|r| r.5),
        nulls(),
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
    // As every ingest does: supplier keys and the `suppliers` table.
    crate::ingest::derive_identity(&mut tx, dir)?;
    tx.commit()
}

/// One fixture contract: the columns `spendql workplan` and contract tests read; the rest
/// of the `contracts` table is left null. Values are pence; dates are `yyyy-mm-dd`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContractRow<'a> {
    pub council: &'a str,
    pub reference: &'a str,
    pub title: &'a str,
    pub supplier_name: Option<&'a str>,
    pub supplier_key: Option<&'a str>,
    pub procedure: Option<&'a str>,
    pub sme: Option<bool>,
    pub start_date: Option<&'a str>,
    pub collaborative: Option<&'a str>,
    pub savings_cashable: Option<i128>,
    pub savings_non_cashable: Option<i128>,
    pub social_value: Option<i128>,
    /// The contract's category, stored both as published and as if already classified
    /// (the fixture runs no classification pass).
    pub category: Option<&'a str>,
    /// Its code, stored as `category` is.
    pub category_code: Option<&'a str>,
    pub value_total: Option<i128>,
    pub value_annual: Option<i128>,
    pub end_date: Option<&'a str>,
    pub expiry_date: Option<&'a str>,
    pub officer: Option<&'a str>,
    pub status: Option<&'a str>,
}

/// Write `rows` as the contracts table of a new committed version of the dataset at `dir`
/// (any spend already there is carried over), as a contracts ingest would.
pub fn write_contract_rows<'a>(dir: &Path, rows: &[ContractRow<'a>]) -> Result<()> {
    use schema::contracts::{
        CATEGORY, CATEGORY_CODE, COLLABORATIVE, COUNCIL, COUNCIL_CODE, END_DATE, EXPIRY_DATE, OFFICER, PROCEDURE,
        PUBLISHED_CATEGORY, PUBLISHED_CATEGORY_CODE, REFERENCE, SAVINGS_CASHABLE, SAVINGS_NON_CASHABLE, SME,
        SOCIAL_VALUE, SOURCE_FILE, SOURCE_ROW, START_DATE, STATUS, SUPPLIER_KEY, SUPPLIER_NAME, TITLE, VALUE_ANNUAL,
        VALUE_TOTAL,
    };
    let schema = schema::contracts_schema();
    let n = rows.len();
    let text = |f: fn(&ContractRow<'a>) -> Option<&'a str>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<StringArray>())
    };
    let money = |f: fn(&ContractRow<'a>) -> Option<i128>| -> Result<ArrayRef> {
        Ok(Arc::new(
            rows.iter().map(f).collect::<Decimal128Array>().with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?,
        ))
    };
    let date = |f: fn(&ContractRow<'a>) -> Option<&'a str>| -> Result<ArrayRef> {
        let days = rows.iter().map(|r| f(r).map(days).transpose()).collect::<Result<Vec<_>>>()?;
        Ok(Arc::new(Date32Array::from(days)))
    };
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|field| -> Result<ArrayRef> {
            Ok(match field.name().as_str() {
                COUNCIL => text(|r| Some(r.council)),
                COUNCIL_CODE => text(|r| schema::council_code(r.council)),
                REFERENCE => text(|r| Some(r.reference)),
                TITLE => text(|r| Some(r.title)),
                SUPPLIER_NAME => text(|r| r.supplier_name),
                SUPPLIER_KEY => text(|r| r.supplier_key),
                PROCEDURE => text(|r| r.procedure),
                COLLABORATIVE => text(|r| r.collaborative),
                SME => Arc::new(rows.iter().map(|r| r.sme).collect::<BooleanArray>()),
                START_DATE => date(|r| r.start_date)?,
                SAVINGS_CASHABLE => money(|r| r.savings_cashable)?,
                SAVINGS_NON_CASHABLE => money(|r| r.savings_non_cashable)?,
                SOCIAL_VALUE => money(|r| r.social_value)?,
                CATEGORY | PUBLISHED_CATEGORY => text(|r| r.category),
                CATEGORY_CODE | PUBLISHED_CATEGORY_CODE => text(|r| r.category_code),
                OFFICER => text(|r| r.officer),
                STATUS => text(|r| r.status),
                VALUE_TOTAL => money(|r| r.value_total)?,
                VALUE_ANNUAL => money(|r| r.value_annual)?,
                END_DATE => date(|r| r.end_date)?,
                EXPIRY_DATE => date(|r| r.expiry_date)?,
                SOURCE_FILE => Arc::new(StringArray::from_iter_values(std::iter::repeat_n("contracts.csv", n))),
                SOURCE_ROW => Arc::new(Int64Array::from_iter_values(2..(n as i64 + 2))),
                _ => new_null_array(field.data_type(), n),
            })
        })
        .collect::<Result<_>>()?;
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    let dataset = Dataset::new(dir);
    let mut tx = dataset.begin()?;
    tx.remove_source("Fixture", SourceKind::Contracts, "contracts.csv")?;
    let relative = "contracts/fixture.parquet";
    std::fs::create_dir_all(tx.dir().join("contracts")).map_err(|e| Error::io("cannot create fixture folder", e))?;
    let file = std::fs::File::create(tx.dir().join(relative)).map_err(|e| Error::io("cannot create fixture", e))?;
    let mut writer = ArrowWriter::try_new(file, schema, None)?;
    writer.write(&batch)?;
    writer.close()?;
    let total: i128 = rows.iter().filter_map(|r| r.value_total).sum();
    tx.add_source(SourceRecord {
        council: "Fixture".into(),
        kind: SourceKind::Contracts,
        source_name: "contracts.csv".into(),
        sha256: String::new(),
        rows_read: n as u64,
        rows_loaded: n as u64,
        rows_rejected: 0,
        amount_read: crate::money::format_pence(total),
        amount_loaded: crate::money::format_pence(total),
        amount_rejected: "0.00".into(),
        parquet_files: vec![relative.into()],
        mapping: vec![],
        ingested_at: String::new(),
    });
    // As a contracts ingest does: keys and `suppliers`, then spend relinked to the register.
    crate::ingest::derive_identity(&mut tx, dir)?;
    crate::ingest::relink(&mut tx, dir, &crate::ingest::LinkScope::All)?;
    tx.commit()
}

/// Four contracts over the spend fixture's suppliers, chosen so that each side of the
/// on/off-contract rule is exercised: a payment the day before a contract starts, a
/// collaborative contract covering another council, a contract with no payments.
pub const CONTRACTS: &[ContractRow<'static>] = &[
    ContractRow {
        council: "Trafford",
        reference: "T-AMEY",
        title: "Highways maintenance",
        supplier_name: Some("Amey Ltd"),
        supplier_key: Some("AMEY"),
        procedure: Some("Open Tender"),
        sme: Some(false),
        start_date: Some("2021-05-01"),
        collaborative: Some("Stockport"),
        savings_cashable: Some(100_000),
        savings_non_cashable: Some(50_000),
        social_value: Some(200_000),
        category: Some("Highways"),
        category_code: None,
        value_total: Some(5_000_000),
        value_annual: None,
        end_date: Some("2022-04-30"),
        expiry_date: Some("2022-04-30"),
        officer: Some("Ann"),
        status: None,
    },
    ContractRow {
        council: "Salford",
        reference: "S-WATES",
        title: "Construction works",
        supplier_name: Some("Wates Construction Ltd"),
        supplier_key: Some("WATES CONSTRUCTION"),
        procedure: Some("Framework"),
        sme: Some(false),
        start_date: Some("2021-04-01"),
        collaborative: None,
        savings_cashable: Some(0),
        savings_non_cashable: None,
        social_value: Some(500_000),
        category: Some("Construction"),
        category_code: None,
        value_total: Some(10_000_000),
        value_annual: None,
        end_date: Some("2022-03-31"),
        expiry_date: Some("2022-03-31"),
        officer: Some("Bob"),
        status: None,
    },
    ContractRow {
        council: "Stockport",
        reference: "K-CAPITA",
        title: "IT services",
        supplier_name: Some("Capita PLC"),
        supplier_key: Some("CAPITA"),
        procedure: Some("Quotation"),
        sme: Some(false),
        start_date: Some("2022-09-01"),
        collaborative: None,
        savings_cashable: None,
        savings_non_cashable: None,
        social_value: None,
        category: Some("IT"),
        category_code: None,
        value_total: Some(3_000_000),
        value_annual: None,
        end_date: Some("2023-08-31"),
        expiry_date: Some("2023-08-31"),
        officer: Some("Ann"),
        status: None,
    },
    ContractRow {
        council: "Salford",
        reference: "S-CATER",
        title: "School catering",
        supplier_name: Some("Tesco Stores"),
        supplier_key: Some("TESCO STORES"),
        procedure: Some("Quotation"),
        sme: Some(true),
        start_date: Some("2022-01-01"),
        collaborative: None,
        savings_cashable: None,
        savings_non_cashable: None,
        social_value: None,
        category: Some("Catering"),
        category_code: None,
        value_total: Some(800_000),
        value_annual: None,
        end_date: Some("2022-12-31"),
        expiry_date: Some("2022-12-31"),
        officer: Some("Cara"),
        status: None,
    },
];

/// The spend fixture plus [`CONTRACTS`], linked by the same pass ingest runs.
pub fn write_linked_fixture(dir: &Path) -> Result<()> {
    write_spend_fixture(dir)?;
    write_contract_rows(dir, CONTRACTS)
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
    let folder = crate::catalog::partition_folder(table, council, None);
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
            // `suppliers` is derived; a batch of it is not a source.
            Table::Spend | Table::Suppliers => SourceKind::Spend,
            Table::Contracts => SourceKind::Contracts,
            Table::Metrics => SourceKind::Metrics,
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
    crate::ingest::derive_identity(&mut tx, dir)?;
    tx.commit()
}

/// The report fixture's payments: two councils, the quarter 2024/25 Q2 (July to September
/// 2024, complete because the last payment is on 30 September), the quarter before it and
/// the same quarter of 2023. Pence; every KPI total in the report tests is summed from here.
///
/// | quarter    | Rochdale                                             | Salford                            |
/// |------------|------------------------------------------------------|------------------------------------|
/// | 2023/24 Q2 | ACME £600 (on)                                       | BUILDCO £400 (on)                  |
/// | 2024/25 Q1 | ACME £800 (on), PAPER CO £200 (off)                  | BUILDCO £900 (on), PAPER CO £100 (off) |
/// | 2024/25 Q2 | ACME £600 (on), NEWCO £400 (off), redacted £500      | BUILDCO £900 (on), PAPER CO £100 (off) |
pub const REPORT_ROWS: &[Row] = &[
    ("Rochdale", "2023-08-10", 60_000, "ACME LTD", "ACME", "Construction", "Place", "Works", false, false),
    ("Salford", "2023-08-15", 40_000, "BUILDCO LTD", "BUILDCO", "Construction", "Place", "Works", false, false),
    ("Rochdale", "2024-04-10", 80_000, "ACME LTD", "ACME", "Construction", "Place", "Works", false, false),
    ("Rochdale", "2024-05-10", 20_000, "PAPER CO", "PAPER CO", "Stationery", "Corporate", "Supplies", false, false),
    ("Salford", "2024-06-01", 90_000, "BUILDCO LTD", "BUILDCO", "Construction", "Place", "Works", false, false),
    ("Salford", "2024-06-02", 10_000, "PAPER CO", "PAPER CO", "Stationery", "Corporate", "Supplies", false, false),
    ("Rochdale", "2024-07-05", 60_000, "ACME LTD", "ACME", "Construction", "Place", "Works", false, false),
    ("Rochdale", "2024-08-20", 40_000, "NEWCO LTD", "NEWCO", "Construction", "Place", "Works", false, false),
    ("Rochdale", "2024-09-01", 50_000, "Redacted", "REDACTED", "Social Care", "Adults", "Care", false, true),
    ("Salford", "2024-09-10", 10_000, "PAPER CO", "PAPER CO", "Stationery", "Corporate", "Supplies", false, false),
    ("Salford", "2024-09-30", 90_000, "BUILDCO LTD", "BUILDCO", "Construction", "Place", "Works", false, false),
];

const fn report_contract(
    council: &'static str,
    reference: &'static str,
    supplier: &'static str,
    start: &'static str,
    social_value: Option<i128>,
) -> ContractRow<'static> {
    ContractRow {
        council,
        reference,
        title: reference,
        supplier_name: Some(supplier),
        supplier_key: None,
        procedure: None,
        sme: None,
        start_date: Some(start),
        collaborative: None,
        savings_cashable: None,
        savings_non_cashable: None,
        social_value,
        category: Some("Construction"),
        category_code: None,
        value_total: Some(1_000_000),
        value_annual: None,
        end_date: Some("2026-03-31"),
        expiry_date: Some("2026-03-31"),
        officer: None,
        status: None,
    }
}

/// The report fixture's contracts: the two that put ACME's and BUILDCO's payments on
/// contract, and five that start in 2024/25 Q1 and Q2 with and without social value.
///
/// | starts in  | Rochdale              | Salford                          |
/// |------------|-----------------------|----------------------------------|
/// | 2024/25 Q1 | R-NEW1 (£500)         | S-NEW1 (none)                    |
/// | 2024/25 Q2 | R-NEW2 (£200)         | S-NEW2 (£100), S-NEW3 (£0)       |
pub const REPORT_CONTRACTS: &[ContractRow<'static>] = &[
    report_contract("Rochdale", "R-ACME", "ACME LTD", "2023-04-01", Some(100_000)),
    report_contract("Salford", "S-BUILD", "BUILDCO LTD", "2023-04-01", Some(0)),
    report_contract("Rochdale", "R-NEW1", "ALPHA CARE", "2024-05-01", Some(50_000)),
    report_contract("Salford", "S-NEW1", "BETA WORKS", "2024-06-01", None),
    report_contract("Rochdale", "R-NEW2", "GAMMA SERVICES", "2024-07-15", Some(20_000)),
    report_contract("Salford", "S-NEW2", "DELTA LTD", "2024-08-01", Some(10_000)),
    report_contract("Salford", "S-NEW3", "EPSILON LTD", "2024-09-01", Some(0)),
];

/// One report fixture metric figure: council (`None`: the whole service), month
/// (`yyyy-mm`), metric, value in ten-thousandths, aggregation.
pub type MetricRow = (Option<&'static str>, &'static str, &'static str, i128, &'static str);

/// The report fixture's metrics: monthly days to pay per council (averaged) and the
/// service's website sessions (summed).
///
/// | days to pay | 2023-08 | 2024-04..06 | 2024-07..09 |
/// |-------------|---------|-------------|-------------|
/// | Rochdale    | 30      | 20, 22, 24  | 25, 25, 28  |
/// | Salford     | 24      | 18, 18, 18  | 19, 20, 21  |
///
/// Website sessions: 2024-04..06 1,000, 1,100, 900; 2024-07..09 1,200, 1,300, 1,500.
pub const REPORT_METRICS: &[MetricRow] = &[
    (Some("Rochdale"), "2023-08", "days to pay", 300_000, "average"),
    (Some("Salford"), "2023-08", "days to pay", 240_000, "average"),
    (Some("Rochdale"), "2024-04", "days to pay", 200_000, "average"),
    (Some("Rochdale"), "2024-05", "days to pay", 220_000, "average"),
    (Some("Rochdale"), "2024-06", "days to pay", 240_000, "average"),
    (Some("Salford"), "2024-04", "days to pay", 180_000, "average"),
    (Some("Salford"), "2024-05", "days to pay", 180_000, "average"),
    (Some("Salford"), "2024-06", "days to pay", 180_000, "average"),
    (Some("Rochdale"), "2024-07", "days to pay", 250_000, "average"),
    (Some("Rochdale"), "2024-08", "days to pay", 250_000, "average"),
    (Some("Rochdale"), "2024-09", "days to pay", 280_000, "average"),
    (Some("Salford"), "2024-07", "days to pay", 190_000, "average"),
    (Some("Salford"), "2024-08", "days to pay", 200_000, "average"),
    (Some("Salford"), "2024-09", "days to pay", 210_000, "average"),
    (None, "2024-04", "website sessions", 10_000_000, "sum"),
    (None, "2024-05", "website sessions", 11_000_000, "sum"),
    (None, "2024-06", "website sessions", 9_000_000, "sum"),
    (None, "2024-07", "website sessions", 12_000_000, "sum"),
    (None, "2024-08", "website sessions", 13_000_000, "sum"),
    (None, "2024-09", "website sessions", 15_000_000, "sum"),
];

/// The report fixture: [`REPORT_ROWS`] and [`REPORT_CONTRACTS`], linked, and [`REPORT_METRICS`].
pub fn write_report_fixture(dir: &Path) -> Result<()> {
    use schema::metrics;
    write_rows(dir, REPORT_ROWS)?;
    write_contract_rows(dir, REPORT_CONTRACTS)?;
    let rows = REPORT_METRICS;
    let month = |m: &str| -> Result<(i32, i32)> {
        let start: chrono::NaiveDate =
            format!("{m}-01").parse().map_err(|e| Error::usage(format!("fixture month {m}: {e}")))?;
        let end = start.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(start);
        Ok((days(&start.to_string())?, days(&end.to_string())?))
    };
    let periods = rows.iter().map(|r| month(r.1)).collect::<Result<Vec<_>>>()?;
    let values = Decimal128Array::from_iter_values(rows.iter().map(|r| r.3))
        .with_precision_and_scale(schema::METRIC_PRECISION, schema::METRIC_SCALE)?;
    let text = |f: fn(&MetricRow) -> &str| -> ArrayRef { Arc::new(StringArray::from_iter_values(rows.iter().map(f))) };
    let batch = table_batch(
        Table::Metrics,
        vec![
            (metrics::COUNCIL, Arc::new(rows.iter().map(|r| r.0).collect::<StringArray>()) as ArrayRef),
            (metrics::PERIOD_START, Arc::new(Date32Array::from(periods.iter().map(|p| p.0).collect::<Vec<_>>()))),
            (metrics::PERIOD_END, Arc::new(Date32Array::from(periods.iter().map(|p| p.1).collect::<Vec<_>>()))),
            (metrics::METRIC, text(|r| r.2)),
            (metrics::VALUE, Arc::new(values)),
            (metrics::AGGREGATION, text(|r| r.4)),
            (metrics::SOURCE, text(|_| "fixture")),
            (metrics::SOURCE_FILE, text(|_| "metrics.csv")),
            (metrics::SOURCE_ROW, Arc::new(Int64Array::from_iter_values(2..(rows.len() as i64 + 2)))),
        ],
    )?;
    write_table_batch(dir, Table::Metrics, "Fixture", "metrics.csv", &batch)
}
