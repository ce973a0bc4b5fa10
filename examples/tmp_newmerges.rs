use std::collections::{BTreeMap, BTreeSet};
use spendql::suppliers::{KeyRules, supplier_key_with};
fn main() {
    let mut names = BTreeSet::new();
    let mut r = csv::Reader::from_path("../shared/data/vocab/supplier_names.csv").unwrap();
    for x in r.records() { names.insert(x.unwrap()[0].trim().to_string()); }
    for c in ["bolton", "oldham"] {
        let mut r = csv::Reader::from_path(format!("../shared/data/labelled/{c}_2019.csv")).unwrap();
        for x in r.records() { names.insert(x.unwrap()[3].trim().to_string()); }
    }
    let old = KeyRules { hash_notes: false, fold_accents: false, join_initials: false, division_of: false, abbreviations: false, bare_ta: false, bracketed_trust: false, legal_phrases: false, ..KeyRules::DEFAULT };
    let which = std::env::args().nth(1).unwrap_or_default();
    let mut new = old;
    match which.as_str() {
        "hash" => new.hash_notes = true, "acc" => new.fold_accents = true, "init" => new.join_initials = true,
        "div" => new.division_of = true, "abbr" => new.abbreviations = true, "ta" => new.bare_ta = true, "trust" => new.bracketed_trust = true, "phr" => new.legal_phrases = true, _ => new = KeyRules::DEFAULT,
    }
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut oldk = BTreeMap::new();
    for n in &names { groups.entry(supplier_key_with(n, &new)).or_default().insert(n.clone()); oldk.insert(n.clone(), supplier_key_with(n, &old)); }
    let mut count = 0;
    for (k, members) in &groups {
        let olds: BTreeSet<&String> = members.iter().map(|n| &oldk[n]).collect();
        if olds.len() > 1 { count += 1; println!("{k}  <=  {:?}", members); }
    }
    eprintln!("{count} newly merged groups");
}
