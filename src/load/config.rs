//! `site.yaml`: the newsroom's settings, validated into a `SiteConfig`.

use std::path::Path;

use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::load::yaml::{Seg, YamlSource};
use crate::model::config::{Desk, SiteConfig};
use crate::model::diagnostic::{Diagnostic, did_you_mean};
use crate::persian::digits::DigitStyle;
use crate::persian::slugify;

pub const CONFIG_FILE: &str = "site.yaml";

/// The keys of `site.yaml`, and of each of its `desks`: what the tests that follow the schema
/// edit (`tests/schema_edits.rs`). A test checks them against `RawConfig`'s own.
pub const FIELDS: [&str; 11] = [
    "title",
    "description",
    "base_url",
    "timezone",
    "page_size",
    "default_author",
    "body_digits",
    "allow_raw_html",
    "iframe_hosts",
    "desks",
    "extra",
];
pub const DESK_FIELDS: [&str; 3] = ["key", "name", "description"];

/// `site.yaml` as written. Unknown keys are errors, so a misspelt setting is never ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    base_url: String,
    #[serde(default = "default_timezone")]
    timezone: String,
    #[serde(default = "default_page_size")]
    page_size: usize,
    #[serde(default)]
    default_author: Option<String>,
    #[serde(default)]
    body_digits: DigitStyle,
    #[serde(default)]
    allow_raw_html: bool,
    #[serde(default)]
    iframe_hosts: Vec<String>,
    desks: Vec<RawDesk>,
    #[serde(default)]
    extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDesk {
    key: String,
    name: String,
    #[serde(default)]
    description: String,
}

fn default_timezone() -> String {
    "Asia/Tehran".into()
}

fn default_page_size() -> usize {
    10
}

impl SiteConfig {
    /// Replaces the base URL (from `--base-url`).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        let (base_url, base_path) = normalize_base_url(url)?;
        self.base_url = base_url;
        self.base_path = base_path;
        Ok(())
    }
}

/// Reads and validates `site.yaml` in `root`. All problems found are returned together.
pub fn load(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
    let path = Path::new(CONFIG_FILE);
    let read = super::input::read_text(
        &root.join(CONFIG_FILE),
        super::input::MAX_SETTINGS_BYTES,
        "the site settings",
    );
    let text = match read {
        Ok(text) => text,
        Err(e) => {
            let hint = if root.join(CONFIG_FILE).exists() {
                format!(
                    "make `{CONFIG_FILE}` a text file of settings (see the README for its fields)"
                )
            } else {
                format!("create `{CONFIG_FILE}` at the site root (see the README for its fields)")
            };
            return Err(vec![
                Diagnostic::error(path, format!("cannot read the site settings: {e}"))
                    .with_hint(hint),
            ]);
        }
    };
    parse(&text)
}

/// Parses the text of `site.yaml`.
pub fn parse(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
    let path = Path::new(CONFIG_FILE);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let source = YamlSource::new(text, 1);
    let raw: RawConfig = serde_yaml::from_str(text).map_err(|e| {
        let err = source.syntax_error(&e);
        // The hint lists or suggests the known keys; the message names the unknown one.
        let message = match err.message.find(", expected") {
            Some(i) if err.message.starts_with("unknown field") => &err.message[..i],
            _ => err.message.as_str(),
        };
        let mut d = Diagnostic::error(path, message).at(err.line, err.column);
        if let Some(hint) = unknown_field_hint(&err.message) {
            d = d.with_hint(hint);
        }
        vec![d]
    })?;

    let mut problems = Vec::new();
    let mut error_at = |seg: &[Seg], message: String, hint: &str| {
        let (line, column) = source.locate(seg);
        problems.push(
            Diagnostic::error(path, message)
                .at(line, column)
                .with_hint(hint),
        );
    };

    let timezone = TimeZone::get(&raw.timezone).unwrap_or_else(|_| {
        error_at(
            &[Seg::Key("timezone")],
            format!("unknown time zone `{}`", raw.timezone),
            "use an IANA time zone name such as `Asia/Tehran`",
        );
        TimeZone::UTC
    });
    if raw.page_size == 0 {
        error_at(
            &[Seg::Key("page_size")],
            "`page_size` must be at least 1".into(),
            "set `page_size: 10`",
        );
    }
    let (base_url, base_path) = normalize_base_url(&raw.base_url).unwrap_or_else(|message| {
        error_at(
            &[Seg::Key("base_url")],
            message,
            "write the full address, e.g. `https://news.example.ir/`",
        );
        ("/".into(), "/".into())
    });
    if let Some(name) = &raw.default_author
        && slugify(name).is_empty()
    {
        // As for `author:` in a release: a name without a letter or digit has no page.
        error_at(
            &[Seg::Key("default_author")],
            format!("`{name}` has no letter or digit, so it cannot have a page"),
            "write a real name in `default_author`, such as `روابط عمومی`",
        );
    }
    if raw.desks.is_empty() {
        error_at(
            &[Seg::Key("desks")],
            "no desks are defined".into(),
            "add at least one desk with `key` and `name`",
        );
    }
    let mut desks: Vec<Desk> = Vec::new();
    for (i, d) in raw.desks.into_iter().enumerate() {
        let key_ok = !d.key.is_empty()
            && d.key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !key_ok {
            error_at(
                &[Seg::Key("desks"), Seg::Index(i), Seg::Key("key")],
                format!(
                    "desk key `{}` may hold only lowercase Latin letters, digits and `-`",
                    d.key
                ),
                "desk keys appear in URLs; use e.g. `provinces`",
            );
        } else if desks.iter().any(|o| o.key == d.key || o.name == d.name) {
            error_at(
                &[Seg::Key("desks"), Seg::Index(i)],
                format!("desk `{}` ({}) is defined twice", d.key, d.name),
                "give every desk its own key and name",
            );
        }
        desks.push(Desk {
            key: d.key,
            name_slug: slugify(&d.name),
            name: d.name,
            description: d.description,
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(SiteConfig {
        title: raw.title,
        description: raw.description,
        base_url,
        base_path,
        timezone,
        timezone_name: raw.timezone,
        page_size: raw.page_size,
        default_author: raw.default_author,
        body_digits: raw.body_digits,
        allow_raw_html: raw.allow_raw_html,
        iframe_hosts: raw.iframe_hosts,
        desks,
        extra: raw.extra,
    })
}

/// `https://example.org/press` → (`https://example.org/press/`, `/press/`).
fn normalize_base_url(url: &str) -> Result<(String, String), String> {
    let url = url.trim();
    // The address is written into pages, feeds, `_redirects` and `robots.txt` as it is: a
    // space or line break would start a new line or attribute there.
    if let Some(c) = url
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || "<>\"'`{}|\\^".contains(c))
    {
        return Err(format!(
            "`base_url` `{}` holds {}, which an address may not",
            url.escape_debug(),
            match c {
                ' ' => "a space".to_string(),
                '\n' | '\r' => "a line break".to_string(),
                c if c.is_whitespace() || c.is_control() =>
                    format!("the character U+{:04X}", u32::from(c)),
                c => format!("`{c}`"),
            }
        ));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`base_url` `{url}` must start with https:// or http://"))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if host.is_empty() {
        return Err(format!("`base_url` `{url}` has no host name"));
    }
    // Letters (a Persian domain too), digits, dots, hyphens, a port, an IPv6 address.
    if let Some(c) = host
        .chars()
        .find(|&c| !(c.is_alphanumeric() || ".-:[]".contains(c)))
    {
        return Err(format!("`base_url` `{url}` has `{c}` in its host name"));
    }
    if path.contains(['?', '#']) {
        return Err(format!("`base_url` `{url}` may not contain `?` or `#`"));
    }
    let path = if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    };
    let scheme = &url[..url.len() - rest.len()];
    Ok((format!("{scheme}{host}{path}"), path))
}

/// serde says "unknown field `titel`, expected one of `title`, ..."; turn that into advice.
pub(crate) fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let unknown = rest.split('`').next()?;
    let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
    Some(match did_you_mean(unknown, expected.iter().copied()) {
        Some(k) => format!("did you mean `{k}`?"),
        None => format!(
            "remove it; the known fields are `{}`",
            expected.join("`, `")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys serde names in its "unknown field" error for `T`.
    fn known_keys<T: for<'de> Deserialize<'de> + std::fmt::Debug>() -> Vec<String> {
        let error = serde_yaml::from_str::<T>("zzz_unknown: 1")
            .unwrap_err()
            .to_string();
        let list = &error[error.find("expected one of").expect(&error)..];
        list.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn a_base_url_that_would_break_a_line_or_a_tag_is_an_error() {
        for (url, message) in [
            (
                "https://news.example.ir/a b/",
                "`base_url` `https://news.example.ir/a b/` holds a space, which an address may not",
            ),
            (
                "https://news.example.ir/\\r\\nSitemap: x",
                "`base_url` `https://news.example.ir/\\r\\nSitemap: x` holds a line break, which an address may not",
            ),
            (
                "https://news<b>.ir/",
                "`base_url` `https://news<b>.ir/` holds `<`, which an address may not",
            ),
            (
                "https://news_x.ir/",
                "`base_url` `https://news_x.ir/` has `_` in its host name",
            ),
        ] {
            let text = GOOD.replace("https://example.org/press", &format!("\"{url}\""));
            let problems = parse(&text).unwrap_err();
            assert!(problems[0].message == message, "{url}: {problems:?}");
        }
        for good in [
            "https://خبر.ir/",
            "http://127.0.0.1:8000/press/",
            "https://[::1]:8080/",
        ] {
            let text = GOOD.replace("https://example.org/press", good);
            assert!(parse(&text).is_ok(), "{good}");
        }
    }

    #[test]
    fn a_default_author_without_letters_is_an_error() {
        let problems = parse(&format!("{GOOD}default_author: \"..\"\n")).unwrap_err();
        assert_eq!(
            problems.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            [
                "site.yaml:6:1: error: `..` has no letter or digit, so it cannot have a page\n  hint: write a real name in `default_author`, such as `روابط عمومی`"
            ]
        );
    }

    #[test]
    fn the_field_lists_are_the_parsers_own() {
        assert_eq!(known_keys::<RawConfig>(), FIELDS);
        assert_eq!(known_keys::<RawDesk>(), DESK_FIELDS);
    }

    const GOOD: &str = "title: خبرگزاری\nbase_url: https://example.org/press\ndesks:\n  - key: provinces\n    name: استان‌ها\n";

    #[test]
    fn parses_and_normalizes() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.base_url, "https://example.org/press/");
        assert_eq!(c.base_path, "/press/");
        assert_eq!(c.page_size, 10);
        assert_eq!(c.timezone_name, "Asia/Tehran");
        assert_eq!(c.desk("استان‌ها").unwrap().key, "provinces");
        assert_eq!(c.desk("provinces").unwrap().name, "استان‌ها");
        assert!(c.desk("sport").is_none());
        // Another spelling of the name: spaces around it, and a space for its ZWNJ.
        assert_eq!(c.desk(" استان ها ").unwrap().key, "provinces");
    }

    #[test]
    fn unknown_keys_get_a_suggestion() {
        let errs = parse(&format!("{GOOD}page_sise: 5\n")).unwrap_err();
        assert_eq!(errs[0].line, 6);
        assert!(
            errs[0].message.contains("unknown field `page_sise`"),
            "{}",
            errs[0].message
        );
        assert_eq!(errs[0].hint.as_deref(), Some("did you mean `page_size`?"));
    }

    #[test]
    fn reports_every_bad_value() {
        let text = "title: x\nbase_url: example.org\ntimezone: Mars/Olympus\npage_size: 0\ndesks:\n  - key: Bad Key\n    name: x\n";
        let errs = parse(text).unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![3, 4, 2, 6], "{errs:#?}");
    }
}
