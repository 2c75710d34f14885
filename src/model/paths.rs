//! Where pages live: the addresses of articles, listings and the site's other pages,
//! relative to the site root. Addresses are forever: change one only with a redirect.

use crate::model::article::Article;
use crate::model::site::{Listing, ListingKind};
use crate::persian::slugify;

/// The folder of an article, relative to the site root: `news/1402070912/کاهش-حوادث-کار/`.
pub fn article_path(article: &Article) -> String {
    article.path()
}

pub fn author_path(name: &str) -> String {
    format!("author/{}/", slugify(name))
}

pub fn tag_path(name: &str) -> String {
    format!("tag/{}/", slugify(name))
}

pub fn desk_path(key: &str) -> String {
    format!("desk/{key}/")
}

/// The short link of an article: `n/1402070912/`, redirecting to the article.
pub fn short_link_path(id: u64) -> String {
    format!("news/{id}/")
}

pub const ARCHIVE_PATH: &str = "archive/";
pub const FIGURES_PATH: &str = "figures/";

/// The listings that have feeds: the home page, desks, authors and tags.
pub fn has_feed(listing: &Listing) -> bool {
    listing.kind != ListingKind::Month
}

pub fn archive_year_path(year: i32) -> String {
    format!("archive/{year}/")
}

pub fn archive_month_path(year: i32, month: u8) -> String {
    format!("archive/{year}/{month:02}/")
}

/// The search page's folder.
pub const SEARCH_PATH: &str = "search/";
