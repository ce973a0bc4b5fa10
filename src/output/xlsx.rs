//! Excel workbooks: one sheet per result, money in £ format, dates as dates.

use std::io::Write;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float64Type, Int32Type, Int64Type, UInt32Type, UInt64Type,
};

use super::cells::{cell_text, io_error};
use super::result::ResultSet;
use crate::dates::date_from_days;
use crate::error::{Error, ErrorKind, Result};

/// The cell formats of every workbook spendql writes: bold headings, money in £, counts
/// with separators, other numbers (shares, in points) to one decimal, ISO dates.
pub struct CellFormats {
    /// Column headings.
    pub header: rust_xlsxwriter::Format,
    /// `Decimal128(_, 2)`: pounds and pence.
    pub money: rust_xlsxwriter::Format,
    /// Whole numbers.
    pub count: rust_xlsxwriter::Format,
    /// Other numbers, shares among them.
    pub tenths: rust_xlsxwriter::Format,
    /// Dates.
    pub date: rust_xlsxwriter::Format,
}

impl Default for CellFormats {
    fn default() -> Self {
        use rust_xlsxwriter::Format as CellFormat;
        CellFormats {
            header: CellFormat::new().set_bold(),
            money: CellFormat::new().set_num_format("£#,##0.00;-£#,##0.00"),
            count: CellFormat::new().set_num_format("#,##0"),
            tenths: CellFormat::new().set_num_format("0.0"),
            date: CellFormat::new().set_num_format("yyyy-mm-dd"),
        }
    }
}

/// A workbook error as spendql's.
pub fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::new(ErrorKind::Io, format!("cannot write the workbook: {e}"))
}

/// One worksheet per result, named by its title: money (`Decimal128(_, 2)`) in £ format,
/// dates as dates, a frozen header and autofit columns.
pub fn write_xlsx(results: &[ResultSet], out: &mut dyn Write) -> Result<()> {
    use rust_xlsxwriter::Workbook;
    let mut workbook = Workbook::new();
    let formats = CellFormats::default();
    let mut used_names = Vec::new();
    for (i, result) in results.iter().enumerate() {
        let sheet = workbook.add_worksheet();
        let title = result.title.clone().unwrap_or_else(|| format!("Result {}", i + 1));
        sheet.set_name(sheet_name(&title, &mut used_names)).map_err(xlsx_error)?;
        write_result_at(sheet, result, 0, &formats)?;
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        sheet.autofit();
    }
    let bytes = workbook.save_to_buffer().map_err(xlsx_error)?;
    out.write_all(&bytes).map_err(io_error("the workbook"))
}

/// Write `result`'s headings (in row `first`) and rows (below them) into `sheet`; returns
/// the first row after them.
pub fn write_result_at(
    sheet: &mut rust_xlsxwriter::Worksheet,
    result: &ResultSet,
    first: u32,
    formats: &CellFormats,
) -> Result<u32> {
    use chrono::Datelike;
    use rust_xlsxwriter::ExcelDateTime;
    let xlsx = xlsx_error;
    let CellFormats { header, money, count, tenths, date } = formats;
    for (c, f) in result.schema.fields().iter().enumerate() {
        sheet.write_string_with_format(first, c as u16, f.name(), header).map_err(xlsx)?;
    }
    let mut r = first + 1;
    for batch in &result.batches {
        for row in 0..batch.num_rows() {
            for (c, array) in batch.columns().iter().enumerate() {
                let c = c as u16;
                if array.is_null(row) {
                    continue;
                }
                match array.data_type() {
                    // Excel's cells are floats: the one place a printed amount becomes one.
                    DataType::Decimal128(_, scale) => {
                        let v =
                            array.as_primitive::<Decimal128Type>().value(row) as f64 / 10f64.powi(i32::from(*scale));
                        let format = if *scale == 2 { money } else { tenths };
                        sheet.write_number_with_format(r, c, v, format).map_err(xlsx)?;
                    }
                    DataType::Int64 => {
                        let v = array.as_primitive::<Int64Type>().value(row) as f64;
                        sheet.write_number_with_format(r, c, v, count).map_err(xlsx)?;
                    }
                    DataType::Int32 => {
                        let v = f64::from(array.as_primitive::<Int32Type>().value(row));
                        sheet.write_number_with_format(r, c, v, count).map_err(xlsx)?;
                    }
                    DataType::UInt64 => {
                        let v = array.as_primitive::<UInt64Type>().value(row) as f64;
                        sheet.write_number_with_format(r, c, v, count).map_err(xlsx)?;
                    }
                    DataType::UInt32 => {
                        let v = f64::from(array.as_primitive::<UInt32Type>().value(row));
                        sheet.write_number_with_format(r, c, v, count).map_err(xlsx)?;
                    }
                    DataType::Float64 => {
                        let v = array.as_primitive::<Float64Type>().value(row);
                        if v.is_finite() {
                            sheet.write_number_with_format(r, c, v, tenths).map_err(xlsx)?;
                        }
                    }
                    DataType::Date32 => {
                        match date_from_days(array.as_primitive::<Date32Type>().value(row))
                            .and_then(|d| ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).ok())
                        {
                            Some(day) => sheet.write_date_with_format(r, c, &day, date).map_err(xlsx)?,
                            None => sheet
                                .write_string(r, c, cell_text(array, row, false).unwrap_or_default())
                                .map_err(xlsx)?,
                        };
                    }
                    _ => {
                        sheet.write_string(r, c, cell_text(array, row, false).unwrap_or_default()).map_err(xlsx)?;
                    }
                }
            }
            r += 1;
        }
    }
    Ok(r)
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`, unique.
pub fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut used = Vec::new();
        assert_eq!(sheet_name("Spend: by council?", &mut used), "Spend by council");
        assert_eq!(sheet_name("Spend: by council?", &mut used), "Spend by council 2");
        assert!(sheet_name(&"x".repeat(50), &mut used).len() <= 31);
    }
}
