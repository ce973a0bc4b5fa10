//! `spendql check`: how far each council's published data meets the Local Government
//! Transparency Code 2015. For every payment line and contract the Code covers, it asks
//! whether each field the Code requires was published, tallies the gaps per council and
//! field, and can list every failing record.
//!
//! It reads the tables' Parquet files directly rather than through the query engine, so it
//! is a second, independent path over the same data: `queries/data-quality.spql` asks some
//! of the same questions in SpendQL, and the tests hold the two to agreement.
//!
//! What counts as published is decided here, once, in [`SPEND_REQUIREMENTS`] and
//! [`CONTRACT_REQUIREMENTS`] and the two functions that evaluate them; README.md states the
//! same rules with the Code's wording.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, RecordBatch};
use datafusion::arrow::datatypes::DataType;

use crate::catalog::reader::{flag_at, money_at};
use crate::catalog::{Dataset, TableBatch};
use crate::error::{Error, ErrorKind, Result};
use crate::money::format_pence;
use crate::output;
use crate::schema::{Table, contracts, spend};
use crate::suppliers::COMPANY_FORMS;

/// The Code covers payment lines over £500 (credits too: the size is what matters).
pub const SPEND_THRESHOLD_PENCE: i128 = 500 * 100;
/// The Code covers contracts worth more than £5,000.
pub const CONTRACT_THRESHOLD_PENCE: i128 = 5_000 * 100;

/// One field the Code requires, and the columns that can supply it. When there is more than
/// one, the report says which of them each council actually published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    /// The name used in reports and in the failures file.
    pub field: &'static str,
    /// The columns (or, for `redacted`, the flag) that satisfy it, in order of preference.
    pub sources: &'static [&'static str],
}

const fn require(field: &'static str, sources: &'static [&'static str]) -> Requirement {
    Requirement { field, sources }
}

/// What the Code asks of each payment over £500 and each procurement-card transaction.
pub const SPEND_REQUIREMENTS: &[Requirement] = &[
    require("payment_date", &[spend::PAYMENT_DATE]),
    require("department", &[spend::DEPARTMENT]),
    require("beneficiary", &[spend::SUPPLIER_NAME, spend::REDACTED]),
    require("purpose", &[spend::PURPOSE, spend::EXPENSE_TYPE, spend::PUBLISHED_CATEGORY]),
    require("amount", &[spend::AMOUNT]),
    require("irrecoverable_vat", &[spend::IRRECOVERABLE_VAT]),
    // Card transactions only.
    require("merchant_category", &[spend::PUBLISHED_CATEGORY, spend::PUBLISHED_CATEGORY_CODE]),
];

/// What the Code asks of each contract worth more than £5,000.
pub const CONTRACT_REQUIREMENTS: &[Requirement] = &[
    require("reference", &[contracts::REFERENCE]),
    require("title", &[contracts::TITLE]),
    require("department", &[contracts::DEPARTMENT]),
    require("description", &[contracts::DESCRIPTION]),
    require("supplier_name", &[contracts::SUPPLIER_NAME]),
    require("supplier_details", &[contracts::COMPANY_NUMBER, contracts::SUPPLIER_POSTCODE]),
    require("value", &[contracts::VALUE_TOTAL]),
    require("irrecoverable_vat", &[contracts::IRRECOVERABLE_VAT]),
    require("start_date", &[contracts::START_DATE]),
    require("end_date", &[contracts::END_DATE]),
    require("review_date", &[contracts::REVIEW_DATE]),
    require("procedure", &[contracts::PROCEDURE]),
    require("sme", &[contracts::SME]),
    require("vcse", &[contracts::VCSE]),
    // SME and VCSE suppliers only.
    require("registration_number", &[contracts::COMPANY_NUMBER]),
];

/// The whole report: one entry per table, present or not, in [`Table::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// One entry per table, in [`Table::ALL`] order.
    pub tables: Vec<TableCompliance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// How one table meets the Transparency Code, council by council.
pub struct TableCompliance {
    /// The table checked.
    pub table: Table,
    /// Whether the dataset holds this table at all.
    pub present: bool,
    /// Sorted by council name.
    pub councils: Vec<CouncilCompliance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// How one council's records in a table meet the Code.
pub struct CouncilCompliance {
    /// The council's display name.
    pub council: String,
    /// Every record of this council in the table, in scope of the Code or not.
    pub records_read: u64,
    /// Records the Code covers, each checked for every field.
    pub checked: u64,
    /// Checked records missing at least one field: one line each in the failures file.
    pub failing: u64,
    /// One per requirement, in requirement order.
    pub fields: Vec<FieldCompliance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// How often one required field is published.
pub struct FieldCompliance {
    /// The field the Code requires, by its harmonised name.
    pub field: &'static str,
    /// Records that needed this field (card transactions only, for the merchant category).
    pub checked: u64,
    /// Checked records where the field is missing.
    pub missing: u64,
    /// For fields several columns can supply: how many records each supplied, nonzero only.
    pub published_as: Vec<(&'static str, u64)>,
}

/// Percent of `checked` with nothing missing, in tenths, rounded down so that 100.0 means
/// nothing at all is missing. `None` when nothing was checked.
fn compliance_tenths(checked: u64, missing: u64) -> Option<u64> {
    (checked > 0).then(|| (checked - missing.min(checked)) * 1000 / checked)
}

impl CouncilCompliance {
    /// Percent of checked records with no field missing, in tenths, rounded down; `None` if none was checked.
    pub fn compliance_tenths(&self) -> Option<u64> {
        compliance_tenths(self.checked, self.failing)
    }
}

impl FieldCompliance {
    /// Percent of checked records that publish the field, in tenths, rounded down; `None` if none was checked.
    pub fn compliance_tenths(&self) -> Option<u64> {
        compliance_tenths(self.checked, self.missing)
    }
}

impl Report {
    /// Sentences about tables the dataset does not hold, for output formats that cannot say so.
    pub fn notes(&self) -> Vec<String> {
        self.tables.iter().filter(|t| !t.present).map(|t| absent_note(t.table)).collect()
    }

    /// An error naming every council (per table) whose overall compliance is below `percent`.
    /// Councils with nothing to check are never below.
    pub fn enforce_minimum(&self, percent: f64) -> Result<()> {
        if !(0.0..=100.0).contains(&percent) {
            return Err(Error::usage(format!("--fail-under takes a percentage from 0 to 100, not {percent}")));
        }
        let below: Vec<String> = self
            .tables
            .iter()
            .flat_map(|t| t.councils.iter().map(move |c| (t.table, c)))
            .filter(|(_, c)| c.checked > 0 && ((c.checked - c.failing) as f64) * 100.0 < percent * c.checked as f64)
            .map(|(table, c)| {
                format!("{} {} {}%", c.council, table.name(), tenths_text(c.compliance_tenths().unwrap_or(0)))
            })
            .collect();
        if below.is_empty() {
            return Ok(());
        }
        Err(Error::new(ErrorKind::Dataset, format!("compliance below {percent}%: {}", below.join(", "))))
    }
}

fn absent_note(table: Table) -> String {
    format!("the dataset has no {} table; nothing checked", table.name())
}

/// Check every table of the dataset's committed version against the Code. With `failures`,
/// also write every failing record there as CSV; the file appears whole or not at all.
pub fn check_dataset(dataset: &Dataset, failures: Option<&Path>) -> Result<Report> {
    let snapshot = dataset.snapshot()?;
    let mut sink = failures.map(FailureFile::create).transpose()?;
    let mut tables = Vec::new();
    // The Code asks for spend and contracts; `suppliers` is derived from them, and
    // `metrics` (satisfaction, web analytics) is no part of it.
    for table in Table::ALL.into_iter().filter(|t| !t.is_derived() && t.names_suppliers()) {
        let reader = snapshot.reader(table);
        let requirements = requirements(table);
        let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
        for batch in reader.batches(Some(wanted_columns(table))) {
            check_batch(table, &batch?, &mut tallies, sink.as_mut())?;
        }
        let councils = tallies.into_iter().map(|(council, tally)| tally.finish(council, requirements)).collect();
        tables.push(TableCompliance { table, present: !reader.is_empty(), councils });
    }
    if let Some(sink) = sink {
        sink.finish()?;
    }
    Ok(Report { tables })
}

fn requirements(table: Table) -> &'static [Requirement] {
    match table {
        Table::Spend => SPEND_REQUIREMENTS,
        Table::Contracts => CONTRACT_REQUIREMENTS,
        Table::Suppliers | Table::Metrics => &[],
    }
}

fn wanted_columns(table: Table) -> &'static [&'static str] {
    use contracts as c;
    use spend as s;
    match table {
        Table::Spend => &[
            s::COUNCIL,
            s::TRANSACTION_ID,
            s::PAYMENT_DATE,
            s::AMOUNT,
            s::IRRECOVERABLE_VAT,
            s::SUPPLIER_NAME,
            s::DEPARTMENT,
            s::EXPENSE_TYPE,
            s::PUBLISHED_CATEGORY,
            s::PUBLISHED_CATEGORY_CODE,
            s::PURPOSE,
            s::IS_CARD,
            s::REDACTED,
            s::SOURCE_FILE,
            s::SOURCE_ROW,
        ],
        Table::Contracts => &[
            c::COUNCIL,
            c::REFERENCE,
            c::TITLE,
            c::DESCRIPTION,
            c::DEPARTMENT,
            c::PROCEDURE,
            c::SUPPLIER_NAME,
            c::COMPANY_NUMBER,
            c::SUPPLIER_POSTCODE,
            c::SME,
            c::VCSE,
            c::START_DATE,
            c::END_DATE,
            c::REVIEW_DATE,
            c::VALUE_TOTAL,
            c::IRRECOVERABLE_VAT,
            c::SOURCE_FILE,
            c::SOURCE_ROW,
        ],
        Table::Suppliers | Table::Metrics => &[],
    }
}

fn is_present(column: Option<&ArrayRef>, row: usize) -> bool {
    column.is_some_and(|c| c.is_valid(row))
}

/// What a record shows for one requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The requirement does not apply to this record (merchant category of a non-card line).
    NotRequired,
    /// Published, by the requirement's source at this index.
    Published(usize),
    Missing,
}

fn published_if(present: bool) -> Outcome {
    if present { Outcome::Published(0) } else { Outcome::Missing }
}

/// The first present alternative, by its index among the requirement's sources.
fn first_published(alternatives: &[bool]) -> Outcome {
    alternatives.iter().position(|p| *p).map_or(Outcome::Missing, Outcome::Published)
}

/// A checked record's identity, for the failures file.
struct RecordId<'a> {
    council: &'a str,
    source_file: &'a str,
    source_row: i64,
    id: Option<&'a str>,
    supplier: Option<&'a str>,
    money: Option<i128>,
}

fn check_batch(
    table: Table,
    columns: &TableBatch,
    tallies: &mut BTreeMap<String, Tally>,
    sink: Option<&mut FailureFile>,
) -> Result<()> {
    match table {
        Table::Spend => check_spend(columns, tallies, sink),
        Table::Contracts => check_contracts(columns, tallies, sink),
        Table::Suppliers | Table::Metrics => Ok(()),
    }
}

fn check_spend(
    columns: &TableBatch,
    tallies: &mut BTreeMap<String, Tally>,
    mut sink: Option<&mut FailureFile>,
) -> Result<()> {
    use spend::{
        AMOUNT, COUNCIL, DEPARTMENT, EXPENSE_TYPE, IRRECOVERABLE_VAT, IS_CARD, PAYMENT_DATE, PUBLISHED_CATEGORY,
        PUBLISHED_CATEGORY_CODE, PURPOSE, REDACTED, SOURCE_FILE, SOURCE_ROW, SUPPLIER_NAME, TRANSACTION_ID,
    };
    let council = columns.required_text(COUNCIL)?;
    let source_file = columns.required_text(SOURCE_FILE)?;
    let source_row = columns.row_numbers(SOURCE_ROW)?;
    let transaction_id = columns.text(TRANSACTION_ID)?;
    let payment_date = columns.column(PAYMENT_DATE);
    let amount = columns.money(AMOUNT)?;
    let vat = columns.money(IRRECOVERABLE_VAT)?;
    let supplier = columns.text(SUPPLIER_NAME)?;
    let department = columns.text(DEPARTMENT)?;
    let expense_type = columns.text(EXPENSE_TYPE)?;
    // What the council published is judged, not the harmonised category spendql derives.
    let category = columns.text(PUBLISHED_CATEGORY)?;
    let category_code = columns.text(PUBLISHED_CATEGORY_CODE)?;
    let purpose = columns.text(PURPOSE)?;
    let is_card = columns.flag(IS_CARD)?;
    let redacted = columns.flag(REDACTED)?;

    for row in 0..columns.num_rows() {
        let council_name = council.get(row).unwrap_or("(no council)");
        let tally = tally_for(tallies, council_name, SPEND_REQUIREMENTS);
        tally.records_read += 1;
        let card = flag_at(is_card, row).unwrap_or(false);
        let money = money_at(amount, row);
        // An unknown amount cannot show the line is small, so it is checked (and fails).
        let in_scope = card || money.is_none_or(|pence| pence.abs() > SPEND_THRESHOLD_PENCE);
        if !in_scope {
            continue;
        }
        let beneficiary = if flag_at(redacted, row) == Some(true) {
            Outcome::Published(1)
        } else {
            published_if(supplier.get(row).is_some())
        };
        let outcomes = [
            published_if(is_present(payment_date, row)),
            published_if(department.get(row).is_some()),
            beneficiary,
            first_published(&[
                purpose.get(row).is_some(),
                expense_type.get(row).is_some(),
                category.get(row).is_some(),
            ]),
            published_if(money.is_some()),
            published_if(money_at(vat, row).is_some()),
            if card {
                first_published(&[category.get(row).is_some(), category_code.get(row).is_some()])
            } else {
                Outcome::NotRequired
            },
        ];
        let record = RecordId {
            council: council_name,
            source_file: source_file.get(row).unwrap_or(""),
            source_row: source_row.value(row),
            id: transaction_id.get(row),
            supplier: supplier.get(row),
            money,
        };
        tally.record(Table::Spend, SPEND_REQUIREMENTS, &outcomes, &record, sink.as_deref_mut())?;
    }
    Ok(())
}

fn check_contracts(
    columns: &TableBatch,
    tallies: &mut BTreeMap<String, Tally>,
    mut sink: Option<&mut FailureFile>,
) -> Result<()> {
    use contracts::{
        COMPANY_NUMBER, CONTRACT_ID, COUNCIL, DEPARTMENT, DESCRIPTION, END_DATE, IRRECOVERABLE_VAT, PROCEDURE,
        REFERENCE, REVIEW_DATE, SME, SOURCE_FILE, SOURCE_ROW, START_DATE, SUPPLIER_NAME, SUPPLIER_POSTCODE, TITLE,
        VALUE_TOTAL, VCSE,
    };
    let council = columns.required_text(COUNCIL)?;
    let source_file = columns.required_text(SOURCE_FILE)?;
    let source_row = columns.row_numbers(SOURCE_ROW)?;
    let reference = columns.text(REFERENCE)?;
    let contract_id = columns.text(CONTRACT_ID)?;
    let title = columns.text(TITLE)?;
    let department = columns.text(DEPARTMENT)?;
    let description = columns.text(DESCRIPTION)?;
    let supplier = columns.text(SUPPLIER_NAME)?;
    let company_number = columns.text(COMPANY_NUMBER)?;
    let postcode = columns.text(SUPPLIER_POSTCODE)?;
    let value = columns.money(VALUE_TOTAL)?;
    let vat = columns.money(IRRECOVERABLE_VAT)?;
    let start = columns.column(START_DATE);
    let end = columns.column(END_DATE);
    let review = columns.column(REVIEW_DATE);
    let procedure = columns.text(PROCEDURE)?;
    let sme = columns.flag(SME)?;
    let vcse = columns.flag(VCSE)?;

    for row in 0..columns.num_rows() {
        let council_name = council.get(row).unwrap_or("(no council)");
        let tally = tally_for(tallies, council_name, CONTRACT_REQUIREMENTS);
        tally.records_read += 1;
        let money = money_at(value, row);
        // An unknown value may be over £5,000, so the contract is checked (and fails on it).
        if money.is_some_and(|pence| pence <= CONTRACT_THRESHOLD_PENCE) {
            continue;
        }
        let supplier_name = supplier.get(row);
        let has_company_number = company_number.get(row).is_some();
        let supplier_details = if has_company_number {
            Outcome::Published(0)
        } else if postcode.get(row).is_some() && !supplier_name.is_some_and(is_company) {
            Outcome::Published(1)
        } else {
            Outcome::Missing
        };
        let (is_sme, is_vcse) = (flag_at(sme, row), flag_at(vcse, row));
        let registration = if is_sme == Some(true) || is_vcse == Some(true) {
            published_if(has_company_number)
        } else {
            Outcome::NotRequired
        };
        let outcomes = [
            published_if(reference.get(row).is_some()),
            published_if(title.get(row).is_some()),
            published_if(department.get(row).is_some()),
            published_if(description.get(row).is_some()),
            published_if(supplier_name.is_some()),
            supplier_details,
            published_if(money.is_some()),
            published_if(money_at(vat, row).is_some()),
            published_if(is_present(start, row)),
            published_if(is_present(end, row)),
            published_if(is_present(review, row)),
            published_if(procedure.get(row).is_some()),
            published_if(is_sme.is_some()),
            published_if(is_vcse.is_some()),
            registration,
        ];
        let record = RecordId {
            council: council_name,
            source_file: source_file.get(row).unwrap_or(""),
            source_row: source_row.value(row),
            // The key a failing contract can be joined back on; references repeat.
            id: contract_id.get(row).or_else(|| reference.get(row)),
            supplier: supplier_name,
            money,
        };
        tally.record(Table::Contracts, CONTRACT_REQUIREMENTS, &outcomes, &record, sink.as_deref_mut())?;
    }
    Ok(())
}

/// Whether a supplier's name carries the legal form of a registered company (`Acme Ltd`,
/// `ACME LIMITED`, `Acme Ltd T/A Acme Cleaning`, `A.B.C. L.T.D.`).
fn is_company(name: &str) -> bool {
    name.split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .map(|word| word.chars().filter(|c| *c != '.').collect::<String>().to_ascii_uppercase())
        .any(|word| COMPANY_FORMS.contains(&word.as_str()))
}

fn tally_for<'t>(
    tallies: &'t mut BTreeMap<String, Tally>,
    council: &str,
    requirements: &[Requirement],
) -> &'t mut Tally {
    if !tallies.contains_key(council) {
        tallies.insert(council.to_string(), Tally::new(requirements));
    }
    tallies.get_mut(council).expect("inserted above")
}

/// Running counts for one council of one table.
struct Tally {
    records_read: u64,
    checked: u64,
    failing: u64,
    /// Per requirement: records needing it, records missing it, and records each source supplied.
    fields: Vec<(u64, u64, Vec<u64>)>,
}

impl Tally {
    fn new(requirements: &[Requirement]) -> Tally {
        Tally {
            records_read: 0,
            checked: 0,
            failing: 0,
            fields: requirements.iter().map(|r| (0, 0, vec![0; r.sources.len()])).collect(),
        }
    }

    fn record(
        &mut self,
        table: Table,
        requirements: &[Requirement],
        outcomes: &[Outcome],
        record: &RecordId,
        sink: Option<&mut FailureFile>,
    ) -> Result<()> {
        self.checked += 1;
        for (field, outcome) in self.fields.iter_mut().zip(outcomes) {
            match outcome {
                Outcome::NotRequired => {}
                Outcome::Published(source) => {
                    field.0 += 1;
                    field.2[*source] += 1;
                }
                Outcome::Missing => {
                    field.0 += 1;
                    field.1 += 1;
                }
            }
        }
        if outcomes.contains(&Outcome::Missing) {
            self.failing += 1;
            if let Some(sink) = sink {
                let missing: Vec<&str> = requirements
                    .iter()
                    .zip(outcomes)
                    .filter(|(_, o)| **o == Outcome::Missing)
                    .map(|(r, _)| r.field)
                    .collect();
                sink.write(table, record, &missing.join(";"))?;
            }
        }
        Ok(())
    }

    fn finish(self, council: String, requirements: &[Requirement]) -> CouncilCompliance {
        let fields = requirements
            .iter()
            .zip(self.fields)
            .map(|(requirement, (checked, missing, by_source))| FieldCompliance {
                field: requirement.field,
                checked,
                missing,
                published_as: if requirement.sources.len() > 1 {
                    requirement.sources.iter().copied().zip(by_source).filter(|(_, n)| *n > 0).collect()
                } else {
                    Vec::new()
                },
            })
            .collect();
        CouncilCompliance {
            council,
            records_read: self.records_read,
            checked: self.checked,
            failing: self.failing,
            fields,
        }
    }
}

/// The failures CSV, written to a temporary file beside the target and renamed over it only
/// when complete, so a failed or interrupted check never leaves half a file.
struct FailureFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<csv::Writer<BufWriter<File>>>,
}

const FAILURE_HEADER: [&str; 8] =
    ["table", "council", "source_file", "source_row", "id", "supplier", "amount", "missing"];

impl FailureFile {
    fn create(target: &Path) -> Result<FailureFile> {
        let name = target
            .file_name()
            .ok_or_else(|| Error::usage(format!("--failures needs a file name, not {}", target.display())))?;
        let temp = target.with_file_name(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
        let file = File::create(&temp).map_err(|e| Error::io(format!("cannot create {}", temp.display()), e))?;
        let mut sink = FailureFile {
            target: target.to_path_buf(),
            temp,
            writer: Some(csv::Writer::from_writer(BufWriter::new(file))),
        };
        sink.write_row(FAILURE_HEADER)?;
        Ok(sink)
    }

    fn write_row<I: IntoIterator<Item = T>, T: AsRef<[u8]>>(&mut self, row: I) -> Result<()> {
        let writer = self.writer.as_mut().expect("writer lives until finish");
        writer
            .write_record(row)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot write {}: {e}", self.temp.display())))
    }

    fn write(&mut self, table: Table, record: &RecordId, missing: &str) -> Result<()> {
        let row = [
            table.name().to_string(),
            record.council.to_string(),
            record.source_file.to_string(),
            record.source_row.to_string(),
            record.id.unwrap_or_default().to_string(),
            record.supplier.unwrap_or_default().to_string(),
            record.money.map(format_pence).unwrap_or_default(),
            missing.to_string(),
        ];
        self.write_row(row)
    }

    fn finish(mut self) -> Result<()> {
        let writer = self.writer.take().expect("finish is called once");
        let io = |e: std::io::Error| Error::io(format!("cannot write {}", self.temp.display()), e);
        let file = writer.into_inner().map_err(|e| io(e.into_error()))?.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&self.temp, &self.target)
            .map_err(|e| Error::io(format!("cannot write {}", self.target.display()), e))
    }
}

impl Drop for FailureFile {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

fn tenths_text(tenths: u64) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// The columns of the printed report: one row per council and field, then the council's
/// `overall` row, which alone carries `records_read`.
const REPORT_COLUMNS: [&str; 8] =
    ["table", "council", "field", "checked", "missing", "compliance_pct", "published_as", "records_read"];

fn scope_text(table: Table) -> &'static str {
    match table {
        Table::Spend => "payment lines over £500 and every procurement-card transaction",
        Table::Contracts => "contracts worth more than £5,000, or of unknown value",
        Table::Suppliers => "nothing: derived from spend and contracts",
        Table::Metrics => "nothing: the Code does not cover metrics",
    }
}

/// `company_number=3;supplier_postcode=1`: which columns supplied a field, nonzero only.
fn published_as_text(field: &FieldCompliance) -> String {
    field.published_as.iter().map(|(source, n)| format!("{source}={n}")).collect::<Vec<_>>().join(";")
}

impl Report {
    /// The report for the printer: one result of [`REPORT_COLUMNS`] over every table the
    /// dataset holds (so every format carries it), the scope of each table and how to read
    /// the numbers for people, and a note for each absent table.
    pub fn to_output(&self) -> output::Report {
        use datafusion::arrow::array::{Decimal128Array, StringArray, UInt64Array};
        use datafusion::arrow::datatypes::{Field, Schema};
        // One entry per row: (table, council, field, checked, missing, tenths, published_as, read).
        type Row<'r> = (&'static str, &'r str, &'static str, u64, u64, Option<u64>, String, Option<u64>);
        let mut rows: Vec<Row> = Vec::new();
        for table in self.tables.iter().filter(|t| t.present) {
            let name = table.table.name();
            for c in &table.councils {
                for f in &c.fields {
                    let tenths = f.compliance_tenths();
                    rows.push((name, &c.council, f.field, f.checked, f.missing, tenths, published_as_text(f), None));
                }
                let tenths = c.compliance_tenths();
                rows.push((
                    name,
                    &c.council,
                    "overall",
                    c.checked,
                    c.failing,
                    tenths,
                    String::new(),
                    Some(c.records_read),
                ));
            }
        }
        let schema = Arc::new(Schema::new(vec![
            Field::new(REPORT_COLUMNS[0], DataType::Utf8, false),
            Field::new(REPORT_COLUMNS[1], DataType::Utf8, false),
            Field::new(REPORT_COLUMNS[2], DataType::Utf8, false),
            Field::new(REPORT_COLUMNS[3], DataType::UInt64, false),
            Field::new(REPORT_COLUMNS[4], DataType::UInt64, false),
            Field::new(REPORT_COLUMNS[5], DataType::Decimal128(4, 1), true),
            Field::new(REPORT_COLUMNS[6], DataType::Utf8, false),
            Field::new(REPORT_COLUMNS[7], DataType::UInt64, true),
        ]));
        let tenths = Decimal128Array::from(rows.iter().map(|r| r.5.map(i128::from)).collect::<Vec<_>>())
            .with_precision_and_scale(4, 1)
            .expect("tenths of a percent fit Decimal128(4,1)");
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.2))),
            Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.3))),
            Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.4))),
            Arc::new(tenths),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.6.as_str()))),
            Arc::new(UInt64Array::from(rows.iter().map(|r| r.7).collect::<Vec<_>>())),
        ];
        let batch = RecordBatch::try_new(schema, columns).expect("columns match the schema");
        let mut before =
            vec![output::Part::Line("Local Government Transparency Code 2015: required fields published".to_string())];
        for table in self.tables.iter().filter(|t| t.present) {
            before.push(output::Part::Line(format!("{}: {}", table.table.name(), scope_text(table.table))));
        }
        output::Report {
            results: vec![output::ResultSet::from_batch(batch).titled("Transparency Code check")],
            before,
            after: vec![output::Part::Line(
                "checked: records the field is required of; overall: records with every required field;\n\
                 records_read: every record of the council, checked or not (spend: non-card lines of £500\n\
                 or less are not; contracts: those of £5,000 or less). compliance_pct is rounded down,\n\
                 so 100.0 means nothing is missing; it is empty where nothing was checked."
                    .to_string(),
            )],
            notes: self.notes(),
            ..output::Report::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{BooleanArray, Date32Array, Decimal128Array, Int64Array, StringArray};

    use super::*;
    use crate::fixture::{table_batch, write_table_batch};
    use crate::schema::{MONEY_PRECISION, MONEY_SCALE, contracts as c, spend as s};

    fn text(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    fn same_text(value: &str, n: usize) -> ArrayRef {
        Arc::new(StringArray::from(vec![value; n]))
    }

    fn money(values: &[Option<i128>]) -> ArrayRef {
        Arc::new(Decimal128Array::from(values.to_vec()).with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE).unwrap())
    }

    fn flags(values: &[Option<bool>]) -> ArrayRef {
        Arc::new(BooleanArray::from(values.to_vec()))
    }

    fn dates(values: &[Option<i32>]) -> ArrayRef {
        Arc::new(Date32Array::from(values.to_vec()))
    }

    fn rows(n: usize) -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(2..2 + n as i64))
    }

    /// Five spend lines of council A worked through by hand (see each row's comment), and
    /// one small line of council B.
    fn spend_dataset(dir: &Path) {
        let batch = table_batch(
            Table::Spend,
            vec![
                (s::COUNCIL, same_text("A", 5)),
                (s::TRANSACTION_ID, text(&[Some("T1"), Some("T2"), Some("T3"), Some("T4"), Some("T5")])),
                (s::PAYMENT_DATE, dates(&[Some(18_000); 5])),
                // 1: exactly £500, out of scope; 2: a credit over £500; 3: a small card line;
                // 4: a card line; 5: a penny over £500.
                (s::AMOUNT, money(&[Some(500 * 100), Some(-600 * 100), Some(5 * 100), Some(1_000 * 100), Some(50001)])),
                (s::IRRECOVERABLE_VAT, money(&[None, Some(0), None, Some(0), None])),
                (s::SUPPLIER_NAME, text(&[None, Some("Acme Ltd"), None, Some("Cafe"), Some("  ")])),
                (s::DEPARTMENT, text(&[None, Some("Place"), Some("  "), Some("Schools"), None])),
                (s::EXPENSE_TYPE, text(&[None, Some("Works"), None, None, Some("")])),
                (s::PUBLISHED_CATEGORY, text(&[None, None, Some("Food"), None, None])),
                (s::PUBLISHED_CATEGORY_CODE, text(&[None, None, None, Some("5811"), None])),
                (s::PURPOSE, text(&[None, None, None, Some("Lunch"), None])),
                (s::IS_CARD, flags(&[Some(false), Some(false), Some(true), Some(true), Some(false)])),
                (s::REDACTED, flags(&[Some(false), Some(false), Some(true), Some(false), Some(false)])),
                (s::SOURCE_FILE, same_text("a.csv", 5)),
                (s::SOURCE_ROW, rows(5)),
            ],
        )
        .unwrap();
        write_table_batch(dir, Table::Spend, "A", "a.csv", &batch).unwrap();
        let small = table_batch(
            Table::Spend,
            vec![
                (s::COUNCIL, same_text("B", 1)),
                (s::PAYMENT_DATE, dates(&[Some(18_000)])),
                (s::AMOUNT, money(&[Some(100 * 100)])),
                (s::IS_CARD, flags(&[Some(false)])),
                (s::REDACTED, flags(&[Some(false)])),
                (s::SOURCE_FILE, same_text("b.csv", 1)),
                (s::SOURCE_ROW, rows(1)),
            ],
        )
        .unwrap();
        write_table_batch(dir, Table::Spend, "B", "b.csv", &small).unwrap();
    }

    /// Five contracts of council C, worked through by hand.
    fn contracts_dataset(dir: &Path) {
        let all = |v: &str| same_text(v, 5);
        let batch = table_batch(
            Table::Contracts,
            vec![
                (c::COUNCIL, all("C")),
                (c::REFERENCE, text(&[Some("R1"), Some("R2"), Some("R3"), Some("R4"), Some("R5")])),
                (c::TITLE, all("Title")),
                (c::DESCRIPTION, all("Description")),
                (c::DEPARTMENT, all("Place")),
                (c::PROCEDURE, all("Open tender")),
                (
                    c::SUPPLIER_NAME,
                    text(&[Some("X"), Some("Y Ltd"), Some("Acme Ltd"), Some("Jo Bloggs Plumbing"), Some("Z Ltd")]),
                ),
                (c::COMPANY_NUMBER, text(&[None, Some("00000001"), None, None, Some("01234567")])),
                (c::SUPPLIER_POSTCODE, all("M1 1AA")),
                // 3: SME without a number; 4: SME status unknown, VCSE without a number.
                (c::SME, flags(&[Some(false), Some(false), Some(true), None, Some(true)])),
                (c::VCSE, flags(&[Some(false), Some(false), Some(false), Some(true), Some(false)])),
                (c::START_DATE, dates(&[Some(18_000); 5])),
                (c::END_DATE, dates(&[Some(19_000); 5])),
                (c::REVIEW_DATE, dates(&[Some(18_500), Some(18_500), Some(18_500), None, Some(18_500)])),
                // 1: exactly £5,000, out of scope; 2: unknown value, checked.
                (
                    c::VALUE_TOTAL,
                    money(&[Some(5_000 * 100), None, Some(10_000 * 100), Some(20_000 * 100), Some(6_000 * 100)]),
                ),
                (c::IRRECOVERABLE_VAT, money(&[Some(0); 5])),
                (c::SOURCE_FILE, all("register.csv")),
                (c::SOURCE_ROW, rows(5)),
            ],
        )
        .unwrap();
        write_table_batch(dir, Table::Contracts, "C", "register.csv", &batch).unwrap();
    }

    fn field<'r>(council: &'r CouncilCompliance, name: &str) -> &'r FieldCompliance {
        council.fields.iter().find(|f| f.field == name).unwrap()
    }

    fn counts(council: &CouncilCompliance, name: &str) -> (u64, u64) {
        let f = field(council, name);
        (f.checked, f.missing)
    }

    #[test]
    fn spend_lines_over_500_and_card_lines_are_checked_with_the_codes_fallbacks() {
        let dir = tempfile::tempdir().unwrap();
        spend_dataset(dir.path());
        let failures = dir.path().join("failures.csv");
        let report = check_dataset(&Dataset::new(dir.path()), Some(&failures)).unwrap();
        assert_eq!(
            report.tables.iter().map(|t| (t.table, t.present)).collect::<Vec<_>>(),
            [(Table::Spend, true), (Table::Contracts, false)]
        );
        let councils = &report.tables[0].councils;
        assert_eq!(councils.iter().map(|c| c.council.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        let a = &councils[0];
        assert_eq!((a.records_read, a.checked, a.failing), (5, 4, 2));
        assert_eq!(counts(a, "payment_date"), (4, 0));
        assert_eq!(counts(a, "department"), (4, 2), "null and whitespace");
        assert_eq!(counts(a, "beneficiary"), (4, 1), "a redacted beneficiary counts as published");
        assert_eq!(field(a, "beneficiary").published_as, [("supplier_name", 2), ("redacted", 1)]);
        assert_eq!(counts(a, "purpose"), (4, 1));
        assert_eq!(field(a, "purpose").published_as, [("purpose", 1), ("expense_type", 1), ("published_category", 1)]);
        assert_eq!(counts(a, "amount"), (4, 0));
        assert_eq!(counts(a, "irrecoverable_vat"), (4, 2));
        assert_eq!(counts(a, "merchant_category"), (2, 0), "card lines only");
        assert_eq!(
            field(a, "merchant_category").published_as,
            [("published_category", 1), ("published_category_code", 1)]
        );
        assert_eq!(a.compliance_tenths(), Some(500));
        let b = &councils[1];
        assert_eq!((b.records_read, b.checked, b.failing, b.compliance_tenths()), (1, 0, 0, None));

        assert_eq!(
            std::fs::read_to_string(&failures).unwrap(),
            "table,council,source_file,source_row,id,supplier,amount,missing\n\
             spend,A,a.csv,4,T3,,5.00,department;irrecoverable_vat\n\
             spend,A,a.csv,6,T5,,500.01,department;beneficiary;purpose;irrecoverable_vat\n"
        );
    }

    #[test]
    fn contracts_over_5000_or_of_unknown_value_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        contracts_dataset(dir.path());
        let failures = dir.path().join("failures.csv");
        let report = check_dataset(&Dataset::new(dir.path()), Some(&failures)).unwrap();
        assert!(!report.tables[0].present);
        assert_eq!(report.notes(), ["the dataset has no spend table; nothing checked"]);
        let c = &report.tables[1].councils[0];
        assert_eq!((c.records_read, c.checked, c.failing), (5, 4, 3));
        assert_eq!(counts(c, "value"), (4, 1));
        assert_eq!(counts(c, "supplier_details"), (4, 1), "a company needs its number, not a postcode");
        assert_eq!(field(c, "supplier_details").published_as, [("company_number", 2), ("supplier_postcode", 1)]);
        assert_eq!(counts(c, "sme"), (4, 1));
        assert_eq!(counts(c, "vcse"), (4, 0));
        assert_eq!(counts(c, "review_date"), (4, 1));
        assert_eq!(counts(c, "registration_number"), (3, 2), "SME and VCSE suppliers only");
        for name in ["reference", "title", "department", "description", "supplier_name", "irrecoverable_vat"] {
            assert_eq!(counts(c, name), (4, 0), "{name}");
        }
        assert_eq!(
            std::fs::read_to_string(&failures).unwrap(),
            "table,council,source_file,source_row,id,supplier,amount,missing\n\
             contracts,C,register.csv,3,R2,Y Ltd,,value\n\
             contracts,C,register.csv,4,R3,Acme Ltd,10000.00,supplier_details;registration_number\n\
             contracts,C,register.csv,5,R4,Jo Bloggs Plumbing,20000.00,review_date;sme;registration_number\n"
        );
    }

    #[test]
    fn compliance_is_rounded_down_so_100_means_nothing_missing() {
        assert_eq!(compliance_tenths(3, 1), Some(666));
        assert_eq!(compliance_tenths(10_000, 1), Some(999));
        assert_eq!(compliance_tenths(7, 0), Some(1000));
        assert_eq!(compliance_tenths(7, 7), Some(0));
        assert_eq!(compliance_tenths(0, 0), None);
    }

    #[test]
    fn fail_under_names_every_council_below_and_ignores_councils_with_nothing_checked() {
        let dir = tempfile::tempdir().unwrap();
        spend_dataset(dir.path());
        let report = check_dataset(&Dataset::new(dir.path()), None).unwrap();
        report.enforce_minimum(50.0).unwrap();
        report.enforce_minimum(0.0).unwrap();
        let err = report.enforce_minimum(50.5).unwrap_err();
        assert_eq!(err.message, "compliance below 50.5%: A spend 50.0%");
        assert_eq!(err.exit_code(), 1);
        assert_eq!(report.enforce_minimum(101.0).unwrap_err().kind, ErrorKind::Usage);
    }

    #[test]
    fn companies_are_recognised_by_their_legal_form() {
        for name in ["Acme Ltd", "ACME LIMITED", "A.B.C. L.T.D.", "Acme Ltd T/A Acme Cleaning", "Acme (UK) plc"] {
            assert!(is_company(name), "{name}");
        }
        for name in ["Jo Bloggs Plumbing", "Limitedly Yours", "St Mary's Church"] {
            assert!(!is_company(name), "{name}");
        }
    }

    fn printed(report: &Report, format: output::Format) -> (String, String) {
        let options = output::PrintOptions::choose(Some(format), None, false).unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        options.print(&report.to_output(), &mut out, &mut err).unwrap();
        (String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
    }

    #[test]
    fn csv_and_json_carry_plain_numbers_and_say_which_column_supplied_a_field() {
        let dir = tempfile::tempdir().unwrap();
        spend_dataset(dir.path());
        let report = check_dataset(&Dataset::new(dir.path()), None).unwrap();
        let (csv, notes) = printed(&report, output::Format::Csv);
        assert_eq!(notes, "note: the dataset has no contracts table; nothing checked\n");
        assert!(
            csv.starts_with("table,council,field,checked,missing,compliance_pct,published_as,records_read\n"),
            "{csv}"
        );
        assert!(csv.contains("\nspend,A,purpose,4,1,75.0,purpose=1;expense_type=1;published_category=1,\n"), "{csv}");
        assert!(csv.contains("\nspend,A,overall,4,2,50.0,,5\n"), "{csv}");
        assert!(csv.contains("\nspend,B,overall,0,0,,,1\n"), "{csv}");
        assert_eq!(csv.lines().count(), 1 + 2 * (SPEND_REQUIREMENTS.len() + 1));

        let (json, _) = printed(&report, output::Format::Json);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        let row = |council: &str, field: &str| {
            json.as_array().unwrap().iter().find(|r| r["council"] == council && r["field"] == field).unwrap().clone()
        };
        assert_eq!(row("A", "overall")["compliance_pct"], serde_json::json!(50.0));
        assert_eq!(row("A", "overall")["records_read"], 5);
        assert_eq!(row("A", "purpose")["published_as"], "purpose=1;expense_type=1;published_category=1");
        assert!(row("A", "purpose")["records_read"].is_null());
        assert!(row("B", "overall")["compliance_pct"].is_null());
        assert!(json.as_array().unwrap().iter().all(|r| r["table"] == "spend"), "no rows for an absent table");

        let (table, notes) = printed(&report, output::Format::Table);
        assert_eq!(notes, "");
        assert!(table.contains("\nthe dataset has no contracts table; nothing checked\n"), "{table}");
        assert!(table.contains("spend: payment lines over £500"), "{table}");
        assert!(table.contains("purpose=1;expense_type=1;published_category=1"), "{table}");
    }

    #[test]
    fn the_failures_file_is_replaced_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        spend_dataset(dir.path());
        let out = tempfile::tempdir().unwrap();
        let failures = out.path().join("failures.csv");
        std::fs::write(&failures, "old").unwrap();
        check_dataset(&Dataset::new(dir.path()), Some(&failures)).unwrap();
        assert_eq!(std::fs::read_to_string(&failures).unwrap().lines().count(), 3);
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1, "no temporary file left");

        // Damage a table file: the check fails naming it, and the old failures file stays.
        std::fs::write(&failures, "old").unwrap();
        let snapshot = Dataset::new(dir.path()).snapshot().unwrap();
        let damaged = snapshot.table_files(Table::Spend).pop().unwrap();
        std::fs::write(&damaged, b"not parquet").unwrap();
        let err = check_dataset(&Dataset::new(dir.path()), Some(&failures)).unwrap_err();
        assert!(err.to_string().starts_with(&damaged.display().to_string()), "{err}");
        assert_eq!(std::fs::read_to_string(&failures).unwrap(), "old");
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1, "no temporary file left");
    }
}
