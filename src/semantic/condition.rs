//! Conditions (`where`, `having`, a defined measure's `where`) and the values they compare
//! against: what a name on the left side is, how operands become typed [`Value`]s and date
//! ranges, and checking text literals against the data's values.

use chrono::NaiveDate;

use super::ir::{Cond, FieldRef, ResolvedMeasure, Value};
use super::model::{self, DimensionDef, DimensionKind, FieldKind, Unit, contract_column, time_column};
use super::period::{self, DateRange};
use super::resolver::{Resolver, check_dimension_table, suggest, unknown};
use crate::error::{Error, ErrorKind, Result, Span};
use crate::schema::Table;
use crate::syntax::ast::{self, CompareOp, Expr, Literal, Name, Operand, PeriodKind};

impl Resolver<'_> {
    pub(super) fn period(&self, p: &ast::Period) -> Result<DateRange> {
        period::resolve(&p.kind, self.as_of).ok_or_else(|| {
            Error::new(ErrorKind::Semantic, "this period falls outside the calendar").with_span(p.span.clone())
        })
    }

    fn substitute<'o>(&'o self, operand: &'o Operand) -> Result<&'o Operand> {
        match operand {
            Operand::Param(p) => match self.params.get(&p.node) {
                Some(Operand::Param(_)) | None => {
                    let mut err = Error::new(ErrorKind::UnknownName, format!("parameter ${} has no value", p.node))
                        .with_span(p.span.clone());
                    err = err
                        .with_hint(format!("declare it with `param {} = ...` or pass --param {}=...", p.node, p.node));
                    Err(err)
                }
                Some(value) => Ok(value),
            },
            other => Ok(other),
        }
    }

    /// A time operand as a date range: a period, a date (one day), a year number.
    fn operand_range(&self, operand: &Operand, dim: DimensionKind) -> Result<DateRange> {
        let operand = self.substitute(operand)?;
        let span = operand.span();
        let bad = |what: &str| {
            Error::new(ErrorKind::Semantic, format!("expected a date or period here, not {what}"))
                .with_span(span.clone())
                .with_hint("periods look like 2021-04-01, 2021-04, 2021Q2, FY2021/22, 2021, last 3 months, this fy")
        };
        match operand {
            Operand::Period(p) => self.period(p),
            Operand::Literal(l) => match &l.node {
                Literal::Date(d) => Ok(DateRange { start: *d, end: d.succ_opt().unwrap_or(*d) }),
                Literal::Number { value, money: false } => {
                    let year: i32 = value.parse().map_err(|_| bad("a decimal number"))?;
                    let range = if dim == DimensionKind::FinancialYear {
                        period::financial_year(year)
                    } else {
                        period::calendar_year(year)
                    };
                    range.ok_or_else(|| bad("a year outside the calendar"))
                }
                Literal::String(s) => parse_period_text(s, dim).ok_or_else(|| bad(&format!("\"{s}\""))),
                Literal::Number { .. } => Err(bad("an amount of money")),
                Literal::Bool(_) => Err(bad("true or false")),
            },
            Operand::Param(_) => Err(bad("a parameter")),
        }
    }

    fn value(&self, operand: &Operand, kind: ValueKind) -> Result<Value> {
        let operand = self.substitute(operand)?;
        let span = operand.span();
        let Operand::Literal(lit) = operand else {
            return Err(Error::new(
                ErrorKind::Semantic,
                "a period is only meaningful against a date or time dimension",
            )
            .with_span(span));
        };
        match (kind, &lit.node) {
            (ValueKind::Text, Literal::String(s)) => Ok(Value::Text(s.clone())),
            (ValueKind::Text, Literal::Number { value, .. }) => Ok(Value::Text(value.clone())),
            (ValueKind::Money, Literal::Number { value, .. }) => {
                parse_pence(value).map(Value::Money).ok_or_else(|| {
                    Error::new(ErrorKind::Semantic, "amounts have at most two decimal places").with_span(span)
                })
            }
            (ValueKind::Count, Literal::Number { value, money: false }) => match value.parse::<i64>() {
                Ok(n) => Ok(Value::Integer(n)),
                Err(_) => Ok(Value::Decimal(value.clone())),
            },
            (ValueKind::Percent | ValueKind::Number, Literal::Number { value, money: false }) => {
                Ok(Value::Decimal(value.clone()))
            }
            (ValueKind::Flag, Literal::Bool(b)) => Ok(Value::Bool(*b)),
            (kind, _) => {
                Err(Error::new(ErrorKind::Semantic, format!("expected {} here", kind.describe())).with_span(span))
            }
        }
    }

    pub(super) fn condition(&self, expr: &Expr, mut measures: Option<&mut Vec<ResolvedMeasure>>) -> Result<Cond> {
        match expr {
            Expr::And(a, b) => Ok(Cond::And(
                Box::new(self.condition(a, measures.as_deref_mut())?),
                Box::new(self.condition(b, measures)?),
            )),
            Expr::Or(a, b) => Ok(Cond::Or(
                Box::new(self.condition(a, measures.as_deref_mut())?),
                Box::new(self.condition(b, measures)?),
            )),
            Expr::Not { expr, .. } => Ok(Cond::Not(Box::new(self.condition(expr, measures)?))),
            Expr::Flag { name, span } => match self.target(name, measures)? {
                Target::Flag(column) => Ok(Cond::IsTrue { field: FieldRef::Column(column) }),
                Target::Linked(column) => Ok(Cond::IsMissing { field: FieldRef::Column(column), negated: true }),
                _ => Err(Error::new(ErrorKind::Semantic, format!("'{}' is not a yes/no field", name.text()))
                    .with_span(span.clone())
                    .with_hint(if self.table == Table::Spend {
                        "yes/no fields are: redacted, card, on-contract"
                    } else {
                        "yes/no fields are: sme, vcse"
                    })),
            },
            Expr::IsMissing { left, negated, .. } => {
                let field = match self.target(left, measures)? {
                    Target::Time(_) => FieldRef::Column(time_column(self.table)),
                    Target::Linked(c) => FieldRef::Column(c),
                    Target::Text(f, _) | Target::Money(f) => f,
                    Target::Flag(c) => FieldRef::Column(c),
                    Target::Measure(i, _) => FieldRef::Measure(i),
                };
                Ok(Cond::IsMissing { field, negated: *negated })
            }
            Expr::Contains { left, pattern, span } => match self.target(left, measures)? {
                Target::Text(field, _) => match self.value(pattern, ValueKind::Text)? {
                    Value::Text(text) => Ok(Cond::Contains { field, text }),
                    _ => Err(Error::new(ErrorKind::Semantic, "`~` takes a string").with_span(pattern.span())),
                },
                _ => {
                    Err(Error::new(ErrorKind::Semantic, "`~` (contains) applies to text such as supplier or category")
                        .with_span(span.clone()))
                }
            },
            Expr::Compare { left, op, right, .. } => {
                let target = self.target(left, measures)?;
                self.comparison(target, left, *op, right)
            }
            Expr::In { left, values, negated, .. } => {
                let cond = self.membership(self.target(left, measures)?, left, values)?;
                Ok(if *negated { Cond::Not(Box::new(cond)) } else { cond })
            }
            Expr::Between { left, low, high, span } => {
                let target = self.target(left, measures)?;
                self.between(target, low, high, span)
            }
        }
    }

    /// `left op right`, by what `left` names.
    fn comparison(&self, target: Target, left: &Name, op: CompareOp, right: &Operand) -> Result<Cond> {
        match target {
            Target::Time(kind) => Ok(range_compare(op, self.operand_range(right, kind)?)),
            Target::Text(field, dim) => Ok(Cond::Compare { field, op, value: self.checked_text(right, dim)? }),
            Target::Money(field) => Ok(Cond::Compare { field, op, value: self.value(right, ValueKind::Money)? }),
            Target::Flag(column) => {
                Ok(Cond::Compare { field: FieldRef::Column(column), op, value: self.value(right, ValueKind::Flag)? })
            }
            Target::Linked(_) => Err(linked_is_a_flag(left)),
            Target::Measure(index, unit) => Ok(Cond::Compare {
                field: FieldRef::Measure(index),
                op,
                value: self.value(right, ValueKind::of(unit))?,
            }),
        }
    }

    /// `left in (values)`: periods become a union of date ranges, text and amounts a list.
    fn membership(&self, target: Target, left: &Name, values: &[Operand]) -> Result<Cond> {
        let list = |kind: Option<&'static DimensionDef>, money: bool| -> Result<Vec<Value>> {
            values
                .iter()
                .map(|v| if money { self.value(v, ValueKind::Money) } else { self.checked_text(v, kind) })
                .collect()
        };
        match target {
            Target::Time(kind) => {
                let mut ranges = Vec::new();
                for v in values {
                    ranges.push(Cond::DateIn { range: self.operand_range(v, kind)? });
                }
                ranges
                    .into_iter()
                    .reduce(|a, b| Cond::Or(Box::new(a), Box::new(b)))
                    .ok_or_else(|| Error::new(ErrorKind::Semantic, "`in` needs at least one value"))
            }
            Target::Text(field, dim) => Ok(Cond::InList { field, values: list(dim, false)?, negated: false }),
            Target::Money(field) => Ok(Cond::InList { field, values: list(None, true)?, negated: false }),
            Target::Linked(_) => Err(linked_is_a_flag(left)),
            Target::Flag(_) | Target::Measure(..) => {
                Err(Error::new(ErrorKind::Semantic, "`in` applies to text, amounts and dates")
                    .with_span(left.span.clone()))
            }
        }
    }

    /// `left between low and high`: a date range, or both bounds on an amount or measure.
    fn between(&self, target: Target, low: &Operand, high: &Operand, span: &Span) -> Result<Cond> {
        let (field, kind) = match target {
            Target::Time(kind) => {
                let start = self.operand_range(low, kind)?.start;
                let end = self.operand_range(high, kind)?.end;
                if end <= start {
                    return Err(Error::new(ErrorKind::Semantic, "the end of this range is before its start")
                        .with_span(span.clone()));
                }
                return Ok(Cond::DateIn { range: DateRange { start, end } });
            }
            Target::Money(field) => (field, ValueKind::Money),
            Target::Measure(index, unit) => {
                let kind = if unit == Unit::Money { ValueKind::Money } else { ValueKind::Count };
                (FieldRef::Measure(index), kind)
            }
            _ => {
                return Err(
                    Error::new(ErrorKind::Semantic, "`between` applies to dates and amounts").with_span(span.clone())
                );
            }
        };
        Ok(Cond::And(
            Box::new(Cond::Compare { field: field.clone(), op: CompareOp::GtEq, value: self.value(low, kind)? }),
            Box::new(Cond::Compare { field, op: CompareOp::LtEq, value: self.value(high, kind)? }),
        ))
    }

    /// What the left side of a condition names. In `having`, measures come first.
    fn target(&self, name: &Name, measures: Option<&mut Vec<ResolvedMeasure>>) -> Result<Target> {
        let text = name.text();
        if let Some(measures) = measures {
            if let Some(i) = measures.iter().position(|m| m.label == text) {
                return Ok(Target::Measure(i, measures[i].unit()));
            }
            if let Ok(mut m) = self.measure(name) {
                self.same_table(&m, name)?;
                m.hidden = true;
                let unit = m.unit();
                measures.push(m);
                return Ok(Target::Measure(measures.len() - 1, unit));
            }
        }
        if let Some(field) = model::find_field(&text) {
            if field.table != self.table {
                return Err(Error::new(
                    ErrorKind::Semantic,
                    format!(
                        "'{}' is a field of the {} table, not the {} table",
                        field.name,
                        field.table.name(),
                        self.table.name()
                    ),
                )
                .with_span(name.span.clone()));
            }
            return Ok(match field.kind {
                FieldKind::Money => Target::Money(FieldRef::Column(field.column)),
                FieldKind::Flag => Target::Flag(field.column),
                FieldKind::Text => Target::Text(FieldRef::Column(field.column), None),
                FieldKind::Linked => Target::Linked(field.column),
                FieldKind::PostcodeArea => Target::Text(FieldRef::PostcodeArea(field.column), None),
            });
        }
        if let Some(def) = model::find_dimension(&text) {
            check_dimension_table(def, self.table, name.span.clone())?;
            return Ok(match def.kind {
                DimensionKind::Column(c) => Target::Text(FieldRef::Column(c), Some(def)),
                DimensionKind::Flag(c) => Target::Flag(c),
                DimensionKind::Contract => Target::Text(FieldRef::Column(contract_column(self.table)), Some(def)),
                DimensionKind::Supplier => Target::Text(FieldRef::Supplier, Some(def)),
                kind => Target::Time(kind),
            });
        }
        let mut candidates: Vec<&str> = model::FIELDS.iter().map(|f| f.name).collect();
        candidates.extend(model::dimension_names());
        let mut err = unknown("field", &text, name.span.clone(), candidates);
        if model::find_measure(&text).is_some() {
            err = err.with_hint(format!("'{text}' is a measure: conditions on measures go after `having`"));
        }
        Err(err)
    }

    /// A string compared with a text dimension, checked against the data's values.
    fn checked_text(&self, operand: &Operand, dim: Option<&'static DimensionDef>) -> Result<Value> {
        let value = self.value(operand, ValueKind::Text)?;
        let (Value::Text(text), Some(def)) = (&value, dim) else { return Ok(value) };
        if !def.has_values {
            return Ok(value);
        }
        let values = self.lookup.values(def)?;
        if values.is_empty() {
            return Ok(value);
        }
        if let Some(exact) = values.iter().find(|v| v.eq_ignore_ascii_case(text)) {
            return Ok(Value::Text(exact.clone()));
        }
        let span = self.substitute(operand)?.span();
        let mut err = Error::new(ErrorKind::UnknownValue, format!("no {} named \"{text}\"", def.name)).with_span(span);
        let published = published_reference(text, &values);
        if def.kind == DimensionKind::Contract && !published.is_empty() {
            err = err.with_hint(format!(
                "contracts are named by council and reference: {}",
                published.iter().map(|id| format!("\"{id}\"")).collect::<Vec<_>>().join(", ")
            ));
        } else if let Some(s) = suggest(text, values.iter().map(String::as_str)) {
            err = err.with_hint(format!("did you mean \"{s}\"?"));
        } else if def.kind == DimensionKind::Supplier {
            err = err.with_hint(format!("to search by part of a name, write `supplier ~ \"{text}\"`"));
        } else if values.len() <= 12 {
            err = err.with_hint(format!("{}s in the data: {}", def.name, values.join(", ")));
        }
        Err(err)
    }
}

/// The contract ids (`Salford/S1161`, `Salford/S1161/2`, ...) of contracts whose published
/// reference is `text`, at most five: what someone writing the bare reference meant.
fn published_reference<'v>(text: &str, ids: &'v [String]) -> Vec<&'v str> {
    let wanted = text.trim().to_uppercase();
    let is_repeat =
        |rest: &str| rest.strip_prefix('/').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    ids.iter()
        .map(String::as_str)
        .filter(|id| {
            id.split_once('/')
                .and_then(|(_, rest)| rest.strip_prefix(wanted.as_str()))
                .is_some_and(|rest| rest.is_empty() || is_repeat(rest))
        })
        .take(5)
        .collect()
}

fn linked_is_a_flag(name: &Name) -> Error {
    Error::new(ErrorKind::Semantic, format!("'{}' is yes or no", name.text()))
        .with_span(name.span.clone())
        .with_hint(format!("write `where {0}` or `where not {0}`", name.text()))
}

/// Values that a filter pins a column to (`council = "X"`, `council in (...)`), if any.
pub(super) fn equality_values(cond: &Cond, column: &str) -> Option<Vec<String>> {
    match cond {
        Cond::Compare { field: FieldRef::Column(c), op: CompareOp::Eq, value: Value::Text(t) } if *c == column => {
            Some(vec![t.clone()])
        }
        Cond::InList { field: FieldRef::Column(c), values, negated: false } if *c == column => {
            Some(values.iter().filter_map(|v| if let Value::Text(t) = v { Some(t.clone()) } else { None }).collect())
        }
        Cond::And(a, b) => equality_values(a, column).or_else(|| equality_values(b, column)),
        _ => None,
    }
}

fn range_compare(op: CompareOp, range: DateRange) -> Cond {
    match op {
        CompareOp::Eq => Cond::DateIn { range },
        CompareOp::NotEq => Cond::Not(Box::new(Cond::DateIn { range })),
        CompareOp::Lt => Cond::DateCompare { op: CompareOp::Lt, date: range.start },
        CompareOp::LtEq => Cond::DateCompare { op: CompareOp::Lt, date: range.end },
        CompareOp::Gt => Cond::DateCompare { op: CompareOp::GtEq, date: range.end },
        CompareOp::GtEq => Cond::DateCompare { op: CompareOp::GtEq, date: range.start },
    }
}

/// `"2021/22"` against fy, `"2021-04"` against month: period text written as a string.
fn parse_period_text(text: &str, dim: DimensionKind) -> Option<DateRange> {
    let text = text.trim();
    if let Ok(d) = text.parse::<NaiveDate>() {
        return Some(DateRange { start: d, end: d.succ_opt()? });
    }
    let fy = text.trim_start_matches(['F', 'f', 'Y', 'y']);
    if let Some((a, _)) = fy.split_once('/') {
        return period::financial_year(a.trim().parse().ok()?);
    }
    if let Some((y, m)) = text.split_once('-') {
        return period::resolve(&PeriodKind::Month { year: y.parse().ok()?, month: m.parse().ok()? }, NaiveDate::MIN);
    }
    let year: i32 = text.parse().ok()?;
    if dim == DimensionKind::FinancialYear { period::financial_year(year) } else { period::calendar_year(year) }
}

/// Exact decimal text → pence: `"25000"` → 2500000, `"-1.5"` → -150. `None` for more than
/// two decimal places.
pub fn parse_pence(text: &str) -> Option<i128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if frac.len() > 2 || whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac: i128 = format!("{frac:0<2}").parse().ok()?;
    let pence = whole.checked_mul(100)?.checked_add(frac)?;
    Some(if negative { -pence } else { pence })
}

enum Target {
    Time(DimensionKind),
    /// True when the column has a value (`on-contract`).
    Linked(&'static str),
    Text(FieldRef, Option<&'static DimensionDef>),
    Money(FieldRef),
    Flag(&'static str),
    Measure(usize, Unit),
}

#[derive(Debug, Clone, Copy)]
enum ValueKind {
    Text,
    Money,
    Count,
    Percent,
    /// A metric's figure: any decimal number.
    Number,
    Flag,
}

impl ValueKind {
    /// What a measure of this unit is compared with in `having`.
    fn of(unit: Unit) -> ValueKind {
        match unit {
            Unit::Money => ValueKind::Money,
            Unit::Count => ValueKind::Count,
            Unit::Percent => ValueKind::Percent,
            Unit::Number => ValueKind::Number,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ValueKind::Text => "a string in quotes",
            ValueKind::Money => "an amount such as £25k or 1200.50",
            ValueKind::Count => "a whole number",
            ValueKind::Percent => "a percentage",
            ValueKind::Number => "a number such as 4.2",
            ValueKind::Flag => "true or false",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pence_are_exact() {
        assert_eq!(parse_pence("25000"), Some(2_500_000));
        assert_eq!(parse_pence("-1.5"), Some(-150));
        assert_eq!(parse_pence("0.07"), Some(7));
        assert_eq!(parse_pence("1.234"), None);
        assert_eq!(parse_pence("1e3"), None);
    }
}
