//! Reports on the report fixture (`crate::fixture::REPORT_ROWS` and `REPORT_CONTRACTS`),
//! every expected figure worked out by hand from the tables in its doc comments. The
//! report period is 2024/25 Q2 (July to September 2024), the previous 2024/25 Q1, the same
//! quarter last year 2023/24 Q2.

use std::path::{Path, PathBuf};

use super::*;
use crate::catalog::Dataset;

fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    crate::fixture::write_report_fixture(dir.path()).unwrap();
    let engine = Engine::open(&Dataset::new(dir.path())).unwrap();
    (dir, engine)
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("report.spql");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(text: &str, period: Option<&str>) -> ReportOutput {
    let (dir, mut engine) = engine();
    let path = write(dir.path(), text);
    let options =
        ReportOptions { period: period.map(str::to_string), require_report: true, ..ReportOptions::default() };
    run_report(&mut engine, &path, &options).unwrap()
}

fn only_kpi(report: &ReportOutput) -> &KpiResult {
    let kpis: Vec<&KpiResult> = report.kpis().collect();
    assert_eq!(kpis.len(), 1);
    kpis[0]
}

fn row<'a>(kpi: &'a KpiResult, scope: &str) -> &'a KpiRow {
    kpi.rows.iter().find(|r| r.scope.label() == scope).unwrap_or_else(|| panic!("no row for {scope}"))
}

fn percent(f: Option<Figure>) -> f64 {
    match f {
        Some(Figure::Percent(p)) => p,
        other => panic!("not a percentage: {other:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn the_default_period_is_the_latest_complete_quarter_and_its_neighbours() {
    let report = run("report quarterly \"Scorecard\"\n", None);
    // The last payment is on 30 September 2024, the last day of 2024/25 Q2.
    assert_eq!(report.as_of.to_string(), "2024-09-30");
    assert_eq!(report.period.label, "2024/25 Q2");
    assert_eq!(
        (report.period.start.to_string(), report.period.end.to_string()),
        ("2024-07-01".into(), "2024-09-30".into())
    );
    assert_eq!(report.previous.label, "2024/25 Q1");
    assert_eq!(report.last_year.label, "2023/24 Q2");
    // Monthly: September 2024 is complete. Yearly: 2024/25 is not, so 2023/24.
    assert_eq!(run("report monthly \"M\"\n", None).period.label, "2024-09");
    assert_eq!(run("report monthly \"M\"\n", None).previous.label, "2024-08");
    assert_eq!(run("report monthly \"M\"\n", None).last_year.label, "2023-09");
    assert_eq!(run("report yearly \"Y\"\n", None).period.label, "2023/24");
}

#[test]
fn a_period_literal_picks_the_period_holding_its_last_day() {
    // 2024Q2 is April to June 2024: financial quarter 2024/25 Q1, exactly.
    let report = run("report quarterly \"Scorecard\"\n", Some("2024Q2"));
    assert_eq!((report.period.label.as_str(), report.previous.label.as_str()), ("2024/25 Q1", "2023/24 Q4"));
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    // A month names the quarter holding it, with a note saying so.
    let report = run("report quarterly \"Scorecard\"\n", Some("2024-05"));
    assert_eq!(report.period.label, "2024/25 Q1");
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
}

#[test]
fn on_contract_share_per_council_and_for_the_service_with_statuses() {
    let report =
        run("report quarterly \"S\"\nkpi \"On-contract share\" = on-contract share target 80% floor 70%\n", None);
    let kpi = only_kpi(&report);
    assert_eq!(kpi.unit, KpiUnit::Percent);
    // Service, Q2: on contract ACME 600 + BUILDCO 900 = 1,500 of named 600 + 400 + 900 +
    // 100 = 2,000 (the redacted £500 is left out) = 75%. Q1: 800 + 900 = 1,700 of 2,000 =
    // 85%. 2023/24 Q2: 1,000 of 1,000 = 100%. 75% is below the target, above the floor.
    let service = row(kpi, "All councils");
    assert!(close(percent(service.current), 75.0));
    assert!(close(percent(service.previous), 85.0));
    assert!(close(percent(service.last_year), 100.0));
    assert!(close(percent(service.change), -10.0));
    assert_eq!(service.status, Some(Status::Amber));
    assert_eq!(service.direction, Direction::Worsening);
    assert_eq!(service.target, Some(Figure::Percent(80.0)));
    // Rochdale: Q2 600 of 1,000 = 60% (below the floor: Red); Q1 800 of 1,000 = 80%.
    let rochdale = row(kpi, "Rochdale");
    assert!(close(percent(rochdale.current), 60.0));
    assert!(close(percent(rochdale.previous), 80.0));
    assert_eq!(rochdale.status, Some(Status::Red));
    // Salford: 900 of 1,000 = 90% in both quarters: Green, unchanged.
    let salford = row(kpi, "Salford");
    assert!(close(percent(salford.current), 90.0));
    assert_eq!((salford.status, salford.direction), (Some(Status::Green), Direction::Unchanged));
    // Councils by name, then the service.
    let scopes: Vec<&str> = kpi.rows.iter().map(|r| r.scope.label()).collect();
    assert_eq!(scopes, ["Rochdale", "Salford", "All councils"]);
}

#[test]
fn the_share_analysis_decomposes_the_change_exactly() {
    let (dir, engine) = engine();
    let text = "kpi \"On-contract share\" = on-contract share target 80% floor 70%\n";
    let file = crate::syntax::parse_file(text).unwrap();
    let ast::Statement::Kpi(kpi) = &file.statements[0] else { panic!() };
    let current = containing(ReportKind::Quarter, "2024-07-01".parse().unwrap());
    let covered = DateRange { start: "2023-08-10".parse().unwrap(), end: "2024-10-01".parse().unwrap() };
    let periods = Periods::new(ReportKind::Quarter, current, covered);
    let all = kpi::evaluate_keeping(&engine, kpi, &periods, String::new(), usize::MAX).unwrap();
    drop(dir);
    // With s0 = 85% (Q1), D0 = D1 = 2,000, group g's part is
    // (n1g - 0.85 d1g)/2000 - (n0g - 0.85 d0g)/2000, in points:
    //   Rochdale (600 - 850)/2000 - (800 - 850)/2000 = -10.0; Salford (900-765... ) = 0.
    //   Construction: Q2 1,500 of 1,900, Q1 1,700 of 1,700: (1500-1615)/2000 - (1700-1445)/2000 = -18.5.
    //   Stationery: Q2 0 of 100, Q1 0 of 300: (0-85)/2000 - (0-255)/2000 = +8.5.
    //   NEWCO LTD: Q2 0 of 400: -340/2000 = -17.0; PAPER CO as Stationery, +8.5;
    //   ACME LTD: (600-510)/2000 - (800-680)/2000 = -1.5; BUILDCO LTD 0.
    let part = |kind: ContributorKind, name: &str| {
        all.analysis.iter().find(|c| c.kind == kind && c.name == name).map(|c| percent(Some(c.part)))
    };
    assert!(close(part(ContributorKind::Council, "Rochdale").unwrap(), -10.0));
    assert_eq!(part(ContributorKind::Council, "Salford"), None, "Salford moved nothing");
    assert!(close(part(ContributorKind::Category, "Construction").unwrap(), -18.5));
    assert!(close(part(ContributorKind::Category, "Stationery").unwrap(), 8.5));
    assert!(close(part(ContributorKind::Supplier, "NEWCO LTD").unwrap(), -17.0));
    assert!(close(part(ContributorKind::Supplier, "PAPER CO").unwrap(), 8.5));
    assert!(close(part(ContributorKind::Supplier, "ACME LTD").unwrap(), -1.5));
    for kind in [ContributorKind::Council, ContributorKind::Category, ContributorKind::Supplier] {
        let sum: f64 = all.analysis.iter().filter(|c| c.kind == kind).map(|c| percent(Some(c.part))).sum();
        assert!(close(sum, -10.0), "{kind:?} parts sum to {sum}");
    }
}

#[test]
fn the_change_is_explained_in_words_with_the_largest_contributors() {
    let report =
        run("report quarterly \"S\"\nkpi \"On-contract share\" = on-contract share target 80% floor 70%\n", None);
    let kpi = only_kpi(&report);
    // The largest of each kind, worked out in the decomposition test above.
    assert_eq!(
        kpi.sentence.as_deref(),
        Some(
            "On-contract share fell 10.0 points to 75.0% (Amber) since 2024/25 Q1: largest contributors \
             Rochdale -10.0 points, Construction -18.5 points, NEWCO LTD -17.0 points"
        )
    );
    // Three suppliers at most, the largest first.
    let suppliers: Vec<&str> =
        kpi.analysis.iter().filter(|c| c.kind == ContributorKind::Supplier).map(|c| c.name.as_str()).collect();
    assert_eq!(suppliers, ["NEWCO LTD", "PAPER CO", "ACME LTD"]);
}

#[test]
fn a_money_kpi_with_a_yearly_target_scaled_per_council_and_a_tolerance() {
    let report = run(
        "report quarterly \"S\"\n\
         kpi \"Off-contract spend\" = spend off-contract lower is better\n\
         \x20   target £2k per fy target £1.5k per fy for \"Rochdale\" tolerance 10%\n",
        None,
    );
    let kpi = only_kpi(&report);
    assert_eq!(kpi.unit, KpiUnit::Money);
    // Off contract (named suppliers with no contract): Q2 NEWCO £400 + PAPER CO £100 =
    // £500; Q1 PAPER CO £200 + £100 = £300; 2023/24 Q2 nothing, so £0 (the data covers it).
    // Target £2,000 a year ÷ 4 = £500 a quarter: £500 is exactly on it, Green.
    let service = row(kpi, "All councils");
    assert_eq!(
        (service.current, service.previous, service.last_year, service.change),
        (Some(Figure::Money(50_000)), Some(Figure::Money(30_000)), Some(Figure::Money(0)), Some(Figure::Money(20_000)))
    );
    assert_eq!((service.target, service.status), (Some(Figure::Money(50_000)), Some(Status::Green)));
    assert_eq!(service.direction, Direction::Worsening, "more off-contract spend is worse");
    // Rochdale: £400, target £1,500 ÷ 4 = £375, tolerance 10% = £37.50: Amber up to £412.50.
    let rochdale = row(kpi, "Rochdale");
    assert_eq!((rochdale.current, rochdale.target), (Some(Figure::Money(40_000)), Some(Figure::Money(37_500))));
    assert_eq!(rochdale.status, Some(Status::Amber));
    // Salford: £100 in both quarters against £500: Green, unchanged.
    let salford = row(kpi, "Salford");
    assert_eq!((salford.current, salford.status), (Some(Figure::Money(10_000)), Some(Status::Green)));
    assert_eq!(salford.direction, Direction::Unchanged);
    assert_eq!(kpi.target_note.as_deref(), Some("target £2,000.00 per fy ÷ 4 for a quarter"));
    // Additive: each group's part is its own change, to the penny. Rochdale +£200;
    // Construction +£400 (NEWCO), Stationery -£200; NEWCO LTD +£400, PAPER CO -£200.
    let parts: Vec<(ContributorKind, &str, Figure)> =
        kpi.analysis.iter().map(|c| (c.kind, c.name.as_str(), c.part)).collect();
    assert_eq!(
        parts,
        [
            (ContributorKind::Council, "Rochdale", Figure::Money(20_000)),
            (ContributorKind::Category, "Construction", Figure::Money(40_000)),
            (ContributorKind::Category, "Stationery", Figure::Money(-20_000)),
            (ContributorKind::Supplier, "NEWCO LTD", Figure::Money(40_000)),
            (ContributorKind::Supplier, "PAPER CO", Figure::Money(-20_000)),
        ]
    );
    assert_eq!(
        kpi.sentence.as_deref(),
        Some(
            "Off-contract spend rose £200.00 to £500.00 (Green) since 2024/25 Q1: largest contributors \
             Rochdale +£200.00, Construction +£400.00, NEWCO LTD +£400.00"
        )
    );
}

#[test]
fn a_share_of_contracts_with_a_condition() {
    let report = run(
        "report quarterly \"S\"\n\
         kpi \"Contracts with social value\" = contracts where social value > 0 as share of contracts\n\
         \x20   target 60% floor 40%\n",
        None,
    );
    let kpi = only_kpi(&report);
    // Contracts by start date. Q2: R-NEW2 (£200), S-NEW2 (£100), S-NEW3 (£0): 2 of 3.
    // Q1: R-NEW1 (£500), S-NEW1 (none): 1 of 2. No contract started in 2023/24 Q2.
    let service = row(kpi, "All councils");
    assert!(close(percent(service.current), 200.0 / 3.0));
    assert!(close(percent(service.previous), 50.0));
    assert_eq!(service.last_year, None);
    assert_eq!((service.status, service.direction), (Some(Status::Green), Direction::Improving));
    // Salford: 1 of 2 = 50% now (Amber: under 60%, over 40%); 0 of 1 before.
    let salford = row(kpi, "Salford");
    assert!(close(percent(salford.current), 50.0));
    assert!(close(percent(salford.previous), 0.0));
    assert_eq!(salford.status, Some(Status::Amber));
    // Rochdale: 1 of 1 in both quarters.
    assert!(close(percent(row(kpi, "Rochdale").current), 100.0));
    // s0 = 1/2, D0 = 2, D1 = 3: Salford (1 - 0.5·2)/3 - (0 - 0.5·1)/2 = +25 points;
    // Rochdale (1 - 0.5)/3 - (1 - 0.5)/2 = -8.33 points; together +16.67 = 66.67 - 50.
    let council = |name: &str| {
        kpi.analysis
            .iter()
            .find(|c| c.kind == ContributorKind::Council && c.name == name)
            .map(|c| percent(Some(c.part)))
    };
    assert!(close(council("Salford").unwrap(), 25.0));
    assert!(close(council("Rochdale").unwrap(), 0.5 / 3.0 * 100.0 - 25.0));
}

#[test]
fn the_trend_holds_eight_quarters_ending_with_the_report_period() {
    let report = run("report quarterly \"S\"\nkpi \"Off-contract spend\" = spend off-contract\n", None);
    let kpi = only_kpi(&report);
    let labels: Vec<&str> = kpi.trend.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "2022/23 Q3",
            "2022/23 Q4",
            "2023/24 Q1",
            "2023/24 Q2",
            "2023/24 Q3",
            "2023/24 Q4",
            "2024/25 Q1",
            "2024/25 Q2"
        ]
    );
    // Before the first payment (10 August 2023) nothing is known; from then on a quarter
    // with no off-contract payment is £0.
    let values: Vec<Option<Figure>> = kpi.trend.iter().map(|p| p.value).collect();
    assert_eq!(
        values,
        [
            None,
            None,
            None,
            Some(Figure::Money(0)),
            Some(Figure::Money(0)),
            Some(Figure::Money(0)),
            Some(Figure::Money(30_000)),
            Some(Figure::Money(50_000))
        ]
    );
    assert_eq!(kpi.council_trends.len(), 2);
}

#[test]
fn kpis_and_queries_come_back_in_file_order_under_their_sections() {
    let report = run(
        "report quarterly \"S\"\nsection \"Compliance\"\nkpi \"A\" = on-contract share\nkpi \"B\" = spend off-contract\n\
         query \"Spend this quarter\" = spend by council where date in $period order by council\n",
        None,
    );
    assert!(matches!(&report.blocks[0], Block::Section { title } if title == "Compliance"));
    assert!(matches!(&report.blocks[1], Block::Kpis(k) if k.len() == 2));
    let Block::Query { result, .. } = &report.blocks[2] else { panic!("{:?}", report.blocks[2]) };
    // $period is 2024/25 Q2: Rochdale 600 + 400 + 500 = £1,500; Salford 100 + 900 = £1,000.
    let cells: Vec<String> =
        (0..2).map(|r| crate::output::cell_text(result.batches[0].column(1), r, false).unwrap()).collect();
    assert_eq!(cells, ["1500.00", "1000.00"]);
    // What was loaded: spend and contracts per council.
    let spend: Vec<(Option<&str>, u64)> =
        report.loaded.iter().filter(|l| l.table == "spend").map(|l| (l.council.as_deref(), l.rows)).collect();
    assert_eq!(spend, [(Some("Rochdale"), 6), (Some("Salford"), 5)]);
}

#[test]
fn a_percent_target_on_money_is_refused_where_it_is_written() {
    let (dir, mut engine) = engine();
    let text = "report quarterly \"S\"\nkpi \"Savings\" = spend off-contract target 80%\n";
    let path = write(dir.path(), text);
    let err = run_report(&mut engine, &path, &ReportOptions::default()).unwrap_err();
    assert_eq!(err.message, "a % target on a money measure");
    assert_eq!(&text[err.span.unwrap()], "80%");
    assert_eq!(err.location.unwrap().line, Some(2));
}

#[test]
fn run_and_include_still_take_report_files() {
    // `Engine::run_file` (the REPL's old path) keeps only the queries.
    let (dir, mut engine) = engine();
    let path = write(dir.path(), "report quarterly \"S\"\nsection \"A\"\nkpi \"K\" = spend\nquery \"Q\" = spend\n");
    let results = engine.run_file(&path, &[]).unwrap();
    assert_eq!(results.len(), 1);
    // `spendql run`'s path: the KPIs as a scorecard and what changed, titled by section.
    let report = run_report(&mut engine, &path, &ReportOptions::default()).unwrap();
    let titles: Vec<String> = flat_results(&report).into_iter().map(|(t, _)| t).collect();
    assert_eq!(titles, ["A: Scorecard", "A: What changed", "Q"]);
}

#[test]
fn a_file_without_a_report_line_is_not_a_report() {
    let (dir, mut engine) = engine();
    let path = write(dir.path(), "query \"Q\" = spend\n");
    let options = ReportOptions { require_report: true, ..ReportOptions::default() };
    let err = run_report(&mut engine, &path, &options).unwrap_err();
    assert_eq!(err.kind, crate::ErrorKind::Usage);
}

fn number(f: Option<Figure>) -> Decimal {
    match f {
        Some(Figure::Number(d)) => d,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn an_averaged_metric_is_judged_and_not_decomposed() {
    let report = run(
        "report quarterly \"S\"\nkpi \"Days to pay\" = metric \"days to pay\" lower is better target 20 tolerance 10%\n",
        None,
    );
    let kpi = only_kpi(&report);
    assert_eq!(kpi.unit, KpiUnit::Number);
    // The mean of the six monthly figures: Q2 (25 + 25 + 28 + 19 + 20 + 21) / 6 = 23;
    // Q1 (20 + 22 + 24 + 18 + 18 + 18) / 6 = 20; 2023/24 Q2 (30 + 24) / 2 = 27.
    let service = row(kpi, "All councils");
    assert_eq!(number(service.current).to_f64(), 23.0);
    assert_eq!(number(service.previous).to_f64(), 20.0);
    assert_eq!(number(service.last_year).to_f64(), 27.0);
    // Lower is better, 10% of 20 is 2: Amber up to 22, so 23 is Red, and rising is worse.
    assert_eq!((service.status, service.direction), (Some(Status::Red), Direction::Worsening));
    // Rochdale 78 / 3 = 26 (Red); Salford 60 / 3 = 20, on the target (Green).
    assert_eq!(number(row(kpi, "Rochdale").current).to_f64(), 26.0);
    assert_eq!(row(kpi, "Rochdale").status, Some(Status::Red));
    assert_eq!(number(row(kpi, "Salford").current).to_f64(), 20.0);
    assert_eq!(row(kpi, "Salford").status, Some(Status::Green));
    // An average does not add up over councils: no contributors, the change in words alone.
    assert!(kpi.analysis.is_empty(), "{:?}", kpi.analysis);
    assert_eq!(kpi.sentence.as_deref(), Some("Days to pay rose 3 to 23 (Red) since 2024/25 Q1"));
}

#[test]
fn a_summed_metric_of_the_service_scales_its_yearly_target() {
    let report = run(
        "report quarterly \"S\"\nkpi \"Website sessions\" = metric \"website sessions\" target 12000 per fy\n",
        None,
    );
    let kpi = only_kpi(&report);
    // Figures for the whole service only: one row. Q2 1,200 + 1,300 + 1,500 = 4,000;
    // Q1 1,000 + 1,100 + 900 = 3,000; nothing reported for 2023/24 Q2, so unknown.
    assert_eq!(kpi.rows.len(), 1);
    let service = row(kpi, "All councils");
    assert_eq!(number(service.current).to_f64(), 4000.0);
    assert_eq!(number(service.previous).to_f64(), 3000.0);
    assert_eq!(service.last_year, None);
    // 12,000 a year summed over periods: ÷ 4 = 3,000 a quarter; 4,000 is Green.
    assert_eq!(number(service.target).to_f64(), 3000.0);
    assert_eq!(service.status, Some(Status::Green));
    assert_eq!(kpi.target_note.as_deref(), Some("target 12,000 per fy ÷ 4 for a quarter"));
}

#[test]
fn a_target_for_a_council_not_in_the_data_is_refused_at_its_name() {
    let (dir, mut engine) = engine();
    let text = "report quarterly \"S\"\nkpi \"K\" = on-contract share target 80% target 75% for \"Rochdle\"\n";
    let path = write(dir.path(), text);
    let err = run_report(&mut engine, &path, &ReportOptions::default()).unwrap_err();
    assert_eq!(err.message, "no council named \"Rochdle\"");
    assert_eq!(&text[err.span.clone().unwrap()], "\"Rochdle\"");
    assert_eq!(err.hints, ["did you mean \"Rochdale\"?"]);
}

/// A council near none the data holds is one whose files are not loaded: the report runs,
/// and its notes say the target judges nobody.
#[test]
fn issue_12_a_target_for_a_council_not_loaded_is_a_note() {
    let text = "report quarterly \"S\"\nkpi \"K\" = on-contract share target 80% target 75% for \"Stockport\"\n";
    let report = run(text, None);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n == "K: the target for Stockport applies to nobody, as the data holds no such council"),
        "{:?}",
        report.notes
    );
    assert!(only_kpi(&report).rows.iter().all(|r| r.scope.label() != "Stockport"));
}

#[test]
fn a_chart_of_nothing_prints_as_an_empty_table() {
    // No payment is dated in 2024/25 Q3, after the data ends.
    let report =
        run("report quarterly \"S\"\nquery \"Q\" = spend by council where date in $period as chart\n", Some("2024Q4"));
    let tables = flat_results(&report);
    assert_eq!(tables[0].1.row_count(), 0);
    assert!(!tables[0].1.chart);
    let Block::Query { chart, .. } = &report.blocks[0] else { panic!() };
    assert!(*chart, "the report keeps what the file asked for");
}

/// Contracts expiring are counted as they stand on each period's last day, in the six
/// months after it (the `expiring` window), not by their start dates. Four contracts, all
/// started 2023-01-01: Rochdale A expires 2024-10-15 and B (extended) 2025-02-01; Salford C
/// 2024-08-01 and D 2025-03-15. On 30 Sep 2024 (2024/25 Q2) the window is 1 Oct 2024 to
/// 31 Mar 2025: A, B, D (Rochdale 2, Salford 1). On 30 Jun 2024 (Q1) it is 1 Jul to
/// 31 Dec 2024: A, C (1 each). On 30 Sep 2023 (2023/24 Q2) nothing expires by 31 Mar 2024.
/// A level, not a flow: the yearly target applies to the quarter unscaled.
#[test]
fn issue_12_contracts_expiring_are_counted_on_each_periods_last_day() {
    let dir = tempfile::tempdir().unwrap();
    crate::fixture::write_rows(dir.path(), crate::fixture::REPORT_ROWS).unwrap();
    let contract = |council, reference, expiry, status| crate::fixture::ContractRow {
        council,
        reference,
        title: reference,
        start_date: Some("2023-01-01"),
        end_date: Some(expiry),
        expiry_date: Some(expiry),
        status,
        ..crate::fixture::REPORT_CONTRACTS[0]
    };
    let contracts = [
        contract("Rochdale", "A", "2024-10-15", None),
        contract("Rochdale", "B", "2025-02-01", Some("Extended")),
        contract("Salford", "C", "2024-08-01", None),
        contract("Salford", "D", "2025-03-15", None),
    ];
    crate::fixture::write_contract_rows(dir.path(), &contracts).unwrap();
    let mut engine = Engine::open(&Dataset::new(dir.path())).unwrap();
    let path = write(
        dir.path(),
        "report quarterly \"Scorecard\"\nkpi \"Expiring\" = contracts expiring lower is better target 8 per fy\n",
    );
    let options = ReportOptions { require_report: true, ..ReportOptions::default() };
    let report = run_report(&mut engine, &path, &options).unwrap();
    let kpi = only_kpi(&report);
    let counts = |scope: &str| {
        let r = row(kpi, scope);
        (r.current, r.previous, r.last_year)
    };
    assert_eq!(counts("All councils"), (Some(Figure::Count(3)), Some(Figure::Count(2)), Some(Figure::Count(0))));
    assert_eq!(counts("Rochdale"), (Some(Figure::Count(2)), Some(Figure::Count(1)), Some(Figure::Count(0))));
    assert_eq!(counts("Salford"), (Some(Figure::Count(1)), Some(Figure::Count(1)), Some(Figure::Count(0))));
    assert_eq!(row(kpi, "All councils").target, Some(Figure::Count(8)));
    assert_eq!(row(kpi, "All councils").status, Some(Status::Green));
    // The service's rise of one is Rochdale's (+1) and Salford's (0).
    let by_council: Vec<(String, Figure)> =
        kpi.analysis.iter().filter(|c| c.kind == ContributorKind::Council).map(|c| (c.name.clone(), c.part)).collect();
    assert_eq!(by_council.first(), Some(&("Rochdale".to_string(), Figure::Count(1))), "{by_council:?}");
}
