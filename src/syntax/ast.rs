//! The typed syntax tree of SpendQL. Every node carries the byte span of the source it came
//! from, so later stages can point at it in diagnostics. Names of measures and dimensions are
//! kept as the words the user wrote: the grammar does not know which measures exist, the
//! semantic model does (so adding a measure never touches the grammar).
#![allow(missing_docs, reason = "AST node fields and variants mirror the grammar; their docs are still to write")]

use crate::error::Span;

/// A value with the span of source text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// A name made of one or more words, e.g. `spend off-contract`, `average payment`,
/// `expense type`, `suppliers`. Words are lower-cased; hyphens are kept (`off-contract`).
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub words: Vec<Spanned<String>>,
    pub span: Span,
}

impl Name {
    /// The words joined by single spaces: `"spend off-contract"`.
    pub fn text(&self) -> String {
        self.words.iter().map(|w| w.node.as_str()).collect::<Vec<_>>().join(" ")
    }
}

/// One query: `[top|bottom N <dim> by] measures [by dims] [clauses...] [as chart]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// `top 10 suppliers by spend`: rank the named dimension by the first measure.
    pub rank: Option<Rank>,
    /// The measures to compute, in the order written. Never empty.
    pub measures: Vec<Name>,
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
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Within {
    Dimension(Name),
    /// `within 6 months`: parsed as `PeriodKind::Next { count: 6, unit: Month }`.
    Period(Period),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankDirection {
    Top,
    Bottom,
}

/// `top 10 suppliers by spend` → direction Top, count 10, dimension `suppliers`; the
/// ranking measure is the query's first measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Rank {
    pub direction: RankDirection,
    pub count: Spanned<u64>,
    pub dimension: Name,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Compare {
    pub current: Period,
    pub previous: Period,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    /// A measure or dimension name as written.
    pub name: Name,
    pub descending: bool,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
}

/// A condition in `where` or `having`.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `amount >= £25k`, `council = "Salford"`, `year = 2015`, `month = $month`.
    Compare {
        left: Name,
        op: CompareOp,
        right: Operand,
        span: Span,
    },
    /// `council in ("Salford", "Trafford")`, `date in last 3 months`, `date in 2021Q2`.
    In {
        left: Name,
        values: Vec<Operand>,
        negated: bool,
        span: Span,
    },
    /// `date between 2019-04-01 and 2019-09-30`.
    Between {
        left: Name,
        low: Operand,
        high: Operand,
        span: Span,
    },
    /// `supplier ~ "amey"`: case-insensitive contains.
    Contains {
        left: Name,
        pattern: Operand,
        span: Span,
    },
    /// `category is missing`, `category is not missing`.
    IsMissing {
        left: Name,
        negated: bool,
        span: Span,
    },
    /// A bare flag such as `redacted` or `card`.
    Flag {
        name: Name,
        span: Span,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not {
        expr: Box<Expr>,
        span: Span,
    },
}

impl Expr {
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
    Literal(Spanned<Literal>),
    Period(Period),
    /// `$month`: a parameter, substituted before resolution.
    Param(Spanned<String>),
}

impl Operand {
    pub fn span(&self) -> Span {
        match self {
            Operand::Literal(l) => l.span.clone(),
            Operand::Period(p) => p.span.clone(),
            Operand::Param(p) => p.span.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `"Salford"` with escapes resolved.
    String(String),
    /// A plain or money number, already scaled: `£25k` → `25000`, `1.5m` → `1500000`.
    /// Kept as decimal text so it is never rounded through a float.
    Number { value: String, money: bool },
    /// `2021-04-01`.
    Date(chrono::NaiveDate),
    /// `true` / `false`.
    Bool(bool),
}

/// A span of time, named absolutely or relative to the as-of date.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub kind: PeriodKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodUnit {
    Day,
    Week,
    Month,
    Quarter,
    Year,
    /// UK financial year, April to March.
    FinancialYear,
}

#[derive(Debug, Clone, PartialEq)]
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
    pub statements: Vec<Statement>,
}

// A file holds a handful of statements, so the size of the `Query` variant costs nothing
// worth boxing it (which would change the type the semantic stage matches on).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `param month = 2021-06`: a default, overridable with `--param month=...`.
    Param { name: Spanned<String>, value: Operand, span: Span },
    /// `define measure big payments = transactions where amount >= £25k`.
    DefineMeasure { name: Name, measure: Name, filter: Option<Expr>, span: Span },
    /// `include "common.spql"`.
    Include { path: Spanned<String>, span: Span },
    /// `query "Spend by council" = spend by council`.
    Query { title: Spanned<String>, query: Query, span: Span },
}
