//! Running the REPL's psql-style meta-commands (parsed into a [`MetaCommand`] by
//! [`super::command`]), and the help topics `\h` shows. [`handle_meta`] is a plain function
//! over a [`Session`] writing to any `Write`, so every command is tested without a terminal.

use std::io::Write;

use crate::error::{Error, Result};
use crate::exec::Cancel;
use crate::output::chart;
use crate::schema::Table;
use crate::semantic::model;
use crate::syntax::ast::{Literal, Operand, PeriodKind, PeriodUnit};

use super::command::{AsOf, Command, MetaCommand, Param};
use super::help::TOPICS;
use super::session::{Action, Session, Sink};

fn io(e: std::io::Error) -> Error {
    Error::io("cannot write output", e)
}

/// Run one meta-command line (starting with `\`): parse it, then run it.
pub fn handle_meta(line: &str, session: &mut Session, out: &mut dyn Write) -> Result<Action> {
    line.parse::<MetaCommand>()?.execute(session, out)
}

impl MetaCommand {
    /// Run a parsed meta-command on the session, writing what it shows to `out`.
    pub fn execute(self, session: &mut Session, out: &mut dyn Write) -> Result<Action> {
        match self {
            MetaCommand::Quit => return Ok(Action::Quit),
            MetaCommand::ListCommands => {
                for command in Command::ALL {
                    writeln!(out, "  {:<32} {}", command.syntax(), command.description()).map_err(io)?;
                }
                writeln!(out, "Anything else is a query, e.g. spend by council. \\h for the language.").map_err(io)?;
            }
            MetaCommand::Describe(table) => describe(table, session, out)?,
            MetaCommand::Format(None) => writeln!(out, "format: {}", session.format.name()).map_err(io)?,
            MetaCommand::Format(Some(format)) => {
                session.format = format;
                writeln!(out, "format: {}", format.name()).map_err(io)?;
            }
            MetaCommand::Output(None) => {
                session.sink = Sink::Screen;
                writeln!(out, "results go to the screen").map_err(io)?;
            }
            MetaCommand::Output(Some((path, format))) => {
                session.open_sink(path.clone(), format)?;
                writeln!(out, "results go to {} ({})", path.display(), format.name()).map_err(io)?;
            }
            MetaCommand::Timing(on) => {
                session.timing = on.unwrap_or(!session.timing);
                writeln!(out, "Timing is {}.", if session.timing { "on" } else { "off" }).map_err(io)?;
            }
            MetaCommand::Explain(query) => {
                let text = session.engine.explain(&query, false)?;
                write!(out, "{text}").map_err(io)?;
            }
            MetaCommand::Include(path) => {
                let overrides = session.overrides.clone();
                // Through the report runner, so a report file's KPIs show as tables too.
                let run = crate::report::ReportOptions {
                    params: overrides,
                    cancel_on_ctrl_c: true,
                    ..crate::report::ReportOptions::default()
                };
                let report = crate::report::run_report(&mut session.engine, &path, &run)?;
                for note in &report.notes {
                    writeln!(out, "note: {note}").map_err(io)?;
                }
                for (title, result) in crate::report::flat_results(&report) {
                    session.show(Some(&title), result, out)?;
                }
            }
            MetaCommand::Set(None) | MetaCommand::Params => list_params(session, out)?,
            MetaCommand::Set(Some(Param { name, text, value })) => {
                session.engine.params.insert(name.clone(), value);
                session.overrides.retain(|(n, _)| *n != name);
                writeln!(out, "${name} = {text}").map_err(io)?;
                session.overrides.push((name, text));
            }
            MetaCommand::AsOf(AsOf::Show) => {
                let date = session.engine.as_of()?;
                writeln!(out, "as of {date}").map_err(io)?;
            }
            MetaCommand::AsOf(AsOf::Latest) => {
                session.engine.set_as_of(None);
                writeln!(out, "as of the latest payment").map_err(io)?;
            }
            MetaCommand::AsOf(AsOf::Date(date)) => {
                session.engine.set_as_of(Some(date));
                writeln!(out, "as of {date}").map_err(io)?;
            }
            MetaCommand::Chart => {
                let Some((_, result)) = &session.last else {
                    return Err(
                        Error::usage("no result to draw yet").with_hint("run a query first, e.g. spend by council")
                    );
                };
                chart::write_terminal_chart(result, session.width, out)?;
            }
            MetaCommand::Help(topic) => help(topic, out)?,
            MetaCommand::Sql(sql) => {
                let result = session.engine.sql(&sql, Cancel::OnCtrlC)?;
                session.show(None, result, out)?;
            }
        }
        Ok(Action::Continue)
    }
}

fn describe(table: Option<Table>, session: &Session, out: &mut dyn Write) -> Result<()> {
    if let Some(table) = table {
        writeln!(out, "{}: {}", table.name(), table.description()).map_err(io)?;
        for field in table.schema().fields() {
            let kind = match field.data_type() {
                datafusion::arrow::datatypes::DataType::Decimal128(18, 2) => "money (decimal 18,2)".to_string(),
                datafusion::arrow::datatypes::DataType::Utf8 => "text".to_string(),
                datafusion::arrow::datatypes::DataType::Date32 => "date".to_string(),
                datafusion::arrow::datatypes::DataType::Boolean => "yes/no".to_string(),
                other => other.to_string().to_lowercase(),
            };
            let null = if field.is_nullable() { "" } else { ", always present" };
            writeln!(out, "  {:<20} {kind}{null}", field.name()).map_err(io)?;
        }
        return Ok(());
    }
    writeln!(out, "Tables").map_err(io)?;
    for table in Table::ALL {
        // The engine always has a metrics table, empty until a metrics file is loaded.
        let loaded = session.engine.has_table(table)
            && (table != Table::Metrics || !session.engine.snapshot().table_files(table).is_empty());
        let state = if loaded { "" } else { " (no data loaded)" };
        writeln!(out, "  {:<20} {}{state}", table.name(), table.description()).map_err(io)?;
    }
    writeln!(out, "Measures").map_err(io)?;
    for m in model::MEASURES {
        writeln!(out, "  {:<20} {} [{}]", m.name, m.description, m.table.name()).map_err(io)?;
    }
    for (name, _, what) in model::MEASURE_SETS {
        writeln!(out, "  {name:<20} {what}").map_err(io)?;
    }
    let metric = &model::METRIC_MEASURE;
    writeln!(out, "  {:<20} {} [{}]", "metric \"NAME\"", metric.description, metric.table.name()).map_err(io)?;
    let mut defined: Vec<&str> = session.engine.definitions.measure_names().collect();
    defined.sort_unstable();
    for name in defined {
        writeln!(out, "  {name:<20} (defined in a query file)").map_err(io)?;
    }
    writeln!(out, "Modifiers").map_err(io)?;
    for (word, _, what) in model::MODIFIERS {
        writeln!(out, "  {word:<20} {what}").map_err(io)?;
    }
    writeln!(out, "Dimensions").map_err(io)?;
    for d in model::DIMENSIONS {
        let only = match d.tables {
            [only] => format!(" [{} only]", only.name()),
            _ => String::new(),
        };
        writeln!(out, "  {:<20} {}{only}", d.name, d.description).map_err(io)?;
    }
    writeln!(out, "Reports").map_err(io)?;
    for r in model::REPORTS {
        writeln!(out, "  {:<20} {}", r.name, r.description).map_err(io)?;
    }
    writeln!(out, "Fields (for where)").map_err(io)?;
    for f in model::FIELDS {
        writeln!(out, "  {:<20} {}", f.name, f.description).map_err(io)?;
    }
    Ok(())
}

fn list_params(session: &Session, out: &mut dyn Write) -> Result<()> {
    if session.engine.params.is_empty() {
        writeln!(out, "no parameters; set one with \\set NAME VALUE").map_err(io)?;
    }
    let mut names: Vec<&String> = session.engine.params.keys().collect();
    names.sort();
    for name in names {
        writeln!(out, "  ${name} = {}", operand_text(&session.engine.params[name])).map_err(io)?;
    }
    Ok(())
}

/// A parameter's value as it would be written in a query.
pub fn operand_text(operand: &Operand) -> String {
    match operand {
        Operand::Param(p) => format!("${}", p.node),
        Operand::Literal(l) => match &l.node {
            Literal::String(s) => format!("{s:?}"),
            Literal::Number { value, money: true } => format!("£{value}"),
            Literal::Number { value, money: false } => value.clone(),
            Literal::Date(d) => d.to_string(),
            Literal::Bool(b) => b.to_string(),
        },
        Operand::Period(p) => match &p.kind {
            PeriodKind::Month { year, month } => format!("{year}-{month:02}"),
            PeriodKind::Quarter { year, quarter } => format!("{year}Q{quarter}"),
            PeriodKind::FinancialYear { start_year } => format!("FY{start_year}/{:02}", (start_year + 1) % 100),
            PeriodKind::Year { year } => year.to_string(),
            PeriodKind::Last { count, unit } => format!("last {count} {}", unit_text(*unit)),
            PeriodKind::Next { count, unit } => format!("next {count} {}", unit_text(*unit)),
            PeriodKind::This { unit } => format!("this {}", unit_text(*unit)),
            PeriodKind::Previous { unit } => format!("previous {}", unit_text(*unit)),
        },
    }
}

fn unit_text(unit: PeriodUnit) -> &'static str {
    match unit {
        PeriodUnit::Day => "days",
        PeriodUnit::Week => "weeks",
        PeriodUnit::Month => "months",
        PeriodUnit::Quarter => "quarters",
        PeriodUnit::Year => "years",
        PeriodUnit::FinancialYear => "fy",
    }
}

fn help(topic: Option<&str>, out: &mut dyn Write) -> Result<()> {
    let Some(topic) = topic else {
        writeln!(out, "Help topics (\\h TOPIC):").map_err(io)?;
        for (name, text) in TOPICS {
            writeln!(out, "  {name:<12} {}", text.lines().next().unwrap_or_default()).map_err(io)?;
        }
        return Ok(());
    };
    let text = TOPICS.iter().find(|(name, _)| *name == topic).map_or("", |(_, text)| text);
    write!(out, "{text}").map_err(io)
}

/// The example queries of every help topic (the `  > ` lines).
pub fn help_examples() -> Vec<&'static str> {
    TOPICS.iter().flat_map(|(_, text)| text.lines().filter_map(|l| l.strip_prefix("  > "))).collect()
}
