//! `spendql ingest` end to end, through the real binary: real council files reconciled by an
//! independent reading of the CSVs, every kind of bad input, idempotence, replacement of a
//! revised file, the writer lock and a killed ingest.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output};
use std::time::Duration;

use assert_cmd::Command;
use datafusion::arrow::array::{Array, BooleanArray, Date32Array, Decimal128Array, Int64Array, StringArray};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::support::published::{Totals, csv_files, published_totals, trafford_spend_csv};
use crate::support::{assert_ok, committed_bytes, real_data, stderr, stdout, tree_bytes, unreadable_inputs};

/// Ingest files. The small hand-made files here reject rows on purpose, past the default
/// reject threshold (which `reject_threshold` tests on real files); these tests accept them.
fn ingest(dataset: &Path, council: &str, kind: &str, files: &[PathBuf]) -> Output {
    Command::cargo_bin("spendql")
        .unwrap()
        .arg("ingest")
        .arg("--dataset")
        .arg(dataset)
        .args(["--council", council, "--kind", kind, "--max-reject-rate", "1"])
        .args(files)
        .env_remove("SPENDQL_DATASET")
        .output()
        .unwrap()
}

/// Every Parquet file of the committed `spend` table, read with the plain Parquet reader.
fn spend_batches(dataset: &Path) -> Vec<RecordBatch> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "parquet") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    let root = dataset.join("current/spend");
    if root.is_dir() {
        walk(&root, &mut files);
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

/// `yyyy-mm` of a Date32 value, through chrono rather than the library's calendar code.
fn month_of(days: i32) -> String {
    let date = chrono::DateTime::from_timestamp(i64::from(days) * 86_400, 0).unwrap().date_naive();
    date.format("%Y-%m").to_string()
}

/// (council, month) → (rows, pence) as stored in Parquet.
fn parquet_totals(dataset: &Path) -> Totals {
    let mut totals = Totals::new();
    for batch in spend_batches(dataset) {
        let council = column::<StringArray>(&batch, "council");
        let dates = column::<Date32Array>(&batch, "payment_date");
        let amounts = column::<Decimal128Array>(&batch, "amount");
        for i in 0..batch.num_rows() {
            let entry = totals.entry((council.value(i).to_string(), month_of(dates.value(i)))).or_default();
            entry.0 += 1;
            entry.1 += amounts.value(i);
        }
    }
    totals
}

#[test]
fn real_council_files_load_completely_and_reconcile_to_the_penny() {
    let Some(real) = real_data("real_council_files_load_completely_and_reconcile_to_the_penny") else { return };
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let manchester = csv_files(&real.join("manchester"), "20");
    let salford = csv_files(&real.join("salford"), "20");
    let trafford_zip = real.join("trafford/trafford-supplier-spend-2024-25.zip");
    let trafford_card = real.join("trafford/gpc_2024-25.csv");
    let expected = published_totals(&real);
    let member = trafford_spend_csv(&real);

    let mut reports = String::new();
    for (council, kind, files) in [
        ("Manchester", "spend", manchester.clone()),
        ("salford", "spend", salford.clone()),
        ("Trafford", "spend", vec![trafford_zip.clone()]),
        ("Trafford", "card", vec![trafford_card.clone()]),
    ] {
        let output = ingest(&dataset, council, kind, &files);
        assert_ok(&output);
        reports.push_str(&stdout(&output));
    }
    assert_eq!(reports.matches(": reconciled").count(), 26, "every file reconciles:\n{reports}");
    assert!(!reports.contains("DOES NOT RECONCILE"));
    assert!(reports.contains("amount <- Net,") || reports.contains("amount <- Net\n"), "Salford's net is the amount");

    let actual = parquet_totals(&dataset);
    assert_eq!(&actual, expected, "rows and pence per council and month");
    let rows_per_council =
        |council: &str| actual.iter().filter(|((c, _), _)| c == council).map(|(_, v)| v.0).sum::<u64>();
    // Row counts published in the data's README, not computed by any code.
    assert_eq!(rows_per_council("Manchester"), 39_291);
    assert_eq!(rows_per_council("Salford"), 22_918);
    assert_eq!(rows_per_council("Trafford"), 210_068 + 8_134);

    // Card rows, redactions and provenance.
    let redacted_in_source = {
        let mut reader = csv::Reader::from_reader(&member[..]);
        let at = reader.headers().unwrap().iter().position(|h| h == "BeneficiaryName").unwrap();
        reader.records().filter(|r| &r.as_ref().unwrap()[at] == "Redacted").count()
    };
    let (mut cards, mut redacted, mut trafford_rows) = (0, 0, 0);
    for batch in spend_batches(&dataset) {
        let council = column::<StringArray>(&batch, "council");
        let is_card = column::<BooleanArray>(&batch, "is_card");
        let is_redacted = column::<BooleanArray>(&batch, "redacted");
        let source = column::<StringArray>(&batch, "source_file");
        let code = column::<StringArray>(&batch, "council_code");
        for i in 0..batch.num_rows() {
            if council.value(i) == "Trafford" {
                trafford_rows += 1;
                assert_eq!(code.value(i), "E08000009");
                cards += usize::from(is_card.value(i));
                if is_card.value(i) {
                    assert_eq!(source.value(i), "gpc_2024-25.csv");
                } else {
                    assert_eq!(
                        source.value(i),
                        "trafford-supplier-spend-2024-25.zip/trafford-supplier-spend-2024-25.csv"
                    );
                    redacted += usize::from(is_redacted.value(i));
                }
            }
        }
    }
    assert_eq!(trafford_rows, 210_068 + 8_134);
    assert_eq!(cards, 8_134);
    assert_eq!(redacted, redacted_in_source);

    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dataset.join("manifest.json")).unwrap()).unwrap();
    let sources = manifest["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 26);
    assert!(sources.iter().all(|s| s["rows_read"] == s["rows_loaded"] && s["rows_rejected"] == 0));
    let partitions: Vec<&str> =
        sources.iter().flat_map(|s| s["parquet_files"].as_array().unwrap()).map(|f| f.as_str().unwrap()).collect();
    assert!(partitions.iter().any(|p| p.starts_with("spend/Salford/2021-22/")), "{partitions:?}");
    assert!(partitions.iter().any(|p| p.starts_with("spend/Manchester/2019-20/")), "{partitions:?}");
    let rejects = fs::read_to_string(dataset.join("rejects.csv")).unwrap();
    assert_eq!(rejects.trim_end(), "council,source_file,line,reason,raw_line");
}

/// A small valid spend file in Trafford's layout.
fn small_csv(rows: &[(&str, &str, &str)]) -> String {
    let mut text = String::from("BeneficiaryName,PaymentDate,Amount,Purpose\n");
    for (name, date, amount) in rows {
        text.push_str(&format!("{name},{date},{amount},Testing\n"));
    }
    text
}

fn seeded_dataset(dir: &Path) -> PathBuf {
    let dataset = dir.join("data");
    let good = dir.join("good.csv");
    fs::write(&good, small_csv(&[("Acme Ltd", "2024-04-02", "100.00"), ("Beta Plc", "2024-05-03", "-20.50")])).unwrap();
    assert_ok(&ingest(&dataset, "Trafford", "spend", &[good]));
    dataset
}

#[test]
fn bad_input_fails_clearly_and_leaves_the_dataset_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = seeded_dataset(dir.path());
    let before = tree_bytes(&dataset);

    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        path
    };
    let (garbage, no_csv_zip) = unreadable_inputs(dir.path());
    let good = write("another.csv", small_csv(&[("Gamma Ltd", "2024-06-01", "5.00")]).as_bytes());
    let cases: Vec<(Vec<PathBuf>, &str, Vec<&str>)> = vec![
        (vec![dir.path().join("missing.csv")], "missing.csv", vec!["not found"]),
        (vec![write("empty.csv", b"")], "empty.csv", vec!["empty"]),
        (vec![write("header.csv", b"BeneficiaryName,PaymentDate,Amount\n")], "header.csv", vec!["no data rows"]),
        (vec![garbage], "garbage.csv", vec!["binary"]),
        (vec![no_csv_zip], "docs.zip", vec!["no CSV"]),
        (vec![write("noamount.csv", b"Supplier,Date,Purpose\nAcme,2024-04-01,x\n")], "noamount.csv", vec!["amount"]),
        (vec![write("nodate.csv", b"Supplier,Amount,Purpose\nAcme,1.00,x\n")], "nodate.csv", vec!["date"]),
        // A good file before a bad one: nothing of the good one may be committed either.
        (vec![good, dir.path().join("also-missing.csv")], "also-missing.csv", vec!["not found"]),
    ];
    for (files, name, words) in cases {
        let output = ingest(&dataset, "Trafford", "spend", &files);
        let err = stderr(&output);
        assert!(!output.status.success(), "{name} was accepted:\n{}", stdout(&output));
        let first_line = err.lines().next().unwrap_or_default();
        assert!(first_line.starts_with("error: ") && first_line.contains(name), "{name}: {err}");
        for word in words {
            assert!(first_line.contains(word), "{name}: expected '{word}' in: {err}");
        }
        assert_eq!(tree_bytes(&dataset), before, "{name} changed the dataset");
    }
    // Header line is named for a header without the needed columns.
    let output = ingest(&dataset, "Trafford", "spend", &[dir.path().join("noamount.csv")]);
    assert!(stderr(&output).contains("noamount.csv:1:"), "{}", stderr(&output));
}

#[test]
fn re_ingesting_the_same_bytes_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = seeded_dataset(dir.path());
    let before = tree_bytes(&dataset);
    let versions = fs::read_dir(dataset.join("versions")).unwrap().count();
    let output = ingest(&dataset, "trafford", "spend", &[dir.path().join("good.csv")]);
    assert_ok(&output);
    assert!(stdout(&output).contains("unchanged"), "{}", stdout(&output));
    assert_eq!(tree_bytes(&dataset), before);
    assert_eq!(fs::read_dir(dataset.join("versions")).unwrap().count(), versions, "no new version folder");
}

#[test]
fn a_revised_file_replaces_its_earlier_rows_and_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let other = dir.path().join("other.csv");
    fs::write(&other, small_csv(&[("Kept Ltd", "2024-04-01", "1.00"), ("Kept Ltd", "2024-04-01", "oops")])).unwrap();
    let file = dir.path().join("month.csv");
    fs::write(&file, small_csv(&[("Acme", "2024-04-01", "10.00"), ("Acme", "not a date", "7.00")])).unwrap();
    assert_ok(&ingest(&dataset, "Trafford", "spend", &[other.clone(), file.clone()]));
    let rejects = fs::read_to_string(dataset.join("rejects.csv")).unwrap();
    assert!(rejects.contains("Trafford,month.csv,3,") && rejects.contains("Trafford,other.csv,3,"), "{rejects}");

    fs::write(&file, small_csv(&[("Acme", "2024-04-01", "11.00"), ("Acme", "2024-04-02", "12.00")])).unwrap();
    let output = ingest(&dataset, "Trafford", "spend", &[file]);
    assert_ok(&output);
    assert!(stdout(&output).contains("replaces"), "{}", stdout(&output));
    let totals = parquet_totals(&dataset);
    // other.csv's 1.00 plus the revised month.csv's 11.00 + 12.00; the old 10.00 is gone.
    assert_eq!(totals[&("Trafford".to_string(), "2024-04".to_string())], (3, 2_400));
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dataset.join("manifest.json")).unwrap()).unwrap();
    let names: Vec<&str> =
        manifest["sources"].as_array().unwrap().iter().map(|s| s["source_name"].as_str().unwrap()).collect();
    assert_eq!(names.iter().filter(|n| **n == "month.csv").count(), 1);
    let rejects = fs::read_to_string(dataset.join("rejects.csv")).unwrap();
    assert!(!rejects.contains("month.csv"), "the revised file's old rejects are gone: {rejects}");
    assert!(rejects.contains("Trafford,other.csv,3,"), "other sources' rejects stay: {rejects}");
}

#[test]
fn rejects_are_kept_with_reasons_and_reconcile() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let file = dir.path().join("mixed.csv");
    let text = "Vendor Name,Date of Payment,Gross,VAT,Net\n\
                Acme,2021-04-01,120.00,20.00,100.00,\n\
                Acme,2021-04-02,1.20,0.20,,\n\
                Acme,31/04/2021,60.00,10.00,50.00\n\
                Acme,2021-04-03,5.00\n\
                Acme,2021-04-04,1,0,1,surprise\n\
                \"Quoted, Name\",2021-04-05,\"1,000.00\",0,\"(1,000.00)\"\n";
    fs::write(&file, text).unwrap();
    let output = ingest(&dataset, "Salford", "spend", &[file]);
    assert_ok(&output);
    let out = stdout(&output);
    assert!(
        out.contains("read 6 rows £-850.00 = loaded 2 rows £-900.00 + rejected 4 rows £50.00: reconciled"),
        "{out}"
    );
    assert!(out.contains("count £0.00"), "says unreadable amounts count zero: {out}");
    let mut reader = csv::Reader::from_path(dataset.join("rejects.csv")).unwrap();
    assert_eq!(reader.headers().unwrap(), vec!["council", "source_file", "line", "reason", "raw_line"]);
    let rejects: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    let expected = [
        ["Salford", "mixed.csv", "3", "no amount", "Acme,2021-04-02,1.20,0.20,,"],
        ["Salford", "mixed.csv", "4", "unreadable payment date '31/04/2021'", "Acme,31/04/2021,60.00,10.00,50.00"],
        ["Salford", "mixed.csv", "5", "expected 5 fields, found 3", "Acme,2021-04-03,5.00"],
        [
            "Salford",
            "mixed.csv",
            "6",
            "expected 5 fields, found 6 (the extra ones are not empty)",
            "Acme,2021-04-04,1,0,1,surprise",
        ],
    ];
    assert_eq!(rejects, expected.map(|r| r.map(str::to_string).to_vec()).to_vec());
}

#[test]
fn encodings_archives_spreadsheets_and_date_forms_all_load() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    // Windows-1252: 0xA3 is £ and 0xE9 is é; month-first dates proven by 04/13/2021.
    let mut cp1252 = b"Supplier Name,Payment Date,Amount\n".to_vec();
    cp1252.extend_from_slice(b"Caf\xE9 Rouge Ltd,04/01/2021,\"\xA31,234.56\"\n");
    cp1252.extend_from_slice(b"Caf\xE9 Rouge Ltd,04/13/2021,(\xA34.00)\n");
    let legacy = dir.path().join("legacy.csv");
    fs::write(&legacy, cp1252).unwrap();

    // UTF-8 with a byte-order mark, gzipped, with a misspelt header and named months.
    let gz = dir.path().join("month.csv.gz");
    let mut encoder = flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::default());
    encoder
        .write_all(
            "\u{feff}Supplier,Date Piad,Amount\nZed & Co,01-Apr-2021,2.00\nZed & Co,1 May 2021,3.00\n".as_bytes(),
        )
        .unwrap();
    encoder.finish().unwrap();

    // A zip of two CSVs, one with Excel serial dates.
    let archive = dir.path().join("pack.zip");
    let mut writer = zip::ZipWriter::new(File::create(&archive).unwrap());
    writer.start_file("a.csv", zip::write::SimpleFileOptions::default()).unwrap();
    writer.write_all(b"Payee,Paid Date,Net Amount\nOne,44287,1.00\n").unwrap();
    writer.start_file("b.csv", zip::write::SimpleFileOptions::default()).unwrap();
    writer.write_all(b"Payee,Paid Date,Net Amount\nTwo,2021-04-01,2.00\n").unwrap();
    writer.finish().unwrap();

    // An XLSX with real date cells and float amounts.
    let xlsx = dir.path().join("book.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (col, header) in ["Supplier Name", "Payment Date", "Amount"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet.write_string(1, 0, "Sheet Supplier").unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2021, 4, 1).unwrap();
    sheet.write_datetime_with_format(1, 1, &date, &date_format).unwrap();
    sheet.write_number(1, 2, 0.1 + 0.2).unwrap();
    workbook.save(&xlsx).unwrap();

    let output = ingest(&dataset, "Stockport", "spend", &[legacy, gz, archive, xlsx]);
    assert_ok(&output);
    let out = stdout(&output);
    assert_eq!(out.matches(": reconciled").count(), 5, "{out}");
    assert!(out.contains("legacy.csv: Windows-1252"), "{out}");
    assert!(out.contains("month first"), "{out}");
    assert!(out.contains("'Date Piad' as payment_date"), "{out}");
    assert!(out.contains("pack.zip/a.csv") && out.contains("pack.zip/b.csv"), "{out}");

    let mut rows: Vec<(String, String, String, i128, String)> = Vec::new();
    for batch in spend_batches(&dataset) {
        let name = column::<StringArray>(&batch, "supplier_name");
        let key = column::<StringArray>(&batch, "supplier_key");
        let dates = column::<Date32Array>(&batch, "payment_date");
        let amounts = column::<Decimal128Array>(&batch, "amount");
        let source = column::<StringArray>(&batch, "source_file");
        assert_eq!(column::<StringArray>(&batch, "council_code").value(0), "E08000007");
        for i in 0..batch.num_rows() {
            let day = chrono::DateTime::from_timestamp(i64::from(dates.value(i)) * 86_400, 0).unwrap().date_naive();
            rows.push((
                source.value(i).to_string(),
                name.value(i).to_string(),
                key.value(i).to_string(),
                amounts.value(i),
                day.to_string(),
            ));
        }
    }
    rows.sort();
    let expected = [
        ("book.xlsx", "Sheet Supplier", "SHEET SUPPLIER", 30, "2021-04-01"),
        ("legacy.csv", "Café Rouge Ltd", "CAFE ROUGE", -400, "2021-04-13"),
        ("legacy.csv", "Café Rouge Ltd", "CAFE ROUGE", 123_456, "2021-04-01"),
        ("month.csv.gz", "Zed & Co", "ZED AND CO", 200, "2021-04-01"),
        ("month.csv.gz", "Zed & Co", "ZED AND CO", 300, "2021-05-01"),
        ("pack.zip/a.csv", "One", "ONE", 100, "2021-04-01"),
        ("pack.zip/b.csv", "Two", "TWO", 200, "2021-04-01"),
    ];
    let expected: Vec<(String, String, String, i128, String)> = expected
        .iter()
        .map(|(s, n, k, a, d)| (s.to_string(), n.to_string(), k.to_string(), *a, d.to_string()))
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn unmapped_columns_are_kept_in_extras_and_card_rows_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let file = dir.path().join("card.csv");
    fs::write(
        &file,
        "BeneficiaryName,PaymentDate,Amount,CategoryInternalName,MerchantCategoryCode,CardTransaction,Cost Centre\n\
         Redacted,2024-04-01,1.00,Caterers,5811,GPC,\"C1, \"\"east\"\"\"\n\
         Redactive Publishing Ltd,2024-04-01,2.00,Books,5942,BACS,\n",
    )
    .unwrap();
    assert_ok(&ingest(&dataset, "Trafford", "spend", &[file]));
    let batches = spend_batches(&dataset);
    let batch = &batches[0];
    let row_of = |line: i64| {
        (0..batch.num_rows()).find(|&i| column::<Int64Array>(batch, "source_row").value(i) == line).unwrap()
    };
    let (first, second) = (row_of(2), row_of(3));
    assert!(column::<BooleanArray>(batch, "is_card").value(first));
    assert!(!column::<BooleanArray>(batch, "is_card").value(second));
    assert!(column::<BooleanArray>(batch, "redacted").value(first));
    assert!(!column::<BooleanArray>(batch, "redacted").value(second));
    assert_eq!(column::<StringArray>(batch, "published_category").value(first), "Caterers");
    assert_eq!(column::<StringArray>(batch, "published_category_code").value(first), "5811");
    let extras: serde_json::Value = serde_json::from_str(column::<StringArray>(batch, "extras").value(first)).unwrap();
    assert_eq!(extras, serde_json::json!({"Cost Centre": "C1, \"east\""}));
    assert!(column::<StringArray>(batch, "extras").is_null(second), "empty extras are null");
}

/// A Trafford-layout CSV of `rows` payments (about 55 bytes a row).
fn big_csv(path: &Path, rows: usize) {
    let mut out = std::io::BufWriter::new(File::create(path).unwrap());
    writeln!(out, "BeneficiaryName,PaymentDate,Amount,Purpose,TransactionNumber").unwrap();
    for i in 0..rows {
        writeln!(
            out,
            "Supplier {} Ltd,2024-{:02}-{:02},{}.{:02},Purpose {},{}",
            i % 997,
            1 + i % 12,
            1 + i % 28,
            i % 5000,
            i % 100,
            i % 31,
            i
        )
        .unwrap();
    }
}

/// An ingest of `file` on a pseudo-terminal, so that it draws its progress bar.
fn ingest_on_a_terminal(dataset: &Path, file: &Path) -> expectrl::Session {
    let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("spendql"));
    cmd.arg("ingest")
        .arg("--dataset")
        .arg(dataset)
        .args(["--council", "Trafford"])
        .arg(file)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("SPENDQL_DATASET");
    let mut session = expectrl::Session::spawn(cmd).unwrap();
    // Only a bound on a hung ingest, never a verdict on speed.
    session.set_expect_timeout(Some(Duration::from_mins(10)));
    session
}

/// Bytes from the progress bar's `12.34 MiB` (binary units, as indicatif prints them).
fn bar_bytes(number: &str, unit: &str) -> f64 {
    let scale = match unit {
        "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        other => panic!("unit {other}"),
    };
    number.parse::<f64>().unwrap() * scale
}

/// Where a running ingest is killed, each observed in its own output.
#[derive(Debug, Clone, Copy)]
enum KillPoint {
    /// The progress bar shows at least this fraction of the file read.
    Read(f64),
    /// The file's reconciliation line is printed: every row is parsed, and what remains is
    /// the last Parquet writes, the relink and the commit.
    Reconciled,
}

/// Read the ingest's terminal until `point` is seen. Fails if the ingest commits first: the
/// kill would then not be the one this point asks for.
fn wait_for(session: &mut expectrl::Session, point: KillPoint) {
    let frame = regex::Regex::new(r"([0-9.]+) (B|KiB|MiB|GiB)/([0-9.]+) (B|KiB|MiB|GiB)").unwrap();
    let needle = r"[0-9.]+ (?:B|KiB|MiB|GiB)/[0-9.]+ (?:B|KiB|MiB|GiB)|: reconciled|committed dataset version";
    loop {
        let found = session.expect(expectrl::Regex(needle)).expect("the ingest shows its progress");
        let text = String::from_utf8_lossy(found.get(0).unwrap()).into_owned();
        assert!(!text.starts_with("committed"), "the ingest committed before {point:?} was seen");
        match (point, frame.captures(&text)) {
            (KillPoint::Read(fraction), Some(c)) if bar_bytes(&c[1], &c[2]) >= fraction * bar_bytes(&c[3], &c[4]) => {
                return;
            }
            (KillPoint::Reconciled, None) => return,
            _ => {}
        }
    }
}

#[test]
fn a_killed_ingest_leaves_the_previous_version_intact_and_a_second_writer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = seeded_dataset(dir.path());
    let mut before = committed_bytes(&dataset);
    let mut rows_before: usize = spend_batches(&dataset).iter().map(RecordBatch::num_rows).sum();
    let big = dir.path().join("big.csv");
    let big_rows = 1_000_000;
    big_csv(&big, big_rows);

    // Kill points are observed in the ingest's own output, not timed (issue 9), so the test
    // keeps killing mid-file however fast ingest gets.
    for (round, point) in [KillPoint::Read(0.25), KillPoint::Read(0.5), KillPoint::Reconciled].into_iter().enumerate() {
        let mut session = ingest_on_a_terminal(&dataset, &big);
        wait_for(&mut session, point);
        if round == 0 {
            // The running ingest holds the lock from before its first byte: a second is refused.
            let second = ingest(&dataset, "Trafford", "spend", &[dir.path().join("good.csv")]);
            assert!(!second.status.success());
            assert!(stderr(&second).contains("locked"), "{}", stderr(&second));
        }
        session.get_process_mut().kill(expectrl::Signal::SIGKILL).unwrap();
        let status = session.get_process().wait().unwrap();
        let killed = matches!(status, expectrl::WaitStatus::Signaled(_, expectrl::Signal::SIGKILL, _));
        let rows_now: usize = spend_batches(&dataset).iter().map(RecordBatch::num_rows).sum();
        if committed_bytes(&dataset) == before {
            assert!(killed, "at {point:?} the ingest ended ({status:?}) yet committed nothing");
            assert_eq!(rows_now, rows_before);
        } else {
            // Only a kill that came too late to stop the commit may change the dataset, and
            // then only to the whole file loaded.
            assert!(matches!(point, KillPoint::Reconciled) && !killed, "killed at {point:?}, the dataset changed");
            assert_eq!(rows_now, rows_before + big_rows);
            (before, rows_before) = (committed_bytes(&dataset), rows_now);
        }
    }

    // The dataset is still writable: the next ingest clears the leftovers and commits.
    let small = dir.path().join("small.csv");
    fs::write(&small, small_csv(&[("After Ltd", "2024-04-09", "9.99")])).unwrap();
    assert_ok(&ingest(&dataset, "Trafford", "spend", &[small]));
    let rows_now: usize = spend_batches(&dataset).iter().map(RecordBatch::num_rows).sum();
    assert_eq!(rows_now, rows_before + 1);
}

#[test]
fn a_profile_overrides_the_detected_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let file = dir.path().join("salford.csv");
    fs::write(&file, "Vendor Name,Date of Payment,Gross,VAT,Net\nAcme,04/13/2021,120.00,20.00,100.00\n").unwrap();
    let profile = dir.path().join("profile.toml");
    fs::write(&profile, "[salford]\ndate_order = \"month-first\"\n[salford.columns]\namount = \"gross\"\n").unwrap();
    let run = |profile: &Path| {
        Command::cargo_bin("spendql")
            .unwrap()
            .arg("ingest")
            .arg("--dataset")
            .arg(&dataset)
            .args(["--council", "Salford", "--profile"])
            .arg(profile)
            .arg(&file)
            .env_remove("SPENDQL_DATASET")
            .output()
            .unwrap()
    };
    let output = run(&profile);
    assert_ok(&output);
    assert!(stdout(&output).contains("amount <- Gross"), "{}", stdout(&output));
    assert_eq!(parquet_totals(&dataset)[&("Salford".to_string(), "2021-04".to_string())], (1, 12_000));

    fs::write(&profile, "[Salford.columns]\nammount = \"Gross\"\n").unwrap();
    let output = run(&profile);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("unknown field 'ammount'"), "{}", stderr(&output));
}
