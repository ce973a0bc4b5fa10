//! Issue 12: a report's HTML page as a reader sees it in headless Chromium, and its workbook
//! as Excel reads it, both from the hand-written report result `spendql::pages::fixture`
//! (its figures are written out there: two KPIs for Salford, Trafford and the service).

use std::io::Read;

use calamine::{Data, Reader, Xlsx};
use spendql::pages::fixture::fixture_report;

use crate::support::browser::{A4_PRINTABLE_PX, assert_printable, chromium, measure};

fn texts(value: &serde_json::Value) -> Vec<String> {
    value.as_array().expect("an array").iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
}

#[test]
fn issue_12_the_scorecard_page_shows_every_kpi_per_scope_with_its_status_and_trend() {
    let Some(chromium) = chromium("issue_12_the_scorecard_page_shows_every_kpi_per_scope_with_its_status_and_trend")
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("scorecard.html");
    spendql::pages::write_html(&fixture_report(), &page).expect("page written");
    let found = measure(&chromium, &page, A4_PRINTABLE_PX);
    assert_printable(&found, "the fixture scorecard");

    let scorecards = found["scorecards"].as_array().expect("scorecards");
    assert_eq!(scorecards.len(), 1, "one headline scorecard");
    let headings = texts(&scorecards[0]["headings"]);
    assert_eq!(
        headings,
        ["KPI", "Scope", "2024/25 Q1", "2023/24 Q4", "2023/24 Q1", "Change", "Target", "Status"],
        "the periods are named by their labels"
    );
    // Two KPIs, each for the service first and then the two councils: six rows, each with
    // its status word (the fixture's Trafford savings have no target of their own).
    let rows = scorecards[0]["rows"].as_array().expect("rows");
    let statuses: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            let cells = texts(&r["cells"]);
            let scope = if cells.len() == 8 { &cells[1] } else { &cells[0] };
            (scope.clone(), r["status"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    let expected = [
        ("All councils", "Amber"),
        ("Salford", "Amber"),
        ("Trafford", "Green"),
        ("All councils", "Red"),
        ("Salford", "Green"),
        ("Trafford", "No target"),
    ];
    assert_eq!(statuses, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    // The service's on-contract row, as written in the fixture: 78.0%, 80.0%, 76.5%, a fall
    // of 2.0 points, target 80.0%.
    let first = texts(&rows[0]["cells"]);
    assert_eq!(
        first,
        ["On-contract share", "All councils", "78.0%", "80.0%", "76.5%", "-2.0 points Worsening", "80.0%", "Amber"]
    );
    // Money through `money`: the service's savings and Trafford's half-penny-free £120,000.50.
    let savings = texts(&rows[3]["cells"]);
    assert_eq!(savings[2..7], ["£420,000.50", "£250,000.00", "£100,000.00", "+£170,000.50 Improving", "£500,000.00"]);
    // Colours as well as words.
    assert_eq!(rows[2]["colour"], "rgb(207, 232, 207)", "Green");
    assert_eq!(rows[0]["colour"], "rgb(255, 225, 168)", "Amber");
    assert_eq!(rows[3]["colour"], "rgb(246, 198, 198)", "Red");

    // A trend chart per KPI, then the charted query: SVG, each with its title.
    let titles: Vec<String> = found["svgs"].as_array().expect("svgs").iter().map(|s| s["title"].to_string()).collect();
    assert_eq!(
        titles,
        [
            "\"On-contract share: trend, 2022/23 Q3 to 2024/25 Q1\"",
            "\"Off-contract spend by council\"",
            "\"Cashable savings: trend, 2022/23 Q3 to 2024/25 Q1\""
        ]
    );
    let text = found["text"].as_str().expect("text");
    for seen in [
        "Data as of 15 July 2024",
        "On-contract share fell 2.0 points to 78.0% (Amber)",
        "Wates <Construction> & Sons",
        "Nothing to report: no rows.",
        "Trafford has no savings target for 2024/25.",
        "1 April 2024 to 30 June 2024",
    ] {
        assert!(text.contains(seen), "the page does not say {seen:?}:\n{text}");
    }
}

#[test]
fn issue_12_a_title_with_a_script_is_shown_as_text_and_never_runs() {
    let Some(chromium) = chromium("issue_12_a_title_with_a_script_is_shown_as_text_and_never_runs") else {
        return;
    };
    let mut report = fixture_report();
    let title =
        "<script>window.__spendqlInjected = true</script><img src=x onerror=\"window.__spendqlInjected = true\">";
    report.title = title.to_string();
    report.blocks.insert(0, spendql::report::Block::Section { title: title.to_string() });
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    spendql::pages::write_html(&report, &page).expect("page written");
    let found = measure(&chromium, &page, A4_PRINTABLE_PX);
    assert_eq!(found["injected"], false, "a script in the title ran");
    assert_eq!(found["h1"].as_str(), Some(title), "the heading shows the title as written");
    assert_eq!(found["title"].as_str(), Some(format!("{title} — 2024/25 Q1").as_str()));
    // Only the measuring script itself.
    assert_eq!(found["scripts"], 1);
    assert_eq!(found["resources"], 0, "the <img> became an image");
}

/// A cell of the workbook's sheet, by 0-based row and column.
fn cell(sheet: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    sheet.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

#[test]
fn issue_12_the_workbook_has_a_scorecard_with_coloured_statuses_and_a_sheet_per_section() {
    let bytes = spendql::pages::render_report_xlsx(&fixture_report()).expect("workbook");
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("a workbook calamine reads");
    assert_eq!(workbook.sheet_names(), ["Scorecard", "Compliance", "Savings", "Trends", "About"]);
    let scorecard = workbook.worksheet_range("Scorecard").expect("scorecard");
    // The table starts on the fifth row, under the title lines.
    let s = |v: &str| Data::String(v.to_string());
    assert_eq!(cell(&scorecard, 0, 0), s("Quarterly scorecard"));
    let headings: Vec<Data> = (0..12).map(|c| cell(&scorecard, 4, c)).collect();
    assert_eq!(
        headings,
        [
            "Section",
            "KPI",
            "Scope",
            "2024/25 Q1",
            "previous (2023/24 Q4)",
            "last year (2023/24 Q1)",
            "Change",
            "Target",
            "Floor",
            "Status",
            "Direction",
            "Rule"
        ]
        .map(s)
    );
    // Six rows, service first per KPI, values as the fixture states them (money in pounds).
    let row = |r: u32| (0..11).map(|c| cell(&scorecard, r, c)).collect::<Vec<_>>();
    let f = Data::Float;
    assert_eq!(
        row(5),
        [
            s("Compliance"),
            s("On-contract share"),
            s("All councils"),
            f(78.0),
            f(80.0),
            f(76.5),
            f(-2.0),
            f(80.0),
            f(70.0),
            s("Amber"),
            s("Worsening")
        ]
    );
    assert_eq!(
        row(9)[..10],
        [
            s("Savings"),
            s("Cashable savings"),
            s("Salford"),
            f(300_000.0),
            f(250_000.0),
            f(100_000.0),
            f(50_000.0),
            f(250_000.0),
            Data::Empty,
            s("Green")
        ]
    );
    assert_eq!(row(10)[3], f(120_000.5));
    assert_eq!(row(10)[9], s("No target"));
    assert_eq!(cell(&scorecard, 11, 1), Data::Empty, "six KPI rows and no more");
    // The section sheet holds its KPIs, then its query with the money as numbers.
    let compliance = workbook.worksheet_range("Compliance").expect("compliance");
    let strings: Vec<String> = compliance.rows().flat_map(|r| r.iter().map(ToString::to_string)).collect();
    assert!(strings.contains(&"Off-contract spend by council".to_string()), "{strings:?}");
    let position = compliance.rows().position(|r| r.first() == Some(&s("Salford")) && r.get(1) == Some(&f(12_345.67)));
    assert!(position.is_some(), "Salford's off-contract £12,345.67 as a number: {strings:?}");

    // The status cells are coloured by conditional formats on their words: read the sheet's
    // XML, which calamine does not interpret.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").expect("the scorecard sheet").read_to_string(&mut xml).expect("XML");
    // Status is column J; the six KPI rows are rows 6 to 11: one range, a rule per word.
    let range = &xml[xml.find(r#"<conditionalFormatting sqref="J6:J11">"#).expect("a conditional format on J6:J11")..];
    let range = &range[..range.find("</conditionalFormatting>").expect("its end")];
    for word in ["Green", "Amber", "Red"] {
        assert!(range.contains(&format!(r#"operator="beginsWith" text="{word}""#)), "no rule for {word}: {range}");
    }
    assert_eq!(range.matches("<cfRule ").count(), 3, "{range}");
    let mut styles = String::new();
    zip.by_name("xl/styles.xml").expect("styles").read_to_string(&mut styles).expect("XML");
    for fill in ["FFCFE8CF", "FFFFE1A8", "FFF6C6C6"] {
        assert!(styles.contains(fill), "the status fill {fill} is not among the conditional styles: {styles}");
    }
}
