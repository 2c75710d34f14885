//! Everything besides HTML pages that readers' machines consume: feeds, sitemaps and
//! robots.txt, open data, and the redirect list for short links. Each module writes its files
//! through the same output as the pages.

pub mod feeds;
pub mod open_data;
pub mod redirects;
pub mod render;
pub mod search;
pub mod sitemap;
mod xml;

use std::sync::Arc;

use jiff::Timestamp;

use crate::load::BodyReader;
use crate::model::diagnostic::Diagnostic;
use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::model::links::Links;
use crate::model::site::Site;
use crate::persian::PersianCalendar;
use crate::write::Output;

/// What the publishing step needs besides the site.
pub struct PublishOptions {
    /// The build's moment: the news sitemap lists the 48 hours before it.
    pub now: Timestamp,
    /// Whether the site ships its own `static/robots.txt` (then none is generated).
    pub own_robots_txt: bool,
    /// The site's calendar, with its formatters built once.
    pub calendar: Arc<PersianCalendar>,
    /// Leave the files for machines (feeds, sitemaps, open data, redirects) to a later build:
    /// `serve` shows an edited page first and remakes them right after.
    pub defer_whole_site: bool,
}

/// Whether `path` is one of the files `defer_whole_site` leaves for later.
pub fn is_whole_site_file(path: &str) -> bool {
    path == "sitemap.xml"
        || (path.starts_with("sitemap-") && path.ends_with(".xml"))
        || path.starts_with("data/")
        || path == "_redirects"
}

/// What publishing gave besides its files.
pub struct Published {
    pub problems: Vec<Diagnostic>,
    /// Where the records of the `data/articles.json` just written are, if one was.
    pub record_spans: Option<open_data::RecordSpans>,
}

/// `record_spans`: where the records of the previous build's `data/articles.json` are.
pub fn write_all(
    site: &Site,
    options: &PublishOptions,
    bodies: &BodyReader,
    out: &dyn Output,
    record_spans: &open_data::RecordSpans,
) -> Published {
    let links = Links::new(&site.config);
    let (articles, addresses) = (articles_fingerprint(site), addresses_fingerprint(site));
    let mut results = Vec::new();
    let mut written_spans = None;
    results.extend(sitemap::write(site, &links, options, addresses, out));
    if !options.defer_whole_site {
        results.extend(feeds::write(site, &links, bodies, out));
        let open_data = open_data::write(site, articles, out, record_spans);
        results.push(open_data.map(|spans| written_spans = spans));
        results.push(redirects::write(site, &links, addresses, out));
    }
    Published {
        problems: results.into_iter().filter_map(Result::err).collect(),
        record_spans: written_spans,
    }
}

/// Of every published article's record in `data/articles.json`, in order, with the
/// settings. An edit to a sentence that leaves the word count (and a lead-less release's first
/// paragraph) alone leaves it unchanged, and the file is not made again.
fn articles_fingerprint(site: &Site) -> Fingerprint {
    let mut f = FingerprintBuilder::new();
    f.fingerprint(crate::model::fingerprint::tool())
        .fingerprint(site.config.fingerprint())
        .u64(site.articles.len() as u64);
    for a in &site.articles {
        f.fingerprint(a.record_fingerprint);
    }
    f.finish()
}

/// Of what decides the site's addresses and their dates: each article's code, slug, dates,
/// desk, authors and tags (which make the listings), with the settings. An edit to a body or
/// a lead leaves it unchanged, and with it the sitemaps and redirects.
fn addresses_fingerprint(site: &Site) -> Fingerprint {
    let mut f = FingerprintBuilder::new();
    f.fingerprint(crate::model::fingerprint::tool())
        .fingerprint(site.config.fingerprint())
        .u64(site.articles.len() as u64);
    for a in &site.articles {
        f.fingerprint(a.address_fingerprint);
    }
    f.finish()
}

/// Writes the files `make` makes from inputs with fingerprint `inputs`, at `paths`. Files the
/// previous build made from the same inputs are kept; `make` runs only when one is not.
fn write_group(
    out: &dyn Output,
    paths: &[String],
    inputs: Fingerprint,
    make: impl FnOnce() -> Result<Vec<(String, Vec<u8>)>, Diagnostic>,
) -> Result<(), Diagnostic> {
    let mut kept = Vec::new();
    for path in paths {
        if out.keep(path, inputs)? {
            kept.push(path);
        }
    }
    if kept.len() == paths.len() {
        return Ok(());
    }
    for (path, bytes) in make()? {
        if !kept.contains(&&path) {
            out.write(&path, bytes, inputs)?;
        }
    }
    Ok(())
}
