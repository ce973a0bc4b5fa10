//! A cell as text: for people (`£1,234.56`, `1,234`) or for programs (`1234.56`), with
//! money and dates formatted by [`crate::money`] and [`crate::dates`]; every writer uses it.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float64Type, Int32Type, Int64Type, UInt32Type, UInt64Type,
};

use crate::dates::date_text;
use crate::error::Error;
use crate::money::{decimal_text, group_thousands, money_text};

/// A cell's value for display (`human`: £, separators) or for programs (plain numbers).
/// `None` is SQL NULL.
pub fn cell_text(array: &ArrayRef, row: usize, human: bool) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Decimal128(_, scale) => {
            let v = array.as_primitive::<Decimal128Type>().value(row);
            if human && *scale == 2 { money_text(v) } else { decimal_text(v, *scale) }
        }
        DataType::Int64 => int_text(i128::from(array.as_primitive::<Int64Type>().value(row)), human),
        DataType::Int32 => int_text(i128::from(array.as_primitive::<Int32Type>().value(row)), human),
        DataType::UInt64 => int_text(i128::from(array.as_primitive::<UInt64Type>().value(row)), human),
        DataType::UInt32 => int_text(i128::from(array.as_primitive::<UInt32Type>().value(row)), human),
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            if human { format!("{v:.1}") } else { format!("{v}") }
        }
        DataType::Date32 => date_text(array.as_primitive::<Date32Type>().value(row)),
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Utf8 => array.as_string::<i32>().value(row).to_string(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row).to_string(),
        DataType::Utf8View => array.as_string_view().value(row).to_string(),
        _ => datafusion::arrow::util::display::array_value_to_string(array, row).unwrap_or_default(),
    })
}

pub(super) fn int_text(v: i128, human: bool) -> String {
    if !human {
        return v.to_string();
    }
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}", group_thousands(v.unsigned_abs()))
}

/// Whether a column of type `t` holds numbers (printed right-aligned, plain in JSON).
pub fn is_numeric(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Decimal128(..)
            | DataType::Int64
            | DataType::Int32
            | DataType::UInt64
            | DataType::UInt32
            | DataType::Float64
    )
}

pub(super) fn io_error(what: &'static str) -> impl Fn(std::io::Error) -> Error {
    move |e| Error::io(format!("cannot write {what}"), e)
}
