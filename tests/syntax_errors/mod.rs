//! How SpendQL syntax errors read to a person: each snapshot pins the message, the caret
//! under the offending token and the hint, rendered exactly as the command line and the
//! REPL show them (`diagnostic::render`, without colour).

use spendql::diagnostic;
use spendql::sources::Sources;
use spendql::syntax::{parse_file, parse_query};

fn render(origin: &str, source: &str, err: &spendql::Error) -> String {
    let mut sources = Sources::new();
    let err = err.clone().in_source(sources.add(origin, source));
    let mut out = Vec::new();
    diagnostic::render(&err, &sources, false, &mut out).expect("rendering to memory cannot fail");
    let rendered = String::from_utf8(out).expect("diagnostics are UTF-8");
    format!("{origin}: {source}\n\n{rendered}")
}

fn query_error(source: &str) -> String {
    match parse_query(source) {
        Ok(query) => panic!("{source:?} should not parse, but gave {query:?}"),
        Err(err) => {
            assert_eq!(err.kind, spendql::ErrorKind::Syntax, "{source}");
            render("query", source, &err)
        }
    }
}

#[test]
fn missing_measure() {
    insta::assert_snapshot!("missing_measure", query_error("by council"));
}

#[test]
fn empty_query() {
    insta::assert_snapshot!("empty_query", query_error("   # nothing but a comment"));
}

#[test]
fn keyword_typo_swallowed_into_a_name() {
    insta::assert_snapshot!("keyword_typo_in_name", query_error("spend by council wehre year = 2015"));
}

#[test]
fn keyword_typo_where_a_clause_belongs() {
    insta::assert_snapshot!("keyword_typo_at_error", query_error("spend by council where year = 2015 ordr by spend"));
}

#[test]
fn unterminated_string() {
    insta::assert_snapshot!("unterminated_string", query_error("spend by category where council = \"Salford"));
}

#[test]
fn impossible_date() {
    insta::assert_snapshot!("bad_date", query_error("spend by month where date >= 2021-02-30"));
}

#[test]
fn financial_year_whose_years_do_not_follow() {
    insta::assert_snapshot!("bad_financial_year", query_error("spend by council where fy = FY2021/23"));
}

#[test]
fn trailing_operator() {
    insta::assert_snapshot!("trailing_operator", query_error("spend by council where amount >="));
}

#[test]
fn unclosed_bracket() {
    insta::assert_snapshot!(
        "unclosed_bracket",
        query_error("spend where (council = \"Salford\" or council = \"Trafford\" and card")
    );
}

#[test]
fn stray_closing_bracket() {
    insta::assert_snapshot!("stray_closing_bracket", query_error("spend where council = \"Salford\") and card"));
}

#[test]
fn clause_given_twice() {
    insta::assert_snapshot!(
        "clause_twice",
        query_error("spend by council where year = 2015 order by spend where card")
    );
}

#[test]
fn junk_after_a_complete_query() {
    insta::assert_snapshot!("junk_after_query", query_error("spend by council 2015"));
}

#[test]
fn error_on_a_later_line() {
    insta::assert_snapshot!(
        "error_on_later_line",
        query_error("spend by council\n  where amount > 25000\n  limit ten")
    );
}

#[test]
fn query_file_statement_missing_equals() {
    let source = "param month = 2021-06\nquery \"Monthly\" spend by council where month = $month\n";
    let err = match parse_file(source) {
        Ok(file) => panic!("should not parse, but gave {file:?}"),
        Err(err) => err,
    };
    insta::assert_snapshot!("file_missing_equals", render("report.spql", source, &err));
}

#[test]
fn date_written_day_first() {
    insta::assert_snapshot!("day_first_date", query_error("spend by month where date >= 01/04/2021"));
}

#[test]
fn value_without_an_operator() {
    insta::assert_snapshot!("missing_operator", query_error("spend by supplier where amount 25000"));
}

fn file_error(source: &str) -> String {
    match parse_file(source) {
        Ok(file) => panic!("{source:?} should not parse, but gave {file:?}"),
        Err(err) => {
            assert_eq!(err.kind, spendql::ErrorKind::Syntax, "{source}");
            render("report.spql", source, &err)
        }
    }
}

#[test]
fn issue_12_a_floor_above_the_target_when_higher_is_better() {
    insta::assert_snapshot!(
        "kpi_floor_above_target",
        file_error("kpi \"On-contract spend\" = on-contract share target 70% floor 80%")
    );
}

#[test]
fn issue_12_a_floor_below_the_target_when_lower_is_better() {
    insta::assert_snapshot!(
        "kpi_floor_below_target_lower_is_better",
        file_error("kpi \"Days to pay\" = average payment lower is better target 20 floor 15")
    );
}

#[test]
fn issue_12_a_tolerance_with_a_floor() {
    insta::assert_snapshot!(
        "kpi_tolerance_with_floor",
        file_error("kpi \"Share\" = on-contract share target 80% floor 70% tolerance 5%")
    );
}

#[test]
fn issue_12_a_floor_without_a_target() {
    insta::assert_snapshot!("kpi_floor_without_target", file_error("kpi \"Share\" = on-contract share floor 70%"));
}

#[test]
fn issue_12_two_targets_for_one_council() {
    insta::assert_snapshot!(
        "kpi_target_twice",
        file_error("kpi \"Share\" = on-contract share target 80% for \"Rochdale\" target 75% for \"rochdale\"")
    );
}

#[test]
fn issue_12_a_rule_word_misspelt() {
    insta::assert_snapshot!("kpi_rule_typo", file_error("kpi \"Share\" = on-contract share taget 80%"));
}
