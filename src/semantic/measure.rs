//! Measures and dimensions by name: a measure is the longest prefix of its words that names
//! a model measure (or a `define measure`), followed by modifiers; a set name (`workload`)
//! stands for several measures.

use super::ir::{Aggregation, Cond, MetricSpec, ResolvedDimension, ResolvedMeasure};
use super::model::{self, Modifier, RowFilter};
use super::resolver::{Resolver, needs_register, suggest, unknown};
use crate::error::{Error, ErrorKind, Result};
use crate::schema::Table;
use crate::syntax::ast::{self, Name};

impl Resolver<'_> {
    /// `metric "days to pay"`: the metric as the data holds it (names compared as ingest
    /// stores them, so `"Days to Pay"` finds it), aggregated as its figures declare.
    pub(super) fn metric(&self, m: &ast::MetricMeasure) -> Result<ResolvedMeasure> {
        let wanted = crate::schema::metrics::canonical_name(&m.name.node);
        let known = self.lookup.metrics()?;
        let aggregations: Vec<&str> = known.iter().filter(|(n, _)| *n == wanted).map(|(_, a)| a.as_str()).collect();
        let aggregation = match aggregations.as_slice() {
            [] => {
                let mut names: Vec<&str> = known.iter().map(|(n, _)| n.as_str()).collect();
                names.dedup();
                let mut err = Error::new(ErrorKind::UnknownName, format!("unknown metric \"{}\"", m.name.node))
                    .with_span(m.name.span.clone());
                err = if names.is_empty() {
                    err.with_hint("the dataset has no metrics; load some with `spendql ingest --kind metrics FILE...`")
                } else if let Some(near) = suggest(&wanted, names.iter().copied()) {
                    err.with_hint(format!("did you mean \"{near}\"?"))
                } else {
                    let mut near = names.clone();
                    near.sort_by_key(|n| strsim::damerau_levenshtein(n, &wanted));
                    near.truncate(8);
                    err.with_hint(format!("metrics in the data include: {}", near.join(", ")))
                };
                return Err(err);
            }
            [one] => Aggregation::from_name(one).ok_or_else(|| {
                Error::dataset(format!("metric \"{wanted}\" is stored with an unknown aggregation '{one}'"))
                    .with_span(m.name.span.clone())
            })?,
            several => {
                return Err(Error::new(
                    ErrorKind::Semantic,
                    format!(
                        "metric \"{wanted}\" is stored with different aggregations ({}), so it cannot be combined",
                        several.join(", ")
                    ),
                )
                .with_span(m.name.span.clone())
                .with_hint(
                    "give every file's figures of it one aggregation (an `aggregation` column in a tidy file)",
                ));
            }
        };
        let mut measure = ResolvedMeasure::of(&model::METRIC_MEASURE);
        measure.label.clone_from(&wanted);
        measure.metric = Some(MetricSpec { name: wanted, aggregation });
        Ok(measure)
    }

    /// A measure named in `having` or `order by` must read the query's table.
    pub(super) fn same_table(&self, m: &ResolvedMeasure, name: &Name) -> Result<()> {
        if m.def.table == self.table {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Semantic,
            format!(
                "'{}' is a measure of the {} table; this query reads the {} table",
                m.label,
                m.def.table.name(),
                self.table.name()
            ),
        )
        .with_span(name.span.clone()))
    }

    /// A measure name, or a set name (`workload`) standing for several.
    pub(super) fn measures(&self, name: &Name) -> Result<Vec<ResolvedMeasure>> {
        let text = name.text();
        if let Some((_, members, _)) = model::MEASURE_SETS.iter().find(|(set, _, _)| *set == text) {
            let mut out = Vec::new();
            for member in *members {
                let words = member.split(' ').map(|w| ast::Spanned::new(w.to_string(), name.span.clone())).collect();
                out.push(self.measure(&Name { words, span: name.span.clone() })?);
            }
            return Ok(out);
        }
        Ok(vec![self.measure(name)?])
    }

    pub(super) fn dimension(&self, name: &Name) -> Result<ResolvedDimension> {
        let text = name.text();
        match model::find_dimension(&text) {
            Some(def) => Ok(ResolvedDimension { def }),
            None => Err(unknown("dimension", &text, name.span.clone(), model::dimension_names().collect())),
        }
    }

    /// `spend off-contract`, `average payment`, `spend card share`, or a defined measure.
    pub(super) fn measure(&self, name: &Name) -> Result<ResolvedMeasure> {
        let words: Vec<&str> = name.words.iter().map(|w| w.node.as_str()).collect();
        // The longest prefix that names a measure; the remaining words must be modifiers.
        for split in (1..=words.len()).rev() {
            let base = words[..split].join(" ");
            let resolved = if let Some((measure, condition)) = self.definitions.measures.get(&base) {
                let mut m = self.measure(measure)?;
                if let Some(c) = condition {
                    // The condition reads the rows of the measure's own table (a contracts
                    // measure's `where social value > 0`), not the default spend table the
                    // query's table is until its measures are known.
                    let scoped = Resolver { table: m.def.table, ..*self };
                    let c = scoped.condition(c, None)?;
                    m.condition = Some(match m.condition.take() {
                        Some(prev) => Cond::And(Box::new(prev), Box::new(c)),
                        None => c,
                    });
                }
                Some(m)
            } else {
                model::find_measure(&base).map(ResolvedMeasure::of)
            };
            let Some(mut measure) = resolved else { continue };
            if (measure.def.table == Table::Contracts || measure.def.aggregate == model::Aggregate::OnContractShare)
                && !self.lookup.has_table(Table::Contracts)
            {
                return Err(needs_register(&name.text(), name.span.clone()));
            }
            for word in &name.words[split..] {
                match model::find_modifier(&word.node) {
                    Some(Modifier::Filter(f)) => {
                        if matches!(f, RowFilter::OnContract | RowFilter::OffContract)
                            && !self.lookup.has_table(Table::Contracts)
                        {
                            return Err(needs_register(&word.node, word.span.clone()));
                        }
                        if f.table() != measure.def.table {
                            return Err(Error::new(
                                ErrorKind::Semantic,
                                format!(
                                    "'{}' applies to {} measures, and '{}' is a {} measure",
                                    word.node,
                                    f.table().name(),
                                    measure.def.name,
                                    measure.def.table.name()
                                ),
                            )
                            .with_span(word.span.clone()));
                        }
                        if !measure.filters.contains(&f) {
                            measure.filters.push(f);
                        }
                    }
                    Some(Modifier::Share) => measure.share = true,
                    None => {
                        let modifiers: Vec<&str> = model::MODIFIERS.iter().map(|(w, _, _)| *w).collect();
                        let mut err =
                            Error::new(ErrorKind::UnknownName, format!("'{}' does not modify a measure", word.node))
                                .with_span(word.span.clone());
                        match suggest(&word.node, modifiers.iter().copied()) {
                            Some(s) => err = err.with_hint(format!("did you mean '{s}'?")),
                            None => err = err.with_hint(format!("modifiers are: {}", modifiers.join(", "))),
                        }
                        return Err(err);
                    }
                }
            }
            measure.label = name.text();
            return Ok(measure);
        }
        let text = name.text();
        let mut candidates: Vec<&str> = model::measure_names().collect();
        candidates.extend(self.definitions.measure_names());
        let mut err = unknown("measure", &text, name.span.clone(), candidates);
        if model::find_dimension(&text).is_some() {
            err = err.with_hint(format!("'{text}' is a dimension; write e.g. `spend by {text}`"));
        }
        Err(err)
    }
}
