//! Broken sites, one per kind of mistake an editor can make, each with the exact diagnostics
//! expected (`expected.txt` beside the case's `content/`). `BLESS=1 cargo test --test broken`
//! rewrites the expected files; review the diff before committing it.

mod common;

use std::fs;
use std::path::Path;

use common::*;

/// Builds a case and renders what the editor sees: every diagnostic, then the summary line
/// without its timing.
fn transcript(root: &Path) -> String {
    let report = build(root);
    assert!(!report.succeeded, "a broken site must not build");
    assert!(
        !root.join("public").exists(),
        "a failed build writes nothing"
    );
    let mut out: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    out.push(report.summary());
    out.join("\n") + "\n"
}

fn case(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("broken").join(name), dir.path());
    if !dir.path().join("site.yaml").exists() {
        fs::copy(
            fixtures().join("broken/site.yaml"),
            dir.path().join("site.yaml"),
        )
        .unwrap();
    }
    fs::remove_file(dir.path().join("expected.txt")).ok();
    dir
}

fn cases() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures().join("broken"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_kind_of_mistake_gets_its_exact_diagnostic() {
    let names = cases();
    assert!(
        names.len() >= 15,
        "expected a case per kind of mistake, found {names:?}"
    );
    let mut failures = Vec::new();
    for name in &names {
        let site = case(name);
        let actual = transcript(site.path());
        let expected_path = fixtures().join("broken").join(name).join("expected.txt");
        if std::env::var_os("BLESS").is_some() {
            fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "--- {name}: expected\n{expected}--- {name}: actual\n{actual}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn all_problems_of_all_files_are_reported_in_one_run() {
    // Every broken release of every case in one site: each file's diagnostics still appear.
    let site = case("missing_field");
    let content = site.path().join("content");
    let mut expected_errors = 0;
    for name in cases().iter().filter(|n| *n != "site_settings") {
        let one = case(name);
        let errors = build(one.path()).errors();
        expected_errors += errors;
        let from = one.path().join("content");
        let to = content.join(name);
        copy_dir(&from, &to);
    }
    let report = build(site.path());
    // The duplicate cases collide with nothing else (their ids and slugs are their own),
    // but the single-file cases all use id 1 and so collide with each other.
    assert!(
        report.errors() >= expected_errors,
        "{} < {expected_errors}",
        report.errors()
    );
    let files_with_errors = report.files_with_errors();
    assert!(
        files_with_errors >= cases().len() - 1,
        "{files_with_errors} files reported"
    );
}

#[test]
fn an_unreadable_file_is_reported() {
    let site = case("missing_field");
    let content = site.path().join("content");
    fs::remove_file(content.join("release.md")).unwrap();
    std::os::unix::fs::symlink("gone.md", content.join("dangling.md")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.md"), "---\ntitle: x\n---\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), content.join("outside.md"))
        .unwrap();
    let report = build(site.path());
    let lines: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[0].starts_with("content/dangling.md: error: this link points to a file that cannot be read: No such file or directory"), "{}", lines[0]);
    assert!(
        lines[1]
            .starts_with("content/outside.md: error: this link points outside the content folder"),
        "{}",
        lines[1]
    );
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let site = site("basic");
    assert!(build(site.path()).succeeded);
    let out = site.path().join("public");
    let snapshot = |dir: &Path| -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
        files(dir)
            .into_iter()
            .map(|f| {
                let p = dir.join(&f);
                (
                    f,
                    fs::read(&p).unwrap(),
                    fs::metadata(&p).unwrap().modified().unwrap(),
                )
            })
            .collect()
    };
    let before = snapshot(&out);

    // A good edit and a broken release: the build must publish neither.
    let five = site.path().join("content/economy/five.md");
    fs::write(&five, read(&five).replace("خبر پنجم اقتصادی", "عنوان تازه")).unwrap();
    fs::copy(
        fixtures().join("broken/bad_date/content/release.md"),
        site.path().join("content/economy/bad.md"),
    )
    .unwrap();
    let report = build(site.path());
    assert!(!report.succeeded);
    assert_eq!(report.errors(), 1);
    assert_eq!(
        snapshot(&out),
        before,
        "public/ changed after a failed build"
    );
    let leftovers: Vec<_> = fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("staging"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
}

#[test]
fn the_command_line_reports_and_exits_with_1() {
    let site = case("bad_date");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chapar"))
        .args(["build", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("content/release.md:5:1: error: bad `date`: the Jalali date 1402-12-30 does not exist: 1402 is not a leap year, so Esfand has 29 days"), "{stderr}");
    assert!(
        stderr.contains("build failed: 1 error(s) in 1 file(s), 1 files read"),
        "{stderr}"
    );
}

/// A stderr that cannot be written (`2>/dev/full`) loses the messages, not the run: no panic,
/// and the exit code still says how it went.
#[test]
fn an_unwritable_stderr_changes_nothing_but_the_messages() {
    let broken = case("bad_date");
    let good = site("basic");
    for (root, command, code) in [
        (broken.path(), "build", 1),
        (broken.path(), "check", 1),
        (good.path(), "build", 0),
    ] {
        let full = fs::File::options().write(true).open("/dev/full").unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_chapar"))
            .args([command, "--root"])
            .arg(root)
            .stderr(full)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(code),
            "chapar {command} with stderr on /dev/full"
        );
    }
}
