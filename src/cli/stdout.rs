//! Stdout for results, noting when its reader has gone away, and the width results may take.
//! Apart from `cli/mod.rs` so the subcommands depend on it rather than on their parent.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// The process's stdout, locked for the life of the value.
    pub fn new() -> Stdout {
        let stdout = std::io::stdout();
        let terminal = stdout.is_terminal();
        Stdout { inner: stdout.lock(), terminal }
    }

    /// Whether stdout is a terminal (rather than a pipe or file).
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
