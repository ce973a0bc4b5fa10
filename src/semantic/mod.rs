//! Resolving a parsed query against the semantic model ([`model`]): names become measures,
//! dimensions and fields; periods become date ranges; string values are checked against
//! the data (with suggestions for near misses). The result, a [`ResolvedQuery`] (the IR, in
//! [`ir`]), holds no DataFusion types: building the plan is [`crate::plan`]'s job alone.
//!
//! The resolver is split by construct, as the grammar is: the query's clauses in order
//! ([`query`]), measures and dimensions (`measure`), conditions and values (`condition`),
//! `compare`/`across`/`order by`/`top` (`shaping`) and reports (`report`). Describing a
//! resolved query in words, for `explain`, is [`explain`]'s.

mod condition;
pub mod explain;
pub mod ir;
mod measure;
pub mod model;
pub mod period;
mod query;
mod report;
mod shaping;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::error::{Error, ErrorKind, Result, Span};
use crate::schema::Table;
use crate::syntax::ast::{self, Expr, Name, Operand};
pub use condition::parse_pence;
pub use explain::describe;
pub use ir::ResolvedQuery;
use model::DimensionDef;
pub use period::DateRange;

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
}

/// Measures defined in query files with `define measure NAME = MEASURE where ...`.
#[derive(Debug, Clone, Default)]
pub struct Definitions {
    measures: HashMap<String, (Name, Option<Expr>)>,
}

impl Definitions {
    pub fn define_measure(&mut self, name: &Name, measure: Name, filter: Option<Expr>) {
        self.measures.insert(name.text(), (measure, filter));
    }

    pub fn measure_names(&self) -> impl Iterator<Item = &str> {
        self.measures.keys().map(String::as_str)
    }
}

/// Parameter values (`$month`), from `param` statements and `--param`.
pub type Params = HashMap<String, Operand>;

/// Resolve a parsed query. `lookup` answers questions about the data (as-of date, values).
pub fn resolve(
    query: &ast::Query,
    definitions: &Definitions,
    params: &Params,
    lookup: &dyn DataLookup,
    as_of_override: Option<NaiveDate>,
) -> Result<ResolvedQuery> {
    let as_of = match as_of_override {
        Some(d) => d,
        None => lookup.as_of()?,
    };
    let mut resolver = Resolver { definitions, params, lookup, as_of, table: Table::Spend };
    resolver.query(query)
}

struct Resolver<'a> {
    definitions: &'a Definitions,
    params: &'a Params,
    lookup: &'a dyn DataLookup,
    as_of: NaiveDate,
    /// The table the query reads, known once its measures are resolved.
    table: Table,
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

fn unknown(kind: &str, name: &str, span: Span, candidates: Vec<&str>) -> Error {
    let mut err = Error::new(ErrorKind::UnknownName, format!("unknown {kind} '{name}'")).with_span(span);
    if let Some(s) = suggest(name, candidates.iter().copied()) {
        err = err.with_hint(format!("did you mean '{s}'?"));
    } else {
        err = err.with_hint(format!("{kind}s are: {}", candidates.join(", ")));
    }
    err
}

fn needs_register(what: &str, span: Span) -> Error {
    Error::new(ErrorKind::Semantic, format!("'{what}' needs a contracts register, and this dataset has none"))
        .with_span(span)
        .with_hint("load one with `spendql ingest --kind contracts --council NAME FILE`")
}

/// A dimension used with measures of a table that does not have it.
fn check_dimension_table(def: &DimensionDef, table: Table, span: Span) -> Result<()> {
    if def.in_table(table) {
        return Ok(());
    }
    let other = if table == Table::Spend { "contract measures such as `contracts`" } else { "spend measures" };
    Err(Error::new(ErrorKind::Semantic, format!("'{}' is not recorded in the {} table", def.name, table.name()))
        .with_span(span)
        .with_hint(format!("'{}' goes with {other}", def.name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_close_names() {
        assert_eq!(suggest("categry", ["council", "category", "month"]), Some("category"));
        assert_eq!(suggest("Traford", ["Trafford", "Salford", "Stockport"]), Some("Trafford"));
        assert_eq!(suggest("zzzzzz", ["council", "category"]), None);
    }
}
