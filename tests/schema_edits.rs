//! Incremental builds follow the schema: every front-matter field (`FIELDS`, and each field of
//! a figure and of the image), every `site.yaml` key (and each key of a desk), a theme string,
//! a template and a static file is edited and edited back, and after each the incremental
//! builds (the state in a file, as `build` keeps it; in memory, as `serve` does, pages first
//! and then the whole site) must equal a clean build byte for byte.
//!
//! The edits come from the schema's own lists: a field added to the schema without an edit
//! here fails the test, naming it, so a new field is covered the day it is added.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chapar::commands::pipeline::{BuildOptions, BuildState, build, build_with};
use chapar::load::config::{DESK_FIELDS, FIELDS as SITE_FIELDS};
use chapar::model::front_matter::{FIELDS, IMAGE_FIELDS, METRIC_FIELDS};
use common::{files, now};

const RELEASES: usize = 5;
/// The release every front-matter edit is made to.
const EDITED: usize = 2;

/// A field's value as written (YAML), before and after the edit.
type Edit = (&'static str, &'static str);

/// The edit of each front-matter field, by name.
fn front_matter_edit(field: &str) -> Option<Edit> {
    Some(match field {
        "title" => ("گزارش دوم دربارهٔ ایمنی کار", "گزارش دوم، اصلاح‌شده"),
        "lead" => ("لید نخست خبر دوم", "لید دیگر خبر دوم"),
        "author" => ("[فاطمه حسینی, علی رضایی]", "[فاطمه حسینی]"),
        "desk" => ("provinces", "اقتصاد"),
        "date" => ("1402-07-02 10:00", "1402-07-05 09:30"),
        "updated" => ("1402-07-12 10:00", "1402-07-25 08:00"),
        "id" => ("1002", "2002"),
        "tags" => ("[ایمنی, بیمه]", "[سلامت]"),
        "draft" => ("false", "true"),
        "slug" => ("gozaresh-2", "gozaresh-digar"),
        "extra" => ("{source: ایرنا}", "{source: ایسنا}"),
        // Made of the fields below; each of those is edited in turn.
        "metrics" | "image" => return None,
        _ => return None,
    })
}

fn metric_edit(field: &str) -> Option<Edit> {
    Some(match field {
        "label" => ("کاهش حوادث ناشی از کار", "حوادث ناشی از کار"),
        "value" => ("47", "48"),
        "unit" => ("درصد", "مورد"),
        "change" => ("-47", "-12"),
        "period" => ("۱۴۰۲", "۱۴۰۱"),
        "good" => ("down", "up"),
        _ => return None,
    })
}

fn image_edit(field: &str) -> Option<Edit> {
    Some(match field {
        "src" => ("images/a.svg", "images/b.svg"),
        "alt" => ("نشست شورای ایمنی", "بازدید از کارگاه"),
        "caption" => ("هشتمین نشست", "نهمین نشست"),
        _ => return None,
    })
}

fn site_edit(field: &str) -> Option<Edit> {
    Some(match field {
        "title" => ("خبرگزاری آزمایشی", "خبرگزاری آزمایشی استان"),
        "description" => ("توضیح نخست", "توضیح دوم"),
        "base_url" => ("https://news.example.ir/", "https://example.org/press/"),
        "timezone" => ("Asia/Tehran", "UTC"),
        "page_size" => ("2", "3"),
        "default_author" => ("روابط عمومی", "دفتر خبر"),
        "body_digits" => ("persian", "latin"),
        "allow_raw_html" => ("false", "true"),
        "iframe_hosts" => ("[]", "[www.aparat.com]"),
        "extra" => ("{phone: '021-1'}", "{phone: '021-2'}"),
        // Made of the fields below; each of those is edited in turn.
        "desks" => return None,
        _ => return None,
    })
}

/// The edit of a desk's key: releases name the second desk by its Persian name, so renaming
/// its key moves no release out of it.
fn desk_edit(field: &str) -> Option<Edit> {
    Some(match field {
        "key" => ("economy", "eqtesad"),
        "name" => ("استان‌ها", "استان‌های کشور"),
        "description" => ("خبرهای استان‌ها", "خبرهای ادارات کل استان‌ها"),
        _ => return None,
    })
}

/// Which value of each field the newsroom shows: its fields' YAML values, by name.
#[derive(Clone)]
struct Values(BTreeMap<String, String>);

impl Values {
    fn get(&self, key: &str) -> &str {
        &self.0[key]
    }
}

/// Where an edit is made.
#[derive(Clone, Copy, Debug)]
enum Place {
    FrontMatter,
    Metric,
    Image,
    Site,
    Desk,
}

impl Place {
    /// Where `Values` holds the value of `field` at this place.
    fn key(self, field: &str) -> String {
        match self {
            Place::FrontMatter => field.to_string(),
            Place::Metric => format!("metric.{field}"),
            Place::Image => format!("image.{field}"),
            Place::Site => format!("site.{field}"),
            Place::Desk => format!("desk.{field}"),
        }
    }
}

struct Newsroom {
    root: PathBuf,
    /// The edited release's values (front matter, `metric.*`, `image.*`) and the site's
    /// (`site.*`, `desk.*`).
    values: Values,
    clock: u64,
}

impl Newsroom {
    fn new(root: &Path, values: Values) -> Newsroom {
        let mut room = Newsroom {
            root: root.to_path_buf(),
            values,
            clock: 0,
        };
        room.write("static/images/a.svg", SVG_A);
        room.write("static/images/b.svg", SVG_B);
        room.write("static/extra.txt", "پیوست نخست");
        room.write("templates/strings.yaml", "home: صفحهٔ نخست\n");
        let article = fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/article.html"),
        )
        .unwrap();
        room.write("templates/article.html", &article);
        room.write_config();
        for i in 1..=RELEASES {
            room.write_release(i);
        }
        room
    }

    /// Writes `rel` with a modification time of its own, as editors' saves have.
    fn write(&mut self, rel: &str, text: &str) -> PathBuf {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        self.clock += 1;
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000 + self.clock);
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(time)
            .unwrap();
        PathBuf::from(rel)
    }

    fn write_config(&mut self) -> PathBuf {
        let v = &self.values;
        let mut text = String::new();
        for field in SITE_FIELDS {
            if field == "desks" {
                text.push_str(&format!(
                    "desks:\n  - key: provinces\n    name: {}\n    description: {}\n  - key: {}\n    name: اقتصاد\n    description: اشتغال و تعاون\n",
                    v.get("desk.name"),
                    v.get("desk.description"),
                    v.get("desk.key"),
                ));
            } else {
                text.push_str(&format!("{field}: {}\n", v.get(&format!("site.{field}"))));
            }
        }
        self.write("site.yaml", &text)
    }

    /// Release `i`: the edited one shows `values`; the others vary around it, so that
    /// listings, related releases and pages hold several.
    fn write_release(&mut self, i: usize) -> PathBuf {
        let text = if i == EDITED {
            release_text(&self.values)
        } else {
            let mut values = base_values();
            let v = &mut values.0;
            v.insert("title".into(), format!("خبر شمارهٔ {i} از ادارهٔ کل"));
            v.insert("id".into(), format!("100{i}"));
            v.insert("slug".into(), format!("khabar-{i}"));
            v.insert("date".into(), format!("1402-07-0{i} 1{i}:00"));
            v.insert("updated".into(), format!("1402-07-1{i} 10:00"));
            v.insert(
                "desk".into(),
                if i.is_multiple_of(2) {
                    "provinces"
                } else {
                    "اقتصاد"
                }
                .into(),
            );
            v.insert(
                "tags".into(),
                if i.is_multiple_of(2) {
                    "[ایمنی]"
                } else {
                    "[بیمه, اشتغال]"
                }
                .into(),
            );
            let mut text = release_text(&values);
            if i == RELEASES {
                // One release without an author, which `default_author` names.
                text = text
                    .lines()
                    .filter(|l| !l.starts_with("author:"))
                    .map(|l| format!("{l}\n"))
                    .collect();
            }
            text
        };
        self.write(&format!("content/{i}.md"), &text)
    }

    /// Sets the value at `place` and writes the file that holds it; returns the file.
    fn set(&mut self, place: Place, field: &str, value: &str) -> PathBuf {
        self.values.0.insert(place.key(field), value.to_string());
        match place {
            Place::Site | Place::Desk => self.write_config(),
            _ => self.write_release(EDITED),
        }
    }
}

/// The values every release starts from, and the site's.
fn base_values() -> Values {
    let mut v = BTreeMap::new();
    let mut put = |prefix: &str, fields: &[&str], edit: fn(&str) -> Option<Edit>| {
        for field in fields {
            if let Some((before, _)) = edit(field) {
                v.insert(format!("{prefix}{field}"), before.to_string());
            }
        }
    };
    put("", &FIELDS, front_matter_edit);
    put("metric.", &METRIC_FIELDS, metric_edit);
    put("image.", &IMAGE_FIELDS, image_edit);
    put("site.", &SITE_FIELDS, site_edit);
    put("desk.", &DESK_FIELDS, desk_edit);
    Values(v)
}

/// A release file showing `v`, its fields in the schema's order, with a body that has raw
/// HTML (which `allow_raw_html` decides on), digits, a link and an embedded player (which
/// `iframe_hosts` lets through).
fn release_text(v: &Values) -> String {
    let mut text = String::from("---\n");
    for field in FIELDS {
        let value = match field {
            "metrics" => format!(
                "\n  - {}\n  - label: بهره‌مندان\n    value: 165000\n    unit: نفر",
                METRIC_FIELDS
                    .iter()
                    .map(|f| format!("{f}: {}", v.get(&format!("metric.{f}"))))
                    .collect::<Vec<_>>()
                    .join("\n    ")
            ),
            "image" => format!(
                "{{{}}}",
                IMAGE_FIELDS
                    .iter()
                    .map(|f| format!("{f}: {}", v.get(&format!("image.{f}"))))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => v.get(field).to_string(),
        };
        text.push_str(&format!("{field}: {value}\n"));
    }
    text.push_str(
        "---\nبند نخست خبر با ۴۷ درصد کاهش و 165000 نفر.\n\n<b onclick=\"x()\">بند دوم</b> با [پیوند](https://example.org/).\n\n<iframe src=\"https://www.aparat.com/video/video/embed/videohash/x\"></iframe>\n",
    );
    text
}

const SVG_A: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"3\"/>\n";
const SVG_B: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"6\"/>\n";

fn options(root: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        out_dir: Some(out.to_path_buf()),
        now: Some(now()),
        ..BuildOptions::new(root)
    }
}

fn snapshot(dir: &Path, keep: impl Fn(&str) -> bool) -> BTreeMap<String, Vec<u8>> {
    files(dir)
        .into_iter()
        .filter(|f| keep(f))
        .map(|f| {
            let bytes = fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

fn assert_same(got: &Path, want: &Path, context: &str, keep: impl Fn(&str) -> bool + Copy) {
    let (got, want) = (snapshot(got, keep), snapshot(want, keep));
    let differ: std::collections::BTreeSet<&String> = want
        .keys()
        .chain(got.keys())
        .filter(|k| got.get(*k) != want.get(*k))
        .collect();
    assert!(
        differ.is_empty(),
        "{context}: {} files differ from a clean build: {differ:?}",
        differ.len()
    );
}

/// The incremental builds of one edit (of the file `changed`), compared with a clean one.
struct Builds {
    out: PathBuf,
    memory_out: PathBuf,
    memory: BuildState,
}

/// The front-matter fields that move a release in the site (`Article::same_place`): an edit
/// of any other field of a release is applied to the last site, rendering only the pages
/// that show it (`only_touched_pages`).
const MOVES_IN_THE_SITE: [&str; 6] = ["author", "desk", "date", "id", "tags", "draft"];

/// Whether `serve`'s first build after this edit renders only the pages showing the release.
fn only_touched(place: Place, field: &str) -> bool {
    match place {
        Place::FrontMatter => !MOVES_IN_THE_SITE.contains(&field),
        Place::Metric | Place::Image => true,
        Place::Site | Place::Desk => false,
    }
}

impl Builds {
    /// `touched`: whether the pages-first build must render only the pages showing the edit.
    fn check(&mut self, root: &Path, changed: PathBuf, touched: bool, context: &str) {
        let report = build(&options(root, &self.out)).unwrap();
        assert!(report.succeeded, "{context}: {:#?}", report.diagnostics);
        let pages_first = BuildOptions {
            defer_whole_site: true,
            changed: Some(vec![changed]),
            ..options(root, &self.memory_out)
        };
        let pages = build_with(&pages_first, &mut self.memory, None).unwrap();
        assert!(pages.succeeded, "{context}, pages first");
        assert_eq!(
            pages.only_touched_pages, touched,
            "{context}: whether the pages-first build renders only the pages showing the edit"
        );
        let clean = tempfile::tempdir().unwrap();
        let clean_out = clean.path().join("public");
        assert!(build(&options(root, &clean_out)).unwrap().succeeded);
        let pages_only = |path: &str| {
            !chapar::emit::is_whole_site_file(path)
                && !chapar::emit::search::is_index_file(path)
                && !path.ends_with("rss.xml")
                && !path.ends_with("atom.xml")
        };
        assert_same(
            &self.memory_out,
            &clean_out,
            &format!("{context}, in memory, pages first"),
            pages_only,
        );
        let whole_site = BuildOptions {
            changed: Some(Vec::new()),
            ..options(root, &self.memory_out)
        };
        assert!(
            build_with(&whole_site, &mut self.memory, None)
                .unwrap()
                .succeeded
        );
        assert_same(
            &self.out,
            &clean_out,
            &format!("{context}, state file"),
            |_| true,
        );
        assert_same(
            &self.memory_out,
            &clean_out,
            &format!("{context}, in memory"),
            |_| true,
        );
    }
}

/// Every name of `fields` with its edit; a name without one fails, naming where to add it.
fn edits_of(
    place: Place,
    fields: &[&'static str],
    edit: fn(&str) -> Option<Edit>,
    composite: &[&str],
) -> Vec<(Place, &'static str, Edit)> {
    fields
        .iter()
        .filter(|f| !composite.contains(f))
        .map(|f| {
            let e = edit(f).unwrap_or_else(|| {
                panic!(
                    "the schema has a field `{f}` ({place:?}) that tests/schema_edits.rs does \
                     not edit: add its value before and after an edit to the `{place:?}` table"
                )
            });
            (place, *f, e)
        })
        .collect()
}

/// The edits of every field the schema lists (those made of others, through theirs).
fn all_edits() -> Vec<(Place, &'static str, Edit)> {
    let mut edits = Vec::new();
    edits.extend(edits_of(
        Place::FrontMatter,
        &FIELDS,
        front_matter_edit,
        &["metrics", "image"],
    ));
    edits.extend(edits_of(Place::Metric, &METRIC_FIELDS, metric_edit, &[]));
    edits.extend(edits_of(Place::Image, &IMAGE_FIELDS, image_edit, &[]));
    edits.extend(edits_of(Place::Site, &SITE_FIELDS, site_edit, &["desks"]));
    edits.extend(edits_of(Place::Desk, &DESK_FIELDS, desk_edit, &[]));
    edits
}

#[test]
fn every_field_of_the_schema_edited_gives_the_clean_builds_site() {
    // First: a field without an edit fails here, by name.
    let edits = all_edits();
    let site = tempfile::tempdir().unwrap();
    let root = site.path();
    let mut room = Newsroom::new(root, base_values());
    let mut builds = Builds {
        out: root.join("public"),
        memory_out: root.join("memory"),
        memory: BuildState::default(),
    };
    let first = build(&options(root, &builds.out)).unwrap();
    assert!(first.succeeded, "{:#?}", first.diagnostics);
    assert!(
        build_with(&options(root, &builds.memory_out), &mut builds.memory, None)
            .unwrap()
            .succeeded
    );

    for (place, field, (before, after)) in edits {
        let touched = only_touched(place, field);
        let changed = room.set(place, field, after);
        let context = format!("{place:?} `{field}`: {before} → {after}");
        builds.check(root, changed, touched, &context);
        let changed = room.set(place, field, before);
        let context = format!("{place:?} `{field}`: back to {before}");
        builds.check(root, changed, touched, &context);
    }

    // What the field lists do not name: the body (its first paragraph is the summary of a
    // release without a lead, its words the word count), and the lead taken away.
    let edited = format!("content/{EDITED}.md");
    let was = fs::read_to_string(root.join(&edited)).unwrap();
    let body = was.replace("بند نخست خبر", "بند نخست و تازهٔ خبر");
    let no_lead: String = was
        .lines()
        .filter(|l| !l.starts_with("lead:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let no_lead_body = no_lead.replace("بند نخست خبر", "بند نخست و تازهٔ خبر");
    for (what, text) in [
        ("the body", &body),
        ("the lead removed", &no_lead),
        ("the body, without a lead", &no_lead_body),
        ("back", &was),
    ] {
        assert_ne!(
            text,
            &fs::read_to_string(root.join(&edited)).unwrap(),
            "{what}"
        );
        let changed = room.write(&edited, text);
        builds.check(root, changed, true, &format!("release {EDITED}: {what}"));
    }

    // The theme: a string, a template and a static file.
    let theme = [
        ("templates/strings.yaml", "home: خانه\n"),
        ("static/extra.txt", "پیوست دوم"),
    ];
    for (rel, text) in theme {
        let was = fs::read_to_string(root.join(rel)).unwrap();
        let changed = room.write(rel, text);
        builds.check(root, changed, false, &format!("{rel} edited"));
        let changed = room.write(rel, &was);
        builds.check(root, changed, false, &format!("{rel} back"));
    }
    let template = "templates/article.html";
    let was = fs::read_to_string(root.join(template)).unwrap();
    let edited = was.replacen(
        "{% block content %}",
        "{% block content %}<!-- ویرایش -->",
        1,
    );
    assert_ne!(edited, was, "the test's template edit changes the template");
    let changed = room.write(template, &edited);
    builds.check(root, changed, false, "a template edited");
    let changed = room.write(template, &was);
    builds.check(root, changed, false, "a template back");
}

/// The test above must see what it edits: each edit changes some file of a clean build.
#[test]
fn every_edit_shows_in_the_site() {
    let edits = all_edits();
    let built = |values: Values| {
        let site = tempfile::tempdir().unwrap();
        Newsroom::new(site.path(), values);
        let out = site.path().join("public");
        let report = build(&options(site.path(), &out)).unwrap();
        assert!(report.succeeded, "{:#?}", report.diagnostics);
        snapshot(&out, |_| true)
    };
    let base = built(base_values());
    let mut unseen = Vec::new();
    for (place, field, (_, after)) in edits {
        let mut values = base_values();
        values.0.insert(place.key(field), after.to_string());
        if built(values) == base {
            unseen.push(format!("{place:?} `{field}`"));
        }
    }
    // `extra` is the theme's to show, and the default theme shows neither. Both are still
    // edited above: a theme that shows them must see the edit.
    unseen.retain(|u| !["FrontMatter `extra`", "Site `extra`"].contains(&u.as_str()));
    assert!(
        unseen.is_empty(),
        "edits that change nothing in the site: {unseen:?}"
    );
}
