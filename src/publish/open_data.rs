//! Open data for other newsrooms and researchers: `data/articles.json` (every article's
//! metadata and URL) and `data/metrics.csv` (one row per key figure).

use serde::Serialize;

use crate::content::{Article, Metric};
use crate::diagnostic::Diagnostic;
use crate::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::links::Links;
use crate::persian::PersianCalendar;
use crate::persian::calendar::JalaliFormat;
use crate::persian::to_latin_digits;
use crate::render::Output;
use crate::site::{self, Site};

const ARTICLES_PATH: &str = "data/articles.json";
const METRICS_PATH: &str = "data/metrics.csv";

#[derive(Serialize)]
struct ArticlesFile<'a> {
    site: SiteInfo<'a>,
    articles: Records<'a>,
}

#[derive(Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    url: &'a str,
    language: &'static str,
}

/// Every article's record, each made as it is written: at 100,000 articles the file is
/// some 180 MB, which is never held in memory.
struct Records<'a> {
    site: &'a Site,
    links: &'a Links<'a>,
    calendar: &'a PersianCalendar,
}

impl Serialize for Records<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.site.articles.len()))?;
        for article in &self.site.articles {
            seq.serialize_element(&record(self.site, self.links, self.calendar, article))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct ArticleRecord<'a> {
    id: u64,
    title: &'a str,
    lead: Option<&'a str>,
    summary: &'a str,
    url: String,
    short_url: String,
    /// RFC 3339.
    date: String,
    /// `1402/07/09`, in the site's time zone.
    jalali_date: String,
    updated: Option<String>,
    desk: DeskRecord<'a>,
    authors: &'a [String],
    tags: &'a [String],
    metrics: &'a [Metric],
    word_count: usize,
}

#[derive(Serialize)]
struct DeskRecord<'a> {
    key: &'a str,
    name: &'a str,
}

/// `articles`: the fingerprint of the site's articles, which `articles.json` is made of. Both
/// files are written as they are made.
pub fn write(
    site: &Site,
    links: &Links,
    calendar: &PersianCalendar,
    articles: Fingerprint,
    out: &dyn Output,
) -> Result<(), Diagnostic> {
    if !out.keep(ARTICLES_PATH, articles)? {
        let file = ArticlesFile {
            site: SiteInfo {
                title: &site.config.title,
                url: &site.config.base_url,
                language: "fa",
            },
            articles: Records {
                site,
                links,
                calendar,
            },
        };
        out.write_streamed(ARTICLES_PATH, articles, &mut |w| {
            serde_json::to_writer_pretty(w, &file).map_err(std::io::Error::other)
        })?;
    }
    let metrics = metrics_fingerprint(site);
    if !out.keep(METRICS_PATH, metrics)? {
        out.write_streamed(METRICS_PATH, metrics, &mut |w| {
            metrics_csv(site, links, calendar, w).map_err(std::io::Error::other)
        })?;
    }
    Ok(())
}

fn record<'a>(
    site: &'a Site,
    links: &Links,
    calendar: &PersianCalendar,
    a: &'a Article,
) -> ArticleRecord<'a> {
    ArticleRecord {
        id: a.front.id,
        title: &a.front.title,
        lead: a.front.lead.as_deref(),
        summary: a.summary(),
        url: links.uri(&site::article_path(a)),
        short_url: links.uri(&site::short_link_path(a.front.id)),
        date: a.front.date.to_string(),
        jalali_date: to_latin_digits(&calendar.format(a.front.date, JalaliFormat::Short)),
        updated: a.front.updated.map(|t| t.to_string()),
        desk: DeskRecord {
            key: &a.front.desk,
            name: site
                .desk_of(a)
                .map_or(a.front.desk.as_str(), |d| d.name.as_str()),
        },
        authors: &a.front.authors,
        tags: &a.front.tags,
        metrics: &a.front.metrics,
        word_count: a.word_count,
    }
}

/// Of what the rows of `metrics.csv` are made of: an edit to a body or a lead leaves it
/// unchanged, and the file is not made again.
fn metrics_fingerprint(site: &Site) -> Fingerprint {
    let mut f = FingerprintBuilder::new();
    f.fingerprint(crate::fingerprint::tool())
        .fingerprint(site.config.fingerprint());
    for a in site.articles.iter().filter(|a| !a.front.metrics.is_empty()) {
        f.u64(a.front.id)
            .str(&a.slug)
            .str(&a.front.date.to_string())
            .str(&a.front.desk)
            .json(&a.front.metrics);
    }
    f.finish()
}

/// One row per key figure.
fn metrics_csv(
    site: &Site,
    links: &Links,
    calendar: &PersianCalendar,
    out: &mut dyn std::io::Write,
) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
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
    ])?;
    for article in site.articles.iter().filter(|a| !a.front.metrics.is_empty()) {
        let a = record(site, links, calendar, article);
        for m in a.metrics {
            writer.write_record([
                a.id.to_string().as_str(),
                &a.date,
                &a.jalali_date,
                a.desk.key,
                &m.label,
                m.value.as_str(),
                m.unit.as_deref().unwrap_or(""),
                m.change.as_ref().map_or("", |c| c.as_str()),
                m.period.as_deref().unwrap_or(""),
                &a.url,
            ])?;
        }
    }
    writer.flush()?;
    Ok(())
}
