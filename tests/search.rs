//! Search end to end: the browser's folding (static/js/search.js, run in Node) against Rust's,
//! real queries against the index built from the sample site, and headless Chromium typing
//! into the search page.
//!
//! These tests need Node.js, and the last one Chromium and chromedriver. On a machine
//! without a tool they are skipped, each saying so on stderr with what to install (`cargo
//! test` shows it); with `CHAPAR_REQUIRE_TOOLS=1`, which `.ci/run` sets after
//! installing the tools, a missing tool fails them instead, so CI never skips them.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use chapar::BuildOptions;
use chapar::emit::search::tokens::tokenize;
use chapar::persian::folding::fold;
use serde_json::{Value, json};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The tool's path, or `None` (the test is skipped, and says why) when it is missing and
/// `CHAPAR_REQUIRE_TOOLS` is not set.
fn require_tool(name: &str, install: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    if found.is_some() {
        return found;
    }
    let test = std::thread::current()
        .name()
        .unwrap_or("this test")
        .to_string();
    if std::env::var_os("CHAPAR_REQUIRE_TOOLS").is_some_and(|v| v != "0") {
        panic!(
            "{test} needs `{name}`, which is not on PATH, and CHAPAR_REQUIRE_TOOLS is set: \
             install {install}"
        );
    }
    // Written to stderr itself, past the test harness's capture: the skip shows in a plain
    // `cargo test`.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: it needs `{name}`, which is not on PATH; install {install} to run \
         it (CHAPAR_REQUIRE_TOOLS=1 makes a missing tool a failure, as in .ci/run)"
    );
    None
}

fn node() -> Option<PathBuf> {
    require_tool(
        "node",
        "Node.js 18 or newer (Debian: apt-get install nodejs)",
    )
}

/// Runs a script under tests/js with `args`, feeding `stdin`; returns its JSON output.
fn run_node(node: &Path, script: &str, args: &[&str], stdin: &str) -> Value {
    let mut child = Command::new(node)
        .arg(repo().join("tests/js").join(script))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "node {script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "node {script} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Strings where keyboards, fonts and Unicode normalization disagree.
const TRICKY: &[&str] = &[
    "كارگران",
    "کارگران",
    "يزد ی ى ئ",
    "می‌شود میشود می‌ شود",
    "پرونده‌های",
    "۱۴۰۲ ١٤٠٢ 1402",
    "۱۶۵٬۰۰۰ نفر، 165,000 و ١٦٥٬٠٠٠",
    "۱٫۵ درصد ٪۴۷",
    "۱۴۰۱–۱۴۰۲",
    "NGL Ilam COVID-19",
    "آب أب إب ٱب ؤ ة ۀ خانهٔ",
    "مسئله مسیله",
    "خـــبر",
    "مُحَمَّد قُرآن",
    "\u{FEDB}\u{FE8E}\u{FEAD} \u{FEFB} \u{FDF2}",
    "\u{200F}خبر\u{202B}تازه\u{202C}\u{2067}x\u{2069}",
    "ک\u{200D}ار\u{00AD}گر\u{200B}ان",
    "Ünïcode e\u{301}cole ÉCOLE",
    "İstanbul ISTANBUL ıi",
    "ΣΑΣ σας",
    "ﬁne ＡＢＣ１２３ ① ² ½ Ⅻ",
    "𝐀𝐁𝐂 👍🏽کار",
    "ǅemal ẞ ß",
    "1402/07/09 ۱۴۰۲/۰۷/۰۹ ساعت ۱۰:۳۰",
    "«کاهش ۴۷ درصدی»؛ «حوادث»!",
    "وب‌سایت www.example.ir/خبر?q=۱",
    "\ttab\nnewline  spaces",
    "",
];

#[test]
fn the_browser_folds_and_splits_exactly_like_the_index() {
    let Some(node) = node() else { return };
    let js = run_node(&node, "fold.js", &[], &json!(TRICKY).to_string());
    for (i, s) in TRICKY.iter().enumerate() {
        assert_eq!(
            js[i]["fold"].as_str().unwrap().as_bytes(),
            fold(s).as_bytes(),
            "fold({s:?}) differs: JavaScript {:?}, Rust {:?}",
            js[i]["fold"],
            fold(s)
        );
        assert_eq!(
            js[i]["tokens"],
            json!(tokenize(s)),
            "tokenize({s:?}) differs"
        );
    }
}

/// The sample site (the repository itself) built into a temporary folder.
fn built_sample(base_url: Option<&str>) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let options = BuildOptions {
        root: repo().to_path_buf(),
        out_dir: Some(out.path().join("public")),
        include_drafts: false,
        base_url: base_url.map(str::to_string),
        now: Some(common::now()),
        force: false,
        progress: None,
        defer_whole_site: false,
        changed: None,
    };
    let report = chapar::build(&options).unwrap();
    assert!(report.succeeded, "{:?}", report.diagnostics);
    out
}

#[test]
fn queries_find_the_expected_release_first() {
    let Some(node) = node() else { return };
    let site = built_sample(None);
    let public = site.path().join("public");
    // (query, desk filter, the release that must come first)
    let cases: &[(&str, &str, u64)] = &[
        // Arabic kaf and yeh, as typed on an Arabic keyboard, against Persian text.
        ("كارگران ساختماني", "", 1402030805),
        ("کارگران ساختمانی", "", 1402030805),
        // With and without ZWNJ.
        ("پرونده‌های حوادث", "", 1402070912),
        ("پروندههای حوادث", "", 1402070912),
        ("قالی‌بافان", "", 1402041201),
        ("قالیبافان", "", 1402041201),
        // Persian, Arabic-Indic and Latin digits.
        ("۴۷ درصدی", "", 1402070912),
        ("47 درصدی", "", 1402070912),
        ("٤٧ درصدي", "", 1402070912),
        ("۸۴ میلیارد", "", 1402052104),
        ("84 ميليارد", "", 1402052104),
        // A word typed in part (prefix matching of the last word).
        ("بازنشست", "", 1402091903),
        ("نمایشگاه کارفرم", "", 1402082307),
        // The news code.
        ("1402061402", "", 1402061402),
        ("۱۴۰۲۰۶۱۴۰۲", "", 1402061402),
        // A desk filter.
        ("کارگری", "sport", 1402022506),
    ];
    let queries: Vec<Value> = cases
        .iter()
        .map(|(q, desk, _)| json!({"q": q, "desk": desk}))
        .collect();
    let answers = run_node(
        &node,
        "search_query.js",
        &[public.to_str().unwrap()],
        &Value::from(queries).to_string(),
    );
    for (answer, (q, desk, expected)) in answers.as_array().unwrap().iter().zip(cases) {
        let ids: Vec<u64> = answer["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(
            ids.first(),
            Some(expected),
            "`{q}` (desk `{desk}`): expected {expected} first, got {ids:?}"
        );
        assert!(
            !answer["marked"][0].as_array().unwrap().is_empty() || fold(q).starts_with("1402"),
            "`{q}`: the first result's title or snippet marks a match"
        );
    }
    // Variants find the very same results, in the same order.
    for pair in [(0, 1), (2, 3), (4, 5), (6, 7), (7, 8), (9, 10), (13, 14)] {
        assert_eq!(
            answers[pair.0]["ids"], answers[pair.1]["ids"],
            "`{}` and `{}`",
            cases[pair.0].0, cases[pair.1].0
        );
    }
    // The desk filter keeps only that desk's releases.
    let sport = &answers[cases.len() - 1]["ids"];
    assert_eq!(sport, &json!([1402022506]));
}

#[test]
fn equally_good_matches_are_newest_first() {
    let Some(node) = node() else { return };
    // Three releases with the same words, published on different days.
    let site = common::site("basic");
    for (id, day) in [(901, 3), (902, 1), (903, 2)] {
        std::fs::write(
            site.path().join(format!("content/same-{id}.md")),
            format!(
                "---\ntitle: همایش سالانه\nauthor: x\ndesk: provinces\ndate: 1402-07-{day:02}\nid: {id}\n---\nمتن یکسان.\n"
            ),
        )
        .unwrap();
    }
    assert!(common::build(site.path()).succeeded);
    let answers = run_node(
        &node,
        "search_query.js",
        &[site.path().join("public").to_str().unwrap()],
        &json!([{"q": "همایش سالانه"}]).to_string(),
    );
    assert_eq!(answers[0]["ids"], json!([901, 903, 902]));
}

/// Serves `dir` under `prefix` (e.g. `/press/`) on 127.0.0.1 until the test ends.
fn serve(dir: PathBuf, prefix: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || answer(stream, &dir, prefix));
        }
    });
    port
}

fn answer(mut stream: TcpStream, dir: &Path, prefix: &str) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) <= 2 {
            break;
        }
    }
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let file = path.strip_prefix(prefix).map(|rel| {
        let mut file = dir.join(rel);
        if rel.is_empty() || rel.ends_with('/') {
            file.push("index.html");
        }
        file
    });
    let (status, body, kind) = match file.filter(|f| !path.contains("..") && f.is_file()) {
        Some(f) => {
            let kind = match f.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "text/javascript",
                Some("json") => "application/json",
                Some("svg") => "image/svg+xml",
                Some("woff2") => "font/woff2",
                _ => "application/octet-stream",
            };
            ("200 OK", std::fs::read(f).unwrap(), kind)
        }
        None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn chromium_types_a_query_and_sees_the_results() {
    let Some(node) = node() else { return };
    let Some(chromium) = require_tool(
        "chromium",
        "Chromium (Debian: apt-get install chromium chromium-driver)",
    ) else {
        return;
    };
    let Some(chromedriver) = require_tool(
        "chromedriver",
        "chromedriver (Debian: apt-get install chromium-driver)",
    ) else {
        return;
    };
    // Under a sub-path, as many newsrooms' sites are: every request must carry /press/.
    let site = built_sample(Some("https://news.example.ir/press/"));
    let port = serve(site.path().join("public"), "/press/");
    let driver_port = free_port();
    let driver = Killed(
        Command::new(chromedriver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(driver_port);
    let seen = run_node(
        &node,
        "browser.js",
        &[
            &format!("http://127.0.0.1:{driver_port}"),
            &format!("http://127.0.0.1:{port}/press/"),
            chromium.to_str().unwrap(),
        ],
        "",
    );
    drop(driver);

    let header = &seen["fromHeader"];
    assert!(
        header["url"]
            .as_str()
            .unwrap()
            .starts_with("/press/search/?q="),
        "the header box leads to /press/search/?q=: {header}"
    );
    assert_eq!(header["query"], "كارگران ايلام", "the box shows ?q=");
    assert!(
        header["titles"][0]
            .as_str()
            .unwrap()
            .contains("حوادث کار در ساختمان‌سازی ایلام"),
        "{header}"
    );
    assert!(
        header["links"][0]
            .as_str()
            .unwrap()
            .starts_with("/press/news/1402070912/")
    );
    let marks = header["marks"].as_array().unwrap();
    assert!(marks.contains(&json!("ایلام")), "{marks:?}");
    assert!(
        header["status"].as_str().unwrap().contains("۱ خبر"),
        "{header}"
    );

    let typed = &seen["typed"];
    assert!(
        typed["titles"][0].as_str().unwrap().contains("قالی‌باف"),
        "{typed}"
    );
    assert!(
        typed["marks"]
            .as_array()
            .unwrap()
            .contains(&json!("قالی‌باف"))
    );

    let filtered = &seen["filtered"];
    assert_eq!(
        filtered["titles"].as_array().unwrap().len(),
        1,
        "{filtered}"
    );
    assert_eq!(seen["deskLabels"], json!(["ورزش"]));
    assert_eq!(seen["liveRegion"], "status polite");
}

fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("nothing listens on port {port}");
}
