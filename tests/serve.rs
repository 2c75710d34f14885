//! `chapar serve` as an editor uses it: pages over HTTP, a reload event after a save, the error
//! overlay over the last good page, recovery, and paths that try to climb out.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

struct Serve {
    child: Child,
    port: u16,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `chapar serve` on `port` (0: any) and returns it with the URL line it printed.
fn spawn(root: &std::path::Path, port: u16, stderr: Stdio) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chapar"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

fn start(root: &std::path::Path) -> Serve {
    let (child, line) = spawn(root, 0, Stdio::null());
    let port = line
        .trim()
        .strip_prefix("serving http://127.0.0.1:")
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    Serve { child, port }
}

/// A raw HTTP GET; returns the status code and the body.
fn get(port: u16, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// An open reload event stream.
struct Events(BufReader<TcpStream>);

impl Events {
    fn open(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        write!(
            stream,
            "GET /__chapar/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while !line.starts_with(": connected") {
            line.clear();
            reader.read_line(&mut line).unwrap();
        }
        Events(reader)
    }

    /// Waits for the next reload event; returns how long it took.
    fn next_reload(&mut self) -> Duration {
        let started = Instant::now();
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                self.0.read_line(&mut line).unwrap() > 0,
                "the event stream closed"
            );
            if line.trim() == "data: reload" {
                return started.elapsed();
            }
        }
    }
}

#[test]
fn serve_reloads_shows_errors_and_recovers() {
    let site = site("basic");
    let server = start(site.path());
    let (status, home) = get(server.port, "/");
    assert_eq!(status, 200);
    assert!(
        home.contains("خبر پنجم اقتصادی") && home.contains("new EventSource(\"/__chapar/events\")")
    );
    let article = "/news/105/%D8%AE%D8%A8%D8%B1-%D9%BE%D9%86%D8%AC%D9%85-%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF%DB%8C/";
    assert!(get(server.port, article).1.contains("متن خبر پنجم."));
    assert!(get(server.port, "/news/106/%D9%BE%DB%8C%D8%B4-%D9%86%D9%88%DB%8C%D8%B3-%D9%85%D9%86%D8%AA%D8%B4%D8%B1%D9%86%D8%B4%D8%AF%D9%87/").0 == 404, "no drafts without --drafts");

    // A save: a reload event, then the new text.
    let mut events = Events::open(server.port);
    let path = site.path().join("content/economy/five.md");
    std::fs::write(
        &path,
        read(&path).replace("متن خبر پنجم.", "متن ویرایش‌شدهٔ خبر پنجم."),
    )
    .unwrap();
    events.next_reload();
    assert!(
        get(server.port, article)
            .1
            .contains("متن ویرایش‌شدهٔ خبر پنجم.")
    );

    // A broken front matter: a reload event, the overlay, and the last good page under it.
    std::fs::write(
        &path,
        read(&path).replace("title: خبر پنجم اقتصادی", "title: [خبر پنجم"),
    )
    .unwrap();
    events.next_reload();
    let (status, page) = get(server.port, article);
    assert_eq!(status, 200);
    assert!(
        page.contains("id=\"chapar-errors\"")
            && page.contains("ساخت سایت با خطا")
            && page.contains("The build failed")
    );
    assert!(
        page.contains("content/economy/five.md:3:7: error: the front matter is not valid YAML"),
        "{page}"
    );
    assert!(
        page.contains("متن ویرایش‌شدهٔ خبر پنجم."),
        "the last good page is still served"
    );

    // Fixed: the overlay goes.
    std::fs::write(
        &path,
        read(&path).replace("title: [خبر پنجم", "title: خبر پنجم اقتصادی"),
    )
    .unwrap();
    events.next_reload();
    assert!(!get(server.port, article).1.contains("chapar-errors"));

    // New and deleted files count; editor scratch files do not.
    std::fs::write(site.path().join("content/economy/.five.md.swp"), "x").unwrap();
    std::fs::remove_file(site.path().join("content/economy/four.md")).unwrap();
    events.next_reload();
    assert_eq!(get(server.port, "/news/104/%D8%AE%D8%A8%D8%B1-%DA%86%D9%87%D8%A7%D8%B1%D9%85-%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF%DB%8C/").0, 404);
}

#[test]
fn serve_keeps_to_the_site_folder() {
    let site = site("basic");
    let server = start(site.path());
    for path in [
        "/../site.yaml",
        "/%2e%2e/site.yaml",
        "/%2E%2E%2Fsite.yaml",
        "/news/..%2f..%2f..%2fsite.yaml",
        "/%00",
        "/..%5c..%5csite.yaml",
    ] {
        let (status, body) = get(server.port, path);
        assert_eq!(status, 400, "{path}");
        assert!(!body.contains("base_url"), "{path} leaked site.yaml");
    }
    assert_eq!(get(server.port, "/missing/").0, 404);
    // A page on another site that points its own name at 127.0.0.1 (DNS rebinding).
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: evil.example:{}\r\n\r\n",
        server.port
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 400") && !response.contains("<html"),
        "{response}"
    );
    assert_eq!(get(server.port, "/robots.txt").0, 200);
}

#[test]
fn a_busy_port_moves_to_the_next_and_ctrl_c_cleans_up() {
    let site = site("basic");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let (mut child, line) = spawn(site.path(), port, Stdio::piped());
    let mut folder = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut folder)
        .unwrap();
    let session = std::path::PathBuf::from(
        folder
            .trim()
            .strip_prefix("preview folder: ")
            .unwrap_or_else(|| panic!("{folder:?}")),
    );
    assert!(
        line.starts_with("serving http://127.0.0.1:") && !line.contains(&format!(":{port}/")),
        "{line}"
    );
    assert!(session.is_dir());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&session).unwrap().permissions().mode() & 0o777,
        0o700,
        "drafts are for this user only"
    );
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success(), "Ctrl-C exits cleanly");
    assert!(!session.exists(), "the preview folder is removed");
    assert!(
        !site.path().join("public").exists(),
        "serve never touches public/"
    );
}
