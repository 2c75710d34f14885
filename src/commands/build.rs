//! One build, stage by stage: config → content → site → render → output. Each stage reports
//! diagnostics; the build writes nothing when any of them is an error.
//!
//! Builds are incremental: a `BuildState` remembers what each release file gave and what each
//! output file was made from, so an unchanged file is not parsed again and a page whose
//! inputs are unchanged is not rendered again. The output is the same as a clean build's.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use jiff::Timestamp;

use super::edit;
pub use super::report::{BuildReport, CpuTime, Stage};
pub use super::state::BuildState;
use crate::assemble;
use crate::cache::LastBuild;
use crate::emit::render::{self, Renderer};
use crate::emit::{self, PublishOptions, search};
use crate::load::{self, BodyReader, config};
use crate::model::article::Article;
use crate::model::diagnostic::{self, Diagnostic};
use crate::model::fingerprint::Fingerprint;
use crate::model::progress::ProgressHandle;
use crate::model::site::Selection;
use crate::write::{OutputLock, Staging, StagingOutput, marker_identity};

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

/// Builds the site, starting from the state the previous build into the same output folder
/// left (`--force` starts clean). `Err` only for the tool's own I/O failures (a full disk,
/// say); everything an editor can fix comes back as diagnostics in the report.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let out_dir = options.out_dir();
    // The lock first: another build must not change the folder between this one reading the
    // state and using it. (A refused folder is not touched, not even for its lock: the build
    // reports the refusal.)
    let lock = match crate::write::refuse_output(&options.root, &out_dir, options.force) {
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
            .spawn_scoped(scope, || load::find_releases(&options.root))
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
        .keep_documents_in(crate::write::beside(&out_dir, "search"));
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
    found: Option<load::ReleaseFiles>,
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

    if let Some(why) = crate::write::refuse_output(&options.root, &options.out_dir(), options.force)
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
        && let Some(plan) = edit::plan(options, state, renderer, now, state_file)
    {
        edit::build(options, state, renderer, plan, &mut report, &mut stage_done)?;
        return Ok(finish(report));
    }
    // A build that fails from here leaves no last site to edit.
    let keep_last = state_file.is_none();
    state.last = None;

    progress("reading", None);
    // Each release parsed gives its search document while its body is at hand (its result
    // text goes to disk at once); then the body is kept as far as memory allows.
    let on_parsed = |article: &Article, body: String| {
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
    let found = found.unwrap_or_else(|| load::find_releases(&options.root));
    let loaded = load::load(
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
    let site = assemble::assemble_with(config, loaded.articles, selection, state.groups.take());
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
    let out = StagingOutput::new(&staging, options.progress.as_ref());
    let bodies = BodyReader::new(
        &state.bodies,
        &options.root,
        load::Parsing::new(&site.config),
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
        || emit::write_all(&site, &publish, &bodies, &out, record_spans),
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
        let feeds = emit::feeds::paths(&site);
        staging.keep_previous(|path| {
            emit::is_whole_site_file(path) || search::is_index_file(path) || feeds.contains(path)
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
        state.last = Some(LastBuild {
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
