//! What one build leaves for the next: each stage's cache slot in one value, and the file
//! `build` keeps it in (`cache::codec` frames and checks it).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use crate::cache::{LastBuild, codec};
use crate::emit::{self, search};
use crate::load::{Bodies, Sources};
use crate::model::fast_hash::FastMap;
use crate::model::fingerprint::Fingerprint;
use crate::write::trash::Trash;
use crate::write::{Outputs, marker_identity};

/// What one build leaves for the next. `build` keeps it in a file beside the output folder;
/// `serve` keeps it in memory, with the bodies.
#[derive(Default, Serialize, Deserialize)]
pub struct BuildState {
    /// What each release file gave.
    pub(super) sources: Sources,
    /// What each file in the output folder was made from.
    pub(super) outputs: Outputs,
    /// The output folder's marker file (device, inode) when `outputs` was recorded: a folder
    /// deleted, restored or replaced since makes the record void.
    pub(super) marker: Option<(u64, u64)>,
    /// The related articles of each article, and the site shape they were worked out for.
    pub(super) related: Option<(Fingerprint, Vec<Vec<usize>>)>,
    /// The author and tag listings, and the addresses they were grouped from.
    pub(super) groups: Option<crate::model::site::Groups>,
    /// The fingerprint of each article's listing summary, by article fingerprint.
    pub(super) summaries: FastMap<Fingerprint, Fingerprint>,
    /// What the search index needs from earlier builds.
    pub(super) search: search::IndexState,
    /// Where the records of the last `data/articles.json` are.
    pub(super) open_data: emit::open_data::RecordSpans,
    #[serde(skip)]
    pub(super) bodies: Bodies,
    /// The last build's site, kept when the state stays in memory (`serve`).
    #[serde(skip)]
    pub(super) last: Option<LastBuild>,
    /// How many bytes the rest of the state took in the file it was read from: room to
    /// encode it again in one buffer of about that size.
    #[serde(skip)]
    encoded_len: usize,
    /// The file the state was read from: the next write appends the records that changed
    /// after its frames.
    #[serde(skip)]
    read_from: Option<ReadFrom>,
}

/// A state file as it was read: its bytes, where its records' frames end, and which file it
/// is (device and inode), so that nothing but that file is appended to.
struct ReadFrom {
    bytes: Arc<Vec<u8>>,
    records_end: usize,
    identity: (u64, u64),
}

/// What the state file's header calls it (`cache::codec::header`).
const STATE_KIND: &str = "build state";

impl BuildState {
    /// The state file of a build into `out_dir`: `.public.state` beside `public/`.
    pub fn path(out_dir: &Path) -> PathBuf {
        crate::write::beside(out_dir, "state")
    }

    /// The state a previous build left, or an empty one (a clean build).
    pub fn read(path: &Path) -> BuildState {
        let read = || -> std::io::Result<(Vec<u8>, (u64, u64))> {
            use std::io::Read;
            use std::os::unix::fs::MetadataExt;
            let mut file = std::fs::File::open(path)?;
            let meta = file.metadata()?;
            let mut bytes = Vec::with_capacity(meta.len() as usize);
            file.read_to_end(&mut bytes)?;
            Ok((bytes, (meta.dev(), meta.ino())))
        };
        let Ok((bytes, identity)) = read() else {
            return BuildState::default();
        };
        Self::decode(Arc::new(bytes), identity).unwrap_or_default()
    }

    /// `identity` is the file's device and inode. The file is the header line, the release
    /// files' records as frames (`Sources::write_records`), the rest of the state, where the
    /// live frames begin, and an end: where the frames end, the lengths of the two parts
    /// before it (little-endian u64s), the checksum (xxh3) of everything before the end, and
    /// `codec::END`. The records and the rest are decoded side by side, and the checksum is
    /// taken beside them.
    ///
    /// A build that changes few records appends them to the frames in place, and the rest
    /// after them: frames are never moved or changed, only left behind, so the file is
    /// written whole again once those left behind would outweigh the live ones. Written in
    /// place without a rename, a file cut short or holding zeros where the disk lost what was
    /// written (a power cut) fails its checksum.
    fn decode(file: Arc<Vec<u8>>, identity: (u64, u64)) -> Option<BuildState> {
        let header = codec::header(STATE_KIND);
        file.strip_prefix(header.as_bytes())?;
        let body_len = file.len().checked_sub(codec::END_LEN)?;
        let (body, end) = file.split_at(body_len);
        let number = |i: usize| -> Option<u64> {
            Some(u64::from_le_bytes(end[i * 8..i * 8 + 8].try_into().ok()?))
        };
        if &end[32..] != codec::END {
            return None;
        }
        let size = |i: usize| number(i).and_then(|n| usize::try_from(n).ok());
        let (records_end, main_len, index_len) = (size(0)?, size(1)?, size(2)?);
        let main_end = records_end.checked_add(main_len)?;
        if records_end < header.len() || main_end.checked_add(index_len)? != body.len() {
            return None;
        }
        let offsets: Vec<u64> = codec::whole(&body[main_end..])?;
        let ((state, records), sound) = rayon::join(
            || {
                rayon::join(
                    || codec::whole::<BuildState>(&body[records_end..main_end]),
                    || Sources::read_records(&file, header.len()..records_end, &offsets),
                )
            },
            || Some(xxh3_64(body)) == number(3),
        );
        let mut state = state.filter(|_| sound)?;
        state.sources.take_records(records?);
        state.encoded_len = main_len;
        state.read_from = Some(ReadFrom {
            bytes: file,
            records_end,
            identity,
        });
        Some(state)
    }

    /// Makes the state file unreadable while the output folder changes, so that a build
    /// killed in between leaves no record that could mislead the next one: its end is cut
    /// off, and the frames before it are kept for `write` to append to. (A file that is not
    /// the one read goes to `trash`.)
    pub fn invalidate(&self, path: &Path, trash: &Trash) -> std::io::Result<()> {
        if let Some(read_from) = &self.read_from
            && let Some(file) = read_from.same_file(path)
            && file.set_len(read_from.records_end as u64).is_ok()
        {
            return Ok(());
        }
        trash.discard(path)
    }

    /// Saves the state: appended to the file it was read from when most of that file's
    /// records are still live, written whole otherwise (aside, then renamed in; the file it
    /// replaces is freed by `trash`). An appending write cuts the old end off first, so the
    /// file reads as no state at all until it is whole: a build killed then is followed by a
    /// full one.
    pub fn write(&mut self, path: &Path, trash: &Trash) -> Result<()> {
        use std::io::Write;
        let header = codec::header(STATE_KIND);
        let read_from = self.read_from.take();
        let appending = read_from.and_then(|read_from| {
            let (held, held_bytes, fresh) = self.sources.frames_in(&read_from.bytes);
            // The frames this write adds, reckoned at the size of those it keeps.
            let adding = (fresh as u64).saturating_mul(held_bytes / held.max(1) as u64);
            let total = (read_from.records_end - header.len()) as u64 + adding;
            let worth_it = held > 0 && total <= 2 * (held_bytes + adding);
            let file = read_from.same_file(path).filter(|_| worth_it)?;
            Some((file, read_from))
        });
        let aside = path.with_extension("state-new");
        let (file, appending_to) = match appending {
            Some((file, read_from)) => {
                use std::io::Seek;
                let at = read_from.records_end as u64;
                let mut file = file;
                file.set_len(at)
                    .and_then(|()| file.seek(std::io::SeekFrom::Start(at)))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                (file, Some(read_from))
            }
            None => {
                let file = std::fs::File::create(&aside)
                    .with_context(|| format!("cannot write {}", aside.display()))?;
                (file, None)
            }
        };
        let mut writer = codec::Checksummed {
            inner: std::io::BufWriter::with_capacity(1 << 16, file),
            hash: xxhash_rust::xxh3::Xxh3::new(),
        };
        let written = (|| -> std::io::Result<()> {
            let (at, kept) = match &appending_to {
                Some(read_from) => {
                    // The bytes kept count in the checksum as they were read.
                    writer
                        .hash
                        .update(&read_from.bytes[..read_from.records_end]);
                    (read_from.records_end as u64, Some(&read_from.bytes))
                }
                None => {
                    writer.write_all(header.as_bytes())?;
                    (header.len() as u64, None)
                }
            };
            let (offsets, records_end) = self.sources.write_records(&mut writer, at, kept)?;
            let room = Vec::with_capacity(self.encoded_len + self.encoded_len / 8);
            let main = postcard::to_extend(&*self, room).map_err(std::io::Error::other)?;
            let index = postcard::to_stdvec(&offsets).map_err(std::io::Error::other)?;
            writer.write_all(&main)?;
            writer.write_all(&index)?;
            let checksum = writer.hash.digest();
            let mut end = Vec::with_capacity(codec::END_LEN);
            for n in [records_end, main.len() as u64, index.len() as u64, checksum] {
                end.extend_from_slice(&n.to_le_bytes());
            }
            end.extend_from_slice(codec::END);
            writer.inner.write_all(&end)?;
            writer.inner.into_inner().map_err(|e| e.into_error())?;
            Ok(())
        })();
        match appending_to {
            Some(_) => written.with_context(|| format!("cannot write {}", path.display())),
            None => {
                written.with_context(|| format!("cannot write {}", aside.display()))?;
                trash
                    .replace(&aside, path)
                    .with_context(|| format!("cannot write {}", path.display()))
            }
        }
    }

    /// The record of the output folder's files, if it still describes `out_dir`.
    pub(super) fn outputs_for(&mut self, out_dir: &Path) -> Outputs {
        let outputs = std::mem::take(&mut self.outputs);
        if self.marker.is_some() && marker_identity(out_dir) == self.marker {
            outputs
        } else {
            Outputs::default()
        }
    }
}

impl ReadFrom {
    /// The state file at `path`, open for writing, if it is this one, unchanged since or cut
    /// to its frames.
    fn same_file(&self, path: &Path) -> Option<std::fs::File> {
        use std::os::unix::fs::MetadataExt;
        let file = std::fs::OpenOptions::new().write(true).open(path).ok()?;
        let meta = file.metadata().ok()?;
        let len = meta.len();
        let same = (meta.dev(), meta.ino()) == self.identity
            && (len == self.bytes.len() as u64 || len == self.records_end as u64);
        same.then_some(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::pipeline::{BuildOptions, build};

    /// A copy of the basic test site with eight more releases, built, then built again after
    /// one of them was edited: its state file has frames left behind, and was appended to.
    fn appended_state() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        for entry in walkdir::WalkDir::new(&fixture) {
            let entry = entry.unwrap();
            let target = dir
                .path()
                .join(entry.path().strip_prefix(&fixture).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
        let release = |n: usize, text: &str| {
            let path = dir.path().join(format!("content/economy/s{n}.md"));
            let body = format!(
                "---\ntitle: خبر {n}\nauthor: الف\ndesk: economy\ndate: 1402-07-0{} 10:00\nid: {}\n---\n{text}\n",
                1 + n,
                3000 + n
            );
            std::fs::write(path, body).unwrap();
        };
        (0..8).for_each(|n| release(n, "متن."));
        let options = BuildOptions {
            root: dir.path().to_path_buf(),
            out_dir: None,
            include_drafts: false,
            base_url: None,
            now: Some("2026-11-30T12:00:00Z".parse().unwrap()),
            force: false,
            progress: None,
            defer_whole_site: false,
            changed: None,
        };
        assert!(build(&options).unwrap().succeeded);
        let path = BuildState::path(&options.out_dir());
        let first = std::fs::metadata(&path).unwrap();
        release(3, "متن دیگری.");
        assert!(build(&options).unwrap().succeeded);
        use std::os::unix::fs::MetadataExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().ino(),
            first.ino(),
            "appended"
        );
        (dir, path)
    }

    /// The saved layout is derived from the types, not trusted to a comment: serde's own
    /// description of what is saved (`serde_reflection` traces every field in order, every
    /// enum's variants, integer widths, options and tuples, whatever values a site has) is
    /// hashed and compared with the last entry of `codec::LAYOUTS`. A changed saved type fails
    /// here until `FORMAT_VERSION` goes up with a new entry, so a file of another layout is
    /// never read as this one.
    #[test]
    fn the_saved_layout_is_the_recorded_one() {
        use serde_reflection::{Samples, Tracer, TracerConfig};
        // Strings are traced with values the string types of the state accept: an owned
        // string is the JSON text of `extra`, a borrowed one a timestamp (paths and texts take
        // either).
        let config = TracerConfig::default()
            .default_string_value("{}".into())
            .default_borrowed_str_value("1970-01-01T00:00:00Z");
        let mut tracer = Tracer::new(config);
        let samples = Samples::new();
        let traced = (|| -> serde_reflection::Result<()> {
            tracer.trace_type::<BuildState>(&samples)?;
            // The release files' records, saved apart as frames of (path, record).
            tracer.trace_type::<(PathBuf, crate::load::Record)>(&samples)?;
            crate::emit::search::trace_saved_types(&mut tracer, &samples)?;
            // Enums met only inside lists: each traced on its own, to reach every variant.
            tracer.trace_simple_type::<crate::model::site::ListingKind>()?;
            tracer.trace_simple_type::<crate::model::diagnostic::Severity>()?;
            Ok(())
        })();
        traced.expect("the saved types trace");
        let registry = tracer.registry().expect(
            "every saved type traced whole (an enum named as missing variants is traced above \
             with trace_simple_type)",
        );
        let layout = xxh3_64(format!("{registry:?}").as_bytes());
        let (version, recorded) = *codec::LAYOUTS.last().unwrap();
        let next = codec::FORMAT_VERSION + 1;
        assert_eq!(
            (version, recorded),
            (codec::FORMAT_VERSION, layout),
            "the layout of the saved files changed (or FORMAT_VERSION and LAYOUTS disagree): \
             raise FORMAT_VERSION in src/cache/codec.rs to {next} and add `({next}, \
             {layout:#018x})` to LAYOUTS"
        );
        // Versions only go up, and no version ever named this layout before.
        assert!(codec::LAYOUTS.windows(2).all(|w| w[0].0 < w[1].0));
        let earlier = &codec::LAYOUTS[..codec::LAYOUTS.len() - 1];
        assert!(earlier.iter().all(|&(_, l)| l != layout));
    }

    #[test]
    fn an_appended_state_reads_back_and_no_part_of_it_alone_does() {
        let (_dir, path) = appended_state();
        let whole = std::fs::read(&path).unwrap();
        let state = BuildState::read(&path);
        let read_from = state.read_from.as_ref().expect("the state reads back");
        assert_eq!(
            state.sources.articles().len(),
            15,
            "the fixture's seven releases and eight"
        );
        // Cut anywhere, it is not a state.
        for cut in (0..whole.len()).step_by(7).chain([read_from.records_end]) {
            let part = Arc::new(whole[..cut].to_vec());
            assert!(
                BuildState::decode(part, (0, 0)).is_none(),
                "cut at {cut} of {}",
                whole.len()
            );
        }
        // Nor with zeros where the disk lost a block, or one byte changed.
        for start in (0..whole.len()).step_by(4096) {
            let mut lost = whole.clone();
            let end = (start + 4096).min(lost.len() - codec::END_LEN);
            if start >= end {
                continue;
            }
            lost[start..end].fill(0);
            if lost != whole {
                assert!(
                    BuildState::decode(Arc::new(lost), (0, 0)).is_none(),
                    "zeros at {start}"
                );
            }
        }
        let mut flipped = whole.clone();
        flipped[read_from.records_end + 3] ^= 1;
        assert!(BuildState::decode(Arc::new(flipped), (0, 0)).is_none());
    }

    #[test]
    fn an_invalidated_state_is_not_read_and_keeps_its_frames() {
        let (dir, path) = appended_state();
        let state = BuildState::read(&path);
        let records_end = state.read_from.as_ref().unwrap().records_end;
        let trash = crate::write::trash::Trash::at(dir.path().join(".trash")).unwrap();
        state.invalidate(&path, &trash).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), records_end as u64);
        assert!(BuildState::read(&path).read_from.is_none(), "no state");
        // Another file at that path is not cut but set aside.
        std::fs::write(&path, b"something else").unwrap();
        state.invalidate(&path, &trash).unwrap();
        trash.empty();
        assert!(!path.exists());
    }
}
