//! Issue 9: query totals on the real council files equal figures spendql did not compute.
//! The dataset is the real Manchester, Salford and Trafford (spend and card) files ingested
//! through the binary; the expectation is each published file read by the test's own CSV
//! reader (`support::published`), summed in integer pence. Money is compared as exact
//! decimal text, so a single penny of difference in any council or month fails.

use std::collections::BTreeMap;

use crate::support::published::{Totals, decimal, published_totals};
use crate::support::{csv_rows, real_data, real_dataset, run_ok};

/// The published totals and the query's CSV rows (header removed), or `None` (with this
/// test's skip notice) without the real files.
fn real(test: &str, query: &str) -> Option<(&'static Totals, Vec<Vec<String>>)> {
    let files = real_data(test)?;
    let dataset = real_dataset(test)?;
    let mut rows = csv_rows(&run_ok(dataset, &["query", "--format", "csv", query]));
    assert!(!rows.is_empty(), "`{query}` printed no header");
    rows.remove(0);
    Some((published_totals(&files), rows))
}

fn per_council(totals: &Totals) -> BTreeMap<String, (u64, i128)> {
    let mut out: BTreeMap<String, (u64, i128)> = BTreeMap::new();
    for ((council, _), (rows, pence)) in totals {
        let entry = out.entry(council.clone()).or_default();
        entry.0 += rows;
        entry.1 += pence;
    }
    out
}

#[test]
fn issue_9_real_spend_by_council_equals_the_published_files_to_the_penny() {
    let Some((totals, rows)) =
        real("issue_9_real_spend_by_council_equals_the_published_files_to_the_penny", "spend by council")
    else {
        return;
    };
    let got: BTreeMap<String, String> = rows.into_iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    let expected: BTreeMap<String, String> =
        per_council(totals).into_iter().map(|(council, (_, pence))| (council, decimal(pence))).collect();
    assert_eq!(expected.len(), 3, "Manchester, Salford and Trafford: {expected:?}");
    assert_eq!(got, expected);
}

#[test]
fn issue_9_real_spend_by_council_and_month_equals_the_published_files_to_the_penny() {
    let Some((totals, rows)) = real(
        "issue_9_real_spend_by_council_and_month_equals_the_published_files_to_the_penny",
        "spend by council, month",
    ) else {
        return;
    };
    let got: BTreeMap<(String, String), String> =
        rows.into_iter().map(|r| ((r[0].clone(), r[1].clone()), r[2].clone())).collect();
    let expected: BTreeMap<(String, String), String> =
        totals.iter().map(|(key, (_, pence))| (key.clone(), decimal(*pence))).collect();
    // Twelve months a council: April to March of each council's published year.
    assert_eq!(expected.len(), 36, "{:?}", expected.keys());
    assert_eq!(got, expected);
}

#[test]
fn issue_9_real_transactions_by_council_equal_the_published_row_counts() {
    let Some((totals, rows)) =
        real("issue_9_real_transactions_by_council_equal_the_published_row_counts", "transactions by council")
    else {
        return;
    };
    let got: BTreeMap<String, u64> = rows.into_iter().map(|r| (r[0].clone(), r[1].parse().unwrap())).collect();
    let expected: BTreeMap<String, u64> =
        per_council(totals).into_iter().map(|(council, (count, _))| (council, count)).collect();
    assert_eq!(got, expected);
    // And both equal the row counts printed in the data's README.
    let readme: BTreeMap<String, u64> = [("Manchester", 39_291), ("Salford", 22_918), ("Trafford", 210_068 + 8_134)]
        .map(|(c, n)| (c.to_string(), n))
        .into();
    assert_eq!(got, readme);
}
