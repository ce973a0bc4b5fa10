//! Charts of query results: Unicode bars or sparklines in the terminal (`as chart`, the
//! REPL's `\chart`), and SVG or PNG images (`--output chart.svg`) drawn with plotters.
//! Both read the same [`ChartData`], so the picture in the terminal and in the file agree.
//!
//! Chart values are `f64`: a chart only positions marks, it never adds money up, and every
//! figure printed beside a bar is formatted from the exact decimal, not from the float.

use std::io::Write;
use std::path::Path;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int32Type, Int64Type, UInt64Type};

use super::cells::cell_text;
use super::format::Format;
use super::result::ResultSet;
use crate::error::{Error, ErrorKind, Result};

/// Column headings that name a time dimension: charts of these are lines, not bars.
const TIME_HEADINGS: &[&str] = &["month", "quarter", "fy", "fq", "year", "date"];

/// The numbers of a result arranged for drawing: one label per point, one or more series.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// What the labels are (`council`, `month`).
    pub label_heading: String,
    /// Labels run through time, so the chart is a line (or sparkline), in label order.
    pub time: bool,
    /// The label of each point, in order.
    pub labels: Vec<String>,
    /// One series per numeric column.
    pub series: Vec<Series>,
}

/// One result row: its label cells, and each numeric cell as a number and as exact text.
type ChartRow = (Vec<String>, Vec<(Option<f64>, String)>);

#[derive(Debug, Clone, PartialEq)]
/// One numeric column of a chart.
pub struct Series {
    /// The column's name, for the legend.
    pub name: String,
    /// One value per label; `None` where the result has no value.
    pub values: Vec<Option<f64>>,
    /// Display text of each value, exact (`£1,234.56`).
    pub texts: Vec<String>,
    /// Whether the values are money, in pounds.
    pub money: bool,
}

fn is_number(t: &DataType) -> bool {
    matches!(t, DataType::Decimal128(..) | DataType::Int64 | DataType::Int32 | DataType::UInt64 | DataType::Float64)
}

fn number_at(array: &ArrayRef, row: usize) -> Option<f64> {
    if array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Decimal128(_, scale) => {
            Some(array.as_primitive::<Decimal128Type>().value(row) as f64 / 10f64.powi(i32::from(*scale)))
        }
        DataType::Int64 => Some(array.as_primitive::<Int64Type>().value(row) as f64),
        DataType::Int32 => Some(f64::from(array.as_primitive::<Int32Type>().value(row))),
        DataType::UInt64 => Some(array.as_primitive::<UInt64Type>().value(row) as f64),
        DataType::Float64 => Some(array.as_primitive::<Float64Type>().value(row)).filter(|v| v.is_finite()),
        _ => None,
    }
}

impl ChartData {
    /// Arrange a result for drawing. Text (and time) columns become labels and numeric
    /// columns become series. With a time column and another text column (`spend by
    /// council, month`), each value of the text column becomes its own series over time.
    pub fn from_result(result: &ResultSet) -> Result<ChartData> {
        let fields = result.schema.fields();
        let is_time = |name: &str| TIME_HEADINGS.contains(&name);
        let label_cols: Vec<usize> =
            (0..fields.len()).filter(|&i| !is_number(fields[i].data_type()) || is_time(fields[i].name())).collect();
        let value_cols: Vec<usize> = (0..fields.len()).filter(|i| !label_cols.contains(i)).collect();
        if value_cols.is_empty() {
            return Err(Error::new(ErrorKind::Semantic, "nothing to chart: the result has no numbers")
                .with_hint("chart a query with a measure, e.g. `spend by council as chart`"));
        }
        if result.row_count() == 0 {
            return Err(Error::new(ErrorKind::Semantic, "nothing to chart: the result has no rows"));
        }
        let time_col = label_cols.iter().copied().find(|&i| is_time(fields[i].name()));
        let mut rows: Vec<ChartRow> = Vec::new();
        for batch in &result.batches {
            for row in 0..batch.num_rows() {
                let labels = label_cols
                    .iter()
                    .map(|&c| cell_text(batch.column(c), row, true).unwrap_or_else(|| "(missing)".into()))
                    .collect();
                let values = value_cols
                    .iter()
                    .map(|&c| {
                        (number_at(batch.column(c), row), cell_text(batch.column(c), row, true).unwrap_or_default())
                    })
                    .collect();
                rows.push((labels, values));
            }
        }
        let money = |c: usize| matches!(fields[c].data_type(), DataType::Decimal128(_, 2));
        let time_index = time_col.and_then(|t| label_cols.iter().position(|&c| c == t));
        match time_index {
            // Several text columns with time: one series per combination of the others.
            Some(ti) if label_cols.len() > 1 => {
                let mut labels: Vec<String> = rows.iter().map(|(l, _)| l[ti].clone()).collect();
                labels.sort();
                labels.dedup();
                let mut series: Vec<Series> = Vec::new();
                for (row_labels, values) in &rows {
                    let name: Vec<&str> =
                        row_labels.iter().enumerate().filter(|(i, _)| *i != ti).map(|(_, l)| l.as_str()).collect();
                    let name = name.join(" · ");
                    let at = labels.iter().position(|l| *l == row_labels[ti]).unwrap_or(0);
                    let s = match series.iter_mut().position(|s| s.name == name) {
                        Some(i) => &mut series[i],
                        None => {
                            series.push(Series {
                                name: name.clone(),
                                values: vec![None; labels.len()],
                                texts: vec![String::new(); labels.len()],
                                money: money(value_cols[0]),
                            });
                            let last = series.len() - 1;
                            &mut series[last]
                        }
                    };
                    s.values[at] = values[0].0;
                    s.texts[at].clone_from(&values[0].1);
                }
                Ok(ChartData { label_heading: fields[label_cols[ti]].name().clone(), time: true, labels, series })
            }
            _ => {
                let time = time_index.is_some();
                // Over time every numeric column is a line (a pivot's columns are councils),
                // except a pivot's grand total, which would dwarf them; bars show one measure.
                let mut chosen: Vec<usize> = if time {
                    (0..value_cols.len()).filter(|&i| fields[value_cols[i]].name() != "total").collect()
                } else {
                    vec![0]
                };
                if chosen.is_empty() {
                    chosen.push(0);
                }
                let mut labels: Vec<String> = rows.iter().map(|(l, _)| l.join(" · ")).collect();
                if label_cols.is_empty() {
                    labels = vec!["total".to_string(); rows.len()];
                }
                let series = chosen
                    .iter()
                    .map(|&i| Series {
                        name: fields[value_cols[i]].name().clone(),
                        values: rows.iter().map(|(_, v)| v[i].0).collect(),
                        texts: rows.iter().map(|(_, v)| v[i].1.clone()).collect(),
                        money: money(value_cols[i]),
                    })
                    .collect();
                let label_heading =
                    label_cols.iter().map(|&c| fields[c].name().as_str()).collect::<Vec<_>>().join(" · ");
                Ok(ChartData { label_heading, time, labels, series })
            }
        }
    }
}

/// Draw a result in the terminal, `width` columns wide: horizontal bars for one dimension,
/// a sparkline per series for a time dimension.
pub fn write_terminal_chart(result: &ResultSet, width: u16, out: &mut dyn Write) -> Result<()> {
    let data = ChartData::from_result(result)?;
    if data.time { write_sparklines(&data, width, out) } else { write_bars(&data, width, out) }
}

const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/// A bar `length` cells long, to an eighth of a cell.
pub fn bar(length: f64) -> String {
    let eighths = (length.max(0.0) * 8.0).round() as usize;
    let mut text = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        text.push(EIGHTHS[eighths % 8]);
    }
    text
}

fn io(e: std::io::Error) -> Error {
    Error::io("cannot write chart", e)
}

fn write_bars(data: &ChartData, width: u16, out: &mut dyn Write) -> Result<()> {
    let Some(series) = data.series.first() else { return Ok(()) };
    let label_width = data.labels.iter().map(|l| l.chars().count()).max().unwrap_or(0).min(32);
    let text_width = series.texts.iter().map(|t| t.chars().count()).max().unwrap_or(0);
    let bar_width = (usize::from(width).saturating_sub(label_width + text_width + 4)).max(10) as f64;
    let largest = series.values.iter().flatten().fold(0f64, |m, v| m.max(v.abs()));
    writeln!(out, "{} by {}", series.name, data.label_heading).map_err(io)?;
    for (i, label) in data.labels.iter().enumerate() {
        let label: String = label.chars().take(label_width).collect();
        let value = series.values[i];
        let cells = match value {
            Some(v) if largest > 0.0 => v.abs() / largest * bar_width,
            _ => 0.0,
        };
        // A credit (negative total) is drawn in a lighter shade so it is not read as spend.
        let drawn = if value.is_some_and(|v| v < 0.0) { bar(cells).replace('█', "░") } else { bar(cells) };
        let pad = bar_width.ceil() as usize - drawn.chars().count();
        writeln!(out, "{label:<label_width$}  {drawn}{}  {:>text_width$}", " ".repeat(pad), series.texts[i])
            .map_err(io)?;
    }
    Ok(())
}

const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One character per value, scaled between the smallest and largest; blank where missing.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let low = present.iter().copied().fold(f64::INFINITY, f64::min);
    let high = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if high <= low => LEVELS[3],
            Some(v) => LEVELS[(((v - low) / (high - low)) * 7.0).round() as usize],
        })
        .collect()
}

fn write_sparklines(data: &ChartData, width: u16, out: &mut dyn Write) -> Result<()> {
    let name_width = data.series.iter().map(|s| s.name.chars().count()).max().unwrap_or(0).min(24);
    let room = usize::from(width).saturating_sub(name_width + 40).max(12);
    let points = data.labels.len();
    let skip = points.saturating_sub(room);
    if skip > 0 {
        writeln!(out, "(the last {} of {points} {}s)", points - skip, data.label_heading).map_err(io)?;
    }
    for s in &data.series {
        let values = &s.values[skip..];
        let spark = sparkline(values);
        let texts = &s.texts[skip..];
        let extreme = |pick_max: bool| {
            let mut best: Option<(f64, &str)> = None;
            for (v, t) in values.iter().zip(texts) {
                if let Some(v) = v
                    && best.is_none_or(|(b, _)| if pick_max { *v > b } else { *v < b })
                {
                    best = Some((*v, t.as_str()));
                }
            }
            best.map(|(_, t)| t.to_string()).unwrap_or_default()
        };
        let name: String = s.name.chars().take(name_width).collect();
        writeln!(out, "{name:<name_width$}  {spark}  low {}  high {}", extreme(false), extreme(true)).map_err(io)?;
    }
    let first = data.labels.get(skip).cloned().unwrap_or_default();
    let last = data.labels.last().cloned().unwrap_or_default();
    let span = points - skip;
    let gap = span.saturating_sub(first.chars().count() + last.chars().count()).max(1);
    writeln!(out, "{:name_width$}  {first}{}{last}", "", " ".repeat(gap)).map_err(io)?;
    Ok(())
}

/// `£1.2m`, `£350k`, `£900`: short money for axis ticks, where exact pence are noise.
pub fn short_money(value: f64) -> String {
    let sign = if value < 0.0 { "-" } else { "" };
    let a = value.abs();
    let text = if a >= 1e9 {
        format!("{:.1}bn", a / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}m", a / 1e6)
    } else if a >= 1e3 {
        format!("{:.0}k", a / 1e3)
    } else {
        format!("{a:.0}")
    };
    format!("{sign}£{}", text.replace(".0m", "m").replace(".0bn", "bn"))
}

fn short_number(value: f64, money: bool) -> String {
    if money {
        short_money(value)
    } else if value.abs() >= 1e6 {
        format!("{:.1}m", value / 1e6)
    } else if value.abs() >= 1e4 {
        format!("{:.0}k", value / 1e3)
    } else {
        format!("{value:.0}")
    }
}

/// Where a TrueType font for chart text may be: `SPENDQL_FONT` first, then common places.
const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    "/usr/share/fonts/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
];

/// Load a font into plotters once per process. plotters measures text with it (for SVG)
/// and draws glyphs with it (for PNG), so an image without one would have no labels.
fn ensure_font() -> Result<()> {
    static LOADED: std::sync::OnceLock<std::result::Result<(), String>> = std::sync::OnceLock::new();
    let outcome = LOADED.get_or_init(|| {
        let mut candidates: Vec<std::path::PathBuf> = Vec::new();
        if let Some(p) = std::env::var_os("SPENDQL_FONT") {
            candidates.push(p.into());
        }
        candidates.extend(FONT_PATHS.iter().map(std::path::PathBuf::from));
        for path in candidates {
            let Ok(bytes) = std::fs::read(&path) else { continue };
            // plotters keeps fonts for the life of the process; one font, loaded once.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            if plotters::style::register_font("sans-serif", plotters::style::FontStyle::Normal, bytes).is_ok() {
                return Ok(());
            }
        }
        Err("no TrueType font found for chart text".to_string())
    });
    outcome.clone().map_err(|message| {
        Error::new(ErrorKind::Io, message).with_hint("set SPENDQL_FONT to a .ttf file, e.g. DejaVuSans.ttf")
    })
}

/// Write the chart of a result to `path` as an image, SVG or PNG.
pub fn write_image(result: &ResultSet, title: &str, path: &Path, format: Format) -> Result<()> {
    let data = ChartData::from_result(result)?;
    ensure_font()?;
    use plotters::prelude::IntoDrawingArea;
    let size = image_size(&data);
    let fail = |e: String| Error::new(ErrorKind::Io, format!("cannot draw chart {}: {e}", path.display()));
    match format {
        Format::Svg => {
            let root = plotters::prelude::SVGBackend::new(path, size).into_drawing_area();
            draw(root, &data, title).map_err(fail)
        }
        Format::Png => {
            // The extension tells plotters' bitmap encoder to write PNG.
            let root = plotters::prelude::BitMapBackend::new(path, size).into_drawing_area();
            draw(root, &data, title).map_err(fail)
        }
        other => Err(Error::usage(format!("charts are drawn as svg or png, not {}", other.name()))),
    }
}

fn image_size(data: &ChartData) -> (u32, u32) {
    if data.time { (1100, 600) } else { (1100, (140 + 34 * data.labels.len() as u32).clamp(300, 4000)) }
}

const PALETTE: [plotters::style::RGBColor; 6] = [
    plotters::style::RGBColor(31, 119, 180),
    plotters::style::RGBColor(255, 127, 14),
    plotters::style::RGBColor(44, 160, 44),
    plotters::style::RGBColor(214, 39, 40),
    plotters::style::RGBColor(148, 103, 189),
    plotters::style::RGBColor(140, 86, 75),
];

fn draw<DB: plotters::prelude::DrawingBackend>(
    root: plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
    data: &ChartData,
    title: &str,
) -> std::result::Result<(), String> {
    use plotters::prelude::*;
    let err = |e: &dyn std::fmt::Display| e.to_string();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let money = data.series.first().is_some_and(|s| s.money);
    let values: Vec<f64> = data.series.iter().flat_map(|s| s.values.iter().flatten().copied()).collect();
    let low = values.iter().copied().fold(0f64, f64::min);
    let mut high = values.iter().copied().fold(0f64, f64::max);
    if high <= low {
        high = low + 1.0;
    }
    let headroom = (high - low) * 0.05;
    let axis_name = data.series.first().map(|s| s.name.clone()).unwrap_or_default();
    if data.time {
        let n = data.labels.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 26))
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(0f64..(n as f64 - 1.0).max(1.0), low..high + headroom)
            .map_err(|e| err(&e))?;
        let labels = data.labels.clone();
        let x_fmt = move |x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let y_fmt = |y: &f64| short_number(*y, money);
        chart
            .configure_mesh()
            .x_labels(n.min(12))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc(data.label_heading.as_str())
            .y_desc(if data.series.len() == 1 { axis_name.as_str() } else { "" })
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(|e| err(&e))?;
        for (i, s) in data.series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let points: Vec<(f64, f64)> =
                s.values.iter().enumerate().filter_map(|(x, v)| v.map(|v| (x as f64, v))).collect();
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))
                .map_err(|e| err(&e))?
                .label(s.name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
        }
        if data.series.len() > 1 {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .label_font(("sans-serif", 14))
                .draw()
                .map_err(|e| err(&e))?;
        }
    } else {
        let Some(series) = data.series.first() else { return Ok(()) };
        let n = data.labels.len() as i32;
        let longest = data.labels.iter().map(|l| l.chars().count()).max().unwrap_or(8).min(40) as u32;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 26))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(30 + 8 * longest)
            .build_cartesian_2d(low..high + headroom, (0..n).into_segmented())
            .map_err(|e| err(&e))?;
        // Rows are listed top to bottom in result order, like the table.
        let labels = data.labels.clone();
        let y_fmt = move |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => {
                let i = n - 1 - *i;
                labels.get(i as usize).map(|l| l.chars().take(40).collect()).unwrap_or_default()
            }
            _ => String::new(),
        };
        let x_fmt = |x: &f64| short_number(*x, money);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(data.labels.len())
            .y_label_formatter(&y_fmt)
            .x_label_formatter(&x_fmt)
            .x_desc(axis_name.as_str())
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(|e| err(&e))?;
        let bars = series.values.iter().enumerate().filter_map(|(i, v)| {
            let v = (*v)?;
            let row = n - 1 - i as i32;
            let colour = if v < 0.0 { PALETTE[3] } else { PALETTE[0] };
            let mut rect =
                Rectangle::new([(0.0, SegmentValue::Exact(row)), (v, SegmentValue::Exact(row + 1))], colour.filled());
            rect.set_margin(4, 4, 0, 0);
            Some(rect)
        });
        chart.draw_series(bars).map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use datafusion::arrow::array::{Decimal128Array, RecordBatch, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};

    fn result(heading: &str, labels: &[&str], pence: &[i128]) -> ResultSet {
        let schema = Arc::new(Schema::new(vec![
            Field::new(heading, DataType::Utf8, true),
            Field::new("spend", DataType::Decimal128(18, 2), true),
        ]));
        let money = Decimal128Array::from_iter_values(pence.iter().copied()).with_precision_and_scale(18, 2).unwrap();
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(StringArray::from_iter_values(labels.iter())), Arc::new(money)],
        )
        .unwrap();
        ResultSet { chart: true, ..ResultSet::new(schema, vec![batch]) }
    }

    /// A drawn bar's length in eighths of a cell.
    fn full_blocks(line: &str) -> usize {
        let partial = line.chars().find_map(|c| EIGHTHS.iter().skip(1).position(|&e| e == c)).map_or(0, |i| i + 1);
        line.chars().filter(|&c| c == '█').count() * 8 + partial
    }

    #[test]
    fn bar_lengths_are_proportional_to_values() {
        let r = result("council", &["Trafford", "Salford", "Stockport"], &[400_000, 200_000, 100_000]);
        let mut out = Vec::new();
        write_terminal_chart(&r, 80, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        let (a, b, c) = (full_blocks(lines[1]), full_blocks(lines[2]), full_blocks(lines[3]));
        assert!(a > 0);
        assert_eq!(a, 2 * b, "{text}");
        assert_eq!(b, 2 * c, "{text}");
        assert!(lines[1].starts_with("Trafford") && lines[1].ends_with("£4,000.00"), "{text}");
        assert!(lines[3].ends_with("£1,000.00"), "{text}");
    }

    #[test]
    fn bar_is_measured_in_eighths() {
        assert_eq!(bar(2.5), "██▌");
        assert_eq!(bar(0.0), "");
        assert_eq!(bar(3.0), "███");
    }

    #[test]
    fn time_dimension_draws_a_sparkline_from_low_to_high() {
        let r = result("month", &["2021-04", "2021-05", "2021-06"], &[100, 800, 450]);
        let mut out = Vec::new();
        write_terminal_chart(&r, 80, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("▁█▅"), "{text}");
        assert!(text.contains("low £1.00") && text.contains("high £8.00"), "{text}");
        assert!(text.contains("2021-04") && text.contains("2021-06"), "{text}");
        assert_eq!(sparkline(&[Some(1.0), None, Some(1.0)]), "▄ ▄");
    }

    #[test]
    fn a_result_without_numbers_cannot_be_charted() {
        let schema = Arc::new(Schema::new(vec![Field::new("council", DataType::Utf8, true)]));
        let batch =
            RecordBatch::try_new(schema.clone(), vec![Arc::new(StringArray::from_iter_values(["Trafford"]))]).unwrap();
        let r = ResultSet { chart: true, ..ResultSet::new(schema, vec![batch]) };
        let err = ChartData::from_result(&r).unwrap_err();
        assert!(err.message.contains("no numbers"), "{}", err.message);
    }

    #[test]
    fn axis_money_is_short() {
        assert_eq!(short_money(1_300_000.0), "£1.3m");
        assert_eq!(short_money(350_000.0), "£350k");
        assert_eq!(short_money(-900.0), "-£900");
        assert_eq!(short_money(2_000_000.0), "£2m");
    }

    #[test]
    fn svg_chart_has_title_and_labels() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chart.svg");
        let r = result("council", &["Trafford", "Salford"], &[400_000, 200_000]);
        match write_image(&r, "Spend by council", &path, Format::Svg) {
            Ok(()) => {}
            Err(e) if e.message.contains("no TrueType font") => {
                eprintln!("skipping: no font on this machine");
                return;
            }
            Err(e) => panic!("{e}"),
        }
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.contains("Spend by council"));
        assert!(svg.contains("Trafford") && svg.contains("Salford"));
        assert!(svg.contains("£"), "money axis");
    }
}
