//! What templates see. Each page gets a small context: a listing page gets the summaries of
//! its own page of items, never the whole site, so build time grows linearly with the site.

use serde::Serialize;

use crate::model::article::Article;
use crate::model::config::SiteConfig;
use crate::model::front_matter::Metric;
use crate::model::links::Links;
use crate::model::paths;
use crate::model::site::{ArchiveYear, Listing, ListingKind, Page, Site};
use crate::persian::{JalaliFormat, PersianCalendar};

#[derive(Serialize)]
pub struct SiteContext {
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub base_path: String,
    pub lang: &'static str,
    pub dir: &'static str,
    pub desks: Vec<NamedLink>,
    pub archive_url: String,
    /// The fingerprinted stylesheet's link.
    pub stylesheet: String,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize, Clone)]
pub struct NamedLink {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct ImageContext {
    pub src: String,
    /// For OpenGraph and structured data.
    pub absolute: String,
    pub alt: String,
    pub caption: Option<String>,
}

/// What a listing shows of an article.
#[derive(Serialize)]
pub struct SummaryContext {
    pub id: u64,
    pub title: String,
    pub url: String,
    pub summary: String,
    /// RFC 3339, for `<time datetime>` and the `jalali` filter.
    pub date: String,
    /// The date as listings show it (`۹ مهر ۱۴۰۲`, the filter's `long` form): made once per
    /// article rather than once for every page that lists it, which was 3 % of a build.
    pub jalali_date: String,
    pub desk: NamedLink,
    pub authors: Vec<NamedLink>,
    pub image: Option<ImageContext>,
}

#[derive(Serialize)]
pub struct ArticleContext {
    #[serde(flatten)]
    pub summary: SummaryContext,
    pub lead: Option<String>,
    pub updated: Option<String>,
    pub tags: Vec<NamedLink>,
    pub metrics: Vec<Metric>,
    pub body: String,
    pub word_count: usize,
    pub reading_minutes: usize,
    pub permalink: String,
    /// The short link (`/news/<id>/`), as a link and as the absolute URL shown to readers.
    pub short_link: String,
    pub short_url: String,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The archive index (every year) or one year's page.
#[derive(Serialize)]
pub struct ArchiveYearContext {
    pub year: i32,
    pub url: String,
    pub total: usize,
    pub months: Vec<ArchiveMonthContext>,
}

#[derive(Serialize)]
pub struct ArchiveMonthContext {
    pub name: String,
    pub url: String,
    pub total: usize,
}

pub fn archive_year(year: &ArchiveYear, links: &Links) -> ArchiveYearContext {
    ArchiveYearContext {
        year: year.year,
        url: links.link(&year.path),
        total: year.articles(),
        months: year
            .months
            .iter()
            .map(|m| ArchiveMonthContext {
                name: m.name.clone(),
                url: links.link(&m.path),
                total: m.articles.len(),
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub struct PageContext {
    pub title: String,
    pub description: String,
    /// Absolute URL, for `<link rel="canonical">`.
    pub canonical: String,
    /// The feeds of what this page lists, for `<link rel="alternate">`.
    pub feeds: Option<FeedLinks>,
}

#[derive(Serialize)]
pub struct FeedLinks {
    pub rss: String,
    pub atom: String,
}

/// A key figure on the figures page, with the release it comes from.
#[derive(Serialize)]
pub struct FigureContext {
    pub metric: Metric,
    pub article: SummaryContext,
}

#[derive(Serialize)]
pub struct ListingContext {
    pub kind: &'static str,
    pub name: String,
    pub description: String,
    pub url: String,
    pub total: usize,
}

#[derive(Serialize)]
pub struct PaginationContext {
    pub number: usize,
    pub count: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// The pages to link: the first, the last and those near the current one; `None` marks
    /// a gap.
    pub links: Vec<Option<PageLink>>,
}

#[derive(Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
}

pub fn site_context(config: &SiteConfig, links: &Links, stylesheet_path: &str) -> SiteContext {
    SiteContext {
        title: config.title.clone(),
        description: config.description.clone(),
        base_url: config.base_url.clone(),
        base_path: config.base_path.clone(),
        lang: "fa",
        dir: "rtl",
        desks: config
            .desks
            .iter()
            .map(|d| NamedLink {
                name: d.name.clone(),
                url: links.link(&paths::desk_path(&d.key)),
            })
            .collect(),
        archive_url: links.link(paths::ARCHIVE_PATH),
        stylesheet: links.link(stylesheet_path),
        extra: config.extra.clone(),
    }
}

pub fn summary(
    site: &Site,
    article: &Article,
    links: &Links,
    calendar: &PersianCalendar,
) -> SummaryContext {
    let desk = site.desk_of(article);
    SummaryContext {
        id: article.front.id,
        title: article.front.title.clone(),
        url: links.link(&paths::article_path(article)),
        summary: article.summary().to_string(),
        date: article.front.date.to_string(),
        jalali_date: calendar.format(article.front.date, JalaliFormat::Long),
        desk: NamedLink {
            name: desk.map_or_else(|| article.front.desk.clone(), |d| d.name.clone()),
            url: links.link(&paths::desk_path(&article.front.desk)),
        },
        // The folders were made with the article: slugging names again for every page that
        // lists it was a visible part of rendering a large site.
        authors: article
            .front
            .authors
            .iter()
            .zip(&article.author_paths)
            .map(|(a, path)| NamedLink {
                name: a.clone(),
                url: links.link(path),
            })
            .collect(),
        image: article.front.image.as_ref().map(|img| ImageContext {
            src: links.asset(&img.src),
            absolute: links.absolute_asset(&img.src),
            alt: img.alt.clone(),
            caption: img.caption.clone(),
        }),
    }
}

pub fn article(
    site: &Site,
    article: &Article,
    body: &str,
    links: &Links,
    calendar: &PersianCalendar,
) -> ArticleContext {
    ArticleContext {
        summary: summary(site, article, links, calendar),
        lead: article.front.lead.clone(),
        updated: article.front.updated.map(|t| t.to_string()),
        tags: article
            .front
            .tags
            .iter()
            .zip(&article.tag_paths)
            .map(|(t, path)| NamedLink {
                name: t.clone(),
                url: links.link(path),
            })
            .collect(),
        metrics: article.front.metrics.clone(),
        body: body.to_string(),
        word_count: article.word_count,
        reading_minutes: article.reading_minutes(),
        permalink: links.absolute(&paths::article_path(article)),
        short_link: links.link(&paths::short_link_path(article.front.id)),
        short_url: links.absolute(&paths::short_link_path(article.front.id)),
        extra: article.front.extra.clone(),
    }
}

pub fn listing(listing: &Listing, links: &Links) -> ListingContext {
    ListingContext {
        kind: match listing.kind {
            ListingKind::Home => "home",
            ListingKind::Desk => "desk",
            ListingKind::Author => "author",
            ListingKind::Tag => "tag",
            ListingKind::Month => "month",
        },
        name: listing.name.clone(),
        description: listing.description.clone(),
        url: links.link(&listing.path),
        total: listing.articles.len(),
    }
}

pub fn pagination(listing: &Listing, page: &Page, links: &Links) -> PaginationContext {
    let url = |n: usize| links.link(&listing.page_path(n));
    // Only the pages near the current one, so a listing of thousands of pages costs the same
    // per page as a short one.
    let mut numbers: Vec<usize> = vec![1, page.count];
    numbers.extend(page.number.saturating_sub(2).max(1)..=(page.number + 2).min(page.count));
    numbers.sort_unstable();
    numbers.dedup();
    let mut shown: Vec<Option<PageLink>> = Vec::new();
    for (i, &n) in numbers.iter().enumerate() {
        if i > 0 && n > numbers[i - 1] + 1 {
            shown.push(None);
        }
        shown.push(Some(PageLink {
            number: n,
            url: url(n),
            current: n == page.number,
        }));
    }
    PaginationContext {
        number: page.number,
        count: page.count,
        previous: (page.number > 1).then(|| url(page.number - 1)),
        next: (page.number < page.count).then(|| url(page.number + 1)),
        links: shown,
    }
}

/// A plain share link: no third-party script, the reader's own app opens it.
#[derive(Serialize)]
pub struct ShareLink {
    /// `telegram`, `whatsapp`, `eitaa`, `bale`, `rubika` or `x`; the theme names them.
    pub key: &'static str,
    pub url: String,
}

/// Share addresses of the messengers Persian readers use, with `{url}` and `{text}` filled in.
const SHARE_TARGETS: [(&str, &str); 6] = [
    ("telegram", "https://t.me/share/url?url={url}&text={text}"),
    ("whatsapp", "https://wa.me/?text={text}%20{url}"),
    ("eitaa", "https://eitaa.com/share/url?url={url}&text={text}"),
    ("bale", "https://ble.ir/share/url?url={url}&text={text}"),
    (
        "rubika",
        "https://rubika.ir/share/url?url={url}&text={text}",
    ),
    ("x", "https://x.com/intent/post?url={url}&text={text}"),
];

pub fn share_links(article: &Article, links: &Links) -> Vec<ShareLink> {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let url = links.uri(&paths::short_link_path(article.front.id));
    let url = utf8_percent_encode(&url, NON_ALPHANUMERIC).to_string();
    let text = utf8_percent_encode(&article.front.title, NON_ALPHANUMERIC).to_string();
    SHARE_TARGETS
        .iter()
        .map(|(key, pattern)| ShareLink {
            key,
            url: pattern.replace("{url}", &url).replace("{text}", &text),
        })
        .collect()
}

/// The newest articles of a desk, for the home page's desk sections.
#[derive(Serialize)]
pub struct DeskSection {
    pub name: String,
    pub url: String,
    pub items: Vec<tera::Value>,
}
