//! `sitemap.xml` (split into parts under a sitemap index when the site outgrows one file),
//! `news-sitemap.xml` for news aggregators (the last 48 hours), and `robots.txt` naming them.

use std::fmt::Write;

use jiff::{SignedDuration, Timestamp};

use super::PublishOptions;
use super::xml::escape;
use crate::model::diagnostic::Diagnostic;
use crate::model::fingerprint::Fingerprint;
use crate::model::links::Links;
use crate::model::paths;
use crate::model::site::Site;
use crate::write::output::{Output, emit};

/// The most URLs one sitemap file may hold (sitemaps.org).
pub const MAX_URLS_PER_FILE: usize = 50_000;
/// How far back the news sitemap reaches (Google News).
const NEWS_WINDOW: SignedDuration = SignedDuration::from_hours(48);

/// One URL of the sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub loc: String,
    pub lastmod: Option<Timestamp>,
}

/// `addresses`: the fingerprint of what the sitemaps are made of (`addresses_fingerprint`).
pub fn write(
    site: &Site,
    links: &Links,
    options: &PublishOptions,
    addresses: Fingerprint,
    out: &dyn Output,
) -> Vec<Result<(), Diagnostic>> {
    let mut results = Vec::new();
    let paths = sitemap_paths(entry_count(site), MAX_URLS_PER_FILE);
    let write_sitemaps = !options.defer_whole_site;
    results.extend(write_sitemaps.then(|| {
        super::write_group(out, &paths, addresses, || {
            let files = sitemap_files(&entries(site, links), links, MAX_URLS_PER_FILE);
            debug_assert_eq!(
                files.iter().map(|(p, _)| p).collect::<Vec<_>>(),
                paths.iter().collect::<Vec<_>>()
            );
            Ok(files
                .into_iter()
                .map(|(path, xml)| (path, xml.into_bytes()))
                .collect())
        })
    }));
    results.push(emit(
        out,
        "news-sitemap.xml",
        news_sitemap(site, links, options.now).into_bytes(),
    ));
    if !options.own_robots_txt {
        let robots = format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\nSitemap: {}\n",
            links.uri("sitemap.xml"),
            links.uri("news-sitemap.xml")
        );
        results.push(emit(out, "robots.txt", robots.into_bytes()));
    }
    results
}

/// Every indexable page: articles (with their last change), listings and their pages, the
/// archive and the figures page. Short links and the 404 page are left out.
pub fn entries(site: &Site, links: &Links) -> Vec<Entry> {
    let mut entries: Vec<Entry> = site
        .articles
        .iter()
        .map(|a| {
            let address = a.address();
            Entry {
                loc: links.uri(&address.path),
                lastmod: Some(address.lastmod),
            }
        })
        .collect();
    for listing in site.all_listings() {
        for page in listing.pages(site.config.page_size) {
            let newest = listing.articles[page.items.clone()]
                .iter()
                .map(|&i| site.articles[i].lastmod())
                .max();
            entries.push(Entry {
                loc: links.uri(&listing.page_path(page.number)),
                lastmod: newest,
            });
        }
    }
    entries.push(Entry {
        loc: links.uri(paths::ARCHIVE_PATH),
        lastmod: None,
    });
    for year in &site.archive {
        entries.push(Entry {
            loc: links.uri(&year.path),
            lastmod: None,
        });
    }
    entries.push(Entry {
        loc: links.uri(paths::FIGURES_PATH),
        lastmod: None,
    });
    entries
}

/// How many URLs `entries` lists, without making them.
fn entry_count(site: &Site) -> usize {
    let listing_pages: usize = site
        .all_listings()
        .map(|l| l.articles.len().div_ceil(site.config.page_size).max(1))
        .sum();
    site.articles.len() + listing_pages + 1 + site.archive.len() + 1
}

/// The names `sitemap_files` gives its files for `count` URLs.
pub fn sitemap_paths(count: usize, max_per_file: usize) -> Vec<String> {
    if count <= max_per_file {
        return vec!["sitemap.xml".to_string()];
    }
    std::iter::once("sitemap.xml".to_string())
        .chain((1..=count.div_ceil(max_per_file)).map(|n| format!("sitemap-{n}.xml")))
        .collect()
}

/// The sitemap files: one `sitemap.xml` urlset, or, past `max_per_file` URLs, a sitemap index
/// in `sitemap.xml` naming `sitemap-1.xml`, `sitemap-2.xml`, ...
pub fn sitemap_files(
    entries: &[Entry],
    links: &Links,
    max_per_file: usize,
) -> Vec<(String, String)> {
    if entries.len() <= max_per_file {
        return vec![("sitemap.xml".to_string(), urlset(entries))];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (n, part) in entries.chunks(max_per_file).enumerate() {
        let name = format!("sitemap-{}.xml", n + 1);
        let _ = writeln!(
            index,
            "<sitemap><loc>{}</loc></sitemap>",
            escape(&links.uri(&name))
        );
        files.push((name, urlset(part)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".to_string(), index));
    files
}

fn urlset(entries: &[Entry]) -> String {
    let mut out = String::with_capacity(entries.len() * 160 + 128);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for e in entries {
        match e.lastmod {
            Some(t) => {
                let _ = writeln!(
                    out,
                    "<url><loc>{}</loc><lastmod>{t}</lastmod></url>",
                    escape(&e.loc)
                );
            }
            None => {
                let _ = writeln!(out, "<url><loc>{}</loc></url>", escape(&e.loc));
            }
        }
    }
    out.push_str("</urlset>\n");
    out
}

/// The Google News sitemap: articles published in the 48 hours before `now`.
fn news_sitemap(site: &Site, links: &Links, now: Timestamp) -> String {
    let since = now
        .checked_sub(NEWS_WINDOW)
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    for a in site
        .articles
        .iter()
        .filter(|a| a.front.date > since && a.front.date <= now)
    {
        let _ = writeln!(
            out,
            "<url><loc>{}</loc><news:news><news:publication><news:name>{}</news:name><news:language>fa</news:language></news:publication><news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>",
            escape(&links.uri(&paths::article_path(a))),
            escape(&site.config.title),
            a.front.date,
            escape(&a.front.title)
        );
    }
    out.push_str("</urlset>\n");
    out
}
