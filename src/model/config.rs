//! The newsroom's settings, as `load` validated them from `site.yaml`.

use jiff::tz::TimeZone;

use crate::model::fingerprint::Fingerprint;
use crate::persian::digits::DigitStyle;
use crate::persian::slugify;

/// A desk (گروه): a section of the newsroom, such as provinces or economy.
#[derive(Debug, Clone)]
pub struct Desk {
    /// The ASCII key used in front matter and in the desk's URL.
    pub key: String,
    /// The Persian name shown to readers.
    pub name: String,
    pub description: String,
    /// `slugify(name)`, made once: front matter may name a desk in any spelling of it, and
    /// finding the desk of each release slugified every desk's name again.
    pub(crate) name_slug: String,
}

/// The validated site settings.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    /// Absolute, ending with `/`: `https://example.org/press/`.
    pub base_url: String,
    /// The path part of `base_url`, starting and ending with `/`: `/press/`. Internal links
    /// start with it so the site also works from a sub-path.
    pub base_path: String,
    pub timezone: TimeZone,
    pub timezone_name: String,
    pub page_size: usize,
    pub default_author: Option<String>,
    /// The digits of article bodies: `persian` (default), `latin` or `as-written`.
    pub body_digits: DigitStyle,
    /// Publish raw HTML in bodies as written (a newsroom that trusts all its writers).
    pub allow_raw_html: bool,
    /// Hosts whose players raw HTML may embed in an `<iframe>` (`www.aparat.com`).
    pub iframe_hosts: Vec<String>,
    pub desks: Vec<Desk>,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl SiteConfig {
    /// Changes whenever any setting does. Every setting can change what a release parses to
    /// or how a page renders, and site.yaml changes seldom, so no finer key is worth its risk.
    /// The `Debug` form covers every field, including ones added later.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of_bytes(format!("{self:?}").as_bytes())
    }

    /// Finds a desk by its key or by its Persian name.
    pub fn desk(&self, key_or_name: &str) -> Option<&Desk> {
        let wanted = key_or_name.trim();
        let mut wanted_slug = None;
        self.desks.iter().find(|d| {
            d.key == wanted
                || d.name == wanted
                || d.name_slug == *wanted_slug.get_or_insert_with(|| slugify(wanted))
        })
    }
}
