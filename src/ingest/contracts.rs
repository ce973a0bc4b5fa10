//! Contracts registers → the `contracts` table, one row per contract. Owns the register's
//! synonym table ([`ContractField`]) and the reading of its values; everything else is
//! shared with spend: sources and encodings (`read`), header detection (`headers`), the
//! header search, shape checks, placeholders and `extras` (`cells`), amounts and dates
//! (`values`), rejects, and the placing, manifest and commit of the ingest transaction.
//!
//! Rules a register's values follow (also in the README):
//! - A contract exists without any of its optional values, so only its total value (the
//!   money that reconciles) rejects a row it cannot read. A placeholder
//!   (`cells::is_placeholder`: empty, `TBC`, `N/A`, `Not yet available`, `-`, `X`,
//!   `Various`, ...) in any other column means "no value" (null); `Nil` in a money column is
//!   £0.00; a date, amount, number of months or identifier that cannot be read is null with
//!   its text kept in `extras`. The file's report counts such cells per field.
//! - `expiry_date` is the register's expiry column (`Current Expiry Date`, ...); when the
//!   register has none, or the cell is a placeholder, it is the `end_date`.
//! - `value_total` is the money that reconciles: read = loaded + rejected, to the penny.
//! - `contract_id` is [`contract_ids`]: `Salford/S1161` from the council and the reference
//!   (trimmed, spaces collapsed, upper case; a placeholder is no reference), `Salford/S1161/2`
//!   for a repeat, `Salford/(Title)` without a reference, `Salford/row-57` without either. The
//!   ids written here cover this register alone; `link` renumbers across every register of
//!   the dataset after every change.
//!
//! Registers are small (hundreds of rows), so a register is read whole before its rows are
//! parsed: the day/month order of numeric dates is decided from every date column at once,
//! and the rows become one Parquet file with no financial-year partition (a contract has
//! no payment date).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use csv::ByteRecord;
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int32Array, Int64Array, StringArray,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;

use crate::error::{Error, Result};
use crate::schema::{self, MONEY_PRECISION, MONEY_SCALE, contracts_schema};
use crate::suppliers::supplier_key;

use super::cells::{self, HeaderSearch, is_missing, is_nil, is_placeholder, says_no_value};
use super::headers::{self, Field, Mapping};
use super::loaded::{CellCounts, Context, Counts, Loaded, MappingSummary, Reading};
use super::read::{Encoding, Records, Source};
use super::rejects;
use super::values::{self, DateOrder, OrderEvidence};
use super::write::{self, PartitionFile};

/// A column of the `contracts` table a register column can feed (see `schema::contracts`).
/// Declared in schema order, which is the order the mapping is reported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContractField {
    Reference,
    Title,
    Description,
    Department,
    Procedure,
    SupplierName,
    CompanyNumber,
    CharityNumber,
    SupplierPostcode,
    Sme,
    Vcse,
    StartDate,
    EndDate,
    ReviewDate,
    ExpiryDate,
    ExtensionMonthsAvailable,
    ValueTotal,
    ValueAnnual,
    IrrecoverableVat,
    CategoryCode,
    Category,
    Collaborative,
    SavingsCashable,
    SavingsNonCashable,
    SocialValue,
    Officer,
    Status,
}

impl ContractField {
    pub const ALL: [ContractField; 27] = [
        ContractField::Reference,
        ContractField::Title,
        ContractField::Description,
        ContractField::Department,
        ContractField::Procedure,
        ContractField::SupplierName,
        ContractField::CompanyNumber,
        ContractField::CharityNumber,
        ContractField::SupplierPostcode,
        ContractField::Sme,
        ContractField::Vcse,
        ContractField::StartDate,
        ContractField::EndDate,
        ContractField::ReviewDate,
        ContractField::ExpiryDate,
        ContractField::ExtensionMonthsAvailable,
        ContractField::ValueTotal,
        ContractField::ValueAnnual,
        ContractField::IrrecoverableVat,
        ContractField::CategoryCode,
        ContractField::Category,
        ContractField::Collaborative,
        ContractField::SavingsCashable,
        ContractField::SavingsNonCashable,
        ContractField::SocialValue,
        ContractField::Officer,
        ContractField::Status,
    ];

    /// The `contracts` column this field fills; profiles use the same names.
    pub fn name(self) -> &'static str {
        use crate::schema::contracts as c;
        match self {
            ContractField::Reference => c::REFERENCE,
            ContractField::Title => c::TITLE,
            ContractField::Description => c::DESCRIPTION,
            ContractField::Department => c::DEPARTMENT,
            ContractField::Procedure => c::PROCEDURE,
            ContractField::SupplierName => c::SUPPLIER_NAME,
            ContractField::CompanyNumber => c::COMPANY_NUMBER,
            ContractField::CharityNumber => c::CHARITY_NUMBER,
            ContractField::SupplierPostcode => c::SUPPLIER_POSTCODE,
            ContractField::Sme => c::SME,
            ContractField::Vcse => c::VCSE,
            ContractField::StartDate => c::START_DATE,
            ContractField::EndDate => c::END_DATE,
            ContractField::ReviewDate => c::REVIEW_DATE,
            ContractField::ExpiryDate => c::EXPIRY_DATE,
            ContractField::ExtensionMonthsAvailable => c::EXTENSION_MONTHS_AVAILABLE,
            ContractField::ValueTotal => c::VALUE_TOTAL,
            ContractField::ValueAnnual => c::VALUE_ANNUAL,
            ContractField::IrrecoverableVat => c::IRRECOVERABLE_VAT,
            // Stored as `published_category(_code)` (the harmonised `category` is derived),
            // as on spend; profiles and mapping reports keep the short names they always had.
            ContractField::CategoryCode => "category_code",
            ContractField::Category => "category",
            ContractField::Collaborative => c::COLLABORATIVE,
            ContractField::SavingsCashable => c::SAVINGS_CASHABLE,
            ContractField::SavingsNonCashable => c::SAVINGS_NON_CASHABLE,
            ContractField::SocialValue => c::SOCIAL_VALUE,
            ContractField::Officer => c::OFFICER,
            ContractField::Status => c::STATUS,
        }
    }

    /// How a reject reason names the field: `unreadable end date '22/04/222'`.
    fn label(self) -> &'static str {
        match self {
            ContractField::StartDate => "start date",
            ContractField::EndDate => "end date",
            ContractField::ReviewDate => "review date",
            ContractField::ExpiryDate => "expiry date",
            ContractField::ExtensionMonthsAvailable => "extension months",
            ContractField::ValueTotal => "total value",
            ContractField::ValueAnnual => "annual value",
            ContractField::IrrecoverableVat => "irrecoverable VAT",
            ContractField::SavingsCashable => "cashable savings",
            ContractField::SavingsNonCashable => "non-cashable savings",
            ContractField::SocialValue => "social value",
            ContractField::CompanyNumber => "company number",
            ContractField::CharityNumber => "charity number",
            other => other.name(),
        }
    }

    /// Register headers meaning this field, best first, normalised (lower-case letters and
    /// digits only). Salford's published register is the model; the rest are the names
    /// other councils' registers and the Local Government Transparency Code use.
    // A data table: one match arm of header synonyms per field, not logic to split up.
    #[allow(clippy::too_many_lines)]
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            ContractField::Reference => &[
                "contractreference",
                "contractref",
                "contractreferencenumber",
                "contractrefno",
                "reference",
                "referencenumber",
                "referenceno",
                "ref",
                "contractnumber",
                "contractno",
                "contractid",
                "procurementreference",
                "tenderreference",
            ],
            ContractField::Title => &[
                "contracttitle",
                "title",
                "contractname",
                "nameofcontract",
                "titleofcontract",
                "projecttitle",
                "subject",
            ],
            ContractField::Description => &[
                "contractdescription",
                "description",
                "descriptionofcontract",
                "descriptionofgoodsandservices",
                "descriptionofgoodsservicesorworks",
                "servicedescription",
                "scopeofcontract",
                "summary",
            ],
            ContractField::Department => &[
                "directoratename",
                "directorate",
                "department",
                "departmentname",
                "servicearea",
                "service",
                "organisationalunit",
                "businessunit",
                "commissioningdepartment",
                "commissioningservice",
            ],
            ContractField::Procedure => &[
                "processused",
                "procurementroute",
                "procedure",
                "proceduretype",
                "procurementprocedure",
                "routetomarket",
                "procurementprocess",
                "procurementmethod",
                "awardprocedure",
                "tenderprocess",
            ],
            ContractField::SupplierName => &[
                "suppliercompanyname",
                "suppliername",
                "supplier",
                "contractor",
                "contractorname",
                "providername",
                "provider",
                "nameofsupplier",
                "vendorname",
                "vendor",
                "awardedto",
                "awardedsupplier",
                "supplierscompanyname",
            ],
            ContractField::CompanyNumber => &[
                "companynumber",
                "companyregistrationnumber",
                "registeredcompanynumber",
                "companieshousenumber",
                "companieshouseregistrationnumber",
                "companyno",
                "companyregno",
                "suppliercompanynumber",
                "supplierregistrationnumber",
                "companyregistration",
                "companyregnumber",
                "companyregistrationno",
                "registeredcompanyno",
                "companieshouseno",
            ],
            ContractField::CharityNumber => headers::CHARITY_NUMBER_SYNONYMS,
            ContractField::SupplierPostcode => {
                &["supplierpostcode", "postcode", "supplierpostalcode", "contractorpostcode", "providerpostcode"]
            }
            ContractField::Sme => &[
                "smesupplier",
                "sme",
                "issme",
                "suppliersme",
                "smeflag",
                "supplierisansme",
                "smallormediumenterprise",
                "smallmediumenterprise",
            ],
            ContractField::Vcse => &[
                "vcse",
                "vcsesupplier",
                "isvcse",
                "suppliervcse",
                "vcseorganisation",
                "voluntarycommunitysocialenterprise",
                "voluntaryorcommunitysector",
            ],
            ContractField::StartDate => {
                &["startdate", "contractstartdate", "commencementdate", "contractcommencementdate", "datestarted"]
            }
            ContractField::EndDate => {
                &["enddate", "contractenddate", "originalenddate", "finishdate", "contractfinishdate"]
            }
            ContractField::ReviewDate => &["reviewdate", "contractreviewdate", "nextreviewdate"],
            ContractField::ExpiryDate => &[
                "currentexpirydate",
                "expirydate",
                "contractexpiry",
                "contractexpirydate",
                "expiry",
                "currentenddate",
                "revisedenddate",
                "enddateincludingextensions",
            ],
            ContractField::ExtensionMonthsAvailable => &[
                "optiontoextendmonths",
                "optiontoextend",
                "extensionmonths",
                "extensionperiodmonths",
                "extensionperiod",
                "extensionoptionsmonths",
                "extensionoptions",
                "availableextensionmonths",
            ],
            ContractField::ValueTotal => &[
                "totalcontractvalueincludingextensions",
                "totalcontractvalue",
                "totalvalue",
                "contractvalue",
                "totalvalueofcontract",
                "estimatedtotalvalue",
                "estimatedcontractvalue",
                "valueofcontract",
                "value",
            ],
            ContractField::ValueAnnual => &[
                "annualvalue",
                "annualcontractvalue",
                "estimatedannualvalue",
                "valueperannum",
                "yearlyvalue",
                "annualspend",
            ],
            ContractField::IrrecoverableVat => &["irrecoverablevat", "irrecoverablevatamount"],
            ContractField::CategoryCode => &[
                "proclassclassification",
                "proclasscode",
                "proclass",
                "categorycode",
                "cpvcode",
                "cpv",
                "classcode",
                "classificationcode",
            ],
            ContractField::Category => &[
                "proclassdescription",
                "proclasslabel",
                "category",
                "categoryname",
                "procurementcategory",
                "cpvdescription",
                "procurementclassification",
                "classification",
            ],
            ContractField::Collaborative => &[
                "collaborativecouncils",
                "collaborative",
                "collaborativepartners",
                "collaborativeauthorities",
                "partnercouncils",
                "partnerauthorities",
                "otherparticipatingauthorities",
            ],
            ContractField::SavingsCashable => &["cashablesavings", "savingscashable", "cashablesaving"],
            ContractField::SavingsNonCashable => &["noncashablesavings", "savingsnoncashable", "noncashablesaving"],
            ContractField::SocialValue => &["socialvalue", "socialvaluecommitted", "socialvalueamount"],
            ContractField::Officer => {
                &["responsibleofficer", "contractmanager", "contractowner", "leadofficer", "contactofficer", "officer"]
            }
            ContractField::Status => &["status", "contractstatus"],
        }
    }
}

impl fmt::Display for ContractField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Field for ContractField {
    const FIELDS: &'static [ContractField] = &ContractField::ALL;

    fn field_name(self) -> &'static str {
        self.name()
    }

    fn header_synonyms(self) -> &'static [&'static str] {
        self.synonyms()
    }

    fn is_classification(self) -> bool {
        matches!(self, ContractField::Category | ContractField::CategoryCode)
    }
}

/// `Yes`/`No` flags (`SME Supplier?`): yes, no, y, n, true, false, 1, 0 in any case;
/// anything else (`Various`, blank) is no answer.
pub fn yes_no(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// `Trafford;Rochdale` → `Trafford;Rochdale` as display names (`TRAFFORD` → `Trafford`),
/// without blanks, placeholders, repeats or the register's own council (the column lists
/// the *other* councils covered). Only `;` separates: official council names can contain
/// commas (`Bristol, City of`).
pub fn collaborative(value: &str, own_council: &str) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    for part in value.split(';') {
        let part = part.trim();
        if is_placeholder(part) || part.eq_ignore_ascii_case("no") || part.eq_ignore_ascii_case("none") {
            continue;
        }
        let name = schema::council_display_name(part);
        if !name.eq_ignore_ascii_case(own_council) && !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            names.push(name);
        }
    }
    (!names.is_empty()).then(|| names.join(";"))
}

/// The published reference as it appears in a `contract_id`: [`id_text`], upper case
/// (`s1161 ` and `S1161` are one reference). `None` for a blank or a placeholder (`TBC`,
/// `N/A`, `-`, ...), which no two contracts can be told apart by.
pub fn id_reference(reference: Option<&str>) -> Option<String> {
    let reference = id_text(reference?);
    (!is_placeholder(&reference)).then(|| reference.to_uppercase())
}

/// Text as it appears in a `contract_id`: control characters dropped (mis-encoded
/// punctuation leaves invisible ones, as in Salford's register), runs of whitespace made one
/// space, trimmed.
fn id_text(text: &str) -> String {
    let visible: String = text
        .chars()
        .filter_map(|c| if c.is_whitespace() { Some(' ') } else { (!c.is_control()).then_some(c) })
        .collect();
    visible.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What names one contract in [`contract_ids`]: its council, published reference and title,
/// and its line in the register.
#[derive(Debug, Clone, Copy)]
pub struct IdParts<'a> {
    /// The council's display name.
    pub council: &'a str,
    /// The reference as published.
    pub reference: Option<&'a str>,
    /// The title as published.
    pub title: Option<&'a str>,
    /// The contract's line in its register.
    pub line: i64,
}

/// The `contract_id` of every contract given, in order. Unique across everything given,
/// which callers make the whole dataset.
///
/// First, each contract's base id is `COUNCIL/REFERENCE` ([`id_reference`]); without a
/// reference, `COUNCIL/(Title)` ([`id_text`] of the title, case kept); with neither,
/// `COUNCIL/row-LINE`. The first contract to claim a base id gets it. Then each later
/// claimant gets `BASE/2`, `BASE/3`, ... in order, skipping any id already given (a register
/// may publish `S1/2` as a reference of its own).
///
/// Why this keeps ids stable: the same register gives the same ids; a republished one that
/// adds rows keeps every reference's first id and every untitled contract's title-based id
/// wherever the rows are inserted (Salford's register is sorted by title, so line numbers
/// would move); only the numbers of a repeated reference or title can move, when a new
/// repeat is inserted before an old one.
pub fn contract_ids<'a>(contracts: impl IntoIterator<Item = IdParts<'a>>) -> Vec<String> {
    let bases: Vec<String> = contracts
        .into_iter()
        .map(|c| {
            let council = c.council.trim();
            let title = c.title.map(id_text).filter(|t| !is_placeholder(t));
            match (id_reference(c.reference), title) {
                (Some(reference), _) => format!("{council}/{reference}"),
                (None, Some(title)) => format!("{council}/({title})"),
                (None, None) => format!("{council}/row-{}", c.line),
            }
        })
        .collect();
    let mut taken: HashSet<String> = HashSet::with_capacity(bases.len());
    let mut ids: Vec<Option<String>> =
        bases.iter().map(|base| taken.insert(base.clone()).then(|| base.clone())).collect();
    let mut next: HashMap<&str, u64> = HashMap::new();
    for (id, base) in ids.iter_mut().zip(&bases).filter(|(id, _)| id.is_none()) {
        let n = next.entry(base.as_str()).or_insert(2);
        loop {
            let candidate = format!("{base}/{n}");
            *n += 1;
            if taken.insert(candidate.clone()) {
                *id = Some(candidate);
                break;
            }
        }
    }
    ids.into_iter().map(Option::unwrap_or_default).collect()
}

/// Whether a header names enough to load a contract: a supplier, and a reference or a title.
fn is_register(mapping: &Mapping<ContractField>) -> bool {
    mapping.column(ContractField::SupplierName).is_some()
        && (mapping.column(ContractField::Reference).is_some() || mapping.column(ContractField::Title).is_some())
}

/// Whether a header row (of a file given as spend) is a contracts register's, for a hint.
pub fn looks_like_register(header: &[String]) -> bool {
    headers::detect_fields::<ContractField>(header, &HashMap::new()).is_ok_and(|m| {
        is_register(&m)
            && (m.column(ContractField::ValueTotal).is_some() || m.column(ContractField::StartDate).is_some())
    })
}

/// Find the header among the first records: the first naming a supplier and a reference or
/// title. The error for a file with none names what is missing and what the header holds.
fn find_header(
    records: &mut dyn Records,
    source: &Source,
    overrides: &HashMap<ContractField, String>,
) -> Result<(Mapping<ContractField>, u64)> {
    let (names, line, mapping) = match cells::find_header(records, source, overrides, is_register)? {
        HeaderSearch::Found(mapping, line) => return Ok((mapping, line)),
        HeaderSearch::NotFound { names, line, mapping } => (names, line, mapping),
    };
    let mut missing = Vec::new();
    if mapping.column(ContractField::SupplierName).is_none() {
        missing.push("a supplier name");
    }
    if mapping.column(ContractField::Reference).is_none() && mapping.column(ContractField::Title).is_none() {
        missing.push("a contract reference or title");
    }
    let shown: Vec<&str> = names.iter().map(|h| h.trim()).take(12).collect();
    let error = Error::input(
        &source.path,
        Some(line),
        format!(
            "{}: no recognisable contract columns in the header: it needs {} (it has: {})",
            source.name,
            missing.join(" and "),
            shown.join(", ")
        ),
    );
    let spend = headers::detect(&names, &HashMap::new()).is_ok_and(|m| m.is_loadable());
    Err(if spend {
        error.with_hint("this looks like a spend file: ingest it with --kind spend")
    } else {
        error.with_hint(
            "name the columns in the [COUNCIL.contracts] table of a --profile file (see README, 'Ingest profiles')",
        )
    })
}

/// The money columns of a register, which XLSX cells round to pence.
const MONEY_FIELDS: [ContractField; 6] = [
    ContractField::ValueTotal,
    ContractField::ValueAnnual,
    ContractField::IrrecoverableVat,
    ContractField::SavingsCashable,
    ContractField::SavingsNonCashable,
    ContractField::SocialValue,
];

const DATE_FIELDS: [ContractField; 4] =
    [ContractField::StartDate, ContractField::EndDate, ContractField::ReviewDate, ContractField::ExpiryDate];

/// A register read whole: its header mapping and every record after the header.
struct Register {
    mapping: Mapping<ContractField>,
    header_line: u64,
    records: Vec<(u64, ByteRecord)>,
}

fn read_register(
    records: &mut dyn Records,
    source: &Source,
    overrides: &HashMap<ContractField, String>,
) -> Result<Register> {
    let (mapping, header_line) = find_header(records, source, overrides)?;
    let money: Vec<usize> = MONEY_FIELDS.iter().filter_map(|&f| mapping.column(f)).collect();
    records.set_money_columns(&money);
    let mut rows = Vec::new();
    let mut record = ByteRecord::new();
    while let Some(line) = records.next_record(&mut record)? {
        rows.push((line, record.clone()));
    }
    Ok(Register { mapping, header_line, records: rows })
}

/// Parse one register into a scratch Parquet file and rejects; nothing is placed yet.
/// `overrides` are the profile's `[COUNCIL.contracts]`.
pub fn load_register(
    source: &Source,
    context: &Context,
    overrides: &HashMap<ContractField, String>,
    scratch: &Path,
    index: usize,
) -> Result<Loaded> {
    let progress = Arc::new(AtomicU64::new(0));
    let ((register, encoding), sha256) = source
        .records_hashed(&progress, |records, encoding| Ok((read_register(records, source, overrides)?, encoding)))?;
    let Register { mapping, header_line, records } = register;
    if records.is_empty() {
        return Err(Error::input(
            &source.path,
            Some(header_line),
            format!("{} has a header but no data rows", source.name),
        ));
    }

    let mut evidence = OrderEvidence::default();
    let mut date_shape = None;
    for (_, record) in &records {
        for column in DATE_FIELDS.iter().filter_map(|&f| mapping.column(f)) {
            let Some(raw) = record.get(column) else { continue };
            if is_placeholder(&encoding.decode(raw)) {
                continue;
            }
            evidence.observe(raw);
            date_shape = date_shape.or_else(|| values::date_shape(raw));
        }
    }
    let date_order = context.date_order.unwrap_or(evidence.order());

    let prefix = format!("source{index}");
    let rejects_path = scratch.join(format!("{prefix}-rejects.csv"));
    let mut parser = RowParser {
        context,
        encoding,
        date_order,
        mapping: &mapping,
        rejects: rejects::RejectWriter::create(&rejects_path, &context.council, &source.name)?,
        tally: Tally::default(),
        extras_keys: cells::escaped_extras(&mapping.extras),
        value_keys: mapping
            .columns
            .iter()
            .map(|(&field, &column)| {
                let key = cells::escaped_extras(&[(column, mapping.headers[column].clone())]).pop();
                (field, key.map(|(_, key)| key).unwrap_or_default())
            })
            .collect(),
        extras: String::new(),
    };
    let mut rows = Vec::new();
    for (line, record) in &records {
        if let Some(row) = parser.row(record, *line)? {
            rows.push(row);
        }
    }
    parser.rejects.finish()?;
    let tally = parser.tally;

    let mut parts = Vec::new();
    if !rows.is_empty() {
        let path = scratch.join(format!("{prefix}-contracts.parquet"));
        parts.push(write_parquet(&rows, context, &source.name, &path)?);
    }
    let counts = Counts {
        rows_read: records.len() as u64,
        rows_loaded: parts.iter().map(|p| p.rows).sum(),
        rows_rejected: tally.rows_rejected,
        amount_read: tally.amount_read,
        amount_loaded: parts.iter().map(|p| p.amount).sum(),
        amount_rejected: tally.amount_rejected,
    };
    let mut notes = vec!["money reconciled: value_total (total contract value)".to_string()];
    notes.extend(tally.cells.lines());
    if mapping.column(ContractField::ExpiryDate).is_none() {
        notes.push("expiry_date: the end date (the register has no expiry column)".to_string());
    }
    if tally.unreadable_values > 0 {
        notes.push(format!(
            "{} row(s) had no readable total value: they count £0.00 in both read and rejected",
            tally.unreadable_values
        ));
    }
    Ok(Loaded {
        counts,
        sha256,
        mapping: MappingSummary::of(&mapping),
        parts,
        rejects_path,
        encoding,
        header_line,
        date_shape,
        date_order,
        notes,
    })
}

#[derive(Default)]
struct Tally {
    rows_rejected: u64,
    amount_read: i128,
    amount_rejected: i128,
    unreadable_values: u64,
    /// Optional cells read as no value or £0.00 instead of rejecting their rows.
    cells: CellCounts<ContractField>,
}

/// One contract's harmonised values, in schema order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct ContractRow {
    reference: Option<String>,
    title: Option<String>,
    description: Option<String>,
    department: Option<String>,
    procedure: Option<String>,
    supplier_name: Option<String>,
    supplier_key: Option<String>,
    company_number: Option<String>,
    charity_number: Option<String>,
    supplier_postcode: Option<String>,
    sme: Option<bool>,
    vcse: Option<bool>,
    start_date: Option<i32>,
    end_date: Option<i32>,
    review_date: Option<i32>,
    expiry_date: Option<i32>,
    extension_months_available: Option<i32>,
    value_total: Option<i128>,
    value_annual: Option<i128>,
    irrecoverable_vat: Option<i128>,
    category_code: Option<String>,
    category: Option<String>,
    collaborative: Option<String>,
    savings_cashable: Option<i128>,
    savings_non_cashable: Option<i128>,
    social_value: Option<i128>,
    officer: Option<String>,
    status: Option<String>,
    source_row: i64,
    extras: Option<String>,
}

struct RowParser<'a> {
    context: &'a Context,
    encoding: Encoding,
    date_order: DateOrder,
    mapping: &'a Mapping<ContractField>,
    rejects: rejects::RejectWriter,
    tally: Tally,
    /// The mapping's unmapped columns with their JSON keys escaped.
    extras_keys: Vec<(usize, String)>,
    /// The mapped columns' headers as `extras` keys, for keeping a value that cannot be read.
    value_keys: HashMap<ContractField, String>,
    /// Reused from row to row.
    extras: String,
}

impl RowParser<'_> {
    /// Load one record as a contract, or write it to the rejects and return `None`.
    fn row(&mut self, record: &ByteRecord, line: u64) -> Result<Option<ContractRow>> {
        if let Some(why) = cells::shape_problem(record, self.mapping.headers.len()) {
            return self.reject(record, line, &why, None);
        }
        let value_total = match self.total_value(record) {
            Ok(value) => value,
            Err(why) => {
                self.tally.unreadable_values += 1;
                return self.reject(record, line, &why, None);
            }
        };
        self.tally.amount_read += value_total.unwrap_or(0);
        Ok(Some(self.contract(record, line, value_total)))
    }

    /// The total value, the one value a row is rejected for: the money that reconciles
    /// cannot be a guess. `Err` is the reason.
    fn total_value(&mut self, record: &ByteRecord) -> std::result::Result<Option<i128>, String> {
        let field = ContractField::ValueTotal;
        let Some(value) = self.cell(record, field) else { return Ok(None) };
        if is_nil(&value) {
            self.tally.cells.count(field, Reading::Zero, &value);
            return Ok(Some(0));
        }
        if is_placeholder(&value) {
            self.tally.cells.count(field, Reading::NoValue, &value);
            return Ok(None);
        }
        match values::parse_amount(value.as_bytes()) {
            Ok(pence) => Ok(Some(pence)),
            Err(e) => Err(format!("unreadable {} '{value}': {}", field.label(), e.reason())),
        }
    }

    /// The typed values of a record whose shape and total value are fine. Every other value
    /// is optional: what cannot be read is null, counted, and kept in `extras`.
    fn contract(&mut self, record: &ByteRecord, line: u64, value_total: Option<i128>) -> ContractRow {
        use ContractField as F;
        cells::extras_json(record, self.encoding, &self.extras_keys, &mut self.extras);
        let supplier_name = self.cell(record, F::SupplierName).filter(|v| !is_missing(v)).map(Cow::into_owned);
        let end_date = self.date(record, F::EndDate).value();
        // A placeholder expiry is the end date; an unreadable one is not known, so no date.
        let expiry_date = match self.date(record, F::ExpiryDate) {
            Cell::Value(date) => Some(date),
            Cell::Empty => end_date,
            Cell::Unreadable => None,
        };
        let mut row = ContractRow {
            reference: self.text(record, F::Reference),
            title: self.text(record, F::Title),
            description: self.text(record, F::Description),
            department: self.text(record, F::Department),
            procedure: self.text(record, F::Procedure),
            supplier_key: supplier_name.as_deref().map(supplier_key),
            supplier_name,
            company_number: self.read(record, F::CompanyNumber, values::company_number).value(),
            charity_number: self.read(record, F::CharityNumber, values::charity_number).value(),
            supplier_postcode: self.text(record, F::SupplierPostcode),
            sme: self.cell(record, F::Sme).and_then(|v| yes_no(&v)),
            vcse: self.cell(record, F::Vcse).and_then(|v| yes_no(&v)),
            start_date: self.date(record, F::StartDate).value(),
            end_date,
            review_date: self.date(record, F::ReviewDate).value(),
            expiry_date,
            extension_months_available: self.read(record, F::ExtensionMonthsAvailable, months).value(),
            value_total,
            value_annual: self.money(record, F::ValueAnnual),
            irrecoverable_vat: self.money(record, F::IrrecoverableVat),
            category_code: self.text(record, F::CategoryCode),
            category: self.text(record, F::Category),
            collaborative: self.cell(record, F::Collaborative).and_then(|v| collaborative(&v, &self.context.council)),
            savings_cashable: self.money(record, F::SavingsCashable),
            savings_non_cashable: self.money(record, F::SavingsNonCashable),
            social_value: self.money(record, F::SocialValue),
            officer: self.text(record, F::Officer),
            status: self.text(record, F::Status),
            source_row: line as i64,
            extras: None,
        };
        row.extras = (!self.extras.is_empty()).then(|| self.extras.clone());
        row
    }

    /// A mapped cell as trimmed text, or `None` when the field is not mapped.
    fn cell<'r>(&self, record: &'r ByteRecord, field: ContractField) -> Option<Cow<'r, str>> {
        Some(cells::trimmed(record.get(self.mapping.column(field)?)?, self.encoding))
    }

    /// An optional text column: kept as published, except placeholders (counted).
    fn text(&mut self, record: &ByteRecord, field: ContractField) -> Option<String> {
        let value = self.cell(record, field)?;
        if says_no_value(&value) {
            self.tally.cells.count(field, Reading::NoValue, &value);
            return None;
        }
        Some(value.into_owned())
    }

    /// An optional typed value: a placeholder (or an all-zero identifier) is no value, text
    /// `parse` cannot read is no value with the text kept in `extras`; both are counted.
    fn read<T>(&mut self, record: &ByteRecord, field: ContractField, parse: impl Fn(&str) -> Option<T>) -> Cell<T> {
        let Some(value) = self.cell(record, field) else { return Cell::Empty };
        let identifier = matches!(field, ContractField::CompanyNumber | ContractField::CharityNumber);
        if is_placeholder(&value) || (identifier && values::is_zero_identifier(&value)) {
            self.tally.cells.count(field, Reading::NoValue, &value);
            return Cell::Empty;
        }
        match parse(&value) {
            Some(parsed) => Cell::Value(parsed),
            None => {
                self.tally.cells.count(field, Reading::Unreadable, &value);
                if let Some(key) = self.value_keys.get(&field) {
                    cells::push_extra(&mut self.extras, key, &value);
                }
                Cell::Unreadable
            }
        }
    }

    fn date(&mut self, record: &ByteRecord, field: ContractField) -> Cell<i32> {
        let order = self.date_order;
        self.read(record, field, |v| values::parse_date(v.as_bytes(), order))
    }

    /// An optional money value; `Nil` is £0.00.
    fn money(&mut self, record: &ByteRecord, field: ContractField) -> Option<i128> {
        if let Some(value) = self.cell(record, field).filter(|v| is_nil(v)) {
            self.tally.cells.count(field, Reading::Zero, &value);
            return Some(0);
        }
        self.read(record, field, |v| values::parse_amount(v.as_bytes()).ok()).value()
    }

    fn reject(
        &mut self,
        record: &ByteRecord,
        line: u64,
        reason: &str,
        amount: Option<i128>,
    ) -> Result<Option<ContractRow>> {
        self.tally.rows_rejected += 1;
        self.tally.amount_rejected += amount.unwrap_or(0);
        self.rejects.write(line, reason, record, self.encoding)?;
        Ok(None)
    }
}

/// An optional cell read: a value, no value (unmapped, empty or a placeholder), or text
/// that is not a value of its field.
enum Cell<T> {
    Value(T),
    Empty,
    Unreadable,
}

impl<T> Cell<T> {
    fn value(self) -> Option<T> {
        match self {
            Cell::Value(value) => Some(value),
            Cell::Empty | Cell::Unreadable => None,
        }
    }
}

/// A whole number of months (`12`; `12.0` as spreadsheets write it).
fn months(value: &str) -> Option<i32> {
    let whole = value.strip_suffix(".0").unwrap_or(value);
    let months = whole.parse::<i32>().ok()?;
    (months >= 0 && whole.bytes().all(|b| b.is_ascii_digit())).then_some(months)
}

/// The rows as one batch of the `contracts` schema.
fn to_batch(rows: &[ContractRow], context: &Context, source_file: &str) -> Result<RecordBatch> {
    let count = rows.len();
    let text =
        |f: fn(&ContractRow) -> Option<&str>| -> ArrayRef { Arc::new(rows.iter().map(f).collect::<StringArray>()) };
    let date =
        |f: fn(&ContractRow) -> Option<i32>| -> ArrayRef { Arc::new(rows.iter().map(f).collect::<Date32Array>()) };
    let flag =
        |f: fn(&ContractRow) -> Option<bool>| -> ArrayRef { Arc::new(rows.iter().map(f).collect::<BooleanArray>()) };
    let money = |f: fn(&ContractRow) -> Option<i128>| -> Result<ArrayRef> {
        let values = rows.iter().map(f).collect::<Decimal128Array>();
        Ok(Arc::new(values.with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?))
    };
    let ids = contract_ids(rows.iter().map(|r| IdParts {
        council: &context.council,
        reference: r.reference.as_deref(),
        title: r.title.as_deref(),
        line: r.source_row,
    }));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(std::iter::repeat_n(&context.council, count))),
        Arc::new(std::iter::repeat_n(context.council_code.as_deref(), count).collect::<StringArray>()),
        Arc::new(StringArray::from_iter_values(ids)),
        text(|r| r.reference.as_deref()),
        text(|r| r.title.as_deref()),
        text(|r| r.description.as_deref()),
        text(|r| r.department.as_deref()),
        text(|r| r.procedure.as_deref()),
        text(|r| r.supplier_name.as_deref()),
        text(|r| r.supplier_key.as_deref()),
        text(|r| r.company_number.as_deref()),
        text(|r| r.charity_number.as_deref()),
        text(|r| r.supplier_postcode.as_deref()),
        flag(|r| r.sme),
        flag(|r| r.vcse),
        date(|r| r.start_date),
        date(|r| r.end_date),
        date(|r| r.review_date),
        date(|r| r.expiry_date),
        Arc::new(rows.iter().map(|r| r.extension_months_available).collect::<Int32Array>()),
        money(|r| r.value_total)?,
        money(|r| r.value_annual)?,
        money(|r| r.irrecoverable_vat)?,
        text(|r| r.category_code.as_deref()),
        text(|r| r.category.as_deref()),
        // The harmonised category, code, group and source: derived by the classification
        // pass of the same ingest, once spend is classified.
        text(|_| None),
        text(|_| None),
        text(|_| None),
        text(|_| None),
        text(|r| r.collaborative.as_deref()),
        money(|r| r.savings_cashable)?,
        money(|r| r.savings_non_cashable)?,
        money(|r| r.social_value)?,
        text(|r| r.officer.as_deref()),
        text(|r| r.status.as_deref()),
        Arc::new(StringArray::from_iter_values(std::iter::repeat_n(source_file, count))),
        Arc::new(rows.iter().map(|r| r.source_row).collect::<Int64Array>()),
        text(|r| r.extras.as_deref()),
    ];
    Ok(RecordBatch::try_new(contracts_schema(), columns)?)
}

/// Write a register's rows as one Parquet file, durably. Rows and total value are counted
/// from the written batch, not the parser's tally: that is the "loaded" side of the
/// reconciliation.
fn write_parquet(rows: &[ContractRow], context: &Context, source_file: &str, path: &Path) -> Result<PartitionFile> {
    let batch = to_batch(rows, context, source_file)?;
    let file = File::create(path).map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(write::writer_properties()))?;
    writer.write(&batch)?;
    let file = writer.into_inner()?;
    file.sync_all().map_err(|e| Error::io(format!("cannot sync {}", path.display()), e))?;
    let totals = batch
        .column_by_name(schema::contracts::VALUE_TOTAL)
        .and_then(|c| c.as_any().downcast_ref::<Decimal128Array>())
        .ok_or_else(|| Error::execution("value_total column is not Decimal128"))?;
    let amount = totals.iter().flatten().sum::<i128>();
    Ok(PartitionFile { financial_year: None, path: path.to_path_buf(), rows: batch.num_rows() as u64, amount })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(line: &str) -> HashMap<&'static str, String> {
        let headers: Vec<String> = line.split(',').map(String::from).collect();
        let m = headers::detect_fields::<ContractField>(&headers, &HashMap::new()).unwrap();
        m.columns.iter().map(|(f, &i)| (f.name(), m.headers[i].clone())).collect()
    }

    const SALFORD: &str = "ï»¿Directorate Name,Process Used,Purchasing Body,Contract Reference,Contract Title,\
        Contract Description,Supplier Company Name,Supplier Postcode,Annual Value,\
        Total Contract Value (including extensions),OJEU/FTS?,Start Date,End Date,Contract Duration (months),\
        Option to extend (months),How many extensions,Extension 1 Taken?,Extension 2 Taken?,Current Expiry Date,\
        SME Supplier?,ProClass Classification,ProClass Description,Company Number,Visibility";

    #[test]
    fn salford_register_maps_despite_its_mis_encoded_byte_order_mark() {
        // The real file starts with the bytes C3 AF C2 BB C2 BF: a BOM mis-encoded as "ï»¿".
        assert!(SALFORD.as_bytes().starts_with(b"\xC3\xAF\xC2\xBB\xC2\xBFDirectorate"));
        let m = mapped(SALFORD);
        assert_eq!(m["department"], "Directorate Name", "the mark is gone from the stored header too");
        assert_eq!(m["procedure"], "Process Used");
        assert_eq!(m["reference"], "Contract Reference");
        assert_eq!(m["title"], "Contract Title");
        assert_eq!(m["description"], "Contract Description");
        assert_eq!(m["supplier_name"], "Supplier Company Name");
        assert_eq!(m["supplier_postcode"], "Supplier Postcode");
        assert_eq!(m["value_annual"], "Annual Value");
        assert_eq!(m["value_total"], "Total Contract Value (including extensions)");
        assert_eq!(m["start_date"], "Start Date");
        assert_eq!(m["end_date"], "End Date");
        assert_eq!(m["expiry_date"], "Current Expiry Date");
        assert_eq!(m["extension_months_available"], "Option to extend (months)");
        assert_eq!(m["sme"], "SME Supplier?");
        assert_eq!(m["category_code"], "ProClass Classification");
        assert_eq!(m["category"], "ProClass Description");
        assert_eq!(m["company_number"], "Company Number");
        assert_eq!(m.len(), 17, "{m:?}");
        let headers: Vec<String> = SALFORD.split(',').map(String::from).collect();
        let mapping = headers::detect_fields::<ContractField>(&headers, &HashMap::new()).unwrap();
        let extras: Vec<&str> = mapping.extras.iter().map(|(_, h)| h.as_str()).collect();
        assert_eq!(
            extras,
            [
                "Purchasing Body",
                "OJEU/FTS?",
                "Contract Duration (months)",
                "How many extensions",
                "Extension 1 Taken?",
                "Extension 2 Taken?",
                "Visibility"
            ]
        );
        assert!(is_register(&mapping));
        // The same mark read from a file taken as Windows-1252, and a real BOM.
        assert_eq!(mapped("Ã¯Â»Â¿Contract Title,Supplier")["title"], "Contract Title");
        assert_eq!(mapped("\u{feff}Contract Title,Supplier")["title"], "Contract Title");
    }

    #[test]
    fn other_registers_headers_map_through_synonyms_and_misspellings() {
        let m = mapped(
            "Ref,Title,Department,Procurement Route,Contractor,Companies House Number,Contract Start Date,\
             Contract End Date,Expiry Date,Total Value,Annual Contract Value,Collaborative Partners,\
             Cashable Savings,Non-Cashable Savings,Social Value,Contract Manager,Contract Status,VCSE?",
        );
        assert_eq!(m["reference"], "Ref");
        assert_eq!(m["title"], "Title");
        assert_eq!(m["procedure"], "Procurement Route");
        assert_eq!(m["supplier_name"], "Contractor");
        assert_eq!(m["company_number"], "Companies House Number");
        assert_eq!(m["start_date"], "Contract Start Date");
        assert_eq!(m["end_date"], "Contract End Date");
        assert_eq!(m["expiry_date"], "Expiry Date");
        assert_eq!(m["value_total"], "Total Value");
        assert_eq!(m["value_annual"], "Annual Contract Value");
        assert_eq!(m["collaborative"], "Collaborative Partners");
        assert_eq!(m["savings_cashable"], "Cashable Savings");
        assert_eq!(m["savings_non_cashable"], "Non-Cashable Savings");
        assert_eq!(m["social_value"], "Social Value");
        assert_eq!(m["officer"], "Contract Manager");
        assert_eq!(m["status"], "Contract Status");
        assert_eq!(m["vcse"], "VCSE?");
        let m = mapped("Route to Market,Contract Value,Supplier Name,Contract Titel,Contract Expiry");
        assert_eq!(m["procedure"], "Route to Market");
        assert_eq!(m["value_total"], "Contract Value");
        assert_eq!(m["title"], "Contract Titel", "a misspelling within the edit distance");
        assert_eq!(m["expiry_date"], "Contract Expiry");
    }

    #[test]
    fn a_register_needs_a_supplier_and_a_reference_or_title() {
        let detect = |line: &str| {
            let headers: Vec<String> = line.split(',').map(String::from).collect();
            is_register(&headers::detect_fields::<ContractField>(&headers, &HashMap::new()).unwrap())
        };
        assert!(detect("Supplier Name,Contract Reference"));
        assert!(detect("Supplier Name,Contract Title"));
        assert!(!detect("Supplier Name,Start Date,Total Value"));
        assert!(!detect("Contract Reference,Contract Title,Total Value"));
        let spend: Vec<String> = "Supplier Name,Payment Date,Amount".split(',').map(String::from).collect();
        assert!(!looks_like_register(&spend));
        let salford: Vec<String> = SALFORD.split(',').map(String::from).collect();
        assert!(looks_like_register(&salford));
    }

    type Row = (&'static str, Option<&'static str>, Option<&'static str>, i64);

    fn ids(rows: &[Row]) -> Vec<String> {
        contract_ids(rows.iter().map(|&(council, reference, title, line)| IdParts { council, reference, title, line }))
    }

    #[test]
    fn issue_10_contract_ids_name_repeats_and_missing_references() {
        let got = ids(&[
            ("Salford", Some("S1161"), Some("Youth club"), 2),
            ("Salford", Some(" s1161 "), Some("Youth club"), 3),
            ("Salford", None, Some("Road \u{80}\u{93} salt\n"), 4),
            ("Salford", Some("S1161"), None, 5),
            ("Salford", Some("TBC"), Some("Road salt"), 6),
            ("Salford", Some("CR  0123"), None, 7),
            ("Salford", Some("-"), Some("N/A"), 8),
            ("Trafford", Some("S1161"), None, 2),
        ]);
        assert_eq!(
            got,
            [
                "Salford/S1161",
                "Salford/S1161/2",
                "Salford/(Road salt)",
                "Salford/S1161/3",
                "Salford/(Road salt)/2",
                "Salford/CR 0123",
                "Salford/row-8",
                "Trafford/S1161"
            ]
        );
    }

    #[test]
    fn issue_10_contract_ids_stay_unique_when_a_reference_looks_like_a_suffix_or_a_line() {
        // `A`, `A`, `A/2`: the published `A/2` keeps its plain id, the repeat of `A` moves on.
        assert_eq!(
            ids(&[("C", Some("A"), None, 2), ("C", Some("A"), None, 3), ("C", Some("A/2"), None, 4)]),
            ["C/A", "C/A/3", "C/A/2"]
        );
        // A reference `row-3` is upper-cased, so it never meets line 3's id.
        assert_eq!(ids(&[("C", Some("row-3"), None, 2), ("C", None, None, 3)]), ["C/ROW-3", "C/row-3"]);
        // Two registers of one council both without a reference or title on line 5.
        assert_eq!(
            ids(&[("C", None, None, 5), ("C", None, None, 5), ("C", None, None, 5)]),
            ["C/row-5", "C/row-5/2", "C/row-5/3"]
        );
    }

    #[test]
    fn issue_10_contract_ids_survive_rows_inserted_into_a_republished_register() {
        let before = ids(&[("C", Some("A"), None, 2), ("C", None, Some("Bins"), 3), ("C", Some("A"), None, 4)]);
        // New contracts before, between and after the old ones; lines move, ids do not.
        let after = ids(&[
            ("C", None, Some("Audit"), 2),
            ("C", Some("A"), None, 3),
            ("C", Some("B"), None, 4),
            ("C", None, Some("Bins"), 5),
            ("C", Some("A"), None, 6),
            ("C", Some("A"), None, 7),
        ]);
        assert_eq!([&after[1], &after[3], &after[4]], [&before[0], &before[1], &before[2]]);
        assert_eq!([&after[0], &after[2], &after[5]], ["C/(Audit)", "C/B", "C/A/3"]);
    }

    #[test]
    fn yes_no_flags() {
        for value in ["Yes", "YES", "y", "True", "1", " yes "] {
            assert_eq!(yes_no(value), Some(true), "{value:?}");
        }
        for value in ["No", "n", "FALSE", "0"] {
            assert_eq!(yes_no(value), Some(false), "{value:?}");
        }
        for value in ["", "Various", "N/A", "maybe", "Noo", "2"] {
            assert_eq!(yes_no(value), None, "{value:?}");
        }
    }

    #[test]
    fn collaborative_councils_become_display_names() {
        assert_eq!(collaborative("Trafford;Rochdale", "Stockport").as_deref(), Some("Trafford;Rochdale"));
        assert_eq!(collaborative(" trafford ; ROCHDALE ;", "Stockport").as_deref(), Some("Trafford;Rochdale"));
        assert_eq!(collaborative("Stockport;Trafford;trafford", "Stockport").as_deref(), Some("Trafford"));
        assert_eq!(collaborative("Wigan Council", "Stockport").as_deref(), Some("Wigan Council"));
        assert_eq!(collaborative("Bristol, City of", "Stockport").as_deref(), Some("Bristol, City of"));
        for none in ["", "N/A", "No", "None", ";", "Stockport"] {
            assert_eq!(collaborative(none, "Stockport"), None, "{none:?}");
        }
    }

    #[test]
    fn issue_9_every_register_synonym_is_normalised_and_names_one_field() {
        let problems = headers::synonym_problems::<ContractField>();
        assert!(problems.is_empty(), "{problems:#?}");
        let checked: usize = ContractField::ALL.iter().map(|f| f.synonyms().len()).sum();
        assert!(checked > ContractField::ALL.len(), "{checked}");
    }
}
