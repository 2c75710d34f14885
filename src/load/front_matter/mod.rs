//! The newsroom schema: a press release's YAML front matter, checked field by field so that
//! every problem in a file is reported in one run, each at its own line.

use std::path::Path;

use jiff::Timestamp;
use serde_yaml::{Mapping, Value};

use crate::load::yaml::{Seg, YamlSource, type_name};
use crate::model::config::SiteConfig;
use crate::model::diagnostic::{Diagnostic, did_you_mean};
use crate::model::front_matter::{FIELDS, FrontMatter};
use crate::persian::calendar::parse_datetime;
use crate::persian::digits::to_latin_digits;

/// More tags than this is a mistake (a pasted list), and each tag costs a page and two feeds.
mod figures;

pub const MAX_TAGS: usize = 50;
/// Titles longer than this are reported; they still build.
pub const LONG_TITLE: usize = 300;

/// Checks one file's front matter. Returns the typed value only when no error was found.
pub fn parse(
    path: &Path,
    source: &YamlSource,
    config: &SiteConfig,
) -> (Option<FrontMatter>, Vec<Diagnostic>) {
    let mut check = Checker {
        path,
        source,
        problems: Vec::new(),
    };
    let value = match source.parse() {
        Ok(value) => value,
        Err(e) => {
            let hint = if e.message.contains("limit exceeded") {
                "the front matter repeats (YAML anchors and aliases) or nests too deeply: write the values out plainly"
            } else {
                "check the indentation and quoting on this line and the one before; text containing `:` or `#` must be quoted"
            };
            let d = Diagnostic::error(
                path,
                format!("the front matter is not valid YAML: {}", e.message),
            )
            .at(e.line, e.column)
            .with_hint(hint);
            return (None, vec![d]);
        }
    };
    let map = match value {
        Value::Mapping(map) => map,
        Value::Null => Mapping::new(),
        other => {
            check.error(
                &[],
                format!(
                    "the front matter must be a set of fields, but it is {}",
                    type_name(&other)
                ),
                "write one `field: value` per line, e.g. `title: ...`",
            );
            return (None, check.problems);
        }
    };
    let front = check.front_matter(&map, config);
    // Warnings (a long title) keep the release; errors do not.
    let ok = !check.problems.iter().any(Diagnostic::is_error);
    (front.filter(|_| ok), check.problems)
}

struct Checker<'a> {
    path: &'a Path,
    source: &'a YamlSource<'a>,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, at: &[Seg], message: impl Into<String>, hint: impl Into<String>) {
        let (line, column) = if at.is_empty() {
            (self.source.first_line - 1, 1)
        } else {
            self.source.locate(at)
        };
        self.problems.push(
            Diagnostic::error(self.path, message)
                .at(line, column)
                .with_hint(hint),
        );
    }

    fn missing(&mut self, field: &str, example: &str) {
        self.problems.push(
            Diagnostic::error(
                self.path,
                format!("the required field `{field}` is missing"),
            )
            .at(self.source.first_line - 1, 1)
            .with_hint(format!(
                "add a line `{field}: {example}` to the front matter"
            )),
        );
    }

    fn unknown_keys(&mut self, map: &Mapping, known: &[&str], at: &[Seg]) {
        for key in map.keys() {
            let name = match key {
                Value::String(s) => s.clone(),
                other => format!("{other:?}"),
            };
            if known.contains(&name.as_str()) {
                continue;
            }
            let mut path = at.to_vec();
            path.push(Seg::Key(&name));
            let hint = match did_you_mean(&name, known.iter().copied()) {
                Some(k) => format!("did you mean `{k}`?"),
                None => format!(
                    "remove it, or put theme data under `extra:`; known fields are `{}`",
                    known.join("`, `")
                ),
            };
            self.error(&path, format!("unknown field `{name}`"), hint);
        }
    }

    fn front_matter(&mut self, map: &Mapping, config: &SiteConfig) -> Option<FrontMatter> {
        self.unknown_keys(map, &FIELDS, &[]);
        let get = |key: &str| map.get(key).filter(|v| !v.is_null());

        let title = match get("title") {
            Some(v) => self.required_text(v, "title"),
            None => {
                self.missing("title", "عنوان خبر");
                None
            }
        };
        if let Some(t) = &title
            && t.chars().count() > LONG_TITLE
        {
            let (line, column) = self.source.locate(&[Seg::Key("title")]);
            self.problems.push(
                Diagnostic::warning(
                    self.path,
                    format!("the title is {} characters long", t.chars().count()),
                )
                .at(line, column)
                .with_hint(format!(
                    "a headline reads best under {LONG_TITLE} characters; move the rest to `lead:`"
                )),
            );
        }
        let lead = get("lead").and_then(|v| self.required_text(v, "lead"));
        let authors = match get("author") {
            Some(v) => self.authors(v),
            None => match &config.default_author {
                Some(name) => Some(vec![name.clone()]),
                None => {
                    self.missing("author", "نام نویسنده");
                    None
                }
            },
        };
        let desk = match get("desk") {
            Some(v) => self.desk(v, config),
            None => {
                self.missing(
                    "desk",
                    config.desks.first().map_or("provinces", |d| d.key.as_str()),
                );
                None
            }
        };
        let date = match get("date") {
            Some(v) => self.date(v, "date", config),
            None => {
                self.missing("date", "1402-07-09 10:30");
                None
            }
        };
        let updated = get("updated").and_then(|v| self.date(v, "updated", config));
        let id = match get("id") {
            Some(v) => self.id(v),
            None => {
                self.missing("id", "1402070912");
                None
            }
        };
        let tags = get("tags").map(|v| self.tags(v)).unwrap_or_default();
        let metrics = get("metrics").map(|v| self.metrics(v)).unwrap_or_default();
        let image = get("image").and_then(|v| self.image(v));
        let draft = match get("draft") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                let message = format!("`draft` must be true or false, not {}", describe(other));
                self.error(
                    &[Seg::Key("draft")],
                    message,
                    "write `draft: true` or `draft: false`",
                );
                false
            }
        };
        let slug = get("slug").and_then(|v| self.required_text(v, "slug"));
        let extra = match get("extra") {
            None => serde_json::Map::new(),
            Some(v @ Value::Mapping(_)) => match serde_json::to_value(v) {
                Ok(serde_json::Value::Object(map)) => map,
                _ => {
                    self.error(
                        &[Seg::Key("extra")],
                        "`extra` holds a key that is not text",
                        "use plain text keys under `extra:`",
                    );
                    serde_json::Map::new()
                }
            },
            Some(other) => {
                let message = format!("`extra` must be a set of fields, not {}", describe(other));
                self.error(
                    &[Seg::Key("extra")],
                    message,
                    "write `extra:` and indented `key: value` lines below it",
                );
                serde_json::Map::new()
            }
        };
        if updated.is_some() && date.is_some() && updated < date {
            self.error(
                &[Seg::Key("updated")],
                "`updated` is earlier than `date`",
                "an update comes after publication; check both dates",
            );
        }
        Some(FrontMatter {
            title: title?,
            lead,
            authors: authors?,
            desk: desk?,
            date: date?,
            updated,
            id: id?,
            tags,
            metrics,
            image,
            draft,
            slug,
            extra,
        })
    }

    /// Text, or a plain number written without quotes (`title: 1402`); never empty.
    fn text_at(&mut self, v: &Value, at: &[Seg], name: &str) -> Option<String> {
        let text = match v {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            other => {
                let message = format!("`{name}` must be text, not {}", describe(other));
                self.error(at, message, format!("write `{name}:` followed by the text on the same line; quote it if it starts with [ or {{"));
                return None;
            }
        };
        if text.is_empty() {
            self.error(
                at,
                format!("`{name}` is empty"),
                format!("write the {name} after `{name}:`, or remove the line"),
            );
            return None;
        }
        // A raw control byte in the file is refused when it is read; these come from escapes
        // in quotes (`"\0"`, `"\u001b"`), and would reach the page as they are.
        if let Some(c) = text
            .chars()
            .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        {
            self.error(
                at,
                format!(
                    "`{name}` holds the control character U+{:04X}, which no reader can see",
                    u32::from(c)
                ),
                "remove it: it comes from an escape such as `\\0`, `\\a` or `\\u001b` inside quotes",
            );
            return None;
        }
        Some(text)
    }

    fn required_text(&mut self, v: &Value, key: &str) -> Option<String> {
        self.text_at(v, &[Seg::Key(key)], key)
    }

    fn optional_text(&mut self, map: &Mapping, key: &str, at: &[Seg]) -> Option<String> {
        let v = map.get(key).filter(|v| !v.is_null())?;
        let mut path = at.to_vec();
        path.push(Seg::Key(key));
        self.text_at(v, &path, key)
    }

    /// One name or a list of names.
    fn authors(&mut self, v: &Value) -> Option<Vec<String>> {
        // A number in a list of names is a slip (`[علی, 3]`), not a person with a page.
        if let Value::Sequence(items) = v
            && let Some((i, n)) = items.iter().enumerate().find_map(|(i, item)| match item {
                Value::Number(n) => Some((i, n)),
                _ => None,
            })
        {
            self.error(
                &[Seg::Key("author"), Seg::Index(i)],
                format!("`author` holds the number {n}, not a name"),
                "write each author's name; quote it if a name really is digits",
            );
            return None;
        }
        let names = self.text_list(v, "author")?;
        if names.is_empty() {
            self.error(
                &[Seg::Key("author")],
                "`author` is an empty list",
                "name at least one author",
            );
            return None;
        }
        self.names_have_slugs(&names, "author").then_some(names)
    }

    fn tags(&mut self, v: &Value) -> Vec<String> {
        if let Value::String(s) = v
            && s.contains([',', '،'])
        {
            self.error(
                &[Seg::Key("tags")],
                "`tags` is one piece of text with commas in it",
                format!(
                    "write the tags as a list: `tags: [{}]`",
                    s.split([',', '،'])
                        .map(str::trim)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            return Vec::new();
        }
        let mut tags = self.text_list(v, "tags").unwrap_or_default();
        if tags.len() > MAX_TAGS {
            self.error(
                &[Seg::Key("tags")],
                format!(
                    "a release may have at most {MAX_TAGS} tags, this one has {}",
                    tags.len()
                ),
                "keep the tags that readers would search for",
            );
            return Vec::new();
        }
        if !self.names_have_slugs(&tags, "tags") {
            return Vec::new();
        }
        let mut seen = std::collections::HashSet::new();
        tags.retain(|t| seen.insert(crate::persian::slugify(t)));
        tags
    }

    /// Author and tag pages live at an address made from the name, so a name needs at least
    /// one letter or digit.
    fn names_have_slugs(&mut self, names: &[String], key: &str) -> bool {
        let mut ok = true;
        for (i, name) in names.iter().enumerate() {
            if crate::persian::slugify(name).is_empty() {
                let at = if names.len() > 1 {
                    vec![Seg::Key(key), Seg::Index(i)]
                } else {
                    vec![Seg::Key(key)]
                };
                self.error(
                    &at,
                    format!("`{name}` has no letter or digit, so it cannot have a page"),
                    format!("write a real name in `{key}`"),
                );
                ok = false;
            }
        }
        ok
    }

    fn text_list(&mut self, v: &Value, key: &str) -> Option<Vec<String>> {
        match v {
            Value::Sequence(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match self.text_at(item, &[Seg::Key(key), Seg::Index(i)], key) {
                        Some(t) => out.push(t),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            Value::String(_) | Value::Number(_) => {
                self.text_at(v, &[Seg::Key(key)], key).map(|t| vec![t])
            }
            other => {
                let message = format!(
                    "`{key}` must be a list or one piece of text, not {}",
                    describe(other)
                );
                self.error(
                    &[Seg::Key(key)],
                    message,
                    format!("write `{key}: [first, second]`, or one name after `{key}:`"),
                );
                None
            }
        }
    }

    fn desk(&mut self, v: &Value, config: &SiteConfig) -> Option<String> {
        let name = self.required_text(v, "desk")?;
        if let Some(desk) = config.desk(&name) {
            return Some(desk.key.clone());
        }
        let known: Vec<String> = config
            .desks
            .iter()
            .map(|d| format!("`{}` ({})", d.key, d.name))
            .collect();
        let keys = config.desks.iter().map(|d| d.key.as_str());
        let hint = match did_you_mean(&name, keys) {
            Some(k) => format!(
                "did you mean `{k}`? Desks are defined in site.yaml: {}",
                known.join(", ")
            ),
            None => format!("use a desk defined in site.yaml: {}", known.join(", ")),
        };
        self.error(&[Seg::Key("desk")], format!("unknown desk `{name}`"), hint);
        None
    }

    fn date(&mut self, v: &Value, key: &str, config: &SiteConfig) -> Option<Timestamp> {
        let text = self.required_text(v, key)?;
        match parse_datetime(&text, &config.timezone) {
            Ok(ts) => Some(ts),
            Err(message) => {
                let hint = "write a Gregorian date like `2023-10-01 10:30` or a Jalali one like `1402-07-09 10:30`";
                self.error(&[Seg::Key(key)], format!("bad `{key}`: {message}"), hint);
                None
            }
        }
    }

    fn id(&mut self, v: &Value) -> Option<u64> {
        let parsed = match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => {
                let latin = to_latin_digits(s.trim());
                (!latin.is_empty() && latin.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| latin.parse().ok())
                    .flatten()
            }
            _ => None,
        };
        match parsed {
            Some(id) if id > 0 => Some(id),
            _ => {
                let message = format!(
                    "`id` must be a positive whole number (the news code), not {}",
                    describe(v)
                );
                self.error(
                    &[Seg::Key("id")],
                    message,
                    "write the news code digits only, e.g. `id: 1402070912`",
                );
                None
            }
        }
    }
}

/// A value as an editor would recognise it, for error messages.
fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::Bool(b) => format!("`{b}`"),
        other => type_name(other).to_string(),
    }
}
