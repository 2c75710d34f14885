//! Writing the site. New and changed files go into a staging folder beside the output folder
//! and reach the output folder only when the whole build succeeded: a failed build leaves the
//! previous site exactly as it was. Then, one of two ways:
//!
//! - Few files changed (the usual edit): each is renamed into place, under a journal that the
//!   next build finishes if this one is killed halfway. Every file is always whole; readers
//!   may briefly see some pages of the new build beside others of the old.
//! - Many changed, or the previous build's files cannot be told (no record of them, and the
//!   folder is not one chapar wrote): the staging folder is completed with hard links to the
//!   unchanged files and exchanged with the output folder in one atomic step, so readers see
//!   the old site or the new one, never a mix.
//!
//! Unchanged files are never rewritten: they keep their inode and modification time, and
//! deploy tools see real differences only.

pub mod output;
mod staging_output;
pub mod trash;

pub use output::Output;
pub use staging_output::StagingOutput;

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::model::fast_hash::{FastMap, FastSet};
use crate::model::fingerprint::Fingerprint;
use crate::write::trash::Trash;

/// The file chapar leaves in every output folder, so it knows the folder is its own to replace.
pub const MARKER: &str = ".chapar-build";
const MARKER_TEXT: &str =
    "This folder is written by `chapar build` and replaced whole on every build.\n";

/// When at most one file in `IN_PLACE_SHARE` changed (or at most `IN_PLACE_FEW`), a build
/// updates the output folder in place; beyond, it swaps in a complete new folder, which
/// readers see change all at once.
const IN_PLACE_SHARE: usize = 10;
const IN_PLACE_FEW: usize = 16;

/// Beside the output folder: what a build no longer needs, removed in the background.
const TRASH: &str = "trash";

/// What a build left in the output folder: each file with the fingerprint of what it was made
/// from and its size. The next build keeps a file whose fingerprint it computes again.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Outputs {
    files: FastMap<String, OutputFile>,
}

/// One file of a build: the fingerprint of what it was made from, its size, and, while the
/// build runs, whether it waits in the staging folder (written) or was made with the previous
/// build's bytes. The files a build keeps are its previous record's entries; with those it
/// makes, they become the record the next build reads.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct OutputFile {
    fingerprint: Fingerprint,
    len: u64,
    #[serde(skip)]
    staged: bool,
    /// Its place in the record of the previous build, while the next one runs (`Staging::
    /// taken`): set by `Staging::begin_with` for that record's entries only, and meaningless
    /// in the files a build makes.
    #[serde(skip)]
    slot: usize,
}

impl Outputs {
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

pub struct Staging {
    /// Held while the build runs: one build writes an output folder at a time.
    lock: Option<OutputLock>,
    /// The lock's trash.
    trash: Arc<Trash>,
    out_dir: PathBuf,
    staging: PathBuf,
    journal: PathBuf,
    /// The output folder, when there is one (an earlier build).
    previous_site: Option<PathBuf>,
    /// `previous_site`, open: its files are looked at relative to it, which spares the
    /// kernel walking the folders above it again for each of the thousands of files.
    previous_dir: Option<std::os::fd::OwnedFd>,
    /// The record of the files in `previous_site`; empty when there is none to trust.
    previous: Outputs,
    /// Whether to look that a recorded file is still there before keeping it (not needed in
    /// a private folder only this process writes).
    verify: bool,
    /// Whether the previous build's files that this one does not make are kept rather than
    /// removed (`keep_unclaimed`).
    keep_unclaimed: bool,
    /// Files of the previous build to remove all the same (`drop_previous`).
    dropped: Mutex<Vec<String>>,
    /// The files this build made: their fingerprint, size, and whether they are in the
    /// staging folder (written) or in the output folder already (the same bytes).
    made_files: Mutex<FastMap<String, OutputFile>>,
    /// By `slot`, the files of the previous build that this one claimed, kept or made again.
    /// A kept file, most of a build's, is claimed by setting its flag: its record is the
    /// previous one, and copying its path into a shared table was a twentieth of an edit's
    /// build.
    taken: Vec<AtomicBool>,
    /// How many files were kept (claimed without being made).
    kept: AtomicUsize,
    /// How many of the claimed files the previous build had too: when all of them, this
    /// build removes none, which is then known without looking through them.
    claimed_previous: AtomicUsize,
    /// Folders already made in the staging folder: most pages share theirs with others, and
    /// asking the file system again costs a system call per file.
    made_dirs: Mutex<FastSet<PathBuf>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    made: AtomicUsize,
    committed: bool,
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

/// A build in place: what it wrote, the record of the new output folder, and the lock, which
/// the build holds until it has saved that record.
pub struct Committed {
    pub stats: WriteStats,
    pub outputs: Outputs,
    pub lock: OutputLock,
}

/// A hidden file or folder beside the output folder: `.public.<what>` for `public/`.
pub fn beside(out_dir: &Path, what: &str) -> PathBuf {
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    parent.join(format!(".{name}.{what}"))
}

/// The steps of an in-place update, so a killed build's successor can finish it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Journal {
    /// Files to move from the staging folder into the output folder.
    moves: Vec<String>,
    /// Files to delete from the output folder.
    removals: Vec<String>,
}

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

    fn make_parent(&self, target: &Path) -> Result<()> {
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
    fn removes_previous(&self) -> bool {
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

    /// Puts the new build in place of the output folder (see the module comment for how).
    /// Returns what was written and the record of the new output folder.
    pub fn commit(mut self) -> Result<Committed> {
        let made = std::mem::take(
            &mut *self
                .made_files
                .lock()
                .map_err(|_| anyhow::anyhow!("a writer thread panicked"))?,
        );
        let taken: Vec<bool> = self
            .taken
            .iter()
            .map(|t| t.load(Ordering::Acquire))
            .collect();
        let claimed = |rel: &str| {
            made.contains_key(rel) || self.previous.files.get(rel).is_some_and(|f| taken[f.slot])
        };
        // The files kept as they are: the previous build's claimed without being made again,
        // and those made with the same bytes.
        let kept = || {
            self.previous
                .files
                .iter()
                .filter(|(rel, f)| taken[f.slot] && !made.contains_key(*rel))
                .map(|(rel, _)| rel)
                .chain(made.iter().filter(|(_, c)| !c.staged).map(|(rel, _)| rel))
        };
        let mut stats = self.stats();
        let unclaimed = || {
            self.previous
                .files
                .iter()
                .filter(|(_, f)| !taken[f.slot])
                .map(|(rel, _)| rel.clone())
        };
        let dropped = std::mem::take(
            &mut *self
                .dropped
                .lock()
                .map_err(|_| anyhow::anyhow!("a writer thread panicked"))?,
        );
        // Without a record of the previous build's files (a new chapar, `--force`, a lost
        // state) the folder's own listing says which of them this build no longer makes, so
        // a build that changed little still updates in place instead of relinking them all.
        // (A build that keeps what it did not make has a record by definition.)
        let listed = if self.previous.is_empty() && !self.keep_unclaimed {
            self.list_previous().filter(|listed| {
                // Every file kept as it was must be on the list under the very name this
                // build asked for: on a file system that ignores case, `logo.png` may have
                // been compared with `Logo.png`, which the list would then remove.
                let names: HashSet<&str> = listed.iter().map(String::as_str).collect();
                kept().all(|rel| names.contains(rel.as_str()))
            })
        } else {
            None
        };
        let removals: Vec<String> = if let Some(listed) = &listed {
            listed.iter().filter(|rel| !claimed(rel)).cloned().collect()
        } else if self.keep_unclaimed {
            let mut removals: Vec<String> = dropped
                .into_iter()
                .filter(|rel| self.previous.files.contains_key(rel) && !claimed(rel))
                .collect();
            removals.sort();
            removals.dedup();
            removals
        } else if self.removes_previous() {
            unclaimed().collect()
        } else {
            Vec::new()
        };
        let claimed_again = self.claimed_previous.load(Ordering::Relaxed);
        if self.keep_unclaimed {
            stats.unchanged += self
                .previous
                .len()
                .saturating_sub(claimed_again + removals.len());
        }
        stats.removed = removals.len();
        let changes = stats.written + removals.len();
        let claimed_files = made.len() + self.kept.load(Ordering::Relaxed);
        // Of the files the new folder will hold: with `keep_unclaimed`, the previous ones too.
        let files = if self.keep_unclaimed {
            claimed_files.max(self.previous.len())
        } else {
            claimed_files
        };
        let in_place = (!self.previous.is_empty() || listed.is_some())
            && (changes <= IN_PLACE_FEW || changes * IN_PLACE_SHARE <= files);
        let trash = Arc::clone(&self.trash);
        if in_place {
            let mut moves: Vec<String> = made
                .iter()
                .filter(|(_, c)| c.staged)
                .map(|(rel, _)| rel.clone())
                .collect();
            moves.sort();
            let journal = Journal {
                moves,
                removals: removals.clone(),
            };
            write_journal(&self.journal, &journal)?;
            // From here the journal is the build's: if applying it fails, the next build
            // finishes it from the staging folder, which must stay.
            self.committed = true;
            apply_journal(&journal, &self.staging, &self.out_dir, Some(&trash))?;
            fs::remove_file(&self.journal)
                .with_context(|| format!("cannot remove {}", self.journal.display()))?;
            trash
                .discard(&self.staging)
                .with_context(|| format!("cannot remove {}", self.staging.display()))?;
        } else {
            let kept_unclaimed: Vec<String> = if self.keep_unclaimed {
                unclaimed().filter(|rel| !removals.contains(rel)).collect()
            } else {
                Vec::new()
            };
            let kept: Vec<&String> = kept().chain(&kept_unclaimed).collect();
            self.swap_whole(&kept, &trash)?;
        }
        self.committed = true;
        // The previous build's record, less what this one did not claim (unless it keeps
        // that), with what it made.
        let mut files = std::mem::take(&mut self.previous.files);
        if self.keep_unclaimed {
            for rel in &removals {
                files.remove(rel);
            }
        } else {
            files.retain(|_, f| taken[f.slot]);
        }
        files.extend(made);
        let outputs = Outputs { files };
        let lock = self
            .lock
            .take()
            .context("the build lost its lock on the output folder")?;
        Ok(Committed {
            stats,
            outputs,
            lock,
        })
    }

    /// Every file of the previous output folder, relative and `/`-separated, when it is a
    /// folder chapar wrote (it holds the marker) made only of files and folders that hold
    /// something: then updating it in place ends with exactly the files this build claims.
    /// `None` otherwise (the folder is swapped whole).
    fn list_previous(&self) -> Option<Vec<String>> {
        let site = self.previous_site.as_ref()?;
        if !site.join(MARKER).is_file() {
            return None;
        }
        let mut files = Vec::new();
        let mut folders = HashSet::new();
        let mut filled = HashSet::new();
        for entry in walkdir::WalkDir::new(site).min_depth(1) {
            let entry = entry.ok()?;
            let rel = entry.path().strip_prefix(site).ok()?;
            if let Some(parent) = rel.parent() {
                filled.insert(parent.to_path_buf());
            }
            let kind = entry.file_type();
            if kind.is_dir() {
                folders.insert(rel.to_path_buf());
            } else if kind.is_file() {
                files.push(rel.to_str()?.to_string());
            } else {
                return None;
            }
        }
        // An empty folder could stand where this build puts a file.
        folders.is_subset(&filled).then_some(files)
    }

    /// Completes the staging folder with links to the `kept` files and exchanges it with the
    /// output folder; the previous site goes to the trash.
    fn swap_whole(&self, kept: &[&String], trash: &Trash) -> Result<()> {
        let Some(previous) = &self.previous_site else {
            return fs::rename(&self.staging, &self.out_dir).with_context(|| {
                format!("cannot move the new build to {}", self.out_dir.display())
            });
        };
        for rel in kept {
            let target = self.staging.join(rel);
            self.make_parent(&target)?;
            fs::hard_link(previous.join(rel), &target)
                .or_else(|_| fs::copy(previous.join(rel), &target).map(|_| ()))
                .with_context(|| format!("cannot keep {rel} from the previous build"))?;
        }
        swap(&self.staging, &self.out_dir).with_context(|| {
            format!(
                "cannot replace {} with the new build",
                self.out_dir.display()
            )
        })?;
        // The staging path now holds the previous site.
        trash.discard(&self.staging).with_context(|| {
            format!(
                "cannot remove the previous build at {}",
                self.staging.display()
            )
        })
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

/// Writes the journal whole or not at all: written aside, flushed, then renamed.
fn write_journal(path: &Path, journal: &Journal) -> Result<()> {
    let aside = path.with_extension("journal-new");
    let bytes = serde_json::to_vec(journal)?;
    let mut file =
        fs::File::create(&aside).with_context(|| format!("cannot write {}", aside.display()))?;
    io::Write::write_all(&mut file, &bytes)?;
    file.sync_all()?;
    fs::rename(&aside, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Deletes and moves what the journal says. Each step can be repeated: a file already deleted
/// is gone, a file already moved is no longer in the staging folder. Deletions go first, so a
/// file replaced by a folder of the same name (or a folder by a file) makes way for it.
///
/// With `trash`, each file a move replaces is freed by the trash, in the background.
fn apply_journal(
    journal: &Journal,
    staging: &Path,
    out_dir: &Path,
    trash: Option<&Trash>,
) -> Result<()> {
    remove_files(&journal.removals, out_dir)?;
    let mut made: HashSet<PathBuf> = HashSet::new();
    for rel in &journal.moves {
        let target = out_dir.join(rel);
        if let Some(dir) = target.parent()
            && made.insert(dir.to_path_buf())
        {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let moved = match trash {
            Some(trash) => trash.replace(&staging.join(rel), &target),
            None => fs::rename(staging.join(rel), &target).or_else(|e| match e.kind() {
                io::ErrorKind::NotFound => Ok(()),
                _ => Err(e),
            }),
        };
        moved.with_context(|| format!("cannot move {rel} into place"))?;
    }
    Ok(())
}

/// Deletes files from the output folder, and the folders that leaves empty.
fn remove_files(removals: &[String], out_dir: &Path) -> Result<()> {
    for rel in removals {
        let target = out_dir.join(rel);
        match fs::remove_file(&target) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("cannot remove {}", target.display()));
            }
            _ => {}
        }
        // Folders the removal emptied go too; a folder still holding files stays.
        let mut dir = target.parent();
        while let Some(d) = dir.filter(|d| *d != out_dir && d.starts_with(out_dir)) {
            if fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
}

/// Finishes the update a killed build left halfway.
fn finish_journal(journal: &Path, staging: &Path, out_dir: &Path) -> Result<()> {
    let recover = || {
        format!(
            "cannot finish the update an earlier build left in {}; delete it, {} and the build state beside the output folder, then build again",
            journal.display(),
            staging.display(),
        )
    };
    let bytes = fs::read(journal).with_context(recover)?;
    let steps: Journal = serde_json::from_slice(&bytes).with_context(recover)?;
    apply_journal(&steps, staging, out_dir, None).with_context(recover)?;
    fs::remove_file(journal).with_context(|| format!("cannot remove {}", journal.display()))
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

/// A relative path with only normal components: no `..`, no root, no drive.
fn is_safe_relative(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// The output folder's marker file (device, inode): a folder deleted, restored or replaced
/// since a record was made has another.
pub fn marker_identity(out_dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(out_dir.join(MARKER)).ok()?;
    Some((meta.dev(), meta.ino()))
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
        let first = Staging::begin(&out, Outputs::default()).unwrap();
        first.write_file("a.html", b"one").unwrap();
        first.write_file("b.html", b"two").unwrap();
        let stats = first.commit().unwrap().stats;
        assert_eq!(
            stats,
            WriteStats {
                written: 3,
                unchanged: 0,
                removed: 0,
                made: 3
            },
            "two pages and the marker"
        );
        let a_before = fs::metadata(out.join("a.html"))
            .unwrap()
            .modified()
            .unwrap();

        let second = Staging::begin(&out, Outputs::default()).unwrap();
        second.write_file("a.html", b"one").unwrap();
        second.write_file("b.html", b"TWO").unwrap();
        assert!(
            second.write_file("b.html", b"again").is_err(),
            "a path is written once"
        );
        assert_eq!(
            second.commit().unwrap().stats,
            WriteStats {
                written: 1,
                unchanged: 2,
                removed: 0,
                made: 3
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

    fn fp(n: u128) -> Fingerprint {
        Fingerprint(n)
    }

    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(path).unwrap().ino()
    }

    #[test]
    fn a_few_pages_of_a_large_site_are_updated_in_place_when_the_rest_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::begin(&out, Outputs::default()).unwrap();
        for n in 0..400 {
            first.write(&format!("p/{n}.html"), b"page", fp(n)).unwrap();
        }
        let record = first.commit().unwrap().outputs;
        let folder = inode(&out);
        let mut staging = Staging::begin(&out, record).unwrap();
        staging.keep_unclaimed();
        for n in 0..30 {
            staging
                .write(&format!("p/{n}.html"), b"new", fp(1000 + n))
                .unwrap();
        }
        staging.commit().unwrap();
        assert_eq!(
            inode(&out),
            folder,
            "30 of 401 files: in place, not a new folder"
        );
        assert_eq!(fs::read(out.join("p/29.html")).unwrap(), b"new");
    }

    #[test]
    fn without_a_record_a_folder_chapar_wrote_is_still_updated_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::begin(&out, Outputs::default()).unwrap();
        for n in 0..40 {
            first
                .write(&format!("p/{n}/index.html"), b"page", fp(n))
                .unwrap();
        }
        first.write("old/gone.html", b"old", fp(99)).unwrap();
        first.commit().unwrap();
        let (folder, kept) = (inode(&out), inode(&out.join("p/7/index.html")));
        // The record is lost (a new chapar, `--force`): every file is made again.
        let next = Staging::begin(&out, Outputs::default()).unwrap();
        for n in 0..40 {
            let bytes: &[u8] = if n == 3 { b"new" } else { b"page" };
            next.write(&format!("p/{n}/index.html"), bytes, fp(n))
                .unwrap();
        }
        let committed = next.commit().unwrap();
        assert_eq!(inode(&out), folder, "in place, not a new folder");
        assert_eq!(
            inode(&out.join("p/7/index.html")),
            kept,
            "unchanged, untouched"
        );
        assert_eq!(fs::read(out.join("p/3/index.html")).unwrap(), b"new");
        assert!(
            !out.join("old").exists(),
            "a file no longer made goes, with its folder"
        );
        assert_eq!((committed.stats.written, committed.stats.removed), (1, 1));
        drop(committed);

        // A build that keeps what it does not make (`serve`'s edits, which always have a
        // record) does not take the listing for a list of files to remove.
        let mut partial = Staging::begin(&out, Outputs::default()).unwrap();
        partial.keep_unclaimed();
        partial.write("p/5/index.html", b"five", fp(5)).unwrap();
        let committed = partial.commit().unwrap();
        assert_eq!(committed.stats.removed, 0);
        drop(committed);
        let restore = Staging::begin(&out, Outputs::default()).unwrap();
        for n in 0..40 {
            restore
                .write(&format!("p/{n}/index.html"), b"page", fp(n))
                .unwrap();
        }
        restore.commit().unwrap();
        let folder = inode(&out);

        // A folder chapar did not write is still replaced whole.
        fs::remove_file(out.join(MARKER)).unwrap();
        let other = Staging::begin(&out, Outputs::default()).unwrap();
        other.write("p/0/index.html", b"page", fp(0)).unwrap();
        other.commit().unwrap();
        assert_ne!(inode(&out), folder, "swapped whole");
        assert!(!out.join("p/1").exists());
    }

    #[test]
    fn streamed_files_are_compared_with_the_previous_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let stream = |text: &'static str| move |w: &mut dyn io::Write| w.write_all(text.as_bytes());
        let first = Staging::begin(&out, Outputs::default()).unwrap();
        first
            .write_streamed("data/a.json", fp(1), &mut stream("[1, 2]"))
            .unwrap();
        let record = first.commit().unwrap().outputs;
        for (text, written) in [("[1, 2]", 0), ("[1, 2, 3]", 1)] {
            let next = Staging::begin(&out, record.clone()).unwrap();
            next.write_streamed("data/a.json", fp(2), &mut stream(text))
                .unwrap();
            let committed = next.commit().unwrap();
            assert_eq!(committed.stats.written, written, "{text}");
            assert_eq!(fs::read_to_string(out.join("data/a.json")).unwrap(), text);
            let file = committed.outputs.files["data/a.json"];
            assert_eq!((file.fingerprint, file.len), (fp(2), text.len() as u64));
        }
    }

    #[test]
    fn files_not_made_again_can_be_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::begin(&out, Outputs::default()).unwrap();
        for n in 0..40 {
            first.write(&format!("p/{n}.html"), b"page", fp(n)).unwrap();
        }
        let record = first.commit().unwrap().outputs;
        // Few changes (in place) and many (a new folder swapped in): either way the files
        // this build did not touch stay, with their records.
        for (round, changed) in [(1u128, 2u128), (2, 30)] {
            let mut staging = Staging::begin_with(&out, record.clone(), true, None).unwrap();
            staging.keep_unclaimed();
            for n in 0..changed {
                let bytes = format!("page {round}");
                staging
                    .write(
                        &format!("p/{n}.html"),
                        bytes.as_bytes(),
                        fp(100 * round + n),
                    )
                    .unwrap();
            }
            assert!(staging.has_changes());
            let committed = staging.commit().unwrap();
            assert_eq!(
                (
                    committed.stats.written,
                    committed.stats.unchanged,
                    committed.stats.removed
                ),
                (changed as usize, 41 - changed as usize, 0),
                "round {round}"
            );
            assert_eq!(committed.outputs.len(), 41, "round {round}");
            assert_eq!(fs::read(out.join("p/39.html")).unwrap(), b"page");
            assert_eq!(
                fs::read(out.join("p/1.html")).unwrap(),
                format!("page {round}").as_bytes()
            );
            assert_eq!(
                committed.outputs.files["p/1.html"].fingerprint,
                fp(100 * round + 1)
            );
        }
    }

    #[test]
    fn a_file_is_claimed_once_whether_kept_or_made() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::begin(&out, Outputs::default()).unwrap();
        first.write("a.html", b"one", fp(1)).unwrap();
        first.write("b.html", b"two", fp(2)).unwrap();
        first.write("old.html", b"old", fp(9)).unwrap();
        let record = first.commit().unwrap().outputs;

        let second = Staging::begin(&out, record).unwrap();
        let two = |e: anyhow::Error| e.to_string().contains("two outputs want the same file");
        // Kept, then kept or made again.
        assert!(second.keep_if_unchanged("a.html", fp(1)).unwrap());
        assert!(second.keep_if_unchanged("a.html", fp(1)).is_err_and(two));
        assert!(second.write("a.html", b"one", fp(1)).is_err_and(two));
        // Made, then kept or made again.
        second.write("b.html", b"TWO", fp(20)).unwrap();
        assert!(second.keep_if_unchanged("b.html", fp(2)).is_err_and(two));
        assert!(second.write("b.html", b"TWO", fp(20)).is_err_and(two));
        // A file the last build did not have, made twice.
        second.write("c.html", b"three", fp(3)).unwrap();
        assert!(second.write("c.html", b"three", fp(3)).is_err_and(two));
        assert!(
            second.contains("a.html") && second.contains("b.html") && second.contains("c.html")
        );

        // The record is the files claimed, kept or made, each once; the one not claimed is
        // gone from it and from the folder.
        let committed = second.commit().unwrap();
        assert!(!out.join("old.html").exists());
        let mut files: Vec<(&String, Fingerprint)> = committed
            .outputs
            .files
            .iter()
            .filter(|(rel, _)| *rel != MARKER)
            .map(|(rel, f)| (rel, f.fingerprint))
            .collect();
        files.sort();
        let names = ["a.html", "b.html", "c.html"].map(String::from);
        assert_eq!(
            files,
            vec![(&names[0], fp(1)), (&names[1], fp(20)), (&names[2], fp(3))]
        );

        // Many files new: the folder is swapped whole, the kept file linked into the new one.
        drop(committed.lock);
        let third = Staging::begin(&out, committed.outputs).unwrap();
        assert!(third.keep_if_unchanged("a.html", fp(1)).unwrap());
        for n in 0..20 {
            third
                .write(&format!("n/{n}.html"), b"new", fp(100 + n))
                .unwrap();
        }
        let folder = inode(&out);
        let done = third.commit().unwrap();
        assert_ne!(inode(&out), folder, "swapped");
        assert_eq!(fs::read(out.join("a.html")).unwrap(), b"one");
        assert!(!out.join("b.html").exists());
        assert!(done.outputs.files.contains_key("a.html"));
        assert!(!done.outputs.files.contains_key("b.html"));
    }

    #[test]
    fn few_changes_are_made_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::begin(&out, Outputs::default()).unwrap();
        first.write("a.html", b"one", fp(1)).unwrap();
        first.write("b.html", b"two", fp(2)).unwrap();
        first.write("old/c.html", b"three", fp(3)).unwrap();
        let record = first.commit().unwrap().outputs;
        let folder = inode(&out);
        let a = inode(&out.join("a.html"));

        let second = Staging::begin(&out, record).unwrap();
        assert!(second.keep_if_unchanged("a.html", fp(1)).unwrap());
        assert!(
            !second.keep_if_unchanged("b.html", fp(20)).unwrap(),
            "other inputs"
        );
        second.write("b.html", b"TWO", fp(20)).unwrap();
        second.write("new/d.html", b"four", fp(4)).unwrap();
        let committed = second.commit().unwrap();
        assert_eq!(
            committed.stats,
            WriteStats {
                written: 2,
                unchanged: 2,
                removed: 1,
                made: 2
            }
        );
        assert_eq!(inode(&out), folder, "updated in place, not swapped");
        assert_eq!(inode(&out.join("a.html")), a);
        assert_eq!(fs::read(out.join("b.html")).unwrap(), b"TWO");
        assert_eq!(fs::read(out.join("new/d.html")).unwrap(), b"four");
        assert!(!out.join("old").exists(), "the emptied folder went too");
        assert!(!dir.path().join(".public.journal").exists());
        assert!(!dir.path().join(".public.staging").exists());

        // A file deleted behind chapar's back is made again, whatever the record says.
        fs::remove_file(out.join("a.html")).unwrap();
        drop(committed.lock);
        let third = Staging::begin(&out, committed.outputs).unwrap();
        assert!(!third.keep_if_unchanged("a.html", fp(1)).unwrap());
    }

    #[test]
    fn what_a_build_replaced_is_removed_before_its_lock_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let trash = dir.path().join(".public.trash");
        let first = Staging::begin(&out, Outputs::default()).unwrap();
        first.write("a.html", b"one", fp(1)).unwrap();
        first.write("b.html", b"two", fp(2)).unwrap();
        let record = first.commit().unwrap().outputs;

        // In place: the replaced file is linked aside, so the rename does not free it.
        let second = Staging::begin(&out, record).unwrap();
        assert!(second.keep_if_unchanged("a.html", fp(1)).unwrap());
        second.write("b.html", b"TWO", fp(20)).unwrap();
        let old_b = inode(&out.join("b.html"));
        let committed = second.commit().unwrap();
        assert_eq!(fs::read(out.join("b.html")).unwrap(), b"TWO");
        assert_ne!(inode(&out.join("b.html")), old_b);
        assert!(!dir.path().join(".public.staging").exists());
        drop(committed.lock);
        assert!(!trash.exists(), "emptied once the lock is released");

        // Swapped whole: the previous site goes the same way.
        let third = Staging::begin(&out, Outputs::default()).unwrap();
        third.write("c.html", b"three", fp(3)).unwrap();
        drop(third.commit().unwrap().lock);
        assert!(!trash.exists());
        assert!(!out.join("a.html").exists());

        // A build killed before the trash was empty leaves it; the next one empties it.
        fs::create_dir_all(trash.join("0/news")).unwrap();
        let fourth = Staging::begin(&out, Outputs::default()).unwrap();
        assert!(!trash.exists());
        fourth.write("c.html", b"three", fp(3)).unwrap();
        drop(fourth.commit().unwrap().lock);
        assert!(!trash.exists());
    }

    #[test]
    fn a_file_and_a_folder_of_the_same_name_trade_places_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::begin(&out, Outputs::default()).unwrap();
        for n in 0..40 {
            first
                .write(&format!("page-{n}.html"), b"x", fp(100))
                .unwrap();
        }
        first.write("kit", b"a file", fp(1)).unwrap();
        first
            .write("folder/index.html", b"in a folder", fp(2))
            .unwrap();
        let record = first.commit().unwrap().outputs;

        let second = Staging::begin(&out, record).unwrap();
        for n in 0..40 {
            assert!(
                second
                    .keep_if_unchanged(&format!("page-{n}.html"), fp(100))
                    .unwrap()
            );
        }
        second
            .write("kit/index.html", b"now a folder", fp(3))
            .unwrap();
        second.write("folder", b"now a file", fp(4)).unwrap();
        let folder = inode(&out);
        second.commit().unwrap();
        assert_eq!(inode(&out), folder, "updated in place");
        assert_eq!(
            fs::read(out.join("kit/index.html")).unwrap(),
            b"now a folder"
        );
        assert_eq!(fs::read(out.join("folder")).unwrap(), b"now a file");
    }

    #[test]
    fn the_next_build_finishes_an_update_a_killed_build_began() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::begin(&out, Outputs::default()).unwrap();
        first.write("a.html", b"one", fp(1)).unwrap();
        first.write("gone/b.html", b"two", fp(2)).unwrap();
        first.commit().unwrap();
        // The state a build killed halfway through its in-place update leaves: the journal
        // written, one new file moved in, one still in the staging folder.
        let staging = dir.path().join(".public.staging");
        fs::create_dir_all(staging.join("news")).unwrap();
        fs::write(staging.join("news/c.html"), "three").unwrap();
        fs::write(out.join("a.html"), "ONE").unwrap();
        let journal = Journal {
            moves: vec!["a.html".into(), "news/c.html".into()],
            removals: vec!["gone/b.html".into()],
        };
        write_journal(&dir.path().join(".public.journal"), &journal).unwrap();

        let next = Staging::begin(&out, Outputs::default()).unwrap();
        assert_eq!(fs::read(out.join("a.html")).unwrap(), b"ONE");
        assert_eq!(fs::read(out.join("news/c.html")).unwrap(), b"three");
        assert!(!out.join("gone").exists());
        assert!(!dir.path().join(".public.journal").exists());
        drop(next);
    }

    #[test]
    fn an_abandoned_build_leaves_the_site_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Staging::begin(&out, Outputs::default()).unwrap();
        first.write_file("a.html", b"one").unwrap();
        first.commit().unwrap();
        let second = Staging::begin(&out, Outputs::default()).unwrap();
        second.write_file("a.html", b"broken").unwrap();
        drop(second);
        assert_eq!(fs::read(out.join("a.html")).unwrap(), b"one");
        assert!(!dir.path().join(".public.staging").exists());
    }
}
