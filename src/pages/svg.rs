//! Inline SVG charts for the HTML report: a line chart (a KPI's trend, a result over time)
//! and horizontal bars (a result by council, category, supplier). Each is one `<svg>` with a
//! `<title>` first, drawn in a fixed coordinate box (`viewBox`) that the page scales to its
//! width, so a chart never makes the page wider than A4. Text is measured by an estimate,
//! not a font: the page may be opened anywhere, and no font file is needed to write it.
//!
//! Values are `f64` only to place marks; every number a reader sees is exact text handed in
//! by the caller (from [`crate::money`] through `Figure::text` or the result's cells).

use std::fmt::Write;

/// The drawing box's width; the page scales it to the column's width.
const WIDTH: f64 = 700.0;
/// Series colours, distinguishable in greyscale print too (dark to light); the first is
/// the service's line.
const PALETTE: [&str; 6] = ["#1f3b73", "#d95f02", "#1b9e77", "#7570b3", "#a6761d", "#e7298a"];

/// `<`, `>`, `&` and quotes as entities, for SVG text and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Roughly how wide `text` is at `size` px in a sans-serif font.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.62
}

/// At most `n` characters, with an ellipsis when cut.
fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(n - 1).collect::<String>())
    }
}

/// One line of a line chart.
#[derive(Debug, Clone)]
pub struct Line {
    /// The legend's name.
    pub name: String,
    /// One value per label; `None` leaves a gap.
    pub values: Vec<Option<f64>>,
    /// The exact text of each value, shown when a point is pointed at.
    pub texts: Vec<String>,
}

/// The open svg element with its title, in a box `height` high.
fn open(out: &mut String, title: &str, height: f64) {
    let _ = write!(
        out,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" preserveAspectRatio="xMidYMid meet"><title>{}</title>"#,
        escape(title)
    );
}

/// Axis bounds that hold every value (and the target), starting at zero unless that would
/// flatten the values into a strip.
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        low = low.min(v);
        high = high.max(v);
    }
    if !low.is_finite() {
        return (0.0, 1.0);
    }
    if low >= 0.0 && high - low > 0.3 * high {
        low = 0.0;
    }
    if high <= 0.0 && high - low > 0.3 * -low {
        high = 0.0;
    }
    if (high - low).abs() < f64::EPSILON {
        let pad = if high == 0.0 { 1.0 } else { high.abs() * 0.1 };
        return (low - pad, high + pad);
    }
    let pad = (high - low) * 0.08;
    (if low == 0.0 { 0.0 } else { low - pad }, if high == 0.0 { 0.0 } else { high + pad })
}

/// A line chart: one line per series over `labels`, an optional dashed target line, a
/// legend when there are several lines. `axis` writes tick values (`£1.2m`, `76%`).
pub fn line_chart(
    title: &str,
    labels: &[String],
    lines: &[Line],
    target: Option<(f64, String)>,
    axis: &dyn Fn(f64) -> String,
) -> String {
    let legend_rows = if lines.len() > 1 { legend_layout(lines.iter().map(|l| l.name.as_str())).1 } else { 0 };
    // Wide enough margins that the first and last labels, centred on their points, fit.
    let (left, right, top) = (78.0, 50.0, 16.0);
    let bottom = 40.0 + 18.0 * legend_rows as f64;
    let plot_height = 170.0;
    let height = top + plot_height + bottom;
    let mut out = String::new();
    open(&mut out, title, height);
    let values = lines.iter().flat_map(|l| l.values.iter().flatten().copied()).chain(target.as_ref().map(|t| t.0));
    let (low, high) = bounds(values);
    let plot_width = WIDTH - left - right;
    let n = labels.len().max(1);
    let x = |i: usize| if n == 1 { left + plot_width / 2.0 } else { left + plot_width * i as f64 / (n - 1) as f64 };
    let y = |v: f64| top + plot_height * (1.0 - (v - low) / (high - low));
    // Gridlines and ticks: five, evenly spaced.
    for t in 0..=4 {
        let v = low + (high - low) * f64::from(t) / 4.0;
        let yy = y(v);
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#d0d0d0" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#444">{}</text>"##,
            WIDTH - right,
            left - 6.0,
            yy + 4.0,
            escape(&axis(v))
        );
    }
    // Labels along the bottom; every other one when they would collide.
    let widest = labels.iter().map(|l| text_width(l, 11.0)).fold(0.0, f64::max);
    let step = if n > 1 && widest + 6.0 > plot_width / (n - 1) as f64 { 2 } else { 1 };
    for (i, label) in labels.iter().enumerate() {
        if i % step == 0 || i + 1 == n {
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#444">{}</text>"##,
                x(i),
                top + plot_height + 16.0,
                escape(&clip(label, 14))
            );
        }
    }
    if let Some((value, text)) = &target {
        let yy = y(*value);
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#555" stroke-width="1.5" stroke-dasharray="6 4"><title>{}</title></line><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#333">{}</text>"##,
            WIDTH - right,
            escape(text),
            WIDTH - right,
            yy - 4.0,
            escape(text)
        );
    }
    for (s, line) in lines.iter().enumerate() {
        let colour = PALETTE[s % PALETTE.len()];
        let width = if s == 0 { 2.5 } else { 1.5 };
        // A gap in the values breaks the line into runs.
        let mut run: Vec<String> = Vec::new();
        let mut runs: Vec<Vec<String>> = Vec::new();
        for (i, v) in line.values.iter().enumerate() {
            match v {
                Some(v) if v.is_finite() => run.push(format!("{:.1},{:.1}", x(i), y(*v))),
                _ => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        for r in runs.iter().filter(|r| r.len() > 1) {
            let _ = write!(
                out,
                r#"<polyline fill="none" stroke="{colour}" stroke-width="{width}" points="{}"/>"#,
                r.join(" ")
            );
        }
        for (i, v) in line.values.iter().enumerate() {
            if let Some(v) = v.filter(|v| v.is_finite()) {
                let text = line.texts.get(i).map_or("", String::as_str);
                let _ = write!(
                    out,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"><title>{}, {}: {}</title></circle>"#,
                    x(i),
                    y(v),
                    escape(&line.name),
                    escape(labels.get(i).map_or("", String::as_str)),
                    escape(text)
                );
            }
        }
    }
    if lines.len() > 1 {
        let (positions, _) = legend_layout(lines.iter().map(|l| l.name.as_str()));
        for (s, (line, (px, row))) in lines.iter().zip(positions).enumerate() {
            let yy = top + plot_height + 34.0 + 18.0 * row as f64;
            let _ = write!(
                out,
                r##"<rect x="{:.1}" y="{:.1}" width="14" height="4" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#222">{}</text>"##,
                left + px,
                yy - 4.0,
                PALETTE[s % PALETTE.len()],
                left + px + 18.0,
                yy + 1.0,
                escape(&clip(&line.name, 30))
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Where each legend entry goes (x offset from the plot's left, row), and how many rows.
fn legend_layout<'a>(names: impl Iterator<Item = &'a str>) -> (Vec<(f64, usize)>, usize) {
    let room = WIDTH - 100.0;
    let (mut x, mut row) = (0.0, 0);
    let mut positions = Vec::new();
    for name in names {
        let w = 18.0 + text_width(&clip(name, 30), 11.0) + 16.0;
        if x > 0.0 && x + w > room {
            x = 0.0;
            row += 1;
        }
        positions.push((x, row));
        x += w;
    }
    let rows = if positions.is_empty() { 0 } else { row + 1 };
    (positions, rows)
}

/// Horizontal bars, one per label, with the exact value at each bar's end. Negative values
/// (credits) run left of the zero line.
pub fn bar_chart(title: &str, labels: &[String], values: &[Option<f64>], texts: &[String]) -> String {
    let row = 22.0;
    let top = 8.0;
    let height = top + row * labels.len().max(1) as f64 + 10.0;
    let mut out = String::new();
    open(&mut out, title, height);
    let label_width = 210.0;
    let text_room = 110.0;
    let (mut low, mut high) = (0f64, 0f64);
    for v in values.iter().flatten().filter(|v| v.is_finite()) {
        low = low.min(*v);
        high = high.max(*v);
    }
    if high - low <= 0.0 {
        high = low + 1.0;
    }
    let plot_left = label_width + 8.0;
    let plot_width = WIDTH - plot_left - text_room;
    let x = |v: f64| plot_left + plot_width * (v - low) / (high - low);
    let zero = x(0.0);
    let _ = write!(
        out,
        r##"<line x1="{zero:.1}" y1="{top}" x2="{zero:.1}" y2="{:.1}" stroke="#888" stroke-width="1"/>"##,
        height - 10.0
    );
    for (i, label) in labels.iter().enumerate() {
        let yy = top + row * i as f64;
        let text = texts.get(i).map_or("", String::as_str);
        let _ = write!(
            out,
            r##"<text x="{label_width}" y="{:.1}" font-size="12" text-anchor="end" fill="#222">{}</text>"##,
            yy + 15.0,
            escape(&clip(label, 34))
        );
        if let Some(v) = values.get(i).copied().flatten().filter(|v| v.is_finite()) {
            let (from, to) = if v < 0.0 { (x(v), zero) } else { (zero, x(v)) };
            let colour = if v < 0.0 { "#b2182b" } else { PALETTE[0] };
            let _ = write!(
                out,
                r#"<rect x="{from:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>{}: {}</title></rect>"#,
                yy + 3.0,
                (to - from).max(0.5),
                row - 6.0,
                escape(label),
                escape(text)
            );
        }
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#222">{}</text>"##,
            x(high) + 6.0,
            yy + 15.0,
            escape(text)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chart_opens_with_its_escaped_title() {
        let svg = bar_chart("Spend <b>&</b>", &["A".into()], &[Some(1.0)], &["£1.00".into()]);
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.contains("<title>Spend &lt;b&gt;&amp;&lt;/b&gt;</title>"), "{svg}");
        let line = Line { name: "x\"y".into(), values: vec![Some(1.0), None, Some(3.0)], texts: vec![] };
        let svg = line_chart("Trend", &["a".into(), "b".into(), "c".into()], &[line], None, &|v| format!("{v}"));
        assert!(svg.contains("<title>Trend</title>") && svg.contains("x&quot;y"), "{svg}");
        // A gap leaves two one-point runs, so no polyline.
        assert!(!svg.contains("<polyline"), "{svg}");
    }

    #[test]
    fn bars_are_proportional_and_credits_run_left() {
        let svg = bar_chart("t", &["a".into(), "b".into(), "c".into()], &[Some(200.0), Some(100.0), Some(-100.0)], &[]);
        let widths: Vec<f64> = svg
            .split("<rect ")
            .skip(1)
            .map(|r| {
                let w = r.split("width=\"").nth(1).unwrap();
                w[..w.find('"').unwrap()].parse().unwrap()
            })
            .collect();
        // The range is -100 to 200: a's bar is twice b's, c's as long as b's.
        assert_eq!(widths.len(), 3);
        assert!((widths[0] - 2.0 * widths[1]).abs() < 0.2, "{widths:?}");
        assert!((widths[2] - widths[1]).abs() < 0.2, "{widths:?}");
        assert!(svg.contains("#b2182b"), "the credit is drawn in its own colour");
    }

    #[test]
    fn axis_bounds_start_at_zero_unless_that_flattens_the_values() {
        assert_eq!(bounds([10.0, 20.0].into_iter()).0, 0.0);
        let (low, high) = bounds([4.1, 4.3].into_iter());
        assert!(low > 4.0 && low < 4.1 && high > 4.3, "{low} {high}");
        assert_eq!(bounds(std::iter::empty()), (0.0, 1.0));
    }
}
