//! The pest binding for `grammar/spendql.pest` and the builders that turn its pairs into the
//! AST: one `build_<rule>` per rule that produces a node. Pest types stay in this file; what
//! leaves it is AST or [`Error`]. Failed parses become errors that say in words what was
//! expected, point at the token that tripped the parser, and suggest keywords for typos.

use chrono::NaiveDate;
use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};
use pest_derive::Parser;

use super::ast::{
    Compare, CompareOp, Expr, Kpi, KpiMeasure, KpiRules, KpiTarget, Literal, Measure, MeasureRef, MetricMeasure, Name,
    Operand, OrderItem, Period, PeriodKind, PeriodUnit, Polarity, Query, QueryFile, Rank, RankDirection, ReportKind,
    Spanned, Statement, Threshold, ThresholdUnit, Within,
};
use super::lexical::{self, TokenKind};
use crate::error::{Error, Result, Span};

#[derive(Parser)]
#[grammar = "../grammar/spendql.pest"]
struct SpendQlParser;

/// Brackets may nest this deep; checked before pest recurses into them.
pub(super) const MAX_BRACKET_DEPTH: usize = 32;
/// A condition tree may be this tall (counting `and`, `or` and `not`), so later stages can
/// walk it recursively without risking the stack.
pub(super) const MAX_CONDITION_HEIGHT: usize = 128;

/// What is being parsed; decides how the end of the input is described.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Query,
    File,
    Value,
}

pub(super) fn parse_query(source: &str) -> Result<Query> {
    lexical::check_nesting(source, MAX_BRACKET_DEPTH)?;
    let pairs = SpendQlParser::parse(Rule::query_input, source).map_err(|e| syntax_error(e, source, Mode::Query))?;
    let mut top = Children::of_pairs(pairs, 0..source.len());
    let mut input = top.next_rule(Rule::query_input)?.into_children();
    build_query(input.next_rule(Rule::query)?)
}

pub(super) fn parse_operand(source: &str) -> Result<Operand> {
    lexical::check_nesting(source, MAX_BRACKET_DEPTH)?;
    let pairs = SpendQlParser::parse(Rule::operand_input, source).map_err(|e| syntax_error(e, source, Mode::Value))?;
    let mut top = Children::of_pairs(pairs, 0..source.len());
    let mut input = top.next_rule(Rule::operand_input)?.into_children();
    build_operand(input.next_rule(Rule::operand)?)
}

pub(super) fn parse_file(source: &str) -> Result<QueryFile> {
    lexical::check_nesting(source, MAX_BRACKET_DEPTH)?;
    let pairs = SpendQlParser::parse(Rule::file_input, source).map_err(|e| syntax_error(e, source, Mode::File))?;
    let mut top = Children::of_pairs(pairs, 0..source.len());
    build_file_input(top.next_rule(Rule::file_input)?)
}

// ---------------------------------------------------------------------------------------
// Walking pairs without unwrap: the grammar guarantees the shapes below, but a mistake in
// it should surface as an error naming the rule, never as a panic on someone's query.

/// The source a pair covers, up to the end of its last token. pest's own span also takes
/// in the whitespace and comments skipped before an optional part that then matched
/// nothing (`name` in `name ~ test?`); a caret or a column heading should not.
fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let start = pair.as_span().start();
    let mut last = pair.clone();
    // A string's pair holds only its text; its closing quote is in the string's own span.
    while last.as_rule() != Rule::string_literal
        && let Some(child) = last.clone().into_inner().last()
    {
        last = child;
    }
    start..last.as_span().end()
}

fn internal(what: &str, span: Span) -> Error {
    Error::syntax(format!("internal parser error: expected {what} here; please report this query"), span)
}

struct Children<'i> {
    pairs: std::iter::Peekable<Pairs<'i, Rule>>,
    parent: Span,
}

trait IntoChildren<'i> {
    fn into_children(self) -> Children<'i>;
}

impl<'i> IntoChildren<'i> for Pair<'i, Rule> {
    fn into_children(self) -> Children<'i> {
        let parent = span_of(&self);
        Children { pairs: self.into_inner().peekable(), parent }
    }
}

impl<'i> Children<'i> {
    fn of_pairs(pairs: Pairs<'i, Rule>, parent: Span) -> Self {
        Children { pairs: pairs.peekable(), parent }
    }

    fn next_any(&mut self) -> Result<Pair<'i, Rule>> {
        self.pairs.next().ok_or_else(|| internal("more input", self.parent.clone()))
    }

    fn next_rule(&mut self, rule: Rule) -> Result<Pair<'i, Rule>> {
        match self.pairs.next() {
            Some(pair) if pair.as_rule() == rule => Ok(pair),
            Some(pair) => Err(internal(describe(rule, Mode::Query), span_of(&pair))),
            None => Err(internal(describe(rule, Mode::Query), self.parent.clone())),
        }
    }

    /// The next pair if it is `rule`, else nothing (for optional parts).
    fn take(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        self.pairs.next_if(|p| p.as_rule() == rule)
    }

    fn skip(&mut self, rule: Rule) -> bool {
        self.take(rule).is_some()
    }
}

// ---------------------------------------------------------------------------------------
// Queries

fn build_query(pair: Pair<'_, Rule>) -> Result<Query> {
    let span = span_of(&pair);
    let mut query = Query {
        rank: None,
        measures: Vec::new(),
        group_by: Vec::new(),
        within: None,
        across: None,
        compare: None,
        filter: None,
        having: None,
        order_by: Vec::new(),
        limit: None,
        as_chart: false,
        span,
    };
    let mut seen: Vec<(Rule, Span)> = Vec::new();
    for child in pair.into_inner() {
        let rule = child.as_rule();
        if let Some(keyword) = clause_keyword(rule) {
            // Point at the repeated clause's keyword, where the fix is.
            let keyword_span = child.clone().into_inner().next().map_or_else(|| span_of(&child), |k| span_of(&k));
            if seen.iter().any(|(r, _)| *r == rule) {
                return Err(duplicate_clause(rule, keyword, keyword_span));
            }
            seen.push((rule, keyword_span));
        }
        match rule {
            Rule::rank => query.rank = Some(build_rank(child)?),
            Rule::measure_list => query.measures = build_measure_list(child)?,
            Rule::group_by => query.group_by = build_group_by(child)?,
            Rule::where_clause => query.filter = Some(build_where_clause(child)?),
            Rule::having_clause => query.having = Some(build_having_clause(child)?),
            Rule::within_clause => query.within = Some(build_within_clause(child)?),
            Rule::across_clause => query.across = Some(build_across_clause(child)?),
            Rule::compare_clause => query.compare = Some(build_compare_clause(child)?),
            Rule::order_clause => query.order_by = build_order_clause(child)?,
            Rule::limit_clause => query.limit = Some(build_limit_clause(child)?),
            Rule::chart_clause => query.as_chart = true,
            other => return Err(internal(describe(other, Mode::Query), span_of(&child))),
        }
    }
    Ok(query)
}

/// The keyword that starts a clause, for clauses that may appear at most once.
fn clause_keyword(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::group_by => "by",
        Rule::where_clause => "where",
        Rule::having_clause => "having",
        Rule::within_clause => "within",
        Rule::across_clause => "across",
        Rule::compare_clause => "compare",
        Rule::order_clause => "order by",
        Rule::limit_clause => "limit",
        Rule::chart_clause => "as chart",
        _ => return None,
    })
}

fn duplicate_clause(rule: Rule, keyword: &str, span: Span) -> Error {
    let err = Error::syntax(format!("`{keyword}` appears twice in this query; each clause may be given once"), span);
    match rule {
        Rule::where_clause | Rule::having_clause => {
            err.with_hint(format!("join the conditions with `and` under one `{keyword}`: `{keyword} A and B`"))
        }
        Rule::group_by => err.with_hint("list every dimension after one `by`, separated by commas: `by council, fy`"),
        Rule::order_clause => err.with_hint("list every sort key after one `order by`: `order by spend desc, council`"),
        _ => err.with_hint(format!("keep one `{keyword}`")),
    }
}

fn build_rank(pair: Pair<'_, Rule>) -> Result<Rank> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    let direction = match children.next_any()?.as_rule() {
        Rule::kw_top => RankDirection::Top,
        _ => RankDirection::Bottom,
    };
    let count = build_count(children.next_rule(Rule::count)?)?;
    let dimension = build_name(children.next_rule(Rule::dimension_name)?);
    Ok(Rank { direction, count, dimension, span })
}

fn build_measure_list(pair: Pair<'_, Rule>) -> Result<Vec<Measure>> {
    let mut measures = Vec::new();
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::measure_name => measures.push(Measure::Named(build_name(child))),
            Rule::metric_measure => measures.push(Measure::Metric(build_metric_measure(child)?)),
            _ => {}
        }
    }
    Ok(measures)
}

fn build_metric_measure(pair: Pair<'_, Rule>) -> Result<MetricMeasure> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_metric)?;
    let name = build_string_literal(children.next_rule(Rule::string_literal)?)?;
    Ok(MetricMeasure { name, span })
}

fn build_group_by(pair: Pair<'_, Rule>) -> Result<Vec<Name>> {
    Ok(pair.into_inner().filter(|p| p.as_rule() == Rule::dimension_name).map(build_name).collect())
}

fn build_where_clause(pair: Pair<'_, Rule>) -> Result<Expr> {
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_where)?;
    build_condition(children.next_rule(Rule::condition)?)
}

fn build_having_clause(pair: Pair<'_, Rule>) -> Result<Expr> {
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_having)?;
    build_condition(children.next_rule(Rule::condition)?)
}

fn build_within_clause(pair: Pair<'_, Rule>) -> Result<Within> {
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_within)?;
    build_within_target(children.next_rule(Rule::within_target)?)
}

fn build_within_target(pair: Pair<'_, Rule>) -> Result<Within> {
    let mut children = pair.into_children();
    let target = children.next_any()?;
    Ok(match target.as_rule() {
        Rule::period_length => Within::Period(build_period_length(target)?),
        Rule::relative_period => Within::Period(build_relative_period(target)?),
        _ => Within::Dimension(build_name(target)),
    })
}

fn build_across_clause(pair: Pair<'_, Rule>) -> Result<Name> {
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_across)?;
    Ok(build_name(children.next_rule(Rule::dimension_name)?))
}

fn build_compare_clause(pair: Pair<'_, Rule>) -> Result<Compare> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_compare)?;
    let current = build_period(children.next_rule(Rule::period)?)?;
    children.next_rule(Rule::kw_with)?;
    let previous = build_period(children.next_rule(Rule::period)?)?;
    Ok(Compare { current, previous, span })
}

fn build_order_clause(pair: Pair<'_, Rule>) -> Result<Vec<OrderItem>> {
    Ok(pair.into_inner().filter(|p| p.as_rule() == Rule::order_item).map(build_order_item).collect())
}

fn build_order_item(pair: Pair<'_, Rule>) -> OrderItem {
    let span = span_of(&pair);
    let mut name = None;
    let mut descending = false;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::order_name => name = Some(build_name(child)),
            Rule::kw_desc => descending = true,
            _ => {}
        }
    }
    // The grammar requires the name; an empty one would only come from a grammar mistake.
    let name = name.unwrap_or_else(|| Name { words: Vec::new(), span: span.clone() });
    OrderItem { name, descending, span }
}

fn build_limit_clause(pair: Pair<'_, Rule>) -> Result<Spanned<u64>> {
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_limit)?;
    build_count(children.next_rule(Rule::count)?)
}

fn build_count(pair: Pair<'_, Rule>) -> Result<Spanned<u64>> {
    let span = span_of(&pair);
    let value = pair
        .as_str()
        .parse::<u64>()
        .map_err(|_| Error::syntax(format!("{} is too large to be a count", pair.as_str()), span.clone()))?;
    Ok(Spanned::new(value, span))
}

/// Names are atomic in the grammar (so their words never clutter error messages); the
/// words are split out here. Between words there is only whitespace or a comment.
fn build_name(pair: Pair<'_, Rule>) -> Name {
    let span = span_of(&pair);
    let base = span.start;
    let text = pair.as_str();
    let mut words = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while !rest.is_empty() {
        let trimmed = rest.trim_start();
        offset += rest.len() - trimmed.len();
        rest = trimmed;
        if rest.starts_with('#') {
            let line_end = rest.find('\n').unwrap_or(rest.len());
            offset += line_end;
            rest = &rest[line_end..];
            continue;
        }
        let word_end = rest.find(|c: char| c.is_whitespace() || c == '#').unwrap_or(rest.len());
        if word_end > 0 {
            let start = base + offset;
            words.push(Spanned::new(rest[..word_end].to_lowercase(), start..start + word_end));
        }
        offset += word_end;
        rest = &rest[word_end..];
    }
    Name { words, span }
}

// ---------------------------------------------------------------------------------------
// Conditions. Builders return the tree's height with it, so a condition too tall for later
// recursive stages is refused here, with a span, instead of overflowing someone's stack.

fn build_condition(pair: Pair<'_, Rule>) -> Result<Expr> {
    let mut children = pair.into_children();
    let (expr, _) = build_disjunction(children.next_rule(Rule::disjunction)?)?;
    Ok(expr)
}

fn check_height(expr: Expr, height: usize) -> Result<(Expr, usize)> {
    if height > MAX_CONDITION_HEIGHT {
        let span = expr.span();
        return Err(Error::syntax(
            format!(
                "this condition is too deeply nested (more than {MAX_CONDITION_HEIGHT} levels of `and`, `or` and `not`)"
            ),
            span,
        )
        .with_hint("use `in (...)` for long lists of alternatives"));
    }
    Ok((expr, height))
}

fn build_disjunction(pair: Pair<'_, Rule>) -> Result<(Expr, usize)> {
    let mut result: Option<(Expr, usize)> = None;
    for child in pair.into_inner().filter(|p| p.as_rule() == Rule::conjunction) {
        let (right, right_height) = build_conjunction(child)?;
        result = Some(match result {
            None => (right, right_height),
            Some((left, left_height)) => {
                check_height(Expr::Or(Box::new(left), Box::new(right)), left_height.max(right_height) + 1)?
            }
        });
    }
    result.ok_or_else(|| internal("a condition", 0..0))
}

fn build_conjunction(pair: Pair<'_, Rule>) -> Result<(Expr, usize)> {
    let mut result: Option<(Expr, usize)> = None;
    for child in pair.into_inner().filter(|p| p.as_rule() == Rule::negation) {
        let (right, right_height) = build_negation(child)?;
        result = Some(match result {
            None => (right, right_height),
            Some((left, left_height)) => {
                check_height(Expr::And(Box::new(left), Box::new(right)), left_height.max(right_height) + 1)?
            }
        });
    }
    result.ok_or_else(|| internal("a condition", 0..0))
}

fn build_negation(pair: Pair<'_, Rule>) -> Result<(Expr, usize)> {
    let span = span_of(&pair);
    let mut not_starts = Vec::new();
    let mut inner = None;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::kw_not => not_starts.push(child.as_span().start()),
            Rule::term => inner = Some(build_term(child)?),
            other => return Err(internal(describe(other, Mode::Query), span_of(&child))),
        }
    }
    let (mut expr, mut height) = inner.ok_or_else(|| internal("a condition", span.clone()))?;
    // The innermost `not` applies first; each one's span runs from itself to the end.
    for start in not_starts.into_iter().rev() {
        (expr, height) = check_height(Expr::Not { expr: Box::new(expr), span: start..span.end }, height + 1)?;
    }
    Ok((expr, height))
}

fn build_term(pair: Pair<'_, Rule>) -> Result<(Expr, usize)> {
    let mut children = pair.into_children();
    let term = children.next_any()?;
    match term.as_rule() {
        Rule::group => build_group(term),
        _ => Ok((build_predicate(term)?, 0)),
    }
}

fn build_group(pair: Pair<'_, Rule>) -> Result<(Expr, usize)> {
    let mut children = pair.into_children();
    children.next_rule(Rule::open_paren)?;
    build_disjunction(children.next_rule(Rule::disjunction)?)
}

fn build_predicate(pair: Pair<'_, Rule>) -> Result<Expr> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    let left = build_name(children.next_rule(Rule::field_name)?);
    let Some(test) = children.take(Rule::test) else {
        return Ok(Expr::Flag { name: left, span });
    };
    build_test(test, left, span)
}

fn build_test(pair: Pair<'_, Rule>, left: Name, span: Span) -> Result<Expr> {
    let mut children = pair.into_children();
    let test = children.next_any()?;
    match test.as_rule() {
        Rule::comparison => {
            let (op, right) = build_comparison(test)?;
            Ok(Expr::Compare { left, op, right, span })
        }
        Rule::in_test => {
            let (values, negated) = build_in_test(test)?;
            Ok(Expr::In { left, values, negated, span })
        }
        Rule::between_test => {
            let (low, high) = build_between_test(test)?;
            Ok(Expr::Between { left, low, high, span })
        }
        Rule::contains_test => Ok(Expr::Contains { left, pattern: build_contains_test(test)?, span }),
        Rule::missing_test => Ok(Expr::IsMissing { left, negated: build_missing_test(test), span }),
        other => Err(internal(describe(other, Mode::Query), span_of(&test))),
    }
}

fn build_comparison(pair: Pair<'_, Rule>) -> Result<(CompareOp, Operand)> {
    let mut children = pair.into_children();
    let op = build_comparison_op(children.next_rule(Rule::comparison_op)?);
    let right = build_operand(children.next_rule(Rule::operand)?)?;
    Ok((op, right))
}

fn build_comparison_op(pair: Pair<'_, Rule>) -> CompareOp {
    match pair.as_str() {
        "!=" | "<>" => CompareOp::NotEq,
        "<" => CompareOp::Lt,
        "<=" => CompareOp::LtEq,
        ">" => CompareOp::Gt,
        ">=" => CompareOp::GtEq,
        _ => CompareOp::Eq,
    }
}

fn build_in_test(pair: Pair<'_, Rule>) -> Result<(Vec<Operand>, bool)> {
    let mut children = pair.into_children();
    let negated = children.skip(Rule::kw_not);
    children.next_rule(Rule::kw_in)?;
    let values = build_in_values(children.next_rule(Rule::in_values)?)?;
    Ok((values, negated))
}

fn build_in_values(pair: Pair<'_, Rule>) -> Result<Vec<Operand>> {
    let mut children = pair.into_children();
    let values = children.next_any()?;
    Ok(match values.as_rule() {
        Rule::value_list => build_value_list(values)?,
        Rule::period => vec![Operand::Period(build_period(values)?)],
        _ => vec![build_param(values)],
    })
}

fn build_value_list(pair: Pair<'_, Rule>) -> Result<Vec<Operand>> {
    let mut values = Vec::new();
    let mut previous_number: Option<Span> = None;
    let mut comma_end = None;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::comma => comma_end = Some(child.as_span().end()),
            Rule::operand => {
                let span = span_of(&child);
                let text = child.as_str();
                let is_number = child.clone().into_inner().next().is_some_and(|p| p.as_rule() == Rule::number_literal);
                // `(£1,000, £2,000)` would otherwise read as four numbers without complaint.
                if let Some(number) = &previous_number
                    && comma_end == Some(span.start)
                    && text.len() == 3
                    && text.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(Error::syntax("this comma looks like a thousands separator", number.start..span.end)
                        .with_hint(
                            "write amounts without commas, as in £25000 or £25k; separate list items with `, `",
                        ));
                }
                previous_number = is_number.then_some(span);
                values.push(build_operand(child)?);
            }
            _ => {}
        }
    }
    Ok(values)
}

fn build_between_test(pair: Pair<'_, Rule>) -> Result<(Operand, Operand)> {
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_between)?;
    let low = build_operand(children.next_rule(Rule::operand)?)?;
    children.next_rule(Rule::kw_and)?;
    let high = build_operand(children.next_rule(Rule::operand)?)?;
    Ok((low, high))
}

fn build_contains_test(pair: Pair<'_, Rule>) -> Result<Operand> {
    let mut children = pair.into_children();
    children.next_rule(Rule::contains_op)?;
    build_operand(children.next_rule(Rule::operand)?)
}

fn build_missing_test(pair: Pair<'_, Rule>) -> bool {
    pair.into_inner().any(|p| p.as_rule() == Rule::kw_not)
}

// ---------------------------------------------------------------------------------------
// Values and periods

fn build_operand(pair: Pair<'_, Rule>) -> Result<Operand> {
    let mut children = pair.into_children();
    let value = children.next_any()?;
    let span = span_of(&value);
    Ok(match value.as_rule() {
        Rule::param => build_param(value),
        Rule::string_literal => {
            let text = build_string_literal(value)?;
            Operand::Literal(Spanned::new(Literal::String(text.node), span))
        }
        Rule::date_literal => Operand::Literal(Spanned::new(Literal::Date(build_date_literal(value)?), span)),
        Rule::bool_literal => Operand::Literal(Spanned::new(build_bool_literal(value), span)),
        Rule::number_literal => Operand::Literal(Spanned::new(build_number_literal(value), span)),
        Rule::month_literal => Operand::Period(build_month_literal(value)?),
        Rule::quarter_literal => Operand::Period(build_quarter_literal(value)?),
        Rule::fy_literal => Operand::Period(build_fy_literal(value)?),
        Rule::relative_period => Operand::Period(build_relative_period(value)?),
        other => return Err(internal(describe(other, Mode::Query), span)),
    })
}

fn build_param(pair: Pair<'_, Rule>) -> Operand {
    let span = span_of(&pair);
    Operand::Param(Spanned::new(pair.as_str().trim_start_matches('$').to_string(), span))
}

fn build_period(pair: Pair<'_, Rule>) -> Result<Period> {
    let mut children = pair.into_children();
    let inner = children.next_any()?;
    match inner.as_rule() {
        Rule::fy_literal => build_fy_literal(inner),
        Rule::quarter_literal => build_quarter_literal(inner),
        Rule::month_literal => build_month_literal(inner),
        Rule::relative_period => build_relative_period(inner),
        Rule::year_literal => build_year_literal(inner),
        other => Err(internal(describe(other, Mode::Query), span_of(&inner))),
    }
}

fn build_string_literal(pair: Pair<'_, Rule>) -> Result<Spanned<String>> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    let body = children.next_any()?;
    let base = body.as_span().start();
    let mut text = String::new();
    let mut chars = body.as_str().char_indices();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '"')) => text.push('"'),
            Some((_, '\'')) => text.push('\''),
            Some((_, '\\')) => text.push('\\'),
            Some((_, 'n')) => text.push('\n'),
            Some((_, 't')) => text.push('\t'),
            Some((at, other)) => {
                let escape = base + at - 1..base + at + other.len_utf8();
                return Err(Error::syntax(format!("`\\{other}` is not an escape SpendQL knows"), escape)
                    .with_hint("inside quotes write `\\\"`, `\\'`, `\\\\`, `\\n` or `\\t`"));
            }
            None => text.push('\\'),
        }
    }
    Ok(Spanned::new(text, span))
}

/// Four digits as a year; the grammar guarantees the digits.
fn year_of(text: &str, span: &Span) -> Result<i32> {
    text.get(..4).and_then(|y| y.parse().ok()).ok_or_else(|| internal("a four-digit year", span.clone()))
}

fn two_digits(text: &str, at: usize, span: &Span) -> Result<u32> {
    text.get(at..at + 2).and_then(|d| d.parse().ok()).ok_or_else(|| internal("two digits", span.clone()))
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn check_month(text: &str, month: u32, span: &Span) -> Result<()> {
    if (1..=12).contains(&month) {
        Ok(())
    } else {
        Err(Error::syntax(format!("`{text}` is not a date: there is no month {month:02}"), span.clone())
            .with_hint("months run from 01 to 12; dates are written year-month-day, like 2021-04-01"))
    }
}

fn build_date_literal(pair: Pair<'_, Rule>) -> Result<NaiveDate> {
    let span = span_of(&pair);
    let text = pair.as_str();
    let year = year_of(text, &span)?;
    let month = two_digits(text, 5, &span)?;
    let day = two_digits(text, 8, &span)?;
    check_month(text, month, &span)?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        let days = days_in_month(year, month);
        let name = MONTH_NAMES.get(month as usize - 1).copied().unwrap_or("that month");
        Error::syntax(format!("`{text}` is not a date: {name} {year} has {days} days"), span)
    })
}

fn days_in_month(year: i32, month: u32) -> u32 {
    (28..=31).rev().find(|&day| NaiveDate::from_ymd_opt(year, month, day).is_some()).unwrap_or(28)
}

fn build_month_literal(pair: Pair<'_, Rule>) -> Result<Period> {
    let span = span_of(&pair);
    let text = pair.as_str();
    let year = year_of(text, &span)?;
    let month = two_digits(text, 5, &span)?;
    check_month(text, month, &span)?;
    Ok(Period { kind: PeriodKind::Month { year, month }, span })
}

fn build_quarter_literal(pair: Pair<'_, Rule>) -> Result<Period> {
    let span = span_of(&pair);
    let text = pair.as_str();
    let year = year_of(text, &span)?;
    let quarter = text.get(5..6).and_then(|q| q.parse::<u32>().ok()).unwrap_or(0);
    if !(1..=4).contains(&quarter) {
        return Err(Error::syntax(format!("`{text}` is not a quarter: quarters are numbered 1 to 4"), span)
            .with_hint(format!("for example {year}Q1 is January to March {year}")));
    }
    Ok(Period { kind: PeriodKind::Quarter { year, quarter }, span })
}

fn build_fy_literal(pair: Pair<'_, Rule>) -> Result<Period> {
    let span = span_of(&pair);
    let text = pair.as_str();
    let digits = text.get(2..).unwrap_or("");
    let start_year = year_of(digits, &span)?;
    let end = digits.get(5..).unwrap_or("");
    let expected_end = start_year + 1;
    let end_matches = match end.len() {
        2 => end.parse::<i32>().ok() == Some(expected_end.rem_euclid(100)),
        _ => end.parse::<i32>().ok() == Some(expected_end),
    };
    if !end_matches {
        return Err(Error::syntax(
            format!("`{text}` is not a financial year: a financial year runs from April into the next year"),
            span,
        )
        .with_hint(format!(
            "the year starting April {start_year} is FY{start_year}/{:02}",
            expected_end.rem_euclid(100)
        )));
    }
    Ok(Period { kind: PeriodKind::FinancialYear { start_year }, span })
}

fn build_year_literal(pair: Pair<'_, Rule>) -> Result<Period> {
    let span = span_of(&pair);
    let year = year_of(pair.as_str(), &span)?;
    Ok(Period { kind: PeriodKind::Year { year }, span })
}

fn build_bool_literal(pair: Pair<'_, Rule>) -> Literal {
    Literal::Bool(pair.as_str().eq_ignore_ascii_case("true"))
}

/// `£25k` → 25000 (money), `1.5m` → 1500000, `-3` → -3: the suffix moves the decimal point
/// in the text itself, so no value ever passes through a float.
fn build_number_literal(pair: Pair<'_, Rule>) -> Literal {
    number_text(pair.as_str())
}

fn number_text(text: &str) -> Literal {
    let money = text.contains('£');
    let negative = text.contains('-');
    let unsigned = text.trim_start_matches(['-', '£']);
    let (digits, shift) = match unsigned.chars().last() {
        Some('k' | 'K') => (&unsigned[..unsigned.len() - 1], 3),
        Some('m' | 'M') => (&unsigned[..unsigned.len() - 1], 6),
        _ => (unsigned, 0),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut all: String = format!("{whole}{fraction}");
    let point = whole.len() + shift;
    while all.len() < point {
        all.push('0');
    }
    let (whole, fraction) = all.split_at(point);
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let is_zero = whole == "0" && fraction.is_empty();
    let sign = if negative && !is_zero { "-" } else { "" };
    let value = if fraction.is_empty() { format!("{sign}{whole}") } else { format!("{sign}{whole}.{fraction}") };
    Literal::Number { value, money }
}

fn build_relative_period(pair: Pair<'_, Rule>) -> Result<Period> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    let direction = children.next_any()?;
    let count = match children.take(Rule::count) {
        Some(count) => Some(build_period_count(count)?),
        None => None,
    };
    let unit = build_period_unit(children.next_rule(Rule::period_unit)?);
    let kind = match (direction.as_rule(), count) {
        (Rule::kw_this, _) => PeriodKind::This { unit },
        (Rule::kw_previous, _) | (Rule::kw_last, None) => PeriodKind::Previous { unit },
        (Rule::kw_last, Some(count)) => PeriodKind::Last { count, unit },
        (_, count) => PeriodKind::Next { count: count.unwrap_or(1), unit },
    };
    Ok(Period { kind, span })
}

fn build_period_length(pair: Pair<'_, Rule>) -> Result<Period> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    let count = build_period_count(children.next_rule(Rule::count)?)?;
    let unit = build_period_unit(children.next_rule(Rule::period_unit)?);
    Ok(Period { kind: PeriodKind::Next { count, unit }, span })
}

/// A count of periods: at least one, and small enough for date arithmetic to make sense.
fn build_period_count(pair: Pair<'_, Rule>) -> Result<u32> {
    let span = span_of(&pair);
    match pair.as_str().parse::<u32>() {
        Ok(0) => {
            Err(Error::syntax("a period of 0 units is empty", span).with_hint("count at least 1, as in `last 1 month`"))
        }
        Ok(n) if n <= 10_000 => Ok(n),
        _ => Err(Error::syntax(format!("{} is too many units for a period", pair.as_str()), span)
            .with_hint("periods may be up to 10000 units long")),
    }
}

fn build_period_unit(pair: Pair<'_, Rule>) -> PeriodUnit {
    let text = pair.as_str().to_ascii_lowercase();
    let singular = text.strip_suffix('s').unwrap_or(&text);
    match singular {
        "day" => PeriodUnit::Day,
        "week" => PeriodUnit::Week,
        "month" => PeriodUnit::Month,
        "quarter" => PeriodUnit::Quarter,
        "year" => PeriodUnit::Year,
        // `fy` and `financial year` (any spacing between the words).
        _ => PeriodUnit::FinancialYear,
    }
}

// ---------------------------------------------------------------------------------------
// Query files

fn build_file_input(pair: Pair<'_, Rule>) -> Result<QueryFile> {
    let mut statements = Vec::new();
    for child in pair.into_inner() {
        let statement = match child.as_rule() {
            Rule::param_statement => build_param_statement(child)?,
            Rule::define_statement => build_define_statement(child)?,
            Rule::include_statement => build_include_statement(child)?,
            Rule::query_statement => build_query_statement(child)?,
            Rule::report_statement => build_report_statement(child)?,
            Rule::section_statement => build_section_statement(child)?,
            Rule::kpi_statement => Statement::Kpi(build_kpi_statement(child)?),
            _ => continue,
        };
        statements.push(statement);
    }
    Ok(QueryFile { statements })
}

fn build_param_statement(pair: Pair<'_, Rule>) -> Result<Statement> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_param)?;
    let name = children.next_rule(Rule::param_name)?;
    let name = Spanned::new(name.as_str().trim_start_matches('$').to_string(), span_of(&name));
    children.next_rule(Rule::equals)?;
    let value = build_operand(children.next_rule(Rule::operand)?)?;
    Ok(Statement::Param { name, value, span })
}

fn build_define_statement(pair: Pair<'_, Rule>) -> Result<Statement> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_define)?;
    children.next_rule(Rule::kw_measure)?;
    let name = build_name(children.next_rule(Rule::new_measure_name)?);
    children.next_rule(Rule::equals)?;
    let measure = build_name(children.next_rule(Rule::measure_name)?);
    let filter = match children.take(Rule::kw_where) {
        Some(_) => Some(build_condition(children.next_rule(Rule::condition)?)?),
        None => None,
    };
    Ok(Statement::DefineMeasure { name, measure, filter, span })
}

fn build_include_statement(pair: Pair<'_, Rule>) -> Result<Statement> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_include)?;
    let path = build_string_literal(children.next_rule(Rule::string_literal)?)?;
    Ok(Statement::Include { path, span })
}

fn build_query_statement(pair: Pair<'_, Rule>) -> Result<Statement> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_query)?;
    let title = build_string_literal(children.next_rule(Rule::string_literal)?)?;
    children.next_rule(Rule::equals)?;
    let query = build_query(children.next_rule(Rule::query)?)?;
    Ok(Statement::Query { title, query, span })
}

fn build_report_statement(pair: Pair<'_, Rule>) -> Result<Statement> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_report)?;
    let kind = children.next_rule(Rule::report_kind)?;
    let kind_span = span_of(&kind);
    let kind = match kind.as_str().to_ascii_lowercase().as_str() {
        "monthly" => ReportKind::Monthly,
        "quarterly" => ReportKind::Quarterly,
        _ => ReportKind::Yearly,
    };
    let title = build_string_literal(children.next_rule(Rule::string_literal)?)?;
    Ok(Statement::Report { kind: Spanned::new(kind, kind_span), title, span })
}

fn build_section_statement(pair: Pair<'_, Rule>) -> Result<Statement> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_section)?;
    let title = build_string_literal(children.next_rule(Rule::string_literal)?)?;
    Ok(Statement::Section { title, span })
}

fn build_kpi_statement(pair: Pair<'_, Rule>) -> Result<Kpi> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    children.next_rule(Rule::kw_kpi)?;
    let name = build_string_literal(children.next_rule(Rule::string_literal)?)?;
    children.next_rule(Rule::equals)?;
    let measure = build_kpi_measure(children.next_rule(Rule::kpi_measure)?)?;
    let mut rules = KpiRules::default();
    for rule in children.pairs {
        add_kpi_rule(&mut rules, rule)?;
    }
    check_kpi_rules(&rules)?;
    Ok(Kpi { name, measure, rules, span })
}

fn build_kpi_measure(pair: Pair<'_, Rule>) -> Result<KpiMeasure> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    let part = build_kpi_part(children.next_rule(Rule::kpi_part)?)?;
    let whole = match children.take(Rule::kw_as) {
        Some(_) => {
            children.next_rule(Rule::share_of)?;
            Some(build_kpi_part(children.next_rule(Rule::kpi_part)?)?)
        }
        None => None,
    };
    Ok(KpiMeasure { part, whole, span })
}

fn build_kpi_part(pair: Pair<'_, Rule>) -> Result<MeasureRef> {
    let span = span_of(&pair);
    let mut children = pair.into_children();
    let first = children.next_any()?;
    let measure = match first.as_rule() {
        Rule::metric_measure => Measure::Metric(build_metric_measure(first)?),
        Rule::measure_name => Measure::Named(build_name(first)),
        other => return Err(internal(describe(other, Mode::File), span_of(&first))),
    };
    let filter = match children.take(Rule::kw_where) {
        Some(_) => Some(build_condition(children.next_rule(Rule::condition)?)?),
        None => None,
    };
    Ok(MeasureRef { measure, filter, span })
}

/// `80%` → percent 80, `£1.2m` → money 1200000, `4.2` → plain 4.2.
fn build_threshold(pair: Pair<'_, Rule>) -> Result<Spanned<Threshold>> {
    let mut children = pair.into_children();
    let value = children.next_any()?;
    let span = span_of(&value);
    let threshold = match value.as_rule() {
        Rule::percent_literal => {
            let text = value.as_str().trim_end_matches('%');
            let Literal::Number { value, .. } = number_text(text) else {
                return Err(internal("a percentage", span));
            };
            Threshold { value, unit: ThresholdUnit::Percent }
        }
        Rule::number_literal => match build_number_literal(value) {
            Literal::Number { value, money } => {
                Threshold { value, unit: if money { ThresholdUnit::Money } else { ThresholdUnit::Plain } }
            }
            _ => return Err(internal("a number", span)),
        },
        other => return Err(internal(describe(other, Mode::File), span)),
    };
    Ok(Spanned::new(threshold, span))
}

fn add_kpi_rule(rules: &mut KpiRules, pair: Pair<'_, Rule>) -> Result<()> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut children = pair.into_children();
    let keyword = children.next_any()?;
    let keyword_span = span_of(&keyword);
    let twice = |what: &str| {
        Error::syntax(format!("this KPI has two {what}s; give one"), keyword_span.clone()).with_hint(format!(
            "keep one `{what}` (targets may differ per council or year: `target 75% for \"Rochdale\"`)"
        ))
    };
    match rule {
        Rule::target_rule => {
            let value = build_threshold(children.next_rule(Rule::threshold)?)?;
            let per = match children.take(Rule::kw_per) {
                Some(_) => {
                    let unit = children.next_rule(Rule::period_unit)?;
                    let unit_span = span_of(&unit);
                    let unit = build_period_unit(unit);
                    if matches!(unit, PeriodUnit::Day | PeriodUnit::Week) {
                        return Err(Error::syntax("a target is per month, per quarter or per fy", unit_span)
                            .with_hint("write `per month`, `per quarter` or `per fy`"));
                    }
                    Some(Spanned::new(unit, unit_span))
                }
                None => None,
            };
            let council = match children.take(Rule::kw_for) {
                Some(_) => Some(build_string_literal(children.next_rule(Rule::string_literal)?)?),
                None => None,
            };
            let financial_year = match children.take(Rule::kw_in) {
                Some(_) => {
                    let fy = build_fy_literal(children.next_rule(Rule::fy_literal)?)?;
                    let PeriodKind::FinancialYear { start_year } = fy.kind else {
                        return Err(internal("a financial year", fy.span));
                    };
                    Some(Spanned::new(start_year, fy.span))
                }
                None => None,
            };
            let target = KpiTarget { value, per, council, financial_year, span: span.clone() };
            let same = |t: &KpiTarget| {
                t.council.as_ref().map(|c| c.node.to_lowercase())
                    == target.council.as_ref().map(|c| c.node.to_lowercase())
                    && t.financial_year.as_ref().map(|y| y.node) == target.financial_year.as_ref().map(|y| y.node)
            };
            if rules.targets.iter().any(same) {
                let whose = match (&target.council, &target.financial_year) {
                    (None, None) => "every council and year".to_string(),
                    (Some(c), None) => format!("\"{}\"", c.node),
                    (None, Some(_)) => "that year".to_string(),
                    (Some(c), Some(_)) => format!("\"{}\" in that year", c.node),
                };
                return Err(Error::syntax(format!("this KPI already has a target for {whose}"), span)
                    .with_hint("give each council and financial year one target"));
            }
            rules.targets.push(target);
        }
        Rule::floor_rule => {
            if rules.floor.is_some() {
                return Err(twice("floor"));
            }
            rules.floor = Some(build_threshold(children.next_rule(Rule::threshold)?)?);
        }
        Rule::tolerance_rule => {
            if rules.tolerance.is_some() {
                return Err(twice("tolerance"));
            }
            let tolerance = build_threshold(children.next_rule(Rule::threshold)?)?;
            if tolerance.node.value.starts_with('-') {
                return Err(Error::syntax("a tolerance cannot be negative", tolerance.span)
                    .with_hint("write how far from the target still counts as Amber, as in `tolerance 10%`"));
            }
            rules.tolerance = Some(tolerance);
        }
        Rule::polarity_rule => {
            if rules.polarity.is_some() {
                return Err(Error::syntax("this KPI says which way is better twice", keyword_span.clone())
                    .with_hint("keep one `higher is better` or `lower is better`"));
            }
            let polarity = if keyword.as_rule() == Rule::kw_lower { Polarity::Lower } else { Polarity::Higher };
            rules.polarity = Some(Spanned::new(polarity, span));
        }
        other => return Err(internal(describe(other, Mode::File), span)),
    }
    Ok(())
}

/// Rules that contradict each other, refused where the later one was written.
fn check_kpi_rules(rules: &KpiRules) -> Result<()> {
    if let (Some(floor), Some(tolerance)) = (&rules.floor, &rules.tolerance) {
        let later = if floor.span.start > tolerance.span.start { floor.span.clone() } else { tolerance.span.clone() };
        return Err(Error::syntax("a KPI has a floor or a tolerance, not both", later)
            .with_hint("a floor makes Amber everything between it and the target; a tolerance makes Amber everything within that distance of the target"));
    }
    let needs_target =
        rules.floor.as_ref().map(|f| ("floor", f)).or(rules.tolerance.as_ref().map(|t| ("tolerance", t)));
    if let Some((what, at)) = needs_target
        && rules.targets.is_empty()
    {
        return Err(Error::syntax(format!("a {what} needs a target"), at.span.clone())
            .with_hint("add one, as in `target 80% floor 70%`"));
    }
    let Some(floor) = &rules.floor else { return Ok(()) };
    let lower = rules.polarity.as_ref().is_some_and(|p| p.node == Polarity::Lower);
    for target in &rules.targets {
        if target.value.node.unit != floor.node.unit {
            return Err(Error::syntax("the floor is not in the target's units", floor.span.clone())
                .with_hint("write both as percentages, both as £ or both as plain numbers"));
        }
        let (Some(t), Some(f)) = (decimal_units(&target.value.node.value), decimal_units(&floor.node.value)) else {
            continue;
        };
        if !lower && f > t {
            return Err(Error::syntax("the floor is above the target, but higher is better", floor.span.clone())
                .with_hint(
                    "a floor is the lowest value that is still Amber: below the target; or write `lower is better`",
                ));
        }
        if lower && f < t {
            return Err(Error::syntax("the floor is below the target, but lower is better", floor.span.clone())
                .with_hint(
                    "with `lower is better` the floor is the highest value that is still Amber: above the target",
                ));
        }
    }
    Ok(())
}

/// Decimal text as millionths, for comparing two thresholds exactly.
fn decimal_units(text: &str) -> Option<i128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if fraction.len() > 6 {
        return None;
    }
    let whole: i128 = whole.parse().ok()?;
    let fraction: i128 = if fraction.is_empty() { 0 } else { format!("{fraction:0<6}").parse().ok()? };
    let units = whole.checked_mul(1_000_000)?.checked_add(fraction)?;
    Some(if negative { -units } else { units })
}

// ---------------------------------------------------------------------------------------
// Errors

const VALUE: &str = "a value such as `2015`, `£25k`, `\"Salford\"`, `2021-04-01`, `FY2021/22` or `last 3 months`";
const CONDITION: &str = "a condition such as `council = \"Salford\"`";

/// Every rule's name in words, for "expected ..." messages. No catch-all arm: a new rule
/// in the grammar does not compile until it is named here.
fn describe(rule: Rule, mode: Mode) -> &'static str {
    match rule {
        Rule::EOI => match mode {
            Mode::Query => "the end of the query",
            Mode::File => "the end of the file",
            Mode::Value => "the end of the value",
        },
        Rule::WHITESPACE => "a space",
        Rule::COMMENT => "a `#` comment",
        Rule::query_input | Rule::query => "a measure such as `spend`, or `top`",
        Rule::file_input => "`param`, `define`, `include`, `query`, `report`, `section` or `kpi`",
        Rule::rank => "`top` or `bottom`",
        Rule::measure_list | Rule::measure_name => "a measure such as `spend`",
        Rule::metric_measure => "a metric such as `metric \"days to pay\"`",
        Rule::kw_metric => "`metric`",
        Rule::clause => "a clause such as `by`, `where` or `order by`",
        Rule::group_by => "`by`",
        Rule::where_clause => "`where`",
        Rule::having_clause => "`having`",
        Rule::within_clause => "`within`",
        Rule::across_clause => "`across`",
        Rule::compare_clause => "`compare`",
        Rule::order_clause => "`order by`",
        Rule::order_item | Rule::order_name => "a measure or dimension to sort by",
        Rule::limit_clause => "`limit`",
        Rule::chart_clause => "`as chart`",
        Rule::condition | Rule::disjunction | Rule::conjunction | Rule::negation | Rule::predicate => CONDITION,
        Rule::group => "`(`",
        Rule::term => CONDITION,
        Rule::test => "a test such as `= 2015`, `in (...)`, `between ... and ...`, `~ \"text\"` or `is missing`",
        Rule::within_target => "a dimension such as `council`, or a length of time such as `6 months`",
        Rule::in_values => "a list in brackets such as `(\"Salford\", \"Trafford\")`, or a period such as `2021Q2`",
        Rule::comparison | Rule::comparison_op => "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::in_test => "`in` or `not in`",
        Rule::value_list => "a list of values in brackets, such as `(\"Salford\", \"Trafford\")`",
        Rule::between_test => "`between`",
        Rule::contains_test | Rule::contains_op => "`~` (contains)",
        Rule::missing_test => "`is missing` or `is not missing`",
        Rule::open_paren => "`(`",
        Rule::close_paren => "`)`",
        Rule::comma => "`,`",
        Rule::equals => "`=`",
        Rule::operand | Rule::operand_input => VALUE,
        Rule::period => "a period such as `FY2021/22`, `2021Q2`, `2021-04`, `2021` or `last 3 months`",
        Rule::relative_period => "a period such as `last 3 months` or `this fy`",
        Rule::period_length => "a length of time such as `6 months`",
        Rule::period_unit => "a unit of time (`days`, `weeks`, `months`, `quarters`, `years` or `fys`)",
        Rule::string_literal => "a quoted string such as `\"Salford\"`",
        Rule::double_quoted | Rule::single_quoted => "the text of a string",
        Rule::date_literal => "a date such as `2021-04-01`",
        Rule::month_literal => "a month such as `2021-04`",
        Rule::quarter_literal => "a quarter such as `2021Q2`",
        Rule::fy_literal => "a financial year such as `FY2021/22`",
        Rule::year_literal => "a year such as `2021`",
        Rule::bool_literal | Rule::kw_true | Rule::kw_false => "`true` or `false`",
        Rule::number_literal => "a number such as `2015` or `£25k`",
        Rule::count => "a whole number such as `10`",
        Rule::param => "a parameter such as `$month`",
        Rule::dimension_name => "a dimension such as `council`",
        Rule::field_name => "a name such as `amount`, `council` or `spend`",
        Rule::new_measure_name => "a name for the new measure",
        Rule::name_words | Rule::name_gap | Rule::word | Rule::word_start | Rule::word_char | Rule::identifier => {
            "a name"
        }
        Rule::statement => "`param`, `define`, `include`, `query`, `report`, `section` or `kpi`",
        Rule::param_statement | Rule::kw_param => "`param`",
        Rule::param_name => "a parameter name such as `month`",
        Rule::define_statement | Rule::kw_define => "`define`",
        Rule::include_statement | Rule::kw_include => "`include`",
        Rule::query_statement | Rule::kw_query => "`query`",
        Rule::keyword => "a keyword",
        Rule::kw_by => "`by`",
        Rule::kw_where => "`where`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_not => "`not`",
        Rule::kw_in => "`in`",
        Rule::kw_between => "`between`",
        Rule::kw_having => "`having`",
        Rule::kw_order => "`order by`",
        Rule::kw_limit => "`limit`",
        Rule::kw_top => "`top`",
        Rule::kw_bottom => "`bottom`",
        Rule::kw_within => "`within`",
        Rule::kw_across => "`across`",
        Rule::kw_compare => "`compare`",
        Rule::kw_with => "`with`",
        Rule::kw_as => "`as chart`",
        Rule::kw_is => "`is missing` or `is not missing`",
        Rule::kw_missing => "`missing`",
        Rule::kw_asc => "`asc`",
        Rule::kw_desc => "`desc`",
        Rule::kw_last => "`last`",
        Rule::kw_next => "`next`",
        Rule::kw_this => "`this`",
        Rule::kw_previous => "`previous`",
        Rule::kw_chart => "`chart`",
        Rule::kw_measure => "`measure`",
        Rule::report_statement | Rule::kw_report => "`report`",
        Rule::report_kind => "`monthly`, `quarterly` or `yearly`",
        Rule::section_statement | Rule::kw_section => "`section`",
        Rule::kpi_statement | Rule::kw_kpi => "`kpi`",
        Rule::kpi_measure | Rule::kpi_part => "a measure such as `on-contract share`",
        Rule::share_of => "`share of`",
        Rule::kpi_rule => "a rule such as `target 80%`, `floor 70%`, `tolerance 10%` or `lower is better`",
        Rule::target_rule | Rule::kw_target => "`target`",
        Rule::floor_rule | Rule::kw_floor => "`floor`",
        Rule::tolerance_rule | Rule::kw_tolerance => "`tolerance`",
        Rule::polarity_rule => "`higher is better` or `lower is better`",
        Rule::kw_higher => "`higher`",
        Rule::kw_lower => "`lower`",
        Rule::better => "`better`",
        Rule::threshold => "a value such as `80%`, `£1.2m` or `20`",
        Rule::percent_literal => "a percentage such as `80%`",
        Rule::kw_per => "`per`",
        Rule::kw_for => "`for`",
    }
}

/// Where a description goes in an "expected ..." list: things to write first, then
/// operators in the order a condition uses them, then clauses in their usual order, then the
/// end of input. (pest lists rules in grammar order, which reads oddly.)
fn rank_in_message(rule: Rule) -> u8 {
    match rule {
        Rule::test | Rule::comparison | Rule::comparison_op => 1,
        Rule::contains_test | Rule::contains_op => 2,
        Rule::in_test | Rule::kw_in => 3,
        Rule::between_test | Rule::kw_between => 4,
        Rule::missing_test | Rule::kw_is => 5,
        Rule::open_paren | Rule::group | Rule::close_paren | Rule::comma | Rule::equals => 6,
        Rule::kw_and => 7,
        Rule::kw_or => 8,
        Rule::group_by | Rule::kw_by => 10,
        Rule::where_clause | Rule::kw_where => 11,
        Rule::having_clause | Rule::kw_having => 12,
        Rule::within_clause | Rule::kw_within => 13,
        Rule::across_clause | Rule::kw_across => 14,
        Rule::compare_clause | Rule::kw_compare => 15,
        Rule::order_clause | Rule::kw_order => 16,
        Rule::limit_clause | Rule::kw_limit => 17,
        Rule::chart_clause | Rule::kw_as => 18,
        Rule::EOI => 30,
        _ if describe(rule, Mode::Query).starts_with('`') => 20,
        _ => 0,
    }
}

fn suggest_keyword(word: &str) -> Option<&'static str> {
    let word = word.to_lowercase();
    if word.chars().count() < 3 || lexical::KEYWORDS.contains(&word.as_str()) {
        return None;
    }
    // One- and two-letter keywords are never suggested: nearly every short word is one
    // edit away from them.
    lexical::KEYWORDS
        .iter()
        .filter(|k| k.len() >= 3)
        .map(|k| (strsim::damerau_levenshtein(&word, k), *k))
        .filter(|(distance, k)| *distance > 0 && *distance <= if k.len() <= 4 { 1 } else { 2 })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

// One flat chain of hint heuristics, each a few lines, checked in order of priority;
// splitting it would scatter that order across functions.
#[allow(clippy::too_many_lines)]
fn syntax_error(err: pest::error::Error<Rule>, source: &str, mode: Mode) -> Error {
    let pos = match err.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    };
    let tokens = lexical::tokenize(source);
    let what = match mode {
        Mode::Query => "query",
        Mode::File => "file",
        Mode::Value => "value",
    };

    // Lexical trouble explains a failure better than the list of what the grammar wanted.
    if let Some(string) = lexical::unclosed_string(&tokens).filter(|t| t.span.start <= pos) {
        let quote = source.get(string.span.start..).and_then(|s| s.chars().next()).unwrap_or('"');
        return Error::syntax(format!("this string is never closed: the {what} ends inside it"), string.span.clone())
            .with_hint(format!("add a closing {quote} after the text"));
    }
    let positives = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => {
            // pest's own call and stack limits; the nesting check makes this unlikely.
            return Error::syntax(format!("this {what} is too complicated to read"), pos..source.len())
                .with_hint("split it into smaller queries");
        }
    };
    if let Some((span, closing)) = lexical::unbalanced_bracket(&tokens, source) {
        if closing && span.start == pos {
            return Error::syntax("this `)` has no matching `(`", span)
                .with_hint("remove it, or add the `(` it closes");
        }
        if !closing && positives.contains(&Rule::close_paren) {
            return Error::syntax("this `(` is never closed", span)
                .with_hint("add a `)` where the bracketed condition ends");
        }
    }

    // "expected A, B, or C": each description once, in the order of `rank_in_message`.
    let mut wanted: Vec<Rule> = Vec::new();
    for rule in positives {
        if !wanted.iter().any(|w| describe(*w, mode) == describe(rule, mode)) {
            wanted.push(rule);
        }
    }
    wanted.sort_by_key(|r| rank_in_message(*r));
    let wants_test = wanted.contains(&Rule::test);
    let described = pest::error::Error::new_from_pos(
        ErrorVariant::ParsingError { positives: wanted, negatives: Vec::new() },
        pest::Position::new(source, pos).unwrap_or_else(|| pest::Position::from_start(source)),
    )
    .renamed_rules(|rule| describe(*rule, mode).to_string());
    let expected = match described.variant.message().into_owned() {
        // pest's wording when it recorded no expectation at all.
        message if message == "unknown parsing error" => "expected something else here".to_string(),
        message => message,
    };

    let found = lexical::token_at(&tokens, pos);
    let (mut message, span) = match found {
        Some((_, token)) => {
            let text = token.text(source);
            let shown: String = text.chars().take(30).collect();
            let ellipsis = if shown.len() < text.len() { "…" } else { "" };
            (format!("{expected}, but found `{shown}{ellipsis}`"), token.span.clone())
        }
        None if source.trim().is_empty() || tokens.is_empty() => {
            (format!("the {what} is empty: {expected}"), 0..source.len())
        }
        // Point at the last token, which is what needs finishing (`>=`, `by`, `and`).
        None => match tokens.last() {
            Some(last) => (format!("the {what} ended after `{}`; {expected}", last.text(source)), last.span.clone()),
            None => (format!("{expected}, but the {what} ended"), source.len()..source.len()),
        },
    };

    // A misspelt keyword either trips the parser itself (`ordr by`) or, being a valid name
    // word, is swallowed into a name the parser then trips after (`council wehre year =`).
    let mut candidates = Vec::new();
    if let Some((index, _)) = found {
        candidates.push(index);
    }
    let is_name_word = |token: &lexical::Token| {
        token.kind == TokenKind::Word && !lexical::KEYWORDS.contains(&token.text(source).to_lowercase().as_str())
    };
    let before = found.map_or(tokens.len(), |(index, _)| index);
    candidates.extend((0..before).rev().take_while(|&i| is_name_word(&tokens[i])));
    for index in candidates {
        let token = &tokens[index];
        if token.kind != TokenKind::Word {
            continue;
        }
        let word = token.text(source);
        if let Some(keyword) = suggest_keyword(word) {
            if token.span.start < pos {
                let run_start = tokens[..index].iter().rposition(|t| !is_name_word(t)).map_or(0, |i| i + 1);
                let name_start = tokens.get(run_start).map_or(token.span.start, |t| t.span.start);
                let name_end = tokens.get(before.saturating_sub(1)).map_or(token.span.end, |t| t.span.end);
                let name = source.get(name_start..name_end).unwrap_or(word);
                message = format!("`{name}` was read as one name, because `{word}` is not a keyword");
                return Error::syntax(message, token.span.clone()).with_hint(format!("did you mean `{keyword}`?"));
            }
            return Error::syntax(message, span).with_hint(format!("did you mean `{keyword}`?"));
        }
    }
    let mut error = Error::syntax(message, span);
    // A query that opens with a keyword (`by council`) has forgotten its measure.
    if let Some((0, token)) = found {
        let starts_with_keyword = token.kind == TokenKind::Word
            && lexical::KEYWORDS.contains(&token.text(source).to_lowercase().as_str())
            && mode == Mode::Query;
        if starts_with_keyword {
            error = error.with_hint("a query starts with what to measure, as in `spend by council`");
        }
    }
    // A file statement that starts with a plain word is most likely an untitled query.
    if let Some((_, token)) = found
        && mode == Mode::File
        && is_name_word(token)
        && described.variant.message().contains(describe(Rule::kw_query, mode))
    {
        error = error.with_hint("a query in a file needs a title: `query \"Spend by council\" = spend by council`");
    }
    // `amount 25000`: a name then a value, with the operator forgotten between them.
    if let Some((index, token)) = found
        && wants_test
        && matches!(token.kind, TokenKind::Number | TokenKind::String { .. } | TokenKind::Param)
    {
        let name_start = tokens[..index].iter().rposition(|t| !is_name_word(t)).map_or(0, |i| i + 1);
        let name = match (tokens.get(name_start), index.checked_sub(1).and_then(|i| tokens.get(i))) {
            (Some(first), Some(last)) if name_start < index => source.get(first.span.start..last.span.end),
            _ => None,
        };
        if let Some(name) = name {
            let value = token.text(source);
            error =
                error.with_hint(format!("compare with an operator, as in `{name} = {value}` or `{name} >= {value}`"));
        }
    }
    if let Some((index, token)) = found {
        let previous = index.checked_sub(1).and_then(|i| tokens.get(i));
        let next = tokens.get(index + 1);
        if let Some(hint) = value_hint(source, token, previous, next) {
            error = error.with_hint(hint);
        }
    }
    error
}

/// Hints for values written the way spreadsheets and letters write them, which SpendQL
/// spells differently: `01/04/2021`, `FY21/22`, `£25,000`.
fn value_hint(
    source: &str,
    token: &lexical::Token,
    previous: Option<&lexical::Token>,
    next: Option<&lexical::Token>,
) -> Option<String> {
    let text = token.text(source);
    let all_digits =
        |part: &str, lengths: &[usize]| lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = text.split('/').collect();
    if let [day, month, year] = parts.as_slice()
        && all_digits(day, &[1, 2])
        && all_digits(month, &[1, 2])
        && all_digits(year, &[4])
    {
        return Some(format!("dates are written year-month-day: {year}-{month:0>2}-{day:0>2}"));
    }
    let lower = text.to_ascii_lowercase();
    if let Some(years) = lower.strip_prefix("fy")
        && let Some((first, _)) = years.split_once(['/', '-'])
        && all_digits(first, &[2])
    {
        return Some("financial years are written with the full starting year, as in FY2021/22".into());
    }
    let after_number = previous.is_some_and(|p| p.kind == TokenKind::Number);
    let thousands_follow = next.is_some_and(|n| all_digits(n.text(source), &[3]));
    if text == "," && after_number && thousands_follow {
        return Some("write amounts without thousands separators: £25000 or £25k".into());
    }
    None
}
