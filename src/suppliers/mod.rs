//! Supplier identity across both tables: when a spend row and a contract are the same
//! supplier. A company number decides when both sides have one; otherwise the normalised
//! supplier key does, after the dataset's aliases (`suppliers.toml`) map known variants to
//! one canonical key. Used by ingest (to link spend to contracts) and by `spendql
//! suppliers`; never by the language, which only sees the materialised link.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::ingest::supplier::supplier_key;

/// The aliases file, at the top of a dataset folder.
pub const ALIASES_FILE: &str = "suppliers.toml";

/// Known spellings of the same supplier: alias key → canonical key.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    canonical: HashMap<String, String>,
}

/// `suppliers.toml`: `[aliases]` maps a canonical name to the names that mean it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasesFile {
    #[serde(default)]
    aliases: HashMap<String, Vec<String>>,
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
        Aliases::parse(&text).map_err(|why| Error::input(&path, None, why))
    }

    pub fn parse(text: &str) -> std::result::Result<Aliases, String> {
        let file: AliasesFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut canonical = HashMap::new();
        for (name, variants) in file.aliases {
            let target = supplier_key(&name);
            for variant in variants {
                canonical.insert(supplier_key(&variant), target.clone());
            }
        }
        Ok(Aliases { canonical })
    }

    /// The canonical key for a supplier key (itself when it has no alias).
    pub fn canonical<'a>(&'a self, key: &'a str) -> &'a str {
        self.canonical.get(key).map(String::as_str).unwrap_or(key)
    }

    pub fn is_empty(&self) -> bool {
        self.canonical.is_empty()
    }
}

/// A Companies House number in one spelling: upper case, no spaces, numeric ones padded to
/// eight digits. Placeholders (`Various`, `N/A`, `0`) are no number.
pub fn normalise_company_number(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase();
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

/// One side of a match: a normalised (canonical) key and an optional company number.
#[derive(Debug, Clone, Copy)]
pub struct Identity<'a> {
    pub key: &'a str,
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
        assert!(Aliases::parse("[aliases]\nx = 3\n").is_err());
    }
}
