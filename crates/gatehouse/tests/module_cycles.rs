//! No module of a crate depends on another that depends back on it,
//! directly or round a circle: the crates' floors stay layered inside as
//! well as between them. Each crate's sources are read (tests and comments
//! left out), every `crate::`, `super::` and `self::` path is resolved to
//! the longest module it names, and the strongly connected components of
//! that graph are the circles.
//!
//! No crate of the workspace has one. The analysis reads paths, not types:
//! a module used only through a method of a trait implemented elsewhere
//! (the portal's form rejection, answered by the sign-in page) is not a
//! dependency, which is the point of such a rejection type.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn crate_src(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
        .join("src")
}

/// Every module of a crate by its path (`portal::visit`), with its source
/// (comments and the `#[cfg(test)]` part left out).
fn modules(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let code = source.split("#[cfg(test)]").next().unwrap_or("");
            let code: String = code
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            out.insert(parts.join("::"), code);
        }
    }
    out
}

/// Every `a::b::c` path in a source (a `use` group `a::{b, c::d}` as
/// `a::b` and `a::c::d`).
fn paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    collect(&chars, 0, chars.len(), &[], &mut found);
    found.retain(|p| p.len() > 1);
    found
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The paths in `chars[from..to]`, each prefixed by `prefix`.
fn collect(
    chars: &[char],
    from: usize,
    to: usize,
    prefix: &[String],
    found: &mut Vec<Vec<String>>,
) {
    let mut i = from;
    while i < to {
        let starts_word = i == 0 || !is_ident(chars[i - 1]);
        if !(starts_word && (chars[i].is_alphabetic() || chars[i] == '_')) {
            i += 1;
            continue;
        }
        let mut segments: Vec<String> = prefix.to_vec();
        let mut j = i;
        loop {
            let start = j;
            while j < to && is_ident(chars[j]) {
                j += 1;
            }
            segments.push(chars[start..j].iter().collect());
            let sep = j + 2 < to && chars[j] == ':' && chars[j + 1] == ':';
            if sep && (chars[j + 2].is_alphabetic() || chars[j + 2] == '_') {
                j += 2;
                continue;
            }
            if sep && chars[j + 2] == '{' {
                // A group: its items, each after this prefix.
                let open = j + 2;
                let mut depth = 0;
                let mut close = open;
                while close < to {
                    match chars[close] {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    close += 1;
                }
                found.push(segments.clone());
                collect(chars, open + 1, close, &segments, found);
                j = close + 1;
            }
            break;
        }
        found.push(segments);
        i = j.max(i + 1);
    }
}

/// The module a path names, if it starts from `crate`, `super` or `self`
/// (the longest module prefix).
fn resolve(
    modules: &BTreeMap<String, String>,
    here: &[String],
    path: &[String],
) -> Option<(String, usize)> {
    let (mut base, mut rest) = match path[0].as_str() {
        "crate" => (vec![], &path[1..]),
        "super" => (here[..here.len().saturating_sub(1)].to_vec(), &path[1..]),
        "self" => (here.to_vec(), &path[1..]),
        _ => return None,
    };
    while rest.first().map(String::as_str) == Some("super") {
        base.pop();
        rest = &rest[1..];
    }
    (0..=rest.len()).rev().find_map(|k| {
        let mut candidate = base.clone();
        candidate.extend(rest[..k].iter().cloned());
        let joined = candidate.join("::");
        modules
            .contains_key(&joined)
            .then_some((joined, rest.len() - k))
    })
}

/// Which modules each module uses (itself, its ancestors and the crate root
/// left out), through full paths and through modules it imported by name
/// (`use crate::staff;` then `staff::new_staff`).
fn graph(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut g = BTreeMap::new();
    for (name, code) in modules {
        let here: Vec<String> = if name.is_empty() {
            vec![]
        } else {
            name.split("::").map(str::to_string).collect()
        };
        let all = paths(code);
        let mut aliases: BTreeMap<String, String> = BTreeMap::new();
        let mut uses = BTreeSet::new();
        for path in &all {
            if let Some((target, left)) = resolve(modules, &here, path) {
                if left == 0 && !target.is_empty() {
                    aliases.insert(path.last().cloned().unwrap_or_default(), target.clone());
                }
                uses.insert(target);
            }
        }
        for path in &all {
            if let Some(target) = aliases.get(&path[0]) {
                let mut full: Vec<String> = vec!["crate".into()];
                full.extend(target.split("::").map(str::to_string));
                full.extend(path[1..].iter().cloned());
                if let Some((t, _)) = resolve(modules, &here, &full) {
                    uses.insert(t);
                }
            }
        }
        uses.retain(|t| !t.is_empty() && t != name && !name.starts_with(&format!("{t}::")));
        g.insert(name.clone(), uses);
    }
    g
}

/// The circles: strongly connected components of more than one module.
fn circles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Two modules are in one circle when each reaches the other.
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for next in g.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> = g.keys().map(|m| (m, reach(m))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for m in g.keys() {
        if done.contains(m) || !reaches[m].contains(m) {
            continue;
        }
        let circle: Vec<String> = reaches[m]
            .iter()
            .filter(|o| reaches[*o].contains(m))
            .cloned()
            .collect();
        done.extend(circle.iter().cloned());
        out.push(circle);
    }
    out
}

#[test]
fn no_module_depends_on_one_that_depends_back_on_it() {
    for name in ["domain", "store", "app", "web", "gatehouse", "testkit"] {
        let found = circles(&graph(&modules(&crate_src(name))));
        assert!(
            found.is_empty(),
            "{name} has modules in a circle: {found:?}"
        );
    }
}

#[test]
fn the_analysis_finds_a_circle_when_there_is_one() {
    let mut modules = BTreeMap::new();
    modules.insert(String::new(), "mod a; mod b; mod c;".to_string());
    modules.insert("a".to_string(), "use crate::b::Thing;".to_string());
    modules.insert("b".to_string(), "fn f() { super::a::g() }".to_string());
    modules.insert("c".to_string(), "use crate::a;".to_string());
    assert_eq!(
        circles(&graph(&modules)),
        vec![vec!["a".to_string(), "b".to_string()]]
    );
}
