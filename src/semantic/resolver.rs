//! The resolver's state and what every construct's step shares: the data lookup it asks,
//! the file's definitions and parameters, and the errors for unknown names. Kept apart from
//! `semantic/mod.rs` so the construct files (`query`, `measure`, `condition`, ...) depend on
//! it, not on their parent.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::model::DimensionDef;
use crate::error::{Error, ErrorKind, Result, Span};
use crate::schema::Table;
use crate::syntax::ast::{Expr, Name, Operand};

/// What resolution needs to know about the data.
pub trait DataLookup {
    /// The date relative periods are measured from (by default the latest payment date).
    fn as_of(&self) -> Result<NaiveDate>;
    /// The earliest payment date, to enumerate time columns for `across`.
    fn first_date(&self) -> Result<NaiveDate>;
    /// Distinct values of a text dimension (for suppliers: published names).
    fn values(&self, dimension: &DimensionDef) -> Result<Vec<String>>;
    /// Whether the dataset holds the table (a register makes contract measures and the
    /// contract link available).
    fn has_table(&self, table: Table) -> bool;
    /// The metrics in the data: each distinct (name, stored aggregation) pair, sorted.
    fn metrics(&self) -> Result<Vec<(String, String)>> {
        Ok(Vec::new())
    }
}

/// Measures defined in query files with `define measure NAME = MEASURE where ...`.
#[derive(Debug, Clone, Default)]
pub struct Definitions {
    pub(super) measures: HashMap<String, (Name, Option<Expr>)>,
}

impl Definitions {
    /// Define (or redefine) measure `name` as `measure` restricted by `filter`.
    pub fn define_measure(&mut self, name: &Name, measure: Name, filter: Option<Expr>) {
        self.measures.insert(name.text(), (measure, filter));
    }

    /// The names of the measures defined.
    pub fn measure_names(&self) -> impl Iterator<Item = &str> {
        self.measures.keys().map(String::as_str)
    }
}

/// Parameter values (`$month`), from `param` statements and `--param`.
pub type Params = HashMap<String, Operand>;

pub(super) struct Resolver<'a> {
    pub(super) definitions: &'a Definitions,
    pub(super) params: &'a Params,
    pub(super) lookup: &'a dyn DataLookup,
    pub(super) as_of: NaiveDate,
    /// The table the query reads, known once its measures are resolved.
    pub(super) table: Table,
}

/// `did you mean` for a name among candidates.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

pub(super) fn unknown(kind: &str, name: &str, span: Span, candidates: Vec<&str>) -> Error {
    let mut err = Error::new(ErrorKind::UnknownName, format!("unknown {kind} '{name}'")).with_span(span);
    if let Some(s) = suggest(name, candidates.iter().copied()) {
        err = err.with_hint(format!("did you mean '{s}'?"));
    } else {
        err = err.with_hint(format!("{kind}s are: {}", candidates.join(", ")));
    }
    err
}

pub(super) fn needs_register(what: &str, span: Span) -> Error {
    Error::new(ErrorKind::Semantic, format!("'{what}' needs a contracts register, and this dataset has none"))
        .with_span(span)
        .with_hint("load one with `spendql ingest --kind contracts --council NAME FILE`")
}

/// A dimension used with measures of a table that does not have it.
pub(super) fn check_dimension_table(def: &DimensionDef, table: Table, span: Span) -> Result<()> {
    if def.in_table(table) {
        return Ok(());
    }
    let other = if table == Table::Spend { "contract measures such as `contracts`" } else { "spend measures" };
    Err(Error::new(ErrorKind::Semantic, format!("'{}' is not recorded in the {} table", def.name, table.name()))
        .with_span(span)
        .with_hint(format!("'{}' goes with {other}", def.name)))
}
