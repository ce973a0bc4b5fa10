//! Supplier names → a key that groups the same supplier however a council spelt it, and
//! detection of redacted beneficiaries (personal data withheld). Part of supplier identity,
//! so ingest (which stores the key in both tables) and `spendql suppliers` (which
//! recomputes it to read `suppliers.toml`) share one definition.
//!
//! Each normalisation rule beyond case, spacing and punctuation is a switch in
//! [`KeyRules`], so its effect on precision and recall can be measured against the
//! labelled pairs in `benches/supplier_pairs.csv` (`cargo run --example supplier_eval`) and
//! on councils' names labelled with company numbers (`cargo run --example
//! supplier_labelled`); [`KeyRules::DEFAULT`] keeps the rules those measurements justified
//! (BENCHMARKS.md).

use std::sync::OnceLock;

use regex::Regex;

/// Legal forms that make a supplier a registered company, whose details must then include
/// its company number (`check`); the key also drops them from the end of a name.
pub const COMPANY_FORMS: &[&str] = &["LTD", "LIMITED", "PLC", "LLP", "CIC"];

/// Further legal forms the key drops, which `check` does not read as a company that must
/// publish a number (foreign `INC` and `LLC`, charities' `CIO`, ...).
const OTHER_LEGAL_FORMS: &[&str] = &["INC", "LLC", "LP", "CIO", "ULC"];

/// Whether a key word is a legal form dropped from the end of a name: `Acme Ltd` and
/// `ACME LIMITED` are one supplier.
fn is_legal_form(word: &str) -> bool {
    COMPANY_FORMS.contains(&word) || OTHER_LEGAL_FORMS.contains(&word)
}

/// Legal forms that end a company's registered name wherever they appear: what follows
/// them is a council's note (`Ltd - Client Account`, `Ltd (Airtime)`, `Ltd T/A Topcare`).
/// `INC`, `CIC` and the like are left out because they also occur inside names
/// (`Kids Inc Residential Services`, `Bangdrum CIC & Global Grooves`).
const NAME_ENDING_FORMS: &[&str] = &["LTD", "LIMITED", "PLC", "LLP"];

/// `LIMITED` cut short by a council's fixed-width column (`Eric Wright Civil Engineering Limit`).
const TRUNCATED_LIMITED: &[&str] = &["LIMI", "LIMIT", "LIMITE"];

/// What a `X T/A Y` ("trading as") name is keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TradingAs {
    /// The whole text, `T/A` included (no special treatment).
    Keep,
    /// The legal entity before `T/A`: the party that is paid and that contracts.
    LegalEntity,
    /// The trading name after `T/A`.
    TradingName,
}

/// What is done with `UK` in a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UkMarker {
    /// `UK` is kept wherever it is.
    Keep,
    /// Dropped when a legal form follows it: `Iron Mountain (UK) Ltd` → `IRON MOUNTAIN`.
    BeforeLegalForm,
    /// Also dropped at the end of a name of three or more words: `School of Life UK`;
    /// `Age UK` and `Adoption UK` keep it.
    Trailing,
}

/// The normalisation rules beyond case, spacing, punctuation, `&` → `AND` and trailing
/// legal forms, each switchable so that its effect can be measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRules {
    /// `X T/A Y`, `X t/a Y`, `X trading as Y`, `X Ltd/Ta Y`.
    pub trading_as: TradingAs,
    /// Everything after the first `LTD`, `LIMITED`, `PLC` or `LLP` that is not the first
    /// word is dropped: `Hollowood Chemist Ltd (Sale)` → `HOLLOWOOD CHEMIST`.
    pub cut_after_legal_form: bool,
    /// A leading `THE` and a trailing `(THE)` are dropped.
    pub the: bool,
    /// The word `COMPANY` is read as `CO`.
    pub company_as_co: bool,
    /// A trailing `CO` or `COMPANY` is dropped unless it follows `AND` (`Smith & Co` keeps it).
    pub trailing_co: bool,
    /// What is done with `UK` in a name.
    pub uk: UkMarker,
    /// A trailing `LIMI`, `LIMIT` or `LIMITE` (a truncated `LIMITED`) is dropped.
    pub truncated_limited: bool,
    /// `+` is read as `AND` (otherwise it separates words).
    pub plus_as_and: bool,
    /// A trailing `GROUP` is dropped.
    pub trailing_group: bool,
    /// Card-payment references are dropped: words after the first of at least six
    /// characters with three or more digits (`Amazon.Co.Uk*2D40F5Kk4`, `Premier Inn 39137590`),
    /// and a run of five or more digits glued to the end of a word (`PREMIER INN44013615`).
    pub references: bool,
    /// A `#` after the first word ends the name: what follows is a second line of the
    /// council's supplier record, an account number or a reference (`Making Space#4`,
    /// `Mill View Care Home#BUPA`, `WAYFAIR #2288668994`).
    pub hash_notes: bool,
    /// Letters with accents are read without them (`Café` → `CAFE`), as councils' systems
    /// often drop them.
    pub fold_accents: bool,
    /// A run of two or more one-letter words is one word (`M R M Street Furniture` →
    /// `MRM STREET FURNITURE`): initials spaced or not.
    pub join_initials: bool,
    /// `X (a) division of Y`, `X (part of Y)`: keyed on Y, the legal entity, unless X
    /// carries a legal form itself (`Eventcity Ltd Part Of Peel Group` is Eventcity).
    pub division_of: bool,
    /// Common abbreviations are read in full: `ASSOC`/`ASSN` (association), `SVCS`/`SERVS`
    /// (services), `BROS` (brothers), `INTL` (international), `MGMT` (management).
    pub abbreviations: bool,
    /// A bare `TA` between words is a trading-as marker too (`Leeds Commercial TA L C
    /// Vehicle Hire`), when two words of at least two letters come before it.
    pub bare_ta: bool,
    /// `X (Y Trust)` ending a name is keyed on the trust `Y Trust`, the legal entity a
    /// school of a multi-academy trust is paid through (`Manor Academy (Sovereign Trust)`),
    /// when `X` has no legal form and the brackets hold two or more words besides `THE`.
    pub bracketed_trust: bool,
    /// Legal forms spelt out in words are dropped from the end like their abbreviations:
    /// `Community Interest Company`, `Public Limited Company`, `Limited Liability
    /// Partnership`, `Charitable Incorporated Organisation`.
    pub legal_phrases: bool,
}

impl KeyRules {
    /// The rules as they were before any was measured: none of the optional ones.
    pub const BASELINE: KeyRules = KeyRules {
        trading_as: TradingAs::Keep,
        cut_after_legal_form: false,
        the: false,
        company_as_co: false,
        trailing_co: false,
        uk: UkMarker::Keep,
        truncated_limited: false,
        plus_as_and: false,
        trailing_group: false,
        references: false,
        hash_notes: false,
        fold_accents: false,
        join_initials: false,
        division_of: false,
        abbreviations: false,
        bare_ta: false,
        bracketed_trust: false,
        legal_phrases: false,
    };

    /// The rules [`supplier_key`] applies: each kept because it raised recall on the
    /// labelled pairs (`supplier_eval`) or the labelled councils (`supplier_labelled`)
    /// without merging different companies (BENCHMARKS.md, "Supplier matching").
    pub const DEFAULT: KeyRules = KeyRules {
        trading_as: TradingAs::LegalEntity,
        cut_after_legal_form: true,
        the: true,
        company_as_co: true,
        trailing_co: true,
        uk: UkMarker::Trailing,
        truncated_limited: true,
        plus_as_and: true,
        trailing_group: false,
        references: true,
        hash_notes: true,
        fold_accents: true,
        join_initials: true,
        division_of: true,
        abbreviations: true,
        bare_ta: true,
        bracketed_trust: true,
        legal_phrases: true,
    };
}

/// The supplier key of a name under [`KeyRules::DEFAULT`]: upper case, trimmed, accents
/// and punctuation removed, `&` and `+` read as AND, internal spaces collapsed, a `#` note
/// dropped, the legal entity of a `T/A`, `division of` or `(… Trust)` name, a leading `THE`
/// dropped, `COMPANY` read as `CO`, spaced initials joined, common abbreviations read in
/// full, anything after the legal form, and trailing legal forms (`LTD`, `L.T.D.`,
/// `LIMITED`, `PLC`, `COMMUNITY INTEREST COMPANY`, ..., `CO`, `UK` before a legal form)
/// removed. A name that is nothing but a legal form keeps it, so the key is never empty
/// for a non-empty name.
pub fn supplier_key(name: &str) -> String {
    supplier_key_with(name, &KeyRules::DEFAULT)
}

/// The supplier key of a name under the given rules.
pub fn supplier_key_with(name: &str, rules: &KeyRules) -> String {
    let name = if rules.hash_notes { before_hash(name, rules) } else { name };
    let name = if rules.division_of { division_entity(name, rules) } else { name };
    let name = if rules.bracketed_trust { bracketed_trust(name, rules) } else { name };
    let part = match rules.trading_as {
        TradingAs::Keep => name,
        policy => match trading_as_split(name, rules.bare_ta) {
            Some((legal, trading)) => {
                let (first, second) =
                    if policy == TradingAs::LegalEntity { (legal, trading) } else { (trading, legal) };
                if key_words(first, rules).is_empty() { second } else { first }
            }
            None => name,
        },
    };
    let mut words = key_words(part, rules);
    if rules.references {
        drop_references(&mut words);
    }
    if rules.join_initials {
        join_initials(&mut words);
    }
    if rules.abbreviations {
        for word in &mut words {
            if let Some(full) = ABBREVIATIONS.iter().find(|(short, _)| short == word).map(|(_, full)| full) {
                *word = (*full).to_string();
            }
        }
    }
    if rules.cut_after_legal_form
        && let Some(end) = words.iter().skip(1).position(|w| NAME_ENDING_FORMS.contains(&w.as_str()))
    {
        words.truncate(end + 2);
    }
    if rules.the && words.len() > 1 && words[0] == "THE" {
        words.remove(0);
    }
    if rules.company_as_co {
        for word in &mut words {
            if word == "COMPANY" {
                *word = "CO".to_string();
            }
        }
    }
    let keep = trailing_kept(&words, rules);
    words.truncate(keep);
    words.join(" ")
}

/// Abbreviations read in full ([`KeyRules::abbreviations`]): only ones with no other
/// common reading in a supplier's name.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("ASSOC", "ASSOCIATION"),
    ("ASSN", "ASSOCIATION"),
    ("SVCS", "SERVICES"),
    ("SERVS", "SERVICES"),
    ("BROS", "BROTHERS"),
    ("INTL", "INTERNATIONAL"),
    ("MGMT", "MANAGEMENT"),
];

/// The name before the first `#` that follows a word ([`KeyRules::hash_notes`]).
fn before_hash<'a>(name: &'a str, rules: &KeyRules) -> &'a str {
    name.match_indices('#')
        .map(|(at, _)| &name[..at])
        .find(|before| !key_words(before, rules).is_empty())
        .unwrap_or(name)
}

/// `X (a) division of Y` / `X (part of Y)` → `Y`, unless `X` has a legal form or `Y` is
/// empty ([`KeyRules::division_of`]).
fn division_entity<'a>(name: &'a str, rules: &KeyRules) -> &'a str {
    static MARKER: OnceLock<Regex> = OnceLock::new();
    let marker = MARKER.get_or_init(|| {
        Regex::new(r"(?i)[\s(,\-]+(?:a\s+)?(?:division|part)\s+of\s").expect("the division pattern is valid")
    });
    let Some(found) = marker.find(name) else { return name };
    let (owner, entity) = (&name[..found.start()], &name[found.end()..]);
    let owner_words = key_words(owner, rules);
    if owner_words.is_empty() || owner_words.iter().any(|w| is_legal_form(w)) || key_words(entity, rules).is_empty() {
        return name;
    }
    entity
}

/// `X (Y Trust)` → `Y Trust` ([`KeyRules::bracketed_trust`]).
fn bracketed_trust<'a>(name: &'a str, rules: &KeyRules) -> &'a str {
    let trimmed = name.trim_end();
    let Some(inside) = trimmed.strip_suffix(')') else { return name };
    let Some(open) = inside.rfind('(') else { return name };
    let (owner, entity) = (&inside[..open], &inside[open + 1..]);
    let owner_words = key_words(owner, rules);
    let entity_words: Vec<String> = key_words(entity, rules).into_iter().filter(|w| w != "THE").collect();
    let is_trust = entity_words.len() >= 2 && entity_words.last().is_some_and(|w| w == "TRUST");
    if !is_trust || owner_words.is_empty() || owner_words.iter().any(|w| is_legal_form(w)) {
        return name;
    }
    entity
}

/// Runs of two or more one-letter words become one word ([`KeyRules::join_initials`]);
/// `AND` (from `&`) is a word of its own, so `M & S` stays three words.
fn join_initials(words: &mut Vec<String>) {
    let single = |w: &String| w.chars().count() == 1 && w.chars().all(char::is_alphabetic);
    let mut joined: Vec<String> = Vec::with_capacity(words.len());
    let mut run = 0;
    for word in words.drain(..) {
        if single(&word) {
            if run > 0 {
                joined.last_mut().expect("a run has a word").push_str(&word);
            } else {
                joined.push(word);
            }
            run += 1;
        } else {
            joined.push(word);
            run = 0;
        }
    }
    *words = joined;
}

/// Legal forms spelt out in words ([`KeyRules::legal_phrases`]), as the key's words read
/// them (`COMPANY` may already be `CO`; a cut after `LIMITED` may have left `PUBLIC LIMITED`).
const LEGAL_PHRASES: &[&[&str]] = &[
    &["COMMUNITY", "INTEREST", "COMPANY"],
    &["COMMUNITY", "INTEREST", "CO"],
    &["PUBLIC", "LIMITED", "COMPANY"],
    &["PUBLIC", "LIMITED", "CO"],
    &["PUBLIC", "LIMITED"],
    &["LIMITED", "LIABILITY", "PARTNERSHIP"],
    &["CHARITABLE", "INCORPORATED", "ORGANISATION"],
];

/// Whether a run of words ends with the given words.
trait EndsWithWords {
    fn ends_with_words(&self, tail: &[&str]) -> bool;
}

impl EndsWithWords for [String] {
    fn ends_with_words(&self, tail: &[&str]) -> bool {
        self.len() >= tail.len() && self[self.len() - tail.len()..].iter().zip(tail).all(|(w, t)| w == t)
    }
}

/// How many words remain once trailing legal forms and the other trailing words the rules
/// drop are removed; at least one.
fn trailing_kept(words: &[String], rules: &KeyRules) -> usize {
    let mut keep = words.len();
    // Whether the word after `keep` (already dropped) was a legal form: `UK` before one goes.
    let mut legal_form_follows = false;
    while keep > 1 {
        if rules.legal_phrases
            && let Some(phrase) = LEGAL_PHRASES.iter().find(|p| p.len() < keep && words[..keep].ends_with_words(p))
        {
            keep -= phrase.len();
            legal_form_follows = true;
            continue;
        }
        let word = words[keep - 1].as_str();
        let before = words[keep - 2].as_str();
        let is_legal = is_legal_form(word) || (rules.truncated_limited && TRUNCATED_LIMITED.contains(&word));
        let drop = is_legal
            || (rules.the && word == "THE")
            || (rules.trailing_group && word == "GROUP")
            || (rules.trailing_co && matches!(word, "CO" | "COMPANY") && before != "AND" && keep > 2)
            || (word == "UK"
                && match rules.uk {
                    UkMarker::Keep => false,
                    UkMarker::BeforeLegalForm => legal_form_follows,
                    UkMarker::Trailing => legal_form_follows || keep > 2,
                });
        if !drop {
            break;
        }
        legal_form_follows = is_legal;
        keep -= 1;
    }
    keep
}

/// `X T/A Y` → (`X`, `Y`): the text before and after a trading-as marker (`T/A`, `t / a`,
/// `trading as`, or `TA` straight after a legal form as in `Ltd/Ta` or `Limited Ta`).
fn trading_as_split(name: &str, bare_ta: bool) -> Option<(&str, &str)> {
    static BARE: OnceLock<Regex> = OnceLock::new();
    static MARKER: OnceLock<Regex> = OnceLock::new();
    let marker = MARKER.get_or_init(|| {
        Regex::new(
            r"(?i)(?:^|[^\p{L}\p{N}])(t\s*/\s*a|trading\s+as)(?:[^\p{L}\p{N}]|$)|\b(?:ltd|limited|plc|llp)\b\.?\s*/?\s*(ta)\b",
        )
        .expect("the trading-as pattern is valid")
    });
    if let Some(captures) = marker.captures(name) {
        let found = captures.get(1).or_else(|| captures.get(2))?;
        return Some((&name[..found.start()], &name[found.end()..]));
    }
    if !bare_ta {
        return None;
    }
    // Two words of two or more letters, then `TA` alone, then more: never initials
    // (`J T A Smith`, `T A Jones`).
    let bare = BARE.get_or_init(|| {
        Regex::new(r"(?i)^\s*[\p{L}\p{N}]{2,}[^\p{L}\p{N}]+(?:\S+\s+)*?[\p{L}\p{N}]{2,}\s+(ta)\s+\S")
            .expect("the bare TA pattern is valid")
    });
    let found = bare.captures(name)?.get(1)?;
    Some((&name[..found.start()], &name[found.end()..]))
}

/// Drop card-payment reference words (see [`KeyRules::references`]); never the first word.
fn drop_references(words: &mut Vec<String>) {
    for word in words.iter_mut().skip(1) {
        let digits = word.bytes().rev().take_while(u8::is_ascii_digit).count();
        let letters = word.len() - digits;
        if digits >= 5 && letters >= 2 && word.bytes().take(letters).all(|b| b.is_ascii_alphabetic()) {
            word.truncate(letters);
        }
    }
    if let Some(first_reference) = words.iter().skip(1).position(|w| is_reference(w)) {
        words.truncate(first_reference + 1);
    }
}

fn is_reference(word: &str) -> bool {
    word.chars().count() >= 6 && word.chars().filter(char::is_ascii_digit).count() >= 3
}

/// Words of a name: `&` (and `+` when asked) becomes AND, dots and apostrophes join
/// (`L.T.D.` → `LTD`, `O'Brien` → `OBRIEN`), any other punctuation separates.
fn key_words(name: &str, rules: &KeyRules) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
    };
    for c in name.chars() {
        if c.is_alphanumeric() {
            if rules.fold_accents
                && let Some(plain) = unaccented(c)
            {
                word.push_str(plain);
            } else {
                word.extend(c.to_uppercase());
            }
        } else if matches!(c, '.' | '\'' | '’' | '‘' | '`' | '´' | 'ʼ') {
            // joins
        } else if c == '&' || (rules.plus_as_and && c == '+') {
            flush(&mut word, &mut words);
            words.push("AND".to_string());
        } else {
            flush(&mut word, &mut words);
        }
    }
    flush(&mut word, &mut words);
    words
}

/// The upper-case letter without its accent, for the accented Latin letters of Western
/// European names (`é` → `E`, `Ø` → `O`, `ß` → `SS`); `None` for any other character.
fn unaccented(c: char) -> Option<&'static str> {
    const FOLDS: &[(&str, &str)] = &[
        ("ÀÁÂÃÄÅàáâãäåĀāĂăĄą", "A"),
        ("ÇçĆćĈĉĊċČč", "C"),
        ("ĎďĐđ", "D"),
        ("ÈÉÊËèéêëĒēĔĕĖėĘęĚě", "E"),
        ("ĜĝĞğĠġĢģ", "G"),
        ("ĤĥĦħ", "H"),
        ("ÌÍÎÏìíîïĨĩĪīĬĭĮįİı", "I"),
        ("Ĵĵ", "J"),
        ("Ķķ", "K"),
        ("ĹĺĻļĽľĿŀŁł", "L"),
        ("ÑñŃńŅņŇň", "N"),
        ("ÒÓÔÕÖØòóôõöøŌōŎŏŐő", "O"),
        ("ŔŕŖŗŘř", "R"),
        ("ŚśŜŝŞşŠš", "S"),
        ("ŢţŤťŦŧ", "T"),
        ("ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų", "U"),
        ("Ŵŵ", "W"),
        ("ÝýÿŶŷŸ", "Y"),
        ("ŹźŻżŽž", "Z"),
        ("ß", "SS"),
        ("Ææ", "AE"),
        ("Œœ", "OE"),
    ];
    FOLDS.iter().find(|(accented, _)| accented.contains(c)).map(|(_, plain)| *plain)
}

/// Phrases councils publish in place of a beneficiary's name when it is personal data.
const REDACTION_PHRASES: &[&str] = &[
    "PERSONAL INFORMATION",
    "PERSONAL DATA",
    "PERSONAL DETAILS",
    "DATA PROTECTION",
    "NAME WITHHELD",
    "WITHHELD",
    "NOT DISCLOSED",
    "PRIVATE INDIVIDUAL",
    "INDIVIDUAL",
    "CONFIDENTIAL",
    "SENSITIVE",
    "GDPR",
];

/// Whether a beneficiary name is a redaction (`Redacted`, `REDACTED PERSONAL DATA`,
/// `Personal Information`, `Data Protection Act`, ...) rather than a supplier. A real
/// company whose name merely starts like one (`Redactive Publishing Ltd`, `Data Protection
/// Consultants Ltd`) is not: redaction markers are whole words, and phrases count only when
/// the name carries no legal form and little else. Only the name before a `#` note counts.
pub fn is_redacted(name: &str) -> bool {
    // A note after `#` is not the name: `Grosvenor Guest House#Redacted - Personal Data` is
    // a guest house whose second line was withheld.
    let name = before_hash(name, &KeyRules::BASELINE);
    let words = key_words(name, &KeyRules::BASELINE);
    if words.iter().any(|w| matches!(w.as_str(), "REDACTED" | "REDACTION" | "REDACT")) {
        return true;
    }
    if words.is_empty() || words.len() > 6 || words.last().is_some_and(|w| is_legal_form(w)) {
        return false;
    }
    let text = words.join(" ");
    REDACTION_PHRASES.iter().any(|phrase| {
        text.strip_prefix(phrase).is_some_and(|rest| {
            // Only qualifiers may follow: `Data Protection Act 2018`, `Personal Data (GDPR)`.
            rest.split_whitespace().all(|w| {
                matches!(w, "ACT" | "GDPR" | "DPA" | "S" | "SECTION" | "EXEMPT" | "EXEMPTION" | "REASONS")
                    || w.chars().all(|c| c.is_ascii_digit())
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_spacing_and_punctuation() {
        assert_eq!(supplier_key("  Acme   Widgets  "), "ACME WIDGETS");
        assert_eq!(supplier_key("acme widgets"), "ACME WIDGETS");
        assert_eq!(supplier_key("Acme-Widgets"), "ACME WIDGETS");
        assert_eq!(supplier_key("O'Brien Plumbing"), "OBRIEN PLUMBING");
        assert_eq!(supplier_key("Smith (UK)"), "SMITH UK");
    }

    #[test]
    fn baseline_rules_are_the_original_normalisation() {
        let base = |name: &str| supplier_key_with(name, &KeyRules::BASELINE);
        assert_eq!(base("Smith (UK) Ltd."), "SMITH UK");
        assert_eq!(base("Group 4 Total Security Ltd T/A G4S"), "GROUP 4 TOTAL SECURITY LTD T A G4S");
        assert_eq!(base("The Open University"), "THE OPEN UNIVERSITY");
        assert_eq!(base("Marwood Electrical Company Ltd"), "MARWOOD ELECTRICAL COMPANY");
        assert_eq!(base("Pabla+Pabla Solicitors"), "PABLA PABLA SOLICITORS");
        assert_eq!(base("Eric Wright Civil Engineering Limit"), "ERIC WRIGHT CIVIL ENGINEERING LIMIT");
        assert_eq!(base("Hollowood Chemist Ltd (Sale)"), "HOLLOWOOD CHEMIST LTD SALE");
    }

    #[test]
    fn trading_as_keys_on_the_legal_entity() {
        for name in [
            "Group 4 Total Security Ltd T/A G4S",
            "Group 4 Total Security Ltd t/a G4S",
            "Group 4 Total Security Ltd t / a G4S",
            "Group 4 Total Security Ltd Trading As G4S",
            "Group 4 Total Security Ltd/Ta G4S",
            "Group 4 Total Security Limited Ta G4S",
            "Group 4 Total Security Ltd (T/A G4S)",
            "Group 4 Total Security Ltd T/A",
        ] {
            assert_eq!(supplier_key(name), "GROUP 4 TOTAL SECURITY", "{name}");
        }
        assert_eq!(supplier_key("J SMITH T/A SMITHS PLUMBING"), "J SMITH");
        assert_eq!(supplier_key("T/A Deli Walkden"), "DELI WALKDEN", "no legal entity: the trading name");
        assert_eq!(supplier_key("Art/Antiques Ltd"), "ART ANTIQUES", "a slash inside words is no marker");
        assert_eq!(supplier_key("T A Jones Ltd"), "TA JONES", "initials are no marker (and are joined)");
        assert_eq!(supplier_key("Data Systems"), "DATA SYSTEMS", "TA inside a word is no marker");
        let trading = KeyRules { trading_as: TradingAs::TradingName, ..KeyRules::BASELINE };
        assert_eq!(supplier_key_with("J SMITH T/A SMITHS PLUMBING", &trading), "SMITHS PLUMBING");
    }

    #[test]
    fn notes_after_the_legal_form_are_dropped() {
        assert_eq!(supplier_key("Hollowood Chemist Ltd (Sale)"), "HOLLOWOOD CHEMIST");
        assert_eq!(supplier_key("Gerald Eve Llp - Client Account"), "GERALD EVE");
        assert_eq!(supplier_key("EE Ltd (Airtime)"), "EE");
        assert_eq!(supplier_key("Kids Inc Residential Services Ltd"), "KIDS INC RESIDENTIAL SERVICES", "INC is no cut");
        assert_eq!(supplier_key("Bangdrum Cic & Global Grooves"), "BANGDRUM CIC AND GLOBAL GROOVES", "CIC is no cut");
        assert_eq!(supplier_key("Ltd Services"), "LTD SERVICES", "a first word is no cut");
    }

    #[test]
    fn the_company_uk_and_truncated_limited() {
        assert_eq!(supplier_key("The Open University"), "OPEN UNIVERSITY");
        assert_eq!(supplier_key("Shaw Trust Ltd (The)"), "SHAW TRUST");
        assert_eq!(supplier_key("The"), "THE");
        assert_eq!(supplier_key("Marwood Electrical Company Ltd"), "MARWOOD ELECTRICAL");
        assert_eq!(supplier_key("Marwood Electrical Co"), "MARWOOD ELECTRICAL");
        assert_eq!(supplier_key("Scott Rees & Company Solicitors"), "SCOTT REES AND CO SOLICITORS");
        assert_eq!(supplier_key("Iron Mountain (UK) Ltd"), "IRON MOUNTAIN");
        assert_eq!(supplier_key("Age UK"), "AGE UK");
        assert_eq!(supplier_key("Adoption UK"), "ADOPTION UK", "a two-word name keeps its UK");
        assert_eq!(supplier_key("School of Life UK"), "SCHOOL OF LIFE");
        assert_eq!(supplier_key("Eric Wright Civil Engineering Limit"), "ERIC WRIGHT CIVIL ENGINEERING");
        assert_eq!(supplier_key("FARROW & BALL LIMI"), "FARROW AND BALL");
        assert_eq!(supplier_key("Pabla+Pabla Solicitors"), "PABLA AND PABLA SOLICITORS");
        assert_eq!(supplier_key("Royal Mail Group Ltd"), "ROYAL MAIL GROUP", "GROUP is kept");
        assert_eq!(supplier_key("Amazon.Co.Uk*2D40F5Kk4"), "AMAZONCOUK");
    }

    #[test]
    fn references_rule_drops_card_references() {
        let rules = KeyRules { references: true, ..KeyRules::BASELINE };
        assert_eq!(supplier_key_with("Amazon.Co.Uk*2D40F5Kk4", &rules), "AMAZONCOUK");
        assert_eq!(supplier_key_with("PREMIER INN44013615", &rules), "PREMIER INN");
        assert_eq!(supplier_key_with("Premier Inn 39137590", &rules), "PREMIER INN");
        assert_eq!(supplier_key_with("CM2000 Care Management", &rules), "CM2000 CARE MANAGEMENT");
    }

    #[test]
    fn ampersand_reads_as_and() {
        assert_eq!(supplier_key("Scottish & Southern Energy Plc"), "SCOTTISH AND SOUTHERN ENERGY");
        assert_eq!(supplier_key("Scottish and Southern Energy PLC"), "SCOTTISH AND SOUTHERN ENERGY");
        assert_eq!(supplier_key("M&S"), "M AND S");
    }

    #[test]
    fn trailing_legal_forms_are_removed() {
        for name in [
            "Deekay Technical Recruitment Ltd",
            "Deekay Technical Recruitment LTD.",
            "Deekay Technical Recruitment Limited",
            "DEEKAY TECHNICAL RECRUITMENT L.T.D.",
            "Deekay Technical Recruitment",
            "Deekay Technical Recruitment Ltd Limited",
        ] {
            assert_eq!(supplier_key(name), "DEEKAY TECHNICAL RECRUITMENT", "{name}");
        }
        assert_eq!(supplier_key("Station South CIC"), "STATION SOUTH");
        assert_eq!(supplier_key("Bloggs & Partners LLP"), "BLOGGS AND PARTNERS");
        assert_eq!(supplier_key("Bloggs & Partners L.L.P."), "BLOGGS AND PARTNERS");
        assert_eq!(supplier_key("Smith & Co Ltd"), "SMITH AND CO", "CO is part of the name");
        assert_eq!(supplier_key("Limited"), "LIMITED", "never empty");
        assert_eq!(supplier_key("Ltd Services"), "LTD SERVICES", "only trailing forms");
        assert_eq!(supplier_key(""), "");
        assert_eq!(supplier_key("Café Nero Ltd"), "CAFE NERO");
        let kept = KeyRules { fold_accents: false, ..KeyRules::DEFAULT };
        assert_eq!(supplier_key_with("Café Nero Ltd", &kept), "CAFÉ NERO");
    }

    /// Whether two names get one key under the default rules.
    fn same(a: &str, b: &str) -> bool {
        supplier_key(a) == supplier_key(b)
    }

    #[test]
    fn legal_forms_chain_and_spelt_out() {
        for name in [
            "Acme Widgets UK Ltd",
            "Acme Widgets (UK) Limited",
            "Acme Widgets Ltd.",
            "ACME WIDGETS PLC",
            "Acme Widgets Public Limited Company",
            "Acme Widgets Community Interest Company",
            "Acme Widgets C.I.C.",
            "Acme Widgets CIO",
            "Acme Widgets Charitable Incorporated Organisation",
            "Acme Widgets Limited Liability Partnership",
            "Acme Widgets LLP",
        ] {
            assert_eq!(supplier_key(name), "ACME WIDGETS", "{name}");
        }
        assert!(!same("Smith & Sons Ltd", "Smith Ltd"), "a name's own words stay");
        assert!(!same("Smith & Co Ltd", "Smith Ltd"), "& Co is part of the name");
        assert!(!same("Acme Widgets Group Ltd", "Acme Widgets Ltd"), "a group company is another company");
        assert!(!same("Community Interest Company", "Interest Company"), "never empties a name");
        let off = KeyRules { legal_phrases: false, ..KeyRules::DEFAULT };
        assert_eq!(supplier_key_with("Gaydio Community Interest Company", &off), "GAYDIO COMMUNITY INTEREST");
    }

    #[test]
    fn hash_ends_the_name() {
        assert_eq!(supplier_key("Making Space#4"), "MAKING SPACE");
        assert!(same("Mill View Care Home#BUPA", "Mill View Care Home"));
        assert!(same("Lifeways Community Care#ALBION GARDENS", "Lifeways Community Care#Albion Mews"));
        assert!(same("Grosvenor Guest House#Redacted - Personal Data", "GROSVENOR GUEST HOUSE"));
        assert_eq!(supplier_key("WAYFAIR #2288668994"), "WAYFAIR");
        assert_eq!(supplier_key("#1 Taxis"), "1 TAXIS", "nothing before it: no note");
        assert!(!same("Making Space#4", "Making Spaces"), "only what follows the # goes");
        let off = KeyRules { hash_notes: false, ..KeyRules::DEFAULT };
        assert_eq!(supplier_key_with("Making Space#4", &off), "MAKING SPACE 4");
    }

    #[test]
    fn accents_and_apostrophes() {
        assert!(same("Crème Brûlée Catering", "CREME BRULEE CATERING"));
        assert!(same("Øresund Ærø Straße", "ORESUND AERO STRASSE"));
        assert!(same("Bulky Bob´s 2015", "Bulky Bob's 2015 Limited"), "an acute accent as apostrophe");
        assert!(same("Bob‘s Cafe", "Bobs Cafe"));
        assert!(!same("Café Nero", "Café Neri"));
        assert!(!same("Bulky Bob´s 2015", "Bulky Bob's 2016"), "digits are kept");
    }

    #[test]
    fn initials_are_joined() {
        assert!(same("M R M Street Furniture Ltd", "MRM Street Furniture Limited"));
        assert!(same("R. S. Components", "RS Components Ltd"));
        assert!(same("Trafford M B C", "Trafford MBC"));
        assert_eq!(supplier_key("J Smith Plumbing"), "J SMITH PLUMBING", "one initial stays a word");
        assert_eq!(supplier_key("M & S"), "M AND S", "AND is no initial");
        assert!(!same("A B Smith", "A C Smith"));
        assert!(!same("J R Smith", "J Smith"), "an initial is never dropped");
    }

    #[test]
    fn division_of_keys_on_the_entity() {
        assert_eq!(supplier_key("Cedar House School (division of Witherslack Group)"), "WITHERSLACK GROUP");
        assert!(same("Pontville School (Part of Witherslack Group)", "Witherslack Group Ltd"));
        assert!(same("Edu-Play Division Of Taskmaster Ltd", "Taskmaster Limited"));
        assert_eq!(
            supplier_key("Eventcity Ltd Part Of Peel Group"),
            "EVENTCITY",
            "a name with its own legal form is that company"
        );
        assert_eq!(supplier_key("Fentons Solicitors Part of"), "FENTONS SOLICITORS PART OF", "nothing after it");
        assert_eq!(supplier_key("Part Of The Furniture"), "PART OF THE FURNITURE", "a name starting so");
        assert!(!same("Cedar House School (division of Witherslack Group)", "Cedar House School"));
    }

    #[test]
    fn abbreviations_read_in_full() {
        assert!(same("Freight Transport Assoc Ltd", "Freight Transport Association"));
        assert!(same("Virgin Care Servs Ltd", "Virgin Care Services Limited"));
        assert!(same("Aspris Child Svcs Ltd", "Aspris Child Services"));
        assert!(same("Connell Bros Ltd", "Connell Brothers Ltd"));
        assert!(same("Acme Intl", "Acme International"));
        assert!(same("Allied London Properties Mgmt Ltd", "Allied London Properties Management"));
        assert!(!same("Freight Transport Association", "Freight Transport Associates"));
        assert!(!same("Maddocks Clarke Sols", "Maddocks Clarke Solutions"), "SOLS is ambiguous: left alone");
    }

    #[test]
    fn bare_ta_is_a_trading_as_marker() {
        assert!(same("Leeds Commercial TA L C Vehicle Hire", "Leeds Commercial Limited"));
        assert!(same("Nisai Virtual Academy TA Nisai Group", "Nisai Virtual Academy Ltd"));
        assert_eq!(supplier_key("Helen Connor TA Connor Properties"), "HELEN CONNOR");
        assert_eq!(supplier_key("J T A Smith"), "JTA SMITH", "initials are no marker");
        assert_eq!(supplier_key("Smith TA"), "SMITH TA", "nothing after it");
        assert_eq!(supplier_key("Costa TA Coffee"), "COSTA TA COFFEE", "one word before it is too little");
        assert!(!same("Leeds Commercial TA L C Vehicle Hire", "L C Vehicle Hire"));
    }

    #[test]
    fn a_trust_in_brackets_is_the_entity() {
        assert!(same("Greenhill Academy  (The Harmony Trust )", "The Harmony Trust Ltd"));
        assert!(same("Manor Academy (Sovereign Trust)", "Pictor Academy (Sovereign Trust)"));
        assert_eq!(supplier_key("Shaw Trust Ltd (The)"), "SHAW TRUST", "(THE) is no trust");
        assert_eq!(supplier_key("Acme Ltd (Acme Trust)"), "ACME", "a name with a legal form keeps it");
        assert_eq!(supplier_key("Greenhill Academy (Trust)"), "GREENHILL ACADEMY TRUST", "one word is no trust's name");
        assert!(!same("Manor Academy (Sovereign Trust)", "Manor Academy (Harmony Trust)"));
        assert!(!same("Manor Academy (Sovereign Trust)", "Manor Academy"));
    }

    #[test]
    fn redactions_are_recognised() {
        for name in [
            "Redacted",
            "REDACTED",
            "REDACTED PERSONAL DATA",
            "Redacted - Personal Data",
            "Personal Information",
            "PERSONAL DATA",
            "Personal Data (GDPR)",
            "Data Protection",
            "Data Protection Act 1998",
            "Name Withheld",
            "[Redacted]",
            " redacted ",
            "Redacted - Personal Data#2",
        ] {
            assert!(is_redacted(name), "{name}");
        }
    }

    #[test]
    fn real_suppliers_are_not_redactions() {
        for name in [
            "Redactive Publishing Ltd",
            "Data Protection Consultants Ltd",
            "Personal Information Management Services Limited",
            "Individual Care Services",
            "Grosvenor Guest House#Redacted - Personal Data",
            "Acme Widgets",
            "",
        ] {
            assert!(!is_redacted(name), "{name}");
        }
    }
}
