//! Rendering errors for people: the source line, a caret under the span, and hints.
//! Called once, at the edge (the command line and the REPL); the library only builds
//! [`Error`] values.

use std::io::Write;

use ariadne::{Config, Label, Report, ReportKind, Source};

use crate::error::Error;

/// Render `error` against the query `source` it came from (if any) to `out`.
/// `origin` names the source: `query`, or a file path for saved query files.
pub fn render(
    error: &Error,
    origin: &str,
    source: Option<&str>,
    color: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match (source, &error.span) {
        (Some(source), Some(span)) => {
            let span = clamp(span.clone(), source.len());
            let mut report = Report::build(ReportKind::Error, (origin, span.clone()))
                .with_config(Config::default().with_color(color).with_index_type(ariadne::IndexType::Byte))
                .with_message(&error.message)
                .with_label(Label::new((origin, span)).with_message(label_for(error)));
            if !error.hints.is_empty() {
                report = report.with_help(error.hints.join("\n"));
            }
            let mut buf = Vec::new();
            report.finish().write((origin, Source::from(source)), &mut buf)?;
            out.write_all(&buf)
        }
        _ => {
            writeln!(out, "error: {error}")?;
            for hint in &error.hints {
                writeln!(out, "  hint: {hint}")?;
            }
            Ok(())
        }
    }
}

fn label_for(error: &Error) -> String {
    use crate::error::ErrorKind::*;
    match error.kind {
        Syntax => "here".into(),
        UnknownName => "unknown name".into(),
        UnknownValue => "not in the data".into(),
        _ => "here".into(),
    }
}

/// ariadne needs a span inside the text; an error at end of input points just past it.
fn clamp(span: std::ops::Range<usize>, len: usize) -> std::ops::Range<usize> {
    let start = span.start.min(len);
    let end = span.end.clamp(start, len);
    if start == end { start..(start + 1).min(len.max(start + 1)) } else { start..end }
}
