//! Answering the browser: files of the last good build, the reload event stream, and the
//! error overlay. Paths are decoded once and may not climb out of the site folder.
//!
//! A small HTTP/1.1 responder on `std::net` rather than a server crate: the reload events
//! must reach the browser the moment they happen, and `tiny_http` holds a streamed body back
//! until 8 KB have gathered. A preview server needs only GET and HEAD, one connection a thread.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Component, Path, PathBuf};
use std::sync::RwLock;
use std::time::Duration;

use super::{Listeners, State};

pub const EVENTS_PATH: &str = "/__chapar/events";

/// Injected into every HTML page in serve mode only: reload when the site is rebuilt.
const RELOAD_SCRIPT: &str = "<script>new EventSource(\"/__chapar/events\").onmessage=function(){location.reload()}</script>";

struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

/// Serves one connection: reads the request, writes the answer, closes.
pub(super) fn handle(stream: TcpStream, state: &RwLock<State>, listeners: &Listeners) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half.take(16 * 1024));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // The headers, up to the blank line: only `Host` matters.
    let mut host = None;
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line.trim_end() != "" {
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("host")
        {
            host = Some(value.trim().to_ascii_lowercase());
        }
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, url) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let mut stream = stream;
    if method != "GET" && method != "HEAD" {
        write_reply(
            &mut stream,
            Reply {
                status: 405,
                content_type: "text/plain; charset=utf-8",
                body: b"method not allowed".to_vec(),
            },
            false,
        );
        return;
    }
    let foreign = host.is_some_and(|h| state.read().is_ok_and(|s| !s.hosts.contains(&h)));
    if foreign {
        let body = b"unexpected Host".to_vec();
        write_reply(
            &mut stream,
            Reply {
                status: 400,
                content_type: "text/plain; charset=utf-8",
                body,
            },
            false,
        );
        return;
    }
    if url == EVENTS_PATH {
        events(stream, listeners);
        return;
    }
    let reply = reply_for(url, state);
    write_reply(&mut stream, reply, method == "HEAD");
}

fn reply_for(url: &str, state: &RwLock<State>) -> Reply {
    let Ok(state) = state.read() else {
        return Reply {
            status: 500,
            content_type: "text/plain; charset=utf-8",
            body: b"server error".to_vec(),
        };
    };
    let (out_dir, errors) = (&state.out_dir, &state.errors);
    match resolve(out_dir, url) {
        Err(status) => Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: b"bad request".to_vec(),
        },
        Ok(None) => {
            let page = std::fs::read(out_dir.join("404.html"))
                .unwrap_or_else(|_| b"<!DOCTYPE html><title>404</title><p>not found</p>".to_vec());
            Reply {
                status: 404,
                content_type: "text/html; charset=utf-8",
                body: with_injections(page, errors),
            }
        }
        Ok(Some(path)) => match std::fs::read(&path) {
            Ok(bytes) => {
                let content_type = content_type(&path);
                let body = if content_type.starts_with("text/html") {
                    with_injections(bytes, errors)
                } else {
                    bytes
                };
                Reply {
                    status: 200,
                    content_type,
                    body,
                }
            }
            Err(_) => Reply {
                status: 404,
                content_type: "text/plain; charset=utf-8",
                body: b"not found".to_vec(),
            },
        },
    }
}

fn write_reply(stream: &mut TcpStream, reply: Reply, head_only: bool) {
    let reason = match reply.status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        reply.status,
        reply.content_type,
        reply.body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    if !head_only {
        let _ = stream.write_all(&reply.body);
    }
    let _ = stream.flush();
}

/// The reload event stream: one `reload` event per rebuild, until the browser goes away.
fn events(mut stream: TcpStream, listeners: &Listeners) {
    let rx = listeners.subscribe();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n: connected\n\n";
    if stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.flush())
        .is_err()
    {
        return;
    }
    while rx.recv().is_ok() {
        if stream
            .write_all(b"data: reload\n\n")
            .and_then(|_| stream.flush())
            .is_err()
        {
            return;
        }
    }
}

/// The file a URL names inside `out_dir`: `Err(400)` for a path that tries to climb out or is
/// not UTF-8, `Ok(None)` when there is no such file.
pub fn resolve(out_dir: &Path, url: &str) -> Result<Option<PathBuf>, u16> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| 400u16)?;
    if decoded.contains(['\0', '\\']) {
        return Err(400);
    }
    let rel = Path::new(decoded.trim_start_matches('/'));
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(400);
    }
    let mut file = out_dir.join(rel);
    if decoded.ends_with('/') || file.is_dir() {
        file.push("index.html");
    }
    // A symbolic link inside the output must not lead out of it either.
    let (Ok(real), Ok(base)) = (file.canonicalize(), out_dir.canonicalize()) else {
        return Ok(None);
    };
    Ok((real.starts_with(&base) && real.is_file()).then_some(real))
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "xml" => "application/xml; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// A page with the reload script and, after a failed build, the error overlay.
fn with_injections(bytes: Vec<u8>, errors: &[crate::Diagnostic]) -> Vec<u8> {
    let mut page = String::from_utf8_lossy(&bytes).into_owned();
    let mut injected = String::new();
    if !errors.is_empty() {
        injected.push_str(&overlay(errors));
    }
    injected.push_str(RELOAD_SCRIPT);
    match page.rfind("</body>") {
        Some(i) => page.insert_str(i, &injected),
        None => page.push_str(&injected),
    }
    page.into_bytes()
}

/// The build errors over the last good page, in Persian and English. (The dev server's own
/// words, not the site's: they are not in the theme's strings.)
fn overlay(errors: &[crate::Diagnostic]) -> String {
    let list: String = errors
        .iter()
        .map(|d| escape(&d.to_string()))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "<div id=\"chapar-errors\" role=\"alert\" dir=\"rtl\" lang=\"fa\" style=\"position:fixed;inset:0 0 auto 0;z-index:2147483647;max-block-size:70vh;overflow:auto;background:#7f1d1d;color:#fff;padding:1rem 1.25rem;font:15px/1.8 Vazirmatn,Tahoma,sans-serif;box-shadow:0 4px 16px #0008\">\
<strong>ساخت سایت با خطا روبه‌رو شد؛ آخرین نسخهٔ سالم نمایش داده می‌شود.</strong><br>\
<span lang=\"en\" dir=\"ltr\">The build failed; you are seeing the last good version. Fix the file and save: the page reloads by itself.</span>\
<pre dir=\"ltr\" style=\"white-space:pre-wrap;text-align:left;margin:.75rem 0 0;font:13px/1.6 ui-monospace,monospace\">{list}</pre></div>"
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_site() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("news/1")).unwrap();
        std::fs::write(dir.path().join("news/1/index.html"), "x").unwrap();
        std::fs::write(dir.path().join("index.html"), "x").unwrap();
        assert!(
            resolve(dir.path(), "/")
                .unwrap()
                .unwrap()
                .ends_with("index.html")
        );
        assert!(
            resolve(dir.path(), "/news/1").unwrap().is_some(),
            "a folder serves its index"
        );
        assert!(resolve(dir.path(), "/news/1/?a=b").unwrap().is_some());
        assert_eq!(resolve(dir.path(), "/news/2/").unwrap(), None);
        for bad in [
            "/../site.yaml",
            "/%2e%2e/site.yaml",
            "/%2E%2E%2Fsite.yaml",
            "/news/..%2f..%2fsite.yaml",
            "/%00",
            "/a%5c..%5cb",
            "/%ff",
        ] {
            assert_eq!(resolve(dir.path(), bad), Err(400), "{bad}");
        }
    }
}
