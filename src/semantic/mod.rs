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
mod resolver;
mod shaping;

use chrono::NaiveDate;

use crate::error::Result;
use crate::schema::Table;
use crate::syntax::ast;
pub use condition::parse_pence;
pub use explain::describe;
pub use ir::ResolvedQuery;
pub use period::DateRange;
use resolver::Resolver;
pub use resolver::{DataLookup, Definitions, Params, suggest};

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
