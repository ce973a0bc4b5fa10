//! Issue 10, one key per contract: `contracts.contract_id` is unique in the dataset and
//! stable when a register is ingested again, and `spend.contract_id` joins every linked
//! payment to exactly one contract, in spendql's own SQL and in DuckDB reading the files.
//! Expected ids are derived here from the CSV with the `csv` crate and the README's rule.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{assert_ok, csv_rows, python_readers, real_data, real_dataset, run_ok, spendql};

fn ingest(dataset: &Path, council: &str, kind: &str, files: &[PathBuf]) -> Output {
    spendql()
        .arg("--dataset")
        .arg(dataset)
        .args(["ingest", "--council", council, "--kind", kind, "--max-reject-rate", "1"])
        .args(files)
        .output()
        .expect("spendql runs")
}

/// `source_row → contract_id` of one council's contracts, read through `spendql sql`.
fn ids_by_line(dataset: &Path, source_file: &str) -> BTreeMap<i64, String> {
    let out = run_ok(
        dataset,
        &[
            "sql",
            "--format",
            "csv",
            &format!("SELECT source_row, contract_id FROM contracts WHERE source_file = '{source_file}'"),
        ],
    );
    csv_rows(&out).into_iter().skip(1).map(|r| (r[0].parse().expect("a line number"), r[1].clone())).collect()
}

/// The README's placeholders: cells that are no reference.
fn placeholder(cell: &str) -> bool {
    ["", "TBC", "TBA", "N/A", "NA", "#N/A", "-", "X", "Various", "Unknown", "NULL"]
        .iter()
        .any(|p| cell.trim().eq_ignore_ascii_case(p))
}

/// One register record as the rule reads it: line, reference, title.
type Record = (i64, String, String);

/// The ids the README's rule gives one council's records, in file order, written out
/// independently of spendql's code: the first claimant of `COUNCIL/REF`, else
/// `COUNCIL/(Title)`, else `COUNCIL/row-LINE` keeps it; later ones take `/2`, `/3`, ...,
/// skipping ids taken.
fn expected_ids(council: &str, rows: &[Record]) -> BTreeMap<i64, String> {
    // Control characters dropped, whitespace runs one space.
    let collapse = |text: &str| {
        let visible: String = text.chars().filter(|c| c.is_whitespace() || !c.is_control()).collect();
        visible.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let base = |line: i64, reference: &str, title: &str| {
        if !placeholder(&collapse(reference)) {
            format!("{council}/{}", collapse(reference).to_uppercase())
        } else if !placeholder(&collapse(title)) {
            format!("{council}/({})", collapse(title))
        } else {
            format!("{council}/row-{line}")
        }
    };
    let mut taken = HashSet::new();
    let mut ids = BTreeMap::new();
    let mut later = Vec::new();
    for (line, reference, title) in rows {
        let b = base(*line, reference, title);
        if taken.insert(b.clone()) {
            ids.insert(*line, b);
        } else {
            later.push((*line, b));
        }
    }
    for (line, b) in later {
        let id =
            (2..=rows.len() + 1).map(|n| format!("{b}/{n}")).find(|id| !taken.contains(id)).expect("a free number");
        taken.insert(id.clone());
        ids.insert(line, id);
    }
    ids
}

/// Every record of a register, read with the `csv` crate.
fn register_records(bytes: &[u8], reference_header: &str, title_header: &str) -> Vec<Record> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.byte_records();
    let header = records.next().expect("a header").expect("readable");
    let column =
        |name: &str| header.iter().position(|h| String::from_utf8_lossy(h).trim() == name).expect("a register column");
    let (reference, title) = (column(reference_header), column(title_header));
    records
        .map(|r| {
            let r = r.expect("readable record");
            let line = r.position().expect("position").line() as i64;
            let cell = |i: usize| String::from_utf8_lossy(r.get(i).unwrap_or_default()).into_owned();
            (line, cell(reference), cell(title))
        })
        .collect()
}

#[test]
fn issue_10_contract_ids_are_unique_on_salfords_real_register() {
    let Some(real) = real_data("issue_10_contract_ids_are_unique_on_salfords_real_register") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let register = real.join("salford/contracts-register-2022-07.csv");
    assert_ok(&ingest(dir.path(), "Salford", "contracts", std::slice::from_ref(&register)));
    let got = ids_by_line(dir.path(), "contracts-register-2022-07.csv");
    let bytes = std::fs::read(&register).expect("register");
    // Every record loads: a contract needs only a readable total value, and the rows an
    // unreadable optional value used to reject now load with that value null.
    let records = register_records(&bytes, "Contract Reference", "Contract Title").len();
    assert_eq!(records, 360, "the published register has 360 records");
    assert_eq!(got.len(), records, "Salford's register loads every contract");
    let distinct: HashSet<&String> = got.values().collect();
    assert_eq!(distinct.len(), got.len(), "contract_id repeats");
    // The rule applied to the loaded lines' published references.
    let references: Vec<Record> = register_records(&bytes, "Contract Reference", "Contract Title")
        .into_iter()
        .filter(|(line, _, _)| got.contains_key(line))
        .collect();
    assert_eq!(references.len(), got.len(), "every loaded line is a record of the CSV");
    let distinct_references: HashSet<&str> =
        references.iter().map(|(_, r, _)| r.trim()).filter(|r| !placeholder(r)).collect();
    assert_eq!(distinct_references.len(), 272, "272 distinct references besides the empty ones");
    assert!(references.iter().any(|(_, r, _)| placeholder(r)), "some contracts have no reference");
    assert_eq!(got, expected_ids("Salford", &references));
    // The readable forms the README promises.
    assert!(got.values().any(|id| id == "Salford/S1161/9"), "S1161 is published nine times");
    assert!(got.values().any(|id| id == "Salford/(Buile Hill Mansion - Asbestos Removal)"), "no reference: the title");
}

/// A register repeating references (in other case and spacing, and as a published `CR-1/2`)
/// and leaving some out, with its ids worked out by hand.
const REGISTER: &str = "Contract Reference,Contract Title,Supplier Name,Start Date,End Date,Total Contract Value\n\
    CR-1,Road salt,Salt Co Ltd,01/04/2021,31/03/2022,1000\n\
    cr-1 ,Road grit,Grit Co Ltd,01/04/2021,31/03/2022,2000\n\
    ,Plumbing,Pipe Ltd,01/04/2021,31/03/2022,3000\n\
    TBC,Catering,Dinners Ltd,01/04/2021,31/03/2022,4000\n\
    CR-1/2,Signs,Sign Ltd,01/04/2021,31/03/2022,5000\n\
    CR  2,Laptops,Bytes Ltd,01/04/2021,31/03/2022,6000\n\
    ,,Odd Jobs Ltd,01/04/2021,31/03/2022,7000\n\
    ,Plumbing,Drains Ltd,01/04/2021,31/03/2022,8000\n";

fn hand_ids() -> BTreeMap<i64, String> {
    [
        (2, "Wigan/CR-1"),
        // The repeat would be CR-1/2, but the register publishes that reference itself.
        (3, "Wigan/CR-1/3"),
        (4, "Wigan/(Plumbing)"),
        (5, "Wigan/(Catering)"),
        (6, "Wigan/CR-1/2"),
        (7, "Wigan/CR 2"),
        (8, "Wigan/row-8"),
        (9, "Wigan/(Plumbing)/2"),
    ]
    .into_iter()
    .map(|(l, id)| (l, id.to_string()))
    .collect()
}

#[test]
fn issue_10_contract_ids_of_repeated_and_missing_references_are_unique_and_readable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("contracts-2022-07.csv");
    std::fs::write(&file, REGISTER).expect("register");
    let dataset = dir.path().join("data");
    assert_ok(&ingest(&dataset, "Wigan", "contracts", std::slice::from_ref(&file)));
    assert_eq!(ids_by_line(&dataset, "contracts-2022-07.csv"), hand_ids());
    // The published references stay as published beside the id.
    let out = run_ok(&dataset, &["sql", "--format", "csv", "SELECT reference FROM contracts WHERE source_row = 3"]);
    assert_eq!(csv_rows(&out)[1], ["cr-1"]);
}

#[test]
fn issue_10_contract_ids_are_stable_when_a_register_is_ingested_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("contracts-2022-07.csv");
    std::fs::write(&file, REGISTER).expect("register");
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    assert_ok(&ingest(&first, "Wigan", "contracts", std::slice::from_ref(&file)));
    assert_ok(&ingest(&second, "Wigan", "contracts", std::slice::from_ref(&file)));
    assert_eq!(ids_by_line(&first, "contracts-2022-07.csv"), ids_by_line(&second, "contracts-2022-07.csv"));

    // Republished with a contract inserted at the top and two appended: every line moves
    // down one, and the earlier contracts keep their ids.
    let (header, rows) = REGISTER.split_once('\n').expect("a header");
    std::fs::write(
        &file,
        format!(
            "{header}\nCR-3,Bins,Bin Ltd,01/04/2021,31/03/2022,100\n{rows}\
             CR-1,Road salt lot 3,Rock Ltd,01/04/2021,31/03/2022,700\n\
             ,Window cleaning,Glass Ltd,01/04/2021,31/03/2022,800\n"
        ),
    )
    .expect("republished");
    assert_ok(&ingest(&first, "Wigan", "contracts", std::slice::from_ref(&file)));
    let mut expected: BTreeMap<i64, String> = hand_ids().into_iter().map(|(line, id)| (line + 1, id)).collect();
    expected.insert(2, "Wigan/CR-3".into());
    expected.insert(11, "Wigan/CR-1/4".into());
    expected.insert(12, "Wigan/(Window cleaning)".into());
    // Except the one contract with neither reference nor title: its id is its line.
    expected.insert(9, "Wigan/row-9".into());
    let got = ids_by_line(&first, "contracts-2022-07.csv");
    assert_eq!(got, expected);

    // A later register of the same council (registers are numbered on in name order): the
    // first keeps its ids and every id stays unique across both.
    let expected = got;
    let later = dir.path().join("contracts-2023-01.csv");
    std::fs::write(
        &later,
        "Contract Reference,Contract Title,Supplier Name\nCR-1,Road salt,Salt Co Ltd\nCR-9,Bins,Bin Ltd\n",
    )
    .expect("second register");
    assert_ok(&ingest(&first, "Wigan", "contracts", std::slice::from_ref(&later)));
    assert_eq!(ids_by_line(&first, "contracts-2022-07.csv"), expected);
    let second_ids: Vec<String> = ids_by_line(&first, "contracts-2023-01.csv").into_values().collect();
    assert_eq!(second_ids, ["Wigan/CR-1/5", "Wigan/CR-9"]);
}

/// The Parquet files of the tables `kinds` load into, from the committed manifest: the one
/// place that knows the dataset's layout here.
fn table_files(dataset: &Path, kinds: &[&str]) -> Vec<String> {
    let version = dataset.join("current");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(version.join("manifest.json")).expect("manifest"))
            .expect("manifest JSON");
    let mut files = Vec::new();
    for source in manifest["sources"].as_array().expect("sources") {
        if kinds.contains(&source["kind"].as_str().unwrap_or_default()) {
            for file in source["parquet_files"].as_array().expect("parquet_files") {
                files.push(version.join(file.as_str().expect("a path")).display().to_string());
            }
        }
    }
    files
}

#[test]
fn issue_10_every_linked_payment_joins_exactly_one_contract_in_spendql_sql() {
    let Some(dataset) = real_dataset("issue_10_every_linked_payment_joins_exactly_one_contract_in_spendql_sql") else {
        return;
    };
    let sql = |query: &str| csv_rows(&run_ok(dataset, &["sql", "--format", "csv", query])).remove(1);
    let ids = sql("SELECT count(*), count(DISTINCT contract_id), count(contract_id) FROM contracts");
    assert_eq!(ids[0], ids[1], "contract_id repeats");
    assert_eq!(ids[0], ids[2], "a contract without an id");
    let linked = sql(
        "SELECT count(*), count(c.contract_id) FROM spend s LEFT JOIN contracts c ON c.contract_id = s.contract_id \
         WHERE s.contract_id IS NOT NULL",
    );
    let spend_linked = sql("SELECT count(contract_id) FROM spend");
    assert_eq!(linked[0], spend_linked[0], "a linked payment joined more than one contract");
    assert_eq!(linked[1], spend_linked[0], "a linked payment joined no contract");
    assert!(spend_linked[0].parse::<u64>().expect("a count") > 100, "Salford's register covers many payments");
}

#[test]
fn issue_10_every_linked_payment_joins_exactly_one_contract_in_duckdb() {
    let test = "issue_10_every_linked_payment_joins_exactly_one_contract_in_duckdb";
    let Some(dataset) = real_dataset(test) else { return };
    let Some(python) = python_readers(test) else { return };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/contract_join.py");
    let spend = serde_json::to_string(&table_files(dataset, &["spend", "card"])).expect("json");
    let contracts = serde_json::to_string(&table_files(dataset, &["contracts"])).expect("json");
    let out = std::process::Command::new(python).arg(script).arg(spend).arg(contracts).output().expect("python runs");
    assert!(out.status.success(), "DuckDB failed: {}", String::from_utf8_lossy(&out.stderr));
    let got: HashMap<String, u64> = serde_json::from_slice(&out.stdout).expect("the script's JSON");
    // The same counts from spendql, to show DuckDB read the same tables.
    let row = csv_rows(&run_ok(
        dataset,
        &["sql", "--format", "csv", "SELECT (SELECT count(*) FROM contracts), count(contract_id) FROM spend"],
    ))
    .remove(1);
    assert_eq!(got["contracts"].to_string(), row[0]);
    assert_eq!(got["linked"].to_string(), row[1]);
    assert_eq!(got["distinct_ids"], got["contracts"], "contract_id repeats");
    assert_eq!(got["not_one"], 0, "linked payments matching other than one contract");
    assert_eq!(got["joined"], got["linked"]);
    assert!(got["linked"] > 100);
    // Payments linked to contracts whose reference the register repeats: a join on the
    // reference would have found several contracts for each of them.
    assert!(got["repeated_reference"] > 0, "{got:?}");
}
