//! `spendql workplan` end to end on a hand-built contracts table (written through the
//! library's fixture, not through ingest), with the allocation worked out by hand below.
//!
//! The window is 2025-01-01 to 2025-06-30 (`--as-of 2025-01-01 --months 6`). In scope, by
//! value (the order contracts are decided in):
//!
//! | contract | council  | category                   | value       | expiry     | held by        |
//! |----------|----------|----------------------------|-------------|------------|----------------|
//! | TC1      | Trafford | SOCIAL CARE : Residential  | £500,000.00 | 2025-02-10 | David Ogden    |
//! | RBC2     | Rochdale | HUMAN RESOURCES (code 221) | £400,000.00 | 2025-03-01 | Joanne Kershaw |
//! | TC2      | Trafford | CONSTRUCTION : Roads       | £300,000.25 | 2025-03-15 | Mark Lomax     |
//! | TC4      | Trafford | SOCIAL CARE : Domiciliary  | £200,000.00 | 2025-06-30 | David Ogden    |
//! | RBC1     | Rochdale | TRANSPORT                  | £150,000.00 | 2025-01-20 | Joanne Kershaw |
//! | TC3      | Trafford | ICT : Hardware             | £120,000.00 | (end date) 2025-05-01 | Priya Sharma |
//! | TC5      | Trafford | LEGAL : Legal Services     | (annual) £80,000.00 | 2025-04-01 | nobody |
//!
//! Out of scope: TC6 (expired), TC7 (expires 2025-07-01, the day after the window), TC8
//! (expired before it), RBC3 (terminated).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use spendql::fixture::{ContractRow, write_contract_rows};

use crate::support::csv_rows;

fn row<'a>(
    council: &'a str,
    reference: &'a str,
    category: &'a str,
    pence: i128,
    expiry: &'a str,
    officer: &'a str,
    status: &'a str,
) -> ContractRow<'a> {
    ContractRow {
        council,
        reference,
        title: reference,
        category: Some(category),
        value_total: Some(pence),
        expiry_date: Some(expiry),
        officer: (!officer.is_empty()).then_some(officer),
        status: Some(status),
        ..ContractRow::default()
    }
}

fn contracts() -> Vec<ContractRow<'static>> {
    let social = "SOCIAL CARE : Residential Care";
    let mut rows = vec![
        row("Trafford", "TC1", social, 50_000_000, "2025-02-10", "David Ogden", "Active"),
        row("Trafford", "TC2", "CONSTRUCTION : Roads", 30_000_025, "2025-03-15", "Mark Lomax", "Active"),
        ContractRow {
            expiry_date: None,
            end_date: Some("2025-05-01"),
            ..row("Trafford", "TC3", "ICT : Hardware", 12_000_000, "", "Priya Sharma", "Extended")
        },
        row("Trafford", "TC4", "SOCIAL CARE : Domiciliary Care", 20_000_000, "2025-06-30", "David Ogden", "Active"),
        ContractRow {
            value_total: None,
            value_annual: Some(8_000_000),
            ..row("Trafford", "TC5", "LEGAL : Legal Services", 0, "2025-04-01", "", "Active")
        },
        row("Trafford", "TC6", "FACILITIES : Cleaning", 5_000_000, "2025-02-01", "Old Timer", "Expired"),
        row("Trafford", "TC7", "CONSTRUCTION : Roads", 9_000_000, "2025-07-01", "Mark Lomax", "Active"),
        row("Trafford", "TC8", "CONSTRUCTION : Roads", 9_000_000, "2024-12-31", "Mark Lomax", "Active"),
        row(
            "Rochdale",
            "RBC1",
            "TRANSPORT : Passenger Transport",
            15_000_000,
            "2025-01-20",
            "Joanne Kershaw",
            "Active",
        ),
        ContractRow {
            category_code: Some("221000"),
            ..row("Rochdale", "RBC2", "HUMAN RESOURCES : Agency Staff", 40_000_000, "2025-03-01", "Joanne Kershaw", "")
        },
        row("Rochdale", "RBC3", "LEGAL", 1_000_000, "2025-02-01", "Tariq Hussain", "Terminated"),
    ];
    // An empty expiry in `row` above stands for none at all.
    for r in &mut rows {
        r.expiry_date = r.expiry_date.filter(|d| !d.is_empty());
        r.status = r.status.filter(|s| !s.is_empty());
    }
    rows
}

/// Officers with capacities that force every rule to be used (worked through in
/// `officers_file_allocation_matches_the_hand_worked_plan`).
const OFFICERS: &str = "\
name,categories,councils,max_contracts,max_value
David Ogden,SOCIAL CARE,Trafford,1,
Mark Lomax,CONSTRUCTION;ICT,Trafford,,
Alice Grey,SOCIAL CARE,Trafford,,\"£250,000\"
Joanne Kershaw,TRANSPORT,Rochdale,,£200000
Tariq Hussain,221,Rochdale,,
";

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        write_contract_rows(&dir.path().join("data"), &contracts()).unwrap();
        std::fs::write(dir.path().join("officers.csv"), OFFICERS).unwrap();
        Setup { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn workplan(&self) -> Command {
        let mut cmd = Command::cargo_bin("spendql").unwrap();
        cmd.env("SPENDQL_DATASET", self.path("data")).env("NO_COLOR", "1").args([
            "workplan",
            "--as-of",
            "2025-01-01",
            "--months",
            "6",
        ]);
        cmd
    }

    fn run_ok(&self, args: &[&str]) -> String {
        let out = self.workplan().args(args).output().unwrap();
        assert!(out.status.success(), "workplan {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    fn run_err(&self, args: &[&str], code: i32) -> String {
        let out = self.workplan().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stderr).unwrap().replace(&self.dir.path().display().to_string(), "[DIR]")
    }
}

const HEADER: [&str; 10] = [
    "council",
    "reference",
    "title",
    "category",
    "value",
    "expiry_date",
    "months_to_expiry",
    "current_officer",
    "proposed_officer",
    "reason",
];

/// The plan CSV's rows as (reference, value, expiry, months, current, proposed, reason).
fn plan_rows(path: &Path) -> Vec<[String; 7]> {
    let rows = csv_rows(&std::fs::read_to_string(path).unwrap());
    assert_eq!(rows[0], HEADER);
    rows[1..].iter().map(|r| [1, 4, 5, 6, 7, 8, 9].map(|i| r[i].clone())).collect()
}

fn expect(rows: &[[&str; 7]]) -> Vec<[String; 7]> {
    rows.iter().map(|r| r.map(str::to_string)).collect()
}

#[test]
fn officers_file_allocation_matches_the_hand_worked_plan() {
    // Keeping current officers, largest first: TC1 stays with David (his one place); RBC2
    // (£400k) is over Joanne's £200k; TC2 stays with Mark; TC4 finds David full; RBC1 (£150k)
    // stays with Joanne; Priya (TC3) is not listed; TC5 has no officer.
    // Then, largest first: RBC2 → Tariq (expert by ProClass code 221); TC4 → Alice (the
    // only social-care expert with room, £200k of her £250k); TC3 → Mark (ICT); TC5: nobody
    // in Trafford knows LEGAL, David is full, £80k would take Alice over £250k → Mark.
    let setup = Setup::new();
    let stdout = {
        let out = setup
            .workplan()
            .current_dir(setup.dir.path())
            .args(["--officers", "officers.csv", "--output", "plan.csv"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let expected = expect(&[
        ["RBC1", "150000.00", "2025-01-20", "0", "Joanne Kershaw", "Joanne Kershaw", "kept current officer"],
        ["TC1", "500000.00", "2025-02-10", "1", "David Ogden", "David Ogden", "kept current officer"],
        [
            "RBC2",
            "400000.00",
            "2025-03-01",
            "2",
            "Joanne Kershaw",
            "Tariq Hussain",
            "category expertise; current officer at capacity",
        ],
        ["TC2", "300000.25", "2025-03-15", "2", "Mark Lomax", "Mark Lomax", "kept current officer"],
        ["TC5", "80000.00", "2025-04-01", "3", "", "Mark Lomax", "balancing; nobody is expert in this category"],
        [
            "TC3",
            "120000.00",
            "2025-05-01",
            "4",
            "Priya Sharma",
            "Mark Lomax",
            "category expertise; current officer not in the officer list",
        ],
        [
            "TC4",
            "200000.00",
            "2025-06-30",
            "5",
            "David Ogden",
            "Alice Grey",
            "category expertise; current officer at capacity",
        ],
    ]);
    assert_eq!(plan_rows(&setup.path("plan.csv")), expected);
    let all = csv_rows(&std::fs::read_to_string(setup.path("plan.csv")).unwrap());
    assert_eq!(all[5][..4], ["Trafford", "TC5", "TC5", "LEGAL : Legal Services"]);
    assert_eq!(all[1][0], "Rochdale");

    // The per-officer totals, in the file's order: Mark has TC2 + TC3 + TC5.
    assert!(
        stdout.starts_with(
            "Contracts expiring 2025-01-01 to 2025-06-30 (6 months from 2025-01-01): 7 worth £1,750,000.25\n\
             Wrote the plan to plan.csv\n"
        ),
        "{stdout}"
    );
    for (officer, contracts, value) in [
        ("David Ogden", "1", "£500,000.00"),
        ("Mark Lomax", "3", "£500,000.25"),
        ("Alice Grey", "1", "£200,000.00"),
        ("Joanne Kershaw", "1", "£150,000.00"),
        ("Tariq Hussain", "1", "£400,000.00"),
    ] {
        let line = stdout.lines().find(|l| l.contains(officer)).unwrap_or_else(|| panic!("{officer}:\n{stdout}"));
        let cells: Vec<&str> =
            line.split('┆').map(|c| c.trim_matches(|c: char| c == '│' || c.is_whitespace())).collect();
        assert_eq!(cells[..3], [officer, contracts, value], "{line}");
    }
    assert!(stdout.contains("In a category nobody is expert in (1): Trafford/TC5"), "{stdout}");
    assert!(!stdout.contains("Nobody could take"), "{stdout}");
    assert_no_partial_file(&setup);
}

#[test]
fn register_officers_keep_their_contracts_and_the_unheld_one_is_balanced() {
    // Without a file, the officers are David, Joanne, Mark and Priya (on live contracts; the
    // Old Timer and Tariq hold only expired or terminated ones), with no capacity limits, so
    // everyone keeps their contracts. TC5 (no officer, LEGAL): no Trafford officer has held
    // LEGAL, so it balances to the least loaded in Trafford: David 2 contracts £700k, Mark 1
    // £300k, Priya 1 £120k → Priya.
    let setup = Setup::new();
    setup.run_ok(&["--output", setup.path("plan.csv").to_str().unwrap()]);
    let proposed: Vec<(String, String, String)> =
        plan_rows(&setup.path("plan.csv")).into_iter().map(|[r, _, _, _, _, p, why]| (r, p, why)).collect();
    let kept = |r: &str, p: &str| (r.to_string(), p.to_string(), "kept current officer".to_string());
    assert_eq!(
        proposed,
        [
            kept("RBC1", "Joanne Kershaw"),
            kept("TC1", "David Ogden"),
            kept("RBC2", "Joanne Kershaw"),
            kept("TC2", "Mark Lomax"),
            ("TC5".into(), "Priya Sharma".into(), "balancing; nobody is expert in this category".into()),
            kept("TC3", "Priya Sharma"),
            kept("TC4", "David Ogden"),
        ]
    );
}

/// Plans are written under a hidden temporary name and renamed into place.
fn assert_no_partial_file(setup: &Setup) {
    let left: Vec<String> = std::fs::read_dir(setup.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn without_output_the_plan_and_summary_are_printed() {
    let setup = Setup::new();
    let stdout = setup.run_ok(&["--format", "table"]);
    insta::assert_snapshot!(stdout);
}

#[test]
fn issue_9_piped_the_plan_is_csv_and_json_like_any_result() {
    // The hand-worked plan of `register_officers_keep_their_contracts_and_the_unheld_one_is_balanced`.
    let setup = Setup::new();
    let csv = csv_rows(&setup.run_ok(&[]));
    assert_eq!(csv[0], HEADER);
    let proposed: Vec<(&str, &str)> = csv[1..].iter().map(|r| (r[1].as_str(), r[8].as_str())).collect();
    assert_eq!(proposed[4], ("TC5", "Priya Sharma"));
    assert_eq!(proposed.len(), 7);
    let json: serde_json::Value = serde_json::from_str(&setup.run_ok(&["--format", "json"])).unwrap();
    let tc2 = json.as_array().unwrap().iter().find(|r| r["reference"] == "TC2").unwrap();
    assert_eq!(tc2["value"].to_string(), "300000.25", "money exact, as a JSON number");
    assert_eq!(tc2["expiry_date"], "2025-03-15");
    assert_eq!(tc2["months_to_expiry"], 2);
}

#[test]
fn xlsx_output_has_a_plan_sheet_and_an_officer_sheet() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let setup = Setup::new();
    let book = setup.path("plan.xlsx");
    setup.run_ok(&["--officers", setup.path("officers.csv").to_str().unwrap(), "--output", book.to_str().unwrap()]);
    let mut workbook: Xlsx<_> = open_workbook(&book).unwrap();
    assert_eq!(workbook.sheet_names(), ["Plan", "Officers"]);
    let plan = workbook.worksheet_range("Plan").unwrap();
    assert_eq!(plan.height(), 1 + 7, "a header and the seven contracts in scope");
    let header: Vec<String> = plan.rows().next().unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(header, HEADER);
    // Row 4 is TC2, whose value has pence: stored as a number, not text.
    let tc2 = plan.rows().nth(4).unwrap();
    assert_eq!(tc2[1], Data::String("TC2".into()));
    assert_eq!(tc2[4], Data::Float(300_000.25));
    assert!(matches!(tc2[5], Data::DateTime(_)), "{:?}", tc2[5]);
    let officers = workbook.worksheet_range("Officers").unwrap();
    assert_eq!(officers.height(), 1 + 5);
    let alice: Vec<String> = officers.rows().nth(3).unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(alice, ["Alice Grey", "1", "200000", "", "250000"]);
    assert_no_partial_file(&setup);
}

#[test]
fn a_dataset_without_contracts_says_how_to_load_a_register() {
    let dir = tempfile::tempdir().unwrap();
    spendql::fixture::write_spend_fixture(&dir.path().join("data")).unwrap();
    let out = Command::cargo_bin("spendql")
        .unwrap()
        .env("SPENDQL_DATASET", dir.path().join("data"))
        .env("NO_COLOR", "1")
        .args(["workplan", "--months", "6"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8(out.stderr).unwrap());
}

#[test]
fn a_bad_officers_row_is_reported_with_file_and_line_and_nothing_is_written() {
    let setup = Setup::new();
    std::fs::write(setup.path("plan.csv"), "the previous plan\n").unwrap();
    std::fs::write(setup.path("bad.csv"), "name,max_contracts\nAnn,3\nBob,lots\n").unwrap();
    let stderr = setup.run_err(
        &["--officers", setup.path("bad.csv").to_str().unwrap(), "--output", setup.path("plan.csv").to_str().unwrap()],
        1,
    );
    insta::assert_snapshot!(stderr);
    assert_eq!(std::fs::read_to_string(setup.path("plan.csv")).unwrap(), "the previous plan\n");
}

#[test]
fn usage_errors_exit_with_2() {
    let setup = Setup::new();
    let stderr = setup.run_err(&["--months", "0"], 2);
    assert!(stderr.contains("--months"), "{stderr}");
    let stderr = setup.run_err(&["--output", "plan.docx"], 2);
    assert!(stderr.contains("cannot tell the format of plan.docx") && stderr.contains("FILE.xlsx"), "{stderr}");
    let toml = setup.path("officers.toml");
    std::fs::write(&toml, "[officers]\n").unwrap();
    let stderr = setup.run_err(&["--officers", toml.to_str().unwrap()], 1);
    assert_eq!(
        stderr,
        "error: [DIR]/officers.toml: an officers file must be CSV (.csv)\n  \
         hint: columns: name,categories,councils,max_contracts,max_value (only name is required)\n"
    );
}

/// The committed sample's three registers (loaded straight from CSV, as ingest cannot load
/// registers yet): every live contract expiring in the window is planned exactly once, and
/// each goes to an officer who holds live contracts of the same council.
#[test]
fn the_sample_registers_plan_every_expiring_contract_once_within_its_council() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/sample");
    let mut registers: Vec<(&str, Vec<csv::StringRecord>, csv::StringRecord)> = Vec::new();
    for council in ["Rochdale", "Stockport", "Trafford"] {
        let lower = council.to_lowercase();
        let path = sample.join(&lower).join(format!("{lower}-contracts-register.csv"));
        let text = std::fs::read_to_string(path).unwrap();
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header = reader.headers().unwrap().clone();
        registers.push((council, reader.records().map(Result::unwrap).collect(), header));
    }
    let field = |header: &csv::StringRecord, record: &csv::StringRecord, name: &str| -> String {
        record[header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}"))].to_string()
    };
    // Owned cells first, so the fixture rows can borrow them.
    let mut cells: Vec<[String; 8]> = Vec::new();
    for (council, records, header) in &registers {
        for r in records {
            let f = |name| field(header, r, name);
            cells.push([
                council.to_string(),
                f("Contract Reference"),
                f("ProClass Description"),
                f("Total Contract Value (including extensions)"),
                f("Current Expiry Date"),
                f("Responsible Officer"),
                f("Status"),
                f("ProClass Classification"),
            ]);
        }
    }
    let pence = |text: &str| -> i128 {
        let (pounds, p) = text.split_once('.').unwrap_or((text, "0"));
        pounds.parse::<i128>().unwrap() * 100 + format!("{p:0<2}")[..2].parse::<i128>().unwrap()
    };
    let rows: Vec<ContractRow<'_>> = cells
        .iter()
        .map(|[council, reference, category, value, expiry, officer, status, code]| ContractRow {
            council,
            reference,
            title: reference,
            category: Some(category),
            category_code: Some(code),
            value_total: Some(pence(value)),
            expiry_date: Some(expiry),
            officer: Some(officer),
            status: Some(status),
            ..ContractRow::default()
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    write_contract_rows(&dir.path().join("data"), &rows).unwrap();

    let live = |c: &[String; 8]| c[6] != "Expired" && c[6] != "Terminated";
    let mut expected: Vec<(String, String)> = cells
        .iter()
        .filter(|c| live(c) && ("2025-01-01".."2025-07-01").contains(&c[4].as_str()))
        .map(|c| (c[0].clone(), c[1].clone()))
        .collect();
    expected.sort();
    assert!(expected.len() > 30, "the sample has contracts expiring in the first half of 2025");

    let plan = dir.path().join("plan.csv");
    let out = Command::cargo_bin("spendql")
        .unwrap()
        .env("SPENDQL_DATASET", dir.path().join("data"))
        .args(["workplan", "--as-of", "2025-01-01", "--months", "6", "--output"])
        .arg(&plan)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let planned = csv_rows(&std::fs::read_to_string(&plan).unwrap());
    let mut got: Vec<(String, String)> = planned[1..].iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    got.sort();
    assert_eq!(got, expected);
    for r in &planned[1..] {
        let (council, proposed) = (&r[0], &r[8]);
        assert!(
            cells.iter().any(|c| live(c) && &c[0] == council && &c[5] == proposed),
            "{proposed} holds no live {council} contract: {r:?}"
        );
    }
}
