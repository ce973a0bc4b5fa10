//! Shared helpers for the integration tests: locating the real council files in
//! `../shared/data/real`, running the `spendql` binary, and a real-data dataset ingested
//! once per test run.

#![allow(dead_code)]

pub mod browser;
pub mod published;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;

/// The real council files, or `None` when `../shared` is absent: then a skip notice naming
/// `test` goes straight to the process's stderr (libtest captures `eprintln!`, not this), so a
/// normal `cargo test` run shows one line per skipped test. Under `CI=true` a missing folder
/// fails the test instead: CI must never pass on skips.
pub fn real_data(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real");
    folder_or_skip(&dir, test, std::env::var("CI").as_deref() == Ok("true"))
}

/// The labelled supplier names (`../shared/data/labelled`), skipped or failed as
/// [`real_data`] is.
pub fn labelled_data(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/labelled");
    folder_or_skip(&dir, test, std::env::var("CI").as_deref() == Ok("true"))
}

/// The supplier key spendql stores for each name: the names ingested through the binary as
/// one payment each (no identifier columns), the keys read back from `spend` by source row.
pub fn stored_supplier_keys(names: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("names.csv");
    let mut writer = csv::Writer::from_path(&file).expect("names file");
    writer.write_record(["Supplier Name", "Payment Date", "Amount"]).expect("header");
    for name in names {
        writer.write_record([*name, "2024-04-01", "1.00"]).expect("row");
    }
    writer.flush().expect("flush");
    let dataset = dir.path().join("data");
    run_ok(&dataset, &["ingest", "--council", "Trafford", file.to_str().expect("UTF-8 path")]);
    let rows = csv_rows(&run_ok(
        &dataset,
        &["sql", "--format", "csv", "SELECT source_row, coalesce(supplier_key, '') FROM spend ORDER BY source_row"],
    ));
    let lines: Vec<usize> = rows[1..].iter().map(|r| r[0].parse().expect("a line number")).collect();
    assert_eq!(lines, (2..names.len() + 2).collect::<Vec<_>>(), "every name loaded, one per line");
    rows[1..].iter().map(|r| r[1].clone()).collect()
}

/// `dir` when it exists; otherwise a visible skip notice, or under CI a failure.
fn folder_or_skip(dir: &Path, test: &str, ci: bool) -> Option<PathBuf> {
    if dir.is_dir() {
        return Some(dir.to_path_buf());
    }
    assert!(!ci, "{test}: {} is absent, and CI=true requires the real council files", dir.display());
    // Straight to the stderr handle: libtest captures `eprintln!` of passing tests, so a
    // skip written that way would never be seen.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIP {test}: {} is absent (CI requires it)", dir.display());
    None
}

/// A Python interpreter with the outside Parquet readers installed (pandas, pyarrow, Polars,
/// DuckDB), named by `SPENDQL_PYTHON`; `.ci/run` makes that virtualenv. Without it a test
/// that needs one skips visibly, and under `CI=true` fails, as with the real files.
pub fn python_readers(test: &str) -> Option<PathBuf> {
    let ci = std::env::var("CI").as_deref() == Ok("true");
    match std::env::var_os("SPENDQL_PYTHON").map(PathBuf::from) {
        Some(python) if python.is_file() => Some(python),
        named => {
            let what =
                named.map_or_else(|| "SPENDQL_PYTHON is unset".to_string(), |p| format!("{} is absent", p.display()));
            assert!(!ci, "{test}: {what}, and CI=true requires the Python Parquet readers (.ci/run makes them)");
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIP {test}: {what} (a Python with pandas, pyarrow, polars, duckdb; CI requires it)"
            );
            None
        }
    }
}

#[test]
fn issue_9_a_missing_shared_folder_skips_locally_and_fails_under_ci() {
    let present = tempfile::tempdir().expect("tempdir");
    assert_eq!(folder_or_skip(present.path(), "t", true).as_deref(), Some(present.path()));
    let absent = present.path().join("no-such-folder");
    assert_eq!(folder_or_skip(&absent, "t", false), None);
    let under_ci = std::panic::catch_unwind(|| folder_or_skip(&absent, "t", true));
    assert!(under_ci.is_err(), "under CI a missing ../shared must fail the test, not skip it");
}

pub fn spendql() -> Command {
    let mut cmd = Command::cargo_bin("spendql").expect("the spendql binary is built");
    cmd.env_remove("SPENDQL_DATASET").env("NO_COLOR", "1");
    cmd
}

/// Run `spendql` with `args` against `dataset`, expecting success; returns stdout.
pub fn run_ok(dataset: &Path, args: &[&str]) -> String {
    let output = spendql().arg("--dataset").arg(dataset).args(args).output().expect("spendql runs");
    assert!(
        output.status.success(),
        "spendql {args:?} failed:\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

/// The real Manchester, Salford and Trafford (spend and card) files, and Salford's contracts
/// register, ingested into one dataset, once per test run. `None` (with `test`'s own skip
/// notice, see [`real_data`]) when the real files are absent.
pub fn real_dataset(test: &str) -> Option<&'static Path> {
    static DATASET: OnceLock<Option<PathBuf>> = OnceLock::new();
    let real = real_data(test)?;
    DATASET
        .get_or_init(|| {
            let dir = tempfile::Builder::new().prefix("spendql-real-").tempdir().expect("tempdir").keep();
            let files = |sub: &str| -> Vec<PathBuf> {
                let mut v: Vec<PathBuf> = std::fs::read_dir(real.join(sub))
                    .expect("real folder")
                    .map(|e| e.expect("entry").path())
                    .filter(|p| {
                        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                        name.starts_with("20") && p.extension().is_some_and(|e| e == "csv")
                    })
                    .collect();
                v.sort();
                v
            };
            let ingest = |council: &str, kind: &str, paths: Vec<PathBuf>| {
                let mut cmd = spendql();
                cmd.arg("--dataset").arg(&dir).args(["ingest", "--council", council, "--kind", kind]).args(&paths);
                let out = cmd.output().expect("ingest runs");
                assert!(out.status.success(), "ingest {council} failed: {}", String::from_utf8_lossy(&out.stderr));
            };
            ingest("Manchester", "spend", files("manchester"));
            ingest("Salford", "spend", files("salford"));
            ingest("Trafford", "spend", vec![real.join("trafford/trafford-supplier-spend-2024-25.zip")]);
            ingest("Trafford", "card", vec![real.join("trafford/gpc_2024-25.csv")]);
            // Salford's own register, so on/off-contract spend can be checked on real data.
            ingest("Salford", "contracts", vec![real.join("salford/contracts-register-2022-07.csv")]);
            Some(dir)
        })
        .as_deref()
}

/// The fixture dataset (fourteen hand-checkable payments), written once per test run.
pub fn fixture_dataset() -> &'static Path {
    static DATASET: OnceLock<PathBuf> = OnceLock::new();
    DATASET.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("spendql-fixture-").tempdir().expect("tempdir").keep();
        spendql::fixture::write_spend_fixture(&dir).expect("fixture written");
        dir
    })
}

/// Parse CSV text into rows of cells (header first).
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader.records().map(|r| r.expect("valid CSV").iter().map(str::to_string).collect()).collect()
}

pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn assert_ok(output: &std::process::Output) {
    assert!(output.status.success(), "spendql failed\nstdout:\n{}\nstderr:\n{}", stdout(output), stderr(output));
}

/// Every file and symlink under `dir` with its bytes (a symlink's target as bytes), sorted:
/// two equal results mean the folder is byte-identical.
pub fn tree_bytes(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let relative = path.strip_prefix(base).unwrap().to_path_buf();
            if meta.file_type().is_symlink() {
                out.push((relative, std::fs::read_link(&path).unwrap().into_os_string().into_encoded_bytes()));
            } else if meta.is_dir() {
                walk(&path, base, out);
            } else {
                out.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The committed version of a dataset: where `current` points and the bytes of everything
/// in it. Unlike [`tree_bytes`] of the whole dataset, it ignores a killed ingest's staging
/// folder, which the next ingest removes.
pub fn committed_bytes(dataset: &Path) -> (PathBuf, Vec<(PathBuf, Vec<u8>)>) {
    let current = std::fs::read_link(dataset.join("current")).unwrap();
    (current, tree_bytes(&std::fs::canonicalize(dataset.join("current")).unwrap()))
}

/// Two inputs ingest must refuse: `garbage.csv` (binary bytes) and `docs.zip` (a zip holding
/// no CSV or spreadsheet), written into `dir`.
pub fn unreadable_inputs(dir: &Path) -> (PathBuf, PathBuf) {
    use std::io::Write;
    let garbage = dir.join("garbage.csv");
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&garbage, bytes).unwrap();
    let zip_path = dir.join("docs.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    writer.start_file("notes.pdf", zip::write::SimpleFileOptions::default()).unwrap();
    writer.write_all(b"%PDF-1.4").unwrap();
    writer.finish().unwrap();
    (garbage, zip_path)
}
