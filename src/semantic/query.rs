//! A query's clauses in the order they depend on each other: grouping first (the rank and
//! `within` dimensions join it), then measures (which decide the table), then the clauses
//! that read both. Each clause has its own resolver step, in this file or beside the
//! construct it resolves ([`super::measure`], [`super::condition`], [`super::shaping`],
//! [`super::report`]).

use super::ir::{ResolvedDimension, ResolvedMeasure, ResolvedQuery, Shape};
use super::model::{self, RowFilter};
use super::period::{self, DateRange};
use super::resolver::{Resolver, check_dimension_table};
use crate::error::{Error, ErrorKind, Result};
use crate::schema::Table;
use crate::syntax::ast::{self, Within};

/// The grouping of a query: its dimensions, where the ranked one sits among them, and the
/// `within` clause's effect.
struct Grouping<'q> {
    dimensions: Vec<ResolvedDimension>,
    /// Index of the `top N <dimension>` dimension in `dimensions`.
    rank_dimension: Option<usize>,
    share_within: Vec<usize>,
    /// `within 6 months`: resolved once the measures say whether it applies.
    expiry_period: Option<&'q ast::Period>,
}

impl Resolver<'_> {
    pub(super) fn query(&mut self, q: &ast::Query) -> Result<ResolvedQuery> {
        if let [ast::Measure::Named(only)] = q.measures.as_slice()
            && let Some(report) = model::find_report(&only.text())
        {
            return self.report(q, only, report.report);
        }
        let Grouping { dimensions, rank_dimension, share_within, expiry_period } = self.grouping(q)?;
        let mut measures = self.query_measures(q)?;
        for (dim, name) in dimensions.iter().zip(q.rank.iter().map(|r| &r.dimension).chain(q.group_by.iter())) {
            check_dimension_table(dim.def, self.table, name.span.clone())?;
        }
        let expiry_window = self.expiry_window(expiry_period, &measures)?;
        if measures.iter().any(|m| m.share) && q.across.is_some() {
            return Err(
                Error::new(ErrorKind::Semantic, "`share` and `across` cannot be combined").with_span(q.span.clone())
            );
        }
        let filter = match &q.filter {
            Some(e) => Some(self.condition(e, None)?),
            None => None,
        };
        let layout = self.layout(q, &dimensions, filter.as_ref())?;
        let having = match &q.having {
            Some(e) => Some(self.condition(e, Some(&mut measures))?),
            None => None,
        };
        let mut order = Vec::new();
        for item in &q.order_by {
            let key = self.order_key(&item.name, &dimensions, &mut measures, &layout)?;
            order.push((key, item.descending));
        }
        let rank = self.rank(q, rank_dimension, dimensions.len(), &layout)?;
        Ok(ResolvedQuery {
            filter,
            dimensions,
            measures,
            share_within,
            shape: Shape::Grouped(layout),
            rank,
            having,
            order,
            limit: q.limit.as_ref().map(|l| l.node),
            chart: q.as_chart,
            expiry_window,
            ..ResolvedQuery::grouped(self.table, self.as_of)
        })
    }

    /// The ranked dimension, then `by`, then a `within` dimension that is not already there.
    fn grouping<'q>(&self, q: &'q ast::Query) -> Result<Grouping<'q>> {
        let mut dimensions = Vec::new();
        let mut rank_dimension = None;
        if let Some(rank) = &q.rank {
            rank_dimension = Some(dimensions.len());
            dimensions.push(self.dimension(&rank.dimension)?);
        }
        for name in &q.group_by {
            let dim = self.dimension(name)?;
            if dimensions.iter().any(|d: &ResolvedDimension| d.def.name == dim.def.name) {
                return Err(Error::new(ErrorKind::Semantic, format!("'{}' is grouped by twice", dim.def.name))
                    .with_span(name.span.clone()));
            }
            dimensions.push(dim);
        }
        let mut share_within = Vec::new();
        let mut expiry_period = None;
        match &q.within {
            Some(Within::Dimension(name)) => {
                let dim = self.dimension(name)?;
                let index = match dimensions.iter().position(|d| d.def.name == dim.def.name) {
                    Some(i) => i,
                    None => {
                        // Shares within a dimension need it in the grouping; put it first.
                        dimensions.insert(0, dim);
                        if let Some(r) = rank_dimension.as_mut() {
                            *r += 1;
                        }
                        0
                    }
                };
                share_within.push(index);
            }
            Some(Within::Period(p)) => expiry_period = Some(p),
            None => {}
        }
        Ok(Grouping { dimensions, rank_dimension, share_within, expiry_period })
    }

    /// The measures, all of one table, which becomes the table the query reads.
    fn query_measures(&mut self, q: &ast::Query) -> Result<Vec<ResolvedMeasure>> {
        let mut measures = Vec::new();
        let mut spans = Vec::new();
        for measure in &q.measures {
            let resolved = match measure {
                ast::Measure::Named(name) => self.measures(name)?,
                ast::Measure::Metric(metric) => vec![self.metric(metric)?],
            };
            spans.extend(std::iter::repeat_n(measure.span().clone(), resolved.len()));
            measures.extend(resolved);
        }
        let table = measures.first().map_or(Table::Spend, |m| m.def.table);
        if let Some((m, span)) = measures.iter().zip(spans).find(|(m, _)| m.def.table != table) {
            return Err(Error::new(
                ErrorKind::Semantic,
                format!(
                    "'{}' is a measure of the {} table and cannot be mixed with measures of the {} table",
                    m.label,
                    m.def.table.name(),
                    table.name()
                ),
            )
            .with_span(span)
            .with_hint("ask them as two queries"));
        }
        self.table = table;
        Ok(measures)
    }

    /// The window `expiring` measures look at: `within` a period, or the default months.
    fn expiry_window(&self, period: Option<&ast::Period>, measures: &[ResolvedMeasure]) -> Result<Option<DateRange>> {
        let expiring = measures.iter().any(|m| m.filters.contains(&RowFilter::Expiring));
        match period {
            Some(p) if expiring => Ok(Some(self.period(p)?)),
            Some(p) => Err(Error::new(
                ErrorKind::Semantic,
                "`within` a period applies to `expiring` contract measures",
            )
            .with_span(p.span.clone())
            .with_hint(
                "write e.g. `contracts expiring within 6 months`; for spend write `where date in last 6 months`",
            )),
            None if expiring => Ok(period::resolve(
                &ast::PeriodKind::Next { count: model::DEFAULT_EXPIRY_MONTHS, unit: ast::PeriodUnit::Month },
                self.as_of,
            )),
            None => Ok(None),
        }
    }
}
