//! Classification of every payment into the harmonised taxonomy (ProClass or out of scope),
//! in recorded tiers, as pure deterministic functions over in-memory evidence rows: ingest
//! builds [`Evidence`] from the rows it writes and stores what [`classify_rows`] returns, so
//! the rules live here once and are tested without a dataset.
//!
//! The tiers, strongest first ([`Source`]):
//! 1. `mapped`: the dataset's `categories.toml` names one of the row's values ([`map`]); an
//!    analyst's correction wins over everything, published codes included. Mappings are
//!    applied last and are no evidence for other rows, so a mapping changes exactly the rows
//!    it names.
//! 2. `published`: the council published a ProClass code or label, read through the code:
//!    on the payment itself, or, when the payment's own words do not say it is out of
//!    scope, in its contracts register for the contract the payment is linked to (a PFI
//!    unitary charge carries no category, but the register codes the PFI contract).
//! 3. `supplier`: the payee's classified spend elsewhere in the dataset (any council) is
//!    concentrated in one category ([`CONCENTRATION`]), in the row's own department first
//!    (a payee with several lines of business), then overall; first its spend the tiers above
//!    classified, and again after the text tier's words, over everything classified by then
//!    (after which the council values learn again from the payees that round classified).
//! 4. `text`: the council's own words. Out-of-scope words (a levy is a levy whoever receives
//!    it) and public-body payees; ProClass labels and ledger phrases the expense type or
//!    published category names ([`text`]); failing those, what the dataset has learned its
//!    values mean (an expense type or department whose classified value is concentrated in
//!    one category). Words that name a category come before co-occurrence: a few large
//!    payees can carry a value's learned category (Manchester's `Construction Works` paid
//!    to a highways consultancy), while the words say what was bought. Last, the words of
//!    the payee's name, when enough classified payees' names agree on them (`care`,
//!    `nursery`): the name says what the payee does, not what this payment bought.
//! 5. `none`: unclassified, and counted.
//!
//! The contracts register is classified after the payments, in the same tiers, by
//! [`classify_contracts`]: its own code or label, else what the payments it covers (or its
//! supplier's) were classified as.
//!
//! Out-of-scope words are checked before the supplier tier, though recorded as `text`: the
//! ledger's own "levy" or "payment to health authority" describes the payment, while a
//! supplier's other payments are only a guess at it.
//!
//! So a pass runs, in order: each row's own evidence (published code or label, out-of-scope
//! words, public-body payees, the register's code); the supplier tier over that; label words
//! and learned values; the supplier tier and the learned values again, over everything
//! classified by then; the payee-name words; the mappings. Each step reads only rows that no
//! earlier step classified, and two rounds rather than a loop to a fixed point keep every
//! decision explainable by one step's evidence.

mod evidence;
pub mod map;
pub mod report;
pub mod text;

pub use evidence::{ClassifiedPayment, ContractEvidence, Evidence, EvidenceRecord};
pub use map::{CATEGORIES_FILE, CategoryMap};

use foldhash::{HashMap, HashMapExt};
use std::rc::Rc;

use crate::taxonomy::{Category, lookup_published};

/// How much of a supplier's or a council value's classified spend (by value) one category
/// must hold before the rest of its payments are given it: at 80%, copying the category is
/// right for at least four pounds in five of the evidence, which keeps the guess above the
/// bar an unseen payment's accuracy has to clear, while a supplier with two real lines of
/// business (say 60/40) is left to the row's own words.
pub const CONCENTRATION: f64 = 0.8;

/// How a row's category was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// A `categories.toml` mapping.
    Mapped,
    /// A ProClass code or label the council published.
    Published,
    /// The supplier's classified spend elsewhere.
    Supplier,
    /// The council's own words.
    Text,
    /// Not classified.
    None,
}

impl Source {
    /// Every source, strongest first.
    pub const ALL: [Source; 5] = [Source::Mapped, Source::Published, Source::Supplier, Source::Text, Source::None];

    /// The `category_source` value: `mapped`, `published`, `supplier`, `text`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Mapped => "mapped",
            Source::Published => "published",
            Source::Supplier => "supplier",
            Source::Text => "text",
            Source::None => "none",
        }
    }
}

/// One row's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// The harmonised category, none when unclassified.
    pub category: Option<Category>,
    /// How it was decided.
    pub source: Source,
}

impl Classification {
    const NONE: Classification = Classification { category: None, source: Source::None };

    fn by(source: Source, category: Category) -> Classification {
        Classification { category: Some(category), source }
    }
}

/// Value per category, with how many distinct suppliers brought it. A few categories per
/// supplier or council value, so a short list scanned in place: the pass builds one tally
/// per payee, payee and department, and council value.
#[derive(Default)]
struct Tally {
    by_category: Vec<CategoryTally>,
    total: u128,
}

struct CategoryTally {
    category: Category,
    value: u128,
    /// The first two distinct suppliers that brought it: two is all [`Tally::concentrated`] asks.
    suppliers: [Option<usize>; 2],
}

impl CategoryTally {
    fn spread(&self) -> usize {
        self.suppliers.iter().flatten().count()
    }
}

impl Tally {
    fn add(&mut self, category: Category, weight: u128, supplier: usize) {
        self.total += weight;
        let at = self.by_category.iter().position(|t| t.category == category).unwrap_or_else(|| {
            self.by_category.push(CategoryTally { category, value: 0, suppliers: [None; 2] });
            self.by_category.len() - 1
        });
        let entry = &mut self.by_category[at];
        entry.value += weight;
        match entry.suppliers {
            [None, _] => entry.suppliers[0] = Some(supplier),
            [Some(first), None] if first != supplier => entry.suppliers[1] = Some(supplier),
            _ => {}
        }
    }

    /// The category holding [`CONCENTRATION`] of the value; failing that, the level-1 group
    /// holding it. `min_suppliers` asks for evidence from more than one payee.
    fn concentrated(&self, min_suppliers: usize) -> Option<Category> {
        if self.total == 0 {
            return None;
        }
        let enough = |value: u128| value as f64 >= CONCENTRATION * self.total as f64;
        // Largest value first; the lower category breaks ties, so the result never depends
        // on the order the rows came in.
        let top = self.by_category.iter().max_by(|a, b| a.value.cmp(&b.value).then(b.category.cmp(&a.category)))?;
        if enough(top.value) {
            return (top.spread() >= min_suppliers).then_some(top.category);
        }
        let mut groups: Vec<(Category, u128, usize)> = Vec::new();
        for t in &self.by_category {
            let group = t.category.at_level1();
            match groups.iter_mut().find(|g| g.0 == group) {
                Some(g) => {
                    g.1 += t.value;
                    g.2 += t.spread();
                }
                None => groups.push((group, t.value, t.spread())),
            }
        }
        let group = groups.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
        (enough(group.1) && group.2 >= min_suppliers).then_some(group.0)
    }
}

/// The council values the text tier learns from, most specific first.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    DepartmentExpense,
    AccountCode,
    ExpenseType,
    PublishedCategory,
    Department,
    /// A purpose's opening words: councils' purpose lines start with a stable description
    /// (`CLIENTS LIFT REP & M - ...`) before the invoice's own dates and references.
    Purpose,
    /// An expense type's words, in any council.
    AnyCouncilExpense,
}

/// A row's council, department, expense type, account code and published category.
type OwnValues<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// The row-local readings of a payment's text, each computed once per distinct text: a
/// dataset repeats its councils, expense types, departments, labels and payee names on
/// thousands of rows, and these readings are most of a pass's work.
#[derive(Default)]
struct Readings<'a> {
    normal: HashMap<&'a str, String>,
    values: HashMap<String, ValueId>,
    own_keys: HashMap<OwnValues<'a>, Rc<[(Key, ValueId)]>>,
    purpose_key: HashMap<(&'a str, &'a str), Option<ValueId>>,
    expense_key: HashMap<&'a str, Option<ValueId>>,
    published: HashMap<(Option<&'a str>, Option<&'a str>), Option<Category>>,
    says_out_of_scope: HashMap<&'a str, bool>,
    purpose_says_out_of_scope: HashMap<&'a str, bool>,
    public_body: HashMap<&'a str, bool>,
    label: HashMap<&'a str, Option<Category>>,
}

impl<'a> Readings<'a> {
    fn normal(&mut self, text: &'a str) -> &str {
        self.normal.entry(text).or_insert_with(|| map::normal(text))
    }

    fn published(&mut self, code: Option<&'a str>, label: Option<&'a str>) -> Option<Category> {
        *self.published.entry((code, label)).or_insert_with(|| lookup_published(code, label))
    }

    fn label(&mut self, text: &'a str) -> Option<Category> {
        *self.label.entry(text).or_insert_with(|| text::match_label(text))
    }

    /// The tiers that need nothing but the row itself and no mapping: published, and
    /// out-of-scope words.
    fn own_evidence(&mut self, row: &Evidence<'a>) -> Classification {
        if let Some(category) = self.published(row.published_code, row.published_category) {
            return Classification::by(Source::Published, category);
        }
        let words_say = [row.expense_type, row.published_category]
            .into_iter()
            .flatten()
            .any(|t| *self.says_out_of_scope.entry(t).or_insert_with(|| text::says_out_of_scope(t)))
            || row.purpose.is_some_and(|p| {
                *self.purpose_says_out_of_scope.entry(p).or_insert_with(|| text::purpose_says_out_of_scope(p))
            });
        let payee_is_public = row
            .supplier_name
            .is_some_and(|name| *self.public_body.entry(name).or_insert_with(|| text::is_public_body(name)));
        if words_say || payee_is_public {
            return Classification::by(Source::Text, Category::OutOfScope);
        }
        if let Some(category) = self.published(row.contract_code, row.contract_category) {
            return Classification::by(Source::Published, category);
        }
        Classification::NONE
    }

    /// The id of a council value's text, the same id for the same text.
    fn intern(&mut self, text: String) -> ValueId {
        let next = ValueId::try_from(self.values.len()).unwrap_or(ValueId::MAX);
        *self.values.entry(text).or_insert(next)
    }

    fn learned_keys(&mut self, row: &Evidence<'a>) -> RowKeys {
        let own_values = (row.council, row.department, row.expense_type, row.account_code, row.published_category);
        let own = match self.own_keys.get(&own_values) {
            Some(keys) => Rc::clone(keys),
            None => {
                let keys: Rc<[(Key, ValueId)]> = self.own_council_keys(row).into();
                self.own_keys.insert(own_values, Rc::clone(&keys));
                keys
            }
        };
        let purpose = row.purpose.and_then(|purpose| {
            if let Some(id) = self.purpose_key.get(&(row.council, purpose)) {
                return *id;
            }
            let words: Vec<String> =
                text::words(purpose).into_iter().filter(|w| !w.chars().any(|c| c.is_ascii_digit())).take(3).collect();
            let council = self.normal(row.council).to_string();
            let id = (!words.is_empty()).then(|| self.intern(format!("{council}\u{1f}{}", words.join(" "))));
            self.purpose_key.insert((row.council, purpose), id);
            id
        });
        let any_expense = row.expense_type.and_then(|e| {
            if let Some(id) = self.expense_key.get(e) {
                return *id;
            }
            let words = text::words(e).join(" ");
            let id = (!words.is_empty()).then(|| self.intern(words));
            self.expense_key.insert(e, id);
            id
        });
        RowKeys { own, purpose, any_expense }
    }

    /// The keys of the row's own council's values, most specific first.
    fn own_council_keys(&mut self, row: &Evidence<'a>) -> Vec<(Key, ValueId)> {
        let council = self.normal(row.council).to_string();
        let mut normal = |value: Option<&'a str>| value.map(|v| self.normal(v).to_string()).filter(|v| !v.is_empty());
        let (department, expense) = (normal(row.department), normal(row.expense_type));
        let (account, published) = (normal(row.account_code), normal(row.published_category));
        let own = |value: &str| format!("{council}\u{1f}{value}");
        let mut keys = Vec::new();
        if let (Some(d), Some(e)) = (&department, &expense) {
            keys.push((Key::DepartmentExpense, self.intern(format!("{}\u{1f}{e}", own(d)))));
        }
        for (key, value) in
            [(Key::AccountCode, account), (Key::ExpenseType, expense), (Key::PublishedCategory, published)]
        {
            if let Some(v) = value {
                keys.push((key, self.intern(own(&v))));
            }
        }
        if let Some(d) = department {
            keys.push((Key::Department, self.intern(own(&d))));
        }
        keys
    }
}

/// A council value's normalised text, interned: the learned tallies hash numbers, not text.
type ValueId = u32;

/// The council values a row carries, most specific first ([`Key`]): its own council's
/// values, shared by every row with the same ones, then its purpose opening and its expense
/// type's words in any council.
struct RowKeys {
    own: Rc<[(Key, ValueId)]>,
    purpose: Option<ValueId>,
    any_expense: Option<ValueId>,
}

impl RowKeys {
    fn iter(&self) -> impl Iterator<Item = (Key, ValueId)> + '_ {
        self.own
            .iter()
            .copied()
            .chain(self.purpose.map(|id| (Key::Purpose, id)))
            .chain(self.any_expense.map(|id| (Key::AnyCouncilExpense, id)))
    }
}

/// How many payees whose spend is classified must use a word in their names before the word
/// says anything: a name is one payee's choice, so one or two `care` homes teach nothing, while
/// five payees agreeing is a habit of the trade.
pub const NAME_WORD_SUPPLIERS: usize = 5;

/// Words in payees' names that say nothing of the trade: legal forms and joining words.
const NAME_STOP_WORDS: [&str; 14] =
    ["ltd", "limited", "plc", "llp", "cic", "the", "and", "for", "company", "group", "trading", "holding", "uk", "inc"];

/// What the words of payees' names say, learned from the payees the earlier tiers classified:
/// a word whose payees, counted one vote each (by their concentrated level-1 group, so one
/// large payee cannot carry a word), agree at [`CONCENTRATION`] among at least
/// [`NAME_WORD_SUPPLIERS`] of them (`care`, `nursery`, `academy`). It is the weakest text
/// evidence: it reads the payee, not the payment, so it decides only what nothing else has.
struct NameWords {
    says: HashMap<String, Category>,
}

impl NameWords {
    fn words(name: &str) -> Vec<String> {
        let mut words: Vec<String> = text::words(name)
            .into_iter()
            .filter(|w| w.chars().count() > 2 && !w.chars().all(|c| c.is_ascii_digit()))
            .filter(|w| !NAME_STOP_WORDS.contains(&w.as_str()))
            .collect();
        words.sort();
        words.dedup();
        words
    }

    fn learn(rows: &[Evidence<'_>], ids: &[usize], supplier_says: &HashMap<usize, Option<Category>>) -> NameWords {
        // One name per payee: the first published in row order, so the result is stable.
        let mut names: HashMap<usize, &str> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            if let Some(name) = row.supplier_name
                && !row.supplier_key.is_empty()
            {
                names.entry(ids[i]).or_insert(name);
            }
        }
        let mut votes: HashMap<String, HashMap<Category, usize>> = HashMap::new();
        for (id, name) in &names {
            // Out-of-scope payees have no vote: what puts a payment out of scope is the
            // payment (a direct payment to a care home) or the payee being a public body,
            // which the earlier tiers read, not a trade a name could share.
            let Some(Some(category)) = supplier_says.get(id).filter(|c| **c != Some(Category::OutOfScope)) else {
                continue;
            };
            for word in Self::words(name) {
                *votes.entry(word).or_default().entry(category.at_level1()).or_default() += 1;
            }
        }
        let says = votes
            .into_iter()
            .filter_map(|(word, tally)| {
                let voters: usize = tally.values().sum();
                let (category, count) = tally.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
                (voters >= NAME_WORD_SUPPLIERS && *count as f64 >= CONCENTRATION * voters as f64)
                    .then_some((word, *category))
            })
            .collect();
        NameWords { says }
    }

    /// The one category the name's words say; none when they say several or nothing.
    fn category(&self, name: &str) -> Option<Category> {
        let mut said = Self::words(name).into_iter().filter_map(|w| self.says.get(&w).copied());
        let first = said.next()?;
        said.all(|c| c == first).then_some(first)
    }
}

/// Per row, its payee's id and its (council, department)'s id, so the supplier tier's
/// tallies hash numbers rather than text.
struct Payees<'a> {
    ids: &'a [usize],
    departments: &'a [Option<usize>],
}

/// The supplier tier: each payee's classified spend so far (`result`), by value, where it
/// is concentrated ([`Tally::concentrated`]), lends its unclassified rows its category: first
/// the payee's spend in the row's own council department, then its spend overall. A payee
/// with several lines of business is each line's supplier in the department that buys it
/// (Amey is highways consultancy to Trafford's `Capital Schemes` and facilities management to
/// its waste joint venture), where its spend overall is too spread to say anything. A
/// department never lends out of scope: what puts a payment out of scope is the payment, so
/// a department where the payee's spend is mostly grants leaves its other payments to the
/// payee's spend overall. Returns what each payee's spend overall says (none when it is not
/// concentrated).
fn lend_by_supplier(
    rows: &[Evidence<'_>],
    payees: &Payees<'_>,
    result: &mut [Classification],
) -> HashMap<usize, Option<Category>> {
    let ids = payees.ids;
    let mut by_supplier: HashMap<usize, Tally> = HashMap::new();
    let mut by_department: HashMap<(usize, usize), Tally> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(category) = result[i].category
            && !row.supplier_key.is_empty()
        {
            let weight = row.pence.unsigned_abs();
            by_supplier.entry(ids[i]).or_default().add(category, weight, ids[i]);
            if let Some(department) = payees.departments[i] {
                by_department.entry((ids[i], department)).or_default().add(category, weight, ids[i]);
            }
        }
    }
    let says: HashMap<usize, Option<Category>> =
        by_supplier.iter().map(|(id, tally)| (*id, tally.concentrated(1))).collect();
    let department_says: HashMap<(usize, usize), Category> = by_department
        .iter()
        .filter_map(|(unit, tally)| tally.concentrated(1).filter(|c| *c != Category::OutOfScope).map(|c| (*unit, c)))
        .collect();
    for (i, row) in rows.iter().enumerate() {
        if result[i].category.is_some() || row.supplier_key.is_empty() {
            continue;
        }
        let in_department = payees.departments[i].and_then(|d| department_says.get(&(ids[i], d))).copied();
        if let Some(category) = in_department.or_else(|| says.get(&ids[i]).copied().flatten()) {
            result[i] = Classification::by(Source::Supplier, category);
        }
    }
    says
}

/// Tier 4's label words and co-occurrence: each unclassified row takes the category its
/// expense type or published category names, else the one a council value it carries is
/// concentrated in (across at least two payees) among the rows classified so far, its own
/// council's values (most specific first) before an expense type's words in any council.
fn learn_from_values<'a>(
    rows: &[Evidence<'a>],
    keys: &[RowKeys],
    ids: &[usize],
    result: &mut [Classification],
    readings: &mut Readings<'a>,
) {
    let mut learned: HashMap<(Key, ValueId), Tally> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(category) = result[i].category {
            for (key, value) in keys[i].iter() {
                // A department spans too many kinds of payment to say a row is out of scope:
                // one levy or debtor line would carry the whole service area out.
                if key == Key::Department && category == Category::OutOfScope {
                    continue;
                }
                learned.entry((key, value)).or_default().add(category, row.pence.unsigned_abs(), ids[i]);
            }
        }
    }
    // Two payees at least: one payee's spend is the supplier tier's evidence, not the value's.
    let learned_says: HashMap<(Key, ValueId), Category> =
        learned.iter().filter_map(|(key, tally)| tally.concentrated(2).map(|c| (*key, c))).collect();
    for (i, row) in rows.iter().enumerate() {
        if result[i].category.is_some() {
            continue;
        }
        let mut found =
            [row.expense_type, row.published_category].into_iter().flatten().find_map(|t| readings.label(t));
        found = found.or_else(|| {
            keys[i]
                .iter()
                .filter(|(key, _)| *key != Key::AnyCouncilExpense)
                .find_map(|unit| learned_says.get(&unit).copied())
        });
        found = found.or_else(|| {
            keys[i]
                .iter()
                .filter(|(key, _)| *key == Key::AnyCouncilExpense)
                .find_map(|unit| learned_says.get(&unit).copied())
        });
        if let Some(category) = found {
            result[i] = Classification::by(Source::Text, category);
        }
    }
}

/// Classify every row, each with how it was decided. Deterministic: the same rows in the
/// same order give the same result. The dataset is the evidence: the supplier and learned
/// tiers read the other rows' classifications.
pub fn classify_rows(rows: &[Evidence<'_>], map: &CategoryMap) -> Vec<Classification> {
    let mut readings = Readings::default();
    let mut result: Vec<Classification> = rows.iter().map(|row| readings.own_evidence(row)).collect();

    // Supplier ids, so tallies count distinct payees cheaply.
    let mut supplier_ids: HashMap<&str, usize> = HashMap::new();
    let ids: Vec<usize> = rows
        .iter()
        .map(|row| {
            let next = supplier_ids.len();
            *supplier_ids.entry(row.supplier_key).or_insert(next)
        })
        .collect();
    // Department ids likewise (council and department), for the supplier tier's first look.
    let mut department_ids: HashMap<(&str, &str), usize> = HashMap::new();
    let departments: Vec<Option<usize>> = rows
        .iter()
        .map(|row| {
            row.department.map(|d| {
                let next = department_ids.len();
                *department_ids.entry((row.council, d)).or_insert(next)
            })
        })
        .collect();
    let payees = Payees { ids: &ids, departments: &departments };

    // Tier 3: suppliers, from the rows their own evidence classified.
    let supplier_says = lend_by_supplier(rows, &payees, &mut result);

    // Tier 4: label words, then what each council value co-occurs with in tiers 1-3.
    let keys: Vec<RowKeys> = rows.iter().map(|row| readings.learned_keys(row)).collect();
    learn_from_values(rows, &keys, &ids, &mut result, &mut readings);

    // Tier 3 again, now that the words have classified more of each payee's payments: a
    // payee whose spend the ledger's words put in one category is that category's supplier
    // on its payments the words could not read (`Payments for services` to a care home
    // whose other invoices say `Residential Care`). Before the name words, which read other
    // payees.
    lend_by_supplier(rows, &payees, &mut result);
    // And what council values co-occur with, again, now over everything classified so far:
    // the second supplier round's payees teach the expense types they are paid under.
    learn_from_values(rows, &keys, &ids, &mut result, &mut readings);

    // Last of tier 4: the words of the payee's name, as other payees' names use them.
    let name_says = NameWords::learn(rows, &ids, &supplier_says);
    for (i, row) in rows.iter().enumerate() {
        if result[i].category.is_none()
            && let Some(category) = row.supplier_name.and_then(|name| name_says.category(name))
        {
            result[i] = Classification::by(Source::Text, category);
        }
    }
    // Mappings last, and never as evidence for other rows: a mapping changes exactly the
    // rows it names, so an analyst can predict what a correction does.
    for (i, row) in rows.iter().enumerate() {
        if let Some(category) = map.lookup(row) {
            result[i] = Classification::by(Source::Mapped, category);
        }
    }
    result
}

/// Classify every contract of a register, each with how it was decided, from the
/// register's own words and the dataset's classified payments, so that `contracts by
/// category`, the contract columns of `categories shared by council` and the work plan's
/// category expertise compare registers and payments in one taxonomy, whatever labels each
/// register uses (Salford's `Surveys`, a sample's drifting `CONSTRUCTION: Bld Construction`).
///
/// The payments are classified first because they are the best evidence for a contract
/// that publishes no category: what the payments it covers buy. The tiers, strongest first:
/// 1. `mapped`: `categories.toml` names the contract's published category; an analyst's
///    correction wins, as on spend;
/// 2. `published`: the register's ProClass code or label, read through the code;
/// 3. `supplier`: the payments linked to the contract (`spend.contract_id`), by value, when
///    concentrated in one category ([`CONCENTRATION`]); failing those, all the supplier's
///    payments in the dataset. Out-of-scope payments are no evidence: a register lists what
///    a council buys, so a contract with a charity whose other payments are grants is still
///    procurement;
/// 4. `text`: the register's category saying the line is no procurement (`Non-procurement`,
///    checked before the supplier tier, as the register's own words); else ProClass labels
///    and ledger phrases that the published category, the title or the description names
///    ([`text::match_label`]); out of scope comes only from a mapping or those words;
/// 5. `none`: unclassified.
///
/// Deterministic: the result depends on neither the order of the payments nor hashing order.
pub fn classify_contracts(
    contracts: &[ContractEvidence<'_>],
    payments: &[ClassifiedPayment<'_>],
    map: &CategoryMap,
) -> Vec<Classification> {
    let mut by_contract: HashMap<&str, Tally> = HashMap::new();
    let mut by_supplier: HashMap<&str, Tally> = HashMap::new();
    for payment in payments {
        let Some(category) = payment.category.filter(|c| *c != Category::OutOfScope) else { continue };
        let weight = payment.pence.unsigned_abs();
        if let Some(id) = payment.contract_id {
            by_contract.entry(id).or_default().add(category, weight, 0);
        }
        if !payment.supplier_key.is_empty() {
            by_supplier.entry(payment.supplier_key).or_default().add(category, weight, 0);
        }
    }
    contracts
        .iter()
        .map(|contract| {
            let as_payment = Evidence {
                council: contract.council,
                published_category: contract.published_category,
                department: contract.department,
                ..Evidence::default()
            };
            if let Some(category) = map.lookup(&as_payment) {
                return Classification::by(Source::Mapped, category);
            }
            if let Some(category) = lookup_published(contract.published_code, contract.published_category) {
                return Classification::by(Source::Published, category);
            }
            if contract.published_category.is_some_and(text::register_says_out_of_scope) {
                return Classification::by(Source::Text, Category::OutOfScope);
            }
            let linked = contract.contract_id.and_then(|id| by_contract.get(id)).and_then(|t| t.concentrated(1));
            let supplier = || {
                (!contract.supplier_key.is_empty())
                    .then(|| by_supplier.get(contract.supplier_key))
                    .flatten()
                    .and_then(|t| t.concentrated(1))
            };
            if let Some(category) = linked.or_else(supplier) {
                return Classification::by(Source::Supplier, category);
            }
            [contract.published_category, contract.title, contract.description]
                .into_iter()
                .flatten()
                .find_map(text::match_label)
                .filter(|c| *c != Category::OutOfScope)
                .map_or(Classification::NONE, |category| Classification::by(Source::Text, category))
        })
        .collect()
}

#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::taxonomy::ProclassCode;

    const TRAFFORD: &str = "Trafford Council";
    const MANCHESTER: &str = "Manchester City Council";

    fn code(text: &str) -> Option<Category> {
        Some(Category::Code(ProclassCode::parse(text).unwrap()))
    }

    fn published<'a>(supplier: &'a str, pence: i128, code: &'a str) -> Evidence<'a> {
        Evidence { council: TRAFFORD, supplier_key: supplier, pence, published_code: Some(code), ..Evidence::default() }
    }

    fn ledger<'a>(supplier: &'a str, pence: i128, expense_type: &'a str) -> Evidence<'a> {
        Evidence {
            council: MANCHESTER,
            supplier_key: supplier,
            pence,
            expense_type: Some(expense_type),
            ..Evidence::default()
        }
    }

    fn run(rows: &[Evidence<'_>]) -> Vec<(Option<Category>, &'static str)> {
        classify_rows(rows, &CategoryMap::default()).iter().map(|c| (c.category, c.source.as_str())).collect()
    }

    #[test]
    fn published_codes_and_labels_are_read_through_the_code() {
        let rows = [
            published("AMEY", 100, "321014"),
            Evidence { published_category: Some("SOCIAL CARE : Domiciliary Care"), ..published("AMEY", 100, "NA") },
        ];
        assert_eq!(run(&rows), [(code("321014"), "published"), (code("321014"), "published")]);
    }

    #[test]
    fn a_supplier_concentrated_in_one_code_lends_it_to_its_other_payments() {
        // ACME: £900 in 391100 and £100 in 371000, 90% in one code. MIXED: 60/40 across two
        // groups, under the bar. Manchester's payments to them carry no ProClass.
        let rows = [
            published("ACME", 90_000, "391100"),
            published("ACME", -10_000, "371000"),
            published("MIXED", 60_000, "391100"),
            published("MIXED", 40_000, "371000"),
            ledger("ACME", 5_000, "Payments to contractors"),
            ledger("MIXED", 5_000, "Payments to contractors"),
        ];
        let got = run(&rows);
        assert_eq!(got[4], (code("391100"), "supplier"));
        assert_eq!(got[5], (None, "none"));
    }

    #[test]
    fn a_payee_with_two_lines_of_business_lends_each_in_the_department_that_buys_it() {
        // AMEY's published payments are roads in Highways and property management in the
        // waste joint venture, half its spend each: two groups, so its spend overall says
        // nothing. Its payments that name nothing take their own department's; one in a
        // department it has no classified spend in stays unclassified.
        let at = |department: &'static str, pence: i128, code: Option<&'static str>| Evidence {
            council: TRAFFORD,
            supplier_key: "AMEY",
            pence,
            department: Some(department),
            published_code: code,
            expense_type: code.is_none().then_some("Sundries"),
            ..Evidence::default()
        };
        let rows = [
            at("Highways", 50_000, Some("391400")),
            at("Waste JV", 50_000, Some("191700")),
            at("Highways", 1_000, None),
            at("Waste JV", 1_000, None),
            at("Parks", 1_000, None),
        ];
        let got = run(&rows);
        assert_eq!(got[2..], [(code("391400"), "supplier"), (code("191700"), "supplier"), (None, "none")]);
    }

    #[test]
    fn a_department_lends_no_out_of_scope_and_leaves_its_payments_to_the_payee_overall() {
        // CHARITY's grants (out of scope by their words) are 90% of its spend in Communities,
        // where it also sells £100 of care. The department says out of scope, which it may
        // not lend, so its payment that names nothing takes the payee's spend overall: also
        // out of scope, but decided by the payee, not the department's 10% of care.
        let row = |pence: i128, expense: &'static str, code: Option<&'static str>| Evidence {
            council: TRAFFORD,
            supplier_key: "CHARITY",
            pence,
            department: Some("Communities"),
            published_code: code,
            expense_type: Some(expense),
            ..Evidence::default()
        };
        let rows = [row(90_000, "Grants", None), row(10_000, "Care", Some("320000")), row(1_000, "Sundries", None)];
        assert_eq!(run(&rows)[2], (Some(Category::OutOfScope), "supplier"));
    }

    #[test]
    fn a_supplier_spread_within_one_group_lends_the_group() {
        // 50/50 between two construction codes: the code is unknown, the group is not.
        let rows =
            [published("BUILD", 50_000, "391100"), published("BUILD", 50_000, "391113"), ledger("BUILD", 1, "Works")];
        assert_eq!(run(&rows)[2], (code("390000"), "supplier"));
    }

    #[test]
    fn out_of_scope_words_decide_before_the_supplier() {
        // GMCA's published payments are all transport, but Manchester's ledger says levy.
        let rows = [
            published("GMCA", 1_000_000, "361300"),
            ledger("GMCA", 9_000_000, "Levies"),
            ledger("NHS SALFORD", 5_000, "Payments for services"),
            Evidence {
                supplier_name: Some("NHS Salford CCG"),
                ..ledger("NHS SALFORD CCG", 5_000, "Payts to Agencies")
            },
        ];
        let got = run(&rows);
        assert_eq!(got[1], (Some(Category::OutOfScope), "text"));
        // A key is no name: only the published name marks a public body.
        assert_eq!(got[2], (None, "none"));
        assert_eq!(got[3], (Some(Category::OutOfScope), "text"));
    }

    #[test]
    fn a_payee_whose_worded_spend_is_concentrated_lends_it_to_the_payments_words_cannot_read() {
        // Nobody publishes a code, so the first supplier round has nothing to lend. CARE
        // HOME's ledger lines say residential care for £900 of £1,000: its £100 of
        // `Payments for services` takes that from the second round. SPLIT's words say care
        // and electricity half each, two groups: its generic line stays unclassified.
        let rows = [
            ledger("CARE HOME", 90_000, "Residential Care"),
            ledger("CARE HOME", 10_000, "Payments for services"),
            ledger("SPLIT", 50_000, "Residential Care"),
            ledger("SPLIT", 50_000, "Electricity"),
            ledger("SPLIT", 10_000, "Payments for services"),
        ];
        let got = run(&rows);
        assert_eq!(got[0], (code("321017"), "text"));
        assert_eq!(got[1], (code("321017"), "supplier"));
        assert_eq!(got[3], (code("371000"), "text"));
        assert_eq!(got[4], (None, "none"));
    }

    #[test]
    fn the_second_supplier_rounds_payees_teach_the_expense_types_they_are_paid_under() {
        // A and B are care homes by their invoices' words; their `Sundries` lines take care
        // from the second supplier round, and then `Sundries` has two payees' classified
        // spend, all care, to teach C, whom nothing else classifies.
        let rows = [
            ledger("A", 90_000, "Residential Care"),
            ledger("A", 10_000, "Sundries"),
            ledger("B", 90_000, "Residential Care"),
            ledger("B", 10_000, "Sundries"),
            ledger("C", 5_000, "Sundries"),
        ];
        let got = run(&rows);
        assert_eq!([got[1], got[3]], [(code("321017"), "supplier"); 2]);
        assert_eq!(got[4], (code("321017"), "text"));
    }

    #[test]
    fn expense_types_learn_from_the_codes_they_co_occur_with() {
        // Two payees under "Refuse Collection" reach 182013 through the supplier tier, so a
        // third payee nobody has classified gets it from the expense type. "Sundries" has
        // one classified payee only: no lesson.
        let rows = [
            published("BINS A", 10_000, "182013"),
            published("BINS B", 10_000, "182013"),
            published("ONE", 10_000, "111200"),
            ledger("BINS A", 3_000, "Refuse Collection"),
            ledger("BINS B", 3_000, "Refuse Collection"),
            ledger("NEW BINS", 3_000, "refuse  collection"),
            ledger("ONE", 3_000, "Sundries"),
            ledger("OTHER", 3_000, "Sundries"),
        ];
        let got = run(&rows);
        assert_eq!(got[5], (code("182013"), "text"));
        assert_eq!(got[7], (None, "none"));
    }

    #[test]
    fn words_that_name_a_category_come_before_what_a_value_co_occurs_with() {
        // Two consultancies (Trafford codes them 151100) are paid under Manchester's
        // "Construction Works", so the value has learned consultancy from two payees; a
        // builder nobody has classified is still paid for works, as the words say (391100).
        let rows = [
            published("CONSULT A", 100_000, "151100"),
            published("CONSULT B", 100_000, "151100"),
            ledger("CONSULT A", 500_000, "Construction Works"),
            ledger("CONSULT B", 500_000, "Construction Works"),
            ledger("BUILDER", 400_000, "Construction Works"),
        ];
        let got = run(&rows);
        assert_eq!(got[2], (code("151100"), "supplier"));
        assert_eq!(got[4], (code("391100"), "text"));
    }

    #[test]
    fn a_payment_under_a_contract_takes_the_code_its_register_published() {
        // Salford's register codes the New Pendleton PFI contract 200000; its unitary charge
        // payments name no category. A levy linked to a contract is still a levy.
        let linked = |expense_type: &'static str| Evidence {
            council: "Salford City Council",
            contract_code: Some("200000"),
            contract_category: Some("Financial Services"),
            ..ledger("PENDLETON TOGETHER", 100_000, expense_type)
        };
        let rows = [
            linked("Unitary Charge"),
            Evidence { supplier_key: "GMCA", ..linked("Levies") },
            Evidence {
                supplier_key: "AIDS LTD",
                contract_code: None,
                contract_category: Some("SOCIAL CARE : Equipment"),
                ..linked("Aids")
            },
            ledger("PENDLETON TOGETHER", 100_000, "Sundries"),
        ];
        let got = run(&rows);
        assert_eq!(got[0], (code("200000"), "published"));
        assert_eq!(got[1], (Some(Category::OutOfScope), "text"));
        assert_eq!(got[2], (code("321311"), "published"));
        // The supplier's other payments learn it through the supplier tier.
        assert_eq!(got[3], (code("200000"), "supplier"));
    }

    #[test]
    fn departments_learn_too() {
        let rows = [
            Evidence { department: Some("Lift Repairs"), ..published("LIFTS A", 100, "191400") },
            Evidence { department: Some("Lift Repairs"), ..published("LIFTS B", 100, "191400") },
            Evidence { department: Some("LIFT REPAIRS"), ..published("LIFTS C", 100, "NA") },
        ];
        assert_eq!(run(&rows)[2], (code("191400"), "text"));
    }

    #[test]
    fn label_words_classify_what_nothing_else_does() {
        let rows =
            [ledger("POWER CO", 100, "Electricity"), ledger("X", 100, "Miscellaneous Exes"), ledger("", 100, "Gas")];
        assert_eq!(run(&rows), [(code("371000"), "text"), (None, "none"), (code("371100"), "text")]);
    }

    fn named<'a>(supplier: &'a str, pence: i128, code: &'a str) -> Evidence<'a> {
        Evidence { supplier_name: Some(supplier), ..published(supplier, pence, code) }
    }

    /// A Manchester payment to a payee nothing else in the rows speaks of, under an expense
    /// type that names no category.
    fn unknown(name: &str) -> Evidence<'_> {
        Evidence { supplier_name: Some(name), ..ledger(name, 5_000, "Sundries") }
    }

    #[test]
    fn words_that_five_payees_names_share_classify_a_payee_nothing_else_does() {
        // Five care providers Trafford coded in social care (32), under different codes, and
        // one nursery coded in education. Manchester pays a new care provider (no code, no
        // telling expense type) and a new nursery: five payees say `care`, one says `nursery`.
        let mut rows = vec![
            named("ACORN CARE LTD", 10_000, "321014"),
            named("BIRCH CARE LTD", 10_000, "321017"),
            named("CEDAR HOME CARE", 10_000, "321014"),
            named("DALE CARE SERVICES", 10_000, "321100"),
            named("ELM CARE", 10_000, "321018"),
            named("FIR NURSERY", 10_000, "171000"),
        ];
        rows.push(unknown("Willow Care Limited"));
        rows.push(unknown("Oak Nursery"));
        let got = run(&rows);
        assert_eq!(got[6], (code("320000"), "text"));
        assert_eq!(got[7], (None, "none"));
        // Four payees are not enough.
        let four: Vec<Evidence<'_>> = rows[1..].to_vec();
        assert_eq!(run(&four)[5], (None, "none"));
    }

    #[test]
    fn payees_vote_once_each_and_out_of_scope_payees_not_at_all() {
        // Four builders coded 39 and one very large consultancy coded 15 share `bros`: four of
        // five votes (80%) say construction, whatever the large payee's value. Five `trust`
        // payees are coded in social care and three are out of scope (their ledger says
        // grant): were those three to vote, social care would hold five of eight (62%),
        // under the bar; without them it holds all five.
        let mut rows = vec![
            named("A BROS", 1_000, "391100"),
            named("B BROS", 1_000, "391111"),
            named("C BROS", 1_000, "391400"),
            named("D BROS", 1_000, "390000"),
            named("E BROS", 9_000_000, "151100"),
        ];
        for name in ["F TRUST", "G TRUST", "H TRUST"] {
            rows.push(Evidence { supplier_name: Some(name), ..ledger(name, 1_000, "Grant Payments") });
        }
        for name in ["I TRUST", "J TRUST", "K TRUST", "L TRUST", "M TRUST"] {
            rows.push(named(name, 1_000, "321000"));
        }
        rows.push(unknown("Z Bros"));
        rows.push(unknown("Z Trust"));
        let got = run(&rows);
        assert_eq!(got[13], (code("390000"), "text"));
        assert_eq!(got[14], (code("320000"), "text"));
    }

    #[test]
    fn a_payees_name_decides_only_what_its_payment_does_not() {
        let mut rows: Vec<Evidence<'_>> = ["A CARE", "B CARE", "C CARE", "D CARE", "E CARE"]
            .into_iter()
            .map(|name| named(name, 10_000, "321014"))
            .collect();
        // The ledger names electricity: the words of the payment beat the words of the name.
        rows.push(Evidence { supplier_name: Some("Power Care Ltd"), ..ledger("POWER CARE", 100, "Electricity") });
        assert_eq!(run(&rows)[5], (code("371000"), "text"));
    }

    #[test]
    fn a_redacted_supplier_gets_no_supplier_tier() {
        let rows = [published("", 100, "391100"), ledger("", 100, "Payments to contractors")];
        assert_eq!(run(&rows)[1], (None, "none"));
    }

    #[test]
    fn a_mapping_wins_and_changes_exactly_the_rows_it_names() {
        let rows = [
            published("ACME", 90_000, "391100"),
            ledger("ACME", 5_000, "Payments to contractors"),
            ledger("ACME", 5_000, "Agency staff"),
            Evidence { council: "Salford City Council", ..ledger("ACME", 5_000, "Agency staff") },
            Evidence { expense_type: Some("Agency staff"), ..published("ACME", 1_000, "391100") },
        ];
        let map = CategoryMap::parse(
            "[council.\"Manchester City Council\".expense_type]\n\"AGENCY STAFF\" = \"261400\"\n\
             [council.\"Trafford Council\".expense_type]\n\"Agency staff\" = \"out of scope\"\n",
            Path::new("categories.toml"),
        )
        .unwrap();
        let before = classify_rows(&rows, &CategoryMap::default());
        let after = classify_rows(&rows, &map);
        let changed: Vec<usize> = (0..rows.len()).filter(|&i| before[i] != after[i]).collect();
        assert_eq!(changed, [2, 4]);
        assert_eq!(after[2], Classification { category: code("261400"), source: Source::Mapped });
        // A mapping overrides what the council published.
        assert_eq!(after[4], Classification { category: Some(Category::OutOfScope), source: Source::Mapped });
        assert_eq!(after[3], before[3]);
    }

    #[test]
    fn the_result_does_not_depend_on_hashing() {
        let rows: Vec<Evidence<'_>> = (0..40)
            .map(|i| {
                if i % 2 == 0 {
                    published(["A", "B", "C", "D"][i % 4], 100, "391100")
                } else {
                    ledger(["A", "B", "E"][i % 3], 100, "Works")
                }
            })
            .collect();
        let first = classify_rows(&rows, &CategoryMap::default());
        for _ in 0..5 {
            assert_eq!(classify_rows(&rows, &CategoryMap::default()), first);
        }
    }
}
