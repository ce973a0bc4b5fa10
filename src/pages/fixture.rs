//! A small report result written by hand, for the pages' tests (unit tests here and the
//! browser and workbook tests in `tests/`): two councils and the service, two KPIs in two
//! sections (a share and money), a charted query and an empty one. Every figure is written
//! out below, so tests compare the pages with these numbers, not with the renderer's own.
//! Test support only, like [`crate::fixture`].

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use datafusion::arrow::array::{Decimal128Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};

use crate::exec::QueryResult;
use crate::report::{
    Block, Contribution, ContributorKind, Direction, Figure, KpiResult, KpiRow, KpiUnit, LoadedSummary, PeriodInfo,
    Polarity, ReportKind, ReportOutput, Scope, Status, TrendPoint,
};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a fixture date")
}

fn trend(values: &[Option<Figure>]) -> Vec<TrendPoint> {
    let labels = ["2022/23 Q3", "2022/23 Q4", "2023/24 Q1", "2023/24 Q2", "2023/24 Q3", "2023/24 Q4", "2024/25 Q1"];
    labels.iter().zip(values).map(|(l, v)| TrendPoint { label: (*l).to_string(), value: *v }).collect()
}

/// The on-contract share KPI: target 80%, floor 70%. Salford 76.0% (Amber), Trafford 82.5%
/// (Green), the service 78.0% (Amber), down from 80.0%.
fn on_contract() -> KpiResult {
    let p = |v: f64| Some(Figure::Percent(v));
    let row =
        |scope: Scope, current: f64, previous: f64, last_year: f64, status: Status, direction: Direction| KpiRow {
            scope,
            current: p(current),
            previous: p(previous),
            last_year: p(last_year),
            change: p(current - previous),
            target: p(80.0),
            floor: p(70.0),
            status: Some(status),
            direction,
        };
    KpiResult {
        name: "On-contract share".into(),
        measure_text: "on-contract share".into(),
        unit: KpiUnit::Percent,
        polarity: Polarity::HigherIsBetter,
        rule: "Green at or above 80.0%; Amber at or above 70.0%; else Red".into(),
        target_note: None,
        rows: vec![
            row(Scope::Council("Salford".into()), 76.0, 79.0, 74.0, Status::Amber, Direction::Worsening),
            row(Scope::Council("Trafford".into()), 82.5, 81.5, 80.0, Status::Green, Direction::Improving),
            row(Scope::Service, 78.0, 80.0, 76.5, Status::Amber, Direction::Worsening),
        ],
        trend: trend(&[p(74.0), p(75.5), p(76.5), p(77.0), p(79.0), p(80.0), p(78.0)]),
        council_trends: vec![
            ("Salford".into(), trend(&[p(72.0), p(73.0), p(74.0), p(75.0), p(78.0), p(79.0), p(76.0)])),
            ("Trafford".into(), trend(&[None, p(79.0), p(80.0), p(80.5), p(81.0), p(81.5), p(82.5)])),
        ],
        analysis: vec![
            Contribution { kind: ContributorKind::Council, name: "Salford".into(), part: Figure::Percent(-2.4) },
            Contribution { kind: ContributorKind::Council, name: "Trafford".into(), part: Figure::Percent(0.4) },
            Contribution {
                kind: ContributorKind::Supplier,
                name: "Wates <Construction> & Sons".into(),
                part: Figure::Percent(-1.5),
            },
        ],
        sentence: Some(
            "On-contract share fell 2.0 points to 78.0% (Amber): largest contributor Salford -2.4 points".into(),
        ),
    }
}

/// The cashable savings KPI, money: target £250,000.00 a quarter. Salford £300,000.00
/// (Green), Trafford £120,000.50 with no target of its own (no status), the service
/// £420,000.50 against £500,000.00 (Red).
fn savings() -> KpiResult {
    let m = |pence: i128| Some(Figure::Money(pence));
    KpiResult {
        name: "Cashable savings".into(),
        measure_text: "cashable savings".into(),
        unit: KpiUnit::Money,
        polarity: Polarity::HigherIsBetter,
        rule: "Green at or above the target; Amber within 10% below it; else Red".into(),
        target_note: Some("£1,000,000.00 a year, a quarter of it per quarter".into()),
        rows: vec![
            KpiRow {
                scope: Scope::Council("Salford".into()),
                current: m(30_000_000),
                previous: m(25_000_000),
                last_year: m(10_000_000),
                change: m(5_000_000),
                target: m(25_000_000),
                floor: None,
                status: Some(Status::Green),
                direction: Direction::Improving,
            },
            KpiRow {
                scope: Scope::Council("Trafford".into()),
                current: m(12_000_050),
                previous: None,
                last_year: None,
                change: None,
                target: None,
                floor: None,
                status: None,
                direction: Direction::Unknown,
            },
            KpiRow {
                scope: Scope::Service,
                current: m(42_000_050),
                previous: m(25_000_000),
                last_year: m(10_000_000),
                change: m(17_000_050),
                target: m(50_000_000),
                floor: None,
                status: Some(Status::Red),
                direction: Direction::Improving,
            },
        ],
        trend: trend(&[m(0), m(5_000_000), m(10_000_000), m(15_000_000), m(20_000_000), m(25_000_000), m(42_000_050)]),
        council_trends: vec![],
        analysis: vec![],
        sentence: None,
    }
}

/// `off-contract spend by council as chart`: Salford £12,345.67, Trafford -£500.00 (credits
/// outweigh payments).
fn off_contract_result() -> QueryResult {
    let schema = Arc::new(Schema::new(vec![
        Field::new("council", DataType::Utf8, true),
        Field::new("spend off-contract", DataType::Decimal128(18, 2), true),
    ]));
    let money =
        Decimal128Array::from_iter_values([1_234_567i128, -50_000]).with_precision_and_scale(18, 2).expect("money");
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(StringArray::from_iter_values(["Salford", "Trafford"])), Arc::new(money)],
    )
    .expect("batch");
    QueryResult { schema, batches: vec![batch], elapsed: Duration::ZERO, chart: true }
}

fn empty_result() -> QueryResult {
    let schema = Arc::new(Schema::new(vec![Field::new("supplier", DataType::Utf8, true)]));
    QueryResult { schema, batches: vec![], elapsed: Duration::ZERO, chart: false }
}

/// The hand-written report.
pub fn fixture_report() -> ReportOutput {
    ReportOutput {
        title: "Quarterly scorecard".into(),
        kind: ReportKind::Quarter,
        period: PeriodInfo { label: "2024/25 Q1".into(), start: day(2024, 4, 1), end: day(2024, 6, 30) },
        previous: PeriodInfo { label: "2023/24 Q4".into(), start: day(2024, 1, 1), end: day(2024, 3, 31) },
        last_year: PeriodInfo { label: "2023/24 Q1".into(), start: day(2023, 4, 1), end: day(2023, 6, 30) },
        as_of: day(2024, 7, 15),
        loaded: vec![
            LoadedSummary {
                table: "spend".into(),
                council: Some("Salford".into()),
                rows: 1_200,
                first: Some(day(2023, 4, 1)),
                last: Some(day(2024, 7, 15)),
            },
            LoadedSummary {
                table: "spend".into(),
                council: Some("Trafford".into()),
                rows: 800,
                first: Some(day(2023, 4, 3)),
                last: Some(day(2024, 7, 12)),
            },
            LoadedSummary { table: "metrics".into(), council: None, rows: 30, first: None, last: None },
        ],
        blocks: vec![
            Block::Section { title: "Compliance".into() },
            Block::Kpis(vec![on_contract()]),
            Block::Query { title: "Off-contract spend by council".into(), result: off_contract_result(), chart: true },
            Block::Section { title: "Savings".into() },
            Block::Kpis(vec![savings()]),
            Block::Query { title: "New suppliers this quarter".into(), result: empty_result(), chart: false },
        ],
        notes: vec!["Trafford has no savings target for 2024/25.".into()],
    }
}
