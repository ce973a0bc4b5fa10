//! The resolved query in plain words, for `explain`: presentation of the IR, kept apart
//! from resolving it. Amounts are written by the one money formatter, so a credit shows
//! its sign here as it does in results.

use super::ir::{Aggregation, CompareOp, Cond, FieldRef, Layout, ReportShape, ResolvedQuery, Shape, Value};
use crate::money::money_text;
use crate::schema::Table;

/// The date a query's time conditions read, in words.
fn time_words(q: &ResolvedQuery) -> &'static str {
    match q.table {
        Table::Spend | Table::Suppliers => "payment date",
        Table::Contracts => "contract start date",
        Table::Metrics => "period start",
    }
}

/// The resolved query in plain words, for `explain`.
pub fn describe(q: &ResolvedQuery) -> Vec<String> {
    let mut lines = Vec::new();
    lines.push(format!("table: {}", q.table.name()));
    for m in q.measures.iter().filter(|m| !m.hidden) {
        let mut line = match &m.metric {
            Some(metric) => format!(
                "measure '{}': the metric \"{}\" of the metrics table, {}",
                m.label,
                metric.name,
                match metric.aggregation {
                    Aggregation::Sum => "summed",
                    Aggregation::Average => "averaged (four decimals, rounded)",
                    Aggregation::Latest => "the value of the latest period end in each group",
                }
            ),
            None => format!("measure '{}': {}", m.label, m.def.description),
        };
        for f in &m.filters {
            line.push_str(&format!("; {}", f.describe()));
        }
        if let Some(c) = &m.condition {
            line.push_str(&format!("; only where {}", describe_cond(c, q)));
        }
        if m.share {
            let within: Vec<&str> = q.share_within.iter().map(|i| q.dimensions[*i].label()).collect();
            if within.is_empty() {
                line.push_str("; as a % of the grand total");
            } else {
                line.push_str(&format!("; as a % of each {}'s total", within.join(", ")));
            }
        }
        lines.push(line);
    }
    if !q.dimensions.is_empty() {
        let dims: Vec<String> = q.dimensions.iter().map(|d| format!("{} ({})", d.label(), d.def.description)).collect();
        lines.push(format!("grouped by: {}", dims.join("; ")));
    }
    if let Some(f) = &q.filter {
        lines.push(format!("rows where: {}", describe_cond(f, q)));
    }
    match &q.shape {
        Shape::Grouped(Layout::Plain) => {}
        Shape::Grouped(Layout::Compare { current, current_label, previous, previous_label }) => lines.push(format!(
            "compare {current_label} ({}) with {previous_label} ({}), with change and change %",
            current.describe(),
            previous.describe()
        )),
        Shape::Grouped(Layout::Pivot { dimension, values }) => {
            lines.push(format!("one column per {}: {}", dimension.label(), values.join(", ")));
        }
        Shape::Report(ReportShape::Shared { entity, councils, with_contracts }) => {
            lines.push(format!(
                "each {} bought by two or more of {}: spend per council{}, largest total first",
                entity.label(),
                councils.join(", "),
                if *with_contracts { ", and whether the council has a contract covering it" } else { "" }
            ));
        }
        Shape::Report(ReportShape::Opportunities { councils }) => lines.push(format!(
            "suppliers and categories that two or more of {} buy off-contract, by off-contract spend summed \
             across councils",
            councils.join(", ")
        )),
        Shape::Report(ReportShape::Duplicates { window_days }) => lines.push(format!(
            "payments by one council to one supplier of the same amount (over £0) at most {window_days} days \
             apart, not both under one transaction number; every such payment, in numbered groups, largest \
             amount first"
        )),
        Shape::Report(ReportShape::NewSuppliers) => lines.push(
            "suppliers each council paid for the first time in the data among the payments selected, with \
             their payments and spend there, largest spend first"
                .to_string(),
        ),
        Shape::Report(ReportShape::Unusual { times, min_payments }) => lines.push(format!(
            "payments (over £0) more than {times} times the median of the council's payments to the supplier, \
             among suppliers it paid {min_payments} or more times; the most unusual first"
        )),
    }
    if let Some(window) = &q.expiry_window {
        lines.push(format!("expiring: expiry date {}", window.describe()));
    }
    if let Some(h) = &q.having {
        lines.push(format!("groups where: {}", describe_cond(h, q)));
    }
    if let Some(r) = &q.rank {
        let which = if r.descending { "top" } else { "bottom" };
        lines.push(format!("{which} {} by {}", r.count, q.measures[r.measure].label));
    }
    if let Some(l) = q.limit {
        lines.push(format!("at most {l} rows"));
    }
    lines.push(format!("as of {} (relative periods count back from this date)", q.as_of));
    lines
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::Text(t) => format!("\"{t}\""),
        Value::Money(p) => money_text(*p),
        Value::Integer(i) => i.to_string(),
        Value::Decimal(d) => d.clone(),
        Value::Bool(b) => b.to_string(),
    }
}

fn describe_field(f: &FieldRef, q: &ResolvedQuery) -> String {
    match f {
        FieldRef::Column(c) => c.to_string(),
        FieldRef::Supplier => "supplier name".to_string(),
        FieldRef::PostcodeArea(c) => format!("the area of {c}"),
        FieldRef::Measure(i) => q.measures[*i].label.clone(),
    }
}

fn describe_op(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "=",
        CompareOp::NotEq => "≠",
        CompareOp::Lt => "<",
        CompareOp::LtEq => "≤",
        CompareOp::Gt => ">",
        CompareOp::GtEq => "≥",
    }
}

fn describe_cond(c: &Cond, q: &ResolvedQuery) -> String {
    match c {
        Cond::Compare { field, op, value } => {
            format!("{} {} {}", describe_field(field, q), describe_op(*op), describe_value(value))
        }
        Cond::InList { field, values, negated } => format!(
            "{} {}in ({})",
            describe_field(field, q),
            if *negated { "not " } else { "" },
            values.iter().map(describe_value).collect::<Vec<_>>().join(", ")
        ),
        Cond::DateIn { range } => format!("{} from {}", time_words(q), range.describe()),
        Cond::DateCompare { op, date } => format!("{} {} {date}", time_words(q), describe_op(*op)),
        Cond::Contains { field, text } => format!("{} contains \"{text}\" (any case)", describe_field(field, q)),
        Cond::IsMissing { field, negated } => {
            format!("{} is {}missing", describe_field(field, q), if *negated { "not " } else { "" })
        }
        Cond::IsTrue { field } => describe_field(field, q),
        Cond::And(a, b) => format!("{} and {}", describe_cond(a, q), describe_cond(b, q)),
        Cond::Or(a, b) => format!("({} or {})", describe_cond(a, q), describe_cond(b, q)),
        Cond::Not(a) => format!("not ({})", describe_cond(a, q)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::schema::{Table, spend};

    fn query_with_filter(filter: Cond) -> ResolvedQuery {
        let as_of = NaiveDate::from_ymd_opt(2022, 3, 31).unwrap();
        ResolvedQuery { filter: Some(filter), ..ResolvedQuery::grouped(Table::Spend, as_of) }
    }

    fn rows_line(q: &ResolvedQuery) -> String {
        describe(q).into_iter().find(|l| l.starts_with("rows where")).expect("a rows line")
    }

    #[test]
    fn issue_9_a_credit_of_fifty_pence_keeps_its_sign() {
        let q = query_with_filter(Cond::Compare {
            field: FieldRef::Column(spend::AMOUNT),
            op: CompareOp::Lt,
            value: Value::Money(-50),
        });
        assert_eq!(rows_line(&q), "rows where: amount < -£0.50");
    }

    #[test]
    fn amounts_in_a_list_are_written_as_money() {
        let q = query_with_filter(Cond::InList {
            field: FieldRef::Column(spend::AMOUNT),
            values: vec![Value::Money(2_500_000), Value::Money(-1_234_567)],
            negated: false,
        });
        assert_eq!(rows_line(&q), "rows where: amount in (£25,000.00, -£12,345.67)");
    }
}
