//! Issue 10: a file that mostly does not load fails the ingest instead of looking like
//! success. Each case is a real published Salford file, copied and edited minimally; the
//! expected counts come from this test's own reading of the edited copy.

use std::path::{Path, PathBuf};

use crate::support::{assert_ok, committed_bytes, real_data, spendql, stderr, stdout};

/// Salford's April 2021 file with `edit` applied to the fields of every data row for which
/// `pick(index)` holds; returns the copy and how many rows were edited.
fn edited_copy(
    real: &Path,
    dir: &Path,
    pick: impl Fn(usize) -> bool,
    edit: impl Fn(&mut Vec<String>),
) -> (PathBuf, usize) {
    let source = real.join("salford/2021-04.csv");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(&source).expect("read the real file");
    let copy = dir.join("2021-04.csv");
    let mut writer = csv::Writer::from_path(&copy).expect("write the copy");
    let mut edited = 0;
    for (i, record) in reader.records().enumerate() {
        let mut fields: Vec<String> = record.expect("a record").iter().map(str::to_string).collect();
        if i > 0 && pick(i - 1) {
            edit(&mut fields);
            edited += 1;
        }
        writer.write_record(&fields).expect("write a record");
    }
    writer.flush().expect("flush");
    (copy, edited)
}

fn ingest(dataset: &Path, extra: &[&str], file: &Path) -> std::process::Output {
    spendql()
        .arg("--dataset")
        .arg(dataset)
        .args(["ingest", "--council", "Salford"])
        .args(extra)
        .arg(file)
        .output()
        .expect("spendql runs")
}

/// A dataset already holding Salford's May 2021 file, so "untouched" has something to keep.
fn dataset_with_may(real: &Path, dir: &Path) -> PathBuf {
    let dataset = dir.join("data");
    assert_ok(&ingest(&dataset, &[], &real.join("salford/2021-05.csv")));
    dataset
}

#[test]
fn issue_10_a_real_file_whose_dates_are_all_times_fails_and_commits_nothing() {
    let Some(real) = real_data("issue_10_a_real_file_whose_dates_are_all_times_fails_and_commits_nothing") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let dataset = dataset_with_may(&real, dir.path());
    let before = committed_bytes(&dataset);
    // Column 2 is `Date of Payment`; a cell holding only a time is no date.
    let (file, rows) = edited_copy(&real, dir.path(), |_| true, |f| f[1] = "00:00:00".to_string());
    let output = ingest(&dataset, &[], &file);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains(&format!("every one of its {rows} rows was rejected")), "{err}");
    assert!(err.contains(&format!("{rows} row(s): unreadable payment date '…'")), "{err}");
    assert!(err.contains("nothing was committed"), "{err}");
    assert_eq!(committed_bytes(&dataset), before, "the dataset is untouched");
    // Accepting every reject is the one way to load such a file, and it must be asked for.
    let accepted = ingest(&dataset, &["--max-reject-rate", "1"], &file);
    assert_ok(&accepted);
    assert!(
        stdout(&accepted).contains(&format!("loaded 0 rows £0.00 + rejected {rows} rows")),
        "{}",
        stdout(&accepted)
    );
}

#[test]
fn issue_10_a_real_file_past_the_reject_threshold_fails_unless_the_rate_allows_it() {
    let Some(real) = real_data("issue_10_a_real_file_past_the_reject_threshold_fails_unless_the_rate_allows_it") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let dataset = dataset_with_may(&real, dir.path());
    let before = committed_bytes(&dataset);
    // Every 25th row's amounts (Gross, Net) become words: 4% of the rows cannot load.
    let (file, bad) = edited_copy(
        &real,
        dir.path(),
        |i| i % 25 == 0,
        |f| {
            f[3] = "ten pounds".to_string();
            f[5] = "ten pounds".to_string();
        },
    );
    let total = csv::Reader::from_path(&file).unwrap().records().count();
    assert!(bad * 100 > total, "the edit rejects more than 1%: {bad} of {total}");
    let output = ingest(&dataset, &[], &file);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains(&format!("{bad} of {total} rows rejected")), "{err}");
    assert!(err.contains("more than the 1% allowed"), "{err}");
    assert!(err.contains(&format!("{bad} row(s): amount is not a number: '…'")), "{err}");
    assert_eq!(committed_bytes(&dataset), before, "the dataset is untouched");

    let allowed = ingest(&dataset, &["--max-reject-rate", "0.05"], &file);
    assert_ok(&allowed);
    let loaded = total - bad;
    assert!(stdout(&allowed).contains(&format!("loaded {loaded} rows")), "{}", stdout(&allowed));
}

#[test]
fn issue_10_the_reject_rate_must_be_a_share_from_0_to_1() {
    let dir = tempfile::tempdir().unwrap();
    for rate in ["1.5", "-0.1", "five"] {
        let output = ingest(&dir.path().join("data"), &["--max-reject-rate", rate], Path::new("none.csv"));
        assert_eq!(output.status.code(), Some(2), "{rate}");
        assert!(stderr(&output).contains("is not a share from 0 to 1"), "{}", stderr(&output));
    }
}
