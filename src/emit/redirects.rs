//! `_redirects`: the short links (`/news/<id>/`) as server-side redirects, for static hosts that
//! read this file (Netlify, Cloudflare Pages and others). Hosts that do not still serve the
//! small redirecting page written at the same address.

use std::fmt::Write;

use crate::model::diagnostic::Diagnostic;
use crate::model::fingerprint::Fingerprint;
use crate::model::links::Links;
use crate::model::paths;
use crate::model::site::Site;
use crate::write::Output;

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
            let address = a.address();
            let from = links.uri_link(&paths::short_link_path(address.id));
            let to = links.uri_link(&address.path);
            let _ = writeln!(text, "{from} {to} 301");
        }
        Ok(vec![(PATH.to_string(), text.into_bytes())])
    })
}
