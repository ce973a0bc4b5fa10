//! Issue 2: the ingest progress bar shows for big files when stderr is a terminal, and
//! never otherwise (so scripts and logs get no control characters).

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::support::spendql;

/// A valid Trafford-style spend CSV of about `megabytes` MB.
fn big_csv(path: &Path, megabytes: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(file, "BeneficiaryName,PaymentDate,TransactionNumber,Amount,ProclassLabel").unwrap();
    let mut written = 0;
    let mut i = 0u64;
    while written < megabytes << 20 {
        let line = format!(
            "Supplier number {},2021-04-{:02},TX{i:09},{}.{:02},Highways maintenance\n",
            i % 977,
            i % 28 + 1,
            i % 5000,
            i % 100
        );
        written += line.len();
        file.write_all(line.as_bytes()).unwrap();
        i += 1;
    }
    file.flush().unwrap();
}

#[test]
fn issue_2_progress_bar_on_a_terminal_only() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big-spend.csv");
    big_csv(&csv, 12);

    // stderr is a pipe: no bar, no escape codes.
    let piped = spendql()
        .arg("--dataset")
        .arg(dir.path().join("piped"))
        .args(["ingest", "--council", "Trafford"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(piped.status.success(), "{}", String::from_utf8_lossy(&piped.stderr));
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(!stderr.contains("MiB") && !stderr.contains('\x1b'), "progress shown on a pipe: {stderr:?}");

    // stderr is a terminal: the bar names the file and counts bytes.
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("spendql"));
    cmd.arg("--dataset")
        .arg(dir.path().join("tty"))
        .args(["ingest", "--council", "Trafford"])
        .arg(&csv)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("SPENDQL_DATASET");
    let mut session = expectrl::Session::spawn(cmd).unwrap();
    session.set_expect_timeout(Some(Duration::from_mins(2)));
    session.expect(expectrl::Regex(r"big-spend\.csv \[[^\]]+\] [0-9.]+ [KM]iB/12\.00 MiB")).unwrap();
    session.expect("committed dataset version").unwrap();
}
