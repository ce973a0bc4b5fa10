//! `spendql ingest --kind contracts` end to end, through the real binary: Salford's real
//! register reconciled against an independent reading of the CSV (integer pence, the reject
//! rule applied here from its README description), the three sample registers, the value
//! rules (placeholders, expiry fallback, flags, collaborative councils, extras), profiles,
//! revision and bad input that must leave the dataset byte-identical.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use datafusion::arrow::array::{
    Array, BooleanArray, Date32Array, Decimal128Array, Int32Array, Int64Array, StringArray,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::support::{assert_ok, real_data, spendql, stderr, stdout, tree_bytes, unreadable_inputs};

/// Ingest registers. The hand-made registers here reject rows on purpose (3 of 5), far past
/// the default reject threshold, which `reject_threshold` tests; these tests accept them.
fn ingest(dataset: &Path, council: &str, files: &[PathBuf], extra: &[&str]) -> Output {
    spendql()
        .arg("--dataset")
        .arg(dataset)
        .args(["ingest", "--kind", "contracts", "--council", council, "--max-reject-rate", "1"])
        .args(extra)
        .args(files)
        .output()
        .expect("spendql runs")
}

/// The placeholders the README lists for register dates, money and numbers.
fn is_placeholder(value: &str) -> bool {
    const LISTED: [&str; 11] = ["", "TBC", "TBA", "N/A", "NA", "#N/A", "-", "X", "Various", "Unknown", "NULL"];
    LISTED.iter().any(|p| value.trim().eq_ignore_ascii_case(p))
}

/// Pence of a plain decimal (`5015.20`, `-3`), or `None` when it is not one.
fn pence(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || fraction.len() > 2 || !(whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit())) {
        return None;
    }
    let value = whole.parse::<i128>().ok()? * 100 + format!("{fraction:0<2}").parse::<i128>().ok()?;
    Some(if negative { -value } else { value })
}

fn format_pence(pence: i128) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", pence.abs() / 100, pence.abs() % 100)
}

/// A date cell the README says ingest reads: ISO `yyyy-mm-dd` or day-first `dd/mm/yyyy`,
/// always with a four-digit year and a real calendar day.
fn readable_date(text: &str) -> bool {
    let iso = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}$").unwrap();
    let uk = regex::Regex::new(r"^\d{1,2}/\d{1,2}/\d{4}$").unwrap();
    let text = text.trim();
    (iso.is_match(text) && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok())
        || (uk.is_match(text) && chrono::NaiveDate::parse_from_str(text, "%d/%m/%Y").is_ok())
}

/// What the README's reject rule predicts for one register, computed from the CSV alone.
#[derive(Debug, Default, PartialEq, Eq)]
struct Expected {
    rows: u64,
    /// Line number (1-based, counted from the bytes) → the cell that makes the row a reject.
    rejects: BTreeMap<u64, String>,
    /// Line number → the (header, cell) of optional columns that cannot be read: the row
    /// loads with those values null and their text in `extras` (issue 10).
    kept: BTreeMap<u64, Vec<(String, String)>>,
    value_loaded: i128,
    value_rejected: i128,
}

/// Read a register with the `csv` crate and apply the README's rules: a non-placeholder total
/// value (the first of `money`) that cannot be read rejects the row and counts £0.00; a
/// non-placeholder date in `dates`, other money or whole number in `numbers` that cannot be
/// read is kept in `extras` and never rejects (issue 10: optional values are optional).
fn expected(bytes: &[u8], dates: &[&str], money: &[&str], numbers: &[&str]) -> Expected {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    let mut records = reader.byte_records();
    let header: Vec<String> = records.next().unwrap().unwrap().iter().map(decode).collect();
    let at = |name: &str| {
        header.iter().position(|h| h.trim_start_matches("ï»¿").trim_start_matches('\u{feff}') == name).unwrap()
    };
    let (dates, money, numbers): (Vec<usize>, Vec<usize>, Vec<usize>) = (
        dates.iter().map(|n| at(n)).collect(),
        money.iter().map(|n| at(n)).collect(),
        numbers.iter().map(|n| at(n)).collect(),
    );
    let mut expected = Expected::default();
    for record in records {
        let record = record.unwrap();
        let line = 1 + bytes[..record.position().unwrap().byte() as usize].iter().filter(|&&b| b == b'\n').count();
        let cell = |i: usize| decode(record.get(i).unwrap());
        expected.rows += 1;
        let total = cell(money[0]);
        let total_pence = if is_placeholder(&total) { Some(0) } else { pence(&total) };
        let name = |i: usize| header[i].trim_start_matches("ï»¿").trim_start_matches('\u{feff}').trim().to_string();
        let unreadable = dates
            .iter()
            .filter(|&&i| !is_placeholder(&cell(i)) && !readable_date(&cell(i)))
            .chain(money[1..].iter().filter(|&&i| !is_placeholder(&cell(i)) && pence(&cell(i)).is_none()))
            .chain(numbers.iter().filter(|&&i| !is_placeholder(&cell(i)) && cell(i).trim().parse::<u32>().is_err()));
        let kept: Vec<(String, String)> = unreadable.map(|&i| (name(i), cell(i).trim().to_string())).collect();
        match total_pence {
            None => {
                expected.rejects.insert(line as u64, total);
            }
            Some(pence) => {
                expected.value_loaded += pence;
                if !kept.is_empty() {
                    expected.kept.insert(line as u64, kept);
                }
            }
        }
    }
    expected
}

/// Text of a cell: UTF-8, or Windows-1252 (Rochdale) where it is not.
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| if b == 0xA3 { '£' } else { b as char }).collect(),
    }
}

/// Every batch of the committed `contracts` table, read with the plain Parquet reader.
fn contract_batches(dataset: &Path) -> Vec<RecordBatch> {
    let mut files = Vec::new();
    let root = dataset.join("current/contracts");
    if root.is_dir() {
        for council in fs::read_dir(&root).unwrap() {
            for file in fs::read_dir(council.unwrap().path()).unwrap() {
                files.push(file.unwrap().path());
            }
        }
    }
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(f).unwrap()).unwrap().build().unwrap();
            reader.map(|b| b.unwrap()).collect::<Vec<_>>()
        })
        .collect()
}

fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str) -> &'a T {
    batch.column_by_name(name).unwrap_or_else(|| panic!("no column {name}")).as_any().downcast_ref::<T>().unwrap()
}

/// (council → (rows, total value in pence)) as stored in Parquet.
fn stored_totals(dataset: &Path) -> BTreeMap<String, (u64, i128)> {
    let mut totals = BTreeMap::new();
    for batch in contract_batches(dataset) {
        let council = column::<StringArray>(&batch, "council");
        let values = column::<Decimal128Array>(&batch, "value_total");
        for i in 0..batch.num_rows() {
            let entry: &mut (u64, i128) = totals.entry(council.value(i).to_string()).or_default();
            entry.0 += 1;
            entry.1 += if values.is_null(i) { 0 } else { values.value(i) };
        }
    }
    totals
}

fn rejects_csv(dataset: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(dataset.join("rejects.csv")).unwrap();
    assert_eq!(reader.headers().unwrap(), vec!["council", "source_file", "line", "reason", "raw_line"]);
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

#[test]
fn salford_register_loads_and_reconciles_to_the_penny() {
    let Some(real) = real_data("salford_register_loads_and_reconciles_to_the_penny") else { return };
    let register = real.join("salford/contracts-register-2022-07.csv");
    let bytes = fs::read(&register).unwrap();
    assert!(bytes.starts_with(b"\xC3\xAF\xC2\xBB\xC2\xBFDirectorate Name"), "the mis-encoded mark is there");
    let expected = expected(
        &bytes,
        &["Start Date", "End Date", "Current Expiry Date"],
        &["Total Contract Value (including extensions)", "Annual Value"],
        &["Option to extend (months)"],
    );
    assert_eq!(expected.rows, 360, "the data README's row count");
    let end_date_typo = ("End Date".to_string(), "22/04/222".to_string());
    assert!(expected.kept.values().flatten().any(|kept| *kept == end_date_typo), "{:?}", expected.kept);
    let rejected = expected.rejects.len() as u64;

    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let output = ingest(&dataset, "salford", std::slice::from_ref(&register), &[]);
    assert_ok(&output);
    let out = stdout(&output);
    let line = format!(
        "read 360 rows £{} = loaded {} rows £{} + rejected {rejected} rows £{}: reconciled",
        format_pence(expected.value_loaded + expected.value_rejected),
        360 - rejected,
        format_pence(expected.value_loaded),
        format_pence(expected.value_rejected),
    );
    assert!(out.contains(&line), "expected '{line}' in:\n{out}");
    assert!(out.contains("department <- Directorate Name"), "the mis-encoded mark is tolerated:\n{out}");
    assert!(out.contains("value_total <- Total Contract Value (including extensions)"), "{out}");
    assert!(out.contains("kept in extras: Purchasing Body, OJEU/FTS?"), "{out}");

    assert_eq!(stored_totals(&dataset)["Salford"], (360 - rejected, expected.value_loaded));
    let rejects = rejects_csv(&dataset);
    let lines: Vec<u64> = rejects.iter().map(|r| r[2].parse().unwrap()).collect();
    assert_eq!(lines, expected.rejects.keys().copied().collect::<Vec<_>>(), "every rejected line, in order");
    for row in &rejects {
        assert_eq!((row[0].as_str(), row[1].as_str()), ("Salford", "contracts-register-2022-07.csv"));
        let value = &expected.rejects[&row[2].parse::<u64>().unwrap()];
        assert!(row[3].starts_with("unreadable total value") && row[3].contains(&format!("'{value}'")), "{row:?}");
        assert!(row[4].contains(value.as_str()), "the raw line is kept: {row:?}");
    }
    // Issue 10: an unreadable optional value (the `22/04/222` end date) loads its row, the
    // value null and its text in `extras` under its header.
    let mut kept_seen = 0;
    for batch in contract_batches(&dataset) {
        let lines = column::<Int64Array>(&batch, "source_row");
        let extras = column::<StringArray>(&batch, "extras");
        for i in 0..batch.num_rows() {
            let Some(kept) = expected.kept.get(&(lines.value(i) as u64)) else { continue };
            let stored: serde_json::Value = serde_json::from_str(extras.value(i)).unwrap();
            for (header, value) in kept {
                assert_eq!(stored[header.as_str()], value.as_str(), "line {}: {stored}", lines.value(i));
                kept_seen += 1;
            }
            if kept.contains(&end_date_typo) {
                assert!(column::<Date32Array>(&batch, "end_date").is_null(i));
                assert!(column::<Date32Array>(&batch, "expiry_date").value(i) > 0, "its own expiry date stays");
            }
        }
    }
    assert_eq!(kept_seen, expected.kept.values().map(Vec::len).sum::<usize>(), "every unreadable cell is kept");
    // The report counts them per field, naming the first.
    let end_dates: Vec<&String> =
        expected.kept.values().flatten().filter(|(header, _)| header == "End Date").map(|(_, v)| v).collect();
    let cells = if end_dates.len() == 1 { "1 cell".to_string() } else { format!("{} cells", end_dates.len()) };
    let report = format!("end date: {cells} unreadable (first '{}') read as none, kept in extras", end_dates[0]);
    assert!(out.contains(&report), "expected '{report}' in:\n{out}");

    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dataset.join("manifest.json")).unwrap()).unwrap();
    let source = &manifest["sources"][0];
    assert_eq!(source["kind"], "contracts");
    assert_eq!(source["rows_read"], 360);
    assert_eq!(source["rows_rejected"], rejected);
    assert_eq!(source["amount_loaded"], format_pence(expected.value_loaded));
    assert_eq!(source["amount_rejected"], format_pence(expected.value_rejected));
    let file = source["parquet_files"][0].as_str().unwrap();
    assert!(file.starts_with("contracts/Salford/contracts-register-2022-07.csv-"), "{file}");
    assert!(file.ends_with(".parquet") && file.matches('/').count() == 2, "no financial-year folder: {file}");

    // The first data row, checked by hand against the file.
    let batches = contract_batches(&dataset);
    let batch = &batches[0];
    let first = (0..batch.num_rows()).find(|&i| column::<Int64Array>(batch, "source_row").value(i) == 2).unwrap();
    assert_eq!(column::<StringArray>(batch, "reference").value(first), "S1417");
    assert_eq!(column::<StringArray>(batch, "supplier_name").value(first), "Underwater Diving Services Ltd");
    assert_eq!(column::<StringArray>(batch, "supplier_key").value(first), "UNDERWATER DIVING SERVICES");
    assert_eq!(column::<StringArray>(batch, "company_number").value(first), "02535986");
    assert_eq!(column::<StringArray>(batch, "procedure").value(first), "RFQ");
    assert_eq!(column::<StringArray>(batch, "department").value(first), "Place");
    assert_eq!(column::<StringArray>(batch, "council_code").value(first), "E08000006");
    assert!(column::<BooleanArray>(batch, "sme").value(first));
    assert_eq!(column::<Decimal128Array>(batch, "value_total").value(first), 501_520);
    assert_eq!(column::<Int32Array>(batch, "extension_months_available").value(first), 0);
    let extras: serde_json::Value = serde_json::from_str(column::<StringArray>(batch, "extras").value(first)).unwrap();
    assert_eq!(extras["Purchasing Body"], "Salford City Council");
    assert_eq!(extras["Visibility"], "Public");
    assert_eq!(extras["Contract Duration (months)"], "0.3");

    // Same bytes again: nothing changes.
    let before = tree_bytes(&dataset);
    let again = ingest(&dataset, "Salford", &[register], &[]);
    assert_ok(&again);
    assert!(stdout(&again).contains("unchanged"), "{}", stdout(&again));
    assert_eq!(tree_bytes(&dataset), before);
}

#[test]
fn the_sample_registers_load_completely() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/sample");
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let mut want = BTreeMap::new();
    for council in ["Rochdale", "Stockport", "Trafford"] {
        let lower = council.to_ascii_lowercase();
        let register = sample.join(&lower).join(format!("{lower}-contracts-register.csv"));
        let bytes = fs::read(&register).unwrap();
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let expected = expected(
            bytes,
            &["Start Date", "End Date", "Review Date", "Current Expiry Date"],
            &[
                "Total Contract Value (including extensions)",
                "Annual Value",
                "Irrecoverable VAT",
                "Cashable Savings",
                "Non-Cashable Savings",
                "Social Value",
            ],
            &["Option to extend (months)"],
        );
        assert!(
            expected.rows > 100 && expected.rejects.is_empty() && expected.kept.is_empty(),
            "{council}: {expected:?}"
        );
        want.insert(council.to_string(), (expected.rows, expected.value_loaded));
        let output = ingest(&dataset, council, &[register], &[]);
        assert_ok(&output);
        let rows = expected.rows;
        assert!(
            stdout(&output).contains(&format!("loaded {rows} rows £{}", format_pence(expected.value_loaded))),
            "{}",
            stdout(&output)
        );
    }
    assert_eq!(stored_totals(&dataset), want);

    // Collaborative councils: as many non-empty cells as the files have, as display names.
    let mut published = 0;
    for council in ["rochdale", "stockport", "trafford"] {
        let bytes = fs::read(sample.join(council).join(format!("{council}-contracts-register.csv"))).unwrap();
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        let at = reader.byte_headers().unwrap().iter().position(|h| h == b"Collaborative Councils").unwrap();
        published += reader.byte_records().filter(|r| !r.as_ref().unwrap()[at].is_empty()).count();
    }
    let mut stored = 0;
    for batch in contract_batches(&dataset) {
        let collaborative = column::<StringArray>(&batch, "collaborative");
        let council = column::<StringArray>(&batch, "council");
        for i in (0..batch.num_rows()).filter(|&i| !collaborative.is_null(i)) {
            stored += 1;
            for name in collaborative.value(i).split(';') {
                assert!(["Rochdale", "Stockport", "Trafford"].contains(&name), "{name}");
                assert_ne!(name, council.value(i), "the register's own council is not listed");
            }
        }
    }
    assert_eq!(stored, published);
}

/// A register in the sample layout's spirit, small enough to check every value by hand.
const HAND_REGISTER: &str = "\
Contract Reference,Contract Title,Supplier Name,Company Number,Start Date,End Date,Current Expiry Date,\
Total Value,Annual Value,SME?,VCSE?,Collaborative Councils,Procurement Route,Option to extend (months),Notes
C1,Roads,Acme Ltd,123456,2021-04-01,2023-03-31,TBC,\"1,000.50\",N/A,yes,N,trafford; ROCHDALE,Open,12,first
C2,Parks,Beta Plc,Various,TBC,2024-03-31,2025-03-31,-,X,Various,1,,RFQ,N/A,
C3,Bins,Gamma LLP,,01/04/2022,22/04/222,,200.00,,no,,,,,
C4,Lamps,Delta Ltd,,2022-04-01,2023-03-31,,ten pounds,,,,,,,
C5,Trees,Epsilon Ltd,,2022-04-01,,,30.00,,,,Stockport,,six,
";

fn hand_dataset(dir: &Path) -> (PathBuf, PathBuf) {
    let dataset = dir.join("data");
    let register = dir.join("register.csv");
    fs::write(&register, HAND_REGISTER).unwrap();
    (dataset, register)
}

#[test]
fn register_values_follow_the_placeholder_expiry_and_flag_rules() {
    let dir = tempfile::tempdir().unwrap();
    let (dataset, register) = hand_dataset(dir.path());
    let output = ingest(&dataset, "Stockport", &[register], &[]);
    assert_ok(&output);
    let out = stdout(&output);
    // Read: 1000.50 + 0 + 200.00 + (unreadable: 0) + 30.00; loaded C1, C2, C3, C5; rejected
    // C4, whose total value cannot be read. C3's end date and C5's extension months cannot
    // be read either, but a contract exists without them (issue 10).
    assert!(out.contains("read 5 rows £1230.50 = loaded 4 rows £1230.50 + rejected 1 rows £0.00: reconciled"), "{out}");
    assert!(out.contains("1 row(s) had no readable total value"), "{out}");
    assert!(out.contains("kept in extras: Notes"), "{out}");
    assert!(out.contains("end date: 1 cell unreadable (first '22/04/222') read as none, kept in extras"), "{out}");
    assert!(
        out.contains("extension months available: 1 cell unreadable (first 'six') read as none, kept in extras"),
        "{out}"
    );
    assert!(out.contains("start date: 1 cell 'TBC' read as none"), "{out}");

    let rejects = rejects_csv(&dataset);
    let reasons: Vec<(&str, &str)> = rejects.iter().map(|r| (r[2].as_str(), r[3].as_str())).collect();
    assert_eq!(reasons, [("5", "unreadable total value 'ten pounds': amount is not a number")]);
    assert_eq!(rejects[0][4], "C4,Lamps,Delta Ltd,,2022-04-01,2023-03-31,,ten pounds,,,,,,,");

    let batches = contract_batches(&dataset);
    assert_eq!(batches.len(), 1);
    let b = &batches[0];
    assert_eq!(b.num_rows(), 4);
    let day = |y, m, d| {
        (chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap() - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())
            .num_days() as i32
    };
    let text = |name: &str, i: usize| {
        let c = column::<StringArray>(b, name);
        (!c.is_null(i)).then(|| c.value(i).to_string())
    };
    let date = |name: &str, i: usize| {
        let c = column::<Date32Array>(b, name);
        (!c.is_null(i)).then(|| c.value(i))
    };
    let money = |name: &str, i: usize| {
        let c = column::<Decimal128Array>(b, name);
        (!c.is_null(i)).then(|| c.value(i))
    };
    let flag = |name: &str, i: usize| {
        let c = column::<BooleanArray>(b, name);
        (!c.is_null(i)).then(|| c.value(i))
    };
    // C1: a TBC expiry falls back to the end date.
    assert_eq!(text("reference", 0).as_deref(), Some("C1"));
    assert_eq!(text("supplier_key", 0).as_deref(), Some("ACME"));
    assert_eq!(text("company_number", 0).as_deref(), Some("00123456"));
    assert_eq!(date("start_date", 0), Some(day(2021, 4, 1)));
    assert_eq!(date("expiry_date", 0), Some(day(2023, 3, 31)));
    assert_eq!(money("value_total", 0), Some(100_050));
    assert_eq!(money("value_annual", 0), None);
    assert_eq!((flag("sme", 0), flag("vcse", 0)), (Some(true), Some(false)));
    assert_eq!(text("collaborative", 0).as_deref(), Some("Trafford;Rochdale"));
    assert_eq!(text("procedure", 0).as_deref(), Some("Open"));
    assert_eq!(column::<Int32Array>(b, "extension_months_available").value(0), 12);
    assert_eq!(text("extras", 0).as_deref(), Some(r#"{"Notes":"first"}"#));
    // C2: placeholders are nulls, not rejects; its own expiry date wins.
    assert_eq!(text("company_number", 1), None);
    assert_eq!(date("start_date", 1), None);
    assert_eq!(date("expiry_date", 1), Some(day(2025, 3, 31)));
    assert_eq!((money("value_total", 1), money("value_annual", 1)), (None, None));
    assert_eq!((flag("sme", 1), flag("vcse", 1)), (None, Some(true)));
    assert_eq!(text("collaborative", 1), None);
    assert!(column::<Int32Array>(b, "extension_months_available").is_null(1));
    assert_eq!(text("extras", 1), None);
    // C3 and C5: what cannot be read is null, its text in extras under its header.
    assert_eq!(text("reference", 2).as_deref(), Some("C3"));
    assert_eq!((date("end_date", 2), date("expiry_date", 2)), (None, None));
    assert_eq!(date("start_date", 2), Some(day(2022, 4, 1)));
    assert_eq!(text("extras", 2).as_deref(), Some(r#"{"End Date":"22/04/222"}"#));
    assert_eq!(text("reference", 3).as_deref(), Some("C5"));
    assert!(column::<Int32Array>(b, "extension_months_available").is_null(3));
    assert_eq!(money("value_total", 3), Some(3000));
    assert_eq!(text("extras", 3).as_deref(), Some(r#"{"Option to extend (months)":"six"}"#));
}

#[test]
fn a_register_without_an_expiry_column_uses_the_end_date() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let register = dir.path().join("plain.csv");
    fs::write(&register, "Ref,Supplier,End Date\nR1,Acme,2024-03-31\nR2,Beta,TBC\n").unwrap();
    let output = ingest(&dataset, "Trafford", &[register], &[]);
    assert_ok(&output);
    assert!(stdout(&output).contains("expiry_date: the end date"), "{}", stdout(&output));
    let batches = contract_batches(&dataset);
    let expiry = column::<Date32Array>(&batches[0], "expiry_date");
    let end = column::<Date32Array>(&batches[0], "end_date");
    assert_eq!(expiry.value(0), end.value(0));
    assert!(expiry.is_null(1) && end.is_null(1));
}

#[test]
fn a_revised_register_replaces_its_rows_and_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let (dataset, register) = hand_dataset(dir.path());
    assert_ok(&ingest(&dataset, "Stockport", std::slice::from_ref(&register), &[]));
    assert_eq!(rejects_csv(&dataset).len(), 1);
    fs::write(&register, "Contract Reference,Supplier Name,Total Value\nN1,New Ltd,5.00\nN2,Newer Ltd,6.00\n").unwrap();
    let output = ingest(&dataset, "Stockport", &[register], &[]);
    assert_ok(&output);
    assert!(stdout(&output).contains("replaces the earlier ingest of register.csv"), "{}", stdout(&output));
    assert_eq!(stored_totals(&dataset)["Stockport"], (2, 1_100));
    assert!(rejects_csv(&dataset).is_empty(), "the old rejects went with the old rows");
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dataset.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["sources"].as_array().unwrap().len(), 1);
}

#[test]
fn a_profile_contracts_table_overrides_the_register_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let register = dir.path().join("r.csv");
    fs::write(&register, "Contract Reference,Supplier Name,Total Value,Estimate\nA,Acme,1.00,7.50\n").unwrap();
    let profile = dir.path().join("p.toml");
    fs::write(&profile, "[Salford.columns]\namount = \"Net\"\n[Salford.contracts]\nvalue_total = \"estimate\"\n")
        .unwrap();
    let output =
        ingest(&dataset, "Salford", std::slice::from_ref(&register), &["--profile", profile.to_str().unwrap()]);
    assert_ok(&output);
    assert!(stdout(&output).contains("value_total <- Estimate"), "{}", stdout(&output));
    assert_eq!(stored_totals(&dataset)["Salford"], (1, 750));

    fs::write(&profile, "[Salford.contracts]\nvalue_totl = \"Estimate\"\n").unwrap();
    let output = ingest(&dataset, "Salford", &[register], &["--profile", profile.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("unknown field 'value_totl' in [Salford.contracts]"), "{}", stderr(&output));
}

#[test]
fn bad_registers_fail_clearly_and_leave_the_dataset_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (dataset, register) = hand_dataset(dir.path());
    assert_ok(&ingest(&dataset, "Stockport", &[register], &[]));
    let before = tree_bytes(&dataset);

    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        path
    };
    let (garbage, no_csv_zip) = unreadable_inputs(dir.path());
    let good = write("good.csv", b"Contract Reference,Supplier Name\nG1,Good Ltd\n");
    let cases: Vec<(Vec<PathBuf>, &str, Vec<&str>)> = vec![
        (vec![dir.path().join("missing.csv")], "missing.csv", vec!["not found"]),
        (vec![write("empty.csv", b"")], "empty.csv", vec!["empty"]),
        (
            vec![write("header.csv", b"Contract Reference,Supplier Name,Total Value\r\n")],
            "header.csv",
            vec!["no data rows"],
        ),
        (vec![garbage], "garbage.csv", vec!["binary"]),
        (vec![no_csv_zip], "docs.zip", vec!["no CSV"]),
        (
            vec![write("nosupplier.csv", b"Contract Reference,Title,Total Value\nA,B,1\n")],
            "nosupplier.csv",
            vec!["no recognisable contract columns", "a supplier name"],
        ),
        (
            vec![write("noref.csv", b"Supplier Name,Total Value\nAcme,1\n")],
            "noref.csv",
            vec!["no recognisable contract columns", "reference or title"],
        ),
        (
            vec![write("spend.csv", b"Supplier Name,Payment Date,Amount\nAcme,2024-04-01,1.00\n")],
            "spend.csv",
            vec!["no recognisable contract columns"],
        ),
        // A good register before a bad file: nothing of the good one may be committed either.
        (vec![good, dir.path().join("also-missing.csv")], "also-missing.csv", vec!["not found"]),
    ];
    for (files, name, words) in cases {
        let output = ingest(&dataset, "Stockport", &files, &[]);
        let err = stderr(&output);
        assert!(!output.status.success(), "{name} was accepted:\n{}", stdout(&output));
        let first_line = err.lines().next().unwrap_or_default();
        assert!(first_line.starts_with("error: ") && first_line.contains(name), "{name}: {err}");
        for word in words {
            assert!(first_line.contains(word), "{name}: expected '{word}' in: {err}");
        }
        assert_eq!(tree_bytes(&dataset), before, "{name} changed the dataset");
    }
    let output = ingest(&dataset, "Stockport", &[dir.path().join("spend.csv")], &[]);
    assert!(stderr(&output).contains("spend.csv:1:"), "the header line is named: {}", stderr(&output));
    assert!(stderr(&output).contains("--kind spend"), "a spend file gets a hint: {}", stderr(&output));
}

#[test]
fn spreadsheet_and_windows_1252_registers_load() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    // An XLSX register with real date cells and float money cells (0.1 + 0.2 is 0.30000000000000004).
    let xlsx = dir.path().join("register.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in ["Contract Reference", "Supplier Name", "Start Date", "Total Value"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet.write_string(1, 0, "X1").unwrap();
    sheet.write_string(1, 1, "Sheet Supplier Ltd").unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2022, 4, 1).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    sheet.write_datetime_with_format(1, 2, &date, &format).unwrap();
    sheet.write_number(1, 3, 0.1 + 0.2).unwrap();
    workbook.save(&xlsx).unwrap();
    // A gzipped Windows-1252 register: 0xA3 is £ and 0xE9 is é.
    let gz = dir.path().join("register-1252.csv.gz");
    let mut encoder = flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::default());
    encoder
        .write_all(b"Contract Title,Supplier Name,Contract Value\nCaf\xE9 services,Caf\xE9 Ltd,\"\xA31,234.56\"\n")
        .unwrap();
    encoder.finish().unwrap();

    let output = ingest(&dataset, "Rochdale", &[xlsx, gz], &[]);
    assert_ok(&output);
    let out = stdout(&output);
    assert_eq!(out.matches(": reconciled").count(), 2, "{out}");
    assert!(out.contains("register-1252.csv.gz: Windows-1252"), "{out}");
    let mut rows: Vec<(String, i128, Option<i32>)> = Vec::new();
    for batch in contract_batches(&dataset) {
        let names = column::<StringArray>(&batch, "supplier_name");
        let values = column::<Decimal128Array>(&batch, "value_total");
        let starts = column::<Date32Array>(&batch, "start_date");
        for i in 0..batch.num_rows() {
            rows.push((names.value(i).to_string(), values.value(i), (!starts.is_null(i)).then(|| starts.value(i))));
        }
    }
    rows.sort();
    // 2022-04-01 is day 19083 since 1970-01-01 (52 years of 365 days, 13 leap days, 90 days).
    assert_eq!(rows, [("Café Ltd".to_string(), 123_456, None), ("Sheet Supplier Ltd".to_string(), 30, Some(19_083))]);
}

#[test]
fn the_same_register_twice_changes_nothing_and_a_register_given_as_spend_gets_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let (dataset, register) = hand_dataset(dir.path());
    assert_ok(&ingest(&dataset, "Stockport", std::slice::from_ref(&register), &[]));
    let before = tree_bytes(&dataset);
    let versions = fs::read_dir(dataset.join("versions")).unwrap().count();
    let again = ingest(&dataset, "stockport", std::slice::from_ref(&register), &[]);
    assert_ok(&again);
    assert!(stdout(&again).contains("unchanged"), "{}", stdout(&again));
    assert_eq!(tree_bytes(&dataset), before);
    assert_eq!(fs::read_dir(dataset.join("versions")).unwrap().count(), versions, "no new version folder");

    let as_spend = spendql()
        .arg("--dataset")
        .arg(&dataset)
        .args(["ingest", "--council", "Stockport"])
        .arg(&register)
        .output()
        .unwrap();
    assert!(!as_spend.status.success());
    assert!(stderr(&as_spend).contains("--kind contracts"), "{}", stderr(&as_spend));
    assert_eq!(tree_bytes(&dataset), before);
}

#[test]
fn issue_10_a_registers_company_registration_column_reads_numbers_and_counts_the_rest() {
    let Some(real) = real_data("issue_10_a_registers_company_registration_column_reads_numbers_and_counts_the_rest")
    else {
        return;
    };
    // Salford's register with its `Company Number` header named as other registers name it,
    // and every seventh number replaced by a placeholder phrase.
    let source = fs::read(real.join("salford/contracts-register-2022-07.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&source[..]);
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("register.csv");
    let mut writer = csv::Writer::from_path(&copy).unwrap();
    let mut at = 0;
    for (i, record) in reader.records().enumerate() {
        let mut fields: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        if i == 0 {
            at = fields.iter().position(|h| h == "Company Number").unwrap();
            fields[at] = "Company Registration".to_string();
        } else if i % 7 == 0 && fields[at].bytes().all(|b| b.is_ascii_digit()) && !fields[at].is_empty() {
            fields[at] = "Not yet available".to_string();
        }
        writer.write_record(&fields).unwrap();
    }
    writer.flush().unwrap();
    drop(writer);

    // This test's reading of the copy: Companies House numbers are up to eight digits
    // (padded), two letters and six digits, or a society's digits ending in R.
    let padded = regex::Regex::new(r"^\d{1,8}$").unwrap();
    let lettered = regex::Regex::new(r"^([A-Z]{2}\d{6}|[A-Z]{2}\d{5}R|\d{4,6}R)$").unwrap();
    let mut want: BTreeMap<u64, Option<String>> = BTreeMap::new();
    let mut none: BTreeMap<String, usize> = BTreeMap::new();
    let mut bad: Vec<String> = Vec::new();
    let bytes = fs::read(&copy).unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    for record in reader.records() {
        let record = record.unwrap();
        let line = record.position().unwrap().line();
        let value = record[at].trim().to_string();
        let number = if padded.is_match(&value) {
            Some(format!("{value:0>8}"))
        } else if lettered.is_match(&value) {
            Some(value.clone())
        } else {
            if ["Not yet available", "Various", "-"].contains(&value.as_str()) {
                *none.entry(value.clone()).or_default() += 1;
            } else if !value.is_empty() {
                bad.push(value.clone());
            }
            None
        };
        want.insert(line, number);
    }
    assert!(none["Not yet available"] > 10 && !bad.is_empty(), "{none:?} {bad:?}");

    let dataset = dir.path().join("data");
    let output = ingest(&dataset, "Salford", &[copy], &[]);
    assert_ok(&output);
    let out = stdout(&output);
    assert!(out.contains("company_number <- Company Registration"), "{out}");
    for (word, n) in &none {
        let line = format!("company number: {n} cells '{word}' read as none");
        assert!(out.contains(&line), "expected '{line}' in:\n{out}");
    }
    let line = format!("company number: {} cells unreadable (first '{}')", bad.len(), bad[0]);
    assert!(out.contains(&line), "expected '{line}' in:\n{out}");

    let (mut seen, mut kept_raw) = (0, 0);
    for batch in contract_batches(&dataset) {
        let lines = column::<Int64Array>(&batch, "source_row");
        let numbers = column::<StringArray>(&batch, "company_number");
        let extras = column::<StringArray>(&batch, "extras");
        for i in 0..batch.num_rows() {
            let line = lines.value(i) as u64;
            let stored = (!numbers.is_null(i)).then(|| numbers.value(i).to_string());
            assert_eq!(stored, want[&line], "line {line}");
            let kept: serde_json::Value = serde_json::from_str(extras.value(i)).unwrap();
            let raw = kept.get("Company Registration").and_then(|v| v.as_str());
            if let Some(raw) = raw {
                assert!(stored.is_none() && bad.iter().any(|b| b == raw), "line {line}: {raw}");
                kept_raw += 1;
            }
            seen += 1;
        }
    }
    assert_eq!(seen, want.len(), "every contract loaded");
    assert_eq!(kept_raw, bad.len(), "every unreadable number is kept in extras");
}
