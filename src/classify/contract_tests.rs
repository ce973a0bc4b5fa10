//! The contract tiers ([`super::classify_contracts`]) on hand-built registers and payments.

use std::path::Path;

use super::*;
use crate::taxonomy::{Category, ProclassCode};

fn code(text: &str) -> Option<Category> {
    Some(Category::Code(ProclassCode::parse(text).unwrap()))
}

fn contract<'a>(id: &'a str, supplier: &'a str) -> ContractEvidence<'a> {
    ContractEvidence { council: "Salford", contract_id: Some(id), supplier_key: supplier, ..Default::default() }
}

fn paid<'a>(id: Option<&'a str>, supplier: &'a str, pence: i128, category: Option<Category>) -> ClassifiedPayment<'a> {
    ClassifiedPayment { contract_id: id, supplier_key: supplier, pence, category }
}

fn run(
    contracts: &[ContractEvidence<'_>],
    payments: &[ClassifiedPayment<'_>],
) -> Vec<(Option<Category>, &'static str)> {
    classify_contracts(contracts, payments, &CategoryMap::default())
        .iter()
        .map(|c| (c.category, c.source.as_str()))
        .collect()
}

#[test]
fn a_registers_own_code_decides_and_its_drifting_label_is_read_through_the_code() {
    let contracts = [
        ContractEvidence { published_code: Some("231810"), published_category: Some("Surveys"), ..contract("S1", "") },
        // The label alone, in a spelling of its own.
        ContractEvidence { published_category: Some("SOCIAL CARE : Domiciliary Care"), ..contract("S2", "") },
        // The code wins over payments that say otherwise.
        ContractEvidence { published_code: Some("391400"), ..contract("S3", "AMEY") },
    ];
    let payments = [paid(Some("S3"), "AMEY", 100_000, code("150000"))];
    assert_eq!(
        run(&contracts, &payments),
        [(code("231810"), "published"), (code("321014"), "published"), (code("391400"), "published")]
    );
}

#[test]
fn an_uncoded_contract_takes_what_its_payments_buy_then_what_its_supplier_sells() {
    // C1's own payments: £900 roads, £100 consultancy (90%), though its supplier's
    // payments overall are 85% consultancy, which C2 (no payments of its own) takes.
    // C3's supplier is split between two construction codes (78% in one): the group.
    let contracts = [contract("C1", "MIXED"), contract("C2", "MIXED"), contract("C3", "ROADS LTD")];
    let payments = [
        paid(Some("C1"), "MIXED", 90_000, code("391400")),
        paid(Some("C1"), "MIXED", -10_000, code("150000")),
        paid(None, "MIXED", 500_000, code("150000")),
        paid(None, "ROADS LTD", 70_000, code("391400")),
        paid(None, "ROADS LTD", 20_000, code("391100")),
        // Unclassified payments are no evidence either way.
        paid(None, "ROADS LTD", 9_000_000, None),
    ];
    assert_eq!(
        run(&contracts, &payments),
        [(code("391400"), "supplier"), (code("150000"), "supplier"), (code("390000"), "supplier")],
    );
}

#[test]
fn out_of_scope_payments_lend_nothing_and_only_a_mapping_or_the_registers_words_put_a_contract_out_of_scope() {
    // A charity's grants are out of scope; its one classified payment is care, so the
    // contract is care, not out of scope.
    let contracts = [
        contract("G1", "CHARITY"),
        ContractEvidence { published_category: Some("Schedule B"), ..contract("G2", "") },
        // Salford's register line for a development agreement, paid to the charity too.
        ContractEvidence {
            published_code: Some("999999"),
            published_category: Some("Non-procurement"),
            ..contract("N1", "CHARITY")
        },
    ];
    let payments =
        [paid(None, "CHARITY", 1_000_000, Some(Category::OutOfScope)), paid(None, "CHARITY", 5_000, code("320000"))];
    assert_eq!(
        run(&contracts, &payments),
        [(code("320000"), "supplier"), (None, "none"), (Some(Category::OutOfScope), "text")]
    );

    let map = CategoryMap::parse(
        "[council.\"Salford\".published_category]\n\"Schedule B\" = \"out of scope\"\n",
        Path::new("categories.toml"),
    )
    .unwrap();
    let got = classify_contracts(&contracts, &payments, &map);
    assert_eq!((got[1].category, got[1].source), (Some(Category::OutOfScope), Source::Mapped));
    assert_eq!((got[0].category, got[0].source), (code("320000"), Source::Supplier), "the mapping names G2 only");
}

#[test]
fn a_mapping_of_the_published_category_wins_over_its_code() {
    let contracts = [ContractEvidence {
        published_code: Some("231810"),
        published_category: Some("Surveys"),
        ..contract("S1", "")
    }];
    let map = CategoryMap::parse("[all.published_category]\n\"surveys\" = \"391400\"\n", Path::new("categories.toml"))
        .unwrap();
    let got = classify_contracts(&contracts, &[], &map);
    assert_eq!((got[0].category, got[0].source), (code("391400"), Source::Mapped));
}

#[test]
fn a_title_that_names_a_proclass_label_is_read_last() {
    let contracts = [
        ContractEvidence { title: Some("Agency staff framework"), ..contract("T1", "") },
        ContractEvidence { title: Some("Lot 3"), ..contract("T2", "") },
    ];
    assert_eq!(run(&contracts, &[]), [(code("261400"), "text"), (None, "none")]);
}
