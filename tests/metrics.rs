//! `spendql ingest --kind metrics` and the `metric "NAME"` measure end to end, through the
//! real binary, on small hand-written files whose figures and totals are worked out by hand
//! in the comments: each layout loads, rejects name their file and line, re-ingesting
//! changes nothing, a failing file commits nothing, a council column wins over `--council`,
//! and queries aggregate each metric as it declares (sum, average, latest).

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{assert_ok, committed_bytes, csv_rows, run_ok, spendql, stderr, stdout};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `spendql ingest --kind metrics [extra...] FILES` against `dataset`.
fn ingest(dataset: &Path, extra: &[&str], files: &[&Path]) -> Output {
    spendql()
        .arg("--dataset")
        .arg(dataset)
        .args(["ingest", "--kind", "metrics"])
        .args(extra)
        .args(files)
        .output()
        .expect("spendql runs")
}

/// The metrics table as CSV rows (header first), in a fixed order.
fn table(dataset: &Path) -> Vec<Vec<String>> {
    csv_rows(&run_ok(
        dataset,
        &[
            "sql",
            "--format",
            "csv",
            "SELECT coalesce(council, '-') AS council, CAST(period_start AS VARCHAR) AS s, \
             CAST(period_end AS VARCHAR) AS e, metric, CAST(value AS VARCHAR) AS v, aggregation, source, \
             source_file, source_row FROM metrics ORDER BY source_file, source_row, metric",
        ],
    ))
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_string()).collect()
}

const TIDY: &str = "Period,Council,Metric,Value,Unit\n\
    2024-04,Stockport,Days to pay,18,days\n\
    2024-05,Stockport,Days to pay,21,days\n\
    2024-06,Stockport,Days to pay,25,days\n\
    2024-04,Trafford,Days to pay,15.5,days\n\
    2024-05,Trafford,Days to pay,16,days\n\
    2024-04,Stockport,Followers,100,\n\
    2024-06,Stockport,Followers,90,\n\
    2024-05,Stockport,Followers,120,\n";

const WIDE: &str = "Month,Customer Satisfaction,Supplier Satisfaction\n\
    April 2024,4.1,3.9\n\
    May 2024,4.3,\n";

const GA4: &str = "# ----------------------------------------\n\
    # Traffic acquisition: Session default channel group\n\
    # Account: Shared Service\n\
    # ----------------------------------------\n\
    # Start date: 20240101\n\
    # End date: 20240229\n\
    Date,Sessions,Views\n\
    20240101,10,25\n\
    20240102,12,30\n\
    20240201,8,20\n";

const SOCIAL: &str = "Date,Impressions,Engagements,New follows\n\
    \"Mon, Jan 01, 2024\",100,5,2\n\
    \"Tue, Jan 02, 2024\",200,9,1\n";

#[test]
fn issue_12_each_layout_loads_with_its_figures_reconciled() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let tidy = write(dir.path(), "tidy.csv", TIDY);
    let wide = write(dir.path(), "wide.csv", WIDE);
    let ga4 = write(dir.path(), "ga4.csv", GA4);
    let social = write(dir.path(), "social.csv", SOCIAL);

    let out = ingest(&dataset, &[], &[&tidy, &ga4, &social]);
    assert_ok(&out);
    let text = stdout(&out);
    // Tidy: 8 figures, 18+21+25+15.5+16+100+90+120 = 405.5.
    assert!(
        text.contains("reconciliation: read 8 figures 405.5000 = loaded 8 figures 405.5000 + rejected 0 figures 0.0000: reconciled"),
        "{text}"
    );
    // GA4: 6 figures, 10+25+12+30+8+20 = 105; social: 6 figures, 100+5+2+200+9+1 = 317.
    assert!(text.contains("read 6 figures 105.0000 = loaded 6 figures 105.0000"), "{text}");
    assert!(text.contains("read 6 figures 317.0000 = loaded 6 figures 317.0000"), "{text}");
    assert!(text.contains("layout: ga4") && text.contains("layout: social") && text.contains("layout: tidy"), "{text}");
    // Per metric: days to pay in the tidy file is 18+21+25+15.5+16 = 95.5 over 5 figures.
    assert!(
        text.contains("days to pay: read 5 figure(s) 95.5000 = loaded 5 95.5000 + rejected 0 0.0000: reconciled"),
        "{text}"
    );

    let out = ingest(&dataset, &["--council", "Trafford"], &[&wide]);
    assert_ok(&out);
    // Wide: 3 figures (May's supplier cell is empty), 4.1 + 3.9 + 4.3 = 12.3.
    assert!(stdout(&out).contains("read 3 figures 12.3000 = loaded 3 figures 12.3000"), "{}", stdout(&out));

    let rows = table(&dataset);
    assert_eq!(
        rows[0],
        row(&["council", "s", "e", "metric", "v", "aggregation", "source", "source_file", "source_row"])
    );
    let find = |file: &str, line: &str, metric: &str| {
        rows.iter().find(|r| r[7] == file && r[8] == line && r[3] == metric).cloned().unwrap_or_default()
    };
    assert_eq!(
        find("ga4.csv", "8", "page views"),
        row(&["-", "2024-01-01", "2024-01-01", "page views", "25.0000", "sum", "ga4", "ga4.csv", "8"])
    );
    assert_eq!(
        find("social.csv", "3", "follows"),
        row(&["-", "2024-01-02", "2024-01-02", "follows", "1.0000", "sum", "social", "social.csv", "3"])
    );
    assert_eq!(
        find("tidy.csv", "7", "followers"),
        row(&["Stockport", "2024-04-01", "2024-04-30", "followers", "100.0000", "latest", "tidy", "tidy.csv", "7"])
    );
    assert_eq!(
        find("wide.csv", "3", "customer satisfaction"),
        row(&[
            "Trafford",
            "2024-05-01",
            "2024-05-31",
            "customer satisfaction",
            "4.3000",
            "average",
            "wide",
            "wide.csv",
            "3"
        ])
    );
    // 8 + 6 + 6 + 3 figures.
    assert_eq!(rows.len() - 1, 23);
}

#[test]
fn issue_12_rejects_name_their_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let bad = write(
        dir.path(),
        "bad.csv",
        "Period,Metric,Value\n2024-04,Sessions,10\nSmarch 2024,Sessions,20\n2024-05,Sessions,lots\n2024-06,Sessions,5\n",
    );
    let out = ingest(&dataset, &["--max-reject-rate", "1"], &[&bad]);
    assert_ok(&out);
    // Read 10 + 20 + 0 (unreadable) + 5 = 35; loaded 15; rejected 20 (the unreadable value counts 0).
    assert!(
        stdout(&out).contains(
            "reconciliation: read 4 figures 35.0000 = loaded 2 figures 15.0000 + rejected 2 figures 20.0000: reconciled"
        ),
        "{}",
        stdout(&out)
    );
    let rejects = csv_rows(&std::fs::read_to_string(dataset.join("rejects.csv")).unwrap());
    assert_eq!(rejects[0], row(&["council", "source_file", "line", "reason", "raw_line"]));
    assert_eq!(rejects[1], row(&["", "bad.csv", "3", "unreadable period 'Smarch 2024'", "Smarch 2024,Sessions,20"]));
    assert_eq!(rejects[2], row(&["", "bad.csv", "4", "value is not a number: 'lots'", "2024-05,Sessions,lots"]));
    assert_eq!(rejects.len(), 3);
}

#[test]
fn issue_12_reingesting_the_same_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let ga4 = write(dir.path(), "ga4.csv", GA4);
    assert_ok(&ingest(&dataset, &[], &[&ga4]));
    let before = committed_bytes(&dataset);
    let out = ingest(&dataset, &[], &[&ga4]);
    assert_ok(&out);
    assert!(stdout(&out).contains("nothing changed; dataset left as it was"), "{}", stdout(&out));
    assert_eq!(committed_bytes(&dataset), before, "the committed version is byte-identical");
}

#[test]
fn issue_12_a_failing_file_commits_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let tidy = write(dir.path(), "tidy.csv", TIDY);
    assert_ok(&ingest(&dataset, &[], &[&tidy]));
    let before = committed_bytes(&dataset);
    // A good file, then one whose every figure is rejected: the whole run fails.
    let wide = write(dir.path(), "wide.csv", WIDE);
    let broken = write(dir.path(), "broken.csv", "Period,Metric,Value\nnever,Sessions,1\nsoon,Sessions,2\n");
    let out = ingest(&dataset, &[], &[&wide, &broken]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("every one of its 2 rows was rejected"), "{}", stderr(&out));
    assert_eq!(committed_bytes(&dataset), before, "nothing of wide.csv was committed either");
}

#[test]
fn issue_12_a_council_column_wins_over_the_council_option_and_neither_means_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Period,Council,Metric,Value\n2024-04,Stockport,Sessions,1\n2024-04,,Sessions,2\n";
    let file = write(dir.path(), "councils.csv", text);
    let with = dir.path().join("with");
    assert_ok(&ingest(&with, &["--council", "rochdale"], &[&file]));
    let rows = table(&with);
    assert_eq!((rows[1][0].as_str(), rows[1][4].as_str()), ("Stockport", "1.0000"), "the column wins");
    assert_eq!((rows[2][0].as_str(), rows[2][4].as_str()), ("Rochdale", "2.0000"), "an empty cell takes --council");
    let without = dir.path().join("without");
    assert_ok(&ingest(&without, &[], &[&file]));
    let rows = table(&without);
    assert_eq!(rows[1][0], "Stockport");
    assert_eq!(rows[2][0], "-", "no council anywhere: the whole service (null)");
    // Spend still needs a council.
    let spend = write(dir.path(), "spend.csv", "Supplier Name,Payment Date,Amount\nAcme,2024-04-01,1.00\n");
    let out = spendql().arg("--dataset").arg(&without).args(["ingest"]).arg(&spend).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--council must name the council"), "{}", stderr(&out));
}

/// A dataset of the tidy file alone.
fn metrics_dataset(dir: &Path) -> PathBuf {
    let dataset = dir.join("data");
    assert_ok(&ingest(&dataset, &[], &[&write(dir, "tidy.csv", TIDY), &write(dir, "ga4.csv", GA4)]));
    dataset
}

fn query(dataset: &Path, text: &str) -> Vec<Vec<String>> {
    csv_rows(&run_ok(dataset, &["query", "--format", "csv", text]))
}

#[test]
fn issue_12_metric_measures_aggregate_as_each_metric_declares() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = metrics_dataset(dir.path());
    // Average: Stockport (18 + 21 + 25) / 3 = 64 / 3 = 21.3333 (four decimals, rounded);
    // Trafford (15.5 + 16) / 2 = 15.75. The larger first.
    assert_eq!(
        query(&dataset, r#"metric "days to pay" by council"#),
        [row(&["council", "days to pay"]), row(&["Stockport", "21.3333"]), row(&["Trafford", "15.7500"])]
    );
    // By month, in time order: April (18 + 15.5) / 2 = 16.75, May (21 + 16) / 2 = 18.5, June 25.
    assert_eq!(
        query(&dataset, r#"metric "Days to Pay" by month where date in 2024"#),
        [
            row(&["month", "days to pay"]),
            row(&["2024-04", "16.7500"]),
            row(&["2024-05", "18.5000"]),
            row(&["2024-06", "25.0000"])
        ]
    );
    // Latest: Stockport's followers are 100 (April), 120 (May, the last line), 90 (June):
    // the latest period's figure is 90, neither the largest nor the last written.
    assert_eq!(
        query(&dataset, r#"metric "followers" by council"#),
        [row(&["council", "followers"]), row(&["Stockport", "90.0000"])]
    );
    // By quarter it is still June's 90.
    assert_eq!(
        query(&dataset, r#"metric "followers" by quarter"#),
        [row(&["quarter", "followers"]), row(&["2024 Q2", "90.0000"])]
    );
    // Sum: the service's January sessions 10 + 12 = 22, February 8; views 25 + 30 = 55, 20.
    assert_eq!(
        query(&dataset, r#"metric "sessions", metric "page views" by month"#),
        [
            row(&["month", "sessions", "page views"]),
            row(&["2024-01", "22.0000", "55.0000"]),
            row(&["2024-02", "8.0000", "20.0000"])
        ]
    );
    // A condition on the period: only June's 25 for days to pay.
    assert_eq!(
        query(&dataset, r#"metric "days to pay" by council where month = 2024-06"#),
        [row(&["council", "days to pay"]), row(&["Stockport", "25.0000"])]
    );
}

#[test]
fn issue_12_an_unknown_metric_is_an_error_with_near_names() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = metrics_dataset(dir.path());
    let out = spendql()
        .arg("--dataset")
        .arg(&dataset)
        .args(["query", r#"metric "days to pai" by council"#])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(text.contains(r#"unknown metric "days to pai""#), "{text}");
    assert!(text.contains(r#"did you mean "days to pay"?"#), "{text}");
}

#[test]
fn issue_12_metrics_and_spend_measures_are_not_mixed_in_one_query() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = metrics_dataset(dir.path());
    let spend = write(dir.path(), "spend.csv", "Supplier Name,Payment Date,Amount\nAcme,2024-04-01,1.00\n");
    run_ok(&dataset, &["ingest", "--council", "Stockport", spend.to_str().unwrap()]);
    let out = spendql()
        .arg("--dataset")
        .arg(&dataset)
        .args(["query", r#"spend, metric "days to pay" by council"#])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot be mixed with measures of the spend table"), "{}", stderr(&out));
    // Spend still answers alone, and the metrics table is untouched by the spend ingest.
    assert_eq!(query(&dataset, "spend by council"), [row(&["council", "spend"]), row(&["Stockport", "1.00"])]);
    assert_eq!(query(&dataset, r#"metric "days to pay" by council"#).len(), 3);
}

#[test]
fn issue_12_a_file_that_is_not_a_metrics_file_is_refused_with_its_name_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("suppliers.csv"), "Supplier,Town\nAcme,Bury\n").unwrap();
    let out = spendql()
        .current_dir(dir.path())
        .args(["--dataset", "data", "ingest", "--kind", "metrics", "suppliers.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("data").join("current").exists(), "nothing committed");
    insta::assert_snapshot!(stderr(&out));
}

#[test]
fn issue_12_the_sample_metrics_files_load_whole() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/sample");
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    // April 2021 to March 2024 is 365 + 365 + 366 = 1096 days (February 2024 has 29):
    // GA4 has three figures a day (sessions, views, active users), the social overview four.
    let service = [sample.join("service/service-website-ga4.csv"), sample.join("service/service-social-media.csv")];
    let out = ingest(&dataset, &[], &[&service[0], &service[1]]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("read 3288 figures") && text.contains("read 4384 figures"), "{text}");
    assert!(text.contains("7672 rows loaded, 0 rejected"), "{text}");
    // Each council: 36 months, three metrics.
    for council in ["stockport", "trafford", "rochdale"] {
        let file = sample.join(format!("{council}/{council}-performance-metrics.csv"));
        let out = ingest(&dataset, &["--council", council], &[&file]);
        assert_ok(&out);
        assert!(stdout(&out).contains("read 108 figures"), "{council}: {}", stdout(&out));
        assert!(stdout(&out).contains("108 rows loaded, 0 rejected"), "{council}: {}", stdout(&out));
    }
    let months = query(&dataset, r#"metric "days to pay" by council"#);
    assert_eq!(months.len(), 4, "three councils: {months:?}");
}

#[test]
fn issue_12_a_dataset_without_metrics_has_an_empty_metrics_table_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let spend = write(dir.path(), "spend.csv", "Supplier Name,Payment Date,Amount\nAcme,2024-04-01,1.00\n");
    run_ok(&dataset, &["ingest", "--council", "Stockport", spend.to_str().unwrap()]);
    let rows = csv_rows(&run_ok(&dataset, &["sql", "--format", "csv", "SELECT count(*) AS n FROM metrics"]));
    assert_eq!(rows, [row(&["n"]), row(&["0"])]);
    let out =
        spendql().arg("--dataset").arg(&dataset).args(["query", r#"metric "sessions" by month"#]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the dataset has no metrics; load some with `spendql ingest --kind metrics"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn issue_12_a_metric_stored_with_two_aggregations_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    // `complaints` is a count (sum) by the registry; the second file says `average`.
    let counted = write(dir.path(), "a.csv", "Period,Metric,Value\n2024-04,Complaints,3\n");
    let averaged = write(dir.path(), "b.csv", "Period,Metric,Value,Aggregation\n2024-05,Complaints,4,average\n");
    assert_ok(&ingest(&dataset, &[], &[&counted, &averaged]));
    let out =
        spendql().arg("--dataset").arg(&dataset).args(["query", r#"metric "complaints" by month"#]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is stored with different aggregations (average, sum)"), "{}", stderr(&out));
}
