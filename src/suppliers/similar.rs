//! How alike two supplier keys are, from 0 (nothing shared) to 1 (the same words): a soft
//! TF-IDF cosine over the keys' words. Words are weighted by how rare they are among all the
//! keys of a dataset, so `MANCHESTER` or `SERVICES` count for little and `HOLLOWOOD` for a
//! lot; misspelt words of five letters or more (`SOLICTORS`) still match by Jaro-Winkler,
//! for less the less alike they are;
//! shorter words and words with digits match only exactly (`CINNAMON1` is not
//! `CINNAMON2`); and a key that is the start of another (`BIFFA WASTE SERVIC`) scores high,
//! because councils' fixed-width columns cut names short.

use std::collections::HashMap;

/// Jaro-Winkler similarity at which two different words count as the same word, misspelt.
const WORD_MATCH: f64 = 0.9;

/// Words shorter than this match only exactly: Jaro-Winkler rates short words alike too
/// readily (`KIER` and `KILTER` score 0.91).
const FUZZY_MIN_CHARS: usize = 5;

/// A key this long (without spaces) that begins another key is taken for a truncation.
const TRUNCATION_MIN_CHARS: usize = 12;

/// The score of a truncation: one key is the start of the other.
const TRUNCATION_SCORE: f64 = 0.95;

/// Word rarities over a set of keys.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    document_frequency: HashMap<String, u32>,
    keys: u32,
}

/// A key split into weighted words, ready to compare.
#[derive(Debug, Clone)]
pub struct Words {
    words: Vec<(String, f64)>,
    norm: f64,
    compact: String,
}

impl NameIndex {
    /// Count each word once per distinct key.
    pub fn new<'a>(keys: impl IntoIterator<Item = &'a str>) -> NameIndex {
        let mut index = NameIndex::default();
        for key in keys {
            index.keys += 1;
            let mut words = comparable_words(key);
            words.sort_unstable();
            words.dedup();
            for word in words {
                *index.document_frequency.entry(word).or_default() += 1;
            }
        }
        index
    }

    /// Inverse document frequency, smoothed so unseen words weigh most and none weighs zero.
    fn weight(&self, word: &str) -> f64 {
        let seen = self.document_frequency.get(word).copied().unwrap_or(0);
        ((f64::from(self.keys) + 1.0) / (f64::from(seen) + 1.0)).ln() + 1.0
    }

    /// Split `key` into its words, weighted by rarity, ready for [`similarity`].
    pub fn words(&self, key: &str) -> Words {
        let words: Vec<(String, f64)> = comparable_words(key)
            .into_iter()
            .map(|word| {
                let weight = self.weight(&word);
                (word, weight)
            })
            .collect();
        let norm = words.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
        Words { words, norm, compact: key.chars().filter(|c| !c.is_whitespace()).collect() }
    }

    /// How alike two keys are, 0 to 1.
    pub fn similarity(&self, a: &str, b: &str) -> f64 {
        similarity(&self.words(a), &self.words(b))
    }
}

/// How alike two prepared keys are, 0 to 1: the mean of the soft cosine in both
/// directions, raised to [`TRUNCATION_SCORE`] when one key is the start of the other.
pub fn similarity(a: &Words, b: &Words) -> f64 {
    if a.words.is_empty() || b.words.is_empty() {
        return 0.0;
    }
    let soft = f64::midpoint(directed(a, b), directed(b, a));
    let (short, long) = if a.compact.len() <= b.compact.len() { (a, b) } else { (b, a) };
    if short.compact.chars().count() >= TRUNCATION_MIN_CHARS && long.compact.starts_with(&short.compact) {
        soft.max(TRUNCATION_SCORE)
    } else {
        soft
    }
}

/// Soft TF-IDF (Cohen, Ravikumar and Fienberg 2003): each word of `a` pairs with its most
/// similar word of `b`, if similar enough, weighted by both words' rarity.
fn directed(a: &Words, b: &Words) -> f64 {
    let mut total = 0.0;
    for (word, weight) in &a.words {
        let best = b
            .words
            .iter()
            .map(|(other, other_weight)| (word_similarity(word, other), other_weight))
            .filter(|(s, _)| *s >= WORD_MATCH)
            .max_by(|x, y| x.0.total_cmp(&y.0));
        if let Some((s, other_weight)) = best {
            total += weight / a.norm * other_weight / b.norm * credit(s);
        }
    }
    total.min(1.0)
}

/// How much a word match counts: fully when exact; a misspelling counts for less the
/// further its Jaro-Winkler is above [`WORD_MATCH`] from 1 (0.98 counts 0.8, 0.92 counts
/// 0.2), because near misses between short distinct words (`VITAL` / `VITAX`, `CARISMA` /
/// `CARITAS`) score just above the bar, while real typos in longer words score near 1.
fn credit(word_similarity: f64) -> f64 {
    if word_similarity >= 1.0 { 1.0 } else { (word_similarity - WORD_MATCH) / (1.0 - WORD_MATCH) }
}

fn word_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        1.0
    } else if a.len().min(b.len()) < FUZZY_MIN_CHARS
        || a.bytes().any(|c| c.is_ascii_digit())
        || b.bytes().any(|c| c.is_ascii_digit())
    {
        0.0
    } else {
        strsim::jaro_winkler(a, b)
    }
}

/// The words of a key that say who the supplier is: card-payment references
/// (`2D40F5KK4`, `39137590`, the digits of `INN44013615`) are left out, as they name a
/// transaction, not a supplier.
fn comparable_words(key: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for (i, word) in key.split_whitespace().enumerate() {
        let digits = word.bytes().rev().take_while(u8::is_ascii_digit).count();
        let letters = word.len() - digits;
        let word = if digits >= 5 && letters >= 2 && word.bytes().take(letters).all(|b| b.is_ascii_alphabetic()) {
            &word[..letters]
        } else {
            word
        };
        let is_reference = word.len() >= 6 && word.bytes().filter(u8::is_ascii_digit).count() >= 3;
        if i > 0 && is_reference {
            continue;
        }
        words.push(word.to_string());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> NameIndex {
        NameIndex::new([
            "AMEY LG",
            "AMEY OW",
            "MANCHESTER CITY COUNCIL",
            "SALFORD CITY COUNCIL",
            "HOLLOWOOD CHEMIST",
            "ALLWEIS AND CO SOLICITORS",
            "BIFFA WASTE SERVICES",
            "CAPITAL AND CENTRIC CINNAMON1",
            "CAPITAL AND CENTRIC CINNAMON2",
            "MSFT E0400FCOMJ",
        ])
    }

    // Zero is exact on purpose: an empty key returns the literal 0.0 and disjoint keys
    // sum no word pairs; only the score of one is a float by nature and has a tolerance.
    #[allow(clippy::float_cmp)]
    #[test]
    fn identical_keys_score_one_and_disjoint_ones_zero() {
        let index = index();
        assert!((index.similarity("HOLLOWOOD CHEMIST", "HOLLOWOOD CHEMIST") - 1.0).abs() < 1e-9);
        assert_eq!(index.similarity("HOLLOWOOD CHEMIST", "AMEY LG"), 0.0);
        assert_eq!(index.similarity("", "AMEY LG"), 0.0);
    }

    #[test]
    fn misspellings_and_truncations_score_high() {
        let index = index();
        assert!(index.similarity("ALLWEIS AND CO SOLICITORS", "ALLWEIS AND CO SOLICTORS") > 0.9);
        assert!(index.similarity("BIFFA WASTE SERVIC", "BIFFA WASTE SERVICES") >= TRUNCATION_SCORE);
        assert!(index.similarity("HOLLOWOOD CHEMIST", "HOLLOWOOD CHEMIST SALE AND ALTRINCHAM") >= TRUNCATION_SCORE);
        assert!((index.similarity("MSFT E0400FCOMJ", "MSFT E0400FOUU3") - 1.0).abs() < 1e-9, "references ignored");
    }

    #[test]
    fn a_distinguishing_word_scores_low() {
        let index = index();
        assert!(index.similarity("AMEY LG", "AMEY OW") < 0.6);
        assert!(index.similarity("MANCHESTER CITY COUNCIL", "SALFORD CITY COUNCIL") < 0.6);
        assert!(index.similarity("CAPITAL AND CENTRIC CINNAMON1", "CAPITAL AND CENTRIC CINNAMON2") < 0.7);
    }

    #[test]
    fn similarity_is_symmetric() {
        let index = index();
        let pairs = [("AMEY LG", "AMEY LG SERVICES"), ("BIFFA WASTE SERVIC", "BIFFA WASTE SERVICES")];
        for (a, b) in pairs {
            assert!((index.similarity(a, b) - index.similarity(b, a)).abs() < 1e-12, "{a} / {b}");
        }
    }
}
