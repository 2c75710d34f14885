//! Watching a site's sources: `site.yaml`, `content/`, `templates/` and `static/`. Editor
//! swap, backup and lock files, hidden files and the output folders are ignored; atomic-rename
//! saves, new files and deletions all count.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use anyhow::{Context, Result};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

/// The folders of a site's sources, watched with all they hold.
const SOURCE_FOLDERS: [&str; 3] = ["content", "templates", "static"];

/// One debounced burst of changes: the changed source paths, relative to the site folder, or
/// `None` when the watcher lost track (an overflow, an error) and anything may have changed.
pub type Changes = Option<BTreeSet<PathBuf>>;

/// Merges two bursts into one.
pub fn merge(a: Changes, b: Changes) -> Changes {
    let (mut a, b) = (a?, b?);
    a.extend(b);
    Some(a)
}

/// Quiet time that ends a burst. An editor's save takes a few milliseconds, but editors that
/// write in place (truncate, then write) on a busy machine can leave a half-written file for
/// longer. At 20 ms, `bench/serve_latency.py` now and then saw a save bring extra reloads (as
/// if seen twice); at 50 ms it did not.
const DEBOUNCE: Duration = Duration::from_millis(50);

/// Changes to the sources arrive on the receiver, one message per debounced burst. A source
/// folder created while the server runs is watched from the next start.
pub fn watch(root: &Path) -> Result<Receiver<Changes>> {
    let (tx, rx) = mpsc::channel();
    let root_for_filter = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        let Ok(events) = result else {
            let _ = tx.send(None);
            return;
        };
        if events.iter().any(|e| e.need_rescan()) {
            let _ = tx.send(None);
            return;
        }
        let changed: BTreeSet<PathBuf> = events
            .iter()
            .filter(|e| !matches!(e.kind, EventKind::Access(_)))
            .flat_map(|e| &e.paths)
            .filter(|p| is_source(&root_for_filter, p))
            .filter_map(|p| p.strip_prefix(&root_for_filter).ok())
            .map(Path::to_path_buf)
            .collect();
        if !changed.is_empty() {
            let _ = tx.send(Some(changed));
        }
    })
    .context("cannot start watching files")?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    // The site folder itself only for `site.yaml` (and the source folders appearing); the
    // source folders with everything in them. Never the whole tree: a site folder may also
    // hold the output, a `target/` or large benchmark corpora, and watching those exhausts
    // the system's watches.
    debouncer
        .watch(&root, RecursiveMode::NonRecursive)
        .with_context(|| format!("cannot watch {}", root.display()))?;
    for folder in SOURCE_FOLDERS {
        let path = root.join(folder);
        if path.is_dir() {
            debouncer
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| {
                    format!(
                        "cannot watch {}; if the system's limit of watched folders was reached, raise it (Linux: sysctl fs.inotify.max_user_watches)",
                        path.display()
                    )
                })?;
        }
    }
    // The watcher lives as long as the program.
    std::mem::forget(debouncer);
    Ok(rx)
}

/// Whether a changed path is a source of the site (and not an editor's scratch file).
pub fn is_source(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let Some(first) = parts.next() else {
        return false;
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let scratch = name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".chapar-fix")
        || name == "4913";
    let under_source = first == "site.yaml" || SOURCE_FOLDERS.contains(&first.as_str());
    under_source
        && !scratch
        && !rel
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_scratch_files() {
        let root = Path::new("/site");
        for source in [
            "/site/site.yaml",
            "/site/content/a.md",
            "/site/templates/base.html",
            "/site/static/css/x.css",
        ] {
            assert!(is_source(root, Path::new(source)), "{source}");
        }
        for other in [
            "/site/public/index.html",
            "/site/content/.a.md.swp",
            "/site/content/a.md~",
            "/site/content/#a.md#",
            "/site/content/4913",
            "/site/.public.staging/x",
            "/other/content/a.md",
            "/site/README.md",
        ] {
            assert!(!is_source(root, Path::new(other)), "{other}");
        }
    }
}
