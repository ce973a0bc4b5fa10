//! The real council files read independently of spendql: the `csv` and `zip` crates and the
//! test's own decimal parser, no library code. Rows and pence per council and month from the
//! published files are the oracle for ingest reconciliation and for query totals on the real
//! data (issue 9: a query total must equal a figure the program did not compute).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// (council, `yyyy-mm`) → (rows, pence).
pub type Totals = BTreeMap<(String, String), (u64, i128)>;

/// Pence from a plain decimal string, written here so the test does not trust the library.
pub fn pence(text: &str) -> i128 {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    assert!(fraction.len() <= 2, "unexpected precision in {text}");
    let whole: i128 = whole.parse().unwrap_or_else(|_| panic!("not a number: {text}"));
    let fraction: i128 = format!("{fraction:0<2}").parse().unwrap();
    let value = whole * 100 + fraction;
    if negative { -value } else { value }
}

/// Pence as the plain decimal text spendql's CSV output writes (`-1234.50`, `-0.05`).
pub fn decimal(pence: i128) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", pence.abs() / 100, pence.abs() % 100)
}

/// Add a CSV's rows to `totals` reading only the named columns, with the `csv` crate. The
/// month is the first seven characters of the (ISO) date, as the files are published.
pub fn csv_totals(totals: &mut Totals, council: &str, bytes: &[u8], amount: &str, date: &str) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader.headers().unwrap().clone();
    let amount_at = headers.iter().position(|h| h == amount).unwrap();
    let date_at = headers.iter().position(|h| h == date).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let month = record[date_at][..7].to_string();
        let entry = totals.entry((council.to_string(), month)).or_default();
        entry.0 += 1;
        entry.1 += pence(&record[amount_at]);
    }
}

/// The files in `dir` whose names start with `prefix`, sorted.
pub fn csv_files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    files.sort();
    files
}

/// The one CSV inside Trafford's published zip, as bytes.
pub fn trafford_spend_csv(real: &Path) -> Vec<u8> {
    let mut archive =
        zip::ZipArchive::new(File::open(real.join("trafford/trafford-supplier-spend-2024-25.zip")).unwrap()).unwrap();
    let mut member = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_index(0).unwrap(), &mut member).unwrap();
    member
}

/// Rows and pence per council and month of every published spend file the real dataset
/// loads: Manchester's and Salford's monthly CSVs (net amounts), Trafford's zipped spend and
/// its card file. Read once per test run.
pub fn published_totals(real: &Path) -> &'static Totals {
    static TOTALS: OnceLock<Totals> = OnceLock::new();
    TOTALS.get_or_init(|| {
        let mut totals = Totals::new();
        let manchester = csv_files(&real.join("manchester"), "20");
        let salford = csv_files(&real.join("salford"), "20");
        assert_eq!((manchester.len(), salford.len()), (12, 12));
        for file in &manchester {
            csv_totals(&mut totals, "Manchester", &fs::read(file).unwrap(), "Net Amount", "Invoice Payment Date");
        }
        for file in &salford {
            csv_totals(&mut totals, "Salford", &fs::read(file).unwrap(), "Net", "Date of Payment");
        }
        csv_totals(&mut totals, "Trafford", &trafford_spend_csv(real), "Amount", "PaymentDate");
        let card = fs::read(real.join("trafford/gpc_2024-25.csv")).unwrap();
        csv_totals(&mut totals, "Trafford", &card, "Amount", "PaymentDate");
        totals
    })
}

#[test]
fn pence_and_decimal_are_exact_inverses_on_awkward_values() {
    for (text, value) in [("0.00", 0), ("-0.05", -5), ("12", 1200), ("12.5", 1250), ("-1234.56", -123_456)] {
        assert_eq!(pence(text), value, "{text}");
    }
    assert_eq!(decimal(-5), "-0.05");
    assert_eq!(decimal(-123_456), "-1234.56");
    assert_eq!(decimal(85_712_345_678), "857123456.78");
}
