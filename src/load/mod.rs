//! Loading the newsroom: every press release under `content/` becomes an `Article`, or
//! diagnostics saying why it cannot. Files are parsed in parallel; nothing here panics on an
//! editor's file.

mod bodies;
pub mod config;
mod duplicates;
pub mod front_matter;
pub mod input;
pub mod markdown;
mod release;
pub mod sanitize;
mod sources;
pub mod split;
pub mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use walkdir::WalkDir;

pub use bodies::{Bodies, BodyReader};
pub use duplicates::duplicates;
pub use release::{Parsing, parse_article};
use release::{parse_release, parse_with};
pub use sources::{Record, Sources};

use crate::model::article::{Article, Parsed};
use crate::model::config::SiteConfig;
use crate::model::diagnostic::Diagnostic;

pub const CONTENT_DIR: &str = "content";

/// What loading the content folder produced.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Sorted by source path. Shared with the records kept for the next load.
    pub articles: Vec<Arc<Article>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Release files found, whether they parsed or not.
    pub files: usize,
    /// Files read and parsed in this load (the others were unchanged since the last one).
    pub parsed: usize,
    /// Files read and found unchanged in their bytes, though not in their time (touched,
    /// checked out again): their new times are worth remembering.
    pub restamped: usize,
    /// What to remember for the next load.
    pub sources: Sources,
    /// The diagnostics comparing files (`duplicates`), also in `diagnostics`.
    pub cross_file: Vec<Diagnostic>,
}

/// Hears of each release parsed in a load, with its body's HTML, as soon as it is parsed: the
/// load does not hold the bodies of a large site all at once.
pub type OnParsed<'a> = dyn Fn(&Article, String) + Sync + 'a;

/// The release files under `root/content`, and the problems met looking for them.
pub struct ReleaseFiles {
    /// In the order of a walk that sorts each folder's entries by name.
    files: Vec<PathBuf>,
    diagnostics: Vec<Diagnostic>,
}

/// Finds every `.md` file under `root/content`. Hidden files and folders (editor swap and
/// lock files) are skipped. It needs nothing but the folder: `build` looks while it decodes
/// the last build's state.
pub fn find_releases(root: &Path) -> ReleaseFiles {
    let content = root.join(CONTENT_DIR);
    let mut found = ReleaseFiles {
        files: Vec::new(),
        diagnostics: Vec::new(),
    };
    if !content.is_dir() {
        let d = Diagnostic::error(CONTENT_DIR, "the content folder does not exist").with_hint(
            "create `content/` at the site root and put the press releases (.md files) in it",
        );
        found.diagnostics.push(d);
        return found;
    }
    let mut walker = WalkDir::new(&content)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    while let Some(entry) = walker.next() {
        match entry {
            // A release's path is its name in the state, the diagnostics and the search
            // index, all of which are text: a name that is not UTF-8 cannot be one.
            Ok(e) if e.file_name().to_str().is_none() => {
                let what = if e.file_type().is_dir() {
                    walker.skip_current_dir();
                    "folder"
                } else {
                    "file"
                };
                if e.file_type().is_dir() || e.path().extension().is_some_and(|x| x == "md") {
                    found.diagnostics.push(
                        Diagnostic::error(
                            relative(root, e.path()),
                            format!("the {what} name is not UTF-8 text, so chapar cannot read what is in it"),
                        )
                        .with_hint(format!("rename the {what}, in Persian or Latin letters")),
                    );
                }
            }
            Ok(e) if !e.file_type().is_dir() && e.path().extension().is_some_and(|x| x == "md") => {
                found.files.push(e.into_path());
            }
            Ok(_) => {}
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| relative(root, p))
                    .unwrap_or_else(|| CONTENT_DIR.into());
                found.diagnostics.push(Diagnostic::error(
                    path,
                    format!("cannot read this folder entry: {e}"),
                ));
            }
        }
    }
    // In the order of a walk that sorts each folder's entries by name (paths compare by
    // their components), whatever order the file system lists them in: which of two files
    // is told it repeats the other's news code depends on it. Sorting the list once is
    // cheaper than sorting each folder as it is read.
    found.files.par_sort_unstable();
    found
}

/// Reads the release files `found` under `root` (`find_releases`). A file `previous` saw
/// unchanged is taken from it, not parsed again; with `changed`, a file not in it is taken
/// from `previous` without looking at its size and time. Each file parsed is handed to
/// `on_parsed` with its body.
pub fn load(
    found: ReleaseFiles,
    root: &Path,
    config: &SiteConfig,
    previous: &Sources,
    changed: Option<&std::collections::HashSet<&Path>>,
    on_parsed: &OnParsed,
) -> Loaded {
    let ReleaseFiles {
        files,
        mut diagnostics,
    } = found;
    let canonical_content = canonical_content(root);
    let parsing = Parsing::new(config);
    let mut sources = Sources::starting(&parsing, files.len());
    let previous = previous.usable_for(&parsing);
    let parse_all = || {
        files
            .par_iter()
            .map(|path| {
                let shown = relative(root, path);
                let trusted = changed.is_some_and(|c| !c.contains(shown.as_path()));
                let seen = previous.and_then(|p| {
                    if trusted {
                        p.recorded(&shown)
                    } else {
                        p.unchanged(&shown, path)
                    }
                });
                let record = match seen {
                    Some(record) => record,
                    None => {
                        let (record, body) =
                            load_file(root, &canonical_content, path, &parsing, previous);
                        if let (Some(body), Some(article)) = (body, &record.article) {
                            on_parsed(article, body);
                        }
                        record
                    }
                };
                (shown, record)
            })
            .collect::<Vec<(PathBuf, sources::Record)>>()
    };
    // With nothing to take from the last build, every file is read: the kernel is asked to
    // fetch them all ahead of the parsers.
    let results = match previous {
        Some(_) => parse_all(),
        None => {
            let done = AtomicBool::new(false);
            std::thread::scope(|scope| {
                // Only a help: without a thread (the system may refuse one) files are read
                // as they are needed.
                let _ = std::thread::Builder::new().spawn_scoped(scope, || prefetch(&files, &done));
                // Set however parsing ends, a panic included, so the scope does not wait
                // for the rest of the list.
                let _stop = SetOnDrop(&done);
                parse_all()
            })
        }
    };
    let articles: Vec<Arc<Article>> = results
        .iter()
        .filter_map(|(_, record)| record.article.clone())
        .collect();
    let (mut parsed, mut restamped) = (0, 0);
    // Side by side: both are a pass over every release, on one thread each.
    let (cross_file, ()) = rayon::join(
        || duplicates(&articles),
        || {
            for (shown, record) in results {
                diagnostics.extend(record.diagnostics.iter().cloned());
                parsed += usize::from(record.parsed_now);
                restamped += usize::from(record.restamped);
                sources.insert(shown, record);
            }
        },
    );
    diagnostics.extend(cross_file.iter().cloned());
    Loaded {
        articles,
        diagnostics,
        files: files.len(),
        parsed,
        restamped,
        sources,
        cross_file,
    }
}

/// Asks the kernel to start reading each of `files` into its cache, in order, without waiting
/// for any (`posix_fadvise(WILLNEED)`), until `done`. Files not cached (a first build, or
/// after the cache was reclaimed for other work) were otherwise read one at a time by each
/// parser, which waited on the disk: a third of a full build's reading stage when cold.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
fn prefetch(files: &[PathBuf], done: &AtomicBool) {
    use rustix::fs::{Advice, Mode, OFlags};
    // Links are left to the parser, which checks where they lead; a pipe is not waited for.
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    for path in files {
        if done.load(Ordering::Relaxed) {
            return;
        }
        if let Ok(file) = rustix::fs::open(path, flags, Mode::empty()) {
            let _ = rustix::fs::fadvise(&file, 0, None, Advice::WillNeed);
        }
    }
}

/// Other systems have no `posix_fadvise`: files are read as they are needed.
#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
fn prefetch(_: &[PathBuf], _: &AtomicBool) {}

/// Sets its flag when dropped.
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Reads and parses one release file (`shown`, relative to the root) as `load` would, without
/// looking at any other: for a build told which files changed. Returns what to remember of
/// the file, and its body when it was parsed (not when its bytes are those `previous` saw).
pub fn load_one(
    root: &Path,
    parsing: &Parsing,
    shown: &Path,
    previous: &Sources,
) -> (Record, Option<String>) {
    let canonical_content = canonical_content(root);
    load_file(
        root,
        &canonical_content,
        &root.join(shown),
        parsing,
        previous.usable_for(parsing),
    )
}

/// The content folder under `root` with links resolved: a linked release must point inside it.
fn canonical_content(root: &Path) -> PathBuf {
    let content = root.join(CONTENT_DIR);
    content.canonicalize().unwrap_or(content)
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// Reads and parses one file, unless its bytes are those `previous` parsed already. Returns
/// what to remember of it, and the body when it was parsed.
fn load_file(
    root: &Path,
    content: &Path,
    path: &Path,
    parsing: &Parsing,
    previous: Option<&Sources>,
) -> (sources::Record, Option<String>) {
    let shown = relative(root, path);
    let stamp = sources::Stamp::of(path);
    let failed = |d: Diagnostic| (sources::Record::failed(stamp, d), None);
    let bytes = match read_inside(content, path) {
        Ok(bytes) => bytes,
        Err(message) => {
            return failed(
                Diagnostic::error(&shown, message)
                    .with_hint("check that the file exists and that you may read it"),
            );
        }
    };
    let fingerprint = parsing.fingerprint(&bytes);
    if let Some(record) = previous.and_then(|p| p.same_bytes(&shown, fingerprint)) {
        return (record.restamped(stamp), None);
    }
    let text = match decode(&bytes) {
        Ok(text) => text,
        Err((line, column, message)) => {
            return failed(Diagnostic::error(&shown, message).at(line, column).with_hint(
                "save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8), or delete the stray character",
            ));
        }
    };
    let (parsed, diagnostics) = parse_release(shown, text, fingerprint, parsing);
    let (article, body) = match parsed {
        Some(Parsed { article, body }) => (Some(Arc::new(article)), Some(body)),
        None => (None, None),
    };
    (
        sources::Record::parsed(stamp, fingerprint, article, diagnostics),
        body,
    )
}

/// Reads a file; a symbolic link must point to a file inside `content/`, so a release can
/// never publish a file from elsewhere on the machine.
/// Larger release files are refused: no press release is this long, and one such file must not
/// exhaust the build's memory.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

fn read_inside(content: &Path, path: &Path) -> Result<Vec<u8>, String> {
    let is_link = path
        .symlink_metadata()
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(false);
    if is_link {
        let target = path
            .canonicalize()
            .map_err(|e| format!("this link points to a file that cannot be read: {e}"))?;
        if !target.starts_with(content) {
            return Err(
                "this link points outside the content folder; chapar only reads files inside it"
                    .into(),
            );
        }
    }
    input::read_regular(path, MAX_FILE_BYTES, "a release")
}

/// UTF-8 text without NUL bytes, or the position of the first bad byte.
fn decode(bytes: &[u8]) -> Result<&str, (usize, usize, String)> {
    let position = |offset: usize| {
        let before = &bytes[..offset];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        (line, column)
    };
    // simdutf8 checks a valid file several times faster than the standard library, whose
    // fast path is for ASCII, not Persian; the standard library then finds where a bad one
    // goes wrong.
    let text = match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => {
            let valid = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), str::len);
            let (line, column) = position(valid);
            return Err((line, column, "the file is not valid UTF-8 text".into()));
        }
    };
    if let Some(offset) = text.find('\0') {
        let (line, column) = position(offset);
        return Err((
            line,
            column,
            "the file contains a NUL byte (is it a binary file?)".into(),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_taken_in_the_order_of_a_walk_sorted_by_name() {
        // `x/` sorts before `x-y.md` by name, though `/` sorts after `-` as a byte: the
        // second file in walk order is the one told it repeats the first's news code.
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(content.join("x")).unwrap();
        let release =
            "---\ntitle: خبر {n}\nauthor: الف\ndesk: a\ndate: 1402-07-09 10:30\nid: 7\n---\nمتن.\n";
        std::fs::write(content.join("x/a.md"), release.replace("{n}", "یک")).unwrap();
        std::fs::write(content.join("x-y.md"), release.replace("{n}", "دو")).unwrap();
        let config = crate::load::config::parse(
            "title: t\nbase_url: https://e.org/\ndesks:\n  - key: a\n    name: b\n",
        )
        .unwrap();
        let loaded = load(
            find_releases(dir.path()),
            dir.path(),
            &config,
            &Sources::default(),
            None,
            &|_, _| {},
        );
        let repeated: Vec<_> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.message.starts_with("news code 7 is already used"))
            .collect();
        assert_eq!(repeated.len(), 1, "{:?}", loaded.diagnostics);
        assert_eq!(repeated[0].path, Path::new("content/x-y.md"));
        assert!(repeated[0].message.ends_with("content/x/a.md"));
    }

    #[test]
    fn a_pipe_named_like_a_release_is_refused_without_waiting_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir(&content).unwrap();
        let pipe = content.join("pipe.md");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &pipe,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        let config = crate::load::config::parse(
            "title: t\nbase_url: https://e.org/\ndesks:\n  - key: a\n    name: b\n",
        )
        .unwrap();
        // Both the prefetching thread and the parser open it: neither may block. (A load
        // that does is reported as a failure, not left to hang the test run.)
        let (sender, receiver) = std::sync::mpsc::channel();
        let root = dir.path().to_path_buf();
        std::thread::spawn(move || {
            let _ = sender.send(load(
                find_releases(&root),
                &root,
                &config,
                &Sources::default(),
                None,
                &|_, _| {},
            ));
        });
        let loaded = receiver
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the load waited for something to write to the pipe");
        assert!(loaded.articles.is_empty());
        assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
        assert_eq!(loaded.diagnostics[0].path, Path::new("content/pipe.md"));
        assert!(
            loaded.diagnostics[0].message.contains("not a regular file"),
            "{}",
            loaded.diagnostics[0].message
        );
    }

    #[test]
    fn a_file_that_vanished_after_the_walk_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir(&content).unwrap();
        let config = crate::load::config::parse(
            "title: t\nbase_url: https://e.org/\ndesks:\n  - key: a\n    name: b\n",
        )
        .unwrap();
        let (record, body) = load_file(
            dir.path(),
            &content,
            &content.join("gone.md"),
            &Parsing::new(&config),
            None,
        );
        assert!(record.article.is_none() && body.is_none());
        let diagnostics = record.diagnostics;
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].path, Path::new("content/gone.md"));
        assert!(
            diagnostics[0]
                .message
                .starts_with("cannot read the file: No such file or directory"),
            "{}",
            diagnostics[0].message
        );
    }
}
