//! Judging a KPI: its red/amber/green status against a target, with a floor or a tolerance
//! and a polarity, and its direction of travel. The rules, for "higher is better" (mirror
//! them for "lower is better"):
//!
//! - target and floor: Green at or above the target, Amber at or above the floor, else Red;
//! - target and tolerance: Green at or above the target, Amber within the tolerance below
//!   it (its boundary included), else Red; a tolerance is N% of the target or N units;
//! - target alone: Green at or above the target, else Red.
//!
//! Comparisons are on plain numbers in the KPI's unit (money in pence, so they are whole
//! numbers compared exactly); a value within a trillionth of a boundary counts as on it, so
//! a percentage computed as exactly 80 is at an 80% target whatever the float's last bit.

use std::cmp::Ordering;

use super::model::{Direction, Polarity, Status};

/// What makes a KPI Amber rather than Red.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Band {
    /// Nothing: below the target is Red.
    None,
    /// Amber down to this value (up to it when lower is better).
    Floor(f64),
    /// Amber within this distance of the target, in the KPI's units.
    Tolerance(f64),
}

/// `a` compared with `b`, equal when within a trillionth of the larger (or of 1).
fn compare(a: f64, b: f64) -> Ordering {
    let scale = a.abs().max(b.abs()).max(1.0);
    if (a - b).abs() <= scale * 1e-12 { Ordering::Equal } else { a.total_cmp(&b) }
}

/// `a` is at least as good as `b`.
fn at_least_as_good(a: f64, b: f64, polarity: Polarity) -> bool {
    match polarity {
        Polarity::HigherIsBetter => compare(a, b) != Ordering::Less,
        Polarity::LowerIsBetter => compare(a, b) != Ordering::Greater,
    }
}

/// The status of `value` against `target`.
pub fn status(value: f64, target: f64, band: Band, polarity: Polarity) -> Status {
    if at_least_as_good(value, target, polarity) {
        return Status::Green;
    }
    let amber = match band {
        Band::None => false,
        Band::Floor(floor) => at_least_as_good(value, floor, polarity),
        Band::Tolerance(distance) => {
            let edge = match polarity {
                Polarity::HigherIsBetter => target - distance.abs(),
                Polarity::LowerIsBetter => target + distance.abs(),
            };
            at_least_as_good(value, edge, polarity)
        }
    };
    if amber { Status::Amber } else { Status::Red }
}

/// The direction of travel of a change, judged by the polarity.
pub fn direction(change: Option<f64>, polarity: Polarity) -> Direction {
    let Some(change) = change else { return Direction::Unknown };
    match (compare(change, 0.0), polarity) {
        (Ordering::Equal, _) => Direction::Unchanged,
        (Ordering::Greater, Polarity::HigherIsBetter) | (Ordering::Less, Polarity::LowerIsBetter) => {
            Direction::Improving
        }
        _ => Direction::Worsening,
    }
}

#[cfg(test)]
mod tests {
    //! Boundaries worked by hand: a target of 80 with a floor of 70, a tolerance of 10% of a
    //! target of 20 (2 units), and their mirrors for "lower is better".

    use super::*;

    const HIGH: Polarity = Polarity::HigherIsBetter;
    const LOW: Polarity = Polarity::LowerIsBetter;

    #[test]
    fn target_and_floor_at_every_boundary() {
        let band = Band::Floor(70.0);
        assert_eq!(status(80.0, 80.0, band, HIGH), Status::Green, "exactly at target");
        assert_eq!(status(80.1, 80.0, band, HIGH), Status::Green);
        assert_eq!(status(79.9, 80.0, band, HIGH), Status::Amber, "just below target");
        assert_eq!(status(70.0, 80.0, band, HIGH), Status::Amber, "exactly at floor");
        assert_eq!(status(69.9, 80.0, band, HIGH), Status::Red, "just below floor");
        // Lower is better: target 20 days, floor 25 days.
        let band = Band::Floor(25.0);
        assert_eq!(status(20.0, 20.0, band, LOW), Status::Green, "exactly at target");
        assert_eq!(status(19.0, 20.0, band, LOW), Status::Green);
        assert_eq!(status(20.5, 20.0, band, LOW), Status::Amber);
        assert_eq!(status(25.0, 20.0, band, LOW), Status::Amber, "exactly at floor");
        assert_eq!(status(25.1, 20.0, band, LOW), Status::Red);
    }

    #[test]
    fn tolerance_just_inside_and_outside() {
        // 10% of a target of 20 is 2: Amber from 18 (higher is better) or to 22 (lower).
        let band = Band::Tolerance(2.0);
        assert_eq!(status(20.0, 20.0, band, HIGH), Status::Green);
        assert_eq!(status(18.0, 20.0, band, HIGH), Status::Amber, "exactly at the tolerance's edge");
        assert_eq!(status(18.01, 20.0, band, HIGH), Status::Amber, "just inside");
        assert_eq!(status(17.99, 20.0, band, HIGH), Status::Red, "just outside");
        assert_eq!(status(20.0, 20.0, band, LOW), Status::Green);
        assert_eq!(status(22.0, 20.0, band, LOW), Status::Amber, "exactly at the tolerance's edge");
        assert_eq!(status(21.99, 20.0, band, LOW), Status::Amber);
        assert_eq!(status(22.01, 20.0, band, LOW), Status::Red);
        // Better than the target is Green, however far: the tolerance is one-sided.
        assert_eq!(status(30.0, 20.0, band, HIGH), Status::Green);
        assert_eq!(status(10.0, 20.0, band, LOW), Status::Green);
    }

    #[test]
    fn target_alone_is_green_or_red() {
        assert_eq!(status(60.0, 60.0, Band::None, HIGH), Status::Green);
        assert_eq!(status(59.99, 60.0, Band::None, HIGH), Status::Red);
        assert_eq!(status(60.0, 60.0, Band::None, LOW), Status::Green);
        assert_eq!(status(60.01, 60.0, Band::None, LOW), Status::Red);
    }

    #[test]
    fn a_share_computed_as_exactly_the_target_is_at_it() {
        // 4 of 5 in points, as the engine computes a share: 4 × 100 / 5.
        let share = 4.0 * 100.0 / 5.0;
        assert_eq!(status(share, 80.0, Band::None, HIGH), Status::Green);
        // 0.7 + 0.1 is 0.7999999999999999 as a float: still at a target of 0.8.
        assert_eq!(status(0.7 + 0.1, 0.8, Band::None, HIGH), Status::Green);
    }

    #[test]
    fn money_in_pence_is_compared_to_the_penny() {
        // £300,000.00 target; £299,999.99 is one penny short.
        assert_eq!(status(29_999_999.0, 30_000_000.0, Band::None, HIGH), Status::Red);
        assert_eq!(status(30_000_000.0, 30_000_000.0, Band::None, HIGH), Status::Green);
    }

    #[test]
    fn direction_of_travel_follows_polarity() {
        assert_eq!(direction(Some(1.5), HIGH), Direction::Improving);
        assert_eq!(direction(Some(-1.5), HIGH), Direction::Worsening);
        assert_eq!(direction(Some(1.5), LOW), Direction::Worsening);
        assert_eq!(direction(Some(-1.5), LOW), Direction::Improving);
        assert_eq!(direction(Some(0.0), LOW), Direction::Unchanged);
        assert_eq!(direction(None, HIGH), Direction::Unknown);
    }
}
