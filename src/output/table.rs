//! Aligned text tables for people: £ and separators, numbers right-aligned, at most the
//! terminal's width.

use std::io::Write;

use comfy_table::{CellAlignment, ContentArrangement, Table as TextTable, presets};

use super::cells::{cell_text, io_error, is_numeric};
use super::result::ResultSet;
use crate::error::Result;

/// The aligned table alone, without the row count under it.
fn text_table(result: &ResultSet, width: Option<u16>) -> TextTable {
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
    table
}

pub(super) fn write_table_only(result: &ResultSet, width: Option<u16>, out: &mut dyn Write) -> Result<()> {
    writeln!(out, "{}", text_table(result, width)).map_err(io_error("output"))
}

/// Render a result as an aligned text table, at most `width` columns wide if given, with
/// its row count under it.
pub fn write_table(result: &ResultSet, width: Option<u16>, out: &mut dyn Write) -> Result<()> {
    write_table_only(result, width, out)?;
    let rows = result.row_count();
    writeln!(out, "({rows} row{})", if rows == 1 { "" } else { "s" }).map_err(io_error("output"))
}
