//! A report's periods: months, financial quarters (Q1 is April to June) and UK financial
//! years (April to March); the period before one and the same period a year earlier; the
//! default period (the latest complete one); and the labels the time dimensions give them,
//! so a KPI's trend query and its scorecard speak of periods in the same words.

use chrono::NaiveDate;

use super::model::{PeriodInfo, ReportKind};
use crate::semantic::DateRange;
use crate::semantic::model::DimensionKind;
use crate::semantic::period::{add_units, time_label, unit_start};
use crate::syntax::ast::PeriodUnit;

/// Months in one period of `kind`.
pub fn months(kind: ReportKind) -> u32 {
    match kind {
        ReportKind::Month => 1,
        ReportKind::Quarter => 3,
        ReportKind::Year => 12,
    }
}

/// The time dimension that groups rows into periods of `kind`, by its name in the language.
pub fn dimension_name(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Month => "month",
        ReportKind::Quarter => "fq",
        ReportKind::Year => "fy",
    }
}

fn dimension_kind(kind: ReportKind) -> DimensionKind {
    match kind {
        ReportKind::Month => DimensionKind::Month,
        ReportKind::Quarter => DimensionKind::FinancialQuarter,
        ReportKind::Year => DimensionKind::FinancialYear,
    }
}

/// The period of `kind` holding `date`. Financial quarters start in April, July, October
/// and January, as calendar quarters do; only their labels differ.
pub fn containing(kind: ReportKind, date: NaiveDate) -> DateRange {
    let unit = match kind {
        ReportKind::Month => PeriodUnit::Month,
        ReportKind::Quarter => PeriodUnit::Quarter,
        ReportKind::Year => PeriodUnit::FinancialYear,
    };
    let start = unit_start(date, unit);
    DateRange { start, end: add_months(start, i64::from(months(kind))) }
}

fn add_months(date: NaiveDate, n: i64) -> NaiveDate {
    add_units(date, PeriodUnit::Month, n).unwrap_or(date)
}

/// The period `n` periods after `range` (before it when `n` is negative).
pub fn shift(kind: ReportKind, range: DateRange, n: i64) -> DateRange {
    let step = i64::from(months(kind)) * n;
    DateRange { start: add_months(range.start, step), end: add_months(range.end, step) }
}

/// The same period a year earlier.
pub fn year_before(range: DateRange) -> DateRange {
    DateRange { start: add_months(range.start, -12), end: add_months(range.end, -12) }
}

/// The latest complete period of `kind`: the latest whose last day is on or before
/// `latest` (the latest payment date).
pub fn default_period(kind: ReportKind, latest: NaiveDate) -> DateRange {
    let holding = containing(kind, latest);
    if holding.last_day() == latest { holding } else { shift(kind, holding, -1) }
}

/// The label the kind's time dimension gives the period starting at `start`:
/// `2024-06`, `2024/25 Q1`, `2024/25`.
pub fn label(kind: ReportKind, start: NaiveDate) -> String {
    time_label(dimension_kind(kind), start)
}

/// A period for the report's model.
pub fn info(kind: ReportKind, range: DateRange) -> PeriodInfo {
    PeriodInfo { label: label(kind, range.start), start: range.start, end: range.last_day() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn financial_quarters_and_years_follow_the_uk_april_year() {
        let q = containing(ReportKind::Quarter, d("2025-02-10"));
        // February 2025 is in Q4 of 2024/25: January to March.
        assert_eq!((q.start, q.last_day()), (d("2025-01-01"), d("2025-03-31")));
        assert_eq!(label(ReportKind::Quarter, q.start), "2024/25 Q4");
        let q1 = containing(ReportKind::Quarter, d("2024-05-31"));
        assert_eq!(label(ReportKind::Quarter, q1.start), "2024/25 Q1");
        let y = containing(ReportKind::Year, d("2025-03-31"));
        assert_eq!((y.start, y.last_day()), (d("2024-04-01"), d("2025-03-31")));
        assert_eq!(label(ReportKind::Year, y.start), "2024/25");
        assert_eq!(label(ReportKind::Month, d("2024-06-01")), "2024-06");
    }

    #[test]
    fn previous_and_last_year_periods() {
        let q = containing(ReportKind::Quarter, d("2024-08-01"));
        let before = shift(ReportKind::Quarter, q, -1);
        assert_eq!((before.start, before.last_day()), (d("2024-04-01"), d("2024-06-30")));
        let last_year = year_before(q);
        assert_eq!((last_year.start, last_year.last_day()), (d("2023-07-01"), d("2023-09-30")));
        let m = containing(ReportKind::Month, d("2024-03-15"));
        let before = shift(ReportKind::Month, m, -1);
        assert_eq!((before.start, before.last_day()), (d("2024-02-01"), d("2024-02-29")));
    }

    #[test]
    fn the_default_period_is_the_latest_complete_one() {
        // Payments up to 30 June: the quarter April-June is complete.
        let p = default_period(ReportKind::Quarter, d("2024-06-30"));
        assert_eq!((p.start, p.last_day()), (d("2024-04-01"), d("2024-06-30")));
        // One day short of the quarter's end: the quarter before.
        let p = default_period(ReportKind::Quarter, d("2024-06-29"));
        assert_eq!((p.start, p.last_day()), (d("2024-01-01"), d("2024-03-31")));
        // Months: 14 March → February; 31 March → March.
        let p = default_period(ReportKind::Month, d("2024-03-14"));
        assert_eq!(p.start, d("2024-02-01"));
        assert_eq!(default_period(ReportKind::Month, d("2024-03-31")).start, d("2024-03-01"));
        // Years: 31 March 2025 completes 2024/25; 1 April 2025 does not complete 2025/26.
        assert_eq!(default_period(ReportKind::Year, d("2025-03-31")).start, d("2024-04-01"));
        assert_eq!(default_period(ReportKind::Year, d("2025-04-01")).start, d("2024-04-01"));
    }
}
