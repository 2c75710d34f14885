//! Watching a site's sources: `site.yaml`, `content/`, `templates/` and `static/`. Editor
//! swap, backup and lock files, hidden files and the output folders are ignored; atomic-rename
//! saves, new files and deletions all count.

use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use anyhow::{Context, Result};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

/// Changes to the sources arrive on the receiver, one message per debounced burst.
pub fn watch(root: &Path) -> Result<Receiver<()>> {
    let (tx, rx) = mpsc::channel();
    let root_for_filter = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut debouncer = new_debouncer(
        Duration::from_millis(50),
        None,
        move |result: DebounceEventResult| {
            let Ok(events) = result else { return };
            let relevant = events.iter().any(|e| {
                !matches!(e.kind, EventKind::Access(_))
                    && e.paths.iter().any(|p| is_source(&root_for_filter, p))
            });
            if relevant {
                let _ = tx.send(());
            }
        },
    )
    .context("cannot start watching files")?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    debouncer
        .watch(&root, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", root.display()))?;
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
    let under_source =
        first == "site.yaml" || ["content", "templates", "static"].contains(&first.as_str());
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
