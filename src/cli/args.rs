//! The command line's grammar: clap types only, every choice typed (`--format` is a
//! [`Format`], `--kind` a [`SourceKind`]), so parsing, `--help` and the list of accepted
//! values in an error all come from one declaration.
#![allow(missing_docs, reason = "a clap field doc becomes --help text; each is still to write deliberately")]

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::catalog::SourceKind;
use crate::output::Format;

/// The dataset folder used when neither `--dataset` nor `SPENDQL_DATASET` names one.
pub const DEFAULT_DATASET: &str = "spendql-data";

#[derive(Debug, Parser)]
#[command(name = "spendql", version, about = "Analytics over councils' published spend and contracts data")]
pub struct Cli {
    /// The dataset folder [default: spendql-data].
    #[arg(long, global = true, env = "SPENDQL_DATASET")]
    pub dataset: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load published files (CSV, CSV.GZ, ZIP, XLSX) into the dataset.
    Ingest {
        /// The council that published the files, e.g. Trafford. Required for spend, card
        /// and contracts files; for metrics, the council every figure belongs to unless the
        /// file has a council column (without either, a figure is the whole service's).
        #[arg(long)]
        council: Option<String>,
        #[arg(long, value_enum, default_value = "spend")]
        kind: SourceKind,
        /// A TOML file overriding the detected column mapping.
        #[arg(long)]
        profile: Option<PathBuf>,
        /// The share of a file's rows (0 to 1) that may be rejected; past it, or when a file
        /// loads nothing, the ingest fails and nothing is committed.
        #[arg(long, value_name = "RATE", default_value_t = crate::ingest::DEFAULT_MAX_REJECT_RATE, value_parser = reject_rate, allow_negative_numbers = true)]
        max_reject_rate: f64,
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
        /// Print the engine time (parse, plan and run) on stderr.
        #[arg(long)]
        timing: bool,
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
        /// Print the engine time on stderr.
        #[arg(long)]
        timing: bool,
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
        /// Print each query's engine time on stderr.
        #[arg(long)]
        timing: bool,
        /// Override a `param` of the file, e.g. --param month=2021-06 (repeatable).
        #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param_arg)]
        params: Vec<(String, String)>,
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        file: PathBuf,
    },
    /// Run a report file (.spql with a `report` line): its KPIs for a period, the previous
    /// period and the same period last year, per council and for the service, against their
    /// targets, with its sections and queries.
    Report {
        /// The period to report on: any period (2024-06, 2024Q3, FY2024/25, "previous
        /// quarter"); the report's month, quarter or year holding its last day
        /// [default: the latest complete one].
        #[arg(long)]
        period: Option<String>,
        /// Override a `param` of the file, e.g. --param council=Rochdale (repeatable).
        #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param_arg)]
        params: Vec<(String, String)>,
        /// Write the report to FILE.html or FILE.xlsx instead of printing its tables.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
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
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Report, per council and field, records missing what the Local Government
    /// Transparency Code 2015 requires.
    Check {
        #[command(flatten)]
        output: OutputArgs,
        /// Also write every failing record to this CSV file.
        #[arg(long, value_name = "FILE.csv")]
        failures: Option<PathBuf>,
        /// Exit with code 1 when any council's overall compliance is below PCT percent.
        #[arg(long, value_name = "PCT", value_parser = parse_percent)]
        fail_under: Option<f64>,
    },
    /// List suppliers with their keys, or (--unmatched) likely duplicates to confirm in
    /// DATASET/suppliers.toml.
    Suppliers {
        /// Pairs of distinct suppliers that look like one company, with the evidence and a
        /// ready-to-paste suppliers.toml line.
        #[arg(long)]
        unmatched: bool,
        #[command(flatten)]
        output: OutputArgs,
        /// At most this many rows (the most spend first).
        #[arg(long)]
        limit: Option<usize>,
    },
    /// List the council values carrying the most unclassified or weakly classified spend
    /// (--unmapped), with a proposed ProClass code and a ready DATASET/categories.toml line.
    Categories {
        /// The values to map: the most unclassified spend first, then the most weakly
        /// classified (by supplier or words).
        #[arg(long)]
        unmapped: bool,
        #[command(flatten)]
        output: OutputArgs,
        /// At most this many rows.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Classify every payment and contract into ProClass again (after editing categories.toml).
    Classify,
    /// Ingest the bundled sample into a fresh dataset and show what it holds.
    Demo {
        /// Where the sample files are (default: the repository's `datasets/sample`).
        #[arg(long)]
        sample: Option<PathBuf>,
    },
    /// Recompute which contract covers each payment (after editing suppliers.toml).
    Link,
    /// Rewrite a dataset made by an older spendql in the current format, in one
    /// all-or-nothing step (ingest does it too; other commands refuse such a dataset).
    Upgrade,
}

/// Where and how a command's results are printed; the same for every command that prints.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// The output format [default: --output's extension, else table on a terminal, csv when piped].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write to a file; its extension picks the format unless --format is given.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

fn parse_param_arg(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_string(), value.to_string())),
        _ => Err(format!("expected NAME=VALUE, e.g. month=2021-06, not '{text}'")),
    }
}

fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(pct) if (0.0..=100.0).contains(&pct) => Ok(pct),
        _ => Err(format!("a percentage from 0 to 100, not '{text}'")),
    }
}

/// `--max-reject-rate`: a share from 0 to 1.
fn reject_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("'{text}' is not a share from 0 to 1 (0.05 allows 5% of a file's rows to be rejected)")),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_printing_command_takes_the_same_formats() {
        for command in ["query", "sql", "run", "check", "workplan", "suppliers"] {
            let cli = Cli::command();
            let sub = cli.find_subcommand(command).unwrap();
            let format = sub.get_arguments().find(|a| a.get_id() == "format").unwrap();
            let values: Vec<String> = format.get_possible_values().iter().map(|v| v.get_name().to_string()).collect();
            assert_eq!(values, ["table", "csv", "json", "ndjson", "parquet", "xlsx", "svg", "png"], "{command}");
        }
    }

    #[test]
    fn fail_under_is_a_percentage() {
        assert_eq!(parse_percent("25"), Ok(25.0));
        assert!(parse_percent("101").is_err());
        assert!(parse_percent("-1").is_err());
        assert!(parse_percent("lots").is_err());
    }
}
