//! Open data for other newsrooms and researchers: `data/articles.json` (every article's
//! metadata and URL) and `data/metrics.csv` (one row per key figure).

use rayon::prelude::*;
use serde::Serialize;

use crate::content::Metric;
use crate::diagnostic::Diagnostic;
use crate::fingerprint::Fingerprint;
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
    articles: Vec<ArticleRecord<'a>>,
}

#[derive(Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    url: &'a str,
    language: &'static str,
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

/// `articles`: the fingerprint of the site's articles, which both files are made of.
pub fn write(
    site: &Site,
    links: &Links,
    calendar: &PersianCalendar,
    articles: Fingerprint,
    out: &dyn Output,
) -> Result<(), Diagnostic> {
    let paths = [ARTICLES_PATH.to_string(), METRICS_PATH.to_string()];
    super::write_group(out, &paths, articles, || {
        let records = records(site, links, calendar);
        let file = ArticlesFile {
            site: SiteInfo {
                title: &site.config.title,
                url: &site.config.base_url,
                language: "fa",
            },
            articles: records,
        };
        let json = serde_json::to_vec_pretty(&file)
            .map_err(|e| Diagnostic::error(ARTICLES_PATH, e.to_string()))?;
        let csv = metrics_csv(&file.articles)
            .map_err(|e| Diagnostic::error(METRICS_PATH, e.to_string()))?;
        Ok(vec![
            (ARTICLES_PATH.to_string(), json),
            (METRICS_PATH.to_string(), csv),
        ])
    })
}

fn records<'a>(
    site: &'a Site,
    links: &Links,
    calendar: &PersianCalendar,
) -> Vec<ArticleRecord<'a>> {
    site.articles
        .par_iter()
        .map(|a| ArticleRecord {
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
        })
        .collect()
}

/// One row per key figure, from the article records.
fn metrics_csv(records: &[ArticleRecord]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
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
    for a in records {
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
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}
