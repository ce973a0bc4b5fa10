//! The REPL's state between lines (the engine, output format and destination, the last
//! result, `\\set` values) and what a line leaves it to do next. Apart from `repl/mod.rs`
//! so meta-commands depend on it rather than on their parent.

use std::io::Write;
use std::path::PathBuf;

use crate::diagnostic;
use crate::error::{Error, Result};
use crate::exec::{Engine, QueryResult};
use crate::output::{self, Format, PrintOptions, ResultSet};

/// What the REPL does after a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read the next line.
    Continue,
    /// Leave the REPL.
    Quit,
}

/// Where results go: the screen, or a file set with `\o FILE`.
#[derive(Debug)]
pub enum Sink {
    /// Print results to standard output.
    Screen,
    /// Write results to a file set with `\o FILE`.
    File {
        /// The file results are written to.
        path: PathBuf,
        /// The format chosen from the file's extension.
        format: Format,
        /// Formats that cannot be appended to are rewritten with every result sent since
        /// `\o` (a workbook gets one sheet per result) or with the latest (Parquet, images).
        kept: Vec<ResultSet>,
    },
}

/// The REPL's state: the engine (with its parameters and definitions) and the settings
/// meta-commands change.
pub struct Session {
    /// The query engine, with its parameters and definitions.
    pub engine: Engine,
    /// How results are printed to the screen (`\format`).
    pub format: Format,
    /// Where results go (`\o`).
    pub sink: Sink,
    /// Whether each query's time is shown (`\timing`).
    pub timing: bool,
    /// Width of the terminal, for tables and charts.
    pub width: u16,
    /// Colour in diagnostics and highlighting.
    pub colour: bool,
    /// The last result, for `\chart`, with its title if it came from a file.
    pub last: Option<(String, ResultSet)>,
    /// Parameters set with `\set`, which win over a file's `param` defaults in `\i`.
    pub overrides: Vec<(String, String)>,
}

impl Session {
    /// A session over `engine` with the default settings.
    pub fn new(engine: Engine) -> Session {
        Session {
            engine,
            format: Format::Table,
            sink: Sink::Screen,
            timing: true,
            width: 100,
            colour: false,
            last: None,
            overrides: Vec::new(),
        }
    }

    /// Draw an error from [`run_input`] with its source line and caret where it has one.
    pub fn render_error(&self, error: &Error, out: &mut dyn Write) {
        let _ = diagnostic::render(error, &self.engine.sources(), self.colour, out);
    }

    /// Send results to `path` from now on; the file is started afresh.
    pub fn open_sink(&mut self, path: PathBuf, format: Format) -> Result<()> {
        std::fs::File::create(&path).map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
        self.sink = Sink::File { path, format, kept: Vec::new() };
        Ok(())
    }

    /// Show a result (on the screen or into the `\o` file), with its chart if it asked
    /// for one, and its time if timing is on; then keep it for `\chart`.
    pub fn show(&mut self, title: Option<&str>, result: QueryResult, out: &mut dyn Write) -> Result<()> {
        let io = |e| Error::io("cannot write output", e);
        let mut result = ResultSet::from(result);
        result.title = title.map(String::from);
        match &mut self.sink {
            Sink::Screen => {
                if let Some(title) = title {
                    writeln!(out, "\n{title}").map_err(io)?;
                }
                let screen = PrintOptions {
                    format: self.format,
                    width: Some(self.width),
                    timing: false,
                    output: None,
                    terminal: true,
                };
                screen.print(&output::Report::of(vec![result.clone()]), out, &mut std::io::sink())?;
            }
            Sink::File { path, format, kept } => {
                output::send_to_file(path, *format, &result, kept)?;
                writeln!(out, "({} rows written to {})", result.row_count(), path.display()).map_err(io)?;
            }
        }
        if self.timing
            && let Some(elapsed) = result.elapsed
        {
            writeln!(out, "Time: {:.3}s", elapsed.as_secs_f64()).map_err(io)?;
        }
        self.last = Some((title.unwrap_or("Result").to_string(), result));
        Ok(())
    }
}
