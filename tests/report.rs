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

/// A scorecard whose metric KPIs have no figures loaded (a council's own spend files, no
/// survey or analytics exports yet) still runs: the metric KPI keeps its row and target
/// with no figures and no status, the report's notes say why, and the other KPIs are
/// computed as usual. A misspelt metric gets the same note with the near names.
#[test]
fn issue_12_a_metric_that_is_not_loaded_leaves_a_gap_not_a_failed_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    spendql::fixture::write_spend_fixture(&data).expect("fixture");
    let file = dir.path().join("scorecard.spql");
    std::fs::write(
        &file,
        "report quarterly \"Scorecard\"\n\
         kpi \"Customer satisfaction\" = metric \"customer satisfaction\" target 4.2 floor 3.8\n\
         kpi \"Spend\" = spend target £1m\n\
         query \"Days to pay\" = metric \"days to pay\" by council\n",
    )
    .expect("report file");
    let out = run_ok(&data, &["report", arg(&file)]);
    assert!(
        out.contains("Customer satisfaction: unknown metric \"customer satisfaction\", so it has no figures"),
        "{out}"
    );
    assert!(out.contains("spendql ingest --kind metrics"), "{out}");
    let satisfaction: Vec<&str> =
        out.lines().filter(|l| l.contains("Customer satisfaction") && l.contains("All councils")).collect();
    assert_eq!(satisfaction.len(), 1, "one row, for the service, with its target: {satisfaction:?}");
    assert!(satisfaction[0].contains("4.2"), "its target: {out}");
    assert!(
        !satisfaction[0].contains("Green") && !satisfaction[0].contains("Amber") && !satisfaction[0].contains("Red")
    );
    assert!(!out.contains("Customer satisfaction: no data"), "one note for the gap: {out}");
    // A section's query on a metric not loaded is left out with a note, as the KPI is.
    assert!(out.contains("Days to pay: unknown metric \"days to pay\", so it is left out"), "{out}");
    // In a plain query file (no report) the same query is still refused.
    let plain = dir.path().join("plain.spql");
    std::fs::write(&plain, "query \"Days to pay\" = metric \"days to pay\" by council\n").expect("query file");
    let run = spendql().arg("--dataset").arg(&data).args(["run", "--format", "csv", arg(&plain)]).output().unwrap();
    assert!(!run.status.success() && stderr(&run).contains("unknown metric"), "{}", stderr(&run));
    assert!(out.lines().any(|l| l.starts_with("│ Spend") && l.contains("All councils")), "{out}");
}
