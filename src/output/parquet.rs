//! A result as a Parquet file, its Arrow types (money as `Decimal128(18,2)`) kept.

use std::io::Write;

use super::cells::io_error;
use super::result::ResultSet;
use crate::error::Result;

/// Write `result` to `out` as one Parquet file.
pub fn write_parquet(result: &ResultSet, out: &mut dyn Write) -> Result<()> {
    // Results are small and already in memory; buffering lets any writer (even a locked
    // stdout, which the Parquet writer cannot take) receive the file.
    let mut buffer = Vec::new();
    let mut writer = datafusion::parquet::arrow::ArrowWriter::try_new(&mut buffer, result.schema.clone(), None)?;
    for batch in &result.batches {
        writer.write(batch)?;
    }
    writer.close()?;
    out.write_all(&buffer).map_err(io_error("Parquet"))
}
