//! `spendql generate`, run as a user would: the files it writes are read back with independent
//! readers (zip, calamine, encoding_rs, csv) and checked against the published layouts and the
//! data shape the brief asks for.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use calamine::{Data, Reader};
use chrono::{Datelike, NaiveDate};

const TRAFFORD_HEADER: &str = "OrganisationLabel,OrganisationURI,EffectiveDate,OrganisationalUnit,BeneficiaryName,BeneficiaryOtherID,PaymentDate,TransactionNumber,Amount,IrrecoverableVATAmount,Purpose,ProclassLabel,ProclassCode,InvoiceNumber,ProfitCentre,VATRegistrationNumber";
const TRAFFORD_CARD_HEADER: &str = "OrganisationLabel,OrganisationURI,EffectiveDate,OrganisationalUnit,BeneficiaryName,PaymentDate,Amount,IrrecoverableVATAmount,Purpose,CategoryInternalName,MerchantCategoryCode,CardTransaction";

fn run_generate(out: &Path, rows: u64, seed: u64) -> String {
    let output = Command::cargo_bin("spendql")
        .unwrap()
        .args(["generate", "--out"])
        .arg(out)
        .args(["--rows", &rows.to_string(), "--seed", &seed.to_string()])
        .output()
        .unwrap();
    assert!(output.status.success(), "generate failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Every file under `dir`, by path relative to it.
fn read_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn files_matching(dir: &Path, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(suffix)
        })
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no {prefix}*{suffix} in {}", dir.display());
    found
}

fn unzip_single(path: &Path) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    assert_eq!(archive.len(), 1, "{} holds one CSV", path.display());
    let mut text = String::new();
    archive.by_index(0).unwrap().read_to_string(&mut text).unwrap();
    text
}

fn csv_rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers.iter().zip(r.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

fn decode_1252(bytes: &[u8]) -> String {
    let (text, had_errors) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    assert!(!had_errors);
    text.into_owned()
}

/// One spend line as the test reads it back, independent of the generator's code.
struct Line {
    council: &'static str,
    supplier: Option<String>,
    date: NaiveDate,
    credit: bool,
}

fn is_redacted(name: &str) -> bool {
    name.to_lowercase().contains("redacted")
}

fn read_spend(out: &Path) -> Vec<Line> {
    let mut lines = Vec::new();
    for zip in files_matching(&out.join("trafford"), "trafford-supplier-spend-", ".zip") {
        for row in csv_rows(&unzip_single(&zip)) {
            let name = row["BeneficiaryName"].clone();
            lines.push(Line {
                council: "Trafford",
                supplier: (!is_redacted(&name)).then_some(name),
                date: NaiveDate::parse_from_str(&row["PaymentDate"], "%Y-%m-%d").unwrap(),
                credit: row["Amount"].starts_with('-'),
            });
        }
    }
    for file in files_matching(&out.join("rochdale"), "rochdale-payments", ".csv") {
        for row in csv_rows(&decode_1252(&std::fs::read(file).unwrap())) {
            let name = row["Supplier"].clone();
            let amount = &row["Amount"];
            lines.push(Line {
                council: "Rochdale",
                supplier: (!is_redacted(&name)).then_some(name),
                date: NaiveDate::parse_from_str(&row["Date Paid"], "%d/%m/%Y").unwrap(),
                credit: amount.starts_with('-') || amount.starts_with('('),
            });
        }
    }
    for file in files_matching(&out.join("stockport"), "stockport-spend-", ".xlsx") {
        let mut workbook = calamine::open_workbook_auto(&file).unwrap();
        let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
        for row in sheet.rows().skip(1) {
            let name = row[5].to_string();
            let date = match &row[3] {
                Data::DateTime(d) if d.is_datetime() => {
                    // Excel's day 0 is 1899-12-30 (after its 1900 leap-year quirk).
                    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap() + chrono::Days::new(d.as_f64() as u64)
                }
                other => panic!("payment date is not a date cell: {other:?}"),
            };
            let amount = match &row[8] {
                Data::Float(f) => *f,
                other => panic!("amount is not a number cell: {other:?}"),
            };
            lines.push(Line {
                council: "Stockport",
                supplier: (!is_redacted(&name)).then_some(name),
                date,
                credit: amount < 0.0,
            });
        }
    }
    lines
}

/// A supplier's name with the differences councils introduce taken out: case, `&`/`and`,
/// punctuation and the legal form.
fn supplier_key(name: &str) -> String {
    let lowered = name.to_lowercase().replace('&', " and ");
    let words: Vec<String> = lowered
        .split(|c: char| !c.is_alphanumeric() && c != '/')
        .filter(|w| !w.is_empty())
        .map(ToString::to_string)
        .collect();
    let mut end = words.len();
    while end > 0 && ["ltd", "limited", "plc", "llp"].contains(&words[end - 1].as_str()) {
        end -= 1;
    }
    words[..end].join(" ")
}

#[test]
fn same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    run_generate(a.path(), 4_000, 99);
    run_generate(b.path(), 4_000, 99);
    run_generate(c.path(), 4_000, 100);
    let (ta, tb, tc) = (read_tree(a.path()), read_tree(b.path()), read_tree(c.path()));
    assert!(ta.len() >= 9, "spend, card and contracts for three councils: {:?}", ta.keys());
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (path, bytes) in &ta {
        assert!(bytes == &tb[path], "{} differs between two runs with the same seed", path.display());
    }
    let differing = ta.iter().filter(|(p, bytes)| tc.get(*p) != Some(bytes)).count();
    assert!(differing >= ta.len() - 1, "a different seed changes the files");
}

#[test]
fn reported_rows_add_up_to_the_requested_rows_and_cards_are_a_small_share() {
    let out = tempfile::tempdir().unwrap();
    let stdout = run_generate(out.path(), 5_000, 3);
    let mut by_kind: HashMap<String, u64> = HashMap::new();
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        *by_kind.entry(fields[1].to_string()).or_default() += fields[2].parse::<u64>().unwrap();
        let path = Path::new(fields[4]);
        assert!(path.is_file(), "{line}");
    }
    assert_eq!(by_kind["spend"], 5_000);
    assert!((100..=300).contains(&by_kind["card"]), "card rows {}", by_kind["card"]);
    assert!(by_kind["contracts"] > 30);
    assert_eq!(read_spend(out.path()).len(), 5_000, "the files hold what was reported");
    let leftovers = read_tree(out.path()).into_keys().filter(|p| p.to_string_lossy().contains(".partial")).count();
    assert_eq!(leftovers, 0);
}

#[test]
fn rochdale_is_windows_1252_with_pound_signs() {
    let out = tempfile::tempdir().unwrap();
    run_generate(out.path(), 3_000, 5);
    for file in files_matching(&out.path().join("rochdale"), "rochdale-payments", ".csv") {
        let bytes = std::fs::read(&file).unwrap();
        assert!(std::str::from_utf8(&bytes).is_err(), "{} must not be UTF-8", file.display());
        assert!(bytes.contains(&0xA3), "the pound sign is the single byte 0xA3");
        // Bytes that Windows-1252 leaves undefined.
        assert!(!bytes.iter().any(|b| [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains(b)));
        let text = decode_1252(&bytes);
        assert!(text.starts_with("Service Area,Expenditure Category,Date Paid,"));
        let rows = csv_rows(&text);
        assert!(rows.iter().all(|r| r["Amount"].contains('£')));
        assert!(rows.iter().any(|r| r["Amount"].starts_with("(£")), "accounting-style credits");
        assert!(rows.iter().any(|r| r["Amount"].starts_with("-£")), "minus-sign credits");
        assert!(rows.iter().any(|r| r["Amount"].contains(',')), "thousands separators");
    }
}

#[test]
fn trafford_files_use_the_lga_layout_exactly() {
    let out = tempfile::tempdir().unwrap();
    run_generate(out.path(), 3_000, 5);
    let dir = out.path().join("trafford");
    let zips = files_matching(&dir, "trafford-supplier-spend-", ".zip");
    assert_eq!(zips.len(), 3, "one file per financial year 2021-22 to 2023-24");
    for zip in &zips {
        let text = unzip_single(zip);
        assert_eq!(text.lines().next().unwrap(), TRAFFORD_HEADER);
        let rows = csv_rows(&text);
        assert!(rows.iter().all(|r| r["OrganisationLabel"] == "Trafford Council"));
        assert!(rows.iter().any(|r| r["VATRegistrationNumber"] == "NA"));
        assert!(rows.iter().any(|r| r["BeneficiaryName"] == "Redacted"));
        for r in &rows {
            assert!(r["Amount"].parse::<f64>().is_ok() && r["Amount"].split('.').nth(1).unwrap().len() == 2);
            let paid = NaiveDate::parse_from_str(&r["PaymentDate"], "%Y-%m-%d").unwrap();
            let effective = NaiveDate::parse_from_str(&r["EffectiveDate"], "%Y-%m-%d").unwrap();
            assert!(effective >= paid && effective.succ_opt().unwrap().day0() == 0, "effective date is the month end");
        }
    }
    for card in files_matching(&dir, "trafford-gpc-", ".csv") {
        let text = std::fs::read_to_string(card).unwrap();
        assert_eq!(text.lines().next().unwrap(), TRAFFORD_CARD_HEADER);
    }
}

#[test]
fn stockport_xlsx_opens_with_calamine_and_has_the_expected_columns() {
    let out = tempfile::tempdir().unwrap();
    run_generate(out.path(), 3_000, 5);
    let files = files_matching(&out.path().join("stockport"), "stockport-spend-", ".xlsx");
    assert_eq!(files.len(), 3);
    for file in files {
        let mut workbook = calamine::open_workbook_auto(&file).unwrap();
        let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
        let header: Vec<String> = sheet.rows().next().unwrap().iter().map(ToString::to_string).collect();
        assert_eq!(
            header,
            [
                "Directorate",
                "Cost Centre",
                "Expense Type",
                "Payment Date",
                "Payment Reference",
                "Supplier Name",
                "Supplier Number",
                "Company Number",
                "Net Amount",
                "Irrecoverable VAT",
                "ProClass Code",
                "ProClass Description",
                "Description"
            ]
        );
        assert!(sheet.height() > 100);
    }
}

#[test]
fn credits_are_about_a_tenth_and_about_a_third_of_suppliers_are_shared() {
    let out = tempfile::tempdir().unwrap();
    run_generate(out.path(), 30_000, 2015);
    let lines = read_spend(out.path());
    let credits = lines.iter().filter(|l| l.credit).count() as f64 / lines.len() as f64;
    assert!((0.05..=0.15).contains(&credits), "credit fraction {credits}");

    let mut councils_by_supplier: HashMap<String, HashSet<&str>> = HashMap::new();
    for line in &lines {
        if let Some(name) = &line.supplier {
            councils_by_supplier.entry(supplier_key(name)).or_default().insert(line.council);
        }
    }
    let shared = councils_by_supplier.values().filter(|c| c.len() >= 2).count() as f64;
    let fraction = shared / councils_by_supplier.len() as f64;
    assert!((0.20..=0.45).contains(&fraction), "shared supplier fraction {fraction}");

    // Heavy tail: the top 1% of suppliers by line count take a large share of lines.
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for name in lines.iter().filter_map(|l| l.supplier.as_deref()) {
        *counts.entry(name).or_default() += 1;
    }
    let mut sorted: Vec<usize> = counts.into_values().collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let top = sorted.len().div_ceil(100);
    let top_share = sorted[..top].iter().sum::<usize>() as f64 / sorted.iter().sum::<usize>() as f64;
    assert!(top_share > 0.15, "top 1% of suppliers take {top_share} of lines");
}

struct RegisterEntry {
    supplier: String,
    start: NaiveDate,
    expiry: NaiveDate,
    covers: Vec<String>,
}

fn read_registers(out: &Path) -> Vec<RegisterEntry> {
    let mut entries = Vec::new();
    for (council, text) in [
        (
            "Stockport",
            String::from_utf8(std::fs::read(out.join("stockport/stockport-contracts-register.csv")).unwrap()).unwrap(),
        ),
        ("Trafford", std::fs::read_to_string(out.join("trafford/trafford-contracts-register.csv")).unwrap()),
        ("Rochdale", decode_1252(&std::fs::read(out.join("rochdale/rochdale-contracts-register.csv")).unwrap())),
    ] {
        let text = text.trim_start_matches('\u{feff}');
        for row in csv_rows(text) {
            let mut covers = vec![council.to_string()];
            covers.extend(
                row["Collaborative Councils"].split(';').filter(|s| !s.is_empty()).map(|s| s.trim().to_string()),
            );
            entries.push(RegisterEntry {
                supplier: supplier_key(&row["Supplier Company Name"]),
                start: NaiveDate::parse_from_str(&row["Start Date"], "%Y-%m-%d").unwrap(),
                expiry: NaiveDate::parse_from_str(&row["Current Expiry Date"], "%Y-%m-%d").unwrap(),
                covers,
            });
        }
    }
    entries
}

#[test]
fn contracts_cover_much_of_the_spend_but_not_all_and_some_expire_soon() {
    let out = tempfile::tempdir().unwrap();
    run_generate(out.path(), 30_000, 2015);
    let lines = read_spend(out.path());
    let registers = read_registers(out.path());
    assert!(registers.iter().any(|r| r.covers.len() == 2), "collaborative contracts covering two councils");
    assert!(registers.iter().any(|r| r.covers.len() == 3), "collaborative contracts covering three councils");

    let on_contract = |line: &Line| {
        line.supplier.as_ref().is_some_and(|name| {
            let key = supplier_key(name);
            registers.iter().any(|r| {
                r.supplier == key
                    && r.covers.iter().any(|c| c == line.council)
                    && r.start <= line.date
                    && line.date <= r.expiry
            })
        })
    };
    let named: Vec<&Line> = lines.iter().filter(|l| l.supplier.is_some()).collect();
    let covered = named.iter().filter(|l| on_contract(l)).count() as f64 / named.len() as f64;
    assert!((0.25..=0.80).contains(&covered), "on-contract share of lines {covered}");

    // Off-contract spend with suppliers that other councils also pay.
    let mut councils_by_supplier: HashMap<String, HashSet<&str>> = HashMap::new();
    for line in &named {
        councils_by_supplier.entry(supplier_key(line.supplier.as_ref().unwrap())).or_default().insert(line.council);
    }
    let off_shared = named
        .iter()
        .filter(|l| !on_contract(l) && councils_by_supplier[&supplier_key(l.supplier.as_ref().unwrap())].len() >= 2)
        .count();
    assert!(off_shared as f64 > 0.05 * named.len() as f64, "off-contract lines with shared suppliers: {off_shared}");

    let latest = lines.iter().map(|l| l.date).max().unwrap();
    let horizon = latest.checked_add_months(chrono::Months::new(6)).unwrap();
    for council in ["Stockport", "Trafford", "Rochdale"] {
        let soon =
            registers.iter().filter(|r| r.covers[0] == council && r.expiry > latest && r.expiry <= horizon).count();
        assert!(soon >= 2, "{council} has {soon} contracts expiring in the six months after {latest}");
    }
}

#[test]
fn zero_rows_is_a_usage_error_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("never");
    let output = Command::cargo_bin("spendql")
        .unwrap()
        .args(["generate", "--rows", "0", "--out"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--rows"));
    assert!(!target.exists());
}

#[test]
fn an_output_path_that_is_a_file_is_an_error_not_a_panic() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("occupied");
    std::fs::write(&file, "x").unwrap();
    let output = Command::cargo_bin("spendql")
        .unwrap()
        .args(["generate", "--rows", "100", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("occupied"));
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

/// The `spendql generate ...` command written in `datasets/sample/README.md`.
fn documented_command(readme: &str) -> (u64, u64) {
    let line =
        readme.lines().find(|l| l.trim_start().starts_with("spendql generate")).expect("a spendql generate line");
    let words: Vec<&str> = line.split_whitespace().collect();
    let value = |flag: &str| words.iter().position(|w| *w == flag).map(|i| words[i + 1].parse::<u64>().unwrap());
    (
        value("--rows").expect("--rows in the documented command"),
        value("--seed").expect("--seed in the documented command"),
    )
}

#[test]
fn committed_sample_is_exactly_what_the_documented_command_writes() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/sample");
    let readme = std::fs::read_to_string(sample.join("README.md")).unwrap();
    let (rows, seed) = documented_command(&readme);
    let out = tempfile::tempdir().unwrap();
    run_generate(out.path(), rows, seed);
    let mut committed = read_tree(&sample);
    committed.remove(Path::new("README.md"));
    let fresh = read_tree(out.path());
    assert_eq!(committed.keys().collect::<Vec<_>>(), fresh.keys().collect::<Vec<_>>());
    for (path, bytes) in &fresh {
        assert!(
            bytes == &committed[path],
            "datasets/sample/{} is not what the documented command writes",
            path.display()
        );
    }
    let total: usize = committed.values().map(Vec::len).sum();
    assert!(total < 3_200_000, "the sample stays small: {total} bytes");
}
