//! One function per kind of page: each works out the fingerprint of what the page is made
//! from, keeps the previous build's page when that is unchanged, and otherwise builds its
//! small context, renders its template and hands the bytes to the output.

use std::sync::OnceLock;

use rayon::prelude::*;
use tera::{Context, Value};

use super::context::{self, NamedLink, PageContext, SummaryContext};
use super::{Renderer, chart, structured_data};
use crate::assemble;
use crate::load::BodyReader;
use crate::model::article::Article;
use crate::model::diagnostic::Diagnostic;
use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::model::links::Links;
use crate::model::paths;
use crate::model::site::{ArchiveYear, Listing, ListingKind, Page, Site};
use crate::write::output::{Output, put};

/// How many key figures the figures page lists, newest first.
const FIGURES_SHOWN: usize = 60;
/// Releases in each desk section of the home page.
const DESK_SECTION_SIZE: usize = 4;
/// How many articles' summaries are kept as template values while pages render. Each is shown
/// on about ten pages (listings, related boxes). Building the older ones again for every page
/// that shows them was the largest cost of a 100,000-release site that a 10,000 one does not
/// have (2.5 s, 6 % of its CPU).
const SUMMARIES_KEPT: usize = 25_000;
/// How many older articles' summaries are kept as plain structs, made into a value for each
/// page (which is half of that cost); the rest are built for each page. At 100,000 releases
/// this raised the peak by 27 MB, where values for all raised it by 107 MB (`chapar -v
/// build`): they live only while pages render, but the allocator keeps the pages they used.
const OLDER_SUMMARIES_KEPT: usize = 175_000;

pub(super) struct Pages<'a> {
    site: &'a Site,
    renderer: &'a Renderer,
    bodies: &'a BodyReader<'a>,
    /// Each article's related articles (`Site::related_table`).
    related: &'a [Vec<usize>],
    out: &'a dyn Output,
    links: Links<'a>,
    summaries: Summaries,
    /// The fingerprint of each summary (`summary_fingerprints`).
    summary_fingerprints: &'a [Fingerprint],
}

type PageResult = Result<(), Diagnostic>;

/// The listing summaries kept while pages render, by article index: the newest as template
/// values, each built when a page first needs it and shared by all, the next ones as plain
/// structs, and the rest not at all.
struct Summaries {
    values: Vec<OnceLock<Value>>,
    structs: Vec<OnceLock<SummaryContext>>,
}

impl Summaries {
    fn new(articles: usize, values: usize, structs: usize) -> Summaries {
        fn slots<T>(n: usize) -> Vec<OnceLock<T>> {
            (0..n).map(|_| OnceLock::new()).collect()
        }
        let values = articles.min(values);
        Summaries {
            values: slots(values),
            structs: slots((articles - values).min(structs)),
        }
    }

    /// Article `index`'s summary, made by `make` unless it is kept.
    fn get(&self, index: usize, make: impl FnOnce() -> SummaryContext) -> Value {
        if let Some(kept) = self.values.get(index) {
            return kept
                .get_or_init(|| Value::from_serializable(&make()))
                .clone();
        }
        match self.structs.get(index - self.values.len()) {
            Some(kept) => Value::from_serializable(kept.get_or_init(make)),
            None => Value::from_serializable(&make()),
        }
    }
}

impl<'a> Pages<'a> {
    pub fn new(
        site: &'a Site,
        renderer: &'a Renderer,
        bodies: &'a BodyReader<'a>,
        related: &'a [Vec<usize>],
        summary_fingerprints: &'a [Fingerprint],
        out: &'a dyn Output,
    ) -> Self {
        let links = Links::new(&site.config);
        let summaries = Summaries::new(site.articles.len(), SUMMARIES_KEPT, OLDER_SUMMARIES_KEPT);
        Pages {
            site,
            renderer,
            bodies,
            related,
            out,
            links,
            summaries,
            summary_fingerprints,
        }
    }

    fn summary(&self, index: usize) -> Value {
        self.summaries.get(index, || {
            context::summary(
                self.site,
                &self.site.articles[index],
                &self.links,
                &self.renderer.calendar,
            )
        })
    }

    /// A fingerprint of a page of `kind` at `path`, to which the caller adds the page's own
    /// inputs.
    fn inputs(&self, kind: &str, path: &str) -> FingerprintBuilder {
        let mut f = FingerprintBuilder::new();
        f.fingerprint(self.renderer.fingerprint).str(kind).str(path);
        f
    }

    fn with_summaries(&self, f: &mut FingerprintBuilder, items: &[usize]) {
        f.u64(items.len() as u64);
        for &i in items {
            f.fingerprint(self.summary_fingerprints[i]);
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

    /// See `render::render_touching`.
    pub fn render_touching(&self, touched: &[usize]) -> Vec<Diagnostic> {
        let shows_touched = |items: &[usize]| items.iter().any(|i| touched.contains(i));
        // The touched articles, and those that list one of them as related.
        let articles: Vec<(usize, &Article)> = self
            .site
            .articles
            .iter()
            .enumerate()
            .filter(|(i, _)| touched.contains(i) || shows_touched(&self.related[*i]))
            .map(|(i, a)| (i, a.as_ref()))
            .collect();
        let articles = articles.par_iter().map(|&(i, a)| {
            if touched.contains(&i) {
                self.article(a).and(self.short_link(a))
            } else {
                self.article(a)
            }
        });
        // A listing's articles are in site order, so an article's place in it is found by
        // bisection, and with it the page that shows it.
        let page_size = self.site.config.page_size;
        let mut listing_pages: Vec<(&Listing, Page)> = Vec::new();
        for listing in self.site.all_listings() {
            let mut numbers: Vec<usize> = touched
                .iter()
                .filter_map(|i| listing.articles.binary_search(i).ok())
                .map(|place| place / page_size + 1)
                .collect();
            let home_sections = listing.kind == ListingKind::Home
                && self
                    .desk_sections()
                    .iter()
                    .any(|(_, items)| shows_touched(items));
            if home_sections {
                numbers.push(1);
            }
            numbers.sort_unstable();
            numbers.dedup();
            if numbers.is_empty() {
                continue;
            }
            let pages = listing.pages(page_size);
            listing_pages.extend(numbers.into_iter().map(|n| (listing, pages[n - 1].clone())));
        }
        let listings = listing_pages.par_iter().map(|(l, p)| self.listing(l, p));
        articles
            .chain(listings)
            .chain(rayon::iter::once(self.figures()))
            .filter_map(Result::err)
            .collect()
    }

    fn write(&self, template: &str, path: &str, ctx: &Context, inputs: Fingerprint) -> PageResult {
        let html = self.renderer.render(template, ctx)?;
        self.out.write(path, html, inputs)
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
            .binary_search_by_key(&key(article), |a| key(a))
            .unwrap_or(0)
    }

    /// The home page's desk sections: each desk that has articles, with its newest few.
    fn desk_sections(&self) -> Vec<(&'a Listing, &'a [usize])> {
        self.site
            .desks
            .iter()
            .filter(|d| !d.articles.is_empty())
            .map(|d| (d, &d.articles[..d.articles.len().min(DESK_SECTION_SIZE)]))
            .collect()
    }

    fn article(&self, article: &Article) -> PageResult {
        let path = paths::article_path(article);
        let file = format!("{path}index.html");
        let related = &self.related[self.index_of(article)];
        let mut inputs = self.inputs("article", &file);
        inputs.fingerprint(article.fingerprint);
        self.with_summaries(&mut inputs, related);
        let inputs = inputs.finish();
        if self.out.keep(&file, inputs)? {
            return Ok(());
        }
        let body = self.bodies.body(article)?;
        let mut ctx = Context::new();
        ctx.insert(
            "page",
            &self.page(&article.front.title, article.summary(), &path),
        );
        ctx.insert(
            "article",
            &context::article(
                self.site,
                article,
                &body,
                &self.links,
                &self.renderer.calendar,
            ),
        );
        ctx.insert(
            "chart",
            &chart::chart(&article.front.metrics, &self.renderer.numbers),
        );
        ctx.insert("share", &context::share_links(article, &self.links));
        let related: Vec<Value> = related.iter().map(|&i| self.summary(i)).collect();
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
        if let Some((year, month)) = assemble::jalali_month(calendar, article) {
            let month_link = NamedLink {
                name: calendar.month_name(year, month),
                url: self.links.link(&paths::archive_month_path(year, month)),
            };
            ctx.insert("archive_month", &month_link);
        }
        self.write("article.html", &file, &ctx, inputs)
    }

    /// `/news/<id>/`: a tiny page that sends readers on to the article. It lives in the folder
    /// of the article's own (`/news/<id>/<slug>/`), so trimming the slug off an address still
    /// finds the article, and a build makes one folder less per release.
    fn short_link(&self, article: &Article) -> PageResult {
        let path = paths::short_link_path(article.front.id);
        let file = format!("{path}index.html");
        let inputs = self
            .inputs("short link", &file)
            .fingerprint(article.fingerprint)
            .finish();
        if self.out.keep(&file, inputs)? {
            return Ok(());
        }
        let target = paths::article_path(article);
        let mut ctx = Context::new();
        ctx.insert(
            "page",
            &self.page(&article.front.title, article.summary(), &target),
        );
        ctx.insert("target", &self.links.link(&target));
        self.write("shortlink.html", &file, &ctx, inputs)
    }

    fn listing(&self, listing: &Listing, page: &Page) -> PageResult {
        let path = listing.page_path(page.number);
        let file = format!("{path}index.html");
        let items = &listing.articles[page.items.clone()];
        let desk_sections =
            (listing.kind == ListingKind::Home && page.number == 1).then(|| self.desk_sections());
        // What the page's contexts below are made of (with the settings, in the renderer's
        // fingerprint): hashed as they are, rather than the contexts, which cost more to make.
        let mut inputs = self.inputs("listing", &file);
        inputs
            .u64(listing.kind as u64)
            .str(&listing.name)
            .str(&listing.description)
            .str(&listing.path)
            .u64(listing.articles.len() as u64)
            .u64(page.number as u64)
            .u64(page.count as u64)
            .u64(desk_sections.as_ref().map_or(0, |s| s.len() as u64 + 1));
        for (desk, desk_items) in desk_sections.iter().flatten() {
            inputs.str(&desk.name).str(&desk.path);
            self.with_summaries(&mut inputs, desk_items);
        }
        self.with_summaries(&mut inputs, items);
        let inputs = inputs.finish();
        if self.out.keep(&file, inputs)? {
            return Ok(());
        }
        let description = if listing.description.is_empty() {
            &self.site.config.description
        } else {
            &listing.description
        };
        let mut page_ctx = self.page(&listing.name, description, &path);
        if paths::has_feed(listing) {
            page_ctx.feeds = Some(context::FeedLinks {
                rss: self.links.link(&format!("{}rss.xml", listing.path)),
                atom: self.links.link(&format!("{}atom.xml", listing.path)),
            });
        }
        let listing_ctx = context::listing(listing, &self.links);
        let pagination = context::pagination(listing, page, &self.links);
        let mut ctx = Context::new();
        ctx.insert("page", &page_ctx);
        ctx.insert("listing", &listing_ctx);
        ctx.insert("pagination", &pagination);
        let items: Vec<Value> = items.iter().map(|&i| self.summary(i)).collect();
        ctx.insert_value("items", Value::from(items));
        if let Some(sections) = desk_sections {
            let sections: Vec<context::DeskSection> = sections
                .into_iter()
                .map(|(desk, desk_items)| context::DeskSection {
                    name: desk.name.clone(),
                    url: self.links.link(&desk.path),
                    items: desk_items.iter().map(|&i| self.summary(i)).collect(),
                })
                .collect();
            ctx.insert("desk_sections", &sections);
        }
        self.write("list.html", &file, &ctx, inputs)
    }

    /// The archive index (every year), or one year's page listing its months.
    fn archive(&self, year: Option<&ArchiveYear>) -> PageResult {
        let (path, years) = match year {
            Some(y) => (y.path.clone(), vec![context::archive_year(y, &self.links)]),
            None => (
                paths::ARCHIVE_PATH.to_string(),
                self.site
                    .archive
                    .iter()
                    .map(|y| context::archive_year(y, &self.links))
                    .collect(),
            ),
        };
        let page = self.page("", &self.site.config.description, &path);
        let year = year.map(|y| y.year);
        self.single_page(
            "archive.html",
            &format!("{path}index.html"),
            &[
                ("page", json(&page)),
                ("years", json(&years)),
                ("year", json(&year)),
            ],
        )
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
                article: context::summary(self.site, a, &self.links, &self.renderer.calendar),
            })
            .collect();
        let page = self.page("", &self.site.config.description, paths::FIGURES_PATH);
        self.single_page(
            "figures.html",
            &format!("{}index.html", paths::FIGURES_PATH),
            &[("page", json(&page)), ("figures", json(&figures))],
        )
    }

    /// `/search/`: the search box and results, filled in by the theme's script from the
    /// index `crate::emit::search` writes.
    fn search(&self) -> PageResult {
        let page = self.page("", &self.site.config.description, paths::SEARCH_PATH);
        let search = super::search_page::page_context(self.site, &self.links);
        self.single_page(
            "search.html",
            &format!("{}index.html", paths::SEARCH_PATH),
            &[("page", json(&page)), ("search", json(&search))],
        )
    }

    fn not_found(&self) -> PageResult {
        let page = self.page("", &self.site.config.description, "404.html");
        self.single_page("404.html", "404.html", &[("page", json(&page))])
    }

    /// A page whose context is a few named values, all of its inputs besides the theme and
    /// the settings: kept when they are unchanged. JSON values (ordered maps) rather than
    /// Tera's, so the fingerprint does not depend on a map's order.
    fn single_page(
        &self,
        template: &str,
        file: &str,
        parts: &[(&str, serde_json::Value)],
    ) -> PageResult {
        let mut inputs = self.inputs(template, file);
        for (name, value) in parts {
            inputs.str(name).json(value);
        }
        let inputs = inputs.finish();
        put(self.out, file, inputs, || {
            let mut ctx = Context::new();
            for (name, value) in parts {
                ctx.insert(name.to_string(), value);
            }
            self.renderer.render(template, &ctx)
        })
    }
}

/// A context value as JSON. Context types are plain data: serializing them cannot fail.
fn json(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn summary(id: u64) -> SummaryContext {
        SummaryContext {
            id,
            title: format!("خبر {id}"),
            url: format!("/news/{id}/"),
            summary: String::new(),
            date: String::new(),
            jalali_date: String::new(),
            desk: NamedLink {
                name: String::new(),
                url: String::new(),
            },
            authors: Vec::new(),
            image: None,
        }
    }

    #[test]
    fn each_article_gets_its_own_summary_and_kept_ones_are_made_once() {
        let summaries = Summaries::new(7, 2, 3);
        let made = Cell::new(0);
        for round in 0..2 {
            for index in 0..7 {
                let value = summaries.get(index, || {
                    made.set(made.get() + 1);
                    summary(index as u64)
                });
                let expected = Value::from_serializable(&summary(index as u64));
                assert_eq!(value, expected, "round {round}, article {index}");
            }
        }
        // The first five are made once each; the last two, for each request.
        assert_eq!(made.get(), 5 + 2 * 2);
        assert_eq!(Summaries::new(1, 2, 3).structs.len(), 0);
    }
}
