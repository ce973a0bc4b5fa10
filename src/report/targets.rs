//! A KPI's targets, floor and tolerance: checked against the measure's unit (a % target on
//! a money measure is refused where it was written), chosen per council and financial
//! year, and scaled to the report's period.
//!
//! Choosing: a council's row takes the most specific target written — for the council in
//! that year, for the council, for every council in that year, for every council — and the
//! service's row takes the last two only. Scaling: a target written `per fy` (or `per
//! quarter`, `per month`) is for that length of time. For an additive measure (a sum of
//! money, a count, a metric aggregated by sum) it is divided in proportion to the report's
//! period: a yearly target ÷ 4 for a quarter, ÷ 12 for a month (and a quarterly one × 4 for
//! a year). A share, an average, a score or a latest value is not divided: the yearly
//! target applies to every period unchanged. A floor, and a tolerance in units, are scaled
//! as the target is; a tolerance in % is a share of the target and needs no scaling.

use super::model::{Decimal, Figure, KpiUnit, Polarity, ReportKind};
use super::period::months;
use super::rag::Band;
use crate::error::{Error, ErrorKind, Result, Span};
use crate::syntax::ast::{KpiRules, PeriodUnit, Spanned, Threshold, ThresholdUnit};

/// The target a row is judged against, in the KPI's unit and scaled to the period.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedTarget {
    /// The target.
    pub target: Figure,
    /// The floor, if the KPI has one.
    pub floor: Option<Figure>,
    /// What makes a value Amber, in the same plain units as `target` is compared in.
    pub band: Band,
}

/// One `target` clause, checked and scaled.
#[derive(Debug, Clone)]
struct Target {
    council: Option<String>,
    financial_year: Option<i32>,
    /// Multiply by `num` / `den` to scale to the report's period.
    num: u32,
    den: u32,
    value: Figure,
    written: String,
    per: Option<PeriodUnit>,
}

/// A KPI's checked targets.
#[derive(Debug, Clone)]
pub struct Targets {
    unit: KpiUnit,
    kind: ReportKind,
    additive: bool,
    targets: Vec<Target>,
    floor: Option<Threshold>,
    tolerance: Option<Threshold>,
}

fn months_of(unit: PeriodUnit) -> u32 {
    match unit {
        PeriodUnit::Month => 1,
        PeriodUnit::Quarter => 3,
        _ => 12,
    }
}

/// Decimal text as units and a scale: `4.25` → (425, 2).
fn parse_decimal(text: &str) -> Option<Decimal> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let scale = u8::try_from(fraction.len()).ok().filter(|s| *s <= 12)?;
    let units: i128 = format!("{whole}{fraction}").parse().ok()?;
    Some(Decimal { units: if negative { -units } else { units }, scale })
}

/// `n / d`, rounded half away from zero (`d` > 0).
fn round_div(n: i128, d: i128) -> i128 {
    let rounded = (n.abs() * 2 + d) / (2 * d);
    if n < 0 { -rounded } else { rounded }
}

/// `units × num / den`, rounded half away from zero.
fn scale_units(units: i128, num: u32, den: u32) -> i128 {
    round_div(units * i128::from(num), i128::from(den))
}

/// A threshold in the KPI's unit, multiplied by `num / den`.
fn threshold_figure(threshold: &Threshold, unit: KpiUnit, num: u32, den: u32) -> Option<Figure> {
    let d = parse_decimal(&threshold.value)?;
    Some(match unit {
        KpiUnit::Money => {
            // To pence first: `£1.2m` is 1200000 pounds.
            let pence = if d.scale <= 2 {
                d.units * 10i128.pow(u32::from(2 - d.scale))
            } else {
                round_div(d.units, 10i128.pow(u32::from(d.scale - 2)))
            };
            Figure::Money(scale_units(pence, num, den))
        }
        KpiUnit::Percent => Figure::Percent(d.to_f64() * f64::from(num) / f64::from(den)),
        KpiUnit::Count | KpiUnit::Number => {
            let scale = if num == den { d.scale } else { d.scale.max(2) };
            let units = scale_units(d.units * 10i128.pow(u32::from(scale - d.scale)), num, den);
            let whole = 10i128.pow(u32::from(scale));
            if unit == KpiUnit::Count && units % whole == 0 {
                Figure::Count((units / whole) as i64)
            } else {
                Figure::Number(Decimal { units, scale })
            }
        }
    })
}

/// Refuse a value written in a unit the measure is not in.
fn check_unit(value: &Spanned<Threshold>, unit: KpiUnit, what: &str, tolerance: bool) -> Result<()> {
    let written = value.node.unit;
    let problem = match (unit, written) {
        (_, ThresholdUnit::Percent) if tolerance => None,
        (KpiUnit::Money, ThresholdUnit::Money)
        | (KpiUnit::Percent, ThresholdUnit::Percent)
        | (KpiUnit::Count | KpiUnit::Number, ThresholdUnit::Plain) => None,
        // A tolerance in points of a percentage is a plain number.
        (KpiUnit::Percent, ThresholdUnit::Plain) if tolerance => None,
        (KpiUnit::Money, ThresholdUnit::Percent) => Some((
            format!("a % {what} on a money measure"),
            "write it in £, as in `target £1.2m`; for a percentage, measure a share: `... as share of ...`",
        )),
        (KpiUnit::Money, ThresholdUnit::Plain) => {
            Some((format!("this KPI is money: its {what} is written with £"), "as in `target £1.2m`"))
        }
        (KpiUnit::Percent, _) => {
            Some((format!("this KPI is a percentage: its {what} is one too"), "as in `target 80%`"))
        }
        (KpiUnit::Count | KpiUnit::Number, ThresholdUnit::Percent) => Some((
            format!("a % {what} on a measure that is not a percentage"),
            "measure a share, as in `contracts where social value > 0 as share of contracts target 60%`",
        )),
        (KpiUnit::Count | KpiUnit::Number, ThresholdUnit::Money) => {
            Some((format!("this KPI is not money: write its {what} without £"), "as in `target 20`"))
        }
    };
    match problem {
        Some((message, hint)) => Err(semantic(message, value.span.clone()).with_hint(hint)),
        None => Ok(()),
    }
}

impl Targets {
    /// Check `rules` against the KPI's unit and note how each target scales.
    pub fn new(rules: &KpiRules, unit: KpiUnit, additive: bool, kind: ReportKind) -> Result<Targets> {
        let mut targets = Vec::new();
        for t in &rules.targets {
            check_unit(&t.value, unit, "target", false)?;
            let per = t.per.as_ref().map(|p| p.node);
            let (num, den) = match per {
                Some(per) if additive => (months(kind), months_of(per)),
                _ => (1, 1),
            };
            let value = threshold_figure(&t.value.node, unit, num, den)
                .ok_or_else(|| semantic("this target is not a number spendql can hold", t.value.span.clone()))?;
            let written = threshold_figure(&t.value.node, unit, 1, 1).map_or_else(String::new, Figure::text);
            targets.push(Target {
                council: t.council.as_ref().map(|c| c.node.clone()),
                financial_year: t.financial_year.as_ref().map(|y| y.node),
                num,
                den,
                value,
                written,
                per,
            });
        }
        if let Some(floor) = &rules.floor {
            check_unit(floor, unit, "floor", false)?;
        }
        if let Some(tolerance) = &rules.tolerance {
            check_unit(tolerance, unit, "tolerance", true)?;
        }
        Ok(Targets {
            unit,
            kind,
            additive,
            targets,
            floor: rules.floor.as_ref().map(|f| f.node.clone()),
            tolerance: rules.tolerance.as_ref().map(|t| t.node.clone()),
        })
    }

    /// The most specific target for `council` (`None`: the service) in the financial year
    /// starting in `fy`.
    fn choose(&self, council: Option<&str>, fy: i32) -> Option<&Target> {
        let is = |t: &Target, c: bool, y: bool| {
            let council_ok = match (&t.council, council) {
                (Some(tc), Some(rc)) if c => tc.eq_ignore_ascii_case(rc),
                (None, _) if !c => true,
                _ => false,
            };
            let year_ok = if y { t.financial_year == Some(fy) } else { t.financial_year.is_none() };
            council_ok && year_ok
        };
        let order: &[(bool, bool)] = if council.is_some() {
            &[(true, true), (true, false), (false, true), (false, false)]
        } else {
            &[(false, true), (false, false)]
        };
        order.iter().find_map(|&(c, y)| self.targets.iter().find(|t| is(t, c, y)))
    }

    /// The target, floor and band for a row.
    pub fn resolve(&self, council: Option<&str>, fy: i32) -> Option<ResolvedTarget> {
        let target = self.choose(council, fy)?;
        let key = |f: Figure| match f {
            Figure::Money(p) => p as f64,
            other => other.to_f64(),
        };
        let floor = self.floor.as_ref().and_then(|f| threshold_figure(f, self.unit, target.num, target.den));
        let band = match (&floor, &self.tolerance) {
            (Some(floor), _) => Band::Floor(key(*floor)),
            (None, Some(t)) if t.unit == ThresholdUnit::Percent => {
                let share = parse_decimal(&t.value).map_or(0.0, Decimal::to_f64);
                Band::Tolerance(key(target.value).abs() * share / 100.0)
            }
            (None, Some(t)) => {
                let unit = if self.unit == KpiUnit::Percent { KpiUnit::Number } else { self.unit };
                let distance = threshold_figure(t, unit, target.num, target.den).map_or(0.0, key);
                Band::Tolerance(distance)
            }
            (None, None) => Band::None,
        };
        Some(ResolvedTarget { target: target.value, floor, band })
    }

    /// The rule in words: "Green at or above 80.0%; Amber at or above 70.0%; else Red".
    pub fn describe(&self, polarity: Polarity) -> String {
        if self.targets.is_empty() {
            return "no target".to_string();
        }
        let at = match polarity {
            Polarity::HigherIsBetter => "at or above",
            Polarity::LowerIsBetter => "at or below",
        };
        let targets: Vec<String> = self
            .targets
            .iter()
            .map(|t| {
                let mut text = t.value.text();
                if let Some(c) = &t.council {
                    text.push_str(&format!(" for {c}"));
                }
                if let Some(y) = t.financial_year {
                    text.push_str(&format!(" in {}", crate::semantic::period::fy_label(y)));
                }
                text
            })
            .collect();
        let amber = match (&self.floor, &self.tolerance) {
            (Some(floor), _) => {
                // Scaled as the first target is (they share their `per`, as written).
                let t = &self.targets[0];
                threshold_figure(floor, self.unit, t.num, t.den)
                    .map(|f| format!("; Amber {at} {}", f.text()))
                    .unwrap_or_default()
            }
            (None, Some(t)) => {
                let distance = match t.unit {
                    ThresholdUnit::Percent => format!("{}% of it", t.value),
                    _ if self.unit == KpiUnit::Percent => format!("{} points", t.value),
                    _ => {
                        let t0 = &self.targets[0];
                        threshold_figure(t, self.unit, t0.num, t0.den).map_or_else(|| t.value.clone(), Figure::text)
                    }
                };
                format!("; Amber within {distance}")
            }
            (None, None) => String::new(),
        };
        format!("Green {at} {}{amber}; else Red", targets.join(", "))
    }

    /// How targets were scaled to the report's period, when any was.
    pub fn note(&self) -> Option<String> {
        let scaled = self.targets.iter().find(|t| t.per.is_some())?;
        let per = match scaled.per {
            Some(PeriodUnit::Month) => "month",
            Some(PeriodUnit::Quarter) => "quarter",
            _ => "fy",
        };
        let period = self.kind.word();
        if !self.additive {
            return Some(format!(
                "target {} per {per} applies to each {period} unchanged: this measure does not add up over time",
                scaled.written
            ));
        }
        if scaled.num == scaled.den {
            return None;
        }
        let how = if scaled.num < scaled.den {
            format!("÷ {}", scaled.den / scaled.num)
        } else {
            format!("× {}", scaled.num / scaled.den)
        };
        Some(format!("target {} per {per} {how} for a {period}", scaled.written))
    }
}

/// A KPI that makes no sense, pointing where it was written.
pub(super) fn semantic(message: impl Into<String>, span: Span) -> Error {
    Error::new(ErrorKind::Semantic, message).with_span(span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::KpiTarget;

    fn threshold(value: &str, unit: ThresholdUnit) -> Spanned<Threshold> {
        Spanned::new(Threshold { value: value.into(), unit }, 0..1)
    }

    fn target(value: &str, unit: ThresholdUnit, per: Option<PeriodUnit>, council: Option<&str>) -> KpiTarget {
        KpiTarget {
            value: threshold(value, unit),
            per: per.map(|p| Spanned::new(p, 0..1)),
            council: council.map(|c| Spanned::new(c.to_string(), 0..1)),
            financial_year: None,
            span: 0..1,
        }
    }

    #[test]
    fn a_yearly_money_target_is_divided_for_quarters_and_months() {
        let rules = KpiRules {
            targets: vec![target("1200000", ThresholdUnit::Money, Some(PeriodUnit::FinancialYear), None)],
            ..KpiRules::default()
        };
        // £1,200,000.00 ÷ 4 = £300,000.00; ÷ 12 = £100,000.00.
        let q = Targets::new(&rules, KpiUnit::Money, true, ReportKind::Quarter).unwrap();
        assert_eq!(q.resolve(None, 2024).unwrap().target, Figure::Money(30_000_000));
        assert_eq!(q.note().unwrap(), "target £1,200,000.00 per fy ÷ 4 for a quarter");
        let m = Targets::new(&rules, KpiUnit::Money, true, ReportKind::Month).unwrap();
        assert_eq!(m.resolve(None, 2024).unwrap().target, Figure::Money(10_000_000));
        let y = Targets::new(&rules, KpiUnit::Money, true, ReportKind::Year).unwrap();
        assert_eq!(y.resolve(None, 2024).unwrap().target, Figure::Money(120_000_000));
        // £1m a year over 12 months is £83,333.33⅓: rounded to the penny.
        let rules = KpiRules {
            targets: vec![target("1000000", ThresholdUnit::Money, Some(PeriodUnit::FinancialYear), None)],
            ..KpiRules::default()
        };
        let m = Targets::new(&rules, KpiUnit::Money, true, ReportKind::Month).unwrap();
        assert_eq!(m.resolve(None, 2024).unwrap().target, Figure::Money(8_333_333));
    }

    #[test]
    fn shares_and_averages_apply_a_yearly_target_unchanged() {
        let rules = KpiRules {
            targets: vec![target("80", ThresholdUnit::Percent, Some(PeriodUnit::FinancialYear), None)],
            floor: Some(threshold("70", ThresholdUnit::Percent)),
            ..KpiRules::default()
        };
        let q = Targets::new(&rules, KpiUnit::Percent, false, ReportKind::Quarter).unwrap();
        let r = q.resolve(None, 2024).unwrap();
        assert_eq!(
            (r.target, r.floor, r.band),
            (Figure::Percent(80.0), Some(Figure::Percent(70.0)), Band::Floor(70.0))
        );
        assert!(q.note().unwrap().contains("unchanged"), "{:?}", q.note());
        assert_eq!(q.describe(Polarity::HigherIsBetter), "Green at or above 80.0%; Amber at or above 70.0%; else Red");
    }

    #[test]
    fn a_count_target_per_fy_for_a_month_keeps_its_fraction() {
        // 50 contracts a year is 4.17 a month (50 / 12 = 4.1666…, to two places).
        let rules = KpiRules {
            targets: vec![target("50", ThresholdUnit::Plain, Some(PeriodUnit::FinancialYear), None)],
            ..KpiRules::default()
        };
        let m = Targets::new(&rules, KpiUnit::Count, true, ReportKind::Month).unwrap();
        assert_eq!(m.resolve(None, 2024).unwrap().target, Figure::Number(Decimal { units: 417, scale: 2 }));
        let q = Targets::new(&rules, KpiUnit::Count, true, ReportKind::Year).unwrap();
        assert_eq!(q.resolve(None, 2024).unwrap().target, Figure::Count(50));
    }

    #[test]
    fn the_most_specific_target_wins_and_the_service_takes_the_general_one() {
        let mut rochdale_2024 = target("70", ThresholdUnit::Percent, None, Some("Rochdale"));
        rochdale_2024.financial_year = Some(Spanned::new(2024, 0..1));
        let rules = KpiRules {
            targets: vec![
                target("80", ThresholdUnit::Percent, None, None),
                target("75", ThresholdUnit::Percent, None, Some("Rochdale")),
                rochdale_2024,
            ],
            ..KpiRules::default()
        };
        let t = Targets::new(&rules, KpiUnit::Percent, false, ReportKind::Quarter).unwrap();
        let of = |c: Option<&str>, fy: i32| t.resolve(c, fy).unwrap().target;
        assert_eq!(of(Some("Rochdale"), 2024), Figure::Percent(70.0));
        assert_eq!(of(Some("rochdale"), 2023), Figure::Percent(75.0));
        assert_eq!(of(Some("Salford"), 2024), Figure::Percent(80.0));
        assert_eq!(of(None, 2024), Figure::Percent(80.0));
    }

    #[test]
    fn a_tolerance_in_percent_is_a_share_of_the_target() {
        let rules = KpiRules {
            targets: vec![target("20", ThresholdUnit::Plain, None, None)],
            tolerance: Some(threshold("10", ThresholdUnit::Percent)),
            ..KpiRules::default()
        };
        let t = Targets::new(&rules, KpiUnit::Number, false, ReportKind::Month).unwrap();
        // 10% of 20 is 2.
        assert_eq!(t.resolve(None, 2024).unwrap().band, Band::Tolerance(2.0));
    }

    #[test]
    fn a_percent_target_on_money_is_refused_at_the_target() {
        let rules = KpiRules { targets: vec![target("80", ThresholdUnit::Percent, None, None)], ..KpiRules::default() };
        let err = Targets::new(&rules, KpiUnit::Money, true, ReportKind::Quarter).unwrap_err();
        assert_eq!(err.message, "a % target on a money measure");
        assert_eq!(err.span, Some(0..1));
        let rules = KpiRules { targets: vec![target("80", ThresholdUnit::Plain, None, None)], ..KpiRules::default() };
        assert!(Targets::new(&rules, KpiUnit::Percent, false, ReportKind::Quarter).is_err());
    }
}
