//! Sample metrics files, the figures that are not in spend or contracts, covering the same
//! months as the sample spend (April 2021 to March 2024): per council, monthly customer
//! satisfaction and supplier satisfaction (scores 1 to 5) and average days to pay, Stockport
//! and Rochdale in a tidy layout and Trafford in a wide one; and for the shared service a
//! Google Analytics 4 website export (sessions, views, active users per day) and a social
//! media account overview (impressions, engagements, new follows per day).
//!
//! Drawn from their own random stream ([`super::world::stream`] labelled `metrics`), so
//! adding them changed none of the spend, card or contracts files: every earlier file of a
//! seed stays byte-identical. Figures are whole numbers of tenths or whole counts, formatted
//! from integers, never from floats.

use std::io::Write;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::files::{GeneratedFile, PendingFile};
use super::world::{self, COUNCIL_NAMES, ROCHDALE, STOCKPORT, TRAFFORD};
use crate::catalog::SourceKind;
use crate::error::{Error, Result};

/// The folder (and `council` of [`GeneratedFile`]) of the shared service's own files.
pub const SERVICE_FOLDER: &str = "service";

/// One council's month: satisfaction scores and days to pay, in tenths.
struct MonthFigures {
    month: NaiveDate,
    customer: i64,
    supplier: i64,
    days_to_pay: i64,
}

/// Every month of the sample period, first days.
fn months() -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut month = world::first_day();
    while month <= world::last_day() {
        out.push(month);
        let (year, next) = if month.month() == 12 { (month.year() + 1, 1) } else { (month.year(), month.month() + 1) };
        month = NaiveDate::from_ymd_opt(year, next, 1).unwrap_or(month);
    }
    out
}

/// A score in tenths that wanders slowly around `centre`, kept within `low..=high`.
fn wander(rng: &mut StdRng, value: &mut i64, centre: i64, low: i64, high: i64) -> i64 {
    let pull = (centre - *value).signum();
    *value = (*value + rng.random_range(-2..=2) + pull).clamp(low, high);
    *value
}

fn council_figures(rng: &mut StdRng, council: usize) -> Vec<MonthFigures> {
    // Each council has its own level: Rochdale pays slowest, Trafford is best rated.
    let (customer_centre, supplier_centre, days_centre) = match council {
        STOCKPORT => (41, 39, 180),
        TRAFFORD => (43, 40, 150),
        _ => (38, 36, 240),
    };
    let (mut customer, mut supplier, mut days) = (customer_centre, supplier_centre, days_centre);
    months()
        .into_iter()
        .map(|month| MonthFigures {
            month,
            customer: wander(rng, &mut customer, customer_centre, 10, 50),
            supplier: wander(rng, &mut supplier, supplier_centre, 10, 50),
            days_to_pay: wander(rng, &mut days, days_centre, 50, 450),
        })
        .collect()
}

/// Tenths as text: `42` → `4.2`.
fn tenths(value: i64) -> String {
    format!("{}.{}", value / 10, value % 10)
}

fn write_file(path: &Path, council: &str, rows: u64, body: &str) -> Result<GeneratedFile> {
    let pending = PendingFile::new(path.to_path_buf());
    let mut file = pending.create()?;
    file.write_all(body.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| Error::io(format!("cannot write {}", pending.temp_path().display()), e))?;
    drop(file);
    let path = pending.commit()?;
    Ok(GeneratedFile { council: council.to_string(), kind: SourceKind::Metrics, path, rows })
}

/// A council's performance figures: tidy (`Period,Metric,Value,Unit`, months as `2021-04` for
/// Stockport and `Apr 2021` for Rochdale) or, for Trafford, wide (`Month` as `April 2021`,
/// then a column per metric).
fn write_council(rng: &mut StdRng, council: usize, out: &Path) -> Result<GeneratedFile> {
    let name = COUNCIL_NAMES[council];
    let dir = out.join(name.to_lowercase());
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let figures = council_figures(rng, council);
    let mut body = String::new();
    // Three figures a month, in either layout.
    let rows = figures.len() as u64 * 3;
    if council == TRAFFORD {
        body.push_str("Month,Customer Satisfaction,Supplier Satisfaction,Average Days to Pay\n");
        for f in &figures {
            body.push_str(&format!(
                "{},{},{},{}\n",
                f.month.format("%B %Y"),
                tenths(f.customer),
                tenths(f.supplier),
                tenths(f.days_to_pay)
            ));
        }
    } else {
        body.push_str("Period,Metric,Value,Unit\n");
        let month_text = |m: NaiveDate| {
            if council == ROCHDALE { m.format("%b %Y").to_string() } else { m.format("%Y-%m").to_string() }
        };
        for f in &figures {
            let period = month_text(f.month);
            body.push_str(&format!("{period},Customer satisfaction,{},score\n", tenths(f.customer)));
            body.push_str(&format!("{period},Supplier satisfaction,{},score\n", tenths(f.supplier)));
            body.push_str(&format!("{period},Days to pay,{},days\n", tenths(f.days_to_pay)));
        }
    }
    write_file(&dir.join(format!("{}-performance-metrics.csv", name.to_lowercase())), name, rows, &body)
}

/// Every day of the sample period.
fn days() -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut day = world::first_day();
    while day <= world::last_day() {
        out.push(day);
        day += Duration::days(1);
    }
    out
}

/// Weekdays get about twice the traffic of weekends, as council websites do.
fn weekday_factor(day: NaiveDate) -> u32 {
    if day.weekday().number_from_monday() >= 6 { 5 } else { 10 }
}

/// The service's website, as Google Analytics 4 exports a report by date: `#` comment lines
/// with the account, property and date range, then `Date,Sessions,Views,Active users`.
fn write_ga4(rng: &mut StdRng, dir: &Path) -> Result<GeneratedFile> {
    let days = days();
    let first = days.first().copied().unwrap_or_default();
    let last = days.last().copied().unwrap_or_default();
    let mut body = String::new();
    body.push_str("# ----------------------------------------\n");
    body.push_str("# Traffic acquisition: Session default channel group\n");
    body.push_str("# Account: Shared Procurement Service\n");
    body.push_str("# Property: procurement-service.example - GA4\n");
    body.push_str("# ----------------------------------------\n");
    body.push_str("#\n");
    body.push_str("# All Users\n");
    body.push_str(&format!("# Start date: {}\n", first.format("%Y%m%d")));
    body.push_str(&format!("# End date: {}\n", last.format("%Y%m%d")));
    body.push_str("Date,Sessions,Views,Active users\n");
    for day in &days {
        let factor = weekday_factor(*day);
        let sessions = (rng.random_range(90..160) * factor) / 10;
        let views = sessions * rng.random_range(18..32) / 10;
        let users = sessions * rng.random_range(70..90) / 100;
        body.push_str(&format!("{},{sessions},{views},{users}\n", day.format("%Y%m%d")));
    }
    write_file(&dir.join("service-website-ga4.csv"), SERVICE_FOLDER, days.len() as u64 * 3, &body)
}

/// The service's social media account, as X's account overview export: a row per day,
/// dates as `Thu, Apr 01, 2021`.
fn write_social(rng: &mut StdRng, dir: &Path) -> Result<GeneratedFile> {
    let days = days();
    let mut body = String::from("Date,Impressions,Engagements,New follows,Unfollows\n");
    for day in &days {
        let factor = weekday_factor(*day);
        let impressions = (rng.random_range(200..900) * factor) / 10;
        let engagements = impressions * rng.random_range(1..6) / 100;
        let follows = rng.random_range(0..5);
        let unfollows = rng.random_range(0..2);
        body.push_str(&format!(
            "\"{}\",{impressions},{engagements},{follows},{unfollows}\n",
            day.format("%a, %b %d, %Y")
        ));
    }
    write_file(&dir.join("service-social-media.csv"), SERVICE_FOLDER, days.len() as u64 * 4, &body)
}

/// Write every metrics file under `out`: one per council folder, and the service's two in
/// `service/`.
pub fn write_metrics(seed: u64, out: &Path) -> Result<Vec<GeneratedFile>> {
    let mut rng = world::stream(seed, "metrics");
    let mut written = Vec::new();
    for council in [STOCKPORT, TRAFFORD, ROCHDALE] {
        written.push(write_council(&mut rng, council, out)?);
    }
    let dir = out.join(SERVICE_FOLDER);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    written.push(write_ga4(&mut rng, &dir)?);
    written.push(write_social(&mut rng, &dir)?);
    Ok(written)
}
