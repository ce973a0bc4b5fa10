//! Reports: `suppliers shared by council` / `categories shared by council`, and
//! `collaboration opportunities`. Each is a fixed plan over spend (and the register), with
//! columns per council. The payment checks, which list payments, are in `payments`.

use datafusion::arrow::datatypes::DataType;
use datafusion::functions::expr_fn::{coalesce, strpos};
use datafusion::functions_aggregate::expr_fn::{bool_or, count_distinct, sum};
use datafusion::logical_expr::{Expr, ExprFunctionExt, JoinType, LogicalPlan, LogicalPlanBuilder, cast, lit, when};

use super::dimensions::{NAME_KEY, SUPPLIER_NAME_ALIAS, dimension_expr, supplier_names};
use super::frame::{Frame, Scan, column, limit};
use super::rows::{row_condition, row_filter_expr};
use crate::error::Result;
use crate::schema::{Table, contracts, spend};
use crate::semantic::ir::{ReportShape, ResolvedDimension, ResolvedQuery};
use crate::semantic::model::{DimensionKind, RowFilter};

const KEY: &str = "__key";
const COUNCILS: &str = "councils";
const TOTAL_SPEND: &str = "total spend";
const OFF_CONTRACT_SPEND: &str = "off-contract spend";

pub(super) fn plan(query: &ResolvedQuery, report: &ReportShape, scan: Scan) -> Result<LogicalPlan> {
    match report {
        ReportShape::Shared { entity, councils, with_contracts } => {
            shared(query, entity, councils, *with_contracts, scan)
        }
        ReportShape::Opportunities { councils } => opportunities(query, councils, scan),
        ReportShape::Duplicates { window_days } => super::payments::duplicates(query, *window_days, scan),
        ReportShape::Unusual { times, min_payments } => super::payments::unusual(query, *times, *min_payments, scan),
        ReportShape::NewSuppliers => super::payments::new_suppliers(query, scan),
    }
}

/// The number of councils buying, and `sum(amount)` per council named `{council} {suffix}`.
fn per_council(councils: &[String], suffix: &str) -> Result<Vec<Expr>> {
    let mut aggregates = vec![count_distinct(column(spend::COUNCIL)).alias(COUNCILS)];
    for c in councils {
        aggregates.push(
            sum(column(spend::AMOUNT))
                .filter(column(spend::COUNCIL).eq(lit(c.as_str())))
                .build()?
                .alias(format!("{c} {suffix}")),
        );
    }
    Ok(aggregates)
}

/// Spend that is procurement: benchmarking and collaboration compare what councils buy, and
/// levies, grants or tax (the `Out of scope` category) are not bought.
fn in_scope() -> Expr {
    column(spend::CATEGORY).not_eq(lit(crate::taxonomy::OUT_OF_SCOPE_LABEL))
}

/// Whether a contract row covers `council`: its own, or a collaborative one naming it.
fn covers(council: &str) -> Expr {
    column(contracts::COUNCIL).eq(lit(council)).or(strpos(
        coalesce(vec![column(contracts::COLLABORATIVE), lit("")]),
        lit(council),
    )
    .gt(lit(0i64)))
}

/// `suppliers shared by council`: per supplier (or category) bought by two or more
/// councils, the number of councils, spend per council, whether each council has a
/// contract covering it, and the total.
fn shared(
    query: &ResolvedQuery,
    entity: &ResolvedDimension,
    councils: &[String],
    with_contracts: bool,
    scan: Scan,
) -> Result<LogicalPlan> {
    let frame = Frame::of(query);
    let spend_rows = scan(Table::Spend)?;
    let supplier = entity.def.kind == DimensionKind::Supplier;
    // The same key on either table: supplier key or category.
    let key = dimension_expr(entity.def.kind, Table::Spend);
    // Named suppliers only when grouping by supplier: a redacted beneficiary is not one.
    let mut keep = key.clone().is_not_null();
    if supplier {
        keep = keep.and(column(spend::REDACTED).is_false());
    } else {
        keep = keep.and(in_scope());
    }
    if let Some(c) = &query.filter {
        keep = keep.and(row_condition(c, &frame)?);
    }
    let mut aggregates = per_council(councils, "spend")?;
    aggregates.push(sum(column(spend::AMOUNT)).alias(TOTAL_SPEND));
    let mut builder = LogicalPlanBuilder::from(spend_rows.clone())
        .filter(keep)?
        .aggregate(vec![key.clone().alias(KEY)], aggregates)?
        .filter(column(COUNCILS).gt_eq(lit(2i64)))?;
    if with_contracts {
        let has: Vec<Expr> = councils.iter().map(|c| bool_or(covers(c)).alias(format!("__has {c}"))).collect();
        let contracts = LogicalPlanBuilder::from(scan(Table::Contracts)?)
            .filter(key.clone().is_not_null())?
            .aggregate(vec![key.alias("__contract_key")], has)?
            .build()?;
        builder = builder.join(contracts, JoinType::Left, (vec![KEY], vec!["__contract_key"]), None)?;
    }
    let label = entity.label();
    let mut projection = Vec::new();
    if supplier {
        builder = builder.join(supplier_names(scan)?, JoinType::Left, (vec![KEY], vec![NAME_KEY]), None)?;
        projection.push(column(SUPPLIER_NAME_ALIAS).alias(label));
    } else {
        projection.push(column(KEY).alias(label));
    }
    projection.push(column(COUNCILS));
    for c in councils {
        projection.push(column(format!("{c} spend")));
        if with_contracts {
            let has = coalesce(vec![column(format!("__has {c}")), lit(false)]);
            projection.push(when(has, lit("yes")).otherwise(lit("no"))?.alias(format!("{c} contract")));
        }
    }
    projection.push(column(TOTAL_SPEND));
    builder = builder
        .project(projection)?
        .sort(vec![column(TOTAL_SPEND).sort(false, false), column(label).sort(true, false)])?;
    Ok(limit(builder, query.limit)?.build()?)
}

/// `collaboration opportunities`: suppliers and categories that two or more councils buy
/// off-contract, ranked by the off-contract spend summed across councils.
fn opportunities(query: &ResolvedQuery, councils: &[String], scan: Scan) -> Result<LogicalPlan> {
    let spend_rows = scan(Table::Spend)?;
    let suppliers = opportunity_rows(query, councils, &spend_rows, true, scan)?;
    let categories = opportunity_rows(query, councils, &spend_rows, false, scan)?;
    let builder = LogicalPlanBuilder::from(suppliers).union(categories)?.sort(vec![
        column(OFF_CONTRACT_SPEND).sort(false, false),
        column("opportunity").sort(true, false),
        column("name").sort(true, false),
    ])?;
    Ok(limit(builder, query.limit)?.build()?)
}

/// The opportunities among suppliers (by key, labelled with their name) or categories.
fn opportunity_rows(
    query: &ResolvedQuery,
    councils: &[String],
    spend_rows: &LogicalPlan,
    supplier: bool,
    scan: Scan,
) -> Result<LogicalPlan> {
    let frame = Frame::of(query);
    let key = column(if supplier { spend::SUPPLIER_KEY } else { spend::CATEGORY });
    let mut aggregates = per_council(councils, "off-contract")?;
    aggregates.push(sum(column(spend::AMOUNT)).alias(OFF_CONTRACT_SPEND));
    let mut keep = key.clone().is_not_null().and(row_filter_expr(RowFilter::OffContract, &frame));
    if !supplier {
        keep = keep.and(in_scope());
    }
    if let Some(c) = &query.filter {
        keep = keep.and(row_condition(c, &frame)?);
    }
    let mut builder = LogicalPlanBuilder::from(spend_rows.clone())
        .filter(keep)?
        .aggregate(vec![key.alias(KEY)], aggregates)?
        .filter(column(COUNCILS).gt_eq(lit(2i64)))?;
    let name = if supplier {
        builder = builder.join(supplier_names(scan)?, JoinType::Left, (vec![KEY], vec![NAME_KEY]), None)?;
        column(SUPPLIER_NAME_ALIAS)
    } else {
        column(KEY)
    };
    let label = if supplier { "supplier" } else { "category" };
    let mut projection =
        vec![lit(label).alias("opportunity"), cast(name, DataType::Utf8).alias("name"), column(COUNCILS)];
    projection.extend(councils.iter().map(|c| column(format!("{c} off-contract"))));
    projection.push(column(OFF_CONTRACT_SPEND));
    Ok(builder.project(projection)?.build()?)
}
