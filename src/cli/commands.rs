//! One function per subcommand: open what it needs, call the library, and hand what it
//! produced to the one printer ([`PrintOptions`]). Policy about formats and destinations
//! lives in [`crate::output`]; these functions only fill in what the command line said.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::args::{Cli, Command, DEFAULT_DATASET, OutputArgs};
use super::failure::Failure;
use super::stdout::{Stdout, terminal_width};
use crate::catalog::{Dataset, SourceKind};
use crate::exec::{Cancel, Engine, QueryResult};
use crate::output::{PrintOptions, Report, ResultSet};
use crate::{Error, check, generate, ingest, repl, report, suppliers, workplan};

/// Run the parsed command line, writing results to `out`.
pub fn run(cli: Cli, out: &mut Stdout) -> Result<(), Failure> {
    let named = cli.dataset.clone();
    let dataset = Dataset::new(named.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DATASET)));
    match cli.command {
        Some(Command::Ingest { council, kind, profile, max_reject_rate, files }) => {
            ingest(&dataset, council, kind, profile, max_reject_rate, &files, out)?;
        }
        Some(Command::Generate { out: folder, rows, seed }) => generate(folder, rows, seed, out)?,
        Some(Command::Query { output, timing, as_of, query }) => {
            run_query(&dataset, &output, timing, as_of, &query, out)?;
        }
        Some(Command::Sql { output, timing, sql }) => run_sql(&dataset, &output, timing, &sql, out)?,
        Some(Command::Explain { sql, as_of, query }) => explain(&dataset, sql, as_of, &query, out)?,
        Some(Command::Run { output, timing, params, as_of, file }) => {
            run_file(&dataset, &output, timing, &params, as_of, &file, out)?;
        }
        Some(Command::Report { period, params, output, file }) => {
            run_report(&dataset, period, params, output.as_deref(), &file, out)?;
        }
        Some(Command::Check { output, failures, fail_under }) => {
            run_check(&dataset, &output, failures.as_deref(), fail_under, out)?;
        }
        Some(Command::Suppliers { unmatched, output, limit }) => {
            run_suppliers(&dataset, unmatched, &output, limit, out)?;
        }
        Some(Command::Workplan { months, officers, as_of, output }) => {
            run_workplan(&dataset, months, officers, as_of, &output, out)?;
        }
        Some(Command::Demo { sample }) => demo(named, sample, out)?,
        Some(Command::Link) => ingest::relink_dataset(&dataset, out).map(|_| ())?,
        Some(Command::Classify) => ingest::classify_dataset(&dataset, out).map(|_| ())?,
        Some(Command::Categories { unmapped, output, limit }) => {
            run_categories(&dataset, unmapped, &output, limit, out)?;
        }
        Some(Command::Upgrade) => ingest::upgrade_dataset(&dataset, out)?,
        Some(Command::Repl { history, as_of }) => {
            repl::run_repl(Engine::open(&dataset)?, repl::ReplOptions { history, as_of })?;
        }
        None if std::io::stdin().is_terminal() => {
            let history = std::env::var_os("SPENDQL_HISTORY").map(PathBuf::from);
            repl::run_repl(Engine::open(&dataset)?, repl::ReplOptions { history, as_of: None })?;
        }
        None => return Err(Error::usage("no command given; see `spendql --help`").into()),
    }
    Ok(())
}

/// The printer for `--format`/`--output`, at the terminal's width.
fn print_options(args: &OutputArgs, out: &Stdout) -> Result<PrintOptions, Error> {
    let terminal = out.is_terminal();
    Ok(PrintOptions::choose(args.format, args.output.clone(), terminal)?.with_width(terminal_width(terminal)))
}

/// `--timing` asks for the time; a table on a terminal shows it anyway, on stderr.
fn timing(options: &PrintOptions, asked: bool, out: &Stdout) -> bool {
    asked
        || (options.output.is_none()
            && options.format.is_screen()
            && out.is_terminal()
            && std::io::stderr().is_terminal())
}

fn print(options: &PrintOptions, report: &Report, out: &mut Stdout) -> Result<(), Error> {
    options.print(report, out, &mut std::io::stderr())
}

/// A query's result as the printer takes it, titled by what was asked.
fn result_set(result: QueryResult, title: &str) -> ResultSet {
    ResultSet::from(result).titled(title)
}

fn ingest(
    dataset: &Dataset,
    council: Option<String>,
    kind: SourceKind,
    profile: Option<PathBuf>,
    max_reject_rate: f64,
    files: &[PathBuf],
    out: &mut Stdout,
) -> Result<(), Error> {
    let options = ingest::IngestOptions {
        council: council.unwrap_or_default(),
        kind,
        profile,
        progress: std::io::stderr().is_terminal(),
        max_reject_rate,
    };
    ingest::ingest_files(dataset, files, &options, out).map(|_| ())
}

fn generate(folder: PathBuf, rows: u64, seed: u64, out: &mut Stdout) -> Result<(), Error> {
    let files = generate::generate(&generate::GenerateOptions { out: folder, rows, seed })?;
    for f in files {
        writeln!(out, "{:<10} {:<9} {:>9} rows  {}", f.council, f.kind.name(), f.rows, f.path.display())
            .map_err(|e| Error::io("cannot write output", e))?;
    }
    Ok(())
}

/// The engine over the dataset, with relative periods counted back from `as_of` if given.
fn engine_as_of(dataset: &Dataset, as_of: Option<chrono::NaiveDate>) -> Result<Engine, Error> {
    let mut engine = Engine::open(dataset)?;
    engine.set_as_of(as_of);
    Ok(engine)
}

/// How to print a command's results, with `--timing` where the destination shows it.
fn timed_print_options(output: &OutputArgs, asked_timing: bool, out: &Stdout) -> Result<PrintOptions, Error> {
    let options = print_options(output, out)?;
    let timing = timing(&options, asked_timing, out);
    Ok(options.with_timing(timing))
}

fn run_query(
    dataset: &Dataset,
    output: &OutputArgs,
    asked_timing: bool,
    as_of: Option<chrono::NaiveDate>,
    query: &str,
    out: &mut Stdout,
) -> Result<(), Failure> {
    let options = timed_print_options(output, asked_timing, out)?;
    let engine = engine_as_of(dataset, as_of)?;
    let result = engine.query(query, Cancel::Never).map_err(|e| Failure::new(e, &engine))?;
    Ok(print(&options, &Report::of(vec![result_set(result, query)]), out)?)
}

fn run_sql(
    dataset: &Dataset,
    output: &OutputArgs,
    asked_timing: bool,
    sql: &str,
    out: &mut Stdout,
) -> Result<(), Error> {
    let options = timed_print_options(output, asked_timing, out)?;
    let result = Engine::open(dataset)?.sql(sql, Cancel::Never)?;
    print(&options, &Report::of(vec![result_set(result, "SQL")]), out)
}

fn explain(
    dataset: &Dataset,
    sql: bool,
    as_of: Option<chrono::NaiveDate>,
    query: &str,
    out: &mut Stdout,
) -> Result<(), Failure> {
    let engine = engine_as_of(dataset, as_of)?;
    let text = engine.explain(query, sql).map_err(|e| Failure::new(e, &engine))?;
    write!(out, "{text}").map_err(|e| Error::io("cannot write output", e))?;
    Ok(())
}

/// The results of a query file: titled on stdout, one worksheet each in a workbook, or one
/// file each (`report-1-spend-by-council.csv`) for other `--output` formats.
fn run_file(
    dataset: &Dataset,
    output: &OutputArgs,
    asked_timing: bool,
    params: &[(String, String)],
    as_of: Option<chrono::NaiveDate>,
    file: &Path,
    out: &mut Stdout,
) -> Result<(), Failure> {
    let options = timed_print_options(output, asked_timing, out)?;
    let mut engine = engine_as_of(dataset, as_of)?;
    // Through the report runner, so a report file's KPIs print as tables among its queries.
    let run = report::ReportOptions { params: params.to_vec(), ..report::ReportOptions::default() };
    let output = report::run_report(&mut engine, file, &run).map_err(|e| Failure::new(e, &engine))?;
    let results = report::flat_results(&output).into_iter().map(|(title, result)| result_set(result, &title)).collect();
    let notes = output.notes.clone();
    Ok(print(&options, &Report { show_titles: true, notes, ..Report::of(results) }, out)?)
}

/// A report: its tables on the terminal, or the whole of it in one file through
/// [`crate::pages::write_report`].
fn run_report(
    dataset: &Dataset,
    period: Option<String>,
    params: Vec<(String, String)>,
    output: Option<&Path>,
    file: &Path,
    out: &mut Stdout,
) -> Result<(), Failure> {
    let mut engine = Engine::open(dataset)?;
    let options = report::ReportOptions { period, params, require_report: true, cancel_on_ctrl_c: false };
    let produced = report::run_report(&mut engine, file, &options).map_err(|e| Failure::new(e, &engine))?;
    if let Some(path) = output {
        crate::pages::write_report(&produced, path)?;
        writeln!(out, "Wrote the report to {}", path.display()).map_err(|e| Error::io("cannot write output", e))?;
        return Ok(());
    }
    let terminal = out.is_terminal();
    let options =
        PrintOptions::choose(Some(crate::output::Format::Table), None, terminal)?.with_width(terminal_width(terminal));
    for block in report::terminal_blocks(&produced) {
        let results = block.tables.into_iter().map(|(title, result)| result_set(result, &title)).collect();
        let before = block.lines.into_iter().map(crate::output::Part::Line).collect();
        print(&options, &Report { show_titles: true, before, ..Report::of(results) }, out)?;
    }
    Ok(())
}

fn run_check(
    dataset: &Dataset,
    output: &OutputArgs,
    failures: Option<&Path>,
    fail_under: Option<f64>,
    out: &mut Stdout,
) -> Result<(), Error> {
    let options = print_options(output, out)?;
    let report = check::check_dataset(dataset, failures)?;
    print(&options, &report.to_output(), out)?;
    fail_under.map_or(Ok(()), |pct| report.enforce_minimum(pct))
}

fn run_suppliers(
    dataset: &Dataset,
    unmatched: bool,
    output: &OutputArgs,
    limit: Option<usize>,
    out: &mut Stdout,
) -> Result<(), Error> {
    let options = print_options(output, out)?;
    let batch = suppliers::report::suppliers_report(dataset, unmatched, limit)?;
    let title = if unmatched { "Likely duplicates" } else { "Suppliers" };
    print(&options, &Report::of(vec![ResultSet::from_batch(batch).titled(title)]), out)
}

fn run_categories(
    dataset: &Dataset,
    unmapped: bool,
    output: &OutputArgs,
    limit: Option<usize>,
    out: &mut Stdout,
) -> Result<(), Error> {
    if !unmapped {
        return Err(Error::usage(
            "`spendql categories` lists values to map: add --unmapped (the harmonised categories themselves: `spendql query \"spend by category\"`)",
        ));
    }
    let options = print_options(output, out)?;
    let batch = crate::classify::report::unmapped_report(dataset, limit)?;
    print(&options, &Report::of(vec![ResultSet::from_batch(batch).titled("Council values to map")]), out)
}

fn run_workplan(
    dataset: &Dataset,
    months: u32,
    officers_file: Option<PathBuf>,
    as_of: Option<chrono::NaiveDate>,
    output: &OutputArgs,
    out: &mut Stdout,
) -> Result<(), Error> {
    let options = print_options(output, out)?;
    let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let plan = workplan::build_workplan(dataset, &workplan::WorkplanOptions { as_of, months, officers_file })?;
    print(&options, &workplan::report(&plan, options.format), out)
}

/// The demo makes its own fresh dataset unless one is named (`--dataset`, `SPENDQL_DATASET`).
fn demo(named: Option<PathBuf>, sample: Option<PathBuf>, out: &mut Stdout) -> Result<(), Error> {
    let sample = sample.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/sample"));
    let dataset_dir = named.unwrap_or_else(|| PathBuf::from("spendql-demo"));
    let width = terminal_width(out.is_terminal());
    crate::demo::run_demo(&sample, &dataset_dir, width, out)?;
    // The managers' reports on the sample, as pages beside the dataset's own files.
    let queries = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("queries");
    let mut engine = Engine::open(&Dataset::new(&dataset_dir))?;
    writeln!(out).map_err(|e| Error::io("cannot write output", e))?;
    for (file, page, what) in DEMO_REPORTS {
        let options = report::ReportOptions { require_report: true, ..report::ReportOptions::default() };
        let produced = report::run_report(&mut engine, &queries.join(file), &options)?;
        let path = dataset_dir.join(page);
        crate::pages::write_html(&produced, &path)?;
        writeln!(out, "Wrote {what} to {}", path.display()).map_err(|e| Error::io("cannot write output", e))?;
    }
    Ok(())
}

/// The shipped reports `spendql demo` writes as HTML into the demo dataset's folder.
pub const DEMO_REPORTS: &[(&str, &str, &str)] = &[
    ("scorecard.spql", "scorecard.html", "the quarterly balanced scorecard"),
    ("monthly.spql", "monthly.html", "the monthly performance report"),
];
