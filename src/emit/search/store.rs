//! Where the search documents' result text (title, path, date, snippet source) waits between
//! the moment a release is parsed and the moment its result file is written, and between
//! builds: an append-only file beside the output folder (`.public.search-text`), so memory
//! holds only a reference per article. Only result files that must be written read it back.
//!
//! Each record is found by offset and length and checked against its hash when read, and
//! the file begins with a random identity: the documents file names the identity it was
//! written against, so a store that was replaced or removed since is never trusted. When
//! more than half of the file is text no document refers to any more, it is written anew.

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};

/// Where one record is, and the hash of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextRef {
    pub offset: u64,
    pub len: u32,
    pub hash: Fingerprint,
}

/// How much is appended before it is written out.
const BUFFER: usize = 1 << 20;
/// A file is written anew when its dead records exceed its live ones by this much.
const SLACK: u64 = 4 << 20;

pub struct Store {
    /// `None` when no file could be opened: then everything stays in `pending`.
    file: Option<File>,
    path: Option<PathBuf>,
    id: u128,
    /// The file's length; `pending` comes after it.
    written: u64,
    pending: Vec<u8>,
    /// A write failed: what is not written yet stays in memory.
    failed: bool,
}

/// `codec::header`, with the store's identity before the newline.
fn header(id: u128) -> String {
    let kind = crate::cache::codec::header("search text");
    format!("{} {id:032x}\n", kind.trim_end())
}

fn new_id() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    FingerprintBuilder::new()
        .u64(u64::from(std::process::id()))
        .u64(now)
        .u64(COUNTER.fetch_add(1, Ordering::Relaxed))
        .finish()
        .0
}

impl Store {
    /// The store in `path`, kept if it is one this chapar wrote, else started anew; with no
    /// path, an unnamed temporary file. Never fails: without a file, text stays in memory.
    pub fn open(path: Option<&Path>) -> Store {
        let mut store = Store {
            file: None,
            path: path.map(Path::to_path_buf),
            id: new_id(),
            written: 0,
            pending: Vec::new(),
            failed: false,
        };
        let file = match path {
            Some(p) => std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(p),
            None => tempfile::tempfile(),
        };
        let Ok(mut file) = file else {
            return store;
        };
        let expected = header(0);
        // The identity is the header's last 32 characters, before the newline.
        let prefix = &expected.as_bytes()[..expected.len() - 33];
        let mut found = vec![0; expected.len()];
        if file.read_exact(&mut found).is_ok()
            && found.starts_with(prefix)
            && found.ends_with(b"\n")
            && let Some(id) = parse_id(&found)
        {
            store.id = id;
            store.written = file.metadata().map_or(0, |m| m.len());
            store.file = Some(file);
            return store;
        }
        let fresh = header(store.id);
        if file.set_len(0).is_ok() && file.write_all_at(fresh.as_bytes(), 0).is_ok() {
            store.written = fresh.len() as u64;
            store.file = Some(file);
        }
        store
    }

    /// The identity the documents file records.
    pub fn id(&self) -> u128 {
        self.id
    }

    /// Bytes in the store, dead or alive.
    pub fn size(&self) -> u64 {
        self.written + self.pending.len() as u64
    }

    pub fn append(&mut self, bytes: &[u8]) -> TextRef {
        let at = TextRef {
            offset: self.size(),
            len: bytes.len() as u32,
            hash: Fingerprint::of_bytes(bytes),
        };
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= BUFFER {
            self.flush();
        }
        at
    }

    /// Writes what was appended; after a failure it stays in memory (still readable).
    pub fn flush(&mut self) {
        let Some(file) = self.file.as_ref().filter(|_| !self.failed) else {
            return;
        };
        if self.pending.is_empty() {
            return;
        }
        if file.write_all_at(&self.pending, self.written).is_ok() {
            self.written += self.pending.len() as u64;
            self.pending.clear();
        } else {
            self.failed = true;
        }
    }

    /// The record's bytes, if they are still what was appended.
    pub fn read(&self, at: TextRef) -> Option<Vec<u8>> {
        let len = at.len as usize;
        let bytes = if at.offset >= self.written {
            let start = usize::try_from(at.offset - self.written).ok()?;
            self.pending.get(start..start.checked_add(len)?)?.to_vec()
        } else {
            let mut bytes = vec![0; len];
            self.file
                .as_ref()?
                .read_exact_at(&mut bytes, at.offset)
                .ok()?;
            bytes
        };
        (Fingerprint::of_bytes(&bytes) == at.hash).then_some(bytes)
    }

    /// Writes the records of `refs` into a new file (with a new identity) when the store is
    /// mostly dead records, and points `refs` at their new places. On failure the store
    /// stays as it was.
    pub fn compact(&mut self, refs: &mut [&mut TextRef]) {
        let live: u64 = refs.iter().map(|r| u64::from(r.len)).sum();
        let Some(path) = self.path.clone() else {
            return;
        };
        if self.size() <= live.saturating_mul(2) + SLACK || self.failed {
            return;
        }
        self.flush();
        let id = new_id();
        let aside = path.with_extension("search-text-new");
        let write = || -> std::io::Result<(File, Vec<u64>)> {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(&aside)?;
            let mut writer = std::io::BufWriter::new(&file);
            let head = header(id);
            writer.write_all(head.as_bytes())?;
            let mut at = head.len() as u64;
            let mut offsets = Vec::with_capacity(refs.len());
            for r in refs.iter() {
                let bytes = self
                    .read(**r)
                    .ok_or_else(|| std::io::Error::other("a record is damaged"))?;
                writer.write_all(&bytes)?;
                offsets.push(at);
                at += bytes.len() as u64;
            }
            writer.flush()?;
            drop(writer);
            std::fs::rename(&aside, &path)?;
            Ok((file, offsets))
        };
        match write() {
            Ok((file, offsets)) => {
                for (r, offset) in refs.iter_mut().zip(offsets) {
                    r.offset = offset;
                }
                self.written = file.metadata().map_or(0, |m| m.len());
                self.file = Some(file);
                self.id = id;
            }
            Err(_) => {
                let _ = std::fs::remove_file(&aside);
            }
        }
    }
}

fn parse_id(header: &[u8]) -> Option<u128> {
    let hex = header.get(header.len().checked_sub(33)?..header.len() - 1)?;
    u128::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_from_memory_and_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.search-text");
        let mut store = Store::open(Some(&path));
        let a = store.append("یک".as_bytes());
        assert_eq!(
            store.read(a).unwrap(),
            "یک".as_bytes(),
            "before it is written"
        );
        store.flush();
        let b = store.append(b"two");
        store.flush();
        let id = store.id();
        drop(store);

        let store = Store::open(Some(&path));
        assert_eq!(store.id(), id, "the same store");
        assert_eq!(store.read(a).unwrap(), "یک".as_bytes());
        assert_eq!(store.read(b).unwrap(), b"two");
        let wrong = TextRef {
            offset: a.offset + 1,
            ..a
        };
        assert_eq!(store.read(wrong), None, "checked against the hash");
        let past = TextRef {
            offset: 1 << 40,
            ..a
        };
        assert_eq!(store.read(past), None);
    }

    #[test]
    fn a_foreign_file_is_started_anew() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        std::fs::write(
            &path,
            "something else entirely, long enough to look like a header, and then more text\n",
        )
        .unwrap();
        let mut store = Store::open(Some(&path));
        let a = store.append(b"x");
        store.flush();
        assert_eq!(store.read(a).unwrap(), b"x");
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .starts_with(crate::cache::codec::header("search text").trim_end())
        );
    }

    #[test]
    fn compacting_keeps_the_live_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let mut store = Store::open(Some(&path));
        let big = vec![7u8; (SLACK / 2) as usize];
        for _ in 0..3 {
            store.append(&big);
        }
        let mut live = store.append(b"live");
        let old_id = store.id();
        store.compact(&mut [&mut live]);
        assert_ne!(store.id(), old_id);
        assert_eq!(store.read(live).unwrap(), b"live");
        assert!(std::fs::metadata(&path).unwrap().len() < 200);
        let reopened = Store::open(Some(&path));
        assert_eq!(reopened.id(), store.id());
        assert_eq!(reopened.read(live).unwrap(), b"live");
    }

    #[test]
    fn without_a_file_text_stays_in_memory() {
        let mut store = Store::open(Some(Path::new("/nonexistent/folder/store")));
        let a = store.append(b"kept");
        store.flush();
        assert_eq!(store.read(a).unwrap(), b"kept");
    }
}
