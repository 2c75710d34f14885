//! Writing the site. Everything goes into a staging folder beside the output folder, which
//! replaces the output folder in one atomic step only when the whole build succeeded: a failed
//! build leaves the previous site exactly as it was. A file whose bytes did not change is
//! hard-linked from the previous site instead of written again, so it keeps its inode and
//! modification time and deploy tools see real differences only.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};

/// The file chapar leaves in every output folder, so it knows the folder is its own to replace.
pub const MARKER: &str = ".chapar-build";
const MARKER_TEXT: &str =
    "This folder is written by `chapar build` and replaced whole on every build.\n";

pub struct Staging {
    /// Held while the build runs: one build writes an output folder at a time.
    _lock: fs::File,
    out_dir: PathBuf,
    staging: PathBuf,
    previous: Option<PathBuf>,
    claimed: Mutex<HashSet<String>>,
    /// Folders already made in the staging folder: most pages share theirs with others, and
    /// asking the file system again costs a system call per file.
    made_dirs: Mutex<HashSet<PathBuf>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    committed: bool,
}

/// What a build wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files with new or changed bytes.
    pub written: usize,
    /// Files identical to the previous build's, kept as they were.
    pub unchanged: usize,
}

impl Staging {
    /// Starts a build into `out_dir`, clearing what a killed earlier build may have left.
    pub fn begin(out_dir: &Path) -> Result<Staging> {
        let name = out_dir
            .file_name()
            .with_context(|| format!("the output folder {} has no name", out_dir.display()))?;
        let parent = match out_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let lock = lock(
            &parent.join(format!(".{}.lock", name.to_string_lossy())),
            out_dir,
        )?;
        let staging = parent.join(format!(".{}.staging", name.to_string_lossy()));
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        fs::create_dir(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        let staging = Staging {
            _lock: lock,
            out_dir: out_dir.to_path_buf(),
            previous: out_dir.is_dir().then(|| out_dir.to_path_buf()),
            staging,
            claimed: Mutex::new(HashSet::new()),
            made_dirs: Mutex::new(HashSet::new()),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            committed: false,
        };
        staging.write(MARKER, MARKER_TEXT.as_bytes())?;
        Ok(staging)
    }

    /// Whether some file was already written at `rel`.
    pub fn contains(&self, rel: &str) -> bool {
        self.claimed.lock().is_ok_and(|c| c.contains(rel))
    }

    /// Writes one file at `rel` (a `/`-separated path inside the output folder).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        if !is_safe_relative(rel) {
            bail!("refusing to write `{rel}`: it is not a plain path inside the output folder");
        }
        if !self
            .claimed
            .lock()
            .map_err(|_| anyhow::anyhow!("a writer thread panicked"))?
            .insert(rel.to_string())
        {
            bail!("two outputs want the same file `{rel}`");
        }
        let target = self.staging.join(rel);
        if let Some(dir) = target.parent() {
            let known = self.made_dirs.lock().is_ok_and(|d| d.contains(dir));
            if !known {
                fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                if let Ok(mut made) = self.made_dirs.lock() {
                    made.insert(dir.to_path_buf());
                }
            }
        }
        if let Some(previous) = &self.previous
            && same_bytes(&previous.join(rel), bytes)
            && fs::hard_link(previous.join(rel), &target).is_ok()
        {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        fs::write(&target, bytes).with_context(|| format!("cannot write {}", target.display()))?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Copies every file under `dir` into the output folder, skipping hidden files and any
    /// path `skip` says is taken. Returns the skipped paths.
    pub fn copy_tree(&self, dir: &Path, skip: impl Fn(&str) -> bool) -> Result<Vec<String>> {
        let mut skipped = Vec::new();
        if !dir.is_dir() {
            return Ok(skipped);
        }
        let walker = walkdir::WalkDir::new(dir)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(dir)?
                .to_string_lossy()
                .replace('\\', "/");
            if skip(&rel) {
                skipped.push(rel);
                continue;
            }
            let bytes = fs::read(entry.path())
                .with_context(|| format!("cannot read {}", entry.path().display()))?;
            self.write(&rel, &bytes)?;
        }
        Ok(skipped)
    }

    pub fn stats(&self) -> WriteStats {
        WriteStats {
            written: self.written.load(Ordering::Relaxed),
            unchanged: self.unchanged.load(Ordering::Relaxed),
        }
    }

    /// Puts the staged site in place of the output folder, in one step where the system can.
    pub fn commit(mut self) -> Result<WriteStats> {
        let stats = self.stats();
        if self.previous.is_some() {
            swap(&self.staging, &self.out_dir).with_context(|| {
                format!(
                    "cannot replace {} with the new build",
                    self.out_dir.display()
                )
            })?;
            // The staging path now holds the previous site.
            fs::remove_dir_all(&self.staging).with_context(|| {
                format!(
                    "cannot remove the previous build at {}",
                    self.staging.display()
                )
            })?;
        } else {
            fs::rename(&self.staging, &self.out_dir).with_context(|| {
                format!("cannot move the new build to {}", self.out_dir.display())
            })?;
        }
        self.committed = true;
        Ok(stats)
    }
}

impl Drop for Staging {
    /// An abandoned build removes its staging folder; the output folder is untouched.
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Exchanges two folders atomically (Linux `renameat2(RENAME_EXCHANGE)`); where that is not
/// available, two renames with the old site set aside in between.
fn swap(new: &Path, current: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, new, CWD, current, RenameFlags::EXCHANGE).is_ok() {
            return Ok(());
        }
    }
    let aside = new.with_extension("previous");
    if aside.exists() {
        fs::remove_dir_all(&aside)?;
    }
    fs::rename(current, &aside)?;
    if let Err(e) = fs::rename(new, current) {
        fs::rename(&aside, current)?;
        return Err(e);
    }
    fs::rename(&aside, new)
}

/// Takes the output folder's lock, or says which build holds it.
fn lock(path: &Path, out_dir: &Path) -> Result<fs::File> {
    use rustix::fs::{FlockOperation, flock};
    let mut file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .with_context(|| format!("cannot create the lock file {}", path.display()))?;
    if flock(&file, FlockOperation::NonBlockingLockExclusive).is_err() {
        let holder = fs::read_to_string(path).unwrap_or_default();
        bail!(
            "another chapar build (process {}) is writing {} now; wait for it to finish and build again",
            holder.trim(),
            out_dir.display()
        );
    }
    file.set_len(0)?;
    std::io::Write::write_all(&mut file, std::process::id().to_string().as_bytes())?;
    Ok(file)
}

/// Why chapar will not build into `out_dir` (`None` when it may). It never replaces the site
/// itself, its sources, `/` or the home folder, nor a folder of someone else's files, unless
/// `force` says that folder may go.
pub fn refuse_output(root: &Path, out_dir: &Path, force: bool) -> Option<String> {
    let out = resolve(out_dir);
    let root = resolve(root);
    let home = std::env::var_os("HOME").map(|h| resolve(Path::new(&h)));
    if out.parent().is_none() || Some(&out) == home.as_ref() {
        return Some(format!("{}: it is the root or home folder", out.display()));
    }
    if root.starts_with(&out) {
        return Some(format!("{}: it holds the site itself", out.display()));
    }
    for source in ["content", "templates", "static"] {
        if out.starts_with(root.join(source)) {
            return Some(format!(
                "{}: it is inside the site's {source}/ folder",
                out.display()
            ));
        }
    }
    if out.is_file() {
        return Some(format!("{}: it is a file", out.display()));
    }
    let foreign = out.is_dir()
        && !out.join(MARKER).is_file()
        && fs::read_dir(&out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false);
    if foreign && !force {
        return Some(format!(
            "{}: it holds files chapar did not write",
            out.display()
        ));
    }
    None
}

/// An absolute path with `.`/`..` and symbolic links resolved, for a path that may not exist
/// yet: its longest existing ancestor is resolved and the rest appended.
fn resolve(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    // `.` and `..` first, by the names, so a missing folder on the way does not stop us.
    let mut absolute = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                absolute.pop();
            }
            Component::CurDir => {}
            other => absolute.push(other),
        }
    }
    let mut existing = absolute.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        match name.to_str() {
            Some("..") => {
                resolved.pop();
            }
            Some(".") => {}
            _ => resolved.push(name),
        }
    }
    resolved
}

fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}

/// A relative path with only normal components: no `..`, no root, no drive.
fn is_safe_relative(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_output_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        for sub in ["content", "templates", "static"] {
            fs::create_dir_all(root.join(sub)).unwrap();
        }
        let refuse = |out: &Path, force| refuse_output(&root, out, force);
        assert_eq!(refuse(&root.join("public"), false), None);
        assert!(
            refuse(&root, false)
                .unwrap()
                .contains("holds the site itself")
        );
        assert!(
            refuse(dir.path(), true)
                .unwrap()
                .contains("holds the site itself"),
            "--force never allows it"
        );
        assert!(
            refuse(&root.join("content"), true)
                .unwrap()
                .contains("content/")
        );
        assert!(
            refuse(&root.join("static/out"), false)
                .unwrap()
                .contains("static/")
        );
        assert!(
            refuse(&root.join("public/../templates"), false)
                .unwrap()
                .contains("templates/")
        );
        assert!(refuse(Path::new("/"), true).is_some());
        // A folder of someone else's files needs --force; one chapar wrote does not.
        let other = root.join("docs");
        fs::create_dir_all(&other).unwrap();
        fs::write(other.join("notes.txt"), "mine").unwrap();
        assert!(refuse(&other, false).unwrap().contains("did not write"));
        assert_eq!(refuse(&other, true), None);
        fs::write(other.join(MARKER), "").unwrap();
        assert_eq!(refuse(&other, false), None);
    }

    #[test]
    fn one_build_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::begin(&out).unwrap();
        let second = Staging::begin(&out).err().unwrap().to_string();
        assert!(
            second.contains(&format!(
                "another chapar build (process {})",
                std::process::id()
            )),
            "{second}"
        );
        drop(first);
        assert!(Staging::begin(&out).is_ok(), "the lock goes with the build");
    }

    #[test]
    fn rejects_paths_that_climb_out() {
        assert!(is_safe_relative("news/1/x/index.html"));
        for bad in ["", "../x", "/etc/passwd", "a/../../b"] {
            assert!(!is_safe_relative(bad), "{bad}");
        }
    }

    #[test]
    fn keeps_unchanged_files_and_swaps_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::begin(&out).unwrap();
        first.write("a.html", b"one").unwrap();
        first.write("b.html", b"two").unwrap();
        assert_eq!(
            first.commit().unwrap(),
            WriteStats {
                written: 3,
                unchanged: 0
            },
            "two pages and the marker"
        );
        let a_before = fs::metadata(out.join("a.html"))
            .unwrap()
            .modified()
            .unwrap();

        let second = Staging::begin(&out).unwrap();
        second.write("a.html", b"one").unwrap();
        second.write("b.html", b"TWO").unwrap();
        assert!(
            second.write("b.html", b"again").is_err(),
            "a path is written once"
        );
        assert_eq!(
            second.commit().unwrap(),
            WriteStats {
                written: 1,
                unchanged: 2
            }
        );
        assert_eq!(fs::read(out.join("b.html")).unwrap(), b"TWO");
        assert_eq!(
            fs::metadata(out.join("a.html"))
                .unwrap()
                .modified()
                .unwrap(),
            a_before
        );
        assert!(!dir.path().join(".public.staging").exists());
    }

    #[test]
    fn an_abandoned_build_leaves_the_site_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::begin(&out).unwrap();
        first.write("a.html", b"one").unwrap();
        first.commit().unwrap();
        let second = Staging::begin(&out).unwrap();
        second.write("a.html", b"broken").unwrap();
        drop(second);
        assert_eq!(fs::read(out.join("a.html")).unwrap(), b"one");
        assert!(!dir.path().join(".public.staging").exists());
    }
}
