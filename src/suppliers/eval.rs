//! Measuring supplier matching against labelled pairs of real published names
//! (`benches/supplier_pairs.csv`: `name_a,name_b,same,note`, labelled by hand as the same
//! company or not). Shared by `examples/supplier_eval.rs`, which prints the measurements
//! recorded in BENCHMARKS.md, and by the test that keeps key precision from regressing.

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
}
