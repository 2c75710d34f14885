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

use std::path::PathBuf;
use std::sync::Arc;

use super::BuildState;
use super::stages::{Articles, Read, Run, Setup, parsed};
use crate::load::{self, Record};
use crate::model::diagnostic::Diagnostic;
use crate::write::marker_identity;

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
pub(super) fn plan(run: &Run, state: &BuildState, setup: &Setup) -> Option<Plan> {
    let (options, now) = (run.options, setup.now);
    let renderer = setup.renderer.as_ref()?;
    let changed = options.changed.as_ref()?;
    let last = state.last.as_ref()?;
    let out_dir = options.out_dir();
    let usable = options.defer_whole_site
        && run.state_file.is_none()
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

/// Puts the edited releases of `plan` into the last site, which it takes from the state
/// (a build that fails from here leaves none, and the next one is full). Slot: `sources`, and
/// the search documents and bodies of the releases parsed.
pub(super) fn read(run: &mut Run, state: &mut BuildState, setup: &Setup, plan: Plan) -> Read {
    let mut last = state
        .last
        .take()
        .expect("a plan is only made with a last site");
    let remove = |diagnostics: &mut Vec<Diagnostic>, gone: &[Diagnostic]| {
        for d in gone {
            if let Some(at) = diagnostics.iter().position(|x| x == d) {
                diagnostics.remove(at);
            }
        }
    };
    let diagnostics = &mut last.diagnostics;
    let mut touched = Vec::with_capacity(plan.edits.len());
    // Pages whose address moved with their slug.
    let mut moved = Vec::new();
    let mut slugs_changed = false;
    for edit in plan.edits {
        if let Some(old) = state.sources.get(&edit.shown) {
            remove(diagnostics, &old.diagnostics);
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
            parsed(
                state,
                &article,
                body,
                &last.site.config,
                setup.renderer.as_ref(),
            );
            run.report.parsed += 1;
        }
        state.sources.insert(edit.shown, edit.record);
        if let Some(index) = edit.index {
            last.site.articles[index] = article;
            touched.push(index);
        }
    }
    let mut cross_file = std::mem::take(&mut last.cross_file);
    if slugs_changed {
        remove(diagnostics, &cross_file);
        cross_file = load::duplicates(&state.sources.articles());
        diagnostics.extend(cross_file.iter().cloned());
    }
    run.report.diagnostics.append(diagnostics);
    run.report.files = last.files;
    Read {
        files: last.files,
        cross_file,
        // Kept in memory: nothing to save.
        sources_changed: false,
        articles: Articles::Edited {
            last,
            touched,
            moved,
        },
    }
}
