//! A report's pages for managers: the result of `spendql report` ([`crate::report::ReportOutput`])
//! as one self-contained HTML page ([`write_html`]: scorecard, trends, analysis of change,
//! sections, what was loaded; inline SVG charts; printable on A4) or as a workbook
//! ([`write_report_xlsx`]: a scorecard sheet with status cells coloured by conditional
//! formatting, a sheet per section), or its tables as CSV files ([`write_report`]). An edge of its own beside `output`, which it uses for
//! cells and chart data: `report` may use `output` for its terminal tables, so the pages
//! that read `report` cannot live inside `output` without an import cycle.

mod files;
#[cfg(any(test, feature = "test-support"))]
#[doc(hidden)]
pub mod fixture;
mod html;
mod svg;
mod xlsx;

use std::path::Path;

pub use html::{MAX_TABLE_ROWS, render_html, write_html};
pub use xlsx::{render_report_xlsx, write_report_xlsx};

use crate::error::{Error, Result};
use crate::output::{Format, ResultSet};
use crate::report::{ReportOutput, flat_results};

/// Write a report to `path` in the format its extension names: `.html` (the page), `.xlsx`
/// (the workbook), or `.csv` (every table of the report in a numbered file of its own,
/// `pack-1-....csv`, for sending to systems that read CSV). The one place a report meets a
/// file format.
pub fn write_report(report: &ReportOutput, path: &Path) -> Result<()> {
    let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => write_html(report, path),
        "xlsx" => write_report_xlsx(report, path),
        "csv" => {
            let results: Vec<ResultSet> =
                flat_results(report).into_iter().map(|(title, result)| ResultSet::from(result).titled(title)).collect();
            crate::output::write_file(&results, Format::Csv, path)
        }
        _ => Err(Error::usage(format!("cannot write a report to {}", path.display())).with_hint(
            "a report is written as .html or .xlsx (or .csv, a file per table); without --output it prints as tables",
        )),
    }
}
