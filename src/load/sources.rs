//! What a load learned from each release file, kept for the next load: an unchanged file is
//! neither read nor parsed again. "Unchanged" is decided as `make` and git do, by size and
//! modification time; a file modified around the time of the previous load is read and
//! compared by its bytes instead, because a second edit within one clock tick keeps the time.

use std::io::{self, Write};
use std::ops::Range;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Article, Parsing};
use crate::model::diagnostic::Diagnostic;
use crate::model::fast_hash::FastMap;
use crate::model::fingerprint::Fingerprint;

/// Files modified less than this before a load began are checked by their bytes next time.
const RACY_WINDOW_NANOS: i128 = 2_000_000_000;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Sources {
    /// The parse settings the records were made with; under other settings none is valid.
    settings: Option<Fingerprint>,
    /// When the load that made these records began, in nanoseconds since 1970.
    started: i128,
    /// Saved apart from the rest, each record as its own bytes (`write_records`).
    #[serde(skip)]
    files: FastMap<PathBuf, Record>,
}

/// A file's size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    modified: i128,
}

impl Stamp {
    /// `None` when the file cannot be examined (it is then read, and the error reported).
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: meta.len(),
            modified: nanos(meta.modified().ok()?),
        })
    }
}

fn nanos(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// What one file gave: an article or the errors that kept it out, and its warnings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    stamp: Option<Stamp>,
    /// Of the settings and the bytes; `None` when the file could not be read.
    fingerprint: Option<Fingerprint>,
    pub article: Option<Arc<Article>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether this load parsed the file (rather than taking the record from the last one).
    #[serde(skip)]
    pub parsed_now: bool,
    /// Whether this load read the file and found its bytes unchanged under a new time.
    #[serde(skip)]
    pub restamped: bool,
    /// The bytes this record was read from, written back as they are: most records of a
    /// build are the last build's, and encoding them all again was a tenth of a one-edit
    /// build. Records are never changed in place, only replaced (`parsed`, `restamped`),
    /// so the bytes cannot go stale.
    #[serde(skip)]
    encoded: Option<Encoded>,
}

/// Read frames side by side, not written yet: the file they are in, where they begin and end
/// in it, and where they will begin in the file written.
struct Run<'a> {
    file: &'a Arc<Vec<u8>>,
    range: Range<usize>,
    at: u64,
}

/// A part of the state file's bytes: a record, and where its frame (the path and the record,
/// each after its length) begins.
#[derive(Clone)]
struct Encoded {
    file: Arc<Vec<u8>>,
    frame_start: usize,
    range: Range<usize>,
}

impl std::fmt::Debug for Encoded {
    /// The place only: the whole file, once per record, is no use in a debug print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Encoded({:?})", self.range)
    }
}

impl Record {
    pub fn failed(stamp: Option<Stamp>, problem: Diagnostic) -> Record {
        Record {
            stamp,
            fingerprint: None,
            article: None,
            diagnostics: vec![problem],
            parsed_now: true,
            restamped: false,
            encoded: None,
        }
    }

    pub fn parsed(
        stamp: Option<Stamp>,
        fingerprint: Fingerprint,
        article: Option<Arc<Article>>,
        diagnostics: Vec<Diagnostic>,
    ) -> Record {
        Record {
            stamp,
            fingerprint: Some(fingerprint),
            article,
            diagnostics,
            parsed_now: true,
            restamped: false,
            encoded: None,
        }
    }

    /// The same record under `stamp`, for a file whose bytes are unchanged.
    pub fn restamped(&self, stamp: Option<Stamp>) -> Record {
        let restamped = stamp != self.stamp;
        Record {
            restamped,
            stamp,
            parsed_now: false,
            encoded: if restamped {
                None
            } else {
                self.encoded.clone()
            },
            ..self.clone()
        }
    }
}

impl Sources {
    /// Empty records for a load of `files` files with these settings, starting now.
    pub fn starting(parsing: &Parsing, files: usize) -> Sources {
        Sources {
            settings: Some(parsing.settings),
            started: nanos(SystemTime::now()),
            files: FastMap::with_capacity_and_hasher(files, Default::default()),
        }
    }

    /// These records, if they were made with the same settings.
    pub fn usable_for(&self, parsing: &Parsing) -> Option<&Sources> {
        (self.settings == Some(parsing.settings)).then_some(self)
    }

    /// The articles of every file, sorted by source path (as `load` lists them).
    pub fn articles(&self) -> Vec<Arc<Article>> {
        let mut articles: Vec<Arc<Article>> = self
            .files
            .values()
            .filter_map(|r| r.article.clone())
            .collect();
        articles.sort_by(|a, b| a.source.cmp(&b.source));
        articles
    }

    pub fn get(&self, shown: &Path) -> Option<&Record> {
        self.files.get(shown)
    }

    pub fn insert(&mut self, shown: PathBuf, record: Record) {
        self.files.insert(shown, record);
    }

    /// The record of `shown` if the file at `path` has the size and time it had, and that
    /// time is safely before the load that recorded it.
    pub fn unchanged(&self, shown: &Path, path: &Path) -> Option<Record> {
        let record = self.files.get(shown)?;
        let recorded = record.stamp?;
        record.fingerprint?;
        let racy = recorded.modified > self.started - RACY_WINDOW_NANOS;
        (!racy && Stamp::of(path) == Some(recorded)).then(|| record.restamped(Some(recorded)))
    }

    /// The record of `shown`, for a caller that knows the file is unchanged (`serve`, told by
    /// its watcher).
    pub fn recorded(&self, shown: &Path) -> Option<Record> {
        let record = self.files.get(shown)?;
        record.fingerprint?;
        Some(record.restamped(record.stamp))
    }

    /// Takes the records `other` read (`read_records`).
    pub fn take_records(&mut self, other: Sources) {
        self.files = other.files;
    }

    /// Whether a record's frame lies in `file` under the record's current path: a build that
    /// appends to that file leaves it where it is.
    fn in_place(path: &Path, record: &Record, file: &Arc<Vec<u8>>) -> bool {
        record.encoded.as_ref().is_some_and(|e| {
            Arc::ptr_eq(&e.file, file)
                && e.file[e.frame_start + 8..e.range.start - 8] == *path.as_os_str().as_bytes()
        })
    }

    /// How many records have their frame in `file` (see `in_place`), how many bytes those
    /// frames take, and how many records do not: what `write_records` would leave in place
    /// and what it would write.
    pub fn frames_in(&self, file: &Arc<Vec<u8>>) -> (usize, u64, usize) {
        let (mut held, mut bytes) = (0, 0);
        for (path, record) in &self.files {
            if Self::in_place(path, record, file)
                && let Some(e) = &record.encoded
            {
                held += 1;
                bytes += (e.range.end - e.frame_start) as u64;
            }
        }
        (held, bytes, self.files.len() - held)
    }

    /// Writes the records as frames (the path, then the record, each after its length as a
    /// little-endian u64) at offset `at` of a file, and returns where every record's frame
    /// is, ascending, and where the frames end. With `appending_to`, the records whose frame
    /// that file holds already (`in_place`) are not written again. Records read from a state file are written as the
    /// bytes they were read from, in the order they were read: the frames of unchanged
    /// records lie side by side there, and each run of them is written at once.
    pub fn write_records(
        &self,
        w: &mut impl Write,
        at: u64,
        appending_to: Option<&Arc<Vec<u8>>>,
    ) -> io::Result<(Vec<u64>, u64)> {
        let mut offsets = Vec::with_capacity(self.files.len());
        let mut records: Vec<(&PathBuf, &Record)> = self.files.iter().collect();
        if let Some(file) = appending_to {
            records.retain(|(path, record)| {
                let held = Self::in_place(path, record, file);
                if held && let Some(e) = &record.encoded {
                    offsets.push(e.frame_start as u64);
                }
                !held
            });
        }
        records.sort_unstable_by_key(|(path, r)| {
            (
                r.encoded.as_ref().map_or(usize::MAX, |e| e.frame_start),
                *path,
            )
        });
        // Where the next byte goes.
        let mut written = at;
        let put = |w: &mut dyn Write, written: &mut u64, bytes: &[u8]| -> io::Result<()> {
            w.write_all(&(bytes.len() as u64).to_le_bytes())?;
            w.write_all(bytes)?;
            *written += 8 + bytes.len() as u64;
            Ok(())
        };
        let mut run: Option<Run> = None;
        let flush = |w: &mut dyn Write, written: &mut u64, run: &mut Option<Run>| {
            if let Some(Run { file, range, .. }) = run.take() {
                w.write_all(&file[range.clone()])?;
                *written += range.len() as u64;
            }
            io::Result::Ok(())
        };
        // Encoded in parallel, a part at a time, so that a full build of a large site does
        // not hold every record's bytes at once.
        for part in records.chunks(4096) {
            let fresh: Vec<Option<Vec<u8>>> = part
                .par_iter()
                .map(|(_, r)| match r.encoded {
                    Some(_) => Ok(None),
                    None => postcard::to_stdvec(r).map(Some),
                })
                .collect::<Result<_, _>>()
                .map_err(io::Error::other)?;
            for ((path, record), fresh) in part.iter().zip(fresh) {
                let path = path.as_os_str().as_bytes();
                match (fresh, &record.encoded) {
                    // A frame holds the path it was read under: copied whole only if that
                    // is still the record's path.
                    (None, Some(e)) if e.file[e.frame_start + 8..e.range.start - 8] != *path => {
                        flush(w, &mut written, &mut run)?;
                        offsets.push(written);
                        put(w, &mut written, path)?;
                        put(w, &mut written, &e.file[e.range.clone()])?;
                    }
                    (None, Some(e)) => {
                        match &mut run {
                            Some(run)
                                if Arc::ptr_eq(run.file, &e.file)
                                    && run.range.end == e.frame_start =>
                            {
                                run.range.end = e.range.end;
                            }
                            _ => {
                                flush(w, &mut written, &mut run)?;
                                run = Some(Run {
                                    file: &e.file,
                                    range: e.frame_start..e.range.end,
                                    at: written,
                                });
                            }
                        }
                        // Where this frame will be once its run is written.
                        if let Some(run) = &run {
                            offsets.push(run.at + (e.frame_start - run.range.start) as u64);
                        }
                    }
                    (Some(bytes), _) => {
                        flush(w, &mut written, &mut run)?;
                        offsets.push(written);
                        put(w, &mut written, path)?;
                        put(w, &mut written, &bytes)?;
                    }
                    (None, None) => unreachable!("a record without bytes is encoded above"),
                }
            }
        }
        flush(w, &mut written, &mut run)?;
        offsets.sort_unstable();
        Ok((offsets, written))
    }

    /// Sources holding the records whose frames begin at `offsets` in `file`, each within
    /// `frames` (the part of the file that holds frames), read in parallel; `None` if they are
    /// damaged.
    pub fn read_records(
        file: &Arc<Vec<u8>>,
        frames: Range<usize>,
        offsets: &[u64],
    ) -> Option<Sources> {
        let region = file.get(frames.clone())?;
        // The path's and the record's places, checked to lie within `frames`.
        let frame = |offset: u64| -> Option<(usize, Range<usize>, Range<usize>)> {
            let start = usize::try_from(offset).ok()?;
            let mut at = start.checked_sub(frames.start)?;
            let mut take = || -> Option<Range<usize>> {
                let len = region.get(at..at.checked_add(8)?)?;
                let len = usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()?;
                let begin = at + 8;
                let end = begin.checked_add(len)?;
                region.get(begin..end)?;
                at = end;
                Some(frames.start + begin..frames.start + end)
            };
            let path = take()?;
            let record = take()?;
            Some((start, path, record))
        };
        let records: Vec<(PathBuf, Record)> = offsets
            .par_iter()
            .map(|&offset| {
                let (frame_start, path, range) = frame(offset)?;
                let path = PathBuf::from(std::ffi::OsStr::from_bytes(&file[path]));
                // To its last byte: postcard stops where a value ends.
                let mut record: Record = match postcard::take_from_bytes(&file[range.clone()]) {
                    Ok((record, [])) => record,
                    _ => return None,
                };
                record.encoded = Some(Encoded {
                    file: Arc::clone(file),
                    frame_start,
                    range,
                });
                Some((path, record))
            })
            .collect::<Option<_>>()?;
        let count = records.len();
        let files: FastMap<PathBuf, Record> = records.into_iter().collect();
        // Two frames of one path: not a file `write_records` wrote.
        (files.len() == count).then(|| Sources {
            files,
            ..Sources::default()
        })
    }

    /// The record of `shown` if it was made from bytes with this fingerprint.
    pub fn same_bytes(&self, shown: &Path, fingerprint: Fingerprint) -> Option<&Record> {
        self.files
            .get(shown)
            .filter(|r| r.fingerprint == Some(fingerprint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: u64) -> Record {
        let stamp = Stamp {
            len: n,
            modified: i128::from(n) * 1_000,
        };
        let warning = Diagnostic::warning(format!("content/{n}.md"), format!("warning {n}"));
        Record::parsed(Some(stamp), Fingerprint(n.into()), None, vec![warning])
    }

    fn sources(records: impl IntoIterator<Item = (&'static str, Record)>) -> Sources {
        Sources {
            files: records
                .into_iter()
                .map(|(p, r)| (PathBuf::from(p), r))
                .collect(),
            ..Sources::default()
        }
    }

    /// What `write_records` writes after `before` bytes of something else, and what
    /// `read_records` reads back from that file.
    fn round_trip(sources: &Sources, before: usize) -> (Arc<Vec<u8>>, Option<Sources>) {
        let (file, offsets) = written(sources, before);
        let read = Sources::read_records(&file, before..file.len(), &offsets);
        (file, read)
    }

    /// The file `write_records` writes after `before` bytes, and where its frames are.
    fn written(sources: &Sources, before: usize) -> (Arc<Vec<u8>>, Vec<u64>) {
        let mut file = vec![7u8; before];
        let (offsets, end) = sources
            .write_records(&mut file, before as u64, None)
            .unwrap();
        assert_eq!(end, file.len() as u64);
        (Arc::new(file), offsets)
    }

    fn summary(sources: &Sources) -> Vec<(PathBuf, Option<Stamp>, Option<Fingerprint>, String)> {
        let mut all: Vec<_> = sources
            .files
            .iter()
            .map(|(p, r)| {
                let messages: Vec<&str> =
                    r.diagnostics.iter().map(|d| d.message.as_str()).collect();
                (p.clone(), r.stamp, r.fingerprint, messages.join("|"))
            })
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    #[test]
    fn records_read_back_as_they_were_written() {
        let written = sources([("content/a.md", record(1)), ("content/ب.md", record(2))]);
        let (_, read) = round_trip(&written, 13);
        let read = read.expect("the records read back");
        assert_eq!(summary(&read), summary(&written));
        assert!(read.files.values().all(|r| r.encoded.is_some()));
        let (_, empty) = round_trip(&Sources::default(), 0);
        assert!(empty.unwrap().files.is_empty());
    }

    #[test]
    fn a_record_read_back_is_written_as_its_bytes_and_a_restamped_one_anew() {
        let (file, read) = round_trip(&sources([("content/a.md", record(1))]), 0);
        let mut read = read.unwrap();
        // The bytes kept are the ones written: writing again gives the same file.
        let (again, _) = round_trip(&read, 0);
        assert_eq!(again, file);
        // A record made again from a read one under a new stamp does not take its bytes.
        let path = PathBuf::from("content/a.md");
        let new_stamp = Some(Stamp {
            len: 5,
            modified: 99,
        });
        let original = read.files[&path].clone();
        let kept = original.restamped(original.stamp);
        assert!(
            !kept.restamped && kept.encoded.is_some(),
            "same stamp, same bytes"
        );
        let restamped = original.restamped(new_stamp);
        assert!(restamped.restamped);
        read.files.insert(path.clone(), restamped);
        let (_, after) = round_trip(&read, 0);
        assert_eq!(after.unwrap().files[&path].stamp, new_stamp);
    }

    #[test]
    fn runs_of_read_records_are_written_back_whole_around_new_ones() {
        let names = [
            "content/a.md",
            "content/b.md",
            "content/c.md",
            "content/d.md",
        ];
        let first = sources(names.iter().zip(1..).map(|(n, i)| (*n, record(i))));
        let (file, read) = round_trip(&first, 5);
        let mut read = read.unwrap();
        // Unchanged, the records are written in the order they were read: the same bytes.
        let (again, _) = round_trip(&read, 5);
        assert_eq!(again[5..], file[5..]);
        // One record in the middle made anew and one file added: the runs before and after
        // them are copied, the new ones encoded, and all of them read back.
        let b = PathBuf::from("content/b.md");
        let changed = read.files[&b].restamped(Some(Stamp {
            len: 40,
            modified: 41,
        }));
        read.files.insert(b.clone(), changed);
        read.files.insert(PathBuf::from("content/e.md"), record(5));
        let (_, after) = round_trip(&read, 5);
        let after = after.expect("the records read back");
        assert_eq!(summary(&after), summary(&read));
        assert_eq!(after.files[&b].stamp.map(|s| s.len), Some(40));
    }

    /// The length of each `write` call, for a test of how bytes are written.
    #[derive(Default)]
    struct Writes(Vec<usize>);

    impl Write for Writes {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.push(bytes.len());
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn unchanged_records_go_out_in_one_write_and_frames_of_other_files_or_paths_apart() {
        let names = ["content/a.md", "content/b.md", "content/c.md"];
        let (_, read) = round_trip(
            &sources(names.iter().zip(1..).map(|(n, i)| (*n, record(i)))),
            0,
        );
        let read = read.unwrap();
        let mut writes = Writes::default();
        read.write_records(&mut writes, 0, None).unwrap();
        // The three frames at once.
        assert_eq!(writes.0.len(), 1, "{:?}", writes.0);
        // Records of two files read alike sit at the same places in each: the frame after
        // one file's first record is not the other file's second.
        let (_, other) = round_trip(
            &sources([("content/a.md", record(1)), ("content/x.md", record(9))]),
            0,
        );
        let mut mixed = other.unwrap();
        mixed.files.insert(
            PathBuf::from("content/b.md"),
            read.files[Path::new("content/b.md")].clone(),
        );
        let (_, back) = round_trip(&mixed, 0);
        assert_eq!(summary(&back.unwrap()), summary(&mixed));
        // A record kept under another path is written under that path.
        let mut moved = read.clone();
        let record = moved.files.remove(Path::new("content/c.md")).unwrap();
        moved.files.insert(PathBuf::from("content/z.md"), record);
        let (_, back) = round_trip(&moved, 0);
        assert_eq!(summary(&back.unwrap()), summary(&moved));
    }

    #[test]
    fn damaged_records_are_not_read() {
        let (file, offsets) = written(&sources([("content/a.md", record(1))]), 0);
        let read = |file: &Arc<Vec<u8>>, frames: Range<usize>, offsets: &[u64]| {
            Sources::read_records(file, frames, offsets).is_some()
        };
        assert!(read(&file, 0..file.len(), &offsets));
        for cut in [0, 1, 8, 12, file.len() - 1] {
            let short = Arc::new(file[..cut].to_vec());
            assert!(!read(&short, 0..cut, &offsets), "cut at {cut}");
            assert!(!read(&file, 0..cut, &offsets), "frames cut at {cut}");
        }
        assert!(!read(&file, 0..file.len() + 1, &offsets));
        assert!(
            !read(&file, 0..file.len(), &[1]),
            "not where a frame begins"
        );
        assert!(!read(&file, 0..file.len(), &[u64::MAX]));
        assert!(!read(&file, 0..file.len(), &[0, 0]), "one frame twice");
        let mut huge_length = file.to_vec();
        huge_length[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(!read(&Arc::new(huge_length), 0..file.len(), &offsets));
    }

    #[test]
    fn appending_writes_only_the_records_not_in_the_file_and_reads_back_the_live_ones() {
        let names = [
            "content/a.md",
            "content/b.md",
            "content/c.md",
            "content/k.md",
        ];
        let (file, offsets) = written(
            &sources(names.iter().zip(1..).map(|(n, i)| (*n, record(i)))),
            5,
        );
        let mut read = Sources::read_records(&file, 5..file.len(), &offsets).unwrap();
        // Nothing changed: nothing written, every frame where it was.
        let mut nothing = Vec::new();
        let (same, _) = read
            .write_records(&mut nothing, file.len() as u64, Some(&file))
            .unwrap();
        assert!(nothing.is_empty());
        assert_eq!(same, offsets);
        assert_eq!(read.frames_in(&file).0, 4);
        // One record made anew, one moved to another path, one deleted and one added: the
        // three of them are appended, `k` stays where it was, and the deleted one's frame is
        // left behind, unread.
        let b = PathBuf::from("content/b.md");
        let changed = read.files[&b].restamped(Some(Stamp {
            len: 40,
            modified: 41,
        }));
        read.files.insert(b.clone(), changed);
        let moved = read.files.remove(Path::new("content/c.md")).unwrap();
        read.files.insert(PathBuf::from("content/z.md"), moved);
        read.files.remove(Path::new("content/a.md"));
        read.files.insert(PathBuf::from("content/d.md"), record(4));
        let k = &read.files[Path::new("content/k.md")];
        let k_frame = k
            .encoded
            .as_ref()
            .map(|e| (e.range.end - e.frame_start) as u64);
        assert_eq!(read.frames_in(&file), (1, k_frame.unwrap(), 3));
        let mut grown = file.to_vec();
        let (live, end) = read
            .write_records(&mut grown, file.len() as u64, Some(&file))
            .unwrap();
        assert_eq!(end, grown.len() as u64);
        assert_eq!(
            grown[..file.len()],
            file[..],
            "the frames written are not touched"
        );
        assert_eq!(live.len(), 4);
        let kept: Vec<&u64> = live.iter().filter(|&&o| o < file.len() as u64).collect();
        assert_eq!(kept.len(), 1, "k's frame, where it was");
        let grown = Arc::new(grown);
        let back = Sources::read_records(&grown, 5..grown.len(), &live).unwrap();
        assert_eq!(summary(&back), summary(&read));
        // Read from the grown file, every record stays in place on the next append.
        let live_bytes = (grown.len() - file.len()) as u64 + k_frame.unwrap();
        assert_eq!(back.frames_in(&grown), (4, live_bytes, 0));
    }
}
