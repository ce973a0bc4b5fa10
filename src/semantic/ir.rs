//! The resolved query: the intermediate representation between the resolver and
//! [`crate::plan`]. Names are already measures, dimensions and columns of the model; periods
//! are date ranges; values are checked and typed. It holds no DataFusion types and no
//! syntax beyond comparison operators, so `plan` depends on this module and the model, never
//! on how names were resolved.
#![allow(missing_docs, reason = "IR fields and variants mirror the resolver; their docs are still to write")]

use chrono::NaiveDate;

use super::model::{DimensionDef, MeasureDef, RowFilter, Unit};
use super::period::DateRange;
use crate::schema::Table;
pub use crate::schema::metrics::Aggregation;
pub use crate::syntax::ast::CompareOp;

/// A value compared against a dimension or column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    /// Pence.
    Money(i128),
    Integer(i64),
    Decimal(String),
    Bool(bool),
}

/// A row field a condition reads.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldRef {
    /// A stored column: `council`, `amount`, `is_card`.
    Column(&'static str),
    /// The supplier: matched on published name, case-insensitively.
    Supplier,
    /// A postcode column's area: the letters it starts with, upper-cased (`M`, `SK`).
    PostcodeArea(&'static str),
    /// An aggregated measure (in `having`), by index into [`ResolvedQuery::measures`].
    Measure(usize),
}

/// A resolved condition. Time conditions are always date ranges on the table's time column,
/// so Parquet statistics can prune them.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Compare {
        field: FieldRef,
        op: CompareOp,
        value: Value,
    },
    InList {
        field: FieldRef,
        values: Vec<Value>,
        negated: bool,
    },
    /// The time column in `[start, end)`.
    DateIn {
        range: DateRange,
    },
    /// The time column `< date` etc.
    DateCompare {
        op: CompareOp,
        date: NaiveDate,
    },
    /// Case-insensitive substring.
    Contains {
        field: FieldRef,
        text: String,
    },
    IsMissing {
        field: FieldRef,
        negated: bool,
    },
    IsTrue {
        field: FieldRef,
    },
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

#[derive(Debug, Clone)]
pub struct ResolvedDimension {
    pub def: &'static DimensionDef,
}

impl ResolvedDimension {
    pub fn label(&self) -> &'static str {
        self.def.name
    }
}

#[derive(Debug, Clone)]
pub struct ResolvedMeasure {
    pub def: &'static MeasureDef,
    /// Restrictions from modifiers and the measure itself, all applied.
    pub filters: Vec<RowFilter>,
    /// A restriction from a `define measure ... where ...`.
    pub condition: Option<Cond>,
    /// `share`: shown as a % of the total within the `within` dimensions.
    pub share: bool,
    /// Column heading: the name as the user wrote it (`spend off-contract`).
    pub label: String,
    /// Computed only for `having` or `order by`, not shown.
    pub hidden: bool,
    /// For `metric "NAME"` ([`super::model::METRIC_MEASURE`]): which metric, and how it combines.
    pub metric: Option<MetricSpec>,
}

/// The metric a `metric "NAME"` measure reads, as found in the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricSpec {
    /// The canonical name stored in `metrics.metric`.
    pub name: String,
    /// How its figures combine, as stored in `metrics.aggregation`.
    pub aggregation: Aggregation,
}

impl ResolvedMeasure {
    /// The measure with no modifiers, labelled with its own name.
    pub fn of(def: &'static MeasureDef) -> ResolvedMeasure {
        ResolvedMeasure {
            def,
            filters: def.filter.into_iter().collect(),
            condition: None,
            share: false,
            label: def.name.to_string(),
            hidden: false,
            metric: None,
        }
    }

    pub fn unit(&self) -> Unit {
        if self.share { Unit::Percent } else { self.def.unit }
    }
}

/// What a query's result looks like: measures per group (laid out plainly, compared or
/// pivoted), or a report with its own columns.
#[derive(Debug, Clone)]
pub enum Shape {
    Grouped(Layout),
    Report(ReportShape),
}

/// How grouped measures are laid out in columns.
#[derive(Debug, Clone)]
pub enum Layout {
    /// One column per measure.
    Plain,
    /// Columns per period, then change and change %.
    Compare { current: DateRange, current_label: String, previous: DateRange, previous_label: String },
    /// One column per value of a dimension, then the total.
    Pivot { dimension: ResolvedDimension, values: Vec<String> },
}

/// A resolved report ([`super::model::Report`]).
#[derive(Debug, Clone)]
pub enum ReportShape {
    /// `suppliers shared by council`: each supplier (or category) bought by two or more
    /// councils, with spend per council and whether each council has a contract for it.
    Shared {
        /// The supplier or category dimension.
        entity: ResolvedDimension,
        councils: Vec<String>,
        /// The dataset has a register, so "has a contract" can be answered.
        with_contracts: bool,
    },
    /// `collaboration opportunities`: suppliers and categories ranked by off-contract spend
    /// summed across the councils that buy them.
    Opportunities { councils: Vec<String> },
    /// `possible duplicate payments`: every payment with a possible duplicate (same council,
    /// supplier key and amount, dates at most `window_days` apart, not both carrying one
    /// transaction number), in numbered groups.
    Duplicates { window_days: i32 },
    /// `unusual payments`: payments more than `times` the median of their council's payments
    /// to the supplier, among suppliers with at least `min_payments` payments.
    Unusual { times: i64, min_payments: i64 },
    /// `new suppliers`: per council, suppliers whose first payment in the data is among the
    /// rows the query's `where` selects, with their payments and spend there.
    NewSuppliers,
}

#[derive(Debug, Clone)]
pub struct RankSpec {
    pub count: u64,
    pub descending: bool,
    /// The measure ranked by.
    pub measure: usize,
    /// Rank within each group of these dimensions (indices into `dimensions`), or overall.
    pub partition: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKey {
    Dimension(usize),
    Measure(usize),
    /// The change column of a compared measure (`change`, or `change %` when `percent`).
    Change {
        measure: usize,
        percent: bool,
    },
}

#[derive(Debug, Clone)]
pub struct ResolvedQuery {
    pub table: Table,
    pub filter: Option<Cond>,
    pub dimensions: Vec<ResolvedDimension>,
    pub measures: Vec<ResolvedMeasure>,
    /// Dimensions (indices) that `share` measures are totalled within.
    pub share_within: Vec<usize>,
    pub shape: Shape,
    pub rank: Option<RankSpec>,
    pub having: Option<Cond>,
    /// Keys with whether each sorts descending.
    pub order: Vec<(OrderKey, bool)>,
    pub limit: Option<u64>,
    pub chart: bool,
    pub as_of: NaiveDate,
    /// The `within` window of `expiring` contract measures.
    pub expiry_window: Option<DateRange>,
}

impl ResolvedQuery {
    /// A plain grouped query over `table` with nothing else set: the starting point the
    /// resolver fills in, and what stage tests build by hand.
    pub fn grouped(table: Table, as_of: NaiveDate) -> ResolvedQuery {
        ResolvedQuery {
            table,
            filter: None,
            dimensions: Vec::new(),
            measures: Vec::new(),
            share_within: Vec::new(),
            shape: Shape::Grouped(Layout::Plain),
            rank: None,
            having: None,
            order: Vec::new(),
            limit: None,
            chart: false,
            as_of,
            expiry_window: None,
        }
    }
}
