//! Resolving a parsed query against the semantic model ([`model`]): names become measures,
//! dimensions and fields; periods become date ranges; string values are checked against
//! the data (with suggestions for near misses). The result, a [`ResolvedQuery`], holds no
//! DataFusion types: building the plan is [`crate::plan`]'s job alone.

pub mod model;
pub mod period;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, ErrorKind, Result, Span};
use crate::schema::Table;
use crate::syntax::ast::{self, CompareOp, Expr, Literal, Name, Operand, PeriodKind, RankDirection, Within};
use model::{DimensionDef, DimensionKind, FieldKind, MeasureDef, Modifier, RowFilter, Unit};
pub use period::DateRange;

/// What resolution needs to know about the data.
pub trait DataLookup {
    /// The date relative periods are measured from (by default the latest payment date).
    fn as_of(&self) -> Result<NaiveDate>;
    /// The earliest payment date, to enumerate time columns for `across`.
    fn first_date(&self) -> Result<NaiveDate>;
    /// Distinct values of a text dimension (for suppliers: published names).
    fn values(&self, dimension: &DimensionDef) -> Result<Vec<String>>;
    /// Whether the dataset has a column (the contract link appears only with contracts).
    fn has_column(&self, table: Table, column: &str) -> bool;
}

/// Measures defined in query files with `define measure NAME = MEASURE where ...`.
#[derive(Debug, Clone, Default)]
pub struct Definitions {
    measures: HashMap<String, (Name, Option<Expr>)>,
}

impl Definitions {
    pub fn define_measure(&mut self, name: &Name, measure: Name, filter: Option<Expr>) {
        self.measures.insert(name.text(), (measure, filter));
    }

    pub fn measure_names(&self) -> impl Iterator<Item = &str> {
        self.measures.keys().map(String::as_str)
    }
}

/// Parameter values (`$month`), from `param` statements and `--param`.
pub type Params = HashMap<String, Operand>;

/// A text value compared against a dimension or column.
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
    /// An aggregated measure (in `having`), by index into [`ResolvedQuery::measures`].
    Measure(usize),
}

/// A resolved condition. Time conditions are always date ranges on `payment_date`, so
/// Parquet statistics can prune them.
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
    /// `payment_date` in `[start, end)`.
    DateIn {
        range: DateRange,
    },
    /// `payment_date < date` etc.
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
}

impl ResolvedMeasure {
    pub fn unit(&self) -> Unit {
        if self.share { Unit::Percent } else { self.def.unit }
    }
}

/// How grouped results are reshaped.
#[derive(Debug, Clone)]
pub enum Shape {
    Plain,
    /// Columns per period, then change and change %.
    Compare {
        current: DateRange,
        current_label: String,
        previous: DateRange,
        previous_label: String,
    },
    /// One column per value of a dimension.
    Pivot {
        dimension: ResolvedDimension,
        values: Vec<String>,
    },
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
    Opportunities {
        councils: Vec<String>,
    },
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

#[derive(Debug, Clone, PartialEq)]
pub enum OrderKey {
    Dimension(usize),
    Measure(usize),
    /// A computed column of a shape, by heading (`change`).
    Column(String),
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
    pub order: Vec<(OrderKey, bool)>,
    pub limit: Option<u64>,
    pub chart: bool,
    pub as_of: NaiveDate,
    /// The `within` window of `expiring` contract measures.
    pub expiry_window: Option<DateRange>,
}

/// Resolve a parsed query. `lookup` answers questions about the data (as-of date, values).
pub fn resolve(
    query: &ast::Query,
    definitions: &Definitions,
    params: &Params,
    lookup: &dyn DataLookup,
    as_of_override: Option<NaiveDate>,
) -> Result<ResolvedQuery> {
    let as_of = match as_of_override {
        Some(d) => d,
        None => lookup.as_of()?,
    };
    let mut resolver = Resolver { definitions, params, lookup, as_of, table: Table::Spend };
    resolver.query(query)
}

struct Resolver<'a> {
    definitions: &'a Definitions,
    params: &'a Params,
    lookup: &'a dyn DataLookup,
    as_of: NaiveDate,
    /// The table the query reads, known once its measures are resolved.
    table: Table,
}

/// `did you mean` for a name among candidates.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn unknown(kind: &str, name: &str, span: Span, candidates: Vec<&str>) -> Error {
    let mut err = Error::new(ErrorKind::UnknownName, format!("unknown {kind} '{name}'")).with_span(span);
    if let Some(s) = suggest(name, candidates.iter().copied()) {
        err = err.with_hint(format!("did you mean '{s}'?"));
    } else {
        err = err.with_hint(format!("{kind}s are: {}", candidates.join(", ")));
    }
    err
}

impl Resolver<'_> {
    fn query(&mut self, q: &ast::Query) -> Result<ResolvedQuery> {
        if let [only] = q.measures.as_slice()
            && model::REPORTS.iter().any(|(name, _)| *name == only.text())
        {
            return self.report(q, only);
        }
        let mut dimensions = Vec::new();
        let mut rank_dimension = None;
        if let Some(rank) = &q.rank {
            rank_dimension = Some(dimensions.len());
            dimensions.push(self.dimension(&rank.dimension)?);
        }
        for name in &q.group_by {
            let dim = self.dimension(name)?;
            if dimensions.iter().any(|d: &ResolvedDimension| d.def.name == dim.def.name) {
                return Err(Error::new(ErrorKind::Semantic, format!("'{}' is grouped by twice", dim.def.name))
                    .with_span(name.span.clone()));
            }
            dimensions.push(dim);
        }

        let mut share_within = Vec::new();
        let mut expiry_window = None;
        match &q.within {
            Some(Within::Dimension(name)) => {
                let dim = self.dimension(name)?;
                let index = match dimensions.iter().position(|d| d.def.name == dim.def.name) {
                    Some(i) => i,
                    None => {
                        // Shares within a dimension need it in the grouping; put it first.
                        dimensions.insert(0, dim);
                        if let Some(r) = rank_dimension.as_mut() {
                            *r += 1;
                        }
                        0
                    }
                };
                share_within.push(index);
            }
            Some(Within::Period(p)) => expiry_window = Some(p),
            None => {}
        }
        let mut measures = Vec::new();
        for name in &q.measures {
            measures.extend(self.measures(name)?);
        }
        let table = measures.first().map(|m| m.def.table).unwrap_or(Table::Spend);
        if let Some((m, name)) = measures.iter().zip(q.measures.iter()).find(|(m, _)| m.def.table != table) {
            return Err(Error::new(
                ErrorKind::Semantic,
                format!(
                    "'{}' is a measure of the {} table and cannot be mixed with measures of the {} table",
                    m.label,
                    m.def.table.name(),
                    table.name()
                ),
            )
            .with_span(name.span.clone())
            .with_hint("ask them as two queries"));
        }
        self.table = table;
        for (dim, name) in dimensions.iter().zip(q.rank.iter().map(|r| &r.dimension).chain(q.group_by.iter())) {
            check_dimension_table(dim.def, table, name.span.clone())?;
        }
        let expiring = measures.iter().any(|m| m.filters.contains(&RowFilter::Expiring));
        let expiry_window = match expiry_window {
            Some(p) if expiring => Some(self.period(p)?),
            Some(p) => {
                return Err(Error::new(
                    ErrorKind::Semantic,
                    "`within` a period applies to `expiring` contract measures",
                )
                .with_span(p.span.clone())
                .with_hint(
                    "write e.g. `contracts expiring within 6 months`; for spend write `where date in last 6 months`",
                ));
            }
            None if expiring => period::resolve(
                &ast::PeriodKind::Next { count: model::DEFAULT_EXPIRY_MONTHS, unit: ast::PeriodUnit::Month },
                self.as_of,
            ),
            None => None,
        };
        if measures.iter().any(|m| m.share) && q.across.is_some() {
            return Err(
                Error::new(ErrorKind::Semantic, "`share` and `across` cannot be combined").with_span(q.span.clone())
            );
        }

        let filter = match &q.filter {
            Some(e) => Some(self.condition(e, None)?),
            None => None,
        };

        let shape = if let Some(c) = &q.compare {
            let current = self.period(&c.current)?;
            let previous = self.period(&c.previous)?;
            Shape::Compare {
                current,
                current_label: period::label(&c.current.kind, &current),
                previous,
                previous_label: period::label(&c.previous.kind, &previous),
            }
        } else if let Some(name) = &q.across {
            let dim = self.dimension(name)?;
            if dimensions.iter().any(|d| d.def.name == dim.def.name) {
                return Err(Error::new(
                    ErrorKind::Semantic,
                    format!("'{}' cannot be both grouped by and pivoted across", dim.def.name),
                )
                .with_span(name.span.clone()));
            }
            let values = self.pivot_values(&dim, filter.as_ref(), name.span.clone())?;
            Shape::Pivot { dimension: dim, values }
        } else {
            Shape::Plain
        };

        let having = match &q.having {
            Some(e) => Some(self.condition(e, Some(&mut measures))?),
            None => None,
        };

        let mut order = Vec::new();
        for item in &q.order_by {
            let key = self.order_key(&item.name, &dimensions, &mut measures, &shape)?;
            order.push((key, item.descending));
        }

        let rank = match (&q.rank, rank_dimension) {
            (Some(r), Some(dim_index)) => {
                let partition = (0..dimensions.len()).filter(|i| *i != dim_index).collect();
                Some(RankSpec {
                    count: r.count.node,
                    descending: r.direction == RankDirection::Top,
                    measure: 0,
                    partition,
                })
            }
            _ => None,
        };
        if rank.is_some() && !matches!(shape, Shape::Plain) {
            return Err(Error::new(
                ErrorKind::Semantic,
                "`top`/`bottom` cannot be combined with `compare` or `across`",
            )
            .with_span(q.span.clone()));
        }

        Ok(ResolvedQuery {
            table,
            filter,
            dimensions,
            measures,
            share_within,
            shape,
            rank,
            having,
            order,
            limit: q.limit.as_ref().map(|l| l.node),
            chart: q.as_chart,
            as_of: self.as_of,
            expiry_window,
        })
    }

    /// `suppliers shared by council`, `categories shared by council`, `collaboration
    /// opportunities`: report shapes over spend (and the register, when there is one).
    fn report(&mut self, q: &ast::Query, name: &Name) -> Result<ResolvedQuery> {
        let text = name.text();
        let unsupported = [
            (q.rank.is_some(), "top/bottom"),
            (q.within.is_some(), "within"),
            (q.across.is_some(), "across"),
            (q.compare.is_some(), "compare"),
            (q.having.is_some(), "having"),
            (!q.order_by.is_empty(), "order by"),
        ];
        if let Some((_, clause)) = unsupported.iter().find(|(present, _)| *present) {
            return Err(Error::new(ErrorKind::Semantic, format!("`{text}` does not take `{clause}`"))
                .with_span(q.span.clone())
                .with_hint("narrow it with `where ...` and `limit N`; it is already ranked by spend"));
        }
        match q.group_by.as_slice() {
            [] => {}
            [by] if by.text() == "council" || by.text() == "councils" => {}
            [by, ..] => {
                return Err(Error::new(ErrorKind::Semantic, format!("`{text}` is always by council"))
                    .with_span(by.span.clone())
                    .with_hint(format!("write `{text} by council`")));
            }
        }
        let filter = match &q.filter {
            Some(e) => Some(self.condition(e, None)?),
            None => None,
        };
        let council_dim = model::find_dimension("council").expect("the model has a council dimension");
        let mut councils = self.lookup.values(council_dim)?;
        if let Some(allowed) = filter.as_ref().and_then(|f| equality_values(f, "council")) {
            councils.retain(|c| allowed.contains(c));
        }
        let with_contracts = self.lookup.has_column(Table::Contracts, "reference");
        let (shape, dimensions) = if text == "collaboration opportunities" {
            if !with_contracts {
                return Err(needs_register(&text, name.span.clone()));
            }
            (Shape::Opportunities { councils }, Vec::new())
        } else {
            let entity_name = if text.starts_with("suppliers") { "supplier" } else { "category" };
            let def = model::find_dimension(entity_name).expect("the model has supplier and category");
            let entity = ResolvedDimension { def };
            (Shape::Shared { entity: entity.clone(), councils, with_contracts }, vec![entity])
        };
        Ok(ResolvedQuery {
            table: Table::Spend,
            filter,
            dimensions,
            measures: Vec::new(),
            share_within: Vec::new(),
            shape,
            rank: None,
            having: None,
            order: Vec::new(),
            limit: q.limit.as_ref().map(|l| l.node),
            chart: q.as_chart,
            as_of: self.as_of,
            expiry_window: None,
        })
    }

    /// A measure named in `having` or `order by` must read the query's table.
    fn same_table(&self, m: &ResolvedMeasure, name: &Name) -> Result<()> {
        if m.def.table == self.table {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Semantic,
            format!(
                "'{}' is a measure of the {} table; this query reads the {} table",
                m.label,
                m.def.table.name(),
                self.table.name()
            ),
        )
        .with_span(name.span.clone()))
    }

    /// A measure name, or a set name (`workload`) standing for several.
    fn measures(&self, name: &Name) -> Result<Vec<ResolvedMeasure>> {
        let text = name.text();
        if let Some((_, members, _)) = model::MEASURE_SETS.iter().find(|(set, _, _)| *set == text) {
            let mut out = Vec::new();
            for member in *members {
                let words = member.split(' ').map(|w| ast::Spanned::new(w.to_string(), name.span.clone())).collect();
                out.push(self.measure(&Name { words, span: name.span.clone() })?);
            }
            return Ok(out);
        }
        Ok(vec![self.measure(name)?])
    }

    fn dimension(&self, name: &Name) -> Result<ResolvedDimension> {
        let text = name.text();
        match model::find_dimension(&text) {
            Some(def) => Ok(ResolvedDimension { def }),
            None => Err(unknown("dimension", &text, name.span.clone(), model::dimension_names().collect())),
        }
    }

    /// `spend off-contract`, `average payment`, `spend card share`, or a defined measure.
    fn measure(&self, name: &Name) -> Result<ResolvedMeasure> {
        let words: Vec<&str> = name.words.iter().map(|w| w.node.as_str()).collect();
        // The longest prefix that names a measure; the remaining words must be modifiers.
        for split in (1..=words.len()).rev() {
            let base = words[..split].join(" ");
            let resolved = if let Some((measure, condition)) = self.definitions.measures.get(&base) {
                let mut m = self.measure(measure)?;
                if let Some(c) = condition {
                    let c = self.condition(c, None)?;
                    m.condition = Some(match m.condition.take() {
                        Some(prev) => Cond::And(Box::new(prev), Box::new(c)),
                        None => c,
                    });
                }
                Some(m)
            } else {
                model::find_measure(&base).map(|def| ResolvedMeasure {
                    def,
                    filters: def.filter.into_iter().collect(),
                    condition: None,
                    share: false,
                    label: String::new(),
                    hidden: false,
                })
            };
            let Some(mut measure) = resolved else { continue };
            if (measure.def.table == Table::Contracts || measure.def.aggregate == model::Aggregate::OnContractShare)
                && !self.lookup.has_column(Table::Contracts, "reference")
            {
                return Err(needs_register(&name.text(), name.span.clone()));
            }
            for word in &name.words[split..] {
                match model::find_modifier(&word.node) {
                    Some(Modifier::Filter(f)) => {
                        if matches!(f, RowFilter::OnContract | RowFilter::OffContract)
                            && !self.lookup.has_column(Table::Contracts, "reference")
                        {
                            return Err(needs_register(&word.node, word.span.clone()));
                        }
                        if f.table() != measure.def.table {
                            return Err(Error::new(
                                ErrorKind::Semantic,
                                format!(
                                    "'{}' applies to {} measures, and '{}' is a {} measure",
                                    word.node,
                                    f.table().name(),
                                    measure.def.name,
                                    measure.def.table.name()
                                ),
                            )
                            .with_span(word.span.clone()));
                        }
                        if !measure.filters.contains(&f) {
                            measure.filters.push(f);
                        }
                    }
                    Some(Modifier::Share) => measure.share = true,
                    None => {
                        let modifiers: Vec<&str> = model::MODIFIERS.iter().map(|(w, _, _)| *w).collect();
                        let mut err =
                            Error::new(ErrorKind::UnknownName, format!("'{}' does not modify a measure", word.node))
                                .with_span(word.span.clone());
                        match suggest(&word.node, modifiers.iter().copied()) {
                            Some(s) => err = err.with_hint(format!("did you mean '{s}'?")),
                            None => err = err.with_hint(format!("modifiers are: {}", modifiers.join(", "))),
                        }
                        return Err(err);
                    }
                }
            }
            measure.label = name.text();
            return Ok(measure);
        }
        let text = name.text();
        let mut candidates: Vec<&str> = model::measure_names().collect();
        candidates.extend(self.definitions.measure_names());
        let mut err = unknown("measure", &text, name.span.clone(), candidates);
        if model::find_dimension(&text).is_some() {
            err = err.with_hint(format!("'{text}' is a dimension; write e.g. `spend by {text}`"));
        }
        Err(err)
    }

    fn period(&self, p: &ast::Period) -> Result<DateRange> {
        period::resolve(&p.kind, self.as_of).ok_or_else(|| {
            Error::new(ErrorKind::Semantic, "this period falls outside the calendar").with_span(p.span.clone())
        })
    }

    fn substitute<'o>(&'o self, operand: &'o Operand) -> Result<&'o Operand> {
        match operand {
            Operand::Param(p) => match self.params.get(&p.node) {
                Some(Operand::Param(_)) | None => {
                    let mut err = Error::new(ErrorKind::UnknownName, format!("parameter ${} has no value", p.node))
                        .with_span(p.span.clone());
                    err = err
                        .with_hint(format!("declare it with `param {} = ...` or pass --param {}=...", p.node, p.node));
                    Err(err)
                }
                Some(value) => Ok(value),
            },
            other => Ok(other),
        }
    }

    /// A time operand as a date range: a period, a date (one day), a year number.
    fn operand_range(&self, operand: &Operand, dim: DimensionKind) -> Result<DateRange> {
        let operand = self.substitute(operand)?;
        let span = operand.span();
        let bad = |what: &str| {
            Error::new(ErrorKind::Semantic, format!("expected a date or period here, not {what}"))
                .with_span(span.clone())
                .with_hint("periods look like 2021-04-01, 2021-04, 2021Q2, FY2021/22, 2021, last 3 months, this fy")
        };
        match operand {
            Operand::Period(p) => self.period(p),
            Operand::Literal(l) => match &l.node {
                Literal::Date(d) => Ok(DateRange { start: *d, end: d.succ_opt().unwrap_or(*d) }),
                Literal::Number { value, money: false } => {
                    let year: i32 = value.parse().map_err(|_| bad("a decimal number"))?;
                    let range = if dim == DimensionKind::FinancialYear {
                        period::financial_year(year)
                    } else {
                        period::calendar_year(year)
                    };
                    range.ok_or_else(|| bad("a year outside the calendar"))
                }
                Literal::String(s) => parse_period_text(s, dim).ok_or_else(|| bad(&format!("\"{s}\""))),
                Literal::Number { .. } => Err(bad("an amount of money")),
                Literal::Bool(_) => Err(bad("true or false")),
            },
            Operand::Param(_) => Err(bad("a parameter")),
        }
    }

    fn value(&self, operand: &Operand, kind: ValueKind) -> Result<Value> {
        let operand = self.substitute(operand)?;
        let span = operand.span();
        let Operand::Literal(lit) = operand else {
            return Err(Error::new(
                ErrorKind::Semantic,
                "a period is only meaningful against a date or time dimension",
            )
            .with_span(span));
        };
        match (kind, &lit.node) {
            (ValueKind::Text, Literal::String(s)) => Ok(Value::Text(s.clone())),
            (ValueKind::Text, Literal::Number { value, .. }) => Ok(Value::Text(value.clone())),
            (ValueKind::Money, Literal::Number { value, .. }) => {
                parse_pence(value).map(Value::Money).ok_or_else(|| {
                    Error::new(ErrorKind::Semantic, "amounts have at most two decimal places").with_span(span)
                })
            }
            (ValueKind::Count, Literal::Number { value, money: false }) => match value.parse::<i64>() {
                Ok(n) => Ok(Value::Integer(n)),
                Err(_) => Ok(Value::Decimal(value.clone())),
            },
            (ValueKind::Percent, Literal::Number { value, money: false }) => Ok(Value::Decimal(value.clone())),
            (ValueKind::Flag, Literal::Bool(b)) => Ok(Value::Bool(*b)),
            (kind, _) => {
                Err(Error::new(ErrorKind::Semantic, format!("expected {} here", kind.describe())).with_span(span))
            }
        }
    }

    fn condition(&self, expr: &Expr, mut measures: Option<&mut Vec<ResolvedMeasure>>) -> Result<Cond> {
        match expr {
            Expr::And(a, b) => Ok(Cond::And(
                Box::new(self.condition(a, measures.as_deref_mut())?),
                Box::new(self.condition(b, measures)?),
            )),
            Expr::Or(a, b) => Ok(Cond::Or(
                Box::new(self.condition(a, measures.as_deref_mut())?),
                Box::new(self.condition(b, measures)?),
            )),
            Expr::Not { expr, .. } => Ok(Cond::Not(Box::new(self.condition(expr, measures)?))),
            Expr::Flag { name, span } => match self.target(name, measures)? {
                Target::Flag(column) => Ok(Cond::IsTrue { field: FieldRef::Column(column) }),
                Target::Linked(column) => Ok(Cond::IsMissing { field: FieldRef::Column(column), negated: true }),
                _ => Err(Error::new(ErrorKind::Semantic, format!("'{}' is not a yes/no field", name.text()))
                    .with_span(span.clone())
                    .with_hint(if self.table == Table::Spend {
                        "yes/no fields are: redacted, card, on-contract"
                    } else {
                        "yes/no fields are: sme, vcse"
                    })),
            },
            Expr::IsMissing { left, negated, .. } => {
                let field = match self.target(left, measures)? {
                    Target::Time(_) => FieldRef::Column(time_column(self.table)),
                    Target::Linked(c) => FieldRef::Column(c),
                    Target::Text(f, _) | Target::Money(f) => f,
                    Target::Flag(c) => FieldRef::Column(c),
                    Target::Measure(i, _) => FieldRef::Measure(i),
                };
                Ok(Cond::IsMissing { field, negated: *negated })
            }
            Expr::Contains { left, pattern, span } => match self.target(left, measures)? {
                Target::Text(field, _) => match self.value(pattern, ValueKind::Text)? {
                    Value::Text(text) => Ok(Cond::Contains { field, text }),
                    _ => Err(Error::new(ErrorKind::Semantic, "`~` takes a string").with_span(pattern.span())),
                },
                _ => {
                    Err(Error::new(ErrorKind::Semantic, "`~` (contains) applies to text such as supplier or category")
                        .with_span(span.clone()))
                }
            },
            Expr::Compare { left, op, right, .. } => match self.target(left, measures)? {
                Target::Time(kind) => {
                    let range = self.operand_range(right, kind)?;
                    Ok(range_compare(*op, range))
                }
                Target::Text(field, dim) => {
                    let value = self.checked_text(right, dim)?;
                    Ok(Cond::Compare { field, op: *op, value })
                }
                Target::Money(field) => {
                    Ok(Cond::Compare { field, op: *op, value: self.value(right, ValueKind::Money)? })
                }
                Target::Flag(column) => Ok(Cond::Compare {
                    field: FieldRef::Column(column),
                    op: *op,
                    value: self.value(right, ValueKind::Flag)?,
                }),
                Target::Linked(_) => Err(linked_is_a_flag(left)),
                Target::Measure(index, unit) => {
                    let kind = match unit {
                        Unit::Money => ValueKind::Money,
                        Unit::Count => ValueKind::Count,
                        Unit::Percent => ValueKind::Percent,
                    };
                    Ok(Cond::Compare { field: FieldRef::Measure(index), op: *op, value: self.value(right, kind)? })
                }
            },
            Expr::In { left, values, negated, .. } => {
                let cond = match self.target(left, measures)? {
                    Target::Time(kind) => {
                        let mut ranges = Vec::new();
                        for v in values {
                            ranges.push(Cond::DateIn { range: self.operand_range(v, kind)? });
                        }
                        ranges
                            .into_iter()
                            .reduce(|a, b| Cond::Or(Box::new(a), Box::new(b)))
                            .ok_or_else(|| Error::new(ErrorKind::Semantic, "`in` needs at least one value"))?
                    }
                    Target::Text(field, dim) => {
                        let mut list = Vec::new();
                        for v in values {
                            list.push(self.checked_text(v, dim)?);
                        }
                        Cond::InList { field, values: list, negated: false }
                    }
                    Target::Money(field) => {
                        let mut list = Vec::new();
                        for v in values {
                            list.push(self.value(v, ValueKind::Money)?);
                        }
                        Cond::InList { field, values: list, negated: false }
                    }
                    Target::Linked(_) => return Err(linked_is_a_flag(left)),
                    Target::Flag(_) | Target::Measure(..) => {
                        return Err(Error::new(ErrorKind::Semantic, "`in` applies to text, amounts and dates")
                            .with_span(left.span.clone()));
                    }
                };
                Ok(if *negated { Cond::Not(Box::new(cond)) } else { cond })
            }
            Expr::Between { left, low, high, span } => match self.target(left, measures)? {
                Target::Time(kind) => {
                    let start = self.operand_range(low, kind)?.start;
                    let end = self.operand_range(high, kind)?.end;
                    if end <= start {
                        return Err(Error::new(ErrorKind::Semantic, "the end of this range is before its start")
                            .with_span(span.clone()));
                    }
                    Ok(Cond::DateIn { range: DateRange { start, end } })
                }
                Target::Money(field) => Ok(Cond::And(
                    Box::new(Cond::Compare {
                        field: field.clone(),
                        op: CompareOp::GtEq,
                        value: self.value(low, ValueKind::Money)?,
                    }),
                    Box::new(Cond::Compare { field, op: CompareOp::LtEq, value: self.value(high, ValueKind::Money)? }),
                )),
                Target::Measure(index, unit) => {
                    let kind = if unit == Unit::Money { ValueKind::Money } else { ValueKind::Count };
                    Ok(Cond::And(
                        Box::new(Cond::Compare {
                            field: FieldRef::Measure(index),
                            op: CompareOp::GtEq,
                            value: self.value(low, kind)?,
                        }),
                        Box::new(Cond::Compare {
                            field: FieldRef::Measure(index),
                            op: CompareOp::LtEq,
                            value: self.value(high, kind)?,
                        }),
                    ))
                }
                _ => {
                    Err(Error::new(ErrorKind::Semantic, "`between` applies to dates and amounts")
                        .with_span(span.clone()))
                }
            },
        }
    }

    /// What the left side of a condition names. In `having`, measures come first.
    fn target(&self, name: &Name, measures: Option<&mut Vec<ResolvedMeasure>>) -> Result<Target> {
        let text = name.text();
        if let Some(measures) = measures {
            if let Some(i) = measures.iter().position(|m| m.label == text) {
                return Ok(Target::Measure(i, measures[i].unit()));
            }
            if let Ok(mut m) = self.measure(name) {
                self.same_table(&m, name)?;
                m.hidden = true;
                let unit = m.unit();
                measures.push(m);
                return Ok(Target::Measure(measures.len() - 1, unit));
            }
        }
        if let Some(field) = model::find_field(&text) {
            if field.table != self.table {
                return Err(Error::new(
                    ErrorKind::Semantic,
                    format!(
                        "'{}' is a field of the {} table, not the {} table",
                        field.name,
                        field.table.name(),
                        self.table.name()
                    ),
                )
                .with_span(name.span.clone()));
            }
            return Ok(match field.kind {
                FieldKind::Money => Target::Money(FieldRef::Column(field.column)),
                FieldKind::Flag => Target::Flag(field.column),
                FieldKind::Text => Target::Text(FieldRef::Column(field.column), None),
                FieldKind::Linked => Target::Linked(field.column),
            });
        }
        if let Some(def) = model::find_dimension(&text) {
            check_dimension_table(def, self.table, name.span.clone())?;
            return Ok(match def.kind {
                DimensionKind::Column(c) => Target::Text(FieldRef::Column(c), Some(def)),
                DimensionKind::Flag(c) => Target::Flag(c),
                DimensionKind::Contract => Target::Text(FieldRef::Column(contract_column(self.table)), Some(def)),
                DimensionKind::Supplier => Target::Text(FieldRef::Supplier, Some(def)),
                kind => Target::Time(kind),
            });
        }
        let mut candidates: Vec<&str> = model::FIELDS.iter().map(|f| f.name).collect();
        candidates.extend(model::dimension_names());
        let mut err = unknown("field", &text, name.span.clone(), candidates);
        if model::find_measure(&text).is_some() {
            err = err.with_hint(format!("'{text}' is a measure: conditions on measures go after `having`"));
        }
        Err(err)
    }

    /// A string compared with a text dimension, checked against the data's values.
    fn checked_text(&self, operand: &Operand, dim: Option<&'static DimensionDef>) -> Result<Value> {
        let value = self.value(operand, ValueKind::Text)?;
        let (Value::Text(text), Some(def)) = (&value, dim) else { return Ok(value) };
        if !def.has_values {
            return Ok(value);
        }
        let values = self.lookup.values(def)?;
        if values.is_empty() {
            return Ok(value);
        }
        if let Some(exact) = values.iter().find(|v| v.eq_ignore_ascii_case(text)) {
            return Ok(Value::Text(exact.clone()));
        }
        let span = self.substitute(operand)?.span();
        let mut err = Error::new(ErrorKind::UnknownValue, format!("no {} named \"{text}\"", def.name)).with_span(span);
        if let Some(s) = suggest(text, values.iter().map(String::as_str)) {
            err = err.with_hint(format!("did you mean \"{s}\"?"));
        } else if def.kind == DimensionKind::Supplier {
            err = err.with_hint(format!("to search by part of a name, write `supplier ~ \"{text}\"`"));
        } else if values.len() <= 12 {
            err = err.with_hint(format!("{}s in the data: {}", def.name, values.join(", ")));
        }
        Err(err)
    }

    fn order_key(
        &self,
        name: &Name,
        dimensions: &[ResolvedDimension],
        measures: &mut Vec<ResolvedMeasure>,
        shape: &Shape,
    ) -> Result<OrderKey> {
        let text = name.text();
        if let Some(i) = measures.iter().position(|m| m.label == text) {
            return Ok(OrderKey::Measure(i));
        }
        if let Some(def) = model::find_dimension(&text)
            && let Some(i) = dimensions.iter().position(|d| d.def.name == def.name)
        {
            return Ok(OrderKey::Dimension(i));
        }
        if matches!(shape, Shape::Compare { .. }) && (text == "change" || text == "change %") {
            return Ok(OrderKey::Column(text));
        }
        if let Ok(mut m) = self.measure(name) {
            self.same_table(&m, name)?;
            m.hidden = true;
            measures.push(m);
            return Ok(OrderKey::Measure(measures.len() - 1));
        }
        let mut candidates: Vec<&str> = dimensions.iter().map(|d| d.label()).collect();
        candidates.extend(measures.iter().map(|m| m.label.as_str()));
        Err(unknown("column to order by", &text, name.span.clone(), candidates))
    }

    /// The columns `across` makes: the dimension's values in the data (narrowed by any
    /// equality filter on it), or each period between the first and last payment.
    fn pivot_values(&self, dim: &ResolvedDimension, filter: Option<&Cond>, span: Span) -> Result<Vec<String>> {
        match dim.def.kind {
            DimensionKind::Flag(_) => Ok(vec!["yes".to_string(), "no".to_string()]),
            DimensionKind::Column(_) | DimensionKind::Contract => {
                let column = match dim.def.kind {
                    DimensionKind::Column(c) => c,
                    _ => contract_column(self.table),
                };
                let mut values = self.lookup.values(dim.def)?;
                if let Some(allowed) = filter.and_then(|f| equality_values(f, column)) {
                    values.retain(|v| allowed.contains(v));
                }
                if values.len() > 50 {
                    return Err(Error::new(
                        ErrorKind::Semantic,
                        format!("`across {}` would make {} columns", dim.def.name, values.len()),
                    )
                    .with_span(span)
                    .with_hint(format!(
                        "narrow it with `where {} in (...)`, or group `by {}` instead",
                        dim.def.name, dim.def.name
                    )));
                }
                Ok(values)
            }
            DimensionKind::Year
            | DimensionKind::FinancialYear
            | DimensionKind::Month
            | DimensionKind::Quarter
            | DimensionKind::FinancialQuarter => {
                let first = self.lookup.first_date()?;
                let last = self.as_of;
                let mut labels = Vec::new();
                let unit = match dim.def.kind {
                    DimensionKind::Year => ast::PeriodUnit::Year,
                    DimensionKind::FinancialYear => ast::PeriodUnit::FinancialYear,
                    DimensionKind::Month => ast::PeriodUnit::Month,
                    _ => ast::PeriodUnit::Quarter,
                };
                let mut cursor = period::unit_start(first, unit);
                while cursor <= last && labels.len() <= 60 {
                    labels.push(time_label(dim.def.kind, cursor));
                    cursor = match period::add_units(cursor, unit, 1) {
                        Some(next) => next,
                        None => break,
                    };
                }
                if labels.len() > 60 {
                    return Err(Error::new(
                        ErrorKind::Semantic,
                        format!("`across {}` would make too many columns", dim.def.name),
                    )
                    .with_span(span)
                    .with_hint("narrow the dates with `where date in ...`"));
                }
                Ok(labels)
            }
            DimensionKind::Supplier | DimensionKind::Date => Err(Error::new(
                ErrorKind::Semantic,
                format!("`across {}` would make one column per {}", dim.def.name, dim.def.name),
            )
            .with_span(span)
            .with_hint(format!("group `by {}` instead", dim.def.name))),
        }
    }
}

/// The column time dimensions and periods read: payment date, or a contract's start date.
pub fn time_column(table: Table) -> &'static str {
    match table {
        Table::Spend => "payment_date",
        Table::Contracts => "start_date",
    }
}

/// The column naming a contract: the link on spend, the reference in the register.
pub fn contract_column(table: Table) -> &'static str {
    match table {
        Table::Spend => "contract_ref",
        Table::Contracts => "reference",
    }
}

fn linked_is_a_flag(name: &Name) -> Error {
    Error::new(ErrorKind::Semantic, format!("'{}' is yes or no", name.text()))
        .with_span(name.span.clone())
        .with_hint(format!("write `where {0}` or `where not {0}`", name.text()))
}

fn needs_register(what: &str, span: Span) -> Error {
    Error::new(ErrorKind::Semantic, format!("'{what}' needs a contracts register, and this dataset has none"))
        .with_span(span)
        .with_hint("load one with `spendql ingest --kind contracts --council NAME FILE`")
}

/// A dimension used with measures of a table that does not have it.
fn check_dimension_table(def: &DimensionDef, table: Table, span: Span) -> Result<()> {
    if def.in_table(table) {
        return Ok(());
    }
    let other = if table == Table::Spend { "contract measures such as `contracts`" } else { "spend measures" };
    Err(Error::new(ErrorKind::Semantic, format!("'{}' is not recorded in the {} table", def.name, table.name()))
        .with_span(span)
        .with_hint(format!("'{}' goes with {other}", def.name)))
}

/// The label a time dimension gives the period starting at `start` (must match
/// [`crate::plan`]'s expressions for the same dimension).
pub fn time_label(kind: DimensionKind, start: NaiveDate) -> String {
    match kind {
        DimensionKind::Year => start.year().to_string(),
        DimensionKind::Month => format!("{}-{:02}", start.year(), start.month()),
        DimensionKind::Quarter => format!("{} Q{}", start.year(), start.month0() / 3 + 1),
        DimensionKind::FinancialYear => {
            period::fy_label(period::unit_start(start, ast::PeriodUnit::FinancialYear).year())
        }
        DimensionKind::FinancialQuarter => {
            let fy = period::unit_start(start, ast::PeriodUnit::FinancialYear).year();
            let q = (start.month0() + 9) % 12 / 3 + 1;
            format!("{} Q{q}", period::fy_label(fy))
        }
        _ => start.to_string(),
    }
}

/// Values that a filter pins a column to (`council = "X"`, `council in (...)`), if any.
fn equality_values(cond: &Cond, column: &str) -> Option<Vec<String>> {
    match cond {
        Cond::Compare { field: FieldRef::Column(c), op: CompareOp::Eq, value: Value::Text(t) } if *c == column => {
            Some(vec![t.clone()])
        }
        Cond::InList { field: FieldRef::Column(c), values, negated: false } if *c == column => {
            Some(values.iter().filter_map(|v| if let Value::Text(t) = v { Some(t.clone()) } else { None }).collect())
        }
        Cond::And(a, b) => equality_values(a, column).or_else(|| equality_values(b, column)),
        _ => None,
    }
}

fn range_compare(op: CompareOp, range: DateRange) -> Cond {
    match op {
        CompareOp::Eq => Cond::DateIn { range },
        CompareOp::NotEq => Cond::Not(Box::new(Cond::DateIn { range })),
        CompareOp::Lt => Cond::DateCompare { op: CompareOp::Lt, date: range.start },
        CompareOp::LtEq => Cond::DateCompare { op: CompareOp::Lt, date: range.end },
        CompareOp::Gt => Cond::DateCompare { op: CompareOp::GtEq, date: range.end },
        CompareOp::GtEq => Cond::DateCompare { op: CompareOp::GtEq, date: range.start },
    }
}

/// `"2021/22"` against fy, `"2021-04"` against month: period text written as a string.
fn parse_period_text(text: &str, dim: DimensionKind) -> Option<DateRange> {
    let text = text.trim();
    if let Ok(d) = text.parse::<NaiveDate>() {
        return Some(DateRange { start: d, end: d.succ_opt()? });
    }
    let fy = text.trim_start_matches(['F', 'f', 'Y', 'y']);
    if let Some((a, _)) = fy.split_once('/') {
        return period::financial_year(a.trim().parse().ok()?);
    }
    if let Some((y, m)) = text.split_once('-') {
        return period::resolve(&PeriodKind::Month { year: y.parse().ok()?, month: m.parse().ok()? }, NaiveDate::MIN);
    }
    let year: i32 = text.parse().ok()?;
    if dim == DimensionKind::FinancialYear { period::financial_year(year) } else { period::calendar_year(year) }
}

/// Exact decimal text → pence: `"25000"` → 2500000, `"-1.5"` → -150. `None` for more than
/// two decimal places.
pub fn parse_pence(text: &str) -> Option<i128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if frac.len() > 2 || whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac: i128 = format!("{frac:0<2}").parse().ok()?;
    let pence = whole.checked_mul(100)?.checked_add(frac)?;
    Some(if negative { -pence } else { pence })
}

enum Target {
    Time(DimensionKind),
    /// True when the column has a value (`on-contract`).
    Linked(&'static str),
    Text(FieldRef, Option<&'static DimensionDef>),
    Money(FieldRef),
    Flag(&'static str),
    Measure(usize, Unit),
}

#[derive(Debug, Clone, Copy)]
enum ValueKind {
    Text,
    Money,
    Count,
    Percent,
    Flag,
}

impl ValueKind {
    fn describe(self) -> &'static str {
        match self {
            ValueKind::Text => "a string in quotes",
            ValueKind::Money => "an amount such as £25k or 1200.50",
            ValueKind::Count => "a whole number",
            ValueKind::Percent => "a percentage",
            ValueKind::Flag => "true or false",
        }
    }
}

/// The resolved query in plain words, for `explain`.
pub fn describe(q: &ResolvedQuery) -> Vec<String> {
    let mut lines = Vec::new();
    lines.push(format!("table: {}", q.table.name()));
    for m in q.measures.iter().filter(|m| !m.hidden) {
        let mut line = format!("measure '{}': {}", m.label, m.def.description);
        for f in &m.filters {
            line.push_str(&format!("; {}", f.describe()));
        }
        if let Some(c) = &m.condition {
            line.push_str(&format!("; only where {}", describe_cond(c, q)));
        }
        if m.share {
            let within: Vec<&str> = q.share_within.iter().map(|i| q.dimensions[*i].label()).collect();
            if within.is_empty() {
                line.push_str("; as a % of the grand total");
            } else {
                line.push_str(&format!("; as a % of each {}'s total", within.join(", ")));
            }
        }
        lines.push(line);
    }
    if !q.dimensions.is_empty() {
        let dims: Vec<String> = q.dimensions.iter().map(|d| format!("{} ({})", d.label(), d.def.description)).collect();
        lines.push(format!("grouped by: {}", dims.join("; ")));
    }
    if let Some(f) = &q.filter {
        lines.push(format!("rows where: {}", describe_cond(f, q)));
    }
    match &q.shape {
        Shape::Plain => {}
        Shape::Compare { current, current_label, previous, previous_label } => lines.push(format!(
            "compare {current_label} ({}) with {previous_label} ({}), with change and change %",
            current.describe(),
            previous.describe()
        )),
        Shape::Pivot { dimension, values } => {
            lines.push(format!("one column per {}: {}", dimension.label(), values.join(", ")))
        }
        Shape::Shared { entity, councils, with_contracts } => {
            lines.push(format!(
                "each {} bought by two or more of {}: spend per council{}, largest total first",
                entity.label(),
                councils.join(", "),
                if *with_contracts { ", and whether the council has a contract covering it" } else { "" }
            ));
        }
        Shape::Opportunities { councils } => lines.push(format!(
            "suppliers and categories that two or more of {} buy off-contract, by off-contract spend summed \
             across councils",
            councils.join(", ")
        )),
    }
    if let Some(window) = &q.expiry_window {
        lines.push(format!("expiring: expiry date {}", window.describe()));
    }
    if let Some(h) = &q.having {
        lines.push(format!("groups where: {}", describe_cond(h, q)));
    }
    if let Some(r) = &q.rank {
        let which = if r.descending { "top" } else { "bottom" };
        lines.push(format!("{which} {} by {}", r.count, q.measures[r.measure].label));
    }
    if let Some(l) = q.limit {
        lines.push(format!("at most {l} rows"));
    }
    lines.push(format!("as of {} (relative periods count back from this date)", q.as_of));
    lines
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::Text(t) => format!("\"{t}\""),
        Value::Money(p) => format!("£{}.{:02}", p / 100, (p % 100).abs()),
        Value::Integer(i) => i.to_string(),
        Value::Decimal(d) => d.clone(),
        Value::Bool(b) => b.to_string(),
    }
}

fn describe_field(f: &FieldRef, q: &ResolvedQuery) -> String {
    match f {
        FieldRef::Column(c) => c.to_string(),
        FieldRef::Supplier => "supplier name".to_string(),
        FieldRef::Measure(i) => q.measures[*i].label.clone(),
    }
}

fn describe_op(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "=",
        CompareOp::NotEq => "≠",
        CompareOp::Lt => "<",
        CompareOp::LtEq => "≤",
        CompareOp::Gt => ">",
        CompareOp::GtEq => "≥",
    }
}

fn describe_cond(c: &Cond, q: &ResolvedQuery) -> String {
    match c {
        Cond::Compare { field, op, value } => {
            format!("{} {} {}", describe_field(field, q), describe_op(*op), describe_value(value))
        }
        Cond::InList { field, values, negated } => format!(
            "{} {}in ({})",
            describe_field(field, q),
            if *negated { "not " } else { "" },
            values.iter().map(describe_value).collect::<Vec<_>>().join(", ")
        ),
        Cond::DateIn { range } => format!("payment date from {}", range.describe()),
        Cond::DateCompare { op, date } => format!("payment date {} {date}", describe_op(*op)),
        Cond::Contains { field, text } => format!("{} contains \"{text}\" (any case)", describe_field(field, q)),
        Cond::IsMissing { field, negated } => {
            format!("{} is {}missing", describe_field(field, q), if *negated { "not " } else { "" })
        }
        Cond::IsTrue { field } => describe_field(field, q),
        Cond::And(a, b) => format!("{} and {}", describe_cond(a, q), describe_cond(b, q)),
        Cond::Or(a, b) => format!("({} or {})", describe_cond(a, q), describe_cond(b, q)),
        Cond::Not(a) => format!("not ({})", describe_cond(a, q)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pence_are_exact() {
        assert_eq!(parse_pence("25000"), Some(2_500_000));
        assert_eq!(parse_pence("-1.5"), Some(-150));
        assert_eq!(parse_pence("0.07"), Some(7));
        assert_eq!(parse_pence("1.234"), None);
        assert_eq!(parse_pence("1e3"), None);
    }

    #[test]
    fn suggestions_find_close_names() {
        assert_eq!(suggest("categry", ["council", "category", "month"]), Some("category"));
        assert_eq!(suggest("Traford", ["Trafford", "Salford", "Stockport"]), Some("Trafford"));
        assert_eq!(suggest("zzzzzz", ["council", "category"]), None);
    }

    #[test]
    fn time_labels_match_the_documented_formats() {
        let d = NaiveDate::from_ymd_opt(2022, 2, 10).unwrap();
        assert_eq!(time_label(DimensionKind::FinancialYear, d), "2021/22");
        assert_eq!(time_label(DimensionKind::FinancialQuarter, d), "2021/22 Q4");
        assert_eq!(time_label(DimensionKind::Quarter, d), "2022 Q1");
        assert_eq!(time_label(DimensionKind::Month, d), "2022-02");
        let april = NaiveDate::from_ymd_opt(2021, 4, 1).unwrap();
        assert_eq!(time_label(DimensionKind::FinancialQuarter, april), "2021/22 Q1");
    }
}
