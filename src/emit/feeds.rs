//! RSS 2.0 and Atom feeds for the whole site and for each desk, author and tag: the newest
//! articles with summary and full content. Dates are Gregorian, as feed readers require:
//! RFC 822 (RFC 9110 form) in RSS, RFC 3339 in Atom. Written with a small escaping writer
//! rather than the `rss`/`atom_syndication` crates, which would bring chrono and builders for
//! two fixed shapes; feedparser and xmllint check the output in CI.

use std::fmt::Write;

use jiff::Timestamp;
use jiff::fmt::rfc2822::DateTimePrinter;

use super::xml::{cdata, escape};
use crate::load::BodyReader;
use crate::model::article::Article;
use crate::model::diagnostic::Diagnostic;
use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::model::links::Links;
use crate::model::paths;
use crate::model::site::{Listing, ListingKind, Site};
use crate::write::Output;

/// Articles per feed.
pub const FEED_SIZE: usize = 50;

pub fn write(
    site: &Site,
    links: &Links,
    bodies: &BodyReader,
    out: &dyn Output,
) -> Vec<Result<(), Diagnostic>> {
    use rayon::prelude::*;
    let listings: Vec<&Listing> = site.all_listings().filter(|l| paths::has_feed(l)).collect();
    let settings = site.config.fingerprint();
    listings
        .par_iter()
        .map(|listing| write_feeds(site, settings, listing, links, bodies, out))
        .collect()
}

/// The feed files of the site.
pub fn paths(site: &Site) -> std::collections::HashSet<String> {
    site.all_listings()
        .filter(|l| paths::has_feed(l))
        .flat_map(|l| [format!("{}rss.xml", l.path), format!("{}atom.xml", l.path)])
        .collect()
}

/// The RSS and Atom feeds of one listing, unless what they are made of is unchanged.
/// `settings`: the site configuration's fingerprint.
fn write_feeds(
    site: &Site,
    settings: Fingerprint,
    listing: &Listing,
    links: &Links,
    bodies: &BodyReader,
    out: &dyn Output,
) -> Result<(), Diagnostic> {
    let entries = &listing.articles[..listing.articles.len().min(FEED_SIZE)];
    let inputs = |format: &str| {
        let mut f = FingerprintBuilder::new();
        f.fingerprint(crate::model::fingerprint::tool())
            .fingerprint(settings)
            .str(format)
            .str(&listing.path)
            .str(&listing.name)
            .str(&listing.description)
            .u64(entries.len() as u64);
        for &i in entries {
            f.fingerprint(site.articles[i].fingerprint);
        }
        f.finish()
    };
    let (rss_path, atom_path) = (
        format!("{}rss.xml", listing.path),
        format!("{}atom.xml", listing.path),
    );
    let (rss_inputs, atom_inputs) = (inputs("rss"), inputs("atom"));
    let keep_rss = out.keep(&rss_path, rss_inputs)?;
    let keep_atom = out.keep(&atom_path, atom_inputs)?;
    if keep_rss && keep_atom {
        return Ok(());
    }
    let feed = Feed::new(site, listing, links, bodies)?;
    if !keep_rss {
        out.write(&rss_path, feed.rss().into_bytes(), rss_inputs)?;
    }
    if !keep_atom {
        out.write(&atom_path, feed.atom().into_bytes(), atom_inputs)?;
    }
    Ok(())
}

struct Feed<'a> {
    site: &'a Site,
    links: &'a Links<'a>,
    title: String,
    description: String,
    /// The listing's page, absolute.
    page_url: String,
    /// The feed files, absolute, without extension.
    base: String,
    /// The newest articles, each with its body as CDATA (made once for both formats).
    articles: Vec<(&'a Article, String)>,
    /// The newest publication or update among the articles: the feed changes only when they do.
    updated: Timestamp,
}

impl<'a> Feed<'a> {
    fn new(
        site: &'a Site,
        listing: &'a Listing,
        links: &'a Links<'a>,
        bodies: &BodyReader,
    ) -> Result<Self, Diagnostic> {
        let articles = listing
            .articles
            .iter()
            .take(FEED_SIZE)
            .map(|&i| {
                let article: &Article = &site.articles[i];
                Ok((article, cdata(&bodies.body(article)?)))
            })
            .collect::<Result<Vec<_>, Diagnostic>>()?;
        let updated = articles
            .iter()
            .map(|(a, _)| a.front.updated.unwrap_or(a.front.date))
            .max()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let title = match listing.kind {
            ListingKind::Home => site.config.title.clone(),
            _ => format!("{} | {}", listing.name, site.config.title),
        };
        let description = if listing.description.is_empty() {
            &site.config.description
        } else {
            &listing.description
        };
        Ok(Feed {
            site,
            links,
            title,
            description: description.clone(),
            page_url: links.uri(&listing.path),
            base: links.uri(&listing.path),
            articles,
            updated,
        })
    }

    fn article_url(&self, article: &Article) -> String {
        self.links.uri(&paths::article_path(article))
    }

    /// The guid: the news code's short link, stable even when the title (and slug) changes.
    fn guid(&self, article: &Article) -> String {
        self.links.uri(&paths::short_link_path(article.front.id))
    }

    fn categories(&self, article: &'a Article) -> Vec<&'a str> {
        let desk = self
            .site
            .desk_of(article)
            .map_or(article.front.desk.as_str(), |d| d.name.as_str());
        std::iter::once(desk)
            .chain(article.front.tags.iter().map(String::as_str))
            .collect()
    }

    fn rss(&self) -> String {
        let date = |t: &Timestamp| {
            DateTimePrinter::new()
                .timestamp_to_rfc9110_string(t)
                .unwrap_or_default()
        };
        let mut out = String::with_capacity(4096 + self.articles.len() * 8192);
        out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        out.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n<channel>\n");
        let _ = writeln!(out, "<title>{}</title>", escape(&self.title));
        let _ = writeln!(out, "<link>{}</link>", escape(&self.page_url));
        let _ = writeln!(
            out,
            "<description>{}</description>",
            escape(&self.description)
        );
        out.push_str("<language>fa</language>\n<generator>chapar</generator>\n");
        let _ = writeln!(
            out,
            "<lastBuildDate>{}</lastBuildDate>",
            date(&self.updated)
        );
        let _ = writeln!(
            out,
            "<atom:link href=\"{}rss.xml\" rel=\"self\" type=\"application/rss+xml\"/>",
            escape(&self.base)
        );
        for (a, body) in &self.articles {
            out.push_str("<item>\n");
            let _ = writeln!(out, "<title>{}</title>", escape(&a.front.title));
            let _ = writeln!(out, "<link>{}</link>", escape(&self.article_url(a)));
            let _ = writeln!(
                out,
                "<guid isPermaLink=\"true\">{}</guid>",
                escape(&self.guid(a))
            );
            let _ = writeln!(out, "<description>{}</description>", escape(a.summary()));
            let _ = writeln!(out, "<content:encoded>{body}</content:encoded>");
            for author in &a.front.authors {
                let _ = writeln!(out, "<dc:creator>{}</dc:creator>", escape(author));
            }
            for category in self.categories(a) {
                let _ = writeln!(out, "<category>{}</category>", escape(category));
            }
            let _ = writeln!(out, "<pubDate>{}</pubDate>", date(&a.front.date));
            out.push_str("</item>\n");
        }
        out.push_str("</channel>\n</rss>\n");
        out
    }

    fn atom(&self) -> String {
        let mut out = String::with_capacity(4096 + self.articles.len() * 8192);
        out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fa\">\n");
        let _ = writeln!(out, "<title>{}</title>", escape(&self.title));
        let _ = writeln!(out, "<subtitle>{}</subtitle>", escape(&self.description));
        let _ = writeln!(out, "<id>{}</id>", escape(&self.page_url));
        let _ = writeln!(
            out,
            "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}atom.xml\"/>",
            escape(&self.base)
        );
        let _ = writeln!(
            out,
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(&self.page_url)
        );
        let _ = writeln!(out, "<updated>{}</updated>", self.updated);
        out.push_str("<generator>chapar</generator>\n");
        for (a, body) in &self.articles {
            let url = self.article_url(a);
            out.push_str("<entry>\n");
            let _ = writeln!(out, "<title>{}</title>", escape(&a.front.title));
            let _ = writeln!(out, "<id>{}</id>", escape(&self.guid(a)));
            let _ = writeln!(
                out,
                "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
                escape(&url)
            );
            let _ = writeln!(out, "<published>{}</published>", a.front.date);
            let _ = writeln!(
                out,
                "<updated>{}</updated>",
                a.front.updated.unwrap_or(a.front.date)
            );
            for (author, path) in a.front.authors.iter().zip(&a.author_paths) {
                let uri = self.links.uri(path);
                let _ = writeln!(
                    out,
                    "<author><name>{}</name><uri>{}</uri></author>",
                    escape(author),
                    escape(&uri)
                );
            }
            for category in self.categories(a) {
                let _ = writeln!(out, "<category term=\"{}\"/>", escape(category));
            }
            let _ = writeln!(out, "<summary>{}</summary>", escape(a.summary()));
            // xml:base resolves the body's site-relative links for feed readers.
            let _ = writeln!(
                out,
                "<content type=\"html\" xml:base=\"{}\">{body}</content>",
                escape(&url),
            );
            out.push_str("</entry>\n");
        }
        out.push_str("</feed>\n");
        out
    }
}
