//! What the spend parser (`spend`) and the register parser (`contracts`) do alike before
//! their rows differ: finding the header row among a file's first records, refusing records
//! whose shape does not fit the header, reading a cell as trimmed text, telling "no value"
//! markers from values, and keeping unmapped columns as one JSON object per row.
//!
//! Kept apart from both parsers so neither reaches into the other, nor into the ingest
//! orchestration above them.

use std::borrow::Cow;
use std::collections::HashMap;

use csv::ByteRecord;

use crate::error::{Error, Result};

use super::headers::{self, Field, Mapping};
use super::read::{Encoding, Records, Source};
use super::values;

/// Header rows may follow a few lines of title text.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// Cells that mean "no value" in any column (compared without case, after trimming): what
/// finance systems write for an empty field (Trafford writes `NA` throughout). Supplier
/// names are read with only these; optional fields with the whole [`says_no_value`] class.
const MISSING: &[&str] = &["", "NA", "N/A", "#N/A", "NULL"];

/// Further cells that mean "no value" in a register's date, money and number columns, where
/// text cannot be a value. Registers are kept by hand, so they are full of these. Text
/// columns keep them: a supplier may well be called `X`, a department `Various`.
const REGISTER_PLACEHOLDERS: &[&str] = &["X", "Various"];

/// Placeholder cells are short; anything longer is a value, whatever its words.
const LONGEST_PLACEHOLDER: usize = 40;

/// Cells that are one placeholder word, once lower-cased with punctuation and spaces
/// removed (`N/A`, `n.k.`, `#N/A` are `na`, `nk`, `na`).
const PLACEHOLDER_WORDS: &[&str] = &[
    "na",
    "nk",
    "nil",
    "null",
    "none",
    "nan",
    "tbc",
    "tba",
    "tbd",
    "tbk",
    "unknown",
    "unk",
    "blank",
    "missing",
    "pending",
    "awaiting",
    "redacted",
    "withheld",
    "notapplicable",
    "notavailable",
    "notknown",
];

/// Words that make up placeholder phrases (`Not yet available`, `To be confirmed`, `No VAT
/// number`, `None given`): a phrase of these alone, starting with one of
/// [`PHRASE_STARTS`], says there is no value.
const PHRASE_WORDS: &[&str] = &[
    "not",
    "no",
    "none",
    "yet",
    "currently",
    "available",
    "applicable",
    "known",
    "provided",
    "supplied",
    "recorded",
    "given",
    "stated",
    "disclosed",
    "held",
    "specified",
    "entered",
    "assigned",
    "set",
    "registered",
    "data",
    "value",
    "number",
    "info",
    "information",
    "details",
    "to",
    "be",
    "confirmed",
    "advised",
    "agreed",
    "determined",
    "awaiting",
    "pending",
    "vat",
    "company",
    "charity",
    "reference",
    "ref",
    "code",
    "id",
    "required",
    "issued",
    "found",
    "on",
    "file",
    "record",
];

/// How a placeholder phrase starts: a negation, or a promise of a value to come.
const PHRASE_STARTS: &[&str] = &["not", "no", "none", "to", "awaiting", "pending"];

/// Whether a cell of an optional field says it holds no value: empty or only punctuation
/// (`-`, `--`, `?`), a placeholder word in any case or spelling (`N/A`, `n/a`, `NA`, `None`,
/// `TBC`, `Nil`, `Unknown`, `Redacted`), or a placeholder phrase (`Not yet available`, `Not
/// applicable`, `To be confirmed`, `No VAT number`). The class, not a list of cells: files
/// nobody has seen spell these in ways nobody has listed. `Nil` in a money column is £0.00;
/// callers check [`is_nil`] first there.
pub fn says_no_value(value: &str) -> bool {
    let value = value.trim();
    if value.len() > LONGEST_PLACEHOLDER {
        return false;
    }
    let mut words = value.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty());
    let Some(first) = words.next() else { return true };
    // Checked for every optional cell of every row, so nothing is allocated: the words are
    // compared in place and joined into a buffer on the stack.
    let listed = |list: &[&str], word: &str| list.iter().any(|w| w.eq_ignore_ascii_case(word));
    let mut joined = [0u8; LONGEST_PLACEHOLDER];
    let mut len = 0;
    let mut phrase = listed(PHRASE_STARTS, first);
    let mut second_is_be = false;
    for (position, word) in std::iter::once(first).chain(words).enumerate() {
        if !word.is_ascii() {
            return false;
        }
        if position > 0 {
            phrase &= listed(PHRASE_WORDS, word);
        }
        if position == 1 {
            second_is_be = word.eq_ignore_ascii_case("be");
        }
        for b in word.bytes() {
            joined[len] = b.to_ascii_lowercase();
            len += 1;
        }
    }
    let joined = &joined[..len];
    if PLACEHOLDER_WORDS.iter().any(|w| w.as_bytes() == joined) {
        return true;
    }
    let several = len > first.len();
    phrase && several && (!first.eq_ignore_ascii_case("to") || second_is_be)
}

/// Whether a money cell reads `Nil`, which councils write for £0.00.
pub fn is_nil(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("nil")
}

/// Whether a cell is a "no value" marker ([`MISSING`]), in any column.
pub fn is_missing(value: &str) -> bool {
    let value = value.trim();
    MISSING.iter().any(|m| value.eq_ignore_ascii_case(m))
}

/// Whether a cell of a register's date, money or number column means "no value": the
/// [`says_no_value`] class or a [`REGISTER_PLACEHOLDERS`] one.
pub fn is_placeholder(value: &str) -> bool {
    let value = value.trim();
    says_no_value(value) || REGISTER_PLACEHOLDERS.iter().any(|p| value.eq_ignore_ascii_case(p))
}

/// A field decoded as text, trimmed, borrowing from the record when it can.
pub fn trimmed(raw: &[u8], encoding: Encoding) -> Cow<'_, str> {
    match encoding.decode(raw) {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
    }
}

/// The outcome of looking for a header row.
pub enum HeaderSearch<F: Field> {
    /// The header row and its 1-based line.
    Found(Mapping<F>, u64),
    /// No row qualified: the first row's names, line and mapping, for the caller's error,
    /// which knows what its kind of file was missing.
    NotFound { names: Vec<String>, line: u64, mapping: Mapping<F> },
}

/// Search the first [`HEADER_SEARCH_ROWS`] records for the header: the first row whose
/// mapping (under the profile's `overrides`) `is_header` accepts. A file with no records
/// at all is an error here.
pub fn find_header<F: Field>(
    records: &mut dyn Records,
    source: &Source,
    overrides: &HashMap<F, String>,
    is_header: impl Fn(&Mapping<F>) -> bool,
) -> Result<HeaderSearch<F>> {
    let mut record = ByteRecord::new();
    let mut first: Option<(Vec<String>, u64, Mapping<F>)> = None;
    for _ in 0..HEADER_SEARCH_ROWS {
        let Some(line) = records.next_record(&mut record)? else { break };
        let names: Vec<String> = record.iter().map(|f| Encoding::Utf8.decode(f).into_owned()).collect();
        let mapping = headers::detect_fields(&names, overrides)
            .map_err(|why| Error::input(&source.path, Some(line), format!("{}: {why}", source.name)))?;
        if is_header(&mapping) {
            return Ok(HeaderSearch::Found(mapping, line));
        }
        first.get_or_insert((names, line, mapping));
    }
    match first {
        Some((names, line, mapping)) => Ok(HeaderSearch::NotFound { names, line, mapping }),
        None => Err(Error::input(&source.path, None, format!("{} has no header row", source.name))),
    }
}

/// Why a record cannot be a row of a file whose header has `header_len` fields, if it cannot:
/// blank, or too few or too many fields (column positions would be guesses).
pub fn shape_problem(record: &ByteRecord, header_len: usize) -> Option<String> {
    let fields = record.len();
    if record.iter().all(|f| values::trim(f).is_empty()) {
        return Some("blank row".to_string());
    }
    if fields < header_len {
        return Some(format!("expected {header_len} fields, found {fields}"));
    }
    // Salford pads some months with one empty field more than the header: harmless.
    if fields > header_len && record.iter().skip(header_len).any(|f| !values::trim(f).is_empty()) {
        return Some(format!("expected {header_len} fields, found {fields} (the extra ones are not empty)"));
    }
    None
}

/// The `extras` columns of a mapping with their JSON keys escaped once (`"Header":`), so the
/// per-row work is only the values.
pub fn escaped_extras(extras: &[(usize, String)]) -> Vec<(usize, String)> {
    extras
        .iter()
        .map(|(column, header)| {
            let mut key = String::new();
            push_json_string(&mut key, header);
            key.push(':');
            (*column, key)
        })
        .collect()
}

/// Write the non-empty cells of the `extras` columns (keys from [`escaped_extras`]) into
/// `out` as one JSON object, or leave `out` empty when there are none.
pub fn extras_json(record: &ByteRecord, encoding: Encoding, extras: &[(usize, String)], out: &mut String) {
    out.clear();
    for (column, key) in extras {
        let Some(raw) = record.get(*column) else { continue };
        let value = encoding.decode(raw);
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        out.push(if out.is_empty() { '{' } else { ',' });
        out.push_str(key);
        push_json_string(out, value);
    }
    if !out.is_empty() {
        out.push('}');
    }
}

/// Add one more `key` (from [`escaped_extras`]) and value to an `extras` object built by
/// [`extras_json`], starting the object if it is empty.
pub fn push_extra(out: &mut String, key: &str, value: &str) {
    if out.is_empty() {
        out.push('{');
    } else {
        out.pop();
        out.push(',');
    }
    out.push_str(key);
    push_json_string(out, value);
    out.push('}');
}

/// Append `value` as a JSON string literal.
fn push_json_string(out: &mut String, value: &str) {
    out.push('"');
    // Almost every published value needs no escaping: copy it whole.
    if !value.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(value);
        out.push('"');
        return;
    }
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extras_are_valid_json() {
        let mut out = String::new();
        out.push('{');
        push_json_string(&mut out, "Invoice \"No\"");
        out.push(':');
        push_json_string(&mut out, "a\\b\nc\u{1}");
        out.push('}');
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["Invoice \"No\""], "a\\b\nc\u{1}");
    }

    #[test]
    fn extras_json_keeps_non_empty_cells_under_their_headers() {
        let record = ByteRecord::from(vec!["x", " Inv \"7\" ", "", "  ", "keep"]);
        let keys = escaped_extras(&[(1, "Invoice".to_string()), (2, "Empty".to_string()), (4, "Note\\".to_string())]);
        let mut out = String::new();
        extras_json(&record, Encoding::Utf8, &keys, &mut out);
        assert_eq!(out, r#"{"Invoice":"Inv \"7\"","Note\\":"keep"}"#);
        let blank = ByteRecord::from(vec!["x", "", "", "", ""]);
        extras_json(&blank, Encoding::Utf8, &keys, &mut out);
        assert_eq!(out, "", "no object when every extra cell is empty");
    }

    #[test]
    fn missing_markers_mean_no_value_in_every_column() {
        for value in ["", "  ", "NA", "na", "N/A", "n/a", "#N/A", "NULL", "null", " Null "] {
            assert!(is_missing(value), "{value:?}");
            assert!(is_placeholder(value), "a missing marker is a placeholder too: {value:?}");
        }
        for value in ["0", "TBC", "X", "-", "Various", "NAB", "Nationwide"] {
            assert!(!is_missing(value), "{value:?}");
        }
    }

    #[test]
    fn placeholders_mean_no_value_in_register_values() {
        for value in ["", "  ", "TBC", "tbc", "N/A", "n/a", "NA", "-", " - ", "X", "x", "Various", "UNKNOWN", "TBA"] {
            assert!(is_placeholder(value), "{value:?}");
        }
        for value in ["22/04/222", "0", "2022-04-01", "Xmas", "£0.00"] {
            assert!(!is_placeholder(value), "{value:?}");
        }
    }

    #[test]
    fn issue_10_placeholder_words_and_phrases_say_no_value_in_any_spelling() {
        for value in [
            "",
            "   ",
            "-",
            "--",
            " - ",
            "?",
            "*",
            "N/A",
            "n/a",
            "NA",
            "na",
            "#N/A",
            "N.A.",
            "n / a",
            "None",
            "NONE",
            "TBC",
            "tbc",
            "T.B.C.",
            "Nil",
            "NIL",
            "Unknown",
            "UNKNOWN",
            "Not applicable",
            "NOT APPLICABLE",
            "Not yet available",
            "not yet available",
            "Not Available",
            "Not known",
            "N/K",
            "Null",
            "Redacted",
            "To be confirmed",
            "to be advised",
            "No VAT number",
            "Not VAT registered",
            "None given",
            "Not provided",
            "Awaiting number",
            "Pending",
            "not-applicable",
        ] {
            assert!(says_no_value(value), "{value:?}");
        }
        for value in [
            "0",
            "00123456",
            "Nationwide",
            "Nano Ltd",
            "Note",
            "No 1 Taxis",
            "Not Just Travel Ltd",
            "Nil By Mouth CIC",
            "Tobe Ltd",
            "To Let Signs",
            "Adult Social Care",
            "Grants",
            "Various",
            "X",
            "NAB",
            "Unknown Pleasures Ltd",
            "Pending Works",
            "None Such Bakery",
        ] {
            assert!(!says_no_value(value), "{value:?}");
        }
        assert!(is_nil(" nil ") && is_nil("NIL") && !is_nil("Nile"));
    }

    #[test]
    fn records_that_do_not_fit_the_header_are_refused() {
        let record = |fields: &[&str]| ByteRecord::from(fields.to_vec());
        assert_eq!(shape_problem(&record(&["a", "b", "c"]), 3), None);
        assert_eq!(shape_problem(&record(&["a", "b", "c", " "]), 3), None, "an empty trailing field is padding");
        assert_eq!(shape_problem(&record(&["", " ", ""]), 3).as_deref(), Some("blank row"));
        assert_eq!(shape_problem(&record(&["a", "b"]), 3).as_deref(), Some("expected 3 fields, found 2"));
        assert_eq!(
            shape_problem(&record(&["a", "b", "c", "d"]), 3).as_deref(),
            Some("expected 3 fields, found 4 (the extra ones are not empty)")
        );
    }

    #[test]
    fn issue_10_an_extra_value_joins_the_extras_object_or_starts_it() {
        let key = escaped_extras(&[(0, "Irrecoverable VAT".to_string())]).pop().unwrap().1;
        let mut out = String::new();
        push_extra(&mut out, &key, "Not yet available");
        assert_eq!(out, r#"{"Irrecoverable VAT":"Not yet available"}"#);
        let mut out = r#"{"Gross":"12.00"}"#.to_string();
        push_extra(&mut out, &key, "say \"n/k\"");
        assert_eq!(out, r#"{"Gross":"12.00","Irrecoverable VAT":"say \"n/k\""}"#);
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["Irrecoverable VAT"], "say \"n/k\"");
    }
}
