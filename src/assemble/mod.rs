//! Assembling the newsroom: the published articles newest first, grouped into the home page,
//! desks, authors, tags and the Jalali archive, with related releases. Plain data, no I/O.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::article::Article;
use crate::model::config::SiteConfig;
use crate::model::fast_hash::FastMap;
use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::model::paths::{archive_month_path, archive_year_path, desk_path};
use crate::model::site::{
    ArchiveYear, Groups, Listing, ListingKind, RELATED_SHOWN, Selection, Site,
};
use crate::persian::PersianCalendar;

impl Site {
    /// The author and tag listings, for the next build's `assemble_with`.
    pub fn groups(&self) -> Groups {
        Groups {
            addresses: self.addresses,
            authors: self.authors.clone(),
            tags: self.tags.clone(),
        }
    }

    pub fn desk_of(&self, article: &Article) -> Option<&Listing> {
        let index = self
            .config
            .desks
            .iter()
            .position(|d| d.key == article.front.desk)?;
        self.desks.get(index)
    }

    /// Up to `count` other articles for the "related" box: those sharing the most tags first,
    /// then those of the same desk, newer before older. Only the newest articles of each tag
    /// are considered, so the cost per article stays bounded on large sites.
    pub fn related(&self, index: usize, count: usize) -> Vec<usize> {
        const CANDIDATES_PER_LIST: usize = 300;
        // What the choice is made of: `related_key`, whose fingerprint `shape` combines.
        let article = self.articles[index].related_key();
        // Listings hold articles in site order, so every candidate list is sorted: the tag
        // lists are merged (an article has a few tags, so the smallest head is found by
        // looking at each), the desk is searched by bisection, and only the best `count` are
        // kept as they come. This runs for every article: on a site of 100,000 sorting the
        // candidates together took seconds.
        let mut lists: Vec<&[usize]> = Vec::with_capacity(article.tag_paths.len());
        for path in article.tag_paths {
            if let Ok(t) = self.tags.binary_search_by(|l| l.path.cmp(path)) {
                let list = &self.tags[t].articles;
                lists.push(&list[..list.len().min(CANDIDATES_PER_LIST)]);
            }
        }
        // Each candidate once, in order, with the number of lists it is in.
        let mut tagged: Vec<(usize, usize)> = Vec::new();
        while let Some(head) = lists.iter().filter_map(|l| l.first()).min().copied() {
            let mut shared = 0;
            for list in &mut lists {
                if list.first() == Some(&head) {
                    *list = &list[1..];
                    shared += 1;
                }
            }
            tagged.push((head, shared));
        }
        let desk_index = self.config.desks.iter().position(|d| d.key == article.desk);
        let desk: &[usize] = desk_index.and_then(|i| self.desks.get(i)).map_or(&[], |d| {
            &d.articles[..d.articles.len().min(CANDIDATES_PER_LIST)]
        });
        let in_desk = |i: usize| desk.binary_search(&i).is_ok();
        // Best first: most shared tags, then the same desk, then newer (a lower index).
        type Rank = (std::cmp::Reverse<(usize, bool)>, usize);
        let mut best: Vec<Rank> = Vec::with_capacity(count + 1);
        // Whether a candidate ranked `rank` would make the list.
        let enters = |best: &Vec<Rank>, rank: &Rank| best.len() < count || best.last() > Some(rank);
        let consider = |best: &mut Vec<Rank>, rank: Rank| {
            if rank.1 != index && enters(best, &rank) {
                let at = best.partition_point(|b| *b < rank);
                best.insert(at, rank);
                best.truncate(count);
            }
        };
        for &(i, shared) in &tagged {
            // The desk is looked up only for a candidate that could enter with it.
            if enters(&best, &(std::cmp::Reverse((shared, true)), i)) {
                consider(&mut best, (std::cmp::Reverse((shared, in_desk(i))), i));
            }
        }
        // Articles sharing only the desk rank below any sharing a tag.
        let full_of_tagged = best.len() == count && best.iter().all(|b| b.0.0.0 > 0);
        if !full_of_tagged {
            for &i in desk {
                if tagged.binary_search_by_key(&i, |&(t, _)| t).is_err() {
                    consider(&mut best, (std::cmp::Reverse((0, true)), i));
                }
            }
        }
        best.into_iter().map(|(_, i)| i).collect()
    }

    pub fn related_table(&self) -> Vec<Vec<usize>> {
        use rayon::prelude::*;
        (0..self.articles.len())
            .into_par_iter()
            .map(|i| self.related(i, RELATED_SHOWN))
            .collect()
    }

    /// A fingerprint of what `related_table` depends on: each article's code, date, desk and
    /// tags, in order. Equal shapes give equal tables, so a build whose edits left the shape
    /// alone reuses the previous table.
    pub fn shape(&self) -> Fingerprint {
        let mut f = FingerprintBuilder::new();
        for a in &self.articles {
            f.fingerprint(a.related_fingerprint);
        }
        f.finish()
    }

    pub fn all_listings(&self) -> impl Iterator<Item = &Listing> {
        let months = self.archive.iter().flat_map(|y| &y.months);
        std::iter::once(&self.home)
            .chain(&self.desks)
            .chain(&self.authors)
            .chain(&self.tags)
            .chain(months)
    }
}

/// Of each article's address fingerprint (its code, slug, dates, desk, authors and tags), in
/// order: two lists of articles with equal fingerprints have the same author and tag
/// listings (the converse need not hold).
fn addresses_of(articles: &[Arc<Article>]) -> Fingerprint {
    let mut f = FingerprintBuilder::new();
    f.u64(articles.len() as u64);
    for a in articles {
        f.fingerprint(a.address_fingerprint);
    }
    f.finish()
}

pub fn assemble(config: SiteConfig, articles: Vec<Arc<Article>>, selection: Selection) -> Site {
    assemble_with(config, articles, selection, None)
}

/// `assemble`, taking the author and tag listings from `last` (a previous build's `Site::
/// groups`) if they were grouped from articles with the same addresses.
pub fn assemble_with(
    config: SiteConfig,
    mut articles: Vec<Arc<Article>>,
    selection: Selection,
    last: Option<Groups>,
) -> Site {
    articles
        .retain(|a| selection.include_drafts || (!a.front.draft && a.front.date <= selection.now));
    articles.sort_by_key(|a| std::cmp::Reverse((a.front.date, a.front.id)));

    let all: Vec<usize> = (0..articles.len()).collect();
    let home = Listing {
        kind: ListingKind::Home,
        name: config.title.clone(),
        path: String::new(),
        description: config.description.clone(),
        articles: all,
    };
    let desks = config
        .desks
        .iter()
        .map(|desk| Listing {
            kind: ListingKind::Desk,
            name: desk.name.clone(),
            path: desk_path(&desk.key),
            description: desk.description.clone(),
            articles: (0..articles.len())
                .filter(|&i| articles[i].front.desk == desk.key)
                .collect(),
        })
        .collect();
    let addresses = addresses_of(&articles);
    let (authors, tags) = match last.filter(|g| g.addresses == addresses) {
        Some(last) => (last.authors, last.tags),
        None => rayon::join(
            || {
                group_by_slug(&articles, ListingKind::Author, |a| {
                    (&a.front.authors, &a.author_paths)
                })
            },
            || {
                group_by_slug(&articles, ListingKind::Tag, |a| {
                    (&a.front.tags, &a.tag_paths)
                })
            },
        ),
    };
    let archive = archive(
        &articles,
        &PersianCalendar::at(config.timezone.clone(), selection.now),
    );
    Site {
        config,
        articles,
        home,
        desks,
        authors,
        tags,
        archive,
        addresses,
    }
}

/// The Jalali month of an article, in the site's time zone.
pub fn jalali_month(calendar: &PersianCalendar, article: &Article) -> Option<(i32, u8)> {
    calendar
        .jalali_date(article.front.date)
        .map(|d| (d.year, d.month))
}

/// Groups articles (already newest first) by Jalali year and month.
fn archive(articles: &[Arc<Article>], calendar: &PersianCalendar) -> Vec<ArchiveYear> {
    let mut months: BTreeMap<(i32, u8), Vec<usize>> = BTreeMap::new();
    for (i, article) in articles.iter().enumerate() {
        if let Some(key) = jalali_month(calendar, article) {
            months.entry(key).or_default().push(i);
        }
    }
    let mut years: Vec<ArchiveYear> = Vec::new();
    for ((year, month), indexes) in months.into_iter().rev() {
        let listing = Listing {
            kind: ListingKind::Month,
            name: calendar.month_name(year, month),
            path: archive_month_path(year, month),
            description: String::new(),
            articles: indexes,
        };
        match years.last_mut() {
            Some(y) if y.year == year => y.months.push(listing),
            _ => years.push(ArchiveYear {
                year,
                path: archive_year_path(year),
                months: vec![listing],
            }),
        }
    }
    years
}

/// Groups articles by author or tag. Names that differ only in ways slugs ignore ("ایمنی کار",
/// "ایمنی‌کار") share one listing, named as in its newest article.
fn group_by_slug(
    articles: &[Arc<Article>],
    kind: ListingKind,
    names: impl Fn(&Article) -> (&[String], &[String]),
) -> Vec<Listing> {
    // Found by hash and sorted by path once at the end: a sorted map compared long Persian
    // paths byte by byte for each of the site's tens of thousands of names, 10 ms of an
    // edit's build of 10,000 releases.
    let mut groups: Vec<Listing> = Vec::new();
    let mut by_path: FastMap<&str, usize> = FastMap::default();
    for (i, article) in articles.iter().enumerate() {
        let (names, paths) = names(article);
        for (name, path) in names.iter().zip(paths) {
            let group = *by_path.entry(path).or_insert_with(|| {
                groups.push(Listing {
                    kind,
                    name: name.clone(),
                    path: path.clone(),
                    description: String::new(),
                    articles: Vec::new(),
                });
                groups.len() - 1
            });
            let listing = &mut groups[group];
            if listing.articles.last() != Some(&i) {
                listing.articles.push(i);
            }
        }
    }
    groups.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::site::Page;
    use std::ops::Range;

    fn listing(n: usize) -> Listing {
        Listing {
            kind: ListingKind::Tag,
            name: "t".into(),
            path: "tag/t/".into(),
            description: String::new(),
            articles: (0..n).collect(),
        }
    }

    #[test]
    fn paginates_without_gaps_or_overlaps() {
        let pages = listing(25).pages(10);
        let ranges: Vec<Range<usize>> = pages.iter().map(|p| p.items.clone()).collect();
        assert_eq!(ranges, vec![0..10, 10..20, 20..25]);
        assert!(pages.iter().all(|p| p.count == 3));
        assert_eq!(listing(20).pages(10).len(), 2);
    }

    #[test]
    fn an_empty_listing_still_has_one_page() {
        let pages = listing(0).pages(10);
        assert_eq!(
            pages,
            vec![Page {
                number: 1,
                count: 1,
                items: 0..0
            }]
        );
    }

    #[test]
    fn page_paths() {
        let l = listing(30);
        assert_eq!(l.page_path(1), "tag/t/");
        assert_eq!(l.page_path(3), "tag/t/page/3/");
    }

    /// A release of `desk` with `tags` (comma-separated), parsed as a file would be.
    fn release(config: &SiteConfig, id: u64, desk: &str, date: &str, tags: &str) -> Arc<Article> {
        let text = format!(
            "---\ntitle: خبر {id}\nauthor: x\ndesk: {desk}\ndate: {date}\nid: {id}\ntags: [{tags}]\n---\nمتن\n"
        );
        let parsing = crate::load::Parsing::new(config);
        crate::load::parse_article(format!("{id}.md").into(), &text, &parsing)
            .0
            .unwrap()
            .article
            .into()
    }

    /// The site of `articles`, all published.
    fn published(config: SiteConfig, articles: Vec<Arc<Article>>) -> Site {
        let now = "2030-01-01T00:00:00Z".parse().unwrap();
        let selection = Selection {
            include_drafts: false,
            now,
        };
        assemble(config, articles, selection)
    }

    #[test]
    fn author_and_tag_listings_are_taken_from_the_last_build_only_for_the_same_addresses() {
        let config = crate::load::config::parse(
            "title: t\nbase_url: https://e.org/\ndesks:\n  - key: a\n    name: الف\n",
        )
        .unwrap();
        let articles = vec![
            release(&config, 1, "a", "1402-07-01", "ایمنی, کار"),
            release(&config, 2, "a", "1402-07-02", "کار"),
        ];
        let now = "2030-01-01T00:00:00Z".parse().unwrap();
        let selection = Selection {
            include_drafts: false,
            now,
        };
        let names = |listings: &[Listing]| -> Vec<(String, Vec<usize>)> {
            listings
                .iter()
                .map(|l| (l.name.clone(), l.articles.clone()))
                .collect()
        };
        let first = published(config.clone(), articles.clone());
        // Marked, so that a site that takes them can be told from one that groups again.
        let mut marked = first.groups();
        marked.tags[0].name = "taken".into();
        let same = assemble_with(
            config.clone(),
            articles.clone(),
            selection,
            Some(marked.clone()),
        );
        assert_eq!(same.tags[0].name, "taken");
        assert_eq!(same.groups().addresses, first.groups().addresses);
        // Another tag on one release: grouped again.
        let mut changed = articles.clone();
        changed[1] = release(&config, 2, "a", "1402-07-02", "کار, معدن");
        let regrouped = assemble_with(
            config.clone(),
            changed.clone(),
            selection,
            Some(marked.clone()),
        );
        let fresh = published(config.clone(), changed);
        assert_eq!(names(&regrouped.tags), names(&fresh.tags));
        assert_eq!(names(&regrouped.authors), names(&fresh.authors));
        assert_eq!(regrouped.tags.len(), 3);
        // Another date, which reorders the releases: grouped again.
        let mut moved = articles;
        moved[0] = release(&config, 1, "a", "1402-07-03", "ایمنی, کار");
        let regrouped = assemble_with(config.clone(), moved.clone(), selection, Some(marked));
        assert_eq!(
            names(&regrouped.tags),
            names(&published(config, moved).tags)
        );
    }

    /// The plain definition `Site::related` must agree with.
    fn related_by_definition(site: &Site, index: usize, count: usize) -> Vec<usize> {
        let article = &site.articles[index];
        let mut scores: BTreeMap<usize, (usize, bool)> = BTreeMap::new();
        for path in &article.tag_paths {
            if let Ok(t) = site.tags.binary_search_by(|l| l.path.cmp(path)) {
                for &i in site.tags[t].articles.iter().take(300) {
                    scores.entry(i).or_default().0 += 1;
                }
            }
        }
        if let Some(desk) = site.desk_of(article) {
            for &i in desk.articles.iter().take(300) {
                scores.entry(i).or_default().1 = true;
            }
        }
        scores.remove(&index);
        let mut ranked: Vec<(usize, (usize, bool))> = scores.into_iter().collect();
        ranked.sort_by_key(|&(i, (tags, same_desk))| (std::cmp::Reverse((tags, same_desk)), i));
        ranked.into_iter().take(count).map(|(i, _)| i).collect()
    }

    #[test]
    fn related_articles_follow_their_definition_on_a_large_site() {
        let config = crate::load::config::parse("title: t\nbase_url: https://e.org/\ndesks:\n  - key: a\n    name: A\n  - key: b\n    name: B\n  - key: c\n    name: C\n").unwrap();
        let mut seed = 7u64;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        // 900 releases over 4 tags: tag lists longer than the 300 candidates looked at.
        let articles: Vec<Arc<Article>> = (1..=900u64)
            .map(|id| {
                let desk = ["a", "b", "c"][next(3) as usize];
                let tags: Vec<&str> = ["x", "y", "z", "w"]
                    .into_iter()
                    .filter(|_| next(2) == 0)
                    .collect();
                let date = format!(
                    "2023-{:02}-{:02} {:02}:00",
                    1 + next(12),
                    1 + next(28),
                    next(24)
                );
                release(&config, id, desk, &date, &tags.join(", "))
            })
            .collect();
        let site = published(config, articles);
        assert!(site.tags.iter().any(|t| t.articles.len() > 300));
        for index in 0..site.articles.len() {
            for count in [1, 4, 10] {
                assert_eq!(
                    site.related(index, count),
                    related_by_definition(&site, index, count),
                    "article {index}, {count} related"
                );
            }
        }
    }

    #[test]
    fn related_articles_share_tags_first_then_the_desk() {
        let config = crate::load::config::parse("title: t\nbase_url: https://e.org/\ndesks:\n  - key: a\n    name: A\n  - key: b\n    name: B\n").unwrap();
        let release = |id: u64, desk: &str, tags: &str| {
            release(&config, id, desk, &format!("1402-07-{id:02}"), tags)
        };
        let articles = vec![
            release(1, "a", "x, y"),
            release(2, "b", "x, y"),
            release(3, "a", "x"),
            release(4, "a", "z"),
            release(5, "b", "q"),
        ];
        let site = published(config, articles);
        let id = |i: usize| site.articles[i].front.id;
        let first = site.articles.iter().position(|a| a.front.id == 1).unwrap();
        let related: Vec<u64> = site.related(first, 3).into_iter().map(id).collect();
        assert_eq!(
            related,
            vec![2, 3, 4],
            "two shared tags, one shared tag and the desk, the desk"
        );
    }
}
