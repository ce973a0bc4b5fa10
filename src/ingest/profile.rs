//! `--profile` files: per council, the column overrides for spend files (`[COUNCIL.columns]`)
//! and for contracts registers (`[COUNCIL.contracts]`), and how to read numeric dates
//! (`date_order`). Both tables are read and checked whichever kind of file is loaded, so a
//! typo is caught on the first run; each parser then takes the table of its own fields.
//!
//! Kept apart from header detection (`headers`) and from the register's fields
//! (`contracts`), which both know nothing of profiles: this module is the one place that
//! knows the file's layout.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

use super::contracts::ContractField;
use super::headers::{Field, Target};
use super::values::DateOrder;

/// The table of a council's section that overrides a spend file's columns.
const SPEND_TABLE: &str = "columns";
/// The table of a council's section that overrides a contracts register's columns.
const CONTRACTS_TABLE: &str = "contracts";

/// One council's overrides, checked: field → source header, where `""` leaves the field
/// unmapped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// Overrides for spend and card files.
    pub spend: HashMap<Target, String>,
    /// Overrides for contracts registers.
    pub contracts: HashMap<ContractField, String>,
    /// How to read all-numeric dates, for files whose dates cannot prove it.
    pub date_order: Option<DateOrder>,
}

/// A council's section as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    #[serde(default)]
    columns: HashMap<String, String>,
    /// A separate table so one profile serves a council's spend files and its register alike.
    #[serde(default)]
    contracts: HashMap<String, String>,
    #[serde(default)]
    date_order: Option<DateOrder>,
}

impl Profile {
    /// The section of the profile at `path` for `council` (matched without case). A profile
    /// without a section for the council is an error, since it was given for a reason.
    pub fn load(path: &Path, council: &str) -> Result<Profile> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::input(path, None, format!("cannot read profile: {e}")))?;
        Profile::parse(&text, path, council)
    }

    /// [`Profile::load`] from the text of a profile; `path` names it in errors.
    fn parse(text: &str, path: &Path, council: &str) -> Result<Profile> {
        let sections: HashMap<String, Section> = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| line_of(text, span.start));
            Error::input(path, line, format!("invalid profile: {}", e.message().trim_end()))
        })?;
        let Some(section) = sections.iter().find(|(name, _)| name.eq_ignore_ascii_case(council.trim())).map(|(_, s)| s)
        else {
            let mut known: Vec<&str> = sections.keys().map(String::as_str).collect();
            known.sort_unstable();
            return Err(Error::input(
                path,
                None,
                format!("profile has no [{council}] section (it has: {})", known.join(", ")),
            ));
        };
        Ok(Profile {
            spend: field_overrides(path, council, SPEND_TABLE, &section.columns)?,
            contracts: field_overrides(path, council, CONTRACTS_TABLE, &section.contracts)?,
            date_order: section.date_order,
        })
    }
}

/// The 1-based line of a byte offset in `text`.
fn line_of(text: &str, offset: usize) -> u64 {
    let before = text.get(..offset).unwrap_or(text);
    before.bytes().filter(|&b| b == b'\n').count() as u64 + 1
}

/// One table of a council's section as field → header, refusing names that are no field.
fn field_overrides<F: Field>(
    path: &Path,
    council: &str,
    table_name: &str,
    table: &HashMap<String, String>,
) -> Result<HashMap<F, String>> {
    let mut overrides = HashMap::new();
    for (field, header) in table {
        let target = F::from_field_name(field).ok_or_else(|| {
            let names: Vec<&str> = F::FIELDS.iter().map(|t| t.field_name()).collect();
            Error::input(path, None, format!("unknown field '{field}' in [{council}.{table_name}]"))
                .with_hint(format!("fields: {}", names.join(", ")))
        })?;
        overrides.insert(target, header.clone());
    }
    Ok(overrides)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, council: &str) -> Result<Profile> {
        Profile::parse(text, Path::new("p.toml"), council)
    }

    #[test]
    fn profile_file_is_read_per_council() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "[Salford]\ndate_order = \"month-first\"\n[Salford.columns]\namount = \"Gross\"\n")
            .unwrap();
        let profile = Profile::load(&path, "salford").unwrap();
        assert_eq!(profile.spend[&Target::Amount], "Gross");
        assert_eq!(profile.spend.len(), 1);
        assert!(profile.contracts.is_empty());
        assert_eq!(profile.date_order, Some(DateOrder::MonthFirst));
        let err = Profile::load(&path, "Trafford").unwrap_err();
        assert!(err.message.contains("no [Trafford] section (it has: Salford)"), "{}", err.message);
        assert_eq!(err.location.unwrap().file, path);
    }

    #[test]
    fn both_tables_are_read_and_checked_whichever_file_is_loaded() {
        let text = "[Salford]\ndate_order = \"day-first\"\n[Salford.columns]\nis_card = \"GPC\"\n\
                    [Salford.contracts]\nvalue_total = \"Estimate\"\nexpiry_date = \"\"\n";
        let profile = parse(text, "SALFORD").unwrap();
        assert_eq!(profile.spend[&Target::CardFlag], "GPC");
        assert_eq!(profile.contracts[&ContractField::ValueTotal], "Estimate");
        assert_eq!(profile.contracts[&ContractField::ExpiryDate], "", "an empty name unmaps");
        assert_eq!(profile.date_order, Some(DateOrder::DayFirst));

        let err = parse("[Salford.columns]\nammount = \"Gross\"\n", "Salford").unwrap_err();
        assert!(err.message.contains("unknown field 'ammount' in [Salford.columns]"), "{}", err.message);
        assert!(err.hints[0].contains("amount"), "{:?}", err.hints);
        // A spend file is refused for a typo in the register's table too.
        let err = parse("[Salford.contracts]\nvalue_totl = \"Estimate\"\n", "Salford").unwrap_err();
        assert!(err.message.contains("unknown field 'value_totl' in [Salford.contracts]"), "{}", err.message);
        assert!(err.hints[0].contains("value_total"), "{:?}", err.hints);
        // A spend field in the register's table is no register field.
        let err = parse("[Salford.contracts]\namount = \"Net\"\n", "Salford").unwrap_err();
        assert!(err.message.contains("unknown field 'amount' in [Salford.contracts]"), "{}", err.message);
    }

    #[test]
    fn issue_9_an_unknown_date_order_is_refused_with_its_line() {
        let err = parse("[Salford]\n\ndate_order = \"dayfirst\"\n", "Salford").unwrap_err();
        assert!(err.message.contains("dayfirst"), "{}", err.message);
        assert!(err.message.contains("day-first") && err.message.contains("month-first"), "{}", err.message);
        let location = err.location.unwrap();
        assert_eq!(location.file, Path::new("p.toml"));
        assert_eq!(location.line, Some(3));
    }

    #[test]
    fn unknown_keys_and_bad_toml_are_refused_with_their_line() {
        let err = parse("[Salford]\ndate-order = \"day-first\"\n", "Salford").unwrap_err();
        assert!(err.message.contains("date-order"), "{}", err.message);
        assert_eq!(err.location.unwrap().line, Some(2));
        let err = parse("[Salford.columns]\namount = Gross\n", "Salford").unwrap_err();
        assert!(err.message.starts_with("invalid profile"), "{}", err.message);
        assert_eq!(err.location.unwrap().line, Some(2));
    }
}
