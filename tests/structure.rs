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
    &["report", "video", "onvif", "notify"],
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
    without_test_modules(&blanked(text))
}

/// Removes every `#[cfg(test)] mod name { … }` (to its matching brace) from blanked code, keeping the
/// newlines so that line numbers stay those of the file. Code after a test module is read as well.
fn without_test_modules(code: &str) -> String {
    let b: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(&['#', '[', 'c', 'f', 'g', '(', 't', 'e', 's', 't', ')', ']']) {
            // The item the attribute is on: a module with a body is skipped to its closing brace.
            let mut j = i + 12;
            while j < b.len() && b[j].is_whitespace() {
                j += 1;
            }
            let rest: String = b[j..b.len().min(j + 8)].iter().collect();
            if rest.starts_with("mod ") || rest.starts_with("pub mod ") {
                let mut k = j;
                while k < b.len() && b[k] != '{' && b[k] != ';' {
                    k += 1;
                }
                if b.get(k) == Some(&'{') {
                    let mut depth = 0usize;
                    while k < b.len() {
                        match b[k] {
                            '{' => depth += 1,
                            '}' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        k += 1;
                    }
                    out.extend(b[i..k.min(b.len())].iter().filter(|c| **c == '\n'));
                    i = k + 1;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The code of a file with comments and string/char literals blanked out.
fn blanked(text: &str) -> String {
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

/// Whether `code` has the identifier `word` (not as part of a longer one).
fn names_word(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(i, _)| {
        let before = code[..i].chars().next_back().is_none_or(|c| !is_ident(c));
        let after = code[i + word.len()..].chars().next().is_none_or(|c| !is_ident(c));
        before && after
    })
}

/// The longest known module that a path starts with.
fn resolve(path: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains(p))
}

fn is_prefix(a: &[String], b: &[String]) -> bool {
    a.len() <= b.len() && b[..a.len()] == *a
}

/// What a scan of `src/` read: each file module, the modules it uses, and its file.
struct Scan {
    modules: BTreeSet<Vec<String>>,
    uses: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    file_of: BTreeMap<Vec<String>, String>,
    /// The names of `NAMES_NOT_FOR_AREAS` each file's code writes.
    names: BTreeMap<Vec<String>, BTreeSet<&'static str>>,
}

impl Scan {
    /// `files`: (path relative to `src/`, its text).
    fn of(files: &[(String, String)]) -> Scan {
        let module = |rel: &str| module_of(Path::new(""), Path::new(rel));
        let modules: BTreeSet<Vec<String>> = files.iter().map(|(rel, _)| module(rel)).collect();
        let mut uses = BTreeMap::new();
        let mut file_of = BTreeMap::new();
        let mut names = BTreeMap::new();
        for (rel, text) in files {
            let m = module(rel);
            let code = code_only(text);
            let written: BTreeSet<&'static str> =
                NAMES_NOT_FOR_AREAS.iter().copied().filter(|n| names_word(&code, n)).collect();
            names.insert(m.clone(), written);
            let used: BTreeSet<Vec<String>> =
                references(&code, &m).iter().filter_map(|p| resolve(p, &modules)).filter(|u| *u != m).collect();
            file_of.insert(m.clone(), rel.clone());
            uses.insert(m, used);
        }
        Scan { modules, uses, file_of, names }
    }

    fn references(&self) -> usize {
        self.uses.values().map(BTreeSet::len).sum()
    }

    /// Edges between files that are dependencies: a module declaring its own submodules (and using
    /// what it declared) is ownership, not a dependency, so edges to one's own descendants are left out.
    fn edges(&self) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
        self.uses
            .iter()
            .map(|(a, used)| (a.clone(), used.iter().filter(|b| !is_prefix(a, b)).cloned().collect()))
            .collect()
    }
}

/// The strongly connected components with more than one node (Tarjan), each sorted, in order.
fn cycles<N: Ord + Clone>(edges: &BTreeMap<N, BTreeSet<N>>) -> Vec<Vec<N>> {
    struct State<N> {
        index: BTreeMap<N, usize>,
        low: BTreeMap<N, usize>,
        stack: Vec<N>,
        on_stack: BTreeSet<N>,
        next: usize,
        out: Vec<Vec<N>>,
    }
    fn visit<N: Ord + Clone>(n: &N, edges: &BTreeMap<N, BTreeSet<N>>, s: &mut State<N>) {
        s.index.insert(n.clone(), s.next);
        s.low.insert(n.clone(), s.next);
        s.next += 1;
        s.stack.push(n.clone());
        s.on_stack.insert(n.clone());
        for m in edges.get(n).into_iter().flatten() {
            if !s.index.contains_key(m) {
                visit(m, edges, s);
                let low = s.low[n].min(s.low[m]);
                s.low.insert(n.clone(), low);
            } else if s.on_stack.contains(m) {
                let low = s.low[n].min(s.index[m]);
                s.low.insert(n.clone(), low);
            }
        }
        if s.low[n] == s.index[n] {
            let mut component = Vec::new();
            while let Some(m) = s.stack.pop() {
                s.on_stack.remove(&m);
                let done = m == *n;
                component.push(m);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for n in edges.keys() {
        if !s.index.contains_key(n) {
            visit(n, edges, &mut s);
        }
    }
    s.out.sort();
    s.out
}

/// The area of the console module `m` belongs to: a folder of ui/ with its own `logic.rs` (the
/// worker's folder is not one).
fn area_of(scan: &Scan, m: &[String]) -> Option<String> {
    (m.len() >= 2 && m[0] == "ui" && scan.modules.contains(&vec!["ui".to_owned(), m[1].clone(), "logic".to_owned()]))
        .then(|| m[1].clone())
}

/// The area folders of `ui/` and the other areas each names.
fn area_edges(scan: &Scan) -> BTreeMap<String, BTreeSet<String>> {
    let area = |m: &[String]| area_of(scan, m);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, used) in &scan.uses {
        let Some(from) = area(a) else { continue };
        let entry = edges.entry(from.clone()).or_default();
        for b in used {
            if let Some(to) = area(b).filter(|to| *to != from) {
                entry.insert(to);
            }
        }
    }
    edges
}

/// ARCHITECTURE.md's module table: each top-level module and the modules of the crate it may use
/// ("everything below": every module of a lower layer).
fn may_use(architecture: &str) -> BTreeMap<String, BTreeSet<String>> {
    let known: BTreeSet<&str> = LAYERS.iter().flat_map(|l| l.iter().copied()).collect();
    let mut out = BTreeMap::new();
    for line in architecture.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
        let (Some(first), Some(last)) = (cells.first(), cells.last()) else { continue };
        // Rows of one top-level module only (`store/`, `settings.rs`), not of its parts.
        let names: Vec<&str> = first.split(',').map(|c| c.trim().trim_matches('`')).collect();
        let [name] = names.as_slice() else { continue };
        let top = name.trim_end_matches('/').trim_end_matches(".rs");
        if !known.contains(top) || name.trim_end_matches('/').contains('/') {
            continue;
        }
        let allowed: BTreeSet<String> = if last.contains("everything below") {
            let own = layer_of(top).unwrap_or(0);
            LAYERS[..own].iter().flat_map(|l| l.iter().map(|m| (*m).to_owned())).collect()
        } else {
            last.split(',')
                .filter_map(|item| item.split_whitespace().next())
                .filter(|w| known.contains(w))
                .map(str::to_owned)
                .collect()
        };
        out.insert(top.to_owned(), allowed);
    }
    out
}

/// Cycles of files held as known debt: a new cycle, or a known one growing, fails; a known one gone or
/// shrunk fails too, so that the list is cut as the debt is paid. Empty since the areas stand alone
/// (issue 30): the last one (27 files: app.rs → worker/mod.rs → areas.rs → an area → app.rs) is gone.
const KNOWN_FILE_CYCLES: &[&[&str]] = &[];

/// The console's parts an area may not name: the app, its state as a whole, the shell, the area list
/// and its routing, and the worker's job list (an area's jobs reach the worker through
/// `worker/context.rs`). An area gets what it needs through `context.rs`.
const NOT_FOR_AREAS: [&str; 6] = ["ui/app", "ui/state", "ui/shell", "ui/areas", "ui/routing", "ui/worker"];

/// Names an area's files never write (the app and its whole state).
const NAMES_NOT_FOR_AREAS: [&str; 2] = ["JianchaApp", "AppState"];

/// Everything wrong with the structure of the files given, as messages.
/// `known_files`: the cycles of files held as debt (`KNOWN_FILE_CYCLES`).
fn structure_problems(scan: &Scan, architecture: &str, known_files: &[&[&str]]) -> Vec<String> {
    let mut problems = Vec::new();
    for m in scan.modules.iter().filter(|m| m.len() == 1) {
        if layer_of(&m[0]).is_none() {
            problems.push(format!("src/{}: not in the layer table (tests/structure.rs, ARCHITECTURE.md)", m[0]));
        }
    }
    // Layers: nobody reaches up.
    let mut top_edges: BTreeSet<(String, String)> = BTreeSet::new();
    for (module, used) in &scan.uses {
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
                    scan.file_of[module],
                    u.join("::")
                ));
            }
        }
    }
    // ARCHITECTURE's "may use" column says what each module uses.
    let allowed = may_use(architecture);
    for (own, other) in &top_edges {
        match allowed.get(own) {
            Some(list) if list.contains(other) => {}
            Some(list) => problems.push(format!(
                "crate::{own} uses crate::{other}, which ARCHITECTURE.md's \"may use\" column for {own} does not name ({})",
                list.iter().cloned().collect::<Vec<_>>().join(", ")
            )),
            None => problems.push(format!("ARCHITECTURE.md's module table has no row for {own}")),
        }
    }
    // Cycles: among top-level modules, among files, among the console's area folders.
    let mut tops: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, b) in &top_edges {
        tops.entry(a.clone()).or_default().insert(b.clone());
    }
    for c in cycles(&tops) {
        problems.push(format!("top-level modules in a cycle: {}", c.join(" → ")));
    }
    let known = |list: &[&[&str]]| -> BTreeSet<Vec<String>> {
        list.iter().map(|c| c.iter().map(|s| (*s).to_owned()).collect()).collect()
    };
    let file_cycles: BTreeSet<Vec<String>> =
        cycles(&scan.edges()).into_iter().map(|c| c.iter().map(|m| scan.file_of[m].clone()).collect()).collect();
    let found = file_cycles;
    let known = known(known_files);
    for c in found.difference(&known) {
        problems.push(format!("files in a cycle ({}): {}", c.len(), c.join(", ")));
    }
    for c in known.difference(&found) {
        problems.push(format!("a known cycle of files is gone or changed — cut it from the list: {}", c.join(", ")));
    }
    // An area of the console never names another (it asks through `Command::Open`, `ui/open.rs`).
    for (area, others) in area_edges(scan) {
        for other in others {
            problems.push(format!("ui/{area}/ names the area ui/{other}/: ask through Command::Open instead"));
        }
    }
    // Nor the app, its whole state or the routing: it gets an `AreaCtx` / `Panel` (`ui/context.rs`).
    for (m, used) in &scan.uses {
        if area_of(scan, m).is_none() {
            continue;
        }
        let file = &scan.file_of[m];
        for u in used {
            let path = u.join("/");
            if NOT_FOR_AREAS.contains(&path.as_str()) {
                problems.push(format!("src/{file} (an area) uses crate::{}: take it from ui/context.rs", u.join("::")));
            }
        }
        for name in &scan.names[m] {
            problems.push(format!("src/{file} (an area) names {name}: take what it needs from ui/context.rs"));
        }
    }
    problems
}

/// Every file of `src/` (but `main.rs`) with its text, by its path under `src/`.
fn source_files() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n != "main.rs"))
        .map(|f| {
            let rel = f.strip_prefix(&src).unwrap_or(f).to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(f).expect("a source file is readable"))
        })
        .collect()
}

#[test]
fn no_module_uses_a_layer_above_it_or_outside_its_row_and_nothing_is_in_a_cycle() {
    let files = source_files();
    let scan = Scan::of(&files);
    let architecture = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md");
    let problems = structure_problems(&scan, &architecture, KNOWN_FILE_CYCLES);
    let (read, references) = (scan.uses.len(), scan.references());
    println!("{read} files, {references} module references read; {} problem(s)", problems.len());
    for (module, allowed) in may_use(&architecture) {
        println!("  {module} may use [{}]", allowed.into_iter().collect::<Vec<_>>().join(", "));
    }
    // A scan that read nothing would pass: the tree has some 160 files and 900 references to others.
    assert!(read >= 150 && references >= 800, "the scan read too little: {read} files, {references} references");
    let layered = LAYERS.iter().map(|l| l.len()).sum::<usize>();
    assert_eq!(may_use(&architecture).len(), layered, "ARCHITECTURE.md's module table has a row per module");
    assert!(problems.is_empty(), "structure problems:\n  {}", problems.join("\n  "));
}

#[test]
fn a_three_file_cycle_and_code_after_a_test_module_are_seen() {
    let file = |rel: &str, text: &str| (rel.to_owned(), text.to_owned());
    let architecture = "| `store/` | x | domain |\n| `domain/` | x | — |\n";
    // a → b → c → a, with the last use after a test module that the old reader stopped at.
    let files = vec![
        file("store/a.rs", "use crate::store::b::B;\npub struct A;\n"),
        file("store/b.rs", "use crate::store::c::C;\npub struct B;\n"),
        file(
            "store/c.rs",
            "#[cfg(test)]\nmod tests {\n    fn f() { let _ = '{'; }\n}\npub struct C;\nfn g() { crate::store::a::A; }\n",
        ),
        file("store/mod.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
        file("domain/mod.rs", "pub struct D;\n"),
    ];
    let scan = Scan::of(&files);
    let problems = structure_problems(&scan, architecture, &[]);
    assert_eq!(
        problems,
        ["files in a cycle (3): store/a.rs, store/b.rs, store/c.rs".to_owned()],
        "the cycle is found, and only it"
    );
    // The module table is checked: a use the row does not name fails.
    let files = vec![file("domain/mod.rs", "use crate::store::X;\n"), file("store/mod.rs", "pub struct X;\n")];
    let problems = structure_problems(&Scan::of(&files), architecture, &[]);
    assert!(problems.iter().any(|p| p.contains("layer 1, domain) uses crate::store")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("\"may use\" column for domain")), "{problems:?}");
    // An area naming another is found (an area: a folder of ui/ with a logic.rs).
    let files = vec![
        file("ui/mod.rs", "pub mod a;\npub mod b;\n"),
        file("ui/a/mod.rs", "pub mod logic;\n"),
        file("ui/a/logic.rs", "fn f() { crate::ui::b::X; }\n"),
        file("ui/b/mod.rs", "pub mod logic;\npub struct X;\n"),
        file("ui/b/logic.rs", "\n"),
    ];
    let problems = structure_problems(&Scan::of(&files), "| `ui/` | x | everything below |\n", &[]);
    assert_eq!(problems, ["ui/a/ names the area ui/b/: ask through Command::Open instead".to_owned()]);
    // An area naming the app or its whole state is found.
    let files = vec![
        file("ui/mod.rs", "pub mod a;\npub mod app;\n"),
        file("ui/app.rs", "pub struct JianchaApp;\n"),
        file("ui/a/mod.rs", "pub mod logic;\n"),
        file("ui/a/logic.rs", "fn f(app: &mut crate::ui::app::JianchaApp) { let s: AppState; let MyAppStateX = 1; }\n"),
    ];
    let problems = structure_problems(&Scan::of(&files), "| `ui/` | x | everything below |\n", &[]);
    assert_eq!(
        problems,
        [
            "src/ui/a/logic.rs (an area) uses crate::ui::app: take it from ui/context.rs".to_owned(),
            "src/ui/a/logic.rs (an area) names AppState: take what it needs from ui/context.rs".to_owned(),
            "src/ui/a/logic.rs (an area) names JianchaApp: take what it needs from ui/context.rs".to_owned(),
        ]
    );
    // SCCs: two separate cycles and a tail.
    let edges: BTreeMap<u8, BTreeSet<u8>> = [
        (1, BTreeSet::from([2])),
        (2, BTreeSet::from([1, 3])),
        (3, BTreeSet::from([4])),
        (4, BTreeSet::from([5])),
        (5, BTreeSet::from([3])),
        (6, BTreeSet::from([1])),
    ]
    .into_iter()
    .collect();
    assert_eq!(cycles(&edges), vec![vec![1, 2], vec![3, 4, 5]]);
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

/// Where the real clock may be read or slept on directly: the clock itself and the benchmarks.
const REAL_TIME_ALLOWED: [&str; 4] = ["clock.rs", "video/bench.rs", "video/watch_bench.rs", "video/relay_bench.rs"];

/// Known debt: files that read `Instant::now()` or sleep themselves. The list only shrinks (a file named
/// here that no longer reads the real clock fails, so that it is cut); it is empty. Code that paces real
/// hardware (the simulated cameras' frames, a probe's frame count, a pipeline draining) says so with
/// `clock::real_monotonic` / `real_sleep`; timers, retries and waits take a `Clock`.
const REAL_TIME_DEBT: [&str; 0] = [];

/// Time goes through `clock::Clock` (now, monotonic, sleep, timed waits; `SimulatedClock` in tests):
/// `Instant::now()` and `thread::sleep` are the clock's and the benchmarks' alone.
#[test]
fn time_is_read_and_waited_for_through_the_clock() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut hits = Vec::new();
    let mut debt_seen = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap_or(file).to_string_lossy().replace('\\', "/");
        if REAL_TIME_ALLOWED.contains(&rel.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("a source file is readable");
        let code = code_only(&text);
        let found = literal_hits(file, &code, &text, &[("Instant::now()", false), ("thread::sleep(", false)]);
        if found.is_empty() {
            continue;
        }
        if REAL_TIME_DEBT.contains(&rel.as_str()) {
            debt_seen.insert(rel);
        } else {
            hits.extend(found);
        }
    }
    assert!(files.len() > 150, "the scan read the source ({} files)", files.len());
    assert!(hits.is_empty(), "the real clock read outside clock.rs (use the Clock):\n  {}", hits.join("\n  "));
    let paid: Vec<&str> = REAL_TIME_DEBT.iter().copied().filter(|f| !debt_seen.contains(*f)).collect();
    assert!(paid.is_empty(), "no longer reads the real clock — cut from REAL_TIME_DEBT: {paid:?}");
}
