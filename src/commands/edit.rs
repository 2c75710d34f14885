//! A build that applies an edit to the last site instead of making the site again: when
//! `serve` is told that only some releases changed and none of them moved in the site (the
//! same news code, date, desk, authors and tags), the site's indexes, related lists and every
//! page not showing those releases are as they were. (A release's address may change with its
//! title: its old page is removed.) Only the edited files are parsed and only the
//! pages that show them are rendered; nothing else is looked at, so a save costs what the
//! pages showing the edited releases cost, not what the site costs (an edit to the summary of
//! a release that many "related" boxes list rewrites those pages).
//!
//! The files made from the whole site are left to the build `serve` runs right after, which
//! also checks everything this one took for granted.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use jiff::Timestamp;

use super::build::{BuildOptions, BuildReport};
use super::state::BuildState;
use crate::cache::LastBuild;
use crate::emit::render::{self, Renderer};
use crate::load::{self, BodyReader, Record};
use crate::model::diagnostic::Diagnostic;
use crate::model::links::Links;
use crate::write::Staging;
use crate::write::{StagingOutput, marker_identity};

/// An edit the last site can take: the changed files parsed again, none of them moved.
pub(super) struct Plan {
    edits: Vec<Edit>,
}

struct Edit {
    /// The file, relative to the root.
    shown: PathBuf,
    record: Record,
    body: Option<String>,
    /// The article's place in `site.articles`; `None` for a release the site does not show
    /// (a draft, or dated later), which the edit leaves out too.
    index: Option<usize>,
}

/// Parses the changed files and says whether the edit can be applied to the last site; `None`
/// (and nothing changed) when a full build is needed: no last site, other settings or
/// templates, a file that is not a release, is new, was deleted, has an error or moved.
pub(super) fn plan(
    options: &BuildOptions,
    state: &BuildState,
    renderer: &Renderer,
    now: Timestamp,
    state_file: Option<&Path>,
) -> Option<Plan> {
    let changed = options.changed.as_ref()?;
    let last = state.last.as_ref()?;
    let out_dir = options.out_dir();
    let usable = options.defer_whole_site
        && state_file.is_none()
        && last.renderer == renderer.fingerprint
        && last.include_drafts == options.include_drafts
        && last.next_due.is_none_or(|due| due > now)
        && state.related.is_some()
        && !state.outputs.is_empty()
        && state.marker.is_some()
        && marker_identity(&out_dir) == state.marker;
    if !usable {
        return None;
    }
    let parsing = load::Parsing::new(&last.site.config);
    let mut edits = Vec::with_capacity(changed.len());
    for shown in changed {
        let release = shown.starts_with(load::CONTENT_DIR)
            && shown.extension().is_some_and(|x| x == "md")
            && !shown
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        if !release {
            return None;
        }
        let old = state.sources.get(shown)?.article.as_ref()?;
        let index = last.site.articles.iter().position(|a| Arc::ptr_eq(a, old));
        let (record, body) = load::load_one(&options.root, &parsing, shown, &state.sources);
        let new = record.article.as_ref()?;
        if record.diagnostics.iter().any(Diagnostic::is_error) || !old.same_place(new) {
            return None;
        }
        edits.push(Edit {
            shown: shown.clone(),
            record,
            body,
            index,
        });
    }
    Some(Plan { edits })
}

/// Applies `plan` to the last site and writes the pages that show the edited releases.
/// Fills in `report`; `stage_done` times the stages.
pub(super) fn build(
    options: &BuildOptions,
    state: &mut BuildState,
    renderer: &Renderer,
    plan: Plan,
    report: &mut BuildReport,
    stage_done: &mut dyn FnMut(&mut BuildReport, &'static str),
) -> Result<()> {
    // Taken: a build that fails from here leaves no last site, and the next one is full.
    let Some(last) = state.last.take() else {
        return Ok(());
    };
    let LastBuild {
        mut site,
        renderer: renderer_fingerprint,
        include_drafts,
        next_due,
        mut summaries,
        files,
        mut diagnostics,
        mut cross_file,
    } = last;
    let remove = |diagnostics: &mut Vec<Diagnostic>, gone: &[Diagnostic]| {
        for d in gone {
            if let Some(at) = diagnostics.iter().position(|x| x == d) {
                diagnostics.remove(at);
            }
        }
    };
    let mut touched = Vec::with_capacity(plan.edits.len());
    // Pages whose address moved with their slug.
    let mut moved = Vec::new();
    let mut slugs_changed = false;
    for edit in plan.edits {
        if let Some(old) = state.sources.get(&edit.shown) {
            remove(&mut diagnostics, &old.diagnostics);
            if let (Some(old), Some(new)) = (&old.article, &edit.record.article)
                && !old.same_slug(new)
            {
                slugs_changed = true;
                if edit.index.is_some() && old.slug != new.slug {
                    moved.push(format!(
                        "{}index.html",
                        crate::model::paths::article_path(old)
                    ));
                }
            }
        }
        diagnostics.extend(edit.record.diagnostics.iter().cloned());
        let Some(article) = edit.record.article.clone() else {
            continue;
        };
        if let Some(body) = edit.body {
            let doc = crate::emit::search::fresh_document(
                &article,
                &body,
                &site.config,
                &renderer.calendar,
            );
            state.search.add(article.fingerprint, doc);
            state.bodies.offer(article.fingerprint, body);
            report.parsed += 1;
        }
        state.sources.insert(edit.shown, edit.record);
        if let Some(index) = edit.index {
            site.articles[index] = article;
            touched.push(index);
        }
    }
    if slugs_changed {
        remove(&mut diagnostics, &cross_file);
        cross_file = load::duplicates(&state.sources.articles());
        diagnostics.extend(cross_file.iter().cloned());
    }
    report.files = files;
    report.articles = site.articles.len();
    stage_done(report, "reading");

    let links = Links::new(&site.config);
    for &i in &touched {
        let article = &site.articles[i];
        let summary = render::summary_fingerprint(&site, article, &links, &renderer.calendar);
        summaries[i] = summary;
        state.summaries.insert(article.fingerprint, summary);
    }
    stage_done(report, "assembling");

    let out_dir = options.out_dir();
    let recorded = state.outputs_for(&out_dir);
    let mut staging = Staging::begin_with(&out_dir, recorded, false, None)?;
    staging.keep_unclaimed();
    for page in &moved {
        staging.drop_previous(page);
    }
    let out = StagingOutput::new(&staging, options.progress.as_ref());
    let bodies = BodyReader::new(
        &state.bodies,
        &options.root,
        load::Parsing::new(&site.config),
    );
    let related = state
        .related
        .as_ref()
        .map(|(_, table)| table.as_slice())
        .unwrap_or_default();
    let problems = render::render_touching(
        &site, renderer, &bodies, related, &summaries, &touched, &out,
    );
    stage_done(report, "rendering");
    if let Some(e) = out.failure.into_inner().ok().flatten() {
        return Err(e);
    }
    diagnostics.extend(problems);
    report.diagnostics = diagnostics;
    if report.errors() > 0 {
        return Ok(());
    }
    let committed = staging.commit()?;
    report.written = committed.stats;
    state.outputs = committed.outputs;
    state.marker = marker_identity(&out_dir);
    drop(committed.lock);
    stage_done(report, "writing");
    state.last = Some(LastBuild {
        site,
        renderer: renderer_fingerprint,
        include_drafts,
        next_due,
        summaries,
        files,
        diagnostics: report.diagnostics.clone(),
        cross_file,
    });
    report.succeeded = true;
    report.only_touched_pages = true;
    Ok(())
}
