//! The REPL's meta-commands (`\d`, `\format`, `\o`, `\set`, ...) as types. [`Command`] is
//! the one list of them, with each one's names, argument syntax and description; parsing
//! ([`MetaCommand`]'s `FromStr`), completion and `\?` all read it, so a command cannot exist
//! in one and be missing from another. Parsing checks arguments completely (a format's
//! name, a date, a parameter's value), so running a [`MetaCommand`] (in [`super::meta`])
//! only has the session's own failures left.

use std::path::PathBuf;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::exec::files::parse_param_value;
use crate::output::Format;
use crate::schema::Table;
use crate::syntax::ast::Operand;

use super::help::TOPICS;

/// Declares [`Command`] and its table from one row per command, so the list of commands
/// (`Command::ALL`) cannot miss a variant.
macro_rules! commands {
    ($($(#[$doc:meta])* $command:ident: [$($name:literal),+], $arguments:literal, $description:literal;)+) => {
        /// Which meta-command: the one definition of what there is.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Command {
            $($(#[$doc])* $command,)+
        }

        impl Command {
            /// Every command, in the order `\?` lists them.
            pub const ALL: &'static [Command] = &[$(Command::$command),+];

            /// The names it answers to after the `\`; the first is the one shown and completed.
            pub fn names(self) -> &'static [&'static str] {
                match self {
                    $(Command::$command => &[$($name),+],)+
                }
            }

            /// What may follow the name, as `\?` shows it (`[TABLE]`: optional).
            pub fn arguments(self) -> &'static str {
                match self {
                    $(Command::$command => $arguments,)+
                }
            }

            /// One line on what it does.
            pub fn description(self) -> &'static str {
                match self {
                    $(Command::$command => $description,)+
                }
            }
        }
    };
}

commands! {
    /// `\?`
    ListCommands: ["?"], "", "list these commands";
    /// `\d [TABLE]`
    Describe: ["d"], "[TABLE]",
        "tables, measures, modifiers and dimensions; with TABLE (spend, contracts), its columns and types";
    /// `\format [NAME]`
    Format: ["format"], "[table|csv|json|ndjson]", "how results are printed";
    /// `\o [FILE]`
    Output: ["o"], "[FILE]", "send results to FILE (format from its extension); \\o alone: back to the screen";
    /// `\timing [on|off]`
    Timing: ["timing"], "[on|off]", "show or hide each query's time";
    /// `\explain QUERY`
    Explain: ["explain"], "QUERY", "what a query means, and its plans";
    /// `\i FILE`
    Include: ["i", "include"], "FILE", "run a saved query file (.spql)";
    /// `\set [NAME VALUE]`
    Set: ["set"], "[NAME VALUE]", "set a parameter, used as $NAME in queries; \\set alone lists them";
    /// `\params`
    Params: ["params"], "", "list parameters";
    /// `\as-of [DATE|latest]`
    AsOf: ["as-of"], "[DATE|latest]",
        "count relative periods (last 3 months) back from DATE; \\as-of latest: from the latest payment";
    /// `\chart`
    Chart: ["chart"], "", "draw the last result";
    /// `\h [TOPIC]`
    Help: ["h", "help"], "[TOPIC]",
        "help on the language: measures, dimensions, periods, conditions, shaping, files";
    /// `\sql QUERY`
    Sql: ["sql"], "QUERY", "run raw SQL over the tables spend and contracts";
    /// `\q`
    Quit: ["q", "quit"], "", "quit (or Ctrl-D)";
}

/// The formats that can be printed on the screen; the others need `\o FILE`.
pub const SCREEN_FORMATS: [Format; 4] = [Format::Table, Format::Csv, Format::Json, Format::Ndjson];

impl Command {
    /// The name shown and completed, with its backslash: `\format`.
    pub fn name(self) -> String {
        format!("\\{}", self.names()[0])
    }

    /// The command and its arguments, as `\?` lists it: `\format [table|csv|json|ndjson]`.
    pub fn syntax(self) -> String {
        match self.arguments() {
            "" => self.name(),
            arguments => format!("{} {arguments}", self.name()),
        }
    }

    /// The command a name (without the `\`) stands for, aliases included.
    pub fn named(name: &str) -> Option<Command> {
        Command::ALL.iter().copied().find(|c| c.names().contains(&name))
    }

    /// Check `argument` (trimmed, possibly empty) and pair it with the command.
    fn with_argument(self, argument: &str) -> Result<MetaCommand> {
        let needs = |what: &str, example: &str| -> Result<()> {
            if argument.is_empty() {
                return Err(Error::usage(format!("{} needs {what}", self.name())).with_hint(example.to_string()));
            }
            Ok(())
        };
        Ok(match self {
            Command::ListCommands => MetaCommand::ListCommands,
            Command::Describe if argument.is_empty() => MetaCommand::Describe(None),
            Command::Describe => {
                let table = Table::ALL.into_iter().find(|t| t.name().eq_ignore_ascii_case(argument));
                MetaCommand::Describe(Some(table.ok_or_else(|| {
                    Error::usage(format!("no table named '{argument}'")).with_hint("tables are: spend, contracts")
                })?))
            }
            Command::Format if argument.is_empty() => MetaCommand::Format(None),
            Command::Format => {
                let format = Format::parse(argument)?;
                if !SCREEN_FORMATS.contains(&format) {
                    return Err(Error::usage(format!("{} cannot be printed on the screen", format.name()))
                        .with_hint(format!("send it to a file: \\o results.{}", format.name())));
                }
                MetaCommand::Format(Some(format))
            }
            Command::Output if argument.is_empty() => MetaCommand::Output(None),
            Command::Output => {
                let path = PathBuf::from(argument);
                let format = Format::from_path(&path).ok_or_else(|| {
                    Error::usage(format!("cannot tell the format of '{argument}' from its extension"))
                        .with_hint("use .csv, .json, .ndjson, .parquet, .xlsx or .txt")
                })?;
                MetaCommand::Output(Some((path, format)))
            }
            // Anything but on or off toggles, as `\timing` alone does.
            Command::Timing => MetaCommand::Timing(match argument {
                "on" => Some(true),
                "off" => Some(false),
                _ => None,
            }),
            Command::Explain => {
                needs("a query", "\\explain spend by council")?;
                MetaCommand::Explain(argument.to_string())
            }
            Command::Include => {
                needs("a file", "\\i queries/monthly.spql")?;
                MetaCommand::Include(PathBuf::from(argument))
            }
            Command::Set => match argument.split_once(char::is_whitespace) {
                // `\set` with no value lists the parameters.
                None => MetaCommand::Set(None),
                Some((name, value)) => {
                    let name = name.trim_start_matches('$');
                    let value = value.trim();
                    let operand = parse_param_value(name, value)?;
                    MetaCommand::Set(Some(Param { name: name.to_string(), text: value.to_string(), value: operand }))
                }
            },
            Command::Params => MetaCommand::Params,
            Command::AsOf => MetaCommand::AsOf(match argument {
                "" => AsOf::Show,
                "latest" | "off" | "none" => AsOf::Latest,
                text => AsOf::Date(text.parse().map_err(|_| {
                    Error::usage(format!("'{text}' is not a date")).with_hint("write it as 2022-03-31")
                })?),
            }),
            Command::Chart => MetaCommand::Chart,
            Command::Help if argument.is_empty() => MetaCommand::Help(None),
            Command::Help => {
                let topic = argument.to_lowercase();
                let found = TOPICS.iter().find(|(name, _)| name.starts_with(&topic) || topic.starts_with(name));
                let (name, _) = found.ok_or_else(|| {
                    Error::usage(format!("no help topic '{topic}'")).with_hint(format!(
                        "topics are: {}",
                        TOPICS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ))
                })?;
                MetaCommand::Help(Some(name))
            }
            Command::Sql => {
                needs("a statement", "\\sql SELECT council, count(*) FROM spend GROUP BY council")?;
                MetaCommand::Sql(argument.to_string())
            }
            Command::Quit => MetaCommand::Quit,
        })
    }
}

impl FromStr for Command {
    type Err = Error;

    /// A command's name, with or without its `\`; an unknown one is a usage error that
    /// suggests the nearest.
    fn from_str(name: &str) -> Result<Command> {
        let name = name.strip_prefix('\\').unwrap_or(name);
        Command::named(name).ok_or_else(|| {
            let mut err = Error::usage(format!("unknown command \\{name}"));
            let known: Vec<String> = Command::ALL.iter().map(|c| c.name()).collect();
            if let Some(s) = crate::semantic::suggest(&format!("\\{name}"), known.iter().map(String::as_str)) {
                err = err.with_hint(format!("did you mean {s}?"));
            }
            err.with_hint("\\? lists the commands")
        })
    }
}

/// A meta-command line, parsed and checked: what to do, with what.
#[derive(Debug, Clone, PartialEq)]
pub enum MetaCommand {
    /// `\?`: list the meta-commands.
    ListCommands,
    /// `None`: everything the language offers; a table: its columns.
    Describe(Option<Table>),
    /// `None`: say which format is in use.
    Format(Option<Format>),
    /// `None`: back to the screen.
    Output(Option<(PathBuf, Format)>),
    /// `None`: switch it over.
    Timing(Option<bool>),
    /// `\explain QUERY`: show what the query means and its plans.
    Explain(String),
    /// `\i FILE`: run a saved query file.
    Include(PathBuf),
    /// `None`: list the parameters.
    Set(Option<Param>),
    /// `\params`: list the parameters set.
    Params,
    /// `\as-of`: show or set the date relative periods count back from.
    AsOf(AsOf),
    /// `\chart`: draw the last result.
    Chart,
    /// `None`: list the topics; else a topic's name from [`TOPICS`].
    Help(Option<&'static str>),
    /// `\sql QUERY`: run raw SQL over the tables.
    Sql(String),
    /// `\q`: leave the REPL.
    Quit,
}

/// `\set NAME VALUE`: the value as typed (kept for `\i`, whose files it overrides) and as
/// parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The parameter name, without the `$`.
    pub name: String,
    /// The value as typed.
    pub text: String,
    /// The value as parsed.
    pub value: Operand,
}

/// What `\as-of` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// `\as-of` alone: say which date is in use.
    Show,
    /// `\as-of latest`: count back from the latest payment.
    Latest,
    /// `\as-of DATE`: count back from this date.
    Date(NaiveDate),
}

impl MetaCommand {
    /// Which command this is.
    pub fn command(&self) -> Command {
        match self {
            MetaCommand::ListCommands => Command::ListCommands,
            MetaCommand::Describe(_) => Command::Describe,
            MetaCommand::Format(_) => Command::Format,
            MetaCommand::Output(_) => Command::Output,
            MetaCommand::Timing(_) => Command::Timing,
            MetaCommand::Explain(_) => Command::Explain,
            MetaCommand::Include(_) => Command::Include,
            MetaCommand::Set(_) => Command::Set,
            MetaCommand::Params => Command::Params,
            MetaCommand::AsOf(_) => Command::AsOf,
            MetaCommand::Chart => Command::Chart,
            MetaCommand::Help(_) => Command::Help,
            MetaCommand::Sql(_) => Command::Sql,
            MetaCommand::Quit => Command::Quit,
        }
    }
}

impl FromStr for MetaCommand {
    type Err = Error;

    /// A line such as `\format csv`: the name up to the first space, then the argument.
    fn from_str(line: &str) -> Result<MetaCommand> {
        let line = line.trim();
        let body = line.strip_prefix('\\').unwrap_or(line);
        let (name, argument) = match body.split_once(char::is_whitespace) {
            Some((name, argument)) => (name, argument.trim()),
            None => (body, ""),
        };
        name.parse::<Command>()?.with_argument(argument)
    }
}

#[cfg(test)]
mod tests {
    //! Expected commands are written from the help text's promises, not read from the table.

    use super::*;
    use crate::error::ErrorKind;
    use crate::syntax::ast::{Literal, PeriodKind};

    fn parse(line: &str) -> MetaCommand {
        line.parse().unwrap_or_else(|e: Error| panic!("{line}: {} {:?}", e.message, e.hints))
    }

    fn refused(line: &str) -> Error {
        match line.parse::<MetaCommand>() {
            Ok(command) => panic!("{line} should be refused, but gave {command:?}"),
            Err(err) => {
                assert_eq!(err.kind, ErrorKind::Usage, "{line}");
                err
            }
        }
    }

    #[test]
    fn commands_without_arguments() {
        assert_eq!(parse("\\?"), MetaCommand::ListCommands);
        assert_eq!(parse("\\d"), MetaCommand::Describe(None));
        assert_eq!(parse("\\params"), MetaCommand::Params);
        assert_eq!(parse("\\chart"), MetaCommand::Chart);
        assert_eq!(parse("  \\q  "), MetaCommand::Quit);
        assert_eq!(parse("\\quit"), MetaCommand::Quit);
        assert_eq!(parse("\\o"), MetaCommand::Output(None));
        assert_eq!(parse("\\format"), MetaCommand::Format(None));
        assert_eq!(parse("\\h"), MetaCommand::Help(None));
        assert_eq!(parse("\\as-of"), MetaCommand::AsOf(AsOf::Show));
    }

    #[test]
    fn arguments_are_checked_while_parsing() {
        assert_eq!(parse("\\d Contracts"), MetaCommand::Describe(Some(Table::Contracts)));
        assert!(refused("\\d payments").message.contains("payments"));
        assert_eq!(parse("\\format  csv "), MetaCommand::Format(Some(Format::Csv)));
        assert_eq!(refused("\\format xml").kind, ErrorKind::Usage);
        let err = refused("\\format parquet");
        assert!(err.hints.iter().any(|h| h.contains("\\o results.parquet")), "{:?}", err.hints);
        assert_eq!(parse("\\o out/r.xlsx"), MetaCommand::Output(Some((PathBuf::from("out/r.xlsx"), Format::Xlsx))));
        assert!(refused("\\o results.doc").message.contains("results.doc"));
        assert_eq!(parse("\\timing on"), MetaCommand::Timing(Some(true)));
        assert_eq!(parse("\\timing off"), MetaCommand::Timing(Some(false)));
        assert_eq!(parse("\\timing"), MetaCommand::Timing(None));
        assert_eq!(parse("\\explain spend  by council "), MetaCommand::Explain("spend  by council".into()));
        assert_eq!(parse("\\include q.spql"), MetaCommand::Include(PathBuf::from("q.spql")));
        assert_eq!(parse("\\sql SELECT 1"), MetaCommand::Sql("SELECT 1".into()));
        for line in ["\\explain", "\\i", "\\sql  "] {
            assert!(!refused(line).hints.is_empty(), "{line} should show an example");
        }
        assert_eq!(
            parse("\\as-of 2022-03-31"),
            MetaCommand::AsOf(AsOf::Date(NaiveDate::from_ymd_opt(2022, 3, 31).unwrap()))
        );
        assert_eq!(parse("\\as-of latest"), MetaCommand::AsOf(AsOf::Latest));
        assert!(refused("\\as-of 31/03/2022").hints.iter().any(|h| h.contains("2022-03-31")));
        assert_eq!(parse("\\help per"), MetaCommand::Help(Some("periods")));
        assert!(refused("\\h nonsense").hints[0].contains("measures"));
    }

    #[test]
    fn set_parses_the_value_and_keeps_it_as_typed() {
        let MetaCommand::Set(Some(param)) = parse("\\set $month  2021-06 ") else { panic!("not a \\set") };
        assert_eq!((param.name.as_str(), param.text.as_str()), ("month", "2021-06"));
        assert!(matches!(param.value, Operand::Period(p) if p.kind == PeriodKind::Month { year: 2021, month: 6 }));
        let MetaCommand::Set(Some(param)) = parse("\\set who Salford City") else { panic!("not a \\set") };
        assert!(matches!(param.value, Operand::Literal(l) if l.node == Literal::String("Salford City".into())));
        assert_eq!(parse("\\set"), MetaCommand::Set(None));
        assert_eq!(parse("\\set month"), MetaCommand::Set(None));
        assert_eq!(refused("\\set no-good 1").kind, ErrorKind::Usage);
    }

    #[test]
    fn an_unknown_command_suggests_the_nearest() {
        let err = refused("\\formt csv");
        assert_eq!(err.message, "unknown command \\formt");
        assert_eq!(err.hints, ["did you mean \\format?", "\\? lists the commands"]);
        assert_eq!(refused("\\zzzzzz").hints, ["\\? lists the commands"]);
    }

    #[test]
    fn every_command_and_alias_parses_to_itself() {
        // One argument that every command accepts where it needs one.
        let argument = |c: Command| match c {
            Command::Describe => " spend",
            Command::Format => " json",
            Command::Output => " r.csv",
            Command::Explain | Command::Sql | Command::Include | Command::Set => " x 1",
            Command::AsOf => " 2022-01-01",
            Command::Help => " files",
            _ => "",
        };
        let mut seen = Vec::new();
        for &command in Command::ALL {
            for name in command.names() {
                assert!(!seen.contains(name), "\\{name} names two commands");
                seen.push(*name);
                assert_eq!(parse(&format!("\\{name}{}", argument(command))).command(), command, "\\{name}");
                // Alone, it parses unless its argument is required (not in brackets).
                let required = !command.arguments().is_empty() && !command.arguments().starts_with('[');
                let alone = format!("\\{name}").parse::<MetaCommand>().ok().map(|m| m.command());
                assert_eq!(alone, (!required).then_some(command), "\\{name}");
            }
        }
        assert_eq!(seen.len(), 17, "{seen:?}");
    }

    #[test]
    fn the_format_syntax_names_exactly_the_screen_formats() {
        let listed = Command::Format.arguments().trim_matches(['[', ']']).split('|').collect::<Vec<_>>();
        assert_eq!(listed, SCREEN_FORMATS.map(Format::name));
    }
}
