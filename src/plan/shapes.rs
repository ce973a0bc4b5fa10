//! Shapes of a grouped result: which aggregated columns each [`Layout`] needs (plain,
//! compare, pivot) and the output columns computed from them (shares, change, change %),
//! then ranking, order and limit. Every derived column's name is made once, in
//! [`columns`], and read back from there by the later steps.

use datafusion::arrow::datatypes::DataType;
use datafusion::functions_aggregate::sum::sum_udaf;
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::{Expr, ExprFunctionExt, LogicalPlanBuilder, WindowFunctionDefinition, cast, lit};

use super::dimensions::dimension_expr;
use super::frame::{Frame, column};
use super::measures::{coalesce_zero, nullif_zero};
use super::time::date_in;
use crate::error::{Error, Result};
use crate::semantic::ir::{Layout, OrderKey, ResolvedMeasure, ResolvedQuery};

/// One aggregated column: measure `measure`, further restricted by `restrict`, named `name`.
pub(super) struct Aggregated {
    pub measure: usize,
    pub name: String,
    pub restrict: Option<Expr>,
}

/// One output column after aggregation, and whether it belongs to a hidden measure (named
/// only in `having` or `order by`). Tracked per column, not by name pattern: `contract value
/// share` must not be hidden by a hidden `contract value`.
pub(super) struct Output {
    pub name: String,
    pub expr: Expr,
    pub hidden: bool,
}

/// The columns of a grouped query's layout.
pub(super) struct Columns {
    pub aggregated: Vec<Aggregated>,
    /// Window totals that shares divide by, computed before `outputs`.
    pub windows: Vec<Expr>,
    pub outputs: Vec<Output>,
    /// The change columns of each compared measure: measure, change, change %.
    changes: Vec<(usize, String, String)>,
}

impl Columns {
    fn new() -> Columns {
        Columns { aggregated: Vec::new(), windows: Vec::new(), outputs: Vec::new(), changes: Vec::new() }
    }

    fn aggregate(&mut self, measure: usize, name: &str, restrict: Option<Expr>) {
        self.aggregated.push(Aggregated { measure, name: name.to_string(), restrict });
    }

    fn output(&mut self, m: &ResolvedMeasure, name: String, expr: Expr) {
        self.outputs.push(Output { name, expr, hidden: m.hidden });
    }

    /// A column passed through from the aggregate under its own name.
    fn pass(&mut self, m: &ResolvedMeasure, name: String) {
        let expr = column(&name);
        self.output(m, name, expr);
    }

    fn change_column(&self, measure: usize, percent: bool) -> Option<&str> {
        self.changes
            .iter()
            .find(|(m, _, _)| *m == measure)
            .map(|(_, change, pct)| if percent { pct.as_str() } else { change.as_str() })
    }
}

/// Whether exactly one measure is shown: then compare and pivot columns drop its name.
fn single_visible(query: &ResolvedQuery) -> bool {
    query.measures.iter().filter(|m| !m.hidden).count() == 1
}

pub(super) fn columns(query: &ResolvedQuery, layout: &Layout, frame: &Frame) -> Result<Columns> {
    match layout {
        Layout::Plain => plain(query),
        Layout::Compare { current, current_label, previous, previous_label } => {
            Ok(compare(query, (date_in(frame, *current), current_label), (date_in(frame, *previous), previous_label)))
        }
        Layout::Pivot { dimension, values } => {
            Ok(pivot(query, dimension_expr(dimension.def.kind, frame.table), values))
        }
    }
}

/// One column per measure; a `share` measure divided by its total within the `within`
/// dimensions (a window over the grouped rows).
fn plain(query: &ResolvedQuery) -> Result<Columns> {
    let mut columns = Columns::new();
    let within: Vec<Expr> = query.share_within.iter().map(|i| column(query.dimensions[*i].label())).collect();
    for (i, m) in query.measures.iter().enumerate() {
        columns.aggregate(i, &m.label, None);
        if !m.share {
            columns.pass(m, m.label.clone());
            continue;
        }
        let value = cast(column(&m.label), DataType::Float64);
        let total_name = format!("__total {}", m.label);
        let total =
            Expr::from(WindowFunction::new(WindowFunctionDefinition::AggregateUDF(sum_udaf()), vec![value.clone()]))
                .partition_by(within.clone())
                .build()?
                .alias(&total_name);
        columns.windows.push(total);
        let share = (value * lit(100.0) / nullif_zero(column(total_name))).alias(&m.label);
        columns.output(m, m.label.clone(), share);
    }
    Ok(columns)
}

/// Each measure in both periods, then the change and the change as a % of the earlier one.
fn compare(query: &ResolvedQuery, current: (Expr, &str), previous: (Expr, &str)) -> Columns {
    let mut columns = Columns::new();
    let single = single_visible(query);
    for (i, m) in query.measures.iter().enumerate() {
        let a = format!("{} {}", m.label, current.1);
        let b = format!("{} {}", m.label, previous.1);
        let (change, pct) = if single && !m.hidden {
            ("change".to_string(), "change %".to_string())
        } else {
            (format!("{} change", m.label), format!("{} change %", m.label))
        };
        columns.aggregate(i, &a, Some(current.0.clone()));
        columns.aggregate(i, &b, Some(previous.0.clone()));
        let diff = coalesce_zero(column(&a), m.unit()) - coalesce_zero(column(&b), m.unit());
        let earlier = cast(column(&b), DataType::Float64);
        let pct_expr = (cast(coalesce_zero(column(&a), m.unit()), DataType::Float64) - earlier.clone()) * lit(100.0)
            / nullif_zero(earlier);
        columns.pass(m, a);
        columns.pass(m, b);
        columns.output(m, change.clone(), diff.alias(&change));
        columns.output(m, pct.clone(), pct_expr.alias(&pct));
        columns.changes.push((i, change, pct));
    }
    columns
}

/// Each measure once per value of the pivoted dimension (`key`), then its total.
fn pivot(query: &ResolvedQuery, key: Expr, values: &[String]) -> Columns {
    let mut columns = Columns::new();
    let single = single_visible(query);
    for (i, m) in query.measures.iter().enumerate() {
        for v in values {
            let name = if single && !m.hidden { v.clone() } else { format!("{v} {}", m.label) };
            columns.aggregate(i, &name, Some(key.clone().eq(lit(v.as_str()))));
            columns.pass(m, name);
        }
        let total = if single { "total".to_string() } else { format!("total {}", m.label) };
        columns.aggregate(i, &total, None);
        columns.pass(m, total);
    }
    columns
}

/// Ranking, `order by` (or the default order) and `limit`. Overall ranking is a sort and a
/// limit; within groups, a row number per group.
pub(super) fn order_and_limit(
    mut builder: LogicalPlanBuilder,
    query: &ResolvedQuery,
    layout: &Layout,
    columns: &Columns,
) -> Result<LogicalPlanBuilder> {
    let mut order: Vec<(Expr, bool)> = Vec::new();
    if let Some(rank) = &query.rank {
        let measure = column(&query.measures[rank.measure].label);
        if rank.partition.is_empty() {
            order.push((measure, !rank.descending));
        } else {
            let partition: Vec<Expr> = rank.partition.iter().map(|i| column(query.dimensions[*i].label())).collect();
            let number = row_number()
                .partition_by(partition.clone())
                .order_by(vec![measure.clone().sort(!rank.descending, false)])
                .build()?
                .alias("__rank");
            builder = builder.window(vec![number])?;
            builder = builder.filter(column("__rank").lt_eq(lit(rank.count as i64)))?;
            for p in partition {
                order.push((p, true));
            }
            order.push((measure, !rank.descending));
        }
    }
    for (key, descending) in &query.order {
        let expr = match *key {
            OrderKey::Dimension(i) => column(query.dimensions[i].label()),
            OrderKey::Measure(i) => column(&query.measures[i].label),
            OrderKey::Change { measure, percent } => match columns.change_column(measure, percent) {
                Some(name) => column(name),
                None => return Err(Error::execution("`order by change` needs `compare`")),
            },
        };
        order.push((expr, !descending));
    }
    if order.is_empty() {
        order = default_order(query, layout);
    }
    let sort: Vec<_> = order.into_iter().map(|(e, asc)| e.sort(asc, false)).collect();
    if !sort.is_empty() {
        builder = builder.sort(sort)?;
    }
    let limit = match (&query.rank, query.limit) {
        (Some(r), None) if r.partition.is_empty() => Some(r.count),
        (Some(r), Some(l)) if r.partition.is_empty() => Some(r.count.min(l)),
        (_, l) => l,
    };
    if let Some(l) = limit {
        builder = builder.limit(0, Some(usize::try_from(l).unwrap_or(usize::MAX)))?;
    }
    Ok(builder)
}

/// Time dimensions read chronologically; otherwise the largest first measure comes first.
fn default_order(query: &ResolvedQuery, layout: &Layout) -> Vec<(Expr, bool)> {
    let has_time = query.dimensions.iter().any(|d| d.def.kind.is_time());
    let mut order = Vec::new();
    let first_visible = query.measures.iter().find(|m| !m.hidden);
    if !has_time
        && matches!(layout, Layout::Plain)
        && query.share_within.is_empty()
        && let Some(m) = first_visible
    {
        order.push((column(&m.label), false));
    }
    for dim in &query.dimensions {
        order.push((column(dim.label()), true));
    }
    order
}
