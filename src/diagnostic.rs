//! Rendering errors for people: the source line, a caret under the span, and hints.
//! This is the one renderer: the command line, the REPL and query files all call
//! [`render`] with the [`Sources`] their engine kept, and the library only builds
//! [`Error`] values.

use std::io::Write;

use ariadne::{Config, Label, Report, ReportKind, Source};

use crate::error::{Error, ErrorKind, Span};
use crate::sources::Sources;

/// Render `error` to `out`: against the text its span points into when `sources` holds it
/// (with that text's name, `query` or a file's path, and line and column), otherwise as
/// one line, `error: file:line: message`. Hints follow either way.
pub fn render(error: &Error, sources: &Sources, color: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let source = error.source.and_then(|id| sources.get(id));
    match (source, &error.span) {
        (Some(source), Some(span)) => {
            let origin = source.name.as_str();
            let span = clamp(span.clone(), source.text.len());
            let mut report = Report::build(ReportKind::Error, (origin, span.clone()))
                .with_config(Config::default().with_color(color).with_index_type(ariadne::IndexType::Byte))
                .with_message(&error.message)
                .with_label(Label::new((origin, span)).with_message(label_for(error.kind)));
            if !error.hints.is_empty() {
                report = report.with_help(error.hints.join("\n"));
            }
            let mut buf = Vec::new();
            report.finish().write((origin, Source::from(&*source.text)), &mut buf)?;
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

fn label_for(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::UnknownName => "unknown name",
        ErrorKind::UnknownValue => "not in the data",
        _ => "here",
    }
}

/// ariadne needs a span inside the text; an error at end of input points just past it.
fn clamp(span: Span, len: usize) -> Span {
    let start = span.start.min(len);
    let end = span.end.clamp(start, len);
    if start == end { start..(start + 1).min(len.max(start + 1)) } else { start..end }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(error: &Error, sources: &Sources) -> String {
        let mut out = Vec::new();
        render(error, sources, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn an_error_in_a_kept_text_is_drawn_with_its_name_line_and_column() {
        let mut sources = Sources::new();
        sources.add("query", "spend by council");
        let file = sources.add("r.spql", "query \"A\" = spend\nquery \"B\" = spend by councl\n");
        // Line 2 starts at byte 18; `councl` starts 21 bytes into it, at column 22.
        let err = Error::new(ErrorKind::UnknownName, "unknown dimension 'councl'")
            .with_span(39..45)
            .in_source(file)
            .with_hint("did you mean 'council'?");
        let text = rendered(&err, &sources);
        assert!(text.contains("[ r.spql:2:22 ]"), "{text}");
        assert!(text.contains(" 2 │ query \"B\" = spend by councl"), "{text}");
        assert!(text.contains("unknown name") && text.contains("Help: did you mean 'council'?"), "{text}");
    }

    #[test]
    fn without_its_text_an_error_is_one_line_with_its_hints() {
        let err = Error::syntax("expected a measure", 0..2).with_hint("start with `spend`");
        // A span but no source id: nothing to draw it against.
        assert_eq!(rendered(&err, &Sources::new()), "error: expected a measure\n  hint: start with `spend`\n");
        // A source id from another session's map finds nothing either.
        let mut other = Sources::new();
        let id = other.add("query", "by council");
        assert_eq!(rendered(&err.clone().in_source(id), &Sources::new()).lines().count(), 2);
        let input = Error::input("spend.csv", Some(7), "no amount");
        assert_eq!(rendered(&input, &other), "error: spend.csv:7: no amount\n");
    }

    #[test]
    fn a_span_past_the_end_points_just_after_the_text() {
        assert_eq!(clamp(16..16, 16), 16..17);
        assert_eq!(clamp(3..99, 10), 3..10);
        assert_eq!(clamp(12..14, 10), 10..11);
    }
}
