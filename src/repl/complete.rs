//! What the REPL offers while typing: completions, the greyed hint, syntax colours and the
//! "is this input finished?" check. All are plain functions over a [`Vocabulary`], so they
//! are tested without a terminal; `rustyline` only calls them.

use std::collections::BTreeMap;

use crate::exec::Engine;
use crate::schema::Table;
use crate::semantic::model;
use crate::syntax;

use super::command::{Command, SCREEN_FORMATS};

/// The names and values completion offers, read once from the model and the dataset.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Measures, including ones defined with `define measure`.
    pub measures: Vec<String>,
    /// Dimension names.
    pub dimensions: Vec<String>,
    /// Measure modifiers (`card`, `off-contract`, ...).
    pub modifiers: Vec<String>,
    /// Row field names usable in conditions.
    pub fields: Vec<String>,
    /// Language keywords.
    pub keywords: Vec<String>,
    /// Values of text dimensions, by dimension name (`council` → `Trafford`, ...).
    pub values: BTreeMap<String, Vec<String>>,
}

impl Vocabulary {
    /// Names from the semantic model only (no data values).
    pub fn from_model() -> Vocabulary {
        Vocabulary {
            measures: model::measure_names()
                .chain(model::MEASURE_SETS.iter().map(|(name, _, _)| *name))
                .chain(model::REPORTS.iter().map(|r| r.name))
                .map(String::from)
                .collect(),
            dimensions: model::dimension_names().map(String::from).collect(),
            modifiers: model::MODIFIERS.iter().map(|(w, _, _)| w.to_string()).collect(),
            fields: model::FIELDS.iter().map(|f| f.name.to_string()).collect(),
            keywords: syntax::KEYWORDS.iter().map(ToString::to_string).collect(),
            values: BTreeMap::new(),
        }
    }

    /// Names from the model and the engine's definitions, and values read from the dataset
    /// (cached by the engine). A dataset without spend data simply offers no values.
    pub fn load(engine: &Engine) -> Vocabulary {
        let mut vocabulary = Vocabulary::from_model();
        vocabulary.measures.extend(engine.definitions.measure_names().map(String::from));
        // The dimensions whose values the resolver checks literals against are the ones
        // offered inside a string.
        for dimension in model::DIMENSIONS.iter().filter(|d| d.has_values) {
            let Some((table, column)) = dimension.value_column() else { continue };
            if !engine.has_table(table) {
                continue;
            }
            if let Ok(values) = engine.column_values(table, column) {
                vocabulary.values.insert(dimension.name.to_string(), values);
            }
        }
        vocabulary
    }

    /// Learn the measures defined on the engine since (`define measure` in a file run by
    /// `\i`), so they complete like the built-in ones.
    pub fn add_definitions(&mut self, engine: &Engine) {
        self.measures.extend(engine.definitions.measure_names().map(String::from));
        self.measures.sort();
        self.measures.dedup();
    }

    fn names(&self) -> impl Iterator<Item = &String> {
        self.measures.iter().chain(&self.dimensions).chain(&self.modifiers).chain(&self.fields).chain(&self.keywords)
    }
}

/// Completions for the text before `pos`: the byte offset where the replaced text starts,
/// and the candidates that replace it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completion {
    /// Byte offset where the text to replace starts.
    pub start: usize,
    /// What may replace it, in offered order.
    pub candidates: Vec<String>,
}

/// Complete the word (or string value) that ends at `pos` in `line`.
pub fn complete(line: &str, pos: usize, vocabulary: &Vocabulary) -> Completion {
    let pos = floor_char_boundary(line, pos);
    let before = &line[..pos];
    if let Some(rest) = before.strip_prefix('\\') {
        return complete_meta(rest, vocabulary);
    }
    if let Some(quote) = open_string_start(before) {
        let prefix = &before[quote + 1..];
        let Some(dimension) = dimension_before(&before[..quote]) else { return Completion::default() };
        let Some(values) = vocabulary.values.get(dimension) else { return Completion::default() };
        let quote_char = &before[quote..=quote];
        let lower = prefix.to_lowercase();
        let candidates: Vec<String> = values
            .iter()
            .filter(|v| v.to_lowercase().starts_with(&lower))
            .take(200)
            .map(|v| format!("{v}{quote_char}"))
            .collect();
        return Completion { start: quote + 1, candidates };
    }
    let start = word_start(before);
    let prefix = before[start..].to_lowercase();
    if prefix.is_empty() {
        return Completion { start, candidates: Vec::new() };
    }
    let mut candidates: Vec<String> = vocabulary.names().filter(|n| n.starts_with(&prefix)).cloned().collect();
    candidates.sort();
    candidates.dedup();
    Completion { start, candidates }
}

/// After `\`: the names of [`Command::ALL`], or a command's argument.
fn complete_meta(rest: &str, vocabulary: &Vocabulary) -> Completion {
    match rest.split_once(' ') {
        None => {
            let typed = format!("\\{rest}");
            let candidates = Command::ALL.iter().map(|c| c.name()).filter(|name| name.starts_with(&typed)).collect();
            Completion { start: 0, candidates }
        }
        Some((name, argument)) => {
            let options: Vec<String> = match Command::named(name) {
                Some(Command::Format) => SCREEN_FORMATS.iter().map(|f| f.name().to_string()).collect(),
                Some(Command::Help) => super::help::TOPICS.iter().map(|(t, _)| t.to_string()).collect(),
                Some(Command::Describe) => Table::ALL.iter().map(|t| t.name().to_string()).collect(),
                Some(Command::Explain) => return shift(complete(argument, argument.len(), vocabulary), name.len() + 2),
                _ => Vec::new(),
            };
            let argument = argument.trim_start();
            let start = 1 + name.len() + (rest.len() - name.len() - argument.len());
            Completion { start, candidates: options.into_iter().filter(|o| o.starts_with(argument)).collect() }
        }
    }
}

fn shift(mut completion: Completion, by: usize) -> Completion {
    completion.start += by;
    completion
}

fn floor_char_boundary(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

/// Where the word being typed starts: letters, digits, `_` and `-`.
fn word_start(before: &str) -> usize {
    before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '-')
        .last()
        .map_or(before.len(), |(i, _)| i)
}

/// The offset of the quote that opens a string still open at the end of `before`.
fn open_string_start(before: &str) -> Option<usize> {
    let mut open: Option<(usize, char)> = None;
    let mut escaped = false;
    for (i, c) in before.char_indices() {
        match open {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some((_, q)) if c == q => open = None,
            None if c == '"' || c == '\'' => open = Some((i, c)),
            _ => {}
        }
    }
    open.map(|(i, _)| i)
}

/// The dimension a string being typed is compared with: `council = "`, `category in ("IT", "`,
/// `supplier ~ "`. Returns the dimension's canonical name.
fn dimension_before(text: &str) -> Option<&'static str> {
    let mut text = text.trim_end();
    // Inside a list, step back over earlier values to the `in (`.
    if let Some(open) = text.rfind('(')
        && !text[open..].contains(')')
    {
        let head = text[..open].trim_end();
        let lower = head.to_lowercase();
        if lower.ends_with(" in") {
            text = head[..head.len() - 2].trim_end();
            let lower = text.to_lowercase();
            if lower.ends_with(" not") {
                text = text[..text.len() - 3].trim_end();
            }
            return dimension_named(text);
        }
        return None;
    }
    let stripped = text.trim_end_matches(['=', '!', '<', '>', '~']);
    if stripped.len() == text.len() {
        return None;
    }
    dimension_named(stripped.trim_end())
}

/// The dimension named by the last one or two words of `text`.
fn dimension_named(text: &str) -> Option<&'static str> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let lower = |ws: &[&str]| ws.join(" ").to_lowercase();
    let n = words.len();
    let tries = [
        if n >= 2 { Some(lower(&words[n - 2..])) } else { None },
        if n >= 1 { Some(lower(&words[n - 1..])) } else { None },
    ];
    tries.into_iter().flatten().find_map(|name| model::find_dimension(&name).map(|d| d.name))
}

/// The greyed text shown after the cursor: the rest of the only completion, if there is one.
pub fn hint(line: &str, pos: usize, vocabulary: &Vocabulary) -> Option<String> {
    if pos < line.len() || line.trim().is_empty() {
        return None;
    }
    let completion = complete(line, pos, vocabulary);
    match completion.candidates.as_slice() {
        [only] => {
            let typed = &line[completion.start..pos];
            let rest = only.get(typed.len()..)?;
            // Only a continuation of what was typed makes sense as a hint.
            only.to_lowercase().starts_with(&typed.to_lowercase()).then(|| rest.to_string()).filter(|r| !r.is_empty())
        }
        _ => None,
    }
}

/// Whether `input` is ready to run: meta-commands always are (they are one line), queries
/// are unless the parser says they are clearly unfinished (an open bracket or string, a
/// trailing operator or `and`). Wrong input is "ready": running it shows the error.
pub fn is_complete(input: &str) -> bool {
    let trimmed = input.trim_start();
    trimmed.starts_with('\\') || trimmed.is_empty() || !syntax::is_incomplete(input)
}

/// ANSI colours for a line of input: keywords bold, strings green, numbers cyan,
/// meta-commands magenta.
pub fn highlight(line: &str) -> String {
    const RESET: &str = "\x1b[0m";
    if line.trim_start().starts_with('\\') {
        return format!("\x1b[35m{line}{RESET}");
    }
    let mut out = String::with_capacity(line.len() + 16);
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '"' || c == '\'' {
            let mut end = line.len();
            let mut escaped = false;
            for (j, d) in chars.by_ref() {
                if escaped {
                    escaped = false;
                } else if d == '\\' {
                    escaped = true;
                } else if d == c {
                    end = j + d.len_utf8();
                    break;
                }
            }
            out.push_str(&format!("\x1b[32m{}{RESET}", &line[i..end]));
        } else if c.is_alphabetic() {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' || d == '-' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &line[i..end];
            if syntax::KEYWORDS.contains(&word.to_lowercase().as_str()) {
                out.push_str(&format!("\x1b[1;34m{word}{RESET}"));
            } else {
                out.push_str(word);
            }
        } else if c.is_ascii_digit() || c == '£' || c == '$' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '.' || d == '/' || d == '-' || d == '_' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            out.push_str(&format!("\x1b[36m{}{RESET}", &line[i..end]));
        } else {
            out.push(c);
        }
    }
    out
}

/// Colour is for people at a capable terminal: off with `NO_COLOR` or `TERM=dumb`.
pub fn colour_enabled(no_color: Option<&str>, term: Option<&str>) -> bool {
    no_color.is_none() && term != Some("dumb")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        let mut v = Vocabulary::from_model();
        v.values.insert("council".into(), vec!["Salford".into(), "Stockport".into(), "Trafford".into()]);
        v.values.insert("category".into(), vec!["Highways".into(), "IT".into(), "Social Care".into()]);
        v
    }

    #[test]
    fn keywords_and_measures_complete_by_prefix() {
        let v = vocabulary();
        let c = complete("spend by council whe", 20, &v);
        assert_eq!(c.start, 17);
        assert_eq!(c.candidates, vec!["where"]);
        let c = complete("tra", 3, &v);
        assert!(c.candidates.contains(&"transactions".to_string()), "{c:?}");
        let c = complete("aver", 4, &v);
        assert_eq!(c.candidates, vec!["average payment"]);
    }

    #[test]
    fn dimension_names_complete() {
        let v = vocabulary();
        let c = complete("spend by dep", 12, &v);
        assert_eq!(c.candidates, vec!["department"]);
        let c = complete("spend by f", 10, &v);
        assert!(c.candidates.contains(&"fy".to_string()) && c.candidates.contains(&"fq".to_string()), "{c:?}");
        let c = complete("spend off", 9, &v);
        assert_eq!(c.candidates, vec!["off-contract", "officer"]);
        let c = complete("spend off-", 10, &v);
        assert_eq!(c.candidates, vec!["off-contract"]);
    }

    #[test]
    fn council_values_complete_by_prefix_inside_a_string() {
        let v = vocabulary();
        let line = "spend where council = \"Traf";
        let c = complete(line, line.len(), &v);
        assert_eq!(c.start, line.find('"').unwrap() + 1);
        assert_eq!(c.candidates, vec!["Trafford\""]);
        let line = "spend where council = \"s";
        assert_eq!(complete(line, line.len(), &v).candidates, vec!["Salford\"", "Stockport\""]);
        let line = "spend by council where category in (\"IT\", 'soc";
        assert_eq!(complete(line, line.len(), &v).candidates, vec!["Social Care'"]);
        // A string that is not compared with a dimension offers nothing.
        let line = "spend where purpose = \"Tr";
        assert!(complete(line, line.len(), &v).candidates.is_empty());
    }

    #[test]
    fn meta_commands_and_their_arguments_complete() {
        let v = vocabulary();
        assert_eq!(complete("\\ti", 3, &v).candidates, vec!["\\timing"]);
        let c = complete("\\format js", 10, &v);
        assert_eq!((c.start, c.candidates), (8, vec!["json".to_string()]));
        let c = complete("\\h per", 6, &v);
        assert_eq!(c.candidates, vec!["periods"]);
    }

    #[test]
    fn hint_is_the_rest_of_a_single_completion() {
        let v = vocabulary();
        assert_eq!(hint("spend by coun", 13, &v).as_deref(), Some("cil"));
        assert_eq!(hint("spend by f", 10, &v), None);
        let line = "spend where council = \"Traf";
        assert_eq!(hint(line, line.len(), &v).as_deref(), Some("ford\""));
    }

    #[test]
    fn meta_commands_are_always_complete() {
        assert!(is_complete("\\d"));
        assert!(is_complete(""));
    }

    #[test]
    fn highlighting_marks_keywords_and_strings_and_can_be_switched_off() {
        let h = highlight("spend where council = \"Trafford\"");
        assert!(h.contains("\x1b[1;34mwhere\x1b[0m"), "{h:?}");
        assert!(h.contains("\x1b[32m\"Trafford\"\x1b[0m"), "{h:?}");
        assert!(!colour_enabled(Some("1"), Some("xterm")));
        assert!(!colour_enabled(None, Some("dumb")));
        assert!(colour_enabled(None, Some("xterm-256color")));
    }
}

#[cfg(test)]
mod validator_tests {
    //! These need the real `syntax::is_incomplete`; they decide when Enter runs the input.
    use super::is_complete;

    #[test]
    fn unbalanced_parentheses_trailing_operators_and_and_are_incomplete() {
        assert!(!is_complete("spend where council in (\"Trafford\", \"Salford\""));
        assert!(!is_complete("spend where amount >="));
        assert!(!is_complete("spend where council = \"Trafford\" and"));
        assert!(!is_complete("spend by"));
    }

    #[test]
    fn finished_or_merely_wrong_queries_are_complete() {
        assert!(is_complete("spend by council"));
        assert!(is_complete("spend where council = \"Trafford\" and redacted"));
        assert!(is_complete("spend by council)"), "wrong input runs, so its error is shown");
    }
}
