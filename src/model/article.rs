//! A press release as the site shows it, made by `load` from one file.

use std::path::PathBuf;

use jiff::Timestamp;
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
    /// Of what the sitemaps and redirects show of it (`address`), of its rows in
    /// `metrics.csv` and its record in `data/articles.json` (`model::record`), and of what
    /// related releases are chosen by (`related_key`): each the fingerprint of the value the
    /// output is made from (`derive_fingerprints`), made once when the release is parsed:
    /// every build combines the site's, and hashing them all again took 17 ms of a one-edit
    /// build of 10,000 releases.
    pub address_fingerprint: Fingerprint,
    pub metrics_fingerprint: Fingerprint,
    pub record_fingerprint: Fingerprint,
    pub related_fingerprint: Fingerprint,
    /// Where `id:` and the slug's source stand, for diagnostics that compare files.
    pub(crate) id_line: usize,
    pub(crate) slug_line: usize,
}

/// What the sitemaps, the redirects and the author and tag listings read of an article: they
/// take it from here, and its fingerprint is this value's, so a field they come to show is
/// added here and the fingerprint follows. An edit to a body or a lead leaves it unchanged.
#[derive(Serialize)]
pub struct Address<'a> {
    pub id: u64,
    /// The article's folder (`news/12/slug/`).
    pub path: String,
    pub date: Timestamp,
    /// When it last changed: `updated`, or else `date`.
    pub lastmod: Timestamp,
    pub desk: &'a str,
    pub authors: &'a [String],
    pub author_paths: &'a [String],
    pub tags: &'a [String],
    pub tag_paths: &'a [String],
}

/// What related releases are chosen by (`Site::related` reads it from here): the code and
/// date (the site's order), the desk and the tag listings.
#[derive(Serialize)]
pub struct RelatedKey<'a> {
    pub id: u64,
    pub date: Timestamp,
    pub desk: &'a str,
    pub tag_paths: &'a [String],
}

/// Words a Persian reader reads in a minute, for the reading time shown on articles.
const WORDS_PER_MINUTE: usize = 200;

impl Article {
    pub fn address(&self) -> Address<'_> {
        Address {
            id: self.front.id,
            path: self.path(),
            date: self.front.date,
            lastmod: self.lastmod(),
            desk: &self.front.desk,
            authors: &self.front.authors,
            author_paths: &self.author_paths,
            tags: &self.front.tags,
            tag_paths: &self.tag_paths,
        }
    }

    /// The article's folder, `news/<id>/<slug>/` (`paths` names every other folder).
    pub fn path(&self) -> String {
        format!("news/{}/{}/", self.front.id, self.slug)
    }

    /// When it last changed: `updated`, or else `date`.
    pub fn lastmod(&self) -> Timestamp {
        self.front.updated.unwrap_or(self.front.date)
    }

    pub fn related_key(&self) -> RelatedKey<'_> {
        RelatedKey {
            id: self.front.id,
            date: self.front.date,
            desk: &self.front.desk,
            tag_paths: &self.tag_paths,
        }
    }

    /// Derives the fingerprints of what each output reads of the article from the values
    /// it reads (`address`, `related_key`, and the open data's record and rows, whose
    /// fingerprints `record` gives): called once, when the release is parsed.
    pub fn derive_fingerprints(&mut self, record: (Fingerprint, Fingerprint)) {
        self.address_fingerprint = FingerprintBuilder::new().json(&self.address()).finish();
        self.related_fingerprint = FingerprintBuilder::new().json(&self.related_key()).finish();
        (self.record_fingerprint, self.metrics_fingerprint) = record;
    }

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
