//! Measures the category classifier on the real councils' files (issue 11):
//!
//! - coverage by value per council per tier, with no hand mapping;
//! - accuracy by value at level 1 and at full code on Trafford, with its published codes
//!   hidden for a supplier-disjoint half of its suppliers (split by a hash of the supplier
//!   key, so the supplier tier cannot copy them), then the halves swapped;
//! - accuracy by value on `benches/classification/hand-labels.csv` when it exists;
//! - accuracy on Salford's contracts register with its own codes and labels hidden, from
//!   the payments (classified without the register) and the contracts' titles alone.
//!
//! `cargo run --example classify_eval`. Reads `../shared/data/real/` itself (the `csv` and
//! `zip` crates, not spendql's ingest), so what is measured is the classifier alone. An
//! unclassified payment counts as wrong; accuracy weighs each payment by its size.
//! `CLASSIFY_EVAL_WRONG=1` also prints (to stderr) the largest hidden-code misses by
//! department, truth and guess, to see which class of input the rules miss.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use spendql::classify::{
    CategoryMap, Classification, ClassifiedPayment, ContractEvidence, Evidence, EvidenceRecord, Source,
    classify_contracts, classify_rows,
};
use spendql::money::{money_text, parse_amount};
use spendql::suppliers::{is_redacted, supplier_key};
use spendql::taxonomy::{Category, lookup_published};

/// One payment, owned; [`Row::evidence`] lends it to the classifier.
#[derive(Clone)]
struct Row {
    evidence: EvidenceRecord,
    /// Which file and physical line (1-based; the header is line 1) it came from, for hand labels.
    file: String,
    line: usize,
    /// The payment date as published (ISO for Trafford), for the time-split measurement.
    date: Option<String>,
}

impl std::ops::Deref for Row {
    type Target = EvidenceRecord;
    fn deref(&self) -> &EvidenceRecord {
        &self.evidence
    }
}

/// A cell, or none when blank or a placeholder.
fn cell(text: &str) -> Option<String> {
    let text = text.trim();
    let placeholder = text.is_empty() || ["NA", "N/A", "NULL", "-"].iter().any(|p| text.eq_ignore_ascii_case(p));
    (!placeholder).then(|| text.to_string())
}

/// Rows of one CSV text, by header names (the first that exists of each list).
fn read_csv(text: &[u8], file: &str, columns: &Columns, rows: &mut Vec<Row>) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let headers: Vec<String> = reader
        .byte_headers()
        .expect("header")
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim_matches(|c: char| !c.is_ascii_graphic()).to_string())
        .collect();
    let find = |names: &[&str]| names.iter().find_map(|n| headers.iter().position(|h| h.eq_ignore_ascii_case(n)));
    let council = find(columns.council).expect("council column");
    let supplier = find(columns.supplier).expect("supplier column");
    let amount = find(columns.amount).expect("amount column");
    let get = |names: &[&str]| if names.is_empty() { None } else { find(names) };
    let (code, label, expense, purpose, department, date) = (
        get(columns.code),
        get(columns.label),
        get(columns.expense_type),
        get(columns.purpose),
        get(columns.department),
        get(columns.date),
    );
    for record in reader.byte_records() {
        let Ok(record) = record else { continue };
        // The physical line the record starts on (the header is line 1), as the hand labels
        // name payments: counting records instead put every label on the next payment.
        let line = record.position().map_or(0, |p| p.line() as usize);
        let text = |index: Option<usize>| {
            index.and_then(|i| record.get(i)).map(|b| String::from_utf8_lossy(b).into_owned()).and_then(|t| cell(&t))
        };
        let Ok(pence) = parse_amount(record.get(amount).unwrap_or_default()) else { continue };
        // A row naming no council is a file's totals line, not a payment.
        if text(Some(council)).is_none() {
            continue;
        }
        let name = text(Some(supplier));
        let key = name.as_deref().filter(|n| !is_redacted(n)).map(supplier_key).unwrap_or_default();
        let evidence = EvidenceRecord {
            council: text(Some(council)).unwrap_or_default(),
            supplier_key: key,
            supplier_name: name,
            pence,
            published_category: text(label),
            published_code: text(code),
            expense_type: text(expense),
            purpose: text(purpose),
            department: text(department),
            contract_code: None,
            contract_category: None,
        };
        rows.push(Row { evidence, file: file.to_string(), line, date: text(date) });
    }
}

struct Columns {
    council: &'static [&'static str],
    supplier: &'static [&'static str],
    amount: &'static [&'static str],
    code: &'static [&'static str],
    label: &'static [&'static str],
    expense_type: &'static [&'static str],
    purpose: &'static [&'static str],
    department: &'static [&'static str],
    date: &'static [&'static str],
}

const MANCHESTER: Columns = Columns {
    council: &["Body Name"],
    supplier: &["Supplier Name"],
    amount: &["Net Amount"],
    code: &[],
    label: &[],
    expense_type: &["Expenses Type"],
    purpose: &[],
    department: &["Service Area"],
    date: &[],
};

const SALFORD: Columns = Columns {
    council: &["Authority Name"],
    supplier: &["Vendor Name"],
    amount: &["Net"],
    code: &[],
    label: &[],
    expense_type: &["GL Description"],
    purpose: &[],
    department: &["Service Area"],
    date: &[],
};

const TRAFFORD: Columns = Columns {
    council: &["OrganisationLabel"],
    supplier: &["BeneficiaryName"],
    amount: &["Amount"],
    code: &["ProclassCode"],
    label: &["ProclassLabel"],
    expense_type: &[],
    purpose: &["Purpose"],
    department: &["OrganisationalUnit"],
    date: &["PaymentDate"],
};

fn csv_files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.extension().is_some_and(|e| e == "csv")
            && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix))
    });
    files.sort();
    files
}

fn load(real: &Path) -> Vec<Row> {
    let mut rows = Vec::new();
    for (dir, prefix, columns) in [("manchester", "", &MANCHESTER), ("salford", "20", &SALFORD)] {
        for path in csv_files(&real.join(dir), prefix) {
            let bytes = std::fs::read(&path).expect("read file");
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            read_csv(&bytes, &name, columns, &mut rows);
        }
    }
    register_codes(&real.join("salford/contracts-register-2022-07.csv"), "Salford City Council", &mut rows);
    let zip_path = real.join("trafford/trafford-supplier-spend-2024-25.zip");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).expect("open zip")).expect("read zip");
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("zip entry");
        let name = format!("trafford/{}", entry.name().expect("entry name"));
        if !name.ends_with(".csv") {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("unzip");
        read_csv(&bytes, &name, &TRAFFORD, &mut rows);
    }
    rows
}

/// The register's ProClass code for a council's payments to a supplier it holds contracts
/// with: the code of the supplier's largest contract by total value, as ingest gives a
/// payment no contract covers (`ingest::categorise`). Ingest prefers the contract a payment
/// is linked to; this reader links nothing, which differs only for suppliers with several
/// contracts in different categories.
fn register_codes(path: &Path, council: &str, rows: &mut [Row]) {
    let Ok(bytes) = std::fs::read(path) else { return };
    // The register's header opens with a mis-encoded byte-order mark.
    let text = String::from_utf8_lossy(&bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().expect("header").iter().map(|h| h.trim().to_string()).collect();
    let find = |name: &str| headers.iter().position(|h| h.ends_with(name)).expect(name);
    let (supplier, value, code, label) = (
        find("Supplier Company Name"),
        find("Total Contract Value (including extensions)"),
        find("ProClass Classification"),
        find("ProClass Description"),
    );
    let mut largest: HashMap<String, (i128, Option<String>, Option<String>)> = HashMap::new();
    for record in reader.records().flatten() {
        let key = supplier_key(record.get(supplier).unwrap_or_default());
        let pence = parse_amount(record.get(value).unwrap_or_default().as_bytes()).unwrap_or_default();
        let entry = largest.entry(key).or_insert((-1, None, None));
        if pence > entry.0 {
            *entry = (pence, record.get(code).and_then(cell), record.get(label).and_then(cell));
        }
    }
    for row in rows.iter_mut().filter(|r| r.council == council) {
        if let Some((_, code, label)) = largest.get(&row.supplier_key) {
            row.evidence.contract_code.clone_from(code);
            row.evidence.contract_category.clone_from(label);
        }
    }
}

fn percent(part: i128, whole: i128) -> String {
    if whole == 0 { "-".into() } else { format!("{:.1}%", part as f64 * 100.0 / whole as f64) }
}

fn coverage(rows: &[Row], result: &[Classification]) {
    println!("\n## Coverage by value (net spend), no hand mapping\n");
    println!("| council | spend | classified | out of scope | {} |", Source::ALL.map(Source::as_str).join(" | "));
    println!("|---|---|---|---|{}", "---|".repeat(Source::ALL.len()));
    let mut councils: BTreeMap<&str, (i128, HashMap<Source, i128>, i128)> = BTreeMap::new();
    for (row, class) in rows.iter().zip(result) {
        let entry = councils.entry(&row.council).or_default();
        entry.0 += row.pence;
        *entry.1.entry(class.source).or_default() += row.pence;
        if class.category == Some(Category::OutOfScope) {
            entry.2 += row.pence;
        }
    }
    for (council, (total, by_source, out)) in &councils {
        let classified = total - by_source.get(&Source::None).copied().unwrap_or(0);
        let cells: Vec<String> =
            Source::ALL.iter().map(|s| percent(by_source.get(s).copied().unwrap_or(0), *total)).collect();
        println!(
            "| {council} | {} | {} | {} | {} |",
            money_text(*total),
            percent(classified, *total),
            percent(*out, *total),
            cells.join(" | ")
        );
    }
}

fn unclassified(rows: &[Row], result: &[Classification]) {
    println!("\n## Largest unclassified council values (expense type, else department)\n");
    let mut by: BTreeMap<&str, HashMap<&str, i128>> = BTreeMap::new();
    for (row, class) in rows.iter().zip(result) {
        if class.source == Source::None {
            let value = row.expense_type.as_deref().or(row.department.as_deref()).unwrap_or("(blank)");
            *by.entry(&row.council).or_default().entry(value).or_default() += row.pence;
        }
    }
    for (council, values) in by {
        let mut values: Vec<(&str, i128)> = values.into_iter().collect();
        values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = values.iter().take(8).map(|(v, p)| format!("{v} ({})", money_text(*p))).collect();
        println!("- {council}: {}", top.join("; "));
    }
}

/// FNV-1a: a fixed hash, so the split is the same on every machine and run.
fn half_of(key: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash % 2
}

#[derive(Default)]
struct Score {
    total: u128,
    level1: u128,
    full: u128,
    rows: usize,
}

impl Score {
    fn add(&mut self, truth: Category, got: Option<Category>, pence: i128) {
        let weight = pence.unsigned_abs();
        self.total += weight;
        self.rows += 1;
        if got.is_some_and(|g| g.at_level1() == truth.at_level1()) {
            self.level1 += weight;
        }
        if got == Some(truth) {
            self.full += weight;
        }
    }

    fn line(&self, what: &str) -> String {
        let ratio = |part: u128| if self.total == 0 { 0.0 } else { part as f64 / self.total as f64 };
        format!(
            "| {what} | {} | {} | {:.3} | {:.3} |",
            self.rows,
            money_text(self.total as i128),
            ratio(self.level1),
            ratio(self.full)
        )
    }
}

/// Whether a payment's own purpose line names a levy, read from the words directly, not
/// through the classifier's rules.
fn names_a_levy(row: &Row) -> bool {
    row.purpose.as_deref().is_some_and(|p| {
        p.split(|c: char| !c.is_alphanumeric())
            .any(|w| w.eq_ignore_ascii_case("levy") || w.eq_ignore_ascii_case("levies"))
    })
}

/// Classify every row with the published codes of the Trafford payments `hide` picks
/// removed; returns those payments (index and the published truth) and the result.
fn classify_hiding(rows: &[Row], hide: impl Fn(&Row) -> bool) -> (Vec<(usize, Category)>, Vec<Classification>) {
    let mut hidden = Vec::new();
    let masked: Vec<Row> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let truth = lookup_published(row.published_code.as_deref(), row.published_category.as_deref());
            match truth {
                Some(truth) if hide(row) => {
                    hidden.push((i, truth));
                    let evidence =
                        EvidenceRecord { published_code: None, published_category: None, ..row.evidence.clone() };
                    Row { evidence, ..row.clone() }
                }
                _ => row.clone(),
            }
        })
        .collect();
    let evidence: Vec<Evidence<'_>> = masked.iter().map(|row| row.evidence.evidence()).collect();
    (hidden, classify_rows(&evidence, &CategoryMap::default()))
}

fn hidden_halves(rows: &[Row]) {
    println!("\n## Trafford with published codes hidden for half its suppliers\n");
    println!("| hidden half | payments | value | level-1 accuracy | full-code accuracy |\n|---|---|---|---|---|");
    let mut both = Score::default();
    let mut in_scope = Score::default();
    let mut not_levies = Score::default();
    // The issue defines levies as out of scope, so Trafford's ProClass code on a payment its
    // own purpose line calls a levy (GMCA's, coded 151612 consultancy) is no truth a
    // classifier following the issue can match. Read from the words directly, not through
    // the classifier's rules.
    for half in 0..2 {
        let (hidden, result) =
            classify_hiding(rows, |row| row.council.starts_with("Trafford") && half_of(&row.supplier_key) == half);
        let mut score = Score::default();
        let mut by_source: HashMap<Source, Score> = HashMap::new();
        let mut wrong: HashMap<(String, String, String), i128> = HashMap::new();
        for (i, truth) in &hidden {
            if result[*i].category.map(Category::at_level1) != Some(truth.at_level1())
                && std::env::var_os("CLASSIFY_EVAL_WRONG").is_some()
            {
                *wrong
                    .entry((
                        rows[*i].department.clone().unwrap_or_default(),
                        truth.label(),
                        result[*i]
                            .category
                            .map(|c| format!("{} {}", result[*i].source.as_str(), c.label()))
                            .unwrap_or_default(),
                    ))
                    .or_default() += rows[*i].pence.abs();
            }
        }
        let mut wrong: Vec<_> = wrong.into_iter().collect();
        wrong.sort_by_key(|w| std::cmp::Reverse(w.1));
        for w in wrong.iter().take(25) {
            eprintln!("{w:?}");
        }
        for (i, truth) in hidden {
            score.add(truth, result[i].category, rows[i].pence);
            both.add(truth, result[i].category, rows[i].pence);
            if result[i].category != Some(Category::OutOfScope) {
                in_scope.add(truth, result[i].category, rows[i].pence);
            }
            if !names_a_levy(&rows[i]) {
                not_levies.add(truth, result[i].category, rows[i].pence);
            }
            by_source.entry(result[i].source).or_default().add(truth, result[i].category, rows[i].pence);
        }
        println!("{}", score.line(&format!("half {half}")));
        for source in Source::ALL {
            if let Some(s) = by_source.get(&source) {
                println!("{}", s.line(&format!("half {half}, classified by {}", source.as_str())));
            }
        }
    }
    println!("{}", both.line("both halves"));
    // Trafford codes levies and payments to other public bodies under ProClass codes; the
    // rules hold them out of scope, which counts as wrong above.
    println!("{}", in_scope.line("both halves, without the payments classified out of scope"));
    println!("{}", not_levies.line("both halves, without the payments whose purpose names a levy"));
    if both.total > 0 {
        println!(
            "\n(payments whose purpose names a levy hold {:.1}% of the hidden value: a classifier that calls \
             levies out of scope scores at most {:.3} at level 1 on this measurement)",
            100.0 * (both.total - not_levies.total) as f64 / both.total as f64,
            not_levies.total as f64 / both.total as f64
        );
    }
}

/// `benches/classification/hand-labels.csv`, read by its header: a file and row naming the
/// payment, and its level 1 (two digits, a ProClass code, or `out of scope`).
fn hand_labels(rows: &[Row], result: &[Classification]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/classification/hand-labels.csv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("\n(no {}: hand-labelled accuracy not measured)", path.display());
        return;
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).comment(Some(b'#')).from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().expect("header").iter().map(|h| h.trim().to_lowercase()).collect();
    println!("\n## Hand-labelled payments ({})\n\nheader: {}", path.display(), headers.join(","));
    let find = |names: &[&str]| names.iter().find_map(|n| headers.iter().position(|h| h == n));
    let (Some(file), Some(line), Some(label)) = (
        find(&["file", "source_file"]),
        find(&["row", "line", "data_row", "record"]),
        find(&["level1", "level_1", "label", "proclass_level1", "category"]),
    ) else {
        println!("columns not recognised; not measured");
        return;
    };
    let index: HashMap<(&str, usize), usize> =
        rows.iter().enumerate().map(|(i, r)| ((r.file.as_str(), r.line), i)).collect();
    let reason = find(&["reason"]);
    let selection = find(&["selection"]);
    // Per stratum: `largest` is most of the value and mostly levies and precepts; `random`
    // is the only unbiased sample of typical payments (counted by rows too).
    let mut strata: BTreeMap<String, (Score, usize, usize)> = BTreeMap::new();
    let mut score = Score::default();
    // Labels whose reason cites a contracts register share their evidence with the register
    // tier; scored apart too, so the figure without them is independent of it.
    let mut without_register = Score::default();
    let mut missing = 0;
    for record in reader.records().flatten() {
        let file_name = record.get(file).unwrap_or_default().trim().trim_start_matches("real/");
        let Some(&i) =
            record.get(line).and_then(|l| l.trim().parse().ok()).and_then(|l: usize| index.get(&(file_name, l)))
        else {
            missing += 1;
            continue;
        };
        // The labels file spells the class `out-of-scope` (one token, easy to grep).
        let text = record.get(label).unwrap_or_default().trim().replace('-', " ");
        let text = text.as_str();
        let truth = Category::parse(text)
            .or_else(|| text.parse::<u8>().ok().and_then(spendql::taxonomy::ProclassCode::group).map(Category::Code));
        let Some(truth) = truth else {
            missing += 1;
            continue;
        };
        // Hand labels are level 1: compare there only.
        let guess = result[i].category.map(Category::at_level1);
        if guess != Some(truth.at_level1()) && std::env::var_os("CLASSIFY_EVAL_WRONG").is_some() {
            eprintln!(
                "hand label miss: {} {} | {} | truth {} | guess {} {}",
                money_text(rows[i].pence),
                rows[i].supplier_name.as_deref().unwrap_or_default(),
                rows[i].expense_type.as_deref().unwrap_or_default(),
                truth.at_level1().label(),
                result[i].source.as_str(),
                guess.map(Category::label).unwrap_or_default()
            );
        }
        score.add(truth.at_level1(), guess, rows[i].pence);
        let stratum = selection.and_then(|c| record.get(c)).unwrap_or_default().trim().to_string();
        let entry = strata.entry(stratum).or_default();
        entry.0.add(truth.at_level1(), guess, rows[i].pence);
        entry.1 += 1;
        entry.2 += usize::from(guess == Some(truth.at_level1()));
        if !reason.and_then(|r| record.get(r)).unwrap_or_default().to_lowercase().contains("register") {
            without_register.add(truth.at_level1(), guess, rows[i].pence);
        }
    }
    println!(
        "| labels | payments | value | level-1 accuracy | (level 1 again) |\n|---|---|---|---|---|\n{}",
        score.line("hand labels")
    );
    println!("{}", without_register.line("hand labels whose reason cites no contracts register"));
    for (stratum, (score, rows, right)) in &strata {
        println!("{}", score.line(&format!("stratum `{stratum}` ({right} of {rows} rows right)")));
    }
    if missing > 0 {
        println!("({missing} labels did not name a payment or a class)");
    }
}

/// Salford's register classified with its own codes and labels hidden, against the codes
/// it published: the contract tiers' evidence (the supplier's payments, the title's
/// words) judged by the one register here that codes every contract.
fn register_hidden(real: &Path, rows: &[Row]) {
    println!("\n## Salford's contracts register with its codes and labels hidden\n");
    let Ok(bytes) = std::fs::read(real.join("salford/contracts-register-2022-07.csv")) else { return };
    // Payments classified without the register, so its codes cannot reach the contracts
    // through the payments they classified.
    let plain: Vec<Row> = rows
        .iter()
        .cloned()
        .map(|mut row| {
            row.evidence.contract_code = None;
            row.evidence.contract_category = None;
            row
        })
        .collect();
    let evidence: Vec<Evidence<'_>> = plain.iter().map(|row| row.evidence.evidence()).collect();
    let result = classify_rows(&evidence, &CategoryMap::default());
    let payments: Vec<ClassifiedPayment<'_>> = plain
        .iter()
        .zip(&result)
        .map(|(row, c)| ClassifiedPayment {
            contract_id: None,
            supplier_key: &row.supplier_key,
            pence: row.pence,
            category: c.category,
        })
        .collect();

    let text = String::from_utf8_lossy(&bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().expect("header").iter().map(|h| h.trim().to_string()).collect();
    let find = |name: &str| headers.iter().position(|h| h.ends_with(name)).expect(name);
    let columns = [
        "Supplier Company Name",
        "Total Contract Value (including extensions)",
        "ProClass Classification",
        "ProClass Description",
        "Contract Title",
        "Contract Description",
        "Directorate Name",
    ]
    .map(find);
    let records: Vec<[Option<String>; 7]> =
        reader.records().flatten().map(|r| columns.map(|c| r.get(c).and_then(cell))).collect();
    let keys: Vec<String> = records.iter().map(|r| supplier_key(r[0].as_deref().unwrap_or_default())).collect();
    let contracts: Vec<ContractEvidence<'_>> = records
        .iter()
        .zip(&keys)
        .map(|(r, key)| ContractEvidence {
            council: "Salford City Council",
            supplier_key: key,
            title: r[4].as_deref(),
            description: r[5].as_deref(),
            department: r[6].as_deref(),
            ..ContractEvidence::default()
        })
        .collect();
    let got = classify_contracts(&contracts, &payments, &CategoryMap::default());
    println!("| decided by | contracts | value | level-1 accuracy (by value) | level-1 accuracy (by count) |");
    println!("|---|---|---|---|---|");
    let mut by_source: BTreeMap<Source, (Score, Score)> = BTreeMap::new();
    for (record, class) in records.iter().zip(&got) {
        let Some(truth) = lookup_published(record[2].as_deref(), record[3].as_deref()) else { continue };
        let pence = record[1].as_deref().and_then(|v| parse_amount(v.as_bytes()).ok()).unwrap_or_default();
        for source in [class.source, Source::Mapped] {
            // `Mapped` stands for all contracts here: no mapping is loaded.
            let entry = by_source.entry(source).or_default();
            entry.0.add(truth, class.category, pence);
            entry.1.add(truth, class.category, 1);
        }
    }
    if std::env::var_os("CLASSIFY_EVAL_WRONG").is_some() {
        let mut wrong: Vec<(i128, String)> = Vec::new();
        for (record, class) in records.iter().zip(&got) {
            let Some(truth) = lookup_published(record[2].as_deref(), record[3].as_deref()) else { continue };
            if class.category.map(Category::at_level1) != Some(truth.at_level1()) {
                let pence = record[1].as_deref().and_then(|v| parse_amount(v.as_bytes()).ok()).unwrap_or_default();
                let guess = class.category.map_or("-".to_string(), Category::label);
                let what = [0, 4].map(|c| record[c].clone().unwrap_or_default()).join(" | ");
                wrong.push((pence, format!("{what} | truth {} | {} {guess}", truth.label(), class.source.as_str())));
            }
        }
        wrong.sort_by_key(|w| std::cmp::Reverse(w.0));
        for (pence, line) in wrong.iter().take(25) {
            eprintln!("{} | {line}", money_text(*pence));
        }
    }
    for (source, (value, count)) in &by_source {
        let ratio = |s: &Score| if s.total == 0 { 0.0 } else { s.level1 as f64 / s.total as f64 };
        let name = if *source == Source::Mapped { "all coded contracts" } else { source.as_str() };
        println!(
            "| {name} | {} | {} | {:.3} | {:.3} |",
            count.rows,
            money_text(value.total as i128),
            ratio(value),
            ratio(count)
        );
    }
}

/// Not the measurement, but the one its owner may choose instead (the issue's
/// hides every published code of half the suppliers, so nothing a supplier is known for
/// survives): Trafford's codes hidden for the payments of one half of its financial year,
/// the other half's kept, as when a council stops publishing codes, or a new month's file
/// arrives without them. Each half is hidden in turn.
fn hidden_months(rows: &[Row]) {
    println!(
        "\n## Trafford with published codes hidden for half its year (a time split, not the issue's measurement)\n"
    );
    println!("| hidden months | payments | value | level-1 accuracy | full-code accuracy |\n|---|---|---|---|---|");
    let mut both = Score::default();
    let mut not_levies = Score::default();
    for (name, later) in [("October to March", true), ("April to September", false)] {
        let hide = |row: &Row| {
            row.council.starts_with("Trafford") && row.date.as_deref().is_some_and(|d| (d >= "2024-10-01") == later)
        };
        let (hidden, result) = classify_hiding(rows, hide);
        let mut score = Score::default();
        let mut wrong: HashMap<(String, String), i128> = HashMap::new();
        for (i, truth) in hidden {
            score.add(truth, result[i].category, rows[i].pence);
            both.add(truth, result[i].category, rows[i].pence);
            if !names_a_levy(&rows[i]) {
                not_levies.add(truth, result[i].category, rows[i].pence);
            }
            if result[i].category.map(Category::at_level1) != Some(truth.at_level1()) {
                let guess =
                    result[i].category.map_or("-".into(), |c| format!("{} {}", result[i].source.as_str(), c.label()));
                *wrong.entry((truth.at_level1().label(), guess)).or_default() += rows[i].pence.abs();
            }
        }
        println!("{}", score.line(name));
        if std::env::var_os("CLASSIFY_EVAL_WRONG").is_some() {
            let mut wrong: Vec<_> = wrong.into_iter().collect();
            wrong.sort_by_key(|w| std::cmp::Reverse(w.1));
            for ((truth, guess), pence) in wrong.iter().take(15) {
                eprintln!("time split miss: {} | truth {truth} | {guess}", money_text(*pence));
            }
        }
    }
    println!("{}", both.line("both halves of the year"));
    println!("{}", not_levies.line("both halves, without the payments whose purpose names a levy"));
}

fn main() {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real");
    if !real.is_dir() {
        println!("classify_eval: {} is absent; nothing measured", real.display());
        return;
    }
    let rows = load(&real);
    println!("# Category classification (issue 11): {} payments", rows.len());
    let evidence: Vec<Evidence<'_>> = rows.iter().map(|row| row.evidence.evidence()).collect();
    let result = classify_rows(&evidence, &CategoryMap::default());
    coverage(&rows, &result);
    unclassified(&rows, &result);
    hidden_halves(&rows);
    hidden_months(&rows);
    hand_labels(&rows, &result);
    register_hidden(&real, &rows);
}
