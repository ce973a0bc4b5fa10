//! The council's own words: out-of-scope keywords (levies, precepts, grants, tax, pensions,
//! loans, debtors, payments to other public bodies), and expense types matched against
//! ProClass labels. Words are normalised for the class of text councils publish: upper or
//! lower case, plurals, letter-spaced abbreviations (`H A`, `I T`) and the clipped spellings
//! of ledger descriptions (`Payts`, `Pmnts`, `Exes`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::taxonomy::{Category, LEVEL1, ProclassCode};

/// Clipped ledger spellings → the word they stand for.
const ABBREVIATIONS: [(&str, &str); 31] = [
    ("sch", "school"),
    ("veh", "vehicle"),
    ("vehcle", "vehicle"),
    ("resid", "residential"),
    ("schl", "school"),
    ("schls", "school"),
    ("comp", "computer"),
    ("payts", "payment"),
    ("payt", "payment"),
    ("pmnts", "payment"),
    ("pmnt", "payment"),
    ("pmts", "payment"),
    ("pmt", "payment"),
    ("pyts", "payment"),
    ("pymts", "payment"),
    ("paymnets", "payment"),
    ("exes", "expense"),
    ("exp", "expense"),
    ("mgt", "management"),
    ("mgmt", "management"),
    ("maint", "maintenance"),
    ("mtce", "maintenance"),
    ("equip", "equipment"),
    ("eqt", "equipment"),
    ("bld", "building"),
    ("prof", "professional"),
    ("ext", "external"),
    ("hwy", "highway"),
    ("ctax", "council tax"),
    ("superann", "superannuation"),
    ("supn", "superannuation"),
];

/// Words of a text, normalised: lower case, letters and digits only, runs of single
/// letters joined (`H A` → `ha`), abbreviations expanded, plurals cut to the singular.
pub fn words(text: &str) -> Vec<String> {
    let raw: Vec<String> =
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    let mut joined: Vec<String> = Vec::new();
    let mut run = String::new();
    for word in raw {
        if word.chars().count() == 1 && word.chars().all(char::is_alphabetic) {
            run.push_str(&word);
            continue;
        }
        if !run.is_empty() {
            joined.push(std::mem::take(&mut run));
        }
        joined.push(word);
    }
    if !run.is_empty() {
        joined.push(run);
    }
    let mut out = Vec::new();
    for word in joined {
        let word = ABBREVIATIONS.iter().find(|(short, _)| *short == word).map_or(word, |(_, long)| (*long).to_string());
        for part in word.split(' ') {
            out.push(singular(part));
        }
    }
    out
}

fn singular(word: &str) -> String {
    if word.len() > 4 && word.ends_with("ies") {
        format!("{}y", &word[..word.len() - 3])
    } else if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") {
        word[..word.len() - 1].to_string()
    } else {
        word.to_string()
    }
}

/// Phrases (in [`words`] form) that mark a payment as no third-party procurement: what the
/// council's ledger calls it. ProClass covers influenceable spend only.
const OUT_OF_SCOPE_PHRASES: [&str; 35] = [
    "levy",
    "direct payment",
    "precept",
    "preceptor",
    "grant",
    "hmrc",
    "tax",
    "vat",
    "nndr",
    "business rate",
    "pension",
    "superannuation",
    "loan",
    "debtor",
    "health authority",
    "ha",
    "nhs",
    "ccg",
    "other local authority",
    "other la",
    "local authority",
    "subvention",
    "share capital",
    "capital receipt",
    "provision release",
    "release of provision",
    "salary",
    "wage",
    "national insurance",
    "housing benefit",
    "benefit payment",
    "council tax",
    "interest payable",
    "minimum revenue provision",
    "reserve",
];

/// Payee names (in [`words`] form) that are public bodies: what is paid to them is no
/// third-party procurement whatever the ledger says.
/// NHS trusts are not among them: councils buy treatment and care from them, and publish
/// those payments under ProClass codes.
const PUBLIC_BODY_PHRASES: [&str; 16] = [
    "ccg",
    "clinical commissioning",
    "hmrc",
    "revenue customs",
    "city council",
    "borough council",
    "county council",
    "district council",
    "metropolitan borough",
    "combined authority",
    "pension fund",
    "superannuation",
    "police",
    "fire rescue",
    "fire and rescue",
    "department for",
];

fn contains_phrase(words: &[String], phrase: &str) -> bool {
    let phrase: Vec<&str> = phrase.split(' ').collect();
    words.windows(phrase.len()).any(|window| window.iter().zip(&phrase).all(|(w, p)| w == p))
}

/// Whether a council's own description of a payment says it is out of scope.
pub fn says_out_of_scope(text: &str) -> bool {
    let words = words(text);
    OUT_OF_SCOPE_PHRASES.iter().any(|phrase| contains_phrase(&words, phrase))
}

/// The out-of-scope words that a free-text purpose may use without meaning them: a purpose
/// line mentions VAT, tax or a grant-funded project in passing, but names a levy or a
/// pension contribution only when that is what is paid.
const PURPOSE_PHRASES: [&str; 7] =
    ["levy", "precept", "preceptor", "pension", "superannuation", "nndr", "business rate"];

/// What a purpose line's heading (see [`purpose_heading`]) may say on top of
/// [`PURPOSE_PHRASES`]: there the words are the ledger's name for the payment, not a passing
/// mention. Direct payments are personal budgets paid to the people who buy their own care,
/// so the council does not procure what they buy.
const HEADING_PHRASES: [&str; 5] = ["grant", "tax", "loan", "direct payment", "debtor"];

/// The heading of a purpose line: the words before the first ` - `, at most four. Ledgers
/// that write purposes as `ACCOUNT DESCRIPTION - invoice details` (`CAP GRANT OTH BODIES -
/// Project X`, `DIRECT PAYMENTS - 4 weeks to 30/03`) put their own name for the payment
/// there.
fn purpose_heading(text: &str) -> Vec<String> {
    let heading = text.split(" - ").next().unwrap_or(text);
    words(heading).into_iter().take(4).collect()
}

/// Whether a payment's purpose text says it is out of scope: a levy, precept, pension or
/// business rate anywhere in it, or a grant, tax, loan, debtor or direct payment in its
/// heading.
pub fn purpose_says_out_of_scope(text: &str) -> bool {
    let words = words(text);
    if PURPOSE_PHRASES.iter().any(|phrase| contains_phrase(&words, phrase)) {
        return true;
    }
    let heading = purpose_heading(text);
    HEADING_PHRASES.iter().any(|phrase| contains_phrase(&heading, phrase))
}

/// What a contracts register's own category says of a line that is no procurement
/// (Salford's `999999 Non-procurement`). Narrower than [`OUT_OF_SCOPE_PHRASES`]: a register
/// lists contracts, so `Tax advice` or `Grant management` there is a service bought.
const REGISTER_OUT_OF_SCOPE_PHRASES: [&str; 4] =
    ["non procurement", "not procurement", "non influenceable", "out of scope"];

/// Whether a register's published category says the line is no procurement.
pub fn register_says_out_of_scope(text: &str) -> bool {
    let words = words(text);
    REGISTER_OUT_OF_SCOPE_PHRASES.iter().any(|phrase| contains_phrase(&words, phrase))
}

/// Whether a payee's name is a public body's.
pub fn is_public_body(name: &str) -> bool {
    let words = words(name);
    PUBLIC_BODY_PHRASES.iter().any(|phrase| contains_phrase(&words, phrase))
}

/// Words too common in labels to tell one category from another.
const WEAK_WORDS: [&str; 24] = [
    "material",
    "and",
    "of",
    "for",
    "the",
    "to",
    "in",
    "on",
    "other",
    "general",
    "service",
    "services",
    "cost",
    "fee",
    "payment",
    "supply",
    "supplies",
    "equipment",
    "misc",
    "miscellaneous",
    "commercial",
    "non",
    "external",
    "management",
];

/// ProClass labels in [`words`] form: per code, its own words (below level 1) and its
/// group's words.
struct LabelIndex {
    codes: Vec<(ProclassCode, Vec<String>)>,
    groups: Vec<(ProclassCode, Vec<String>)>,
}

fn strong(words: Vec<String>) -> Vec<String> {
    let mut words: Vec<String> =
        words.into_iter().filter(|w| !WEAK_WORDS.contains(&w.as_str()) && w.len() > 1).collect();
    words.sort();
    words.dedup();
    words
}

fn index() -> &'static LabelIndex {
    static INDEX: OnceLock<LabelIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let groups: Vec<(ProclassCode, Vec<String>)> = LEVEL1
            .iter()
            .filter_map(|(prefix, name)| ProclassCode::group(*prefix).map(|code| (code, strong(words(name)))))
            .collect();
        // A label's words that repeat its group's name (`Banquet & Catering` under CATERING)
        // name the group, not the code.
        let codes = ProclassCode::all()
            .into_iter()
            .filter_map(|code| {
                let group = &groups.iter().find(|(g, _)| g.level1() == code.level1())?.1;
                let own: Vec<String> =
                    strong(words(code.short_label()?)).into_iter().filter(|w| !group.contains(w)).collect();
                (!own.is_empty()).then_some((code, own))
            })
            .collect();
        LabelIndex { codes, groups }
    })
}

/// Ledger words (in [`words`] form) for what ProClass labels call otherwise: the everyday
/// descriptions of councils' subjective (expense type) analysis, as CIPFA's SeRCOP lays it
/// out (premises, transport, supplies and services, third-party payments). A group code
/// where the words name the group only.
const LEDGER_PHRASES: [(&str, &str); 24] = [
    ("building work", "391100"),
    ("construction work", "391100"),
    ("repair and maintenance", "391111"),
    ("preventative maintenance", "391111"),
    ("work", "390000"),
    ("agency staff", "261400"),
    ("agency fee", "261400"),
    ("landline", "271700"),
    ("mobilephone", "271800"),
    ("mobile phone", "271800"),
    ("telephone", "270000"),
    ("computer", "270000"),
    ("it", "270000"),
    ("ict", "270000"),
    ("consultant", "150000"),
    ("home help", "321014"),
    ("residential care", "321017"),
    ("supporting people", "320000"),
    ("carer", "320000"),
    ("school", "170000"),
    ("pupil", "170000"),
    ("bed and breakfast", "250000"),
    // A PFI unitary charge pays for finance, building and services at once; Salford's
    // register codes three of its four PFI contracts as financial services, and so do the
    // hand labels (benches/classification/README.md, "PFI unitary charges").
    ("unitary charge", "200000"),
    ("private finance", "200000"),
];

/// The ProClass code whose label a council's text names: the code whose own label words the
/// text holds most of (all of them, for a label of one or two words), when the best codes
/// all sit in one level-1 group; else the group whose name the text holds. None when the
/// words point at several groups or none.
pub fn match_label(text: &str) -> Option<Category> {
    let text_words = strong(words(text));
    let all_words = words(text);
    let ledger = LEDGER_PHRASES
        .iter()
        .filter(|(phrase, _)| contains_phrase(&all_words, phrase))
        .max_by_key(|(phrase, _)| phrase.split(' ').count())
        .and_then(|(phrase, code)| Some((Category::Code(ProclassCode::parse(code)?), phrase.split(' ').count())));
    let labelled = match_label_words(&text_words);
    // A label's own code beats a ledger word, unless the ledger phrase says more of the text:
    // `Construction Works` is works (`construction work`), not the one-word label
    // `CONSULTANCY : Construction`. A ledger word beats a group guessed from labels.
    match (labelled, ledger) {
        (Some((Category::Code(code), hits)), Some((_, phrase_words))) if !code.is_group() && hits >= phrase_words => {
            labelled.map(|(c, _)| c)
        }
        (Some((Category::Code(code), _)), None) if !code.is_group() => labelled.map(|(c, _)| c),
        (_, Some((found, _))) => Some(found),
        _ => labelled.map(|(c, _)| c),
    }
}

/// The category the label words name, with how many of the text's words the chosen label
/// holds (none for a group named by its name alone).
fn match_label_words(text_words: &[String]) -> Option<(Category, usize)> {
    let index = index();
    let mut best: BTreeMap<(usize, std::cmp::Reverse<usize>), Vec<ProclassCode>> = BTreeMap::new();
    for (code, label) in &index.codes {
        let hits = label.iter().filter(|w| text_words.contains(w)).count();
        // A label's words must be mostly present: one hit of a three-word label is chance.
        if hits == 0 || hits * 2 < label.len() {
            continue;
        }
        best.entry((hits, std::cmp::Reverse(label.len()))).or_default().push(*code);
    }
    let group_hits: Vec<ProclassCode> = index
        .groups
        .iter()
        .filter(|(_, name)| name.iter().any(|w| text_words.contains(w)))
        .map(|(code, _)| *code)
        .collect();
    if let Some(((hits, _), codes)) = best.iter().next_back() {
        let first = codes[0];
        let same_group = codes.iter().all(|c| c.level1() == first.level1());
        // A group named in the text settles which of several groups' labels is meant.
        let named: Vec<&ProclassCode> =
            codes.iter().filter(|c| group_hits.iter().any(|g| g.level1() == c.level1())).collect();
        let found = match (same_group, codes.len(), named.as_slice()) {
            (true, 1, _) => Some(Category::Code(first)),
            (true, _, _) => Some(Category::Code(ProclassCode::group(first.level1())?)),
            (false, _, [only]) => Some(Category::Code(**only)),
            _ => None,
        };
        return found.map(|c| (c, *hits));
    }
    match group_hits.as_slice() {
        [only] => Some((Category::Code(*only), 0)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Option<Category> {
        Some(Category::Code(ProclassCode::parse(text).unwrap()))
    }

    #[test]
    fn words_are_normalised_for_ledger_spellings() {
        assert_eq!(words("Payments to H A"), ["payment", "to", "ha"]);
        assert_eq!(words("Paymnets to H A"), ["payment", "to", "ha"]);
        assert_eq!(words("I T Provision"), ["it", "provision"]);
        assert_eq!(words("Ctax - Preceptor Payments"), ["council", "tax", "preceptor", "payment"]);
        assert_eq!(words("Levies - Cash Limit"), ["levy", "cash", "limit"]);
        assert_eq!(words("Teachers Supn Fund"), ["teacher", "superannuation", "fund"]);
    }

    #[test]
    fn out_of_scope_words_are_whole_words_or_phrases() {
        for text in [
            "Levies",
            "Ctax - Preceptor Payments",
            "Grant Payments",
            "Payments to H A",
            "Long Term Debtors",
            "Pension Contributions",
            "NNDR",
        ] {
            assert!(says_out_of_scope(text), "{text}");
        }
        for text in ["Taxi Services", "Electricity", "Hand Tools", "Agency staff provision", "Refuse Collection"] {
            assert!(!says_out_of_scope(text), "{text}");
        }
        // Direct payments are personal budgets: the person buys the care.
        assert!(says_out_of_scope("Direct Payments"));
        assert!(is_public_body("NHS Salford CCG"));
        assert!(!is_public_body("SALFORD ROYAL NHS FOUNDATION TRUST"));
        assert!(is_public_body("Greater Manchester Combined Authority"));
        // A superannuation fund is the pension scheme, however the ledger clips its name.
        assert!(is_public_body("GREATER MANCHESTER SUPERANN FU"));
        assert!(!is_public_body("Councillor Supplies Ltd"));
    }

    #[test]
    fn a_purpose_heading_names_the_payment_but_its_details_only_mention() {
        // Trafford's purposes: the ledger account's description, then the invoice's details.
        assert!(purpose_says_out_of_scope("CAP GRANT OTH BODIES - Altrincham Town Centre"));
        assert!(purpose_says_out_of_scope("DIRECT PAYMENTS - 4 weeks to 30/03/2025"));
        assert!(purpose_says_out_of_scope("PAYE TAX - March 2025"));
        // A levy is a levy wherever the line names it.
        assert!(purpose_says_out_of_scope("Transport - GMITA LEVY GMCA"));
        // A grant or tax in the details is a mention: a grant-funded job is still bought.
        assert!(!purpose_says_out_of_scope("PRIVATE CONTRACTORS - grant funded roof repairs"));
        assert!(!purpose_says_out_of_scope("CLIENTS LIFT REP & M - tax point 31/03"));
        // The heading is four words at most: a long description without a dash is details.
        assert!(!purpose_says_out_of_scope("Repairs to the community centre roof grant scheme"));
    }

    #[test]
    fn expense_types_match_labels_within_one_group() {
        assert_eq!(match_label("Electricity"), code("371000"));
        assert_eq!(match_label("Gas"), code("371100"));
        assert_eq!(match_label("Postage"), code("301200"));
        assert_eq!(match_label("Vehicle Leasing"), code("381600"));
        assert_eq!(match_label("Computer Software"), code("271600"));
        // Only the group is named.
        assert_eq!(match_label("Catering provisions"), code("110000"));
        // Equipment is in many groups' labels, and says nothing on its own.
        assert_eq!(match_label("Equipment"), None);
        assert_eq!(match_label("Miscellaneous"), None);
        // Ledger words ProClass labels do not use.
        assert_eq!(match_label("Works and associated costs for Land and Buildings"), code("390000"));
        assert_eq!(match_label("Building Works"), code("391100"));
        // The two-word ledger phrase says more than the one-word label `CONSULTANCY :
        // Construction` (151100): works, not construction consultancy.
        assert_eq!(match_label("Construction Works"), code("391100"));
        assert_eq!(match_label("Construction consultancy"), code("151100"));
        assert_eq!(match_label("Mobilephone Charges"), code("271800"));
        assert_eq!(match_label("ICT Support & Maintenance"), code("270000"));
        // Residential care (321017) or an older people's residential home (321018): social care.
        assert_eq!(match_label("Resid Care Home").and_then(Category::level1), Some(32));
        // A label's own code still wins over a ledger word.
        assert_eq!(match_label("Vehicle Leasing Works"), code("381600"));
    }
}
