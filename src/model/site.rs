//! The assembled newsroom's data: published articles newest first, and the listings made of
//! them (desks, authors, tags, the archive), with pagination. `assemble` makes it.

use std::ops::Range;
use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::article::Article;
use crate::model::config::SiteConfig;
use crate::model::fingerprint::Fingerprint;

/// Related releases shown under an article.
pub const RELATED_SHOWN: usize = 4;

/// What goes into the site.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    /// Include drafts and releases dated in the future (for previewing).
    pub include_drafts: bool,
    /// Releases dated after this moment are not yet published.
    pub now: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListingKind {
    Home,
    Desk,
    Author,
    Tag,
    /// A Jalali month of the archive.
    Month,
}

/// A list of articles with its own pages: the home page, a desk, an author or a tag.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Listing {
    pub kind: ListingKind,
    /// Shown to readers.
    pub name: String,
    /// The listing's folder, relative to the site root, ending with `/` (`desk/provinces/`).
    pub path: String,
    pub description: String,
    /// Indexes into `Site::articles`, newest first.
    pub articles: Vec<usize>,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// 1-based.
    pub number: usize,
    pub count: usize,
    /// The slice of the listing's `articles` shown on this page.
    pub items: Range<usize>,
}

impl Listing {
    /// The pages of this listing, at least one (an empty first page) so every listing exists.
    pub fn pages(&self, page_size: usize) -> Vec<Page> {
        let count = self.articles.len().div_ceil(page_size).max(1);
        (1..=count)
            .map(|number| {
                let start = (number - 1) * page_size;
                let end = (start + page_size).min(self.articles.len());
                Page {
                    number,
                    count,
                    items: start.min(end)..end,
                }
            })
            .collect()
    }

    /// The folder of page `number`: `desk/provinces/` for the first, then `desk/provinces/page/2/`.
    pub fn page_path(&self, number: usize) -> String {
        if number <= 1 {
            self.path.clone()
        } else {
            format!("{}page/{number}/", self.path)
        }
    }
}

pub struct Site {
    pub config: SiteConfig,
    /// Published articles, newest first (ties broken by news code, highest first).
    pub articles: Vec<Arc<Article>>,
    pub home: Listing,
    /// In the order of `site.yaml`, including desks with no article yet.
    pub desks: Vec<Listing>,
    /// Sorted by slug.
    pub authors: Vec<Listing>,
    /// Sorted by slug.
    pub tags: Vec<Listing>,
    /// Jalali years, newest first, each with its months, newest first.
    pub archive: Vec<ArchiveYear>,
    /// Of the articles' addresses, in order: what `authors` and `tags` were grouped from.
    pub(crate) addresses: Fingerprint,
}

/// A site's author and tag listings, kept for the next build: grouping the articles by each
/// name again took 3.5 ms of a one-edit build of 10,000 releases, and an edit seldom changes
/// an address.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Groups {
    /// Of the articles' addresses, in order (`addresses_of`).
    pub(crate) addresses: Fingerprint,
    pub(crate) authors: Vec<Listing>,
    pub(crate) tags: Vec<Listing>,
}

/// One Jalali year of the archive.
#[derive(Debug, Clone)]
pub struct ArchiveYear {
    pub year: i32,
    /// `archive/1402/`
    pub path: String,
    pub months: Vec<Listing>,
}

impl ArchiveYear {
    pub fn articles(&self) -> usize {
        self.months.iter().map(|m| m.articles.len()).sum()
    }
}
