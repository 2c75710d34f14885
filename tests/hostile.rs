//! Hostile and broken input, as it arrives from many hands, Word and messengers: every case
//! gives a diagnostic or a documented harmless outcome, never a panic, never a write outside
//! the output folder, in bounded memory.

mod common;

use std::fs;
use std::path::Path;

use common::*;

const HEAD: &str =
    "title: خبر آزمایشی\nauthor: مریم احمدی\ndesk: provinces\ndate: 1402-07-09\nid: 7\n";

/// A one-release site with `bytes` as the release; returns the diagnostics as text.
fn outcome(bytes: &[u8]) -> (bool, Vec<String>) {
    let site = tempfile::tempdir().unwrap();
    fs::copy(
        fixtures().join("broken/site.yaml"),
        site.path().join("site.yaml"),
    )
    .unwrap();
    fs::create_dir(site.path().join("content")).unwrap();
    fs::write(site.path().join("content/release.md"), bytes).unwrap();
    let report = build(site.path());
    assert_only_output_written(site.path());
    (
        report.succeeded,
        report.diagnostics.iter().map(|d| d.to_string()).collect(),
    )
}

/// Nothing but the sources, the output folder, its lock and its build state (with the search
/// documents and their result text) may be in the site folder.
fn assert_only_output_written(root: &Path) {
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.retain(|n| {
        ![
            "content",
            "site.yaml",
            "public",
            ".public.lock",
            ".public.state",
            ".public.search",
            ".public.search-text",
        ]
        .contains(&n.as_str())
    });
    assert!(
        names.is_empty(),
        "unexpected files in the site folder: {names:?}"
    );
}

fn release(front: &str, body: &str) -> Vec<u8> {
    format!("---\n{front}---\n{body}").into_bytes()
}

fn assert_error(bytes: &[u8], expected: &str) {
    let (ok, diagnostics) = outcome(bytes);
    assert!(!ok, "expected an error containing {expected:?}");
    assert!(
        diagnostics.iter().any(|d| d.contains(expected)),
        "{expected:?} not in {diagnostics:#?}"
    );
}

fn assert_builds(bytes: &[u8]) {
    let (ok, diagnostics) = outcome(bytes);
    assert!(ok, "{diagnostics:#?}");
}

#[test]
fn malformed_yaml_of_many_kinds() {
    for (front, expected) in [
        (
            "title: [unclosed\n",
            "content/release.md:3:1: error: the front matter is not valid YAML",
        ),
        (
            "title: \"unclosed\n",
            "the front matter is not valid YAML: found unexpected end of stream",
        ),
        (
            "title: a\n\tauthor: b\n",
            "the front matter is not valid YAML",
        ),
        (
            "title: a: b\n",
            "the front matter is not valid YAML: mapping values are not allowed in this context",
        ),
        (
            "title: x\ntitle: y\n",
            "the front matter is not valid YAML: duplicate entry with key \"title\"",
        ),
        (
            "- a\n- b\n",
            "the front matter must be a set of fields, but it is a list",
        ),
        (
            "just text\n",
            "the front matter must be a set of fields, but it is text",
        ),
        (
            "title: *nothing\n",
            "the front matter is not valid YAML: unknown anchor",
        ),
        ("? [a, b]\n: c\n", "unknown field"),
    ] {
        assert_error(&release(front, "متن"), expected);
    }
}

#[test]
fn wrong_types_in_every_field() {
    let base = |field: &str| {
        HEAD.lines()
            .filter(|l| !l.starts_with(&format!("{field}:")))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    for (field, value, expected) in [
        (
            "title",
            "{a: 1}",
            "`title` must be text, not a set of fields",
        ),
        ("title", "\"\"", "`title` is empty"),
        ("author", "[]", "`author` is an empty list"),
        (
            "author",
            "{x: y}",
            "`author` must be a list or one piece of text, not a set of fields",
        ),
        (
            "author",
            "[نام, [تو در تو]]",
            "`author` must be text, not a list",
        ),
        ("desk", "[provinces]", "`desk` must be text, not a list"),
        ("desk", "sport", "unknown desk `sport`"),
        ("date", "true", "`date` must be text, not `true`"),
        ("date", "2023-13-45", "bad `date`"),
        ("date", "1402-12-30", "1402 is not a leap year"),
        ("date", "yesterday", "is not a date in the form YYYY-MM-DD"),
        ("id", "-5", "`id` must be a positive whole number"),
        ("id", "0", "`id` must be a positive whole number"),
        ("id", "1.5", "`id` must be a positive whole number"),
        (
            "id",
            "99999999999999999999999",
            "integer `99999999999999999999999` as u128",
        ),
        (
            "id",
            "[1]",
            "`id` must be a positive whole number (the news code), not a list",
        ),
    ] {
        let front = format!("{}{field}: {value}\n", base(field));
        assert_error(&release(&front, "متن"), expected);
    }
    for (extra, expected) in [
        (
            "tags: {a: b}\n",
            "`tags` must be a list or one piece of text, not a set of fields",
        ),
        (
            "tags: ایلام، کار\n",
            "`tags` is one piece of text with commas in it",
        ),
        ("metrics: 47\n", "`metrics` must be a list, not `47`"),
        (
            "metrics: [47]\n",
            "metric 1 must be a set of fields (label, value, unit...), not `47`",
        ),
        ("metrics:\n  - label: x\n", "metric 1 has no `value`"),
        (
            "metrics:\n  - label: x\n    value: [1]\n",
            "`value` must be a number, not a list",
        ),
        (
            "metrics:\n  - label: x\n    value: 1\n    change: زیاد\n",
            "`change`: `زیاد` is not a number",
        ),
        (
            "metrics:\n  - label: x\n    value: 1\n    good: left\n",
            "`good` must be `up` or `down`, not `left`",
        ),
        (
            "image: photo.jpg\n",
            "`image` must be a set of fields (src, alt, caption), not `photo.jpg`",
        ),
        ("image: {src: a.jpg}\n", "`image` has no `alt` text"),
        ("draft: \"no\"\n", "`draft` must be true or false, not `no`"),
        ("slug: []\n", "`slug` must be text, not a list"),
        (
            "extra: [1, 2]\n",
            "`extra` must be a set of fields, not a list",
        ),
        ("updated: 1402-07-01\n", "`updated` is earlier than `date`"),
    ] {
        assert_error(&release(&format!("{HEAD}{extra}"), "متن"), expected);
    }
}

#[test]
fn encodings_and_line_endings() {
    assert_builds(
        format!(
            "\u{feff}---\r\n{}---\r\nمتن\r\n",
            HEAD.replace('\n', "\r\n")
        )
        .as_bytes(),
    );
    // Mixed endings, and old Mac CR-only lines.
    assert_builds(format!("---\r\n{HEAD}---\rمتن\r\nادامه\n").as_bytes());
    let mut bad = release(HEAD, "متن ").clone();
    bad.extend_from_slice(&[0xff, 0xfe, b'\n']);
    assert_error(
        &bad,
        "content/release.md:8:5: error: the file is not valid UTF-8 text",
    );
    assert_error(
        &release(HEAD, "متن\0"),
        "content/release.md:8:4: error: the file contains a NUL byte",
    );
    assert_error(b"", "the file is empty");
    assert_error(b"   \n\n", "the file is empty");
    assert_error(
        format!("---\n{HEAD}متن").as_bytes(),
        "the front matter that starts here never closes",
    );
}

#[test]
fn huge_inputs_are_bounded() {
    // 50 MB of body: refused before it is read whole.
    let mut big = release(HEAD, "");
    big.resize(50 * 1024 * 1024, b'a');
    assert_error(&big, "the file is 50 MB; a release may be at most 10 MB");
    // 100,000 lines: builds.
    assert_builds(&release(HEAD, &"یک خط کوتاه از متن خبر.\n".repeat(100_000)));
    // 10,000 tags: refused.
    let tags: Vec<String> = (0..10_000).map(|i| format!("برچسب{i}")).collect();
    assert_error(
        &release(&format!("{HEAD}tags: [{}]\n", tags.join(", ")), "متن"),
        "a release may have at most 50 tags, this one has 10000",
    );
    // A 5,000-character title: builds, with a warning and a bounded slug.
    let long = "خبر ".repeat(1250);
    let (ok, diagnostics) = outcome(&release(
        &HEAD.replace("title: خبر آزمایشی", &format!("title: {long}")),
        "متن",
    ));
    assert!(ok, "{diagnostics:#?}");
    assert!(
        diagnostics[0].contains("warning: the title is 4999 characters long"),
        "{diagnostics:#?}"
    );
    let peak = peak_memory_mb();
    assert!(peak < 2048, "the test process peaked at {peak} MB");
}

/// The peak resident memory of this test process, from Linux's /proc.
fn peak_memory_mb() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

#[test]
fn bombs_and_deep_nesting() {
    let mut bomb = String::from("extra:\n  a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        bomb += &format!(
            "  {name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(", ")
        );
    }
    assert_error(
        &release(&format!("{HEAD}{bomb}"), "متن"),
        "the front matter is not valid YAML: repetition limit exceeded",
    );
    let nested = format!(
        "{HEAD}extra: {{a: {}{}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_error(
        &release(&nested, "متن"),
        "the front matter is not valid YAML: recursion limit exceeded",
    );
    // Deep Markdown: quotes, lists, emphasis and brackets by the ten thousand.
    let body = format!(
        "{}عمیق\n\n{}x\n\n{}\n\n{}\n",
        "> ".repeat(20_000),
        "- ".repeat(20_000),
        "*".repeat(50_000),
        "[".repeat(50_000)
    );
    assert_builds(&release(HEAD, &body));
}

#[test]
fn paths_that_try_to_climb_out() {
    for slug in ["../../etc", "/etc/passwd", "%2e%2e/%2e%2e/x", "..\\..\\x"] {
        let (ok, _) = outcome(&release(&format!("{HEAD}slug: '{slug}'\n"), "متن"));
        assert!(ok, "a slug is made safe, not refused");
    }
    let site = site("basic");
    let path = site.path().join("content/economy/five.md");
    fs::write(
        &path,
        read(&path).replace(
            "date: 1402-07-13 12:00",
            "date: 1402-07-13 12:00\nslug: ../../../../outside",
        ),
    )
    .unwrap();
    assert!(build(site.path()).succeeded);
    assert!(
        site.path()
            .join("public/news/105/outside/index.html")
            .is_file()
    );
    for src in [
        "../../etc/passwd",
        "%2e%2e/secret.jpg",
        "javascript:alert(1)",
        "data:text/html,x",
    ] {
        assert_error(
            &release(&format!("{HEAD}image: {{src: \"{src}\", alt: x}}\n"), "متن"),
            "is not allowed",
        );
    }
    assert_error(
        &release(&HEAD.replace("id: 7", "id: ../7"), "متن"),
        "`id` must be a positive whole number",
    );
}

#[test]
fn scripts_never_reach_the_page() {
    let body = "<script>alert(1)</script>\n\n<p onmouseover=\"alert(1)\">متن</p>\n\n[پیوند](javascript:alert(1))\n\n<iframe src=\"https://evil.example/\"></iframe>\n\n<img src=x onerror=alert(1)>\n";
    let front = HEAD.replace("title: خبر آزمایشی", "title: \"<script>alert(1)</script>\"");
    let site = tempfile::tempdir().unwrap();
    fs::copy(
        fixtures().join("broken/site.yaml"),
        site.path().join("site.yaml"),
    )
    .unwrap();
    fs::create_dir(site.path().join("content")).unwrap();
    fs::write(
        site.path().join("content/release.md"),
        release(&front, body),
    )
    .unwrap();
    let report = build(site.path());
    assert!(report.succeeded);
    assert_eq!(
        report.diagnostics.iter().filter(|d| !d.is_error()).count(),
        2,
        "{:#?}",
        report.diagnostics
    );
    let out = site.path().join("public");
    // (data/articles.json carries the title as JSON text, for programs that escape it.)
    for file in files(&out)
        .iter()
        .filter(|f| f.ends_with(".html") || f.ends_with(".xml"))
    {
        let text = read(out.join(file));
        assert!(!text.contains("<script>alert"), "{file}");
        assert!(
            !text.contains("onmouseover")
                && !text.contains("onerror")
                && !text.contains("javascript:"),
            "{file}"
        );
        assert!(!text.contains("evil.example"), "{file}");
    }
    let page = read(
        out.join(
            files(&out)
                .into_iter()
                // The article's page, not its short link's (`news/<id>/index.html`).
                .find(|f| f.starts_with("news/") && f.matches('/').count() == 3)
                .unwrap(),
        ),
    );
    assert!(
        page.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"),
        "front matter values are escaped"
    );
}

#[test]
fn symlinks_out_and_symlink_loops() {
    let site = site("basic");
    let content = site.path().join("content");
    std::os::unix::fs::symlink("loop.md", content.join("loop.md")).unwrap();
    std::os::unix::fs::symlink("/etc", content.join("etc")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", content.join("host.md")).unwrap();
    std::os::unix::fs::symlink(".", content.join("again")).unwrap();
    let report = build(site.path());
    let lines: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0].starts_with("content/host.md: error: this link points outside the content folder")
    );
    assert!(
        lines[1]
            .starts_with("content/loop.md: error: this link points to a file that cannot be read")
    );
}

#[test]
fn duplicates_are_reported_not_overwritten() {
    let site = site("basic");
    let four = read(site.path().join("content/economy/four.md"));
    fs::write(site.path().join("content/economy/four-copy.md"), four).unwrap();
    let report = build(site.path());
    let lines: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("news code 104 is already used by content/economy/four")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("warning: the slug `خبر-چهارم-اقتصادی` is already used")),
        "{lines:#?}"
    );
    assert!(!site.path().join("public").exists());
}

#[test]
fn recurring_headlines_build_with_a_warning() {
    let site = site("basic");
    let four = read(site.path().join("content/economy/four.md"));
    fs::write(
        site.path().join("content/economy/again.md"),
        four.replace("id: 104", "id: 204"),
    )
    .unwrap();
    let report = build(site.path());
    assert!(report.succeeded, "{:#?}", report.diagnostics);
    assert_eq!(report.diagnostics.len(), 1);
    assert!(
        report.diagnostics[0]
            .to_string()
            .contains("warning: the slug `خبر-چهارم-اقتصادی` is already used by content/economy/")
    );
    assert!(
        site.path()
            .join("public/news/204/خبر-چهارم-اقتصادی/index.html")
            .is_file()
    );
    assert!(
        site.path()
            .join("public/news/104/خبر-چهارم-اقتصادی/index.html")
            .is_file()
    );
}

#[test]
fn output_folders_chapar_must_not_replace() {
    let site = site("basic");
    let try_out = |out: &Path, force: bool| {
        let options = chapar::BuildOptions {
            out_dir: Some(out.to_path_buf()),
            now: Some(now()),
            force,
            ..chapar::BuildOptions::new(site.path())
        };
        chapar::build(&options).unwrap()
    };
    for out in [
        site.path().to_path_buf(),
        site.path().join("content"),
        site.path().join("static/x"),
        Path::new("/").to_path_buf(),
    ] {
        let report = try_out(&out, true);
        assert!(
            !report.succeeded
                && report.diagnostics[0]
                    .to_string()
                    .starts_with("--out: error: will not build into"),
            "{out:?}"
        );
    }
    let docs = site.path().join("docs");
    fs::create_dir(&docs).unwrap();
    fs::write(docs.join("keep.txt"), "an editor's file").unwrap();
    assert!(!try_out(&docs, false).succeeded);
    assert_eq!(read(docs.join("keep.txt")), "an editor's file");
    assert!(try_out(&docs, true).succeeded, "--force replaces it");
    assert!(
        try_out(&docs, false).succeeded,
        "and chapar owns it from then on"
    );
}

#[test]
fn inputs_the_fuzzers_found() {
    // A long title is a warning, and the release is still published.
    let front_matter = fs::read(fixtures().join("../data/fuzz-front-matter-crash.bin")).unwrap();
    let config = chapar::load::config::parse(
        "title: t\nbase_url: https://e.org/press/\ndesks:\n  - key: provinces\n    name: استان‌ها\n",
    )
    .unwrap();
    let text = String::from_utf8(front_matter).unwrap();
    let (article, diagnostics) =
        chapar::load::parse_article("f.md".into(), &text, &chapar::load::Parsing::new(&config));
    assert!(article.is_some(), "{diagnostics:?}");
    assert!(diagnostics.iter().all(|d| !d.is_error()));
    // Markup inside an allowed iframe is not published as written.
    let body =
        String::from_utf8(fs::read(fixtures().join("../data/fuzz-markdown-crash.bin")).unwrap())
            .unwrap();
    let sanitizer = chapar::load::sanitize::Sanitizer::new(&["www.aparat.com".to_string()]);
    let options = chapar::load::markdown::BodyOptions {
        sanitizer: Some(&sanitizer),
        ..Default::default()
    };
    assert!(
        !chapar::load::markdown::render(&body, options)
            .html
            .contains("<script")
    );
}

/// Runs the `chapar` binary with `args` in `root`, killed after 20 s: a hang is a failure, not a
/// stuck test run. Returns the exit code and what it printed (stdout, then stderr).
fn run_bounded(root: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chapar"))
        .args(args)
        .current_dir(root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("chapar {args:?} did not finish in 20 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let printed = [output.stdout, output.stderr].concat();
    (
        output.status.code(),
        String::from_utf8_lossy(&printed).into_owned(),
    )
}

fn mkfifo(path: &Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
}

/// Settings and releases that are pipes, devices or huge sparse files are refused
/// at once with a message, by `build`, `check` and `fix`, never read for ever.
#[test]
fn inputs_that_are_not_text_files_are_refused_at_once() {
    let not_text = "error: cannot read the site settings: this is not a regular file; the site settings must be a text file";
    type Plant = dyn Fn(&Path);
    let cases: [(&str, &Plant, &str); 3] = [
        (
            "site.yaml a pipe",
            &|p| mkfifo(&p.join("site.yaml")),
            not_text,
        ),
        (
            "site.yaml a device",
            &|p| std::os::unix::fs::symlink("/dev/zero", p.join("site.yaml")).unwrap(),
            not_text,
        ),
        (
            "site.yaml sparse, 2 GB",
            &|p| {
                let file = fs::File::create(p.join("site.yaml")).unwrap();
                file.set_len(2 << 30).unwrap();
            },
            "error: cannot read the site settings: the file is 2048 MB; the site settings may be at most 1 MB",
        ),
    ];
    for (what, plant, expected) in cases {
        let site = site("basic");
        fs::remove_file(site.path().join("site.yaml")).unwrap();
        plant(site.path());
        for command in ["build", "check"] {
            let (code, stderr) = run_bounded(site.path(), &[command]);
            assert_eq!(code, Some(1), "{what}, chapar {command}: {stderr}");
            let file = "site.yaml";
            assert!(
                stderr.contains(expected) && stderr.contains(file),
                "{what}, chapar {command}: {stderr}"
            );
        }
    }

    // `fix` reads releases as the build does: a 1 GB one is refused, not read whole.
    let site = site("basic");
    let release = site.path().join("content/huge.md");
    fs::File::create(&release)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let (code, stderr) = run_bounded(site.path(), &["fix", "--dry-run"]);
    assert_ne!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("the file is 1024 MB; a release may be at most 10 MB"),
        "{stderr}"
    );
}

/// A decimal comma or grouping in the wrong places is an error with a hint, never a guess:
/// `2,5` was read as 25.
#[test]
fn misplaced_grouping_is_an_error_not_a_guess() {
    for value in ["\"2,5\"", "\"۲٬۵\"", "\"12,34,567\""] {
        let front = format!("{HEAD}metrics:\n  - label: نرخ\n    value: {value}\n");
        let shown = value.trim_matches('"');
        assert_error(
            &release(&front, "متن.\n"),
            &format!(
                "error: `value`: `{shown}` has a grouping separator out of place: separators go between groups of three digits\n  hint: for a fraction write the decimal separator `٫` or `.` (`2٫5`); group digits in threes (`1,234,567`) or not at all"
            ),
        );
    }
    let front = format!("{HEAD}metrics:\n  - label: نرخ\n    value: \"1,234,567\"\n");
    assert_builds(&release(&front, "متن.\n"));
}

/// A release or folder whose name is not UTF-8 is an error naming it, before anything is
/// published, every time, until it is renamed (it used to publish, then fail to save the
/// state, and fail every later build on that).
#[test]
fn names_that_are_not_utf8_are_errors_until_renamed() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let site = site("basic");
    let content = site.path().join("content");
    let bad_file = content.join(OsStr::from_bytes(b"bad\xff.md"));
    fs::write(&bad_file, release(HEAD, "متن.\n")).unwrap();
    let bad_folder = content.join(OsStr::from_bytes(b"desk\xfe"));
    fs::create_dir(&bad_folder).unwrap();
    fs::write(bad_folder.join("a.md"), release(HEAD, "متن.\n")).unwrap();
    for _ in 0..2 {
        let report = build(site.path());
        assert!(!report.succeeded);
        let shown: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(
            shown.iter().any(|d| d.starts_with("content/bad\u{fffd}.md: error: the file name is not UTF-8 text, so chapar cannot read what is in it\n  hint: rename the file")),
            "{shown:#?}"
        );
        assert!(
            shown
                .iter()
                .any(|d| d
                    .starts_with("content/desk\u{fffd}: error: the folder name is not UTF-8 text")),
            "{shown:#?}"
        );
        assert!(!site.path().join("public").exists(), "nothing is published");
    }
    fs::rename(&bad_file, content.join("good.md")).unwrap();
    fs::remove_dir_all(&bad_folder).unwrap();
    let report = build(site.path());
    assert!(report.succeeded, "{:#?}", report.diagnostics);
}

/// Control characters written as YAML escapes are errors, as raw ones are: they reached the
/// home and article pages as they were.
#[test]
fn escaped_control_characters_are_errors() {
    let head = HEAD.replace("title: خبر آزمایشی", r#"title: "خبر\0\u0007\u001b[31m""#);
    assert_error(
        &release(&head, "متن.\n"),
        "error: `title` holds the control character U+0000, which no reader can see\n  hint: remove it: it comes from an escape such as `\\0`, `\\a` or `\\u001b` inside quotes",
    );
    let head = format!("{HEAD}tags: [\"یک\\u0007\"]\n");
    assert_error(
        &release(&head, "متن.\n"),
        "error: `tags` holds the control character U+0007",
    );
    // Line breaks and tabs are text.
    let head = format!("{HEAD}lead: \"سطر اول\\nسطر دوم\\tو\"\n");
    assert_builds(&release(&head, "متن.\n"));
}

/// Smaller slips of issue 20: a number among the authors, a tiny figure YAML reads as a
/// float, a file name with an ESC sequence.
#[test]
fn small_slips_get_their_own_messages() {
    let head = HEAD.replace("author: مریم احمدی", "author: [علی, 3]");
    assert_error(
        &release(&head, "متن.\n"),
        "error: `author` holds the number 3, not a name\n  hint: write each author's name; quote it if a name really is digits",
    );
    let front = format!("{HEAD}metrics:\n  - label: نرخ\n    value: 0.000000000000000001\n");
    assert_builds(&release(&front, "متن.\n"));

    let site = site("basic");
    let name = "content/\u{1b}[31mred.md";
    fs::write(
        site.path().join(name),
        release(&HEAD.replace("id: 7", "id: 7\nbad: 1"), "x"),
    )
    .unwrap();
    let report = build(site.path());
    let shown: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        shown
            .iter()
            .any(|d| d.starts_with("content/\\u{1b}[31mred.md:")),
        "{shown:#?}"
    );
    assert!(shown.iter().all(|d| !d.contains('\u{1b}')), "{shown:#?}");
}

/// An output folder given as a symbolic link (to a web root, say) is refused: a build
/// replaces its output folder whole, which would leave the link a real folder and the web
/// root with the old site, silently.
#[test]
fn an_output_folder_that_is_a_link_is_refused() {
    let site = site("basic");
    let web_root = tempfile::tempdir().unwrap();
    let link = site.path().join("public");
    std::os::unix::fs::symlink(web_root.path(), &link).unwrap();
    let report = build(site.path());
    assert!(!report.succeeded);
    let shown: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        shown.iter().any(|d| d.contains("it is a symbolic link (to ")
            && d.contains("which a build would replace with a folder; give the folder it points to as --out")),
        "{shown:#?}"
    );
    assert!(
        link.symlink_metadata().unwrap().file_type().is_symlink(),
        "the link stays"
    );
    assert_eq!(
        fs::read_dir(web_root.path()).unwrap().count(),
        0,
        "nothing written there"
    );
    // The folder it points to, given itself, is built into.
    let report = build_at(site.path(), Some(web_root.path()), false);
    assert!(report.succeeded, "{:#?}", report.diagnostics);
    assert!(web_root.path().join("index.html").is_file());
}
