//! Issue 10: councils' files as they are really published. Each case is a real file, copied
//! and edited minimally; expectations come from this test's own reading of the edited copy.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::support::published::{decimal, pence};
use std::collections::BTreeMap;

use crate::support::{assert_ok, real_data, run_ok, spendql, stdout};

/// The first `rows` payments of Trafford's 2024-25 file (the LGA layout, with an
/// `IrrecoverableVATAmount` column), with `edit` applied to each data row by its index.
fn trafford_excerpt(real: &Path, dir: &Path, rows: usize, edit: impl Fn(usize, &mut Vec<String>)) -> PathBuf {
    trafford_edited(real, dir, rows, |_| {}, edit)
}

/// [`trafford_excerpt`] with `header` applied to the header row too.
fn trafford_edited(
    real: &Path,
    dir: &Path,
    rows: usize,
    header: impl Fn(&mut Vec<String>),
    edit: impl Fn(usize, &mut Vec<String>),
) -> PathBuf {
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
        } else {
            header(&mut fields);
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
    let unreadable = |i: usize| i % 11 == 5 && !placeholder(i);
    let nil = |i: usize| i.is_multiple_of(2) && !placeholder(i) && !unreadable(i);
    let file = trafford_excerpt(&real, dir.path(), 1000, |i, f| {
        if placeholder(i) {
            f[VAT] = "Not yet available".to_string();
        } else if unreadable(i) {
            f[VAT] = "approx 5".to_string();
        } else if nil(i) {
            f[VAT] = "Nil".to_string();
        }
    });
    // What the edited copy holds, read here: the VAT cells left as published, and the counts.
    let mut kept_vat = 0i128;
    let (mut nils, mut placeholders, mut unreadables, mut rows) = (0, 0, 0, 0);
    for record in csv::Reader::from_path(&file).unwrap().records() {
        let record = record.unwrap();
        rows += 1;
        match &record[VAT] {
            "Nil" => nils += 1,
            "Not yet available" => placeholders += 1,
            "approx 5" => unreadables += 1,
            value => kept_vat += pence(value),
        }
    }
    let dataset = dir.path().join("data");
    let output =
        spendql().arg("--dataset").arg(&dataset).args(["ingest", "--council", "Trafford"]).arg(&file).output().unwrap();
    assert_ok(&output);
    let out = stdout(&output);
    assert!(out.contains(&format!("loaded {rows} rows")) && out.contains("rejected 0 rows"), "{out}");
    assert!(out.contains(&format!("irrecoverable VAT: {nils} cells 'Nil' read as £0.00")), "{out}");
    assert!(
        out.contains(&format!("irrecoverable VAT: {placeholders} cells 'Not yet available' read as none")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "irrecoverable VAT: {unreadables} cells unreadable (first 'approx 5') read as none, kept in extras"
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
             count(*) FILTER (WHERE extras LIKE '%\"IrrecoverableVATAmount\":\"approx 5\"%') AS kept, \
             count(*) FILTER (WHERE extras LIKE '%IrrecoverableVATAmount%') AS any_kept \
             FROM spend",
        ],
    );
    let row: Vec<&str> = totals.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[0], rows.to_string());
    assert_eq!(row[1], decimal(kept_vat), "VAT as published plus £0.00 for every Nil, to the penny");
    assert_eq!(row[2], (placeholders + unreadables).to_string(), "a placeholder or unreadable cell is no value");
    assert!(row[3].parse::<usize>().unwrap() >= nils, "every Nil is £0.00: {totals}");
    assert_eq!(row[4], unreadables.to_string(), "the unreadable text is kept in extras");
    assert_eq!(row[5], unreadables.to_string(), "a placeholder says nothing to keep");
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

/// `n cells`, as the ingest report counts them.
fn cells(n: usize) -> String {
    if n == 1 { "1 cell".to_string() } else { format!("{n} cells") }
}

/// Ingest `file` for `council` (`kind` spend or card) into `dataset`, returning the report.
fn ingest_ok(dataset: &Path, council: &str, kind: &str, file: &Path) -> String {
    let output = spendql()
        .arg("--dataset")
        .arg(dataset)
        .args(["ingest", "--kind", kind, "--council", council])
        .arg(file)
        .output()
        .unwrap();
    assert_ok(&output);
    stdout(&output)
}

/// The rows of a `spendql sql --format csv` answer, without its header.
fn sql_rows(dataset: &Path, query: &str) -> Vec<Vec<String>> {
    let text = run_ok(dataset, &["sql", "--format", "csv", query]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

#[test]
fn issue_10_placeholder_and_malformed_identifiers_never_reject_and_are_counted_per_field() {
    let Some(real) = real_data("issue_10_placeholder_and_malformed_identifiers_never_reject_and_are_counted_per_field")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Trafford's InvoiceNumber and ProfitCentre columns, renamed to registration numbers as
    // other councils publish them, with placeholders and malformed values written in.
    const CHARITY: usize = 13;
    const COMPANY: usize = 14;
    let file = trafford_edited(
        &real,
        dir.path(),
        1000,
        |h| {
            h[CHARITY] = "Charity Registration".to_string();
            h[COMPANY] = "Registered Company Number".to_string();
        },
        |i, f| {
            f[COMPANY] = match i % 4 {
                0 => "Not yet available".to_string(),
                1 => f[COMPANY].clone(), // Trafford's six-digit profit centre, a valid shape
                2 => "ABC/123".to_string(),
                _ => "n/a".to_string(),
            };
            f[CHARITY] = match i % 3 {
                0 => "1089464-01".to_string(),
                1 => "Not applicable".to_string(),
                _ if i % 5 == 0 => "CH-12".to_string(),
                _ => String::new(),
            };
        },
    );
    // The expectation, read here from the edited copy by this test's own rules.
    let mut want: BTreeMap<i64, (String, String, Option<String>)> = BTreeMap::new();
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(&file).unwrap();
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let (company, charity) = (&record[COMPANY], &record[CHARITY]);
        let mut kept = Vec::new();
        let company = match company {
            "Not yet available" | "n/a" | "ABC/123" => {
                *tally.entry(if company == "ABC/123" { "company bad" } else { company }.to_string()).or_default() += 1;
                if company == "ABC/123" {
                    kept.push(format!("\"Registered Company Number\":\"{company}\""));
                }
                String::new()
            }
            digits => {
                assert!(digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()), "{digits}");
                format!("00{digits}")
            }
        };
        let charity = match charity {
            "1089464-01" => "1089464-1".to_string(),
            "Not applicable" | "" => {
                *tally.entry(charity.to_string()).or_default() += 1;
                String::new()
            }
            _ => {
                *tally.entry("charity bad".to_string()).or_default() += 1;
                kept.push(format!("\"Charity Registration\":\"{charity}\""));
                String::new()
            }
        };
        want.insert(i as i64 + 2, (company, charity, (!kept.is_empty()).then(|| kept.join(","))));
    }

    let dataset = dir.path().join("data");
    let out = ingest_ok(&dataset, "Trafford", "spend", &file);
    assert!(out.contains("loaded 1000 rows") && out.contains("rejected 0 rows"), "{out}");
    assert!(out.contains("company_number <- Registered Company Number"), "{out}");
    assert!(out.contains("charity_number <- Charity Registration"), "{out}");
    for line in [
        format!("company number: {} 'Not yet available' read as none", cells(tally["Not yet available"])),
        format!("company number: {} 'n/a' read as none", cells(tally["n/a"])),
        format!(
            "company number: {} unreadable (first 'ABC/123') read as none, kept in extras",
            cells(tally["company bad"])
        ),
        format!("charity number: {} 'Not applicable' read as none", cells(tally["Not applicable"])),
        format!(
            "charity number: {} unreadable (first 'CH-12') read as none, kept in extras",
            cells(tally["charity bad"])
        ),
    ] {
        assert!(out.contains(&line), "expected '{line}' in:\n{out}");
    }
    assert!(!out.contains("charity number: 0"), "empty cells are not counted: {out}");

    let stored =
        sql_rows(&dataset, "SELECT source_row, company_number, charity_number, extras FROM spend ORDER BY source_row");
    assert_eq!(stored.len(), want.len());
    for row in stored {
        let line: i64 = row[0].parse().unwrap();
        let (company, charity, kept) = &want[&line];
        assert_eq!((&row[1], &row[2]), (company, charity), "line {line}");
        match kept {
            Some(kept) => assert!(row[3].contains(kept.as_str()), "line {line}: {} lacks {kept}", row[3]),
            None => assert!(!row[3].contains("Registered Company Number") && !row[3].contains("Charity Registration")),
        }
    }
    // The language reads the new column as a field, in its stored (normalised) spelling.
    let charity_rows = want.values().filter(|(_, charity, _)| charity == "1089464-1").count();
    let counted = run_ok(&dataset, &["query", "--format", "csv", "transactions where charity number = \"1089464-1\""]);
    assert_eq!(counted.lines().nth(1), Some(charity_rows.to_string().as_str()), "{counted}");
}

#[test]
fn issue_10_a_classification_published_at_two_levels_maps_its_finer_level() {
    let Some(real) = real_data("issue_10_a_classification_published_at_two_levels_maps_its_finer_level") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Trafford publishes ProClass at its finest level (`SOCIAL CARE : Equipment`, `321311`).
    // The copy publishes it twice under one pair of names, level 1 (the group before ` : `
    // and the code's first two digits) then level 2 (as published), as some councils do.
    const LABEL: usize = 11;
    const CODE: usize = 12;
    let file = trafford_edited(
        &real,
        dir.path(),
        1000,
        |h| {
            h[LABEL] = "Procurement Classification".to_string();
            h[CODE] = "Class Code".to_string();
            h.splice(LABEL..LABEL, ["Procurement Classification".to_string(), "Class Code".to_string()]);
        },
        |_, f| {
            let group = f[LABEL].split(" : ").next().unwrap().trim().to_string();
            let prefix = f[CODE].get(..2).unwrap_or(&f[CODE]).to_string();
            f.splice(LABEL..LABEL, [group, prefix]);
        },
    );
    let mut want: BTreeMap<i64, (String, String, String)> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(&file).unwrap();
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let none_if_na = |v: &str| if v == "NA" { String::new() } else { v.to_string() };
        want.insert(
            i as i64 + 2,
            (none_if_na(&record[LABEL + 2]), none_if_na(&record[CODE + 2]), none_if_na(&record[LABEL])),
        );
    }
    assert!(want.values().any(|(label, _, group)| !label.is_empty() && label != group), "the levels differ");

    let dataset = dir.path().join("data");
    let out = ingest_ok(&dataset, "Trafford", "spend", &file);
    assert!(out.contains("category <- Procurement Classification (2)"), "{out}");
    assert!(out.contains("category_code <- Class Code (2)"), "{out}");
    assert!(out.contains("Procurement Classification (1), Class Code (1)"), "the coarser level is kept: {out}");
    let stored = sql_rows(
        &dataset,
        "SELECT source_row, published_category, published_category_code, extras FROM spend ORDER BY source_row",
    );
    assert_eq!(stored.len(), want.len());
    for row in stored {
        let line: i64 = row[0].parse().unwrap();
        let (label, code, group) = &want[&line];
        assert_eq!((&row[1], &row[2]), (label, code), "line {line}: the finer level");
        if !group.is_empty() {
            let extras: serde_json::Value = serde_json::from_str(&row[3]).unwrap();
            assert_eq!(extras["Procurement Classification (1)"], group.as_str(), "line {line}");
        }
    }
}

#[test]
fn issue_10_a_card_files_merchant_category_is_its_category() {
    let Some(real) = real_data("issue_10_a_card_files_merchant_category_is_its_category") else { return };
    let dir = tempfile::tempdir().unwrap();
    // Trafford's card file with `CategoryInternalName` named as other card files name it.
    let source = std::fs::read_to_string(real.join("trafford/gpc_2024-25.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(source.as_bytes());
    let copy = dir.path().join("gpc.csv");
    let mut writer = csv::Writer::from_path(&copy).unwrap();
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let mut fields: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        assert_eq!(fields.len(), 12);
        if i == 0 {
            assert_eq!(fields[9], "CategoryInternalName");
            fields[9] = "Merchant Category".to_string();
        } else {
            *want.entry(fields[9].clone()).or_default() += 1;
        }
        writer.write_record(&fields).unwrap();
    }
    writer.flush().unwrap();
    let dataset = dir.path().join("data");
    let out = ingest_ok(&dataset, "Trafford", "card", &copy);
    assert!(out.contains("category <- Merchant Category"), "{out}");
    assert!(out.contains("category_code <- MerchantCategoryCode"), "{out}");
    let stored: BTreeMap<String, u64> = sql_rows(
        &dataset,
        "SELECT published_category, count(*) FROM spend GROUP BY published_category ORDER BY published_category",
    )
    .into_iter()
    .map(|r| (r[0].clone(), r[1].parse().unwrap()))
    .collect();
    let want: BTreeMap<String, u64> =
        want.into_iter().filter(|(k, _)| k != "NA" && !k.trim().is_empty()).collect::<BTreeMap<_, _>>();
    let stored_named: BTreeMap<String, u64> =
        stored.iter().filter(|(k, _)| !k.is_empty()).map(|(k, v)| (k.clone(), *v)).collect();
    assert_eq!(stored_named, want);
}
