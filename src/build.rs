//! One build, stage by stage: config → content → site → render → output. Each stage reports
//! diagnostics; the build writes nothing when any of them is an error.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use jiff::Timestamp;

use crate::diagnostic::{self, Diagnostic};
use crate::output::{Staging, WriteStats};
use crate::progress::ProgressHandle;
use crate::publish::{self, PublishOptions};
use crate::render::{self, Renderer};
use crate::site::{self, Selection};
use crate::{config, content, search};

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
    /// Press release files read.
    pub files: usize,
    /// Articles published in the site.
    pub articles: usize,
    pub written: WriteStats,
    pub elapsed: Duration,
    /// How long each stage took: reading, rendering, tokenizing (search documents), search
    /// (the index files), writing.
    pub stages: Vec<(&'static str, Duration)>,
    /// Whether the output folder was replaced.
    pub succeeded: bool,
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
            format!(
                "built {} articles from {} files in {:.2}s: {} files written, {} unchanged{warned}",
                self.articles,
                self.files,
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

/// Builds the site. `Err` only for the tool's own I/O failures (a full disk, say); everything
/// an editor can fix comes back as diagnostics in the report.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
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
    let mut stage_started = Instant::now();
    let mut stage_done = |report: &mut BuildReport, name: &'static str| {
        report.stages.push((name, stage_started.elapsed()));
        stage_started = Instant::now();
    };
    progress("reading", None);
    let loaded = content::load(&options.root, &config);
    report.files = loaded.files;
    report.diagnostics.extend(loaded.diagnostics);
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
    let site = site::assemble(config, loaded.articles, selection);
    report.articles = site.articles.len();
    stage_done(&mut report, "reading");
    progress("rendering", None);

    let staging = Staging::begin(&options.out_dir())?;
    let io_failure = std::sync::Mutex::new(None);
    let sink = |path: &str, bytes: Vec<u8>| -> Result<(), Diagnostic> {
        if let Some(p) = &options.progress {
            p.0.advance();
        }
        staging.write(path, &bytes).map_err(|e| {
            let d = Diagnostic::error(path, format!("{e:#}"));
            if let Ok(mut slot) = io_failure.lock() {
                slot.get_or_insert(e);
            }
            d
        })
    };
    let mut problems = render::render_site(&site, &renderer, &sink);
    let publish = PublishOptions {
        now,
        own_robots_txt: static_dir.join("robots.txt").is_file(),
    };
    problems.extend(publish::write_all(&site, &publish, &sink));
    stage_done(&mut report, "rendering");
    let search_docs = search::documents(&site, &renderer.calendar);
    stage_done(&mut report, "tokenizing");
    let search_docs: Vec<&search::SearchDoc> = search_docs.iter().collect();
    problems.extend(search::write_index(&search_docs, &site, &sink));
    stage_done(&mut report, "search");
    if let Some(e) = io_failure.into_inner().ok().flatten() {
        return Err(e);
    }
    report.diagnostics.extend(problems);
    if report.errors() > 0 {
        return Ok(finish(report));
    }
    progress("writing", None);
    // The fingerprinted stylesheet, the site's own static files, then the theme's where the
    // site has none of that name.
    staging.write(&stylesheet.path, &stylesheet.bytes)?;
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
            staging.write(rel, bytes)?;
        }
    }
    report.written = staging.commit()?;
    stage_done(&mut report, "writing");
    report.succeeded = true;
    Ok(finish(report))
}
