//! `spendql report` end to end on the report fixture (`spendql::fixture::REPORT_ROWS` and
//! `REPORT_CONTRACTS`); the figures in the snapshot are the ones worked by hand in
//! `src/report/tests.rs`: on-contract share 75.0% (Amber) against 85.0% and 100.0%,
//! off-contract spend £500.00 on a £500.00 quarterly target.

use std::path::{Path, PathBuf};

use crate::support::{run_ok, spendql, stderr, stdout};

const REPORT: &str = "report quarterly \"Quarterly scorecard\"\n\
section \"Compliance\"\n\
kpi \"On-contract share\" = on-contract share target 80% floor 70%\n\
kpi \"Off-contract spend\" = spend off-contract lower is better\n\
    target £2k per fy target £1.5k per fy for \"Rochdale\" tolerance 10%\n\
section \"Spend\"\n\
query \"Spend this quarter\" = spend by council where date in $period order by council\n";

fn dataset() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    spendql::fixture::write_report_fixture(&data).expect("fixture");
    let file = dir.path().join("scorecard.spql");
    std::fs::write(&file, REPORT).expect("report file");
    (dir, data)
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn issue_12_the_report_prints_its_scorecard_and_sections() {
    let (dir, data) = dataset();
    let file = dir.path().join("scorecard.spql");
    let out = run_ok(&data, &["report", arg(&file)]);
    // Hand-worked figures (see the module doc) appear in the scorecard.
    assert!(out.contains("2024/25 Q2"), "{out}");
    assert!(out.contains("75.0%") && out.contains("Amber"), "{out}");
    assert!(out.contains("£500.00"), "{out}");
    insta::assert_snapshot!("report_terminal", out);
}

#[test]
fn issue_12_a_period_literal_chooses_the_quarter() {
    let (dir, data) = dataset();
    let file = dir.path().join("scorecard.spql");
    let out = run_ok(&data, &["report", arg(&file), "--period", "FY2024/25"]);
    // FY2024/25's last day, 31 March 2025, is in 2024/25 Q4, after the data ends: no values.
    assert!(out.contains("Quarterly report for 2024/25 Q4"), "{out}");
    let out = run_ok(&data, &["report", arg(&file), "--period", "2024Q2"]);
    // Calendar 2024 Q2 is financial 2024/25 Q1: on-contract share 85.0%.
    assert!(out.contains("Quarterly report for 2024/25 Q1"), "{out}");
    assert!(out.contains("85.0%"), "{out}");
}

#[test]
fn issue_12_run_prints_the_kpis_among_the_queries() {
    let (dir, data) = dataset();
    let file = dir.path().join("scorecard.spql");
    let out = run_ok(&data, &["run", "--format", "csv", arg(&file)]);
    assert!(out.contains("# Compliance: Scorecard"), "{out}");
    assert!(out.contains("# Spend this quarter\ncouncil,spend\nRochdale,1500.00\nSalford,1000.00\n"), "{out}");
}

#[test]
fn issue_12_output_formats_and_bad_periods_are_usage_errors() {
    let (dir, data) = dataset();
    let file = dir.path().join("scorecard.spql");
    let out = spendql()
        .arg("--dataset")
        .arg(&data)
        .args(["report", arg(&file), "--output", arg(&dir.path().join("x.pdf"))])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(".html or .xlsx"), "{}", stderr(&out));
    let out =
        spendql().arg("--dataset").arg(&data).args(["report", arg(&file), "--period", "soon"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--period soon is not a period"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn issue_12_a_query_file_is_not_a_report() {
    let (dir, data) = dataset();
    let file = dir.path().join("plain.spql");
    std::fs::write(&file, "query \"Q\" = spend\n").expect("file");
    let out = spendql().arg("--dataset").arg(&data).args(["report", arg(&file)]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("has no `report` line"), "{}", stderr(&out));
}
