//! Resolved queries ([`crate::semantic::ir`]) → DataFusion logical plans, through the
//! `LogicalPlanBuilder` API. This is the only module that builds plans. No SQL text is
//! produced or parsed here: user values enter plans only as literals, so they can never
//! change a query's structure.
//!
//! [`build_plan`] dispatches on the query's shape, as datafusion-sql's `SqlToRel` does on
//! statement kinds; each construct has its own file: row conditions and restrictions
//! (`rows`), measures (`measures`), dimensions and supplier labels (`dimensions`), time
//! periods (`time`), layouts, ranking and order (`shapes`), reports (`reports`) and the
//! payment checks among them (`payments`), and the plans the resolver's data lookups run
//! ([`lookup`]).

mod dimensions;
mod frame;
pub mod lookup;
mod measures;
mod payments;
mod reports;
mod rows;
mod shapes;
#[cfg(test)]
mod tests;
mod time;

use datafusion::logical_expr::{Expr, JoinType, LogicalPlan, LogicalPlanBuilder};

use crate::error::Result;
use crate::schema::Table;
use crate::semantic::ir::{Layout, ResolvedQuery, Shape};
use crate::semantic::model::{DimensionKind, RowFilter};
use frame::{Frame, Scan, column};
use shapes::Columns;

/// Build the plan for `query`; `scan` gives a plan reading a table.
pub fn build_plan(query: &ResolvedQuery, scan: &dyn Fn(Table) -> Result<LogicalPlan>) -> Result<LogicalPlan> {
    match &query.shape {
        Shape::Grouped(layout) => grouped(query, layout, scan),
        Shape::Report(report) => reports::plan(query, report, scan),
    }
}

/// Measures by dimensions: filter rows, group and aggregate, label, lay out the columns,
/// then `having`, rank, order and limit, and drop the columns only computed to get there.
fn grouped(query: &ResolvedQuery, layout: &Layout, scan: Scan) -> Result<LogicalPlan> {
    let frame = Frame::of(query);
    let rows = scan(query.table)?;
    let columns = shapes::columns(query, layout, &frame)?;
    let shared = rows::shared_filters(query);
    let mut builder = LogicalPlanBuilder::from(rows);
    if let Some(f) = rows::row_filter(query, layout, &shared, &frame)? {
        builder = builder.filter(f)?;
    }
    builder = aggregate(builder, query, &columns, &shared, &frame)?;
    // Supplier labels: grouped by key alone, labelled after aggregating from `suppliers`.
    if query.dimensions.iter().any(|d| d.def.kind == DimensionKind::Supplier) {
        let names = dimensions::supplier_names(scan)?;
        builder = builder.join(
            names,
            JoinType::Left,
            (vec![dimensions::SUPPLIER_KEY_ALIAS], vec![dimensions::NAME_KEY]),
            None,
        )?;
    }
    let (mut builder, shown) = lay_out(builder, query, &columns)?;
    if let Some(h) = &query.having {
        builder = builder.filter(rows::where_or_having(h, query, &frame)?)?;
    }
    builder = shapes::order_and_limit(builder, query, layout, &columns)?;
    Ok(builder.project(shown.into_iter().map(column))?.build()?)
}

/// Group by the dimensions and compute every aggregated column; then, if any column is
/// computed from aggregates (a ratio) or a time key needs its label, one projection.
fn aggregate(
    builder: LogicalPlanBuilder,
    query: &ResolvedQuery,
    columns: &Columns,
    shared: &[RowFilter],
    frame: &Frame,
) -> Result<LogicalPlanBuilder> {
    let group_exprs: Vec<Expr> = query.dimensions.iter().map(|d| dimensions::group_key(d, frame.table)).collect();
    let mut aggregates = Vec::new();
    let mut computed = Vec::new();
    for a in &columns.aggregated {
        let m = &query.measures[a.measure];
        let (aggs, value) = measures::aggregates(
            m,
            a.restrict.clone(),
            shared,
            rows::shared_condition(query).is_some(),
            &a.name,
            frame,
        )?;
        aggregates.extend(aggs);
        computed.push((a.name.as_str(), value));
    }
    let builder = builder.aggregate(group_exprs, aggregates)?;
    let relabel = dimensions::has_time_key(&query.dimensions, frame.table);
    if !relabel && computed.iter().all(|(name, value)| value == &column(*name)) {
        return Ok(builder);
    }
    let mut exprs: Vec<Expr> = query.dimensions.iter().map(dimensions::group_label).collect();
    exprs.extend(computed.into_iter().map(|(name, value)| value.alias(name)));
    Ok(builder.project(exprs)?)
}

/// The output columns: dimensions (suppliers by label), then the layout's columns (shares
/// computed over window totals). Returns the names of the columns to show in the end.
fn lay_out(
    mut builder: LogicalPlanBuilder,
    query: &ResolvedQuery,
    columns: &Columns,
) -> Result<(LogicalPlanBuilder, Vec<String>)> {
    let mut projection = Vec::new();
    let mut shown = Vec::new();
    for dim in &query.dimensions {
        if dim.def.kind == DimensionKind::Supplier {
            projection.push(column(dimensions::SUPPLIER_NAME_ALIAS).alias(dim.label()));
        } else {
            projection.push(column(dim.label()));
        }
        shown.push(dim.label().to_string());
    }
    for output in &columns.outputs {
        projection.push(output.expr.clone());
        if !output.hidden {
            shown.push(output.name.clone());
        }
    }
    if !columns.windows.is_empty() {
        builder = builder.window(columns.windows.clone())?;
    }
    Ok((builder.project(projection)?, shown))
}
