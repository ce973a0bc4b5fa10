//! Unit tests for the parser: every construct of the language, asserted on the AST fields it
//! must produce (expected values are written from the language's definition, not read back
//! from the parser), plus property tests that no input panics and that every well-formed
//! query built from the grammar's constructs parses to the shape it was built from.

use chrono::NaiveDate;

use super::ast::*;
use super::*;

fn query(source: &str) -> Query {
    match parse_query(source) {
        Ok(query) => query,
        Err(err) => panic!("{source:?} should parse, but: {} at {:?} {:?}", err.message, err.span, err.hints),
    }
}

fn error(source: &str) -> crate::Error {
    match parse_query(source) {
        Ok(query) => panic!("{source:?} should not parse, but gave {query:?}"),
        Err(err) => {
            assert_eq!(err.kind, crate::ErrorKind::Syntax);
            err
        }
    }
}

fn texts(names: &[Name]) -> Vec<String> {
    names.iter().map(Name::text).collect()
}

fn measure_texts(measures: &[Measure]) -> Vec<String> {
    measures.iter().map(Measure::text).collect()
}

fn filter(source: &str) -> Expr {
    query(source).filter.unwrap_or_else(|| panic!("{source:?} has no where clause"))
}

/// The condition of `spend where <condition>`.
fn condition(text: &str) -> Expr {
    filter(&format!("spend where {text}"))
}

/// The right-hand side of `spend where x = <operand>`.
fn operand(text: &str) -> Operand {
    match condition(&format!("x = {text}")) {
        Expr::Compare { right, .. } => right,
        other => panic!("expected a comparison, got {other:?}"),
    }
}

fn literal(text: &str) -> Literal {
    match operand(text) {
        Operand::Literal(l) => l.node,
        other => panic!("{text} should be a literal, got {other:?}"),
    }
}

fn number(value: &str, money: bool) -> Literal {
    Literal::Number { value: value.to_string(), money }
}

fn period(text: &str) -> PeriodKind {
    match operand(text) {
        Operand::Period(p) => p.kind,
        other => panic!("{text} should be a period, got {other:?}"),
    }
}

fn operand_error(text: &str) -> crate::Error {
    error(&format!("spend where x = {text}"))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("test dates are valid")
}

fn flag_name(expr: &Expr) -> String {
    match expr {
        Expr::Flag { name, .. } => name.text(),
        other => panic!("expected a flag, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// The example queries of the language definition

#[test]
fn spend_by_council() {
    let q = query("spend by council");
    assert_eq!(measure_texts(&q.measures), ["spend"]);
    assert_eq!(texts(&q.group_by), ["council"]);
    assert_eq!(q.measures[0].span().clone(), 0..5);
    assert_eq!(q.group_by[0].span, 9..16);
    assert_eq!(q.span, 0..16);
    assert!(q.rank.is_none() && q.filter.is_none() && q.having.is_none() && q.within.is_none());
    assert!(q.across.is_none() && q.compare.is_none() && q.order_by.is_empty() && q.limit.is_none() && !q.as_chart);
}

#[test]
fn hyphenated_measure_and_two_dimensions_with_a_year() {
    let q = query("spend off-contract by council, category where year = 2015");
    assert_eq!(measure_texts(&q.measures), ["spend off-contract"]);
    let words: Vec<_> = q.measures[0].name().unwrap().words.iter().map(|w| (w.node.as_str(), w.span.clone())).collect();
    assert_eq!(words, [("spend", 0..5), ("off-contract", 6..18)]);
    assert_eq!(texts(&q.group_by), ["council", "category"]);
    match q.filter {
        Some(Expr::Compare { left, op: CompareOp::Eq, right: Operand::Literal(value), span }) => {
            assert_eq!(left.text(), "year");
            assert_eq!(value.node, number("2015", false));
            assert_eq!(value.span, 53..57);
            assert_eq!(span, 46..57);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn several_measures() {
    let q = query("spend, transactions, suppliers by council, fy");
    assert_eq!(measure_texts(&q.measures), ["spend", "transactions", "suppliers"]);
    assert_eq!(texts(&q.group_by), ["council", "fy"]);
}

#[test]
fn top_suppliers_by_spend() {
    let q = query("top 10 suppliers by spend where council = \"Salford\" and fy = FY2021/22");
    let rank = q.rank.expect("rank");
    assert_eq!(rank.direction, RankDirection::Top);
    assert_eq!(rank.count.node, 10);
    assert_eq!(rank.count.span, 4..6);
    assert_eq!(rank.dimension.text(), "suppliers");
    assert_eq!(measure_texts(&q.measures), ["spend"]);
    assert!(q.group_by.is_empty());
    let Some(Expr::And(left, right)) = q.filter else { panic!("expected and") };
    match *left {
        Expr::Compare { left, op: CompareOp::Eq, right: Operand::Literal(v), .. } => {
            assert_eq!(left.text(), "council");
            assert_eq!(v.node, Literal::String("Salford".into()));
        }
        other => panic!("{other:?}"),
    }
    match *right {
        Expr::Compare { left, op: CompareOp::Eq, right: Operand::Period(p), .. } => {
            assert_eq!(left.text(), "fy");
            assert_eq!(p.kind, PeriodKind::FinancialYear { start_year: 2021 });
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bottom_rank() {
    let q = query("bottom 3 departments by transactions");
    let rank = q.rank.expect("rank");
    assert_eq!(rank.direction, RankDirection::Bottom);
    assert_eq!(rank.count.node, 3);
    assert_eq!(rank.span, 0..23);
}

#[test]
fn date_between_binds_its_own_and() {
    let q = query("spend by month where council = \"Manchester\" and date between 2019-04-01 and 2019-09-30");
    assert_eq!(texts(&q.group_by), ["month"]);
    let Some(Expr::And(left, right)) = q.filter else { panic!("expected and") };
    assert!(matches!(*left, Expr::Compare { .. }));
    match *right {
        Expr::Between { left, low: Operand::Literal(low), high: Operand::Literal(high), .. } => {
            assert_eq!(left.text(), "date");
            assert_eq!(low.node, Literal::Date(date(2019, 4, 1)));
            assert_eq!(high.node, Literal::Date(date(2019, 9, 30)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn contains_with_a_trailing_comment() {
    let source = "spend by category where supplier ~ \"amey\"          # case-insensitive contains";
    match query(source).filter {
        Some(Expr::Contains { left, pattern: Operand::Literal(p), span }) => {
            assert_eq!(left.text(), "supplier");
            assert_eq!(p.node, Literal::String("amey".into()));
            assert_eq!(&source[span], "supplier ~ \"amey\"");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn share_within_a_dimension() {
    let q = query("spend share by category within council             # % of each council's total");
    assert_eq!(measure_texts(&q.measures), ["spend share"]);
    assert_eq!(texts(&q.group_by), ["category"]);
    match q.within {
        Some(Within::Dimension(name)) => assert_eq!(name.text(), "council"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn compare_two_financial_years() {
    let source = "spend by council compare FY2021/22 with FY2020/21  # columns per period, change, change %";
    let compare = query(source).compare.expect("compare");
    assert_eq!(compare.current.kind, PeriodKind::FinancialYear { start_year: 2021 });
    assert_eq!(compare.previous.kind, PeriodKind::FinancialYear { start_year: 2020 });
    assert_eq!(&source[compare.span], "compare FY2021/22 with FY2020/21");
    assert_eq!(&source[compare.current.span], "FY2021/22");
}

#[test]
fn compare_relative_periods_and_years() {
    let compare = query("spend compare this fy with previous fy").compare.expect("compare");
    assert_eq!(compare.current.kind, PeriodKind::This { unit: PeriodUnit::FinancialYear });
    assert_eq!(compare.previous.kind, PeriodKind::Previous { unit: PeriodUnit::FinancialYear });
    let compare = query("spend compare 2021 with 2020").compare.expect("compare");
    assert_eq!(compare.current.kind, PeriodKind::Year { year: 2021 });
    assert_eq!(compare.previous.kind, PeriodKind::Year { year: 2020 });
    let compare = query("spend compare 2021Q2 with 2021-03").compare.expect("compare");
    assert_eq!(compare.current.kind, PeriodKind::Quarter { year: 2021, quarter: 2 });
    assert_eq!(compare.previous.kind, PeriodKind::Month { year: 2021, month: 3 });
}

#[test]
fn pivot_across_a_dimension() {
    let q = query("spend by category across council                  # pivot: one column per council");
    assert_eq!(q.across.map(|n| n.text()), Some("council".into()));
}

#[test]
fn money_threshold_flag_order_and_limit() {
    let source = "spend by supplier where amount >= £25k and not redacted order by spend desc limit 20";
    let q = query(source);
    let Some(Expr::And(left, right)) = q.filter else { panic!("expected and") };
    match *left {
        Expr::Compare { left, op: CompareOp::GtEq, right: Operand::Literal(v), .. } => {
            assert_eq!(left.text(), "amount");
            assert_eq!(v.node, number("25000", true));
            assert_eq!(&source[v.span], "£25k");
        }
        other => panic!("{other:?}"),
    }
    match *right {
        Expr::Not { expr, span } => {
            assert_eq!(flag_name(&expr), "redacted");
            assert_eq!(&source[span], "not redacted");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(q.order_by.len(), 1);
    assert_eq!(q.order_by[0].name.text(), "spend");
    assert!(q.order_by[0].descending);
    assert_eq!(&source[q.order_by[0].span.clone()], "spend desc");
    assert_eq!(q.limit.map(|l| (l.node, l.span)), Some((20, 83..85)));
}

#[test]
fn two_word_measure_and_a_relative_period() {
    let q = query("transactions, average payment by department where date in last 3 months");
    assert_eq!(measure_texts(&q.measures), ["transactions", "average payment"]);
    match q.filter {
        Some(Expr::In { left, values, negated: false, .. }) => {
            assert_eq!(left.text(), "date");
            match values.as_slice() {
                [Operand::Period(p)] => assert_eq!(p.kind, PeriodKind::Last { count: 3, unit: PeriodUnit::Month }),
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn card_spend_by_two_dimensions() {
    let q = query("spend card by council, quarter                     # procurement-card spend only");
    assert_eq!(measure_texts(&q.measures), ["spend card"]);
    assert_eq!(texts(&q.group_by), ["council", "quarter"]);
}

#[test]
fn having_a_money_threshold() {
    let q = query("spend by council having spend > £1m");
    assert!(q.filter.is_none());
    match q.having {
        Some(Expr::Compare { left, op: CompareOp::Gt, right: Operand::Literal(v), .. }) => {
            assert_eq!(left.text(), "spend");
            assert_eq!(v.node, number("1000000", true));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn contracts_expiring_within_a_window_before_by() {
    let q = query("contracts expiring within 6 months by officer, category");
    assert_eq!(measure_texts(&q.measures), ["contracts expiring"]);
    assert_eq!(texts(&q.group_by), ["officer", "category"]);
    match q.within {
        Some(Within::Period(p)) => {
            assert_eq!(p.kind, PeriodKind::Next { count: 6, unit: PeriodUnit::Month });
            assert_eq!(p.span, 26..34);
        }
        other => panic!("{other:?}"),
    }
    match query("contracts expiring within next 2 quarters").within {
        Some(Within::Period(p)) => assert_eq!(p.kind, PeriodKind::Next { count: 2, unit: PeriodUnit::Quarter }),
        other => panic!("{other:?}"),
    }
}

#[test]
fn measures_alone() {
    let q = query("suppliers shared by council");
    assert_eq!(measure_texts(&q.measures), ["suppliers shared"]);
    assert_eq!(texts(&q.group_by), ["council"]);
    let q = query("collaboration opportunities");
    assert_eq!(measure_texts(&q.measures), ["collaboration opportunities"]);
    assert!(q.group_by.is_empty());
}

#[test]
fn as_chart() {
    let q = query("spend by category as chart");
    assert!(q.as_chart);
    assert_eq!(texts(&q.group_by), ["category"]);
}

#[test]
fn every_example_line_parses_as_written() {
    let examples = r#"
spend by council
spend off-contract by council, category where year = 2015
spend, transactions, suppliers by council, fy
top 10 suppliers by spend where council = "Salford" and fy = FY2021/22
spend by month where council = "Manchester" and date between 2019-04-01 and 2019-09-30
spend by category where supplier ~ "amey"          # case-insensitive contains
spend share by category within council             # % of each council's total
spend by council compare FY2021/22 with FY2020/21  # columns per period, change, change %
spend by category across council                  # pivot: one column per council
spend by supplier where amount >= £25k and not redacted order by spend desc limit 20
transactions, average payment by department where date in last 3 months
spend card by council, quarter                     # procurement-card spend only
spend by council having spend > £1m
contracts expiring within 6 months by officer, category
suppliers shared by council
collaboration opportunities
spend by category as chart
"#;
    for line in examples.lines().filter(|l| !l.trim().is_empty()) {
        let q = query(line);
        assert!(!q.measures.is_empty(), "{line}");
    }
}

// ---------------------------------------------------------------------------------------
// Query structure

#[test]
fn clauses_come_in_any_order() {
    let q = query("spend limit 5 order by spend where year = 2015 as chart by council having spend > 0");
    assert_eq!(q.limit.map(|l| l.node), Some(5));
    assert_eq!(q.order_by.len(), 1);
    assert!(q.filter.is_some() && q.having.is_some() && q.as_chart);
    assert_eq!(texts(&q.group_by), ["council"]);
}

#[test]
fn each_clause_at_most_once() {
    for (source, keyword, at) in [
        ("spend where a where b", "where", 14),
        ("spend by a by b", "by", 11),
        ("spend having a having b", "having", 15),
        ("spend within a within b", "within", 15),
        ("spend across a across b", "across", 15),
        ("spend compare 2021 with 2020 compare 2020 with 2019", "compare", 29),
        ("spend order by a order by b", "order by", 17),
        ("spend limit 1 limit 2", "limit", 14),
        ("spend as chart as chart", "as chart", 15),
    ] {
        let err = error(source);
        assert!(err.message.contains(&format!("`{keyword}` appears twice")), "{source}: {}", err.message);
        assert_eq!(err.span.map(|s| s.start), Some(at), "{source}");
    }
}

#[test]
fn order_by_several_keys() {
    let q = query("spend by council, fy order by spend desc, council asc, fy");
    let keys: Vec<_> = q.order_by.iter().map(|o| (o.name.text(), o.descending)).collect();
    assert_eq!(keys, [("spend".into(), true), ("council".into(), false), ("fy".into(), false)]);
}

#[test]
fn keywords_are_case_insensitive_and_names_lower_cased() {
    let q = query("Spend Off-Contract BY Council WHERE Year = 2015 ORDER BY Spend DESC LIMIT 3 As Chart");
    assert_eq!(measure_texts(&q.measures), ["spend off-contract"]);
    assert_eq!(texts(&q.group_by), ["council"]);
    assert!(q.filter.is_some() && q.order_by[0].descending && q.as_chart);
    assert_eq!(q.limit.map(|l| l.node), Some(3));
    assert_eq!(texts(&query("spend by CAFÉ").group_by), ["café"]);
}

#[test]
fn queries_span_lines_and_carry_comments() {
    let source = "spend   # what\n  by council # how to group\n  where year = 2015\n";
    let q = query(source);
    assert_eq!(texts(&q.group_by), ["council"]);
    assert!(q.filter.is_some());
    assert_eq!(&source[q.span], "spend   # what\n  by council # how to group\n  where year = 2015");
    // A comment between the words of a name is not part of the name.
    let q = query("average # of what?\n payment by council");
    assert_eq!(measure_texts(&q.measures), ["average payment"]);
    assert_eq!(q.measures[0].name().unwrap().words[1].span, 20..27);
}

#[test]
fn every_keyword_is_reserved_and_near_misses_are_names() {
    for keyword in KEYWORDS {
        assert!(parse_query(&format!("{keyword} by council")).is_err(), "{keyword} as a measure");
        assert!(parse_query(&format!("spend {keyword}")).is_err(), "{keyword} inside a name");
        let upper = keyword.to_uppercase();
        assert!(parse_query(&format!("spend by {upper}")).is_err(), "{upper} as a dimension");
        // Words that merely start with a keyword, or join it with a hyphen, are names.
        assert_eq!(measure_texts(&query(&format!("{keyword}x by council")).measures), [format!("{keyword}x")]);
        assert_eq!(measure_texts(&query(&format!("spend {keyword}-y")).measures), [format!("spend {keyword}-y")]);
    }
}

#[test]
fn names_keep_digits_underscores_and_hyphens() {
    let q = query("spend by expense type, category_code2, off-contract-ish");
    assert_eq!(texts(&q.group_by), ["expense type", "category_code2", "off-contract-ish"]);
    assert_eq!(q.group_by[0].words.len(), 2);
}

// ---------------------------------------------------------------------------------------
// Conditions

#[test]
fn every_comparison_operator() {
    for (text, expected) in [
        ("=", CompareOp::Eq),
        ("==", CompareOp::Eq),
        ("!=", CompareOp::NotEq),
        ("<>", CompareOp::NotEq),
        ("<", CompareOp::Lt),
        ("<=", CompareOp::LtEq),
        (">", CompareOp::Gt),
        (">=", CompareOp::GtEq),
    ] {
        match condition(&format!("amount {text} 5")) {
            Expr::Compare { op, .. } => assert_eq!(op, expected, "{text}"),
            other => panic!("{other:?}"),
        }
        // Operators need no spaces around them.
        assert!(matches!(condition(&format!("amount{text}5")), Expr::Compare { .. }), "{text}");
    }
}

#[test]
fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
    match condition("a or b and c") {
        Expr::Or(a, bc) => {
            assert_eq!(flag_name(&a), "a");
            assert!(matches!(*bc, Expr::And(..)));
        }
        other => panic!("{other:?}"),
    }
    match condition("not a and b") {
        Expr::And(not_a, b) => {
            assert!(matches!(*not_a, Expr::Not { .. }));
            assert_eq!(flag_name(&b), "b");
        }
        other => panic!("{other:?}"),
    }
    match condition("(a or b) and c") {
        Expr::And(ab, c) => {
            assert!(matches!(*ab, Expr::Or(..)));
            assert_eq!(flag_name(&c), "c");
        }
        other => panic!("{other:?}"),
    }
    // Chains associate to the left.
    match condition("a and b and c") {
        Expr::And(ab, c) => {
            assert!(matches!(*ab, Expr::And(..)));
            assert_eq!(flag_name(&c), "c");
        }
        other => panic!("{other:?}"),
    }
    match condition("not not a") {
        Expr::Not { expr, span } => {
            assert_eq!(span, 12..21);
            match *expr {
                Expr::Not { expr, span } => {
                    assert_eq!(span, 16..21);
                    assert_eq!(flag_name(&expr), "a");
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    match condition("not (a or b)") {
        Expr::Not { expr, .. } => assert!(matches!(*expr, Expr::Or(..))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn between_inside_a_conjunction() {
    match condition("amount between £1k and £5k and date >= 2021-01-01 or card") {
        Expr::Or(left, card) => {
            assert_eq!(flag_name(&card), "card");
            let Expr::And(between, _) = *left else { panic!("expected and") };
            match *between {
                Expr::Between { low: Operand::Literal(low), high: Operand::Literal(high), .. } => {
                    assert_eq!(low.node, number("1000", true));
                    assert_eq!(high.node, number("5000", true));
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn in_lists_periods_and_parameters() {
    match condition("council in (\"Salford\", 'Trafford')") {
        Expr::In { left, values, negated: false, .. } => {
            assert_eq!(left.text(), "council");
            let strings: Vec<_> = values
                .iter()
                .map(|v| match v {
                    Operand::Literal(Spanned { node: Literal::String(s), .. }) => s.as_str(),
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(strings, ["Salford", "Trafford"]);
        }
        other => panic!("{other:?}"),
    }
    match condition("expense type not in (\"Rent\")") {
        Expr::In { left, negated: true, values, .. } => {
            assert_eq!(left.text(), "expense type");
            assert_eq!(values.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    let in_one = |text: &str| match condition(&format!("date in {text}")) {
        Expr::In { values, .. } => match values.as_slice() {
            [Operand::Period(p)] => p.kind.clone(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(in_one("2021Q2"), PeriodKind::Quarter { year: 2021, quarter: 2 });
    assert_eq!(in_one("2021"), PeriodKind::Year { year: 2021 });
    assert_eq!(in_one("2021-06"), PeriodKind::Month { year: 2021, month: 6 });
    assert_eq!(in_one("FY2019/20"), PeriodKind::FinancialYear { start_year: 2019 });
    assert_eq!(in_one("this month"), PeriodKind::This { unit: PeriodUnit::Month });
    match condition("month in $month") {
        Expr::In { values, .. } => match values.as_slice() {
            [Operand::Param(p)] => assert_eq!(p.node, "month"),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    // Inside a list a bare number stays a number; the semantic stage reads it by context.
    match condition("year in (2015, 2016)") {
        Expr::In { values, .. } => {
            assert!(values.iter().all(|v| matches!(v, Operand::Literal(Spanned { node: Literal::Number { .. }, .. }))));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_tests() {
    assert!(matches!(condition("category is missing"), Expr::IsMissing { negated: false, .. }));
    match condition("expense type is not missing") {
        Expr::IsMissing { left, negated: true, span } => {
            assert_eq!(left.text(), "expense type");
            assert_eq!(span, 12..39);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bare_names_are_flags() {
    assert_eq!(flag_name(&condition("card")), "card");
    assert_eq!(flag_name(&condition("off contract")), "off contract");
}

// ---------------------------------------------------------------------------------------
// Literals

#[test]
fn strings_in_either_quote_with_escapes() {
    assert_eq!(literal("\"Salford\""), Literal::String("Salford".into()));
    assert_eq!(literal("'Salford'"), Literal::String("Salford".into()));
    assert_eq!(literal(r#""say \"hi\"""#), Literal::String("say \"hi\"".into()));
    assert_eq!(literal(r"'O\'Brien'"), Literal::String("O'Brien".into()));
    assert_eq!(literal(r#""it's""#), Literal::String("it's".into()));
    assert_eq!(literal(r#""a\\b\tc\n""#), Literal::String("a\\b\tc\n".into()));
    assert_eq!(literal("\"\""), Literal::String(String::new()));
    assert_eq!(literal("\"# not a comment\""), Literal::String("# not a comment".into()));
    assert_eq!(literal("\"café £\""), Literal::String("café £".into()));
    let err = operand_error(r#""a\qb""#);
    assert_eq!(err.span, Some(18..20));
}

#[test]
fn numbers_are_scaled_in_decimal_text() {
    assert_eq!(literal("£25k"), number("25000", true));
    assert_eq!(literal("1.5m"), number("1500000", false));
    assert_eq!(literal("2015"), number("2015", false));
    assert_eq!(literal("-3"), number("-3", false));
    assert_eq!(literal("£1.25"), number("1.25", true));
    assert_eq!(literal("0.5k"), number("500", false));
    assert_eq!(literal("1.2345k"), number("1234.5", false));
    assert_eq!(literal("£2.50"), number("2.5", true));
    assert_eq!(literal("-£5"), number("-5", true));
    assert_eq!(literal("£-5"), number("-5", true));
    assert_eq!(literal("007"), number("7", false));
    assert_eq!(literal("-0"), number("0", false));
    assert_eq!(literal("0.001m"), number("1000", false));
    assert_eq!(literal("£1M"), number("1000000", true));
    assert_eq!(literal("12345678901234567890123"), number("12345678901234567890123", false));
    operand_error("25x");
    operand_error("1.2.3");
}

#[test]
fn dates_are_checked() {
    assert_eq!(literal("2021-04-01"), Literal::Date(date(2021, 4, 1)));
    assert_eq!(literal("2020-02-29"), Literal::Date(date(2020, 2, 29)));
    let err = operand_error("2021-02-30");
    assert_eq!(err.span, Some(16..26));
    assert!(err.message.contains("February 2021 has 28 days"), "{}", err.message);
    let err = operand_error("2021-13-01");
    assert!(err.message.contains("no month 13"), "{}", err.message);
    operand_error("2021-04-00");
}

#[test]
fn months_quarters_and_financial_years() {
    assert_eq!(period("2021-04"), PeriodKind::Month { year: 2021, month: 4 });
    assert_eq!(operand_error("2021-00").span, Some(16..23));
    assert_eq!(period("2021Q2"), PeriodKind::Quarter { year: 2021, quarter: 2 });
    assert_eq!(period("2021q4"), PeriodKind::Quarter { year: 2021, quarter: 4 });
    assert_eq!(operand_error("2021Q5").span, Some(16..22));
    for text in ["FY2021/22", "fy2021/22", "Fy2021/2022", "FY2021-22"] {
        assert_eq!(period(text), PeriodKind::FinancialYear { start_year: 2021 }, "{text}");
    }
    assert_eq!(period("FY1999/00"), PeriodKind::FinancialYear { start_year: 1999 });
    for bad in ["FY2021/23", "FY2021/2023", "FY2021/21"] {
        let err = operand_error(bad);
        assert_eq!(err.span, Some(16..16 + bad.len()), "{bad}");
        assert!(err.hints.iter().any(|h| h.contains("FY2021/22")), "{bad}: {:?}", err.hints);
    }
}

#[test]
fn booleans_and_parameters() {
    assert_eq!(literal("true"), Literal::Bool(true));
    assert_eq!(literal("FALSE"), Literal::Bool(false));
    match operand("$month") {
        Operand::Param(p) => {
            assert_eq!(p.node, "month");
            assert_eq!(p.span, 16..22);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn relative_periods() {
    use PeriodKind::*;
    use PeriodUnit::*;
    for (text, expected) in [
        ("last 3 months", Last { count: 3, unit: Month }),
        ("last 1 month", Last { count: 1, unit: Month }),
        ("last 10 days", Last { count: 10, unit: Day }),
        ("last 2 weeks", Last { count: 2, unit: Week }),
        ("last 4 quarters", Last { count: 4, unit: Quarter }),
        ("last 2 years", Last { count: 2, unit: Year }),
        ("last 2 fys", Last { count: 2, unit: FinancialYear }),
        ("last 2 financial years", Last { count: 2, unit: FinancialYear }),
        ("next 6 months", Next { count: 6, unit: Month }),
        ("next month", Next { count: 1, unit: Month }),
        ("this day", This { unit: Day }),
        ("this week", This { unit: Week }),
        ("this quarter", This { unit: Quarter }),
        ("this year", This { unit: Year }),
        ("this fy", This { unit: FinancialYear }),
        ("this financial year", This { unit: FinancialYear }),
        ("previous month", Previous { unit: Month }),
        ("previous quarter", Previous { unit: Quarter }),
        ("previous year", Previous { unit: Year }),
        ("previous fy", Previous { unit: FinancialYear }),
        ("last fy", Previous { unit: FinancialYear }),
        ("last month", Previous { unit: Month }),
        ("LAST 3 MONTHS", Last { count: 3, unit: Month }),
    ] {
        assert_eq!(period(text), expected, "{text}");
    }
    operand_error("last 0 months");
    operand_error("this 3 months");
    operand_error("last 3 fortnights");
}

// ---------------------------------------------------------------------------------------
// Errors (their rendering is pinned by the snapshot tests in tests/syntax_errors.rs)

#[test]
fn errors_name_what_was_expected() {
    let err = error("by council");
    assert_eq!(err.span, Some(0..2));
    assert!(err.message.starts_with("expected a measure such as `spend`"), "{}", err.message);

    let err = error("spend by council 5");
    assert_eq!(err.span, Some(17..18));
    for wanted in ["`,`", "`where`", "`order by`", "`limit`", "the end of the query", "found `5`"] {
        assert!(err.message.contains(wanted), "{wanted} missing from {}", err.message);
    }

    let err = error("contracts expiring within");
    assert!(err.message.contains("a length of time such as `6 months`"), "{}", err.message);
    let err = error("spend where x is");
    assert!(err.message.ends_with("expected `not` or `missing`"), "{}", err.message);

    let err = error("spend where expense type 'Rent'");
    assert_eq!(err.hints, ["compare with an operator, as in `expense type = 'Rent'` or `expense type >= 'Rent'`"]);

    let err = error("spend where amount >=");
    assert_eq!(err.span, Some(19..21));
    assert!(err.message.starts_with("the query ended after `>=`; expected a value such as"), "{}", err.message);
}

#[test]
fn typos_of_keywords_get_suggestions() {
    let err = error("spend by council wehre year = 2015");
    assert_eq!(err.span, Some(17..22));
    assert_eq!(err.hints, ["did you mean `where`?"]);
    assert!(err.message.contains("`council wehre year`"), "{}", err.message);

    let err = error("spend by council where year = 2015 ordr by spend");
    assert_eq!(err.span, Some(35..39));
    assert_eq!(err.hints, ["did you mean `order`?"]);

    let err = error("spend by council limt 20");
    assert_eq!(err.span, Some(17..21));
    assert_eq!(err.hints, ["did you mean `limit`?"]);
}

#[test]
fn values_written_the_spreadsheet_way_get_hints() {
    let err = error("spend where date >= 01/04/2021");
    assert_eq!(err.span, Some(20..30));
    assert_eq!(err.hints, ["dates are written year-month-day: 2021-04-01"]);
    let err = error("spend where date >= 1/4/2021");
    assert_eq!(err.hints, ["dates are written year-month-day: 2021-04-01"]);
    let err = error("spend where fy = FY21/22");
    assert_eq!(err.span, Some(17..24));
    assert!(err.hints[0].contains("FY2021/22"), "{:?}", err.hints);
    let err = error("spend where amount > £25,000");
    assert_eq!(err.span, Some(25..26));
    assert!(err.hints[0].contains("£25000"), "{:?}", err.hints);
    // A comma between list items is not a thousands separator, unless it plainly is one.
    assert!(error("spend where amount in (1, 2 3)").hints.is_empty());
    assert!(matches!(condition("amount in (1,20, 300)"), Expr::In { values, .. } if values.len() == 3));
    assert!(matches!(condition("amount in (1, 200, 300)"), Expr::In { values, .. } if values.len() == 3));
    let err = error("spend where amount in (£1,000, £2,000)");
    assert_eq!(err.span, Some(23..30));
    assert!(err.hints[0].contains("£25000"), "{:?}", err.hints);
}

#[test]
fn unclosed_strings_and_brackets_are_named() {
    let err = error("spend where council = \"Salford and year = 2015");
    assert_eq!(err.span, Some(22..46));
    assert!(err.message.contains("never closed"), "{}", err.message);
    let err = error("spend where (a or (b and c)");
    assert_eq!(err.span, Some(12..13));
    let err = error("spend where a or b) and c");
    assert_eq!(err.span, Some(18..19));
}

#[test]
fn oversized_counts_are_errors() {
    let err = error("spend limit 99999999999999999999999");
    assert_eq!(err.span, Some(12..35));
    error("spend where date in last 99999999999 days");
}

#[test]
fn nesting_is_bounded() {
    let nested = |depth: usize| format!("spend where {}a{}", "(".repeat(depth), ")".repeat(depth));
    assert!(parse_query(&nested(parser::MAX_BRACKET_DEPTH)).is_ok());
    let err = error(&nested(parser::MAX_BRACKET_DEPTH + 1));
    assert!(err.message.contains("nested"), "{}", err.message);
    let deep = format!("spend where {}", "(".repeat(100_000));
    error(&deep);

    let nots = |n: usize| format!("spend where {}a", "not ".repeat(n));
    assert!(parse_query(&nots(parser::MAX_CONDITION_HEIGHT)).is_ok());
    assert!(error(&nots(parser::MAX_CONDITION_HEIGHT + 1)).message.contains("too deeply nested"));
    let ands = |n: usize| format!("spend where a{}", " and a".repeat(n));
    assert!(parse_query(&ands(parser::MAX_CONDITION_HEIGHT)).is_ok());
    error(&ands(parser::MAX_CONDITION_HEIGHT + 1));
    error(&ands(50_000));
}

// ---------------------------------------------------------------------------------------
// Query files

#[test]
fn query_files() {
    let source = r#"# Monthly report
param month = 2021-06
param $council = "Salford"
define measure big payments = transactions where amount >= £25k
define measure all spend = spend
include "common.spql"
query "Spend by council" = spend by council
  where month = $month   # from the param above
query "Top suppliers" =
  top 10 suppliers by spend
"#;
    let file = parse_file(source).unwrap_or_else(|e| panic!("{e:?}"));
    let [p1, p2, d1, d2, inc, q1, q2] = file.statements.as_slice() else {
        panic!("expected 7 statements, got {:#?}", file.statements)
    };
    match p1 {
        Statement::Param { name, value: Operand::Period(p), span } => {
            assert_eq!(name.node, "month");
            assert_eq!(&source[name.span.clone()], "month");
            assert_eq!(p.kind, PeriodKind::Month { year: 2021, month: 6 });
            assert_eq!(&source[span.clone()], "param month = 2021-06");
        }
        other => panic!("{other:?}"),
    }
    match p2 {
        Statement::Param { name, value: Operand::Literal(v), .. } => {
            assert_eq!(name.node, "council");
            assert_eq!(v.node, Literal::String("Salford".into()));
        }
        other => panic!("{other:?}"),
    }
    match d1 {
        Statement::DefineMeasure {
            name,
            measure,
            filter: Some(Expr::Compare { left, op: CompareOp::GtEq, .. }),
            ..
        } => {
            assert_eq!(name.text(), "big payments");
            assert_eq!(measure.text(), "transactions");
            assert_eq!(left.text(), "amount");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(d2, Statement::DefineMeasure { filter: None, .. }));
    match inc {
        Statement::Include { path, .. } => assert_eq!(path.node, "common.spql"),
        other => panic!("{other:?}"),
    }
    match q1 {
        Statement::Query { title, query, span } => {
            assert_eq!(title.node, "Spend by council");
            assert_eq!(texts(&query.group_by), ["council"]);
            assert!(matches!(&query.filter, Some(Expr::Compare { right: Operand::Param(_), .. })));
            assert_eq!(&source[span.clone()], "query \"Spend by council\" = spend by council\n  where month = $month");
        }
        other => panic!("{other:?}"),
    }
    match q2 {
        Statement::Query { title, query, .. } => {
            assert_eq!(title.node, "Top suppliers");
            assert_eq!(query.rank.as_ref().map(|r| r.count.node), Some(10));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(parse_file("").map(|f| f.statements.len()).ok(), Some(0));
    assert_eq!(parse_file("# only a comment\n").map(|f| f.statements.len()).ok(), Some(0));
}

#[test]
fn query_file_errors() {
    let err = parse_file("query \"x\" spend by council").unwrap_err();
    assert_eq!(err.span, Some(10..15));
    assert!(err.message.contains("`=`"), "{}", err.message);
    let err = parse_file("query \"x\" = spend by council 5").unwrap_err();
    assert!(err.message.contains("the end of the file"), "{}", err.message);
    assert!(err.message.contains("`query`"), "{}", err.message);
    let err = parse_file("define measure x = spend by council").unwrap_err();
    assert_eq!(err.span, Some(25..27));
    let err = parse_file("spend by council").unwrap_err();
    assert_eq!(err.span, Some(0..5));
    assert!(err.hints.iter().any(|h| h.contains("needs a title")), "{:?}", err.hints);
    assert!(parse_file("param = 3").is_err());
}

// ---------------------------------------------------------------------------------------
// The REPL's "is this finished?" question

#[test]
fn incomplete_input() {
    for unfinished in [
        "spend where council = \"Salf",
        "spend where (a = 1",
        "spend where amount >=",
        "spend where supplier ~",
        "spend by",
        "spend by council,",
        "spend where a = 1 and",
        "spend where a = 1 OR",
        "spend where not",
        "spend where date between 2019-04-01",
        "spend where date in",
        "spend where date in last",
        "top",
        "spend order",
        "spend compare FY2021/22 with",
        "spend by council # a comment\n  where",
    ] {
        assert!(is_incomplete(unfinished), "{unfinished:?} should be incomplete");
    }
    for finished in [
        "",
        "spend by council",
        "spend where a = 1",
        "spend by council # ends with by",
        "spend where date between 2019-04-01 and 2019-09-30",
        "spend by council)",
        "spend where x is missing",
        "spend where \"(\" = x",
        "spend order by spend desc",
        "spend as chart",
    ] {
        assert!(!is_incomplete(finished), "{finished:?} should be complete");
    }
}

// ---------------------------------------------------------------------------------------
// A value on its own (`--param`, `\set`)

#[test]
fn a_value_on_its_own_parses_as_the_same_operand_as_in_a_query() {
    for text in [
        "2021-06",
        "£25k",
        "\"Trafford\"",
        "'Trafford'",
        "2021-04-01",
        "FY2021/22",
        "2021Q2",
        "last 3 months",
        "true",
        "-3",
        "$month",
    ] {
        let alone = parse_operand(text).unwrap_or_else(|e| panic!("{text}: {}", e.message));
        // `operand` reads it from `spend where x = <text>`, so its spans start 16 bytes later.
        assert_eq!(moved(alone, "spend where x = ".len()), operand(text), "{text}");
    }
}

fn moved(operand: Operand, by: usize) -> Operand {
    let shift = |span: std::ops::Range<usize>| span.start + by..span.end + by;
    match operand {
        Operand::Literal(l) => Operand::Literal(Spanned::new(l.node, shift(l.span))),
        Operand::Period(p) => Operand::Period(Period { kind: p.kind, span: shift(p.span) }),
        Operand::Param(p) => Operand::Param(Spanned::new(p.node, shift(p.span))),
    }
}

#[test]
fn a_value_on_its_own_has_spans_into_its_own_text() {
    // Surrounding spaces are skipped; the span covers the value alone.
    match parse_operand("  £1.5m ").unwrap() {
        Operand::Literal(l) => {
            assert_eq!(l.node, number("1500000", true));
            assert_eq!(l.span, 2..8);
        }
        other => panic!("{other:?}"),
    }
    match parse_operand("2021-06").unwrap() {
        Operand::Period(p) => {
            assert_eq!(p.kind, PeriodKind::Month { year: 2021, month: 6 });
            assert_eq!(p.span, 0..7);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn anything_but_one_value_is_a_syntax_error_about_a_value() {
    for text in ["", "Trafford", "2021-06 2021-07", "spend by council", "2021-02-30", "= 5"] {
        let err = match parse_operand(text) {
            Ok(operand) => panic!("{text:?} should not parse, but gave {operand:?}"),
            Err(err) => err,
        };
        assert_eq!(err.kind, crate::ErrorKind::Syntax, "{text:?}");
        assert!(err.span.as_ref().is_some_and(|s| s.end <= text.len().max(1)), "{text:?}: {:?}", err.span);
    }
    let err = parse_operand("2021-06 2021-07").unwrap_err();
    assert_eq!(err.span, Some(8..15));
    assert!(err.message.contains("the end of the value"), "{}", err.message);
}

// ---------------------------------------------------------------------------------------
// Properties

mod properties {
    use proptest::prelude::*;

    use super::super::ast::{Expr, Query};
    use super::super::{is_incomplete, parse_file, parse_query};

    /// Words that are not keywords, including hyphenated and mixed-case ones.
    const WORDS: &[&str] = &[
        "spend",
        "transactions",
        "suppliers",
        "average",
        "payment",
        "off-contract",
        "card",
        "share",
        "council",
        "category",
        "supplier",
        "department",
        "expense",
        "type",
        "fy",
        "month",
        "quarter",
        "year",
        "amount",
        "date",
        "redacted",
        "Officer",
        "ordering",
        "innovation",
        "tops",
        "café",
    ];

    fn name() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(WORDS), 1..=3).prop_map(|words| words.join(" "))
    }

    fn absolute_period() -> impl Strategy<Value = String> {
        (1990i32..2040, 1u32..=12, 1u32..=4).prop_flat_map(|(year, month, quarter)| {
            prop_oneof![
                Just(format!("FY{year}/{:02}", (year + 1) % 100)),
                Just(format!("fy{year}-{}", year + 1)),
                Just(format!("{year}Q{quarter}")),
                Just(format!("{year}-{month:02}")),
            ]
        })
    }

    fn relative_period() -> impl Strategy<Value = String> {
        let unit = prop::sample::select(
            &[
                "day",
                "days",
                "week",
                "weeks",
                "month",
                "months",
                "quarter",
                "quarters",
                "year",
                "years",
                "fy",
                "fys",
                "financial year",
                "financial years",
            ][..],
        );
        (prop::sample::select(&["last", "next", "this", "previous"][..]), 1u32..=24, any::<bool>(), unit).prop_map(
            |(direction, count, counted, unit)| match direction {
                "last" | "next" if counted => format!("{direction} {count} {unit}"),
                _ => format!("{direction} {unit}"),
            },
        )
    }

    fn period() -> impl Strategy<Value = String> {
        prop_oneof![absolute_period(), relative_period(), (1990i32..2040).prop_map(|y| y.to_string())]
    }

    fn operand() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9 &#()',.-]{0,12}".prop_map(|s| format!("\"{}\"", s.replace('"', ""))),
            "[A-Za-z0-9 \"]{0,12}".prop_map(|s| format!("'{s}'")),
            (
                any::<bool>(),
                any::<bool>(),
                0u32..100_000,
                prop::option::of(0u32..100),
                prop::sample::select(&["", "k", "m", "K"][..])
            )
                .prop_map(|(neg, money, whole, frac, suffix)| {
                    let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
                    format!("{}{}{whole}{frac}{suffix}", if neg { "-" } else { "" }, if money { "£" } else { "" })
                }),
            (1990i32..2040, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
            absolute_period(),
            relative_period(),
            prop::sample::select(&["true", "false", "True"][..]).prop_map(str::to_string),
            "[a-z_][a-z0-9_]{0,8}".prop_map(|p| format!("${p}")),
        ]
    }

    fn predicate() -> impl Strategy<Value = String> {
        let op = prop::sample::select(&["=", "==", "!=", "<>", "<", "<=", ">", ">="][..]);
        prop_oneof![
            (name(), op, operand()).prop_map(|(n, op, v)| format!("{n} {op} {v}")),
            (name(), any::<bool>(), prop::collection::vec(operand(), 1..4)).prop_map(|(n, not, vs)| format!(
                "{n} {}in ({})",
                if not { "not " } else { "" },
                vs.join(", ")
            )),
            (name(), period()).prop_map(|(n, p)| format!("{n} in {p}")),
            (name(), operand(), operand()).prop_map(|(n, a, b)| format!("{n} between {a} and {b}")),
            (name(), operand()).prop_map(|(n, v)| format!("{n} ~ {v}")),
            (name(), any::<bool>()).prop_map(|(n, not)| format!("{n} is {}missing", if not { "not " } else { "" })),
            name(),
        ]
    }

    fn condition() -> impl Strategy<Value = String> {
        predicate().prop_recursive(3, 12, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} OR {b}")),
                inner.clone().prop_map(|a| format!("not {a}")),
                inner.prop_map(|a| format!("({a})")),
            ]
        })
    }

    /// A query built from the grammar's constructs, with what its AST must contain.
    #[derive(Debug, Clone)]
    struct Generated {
        text: String,
        measures: usize,
        group_by: usize,
        ranked: bool,
        clauses: Vec<&'static str>,
    }

    fn clause() -> impl Strategy<Value = (&'static str, String)> {
        prop_oneof![
            prop::collection::vec(name(), 1..4).prop_map(|d| ("by", format!("by {}", d.join(", ")))),
            condition().prop_map(|c| ("where", format!("where {c}"))),
            condition().prop_map(|c| ("having", format!("having {c}"))),
            prop_oneof![name(), (1u32..24).prop_map(|n| format!("{n} months")), relative_period()]
                .prop_map(|w| ("within", format!("within {w}"))),
            name().prop_map(|n| ("across", format!("across {n}"))),
            (period(), period()).prop_map(|(a, b)| ("compare", format!("compare {a} with {b}"))),
            prop::collection::vec((name(), prop::sample::select(&["", " asc", " desc"][..])), 1..3).prop_map(|items| {
                let items: Vec<_> = items.into_iter().map(|(n, d)| format!("{n}{d}")).collect();
                ("order", format!("order by {}", items.join(", ")))
            }),
            (0u64..1000).prop_map(|n| ("limit", format!("limit {n}"))),
            Just(("as", "as chart".to_string())),
        ]
    }

    fn query_text() -> impl Strategy<Value = Generated> {
        let rank = prop::option::of((prop::sample::select(&["top", "bottom"][..]), 1u64..100, name()));
        let clauses = prop::collection::vec(clause(), 0..6);
        let spacing = prop::sample::select(&[" ", "\n  ", "  # note\n"][..]);
        (rank, prop::collection::vec(name(), 1..4), clauses, spacing).prop_map(|(rank, measures, clauses, spacing)| {
            let mut text = String::new();
            if let Some((direction, count, dim)) = &rank {
                text.push_str(&format!("{direction} {count} {dim} by "));
            }
            text.push_str(&measures.join(", "));
            // Each clause at most once: keep the first of each kind.
            let mut kinds = Vec::new();
            let mut group_by = 0;
            for (kind, clause) in clauses {
                if kinds.contains(&kind) {
                    continue;
                }
                if kind == "by" {
                    group_by = clause.matches(", ").count() + 1;
                }
                kinds.push(kind);
                text.push_str(spacing);
                text.push_str(&clause);
            }
            Generated { text, measures: measures.len(), group_by, ranked: rank.is_some(), clauses: kinds }
        })
    }

    fn expr_is_present(q: &Query, kind: &str) -> bool {
        match kind {
            "by" => !q.group_by.is_empty(),
            "where" => q.filter.is_some(),
            "having" => q.having.is_some(),
            "within" => q.within.is_some(),
            "across" => q.across.is_some(),
            "compare" => q.compare.is_some(),
            "order" => !q.order_by.is_empty(),
            "limit" => q.limit.is_some(),
            _ => q.as_chart,
        }
    }

    fn spans_within(expr: &Expr, len: usize) -> bool {
        let span = expr.span();
        span.start <= span.end && span.end <= len
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = parse_query(&text);
            let _ = parse_file(&text);
            let _ = is_incomplete(&text);
        }

        #[test]
        fn language_like_text_never_panics(
            parts in prop::collection::vec(prop_oneof![
                prop::sample::select(super::super::KEYWORDS).prop_map(str::to_string),
                prop::sample::select(WORDS).prop_map(str::to_string),
                "[()=<>!~,$£#\"'.\\-/0-9kmQ \n]{1,3}",
                operand(),
            ], 0..24)
        ) {
            let text = parts.join(" ");
            for source in [text.clone(), text.replace(' ', "")] {
                if let Err(err) = parse_query(&source) {
                    let span = err.span.clone().unwrap_or(0..0);
                    prop_assert!(span.start <= span.end && span.end <= source.len(), "{source:?}: {span:?}");
                    prop_assert!(!err.message.is_empty());
                }
                let _ = parse_file(&source);
                let _ = is_incomplete(&source);
            }
        }

        #[test]
        fn well_formed_queries_parse_to_their_shape(generated in query_text()) {
            let q = match parse_query(&generated.text) {
                Ok(q) => q,
                Err(err) => return Err(TestCaseError::fail(format!(
                    "{:?} did not parse: {} at {:?}", generated.text, err.message, err.span
                ))),
            };
            prop_assert_eq!(q.measures.len(), generated.measures);
            prop_assert_eq!(q.group_by.len(), generated.group_by);
            prop_assert_eq!(q.rank.is_some(), generated.ranked);
            for kind in ["by", "where", "having", "within", "across", "compare", "order", "limit", "as"] {
                prop_assert_eq!(expr_is_present(&q, kind), generated.clauses.contains(&kind), "{}", kind);
            }
            prop_assert_eq!(q.span.clone(), 0..generated.text.trim_end().len());
            for expr in q.filter.iter().chain(q.having.iter()) {
                prop_assert!(spans_within(expr, generated.text.len()));
            }
            // A finished query is never mistaken for an unfinished one.
            prop_assert!(!is_incomplete(&generated.text), "{:?}", generated.text);
            // The same query works as a statement of a query file.
            let file = format!("query \"generated\" =\n{}\n", generated.text);
            prop_assert!(parse_file(&file).is_ok(), "{:?}", file);
        }
    }
}

#[test]
fn issue_12_metric_measures_parse_with_their_name_and_span() {
    let source = r#"metric "days to pay" by council, month where date in 2024"#;
    let q = query(source);
    let [Measure::Metric(metric)] = q.measures.as_slice() else { panic!("{:?}", q.measures) };
    assert_eq!(metric.name.node, "days to pay");
    // `metric "days to pay"` is bytes 0..20; the string, quotes included, 7..20.
    assert_eq!(metric.span, 0..20);
    assert_eq!(metric.name.span, 7..20);
    assert_eq!(measure_texts(&q.measures), [r#"metric "days to pay""#]);
    assert_eq!(texts(&q.group_by), ["council", "month"]);
    // Beside named measures, in any order.
    let q = query("spend, metric 'sessions' by month");
    assert_eq!(measure_texts(&q.measures), ["spend", r#"metric "sessions""#]);
    // `metric` alone, or with a bare name, is an error, not a measure called `metric`.
    assert!(parse_query("metric by council").is_err());
    assert!(parse_query("metric sessions by council").is_err());
}
