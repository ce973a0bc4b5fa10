//! Computing one KPI: its measure (or the share of one measure in another) for the report
//! period, the previous period and the same period last year, per council and for the
//! service, its trend, targets resolved and scaled, statuses, and the analysis of change.
//!
//! Every figure comes from queries built as syntax trees and run through the engine (no
//! query text): the KPI's measures are defined for these queries alone (`scorecard part`,
//! `scorecard whole`, as `define measure` would), grouped by council and the report's time
//! dimension over one window that holds every period needed, then by category and by
//! supplier over the two periods compared.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int32Type, Int64Type, UInt64Type};

use super::model::{
    Contribution, ContributorKind, Decimal, Figure, KpiResult, KpiRow, KpiUnit, Polarity, ReportKind, Scope, TrendPoint,
};
use super::period::{self, dimension_name};
use super::rag;
use super::targets::{Targets, semantic};
use crate::error::{Error, Result, Span};
use crate::exec::{Cancel, Engine, QueryResult};
use crate::semantic::ir::Aggregation;
use crate::semantic::model::{Aggregate, DEFAULT_EXPIRY_MONTHS, DIMENSIONS, RowFilter, Unit};
use crate::semantic::{DateRange, Definitions};
use crate::syntax::ast::{self, Expr, Literal, Measure, MeasureRef, Name, Operand, Query, Spanned};

/// How many periods a trend shows, ending with the report period.
pub const TREND_PERIODS: usize = 8;
/// How many contributors of each kind the analysis keeps.
const CONTRIBUTORS: usize = 3;

/// The periods one run of a report computes its KPIs for.
#[derive(Debug, Clone)]
pub struct Periods {
    /// The report's kind of period.
    pub kind: ReportKind,
    /// The period reported on.
    pub current: DateRange,
    /// The period before it.
    pub previous: DateRange,
    /// The same period a year earlier.
    pub last_year: DateRange,
    /// The trend's periods, oldest first, ending with `current`.
    pub trend: Vec<DateRange>,
    /// The first and last dates the data covers: an additive measure with no rows in a
    /// period inside them is zero there; outside them it is unknown.
    pub covered: DateRange,
}

impl Periods {
    /// The periods of a report of `kind` on `current`, over data covering `covered`.
    pub fn new(kind: ReportKind, current: DateRange, covered: DateRange) -> Periods {
        let trend = (0..TREND_PERIODS as i64).rev().map(|back| period::shift(kind, current, -back)).collect::<Vec<_>>();
        Periods {
            kind,
            current,
            previous: period::shift(kind, current, -1),
            last_year: period::year_before(current),
            trend,
            covered,
        }
    }

    /// From the earliest period needed to the end of the report period.
    fn window(&self) -> DateRange {
        let start = self.trend[0].start.min(self.last_year.start).min(self.previous.start);
        DateRange { start, end: self.current.end }
    }

    fn label(&self, range: DateRange) -> String {
        period::label(self.kind, range.start)
    }
}

/// A number read from a result cell, exact when its column is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Raw {
    /// A decimal or integer column: `units` × 10^-`scale`.
    Exact { units: i128, scale: u8 },
    /// A float column (shares, averages of scores).
    Float(f64),
}

impl Raw {
    fn to_f64(self) -> f64 {
        match self {
            Raw::Exact { units, scale } => units as f64 / 10f64.powi(i32::from(scale)),
            Raw::Float(v) => v,
        }
    }

    const ZERO: Raw = Raw::Exact { units: 0, scale: 0 };

    /// `self - other`, exactly when both are exact.
    fn minus(self, other: Raw) -> Raw {
        match (self, other) {
            (Raw::Exact { units: a, scale: sa }, Raw::Exact { units: b, scale: sb }) => {
                let scale = sa.max(sb);
                let up = |u: i128, s: u8| u * 10i128.pow(u32::from(scale - s));
                Raw::Exact { units: up(a, sa) - up(b, sb), scale }
            }
            (a, b) => Raw::Float(a.to_f64() - b.to_f64()),
        }
    }

    /// Units at `scale` (pence at 2), when exact.
    fn units_at(self, scale: u8) -> Option<i128> {
        match self {
            Raw::Exact { units, scale: s } if s <= scale => Some(units * 10i128.pow(u32::from(scale - s))),
            Raw::Exact { units, scale: s } => Some(units / 10i128.pow(u32::from(s - scale))),
            Raw::Float(_) => None,
        }
    }
}

/// The numerator and (for shares) the denominator of one group in one period.
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    part: Option<Raw>,
    whole: Option<Raw>,
}

/// Query results keyed by group (`""` for the service) and period label.
type Cells = HashMap<(String, String), Cell>;

/// One KPI, ready to be queried: its measures defined, its unit and how it adds up known.
struct Prepared<'a> {
    kpi: &'a ast::Kpi,
    definitions: Definitions,
    /// What every query of the KPI asks for: `scorecard part` (and `scorecard whole`), or
    /// the metric itself.
    measures: Vec<Measure>,
    /// A restriction on every query's rows: a metric's `where` (a named measure's is in its
    /// definition).
    filter: Option<Expr>,
    /// The KPI is `part / whole` in %.
    share: bool,
    unit: KpiUnit,
    /// Sums and counts (and metrics that sum): a group's part of a change is its own
    /// change, and a yearly target is divided among a year's periods.
    additive: bool,
    table: crate::schema::Table,
    /// The measure counts contracts as they stand on a day (`expiring`, `active`), not
    /// rows dated in a period: each period's figure is the state on its last day.
    point_in_time: bool,
}

const PART: &str = "scorecard part";
const WHOLE: &str = "scorecard whole";

/// A name made of `words`, placed at `span` (where errors about it should point).
fn name(words: &str, span: &Span) -> Name {
    Name { words: words.split(' ').map(|w| Spanned::new(w.to_string(), span.clone())).collect(), span: span.clone() }
}

/// `date between FROM and TO` (both included).
fn date_between(range: DateRange, span: &Span) -> Expr {
    let date = |d: NaiveDate| Operand::Literal(Spanned::new(Literal::Date(d), span.clone()));
    Expr::Between { left: name("date", span), low: date(range.start), high: date(range.last_day()), span: span.clone() }
}

/// `a and b`, either optional.
fn both(a: Option<Expr>, b: Expr) -> Expr {
    match a {
        Some(a) => Expr::And(Box::new(a), Box::new(b)),
        None => b,
    }
}

/// `part` (and `whole`) as the defined measures `scorecard part` and `scorecard whole`.
fn define(
    definitions: &mut Definitions,
    part: (&Name, Option<&Expr>),
    whole: Option<(&Name, Option<&Expr>)>,
    span: &Span,
) {
    definitions.define_measure(&name(PART, span), part.0.clone(), part.1.cloned());
    if let Some((measure, filter)) = whole {
        definitions.define_measure(&name(WHOLE, span), measure.clone(), filter.cloned());
    }
}

impl<'a> Prepared<'a> {
    fn new(engine: &Engine, kpi: &'a ast::Kpi) -> Result<Prepared<'a>> {
        let span = &kpi.measure.span;
        let mut definitions = engine.definitions.clone();
        let part = &kpi.measure.part;
        let (mut measures, filter) = match (&part.measure, kpi.measure.whole.as_ref()) {
            (Measure::Metric(metric), None) => (vec![Measure::Metric(metric.clone())], part.filter.clone()),
            (Measure::Named(part_name), None) => {
                define(&mut definitions, (part_name, part.filter.as_ref()), None, &part.span);
                (vec![Measure::Named(name(PART, span))], None)
            }
            (Measure::Named(part_name), Some(MeasureRef { measure: Measure::Named(whole_name), filter, span: at })) => {
                define(&mut definitions, (part_name, part.filter.as_ref()), Some((whole_name, filter.as_ref())), at);
                (vec![Measure::Named(name(PART, span)), Measure::Named(name(WHOLE, span))], None)
            }
            _ => {
                return Err(semantic(
                    "a share is of two sums or counts of spend or contracts, not of metrics",
                    span.clone(),
                )
                .with_hint("measure the metric itself: `kpi \"...\" = metric \"...\" target ...`"));
            }
        };
        let probe = query(measures.clone(), Vec::new(), filter.clone(), span);
        let resolved = engine.resolve_with(&probe, &definitions)?;
        let first = &resolved.measures[0];
        let mut share = measures.len() == 2;
        if let Some(second) = resolved.measures.get(1) {
            if first.unit() == Unit::Percent || second.unit() == Unit::Percent {
                return Err(semantic("a share is of two sums or counts, not of percentages", span.clone())
                    .with_hint("as in `contracts where social value > 0 as share of contracts`"));
            }
            if first.unit() != second.unit() {
                return Err(semantic("a share needs two measures in the same unit", span.clone())
                    .with_hint("divide money by money or a count by a count"));
            }
        }
        // The on-contract share is on-contract spend over spend with named suppliers; as
        // that share it can be taken apart into each council's, category's and supplier's
        // part of a change, which the share's one column cannot.
        if !share && first.def.aggregate == Aggregate::OnContractShare && first.filters.is_empty() && !first.share {
            let not_redacted = Expr::Not {
                expr: Box::new(Expr::Flag { name: name("redacted", span), span: span.clone() }),
                span: span.clone(),
            };
            let named_filter = both(part.filter.clone(), not_redacted);
            definitions = engine.definitions.clone();
            let (on, spend) = (name("spend on-contract", span), name("spend", span));
            define(&mut definitions, (&on, part.filter.as_ref()), Some((&spend, Some(&named_filter))), span);
            measures = vec![Measure::Named(name(PART, span)), Measure::Named(name(WHOLE, span))];
            share = true;
        }
        let unit = if share {
            KpiUnit::Percent
        } else {
            match first.unit() {
                Unit::Money => KpiUnit::Money,
                Unit::Count => KpiUnit::Count,
                Unit::Percent => KpiUnit::Percent,
                Unit::Number => KpiUnit::Number,
            }
        };
        let sums_metric = first.metric.as_ref().is_some_and(|m| m.aggregation == Aggregation::Sum);
        let additive = !share
            && !first.share
            && (sums_metric
                || matches!(first.def.aggregate, Aggregate::Sum(_) | Aggregate::Count | Aggregate::SumOf(_)));
        let point_in_time = resolved
            .measures
            .iter()
            .any(|m| m.filters.iter().any(|f| matches!(f, RowFilter::Expiring | RowFilter::Active)));
        Ok(Prepared { kpi, definitions, measures, filter, share, unit, additive, table: resolved.table, point_in_time })
    }

    /// [`Prepared::cells`] for a point-in-time measure: the query as it stands on the last
    /// day of each of the report kind's periods in `range` (contracts expiring within the
    /// default window after that day, contracts active on it), labelled with the period.
    fn cells_on_last_days(
        &self,
        engine: &Engine,
        groups: &[&str],
        kind: ReportKind,
        range: DateRange,
    ) -> Result<Cells> {
        let span = &self.kpi.measure.span;
        let by: Vec<Name> = groups.iter().map(|g| name(g, span)).collect();
        let q = query(self.measures.clone(), by, self.filter.clone(), span);
        let base = engine.resolve_with(&q, &self.definitions)?;
        let labels: Vec<&str> = base.measures.iter().map(|m| m.label.as_str()).collect();
        let mut cells = Cells::new();
        let mut current = period::containing(kind, range.start);
        while current.start < range.end {
            let mut on_day = base.clone();
            on_day.as_of = current.last_day();
            if on_day.expiry_window.is_some() {
                let next = ast::PeriodKind::Next { count: DEFAULT_EXPIRY_MONTHS, unit: ast::PeriodUnit::Month };
                on_day.expiry_window = crate::semantic::period::resolve(&next, on_day.as_of);
            }
            let result = engine.run_resolved(&on_day, Cancel::Never)?;
            let label = period::label(kind, current.start);
            for ((group, _), cell) in read_cells(&result, groups.first().copied(), None, &labels)? {
                cells.insert((group, label.clone()), cell);
            }
            current = period::shift(kind, current, 1);
        }
        Ok(cells)
    }

    /// The measures' values grouped by `groups` and the report's time dimension, over `range`.
    fn cells(&self, engine: &Engine, groups: &[&str], kind: ReportKind, range: DateRange) -> Result<Cells> {
        if self.point_in_time {
            return self.cells_on_last_days(engine, groups, kind, range);
        }
        let span = &self.kpi.measure.span;
        let mut by: Vec<Name> = groups.iter().map(|g| name(g, span)).collect();
        by.push(name(dimension_name(kind), span));
        let filter = both(self.filter.clone(), date_between(range, span));
        let q = query(self.measures.clone(), by, Some(filter), span);
        let resolved = engine.resolve_with(&q, &self.definitions)?;
        let result = engine.run_resolved(&resolved, Cancel::Never)?;
        let labels: Vec<&str> = resolved.measures.iter().map(|m| m.label.as_str()).collect();
        read_cells(&result, groups.first().copied(), Some(dimension_name(kind)), &labels)
    }

    /// Whether the KPI's table has `dimension` (metrics have no suppliers).
    fn has_dimension(&self, dimension: &str) -> bool {
        DIMENSIONS.iter().any(|d| d.name == dimension && d.in_table(self.table))
    }
}

/// A plain query of `measures` by `group_by`, restricted by `filter`: what every figure of a
/// report is asked with.
pub(super) fn query(measures: Vec<Measure>, group_by: Vec<Name>, filter: Option<Expr>, span: &Span) -> Query {
    Query {
        rank: None,
        measures,
        group_by,
        within: None,
        across: None,
        compare: None,
        filter,
        having: None,
        order_by: Vec::new(),
        limit: None,
        as_chart: false,
        span: span.clone(),
    }
}

fn column_index(result: &QueryResult, name: &str) -> Result<usize> {
    result.schema.index_of(name).map_err(|_| Error::execution(format!("a KPI query returned no `{name}` column")))
}

fn text_at(array: &dyn Array, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    let cast = datafusion::arrow::compute::cast(&array.slice(row, 1), &DataType::Utf8).ok()?;
    Some(cast.as_string::<i32>().value(0).to_string())
}

fn raw_at(array: &dyn Array, row: usize) -> Option<Raw> {
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Decimal128(_, scale) => {
            Raw::Exact { units: array.as_primitive::<Decimal128Type>().value(row), scale: *scale as u8 }
        }
        DataType::Int64 => Raw::Exact { units: i128::from(array.as_primitive::<Int64Type>().value(row)), scale: 0 },
        DataType::Int32 => Raw::Exact { units: i128::from(array.as_primitive::<Int32Type>().value(row)), scale: 0 },
        DataType::UInt64 => Raw::Exact { units: i128::from(array.as_primitive::<UInt64Type>().value(row)), scale: 0 },
        DataType::Float64 => Raw::Float(array.as_primitive::<Float64Type>().value(row)),
        _ => return None,
    })
}

/// The group of rows with no council, category or supplier: spend with no category, a
/// metric of the whole service.
const NO_NAME: &str = "(none)";

/// Group (or `""`), period label → cell; measures by their column labels, the part first.
/// Cells keyed by group and the time column's label (an empty label without one).
fn read_cells(result: &QueryResult, group: Option<&str>, time: Option<&str>, measures: &[&str]) -> Result<Cells> {
    let group_at = group.map(|g| column_index(result, g)).transpose()?;
    let time_at = time.map(|t| column_index(result, t)).transpose()?;
    let part_at = column_index(result, measures.first().copied().unwrap_or(PART))?;
    let whole_at = measures.get(1).map(|m| column_index(result, m)).transpose()?;
    let mut cells = Cells::new();
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            let group = match group_at {
                Some(i) => text_at(batch.column(i).as_ref(), row).unwrap_or_else(|| NO_NAME.to_string()),
                None => String::new(),
            };
            let label = match time_at {
                Some(i) => match text_at(batch.column(i).as_ref(), row) {
                    Some(label) => label,
                    None => continue,
                },
                None => String::new(),
            };
            let cell = Cell {
                part: raw_at(batch.column(part_at).as_ref(), row),
                whole: whole_at.and_then(|i| raw_at(batch.column(i).as_ref(), row)),
            };
            cells.insert((group, label), cell);
        }
    }
    Ok(cells)
}

/// Compute one KPI for the report's periods.
pub fn evaluate(engine: &Engine, kpi: &ast::Kpi, periods: &Periods, source_text: String) -> Result<KpiResult> {
    evaluate_keeping(engine, kpi, periods, source_text, CONTRIBUTORS)
}

/// [`evaluate`], keeping `contributors` of each kind in the analysis (all of them, to
/// check that the parts add up to the change).
pub(super) fn evaluate_keeping(
    engine: &Engine,
    kpi: &ast::Kpi,
    periods: &Periods,
    source_text: String,
    contributors: usize,
) -> Result<KpiResult> {
    let prepared = Prepared::new(engine, kpi)?;
    let polarity = match kpi.rules.polarity.as_ref().map(|p| p.node) {
        Some(ast::Polarity::Lower) => Polarity::LowerIsBetter,
        _ => Polarity::HigherIsBetter,
    };
    // A count of contracts on a day is a level, not a flow: it adds up across councils (so
    // the analysis takes it apart), but a year's target is not split among its quarters.
    let scaled = prepared.additive && !prepared.point_in_time;
    let targets = Targets::new(&kpi.rules, prepared.unit, scaled, periods.kind)?;
    let window = periods.window();
    let by_council = prepared.cells(engine, &["council"], periods.kind, window)?;
    let service = prepared.cells(engine, &[], periods.kind, window)?;
    // A metric of the whole service has no council: it is in the service's figures only.
    let councils: BTreeSet<String> = by_council.keys().map(|(c, _)| c.clone()).filter(|c| c != NO_NAME).collect();

    let value = |cells: &Cells, group: &str, range: DateRange| -> Option<Figure> {
        let cell = cells.get(&(group.to_string(), periods.label(range))).copied();
        figure(&prepared, cell, periods.covered, range)
    };
    let current_fy = crate::semantic::period::unit_start(periods.current.start, ast::PeriodUnit::FinancialYear);
    let fy = chrono::Datelike::year(&current_fy);
    let mut rows = Vec::new();
    let scopes = councils.iter().map(|c| Scope::Council(c.clone())).chain(std::iter::once(Scope::Service));
    for scope in scopes {
        let (cells, group) = match &scope {
            Scope::Council(c) => (&by_council, c.as_str()),
            Scope::Service => (&service, ""),
        };
        let current = value(cells, group, periods.current);
        let previous = value(cells, group, periods.previous);
        let last_year = value(cells, group, periods.last_year);
        let change = match (current, previous) {
            (Some(c), Some(p)) => Some(difference(c, p)),
            _ => None,
        };
        let council = match &scope {
            Scope::Council(c) => Some(c.as_str()),
            Scope::Service => None,
        };
        let resolved = targets.resolve(council, fy);
        let status = match (current, &resolved) {
            (Some(v), Some(t)) => Some(rag::status(key(v), key(t.target), t.band, polarity)),
            _ => None,
        };
        rows.push(KpiRow {
            scope,
            current,
            previous,
            last_year,
            change,
            target: resolved.as_ref().map(|t| t.target),
            floor: resolved.as_ref().and_then(|t| t.floor),
            status,
            direction: rag::direction(change.map(key), polarity),
        });
    }
    let trend_of = |cells: &Cells, group: &str| -> Vec<TrendPoint> {
        periods.trend.iter().map(|r| TrendPoint { label: periods.label(*r), value: value(cells, group, *r) }).collect()
    };
    let trend = trend_of(&service, "");
    let council_trends = councils.iter().map(|c| (c.clone(), trend_of(&by_council, c))).collect();

    let mut analysis = Vec::new();
    let service_row = rows.last().cloned();
    let moved = service_row.as_ref().and_then(|r| r.change).is_some_and(|c| key(c) != 0.0);
    if moved && (prepared.additive || prepared.share) {
        let compared = DateRange { start: periods.previous.start, end: periods.current.end };
        let totals = (
            service.get(&(String::new(), periods.label(periods.previous))).copied().unwrap_or_default(),
            service.get(&(String::new(), periods.label(periods.current))).copied().unwrap_or_default(),
        );
        analysis.extend(contributions(&prepared, ContributorKind::Council, &by_council, periods, totals, contributors));
        for (kind, dimension) in [(ContributorKind::Category, "category"), (ContributorKind::Supplier, "supplier")] {
            if prepared.has_dimension(dimension) {
                let cells = prepared.cells(engine, &[dimension], periods.kind, compared)?;
                analysis.extend(contributions(&prepared, kind, &cells, periods, totals, contributors));
            }
        }
    }
    let sentence = service_row.as_ref().and_then(|row| sentence(&kpi.name.node, row, &analysis, periods));
    Ok(KpiResult {
        name: kpi.name.node.clone(),
        measure_text: source_text,
        unit: prepared.unit,
        polarity,
        rule: targets.describe(polarity),
        target_note: targets.note(),
        rows,
        trend,
        council_trends,
        analysis,
        sentence,
    })
}

/// A KPI on a metric the dataset holds no figures for: the scorecard keeps its row, with its
/// target and rule but no figures and no status, rather than the whole report failing
/// because one source (a satisfaction survey, a web analytics export) is not loaded yet.
/// The caller says why in the report's notes.
pub fn without_figures(kpi: &ast::Kpi, periods: &Periods, source_text: String) -> Result<KpiResult> {
    let polarity = match kpi.rules.polarity.as_ref().map(|p| p.node) {
        Some(ast::Polarity::Lower) => Polarity::LowerIsBetter,
        _ => Polarity::HigherIsBetter,
    };
    // Metrics are scores or counts whose aggregation is unknown without figures: their
    // targets apply as written, unscaled.
    let targets = Targets::new(&kpi.rules, KpiUnit::Number, false, periods.kind)?;
    let current_fy = crate::semantic::period::unit_start(periods.current.start, ast::PeriodUnit::FinancialYear);
    let resolved = targets.resolve(None, chrono::Datelike::year(&current_fy));
    let row = KpiRow {
        scope: Scope::Service,
        current: None,
        previous: None,
        last_year: None,
        change: None,
        target: resolved.as_ref().map(|t| t.target),
        floor: resolved.as_ref().and_then(|t| t.floor),
        status: None,
        direction: rag::direction(None, polarity),
    };
    Ok(KpiResult {
        name: kpi.name.node.clone(),
        measure_text: source_text,
        unit: KpiUnit::Number,
        polarity,
        rule: targets.describe(polarity),
        target_note: targets.note(),
        rows: vec![row],
        trend: periods.trend.iter().map(|r| TrendPoint { label: periods.label(*r), value: None }).collect(),
        council_trends: Vec::new(),
        analysis: Vec::new(),
        sentence: None,
    })
}

/// Whether a KPI measures a metric (its part or its whole).
pub fn is_metric(kpi: &ast::Kpi) -> bool {
    std::iter::once(&kpi.measure.part)
        .chain(kpi.measure.whole.as_ref())
        .any(|m| matches!(m.measure, Measure::Metric(_)))
}

/// The councils the dataset holds, in any table: what a KPI's `for "Council"` may name.
pub fn councils_in_data(engine: &Engine) -> Result<Vec<String>> {
    let mut councils = Vec::new();
    for table in [crate::schema::Table::Spend, crate::schema::Table::Contracts, crate::schema::Table::Metrics] {
        if engine.has_table(table) {
            councils.extend(engine.column_values(table, crate::schema::spend::COUNCIL)?);
        }
    }
    Ok(councils)
}

/// A target `for` a council the data does not hold judges nobody. One that is near a council
/// the data holds is a misspelling, refused at its name with the nearest; one that is near
/// none is a council whose files are not loaded (a service's scorecard names all its
/// councils, whatever this dataset holds): it is returned as a note, and the report runs.
pub fn check_target_councils(councils: &[String], kpi: &ast::Kpi) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    for council in kpi.rules.targets.iter().filter_map(|t| t.council.as_ref()) {
        if councils.iter().any(|c| c.eq_ignore_ascii_case(&council.node)) {
            continue;
        }
        if let Some(near) = crate::semantic::suggest(&council.node, councils.iter().map(String::as_str)) {
            return Err(Error::new(crate::ErrorKind::UnknownValue, format!("no council named \"{}\"", council.node))
                .with_span(council.span.clone())
                .with_hint(format!("did you mean \"{near}\"?")));
        }
        let note = format!(
            "{}: the target for {} applies to nobody, as the data holds no such council",
            kpi.name.node, council.node
        );
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    Ok(notes)
}

/// A figure in plain units for comparing: money in pence (whole numbers), the rest as is.
fn key(f: Figure) -> f64 {
    match f {
        Figure::Money(p) => p as f64,
        other => other.to_f64(),
    }
}

/// `a - b` in the KPI's unit (points for percentages).
fn difference(a: Figure, b: Figure) -> Figure {
    match (a, b) {
        (Figure::Money(a), Figure::Money(b)) => Figure::Money(a - b),
        (Figure::Count(a), Figure::Count(b)) => Figure::Count(a - b),
        (Figure::Percent(a), Figure::Percent(b)) => Figure::Percent(a - b),
        (Figure::Number(a), Figure::Number(b)) => {
            let scale = a.scale.max(b.scale);
            let up = |d: Decimal| d.units * 10i128.pow(u32::from(scale - d.scale));
            Figure::Number(Decimal { units: up(a) - up(b), scale })
        }
        (a, b) => Figure::Number(float_decimal(a.to_f64() - b.to_f64())),
    }
}

/// A float kept to six decimal places, for numbers that were never exact.
fn float_decimal(v: f64) -> Decimal {
    Decimal { units: (v * 1e6).round() as i128, scale: 6 }
}

/// The figure for a cell: the share in points, or the measure in its unit. An additive
/// measure with no rows in a period the data covers is zero there.
fn figure(prepared: &Prepared<'_>, cell: Option<Cell>, covered: DateRange, range: DateRange) -> Option<Figure> {
    // Metrics are figures reported for their periods, not rows that happened: a period
    // with none is unknown, whatever the spend data covers.
    let inside =
        prepared.table != crate::schema::Table::Metrics && range.end > covered.start && range.start < covered.end;
    if prepared.share {
        let cell = cell?;
        let whole = cell.whole?.to_f64();
        if whole == 0.0 {
            return None;
        }
        return Some(Figure::Percent(cell.part.unwrap_or(Raw::ZERO).to_f64() * 100.0 / whole));
    }
    let raw = match cell.and_then(|c| c.part) {
        Some(raw) => raw,
        None if prepared.additive && inside => Raw::ZERO,
        None => return None,
    };
    Some(raw_figure(prepared.unit, raw))
}

fn raw_figure(unit: KpiUnit, raw: Raw) -> Figure {
    match (unit, raw) {
        (KpiUnit::Money, raw) => {
            Figure::Money(raw.units_at(2).unwrap_or_else(|| (raw.to_f64() * 100.0).round() as i128))
        }
        (KpiUnit::Count, Raw::Exact { units, scale: 0 }) => Figure::Count(units as i64),
        (KpiUnit::Percent, raw) => Figure::Percent(raw.to_f64()),
        (_, Raw::Exact { units, scale }) => Figure::Number(Decimal { units, scale }),
        (_, Raw::Float(v)) => Figure::Number(float_decimal(v)),
    }
}

/// Each group's part of the service's change from the previous period to this one, the
/// largest first. For sums and counts a group's part is its own change. For a share
/// N/D (s0 = N0/D0 before), group g's part is (n1g - s0·d1g)/D1 - (n0g - s0·d0g)/D0: over
/// all groups the first terms sum to s1 - s0 and the second to 0, so the parts add up to
/// the change exactly, and a group that grew its denominator at the old share moved nothing.
fn contributions(
    prepared: &Prepared<'_>,
    kind: ContributorKind,
    cells: &Cells,
    periods: &Periods,
    totals: (Cell, Cell),
    keep: usize,
) -> Vec<Contribution> {
    let (before, now) = (periods.label(periods.previous), periods.label(periods.current));
    let groups: BTreeSet<&String> =
        cells.keys().filter(|(_, label)| *label == before || *label == now).map(|(g, _)| g).collect();
    let get = |g: &String, label: &String| cells.get(&(g.clone(), label.clone())).copied().unwrap_or_default();
    let mut parts: Vec<Contribution> = Vec::new();
    if prepared.share {
        let f = |r: Option<Raw>| r.map_or(0.0, Raw::to_f64);
        let (n0, d0, d1) = (f(totals.0.part), f(totals.0.whole), f(totals.1.whole));
        if d0 == 0.0 || d1 == 0.0 {
            return Vec::new();
        }
        let s0 = n0 / d0;
        for g in groups {
            let (old, new) = (get(g, &before), get(g, &now));
            let part = (f(new.part) - s0 * f(new.whole)) / d1 - (f(old.part) - s0 * f(old.whole)) / d0;
            parts.push(Contribution { kind, name: group_name(kind, g), part: Figure::Percent(part * 100.0) });
        }
    } else {
        for g in groups {
            let (old, new) = (get(g, &before).part.unwrap_or(Raw::ZERO), get(g, &now).part.unwrap_or(Raw::ZERO));
            parts.push(Contribution {
                kind,
                name: group_name(kind, g),
                part: raw_figure(prepared.unit, new.minus(old)),
            });
        }
    }
    parts.retain(|c| key(c.part).abs() > 1e-9);
    parts.sort_by(|a, b| key(b.part).abs().total_cmp(&key(a.part).abs()).then_with(|| a.name.cmp(&b.name)));
    parts.truncate(keep);
    parts
}

/// A group's name for people; the rows with none are named for what they are.
fn group_name(kind: ContributorKind, group: &str) -> String {
    match (kind, group) {
        (ContributorKind::Council, NO_NAME) => "the service as a whole".to_string(),
        (ContributorKind::Category, NO_NAME) => "no category".to_string(),
        (ContributorKind::Supplier, NO_NAME) => "no supplier".to_string(),
        _ => group.to_string(),
    }
}

/// "On-contract share fell 4.2 points to 76.0% (Amber) since 2024/25 Q1: largest
/// contributors Rochdale -3.1 points, Construction -2.0 points, ACME LTD -1.2 points".
fn sentence(name: &str, row: &KpiRow, analysis: &[Contribution], periods: &Periods) -> Option<String> {
    let change = row.change?;
    let current = row.current?;
    let size = key(change);
    if size == 0.0 {
        return None;
    }
    let verb = if size > 0.0 { "rose" } else { "fell" };
    let magnitude = match change {
        Figure::Money(p) => Figure::Money(p.abs()).text(),
        Figure::Count(n) => Figure::Count(n.abs()).text(),
        Figure::Percent(p) => Figure::Percent(p.abs()).change_text().trim_start_matches('+').to_string(),
        Figure::Number(d) => Figure::Number(Decimal { units: d.units.abs(), scale: d.scale }).text(),
    };
    let status = row.status.map(|s| format!(" ({})", s.word())).unwrap_or_default();
    let mut text =
        format!("{name} {verb} {magnitude} to {}{status} since {}", current.text(), periods.label(periods.previous));
    let largest: Vec<String> = [ContributorKind::Council, ContributorKind::Category, ContributorKind::Supplier]
        .iter()
        .filter_map(|kind| analysis.iter().find(|c| c.kind == *kind))
        .map(|c| format!("{} {}", c.name, c.part.change_text()))
        .collect();
    if !largest.is_empty() {
        text.push_str(": largest contributors ");
        text.push_str(&largest.join(", "));
    }
    Some(text)
}
