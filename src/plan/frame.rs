//! What every construct's planning step shares: the query's frame (table, as-of date, expiry
//! window), the table scan, exact column references and the row limit. Kept apart from the
//! dispatcher in `plan/mod.rs` so the construct files depend on it, not on their parent.

use chrono::NaiveDate;
use datafusion::common::{Column, ScalarValue};
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, lit};

use crate::error::Result;
use crate::schema::{METRIC_PRECISION, METRIC_SCALE, MONEY_PRECISION, MONEY_SCALE, Table};
use crate::semantic::ir::ResolvedQuery;
use crate::semantic::model::time_column;
use crate::semantic::period::DateRange;

/// Gives a plan reading a table.
pub(super) type Scan<'a> = &'a dyn Fn(Table) -> Result<LogicalPlan>;

/// What a plan's expressions need to know about the query beyond a condition or measure:
/// which table's columns they read, and the dates that relative restrictions resolve to.
#[derive(Clone, Copy)]
pub(super) struct Frame {
    pub(super) table: Table,
    pub(super) as_of: NaiveDate,
    pub(super) expiry_window: Option<DateRange>,
}

impl Frame {
    pub(super) fn of(query: &ResolvedQuery) -> Frame {
        Frame { table: query.table, as_of: query.as_of, expiry_window: query.expiry_window }
    }

    pub(super) fn time(&self) -> Expr {
        column(time_column(self.table))
    }
}

/// A column by its exact name. `col` would parse the name as SQL (lower-casing it and
/// splitting at dots), which output headings such as `Salford` or `spend 2021/22` are not.
pub(super) fn column(name: impl Into<String>) -> Expr {
    Expr::Column(Column::from_name(name))
}

pub(super) fn limit(builder: LogicalPlanBuilder, limit: Option<u64>) -> Result<LogicalPlanBuilder> {
    Ok(match limit {
        Some(l) => builder.limit(0, Some(usize::try_from(l).unwrap_or(usize::MAX)))?,
        None => builder,
    })
}

/// A money literal, `Decimal128(18, 2)` like the columns it is compared with.
pub(super) fn money_lit(pence: i128) -> Expr {
    lit(ScalarValue::Decimal128(Some(pence), MONEY_PRECISION, MONEY_SCALE))
}

/// A metric literal, `Decimal128(18, 4)` like `metrics.value`; `units` are 0.0001s.
pub(super) fn metric_lit(units: i128) -> Expr {
    lit(ScalarValue::Decimal128(Some(units), METRIC_PRECISION, METRIC_SCALE))
}
