//! Shared helpers for the integration tests: locating the real council files in
//! `../shared/data/real`, running the `spendql` binary, and a real-data dataset ingested
//! once per test run.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;

/// The real council files, or `None` (with a printed skip notice) when `../shared` is absent.
pub fn real_data(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIP {test}: ../shared/data/real is absent (CI requires it)");
        None
    }
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
/// register, ingested into one dataset, once per test run. `None` when the real files are absent.
pub fn real_dataset() -> Option<&'static Path> {
    static DATASET: OnceLock<Option<PathBuf>> = OnceLock::new();
    DATASET
        .get_or_init(|| {
            let real = real_data("real dataset")?;
            let dir = tempfile::Builder::new().prefix("spendql-real-").tempdir().expect("tempdir").keep();
            let files = |sub: &str| -> Vec<PathBuf> {
                let mut v: Vec<PathBuf> = std::fs::read_dir(real.join(sub))
                    .expect("real folder")
                    .map(|e| e.expect("entry").path())
                    .filter(|p| {
                        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                        name.starts_with("20") && name.ends_with(".csv")
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
