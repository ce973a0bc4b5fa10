//! Issue 10: councils' files as they are really published. Each case is a real file, copied
//! and edited minimally; expectations come from this test's own reading of the edited copy.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::support::published::{decimal, pence};
use crate::support::{assert_ok, real_data, run_ok, spendql, stdout};

/// The first `rows` payments of Trafford's 2024-25 file (the LGA layout, with an
/// `IrrecoverableVATAmount` column), with `edit` applied to each data row by its index.
fn trafford_excerpt(real: &Path, dir: &Path, rows: usize, edit: impl Fn(usize, &mut Vec<String>)) -> PathBuf {
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(real.join("trafford/trafford-supplier-spend-2024-25.zip")).unwrap())
            .unwrap();
    let mut text = String::new();
    archive.by_index(0).unwrap().read_to_string(&mut text).unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    let path = dir.join("trafford-excerpt.csv");
    let mut writer = csv::Writer::from_path(&path).unwrap();
    for (i, record) in reader.records().take(rows + 1).enumerate() {
        let mut fields: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        if i > 0 {
            edit(i - 1, &mut fields);
        }
        writer.write_record(&fields).unwrap();
    }
    writer.flush().unwrap();
    path
}

#[test]
fn issue_10_an_unreadable_optional_vat_cell_never_rejects_its_row() {
    let Some(real) = real_data("issue_10_an_unreadable_optional_vat_cell_never_rejects_its_row") else { return };
    let dir = tempfile::tempdir().unwrap();
    const VAT: usize = 9; // IrrecoverableVATAmount
    let placeholder = |i: usize| i % 7 == 3;
    let nil = |i: usize| i.is_multiple_of(2) && !placeholder(i);
    let file = trafford_excerpt(&real, dir.path(), 1000, |i, f| {
        if placeholder(i) {
            f[VAT] = "Not yet available".to_string();
        } else if nil(i) {
            f[VAT] = "Nil".to_string();
        }
    });
    // What the edited copy holds, read here: the VAT cells left as published, and the counts.
    let mut kept_vat = 0i128;
    let (mut nils, mut placeholders, mut rows) = (0, 0, 0);
    for record in csv::Reader::from_path(&file).unwrap().records() {
        let record = record.unwrap();
        rows += 1;
        match &record[VAT] {
            "Nil" => nils += 1,
            "Not yet available" => placeholders += 1,
            value => kept_vat += pence(value),
        }
    }
    let dataset = dir.path().join("data");
    let output =
        spendql().arg("--dataset").arg(&dataset).args(["ingest", "--council", "Trafford"]).arg(&file).output().unwrap();
    assert_ok(&output);
    let out = stdout(&output);
    assert!(out.contains(&format!("loaded {rows} rows")) && out.contains("rejected 0 rows"), "{out}");
    assert!(out.contains(&format!("irrecoverable VAT: {nils} cell(s) 'Nil' read as £0.00")), "{out}");
    assert!(
        out.contains(&format!(
            "irrecoverable VAT: {placeholders} unreadable cell(s) (first 'Not yet available') read as no value, kept in extras"
        )),
        "{out}"
    );
    let totals = run_ok(
        &dataset,
        &[
            "sql",
            "--format",
            "csv",
            "SELECT count(*) AS n, sum(irrecoverable_vat) AS vat, \
             count(*) FILTER (WHERE irrecoverable_vat IS NULL) AS no_vat, \
             count(*) FILTER (WHERE irrecoverable_vat = 0) AS zero_vat, \
             count(*) FILTER (WHERE extras LIKE '%\"IrrecoverableVATAmount\":\"Not yet available\"%') AS kept \
             FROM spend",
        ],
    );
    let row: Vec<&str> = totals.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[0], rows.to_string());
    assert_eq!(row[1], decimal(kept_vat), "VAT as published plus £0.00 for every Nil, to the penny");
    assert_eq!(row[2], placeholders.to_string(), "a placeholder is no value");
    assert!(row[3].parse::<usize>().unwrap() >= nils, "every Nil is £0.00: {totals}");
    assert_eq!(row[4], placeholders.to_string(), "the unreadable text is kept in extras");
}

#[test]
fn issue_10_pipe_and_tab_separated_files_load_like_comma_separated_ones() {
    let Some(real) = real_data("issue_10_pipe_and_tab_separated_files_load_like_comma_separated_ones") else { return };
    let dir = tempfile::tempdir().unwrap();
    // Salford's April 2021 file, rewritten with another separator: nothing else changes.
    let source = real.join("salford/2021-04.csv");
    let mut rows = 0u64;
    let mut net = 0i128;
    for record in csv::Reader::from_path(&source).unwrap().records() {
        rows += 1;
        net += pence(&record.unwrap()[5]); // Net, the column Salford's amount is read from
    }
    for (separator, name, said) in
        [(b'|', "2021-04.txt", "fields separated by '|'"), (b'\t', "2021-04.tsv", "fields separated by tabs")]
    {
        let copy = dir.path().join(name);
        let mut writer = csv::WriterBuilder::new().delimiter(separator).from_path(&copy).unwrap();
        for record in csv::ReaderBuilder::new().has_headers(false).from_path(&source).unwrap().records() {
            writer.write_record(&record.unwrap()).unwrap();
        }
        writer.flush().unwrap();
        let dataset = dir.path().join(format!("data-{separator}"));
        let output = spendql()
            .arg("--dataset")
            .arg(&dataset)
            .args(["ingest", "--council", "Salford"])
            .arg(&copy)
            .output()
            .unwrap();
        assert_ok(&output);
        let out = stdout(&output);
        assert!(out.contains(said), "{out}");
        assert!(out.contains(&format!("loaded {rows} rows £{}", decimal(net))), "{out}");
        let totals = run_ok(&dataset, &["sql", "--format", "csv", "SELECT count(*), sum(amount) FROM spend"]);
        assert_eq!(totals.lines().nth(1).unwrap(), format!("{rows},{}", decimal(net)));
    }
}
