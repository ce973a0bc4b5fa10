//! Time: period labels and keys for the time dimensions, and date literals and ranges for
//! conditions. Labels must read as [`crate::semantic::period::time_label`] writes them, since
//! `across` columns are named from that function and filled from these expressions.

use chrono::NaiveDate;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::functions::expr_fn::{concat, date_part, lpad, to_char};
use datafusion::logical_expr::{Expr, cast, lit, when};

use super::frame::{Frame, column};
use crate::schema::Table;
use crate::semantic::model::{DimensionKind, time_column};
use crate::semantic::period::DateRange;

fn part(p: &str, date: Expr) -> Expr {
    cast(date_part(lit(p), date), DataType::Int64)
}

fn text(e: Expr) -> Expr {
    cast(e, DataType::Utf8)
}

/// The year a date's financial year starts in (April to March).
fn fy_start(date: &Expr) -> Expr {
    let year = part("year", date.clone());
    when(part("month", date.clone()).gt_eq(lit(4i64)), year.clone()).otherwise(year.clone() - lit(1i64)).unwrap_or(year)
}

/// The financial quarter (1 = April to June) of a date.
fn fq(date: &Expr) -> Expr {
    (part("month", date.clone()) + lit(8i64)) % lit(12i64) / lit(3i64) + lit(1i64)
}

/// `2021/22` from the start year of a financial year.
fn fy_text(start: Expr) -> Expr {
    concat(vec![
        text(start.clone()),
        lit("/"),
        lpad(vec![text((start + lit(1i64)) % lit(100i64)), lit(2i64), lit("0")]),
    ])
}

/// The label of a row's period for a time dimension, from the row's date; `None` for other
/// dimensions. (`date` is the date itself.)
pub(super) fn label_expr(kind: DimensionKind, table: Table) -> Option<Expr> {
    let date = column(time_column(table));
    Some(match kind {
        DimensionKind::Date => date,
        DimensionKind::Month => to_char(date, lit("%Y-%m")),
        DimensionKind::Year => text(part("year", date)),
        DimensionKind::Quarter => {
            concat(vec![text(part("year", date.clone())), lit(" Q"), text(part("quarter", date))])
        }
        DimensionKind::FinancialYear => fy_text(fy_start(&date)),
        DimensionKind::FinancialQuarter => concat(vec![fy_text(fy_start(&date)), lit(" Q"), text(fq(&date))]),
        _ => return None,
    })
}

/// A whole-number key for a time period, cheap to compute and group by: fy `2021`, month
/// `202104`, quarter `20212`, financial quarter `20211`, year `2021`. `None` for other
/// dimensions (and for `date`, which groups by the date itself).
pub(super) fn key_expr(kind: DimensionKind, table: Table) -> Option<Expr> {
    let date = column(time_column(table));
    Some(match kind {
        DimensionKind::Year => part("year", date),
        DimensionKind::Month => part("year", date.clone()) * lit(100i64) + part("month", date),
        DimensionKind::Quarter => part("year", date.clone()) * lit(10i64) + part("quarter", date),
        DimensionKind::FinancialYear => fy_start(&date),
        DimensionKind::FinancialQuarter => fy_start(&date) * lit(10i64) + fq(&date),
        _ => return None,
    })
}

/// The label of a period from its [`key_expr`] key; the same text as [`label_expr`] gives
/// for a row of that period.
pub(super) fn label_from_key(kind: DimensionKind, key: Expr) -> Option<Expr> {
    let two = |e: Expr| lpad(vec![text(e), lit(2i64), lit("0")]);
    Some(match kind {
        DimensionKind::Year => text(key),
        DimensionKind::Month => concat(vec![text(key.clone() / lit(100i64)), lit("-"), two(key % lit(100i64))]),
        DimensionKind::Quarter => concat(vec![text(key.clone() / lit(10i64)), lit(" Q"), text(key % lit(10i64))]),
        DimensionKind::FinancialYear => fy_text(key),
        DimensionKind::FinancialQuarter => {
            concat(vec![fy_text(key.clone() / lit(10i64)), lit(" Q"), text(key % lit(10i64))])
        }
        _ => return None,
    })
}

pub(super) fn date_lit(d: NaiveDate) -> Expr {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
    lit(ScalarValue::Date32(Some((d - epoch).num_days() as i32)))
}

/// The query's time column in `range`.
pub(super) fn date_in(frame: &Frame, range: DateRange) -> Expr {
    column_in(frame.time(), range)
}

/// A date column in `[start, end)`.
pub(super) fn column_in(column: Expr, range: DateRange) -> Expr {
    column.clone().gt_eq(date_lit(range.start)).and(column.lt(date_lit(range.end)))
}
