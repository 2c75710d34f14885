//! The stages of a build, in order. Each takes the value the stage before it gave and the
//! slot of the `BuildState` it owns, and returns its value; the edit `serve` applies
//! (`edit::read`) joins at `assemble` with the scope of the pages it touches.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use jiff::Timestamp;

use super::{BuildOptions, BuildReport, BuildState, CpuTime, STATIC_DIR, Stage};
use crate::assemble;
use crate::cache::LastBuild;
use crate::emit::open_data::RecordSpans;
use crate::emit::render::assets::Stylesheet;
use crate::emit::render::{self, Renderer};
use crate::emit::{self, PublishOptions, search};
use crate::load::{self, Bodies, BodyReader, config};
use crate::model::article::Article;
use crate::model::config::SiteConfig;
use crate::model::diagnostic::{self, Diagnostic};
use crate::model::fingerprint::Fingerprint;
use crate::model::site::{Selection, Site};
use crate::write::{OutputLock, Staging, StagingOutput, marker_identity};

/// One build as it goes: what it was asked, its report so far and the clock of its stages.
pub(super) struct Run<'a> {
    pub options: &'a BuildOptions,
    /// Where the state is saved for the next build; `None` when it stays in memory (`serve`).
    pub state_file: Option<&'a Path>,
    pub report: BuildReport,
    started: Instant,
    stage_started: (Instant, Option<CpuTime>),
}

impl<'a> Run<'a> {
    pub fn new(options: &'a BuildOptions, state_file: Option<&'a Path>) -> Self {
        Run {
            options,
            state_file,
            report: BuildReport::default(),
            started: Instant::now(),
            stage_started: (Instant::now(), CpuTime::now()),
        }
    }

    /// Closes the stage `name` in the report's timings.
    pub fn stage_done(&mut self, name: &'static str) {
        let (stage, cpu) = Stage::since(name, self.stage_started.0, self.stage_started.1);
        self.report.stages.push(stage);
        self.stage_started = (Instant::now(), cpu);
    }

    fn progress(&self, stage: &'static str) {
        if let Some(p) = &self.options.progress {
            p.0.stage(stage, None);
        }
    }

    fn output<'s>(&self, staging: &'s Staging) -> StagingOutput<'s>
    where
        'a: 's,
    {
        StagingOutput::new(staging, self.options.progress.as_ref())
    }

    pub fn finish(mut self) -> BuildReport {
        if let Some(p) = &self.options.progress {
            p.0.finish();
        }
        diagnostic::sort(&mut self.report.diagnostics);
        self.report.elapsed = self.started.elapsed();
        self.report
    }
}

/// What every stage may read: the templates, the moment and the theme's files.
pub(super) struct Setup {
    /// `None` when the templates have errors (in the report): the releases are still read,
    /// so that one run reports every problem.
    pub renderer: Option<Renderer>,
    pub now: Timestamp,
    pub stylesheet: Stylesheet,
    pub static_dir: PathBuf,
}

/// The output folder, the settings and the templates: `None` when the build cannot go on
/// (the problems are in the report). The settings are returned apart: `read` hands them on
/// into the site.
pub(super) fn set_up(run: &mut Run) -> Result<Option<(Setup, SiteConfig)>> {
    let options = run.options;
    let report = &mut run.report;
    if let Some(why) = crate::write::refuse_output(&options.root, &options.out_dir(), options.force)
    {
        report.diagnostics.push(Diagnostic::error("--out", format!("will not build into {why}")).with_hint(
            "choose an output folder of its own, such as public/ (--force replaces a folder of other files)",
        ));
        return Ok(None);
    }
    let mut config = match config::load(&options.root) {
        Ok(config) => config,
        Err(problems) => {
            report.diagnostics = problems;
            return Ok(None);
        }
    };
    if let Some(url) = &options.base_url
        && let Err(message) = config.set_base_url(url)
    {
        report.diagnostics.push(
            Diagnostic::error("--base-url", message)
                .with_hint("pass a full address such as https://news.example.ir/"),
        );
        return Ok(None);
    }
    let now = options.now.unwrap_or_else(Timestamp::now);
    let static_dir = options.root.join(STATIC_DIR);
    let stylesheet = render::assets::stylesheet(&static_dir).with_context(|| {
        format!(
            "cannot read {}",
            static_dir.join(render::assets::STYLESHEET_SOURCE).display()
        )
    })?;
    let renderer = match Renderer::new(&options.root, &config, now, &stylesheet.path) {
        Ok(renderer) => Some(renderer),
        Err(problems) => {
            report.diagnostics.extend(problems);
            None
        }
    };
    let setup = Setup {
        renderer,
        now,
        stylesheet,
        static_dir,
    };
    Ok(Some((setup, config)))
}

/// What reading gives: the site's articles, or the last site with the edits in place.
pub(super) struct Read {
    pub articles: Articles,
    /// The release files found.
    pub files: usize,
    /// The diagnostics comparing files (`load::duplicates`), also in the report.
    pub cross_file: Vec<Diagnostic>,
    /// Whether a release file's record changed (the state file must be written).
    pub sources_changed: bool,
}

// One value per build, moved once: the size of its variants costs nothing.
#[allow(clippy::large_enum_variant)]
pub(super) enum Articles {
    /// Every release, to be assembled into a site with these settings.
    All {
        config: SiteConfig,
        articles: Vec<Arc<Article>>,
    },
    /// The last site with the edited releases put in place (`edit::read`).
    Edited {
        last: LastBuild,
        /// The places in `last.site.articles` of the edited articles.
        touched: Vec<usize>,
        /// Pages whose address moved with their slug: removed.
        moved: Vec<String>,
    },
}

/// A release just parsed: its search document is made while its body is at hand, then the
/// body is kept as far as memory allows (`Bodies`).
pub(super) fn parsed(
    state: &BuildState,
    article: &Article,
    body: String,
    config: &SiteConfig,
    renderer: Option<&Renderer>,
) {
    if let Some(renderer) = renderer {
        let doc = search::fresh_document(article, &body, config, &renderer.calendar);
        state.search.add(article.fingerprint, doc);
    }
    state.bodies.offer(article.fingerprint, body);
}

/// Reads every release (`found`, if the caller listed them already), parsing only those
/// the state's records do not hold. Slot: `sources`, and the search documents and bodies of
/// the releases parsed.
pub(super) fn read(
    run: &mut Run,
    state: &mut BuildState,
    setup: &Setup,
    config: SiteConfig,
    found: Option<load::ReleaseFiles>,
) -> Read {
    // A build that fails from here leaves no last site to edit.
    state.last = None;
    run.progress("reading");
    let options = run.options;
    let on_parsed = |article: &Article, body: String| {
        parsed(state, article, body, &config, setup.renderer.as_ref());
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
    (run.report.files, run.report.parsed) = (loaded.files, loaded.parsed);
    run.report.diagnostics.extend(loaded.diagnostics);
    state.sources = loaded.sources;
    Read {
        articles: Articles::All {
            config,
            articles: loaded.articles,
        },
        files: loaded.files,
        cross_file: loaded.cross_file,
        sources_changed: loaded.parsed + loaded.restamped > 0,
    }
}

/// Which pages a build renders.
pub(super) enum Scope {
    /// Every page, and the files made from the whole site.
    All,
    /// The pages that show these articles (places in `site.articles`); `moved` pages are
    /// removed, every other file is kept as it is.
    Touching {
        articles: Vec<usize>,
        moved: Vec<String>,
    },
}

impl Scope {
    pub fn is_all(&self) -> bool {
        matches!(self, Scope::All)
    }
}

/// The site, and what rendering it needs beside it.
pub(super) struct Assembled {
    pub site: Site,
    /// Each article's summary fingerprint, in site order.
    pub summaries: Vec<Fingerprint>,
    pub scope: Scope,
    /// The earliest date of a release not yet published because it is dated later.
    pub next_due: Option<Timestamp>,
    pub files: usize,
    pub cross_file: Vec<Diagnostic>,
    pub sources_changed: bool,
}

/// The site's indexes, related lists and summaries: made (from the state's where its
/// inputs are unchanged), or for an edit, the last site's with the touched summaries made
/// again. Slots: `groups`, `related`, `summaries`, `bodies` (of the articles gone).
pub(super) fn assemble(
    run: &mut Run,
    state: &mut BuildState,
    renderer: &Renderer,
    now: Timestamp,
    read: Read,
) -> Assembled {
    let options = run.options;
    let (site, summaries, scope, next_due) = match read.articles {
        Articles::All { config, articles } => {
            let selection = Selection {
                include_drafts: options.include_drafts,
                now,
            };
            let next_due = articles
                .iter()
                .filter(|a| !a.front.draft && a.front.date > now)
                .map(|a| a.front.date)
                .min();
            let site = assemble::assemble_with(config, articles, selection, state.groups.take());
            state.groups = Some(site.groups());
            let current: HashSet<Fingerprint> =
                site.articles.iter().map(|a| a.fingerprint).collect();
            state.bodies.retain(|f| current.contains(f));
            let shape = site.shape();
            let related = match state.related.take() {
                Some((recorded, table)) if recorded == shape => table,
                _ => site.related_table(),
            };
            state.related = Some((shape, related));
            let summaries =
                render::summary_fingerprints(&site, &renderer.calendar, &state.summaries);
            state.summaries = site
                .articles
                .iter()
                .map(|a| a.fingerprint)
                .zip(summaries.iter().copied())
                .collect();
            (site, summaries, Scope::All, next_due)
        }
        Articles::Edited {
            last,
            touched,
            moved,
        } => {
            let (site, mut summaries) = (last.site, last.summaries);
            let links = crate::model::links::Links::new(&site.config);
            for &i in &touched {
                let article = &site.articles[i];
                let summary =
                    render::summary_fingerprint(&site, article, &links, &renderer.calendar);
                summaries[i] = summary;
                state.summaries.insert(article.fingerprint, summary);
            }
            let scope = Scope::Touching {
                articles: touched,
                moved,
            };
            (site, summaries, scope, last.next_due)
        }
    };
    run.report.articles = site.articles.len();
    Assembled {
        site,
        summaries,
        scope,
        next_due,
        files: read.files,
        cross_file: read.cross_file,
        sources_changed: read.sources_changed,
    }
}

/// The pages, rendered into a staging folder beside the output folder.
pub(super) struct Rendered {
    pub staging: Staging,
    /// Whether the state described the output folder's files.
    had_record: bool,
}

/// Renders the pages of `site.scope` into a staging folder (under `lock`, if the caller took
/// it already). Slot: `outputs` (what the folder's files were made from) is read.
pub(super) fn render(
    run: &mut Run,
    state: &mut BuildState,
    renderer: &Renderer,
    site: &Assembled,
    lock: Option<OutputLock>,
) -> Result<Rendered> {
    run.progress("rendering");
    let out_dir = run.options.out_dir();
    // A state kept in memory belongs to a private output folder (serve's) that nothing else
    // writes; a state file's folder may have been changed by hand since.
    let recorded = state.outputs_for(&out_dir);
    let had_record = !recorded.is_empty();
    let mut staging = Staging::begin_with(&out_dir, recorded, run.state_file.is_some(), lock)?;
    if let Scope::Touching { moved, .. } = &site.scope {
        staging.keep_unclaimed();
        for page in moved {
            staging.drop_previous(page);
        }
    }
    let out = run.output(&staging);
    let bodies = body_reader(&state.bodies, run.options, &site.site);
    let related = state
        .related
        .as_ref()
        .map(|(_, table)| table.as_slice())
        .unwrap_or_default();
    let (s, summaries) = (&site.site, &site.summaries);
    let problems = match &site.scope {
        Scope::All => render::render_site(s, renderer, &bodies, related, summaries, &out),
        Scope::Touching { articles, .. } => {
            render::render_touching(s, renderer, &bodies, related, summaries, articles, &out)
        }
    };
    if let Some(e) = out.failure.into_inner().ok().flatten() {
        return Err(e);
    }
    run.report.diagnostics.extend(problems);
    Ok(Rendered {
        staging,
        had_record,
    })
}

/// The bodies kept in memory, and the release files to read the others from.
fn body_reader<'s>(
    bodies: &'s Bodies,
    options: &'s BuildOptions,
    site: &'s Site,
) -> BodyReader<'s> {
    BodyReader::new(bodies, &options.root, load::Parsing::new(&site.config))
}

/// The files made from the whole site: feeds, sitemaps, open data, redirects and the search
/// index (none for an edit; with `defer_whole_site`, only what the previous build made is
/// kept). Slots: `search`, `open_data` (read; the spans written are returned, for `write`
/// to keep once the folder holds the file).
pub(super) fn publish(
    run: &mut Run,
    state: &mut BuildState,
    setup: &Setup,
    site: &Assembled,
    rendered: &Rendered,
) -> Result<Option<RecordSpans>> {
    if !site.scope.is_all() {
        return Ok(None);
    }
    let (options, site) = (run.options, &site.site);
    let Some(renderer) = &setup.renderer else {
        return Ok(None);
    };
    let staging = &rendered.staging;
    let out = run.output(staging);
    let publish = PublishOptions {
        now: setup.now,
        own_robots_txt: setup.static_dir.join("robots.txt").is_file(),
        calendar: renderer.calendar.clone(),
        defer_whole_site: options.defer_whole_site,
    };
    // Of the `bodies` field alone: the search index is updated beside it.
    let bodies = body_reader(&state.bodies, options, site);
    // The search index and the other files for machines are made side by side: each is
    // mostly one thread's work (open data, the index's shards).
    let search = &mut state.search;
    let record_spans = &state.open_data;
    let (published, indexed) = rayon::join(
        || emit::write_all(site, &publish, &bodies, &out, record_spans),
        || {
            if options.defer_whole_site {
                Vec::new()
            } else {
                search.update(site, &bodies, &renderer.calendar, &out)
            }
        },
    );
    if options.defer_whole_site {
        let feeds = emit::feeds::paths(site);
        staging.keep_previous(|path| {
            emit::is_whole_site_file(path) || search::is_index_file(path) || feeds.contains(path)
        })?;
    }
    if let Some(e) = out.failure.into_inner().ok().flatten() {
        return Err(e);
    }
    run.report.diagnostics.extend(published.problems);
    run.report.diagnostics.extend(indexed);
    Ok(published.record_spans)
}

/// Moves the staged files into the output folder (with the static files, for a full build),
/// and saves the state for the next build. Slots: `outputs`, `marker`, `open_data`, and the
/// state file and search documents when the state is saved.
pub(super) fn write(
    run: &mut Run,
    state: &mut BuildState,
    setup: &Setup,
    site: &Assembled,
    rendered: Rendered,
    record_spans: Option<RecordSpans>,
) -> Result<()> {
    run.progress("writing");
    let (options, state_file) = (run.options, run.state_file);
    let staging = rendered.staging;
    if site.scope.is_all() {
        copy_static(run, &staging, setup)?;
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
    run.report.written = committed.stats;
    state.outputs = committed.outputs;
    // Only now does the output folder hold the file they describe.
    if let Some(spans) = record_spans {
        state.open_data = spans;
    }
    state.marker = marker_identity(&options.out_dir());
    // A build that parsed and changed nothing leaves the state as it found it.
    if let Some(path) = state_file
        && (changes
            || site.sources_changed
            || state.search.changed()
            || !rendered.had_record
            || !path.exists())
    {
        state.write(path, &trash)?;
    }
    drop(trash);
    drop(committed.lock);
    Ok(())
}

/// The fingerprinted stylesheet, the site's own static files, then the theme's where the
/// site has none of that name.
fn copy_static(run: &mut Run, staging: &Staging, setup: &Setup) -> Result<()> {
    let stylesheet = &setup.stylesheet;
    staging.write_file(&stylesheet.path, &stylesheet.bytes)?;
    let taken = |rel: &str| rel == render::assets::STYLESHEET_SOURCE || staging.contains(rel);
    for rel in staging
        .copy_tree(&setup.static_dir, taken)?
        .into_iter()
        .filter(|r| r != render::assets::STYLESHEET_SOURCE)
    {
        run.report.diagnostics.push(
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
    Ok(())
}

/// The build succeeded: a state kept in memory keeps the site for the next edit. Slot: `last`.
pub(super) fn remember(
    run: &mut Run,
    state: &mut BuildState,
    renderer: &Renderer,
    site: Assembled,
) {
    run.report.succeeded = true;
    run.report.only_touched_pages = !site.scope.is_all();
    if run.state_file.is_none() {
        state.last = Some(LastBuild {
            site: site.site,
            renderer: renderer.fingerprint,
            include_drafts: run.options.include_drafts,
            next_due: site.next_due,
            summaries: site.summaries,
            files: site.files,
            diagnostics: run.report.diagnostics.clone(),
            cross_file: site.cross_file,
        });
    }
}
