//! What the `/search/` page template gets: where the index and the script are, and the
//! choices of the desk and year filters (rendered into the page, so they show before the
//! index is fetched).

use serde::Serialize;

use super::context::NamedLink;
use crate::emit::search::{INDEX_DIR, SCRIPT};
use crate::model::links::Links;
use crate::model::site::Site;

#[derive(Serialize)]
pub struct SearchPageContext {
    /// The index folder's link, ending with `/` (it carries the site's base path).
    pub index: String,
    /// The fingerprinted script's link.
    pub script: String,
    /// `name` is the desk's name, `url` its key (the filter's value).
    pub desks: Vec<NamedLink>,
    /// Jalali years that have articles, newest first.
    pub years: Vec<i32>,
}

pub fn page_context(site: &Site, links: &Links) -> SearchPageContext {
    SearchPageContext {
        index: links.link(INDEX_DIR),
        script: links.link(&SCRIPT.path),
        desks: site
            .config
            .desks
            .iter()
            .map(|d| NamedLink {
                name: d.name.clone(),
                url: d.key.clone(),
            })
            .collect(),
        years: site.archive.iter().map(|y| y.year).collect(),
    }
}
