//! CSV with plain numbers (money as `1234.56`), for scripts and spreadsheets.

use std::io::Write;

use super::cells::{cell_text, io_error};
use super::result::ResultSet;
use crate::error::{Error, ErrorKind, Result};

/// Write `result` to `out` as CSV with a header row.
pub fn write_csv(result: &ResultSet, out: &mut dyn Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let fail = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => Error::io("cannot write CSV", e),
        other => Error::new(ErrorKind::Io, format!("cannot write CSV: {other:?}")),
    };
    writer.write_record(result.schema.fields().iter().map(|f| f.name())).map_err(fail)?;
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            writer
                .write_record(batch.columns().iter().map(|c| cell_text(c, row, false).unwrap_or_default()))
                .map_err(fail)?;
        }
    }
    writer.flush().map_err(io_error("CSV"))
}
