//! `spendql suppliers [--unmatched]` and the supplier key's precision: proposals checked
//! against spend summed by hand from the rows written, aliases that silence a proposal,
//! refused aliases files, and the key stored by ingest measured on the labelled pairs in
//! `benches/supplier_pairs.csv` against a fixed requirement and a plain normaliser.

use std::collections::BTreeMap;
use std::path::Path;

use spendql::fixture::{Row, write_rows};

use crate::support::{csv_rows, real_dataset, run_ok, spendql, stored_supplier_keys};

/// The product requirement for the supplier key: of the pairs it calls the same supplier,
/// at most one in a hundred may be two different ones (a wrong merge misstates spend).
const REQUIRED_KEY_PRECISION: f64 = 0.99;

/// The plain normaliser any matcher must beat, written here: upper case, every run of
/// punctuation and spaces made one space, and one trailing legal form dropped.
fn plain_key(name: &str) -> String {
    let upper = name.to_uppercase();
    let mut words: Vec<&str> = upper.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.len() > 1 && matches!(words.last(), Some(&("LTD" | "LIMITED" | "PLC" | "LLP" | "CIC" | "INC"))) {
        words.pop();
    }
    words.join(" ")
}

/// (name_a, name_b, same) from `benches/supplier_pairs.csv`, read with the `csv` crate.
fn labelled_pairs() -> Vec<(String, String, bool)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/supplier_pairs.csv");
    let mut reader = csv::Reader::from_path(&path).expect("pairs file");
    assert_eq!(reader.headers().expect("header"), vec!["name_a", "name_b", "same", "note"]);
    reader
        .records()
        .map(|r| {
            let r = r.expect("a pairs row");
            let same = match &r[2] {
                "true" => true,
                "false" => false,
                other => panic!("same = {other:?}"),
            };
            (r[0].to_string(), r[1].to_string(), same)
        })
        .collect()
}

/// (precision, recall) of "same key means same supplier" on the labelled pairs.
fn precision_recall(pairs: &[(String, String, bool)], same_key: impl Fn(usize) -> bool) -> (f64, f64, u64) {
    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    for (i, (_, _, same)) in pairs.iter().enumerate() {
        match (same_key(i), *same) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            (false, false) => {}
        }
    }
    (tp as f64 / (tp + fp).max(1) as f64, tp as f64 / (tp + fn_).max(1) as f64, tp + fp)
}

#[test]
fn issue_9_the_stored_key_is_precise_and_finds_more_than_a_plain_normaliser() {
    let pairs = labelled_pairs();
    assert!(pairs.len() >= 300, "{} labelled pairs", pairs.len());
    let names: Vec<&str> = pairs.iter().flat_map(|(a, b, _)| [a.as_str(), b.as_str()]).collect();
    let keys = stored_supplier_keys(&names);
    let (precision, recall, called) =
        precision_recall(&pairs, |i| !keys[2 * i].is_empty() && keys[2 * i] == keys[2 * i + 1]);
    let (plain_precision, plain_recall, _) = precision_recall(&pairs, |i| {
        let (a, b) = (plain_key(&pairs[i].0), plain_key(&pairs[i].1));
        !a.is_empty() && a == b
    });
    eprintln!("key: precision {precision:.3}, recall {recall:.3}; plain: {plain_precision:.3}, {plain_recall:.3}");
    assert!(called >= 100, "only {called} pairs called the same: too few to measure precision");
    assert!(precision >= REQUIRED_KEY_PRECISION, "key precision {precision:.3} is below {REQUIRED_KEY_PRECISION}");
    assert!(recall >= plain_recall, "key recall {recall:.3} is below the plain normaliser's {plain_recall:.3}");
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
    // "Biffa Waste Services Ltd" keyed by the README's rule: upper case, legal form dropped.
    let biffa_row = by_key["BIFFA WASTE SERVICES"];
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
fn unmatched_on_the_real_files_proposes_known_variants() {
    // No wall-clock limit: a debug build on a busy machine proves nothing about speed
    // (BENCHMARKS.md measures it); this checks what is proposed.
    let Some(dataset) = real_dataset("unmatched_on_the_real_files_proposes_known_variants") else { return };
    let rows = csv_rows(&run_ok(dataset, &["suppliers", "--unmatched", "--format", "csv"]));
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
