//! Periods → concrete date ranges. UK financial years run 1 April to 31 March; relative
//! periods (`last 3 months`, `this fy`, `previous quarter`) are measured from an as-of date.

use chrono::{Datelike, Duration, Months, NaiveDate};

use super::model::DimensionKind;
use crate::syntax::ast::{PeriodKind, PeriodUnit};

/// A half-open date range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    /// The first day in the range.
    pub start: NaiveDate,
    /// The first day after the range.
    pub end: NaiveDate,
}

impl DateRange {
    /// The last day inside the range.
    pub fn last_day(&self) -> NaiveDate {
        self.end.pred_opt().unwrap_or(self.end)
    }

    /// The range for people: first day to last day (`2024-04-01 to 2025-03-31`).
    pub fn describe(&self) -> String {
        format!("{} to {}", self.start, self.last_day())
    }
}

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The first day of the unit containing `date`.
pub fn unit_start(date: NaiveDate, unit: PeriodUnit) -> NaiveDate {
    match unit {
        PeriodUnit::Day => date,
        PeriodUnit::Week => date - Duration::days(i64::from(date.weekday().num_days_from_monday())),
        PeriodUnit::Month => date.with_day(1).unwrap_or(date),
        PeriodUnit::Quarter => ymd(date.year(), (date.month0() / 3) * 3 + 1, 1).unwrap_or(date),
        PeriodUnit::Year => ymd(date.year(), 1, 1).unwrap_or(date),
        PeriodUnit::FinancialYear => {
            let start_year = if date.month() >= 4 { date.year() } else { date.year() - 1 };
            ymd(start_year, 4, 1).unwrap_or(date)
        }
    }
}

/// `start` moved by `count` units (negative moves back).
pub fn add_units(start: NaiveDate, unit: PeriodUnit, count: i64) -> Option<NaiveDate> {
    let months = |n: i64| -> Option<NaiveDate> {
        if n >= 0 {
            start.checked_add_months(Months::new(u32::try_from(n).ok()?))
        } else {
            start.checked_sub_months(Months::new(u32::try_from(-n).ok()?))
        }
    };
    match unit {
        PeriodUnit::Day => start.checked_add_signed(Duration::try_days(count)?),
        PeriodUnit::Week => start.checked_add_signed(Duration::try_weeks(count)?),
        PeriodUnit::Month => months(count),
        PeriodUnit::Quarter => months(count.checked_mul(3)?),
        PeriodUnit::Year | PeriodUnit::FinancialYear => months(count.checked_mul(12)?),
    }
}

/// The financial year starting in April of `start_year`.
pub fn financial_year(start_year: i32) -> Option<DateRange> {
    Some(DateRange { start: ymd(start_year, 4, 1)?, end: ymd(start_year + 1, 4, 1)? })
}

/// The calendar year `year`, January to December.
pub fn calendar_year(year: i32) -> Option<DateRange> {
    Some(DateRange { start: ymd(year, 1, 1)?, end: ymd(year + 1, 1, 1)? })
}

/// Resolve a period to dates. `None` when the dates fall outside the calendar.
///
/// `last N units` is the N whole units ending with the one holding the as-of date (so
/// `last 3 months` on 15 March is 1 January to 15 March); `next N units` is the N units
/// after the as-of date, day by day; `this unit` is the whole unit holding the as-of date;
/// `previous unit` the whole unit before it.
pub fn resolve(kind: &PeriodKind, as_of: NaiveDate) -> Option<DateRange> {
    match *kind {
        PeriodKind::Month { year, month } => {
            let start = ymd(year, month, 1)?;
            Some(DateRange { start, end: add_units(start, PeriodUnit::Month, 1)? })
        }
        PeriodKind::Quarter { year, quarter } => {
            if !(1..=4).contains(&quarter) {
                return None;
            }
            let start = ymd(year, (quarter - 1) * 3 + 1, 1)?;
            Some(DateRange { start, end: add_units(start, PeriodUnit::Quarter, 1)? })
        }
        PeriodKind::FinancialYear { start_year } => financial_year(start_year),
        PeriodKind::Year { year } => calendar_year(year),
        PeriodKind::Last { count, unit } => {
            let current = unit_start(as_of, unit);
            let start = add_units(current, unit, -(i64::from(count.max(1)) - 1))?;
            Some(DateRange { start, end: as_of.succ_opt()? })
        }
        PeriodKind::Next { count, unit } => {
            let start = as_of.succ_opt()?;
            Some(DateRange { start, end: add_units(start, unit, i64::from(count))? })
        }
        PeriodKind::This { unit } => {
            let start = unit_start(as_of, unit);
            Some(DateRange { start, end: add_units(start, unit, 1)? })
        }
        PeriodKind::Previous { unit } => {
            let end = unit_start(as_of, unit);
            Some(DateRange { start: add_units(end, unit, -1)?, end })
        }
    }
}

/// A short label for a period's column heading: `2021/22`, `2021-06`, `2021 Q2`.
pub fn label(kind: &PeriodKind, range: &DateRange) -> String {
    match *kind {
        PeriodKind::Month { year, month } => format!("{year}-{month:02}"),
        PeriodKind::Quarter { year, quarter } => format!("{year} Q{quarter}"),
        PeriodKind::FinancialYear { start_year } => fy_label(start_year),
        PeriodKind::Year { year } => year.to_string(),
        PeriodKind::This { unit: PeriodUnit::FinancialYear }
        | PeriodKind::Previous { unit: PeriodUnit::FinancialYear } => fy_label(range.start.year()),
        PeriodKind::This { unit: PeriodUnit::Year } | PeriodKind::Previous { unit: PeriodUnit::Year } => {
            range.start.year().to_string()
        }
        PeriodKind::This { unit: PeriodUnit::Month } | PeriodKind::Previous { unit: PeriodUnit::Month } => {
            format!("{}-{:02}", range.start.year(), range.start.month())
        }
        _ => range.describe(),
    }
}

/// `2021/22` for the financial year starting in April 2021.
pub fn fy_label(start_year: i32) -> String {
    format!("{start_year}/{:02}", (start_year + 1).rem_euclid(100))
}

/// The label a time dimension gives the period starting at `start` (must match
/// [`crate::plan`]'s expressions for the same dimension).
pub fn time_label(kind: DimensionKind, start: NaiveDate) -> String {
    match kind {
        DimensionKind::Year => start.year().to_string(),
        DimensionKind::Month => format!("{}-{:02}", start.year(), start.month()),
        DimensionKind::Quarter => format!("{} Q{}", start.year(), start.month0() / 3 + 1),
        DimensionKind::FinancialYear => fy_label(unit_start(start, PeriodUnit::FinancialYear).year()),
        DimensionKind::FinancialQuarter => {
            let fy = unit_start(start, PeriodUnit::FinancialYear).year();
            let q = (start.month0() + 9) % 12 / 3 + 1;
            format!("{} Q{q}", fy_label(fy))
        }
        _ => start.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn financial_year_runs_april_to_march() {
        let r = resolve(&PeriodKind::FinancialYear { start_year: 2021 }, d("2000-01-01")).unwrap();
        assert_eq!((r.start, r.last_day()), (d("2021-04-01"), d("2022-03-31")));
        assert_eq!(fy_label(1999), "1999/00");
    }

    #[test]
    fn this_fy_in_january_is_the_one_that_started_last_april() {
        let r = resolve(&PeriodKind::This { unit: PeriodUnit::FinancialYear }, d("2025-01-15")).unwrap();
        assert_eq!((r.start, r.end), (d("2024-04-01"), d("2025-04-01")));
        let p = resolve(&PeriodKind::Previous { unit: PeriodUnit::FinancialYear }, d("2025-01-15")).unwrap();
        assert_eq!((p.start, p.end), (d("2023-04-01"), d("2024-04-01")));
    }

    #[test]
    fn last_three_months_ends_at_as_of() {
        let r = resolve(&PeriodKind::Last { count: 3, unit: PeriodUnit::Month }, d("2025-03-15")).unwrap();
        assert_eq!((r.start, r.last_day()), (d("2025-01-01"), d("2025-03-15")));
    }

    #[test]
    fn next_six_months_starts_after_as_of() {
        let r = resolve(&PeriodKind::Next { count: 6, unit: PeriodUnit::Month }, d("2025-03-31")).unwrap();
        assert_eq!((r.start, r.end), (d("2025-04-01"), d("2025-10-01")));
    }

    #[test]
    fn quarters_and_weeks() {
        let q = resolve(&PeriodKind::Quarter { year: 2021, quarter: 2 }, d("2000-01-01")).unwrap();
        assert_eq!((q.start, q.last_day()), (d("2021-04-01"), d("2021-06-30")));
        assert!(resolve(&PeriodKind::Quarter { year: 2021, quarter: 5 }, d("2000-01-01")).is_none());
        // 2025-03-13 is a Thursday; its week starts on Monday 10 March.
        assert_eq!(unit_start(d("2025-03-13"), PeriodUnit::Week), d("2025-03-10"));
    }

    #[test]
    fn time_labels_match_the_documented_formats() {
        let feb = d("2022-02-10");
        assert_eq!(time_label(DimensionKind::FinancialYear, feb), "2021/22");
        assert_eq!(time_label(DimensionKind::FinancialQuarter, feb), "2021/22 Q4");
        assert_eq!(time_label(DimensionKind::Quarter, feb), "2022 Q1");
        assert_eq!(time_label(DimensionKind::Month, feb), "2022-02");
        assert_eq!(time_label(DimensionKind::FinancialQuarter, d("2021-04-01")), "2021/22 Q1");
    }
}
