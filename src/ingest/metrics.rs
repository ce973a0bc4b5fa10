//! Metrics files → the `metrics` table: figures that are not in spend or contracts
//! (satisfaction scores, days to pay, website sessions, followers), one row per figure: a
//! metric's value for one period, for one council or for the whole shared service. Owns the
//! four layouts such files come in, the reading of periods and values, and the registry of
//! known metrics with how each aggregates. Everything else is shared with the other
//! parsers: sources and encodings (`read`), header detection by synonyms (`headers`),
//! shape checks and placeholders (`cells`), dates (`values`), rejects, and the placing,
//! manifest, idempotence and commit of the ingest transaction.
//!
//! Layouts, decided from the file itself (also in the README):
//! - **ga4**: a Google Analytics 4 CSV export: `#` comment lines before the header carry
//!   `# Start date: 20240101` and `# End date: 20240131`. With a `Date` column (`20240101`)
//!   each row is one day; without one, each row is the total for the export's range.
//! - **tidy**: a period column, a metric column and a value column (optionally council,
//!   unit and aggregation columns): one figure per line.
//! - **social**: a per-day account overview (LinkedIn, X): a date column and columns of
//!   impressions, engagements, follows... Told from wide by its metrics (impressions or
//!   engagements), and read like it.
//! - **wide**: a period column and one column per metric: one figure per metric cell.
//!
//! A *row* of the reconciliation is one figure: a tidy line, or one non-empty metric cell of
//! the other layouts (a line whose period cannot be read rejects each of its figures). The
//! value that reconciles is the sum of the figures, per file and per metric: read = loaded +
//! rejected. A figure the file repeats (same metric, period and council) is rejected, so a
//! total is never counted twice.
//!
//! Files are small (a row per month or day), so a file is read whole first: the day/month
//! order of its dates is decided from every period cell at once, as for registers.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use csv::ByteRecord;
use datafusion::arrow::array::{Array, ArrayRef, Date32Array, Decimal128Array, Int64Array, StringArray};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;

use crate::error::{Error, ErrorKind, Result};
use crate::money::decimal_text;
use crate::schema::metrics::{Aggregation, canonical_name};
use crate::schema::{self, METRIC_PRECISION, METRIC_SCALE, metrics_schema};

use super::cells::{self, HEADER_SEARCH_ROWS, says_no_value};
use super::headers::{self, Field, Mapping};
use super::loaded::{Context, Counts, Loaded, MappingSummary};
use super::read::{Encoding, Records, Source};
use super::rejects;
use super::values::{self, DateOrder, OrderEvidence};
use super::write::{self, PartitionFile};

/// Metric values are stored with four decimals: a value of 1 is `10_000` units.
const UNITS_PER_ONE: i128 = 10_000;
/// The largest magnitude `Decimal128(18,4)` holds, in units of 0.0001.
const MAX_UNITS: i128 = 999_999_999_999_999_999;

/// A column of the `metrics` table a file's column can feed (see `schema::metrics`); in a
/// wide file every other column is a metric. Declared in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetricField {
    Council,
    Period,
    PeriodStart,
    PeriodEnd,
    Metric,
    Value,
    Unit,
    Aggregation,
}

impl MetricField {
    pub const ALL: [MetricField; 8] = [
        MetricField::Council,
        MetricField::Period,
        MetricField::PeriodStart,
        MetricField::PeriodEnd,
        MetricField::Metric,
        MetricField::Value,
        MetricField::Unit,
        MetricField::Aggregation,
    ];

    /// The name the mapping is reported by; the table's column where there is one.
    pub fn name(self) -> &'static str {
        use crate::schema::metrics as m;
        match self {
            MetricField::Council => m::COUNCIL,
            MetricField::Period => "period",
            MetricField::PeriodStart => m::PERIOD_START,
            MetricField::PeriodEnd => m::PERIOD_END,
            MetricField::Metric => m::METRIC,
            MetricField::Value => m::VALUE,
            MetricField::Unit => m::UNIT,
            MetricField::Aggregation => m::AGGREGATION,
        }
    }

    /// Headers meaning this field, best first, normalised. Kept to words a metric is never
    /// called, since in a wide file every header no field takes is a metric.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            MetricField::Council => &[
                "council",
                "councilname",
                "authority",
                "localauthority",
                "authorityname",
                "organisation",
                "organisationname",
                "la",
            ],
            MetricField::Period => &[
                "period",
                "month",
                "date",
                "reportingperiod",
                "periodcovered",
                "timeperiod",
                "monthyear",
                "quarter",
                "financialyear",
                "fy",
                "year",
                "day",
                "week",
                "reportingmonth",
                "periodname",
            ],
            MetricField::PeriodStart => {
                &["periodstart", "startdate", "datefrom", "fromdate", "from", "periodstartdate"]
            }
            MetricField::PeriodEnd => &["periodend", "enddate", "dateto", "todate", "to", "periodenddate"],
            MetricField::Metric => {
                &["metric", "metricname", "measure", "measurename", "indicator", "indicatorname", "kpi", "kpiname"]
            }
            MetricField::Value => &["value", "figure", "result", "actual", "metricvalue", "measurevalue"],
            MetricField::Unit => &["unit", "units", "unitofmeasure", "uom"],
            MetricField::Aggregation => &["aggregation", "aggregate", "aggregationmethod", "rollup"],
        }
    }
}

impl fmt::Display for MetricField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Field for MetricField {
    const FIELDS: &'static [MetricField] = &MetricField::ALL;

    fn field_name(self) -> &'static str {
        self.name()
    }

    fn header_synonyms(self) -> &'static [&'static str] {
        self.synonyms()
    }
}

/// A file's `aggregation` cell: `sum`/`total`, `average`/`mean`/`avg`, `latest`/`last`.
fn parse_aggregation(text: &str) -> Option<Aggregation> {
    match text.trim().to_ascii_lowercase().as_str() {
        "sum" | "total" | "add" => Some(Aggregation::Sum),
        "average" | "mean" | "avg" => Some(Aggregation::Average),
        "latest" | "last" | "closing" => Some(Aggregation::Latest),
        _ => None,
    }
}

/// Known metrics: canonical name, how it aggregates, its unit. The ones the shared service
/// reports on (satisfaction, days to pay) and what GA4 and social media exports hold.
const KNOWN_METRICS: &[(&str, Aggregation, Option<&str>)] = &[
    ("customer satisfaction", Aggregation::Average, Some("score")),
    ("supplier satisfaction", Aggregation::Average, Some("score")),
    ("days to pay", Aggregation::Average, Some("days")),
    ("invoices paid within 30 days", Aggregation::Average, Some("%")),
    ("sessions", Aggregation::Sum, None),
    ("engaged sessions", Aggregation::Sum, None),
    ("page views", Aggregation::Sum, None),
    ("users", Aggregation::Sum, None),
    ("new users", Aggregation::Sum, None),
    ("event count", Aggregation::Sum, None),
    ("key events", Aggregation::Sum, None),
    ("engagement rate", Aggregation::Average, Some("%")),
    ("bounce rate", Aggregation::Average, Some("%")),
    ("average engagement time", Aggregation::Average, Some("seconds")),
    ("impressions", Aggregation::Sum, None),
    ("engagements", Aggregation::Sum, None),
    ("follows", Aggregation::Sum, None),
    ("unfollows", Aggregation::Sum, None),
    ("followers", Aggregation::Latest, None),
    ("likes", Aggregation::Sum, None),
    ("reactions", Aggregation::Sum, None),
    ("comments", Aggregation::Sum, None),
    ("replies", Aggregation::Sum, None),
    ("shares", Aggregation::Sum, None),
    ("reposts", Aggregation::Sum, None),
    ("clicks", Aggregation::Sum, None),
    ("profile visits", Aggregation::Sum, None),
    ("video views", Aggregation::Sum, None),
    ("complaints", Aggregation::Sum, None),
];

/// Other spellings of known metrics, after [`canonical_name`]: GA4's `Views` and `Active
/// users`, X's `New follows`, LinkedIn's `Impressions (total)`, and the long forms
/// councils write.
const METRIC_ALIASES: &[(&str, &str)] = &[
    ("views", "page views"),
    ("pageviews", "page views"),
    ("screen page views", "page views"),
    ("screenpageviews", "page views"),
    ("views (total)", "page views"),
    ("active users", "users"),
    ("total users", "users"),
    ("activeusers", "users"),
    ("totalusers", "users"),
    ("new follows", "follows"),
    ("new followers", "follows"),
    ("followers gained", "follows"),
    ("impressions (total)", "impressions"),
    ("total impressions", "impressions"),
    ("engagements (total)", "engagements"),
    ("total engagements", "engagements"),
    ("total followers", "followers"),
    ("follower count", "followers"),
    ("followers (total)", "followers"),
    ("customer satisfaction score", "customer satisfaction"),
    ("supplier satisfaction score", "supplier satisfaction"),
    ("average days to pay", "days to pay"),
    ("avg days to pay", "days to pay"),
    ("mean days to pay", "days to pay"),
    ("eventcount", "event count"),
    ("engagementrate", "engagement rate"),
];

/// A published metric name as the metric it is: [`canonical_name`], then its alias if any.
fn known_name(text: &str) -> String {
    let name = canonical_name(text);
    METRIC_ALIASES.iter().find(|(alias, _)| *alias == name).map_or(name, |(_, known)| (*known).to_string())
}

/// How a metric aggregates when the file does not say, and its unit: the registry's entry
/// for a known metric. An unknown one is `average` when its name says it is a score, rate
/// or mean (`rate`, `score`, `satisfaction`, `average`, `mean`, `percentage`, `ratio`,
/// `days`, `time`) or its unit is `%`; `latest` when it is a level (`followers`,
/// `subscribers` without `new`); else `sum`, since most figures such exports hold are counts.
pub fn default_aggregation(metric: &str, unit: Option<&str>) -> (Aggregation, Option<&'static str>) {
    if let Some((_, aggregation, unit)) = KNOWN_METRICS.iter().find(|(name, _, _)| *name == metric) {
        return (*aggregation, *unit);
    }
    let words: Vec<&str> = metric.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    if unit == Some("%")
        || has(&[
            "rate",
            "score",
            "satisfaction",
            "average",
            "avg",
            "mean",
            "percentage",
            "percent",
            "ratio",
            "days",
            "time",
        ])
    {
        return (Aggregation::Average, None);
    }
    if has(&["followers", "subscribers"]) && !has(&["new", "gained", "lost"]) {
        return (Aggregation::Latest, None);
    }
    (Aggregation::Sum, None)
}

/// Which layout a file is in (`schema::metrics::SOURCE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Tidy,
    Wide,
    Ga4,
    Social,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Tidy => "tidy",
            Layout::Wide => "wide",
            Layout::Ga4 => "ga4",
            Layout::Social => "social",
        }
    }
}

/// A period as days since 1970-01-01: first and last day, both included.
pub type Period = (i32, i32);

/// Read a period cell: a date (`2024-06-01`, `01/06/2024`, `20240601`, `Mon, Jun 3, 2024`),
/// a month (`2024-06`, `06/2024`, `Jun 2024`, `June 2024`, `Jun-24`), a calendar quarter
/// (`2024 Q2`, `Q2 2024`), a financial year (`FY2024/25`, `2024/25`, `2024-25`), a financial
/// quarter (`2024/25 Q1`, April to June), a calendar year (`2024`), or a range of any two of
/// these (`2024-01-01 to 2024-01-31`, `01/01/2024 - 31/01/2024`, `20240101-20240131`).
/// `YYYY-NN` is a month when NN is 1 to 12, a financial year when NN is the next year's last
/// two digits otherwise (so `2011-12` is December 2011; write `2011/12` for the year).
pub fn parse_period(text: &str, order: DateOrder) -> Option<Period> {
    let text = text.trim();
    for separator in [" to ", " until ", " - ", " – ", " — ", ".."] {
        if let Some((a, b)) = text.split_once(separator) {
            let (start, _) = single_period(a, order)?;
            let (_, end) = single_period(b, order)?;
            return (start <= end).then_some((start, end));
        }
    }
    // GA4 writes a range as `20240101-20240131`.
    if let Some((a, b)) = text.split_once('-')
        && a.len() == 8
        && b.len() == 8
        && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
    {
        let start = values::parse_date(a.as_bytes(), order)?;
        let end = values::parse_date(b.as_bytes(), order)?;
        return (start <= end).then_some((start, end));
    }
    single_period(text, order)
}

/// A token of a period: a run of digits or of letters, and the separator before it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    text: String,
    after_slash: bool,
    after_dash: bool,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut separator = ' ';
    let mut current = String::new();
    let flush = |current: &mut String, separator: &mut char, out: &mut Vec<Token>| {
        if !current.is_empty() {
            out.push(Token {
                text: std::mem::take(current).to_ascii_lowercase(),
                after_slash: *separator == '/',
                after_dash: *separator == '-',
            });
            *separator = ' ';
        }
    };
    for c in text.chars() {
        let same_kind = current.chars().next_back().is_some_and(|p| p.is_ascii_digit() == c.is_ascii_digit());
        if c.is_ascii_alphanumeric() {
            if !current.is_empty() && !same_kind {
                flush(&mut current, &mut separator, &mut out);
            }
            current.push(c);
        } else {
            flush(&mut current, &mut separator, &mut out);
            if matches!(c, '/' | '-') {
                separator = c;
            }
        }
    }
    flush(&mut current, &mut separator, &mut out);
    out
}

const WEEKDAYS: [&str; 14] = [
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn single_period(text: &str, order: DateOrder) -> Option<Period> {
    let text = text.trim();
    let mut tokens = tokens(text);
    // `Mon, Jun 3, 2024` (X's account overview): the weekday says nothing more.
    let weekday = tokens.first().is_some_and(|t| WEEKDAYS.contains(&t.text.as_str())) && tokens.len() > 1;
    if weekday {
        tokens.remove(0);
    }
    let mut fy_marker = false;
    if tokens.first().is_some_and(|t| t.text == "fy") {
        fy_marker = true;
        tokens.remove(0);
    } else if tokens.len() > 2 && tokens[0].text == "financial" && tokens[1].text == "year" {
        fy_marker = true;
        tokens.drain(..2);
    }
    let mut quarter = None;
    if let Some(at) = tokens.iter().position(|t| t.text == "q")
        && let Some(n) = tokens.get(at + 1).and_then(|t| t.text.parse::<u32>().ok())
        && (1..=4).contains(&n)
    {
        quarter = Some(n);
        tokens.drain(at..at + 2);
    }
    let digits = |t: &Token| t.text.bytes().all(|b| b.is_ascii_digit());
    let year4 = |t: &Token| digits(t) && t.text.len() == 4;
    let number = |t: &Token| t.text.parse::<i32>().ok();
    // A financial year: `2024/25`, `2024-25`, `2024/2025`, `FY24/25`.
    let financial_year = |tokens: &[Token]| -> Option<i32> {
        let [a, b] = tokens else { return None };
        if !digits(a) || !digits(b) {
            return None;
        }
        let (first, second) = (number(a)?, number(b)?);
        match (a.text.len(), b.text.len()) {
            (4, 4) if second == first + 1 => Some(first),
            (4, 2) if second == (first + 1).rem_euclid(100) => {
                // `2011-12` is December 2011 unless the file says it is a year.
                let month_like = (1..=12).contains(&second) && b.after_dash && !fy_marker && quarter.is_none();
                (!month_like).then_some(first)
            }
            (2, 2) if second == (first + 1).rem_euclid(100) && (fy_marker || b.after_slash) => Some(2000 + first),
            _ => None,
        }
    };
    if let Some(start_year) = financial_year(&tokens) {
        let april = values::civil_to_days(start_year, 4, 1)?;
        return match quarter {
            Some(q) => {
                let (year, month) = add_months(start_year, 4, 3 * (q - 1));
                month_span(year, month, 3).filter(|(s, _)| *s >= april)
            }
            None => month_span(start_year, 4, 12),
        };
    }
    if fy_marker {
        return None;
    }
    if let Some(q) = quarter {
        return match tokens.as_slice() {
            [y] if year4(y) => month_span(number(y)?, 3 * q - 2, 3),
            _ => None,
        };
    }
    match tokens.as_slice() {
        [y] if year4(y) => return month_span(number(y)?, 1, 12),
        [y, m] if year4(y) && digits(m) && m.text.len() <= 2 => return month_span(number(y)?, number(m)? as u32, 1),
        [m, y] if year4(y) && digits(m) && m.text.len() <= 2 => return month_span(number(y)?, number(m)? as u32, 1),
        [m, y] if !digits(m) && digits(y) && matches!(y.text.len(), 2 | 4) => {
            let month = month_number(&m.text)?;
            let year = if y.text.len() == 2 { 2000 + number(y)? } else { number(y)? };
            return month_span(year, month, 1);
        }
        [y, m] if year4(y) && !digits(m) => return month_span(number(y)?, month_number(&m.text)?, 1),
        _ => {}
    }
    // A single day. The weekday, if any, is gone from the text `parse_date` reads.
    let day_text = if weekday { text.split_once([',', ' ']).map_or(text, |(_, rest)| rest.trim()) } else { text };
    let day = values::parse_date(day_text.as_bytes(), order)?;
    Some((day, day))
}

/// `month` (1-12) of `year` plus `more` months.
fn add_months(year: i32, month: u32, more: u32) -> (i32, u32) {
    let index = year * 12 + month as i32 - 1 + more as i32;
    (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

/// `count` whole months from the first of `month`: first day and last day.
fn month_span(year: i32, month: u32, count: u32) -> Option<Period> {
    let start = values::civil_to_days(year, month, 1)?;
    let (next_year, next_month) = add_months(year, month, count);
    let end = values::civil_to_days(next_year, next_month, 1)? - 1;
    Some((start, end))
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let name = name.to_ascii_lowercase();
    let index = MONTHS
        .iter()
        .position(|m| name.len() >= 3 && (*m == name || m.starts_with(&name) && name.len() == 3))
        .or_else(|| (name == "sept").then_some(8))?;
    Some(index as u32 + 1)
}

/// A value read from a cell: in units of 0.0001, the unit its text carried (`%`, `£`), and
/// whether more than four decimals were rounded away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Value {
    pub units: i128,
    pub unit: Option<&'static str>,
    pub rounded: bool,
}

/// Read a figure: `42`, `1,234`, `4.25`, `-3`, `85%`, `£1.2`, `(12)`. Decimals past the
/// fourth are rounded half away from zero (XLSX cells are floats, and GA4 writes rates with
/// many digits); the value stays exact decimal arithmetic throughout, never a float. `Err`
/// is the reason the cell cannot be a figure.
pub fn parse_value(text: &str) -> std::result::Result<Value, String> {
    let mut s = text.trim();
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    if let Some(rest) = s.strip_prefix('-') {
        negative = !negative;
        s = rest.trim_start();
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.trim_start();
    }
    let mut unit = None;
    if let Some(rest) = s.strip_suffix('%') {
        unit = Some("%");
        s = rest.trim_end();
    } else if let Some(rest) = s.strip_prefix('£') {
        unit = Some("£");
        s = rest.trim_start();
    }
    let not_a_number = || format!("value is not a number: '{}'", text.trim());
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    let whole: String = whole.chars().filter(|c| *c != ',').collect();
    if (whole.is_empty() && fraction.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || (s.contains(',') && !thousands_ok(s.split_once('.').map_or(s, |(w, _)| w)))
    {
        return Err(not_a_number());
    }
    if whole.trim_start_matches('0').len() > 14 {
        return Err(format!("value is too large: '{}'", text.trim()));
    }
    let mut units: i128 = whole.parse::<i128>().unwrap_or(0) * UNITS_PER_ONE;
    let kept: String = fraction.chars().take(4).collect();
    let kept = format!("{kept:0<4}");
    units += kept.parse::<i128>().unwrap_or(0);
    let rest = fraction.get(4..).unwrap_or("");
    let rounded = rest.bytes().any(|b| b != b'0');
    if rest.bytes().next().is_some_and(|b| b >= b'5') {
        units += 1;
    }
    if units > MAX_UNITS {
        return Err(format!("value is too large: '{}'", text.trim()));
    }
    Ok(Value { units: if negative { -units } else { units }, unit, rounded })
}

/// Whether the commas of a number's whole part are thousands separators (`1,234,567`).
fn thousands_ok(whole: &str) -> bool {
    let groups: Vec<&str> = whole.split(',').collect();
    groups.first().is_some_and(|g| !g.is_empty() && g.len() <= 3) && groups[1..].iter().all(|g| g.len() == 3)
}

/// Values as text: `1234.5000`, the manifest's and the report's spelling.
pub fn value_text(units: i128) -> String {
    decimal_text(units, METRIC_SCALE)
}

/// One metric column of a wide, GA4 or social file.
struct MetricColumn {
    column: usize,
    metric: String,
}

/// A metrics file read whole: its layout, mapping and every record after the header.
struct MetricsFile {
    layout: Layout,
    mapping: Mapping<MetricField>,
    header_line: u64,
    /// A GA4 export's `# Start date` and `# End date`.
    range: Option<Period>,
    metric_columns: Vec<MetricColumn>,
    /// Columns of a wide file that are not figures (text in the first data row).
    not_figures: Vec<String>,
    records: Vec<(u64, ByteRecord)>,
    notes: Vec<String>,
}

/// A record's text as one line (for `#` comments, whose commas split them into fields).
fn line_text(record: &ByteRecord, encoding: Encoding, delimiter: u8) -> String {
    let fields: Vec<String> = record.iter().map(|f| encoding.decode(f).into_owned()).collect();
    fields.join(&char::from(delimiter).to_string())
}

fn is_comment(record: &ByteRecord) -> bool {
    record.get(0).is_some_and(|f| values::trim(f).starts_with(b"#"))
}

fn is_blank(record: &ByteRecord) -> bool {
    record.iter().all(|f| values::trim(f).is_empty())
}

/// The text after a GA4 comment's label (`# Start date: 20240101` → `20240101`), if the
/// line has that label.
fn comment_value<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let text = line.trim_start_matches('#').trim();
    let (key, value) = text.split_once(':')?;
    key.trim().eq_ignore_ascii_case(label).then(|| value.trim())
}

/// Whether a mapping can be a metrics header: a period (or a start and an end), and either
/// a metric and a value (tidy) or some other column (a metric, in the other layouts).
fn is_metrics_header(mapping: &Mapping<MetricField>) -> bool {
    let has_period = mapping.column(MetricField::Period).is_some()
        || (mapping.column(MetricField::PeriodStart).is_some() && mapping.column(MetricField::PeriodEnd).is_some());
    let tidy = mapping.column(MetricField::Metric).is_some() && mapping.column(MetricField::Value).is_some();
    has_period && (tidy || !mapping.extras.is_empty())
}

fn read_file(records: &mut dyn Records, source: &Source, encoding: Encoding) -> Result<MetricsFile> {
    let delimiter = records.delimiter().unwrap_or(b',');
    let mut record = ByteRecord::new();
    let mut comments = Vec::new();
    let mut candidates = 0;
    let mut first_seen: Option<(u64, Vec<String>)> = None;
    let (mapping, header_line) = loop {
        let Some(line) = records.next_record(&mut record)? else {
            return Err(match first_seen {
                Some((line, names)) => header_error(source, line, &names),
                None => Error::input(&source.path, None, format!("{} has no header row", source.name)),
            });
        };
        if is_comment(&record) {
            comments.push(line_text(&record, encoding, delimiter));
            continue;
        }
        if is_blank(&record) {
            continue;
        }
        candidates += 1;
        let names: Vec<String> = record.iter().map(|f| encoding.decode(f).into_owned()).collect();
        let mapping = headers::detect_fields::<MetricField>(&names, &HashMap::new())
            .map_err(|why| Error::input(&source.path, Some(line), format!("{}: {why}", source.name)))?;
        if is_metrics_header(&mapping) {
            break (mapping, line);
        }
        // A GA4 export by total has no period column: its header follows the comments.
        let ga4_total = !comments.is_empty() && candidates == 1 && !names.is_empty();
        if ga4_total && comments.iter().any(|c| comment_value(c, "start date").is_some()) {
            break (mapping, line);
        }
        first_seen.get_or_insert((line, names));
        if candidates >= HEADER_SEARCH_ROWS {
            let (line, names) = first_seen.unwrap_or_default();
            return Err(header_error(source, line, &names));
        }
    };
    let mut notes = Vec::new();
    let mut rows = Vec::new();
    while let Some(line) = records.next_record(&mut record)? {
        if is_comment(&record) {
            // GA4 puts a further table (another breakdown) after a comment block: this
            // file's figures are the first table's.
            notes.push(format!("read up to line {line}: what follows the comment there is another table, not loaded"));
            break;
        }
        rows.push((line, record.clone()));
    }
    let date = |label: &str| {
        comments
            .iter()
            .find_map(|c| comment_value(c, label))
            .map(|text| values::parse_date(text.as_bytes(), DateOrder::DayFirst))
    };
    let range = match (date("start date"), date("end date")) {
        (None, None) => None,
        (Some(Some(start)), Some(Some(end))) if start <= end => Some((start, end)),
        _ => {
            return Err(Error::input(
                &source.path,
                None,
                format!("{}: a GA4 export needs readable '# Start date:' and '# End date:' comment lines", source.name),
            ));
        }
    };
    let has_period = mapping.column(MetricField::Period).is_some()
        || (mapping.column(MetricField::PeriodStart).is_some() && mapping.column(MetricField::PeriodEnd).is_some());
    let tidy = mapping.column(MetricField::Metric).is_some() && mapping.column(MetricField::Value).is_some();
    let layout = match (range, tidy) {
        (Some(_), _) => Layout::Ga4,
        (None, true) => Layout::Tidy,
        (None, false) => Layout::Wide,
    };
    let mut file = MetricsFile {
        layout,
        mapping,
        header_line,
        range,
        metric_columns: Vec::new(),
        not_figures: Vec::new(),
        records: rows,
        notes,
    };
    if layout != Layout::Tidy {
        metric_columns(&mut file, encoding, source, has_period)?;
    }
    Ok(file)
}

fn header_error(source: &Source, line: u64, names: &[String]) -> Error {
    let shown: Vec<&str> = names.iter().map(|h| h.trim()).take(12).collect();
    Error::input(
        &source.path,
        Some(line),
        format!(
            "{}: no recognisable metrics columns in the header: it needs a period column (Period, Month, Date, ...) \
             and either Metric and Value columns or a column per metric (it has: {})",
            source.name,
            shown.join(", ")
        ),
    )
    .with_hint(if headers::detect(names, &HashMap::new()).is_ok_and(|m| m.is_loadable()) {
        "this looks like a spend file: ingest it with --kind spend and --council NAME"
    } else if super::contracts::looks_like_register(names) {
        "this looks like a contracts register: ingest it with --kind contracts and --council NAME"
    } else {
        "a tidy file has Period, Metric and Value columns, a wide one Period and a column per metric; \
         a Google Analytics export must keep its '# Start date:' and '# End date:' lines"
    })
}

/// The metric columns of a wide, GA4 or social file: every column no field took whose
/// first data value is a figure (or empty). Text columns (a GA4 breakdown by page) are
/// refused in a GA4 export and left out of a wide one.
fn metric_columns(file: &mut MetricsFile, encoding: Encoding, source: &Source, has_period: bool) -> Result<()> {
    let first = file.records.iter().find(|(_, r)| !is_blank(r)).map(|(_, r)| r.clone());
    let mut taken: Vec<String> = Vec::new();
    let mut columns = Vec::new();
    for (column, header) in &file.mapping.extras {
        // A second period column (`Year` beside `Month`) says when, not how much.
        let normalised = headers::normalise(header);
        let period_like = [MetricField::Period, MetricField::PeriodStart, MetricField::PeriodEnd]
            .iter()
            .any(|f| f.synonyms().contains(&normalised.as_str()));
        let cell = first.as_ref().and_then(|r| r.get(*column)).map(|f| encoding.decode(f).trim().to_string());
        if period_like {
            file.not_figures.push(header.clone());
            continue;
        }
        let is_figure = cell.as_deref().is_none_or(|c| says_no_value(c) || parse_value(c).is_ok());
        if !is_figure {
            file.not_figures.push(header.clone());
            continue;
        }
        // Two columns for one known metric (`Active users`, `Total users`): the first is
        // it, the next keeps its own name.
        let mut metric = known_name(header);
        if taken.contains(&metric) {
            metric = canonical_name(header);
        }
        if metric.is_empty() || taken.contains(&metric) {
            continue;
        }
        taken.push(metric.clone());
        columns.push(MetricColumn { column: *column, metric });
    }
    if file.layout == Layout::Ga4 && !file.not_figures.is_empty() {
        return Err(Error::input(
            &source.path,
            Some(file.header_line),
            format!(
                "{}: this GA4 export is broken down by {}; spendql loads exports by date (or a single total row)",
                source.name,
                file.not_figures.join(", ")
            ),
        )
        .with_hint(
            "in Google Analytics, remove the breakdown dimension (or add Date as the only one) and export again",
        ));
    }
    if columns.is_empty() {
        return Err(Error::input(
            &source.path,
            Some(file.header_line),
            format!("{}: the header names a period but no metric columns", source.name),
        ));
    }
    if file.layout == Layout::Ga4 && !has_period && file.records.iter().filter(|(_, r)| !is_blank(r)).count() > 1 {
        return Err(Error::input(
            &source.path,
            Some(file.header_line),
            format!(
                "{}: a GA4 export without a Date column must have one row, the total for its date range",
                source.name
            ),
        ));
    }
    if file.layout == Layout::Wide && columns.iter().any(|c| c.metric == "impressions" || c.metric == "engagements") {
        file.layout = Layout::Social;
    }
    file.metric_columns = columns;
    Ok(())
}

/// One figure ready for the table.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MetricRow {
    council: Option<String>,
    council_code: Option<String>,
    period: Period,
    metric: String,
    value: i128,
    unit: Option<String>,
    aggregation: Aggregation,
    source_row: i64,
}

/// Rows and value per metric: read, loaded, rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct MetricTally {
    rows_read: u64,
    rows_rejected: u64,
    value_read: i128,
    value_rejected: i128,
}

/// Period headers that name a month, whose dates on the 1st mean the whole month.
const MONTH_HEADERS: [&str; 3] = ["month", "reportingmonth", "monthyear"];

/// Figures and their value, per metric, as written.
type PerMetric = BTreeMap<String, (u64, i128)>;

/// The name rejected figures with no metric are tallied under.
const NO_METRIC: &str = "(no metric)";

struct Parser<'a> {
    context: &'a Context,
    file: &'a MetricsFile,
    encoding: Encoding,
    date_order: DateOrder,
    rejects: rejects::RejectWriter,
    per_metric: BTreeMap<String, MetricTally>,
    rows: Vec<MetricRow>,
    /// Each figure's key, with its line, to refuse a repeat.
    seen: HashMap<(Option<String>, String, Period), u64>,
    rounded: u64,
    /// Lines of a GA4 export's total row, left out.
    totals_skipped: Vec<u64>,
}

impl Parser<'_> {
    fn cell<'r>(&self, record: &'r ByteRecord, field: MetricField) -> Option<Cow<'r, str>> {
        Some(cells::trimmed(record.get(self.file.mapping.column(field)?)?, self.encoding))
    }

    fn reject(&mut self, record: &ByteRecord, line: u64, metric: &str, value: i128, reason: &str) -> Result<()> {
        let tally = self.per_metric.entry(metric.to_string()).or_default();
        tally.rows_read += 1;
        tally.rows_rejected += 1;
        tally.value_read += value;
        tally.value_rejected += value;
        self.rejects.write(line, reason, record, self.encoding)
    }

    /// The council a line's figures belong to: the file's council column, else
    /// `--council`, else none (the whole service).
    fn council(&self, record: &ByteRecord) -> (Option<String>, Option<String>) {
        let name = self
            .cell(record, MetricField::Council)
            .filter(|c| !says_no_value(c))
            .map(|c| schema::council_display_name(&c))
            .or_else(|| (!self.context.council.is_empty()).then(|| self.context.council.clone()));
        let code = name.as_deref().and_then(schema::council_code).map(str::to_string);
        (name, code)
    }

    /// The line's period, or why it has none.
    fn period(&self, record: &ByteRecord) -> std::result::Result<Period, String> {
        if let Some(text) = self.cell(record, MetricField::Period) {
            if says_no_value(&text) {
                return match self.file.range {
                    // GA4's total row has no date: the export's range is its period.
                    Some(range) => Ok(range),
                    None => Err("no period".to_string()),
                };
            }
            let period = parse_period(&text, self.date_order).ok_or_else(|| format!("unreadable period '{text}'"))?;
            return Ok(self.month_of_first(period));
        }
        if let (Some(start), Some(end)) =
            (self.cell(record, MetricField::PeriodStart), self.cell(record, MetricField::PeriodEnd))
        {
            let start_day = parse_period(&start, self.date_order).map(|p| p.0);
            let end_day = parse_period(&end, self.date_order).map(|p| p.1);
            return match (start_day, end_day) {
                (Some(s), Some(e)) if s <= e => Ok((s, e)),
                (Some(_), Some(_)) => Err(format!("period ends ({end}) before it starts ({start})")),
                (None, _) => Err(format!("unreadable period start '{start}'")),
                (_, None) => Err(format!("unreadable period end '{end}'")),
            };
        }
        self.file.range.ok_or_else(|| "no period".to_string())
    }

    /// A `Month` column holding dates (an XLSX date cell is a day): the first of a month
    /// there means the month.
    fn month_of_first(&self, period: Period) -> Period {
        let (start, end) = period;
        let header =
            self.file.mapping.column(MetricField::Period).map(|c| headers::normalise(&self.file.mapping.headers[c]));
        let (year, month, day) = values::days_to_civil(start);
        if start == end && day == 1 && header.is_some_and(|h| MONTH_HEADERS.contains(&h.as_str())) {
            return month_span(year, month, 1).unwrap_or(period);
        }
        period
    }

    fn value(&mut self, text: &str) -> std::result::Result<Value, String> {
        let value = parse_value(text)?;
        if value.rounded {
            self.rounded += 1;
        }
        Ok(value)
    }

    /// Load a figure unless the file already gave it.
    fn push(&mut self, record: &ByteRecord, line: u64, row: MetricRow) -> Result<()> {
        let key = (row.council.clone(), row.metric.clone(), row.period);
        if let Some(first) = self.seen.get(&key) {
            let reason = format!(
                "repeats the {} figure of line {first} for the same period{}",
                row.metric,
                row.council.as_deref().map(|c| format!(" and council ({c})")).unwrap_or_default()
            );
            let (metric, value) = (row.metric.clone(), row.value);
            return self.reject(record, line, &metric, value, &reason);
        }
        self.seen.insert(key, line);
        let tally = self.per_metric.entry(row.metric.clone()).or_default();
        tally.rows_read += 1;
        tally.value_read += row.value;
        self.rows.push(row);
        Ok(())
    }

    fn tidy_line(&mut self, record: &ByteRecord, line: u64) -> Result<()> {
        let metric = self.cell(record, MetricField::Metric).map(|m| known_name(&m)).unwrap_or_default();
        let tally_name = if metric.is_empty() { NO_METRIC.to_string() } else { metric.clone() };
        if let Some(why) = cells::shape_problem(record, self.file.mapping.headers.len()) {
            return self.reject(record, line, &tally_name, 0, &why);
        }
        let value_text = self.cell(record, MetricField::Value).map(Cow::into_owned).unwrap_or_default();
        let value = if says_no_value(&value_text) { Err("no value".to_string()) } else { self.value(&value_text) };
        let units = value.as_ref().map_or(0, |v| v.units);
        if metric.is_empty() {
            return self.reject(record, line, &tally_name, units, "no metric name");
        }
        let value = match value {
            Ok(value) => value,
            Err(why) => return self.reject(record, line, &metric, 0, &why),
        };
        let period = match self.period(record) {
            Ok(period) => period,
            Err(why) => return self.reject(record, line, &metric, units, &why),
        };
        let unit_cell = self.cell(record, MetricField::Unit).filter(|u| !says_no_value(u)).map(Cow::into_owned);
        let unit = unit_cell.or_else(|| value.unit.map(str::to_string));
        let (default, known_unit) = default_aggregation(&metric, unit.as_deref());
        let aggregation = match self.cell(record, MetricField::Aggregation).filter(|a| !says_no_value(a)) {
            Some(text) => match parse_aggregation(&text) {
                Some(a) => a,
                None => {
                    let why = format!("unknown aggregation '{text}' (sum, average or latest)");
                    return self.reject(record, line, &metric, units, &why);
                }
            },
            None => default,
        };
        let (council, council_code) = self.council(record);
        let unit = unit.or_else(|| known_unit.map(str::to_string));
        let row = MetricRow {
            council,
            council_code,
            period,
            metric,
            value: value.units,
            unit,
            aggregation,
            source_row: line as i64,
        };
        self.push(record, line, row)
    }

    /// The figures of a wide, GA4 or social line: one per non-empty metric cell.
    fn wide_line(&mut self, record: &ByteRecord, line: u64) -> Result<()> {
        let columns: Vec<(usize, String)> =
            self.file.metric_columns.iter().map(|c| (c.column, c.metric.clone())).collect();
        let cells: Vec<(String, String)> = columns
            .iter()
            .filter_map(|(column, metric)| {
                let text = cells::trimmed(record.get(*column)?, self.encoding);
                (!says_no_value(&text)).then(|| (metric.clone(), text.into_owned()))
            })
            .collect();
        if let Some(why) = cells::shape_problem(record, self.file.mapping.headers.len()) {
            if cells.is_empty() {
                return self.reject(record, line, NO_METRIC, 0, &why);
            }
            for (metric, text) in &cells {
                let units = parse_value(text).map_or(0, |v| v.units);
                self.reject(record, line, metric, units, &format!("{metric}: {why}"))?;
            }
            return Ok(());
        }
        // A per-day GA4 export may close with a total row; the days already add up to it.
        let period_text = self.cell(record, MetricField::Period).map(Cow::into_owned).unwrap_or_default();
        if self.file.layout == Layout::Ga4 && matches!(canonical_name(&period_text).as_str(), "total" | "grand total") {
            self.totals_skipped.push(line);
            return Ok(());
        }
        let period = self.period(record);
        let (council, council_code) = self.council(record);
        let unit_cell = self.cell(record, MetricField::Unit).filter(|u| !says_no_value(u)).map(Cow::into_owned);
        for (metric, text) in cells {
            let value = match self.value(&text) {
                Ok(value) => value,
                Err(why) => {
                    self.reject(record, line, &metric, 0, &format!("{metric}: {why}"))?;
                    continue;
                }
            };
            let period = match &period {
                Ok(period) => *period,
                Err(why) => {
                    self.reject(record, line, &metric, value.units, &format!("{metric}: {why}"))?;
                    continue;
                }
            };
            let unit = unit_cell.clone().or_else(|| value.unit.map(str::to_string));
            let (aggregation, known_unit) = default_aggregation(&metric, unit.as_deref());
            let row = MetricRow {
                council: council.clone(),
                council_code: council_code.clone(),
                period,
                metric,
                value: value.units,
                unit: unit.or_else(|| known_unit.map(str::to_string)),
                aggregation,
                source_row: line as i64,
            };
            self.push(record, line, row)?;
        }
        Ok(())
    }
}

/// Parse one metrics file into a scratch Parquet file and rejects; nothing is placed yet.
pub fn load_metrics(source: &Source, context: &Context, scratch: &Path, index: usize) -> Result<Loaded> {
    let progress = Arc::new(AtomicU64::new(0));
    let ((file, encoding), sha256) =
        source.records_hashed(&progress, |records, encoding| Ok((read_file(records, source, encoding)?, encoding)))?;
    if file.records.iter().all(|(_, r)| is_blank(r)) {
        return Err(Error::input(
            &source.path,
            Some(file.header_line),
            format!("{} has a header but no data rows", source.name),
        ));
    }
    let mut evidence = OrderEvidence::default();
    let mut first_period: Option<String> = None;
    for (_, record) in &file.records {
        for field in [MetricField::Period, MetricField::PeriodStart, MetricField::PeriodEnd] {
            let Some(raw) = file.mapping.column(field).and_then(|c| record.get(c)) else { continue };
            evidence.observe(raw);
            if first_period.is_none() && !values::trim(raw).is_empty() {
                first_period = Some(encoding.decode(raw).trim().to_string());
            }
        }
    }
    let date_order = context.date_order.unwrap_or(evidence.order());

    let prefix = format!("source{index}");
    let rejects_path = scratch.join(format!("{prefix}-rejects.csv"));
    let mut parser = Parser {
        context,
        file: &file,
        encoding,
        date_order,
        rejects: rejects::RejectWriter::create(&rejects_path, &context.council, &source.name)?,
        per_metric: BTreeMap::new(),
        rows: Vec::new(),
        seen: HashMap::new(),
        rounded: 0,
        totals_skipped: Vec::new(),
    };
    for (line, record) in &file.records {
        if is_blank(record) {
            continue;
        }
        match file.layout {
            Layout::Tidy => parser.tidy_line(record, *line)?,
            Layout::Wide | Layout::Ga4 | Layout::Social => parser.wide_line(record, *line)?,
        }
    }
    parser.rejects.finish()?;
    let Parser { per_metric, rows, rounded, totals_skipped, .. } = parser;

    let mut parts = Vec::new();
    let mut loaded_per_metric = PerMetric::new();
    if !rows.is_empty() {
        let path = scratch.join(format!("{prefix}-metrics.parquet"));
        let (part, loaded) = write_parquet(&rows, file.layout, &source.name, &path)?;
        parts.push(part);
        loaded_per_metric = loaded;
    }
    let first_period = first_period.map(|text| {
        let order = if evidence.order() == DateOrder::DayFirst { "day first" } else { "month first" };
        (parse_period(&text, date_order), text, order)
    });
    let mut notes = layout_notes(&file, &per_metric, first_period, rounded, &totals_skipped);
    let mut counts = Counts::default();
    for (metric, tally) in &per_metric {
        let (rows_loaded, value_loaded) = loaded_per_metric.get(metric).copied().unwrap_or_default();
        let reconciles = tally.rows_read == rows_loaded + tally.rows_rejected
            && tally.value_read == value_loaded + tally.value_rejected;
        notes.push(format!(
            "{metric}: read {} figure(s) {} = loaded {rows_loaded} {} + rejected {} {}: {}",
            tally.rows_read,
            value_text(tally.value_read),
            value_text(value_loaded),
            tally.rows_rejected,
            value_text(tally.value_rejected),
            if reconciles { "reconciled" } else { "DOES NOT RECONCILE" }
        ));
        if !reconciles {
            return Err(Error::new(
                ErrorKind::Reconciliation,
                format!("{}: metric '{metric}' does not reconcile", source.name),
            )
            .in_file(&source.path, None)
            .with_hint("nothing was written; this is a bug in spendql, please report it with the file"));
        }
        counts.rows_read += tally.rows_read;
        counts.rows_rejected += tally.rows_rejected;
        counts.amount_read += tally.value_read;
        counts.amount_rejected += tally.value_rejected;
    }
    counts.rows_loaded = parts.iter().map(|p| p.rows).sum();
    counts.amount_loaded = parts.iter().map(|p| p.amount).sum();
    // Unmapped columns are metrics or reported above; nothing goes to an `extras` column.
    let mut mapping = MappingSummary::of(&file.mapping);
    mapping.extras.clear();
    Ok(Loaded {
        counts,
        sha256,
        mapping,
        parts,
        rejects_path,
        encoding,
        header_line: file.header_line,
        date_shape: None,
        date_order,
        notes,
    })
}

/// How the first period cell was read: its period, its text, and the day/month order.
type FirstPeriod = (Option<Period>, String, &'static str);

/// The report's lines about a file's layout, metrics, periods and what was not loaded.
fn layout_notes(
    file: &MetricsFile,
    per_metric: &BTreeMap<String, MetricTally>,
    first_period: Option<FirstPeriod>,
    rounded: u64,
    totals_skipped: &[u64],
) -> Vec<String> {
    let mut notes = vec![format!(
        "layout: {} ({} metric(s)); value reconciled: each figure, per metric",
        file.layout.name(),
        per_metric.keys().filter(|m| *m != NO_METRIC).count()
    )];
    if let Some((start, end)) = file.range {
        notes.push(format!("GA4 date range: {} to {}", crate::dates::date_text(start), crate::dates::date_text(end)));
    }
    if !file.metric_columns.is_empty() {
        let named: Vec<String> = file
            .metric_columns
            .iter()
            .map(|c| {
                let header = &file.mapping.headers[c.column];
                if canonical_name(header) == c.metric { c.metric.clone() } else { format!("{} <- {header}", c.metric) }
            })
            .collect();
        notes.push(format!("metrics: {}", named.join(", ")));
    }
    // How the first period was read, so a wrong day/month order shows at once.
    if let Some((Some((start, end)), text, day_first)) = first_period {
        notes.push(format!(
            "periods: '{text}' read as {} to {} (numeric dates {day_first})",
            crate::dates::date_text(start),
            crate::dates::date_text(end)
        ));
    }
    if !file.not_figures.is_empty() {
        notes.push(format!("not loaded (text, not figures): {}", file.not_figures.join(", ")));
    }
    if file.layout == Layout::Tidy && !file.mapping.extras.is_empty() {
        let ignored: Vec<&str> = file.mapping.extras.iter().map(|(_, h)| h.as_str()).collect();
        notes.push(format!("not loaded (the metrics table has no column for them): {}", ignored.join(", ")));
    }
    notes.extend(file.notes.iter().cloned());
    for line in totals_skipped {
        notes.push(format!("line {line}: the export's total row, not loaded (its days are)"));
    }
    if rounded > 0 {
        notes.push(format!("{rounded} value(s) had more than 4 decimals and were rounded to 4"));
    }
    notes
}

/// The rows as one batch of the `metrics` schema.
fn to_batch(rows: &[MetricRow], layout: Layout, source_file: &str) -> Result<RecordBatch> {
    let count = rows.len();
    let text =
        |f: fn(&MetricRow) -> Option<&str>| -> ArrayRef { Arc::new(rows.iter().map(f).collect::<StringArray>()) };
    let values = rows.iter().map(|r| Some(r.value)).collect::<Decimal128Array>();
    let columns: Vec<ArrayRef> = vec![
        text(|r| r.council.as_deref()),
        text(|r| r.council_code.as_deref()),
        Arc::new(rows.iter().map(|r| Some(r.period.0)).collect::<Date32Array>()),
        Arc::new(rows.iter().map(|r| Some(r.period.1)).collect::<Date32Array>()),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.metric.as_str()))),
        Arc::new(values.with_precision_and_scale(METRIC_PRECISION, METRIC_SCALE)?),
        text(|r| r.unit.as_deref()),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.aggregation.name()))),
        Arc::new(StringArray::from_iter_values(std::iter::repeat_n(layout.name(), count))),
        Arc::new(StringArray::from_iter_values(std::iter::repeat_n(source_file, count))),
        Arc::new(rows.iter().map(|r| r.source_row).collect::<Int64Array>()),
    ];
    Ok(RecordBatch::try_new(metrics_schema(), columns)?)
}

/// Write a file's figures as one Parquet file, durably. Figures and value per metric are
/// counted from the written batch, not the parser's tally: the "loaded" side.
fn write_parquet(
    rows: &[MetricRow],
    layout: Layout,
    source_file: &str,
    path: &Path,
) -> Result<(PartitionFile, PerMetric)> {
    let batch = to_batch(rows, layout, source_file)?;
    let file = File::create(path).map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(write::writer_properties()))?;
    writer.write(&batch)?;
    let file = writer.into_inner()?;
    file.sync_all().map_err(|e| Error::io(format!("cannot sync {}", path.display()), e))?;
    let column = |name: &str| batch.column_by_name(name).ok_or_else(|| Error::execution(format!("no {name} column")));
    let values = column(schema::metrics::VALUE)?
        .as_any()
        .downcast_ref::<Decimal128Array>()
        .ok_or_else(|| Error::execution("value column is not Decimal128"))?
        .clone();
    let metrics = column(schema::metrics::METRIC)?
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| Error::execution("metric column is not Utf8"))?
        .clone();
    let mut per_metric = PerMetric::new();
    for (metric, value) in metrics.iter().zip(values.iter()) {
        let entry = per_metric.entry(metric.unwrap_or_default().to_string()).or_default();
        entry.0 += 1;
        entry.1 += value.unwrap_or(0);
    }
    let amount = per_metric.values().map(|(_, v)| v).sum();
    let part = PartitionFile { financial_year: None, path: path.to_path_buf(), rows: batch.num_rows() as u64, amount };
    Ok((part, per_metric))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::SourceKind;
    use crate::dates::date_text;
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    fn period(text: &str) -> Option<(String, String)> {
        parse_period(text, DateOrder::DayFirst).map(|(s, e)| (date_text(s), date_text(e)))
    }

    fn span(start: &str, end: &str) -> Option<(String, String)> {
        Some((start.to_string(), end.to_string()))
    }

    #[test]
    fn periods_are_days_months_quarters_years_and_ranges() {
        // Days.
        assert_eq!(period("2024-06-03"), span("2024-06-03", "2024-06-03"));
        assert_eq!(period("03/06/2024"), span("2024-06-03", "2024-06-03"), "day first");
        assert_eq!(period("20240603"), span("2024-06-03", "2024-06-03"), "GA4's Date");
        assert_eq!(period("Mon, Jun 03, 2024"), span("2024-06-03", "2024-06-03"), "X's Date");
        // Months: June has 30 days, February 2024 29.
        for text in
            ["2024-06", "2024/06", "06/2024", "6/2024", "Jun 2024", "June 2024", "Jun-24", "june-2024", "2024 Jun"]
        {
            assert_eq!(period(text), span("2024-06-01", "2024-06-30"), "{text}");
        }
        assert_eq!(period("Feb 2024"), span("2024-02-01", "2024-02-29"));
        assert_eq!(period("Sept 2023"), span("2023-09-01", "2023-09-30"));
        // Calendar quarters: Q2 is April to June.
        for text in ["2024 Q2", "2024Q2", "2024-Q2", "Q2 2024", "q2-2024"] {
            assert_eq!(period(text), span("2024-04-01", "2024-06-30"), "{text}");
        }
        // Financial years, April to March, and their quarters (Q4 is January to March).
        for text in ["FY2024/25", "2024/25", "2024-25", "FY 2024-25", "2024/2025", "FY24/25", "Financial year 2024/25"]
        {
            assert_eq!(period(text), span("2024-04-01", "2025-03-31"), "{text}");
        }
        assert_eq!(period("2024/25 Q1"), span("2024-04-01", "2024-06-30"));
        assert_eq!(period("FY2024/25 Q4"), span("2025-01-01", "2025-03-31"));
        assert_eq!(period("Q3 2024/25"), span("2024-10-01", "2024-12-31"));
        // `2011-12` is December 2011; `2011/12` the financial year.
        assert_eq!(period("2011-12"), span("2011-12-01", "2011-12-31"));
        assert_eq!(period("2011/12"), span("2011-04-01", "2012-03-31"));
        // Calendar years and ranges.
        assert_eq!(period("2024"), span("2024-01-01", "2024-12-31"));
        assert_eq!(period("2024-01-01 to 2024-01-31"), span("2024-01-01", "2024-01-31"));
        assert_eq!(period("01/01/2024 - 15/01/2024"), span("2024-01-01", "2024-01-15"));
        assert_eq!(period("20240101-20240131"), span("2024-01-01", "2024-01-31"));
        assert_eq!(period("Jan 2024 to Mar 2024"), span("2024-01-01", "2024-03-31"));
        for bad in ["", "Smarch 2024", "2024-13", "2024 Q5", "FY2024", "2024-02-30", "2024-03-01 to 2024-02-01", "soon"]
        {
            assert_eq!(period(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn values_are_exact_with_four_decimals() {
        let units = |text: &str| parse_value(text).map(|v| (v.units, v.unit, v.rounded));
        assert_eq!(units("42"), Ok((420_000, None, false)));
        assert_eq!(units("4.25"), Ok((42_500, None, false)));
        assert_eq!(units("1,234.5"), Ok((12_345_000, None, false)));
        assert_eq!(units("-3"), Ok((-30_000, None, false)));
        assert_eq!(units("(12)"), Ok((-120_000, None, false)));
        assert_eq!(units("85%"), Ok((850_000, Some("%"), false)));
        assert_eq!(units("£1.2"), Ok((12_000, Some("£"), false)));
        assert_eq!(units(".5"), Ok((5_000, None, false)));
        // 0.54321987 → 0.5432 (the fifth decimal, 1, rounds down); 0.30000000000000004 →
        // 0.3000; 2.71828 → 2.7183 (the fifth decimal, 8, rounds up).
        assert_eq!(units("0.54321987"), Ok((5_432, None, true)));
        assert_eq!(units("0.30000000000000004"), Ok((3_000, None, true)));
        assert_eq!(units("2.71828"), Ok((27_183, None, true)));
        assert_eq!(units("1.00000"), Ok((10_000, None, false)), "zeros past the fourth are not rounding");
        for bad in ["", "lots", "1.2.3", "12,34", "1e5", "4/5", "--3"] {
            assert!(parse_value(bad).is_err(), "{bad:?}");
        }
        assert!(parse_value("123456789012345").unwrap_err().contains("too large"));
    }

    #[test]
    fn known_metrics_declare_their_aggregation_and_unknown_ones_get_the_documented_default() {
        assert_eq!(known_name("Views"), "page views");
        assert_eq!(known_name("Active users"), "users");
        assert_eq!(known_name("New follows"), "follows");
        assert_eq!(known_name("Average  Days_to Pay"), "days to pay");
        let aggregation = |name: &str, unit: Option<&str>| default_aggregation(name, unit).0;
        assert_eq!(aggregation("sessions", None), Aggregation::Sum);
        assert_eq!(aggregation("followers", None), Aggregation::Latest);
        assert_eq!(aggregation("days to pay", None), Aggregation::Average);
        assert_eq!(aggregation("customer satisfaction", None), Aggregation::Average);
        assert_eq!(default_aggregation("days to pay", None).1, Some("days"));
        // Unknown: by the words of the name, else a count.
        assert_eq!(aggregation("complaint response rate", None), Aggregation::Average);
        assert_eq!(aggregation("tenant score", None), Aggregation::Average);
        assert_eq!(aggregation("invoices on time", Some("%")), Aggregation::Average);
        assert_eq!(aggregation("newsletter subscribers", None), Aggregation::Latest);
        assert_eq!(aggregation("new subscribers", None), Aggregation::Sum);
        assert_eq!(aggregation("tenders published", None), Aggregation::Sum);
    }

    #[test]
    fn every_metrics_synonym_is_normalised_and_names_one_field() {
        let problems = headers::synonym_problems::<MetricField>();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    /// One loaded figure as text: council, period start, period end, metric, value,
    /// unit, aggregation, source, line.
    type Figure = (String, String, String, String, String, String, String, String, i64);

    /// Load `text` as a metrics file named `name` with `--council` `council` (empty: none),
    /// returning the counts, the figures written and the rejects file's lines.
    fn load(name: &str, text: &[u8], council: &str) -> Loaded4 {
        load_bytes(name, text, council)
    }

    type Loaded4 = (Counts, Vec<Figure>, Vec<String>, Vec<String>);

    fn load_bytes(name: &str, text: &[u8], council: &str) -> Loaded4 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let source = super::super::read::expand(&path).unwrap().remove(0);
        let context = Context {
            council: council.to_string(),
            council_code: schema::council_code(council).map(str::to_string),
            kind: SourceKind::Metrics,
            date_order: None,
            progress: false,
        };
        let loaded = load_metrics(&source, &context, dir.path(), 0).unwrap();
        let mut figures = Vec::new();
        for part in &loaded.parts {
            let file = File::open(&part.path).unwrap();
            for batch in ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap() {
                let batch = batch.unwrap();
                let text = |i: usize, row: usize| {
                    let column = datafusion::arrow::compute::cast(
                        batch.column(i),
                        &datafusion::arrow::datatypes::DataType::Utf8,
                    )
                    .unwrap();
                    let strings = column.as_any().downcast_ref::<StringArray>().unwrap();
                    if strings.is_null(row) { String::new() } else { strings.value(row).to_string() }
                };
                let rows = batch.column(10).as_any().downcast_ref::<Int64Array>().unwrap().clone();
                for row in 0..batch.num_rows() {
                    figures.push((
                        text(0, row),
                        text(2, row),
                        text(3, row),
                        text(4, row),
                        text(5, row),
                        text(6, row),
                        text(7, row),
                        text(8, row),
                        rows.value(row),
                    ));
                }
            }
        }
        let rejects = std::fs::read_to_string(&loaded.rejects_path).unwrap().lines().map(str::to_string).collect();
        (loaded.counts, figures, rejects, loaded.notes)
    }

    #[allow(clippy::too_many_arguments, reason = "one argument per column of a figure, in the table's order")]
    fn figure(
        council: &str,
        start: &str,
        end: &str,
        metric: &str,
        value: &str,
        unit: &str,
        aggregation: &str,
        source: &str,
        line: i64,
    ) -> Figure {
        (
            council.into(),
            start.into(),
            end.into(),
            metric.into(),
            value.into(),
            unit.into(),
            aggregation.into(),
            source.into(),
            line,
        )
    }

    #[test]
    fn a_tidy_file_loads_a_figure_per_line_with_its_own_aggregation_and_council() {
        let text = b"Period,Council,Metric,Value,Unit,Aggregation\n\
            2024-04,Stockport,Days to pay,18.5,days,\n\
            Apr 2024,,Customer Satisfaction,4.2,,\n\
            2024 Q2,trafford,Followers,1200,,latest\n\
            2024-05,Stockport,Days to pay,lots,days,\n\
            Smarch,Stockport,Days to pay,20,days,\n\
            2024-04,Stockport,Days to pay,19,days,\n";
        let (counts, figures, rejects, notes) = load("tidy.csv", text, "Rochdale");
        assert_eq!(
            figures,
            [
                figure("Stockport", "2024-04-01", "2024-04-30", "days to pay", "18.5000", "days", "average", "tidy", 2),
                // No council in the cell: `--council`.
                figure(
                    "Rochdale",
                    "2024-04-01",
                    "2024-04-30",
                    "customer satisfaction",
                    "4.2000",
                    "score",
                    "average",
                    "tidy",
                    3
                ),
                // The file's aggregation column wins over the registry; the council is displayed.
                figure("Trafford", "2024-04-01", "2024-06-30", "followers", "1200.0000", "", "latest", "tidy", 4),
            ]
        );
        // Three rejects: an unreadable value (counts 0), an unreadable period (its 20
        // counts), and line 7 repeating line 2's figure (its 19 counts).
        assert_eq!(rejects.len(), 3, "{rejects:?}");
        assert!(rejects[0].starts_with("Rochdale,tidy.csv,5,value is not a number: 'lots',"), "{}", rejects[0]);
        assert!(rejects[1].starts_with("Rochdale,tidy.csv,6,unreadable period 'Smarch',"), "{}", rejects[1]);
        assert!(rejects[2].contains(",7,repeats the days to pay figure of line 2"), "{}", rejects[2]);
        // Read: 18.5 + 4.2 + 1200 + 0 + 20 + 19 = 1261.7; loaded 18.5 + 4.2 + 1200 = 1222.7;
        // rejected 0 + 20 + 19 = 39.
        assert_eq!((counts.rows_read, counts.rows_loaded, counts.rows_rejected), (6, 3, 3),);
        assert_eq!(
            (counts.amount_read, counts.amount_loaded, counts.amount_rejected),
            (12_617_000, 12_227_000, 390_000)
        );
        // Per metric, days to pay: read 18.5 + 0 + 20 + 19 = 57.5, loaded 18.5, rejected 39.
        assert!(
            notes
                .iter()
                .any(|n| n
                    == "days to pay: read 4 figure(s) 57.5000 = loaded 1 18.5000 + rejected 3 39.0000: reconciled"),
            "{notes:#?}"
        );
    }

    #[test]
    fn a_wide_file_loads_a_figure_per_metric_cell() {
        let text = b"Month,Customer Satisfaction,Supplier Satisfaction,Average Days to Pay,Notes\n\
            April 2024,4.1,3.9,17,fine\n\
            May 2024,4.3,,18.25,\n\
            Maytember,4.0,4.0,,\n";
        let (counts, figures, rejects, notes) = load("wide.csv", text, "Trafford");
        let month = |m: &str| match m {
            "04" => ("2024-04-01", "2024-04-30"),
            _ => ("2024-05-01", "2024-05-31"),
        };
        let f = |m: &str, metric: &str, value: &str, unit: &str, line: i64| {
            let (s, e) = month(m);
            figure("Trafford", s, e, metric, value, unit, "average", "wide", line)
        };
        assert_eq!(
            figures,
            [
                f("04", "customer satisfaction", "4.1000", "score", 2),
                f("04", "supplier satisfaction", "3.9000", "score", 2),
                f("04", "days to pay", "17.0000", "days", 2),
                f("05", "customer satisfaction", "4.3000", "score", 3),
                f("05", "days to pay", "18.2500", "days", 3),
            ]
        );
        // Line 4's period is unreadable: each of its two figures is a reject.
        assert_eq!(rejects.len(), 2);
        assert!(rejects[0].contains(",4,customer satisfaction: unreadable period 'Maytember'"), "{}", rejects[0]);
        // Figures: 5 loaded, 2 rejected; values 4.1+3.9+17+4.3+18.25 = 47.55 loaded, 8 rejected.
        assert_eq!((counts.rows_read, counts.rows_loaded, counts.rows_rejected), (7, 5, 2));
        assert_eq!((counts.amount_loaded, counts.amount_rejected), (475_500, 80_000));
        assert!(notes.iter().any(|n| n == "not loaded (text, not figures): Notes"), "{notes:#?}");
        assert!(notes.iter().any(|n| n.starts_with("layout: wide")), "{notes:#?}");
    }

    const GA4_DAYS: &[u8] = b"# ----------------------------------------\n\
        # Traffic acquisition: Session default channel group\n\
        # Account: Example, Ltd\n\
        # ----------------------------------------\n\
        #\n\
        # Start date: 20240101\n\
        # End date: 20240103\n\
        Date,Sessions,Views,Active users\n\
        20240101,10,25,8\n\
        20240102,12,30,9\n\
        20240103,8,20,7\n\
        Grand total,30,75,24\n";

    #[test]
    fn a_ga4_export_by_date_loads_each_day_and_names_its_metrics() {
        let (counts, figures, rejects, notes) = load("ga4.csv", GA4_DAYS, "");
        assert!(rejects.is_empty(), "{rejects:?}");
        assert_eq!(figures.len(), 9);
        let day =
            |d: &str, metric: &str, value: &str, line: i64| figure("", d, d, metric, value, "", "sum", "ga4", line);
        assert_eq!(figures[0], day("2024-01-01", "sessions", "10.0000", 9));
        assert_eq!(figures[1], day("2024-01-01", "page views", "25.0000", 9));
        assert_eq!(figures[2], day("2024-01-01", "users", "8.0000", 9));
        assert_eq!(figures[8], day("2024-01-03", "users", "7.0000", 11));
        // 10+25+8 + 12+30+9 + 8+20+7 = 129.
        assert_eq!((counts.rows_read, counts.amount_read, counts.amount_loaded), (9, 1_290_000, 1_290_000));
        assert!(notes.iter().any(|n| n == "GA4 date range: 2024-01-01 to 2024-01-03"), "{notes:#?}");
        // The closing total row (10+12+8 = 30 sessions, ...) is not loaded again.
        assert!(notes.iter().any(|n| n == "line 12: the export's total row, not loaded (its days are)"), "{notes:#?}");
        assert!(
            notes.iter().any(|n| n == "metrics: sessions, page views <- Views, users <- Active users"),
            "{notes:#?}"
        );
    }

    #[test]
    fn a_ga4_export_of_totals_takes_its_period_from_the_comments() {
        let text = b"# Start date: 20240201\n# End date: 20240229\nSessions,Views,Engagement rate\n300,750,0.61234\n";
        let (counts, figures, _, notes) = load("ga4-total.csv", text, "");
        assert_eq!(
            figures,
            [
                figure("", "2024-02-01", "2024-02-29", "sessions", "300.0000", "", "sum", "ga4", 4),
                figure("", "2024-02-01", "2024-02-29", "page views", "750.0000", "", "sum", "ga4", 4),
                // 0.61234 → 0.6123, and a rate averages.
                figure("", "2024-02-01", "2024-02-29", "engagement rate", "0.6123", "%", "average", "ga4", 4),
            ]
        );
        assert_eq!(counts.rows_loaded, 3);
        assert!(notes.iter().any(|n| n == "1 value(s) had more than 4 decimals and were rounded to 4"), "{notes:#?}");
    }

    #[test]
    fn a_social_account_overview_loads_each_day() {
        let text = b"Date,Impressions,Engagements,New follows,Unfollows\n\
            \"Mon, Jan 01, 2024\",100,5,2,0\n\
            \"Tue, Jan 02, 2024\",200,9,1,1\n";
        let (counts, figures, rejects, _) = load("x.csv", text, "");
        assert!(rejects.is_empty());
        assert_eq!(figures.len(), 8);
        assert_eq!(figures[2], figure("", "2024-01-01", "2024-01-01", "follows", "2.0000", "", "sum", "social", 2));
        assert_eq!(figures[7], figure("", "2024-01-02", "2024-01-02", "unfollows", "1.0000", "", "sum", "social", 3));
        // 100+5+2+0 + 200+9+1+1 = 318.
        assert_eq!(counts.amount_loaded, 3_180_000);
    }

    #[test]
    fn an_xlsx_workbook_loads_with_date_cells_as_months_and_float_noise_rounded() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let date = Format::new().set_num_format("mmm yyyy");
        for (column, header) in ["Month", "Customer Satisfaction", "Days to pay"].iter().enumerate() {
            sheet.write_string(0, column as u16, *header).unwrap();
        }
        // A `Month` column of real date cells on the 1st: each means its month. The second
        // row's score is the float 0.1 + 0.2 = 0.30000000000000004, stored as 0.3000.
        for (row, (month, score, days)) in [(4u8, 4.2, 17.0), (5, 0.1 + 0.2, 18.5)].into_iter().enumerate() {
            let day = ExcelDateTime::from_ymd(2024, month, 1).unwrap();
            let row = row as u32 + 1;
            sheet.write_datetime_with_format(row, 0, &day, &date).unwrap();
            sheet.write_number(row, 1, score).unwrap();
            sheet.write_number(row, 2, days).unwrap();
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let (counts, figures, rejects, _) = load_bytes("wide.xlsx", &bytes, "Stockport");
        assert!(rejects.is_empty(), "{rejects:?}");
        let f = |s: &str, e: &str, metric: &str, value: &str, unit: &str, line: i64| {
            figure("Stockport", s, e, metric, value, unit, "average", "wide", line)
        };
        assert_eq!(
            figures,
            [
                f("2024-04-01", "2024-04-30", "customer satisfaction", "4.2000", "score", 2),
                f("2024-04-01", "2024-04-30", "days to pay", "17.0000", "days", 2),
                f("2024-05-01", "2024-05-31", "customer satisfaction", "0.3000", "score", 3),
                f("2024-05-01", "2024-05-31", "days to pay", "18.5000", "days", 3),
            ]
        );
        // 4.2 + 17 + 0.3 + 18.5 = 40.
        assert_eq!(counts.amount_loaded, 400_000);
    }

    #[test]
    fn start_and_end_columns_make_a_period() {
        let text = b"Start Date,End Date,Indicator,Result\n01/04/2024,30/06/2024,Complaints,12\n01/07/2024,01/06/2024,Complaints,3\n";
        let (counts, figures, rejects, _) = load("range.csv", text, "");
        assert_eq!(figures, [figure("", "2024-04-01", "2024-06-30", "complaints", "12.0000", "", "sum", "tidy", 2)]);
        assert_eq!(rejects.len(), 1);
        assert!(rejects[0].contains(",3,period ends (01/06/2024) before it starts (01/07/2024)"), "{}", rejects[0]);
        assert_eq!((counts.rows_read, counts.rows_rejected, counts.amount_rejected), (2, 1, 30_000));
    }

    #[test]
    fn a_file_with_no_period_or_metrics_names_what_it_needs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.csv");
        std::fs::write(&path, b"Supplier,Amount\nAcme,12\n").unwrap();
        let source = super::super::read::expand(&path).unwrap().remove(0);
        let context = Context {
            council: String::new(),
            council_code: None,
            kind: SourceKind::Metrics,
            date_order: None,
            progress: false,
        };
        let err = load_metrics(&source, &context, dir.path(), 0).err().unwrap();
        assert!(err.message.contains("needs a period column"), "{}", err.message);
        assert_eq!(err.location.as_ref().and_then(|l| l.line), Some(1));
    }
}
