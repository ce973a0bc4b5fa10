//! The semantic model: every measure, modifier and dimension the language knows, with the
//! column(s) it reads and a description. Adding a measure means adding one entry to
//! [`MEASURES`]; the grammar never changes, because names are resolved here, not parsed.
#![allow(missing_docs, reason = "model table fields; their docs are still to write")]

use crate::schema::{Table, contracts, metrics, spend};

/// How a measure aggregates rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// Sum of a money column.
    Sum(&'static str),
    /// Number of rows.
    Count,
    /// Number of distinct values of a column.
    CountDistinct(&'static str),
    Average(&'static str),
    Median(&'static str),
    Max(&'static str),
    Min(&'static str),
    /// Sum of several money columns, a missing value counting as zero (`savings`).
    SumOf(&'static [&'static str]),
    /// Spend covered by a contract as a % of spend to identified (not redacted) suppliers.
    OnContractShare,
    /// Spend with a harmonised category (a ProClass code or out of scope) as a % of all spend.
    ClassifiedShare,
    /// `metric "NAME"`: the metric's values, combined as the metric declares (the
    /// resolved measure's [`super::ir::MetricSpec`]).
    Metric,
}

/// What a measure's values are, which decides formatting and comparison literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Money,
    Count,
    Percent,
    /// A metric's figure, exact with four decimals (`Decimal128(18,4)`).
    Number,
}

/// A row restriction that a measure or modifier applies before aggregating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFilter {
    /// Procurement-card payments only.
    Card,
    /// Credits (negative amounts) only.
    Credits,
    /// Payments linked to a contract (see the contracts register).
    OnContract,
    /// Payments to identified suppliers with no matching contract.
    OffContract,
    /// Contracts whose expiry date falls in the query's `within` window (6 months by default).
    Expiring,
    /// Contracts running on the as-of date.
    Active,
}

impl RowFilter {
    pub fn describe(self) -> &'static str {
        match self {
            RowFilter::Card => "procurement-card payments only",
            RowFilter::Credits => "credits (negative amounts) only",
            RowFilter::OnContract => "payments covered by a contract",
            RowFilter::OffContract => "payments to named suppliers with no contract covering them",
            RowFilter::Expiring => "contracts expiring within the window",
            RowFilter::Active => "contracts running on the as-of date",
        }
    }

    /// The table whose rows this restriction applies to.
    pub fn table(self) -> Table {
        match self {
            RowFilter::Card | RowFilter::Credits | RowFilter::OnContract | RowFilter::OffContract => Table::Spend,
            RowFilter::Expiring | RowFilter::Active => Table::Contracts,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct MeasureDef {
    /// The name as written in queries: `average payment`.
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub table: Table,
    pub aggregate: Aggregate,
    /// A restriction built into the measure (for `credits`).
    pub filter: Option<RowFilter>,
    pub unit: Unit,
    pub description: &'static str,
}

/// `metric "NAME"`: not in [`MEASURES`], since its name is the metric's, read from the data.
pub const METRIC_MEASURE: MeasureDef = MeasureDef {
    name: "metric",
    aliases: &[],
    table: Table::Metrics,
    aggregate: Aggregate::Metric,
    filter: None,
    unit: Unit::Number,
    description: "a figure of the metrics table (`metric \"days to pay\"`), combined as the metric declares: \
                  sum, average, or the latest period's value",
};

/// Every measure. Order is the order `\d` lists them in.
pub const MEASURES: &[MeasureDef] = &[
    MeasureDef {
        name: "spend",
        aliases: &["amount", "total"],
        table: Table::Spend,
        aggregate: Aggregate::Sum(spend::AMOUNT),
        filter: None,
        unit: Unit::Money,
        description: "sum of net amounts, credits included (card payments and redacted beneficiaries too)",
    },
    MeasureDef {
        name: "transactions",
        aliases: &["payments", "count", "rows"],
        table: Table::Spend,
        aggregate: Aggregate::Count,
        filter: None,
        unit: Unit::Count,
        description: "number of payment lines",
    },
    MeasureDef {
        name: "suppliers",
        aliases: &["supplier count"],
        table: Table::Spend,
        aggregate: Aggregate::CountDistinct(spend::SUPPLIER_KEY),
        filter: None,
        unit: Unit::Count,
        description: "number of distinct suppliers (by normalised supplier key)",
    },
    MeasureDef {
        name: "average payment",
        aliases: &["mean payment", "average"],
        table: Table::Spend,
        aggregate: Aggregate::Average(spend::AMOUNT),
        filter: None,
        unit: Unit::Money,
        description: "mean net amount per payment line",
    },
    MeasureDef {
        name: "median payment",
        aliases: &["median"],
        table: Table::Spend,
        aggregate: Aggregate::Median(spend::AMOUNT),
        filter: None,
        unit: Unit::Money,
        description: "median net amount per payment line",
    },
    MeasureDef {
        name: "largest payment",
        aliases: &["max payment", "biggest payment"],
        table: Table::Spend,
        aggregate: Aggregate::Max(spend::AMOUNT),
        filter: None,
        unit: Unit::Money,
        description: "largest single payment line",
    },
    MeasureDef {
        name: "smallest payment",
        aliases: &["min payment"],
        table: Table::Spend,
        aggregate: Aggregate::Min(spend::AMOUNT),
        filter: None,
        unit: Unit::Money,
        description: "smallest single payment line (the largest credit, if any)",
    },
    MeasureDef {
        name: "credits",
        aliases: &["refunds"],
        table: Table::Spend,
        aggregate: Aggregate::Sum(spend::AMOUNT),
        filter: Some(RowFilter::Credits),
        unit: Unit::Money,
        description: "sum of negative amounts (credit notes and refunds)",
    },
    MeasureDef {
        name: "on-contract share",
        aliases: &["on contract share", "contract coverage"],
        table: Table::Spend,
        aggregate: Aggregate::OnContractShare,
        filter: None,
        unit: Unit::Percent,
        description: "spend covered by a contract as a % of spend with named (not redacted) suppliers",
    },
    MeasureDef {
        name: "classified share",
        aliases: &["classification coverage", "category coverage"],
        table: Table::Spend,
        aggregate: Aggregate::ClassifiedShare,
        filter: None,
        unit: Unit::Percent,
        description: "spend classified into a ProClass category or out of scope, as a % of spend",
    },
    MeasureDef {
        name: "contracts",
        aliases: &["contract count", "number of contracts"],
        table: Table::Contracts,
        aggregate: Aggregate::Count,
        filter: None,
        unit: Unit::Count,
        description: "number of contracts in the registers",
    },
    MeasureDef {
        name: "contract value",
        aliases: &["value", "total value", "contract values"],
        table: Table::Contracts,
        aggregate: Aggregate::Sum(contracts::VALUE_TOTAL),
        filter: None,
        unit: Unit::Money,
        description: "total contract value, extensions included",
    },
    MeasureDef {
        name: "annual value",
        aliases: &["annual contract value"],
        table: Table::Contracts,
        aggregate: Aggregate::Sum(contracts::VALUE_ANNUAL),
        filter: None,
        unit: Unit::Money,
        description: "annual contract value",
    },
    MeasureDef {
        name: "savings",
        aliases: &["total savings"],
        table: Table::Contracts,
        aggregate: Aggregate::SumOf(&[contracts::SAVINGS_CASHABLE, contracts::SAVINGS_NON_CASHABLE]),
        filter: None,
        unit: Unit::Money,
        description: "cashable plus non-cashable savings recorded against contracts",
    },
    MeasureDef {
        name: "cashable savings",
        aliases: &[],
        table: Table::Contracts,
        aggregate: Aggregate::Sum(contracts::SAVINGS_CASHABLE),
        filter: None,
        unit: Unit::Money,
        description: "cashable savings recorded against contracts",
    },
    MeasureDef {
        name: "social value",
        aliases: &[],
        table: Table::Contracts,
        aggregate: Aggregate::Sum(contracts::SOCIAL_VALUE),
        filter: None,
        unit: Unit::Money,
        description: "social value committed by contracts (e.g. National TOMs), £",
    },
];

/// Names that stand for several measures at once.
pub const MEASURE_SETS: &[(&str, &[&str], &str)] = &[(
    "workload",
    &["contracts expiring", "contract value expiring"],
    "contracts expiring in the `within` window (6 months by default) and their value",
)];

/// A report: a whole result shape with its own columns, asked for by name rather than
/// built from measures and dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// `suppliers shared by council`.
    SuppliersShared,
    /// `categories shared by council`.
    CategoriesShared,
    /// `collaboration opportunities`.
    Opportunities,
    /// `possible duplicate payments`: payments to one supplier of one amount by one council
    /// within [`DUPLICATE_WINDOW_DAYS`] of each other, under different transaction numbers.
    DuplicatePayments,
    /// `unusual payments`: payments more than [`UNUSUAL_TIMES_MEDIAN`] times the median of
    /// the council's payments to that supplier.
    UnusualPayments,
    /// `new suppliers`: suppliers whose first payment by a council in the data is among the
    /// rows `where` selects.
    NewSuppliers,
}

/// `possible duplicate payments`: two payments this many days apart or fewer can be one bill
/// paid twice (a fortnightly payment run pays a resubmitted invoice in the next run).
pub const DUPLICATE_WINDOW_DAYS: i32 = 14;
/// `unusual payments`: a payment more than this many times the supplier's median.
pub const UNUSUAL_TIMES_MEDIAN: i64 = 10;
/// `unusual payments`: the fewest payments to a supplier whose median is trusted as its usual
/// size (with fewer, one odd payment moves the median itself).
pub const UNUSUAL_MIN_PAYMENTS: i64 = 6;

#[derive(Debug, Clone, Copy)]
pub struct ReportDef {
    /// The name as written in queries, in the measure position.
    pub name: &'static str,
    pub report: Report,
    pub description: &'static str,
}

/// Every report. Order is the order `\d` lists them in.
pub const REPORTS: &[ReportDef] = &[
    ReportDef {
        name: "suppliers shared",
        report: Report::SuppliersShared,
        description: "suppliers used by two or more councils, spend per council, and who has a contract",
    },
    ReportDef {
        name: "categories shared",
        report: Report::CategoriesShared,
        description: "categories bought by two or more councils, spend per council, and who has a contract",
    },
    ReportDef {
        name: "collaboration opportunities",
        report: Report::Opportunities,
        description: "suppliers and categories ranked by off-contract spend across councils",
    },
    ReportDef {
        name: "possible duplicate payments",
        report: Report::DuplicatePayments,
        description: "payments by one council to one supplier of the same amount within 14 days of each other, \
                      under different transaction numbers, in numbered groups",
    },
    ReportDef {
        name: "unusual payments",
        report: Report::UnusualPayments,
        description: "payments more than 10 times the median of the council's payments to that supplier \
                      (suppliers with 6 or more payments)",
    },
    ReportDef {
        name: "new suppliers",
        report: Report::NewSuppliers,
        description: "suppliers a council paid for the first time (in the data) among the payments `where` selects",
    },
];

/// The default `within` window of `expiring`, in months.
pub const DEFAULT_EXPIRY_MONTHS: u32 = 6;

/// Words written after a measure that restrict or reshape it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    Filter(RowFilter),
    /// `spend share`: the measure as a percentage of its total (within a dimension).
    Share,
}

pub const MODIFIERS: &[(&str, Modifier, &str)] = &[
    ("card", Modifier::Filter(RowFilter::Card), "restrict to procurement-card payments"),
    ("off-contract", Modifier::Filter(RowFilter::OffContract), "restrict to payments no contract covers"),
    ("on-contract", Modifier::Filter(RowFilter::OnContract), "restrict to payments a contract covers"),
    ("share", Modifier::Share, "as a % of the total (of each `within` group)"),
    ("expiring", Modifier::Filter(RowFilter::Expiring), "restrict to contracts expiring `within` the window"),
    ("active", Modifier::Filter(RowFilter::Active), "restrict to contracts running on the as-of date"),
];

/// How a dimension derives its value from a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DimensionKind {
    /// A text column, grouped as is.
    Column(&'static str),
    /// Grouped by `supplier_key`, labelled with the most common published name.
    Supplier,
    /// `payment_date` itself.
    Date,
    /// `2021-04`.
    Month,
    /// Calendar quarter, `2021 Q2`.
    Quarter,
    /// Calendar year, `2021`.
    Year,
    /// UK financial year (April–March), `2021/22`.
    FinancialYear,
    /// Financial quarter, `2021/22 Q1` (Q1 = April–June).
    FinancialQuarter,
    /// The contract, by `contract_id`: on spend the contract covering the payment.
    Contract,
    /// A yes/no column shown as `yes`/`no`.
    Flag(&'static str),
}

impl DimensionKind {
    pub fn is_time(self) -> bool {
        matches!(
            self,
            DimensionKind::Date
                | DimensionKind::Month
                | DimensionKind::Quarter
                | DimensionKind::Year
                | DimensionKind::FinancialYear
                | DimensionKind::FinancialQuarter
        )
    }
}

#[derive(Debug, Clone, Copy)]
pub struct DimensionDef {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub kind: DimensionKind,
    /// Offer this dimension's values for completion and check literals against the data.
    pub has_values: bool,
    /// The tables that have it.
    pub tables: &'static [Table],
    pub description: &'static str,
}

const BOTH: &[Table] = &[Table::Spend, Table::Contracts];
/// The council and the time dimensions: metrics have them too (on `period_start`).
const WITH_METRICS: &[Table] = &[Table::Spend, Table::Contracts, Table::Metrics];
const SPEND: &[Table] = &[Table::Spend];
const CONTRACTS: &[Table] = &[Table::Contracts];

impl DimensionDef {
    pub fn in_table(&self, table: Table) -> bool {
        self.tables.contains(&table)
    }

    /// The table to read its values from: spend when it has them, else the register.
    pub fn home_table(&self) -> Table {
        if self.in_table(Table::Spend) { Table::Spend } else { Table::Contracts }
    }

    /// The text column its values are read from (for checking literals and completion):
    /// suppliers by published name, contracts by the register's reference. `None` for
    /// dimensions without listed values (dates, flags).
    pub fn value_column(&self) -> Option<(Table, &'static str)> {
        match self.kind {
            DimensionKind::Column(c) => Some((self.home_table(), c)),
            DimensionKind::Supplier => Some((Table::Spend, spend::SUPPLIER_NAME)),
            DimensionKind::Contract => Some((Table::Contracts, contracts::CONTRACT_ID)),
            _ => None,
        }
    }
}

pub const DIMENSIONS: &[DimensionDef] = &[
    DimensionDef {
        name: "council",
        aliases: &["councils", "authority", "organisation"],
        kind: DimensionKind::Column(spend::COUNCIL),
        has_values: true,
        tables: WITH_METRICS,
        description: "the publishing council (Stockport, Trafford, Rochdale, ...)",
    },
    DimensionDef {
        name: "supplier",
        aliases: &["suppliers", "beneficiary", "vendor"],
        kind: DimensionKind::Supplier,
        has_values: true,
        tables: BOTH,
        description: "supplier, grouped by normalised key and labelled with its most common published name",
    },
    DimensionDef {
        name: "category",
        aliases: &["categories", "proclass"],
        kind: DimensionKind::Column(spend::CATEGORY),
        has_values: true,
        tables: BOTH,
        description: "harmonised ProClass category, the same across councils and on contracts (`Out of scope` for levies, grants, tax, ...)",
    },
    DimensionDef {
        name: "category group",
        aliases: &["category groups", "proclass level 1", "level 1"],
        kind: DimensionKind::Column(spend::CATEGORY_GROUP),
        has_values: true,
        tables: BOTH,
        description: "the harmonised category's ProClass level 1 (Social Care, Construction, ...), or `Out of scope`",
    },
    DimensionDef {
        name: "published category",
        aliases: &["published categories", "council category"],
        kind: DimensionKind::Column(spend::PUBLISHED_CATEGORY),
        has_values: true,
        tables: BOTH,
        description: "the category as the council published it on a payment or in its register (its own name, a ProClass label, or a merchant category)",
    },
    DimensionDef {
        name: "category source",
        aliases: &["classification source", "classified by"],
        kind: DimensionKind::Column(spend::CATEGORY_SOURCE),
        has_values: true,
        tables: BOTH,
        description: "how the category was decided: mapped, published, supplier, text or none",
    },
    DimensionDef {
        name: "department",
        aliases: &["departments", "service area", "directorate"],
        kind: DimensionKind::Column(spend::DEPARTMENT),
        has_values: true,
        tables: BOTH,
        description: "the council's department, service area or organisational unit",
    },
    DimensionDef {
        name: "expense type",
        aliases: &["expense types", "expenses type", "expense"],
        kind: DimensionKind::Column(spend::EXPENSE_TYPE),
        has_values: true,
        tables: SPEND,
        description: "the expense type or ledger description",
    },
    DimensionDef {
        name: "purpose",
        aliases: &[],
        kind: DimensionKind::Column(spend::PURPOSE),
        has_values: false,
        tables: SPEND,
        description: "the published purpose of the payment",
    },
    DimensionDef {
        name: "date",
        aliases: &["day", "payment date", "dates", "days"],
        kind: DimensionKind::Date,
        has_values: false,
        tables: WITH_METRICS,
        description: "the payment date",
    },
    DimensionDef {
        name: "month",
        aliases: &["months"],
        kind: DimensionKind::Month,
        has_values: false,
        tables: WITH_METRICS,
        description: "calendar month, shown as 2021-04",
    },
    DimensionDef {
        name: "quarter",
        aliases: &["quarters"],
        kind: DimensionKind::Quarter,
        has_values: false,
        tables: WITH_METRICS,
        description: "calendar quarter, shown as 2021 Q2",
    },
    DimensionDef {
        name: "year",
        aliases: &["years", "calendar year"],
        kind: DimensionKind::Year,
        has_values: false,
        tables: WITH_METRICS,
        description: "calendar year",
    },
    DimensionDef {
        name: "fy",
        aliases: &["financial year", "fys", "financial years"],
        kind: DimensionKind::FinancialYear,
        has_values: false,
        tables: WITH_METRICS,
        description: "UK financial year, April to March, shown as 2021/22",
    },
    DimensionDef {
        name: "fq",
        aliases: &["financial quarter", "financial quarters"],
        kind: DimensionKind::FinancialQuarter,
        has_values: false,
        tables: WITH_METRICS,
        description: "financial quarter, shown as 2021/22 Q1 (Q1 is April to June)",
    },
    DimensionDef {
        name: "contract",
        aliases: &["contracts", "contract reference", "reference"],
        kind: DimensionKind::Contract,
        has_values: true,
        tables: BOTH,
        description: "the contract, by its id (Salford/S1161); on spend, the contract covering the payment",
    },
    DimensionDef {
        name: "procedure",
        aliases: &["procedures", "route", "process", "procurement route"],
        kind: DimensionKind::Column(contracts::PROCEDURE),
        has_values: true,
        tables: CONTRACTS,
        description: "how the contract was procured (open tender, quotation, framework call-off, waiver, ...)",
    },
    DimensionDef {
        name: "sme",
        aliases: &[],
        kind: DimensionKind::Flag(contracts::SME),
        has_values: false,
        tables: CONTRACTS,
        description: "whether the supplier is a small or medium enterprise (yes/no)",
    },
    DimensionDef {
        name: "vcse",
        aliases: &[],
        kind: DimensionKind::Flag(contracts::VCSE),
        has_values: false,
        tables: CONTRACTS,
        description: "whether the supplier is a voluntary, community or social enterprise (yes/no)",
    },
    DimensionDef {
        name: "officer",
        aliases: &["officers", "responsible officer", "contract manager"],
        kind: DimensionKind::Column(contracts::OFFICER),
        has_values: true,
        tables: CONTRACTS,
        description: "the procurement officer responsible for the contract",
    },
    DimensionDef {
        name: "status",
        aliases: &["contract status"],
        kind: DimensionKind::Column(contracts::STATUS),
        has_values: true,
        tables: CONTRACTS,
        description: "the contract's status in the register (active, extended, expired, ...)",
    },
];

/// Row fields usable in `where` that are not dimensions.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub name: &'static str,
    pub column: &'static str,
    pub kind: FieldKind,
    pub table: Table,
    pub description: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Money,
    Text,
    Flag,
    /// True when a text column is present (`on-contract`: `contract_id` is not null).
    Linked,
    /// A postcode column read as its area, the letters it starts with (`M`, `SK`, `OL`).
    PostcodeArea,
}

pub const FIELDS: &[FieldDef] = &[
    FieldDef {
        name: "amount",
        column: spend::AMOUNT,
        kind: FieldKind::Money,
        table: Table::Spend,
        description: "the payment's net amount",
    },
    FieldDef {
        name: "irrecoverable vat",
        column: spend::IRRECOVERABLE_VAT,
        kind: FieldKind::Money,
        table: Table::Spend,
        description: "VAT the council cannot reclaim",
    },
    FieldDef {
        name: "redacted",
        column: spend::REDACTED,
        kind: FieldKind::Flag,
        table: Table::Spend,
        description: "beneficiary withheld",
    },
    FieldDef {
        name: "card",
        column: spend::IS_CARD,
        kind: FieldKind::Flag,
        table: Table::Spend,
        description: "a procurement-card payment",
    },
    FieldDef {
        name: "transaction id",
        column: spend::TRANSACTION_ID,
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "the council's transaction number",
    },
    FieldDef {
        name: "category code",
        column: spend::CATEGORY_CODE,
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "harmonised six-digit ProClass code (none when out of scope or unclassified)",
    },
    FieldDef {
        name: "published category code",
        column: spend::PUBLISHED_CATEGORY_CODE,
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "category code as published (ProClass or merchant category code)",
    },
    FieldDef {
        name: "supplier id",
        column: spend::SUPPLIER_ID,
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "the council's own supplier reference",
    },
    FieldDef {
        name: "company number",
        column: spend::COMPANY_NUMBER,
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "Companies House number",
    },
    FieldDef {
        name: "charity number",
        column: spend::CHARITY_NUMBER,
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "Charity Commission (or OSCR) number",
    },
    FieldDef {
        name: "vat number",
        column: spend::VAT_NUMBER,
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "VAT registration",
    },
    FieldDef {
        name: "source file",
        column: spend::SOURCE_FILE,
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "published file",
    },
    FieldDef {
        name: "value",
        column: contracts::VALUE_TOTAL,
        kind: FieldKind::Money,
        table: Table::Contracts,
        description: "the contract's total value",
    },
    FieldDef {
        name: "annual value",
        column: contracts::VALUE_ANNUAL,
        kind: FieldKind::Money,
        table: Table::Contracts,
        description: "the contract's annual value",
    },
    FieldDef {
        name: "social value",
        column: contracts::SOCIAL_VALUE,
        kind: FieldKind::Money,
        table: Table::Contracts,
        description: "the social value the contract commits (£), for `contracts where social value > 0`",
    },
    FieldDef {
        name: "supplier postcode",
        column: contracts::SUPPLIER_POSTCODE,
        kind: FieldKind::Text,
        table: Table::Contracts,
        description: "the supplier's postcode, as the register publishes it",
    },
    FieldDef {
        name: "supplier postcode area",
        column: contracts::SUPPLIER_POSTCODE,
        kind: FieldKind::PostcodeArea,
        table: Table::Contracts,
        description: "the supplier's postcode area, its first letters (`M`, `SK`, `OL`): local suppliers",
    },
    FieldDef {
        name: "title",
        column: contracts::TITLE,
        kind: FieldKind::Text,
        table: Table::Contracts,
        description: "the contract's title",
    },
    FieldDef {
        name: "collaborative",
        column: contracts::COLLABORATIVE,
        kind: FieldKind::Text,
        table: Table::Contracts,
        description: "the other councils a collaborative contract covers",
    },
    FieldDef {
        name: "on-contract",
        column: spend::CONTRACT_ID,
        kind: FieldKind::Linked,
        table: Table::Spend,
        description: "the payment is covered by a contract",
    },
];

pub fn measure_names() -> impl Iterator<Item = &'static str> {
    MEASURES.iter().map(|m| m.name)
}

pub fn dimension_names() -> impl Iterator<Item = &'static str> {
    DIMENSIONS.iter().map(|d| d.name)
}

pub fn find_measure(name: &str) -> Option<&'static MeasureDef> {
    MEASURES.iter().find(|m| m.name == name || m.aliases.contains(&name))
}

pub fn find_dimension(name: &str) -> Option<&'static DimensionDef> {
    DIMENSIONS.iter().find(|d| d.name == name || d.aliases.contains(&name))
}

pub fn find_field(name: &str) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|f| f.name == name)
}

pub fn find_modifier(word: &str) -> Option<Modifier> {
    MODIFIERS.iter().find(|(w, _, _)| *w == word).map(|(_, m, _)| *m)
}

pub fn find_report(name: &str) -> Option<&'static ReportDef> {
    REPORTS.iter().find(|r| r.name == name)
}

/// The dimension every report groups by (`suppliers shared by council`).
pub fn council_dimension() -> &'static DimensionDef {
    DIMENSIONS
        .iter()
        .find(|d| d.kind == DimensionKind::Column(spend::COUNCIL))
        .expect("the model has a council dimension")
}

/// The column time dimensions and periods read: payment date, or a contract's start date.
pub fn time_column(table: Table) -> &'static str {
    match table {
        // No query reads `suppliers` rows; its label is joined on by `plan`.
        Table::Spend | Table::Suppliers => spend::PAYMENT_DATE,
        Table::Contracts => contracts::START_DATE,
        Table::Metrics => metrics::PERIOD_START,
    }
}

/// The column naming a contract: the link on spend, the id in the register.
pub fn contract_column(table: Table) -> &'static str {
    match table {
        // Metrics name no contract; the resolver refuses the dimension before asking.
        Table::Spend | Table::Suppliers | Table::Metrics => spend::CONTRACT_ID,
        Table::Contracts => contracts::CONTRACT_ID,
    }
}

#[cfg(test)]
mod tests {
    //! Guards on the model's tables: a misspelt column or a name that means two things
    //! compiles, so these say so before a query does.

    use std::collections::BTreeMap;

    use datafusion::arrow::datatypes::DataType;

    use super::*;
    use crate::schema::MONEY;

    fn column_type(table: Table, column: &str) -> DataType {
        let schema = table.schema();
        let Ok(field) = schema.field_with_name(column) else {
            panic!("the {} table has no column '{column}'", table.name())
        };
        field.data_type().clone()
    }

    fn assert_type(table: Table, column: &str, expected: &DataType, what: &str) {
        assert_eq!(&column_type(table, column), expected, "{what}: {}.{column}", table.name());
    }

    #[test]
    fn measures_read_columns_of_their_table_with_fitting_types() {
        for m in MEASURES.iter().chain([&METRIC_MEASURE]) {
            match m.aggregate {
                Aggregate::Sum(c)
                | Aggregate::Average(c)
                | Aggregate::Median(c)
                | Aggregate::Max(c)
                | Aggregate::Min(c) => assert_type(m.table, c, &MONEY, m.name),
                Aggregate::SumOf(columns) => columns.iter().for_each(|c| assert_type(m.table, c, &MONEY, m.name)),
                Aggregate::CountDistinct(c) => assert_type(m.table, c, &DataType::Utf8, m.name),
                Aggregate::Count => {}
                Aggregate::ClassifiedShare => {
                    assert_eq!(m.table, Table::Spend);
                    assert_type(Table::Spend, spend::CATEGORY, &DataType::Utf8, m.name);
                }
                Aggregate::OnContractShare => {
                    assert_eq!(m.table, Table::Spend);
                    assert_type(Table::Spend, spend::AMOUNT, &MONEY, m.name);
                    assert_type(Table::Spend, spend::CONTRACT_ID, &DataType::Utf8, m.name);
                    assert_type(Table::Spend, spend::REDACTED, &DataType::Boolean, m.name);
                }
                Aggregate::Metric => {
                    assert_eq!(m.table, Table::Metrics);
                    assert_type(Table::Metrics, metrics::VALUE, &crate::schema::METRIC_VALUE, m.name);
                    assert_type(Table::Metrics, metrics::METRIC, &DataType::Utf8, m.name);
                    assert_type(Table::Metrics, metrics::AGGREGATION, &DataType::Utf8, m.name);
                    assert_type(Table::Metrics, metrics::PERIOD_END, &DataType::Date32, m.name);
                }
            }
            if let Some(f) = m.filter {
                assert_eq!(f.table(), m.table, "{}'s own restriction reads another table", m.name);
            }
        }
    }

    #[test]
    fn dimensions_read_columns_of_every_table_they_are_in() {
        for d in DIMENSIONS {
            for &table in d.tables {
                match d.kind {
                    DimensionKind::Column(c) => assert_type(table, c, &DataType::Utf8, d.name),
                    DimensionKind::Flag(c) => assert_type(table, c, &DataType::Boolean, d.name),
                    DimensionKind::Contract => assert_type(table, contract_column(table), &DataType::Utf8, d.name),
                    DimensionKind::Supplier => {
                        assert_type(table, spend::SUPPLIER_KEY, &DataType::Utf8, d.name);
                        assert_type(table, spend::SUPPLIER_NAME, &DataType::Utf8, d.name);
                    }
                    kind => {
                        assert!(kind.is_time());
                        assert_type(table, time_column(table), &DataType::Date32, d.name);
                    }
                }
            }
            if let Some((table, column)) = d.value_column() {
                assert_type(table, column, &DataType::Utf8, d.name);
            }
        }
    }

    #[test]
    fn fields_read_columns_of_their_table_with_fitting_types() {
        for f in FIELDS {
            let expected = match f.kind {
                FieldKind::Money => MONEY,
                FieldKind::Text | FieldKind::Linked | FieldKind::PostcodeArea => DataType::Utf8,
                FieldKind::Flag => DataType::Boolean,
            };
            assert_type(f.table, f.column, &expected, f.name);
        }
    }

    /// Names that deliberately mean two things, with the rule that decides between them.
    const ALLOWED_TWICE: &[(&str, &str)] = &[
        // As a measure (`amount by council`) it is spend; in `where` it is the row's amount.
        ("amount", "measure alias and field"),
        // Measure and field; `where annual value > £1m` reads the row, `having` the measure.
        ("annual value", "measure and field"),
        // Measure and field (issue 12): `contracts where social value > 0` reads the row.
        ("social value", "measure and field"),
        // Measure alias and field: contract value as a measure, the row's value in `where`.
        ("value", "measure alias and field"),
        // Measure (`suppliers by council`) and the supplier dimension's plural (`by suppliers`).
        ("suppliers", "measure and dimension alias"),
        // Measure (`contracts by officer`) and the contract dimension's plural.
        ("contracts", "measure and dimension alias"),
        // Modifier after a measure (`spend card`), field in `where card`.
        ("card", "modifier and field"),
        // Modifier after a measure (`spend on-contract`), field in `where on-contract`.
        ("on-contract", "modifier and field"),
    ];

    #[test]
    fn no_name_is_ambiguous_unless_allowed() {
        let mut uses: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut add = |name: &'static str, what: String| uses.entry(name).or_default().push(what);
        for m in MEASURES {
            add(m.name, format!("measure {}", m.name));
            m.aliases.iter().for_each(|a| add(a, format!("alias of measure {}", m.name)));
        }
        for (name, _, _) in MEASURE_SETS {
            add(name, format!("measure set {name}"));
        }
        for r in REPORTS {
            add(r.name, format!("report {}", r.name));
        }
        for d in DIMENSIONS {
            add(d.name, format!("dimension {}", d.name));
            d.aliases.iter().for_each(|a| add(a, format!("alias of dimension {}", d.name)));
        }
        for f in FIELDS {
            add(f.name, format!("field {}", f.name));
        }
        for (word, _, _) in MODIFIERS {
            add(word, format!("modifier {word}"));
        }
        let ambiguous: Vec<_> = uses
            .iter()
            .filter(|(name, what)| what.len() > 1 && !ALLOWED_TWICE.iter().any(|(allowed, _)| allowed == *name))
            .collect();
        assert!(ambiguous.is_empty(), "names with two meanings: {ambiguous:?}");
        for (allowed, _) in ALLOWED_TWICE {
            assert!(uses.get(allowed).is_some_and(|w| w.len() > 1), "'{allowed}' is allowed twice but is used once");
        }
    }

    #[test]
    fn every_report_and_set_member_resolves_to_the_model() {
        for (set, members, _) in MEASURE_SETS {
            for member in *members {
                let mut words = member.split(' ');
                let first = words.next().unwrap_or_default();
                let rest: Vec<&str> = words.collect();
                // The longest measure prefix, then modifiers: what the resolver does.
                let found = (0..=rest.len()).rev().any(|split| {
                    let base =
                        std::iter::once(first).chain(rest[..split].iter().copied()).collect::<Vec<_>>().join(" ");
                    find_measure(&base).is_some() && rest[split..].iter().all(|w| find_modifier(w).is_some())
                });
                assert!(found, "{set}: '{member}' is not a measure with modifiers");
            }
        }
        for r in REPORTS {
            assert_eq!(find_report(r.name).map(|f| f.report), Some(r.report));
        }
        assert_eq!(council_dimension().name, "council");
    }
}
