//! What a reader sees of an HTML report: the page rendered in headless Chromium (Debian's
//! `chromium`, which `.ci/run` installs) at the printable width of an A4 page, with the
//! page's print styles applied, measured by a small script injected into a copy of the page.
//! The script writes its findings into the DOM, and Chromium's `--dump-dom` hands the DOM
//! back once the page has loaded: no fixed sleep decides anything.
//!
//! Print styles: the report keeps them in `@media print` rules; the script copies those
//! rules into a plain style sheet, so the screen rendering measured is the printed one. The
//! width is A4's 210 mm less the report's 10 mm page margins each side: 190 mm, 718 CSS px
//! (96 px to the inch), narrower than the 794 px of the whole sheet.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The printable width of an A4 page with 10 mm margins, in CSS pixels.
pub const A4_PRINTABLE_PX: u32 = 718;

/// Debian's Chromium (or `SPENDQL_CHROMIUM`), or `None` with a visible skip notice; under
/// `CI=true` its absence fails the test, as the real council files' does.
pub fn chromium(test: &str) -> Option<PathBuf> {
    let ci = std::env::var("CI").as_deref() == Ok("true");
    let path = std::env::var_os("SPENDQL_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if path.is_file() {
        return Some(path);
    }
    assert!(!ci, "{test}: {} is absent, and CI=true requires Chromium (.ci/run installs it)", path.display());
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIP {test}: {} is absent (apt-get install chromium; CI requires it)",
        path.display()
    );
    None
}

/// The measuring script. It forces the `@media print` rules, then records: the viewport
/// width; every scorecard row's cells and its status cell's word and background colour;
/// every SVG's `<title>`; every element reaching past the page's right edge (or left of
/// its left edge); the page's title, its first heading and its visible text; whether any
/// other script ran (an escaping failure would run one); and how many outside resources the
/// page asked for.
const MEASURE: &str = r#"
<script id="spendql-measure-script">
(function () {
  var forced = document.createElement('style');
  var rules = [];
  for (var s = 0; s < document.styleSheets.length; s++) {
    var sheet = document.styleSheets[s];
    var list; try { list = sheet.cssRules; } catch (e) { continue; }
    for (var r = 0; r < list.length; r++) {
      var rule = list[r];
      if (rule.media && Array.prototype.indexOf.call(rule.media, 'print') >= 0) {
        for (var i = 0; i < rule.cssRules.length; i++) { rules.push(rule.cssRules[i].cssText); }
      }
    }
  }
  forced.textContent = rules.join('\n');
  document.head.appendChild(forced);
  var width = document.documentElement.clientWidth;
  var text = function (e) { return (e.textContent || '').replace(/\s+/g, ' ').trim(); };
  var scorecards = [];
  document.querySelectorAll('table.scorecard').forEach(function (t) {
    var rows = [];
    t.querySelectorAll('tbody tr').forEach(function (tr) {
      var status = tr.querySelector('.status');
      rows.push({
        cells: Array.prototype.map.call(tr.querySelectorAll('th, td'), text),
        status: status ? text(status) : null,
        colour: status ? getComputedStyle(status).backgroundColor : null
      });
    });
    scorecards.push({
      headings: Array.prototype.map.call(t.querySelectorAll('thead th'), text),
      rows: rows
    });
  });
  var svgs = Array.prototype.map.call(document.querySelectorAll('svg'), function (svg) {
    var title = svg.querySelector(':scope > title');
    var box = svg.getBoundingClientRect();
    return { title: title ? text(title) : null, width: box.width, height: box.height };
  });
  var overflowing = [];
  document.querySelectorAll('body *').forEach(function (e) {
    if (e.closest('#spendql-measure') || e.id === 'spendql-measure-script') { return; }
    var box = e.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) { return; }
    if (box.right > width + 0.5 || box.left < -0.5) {
      overflowing.push(e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + e.className : '')
        + ' [' + Math.round(box.left) + ', ' + Math.round(box.right) + ']: ' + text(e).slice(0, 60));
    }
  });
  var h1 = document.querySelector('h1');
  var result = {
    width: width,
    scrollWidth: document.documentElement.scrollWidth,
    title: document.title,
    h1: h1 ? text(h1) : null,
    text: document.body.innerText,
    scorecards: scorecards,
    svgs: svgs,
    overflowing: overflowing,
    injected: window.__spendqlInjected === true,
    scripts: document.scripts.length,
    resources: performance.getEntriesByType('resource').length
  };
  var out = document.createElement('script');
  out.type = 'application/json';
  out.id = 'spendql-measure';
  out.textContent = JSON.stringify(result).replace(/</g, '\\u003c');
  document.body.appendChild(out);
})();
</script>
"#;

/// Render `html` in headless Chromium `width` CSS px wide and return what the measuring
/// script found (see [`MEASURE`]). The page is copied, with the script added before
/// `</body>`, into a fresh folder that is also Chromium's profile.
pub fn measure(chromium: &Path, html: &Path, width: u32) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = std::fs::read_to_string(html).expect("the HTML report is UTF-8");
    let at = page.rfind("</body>").expect("the report has a </body>");
    let copy = dir.path().join("page.html");
    std::fs::write(&copy, format!("{}{MEASURE}{}", &page[..at], &page[at..])).expect("page copy");
    let profile = dir.path().join("profile");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            // Nothing on the network resolves: a report that needs it would show the gap.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={width},1123"))
        .arg("--dump-dom")
        .arg(format!("file://{}", copy.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    // The DOM is read while Chromium writes it (a full pipe would stall it), and a hung
    // browser fails the test rather than hanging the suite; the verdict comes from the DOM,
    // whenever Chromium finishes.
    let read = |mut stream: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stream.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("chromium's stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("chromium's stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium status") {
            break status;
        }
        if started.elapsed() > Duration::from_mins(2) {
            let _ = child.kill();
            panic!("chromium did not finish rendering {} in 120 s", html.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = std::process::Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    };
    let dom = String::from_utf8_lossy(&output.stdout);
    let marker = r#"<script type="application/json" id="spendql-measure">"#;
    let start = dom.find(marker).unwrap_or_else(|| {
        panic!(
            "chromium gave no measurements for {} (status {:?}):\n{}\nstderr:\n{}",
            html.display(),
            output.status,
            dom.chars().take(2000).collect::<String>(),
            String::from_utf8_lossy(&output.stderr)
        )
    }) + marker.len();
    let end = start + dom[start..].find("</script>").expect("the measurements end");
    serde_json::from_str(&dom[start..end]).expect("the measurements are JSON")
}

/// The measured facts every shipped report must show a reader: the page measured at the
/// width asked for, nothing wider than it, no outside resources, and every chart an SVG
/// with a title.
pub fn assert_printable(found: &serde_json::Value, what: &str) {
    assert_eq!(found["width"].as_u64(), Some(u64::from(A4_PRINTABLE_PX)), "{what}: measured at the A4 width");
    let overflowing = found["overflowing"].as_array().expect("overflowing");
    assert!(overflowing.is_empty(), "{what}: elements wider than an A4 page: {overflowing:#?}");
    assert!(
        found["scrollWidth"].as_u64() <= found["width"].as_u64(),
        "{what}: the page scrolls sideways ({} > {})",
        found["scrollWidth"],
        found["width"]
    );
    assert_eq!(found["resources"].as_u64(), Some(0), "{what}: the page loads nothing from outside");
    for svg in found["svgs"].as_array().expect("svgs") {
        let title = svg["title"].as_str().unwrap_or("");
        assert!(!title.is_empty(), "{what}: a chart without a <title>: {svg}");
    }
}
