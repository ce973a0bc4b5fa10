//! Measures: the aggregates each measure needs and the expression that computes its column
//! from them, plus the money literals and null handling the measure columns share.

use datafusion::arrow::datatypes::DataType;

use datafusion::functions::expr_fn::{coalesce, nullif};
use datafusion::functions_aggregate::expr_fn::{avg, count, count_distinct, max, median, min, sum};
use datafusion::functions_aggregate::first_last::last_value_udaf;
use datafusion::logical_expr::{Expr, ExprFunctionExt, cast, lit};

use super::frame::{Frame, column, metric_lit, money_lit};
use super::rows::{row_condition, row_filter_expr};
use crate::error::Result;
use crate::schema::{METRIC_VALUE, MONEY, metrics, spend};
use crate::semantic::ir::{Aggregation, ResolvedMeasure};
use crate::semantic::model::{Aggregate, RowFilter, Unit};

/// Null instead of a zero divisor, so a share of nothing is empty rather than an error.
pub(super) fn nullif_zero(e: Expr) -> Expr {
    nullif(e, lit(0.0))
}

/// A missing value counted as zero of the measure's unit.
pub(super) fn coalesce_zero(e: Expr, unit: Unit) -> Expr {
    let zero = match unit {
        Unit::Money => money_lit(0),
        Unit::Count => lit(0i64),
        Unit::Percent => lit(0.0),
        Unit::Number => metric_lit(0),
    };
    coalesce(vec![e, zero])
}

/// The aggregates a measure needs, restricted by `extra` (a compared period, a pivot
/// value) besides its own filters not `already_applied` to the rows, and the expression
/// computing its column `name` from them once aggregated. A measure's own `where` is left
/// out when `condition_applied`: every measure shares it, and it already filters the rows.
pub(super) fn aggregates(
    m: &ResolvedMeasure,
    extra: Option<Expr>,
    already_applied: &[RowFilter],
    condition_applied: bool,
    name: &str,
    frame: &Frame,
) -> Result<(Vec<Expr>, Expr)> {
    let mut conditions: Vec<Expr> =
        m.filters.iter().filter(|f| !already_applied.contains(f)).map(|f| row_filter_expr(*f, frame)).collect();
    if let Some(c) = m.condition.as_ref().filter(|_| !condition_applied) {
        conditions.push(row_condition(c, frame)?);
    }
    conditions.extend(extra);
    let restrict = |base: Expr, more: Option<Expr>| -> Result<Expr> {
        match conditions.iter().cloned().chain(more).reduce(Expr::and) {
            Some(f) => Ok(base.filter(f).build()?),
            None => Ok(base),
        }
    };
    let amount = || column(spend::AMOUNT);
    let base = match m.def.aggregate {
        Aggregate::OnContractShare => {
            let on = format!("__on {name}");
            let named = format!("__named {name}");
            let aggs = vec![
                restrict(sum(amount()), Some(row_filter_expr(RowFilter::OnContract, frame)))?.alias(&on),
                restrict(sum(amount()), Some(column(spend::REDACTED).is_false()))?.alias(&named),
            ];
            let value = cast(column(&on), DataType::Float64) * lit(100.0)
                / nullif_zero(cast(column(&named), DataType::Float64));
            return Ok((aggs, value));
        }
        Aggregate::ClassifiedShare => {
            let classified = format!("__classified {name}");
            let all = format!("__all {name}");
            // By absolute value: a credit is classified spend too, and must not cancel a debit.
            let size = || datafusion::functions::expr_fn::abs(amount());
            let aggs = vec![
                restrict(sum(size()), Some(column(spend::CATEGORY).is_not_null()))?.alias(&classified),
                restrict(sum(size()), None)?.alias(&all),
            ];
            let value = cast(column(&classified), DataType::Float64) * lit(100.0)
                / nullif_zero(cast(column(&all), DataType::Float64));
            return Ok((aggs, value));
        }
        Aggregate::Metric => {
            let Some(metric) = &m.metric else {
                return Err(crate::error::Error::execution("a metric measure without its metric"));
            };
            let own = column(metrics::METRIC).eq(lit(metric.name.clone()));
            let filter = conditions.iter().cloned().chain([own]).reduce(Expr::and).unwrap_or_else(|| lit(true));
            let value = || column(metrics::VALUE);
            let aggregate = match metric.aggregation {
                Aggregation::Sum => sum(value()).filter(filter).build()?,
                // DataFusion's mean of Decimal128(18,4) has more decimals; the figure keeps
                // four, rounded half away from zero by the cast.
                Aggregation::Average => avg(value()).filter(filter).build()?,
                // The value of the figure with the latest period end; of figures ending the
                // same day, the one from the later file and line.
                Aggregation::Latest => last_value_udaf()
                    .call(vec![value()])
                    .order_by(vec![
                        column(metrics::PERIOD_END).sort(true, false),
                        column(metrics::PERIOD_START).sort(true, false),
                        column(metrics::SOURCE_FILE).sort(true, false),
                        column(metrics::SOURCE_ROW).sort(true, false),
                    ])
                    .filter(filter)
                    .build()?,
            };
            return Ok((vec![cast(aggregate, METRIC_VALUE).alias(name)], column(name)));
        }
        Aggregate::Sum(c) => sum(column(c)),
        Aggregate::Count => count(lit(1)),
        Aggregate::CountDistinct(c) => count_distinct(column(c)),
        Aggregate::Average(c) => avg(column(c)),
        Aggregate::Median(c) => median(column(c)),
        Aggregate::Max(c) => max(column(c)),
        Aggregate::Min(c) => min(column(c)),
        Aggregate::SumOf(columns) => {
            let total = columns
                .iter()
                .map(|c| coalesce(vec![column(*c), money_lit(0)]))
                .reduce(|a, b| a + b)
                .unwrap_or_else(|| money_lit(0));
            sum(total)
        }
    };
    let filtered = restrict(base, None)?;
    let aggregate = match m.def.aggregate {
        // Averages and medians of money are money: back to pounds and pence. Sums too: DataFusion
        // widens a sum to Decimal128(28,2), and money is Decimal128(18,2) to the printer and to
        // every file written (a total past £10^16 is an error, not a rounded value).
        Aggregate::Average(_) | Aggregate::Median(_) => cast(filtered, MONEY),
        Aggregate::Sum(_) | Aggregate::SumOf(_) if m.unit() == Unit::Money => cast(filtered, MONEY),
        _ => filtered,
    };
    Ok((vec![aggregate.alias(name)], column(name)))
}
