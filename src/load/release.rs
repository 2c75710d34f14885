//! One release file's text made into an `Article` and its body's HTML: split, front matter
//! checked, Markdown rendered, the fingerprints of what each output reads of it derived.

use std::path::PathBuf;

use super::front_matter;
use super::markdown::{self, BodyOptions};
use super::sanitize::Sanitizer;
use super::split;
use super::yaml::{Seg, YamlSource};
use crate::model::article::{Article, Parsed};
use crate::model::config::SiteConfig;
use crate::model::diagnostic::Diagnostic;
use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::model::record::RecordMaker;
use crate::persian::PersianCalendar;
use crate::persian::slugify_or;

/// What parsing a release needs from the site: its settings and the HTML sanitizer.
pub struct Parsing<'a> {
    pub config: &'a SiteConfig,
    /// `None` when the site publishes raw HTML as written.
    pub sanitizer: Option<Sanitizer>,
    /// The settings that decide what a release parses to (the whole site configuration and
    /// chapar's version): the first part of every article's fingerprint.
    pub settings: Fingerprint,
    /// What the open data's records show dates with.
    pub calendar: PersianCalendar,
}

impl<'a> Parsing<'a> {
    pub fn new(config: &'a SiteConfig) -> Self {
        let sanitizer = (!config.allow_raw_html).then(|| Sanitizer::new(&config.iframe_hosts));
        let settings = FingerprintBuilder::new()
            .fingerprint(crate::model::fingerprint::tool())
            .fingerprint(config.fingerprint())
            .finish();
        Parsing {
            config,
            sanitizer,
            settings,
            calendar: crate::model::record::record_calendar(config),
        }
    }

    pub(super) fn fingerprint(&self, bytes: &[u8]) -> Fingerprint {
        FingerprintBuilder::new()
            .fingerprint(self.settings)
            .bytes(bytes)
            .finish()
    }
}

/// Parses one release from its text. `shown` is the path used in diagnostics.
pub fn parse_article(
    shown: PathBuf,
    text: &str,
    parsing: &Parsing,
) -> (Option<Parsed>, Vec<Diagnostic>) {
    let fingerprint = parsing.fingerprint(text.as_bytes());
    parse_release(shown, text, fingerprint, parsing)
}

/// `parse_with`, with the fingerprints of what each output reads of the article derived:
/// for a release read to be loaded (a body read again for its page needs none of them).
pub(super) fn parse_release(
    shown: PathBuf,
    text: &str,
    fingerprint: Fingerprint,
    parsing: &Parsing,
) -> (Option<Parsed>, Vec<Diagnostic>) {
    let (mut parsed, diagnostics) = parse_with(shown, text, fingerprint, parsing);
    if let Some(parsed) = &mut parsed {
        let article = &mut parsed.article;
        let records = RecordMaker::new(parsing.config, &parsing.calendar).fingerprints(article);
        article.derive_fingerprints(records);
    }
    (parsed, diagnostics)
}

/// Parses a release whose bytes have `fingerprint`; the fingerprints of its outputs are left
/// at zero (`parse_release` derives them).
pub(super) fn parse_with(
    shown: PathBuf,
    text: &str,
    fingerprint: Fingerprint,
    parsing: &Parsing,
) -> (Option<Parsed>, Vec<Diagnostic>) {
    let config = parsing.config;
    let text = split::normalize(text);
    let parts = match split::split(&text) {
        Ok(parts) => parts,
        Err(e) => {
            let (line, message, hint) = match e {
                split::SplitError::Empty => (
                    0,
                    "the file is empty",
                    "write a press release in it (front matter between `---` lines, then the text), or delete it",
                ),
                split::SplitError::NoFrontMatter => (
                    1,
                    "the file has no front matter",
                    "start the file with a line `---`, then the fields (title, author, desk, date, id), then another `---` line",
                ),
                split::SplitError::Unclosed => (
                    1,
                    "the front matter that starts here never closes",
                    "add a line `---` after the last field, before the text of the release",
                ),
            };
            let d = Diagnostic::error(&shown, message)
                .at(line, if line > 0 { 1 } else { 0 })
                .with_hint(hint);
            return (None, vec![d]);
        }
    };
    let source = YamlSource::new(parts.front_matter, parts.front_matter_line);
    let (front, mut diagnostics) = front_matter::parse(&shown, &source, config);
    let Some(front) = front else {
        return (None, diagnostics);
    };
    let slug_source = front.slug.as_deref().unwrap_or(&front.title);
    let slug = slugify_or(slug_source, &front.id.to_string());
    let slug_key = if front.slug.is_some() {
        "slug"
    } else {
        "title"
    };
    let body = markdown::render(
        parts.body,
        BodyOptions {
            digits: config.body_digits,
            base_path: &config.base_path,
            sanitizer: parsing.sanitizer.as_ref(),
        },
    );
    let first_paragraph = if front.lead.is_some() {
        String::new()
    } else {
        body.first_paragraph
    };
    let article = Article {
        // Derived by `parse_release`, from the article made.
        address_fingerprint: Fingerprint(0),
        metrics_fingerprint: Fingerprint(0),
        record_fingerprint: Fingerprint(0),
        related_fingerprint: Fingerprint(0),
        id_line: source.locate(&[Seg::Key("id")]).0,
        slug_line: source.locate(&[Seg::Key(slug_key)]).0,
        source: shown,
        slug,
        author_paths: front
            .authors
            .iter()
            .map(|a| crate::model::paths::author_path(a))
            .collect(),
        tag_paths: front
            .tags
            .iter()
            .map(|t| crate::model::paths::tag_path(t))
            .collect(),
        // Only the summary uses it, and only when there is no lead: a paragraph per release
        // kept for nothing was half the build state.
        first_paragraph,
        word_count: body.word_count,
        fingerprint,
        front,
    };
    for removal in &body.removed {
        let line = parts.body_line
            + parts.body[..removal.offset.min(parts.body.len())]
                .matches('\n')
                .count();
        diagnostics.push(
            Diagnostic::warning(&article.source, &removal.what)
                .at(line, 0)
.with_hint(if removal.what.starts_with("the link") {
                    "link to an http(s) address, or write the text without a link"
                } else {
                    "remove the script, event handler or frame; if every writer is trusted, set `allow_raw_html: true` in site.yaml"
                }),
        );
    }
    let parsed = Parsed {
        article,
        body: body.html,
    };
    (Some(parsed), diagnostics)
}
