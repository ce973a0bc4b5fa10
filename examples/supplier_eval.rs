//! Measures supplier matching against the labelled pairs in `benches/supplier_pairs.csv`:
//! key equality before and after the normalisation rules (each rule alone and left out),
//! the name similarity at several thresholds, and the `spendql suppliers --unmatched`
//! candidate generation run over all 31,420 real supplier names. The numbers in
//! BENCHMARKS.md ("Supplier matching") come from here.
//!
//! ```sh
//! cargo run --example supplier_eval            # the tables
//! cargo run --example supplier_eval -- -v      # also every pair the default rules get wrong
//! cargo run --example supplier_eval -- --sample 60   # also 60 proposals, evenly spaced, to label
//! ```

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use spendql::suppliers::detect::{SupplierRecord, Thresholds, find_candidates};
use spendql::suppliers::eval::{Confusion, LabelledPair, key_confusion, load_pairs};
use spendql::suppliers::similar::NameIndex;
use spendql::suppliers::{KeyRules, TradingAs, UkMarker, supplier_key};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.iter().any(|a| a == "-v" || a == "--verbose");
    let sample: usize =
        args.iter().position(|a| a == "--sample").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(0);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pairs = load_pairs(&root.join("benches/supplier_pairs.csv"))?;
    let positives = pairs.iter().filter(|p| p.same).count();
    println!("{} labelled pairs: {} same, {} different\n", pairs.len(), positives, pairs.len() - positives);

    key_rules(&pairs);
    if verbose {
        mistakes(&pairs);
    }
    let vocabulary = root.join("../shared/data/vocab/supplier_names.csv");
    let names = if vocabulary.is_file() { read_names(&vocabulary)? } else { Vec::new() };
    name_similarity(&pairs, &names);
    identifiers(&pairs, &names);
    if names.is_empty() {
        println!("SKIP candidate generation: {} is absent", vocabulary.display());
    } else {
        candidates(&pairs, &names, &vocabulary, sample);
    }
    Ok(())
}

fn row(label: &str, c: &Confusion) {
    println!(
        "| {label} | {:.3} | {:.3} | {:.3} | {} | {} | {} |",
        c.precision(),
        c.recall(),
        c.f1(),
        c.true_positives,
        c.false_positives,
        c.false_negatives
    );
}

fn header(first: &str) {
    println!("| {first} | precision | recall | F1 | TP | FP | FN |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
}

/// Every optional rule, switched on alone from the baseline and off alone from the default.
fn key_rules(pairs: &[LabelledPair]) {
    type Switch = (&'static str, fn(&mut KeyRules, bool));
    let switches: [Switch; 10] = [
        ("T/A → legal entity", |r, on| r.trading_as = if on { TradingAs::LegalEntity } else { TradingAs::Keep }),
        ("T/A → trading name", |r, on| r.trading_as = if on { TradingAs::TradingName } else { TradingAs::Keep }),
        ("cut after LTD/LIMITED/PLC/LLP", |r, on| r.cut_after_legal_form = on),
        ("leading THE, (THE)", |r, on| r.the = on),
        ("COMPANY → CO", |r, on| r.company_as_co = on),
        ("trailing CO / COMPANY", |r, on| r.trailing_co = on),
        ("UK before a legal form", |r, on| r.uk = if on { UkMarker::BeforeLegalForm } else { UkMarker::Keep }),
        ("UK before a legal form or trailing", |r, on| r.uk = if on { UkMarker::Trailing } else { UkMarker::Keep }),
        ("truncated LIMITED (LIMI, LIMIT, LIMITE)", |r, on| r.truncated_limited = on),
        ("+ → AND", |r, on| r.plus_as_and = on),
    ];
    let extra: [Switch; 10] = [
        ("trailing GROUP", |r, on| r.trailing_group = on),
        ("card references", |r, on| r.references = on),
        ("`#` notes", |r, on| r.hash_notes = on),
        ("accents folded", |r, on| r.fold_accents = on),
        ("initials joined", |r, on| r.join_initials = on),
        ("division of / part of", |r, on| r.division_of = on),
        ("abbreviations", |r, on| r.abbreviations = on),
        ("bare TA", |r, on| r.bare_ta = on),
        ("(… Trust) in brackets", |r, on| r.bracketed_trust = on),
        ("legal forms in words", |r, on| r.legal_phrases = on),
    ];

    println!("## Key equality\n");
    header("rules");
    row("baseline (before)", &key_confusion(pairs, &KeyRules::BASELINE));
    row("**default (after)**", &key_confusion(pairs, &KeyRules::DEFAULT));
    println!("\nEach rule alone, added to the baseline:\n");
    header("baseline +");
    for (name, switch) in switches.iter().chain(&extra) {
        let mut rules = KeyRules::BASELINE;
        switch(&mut rules, true);
        row(name, &key_confusion(pairs, &rules));
    }
    println!("\nEach rule switched on or off in the default:\n");
    header("default, with the rule flipped");
    for (name, switch) in switches.iter().chain(&extra) {
        let mut on = KeyRules::DEFAULT;
        switch(&mut on, true);
        let mut off = KeyRules::DEFAULT;
        switch(&mut off, false);
        let flipped =
            if on == KeyRules::DEFAULT { (format!("without {name}"), off) } else { (format!("with {name}"), on) };
        row(&flipped.0, &key_confusion(pairs, &flipped.1));
    }
    println!("\nDefault rules by pool (how the pair was drawn):\n");
    println!("| pool | pairs | same | precision | recall |");
    println!("|---|---:|---:|---:|---:|");
    let mut pools: Vec<&str> = pairs.iter().map(LabelledPair::pool).collect();
    pools.sort_unstable();
    pools.dedup();
    for pool in pools {
        let subset: Vec<LabelledPair> = pairs.iter().filter(|p| p.pool() == pool).cloned().collect();
        let c = key_confusion(&subset, &KeyRules::DEFAULT);
        let same = subset.iter().filter(|p| p.same).count();
        let precision = if c.true_positives + c.false_positives == 0 {
            "–".to_string() // nothing called the same
        } else {
            format!("{:.3}", c.precision())
        };
        println!("| {pool} | {} | {same} | {precision} | {:.3} |", subset.len(), c.recall());
    }
    println!();
}

fn mistakes(pairs: &[LabelledPair]) {
    println!("Pairs the default keys get wrong:\n");
    for pair in pairs {
        let (a, b) = (supplier_key(&pair.name_a), supplier_key(&pair.name_b));
        if (a == b) != pair.same {
            let kind = if pair.same { "FN" } else { "FP" };
            println!("{kind} {a:?} / {b:?}  ({} / {}) — {}", pair.name_a, pair.name_b, pair.note);
        }
    }
    println!();
}

/// Pairs the default key keeps apart: how well name similarity alone separates them.
fn name_similarity(pairs: &[LabelledPair], names: &[String]) {
    let keys: HashSet<String> = names.iter().map(|n| supplier_key(n)).collect();
    let index = NameIndex::new(keys.iter().map(String::as_str));
    let apart: Vec<(&LabelledPair, f64, f64)> = pairs
        .iter()
        .filter_map(|p| {
            let (a, b) = (supplier_key(&p.name_a), supplier_key(&p.name_b));
            (a != b).then(|| (p, index.similarity(&a, &b), strsim::jaro_winkler(&a, &b)))
        })
        .collect();
    let same = apart.iter().filter(|(p, _, _)| p.same).count();
    println!("## Name similarity on the {} pairs with different default keys ({same} same)\n", apart.len());
    println!("Word rarities from {} distinct keys.\n", keys.len());
    header("threshold");
    for threshold in [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95] {
        let mut soft = Confusion::default();
        let mut jaro = Confusion::default();
        for (p, s, j) in &apart {
            soft.add(*s >= threshold, p.same);
            jaro.add(*j >= threshold, p.same);
        }
        row(&format!("soft TF-IDF ≥ {threshold:.2}"), &soft);
        row(&format!("Jaro-Winkler ≥ {threshold:.2}"), &jaro);
    }
    println!();
}

/// The pairs drawn because they share an identifier: how often the identifier alone is
/// right, and with a minimum name similarity.
fn identifiers(pairs: &[LabelledPair], names: &[String]) {
    let keys: HashSet<String> =
        names.iter().chain(pairs.iter().flat_map(|p| [&p.name_a, &p.name_b])).map(|n| supplier_key(n)).collect();
    let index = NameIndex::new(keys.iter().map(String::as_str));
    let pools = ["same-vat", "same-company-number", "same-postcode"];
    println!("## Shared identifiers (pairs drawn from {})\n", pools.join(", "));
    header("evidence");
    for threshold in [0.0, 0.2, 0.3, 0.4, 0.5, 0.6] {
        let mut all = Confusion::default();
        for pool in pools {
            let mut c = Confusion::default();
            for p in pairs.iter().filter(|p| p.pool() == pool) {
                let s = index.similarity(&supplier_key(&p.name_a), &supplier_key(&p.name_b));
                c.add(s >= threshold, p.same);
                all.add(s >= threshold, p.same);
            }
            row(&format!("{pool}, names ≥ {threshold:.1}"), &c);
        }
        row(&format!("**all three, names ≥ {threshold:.1}**"), &all);
    }
    println!();
}

/// Run the detector over every real supplier name (plus the pairs' names) as if each were a
/// supplier of one dataset, and check which labelled pairs it proposes.
fn candidates(pairs: &[LabelledPair], names: &[String], vocabulary: &Path, sample: usize) {
    let mut by_key: HashMap<String, SupplierRecord> = HashMap::new();
    for name in names.iter().chain(pairs.iter().flat_map(|p| [&p.name_a, &p.name_b])) {
        let key = supplier_key(name);
        if key.is_empty() {
            continue;
        }
        let record = by_key.entry(key.clone()).or_insert_with(|| SupplierRecord { key, ..Default::default() });
        if !record.names.iter().any(|(n, _)| n == name) {
            record.names.push((name.clone(), 1));
        }
    }
    let mut records: Vec<SupplierRecord> = by_key.into_values().collect();
    records.sort_by(|a, b| a.key.cmp(&b.key));
    if sample > 0 {
        print_sample(&records, pairs, sample);
    }
    let position: HashMap<&str, usize> = records.iter().enumerate().map(|(i, r)| (r.key.as_str(), i)).collect();
    println!("## Candidate generation (`spendql suppliers --unmatched`)\n");
    println!("Over {} distinct keys from {}.\n", records.len(), vocabulary.display());
    header("detector");
    for names_threshold in [0.55, 0.6, 0.65, 0.7, 0.75, 0.8] {
        let thresholds = Thresholds { names: names_threshold, ..Thresholds::DEFAULT };
        let started = Instant::now();
        let found = find_candidates(&records, &thresholds);
        let elapsed = started.elapsed();
        let proposed: HashSet<(usize, usize)> = found.iter().map(|c| (c.a.min(c.b), c.a.max(c.b))).collect();
        let mut detector = Confusion::default();
        let mut combined = Confusion::default();
        let mut sampled = Confusion::default();
        for p in pairs {
            let (a, b) = (supplier_key(&p.name_a), supplier_key(&p.name_b));
            let equal = a == b;
            let flagged = !equal && {
                let (x, y) = (position[a.as_str()], position[b.as_str()]);
                proposed.contains(&(x.min(y), x.max(y)))
            };
            if !equal {
                detector.add(flagged, p.same);
            }
            combined.add(equal || flagged, p.same);
            if p.pool() == "detector-sample" {
                sampled.add(flagged, p.same);
            }
        }
        row(&format!("names ≥ {names_threshold:.2}: proposed among different keys"), &detector);
        row(&format!("names ≥ {names_threshold:.2}: key equal or proposed"), &combined);
        row(&format!("names ≥ {names_threshold:.2}: detector-sample pool only"), &sampled);
        println!("|   {} candidate pairs in {:.0} ms | | | | | | |", found.len(), elapsed.as_secs_f64() * 1000.0);
    }
    println!();
}

/// Evenly spaced proposals (in key order) at the default thresholds, for labelling: how
/// many of everything the detector proposes are right, not just of the labelled pairs.
fn print_sample(records: &[SupplierRecord], pairs: &[LabelledPair], sample: usize) {
    let labelled: HashSet<(String, String)> = pairs
        .iter()
        .map(|p| (supplier_key(&p.name_a), supplier_key(&p.name_b)))
        .flat_map(|(a, b)| [(a.clone(), b.clone()), (b, a)])
        .collect();
    let mut found: Vec<(String, String, f64)> = find_candidates(records, &Thresholds::DEFAULT)
        .into_iter()
        .map(|c| (records[c.a].display_name().to_string(), records[c.b].display_name().to_string(), c.similarity))
        .filter(|(a, b, _)| !labelled.contains(&(supplier_key(a), supplier_key(b))))
        .collect();
    found.sort_by_key(|x| (supplier_key(&x.0), supplier_key(&x.1)));
    let step = (found.len() / sample.max(1)).max(1);
    println!("A sample of {sample} of the {} proposals not already labelled:\n", found.len());
    for (a, b, similarity) in found.iter().step_by(step).take(sample) {
        println!("{a}|{b}|{similarity:.2}");
    }
    println!();
}

fn read_names(path: &PathBuf) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut reader = csv::Reader::from_path(path)?;
    let mut names = Vec::new();
    for record in reader.records() {
        names.push(record?.get(0).unwrap_or_default().to_string());
    }
    Ok(names)
}
