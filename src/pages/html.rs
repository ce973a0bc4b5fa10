//! A report ([`ReportOutput`]) as one self-contained HTML page: styles inline, charts as
//! inline SVG, nothing fetched from anywhere, readable on screen and printable on A4. The
//! page is a minijinja template (`report.html`, embedded at build time) filled from view
//! structs of text only: every figure is worded here, money by [`crate::money`] (through
//! `Figure::text`) and dates by [`crate::dates`], and the template's HTML auto-escaping
//! escapes every value, so a title or a supplier's name can never become markup. The one
//! value passed unescaped is each chart's SVG, which [`super::svg`] builds with its own
//! text escaped.

use serde::Serialize;

use super::svg::{self, Line};
use crate::dates::long_date;
use crate::error::{Error, ErrorKind, Result};
use crate::output::chart::{ChartData, short_money};
use crate::output::{ResultSet, cell_text};
use crate::report::{Block, Figure, KpiResult, KpiRow, KpiUnit, PeriodInfo, ReportOutput, Scope, Status};

/// The template, compiled into the binary so the page needs no file beside it.
const TEMPLATE: &str = include_str!("report.html");
/// Rows of a query's table shown on the page; the workbook carries every row.
pub const MAX_TABLE_ROWS: usize = 200;
/// Bars in a query's chart: the first rows, which the query's order makes the largest.
const MAX_BARS: usize = 25;
/// What an empty figure shows.
const NONE: &str = "–";

#[derive(Serialize)]
struct Page<'a> {
    title: &'a str,
    kind: &'static str,
    period: PeriodView,
    previous: PeriodView,
    last_year: PeriodView,
    as_of: String,
    scorecard: Vec<ScoreView>,
    blocks: Vec<BlockView>,
    loaded: Vec<LoadedView>,
    notes: &'a [String],
    version: &'static str,
}

#[derive(Serialize)]
struct PeriodView {
    label: String,
    dates: String,
}

/// One KPI in the headline scorecard.
#[derive(Serialize)]
struct ScoreView {
    name: String,
    anchor: String,
    rows: Vec<RowView>,
}

#[derive(Serialize)]
struct RowView {
    scope: String,
    service: bool,
    current: String,
    previous: String,
    last_year: String,
    change: String,
    direction: &'static str,
    target: String,
    status: &'static str,
    status_class: &'static str,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum BlockView {
    Section { title: String, anchor: String },
    Kpis { kpis: Vec<KpiView> },
    Query { title: String, table: TableView, chart: Option<String> },
}

#[derive(Serialize)]
struct KpiView {
    name: String,
    anchor: String,
    measure: String,
    rule: String,
    target_note: Option<String>,
    sentence: Option<String>,
    chart: String,
    analysis: Vec<ContributionView>,
}

#[derive(Serialize)]
struct ContributionView {
    kind: &'static str,
    name: String,
    part: String,
}

#[derive(Serialize)]
struct TableView {
    headings: Vec<CellView>,
    rows: Vec<Vec<CellView>>,
    shown: usize,
    total: usize,
}

#[derive(Serialize)]
struct CellView {
    text: String,
    numeric: bool,
}

#[derive(Serialize)]
struct LoadedView {
    table: String,
    council: String,
    rows: String,
    first: String,
    last: String,
}

fn period_view(p: &PeriodInfo) -> PeriodView {
    PeriodView { label: p.label.clone(), dates: format!("{} to {}", long_date(p.start), long_date(p.end)) }
}

fn figure(f: Option<Figure>) -> String {
    f.map_or_else(|| NONE.to_string(), Figure::text)
}

/// The status word and its style; a row without one says why (no data, no target).
fn status_cell(row: &KpiRow) -> (&'static str, &'static str) {
    match row.status {
        Some(Status::Green) => ("Green", "status-green"),
        Some(Status::Amber) => ("Amber", "status-amber"),
        Some(Status::Red) => ("Red", "status-red"),
        None if row.current.is_none() => ("No data", "status-none"),
        None => ("No target", "status-none"),
    }
}

/// A KPI's rows for people: the service first, then the councils in the report's order.
fn row_views(kpi: &KpiResult) -> Vec<RowView> {
    let mut rows: Vec<&KpiRow> = kpi.rows.iter().filter(|r| r.scope == Scope::Service).collect();
    rows.extend(kpi.rows.iter().filter(|r| r.scope != Scope::Service));
    rows.into_iter()
        .map(|row| {
            let (status, status_class) = status_cell(row);
            RowView {
                scope: row.scope.label().to_string(),
                service: row.scope == Scope::Service,
                current: figure(row.current),
                previous: figure(row.previous),
                last_year: figure(row.last_year),
                change: row.change.map_or_else(|| NONE.to_string(), Figure::change_text),
                direction: row.direction.word(),
                target: figure(row.target),
                status,
                status_class,
            }
        })
        .collect()
}

/// An id for links within the page: letters and digits, the rest as hyphens, numbered
/// when two names would collide.
fn anchor(prefix: &str, name: &str, used: &mut Vec<String>) -> String {
    let mut base: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if base.is_empty() {
        base = "item".into();
    }
    let mut id = format!("{prefix}-{base}");
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{prefix}-{base}-{n}");
        n += 1;
    }
    used.push(id.clone());
    id
}

/// Tick labels for a KPI's unit: short money, whole percentages, grouped counts.
fn axis_for(unit: KpiUnit) -> fn(f64) -> String {
    match unit {
        KpiUnit::Money => short_money,
        KpiUnit::Percent => |v| format!("{v:.0}%"),
        KpiUnit::Count => |v| format!("{v:.0}"),
        KpiUnit::Number => |v| {
            let text = format!("{v:.2}");
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        },
    }
}

/// The KPI's trend: the service's line, then each council's, with the service's target.
fn trend_chart(kpi: &KpiResult) -> String {
    let labels: Vec<String> = kpi.trend.iter().map(|p| p.label.clone()).collect();
    let line = |name: &str, points: &[crate::report::TrendPoint]| Line {
        name: name.to_string(),
        values: labels
            .iter()
            .map(|l| points.iter().find(|p| &p.label == l).and_then(|p| p.value).map(Figure::to_f64))
            .collect(),
        texts: labels
            .iter()
            .map(|l| points.iter().find(|p| &p.label == l).map_or_else(|| NONE.to_string(), |p| figure(p.value)))
            .collect(),
    };
    let mut lines = vec![line(Scope::Service.label(), &kpi.trend)];
    lines.extend(kpi.council_trends.iter().map(|(council, points)| line(council, points)));
    let target = kpi.service().and_then(|r| r.target).map(|t| (t.to_f64(), format!("Target {}", Figure::text(t))));
    let first = labels.first().map_or("", String::as_str);
    let last = labels.last().map_or("", String::as_str);
    let title = format!("{}: trend, {first} to {last}", kpi.name);
    svg::line_chart(&title, &labels, &lines, target, &axis_for(kpi.unit))
}

fn kpi_view(kpi: &KpiResult, anchors: &mut Vec<String>) -> KpiView {
    KpiView {
        name: kpi.name.clone(),
        anchor: anchor("kpi", &kpi.name, anchors),
        measure: kpi.measure_text.clone(),
        rule: kpi.rule.clone(),
        target_note: kpi.target_note.clone(),
        sentence: kpi.sentence.clone(),
        chart: trend_chart(kpi),
        analysis: kpi
            .analysis
            .iter()
            .map(|c| ContributionView { kind: c.kind.word(), name: c.name.clone(), part: c.part.change_text() })
            .collect(),
    }
}

/// A query's rows as text for people (£, separators), at most [`MAX_TABLE_ROWS`].
fn table_view(result: &ResultSet) -> TableView {
    use crate::output::is_numeric as is_numeric_type;
    let fields = result.schema.fields();
    let numeric: Vec<bool> = fields.iter().map(|f| is_numeric_type(f.data_type())).collect();
    let headings = fields.iter().zip(&numeric).map(|(f, n)| CellView { text: f.name().clone(), numeric: *n }).collect();
    let mut rows = Vec::new();
    'batches: for batch in &result.batches {
        for row in 0..batch.num_rows() {
            if rows.len() == MAX_TABLE_ROWS {
                break 'batches;
            }
            rows.push(
                batch
                    .columns()
                    .iter()
                    .zip(&numeric)
                    .map(|(c, n)| CellView { text: cell_text(c, row, true).unwrap_or_default(), numeric: *n })
                    .collect(),
            );
        }
    }
    TableView { shown: rows.len(), total: result.row_count(), headings, rows }
}

/// A query's chart when it asked for one (`as chart`) and has numbers to draw.
fn query_chart(title: &str, result: &ResultSet) -> Option<String> {
    let data = ChartData::from_result(result).ok()?;
    if data.time {
        let lines: Vec<Line> = data
            .series
            .iter()
            .map(|s| Line { name: s.name.clone(), values: s.values.clone(), texts: s.texts.clone() })
            .collect();
        let money = data.series.first().is_some_and(|s| s.money);
        let axis: fn(f64) -> String = if money { short_money } else { |v| format!("{v:.0}") };
        Some(svg::line_chart(title, &data.labels, &lines, None, &axis))
    } else {
        let series = data.series.first()?;
        let n = data.labels.len().min(MAX_BARS);
        let title = if data.labels.len() > n { format!("{title} (the first {n})") } else { title.to_string() };
        Some(svg::bar_chart(&title, &data.labels[..n], &series.values[..n], &series.texts[..n]))
    }
}

fn page_of(report: &ReportOutput) -> Page<'_> {
    let mut anchors = Vec::new();
    // The headline's links point at each KPI's detail, whose anchors are made in file order
    // below; making them here first, in the same order, gives the same ids.
    let mut headline_anchors = Vec::new();
    let scorecard = report
        .kpis()
        .map(|k| ScoreView {
            name: k.name.clone(),
            anchor: anchor("kpi", &k.name, &mut headline_anchors),
            rows: row_views(k),
        })
        .collect();
    let blocks = report
        .blocks
        .iter()
        .map(|b| match b {
            Block::Section { title } => {
                BlockView::Section { title: title.clone(), anchor: anchor("section", title, &mut anchors) }
            }
            Block::Kpis(kpis) => BlockView::Kpis { kpis: kpis.iter().map(|k| kpi_view(k, &mut anchors)).collect() },
            Block::Query { title, result, chart } => {
                let result: ResultSet = result.clone().into();
                BlockView::Query {
                    title: title.clone(),
                    chart: if *chart { query_chart(title, &result) } else { None },
                    table: table_view(&result),
                }
            }
        })
        .collect();
    let loaded = report
        .loaded
        .iter()
        .map(|l| LoadedView {
            table: l.table.clone(),
            council: l.council.clone().unwrap_or_else(|| "the whole service".into()),
            rows: Figure::Count(l.rows as i64).text(),
            first: l.first.map_or_else(|| NONE.to_string(), long_date),
            last: l.last.map_or_else(|| NONE.to_string(), long_date),
        })
        .collect();
    Page {
        title: &report.title,
        kind: report.kind.adjective(),
        period: period_view(&report.period),
        previous: period_view(&report.previous),
        last_year: period_view(&report.last_year),
        as_of: long_date(report.as_of),
        scorecard,
        blocks,
        loaded,
        notes: &report.notes,
        version: env!("CARGO_PKG_VERSION"),
    }
}

/// The report as one HTML page.
pub fn render_html(report: &ReportOutput) -> Result<String> {
    let fail = |e: minijinja::Error| Error::new(ErrorKind::Io, format!("cannot write the HTML report: {e}"));
    let mut env = minijinja::Environment::new();
    // The name's `.html` turns on HTML auto-escaping of every value.
    env.add_template("report.html", TEMPLATE).map_err(fail)?;
    let template = env.get_template("report.html").map_err(fail)?;
    template.render(minijinja::Value::from(minijinja::value::Serde(page_of(report)))).map_err(fail)
}

/// Write the report's HTML page to `path`, under a temporary name renamed into place, so
/// the file is whole or absent.
pub fn write_html(report: &ReportOutput, path: &std::path::Path) -> Result<()> {
    let html = render_html(report)?;
    super::files::write_whole(path, html.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::fixture::fixture_report;

    #[test]
    fn every_value_is_escaped() {
        let mut report = fixture_report();
        report.title = "<script>window.__spendqlInjected = true</script> & co".into();
        let html = render_html(&report).unwrap();
        assert!(!html.contains("<script>window"), "the title became markup");
        assert!(html.contains("&lt;script&gt;window.__spendqlInjected = true&lt;&#x2f;script&gt; &amp; co"), "{html}");
    }

    #[test]
    fn the_page_holds_no_address_outside_itself() {
        let html = render_html(&fixture_report()).unwrap();
        for outside in ["http:", "https:", "src=", "@import", "url("] {
            // The SVG namespace is a name, not a fetch.
            let found = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
            assert!(!found.contains(outside), "the page refers to {outside}");
        }
    }

    #[test]
    fn anchors_are_plain_and_unique() {
        let mut used = Vec::new();
        assert_eq!(anchor("kpi", "On-contract share (%)", &mut used), "kpi-on-contract-share");
        assert_eq!(anchor("kpi", "On-contract share", &mut used), "kpi-on-contract-share-2");
        assert_eq!(anchor("kpi", "£", &mut used), "kpi-item");
    }
}
