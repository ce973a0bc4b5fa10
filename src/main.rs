//! The `spendql` command line: argument parsing and dispatch to the library, nothing else.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use spendql::catalog::{Dataset, SourceKind};
use spendql::{Error, diagnostic, generate, ingest};

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
    /// Ingest the bundled sample into a fresh dataset and show what it holds.
    Demo {
        /// Where the sample files are (default: the repository's `datasets/sample`).
        #[arg(long)]
        sample: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let _ = diagnostic::render(&err, "query", None, color, &mut std::io::stderr());
            ExitCode::from(err.exit_code() as u8)
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
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
        Some(Command::Demo { sample }) => {
            let _ = sample;
            return Err(Error::usage("demo is not written yet"));
        }
        None => return Err(Error::usage("no command given; see `spendql --help`")),
    }
    Ok(())
}
