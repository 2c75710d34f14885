//! Putting a finished build in place of the output folder: in place under a journal when few
//! files changed, or by exchanging the completed staging folder with it (see the module
//! comment of `write`).

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::{Context, Result};

use super::guard::MARKER;
use super::journal::{Journal, apply_journal, write_journal};
use super::lock::OutputLock;
use super::record::Outputs;
use super::staging::{Staging, WriteStats};
use crate::write::trash::Trash;

/// When at most one file in `IN_PLACE_SHARE` changed (or at most `IN_PLACE_FEW`), a build
/// updates the output folder in place; beyond, it swaps in a complete new folder, which
/// readers see change all at once.
const IN_PLACE_SHARE: usize = 10;
const IN_PLACE_FEW: usize = 16;

/// A build in place: what it wrote, the record of the new output folder, and the lock, which
/// the build holds until it has saved that record.
pub struct Committed {
    pub stats: WriteStats,
    pub outputs: Outputs,
    pub lock: OutputLock,
}

impl Staging {
    /// Puts the new build in place of the output folder (see the module comment of `write`
    /// for how). Returns what was written and the record of the new output folder.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fingerprint::Fingerprint;

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
