//! Where things live on the web. Site-relative paths (`news/12/خبر/`) become:
//! - for HTML pages, links and absolute URLs that keep Persian letters readable (IRIs:
//!   `/press/news/12/خبر/`); browsers encode them when they follow them, and pages stay small;
//! - for XML and data files (feeds, sitemaps, redirects, open data), which require ASCII URIs,
//!   percent-encoded absolute URLs (`https://…/press/news/12/%D8%AE%D8%A8%D8%B1/`).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::model::config::SiteConfig;

/// ASCII that may not stand in a URL path as written.
const IRI_UNSAFE: &[u8] = b" \"<>`#?{}%\\^|";

/// Everything but `/` and the unreserved ASCII characters.
const URI_UNSAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub struct Links<'a> {
    config: &'a SiteConfig,
}

impl<'a> Links<'a> {
    pub fn new(config: &'a SiteConfig) -> Self {
        Links { config }
    }

    /// For HTML: `news/12/خبر/` → `/press/news/12/خبر/`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.config.base_path, iri_path(path))
    }

    /// For HTML: `news/12/خبر/` → `https://example.org/press/news/12/خبر/`.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url, iri_path(path))
    }

    /// For XML and data: `news/12/خبر/` → `https://example.org/press/news/12/%D8%AE%D8%A8%D8%B1/`.
    pub fn uri(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url, uri_path(path))
    }

    /// For XML and data, site-relative: `/press/news/12/%D8%AE%D8%A8%D8%B1/`.
    pub fn uri_link(&self, path: &str) -> String {
        format!("{}{}", self.config.base_path, uri_path(path))
    }

    /// An image or file source: site-relative paths become links, full URLs stay as written.
    pub fn asset(&self, src: &str) -> String {
        if is_absolute_url(src) {
            src.to_string()
        } else {
            self.link(src.trim_start_matches('/'))
        }
    }

    /// An image or file source as an absolute URL (OpenGraph, structured data).
    pub fn absolute_asset(&self, src: &str) -> String {
        if is_absolute_url(src) {
            src.to_string()
        } else {
            self.absolute(src.trim_start_matches('/'))
        }
    }
}

fn is_absolute_url(src: &str) -> bool {
    src.starts_with("https://") || src.starts_with("http://")
}

/// Encodes only what may not stand in a URL as written; Persian letters stay.
pub fn iri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii() && (c.is_ascii_control() || IRI_UNSAFE.contains(&(c as u8))) {
            out.push_str(&format!("%{:02X}", c as u8));
        } else {
            out.push(c);
        }
    }
    out
}

/// Percent-encodes a URL path, keeping `/` and the unreserved ASCII characters.
pub fn uri_path(path: &str) -> String {
    utf8_percent_encode(path, URI_UNSAFE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_for_html_and_for_xml() {
        assert_eq!(iri_path("news/12/خبر-تازه/"), "news/12/خبر-تازه/");
        assert_eq!(iri_path("images/a b?.jpg"), "images/a%20b%3F.jpg");
        assert_eq!(
            uri_path("news/12/خبر-تازه/"),
            "news/12/%D8%AE%D8%A8%D8%B1-%D8%AA%D8%A7%D8%B2%D9%87/"
        );
        assert_eq!(uri_path("a b?c#d"), "a%20b%3Fc%23d");
    }
}
