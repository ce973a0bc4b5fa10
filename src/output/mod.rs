//! Writing query results: aligned tables with £ and thousands separators for people, and
//! CSV, JSON, NDJSON, Parquet and XLSX with plain numbers for programs and spreadsheets.
//! Every writer takes `impl Write` (or a path, for workbooks), so all are testable.

pub mod chart;

use std::io::Write;
use std::path::Path;

use comfy_table::{CellAlignment, ContentArrangement, Table as TextTable, presets};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float64Type, Int32Type, Int64Type, UInt64Type,
};

use crate::error::{Error, ErrorKind, Result};
use crate::exec::QueryResult;

/// Output formats, chosen by `--format` or by the extension of `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Ndjson,
    Parquet,
    Xlsx,
}

impl Format {
    pub fn parse(name: &str) -> Result<Format> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "table" => Format::Table,
            "csv" => Format::Csv,
            "json" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            "parquet" => Format::Parquet,
            "xlsx" => Format::Xlsx,
            other => {
                return Err(Error::usage(format!("unknown format '{other}'"))
                    .with_hint("formats are: table, csv, json, ndjson, parquet, xlsx"));
            }
        })
    }

    /// The format a file name implies: `report.xlsx` → Xlsx.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "parquet" => Some(Format::Parquet),
            "xlsx" => Some(Format::Xlsx),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Parquet => "parquet",
            Format::Xlsx => "xlsx",
        }
    }
}

/// A cell's value for display (`human`: £, separators) or for programs (plain numbers).
/// `None` is SQL NULL.
pub fn cell_text(array: &ArrayRef, row: usize, human: bool) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Decimal128(_, scale) => {
            let v = array.as_primitive::<Decimal128Type>().value(row);
            let plain = decimal_text(v, *scale);
            if human && *scale == 2 { money_text(v) } else { plain }
        }
        DataType::Int64 => int_text(array.as_primitive::<Int64Type>().value(row) as i128, human),
        DataType::Int32 => int_text(array.as_primitive::<Int32Type>().value(row) as i128, human),
        DataType::UInt64 => int_text(array.as_primitive::<UInt64Type>().value(row) as i128, human),
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            if human { format!("{v:.1}") } else { format!("{v}") }
        }
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(row);
            chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|e| e.checked_add_signed(chrono::Duration::days(i64::from(days))))
                .map(|d| d.to_string())
                .unwrap_or_default()
        }
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Utf8 => array.as_string::<i32>().value(row).to_string(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row).to_string(),
        DataType::Utf8View => array.as_string_view().value(row).to_string(),
        _ => datafusion::arrow::util::display::array_value_to_string(array, row).unwrap_or_default(),
    })
}

fn decimal_text(v: i128, scale: i8) -> String {
    if scale <= 0 {
        return v.to_string();
    }
    let div = 10i128.pow(scale as u32);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:0width$}", a / div as u128, a % div as u128, width = scale as usize)
}

fn group_thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Pence as people read money: a pound sign, thousands separators and two decimals.
///
/// ```
/// assert_eq!(spendql::output::money_text(123_456), "£1,234.56");
/// assert_eq!(spendql::output::money_text(-5), "-£0.05");
/// ```
pub fn money_text(pence: i128) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let a = pence.unsigned_abs();
    format!("{sign}£{}.{:02}", group_thousands(a / 100), a % 100)
}

fn int_text(v: i128, human: bool) -> String {
    if !human {
        return v.to_string();
    }
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}", group_thousands(v.unsigned_abs()))
}

fn is_numeric(t: &DataType) -> bool {
    matches!(t, DataType::Decimal128(..) | DataType::Int64 | DataType::Int32 | DataType::UInt64 | DataType::Float64)
}

/// Render a result as an aligned text table, at most `width` columns wide if given.
pub fn write_table(result: &QueryResult, width: Option<u16>, out: &mut dyn Write) -> Result<()> {
    let mut table = TextTable::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = width {
        table.set_width(w);
    }
    let fields = result.schema.fields();
    table.set_header(fields.iter().map(|f| f.name().clone()));
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            table.add_row(batch.columns().iter().map(|c| cell_text(c, row, true).unwrap_or_default()));
        }
    }
    for (i, f) in fields.iter().enumerate() {
        if is_numeric(f.data_type())
            && let Some(column) = table.column_mut(i)
        {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let rows = result.row_count();
    writeln!(out, "{table}").map_err(|e| Error::io("cannot write output", e))?;
    writeln!(out, "({rows} row{})", if rows == 1 { "" } else { "s" }).map_err(|e| Error::io("cannot write output", e))
}

pub fn write_csv(result: &QueryResult, out: &mut dyn Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let io = |e: csv::Error| Error::new(ErrorKind::Io, format!("cannot write CSV: {e}"));
    writer.write_record(result.schema.fields().iter().map(|f| f.name())).map_err(io)?;
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            writer
                .write_record(batch.columns().iter().map(|c| cell_text(c, row, false).unwrap_or_default()))
                .map_err(io)?;
        }
    }
    writer.flush().map_err(|e| Error::io("cannot write CSV", e))
}

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
pub fn write_json(result: &QueryResult, out: &mut dyn Write) -> Result<()> {
    let io = |e| Error::io("cannot write JSON", e);
    write!(out, "[").map_err(io)?;
    let mut first = true;
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            write!(out, "{}\n  {}", if first { "" } else { "," }, json_row(batch, row)).map_err(io)?;
            first = false;
        }
    }
    writeln!(out, "{}]", if first { "" } else { "\n" }).map_err(io)
}

pub fn write_ndjson(result: &QueryResult, out: &mut dyn Write) -> Result<()> {
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            writeln!(out, "{}", json_row(batch, row)).map_err(|e| Error::io("cannot write NDJSON", e))?;
        }
    }
    Ok(())
}

pub fn write_parquet(result: &QueryResult, out: &mut dyn Write) -> Result<()> {
    // Results are small and already in memory; buffering lets any writer (even a locked
    // stdout, which the Parquet writer cannot take) receive the file.
    let mut buffer = Vec::new();
    let mut writer = datafusion::parquet::arrow::ArrowWriter::try_new(&mut buffer, result.schema.clone(), None)?;
    for batch in &result.batches {
        writer.write(batch)?;
    }
    writer.close()?;
    out.write_all(&buffer).map_err(|e| Error::io("cannot write Parquet", e))
}

/// Write one worksheet per titled result: £ formats, frozen header, autofit columns.
pub fn write_xlsx(results: &[(String, &QueryResult)], path: &Path) -> Result<()> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let xlsx =
        |e: rust_xlsxwriter::XlsxError| Error::new(ErrorKind::Io, format!("cannot write {}: {e}", path.display()));
    let mut workbook = Workbook::new();
    let header = CellFormat::new().set_bold();
    let money = CellFormat::new().set_num_format("£#,##0.00;-£#,##0.00");
    let count = CellFormat::new().set_num_format("#,##0");
    let percent = CellFormat::new().set_num_format("0.0");
    let mut used_names = Vec::new();
    for (title, result) in results {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(title, &mut used_names)).map_err(xlsx)?;
        for (c, f) in result.schema.fields().iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, f.name(), &header).map_err(xlsx)?;
        }
        let mut r = 1u32;
        for batch in &result.batches {
            for row in 0..batch.num_rows() {
                for (c, array) in batch.columns().iter().enumerate() {
                    let c = c as u16;
                    if array.is_null(row) {
                        continue;
                    }
                    match array.data_type() {
                        DataType::Decimal128(_, scale) => {
                            let v =
                                array.as_primitive::<Decimal128Type>().value(row) as f64 / 10f64.powi(*scale as i32);
                            sheet.write_number_with_format(r, c, v, &money).map_err(xlsx)?;
                        }
                        DataType::Int64 | DataType::Int32 | DataType::UInt64 => {
                            let v: f64 = cell_text(array, row, false).and_then(|t| t.parse().ok()).unwrap_or(0.0);
                            sheet.write_number_with_format(r, c, v, &count).map_err(xlsx)?;
                        }
                        DataType::Float64 => {
                            let v = array.as_primitive::<Float64Type>().value(row);
                            if v.is_finite() {
                                sheet.write_number_with_format(r, c, v, &percent).map_err(xlsx)?;
                            }
                        }
                        _ => {
                            sheet.write_string(r, c, cell_text(array, row, false).unwrap_or_default()).map_err(xlsx)?;
                        }
                    }
                }
                r += 1;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
        sheet.autofit();
    }
    workbook.save(path).map_err(xlsx)
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
    let clean: String = title.chars().filter(|c| !"[]:*?/\\".contains(*c)).collect();
    let mut base: String = clean.trim().chars().take(28).collect();
    if base.is_empty() {
        base = "Result".into();
    }
    let mut name = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        name = format!("{base} {n}");
        n += 1;
    }
    used.push(name.clone());
    name
}

/// Write a result in any streamable format.
pub fn write_result(result: &QueryResult, format: Format, width: Option<u16>, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Table => write_table(result, width, out),
        Format::Csv => write_csv(result, out),
        Format::Json => write_json(result, out),
        Format::Ndjson => write_ndjson(result, out),
        Format::Parquet => write_parquet(result, out),
        Format::Xlsx => Err(Error::usage("xlsx output needs a file").with_hint("use --output FILE.xlsx")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_pound_sign_and_separators() {
        assert_eq!(money_text(123_456_789), "£1,234,567.89");
        assert_eq!(money_text(-5), "-£0.05");
        assert_eq!(money_text(0), "£0.00");
        assert_eq!(decimal_text(-150, 2), "-1.50");
        assert_eq!(int_text(1234567, true), "1,234,567");
    }

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut used = Vec::new();
        assert_eq!(sheet_name("Spend: by council?", &mut used), "Spend by council");
        assert_eq!(sheet_name("Spend: by council?", &mut used), "Spend by council 2");
        assert!(sheet_name(&"x".repeat(50), &mut used).len() <= 31);
    }
}
