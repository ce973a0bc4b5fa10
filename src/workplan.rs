//! `spendql workplan`: which contracts expire in the coming months and which procurement
//! officer should re-procure each. Owns the rules that decide this — what is in scope, who
//! the officers are, and the deterministic allocation that keeps current officers, follows
//! category expertise and balances load — plus reading what they need (the `contracts`
//! table's Parquet files and an officers CSV) and writing the plan (CSV, XLSX, text tables).
//!
//! The allocation itself ([`allocate`]) is a pure function of contracts and officers, so it
//! can be tested on inputs whose right answer is known by hand; everything that touches
//! files is kept to the edges of this module.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};
use comfy_table::{CellAlignment, ContentArrangement, Table as TextTable, presets};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Date32Type, Decimal128Type};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::catalog::{Dataset, Snapshot};
use crate::error::{Error, ErrorKind, Result};
use crate::ingest::{format_pence, parse_amount};
use crate::output::money_text;
use crate::schema::{MONEY, Table, contracts as col};

/// The columns of a plan, in CSV, table and worksheet order.
pub const PLAN_COLUMNS: [&str; 10] = [
    "council",
    "reference",
    "title",
    "category",
    "value",
    "expiry_date",
    "months_to_expiry",
    "current_officer",
    "proposed_officer",
    "reason",
];

/// The columns of the per-officer summary.
pub const SUMMARY_COLUMNS: [&str; 5] = ["officer", "contracts", "value", "max_contracts", "max_value"];

/// The columns an officers file may have; only `name` is required.
pub const OFFICER_COLUMNS: [&str; 5] = ["name", "categories", "councils", "max_contracts", "max_value"];

/// The period whose expiring contracts a plan covers: `start` up to, not including, `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub months: u32,
}

impl Window {
    /// `months` calendar months from `as_of` (31 January + 1 month ends on 28 or 29 February).
    pub fn new(as_of: NaiveDate, months: u32) -> Result<Window> {
        if months == 0 {
            return Err(Error::usage("--months must be at least 1").with_hint("e.g. --months 6"));
        }
        let end = as_of
            .checked_add_months(Months::new(months))
            .ok_or_else(|| Error::usage(format!("{months} months from {as_of} is past the last representable date")))?;
        Ok(Window { start: as_of, end, months })
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }

    /// Whole calendar months from the window's start to `date` (0 within the first month).
    pub fn months_to(&self, date: NaiveDate) -> u32 {
        let months = (date.year() - self.start.year()) * 12 + date.month() as i32
            - self.start.month() as i32
            - i32::from(date.day() < self.start.day());
        months.max(0) as u32
    }

    /// The last day in the window, for people (who read ranges inclusively).
    pub fn last_day(&self) -> NaiveDate {
        self.end.pred_opt().unwrap_or(self.end)
    }
}

/// One row of the `contracts` table, reduced to what a work plan needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub council: String,
    pub reference: String,
    pub title: String,
    pub category: Option<String>,
    pub category_code: Option<String>,
    /// `value_total`, else `value_annual`, else 0; in pence.
    pub value: i128,
    /// `expiry_date` (the current expiry, after extensions), else `end_date`.
    pub expiry_date: Option<NaiveDate>,
    pub officer: Option<String>,
    pub status: Option<String>,
}

impl Contract {
    /// Whether the contract still runs: its status says neither expired nor terminated.
    pub fn is_live(&self) -> bool {
        let status = self.status.as_deref().unwrap_or("").to_lowercase();
        !(status.contains("expired") || status.contains("terminated"))
    }

    /// The value load and capacity are counted in; a negative published value counts as 0.
    fn weight(&self) -> i128 {
        self.value.max(0)
    }
}

/// A procurement officer who can take contracts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Officer {
    pub name: String,
    /// ProClass labels or label prefixes (`SOCIAL CARE`, `ICT : Hardware`), matched word by
    /// word ignoring case and punctuation; or ProClass code prefixes (`3210`).
    pub expertise: Vec<String>,
    /// The councils whose contracts the officer can take; empty means any.
    pub councils: Vec<String>,
    pub max_contracts: Option<u64>,
    /// In pence.
    pub max_value: Option<i128>,
}

impl Officer {
    pub fn serves(&self, council: &str) -> bool {
        self.councils.is_empty() || self.councils.iter().any(|c| c.trim().eq_ignore_ascii_case(council.trim()))
    }

    pub fn is_expert_in(&self, contract: &Contract) -> bool {
        self.expertise
            .iter()
            .any(|entry| expertise_covers(entry, contract.category.as_deref(), contract.category_code.as_deref()))
    }
}

/// Whether one expertise entry covers a category: a code prefix when the entry is all
/// digits, otherwise the entry's words must begin the label's words, so `SOCIAL CARE` covers
/// `SOCIAL CARE : Domiciliary Care` but `SC` does not cover `SCHOOLS`.
fn expertise_covers(entry: &str, category: Option<&str>, category_code: Option<&str>) -> bool {
    let entry = entry.trim();
    if !entry.is_empty() && entry.chars().all(|c| c.is_ascii_digit()) {
        return category_code.is_some_and(|code| code.trim().starts_with(entry));
    }
    let wanted = words(entry);
    !wanted.is_empty() && category.is_some_and(|label| words(label).starts_with(&wanted))
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_uppercase).collect()
}

/// People's names compared as registers write them: any case, any spacing.
fn person_key(name: &str) -> String {
    name.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// How a contract came to its proposed officer, or why it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The current officer is in the officer list, works for the council and has capacity.
    KeptCurrentOfficer,
    /// The least-loaded officer with expertise in the category who has capacity.
    CategoryExpertise,
    /// No expert had capacity (or none exists): the least-loaded officer with capacity.
    Balancing,
    /// Officers work for the council, but none has capacity left.
    NoCapacity,
    /// No officer in the list works for the contract's council.
    NoOfficerForCouncil,
}

/// Why a contract's current officer was not kept, when it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotKept {
    NotListed,
    OtherCouncil,
    AtCapacity,
}

/// The decision for one contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocation {
    /// Index into the officers given to [`allocate`]; `None` when nobody could take it.
    pub officer: Option<usize>,
    pub reason: Reason,
    /// No officer who works for the council is expert in the contract's category.
    pub nobody_expert: bool,
    pub not_kept: Option<NotKept>,
}

impl Allocation {
    /// The `reason` column: the rule that decided, then what qualified it.
    pub fn reason_text(&self) -> String {
        let mut parts = vec![
            match self.reason {
                Reason::KeptCurrentOfficer => "kept current officer",
                Reason::CategoryExpertise => "category expertise",
                Reason::Balancing => "balancing",
                Reason::NoCapacity => "unassigned: no officer has capacity",
                Reason::NoOfficerForCouncil => "unassigned: no officer works for this council",
            }
            .to_string(),
        ];
        match self.not_kept {
            Some(NotKept::NotListed) => parts.push("current officer not in the officer list".into()),
            Some(NotKept::OtherCouncil) => parts.push("current officer does not work for this council".into()),
            Some(NotKept::AtCapacity) => parts.push("current officer at capacity".into()),
            None => {}
        }
        if self.nobody_expert {
            parts.push("nobody is expert in this category".into());
        } else if self.reason == Reason::Balancing {
            parts.push("every expert is at capacity".into());
        }
        parts.join("; ")
    }
}

/// What an officer has been given so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Load {
    contracts: u64,
    value: i128,
}

/// Allocate `contracts` to `officers`; the result is parallel to `contracts`.
///
/// Deterministic: contracts are taken largest value first (then earliest expiry, council,
/// reference), and ties between officers go to the one listed first. Capacity is never
/// exceeded: a contract nobody has room for stays unassigned. The rules, in order:
///
/// 1. every contract whose current officer is listed, works for its council and has room
///    stays with them;
/// 2. each remaining contract goes to the officer with the lowest load among the experts
///    in its category (who work for its council and have room);
/// 3. failing that, to the officer with the lowest load among all who work for its council
///    and have room.
///
/// An officer's load is their share of the plan's contracts plus their share of its value,
/// so count and value weigh equally; it is compared in exact integer arithmetic.
pub fn allocate(contracts: &[Contract], officers: &[Officer]) -> Vec<Allocation> {
    let total_count = contracts.len().max(1) as i128;
    let total_value = contracts.iter().map(Contract::weight).sum::<i128>().max(1);
    // count/N + value/V, scaled by N·V so that it stays an integer.
    let score = |load: &Load| load.contracts as i128 * total_value + load.value * total_count;

    let mut order: Vec<usize> = (0..contracts.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&contracts[a], &contracts[b]);
        (Reverse(x.weight()), x.expiry_date, &x.council, &x.reference, a).cmp(&(
            Reverse(y.weight()),
            y.expiry_date,
            &y.council,
            &y.reference,
            b,
        ))
    });

    let by_name: HashMap<String, usize> =
        officers.iter().enumerate().rev().map(|(i, o)| (person_key(&o.name), i)).collect();
    let mut loads = vec![Load::default(); officers.len()];
    let has_room = |officer: &Officer, load: &Load, contract: &Contract| {
        officer.max_contracts.is_none_or(|max| load.contracts < max)
            && officer.max_value.is_none_or(|max| load.value + contract.weight() <= max)
    };
    let mut result: Vec<Option<Allocation>> = vec![None; contracts.len()];
    let nobody_expert =
        |contract: &Contract| !officers.iter().any(|o| o.serves(&contract.council) && o.is_expert_in(contract));

    let mut not_kept = vec![None; contracts.len()];
    for &i in &order {
        let contract = &contracts[i];
        let Some(current) = contract.officer.as_deref().filter(|name| !name.trim().is_empty()) else { continue };
        let Some(&o) = by_name.get(&person_key(current)) else {
            not_kept[i] = Some(NotKept::NotListed);
            continue;
        };
        if !officers[o].serves(&contract.council) {
            not_kept[i] = Some(NotKept::OtherCouncil);
        } else if !has_room(&officers[o], &loads[o], contract) {
            not_kept[i] = Some(NotKept::AtCapacity);
        } else {
            loads[o].contracts += 1;
            loads[o].value += contract.weight();
            result[i] = Some(Allocation {
                officer: Some(o),
                reason: Reason::KeptCurrentOfficer,
                nobody_expert: nobody_expert(contract),
                not_kept: None,
            });
        }
    }

    for &i in &order {
        if result[i].is_some() {
            continue;
        }
        let contract = &contracts[i];
        let least_loaded = |expert_only: bool, loads: &[Load]| {
            officers
                .iter()
                .enumerate()
                .filter(|(o, officer)| {
                    officer.serves(&contract.council)
                        && (!expert_only || officer.is_expert_in(contract))
                        && has_room(officer, &loads[*o], contract)
                })
                .min_by_key(|(o, _)| (score(&loads[*o]), *o))
                .map(|(o, _)| o)
        };
        let (officer, reason) = match (least_loaded(true, &loads), least_loaded(false, &loads)) {
            (Some(o), _) => (Some(o), Reason::CategoryExpertise),
            (None, Some(o)) => (Some(o), Reason::Balancing),
            (None, None) if officers.iter().any(|o| o.serves(&contract.council)) => (None, Reason::NoCapacity),
            (None, None) => (None, Reason::NoOfficerForCouncil),
        };
        if let Some(o) = officer {
            loads[o].contracts += 1;
            loads[o].value += contract.weight();
        }
        result[i] = Some(Allocation { officer, reason, nobody_expert: nobody_expert(contract), not_kept: not_kept[i] });
    }
    result.into_iter().map(|a| a.expect("every contract is decided in the second pass")).collect()
}

/// The officers a register implies when no officers file is given: everyone named on a live
/// contract, expert in every category they have held (live or not), working for the councils
/// whose live contracts they hold, without a capacity limit. Sorted by name.
pub fn officers_from_register(contracts: &[Contract]) -> Vec<Officer> {
    fn named(contract: &Contract) -> Option<(String, &str)> {
        contract.officer.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(|n| (person_key(n), n))
    }
    let mut officers: BTreeMap<String, Officer> = BTreeMap::new();
    for contract in contracts.iter().filter(|c| c.is_live()) {
        let Some((key, name)) = named(contract) else { continue };
        let officer = officers.entry(key).or_insert_with(|| Officer { name: name.to_string(), ..Officer::default() });
        if !officer.councils.iter().any(|c| c == &contract.council) {
            officer.councils.push(contract.council.clone());
        }
    }
    for contract in contracts {
        let Some((key, _)) = named(contract) else { continue };
        let (Some(officer), Some(category)) = (officers.get_mut(&key), contract.category.as_deref()) else { continue };
        let category = category.trim();
        if !category.is_empty() && !officer.expertise.iter().any(|e| e == category) {
            officer.expertise.push(category.to_string());
        }
    }
    let mut officers: Vec<Officer> = officers.into_values().collect();
    for officer in &mut officers {
        officer.councils.sort();
        officer.expertise.sort();
    }
    officers.sort_by(|a, b| a.name.cmp(&b.name));
    officers
}

/// Read an officers file: CSV with a header row naming any of [`OFFICER_COLUMNS`] (`name`
/// required); `categories` and `councils` hold `;`-separated lists; capacities may be blank.
pub fn read_officers_file(path: &Path) -> Result<Vec<Officer>> {
    let is_csv = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !is_csv {
        return Err(Error::input(path, None, "an officers file must be CSV (.csv)")
            .with_hint(format!("columns: {} (only name is required)", OFFICER_COLUMNS.join(","))));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    parse_officers(&bytes).map_err(|(line, message)| Error::input(path, line, message))
}

/// The officers in CSV `bytes`; an error carries the 1-based line it is about.
fn parse_officers(bytes: &[u8]) -> std::result::Result<Vec<Officer>, (Option<u64>, String)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(false).trim(csv::Trim::All).from_reader(bytes);
    let header = reader.headers().map_err(|e| (e.position().map(|p| p.line()), e.to_string()))?.clone();
    let mut column = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let known = OFFICER_COLUMNS.iter().find(|c| c.eq_ignore_ascii_case(name.trim())).ok_or_else(|| {
            (Some(1), format!("unknown column '{name}'; the columns are {}", OFFICER_COLUMNS.join(", ")))
        })?;
        if column.insert(*known, i).is_some() {
            return Err((Some(1), format!("column '{known}' appears twice")));
        }
    }
    if !column.contains_key("name") {
        return Err((Some(1), format!("no 'name' column; the columns are {}", OFFICER_COLUMNS.join(", "))));
    }
    let list = |text: &str| -> Vec<String> {
        text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
    };
    let mut officers: Vec<Officer> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| (e.position().map(|p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |name: &str| column.get(name).and_then(|&i| record.get(i)).unwrap_or("");
        let name = cell("name");
        if name.is_empty() {
            return Err((Some(line), "officer has no name".into()));
        }
        if let Some(first) = seen.insert(person_key(name), line) {
            return Err((Some(line), format!("officer '{name}' is already listed on line {first}")));
        }
        let max_contracts = match cell("max_contracts") {
            "" => None,
            text => Some(
                text.parse::<u64>()
                    .map_err(|_| (Some(line), format!("max_contracts '{text}' is not a whole number of contracts")))?,
            ),
        };
        let max_value = match cell("max_value") {
            "" => None,
            text => match parse_capacity_value(text) {
                Ok(pence) if pence >= 0 => Some(pence),
                Ok(_) => return Err((Some(line), format!("max_value '{text}' is negative"))),
                Err(why) => return Err((Some(line), format!("max_value '{text}': {why}"))),
            },
        };
        officers.push(Officer {
            name: name.to_string(),
            expertise: list(cell("categories")),
            councils: list(cell("councils")),
            max_contracts,
            max_value,
        });
    }
    if officers.is_empty() {
        return Err((None, "lists no officers".into()));
    }
    Ok(officers)
}

/// An amount as in a register (`£250,000.00`) or as in SpendQL (`£250k`, `£1.5m`), in pence.
fn parse_capacity_value(text: &str) -> std::result::Result<i128, &'static str> {
    let (number, multiplier) = match text.trim().char_indices().last() {
        Some((i, 'k' | 'K')) => (&text.trim()[..i], 1_000),
        Some((i, 'm' | 'M')) => (&text.trim()[..i], 1_000_000),
        _ => (text, 1),
    };
    let pence = parse_amount(number.as_bytes()).map_err(|why| why.reason())?;
    pence.checked_mul(multiplier).filter(|p| p.abs() < 10i128.pow(18)).ok_or("amount is too large")
}

/// Every contract in a dataset's `contracts` table, in file and row order.
pub fn read_contracts(snapshot: &Snapshot) -> Result<Vec<Contract>> {
    let files = snapshot.table_files(Table::Contracts);
    if files.is_empty() {
        return Err(Error::dataset("the dataset has no contracts table").with_hint(
            "ingest a contracts register first: spendql ingest --council NAME --kind contracts REGISTER.csv",
        ));
    }
    let mut contracts = Vec::new();
    for path in files {
        let file = File::open(&path).map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)?.build()?;
        for batch in reader {
            read_batch(&batch?, &path, &mut contracts)?;
        }
    }
    Ok(contracts)
}

/// A column of a contracts batch, cast to the type the schema promises (so files written by
/// an older or newer ingest, with dictionary or view strings, read the same).
fn column(batch: &RecordBatch, name: &str, data_type: &DataType, path: &Path) -> Result<ArrayRef> {
    let array = batch
        .column_by_name(name)
        .ok_or_else(|| Error::dataset(format!("{} has no column '{name}'", path.display())))?;
    Ok(if array.data_type() == data_type { Arc::clone(array) } else { cast(array, data_type)? })
}

fn read_batch(batch: &RecordBatch, path: &Path, out: &mut Vec<Contract>) -> Result<()> {
    let text = |name| column(batch, name, &DataType::Utf8, path);
    let (council, reference, title) = (text(col::COUNCIL)?, text(col::REFERENCE)?, text(col::TITLE)?);
    let (category, category_code) = (text(col::CATEGORY)?, text(col::CATEGORY_CODE)?);
    let (officer, status) = (text(col::OFFICER)?, text(col::STATUS)?);
    let money = |name| column(batch, name, &MONEY, path);
    let (value_total, value_annual) = (money(col::VALUE_TOTAL)?, money(col::VALUE_ANNUAL)?);
    let date = |name| column(batch, name, &DataType::Date32, path);
    let (expiry, end) = (date(col::EXPIRY_DATE)?, date(col::END_DATE)?);

    let string = |array: &ArrayRef, row: usize| -> Option<String> {
        let strings = array.as_string::<i32>();
        (strings.is_valid(row) && !strings.value(row).trim().is_empty()).then(|| strings.value(row).trim().to_string())
    };
    let pence =
        |array: &ArrayRef, row: usize| array.is_valid(row).then(|| array.as_primitive::<Decimal128Type>().value(row));
    let day = |array: &ArrayRef, row: usize| {
        array.is_valid(row).then(|| array.as_primitive::<Date32Type>().value(row)).and_then(date_from_days)
    };
    for row in 0..batch.num_rows() {
        out.push(Contract {
            council: string(&council, row).unwrap_or_default(),
            reference: string(&reference, row).unwrap_or_default(),
            title: string(&title, row).unwrap_or_default(),
            category: string(&category, row),
            category_code: string(&category_code, row),
            value: pence(&value_total, row).or_else(|| pence(&value_annual, row)).unwrap_or(0),
            expiry_date: day(&expiry, row).or_else(|| day(&end, row)),
            officer: string(&officer, row),
            status: string(&status, row),
        });
    }
    Ok(())
}

fn date_from_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(chrono::TimeDelta::days(days.into()))
}

/// One line of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub contract: Contract,
    pub expiry_date: NaiveDate,
    pub months_to_expiry: u32,
    pub proposed_officer: Option<String>,
    pub allocation: Allocation,
}

/// What each officer is given, with their stated capacity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerTotal {
    pub officer: Officer,
    pub contracts: u64,
    pub value: i128,
}

/// A proposed allocation of the contracts expiring in a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workplan {
    pub window: Window,
    /// Where the officer list came from, for the summary: a file path or the register.
    pub officers_source: String,
    /// Ordered by expiry date, then council and reference: the most urgent first.
    pub rows: Vec<PlanRow>,
    /// In the officer list's order.
    pub officers: Vec<OfficerTotal>,
}

/// The plan for `contracts` (a whole register) and `officers`: the live contracts expiring
/// in `window`, allocated by [`allocate`].
pub fn plan(contracts: &[Contract], officers: &[Officer], window: Window, officers_source: &str) -> Workplan {
    let mut in_scope: Vec<(Contract, NaiveDate)> = contracts
        .iter()
        .filter(|c| c.is_live())
        .filter_map(|c| c.expiry_date.filter(|d| window.contains(*d)).map(|d| (c.clone(), d)))
        .collect();
    in_scope.sort_by(|(a, da), (b, db)| (da, &a.council, &a.reference).cmp(&(db, &b.council, &b.reference)));
    let scoped: Vec<Contract> = in_scope.iter().map(|(c, _)| c.clone()).collect();
    let allocations = allocate(&scoped, officers);

    let mut totals: Vec<OfficerTotal> =
        officers.iter().map(|o| OfficerTotal { officer: o.clone(), contracts: 0, value: 0 }).collect();
    let rows = in_scope
        .into_iter()
        .zip(allocations)
        .map(|((contract, expiry_date), allocation)| {
            if let Some(o) = allocation.officer {
                totals[o].contracts += 1;
                totals[o].value += contract.weight();
            }
            PlanRow {
                months_to_expiry: window.months_to(expiry_date),
                proposed_officer: allocation.officer.map(|o| officers[o].name.clone()),
                expiry_date,
                contract,
                allocation,
            }
        })
        .collect();
    Workplan { window, officers_source: officers_source.to_string(), rows, officers: totals }
}

/// What `spendql workplan` was asked for.
#[derive(Debug, Clone)]
pub struct WorkplanOptions {
    pub as_of: NaiveDate,
    pub months: u32,
    /// Without one, the officers are those named in the register.
    pub officers_file: Option<PathBuf>,
}

/// Read the dataset's contracts (and the officers file, if any) and plan the window.
pub fn build_workplan(dataset: &Dataset, options: &WorkplanOptions) -> Result<Workplan> {
    let window = Window::new(options.as_of, options.months)?;
    let listed = options.officers_file.as_deref().map(read_officers_file).transpose()?;
    let contracts = read_contracts(&dataset.snapshot()?)?;
    Ok(match (listed, &options.officers_file) {
        (Some(officers), Some(path)) => plan(&contracts, &officers, window, &path.display().to_string()),
        _ => plan(&contracts, &officers_from_register(&contracts), window, "the register's officer column"),
    })
}

/// The formats a plan can be written to, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    Csv,
    Xlsx,
}

impl PlanFormat {
    pub fn from_path(path: &Path) -> Result<PlanFormat> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => Ok(PlanFormat::Csv),
            Some("xlsx") => Ok(PlanFormat::Xlsx),
            _ => Err(Error::usage(format!("cannot tell the format of {}", path.display()))
                .with_hint("name the output FILE.csv or FILE.xlsx")),
        }
    }
}

/// The plan's cells as text, in [`PLAN_COLUMNS`] order; money as plain `1234.56` unless
/// `human` (then `£1,234.56`).
fn row_cells(row: &PlanRow, human: bool) -> [String; 10] {
    let c = &row.contract;
    [
        c.council.clone(),
        c.reference.clone(),
        c.title.clone(),
        c.category.clone().unwrap_or_default(),
        if human { money_text(c.value) } else { format_pence(c.value) },
        row.expiry_date.to_string(),
        row.months_to_expiry.to_string(),
        c.officer.clone().unwrap_or_default(),
        row.proposed_officer.clone().unwrap_or_default(),
        row.allocation.reason_text(),
    ]
}

/// The plan as CSV: a header of [`PLAN_COLUMNS`], then one line per contract.
pub fn write_csv(plan: &Workplan, out: impl Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let csv_err = |e: csv::Error| Error::new(ErrorKind::Io, format!("cannot write the plan: {e}"));
    writer.write_record(PLAN_COLUMNS).map_err(csv_err)?;
    for row in &plan.rows {
        writer.write_record(row_cells(row, false)).map_err(csv_err)?;
    }
    writer.flush().map_err(|e| Error::io("cannot write the plan", e))
}

fn text_table(header: &[&str], width: Option<u16>) -> TextTable {
    let mut table = TextTable::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(width) = width {
        table.set_width(width);
    }
    table.set_header(header.iter().copied());
    table
}

fn right_align(table: &mut TextTable, columns: &[usize]) {
    for &i in columns {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// The plan as a text table, at most `width` columns wide if given.
pub fn write_table(plan: &Workplan, width: Option<u16>, mut out: impl Write) -> Result<()> {
    let mut table = text_table(&PLAN_COLUMNS, width);
    for row in &plan.rows {
        table.add_row(row_cells(row, true));
    }
    right_align(&mut table, &[4, 6]);
    writeln!(out, "{table}").map_err(|e| Error::io("cannot write the plan", e))
}

/// `Contracts expiring 2025-01-01 to 2025-06-30 (6 months from 2025-01-01): 7 worth £1,750,000.25`
pub fn window_line(plan: &Workplan) -> String {
    let total: i128 = plan.rows.iter().map(|r| r.contract.weight()).sum();
    let w = &plan.window;
    format!(
        "Contracts expiring {} to {} ({} month{} from {}): {} worth {}",
        w.start,
        w.last_day(),
        w.months,
        if w.months == 1 { "" } else { "s" },
        w.start,
        plan.rows.len(),
        money_text(total)
    )
}

/// Each officer's totals against capacity, then the contracts needing attention: those
/// nobody could take and those in a category nobody is expert in.
pub fn write_summary(plan: &Workplan, width: Option<u16>, mut out: impl Write) -> Result<()> {
    let io = |e| Error::io("cannot write the summary", e);
    writeln!(out, "Officers from {}:", plan.officers_source).map_err(io)?;
    if plan.officers.is_empty() {
        writeln!(out, "  none — name them with --officers FILE.csv").map_err(io)?;
    } else {
        let mut table = text_table(&SUMMARY_COLUMNS, width);
        for t in &plan.officers {
            table.add_row([
                t.officer.name.clone(),
                t.contracts.to_string(),
                money_text(t.value),
                t.officer.max_contracts.map(|m| m.to_string()).unwrap_or_default(),
                t.officer.max_value.map(money_text).unwrap_or_default(),
            ]);
        }
        right_align(&mut table, &[1, 2, 3, 4]);
        writeln!(out, "{table}").map_err(io)?;
    }
    // The first few, most urgent first; the plan itself lists them all.
    const SHOWN: usize = 10;
    let references = |rows: Vec<&PlanRow>| -> String {
        let mut text = rows
            .iter()
            .take(SHOWN)
            .map(|r| format!("{} {}", r.contract.council, r.contract.reference))
            .collect::<Vec<_>>()
            .join(", ");
        if rows.len() > SHOWN {
            text.push_str(&format!(" and {} more", rows.len() - SHOWN));
        }
        text
    };
    let unassigned: Vec<&PlanRow> = plan.rows.iter().filter(|r| r.proposed_officer.is_none()).collect();
    if !unassigned.is_empty() {
        writeln!(out, "Nobody could take ({}): {}", unassigned.len(), references(unassigned)).map_err(io)?;
    }
    let no_expert: Vec<&PlanRow> = plan.rows.iter().filter(|r| r.allocation.nobody_expert).collect();
    if !no_expert.is_empty() {
        writeln!(out, "In a category nobody is expert in ({}): {}", no_expert.len(), references(no_expert))
            .map_err(io)?;
    }
    Ok(())
}

/// The plan as a workbook: a `Plan` sheet and an `Officers` summary sheet, money as numbers
/// in £ format and expiry dates as dates.
fn write_xlsx(plan: &Workplan, path: &Path) -> Result<()> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let shown = path.display().to_string();
    let xlsx = |e: rust_xlsxwriter::XlsxError| Error::new(ErrorKind::Io, format!("cannot write {shown}: {e}"));
    let header = Format::new().set_bold();
    let money = Format::new().set_num_format("£#,##0.00;-£#,##0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    // Pounds as an Excel number: the one place money becomes a float, because Excel's cells are.
    let pounds = |pence: i128| pence as f64 / 100.0;

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Plan").map_err(xlsx)?;
    for (c, name) in PLAN_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &header).map_err(xlsx)?;
    }
    for (r, row) in plan.rows.iter().enumerate() {
        let r = r as u32 + 1;
        let cells = row_cells(row, false);
        for (c, text) in cells.iter().enumerate() {
            let c = c as u16;
            match PLAN_COLUMNS[c as usize] {
                "value" => sheet.write_number_with_format(r, c, pounds(row.contract.value), &money),
                "months_to_expiry" => sheet.write_number(r, c, f64::from(row.months_to_expiry)),
                "expiry_date" => {
                    let d = row.expiry_date;
                    let excel =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(xlsx)?;
                    sheet.write_date_with_format(r, c, &excel, &date)
                }
                _ => sheet.write_string(r, c, text),
            }
            .map_err(xlsx)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    sheet.autofit();

    let sheet = workbook.add_worksheet();
    sheet.set_name("Officers").map_err(xlsx)?;
    for (c, name) in SUMMARY_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &header).map_err(xlsx)?;
    }
    for (r, t) in plan.officers.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, &t.officer.name).map_err(xlsx)?;
        sheet.write_number(r, 1, t.contracts as f64).map_err(xlsx)?;
        sheet.write_number_with_format(r, 2, pounds(t.value), &money).map_err(xlsx)?;
        if let Some(max) = t.officer.max_contracts {
            sheet.write_number(r, 3, max as f64).map_err(xlsx)?;
        }
        if let Some(max) = t.officer.max_value {
            sheet.write_number_with_format(r, 4, pounds(max), &money).map_err(xlsx)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    sheet.autofit();
    workbook.save(path).map_err(xlsx)
}

/// Write the plan to `path` in the format its extension names, under a temporary name that
/// is renamed into place only when complete, so a failed run never leaves half a plan that
/// looks finished (or clobbers the previous one).
pub fn write_file(plan: &Workplan, path: &Path) -> Result<()> {
    let format = PlanFormat::from_path(path)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.partial"));
    let written = match format {
        PlanFormat::Csv => File::create(&temp)
            .map_err(|e| Error::io(format!("cannot create {}", temp.display()), e))
            .and_then(|file| write_csv(plan, std::io::BufWriter::new(file))),
        PlanFormat::Xlsx => write_xlsx(plan, &temp),
    };
    let moved = written.and_then(|()| {
        std::fs::rename(&temp, path).map_err(|e| Error::io(format!("cannot move {} into place", path.display()), e))
    });
    if moved.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    moved
}

#[cfg(test)]
mod tests;
