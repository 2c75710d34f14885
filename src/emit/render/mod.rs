//! Rendering: the Tera set-up (embedded default theme plus a site's own templates), and one
//! small context per page. Pages are rendered in parallel and handed to a sink as they are
//! made, so the whole site is never held in memory.

pub mod assets;
pub mod chart;
pub mod context;
mod escape;
pub mod filters;
mod pages;
pub mod search_page;
pub mod structured_data;
pub mod theme;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tera::{Context, Tera, Value};

use crate::load::BodyReader;
use crate::model::article::Article;
use crate::model::config::SiteConfig;
use crate::model::diagnostic::Diagnostic;
use crate::model::fast_hash::FastMap;
use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::model::links::Links;
use crate::model::site::Site;
use crate::persian::{NumberFormatter, PersianCalendar};
use crate::write::Output;

pub const TEMPLATES_DIR: &str = "templates";

pub struct Renderer {
    tera: Tera,
    pub(crate) calendar: Arc<PersianCalendar>,
    pub(crate) numbers: Arc<NumberFormatter>,
    /// Of everything every page is rendered with: the templates, the strings, the site's
    /// settings and stylesheet, chapar's version (and the build's moment, for templates that
    /// show relative dates).
    pub(crate) fingerprint: Fingerprint,
}

impl Renderer {
    /// Sets up the templates: the embedded theme, replaced file by file by the site's own
    /// `templates/`. Problems in a site's templates are reported as diagnostics.
    /// `now` is the moment relative dates count from.
    pub fn new(
        root: &Path,
        config: &SiteConfig,
        now: jiff::Timestamp,
        stylesheet_path: &str,
    ) -> Result<Renderer, Vec<Diagnostic>> {
        let mut sources: BTreeMap<String, (PathBuf, String)> = theme::TEMPLATES
            .iter()
            .map(|(name, text)| {
                (
                    name.to_string(),
                    (
                        PathBuf::from("<default theme>").join(name),
                        text.to_string(),
                    ),
                )
            })
            .collect();
        let mut strings_source = (
            PathBuf::from("<default theme>").join(theme::STRINGS_FILE),
            theme::STRINGS.to_string(),
        );
        let mut problems = Vec::new();
        for (name, path) in site_templates(root) {
            let shown = Path::new(TEMPLATES_DIR).join(&name);
            let read = crate::load::input::read_text(
                &path,
                crate::load::input::MAX_SETTINGS_BYTES,
                "a template",
            );
            match read {
                Ok(text) if name == theme::STRINGS_FILE => strings_source = (shown, text),
                Ok(text) => {
                    sources.insert(name, (shown, text));
                }
                Err(e) => problems.push(Diagnostic::error(
                    shown,
                    format!("cannot read the template: {e}"),
                )),
            }
        }

        let mut tera = Tera::new();
        tera.set_escape_fn(escape::escape_html);
        let calendar = Arc::new(PersianCalendar::at(config.timezone.clone(), now));
        let numbers = Arc::new(NumberFormatter::new());
        filters::register(&mut tera, calendar.clone(), numbers.clone());
        if let Err(e) = tera.add_raw_templates(
            sources
                .iter()
                .map(|(name, (_, text))| (name.as_str(), text.as_str())),
        ) {
            problems.push(template_error(&sources, &e));
        }
        let strings = match strings(&strings_source) {
            Ok(strings) => strings,
            Err(d) => {
                problems.push(d);
                Value::none()
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let links = Links::new(config);
        let site = context::site_context(config, &links, stylesheet_path);
        let mut fingerprint = FingerprintBuilder::new();
        fingerprint
            .fingerprint(crate::model::fingerprint::tool())
            .fingerprint(config.fingerprint())
            .json(&site)
            .str(&strings_source.1);
        for (name, (_, text)) in &sources {
            fingerprint.str(name).str(text);
        }
        // Relative dates ("۳ ساعت پیش") change with the clock: a site that may ask for them
        // (the format named in a template, in the strings or in site.yaml's `extra`) is
        // rendered on every build.
        let relative = sources.values().any(|(_, text)| text.contains("relative"))
            || strings_source.1.contains("relative")
            || format!("{:?}", config.extra).contains("relative");
        if relative {
            fingerprint.u64(now.as_nanosecond() as u64);
        }
        let global = tera.global_context();
        global.insert("site", &site);
        global.insert_value("t", strings);
        Ok(Renderer {
            tera,
            calendar,
            numbers,
            fingerprint: fingerprint.finish(),
        })
    }

    pub(crate) fn render(&self, template: &str, context: &Context) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(16 * 1024);
        self.tera
            .render_to(template, context, &mut out)
            .map_err(|e| {
                Diagnostic::error(
                    Path::new(TEMPLATES_DIR).join(template),
                    format!("rendering failed: {}", error_chain(&e)),
                )
                .with_hint("fix the template; the error names the variable or filter involved")
            })?;
        Ok(out)
    }
}

/// `*.html` and `strings.yaml` under the site's `templates/`, by template name.
fn site_templates(root: &Path) -> Vec<(String, PathBuf)> {
    let dir = root.join(TEMPLATES_DIR);
    walkdir::WalkDir::new(&dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let name = e
                .path()
                .strip_prefix(&dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            (name.ends_with(".html") || name == theme::STRINGS_FILE).then(|| (name, e.into_path()))
        })
        .collect()
}

fn strings((path, text): &(PathBuf, String)) -> Result<Value, Diagnostic> {
    let map: BTreeMap<String, String> = serde_yaml::from_str(text).map_err(|e| {
        let err = crate::load::yaml::YamlSource::new(text, 1).syntax_error(&e);
        Diagnostic::error(
            path,
            format!("the theme strings are not valid: {}", err.message),
        )
        .at(err.line, err.column)
        .with_hint("write one `key: text` per line")
    })?;
    let defaults: BTreeMap<String, String> =
        serde_yaml::from_str(theme::STRINGS).unwrap_or_default();
    let merged: BTreeMap<String, String> = defaults.into_iter().chain(map).collect();
    Ok(Value::from_serializable(&merged))
}

/// Tera reports `error: Found ...`, then ` --> name.html:3:22` and a source excerpt; keep the
/// first line as the message and the position as the diagnostic's.
fn template_error(sources: &BTreeMap<String, (PathBuf, String)>, e: &tera::Error) -> Diagnostic {
    let full = error_chain(e);
    let message = full
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string();
    let position = full
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .and_then(|at| {
            let mut parts = at.rsplitn(3, ':');
            let column = parts.next()?.parse().ok()?;
            let line = parts.next()?.parse().ok()?;
            Some((parts.next()?.to_string(), line, column))
        });
    let named = |name: &str| sources.get(name).map(|(path, _)| path.clone());
    let (path, line, column) = match position {
        Some((name, line, column)) => (
            named(&name).unwrap_or_else(|| PathBuf::from(TEMPLATES_DIR).join(name)),
            line,
            column,
        ),
        None => {
            let path = sources
                .iter()
                .find(|(name, _)| full.contains(name.as_str()))
                .map(|(_, (path, _))| path.clone());
            (path.unwrap_or_else(|| PathBuf::from(TEMPLATES_DIR)), 0, 0)
        }
    };
    Diagnostic::error(path, format!("template error: {message}"))
        .at(line, column)
        .with_hint("fix the template syntax, or delete the file to use the default theme's")
}

/// The fingerprint of each article's listing summary, in article order. A summary is made from
/// its article and the site's settings alone, which the article's fingerprint covers, so
/// `known` (by article fingerprint, from an earlier build) gives most of them.
pub fn summary_fingerprints(
    site: &Site,
    calendar: &PersianCalendar,
    known: &FastMap<Fingerprint, Fingerprint>,
) -> Vec<Fingerprint> {
    use rayon::prelude::*;
    let links = Links::new(&site.config);
    site.articles
        .par_iter()
        .map(|a| {
            known
                .get(&a.fingerprint)
                .copied()
                .unwrap_or_else(|| summary_fingerprint(site, a, &links, calendar))
        })
        .collect()
}

/// The fingerprint of one article's listing summary.
pub fn summary_fingerprint(
    site: &Site,
    article: &Article,
    links: &Links,
    calendar: &PersianCalendar,
) -> Fingerprint {
    FingerprintBuilder::new()
        .json(&context::summary(site, article, links, calendar))
        .finish()
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// Renders every page of the site into `out`: articles with their short links, listings
/// with their pages, the archive, the figures page and the 404 page. `related` holds each
/// article's related articles (`Site::related_table`), `summary_fingerprints` the fingerprint
/// of each article's summary (`summary_fingerprints`). Pages whose inputs are
/// unchanged since the previous build are kept, not rendered. Returns the problems met;
/// pages that failed are not written.
pub fn render_site(
    site: &Site,
    renderer: &Renderer,
    bodies: &BodyReader,
    related: &[Vec<usize>],
    summary_fingerprints: &[Fingerprint],
    out: &dyn Output,
) -> Vec<Diagnostic> {
    let pages = pages::Pages::new(site, renderer, bodies, related, summary_fingerprints, out);
    once_per_message(pages.render_all())
}

/// Renders only the pages that show one of the articles at `touched` (indexes into
/// `site.articles`): their own pages and short links, the listing pages and related boxes
/// that list them, and the figures page. Right for an edit that left every article where it
/// was (the same address, date, desk, authors and tags, so the same listings and places in
/// them); every other page is the same as the previous build's.
pub fn render_touching(
    site: &Site,
    renderer: &Renderer,
    bodies: &BodyReader,
    related: &[Vec<usize>],
    summary_fingerprints: &[Fingerprint],
    touched: &[usize],
    out: &dyn Output,
) -> Vec<Diagnostic> {
    let pages = pages::Pages::new(site, renderer, bodies, related, summary_fingerprints, out);
    once_per_message(pages.render_touching(touched))
}

/// One broken template fails every page: report it once.
fn once_per_message(mut problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    problems.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    problems.dedup_by(|a, b| a.path == b.path && a.message == b.message);
    problems
}
