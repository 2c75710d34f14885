//! An article as the open data shows it: its record in `data/articles.json` and its rows in
//! `data/metrics.csv`. Both are made here from the article and the settings alone, so `load`
//! fingerprints exactly what `emit::open_data` writes: a field added to `ArticleRecord` (or a
//! column to `metric_rows`) changes the fingerprint of every record it changes, and no list of
//! inputs kept by hand can fall behind it.

use serde::Serialize;

use crate::model::article::Article;
use crate::model::config::SiteConfig;
use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::model::front_matter::Metric;
use crate::model::links::Links;
use crate::model::paths;
use crate::persian::PersianCalendar;
use crate::persian::calendar::JalaliFormat;
use crate::persian::to_latin_digits;

#[derive(Serialize)]
pub struct ArticleRecord<'a> {
    pub id: u64,
    pub title: &'a str,
    pub lead: Option<&'a str>,
    pub summary: &'a str,
    pub url: String,
    pub short_url: String,
    /// RFC 3339.
    pub date: String,
    /// `1402/07/09`, in the site's time zone.
    pub jalali_date: String,
    pub updated: Option<String>,
    pub desk: DeskRecord<'a>,
    pub authors: &'a [String],
    pub tags: &'a [String],
    pub metrics: &'a [Metric],
    pub word_count: usize,
}

#[derive(Serialize)]
pub struct DeskRecord<'a> {
    pub key: &'a str,
    pub name: &'a str,
}

/// The calendar records show dates with: the site's time zone, and no "now" in it, since
/// nothing in a record may depend on the moment of the build. The one `load` fingerprints
/// records with and `emit::open_data` writes them with.
pub fn record_calendar(config: &SiteConfig) -> PersianCalendar {
    PersianCalendar::at(config.timezone.clone(), jiff::Timestamp::UNIX_EPOCH)
}

/// What a record is made with besides the article: the settings, read through these.
pub struct RecordMaker<'a> {
    pub config: &'a SiteConfig,
    pub links: Links<'a>,
    pub calendar: &'a PersianCalendar,
}

/// The columns of `metrics.csv`, in order.
pub const METRIC_COLUMNS: [&str; 10] = [
    "id",
    "date",
    "jalali_date",
    "desk",
    "label",
    "value",
    "unit",
    "change",
    "period",
    "url",
];

impl<'a> RecordMaker<'a> {
    pub fn new(config: &'a SiteConfig, calendar: &'a PersianCalendar) -> Self {
        RecordMaker {
            config,
            links: Links::new(config),
            calendar,
        }
    }

    /// An article's record. Nothing in it may depend on other articles or on the moment of
    /// the build: records are copied from one build's file to the next by their fingerprint.
    pub fn record<'b>(&self, a: &'b Article) -> ArticleRecord<'b>
    where
        'a: 'b,
    {
        ArticleRecord {
            id: a.front.id,
            title: &a.front.title,
            lead: a.front.lead.as_deref(),
            summary: a.summary(),
            url: self.links.uri(&paths::article_path(a)),
            short_url: self.links.uri(&paths::short_link_path(a.front.id)),
            date: a.front.date.to_string(),
            jalali_date: to_latin_digits(&self.calendar.format(a.front.date, JalaliFormat::Short)),
            updated: a.front.updated.map(|t| t.to_string()),
            desk: DeskRecord {
                key: &a.front.desk,
                name: self
                    .config
                    .desks
                    .iter()
                    .find(|d| d.key == a.front.desk)
                    .map_or(a.front.desk.as_str(), |d| d.name.as_str()),
            },
            authors: &a.front.authors,
            tags: &a.front.tags,
            metrics: &a.front.metrics,
            word_count: a.word_count,
        }
    }

    /// The record as `articles.json` holds it (pretty JSON, before nesting).
    pub fn record_json(&self, a: &Article) -> Vec<u8> {
        // Serializing plain strings and numbers cannot fail.
        serde_json::to_vec_pretty(&self.record(a)).unwrap_or_default()
    }

    /// The fingerprints of the record and of the metric rows, from the values written.
    pub fn fingerprints(&self, a: &Article) -> (Fingerprint, Fingerprint) {
        let record = self.record(a);
        let mut rows = FingerprintBuilder::new();
        for row in metric_rows(&record) {
            for cell in row {
                rows.str(&cell);
            }
        }
        (
            FingerprintBuilder::new().json(&record).finish(),
            rows.finish(),
        )
    }
}

/// The rows `metrics.csv` holds for one record: one per figure, in `METRIC_COLUMNS` order.
pub fn metric_rows(a: &ArticleRecord<'_>) -> impl Iterator<Item = [String; 10]> {
    a.metrics.iter().map(|m| {
        [
            a.id.to_string(),
            a.date.clone(),
            a.jalali_date.clone(),
            a.desk.key.to_string(),
            m.label.clone(),
            m.value.as_str().to_string(),
            m.unit.clone().unwrap_or_default(),
            m.change
                .as_ref()
                .map_or(String::new(), |c| c.as_str().to_string()),
            m.period.clone().unwrap_or_default(),
            a.url.clone(),
        ]
    })
}
