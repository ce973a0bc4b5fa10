//! Shaping a grouped result: `compare` and `across` (the [`Layout`]), `order by`, and
//! `top`/`bottom N`.

use super::condition::equality_values;
use super::ir::{Cond, Layout, OrderKey, RankSpec, ResolvedDimension, ResolvedMeasure};
use super::model::{self, DimensionKind, contract_column};
use super::period;
use super::resolver::{Resolver, unknown};
use crate::error::{Error, ErrorKind, Result, Span};
use crate::syntax::ast::{self, Name, RankDirection};

impl Resolver<'_> {
    /// `compare A with B`, `across D`, or neither.
    pub(super) fn layout(
        &self,
        q: &ast::Query,
        dimensions: &[ResolvedDimension],
        filter: Option<&Cond>,
    ) -> Result<Layout> {
        if let Some(c) = &q.compare {
            let current = self.period(&c.current)?;
            let previous = self.period(&c.previous)?;
            return Ok(Layout::Compare {
                current,
                current_label: period::label(&c.current.kind, &current),
                previous,
                previous_label: period::label(&c.previous.kind, &previous),
            });
        }
        if let Some(name) = &q.across {
            let dim = self.dimension(name)?;
            if dimensions.iter().any(|d| d.def.name == dim.def.name) {
                return Err(Error::new(
                    ErrorKind::Semantic,
                    format!("'{}' cannot be both grouped by and pivoted across", dim.def.name),
                )
                .with_span(name.span.clone()));
            }
            let values = self.pivot_values(&dim, filter, name.span.clone())?;
            return Ok(Layout::Pivot { dimension: dim, values });
        }
        Ok(Layout::Plain)
    }

    /// `top N <dimension> by ...`: ranked by the first measure, within the other dimensions.
    pub(super) fn rank(
        &self,
        q: &ast::Query,
        rank_dimension: Option<usize>,
        dimension_count: usize,
        layout: &Layout,
    ) -> Result<Option<RankSpec>> {
        let (Some(r), Some(dim_index)) = (&q.rank, rank_dimension) else { return Ok(None) };
        if !matches!(layout, Layout::Plain) {
            return Err(Error::new(
                ErrorKind::Semantic,
                "`top`/`bottom` cannot be combined with `compare` or `across`",
            )
            .with_span(q.span.clone()));
        }
        Ok(Some(RankSpec {
            count: r.count.node,
            descending: r.direction == RankDirection::Top,
            measure: 0,
            partition: (0..dimension_count).filter(|i| *i != dim_index).collect(),
        }))
    }

    /// An `order by` key: a shown measure, a grouped dimension, a compared measure's change,
    /// or another measure computed only to sort by.
    pub(super) fn order_key(
        &self,
        name: &Name,
        dimensions: &[ResolvedDimension],
        measures: &mut Vec<ResolvedMeasure>,
        layout: &Layout,
    ) -> Result<OrderKey> {
        let text = name.text();
        if let Some(i) = measures.iter().position(|m| m.label == text) {
            return Ok(OrderKey::Measure(i));
        }
        if let Some(def) = model::find_dimension(&text)
            && let Some(i) = dimensions.iter().position(|d| d.def.name == def.name)
        {
            return Ok(OrderKey::Dimension(i));
        }
        if matches!(layout, Layout::Compare { .. }) && (text == "change" || text == "change %") {
            let mut visible = measures.iter().enumerate().filter(|(_, m)| !m.hidden).map(|(i, _)| i);
            return match (visible.next(), visible.next()) {
                (Some(measure), None) => Ok(OrderKey::Change { measure, percent: text == "change %" }),
                _ => Err(Error::new(
                    ErrorKind::Semantic,
                    format!("'{text}' is ambiguous: each compared measure has its own"),
                )
                .with_span(name.span.clone())
                .with_hint("compare one measure to order by its change")),
            };
        }
        if let Ok(mut m) = self.measure(name) {
            self.same_table(&m, name)?;
            m.hidden = true;
            measures.push(m);
            return Ok(OrderKey::Measure(measures.len() - 1));
        }
        let mut candidates: Vec<&str> = dimensions.iter().map(ResolvedDimension::label).collect();
        candidates.extend(measures.iter().map(|m| m.label.as_str()));
        Err(unknown("column to order by", &text, name.span.clone(), candidates))
    }

    /// The columns `across` makes: the dimension's values in the data (narrowed by any
    /// equality filter on it), or each period between the first and last payment.
    fn pivot_values(&self, dim: &ResolvedDimension, filter: Option<&Cond>, span: Span) -> Result<Vec<String>> {
        match dim.def.kind {
            DimensionKind::Flag(_) => Ok(vec!["yes".to_string(), "no".to_string()]),
            DimensionKind::Column(_) | DimensionKind::Contract => {
                let column = match dim.def.kind {
                    DimensionKind::Column(c) => c,
                    _ => contract_column(self.table),
                };
                let mut values = self.lookup.values(dim.def)?;
                if let Some(allowed) = filter.and_then(|f| equality_values(f, column)) {
                    values.retain(|v| allowed.contains(v));
                }
                if values.len() > 50 {
                    return Err(Error::new(
                        ErrorKind::Semantic,
                        format!("`across {}` would make {} columns", dim.def.name, values.len()),
                    )
                    .with_span(span)
                    .with_hint(format!(
                        "narrow it with `where {} in (...)`, or group `by {}` instead",
                        dim.def.name, dim.def.name
                    )));
                }
                Ok(values)
            }
            DimensionKind::Year
            | DimensionKind::FinancialYear
            | DimensionKind::Month
            | DimensionKind::Quarter
            | DimensionKind::FinancialQuarter => {
                let first = self.lookup.first_date()?;
                let last = self.as_of;
                let mut labels = Vec::new();
                let unit = match dim.def.kind {
                    DimensionKind::Year => ast::PeriodUnit::Year,
                    DimensionKind::FinancialYear => ast::PeriodUnit::FinancialYear,
                    DimensionKind::Month => ast::PeriodUnit::Month,
                    _ => ast::PeriodUnit::Quarter,
                };
                let mut cursor = period::unit_start(first, unit);
                while cursor <= last && labels.len() <= 60 {
                    labels.push(period::time_label(dim.def.kind, cursor));
                    cursor = match period::add_units(cursor, unit, 1) {
                        Some(next) => next,
                        None => break,
                    };
                }
                if labels.len() > 60 {
                    return Err(Error::new(
                        ErrorKind::Semantic,
                        format!("`across {}` would make too many columns", dim.def.name),
                    )
                    .with_span(span)
                    .with_hint("narrow the dates with `where date in ...`"));
                }
                Ok(labels)
            }
            DimensionKind::Supplier | DimensionKind::Date => Err(Error::new(
                ErrorKind::Semantic,
                format!("`across {}` would make one column per {}", dim.def.name, dim.def.name),
            )
            .with_span(span)
            .with_hint(format!("group `by {}` instead", dim.def.name))),
        }
    }
}
