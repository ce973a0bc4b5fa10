//! The `spendql` command line, as a library module so the binary is one call: parse the
//! arguments ([`args`]), run one function per subcommand ([`commands`]), and at the edge
//! render an error once or, when stdout's reader has gone away (`spendql query … | head -1`),
//! end quietly with status 0 as Unix tools (and ripgrep) do.

pub mod args;
pub mod commands;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;

use crate::exec::files;
use crate::{Error, diagnostic};
pub use args::Cli;

/// Parse the command line, run it, and turn the outcome into an exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let mut stdout = Stdout::new();
    let outcome = commands::run(cli, &mut stdout);
    let flushed = stdout.flush();
    if stdout_closed() {
        return ExitCode::SUCCESS;
    }
    let failure = match (outcome, flushed) {
        (Ok(()), Ok(())) => return ExitCode::SUCCESS,
        (Err(failure), _) => failure,
        (Ok(()), Err(e)) => Failure::from(Error::io("cannot write output", e)),
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (err, origin, source) = match failure {
        Failure::Plain(err) => match files::error_source(&err) {
            Some((origin, text)) => (err, origin, Some(text)),
            None => (err, "query".to_string(), None),
        },
        Failure::Query(err, source) => (err, "query".to_string(), Some(source)),
    };
    let _ = diagnostic::render(&err, &origin, source.as_deref(), color, &mut std::io::stderr());
    ExitCode::from(err.exit_code() as u8)
}

/// An error, with the query text it came from when there is one (to draw the caret).
#[derive(Debug)]
pub enum Failure {
    Plain(Box<Error>),
    Query(Box<Error>, String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Plain(Box::new(e))
    }
}

/// Set once a write to stdout found its reader gone.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether stdout's reader has gone away: every error after that is a consequence of it.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Stdout that notes a broken pipe. Every result goes through it (never `println!`, which
/// panics on a closed pipe), so wherever in the library a write fails, the edge knows why.
/// It stays line-buffered, as Rust's stdout is, so progress shows as it happens.
pub struct Stdout {
    inner: std::io::StdoutLock<'static>,
    terminal: bool,
}

impl Stdout {
    pub fn new() -> Stdout {
        let stdout = std::io::stdout();
        let terminal = stdout.is_terminal();
        Stdout { inner: stdout.lock(), terminal }
    }

    pub fn is_terminal(&self) -> bool {
        self.terminal
    }

    fn note<T>(result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
        }
        result
    }
}

impl Default for Stdout {
    fn default() -> Self {
        Stdout::new()
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Stdout::note(self.inner.write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Stdout::note(self.inner.flush())
    }
}

/// The width tables and charts may take: the terminal's (`COLUMNS`, else 120), or none
/// when stdout is not a terminal.
pub fn terminal_width(terminal: bool) -> Option<u16> {
    if !terminal {
        return None;
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).or(Some(120))
}
