//! The `spendql` command line, as a library module so the binary is one call: parse the
//! arguments ([`args`]), run one function per subcommand ([`commands`]), and at the edge
//! render an error once or, when stdout's reader has gone away (`spendql query … | head -1`),
//! end quietly with status 0 as Unix tools (and ripgrep) do.

pub mod args;
pub mod commands;
mod failure;
mod stdout;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::{Error, diagnostic};
pub use args::Cli;
pub use failure::Failure;
pub use stdout::{Stdout, stdout_closed, terminal_width};

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
    let _ = diagnostic::render(&failure.error, &failure.sources, color, &mut std::io::stderr());
    ExitCode::from(failure.error.exit_code() as u8)
}
