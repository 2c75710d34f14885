//! Files and folders a build no longer needs, freed in the background. Freeing a large
//! file's blocks (the 18 MB `data/articles.json` of 10,000 releases took 9 ms) or a folder of
//! thousands of files is the kernel's slow work, and nothing waits for it but the next build.
//! A path handed over is renamed into the trash folder at once, so its name is free; a
//! thread of its own empties the trash, and the build's lock on the output folder is not
//! released before it is empty (`OutputLock`).

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

    /// Moves the file or folder at `path` into the trash, to be removed in the background
    /// (or here, if no thread can be started). A path that is not there is no error.
    pub fn discard(&self, path: &Path) -> io::Result<()> {
        let mut emptying = self.emptying.lock().unwrap_or_else(|e| e.into_inner());
        if emptying.count == 0 {
            fs::create_dir_all(&self.folder)?;
        }
        let discarded = self.folder.join(emptying.count.to_string());
        match fs::rename(path, &discarded) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
            Ok(()) => emptying.count += 1,
        }
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
            Some((sender, _)) => sender.send(discarded).or_else(|e| remove(&e.0)),
            None => remove(&discarded),
        }
    }

    /// The path to link a file at, so that the trash keeps it when its name is taken by
    /// another file (`discard_linked` then removes it).
    pub fn place(&self) -> io::Result<PathBuf> {
        let mut emptying = self.emptying.lock().unwrap_or_else(|e| e.into_inner());
        if emptying.count == 0 {
            fs::create_dir_all(&self.folder)?;
        }
        emptying.count += 1;
        Ok(self.folder.join(format!("{}-linked", emptying.count - 1)))
    }

    /// Waits until everything discarded is removed, then removes the trash folder.
    pub fn empty(&self) {
        let worker = {
            let mut emptying = self.emptying.lock().unwrap_or_else(|e| e.into_inner());
            emptying.worker.take()
        };
        if let Some((sender, worker)) = worker {
            drop(sender);
            let _ = worker.join();
        }
        // Linked files are not sent one by one: they go with the folder.
        let _ = fs::remove_dir_all(&self.folder);
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
    fn discarded_paths_are_gone_at_once_and_removed_by_the_time_it_is_empty() {
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
        // A file whose name another takes, kept by a link until then.
        let kept = dir.path().join("kept.html");
        fs::write(&kept, "old").unwrap();
        fs::hard_link(&kept, trash.place().unwrap()).unwrap();
        fs::write(dir.path().join("new.html"), "new").unwrap();
        fs::rename(dir.path().join("new.html"), &kept).unwrap();

        trash.empty();
        assert!(!folder.exists());
        assert_eq!(fs::read_to_string(&kept).unwrap(), "new");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the kept file: {left:?}");
    }
}
