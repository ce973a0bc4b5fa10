//! Plans for what the resolver asks about the data rather than for a query: the first and
//! last payment dates, a column's distinct values, and the metrics the data holds. They live here so that `plan` stays
//! the only builder of DataFusion plans; `exec` runs them.

use datafusion::functions_aggregate::expr_fn::{max, min};
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};

use super::column;
use crate::error::Result;
use crate::schema::spend;

/// One row: the earliest and latest `payment_date` of the spend table read by `rows`.
pub fn payment_date_range(rows: LogicalPlan) -> Result<LogicalPlan> {
    let date = || column(spend::PAYMENT_DATE);
    Ok(LogicalPlanBuilder::from(rows).aggregate(Vec::<Expr>::new(), vec![min(date()), max(date())])?.build()?)
}

/// The distinct non-null values of `name` in `table`, sorted, in one column.
pub fn distinct_values(table: LogicalPlan, name: &str) -> Result<LogicalPlan> {
    Ok(LogicalPlanBuilder::from(table)
        .filter(column(name).is_not_null())?
        .aggregate(vec![column(name)], Vec::<Expr>::new())?
        .sort(vec![column(name).sort(true, false)])?
        .build()?)
}

/// The distinct (metric, aggregation) pairs of the metrics table, sorted: the names
/// `metric "NAME"` can mean and how each is stored to combine.
pub fn metric_names(metrics: LogicalPlan) -> Result<LogicalPlan> {
    use crate::schema::metrics::{AGGREGATION, METRIC};
    Ok(LogicalPlanBuilder::from(metrics)
        .aggregate(vec![column(METRIC), column(AGGREGATION)], Vec::<Expr>::new())?
        .sort(vec![column(METRIC).sort(true, false), column(AGGREGATION).sort(true, false)])?
        .build()?)
}

/// One row: the earliest `period_start` and latest `period_end` of the metrics table, for
/// a dataset with no payments to count relative periods from.
pub fn metric_period_range(metrics: LogicalPlan) -> Result<LogicalPlan> {
    use crate::schema::metrics::{PERIOD_END, PERIOD_START};
    Ok(LogicalPlanBuilder::from(metrics)
        .aggregate(Vec::<Expr>::new(), vec![min(column(PERIOD_START)), max(column(PERIOD_END))])?
        .build()?)
}
