//! JSON (one array) and NDJSON (one object per line); money as exact JSON numbers.

use std::io::Write;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Float64Type};

use super::cells::{cell_text, io_error, is_numeric};
use super::result::ResultSet;
use crate::error::Result;

fn json_value(array: &ArrayRef, row: usize) -> String {
    match cell_text(array, row, false) {
        None => "null".to_string(),
        Some(text) => match array.data_type() {
            DataType::Float64 if !array.as_primitive::<Float64Type>().value(row).is_finite() => "null".into(),
            t if is_numeric(t) => text,
            DataType::Boolean => text,
            _ => serde_json::to_string(&text).unwrap_or_else(|_| "null".into()),
        },
    }
}

fn json_row(batch: &RecordBatch, row: usize) -> String {
    let fields: Vec<String> = batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(f, c)| format!("{}:{}", serde_json::to_string(f.name()).unwrap_or_default(), json_value(c, row)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// A JSON array of objects; money as plain JSON numbers (`1234.56`), never rounded.
pub fn write_json(result: &ResultSet, out: &mut dyn Write) -> Result<()> {
    let io = io_error("JSON");
    write!(out, "[").map_err(&io)?;
    let mut first = true;
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            write!(out, "{}\n  {}", if first { "" } else { "," }, json_row(batch, row)).map_err(&io)?;
            first = false;
        }
    }
    writeln!(out, "{}]", if first { "" } else { "\n" }).map_err(&io)
}

/// Write `result` to `out` as newline-delimited JSON, one object per row.
pub fn write_ndjson(result: &ResultSet, out: &mut dyn Write) -> Result<()> {
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            writeln!(out, "{}", json_row(batch, row)).map_err(io_error("NDJSON"))?;
        }
    }
    Ok(())
}
