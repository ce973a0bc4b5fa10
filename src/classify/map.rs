//! `categories.toml`: an analyst's corrections, mapping a council's own values to a ProClass
//! code or to out of scope. Loaded and validated like `suppliers.toml` (the same error type,
//! the file and line to blame).
//!
//! ```toml
//! [all.expense_type]                       # every council
//! "Levies" = "out of scope"
//!
//! [council."Manchester City Council".expense_type]
//! "Refuse Collection" = "182013"
//!
//! [council."Manchester City Council".department."Highways"]   # department + expense type
//! "Works" = "391400"
//! ```
//!
//! Tables under `all` or `council."Name"`: `published_category`, `expense_type`,
//! `account_code`, and `department."Department"` (its keys are expense types). Values match
//! case- and spacing-insensitively.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::evidence::Evidence;
use crate::error::{Error, Result};
use crate::taxonomy::Category;

/// The mapping file, at the top of a dataset folder.
pub const CATEGORIES_FILE: &str = "categories.toml";

type Rules = BTreeMap<toml::Spanned<String>, toml::Spanned<String>>;

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ScopeFile {
    #[serde(default)]
    published_category: Rules,
    #[serde(default)]
    expense_type: Rules,
    #[serde(default)]
    account_code: Rules,
    #[serde(default)]
    department: BTreeMap<toml::Spanned<String>, Rules>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    #[serde(default)]
    all: Option<ScopeFile>,
    #[serde(default)]
    council: BTreeMap<toml::Spanned<String>, ScopeFile>,
}

/// Which of a row's values a rule names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Field {
    /// Department and expense type together, the most specific.
    DepartmentExpense,
    AccountCode,
    ExpenseType,
    PublishedCategory,
}

/// A dataset's mappings from council values to categories. Empty when the dataset has no
/// `categories.toml`.
#[derive(Debug, Clone, Default)]
pub struct CategoryMap {
    /// (council or "" for all, field, normalised value) → category.
    rules: HashMap<(String, Field, String), Category>,
}

/// A council value in one spelling: lower case, single spaces.
pub(super) fn normal(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn department_key(department: &str, expense_type: &str) -> String {
    format!("{}\u{1f}{}", normal(department), normal(expense_type))
}

impl CategoryMap {
    /// The dataset's mappings, or none when it has no `categories.toml`.
    pub fn load(dataset_root: &Path) -> Result<CategoryMap> {
        let path = dataset_root.join(CATEGORIES_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(CategoryMap::default()),
            Err(e) => return Err(Error::io(format!("cannot read {}", path.display()), e)),
        };
        CategoryMap::parse(&text, &path)
    }

    /// Mappings from the text of a `categories.toml`; errors name `path` and the line.
    pub fn parse(text: &str, path: &Path) -> Result<CategoryMap> {
        let line_of = |offset: usize| Some(text[..offset.min(text.len())].matches('\n').count() as u64 + 1);
        let file: MapFile = toml::from_str(text)
            .map_err(|e| Error::input(path, e.span().and_then(|s| line_of(s.start)), e.message().trim().to_string()))?;
        let mut map = CategoryMap::default();
        let mut add = |council: &str,
                       field: Field,
                       key: String,
                       shown: &toml::Spanned<String>,
                       value: &toml::Spanned<String>| {
            let line = line_of(shown.span().start);
            if key.trim_matches('\u{1f}').is_empty() || normal(shown.get_ref()).is_empty() {
                return Err(Error::input(path, line, "a mapping's council value is empty"));
            }
            let category = Category::parse(value.get_ref()).ok_or_else(|| {
                Error::input(
                    path,
                    line_of(value.span().start),
                    format!(
                        "\"{}\" is not a ProClass code (six digits, the first two a ProClass group) or \"out of scope\"",
                        value.get_ref()
                    ),
                )
            })?;
            match map.rules.insert((council.to_string(), field, key), category) {
                Some(previous) if previous != category => Err(Error::input(
                    path,
                    line,
                    format!(
                        "\"{}\" is mapped twice (spellings differing only in case or spacing), to {} and {}",
                        shown.get_ref(),
                        previous.label(),
                        category.label()
                    ),
                )),
                _ => Ok(()),
            }
        };
        let scopes = file
            .all
            .iter()
            .map(|scope| (String::new(), scope))
            .chain(file.council.iter().map(|(name, scope)| (normal(name.get_ref()), scope)));
        for (council, scope) in scopes {
            for (field, rules) in [
                (Field::PublishedCategory, &scope.published_category),
                (Field::ExpenseType, &scope.expense_type),
                (Field::AccountCode, &scope.account_code),
            ] {
                for (key, value) in rules {
                    add(&council, field, normal(key.get_ref()), key, value)?;
                }
            }
            for (department, rules) in &scope.department {
                if normal(department.get_ref()).is_empty() {
                    return Err(Error::input(
                        path,
                        line_of(department.span().start),
                        "a mapping's department is empty",
                    ));
                }
                for (key, value) in rules {
                    add(
                        &council,
                        Field::DepartmentExpense,
                        department_key(department.get_ref(), key.get_ref()),
                        key,
                        value,
                    )?;
                }
            }
        }
        Ok(map)
    }

    /// Whether no mapping is defined.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The category a mapping gives this row: the council's own rules before those for all
    /// councils, and within each, department + expense type, then account code, then expense
    /// type, then published category (the most specific value first).
    pub fn lookup(&self, row: &Evidence<'_>) -> Option<Category> {
        if self.rules.is_empty() {
            return None;
        }
        let council = normal(row.council);
        let values = [
            (Field::DepartmentExpense, row.department.zip(row.expense_type).map(|(d, e)| department_key(d, e))),
            (Field::AccountCode, row.account_code.map(normal)),
            (Field::ExpenseType, row.expense_type.map(normal)),
            (Field::PublishedCategory, row.published_category.map(normal)),
        ];
        for scope in [council, String::new()] {
            for (field, value) in &values {
                if let Some(value) = value
                    && let Some(category) = self.rules.get(&(scope.clone(), *field, value.clone()))
                {
                    return Some(*category);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::ProclassCode;

    fn parse(text: &str) -> Result<CategoryMap> {
        CategoryMap::parse(text, Path::new("data/categories.toml"))
    }

    fn code(text: &str) -> Category {
        Category::Code(ProclassCode::parse(text).unwrap())
    }

    fn row<'a>(council: &'a str, department: Option<&'a str>, expense_type: Option<&'a str>) -> Evidence<'a> {
        Evidence { council, expense_type, department, ..Evidence::default() }
    }

    #[test]
    fn rules_match_by_council_and_field_most_specific_first() {
        let map = parse(
            "[all.expense_type]\n\"Levies\" = \"out of scope\"\n\"Works\" = \"391000\"\n\
             [council.\"Manchester City Council\".expense_type]\n\"works\" = \"391100\"\n\
             [council.\"Manchester City Council\".department.\"Highways\"]\n\"Works\" = \"391400\"\n",
        )
        .unwrap();
        assert_eq!(map.lookup(&row("Salford City Council", None, Some("LEVIES"))), Some(Category::OutOfScope));
        assert_eq!(map.lookup(&row("Salford City Council", None, Some("Works"))), Some(code("391000")));
        assert_eq!(map.lookup(&row("manchester  city council", None, Some("Works"))), Some(code("391100")));
        assert_eq!(map.lookup(&row("Manchester City Council", Some("Highways"), Some("Works"))), Some(code("391400")));
        assert_eq!(map.lookup(&row("Manchester City Council", Some("Highways"), Some("Rents"))), None);
    }

    #[test]
    fn a_bad_code_names_the_file_and_its_line() {
        let err = parse("[all.expense_type]\n\"Levies\" = \"out of scope\"\n\"Rents\" = \"2020\"\n").unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::Input);
        let location = err.location.as_ref().unwrap();
        assert_eq!(location.file, Path::new("data/categories.toml"));
        assert_eq!(location.line, Some(3));
        assert!(err.message.contains("\"2020\" is not a ProClass code"), "{}", err.message);
        let err = parse("[all.expense_type]\n\"Rents\" = \"991000\"\n").unwrap_err();
        assert_eq!(err.location.unwrap().line, Some(2));
    }

    #[test]
    fn bad_toml_and_unknown_tables_name_the_line() {
        let err = parse("[all.expense_type]\n\"Levies\" = \n").unwrap_err();
        assert_eq!(err.location.unwrap().line, Some(2));
        let err = parse("\n[all.expense_types]\n\"Levies\" = \"out of scope\"\n").unwrap_err();
        assert!(err.message.contains("unknown field"), "{}", err.message);
        assert_eq!(err.location.unwrap().line, Some(2));
    }

    #[test]
    fn one_value_mapped_twice_in_two_spellings_is_refused() {
        let err = parse("[all.expense_type]\n\"Levies\" = \"out of scope\"\n\"LEVIES \" = \"201700\"\n").unwrap_err();
        assert!(err.message.contains("mapped twice"), "{}", err.message);
        assert!(err.location.unwrap().line.is_some());
        let err = parse("[all.expense_type]\n\" \" = \"201700\"\n").unwrap_err();
        assert_eq!(err.location.unwrap().line, Some(2));
    }

    #[test]
    fn load_reads_the_dataset_file_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(CategoryMap::load(dir.path()).unwrap().is_empty());
        std::fs::write(dir.path().join(CATEGORIES_FILE), "[all.account_code]\n\"4100\" = \"x\"\n").unwrap();
        let err = CategoryMap::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("categories.toml"), "{err}");
        assert_eq!(err.location.unwrap().line, Some(2));
    }
}
