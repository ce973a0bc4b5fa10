//! Measuring supplier matching against labels: pairs of real published names labelled by
//! hand (`benches/supplier_pairs.csv`: `name_a,name_b,same,note`), and councils' published
//! names labelled with Companies House numbers by an outside project
//! (`../shared/data/labelled/`), scored pairwise: every two distinct names are one pair,
//! the same supplier when their company numbers are equal. Shared by the examples that print
//! the measurements recorded in BENCHMARKS.md (`supplier_eval`, `supplier_labelled`) and by
//! the tests that hold the key to its targets. The company numbers are only ever read here,
//! as the answer to score against; the key sees names alone.

use std::collections::HashMap;
use std::path::Path;

use super::{KeyRules, supplier_key_with};
use crate::error::{Error, Result};

/// One labelled pair of published names.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct LabelledPair {
    /// The first published name.
    pub name_a: String,
    /// The second published name.
    pub name_b: String,
    /// Whether the two names are the same supplier.
    pub same: bool,
    /// Where the pair came from (`pool: detail`) and why it is labelled so.
    pub note: String,
}

impl LabelledPair {
    /// The pool the pair was drawn from: the note's text before the first `:`.
    pub fn pool(&self) -> &str {
        self.note.split(':').next().unwrap_or("").trim()
    }
}

/// Read a labelled-pairs CSV file.
pub fn load_pairs(path: &Path) -> Result<Vec<LabelledPair>> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| Error::input(path, None, e.to_string()))?;
    let mut pairs = Vec::new();
    for (i, row) in reader.deserialize().enumerate() {
        let pair: LabelledPair = row.map_err(|e| Error::input(path, Some(i as u64 + 2), e.to_string()))?;
        pairs.push(pair);
    }
    Ok(pairs)
}

/// Counts of a matcher's decisions against the labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Confusion {
    /// Called the same, and the same.
    pub true_positives: u64,
    /// Called the same, but different.
    pub false_positives: u64,
    /// Called different, but the same.
    pub false_negatives: u64,
    /// Called different, and different.
    pub true_negatives: u64,
}

impl Confusion {
    /// Count one decision: `predicted` same or not, against the label `actual`.
    pub fn add(&mut self, predicted: bool, actual: bool) {
        match (predicted, actual) {
            (true, true) => self.true_positives += 1,
            (true, false) => self.false_positives += 1,
            (false, true) => self.false_negatives += 1,
            (false, false) => self.true_negatives += 1,
        }
    }

    /// Of the pairs called the same, the share that are (1 when none are called the same).
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_positives)
    }

    /// Of the pairs that are the same, the share called the same.
    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_negatives)
    }

    /// The harmonic mean of precision and recall (0 when both are 0).
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 { 1.0 } else { part as f64 / whole as f64 }
}

/// How well key equality under `rules` separates the labelled pairs.
pub fn key_confusion(pairs: &[LabelledPair], rules: &KeyRules) -> Confusion {
    let mut confusion = Confusion::default();
    for pair in pairs {
        let (a, b) = (supplier_key_with(&pair.name_a, rules), supplier_key_with(&pair.name_b, rules));
        confusion.add(!a.is_empty() && a == b, pair.same);
    }
    confusion
}

/// One distinct published name that an outside project matched to a company number, with
/// how often and how much the council paid it (for ranking the mistakes worth reading).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledName {
    /// The beneficiary name as published, trimmed as ingest trims cells.
    pub name: String,
    /// The company number it was matched to: the answer, never shown to the key.
    pub company_number: String,
    /// Payment rows with this name.
    pub rows: u64,
    /// Their amounts summed, in pence.
    pub pence: i128,
}

/// The distinct names carrying a company number in a labelled spend file (CSV with
/// `beneficiary_name`, `company_number` and `amount` columns, as in
/// `../shared/data/labelled/`), numbers in one spelling ([`super::normalise_company_number`]).
/// Rows without a number are left out: they have no answer. A name matched to two numbers
/// (label noise) keeps the one on most of its rows.
pub fn load_labelled(path: &Path) -> Result<Vec<LabelledName>> {
    let bad = |line: Option<u64>, message: String| Error::input(path, line, message);
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(None, e.to_string()))?;
    let headers = reader.headers().map_err(|e| bad(Some(1), e.to_string()))?.clone();
    let column = |name: &str| {
        headers.iter().position(|h| h.trim() == name).ok_or_else(|| bad(Some(1), format!("no `{name}` column")))
    };
    let (name_at, number_at, amount_at) = (column("beneficiary_name")?, column("company_number")?, column("amount")?);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|e| bad(Some(line), e.to_string()))?;
        let field = |at: usize| record.get(at).unwrap_or("").trim();
        let name = field(name_at);
        let Some(number) = super::normalise_company_number(field(number_at)) else { continue };
        if name.is_empty() {
            continue;
        }
        let pence = crate::money::parse_amount(field(amount_at).as_bytes())
            .map_err(|e| bad(Some(line), format!("amount {:?}: {}", field(amount_at), e.reason())))?;
        rows.push(LabelledName { name: name.to_string(), company_number: number, rows: 1, pence });
    }
    Ok(distinct_names(rows))
}

/// One entry per distinct name, rows and pence summed; a name labelled with two numbers
/// keeps the number on most rows (then the smaller number, so the choice is stable). Used
/// to merge councils too: the union of two councils' names counts a shared name once.
pub fn distinct_names(entries: impl IntoIterator<Item = LabelledName>) -> Vec<LabelledName> {
    // name → number → (rows, pence)
    let mut by_name: HashMap<String, HashMap<String, (u64, i128)>> = HashMap::new();
    for entry in entries {
        let slot = by_name.entry(entry.name).or_default().entry(entry.company_number).or_default();
        slot.0 += entry.rows;
        slot.1 += entry.pence;
    }
    let mut names: Vec<LabelledName> = by_name
        .into_iter()
        .map(|(name, numbers)| {
            let rows = numbers.values().map(|v| v.0).sum();
            let pence = numbers.values().map(|v| v.1).sum();
            let company_number = numbers
                .into_iter()
                .max_by(|a, b| a.1.0.cmp(&b.1.0).then_with(|| b.0.cmp(&a.0)))
                .map(|(number, _)| number)
                .unwrap_or_default();
            LabelledName { name, company_number, rows, pence }
        })
        .collect();
    names.sort_by(|a, b| a.name.cmp(&b.name));
    names
}

/// Two labelled names the key decided wrongly, with their keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mistake {
    /// One name (the one earlier in name order).
    pub a: LabelledName,
    /// Its key.
    pub key_a: String,
    /// The other name.
    pub b: LabelledName,
    /// Its key.
    pub key_b: String,
}

impl Mistake {
    /// The smaller side's spend, in pence: what a wrong merge adds to the wrong supplier,
    /// or what a missed merge leaves out of one. Mistakes are listed by it.
    pub fn pence_at_stake(&self) -> i128 {
        self.a.pence.abs().min(self.b.pence.abs())
    }
}

/// How key equality scored over every pair of labelled names, and the pairs it got wrong.
#[derive(Debug, Clone, Default)]
pub struct Pairwise {
    /// The distinct names scored.
    pub names: usize,
    /// Pair counts (true negatives are all remaining pairs).
    pub confusion: Confusion,
    /// Pairs with one key but different company numbers (two suppliers' spend added
    /// together), by spend at stake, largest first.
    pub wrong_merges: Vec<Mistake>,
    /// Pairs with one company number but different keys (one supplier counted twice), by
    /// spend at stake, largest first.
    pub split: Vec<Mistake>,
}

/// Score `key` (which sees names only) over every pair of distinct labelled names: a pair
/// is called the same when both keys are equal and not empty, and is the same when the
/// company numbers are equal.
pub fn pairwise(names: &[LabelledName], key: impl Fn(&str) -> String) -> Pairwise {
    let keys: Vec<String> = names.iter().map(|n| key(&n.name)).collect();
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_number: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        if !keys[i].is_empty() {
            by_key.entry(keys[i].as_str()).or_default().push(i);
        }
        by_number.entry(name.company_number.as_str()).or_default().push(i);
    }
    let mistake = |i: usize, j: usize| {
        let (i, j) = if names[i].name <= names[j].name { (i, j) } else { (j, i) };
        Mistake { a: names[i].clone(), key_a: keys[i].clone(), b: names[j].clone(), key_b: keys[j].clone() }
    };
    let mut result = Pairwise { names: names.len(), ..Pairwise::default() };
    let c = &mut result.confusion;
    for members in by_key.values() {
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                if names[i].company_number == names[j].company_number {
                    c.true_positives += 1;
                } else {
                    c.false_positives += 1;
                    result.wrong_merges.push(mistake(i, j));
                }
            }
        }
    }
    for members in by_number.values() {
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                if keys[i].is_empty() || keys[i] != keys[j] {
                    c.false_negatives += 1;
                    result.split.push(mistake(i, j));
                }
            }
        }
    }
    let n = names.len() as u64;
    c.true_negatives = (n * n.saturating_sub(1) / 2) - c.true_positives - c.false_positives - c.false_negatives;
    let order = |a: &Mistake, b: &Mistake| {
        b.pence_at_stake().cmp(&a.pence_at_stake()).then_with(|| (&a.a.name, &a.b.name).cmp(&(&b.a.name, &b.b.name)))
    };
    result.wrong_merges.sort_by(order);
    result.split.sort_by(order);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    // Exact on purpose: precision and recall are one division of small counts, the same
    // division as the expected value, and an empty count is the literal 1.0.
    #[allow(clippy::float_cmp)]
    #[test]
    fn confusion_ratios() {
        let mut c = Confusion::default();
        for (p, a) in [(true, true), (true, true), (true, false), (false, true), (false, false)] {
            c.add(p, a);
        }
        assert_eq!(c.precision(), 2.0 / 3.0);
        assert_eq!(c.recall(), 2.0 / 3.0);
        assert!((c.f1() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(Confusion::default().precision(), 1.0);
    }

    #[test]
    fn pairs_load_with_line_numbers_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pairs.csv");
        std::fs::write(&path, "name_a,name_b,same,note\nA Ltd,A Limited,true,rule: legal form\nB,C,maybe,x\n").unwrap();
        let err = load_pairs(&path).unwrap_err();
        assert_eq!(err.location.as_ref().and_then(|l| l.line), Some(3));
        std::fs::write(&path, "name_a,name_b,same,note\nA Ltd,A Limited,true,rule: legal form\n").unwrap();
        let pairs = load_pairs(&path).unwrap();
        assert_eq!(pairs[0].pool(), "rule");
        assert_eq!(key_confusion(&pairs, &KeyRules::BASELINE).true_positives, 1);
    }

    fn labelled(name: &str, number: &str, pence: i128) -> LabelledName {
        LabelledName { name: name.into(), company_number: number.into(), rows: 1, pence }
    }

    #[test]
    fn pairwise_counts_every_pair_of_names() {
        // Three names of company 1, one of company 2; the key (first word) merges
        // `Acme` with `Acme Two` wrongly and splits `Beta Acme` from the Acmes.
        let names = [
            labelled("Acme Ltd", "1", 500),
            labelled("ACME Limited", "1", 100),
            labelled("Beta Acme", "1", 900),
            labelled("Acme Two", "2", 300),
        ];
        let first_word = |n: &str| n.split(' ').next().unwrap_or("").to_uppercase();
        let scored = pairwise(&names, first_word);
        // Same key: {Acme Ltd, ACME Limited, Acme Two} → 3 pairs, 1 right; 6 pairs in all;
        // same number: 3 pairs, of which 2 split.
        assert_eq!(
            scored.confusion,
            Confusion { true_positives: 1, false_positives: 2, false_negatives: 2, true_negatives: 1 }
        );
        let wrong: Vec<(&str, &str)> =
            scored.wrong_merges.iter().map(|m| (m.a.name.as_str(), m.b.name.as_str())).collect();
        // At stake: min(300, 500) = 300 before min(100, 300) = 100.
        assert_eq!(wrong, [("Acme Ltd", "Acme Two"), ("ACME Limited", "Acme Two")]);
        let split: Vec<(&str, &str)> = scored.split.iter().map(|m| (m.a.name.as_str(), m.b.name.as_str())).collect();
        assert_eq!(split, [("Acme Ltd", "Beta Acme"), ("ACME Limited", "Beta Acme")]);
        assert_eq!(scored.split[0].key_b, "BETA");
    }

    #[test]
    fn labelled_files_give_distinct_numbered_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labelled.csv");
        std::fs::write(
            &path,
            "org,beneficiary_name,amount,company_number\n\
             b,Acme Ltd ,10.00,0001\nb,Acme Ltd,2.50,1\nb,Acme Ltd,1.00,0009\nb,Nobody,5.00,\nb,Beta,-1.00,0002\n",
        )
        .unwrap();
        let names = load_labelled(&path).unwrap();
        assert_eq!(
            names,
            [
                LabelledName { name: "Acme Ltd".into(), company_number: "00000001".into(), rows: 3, pence: 1350 },
                labelled("Beta", "00000002", -100),
            ]
        );
        std::fs::write(&path, "beneficiary_name,amount,company_number\nA,x,12\n").unwrap();
        assert_eq!(load_labelled(&path).unwrap_err().location.and_then(|l| l.line), Some(2));
        std::fs::write(&path, "name,amount\n").unwrap();
        assert!(load_labelled(&path).unwrap_err().to_string().contains("beneficiary_name"));
    }
}
