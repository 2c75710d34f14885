//! Feeds, sitemaps, short links, open data and structured data of the `basic` fixture site.

mod common;

use std::fs;

use common::*;

fn built() -> tempfile::TempDir {
    let site = site("basic");
    let report = build(site.path());
    assert!(report.succeeded, "{:#?}", report.diagnostics);
    site
}

/// The text of every `<tag>...</tag>` in an XML document.
fn elements(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.match_indices(&open)
        .map(|(i, _)| {
            let rest = &xml[i + open.len()..];
            rest[..rest.find(&close).unwrap()].to_string()
        })
        .collect()
}

#[test]
fn rss_feeds_list_the_newest_articles_with_everything_readers_need() {
    let site = built();
    let rss = read(site.path().join("public/rss.xml"));
    assert!(rss.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\""));
    let titles = elements(&rss, "title");
    assert_eq!(titles[0], "روابط عمومی آزمایشی");
    assert_eq!(
        &titles[1..],
        [
            "خبر پنجم اقتصادی",
            "خبر چهارم اقتصادی",
            "خبر سوم اقتصادی",
            "خبر دوم استان",
            "خبر یکم استان"
        ]
    );
    assert!(rss.contains("<language>fa</language>"));
    assert!(
        rss.contains("<guid isPermaLink=\"true\">https://test.example.ir/press/news/101/</guid>")
    );
    assert!(rss.contains("<link>https://test.example.ir/press/news/101/%D8%AE%D8%A8%D8%B1-%DB%8C%DA%A9%D9%85-%D8%A7%D8%B3%D8%AA%D8%A7%D9%86/</link>"));
    assert!(
        rss.contains("<pubDate>Sun, 01 Oct 2023 07:00:00 GMT</pubDate>"),
        "RFC 822 dates in GMT"
    );
    assert!(
        rss.contains("<dc:creator>مریم احمدی</dc:creator>\n<dc:creator>علی رضایی</dc:creator>")
    );
    assert!(rss.contains(
        "<category>استان‌ها</category>\n<category>ایلام</category>\n<category>ایمنی کار</category>"
    ));
    assert!(rss.contains("<description>لید خبر یکم.</description>"));
    assert!(
        rss.contains("<content:encoded><![CDATA[<p>متن خبر یکم با <strong>تأکید</strong>"),
        "full content, as CDATA"
    );
    assert!(
        rss.contains("<lastBuildDate>Thu, 05 Oct 2023 08:30:00 GMT</lastBuildDate>"),
        "the newest change, not the build time"
    );

    let desk = read(site.path().join("public/desk/provinces/rss.xml"));
    assert_eq!(
        elements(&desk, "title")[1..],
        ["خبر دوم استان", "خبر یکم استان"]
    );
    let tag = read(site.path().join("public/tag/ایمنی-کار/atom.xml"));
    assert_eq!(
        elements(&tag, "title")[1..],
        ["خبر سوم اقتصادی", "خبر یکم استان"]
    );
    assert!(
        site.path()
            .join("public/author/علی-رضایی/rss.xml")
            .is_file()
    );
    assert!(
        !site.path().join("public/archive/1402/07/rss.xml").exists(),
        "months have no feeds"
    );
}

#[test]
fn atom_feeds_use_rfc3339_and_persian_language() {
    let site = built();
    let atom = read(site.path().join("public/atom.xml"));
    assert!(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fa\">"));
    assert!(atom.contains("<id>https://test.example.ir/press/news/103/</id>"));
    assert!(atom.contains(
        "<published>2023-10-02T20:30:00Z</published>\n<updated>2023-10-04T04:30:00Z</updated>"
    ));
    assert!(atom.contains("<author><name>علی رضایی</name>"));
    assert!(atom.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"https://test.example.ir/press/atom.xml\"/>"));
    assert_eq!(elements(&atom, "entry").len(), 5);
}

#[test]
fn pages_link_to_the_feeds_they_cover() {
    let site = built();
    let desk = read(site.path().join("public/desk/economy/index.html"));
    assert!(desk.contains("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"اقتصاد (RSS)\" href=\"/press/desk/economy/rss.xml\">"));
    assert!(desk.contains("type=\"application/atom+xml\" title=\"اقتصاد (Atom)\" href=\"/press/desk/economy/atom.xml\""));
    let article = read(site.path().join("public/news/101/خبر-یکم-استان/index.html"));
    assert!(
        article.contains("href=\"/press/rss.xml\""),
        "articles link the site feed"
    );
}

#[test]
fn sitemaps_and_robots() {
    let site = built();
    let sitemap = read(site.path().join("public/sitemap.xml"));
    let locs = elements(&sitemap, "loc");
    assert!(locs.contains(&"https://test.example.ir/press/".to_string()));
    assert!(locs.contains(&"https://test.example.ir/press/news/103/%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF-%D8%B3%D9%88%D9%85/".to_string()));
    assert!(locs.contains(&"https://test.example.ir/press/desk/economy/page/2/".to_string()));
    assert!(locs.contains(&"https://test.example.ir/press/archive/1402/07/".to_string()));
    assert!(
        !locs
            .iter()
            .any(|l| l.ends_with("/news/101/") || l.ends_with("/news/103/") || l.contains("404")),
        "short links and 404 are not listed"
    );
    assert!(
        locs.iter().all(|l| l.is_ascii()),
        "sitemap URLs are percent-encoded"
    );
    // 5 articles; listing pages: home 3, desks 1 + 2 + 1, authors 3, tags 3, Mehr 1402 3;
    // the archive index and its year; the figures page.
    assert_eq!(locs.len(), 5 + 16 + 2 + 1);
    assert!(
        sitemap.contains("<lastmod>2023-10-04T04:30:00Z</lastmod>"),
        "an update is the last change"
    );
    // The fixture ships its own robots.txt, which wins.
    assert_eq!(
        read(site.path().join("public/robots.txt")),
        "User-agent: *\nAllow: /\n"
    );
    let news = read(site.path().join("public/news-sitemap.xml"));
    assert!(
        news.contains("xmlns:news=") && elements(&news, "loc").is_empty(),
        "nothing is from the last 48 hours"
    );
}

#[test]
fn the_news_sitemap_lists_the_last_48_hours_and_robots_txt_names_the_sitemaps() {
    let site = site("basic");
    fs::remove_file(site.path().join("static/robots.txt")).unwrap();
    let options = chapar::BuildOptions {
        now: Some("2023-10-05T12:00:00Z".parse().unwrap()),
        ..chapar::BuildOptions::new(site.path())
    };
    assert!(chapar::build(&options).unwrap().succeeded);
    let news = read(site.path().join("public/news-sitemap.xml"));
    let titles = elements(&news, "news:title");
    assert_eq!(
        titles,
        ["خبر پنجم اقتصادی", "خبر چهارم اقتصادی"],
        "4 and 5 Oct; 3 Oct is older than 48 hours"
    );
    assert!(news.contains("<news:language>fa</news:language>"));
    let robots = read(site.path().join("public/robots.txt"));
    assert!(robots.contains("Sitemap: https://test.example.ir/press/sitemap.xml\nSitemap: https://test.example.ir/press/news-sitemap.xml"));
}

#[test]
fn short_links_redirect_to_their_articles() {
    let site = built();
    let out = site.path().join("public");
    for (id, slug) in [(101, "خبر-یکم-استان"), (103, "اقتصاد-سوم")] {
        let page = read(out.join(format!("news/{id}/index.html")));
        let target = format!("/press/news/{id}/{slug}/");
        assert!(
            page.contains(&format!(
                "<meta http-equiv=\"refresh\" content=\"0; url={target}\">"
            )),
            "{page}"
        );
        assert!(page.contains(&format!(
            "<link rel=\"canonical\" href=\"https://test.example.ir{target}\">"
        )));
        assert!(target_of(&target, "/press/", &out).unwrap().is_file());
    }
    let redirects = read(out.join("_redirects"));
    assert!(redirects.contains("/press/news/101/ /press/news/101/%D8%AE%D8%A8%D8%B1-%DB%8C%DA%A9%D9%85-%D8%A7%D8%B3%D8%AA%D8%A7%D9%86/ 301\n"));
    assert_eq!(redirects.lines().count(), 5);
    let article = read(out.join("news/101/خبر-یکم-استان/index.html"));
    assert!(article.contains(
        "<a href=\"/press/news/101/\" dir=\"ltr\">https://test.example.ir/press/news/101/</a>"
    ));
}

#[test]
fn open_data_holds_every_article_and_figure() {
    let site = built();
    let out = site.path().join("public");
    let data: serde_json::Value =
        serde_json::from_str(&read(out.join("data/articles.json"))).unwrap();
    let articles = data["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 5);
    let first = articles.iter().find(|a| a["id"] == 101).unwrap();
    assert_eq!(first["jalali_date"], "1402/07/09");
    assert_eq!(first["desk"]["name"], "استان‌ها");
    assert_eq!(first["metrics"][1]["value"], "165000");
    assert_eq!(first["authors"][1], "علی رضایی");
    let csv = read(out.join("data/metrics.csv"));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,date,jalali_date,desk,label,value,unit,change,period,url"
    );
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with(
        "101,2023-10-01T07:00:00Z,1402/07/09,provinces,کاهش حوادث کار,47,درصد,-47,,https://"
    ));
    let figures = read(out.join("figures/index.html"));
    assert!(figures.contains("کاهش حوادث کار") && figures.contains("۱۶۵٬۰۰۰"));
    assert!(figures.contains("href=\"/press/news/101/خبر-یکم-استان/\""));
}

#[test]
fn articles_carry_metadata_and_valid_json_ld() {
    let site = built();
    let html = read(site.path().join("public/news/101/خبر-یکم-استان/index.html"));
    for expected in [
        "<meta name=\"description\" content=\"لید خبر یکم.\">",
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"og:locale\" content=\"fa_IR\">",
        "<meta property=\"og:image\" content=\"https://test.example.ir/press/images/photo.svg\">",
        "<meta property=\"article:published_time\" content=\"2023-10-01T07:00:00Z\">",
        "<meta property=\"article:section\" content=\"استان‌ها\">",
        "<meta property=\"article:tag\" content=\"ایمنی کار\">",
        "<meta name=\"twitter:card\" content=\"summary_large_image\">",
    ] {
        assert!(html.contains(expected), "missing {expected}");
    }
    let start = html.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let json = &html[start..start + html[start..].find("</script>").unwrap()];
    let ld: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], "خبر یکم استان");
    assert_eq!(ld["inLanguage"], "fa");
    assert_eq!(ld["articleSection"], "استان‌ها");
    assert_eq!(ld["author"][0]["name"], "مریم احمدی");
    assert_eq!(ld["keywords"][1], "ایمنی کار");
    assert_eq!(
        ld["image"][0],
        "https://test.example.ir/press/images/photo.svg"
    );
    assert_eq!(ld["publisher"]["name"], "روابط عمومی آزمایشی");
}

#[test]
fn a_sub_path_base_url_leaves_no_link_outside_it() {
    let site = site("basic");
    let options = chapar::BuildOptions {
        base_url: Some("https://example.org/press/room/".into()),
        now: Some(now()),
        ..chapar::BuildOptions::new(site.path())
    };
    assert!(chapar::build(&options).unwrap().succeeded);
    let out = site.path().join("public");
    let mut checked = 0;
    for file in files(&out) {
        if !(file.ends_with(".html") || file.ends_with(".xml") || file == "_redirects") {
            continue;
        }
        let text = read(out.join(&file));
        let urls: Vec<String> = if file.ends_with(".html") {
            attributes(&text, "href")
                .into_iter()
                .chain(attributes(&text, "src"))
                .chain(attributes(&text, "content"))
                .collect()
        } else if file.ends_with(".xml") {
            elements(&text, "loc")
                .into_iter()
                .chain(elements(&text, "link"))
                .chain(elements(&text, "guid"))
                .chain(elements(&text, "id"))
                .collect()
        } else if file == "_redirects" {
            text.split_whitespace()
                .filter(|w| w.starts_with('/'))
                .map(String::from)
                .collect()
        } else {
            continue;
        };
        for url in urls
            .iter()
            .filter(|u| u.starts_with('/') || u.starts_with("http"))
        {
            let inside = url.starts_with("/press/room/")
                || url.starts_with("https://example.org/press/room/");
            let external = SHARE_HOSTS.iter().any(|h| url.starts_with(h))
                || [
                    "https://example.ir/",
                    "http://www.w3.org",
                    "https://schema.org",
                ]
                .iter()
                .any(|h| url.starts_with(h));
            assert!(
                inside || external,
                "{file}: {url} points outside the base path"
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked}");
    assert_internal_links_resolve(&out, "/press/room/");
}

#[test]
fn sitemaps_split_into_an_index_past_the_limit() {
    let config = chapar::load::config::parse(
        "title: t\nbase_url: https://e.org/\ndesks:\n  - key: a\n    name: b\n",
    )
    .unwrap();
    let links = chapar::model::links::Links::new(&config);
    let entries: Vec<chapar::emit::sitemap::Entry> = (0..5)
        .map(|i| chapar::emit::sitemap::Entry {
            loc: format!("https://e.org/{i}/"),
            lastmod: None,
        })
        .collect();
    let files = chapar::emit::sitemap::sitemap_files(&entries, &links, 2);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "sitemap.xml",
            "sitemap-1.xml",
            "sitemap-2.xml",
            "sitemap-3.xml"
        ]
    );
    assert!(
        files[0].1.contains("<sitemapindex")
            && files[0]
                .1
                .contains("<loc>https://e.org/sitemap-3.xml</loc>")
    );
    assert_eq!(elements(&files[3].1, "loc"), ["https://e.org/4/"]);
    assert_eq!(
        chapar::emit::sitemap::sitemap_files(&entries, &links, 5).len(),
        1
    );
    assert_eq!(chapar::emit::sitemap::sitemap_paths(5, 2), names);
    assert_eq!(chapar::emit::sitemap::sitemap_paths(5, 5), ["sitemap.xml"]);
}
