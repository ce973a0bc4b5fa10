//! Issue 5: on/off-contract spend on real data. Salford's FY2021/22 payments are linked to
//! Salford's own published register by `spendql ingest`; these tests check the stored link
//! against the rule written as an independent SQL query over the same tables (no code of the
//! linking pass is involved), in both directions.

use std::collections::BTreeMap;

use crate::support::{csv_rows, real_dataset, run_ok};

/// Payments the rule says are on-contract: named supplier, same council, same supplier key
/// (Salford publishes no company numbers on spend), and a payment date within the
/// contract's start and expiry (or end, when no expiry is given), both ends included.
const RULE: &str = "SELECT s.source_file, s.source_row, count(*) AS covering \
    FROM spend s JOIN contracts c \
      ON c.council = s.council AND c.supplier_key = s.supplier_key \
     AND s.payment_date >= c.start_date AND s.payment_date <= coalesce(c.expiry_date, c.end_date) \
    WHERE s.council = 'Salford' AND NOT s.redacted \
    GROUP BY s.source_file, s.source_row";

fn keyed(text: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut rows = csv_rows(text);
    assert!(!rows.is_empty(), "no header");
    rows.remove(0);
    rows.into_iter().map(|r| ((r[0].clone(), r[1].clone()), r[2..].to_vec())).collect()
}

#[test]
fn issue_5_salford_links_exactly_the_payments_the_rule_covers() {
    let Some(dataset) = real_dataset("issue_5_salford_links_exactly_the_payments_the_rule_covers") else { return };
    let by_rule = keyed(&run_ok(dataset, &["sql", "--format", "csv", RULE]));
    let linked = keyed(&run_ok(
        dataset,
        &[
            "sql",
            "--format",
            "csv",
            "SELECT source_file, source_row, contract_id FROM spend \
             WHERE council = 'Salford' AND contract_id IS NOT NULL",
        ],
    ));
    assert!(by_rule.len() > 100, "the register should cover a good number of payments, got {}", by_rule.len());
    let missing: Vec<_> = by_rule.keys().filter(|k| !linked.contains_key(*k)).take(5).collect();
    let extra: Vec<_> = linked.keys().filter(|k| !by_rule.contains_key(*k)).take(5).collect();
    assert!(missing.is_empty(), "covered by the rule but not linked: {missing:?}");
    assert!(extra.is_empty(), "linked but not covered by the rule: {extra:?}");
}

#[test]
fn issue_5_every_salford_link_names_a_contract_that_covers_the_payment() {
    let Some(dataset) = real_dataset("issue_5_every_salford_link_names_a_contract_that_covers_the_payment") else {
        return;
    };
    // For each linked payment, does the contract it names (by contract_id) satisfy the rule?
    let check = "SELECT s.source_file, s.source_row, \
          max(CASE WHEN c.supplier_key = s.supplier_key AND s.payment_date >= c.start_date \
                    AND s.payment_date <= coalesce(c.expiry_date, c.end_date) THEN 1 ELSE 0 END) AS ok \
        FROM spend s LEFT JOIN contracts c \
          ON c.council = s.council \
         AND c.contract_id = s.contract_id \
        WHERE s.council = 'Salford' AND s.contract_id IS NOT NULL \
        GROUP BY s.source_file, s.source_row";
    let rows = keyed(&run_ok(dataset, &["sql", "--format", "csv", check]));
    assert!(!rows.is_empty());
    let bad: Vec<_> = rows.iter().filter(|(_, v)| v[0] != "1").take(5).collect();
    assert!(bad.is_empty(), "links naming a contract that does not cover the payment: {bad:?}");
}

#[test]
fn issue_5_salford_fy2021_22_on_plus_off_plus_redacted_is_all_spend() {
    let Some(dataset) = real_dataset("issue_5_salford_fy2021_22_on_plus_off_plus_redacted_is_all_spend") else {
        return;
    };
    let dsl = csv_rows(&run_ok(
        dataset,
        &[
            "query",
            "--format",
            "csv",
            "spend, spend on-contract, spend off-contract by council where council = \"Salford\" and fy = FY2021/22",
        ],
    ));
    let sql = csv_rows(&run_ok(
        dataset,
        &[
            "sql",
            "--format",
            "csv",
            "SELECT sum(amount), sum(amount) FILTER (WHERE redacted) FROM spend \
             WHERE council = 'Salford' AND payment_date >= DATE '2021-04-01' AND payment_date < DATE '2022-04-01'",
        ],
    ));
    let pence = |s: &str| -> i128 {
        let (w, f) = s.split_once('.').unwrap_or((s, "0"));
        let sign = if w.starts_with('-') { -1 } else { 1 };
        w.parse::<i128>().unwrap() * 100 + sign * format!("{f:0<2}").parse::<i128>().unwrap()
    };
    let (total, on, off) = (pence(&dsl[1][1]), pence(&dsl[1][2]), pence(&dsl[1][3]));
    let (all, redacted) = (pence(&sql[1][0]), pence(if sql[1][1].is_empty() { "0" } else { &sql[1][1] }));
    assert_eq!(total, all);
    assert!(on > 0 && off > 0, "both sides should be non-empty: on {on}, off {off}");
    assert_eq!(on + off + redacted, all, "on {on} + off {off} + redacted {redacted} != spend {all}");
}

#[test]
fn issue_5_the_manifest_records_what_the_link_covers() {
    let Some(dataset) = real_dataset("issue_5_the_manifest_records_what_the_link_covers") else { return };
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dataset.join("current/manifest.json")).unwrap()).unwrap();
    let link = &manifest["link"];
    let sql = csv_rows(&run_ok(
        dataset,
        &[
            "sql",
            "--format",
            "csv",
            "SELECT count(*), count(contract_id), sum(amount) FILTER (WHERE contract_id IS NOT NULL) FROM spend",
        ],
    ));
    assert_eq!(link["spend_rows"].to_string(), sql[1][0]);
    assert_eq!(link["rows_linked"].to_string(), sql[1][1]);
    assert_eq!(link["amount_linked"].as_str().unwrap(), sql[1][2]);
}
