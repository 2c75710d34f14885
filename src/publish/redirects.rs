//! `_redirects`: the short links (`/news/<id>/`) as server-side redirects, for static hosts that
//! read this file (Netlify, Cloudflare Pages and others). Hosts that do not still serve the
//! small redirecting page written at the same address.

use std::fmt::Write;

use crate::diagnostic::Diagnostic;
use crate::fingerprint::Fingerprint;
use crate::links::Links;
use crate::render::Output;
use crate::site::{self, Site};

const PATH: &str = "_redirects";

/// `addresses`: the fingerprint of what the file is made of (`addresses_fingerprint`).
pub fn write(
    site: &Site,
    links: &Links,
    addresses: Fingerprint,
    out: &dyn Output,
) -> Result<(), Diagnostic> {
    super::write_group(out, &[PATH.to_string()], addresses, || {
        let mut text = String::with_capacity(site.articles.len() * 120);
        for a in &site.articles {
            let from = links.uri_link(&site::short_link_path(a.front.id));
            let to = links.uri_link(&site::article_path(a));
            let _ = writeln!(text, "{from} {to} 301");
        }
        Ok(vec![(PATH.to_string(), text.into_bytes())])
    })
}
