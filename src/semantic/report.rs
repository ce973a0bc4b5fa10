//! Reports ([`model::Report`]): `suppliers shared by council`, `categories shared by
//! council` and `collaboration opportunities`, which read spend (and the register when
//! there is one) and are always by council; and the payment checks `possible duplicate
//! payments`, `unusual payments` and `new suppliers`, which list payments (or suppliers) and
//! take no `by`. Every report takes
//! only `where` and `limit`.

use super::condition::equality_values;
use super::ir::{ReportShape, ResolvedDimension, ResolvedQuery, Shape};
use super::model::{self, DimensionKind, Report};
use super::resolver::{Resolver, needs_register};
use crate::error::{Error, ErrorKind, Result};
use crate::schema::{Table, spend};
use crate::syntax::ast::{self, Name};

impl Resolver<'_> {
    pub(super) fn report(&mut self, q: &ast::Query, name: &Name, report: Report) -> Result<ResolvedQuery> {
        let text = name.text();
        let unsupported = [
            (q.rank.is_some(), "top/bottom"),
            (q.within.is_some(), "within"),
            (q.across.is_some(), "across"),
            (q.compare.is_some(), "compare"),
            (q.having.is_some(), "having"),
            (!q.order_by.is_empty(), "order by"),
        ];
        if let Some((_, clause)) = unsupported.iter().find(|(present, _)| *present) {
            return Err(Error::new(ErrorKind::Semantic, format!("`{text}` does not take `{clause}`"))
                .with_span(q.span.clone())
                .with_hint("narrow it with `where ...` and `limit N`; its order is fixed"));
        }
        if matches!(report, Report::DuplicatePayments | Report::UnusualPayments | Report::NewSuppliers) {
            return self.payment_check(q, name, report);
        }
        let council = model::council_dimension();
        match q.group_by.as_slice() {
            [] => {}
            [by] if model::find_dimension(&by.text()).is_some_and(|d| d.name == council.name) => {}
            [by, ..] => {
                return Err(Error::new(ErrorKind::Semantic, format!("`{text}` is always by council"))
                    .with_span(by.span.clone())
                    .with_hint(format!("write `{text} by council`")));
            }
        }
        let filter = match &q.filter {
            Some(e) => Some(self.condition(e, None)?),
            None => None,
        };
        let mut councils = self.lookup.values(council)?;
        if let Some(allowed) = filter.as_ref().and_then(|f| equality_values(f, spend::COUNCIL)) {
            councils.retain(|c| allowed.contains(c));
        }
        let with_contracts = self.lookup.has_table(Table::Contracts);
        let (shape, dimensions) = match report {
            Report::Opportunities => {
                if !with_contracts {
                    return Err(needs_register(&text, name.span.clone()));
                }
                (ReportShape::Opportunities { councils }, Vec::new())
            }
            Report::SuppliersShared | Report::CategoriesShared => {
                let kind = if report == Report::SuppliersShared {
                    DimensionKind::Supplier
                } else {
                    DimensionKind::Column(spend::CATEGORY)
                };
                let def =
                    model::DIMENSIONS.iter().find(|d| d.kind == kind).expect("the model has supplier and category");
                let entity = ResolvedDimension { def };
                (ReportShape::Shared { entity: entity.clone(), councils, with_contracts }, vec![entity])
            }
            Report::DuplicatePayments | Report::UnusualPayments | Report::NewSuppliers => {
                unreachable!("resolved by payment_check")
            }
        };
        Ok(ResolvedQuery {
            filter,
            dimensions,
            shape: Shape::Report(shape),
            limit: q.limit.as_ref().map(|l| l.node),
            chart: q.as_chart,
            ..ResolvedQuery::grouped(Table::Spend, self.as_of)
        })
    }

    /// `possible duplicate payments`, `unusual payments` and `new suppliers`: lists of spend
    /// rows or suppliers, one council at a time (their rules compare a council's payments
    /// with its own), so no `by`.
    fn payment_check(&mut self, q: &ast::Query, name: &Name, report: Report) -> Result<ResolvedQuery> {
        let text = name.text();
        if let Some(by) = q.group_by.first() {
            return Err(Error::new(ErrorKind::Semantic, format!("`{text}` lists payments and takes no `by`"))
                .with_span(by.span.clone())
                .with_hint("every payment already carries its council; narrow it with `where council = ...`"));
        }
        let filter = match &q.filter {
            Some(e) => Some(self.condition(e, None)?),
            None => None,
        };
        let shape = match report {
            Report::DuplicatePayments => ReportShape::Duplicates { window_days: model::DUPLICATE_WINDOW_DAYS },
            Report::UnusualPayments => {
                ReportShape::Unusual { times: model::UNUSUAL_TIMES_MEDIAN, min_payments: model::UNUSUAL_MIN_PAYMENTS }
            }
            _ => ReportShape::NewSuppliers,
        };
        Ok(ResolvedQuery {
            filter,
            shape: Shape::Report(shape),
            limit: q.limit.as_ref().map(|l| l.node),
            chart: q.as_chart,
            ..ResolvedQuery::grouped(Table::Spend, self.as_of)
        })
    }
}
