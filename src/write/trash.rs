//! Files and folders a build no longer needs, freed in the background. Freeing a large
//! file's blocks and cached pages (the 18 MB `data/articles.json` of 10,000 releases took
//! 9 ms) or a folder of thousands of files is the kernel's slow work, and nothing waits for
//! it but the next build. What the trash takes is renamed or linked into its folder at once;
//! a thread of its own removes it from there, and the build's lock on the output folder is
//! not released before the trash is empty (`OutputLock`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

pub struct Trash {
    folder: PathBuf,
    emptying: Mutex<Emptying>,
}

#[derive(Default)]
struct Emptying {
    /// Whether the folder was made since the trash was last emptied.
    made: bool,
    /// How many paths were put in the trash (each is named by its number there).
    count: usize,
    /// The thread that removes them, started with the first.
    worker: Option<(Sender<PathBuf>, JoinHandle<()>)>,
}

impl Trash {
    /// A trash folder at `folder`, on the file system of the paths it will take. What a
    /// killed build left there is removed now.
    pub fn at(folder: PathBuf) -> io::Result<Trash> {
        if folder.exists() {
            fs::remove_dir_all(&folder)?;
        }
        Ok(Trash {
            folder,
            emptying: Mutex::default(),
        })
    }

    /// Moves the file or folder at `path` into the trash, to be removed in the background.
    /// A path that is not there is no error.
    pub fn discard(&self, path: &Path) -> io::Result<()> {
        if let Err(e) = fs::symlink_metadata(path) {
            return match e.kind() {
                io::ErrorKind::NotFound => Ok(()),
                _ => Err(e),
            };
        }
        let discarded = self.next_place()?;
        fs::rename(path, &discarded)?;
        self.remove_later(discarded)
    }

    /// Renames `new` to `path`, whose old file (if any) the trash frees, in the background:
    /// it is linked into the trash first, so the rename does not free it. A `new` that is
    /// not there is no error (a journal applied again finds its files moved already).
    pub fn replace(&self, new: &Path, path: &Path) -> io::Result<()> {
        let linked = match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_file() => {
                let at = self.next_place()?;
                // Without the link (a file system without them), the rename frees the file.
                fs::hard_link(path, &at).ok().map(|()| at)
            }
            _ => None,
        };
        match fs::rename(new, path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        match linked {
            Some(at) => self.remove_later(at),
            None => Ok(()),
        }
    }

    /// A free name in the trash folder, which is made if need be.
    fn next_place(&self) -> io::Result<PathBuf> {
        let mut emptying = self.emptying.lock().unwrap_or_else(|e| e.into_inner());
        if !emptying.made {
            fs::create_dir_all(&self.folder)?;
            emptying.made = true;
        }
        emptying.count += 1;
        Ok(self.folder.join(emptying.count.to_string()))
    }

    /// Has the thread remove `path` (or removes it here, if no thread can be started).
    fn remove_later(&self, path: PathBuf) -> io::Result<()> {
        let mut emptying = self.emptying.lock().unwrap_or_else(|e| e.into_inner());
        if emptying.worker.is_none() {
            let (sender, receiver) = mpsc::channel::<PathBuf>();
            let remove_all = move || {
                for path in receiver {
                    let _ = remove(&path);
                }
            };
            if let Ok(worker) = std::thread::Builder::new().spawn(remove_all) {
                emptying.worker = Some((sender, worker));
            }
        }
        match &emptying.worker {
            Some((sender, _)) => sender.send(path).or_else(|e| remove(&e.0)),
            None => remove(&path),
        }
    }

    /// Waits until everything put in the trash is removed, then removes its folder.
    pub fn empty(&self) {
        let (worker, made) = {
            let mut emptying = self.emptying.lock().unwrap_or_else(|e| e.into_inner());
            (emptying.worker.take(), std::mem::take(&mut emptying.made))
        };
        if let Some((sender, worker)) = worker {
            drop(sender);
            let _ = worker.join();
        }
        if made {
            let _ = fs::remove_dir_all(&self.folder);
        }
    }
}

fn remove(path: &Path) -> io::Result<()> {
    if path.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_trash_takes_is_gone_at_once_and_removed_by_the_time_it_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join(".public.trash");
        fs::create_dir_all(folder.join("left/by/a/killed/build")).unwrap();
        let trash = Trash::at(folder.clone()).unwrap();
        assert!(!folder.exists(), "a killed build's trash is removed first");

        let file = dir.path().join("big.json");
        fs::write(&file, vec![b'x'; 1 << 20]).unwrap();
        let tree = dir.path().join("site");
        fs::create_dir_all(tree.join("news/1")).unwrap();
        fs::write(tree.join("news/1/index.html"), "x").unwrap();
        trash.discard(&file).unwrap();
        trash.discard(&tree).unwrap();
        trash.discard(&dir.path().join("never-there")).unwrap();
        assert!(
            !file.exists() && !tree.exists(),
            "their names are free at once"
        );

        // A file replaced by another: the old one is kept by a link until the rename.
        let page = dir.path().join("page.html");
        let new = dir.path().join("page.html.new");
        fs::write(&page, "old").unwrap();
        fs::write(&new, "new").unwrap();
        trash.replace(&new, &page).unwrap();
        assert_eq!(fs::read_to_string(&page).unwrap(), "new");
        // Its new file moved already (a journal applied again), or none before it.
        trash.replace(&new, &page).unwrap();
        fs::write(&new, "first").unwrap();
        let fresh = dir.path().join("fresh.html");
        trash.replace(&new, &fresh).unwrap();
        assert_eq!(fs::read_to_string(&fresh).unwrap(), "first");

        trash.empty();
        assert!(!folder.exists());
        let mut left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(left, ["fresh.html", "page.html"]);

        // Emptied, it takes more, and makes its folder again.
        trash.discard(&fresh).unwrap();
        assert!(!fresh.exists());
        trash.empty();
        assert!(!folder.exists());
    }
}
