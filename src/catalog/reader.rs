//! The one reader of a dataset version's table files outside the query engine: a table's
//! Parquet files of a [`Snapshot`], read with a projection, with typed accessors for the
//! column kinds the schema uses (text, money, flag, date, row number). Text may be stored as
//! Utf8, LargeUtf8 or Utf8View (files written by other tools or other arrow versions); that
//! is handled here once, and a file that cannot be read is one "damaged file" error naming it.
//!
//! `check` reads through this rather than the engine on purpose (it is an independent
//! second path over the same data); `workplan`, `suppliers` and linking read through it
//! because they need rows, not queries. The engine's footer-statistics shortcuts use
//! [`TableReader::row_group_statistics`].

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Decimal128Array, GenericStringArray, Int64Array, RecordBatch,
    StringViewArray,
};
use datafusion::arrow::datatypes::{DataType, Date32Type, Decimal128Type, Int64Type};
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::file::statistics::Statistics;

use crate::error::{Error, ErrorKind, Result};
use crate::schema::{MONEY_SCALE, Table};

/// Rows per batch: large enough that per-batch work is noise, small enough to stay in cache.
const BATCH_ROWS: usize = 64 * 1024;

/// The files of one table in one dataset version.
#[derive(Debug, Clone)]
pub struct TableReader {
    table: Table,
    files: Vec<PathBuf>,
}

impl TableReader {
    /// A reader of the given files: a snapshot's table ([`super::Snapshot::reader`]), or one
    /// file being rewritten.
    pub fn of_files(table: Table, files: Vec<PathBuf>) -> TableReader {
        TableReader { table, files }
    }

    /// The table whose files this reads.
    pub fn table(&self) -> Table {
        self.table
    }

    /// In path order, which is the order ingest wrote them in within a council.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The dataset holds no such table.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Every batch of every file, each with only the `columns` its file has (`None`: all).
    pub fn batches<'a>(&'a self, columns: Option<&'a [&'a str]>) -> impl Iterator<Item = Result<TableBatch>> + 'a {
        self.files.iter().flat_map(move |path| match read_file(path, columns) {
            Ok(batches) => Box::new(batches) as Box<dyn Iterator<Item = Result<TableBatch>>>,
            Err(e) => Box::new(std::iter::once(Err(e))),
        })
    }

    /// Calls `each` with the statistics of `column` in every non-empty row group, from the
    /// files' footers without reading rows. `None` as soon as a file cannot be read or a
    /// row group has no statistics, or when `each` says so: then the caller reads rows.
    pub fn row_group_statistics(&self, column: &str, mut each: impl FnMut(&Statistics) -> Option<()>) -> Option<()> {
        use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
        for path in &self.files {
            let reader = SerializedFileReader::new(File::open(path).ok()?).ok()?;
            let metadata = reader.metadata();
            let index = metadata.file_metadata().schema_descr().columns().iter().position(|c| c.name() == column)?;
            for group in metadata.row_groups().iter().filter(|g| g.num_rows() > 0) {
                each(group.column(index).statistics()?)?;
            }
        }
        Some(())
    }
}

/// The error for a table file that cannot be read as the schema says.
pub fn damaged(file: &Path, what: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Dataset, format!("damaged table file: {what}"))
        .in_file(file, None)
        .with_hint("the dataset may be from an older spendql or changed by another tool; ingest its files afresh")
}

/// The batches of one Parquet file, reading only `columns` (those the file has; `None`: all).
pub fn read_file(path: &Path, columns: Option<&[&str]>) -> Result<impl Iterator<Item = Result<TableBatch>>> {
    let file = File::open(path).map_err(|e| damaged(path, e))?;
    let mut builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| damaged(path, e))?;
    if let Some(wanted) = columns {
        let indices: Vec<usize> = builder
            .schema()
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| wanted.contains(&f.name().as_str()))
            .map(|(i, _)| i)
            .collect();
        let mask = ProjectionMask::roots(builder.parquet_schema(), indices);
        builder = builder.with_projection(mask);
    }
    let reader = builder.with_batch_size(BATCH_ROWS).build().map_err(|e| damaged(path, e))?;
    let file: Arc<Path> = Arc::from(path);
    Ok(reader.map(move |batch| {
        batch.map(|batch| TableBatch { batch, file: Arc::clone(&file) }).map_err(|e| damaged(&file, e))
    }))
}

/// One batch of a table file, with typed access to its columns by name. A column the file
/// lacks reads as absent (all missing), except where the caller requires it.
#[derive(Debug, Clone)]
pub struct TableBatch {
    batch: RecordBatch,
    file: Arc<Path>,
}

/// A text column, whichever way its strings are stored.
#[derive(Debug, Clone, Copy)]
pub enum Text<'a> {
    /// The file has no such column; every value reads as missing.
    Absent,
    /// Stored as `Utf8`.
    Utf8(&'a GenericStringArray<i32>),
    /// Stored as `LargeUtf8`.
    LargeUtf8(&'a GenericStringArray<i64>),
    /// Stored as `Utf8View`.
    View(&'a StringViewArray),
}

impl<'a> Text<'a> {
    /// The value as stored; `None` for null (or an absent column).
    pub fn raw(&self, row: usize) -> Option<&'a str> {
        match self {
            Text::Absent => None,
            Text::Utf8(a) => a.is_valid(row).then(|| a.value(row)),
            Text::LargeUtf8(a) => a.is_valid(row).then(|| a.value(row)),
            Text::View(a) => a.is_valid(row).then(|| a.value(row)),
        }
    }

    /// The value trimmed; empty and whitespace-only values count as missing.
    pub fn get(&self, row: usize) -> Option<&'a str> {
        self.raw(row).map(str::trim).filter(|v| !v.is_empty())
    }
}

/// `Some(value)` of a nullable column at `row`.
pub fn money_at(column: Option<&Decimal128Array>, row: usize) -> Option<i128> {
    column.filter(|c| c.is_valid(row)).map(|c| c.value(row))
}

/// `Some(value)` when the flag is published, whatever its value.
pub fn flag_at(column: Option<&BooleanArray>, row: usize) -> Option<bool> {
    column.filter(|c| c.is_valid(row)).map(|c| c.value(row))
}

/// Days since the epoch, when the date is published.
pub fn date_at(column: Option<&Date32Array>, row: usize) -> Option<i32> {
    column.filter(|c| c.is_valid(row)).map(|c| c.value(row))
}

impl TableBatch {
    /// Rows in the batch.
    pub fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// The Parquet file the batch was read from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The Arrow batch as read.
    pub fn batch(&self) -> &RecordBatch {
        &self.batch
    }

    /// The Arrow batch, giving up the file name.
    pub fn into_batch(self) -> RecordBatch {
        self.batch
    }

    /// Any column where only presence matters.
    pub fn column(&self, name: &str) -> Option<&ArrayRef> {
        self.batch.column_by_name(name)
    }

    fn wrong_type(&self, name: &str, array: &ArrayRef, expected: &str) -> Error {
        damaged(&self.file, format!("column {name} is {}, expected {expected}", array.data_type()))
    }

    fn missing(&self, name: &str) -> Error {
        damaged(&self.file, format!("no {name} column"))
    }

    /// A text column, [`Text::Absent`] if the file lacks it; an error if it is not text.
    pub fn text(&self, name: &str) -> Result<Text<'_>> {
        let Some(array) = self.column(name) else { return Ok(Text::Absent) };
        if let Some(a) = array.as_string_opt::<i32>() {
            Ok(Text::Utf8(a))
        } else if let Some(a) = array.as_string_opt::<i64>() {
            Ok(Text::LargeUtf8(a))
        } else if let Some(a) = array.as_string_view_opt() {
            Ok(Text::View(a))
        } else {
            Err(self.wrong_type(name, array, "text"))
        }
    }

    /// A text column every file of the table must have.
    pub fn required_text(&self, name: &str) -> Result<Text<'_>> {
        match self.text(name)? {
            Text::Absent => Err(self.missing(name)),
            text => Ok(text),
        }
    }

    /// A money column (`Decimal128` with two decimals), if the file has it.
    pub fn money(&self, name: &str) -> Result<Option<&Decimal128Array>> {
        let Some(array) = self.column(name) else { return Ok(None) };
        match array.data_type() {
            DataType::Decimal128(_, scale) if *scale == MONEY_SCALE => Ok(Some(array.as_primitive::<Decimal128Type>())),
            _ => Err(self.wrong_type(name, array, "money (Decimal128 with 2 decimals)")),
        }
    }

    /// A money column every file of the table must have.
    pub fn required_money(&self, name: &str) -> Result<&Decimal128Array> {
        self.money(name)?.ok_or_else(|| self.missing(name))
    }

    /// A yes/no column, if the file has it.
    pub fn flag(&self, name: &str) -> Result<Option<&BooleanArray>> {
        let Some(array) = self.column(name) else { return Ok(None) };
        array.as_boolean_opt().map(Some).ok_or_else(|| self.wrong_type(name, array, "yes/no"))
    }

    /// A yes/no column every file of the table must have.
    pub fn required_flag(&self, name: &str) -> Result<&BooleanArray> {
        self.flag(name)?.ok_or_else(|| self.missing(name))
    }

    /// A date column (days since the epoch), if the file has it.
    pub fn date(&self, name: &str) -> Result<Option<&Date32Array>> {
        let Some(array) = self.column(name) else { return Ok(None) };
        array.as_primitive_opt::<Date32Type>().map(Some).ok_or_else(|| self.wrong_type(name, array, "a date"))
    }

    /// A date column every file of the table must have.
    pub fn required_date(&self, name: &str) -> Result<&Date32Array> {
        self.date(name)?.ok_or_else(|| self.missing(name))
    }

    /// A required row-number column (`Int64`), such as a source line number.
    pub fn row_numbers(&self, name: &str) -> Result<&Int64Array> {
        let array = self.column(name).ok_or_else(|| self.missing(name))?;
        array.as_primitive_opt::<Int64Type>().ok_or_else(|| self.wrong_type(name, array, "a row number"))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{LargeStringArray, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::parquet::arrow::ArrowWriter;

    use super::*;

    /// One file with the same three names stored three ways, and one money column.
    fn write(dir: &Path) -> PathBuf {
        let names = [Some(" Acme "), None, Some("  ")];
        let schema = Arc::new(Schema::new(vec![
            Field::new("utf8", DataType::Utf8, true),
            Field::new("large", DataType::LargeUtf8, true),
            Field::new("view", DataType::Utf8View, true),
            Field::new("amount", DataType::Decimal128(18, 2), true),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(names.to_vec())),
            Arc::new(LargeStringArray::from(names.to_vec())),
            Arc::new(StringViewArray::from(names.to_vec())),
            Arc::new(Decimal128Array::from(vec![Some(-50), None, Some(1)]).with_precision_and_scale(18, 2).unwrap()),
        ];
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        let path = dir.join("t.parquet");
        let mut writer = ArrowWriter::try_new(File::create(&path).unwrap(), schema, None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        path
    }

    #[test]
    fn text_reads_alike_however_it_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path());
        let reader = TableReader::of_files(Table::Spend, vec![path]);
        let batches: Vec<TableBatch> = reader.batches(None).collect::<Result<_>>().unwrap();
        assert_eq!(batches.len(), 1);
        let b = &batches[0];
        for column in ["utf8", "large", "view"] {
            let text = b.text(column).unwrap();
            assert_eq!((0..3).map(|r| text.get(r)).collect::<Vec<_>>(), [Some("Acme"), None, None], "{column}");
            assert_eq!(text.raw(0), Some(" Acme "), "{column}");
        }
        assert!(matches!(b.text("absent").unwrap(), Text::Absent));
        assert!(b.required_text("absent").is_err());
        let money = b.money("amount").unwrap();
        assert_eq!((0..3).map(|r| money_at(money, r)).collect::<Vec<_>>(), [Some(-50), None, Some(1)]);
        assert_eq!(b.money("utf8").unwrap_err().kind, ErrorKind::Dataset, "text is not money");
    }

    #[test]
    fn a_projection_reads_only_the_columns_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let reader = TableReader::of_files(Table::Spend, vec![write(dir.path())]);
        let batch = reader.batches(Some(&["amount", "nonexistent"])).next().unwrap().unwrap();
        assert_eq!(batch.batch().num_columns(), 1);
        assert!(batch.column("utf8").is_none());
    }

    #[test]
    fn a_damaged_file_is_one_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.parquet");
        std::fs::write(&path, b"not parquet").unwrap();
        let reader = TableReader::of_files(Table::Spend, vec![path.clone()]);
        let err = reader.batches(None).next().unwrap().unwrap_err();
        assert_eq!(err.kind, ErrorKind::Dataset);
        assert!(err.to_string().starts_with(&path.display().to_string()), "{err}");
        assert!(err.message.starts_with("damaged table file"), "{err}");
        assert_eq!(reader.row_group_statistics("amount", |_| Some(())), None);
    }
}
