//! Everything besides HTML pages that readers' machines consume: feeds, sitemaps and
//! robots.txt, open data, and the redirect list for short links. Each module writes its files
//! through the same output as the pages.

pub mod feeds;
pub mod open_data;
pub mod redirects;
pub mod sitemap;
mod xml;

use jiff::Timestamp;

use crate::content::BodyReader;
use crate::diagnostic::Diagnostic;
use crate::links::Links;
use crate::render::Output;
use crate::site::Site;

/// What the publishing step needs besides the site.
pub struct PublishOptions {
    /// The build's moment: the news sitemap lists the 48 hours before it.
    pub now: Timestamp,
    /// Whether the site ships its own `static/robots.txt` (then none is generated).
    pub own_robots_txt: bool,
}

pub fn write_all(
    site: &Site,
    options: &PublishOptions,
    bodies: &BodyReader,
    out: &dyn Output,
) -> Vec<Diagnostic> {
    let links = Links::new(&site.config);
    let mut results = Vec::new();
    results.extend(feeds::write(site, &links, bodies, out));
    results.extend(sitemap::write(site, &links, options, out));
    results.extend(open_data::write(site, &links, out));
    results.push(redirects::write(site, &links, out));
    results.into_iter().filter_map(Result::err).collect()
}
