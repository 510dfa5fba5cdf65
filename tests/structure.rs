//! The structure of `src/`. The layer order (ARCHITECTURE.md, "Layers"): reads every file's references to `crate::…`
//! and `super::…` and fails when a module uses one above it, or when two modules use each other.
//!
//! The references are read from the code itself (comments, strings and `#[cfg(test)]` modules left
//! out), so the test sees what the compiler sees: `use` lines, grouped `use crate::{a, b::{c, d}}`,
//! and paths written inline.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. A module may use its own layer and those below; two modules of one layer may use each
/// other in one direction only.
const LAYERS: &[&[&str]] = &[
    &["clock", "files", "fonts"],
    &["domain"],
    &["interchange", "settings"],
    &["store"],
    &["report", "video", "onvif"],
    &["demo", "server"],
    &["cli", "ui"],
];

fn layer_of(top: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&top))
}

/// A file's module path: `src/store/sqlite/alerts.rs` → `store::sqlite::alerts`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" && stem != "lib" {
            parts.push(stem.to_owned());
        }
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src/ is readable").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file with comments and string/char literals blanked out, and without its
/// `#[cfg(test)]` modules (tests may use any layer).
fn code_only(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    };
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !b.get(i.wrapping_sub(1)).is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // Raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                if b[j] == '\n' {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            // Newlines inside the string are kept, so that line numbers stay those of the file.
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                } else if b[i] == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Reads a path tail after `crate::` / `super::` at `i`: `a::b`, `a::{b, c::{d}}`; every full path it names.
fn paths_at(b: &[char], mut i: usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let skip_ws = |b: &[char], mut i: usize| {
        while i < b.len() && b[i].is_whitespace() {
            i += 1;
        }
        i
    };
    let mut path = prefix;
    loop {
        i = skip_ws(b, i);
        if b.get(i) == Some(&'{') {
            i += 1;
            loop {
                i = skip_ws(b, i);
                if b.get(i) == Some(&'}') {
                    return i + 1;
                }
                i = paths_at(b, i, path.clone(), out);
                i = skip_ws(b, i);
                match b.get(i) {
                    Some(',') => i += 1,
                    Some('}') => return i + 1,
                    _ => return i,
                }
            }
        }
        let start = i;
        while i < b.len() && is_ident(b[i]) {
            i += 1;
        }
        if start == i {
            // `*` or the end of the path.
            out.push(path);
            return i;
        }
        path.push(b[start..i].iter().collect());
        if b.get(i) == Some(&':') && b.get(i + 1) == Some(&':') {
            i += 2;
        } else {
            out.push(path);
            return i;
        }
    }
}

/// Every module path a file's code names (`crate::…` as is; `super::…` from the file's module).
fn references(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let b: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let boundary = i == 0 || !is_ident(b[i - 1]) && b[i - 1] != ':';
        if boundary && b[i..].starts_with(&['c', 'r', 'a', 't', 'e', ':', ':']) {
            i = paths_at(&b, i + 7, Vec::new(), &mut out);
        } else if boundary && b[i..].starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':']) {
            // `super` of a file module is its parent; chains of `super::super::` go further up.
            let mut base: Vec<String> = module.to_vec();
            let mut j = i;
            while b[j..].starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':']) {
                base.pop();
                j += 7;
            }
            i = paths_at(&b, j, base, &mut out);
        } else {
            i += 1;
        }
    }
    out
}

/// The longest known module that a path starts with.
fn resolve(path: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains(p))
}

fn is_prefix(a: &[String], b: &[String]) -> bool {
    a.len() <= b.len() && b[..a.len()] == *a
}

#[test]
fn no_module_uses_a_layer_above_it_and_no_two_modules_use_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.retain(|f| f.file_name().is_some_and(|n| n != "main.rs"));
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();

    let mut problems = Vec::new();
    // Every top-level module has its layer.
    for m in modules.iter().filter(|m| m.len() == 1) {
        if layer_of(&m[0]).is_none() {
            problems.push(format!("src/{}: not in the layer table (tests/layers.rs, ARCHITECTURE.md)", m[0]));
        }
    }

    // file module → modules it uses (resolved), with the file for messages.
    let mut uses: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let mut file_of: BTreeMap<Vec<String>, String> = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        let text = std::fs::read_to_string(file).expect("a source file is readable");
        let code = code_only(&text);
        let used: BTreeSet<Vec<String>> =
            references(&code, &module).iter().filter_map(|p| resolve(p, &modules)).filter(|m| *m != module).collect();
        file_of.insert(module.clone(), file.strip_prefix(&src).unwrap_or(file).display().to_string());
        uses.insert(module, used);
    }

    // Layers: nobody reaches up.
    let mut top_edges: BTreeSet<(String, String)> = BTreeSet::new();
    for (module, used) in &uses {
        let Some(own) = module.first() else { continue };
        for u in used {
            let Some(other) = u.first() else { continue };
            if other == own {
                continue;
            }
            top_edges.insert((own.clone(), other.clone()));
            if let (Some(a), Some(b)) = (layer_of(own), layer_of(other))
                && b > a
            {
                problems.push(format!(
                    "src/{} (layer {a}, {own}) uses crate::{} (layer {b}): a module may use only its own layer and below",
                    file_of[module],
                    u.join("::")
                ));
            }
        }
    }
    // No two top-level modules use each other.
    for (a, b) in &top_edges {
        if a < b && top_edges.contains(&(b.clone(), a.clone())) {
            problems.push(format!("crate::{a} and crate::{b} use each other"));
        }
    }
    // No two files use each other (a parent and its own submodules aside).
    for (a, used) in &uses {
        for b in used {
            if a < b && !is_prefix(a, b) && !is_prefix(b, a) && uses.get(b).is_some_and(|u| u.contains(a)) {
                problems.push(format!("src/{} and src/{} use each other", file_of[a], file_of[b]));
            }
        }
    }

    println!("layers (lowest first):");
    for (n, layer) in LAYERS.iter().enumerate() {
        let names: Vec<String> = layer
            .iter()
            .map(|m| {
                let below: Vec<&str> = top_edges.iter().filter(|(a, _)| a == m).map(|(_, b)| b.as_str()).collect();
                format!("{m} → [{}]", below.join(", "))
            })
            .collect();
        println!("  {n}: {}", names.join("; "));
    }
    let file_edges: usize = uses.values().map(BTreeSet::len).sum();
    println!("{} files, {} module references read; {} problem(s)", files.len(), file_edges, problems.len());
    assert!(problems.is_empty(), "layer violations:\n  {}", problems.join("\n  "));
}

#[test]
fn the_reader_sees_grouped_uses_and_skips_comments_and_strings() {
    let code = code_only(
        "use crate::{domain::alerts::{Level, Rule}, store};\n// crate::ui::x\nlet s = \"crate::cli::y\";\nfn f<'a>(c: char) { let _ = '\\''; crate::video::sim::f(); }\n#[cfg(test)]\nmod tests { use crate::demo::x; }\n",
    );
    let found: BTreeSet<String> = references(&code, &["report".to_owned()]).iter().map(|p| p.join("::")).collect();
    let expected: BTreeSet<String> = ["domain::alerts::Level", "domain::alerts::Rule", "store", "video::sim::f"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(found, expected);
    let sup: Vec<String> =
        references("use super::query::day_bounds;", &["store".into(), "sqlite".into(), "overview".into()])
            .iter()
            .map(|p| p.join("::"))
            .collect();
    assert_eq!(sup, vec!["store::sqlite::query::day_bounds".to_owned()]);
}

/// Where a token-free literal was found: `path:line: text`.
fn literal_hits(path: &Path, code: &str, original: &str, patterns: &[(&str, bool)]) -> Vec<String> {
    let mut hits = Vec::new();
    let shown: Vec<&str> = original.lines().collect();
    for (n, line) in code.lines().enumerate() {
        for (pattern, needs_digit) in patterns {
            let mut from = 0;
            while let Some(i) = line[from..].find(pattern) {
                let at = from + i;
                let rest = line[at + pattern.len()..].trim_start();
                if !needs_digit || rest.starts_with(|c: char| c.is_ascii_digit()) {
                    let text = shown.get(n).copied().unwrap_or(line);
                    hits.push(format!("{}:{}: {}", path.display(), n + 1, text.trim()));
                    break;
                }
                from = at + pattern.len();
            }
        }
    }
    hits
}

#[test]
fn colours_text_sizes_and_dialogs_come_from_the_theme() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join("ui");
    let mut files = Vec::new();
    rust_files(&ui, &mut files);
    // (pattern, only when a number follows)
    let patterns: &[(&str, bool)] = &[
        ("Color32::", false),
        ("from_rgb(", false),
        ("from_gray(", false),
        ("from_black_alpha(", false),
        ("from_white_alpha(", false),
        (".size(", true),
        ("FontId::proportional(", true),
        ("FontId::monospace(", true),
        ("set_width(", true),
    ];
    let mut hits = Vec::new();
    let mut scanned = 0;
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let text = std::fs::read_to_string(file).expect("a source file is readable");
        let code = code_only(&text);
        if name != "theme.rs" {
            scanned += 1;
            hits.extend(literal_hits(file, &code, &text, patterns));
        }
        if name != "dialog.rs" {
            // Every modal goes through `dialog::Dialog` (title, width token, error line, buttons).
            hits.extend(literal_hits(file, &code, &text, &[("Modal::new(", false)]));
        }
    }
    println!("{scanned} files of src/ui scanned for colour, size and modal literals: {} found", hits.len());
    assert!(hits.is_empty(), "take these from ui/theme.rs (or ui/dialog.rs):\n  {}", hits.join("\n  "));
}

#[test]
fn the_literal_scan_finds_what_it_looks_for() {
    let code =
        "let c = Color32::WHITE;\nui.set_width(420.0);\nlet x = t.size(t.text_size.nav);\nRichText::new(s).size(20.0)";
    let hits =
        literal_hits(Path::new("x.rs"), code, code, &[("Color32::", false), ("set_width(", true), (".size(", true)]);
    assert_eq!(hits.len(), 3, "{hits:?}");
    assert!(hits[2].starts_with("x.rs:4:"));
    // Line numbers survive strings that span lines.
    let code = code_only("let s = \"one\ntwo\";\nlet c = Color32::RED;\n");
    assert_eq!(
        literal_hits(Path::new("y.rs"), &code, &code, &[("Color32::", false)]),
        ["y.rs:3: let c = Color32::RED;"]
    );
}

/// `unsafe` code is allowed in one file: the OpenGL/EGL calls of the wall's GPU path.
const UNSAFE_ALLOWED: &[&str] = &["video/gl.rs"];

#[test]
fn unsafe_code_stays_in_the_gl_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut hits = Vec::new();
    let mut allowed_seen = 0;
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap_or(file).to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(file).expect("a source file is readable");
        let code = code_only(&text);
        let found = literal_hits(file, &code, &text, &[("unsafe ", false), ("unsafe{", false), ("unsafe_code", false)]);
        if UNSAFE_ALLOWED.contains(&rel.as_str()) {
            allowed_seen += usize::from(!found.is_empty());
        } else {
            hits.extend(found);
        }
    }
    assert_eq!(allowed_seen, UNSAFE_ALLOWED.len(), "the GL module is where the unsafe calls are");
    assert!(hits.is_empty(), "unsafe code outside {UNSAFE_ALLOWED:?}:\n  {}", hits.join("\n  "));
}
