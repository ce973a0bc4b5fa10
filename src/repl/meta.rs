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
use super::session::{Action, Session, Sink};

/// Help topics. Lines starting with `  > ` are examples; a test runs every one of them
/// on the fixture dataset, so they stay true.
pub const TOPICS: &[(&str, &str)] = &[
    (
        "measures",
        "A query starts with one or more measures, separated by commas.\n\
         Modifiers after a measure restrict it: card, on-contract, off-contract; share makes it a %.\n\
         \\d lists every measure with what it adds up.\n\
         \x20 > spend\n\
         \x20 > spend, transactions, suppliers by council\n\
         \x20 > spend card, credits by council\n\
         \x20 > average payment, largest payment by category\n",
    ),
    (
        "dimensions",
        "`by` groups a measure by one or more dimensions: council, supplier, category,\n\
         department, expense type, and the time dimensions date, month, quarter, year,\n\
         fy (financial year, April-March) and fq (financial quarter).\n\
         \x20 > spend by council\n\
         \x20 > spend by council, fy\n\
         \x20 > transactions by month\n\
         \x20 > top 3 suppliers by spend\n",
    ),
    (
        "periods",
        "Periods name spans of time: 2021-04-01 (a day), 2021-04 (a month), 2021Q2, FY2021/22,\n\
         2021 (a year), and relative ones counted back from the as-of date (the latest payment,\n\
         or \\as-of DATE): last 3 months, this fy, previous fy.\n\
         \x20 > spend by council where fy = FY2021/22\n\
         \x20 > spend by month where date in 2022\n\
         \x20 > transactions where date between 2021-04-01 and 2021-09-30\n\
         \x20 > spend by council where date in last 12 months\n",
    ),
    (
        "conditions",
        "`where` keeps the rows that match before measuring; `having` keeps groups after.\n\
         Tests: = != < <= > >=, in (...), between ... and ..., ~ \"text\" (contains, any case),\n\
         is missing, is not missing, and flags such as redacted and card. Combine with and, or, not.\n\
         \x20 > spend by supplier where amount >= £1k\n\
         \x20 > transactions by council where category is missing\n\
         \x20 > transactions, spend by council where redacted\n\
         \x20 > spend by council where supplier ~ \"ltd\" and not card\n\
         \x20 > spend by council having spend > £10k\n",
    ),
    (
        "shaping",
        "top/bottom N rank a dimension by the first measure; share shows % of a total (within\n\
         groups); compare puts two periods side by side with the change; across pivots a\n\
         dimension's values into columns; order by and limit sort and cut; as chart draws it.\n\
         \x20 > top 2 suppliers by spend\n\
         \x20 > spend share by category within council\n\
         \x20 > spend by council compare FY2022/23 with FY2021/22\n\
         \x20 > spend by category across council\n\
         \x20 > spend by council order by council limit 2\n\
         \x20 > spend by council as chart\n",
    ),
    (
        "files",
        "Saved query files (.spql) hold parameters, definitions, includes and titled queries:\n\
         \n\
         \x20   param min = £1k\n\
         \x20   define measure big payments = transactions where amount >= $min\n\
         \x20   include \"common.spql\"\n\
         \x20   query \"Big payments by council\" = big payments by council\n\
         \n\
         Run one with \\i FILE here, or `spendql run FILE --param min=£5k` (add\n\
         --output report.xlsx for one worksheet per query). Parameters are used as $NAME.\n",
    ),
];

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
                let results = session.engine.run_file_with(&path, &overrides, Cancel::OnCtrlC)?;
                for (title, result) in results {
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
        let state = if session.engine.has_table(table) { "" } else { " (no data loaded)" };
        writeln!(out, "  {:<20} {}{state}", table.name(), table.description()).map_err(io)?;
    }
    writeln!(out, "Measures").map_err(io)?;
    for m in model::MEASURES {
        writeln!(out, "  {:<20} {} [{}]", m.name, m.description, m.table.name()).map_err(io)?;
    }
    for (name, _, what) in model::MEASURE_SETS {
        writeln!(out, "  {name:<20} {what}").map_err(io)?;
    }
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
