//! Supplier identity from the identifiers councils publish, before names: a company number,
//! charity number or VAT number (across councils and tables), or a council's own supplier id
//! (within that council's files), that two name keys share makes them one supplier, and the
//! stored `supplier_key` of both tables follows. Runs over the whole dataset inside every
//! transaction that changes spend, contracts or `suppliers.toml`, before linking.
//!
//! The rules (README, "Suppliers"), in order:
//! - A row's **name key** is [`supplier_key`] of its published name after the aliases of
//!   `suppliers.toml`. Rows without a name keep their stored key; redacted names are keyed but
//!   never linked by an identifier (a withheld name is not a supplier).
//! - An **identifier** is normalised (company numbers padded, `GB` dropped from VAT numbers)
//!   and must hold a digit and not be all zeros: `N/A`, `Redacted`, `0`, `Not yet available`
//!   are no identifier.
//! - An identifier **shared by unrelated names** is refused as a placeholder: its name keys
//!   are grouped by shared distinctive words (a word of two or more letters, not a joining
//!   word, found in at most 1% of the dataset's name keys and at least 3), and an identifier
//!   spanning more than two such groups (more than one for VAT numbers) is refused. One
//!   company may rename or trade under a second name (`Park Now` / `RingGo`), but three
//!   unrelated names on one number is a default value or a shared account. VAT numbers are
//!   stricter because a VAT group registration covers different companies: on Trafford's
//!   2024-25 spend one VAT number covers Manchester City Council and eight schools, another
//!   a care group's homes, and `BT` with `EE`.
//! - **Precision first**: a link never joins two suppliers that each have company numbers
//!   (or charity numbers) with none in common, nor two canonical names of `suppliers.toml`;
//!   identifiers are followed strongest first (company, charity, supplier id, VAT), each kind
//!   in value order, so which link is refused never depends on file order.
//! - A linked group's key is its `suppliers.toml` canonical name's key when it has one, else
//!   the name key on most rows, ties to the smallest; so `suppliers.toml` still wins.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringBuilder};

use crate::catalog::{TableReader, Text, Transaction};
use crate::error::{Error, Result};
use crate::schema::{Table, contracts as c, spend as s};
use crate::suppliers::{Aliases, is_redacted, normalise_company_number, normalise_vat_number, supplier_key};

use super::cells::is_missing;
use super::link::rewrite_file;
use super::supplier_table::{self, Payment, RowIds, Side, Tally};

/// What one identity pass did, for the ingest report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityReport {
    /// Name keys that now carry another name's key because an identifier links them.
    pub keys_merged: usize,
    /// Identifiers refused as shared by unrelated names.
    pub identifiers_refused: usize,
    /// Links not followed because they would join two different companies or aliases.
    pub links_refused: usize,
    /// Table files rewritten with new keys.
    pub files_rewritten: usize,
    /// The spend files among them, relative to the version folder: their links may move.
    pub spend_files_rekeyed: Vec<String>,
    /// Whether a contracts file was among them: then any payment's link may move.
    pub contracts_rekeyed: bool,
    /// Rows of the rebuilt `suppliers` table.
    pub suppliers: usize,
}

/// The kinds of identifier, strongest first: the order links are followed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Company,
    Charity,
    SupplierId,
    Vat,
}

impl Kind {
    /// How many groups of unrelated names one identifier may span before it is refused.
    fn max_unrelated(self) -> usize {
        if self == Kind::Vat { 1 } else { 2 }
    }
}

/// Joining words that say nothing about which supplier a name is.
const JOINING_WORDS: &[&str] = &["AND", "OF", "THE", "FOR", "IN", "AT", "ON", "T", "A", "UK", "CO"];

/// A charity number in one spelling: the digits (and letters, for Scotland's `SC012345`),
/// without a `CHC-` prefix. Placeholders are none.
fn normalise_charity_number(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_uppercase();
    let compact = compact.strip_prefix("CHC").unwrap_or(&compact);
    is_identifier(compact).then(|| compact.to_string())
}

/// A council's supplier id in one spelling: trimmed, upper case.
fn normalise_supplier_id(raw: &str) -> Option<String> {
    let id = raw.trim().to_uppercase();
    (!is_missing(&id) && is_identifier(&id)).then_some(id)
}

/// An identifier holds a digit and is not all zeros: `N/A`, `Redacted`, `0`, `TBC`,
/// `Not yet available` are not.
fn is_identifier(value: &str) -> bool {
    value.chars().any(|ch| ch.is_ascii_digit()) && value.chars().any(|ch| ch.is_ascii_alphanumeric() && ch != '0')
}

/// Name keys seen, and what each of their rows said.
#[derive(Default)]
struct Nodes {
    ids: HashMap<String, u32>,
    keys: Vec<String>,
    tallies: Vec<Tally>,
    /// Published name → (name key node, redacted); `None` for a name that is no name.
    by_name: HashMap<String, (Option<u32>, bool)>,
}

impl Nodes {
    fn node_of(&mut self, name: &str, aliases: &Aliases) -> (Option<u32>, bool) {
        if let Some(found) = self.by_name.get(name) {
            return *found;
        }
        let trimmed = name.trim();
        let found = if is_missing(trimmed) {
            (None, false)
        } else {
            let key = aliases.canonical(&supplier_key(trimmed)).to_string();
            if key.is_empty() {
                (None, false)
            } else {
                let next = self.keys.len() as u32;
                let id = *self.ids.entry(key.clone()).or_insert(next);
                if id == next {
                    self.keys.push(key);
                    self.tallies.push(Tally::default());
                }
                (Some(id), is_redacted(trimmed))
            }
        };
        self.by_name.insert(name.to_string(), found);
        found
    }
}

/// Every identifier seen and the name keys carrying it.
#[derive(Default)]
struct Identifiers {
    /// (kind, scope, raw value) → identifier number, or `None` for a placeholder. The scope
    /// is the council for supplier ids, empty for the rest.
    cache: HashMap<(Kind, String), HashMap<String, Option<u32>>>,
    values: Vec<(Kind, String)>,
    members: Vec<BTreeSet<u32>>,
    numbers: HashMap<(Kind, String), u32>,
}

impl Identifiers {
    /// The identifier a raw cell holds, and its normalised text.
    fn lookup(&mut self, kind: Kind, scope: &str, raw: &str) -> Option<u32> {
        let scoped = (kind, if kind == Kind::SupplierId { scope.to_string() } else { String::new() });
        if let Some(found) = self.cache.get(&scoped).and_then(|m| m.get(raw)) {
            return *found;
        }
        let normal = match kind {
            Kind::Company => normalise_company_number(raw),
            Kind::Charity => normalise_charity_number(raw),
            Kind::Vat => normalise_vat_number(raw),
            Kind::SupplierId => normalise_supplier_id(raw),
        };
        let found = normal.map(|value| {
            let value = if kind == Kind::SupplierId { format!("{}\u{1f}{value}", scoped.1) } else { value };
            let next = self.values.len() as u32;
            let id = *self.numbers.entry((kind, value.clone())).or_insert(next);
            if id == next {
                self.values.push((kind, value));
                self.members.push(BTreeSet::new());
            }
            id
        });
        self.cache.entry(scoped).or_default().insert(raw.to_string(), found);
        found
    }

    /// The normalised text of an identifier shown in the `suppliers` table.
    fn text(&self, id: Option<u32>) -> Option<&str> {
        id.map(|i| self.values[i as usize].1.as_str())
    }
}

/// For one table file: the name keys its rows carry where the stored key equals the name
/// key, and (name key, stored key) where it does not, so that after the pass a file is
/// rewritten only when some row's key changes.
struct FileKeys {
    table: Table,
    path: PathBuf,
    same: HashSet<u32>,
    differing: HashSet<(u32, Option<String>)>,
}

/// Recompute `supplier_key` in every spend and contracts file of the staged version from
/// names, aliases and identifiers, rewriting only files whose keys change, and rebuild the
/// `suppliers` table.
pub fn derive_identity(tx: &Transaction, aliases: &Aliases) -> Result<IdentityReport> {
    let files = |table: Table| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = tx
            .manifest()
            .sources
            .iter()
            .filter(|r| r.kind.table() == table)
            .flat_map(|r| r.parquet_files.iter().map(|f| tx.dir().join(f)))
            .collect();
        files.sort();
        files
    };
    let (spend_files, contract_files) = (files(Table::Spend), files(Table::Contracts));
    let mut nodes = Nodes::default();
    let mut ids = Identifiers::default();
    // Rows with no name but a stored key (written by other tools) keep it and are tallied by it.
    let mut keyless: BTreeMap<String, Tally> = BTreeMap::new();
    let mut file_keys = Vec::new();
    for (table, paths) in [(Table::Spend, &spend_files), (Table::Contracts, &contract_files)] {
        for path in paths {
            file_keys.push(read_file(table, path, aliases, &mut nodes, &mut ids, &mut keyless)?);
        }
    }
    let mut report = IdentityReport::default();
    let finals = link_keys(&nodes, &ids, aliases, &mut report);

    for file in &file_keys {
        let changes = file.same.iter().any(|n| finals[*n as usize] != *n)
            || file
                .differing
                .iter()
                .any(|(n, stored)| stored.as_deref() != Some(nodes.keys[finals[*n as usize] as usize].as_str()));
        if changes {
            rewrite_keys(&file.path, &nodes, &finals)?;
            report.files_rewritten += 1;
            if file.table == Table::Contracts {
                report.contracts_rekeyed = true;
            } else if let Ok(relative) = file.path.strip_prefix(tx.dir()) {
                report.spend_files_rekeyed.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    report.keys_merged = finals.iter().enumerate().filter(|(i, f)| *i as u32 != **f).count();

    let mut by_key = keyless;
    for (node, tally) in nodes.tallies.iter().enumerate() {
        let key = &nodes.keys[finals[node] as usize];
        by_key.entry(key.clone()).or_default().merge(tally);
    }
    report.suppliers = supplier_table::write_table(tx.dir(), &by_key)?;
    Ok(report)
}

fn damaged(path: &Path, column: &str) -> Error {
    Error::dataset(format!("{} has no readable column {column}", path.display()))
        .with_hint("the dataset may be from an older spendql; ingest its files into a fresh dataset")
}

/// Read one table file's names, identifiers and payments into the tallies.
fn read_file(
    table: Table,
    path: &Path,
    aliases: &Aliases,
    nodes: &mut Nodes,
    ids: &mut Identifiers,
    keyless: &mut BTreeMap<String, Tally>,
) -> Result<FileKeys> {
    let spend = table == Table::Spend;
    let columns: &[&str] = if spend {
        &[
            s::COUNCIL,
            s::SUPPLIER_NAME,
            s::SUPPLIER_KEY,
            s::REDACTED,
            s::SUPPLIER_ID,
            s::COMPANY_NUMBER,
            s::CHARITY_NUMBER,
            s::VAT_NUMBER,
            s::PAYMENT_DATE,
            s::AMOUNT,
        ]
    } else {
        &[c::COUNCIL, c::SUPPLIER_NAME, c::SUPPLIER_KEY, c::COMPANY_NUMBER, s::CHARITY_NUMBER]
    };
    let side = if spend { Side::Spend } else { Side::Contracts };
    let mut file = FileKeys { table, path: path.to_path_buf(), same: HashSet::new(), differing: HashSet::new() };
    let reader = TableReader::of_files(table, vec![path.to_path_buf()]);
    for batch in reader.batches(Some(columns)) {
        let batch = batch?;
        let council = batch.required_text(s::COUNCIL)?;
        let name = batch.required_text(s::SUPPLIER_NAME)?;
        let key = batch.required_text(s::SUPPLIER_KEY)?;
        let company = batch.text(s::COMPANY_NUMBER)?;
        let charity = batch.text(s::CHARITY_NUMBER)?;
        let (supplier_id, vat) = if spend {
            (batch.text(s::SUPPLIER_ID)?, batch.text(s::VAT_NUMBER)?)
        } else {
            (Text::Absent, Text::Absent)
        };
        let redacted = if spend { Some(batch.required_flag(s::REDACTED)?) } else { None };
        let payments =
            if spend { Some((batch.required_date(s::PAYMENT_DATE)?, batch.required_money(s::AMOUNT)?)) } else { None };
        for i in 0..batch.num_rows() {
            let council = council.raw(i).unwrap_or_default();
            let payment = payments.map(|(dates, amounts)| Payment { date: dates.value(i), amount: amounts.value(i) });
            let published = name.raw(i);
            let (node, name_redacted) = match published {
                Some(n) => nodes.node_of(n, aliases),
                None => (None, false),
            };
            let row_redacted = redacted.map_or(name_redacted, |r| r.value(i) || name_redacted);
            let company = company.raw(i).and_then(|raw| ids.lookup(Kind::Company, council, raw));
            let charity = charity.raw(i).and_then(|raw| ids.lookup(Kind::Charity, council, raw));
            let vat = vat.raw(i).and_then(|raw| ids.lookup(Kind::Vat, council, raw));
            let supplier_id = supplier_id.raw(i).and_then(|raw| ids.lookup(Kind::SupplierId, council, raw));
            let row_ids = RowIds { company: ids.text(company), charity: ids.text(charity), vat: ids.text(vat) };
            let Some(node) = node else {
                if let Some(stored) = key.raw(i) {
                    keyless.entry(stored.to_string()).or_default().add(
                        side,
                        published,
                        council,
                        row_ids,
                        row_redacted,
                        payment,
                    );
                }
                continue;
            };
            nodes.tallies[node as usize].add(side, published, council, row_ids, row_redacted, payment);
            match key.raw(i) {
                Some(stored) if stored == nodes.keys[node as usize] => {
                    file.same.insert(node);
                }
                stored => {
                    file.differing.insert((node, stored.map(str::to_string)));
                }
            }
            if !row_redacted {
                for id in [company, charity, vat, supplier_id].into_iter().flatten() {
                    ids.members[id as usize].insert(node);
                }
            }
        }
    }
    Ok(file)
}

/// Union-find over name keys.
struct Groups {
    parent: Vec<u32>,
    companies: Vec<BTreeSet<u32>>,
    charities: Vec<BTreeSet<u32>>,
    alias: Vec<Option<u32>>,
}

impl Groups {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let up = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = up;
            x = up;
        }
        x
    }

    /// Join the groups of `a` and `b` unless that would make two companies (or charities, or
    /// aliases) one. Returns false when refused.
    fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        let (ia, ib) = (ra as usize, rb as usize);
        let disjoint = |x: &BTreeSet<u32>, y: &BTreeSet<u32>| !x.is_empty() && !y.is_empty() && x.is_disjoint(y);
        let aliases_differ = matches!((self.alias[ia], self.alias[ib]), (Some(x), Some(y)) if x != y);
        if disjoint(&self.companies[ia], &self.companies[ib])
            || disjoint(&self.charities[ia], &self.charities[ib])
            || aliases_differ
        {
            return false;
        }
        let (keep, gone) = if ra < rb { (ia, ib) } else { (ib, ia) };
        self.parent[gone] = keep as u32;
        let companies = std::mem::take(&mut self.companies[gone]);
        self.companies[keep].extend(companies);
        let charities = std::mem::take(&mut self.charities[gone]);
        self.charities[keep].extend(charities);
        self.alias[keep] = self.alias[keep].or(self.alias[gone]);
        true
    }
}

/// The final name key of every name key (by node number), after following identifiers.
fn link_keys(nodes: &Nodes, ids: &Identifiers, aliases: &Aliases, report: &mut IdentityReport) -> Vec<u32> {
    let n = nodes.keys.len();
    let mut groups = Groups {
        parent: (0..n as u32).collect(),
        companies: vec![BTreeSet::new(); n],
        charities: vec![BTreeSet::new(); n],
        alias: (0..n as u32).map(|i| aliases.entry(&nodes.keys[i as usize]).map(|_| i)).collect(),
    };
    for (id, (kind, _)) in ids.values.iter().enumerate() {
        for member in &ids.members[id] {
            match kind {
                Kind::Company => groups.companies[*member as usize].insert(id as u32),
                Kind::Charity => groups.charities[*member as usize].insert(id as u32),
                _ => false,
            };
        }
    }
    let words = Words::of(&nodes.keys);
    let mut order: Vec<usize> = (0..ids.values.len()).filter(|i| ids.members[*i].len() > 1).collect();
    order.sort_by(|a, b| ids.values[*a].cmp(&ids.values[*b]));
    for id in order {
        let members: Vec<u32> = ids.members[id].iter().copied().collect();
        if words.unrelated_groups(&members) > ids.values[id].0.max_unrelated() {
            report.identifiers_refused += 1;
            continue;
        }
        for other in &members[1..] {
            if !groups.union(members[0], *other) {
                report.links_refused += 1;
            }
        }
    }
    // Each group's key: its alias's, else the name key on most rows, ties to the smallest.
    let mut best: HashMap<u32, u32> = HashMap::new();
    for node in 0..n as u32 {
        let root = groups.find(node);
        let pick = |a: u32, b: u32| -> u32 {
            let rows = |x: u32| nodes.tallies[x as usize].rows();
            let (ka, kb) = (&nodes.keys[a as usize], &nodes.keys[b as usize]);
            if rows(a) != rows(b) {
                if rows(a) > rows(b) { a } else { b }
            } else if ka <= kb {
                a
            } else {
                b
            }
        };
        let chosen = match groups.alias[root as usize] {
            Some(alias) => alias,
            None => best.get(&root).map_or(node, |b| pick(*b, node)),
        };
        best.insert(root, chosen);
    }
    (0..n as u32).map(|node| best[&groups.find(node)]).collect()
}

/// Which words of the dataset's name keys are distinctive enough to say two names are related.
struct Words {
    distinctive: Vec<Vec<String>>,
}

impl Words {
    fn of(keys: &[String]) -> Words {
        let mut frequency: HashMap<&str, usize> = HashMap::new();
        for key in keys {
            let unique: BTreeSet<&str> = key.split_whitespace().collect();
            for word in unique {
                *frequency.entry(word).or_default() += 1;
            }
        }
        let limit = (keys.len() / 100).max(3);
        let distinctive = keys
            .iter()
            .map(|key| {
                key.split_whitespace()
                    .filter(|w| {
                        w.len() >= 2 && !JOINING_WORDS.contains(w) && frequency.get(w).is_some_and(|f| *f <= limit)
                    })
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        Words { distinctive }
    }

    /// How many groups `members` fall into when names sharing a distinctive word are one group.
    fn unrelated_groups(&self, members: &[u32]) -> usize {
        let mut parent: Vec<usize> = (0..members.len()).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                x = parent[x];
            }
            x
        }
        let mut owner: HashMap<&str, usize> = HashMap::new();
        for (i, m) in members.iter().enumerate() {
            for word in &self.distinctive[*m as usize] {
                match owner.get(word.as_str()) {
                    Some(j) => {
                        let (a, b) = (find(&mut parent, i), find(&mut parent, *j));
                        parent[a] = b;
                    }
                    None => {
                        owner.insert(word, i);
                    }
                }
            }
        }
        (0..members.len()).filter(|i| find(&mut parent, *i) == *i).count()
    }
}

/// Rewrite one table file's `supplier_key` column with every named row's final key.
fn rewrite_keys(path: &Path, nodes: &Nodes, finals: &[u32]) -> Result<()> {
    rewrite_file(path, |batch: RecordBatch, path: &Path| {
        let schema = batch.schema();
        let (Ok(name_index), Ok(key_index)) = (schema.index_of(s::SUPPLIER_NAME), schema.index_of(s::SUPPLIER_KEY))
        else {
            return Err(damaged(path, s::SUPPLIER_KEY));
        };
        let names = batch.column(name_index).as_string_opt::<i32>().ok_or_else(|| damaged(path, s::SUPPLIER_NAME))?;
        let keys = batch.column(key_index).as_string_opt::<i32>().ok_or_else(|| damaged(path, s::SUPPLIER_KEY))?;
        let mut out = StringBuilder::with_capacity(batch.num_rows(), batch.num_rows() * 12);
        for i in 0..batch.num_rows() {
            let node = names.is_valid(i).then(|| nodes.by_name.get(names.value(i))).flatten().and_then(|(n, _)| *n);
            match node {
                Some(node) => out.append_value(&nodes.keys[finals[node as usize] as usize]),
                None => out.append_option(keys.is_valid(i).then(|| keys.value(i))),
            }
        }
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        columns[key_index] = Arc::new(out.finish());
        Ok(RecordBatch::try_new(schema, columns)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(keys: &[&str]) -> Words {
        Words::of(&keys.iter().map(ToString::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn placeholders_are_no_identifier() {
        for placeholder in ["N/A", "Redacted", "0", "000000", "Not yet available", "TBC", "-", ""] {
            assert_eq!(normalise_supplier_id(placeholder), None, "{placeholder}");
            assert_eq!(normalise_charity_number(placeholder), None, "{placeholder}");
            assert_eq!(normalise_company_number(placeholder), None, "{placeholder}");
        }
        assert_eq!(normalise_supplier_id(" r00123 ").as_deref(), Some("R00123"));
        assert_eq!(normalise_charity_number("CHC-1087654").as_deref(), Some("1087654"));
        assert_eq!(normalise_charity_number("SC012345").as_deref(), Some("SC012345"));
    }

    #[test]
    fn names_sharing_a_distinctive_word_are_one_group() {
        let w = words(&["HEATHSIDE CARE HOME", "HEATHSIDE RETIRMENT HOME", "PARK NOW", "RINGGO", "AMEY"]);
        assert_eq!(w.unrelated_groups(&[0, 1]), 1);
        assert_eq!(w.unrelated_groups(&[2, 3]), 2);
        assert_eq!(w.unrelated_groups(&[0, 2, 3, 4]), 4);
    }

    #[test]
    fn common_words_do_not_relate_names() {
        // `SCHOOL` is in 5 of these 6 keys: more than the limit of 3, so it relates nothing.
        let w = words(&["A SCHOOL", "B SCHOOL", "C SCHOOL", "D SCHOOL", "E SCHOOL", "CITY COUNCIL"]);
        assert_eq!(w.unrelated_groups(&[0, 1, 2, 5]), 4);
    }

    fn groups(n: usize) -> Groups {
        Groups {
            parent: (0..n as u32).collect(),
            companies: vec![BTreeSet::new(); n],
            charities: vec![BTreeSet::new(); n],
            alias: vec![None; n],
        }
    }

    #[test]
    fn a_link_never_joins_two_different_companies() {
        let mut g = groups(3);
        g.companies[0].insert(1);
        g.companies[1].insert(2);
        assert!(!g.union(0, 1), "different company numbers");
        assert!(g.union(0, 2), "no company number on one side");
        assert!(!g.union(2, 1), "the group of 0 and 2 has company 1, not 2");
        g.companies[1].insert(1);
        assert!(g.union(2, 1), "sharing one number joins");
    }

    #[test]
    fn two_canonical_names_of_suppliers_toml_stay_apart() {
        let mut g = groups(2);
        g.alias = vec![Some(0), Some(1)];
        assert!(!g.union(0, 1));
    }
}
