//! The payment checks: `possible duplicate payments`, `unusual payments` and `new
//! suppliers`. Unlike the other reports they list payments (or suppliers), not totals: each is a fixed plan over spend rows (a
//! self-join or a join with per-supplier statistics, then windows), so a reviewer gets the
//! rows to look up in the council's ledger.
//!
//! Rules, shared by both (README, "Payment checks"): only payments over £0 to a named
//! supplier (a supplier key, not redacted) are considered, after the query's `where`; and a
//! council's payments are compared only with its own, since councils pay their bills
//! separately.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Column;
use datafusion::functions::expr_fn::nullif;
use datafusion::functions_aggregate::expr_fn::{count, median, min};
use datafusion::functions_aggregate::min_max::min_udaf;
use datafusion::functions_aggregate::sum::sum_udaf;
use datafusion::functions_window::expr_fn::{dense_rank, lag};
use datafusion::logical_expr::expr::{WindowFunction, WindowFunctionDefinition};
use datafusion::logical_expr::{
    AggregateUDF, Expr, ExprFunctionExt, JoinType, LogicalPlan, LogicalPlanBuilder, cast, lit, not, when,
};

use super::frame::{Frame, Scan, column, money_lit};
use super::rows::row_condition;
use crate::error::Result;
use crate::schema::{Table, spend};
use crate::semantic::ir::ResolvedQuery;

/// The columns every payment check reads, with the transaction number's empty text as none.
const PAYMENT_COLUMNS: [&str; 8] = [
    spend::COUNCIL,
    spend::TRANSACTION_ID,
    spend::PAYMENT_DATE,
    spend::SUPPLIER_NAME,
    spend::SUPPLIER_KEY,
    spend::AMOUNT,
    spend::SOURCE_FILE,
    spend::SOURCE_ROW,
];

/// Headings of the listed payments, after the group (duplicates) and before the statistics
/// (unusual payments).
const COUNCIL: &str = "council";
const DATE: &str = "date";
const TRANSACTION: &str = "transaction id";
const SUPPLIER: &str = "supplier";
const AMOUNT: &str = "amount";
const SOURCE_FILE: &str = "source file";
const SOURCE_ROW: &str = "source row";
const GROUP: &str = "group";
const MEDIAN: &str = "supplier median";
const TIMES: &str = "times median";
const PAYMENTS: &str = "supplier payments";

/// Payments the checks consider: over £0, to a named supplier, passing `where`.
fn considered(query: &ResolvedQuery, scan: Scan) -> Result<LogicalPlan> {
    let frame = Frame::of(query);
    let mut keep = column(spend::SUPPLIER_KEY)
        .is_not_null()
        .and(column(spend::REDACTED).is_false())
        .and(column(spend::AMOUNT).gt(money_lit(0)));
    if let Some(c) = &query.filter {
        keep = keep.and(row_condition(c, &frame)?);
    }
    let projection = PAYMENT_COLUMNS
        .iter()
        .map(|&c| if c == spend::TRANSACTION_ID { nullif(column(c), lit("")).alias(c) } else { column(c) });
    Ok(LogicalPlanBuilder::from(scan(Table::Spend)?).filter(keep)?.project(projection)?.build()?)
}

fn qualified(relation: &str, name: &str) -> Expr {
    Expr::Column(Column::new(Some(relation), name))
}

/// An aggregate over a window of rows (a running sum, a group's first date).
fn aggregate_window(function: std::sync::Arc<AggregateUDF>, argument: Expr) -> Expr {
    Expr::from(WindowFunction::new(WindowFunctionDefinition::AggregateUDF(function), vec![argument]))
}

/// Days since 1970: dates subtract as whole numbers.
fn day(date: Expr) -> Expr {
    cast(date, DataType::Int32)
}

/// The listed payment's own columns, under their headings.
fn listed() -> Vec<Expr> {
    vec![
        column(spend::COUNCIL).alias(COUNCIL),
        column(spend::PAYMENT_DATE).alias(DATE),
        column(spend::TRANSACTION_ID).alias(TRANSACTION),
        column(spend::SUPPLIER_NAME).alias(SUPPLIER),
        column(spend::AMOUNT).alias(AMOUNT),
        column(spend::SOURCE_FILE).alias(SOURCE_FILE),
        column(spend::SOURCE_ROW).alias(SOURCE_ROW),
    ]
}

/// `possible duplicate payments`. Two payments pair when they are by the same council to
/// the same supplier key, of the same amount, at most `window_days` apart (either order),
/// are different rows, and do not both carry the same transaction number: one transaction
/// number on several equal lines is an invoice split across budgets, while a missing number
/// cannot rule a duplicate out. Every payment in a pair is listed. Groups are the listed
/// payments of one council, supplier and amount whose dates chain at most `window_days`
/// apart, so every payment in a group pairs with another in it; groups are numbered largest
/// amount first (then council, supplier key, first date), and `limit N` keeps N groups.
pub(super) fn duplicates(query: &ResolvedQuery, window_days: i32, scan: Scan) -> Result<LogicalPlan> {
    let payments = considered(query, scan)?;
    let (a, b) = ("__a", "__b");
    let left = |n: &str| qualified(a, n);
    let right = |n: &str| qualified(b, n);
    let same_row = left(spend::SOURCE_FILE)
        .eq(right(spend::SOURCE_FILE))
        .and(left(spend::SOURCE_ROW).eq(right(spend::SOURCE_ROW)));
    let same_transaction = left(spend::TRANSACTION_ID)
        .is_not_null()
        .and(right(spend::TRANSACTION_ID).is_not_null())
        .and(left(spend::TRANSACTION_ID).eq(right(spend::TRANSACTION_ID)));
    let window = i64::from(window_days);
    let apart = cast(day(right(spend::PAYMENT_DATE)) - day(left(spend::PAYMENT_DATE)), DataType::Int64);
    let on = vec![
        left(spend::COUNCIL).eq(right(spend::COUNCIL)),
        left(spend::SUPPLIER_KEY).eq(right(spend::SUPPLIER_KEY)),
        left(spend::AMOUNT).eq(right(spend::AMOUNT)),
        apart.between(lit(-window), lit(window)),
        not(same_row),
        not(same_transaction),
    ];
    let other = LogicalPlanBuilder::from(payments.clone()).alias(b)?.build()?;
    // A semi join: each payment with at least one partner, once, however many it has.
    let involved = LogicalPlanBuilder::from(payments)
        .alias(a)?
        .join_on(other, JoinType::LeftSemi, on)?
        .project(PAYMENT_COLUMNS.iter().map(|&c| left(c).alias(c)))?;

    // Chains: within one council, supplier and amount, in date order, a payment more than
    // the window after the one before starts a new group.
    let partition = vec![column(spend::COUNCIL), column(spend::SUPPLIER_KEY), column(spend::AMOUNT)];
    let order = vec![
        column(spend::PAYMENT_DATE).sort(true, false),
        column(spend::SOURCE_FILE).sort(true, false),
        column(spend::SOURCE_ROW).sort(true, false),
    ];
    let previous = lag(column(spend::PAYMENT_DATE), Some(1), None)
        .partition_by(partition.clone())
        .order_by(order.clone())
        .build()?
        .alias("__previous");
    let mut carried: Vec<Expr> = PAYMENT_COLUMNS.iter().map(|&c| column(c)).collect();
    let starts = when(
        column("__previous").is_null().or(cast(
            day(column(spend::PAYMENT_DATE)) - day(column("__previous")),
            DataType::Int64,
        )
        .gt(lit(window))),
        lit(1i64),
    )
    .otherwise(lit(0i64))?
    .alias("__starts");
    let chain = aggregate_window(sum_udaf(), column("__starts"))
        .partition_by(partition.clone())
        .order_by(order)
        .build()?
        .alias("__chain");
    let mut in_group = partition;
    in_group.push(column("__chain"));
    let first =
        aggregate_window(min_udaf(), column(spend::PAYMENT_DATE)).partition_by(in_group).build()?.alias("__first");
    let number = dense_rank()
        .order_by(vec![
            column(spend::AMOUNT).sort(false, false),
            column(spend::COUNCIL).sort(true, false),
            column(spend::SUPPLIER_KEY).sort(true, false),
            column("__first").sort(true, false),
        ])
        .build()?
        .alias("__group");
    let mut with_starts = carried.clone();
    with_starts.push(starts);
    let builder = involved.window(vec![previous])?.project(with_starts)?.window(vec![chain])?;
    carried.push(column("__chain"));
    let mut builder = builder.project(carried)?.window(vec![first])?.window(vec![number])?;
    if let Some(n) = query.limit {
        builder = builder.filter(column("__group").lt_eq(lit(i64::try_from(n).unwrap_or(i64::MAX))))?;
    }
    let mut projection = vec![cast(column("__group"), DataType::Int64).alias(GROUP)];
    projection.extend(listed());
    Ok(builder
        .project(projection)?
        .sort(vec![
            column(GROUP).sort(true, false),
            column(DATE).sort(true, false),
            column(TRANSACTION).sort(true, true),
            column(SOURCE_FILE).sort(true, false),
            column(SOURCE_ROW).sort(true, false),
        ])?
        .build()?)
}

/// `unusual payments`: payments more than `times` the median of the council's payments to
/// that supplier (the payments considered, so `where` narrows the base too), among suppliers
/// it paid at least `min_payments` times; the largest multiple first.
pub(super) fn unusual(query: &ResolvedQuery, times: i64, min_payments: i64, scan: Scan) -> Result<LogicalPlan> {
    let payments = considered(query, scan)?;
    let stats = LogicalPlanBuilder::from(payments.clone())
        .aggregate(
            vec![column(spend::COUNCIL).alias("__council"), column(spend::SUPPLIER_KEY).alias("__key")],
            vec![median(column(spend::AMOUNT)).alias("__median"), count(lit(1i64)).alias("__payments")],
        )?
        .filter(column("__payments").gt_eq(lit(min_payments)))?
        .build()?;
    let mut projection = listed();
    projection.push(column("__median").alias(MEDIAN));
    projection.push(
        (cast(column(spend::AMOUNT), DataType::Float64) / cast(column("__median"), DataType::Float64)).alias(TIMES),
    );
    projection.push(column("__payments").alias(PAYMENTS));
    let builder = LogicalPlanBuilder::from(payments)
        .join(stats, JoinType::Inner, (vec![spend::COUNCIL, spend::SUPPLIER_KEY], vec!["__council", "__key"]), None)?
        // Exactly, in pence: the multiple shown is a float, the rule is not.
        .filter(column(spend::AMOUNT).gt(column("__median") * lit(times)))?
        .project(projection)?
        .sort(vec![
            column(TIMES).sort(false, false),
            column(AMOUNT).sort(false, false),
            column(COUNCIL).sort(true, false),
            column(DATE).sort(true, false),
            column(SOURCE_FILE).sort(true, false),
            column(SOURCE_ROW).sort(true, false),
        ])?;
    Ok(super::frame::limit(builder, query.limit)?.build()?)
}

/// `new suppliers`: per council, the suppliers (by key, named) whose first payment by that
/// council anywhere in the data is among the rows the query's `where` selects (with `where
/// date in $period`: first paid in the period), with their first payment's date and their
/// payments and spend in those rows, credits included; the largest spend first.
pub(super) fn new_suppliers(query: &ResolvedQuery, scan: Scan) -> Result<LogicalPlan> {
    let frame = Frame::of(query);
    let named = column(spend::SUPPLIER_KEY).is_not_null().and(column(spend::REDACTED).is_false());
    let spend_rows = scan(Table::Spend)?;
    let first_ever = LogicalPlanBuilder::from(spend_rows.clone())
        .filter(named.clone())?
        .aggregate(
            vec![column(spend::COUNCIL).alias("__council"), column(spend::SUPPLIER_KEY).alias("__key")],
            vec![min(column(spend::PAYMENT_DATE)).alias("__first_ever")],
        )?
        .build()?;
    let mut keep = named;
    if let Some(c) = &query.filter {
        keep = keep.and(row_condition(c, &frame)?);
    }
    let names = super::dimensions::supplier_names(scan)?;
    let builder = LogicalPlanBuilder::from(spend_rows)
        .filter(keep)?
        .aggregate(
            vec![column(spend::COUNCIL), column(spend::SUPPLIER_KEY)],
            vec![
                min(column(spend::PAYMENT_DATE)).alias("__first"),
                count(lit(1i64)).alias("payments"),
                datafusion::functions_aggregate::expr_fn::sum(column(spend::AMOUNT)).alias("spend"),
            ],
        )?
        .join(
            first_ever,
            JoinType::Inner,
            (vec![spend::COUNCIL, spend::SUPPLIER_KEY], vec!["__council", "__key"]),
            None,
        )?
        // The earliest selected payment is the earliest there is: the first one is selected.
        .filter(column("__first").eq(column("__first_ever")))?
        .join(names, JoinType::Left, (vec![spend::SUPPLIER_KEY], vec![super::dimensions::NAME_KEY]), None)?
        .project(vec![
            column(spend::COUNCIL).alias(COUNCIL),
            column(super::dimensions::SUPPLIER_NAME_ALIAS).alias(SUPPLIER),
            column("__first").alias("first payment"),
            column("payments"),
            column("spend"),
        ])?
        .sort(vec![
            column("spend").sort(false, false),
            column(COUNCIL).sort(true, false),
            column(SUPPLIER).sort(true, false),
        ])?;
    Ok(super::frame::limit(builder, query.limit)?.build()?)
}
