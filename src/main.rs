//! The `spendql` command line: argument parsing and dispatch to the library, nothing else.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use spendql::catalog::{Dataset, SourceKind};
use spendql::exec::{Cancel, Engine, QueryResult};
use spendql::output::{self, Format, chart};
use spendql::sources::Sources;
use spendql::{Error, diagnostic, generate, ingest, repl};

#[derive(Parser)]
#[command(name = "spendql", version, about = "Analytics over councils' published spend and contracts data")]
struct Cli {
    /// The dataset folder.
    #[arg(long, global = true, env = "SPENDQL_DATASET", default_value = "spendql-data")]
    dataset: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
    Spend,
    Card,
    Contracts,
}

#[derive(Subcommand)]
enum Command {
    /// Load published files (CSV, CSV.GZ, ZIP, XLSX) into the dataset.
    Ingest {
        /// The council that published the files, e.g. Trafford.
        #[arg(long)]
        council: String,
        #[arg(long, value_enum, default_value = "spend")]
        kind: KindArg,
        /// A TOML file overriding the detected column mapping.
        #[arg(long)]
        profile: Option<PathBuf>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write deterministic synthetic published files for three councils.
    Generate {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 30_000)]
        rows: u64,
        #[arg(long, default_value_t = 2015)]
        seed: u64,
    },
    /// Run a SpendQL query.
    Query {
        #[command(flatten)]
        output: OutputArgs,
        /// The date relative periods count back from (default: the latest payment).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// The query, e.g. "spend by council where fy = FY2021/22".
        query: String,
    },
    /// Run raw DataFusion SQL over the dataset's tables (`spend`, `contracts`).
    Sql {
        #[command(flatten)]
        output: OutputArgs,
        sql: String,
    },
    /// Show what a query means, and its logical and physical plans.
    Explain {
        /// Also print equivalent SQL.
        #[arg(long)]
        sql: bool,
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        query: String,
    },
    /// Run a saved query file (.spql): every query in order, each with its title.
    Run {
        #[command(flatten)]
        output: OutputArgs,
        /// Override a `param` of the file, e.g. --param month=2021-06 (repeatable).
        #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param_arg)]
        params: Vec<(String, String)>,
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        file: PathBuf,
    },
    /// The interactive shell (the default on a terminal).
    Repl {
        /// Where to keep history [default: $XDG_STATE_HOME/spendql/history or ~/.spendql_history].
        #[arg(long, env = "SPENDQL_HISTORY")]
        history: Option<PathBuf>,
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Propose which procurement officer re-procures each contract expiring in the coming months.
    Workplan {
        /// How many months ahead to look, from --as-of.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=600))]
        months: u32,
        /// A CSV of officers (name, categories, councils, max_contracts, max_value)
        /// [default: the officers named in the register].
        #[arg(long)]
        officers: Option<PathBuf>,
        /// The first day of the window [default: today].
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// Write the plan to FILE.csv or FILE.xlsx instead of printing it.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Report, per council and field, records missing what the Local Government
    /// Transparency Code 2015 requires.
    Check {
        /// table (default on a terminal), csv (default when piped) or json.
        #[arg(long)]
        format: Option<String>,
        /// Also write every failing record to this CSV file.
        #[arg(long, value_name = "FILE.csv")]
        failures: Option<PathBuf>,
        /// Exit with code 1 when any council's overall compliance is below PCT percent.
        #[arg(long, value_name = "PCT")]
        fail_under: Option<f64>,
    },
    /// List suppliers with their keys, or (--unmatched) likely duplicates to confirm in
    /// DATASET/suppliers.toml.
    Suppliers {
        /// Pairs of distinct suppliers that look like one company, with the evidence and a
        /// ready-to-paste suppliers.toml line.
        #[arg(long)]
        unmatched: bool,
        /// table (default on a terminal), csv (default when piped), json, ndjson.
        #[arg(long)]
        format: Option<String>,
        /// At most this many rows (the most spend first).
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Ingest the bundled sample into a fresh dataset and show what it holds.
    Demo {
        /// Where the sample files are (default: the repository's `datasets/sample`).
        #[arg(long)]
        sample: Option<PathBuf>,
    },
    /// Recompute which contract covers each payment (after editing suppliers.toml).
    Link,
}

fn parse_param_arg(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_string(), value.to_string())),
        _ => Err(format!("expected NAME=VALUE, e.g. month=2021-06, not '{text}'")),
    }
}

#[derive(clap::Args)]
struct OutputArgs {
    /// table (default on a terminal), csv (default when piped), json, ndjson, parquet, xlsx.
    #[arg(long)]
    format: Option<String>,
    /// Write to a file; its extension picks the format unless --format is given.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Print the engine time (parse, plan and run) on stderr.
    #[arg(long)]
    timing: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let Err(Failure { error, sources }) = run(cli) else { return ExitCode::SUCCESS };
    let _ = diagnostic::render(&error, &sources, color, &mut std::io::stderr());
    ExitCode::from(error.exit_code() as u8)
}

/// An error, with the texts its span may point into (to draw the caret).
struct Failure {
    error: Box<Error>,
    sources: Sources,
}

impl Failure {
    fn new(error: Error, engine: &Engine) -> Failure {
        Failure { error: Box::new(error), sources: engine.sources() }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure { error: Box::new(e), sources: Sources::new() }
    }
}

/// The format asked for with `--format`, implied by `--output`'s extension, or suiting stdout.
fn chosen_format(args: &OutputArgs) -> Result<Format, Error> {
    Ok(match (&args.format, &args.output) {
        (Some(f), _) => Format::parse(f)?,
        (None, Some(path)) => Format::from_path(path).unwrap_or(Format::Csv),
        (None, None) if std::io::stdout().is_terminal() => Format::Table,
        (None, None) => Format::Csv,
    })
}

/// An `--output` ending in .svg or .png asks for the result's chart as an image.
fn is_image(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("svg") || e.eq_ignore_ascii_case("png"))
}

/// Print a result to stdout or to `--output`, in the chosen or implied format.
fn emit(result: &spendql::exec::QueryResult, title: &str, args: &OutputArgs) -> Result<(), Error> {
    if args.timing {
        eprintln!("Time: {:.6}s", result.elapsed.as_secs_f64());
    }
    let format = chosen_format(args)?;
    match &args.output {
        Some(path) if args.format.is_none() && is_image(path) => chart::write_image(result, title, path),
        Some(path) if format == Format::Xlsx => output::write_xlsx(&[(title.to_string(), result)], path),
        Some(path) => {
            let mut file =
                std::fs::File::create(path).map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
            output::write_result(result, format, None, &mut file)
        }
        None if format == Format::Parquet && std::io::stdout().is_terminal() => {
            Err(Error::usage("Parquet is binary and would garble the terminal").with_hint("add --output FILE.parquet"))
        }
        None => {
            let width = terminal_width();
            let mut stdout = std::io::stdout().lock();
            output::write_result(result, format, width, &mut stdout)?;
            if result.chart && format == Format::Table {
                chart::write_terminal_chart(result, width.unwrap_or(100), &mut stdout)?;
            }
            if format == Format::Table && !args.timing && std::io::stderr().is_terminal() {
                eprintln!("Time: {:.3}s", result.elapsed.as_secs_f64());
            }
            Ok(())
        }
    }
}

fn terminal_width() -> Option<u16> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).or(Some(120))
}

fn run(cli: Cli) -> Result<(), Failure> {
    // The demo makes its own fresh dataset unless one is named explicitly.
    let dataset_given = std::env::args_os().any(|a| a == "--dataset" || a.to_string_lossy().starts_with("--dataset="))
        || std::env::var_os("SPENDQL_DATASET").is_some();
    let dataset = Dataset::new(&cli.dataset);
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Some(Command::Ingest { council, kind, profile, files }) => {
            let kind = match kind {
                KindArg::Spend => SourceKind::Spend,
                KindArg::Card => SourceKind::Card,
                KindArg::Contracts => SourceKind::Contracts,
            };
            let options = ingest::IngestOptions { council, kind, profile, progress: std::io::stderr().is_terminal() };
            ingest::ingest_files(&dataset, &files, &options, &mut stdout)?;
        }
        Some(Command::Generate { out, rows, seed }) => {
            let files = generate::generate(&generate::GenerateOptions { out, rows, seed })?;
            for f in files {
                writeln!(stdout, "{:<10} {:<9} {:>9} rows  {}", f.council, f.kind.name(), f.rows, f.path.display())
                    .map_err(|e| Error::io("stdout", e))?;
            }
        }
        Some(Command::Query { output, as_of, query }) => {
            let mut engine = Engine::open(&dataset)?;
            engine.set_as_of(as_of);
            let result = engine.query(&query, Cancel::Never).map_err(|e| Failure::new(e, &engine))?;
            emit(&result, &query, &output)?;
        }
        Some(Command::Sql { output, sql }) => {
            let engine = Engine::open(&dataset)?;
            let result = engine.sql(&sql, Cancel::Never)?;
            emit(&result, "SQL", &output)?;
        }
        Some(Command::Explain { sql, as_of, query }) => {
            let mut engine = Engine::open(&dataset)?;
            engine.set_as_of(as_of);
            let text = engine.explain(&query, sql).map_err(|e| Failure::new(e, &engine))?;
            write!(stdout, "{text}").map_err(|e| Error::io("stdout", e))?;
        }
        Some(Command::Check { format, failures, fail_under }) => {
            run_check(&dataset, format.as_deref(), failures.as_deref(), fail_under, &mut stdout)?;
        }
        Some(Command::Demo { sample }) => {
            let sample = sample.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/sample"));
            let dataset_dir = if dataset_given { cli.dataset.clone() } else { PathBuf::from("spendql-demo") };
            spendql::demo::run_demo(&sample, &dataset_dir, terminal_width(), &mut stdout)?;
        }
        Some(Command::Run { output, params, as_of, file }) => {
            let mut engine = Engine::open(&dataset)?;
            engine.set_as_of(as_of);
            let results = engine.run_file(&file, &params).map_err(|e| Failure::new(e, &engine))?;
            emit_all(&results, &output)?;
        }
        Some(Command::Suppliers { unmatched, format, limit }) => suppliers(&dataset, unmatched, format, limit)?,
        Some(Command::Repl { history, as_of }) => {
            let engine = Engine::open(&dataset)?;
            repl::run_repl(engine, repl::ReplOptions { history, as_of })?;
        }
        Some(Command::Link) => {
            ingest::relink_dataset(&dataset, &mut stdout)?;
        }
        Some(Command::Workplan { months, officers, as_of, output }) => {
            run_workplan(&dataset, months, officers, as_of, output, &mut stdout)?;
        }
        None if std::io::stdin().is_terminal() => {
            let engine = Engine::open(&dataset)?;
            let history = std::env::var_os("SPENDQL_HISTORY").map(PathBuf::from);
            repl::run_repl(engine, repl::ReplOptions { history, as_of: None })?;
        }
        None => return Err(Error::usage("no command given; see `spendql --help`").into()),
    }
    Ok(())
}

/// `spendql workplan`: the plan to `--output` (CSV or XLSX) or as a table, then the summary.
fn run_workplan(
    dataset: &Dataset,
    months: u32,
    officers_file: Option<PathBuf>,
    as_of: Option<chrono::NaiveDate>,
    output: Option<PathBuf>,
    stdout: &mut dyn Write,
) -> Result<(), Error> {
    use spendql::workplan;
    if let Some(path) = &output {
        workplan::PlanFormat::from_path(path)?;
    }
    let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let plan = workplan::build_workplan(dataset, &workplan::WorkplanOptions { as_of, months, officers_file })?;
    let io = |e| Error::io("stdout", e);
    writeln!(stdout, "{}", workplan::window_line(&plan)).map_err(io)?;
    match &output {
        Some(path) => {
            workplan::write_file(&plan, path)?;
            writeln!(stdout, "Wrote the plan to {}", path.display()).map_err(io)?;
        }
        None => workplan::write_table(&plan, terminal_width(), &mut *stdout)?,
    }
    writeln!(stdout).map_err(io)?;
    workplan::write_summary(&plan, terminal_width(), stdout)
}

/// `spendql check`: the report on stdout, notes about absent tables on stderr for scripts.
fn run_check(
    dataset: &Dataset,
    format: Option<&str>,
    failures: Option<&std::path::Path>,
    fail_under: Option<f64>,
    out: &mut impl Write,
) -> Result<(), Error> {
    use spendql::check::{self, ReportFormat};
    let format = match format {
        Some(name) => ReportFormat::parse(name)?,
        None if std::io::stdout().is_terminal() => ReportFormat::Table,
        None => ReportFormat::Csv,
    };
    if let Some(pct) = fail_under.filter(|p| !(0.0..=100.0).contains(p)) {
        return Err(Error::usage(format!("--fail-under takes a percentage from 0 to 100, not {pct}")));
    }
    let report = check::check_dataset(dataset, failures)?;
    if format != ReportFormat::Table {
        report.notes().iter().for_each(|note| eprintln!("note: {note}"));
    }
    check::write_report(&report, format, terminal_width(), out)?;
    fail_under.map_or(Ok(()), |pct| report.enforce_minimum(pct))
}

/// `spendql suppliers [--unmatched]`: the library lays out the rows; they print like a query result.
fn suppliers(dataset: &Dataset, unmatched: bool, format: Option<String>, limit: Option<usize>) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let batch = spendql::suppliers::report::suppliers_report(dataset, unmatched, limit)?;
    let result = QueryResult { schema: batch.schema(), batches: vec![batch], elapsed: started.elapsed(), chart: false };
    emit(&result, "suppliers", &OutputArgs { format, output: None, timing: false })
}

/// The results of a query file: titled on stdout, one worksheet each in a workbook, or one
/// file each (`report-1-spend-by-council.csv`) for other `--output` formats.
fn emit_all(results: &[(String, QueryResult)], args: &OutputArgs) -> Result<(), Error> {
    let format = chosen_format(args)?;
    match &args.output {
        Some(path) if format == Format::Xlsx => {
            let sheets: Vec<(String, &QueryResult)> = results.iter().map(|(t, r)| (t.clone(), r)).collect();
            output::write_xlsx(&sheets, path)
        }
        Some(path) => {
            for (i, (title, result)) in results.iter().enumerate() {
                let one = OutputArgs {
                    format: args.format.clone(),
                    output: Some(numbered_path(path, i + 1, title)),
                    timing: args.timing,
                };
                emit(result, title, &one)?;
            }
            Ok(())
        }
        None => {
            for (i, (title, result)) in results.iter().enumerate() {
                let heading = if format == Format::Table {
                    format!("{}{title}", if i > 0 { "\n" } else { "" })
                } else {
                    // Keeps machine output splittable: every result starts at a `# ` line.
                    format!("# {title}")
                };
                println!("{heading}");
                let one = OutputArgs { format: Some(format.name().to_string()), output: None, timing: args.timing };
                emit(result, title, &one)?;
            }
            Ok(())
        }
    }
}

/// `out/report.csv`, 2, "Spend by council" → `out/report-2-spend-by-council.csv`.
fn numbered_path(path: &std::path::Path, n: usize, title: &str) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "result".into());
    let slug: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let ext = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    path.with_file_name(format!("{stem}-{n}-{slug}{ext}"))
}
