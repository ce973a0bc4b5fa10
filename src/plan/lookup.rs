//! Plans for what the resolver asks about the data rather than for a query: the first and
//! last payment dates, and a column's distinct values. They live here so that `plan` stays
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
