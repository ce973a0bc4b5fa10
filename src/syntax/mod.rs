//! Parsing SpendQL text into the typed AST of [`ast`]. This is the only module that knows
//! about pest: its pairs never leave here, and its errors are turned into
//! [`crate::error::Error`]s that name what was expected in words.
//!
//! The grammar (`grammar/spendql.pest`) knows no measure or dimension names: a name is one
//! or more words that are not [`KEYWORDS`], and the semantic stage decides what it means.
//!
//! # The language in brief
//!
//! ```text
//! query     = [top|bottom N <name> by] <measure>, ... clause*       (each clause at most once,
//!                                                                    in any order)
//! clause    = by <dim>, ...  | where <cond> | having <cond> | across <dim>
//!           | within <dim> | within N <unit> | within <relative period>
//!           | compare <period> with <period> | order by <name> [asc|desc], ...
//!           | limit N | as chart
//! cond      = cond or cond | cond and cond | not cond | ( cond )
//!           | <name> (= | == | != | <> | < | <= | > | >=) <value>
//!           | <name> [not] in (<value>, ...) | <name> [not] in <period> | <name> in $param
//!           | <name> between <value> and <value> | <name> ~ <value>
//!           | <name> is [not] missing | <name>                        (a flag)
//! value     = "text" | 'text' | 2015 | -3 | £25k | 1.5m | 2021-04-01 | true | false | $param
//!           | <period>
//! period    = FY2021/22 | 2021Q2 | 2021-04 | 2021 (where only a period fits)
//!           | last N <unit> | next N <unit> | this <unit> | previous <unit> | last <unit>
//! unit      = day | week | month | quarter | year | fy | financial year   (plural too)
//! file      = ( param NAME = <value> | define measure <name> = <measure> [where <cond>]
//!             | include "path" | query "Title" = <query>
//!             | report (monthly|quarterly|yearly) "Title" | section "Title"
//!             | kpi "Name" = <measure> [where <cond>] [as share of <measure> [where <cond>]]
//!                 <rule>* )*
//! rule      = target <threshold> [per <unit>] [for "Council"] [in FY2024/25]   (repeatable)
//!           | floor <threshold> | tolerance <threshold> | higher is better | lower is better
//! threshold = 80% | £1.2m | 20 | 4.2
//! ```
//!
//! Keywords are case-insensitive; names are lower-cased; `#` starts a comment; a query may
//! span lines. Every AST node carries the byte span it came from.

pub mod ast;
mod lexical;
mod parser;

#[cfg(test)]
mod tests;

use crate::error::Result;
pub use lexical::KEYWORDS;
use lexical::TokenKind;

/// Parse one query (`spend by council where year = 2015`).
pub fn parse_query(source: &str) -> Result<ast::Query> {
    parser::parse_query(source)
}

/// Parse a saved query file (`param`, `define`, `include` and `query` statements, and a
/// report's `report`, `section` and `kpi`).
pub fn parse_file(source: &str) -> Result<ast::QueryFile> {
    parser::parse_file(source)
}

/// Parse one value on its own (`2021-06`, `£25k`, `"Trafford"`, `last 3 months`,
/// `$other`), as a command line or the REPL gives a parameter. Spans point into `source`.
pub fn parse_operand(source: &str) -> Result<ast::Operand> {
    parser::parse_operand(source)
}

/// Keywords after which a query cannot end: something must follow them.
const CONTINUING_KEYWORDS: &[&str] = &[
    "by",
    "where",
    "and",
    "or",
    "not",
    "in",
    "between",
    "having",
    "order",
    "limit",
    "top",
    "bottom",
    "within",
    "across",
    "compare",
    "with",
    "as",
    "is",
    "last",
    "next",
    "this",
    "previous",
    "param",
    "query",
    "define",
    "measure",
    "include",
    "report",
    "section",
    "kpi",
    "target",
    "floor",
    "tolerance",
    "per",
    "for",
    "higher",
    "lower",
];

/// Whether `source` is clearly unfinished, so a REPL should read another line rather than
/// run it: it ends inside a string, with a bracket open, after an operator or comma, after a
/// keyword that needs something to follow, or in a `between` that has no `and` yet.
/// Input that is merely wrong is not incomplete: running it shows the error.
pub fn is_incomplete(source: &str) -> bool {
    let tokens = lexical::tokenize(source);
    let Some(last) = tokens.last() else {
        return false;
    };
    if lexical::unclosed_string(&tokens).is_some() {
        return true;
    }
    let mut depth = 0i64;
    for token in &tokens {
        match token.text(source) {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ => {}
        }
    }
    if depth > 0 {
        return true;
    }
    let last_text = last.text(source).to_lowercase();
    let awaits_operand = last.kind == TokenKind::Symbol
        && matches!(last_text.as_str(), "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=" | "~" | "," | "(");
    if awaits_operand || last.kind == TokenKind::Word && CONTINUING_KEYWORDS.contains(&last_text.as_str()) {
        return true;
    }
    let is_word = |token: &lexical::Token, word: &str| {
        token.kind == TokenKind::Word && token.text(source).eq_ignore_ascii_case(word)
    };
    match tokens.iter().rposition(|t| is_word(t, "between")) {
        Some(at) => !tokens[at..].iter().any(|t| is_word(t, "and")),
        None => false,
    }
}
