//! The output formats `--format` names (a `clap::ValueEnum`, so parsing, `--help` and the
//! list in errors come from one enum), and what each can do.

use std::path::Path;

use crate::error::{Error, Result};

/// Output formats, chosen by `--format`, by the extension of `--output`, or by where stdout goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table for people (the default on a terminal).
    Table,
    /// CSV with plain numbers (the default when piped).
    Csv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    #[value(alias = "jsonl")]
    Ndjson,
    /// A Parquet file.
    Parquet,
    /// An Excel workbook, one sheet per result.
    Xlsx,
    /// The result's chart as an SVG image.
    Svg,
    /// The result's chart as a PNG image.
    Png,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 8] = [
        Format::Table,
        Format::Csv,
        Format::Json,
        Format::Ndjson,
        Format::Parquet,
        Format::Xlsx,
        Format::Svg,
        Format::Png,
    ];

    /// A format by name (`csv`, `jsonl`), for the REPL; the command line parses with clap.
    pub fn parse(name: &str) -> Result<Format> {
        <Format as clap::ValueEnum>::from_str(name.trim(), true).map_err(|_| {
            Error::usage(format!("unknown format '{name}'")).with_hint(format!("formats are: {}", Format::names()))
        })
    }

    /// `table, csv, json, …`, for hints.
    pub fn names() -> String {
        Format::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
    }

    /// The format a file name implies: `report.xlsx` → Xlsx.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(Format::Table),
            "jsonl" => Some(Format::Ndjson),
            other => Format::parse(other).ok().filter(|f| *f != Format::Table),
        }
    }

    /// The format's name, as in `--format` and `\format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Parquet => "parquet",
            Format::Xlsx => "xlsx",
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }

    /// For people: £ signs, separators, titles and summary lines around the data.
    pub fn is_screen(self) -> bool {
        self == Format::Table
    }

    /// Text that can follow more text in one stream (a pipe, an appended file): one result
    /// after another. The others are whole files.
    pub fn is_streamable(self) -> bool {
        matches!(self, Format::Table | Format::Csv | Format::Json | Format::Ndjson)
    }

    /// Bytes that would garble a terminal.
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Parquet | Format::Xlsx | Format::Png)
    }

    /// A drawing of a result rather than its rows.
    pub fn is_image(self) -> bool {
        matches!(self, Format::Svg | Format::Png)
    }

    /// One file holds several results (as worksheets).
    pub fn holds_many(self) -> bool {
        self == Format::Xlsx
    }
}
