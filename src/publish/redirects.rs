//! `_redirects`: the short links (`/n/<id>/`) as server-side redirects, for static hosts that
//! read this file (Netlify, Cloudflare Pages and others). Hosts that do not still serve the
//! small redirecting page written at the same address.

use std::fmt::Write;

use crate::diagnostic::Diagnostic;
use crate::links::Links;
use crate::render::{Output, emit};
use crate::site::{self, Site};

pub fn write(site: &Site, links: &Links, out: &dyn Output) -> Result<(), Diagnostic> {
    let mut text = String::with_capacity(site.articles.len() * 120);
    for a in &site.articles {
        let from = links.uri_link(&site::short_link_path(a.front.id));
        let to = links.uri_link(&site::article_path(a));
        let _ = writeln!(text, "{from} {to} 301");
    }
    emit(out, "_redirects", text.into_bytes())
}
