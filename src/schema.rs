//! The harmonised table schemas: the contract between ingest (which writes these tables)
//! and the language (which reads them). Nothing else is shared between the two sides,
//! so every column's meaning is written down here.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

/// Money is always stored as `Decimal128(18, 2)`: pounds and pence, never a float.
pub const MONEY: DataType = DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE);
/// Decimal digits in a money value.
pub const MONEY_PRECISION: u8 = 18;
/// Digits after the point in a money value: pence.
pub const MONEY_SCALE: i8 = 2;

/// A metric's value is `Decimal128(18, 4)`: exact like money, with room for scores
/// (`4.25`), rates (`0.5432`) and averages of days, never a float.
pub const METRIC_VALUE: DataType = DataType::Decimal128(METRIC_PRECISION, METRIC_SCALE);
/// Decimal digits in a metric value.
pub const METRIC_PRECISION: u8 = 18;
/// Digits after the point in a metric value.
pub const METRIC_SCALE: i8 = 4;

/// The tables a dataset can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// Payments and card transactions.
    Spend,
    /// Contracts registers.
    Contracts,
    /// One row per supplier identity, derived from spend and contracts after every change.
    Suppliers,
    /// Figures that are not in spend or contracts: satisfaction scores, days to pay, website
    /// sessions, followers; one row per metric, period and council (or the whole service).
    Metrics,
}

impl Table {
    /// Every table, in display order.
    pub const ALL: [Table; 4] = [Table::Spend, Table::Contracts, Table::Suppliers, Table::Metrics];

    /// The table's name in queries and its folder name in the dataset.
    pub fn name(self) -> &'static str {
        match self {
            Table::Spend => "spend",
            Table::Contracts => "contracts",
            Table::Suppliers => "suppliers",
            Table::Metrics => "metrics",
        }
    }

    /// The table's Arrow schema, as written by ingest.
    pub fn schema(self) -> SchemaRef {
        match self {
            Table::Spend => spend_schema(),
            Table::Contracts => contracts_schema(),
            Table::Suppliers => suppliers_schema(),
            Table::Metrics => metrics_schema(),
        }
    }

    /// One line saying what a row of the table is, for `\tables`-style listings.
    pub fn description(self) -> &'static str {
        match self {
            Table::Spend => "payments over £500 and procurement-card transactions, one row per payment line",
            Table::Contracts => "contracts registers, one row per contract",
            Table::Suppliers => "one row per supplier key: its label, identifiers, councils and payments",
            Table::Metrics => {
                "figures not in spend or contracts, one row per metric, period and council or the service"
            }
        }
    }

    /// Whether ingest derives the table from the others (rather than loading it from
    /// published files): it has no sources of its own and is rebuilt after every change.
    pub fn is_derived(self) -> bool {
        matches!(self, Table::Suppliers)
    }

    /// Whether the suppliers table is derived from this table (spend and contracts name
    /// suppliers; metrics do not).
    pub fn names_suppliers(self) -> bool {
        matches!(self, Table::Spend | Table::Contracts)
    }
}

/// Councils whose ONS GSS codes are known. Display name, code.
pub const KNOWN_COUNCILS: &[(&str, &str)] = &[
    ("Stockport", "E08000007"),
    ("Trafford", "E08000009"),
    ("Rochdale", "E08000005"),
    ("Manchester", "E08000003"),
    ("Salford", "E08000006"),
];

/// The GSS code for a council's display name, compared case-insensitively.
pub fn council_code(name: &str) -> Option<&'static str> {
    KNOWN_COUNCILS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name.trim())).map(|(_, c)| *c)
}

/// The canonical display name for a known council, or the trimmed input.
pub fn council_display_name(name: &str) -> String {
    KNOWN_COUNCILS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .map_or_else(|| name.trim().to_string(), |(n, _)| n.to_string())
}

fn utf8(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

/// Columns of the `spend` table, in file order.
pub mod spend {
    /// The council's display name.
    pub const COUNCIL: &str = "council";
    /// The council's ONS GSS code, when known.
    pub const COUNCIL_CODE: &str = "council_code";
    /// The council's transaction or reference number, if published.
    pub const TRANSACTION_ID: &str = "transaction_id";
    /// Date of the payment.
    pub const PAYMENT_DATE: &str = "payment_date";
    /// Net amount paid, in pounds (money); negative for refunds and credits.
    pub const AMOUNT: &str = "amount";
    /// VAT the council cannot reclaim, in pounds (money), if published.
    pub const IRRECOVERABLE_VAT: &str = "irrecoverable_vat";
    /// The supplier name as published.
    pub const SUPPLIER_NAME: &str = "supplier_name";
    /// The normalised supplier name that supplier matching groups by.
    pub const SUPPLIER_KEY: &str = "supplier_key";
    /// The council's own supplier id, if published.
    pub const SUPPLIER_ID: &str = "supplier_id";
    /// Companies House number of the supplier, if published.
    pub const COMPANY_NUMBER: &str = "company_number";
    /// Charity Commission (or OSCR, or Northern Ireland) registration number of the supplier,
    /// if published: digits, with `-N` for a subsidiary charity (`1234567-1`).
    pub const CHARITY_NUMBER: &str = "charity_number";
    /// The supplier's VAT registration number, if published.
    pub const VAT_NUMBER: &str = "vat_number";
    /// The council department or directorate.
    pub const DEPARTMENT: &str = "department";
    /// Expense type or account description.
    pub const EXPENSE_TYPE: &str = "expense_type";
    /// Procurement category, as the council published it (its own name or a ProClass
    /// label); what `check` judges.
    pub const PUBLISHED_CATEGORY: &str = "published_category";
    /// Procurement category code, as the council published it.
    pub const PUBLISHED_CATEGORY_CODE: &str = "published_category_code";
    /// Purpose of the spend, as published.
    pub const PURPOSE: &str = "purpose";
    /// Whether the row is a purchase card transaction (from a card file, or marked as one).
    pub const IS_CARD: &str = "is_card";
    /// Whether the published supplier name is a redaction (the name withheld).
    pub const REDACTED: &str = "redacted";
    /// The source file name the row came from.
    pub const SOURCE_FILE: &str = "source_file";
    /// The row's line number in the source file.
    pub const SOURCE_ROW: &str = "source_row";
    /// JSON object of the source columns that map to no harmonised field, so nothing is lost.
    pub const EXTRAS: &str = "extras";
    /// The `contracts.contract_id` of the contract covering the payment, if any: join the
    /// two tables on it for the contract's reference, title and dates. Null when no contract
    /// covers it, the payment is redacted, or no register is loaded; recomputed by
    /// `ingest::link` inside every ingest that changes spend, contracts or supplier aliases.
    pub const CONTRACT_ID: &str = "contract_id";
    /// The harmonised category, the same for every council: the ProClass code's canonical
    /// label (`Social Care : Domiciliary Care`), or `Out of scope` for payments that are not
    /// third-party procurement (levies, precepts, payments to other public bodies, grants,
    /// tax, pensions, loans and debtors); null when unclassified. Derived by
    /// `ingest::categorise` inside every ingest that changes spend or `categories.toml`.
    pub const CATEGORY: &str = "category";
    /// The harmonised ProClass code, six digits (`321014`; a level-1 group alone ends in
    /// `0000`); null when out of scope or unclassified.
    pub const CATEGORY_CODE: &str = "category_code";
    /// The harmonised category's ProClass level 1 (`Social Care`), or `Out of scope`; null
    /// when unclassified.
    pub const CATEGORY_GROUP: &str = "category_group";
    /// How the category was decided: `mapped` (`categories.toml`), `published` (the
    /// council's own ProClass code or label), `supplier` (the payee's classified spend
    /// elsewhere), `text` (the council's own words), `none` (unclassified).
    pub const CATEGORY_SOURCE: &str = "category_source";
}

/// The Arrow schema of the `spend` table.
pub fn spend_schema() -> SchemaRef {
    use spend::{
        AMOUNT, CATEGORY, CATEGORY_CODE, CATEGORY_GROUP, CATEGORY_SOURCE, CHARITY_NUMBER, COMPANY_NUMBER, CONTRACT_ID,
        COUNCIL, COUNCIL_CODE, DEPARTMENT, EXPENSE_TYPE, EXTRAS, IRRECOVERABLE_VAT, IS_CARD, PAYMENT_DATE,
        PUBLISHED_CATEGORY, PUBLISHED_CATEGORY_CODE, PURPOSE, REDACTED, SOURCE_FILE, SOURCE_ROW, SUPPLIER_ID,
        SUPPLIER_KEY, SUPPLIER_NAME, TRANSACTION_ID, VAT_NUMBER,
    };
    Arc::new(Schema::new(vec![
        Field::new(COUNCIL, DataType::Utf8, false),
        utf8(COUNCIL_CODE),
        utf8(TRANSACTION_ID),
        Field::new(PAYMENT_DATE, DataType::Date32, false),
        Field::new(AMOUNT, MONEY, false),
        Field::new(IRRECOVERABLE_VAT, MONEY, true),
        utf8(SUPPLIER_NAME),
        utf8(SUPPLIER_KEY),
        utf8(SUPPLIER_ID),
        utf8(COMPANY_NUMBER),
        utf8(CHARITY_NUMBER),
        utf8(VAT_NUMBER),
        utf8(DEPARTMENT),
        utf8(EXPENSE_TYPE),
        utf8(PUBLISHED_CATEGORY),
        utf8(PUBLISHED_CATEGORY_CODE),
        utf8(PURPOSE),
        Field::new(IS_CARD, DataType::Boolean, false),
        Field::new(REDACTED, DataType::Boolean, false),
        Field::new(SOURCE_FILE, DataType::Utf8, false),
        Field::new(SOURCE_ROW, DataType::Int64, false),
        utf8(EXTRAS),
        utf8(CONTRACT_ID),
        utf8(CATEGORY),
        utf8(CATEGORY_CODE),
        utf8(CATEGORY_GROUP),
        utf8(CATEGORY_SOURCE),
    ]))
}

/// Columns of the `contracts` table, in file order.
pub mod contracts {
    /// The council's display name.
    pub const COUNCIL: &str = "council";
    /// The council's ONS GSS code, when known.
    pub const COUNCIL_CODE: &str = "council_code";
    /// The contract's key, unique in the dataset: `Salford/S1161` from the council's display
    /// name and the published reference (control characters dropped, runs of spaces made
    /// one, trimmed, upper case; a
    /// placeholder such as `TBC` is no reference); `Salford/(Road salt)` from the title when
    /// there is no reference; `Salford/row-57` (the register's line) with neither. The second
    /// and later contracts claiming one of these take `/2`, `/3`, ... in order (registers in
    /// order of council and file name, rows in file order), skipping ids already taken. The
    /// same register gives the same ids; a republished one keeps them when rows are added,
    /// except the numbers of a repeat inserted before an older one. Assigned by
    /// `ingest::link`, which renames every contract whenever a register changes.
    pub const CONTRACT_ID: &str = "contract_id";
    /// The council's contract reference, as published.
    pub const REFERENCE: &str = "reference";
    /// The contract title.
    pub const TITLE: &str = "title";
    /// What the contract is for.
    pub const DESCRIPTION: &str = "description";
    /// The council department or directorate.
    pub const DEPARTMENT: &str = "department";
    /// The procurement procedure used (open, restricted, framework call-off, ...).
    pub const PROCEDURE: &str = "procedure";
    /// The supplier name as published.
    pub const SUPPLIER_NAME: &str = "supplier_name";
    /// The normalised supplier name that supplier matching groups by.
    pub const SUPPLIER_KEY: &str = "supplier_key";
    /// Companies House number of the supplier, if published.
    pub const COMPANY_NUMBER: &str = "company_number";
    /// Charity registration number of the supplier, if published (as in `spend`).
    pub const CHARITY_NUMBER: &str = "charity_number";
    /// The supplier's postcode, if published.
    pub const SUPPLIER_POSTCODE: &str = "supplier_postcode";
    /// Whether the supplier is a small or medium enterprise, if published.
    pub const SME: &str = "sme";
    /// Whether the supplier is a voluntary, community or social enterprise, if published.
    pub const VCSE: &str = "vcse";
    /// Contract start date, if published.
    pub const START_DATE: &str = "start_date";
    /// Contract end date before any extension, if published.
    pub const END_DATE: &str = "end_date";
    /// Date the contract is due for review, if published.
    pub const REVIEW_DATE: &str = "review_date";
    /// Date the contract finally expires, including extensions, if published.
    pub const EXPIRY_DATE: &str = "expiry_date";
    /// Months by which the contract may be extended, if published.
    pub const EXTENSION_MONTHS_AVAILABLE: &str = "extension_months_available";
    /// Total contract value over its term, in pounds (money).
    pub const VALUE_TOTAL: &str = "value_total";
    /// Annual contract value, in pounds (money), if published.
    pub const VALUE_ANNUAL: &str = "value_annual";
    /// VAT the council cannot reclaim, in pounds (money), if published.
    pub const IRRECOVERABLE_VAT: &str = "irrecoverable_vat";
    /// Procurement category code, as the register published it (a ProClass code or the
    /// council's own); what `check` judges.
    pub const PUBLISHED_CATEGORY_CODE: &str = "published_category_code";
    /// Procurement category, as the register published it.
    pub const PUBLISHED_CATEGORY: &str = "published_category";
    /// The harmonised category, as on `spend` (the ProClass code's canonical label), so a
    /// contract and the payments it covers are compared in one taxonomy; null when
    /// unclassified. Derived by `ingest::categorise` after spend is classified.
    pub const CATEGORY: &str = "category";
    /// The harmonised ProClass code, six digits; null when unclassified (or, through a
    /// `categories.toml` mapping, out of scope).
    pub const CATEGORY_CODE: &str = "category_code";
    /// The harmonised category's ProClass level 1, as on `spend`.
    pub const CATEGORY_GROUP: &str = "category_group";
    /// How the category was decided: `mapped`, `published` (the register's own ProClass
    /// code or label), `supplier` (what the payments the contract covers, or else its
    /// supplier's payments, were classified as), `none`.
    pub const CATEGORY_SOURCE: &str = "category_source";
    /// Semicolon-separated display names of the other councils a collaborative contract covers.
    pub const COLLABORATIVE: &str = "collaborative";
    /// Cashable savings claimed, in pounds (money), if published.
    pub const SAVINGS_CASHABLE: &str = "savings_cashable";
    /// Non-cashable savings claimed, in pounds (money), if published.
    pub const SAVINGS_NON_CASHABLE: &str = "savings_non_cashable";
    /// Social value committed, in pounds (money), if published.
    pub const SOCIAL_VALUE: &str = "social_value";
    /// The responsible officer or contact, as published.
    pub const OFFICER: &str = "officer";
    /// Contract status (e.g. live, expired), as published.
    pub const STATUS: &str = "status";
    /// The source file name the row came from.
    pub const SOURCE_FILE: &str = "source_file";
    /// The row's line number in the source file.
    pub const SOURCE_ROW: &str = "source_row";
    /// JSON object of the source columns that map to no harmonised field.
    pub const EXTRAS: &str = "extras";
}

/// The Arrow schema of the `contracts` table.
pub fn contracts_schema() -> SchemaRef {
    use contracts::{
        CATEGORY, CATEGORY_CODE, CATEGORY_GROUP, CATEGORY_SOURCE, CHARITY_NUMBER, COLLABORATIVE, COMPANY_NUMBER,
        CONTRACT_ID, COUNCIL, COUNCIL_CODE, DEPARTMENT, DESCRIPTION, END_DATE, EXPIRY_DATE, EXTENSION_MONTHS_AVAILABLE,
        EXTRAS, IRRECOVERABLE_VAT, OFFICER, PROCEDURE, PUBLISHED_CATEGORY, PUBLISHED_CATEGORY_CODE, REFERENCE,
        REVIEW_DATE, SAVINGS_CASHABLE, SAVINGS_NON_CASHABLE, SME, SOCIAL_VALUE, SOURCE_FILE, SOURCE_ROW, START_DATE,
        STATUS, SUPPLIER_KEY, SUPPLIER_NAME, SUPPLIER_POSTCODE, TITLE, VALUE_ANNUAL, VALUE_TOTAL, VCSE,
    };
    Arc::new(Schema::new(vec![
        Field::new(COUNCIL, DataType::Utf8, false),
        utf8(COUNCIL_CODE),
        utf8(CONTRACT_ID),
        utf8(REFERENCE),
        utf8(TITLE),
        utf8(DESCRIPTION),
        utf8(DEPARTMENT),
        utf8(PROCEDURE),
        utf8(SUPPLIER_NAME),
        utf8(SUPPLIER_KEY),
        utf8(COMPANY_NUMBER),
        utf8(CHARITY_NUMBER),
        utf8(SUPPLIER_POSTCODE),
        Field::new(SME, DataType::Boolean, true),
        Field::new(VCSE, DataType::Boolean, true),
        Field::new(START_DATE, DataType::Date32, true),
        Field::new(END_DATE, DataType::Date32, true),
        Field::new(REVIEW_DATE, DataType::Date32, true),
        Field::new(EXPIRY_DATE, DataType::Date32, true),
        Field::new(EXTENSION_MONTHS_AVAILABLE, DataType::Int32, true),
        Field::new(VALUE_TOTAL, MONEY, true),
        Field::new(VALUE_ANNUAL, MONEY, true),
        Field::new(IRRECOVERABLE_VAT, MONEY, true),
        utf8(PUBLISHED_CATEGORY_CODE),
        utf8(PUBLISHED_CATEGORY),
        utf8(CATEGORY),
        utf8(CATEGORY_CODE),
        utf8(CATEGORY_GROUP),
        utf8(CATEGORY_SOURCE),
        utf8(COLLABORATIVE),
        Field::new(SAVINGS_CASHABLE, MONEY, true),
        Field::new(SAVINGS_NON_CASHABLE, MONEY, true),
        Field::new(SOCIAL_VALUE, MONEY, true),
        utf8(OFFICER),
        utf8(STATUS),
        Field::new(SOURCE_FILE, DataType::Utf8, false),
        Field::new(SOURCE_ROW, DataType::Int64, false),
        utf8(EXTRAS),
    ]))
}

/// Columns of the `suppliers` table, in file order. One row per `supplier_key` found in
/// `spend` or `contracts`, so `spend JOIN suppliers USING (supplier_key)` never multiplies rows.
pub mod suppliers {
    /// The supplier key, as in `spend.supplier_key` and `contracts.supplier_key`: after
    /// `suppliers.toml` aliases and the identifiers that link names (README, "Suppliers").
    pub const SUPPLIER_KEY: &str = "supplier_key";
    /// The label: the published name most spend rows with this key carry (contracts rows
    /// when it has no spend); ties go to the name first in byte order.
    pub const NAME: &str = "name";
    /// Distinct published names with this key, over both tables.
    pub const NAMES: &str = "names";
    /// Companies House number: the one on most rows with this key, ties to the smaller.
    pub const COMPANY_NUMBER: &str = "company_number";
    /// Registered charity number, chosen as the company number is.
    pub const CHARITY_NUMBER: &str = "charity_number";
    /// VAT registration number (nine or twelve digits, no `GB`), chosen as the company number is.
    pub const VAT_NUMBER: &str = "vat_number";
    /// Display names of the councils that paid or contracted the supplier, sorted, `;`-separated.
    pub const COUNCILS: &str = "councils";
    /// Whether the key is a redacted beneficiary (a withheld name, not a supplier).
    pub const REDACTED: &str = "redacted";
    /// Date of the first payment, if any.
    pub const FIRST_PAYMENT: &str = "first_payment";
    /// Date of the last payment, if any.
    pub const LAST_PAYMENT: &str = "last_payment";
    /// Spend rows with this key.
    pub const PAYMENTS: &str = "payments";
    /// Sum of those rows' amounts, in pounds (money); credits included.
    pub const SPEND: &str = "spend";
    /// Contracts register rows with this key.
    pub const CONTRACTS: &str = "contracts";
}

/// The Arrow schema of the `suppliers` table.
pub fn suppliers_schema() -> SchemaRef {
    use suppliers::{
        CHARITY_NUMBER, COMPANY_NUMBER, CONTRACTS, COUNCILS, FIRST_PAYMENT, LAST_PAYMENT, NAME, NAMES, PAYMENTS,
        REDACTED, SPEND, SUPPLIER_KEY, VAT_NUMBER,
    };
    Arc::new(Schema::new(vec![
        Field::new(SUPPLIER_KEY, DataType::Utf8, false),
        utf8(NAME),
        Field::new(NAMES, DataType::Int64, false),
        utf8(COMPANY_NUMBER),
        utf8(CHARITY_NUMBER),
        utf8(VAT_NUMBER),
        Field::new(COUNCILS, DataType::Utf8, false),
        Field::new(REDACTED, DataType::Boolean, false),
        Field::new(FIRST_PAYMENT, DataType::Date32, true),
        Field::new(LAST_PAYMENT, DataType::Date32, true),
        Field::new(PAYMENTS, DataType::Int64, false),
        Field::new(SPEND, MONEY, false),
        Field::new(CONTRACTS, DataType::Int64, false),
    ]))
}

/// Columns of the `metrics` table, in file order. One row per figure a metrics file
/// publishes: a metric's value for one period, for one council or for the whole service.
pub mod metrics {
    /// The council's display name, as `spend.council`; null for a figure of the whole shared
    /// service (neither the file's council column nor `--council` named one).
    pub const COUNCIL: &str = "council";
    /// The council's ONS GSS code, when known; null for the whole service.
    pub const COUNCIL_CODE: &str = "council_code";
    /// The first day the figure covers (a month's first day, a GA4 export's start date).
    /// The time dimensions and periods of the language read this column.
    pub const PERIOD_START: &str = "period_start";
    /// The last day the figure covers, inclusive (a month's last day, a GA4 export's end
    /// date); `latest` aggregation takes the figure with the latest one.
    pub const PERIOD_END: &str = "period_end";
    /// The metric's canonical name: lower case, single spaces (`days to pay`, `sessions`,
    /// `page views`); what `metric "NAME"` matches.
    pub const METRIC: &str = "metric";
    /// The figure, exact (`Decimal128(18,4)`; more decimals published are rounded half away
    /// from zero to four, and counted in the ingest report).
    pub const VALUE: &str = "value";
    /// What the value counts or measures, when the file says (`%`, `days`, `£`, `score`).
    pub const UNIT: &str = "unit";
    /// How the metric's figures combine over councils and periods: `sum` (counts: sessions,
    /// page views, impressions), `average` (scores, rates, days to pay) or `latest` (the
    /// figure with the latest `period_end`: followers). From the file's `aggregation`
    /// column, else the registry of known metrics in `ingest::metrics`.
    pub const AGGREGATION: &str = "aggregation";
    /// Which layout the figure was read from: `tidy`, `wide`, `ga4` or `social`.
    pub const SOURCE: &str = "source";
    /// The source file name the figure came from.
    pub const SOURCE_FILE: &str = "source_file";
    /// The figure's line number in the source file.
    pub const SOURCE_ROW: &str = "source_row";

    /// How a metric's figures combine (the stored [`AGGREGATION`] words): the one
    /// definition ingest writes and the language plans by.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Aggregation {
        /// Counts: the figures add up (sessions, page views, impressions, follows).
        Sum,
        /// Scores, rates and averages: the mean of the figures (satisfaction, days to pay).
        Average,
        /// Levels: the figure with the latest period end (followers).
        Latest,
    }

    impl Aggregation {
        /// The stored word: `sum`, `average`, `latest`.
        pub fn name(self) -> &'static str {
            match self {
                Aggregation::Sum => "sum",
                Aggregation::Average => "average",
                Aggregation::Latest => "latest",
            }
        }

        /// The aggregation a stored word names.
        pub fn from_name(name: &str) -> Option<Aggregation> {
            [Aggregation::Sum, Aggregation::Average, Aggregation::Latest].into_iter().find(|a| a.name() == name)
        }
    }

    /// A metric's name as stored and as `metric "NAME"` matches it: lower case, `_` read
    /// as a space, runs of spaces made one, trimmed (`Days_to  Pay` → `days to pay`).
    pub fn canonical_name(text: &str) -> String {
        text.replace('_', " ").split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
    }
}

/// The Arrow schema of the `metrics` table.
pub fn metrics_schema() -> SchemaRef {
    use metrics::{
        AGGREGATION, COUNCIL, COUNCIL_CODE, METRIC, PERIOD_END, PERIOD_START, SOURCE, SOURCE_FILE, SOURCE_ROW, UNIT,
        VALUE,
    };
    Arc::new(Schema::new(vec![
        utf8(COUNCIL),
        utf8(COUNCIL_CODE),
        Field::new(PERIOD_START, DataType::Date32, false),
        Field::new(PERIOD_END, DataType::Date32, false),
        Field::new(METRIC, DataType::Utf8, false),
        Field::new(VALUE, METRIC_VALUE, false),
        utf8(UNIT),
        Field::new(AGGREGATION, DataType::Utf8, false),
        Field::new(SOURCE, DataType::Utf8, false),
        Field::new(SOURCE_FILE, DataType::Utf8, false),
        Field::new(SOURCE_ROW, DataType::Int64, false),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_columns_are_decimal_not_float() {
        for table in Table::ALL {
            for field in table.schema().fields() {
                assert!(
                    !matches!(field.data_type(), DataType::Float32 | DataType::Float64),
                    "{}.{} is a float",
                    table.name(),
                    field.name()
                );
            }
        }
        assert_eq!(spend_schema().field_with_name("amount").unwrap().data_type(), &DataType::Decimal128(18, 2));
    }

    #[test]
    fn council_codes_are_case_insensitive() {
        assert_eq!(council_code(" trafford "), Some("E08000009"));
        assert_eq!(council_code("Wigan"), None);
        assert_eq!(council_display_name("SALFORD"), "Salford");
    }
}
