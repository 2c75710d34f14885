//! One function per kind of page: each builds its small context, renders its template and
//! hands the bytes to the sink.

use rayon::prelude::*;
use tera::{Context, Value};

use super::context::{self, NamedLink, PageContext};
use super::{Renderer, Sink, chart, structured_data};
use crate::content::Article;
use crate::diagnostic::Diagnostic;
use crate::links::Links;
use crate::search;
use crate::site::{self, ArchiveYear, Listing, Page, Site};

/// How many key figures the figures page lists, newest first.
const FIGURES_SHOWN: usize = 60;
/// Related releases under an article.
const RELATED_SHOWN: usize = 4;
/// Releases in each desk section of the home page.
const DESK_SECTION_SIZE: usize = 4;

pub(super) struct Pages<'a> {
    site: &'a Site,
    renderer: &'a Renderer,
    sink: &'a Sink<'a>,
    links: Links<'a>,
    /// Every article's listing summary, built once and shared by all listing pages.
    summaries: Vec<Value>,
}

type PageResult = Result<(), Diagnostic>;

impl<'a> Pages<'a> {
    pub fn new(site: &'a Site, renderer: &'a Renderer, sink: &'a Sink<'a>) -> Self {
        let links = Links::new(&site.config);
        let summaries = site
            .articles
            .par_iter()
            .map(|a| Value::from_serializable(&context::summary(site, a, &links)))
            .collect();
        Pages {
            site,
            renderer,
            sink,
            links,
            summaries,
        }
    }

    pub fn render_all(&self) -> Vec<Diagnostic> {
        let articles = self
            .site
            .articles
            .par_iter()
            .map(|a| self.article(a).and(self.short_link(a)));
        let listing_pages: Vec<(&Listing, Page)> = self
            .site
            .all_listings()
            .flat_map(|l| {
                l.pages(self.site.config.page_size)
                    .into_iter()
                    .map(move |p| (l, p))
            })
            .collect();
        let listings = listing_pages.par_iter().map(|(l, p)| self.listing(l, p));
        let years: Vec<Option<&ArchiveYear>> = std::iter::once(None)
            .chain(self.site.archive.iter().map(Some))
            .collect();
        let archives = years.par_iter().map(|y| self.archive(*y));
        let singles = [Self::figures, Self::not_found, Self::search];
        let singles = singles.par_iter().map(|page| page(self));
        articles
            .chain(listings)
            .chain(archives)
            .chain(singles)
            .filter_map(Result::err)
            .collect()
    }

    fn write(&self, template: &str, path: &str, ctx: &Context) -> PageResult {
        let html = self.renderer.render(template, ctx)?;
        (self.sink)(path, html)
    }

    fn page(&self, title: &str, description: &str, path: &str) -> PageContext {
        PageContext {
            title: title.to_string(),
            description: description.to_string(),
            canonical: self.links.absolute(path),
            feeds: None,
        }
    }

    /// The article's position in `site.articles` (sorted newest first, then by code).
    fn index_of(&self, article: &Article) -> usize {
        let key = |a: &Article| std::cmp::Reverse((a.front.date, a.front.id));
        self.site
            .articles
            .binary_search_by_key(&key(article), key)
            .unwrap_or(0)
    }

    fn desk_sections(&self) -> Vec<context::DeskSection> {
        self.site
            .desks
            .iter()
            .filter(|d| !d.articles.is_empty())
            .map(|d| context::DeskSection {
                name: d.name.clone(),
                url: self.links.link(&d.path),
                items: d
                    .articles
                    .iter()
                    .take(DESK_SECTION_SIZE)
                    .map(|&i| self.summaries[i].clone())
                    .collect(),
            })
            .collect()
    }

    fn article(&self, article: &Article) -> PageResult {
        let path = site::article_path(article);
        let mut ctx = Context::new();
        ctx.insert(
            "page",
            &self.page(&article.front.title, article.summary(), &path),
        );
        ctx.insert(
            "article",
            &context::article(self.site, article, &self.links),
        );
        ctx.insert(
            "chart",
            &chart::chart(&article.front.metrics, &self.renderer.numbers),
        );
        ctx.insert("share", &context::share_links(article, &self.links));
        let index = self.index_of(article);
        let related: Vec<Value> = self
            .site
            .related(index, RELATED_SHOWN)
            .into_iter()
            .map(|i| self.summaries[i].clone())
            .collect();
        ctx.insert_value("related", Value::from(related));
        ctx.insert_value(
            "json_ld",
            Value::safe_string(&structured_data::news_article(
                self.site,
                article,
                &self.links,
            )),
        );
        let calendar = &self.renderer.calendar;
        if let Some((year, month)) = site::jalali_month(calendar, article) {
            let month_link = NamedLink {
                name: calendar.month_name(year, month),
                url: self.links.link(&site::archive_month_path(year, month)),
            };
            ctx.insert("archive_month", &month_link);
        }
        self.write("article.html", &format!("{path}index.html"), &ctx)
    }

    /// `/n/<id>/`: a tiny page that sends readers on to the article.
    fn short_link(&self, article: &Article) -> PageResult {
        let path = site::short_link_path(article.front.id);
        let target = site::article_path(article);
        let mut ctx = Context::new();
        ctx.insert(
            "page",
            &self.page(&article.front.title, article.summary(), &target),
        );
        ctx.insert("target", &self.links.link(&target));
        self.write("shortlink.html", &format!("{path}index.html"), &ctx)
    }

    fn listing(&self, listing: &Listing, page: &Page) -> PageResult {
        let path = listing.page_path(page.number);
        let description = if listing.description.is_empty() {
            &self.site.config.description
        } else {
            &listing.description
        };
        let mut page_ctx = self.page(&listing.name, description, &path);
        if site::has_feed(listing) {
            page_ctx.feeds = Some(context::FeedLinks {
                rss: self.links.link(&format!("{}rss.xml", listing.path)),
                atom: self.links.link(&format!("{}atom.xml", listing.path)),
            });
        }
        let mut ctx = Context::new();
        ctx.insert("page", &page_ctx);
        ctx.insert("listing", &context::listing(listing, &self.links));
        ctx.insert(
            "pagination",
            &context::pagination(listing, page, &self.links),
        );
        let items: Vec<Value> = listing.articles[page.items.clone()]
            .iter()
            .map(|&i| self.summaries[i].clone())
            .collect();
        ctx.insert_value("items", Value::from(items));
        if listing.kind == site::ListingKind::Home && page.number == 1 {
            ctx.insert("desk_sections", &self.desk_sections());
        }
        self.write("list.html", &format!("{path}index.html"), &ctx)
    }

    /// The archive index (every year), or one year's page listing its months.
    fn archive(&self, year: Option<&ArchiveYear>) -> PageResult {
        let (path, years) = match year {
            Some(y) => (y.path.clone(), vec![context::archive_year(y, &self.links)]),
            None => (
                site::ARCHIVE_PATH.to_string(),
                self.site
                    .archive
                    .iter()
                    .map(|y| context::archive_year(y, &self.links))
                    .collect(),
            ),
        };
        let mut ctx = Context::new();
        ctx.insert("page", &self.page("", &self.site.config.description, &path));
        ctx.insert("years", &years);
        ctx.insert("year", &year.map(|y| y.year));
        self.write("archive.html", &format!("{path}index.html"), &ctx)
    }

    /// The latest key figures across releases, each linking to its release.
    fn figures(&self) -> PageResult {
        let figures: Vec<context::FigureContext> = self
            .site
            .articles
            .iter()
            .flat_map(|a| a.front.metrics.iter().map(move |m| (a, m)))
            .take(FIGURES_SHOWN)
            .map(|(a, m)| context::FigureContext {
                metric: m.clone(),
                article: context::summary(self.site, a, &self.links),
            })
            .collect();
        let mut ctx = Context::new();
        ctx.insert(
            "page",
            &self.page("", &self.site.config.description, site::FIGURES_PATH),
        );
        ctx.insert("figures", &figures);
        self.write(
            "figures.html",
            &format!("{}index.html", site::FIGURES_PATH),
            &ctx,
        )
    }

    /// `/search/`: the search box and results, filled in by the theme's script from the
    /// index `crate::search` writes.
    fn search(&self) -> PageResult {
        let mut ctx = Context::new();
        ctx.insert(
            "page",
            &self.page("", &self.site.config.description, search::PAGE_PATH),
        );
        ctx.insert("search", &search::page_context(self.site, &self.links));
        self.write(
            "search.html",
            &format!("{}index.html", search::PAGE_PATH),
            &ctx,
        )
    }

    fn not_found(&self) -> PageResult {
        let mut ctx = Context::new();
        ctx.insert(
            "page",
            &self.page("", &self.site.config.description, "404.html"),
        );
        self.write("404.html", "404.html", &ctx)
    }
}
