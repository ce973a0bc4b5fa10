//! Reports for managers (`spendql report`): a report file's sections, KPIs and queries run
//! for a period, its previous period and the same period last year, per council and for
//! the service, with targets, RAG statuses, trends and the analysis of change. The typed
//! result ([`ReportOutput`]) is rendered elsewhere: as tables on a terminal
//! ([`terminal_blocks`], printed by `output`), as HTML or a workbook (`pages::write_report`).
//!
//! A report runs through the engine's one query-file path ([`Engine::visit_file`]): the
//! `report` line fixes the period and sets `$period`, `$previous_period` and
//! `$last_year_period` for the queries after it, each KPI is computed where it is written,
//! and queries run as in `spendql run`.

mod kpi;
mod model;
mod period;
mod rag;
mod targets;
mod terminal;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

pub use kpi::{Periods, TREND_PERIODS, evaluate};
pub use model::{
    Block, Contribution, ContributorKind, Decimal, Direction, Figure, KpiResult, KpiRow, KpiUnit, LoadedSummary,
    PeriodInfo, Polarity, ReportKind, ReportOutput, Scope, Status, TrendPoint,
};
pub use period::{containing, default_period};
pub use rag::{Band, status};
pub use terminal::{TerminalBlock, flat_results, terminal_blocks};

use crate::error::{Error, Result};
use crate::exec::files::FileItem;
use crate::exec::{Cancel, Engine, QueryResult};
use crate::semantic::{DataLookup, DateRange};
use crate::syntax::ast::{self, Literal, Name, Operand, Period, PeriodKind, Spanned};

/// How to run a report file.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// `--period`: any SpendQL period literal; the report's period is the one of its kind
    /// holding the literal's last day. Default: the latest complete period.
    pub period: Option<String>,
    /// `--param NAME=VALUE` overrides.
    pub params: Vec<(String, String)>,
    /// Refuse a file with no `report` line (`spendql report`); `spendql run` allows it.
    pub require_report: bool,
    /// Let Ctrl-C stop a query and keep the process (the REPL).
    pub cancel_on_ctrl_c: bool,
}

/// The parameters a report sets for its queries: its period, the one before, and the same
/// period last year, as periods (`where date in $period`).
pub const PERIOD_PARAMS: [&str; 3] = ["period", "previous_period", "last_year_period"];

/// Run a report file (or any query file: KPIs in a file with no `report` line are for the
/// latest complete financial quarter) and return everything it produced, in file order.
pub fn run_report(engine: &mut Engine, path: &Path, options: &ReportOptions) -> Result<ReportOutput> {
    let mut state =
        State { options, declared: None, periods: None, blocks: Vec::new(), notes: Vec::new(), councils: None };
    let cancel = if options.cancel_on_ctrl_c { Cancel::OnCtrlC } else { Cancel::Never };
    engine.visit_file(path, &options.params, cancel, &mut |engine, item| state.visit(engine, item))?;
    if options.require_report && state.declared.is_none() {
        return Err(Error::usage(format!("{} is not a report: it has no `report` line", path.display())).with_hint(
            "start it with `report monthly \"Title\"`, `report quarterly \"Title\"` or `report yearly \"Title\"`; `spendql run` runs any query file",
        ));
    }
    let (title, kind) = state.declared.clone().unwrap_or_else(|| (String::new(), ReportKind::Quarter));
    let periods = match state.periods.clone() {
        Some(p) => Some(p),
        None if state.declared.is_some() => Some(state.choose_periods(engine, kind)?),
        None => None,
    };
    let as_of = if periods.is_some() { engine.as_of().ok() } else { None };
    let (period, previous, last_year) = match &periods {
        Some(p) => (period::info(kind, p.current), period::info(kind, p.previous), period::info(kind, p.last_year)),
        None => {
            let day = as_of.unwrap_or_default();
            let empty = PeriodInfo { label: String::new(), start: day, end: day };
            (empty.clone(), empty.clone(), empty)
        }
    };
    let loaded = if state.declared.is_some() { loaded(engine)? } else { Vec::new() };
    Ok(ReportOutput {
        title,
        kind,
        period,
        previous,
        last_year,
        as_of: as_of.unwrap_or_default(),
        loaded,
        blocks: state.blocks,
        notes: state.notes,
    })
}

struct State<'o> {
    options: &'o ReportOptions,
    declared: Option<(String, ReportKind)>,
    periods: Option<Periods>,
    blocks: Vec<Block>,
    notes: Vec<String>,
    /// The councils the data holds, read once for every KPI's per-council targets.
    councils: Option<Vec<String>>,
}

impl State<'_> {
    fn visit(&mut self, engine: &mut Engine, item: FileItem<'_>) -> Result<()> {
        match item {
            FileItem::Report { kind, title } => {
                if self.declared.is_some() || self.periods.is_some() {
                    return Err(Error::new(
                        crate::ErrorKind::Semantic,
                        "a report has one `report` line, before its KPIs",
                    )
                    .with_hint("keep the first; include files should not declare a report"));
                }
                let kind = match kind {
                    ast::ReportKind::Monthly => ReportKind::Month,
                    ast::ReportKind::Quarterly => ReportKind::Quarter,
                    ast::ReportKind::Yearly => ReportKind::Year,
                };
                self.declared = Some((title.to_string(), kind));
                let periods = self.choose_periods(engine, kind)?;
                self.set_period_params(engine, &periods);
                self.periods = Some(periods);
            }
            FileItem::Section { title } => self.blocks.push(Block::Section { title: title.to_string() }),
            FileItem::Kpi { kpi, measure_text } => {
                let periods = match &self.periods {
                    Some(p) => p.clone(),
                    None => {
                        let p = self.choose_periods(engine, ReportKind::Quarter)?;
                        self.notes.push(format!(
                            "this file has no `report` line: its KPIs are for the financial quarter {}",
                            period::label(ReportKind::Quarter, p.current.start)
                        ));
                        self.periods = Some(p.clone());
                        p
                    }
                };
                if self.councils.is_none() {
                    self.councils = Some(kpi::councils_in_data(engine)?);
                }
                let council_notes = kpi::check_target_councils(self.councils.as_deref().unwrap_or_default(), kpi)?;
                self.notes.extend(council_notes);
                let text = measure_text.split_whitespace().collect::<Vec<_>>().join(" ");
                let result = match evaluate(engine, kpi, &periods, text.clone()) {
                    // A metric not loaded leaves a gap in the report, said in its notes (with
                    // the near names a misspelling would get), not a failed report.
                    Err(err) if err.kind == crate::ErrorKind::UnknownName && kpi::is_metric(kpi) => {
                        let hints =
                            if err.hints.is_empty() { String::new() } else { format!(" ({})", err.hints.join("; ")) };
                        self.notes.push(format!("{}: {}, so it has no figures{hints}", kpi.name.node, err.message));
                        kpi::without_figures(kpi, &periods, text)?
                    }
                    other => other?,
                };
                let noted = self.notes.last().is_some_and(|n| n.starts_with(&format!("{}: ", kpi.name.node)));
                if result.rows.iter().all(|r| r.current.is_none()) && !noted {
                    self.notes.push(format!(
                        "{}: no data in {}",
                        result.name,
                        period::label(periods.kind, periods.current.start)
                    ));
                }
                match self.blocks.last_mut() {
                    Some(Block::Kpis(kpis)) => kpis.push(result),
                    _ => self.blocks.push(Block::Kpis(vec![result])),
                }
            }
            // In a plain query file a query that cannot run is an error, as ever.
            FileItem::Unavailable { error, .. } if self.declared.is_none() => return Err(error),
            FileItem::Unavailable { title, error } => {
                let hints =
                    if error.hints.is_empty() { String::new() } else { format!(" ({})", error.hints.join("; ")) };
                self.notes.push(format!("{title}: {}, so it is left out{hints}", error.message));
            }
            FileItem::Query { title, result } => {
                let chart = result.chart;
                self.blocks.push(Block::Query { title: title.to_string(), result, chart });
            }
        }
        Ok(())
    }

    /// The report's periods: `--period`'s, or the latest complete one.
    fn choose_periods(&mut self, engine: &Engine, kind: ReportKind) -> Result<Periods> {
        let as_of = engine.as_of()?;
        let first = engine.first_date()?;
        let covered = DateRange { start: first, end: as_of.succ_opt().unwrap_or(as_of) };
        let current = match &self.options.period {
            None => default_period(kind, as_of),
            Some(text) => {
                let range = period_literal(text, as_of)?;
                let current = containing(kind, range.last_day());
                if current != range {
                    self.notes.push(format!(
                        "--period {text} is taken as {}, the {} holding its last day",
                        period::label(kind, current.start),
                        kind.word()
                    ));
                }
                current
            }
        };
        Ok(Periods::new(kind, current, covered))
    }

    /// `$period` and friends for the queries that follow, unless `--param` gave them.
    fn set_period_params(&self, engine: &mut Engine, periods: &Periods) {
        let ranges = [periods.current, periods.previous, periods.last_year];
        for (name, range) in PERIOD_PARAMS.iter().zip(ranges) {
            if self.options.params.iter().any(|(n, _)| n.trim_start_matches('$') == *name) {
                continue;
            }
            engine.params.insert((*name).to_string(), period_operand(periods.kind, range));
        }
    }
}

/// A period of the report's kind as a value a query can test (`date in $period`).
fn period_operand(kind: ReportKind, range: DateRange) -> Operand {
    use chrono::Datelike;
    let (year, month) = (range.start.year(), range.start.month());
    let kind = match kind {
        ReportKind::Month => PeriodKind::Month { year, month },
        // A financial quarter starts when a calendar quarter does.
        ReportKind::Quarter => PeriodKind::Quarter { year, quarter: (month - 1) / 3 + 1 },
        ReportKind::Year => PeriodKind::FinancialYear { start_year: year },
    };
    Operand::Period(Period { kind, span: 0..0 })
}

/// `--period`'s text as dates: any period literal (`2024Q3`, `FY2024/25`, `2024-06`,
/// `previous quarter`).
fn period_literal(text: &str, as_of: NaiveDate) -> Result<DateRange> {
    let not_a_period = || {
        Error::usage(format!("--period {text} is not a period"))
            .with_hint("write a period such as 2024-06, 2024Q3, FY2024/25 or `previous quarter`")
    };
    let period = match crate::syntax::parse_operand(text) {
        Ok(Operand::Period(p)) => p,
        Ok(Operand::Literal(Spanned { node: Literal::Number { value, money: false }, .. })) => {
            // A bare year is the calendar year, as after `in`.
            let year: i32 = value.parse().map_err(|_| not_a_period())?;
            Period { kind: PeriodKind::Year { year }, span: 0..0 }
        }
        _ => return Err(not_a_period()),
    };
    crate::semantic::period::resolve(&period.kind, as_of).ok_or_else(not_a_period)
}

fn words(text: &str) -> Name {
    Name { words: text.split(' ').map(|w| Spanned::new(w.to_string(), 0..0)).collect(), span: 0..0 }
}

/// What the dataset holds, per table and council: rows, first and last dates.
fn loaded(engine: &Engine) -> Result<Vec<LoadedSummary>> {
    use crate::schema::Table;
    let mut out = Vec::new();
    for (table, measure) in [(Table::Spend, "transactions"), (Table::Contracts, "contracts")] {
        if !engine.has_table(table) {
            continue;
        }
        let q =
            kpi::query(vec![ast::Measure::Named(words(measure))], vec![words("council"), words("date")], None, &(0..0));
        let resolved = engine.resolve_with(&q, &engine.definitions)?;
        let result = engine.run_resolved(&resolved, Cancel::Never)?;
        let mut per_council: BTreeMap<Option<String>, (u64, Option<NaiveDate>, Option<NaiveDate>)> = BTreeMap::new();
        for (council, date, rows) in loaded_rows(&result) {
            let entry = per_council.entry(council).or_insert((0, None, None));
            entry.0 += rows;
            if let Some(d) = date {
                entry.1 = Some(entry.1.map_or(d, |e: NaiveDate| e.min(d)));
                entry.2 = Some(entry.2.map_or(d, |e: NaiveDate| e.max(d)));
            }
        }
        for (council, (rows, first, last)) in per_council {
            out.push(LoadedSummary { table: table.name().to_string(), council, rows, first, last });
        }
    }
    out.extend(loaded_metrics(engine)?);
    Ok(out)
}

/// The metrics figures loaded, per council (none: the whole service), with the first
/// period's start and the last period's end: read through the dataset's one table reader,
/// as the language has no count of figures.
fn loaded_metrics(engine: &Engine) -> Result<Vec<LoadedSummary>> {
    use crate::schema::{Table, metrics as m};
    let mut per_council: BTreeMap<Option<String>, (u64, Option<NaiveDate>, Option<NaiveDate>)> = BTreeMap::new();
    let reader = engine.snapshot().reader(Table::Metrics);
    for batch in reader.batches(Some(&[m::COUNCIL, m::PERIOD_START, m::PERIOD_END])) {
        let batch = batch?;
        let council = batch.text(m::COUNCIL)?;
        let (start, end) = (batch.required_date(m::PERIOD_START)?, batch.required_date(m::PERIOD_END)?);
        for i in 0..batch.num_rows() {
            let entry = per_council.entry(council.get(i).map(str::to_string)).or_insert((0, None, None));
            entry.0 += 1;
            if let Some(d) = crate::dates::date_from_days(start.value(i)) {
                entry.1 = Some(entry.1.map_or(d, |e: NaiveDate| e.min(d)));
            }
            if let Some(d) = crate::dates::date_from_days(end.value(i)) {
                entry.2 = Some(entry.2.map_or(d, |e: NaiveDate| e.max(d)));
            }
        }
    }
    Ok(per_council
        .into_iter()
        .map(|(council, (rows, first, last))| LoadedSummary {
            table: Table::Metrics.name().to_string(),
            council,
            rows,
            first,
            last,
        })
        .collect())
}

fn loaded_rows(result: &QueryResult) -> Vec<(Option<String>, Option<NaiveDate>, u64)> {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::{DataType, Date32Type, Int64Type};
    let mut rows = Vec::new();
    for batch in &result.batches {
        let council = datafusion::arrow::compute::cast(batch.column(0), &DataType::Utf8).ok();
        let (Some(date), Some(count)) =
            (batch.column(1).as_primitive_opt::<Date32Type>(), batch.column(2).as_primitive_opt::<Int64Type>())
        else {
            continue;
        };
        for i in 0..batch.num_rows() {
            let council = council.as_ref().and_then(|c| {
                let c = c.as_string::<i32>();
                (!c.is_null(i)).then(|| c.value(i).to_string())
            });
            let day = if date.is_null(i) { None } else { crate::dates::date_from_days(date.value(i)) };
            rows.push((council, day, u64::try_from(count.value(i)).unwrap_or(0)));
        }
    }
    rows
}
