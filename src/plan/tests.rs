//! Stage tests of `plan` alone: resolved queries built by hand (no parser, no resolver, no
//! data) are planned over empty scans of the harmonised schemas, and the plan's output
//! columns and types are checked against what each construct promises: money stays a
//! two-place decimal, counts are integers, shares and changes % are floats, and each
//! layout's headings are the documented ones.

use chrono::NaiveDate;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::common::tree_node::TreeNode;
use datafusion::logical_expr::{Expr, FetchType, LogicalPlan, table_scan};

use super::build_plan;
use crate::error::Result;
use crate::schema::{Table, spend};
use crate::semantic::ir::{
    CompareOp, Cond, FieldRef, Layout, OrderKey, RankSpec, ReportShape, ResolvedDimension, ResolvedMeasure,
    ResolvedQuery, Shape, Value,
};
use crate::semantic::model::{self, Unit};
use crate::semantic::period::DateRange;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn fy(start_year: i32) -> DateRange {
    DateRange { start: day(&format!("{start_year}-04-01")), end: day(&format!("{}-04-01", start_year + 1)) }
}

fn scan(table: Table) -> Result<LogicalPlan> {
    Ok(table_scan(Some(table.name()), &table.schema(), None)?.build()?)
}

fn measure(name: &str) -> ResolvedMeasure {
    let mut m = ResolvedMeasure::of(model::find_measure(name).expect("a model measure"));
    m.label = name.to_string();
    m
}

fn dimension(name: &str) -> ResolvedDimension {
    ResolvedDimension { def: model::find_dimension(name).expect("a model dimension") }
}

fn query(table: Table, measures: &[&str], dimensions: &[&str]) -> ResolvedQuery {
    ResolvedQuery {
        measures: measures.iter().map(|m| measure(m)).collect(),
        dimensions: dimensions.iter().map(|d| dimension(d)).collect(),
        expiry_window: Some(fy(2022)),
        ..ResolvedQuery::grouped(table, day("2022-03-31"))
    }
}

fn plan(q: &ResolvedQuery) -> LogicalPlan {
    build_plan(q, &scan).unwrap_or_else(|e| panic!("{q:?} does not plan: {e:?}"))
}

/// The plan's output columns with their types.
fn output(q: &ResolvedQuery) -> Vec<(String, DataType)> {
    plan(q).schema().fields().iter().map(|f| (f.name().clone(), f.data_type().clone())).collect()
}

/// Every node of a plan, the root first.
fn nodes(plan: &LogicalPlan) -> Vec<&LogicalPlan> {
    let mut all = vec![plan];
    for input in plan.inputs() {
        all.extend(nodes(input));
    }
    all
}

fn has_node(q: &ResolvedQuery, is: impl Fn(&LogicalPlan) -> bool) -> bool {
    nodes(&plan(q)).into_iter().any(is)
}

fn names(q: &ResolvedQuery) -> Vec<String> {
    output(q).into_iter().map(|(n, _)| n).collect()
}

fn is_money(t: &DataType) -> bool {
    matches!(t, DataType::Decimal128(_, 2))
}

fn fits(unit: Unit, t: &DataType) -> bool {
    match unit {
        Unit::Money => is_money(t),
        Unit::Count => t == &DataType::Int64,
        Unit::Percent => t == &DataType::Float64,
        Unit::Number => t == &crate::schema::METRIC_VALUE,
    }
}

#[test]
fn every_model_measure_plans_on_its_table_with_a_type_fitting_its_unit() {
    for def in model::MEASURES {
        let q = query(def.table, &[def.name], &[]);
        let out = output(&q);
        assert_eq!(out.len(), 1, "{}: {out:?}", def.name);
        assert_eq!(out[0].0, def.name);
        assert!(fits(def.unit, &out[0].1), "{} is {:?}, not {:?}", def.name, out[0].1, def.unit);
    }
}

#[test]
fn every_model_dimension_plans_on_each_of_its_tables_as_text_or_a_date() {
    for def in model::DIMENSIONS {
        for table in def.tables {
            let m = if *table == Table::Spend { "spend" } else { "contracts" };
            let out = output(&query(*table, &[m], &[def.name]));
            assert_eq!(out[0].0, def.name, "{} on {}", def.name, table.name());
            let expected = if def.kind == model::DimensionKind::Date { DataType::Date32 } else { DataType::Utf8 };
            assert_eq!(out[0].1, expected, "{} on {}", def.name, table.name());
        }
    }
}

#[test]
fn a_plain_query_shows_dimensions_then_measures_in_their_units() {
    let q = query(Table::Spend, &["spend", "transactions", "average payment"], &["fy", "council"]);
    let out = output(&q);
    let got: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(got, ["fy", "council", "spend", "transactions", "average payment"]);
    assert_eq!(out[0].1, DataType::Utf8, "fy is relabelled from its key as text");
    assert!(is_money(&out[2].1));
    assert_eq!(out[3].1, DataType::Int64);
    assert_eq!(out[4].1, DataType::Decimal128(18, 2), "an average of money is cast back to money");
}

#[test]
fn suppliers_are_grouped_by_key_and_labelled_by_a_join() {
    let q = query(Table::Spend, &["spend"], &["supplier"]);
    assert_eq!(output(&q), [("supplier".into(), DataType::Utf8), ("spend".into(), output(&q)[1].1.clone())]);
    assert!(has_node(&q, |n| matches!(n, LogicalPlan::Join(_))));
}

#[test]
fn a_share_is_a_float_percentage_and_hides_its_window_total() {
    let mut q = query(Table::Spend, &["spend"], &["council", "category"]);
    q.measures[0].share = true;
    q.measures[0].label = "spend share".into();
    q.share_within = vec![0];
    assert_eq!(
        output(&q),
        [
            ("council".into(), DataType::Utf8),
            ("category".into(), DataType::Utf8),
            ("spend share".into(), DataType::Float64)
        ]
    );
}

fn compare(q: &mut ResolvedQuery) {
    q.shape = Shape::Grouped(Layout::Compare {
        current: fy(2022),
        current_label: "2022/23".into(),
        previous: fy(2021),
        previous_label: "2021/22".into(),
    });
}

#[test]
fn compare_gives_both_periods_then_change_and_change_percent() {
    let mut q = query(Table::Spend, &["spend"], &["council"]);
    compare(&mut q);
    let out = output(&q);
    let got: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(got, ["council", "spend 2022/23", "spend 2021/22", "change", "change %"]);
    assert!(out[1..4].iter().all(|(_, t)| is_money(t)), "{out:?}");
    assert_eq!(out[4].1, DataType::Float64);
}

#[test]
fn compare_with_two_measures_names_each_change_after_its_measure() {
    let mut q = query(Table::Spend, &["spend", "transactions"], &[]);
    compare(&mut q);
    assert_eq!(
        names(&q),
        [
            "spend 2022/23",
            "spend 2021/22",
            "spend change",
            "spend change %",
            "transactions 2022/23",
            "transactions 2021/22",
            "transactions change",
            "transactions change %"
        ]
    );
}

#[test]
fn order_by_change_sorts_on_the_change_column() {
    let mut q = query(Table::Spend, &["spend"], &["council"]);
    compare(&mut q);
    q.order = vec![(OrderKey::Change { measure: 0, percent: true }, true)];
    let p = plan(&q);
    let sort = nodes(&p).into_iter().find_map(|n| if let LogicalPlan::Sort(s) = n { Some(s) } else { None });
    let first = &sort.expect("a sort").expr[0];
    assert_eq!((&first.expr, first.asc), (&super::column("change %"), false));
}

fn pivot(q: &mut ResolvedQuery) {
    q.shape = Shape::Grouped(Layout::Pivot {
        dimension: dimension("council"),
        values: vec!["Salford".into(), "Trafford".into()],
    });
}

#[test]
fn a_pivot_gives_one_column_per_value_then_the_total() {
    let mut q = query(Table::Spend, &["spend"], &["category"]);
    pivot(&mut q);
    assert_eq!(names(&q), ["category", "Salford", "Trafford", "total"]);
}

#[test]
fn a_hidden_measure_is_computed_but_not_shown() {
    let mut q = query(Table::Spend, &["spend", "transactions"], &["council"]);
    q.measures[1].hidden = true;
    q.order = vec![(OrderKey::Measure(1), true)];
    assert_eq!(names(&q), ["council", "spend"]);
}

#[test]
fn top_n_within_groups_numbers_rows_and_overall_it_limits() {
    let mut q = query(Table::Spend, &["spend"], &["supplier", "council"]);
    q.rank = Some(RankSpec { count: 3, descending: true, measure: 0, partition: vec![1] });
    // The supplier labels use a window too; the rank's is the one numbering rows `__rank`.
    let is_window =
        |n: &LogicalPlan| matches!(n, LogicalPlan::Window(_)) && n.schema().has_column_with_unqualified_name("__rank");
    let fetch = |q: &ResolvedQuery| {
        nodes(&plan(q)).into_iter().find_map(|n| match n {
            LogicalPlan::Limit(l) => match l.get_fetch_type().unwrap() {
                FetchType::Literal(n) => Some(n),
                FetchType::UnsupportedExpr => panic!("a limit that is not a number"),
            },
            _ => None,
        })
    };
    assert!(has_node(&q, is_window));
    assert_eq!(fetch(&q), None, "ranking within groups does not cut the whole result");
    assert_eq!(names(&q), ["supplier", "council", "spend"]);

    q.dimensions.truncate(1);
    q.rank = Some(RankSpec { count: 3, descending: true, measure: 0, partition: vec![] });
    q.limit = Some(10);
    assert!(!has_node(&q, is_window));
    assert_eq!(fetch(&q), Some(Some(3)), "the smaller of top 3 and limit 10");
}

#[test]
fn a_row_filter_on_money_compares_with_a_money_literal() {
    let mut q = query(Table::Spend, &["spend"], &["council"]);
    q.filter =
        Some(Cond::Compare { field: FieldRef::Column(spend::AMOUNT), op: CompareOp::Lt, value: Value::Money(-50) });
    let pence = |e: &Expr| matches!(e, Expr::Literal(ScalarValue::Decimal128(Some(-50), 18, 2), _));
    let compared = has_node(&q, |n| match n {
        LogicalPlan::Filter(f) => f.predicate.exists(|e| Ok(pence(e))).unwrap(),
        _ => false,
    });
    assert!(compared, "{}", plan(&q).display_indent());
}

fn report(shape: ReportShape, dimensions: &[&str]) -> ResolvedQuery {
    ResolvedQuery { shape: Shape::Report(shape), ..query(Table::Spend, &[], dimensions) }
}

fn councils() -> Vec<String> {
    vec!["Salford".into(), "Trafford".into()]
}

#[test]
fn suppliers_shared_gives_spend_and_contract_per_council() {
    let with = report(
        ReportShape::Shared { entity: dimension("supplier"), councils: councils(), with_contracts: true },
        &["supplier"],
    );
    assert_eq!(
        names(&with),
        [
            "supplier",
            "councils",
            "Salford spend",
            "Salford contract",
            "Trafford spend",
            "Trafford contract",
            "total spend"
        ]
    );
    let without = report(
        ReportShape::Shared { entity: dimension("category"), councils: councils(), with_contracts: false },
        &["category"],
    );
    let out = output(&without);
    let got: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(got, ["category", "councils", "Salford spend", "Trafford spend", "total spend"]);
    assert!(out[2..].iter().all(|(_, t)| is_money(t)), "{out:?}");
}

#[test]
fn collaboration_opportunities_unites_suppliers_and_categories() {
    let q = report(ReportShape::Opportunities { councils: councils() }, &[]);
    let out = output(&q);
    let got: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        got,
        ["opportunity", "name", "councils", "Salford off-contract", "Trafford off-contract", "off-contract spend"]
    );
    assert_eq!(out[1].1, DataType::Utf8);
    assert!(has_node(&q, |n| matches!(n, LogicalPlan::Union(_))));
}

#[test]
fn lookups_read_the_date_range_and_sorted_distinct_values() {
    let range = super::lookup::payment_date_range(scan(Table::Spend).unwrap()).unwrap();
    let types: Vec<DataType> = range.schema().fields().iter().map(|f| f.data_type().clone()).collect();
    assert_eq!(types, [DataType::Date32, DataType::Date32]);
    let values = super::lookup::distinct_values(scan(Table::Contracts).unwrap(), "officer").unwrap();
    assert_eq!(values.schema().fields().len(), 1);
    assert!(matches!(values, LogicalPlan::Sort(_)), "{}", values.display_indent());
}
