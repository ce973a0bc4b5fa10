//! Supplier names → a key that groups the same supplier however a council spelt it, and
//! detection of redacted beneficiaries (personal data withheld). Public because the
//! contracts register is matched against spend by the same key.

/// Legal forms dropped from the end of a name: `Acme Ltd` and `ACME LIMITED` are one supplier.
const LEGAL_FORMS: &[&str] = &["LTD", "LIMITED", "PLC", "LLP", "CIC", "INC", "LLC", "LP", "CIO", "ULC"];

/// Upper case, trimmed, punctuation removed, `&` read as AND, internal spaces collapsed
/// and trailing legal forms (`LTD`, `L.T.D.`, `LIMITED`, `PLC`, `LLP`, `CIC`, ...) removed.
/// A name that is nothing but a legal form keeps it, so the key is never empty for a
/// non-empty name.
pub fn supplier_key(name: &str) -> String {
    let words = key_words(name);
    let mut keep = words.len();
    while keep > 1 && LEGAL_FORMS.contains(&words[keep - 1].as_str()) {
        keep -= 1;
    }
    words[..keep].join(" ")
}

/// Words of a name: `&` becomes AND, dots and apostrophes join (`L.T.D.` → `LTD`,
/// `O'Brien` → `OBRIEN`), any other punctuation separates.
fn key_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
    };
    for c in name.chars() {
        if c.is_alphanumeric() {
            word.extend(c.to_uppercase());
        } else if matches!(c, '.' | '\'' | '’' | '`') {
            // joins
        } else if c == '&' {
            flush(&mut word, &mut words);
            words.push("AND".to_string());
        } else {
            flush(&mut word, &mut words);
        }
    }
    flush(&mut word, &mut words);
    words
}

/// Phrases councils publish in place of a beneficiary's name when it is personal data.
const REDACTION_PHRASES: &[&str] = &[
    "PERSONAL INFORMATION",
    "PERSONAL DATA",
    "PERSONAL DETAILS",
    "DATA PROTECTION",
    "NAME WITHHELD",
    "WITHHELD",
    "NOT DISCLOSED",
    "PRIVATE INDIVIDUAL",
    "INDIVIDUAL",
    "CONFIDENTIAL",
    "SENSITIVE",
    "GDPR",
];

/// Whether a beneficiary name is a redaction (`Redacted`, `REDACTED PERSONAL DATA`,
/// `Personal Information`, `Data Protection Act`, ...) rather than a supplier. A real
/// company whose name merely starts like one (`Redactive Publishing Ltd`, `Data Protection
/// Consultants Ltd`) is not: redaction markers are whole words, and phrases count only when
/// the name carries no legal form and little else.
pub fn is_redacted(name: &str) -> bool {
    let words = key_words(name);
    if words.iter().any(|w| matches!(w.as_str(), "REDACTED" | "REDACTION" | "REDACT")) {
        return true;
    }
    if words.is_empty() || words.len() > 6 || words.last().is_some_and(|w| LEGAL_FORMS.contains(&w.as_str())) {
        return false;
    }
    let text = words.join(" ");
    REDACTION_PHRASES.iter().any(|phrase| {
        text.strip_prefix(phrase).is_some_and(|rest| {
            // Only qualifiers may follow: `Data Protection Act 2018`, `Personal Data (GDPR)`.
            rest.split_whitespace().all(|w| {
                matches!(w, "ACT" | "GDPR" | "DPA" | "S" | "SECTION" | "EXEMPT" | "EXEMPTION" | "REASONS")
                    || w.chars().all(|c| c.is_ascii_digit())
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_spacing_and_punctuation() {
        assert_eq!(supplier_key("  Acme   Widgets  "), "ACME WIDGETS");
        assert_eq!(supplier_key("acme widgets"), "ACME WIDGETS");
        assert_eq!(supplier_key("Acme-Widgets"), "ACME WIDGETS");
        assert_eq!(supplier_key("O'Brien Plumbing"), "OBRIEN PLUMBING");
        assert_eq!(supplier_key("Smith (UK) Ltd."), "SMITH UK");
        assert_eq!(supplier_key("Group 4 Total Security Ltd T/A G4S"), "GROUP 4 TOTAL SECURITY LTD T A G4S");
    }

    #[test]
    fn ampersand_reads_as_and() {
        assert_eq!(supplier_key("Scottish & Southern Energy Plc"), "SCOTTISH AND SOUTHERN ENERGY");
        assert_eq!(supplier_key("Scottish and Southern Energy PLC"), "SCOTTISH AND SOUTHERN ENERGY");
        assert_eq!(supplier_key("M&S"), "M AND S");
    }

    #[test]
    fn trailing_legal_forms_are_removed() {
        for name in [
            "Deekay Technical Recruitment Ltd",
            "Deekay Technical Recruitment LTD.",
            "Deekay Technical Recruitment Limited",
            "DEEKAY TECHNICAL RECRUITMENT L.T.D.",
            "Deekay Technical Recruitment",
            "Deekay Technical Recruitment Ltd Limited",
        ] {
            assert_eq!(supplier_key(name), "DEEKAY TECHNICAL RECRUITMENT", "{name}");
        }
        assert_eq!(supplier_key("Station South CIC"), "STATION SOUTH");
        assert_eq!(supplier_key("Bloggs & Partners LLP"), "BLOGGS AND PARTNERS");
        assert_eq!(supplier_key("Bloggs & Partners L.L.P."), "BLOGGS AND PARTNERS");
        assert_eq!(supplier_key("Smith & Co Ltd"), "SMITH AND CO", "CO is part of the name");
        assert_eq!(supplier_key("Limited"), "LIMITED", "never empty");
        assert_eq!(supplier_key("Ltd Services"), "LTD SERVICES", "only trailing forms");
        assert_eq!(supplier_key(""), "");
        assert_eq!(supplier_key("Café Nero Ltd"), "CAFÉ NERO");
    }

    #[test]
    fn redactions_are_recognised() {
        for name in [
            "Redacted",
            "REDACTED",
            "REDACTED PERSONAL DATA",
            "Redacted - Personal Data",
            "Personal Information",
            "PERSONAL DATA",
            "Personal Data (GDPR)",
            "Data Protection",
            "Data Protection Act 1998",
            "Name Withheld",
            "[Redacted]",
            " redacted ",
        ] {
            assert!(is_redacted(name), "{name}");
        }
    }

    #[test]
    fn real_suppliers_are_not_redactions() {
        for name in [
            "Redactive Publishing Ltd",
            "Data Protection Consultants Ltd",
            "Personal Information Management Services Limited",
            "Individual Care Services",
            "Acme Widgets",
            "",
        ] {
            assert!(!is_redacted(name), "{name}");
        }
    }
}
