//! One build, stage by stage: config → content → site → render → output. Each stage reports
//! diagnostics; the build writes nothing when any of them is an error.
//!
//! Builds are incremental: a `BuildState` remembers what each release file gave and what each
//! output file was made from, so an unchanged file is not parsed again and a page whose
//! inputs are unchanged is not rendered again. The output is the same as a clean build's.

mod delta;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::content::{Bodies, BodyReader, Sources};
use crate::diagnostic::{self, Diagnostic};
use crate::fast_hash::FastMap;
use crate::fingerprint::Fingerprint;
use crate::output::{OutputLock, Outputs, Staging, WriteStats};
use crate::progress::ProgressHandle;
use crate::publish::{self, PublishOptions};
use crate::render::{self, Renderer};
use crate::site::{self, Selection};
use crate::trash::Trash;
use crate::{config, content, search};
use xxhash_rust::xxh3::xxh3_64;

pub const STATIC_DIR: &str = "static";
pub const DEFAULT_OUT_DIR: &str = "public";

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site root: where `site.yaml`, `content/`, `templates/` and `static/` are.
    pub root: PathBuf,
    /// Where the site goes; `public/` under the root by default.
    pub out_dir: Option<PathBuf>,
    pub include_drafts: bool,
    /// Replaces `base_url` from `site.yaml`.
    pub base_url: Option<String>,
    /// The moment that decides which releases are published; now by default.
    pub now: Option<Timestamp>,
    /// Replace an output folder that holds files chapar did not write.
    pub force: bool,
    /// Hears how the build is going (for a progress bar).
    pub progress: Option<ProgressHandle>,
    /// Keep the previous build's files for machines (feeds, sitemaps, open data, redirects,
    /// the search index) as they are: `serve` shows an edited page at once, then builds again
    /// without this to bring them up to date.
    pub defer_whole_site: bool,
    /// The source files (relative to the root: releases, templates, static files,
    /// `site.yaml`) that may have changed since the build that made the state; the releases
    /// not named are taken from the state without a look at the disk. `None`: any file may
    /// have changed. `serve` knows from its watcher.
    pub changed: Option<Vec<PathBuf>>,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions {
            root: root.into(),
            out_dir: None,
            include_drafts: false,
            base_url: None,
            now: None,
            force: false,
            progress: None,
            defer_whole_site: false,
            changed: None,
        }
    }

    pub fn out_dir(&self) -> PathBuf {
        self.out_dir
            .clone()
            .unwrap_or_else(|| self.root.join(DEFAULT_OUT_DIR))
    }
}

#[derive(Debug, Default)]
pub struct BuildReport {
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Press release files found.
    pub files: usize,
    /// Release files read and parsed (the others were unchanged since the previous build).
    pub parsed: usize,
    /// Articles published in the site.
    pub articles: usize,
    pub written: WriteStats,
    pub elapsed: Duration,
    /// How long each stage took: state (reading the previous build's state, for `build`),
    /// templates (setting up the renderer), reading (with the search
    /// documents of the releases parsed), assembling, rendering, publishing (feeds, sitemaps,
    /// open data and the search index), writing.
    pub stages: Vec<Stage>,
    /// Whether the output folder was replaced.
    pub succeeded: bool,
    /// Whether the build applied an edit to the last site, rendering only the pages that
    /// show the edited releases (see `delta`).
    pub only_touched_pages: bool,
}

impl BuildReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// The number of files with at least one error.
    pub fn files_with_errors(&self) -> usize {
        let mut paths: Vec<&Path> = self
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.path.as_path())
            .collect();
        paths.dedup();
        paths.len()
    }

    /// One line for the end of the output.
    pub fn summary(&self) -> String {
        let warnings = self.diagnostics.len() - self.errors();
        let warned = if warnings > 0 {
            format!(", {warnings} warning(s)")
        } else {
            String::new()
        };
        if self.succeeded {
            let removed = if self.written.removed > 0 {
                format!(", {} removed", self.written.removed)
            } else {
                String::new()
            };
            format!(
                "built {} articles from {} files ({} parsed) in {:.2}s: {} files written, {} unchanged{removed}{warned}",
                self.articles,
                self.files,
                self.parsed,
                self.elapsed.as_secs_f64(),
                self.written.written,
                self.written.unchanged
            )
        } else {
            format!(
                "build failed: {} error(s) in {} file(s), {} files read{warned}; the previous site was left as it was",
                self.errors(),
                self.files_with_errors(),
                self.files
            )
        }
    }
}

/// One stage of a build.
#[derive(Debug, Clone)]
pub struct Stage {
    pub name: &'static str,
    pub took: Duration,
    /// The process's peak resident memory so far, in bytes, where the system tells it.
    pub peak_memory: Option<u64>,
    /// The CPU time all the process's threads spent in the stage, in chapar and in the kernel
    /// (writing files is mostly the kernel's), where the system tells it.
    pub cpu: Option<CpuTime>,
}

impl Stage {
    /// The stage `name`, begun at `started` when the process had used `cpu`; with the CPU
    /// time now, where the next stage begins.
    fn since(
        name: &'static str,
        started: Instant,
        cpu: Option<CpuTime>,
    ) -> (Stage, Option<CpuTime>) {
        let now = CpuTime::now();
        let stage = Stage {
            name,
            took: started.elapsed(),
            peak_memory: peak_memory(),
            cpu: now.zip(cpu).map(|(now, then)| now.since(then)),
        };
        (stage, now)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTime {
    pub user: Duration,
    pub system: Duration,
}

impl CpuTime {
    /// This process's CPU time so far (Linux's `/proc/self/stat`, in 1/100 s).
    fn now() -> Option<CpuTime> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // The command name, in parentheses, may hold spaces: fields are counted after it.
        let fields: Vec<&str> = stat
            .get(stat.rfind(')')? + 1..)?
            .split_whitespace()
            .collect();
        let ticks = |i: usize| -> Option<Duration> {
            Some(Duration::from_millis(
                fields.get(i)?.parse::<u64>().ok()? * 10,
            ))
        };
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        Some(CpuTime {
            user: ticks(11)?,
            system: ticks(12)?,
        })
    }

    fn since(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
        }
    }
}

/// The peak resident memory of this process so far (Linux's `VmHWM`).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// What one build leaves for the next. `build` keeps it in a file beside the output folder;
/// `serve` keeps it in memory, with the bodies.
#[derive(Default, Serialize, Deserialize)]
pub struct BuildState {
    /// What each release file gave.
    sources: Sources,
    /// What each file in the output folder was made from.
    outputs: Outputs,
    /// The output folder's marker file (device, inode) when `outputs` was recorded: a folder
    /// deleted, restored or replaced since makes the record void.
    marker: Option<(u64, u64)>,
    /// The related articles of each article, and the site shape they were worked out for.
    related: Option<(Fingerprint, Vec<Vec<usize>>)>,
    /// The author and tag listings, and the addresses they were grouped from.
    groups: Option<site::Groups>,
    /// The fingerprint of each article's listing summary, by article fingerprint.
    summaries: FastMap<Fingerprint, Fingerprint>,
    /// What the search index needs from earlier builds.
    search: search::IndexState,
    /// Where the records of the last `data/articles.json` are.
    open_data: publish::open_data::RecordSpans,
    #[serde(skip)]
    bodies: Bodies,
    /// The last build's site, kept when the state stays in memory (`serve`).
    #[serde(skip)]
    last: Option<delta::LastBuild>,
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

/// The first bytes of the state file, with the fingerprint of chapar itself: a state file
/// another build of chapar wrote is not read. The format is not self-describing, so the number goes up whenever the shape
/// of `BuildState` (or of anything in it) changes.
const STATE_MAGIC: &str = "chapar build state 6";

/// The last bytes of a whole state file, after where its parts are and its checksum.
const STATE_END: &[u8; 8] = b"chapar\0\n";
/// The end's length: three lengths, the checksum and `STATE_END`.
const END_LEN: usize = 40;

impl BuildState {
    /// The state file of a build into `out_dir`: `.public.state` beside `public/`.
    pub fn path(out_dir: &Path) -> PathBuf {
        crate::output::beside(out_dir, "state")
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
    /// `STATE_END`. The records and the rest are decoded side by side, and the checksum is
    /// taken beside them.
    ///
    /// A build that changes few records appends them to the frames in place, and the rest
    /// after them: frames are never moved or changed, only left behind, so the file is
    /// written whole again once those left behind would outweigh the live ones. Written in
    /// place without a rename, a file cut short or holding zeros where the disk lost what was
    /// written (a power cut) fails its checksum.
    fn decode(file: Arc<Vec<u8>>, identity: (u64, u64)) -> Option<BuildState> {
        let header = format!("{STATE_MAGIC} {:032x}\n", crate::fingerprint::tool().0);
        file.strip_prefix(header.as_bytes())?;
        let body_len = file.len().checked_sub(END_LEN)?;
        let (body, end) = file.split_at(body_len);
        let number = |i: usize| -> Option<u64> {
            Some(u64::from_le_bytes(end[i * 8..i * 8 + 8].try_into().ok()?))
        };
        if &end[32..] != STATE_END {
            return None;
        }
        let size = |i: usize| number(i).and_then(|n| usize::try_from(n).ok());
        let (records_end, main_len, index_len) = (size(0)?, size(1)?, size(2)?);
        let main_end = records_end.checked_add(main_len)?;
        if records_end < header.len() || main_end.checked_add(index_len)? != body.len() {
            return None;
        }
        // Each part must be read to its last byte: postcard stops where a value ends.
        fn whole<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
            match postcard::take_from_bytes(bytes) {
                Ok((value, [])) => Some(value),
                _ => None,
            }
        }
        let offsets: Vec<u64> = whole(&body[main_end..])?;
        let ((state, records), sound) = rayon::join(
            || {
                rayon::join(
                    || whole::<BuildState>(&body[records_end..main_end]),
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
        let header = format!("{STATE_MAGIC} {:032x}\n", crate::fingerprint::tool().0);
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
        let mut writer = Checksummed {
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
            let mut end = Vec::with_capacity(END_LEN);
            for n in [records_end, main.len() as u64, index.len() as u64, checksum] {
                end.extend_from_slice(&n.to_le_bytes());
            }
            end.extend_from_slice(STATE_END);
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
    fn outputs_for(&mut self, out_dir: &Path) -> Outputs {
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

/// A writer that hashes what goes through it.
struct Checksummed<W> {
    inner: W,
    hash: xxhash_rust::xxh3::Xxh3,
}

impl<W: std::io::Write> std::io::Write for Checksummed<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.hash.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn marker_identity(out_dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(out_dir.join(crate::output::MARKER)).ok()?;
    Some((meta.dev(), meta.ino()))
}

/// Builds the site, starting from the state the previous build into the same output folder
/// left (`--force` starts clean). `Err` only for the tool's own I/O failures (a full disk,
/// say); everything an editor can fix comes back as diagnostics in the report.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let out_dir = options.out_dir();
    // The lock first: another build must not change the folder between this one reading the
    // state and using it. (A refused folder is not touched, not even for its lock: the build
    // reports the refusal.)
    let lock = match crate::output::refuse_output(&options.root, &out_dir, options.force) {
        None => Some(OutputLock::take(&out_dir)?),
        Some(_) => None,
    };
    let path = BuildState::path(&out_dir);
    let (started, cpu) = (Instant::now(), CpuTime::now());
    let (mut state, found) = std::thread::scope(|scope| {
        // The release files are listed while the state is decoded: the walk is mostly the
        // file system's work, on one thread, and decoding leaves room beside it. (Without a
        // thread, or if it fails, the files are listed when they are read.)
        let finding = std::thread::Builder::new()
            .spawn_scoped(scope, || content::find_releases(&options.root))
            .ok();
        let state = if options.force {
            BuildState::default()
        } else {
            BuildState::read(&path)
        };
        (state, finding.and_then(|f| f.join().ok()))
    });
    state
        .search
        .keep_documents_in(crate::output::beside(&out_dir, "search"));
    let (loading, _) = Stage::since("state", started, cpu);
    let mut report = build_locked(options, &mut state, Some(&path), lock, found)?;
    report.stages.insert(0, loading);
    // Freeing the state of a large site takes a while (0.4-0.6 s at 100,000 releases, after
    // the build has finished), and nobody needs to wait for it: it is freed on a thread of
    // its own, which the process may end before it is done. (If no thread can be started, it
    // is freed here.)
    let _ = std::thread::Builder::new().spawn(move || drop(state));
    Ok(report)
}

/// Builds the site from `state` and updates it. With `state_file`, the state is also saved
/// there for the next build; the file is made unreadable while the output folder changes
/// (`BuildState::invalidate`), so a build killed in between leaves no record that could
/// mislead the next one.
pub fn build_with(
    options: &BuildOptions,
    state: &mut BuildState,
    state_file: Option<&Path>,
) -> Result<BuildReport> {
    build_locked(options, state, state_file, None, None)
}

/// `build_with`, under `lock` when the caller took it already, and of the release files
/// `found` if the caller looked for them already.
fn build_locked(
    options: &BuildOptions,
    state: &mut BuildState,
    state_file: Option<&Path>,
    lock: Option<OutputLock>,
    found: Option<content::ReleaseFiles>,
) -> Result<BuildReport> {
    let started = Instant::now();
    let mut report = BuildReport::default();
    let finish = |mut report: BuildReport| {
        if let Some(p) = &options.progress {
            p.0.finish();
        }
        diagnostic::sort(&mut report.diagnostics);
        report.elapsed = started.elapsed();
        report
    };

    if let Some(why) =
        crate::output::refuse_output(&options.root, &options.out_dir(), options.force)
    {
        report.diagnostics.push(Diagnostic::error("--out", format!("will not build into {why}")).with_hint(
            "choose an output folder of its own, such as public/ (--force replaces a folder of other files)",
        ));
        return Ok(finish(report));
    }
    let mut config = match config::load(&options.root) {
        Ok(config) => config,
        Err(problems) => {
            report.diagnostics = problems;
            return Ok(finish(report));
        }
    };
    if let Some(url) = &options.base_url
        && let Err(message) = config.set_base_url(url)
    {
        report.diagnostics.push(
            Diagnostic::error("--base-url", message)
                .with_hint("pass a full address such as https://news.example.ir/"),
        );
        return Ok(finish(report));
    }

    let progress = |stage, total| {
        if let Some(p) = &options.progress {
            p.0.stage(stage, total);
        }
    };
    let mut stage_started = (Instant::now(), CpuTime::now());
    let mut stage_done = |report: &mut BuildReport, name: &'static str| {
        let (stage, cpu) = Stage::since(name, stage_started.0, stage_started.1);
        report.stages.push(stage);
        stage_started = (Instant::now(), cpu);
    };
    let now = options.now.unwrap_or_else(Timestamp::now);
    let static_dir = options.root.join(STATIC_DIR);
    let stylesheet = render::assets::stylesheet(&static_dir).with_context(|| {
        format!(
            "cannot read {}",
            static_dir.join(render::assets::STYLESHEET_SOURCE).display()
        )
    })?;
    let renderer = Renderer::new(&options.root, &config, now, &stylesheet.path);
    if let Err(problems) = &renderer {
        report.diagnostics.extend(problems.iter().cloned());
    }
    stage_done(&mut report, "templates");
    if let Ok(renderer) = &renderer
        && let Some(plan) = delta::plan(options, state, renderer, now, state_file)
    {
        delta::build(options, state, renderer, plan, &mut report, &mut stage_done)?;
        return Ok(finish(report));
    }
    // A build that fails from here leaves no last site to edit.
    let keep_last = state_file.is_none();
    state.last = None;

    progress("reading", None);
    // Each release parsed gives its search document while its body is at hand (its result
    // text goes to disk at once); then the body is kept as far as memory allows.
    let on_parsed = |article: &content::Article, body: String| {
        if let Ok(renderer) = &renderer {
            let doc = search::fresh_document(article, &body, &config, &renderer.calendar);
            state.search.add(article.fingerprint, doc);
        }
        state.bodies.offer(article.fingerprint, body);
    };
    let changed: Option<HashSet<&Path>> = options
        .changed
        .as_ref()
        .map(|c| c.iter().map(PathBuf::as_path).collect());
    let found = found.unwrap_or_else(|| content::find_releases(&options.root));
    let loaded = content::load(
        found,
        &options.root,
        &config,
        &state.sources,
        changed.as_ref(),
        &on_parsed,
    );
    report.files = loaded.files;
    let cross_file = loaded.cross_file;
    report.parsed = loaded.parsed;
    let sources_changed = loaded.parsed + loaded.restamped > 0;
    report.diagnostics.extend(loaded.diagnostics);
    state.sources = loaded.sources;
    stage_done(&mut report, "reading");
    if report.errors() > 0 {
        return Ok(finish(report));
    }
    let Ok(renderer) = renderer else {
        return Ok(finish(report));
    };

    let selection = Selection {
        include_drafts: options.include_drafts,
        now,
    };
    let next_due = loaded
        .articles
        .iter()
        .filter(|a| !a.front.draft && a.front.date > now)
        .map(|a| a.front.date)
        .min();
    let site = site::assemble_with(config, loaded.articles, selection, state.groups.take());
    state.groups = Some(site.groups());
    report.articles = site.articles.len();
    let current: HashSet<Fingerprint> = site.articles.iter().map(|a| a.fingerprint).collect();
    state.bodies.retain(|f| current.contains(f));
    let shape = site.shape();
    let related = match state.related.take() {
        Some((recorded, table)) if recorded == shape => table,
        _ => site.related_table(),
    };
    let summaries = render::summary_fingerprints(&site, &renderer.calendar, &state.summaries);
    state.summaries = site
        .articles
        .iter()
        .map(|a| a.fingerprint)
        .zip(summaries.iter().copied())
        .collect();
    stage_done(&mut report, "assembling");
    progress("rendering", None);

    let out_dir = options.out_dir();
    // A state kept in memory belongs to a private output folder (serve's) that nothing else
    // writes; a state file's folder may have been changed by hand since.
    let recorded = state.outputs_for(&out_dir);
    let had_record = !recorded.is_empty();
    let staging = Staging::begin_with(&out_dir, recorded, state_file.is_some(), lock)?;
    let out = StagingOutput::new(&staging, options);
    let bodies = BodyReader::new(
        &state.bodies,
        &options.root,
        content::Parsing::new(&site.config),
    );
    let mut problems = render::render_site(&site, &renderer, &bodies, &related, &summaries, &out);
    state.related = Some((shape, related));
    stage_done(&mut report, "rendering");
    let publish = PublishOptions {
        now,
        own_robots_txt: static_dir.join("robots.txt").is_file(),
        calendar: renderer.calendar.clone(),
        defer_whole_site: options.defer_whole_site,
    };
    // The search index and the other files for machines are made side by side: each is
    // mostly one thread's work (open data, the index's shards).
    let search = &mut state.search;
    let record_spans = &state.open_data;
    let (published, indexed) = rayon::join(
        || publish::write_all(&site, &publish, &bodies, &out, record_spans),
        || {
            if options.defer_whole_site {
                Vec::new()
            } else {
                search.update(&site, &bodies, &renderer.calendar, &out)
            }
        },
    );
    problems.extend(published.problems);
    problems.extend(indexed);
    if options.defer_whole_site {
        let feeds = publish::feeds::paths(&site);
        staging.keep_previous(|path| {
            publish::is_whole_site_file(path) || search::is_index_file(path) || feeds.contains(path)
        })?;
    }
    stage_done(&mut report, "publishing");
    if let Some(e) = out.failure.into_inner().ok().flatten() {
        return Err(e);
    }
    report.diagnostics.extend(problems);
    if report.errors() > 0 {
        return Ok(finish(report));
    }
    progress("writing", None);
    // The fingerprinted stylesheet, the site's own static files, then the theme's where the
    // site has none of that name.
    staging.write_file(&stylesheet.path, &stylesheet.bytes)?;
    let taken = |rel: &str| rel == render::assets::STYLESHEET_SOURCE || staging.contains(rel);
    for rel in staging
        .copy_tree(&static_dir, taken)?
        .into_iter()
        .filter(|r| r != render::assets::STYLESHEET_SOURCE)
    {
        report.diagnostics.push(
            Diagnostic::warning(
                Path::new(STATIC_DIR).join(&rel),
                "this file is not copied: the site generates a file of the same name",
            )
            .with_hint("rename or remove the static file"),
        );
    }
    for (rel, bytes) in render::theme::STATIC_FILES {
        if !taken(rel) {
            staging.write_file(rel, bytes)?;
        }
    }
    let changes = staging.has_changes();
    let trash = staging.trash();
    if changes && let Some(path) = state_file {
        state
            .invalidate(path, &trash)
            .with_context(|| format!("cannot set aside {}", path.display()))?;
    }
    // Held until the documents are saved too, whether the commit succeeds or not.
    let held = staging.hold_lock()?;
    // The search documents are a cache by article (nothing in them depends on the output
    // folder), saved while the files are moved into place.
    let search = &mut state.search;
    let (committed, saved) = rayon::join(
        || staging.commit(),
        || match state_file {
            Some(_) => search.save_documents(Some(&trash)),
            None => Ok(()),
        },
    );
    drop(held);
    let committed = committed?;
    saved.context("cannot save the search documents")?;
    report.written = committed.stats;
    state.outputs = committed.outputs;
    // Only now does the output folder hold the file they describe.
    if let Some(spans) = published.record_spans {
        state.open_data = spans;
    }
    state.marker = marker_identity(&out_dir);
    // A build that parsed and changed nothing leaves the state as it found it.
    if let Some(path) = state_file
        && (changes || sources_changed || state.search.changed() || !had_record || !path.exists())
    {
        state.write(path, &trash)?;
    }
    drop(trash);
    drop(committed.lock);
    stage_done(&mut report, "writing");
    report.succeeded = true;
    if keep_last {
        state.last = Some(delta::LastBuild {
            site,
            renderer: renderer.fingerprint,
            include_drafts: options.include_drafts,
            next_due,
            summaries,
            files: report.files,
            diagnostics: report.diagnostics.clone(),
            cross_file,
        });
    }
    Ok(finish(report))
}

/// The build's staging folder as the renderer's output; the first I/O failure is kept to end
/// the build with.
struct StagingOutput<'a> {
    staging: &'a Staging,
    progress: Option<&'a ProgressHandle>,
    failure: std::sync::Mutex<Option<anyhow::Error>>,
}

impl<'a> StagingOutput<'a> {
    fn new(staging: &'a Staging, options: &'a BuildOptions) -> Self {
        StagingOutput {
            staging,
            progress: options.progress.as_ref(),
            failure: std::sync::Mutex::new(None),
        }
    }

    fn fail(&self, path: &str, e: anyhow::Error) -> Diagnostic {
        let d = Diagnostic::error(path, format!("{e:#}"));
        if let Ok(mut slot) = self.failure.lock() {
            slot.get_or_insert(e);
        }
        d
    }
}

impl render::Output for StagingOutput<'_> {
    fn keep(&self, path: &str, fingerprint: Fingerprint) -> Result<bool, Diagnostic> {
        let kept = self
            .staging
            .keep_if_unchanged(path, fingerprint)
            .map_err(|e| self.fail(path, e))?;
        if kept && let Some(p) = self.progress {
            p.0.advance();
        }
        Ok(kept)
    }

    fn write(
        &self,
        path: &str,
        bytes: Vec<u8>,
        fingerprint: Fingerprint,
    ) -> Result<(), Diagnostic> {
        if let Some(p) = self.progress {
            p.0.advance();
        }
        self.staging
            .write(path, &bytes, fingerprint)
            .map_err(|e| self.fail(path, e))
    }

    fn write_streamed(
        &self,
        path: &str,
        fingerprint: Fingerprint,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), Diagnostic> {
        if let Some(p) = self.progress {
            p.0.advance();
        }
        self.staging
            .write_streamed(path, fingerprint, fill)
            .map_err(|e| self.fail(path, e))
    }

    fn previous(&self, path: &str) -> Option<PathBuf> {
        self.staging.previous_file(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let end = (start + 4096).min(lost.len() - END_LEN);
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
        let trash = crate::trash::Trash::at(dir.path().join(".trash")).unwrap();
        state.invalidate(&path, &trash).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), records_end as u64);
        assert!(BuildState::read(&path).read_from.is_none(), "no state");
        // Another file at that path is not cut but set aside.
        std::fs::write(&path, b"something else").unwrap();
        state.invalidate(&path, &trash).unwrap();
        trash.empty();
        assert!(!path.exists());
    }

    #[test]
    fn cpu_time_grows_with_work_done() {
        // The figures are the whole process's (other tests run beside this one), so the test
        // works until they grow, and checks they grow no faster than the CPUs can.
        let before = CpuTime::now().expect("Linux tells a process its CPU time");
        let started = Instant::now();
        let mut spent = CpuTime::default();
        let mut x = 1u64;
        while spent.user < Duration::from_millis(50) && started.elapsed() < Duration::from_secs(10)
        {
            for _ in 0..1_000_000 {
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
            spent = CpuTime::now().unwrap().since(before);
        }
        let elapsed = started.elapsed();
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        assert!(
            spent.user >= Duration::from_millis(50),
            "user time {spent:?} after {elapsed:?} of work"
        );
        assert!(
            spent.user + spent.system <= elapsed * cpus + Duration::from_millis(30),
            "{spent:?} in {elapsed:?} on {cpus} CPUs"
        );
    }
}
