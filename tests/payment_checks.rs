//! Issue 12: the payment checks `possible duplicate payments` and `unusual payments`, on
//! hand-made spend files ingested through the binary. Every expected row below is worked out
//! by hand from the files, in the comments beside them.

use std::path::{Path, PathBuf};

use crate::support::{csv_rows, run_ok, spendql, stderr};

/// Spend lines: transaction number, date, supplier, amount.
type Line = (&'static str, &'static str, &'static str, &'static str);

/// Trafford's file. The cases, by supplier:
/// - Acme: £1,000.00 on 1 and 15 April (14 days apart: a pair, the window is inclusive);
///   £500.00 on 1 and 16 June (15 days: no pair); two credits of -£1,000.00 on 2 and 3
///   April with different numbers (credits are not payments: no pair); £1,000.01 on 3
///   April (a different amount).
/// - Beta: £750.00 twice under transaction 5 (one invoice split: no pair between them), and
///   £750.00 as transaction 6 seven and nine days later, which pairs with both.
/// - Gamma: £300.00 twice under transaction 7, a day apart: a split, so not listed.
/// - Delta: £200.00 with no transaction number and four days later as 8 (a missing number
///   cannot rule out a duplicate: a pair); £99.00 twice on 1 September, both without a number.
/// - Epsilon: £50.00 on 1, 13 and 25 October: 12 days between neighbours, 24 between the
///   ends, so one group chained through the middle payment.
/// - Redacted: £400.00 twice on one day: a withheld name is no supplier, not listed.
const TRAFFORD: &[Line] = &[
    ("T1", "2024-04-01", "Acme Ltd", "1000.00"),
    ("T2", "2024-04-15", "Acme Ltd", "1000.00"),
    ("T3", "2024-06-01", "Acme Ltd", "500.00"),
    ("T4", "2024-06-16", "Acme Ltd", "500.00"),
    ("T9", "2024-04-02", "Acme Ltd", "-1000.00"),
    ("T10", "2024-04-03", "Acme Ltd", "-1000.00"),
    ("T12", "2024-04-03", "Acme Ltd", "1000.01"),
    ("T5", "2024-05-01", "Beta Services", "750.00"),
    ("T5", "2024-05-03", "Beta Services", "750.00"),
    ("T6", "2024-05-10", "Beta Services", "750.00"),
    ("T7", "2024-07-01", "Gamma Care", "300.00"),
    ("T7", "2024-07-02", "Gamma Care", "300.00"),
    ("", "2024-08-01", "Delta Supplies", "200.00"),
    ("T8", "2024-08-05", "Delta Supplies", "200.00"),
    ("", "2024-09-01", "Delta Supplies", "99.00"),
    ("", "2024-09-01", "Delta Supplies", "99.00"),
    ("T20", "2024-10-01", "Epsilon Ltd", "50.00"),
    ("T21", "2024-10-13", "Epsilon Ltd", "50.00"),
    ("T22", "2024-10-25", "Epsilon Ltd", "50.00"),
    ("T30", "2024-11-01", "Redacted", "400.00"),
    ("T31", "2024-11-01", "Redacted", "400.00"),
];

/// Salford paid Acme £1,000.00 four days after Trafford did: another council's payment is
/// no duplicate of Trafford's, and alone in Salford it pairs with nothing.
const SALFORD: &[Line] = &[("S11", "2024-04-05", "Acme Ltd", "1000.00")];

fn write_lines(path: &Path, lines: &[Line]) {
    let mut writer = csv::Writer::from_path(path).expect("spend file");
    writer.write_record(["Transaction Number", "Payment Date", "Supplier Name", "Amount"]).expect("header");
    for (id, date, supplier, amount) in lines {
        writer.write_record([*id, *date, *supplier, *amount]).expect("row");
    }
    writer.flush().expect("flush");
}

/// A dataset of `councils`' files, each ingested through the binary.
fn dataset(dir: &Path, councils: &[(&str, &[Line])]) -> PathBuf {
    let data = dir.join("data");
    for (council, lines) in councils {
        let file = dir.join(format!("{}.csv", council.to_lowercase()));
        write_lines(&file, lines);
        run_ok(&data, &["ingest", "--council", council, file.to_str().expect("UTF-8 path")]);
    }
    data
}

fn query(data: &Path, text: &str) -> Vec<Vec<String>> {
    csv_rows(&run_ok(data, &["query", "--format", "csv", text]))
}

/// Group, date, transaction id, supplier, amount (the columns a reviewer checks), and the
/// source row, which is the file line: line 2 is the first payment.
fn brief(rows: &[Vec<String>]) -> Vec<String> {
    rows[1..].iter().map(|r| format!("{} {} {} {} {} {}", r[0], r[2], r[3], r[4], r[5], r[7])).collect()
}

#[test]
fn issue_12_possible_duplicate_payments_lists_every_payment_in_numbered_groups() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dataset(dir.path(), &[("Trafford", TRAFFORD), ("Salford", SALFORD)]);
    let rows = query(&data, "possible duplicate payments");
    assert_eq!(
        rows[0],
        ["group", "council", "date", "transaction id", "supplier", "amount", "source file", "source row"]
    );
    assert!(rows[1..].iter().all(|r| r[1] == "Trafford"), "Salford's one Acme payment pairs with nothing");
    // Groups by amount, largest first: Acme £1,000 (lines 2, 3), Beta £750 (lines 9-11),
    // Delta £200 (14, 15), Delta £99 (16, 17), Epsilon £50 (18-20). In a group, by date; a
    // missing number first among equal dates.
    assert_eq!(
        brief(&rows),
        [
            "1 2024-04-01 T1 Acme Ltd 1000.00 2",
            "1 2024-04-15 T2 Acme Ltd 1000.00 3",
            "2 2024-05-01 T5 Beta Services 750.00 9",
            "2 2024-05-03 T5 Beta Services 750.00 10",
            "2 2024-05-10 T6 Beta Services 750.00 11",
            "3 2024-08-01  Delta Supplies 200.00 14",
            "3 2024-08-05 T8 Delta Supplies 200.00 15",
            "4 2024-09-01  Delta Supplies 99.00 16",
            "4 2024-09-01  Delta Supplies 99.00 17",
            "5 2024-10-01 T20 Epsilon Ltd 50.00 18",
            "5 2024-10-13 T21 Epsilon Ltd 50.00 19",
            "5 2024-10-25 T22 Epsilon Ltd 50.00 20",
        ]
    );
}

#[test]
fn issue_12_duplicate_payments_take_where_and_limit_groups() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dataset(dir.path(), &[("Trafford", TRAFFORD), ("Salford", SALFORD)]);
    // `limit 2` keeps two whole groups, not two rows.
    let rows = query(&data, "possible duplicate payments limit 2");
    assert_eq!(rows[1..].iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["1", "1", "2", "2", "2"]);
    // `where` restricts the payments compared: from 3 May, Beta's first split line is out,
    // but its second still pairs with transaction 6; Acme's April pair is gone, and the
    // groups are numbered again from 1.
    let rows = query(&data, "possible duplicate payments where date >= 2024-05-02 and supplier ~ \"beta\"");
    assert_eq!(brief(&rows), ["1 2024-05-03 T5 Beta Services 750.00 10", "1 2024-05-10 T6 Beta Services 750.00 11"]);
    // One council's alone: Salford has no duplicates.
    let rows = query(&data, "possible duplicate payments where council = \"Salford\"");
    assert_eq!(rows.len(), 1, "header only: {rows:?}");
    // A `by` is refused with a hint, since the report lists payments.
    let out = spendql()
        .arg("--dataset")
        .arg(&data)
        .args(["query", "possible duplicate payments by council"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("lists payments and takes no `by`"), "{}", stderr(&out));
}

/// Payments to suppliers with a usual size. Zeta: £100.00 six times and £1,500.00 (seven
/// payments; the median, the fourth of seven in order, is £100.00, and £1,500 is 15 times
/// it). Eta: £100.00 five times and £1,000.00 (six payments; the median is the mean of the
/// third and fourth, £100.00; £1,000 is exactly 10 times, not more: not listed). Theta:
/// £100.00 four times, £5,000.00 and a credit of -£100.00: five payments over £0, fewer than
/// six, so its median is not trusted and nothing is listed (counting the credit would make six
/// and list £5,000). Payments are a month apart so none is a possible duplicate.
fn usual_sizes() -> Vec<Line> {
    let months = ["01", "02", "03", "04", "05", "06", "07"];
    let date = |i: usize| -> &'static str { Box::leak(format!("2023-{}-10", months[i]).into_boxed_str()) };
    let id = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let mut lines = Vec::new();
    for i in 0..6 {
        lines.push((id(format!("Z{i}")), date(i), "Zeta Ltd", "100.00"));
    }
    lines.push(("Z6", date(6), "Zeta Ltd", "1500.00"));
    for i in 0..5 {
        lines.push((id(format!("E{i}")), date(i), "Eta Ltd", "100.00"));
    }
    lines.push(("E5", date(5), "Eta Ltd", "1000.00"));
    for i in 0..4 {
        lines.push((id(format!("H{i}")), date(i), "Theta Ltd", "100.00"));
    }
    lines.push(("H4", date(4), "Theta Ltd", "5000.00"));
    lines.push(("H5", date(5), "Theta Ltd", "-100.00"));
    lines
}

#[test]
fn issue_12_unusual_payments_are_more_than_ten_times_the_suppliers_median() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lines = usual_sizes();
    let data = dataset(dir.path(), &[("Trafford", &lines)]);
    let rows = query(&data, "unusual payments");
    assert_eq!(
        rows[0],
        [
            "council",
            "date",
            "transaction id",
            "supplier",
            "amount",
            "source file",
            "source row",
            "supplier median",
            "times median",
            "supplier payments"
        ]
    );
    let got: Vec<String> = rows[1..]
        .iter()
        .map(|r| format!("{} {} {} {} {} {}", r[2], r[3], r[4], r[7], r[8].parse::<f64>().unwrap(), r[9]))
        .collect();
    assert_eq!(got, ["Z6 Zeta Ltd 1500.00 100.00 15 7"]);
    // `where` narrows the base as well: without July, Zeta has six £100 payments and
    // nothing unusual.
    let rows = query(&data, "unusual payments where date < 2023-07-01");
    assert_eq!(rows.len(), 1, "{rows:?}");
    // None of these payments is a possible duplicate (a month apart).
    assert_eq!(query(&data, "possible duplicate payments").len(), 1);
}

#[test]
fn issue_12_new_suppliers_are_first_paid_by_the_council_among_the_rows_selected() {
    // Trafford paid Acme in March and April, and Beta for the first time on 20 April (£100.00)
    // and again on 25 April (a credit of -£25.00). Salford paid Acme for the first time on 2
    // April: new to Salford, though Trafford paid it before.
    let trafford: &[Line] = &[
        ("A1", "2024-03-10", "Acme Ltd", "500.00"),
        ("A2", "2024-04-05", "Acme Ltd", "700.00"),
        ("B1", "2024-04-20", "Beta Services", "100.00"),
        ("B2", "2024-04-25", "Beta Services", "-25.00"),
    ];
    let salford: &[Line] = &[("S1", "2024-04-02", "Acme Ltd", "60.00")];
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dataset(dir.path(), &[("Trafford", trafford), ("Salford", salford)]);
    let rows = query(&data, "new suppliers where date in 2024-04");
    assert_eq!(rows[0], ["council", "supplier", "first payment", "payments", "spend"]);
    // The largest spend first: Beta £75.00 (100.00 - 25.00) in Trafford, then Acme £60.00 in
    // Salford; Trafford's Acme was first paid in March.
    assert_eq!(
        rows[1..],
        [
            ["Trafford", "Beta Services", "2024-04-20", "2", "75.00"],
            ["Salford", "Acme Ltd", "2024-04-02", "1", "60.00"]
        ]
    );
    // In March, everything paid is new: the data starts there.
    let rows = query(&data, "new suppliers where date in 2024-03");
    assert_eq!(rows[1..], [["Trafford", "Acme Ltd", "2024-03-10", "1", "500.00"]]);
}
