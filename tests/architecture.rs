//! The structure `ARCHITECTURE.md` promises, checked from the source text on every test run:
//! no import cycle between modules of `src/` (file by file, and between top-level modules), the
//! ingest side and the language kept apart, and a row in `ARCHITECTURE.md` for every module whose
//! named entry points exist. A reading of the source, not of the compiled crate, so it needs no
//! extra tool in CI; its own unit tests below show it finds the cycles it is meant to find.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// One module of the library: its path (`ingest::contracts`), file and non-test code.
struct Module {
    path: String,
    file: String,
    /// The file's text with comments, string contents and `#[cfg(test)]` items blanked out
    /// (same length and line breaks, so offsets still give line numbers).
    code: String,
}

/// A use of one module by another, with where it was seen.
#[derive(Clone, Debug)]
struct Edge {
    from: String,
    to: String,
    at: String,
}

/// Blanks out comments, string and char literal contents, keeping every newline, so that
/// `crate::` in a doc link or a message is not read as an import.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(&chars, i) {
            // A raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            for _ in i..=j {
                out.push(' ');
            }
            i = j + 1;
            while i < chars.len() {
                if chars[i] == '"' && (0..hashes).all(|h| chars.get(i + 1 + h) == Some(&'#')) {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += 1 + hashes;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('a', '\n', '\u{1F}') or a lifetime ('a, 'static).
            let end = if next == Some('\\') {
                (i + 2..chars.len()).find(|&j| chars[j] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    for _ in i..=end {
                        out.push(' ');
                    }
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// Blanks out every item under `#[cfg(test)]` (or `cfg(any(test, …))`): test code may use
/// anything, and only the shipped structure must be acyclic.
fn strip_test_items(code: &str) -> String {
    let bytes = code.as_bytes();
    let mut out = code.as_bytes().to_vec();
    let mut search_from = 0;
    while let Some(found) = code[search_from..].find("#[cfg(") {
        let start = search_from + found;
        let attr_end = match code[start..].find(']') {
            Some(e) => start + e + 1,
            None => break,
        };
        let attr = &code[start..attr_end];
        let is_test = attr.contains("cfg(test)") || attr.contains("cfg(any(test");
        if !is_test {
            search_from = attr_end;
            continue;
        }
        // The item ends at its first `;` at depth 0, or at the brace closing its first `{`.
        let mut depth = 0usize;
        let mut end = bytes.len();
        for (offset, &b) in bytes[attr_end..].iter().enumerate() {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = attr_end + offset + 1;
                        break;
                    }
                }
                b';' if depth == 0 => {
                    end = attr_end + offset + 1;
                    break;
                }
                _ => {}
            }
        }
        for b in &mut out[start..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        search_from = end;
    }
    String::from_utf8(out).expect("only ASCII bytes were replaced")
}

/// The names of child modules declared behind `#[cfg(test)]` in a file (`mod tests;`).
fn test_only_children(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut pending_test = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("#[cfg(test)]") || line.starts_with("#[cfg(any(test") {
            pending_test = true;
            continue;
        }
        if pending_test && !line.starts_with("#[") {
            let declared = line.trim_start_matches("pub ").trim_start_matches("pub(crate) ");
            if let Some(rest) = declared.strip_prefix("mod ")
                && let Some(name) = rest.strip_suffix(';')
            {
                names.insert(name.trim().to_string());
            }
            pending_test = false;
        }
    }
    names
}

/// `src/ingest/contracts.rs` → `ingest::contracts`; `src/ingest/mod.rs` → `ingest`.
fn module_path(relative: &str) -> String {
    let without_ext = relative.trim_end_matches(".rs");
    let mut parts: Vec<&str> = without_ext.split('/').collect();
    if parts.last() == Some(&"mod") {
        parts.pop();
    }
    parts.join("::")
}

/// Reads the library's modules from `files` (path relative to `src/` → text), leaving out the
/// crate roots and files that are test-only modules.
fn modules(files: &BTreeMap<String, String>) -> Vec<Module> {
    let mut test_only: BTreeSet<String> = BTreeSet::new();
    for (relative, text) in files {
        let parent = module_path(relative);
        for child in test_only_children(text) {
            let child_path = if relative == "lib.rs" { child } else { format!("{parent}::{child}") };
            test_only.insert(child_path);
        }
    }
    files
        .iter()
        .filter(|(relative, _)| *relative != "lib.rs" && *relative != "main.rs")
        .filter(|(relative, _)| !relative.starts_with("bin/"))
        .map(|(relative, text)| Module {
            path: module_path(relative),
            file: format!("src/{relative}"),
            code: strip_test_items(&strip_comments_and_strings(text)),
        })
        .filter(|m| !test_only.iter().any(|t| m.path == *t || m.path.starts_with(&format!("{t}::"))))
        .collect()
}

/// Expands one `use` tree (`a::{b, c::{self, d}}`) into full paths.
fn expand_use_tree(tree: &str) -> Vec<Vec<String>> {
    fn split_top_level(list: &str) -> Vec<&str> {
        let mut parts = Vec::new();
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in list.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&list[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&list[start..]);
        parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
    }
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let prefix: Vec<String> =
            tree[..open].split("::").map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut paths = Vec::new();
        for part in split_top_level(inner) {
            for tail in expand_use_tree(part) {
                let mut full = prefix.clone();
                if tail != ["self"] {
                    full.extend(tail);
                }
                paths.push(full);
            }
        }
        paths
    } else {
        let path = tree.split(" as ").next().unwrap_or(tree);
        vec![path.split("::").map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()]
    }
}

/// Every module path referred to in a module's code, with its line: `use` trees, and
/// `crate::…`/`super::…`/`self::…` paths written inline.
fn references(module: &Module) -> Vec<(Vec<String>, usize)> {
    let code = &module.code;
    let line_of = |offset: usize| code[..offset].matches('\n').count() + 1;
    let mut found = Vec::new();
    let mut use_spans = Vec::new();
    let mut at = 0;
    while let Some(pos) = find_word(code, "use", at) {
        let Some(semi) = code[pos..].find(';') else { break };
        let end = pos + semi;
        for path in expand_use_tree(&code[pos + 3..end]) {
            found.push((path, line_of(pos)));
        }
        use_spans.push(pos..end);
        at = end;
    }
    // Inline paths (`crate::a::f()`, `super::helper()`, `child::load()`): every `a::b…` that
    // starts a path; `edges` keeps those that name a module of the crate.
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut pos = 0;
    while pos < bytes.len() {
        let starts_path = is_ident(bytes[pos])
            && !bytes[pos].is_ascii_digit()
            && (pos == 0 || !(is_ident(bytes[pos - 1]) || bytes[pos - 1] == b':'));
        if !starts_path {
            pos += 1;
            continue;
        }
        let end = pos + code[pos..].bytes().take_while(|&b| is_ident(b) || b == b':').count();
        let path = &code[pos..end];
        if path.contains("::") && !use_spans.iter().any(|s| s.contains(&pos)) {
            found.push((path.split("::").filter(|s| !s.is_empty()).map(String::from).collect(), line_of(pos)));
        }
        pos = end.max(pos + 1);
    }
    found
}

fn find_word(code: &str, word: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(found) = code[at..].find(word) {
        let pos = at + found;
        let before = code[..pos].chars().next_back();
        let after = code[pos + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if boundary(before) && after.is_some_and(char::is_whitespace) {
            return Some(pos);
        }
        at = pos + word.len();
    }
    None
}

/// Every use of one module by another. Paths resolve to the longest known module prefix;
/// names the crate root re-exports (`crate::Error`) resolve to the module they come from.
fn edges(modules: &[Module], root_reexports: &BTreeMap<String, String>) -> Vec<Edge> {
    let known: BTreeSet<&str> = modules.iter().map(|m| m.path.as_str()).collect();
    let mut edges = Vec::new();
    for module in modules {
        let is_dir_module = module.file.ends_with("/mod.rs");
        let parent: Vec<&str> = {
            let mut p: Vec<&str> = module.path.split("::").collect();
            p.pop();
            p
        };
        for (path, line) in references(module) {
            let Some(first) = path.first() else { continue };
            let mut absolute: Vec<String> = match first.as_str() {
                "crate" => path[1..].to_vec(),
                "super" => {
                    let mut base: Vec<String> = parent.iter().map(ToString::to_string).collect();
                    let mut rest = &path[1..];
                    while rest.first().map(String::as_str) == Some("super") {
                        base.pop();
                        rest = &rest[1..];
                    }
                    base.extend(rest.iter().cloned());
                    base
                }
                "self" => {
                    let mut base: Vec<String> = module.path.split("::").map(String::from).collect();
                    base.extend(path[1..].iter().cloned());
                    base
                }
                child if is_dir_module && known.contains(format!("{}::{child}", module.path).as_str()) => {
                    let mut base: Vec<String> = module.path.split("::").map(String::from).collect();
                    base.extend(path.iter().cloned());
                    base
                }
                _ => continue,
            };
            if absolute.len() == 1
                && let Some(origin) = root_reexports.get(&absolute[0])
            {
                absolute = vec![origin.clone()];
            }
            let target = (1..=absolute.len())
                .rev()
                .map(|n| absolute[..n].join("::"))
                .find(|candidate| known.contains(candidate.as_str()));
            if let Some(target) = target
                && target != module.path
            {
                edges.push(Edge { from: module.path.clone(), to: target, at: format!("{}:{line}", module.file) });
            }
        }
    }
    edges
}

/// The crate root's `pub use module::{Name, …}` re-exports, name → module.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let code = strip_comments_and_strings(lib);
    let mut names = BTreeMap::new();
    let mut at = 0;
    while let Some(pos) = find_word(&code, "use", at) {
        let Some(semi) = code[pos..].find(';') else { break };
        for path in expand_use_tree(&code[pos + 3..pos + semi]) {
            if path.len() >= 2 {
                names.insert(path.last().cloned().unwrap_or_default(), path[0].clone());
            }
        }
        at = pos + semi;
    }
    names
}

/// Strongly connected components with more than one member (Tarjan's algorithm).
fn cycles(edges: &[(String, String)]) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: BTreeMap<&'a str, BTreeSet<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let successors: Vec<&str> = s.graph.get(v).map(|set| set.iter().copied().collect()).unwrap_or_default();
        for w in successors {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to) in edges {
        graph.entry(from).or_default().insert(to);
        graph.entry(to).or_default();
    }
    let nodes: Vec<&str> = graph.keys().copied().collect();
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in nodes {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.found
}

fn top(path: &str) -> &str {
    path.split("::").next().unwrap_or(path)
}

/// Cycles among files' modules and among top-level modules, each with the edges that form it.
fn cycle_report(modules: &[Module], root_reexports: &BTreeMap<String, String>) -> Vec<String> {
    let all = edges(modules, root_reexports);
    let mut report = Vec::new();
    let file_level: Vec<(String, String)> = all.iter().map(|e| (e.from.clone(), e.to.clone())).collect();
    let top_level: Vec<(String, String)> = all
        .iter()
        .filter(|e| top(&e.from) != top(&e.to))
        .map(|e| (top(&e.from).to_string(), top(&e.to).to_string()))
        .collect();
    for (level, graph, key) in [("module", file_level, false), ("top-level module", top_level, true)] {
        for component in cycles(&graph) {
            let members: BTreeSet<&str> = component.iter().map(String::as_str).collect();
            let inside: Vec<String> = all
                .iter()
                .filter(|e| {
                    let (from, to) = if key { (top(&e.from), top(&e.to)) } else { (e.from.as_str(), e.to.as_str()) };
                    from != to && members.contains(from) && members.contains(to)
                })
                .map(|e| format!("    {} -> {} ({})", e.from, e.to, e.at))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            report.push(format!("{level} cycle {}:\n{}", component.join(" <-> "), inside.join("\n")));
        }
    }
    report
}

fn read_src() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    let mut pending = vec![src.clone()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("read src/") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&src).expect("under src").to_string_lossy().replace('\\', "/");
                files.insert(relative, fs::read_to_string(&path).expect("read source file"));
            }
        }
    }
    files
}

#[test]
fn issue_9_no_import_cycle_between_modules_of_src() {
    let files = read_src();
    let modules = modules(&files);
    assert!(modules.len() > 20, "read only {} modules from src/", modules.len());
    let report = cycle_report(&modules, &root_reexports(&files["lib.rs"]));
    assert!(report.is_empty(), "import cycles in src/:\n{}", report.join("\n"));
}

#[test]
fn issue_9_ingest_and_the_language_never_import_each_other() {
    let files = read_src();
    let modules = modules(&files);
    let language = ["syntax", "semantic", "plan", "ir"];
    let wrong: Vec<String> = edges(&modules, &root_reexports(&files["lib.rs"]))
        .into_iter()
        .filter(|e| {
            (top(&e.from) == "ingest" && language.contains(&top(&e.to)))
                || (language.contains(&top(&e.from)) && top(&e.to) == "ingest")
        })
        .map(|e| format!("{} -> {} ({})", e.from, e.to, e.at))
        .collect();
    assert!(
        wrong.is_empty(),
        "ingest and the language must share only schema, catalog and suppliers:\n{}",
        wrong.join("\n")
    );
}

/// Whether `code` holds `KIND NAME` as a whole word (`fn begin`, not `fn beginning`).
fn defines(code: &str, kind: &str, name: &str) -> bool {
    let needle = format!("{kind} {name}");
    code.match_indices(&needle).any(|(pos, _)| {
        let before_ok =
            pos == 0 || !(code.as_bytes()[pos - 1].is_ascii_alphanumeric() || code.as_bytes()[pos - 1] == b'_');
        let after = code.as_bytes().get(pos + needle.len());
        before_ok && after.is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
    })
}

/// The rows of ARCHITECTURE.md's stage table: module path → its cells after the name.
fn architecture_rows() -> BTreeMap<String, Vec<String>> {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
        .expect("read ARCHITECTURE.md");
    let mut rows = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 3 {
            continue;
        }
        let Some(name) = cells[0].strip_prefix('`').and_then(|c| c.strip_suffix('`')) else { continue };
        let rest = cells[1..].iter().map(|c| (*c).to_string()).collect();
        assert!(rows.insert(name.to_string(), rest).is_none(), "ARCHITECTURE.md lists `{name}` twice");
    }
    rows
}

#[test]
fn issue_9_architecture_md_has_one_row_per_module_and_its_entry_points_exist() {
    let files = read_src();
    let modules = modules(&files);
    let known: BTreeSet<&str> = modules.iter().map(|m| m.path.as_str()).collect();
    let rows = architecture_rows();
    let mut problems = Vec::new();
    // Parts: the cell before the entry points, naming a module's files without rows of their own.
    let parts_of = |name: &str| -> Vec<String> {
        rows.get(name)
            .filter(|cells| cells.len() >= 3)
            .map(|cells| cells[cells.len() - 2].split('`').skip(1).step_by(2).map(String::from).collect())
            .unwrap_or_default()
    };
    for module in &modules {
        if rows.contains_key(&module.path) {
            continue;
        }
        match module.path.rsplit_once("::") {
            None => problems.push(format!("`{}` ({}) has no row", module.path, module.file)),
            Some((parent, child)) => {
                if !parts_of(parent).iter().any(|p| p == child) {
                    problems.push(format!(
                        "`{}` ({}) has no row and is not a part of `{parent}`",
                        module.path, module.file
                    ));
                }
            }
        }
    }
    for (name, cells) in &rows {
        for part in parts_of(name) {
            if !known.contains(format!("{name}::{part}").as_str()) {
                problems.push(format!("row `{name}` names a part `{part}` that is not a module of src/"));
            }
        }
        let entry_points = cells.last().map_or("", String::as_str);
        if !known.contains(name.as_str()) {
            problems.push(format!("row `{name}` names no module of src/"));
            continue;
        }
        // Every name in the entry-point cell must be defined in that module or below it.
        let code: String = modules
            .iter()
            .filter(|m| m.path == *name || m.path.starts_with(&format!("{name}::")))
            .map(|m| m.code.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        for named in entry_points.split('`').skip(1).step_by(2) {
            let last = named.trim_end_matches("()").rsplit("::").next().unwrap_or(named);
            if last.is_empty() || !last.chars().all(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let defined = ["fn", "struct", "enum", "trait", "type", "const", "static", "mod"]
                .iter()
                .any(|kind| defines(&code, kind, last));
            if !defined {
                problems.push(format!("row `{name}` names `{named}`, which {name} does not define"));
            }
        }
    }
    assert!(problems.is_empty(), "ARCHITECTURE.md is out of date:\n{}", problems.join("\n"));
}

/// The checker on sources made up for it, so a broken checker cannot pass the real check.
mod checker {
    use super::*;

    fn sources(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files.iter().map(|(p, t)| ((*p).to_string(), (*t).to_string())).collect()
    }

    fn report(files: &[(&str, &str)]) -> Vec<String> {
        let files = sources(files);
        cycle_report(&modules(&files), &root_reexports(files.get("lib.rs").map_or("", String::as_str)))
    }

    #[test]
    fn finds_a_cycle_through_use_trees_and_inline_paths() {
        let found = report(&[
            ("lib.rs", "pub mod a;\npub mod b;\n"),
            ("a.rs", "use crate::b::{self, thing};\n"),
            ("b.rs", "fn f() { crate::a::g(); }\n"),
        ]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("module cycle a <-> b"), "{found:?}");
        assert!(found[0].contains("a -> b (src/a.rs:1)") && found[0].contains("b -> a (src/b.rs:1)"), "{found:?}");
    }

    #[test]
    fn finds_a_parent_child_cycle_through_super_and_a_child_path() {
        let found = report(&[
            ("lib.rs", "pub mod ingest;\n"),
            ("ingest/mod.rs", "mod contracts;\nfn f() { contracts::load(); }\nfn helper() {}\n"),
            ("ingest/contracts.rs", "use super::{helper, Context};\n"),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("ingest <-> ingest::contracts"), "{found:?}");
    }

    #[test]
    fn finds_a_top_level_cycle_between_submodules() {
        let found = report(&[
            ("lib.rs", "pub mod ingest;\npub mod suppliers;\n"),
            ("ingest/mod.rs", "mod supplier;\n"),
            ("ingest/supplier.rs", "pub fn key() {}\n"),
            ("ingest/link.rs", "use crate::suppliers::Aliases;\n"),
            ("suppliers/mod.rs", "use crate::ingest::supplier::key;\n"),
        ]);
        assert!(found.iter().any(|r| r.starts_with("top-level module cycle ingest <-> suppliers")), "{found:?}");
    }

    #[test]
    fn ignores_comments_strings_test_items_and_test_only_files() {
        let found = report(&[
            ("lib.rs", "pub mod a;\npub mod b;\npub use a::Thing;\n"),
            (
                "a.rs",
                "//! See [`crate::b`].\nconst S: &str = \"crate::b::x\";\n#[cfg(test)]\nmod tests { use crate::b::y; }\n#[cfg(test)]\nmod more;\npub struct Thing;\n",
            ),
            ("a/more.rs", "use crate::b::z;\n"),
            ("b.rs", "use crate::Thing;\n"),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn resolves_root_reexports_to_their_module() {
        let found = report(&[
            ("lib.rs", "pub mod error;\npub mod a;\npub use error::{Error, Result};\n"),
            ("error.rs", "use crate::a::Kind;\n"),
            ("a.rs", "fn f() -> crate::Result<()> { Ok(()) }\npub enum Kind {}\n"),
        ]);
        assert_eq!(found.len(), 2, "{found:?}");
    }
}
