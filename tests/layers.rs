//! The layer order of `src/lib.rs`, checked: a module may use its own layer and those below
//! it, never one above, and sibling modules inside a layer never use each other in a circle.
//! It reads every `crate::` and `super::` path of every source file, tests included, so a
//! back-edge fails here before it can grow into a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Lowest first, as `src/lib.rs` documents it.
const LAYERS: &[&str] = &[
    "persian", "model", "cache", "load", "assemble", "write", "emit", "commands",
];

/// A module's path inside the crate: `src/emit/render/pages.rs` is `emit::render::pages`,
/// `src/emit/render/mod.rs` is `emit::render`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn ident_at(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The crate-level modules one line of source reaches: `crate::x::…`, each name of
/// `crate::{x, y::…}`, and `super::…` resolved against `module`.
fn targets(line: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for prefix in ["crate::", "super::"] {
        for (at, _) in line.match_indices(prefix) {
            // Skip `x::super::` and identifiers that merely end in `crate`.
            if line[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut base = Vec::new();
            let mut rest = &line[at..];
            if let Some(r) = rest.strip_prefix("crate::") {
                rest = r;
            } else {
                base = module.to_vec();
                while let Some(r) = rest.strip_prefix("super::") {
                    base.pop();
                    rest = r;
                }
            }
            for item in items(rest) {
                let mut path = base.clone();
                path.extend(segments(item));
                if !path.is_empty() {
                    found.push(path);
                }
            }
        }
    }
    found
}

/// The paths a `use` continues with: `x::y` is one, `{x, y::z}` is each of its names.
fn items(rest: &str) -> Vec<&str> {
    let Some(group) = rest.strip_prefix('{') else {
        return vec![rest];
    };
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                out.push(group[start..i].trim());
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(group[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .map(|p| ident_at(p.trim()).to_string())
        .take_while(|p| !p.is_empty() && p != "self")
        .collect()
}

/// The source's lines without comments, numbered from 1, with a `use` that spans lines
/// joined into one (numbered by its first).
fn statements(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("").trim();
        if open {
            let last = out.last_mut().expect("an open statement");
            last.1.push_str(code);
        } else {
            out.push((n + 1, code.to_string()));
        }
        let starts_use = code.starts_with("use ") || code.contains(" use ");
        open = if open {
            !code.contains(';')
        } else {
            starts_use && !code.contains(';')
        };
    }
    out
}

/// What each module's `use` lines bring in from its children, by name: `pub use
/// release::{Parsing, parse_article}` in `load` makes `load::Parsing` a path into
/// `load::release`, and `pub use commands::pipeline::build` in `lib.rs` makes `crate::build`
/// one into `commands::pipeline`. Keyed by (module, name), the module the name comes from.
type Reexports = BTreeMap<(Vec<String>, String), Vec<String>>;

fn reexports(src: &Path, files: &[PathBuf], modules: &BTreeSet<Vec<String>>) -> Reexports {
    let mut map = Reexports::new();
    for file in files {
        let module = match module_of(src, file) {
            m if m == ["lib"] => Vec::new(),
            m if m == ["main"] => continue,
            m => m,
        };
        for (_, code) in statements(&fs::read_to_string(file).unwrap()) {
            let code = ["pub(crate) ", "pub(super) ", "pub "]
                .iter()
                .fold(code.as_str(), |c, p| c.strip_prefix(p).unwrap_or(c));
            let Some(rest) = code.strip_prefix("use ") else {
                continue;
            };
            let rest = rest.trim_end_matches(';').trim();
            let rest = rest.strip_prefix("self::").unwrap_or(rest);
            // Only what comes from a child (a module of its own, or a folder of them).
            let child = [module.clone(), vec![ident_at(rest).to_string()]].concat();
            if !modules.iter().any(|m| m.starts_with(&child)) {
                continue;
            }
            for (path, name) in flatten(rest, &[]) {
                map.insert((module.clone(), name), [module.clone(), path].concat());
            }
        }
    }
    map
}

/// The (module path, name) pairs a `use` tree names: `a::{b, c::D as E}` gives (a, b) and
/// (a::c, E).
fn flatten(tree: &str, prefix: &[String]) -> Vec<(Vec<String>, String)> {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let base: Vec<String> = tree[..open]
            .split("::")
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().to_string())
            .collect();
        let prefix = [prefix.to_vec(), base].concat();
        return items(&tree[open..])
            .into_iter()
            .flat_map(|item| flatten(item, &prefix))
            .collect();
    }
    let (real, alias) = match tree.split_once(" as ") {
        Some((real, alias)) => (real, Some(alias.trim())),
        None => (tree, None),
    };
    let segs: Vec<String> = real.split("::").map(|s| s.trim().to_string()).collect();
    let name = alias.unwrap_or(segs.last().map_or("", String::as_str));
    if name == "self" || name == "*" || name.is_empty() {
        return Vec::new();
    }
    let path = [prefix.to_vec(), segs[..segs.len() - 1].to_vec()].concat();
    vec![(path, ident_at(name).to_string())]
}

/// `target` with names re-exported along it replaced by the modules they come from.
fn resolve(
    reexports: &Reexports,
    modules: &BTreeSet<Vec<String>>,
    mut target: Vec<String>,
) -> Vec<String> {
    // Each step goes one module deeper; a few are enough, and a loop of re-exports ends.
    for _ in 0..8 {
        let step = (0..target.len()).find_map(|i| {
            let (prefix, name) = (&target[..i], &target[i]);
            let module = [prefix, std::slice::from_ref(name)].concat();
            if modules.contains(&module) {
                return None;
            }
            let from = reexports.get(&(prefix.to_vec(), name.clone()))?;
            Some([from.clone(), target[i..].to_vec()].concat())
        });
        match step {
            Some(next) if next != target => target = next,
            _ => break,
        }
    }
    target
}

fn rank(top: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == top)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every violation found under `src`: a use reaching up the layer order, a top-level module
/// the order does not name, or a circle among the sibling modules of one layer.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    sources(src, &mut files);
    files.sort();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let reexports = reexports(src, &files, &modules);
    let mut problems = Vec::new();
    // Edges between sibling modules (children of one parent, at any depth): (parent, from,
    // to) → the first place seen.
    let mut siblings: BTreeMap<(String, String, String), String> = BTreeMap::new();
    for file in &files {
        let module = module_of(src, file);
        // The crate root declares the layers; the binary reaches the library as `chapar::`.
        if module == ["lib"] || module == ["main"] {
            continue;
        }
        let Some(own) = rank(&module[0]) else {
            problems.push(format!(
                "{}: the top-level module `{}` has no place in the layer order; add it to \
                 LAYERS here and to the order in src/lib.rs",
                file.display(),
                module[0]
            ));
            continue;
        };
        let text = fs::read_to_string(file).unwrap();
        let mut module = module;
        for (n, code) in statements(&text) {
            // An inline module (`mod tests {`, at the end of a file): `super::` in it is the
            // file's module.
            if let Some(name) = code
                .strip_prefix("mod ")
                .or_else(|| code.strip_prefix("pub mod "))
                .and_then(|r| r.strip_suffix('{'))
            {
                module.push(name.trim().to_string());
                continue;
            }
            for target in targets(&code, &module) {
                let target = resolve(&reexports, &modules, target);
                let place = format!("{}:{n}", file.display());
                let Some(theirs) = rank(&target[0]) else {
                    continue;
                };
                if theirs > own {
                    problems.push(format!(
                        "{place}: `{}` (layer {}) uses `{}` (layer {}), above it: move the \
                         shared piece down to `{}` or below, or pass it in from the caller",
                        module.join("::"),
                        module[0],
                        target.join("::"),
                        target[0],
                        module[0]
                    ));
                }
                // Where the paths part, both sides must be modules of one parent: a child
                // using its parent's items, or a parent its child, is no cycle.
                let common = module
                    .iter()
                    .zip(&target)
                    .take_while(|(a, b)| a == b)
                    .count();
                if common < module.len() && common < target.len() {
                    let parent = &module[..common];
                    let to = [parent, &target[common..=common]].concat();
                    if modules.contains(&to) {
                        siblings
                            .entry((
                                parent.join("::"),
                                module[common].clone(),
                                target[common].clone(),
                            ))
                            .or_insert(place);
                    }
                }
            }
        }
    }
    let mut graph: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (layer, from, to) in siblings.keys() {
        graph
            .entry((layer.clone(), from.clone()))
            .or_default()
            .insert(to.clone());
    }
    for ((layer, from, to), place) in &siblings {
        if reaches(&graph, layer, to, from) {
            let at = |name: &str| {
                [layer.as_str(), name]
                    .join("::")
                    .trim_start_matches("::")
                    .to_string()
            };
            problems.push(format!(
                "{place}: `{}` uses `{}`, which leads back to `{}`: a cycle; move what both \
                 need into one of them or below",
                at(from),
                at(to),
                at(from)
            ));
        }
    }
    problems
}

fn reaches(
    graph: &BTreeMap<(String, String), BTreeSet<String>>,
    layer: &str,
    from: &str,
    goal: &str,
) -> bool {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(at) = todo.pop() {
        if at == goal {
            return true;
        }
        if seen.insert(at.clone())
            && let Some(next) = graph.get(&(layer.to_string(), at))
        {
            todo.extend(next.iter().cloned());
        }
    }
    false
}

#[test]
fn no_module_reaches_up_the_layer_order() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = violations(&src);
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn lib_rs_names_every_layer_in_this_order() {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert_eq!(declared, LAYERS.iter().copied().collect());
    let doc: String = lib.lines().filter(|l| l.starts_with("//!")).collect();
    let order = &doc[doc
        .find("The layers, lowest first")
        .expect("src/lib.rs documents the layer order")..];
    let at = |name: &str| order.find(&format!("`{name}`")).unwrap_or(usize::MAX);
    let positions: Vec<usize> = LAYERS.iter().map(|l| at(l)).collect();
    assert!(
        !positions.contains(&usize::MAX),
        "src/lib.rs must name every layer of LAYERS: {LAYERS:?}"
    );
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "src/lib.rs must name the layers in the order of LAYERS: {LAYERS:?}"
    );
}

/// The check itself: a planted back-edge and a planted sibling cycle are both caught.
#[test]
fn a_back_edge_and_a_cycle_are_caught() {
    let dir = std::env::temp_dir().join(format!("chapar-layers-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("model")).unwrap();
    fs::create_dir_all(dir.join("emit/render")).unwrap();
    fs::create_dir_all(dir.join("emit/search")).unwrap();
    fs::write(
        dir.join("model/site.rs"),
        "use crate::emit::render::Renderer;\n",
    )
    .unwrap();
    fs::write(dir.join("emit/render/mod.rs"), "use super::search::PAGE;\n").unwrap();
    fs::write(
        dir.join("emit/search/mod.rs"),
        "use crate::{model::site::Site, emit::render::put};\n",
    )
    .unwrap();
    fs::write(dir.join("extra.rs"), "").unwrap();
    // Through the crate root's re-exports, a parent's re-exports, and from a test module.
    fs::write(dir.join("lib.rs"), "pub use commands::run::Options;\n").unwrap();
    fs::write(dir.join("model/paths.rs"), "use crate::Options;\n").unwrap();
    fs::create_dir_all(dir.join("load")).unwrap();
    fs::write(
        dir.join("load/mod.rs"),
        "mod a;\nmod b;\npub use a::Thing;\n",
    )
    .unwrap();
    fs::write(dir.join("load/a.rs"), "use super::b::Other;\n").unwrap();
    fs::write(dir.join("load/b.rs"), "use super::Thing;\n").unwrap();
    fs::write(
        dir.join("emit/search/update.rs"),
        "fn f() {}\n\n#[cfg(test)]\nmod tests {\n    use super::super::super::feeds::X;\n}\n",
    )
    .unwrap();
    fs::write(dir.join("emit/feeds.rs"), "use super::search::Y;\n").unwrap();
    // Deeper down: two children of one folder; their parent is used by both, harmlessly.
    fs::create_dir_all(dir.join("commands/run")).unwrap();
    fs::write(
        dir.join("commands/run/mod.rs"),
        "mod read;\nmod stages;\nuse read::x;\n",
    )
    .unwrap();
    fs::write(
        dir.join("commands/run/read.rs"),
        "use super::stages::Run;\nuse super::Options;\n",
    )
    .unwrap();
    fs::write(
        dir.join("commands/run/stages.rs"),
        "use super::read::{\n    self,\n};\nuse super::{Options, read::Read};\n",
    )
    .unwrap();
    let problems = violations(&dir);
    fs::remove_dir_all(&dir).unwrap();
    let text = problems.join("\n");
    assert!(
        text.contains("`model::site` (layer model) uses `emit::render::Renderer`"),
        "{text}"
    );
    assert!(
        text.contains("`emit::render` uses `emit::search`, which leads back"),
        "{text}"
    );
    assert!(
        text.contains("`emit::search` uses `emit::render`, which leads back"),
        "{text}"
    );
    assert!(
        text.contains("`extra` has no place in the layer order"),
        "{text}"
    );
    assert!(
        text.contains("`model::paths` (layer model) uses `commands::run::Options`"),
        "{text}"
    );
    assert!(
        text.contains("`load::b` uses `load::a`, which leads back"),
        "{text}"
    );
    assert!(
        text.contains("`load::a` uses `load::b`, which leads back"),
        "{text}"
    );
    assert!(
        text.contains("`emit::search` uses `emit::feeds`, which leads back"),
        "{text}"
    );
    assert!(
        text.contains("`emit::feeds` uses `emit::search`, which leads back"),
        "{text}"
    );
    assert_eq!(problems.len(), 11, "{text}");
}
