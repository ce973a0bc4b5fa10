//! The one error type of the library: a kind, a message, an optional span and the id of
//! the text it points into (see [`crate::sources`]), or a location in an input file, and
//! hints. Errors carry facts only; rendering them with source lines and carets happens
//! once, at the edge (see [`crate::diagnostic`]).

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use crate::sources::SourceId;

/// A byte range in the query text an error or AST node came from.
pub type Span = Range<usize>;

/// What went wrong, coarsely: decides the exit code and how the error is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The query text does not match the grammar.
    Syntax,
    /// A name (measure, dimension, table, parameter) is not known.
    UnknownName,
    /// A value (council, category, ...) does not occur in the data.
    UnknownValue,
    /// A construct is well-formed but makes no sense here (for example `top` without a dimension).
    Semantic,
    /// An input file cannot be loaded: missing, empty, unrecognisable.
    Input,
    /// A file did not reconcile: rows or money do not add up.
    Reconciliation,
    /// The dataset directory is missing, locked or damaged.
    Dataset,
    /// The query engine failed while planning or running.
    Execution,
    /// Reading or writing a file failed.
    Io,
    /// The user cancelled the operation.
    Cancelled,
    /// Command-line or meta-command misuse.
    Usage,
}

/// Where in an input file (not query text) an error happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The input file, as given.
    pub file: PathBuf,
    /// 1-based line number, when the error is about one line.
    pub line: Option<u64>,
}

/// An error from any stage of the library, with what is needed to render it.
#[derive(Debug, Clone)]
pub struct Error {
    /// What went wrong, coarsely; decides the exit code.
    pub kind: ErrorKind,
    /// What is wrong, in one sentence, without hints.
    pub message: String,
    /// Byte range in the query source, for language errors.
    pub span: Option<Span>,
    /// The text `span` points into, once the engine has said which one it parsed.
    pub source: Option<SourceId>,
    /// File and line, for input-file errors.
    pub location: Option<Location>,
    /// Suggestions shown under the message (`did you mean 'category'?`). The message says
    /// what is wrong; a guess at the fix belongs here, never spliced into the message.
    pub hints: Vec<String>,
}

/// `std::result::Result` with this crate's [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `message` and no span, location or hints.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), span: None, source: None, location: None, hints: Vec::new() }
    }

    /// Point the error at `span` in the query text.
    pub fn with_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Say which text the span points into, unless the error has no span or an inner
    /// stage (an included file) already said.
    pub fn in_source(mut self, source: SourceId) -> Self {
        if self.span.is_some() && self.source.is_none() {
            self.source = Some(source);
        }
        self
    }

    /// Add a hint shown under the message.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Say which input file (and 1-based line, if any) the error is about.
    pub fn in_file(mut self, file: impl Into<PathBuf>, line: Option<u64>) -> Self {
        self.location = Some(Location { file: file.into(), line });
        self
    }

    /// A [`ErrorKind::Syntax`] error at `span`.
    pub fn syntax(message: impl Into<String>, span: Span) -> Self {
        Error::new(ErrorKind::Syntax, message).with_span(span)
    }

    /// An [`ErrorKind::Input`] error about `file`, at `line` if given.
    pub fn input(file: impl Into<PathBuf>, line: Option<u64>, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Input, message).in_file(file, line)
    }

    /// An [`ErrorKind::Io`] error: `context` (what was being done) followed by `err`.
    pub fn io(context: impl fmt::Display, err: std::io::Error) -> Self {
        Error::new(ErrorKind::Io, format!("{context}: {err}"))
    }

    /// A [`ErrorKind::Dataset`] error.
    pub fn dataset(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Dataset, message)
    }

    /// An [`ErrorKind::Execution`] error carrying the engine's message.
    pub fn execution(err: impl fmt::Display) -> Self {
        Error::new(ErrorKind::Execution, err.to_string())
    }

    /// A [`ErrorKind::Usage`] error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Usage, message)
    }

    /// Exit code for the command line: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Usage => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for Error {
    /// One line: `file:line: message`, without source rendering.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{}", loc.file.display())?;
            if let Some(line) = loc.line {
                write!(f, ":{line}")?;
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", self.message)
    }
}

// Not derived with `thiserror`: its derive would take the field `source` for the error's
// cause, and there is nothing else to derive.
impl std::error::Error for Error {}

impl From<datafusion::error::DataFusionError> for Error {
    fn from(err: datafusion::error::DataFusionError) -> Self {
        Error::execution(err)
    }
}

impl From<datafusion::arrow::error::ArrowError> for Error {
    fn from(err: datafusion::arrow::error::ArrowError) -> Self {
        Error::execution(err)
    }
}

impl From<datafusion::parquet::errors::ParquetError> for Error {
    fn from(err: datafusion::parquet::errors::ParquetError) -> Self {
        Error::execution(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_stays_small_enough_to_return_by_value() {
        // Clippy's `result_large_err` starts at 128 bytes; every stage returns `Result<_, Error>`.
        assert!(size_of::<Error>() < 128, "{} bytes", size_of::<Error>());
    }
}
