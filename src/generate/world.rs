//! The synthetic world behind the generated files: the supplier population (heavy-tailed,
//! partly shared between councils), each council's contracts, the payment calendar and the
//! samplers that draw payment lines from it. Everything here is derived from the seed alone,
//! and only things whose size is bounded (suppliers, contracts, days) are ever held in memory:
//! payment lines are drawn one at a time.

use std::collections::HashSet;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal, Zipf};

use super::vocab::{self, CATEGORIES, FAMILIES, INITIALS, MERCHANTS, OFFICERS, PLACES, SURNAMES};
use crate::error::{Error, Result};

pub const STOCKPORT: usize = 0;
pub const TRAFFORD: usize = 1;
pub const ROCHDALE: usize = 2;
pub const COUNCIL_NAMES: [&str; 3] = ["Stockport", "Trafford", "Rochdale"];
/// Each council's share of the spend rows, in thousandths; they sum to 1000.
const COUNCIL_SHARE: [u64; 3] = [370, 330, 300];

/// Procurement-card lines per spend line (card spend is a small share, as in real councils).
const CARD_PER_THOUSAND_SPEND: u64 = 40;
/// Share of payment lines that are credits (refunds, credit notes, discounts).
const CREDIT_PROBABILITY: f64 = 0.10;
/// Zipf exponent of supplier popularity within a council: a few suppliers take most lines.
const ZIPF_EXPONENT: f64 = 1.05;

/// The period paid: financial years April 2021 to March 2024.
pub fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 4, 1).unwrap_or_default()
}

pub fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 31).unwrap_or_default()
}

/// The financial year a date falls in, named by its starting calendar year (2021 for 2021-22).
pub fn financial_year(date: NaiveDate) -> i32 {
    if date.month() >= 4 { date.year() } else { date.year() - 1 }
}

/// An independent random stream for one part of the output, so that changing how one file is
/// drawn never changes another.
pub fn stream(seed: u64, label: &str) -> StdRng {
    // FNV-1a over the label, then splitmix-style mixing with the seed.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = seed.wrapping_add(h).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    StdRng::seed_from_u64(z ^ (z >> 31))
}

/// A legal form as it appears after a name; empty for sole traders and partnerships of people.
const LEGAL_FORMS: &[(&str, u32)] = &[("Ltd", 40), ("Limited", 30), ("PLC", 4), ("LLP", 5), ("", 12)];

#[derive(Debug, Clone)]
pub struct Supplier {
    /// The name without its legal form.
    pub base: String,
    pub legal: &'static str,
    /// A differently written name one council uses for the same supplier (`Ltd` vs `Limited`,
    /// `&` vs `and`), so that supplier matching across councils has real work to do.
    pub variant: Option<(usize, String)>,
    pub category: usize,
    /// Bit `c` set when council `c` pays this supplier.
    pub councils: u8,
    /// Multiplier on the category's typical payment: some suppliers are bigger than others.
    pub scale: f64,
    pub vat_number: Option<String>,
    pub company_number: Option<String>,
    pub postcode: String,
    pub sme: bool,
    pub vcse: bool,
    /// The supplier's account number in each council's finance system.
    pub account: [u32; 3],
}

impl Supplier {
    pub fn name(&self) -> String {
        if self.legal.is_empty() { self.base.clone() } else { format!("{} {}", self.base, self.legal) }
    }

    /// The name as council `council` writes it.
    pub fn name_for(&self, council: usize) -> String {
        match &self.variant {
            Some((c, name)) if *c == council => name.clone(),
            _ => self.name(),
        }
    }

    pub fn is_shared(&self) -> bool {
        self.councils.count_ones() >= 2
    }
}

#[derive(Debug, Clone)]
pub struct Contract {
    pub reference: String,
    /// The council whose register lists the contract.
    pub lead: usize,
    /// The other councils a collaborative contract covers.
    pub partners: Vec<usize>,
    pub supplier: usize,
    pub category: usize,
    pub title: String,
    pub description: String,
    pub procedure: &'static str,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub review: NaiveDate,
    pub duration_months: u32,
    pub extension_months: u32,
    pub extensions: u32,
    pub extension_taken: bool,
    pub expiry: NaiveDate,
    pub annual_pence: i64,
    pub total_pence: i64,
    pub irrecoverable_vat_pence: i64,
    pub savings_cashable_pence: Option<i64>,
    pub savings_non_cashable_pence: Option<i64>,
    pub social_value_pence: Option<i64>,
    pub officer: &'static str,
    pub status: &'static str,
    pub above_threshold: bool,
}

/// Everything that is fixed before the first payment line is drawn.
pub struct World {
    pub seed: u64,
    pub suppliers: Vec<Supplier>,
    /// Per council, the suppliers it pays, most-paid first.
    pub ranked: [Vec<usize>; 3],
    /// Per council, the Zipf normalising constant over its ranked suppliers.
    harmonic: [f64; 3],
    pub spend_rows: [u64; 3],
    pub card_rows: [u64; 3],
    pub contracts: Vec<Contract>,
    /// Working days in the period with their relative weight (month-end and March are busier).
    pub calendar: Vec<(NaiveDate, u64)>,
}

impl World {
    pub fn build(seed: u64, rows: u64) -> Result<World> {
        if rows == 0 {
            return Err(Error::usage("--rows must be at least 1"));
        }
        let spend_rows = split_rows(rows);
        let card_rows = spend_rows.map(|n| (n * CARD_PER_THOUSAND_SPEND).div_ceil(1000));

        // Enough suppliers that most appear at small sizes, bounded so memory stays flat at any size.
        let supplier_count = (rows / 12).clamp(150, 20_000) as usize;
        let suppliers = build_suppliers(seed, supplier_count);
        let ranked = rank_suppliers(seed, &suppliers);
        let calendar = build_calendar();
        let harmonic = ranked.each_ref().map(|list| (1..=list.len()).map(|k| (k as f64).powf(-ZIPF_EXPONENT)).sum());
        let mut world =
            World { seed, suppliers, ranked, harmonic, spend_rows, card_rows, contracts: Vec::new(), calendar };
        world.contracts = build_contracts(&world);
        Ok(world)
    }

    /// The last working day in the period: "now" for contract status and expiry.
    pub fn latest_payment_date(&self) -> NaiveDate {
        self.calendar.last().map_or_else(last_day, |(d, _)| *d)
    }

    /// How many of `total` lines fall on each calendar day, in calendar order. Exact integer
    /// apportionment, so the counts always sum to `total` and do not depend on floating point.
    pub fn daily_counts(&self, total: u64) -> impl Iterator<Item = (NaiveDate, u64)> + '_ {
        let weight_sum: u128 = self.calendar.iter().map(|(_, w)| u128::from(*w)).sum::<u128>().max(1);
        let mut cumulative: u128 = 0;
        self.calendar.iter().map(move |(date, w)| {
            let before = u128::from(total) * cumulative / weight_sum;
            cumulative += u128::from(*w);
            let after = u128::from(total) * cumulative / weight_sum;
            (*date, (after - before) as u64)
        })
    }

    /// The share of council `council`'s lines that go to the supplier at `rank` (0-based).
    fn rank_share(&self, council: usize, rank: usize) -> f64 {
        ((rank + 1) as f64).powf(-ZIPF_EXPONENT) / self.harmonic[council].max(1.0)
    }
}

/// Each council's spend rows: exact shares of `rows`, the remainder going to the last council.
fn split_rows(rows: u64) -> [u64; 3] {
    let share = |c: usize| rows / 1000 * COUNCIL_SHARE[c] + rows % 1000 * COUNCIL_SHARE[c] / 1000;
    let (first, second) = (share(0), share(1));
    [first, second, rows - first - second]
}

fn weighted_index(rng: &mut StdRng, weights: impl Iterator<Item = u32> + Clone) -> usize {
    let total: u32 = weights.clone().sum();
    let mut pick = rng.random_range(0..total.max(1));
    for (i, w) in weights.enumerate() {
        if pick < w {
            return i;
        }
        pick -= w;
    }
    0
}

fn build_suppliers(seed: u64, count: usize) -> Vec<Supplier> {
    let mut rng = stream(seed, "suppliers");
    let mut seen = HashSet::with_capacity(count);
    let mut suppliers = Vec::with_capacity(count);
    let mut attempts = 0usize;
    while suppliers.len() < count {
        attempts += 1;
        let category = weighted_index(&mut rng, CATEGORIES.iter().map(|c| c.weight));
        let trade = *CATEGORIES[category].trades.choose(&mut rng).unwrap_or(&"Services");
        let place = *PLACES.choose(&mut rng).unwrap_or(&"Northern");
        let surname = *SURNAMES.choose(&mut rng).unwrap_or(&"Smith");
        let other = *SURNAMES.choose(&mut rng).unwrap_or(&"Jones");
        let mut legal = LEGAL_FORMS[weighted_index(&mut rng, LEGAL_FORMS.iter().map(|(_, w)| *w))].0;
        let mut vcse = false;
        let style = rng.random_range(0..100);
        let mut base = match style {
            0..=34 => format!("{place} {trade}"),
            35..=59 => format!("{surname} {trade}"),
            60..=69 => format!("{surname} & {other}"),
            70..=77 => format!("{surname} & Sons"),
            78..=83 => {
                legal = "";
                let initial = INITIALS.choose(&mut rng).unwrap_or(&"J");
                format!("{initial} {surname} T/A {place} {trade}")
            }
            84..=90 => {
                vcse = true;
                legal = "";
                let form = ["CIC", "Trust", "Community Interest Company", "Foundation"][rng.random_range(0..4)];
                format!("{place} {trade} {form}")
            }
            _ => format!("{place} {trade} Group"),
        };
        if surname == other && base.contains(" & ") {
            continue;
        }
        // Very large populations exhaust the word combinations: qualify the name by a second
        // place, which keeps names plausible and distinct.
        if seen.contains(&base) && attempts > count * 4 {
            let second = PLACES.choose(&mut rng).unwrap_or(&"North West");
            base = format!("{base} ({second})");
        }
        if !seen.insert(base.clone()) {
            continue;
        }
        let has_company = !legal.is_empty() || (vcse && rng.random_bool(0.5));
        let company_number = has_company.then(|| {
            let n = rng.random_range(1_000_000..14_999_999);
            if legal == "LLP" { format!("OC{:06}", n % 1_000_000) } else { format!("{n:08}") }
        });
        let vat_number =
            (!vcse && rng.random_bool(0.75)).then(|| format!("GB{}", rng.random_range(100_000_000..999_999_999u32)));
        let area = vocab::POSTCODE_AREAS.choose(&mut rng).unwrap_or(&"M1");
        let postcode = format!(
            "{area} {}{}{}",
            rng.random_range(1..10),
            (b'A' + rng.random_range(0..26u8)) as char,
            (b'A' + rng.random_range(0..26u8)) as char
        );
        let scale = LogNormal::new(0.0, 0.5).map_or(1.0, |d| d.sample(&mut rng));
        let councils = match rng.random_range(0..100) {
            // Two thirds pay a single council; the council is weighted by its size.
            0..=24 => 0b001,
            25..=46 => 0b010,
            47..=65 => 0b100,
            66..=75 => 0b011,
            76..=83 => 0b101,
            84..=91 => 0b110,
            _ => 0b111,
        };
        let sme = vcse || rng.random_bool(0.6);
        let account =
            [rng.random_range(10_000..99_999), rng.random_range(1_000..199_999), rng.random_range(100_000..999_999)];
        let mut supplier = Supplier {
            base,
            legal,
            variant: None,
            category,
            councils,
            scale,
            vat_number,
            company_number,
            postcode,
            sme,
            vcse,
            account,
        };
        if supplier.is_shared() && rng.random_bool(0.15) {
            let members: Vec<usize> = (0..3).filter(|c| councils & (1 << c) != 0).collect();
            let council = *members.choose(&mut rng).unwrap_or(&0);
            let variant = match supplier.legal {
                "Ltd" => Some(format!("{} Limited", supplier.base)),
                "Limited" => Some(format!("{} Ltd", supplier.base)),
                "PLC" => Some(format!("{} Plc", supplier.base)),
                _ if supplier.base.contains(" & ") => Some(supplier.name().replace(" & ", " and ")),
                _ => None,
            };
            supplier.variant = variant.map(|name| (council, name));
        }
        suppliers.push(supplier);
    }
    suppliers
}

fn rank_suppliers(seed: u64, suppliers: &[Supplier]) -> [Vec<usize>; 3] {
    let mut rng = stream(seed, "ranks");
    let mut ranked: [Vec<(f64, usize)>; 3] = Default::default();
    for (i, s) in suppliers.iter().enumerate() {
        for (c, list) in ranked.iter_mut().enumerate() {
            if s.councils & (1 << c) != 0 {
                // Suppliers working for several councils tend to be the bigger ones.
                let key: f64 = rng.random::<f64>() * if s.is_shared() { 0.6 } else { 1.0 };
                list.push((key, i));
            }
        }
    }
    ranked.map(|mut list| {
        list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        list.into_iter().map(|(_, i)| i).collect()
    })
}

fn build_calendar() -> Vec<(NaiveDate, u64)> {
    let mut days = Vec::new();
    let mut date = first_day();
    while date <= last_day() {
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            let mut weight = 10;
            if date.month() == 3 {
                weight += 4; // year-end push
            }
            if date.month() == 8 || date.month() == 12 {
                weight -= 2;
            }
            if date.day() >= 25 {
                weight += 3; // month-end payment runs
            }
            days.push((date, weight));
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    days
}

fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    let shifted = if months >= 0 {
        date.checked_add_months(Months::new(months as u32))
    } else {
        date.checked_sub_months(Months::new(months.unsigned_abs()))
    };
    shifted.unwrap_or(date)
}

fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    let shifted = if days >= 0 {
        date.checked_add_days(Days::new(days as u64))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    shifted.unwrap_or(date)
}

fn round_to_hundred_pounds(pence: f64) -> i64 {
    ((pence / 10_000.0).round() as i64).max(1) * 10_000
}

fn build_contracts(world: &World) -> Vec<Contract> {
    let mut rng = stream(world.seed, "contracts");
    let latest = world.latest_payment_date();
    let period_days = (last_day() - first_day()).num_days();
    // (supplier, council) pairs already under a contract, so collaborative contracts are not duplicated.
    let mut covered: HashSet<(usize, usize)> = HashSet::new();
    let mut counters = [0u32; 3];
    let mut contracts = Vec::new();
    for (lead, counter) in counters.iter_mut().enumerate() {
        for (rank, &supplier_index) in world.ranked[lead].iter().enumerate() {
            if covered.contains(&(supplier_index, lead)) {
                continue;
            }
            let supplier = &world.suppliers[supplier_index];
            let mut probability = match rank {
                0..20 => 0.9,
                20..100 => 0.7,
                100..400 => 0.4,
                _ => 0.06,
            };
            if supplier.is_shared() {
                // Shared suppliers are where councils most often buy off-contract.
                probability *= if rank < 100 { 0.8 } else { 0.6 };
            }
            if !rng.random_bool(probability) {
                continue;
            }
            let mut partners = Vec::new();
            if supplier.is_shared() && rng.random_bool(0.3) {
                partners = (0..3)
                    .filter(|c| {
                        *c != lead && supplier.councils & (1 << c) != 0 && !covered.contains(&(supplier_index, *c))
                    })
                    .collect();
            }
            covered.insert((supplier_index, lead));
            for &p in &partners {
                covered.insert((supplier_index, p));
            }
            *counter += 1;
            contracts.push(draw_contract(
                world,
                &mut rng,
                lead,
                partners,
                supplier_index,
                rank,
                *counter,
                latest,
                period_days,
            ));
        }
    }
    contracts
}

#[allow(clippy::too_many_arguments)]
fn draw_contract(
    world: &World,
    rng: &mut StdRng,
    lead: usize,
    partners: Vec<usize>,
    supplier_index: usize,
    rank: usize,
    number: u32,
    latest: NaiveDate,
    period_days: i64,
) -> Contract {
    let supplier = &world.suppliers[supplier_index];
    let category = &CATEGORIES[supplier.category];
    let duration_months = [12u32, 24, 36, 48, 60, 60][rng.random_range(0..6)];
    let (start, end) = if rng.random_bool(0.12) {
        // Expiring within six months of the latest payment: the contracts someone must act on.
        let end = add_days(latest, rng.random_range(1..=182));
        (add_days(add_months(end, -(duration_months as i32)), 1), end)
    } else {
        // Contracts are let before and all through the period, as councils award and
        // re-procure continuously: the latest quarters have new awards (and their savings
        // and social value) for a scorecard to count.
        let start = add_days(first_day(), rng.random_range(-1095..period_days - 30));
        (start, add_days(add_months(start, duration_months as i32), -1))
    };
    let extension_months = [0u32, 12, 24][rng.random_range(0..3)];
    let extensions = if extension_months == 0 { 0 } else { rng.random_range(1..=2) };
    let extension_taken = extension_months > 0 && end < latest && rng.random_bool(0.4);
    let expiry = if extension_taken { add_months(end, 12) } else { end };
    let review = add_months(end, -(rng.random_range(3..=9)));
    let status = if expiry < latest {
        "Expired"
    } else if extension_taken {
        "Extended"
    } else {
        "Active"
    };

    // Value the contract at roughly what the councils it covers spend with the supplier.
    let years = 3.0;
    let mean_payment = category.median_pounds * supplier.scale * (category.sigma * category.sigma / 2.0).exp();
    let mut annual = 0.0;
    for council in std::iter::once(lead).chain(partners.iter().copied()) {
        let rank_here = if council == lead {
            rank
        } else {
            world.ranked[council].iter().position(|&s| s == supplier_index).unwrap_or(rank)
        };
        annual +=
            world.spend_rows[council] as f64 * world.rank_share(council, rank_here) * mean_payment * 100.0 / years;
    }
    let annual_pence = round_to_hundred_pounds(annual * rng.random_range(0.8..1.5));
    let total_pence = round_to_hundred_pounds(annual_pence as f64 * f64::from(duration_months) / 12.0);
    let irrecoverable_vat_pence =
        if rng.random_bool(0.1) { (total_pence as f64 * 0.2 * rng.random_range(0.1..0.5)).round() as i64 } else { 0 };
    let savings_cashable_pence =
        rng.random_bool(0.4).then(|| (total_pence as f64 * rng.random_range(0.02..0.10)).round() as i64);
    let savings_non_cashable_pence =
        rng.random_bool(0.3).then(|| (total_pence as f64 * rng.random_range(0.01..0.05)).round() as i64);
    let social_value_pence = (total_pence > 10_000_000 || rng.random_bool(0.2))
        .then(|| (total_pence as f64 * rng.random_range(0.05..0.20)).round() as i64);
    let officers: Vec<&'static str> = OFFICERS
        .iter()
        .filter(|(c, _, families)| *c == lead && families.contains(&category.family))
        .map(|(_, name, _)| *name)
        .collect();
    let officer = officers.choose(rng).copied().unwrap_or("Procurement Team");
    let above_threshold = total_pence > 21_339_600;
    let procedure = if above_threshold {
        ["Open Tender", "Restricted Tender", "Framework Call-off"][rng.random_range(0..3)]
    } else {
        vocab::PROCEDURES.choose(rng).copied().unwrap_or("RFQ")
    };
    let trade = category.trades.choose(rng).copied().unwrap_or("Services");
    let title = if partners.is_empty() {
        format!("Provision of {}", trade.to_lowercase())
    } else {
        format!("Greater Manchester collaborative contract: {}", trade.to_lowercase())
    };
    let description = format!(
        "{} for {}",
        category.purposes.choose(rng).copied().unwrap_or("Services"),
        FAMILIES[category.family].stockport_directorate.to_lowercase()
    );
    let year = start.year();
    let reference = match lead {
        STOCKPORT => format!("SMBC-{year}-{number:04}"),
        TRAFFORD => format!("TC{number:05}"),
        _ => format!("RBC/{year}/{number:03}"),
    };
    Contract {
        reference,
        lead,
        partners,
        supplier: supplier_index,
        category: supplier.category,
        title,
        description,
        procedure,
        start,
        end,
        review,
        duration_months,
        extension_months,
        extensions,
        extension_taken,
        expiry,
        annual_pence,
        total_pence,
        irrecoverable_vat_pence,
        savings_cashable_pence,
        savings_non_cashable_pence,
        social_value_pence,
        officer,
        status,
        above_threshold,
    }
}

/// One payment line, before any council's layout is applied.
#[derive(Debug, Clone)]
pub struct SpendLine {
    pub date: NaiveDate,
    /// `None` when the payee is a person whose name is withheld.
    pub supplier: Option<usize>,
    pub category: usize,
    /// Index into the family's unit (cost centre) list for the council.
    pub unit: usize,
    pub expense_type: &'static str,
    pub purpose: &'static str,
    pub amount_pence: i64,
    pub irrecoverable_vat_pence: i64,
    pub transaction: u64,
    pub invoice: u64,
}

/// Draws one council's payment lines in date order. Lines of one invoice share a transaction.
pub struct SpendSampler<'w> {
    world: &'w World,
    council: usize,
    rng: StdRng,
    zipf: Option<Zipf<f64>>,
    previous: Option<SpendLine>,
    next_transaction: u64,
    next_invoice: u64,
}

impl<'w> SpendSampler<'w> {
    pub fn new(world: &'w World, council: usize) -> SpendSampler<'w> {
        let mut rng = stream(world.seed, &format!("spend-{council}"));
        let n = world.ranked[council].len();
        let zipf = Zipf::new(n as f64, ZIPF_EXPONENT).ok();
        let next_transaction = [4_100_000_000u64, 5_100_000_000, 60_000_000][council] + rng.random_range(0..100_000);
        let next_invoice = rng.random_range(10_000..90_000);
        SpendSampler { world, council, rng, zipf, previous: None, next_transaction, next_invoice }
    }

    pub fn next_line(&mut self, date: NaiveDate) -> SpendLine {
        let rng = &mut self.rng;
        let continues = rng.random_bool(0.2);
        if let Some(previous) = self.previous.as_ref().filter(|p| continues && p.date == date) {
            let mut line = previous.clone();
            let sign = previous.amount_pence.signum();
            line.amount_pence = sign * draw_pence(rng, &self.world.suppliers, line.supplier, line.category);
            line.irrecoverable_vat_pence = 0;
            self.previous = Some(line.clone());
            return line;
        }
        let ranked = &self.world.ranked[self.council];
        let rank = self.zipf.as_ref().map_or(1, |z| z.sample(rng) as usize).clamp(1, ranked.len().max(1)) - 1;
        let supplier_index = ranked.get(rank).copied();
        let own_category = supplier_index.map_or(0, |i| self.world.suppliers[i].category);
        let category_index = if rng.random_bool(0.9) { own_category } else { rng.random_range(0..CATEGORIES.len()) };
        let category = &CATEGORIES[category_index];
        let units = unit_count(self.council, category.family);
        let unit = rng.random_range(0..units);
        let redacted = category.personal && rng.random_bool(0.12);
        let mut amount_pence = draw_pence(rng, &self.world.suppliers, supplier_index, category_index);
        if rng.random_bool(CREDIT_PROBABILITY) {
            amount_pence = -amount_pence;
        }
        let irrecoverable_vat_pence = if rng.random_bool(0.03) { amount_pence / 6 } else { 0 };
        self.next_transaction += rng.random_range(1..40);
        self.next_invoice += rng.random_range(1..25);
        let line = SpendLine {
            date,
            supplier: if redacted { None } else { supplier_index },
            category: category_index,
            unit,
            expense_type: category.expense_types.choose(rng).copied().unwrap_or("Services"),
            purpose: category.purposes.choose(rng).copied().unwrap_or("Services"),
            amount_pence,
            irrecoverable_vat_pence,
            transaction: self.next_transaction,
            invoice: self.next_invoice,
        };
        self.previous = Some(line.clone());
        line
    }
}

/// How many cost centres / units council `council` has in `family`.
pub fn unit_count(council: usize, family: usize) -> usize {
    let f = &FAMILIES[family];
    match council {
        STOCKPORT => f.stockport_cost_centres.len(),
        TRAFFORD => f.trafford_units.len(),
        _ => 1,
    }
    .max(1)
}

fn draw_pence(rng: &mut StdRng, suppliers: &[Supplier], supplier: Option<usize>, category: usize) -> i64 {
    let category = &CATEGORIES[category];
    let scale = supplier.map_or(1.0, |i| suppliers[i].scale);
    let pounds = LogNormal::new((category.median_pounds * scale).ln(), category.sigma)
        .map_or(category.median_pounds, |d| d.sample(rng));
    ((pounds * 100.0).round() as i64).clamp(1, 500_000_000)
}

/// One procurement-card transaction.
#[derive(Debug, Clone)]
pub struct CardLine {
    pub date: NaiveDate,
    /// Index into [`MERCHANTS`], or a council supplier bought from by card.
    pub merchant: CardMerchant,
    pub family: usize,
    pub unit: usize,
    pub amount_pence: i64,
}

#[derive(Debug, Clone, Copy)]
pub enum CardMerchant {
    Merchant(usize),
    Supplier(usize),
}

pub struct CardSampler<'w> {
    world: &'w World,
    council: usize,
    rng: StdRng,
    merchants: Option<Zipf<f64>>,
}

impl<'w> CardSampler<'w> {
    pub fn new(world: &'w World, council: usize) -> CardSampler<'w> {
        let rng = stream(world.seed, &format!("card-{council}"));
        CardSampler { world, council, rng, merchants: Zipf::new(MERCHANTS.len() as f64, 1.0).ok() }
    }

    pub fn next_line(&mut self, date: NaiveDate) -> CardLine {
        let rng = &mut self.rng;
        let ranked = &self.world.ranked[self.council];
        let merchant = if rng.random_bool(0.1) && !ranked.is_empty() {
            // Small local suppliers are sometimes paid by card too.
            CardMerchant::Supplier(ranked[rng.random_range(0..ranked.len().min(200))])
        } else {
            let rank = self.merchants.as_ref().map_or(1, |z| z.sample(rng) as usize);
            CardMerchant::Merchant(rank.clamp(1, MERCHANTS.len()) - 1)
        };
        let family = rng.random_range(0..FAMILIES.len());
        let unit = rng.random_range(0..unit_count(self.council, family));
        let pounds = LogNormal::new(35f64.ln(), 1.0).map_or(35.0, |d| d.sample(rng));
        let mut amount_pence = ((pounds * 100.0).round() as i64).clamp(1, 500_000);
        if rng.random_bool(0.05) {
            amount_pence = -amount_pence;
        }
        CardLine { date, merchant, family, unit, amount_pence }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_split_between_councils_without_loss() {
        for rows in [1u64, 7, 999, 1000, 30_000, 100_000_001, u64::MAX / 2] {
            let split = split_rows(rows);
            assert_eq!(split.iter().sum::<u64>(), rows);
            assert!(split[0] >= split[1] && split[1] >= split[2].saturating_sub(1), "{split:?}");
        }
        assert_eq!(split_rows(30_000), [11_100, 9_900, 9_000]);
    }

    #[test]
    fn daily_counts_sum_to_the_total_and_skip_weekends() {
        let world = World::build(3, 1000).unwrap();
        for total in [0u64, 1, 17, 123_457] {
            let days: Vec<_> = world.daily_counts(total).collect();
            assert_eq!(days.iter().map(|(_, n)| n).sum::<u64>(), total);
            assert!(days.iter().all(|(d, _)| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)));
            assert!(days.windows(2).all(|w| w[0].0 < w[1].0), "days in calendar order");
        }
    }

    #[test]
    fn supplier_names_are_distinct() {
        let world = World::build(9, 240_000).unwrap();
        let names: HashSet<String> = world.suppliers.iter().map(Supplier::name).collect();
        assert_eq!(names.len(), world.suppliers.len());
        assert!(world.suppliers.iter().any(|s| s.base.contains(" T/A ")));
        assert!(world.suppliers.iter().any(|s| s.variant.is_some()));
    }

    #[test]
    fn every_collaborative_partner_pays_the_supplier() {
        let world = World::build(5, 30_000).unwrap();
        assert!(world.contracts.iter().any(|c| !c.partners.is_empty()), "some contracts are collaborative");
        for c in &world.contracts {
            for p in &c.partners {
                assert!(world.suppliers[c.supplier].councils & (1 << p) != 0);
                assert_ne!(*p, c.lead);
            }
            assert!(c.start <= c.end && c.end <= c.expiry, "{c:?}");
        }
    }

    #[test]
    fn some_contracts_expire_within_six_months_of_the_latest_payment() {
        let world = World::build(5, 30_000).unwrap();
        let latest = world.latest_payment_date();
        let horizon = add_months(latest, 6);
        for council in 0..3 {
            assert!(
                world.contracts.iter().any(|c| c.lead == council && c.expiry > latest && c.expiry <= horizon),
                "council {council}"
            );
        }
    }

    #[test]
    fn financial_years_start_in_april() {
        assert_eq!(financial_year(NaiveDate::from_ymd_opt(2022, 3, 31).unwrap()), 2021);
        assert_eq!(financial_year(NaiveDate::from_ymd_opt(2022, 4, 1).unwrap()), 2022);
    }
}
