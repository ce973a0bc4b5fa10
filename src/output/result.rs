//! The one thing every writer prints: a result's columns and rows with how people should see
//! it, apart from the printer's routing so the writers depend on it and not on the printer.

use std::time::Duration;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;

/// A result to print: its columns and rows, and how people should see it.
#[derive(Debug, Clone)]
pub struct ResultSet {
    /// A heading for people, a sheet name in a workbook, a slug in numbered file names.
    pub title: Option<String>,
    /// The result's columns.
    pub schema: SchemaRef,
    /// The result's rows, in order.
    pub batches: Vec<RecordBatch>,
    /// Draw the result's chart under its table (`as chart`).
    pub chart: bool,
    /// How long the engine took, for `--timing`.
    pub elapsed: Option<Duration>,
}

impl ResultSet {
    /// An untitled result of `batches`, not charted, with no time.
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> ResultSet {
        ResultSet { title: None, schema, batches, chart: false, elapsed: None }
    }

    /// An untitled result of one batch.
    pub fn from_batch(batch: RecordBatch) -> ResultSet {
        ResultSet::new(batch.schema(), vec![batch])
    }

    /// The same result with `title`.
    pub fn titled(mut self, title: impl Into<String>) -> ResultSet {
        self.title = Some(title.into());
        self
    }

    /// Rows in the result.
    pub fn row_count(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}
