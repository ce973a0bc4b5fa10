//! `spendql suppliers [--unmatched]` and the supplier key's measured precision: proposals
//! checked against spend summed by hand from the rows written, aliases that silence a
//! proposal, refused aliases files, and the labelled pairs in `benches/supplier_pairs.csv`.

use std::collections::BTreeMap;
use std::path::Path;

use spendql::fixture::{Row, write_rows};
use spendql::suppliers::eval::{key_confusion, load_pairs};
use spendql::suppliers::{KeyRules, supplier_key};

use crate::support::{csv_rows, real_dataset, run_ok, spendql};

/// Key equality on the labelled pairs, as measured for BENCHMARKS.md
/// (`cargo run --example supplier_eval`).
const MEASURED_KEY_PRECISION: f64 = 0.995;
const MEASURED_KEY_RECALL: f64 = 0.538;

#[test]
fn key_precision_and_recall_do_not_fall_below_the_measured_values() {
    let pairs = load_pairs(&Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/supplier_pairs.csv")).expect("pairs");
    assert!(pairs.len() >= 300, "{} labelled pairs", pairs.len());
    let after = key_confusion(&pairs, &KeyRules::DEFAULT);
    assert!(
        after.precision() >= MEASURED_KEY_PRECISION - 0.01,
        "key precision {:.3} fell below the measured {MEASURED_KEY_PRECISION:.3}: {after:?}",
        after.precision()
    );
    assert!(
        after.recall() >= MEASURED_KEY_RECALL - 0.02,
        "key recall {:.3} fell below the measured {MEASURED_KEY_RECALL:.3}: {after:?}",
        after.recall()
    );
    let before = key_confusion(&pairs, &KeyRules::BASELINE);
    assert!(after.f1() > before.f1(), "the rules must beat the baseline: {after:?} vs {before:?}");
}

/// Payments whose suppliers include two misspelt pairs, two different Amey companies, a
/// name with a branch note, and a redaction. Pence in the third field.
const ROWS: &[Row] = &[
    ("Trafford", "2024-04-10", 120_000, "Biffa Waste Services Ltd", "", "Waste", "Place", "Works", false, false),
    ("Trafford", "2024-05-10", 30_050, "Biffa Waste Services Ltd", "", "Waste", "Place", "Works", false, false),
    ("Salford", "2024-04-11", 50_000, "BIFFA WASTE SERVIC", "", "Waste", "Place", "Works", false, false),
    ("Salford", "2024-06-01", -2_500, "BIFFA WASTE SERVIC", "", "Waste", "Place", "Works", false, false),
    ("Trafford", "2024-04-12", 70_000, "Amey LG Ltd", "", "Highways", "Place", "Works", false, false),
    ("Salford", "2024-04-13", 80_000, "Amey OW Limited", "", "Highways", "Place", "Works", false, false),
    ("Trafford", "2024-04-14", 10_000, "Allweis & Co Solicitors", "", "Legal", "Legal", "Fees", false, false),
    ("Salford", "2024-04-15", 20_000, "Allweis and Co Solictors", "", "Legal", "Legal", "Fees", false, false),
    ("Salford", "2024-04-16", 99_999, "Redacted", "", "Care", "Adults", "Care", false, true),
    ("Trafford", "2024-04-17", 15_000, "Hollowood Chemist Ltd (Sale)", "", "Health", "Adults", "Drugs", false, false),
    ("Trafford", "2024-04-18", 25_000, "Hollowood Chemist Ltd", "", "Health", "Adults", "Drugs", false, false),
];

/// Pence summed by hand-chosen group, as "1234.56".
fn spend_of(names: &[&str]) -> String {
    let pence: i128 = ROWS.iter().filter(|r| names.contains(&r.3)).map(|r| r.2).sum();
    format!("{}.{:02}", pence / 100, pence % 100)
}

fn dataset() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write_rows(dir.path(), ROWS).expect("rows written");
    dir
}

#[test]
fn unmatched_proposes_misspelt_pairs_with_their_spend() {
    let dir = dataset();
    let out = run_ok(dir.path(), &["suppliers", "--unmatched", "--format", "csv"]);
    let rows = csv_rows(&out);
    assert_eq!(rows[0], ["supplier_a", "spend_a", "supplier_b", "spend_b", "similarity", "evidence", "suppliers_toml"]);
    let pairs: Vec<(&str, &str, &str, &str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str(), r[5].as_str(), r[6].as_str()))
        .collect();
    let biffa = (spend_of(&["Biffa Waste Services Ltd"]), spend_of(&["BIFFA WASTE SERVIC"]));
    let allweis = (spend_of(&["Allweis and Co Solictors"]), spend_of(&["Allweis & Co Solicitors"]));
    assert_eq!(
        pairs,
        vec![
            (
                "Biffa Waste Services Ltd",
                biffa.0.as_str(),
                "BIFFA WASTE SERVIC",
                biffa.1.as_str(),
                "similar names",
                r#""Biffa Waste Services Ltd" = ["BIFFA WASTE SERVIC"]"#
            ),
            (
                "Allweis and Co Solictors",
                allweis.0.as_str(),
                "Allweis & Co Solicitors",
                allweis.1.as_str(),
                "similar names",
                r#""Allweis and Co Solictors" = ["Allweis & Co Solicitors"]"#
            ),
        ],
        "the larger combined spend first; Amey LG / OW and the redaction are not proposed"
    );

    // Pasting the suggested line merges the pair: it is proposed no more, and the list of
    // suppliers shows one supplier with both names' spend.
    std::fs::write(dir.path().join("suppliers.toml"), format!("[aliases]\n{}\n", pairs[0].5)).expect("write aliases");
    let rows = csv_rows(&run_ok(dir.path(), &["suppliers", "--unmatched", "--format", "csv"]));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][0], "Allweis and Co Solictors");
    let list = csv_rows(&run_ok(dir.path(), &["suppliers", "--format", "csv"]));
    assert_eq!(list[0], ["key", "name", "names", "rows", "spend"]);
    let by_key: BTreeMap<&str, &Vec<String>> = list[1..].iter().map(|r| (r[0].as_str(), r)).collect();
    let biffa_row = by_key[supplier_key("Biffa Waste Services Ltd").as_str()];
    assert_eq!(biffa_row[2..], ["2", "4", &spend_of(&["Biffa Waste Services Ltd", "BIFFA WASTE SERVIC"])]);
    let chemist = by_key["HOLLOWOOD CHEMIST"];
    assert_eq!(chemist[2..], ["2", "2", &spend_of(&["Hollowood Chemist Ltd (Sale)", "Hollowood Chemist Ltd"])]);
    assert!(!by_key.contains_key("REDACTED"), "redacted rows are no supplier");
    assert_eq!(list.len() - 1, 6, "Biffa, Amey LG, Amey OW, two Allweis, Hollowood: {list:?}");
}

#[test]
fn unmatched_table_for_people() {
    let dir = dataset();
    let out = run_ok(dir.path(), &["suppliers", "--unmatched", "--format", "table", "--limit", "1"]);
    insta::assert_snapshot!(out);
}

#[test]
fn an_alias_under_two_names_is_refused_naming_the_file_and_line() {
    let dir = dataset();
    std::fs::write(
        dir.path().join("suppliers.toml"),
        "[aliases]\n\"Biffa Group\" = [\"Biffa Waste Services\"]\n\"Biffa Holdings\" = [\"BIFFA WASTE SERVICES LTD\"]\n",
    )
    .expect("write aliases");
    let out = spendql().arg("--dataset").arg(dir.path()).args(["suppliers", "--unmatched"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&dir.path().display().to_string(), "DATASET");
    insta::assert_snapshot!(stderr);
}

#[test]
fn bad_toml_in_the_aliases_file_is_refused_naming_the_file_and_line() {
    let dir = dataset();
    std::fs::write(dir.path().join("suppliers.toml"), "[aliases]\n\"Biffa Group\" = [\"Biffa Waste Services\"\n")
        .expect("write aliases");
    let out = spendql().arg("--dataset").arg(dir.path()).args(["suppliers"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&dir.path().display().to_string(), "DATASET");
    // The line where the unclosed array opens.
    assert!(stderr.starts_with("error: DATASET/suppliers.toml:2: unclosed array"), "{stderr}");
}

#[test]
fn unmatched_on_the_real_files_proposes_known_variants_quickly() {
    let Some(dataset) = real_dataset() else { return };
    let started = std::time::Instant::now();
    let out = run_ok(dataset, &["suppliers", "--unmatched", "--format", "csv"]);
    let elapsed = started.elapsed();
    let rows = csv_rows(&out);
    eprintln!("suppliers --unmatched on the real files: {} pairs in {elapsed:?}", rows.len() - 1);
    assert!(elapsed.as_secs() < 60, "took {elapsed:?}");
    let proposed = |a: &str, b: &str| rows.iter().any(|r| (r[0] == a && r[2] == b) || (r[0] == b && r[2] == a));
    assert!(
        proposed("Greater Manchester Combined Authori", "Greater Manchester Combined Authorities"),
        "a name cut short by a fixed-width column is proposed"
    );
    assert!(
        proposed("Argyle Nw Construction Ltd", "Argyle North West Construction Ltd"),
        "an abbreviation is proposed"
    );
}
