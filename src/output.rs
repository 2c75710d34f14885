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

pub struct Staging {
    out_dir: PathBuf,
    staging: PathBuf,
    previous: Option<PathBuf>,
    claimed: Mutex<HashSet<String>>,
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
        let staging = parent.join(format!(".{}.staging", name.to_string_lossy()));
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        fs::create_dir(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        Ok(Staging {
            out_dir: out_dir.to_path_buf(),
            previous: out_dir.is_dir().then(|| out_dir.to_path_buf()),
            staging,
            claimed: Mutex::new(HashSet::new()),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            committed: false,
        })
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
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
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
                written: 2,
                unchanged: 0
            }
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
                unchanged: 1
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
