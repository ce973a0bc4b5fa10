//! Rows and conditions: resolved conditions ([`Cond`]) and the model's row restrictions
//! ([`RowFilter`]) as DataFusion expressions, and the filter a grouped query applies to rows
//! before aggregating.

use datafusion::functions::expr_fn::{btrim, lower, regexp_replace, strpos, upper};
use datafusion::logical_expr::{Expr, lit};

use super::frame::money_lit;
use super::frame::{Frame, column};
use super::time::{column_in, date_in, date_lit};
use crate::error::{Error, Result};
use crate::schema::{contracts, spend};
use crate::semantic::ir::{CompareOp, Cond, FieldRef, Layout, ResolvedQuery, Value};
use crate::semantic::model::RowFilter;

/// A restriction every measure shares (`spend card, transactions card`): it filters rows
/// instead, so groups with no such rows do not appear and the scan reads less.
pub(super) fn shared_filters(query: &ResolvedQuery) -> Vec<RowFilter> {
    match query.measures.first() {
        Some(first) => {
            first.filters.iter().copied().filter(|f| query.measures.iter().all(|m| m.filters.contains(f))).collect()
        }
        None => Vec::new(),
    }
}

/// A defined measure's `where` (`define measure big payments = transactions where amount >=
/// £25k`) that every measure of the query carries. Like a shared modifier it is then a
/// restriction of the rows, so groups without such payments do not appear (issue 9).
pub(super) fn shared_condition(query: &ResolvedQuery) -> Option<&Cond> {
    let (first, rest) = query.measures.split_first()?;
    first.condition.as_ref().filter(|c| rest.iter().all(|m| m.condition.as_ref() == Some(*c)))
}

/// The rows a grouped query aggregates: its `where`, the shared restrictions, and for
/// `compare` the union of the two periods.
pub(super) fn row_filter(
    query: &ResolvedQuery,
    layout: &Layout,
    shared: &[RowFilter],
    frame: &Frame,
) -> Result<Option<Expr>> {
    let mut parts = Vec::new();
    if let Some(c) = &query.filter {
        parts.push(where_or_having(c, query, frame)?);
    }
    parts.extend(shared.iter().map(|f| row_filter_expr(*f, frame)));
    if let Some(c) = shared_condition(query) {
        parts.push(row_condition(c, frame)?);
    }
    if let Layout::Compare { current, previous, .. } = layout {
        parts.push(date_in(frame, *current).or(date_in(frame, *previous)));
    }
    // Only the figures of the metrics asked about: other metrics' councils and periods must
    // not appear as empty groups.
    let metrics: Vec<Expr> =
        query.measures.iter().filter_map(|m| m.metric.as_ref()).map(|m| lit(m.name.clone())).collect();
    if !metrics.is_empty() {
        parts.push(column(crate::schema::metrics::METRIC).in_list(metrics, false));
    }
    Ok(parts.into_iter().reduce(Expr::and))
}

pub(super) fn row_filter_expr(f: RowFilter, frame: &Frame) -> Expr {
    match f {
        RowFilter::Card => column(spend::IS_CARD).is_true(),
        RowFilter::Credits => column(spend::AMOUNT).lt(money_lit(0)),
        RowFilter::OnContract => column(spend::CONTRACT_ID).is_not_null(),
        RowFilter::OffContract => column(spend::CONTRACT_ID).is_null().and(column(spend::REDACTED).is_false()),
        RowFilter::Expiring => match &frame.expiry_window {
            Some(window) => column_in(column(contracts::EXPIRY_DATE), *window),
            None => lit(false),
        },
        RowFilter::Active => column(contracts::START_DATE)
            .lt_eq(date_lit(frame.as_of))
            .and(column(contracts::EXPIRY_DATE).gt_eq(date_lit(frame.as_of))),
    }
}

/// A condition on rows (no measures allowed).
pub(super) fn row_condition(c: &Cond, frame: &Frame) -> Result<Expr> {
    cond_to_expr(c, frame, &|_| Err(Error::execution("a measure cannot be used in a row condition")))
}

/// A condition in `where` or `having` of `query`; in `having`, measures are their columns.
pub(super) fn where_or_having(c: &Cond, query: &ResolvedQuery, frame: &Frame) -> Result<Expr> {
    cond_to_expr(c, frame, &|i| Ok(column(&query.measures[i].label)))
}

fn value_expr(v: &Value) -> Expr {
    match v {
        Value::Text(t) => lit(t.as_str()),
        Value::Money(p) => money_lit(*p),
        Value::Integer(i) => lit(*i),
        Value::Decimal(d) => lit(d.parse::<f64>().unwrap_or(0.0)),
        Value::Bool(b) => lit(*b),
    }
}

fn compare(left: Expr, op: CompareOp, right: Expr) -> Expr {
    match op {
        CompareOp::Eq => left.eq(right),
        CompareOp::NotEq => left.not_eq(right),
        CompareOp::Lt => left.lt(right),
        CompareOp::LtEq => left.lt_eq(right),
        CompareOp::Gt => left.gt(right),
        CompareOp::GtEq => left.gt_eq(right),
    }
}

fn cond_to_expr(c: &Cond, frame: &Frame, measure: &dyn Fn(usize) -> Result<Expr>) -> Result<Expr> {
    let field = |f: &FieldRef| -> Result<Expr> {
        Ok(match f {
            FieldRef::Column(c) => column(*c),
            FieldRef::Supplier => column(spend::SUPPLIER_NAME),
            // `M33 2AU` → `M`, ` sk4 1aa` → `SK`: the letters before the first digit.
            FieldRef::PostcodeArea(c) => {
                regexp_replace(upper(btrim(vec![column(*c)])), lit("^([A-Z]+).*$"), lit("${1}"), None)
            }
            FieldRef::Measure(i) => measure(*i)?,
        })
    };
    Ok(match c {
        Cond::Compare { field: FieldRef::Supplier, op, value: Value::Text(t) } => {
            compare(lower(column(spend::SUPPLIER_NAME)), *op, lower(lit(t.as_str())))
        }
        Cond::Compare { field: f, op, value } => compare(field(f)?, *op, value_expr(value)),
        Cond::InList { field: f, values, negated } => {
            field(f)?.in_list(values.iter().map(value_expr).collect(), *negated)
        }
        Cond::DateIn { range } => date_in(frame, *range),
        Cond::DateCompare { op, date } => compare(frame.time(), *op, date_lit(*date)),
        Cond::Contains { field: f, text } => strpos(lower(field(f)?), lower(lit(text.as_str()))).gt(lit(0i64)),
        Cond::IsMissing { field: f, negated: false } => field(f)?.is_null(),
        Cond::IsMissing { field: f, negated: true } => field(f)?.is_not_null(),
        Cond::IsTrue { field: f } => field(f)?.is_true(),
        Cond::And(a, b) => cond_to_expr(a, frame, measure)?.and(cond_to_expr(b, frame, measure)?),
        Cond::Or(a, b) => cond_to_expr(a, frame, measure)?.or(cond_to_expr(b, frame, measure)?),
        Cond::Not(a) => Expr::Not(Box::new(cond_to_expr(a, frame, measure)?)),
    })
}
