//! The typed syntax tree of SpendQL. Every node carries the byte span of the source it came
//! from, so later stages can point at it in diagnostics. Names of measures and dimensions are
//! kept as the words the user wrote: the grammar does not know which measures exist, the
//! semantic model does (so adding a measure never touches the grammar).

use crate::error::Span;

/// A value with the span of source text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The parsed value.
    pub node: T,
    /// Where in the source text it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// `node`, parsed from the source text at `span`.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// A name made of one or more words, e.g. `spend off-contract`, `average payment`,
/// `expense type`, `suppliers`. Words are lower-cased; hyphens are kept (`off-contract`).
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    /// The words, lower-cased, each with its own span.
    pub words: Vec<Spanned<String>>,
    /// From the first word to the last.
    pub span: Span,
}

impl Name {
    /// The words joined by single spaces: `"spend off-contract"`.
    pub fn text(&self) -> String {
        self.words.iter().map(|w| w.node.as_str()).collect::<Vec<_>>().join(" ")
    }
}

/// One measure of a query's measure list, as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// A measure of the model or a `define measure`, with any modifiers: `spend off-contract`.
    Named(Name),
    /// `metric "days to pay"`: a figure of the metrics table, by its name in the data.
    Metric(MetricMeasure),
}

/// `metric "days to pay"`.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricMeasure {
    /// The metric's name as written in the string, with the string's span.
    pub name: Spanned<String>,
    /// From `metric` to the closing quote.
    pub span: Span,
}

impl Measure {
    /// The measure as written: the name's words, or `metric "NAME"`.
    pub fn text(&self) -> String {
        match self {
            Measure::Named(name) => name.text(),
            Measure::Metric(metric) => format!("metric \"{}\"", metric.name.node),
        }
    }

    /// Where the measure was written.
    pub fn span(&self) -> &Span {
        match self {
            Measure::Named(name) => &name.span,
            Measure::Metric(metric) => &metric.span,
        }
    }

    /// The name of a named measure (`None` for a metric).
    pub fn name(&self) -> Option<&Name> {
        match self {
            Measure::Named(name) => Some(name),
            Measure::Metric(_) => None,
        }
    }
}

/// One query: `[top|bottom N <dim> by] measures [by dims] [clauses...] [as chart]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// `top 10 suppliers by spend`: rank the named dimension by the first measure.
    pub rank: Option<Rank>,
    /// The measures to compute, in the order written. Never empty.
    pub measures: Vec<Measure>,
    /// `by council, fy`: the grouping dimensions.
    pub group_by: Vec<Name>,
    /// `share ... within council` (each `share` measure is a % of this dimension's total), or
    /// `contracts expiring within 6 months` (a window after the as-of date).
    pub within: Option<Within>,
    /// `across council`: pivot this dimension's values into columns.
    pub across: Option<Name>,
    /// `compare FY2021/22 with FY2020/21`.
    pub compare: Option<Compare>,
    /// `where ...`: conditions on rows, before grouping.
    pub filter: Option<Expr>,
    /// `having ...`: conditions on measures, after grouping.
    pub having: Option<Expr>,
    /// `order by spend desc, council`.
    pub order_by: Vec<OrderItem>,
    /// `limit 20`.
    pub limit: Option<Spanned<u64>>,
    /// `as chart`.
    pub as_chart: bool,
    /// The whole query.
    pub span: Span,
}

/// What a `within` clause names: a dimension for shares, or a window of time for expiries.
#[derive(Debug, Clone, PartialEq)]
pub enum Within {
    /// `share within council`: each group's share of its council's total.
    Dimension(Name),
    /// `within 6 months`: parsed as `PeriodKind::Next { count: 6, unit: Month }`.
    Period(Period),
}

/// Which end of a ranking `top`/`bottom` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankDirection {
    /// The largest values of the ranking measure.
    Top,
    /// The smallest values of the ranking measure.
    Bottom,
}

/// `top 10 suppliers by spend` → direction Top, count 10, dimension `suppliers`; the
/// ranking measure is the query's first measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Rank {
    /// `top` or `bottom`.
    pub direction: RankDirection,
    /// How many groups to keep.
    pub count: Spanned<u64>,
    /// The dimension being ranked (`suppliers`).
    pub dimension: Name,
    /// From `top` to the ranking's `by`.
    pub span: Span,
}

/// `compare FY2021/22 with FY2020/21`: each measure for two periods, with the change.
#[derive(Debug, Clone, PartialEq)]
pub struct Compare {
    /// The period written first, the one reported on.
    pub current: Period,
    /// The period it is compared with.
    pub previous: Period,
    /// The whole clause.
    pub span: Span,
}

/// One key of `order by`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    /// A measure or dimension name as written.
    pub name: Name,
    /// `desc` was written.
    pub descending: bool,
    /// The key with its direction.
    pub span: Span,
}

/// A comparison operator in a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
}

/// A condition in `where` or `having`.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `amount >= £25k`, `council = "Salford"`, `year = 2015`, `month = $month`.
    Compare {
        /// The field or measure compared.
        left: Name,
        /// How it is compared.
        op: CompareOp,
        /// What it is compared with.
        right: Operand,
        /// The whole condition.
        span: Span,
    },
    /// `council in ("Salford", "Trafford")`, `date in last 3 months`, `date in 2021Q2`.
    In {
        /// The field tested.
        left: Name,
        /// The values or the one period it must be in.
        values: Vec<Operand>,
        /// `not in`.
        negated: bool,
        /// The whole condition.
        span: Span,
    },
    /// `date between 2019-04-01 and 2019-09-30`.
    Between {
        /// The field tested.
        left: Name,
        /// The lower bound, included.
        low: Operand,
        /// The upper bound, included.
        high: Operand,
        /// The whole condition.
        span: Span,
    },
    /// `supplier ~ "amey"`: case-insensitive contains.
    Contains {
        /// The text field searched.
        left: Name,
        /// The text looked for.
        pattern: Operand,
        /// The whole condition.
        span: Span,
    },
    /// `category is missing`, `category is not missing`.
    IsMissing {
        /// The field tested.
        left: Name,
        /// `is not missing`.
        negated: bool,
        /// The whole condition.
        span: Span,
    },
    /// A bare flag such as `redacted` or `card`.
    Flag {
        /// The flag's name.
        name: Name,
        /// Where it was written.
        span: Span,
    },
    /// Both conditions hold.
    And(Box<Expr>, Box<Expr>),
    /// Either condition holds.
    Or(Box<Expr>, Box<Expr>),
    /// `not ...`.
    Not {
        /// The condition negated.
        expr: Box<Expr>,
        /// From `not` to the end of the condition.
        span: Span,
    },
}

impl Expr {
    /// The source text of the whole condition, for diagnostics.
    pub fn span(&self) -> Span {
        match self {
            Expr::Compare { span, .. }
            | Expr::In { span, .. }
            | Expr::Between { span, .. }
            | Expr::Contains { span, .. }
            | Expr::IsMissing { span, .. }
            | Expr::Flag { span, .. }
            | Expr::Not { span, .. } => span.clone(),
            Expr::And(a, b) | Expr::Or(a, b) => a.span().start..b.span().end,
        }
    }
}

/// The right-hand side of a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A string, number, date or boolean.
    Literal(Spanned<Literal>),
    /// A period such as `FY2021/22` or `last 3 months`.
    Period(Period),
    /// `$month`: a parameter, substituted before resolution.
    Param(Spanned<String>),
}

impl Operand {
    /// Where the operand was written.
    pub fn span(&self) -> Span {
        match self {
            Operand::Literal(l) => l.span.clone(),
            Operand::Period(p) => p.span.clone(),
            Operand::Param(p) => p.span.clone(),
        }
    }
}

/// A literal value as written, before it is checked against the field it meets.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `"Salford"` with escapes resolved.
    String(String),
    /// A plain or money number, already scaled: `£25k` → `25000`, `1.5m` → `1500000`.
    /// Kept as decimal text so it is never rounded through a float.
    Number {
        /// The scaled number as decimal text.
        value: String,
        /// Written with `£`.
        money: bool,
    },
    /// `2021-04-01`.
    Date(chrono::NaiveDate),
    /// `true` / `false`.
    Bool(bool),
}

/// A span of time, named absolutely or relative to the as-of date.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    /// Which span of time.
    pub kind: PeriodKind,
    /// Where it was written.
    pub span: Span,
}

/// The unit of a relative period (`last 3 months`, `this fy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodUnit {
    /// A calendar day.
    Day,
    /// Seven days.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
    /// A calendar year.
    Year,
    /// UK financial year, April to March.
    FinancialYear,
}

/// The span of time a [`Period`] names. Field names say which part of the literal they hold
/// (`year`, `month` 1–12, `quarter` 1–4, `count` units of `unit`).
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs, reason = "each field is named for the part of the period literal it holds, as the enum doc says")]
pub enum PeriodKind {
    /// `2021-04`.
    Month { year: i32, month: u32 },
    /// `2021Q2` (calendar quarter).
    Quarter { year: i32, quarter: u32 },
    /// `FY2021/22`: 1 April 2021 to 31 March 2022. `start_year` is 2021.
    FinancialYear { start_year: i32 },
    /// `2021` where a period is expected (after `in`, or `=` against `date`).
    Year { year: i32 },
    /// `last 3 months`: the N whole units ending at the as-of date.
    Last { count: u32, unit: PeriodUnit },
    /// `next 6 months`: the N whole units starting the day after the as-of date.
    Next { count: u32, unit: PeriodUnit },
    /// `this month`, `this fy`: the unit containing the as-of date.
    This { unit: PeriodUnit },
    /// `previous fy`, `last fy` (single): the unit before the one containing the as-of date.
    Previous { unit: PeriodUnit },
}

/// A saved query file (`*.spql`): parameters, definitions, includes and named queries.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryFile {
    /// The statements in file order.
    pub statements: Vec<Statement>,
}

// A file holds a handful of statements, so the size of the `Query` variant costs nothing
// worth boxing it (which would change the type the semantic stage matches on).
/// One statement of a saved query file.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
#[allow(
    missing_docs,
    reason = "the fields are the parts of the statement its variant doc shows, with `span` the whole statement"
)]
pub enum Statement {
    /// `param month = 2021-06`: a default, overridable with `--param month=...`.
    Param { name: Spanned<String>, value: Operand, span: Span },
    /// `define measure big payments = transactions where amount >= £25k`.
    DefineMeasure { name: Name, measure: Name, filter: Option<Expr>, span: Span },
    /// `include "common.spql"`.
    Include { path: Spanned<String>, span: Span },
    /// `query "Spend by council" = spend by council`.
    Query { title: Spanned<String>, query: Query, span: Span },
    /// `report quarterly "Quarterly balanced scorecard"`: the file is a report of this kind.
    Report { kind: Spanned<ReportKind>, title: Spanned<String>, span: Span },
    /// `section "Compliance"`: a heading over the statements that follow.
    Section { title: Spanned<String>, span: Span },
    /// `kpi "On-contract spend" = on-contract share target 80% floor 70%`.
    Kpi(Kpi),
}

/// How long a report's period is: `report monthly|quarterly|yearly "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// `monthly`: calendar months.
    Monthly,
    /// `quarterly`: financial quarters (Q1 is April to June).
    Quarterly,
    /// `yearly` or `annual`: UK financial years, April to March.
    Yearly,
}

/// `kpi "Name" = <measure> <rules>`: a measure judged against targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    /// The KPI's name as people read it.
    pub name: Spanned<String>,
    /// What it measures.
    pub measure: KpiMeasure,
    /// Its targets and how to judge them.
    pub rules: KpiRules,
    /// The whole statement.
    pub span: Span,
}

/// A KPI's measure: one measure, or one as a share of another.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiMeasure {
    /// The measure (the numerator of a share).
    pub part: MeasureRef,
    /// `as share of <measure>`: the denominator; the KPI is `part / whole` in %.
    pub whole: Option<MeasureRef>,
    /// From the measure to the end of the denominator.
    pub span: Span,
}

/// A measure with modifiers (or a metric) and an optional restriction, as in `define measure`.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureRef {
    /// `spend off-contract`, `contracts`, `metric "days to pay"`.
    pub measure: Measure,
    /// `where social value > 0`.
    pub filter: Option<Expr>,
    /// The measure and its restriction.
    pub span: Span,
}

/// A KPI's rules, each kind at most once except targets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KpiRules {
    /// `target ...` clauses: at most one per (council, financial year).
    pub targets: Vec<KpiTarget>,
    /// `floor ...`: Amber between floor and target.
    pub floor: Option<Spanned<Threshold>>,
    /// `tolerance ...`: Amber within this distance of the target.
    pub tolerance: Option<Spanned<Threshold>>,
    /// `higher is better` / `lower is better`; `None` means higher.
    pub polarity: Option<Spanned<Polarity>>,
}

/// `target £1.2m per fy for "Rochdale" in FY2024/25`.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiTarget {
    /// The target value.
    pub value: Spanned<Threshold>,
    /// `per fy`: the value is for this length of time, scaled to the report's period.
    pub per: Option<Spanned<PeriodUnit>>,
    /// `for "Rochdale"`: the target applies to this council only.
    pub council: Option<Spanned<String>>,
    /// `in FY2024/25`: the target applies in this financial year only (its start year).
    pub financial_year: Option<Spanned<i32>>,
    /// The whole clause.
    pub span: Span,
}

/// A target, floor or tolerance value as written, kept as exact decimal text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    /// The scaled number as decimal text: `£1.2m` → `1200000`, `80%` → `80`.
    pub value: String,
    /// How it was written.
    pub unit: ThresholdUnit,
}

/// How a [`Threshold`] was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdUnit {
    /// `80%`.
    Percent,
    /// `£1.2m`.
    Money,
    /// `20`, `4.2`.
    Plain,
}

/// Which way is better for a KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    /// `higher is better` (the default).
    Higher,
    /// `lower is better`.
    Lower,
}
