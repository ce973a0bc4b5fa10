//! Harmonised rows → Arrow batches → Parquet, one file per (source, financial year)
//! partition. Rows are appended column by column into reusable builders, so the parse loop
//! allocates per batch, not per cell; the Parquet encoding runs on its own thread.
//! The writer also sums what it actually wrote, which is the "loaded" side of the
//! reconciliation: it is counted from the written arrays, not from the parser's tally.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int64Array, StringArray, StringBuilder,
};
use datafusion::arrow::compute::{SortColumn, lexsort_to_indices, take_record_batch};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};

use crate::error::{Error, Result};
use crate::schema::{MONEY_PRECISION, MONEY_SCALE, spend_schema};

/// Rows per Arrow batch handed from the parser to the writer.
pub const BATCH_ROWS: usize = 32 * 1024;
/// Rows per Parquet row group: see BENCHMARKS.md (Parquet layout) for the measurements.
pub const ROW_GROUP_ROWS: usize = 1024 * 1024;

/// Text columns of a spend row, in schema order.
pub const TEXT_COLUMNS: usize = 12;
pub mod text {
    pub const TRANSACTION_ID: usize = 0;
    pub const SUPPLIER_NAME: usize = 1;
    pub const SUPPLIER_KEY: usize = 2;
    pub const SUPPLIER_ID: usize = 3;
    pub const COMPANY_NUMBER: usize = 4;
    pub const CHARITY_NUMBER: usize = 5;
    pub const VAT_NUMBER: usize = 6;
    pub const DEPARTMENT: usize = 7;
    pub const EXPENSE_TYPE: usize = 8;
    pub const PUBLISHED_CATEGORY: usize = 9;
    pub const PUBLISHED_CATEGORY_CODE: usize = 10;
    pub const PURPOSE: usize = 11;
}

/// One harmonised row, borrowing its text from the parser's buffers.
pub struct Row<'a> {
    pub payment_date: i32,
    pub amount: i128,
    pub irrecoverable_vat: Option<i128>,
    pub text: [Option<&'a str>; TEXT_COLUMNS],
    pub is_card: bool,
    pub redacted: bool,
    pub source_row: i64,
    pub extras: Option<&'a str>,
}

/// Column builders for one partition's next batch.
struct Columns {
    payment_date: Vec<i32>,
    amount: Vec<i128>,
    irrecoverable_vat: Vec<Option<i128>>,
    text: Vec<StringBuilder>,
    is_card: Vec<bool>,
    redacted: Vec<bool>,
    source_row: Vec<i64>,
    extras: StringBuilder,
}

impl Columns {
    fn new() -> Self {
        Columns {
            payment_date: Vec::with_capacity(BATCH_ROWS),
            amount: Vec::with_capacity(BATCH_ROWS),
            irrecoverable_vat: Vec::with_capacity(BATCH_ROWS),
            text: (0..TEXT_COLUMNS).map(|_| StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 16)).collect(),
            is_card: Vec::with_capacity(BATCH_ROWS),
            redacted: Vec::with_capacity(BATCH_ROWS),
            source_row: Vec::with_capacity(BATCH_ROWS),
            extras: StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 64),
        }
    }

    fn len(&self) -> usize {
        self.amount.len()
    }

    fn push(&mut self, row: &Row<'_>) {
        self.payment_date.push(row.payment_date);
        self.amount.push(row.amount);
        self.irrecoverable_vat.push(row.irrecoverable_vat);
        for (builder, value) in self.text.iter_mut().zip(row.text) {
            builder.append_option(value);
        }
        self.is_card.push(row.is_card);
        self.redacted.push(row.redacted);
        self.source_row.push(row.source_row);
        self.extras.append_option(row.extras);
    }

    fn finish(&mut self, constants: &Constants) -> Result<RecordBatch> {
        let rows = self.len();
        let money = |values: Vec<Option<i128>>| -> Result<ArrayRef> {
            Ok(Arc::new(Decimal128Array::from(values).with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)?))
        };
        let mut text: Vec<ArrayRef> = self.text.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef).collect();
        let mut next_text = || text.remove(0);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(std::iter::repeat_n(&constants.council, rows))),
            Arc::new(std::iter::repeat_n(constants.council_code.as_deref(), rows).collect::<StringArray>()),
            next_text(),
            Arc::new(Date32Array::from(std::mem::take(&mut self.payment_date))),
            money(std::mem::take(&mut self.amount).into_iter().map(Some).collect())?,
            money(std::mem::take(&mut self.irrecoverable_vat))?,
            next_text(),
            next_text(),
            next_text(),
            next_text(),
            next_text(),
            next_text(),
            next_text(),
            next_text(),
            next_text(),
            next_text(),
            next_text(),
            Arc::new(BooleanArray::from(std::mem::take(&mut self.is_card))),
            Arc::new(BooleanArray::from(std::mem::take(&mut self.redacted))),
            Arc::new(StringArray::from_iter_values(std::iter::repeat_n(&constants.source_file, rows))),
            Arc::new(Int64Array::from(std::mem::take(&mut self.source_row))),
            Arc::new(self.extras.finish()),
            // Filled in by `crate::link` once the batch's files are placed.
            datafusion::arrow::array::new_null_array(&datafusion::arrow::datatypes::DataType::Utf8, rows),
        ];
        // category, category_code, category_group, category_source: filled in by
        // `categorise` once every file of the transaction is placed.
        let mut columns = columns;
        for _ in 0..4 {
            columns.push(datafusion::arrow::array::new_null_array(&datafusion::arrow::datatypes::DataType::Utf8, rows));
        }
        Ok(RecordBatch::try_new(constants.schema.clone(), columns)?)
    }
}

/// The values every row of a source shares.
#[derive(Clone)]
pub struct Constants {
    pub council: String,
    pub council_code: Option<String>,
    pub source_file: String,
    pub schema: SchemaRef,
}

/// Collects rows into per-financial-year batches and hands full ones to `emit`.
pub struct Batcher {
    constants: Constants,
    open: BTreeMap<i32, Columns>,
}

impl Batcher {
    pub fn new(council: &str, council_code: Option<&str>, source_file: &str) -> Self {
        let constants = Constants {
            council: council.to_string(),
            council_code: council_code.map(str::to_string),
            source_file: source_file.to_string(),
            schema: spend_schema(),
        };
        Batcher { constants, open: BTreeMap::new() }
    }

    pub fn push(&mut self, financial_year: i32, row: &Row<'_>) -> Result<Option<(i32, RecordBatch)>> {
        let columns = self.open.entry(financial_year).or_insert_with(Columns::new);
        columns.push(row);
        if columns.len() >= BATCH_ROWS {
            return Ok(Some((financial_year, columns.finish(&self.constants)?)));
        }
        Ok(None)
    }

    /// The partly filled batches left at the end of a source.
    pub fn finish(mut self) -> Result<Vec<(i32, RecordBatch)>> {
        let mut batches = Vec::new();
        for (year, columns) in &mut self.open {
            if columns.len() > 0 {
                batches.push((*year, columns.finish(&self.constants)?));
            }
        }
        Ok(batches)
    }
}

/// Codec used for the Parquet files. `SPENDQL_PARQUET_CODEC` (`zstd` or `snappy`) exists
/// only so the layout benchmark can compare them; zstd level 1 is the measured default.
fn compression() -> Compression {
    match std::env::var("SPENDQL_PARQUET_CODEC").as_deref() {
        Ok("snappy") => Compression::SNAPPY,
        Ok("none") => Compression::UNCOMPRESSED,
        _ => Compression::ZSTD(ZstdLevel::try_new(1).unwrap_or_default()),
    }
}

/// Rows per row group; `SPENDQL_PARQUET_ROW_GROUP` exists only for the layout benchmark.
fn row_group_rows() -> usize {
    std::env::var("SPENDQL_PARQUET_ROW_GROUP")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(ROW_GROUP_ROWS)
}

pub fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(compression())
        .set_max_row_group_row_count(Some(row_group_rows()))
        .set_dictionary_enabled(true)
        .set_statistics_enabled(EnabledStatistics::Page)
        .build()
}

/// One Parquet file being written for one financial year of one source.
pub struct PartitionFile {
    /// `None` for a table not partitioned by financial year (contracts).
    pub financial_year: Option<i32>,
    pub path: PathBuf,
    pub rows: u64,
    pub amount: i128,
}

/// Writes batches for one source into temporary files under `scratch`, one per partition.
pub struct PartitionWriter {
    scratch: PathBuf,
    prefix: String,
    writers: BTreeMap<i32, (ArrowWriter<File>, PartitionFile)>,
    properties: WriterProperties,
}

impl PartitionWriter {
    pub fn new(scratch: &Path, prefix: &str) -> Self {
        PartitionWriter {
            scratch: scratch.to_path_buf(),
            prefix: prefix.to_string(),
            writers: BTreeMap::new(),
            properties: writer_properties(),
        }
    }

    pub fn write(&mut self, financial_year: i32, batch: RecordBatch) -> Result<()> {
        let batch = sorted_by_date(batch)?;
        if !self.writers.contains_key(&financial_year) {
            let path = self.scratch.join(format!("{}-{financial_year}.parquet", self.prefix));
            let file = File::create(&path).map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
            let writer = ArrowWriter::try_new(file, batch.schema(), Some(self.properties.clone()))?;
            let part = PartitionFile { financial_year: Some(financial_year), path, rows: 0, amount: 0 };
            self.writers.insert(financial_year, (writer, part));
        }
        let Some((writer, part)) = self.writers.get_mut(&financial_year) else {
            return Err(Error::execution("partition writer vanished"));
        };
        let amounts = batch
            .column(4)
            .as_any()
            .downcast_ref::<Decimal128Array>()
            .ok_or_else(|| Error::execution("amount column is not Decimal128"))?;
        part.amount += amounts.iter().flatten().sum::<i128>();
        part.rows += batch.num_rows() as u64;
        writer.write(&batch)?;
        Ok(())
    }

    /// Close every file, making sure its bytes are on disk before the commit names it.
    pub fn finish(self) -> Result<Vec<PartitionFile>> {
        let mut parts = Vec::new();
        for (_, (writer, part)) in self.writers {
            let file = writer.into_inner()?;
            file.sync_all().map_err(|e| Error::io(format!("cannot sync {}", part.path.display()), e))?;
            parts.push(part);
        }
        Ok(parts)
    }
}

/// Order a batch by payment date (then source row, so equal dates keep file order). Data
/// usually arrives date-ordered, so the check makes this free; otherwise row groups get
/// tight date statistics for pruning.
fn sorted_by_date(batch: RecordBatch) -> Result<RecordBatch> {
    let dates = batch
        .column(3)
        .as_any()
        .downcast_ref::<Date32Array>()
        .ok_or_else(|| Error::execution("payment_date column is not Date32"))?;
    if dates.values().windows(2).all(|w| w[0] <= w[1]) {
        return Ok(batch);
    }
    // By name: the text columns before it grow as schemas gain columns.
    let source_rows = batch
        .column_by_name(crate::schema::spend::SOURCE_ROW)
        .ok_or_else(|| Error::execution("spend batch has no source_row column"))?
        .clone();
    let indices = lexsort_to_indices(
        &[
            SortColumn { values: batch.column(3).clone(), options: None },
            SortColumn { values: source_rows, options: None },
        ],
        None,
    )?;
    Ok(take_record_batch(&batch, &indices)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    fn row(date: i32, amount: i128, source_row: i64) -> Row<'static> {
        let mut text = [None; TEXT_COLUMNS];
        text[text::SUPPLIER_NAME] = Some("Acme Ltd");
        Row {
            payment_date: date,
            amount,
            irrecoverable_vat: None,
            text,
            is_card: false,
            redacted: false,
            source_row,
            extras: None,
        }
    }

    #[test]
    fn batches_split_by_financial_year_and_files_sort_by_date() {
        let dir = tempfile::tempdir().unwrap();
        let mut batcher = Batcher::new("Trafford", Some("E08000009"), "t.csv");
        assert!(batcher.push(2021, &row(19_000, 150, 2)).unwrap().is_none());
        assert!(batcher.push(2020, &row(18_000, -50, 3)).unwrap().is_none());
        assert!(batcher.push(2021, &row(18_999, 1000, 4)).unwrap().is_none());
        let batches = batcher.finish().unwrap();
        assert_eq!(batches.iter().map(|(y, b)| (*y, b.num_rows())).collect::<Vec<_>>(), [(2020, 1), (2021, 2)]);
        assert_eq!(batches[0].1.schema(), spend_schema());

        let mut writer = PartitionWriter::new(dir.path(), "t");
        for (year, batch) in batches {
            writer.write(year, batch).unwrap();
        }
        let parts = writer.finish().unwrap();
        assert_eq!(parts.iter().map(|p| (p.rows, p.amount)).collect::<Vec<_>>(), [(1, -50), (2, 1150)]);
        let file = File::open(&parts[1].path).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
        let batch = reader.into_iter().next().unwrap().unwrap();
        let dates = batch.column(3).as_any().downcast_ref::<Date32Array>().unwrap();
        assert_eq!(dates.values().to_vec(), [18_999, 19_000]);
        let rows = batch.column_by_name("source_row").unwrap().as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(rows.values().to_vec(), [4, 2], "source_row travels with its row");
    }
}
