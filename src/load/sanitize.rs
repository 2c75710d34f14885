//! Keeping scripts out of published pages. Press releases come from many hands and are pasted
//! from Word and messengers: raw HTML in a body is cleaned with `ammonia` (no `<script>`, no
//! event handlers, no `javascript:` URLs, iframes only from hosts the site allows), and every
//! URL an editor writes, in Markdown or front matter, is checked.

use std::collections::HashSet;

/// URL schemes a link may use. `data:` is allowed for images only.
const LINK_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// Whether `url` is safe to publish: a relative URL, or an absolute one with an allowed
/// scheme. Control characters and spaces inside the scheme (`java\tscript:`) do not help.
pub fn is_safe_url(url: &str, is_image: bool) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let lower = cleaned.to_ascii_lowercase();
    let Some(colon) = lower.find(':') else {
        return true;
    };
    // A colon after a path, query or fragment starts no scheme (`/a:b`, `?q=a:b`).
    if lower[..colon].contains(['/', '?', '#']) {
        return true;
    }
    let scheme = &lower[..colon];
    LINK_SCHEMES.contains(&scheme)
        || (is_image
            && scheme == "data"
            && lower.starts_with("data:image/")
            && !lower.starts_with("data:image/svg"))
}

/// A path inside the site must not climb out of it, however it is spelt.
pub fn climbs_out(path: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .replace('\\', "/");
    decoded.split('/').any(|segment| segment == "..")
}

/// Cleans raw HTML; built once per build.
pub struct Sanitizer {
    builder: ammonia::Builder<'static>,
}

impl Sanitizer {
    /// `iframe_hosts`: hosts whose players may be embedded (`www.aparat.com`), over https.
    pub fn new(iframe_hosts: &[String]) -> Self {
        let mut builder = ammonia::Builder::default();
        // What the Markdown renderer and the theme produce must survive: heading ids,
        // footnotes, table alignment, isolated Latin runs, language marks.
        builder
            .add_tags(["bdi", "figure", "figcaption", "section", "mark", "abbr"])
            .add_generic_attributes(["id", "class", "dir", "lang"])
            .add_tag_attributes("th", ["style"])
            .add_tag_attributes("td", ["style"])
            .add_url_schemes(["data"])
            .link_rel(None);
        let hosts: HashSet<String> = iframe_hosts
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        if !hosts.is_empty() {
            builder.add_tags(["iframe"]).add_tag_attributes(
                "iframe",
                [
                    "src",
                    "width",
                    "height",
                    "title",
                    "allowfullscreen",
                    "loading",
                ],
            );
        }
        builder.attribute_filter(
            move |element, attribute, value| match (element, attribute) {
                ("iframe", "src") => {
                    let host = value
                        .strip_prefix("https://")
                        .and_then(|rest| rest.split('/').next());
                    host.filter(|h| hosts.contains(&h.to_ascii_lowercase()))
                        .map(|_| value.into())
                }
                ("img", "src") => is_safe_url(value, true).then(|| value.into()),
                (_, "href" | "src") => is_safe_url(value, false).then(|| value.into()),
                // Only what the Markdown renderer writes for aligned columns.
                ("th" | "td", "style") => matches!(
                    value.trim(),
                    "text-align: left" | "text-align: right" | "text-align: center"
                )
                .then(|| value.into()),
                _ => Some(value.into()),
            },
        );
        Sanitizer { builder }
    }

    pub fn clean(&self, html: &str) -> String {
        empty_iframes(self.builder.clean(html).to_string())
    }
}

/// Drops what stands between `<iframe …>` and `</iframe>`: browsers never show it (it is raw
/// text), and markup kept there as text has no place in a release.
fn empty_iframes(mut html: String) -> String {
    let mut from = 0;
    while let Some(start) = html[from..].find("<iframe").map(|i| i + from) {
        let Some(open_end) = html[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let Some(close) = html[open_end..].find("</iframe>").map(|i| open_end + i) else {
            break;
        };
        html.replace_range(open_end..close, "");
        from = open_end + "</iframe>".len();
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for safe in [
            "/news/1/",
            "images/a.jpg",
            "https://irna.ir/x",
            "mailto:a@b.ir",
            "#top",
            "?a=b:c",
            "a/b:c",
        ] {
            assert!(is_safe_url(safe, false), "{safe}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            "java\tscript:x",
            " javascript:x",
            "vbscript:x",
            "data:text/html,x",
        ] {
            assert!(!is_safe_url(bad, false), "{bad}");
        }
        assert!(is_safe_url("data:image/png;base64,AAAA", true));
        assert!(!is_safe_url("data:image/png;base64,AAAA", false));
        assert!(
            !is_safe_url("data:image/svg+xml,<svg onload=x>", true),
            "SVG can carry script"
        );
    }

    #[test]
    fn paths_that_climb_out() {
        for bad in [
            "../../etc/passwd",
            "images/../../x",
            "%2e%2e/x",
            "%2E%2E%2Fx",
            "..\\x",
        ] {
            assert!(climbs_out(bad), "{bad}");
        }
        assert!(!climbs_out("images/a..b.jpg"));
    }

    #[test]
    fn scripts_and_handlers_are_removed_and_markup_kept() {
        let s = Sanitizer::new(&["www.aparat.com".to_string()]);
        let dirty = r#"<h2 id="x">عنوان</h2><p onclick="x()">متن <bdi>NGL</bdi><script>alert(1)</script></p><a href="javascript:alert(1)">پیوند</a><img src="x.jpg" onerror="alert(1)"><iframe src="https://evil.example/"></iframe><iframe src="https://www.aparat.com/video/1" title="ویدیو"></iframe><td style="text-align: right">۱</td>"#;
        let clean = s.clean(dirty);
        assert!(
            !clean.contains("script") && !clean.contains("onclick") && !clean.contains("onerror"),
            "{clean}"
        );
        assert!(
            !clean.contains("javascript") && !clean.contains("evil.example"),
            "{clean}"
        );
        assert!(
            clean.contains("<h2 id=\"x\">عنوان</h2>") && clean.contains("<bdi>NGL</bdi>"),
            "{clean}"
        );
        assert!(
            clean.contains("src=\"https://www.aparat.com/video/1\""),
            "{clean}"
        );
        let no_iframes =
            Sanitizer::new(&[]).clean(r#"<iframe src="https://www.aparat.com/video/1"></iframe>"#);
        assert!(!no_iframes.contains("iframe"));
    }
}
