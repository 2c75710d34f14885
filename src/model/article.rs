//! A press release as the site shows it, made by `load` from one file.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::model::front_matter::FrontMatter;

/// A press release as listings, feeds' headers and structured data need it. The rendered body
/// is not part of it: it is large, and only the article's own page and the feeds need it, so
/// it lives in `Bodies` and a large site never holds every body at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Article {
    /// The source file, relative to the site root (`content/provinces/ilam.md`).
    pub source: PathBuf,
    pub front: FrontMatter,
    /// The URL slug: from `slug:` or the title, never empty.
    #[serde(deserialize_with = "crate::model::long_text::deserialize")]
    pub slug: String,
    /// The folders of the author and tag listings, one per name in `front` (made once here:
    /// every build groups the site by them).
    pub author_paths: Vec<String>,
    pub tag_paths: Vec<String>,
    /// The body's first paragraph as plain text: the summary when the front matter has no
    /// lead (empty when it has one).
    #[serde(deserialize_with = "crate::model::long_text::deserialize")]
    pub first_paragraph: String,
    pub word_count: usize,
    /// The source text together with the settings it was parsed with: equal fingerprints
    /// mean an equal article and body.
    pub fingerprint: Fingerprint,
    /// Of what the sitemaps and redirects show of it (`address_fingerprint`), of its row in
    /// `metrics.csv` (`metrics_fingerprint`), of its record in `data/articles.json`
    /// (`record_fingerprint`) and of what related releases are chosen by
    /// (`related_fingerprint`), made once here: every build combines the site's, and hashing
    /// them all again took 17 ms of a one-edit build of 10,000 releases.
    pub address_fingerprint: Fingerprint,
    pub metrics_fingerprint: Fingerprint,
    pub record_fingerprint: Fingerprint,
    pub related_fingerprint: Fingerprint,
    /// Where `id:` and the slug's source stand, for diagnostics that compare files.
    pub(crate) id_line: usize,
    pub(crate) slug_line: usize,
}

/// Of what decides an article's address and its places in the listings: its code, slug,
/// dates, desk, authors and tags. An edit to a body or a lead leaves it unchanged.
pub(crate) fn address_fingerprint(front: &FrontMatter, slug: &str) -> Fingerprint {
    let mut f = FingerprintBuilder::new();
    f.u64(front.id)
        .str(slug)
        .str(&front.date.to_string())
        .str(&front.updated.map(|t| t.to_string()).unwrap_or_default())
        .str(&front.desk)
        .json(&front.authors)
        .json(&front.tags);
    f.finish()
}

/// Of an article's figures and what `metrics.csv` shows beside them: its code, slug, date
/// and desk.
pub(crate) fn metrics_fingerprint(front: &FrontMatter, slug: &str) -> Fingerprint {
    let mut f = FingerprintBuilder::new();
    f.u64(front.id)
        .str(slug)
        .str(&front.date.to_string())
        .str(&front.desk)
        .json(&front.metrics);
    f.finish()
}

/// Of what an article's record in `data/articles.json` is made of: everything it shows but the
/// body, which an edit to a sentence changes without changing the record (unless it changes
/// the word count or the first paragraph a lead-less release is summarized by). Its address
/// and figures come as their fingerprints, made already.
pub(crate) fn record_fingerprint(
    front: &FrontMatter,
    address: Fingerprint,
    metrics: Fingerprint,
    first_paragraph: &str,
    word_count: usize,
) -> Fingerprint {
    let mut f = FingerprintBuilder::new();
    f.fingerprint(address)
        .fingerprint(metrics)
        .str(&front.title)
        .str(front.lead.as_deref().unwrap_or(first_paragraph))
        .u64(u64::from(front.lead.is_some()))
        .u64(word_count as u64);
    f.finish()
}

/// Of what related releases are chosen by: the code, date, desk and tags.
pub(crate) fn related_fingerprint(front: &FrontMatter) -> Fingerprint {
    let mut f = FingerprintBuilder::new();
    f.u64(front.id)
        .u64(front.date.as_nanosecond() as u64)
        .str(&front.desk)
        .u64(front.tags.len() as u64);
    for tag in &front.tags {
        f.str(tag);
    }
    f.finish()
}

/// Words a Persian reader reads in a minute, for the reading time shown on articles.
const WORDS_PER_MINUTE: usize = 200;

impl Article {
    /// The lead, or else the body's first paragraph.
    pub fn summary(&self) -> &str {
        self.front.lead.as_deref().unwrap_or(&self.first_paragraph)
    }

    pub fn reading_minutes(&self) -> usize {
        self.word_count.div_ceil(WORDS_PER_MINUTE).max(1)
    }

    /// Whether `other`, an edit of this release, leaves it where it was in the site: the
    /// same file, news code, date, draft state, desk, authors and tags, so the same listings
    /// and the same places in them. (Its address may differ, with its slug.)
    pub fn same_place(&self, other: &Article) -> bool {
        self.source == other.source
            && self.front.id == other.front.id
            && self.front.date == other.front.date
            && self.front.draft == other.front.draft
            && self.front.desk == other.front.desk
            && self.front.authors == other.front.authors
            && self.front.tags == other.front.tags
    }

    /// Whether `other` has the same slug, from the same line: what the diagnostics comparing
    /// slugs across files depend on.
    pub fn same_slug(&self, other: &Article) -> bool {
        (&self.slug, self.slug_line) == (&other.slug, other.slug_line)
    }
}

/// A release just parsed: the article and its body's HTML.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub article: Article,
    pub body: String,
}
