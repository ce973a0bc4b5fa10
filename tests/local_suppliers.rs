//! Issue 12: `supplier postcode area`, the letters a contract supplier's postcode starts
//! with, so a scorecard can measure contract value with local suppliers. A register written
//! here by hand, ingested through the binary.

use crate::support::{csv_rows, run_ok};

#[test]
fn issue_12_the_postcode_area_is_the_letters_before_the_first_digit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let register = dir.path().join("register.csv");
    // M33 (Sale), sk4 (Stockport, lower case and a leading space), OL16 (Rochdale), LS1
    // (Leeds) and EC1A (London), and one with no postcode.
    std::fs::write(
        &register,
        "Contract Reference,Contract Title,Supplier Name,Supplier Postcode,Total Contract Value,Start Date,End Date\n\
         C1,Roofing,Alpha Ltd,M33 2AU,1000.00,2024-01-01,2025-01-01\n\
         C2,Catering,Beta Ltd, sk4 1aa,2000.00,2024-01-01,2025-01-01\n\
         C3,Cleaning,Gamma Ltd,OL16 1AB,4000.00,2024-01-01,2025-01-01\n\
         C4,Printing,Delta Ltd,LS1 4DY,8000.00,2024-01-01,2025-01-01\n\
         C5,Legal,Epsilon LLP,EC1A 1BB,16000.00,2024-01-01,2025-01-01\n\
         C6,Training,Zeta Ltd,,32000.00,2024-01-01,2025-01-01\n",
    )
    .expect("register");
    // The engine dates a dataset by its payments: one is enough.
    let spend = dir.path().join("spend.csv");
    std::fs::write(&spend, "Supplier Name,Payment Date,Amount\nAlpha Ltd,2024-02-01,10.00\n").expect("spend");
    let data = dir.path().join("data");
    run_ok(&data, &["ingest", "--council", "Trafford", spend.to_str().expect("UTF-8")]);
    run_ok(&data, &["ingest", "--council", "Trafford", "--kind", "contracts", register.to_str().expect("UTF-8")]);
    let value = |condition: &str| {
        let rows =
            csv_rows(&run_ok(&data, &["query", "--format", "csv", &format!("contract value where {condition}")]));
        rows[1][0].clone()
    };
    // Greater Manchester's areas: C1 + C2 + C3 = £7,000.00; M alone is C1 (not EC1A's E-C).
    assert_eq!(value(r#"supplier postcode area in ("M", "SK", "OL", "BL", "WN", "WA")"#), "7000.00");
    assert_eq!(value(r#"supplier postcode area = "M""#), "1000.00");
    assert_eq!(value(r#"supplier postcode area = "EC""#), "16000.00");
    assert_eq!(value("supplier postcode is missing"), "32000.00");
}
