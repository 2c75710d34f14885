//! The journal of an in-place update: the moves and removals it makes, written before the
//! first of them, so the next build finishes an update a killed build left halfway.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::write::trash::Trash;

/// The steps of an in-place update, so a killed build's successor can finish it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Journal {
    /// Files to move from the staging folder into the output folder.
    pub(super) moves: Vec<String>,
    /// Files to delete from the output folder.
    pub(super) removals: Vec<String>,
}

/// Writes the journal whole or not at all: written aside, flushed, then renamed.
pub(super) fn write_journal(path: &Path, journal: &Journal) -> Result<()> {
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
pub(super) fn apply_journal(
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
pub(super) fn finish_journal(journal: &Path, staging: &Path, out_dir: &Path) -> Result<()> {
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
