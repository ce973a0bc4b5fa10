//! `spendql workplan`: which contracts expire in the coming months and which procurement
//! officer should re-procure each. Owns the rules that decide this — what is in scope, who
//! the officers are, and the deterministic allocation that keeps current officers, follows
//! category expertise and balances load — plus reading what they need (the `contracts`
//! table's Parquet files and an officers CSV) and writing the plan (CSV, XLSX, text tables).
//!
//! The allocation itself ([`allocate`]) is a pure function of contracts and officers, so it
//! can be tested on inputs whose right answer is known by hand; everything that touches
//! files is kept to the edges of this module.
#![allow(missing_docs, reason = "workplan record fields; their docs are still to write")]

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};
use datafusion::arrow::array::{
    ArrayRef, Date32Array, Decimal128Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema};

use crate::catalog::reader::{date_at, money_at};
use crate::catalog::{Dataset, Snapshot, TableBatch, Text};
use crate::dates::{date_from_days, days_from_date};
use crate::error::{Error, Result};
use crate::money::{money_text, parse_amount};
use crate::output::{self, Format, Part, ResultSet};
use crate::schema::{MONEY, MONEY_PRECISION, MONEY_SCALE, Table, contracts as col};

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
    /// `contract_id`, the contract's key: what the summary names contracts by, since a
    /// register's references repeat. `COUNCIL REFERENCE` in a table written without ids.
    pub contract_id: String,
    pub reference: String,
    pub title: String,
    /// The harmonised category (the ProClass label, the same in every council's register).
    pub category: Option<String>,
    pub category_code: Option<String>,
    /// The category as the register published it, which officers may know their trade by
    /// (`ICT`, where the harmonised label says `INFORMATION COMMUNICATION TECHNOLOGY`).
    pub published_category: Option<String>,
    pub published_category_code: Option<String>,
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

    /// Whether an expertise entry covers the contract's harmonised category or the one its
    /// register published: an officers file written before registers were classified, or in
    /// the council's own words, keeps meaning what it meant.
    pub fn is_expert_in(&self, contract: &Contract) -> bool {
        let harmonised = (contract.category.as_deref(), contract.category_code.as_deref());
        let published = (contract.published_category.as_deref(), contract.published_category_code.as_deref());
        self.expertise.iter().any(|entry| {
            [harmonised, published].into_iter().any(|(category, code)| expertise_covers(entry, category, code))
        })
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
    let score = |load: &Load| i128::from(load.contracts) * total_value + load.value * total_count;

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
    let header = reader.headers().map_err(|e| (e.position().map(csv::Position::line), e.to_string()))?.clone();
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
        let record = record.map_err(|e| (e.position().map(csv::Position::line), e.to_string()))?;
        let line = record.position().map_or(0, csv::Position::line);
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
    let pence = parse_amount(number.as_bytes()).map_err(super::money::AmountError::reason)?;
    pence.checked_mul(multiplier).filter(|p| p.abs() < 10i128.pow(18)).ok_or("amount is too large")
}

/// Every contract in a dataset's `contracts` table, in file and row order.
pub fn read_contracts(snapshot: &Snapshot) -> Result<Vec<Contract>> {
    let reader = snapshot.reader(Table::Contracts);
    if reader.is_empty() {
        return Err(Error::dataset("the dataset has no contracts table").with_hint(
            "ingest a contracts register first: spendql ingest --council NAME --kind contracts REGISTER.csv",
        ));
    }
    let columns = [
        col::COUNCIL,
        col::CONTRACT_ID,
        col::REFERENCE,
        col::TITLE,
        col::CATEGORY,
        col::CATEGORY_CODE,
        col::PUBLISHED_CATEGORY,
        col::PUBLISHED_CATEGORY_CODE,
        col::OFFICER,
        col::STATUS,
        col::VALUE_TOTAL,
        col::VALUE_ANNUAL,
        col::EXPIRY_DATE,
        col::END_DATE,
    ];
    let mut contracts = Vec::new();
    for batch in reader.batches(Some(&columns)) {
        read_batch(&batch?, &mut contracts)?;
    }
    Ok(contracts)
}

fn read_batch(batch: &TableBatch, out: &mut Vec<Contract>) -> Result<()> {
    let (council, reference, title) =
        (batch.required_text(col::COUNCIL)?, batch.text(col::REFERENCE)?, batch.text(col::TITLE)?);
    let contract_id = batch.text(col::CONTRACT_ID)?;
    let (category, category_code) = (batch.text(col::CATEGORY)?, batch.text(col::CATEGORY_CODE)?);
    let (published_category, published_category_code) =
        (batch.text(col::PUBLISHED_CATEGORY)?, batch.text(col::PUBLISHED_CATEGORY_CODE)?);
    let (officer, status) = (batch.text(col::OFFICER)?, batch.text(col::STATUS)?);
    let (value_total, value_annual) = (batch.money(col::VALUE_TOTAL)?, batch.money(col::VALUE_ANNUAL)?);
    let (expiry, end) = (batch.date(col::EXPIRY_DATE)?, batch.date(col::END_DATE)?);
    let string = |text: &Text, row: usize| text.get(row).map(str::to_string);
    let day = |dates, row| date_at(dates, row).and_then(date_from_days);
    for row in 0..batch.num_rows() {
        let (council, reference) =
            (string(&council, row).unwrap_or_default(), string(&reference, row).unwrap_or_default());
        out.push(Contract {
            contract_id: string(&contract_id, row).unwrap_or_else(|| format!("{council} {reference}")),
            council,
            reference,
            title: string(&title, row).unwrap_or_default(),
            category: string(&category, row),
            category_code: string(&category_code, row),
            published_category: string(&published_category, row),
            published_category_code: string(&published_category_code, row),
            value: money_at(value_total, row).or_else(|| money_at(value_annual, row)).unwrap_or(0),
            expiry_date: day(expiry, row).or_else(|| day(end, row)),
            officer: string(&officer, row),
            status: string(&status, row),
        });
    }
    Ok(())
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

/// The plan as a result: one row per contract, in [`PLAN_COLUMNS`] order, money as
/// `Decimal128(18,2)` and expiry as a date, so every format (and a workbook's £ format) gets
/// them typed.
pub fn plan_result(plan: &Workplan) -> ResultSet {
    let rows = &plan.rows;
    let text =
        |f: &dyn Fn(&PlanRow) -> Option<String>| -> ArrayRef { Arc::new(rows.iter().map(f).collect::<StringArray>()) };
    let columns: Vec<ArrayRef> = vec![
        text(&|r| Some(r.contract.council.clone())),
        text(&|r| Some(r.contract.reference.clone())),
        text(&|r| Some(r.contract.title.clone())),
        text(&|r| r.contract.category.clone()),
        money_array(rows.iter().map(|r| Some(r.contract.value))),
        Arc::new(rows.iter().map(|r| Some(days_from_date(r.expiry_date))).collect::<Date32Array>()),
        Arc::new(rows.iter().map(|r| Some(r.months_to_expiry)).collect::<UInt32Array>()),
        text(&|r| r.contract.officer.clone()),
        text(&|r| r.proposed_officer.clone()),
        text(&|r| Some(r.allocation.reason_text())),
    ];
    let types = [
        DataType::Utf8,
        DataType::Utf8,
        DataType::Utf8,
        DataType::Utf8,
        MONEY,
        DataType::Date32,
        DataType::UInt32,
        DataType::Utf8,
        DataType::Utf8,
        DataType::Utf8,
    ];
    result("Plan", &PLAN_COLUMNS, &types, columns)
}

/// Each officer's totals against their stated capacity, in the officer list's order.
pub fn officers_result(plan: &Workplan) -> ResultSet {
    let officers = &plan.officers;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(officers.iter().map(|t| Some(t.officer.name.clone())).collect::<StringArray>()),
        Arc::new(officers.iter().map(|t| Some(t.contracts)).collect::<UInt64Array>()),
        money_array(officers.iter().map(|t| Some(t.value))),
        Arc::new(officers.iter().map(|t| t.officer.max_contracts).collect::<UInt64Array>()),
        money_array(officers.iter().map(|t| t.officer.max_value)),
    ];
    let types = [DataType::Utf8, DataType::UInt64, MONEY, DataType::UInt64, MONEY];
    result("Officers", &SUMMARY_COLUMNS, &types, columns)
}

fn money_array(pence: impl Iterator<Item = Option<i128>>) -> ArrayRef {
    Arc::new(
        pence
            .collect::<Decimal128Array>()
            .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)
            .expect("money fits Decimal128(18,2)"),
    )
}

fn result(title: &str, names: &[&str], types: &[DataType], columns: Vec<ArrayRef>) -> ResultSet {
    let fields: Vec<Field> = names.iter().zip(types).map(|(n, t)| Field::new(*n, t.clone(), true)).collect();
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("columns match their schema");
    ResultSet::from_batch(batch).titled(title)
}

/// What `spendql workplan` prints: the window, the plan, then for people the officers'
/// totals and the contracts needing attention. A workbook carries the totals as a second
/// sheet; a one-table format carries the plan alone.
pub fn report(plan: &Workplan, format: Format) -> output::Report {
    let mut results = vec![plan_result(plan)];
    if format.holds_many() {
        results.push(officers_result(plan));
    }
    output::Report {
        results,
        before: vec![Part::Line(window_line(plan))],
        after: summary(plan),
        written: Some("the plan".to_string()),
        ..output::Report::default()
    }
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
pub fn summary(plan: &Workplan) -> Vec<Part> {
    let mut parts = vec![Part::Line(String::new()), Part::Line(format!("Officers from {}:", plan.officers_source))];
    if plan.officers.is_empty() {
        parts.push(Part::Line("  none — name them with --officers FILE.csv".to_string()));
    } else {
        parts.push(Part::Table(officers_result(plan)));
    }
    // The first few, most urgent first; the plan itself lists them all.
    const SHOWN: usize = 10;
    let references = |rows: Vec<&PlanRow>| -> String {
        let mut text = rows.iter().take(SHOWN).map(|r| r.contract.contract_id.clone()).collect::<Vec<_>>().join(", ");
        if rows.len() > SHOWN {
            text.push_str(&format!(" and {} more", rows.len() - SHOWN));
        }
        text
    };
    let unassigned: Vec<&PlanRow> = plan.rows.iter().filter(|r| r.proposed_officer.is_none()).collect();
    if !unassigned.is_empty() {
        parts.push(Part::Line(format!("Nobody could take ({}): {}", unassigned.len(), references(unassigned))));
    }
    let no_expert: Vec<&PlanRow> = plan.rows.iter().filter(|r| r.allocation.nobody_expert).collect();
    if !no_expert.is_empty() {
        parts.push(Part::Line(format!(
            "In a category nobody is expert in ({}): {}",
            no_expert.len(),
            references(no_expert)
        )));
    }
    parts
}

#[cfg(test)]
mod tests;
