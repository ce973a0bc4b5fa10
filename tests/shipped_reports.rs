//! Issue 12: the shipped reports (`queries/scorecard.spql`, `monthly.spql`,
//! `data-quality.spql`) on the sample, as CI runs them: `spendql demo` writes the scorecard
//! and the monthly report as HTML into the demo dataset's folder, and a reader sees them in
//! headless Chromium at A4 width; the data-quality pack is written as a page, a workbook and
//! CSV files.

use std::path::{Path, PathBuf};

use crate::support::browser::{A4_PRINTABLE_PX, assert_printable, chromium, measure};
use crate::support::{csv_rows, run_ok};

/// The sample's councils: each KPI has a row for each and one for all councils together.
const COUNCILS: [&str; 3] = ["Rochdale", "Stockport", "Trafford"];
const STATUS_WORDS: [&str; 5] = ["Green", "Amber", "Red", "No data", "No target"];

fn queries() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("queries")
}

/// The names of a report file's `kpi "Name" =` statements, read from its text.
fn kpi_names(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(queries().join(file)).expect("report file");
    let re = regex::Regex::new(r#"(?m)^kpi\s+"([^"]+)""#).expect("regex");
    re.captures_iter(&text).map(|c| c[1].to_string()).collect()
}

fn texts(value: &serde_json::Value) -> Vec<String> {
    value.as_array().expect("an array").iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
}

/// `2510307.83` as people read it, `£2,510,307.83`, written out here rather than through
/// the code under test.
fn pounds(plain: &str) -> String {
    let (sign, digits) = plain.strip_prefix('-').map_or(("", plain), |d| ("-", d));
    let (whole, pence) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}£{grouped}.{pence}")
}

/// What every shipped report page shows: printable on A4, one scorecard row per KPI and
/// scope with a status word, a titled trend chart per KPI.
fn check_page(chromium: &Path, page: &Path, file: &str) -> serde_json::Value {
    let found = measure(chromium, page, A4_PRINTABLE_PX);
    assert_printable(&found, file);
    let names = kpi_names(file);
    assert!(!names.is_empty(), "{file} has KPIs");
    let rows = found["scorecards"][0]["rows"].as_array().expect("a scorecard").clone();
    assert_eq!(
        rows.len(),
        names.len() * (COUNCILS.len() + 1),
        "{file}: a row per KPI for each council and the service"
    );
    let mut kpi = String::new();
    let mut scopes: Vec<(String, String)> = Vec::new();
    for row in &rows {
        let cells = texts(&row["cells"]);
        // A KPI's first row carries its name (one cell spanning its rows).
        if cells.len() == 8 {
            kpi.clone_from(&cells[0]);
        }
        let scope = if cells.len() == 8 { &cells[1] } else { &cells[0] };
        scopes.push((kpi.clone(), scope.clone()));
        let status = row["status"].as_str().unwrap_or_default();
        assert!(STATUS_WORDS.contains(&status), "{file}: {kpi} {scope}: no status word ({status:?})");
    }
    for name in &names {
        let mine: Vec<&str> = scopes.iter().filter(|(k, _)| k == name).map(|(_, s)| s.as_str()).collect();
        assert_eq!(mine, ["All councils", "Rochdale", "Stockport", "Trafford"], "{file}: {name}");
    }
    let titles: Vec<String> = found["svgs"].as_array().expect("svgs").iter().map(|s| s["title"].to_string()).collect();
    for name in &names {
        assert!(
            titles.iter().any(|t| t.contains(&format!("{name}: trend"))),
            "{file}: no trend chart for {name}: {titles:?}"
        );
    }
    found
}

#[test]
fn issue_12_demo_writes_the_scorecard_and_monthly_report_and_a_reader_sees_them_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("demo");
    let out = run_ok(&data, &["demo"]);
    let written = |what: &str| -> PathBuf {
        let line = out.lines().find(|l| l.starts_with(&format!("Wrote {what} to "))).unwrap_or_else(|| panic!("{out}"));
        PathBuf::from(line.rsplit(" to ").next().expect("a path"))
    };
    let scorecard = written("the quarterly balanced scorecard");
    let monthly = written("the monthly performance report");
    assert_eq!(scorecard, data.join("scorecard.html"));
    assert_eq!(monthly, data.join("monthly.html"));

    // The monthly report's service figure for off-contract spend is the month's
    // off-contract spend as a plain query gives it. The sample's last payment is 29 March
    // 2024, so the latest complete month is February 2024.
    let html = std::fs::read_to_string(&monthly).expect("monthly page");
    assert!(html.contains("Monthly report for <strong>2024-02</strong>"), "the default period is February 2024");
    let rows = csv_rows(&run_ok(&data, &["query", "--format", "csv", "spend off-contract where date in 2024-02"]));
    let expected = pounds(&rows[1][0]);

    let Some(chromium) = chromium("issue_12_demo_writes_the_scorecard_and_monthly_report_and_a_reader_sees_them_whole")
    else {
        return;
    };
    check_page(&chromium, &scorecard, "scorecard.spql");
    let found = check_page(&chromium, &monthly, "monthly.spql");
    let off_contract = found["scorecards"][0]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| texts(&r["cells"]))
        .find(|c| c.len() == 8 && c[0] == "Off-contract spend")
        .expect("the off-contract KPI");
    assert_eq!(off_contract[1], "All councils");
    assert_eq!(off_contract[2], expected, "the service's off-contract spend in February 2024");
}

#[test]
fn issue_12_the_data_quality_pack_is_a_page_a_workbook_and_csv_files() {
    use calamine::{Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("demo");
    run_ok(&data, &["demo"]);
    let file = queries().join("data-quality.spql");
    let file = file.to_str().expect("UTF-8 path");
    let page = dir.path().join("feedback.html");
    let book = dir.path().join("feedback.xlsx");
    let csv = dir.path().join("feedback.csv");
    for output in [&page, &book, &csv] {
        run_ok(&data, &["report", file, "--output", output.to_str().expect("UTF-8 path")]);
    }
    let mut workbook: Xlsx<_> = open_workbook(&book).expect("workbook");
    let sheets = workbook.sheet_names();
    for sheet in ["Scorecard", "What was published", "Completeness", "Payments to check", "Trends", "About"] {
        assert!(sheets.iter().any(|s| s == sheet), "no {sheet} sheet: {sheets:?}");
    }
    let scorecard = workbook.worksheet_range("Scorecard").expect("scorecard");
    // Title lines, the headings, then five KPIs for three councils and the service.
    assert_eq!(
        scorecard.rows().skip(5).filter(|r| r[1] != calamine::Data::Empty).count(),
        kpi_names("data-quality.spql").len() * 4
    );
    // CSV: every table in a numbered file; the last two are the payment checks.
    let duplicates = std::fs::read_to_string(dir.path().join("feedback-18-possible-duplicate-payments.csv"))
        .expect("the duplicates file");
    assert!(duplicates.starts_with("group,council,date,transaction id,supplier,amount,"), "{duplicates}");
    let unusual = std::fs::read_to_string(dir.path().join("feedback-19-unusual-payments.csv")).expect("unusual");
    assert!(unusual.lines().count() > 1, "the sample has payments far outside their supplier's usual size");
    let Some(chromium) = chromium("issue_12_the_data_quality_pack_is_a_page_a_workbook_and_csv_files") else {
        return;
    };
    check_page(&chromium, &page, "data-quality.spql");
}
