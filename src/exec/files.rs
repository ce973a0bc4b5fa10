//! Running saved query files (`queries/*.spql`): parameters with defaults and overrides,
//! measure definitions, includes and titled queries. It lives in `exec` so that the `run`
//! command, the REPL's `\i` and anything else share one path, and so that an error in a file
//! always comes back pointing at that file (its path and line, plus the span in its text).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};
use crate::exec::{Cancel, Engine, QueryResult};
use crate::sources::SourceId;
use crate::syntax::{self, ast};

/// Deep include chains are almost certainly a mistake; stop long before the stack would.
const MAX_INCLUDE_DEPTH: usize = 32;

impl Engine {
    /// Run every query of a saved query file in order and return them with their titles.
    ///
    /// `param` statements give defaults; `overrides` (`--param NAME=VALUE`, or the REPL's
    /// `\set`) win over them wherever they appear. `define measure` statements are registered
    /// on the engine, so later queries (and, in the REPL, later input) can use them.
    /// Errors carry the file path and line of the statement, and a span in that file's text,
    /// which the engine keeps (render them against [`Engine::sources`]).
    pub fn run_file(&mut self, path: &Path, overrides: &[(String, String)]) -> Result<Vec<(String, QueryResult)>> {
        self.run_file_with(path, overrides, Cancel::Never)
    }

    /// [`Engine::run_file`], with a choice of how each query may be cancelled.
    pub fn run_file_with(
        &mut self,
        path: &Path,
        overrides: &[(String, String)],
        cancel: Cancel,
    ) -> Result<Vec<(String, QueryResult)>> {
        let mut results = Vec::new();
        // A report's sections and KPIs are for `crate::report`, which runs files through
        // `visit_file`; here only the queries' results are wanted.
        self.visit_file(path, overrides, cancel, &mut |_, item| {
            match item {
                FileItem::Query { title, result } => results.push((title.to_string(), result)),
                FileItem::Unavailable { error, .. } => return Err(error),
                _ => {}
            }
            Ok(())
        })?;
        Ok(results)
    }

    /// Run a saved query file statement by statement, handing `visit` each one that
    /// produces something, in file order: a report's declaration, sections and KPIs as
    /// written, and each query's result once run. `visit` gets the engine, so what it does
    /// (setting a report's period as a parameter, computing a KPI) affects later statements.
    /// An error from `visit` is placed at the statement's line in its file, as the file's
    /// own errors are.
    pub fn visit_file(
        &mut self,
        path: &Path,
        overrides: &[(String, String)],
        cancel: Cancel,
        visit: &mut dyn FnMut(&mut Engine, FileItem<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut overridden = HashSet::new();
        for (name, value) in overrides {
            let operand = parse_param_value(name, value)?;
            self.params.insert(name.clone(), operand);
            overridden.insert(name.clone());
        }
        let mut runner = FileRunner { overridden, stack: Vec::new(), visit, cancel };
        runner.run(self, path)
    }
}

/// A statement of a query file that produced something, as [`Engine::visit_file`] meets it.
#[derive(Debug)]
pub enum FileItem<'a> {
    /// `report quarterly "Title"`.
    Report {
        /// The report's kind of period.
        kind: ast::ReportKind,
        /// Its title.
        title: &'a str,
    },
    /// `section "Title"`.
    Section {
        /// The section's title.
        title: &'a str,
    },
    /// `kpi "Name" = ...`, not yet computed.
    Kpi {
        /// The statement.
        kpi: &'a ast::Kpi,
        /// Its measure as written (`on-contract share`).
        measure_text: &'a str,
    },
    /// `query "Title" = ...`, run.
    Query {
        /// The query's title.
        title: &'a str,
        /// Its result.
        result: QueryResult,
    },
    /// `query "Title" = ...` on a metric the dataset holds no figures of: what to do is the
    /// visitor's choice (a report notes the gap; running the file refuses it).
    Unavailable {
        /// The query's title.
        title: &'a str,
        /// Why it could not run: the unknown metric, with the near names as hints.
        error: Error,
    },
}

/// Parse a parameter's value as the value of a `param` statement would be parsed (through
/// [`syntax::parse_operand`], so there is one literal parser and no query text is built).
/// A value that is not a literal (`Trafford`) is taken as text, because on a command line
/// quoting a string twice is a chore nobody gets right.
pub fn parse_param_value(name: &str, value: &str) -> Result<ast::Operand> {
    let name = name.trim().trim_start_matches('$');
    let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        return Err(Error::usage(format!("'{name}' is not a parameter name"))
            .with_hint("parameter names are letters, digits and _, starting with a letter: --param month=2021-06"));
    }
    Ok(syntax::parse_operand(value).unwrap_or_else(|_| {
        ast::Operand::Literal(ast::Spanned::new(ast::Literal::String(value.to_string()), 0..value.len()))
    }))
}

struct FileRunner<'v> {
    overridden: HashSet<String>,
    /// Canonical paths of the files being run, outermost first, to detect include cycles.
    stack: Vec<PathBuf>,
    visit: &'v mut dyn FnMut(&mut Engine, FileItem<'_>) -> Result<()>,
    cancel: Cancel,
}

impl FileRunner<'_> {
    fn run(&mut self, engine: &mut Engine, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("cannot read query file {}", path.display()), e).in_file(path, None))?;
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if let Some(at) = self.stack.iter().position(|p| *p == canonical) {
            let chain: Vec<String> = self.stack[at..]
                .iter()
                .chain(std::iter::once(&canonical))
                .map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
                .collect();
            // No location here: the include statement that closed the cycle adds it.
            return Err(Error::new(ErrorKind::Semantic, format!("include cycle: {}", chain.join(" → ")))
                .with_hint("a file cannot include itself, directly or through other files"));
        }
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            return Err(Error::new(
                ErrorKind::Semantic,
                format!("includes nest deeper than {MAX_INCLUDE_DEPTH} files"),
            ));
        }
        let source = File { path, text: &text, id: engine.add_source(path.display().to_string(), &text) };
        let file = syntax::parse_file(&text).map_err(|e| source.locate(e))?;
        self.stack.push(canonical);
        let outcome = self.statements(engine, &source, &file);
        self.stack.pop();
        outcome
    }

    fn statements(&mut self, engine: &mut Engine, source: &File<'_>, file: &ast::QueryFile) -> Result<()> {
        let path = source.path;
        for statement in &file.statements {
            match statement {
                ast::Statement::Param { name, value, .. } => {
                    if !self.overridden.contains(&name.node) {
                        engine.params.insert(name.node.clone(), value.clone());
                    }
                }
                ast::Statement::DefineMeasure { name, measure, filter, .. } => {
                    engine.definitions.define_measure(name, measure.clone(), filter.clone());
                }
                ast::Statement::Include { path: included, span } => {
                    let target = path.parent().unwrap_or_else(|| Path::new(".")).join(&included.node);
                    if !target.is_file() {
                        let err =
                            Error::new(ErrorKind::Input, format!("cannot include \"{}\": no such file", included.node))
                                .with_span(included.span.clone())
                                .with_hint(format!("include paths are relative to {}", path.display()));
                        return Err(source.locate(err));
                    }
                    self.run(engine, &target).map_err(|mut e| {
                        // An error inside the included file already points there; anything
                        // else (a cycle, an unreadable file) is best shown at this include.
                        if e.span.is_some() {
                            e
                        } else {
                            e.location = None;
                            e.source = None;
                            source.locate(e.with_span(span.clone()))
                        }
                    })?;
                }
                ast::Statement::Query { title, query, span } => {
                    let item = match engine.run_query_ast(query, self.cancel) {
                        Ok(result) => FileItem::Query { title: &title.node, result },
                        Err(error) if error.kind == ErrorKind::UnknownName && asks_for_a_metric(query) => {
                            FileItem::Unavailable { title: &title.node, error: source.locate(error.or_span(span)) }
                        }
                        Err(error) => return Err(source.locate(error.or_span(span))),
                    };
                    (self.visit)(engine, item).map_err(|e| source.locate(e.or_span(span)))?;
                }
                ast::Statement::Report { kind, title, span } => {
                    (self.visit)(engine, FileItem::Report { kind: kind.node, title: &title.node })
                        .map_err(|e| source.locate(e.or_span(span)))?;
                }
                ast::Statement::Section { title, span } => {
                    (self.visit)(engine, FileItem::Section { title: &title.node })
                        .map_err(|e| source.locate(e.or_span(span)))?;
                }
                ast::Statement::Kpi(kpi) => {
                    let measure_text = source.text.get(kpi.measure.span.clone()).unwrap_or_default();
                    (self.visit)(engine, FileItem::Kpi { kpi, measure_text })
                        .map_err(|e| source.locate(e.or_span(&kpi.span)))?;
                }
            }
        }
        Ok(())
    }
}

/// Whether a query measures a metric.
fn asks_for_a_metric(query: &ast::Query) -> bool {
    query.measures.iter().any(|m| matches!(m, ast::Measure::Metric(_)))
}

trait OrSpan {
    fn or_span(self, span: &std::ops::Range<usize>) -> Self;
}

impl OrSpan for Error {
    /// Errors without a place of their own (the engine failing) point at the whole query.
    fn or_span(mut self, span: &std::ops::Range<usize>) -> Self {
        if self.span.is_none() {
            self.span = Some(span.clone());
        }
        self
    }
}

/// A query file being run: where it is, its text, and its id among the engine's sources.
struct File<'a> {
    path: &'a Path,
    text: &'a str,
    id: SourceId,
}

impl File<'_> {
    /// Say that `error` is in this file: its path and the 1-based line of its span, so even
    /// a one-line rendering (`queries/x.spql:4: ...`) says where to look, and the id of this
    /// text, so the caret is drawn in it. An error already placed elsewhere is kept as it is.
    fn locate(&self, error: Error) -> Error {
        if error.location.is_some() {
            return error;
        }
        let line = error.span.as_ref().map(|s| line_of(self.text, s.start));
        error.in_file(self.path, line).in_source(self.id)
    }
}

/// The 1-based line number of a byte offset.
pub fn line_of(text: &str, offset: usize) -> u64 {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

#[cfg(test)]
mod tests {
    //! Expected totals are sums of `crate::fixture::ROWS`, worked out by hand.

    use super::*;
    use crate::catalog::Dataset;

    fn engine() -> (tempfile::TempDir, Engine) {
        let dir = tempfile::tempdir().unwrap();
        crate::fixture::write_spend_fixture(dir.path()).unwrap();
        let engine = Engine::open(&Dataset::new(dir.path())).unwrap();
        (dir, engine)
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Every row of a result as text cells, money as plain decimals.
    fn cells(result: &QueryResult) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for batch in &result.batches {
            for r in 0..batch.num_rows() {
                rows.push(
                    batch.columns().iter().map(|c| crate::output::cell_text(c, r, false).unwrap_or_default()).collect(),
                );
            }
        }
        rows
    }

    #[test]
    fn params_give_defaults_and_overrides_win() {
        let (dir, mut engine) = engine();
        let file = write(
            dir.path(),
            "t.spql",
            "param who = \"Trafford\"\nquery \"One council\" = spend where council = $who\n",
        );
        let results = engine.run_file(&file, &[]).unwrap();
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].0, "One council");
        // Trafford: 1000.00 + 250.50 - 100.00 + 30000.00 + 75.25
        assert_eq!(cells(&results[0].1), vec![vec!["31225.75".to_string()]]);

        let results = engine.run_file(&file, &[("who".into(), "Salford".into())]).unwrap();
        // Salford: 500 + 1200 + 26000 + 800 + 900
        assert_eq!(cells(&results[0].1), vec![vec!["29400.00".to_string()]]);
    }

    #[test]
    fn override_values_are_parsed_as_literals() {
        match parse_param_value("min", "£1k").unwrap() {
            ast::Operand::Literal(l) => {
                assert_eq!(l.node, ast::Literal::Number { value: "1000".into(), money: true });
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse_param_value("m", "2021-06").unwrap(), ast::Operand::Period(_)));
        match parse_param_value("who", "Trafford").unwrap() {
            ast::Operand::Literal(l) => assert_eq!(l.node, ast::Literal::String("Trafford".into())),
            other => panic!("{other:?}"),
        }
        assert_eq!(parse_param_value("no good", "1").unwrap_err().kind, ErrorKind::Usage);
    }

    #[test]
    fn override_values_that_are_not_one_literal_are_text_as_written() {
        // Quotes and backslashes are kept as typed: no query text is built from the value.
        for value in ["Smith \"Builders\" Ltd", "a\\b", "2021-06 and more", "", "spend by council"] {
            match parse_param_value("who", value).unwrap() {
                ast::Operand::Literal(l) => {
                    assert_eq!(l.node, ast::Literal::String(value.to_string()), "{value:?}");
                    assert_eq!(l.span, 0..value.len());
                }
                other => panic!("{value:?}: {other:?}"),
            }
        }
        match parse_param_value("$who", "\"Trafford\"").unwrap() {
            ast::Operand::Literal(l) => assert_eq!(l.node, ast::Literal::String("Trafford".into())),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defined_measures_and_includes() {
        let (dir, mut engine) = engine();
        write(
            dir.path(),
            "common.spql",
            "param min = £1k\ndefine measure big payments = transactions where amount >= $min\n",
        );
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let file = write(
            dir.path(),
            "sub/main.spql",
            "include \"../common.spql\"\nquery \"Big by council\" = big payments by council order by council\n",
        );
        let results = engine.run_file(&file, &[]).unwrap();
        // Payments of £1,000 or more: Trafford 1000.00, 30000.00; Salford 1200.00, 26000.00;
        // Stockport 2000.00, 4000.00.
        assert_eq!(
            cells(&results[0].1),
            vec![
                vec!["Salford".to_string(), "2".into()],
                vec!["Stockport".into(), "2".into()],
                vec!["Trafford".into(), "2".into()]
            ]
        );
        // With a higher threshold only Trafford's and Salford's capital payments remain
        // (30,000.00 and 26,000.00). The measure's `where` is its restriction and the query's
        // only measure carries it, so it filters rows: Stockport, with no payment of £25k or
        // more, has no row (the README's rule; issue 9 settled it this way, not "Stockport, 0").
        let results = engine.run_file(&file, &[("min".into(), "£25k".into())]).unwrap();
        assert_eq!(
            cells(&results[0].1),
            vec![vec!["Salford".to_string(), "1".into()], vec!["Trafford".into(), "1".into()]]
        );
    }

    #[test]
    fn issue_9_a_defined_measures_where_filters_rows_only_when_every_measure_carries_it() {
        let (dir, mut engine) = engine();
        let file = write(
            dir.path(),
            "mixed.spql",
            "define measure big payments = transactions where amount >= £25k\n\
             define measure big spend = spend where amount >= £25k\n\
             query \"Mixed\" = big payments, transactions by council order by council\n\
             query \"Both\" = big payments, big spend by council order by council\n",
        );
        let results = engine.run_file(&file, &[]).unwrap();
        // `transactions` has no restriction, so every council keeps its row: Salford 5
        // payments (one of £25k or more: 26,000.00), Stockport 4 (none), Trafford 5 (30,000.00).
        assert_eq!(
            cells(&results[0].1),
            vec![
                vec!["Salford".to_string(), "1".into(), "5".into()],
                vec!["Stockport".into(), "0".into(), "4".into()],
                vec!["Trafford".into(), "1".into(), "5".into()]
            ]
        );
        // Two measures with the same restriction: rows are filtered, Stockport disappears.
        // Salford's 26,000.00 and Trafford's 30,000.00 are the only payments of £25k or more.
        assert_eq!(
            cells(&results[1].1),
            vec![
                vec!["Salford".to_string(), "1".into(), "26000.00".into()],
                vec!["Trafford".into(), "1".into(), "30000.00".into()]
            ]
        );
    }

    #[test]
    fn issue_12_a_defined_contracts_measure_filters_on_contract_fields() {
        let dir = tempfile::tempdir().unwrap();
        crate::fixture::write_linked_fixture(dir.path()).unwrap();
        let mut engine = Engine::open(&Dataset::new(dir.path())).unwrap();
        let file = write(
            dir.path(),
            "sv.spql",
            "define measure valued contracts = contracts where social value > 0\n\
             query \"SV\" = valued contracts, contracts\n",
        );
        let results = engine.run_file(&file, &[]).unwrap();
        // fixture::CONTRACTS: T-AMEY £2,000 and S-WATES £5,000 of social value; K-CAPITA and
        // S-CATER none. The `where` reads the contracts' own field, not spend's.
        assert_eq!(cells(&results[0].1), vec![vec!["2".to_string(), "4".into()]]);
    }

    #[test]
    fn include_cycles_are_refused_with_the_chain() {
        let (dir, mut engine) = engine();
        write(dir.path(), "a.spql", "include \"b.spql\"\nquery \"A\" = spend\n");
        write(dir.path(), "b.spql", "include \"a.spql\"\n");
        let err = engine.run_file(&dir.path().join("a.spql"), &[]).unwrap_err();
        assert!(err.message.contains("include cycle: a.spql → b.spql → a.spql"), "{}", err.message);
        let location = err.location.unwrap();
        assert!(location.file.ends_with("b.spql"), "{location:?}");
        assert_eq!(location.line, Some(1));
    }

    #[test]
    fn errors_point_at_the_file_line_and_span() {
        let (dir, mut engine) = engine();
        let text = "# totals\nquery \"Fine\" = spend\nquery \"Broken\" = spend by councl\n";
        let file = write(dir.path(), "broken.spql", text);
        let err = engine.run_file(&file, &[]).unwrap_err();
        let location = err.location.clone().unwrap();
        assert_eq!(location.file, file);
        assert_eq!(location.line, Some(3));
        let span = err.span.clone().unwrap();
        assert_eq!(&text[span], "councl");
        // The engine kept the file's text under its path, for the caret; nothing re-reads it.
        std::fs::remove_file(&file).unwrap();
        let sources = engine.sources();
        let kept = sources.get(err.source.unwrap()).unwrap();
        assert_eq!((kept.name.clone(), &*kept.text), (file.display().to_string(), text));
    }

    #[test]
    fn an_error_in_an_included_file_points_into_that_file() {
        let (dir, mut engine) = engine();
        let inner = "param min = £1k\nquery \"Inner\" = spend by councl\n";
        let included = write(dir.path(), "inner.spql", inner);
        let outer = write(dir.path(), "outer.spql", "query \"Outer\" = spend\ninclude \"inner.spql\"\n");
        let err = engine.run_file(&outer, &[]).unwrap_err();
        assert_eq!(err.location.clone().unwrap(), crate::error::Location { file: included.clone(), line: Some(2) });
        let sources = engine.sources();
        let kept = sources.get(err.source.unwrap()).unwrap();
        assert_eq!(kept.name, included.display().to_string());
        assert_eq!(&kept.text[err.span.unwrap()], "councl");
    }

    #[test]
    fn an_include_of_a_cycle_points_at_the_include_in_the_outer_file() {
        let (dir, mut engine) = engine();
        let text = "query \"A\" = spend\ninclude \"self.spql\"\n";
        let file = write(dir.path(), "self.spql", text);
        let err = engine.run_file(&file, &[]).unwrap_err();
        assert!(err.message.contains("include cycle"), "{}", err.message);
        let sources = engine.sources();
        let kept = sources.get(err.source.unwrap()).unwrap();
        assert_eq!(&kept.text[err.span.unwrap()], "include \"self.spql\"");
    }

    #[test]
    fn a_query_file_error_is_drawn_at_its_line_and_column() {
        let (dir, mut engine) = engine();
        let text = "# Totals\nquery \"Fine\" = spend\nquery \"One council\" =\n    spend by category\n    where council = \"Traford\"\n";
        let file = write(dir.path(), "report.spql", text);
        let err = engine.run_file(&file, &[]).unwrap_err();
        // Line 5 is `    where council = "Traford"`: four spaces, `where` and a space (10),
        // `council` and a space (18), `=` and a space (20), so the string is at column 21.
        assert_eq!(err.location.clone().unwrap().line, Some(5));
        let mut out = Vec::new();
        crate::diagnostic::render(&err, &engine.sources(), false, &mut out).unwrap();
        let rendered = String::from_utf8(out).unwrap().replace(&dir.path().display().to_string(), "[DIR]");
        assert!(rendered.contains("[DIR]/report.spql:5:21"), "{rendered}");
        insta::assert_snapshot!("query_file_error", rendered);
    }

    #[test]
    fn a_missing_include_points_at_the_include() {
        let (dir, mut engine) = engine();
        let file = write(dir.path(), "m.spql", "query \"A\" = spend\ninclude \"nowhere.spql\"\n");
        let err = engine.run_file(&file, &[]).unwrap_err();
        assert!(err.message.contains("nowhere.spql"), "{}", err.message);
        assert_eq!(err.location.unwrap().line, Some(2));
    }

    #[test]
    fn line_numbers_count_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
