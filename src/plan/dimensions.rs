//! Dimensions: the value a row has for each, the key grouped results are grouped by, and
//! the supplier labels joined on after grouping (from the `suppliers` table).

use datafusion::common::ScalarValue;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, lit, when};

use super::frame::{Scan, column};
use super::time;
use crate::error::Result;
use crate::schema::{Table, spend, suppliers};
use crate::semantic::ir::ResolvedDimension;
use crate::semantic::model::{DimensionKind, contract_column};

/// The grouping column of the supplier dimension, before it gets its label.
pub(super) const SUPPLIER_KEY_ALIAS: &str = "__supplier_key";
/// The columns [`supplier_names`] gives: key, and label (the commonest published name).
pub(super) const NAME_KEY: &str = "__name_key";
pub(super) const SUPPLIER_NAME_ALIAS: &str = "__supplier_name";

/// The value a row of `table` has for a dimension.
pub(super) fn dimension_expr(kind: DimensionKind, table: Table) -> Expr {
    match kind {
        DimensionKind::Column(c) => column(c),
        DimensionKind::Supplier => column(spend::SUPPLIER_KEY),
        DimensionKind::Contract => column(contract_column(table)),
        DimensionKind::Flag(c) => when(column(c).is_true(), lit("yes"))
            .when(column(c).is_false(), lit("no"))
            .end()
            .unwrap_or_else(|_| lit(ScalarValue::Utf8(None))),
        // The time kinds, each of which has a label expression.
        _ => time::label_expr(kind, table).unwrap_or_else(|| lit(ScalarValue::Utf8(None))),
    }
}

/// The name a dimension's grouping column has until labels are attached.
pub(super) fn group_alias(dim: &ResolvedDimension) -> &'static str {
    if dim.def.kind == DimensionKind::Supplier { SUPPLIER_KEY_ALIAS } else { dim.label() }
}

/// What a dimension groups by. Time periods group by a whole number (`202104`) and get their
/// text label after aggregating: formatting a label for every row costs more than the
/// aggregation.
pub(super) fn group_key(dim: &ResolvedDimension, table: Table) -> Expr {
    let kind = dim.def.kind;
    time::key_expr(kind, table).unwrap_or_else(|| dimension_expr(kind, table)).alias(group_alias(dim))
}

/// The grouped column's shown value: a time key turned into its label, or the column.
pub(super) fn group_label(dim: &ResolvedDimension) -> Expr {
    let name = group_alias(dim);
    match time::label_from_key(dim.def.kind, column(name)) {
        Some(label) => label.alias(name),
        None => column(name),
    }
}

/// Whether any dimension groups by a key that needs relabelling.
pub(super) fn has_time_key(dimensions: &[ResolvedDimension], table: Table) -> bool {
    dimensions.iter().any(|d| time::key_expr(d.def.kind, table).is_some())
}

/// `supplier_key → label` from the `suppliers` table, which ingest rebuilds with every
/// change: the commonest published name per key is worked out once there, not by
/// regrouping every row of every supplier query by (key, name).
pub(super) fn supplier_names(scan: Scan) -> Result<LogicalPlan> {
    Ok(LogicalPlanBuilder::from(scan(Table::Suppliers)?)
        .project(vec![
            column(suppliers::SUPPLIER_KEY).alias(NAME_KEY),
            column(suppliers::NAME).alias(SUPPLIER_NAME_ALIAS),
        ])?
        .build()?)
}
