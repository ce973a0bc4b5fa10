//! `spendql demo`: ingest the bundled sample (spend, card and contracts files) into a fresh
//! dataset, show what was loaded, and answer a few questions about it — a first look at
//! everything working together.
//! It only orchestrates: ingest and the language are used through their public functions.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::catalog::{Dataset, SourceKind};
use crate::error::{Error, Result};
use crate::exec::{Cancel, Engine};
use crate::ingest::{self, IngestOptions};
use crate::output;

/// Questions the demo asks of the sample, in the order shown.
pub const DEMO_QUERIES: &[(&str, &str)] = &[
    ("Spend by council and financial year", "spend, transactions, suppliers by council, fy"),
    ("Top 10 suppliers across the three councils", "top 10 suppliers by spend"),
    ("Card spend by council", "spend card, transactions card by council"),
    ("Each council side by side, by financial year", "spend by fy across council"),
    ("How spend changed between the last two financial years", "spend by council compare this fy with previous fy"),
];

/// Questions about contracts, asked when the sample's registers are loaded.
pub const DEMO_CONTRACT_QUERIES: &[(&str, &str)] = &[
    ("On- and off-contract spend by council", "spend on-contract, spend off-contract, on-contract share by council"),
    ("Collaboration opportunities across the councils", "collaboration opportunities limit 10"),
    (
        "Contracts expiring in the next 6 months, by officer",
        "contracts expiring, contract value expiring by officer within 6 months",
    ),
];

/// Questions about the figures outside spend and contracts, asked when metrics are loaded.
pub const DEMO_METRIC_QUERIES: &[(&str, &str)] = &[
    (
        "Satisfaction and days to pay by council, last financial year",
        "metric \"customer satisfaction\", metric \"supplier satisfaction\", metric \"days to pay\" by council where fy = previous fy",
    ),
    (
        "The service's website and social media, last 3 months",
        "metric \"sessions\", metric \"page views\", metric \"impressions\", metric \"follows\" by month where date in last 3 months",
    ),
];

/// What kind of published file a sample file is, from its name.
fn kind_of(name: &str) -> Option<SourceKind> {
    let lower = name.to_ascii_lowercase();
    if ![".csv", ".zip", ".xlsx", ".csv.gz"].iter().any(|e| lower.ends_with(e)) {
        None
    } else if ["metrics", "ga4", "social"].iter().any(|w| lower.contains(w)) {
        Some(SourceKind::Metrics)
    } else if lower.contains("contract") {
        Some(SourceKind::Contracts)
    } else if lower.contains("card") || lower.contains("gpc") {
        Some(SourceKind::Card)
    } else {
        Some(SourceKind::Spend)
    }
}

/// Ingest every council folder of `sample` into a fresh dataset at `dataset_dir`, then run
/// the demo queries, writing everything to `out`.
pub fn run_demo(sample: &Path, dataset_dir: &Path, width: Option<u16>, out: &mut dyn Write) -> Result<()> {
    let io = |e| Error::io("cannot write output", e);
    if dataset_dir.exists() {
        if !dataset_dir.join("versions").is_dir() {
            return Err(Error::usage(format!(
                "{} exists and is not a spendql dataset; refusing to replace it",
                dataset_dir.display()
            ))
            .with_hint("pass --dataset with a new folder"));
        }
        std::fs::remove_dir_all(dataset_dir)
            .map_err(|e| Error::io(format!("cannot clear {}", dataset_dir.display()), e))?;
    }
    let dataset = Dataset::new(dataset_dir);
    let mut councils: Vec<PathBuf> = std::fs::read_dir(sample)
        .map_err(|e| Error::io(format!("cannot read the sample at {}", sample.display()), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    councils.sort();
    for folder in councils {
        let Some(folder_name) = folder.file_name().and_then(|n| n.to_str()) else { continue };
        // The shared service's own files (its website, its social media) are no council's.
        let service = folder_name == crate::generate::SERVICE_FOLDER;
        let council = if service { String::new() } else { crate::schema::council_display_name(folder_name) };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(|e| Error::io(format!("cannot read {}", folder.display()), e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for kind in [SourceKind::Spend, SourceKind::Card, SourceKind::Contracts, SourceKind::Metrics] {
            let batch: Vec<PathBuf> = files
                .iter()
                .filter(|f| f.file_name().and_then(|n| n.to_str()).and_then(kind_of) == Some(kind))
                .cloned()
                .collect();
            if batch.is_empty() {
                continue;
            }
            let whose = if service { "the shared service's" } else { council.as_str() };
            writeln!(out, "\n== Ingesting {whose} {} files", kind.name()).map_err(io)?;
            let options = IngestOptions {
                council: council.clone(),
                kind,
                profile: None,
                progress: false,
                max_reject_rate: ingest::DEFAULT_MAX_REJECT_RATE,
            };
            ingest::ingest_files(&dataset, &batch, &options, out)?;
        }
    }
    let engine = Engine::open(&dataset)?;
    let with_contracts = engine.has_table(crate::schema::Table::Contracts);
    let contract_queries = if with_contracts { DEMO_CONTRACT_QUERIES } else { &[] };
    let with_metrics = !dataset.manifest()?.sources.iter().all(|s| s.kind != SourceKind::Metrics);
    let metric_queries = if with_metrics { DEMO_METRIC_QUERIES } else { &[] };
    for (title, query) in DEMO_QUERIES.iter().chain(contract_queries).chain(metric_queries) {
        writeln!(out, "\n== {title}\n   {query}").map_err(io)?;
        let result = engine.query(query, Cancel::Never)?;
        output::write_table(&result.into(), width, out)?;
    }
    if with_contracts {
        // The sample's "today" is its latest payment, so the plan has work in it.
        let as_of = engine.as_of()?;
        let options = crate::workplan::WorkplanOptions { as_of, months: 6, officers_file: None };
        let plan = crate::workplan::build_workplan(&dataset, &options)?;
        writeln!(out, "\n== Work plan: who re-procures what\n   spendql workplan --months 6 --as-of {as_of}")
            .map_err(io)?;
        let summary = output::Report {
            before: vec![output::Part::Line(crate::workplan::window_line(&plan))],
            after: crate::workplan::summary(&plan),
            ..output::Report::default()
        };
        let screen = output::PrintOptions::choose(Some(output::Format::Table), None, true)?.with_width(width);
        screen.print(&summary, out, &mut std::io::sink())?;
    }
    writeln!(
        out,
        "\nThe dataset is in {}. Try:\n  spendql --dataset {} query \"spend by category where fy = FY2022/23\"",
        dataset_dir.display(),
        dataset_dir.display()
    )
    .map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_files_are_sorted_by_kind_from_their_names() {
        assert_eq!(kind_of("trafford-contracts-register.csv"), Some(SourceKind::Contracts));
        assert_eq!(kind_of("trafford-gpc-2021-22.csv"), Some(SourceKind::Card));
        assert_eq!(kind_of("stockport-purchase-card-transactions.csv"), Some(SourceKind::Card));
        assert_eq!(kind_of("stockport-spend-2021-22.xlsx"), Some(SourceKind::Spend));
        assert_eq!(kind_of("trafford-supplier-spend-2021-22.zip"), Some(SourceKind::Spend));
        assert_eq!(kind_of("stockport-performance-metrics.csv"), Some(SourceKind::Metrics));
        assert_eq!(kind_of("service-website-ga4.csv"), Some(SourceKind::Metrics));
        assert_eq!(kind_of("service-social-media.csv"), Some(SourceKind::Metrics));
        assert_eq!(kind_of("README.md"), None);
        assert_eq!(kind_of("contracts-notes.md"), None);
    }
}
