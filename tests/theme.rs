//! The default theme's structure: what screen readers, search engines and a reader on a slow
//! connection inside a filtered network rely on.

mod common;

use common::*;

fn built() -> tempfile::TempDir {
    let site = site("basic");
    assert!(build(site.path()).succeeded);
    site
}

fn article_html(site: &tempfile::TempDir) -> String {
    read(site.path().join("public/news/101/خبر-یکم-استان/index.html"))
}

/// `news/<id>/index.html`: a short link's redirect page, not a page readers see.
fn is_short_link(file: &str) -> bool {
    file.strip_prefix("news/")
        .and_then(|rest| rest.strip_suffix("/index.html"))
        .is_some_and(|id| id.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn every_page_has_one_h1_and_landmarks() {
    let site = built();
    let out = site.path().join("public");
    for file in files(&out)
        .iter()
        .filter(|f| f.ends_with(".html") && !is_short_link(f))
    {
        let html = read(out.join(file));
        assert_eq!(
            html.matches("<h1").count(),
            1,
            "{file} needs exactly one h1"
        );
        for landmark in [
            "<header class=\"site-header\">",
            "<main id=\"main\"",
            "<footer class=\"site-footer\">",
            "<nav class=\"desk-nav\" aria-label=",
        ] {
            assert!(html.contains(landmark), "{file} lacks {landmark}");
        }
        assert!(
            html.contains("<a class=\"skip-link\" href=\"#main\">"),
            "{file} lacks the skip link"
        );
    }
}

#[test]
fn the_figures_box_shows_the_values_and_the_chart_reads_them() {
    let site = built();
    let html = article_html(&site);
    let figures = &html
        [html.find("class=\"key-figures\"").unwrap()..html.find("class=\"article-body\"").unwrap()];
    assert!(figures.contains("<span class=\"figure-value\">۴۷٪</span>"));
    assert!(figures.contains(
        "<span class=\"figure-value\">۱۶۵٬۰۰۰ <span class=\"figure-unit\">نفر</span></span>"
    ));
    assert!(
        figures.contains("<li class=\"figure figure-down good-down\">"),
        "a fall that is good news"
    );
    // One change, so a change chart with its text alternative.
    assert!(figures.contains("<svg role=\"img\" aria-labelledby=\"chart-title chart-desc\""));
    assert!(figures.contains("<title id=\"chart-title\">اندازهٔ تغییرها</title>"));
    assert!(figures.contains("<desc id=\"chart-desc\">کاهش حوادث کار: \u{200e}−۴۷٪</desc>"));
    assert!(figures.contains("class=\"chart-bar tone-good\""));
    assert!(!figures.contains("<script"), "no JavaScript");
}

#[test]
fn articles_have_related_releases_and_plain_share_links() {
    let site = built();
    let html = article_html(&site);
    let related = &html[html.find("class=\"related\"").unwrap()..];
    // 102 shares the tag ایلام and the desk; 103 shares ایمنی کار.
    assert!(related.find("خبر دوم استان").unwrap() < related.find("خبر سوم اقتصادی").unwrap());
    let share =
        &html[html.find("class=\"share\"").unwrap()..html.find("class=\"related\"").unwrap()];
    for host in SHARE_HOSTS {
        assert!(share.contains(&format!("href=\"{host}")), "no {host} link");
    }
    assert!(
        share.contains("url=https%3A%2F%2Ftest%2Eexample%2Eir%2Fpress%2Fnews%2F101%2F"),
        "shares the short link"
    );
}

#[test]
fn nothing_is_loaded_from_another_host() {
    let site = built();
    let out = site.path().join("public");
    let mut checked = 0;
    for file in files(&out)
        .iter()
        .filter(|f| f.ends_with(".html") || f.ends_with(".css"))
    {
        let text = read(out.join(file));
        for (i, _) in text.match_indices("http") {
            let url: String = text[i..]
                .chars()
                .take_while(|c| !matches!(c, '"' | '\'' | ')' | '<' | ' '))
                .collect();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                continue;
            }
            checked += 1;
            let own = url.starts_with("https://test.example.ir/press/");
            let share = SHARE_HOSTS.iter().any(|h| url.starts_with(h));
            // Outbound links editors wrote in a body are links, not loads.
            let body_link = url.starts_with("https://example.ir/");
            let vocabulary =
                url == "https://schema.org" || url.starts_with("http://www.w3.org/2000/svg");
            assert!(own || share || body_link || vocabulary, "{file}: {url}");
        }
        for tag in ["<script src=", "<iframe", "@import"] {
            // The search page alone runs a script: the site's own, fingerprinted.
            let allowed = file == "search/index.html"
                && tag == "<script src="
                && text.matches(tag).count() == 1
                && text.contains("<script src=\"/press/js/search.");
            assert!(allowed || !text.contains(tag), "{file} has {tag}");
        }
    }
    assert!(checked > 100);
    let fonts: Vec<String> = files(&out)
        .into_iter()
        .filter(|f| f.ends_with(".woff2"))
        .collect();
    assert!(!fonts.is_empty() && fonts.len() <= 2, "{fonts:?}");
    assert!(
        out.join("fonts/Vazirmatn-OFL.txt").is_file(),
        "the font's licence ships beside it"
    );
}

#[test]
fn an_article_page_and_its_stylesheet_stay_under_60_kb() {
    let site = built();
    let out = site.path().join("public");
    let css = files(&out)
        .into_iter()
        .find(|f| f.starts_with("css/style."))
        .unwrap();
    let html = article_html(&site);
    assert!(html.contains(&format!("<link rel=\"stylesheet\" href=\"/press/{css}\">")));
    assert_eq!(
        html.matches("rel=\"stylesheet\"").count(),
        1,
        "one render-blocking request"
    );
    let font = "fonts/Vazirmatn-NL-Variable.woff2";
    assert!(html.contains(&format!(
        "<link rel=\"preload\" href=\"/press/{font}\" as=\"font\" type=\"font/woff2\" crossorigin>"
    )));
    assert!(out.join(font).is_file(), "the preloaded font is published");
    let total = html.len() + read(out.join(&css)).len();
    assert!(total < 60 * 1024, "{total} bytes");
    let style = read(out.join(&css));
    for needed in [
        "prefers-color-scheme: dark",
        "@media print",
        ":focus-visible",
        // Preloaded; the text never moves when it arrives (Lighthouse's layout shift).
        "font-display: optional",
        "direction: ltr",
    ] {
        assert!(style.contains(needed), "the stylesheet lacks {needed}");
    }
}

#[test]
fn latin_names_and_words_are_isolated() {
    let site = site("basic");
    let path = site.path().join("content/provinces/two.md");
    std::fs::write(
        &path,
        read(&path)
            .replace("author: مریم احمدی", "author: Maryam Ahmadi")
            .replace("پاراگراف دوم.", "طرح NGL Ilam در ۱۴۰۲."),
    )
    .unwrap();
    assert!(build(site.path()).succeeded);
    let html = read(site.path().join("public/news/102/خبر-دوم-استان/index.html"));
    assert!(html.contains("<bdi>Maryam Ahmadi</bdi>"));
    assert!(html.contains("<p>طرح <bdi>NGL Ilam</bdi> در ۱۴۰۲.</p>"));
}
