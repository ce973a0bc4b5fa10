//! Issue 10: identifiers link supplier names before the names do, placeholders never, and
//! the `suppliers` table holds one row per key. Expectations are worked out by hand from the
//! small file below, and for the real file from this test's own reading of the edited copy.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use crate::support::{real_data, run_ok};

/// One council's payments: who is the same supplier is written beside each group.
const TESTSHIRE: &str = "\
Date,Supplier Name,Supplier ID,Company Number,VAT Number,Amount
2024-04-01,Acme Widgets Ltd,S1,01234567,,100.00
2024-04-02,Acme Widgets Ltd,S1,01234567,,200.00
2024-04-03,Acme Widgets Ltd,S1,,,50.00
2024-05-01,ACME WIDGET SUPPLIES,S9,1234567,,25.00
2024-04-04,Bolt Fixings Ltd,S2,N/A,,10.00
2024-04-05,Crane Hire Ltd,S3,N/A,,20.00
2024-04-06,Delta Cleaning,S4,0,,30.00
2024-04-07,Echo Catering,S6,0,,40.00
2024-04-08,Foxtrot Travel Ltd,S10,99999999,,1.00
2024-04-09,Golf Supplies Ltd,S11,99999999,,2.00
2024-04-10,Hotel Linen Ltd,S12,99999999,,3.00
2024-04-11,Kilo Paper Ltd,S7,05555555,,4.00
2024-04-12,Lima Paper Ltd,S7,06666666,,6.00
2024-04-13,November Care Home,S5,,,60.00
2024-04-14,November Care Home,S5,,,70.00
2024-06-30,NOVEMBER RESIDENTIAL HOME,S5,,,5.00
2024-04-15,Oscar Foods Ltd,S13,,GB 123 4567 89,8.00
2024-04-16,Papa Kitchens Ltd,S14,,GB123456789,9.00
";

/// Another council, whose supplier id `S1` is its own, not Testshire's.
const OTHERSHIRE: &str = "\
Date,Supplier Name,Supplier ID,Amount
2024-07-01,Mike Builders,S1,5.00
";

fn ingest(dataset: &Path, council: &str, file: &Path) {
    run_ok(dataset, &["ingest", "--council", council, file.to_str().unwrap()]);
}

/// How many distinct supplier keys the named suppliers' payments carry.
fn keys_of(dataset: &Path, names: &[&str]) -> String {
    let list = names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT count(DISTINCT supplier_key) AS k FROM spend WHERE supplier_name IN ({list})");
    run_ok(dataset, &["sql", "--format", "csv", &sql]).trim().lines().last().unwrap().to_string()
}

fn small_dataset(dir: &Path) -> std::path::PathBuf {
    let (a, b) = (dir.join("testshire.csv"), dir.join("othershire.csv"));
    std::fs::write(&a, TESTSHIRE).unwrap();
    std::fs::write(&b, OTHERSHIRE).unwrap();
    let dataset = dir.join("data");
    ingest(&dataset, "Testshire", &a);
    ingest(&dataset, "Othershire", &b);
    dataset
}

#[test]
fn issue_10_a_shared_company_number_makes_two_spellings_one_supplier_and_placeholders_never() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = small_dataset(dir.path());
    // `01234567` and `1234567` are one company number.
    assert_eq!(keys_of(&dataset, &["Acme Widgets Ltd", "ACME WIDGET SUPPLIES"]), "1");
    // `N/A` and `0` are placeholders, not a company every such supplier shares.
    assert_eq!(keys_of(&dataset, &["Bolt Fixings Ltd", "Crane Hire Ltd"]), "2");
    assert_eq!(keys_of(&dataset, &["Delta Cleaning", "Echo Catering"]), "2");
    // One number on three unrelated names is a default value, not one company.
    assert_eq!(keys_of(&dataset, &["Foxtrot Travel Ltd", "Golf Supplies Ltd", "Hotel Linen Ltd"]), "3");
    // One supplier id on two companies with different company numbers: the numbers win.
    assert_eq!(keys_of(&dataset, &["Kilo Paper Ltd", "Lima Paper Ltd"]), "2");
    // A council's supplier id links its own names, not another council's.
    assert_eq!(keys_of(&dataset, &["November Care Home", "NOVEMBER RESIDENTIAL HOME"]), "1");
    assert_eq!(keys_of(&dataset, &["Acme Widgets Ltd", "Mike Builders"]), "2");
    // A VAT number on two unrelated names may be a VAT group: not followed.
    assert_eq!(keys_of(&dataset, &["Oscar Foods Ltd", "Papa Kitchens Ltd"]), "2");

    // Supplier queries label the merged supplier with its commonest name, spend summed.
    let top = run_ok(&dataset, &["query", "--format", "csv", "top 2 suppliers by spend where council = \"Testshire\""]);
    assert_eq!(top.trim(), "supplier,spend\nAcme Widgets Ltd,375.00\nNovember Care Home,135.00", "{top}");
}

#[test]
fn issue_10_the_suppliers_table_has_one_row_per_key_with_label_identifiers_and_payments() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = small_dataset(dir.path());
    let sql = "SELECT name, names, company_number, vat_number, councils, first_payment, last_payment, payments, \
               spend, contracts, redacted FROM suppliers \
               WHERE name IN ('Acme Widgets Ltd', 'November Care Home', 'Mike Builders', 'Oscar Foods Ltd') \
               ORDER BY name";
    let rows = run_ok(&dataset, &["sql", "--format", "csv", sql]);
    assert_eq!(
        rows.trim(),
        "name,names,company_number,vat_number,councils,first_payment,last_payment,payments,spend,contracts,redacted\n\
         Acme Widgets Ltd,2,01234567,,Testshire,2024-04-01,2024-05-01,4,375.00,0,false\n\
         Mike Builders,1,,,Othershire,2024-07-01,2024-07-01,1,5.00,0,false\n\
         November Care Home,2,,,Testshire,2024-04-13,2024-06-30,3,135.00,0,false\n\
         Oscar Foods Ltd,1,,123456789,Testshire,2024-04-15,2024-04-15,1,8.00,0,false",
        "{rows}"
    );
    // Hand count of keys: 15 Testshire names less the two merged away, plus Mike Builders.
    let count = run_ok(&dataset, &["sql", "--format", "csv", "SELECT count(*) AS n FROM suppliers"]);
    assert_eq!(count.trim(), "n\n14");
    // Every spend row finds exactly one suppliers row.
    let joined = run_ok(
        &dataset,
        &[
            "sql",
            "--format",
            "csv",
            "SELECT count(*) AS n, sum(s.amount) AS total FROM spend s JOIN suppliers USING (supplier_key)",
        ],
    );
    assert_eq!(joined.trim(), "n,total\n19,648.00");
    let everything = run_ok(&dataset, &["sql", "--format", "csv", "select * from suppliers"]);
    assert_eq!(everything.trim().lines().count(), 15, "a header and 14 rows: {everything}");
}

/// Trafford's first `rows` payments, with `edit` applied to each data row by its index.
fn trafford_excerpt(real: &Path, dir: &Path, rows: usize, edit: impl Fn(usize, &mut Vec<String>)) -> Vec<Vec<String>> {
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(real.join("trafford/trafford-supplier-spend-2024-25.zip")).unwrap())
            .unwrap();
    let mut text = String::new();
    archive.by_index(0).unwrap().read_to_string(&mut text).unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut writer = csv::Writer::from_path(dir.join("trafford-excerpt.csv")).unwrap();
    for (i, record) in reader.records().take(rows + 1).enumerate() {
        let mut fields: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        if i > 0 {
            edit(i - 1, &mut fields);
        }
        writer.write_record(&fields).unwrap();
        out.push(fields);
    }
    writer.flush().unwrap();
    out
}

#[test]
fn issue_10_a_supplier_id_given_to_a_second_name_in_a_real_file_joins_the_two() {
    let Some(real) = real_data("issue_10_a_supplier_id_given_to_a_second_name_in_a_real_file_joins_the_two") else {
        return;
    };
    const NAME: usize = 4; // BeneficiaryName
    const ID: usize = 5; // BeneficiaryOtherID
    const VAT: usize = 15; // VATRegistrationNumber
    let dir = tempfile::tempdir().unwrap();
    let rows = trafford_excerpt(&real, dir.path(), 3000, |_, _| {});
    assert_eq!((rows[0][NAME].as_str(), rows[0][ID].as_str()), ("BeneficiaryName", "BeneficiaryOtherID"));
    // Names whose id and VAT number no other name in the excerpt carries, so the edit below
    // is the only identifier between the two chosen.
    let names_by = |column: usize| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in &rows[1..] {
            m.entry(r[column].clone()).or_default().insert(r[NAME].clone());
        }
        m
    };
    let (by_id, by_vat) = (names_by(ID), names_by(VAT));
    let alone = |r: &Vec<String>| {
        by_id[&r[ID]].len() == 1
            && (r[VAT] == "NA" || by_vat[&r[VAT]].len() == 1)
            && !r[NAME].to_lowercase().contains("redacted")
            && rows[1..].iter().filter(|o| o[NAME] == r[NAME]).all(|o| o[ID] == r[ID] && o[VAT] == r[VAT])
    };
    let candidates: Vec<&Vec<String>> = rows[1..].iter().filter(|r| alone(r)).collect();
    let a = candidates[0].clone();
    let b = (*candidates.iter().find(|r| r[NAME] != a[NAME] && r[ID] != a[ID]).unwrap()).clone();
    let dataset = dir.path().join("data");
    let before = dir.path().join("before.csv");
    std::fs::rename(dir.path().join("trafford-excerpt.csv"), &before).unwrap();
    ingest(&dataset, "Trafford", &before);
    assert_eq!(keys_of(&dataset, &[&a[NAME], &b[NAME]]), "2", "{} and {} start apart", a[NAME], b[NAME]);

    // The edit: one of B's payments carries A's supplier id.
    let first_b = rows[1..].iter().position(|r| r[NAME] == b[NAME]).unwrap();
    trafford_excerpt(&real, dir.path(), 3000, |i, f| {
        if i == first_b {
            f[ID] = a[ID].clone();
        }
    });
    let fresh = dir.path().join("fresh");
    ingest(&fresh, "Trafford", &dir.path().join("trafford-excerpt.csv"));
    assert_eq!(keys_of(&fresh, &[&a[NAME], &b[NAME]]), "1", "{} and {} share id {}", a[NAME], b[NAME], a[ID]);

    // Trafford's `NA` VAT cells are shared by hundreds of names and join none of them.
    let na_names: BTreeSet<&str> = rows[1..].iter().filter(|r| r[VAT] == "NA").map(|r| r[NAME].as_str()).collect();
    let na_keys = run_ok(
        &fresh,
        &["sql", "--format", "csv", "SELECT count(DISTINCT supplier_key) AS k FROM spend WHERE vat_number IS NULL"],
    );
    let na_keys: usize = na_keys.trim().lines().last().unwrap().parse().unwrap();
    assert!(na_names.len() > 50 && na_keys > na_names.len() / 2, "{na_keys} keys for {} names", na_names.len());
}

#[test]
fn issue_10_a_name_joined_by_a_later_file_is_relinked_to_its_contract_in_earlier_files() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("data");
    let register = dir.path().join("register.csv");
    std::fs::write(
        &register,
        "Contract Reference,Contract Title,Supplier Company Name,Company Number,Start Date,End Date,\
         Total Contract Value (including extensions)\n\
         C1,Widgets,Acme Widgets Ltd,01234567,2024-01-01,2024-12-31,1000.00\n",
    )
    .unwrap();
    run_ok(&dataset, &["ingest", "--council", "Testshire", "--kind", "contracts", register.to_str().unwrap()]);
    let linked = |dataset: &Path| {
        let sql = "SELECT count(*) AS n FROM spend WHERE contract_id IS NOT NULL";
        run_ok(dataset, &["sql", "--format", "csv", sql]).trim().lines().last().unwrap().to_string()
    };
    // May: a spelling the register does not use, and no company number: off-contract.
    let may = dir.path().join("2024-05.csv");
    std::fs::write(&may, "Date,Supplier Name,Amount\n2024-05-01,ACME WIDGET SUPPLIES,25.00\n").unwrap();
    ingest(&dataset, "Testshire", &may);
    assert_eq!(linked(&dataset), "0");
    // June publishes that spelling's company number: the register's supplier, so May's payment
    // is on-contract too, although May's file was not ingested again.
    let june = dir.path().join("2024-06.csv");
    std::fs::write(&june, "Date,Supplier Name,Company Number,Amount\n2024-06-01,ACME WIDGET SUPPLIES,1234567,10.00\n")
        .unwrap();
    ingest(&dataset, "Testshire", &june);
    assert_eq!(linked(&dataset), "2");
}
