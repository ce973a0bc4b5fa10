//! Dates as the dataset stores them (Arrow `Date32`: days since 1970-01-01) and as people
//! and programs read them (`2024-03-31`), converted in one place so every reader and printer
//! agrees on the epoch and on what an out-of-range day becomes (nothing, never a panic).

use chrono::{Datelike, NaiveDate};

/// The day `days` after 1970-01-01; `None` outside chrono's range.
pub fn date_from_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(chrono::TimeDelta::days(i64::from(days)))
}

/// Days since 1970-01-01 (negative before it), as `Date32` holds a date.
pub fn days_from_date(date: NaiveDate) -> i32 {
    // chrono's day count from 0001-01-01 puts 1970-01-01 at 719,163; every NaiveDate fits i32.
    date.num_days_from_ce() - 719_163
}

/// A `Date32` value as ISO text (`2024-03-31`); empty when out of range.
pub fn date_text(days: i32) -> String {
    date_from_days(days).map(|d| d.to_string()).unwrap_or_default()
}

/// A date as a report's reader writes it: `30 June 2024`.
pub fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_dates_convert_both_ways_around_the_epoch() {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for (days, date) in [(0, ymd(1970, 1, 1)), (-1, ymd(1969, 12, 31)), (19_813, ymd(2024, 3, 31))] {
            assert_eq!(date_from_days(days), Some(date));
            assert_eq!(days_from_date(date), days);
        }
        assert_eq!(date_text(60), "1970-03-02");
        assert_eq!(date_from_days(i32::MAX), None);
        assert_eq!(date_text(i32::MAX), "");
        assert_eq!(long_date(ymd(2024, 6, 30)), "30 June 2024");
        assert_eq!(long_date(ymd(2025, 4, 1)), "1 April 2025");
    }
}
