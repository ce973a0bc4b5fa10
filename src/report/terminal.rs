//! A report as tables for a terminal (and for `spendql run`, which prints any query file's
//! results): the scorecard of each run of KPIs, what changed and why, and the queries' own
//! results, grouped under the report's heading and its sections. The tables are ordinary
//! query results (text columns, figures formatted by [`crate::report::Figure`] through
//! `money`), so the one printer in `output` draws them.

use std::sync::Arc;
use std::time::Duration;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};

use super::model::{Block, Figure, KpiResult, ReportOutput, Scope};
use crate::dates::{date_text, days_from_date};
use crate::exec::QueryResult;

/// Lines for people, then titled tables: one heading or section of a report.
#[derive(Debug, Clone, Default)]
pub struct TerminalBlock {
    /// Said before the tables.
    pub lines: Vec<String>,
    /// The tables, each with its title.
    pub tables: Vec<(String, QueryResult)>,
}

fn day(d: chrono::NaiveDate) -> String {
    date_text(days_from_date(d))
}

/// The report as blocks to print in order: its heading, then each section with its
/// scorecards and queries, then its notes.
pub fn terminal_blocks(report: &ReportOutput) -> Vec<TerminalBlock> {
    let mut blocks = Vec::new();
    let mut heading = TerminalBlock::default();
    if !report.title.is_empty() {
        heading.lines.push(report.title.clone());
        heading.lines.push(format!(
            "{} report for {} ({} to {}); compared with {} and {}",
            report.kind.adjective(),
            report.period.label,
            day(report.period.start),
            day(report.period.end),
            report.previous.label,
            report.last_year.label,
        ));
        heading.lines.push(format!("Data as of {}", day(report.as_of)));
    }
    let mut current = heading;
    for block in &report.blocks {
        match block {
            Block::Section { title } => {
                blocks.push(std::mem::take(&mut current));
                current.lines.push(String::new());
                current.lines.push(format!("== {title} =="));
            }
            Block::Kpis(kpis) => current.tables.extend(kpi_tables(report, kpis)),
            Block::Query { title, result, .. } => current.tables.push((title.clone(), drawable(result))),
        }
    }
    blocks.push(current);
    if !report.loaded.is_empty() {
        let headings = ["Table", "Council", "Rows", "First", "Last"].map(String::from);
        let rows: Vec<Vec<Option<String>>> = report
            .loaded
            .iter()
            .map(|l| {
                vec![
                    Some(l.table.clone()),
                    Some(l.council.clone().unwrap_or_else(|| "All councils".to_string())),
                    Some(Figure::Count(i64::try_from(l.rows).unwrap_or(i64::MAX)).text()),
                    l.first.map(day),
                    l.last.map(day),
                ]
            })
            .collect();
        blocks.push(TerminalBlock {
            lines: vec![String::new(), "== Data ==".to_string()],
            tables: vec![("What was loaded".to_string(), table(&headings, &rows))],
        });
    }
    if !report.notes.is_empty() {
        blocks.push(TerminalBlock {
            lines: report.notes.iter().map(|n| format!("note: {n}")).collect(),
            tables: Vec::new(),
        });
    }
    blocks.retain(|b| !b.lines.is_empty() || !b.tables.is_empty());
    blocks
}

/// Every table of the report with its title, in order, for printers that take a list
/// (`spendql run`, the REPL's `\i`): sections name the tables under them.
pub fn flat_results(report: &ReportOutput) -> Vec<(String, QueryResult)> {
    let mut out = Vec::new();
    let mut section: Option<&str> = None;
    for block in &report.blocks {
        match block {
            Block::Section { title } => section = Some(title),
            Block::Kpis(kpis) => {
                for (title, table) in kpi_tables(report, kpis) {
                    let title = match section {
                        Some(s) => format!("{s}: {title}"),
                        None => title,
                    };
                    out.push((title, table));
                }
            }
            Block::Query { title, result, .. } => out.push((title.clone(), drawable(result))),
        }
    }
    out
}

/// A query's result, asking for its chart only when there is something to draw: a report
/// run for a quiet period still prints its (empty) table rather than failing.
fn drawable(result: &QueryResult) -> QueryResult {
    let mut result = result.clone();
    result.chart = result.chart && result.row_count() > 0;
    result
}

fn text(f: Option<Figure>) -> Option<String> {
    f.map(Figure::text)
}

/// The scorecard (a row per KPI and scope, the service first) and what changed.
fn kpi_tables(report: &ReportOutput, kpis: &[KpiResult]) -> Vec<(String, QueryResult)> {
    let headings = [
        "KPI".to_string(),
        "Scope".to_string(),
        format!("This period ({})", report.period.label),
        format!("Previous ({})", report.previous.label),
        format!("Last year ({})", report.last_year.label),
        "Change".to_string(),
        "Target".to_string(),
        "Status".to_string(),
        "Direction".to_string(),
    ];
    let mut rows: Vec<Vec<Option<String>>> = Vec::new();
    for kpi in kpis {
        let service = kpi.rows.iter().filter(|r| r.scope == Scope::Service);
        let councils = kpi.rows.iter().filter(|r| r.scope != Scope::Service);
        for row in service.chain(councils) {
            rows.push(vec![
                Some(kpi.name.clone()),
                Some(row.scope.label().to_string()),
                text(row.current),
                text(row.previous),
                text(row.last_year),
                row.change.map(Figure::change_text),
                text(row.target),
                row.status.map(|s| s.word().to_string()),
                Some(row.direction.word().to_string()),
            ]);
        }
    }
    let mut tables = vec![("Scorecard".to_string(), table(&headings, &rows))];
    let changed: Vec<Vec<Option<String>>> = kpis
        .iter()
        .map(|k| {
            let service = k.service();
            let why = k.sentence.clone().unwrap_or_else(|| match service.map(|r| (r.current, r.previous)) {
                Some((Some(_), Some(_))) => "no change".to_string(),
                Some((None, _)) => "no value this period".to_string(),
                _ => "no value for the previous period to compare with".to_string(),
            });
            let rule = match &k.target_note {
                Some(note) => format!("{} ({note})", k.rule),
                None => k.rule.clone(),
            };
            vec![Some(k.name.clone()), Some(why), Some(rule)]
        })
        .collect();
    let headings = ["KPI".to_string(), "What changed".to_string(), "Rule".to_string()];
    tables.push(("What changed".to_string(), table(&headings, &changed)));
    tables
}

/// Text columns as a query result, so the one printer draws them.
fn table(headings: &[String], rows: &[Vec<Option<String>>]) -> QueryResult {
    let fields: Vec<Field> = headings.iter().map(|h| Field::new(h, DataType::Utf8, true)).collect();
    let schema = Arc::new(Schema::new(fields));
    let columns: Vec<ArrayRef> = (0..headings.len())
        .map(|i| Arc::new(rows.iter().map(|r| r.get(i).cloned().flatten()).collect::<StringArray>()) as ArrayRef)
        .collect();
    let batch =
        RecordBatch::try_new(schema.clone(), columns).unwrap_or_else(|_| RecordBatch::new_empty(schema.clone()));
    QueryResult { schema, batches: vec![batch], elapsed: Duration::ZERO, chart: false }
}
