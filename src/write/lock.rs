//! The lock on an output folder, so one build at a time writes it, and the trash the lock
//! empties before it is released.

use std::fs;
use std::io;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};

use super::paths::beside;
use crate::write::trash::Trash;

/// Beside the output folder: what a build no longer needs, removed in the background.
const TRASH: &str = "trash";

/// The right to write an output folder: one build at a time. Held from before the build reads
/// what the previous build left until it has saved what it leaves for the next.
pub struct OutputLock {
    /// What the build no longer needs, removed in the background. The lock is released only
    /// once the trash is empty, so the next build finds it so.
    trash: Arc<Trash>,
    /// The lock lasts as long as the file is open.
    _file: fs::File,
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        self.trash.empty();
    }
}

impl OutputLock {
    /// Takes the lock of `out_dir`, or says which build holds it.
    pub fn take(out_dir: &Path) -> Result<OutputLock> {
        if out_dir.file_name().is_none() {
            bail!("the output folder {} has no name", out_dir.display());
        }
        let lock_path = beside(out_dir, "lock");
        if let Some(parent) = lock_path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let file = lock(&lock_path, out_dir)?;
        let trash = beside(out_dir, TRASH);
        Ok(OutputLock {
            trash: Arc::new(
                Trash::at(trash.clone())
                    .with_context(|| format!("cannot clear {}", trash.display()))?,
            ),
            _file: file,
        })
    }

    /// Where the build puts what it no longer needs (old files beside the output folder).
    pub fn trash(&self) -> Arc<Trash> {
        Arc::clone(&self.trash)
    }

    /// A second handle on the lock: it stays taken while either is open, so work that goes
    /// on beside a commit keeps it even if the commit fails and drops the first.
    pub fn hold(&self) -> io::Result<fs::File> {
        self._file.try_clone()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_handle_keeps_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let lock = OutputLock::take(&out).unwrap();
        let held = lock.hold().unwrap();
        drop(lock);
        assert!(
            OutputLock::take(&out).is_err(),
            "still held by the second handle"
        );
        drop(held);
        assert!(OutputLock::take(&out).is_ok());
    }
}
