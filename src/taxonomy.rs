//! The harmonised category taxonomy: ProClass, the local-government procurement
//! classification, as six-digit codes with one canonical label each and their level 1 (the
//! first two digits), plus an explicit out-of-scope class for payments that are not
//! third-party procurement (levies, precepts, grants, tax, pensions, loans, payments to other
//! public bodies). ProClass covers influenceable spend only, so out of scope is a class of its
//! own and never a code.
//!
//! Councils publish ProClass with drifting labels (`SC :`, `SOCIAL CARE :` and `SOCIAL CARE
//! SERVICES :` for one group); the code is the stable part, so [`lookup_published`] goes
//! through the code and reads a label only when no code is given. The table is embedded
//! (`taxonomy/proclass.csv`, derived from the codes Trafford publishes; see its header), so
//! the binary needs nothing at run time. A vocabulary leaf like `money` and `dates`.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// The 30 ProClass level-1 groups by their two-digit prefix (names as Trafford writes them
/// under each prefix; `shared/data/vocab/proclass-level1.csv`).
pub const LEVEL1: [(u8, &str); 30] = [
    (10, "BUILDING MATERIALS"),
    (11, "CATERING"),
    (12, "CEMETERY & CREMATORIUM"),
    (13, "CLEANING & JANITORIAL"),
    (14, "CLOTHING"),
    (15, "CONSULTANCY"),
    (16, "DOMESTIC GOODS"),
    (17, "EDUCATION"),
    (18, "ENVIRONMENTAL SERVICES"),
    (19, "FACILITIES MANAGEMENT"),
    (20, "FINANCIAL SERVICES"),
    (21, "FURNITURE & SOFT FURNISHINGS"),
    (22, "HEALTH & SAFETY"),
    (23, "HIGHWAYS EQUIPMENT & MATERIALS"),
    (24, "HORTICULTURAL"),
    (25, "HOUSING MANAGEMENT"),
    (26, "HUMAN RESOURCES"),
    (27, "INFORMATION COMMUNICATION TECHNOLOGY"),
    (28, "LEGAL SERVICES"),
    (29, "LEISURE & CULTURE"),
    (30, "MAIL SERVICES"),
    (31, "MEDICAL"),
    (32, "SOCIAL CARE & SERVICES"),
    (33, "SPORTS & PLAYGROUND"),
    (34, "STATIONERY"),
    (35, "TRAFFIC MANAGEMENT"),
    (36, "TRANSPORT"),
    (37, "UTILITIES"),
    (38, "VEHICLE MANAGEMENT"),
    (39, "CONSTRUCTION"),
];

/// The label of the out-of-scope class, as reports show it.
pub const OUT_OF_SCOPE_LABEL: &str = "Out of scope";

/// How `categories.toml` and reports spell the out-of-scope class.
pub const OUT_OF_SCOPE_TEXT: &str = "out of scope";

const TABLE_CSV: &str = include_str!("taxonomy/proclass.csv");

/// A ProClass code: six digits whose first two name one of the [`LEVEL1`] groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProclassCode(u32);

/// A harmonised category: a ProClass code, or out of scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Third-party procurement, in ProClass.
    Code(ProclassCode),
    /// Not procurement: levies, precepts, grants, tax, pensions, loans, debtors, payments to
    /// other public bodies.
    OutOfScope,
}

struct Entry {
    /// The label below level 1 (`Domiciliary Care`); empty for a level-1 code.
    short: String,
    /// The label as Trafford published it.
    published: String,
}

struct Table {
    entries: HashMap<u32, Entry>,
    /// Normalised label text (published, canonical, or group + short label) → code.
    by_label: HashMap<String, u32>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut entries = HashMap::new();
        for line in TABLE_CSV.lines().filter(|l| !l.starts_with('#')).skip(1) {
            // `code,label,"published"`: labels never hold a comma (the table's test checks it).
            let mut cells = line.splitn(3, ',');
            let (Some(code), Some(short), Some(published)) = (cells.next(), cells.next(), cells.next()) else {
                continue;
            };
            let Ok(code) = code.parse::<u32>() else { continue };
            entries
                .insert(code, Entry { short: short.to_string(), published: published.trim_matches('"').to_string() });
        }
        for (prefix, _) in LEVEL1 {
            entries
                .entry(u32::from(prefix) * 10_000)
                .or_insert_with(|| Entry { short: String::new(), published: String::new() });
        }
        let mut by_label = HashMap::new();
        let mut codes: Vec<u32> = entries.keys().copied().collect();
        codes.sort_unstable();
        for code in codes {
            let entry: &Entry = &entries[&code];
            // Built here, not with `label()`, which reads this table while it is being made.
            let group = level1_name((code / 10_000) as u8).unwrap_or("");
            let full = if entry.short.is_empty() { group.to_string() } else { format!("{group} : {}", entry.short) };
            for text in [full.as_str(), entry.published.as_str()] {
                if !text.is_empty() {
                    by_label.entry(normalise_label(text)).or_insert(code);
                }
            }
        }
        Table { entries, by_label }
    })
}

/// Label text in one spelling for comparison: upper case, single spaces, ` : ` between
/// segments, punctuation other than `&` and `:` dropped.
pub fn normalise_label(text: &str) -> String {
    text.split(':')
        .map(|segment| {
            segment
                .chars()
                .map(|c| if c.is_alphanumeric() || c == '&' { c.to_ascii_uppercase() } else { ' ' })
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" : ")
}

/// The level-1 name for a two-digit prefix.
pub fn level1_name(prefix: u8) -> Option<&'static str> {
    LEVEL1.iter().find(|(p, _)| *p == prefix).map(|(_, name)| *name)
}

impl ProclassCode {
    /// A code from its text: six digits after trimming (a spreadsheet's `321014.0` too),
    /// whose level 1 is a ProClass group. Codes Trafford never used are accepted: ProClass
    /// has more codes than this table holds.
    pub fn parse(text: &str) -> Option<ProclassCode> {
        let text = text.trim();
        let text = text.strip_suffix(".0").unwrap_or(text);
        if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let code: u32 = text.parse().ok()?;
        level1_name((code / 10_000) as u8)?;
        Some(ProclassCode(code))
    }

    /// The level-1 code of a group (`32` → `320000`), or none for an unknown prefix.
    pub fn group(prefix: u8) -> Option<ProclassCode> {
        level1_name(prefix).map(|_| ProclassCode(u32::from(prefix) * 10_000))
    }

    /// The code as six digits.
    pub fn text(self) -> String {
        format!("{:06}", self.0)
    }

    /// The two-digit level-1 prefix.
    pub fn level1(self) -> u8 {
        (self.0 / 10_000) as u8
    }

    /// The level-1 group's name.
    pub fn level1_name(self) -> &'static str {
        level1_name(self.level1()).unwrap_or("")
    }

    /// Whether this is a level-1 code (`xx0000`): the group is known, nothing finer.
    pub fn is_group(self) -> bool {
        self.0.is_multiple_of(10_000)
    }

    /// The label below level 1 (`Domiciliary Care`), when the table knows the code and it is
    /// finer than level 1.
    pub fn short_label(self) -> Option<&'static str> {
        table().entries.get(&self.0).map(|e| e.short.as_str()).filter(|s| !s.is_empty())
    }

    /// Whether the embedded table knows this code.
    pub fn is_known(self) -> bool {
        table().entries.contains_key(&self.0)
    }

    /// The canonical label, unique per code: `SOCIAL CARE & SERVICES : Domiciliary Care`; a
    /// level-1 code is its group's name; a code the table lacks shows its digits.
    pub fn label(self) -> String {
        match table().entries.get(&self.0) {
            Some(entry) if entry.short.is_empty() => self.level1_name().to_string(),
            Some(entry) => format!("{} : {}", self.level1_name(), entry.short),
            None => format!("{} : {}", self.level1_name(), self.text()),
        }
    }

    /// Every code the embedded table holds (level-1 codes included), in code order.
    pub fn all() -> Vec<ProclassCode> {
        let mut codes: Vec<ProclassCode> = table().entries.keys().map(|&c| ProclassCode(c)).collect();
        codes.sort_unstable();
        codes
    }
}

impl fmt::Display for ProclassCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl Category {
    /// `out of scope` (any case and spacing) or a ProClass code.
    pub fn parse(text: &str) -> Option<Category> {
        if text.split_whitespace().collect::<Vec<_>>().join(" ").eq_ignore_ascii_case(OUT_OF_SCOPE_TEXT) {
            return Some(Category::OutOfScope);
        }
        ProclassCode::parse(text).map(Category::Code)
    }

    /// The harmonised label: the code's canonical label, or `Out of scope`.
    pub fn label(self) -> String {
        match self {
            Category::Code(code) => code.label(),
            Category::OutOfScope => OUT_OF_SCOPE_LABEL.to_string(),
        }
    }

    /// The ProClass code, none for out of scope.
    pub fn code(self) -> Option<ProclassCode> {
        match self {
            Category::Code(code) => Some(code),
            Category::OutOfScope => None,
        }
    }

    /// The level-1 prefix, none for out of scope.
    pub fn level1(self) -> Option<u8> {
        self.code().map(ProclassCode::level1)
    }

    /// The level-1 name, or `Out of scope`.
    pub fn level1_name(self) -> &'static str {
        match self {
            Category::Code(code) => code.level1_name(),
            Category::OutOfScope => OUT_OF_SCOPE_LABEL,
        }
    }

    /// This category at level 1: a code's group code; out of scope stays out of scope.
    pub fn at_level1(self) -> Category {
        match self {
            Category::Code(code) => Category::Code(ProclassCode(u32::from(code.level1()) * 10_000)),
            Category::OutOfScope => Category::OutOfScope,
        }
    }
}

/// Words that say nothing about which group a label prefix names.
const GENERIC_WORDS: [&str; 5] = ["SERVICES", "SERVICE", "MANAGEMENT", "MGT", "&"];

fn stem(word: &str) -> &str {
    if word.len() > 3 { word.strip_suffix('S').unwrap_or(word) } else { word }
}

/// Whether a label's first segment names the level-1 group `name`: a word of it begins a
/// word of the name (`FINANCIAL`, `BUILDING MAT`, `VEHICLES`), or it is a short
/// abbreviation whose letters appear in order in the name (`SC`, `HR`, `FM`, `ICT`, `HWY`).
fn names_group(segment: &str, name: &str) -> bool {
    let name_words: Vec<&str> = name.split_whitespace().filter(|w| !GENERIC_WORDS.contains(w)).map(stem).collect();
    let words: Vec<&str> = segment.split_whitespace().filter(|w| !GENERIC_WORDS.contains(w)).collect();
    if words.is_empty() {
        return false;
    }
    if words
        .iter()
        .map(|w| stem(w))
        .any(|w| w.len() >= 3 && name_words.iter().any(|v| v.starts_with(w) || w.starts_with(v)))
    {
        return true;
    }
    let letters: String = segment.chars().filter(char::is_ascii_alphabetic).collect();
    let name_letters: String = name.chars().filter(char::is_ascii_alphabetic).collect();
    let mut rest = name_letters.chars();
    letters.len() <= 4
        && letters.chars().next() == name_letters.chars().next()
        && letters.chars().all(|c| rest.any(|n| n == c))
}

/// A published label without a published code: the label as published, the canonical
/// label, or a group prefix in any spelling (`SC :`, `SOCIAL CARE :`) before a canonical
/// label of that group. Case, spacing and punctuation do not matter.
fn lookup_label(text: &str) -> Option<ProclassCode> {
    let normal = normalise_label(text);
    if normal.is_empty() {
        return None;
    }
    let table = table();
    if let Some(&code) = table.by_label.get(&normal) {
        return Some(ProclassCode(code));
    }
    let (first, rest) = normal.split_once(" : ").unwrap_or((normal.as_str(), ""));
    let groups: Vec<u8> = LEVEL1.iter().filter(|(_, name)| names_group(first, name)).map(|(p, _)| *p).collect();
    let mut found = None;
    for prefix in groups {
        let candidate = if rest.is_empty() {
            // The group's name alone means the level-1 code.
            (normalise_label(level1_name(prefix)?) == first).then(|| u32::from(prefix) * 10_000)
        } else {
            table.by_label.get(&normalise_label(&format!("{} : {rest}", level1_name(prefix)?))).copied()
        };
        match (found, candidate) {
            (None, Some(code)) => found = Some(code),
            (Some(a), Some(b)) if a != b => return None,
            _ => {}
        }
    }
    found.map(ProclassCode)
}

/// A council's published ProClass code and label normalised through the code: a valid
/// code decides (whatever label drift beside it); without one the label is looked up
/// ([`ProclassCode`] labels, Trafford's published spellings, any group prefix). None when
/// neither names a ProClass code. Never out of scope: ProClass has no such code.
pub fn lookup_published(code_text: Option<&str>, label_text: Option<&str>) -> Option<Category> {
    if let Some(code) = code_text.and_then(ProclassCode::parse) {
        return Some(Category::Code(code));
    }
    label_text.and_then(lookup_label).map(Category::Code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> ProclassCode {
        ProclassCode::parse(text).unwrap()
    }

    #[test]
    fn codes_parse_to_six_digits_of_a_known_group() {
        assert_eq!(code("321014").text(), "321014");
        assert_eq!(code(" 321014.0 ").text(), "321014");
        assert_eq!(ProclassCode::parse("32101"), None);
        assert_eq!(ProclassCode::parse("991014"), None);
        assert_eq!(ProclassCode::parse("NA"), None);
        assert_eq!(code("321014").level1(), 32);
        assert_eq!(code("321014").level1_name(), "SOCIAL CARE & SERVICES");
        // A ProClass code Trafford never used is still a code.
        assert!(!code("399999").is_known());
        assert_eq!(code("399999").level1_name(), "CONSTRUCTION");
    }

    #[test]
    fn labels_lose_the_drifting_prefix_and_gain_the_group_name() {
        assert_eq!(code("321014").label(), "SOCIAL CARE & SERVICES : Domiciliary Care");
        assert_eq!(code("321117").label(), "SOCIAL CARE & SERVICES : Children Residential Care");
        assert_eq!(code("261414").label(), "HUMAN RESOURCES : Agency Staff : Social Care");
        assert_eq!(code("182013").label(), "ENVIRONMENTAL SERVICES : Waste Mgt : Waste Collection");
        assert_eq!(code("250000").label(), "HOUSING MANAGEMENT");
        assert_eq!(ProclassCode::group(37).unwrap().label(), "UTILITIES");
        assert_eq!(Category::OutOfScope.label(), "Out of scope");
    }

    #[test]
    fn canonical_labels_are_unique_and_the_table_is_well_formed() {
        let mut seen = HashMap::new();
        for code in ProclassCode::all() {
            if let Some(other) = seen.insert(code.label(), code) {
                panic!("{code} and {other} share the label {}", code.label());
            }
        }
        for line in TABLE_CSV.lines().filter(|l| !l.starts_with('#')).skip(1) {
            assert_eq!(line.matches(',').count(), 2, "{line}");
        }
        // 30 groups, each with a level-1 code.
        assert!(LEVEL1.iter().all(|(p, _)| ProclassCode::group(*p).unwrap().is_known()));
    }

    #[test]
    fn a_published_code_decides_over_its_label() {
        let domiciliary = Some(Category::Code(code("321014")));
        assert_eq!(lookup_published(Some("321014"), Some("SC : Children Residential Care")), domiciliary);
        assert_eq!(lookup_published(Some("NA"), Some("SOCIAL CARE : Domiciliary Care")), domiciliary);
        assert_eq!(lookup_published(None, None), None);
        assert_eq!(lookup_published(Some("NA"), Some("NA")), None);
    }

    #[test]
    fn labels_alone_are_found_whatever_the_prefix_case_and_spacing() {
        let residential = Some(Category::Code(code("321117")));
        for text in [
            "SC : Children Residential Care",
            "SOCIAL CARE : Children Residential Care",
            "social care services:children  residential care",
            "SOCIAL CARE & SERVICES : Children Residential Care",
        ] {
            assert_eq!(lookup_published(None, Some(text)), residential, "{text}");
        }
        assert_eq!(
            lookup_published(None, Some("HR : Agency Staff : Social Care")),
            Some(Category::Code(code("261414")))
        );
        assert_eq!(
            lookup_published(None, Some("HUMAN RESOURCES : Supply Teachers")),
            Some(Category::Code(code("261415")))
        );
        assert_eq!(lookup_published(None, Some("Utilities")), Some(Category::Code(code("370000"))));
        // A word that is no group, or a label no group has.
        assert_eq!(lookup_published(None, Some("Refuse Collection")), None);
        assert_eq!(lookup_published(None, Some("SC : Refuse Collection")), None);
    }

    #[test]
    fn group_prefixes_are_recognised_by_words_and_abbreviations() {
        assert!(names_group("SC", "SOCIAL CARE & SERVICES"));
        assert!(names_group("HWY", "HIGHWAYS EQUIPMENT & MATERIALS"));
        assert!(names_group("VEHICLES", "VEHICLE MANAGEMENT"));
        assert!(names_group("BUILDING MAT", "BUILDING MATERIALS"));
        assert!(!names_group("TAXI SERVICES", "TRANSPORT"));
        assert!(!names_group("SERVICES", "ENVIRONMENTAL SERVICES"));
    }

    #[test]
    fn out_of_scope_is_a_class_not_a_code() {
        assert_eq!(Category::parse("Out  of SCOPE"), Some(Category::OutOfScope));
        assert_eq!(Category::OutOfScope.code(), None);
        assert_eq!(Category::parse("371000"), Some(Category::Code(code("371000"))));
        assert_eq!(Category::Code(code("371000")).at_level1(), Category::Code(code("370000")));
    }
}
