//! The staging folder a build writes into: what it claims of the previous build (kept as it
//! is) and what it makes (written only when the bytes changed), until `commit` puts it in place.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};

use super::guard::{MARKER, MARKER_TEXT};
use super::journal::finish_journal;
use super::lock::OutputLock;
use super::paths::{beside, is_safe_relative};
use super::record::{OutputFile, Outputs};
use crate::model::fast_hash::{FastMap, FastSet};
use crate::model::fingerprint::Fingerprint;
use crate::write::trash::Trash;

pub struct Staging {
    /// Held while the build runs: one build writes an output folder at a time.
    pub(super) lock: Option<OutputLock>,
    /// The lock's trash.
    pub(super) trash: Arc<Trash>,
    pub(super) out_dir: PathBuf,
    pub(super) staging: PathBuf,
    pub(super) journal: PathBuf,
    /// The output folder, when there is one (an earlier build).
    pub(super) previous_site: Option<PathBuf>,
    /// `previous_site`, open: its files are looked at relative to it, which spares the
    /// kernel walking the folders above it again for each of the thousands of files.
    previous_dir: Option<std::os::fd::OwnedFd>,
    /// The record of the files in `previous_site`; empty when there is none to trust.
    pub(super) previous: Outputs,
    /// Whether to look that a recorded file is still there before keeping it (not needed in
    /// a private folder only this process writes).
    verify: bool,
    /// Whether the previous build's files that this one does not make are kept rather than
    /// removed (`keep_unclaimed`).
    pub(super) keep_unclaimed: bool,
    /// Files of the previous build to remove all the same (`drop_previous`).
    pub(super) dropped: Mutex<Vec<String>>,
    /// The files this build made: their fingerprint, size, and whether they are in the
    /// staging folder (written) or in the output folder already (the same bytes).
    pub(super) made_files: Mutex<FastMap<String, OutputFile>>,
    /// By `slot`, the files of the previous build that this one claimed, kept or made again.
    /// A kept file, most of a build's, is claimed by setting its flag: its record is the
    /// previous one, and copying its path into a shared table was a twentieth of an edit's
    /// build.
    pub(super) taken: Vec<AtomicBool>,
    /// How many files were kept (claimed without being made).
    pub(super) kept: AtomicUsize,
    /// How many of the claimed files the previous build had too: when all of them, this
    /// build removes none, which is then known without looking through them.
    pub(super) claimed_previous: AtomicUsize,
    /// Folders already made in the staging folder: most pages share theirs with others, and
    /// asking the file system again costs a system call per file.
    made_dirs: Mutex<FastSet<PathBuf>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    made: AtomicUsize,
    pub(super) committed: bool,
}

/// What a build wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files with new or changed bytes.
    pub written: usize,
    /// Files identical to the previous build's, kept as they were.
    pub unchanged: usize,
    /// Files of the previous build that the new one no longer has.
    pub removed: usize,
    /// Files made by this build (rendered or generated, whether their bytes changed or not);
    /// the others were kept without being made.
    pub made: usize,
}

impl Staging {
    /// Starts a build into `out_dir`, whose files `previous` describes (empty when unknown).
    /// Finishes an update a killed build left halfway, and clears what it left otherwise.
    pub fn begin(out_dir: &Path, previous: Outputs) -> Result<Staging> {
        Staging::begin_with(out_dir, previous, true, None)
    }

    /// As `begin`, under `lock` if the caller holds it already; with `verify` false, recorded
    /// files are trusted to be there unchanged.
    pub fn begin_with(
        out_dir: &Path,
        mut previous: Outputs,
        verify: bool,
        lock: Option<OutputLock>,
    ) -> Result<Staging> {
        let lock = match lock {
            Some(lock) => lock,
            None => OutputLock::take(out_dir)?,
        };
        let staging = beside(out_dir, "staging");
        let journal = beside(out_dir, "journal");
        if journal.exists() {
            finish_journal(&journal, &staging, out_dir)?;
        }
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        fs::create_dir(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        let previous_site = out_dir.is_dir().then(|| out_dir.to_path_buf());
        let previous_dir = previous_site.as_ref().and_then(|site| {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            rustix::fs::open(site, flags, Mode::empty()).ok()
        });
        if previous_site.is_none() {
            previous = Outputs::default();
        }
        for (slot, file) in previous.files.values_mut().enumerate() {
            file.slot = slot;
        }
        let expected_files = previous.len();
        let staging = Staging {
            trash: lock.trash(),
            lock: Some(lock),
            out_dir: out_dir.to_path_buf(),
            taken: (0..previous.len())
                .map(|_| AtomicBool::new(false))
                .collect(),
            kept: AtomicUsize::new(0),
            previous,
            previous_site,
            previous_dir,
            verify,
            keep_unclaimed: false,
            dropped: Mutex::new(Vec::new()),
            staging,
            journal,
            // A full build makes about as many files as the last one: room for them at once.
            made_files: Mutex::new(FastMap::with_capacity_and_hasher(
                expected_files,
                Default::default(),
            )),
            claimed_previous: AtomicUsize::new(0),
            made_dirs: Mutex::new(FastSet::default()),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            made: AtomicUsize::new(0),
            committed: false,
        };
        staging.write_file(MARKER, MARKER_TEXT.as_bytes())?;
        Ok(staging)
    }

    /// Where the build puts what it no longer needs (see `OutputLock::trash`).
    pub fn trash(&self) -> Arc<Trash> {
        Arc::clone(&self.trash)
    }

    /// See `OutputLock::hold`.
    pub fn hold_lock(&self) -> Result<fs::File> {
        self.lock
            .as_ref()
            .context("the build lost its lock on the output folder")?
            .hold()
            .context("cannot hold the lock on the output folder")
    }

    /// Whether some file was already claimed at `rel`, kept or made.
    pub fn contains(&self, rel: &str) -> bool {
        self.previous
            .files
            .get(rel)
            .is_some_and(|f| self.taken[f.slot].load(Ordering::Acquire))
            || self.made_files.lock().is_ok_and(|c| c.contains_key(rel))
    }

    /// Claims the previous build's file in `slot` (at `rel`) for this build.
    fn take_slot(&self, rel: &str, slot: usize) -> Result<()> {
        if self.taken[slot].swap(true, Ordering::AcqRel) {
            bail!("two outputs want the same file `{rel}`");
        }
        self.claimed_previous.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Keeps the previous build's file at `rel` if it was made from inputs with this
    /// fingerprint and is still there, whole. Returns whether it did; if not, the caller
    /// makes the file and `write`s it.
    pub fn keep_if_unchanged(&self, rel: &str, fingerprint: Fingerprint) -> Result<bool> {
        match self.recorded(rel) {
            Some((recorded, slot)) if recorded == fingerprint => {
                self.keep(rel, slot)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Keeps every file of the previous build whose path `which` accepts, as it is, whatever
    /// it would be made from now (see `BuildOptions::defer_whole_site`).
    pub fn keep_previous(&self, which: impl Fn(&str) -> bool) -> Result<()> {
        for rel in self.previous.files.keys().filter(|rel| which(rel)) {
            if let Some((_, slot)) = self.recorded(rel) {
                self.keep(rel, slot)?;
            }
        }
        Ok(())
    }

    /// Keeps, at commit, every file of the previous build that this one did not make or keep
    /// itself: for a build that makes only the pages an edit reaches and knows the others
    /// are unchanged. It costs nothing per kept file.
    pub fn keep_unclaimed(&mut self) {
        self.keep_unclaimed = true;
    }

    /// Removes, at commit, a file of the previous build that this one no longer makes (an
    /// address that moved), though `keep_unclaimed` keeps the others.
    pub fn drop_previous(&self, rel: &str) {
        if let Ok(mut dropped) = self.dropped.lock() {
            dropped.push(rel.to_string());
        }
    }

    /// The previous build's record of `rel` (fingerprint and slot), if its file is still
    /// there, whole.
    fn recorded(&self, rel: &str) -> Option<(Fingerprint, usize)> {
        let site = self.previous_dir.as_ref()?;
        let &OutputFile {
            fingerprint,
            len,
            slot,
            ..
        } = self.previous.files.get(rel)?;
        let present = !self.verify
            || rustix::fs::statat(site, rel, rustix::fs::AtFlags::empty()).is_ok_and(|st| {
                rustix::fs::FileType::from_raw_mode(st.st_mode).is_file()
                    && u64::try_from(st.st_size) == Ok(len)
            });
        present.then_some((fingerprint, slot))
    }

    /// Keeps the last build's file at `rel`, which `recorded` found in its record at `slot`:
    /// the record stays as it is.
    fn keep(&self, rel: &str, slot: usize) -> Result<()> {
        if !is_safe_relative(rel) {
            bail!("refusing to keep `{rel}`: it is not a plain path inside the output folder");
        }
        self.take_slot(rel, slot)?;
        self.kept.fetch_add(1, Ordering::Relaxed);
        self.unchanged.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Writes one file at `rel` (a `/`-separated path inside the output folder), made from
    /// inputs with `fingerprint`. Bytes equal to the previous build's file are not written.
    pub fn write(&self, rel: &str, bytes: &[u8], fingerprint: Fingerprint) -> Result<()> {
        let len = bytes.len() as u64;
        let same = self
            .previous_site
            .as_ref()
            .is_some_and(|site| same_bytes(&site.join(rel), bytes));
        self.claim_made(rel, fingerprint, len, !same)?;
        if same {
            return Ok(());
        }
        let target = self.staging.join(rel);
        self.make_parent(&target)?;
        fs::write(&target, bytes).with_context(|| format!("cannot write {}", target.display()))
    }

    /// As `write`, for a large file whose bytes `fill` writes to a stream: they go to the
    /// staging folder as they come, and are then compared with the previous build's file.
    pub fn write_streamed(
        &self,
        rel: &str,
        fingerprint: Fingerprint,
        fill: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<()> {
        if !is_safe_relative(rel) {
            bail!("refusing to write `{rel}`: it is not a plain path inside the output folder");
        }
        let target = self.staging.join(rel);
        self.make_parent(&target)?;
        let file = fs::File::create(&target)
            .with_context(|| format!("cannot write {}", target.display()))?;
        let mut writer = io::BufWriter::with_capacity(256 * 1024, file);
        fill(&mut writer)
            .and_then(|()| io::Write::flush(&mut writer))
            .with_context(|| format!("cannot write {}", target.display()))?;
        let len = fs::metadata(&target)
            .with_context(|| format!("cannot write {}", target.display()))?
            .len();
        let same = self
            .previous_site
            .as_ref()
            .is_some_and(|site| same_files(&site.join(rel), &target));
        if same {
            fs::remove_file(&target)
                .with_context(|| format!("cannot remove {}", target.display()))?;
        }
        self.claim_made(rel, fingerprint, len, !same)
    }

    /// Claims a file this build made: `staged` when its bytes differ from the previous
    /// build's and wait in the staging folder.
    fn claim_made(
        &self,
        rel: &str,
        fingerprint: Fingerprint,
        len: u64,
        staged: bool,
    ) -> Result<()> {
        if !is_safe_relative(rel) {
            bail!("refusing to write `{rel}`: it is not a plain path inside the output folder");
        }
        if let Some(previous) = self.previous.files.get(rel) {
            self.take_slot(rel, previous.slot)?;
        }
        let claim = OutputFile {
            fingerprint,
            len,
            staged,
            slot: 0,
        };
        let mut made = self
            .made_files
            .lock()
            .map_err(|_| anyhow::anyhow!("a writer thread panicked"))?;
        if made.insert(rel.to_string(), claim).is_some() {
            bail!("two outputs want the same file `{rel}`");
        }
        drop(made);
        let counter = if staged {
            &self.written
        } else {
            &self.unchanged
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.made.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Writes a file whose inputs are its bytes (a static file, a sitemap).
    pub fn write_file(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let fingerprint = Fingerprint::of_bytes(bytes);
        if self.keep_if_unchanged(rel, fingerprint)? {
            return Ok(());
        }
        self.write(rel, bytes, fingerprint)
    }

    pub(super) fn make_parent(&self, target: &Path) -> Result<()> {
        let Some(dir) = target.parent() else {
            return Ok(());
        };
        let is_made = |dir: &Path| self.made_dirs.lock().is_ok_and(|d| d.contains(dir));
        if is_made(dir) {
            return Ok(());
        }
        // Made from the staging folder down, each folder once. `create_dir_all` tries the
        // deepest first and climbs on failure, then stats every folder that was already
        // there: at 10,000 releases that was 20,000 failed `mkdir` calls and 10,000 stats.
        let Ok(inside) = dir.strip_prefix(&self.staging) else {
            return fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()));
        };
        let mut folder = self.staging.clone();
        for part in inside.components() {
            folder.push(part);
            if is_made(&folder) {
                continue;
            }
            match fs::create_dir(&folder) {
                Ok(()) => {}
                // Another thread made it first.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && folder.is_dir() => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create {}", folder.display()));
                }
            }
            if let Ok(mut made) = self.made_dirs.lock() {
                made.insert(folder.clone());
            }
        }
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
            self.write_file(&rel, &bytes)?;
        }
        Ok(skipped)
    }

    /// The previous build's file at `rel`, if the output folder has one (for reading only:
    /// the caller checks what it takes from it).
    pub fn previous_file(&self, rel: &str) -> Option<PathBuf> {
        if !is_safe_relative(rel) {
            return None;
        }
        let path = self.previous_site.as_ref()?.join(rel);
        path.is_file().then_some(path)
    }

    /// Whether committing would change the output folder: a file written, or one of the
    /// previous build's files no longer made.
    pub fn has_changes(&self) -> bool {
        let dropped = self.dropped.lock().map_or(true, |d| {
            d.iter()
                .any(|rel| self.previous.files.contains_key(rel) && !self.contains(rel))
        });
        self.written.load(Ordering::Relaxed) > 0
            || self.previous.is_empty()
            || dropped
            || (!self.keep_unclaimed && self.removes_previous())
    }

    /// Whether some file of the previous build was not claimed by this one.
    pub(super) fn removes_previous(&self) -> bool {
        self.claimed_previous.load(Ordering::Relaxed) < self.previous.len()
    }

    pub fn stats(&self) -> WriteStats {
        WriteStats {
            written: self.written.load(Ordering::Relaxed),
            unchanged: self.unchanged.load(Ordering::Relaxed),
            removed: 0,
            made: self.made.load(Ordering::Relaxed),
        }
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

/// Whether two files hold the same bytes, read a block at a time.
fn same_files(a: &Path, b: &Path) -> bool {
    use std::io::Read;
    let (Ok(mut a), Ok(mut b)) = (fs::File::open(a), fs::File::open(b)) else {
        return false;
    };
    let same_len = match (a.metadata(), b.metadata()) {
        (Ok(ma), Ok(mb)) => ma.is_file() && ma.len() == mb.len(),
        _ => false,
    };
    if !same_len {
        return false;
    }
    let (mut block_a, mut block_b) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = match a.read(&mut block_a) {
            Ok(n) => n,
            Err(_) => return false,
        };
        if n == 0 {
            return true;
        }
        if b.read_exact(&mut block_b[..n]).is_err() || block_a[..n] != block_b[..n] {
            return false;
        }
    }
}

fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_build_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::begin(&out, Outputs::default()).unwrap();
        let second = Staging::begin(&out, Outputs::default())
            .err()
            .unwrap()
            .to_string();
        assert!(
            second.contains(&format!(
                "another chapar build (process {})",
                std::process::id()
            )),
            "{second}"
        );
        drop(first);
        assert!(
            Staging::begin(&out, Outputs::default()).is_ok(),
            "the lock goes with the build"
        );
    }
}
