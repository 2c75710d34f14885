//! The editor's commands: check, fix, new and init, run as an editor runs them.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn chapar(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chapar"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The basic fixture with one more release.
fn site_with(release: &str) -> tempfile::TempDir {
    let site = site("basic");
    fs::write(site.path().join("content/provinces/extra.md"), release).unwrap();
    site
}

#[test]
fn fix_applies_the_safe_fixes_and_nothing_else() {
    let before = read(fixtures().join("fix/before.md"));
    let site = site_with(&before);
    let clean_before = fs::read(site.path().join("content/economy/four.md")).unwrap();

    let dry = chapar(&["fix", "--dry-run"], site.path());
    assert!(dry.status.success());
    let diff = text(&dry.stdout);
    assert!(
        diff.starts_with("--- a/content/provinces/extra.md\n+++ b/content/provinces/extra.md\n"),
        "{diff}"
    );
    assert!(diff.contains("+title: کاهش ۴۷ درصدی پرونده‌های حوادث کار در ایلام"));
    assert_eq!(
        read(site.path().join("content/provinces/extra.md")),
        before,
        "--dry-run changes nothing"
    );

    let run = chapar(&["fix"], site.path());
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(
        read(site.path().join("content/provinces/extra.md")),
        read(fixtures().join("fix/after.md"))
    );
    assert_eq!(
        fs::read(site.path().join("content/economy/four.md")).unwrap(),
        clean_before,
        "a clean file is untouched"
    );
    // Fixing again finds nothing: the fixes are stable.
    let again = chapar(&["fix"], site.path());
    assert!(
        text(&again.stderr).contains("0 fix(es) changed 0 file(s)"),
        "{}",
        text(&again.stderr)
    );
    assert!(
        !site
            .path()
            .join("content/provinces/extra.md.chapar-fix")
            .exists()
    );
}

#[test]
fn fix_takes_paths() {
    let site = site_with(&read(fixtures().join("fix/before.md")));
    let run = chapar(&["fix", "content/economy"], site.path());
    assert!(run.status.success());
    assert_eq!(
        read(site.path().join("content/provinces/extra.md")),
        read(fixtures().join("fix/before.md")),
        "outside the given path"
    );
}

#[test]
fn check_reports_every_rule_in_text_and_json() {
    let release = "---\ntitle: \"كار\u{202B} تازه\"\nlead: لید خبر\nauthor: x\ndesk: provinces\ndate: 1402-07-09\nid: 900\nimage: {src: images/missing.jpg, alt: x}\n---\n\
كار می شود و کتاب ها, چرا?\n\
سال ۱۴۰۲ و 19 جلسه و \"نقل\"  و دو فاصله.\n\
\n\
[خراب](/news/999/x/) و [درست](/news/101/) و [قدیمی](/news/101/old-slug/) ![](/images/photo.svg)\n";
    let site = site_with(release);
    fs::write(
        site.path().join("content/economy/same.md"),
        read(site.path().join("content/economy/four.md"))
            .replace("id: 104", "id: 901")
            .replace(
                "title: خبر چهارم اقتصادی",
                "title: خبر چهارم  اقتصادی\nslug: another",
            ),
    )
    .unwrap();

    let json = chapar(&["check", "--format", "json"], site.path());
    assert_eq!(json.status.code(), Some(1), "errors: exit 1");
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let found = |rule: &str, line: u64| {
        report["diagnostics"].as_array().unwrap().iter().any(|d| {
            d["rule"] == rule && d["line"] == line && d["path"] == "content/provinces/extra.md"
        })
    };
    for (rule, line) in [
        ("bidi-control", 2),
        ("arabic-letters", 2),
        ("arabic-letters", 10),
        ("zwnj-after-mi", 10),
        ("zwnj-before-suffix", 10),
        ("latin-punctuation", 10),
        ("mixed-digits", 11),
        ("straight-quotes", 11),
        ("double-space", 11),
    ] {
        assert!(found(rule, line), "no {rule} on line {line}: {report:#}");
    }
    let messages: Vec<(String, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"].is_null())
        .map(|d| {
            (
                d["message"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let has = |m: &str, line: u64| {
        messages
            .iter()
            .any(|(text, l)| text.contains(m) && *l == line)
    };
    assert!(
        has("the image `images/missing.jpg` does not exist", 8),
        "{messages:#?}"
    );
    assert!(
        has(
            "the link `/news/999/x/` points to a page that does not exist",
            13
        ),
        "{messages:#?}"
    );
    assert!(
        has(
            "the link `/news/101/old-slug/` points to a page that does not exist",
            13
        ),
        "{messages:#?}"
    );
    assert!(has("an image without alt text", 13), "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|(m, _)| m.contains("the title is the same as")),
        "duplicate titles, folded: {messages:#?}"
    );
    assert!(
        !messages.iter().any(|(m, _)| m.contains("`/news/101/`")),
        "a short link to an existing release is fine"
    );

    let plain = chapar(&["check"], site.path());
    let out = text(&plain.stdout);
    assert!(
        out.contains("content/provinces/extra.md\n"),
        "grouped by file: {out}"
    );
    assert!(out.contains("     10:1  warning: Arabic ي or ك in Persian text; Persian uses ی and ک [arabic-letters]"), "{out}");
    assert!(
        out.contains("hint: release 101 is at /press/news/101/خبر-یکم-استان/"),
        "{out}"
    );
}

#[test]
fn check_exit_codes() {
    let clean = site("basic");
    assert_eq!(chapar(&["check"], clean.path()).status.code(), Some(0));
    let warned = site_with(
        "---\ntitle: خبر\nauthor: x\ndesk: provinces\ndate: 1402-07-09\nid: 900\n---\nكار\n",
    );
    assert_eq!(
        chapar(&["check"], warned.path()).status.code(),
        Some(0),
        "warnings alone pass"
    );
    assert_eq!(
        chapar(&["check", "--deny-warnings"], warned.path())
            .status
            .code(),
        Some(2)
    );
    let broken = site_with("---\ntitle: خبر\n---\n");
    assert_eq!(
        chapar(&["check", "--deny-warnings"], broken.path())
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn new_creates_a_release_that_builds_and_never_overwrites() {
    let site = site("basic");
    let first = chapar(
        &[
            "new",
            "نشست خبری استاندار",
            "--desk",
            "استان‌ها",
            "--author",
            "سارا کریمی",
        ],
        site.path(),
    );
    assert!(first.status.success(), "{}", text(&first.stderr));
    let path = text(&first.stdout).trim().to_string();
    assert_eq!(path, "content/provinces/نشست-خبری-استاندار.md");
    let release = read(site.path().join(&path));
    assert!(
        release.contains("title: \"نشست خبری استاندار\"\n")
            && release.contains("author: \"سارا کریمی\"\n")
            && release.contains("desk: provinces\n")
    );
    assert!(
        release.contains("# metrics:\n"),
        "a commented metrics example"
    );
    let id: u64 = release
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(id > 107 && id % 100 == 1, "a code after today's date: {id}");
    let second = chapar(
        &["new", "نشست خبری استاندار", "--desk", "provinces"],
        site.path(),
    );
    assert_eq!(
        text(&second.stdout).trim(),
        "content/provinces/نشست-خبری-استاندار-2.md"
    );
    assert_eq!(
        read(site.path().join(&path)),
        release,
        "the first file is untouched"
    );
    let second_id: u64 = read(
        site.path()
            .join("content/provinces/نشست-خبری-استاندار-2.md"),
    )
    .lines()
    .find_map(|l| l.strip_prefix("id: "))
    .unwrap()
    .parse()
    .unwrap();
    assert_eq!(second_id, id + 1, "the next free code");
    let report = build_at(site.path(), None, true);
    assert!(
        report.succeeded,
        "new releases build (as drafts): {:#?}",
        report.diagnostics
    );
    let colon = chapar(
        &["new", "استاندار ایلام: بیکاری کم شد", "--desk", "provinces"],
        site.path(),
    );
    assert!(colon.status.success());
    let report = build_at(site.path(), None, true);
    assert!(
        report.succeeded,
        "a headline with a colon: {:#?}",
        report.diagnostics
    );
    let unknown = chapar(&["new", "x", "--desk", "sport"], site.path());
    assert_eq!(unknown.status.code(), Some(1));
    assert!(text(&unknown.stderr).contains("unknown desk `sport`"));
}

#[test]
fn init_makes_a_newsroom_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("newsroom");
    let run = chapar(&["init", target.to_str().unwrap()], dir.path());
    assert!(run.status.success(), "{}", text(&run.stderr));
    // `init` dates its sample release by the real clock, so this build goes by it too: at
    // the tests' fixed time the release would still be due.
    let report =
        chapar::commands::pipeline::build(&chapar::commands::pipeline::BuildOptions::new(&target))
            .unwrap();
    assert!(report.succeeded, "{:#?}", report.diagnostics);
    assert_eq!(report.articles, 1);
    let again = chapar(&["init", target.to_str().unwrap()], dir.path());
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("already holds a site"));
}
