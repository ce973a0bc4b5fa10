//! The semantic model: every measure, modifier and dimension the language knows, with the
//! column(s) it reads and a description. Adding a measure means adding one entry to
//! [`MEASURES`]; the grammar never changes, because names are resolved here, not parsed.

use crate::schema::Table;

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
}

/// What a measure's values are, which decides formatting and comparison literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Money,
    Count,
    Percent,
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

/// Every measure. Order is the order `\d` lists them in.
pub const MEASURES: &[MeasureDef] = &[
    MeasureDef {
        name: "spend",
        aliases: &["amount", "total"],
        table: Table::Spend,
        aggregate: Aggregate::Sum("amount"),
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
        aggregate: Aggregate::CountDistinct("supplier_key"),
        filter: None,
        unit: Unit::Count,
        description: "number of distinct suppliers (by normalised supplier key)",
    },
    MeasureDef {
        name: "average payment",
        aliases: &["mean payment", "average"],
        table: Table::Spend,
        aggregate: Aggregate::Average("amount"),
        filter: None,
        unit: Unit::Money,
        description: "mean net amount per payment line",
    },
    MeasureDef {
        name: "median payment",
        aliases: &["median"],
        table: Table::Spend,
        aggregate: Aggregate::Median("amount"),
        filter: None,
        unit: Unit::Money,
        description: "median net amount per payment line",
    },
    MeasureDef {
        name: "largest payment",
        aliases: &["max payment", "biggest payment"],
        table: Table::Spend,
        aggregate: Aggregate::Max("amount"),
        filter: None,
        unit: Unit::Money,
        description: "largest single payment line",
    },
    MeasureDef {
        name: "smallest payment",
        aliases: &["min payment"],
        table: Table::Spend,
        aggregate: Aggregate::Min("amount"),
        filter: None,
        unit: Unit::Money,
        description: "smallest single payment line (the largest credit, if any)",
    },
    MeasureDef {
        name: "credits",
        aliases: &["refunds"],
        table: Table::Spend,
        aggregate: Aggregate::Sum("amount"),
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
        aggregate: Aggregate::Sum("value_total"),
        filter: None,
        unit: Unit::Money,
        description: "total contract value, extensions included",
    },
    MeasureDef {
        name: "annual value",
        aliases: &["annual contract value"],
        table: Table::Contracts,
        aggregate: Aggregate::Sum("value_annual"),
        filter: None,
        unit: Unit::Money,
        description: "annual contract value",
    },
    MeasureDef {
        name: "savings",
        aliases: &["total savings"],
        table: Table::Contracts,
        aggregate: Aggregate::SumOf(&["savings_cashable", "savings_non_cashable"]),
        filter: None,
        unit: Unit::Money,
        description: "cashable plus non-cashable savings recorded against contracts",
    },
    MeasureDef {
        name: "cashable savings",
        aliases: &[],
        table: Table::Contracts,
        aggregate: Aggregate::Sum("savings_cashable"),
        filter: None,
        unit: Unit::Money,
        description: "cashable savings recorded against contracts",
    },
    MeasureDef {
        name: "social value",
        aliases: &[],
        table: Table::Contracts,
        aggregate: Aggregate::Sum("social_value"),
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

/// Names that ask for a whole report shape rather than a measure.
pub const REPORTS: &[(&str, &str)] = &[
    ("suppliers shared", "suppliers used by two or more councils, spend per council, and who has a contract"),
    ("categories shared", "categories bought by two or more councils, spend per council, and who has a contract"),
    ("collaboration opportunities", "suppliers and categories ranked by off-contract spend across councils"),
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
    /// The contract: `contract_ref` on spend, `reference` in the register.
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
}

pub const DIMENSIONS: &[DimensionDef] = &[
    DimensionDef {
        name: "council",
        aliases: &["councils", "authority", "organisation"],
        kind: DimensionKind::Column("council"),
        has_values: true,
        tables: BOTH,
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
        kind: DimensionKind::Column("category"),
        has_values: true,
        tables: BOTH,
        description: "spend category (ProClass label, or merchant category for card spend)",
    },
    DimensionDef {
        name: "department",
        aliases: &["departments", "service area", "directorate"],
        kind: DimensionKind::Column("department"),
        has_values: true,
        tables: BOTH,
        description: "the council's department, service area or organisational unit",
    },
    DimensionDef {
        name: "expense type",
        aliases: &["expense types", "expenses type", "expense"],
        kind: DimensionKind::Column("expense_type"),
        has_values: true,
        tables: SPEND,
        description: "the expense type or ledger description",
    },
    DimensionDef {
        name: "purpose",
        aliases: &[],
        kind: DimensionKind::Column("purpose"),
        has_values: false,
        tables: SPEND,
        description: "the published purpose of the payment",
    },
    DimensionDef {
        name: "date",
        aliases: &["day", "payment date", "dates", "days"],
        kind: DimensionKind::Date,
        has_values: false,
        tables: BOTH,
        description: "the payment date",
    },
    DimensionDef {
        name: "month",
        aliases: &["months"],
        kind: DimensionKind::Month,
        has_values: false,
        tables: BOTH,
        description: "calendar month, shown as 2021-04",
    },
    DimensionDef {
        name: "quarter",
        aliases: &["quarters"],
        kind: DimensionKind::Quarter,
        has_values: false,
        tables: BOTH,
        description: "calendar quarter, shown as 2021 Q2",
    },
    DimensionDef {
        name: "year",
        aliases: &["years", "calendar year"],
        kind: DimensionKind::Year,
        has_values: false,
        tables: BOTH,
        description: "calendar year",
    },
    DimensionDef {
        name: "fy",
        aliases: &["financial year", "fys", "financial years"],
        kind: DimensionKind::FinancialYear,
        has_values: false,
        tables: BOTH,
        description: "UK financial year, April to March, shown as 2021/22",
    },
    DimensionDef {
        name: "fq",
        aliases: &["financial quarter", "financial quarters"],
        kind: DimensionKind::FinancialQuarter,
        has_values: false,
        tables: BOTH,
        description: "financial quarter, shown as 2021/22 Q1 (Q1 is April to June)",
    },
    DimensionDef {
        name: "contract",
        aliases: &["contracts", "contract reference", "reference"],
        kind: DimensionKind::Contract,
        has_values: true,
        tables: BOTH,
        description: "the contract: the register's reference, or on spend the contract covering the payment",
    },
    DimensionDef {
        name: "procedure",
        aliases: &["procedures", "route", "process", "procurement route"],
        kind: DimensionKind::Column("procedure"),
        has_values: true,
        tables: CONTRACTS,
        description: "how the contract was procured (open tender, quotation, framework call-off, waiver, ...)",
    },
    DimensionDef {
        name: "sme",
        aliases: &[],
        kind: DimensionKind::Flag("sme"),
        has_values: false,
        tables: CONTRACTS,
        description: "whether the supplier is a small or medium enterprise (yes/no)",
    },
    DimensionDef {
        name: "vcse",
        aliases: &[],
        kind: DimensionKind::Flag("vcse"),
        has_values: false,
        tables: CONTRACTS,
        description: "whether the supplier is a voluntary, community or social enterprise (yes/no)",
    },
    DimensionDef {
        name: "officer",
        aliases: &["officers", "responsible officer", "contract manager"],
        kind: DimensionKind::Column("officer"),
        has_values: true,
        tables: CONTRACTS,
        description: "the procurement officer responsible for the contract",
    },
    DimensionDef {
        name: "status",
        aliases: &["contract status"],
        kind: DimensionKind::Column("status"),
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
    /// True when a text column is present (`on-contract`: `contract_ref` is not null).
    Linked,
}

pub const FIELDS: &[FieldDef] = &[
    FieldDef {
        name: "amount",
        column: "amount",
        kind: FieldKind::Money,
        table: Table::Spend,
        description: "the payment's net amount",
    },
    FieldDef {
        name: "irrecoverable vat",
        column: "irrecoverable_vat",
        kind: FieldKind::Money,
        table: Table::Spend,
        description: "VAT the council cannot reclaim",
    },
    FieldDef {
        name: "redacted",
        column: "redacted",
        kind: FieldKind::Flag,
        table: Table::Spend,
        description: "beneficiary withheld",
    },
    FieldDef {
        name: "card",
        column: "is_card",
        kind: FieldKind::Flag,
        table: Table::Spend,
        description: "a procurement-card payment",
    },
    FieldDef {
        name: "transaction id",
        column: "transaction_id",
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "the council's transaction number",
    },
    FieldDef {
        name: "category code",
        column: "category_code",
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "ProClass or merchant category code",
    },
    FieldDef {
        name: "company number",
        column: "company_number",
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "Companies House number",
    },
    FieldDef {
        name: "vat number",
        column: "vat_number",
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "VAT registration",
    },
    FieldDef {
        name: "source file",
        column: "source_file",
        kind: FieldKind::Text,
        table: Table::Spend,
        description: "published file",
    },
    FieldDef {
        name: "value",
        column: "value_total",
        kind: FieldKind::Money,
        table: Table::Contracts,
        description: "the contract's total value",
    },
    FieldDef {
        name: "annual value",
        column: "value_annual",
        kind: FieldKind::Money,
        table: Table::Contracts,
        description: "the contract's annual value",
    },
    FieldDef {
        name: "title",
        column: "title",
        kind: FieldKind::Text,
        table: Table::Contracts,
        description: "the contract's title",
    },
    FieldDef {
        name: "collaborative",
        column: "collaborative",
        kind: FieldKind::Text,
        table: Table::Contracts,
        description: "the other councils a collaborative contract covers",
    },
    FieldDef {
        name: "on-contract",
        column: "contract_ref",
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
