//! The one printer, through the binary: every command that prints takes the same `--format`
//! values (and refuses others with the same list), a closed pipe ends the process quietly
//! with status 0, and a file is written whole.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::Stdio;

use crate::support::{csv_rows, fixture_dataset, run_ok, spendql};

/// The fixture with its contracts register, so `workplan` has something to plan.
fn linked_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    spendql::fixture::write_linked_fixture(dir.path()).unwrap();
    dir
}

/// Each printing command with the arguments it needs, on `dataset`.
fn printing_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["query", "spend by council"],
        vec!["check"],
        vec!["workplan", "--months", "12", "--as-of", "2022-01-01"],
        vec!["suppliers"],
        vec!["categories", "--unmapped"],
    ]
}

const FORMATS: [&str; 8] = ["table", "csv", "json", "ndjson", "parquet", "xlsx", "svg", "png"];

#[test]
fn issue_9_every_printing_command_refuses_an_unknown_format_with_the_same_list() {
    let dir = linked_fixture();
    let mut lists = Vec::new();
    for command in printing_commands() {
        let out =
            spendql().arg("--dataset").arg(dir.path()).args(&command).args(["--format", "html"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{command:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("error: invalid value 'html' for '--format <FORMAT>'"), "{command:?}: {stderr}");
        let list = stderr.lines().find(|l| l.contains("possible values")).unwrap_or_default().trim().to_string();
        lists.push(list);
    }
    // Written out here, not read from the program: the formats issue 9 asks for.
    let expected = format!("[possible values: {}]", FORMATS.join(", "));
    assert!(lists.iter().all(|l| *l == expected), "{lists:#?}");
}

#[test]
fn issue_9_every_printing_command_prints_every_text_format() {
    let dir = linked_fixture();
    for command in printing_commands() {
        let run = |format: &str| run_ok(dir.path(), &[&command[..], &["--format", format]].concat());
        let csv = run("csv");
        let rows = csv_rows(&csv);
        assert!(rows.len() > 1, "{command:?} has rows: {csv}");
        let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
        assert_eq!(json.as_array().unwrap().len(), rows.len() - 1, "{command:?}: one object per CSV row");
        let ndjson = run("ndjson");
        assert_eq!(ndjson.lines().count(), rows.len() - 1, "{command:?}");
        assert!(ndjson.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()), "{command:?}");
        let table = run("table");
        assert!(table.contains('┆') && table.contains(&rows[0][0]), "{command:?}: {table}");
    }
}

#[test]
fn issue_9_every_printing_command_writes_a_workbook_with_money_as_numbers() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = linked_fixture();
    for command in printing_commands() {
        let book = dir.path().join(format!("{}.xlsx", command[0]));
        run_ok(dir.path(), &[&command[..], &["--output", book.to_str().unwrap()]].concat());
        let mut workbook: Xlsx<_> = open_workbook(&book).unwrap();
        let first = workbook.sheet_names()[0].clone();
        let sheet = workbook.worksheet_range(&first).unwrap();
        assert!(sheet.height() > 1, "{command:?}");
        if command[0] == "query" {
            // spend by council on the fixture: Trafford £31,225.75, worked out by hand in fixture.rs.
            let trafford = sheet.rows().find(|r| r[0] == Data::String("Trafford".into())).unwrap();
            assert_eq!(trafford[1], Data::Float(31_225.75));
        }
    }
}

/// Run `args`, read the first line of stdout, close the pipe, and return (status, stderr).
fn first_line_then_close(dataset: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("spendql"))
        .env_remove("SPENDQL_DATASET")
        .env("NO_COLOR", "1")
        .arg("--dataset")
        .arg(dataset)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // The reader (and so the pipe) is dropped here, as `head -1` exits.
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    (status.code(), first, stderr)
}

#[test]
fn issue_9_a_closed_pipe_ends_quietly_with_status_0() {
    let dataset = fixture_dataset();
    // Five copies of the fourteen payments cross-joined: 537,824 rows, megabytes of CSV, far
    // more than a pipe holds, so the writes after the reader has gone must fail.
    let sql = "SELECT a.council, b.amount FROM spend a, spend b, spend c, spend d, spend e";
    let (status, first, stderr) = first_line_then_close(dataset, &["sql", sql]);
    assert_eq!(first, "council,amount\n");
    assert_eq!((status, stderr.as_str()), (Some(0), ""));

    let (status, first, stderr) = first_line_then_close(dataset, &["query", "transactions by supplier"]);
    assert_eq!(first, "supplier,transactions\n");
    assert_eq!((status, stderr.as_str()), (Some(0), ""));
}
