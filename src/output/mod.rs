//! The one printer. Everything a command prints — query results, `check`, `workplan`,
//! `suppliers` — arrives here as [`ResultSet`]s (Arrow batches with a title), grouped in a
//! [`Report`] with a few lines for people, and leaves in the one [`Format`] asked for:
//! aligned tables with £ and thousands separators for people; CSV, JSON, NDJSON, Parquet and
//! XLSX with plain numbers for programs and spreadsheets; SVG and PNG for a result's chart.
//! [`PrintOptions`] holds the routing policy (which format suits a terminal, what goes to a
//! file, what to stderr) for the command line and the REPL alike, so a new format is one
//! variant and one writer here. Every writer takes `impl Write`.

mod cells;
pub mod chart;
mod csv;
mod format;
mod json;
mod parquet;
mod result;
mod table;
mod xlsx;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use cells::{cell_text, is_numeric};
pub use csv::write_csv;
pub use format::Format;
pub use json::{write_json, write_ndjson};
pub use parquet::write_parquet;
pub use result::ResultSet;
pub use table::write_table;
use table::write_table_only;
pub use xlsx::{CellFormats, sheet_name, write_result_at, write_xlsx, xlsx_error};

use crate::error::{Error, Result};

/// A line or a small table for people, around a report's results.
#[derive(Debug, Clone)]
pub enum Part {
    /// A line of text.
    Line(String),
    /// A small table.
    Table(ResultSet),
}

/// What a command prints: its results, and what people are told around them.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The data: what files and machine formats carry.
    pub results: Vec<ResultSet>,
    /// Print each result's title above it on a screen, and `# title` lines in streamed
    /// machine formats, so several results stay splittable.
    pub show_titles: bool,
    /// For people, before the results on a screen (or when they went to a file).
    pub before: Vec<Part>,
    /// For people, after them.
    pub after: Vec<Part>,
    /// Said whatever the format: inline on a screen, on stderr when stdout carries data.
    pub notes: Vec<String>,
    /// What the results are, for `Wrote the plan to plan.csv` after writing a file.
    pub written: Option<String>,
}

impl Report {
    /// A report of just `results`, with no titles or text around them.
    pub fn of(results: Vec<ResultSet>) -> Report {
        Report { results, ..Report::default() }
    }
}

/// How to print: the format, the width of tables, timing, and a file instead of the stream.
#[derive(Debug, Clone)]
pub struct PrintOptions {
    /// The output format.
    pub format: Format,
    /// Tables are at most this wide (a terminal's width); `None` is unlimited.
    pub width: Option<u16>,
    /// Say each result's engine time on the error stream.
    pub timing: bool,
    /// Write here instead of the output stream.
    pub output: Option<PathBuf>,
    /// The output stream is a terminal.
    pub terminal: bool,
}

impl PrintOptions {
    /// The routing policy: `--format` wins, else `--output`'s extension, else a table on a
    /// terminal and CSV down a pipe.
    pub fn choose(format: Option<Format>, output: Option<PathBuf>, terminal: bool) -> Result<PrintOptions> {
        let format = match (format, &output) {
            (Some(f), _) => f,
            (None, Some(path)) => Format::from_path(path).ok_or_else(|| {
                Error::usage(format!("cannot tell the format of {}", path.display())).with_hint(format!(
                    "add --format, or name the file FILE.csv, FILE.json, FILE.parquet, FILE.xlsx, FILE.svg, …; formats are: {}",
                    Format::names()
                ))
            })?,
            (None, None) if terminal => Format::Table,
            (None, None) => Format::Csv,
        };
        if output.is_none() && terminal && format.is_binary() {
            return Err(Error::usage(format!("{} is binary and would garble the terminal", format.name()))
                .with_hint(format!("add --output FILE.{}", format.name())));
        }
        if output.is_none() && format.is_image() {
            return Err(Error::usage(format!("{} draws a chart into a file", format.name()))
                .with_hint(format!("add --output chart.{}", format.name())));
        }
        Ok(PrintOptions { format, width: None, timing: false, output, terminal })
    }

    /// The same options with tables at most `width` wide (`None`: unlimited).
    pub fn with_width(mut self, width: Option<u16>) -> PrintOptions {
        self.width = width;
        self
    }

    /// The same options, saying each result's time or not.
    pub fn with_timing(mut self, timing: bool) -> PrintOptions {
        self.timing = timing;
        self
    }

    /// Print `report`: to `--output` if given (then its lines for people go to `out`), or
    /// to `out`; notes and timings go to `err` whenever `out` carries data.
    pub fn print(&self, report: &Report, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
        let io = |e| Error::io("cannot write output", e);
        if let Some(path) = &self.output {
            write_file(&report.results, self.format, path)?;
            self.say_timing(&report.results, err)?;
            for note in &report.notes {
                writeln!(out, "note: {note}").map_err(io)?;
            }
            self.parts(&report.before, out)?;
            if let Some(what) = &report.written {
                writeln!(out, "Wrote {what} to {}", path.display()).map_err(io)?;
            }
            return self.parts(&report.after, out);
        }
        if self.format.is_screen() {
            self.parts(&report.before, out)?;
            for note in &report.notes {
                writeln!(out, "{note}").map_err(io)?;
            }
            for (i, result) in report.results.iter().enumerate() {
                if report.show_titles
                    && let Some(title) = &result.title
                {
                    let gap = i > 0 || !report.before.is_empty() || !report.notes.is_empty();
                    writeln!(out, "{}{title}", if gap { "\n" } else { "" }).map_err(io)?;
                }
                self.screen(result, out)?;
                self.say_timing(std::slice::from_ref(result), err)?;
            }
            return self.parts(&report.after, out);
        }
        for note in &report.notes {
            writeln!(err, "note: {note}").map_err(|e| Error::io("cannot write to stderr", e))?;
        }
        match self.format {
            Format::Xlsx => {
                write_xlsx(&report.results, out)?;
                self.say_timing(&report.results, err)
            }
            _ => {
                for result in &report.results {
                    if report.show_titles {
                        // Keeps machine output splittable: every result starts at a `# ` line.
                        writeln!(out, "# {}", result.title.as_deref().unwrap_or("Result")).map_err(io)?;
                    }
                    write_result(result, self.format, self.width, out)?;
                    self.say_timing(std::slice::from_ref(result), err)?;
                }
                Ok(())
            }
        }
    }

    /// One result as people see it: its table, then its chart if it asked for one.
    pub fn screen(&self, result: &ResultSet, out: &mut dyn Write) -> Result<()> {
        write_table(result, self.width, out)?;
        // An empty result has nothing to draw; its table already says so.
        if result.chart && result.row_count() > 0 {
            chart::write_terminal_chart(result, self.width.unwrap_or(100), out)?;
        }
        Ok(())
    }

    fn parts(&self, parts: &[Part], out: &mut dyn Write) -> Result<()> {
        for part in parts {
            match part {
                Part::Line(line) => writeln!(out, "{line}").map_err(|e| Error::io("cannot write output", e))?,
                Part::Table(result) => write_table_only(result, self.width, out)?,
            }
        }
        Ok(())
    }

    fn say_timing(&self, results: &[ResultSet], err: &mut dyn Write) -> Result<()> {
        if self.timing {
            for elapsed in results.iter().filter_map(|r| r.elapsed) {
                writeln!(err, "Time: {:.3}s", elapsed.as_secs_f64())
                    .map_err(|e| Error::io("cannot write to stderr", e))?;
            }
        }
        Ok(())
    }
}

/// Write `results` to `path` in `format`, under a temporary name renamed into place only
/// when complete, so a failed run never leaves half a file that looks finished. Several
/// results in a one-table format go to numbered files (`report-2-spend-by-council.csv`).
pub fn write_file(results: &[ResultSet], format: Format, path: &Path) -> Result<()> {
    if results.len() > 1 && !format.holds_many() {
        for (i, result) in results.iter().enumerate() {
            let title = result.title.as_deref().unwrap_or("result");
            write_file(std::slice::from_ref(result), format, &numbered_path(path, i + 1, title))?;
        }
        return Ok(());
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // Hidden, and keeping the extension, which plotters' PNG encoder goes by.
    let temp = path.with_file_name(format!(".partial-{name}"));
    let written = if format.is_image() {
        match results.first() {
            Some(result) => chart::write_image(result, result.title.as_deref().unwrap_or(""), &temp, format),
            None => Err(Error::usage("nothing to draw")),
        }
    } else {
        std::fs::File::create(&temp).map_err(|e| Error::io(format!("cannot create {}", temp.display()), e)).and_then(
            |file| {
                let mut file = std::io::BufWriter::new(file);
                match format {
                    Format::Xlsx => write_xlsx(results, &mut file)?,
                    _ => {
                        for result in results {
                            write_result(result, format, None, &mut file)?;
                        }
                    }
                }
                file.flush().map_err(|e| Error::io(format!("cannot write {}", temp.display()), e))
            },
        )
    };
    let moved = written.and_then(|()| {
        std::fs::rename(&temp, path).map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
    });
    if moved.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    moved
}

/// Add `result` to a file that collects results one after another (the REPL's `\o FILE`):
/// text formats are appended to; a workbook is rewritten with every result in `kept` (one
/// sheet each); Parquet and images hold the latest result only.
pub fn send_to_file(path: &Path, format: Format, result: &ResultSet, kept: &mut Vec<ResultSet>) -> Result<()> {
    if format.is_streamable() {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
        return write_result(result, format, None, &mut file);
    }
    if !format.holds_many() {
        kept.clear();
    }
    let mut sheet = result.clone();
    sheet.title.get_or_insert_with(|| format!("Result {}", kept.len() + 1));
    kept.push(sheet);
    write_file(kept, format, path)
}

/// `out/report.csv`, 2, "Spend by council" → `out/report-2-spend-by-council.csv`.
pub fn numbered_path(path: &Path, n: usize, title: &str) -> PathBuf {
    let stem = path.file_stem().map_or_else(|| "result".into(), |s| s.to_string_lossy().into_owned());
    let slug: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let ext = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    path.with_file_name(format!("{stem}-{n}-{slug}{ext}"))
}

/// Write one result in a format that can go down a stream.
pub fn write_result(result: &ResultSet, format: Format, width: Option<u16>, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Table => write_table(result, width, out),
        Format::Csv => write_csv(result, out),
        Format::Json => write_json(result, out),
        Format::Ndjson => write_ndjson(result, out),
        Format::Parquet => write_parquet(result, out),
        Format::Xlsx => write_xlsx(std::slice::from_ref(result), out),
        Format::Svg | Format::Png => Err(Error::usage(format!("{} draws a chart into a file", format.name()))
            .with_hint(format!("use --output chart.{}", format.name()))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Decimal128Array, RecordBatch, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};

    use super::*;
    use crate::error::ErrorKind;

    fn money_result() -> ResultSet {
        let schema = Arc::new(Schema::new(vec![
            Field::new("council", DataType::Utf8, true),
            Field::new("spend", DataType::Decimal128(18, 2), true),
        ]));
        let money =
            Decimal128Array::from(vec![Some(-50), Some(123_456), None]).with_precision_and_scale(18, 2).unwrap();
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(StringArray::from(vec!["A", "B", "C"])), Arc::new(money)],
        )
        .unwrap();
        ResultSet::new(schema, vec![batch]).titled("Spend")
    }

    fn printed(options: &PrintOptions, report: &Report) -> (String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        options.print(report, &mut out, &mut err).unwrap();
        (String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
    }

    #[test]
    fn money_is_exact_text_for_programs_and_pounds_for_people() {
        let result = money_result();
        let spend = result.batches[0].column(1);
        assert_eq!(cell_text(spend, 0, false).as_deref(), Some("-0.50"));
        assert_eq!(cell_text(spend, 0, true).as_deref(), Some("-£0.50"));
        assert_eq!(cell_text(spend, 1, true).as_deref(), Some("£1,234.56"));
        assert_eq!(cell_text(spend, 2, true), None);
        let mut csv = Vec::new();
        write_csv(&result, &mut csv).unwrap();
        assert_eq!(String::from_utf8(csv).unwrap(), "council,spend\nA,-0.50\nB,1234.56\nC,\n");
    }

    #[test]
    fn the_format_follows_the_flag_then_the_file_name_then_the_terminal() {
        let choose = |f, o: Option<&str>, t| PrintOptions::choose(f, o.map(PathBuf::from), t).map(|p| p.format);
        assert_eq!(choose(None, None, true).unwrap(), Format::Table);
        assert_eq!(choose(None, None, false).unwrap(), Format::Csv);
        assert_eq!(choose(None, Some("x.xlsx"), true).unwrap(), Format::Xlsx);
        assert_eq!(choose(None, Some("x.jsonl"), true).unwrap(), Format::Ndjson);
        assert_eq!(choose(Some(Format::Json), Some("x.csv"), true).unwrap(), Format::Json);
        assert_eq!(choose(None, Some("x.docx"), true).unwrap_err().kind, ErrorKind::Usage);
        assert_eq!(choose(Some(Format::Parquet), None, true).unwrap_err().kind, ErrorKind::Usage);
        assert_eq!(choose(Some(Format::Parquet), None, false).unwrap(), Format::Parquet);
        assert_eq!(choose(Some(Format::Svg), None, false).unwrap_err().kind, ErrorKind::Usage);
        assert_eq!(Format::parse("JSONL").unwrap(), Format::Ndjson);
        let err = Format::parse("xml").unwrap_err();
        assert_eq!(err.hints, ["formats are: table, csv, json, ndjson, parquet, xlsx, svg, png"]);
    }

    #[test]
    fn machine_formats_keep_stdout_for_data_and_say_notes_on_stderr() {
        let report = Report {
            results: vec![money_result()],
            before: vec![Part::Line("A heading for people".into())],
            notes: vec!["the dataset has no contracts table".into()],
            ..Report::default()
        };
        let csv = PrintOptions::choose(Some(Format::Csv), None, false).unwrap();
        let (out, err) = printed(&csv, &report);
        assert_eq!(out, "council,spend\nA,-0.50\nB,1234.56\nC,\n");
        assert_eq!(err, "note: the dataset has no contracts table\n");
        let table = PrintOptions::choose(None, None, true).unwrap();
        let (out, err) = printed(&table, &report);
        assert!(out.starts_with("A heading for people\nthe dataset has no contracts table\n┌"), "{out}");
        assert!(out.contains("-£0.50") && out.ends_with("(3 rows)\n"), "{out}");
        assert_eq!(err, "");
    }

    #[test]
    fn several_results_are_split_by_titles_in_streams_and_numbered_in_files() {
        let mut second = money_result();
        second.title = Some("Spend: again".into());
        let report = Report { results: vec![money_result(), second], show_titles: true, ..Report::default() };
        let (out, _) = printed(&PrintOptions::choose(Some(Format::Ndjson), None, false).unwrap(), &report);
        assert_eq!(out.lines().filter(|l| l.starts_with("# ")).collect::<Vec<_>>(), ["# Spend", "# Spend: again"]);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        let options = PrintOptions::choose(None, Some(path.clone()), true).unwrap();
        let (out, _) = printed(&options, &report);
        assert_eq!(out, "");
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        names.sort();
        assert_eq!(names, ["r-1-spend.csv", "r-2-spend-again.csv"]);
    }

    #[test]
    fn a_file_is_written_whole_and_said_to_people() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        let report = Report {
            results: vec![money_result()],
            before: vec![Part::Line("before".into())],
            written: Some("the plan".into()),
            ..Report::default()
        };
        let (out, _) = printed(&PrintOptions::choose(None, Some(path.clone()), false).unwrap(), &report);
        assert_eq!(out, format!("before\nWrote the plan to {}\n", path.display()));
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(json[0]["spend"].to_string(), "-0.5");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn a_collecting_file_appends_text_and_rewrites_a_workbook_with_every_result() {
        use calamine::{Reader, Xlsx, open_workbook};
        let dir = tempfile::tempdir().unwrap();
        let (csv, book) = (dir.path().join("all.csv"), dir.path().join("all.xlsx"));
        let (mut kept_csv, mut kept_book) = (Vec::new(), Vec::new());
        for _ in 0..2 {
            send_to_file(&csv, Format::Csv, &money_result(), &mut kept_csv).unwrap();
            send_to_file(&book, Format::Xlsx, &money_result(), &mut kept_book).unwrap();
        }
        let text = std::fs::read_to_string(&csv).unwrap();
        assert_eq!(text.matches("council,spend\n").count(), 2, "{text}");
        let workbook: Xlsx<_> = open_workbook(&book).unwrap();
        assert_eq!(workbook.sheet_names(), ["Spend", "Spend 2"]);
    }
}
