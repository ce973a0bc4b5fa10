//! The typed result of running a report file (`spendql report`): its periods, what was
//! loaded, and its blocks in file order — sections, runs of KPIs with every figure the
//! scorecard shows, and query results. No rendering here: the terminal printer, the HTML
//! page and the workbook all read this one value, so they cannot disagree about a number.
//! Money stays integer pence until a renderer asks [`Figure::text`] for words.

use chrono::NaiveDate;

use crate::exec::QueryResult;
use crate::money::{decimal_text, group_thousands, money_text};

/// How long a report's period is, declared in the file (`report quarterly "..."`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// A calendar month.
    Month,
    /// A financial quarter (Q1 = April–June).
    Quarter,
    /// A UK financial year, April–March.
    Year,
}

impl ReportKind {
    /// `month`, `quarter`, `year`: for sentences ("since last quarter").
    pub fn word(self) -> &'static str {
        match self {
            ReportKind::Month => "month",
            ReportKind::Quarter => "quarter",
            ReportKind::Year => "year",
        }
    }

    /// `Monthly`, `Quarterly`, `Annual`: for headings.
    pub fn adjective(self) -> &'static str {
        match self {
            ReportKind::Month => "Monthly",
            ReportKind::Quarter => "Quarterly",
            ReportKind::Year => "Annual",
        }
    }
}

/// One period a KPI is computed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodInfo {
    /// For people: `2024-06`, `2024/25 Q1`, `2024/25`.
    pub label: String,
    /// The first day in the period.
    pub start: NaiveDate,
    /// The last day in the period (inclusive).
    pub end: NaiveDate,
}

/// What the dataset held for one table and council when the report ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedSummary {
    /// `spend`, `contracts`, `metrics`.
    pub table: String,
    /// The council, or `None` for figures that belong to the whole service.
    pub council: Option<String>,
    /// Rows loaded.
    pub rows: u64,
    /// The earliest date in the rows (payment date, contract start, metric period).
    pub first: Option<NaiveDate>,
    /// The latest date in the rows.
    pub last: Option<NaiveDate>,
}

/// The typed result of running a report file.
#[derive(Debug, Clone)]
pub struct ReportOutput {
    /// The title declared in the file.
    pub title: String,
    /// The report's kind of period.
    pub kind: ReportKind,
    /// The period reported on.
    pub period: PeriodInfo,
    /// The period before it (last month, last quarter, last year).
    pub previous: PeriodInfo,
    /// The same period a year earlier.
    pub last_year: PeriodInfo,
    /// The data's as-of date: the latest payment date.
    pub as_of: NaiveDate,
    /// What was loaded, per table and council.
    pub loaded: Vec<LoadedSummary>,
    /// The report's contents in file order.
    pub blocks: Vec<Block>,
    /// Things a reader should know (a KPI with no data in the period, a target with no
    /// value for this year), in the order they arose.
    pub notes: Vec<String>,
}

impl ReportOutput {
    /// Every KPI in the report, in file order (the headline scorecard's rows).
    pub fn kpis(&self) -> impl Iterator<Item = &KpiResult> {
        self.blocks.iter().flat_map(|b| match b {
            Block::Kpis(kpis) => kpis.as_slice(),
            _ => &[],
        })
    }
}

/// One part of a report, in file order.
#[derive(Debug, Clone)]
pub enum Block {
    /// `section "Compliance"`: a heading over what follows.
    Section {
        /// The section's title.
        title: String,
    },
    /// A run of consecutive `kpi` statements: one scorecard table.
    Kpis(Vec<KpiResult>),
    /// A `query "Title" = ...` statement's result.
    Query {
        /// The query's title.
        title: String,
        /// Its rows.
        result: QueryResult,
        /// Drawn as a chart (`as chart`).
        chart: bool,
    },
}

/// What a KPI's values are, which decides how figures print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiUnit {
    /// Pounds and pence.
    Money,
    /// A whole number of things.
    Count,
    /// A percentage, in points.
    Percent,
    /// Any other number (a score, a number of days).
    Number,
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Polarity {
    /// Higher is better (the default).
    #[default]
    HigherIsBetter,
    /// Lower is better (`lower is better`: days to pay, off-contract spend).
    LowerIsBetter,
}

/// A decimal number kept exactly: `units` × 10^-`scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    /// The value scaled to an integer.
    pub units: i128,
    /// Digits after the decimal point.
    pub scale: u8,
}

impl Decimal {
    /// The value as a float, for charts and comparisons that do not print it.
    pub fn to_f64(self) -> f64 {
        self.units as f64 / 10f64.powi(i32::from(self.scale))
    }
}

/// One figure of a KPI, exact until printed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    /// Money in pence.
    Money(i128),
    /// A count.
    Count(i64),
    /// A percentage, in points (`76.0` is 76%). A change of a percentage is also in points.
    Percent(f64),
    /// Any other number, exactly as computed.
    Number(Decimal),
}

impl Figure {
    /// The figure as a float, for charts and RAG comparisons (money in pounds).
    pub fn to_f64(self) -> f64 {
        match self {
            Figure::Money(p) => p as f64 / 100.0,
            Figure::Count(n) => n as f64,
            Figure::Percent(p) => p,
            Figure::Number(d) => d.to_f64(),
        }
    }

    /// For people: `£1,234.56`, `1,234`, `76.0%`, `4.25`.
    pub fn text(self) -> String {
        match self {
            Figure::Money(p) => money_text(p),
            Figure::Count(n) => signed_count(i128::from(n), false),
            Figure::Percent(p) => format!("{}%", one_decimal(p, false)),
            Figure::Number(d) => number_text(d, false),
        }
    }

    /// A change for people, always signed: `+£1,234.56`, `-12`, `-4.2 points`, `+0.25`.
    pub fn change_text(self) -> String {
        match self {
            Figure::Money(p) => {
                if p > 0 {
                    format!("+{}", money_text(p))
                } else {
                    money_text(p)
                }
            }
            Figure::Count(n) => signed_count(i128::from(n), true),
            Figure::Percent(p) => format!("{} points", one_decimal(p, true)),
            Figure::Number(d) => number_text(d, true),
        }
    }

    /// For programs and spreadsheets: `1234.56`, `1234`, `76.04...`, `4.25`.
    pub fn plain(self) -> String {
        match self {
            Figure::Money(p) => crate::money::format_pence(p),
            Figure::Count(n) => n.to_string(),
            Figure::Percent(p) => format!("{p}"),
            Figure::Number(d) => decimal_text(d.units, d.scale as i8),
        }
    }
}

/// A number for people: thousands separated, at most two decimals (rounded half away
/// from zero), no trailing zeros: `12,345`, `4.25`, `21.33`, `20`.
fn number_text(d: Decimal, plus: bool) -> String {
    let hundredths = if d.scale <= 2 {
        d.units * 10i128.pow(u32::from(2 - d.scale))
    } else {
        let div = 10i128.pow(u32::from(d.scale - 2));
        let rounded = (d.units.abs() * 2 + div) / (2 * div);
        if d.units < 0 { -rounded } else { rounded }
    };
    let sign = if hundredths < 0 {
        "-"
    } else if plus && hundredths > 0 {
        "+"
    } else {
        ""
    };
    let abs = hundredths.unsigned_abs();
    let whole = group_thousands(abs / 100);
    let fraction = decimal_text((abs % 100) as i128, 2);
    let fraction = fraction.trim_start_matches('0').trim_end_matches('0');
    if fraction == "." { format!("{sign}{whole}") } else { format!("{sign}{whole}{fraction}") }
}

fn signed_count(n: i128, plus: bool) -> String {
    let sign = if n < 0 {
        "-"
    } else if plus && n > 0 {
        "+"
    } else {
        ""
    };
    format!("{sign}{}", group_thousands(n.unsigned_abs()))
}

/// One decimal place, with a `+` for positive changes; `-0.0` prints as `0.0`.
fn one_decimal(v: f64, plus: bool) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    // `rounded` is a whole number of tenths, so this is "rounds to zero".
    if rounded.abs() < 0.05 {
        return "0.0".to_string();
    }
    if plus && rounded > 0.0 { format!("+{rounded:.1}") } else { format!("{rounded:.1}") }
}

/// A red/amber/green status. Always shown as its word as well as a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Target met.
    Green,
    /// Short of target, within the floor or tolerance.
    Amber,
    /// Short of the floor or tolerance.
    Red,
}

impl Status {
    /// `Green`, `Amber`, `Red`.
    pub fn word(self) -> &'static str {
        match self {
            Status::Green => "Green",
            Status::Amber => "Amber",
            Status::Red => "Red",
        }
    }
}

/// Direction of travel since the previous period, judged by the KPI's polarity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Moved the better way.
    Improving,
    /// Moved the worse way.
    Worsening,
    /// Did not move.
    Unchanged,
    /// A value is missing.
    Unknown,
}

impl Direction {
    /// `Improving`, `Worsening`, `Unchanged`, `Unknown`.
    pub fn word(self) -> &'static str {
        match self {
            Direction::Improving => "Improving",
            Direction::Worsening => "Worsening",
            Direction::Unchanged => "Unchanged",
            Direction::Unknown => "Unknown",
        }
    }
}

/// Whose figures a KPI row holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One council.
    Council(String),
    /// All councils together: the shared service.
    Service,
}

impl Scope {
    /// The council's name, or `All councils`.
    pub fn label(&self) -> &str {
        match self {
            Scope::Council(name) => name,
            Scope::Service => "All councils",
        }
    }
}

/// A KPI's figures for one council or the service.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiRow {
    /// Whose figures these are.
    pub scope: Scope,
    /// This period's value (`None`: no data in the period).
    pub current: Option<Figure>,
    /// The previous period's value.
    pub previous: Option<Figure>,
    /// The same period last year.
    pub last_year: Option<Figure>,
    /// `current - previous`, in the KPI's unit (points for percentages).
    pub change: Option<Figure>,
    /// The target for this scope and period, resolved per council and year and scaled.
    pub target: Option<Figure>,
    /// The floor for this scope and period, scaled as the target is.
    pub floor: Option<Figure>,
    /// The RAG status (`None` without a target or a value).
    pub status: Option<Status>,
    /// Direction of travel since the previous period.
    pub direction: Direction,
}

/// One point of a KPI's trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    /// The period's label (`2024/25 Q1`).
    pub label: String,
    /// The KPI's value in that period.
    pub value: Option<Figure>,
}

/// Which breakdown a contribution to a change comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContributorKind {
    /// By council.
    Council,
    /// By harmonised category.
    Category,
    /// By supplier.
    Supplier,
}

impl ContributorKind {
    /// `council`, `category`, `supplier`.
    pub fn word(self) -> &'static str {
        match self {
            ContributorKind::Council => "council",
            ContributorKind::Category => "category",
            ContributorKind::Supplier => "supplier",
        }
    }
}

/// One group's part in the service's change between the previous and this period. Over
/// every group of one kind the parts sum exactly to the whole change.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// Council, category or supplier.
    pub kind: ContributorKind,
    /// The group's name.
    pub name: String,
    /// Its part of the change, in the KPI's unit (points for shares).
    pub part: Figure,
}

/// One KPI's results: the scorecard row per council and for the service, its trend, and
/// the analysis of its change.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiResult {
    /// The KPI's name as declared.
    pub name: String,
    /// The measure as written (`on-contract share`, `contracts where social value > 0 as
    /// share of contracts`).
    pub measure_text: String,
    /// How its figures print.
    pub unit: KpiUnit,
    /// Which way is better.
    pub polarity: Polarity,
    /// The RAG rule in words: `Green at or above 80.0%; Amber at or above 70.0%; else Red`.
    pub rule: String,
    /// How the target was scaled to the period, if it was (`£1.2m a year ÷ 4 for a quarter`).
    pub target_note: Option<String>,
    /// One row per council (by name), then the service.
    pub rows: Vec<KpiRow>,
    /// The service's value for the last 8 periods of the report's kind, ending at the
    /// report period, oldest first.
    pub trend: Vec<TrendPoint>,
    /// The same series per council, in the order of `rows`.
    pub council_trends: Vec<(String, Vec<TrendPoint>)>,
    /// The largest contributors to the service's change, by council, category and supplier.
    pub analysis: Vec<Contribution>,
    /// The change in words, when the KPI moved: "On-contract share fell 4.2 points to 76.0%
    /// (Amber): largest contributors Rochdale -3.1 points, ...".
    pub sentence: Option<String>,
}

impl KpiResult {
    /// The service's row (the last).
    pub fn service(&self) -> Option<&KpiRow> {
        self.rows.iter().find(|r| r.scope == Scope::Service)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_print_through_the_money_and_count_helpers() {
        assert_eq!(Figure::Money(123_456).text(), "£1,234.56");
        assert_eq!(Figure::Money(123_456).change_text(), "+£1,234.56");
        assert_eq!(Figure::Money(-5).change_text(), "-£0.05");
        assert_eq!(Figure::Count(1234).text(), "1,234");
        assert_eq!(Figure::Count(-3).change_text(), "-3");
        assert_eq!(Figure::Percent(76.04).text(), "76.0%");
        assert_eq!(Figure::Percent(-4.16).change_text(), "-4.2 points");
        assert_eq!(Figure::Percent(-0.04).change_text(), "0.0 points");
        assert_eq!(Figure::Number(Decimal { units: 425, scale: 2 }).text(), "4.25");
        assert_eq!(Figure::Number(Decimal { units: 25, scale: 1 }).change_text(), "+2.5");
        // Metrics are four-decimal: shown to two places at most, without trailing zeros.
        assert_eq!(Figure::Number(Decimal { units: 213_333, scale: 4 }).text(), "21.33");
        assert_eq!(Figure::Number(Decimal { units: 200_000, scale: 4 }).text(), "20");
        assert_eq!(Figure::Number(Decimal { units: 42_000, scale: 4 }).text(), "4.2");
        assert_eq!(Figure::Number(Decimal { units: 1_234_567_890_000, scale: 4 }).text(), "123,456,789");
        assert_eq!(Figure::Number(Decimal { units: -1_250, scale: 4 }).change_text(), "-0.13");
        assert_eq!(Figure::Number(Decimal { units: 0, scale: 4 }).change_text(), "0");
    }
}
