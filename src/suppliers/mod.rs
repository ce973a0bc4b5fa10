//! Supplier identity across both tables: when a spend row and a contract are the same
//! supplier. A company number decides when both sides have one; otherwise the normalised
//! supplier key does, after the dataset's aliases (`suppliers.toml`) map known variants to
//! one canonical key. Used by ingest (to link spend to contracts) and by `spendql
//! suppliers`; never by the language, which only sees the materialised link.
//!
//! The key itself ([`supplier_key`], with its switchable [`KeyRules`] and the detection of
//! redacted names) is defined here too, so the leaf ingest depends on is this module and
//! nothing in it depends on ingest. Submodules find what the key misses: [`similar`] scores how alike two keys are,
//! [`detect`] proposes likely duplicates from names and identifiers without comparing all
//! pairs, [`report`] reads a dataset and lays the proposals out for `spendql suppliers
//! --unmatched`, and [`eval`] measures keys and proposals against labelled pairs.

pub mod detect;
pub mod eval;
mod key;
pub mod report;
pub mod similar;

pub use key::{COMPANY_FORMS, KeyRules, TradingAs, UkMarker, is_redacted, supplier_key, supplier_key_with};

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::error::{Error, Result};

/// The aliases file, at the top of a dataset folder.
pub const ALIASES_FILE: &str = "suppliers.toml";

/// Known spellings of the same supplier: alias key → canonical key.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    canonical: HashMap<String, String>,
    /// The file's entries as written, by canonical key: (canonical name, its variants).
    entries: BTreeMap<String, (String, Vec<String>)>,
}

/// `suppliers.toml`: `[aliases]` maps a canonical name to the names that mean it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasesFile {
    #[serde(default)]
    aliases: BTreeMap<toml::Spanned<String>, Vec<toml::Spanned<String>>>,
}

/// Why an aliases file was refused, and on which line when one is to blame.
struct AliasError {
    line: Option<u64>,
    message: String,
}

impl Aliases {
    /// The dataset's aliases, or none when it has no `suppliers.toml`.
    pub fn load(dataset_root: &Path) -> Result<Aliases> {
        let path = dataset_root.join(ALIASES_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Aliases::default()),
            Err(e) => return Err(Error::io(format!("cannot read {}", path.display()), e)),
        };
        Aliases::parse_located(&text).map_err(|e| Error::input(&path, e.line, e.message))
    }

    /// Aliases from the text of a `suppliers.toml`. The error names the line when it can
    /// (`line 3: ...`); [`Aliases::load`] adds the file name.
    pub fn parse(text: &str) -> std::result::Result<Aliases, String> {
        Aliases::parse_located(text).map_err(|e| match e.line {
            Some(line) => format!("line {line}: {}", e.message),
            None => e.message,
        })
    }

    fn parse_located(text: &str) -> std::result::Result<Aliases, AliasError> {
        let line_of = |offset: usize| Some(text[..offset.min(text.len())].matches('\n').count() as u64 + 1);
        let file: AliasesFile = toml::from_str(text).map_err(|e| AliasError {
            line: e.span().and_then(|s| line_of(s.start)),
            message: e.message().trim().to_string(),
        })?;
        let mut aliases = Aliases::default();
        // variant key → (canonical name as written) of the entry that claimed it first.
        let mut claimed: HashMap<String, String> = HashMap::new();
        let canonical_keys: HashMap<String, &str> =
            file.aliases.keys().map(|name| (supplier_key(name.get_ref()), name.get_ref().as_str())).collect();
        for (name, variants) in &file.aliases {
            let name = name.get_ref();
            let target = supplier_key(name);
            if target.is_empty() {
                return Err(AliasError { line: None, message: "an alias's canonical name is empty".into() });
            }
            let entry = aliases.entries.entry(target.clone()).or_insert_with(|| (name.clone(), Vec::new()));
            for variant in variants {
                let key = supplier_key(variant.get_ref());
                let line = line_of(variant.span().start);
                if key.is_empty() {
                    return Err(AliasError { line, message: format!("an alias of \"{name}\" is empty") });
                }
                entry.1.push(variant.get_ref().clone());
                if key == target {
                    continue;
                }
                if let Some(other) = canonical_keys.get(&key) {
                    return Err(AliasError {
                        line,
                        message: format!(
                            "\"{}\" is an alias of \"{name}\" and also a canonical name (\"{other}\"); \
                             list its variants under \"{name}\" instead",
                            variant.get_ref()
                        ),
                    });
                }
                match claimed.get(&key) {
                    Some(first) if supplier_key(first) != target => {
                        return Err(AliasError {
                            line,
                            message: format!(
                                "\"{}\" is listed under both \"{first}\" and \"{name}\"; a name can mean only one supplier",
                                variant.get_ref()
                            ),
                        });
                    }
                    Some(_) => {}
                    None => {
                        claimed.insert(key.clone(), name.clone());
                    }
                }
                aliases.canonical.insert(key, target.clone());
            }
        }
        Ok(aliases)
    }

    /// The canonical key for a supplier key (itself when it has no alias).
    pub fn canonical<'a>(&'a self, key: &'a str) -> &'a str {
        self.canonical.get(key).map_or(key, String::as_str)
    }

    /// Whether no alias is defined.
    pub fn is_empty(&self) -> bool {
        self.canonical.is_empty()
    }

    /// The file's entry whose canonical name has this key: (name as written, variants).
    pub fn entry(&self, canonical_key: &str) -> Option<(&str, &[String])> {
        self.entries.get(canonical_key).map(|(name, variants)| (name.as_str(), variants.as_slice()))
    }
}

/// A Companies House number in one spelling: upper case, no spaces, numeric ones padded to
/// eight digits. Placeholders (`Various`, `N/A`, `0`) are no number.
pub fn normalise_company_number(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_uppercase();
    if compact.is_empty() || compact.chars().all(|c| c == '0') || compact.chars().any(|c| !c.is_ascii_alphanumeric()) {
        return None;
    }
    let digits = compact.chars().filter(char::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    if compact.chars().all(|c| c.is_ascii_digit()) {
        if compact.len() > 8 {
            return None;
        }
        return Some(format!("{compact:0>8}"));
    }
    // `SC123456`, `NI012345`: two letters then digits.
    Some(compact)
}

/// A UK VAT registration number in one spelling: the nine (or twelve, for a branch)
/// digits, without the `GB` prefix or spaces. Anything else is no number.
pub fn normalise_vat_number(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_uppercase();
    let digits = compact.strip_prefix("GB").unwrap_or(&compact);
    let valid = matches!(digits.len(), 9 | 12)
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.chars().all(|c| c == '0');
    valid.then(|| digits.to_string())
}

/// A UK postcode in one spelling (`M50 2EQ`): upper case, one space before the inward
/// code. Placeholders and anything not shaped like a postcode are no postcode.
pub fn normalise_postcode(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_uppercase();
    let (outward, inward) = compact.split_at_checked(compact.len().checked_sub(3)?)?;
    let inward_ok = inward.as_bytes()[0].is_ascii_digit() && inward.bytes().skip(1).all(|b| b.is_ascii_alphabetic());
    let outward_ok = (2..=4).contains(&outward.len())
        && outward.as_bytes()[0].is_ascii_alphabetic()
        && outward.bytes().any(|b| b.is_ascii_digit());
    (inward_ok && outward_ok).then(|| format!("{outward} {inward}"))
}

/// One side of a match: a normalised (canonical) key and an optional company number.
#[derive(Debug, Clone, Copy)]
pub struct Identity<'a> {
    /// The canonical supplier key.
    pub key: &'a str,
    /// The Companies House number, if known.
    pub company_number: Option<&'a str>,
}

/// Whether two identities are the same supplier: company numbers decide when both sides
/// have one; otherwise the canonical keys must be equal.
pub fn same_supplier(a: Identity<'_>, b: Identity<'_>, aliases: &Aliases) -> bool {
    match (a.company_number, b.company_number) {
        (Some(x), Some(y)) => x == y,
        _ => !a.key.is_empty() && aliases.canonical(a.key) == aliases.canonical(b.key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_numbers_are_padded_and_placeholders_dropped() {
        assert_eq!(normalise_company_number("2535986").as_deref(), Some("02535986"));
        assert_eq!(normalise_company_number(" sc 123456 ").as_deref(), Some("SC123456"));
        assert_eq!(normalise_company_number("Various"), None);
        assert_eq!(normalise_company_number("0"), None);
        assert_eq!(normalise_company_number(""), None);
    }

    #[test]
    fn vat_numbers_lose_prefix_and_spaces() {
        assert_eq!(normalise_vat_number("GB812311285").as_deref(), Some("812311285"));
        assert_eq!(normalise_vat_number("gb 812 3112 85").as_deref(), Some("812311285"));
        assert_eq!(normalise_vat_number("812311285").as_deref(), Some("812311285"));
        assert_eq!(normalise_vat_number("NA"), None);
        assert_eq!(normalise_vat_number("GB000000000"), None);
        assert_eq!(normalise_vat_number("12345"), None);
    }

    #[test]
    fn postcodes_are_spaced_once_and_placeholders_dropped() {
        assert_eq!(normalise_postcode("m8 0ry").as_deref(), Some("M8 0RY"));
        assert_eq!(normalise_postcode("LA142TB").as_deref(), Some("LA14 2TB"));
        assert_eq!(normalise_postcode("WC1V 6DW").as_deref(), Some("WC1V 6DW"));
        assert_eq!(normalise_postcode("VARIOUS"), None);
        assert_eq!(normalise_postcode("N/A"), None);
        assert_eq!(normalise_postcode(""), None);
    }

    #[test]
    fn company_number_decides_over_name() {
        let aliases = Aliases::default();
        let a = Identity { key: "ACME", company_number: Some("01234567") };
        let b = Identity { key: "ACME", company_number: Some("07654321") };
        assert!(!same_supplier(a, b, &aliases));
        let c = Identity { key: "ACME HOLDINGS", company_number: Some("01234567") };
        assert!(same_supplier(a, c, &aliases));
        let d = Identity { key: "ACME", company_number: None };
        assert!(same_supplier(a, d, &aliases));
    }

    #[test]
    fn aliases_map_variants_to_one_key() {
        let aliases = Aliases::parse("[aliases]\n\"Wates Group\" = [\"WATES CONSTRUCTION LTD\"]\n").unwrap();
        assert_eq!(aliases.canonical("WATES CONSTRUCTION"), "WATES GROUP");
        assert_eq!(aliases.canonical("AMEY"), "AMEY");
        assert_eq!(aliases.entry("WATES GROUP"), Some(("Wates Group", &["WATES CONSTRUCTION LTD".to_string()][..])));
        assert!(Aliases::parse("[aliases]\nx = 3\n").is_err());
    }

    #[test]
    fn bad_toml_names_the_line() {
        let err = Aliases::parse("[aliases]\n\"Wates Group\" = [\"Wates Construction\"\n").unwrap_err();
        assert!(err.starts_with("line 2: "), "{err}");
        let err = Aliases::parse("[alias]\n").unwrap_err();
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn an_alias_under_two_canonical_names_is_refused() {
        let text = "[aliases]\n\"Wates Group\" = [\"Wates Living Space\"]\n\"Wates Holdings\" = [\"WATES LIVING SPACE LTD\"]\n";
        let err = Aliases::parse(text).unwrap_err();
        // Entries are read in name order, so "Wates Group" claims it first.
        assert_eq!(
            err,
            "line 3: \"WATES LIVING SPACE LTD\" is listed under both \"Wates Group\" and \"Wates Holdings\"; \
             a name can mean only one supplier"
        );
        // The same variant twice under one name is harmless.
        assert!(Aliases::parse("[aliases]\n\"A B\" = [\"A C\", \"a c ltd\"]\n").is_ok());
    }

    #[test]
    fn an_alias_that_is_also_a_canonical_name_is_refused() {
        let text =
            "[aliases]\n\"Wates Group\" = [\"Wates Construction\"]\n\"Wates Construction Ltd\" = [\"Wates Build\"]\n";
        let err = Aliases::parse(text).unwrap_err();
        assert!(err.contains("also a canonical name"), "{err}");
    }

    #[test]
    fn load_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Aliases::load(dir.path()).unwrap().is_empty());
        std::fs::write(dir.path().join(ALIASES_FILE), "[aliases]\n\"A\" = [\"B\",\n").unwrap();
        let err = Aliases::load(dir.path()).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("suppliers.toml:"), "{shown}");
        assert_eq!(err.kind, crate::ErrorKind::Input);
    }
}
