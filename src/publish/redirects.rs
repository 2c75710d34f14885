//! `_redirects`: the short links (`/n/<id>/`) as server-side redirects, for static hosts that
//! read this file (Netlify, Cloudflare Pages and others). Hosts that do not still serve the
//! small redirecting page written at the same address.

use std::fmt::Write;

use crate::diagnostic::Diagnostic;
use crate::links::Links;
use crate::render::Sink;
use crate::site::{self, Site};

pub fn write(site: &Site, links: &Links, sink: &Sink) -> Result<(), Diagnostic> {
    let mut out = String::with_capacity(site.articles.len() * 120);
    for a in &site.articles {
        let from = links.uri_link(&site::short_link_path(a.front.id));
        let to = links.uri_link(&site::article_path(a));
        let _ = writeln!(out, "{from} {to} 301");
    }
    sink("_redirects", out.into_bytes())
}
