//! A forgiving tokenizer for the places the grammar cannot help: bounding bracket nesting
//! before pest recurses, explaining failed parses (an unclosed string or bracket, the token
//! at the error, a misspelt keyword) and the REPL's "is this input finished?" question.
//! It never fails and never panics: every byte of any input lands in some token or is skipped.

use crate::error::{Error, Span};

/// Words reserved by the grammar (case-insensitive): none of them can be part of a measure
/// or dimension name. `param`, `query`, `define`, `measure`, `include`, `report`, `section`
/// and `kpi` are reserved so a query in a file ends where the next statement starts; a KPI's
/// rule words (`target`, `floor`, `tolerance`, `per`, `for`, `higher`, `lower`) so its
/// measure and condition end where its rules start.
pub const KEYWORDS: &[&str] = &[
    "by",
    "where",
    "and",
    "or",
    "not",
    "in",
    "between",
    "having",
    "order",
    "limit",
    "top",
    "bottom",
    "within",
    "across",
    "compare",
    "with",
    "as",
    "is",
    "missing",
    "asc",
    "desc",
    "last",
    "next",
    "this",
    "previous",
    "true",
    "false",
    "chart",
    "param",
    "query",
    "define",
    "measure",
    "include",
    "metric",
    "report",
    "section",
    "kpi",
    "target",
    "floor",
    "tolerance",
    "per",
    "for",
    "higher",
    "lower",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenKind {
    /// Letters first: a name word or a keyword (`council`, `off-contract`, `FY2021/22`).
    Word,
    /// Digits, `£` or a sign first: `2015`, `£25k`, `2021-04-01`, `-3`.
    Number,
    /// A quoted string; `closed` is false when the input ends inside it.
    String { closed: bool },
    /// `$month`.
    Param,
    /// Operators and punctuation, one or two characters.
    Symbol,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

impl Token {
    pub fn text<'s>(&self, source: &'s str) -> &'s str {
        source.get(self.span.clone()).unwrap_or("")
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

pub(super) fn tokenize(source: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(source.len(), |&(offset, _)| offset);
    let char_at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(c) = char_at(i) {
        let start = end_of(i);
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '#' {
            while char_at(i).is_some_and(|c| c != '\n') {
                i += 1;
            }
            continue;
        }
        let kind = if c == '"' || c == '\'' {
            i += 1;
            let mut closed = false;
            while let Some(d) = char_at(i) {
                i += 1;
                if d == '\\' {
                    i += 1;
                } else if d == c {
                    closed = true;
                    break;
                }
            }
            TokenKind::String { closed }
        } else if c.is_alphabetic() {
            // Hyphens and slashes stay inside when followed by a letter or digit, so
            // `off-contract` and `FY2021/22` are one token each.
            i += 1;
            while let Some(d) = char_at(i) {
                let joins = (d == '-' || d == '/') && char_at(i + 1).is_some_and(is_word_char);
                if is_word_char(d) || joins {
                    i += 1;
                } else {
                    break;
                }
            }
            TokenKind::Word
        } else if c.is_ascii_digit()
            || (c == '£' || c == '-') && char_at(i + 1).is_some_and(|d| d.is_ascii_digit() || d == '£' || d == '-')
        {
            i += 1;
            while let Some(d) = char_at(i) {
                let joins = matches!(d, '-' | '.' | '/') && char_at(i + 1).is_some_and(is_word_char);
                if is_word_char(d) || d == '£' || joins {
                    i += 1;
                } else {
                    break;
                }
            }
            TokenKind::Number
        } else if c == '$' {
            i += 1;
            while char_at(i).is_some_and(is_word_char) {
                i += 1;
            }
            TokenKind::Param
        } else {
            let pair: String = [Some(c), char_at(i + 1)].into_iter().flatten().collect();
            i += if matches!(pair.as_str(), "<=" | ">=" | "<>" | "!=" | "==") { 2 } else { 1 };
            TokenKind::Symbol
        };
        tokens.push(Token { kind, span: start..end_of(i) });
    }
    tokens
}

/// Refuse bracket nesting deeper than `max` before the recursive-descent parser sees it, so
/// no input can exhaust the stack.
pub(super) fn check_nesting(source: &str, max: usize) -> Result<(), Error> {
    let mut depth = 0usize;
    for token in tokenize(source) {
        match token.text(source) {
            "(" => {
                depth += 1;
                if depth > max {
                    return Err(Error::syntax(format!("brackets are nested more than {max} deep here"), token.span)
                        .with_hint("split the condition into simpler parts, or remove brackets that group nothing"));
                }
            }
            ")" => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The first string the input ends inside of, if any.
pub(super) fn unclosed_string(tokens: &[Token]) -> Option<&Token> {
    tokens.iter().find(|t| t.kind == TokenKind::String { closed: false })
}

/// A bracket that has no partner: the first `)` without a `(`, or else the innermost `(`
/// still open at the end. The flag says whether it is a closing bracket.
pub(super) fn unbalanced_bracket(tokens: &[Token], source: &str) -> Option<(Span, bool)> {
    let mut open = Vec::new();
    for token in tokens {
        let text = token.text(source);
        if text == "(" {
            open.push(token.span.clone());
        } else if text == ")" && open.pop().is_none() {
            return Some((token.span.clone(), true));
        }
    }
    open.pop().map(|span| (span, false))
}

/// The token starting at or after `pos`: what a parse error at `pos` tripped over.
pub(super) fn token_at(tokens: &[Token], pos: usize) -> Option<(usize, &Token)> {
    tokens.iter().enumerate().find(|(_, t)| t.span.end > pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str) -> Vec<&str> {
        tokenize(source).iter().map(|t| t.text(source)).collect()
    }

    #[test]
    fn splits_words_numbers_strings_and_symbols() {
        assert_eq!(
            texts("spend off-contract by council where amount >= £25k and x in (\"a b\", 'c') # note"),
            [
                "spend",
                "off-contract",
                "by",
                "council",
                "where",
                "amount",
                ">=",
                "£25k",
                "and",
                "x",
                "in",
                "(",
                "\"a b\"",
                ",",
                "'c'",
                ")"
            ]
        );
        assert_eq!(texts("fy = FY2021/22 and d = 2021-04-01"), ["fy", "=", "FY2021/22", "and", "d", "=", "2021-04-01"]);
        assert_eq!(texts("$month<>-3"), ["$month", "<>", "-3"]);
    }

    #[test]
    fn reports_an_unclosed_string_and_brackets() {
        let source = "x = \"Salf";
        let tokens = tokenize(source);
        assert_eq!(unclosed_string(&tokens).map(|t| t.span.clone()), Some(4..9));

        let source = "(a and (b or c)";
        assert_eq!(unbalanced_bracket(&tokenize(source), source), Some((0..1, false)));
        let source = "a) and (b";
        assert_eq!(unbalanced_bracket(&tokenize(source), source), Some((1..2, true)));
        let source = "(a) and \"(\"";
        assert_eq!(unbalanced_bracket(&tokenize(source), source), None);
    }

    #[test]
    fn bounds_nesting() {
        assert!(check_nesting(&"(".repeat(3), 3).is_ok());
        let err = check_nesting(&"(".repeat(4), 3).unwrap_err();
        assert_eq!(err.span, Some(3..4));
        assert!(check_nesting("\"((((((\"", 3).is_ok());
    }

    #[test]
    fn survives_awkward_text() {
        for source in ["£", "-", "\"\\", "'", "é£-$", "£-£", "ab-", "a/"] {
            let tokens = tokenize(source);
            let covered: usize = tokens.iter().map(|t| t.span.len()).sum();
            assert!(covered <= source.len(), "{source:?}");
        }
    }
}
