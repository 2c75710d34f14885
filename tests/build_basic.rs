//! Builds the `basic` fixture site and checks what a reader and a deploy tool would see.

mod common;

use std::fs;
use std::os::unix::fs::MetadataExt;

use common::*;

#[test]
fn builds_every_page_kind() {
    let site = site("basic");
    let report = build(site.path());
    assert!(report.succeeded, "{:#?}", report.diagnostics);
    assert_eq!(report.diagnostics, vec![]);
    assert_eq!(
        report.articles, 5,
        "the draft and the future release are left out"
    );
    assert_eq!(report.files, 7, "hidden files are not releases");

    let out = site.path().join("public");
    let expected = [
        "index.html",
        "page/2/index.html",
        "page/3/index.html",
        "404.html",
        "news/101/خبر-یکم-استان/index.html",
        "news/103/اقتصاد-سوم/index.html",
        "desk/provinces/index.html",
        "desk/economy/index.html",
        "desk/economy/page/2/index.html",
        "desk/empty/index.html",
        "author/مریم-احمدی/index.html",
        "author/علی-رضایی/index.html",
        "author/سارا-کریمی/index.html",
        "tag/ایلام/index.html",
        "tag/ایمنی-کار/index.html",
        "tag/اشتغال/index.html",
        "archive/index.html",
        "archive/1402/index.html",
        "archive/1402/07/index.html",
        "archive/1402/07/page/2/index.html",
        "favicon.svg",
        "images/photo.svg",
        "robots.txt",
    ];
    let all = files(&out);
    for path in expected {
        assert!(
            all.contains(&path.to_string()),
            "missing {path}; have {all:#?}"
        );
    }
    assert!(
        !all.iter()
            .any(|f| f.contains("/106/") || f.contains("/107/")),
        "drafts and future releases are not published"
    );
    assert!(
        !all.iter().any(|f| f.contains("page/4")),
        "5 articles at 2 a page make 3 pages"
    );
    assert!(!out.join("desk/empty/page/2").exists());
}

#[test]
fn internal_links_resolve_to_existing_files() {
    let site = site("basic");
    assert!(build(site.path()).succeeded);
    let checked = assert_internal_links_resolve(&site.path().join("public"), "/press/");
    assert!(checked > 50, "only {checked} links were checked");
}

#[test]
fn pages_are_persian_and_right_to_left() {
    let site = site("basic");
    assert!(build(site.path()).succeeded);
    let out = site.path().join("public");
    for file in files(&out).iter().filter(|f| f.ends_with(".html")) {
        let html = read(out.join(file));
        assert!(
            html.contains("<html lang=\"fa\" dir=\"rtl\">"),
            "{file} is not marked Persian RTL"
        );
    }
}

#[test]
fn the_article_page_shows_everything_the_release_says() {
    let site = site("basic");
    assert!(build(site.path()).succeeded);
    let html = read(site.path().join("public/news/101/خبر-یکم-استان/index.html"));
    for expected in [
        "<h1>خبر یکم استان</h1>",
        "<p class=\"lead\">لید خبر یکم.</p>",
        "><bdi>مریم احمدی</bdi></a>، <a",
        ">علی رضایی</bdi></a>",
        "<time datetime=\"2023-10-01T07:00:00Z\">۹ مهر ۱۴۰۲، ساعت ۱۰:۳۰</time>",
        "<dd class=\"news-code\">۱۰۱</dd>",
        ">استان‌ها</a>",
        "<span class=\"figure-value\">۴۷٪</span>",
        "<span class=\"figure-change\">\u{200e}−۴۷٪</span>",
        "۱۶۵٬۰۰۰ <span class=\"figure-unit\">نفر</span>",
        "کاهش حوادث کار",
        "<img src=\"/press/images/photo.svg\" alt=\"نمای یک کارگاه\">",
        "<figcaption>کارگاه ساختمانی در ایلام</figcaption>",
        "<strong>تأکید</strong>",
        "<h2 id=\"بخش-دوم\">بخش دوم</h2>",
        "<table>",
        "rel=\"tag\"",
        "><bdi>ایمنی کار</bdi></a>",
        "<link rel=\"canonical\" href=\"https://test.example.ir/press/news/101/",
    ] {
        assert!(html.contains(expected), "article page lacks {expected:?}");
    }
    let updated = read(site.path().join("public/news/103/اقتصاد-سوم/index.html"));
    assert!(
        updated.contains("۱۲ مهر ۱۴۰۲، ساعت ۰۸:۰۰"),
        "the update date is shown in Jalali"
    );
}

#[test]
fn listings_are_newest_first_and_paginated() {
    let site = site("basic");
    assert!(build(site.path()).succeeded);
    let out = site.path().join("public");
    let home = read(out.join("index.html"));
    let pos = |html: &str, title: &str| {
        html.find(title)
            .unwrap_or_else(|| panic!("{title} not listed"))
    };
    // The front page: the newest release as the lead story, then the latest, then a section
    // per desk with news.
    let lead = &home
        [home.find("class=\"lead-story\"").unwrap()..home.find("id=\"latest-title\"").unwrap()];
    assert!(lead.contains("خبر پنجم اقتصادی") && !lead.contains("خبر چهارم اقتصادی"));
    let latest =
        &home[home.find("id=\"latest-title\"").unwrap()..home.find("desk-section-1").unwrap()];
    assert!(
        latest.contains("خبر چهارم اقتصادی") && !latest.contains("خبر سوم اقتصادی"),
        "page 1 holds two articles"
    );
    assert!(
        pos(&home, "desk-section-1")
            < pos(&home, "href=\"/press/desk/provinces/\">استان‌ها</a></h2>")
    );
    assert!(
        home.contains("desk-section-2") && !home.contains("desk-section-3"),
        "the empty desk has no section"
    );
    assert!(home.contains("rel=\"next\" href=\"/press/page/2/\""));
    assert!(!home.contains("rel=\"prev\""));

    let second = read(out.join("page/2/index.html"));
    assert!(second.contains("خبر سوم اقتصادی") && second.contains("خبر دوم استان"));
    assert!(second.contains("rel=\"prev\" href=\"/press/\""));
    assert!(second.contains("rel=\"next\" href=\"/press/page/3/\""));
    assert!(second.contains("<span aria-current=\"page\">۲</span>"));

    let last = read(out.join("page/3/index.html"));
    assert!(last.contains("خبر یکم استان"));
    assert!(!last.contains("rel=\"next\""));

    // "ایمنی کار" and "ایمنی‌کار" (with ZWNJ) are one tag.
    let tag = read(out.join("tag/ایمنی-کار/index.html"));
    assert!(tag.contains("خبر یکم استان") && tag.contains("خبر سوم اقتصادی"));
    let empty = read(out.join("desk/empty/index.html"));
    assert!(empty.contains("هنوز خبری در این بخش منتشر نشده است"));
}

#[test]
fn drafts_flag_includes_drafts_and_future_releases() {
    let site = site("basic");
    let report = build_at(site.path(), None, true);
    assert_eq!(report.articles, 7);
    assert!(
        site.path()
            .join("public/news/106/پیش-نویس-منتشرنشده/index.html")
            .is_file()
    );
}

#[test]
fn site_templates_override_the_embedded_theme() {
    let site = site("basic");
    assert!(build(site.path()).succeeded);
    let html = read(site.path().join("public/404.html"));
    assert!(
        html.contains("<h1 class=\"custom-404\">صفحه پیدا نشد</h1>"),
        "{html}"
    );
    assert!(
        html.contains("class=\"site-header\""),
        "the override still extends the embedded base"
    );
}

#[test]
fn works_with_only_content_and_settings() {
    let site = site("basic");
    fs::remove_dir_all(site.path().join("templates")).unwrap();
    fs::remove_dir_all(site.path().join("static")).unwrap();
    let report = build(site.path());
    assert!(report.succeeded, "{:#?}", report.diagnostics);
    let out = site.path().join("public");
    assert!(
        stylesheet(&out).is_some(),
        "the embedded theme's CSS is written"
    );
    assert!(out.join("fonts/Vazirmatn-NL-Variable.woff2").is_file());
    assert!(read(out.join("404.html")).contains("class=\"not-found\""));
}

#[test]
fn two_builds_are_byte_identical_and_unchanged_files_are_not_rewritten() {
    let site = site("basic");
    let first = build(site.path());
    assert!(first.succeeded);
    let out = site.path().join("public");
    let before: Vec<(String, Vec<u8>, u64)> = files(&out)
        .into_iter()
        .map(|f| {
            let path = out.join(&f);
            (
                f,
                fs::read(&path).unwrap(),
                fs::metadata(&path).unwrap().ino(),
            )
        })
        .collect();

    let second = build(site.path());
    assert!(second.succeeded);
    assert_eq!(
        second.written.written, 0,
        "nothing changed, so nothing is written"
    );
    assert_eq!(second.written.unchanged, before.len());
    for (f, bytes, inode) in &before {
        let path = out.join(f);
        assert_eq!(
            &fs::read(&path).unwrap(),
            bytes,
            "{f} changed between identical builds"
        );
        assert_eq!(
            fs::metadata(&path).unwrap().ino(),
            *inode,
            "{f} was rewritten"
        );
    }

    // A new paragraph changes the article page and what carries full text (feeds, open
    // data), not the listings, which show the first paragraph.
    let path = site.path().join("content/economy/five.md");
    fs::write(&path, read(&path) + "\nپاراگراف تازه.\n").unwrap();
    let feeds = [
        "rss.xml",
        "atom.xml",
        "desk/economy/rss.xml",
        "desk/economy/atom.xml",
        "author/سارا-کریمی/rss.xml",
        "author/سارا-کریمی/atom.xml",
    ];
    let mut expected: Vec<String> = ["news/105/خبر-پنجم-اقتصادی/index.html", "data/articles.json"]
        .into_iter()
        .chain(feeds)
        .map(String::from)
        .collect();
    expected.sort();
    assert_eq!(rewritten_outside_search(site.path()), expected);

    // A new first paragraph is the summary: the listings that show the release change too.
    fs::write(
        &path,
        read(&path).replace("متن خبر پنجم.", "متن تازهٔ خبر پنجم."),
    )
    .unwrap();
    // So do the pages whose "related" box shows it.
    let listings = [
        "news/103/اقتصاد-سوم/index.html",
        "news/104/خبر-چهارم-اقتصادی/index.html",
        "index.html",
        "desk/economy/index.html",
        "author/سارا-کریمی/index.html",
        "archive/1402/07/index.html",
    ];
    let mut expected: Vec<String> = expected
        .into_iter()
        .chain(listings.map(String::from))
        .collect();
    expected.sort();
    assert_eq!(rewritten_outside_search(site.path()), expected);
}

/// Like `rewritten`, leaving out the search index, of which a changed release rewrites the
/// result chunk holding it (article 4 is in chunk 0), the shards holding its words and the
/// shard list.
fn rewritten_outside_search(root: &std::path::Path) -> Vec<String> {
    let (search, others): (Vec<String>, Vec<String>) = rewritten(root)
        .into_iter()
        .partition(|f| f.starts_with("search/"));
    assert!(
        search.contains(&"search/meta.json".to_string()),
        "{search:?}"
    );
    assert!(
        search.contains(&"search/d/0.json".to_string()),
        "{search:?}"
    );
    assert!(
        search.iter().all(|f| f == "search/meta.json"
            || f == "search/d/0.json"
            || f.starts_with("search/s/")),
        "{search:?}"
    );
    others
}

/// Builds and returns the files whose inode changed (written anew), sorted.
fn rewritten(root: &std::path::Path) -> Vec<String> {
    let out = root.join("public");
    let inodes = |dir: &std::path::Path| -> std::collections::HashMap<String, u64> {
        files(dir)
            .into_iter()
            .map(|f| {
                let ino = fs::metadata(dir.join(&f)).unwrap().ino();
                (f, ino)
            })
            .collect()
    };
    let before = inodes(&out);
    assert!(build(root).succeeded);
    let after = inodes(&out);
    let mut changed: Vec<String> = after
        .into_iter()
        .filter(|(f, ino)| before.get(f) != Some(ino))
        .map(|(f, _)| f)
        .collect();
    changed.sort();
    changed
}

#[test]
fn out_and_base_url_options() {
    let site = site("basic");
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    let options = chapar::BuildOptions {
        root: site.path().to_path_buf(),
        out_dir: Some(target.clone()),
        include_drafts: false,
        base_url: Some("https://mirror.example.org".into()),
        now: Some(now()),
        force: false,
        progress: None,
        defer_whole_site: false,
        changed: None,
    };
    let report = chapar::build(&options).unwrap();
    assert!(report.succeeded);
    assert!(!site.path().join("public").exists());
    let html = read(target.join("index.html"));
    assert!(
        html.contains("href=\"https://mirror.example.org/\""),
        "canonical uses the new base URL"
    );
    let css = stylesheet(&target).unwrap();
    assert!(html.contains(&format!("<link rel=\"stylesheet\" href=\"/{css}\">")));
    assert_internal_links_resolve(&target, "/");
}

#[test]
fn the_archive_is_by_jalali_year_and_month() {
    let site = site("basic");
    assert!(build(site.path()).succeeded);
    let out = site.path().join("public");
    let month = read(out.join("archive/1402/07/index.html"));
    assert!(month.contains("<h1>خبرهای مهر ۱۴۰۲</h1>"), "{month}");
    assert!(month.contains("<title>مهر ۱۴۰۲ | روابط عمومی آزمایشی"));
    let year = read(out.join("archive/1402/index.html"));
    assert!(year.contains("<h1>بایگانی سال ۱۴۰۲</h1>"));
    assert!(
        year.contains(
            "<a href=\"/press/archive/1402/07/\">مهر ۱۴۰۲</a> <span class=\"count\">۵ خبر</span>"
        ),
        "{year}"
    );
    let index = read(out.join("archive/index.html"));
    assert!(index.contains("<a href=\"/press/archive/1402/\">بایگانی سال ۱۴۰۲</a>"));
    let article = read(out.join("news/101/خبر-یکم-استان/index.html"));
    assert!(
        article
            .contains("<a class=\"archive-link\" href=\"/press/archive/1402/07/\">(مهر ۱۴۰۲)</a>")
    );
}

#[test]
fn a_bom_and_crlf_line_endings_change_nothing() {
    let site = site("basic");
    assert!(build(site.path()).succeeded);
    let page = "public/news/101/خبر-یکم-استان/index.html";
    let before = read(site.path().join(page));
    let path = site.path().join("content/provinces/one.md");
    let windows = format!("\u{feff}{}", read(&path).replace('\n', "\r\n"));
    fs::write(&path, windows).unwrap();
    let report = build(site.path());
    assert!(report.succeeded, "{:#?}", report.diagnostics);
    assert_eq!(read(site.path().join(page)), before);
}

/// The fingerprinted stylesheet's path, relative to `out`.
fn stylesheet(out: &std::path::Path) -> Option<String> {
    files(out).into_iter().find(|f| {
        f.starts_with("css/style.")
            && f.ends_with(".css")
            && f.len() == "css/style.12345678.css".len()
    })
}
