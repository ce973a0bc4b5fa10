//! Likely duplicates among a dataset's suppliers: pairs of distinct canonical keys that look
//! like one company, for an analyst to confirm in `suppliers.toml`. Comparing all pairs of
//! ~30,000 keys would be 450 million comparisons, so pairs are only proposed within blocks:
//! keys sharing their first word, neighbours in sorted order of the key without spaces
//! (which catches a misspelt or split first word), and keys sharing a VAT number, company
//! number or postcode. Each pair is then scored by [`similar`](super::similar).

use std::collections::{BTreeSet, HashMap, HashSet};

use super::similar::{NameIndex, Words, similarity};

/// A first-word block larger than this is compared by sorted neighbourhood instead of in full.
const MAX_FULL_BLOCK: usize = 2_000;

/// How many neighbours each key is compared with in sorted order.
const NEIGHBOURHOOD: usize = 8;

/// An identifier shared by more keys than this says little (a council's VAT registration
/// covers all its schools), so it proposes no pairs by itself.
const MAX_IDENTIFIER_GROUP: usize = 12;

/// One supplier as the detector sees it: a canonical key and what is known about it.
#[derive(Debug, Clone, Default)]
pub struct SupplierRecord {
    /// The canonical supplier key (after aliases).
    pub key: String,
    /// Published names with their row counts, most common first.
    pub names: Vec<(String, u64)>,
    /// Sum of spend amounts, in pence.
    pub spend: i128,
    /// Spend rows under this key.
    pub rows: u64,
    /// VAT numbers published with this key.
    pub vat_numbers: BTreeSet<String>,
    /// Companies House numbers published with this key.
    pub company_numbers: BTreeSet<String>,
    /// Supplier postcodes published with this key.
    pub postcodes: BTreeSet<String>,
}

impl SupplierRecord {
    /// The most common published name (the key itself when none is known).
    pub fn display_name(&self) -> &str {
        self.names.first().map_or(&self.key, |(n, _)| n.as_str())
    }
}

/// Why a pair is proposed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Evidence {
    /// Both share this Companies House number.
    SameCompanyNumber(String),
    /// Both share this VAT number.
    SameVatNumber(String),
    /// Both share this postcode.
    SamePostcode(String),
    /// The names are similar enough on their own.
    SimilarNames,
}

/// A proposed pair: indexes into the records, the names' similarity, and the evidence.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Index of the first record.
    pub a: usize,
    /// Index of the second record.
    pub b: usize,
    /// How alike the names are, 0 to 1.
    pub similarity: f64,
    /// Every reason the pair is proposed.
    pub evidence: Vec<Evidence>,
}

/// Similarities from which a pair is proposed, measured on the labelled pairs
/// (BENCHMARKS.md, "Supplier matching"): `names` maximises F1 of the proposals.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// On names alone.
    pub names: f64,
    /// With a shared VAT number, company number or postcode: identifiers are shared by
    /// group companies and mistyped in registers, so the names must still share something.
    /// The lowest bar at which such proposals are no less precise than those on names alone.
    pub with_identifier: f64,
}

impl Thresholds {
    /// The thresholds measured on the labelled pairs.
    pub const DEFAULT: Thresholds = Thresholds { names: 0.65, with_identifier: 0.5 };
}

/// Propose likely duplicates among `records` (one per canonical key), most similar first
/// within equal evidence. Pairs already merged by an alias never appear, as aliased keys
/// share one record.
pub fn find_candidates(records: &[SupplierRecord], thresholds: &Thresholds) -> Vec<Candidate> {
    let index = NameIndex::new(records.iter().map(|r| r.key.as_str()));
    let words: Vec<Words> = records.iter().map(|r| index.words(&r.key)).collect();
    let mut pairs: HashSet<(usize, usize)> = HashSet::new();
    let mut add = |a: usize, b: usize| {
        if a != b {
            pairs.insert((a.min(b), a.max(b)));
        }
    };

    let mut first_word: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        if let Some(word) = record.key.split_whitespace().next() {
            first_word.entry(word).or_default().push(i);
        }
    }
    for block in first_word.values() {
        if block.len() <= MAX_FULL_BLOCK {
            for (n, &a) in block.iter().enumerate() {
                for &b in &block[n + 1..] {
                    add(a, b);
                }
            }
        } else {
            let mut sorted = block.clone();
            sorted.sort_by(|&x, &y| records[x].key.cmp(&records[y].key));
            neighbours(&sorted, NEIGHBOURHOOD * 4, &mut add);
        }
    }

    let compact: Vec<String> = records.iter().map(|r| r.key.replace(' ', "")).collect();
    let mut sorted: Vec<usize> = (0..records.len()).collect();
    sorted.sort_by(|&x, &y| compact[x].cmp(&compact[y]));
    neighbours(&sorted, NEIGHBOURHOOD, &mut add);

    let mut by_identifier: HashMap<(Identifier, &str), Vec<usize>> = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        for kind in Identifier::ALL {
            for value in kind.values(record) {
                by_identifier.entry((kind, value.as_str())).or_default().push(i);
            }
        }
    }
    for group in by_identifier.values().filter(|g| g.len() <= MAX_IDENTIFIER_GROUP) {
        for (n, &a) in group.iter().enumerate() {
            for &b in &group[n + 1..] {
                add(a, b);
            }
        }
    }
    let group_size = |kind: Identifier, value: &str| by_identifier.get(&(kind, value)).map_or(0, Vec::len);

    let mut candidates: Vec<Candidate> = pairs
        .into_iter()
        .filter_map(|(a, b)| {
            let score = similarity(&words[a], &words[b]);
            let (ra, rb) = (&records[a], &records[b]);
            let mut evidence = Vec::new();
            if score >= thresholds.with_identifier {
                for kind in Identifier::ALL {
                    let shared = kind.values(ra).intersection(kind.values(rb));
                    let telling = shared.filter(|v| group_size(kind, v) <= MAX_IDENTIFIER_GROUP);
                    evidence.extend(telling.map(|v| kind.evidence(v.clone())));
                }
            }
            if score >= thresholds.names {
                evidence.push(Evidence::SimilarNames);
            }
            (!evidence.is_empty()).then_some(Candidate { a, b, similarity: score, evidence })
        })
        .collect();
    candidates.sort_by(|x, y| {
        y.similarity
            .total_cmp(&x.similarity)
            .then_with(|| (&records[x.a].key, &records[x.b].key).cmp(&(&records[y.a].key, &records[y.b].key)))
    });
    candidates
}

/// The identifiers two records can share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Identifier {
    CompanyNumber,
    VatNumber,
    Postcode,
}

impl Identifier {
    const ALL: [Identifier; 3] = [Identifier::CompanyNumber, Identifier::VatNumber, Identifier::Postcode];

    fn values(self, record: &SupplierRecord) -> &BTreeSet<String> {
        match self {
            Identifier::CompanyNumber => &record.company_numbers,
            Identifier::VatNumber => &record.vat_numbers,
            Identifier::Postcode => &record.postcodes,
        }
    }

    fn evidence(self, value: String) -> Evidence {
        match self {
            Identifier::CompanyNumber => Evidence::SameCompanyNumber(value),
            Identifier::VatNumber => Evidence::SameVatNumber(value),
            Identifier::Postcode => Evidence::SamePostcode(value),
        }
    }
}

/// Pair each entry of `sorted` with the next `window` entries.
fn neighbours(sorted: &[usize], window: usize, add: &mut impl FnMut(usize, usize)) {
    for (n, &a) in sorted.iter().enumerate() {
        for &b in sorted.iter().skip(n + 1).take(window) {
            add(a, b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(key: &str) -> SupplierRecord {
        SupplierRecord { key: key.to_string(), names: vec![(key.to_string(), 1)], ..Default::default() }
    }

    fn proposed(records: &[SupplierRecord]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = find_candidates(records, &Thresholds::DEFAULT)
            .into_iter()
            .map(|c| (records[c.a].key.clone(), records[c.b].key.clone()))
            .map(|(a, b)| if a < b { (a, b) } else { (b, a) })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn similar_names_are_proposed_and_different_ones_not() {
        let records: Vec<SupplierRecord> = [
            "BIFFA WASTE SERVIC",
            "BIFFA WASTE SERVICES",
            "ALLWEIS AND CO SOLICITORS",
            "ALLWEIS AND CO SOLICTORS",
            "AMEY LG",
            "AMEY OW",
            "SALFORD CITY COUNCIL",
            "MANCHESTER CITY COUNCIL",
        ]
        .into_iter()
        .map(record)
        .collect();
        assert_eq!(
            proposed(&records),
            vec![
                ("ALLWEIS AND CO SOLICITORS".to_string(), "ALLWEIS AND CO SOLICTORS".to_string()),
                ("BIFFA WASTE SERVIC".to_string(), "BIFFA WASTE SERVICES".to_string()),
            ]
        );
    }

    #[test]
    fn a_misspelt_first_word_is_found_by_sorted_neighbourhood() {
        let records: Vec<SupplierRecord> =
            ["GALLIFORD TRY INFRASTRUCTURE", "GALIFORD TRY INFRASTRUCTURE", "ZEBRA CROSSINGS"]
                .into_iter()
                .map(record)
                .collect();
        assert_eq!(
            proposed(&records),
            vec![("GALIFORD TRY INFRASTRUCTURE".to_string(), "GALLIFORD TRY INFRASTRUCTURE".to_string())]
        );
    }

    #[test]
    fn a_shared_identifier_needs_some_name_in_common() {
        let mut a = record("BARCLAYS BANK");
        let mut b = record("BARCLAYCARD BARCLAYS");
        let mut c = record("SOFTCAT");
        let mut d = record("CDW");
        for r in [&mut a, &mut b] {
            r.company_numbers.insert("01026167".into());
        }
        for r in [&mut c, &mut d] {
            r.company_numbers.insert("02174990".into());
        }
        let records = vec![a, b, c, d];
        // Names far below the bar for names alone, but above the bar with an identifier.
        let thresholds = Thresholds { names: 0.99, with_identifier: 0.2 };
        let candidates = find_candidates(&records, &thresholds);
        assert_eq!(candidates.len(), 1, "{candidates:?}");
        assert_eq!(candidates[0].evidence, vec![Evidence::SameCompanyNumber("01026167".into())]);
    }

    #[test]
    fn an_identifier_shared_by_many_proposes_nothing() {
        let records: Vec<SupplierRecord> = (0..=MAX_IDENTIFIER_GROUP)
            .map(|i| {
                let mut r = record(&format!("SCHOOL NUMBER {i}"));
                r.vat_numbers.insert("149151958".into());
                r
            })
            .collect();
        assert!(
            find_candidates(&records, &Thresholds::DEFAULT)
                .iter()
                .all(|c| !matches!(c.evidence[0], Evidence::SameVatNumber(_)))
        );
    }
}
