//! Resolved queries → DataFusion logical plans, through the `LogicalPlanBuilder` API.
//! This is the only module that builds plans. No SQL text is produced or parsed here: user
//! values enter plans only as literals, so they can never change a query's structure.

use chrono::NaiveDate;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Column, ScalarValue};
use datafusion::functions::expr_fn::{concat, date_part, lower, lpad, strpos, to_char};
use datafusion::functions_aggregate::expr_fn::{avg, count, count_distinct, max, median, min, sum};
use datafusion::functions_aggregate::sum::sum_udaf;
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::{
    Expr, ExprFunctionExt, JoinType, LogicalPlan, LogicalPlanBuilder, WindowFunctionDefinition, cast, col, lit, when,
};

use crate::error::{Error, Result};
use crate::schema::{MONEY, MONEY_PRECISION, MONEY_SCALE, Table};
use crate::semantic::model::{Aggregate, DimensionKind, RowFilter, Unit};
use crate::semantic::{
    Cond, DateRange, FieldRef, OrderKey, ResolvedDimension, ResolvedQuery, Shape, Value, contract_column, time_column,
};
use crate::syntax::ast::CompareOp;

/// What a plan's expressions need to know about the query beyond a condition or measure:
/// which table's columns they read, and the dates that relative restrictions resolve to.
#[derive(Clone, Copy)]
struct Frame {
    table: Table,
    as_of: NaiveDate,
    expiry_window: Option<DateRange>,
}

impl Frame {
    fn of(query: &ResolvedQuery) -> Frame {
        Frame { table: query.table, as_of: query.as_of, expiry_window: query.expiry_window }
    }

    fn time(&self) -> Expr {
        column(time_column(self.table))
    }
}

/// A column by its exact name. `col` would parse the name as SQL (lower-casing it and
/// splitting at dots), which output headings such as `Salford` or `spend 2021/22` are not.
fn column(name: impl Into<String>) -> Expr {
    Expr::Column(Column::from_name(name))
}

/// Build the plan for `query`; `scan` gives a plan reading a table.
pub fn build_plan(query: &ResolvedQuery, scan: &dyn Fn(Table) -> Result<LogicalPlan>) -> Result<LogicalPlan> {
    match &query.shape {
        Shape::Shared { entity, councils, with_contracts } => {
            return shared_plan(query, entity, councils, *with_contracts, scan);
        }
        Shape::Opportunities { councils } => return opportunities_plan(query, councils, scan),
        _ => {}
    }
    let frame = Frame::of(query);
    let scan = scan(query.table)?;
    let mut builder = LogicalPlanBuilder::from(scan.clone());

    // Row filter: the query's `where`, plus the union of compared periods.
    let mut row_filter = match &query.filter {
        Some(c) => Some(cond_expr(c, query, &frame)?),
        None => None,
    };
    // A restriction every measure shares (`spend card, transactions card`) filters rows
    // instead: groups with no such rows then do not appear, and the scan reads less.
    let shared_filters: Vec<RowFilter> = match query.measures.first() {
        Some(first) => {
            first.filters.iter().copied().filter(|f| query.measures.iter().all(|m| m.filters.contains(f))).collect()
        }
        None => Vec::new(),
    };
    for f in &shared_filters {
        let e = row_filter_expr(*f, &frame);
        row_filter = Some(match row_filter {
            Some(existing) => existing.and(e),
            None => e,
        });
    }
    // The same rule for a defined measure's `where` (`define measure big payments =
    // transactions where amount >= £25k`): it is that measure's restriction, so when every
    // measure carries it, groups without such payments do not appear either (issue 9).
    let shared_condition = match query.measures.split_first() {
        Some((first, rest)) => {
            first.condition.as_ref().filter(|c| rest.iter().all(|m| m.condition.as_ref() == Some(*c)))
        }
        None => None,
    };
    if let Some(c) = shared_condition {
        let e = cond_expr_rows(c, &frame)?;
        row_filter = Some(match row_filter {
            Some(existing) => existing.and(e),
            None => e,
        });
    }
    if let Shape::Compare { current, previous, .. } = &query.shape {
        let either = date_in(&frame, current).or(date_in(&frame, previous));
        row_filter = Some(match row_filter {
            Some(f) => f.and(either),
            None => either,
        });
    }
    if let Some(f) = row_filter {
        builder = builder.filter(f)?;
    }

    // Grouping keys. The supplier dimension groups by key and gets its label afterwards.
    let mut group_exprs = Vec::new();
    for dim in &query.dimensions {
        // Time periods group by a whole number (`202104`) and get their text label after
        // aggregating: formatting a label for every row costs more than the aggregation.
        let key = time_key_expr(dim.def.kind, frame.table).unwrap_or_else(|| dimension_expr(dim.def.kind, frame.table));
        group_exprs.push(key.alias(group_alias(dim.def.kind, dim.label())));
    }

    // Aggregates. A measure may need several aggregates combined afterwards (a ratio), so
    // each gives its aggregates and the expression that computes its column from them.
    let mut aggregates = Vec::new();
    let mut computed = Vec::new(); // (column name, expression over the aggregates)
    // Output columns in order, each with whether it belongs to a hidden measure (one named
    // only in `having` or `order by`). Tracked per column, not by name pattern: `contract
    // value share` must not be hidden by a hidden `contract value`.
    let mut shown: Vec<(String, bool)> = Vec::new();
    let mut add = |m: &crate::semantic::ResolvedMeasure, extra: Option<Expr>, name: String| -> Result<()> {
        let (aggs, value) = measure_aggregates(m, extra, &shared_filters, shared_condition.is_some(), &name, &frame)?;
        aggregates.extend(aggs);
        computed.push((name, value));
        Ok(())
    };
    match &query.shape {
        Shape::Plain => {
            for m in &query.measures {
                add(m, None, m.label.clone())?;
            }
        }
        Shape::Compare { current, current_label, previous, previous_label } => {
            for m in &query.measures {
                add(m, Some(date_in(&frame, current)), format!("{} {current_label}", m.label))?;
                add(m, Some(date_in(&frame, previous)), format!("{} {previous_label}", m.label))?;
            }
        }
        Shape::Pivot { dimension, values } => {
            let key = dimension_expr(dimension.def.kind, frame.table);
            let single = query.measures.iter().filter(|m| !m.hidden).count() == 1;
            for m in &query.measures {
                for v in values {
                    let name = if single && !m.hidden { v.clone() } else { format!("{v} {}", m.label) };
                    add(m, Some(key.clone().eq(lit(v.as_str()))), name)?;
                }
                add(m, None, if single { "total".to_string() } else { format!("total {}", m.label) })?;
            }
        }
        Shape::Shared { .. } | Shape::Opportunities { .. } => unreachable!("planned above"),
    }
    let group_names: Vec<String> = query.dimensions.iter().map(|d| group_alias(d.def.kind, d.label())).collect();
    builder = builder.aggregate(group_exprs, aggregates)?;
    let relabel = query.dimensions.iter().any(|d| time_key_expr(d.def.kind, frame.table).is_some());
    if relabel || computed.iter().any(|(name, value)| value != &column(name.as_str())) {
        let mut exprs: Vec<Expr> = query
            .dimensions
            .iter()
            .zip(&group_names)
            .map(|(d, g)| match time_label_from_key(d.def.kind, column(g.as_str())) {
                Some(label) => label.alias(g.as_str()),
                None => column(g.as_str()),
            })
            .collect();
        exprs.extend(computed.into_iter().map(|(name, value)| value.alias(name)));
        builder = builder.project(exprs)?;
    }

    // Supplier labels: the most common published name for each key.
    if query.dimensions.iter().any(|d| d.def.kind == DimensionKind::Supplier) {
        let names = supplier_names(scan)?;
        builder = builder.join(names, JoinType::Left, (vec![SUPPLIER_KEY_ALIAS], vec!["__name_key"]), None)?;
    }

    // Output columns: dimensions, then measures (shares and compare columns computed here).
    let mut projection = Vec::new();
    for dim in &query.dimensions {
        if dim.def.kind == DimensionKind::Supplier {
            projection.push(col("__supplier_name").alias(dim.label()));
        } else {
            projection.push(column(dim.label()));
        }
        shown.push((dim.label().to_string(), false));
    }
    let mut window_exprs = Vec::new();
    match &query.shape {
        Shape::Plain => {
            for m in &query.measures {
                if m.share {
                    let within: Vec<Expr> =
                        query.share_within.iter().map(|i| column(query.dimensions[*i].label())).collect();
                    let value = cast(column(&m.label), DataType::Float64);
                    let total = Expr::from(WindowFunction::new(
                        WindowFunctionDefinition::AggregateUDF(sum_udaf()),
                        vec![value.clone()],
                    ))
                    .partition_by(within)
                    .build()?
                    .alias(format!("__total {}", m.label));
                    window_exprs.push(total);
                }
            }
            for m in &query.measures {
                let expr = if m.share {
                    let total = column(format!("__total {}", m.label));
                    (cast(column(&m.label), DataType::Float64) * lit(100.0) / nullif_zero(total)).alias(&m.label)
                } else {
                    column(&m.label)
                };
                projection.push(expr);
                shown.push((m.label.clone(), m.hidden));
            }
        }
        Shape::Compare { current_label, previous_label, .. } => {
            let visible: Vec<_> = query.measures.iter().filter(|m| !m.hidden).collect();
            for m in &query.measures {
                let a = format!("{} {current_label}", m.label);
                let b = format!("{} {previous_label}", m.label);
                let (change, pct) = if visible.len() == 1 && !m.hidden {
                    ("change".to_string(), "change %".to_string())
                } else {
                    (format!("{} change", m.label), format!("{} change %", m.label))
                };
                let diff = coalesce_zero(column(&a), m.unit()) - coalesce_zero(column(&b), m.unit());
                let pct_expr = (cast(coalesce_zero(column(&a), m.unit()), DataType::Float64)
                    - cast(column(&b), DataType::Float64))
                    * lit(100.0)
                    / nullif_zero(cast(column(&b), DataType::Float64));
                projection.push(column(&a));
                projection.push(column(&b));
                projection.push(diff.alias(&change));
                projection.push(pct_expr.alias(&pct));
                shown.extend([a, b, change, pct].map(|c| (c, m.hidden)));
            }
        }
        Shape::Pivot { values, .. } => {
            let single = query.measures.iter().filter(|m| !m.hidden).count() == 1;
            for m in &query.measures {
                for v in values {
                    let name = if single && !m.hidden { v.clone() } else { format!("{v} {}", m.label) };
                    projection.push(column(&name));
                    shown.push((name, m.hidden));
                }
                let total = if single { "total".to_string() } else { format!("total {}", m.label) };
                projection.push(column(&total));
                shown.push((total, m.hidden));
            }
        }
        Shape::Shared { .. } | Shape::Opportunities { .. } => unreachable!("planned above"),
    }
    if !window_exprs.is_empty() {
        builder = builder.window(window_exprs)?;
    }
    builder = builder.project(projection)?;

    if let Some(h) = &query.having {
        builder = builder.filter(cond_expr(h, query, &frame)?)?;
    }

    // Ranking: overall it is a sort and a limit; within groups, a row number per group.
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
            builder = builder.filter(col("__rank").lt_eq(lit(rank.count as i64)))?;
            for p in partition {
                order.push((p, true));
            }
            order.push((measure, !rank.descending));
        }
    }
    for (key, descending) in &query.order {
        let expr = match key {
            OrderKey::Dimension(i) => column(query.dimensions[*i].label()),
            OrderKey::Measure(i) => column(&query.measures[*i].label),
            OrderKey::Column(name) => column(name),
        };
        order.push((expr, !descending));
    }
    if order.is_empty() {
        order = default_order(query);
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

    // Hide helper columns and hidden measures.
    let final_columns: Vec<Expr> = shown
        .iter()
        .filter(|(_, hidden)| !hidden)
        .map(|(name, _)| Expr::Column(Column::from_name(name.as_str())))
        .collect();
    builder = builder.project(final_columns)?;
    Ok(builder.build()?)
}

/// The key a shared-buying report groups by, on either table: supplier key or category.
fn entity_key(entity: &ResolvedDimension) -> Expr {
    match entity.def.kind {
        DimensionKind::Supplier => col("supplier_key"),
        kind => dimension_expr(kind, Table::Spend),
    }
}

/// Spend rows a shared-buying report reads: the `where` filter, named suppliers only when
/// grouping by supplier (a redacted beneficiary is not one supplier).
fn report_rows(query: &ResolvedQuery, spend: LogicalPlan, key: &Expr, supplier: bool) -> Result<LogicalPlanBuilder> {
    let frame = Frame::of(query);
    let mut keep = key.clone().is_not_null();
    if supplier {
        keep = keep.and(col("redacted").is_false());
    }
    if let Some(c) = &query.filter {
        keep = keep.and(cond_expr_rows(c, &frame)?);
    }
    Ok(LogicalPlanBuilder::from(spend).filter(keep)?)
}

/// Whether a contract row covers `council`: its own, or a collaborative one naming it.
fn covers(council: &str) -> Expr {
    col("council").eq(lit(council)).or(strpos(
        datafusion::functions::expr_fn::coalesce(vec![col("collaborative"), lit("")]),
        lit(council),
    )
    .gt(lit(0i64)))
}

/// `suppliers shared by council`: per supplier (or category) bought by two or more
/// councils, the number of councils, spend per council, whether each council has a
/// contract covering it, and the total.
fn shared_plan(
    query: &ResolvedQuery,
    entity: &ResolvedDimension,
    councils: &[String],
    with_contracts: bool,
    scan: &dyn Fn(Table) -> Result<LogicalPlan>,
) -> Result<LogicalPlan> {
    let spend = scan(Table::Spend)?;
    let supplier = entity.def.kind == DimensionKind::Supplier;
    let key = entity_key(entity);
    let mut aggregates = vec![count_distinct(col("council")).alias("councils")];
    for c in councils {
        aggregates
            .push(sum(col("amount")).filter(col("council").eq(lit(c.as_str()))).build()?.alias(format!("{c} spend")));
    }
    aggregates.push(sum(col("amount")).alias("total spend"));
    let mut builder = report_rows(query, spend.clone(), &key, supplier)?
        .aggregate(vec![key.clone().alias("__key")], aggregates)?
        .filter(col("councils").gt_eq(lit(2i64)))?;
    if with_contracts {
        let has: Vec<Expr> = councils
            .iter()
            .map(|c| datafusion::functions_aggregate::expr_fn::bool_or(covers(c)).alias(format!("__has {c}")))
            .collect();
        let contracts = LogicalPlanBuilder::from(scan(Table::Contracts)?)
            .filter(key.clone().is_not_null())?
            .aggregate(vec![key.alias("__contract_key")], has)?
            .build()?;
        builder = builder.join(contracts, JoinType::Left, (vec!["__key"], vec!["__contract_key"]), None)?;
    }
    let label = entity.label();
    let mut projection = Vec::new();
    if supplier {
        builder = builder.join(supplier_names(spend)?, JoinType::Left, (vec!["__key"], vec!["__name_key"]), None)?;
        projection.push(col("__supplier_name").alias(label));
    } else {
        projection.push(col("__key").alias(label));
    }
    projection.push(col("councils"));
    for c in councils {
        projection.push(column(format!("{c} spend")));
        if with_contracts {
            let has = datafusion::functions::expr_fn::coalesce(vec![column(format!("__has {c}")), lit(false)]);
            projection.push(when(has, lit("yes")).otherwise(lit("no"))?.alias(format!("{c} contract")));
        }
    }
    projection.push(column("total spend"));
    builder = builder
        .project(projection)?
        .sort(vec![column("total spend").sort(false, false), column(label).sort(true, false)])?;
    if let Some(l) = query.limit {
        builder = builder.limit(0, Some(usize::try_from(l).unwrap_or(usize::MAX)))?;
    }
    Ok(builder.build()?)
}

/// `collaboration opportunities`: suppliers and categories that two or more councils buy
/// off-contract, ranked by the off-contract spend summed across councils.
fn opportunities_plan(
    query: &ResolvedQuery,
    councils: &[String],
    scan: &dyn Fn(Table) -> Result<LogicalPlan>,
) -> Result<LogicalPlan> {
    let spend = scan(Table::Spend)?;
    let frame = Frame::of(query);
    let mut branches = Vec::new();
    for (kind, label) in [(DimensionKind::Supplier, "supplier"), (DimensionKind::Column("category"), "category")] {
        let key = match kind {
            DimensionKind::Supplier => col("supplier_key"),
            _ => col("category"),
        };
        let mut aggregates = vec![count_distinct(col("council")).alias("councils")];
        for c in councils {
            aggregates.push(
                sum(col("amount"))
                    .filter(col("council").eq(lit(c.as_str())))
                    .build()?
                    .alias(format!("{c} off-contract")),
            );
        }
        aggregates.push(sum(col("amount")).alias("off-contract spend"));
        let mut keep = key.clone().is_not_null().and(row_filter_expr(RowFilter::OffContract, &frame));
        if let Some(c) = &query.filter {
            keep = keep.and(cond_expr_rows(c, &frame)?);
        }
        let mut builder = LogicalPlanBuilder::from(spend.clone())
            .filter(keep)?
            .aggregate(vec![key.alias("__key")], aggregates)?
            .filter(col("councils").gt_eq(lit(2i64)))?;
        let name = if kind == DimensionKind::Supplier {
            builder = builder.join(
                supplier_names(spend.clone())?,
                JoinType::Left,
                (vec!["__key"], vec!["__name_key"]),
                None,
            )?;
            col("__supplier_name")
        } else {
            col("__key")
        };
        let mut projection =
            vec![lit(label).alias("opportunity"), cast(name, DataType::Utf8).alias("name"), col("councils")];
        projection.extend(councils.iter().map(|c| column(format!("{c} off-contract"))));
        projection.push(column("off-contract spend"));
        branches.push(builder.project(projection)?.build()?);
    }
    let mut branches = branches.into_iter();
    let mut builder = LogicalPlanBuilder::from(branches.next().expect("two branches"));
    for other in branches {
        builder = builder.union(other)?;
    }
    builder = builder.sort(vec![
        column("off-contract spend").sort(false, false),
        column("opportunity").sort(true, false),
        column("name").sort(true, false),
    ])?;
    if let Some(l) = query.limit {
        builder = builder.limit(0, Some(usize::try_from(l).unwrap_or(usize::MAX)))?;
    }
    Ok(builder.build()?)
}

/// Time dimensions read chronologically; otherwise the largest first measure comes first.
fn default_order(query: &ResolvedQuery) -> Vec<(Expr, bool)> {
    let has_time = query.dimensions.iter().any(|d| d.def.kind.is_time());
    let mut order = Vec::new();
    let first_visible = query.measures.iter().find(|m| !m.hidden);
    if !has_time
        && matches!(query.shape, Shape::Plain)
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

const SUPPLIER_KEY_ALIAS: &str = "__supplier_key";

fn group_alias(kind: DimensionKind, label: &str) -> String {
    if kind == DimensionKind::Supplier { SUPPLIER_KEY_ALIAS.to_string() } else { label.to_string() }
}

/// `supplier_key → most common supplier_name`, over the whole table.
fn supplier_names(scan: LogicalPlan) -> Result<LogicalPlan> {
    let counted = LogicalPlanBuilder::from(scan)
        .aggregate(vec![col("supplier_key"), col("supplier_name")], vec![count(lit(1)).alias("__n")])?
        .window(vec![
            row_number()
                .partition_by(vec![col("supplier_key")])
                .order_by(vec![col("__n").sort(false, false), col("supplier_name").sort(true, false)])
                .build()?
                .alias("__name_rank"),
        ])?
        .filter(col("__name_rank").eq(lit(1u64)))?
        .project(vec![col("supplier_key").alias("__name_key"), col("supplier_name").alias("__supplier_name")])?
        .build()?;
    Ok(counted)
}

/// The value a row of `table` has for a dimension. Time labels must match
/// [`crate::semantic::time_label`].
pub fn dimension_expr(kind: DimensionKind, table: Table) -> Expr {
    let date = || column(time_column(table));
    let part = |p: &str| cast(date_part(lit(p), date()), DataType::Int64);
    let text = |e: Expr| cast(e, DataType::Utf8);
    let fy_start = || {
        when(part("month").gt_eq(lit(4i64)), part("year"))
            .otherwise(part("year") - lit(1i64))
            .unwrap_or_else(|_| part("year"))
    };
    let fy_label = || {
        concat(vec![
            text(fy_start()),
            lit("/"),
            lpad(vec![text((fy_start() + lit(1i64)) % lit(100i64)), lit(2i64), lit("0")]),
        ])
    };
    match kind {
        DimensionKind::Column(c) => col(c),
        DimensionKind::Supplier => col("supplier_key"),
        DimensionKind::Contract => column(contract_column(table)),
        DimensionKind::Flag(c) => when(column(c).is_true(), lit("yes"))
            .when(column(c).is_false(), lit("no"))
            .end()
            .unwrap_or_else(|_| lit(ScalarValue::Utf8(None))),
        DimensionKind::Date => date(),
        DimensionKind::Month => to_char(date(), lit("%Y-%m")),
        DimensionKind::Year => text(part("year")),
        DimensionKind::Quarter => concat(vec![text(part("year")), lit(" Q"), text(part("quarter"))]),
        DimensionKind::FinancialYear => fy_label(),
        DimensionKind::FinancialQuarter => {
            concat(vec![fy_label(), lit(" Q"), text((part("month") + lit(8i64)) % lit(12i64) / lit(3i64) + lit(1i64))])
        }
    }
}

/// A whole-number key for a time period, cheap to compute and group by: fy `2021`, month
/// `202104`, quarter `20212`, financial quarter `20211`, year `2021`. `None` for other
/// dimensions (and for `date`, which groups by the date itself).
fn time_key_expr(kind: DimensionKind, table: Table) -> Option<Expr> {
    let date = || column(time_column(table));
    let part = |p: &str| cast(date_part(lit(p), date()), DataType::Int64);
    let fy_start = || {
        when(part("month").gt_eq(lit(4i64)), part("year"))
            .otherwise(part("year") - lit(1i64))
            .unwrap_or_else(|_| part("year"))
    };
    Some(match kind {
        DimensionKind::Year => part("year"),
        DimensionKind::Month => part("year") * lit(100i64) + part("month"),
        DimensionKind::Quarter => part("year") * lit(10i64) + part("quarter"),
        DimensionKind::FinancialYear => fy_start(),
        DimensionKind::FinancialQuarter => {
            fy_start() * lit(10i64) + (part("month") + lit(8i64)) % lit(12i64) / lit(3i64) + lit(1i64)
        }
        _ => return None,
    })
}

/// The label of a period from its [`time_key_expr`] key; the same text as
/// [`dimension_expr`] gives for a row of that period.
fn time_label_from_key(kind: DimensionKind, key: Expr) -> Option<Expr> {
    let text = |e: Expr| cast(e, DataType::Utf8);
    let two = |e: Expr| lpad(vec![text(e), lit(2i64), lit("0")]);
    let fy = |start: Expr| concat(vec![text(start.clone()), lit("/"), two((start + lit(1i64)) % lit(100i64))]);
    Some(match kind {
        DimensionKind::Year => text(key),
        DimensionKind::Month => concat(vec![text(key.clone() / lit(100i64)), lit("-"), two(key % lit(100i64))]),
        DimensionKind::Quarter => concat(vec![text(key.clone() / lit(10i64)), lit(" Q"), text(key % lit(10i64))]),
        DimensionKind::FinancialYear => fy(key),
        DimensionKind::FinancialQuarter => {
            concat(vec![fy(key.clone() / lit(10i64)), lit(" Q"), text(key % lit(10i64))])
        }
        _ => return None,
    })
}

fn date_lit(d: NaiveDate) -> Expr {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
    lit(ScalarValue::Date32(Some((d - epoch).num_days() as i32)))
}

fn date_in(frame: &Frame, range: &DateRange) -> Expr {
    column_in(frame.time(), range)
}

fn column_in(column: Expr, range: &DateRange) -> Expr {
    column.clone().gt_eq(date_lit(range.start)).and(column.lt(date_lit(range.end)))
}

pub fn money_lit(pence: i128) -> Expr {
    lit(ScalarValue::Decimal128(Some(pence), MONEY_PRECISION, MONEY_SCALE))
}

fn nullif_zero(e: Expr) -> Expr {
    datafusion::functions::expr_fn::nullif(e, lit(0.0))
}

fn coalesce_zero(e: Expr, unit: Unit) -> Expr {
    let zero = match unit {
        Unit::Money => money_lit(0),
        Unit::Count => lit(0i64),
        Unit::Percent => lit(0.0),
    };
    datafusion::functions::expr_fn::coalesce(vec![e, zero])
}

fn row_filter_expr(f: RowFilter, frame: &Frame) -> Expr {
    match f {
        RowFilter::Card => col("is_card").is_true(),
        RowFilter::Credits => col("amount").lt(money_lit(0)),
        RowFilter::OnContract => col("contract_ref").is_not_null(),
        RowFilter::OffContract => col("contract_ref").is_null().and(col("redacted").is_false()),
        RowFilter::Expiring => match &frame.expiry_window {
            Some(window) => column_in(col("expiry_date"), window),
            None => lit(false),
        },
        RowFilter::Active => {
            col("start_date").lt_eq(date_lit(frame.as_of)).and(col("expiry_date").gt_eq(date_lit(frame.as_of)))
        }
    }
}

/// The aggregates a measure needs, and the expression computing its column `name` from
/// them once aggregated.
fn measure_aggregates(
    m: &crate::semantic::ResolvedMeasure,
    extra: Option<Expr>,
    already_applied: &[RowFilter],
    condition_applied: bool,
    name: &str,
    frame: &Frame,
) -> Result<(Vec<Expr>, Expr)> {
    let mut conditions: Vec<Expr> =
        m.filters.iter().filter(|f| !already_applied.contains(f)).map(|f| row_filter_expr(*f, frame)).collect();
    if let Some(c) = m.condition.as_ref().filter(|_| !condition_applied) {
        conditions.push(cond_expr_rows(c, frame)?);
    }
    conditions.extend(extra);
    let restrict = |base: Expr, more: Option<Expr>| -> Result<Expr> {
        match conditions.iter().cloned().chain(more).reduce(Expr::and) {
            Some(f) => Ok(base.filter(f).build()?),
            None => Ok(base),
        }
    };
    if m.def.aggregate == Aggregate::OnContractShare {
        let on = format!("__on {name}");
        let named = format!("__named {name}");
        let aggs = vec![
            restrict(sum(col("amount")), Some(row_filter_expr(RowFilter::OnContract, frame)))?.alias(&on),
            restrict(sum(col("amount")), Some(col("redacted").is_false()))?.alias(&named),
        ];
        let value =
            cast(column(&on), DataType::Float64) * lit(100.0) / nullif_zero(cast(column(&named), DataType::Float64));
        return Ok((aggs, value));
    }
    let base = match m.def.aggregate {
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
                .map(|c| datafusion::functions::expr_fn::coalesce(vec![column(*c), money_lit(0)]))
                .reduce(|a, b| a + b)
                .unwrap_or_else(|| money_lit(0));
            sum(total)
        }
        Aggregate::OnContractShare => unreachable!("handled above"),
    };
    let filtered = restrict(base, None)?;
    let aggregate = match m.def.aggregate {
        // Averages and medians of money are money: back to pounds and pence.
        Aggregate::Average(_) | Aggregate::Median(_) => cast(filtered, MONEY),
        _ => filtered,
    };
    Ok((vec![aggregate.alias(name)], column(name)))
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

/// A condition on rows (no measures allowed).
fn cond_expr_rows(c: &Cond, frame: &Frame) -> Result<Expr> {
    cond_to_expr(c, frame, &|_| Err(Error::execution("a measure cannot be used in a row condition")))
}

/// A condition in `where` or `having` of `query`.
fn cond_expr(c: &Cond, query: &ResolvedQuery, frame: &Frame) -> Result<Expr> {
    cond_to_expr(c, frame, &|i| Ok(column(&query.measures[i].label)))
}

fn cond_to_expr(c: &Cond, frame: &Frame, measure: &dyn Fn(usize) -> Result<Expr>) -> Result<Expr> {
    let field = |f: &FieldRef| -> Result<Expr> {
        Ok(match f {
            FieldRef::Column(c) => column(*c),
            FieldRef::Supplier => col("supplier_name"),
            FieldRef::Measure(i) => measure(*i)?,
        })
    };
    Ok(match c {
        Cond::Compare { field: FieldRef::Supplier, op, value: Value::Text(t) } => {
            compare(lower(col("supplier_name")), *op, lower(lit(t.as_str())))
        }
        Cond::Compare { field: f, op, value } => compare(field(f)?, *op, value_expr(value)),
        Cond::InList { field: f, values, negated } => {
            field(f)?.in_list(values.iter().map(value_expr).collect(), *negated)
        }
        Cond::DateIn { range } => date_in(frame, range),
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
