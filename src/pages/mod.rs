//! A report's pages for managers: the result of `spendql report` ([`crate::report::ReportOutput`])
//! as one self-contained HTML page ([`write_html`]: scorecard, trends, analysis of change,
//! sections, what was loaded; inline SVG charts; printable on A4) or as a workbook
//! ([`write_report_xlsx`]: a scorecard sheet with status cells coloured by conditional
//! formatting, a sheet per section). An edge of its own beside `output`, which it uses for
//! cells and chart data: `report` may use `output` for its terminal tables, so the pages
//! that read `report` cannot live inside `output` without an import cycle.

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

/// Write `bytes` to `path` under a hidden temporary name, renamed into place only when
/// complete, so a failed run never leaves half a report that looks finished.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = path.with_file_name(format!(".partial-{name}"));
    let written =
        std::fs::write(&temp, bytes).map_err(|e| Error::io(format!("cannot write {}", temp.display()), e)).and_then(
            |()| std::fs::rename(&temp, path).map_err(|e| Error::io(format!("cannot write {}", path.display()), e)),
        );
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}
