//! Builds the repository's own sample newsroom, as `cargo run --release -- build` does, into
//! a temporary folder, and checks it the way an editor would.

mod common;

use std::path::Path;

use common::*;

fn build_sample() -> (tempfile::TempDir, chapar::BuildReport) {
    let out = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = build_at(root, Some(&out.path().join("public")), false);
    (out, report)
}

#[test]
fn the_sample_newsroom_builds_cleanly() {
    let (out, report) = build_sample();
    assert!(report.succeeded, "{:#?}", report.diagnostics);
    assert_eq!(
        report.diagnostics,
        vec![],
        "the sample content has no problems"
    );
    assert!(report.articles >= 8, "{} articles", report.articles);

    let public = out.path().join("public");
    let all = files(&public);
    let count = |prefix: &str| {
        let mut folders: Vec<&str> = all
            .iter()
            .filter_map(|f| f.strip_prefix(prefix))
            .map(|rest| rest.split('/').next().unwrap())
            .collect();
        folders.dedup();
        folders.len()
    };
    assert!(count("author/") >= 4, "at least four authors");
    let desks_with_news = ["provinces", "economy", "society", "sport"]
        .iter()
        .filter(|d| read(public.join(format!("desk/{d}/index.html"))).contains("class=\"card\""))
        .count();
    assert!(desks_with_news >= 3, "releases across at least three desks");
    assert!(public.join("404.html").is_file());
    assert!(count("tag/") >= 5);
    assert!(assert_internal_links_resolve(&public, "/") > 100);
}

#[test]
fn the_ilam_release_shows_its_figures_in_persian() {
    let (out, report) = build_sample();
    assert!(report.succeeded);
    let dir = out.path().join("public/news/1402070912");
    let page = files(&dir)
        .into_iter()
        .find(|f| f.ends_with("/index.html"))
        .expect("the Ilam release is published");
    let html = read(dir.join(page));
    for expected in [
        "lang=\"fa\" dir=\"rtl\"",
        "۹ مهر ۱۴۰۲، ساعت ۱۰:۳۰",
        "<dd class=\"news-code\">۱۴۰۲۰۷۰۹۱۲</dd>",
        "<span class=\"figure-value\">۴۷٪</span>",
        "۱۶۵٬۰۰۰ <span class=\"figure-unit\">نفر</span>",
        "۱۹ میلیارد <span class=\"figure-unit\">تومان</span>",
        "۱ <span class=\"figure-unit\">رتبه</span>",
        "کوثر موسوی",
        ">استان‌ها</a>",
    ] {
        assert!(
            html.contains(expected),
            "the Ilam release lacks {expected:?}"
        );
    }
}

#[test]
fn the_sample_site_speaks_persian_dates_and_digits() {
    let (out, report) = build_sample();
    assert!(report.succeeded);
    let public = out.path().join("public");
    // The Ilam release was published on 9 Mehr 1402, so its month has an archive page.
    let month = read(public.join("archive/1402/07/index.html"));
    assert!(month.contains("<h1>خبرهای مهر ۱۴۰۲</h1>"));
    assert!(month.contains("کاهش ۴۷ درصدی"));
    let year = read(public.join("archive/1402/index.html"));
    assert!(year.contains("href=\"/archive/1402/07/\">مهر ۱۴۰۲</a>"));
    assert!(read(public.join("archive/index.html")).contains("href=\"/archive/1402/\""));
    // Listings show Jalali dates with Persian digits, never Latin digits in dates.
    let home = read(public.join("index.html"));
    assert!(
        home.contains(">۹ مهر ۱۴۰۲</time>"),
        "home page dates are Jalali"
    );
    let visible_dates: Vec<&str> = home
        .split("</time>")
        .filter_map(|s| s.rsplit('>').next())
        .collect();
    assert!(
        visible_dates
            .iter()
            .all(|d| !d.chars().any(|c| c.is_ascii_digit())),
        "{visible_dates:?}"
    );
    // Body digits are Persian by default (the release body has "NGL" left as written).
    let dir = public.join("news/1402070912");
    // The folder holds the short link's page and the article's folder.
    let article = read(dir.join(files(&dir).into_iter().find(|f| f != "index.html").unwrap()));
    assert!(
        article.contains("طرح <bdi>NGL</bdi> استان"),
        "Latin words are isolated"
    );
    assert!(article.contains("۱۹ نشست ماهانه"));
}
