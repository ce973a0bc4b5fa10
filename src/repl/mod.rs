//! The interactive REPL (`spendql repl`). Everything it does is a plain function over a
//! [`Session`]: running input ([`run_input`]), meta-commands (typed in [`command`], run by
//! [`meta::handle_meta`]), completion, hints, highlighting and the "is it finished?" check
//! ([`complete`]). The rustyline editor in [`run_repl`] is only a thin shell around them, so
//! all of it is tested without a terminal. Errors are drawn by [`crate::diagnostic::render`]
//! against the texts the engine kept.

pub mod command;
pub mod complete;
mod help;
pub mod meta;
mod session;

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};

use crate::error::{Error, ErrorKind, Result};
use crate::exec::{Cancel, Engine};
pub use command::{Command, MetaCommand};
pub use complete::{Completion, Vocabulary, complete, highlight, hint, is_complete};
pub use meta::handle_meta;
pub use session::{Action, Session, Sink};

/// Run one complete input: a meta-command or a query. Nothing runs if the query does not
/// parse or resolve. An error's span points into a text the engine kept: render it with
/// [`Session::render_error`].
pub fn run_input(input: &str, session: &mut Session, out: &mut dyn Write) -> Result<Action> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(Action::Continue);
    }
    if text.starts_with('\\') {
        return handle_meta(text, session, out);
    }
    let result = session.engine.query(text, Cancel::OnCtrlC)?;
    session.show(None, result, out)?;
    Ok(Action::Continue)
}

/// Where history is kept: `--history`/`SPENDQL_HISTORY` (passed in), else
/// `$XDG_STATE_HOME/spendql/history`, else `~/.spendql_history`.
pub fn history_path(explicit: Option<PathBuf>) -> Option<PathBuf> {
    if explicit.is_some() {
        return explicit;
    }
    if let Some(state) = std::env::var_os("XDG_STATE_HOME").filter(|s| !s.is_empty()) {
        return Some(PathBuf::from(state).join("spendql").join("history"));
    }
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|home| PathBuf::from(home).join(".spendql_history"))
}

/// The rustyline helper: forwards to the plain functions of [`complete`].
struct ReplHelper {
    vocabulary: Vocabulary,
    colour: bool,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let completion = complete(line, pos, &self.vocabulary);
        let pairs = completion.candidates.into_iter().map(|c| Pair { display: c.clone(), replacement: c }).collect();
        Ok((completion.start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        if !self.colour {
            return None;
        }
        hint(line, pos, &self.vocabulary)
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.colour { Cow::Owned(highlight(line)) } else { Cow::Borrowed(line) }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.colour { Cow::Owned(format!("\x1b[90m{hint}\x1b[0m")) } else { Cow::Borrowed(hint) }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.colour
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input()) { ValidationResult::Valid(None) } else { ValidationResult::Incomplete })
    }
}

impl Helper for ReplHelper {}

/// Options for [`run_repl`].
#[derive(Debug, Clone, Default)]
pub struct ReplOptions {
    /// File the line history is loaded from and saved to (see [`history_path`]); `None`: none kept.
    pub history: Option<PathBuf>,
    /// The date relative periods count back from; `None`: the latest payment.
    pub as_of: Option<chrono::NaiveDate>,
}

/// Run the interactive REPL on a terminal until `\q` or Ctrl-D.
pub fn run_repl(engine: Engine, options: ReplOptions) -> Result<()> {
    let colour =
        complete::colour_enabled(std::env::var("NO_COLOR").ok().as_deref(), std::env::var("TERM").ok().as_deref());
    let mut session = Session::new(engine);
    session.engine.set_as_of(options.as_of);
    session.colour = colour;
    session.width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100);
    let config = rustyline::Config::builder()
        .auto_add_history(false)
        .completion_type(rustyline::CompletionType::List)
        .max_history_size(5000)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot set up the line editor: {e}")))?
        .build();
    let mut editor: Editor<ReplHelper, rustyline::history::DefaultHistory> = Editor::with_config(config)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot start the line editor: {e}")))?;
    // The one vocabulary, kept by the line editor's helper; the engine is where definitions
    // live, so the helper learns new ones from it after each input.
    editor.set_helper(Some(ReplHelper { vocabulary: Vocabulary::load(&session.engine), colour }));
    let history = history_path(options.history);
    if let Some(path) = &history {
        // A missing history file is the normal first run.
        let _ = editor.load_history(path);
    }
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    let _ = writeln!(
        stdout,
        "spendql {} — type a query (spend by council), \\? for commands, \\q to quit",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        match editor.readline("spendql> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                // Quitting is not worth recalling: Up after a restart should bring back work.
                let quits = line.trim_start().starts_with('\\') && matches!(line.parse(), Ok(MetaCommand::Quit));
                if !quits {
                    let _ = editor.add_history_entry(line.as_str());
                    if let Some(path) = &history {
                        save_history(&mut editor, path);
                    }
                }
                let outcome = run_input(&line, &mut session, &mut stdout);
                let _ = stdout.flush();
                match outcome {
                    Ok(Action::Quit) => break,
                    Ok(Action::Continue) => {}
                    Err(err) if err.kind == ErrorKind::Cancelled => {
                        let _ = writeln!(stderr, "Cancelled.");
                    }
                    Err(err) => session.render_error(&err, &mut stderr),
                }
                if let Some(helper) = editor.helper_mut() {
                    helper.vocabulary.add_definitions(&session.engine);
                }
            }
            // Ctrl-C at the prompt clears the line, as in a shell.
            Err(ReadlineError::Interrupted) => {}
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(Error::new(ErrorKind::Io, format!("cannot read input: {e}"))),
        }
    }
    Ok(())
}

fn save_history(editor: &mut Editor<ReplHelper, rustyline::history::DefaultHistory>, path: &Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // Saving after every line keeps history even if the terminal is closed; a failure
    // to save (read-only home) must not stop the session.
    let _ = editor.save_history(path);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Dataset;
    use crate::output::Format;

    fn session() -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().unwrap();
        crate::fixture::write_spend_fixture(dir.path()).unwrap();
        let engine = Engine::open(&Dataset::new(dir.path())).unwrap();
        (dir, Session::new(engine))
    }

    fn meta(session: &mut Session, line: &str) -> String {
        let mut out = Vec::new();
        handle_meta(line, session, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn format_csv_changes_the_format() {
        let (_dir, mut s) = session();
        assert_eq!(s.format, Format::Table);
        meta(&mut s, "\\format csv");
        assert_eq!(s.format, Format::Csv);
        let mut out = Vec::new();
        assert!(handle_meta("\\format xml", &mut s, &mut out).is_err());
        assert_eq!(s.format, Format::Csv);
    }

    #[test]
    fn set_and_params() {
        let (_dir, mut s) = session();
        meta(&mut s, "\\set month 2021-06");
        meta(&mut s, "\\set council Trafford");
        meta(&mut s, "\\set min £25k");
        let listed = meta(&mut s, "\\params");
        assert!(listed.contains("$month = 2021-06"), "{listed}");
        assert!(listed.contains("$council = \"Trafford\""), "{listed}");
        assert!(listed.contains("$min = £25000"), "{listed}");
        assert_eq!(s.overrides.len(), 3);
    }

    #[test]
    fn describe_lists_tables_measures_and_dimensions_with_descriptions() {
        let (_dir, mut s) = session();
        let text = meta(&mut s, "\\d");
        for m in crate::semantic::model::MEASURES {
            assert!(text.contains(m.name) && text.contains(m.description), "missing {}", m.name);
        }
        for d in crate::semantic::model::DIMENSIONS {
            assert!(text.contains(d.description), "missing {}", d.name);
        }
        assert!(text.contains("contracts") && text.contains("(no data loaded)"));
        let spend = meta(&mut s, "\\d spend");
        assert!(spend.contains("amount") && spend.contains("money (decimal 18,2)"), "{spend}");
        assert!(spend.contains("payment_date") && spend.contains("date"));
    }

    #[test]
    fn help_lists_exactly_the_commands_of_the_enum() {
        let (_dir, mut s) = session();
        let text = meta(&mut s, "\\?");
        let listed: Vec<&str> =
            text.lines().filter_map(|l| l.split_whitespace().next()).filter(|w| w.starts_with('\\')).collect();
        let expected: Vec<String> = Command::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(listed, expected, "{text}");
        // Every command the REPL has always had is among them.
        for command in [
            "\\?",
            "\\d",
            "\\format",
            "\\o",
            "\\timing",
            "\\explain",
            "\\i",
            "\\set",
            "\\params",
            "\\as-of",
            "\\chart",
            "\\h",
            "\\sql",
            "\\q",
        ] {
            assert!(listed.contains(&command), "\\? misses {command}:\n{text}");
        }
    }

    #[test]
    fn measures_defined_by_an_included_file_become_completions() {
        let (dir, mut s) = session();
        let file = dir.path().join("defs.spql");
        std::fs::write(&file, "define measure big payments = transactions where amount >= £1k\n").unwrap();
        let mut vocabulary = Vocabulary::load(&s.engine);
        let offers_it = |v: &Vocabulary| complete("bi", 2, v).candidates.contains(&"big payments".to_string());
        assert!(!offers_it(&vocabulary));
        meta(&mut s, &format!("\\i {}", file.display()));
        vocabulary.add_definitions(&s.engine);
        assert!(offers_it(&vocabulary));
    }

    #[test]
    fn issue_12_include_runs_a_report_file_and_shows_its_kpis() {
        let dir = tempfile::tempdir().unwrap();
        crate::fixture::write_report_fixture(dir.path()).unwrap();
        let mut s = Session::new(Engine::open(&Dataset::new(dir.path())).unwrap());
        let file = dir.path().join("scorecard.spql");
        std::fs::write(
            &file,
            "report quarterly \"S\"\nsection \"Compliance\"\n\
             kpi \"Off-contract spend\" = spend off-contract lower is better target £2k per fy\n\
             query \"All spend\" = spend\n",
        )
        .unwrap();
        let text = meta(&mut s, &format!("\\i {}", file.display()));
        // The section's scorecard, then the query: the report fixture's off-contract spend
        // in 2024/25 Q2 is £500.00 against £2,000 ÷ 4 (Green); all its payments sum to
        // 600 + 400 + 800 + 200 + 900 + 100 + 600 + 400 + 500 + 100 + 900 = £5,500.00.
        assert!(text.contains("Compliance: Scorecard"), "{text}");
        assert!(text.contains("£500.00") && text.contains("Green"), "{text}");
        assert!(text.contains("All spend") && text.contains("£5,500.00"), "{text}");
    }

    #[test]
    fn completion_offers_exactly_the_commands_of_the_enum() {
        let vocabulary = Vocabulary::from_model();
        let offered = complete("\\", 1, &vocabulary).candidates;
        let expected: Vec<String> = Command::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(offered, expected);
        // Arguments complete through an alias too.
        assert_eq!(complete("\\help per", 9, &vocabulary).candidates, ["periods"]);
    }

    #[test]
    fn timing_toggles_and_unknown_commands_are_usage_errors() {
        let (_dir, mut s) = session();
        assert!(s.timing);
        meta(&mut s, "\\timing");
        assert!(!s.timing);
        let mut out = Vec::new();
        let err = handle_meta("\\formt csv", &mut s, &mut out).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Usage);
        assert!(err.hints.iter().any(|h| h.contains("\\format")), "{:?}", err.hints);
        assert_eq!(handle_meta("\\q", &mut s, &mut out).unwrap(), Action::Quit);
    }

    #[test]
    fn as_of_sets_and_resets_the_date() {
        let (_dir, mut s) = session();
        meta(&mut s, "\\as-of 2022-03-31");
        assert_eq!(s.engine.as_of().unwrap(), chrono::NaiveDate::from_ymd_opt(2022, 3, 31).unwrap());
        meta(&mut s, "\\as-of latest");
        // The fixture's latest payment is 1 September 2022.
        assert_eq!(s.engine.as_of().unwrap(), chrono::NaiveDate::from_ymd_opt(2022, 9, 1).unwrap());
    }

    #[test]
    fn help_topics_exist_and_unknown_ones_are_refused() {
        let (_dir, mut s) = session();
        for topic in ["measures", "dimensions", "periods", "conditions", "shaping", "files"] {
            let text = meta(&mut s, &format!("\\h {topic}"));
            assert!(text.len() > 40, "{topic}");
        }
        let mut out = Vec::new();
        assert!(handle_meta("\\h nonsense", &mut s, &mut out).is_err());
    }

    #[test]
    fn chart_without_a_result_is_a_usage_error() {
        let (_dir, mut s) = session();
        let mut out = Vec::new();
        assert_eq!(handle_meta("\\chart", &mut s, &mut out).unwrap_err().kind, ErrorKind::Usage);
    }

    #[test]
    fn history_path_prefers_the_explicit_one() {
        let explicit = PathBuf::from("/tmp/h");
        assert_eq!(history_path(Some(explicit.clone())), Some(explicit));
    }

    // --- below: need the parser ---

    #[test]
    fn a_query_runs_and_shows_time_and_chart_draws_it() {
        let (_dir, mut s) = session();
        let mut out = Vec::new();
        run_input("spend by council", &mut s, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("£31,225.75") && text.contains("Time: "), "{text}");
        let chart = meta(&mut s, "\\chart");
        assert!(chart.lines().nth(1).is_some_and(|l| l.starts_with("Trafford")), "{chart}");
    }

    #[test]
    fn output_file_gets_the_results_and_the_screen_does_not() {
        let (dir, mut s) = session();
        let path = dir.path().join("out.csv");
        meta(&mut s, &format!("\\o {}", path.display()));
        let mut out = Vec::new();
        run_input("spend by council", &mut s, &mut out).unwrap();
        let screen = String::from_utf8(out).unwrap();
        assert!(!screen.contains("31225.75"), "{screen}");
        let file = std::fs::read_to_string(&path).unwrap();
        assert!(file.starts_with("council,spend\n") && file.contains("Trafford,31225.75"), "{file}");
        meta(&mut s, "\\o");
        assert!(matches!(s.sink, Sink::Screen));
    }

    #[test]
    fn invalid_query_is_an_error_with_its_source_and_runs_nothing() {
        let (_dir, mut s) = session();
        let mut out = Vec::new();
        let err = run_input("spend by councl", &mut s, &mut out).unwrap_err();
        let sources = s.engine.sources();
        let kept = sources.get(err.source.unwrap()).unwrap();
        assert_eq!((kept.name.as_str(), &*kept.text), ("query", "spend by councl"));
        assert!(out.is_empty());
        assert!(s.last.is_none());
    }

    fn rendered(s: &Session, err: &Error) -> String {
        let mut out = Vec::new();
        s.render_error(err, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_query_error_is_drawn_under_the_misspelt_word() {
        let (_dir, mut s) = session();
        let mut out = Vec::new();
        let err = run_input("  spend by councl  ", &mut s, &mut out).unwrap_err();
        // The trimmed query `spend by councl`: `councl` is bytes 9..15, column 10, and the
        // suggestion is a hint, not part of the message.
        assert_eq!(err.span, Some(9..15));
        let text = rendered(&s, &err);
        assert!(text.contains("[ query:1:10 ]") && text.starts_with("Error: unknown dimension 'councl'\n"), "{text}");
        insta::assert_snapshot!("repl_query_error", text);
    }

    #[test]
    fn an_explain_error_is_drawn_in_the_query_after_the_command() {
        let (_dir, mut s) = session();
        let mut out = Vec::new();
        let err = run_input("\\explain spend by council where council = \"Traford\"", &mut s, &mut out).unwrap_err();
        // The query is `spend by council where council = "Traford"`: `spend by council` is
        // 16 bytes, ` where` 6, ` council` 8, ` = ` 3, so the string starts at byte 33
        // (column 34) and ends with the query at byte 42.
        assert_eq!(err.span, Some(33..42));
        let text = rendered(&s, &err);
        assert!(text.contains("[ query:1:34 ]"), "{text}");
        insta::assert_snapshot!("repl_explain_error", text);
    }

    #[test]
    fn a_meta_command_error_has_no_source_and_is_one_line() {
        let (_dir, mut s) = session();
        let mut out = Vec::new();
        let err = run_input("\\formt csv", &mut s, &mut out).unwrap_err();
        assert_eq!(
            rendered(&s, &err),
            "error: unknown command \\formt\n  hint: did you mean \\format?\n  hint: \\? lists the commands\n"
        );
    }

    #[test]
    fn every_help_example_runs_on_the_fixture() {
        let (_dir, mut s) = session();
        let examples = meta::help_examples();
        assert!(examples.len() >= 20);
        for example in examples {
            let mut out = Vec::new();
            if let Err(e) = run_input(example, &mut s, &mut out) {
                panic!("help example `{example}` fails: {}", e.message);
            }
        }
    }
}
