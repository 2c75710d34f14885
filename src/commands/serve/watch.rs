//! Watching a site's sources: `site.yaml`, `content/`, `templates/` and `static/`. Editor
//! swap, backup and lock files, hidden files and the output folders are ignored; atomic-rename
//! saves, new files and deletions all count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};

/// The folders of a site's sources, watched with all they hold.
const SOURCE_FOLDERS: [&str; 3] = ["content", "templates", "static"];

/// One burst of changes: the changed source paths, relative to the site folder, or `None`
/// when the watcher lost track (an overflow, an error) and anything may have changed.
pub type Changes = Option<BTreeSet<PathBuf>>;

/// Merges two bursts into one.
pub fn merge(a: Changes, b: Changes) -> Changes {
    let (mut a, b) = (a?, b?);
    a.extend(b);
    Some(a)
}

/// How long a burst waits for more events once every file in it is complete (closed after
/// writing, or renamed into place): the other files of one save (a backup removed, a second
/// file) follow within microseconds.
const SETTLE: Duration = Duration::from_millis(5);

/// How long a burst waits otherwise: a file still open for writing, or one that was removed
/// or renamed away, which an editor's save puts back a moment later (write the new text,
/// rename it into place). A burst never ends on a half-written or missing file while its
/// writer is still at work.
const QUIET: Duration = Duration::from_millis(50);

/// The longest a burst lasts: a source file that changes all the time (a log someone keeps
/// in `static/`) must not hold other saves back. A file still being written then is seen
/// again when its writer closes it.
const LONGEST: Duration = Duration::from_millis(500);

/// Changes to the sources arrive on the receiver, one message per burst. A source folder
/// created while the server runs is watched from the next start.
pub fn watch(root: &Path) -> Result<Receiver<Changes>> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let (events_tx, events) = mpsc::channel();
    let mut watcher =
        notify::recommended_watcher(events_tx).context("cannot start watching files")?;
    // The site folder itself only for `site.yaml` (and the source folders appearing); the
    // source folders with everything in them. Never the whole tree: a site folder may also
    // hold the output, a `target/` or large benchmark corpora, and watching those exhausts
    // the system's watches.
    watcher
        .watch(&root, RecursiveMode::NonRecursive)
        .with_context(|| format!("cannot watch {}", root.display()))?;
    for folder in SOURCE_FOLDERS {
        let path = root.join(folder);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| {
                    format!(
                        "cannot watch {}; if the system's limit of watched folders was reached, raise it (Linux: sysctl fs.inotify.max_user_watches)",
                        path.display()
                    )
                })?;
        }
    }
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // The watcher lives as long as this thread.
        let _watcher = watcher;
        gather(&root, &events, &tx);
    });
    Ok(rx)
}

/// Collects the watcher's events into bursts and sends each, until either side goes away.
fn gather(root: &Path, events: &Receiver<notify::Result<Event>>, bursts: &Sender<Changes>) {
    loop {
        let mut burst = Burst::default();
        while burst.is_empty() {
            match events.recv() {
                Ok(event) => {
                    burst.add(root, event);
                }
                Err(_) => return,
            }
        }
        let started = Instant::now();
        let mut last_change = started;
        loop {
            let wait = if burst.is_complete() { SETTLE } else { QUIET };
            let deadline = (last_change + wait).min(started + LONGEST);
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            match events.recv_timeout(left) {
                // Only a change to the sources restarts the wait: reads and other files do not
                // hold a save back.
                Ok(event) => {
                    if burst.add(root, event) {
                        last_change = Instant::now();
                    }
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        if let Some(changes) = burst.changes()
            && bursts.send(changes).is_err()
        {
            return;
        }
    }
}

/// Where a changed file stands in a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileState {
    /// Closed after writing, renamed into place, or changed in its attributes only.
    Complete,
    /// Created or written, not yet closed.
    Open,
    /// Removed or renamed away: perhaps for good, perhaps to be put back at once.
    Gone,
}

/// The source files one burst changed, and where each stands.
#[derive(Debug, Default)]
struct Burst {
    files: BTreeMap<PathBuf, FileState>,
    /// The watcher lost events: anything may have changed.
    lost_track: bool,
}

impl Burst {
    /// Takes in one event; returns whether it changed a source (rather than reading one or
    /// touching another file).
    fn add(&mut self, root: &Path, event: notify::Result<Event>) -> bool {
        let event = match event {
            Ok(event) if !event.need_rescan() => event,
            _ => {
                self.lost_track = true;
                return true;
            }
        };
        let mut changed = false;
        let renamed_both = matches!(
            event.kind,
            EventKind::Modify(ModifyKind::Name(RenameMode::Both))
        );
        for (n, path) in event.paths.iter().enumerate() {
            if !is_source(root, path) {
                continue;
            }
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            let before = self.files.get(rel).copied();
            let state = match event.kind {
                EventKind::Access(AccessKind::Close(AccessMode::Write)) => FileState::Complete,
                // Opened or read: not a change.
                EventKind::Access(_) => continue,
                EventKind::Create(CreateKind::Folder) => FileState::Complete,
                EventKind::Create(_) => FileState::Open,
                EventKind::Remove(_) => FileState::Gone,
                EventKind::Modify(ModifyKind::Name(RenameMode::From)) => FileState::Gone,
                EventKind::Modify(ModifyKind::Name(RenameMode::To)) => FileState::Complete,
                // The first path is where the file was, the second where it is now.
                EventKind::Modify(ModifyKind::Name(_)) if renamed_both => {
                    if n == 0 {
                        FileState::Gone
                    } else {
                        FileState::Complete
                    }
                }
                EventKind::Modify(ModifyKind::Metadata(_)) => before.unwrap_or(FileState::Complete),
                _ => FileState::Open,
            };
            self.files.insert(rel.to_path_buf(), state);
            changed = true;
        }
        changed
    }

    fn is_empty(&self) -> bool {
        self.files.is_empty() && !self.lost_track
    }

    fn is_complete(&self) -> bool {
        !self.lost_track && self.files.values().all(|s| *s == FileState::Complete)
    }

    /// What to report: `None` inside when the watcher lost track; nothing when no source
    /// changed.
    fn changes(self) -> Option<Changes> {
        if self.lost_track {
            return Some(None);
        }
        (!self.files.is_empty()).then(|| Some(self.files.into_keys().collect()))
    }
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
        // JetBrains editors' "safe write".
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
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

    fn event(kind: EventKind, paths: &[&str]) -> notify::Result<Event> {
        let mut event = Event::new(kind);
        for p in paths {
            event = event.add_path(PathBuf::from(p));
        }
        Ok(event)
    }

    fn burst(events: Vec<notify::Result<Event>>) -> Burst {
        let mut burst = Burst::default();
        for e in events {
            burst.add(Path::new("/site"), e);
        }
        burst
    }

    /// A save is reported while other activity goes on: reads of releases, files that are
    /// not sources, a source file that is written all the time.
    #[test]
    fn busy_files_do_not_hold_a_save_back() {
        use notify::event::DataChange;
        let noises = [
            EventKind::Access(AccessKind::Open(notify::event::AccessMode::Read)),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
        ];
        let noisy_paths = [
            "/site/content/b.md",
            "/site/public/x.html",
            "/site/static/live.log",
        ];
        for (noise, path) in noises.into_iter().zip(noisy_paths) {
            let (events_tx, events) = mpsc::channel();
            let (bursts_tx, bursts) = mpsc::channel();
            std::thread::spawn(move || gather(Path::new("/site"), &events, &bursts_tx));
            events_tx
                .send(event(
                    EventKind::Access(AccessKind::Close(AccessMode::Write)),
                    &["/site/content/a.md"],
                ))
                .unwrap();
            // The noise goes on for up to ten seconds, or until the save is reported.
            let mut reported = None;
            for _ in 0..5000 {
                events_tx.send(event(noise, &[path])).unwrap();
                if let Ok(changes) = bursts.recv_timeout(Duration::from_millis(2)) {
                    reported = Some(changes);
                    break;
                }
            }
            let changes = reported.expect("the save was held back by other activity");
            assert!(
                changes.is_some_and(|c| c.contains(Path::new("content/a.md"))),
                "{path}"
            );
        }
    }

    #[test]
    fn a_burst_is_complete_when_its_files_are_closed_or_renamed_into_place() {
        use notify::event::{DataChange, RemoveKind};
        let written = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let a = "/site/content/a.md";

        // Written in place: complete only once closed.
        let mut b = burst(vec![event(written, &[a])]);
        assert!(!b.is_complete());
        b.add(Path::new("/site"), event(closed, &[a]));
        assert!(b.is_complete());
        assert_eq!(
            b.changes(),
            Some(Some([PathBuf::from("content/a.md")].into()))
        );

        // Vim's save: the file renamed to a backup, written anew, the backup removed.
        let vim = burst(vec![
            event(EventKind::Modify(ModifyKind::Name(RenameMode::From)), &[a]),
            event(
                EventKind::Modify(ModifyKind::Name(RenameMode::To)),
                &["/site/content/a.md~"],
            ),
            event(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &[a, "/site/content/a.md~"],
            ),
        ]);
        assert!(!vim.is_complete(), "the release is missing for now");
        let mut vim = vim;
        vim.add(
            Path::new("/site"),
            event(EventKind::Create(CreateKind::File), &[a]),
        );
        vim.add(Path::new("/site"), event(written, &[a]));
        assert!(!vim.is_complete());
        vim.add(Path::new("/site"), event(closed, &[a]));
        vim.add(
            Path::new("/site"),
            event(
                EventKind::Remove(RemoveKind::File),
                &["/site/content/a.md~"],
            ),
        );
        assert!(vim.is_complete());

        // An atomic save: a temporary file renamed over the release.
        let atomic = burst(vec![
            event(
                EventKind::Create(CreateKind::File),
                &["/site/content/.a.md.tmp"],
            ),
            event(closed, &["/site/content/.a.md.tmp"]),
            event(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/site/content/.a.md.tmp", a],
            ),
        ]);
        assert!(atomic.is_complete());

        // A deletion waits for the quiet time, then counts.
        let deleted = burst(vec![event(EventKind::Remove(RemoveKind::File), &[a])]);
        assert!(!deleted.is_complete());
        assert_eq!(
            deleted.changes(),
            Some(Some([PathBuf::from("content/a.md")].into()))
        );

        // Reads, and files that are not sources, are not changes.
        let nothing = burst(vec![
            event(EventKind::Access(AccessKind::Close(AccessMode::Read)), &[a]),
            event(written, &["/site/public/index.html"]),
        ]);
        assert!(nothing.is_complete());
        assert_eq!(nothing.changes(), None);

        // A lost event: anything may have changed.
        let mut lost = burst(vec![event(written, &[a])]);
        lost.add(Path::new("/site"), Err(notify::Error::generic("overflow")));
        assert_eq!(lost.changes(), Some(None));
    }

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
            "/site/content/a.md___jb_tmp___",
            "/site/content/a.md___jb_old___",
            "/site/.public.staging/x",
            "/other/content/a.md",
            "/site/README.md",
        ] {
            assert!(!is_source(root, Path::new(other)), "{other}");
        }
    }
}
