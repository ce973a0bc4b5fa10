//! A report ([`ReportOutput`]) as a workbook, for readers who work in Excel and for sending
//! on: a `Scorecard` sheet (every KPI for the service and each council, with its status
//! word in a cell Excel colours by conditional formatting on that word, so the colour
//! follows the word if anyone edits it), a sheet per section (its KPIs and its queries'
//! results), the KPIs' `Trends`, and `About` (the periods, what was loaded, notes). Money in
//! the £ format and shares in the % format the workbench's workbooks use (`output::xlsx`).

use rust_xlsxwriter::{ConditionalFormatText, ConditionalFormatTextRule, Format as CellFormat, Workbook, Worksheet};

use crate::dates::{date_text, days_from_date, long_date};
use crate::error::Result;
use crate::output::{CellFormats, ResultSet, sheet_name, write_result_at, xlsx_error};
use crate::report::{Block, Figure, KpiResult, KpiRow, KpiUnit, ReportOutput, Scope};

/// The scorecard's first table row (after the title lines), 0-based.
pub const SCORECARD_FIRST_ROW: u32 = 4;

/// The status colours, as on the HTML page: fill and text.
const STATUS_COLOURS: [(&str, u32, u32); 3] =
    [("Green", 0x00CF_E8CF, 0x0014_521A), ("Amber", 0x00FF_E1A8, 0x006B_4300), ("Red", 0x00F6_C6C6, 0x007F_0D0D)];

struct Formats {
    cells: CellFormats,
    title: CellFormat,
    percent: CellFormat,
    points: CellFormat,
    number: CellFormat,
    signed_money: CellFormat,
    signed_count: CellFormat,
    wrap: CellFormat,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            cells: CellFormats::default(),
            title: CellFormat::new().set_bold().set_font_size(14),
            // Shares are numbers of points (76.0 is 76%), shown with a % sign, not scaled.
            percent: CellFormat::new().set_num_format("0.0\"%\""),
            points: CellFormat::new().set_num_format("+0.0\" points\";-0.0\" points\";0.0\" points\""),
            number: CellFormat::new().set_num_format("0.0#"),
            signed_money: CellFormat::new().set_num_format("+£#,##0.00;-£#,##0.00;£0.00"),
            signed_count: CellFormat::new().set_num_format("+#,##0;-#,##0;0"),
            wrap: CellFormat::new().set_text_wrap(),
        }
    }

    fn value(&self, unit: KpiUnit) -> &CellFormat {
        match unit {
            KpiUnit::Money => &self.cells.money,
            KpiUnit::Count => &self.cells.count,
            KpiUnit::Percent => &self.percent,
            KpiUnit::Number => &self.number,
        }
    }

    fn change(&self, unit: KpiUnit) -> &CellFormat {
        match unit {
            KpiUnit::Money => &self.signed_money,
            KpiUnit::Count => &self.signed_count,
            KpiUnit::Percent => &self.points,
            KpiUnit::Number => &self.number,
        }
    }
}

/// The scorecard's columns, after the period labels are known.
fn kpi_headings(report: &ReportOutput) -> Vec<String> {
    let mut h: Vec<String> = ["Section", "KPI", "Scope"].map(String::from).to_vec();
    h.push(report.period.label.clone());
    h.push(format!("previous ({})", report.previous.label));
    h.push(format!("last year ({})", report.last_year.label));
    h.extend(["Change", "Target", "Floor", "Status", "Direction", "Rule"].map(String::from));
    h
}

/// A figure as a number cell in the KPI's format; an empty cell when there is none.
fn write_figure(sheet: &mut Worksheet, row: u32, col: u16, f: Option<Figure>, format: &CellFormat) -> Result<()> {
    if let Some(f) = f {
        // Excel's cells are floats: money becomes pounds only here, as in `output::xlsx`.
        sheet.write_number_with_format(row, col, f.to_f64(), format).map_err(xlsx_error)?;
    }
    Ok(())
}

/// A KPI's rows, service first as on the page.
fn ordered_rows(kpi: &KpiResult) -> Vec<&KpiRow> {
    let mut rows: Vec<&KpiRow> = kpi.rows.iter().filter(|r| r.scope == Scope::Service).collect();
    rows.extend(kpi.rows.iter().filter(|r| r.scope != Scope::Service));
    rows
}

/// The status as its word; a row without one says why, as the page does.
fn status_word(row: &KpiRow) -> &'static str {
    match row.status {
        Some(s) => s.word(),
        None if row.current.is_none() => "No data",
        None => "No target",
    }
}

/// Write KPI rows as a table from `first` (headings there); returns the next free row and
/// the rows the status cells span.
fn write_kpi_table<'a>(
    sheet: &mut Worksheet,
    report: &ReportOutput,
    kpis: impl Iterator<Item = (Option<&'a str>, &'a KpiResult)>,
    first: u32,
    formats: &Formats,
) -> Result<u32> {
    for (c, h) in kpi_headings(report).iter().enumerate() {
        sheet.write_string_with_format(first, c as u16, h, &formats.cells.header).map_err(xlsx_error)?;
    }
    let mut r = first + 1;
    for (section, kpi) in kpis {
        for row in ordered_rows(kpi) {
            if let Some(section) = section {
                sheet.write_string(r, 0, section).map_err(xlsx_error)?;
            }
            sheet.write_string(r, 1, &kpi.name).map_err(xlsx_error)?;
            sheet.write_string(r, 2, row.scope.label()).map_err(xlsx_error)?;
            let value = formats.value(kpi.unit);
            write_figure(sheet, r, 3, row.current, value)?;
            write_figure(sheet, r, 4, row.previous, value)?;
            write_figure(sheet, r, 5, row.last_year, value)?;
            write_figure(sheet, r, 6, row.change, formats.change(kpi.unit))?;
            write_figure(sheet, r, 7, row.target, value)?;
            write_figure(sheet, r, 8, row.floor, value)?;
            sheet.write_string(r, 9, status_word(row)).map_err(xlsx_error)?;
            sheet.write_string(r, 10, row.direction.word()).map_err(xlsx_error)?;
            sheet.write_string_with_format(r, 11, &kpi.rule, &formats.wrap).map_err(xlsx_error)?;
            r += 1;
        }
    }
    if r > first + 1 {
        colour_statuses(sheet, first + 1, r - 1, 9)?;
    }
    Ok(r)
}

/// Green, Amber and Red cells coloured by conditional formats on their text.
fn colour_statuses(sheet: &mut Worksheet, first: u32, last: u32, col: u16) -> Result<()> {
    for (word, fill, text) in STATUS_COLOURS {
        let format = CellFormat::new().set_background_color(fill).set_font_color(text).set_bold();
        let rule = ConditionalFormatText::new()
            .set_rule(ConditionalFormatTextRule::BeginsWith(word.to_string()))
            .set_format(format);
        sheet.add_conditional_format(first, col, last, col, &rule).map_err(xlsx_error)?;
    }
    Ok(())
}

fn header_lines(sheet: &mut Worksheet, report: &ReportOutput, heading: &str, formats: &Formats) -> Result<()> {
    sheet.write_string_with_format(0, 0, heading, &formats.title).map_err(xlsx_error)?;
    let p = &report.period;
    let line = format!(
        "{} report for {} ({} to {}), compared with {} and {}",
        report.kind.adjective(),
        p.label,
        long_date(p.start),
        long_date(p.end),
        report.previous.label,
        report.last_year.label
    );
    sheet.write_string(1, 0, line).map_err(xlsx_error)?;
    sheet.write_string(2, 0, format!("Data as of {}", long_date(report.as_of))).map_err(xlsx_error)?;
    Ok(())
}

/// The report as workbook bytes.
pub fn render_report_xlsx(report: &ReportOutput) -> Result<Vec<u8>> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let mut names = vec!["Scorecard".to_string(), "Trends".to_string(), "About".to_string()];

    // The scorecard: every KPI, labelled with its section.
    let mut section: Option<&str> = None;
    let mut all = Vec::new();
    for block in &report.blocks {
        match block {
            Block::Section { title } => section = Some(title),
            Block::Kpis(kpis) => all.extend(kpis.iter().map(|k| (section, k))),
            Block::Query { .. } => {}
        }
    }
    let sheet = workbook.add_worksheet().set_name("Scorecard").map_err(xlsx_error)?;
    header_lines(sheet, report, &report.title, &formats)?;
    write_kpi_table(sheet, report, all.iter().copied(), SCORECARD_FIRST_ROW, &formats)?;
    sheet.set_freeze_panes(SCORECARD_FIRST_ROW + 1, 0).map_err(xlsx_error)?;
    sheet.autofit();
    // The title lines run on across empty cells; the first column need only fit sections.
    sheet.set_column_width(0, 16).map_err(xlsx_error)?;
    sheet.set_column_width(11, 50).map_err(xlsx_error)?;

    // A sheet per section (and one for what comes before the first, if anything does).
    let mut parts: Vec<(String, Vec<&Block>)> = Vec::new();
    for block in &report.blocks {
        match block {
            Block::Section { title } => parts.push((title.clone(), Vec::new())),
            other => match parts.last_mut() {
                Some((_, blocks)) => blocks.push(other),
                None => parts.push(("Report".into(), vec![other])),
            },
        }
    }
    for (title, blocks) in &parts {
        let name = sheet_name(title, &mut names);
        let sheet = workbook.add_worksheet().set_name(name).map_err(xlsx_error)?;
        header_lines(sheet, report, title, &formats)?;
        let mut r = SCORECARD_FIRST_ROW;
        for block in blocks {
            match block {
                Block::Kpis(kpis) => {
                    r = write_kpi_table(sheet, report, kpis.iter().map(|k| (Some(title.as_str()), k)), r, &formats)?
                        + 1;
                }
                Block::Query { title, result, .. } => {
                    sheet.write_string_with_format(r, 0, title, &formats.cells.header).map_err(xlsx_error)?;
                    let result: ResultSet = result.clone().into();
                    r = write_result_at(sheet, &result, r + 1, &formats.cells)? + 1;
                }
                Block::Section { .. } => {}
            }
        }
        sheet.autofit();
        sheet.set_column_width(0, 16).map_err(xlsx_error)?;
    }

    // Trends: one row per KPI, scope and period.
    let sheet = workbook.add_worksheet().set_name("Trends").map_err(xlsx_error)?;
    for (c, h) in ["KPI", "Scope", "Period", "Value"].iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &formats.cells.header).map_err(xlsx_error)?;
    }
    let mut r = 1;
    for kpi in report.kpis() {
        let series = std::iter::once((Scope::Service.label(), &kpi.trend))
            .chain(kpi.council_trends.iter().map(|(c, t)| (c.as_str(), t)));
        for (scope, points) in series {
            for p in points {
                sheet.write_string(r, 0, &kpi.name).map_err(xlsx_error)?;
                sheet.write_string(r, 1, scope).map_err(xlsx_error)?;
                sheet.write_string(r, 2, &p.label).map_err(xlsx_error)?;
                write_figure(sheet, r, 3, p.value, formats.value(kpi.unit))?;
                r += 1;
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    sheet.autofit();

    // About: the periods, what was loaded, notes.
    let sheet = workbook.add_worksheet().set_name("About").map_err(xlsx_error)?;
    header_lines(sheet, report, &report.title, &formats)?;
    let mut r = SCORECARD_FIRST_ROW;
    for (c, h) in ["Table", "Council", "Rows", "From", "To"].iter().enumerate() {
        sheet.write_string_with_format(r, c as u16, *h, &formats.cells.header).map_err(xlsx_error)?;
    }
    for l in &report.loaded {
        r += 1;
        sheet.write_string(r, 0, &l.table).map_err(xlsx_error)?;
        sheet.write_string(r, 1, l.council.as_deref().unwrap_or("the whole service")).map_err(xlsx_error)?;
        sheet.write_number_with_format(r, 2, l.rows as f64, &formats.cells.count).map_err(xlsx_error)?;
        if let Some(d) = l.first {
            sheet.write_string(r, 3, date_text(days_from_date(d))).map_err(xlsx_error)?;
        }
        if let Some(d) = l.last {
            sheet.write_string(r, 4, date_text(days_from_date(d))).map_err(xlsx_error)?;
        }
    }
    if !report.notes.is_empty() {
        r += 2;
        sheet.write_string_with_format(r, 0, "Notes", &formats.cells.header).map_err(xlsx_error)?;
        for n in &report.notes {
            r += 1;
            sheet.write_string(r, 0, n).map_err(xlsx_error)?;
        }
    }
    sheet.autofit();
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// Write the report's workbook to `path`, whole or not at all.
pub fn write_report_xlsx(report: &ReportOutput, path: &std::path::Path) -> Result<()> {
    super::files::write_whole(path, &render_report_xlsx(report)?)
}
