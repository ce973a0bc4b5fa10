//! Measures the supplier key on councils' published names that an outside project matched to
//! Companies House numbers (`../shared/data/labelled/{bolton,oldham}_2019.csv`): pairwise
//! precision and recall of key equality over the distinct names carrying a number, for each
//! council and for the union of both, with the numbers withheld from the key. Then the
//! confusion of the default rules: the pairs merged wrongly (two companies' spend added
//! together) and the pairs left split (one company counted twice), largest spend at stake
//! first. The numbers in BENCHMARKS.md ("Supplier key on labelled councils") come from here.
//!
//! ```sh
//! cargo run --example supplier_labelled            # tables, and the top 15 of each confusion
//! cargo run --example supplier_labelled -- -v      # every wrongly merged and split pair
//! cargo run --example supplier_labelled -- --top 40
//! cargo run --example supplier_labelled -- --by-rows  # mistakes by payment rows, not spend
//! ```

use std::path::Path;

use spendql::suppliers::eval::{LabelledName, Mistake, Pairwise, distinct_names, load_labelled, pairwise};
use spendql::suppliers::{KeyRules, TradingAs, UkMarker, supplier_key_with};

/// The targets the key is held to (issue 10), on the two councils together.
const TARGET_PRECISION: f64 = 0.99;
const TARGET_RECALL: f64 = 0.85;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.iter().any(|a| a == "-v" || a == "--verbose");
    let by_rows = args.iter().any(|a| a == "--by-rows");
    let top: usize = args.iter().position(|a| a == "--top").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(15);
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/labelled");
    if !folder.is_dir() {
        return Err(format!("{} is absent: the labelled councils are needed", folder.display()).into());
    }
    let mut sets: Vec<(String, Vec<LabelledName>)> = Vec::new();
    for council in ["bolton", "oldham"] {
        sets.push((council.to_string(), load_labelled(&folder.join(format!("{council}_2019.csv")))?));
    }
    let union = distinct_names(sets.iter().flat_map(|(_, names)| names.iter().cloned()));
    sets.push(("both".to_string(), union));

    println!("Pairwise key equality over distinct names with a company number (numbers withheld).");
    println!("Targets on both councils: precision ≥ {TARGET_PRECISION}, recall ≥ {TARGET_RECALL}.\n");
    println!("| key | set | names | true pairs | precision | recall | TP | FP | FN |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let keys: [(&str, KeyFn); 3] = [
        ("plain normaliser", plain_key),
        ("`KeyRules::BASELINE`", |n| supplier_key_with(n, &KeyRules::BASELINE)),
        ("**`KeyRules::DEFAULT`**", |n| supplier_key_with(n, &KeyRules::DEFAULT)),
    ];
    for (label, key) in &keys {
        for (set, names) in &sets {
            row(label, set, &pairwise(names, *key));
        }
    }
    println!();
    flips(&sets.last().expect("the union").1);

    for (set, names) in &sets {
        let mut scored = pairwise(names, |n| supplier_key_with(n, &KeyRules::DEFAULT));
        if by_rows {
            // Stable: ties keep the by-spend order.
            let rows = |m: &Mistake| std::cmp::Reverse(m.a.rows.min(m.b.rows));
            scored.wrong_merges.sort_by_key(rows);
            scored.split.sort_by_key(rows);
        }
        let shown = if verbose { usize::MAX } else { top };
        mistakes(&format!("{set}: wrongly merged (one key, different company numbers)"), &scored.wrong_merges, shown);
        mistakes(&format!("{set}: split (one company number, different keys)"), &scored.split, shown);
    }
    Ok(())
}

/// A key under measurement: a published name to its key.
type KeyFn = fn(&str) -> String;

fn row(label: &str, set: &str, p: &Pairwise) {
    let c = &p.confusion;
    println!(
        "| {label} | {set} | {} | {} | {:.3} | {:.3} | {} | {} | {} |",
        p.names,
        c.true_positives + c.false_negatives,
        c.precision(),
        c.recall(),
        c.true_positives,
        c.false_positives,
        c.false_negatives
    );
}

/// Each optional rule flipped in the default, on both councils together.
fn flips(names: &[LabelledName]) {
    type Switch = (&'static str, fn(&mut KeyRules, bool));
    let switches: &[Switch] = &[
        ("T/A → legal entity", |r, on| r.trading_as = if on { TradingAs::LegalEntity } else { TradingAs::Keep }),
        ("T/A → trading name", |r, on| r.trading_as = if on { TradingAs::TradingName } else { TradingAs::Keep }),
        ("cut after LTD/LIMITED/PLC/LLP", |r, on| r.cut_after_legal_form = on),
        ("leading THE, (THE)", |r, on| r.the = on),
        ("COMPANY → CO", |r, on| r.company_as_co = on),
        ("trailing CO / COMPANY", |r, on| r.trailing_co = on),
        ("UK before a legal form", |r, on| r.uk = if on { UkMarker::BeforeLegalForm } else { UkMarker::Keep }),
        ("UK before a legal form or trailing", |r, on| r.uk = if on { UkMarker::Trailing } else { UkMarker::Keep }),
        ("truncated LIMITED", |r, on| r.truncated_limited = on),
        ("+ → AND", |r, on| r.plus_as_and = on),
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
    let default = pairwise(names, |n| supplier_key_with(n, &KeyRules::DEFAULT)).confusion;
    println!(
        "Each rule flipped in the default, both councils (default {:.3} / {:.3}):\n",
        default.precision(),
        default.recall()
    );
    println!("| default, with the rule flipped | precision | recall | TP | FP | FN |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, switch) in switches {
        let mut on = KeyRules::DEFAULT;
        switch(&mut on, true);
        let mut off = KeyRules::DEFAULT;
        switch(&mut off, false);
        let (label, rules) =
            if on == KeyRules::DEFAULT { (format!("without {name}"), off) } else { (format!("with {name}"), on) };
        let c = pairwise(names, |n| supplier_key_with(n, &rules)).confusion;
        println!(
            "| {label} | {:.3} | {:.3} | {} | {} | {} |",
            c.precision(),
            c.recall(),
            c.true_positives,
            c.false_positives,
            c.false_negatives
        );
    }
    println!();
}

fn mistakes(title: &str, list: &[Mistake], shown: usize) {
    println!("### {title}: {}\n", list.len());
    for m in list.iter().take(shown) {
        println!(
            "{:>13} {:>4} rows  {:?} [{}] {:?}  |  {:?} [{}] {:?}",
            spendql::money::money_text(m.pence_at_stake()),
            m.a.rows.min(m.b.rows),
            m.a.name,
            m.a.company_number,
            m.key_a,
            m.b.name,
            m.b.company_number,
            m.key_b
        );
    }
    if list.len() > shown {
        println!("… {} more (-v for all)", list.len() - shown);
    }
    println!();
}

/// The plain normaliser the issue compares with: upper case, punctuation removed, one
/// trailing legal form dropped.
fn plain_key(name: &str) -> String {
    let upper = name.to_uppercase();
    let mut words: Vec<&str> = upper.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.len() > 1 && matches!(words.last(), Some(&("LTD" | "LIMITED" | "PLC" | "LLP" | "CIC" | "INC"))) {
        words.pop();
    }
    words.join(" ")
}
