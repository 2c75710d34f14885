//! Helpers for the integration tests: fixture sites copied into temporary folders, builds at
//! a fixed moment, and a checker that every internal link points at a file that exists.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use chapar::{BuildOptions, BuildReport};
use tempfile::TempDir;
use walkdir::WalkDir;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A fixture site copied into a fresh temporary folder.
pub fn site(fixture: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join(fixture), dir.path());
    dir
}

/// The moment the tests build at, so "future" releases stay in the future.
pub fn now() -> jiff::Timestamp {
    "2026-11-30T12:00:00Z".parse().unwrap()
}

pub fn build_at(root: &Path, out: Option<&Path>, drafts: bool) -> BuildReport {
    let options = BuildOptions {
        root: root.to_path_buf(),
        out_dir: out.map(Path::to_path_buf),
        include_drafts: drafts,
        base_url: None,
        now: Some(now()),
        force: false,
        progress: None,
        defer_whole_site: false,
        changed: None,
    };
    chapar::build(&options).expect("the build should not fail on I/O")
}

pub fn build(root: &Path) -> BuildReport {
    build_at(root, None, false)
}

pub fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    out.sort();
    out
}

/// The values of `attr="..."` in an HTML text.
pub fn attributes(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// The file an internal URL resolves to, or `None` for an external URL.
pub fn target_of(url: &str, base_path: &str, out: &Path) -> Option<PathBuf> {
    if url.starts_with("http://")
        || url.starts_with("https://")
        || url.starts_with('#')
        || url.starts_with("mailto:")
    {
        return None;
    }
    let path = url.split(['#', '?']).next().unwrap();
    let rel = path
        .strip_prefix(base_path)
        .unwrap_or_else(|| panic!("`{url}` does not start with the base path {base_path}"));
    let decoded = percent_encoding::percent_decode_str(rel)
        .decode_utf8()
        .unwrap()
        .into_owned();
    let mut target = out.join(decoded);
    if path.ends_with('/') {
        target.push("index.html");
    }
    Some(target)
}

/// Asserts that every `href` and `src` in every HTML page under `out` that points inside the
/// site names a file that exists. Returns how many links were checked.
pub fn assert_internal_links_resolve(out: &Path, base_path: &str) -> usize {
    let mut checked = 0;
    for file in files(out).iter().filter(|f| f.ends_with(".html")) {
        let html = read(out.join(file));
        for url in attributes(&html, "href")
            .into_iter()
            .chain(attributes(&html, "src"))
        {
            if let Some(target) = target_of(&url, base_path, out) {
                assert!(
                    target.is_file(),
                    "{file}: link `{url}` points to {}, which does not exist",
                    target.display()
                );
                checked += 1;
            }
        }
    }
    checked
}

/// The messengers' share links: the only links a page has to other hosts.
pub const SHARE_HOSTS: [&str; 6] = [
    "https://t.me/",
    "https://wa.me/",
    "https://eitaa.com/",
    "https://ble.ir/",
    "https://rubika.ir/",
    "https://x.com/",
];
