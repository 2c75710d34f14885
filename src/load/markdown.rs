//! Markdown bodies to HTML (CommonMark with tables, footnotes and strikethrough), plus what
//! listings need: the first paragraph, the word count, and the headings with their ids.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

use crate::load::sanitize::{Sanitizer, is_safe_url};
use crate::persian::bidi::latin_runs;
use crate::persian::digits::{DigitStyle, convert_prose_digits};
use crate::persian::slugify;
use crate::persian::typography;
use crate::persian::words::count_words;
use std::borrow::Cow;

/// Words a Persian reader reads in a minute, for the reading time shown on articles.
const WORDS_PER_MINUTE: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct RenderedMarkdown {
    pub html: String,
    /// The first paragraph as plain text: the summary when the front matter has no lead.
    pub first_paragraph: String,
    pub word_count: usize,
    pub headings: Vec<Heading>,
    /// What was taken out to publish the body safely.
    pub removed: Vec<Removal>,
}

impl RenderedMarkdown {
    pub fn reading_minutes(&self) -> usize {
        self.word_count.div_ceil(WORDS_PER_MINUTE).max(1)
    }
}

/// The Markdown dialect of release bodies, shared by rendering, `check` and `fix` so they all
/// read the same document.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Checks the prose of a Markdown body: code, raw HTML, link targets and regions marked as
/// Arabic (`<span lang="ar">…</span>`, `<blockquote lang="ar">…`) are left alone. Spans are
/// bytes of `markdown`.
pub fn check_typography(markdown: &str) -> Vec<typography::Finding> {
    let options = parser_options();
    let mut findings = Vec::new();
    let mut in_code = false;
    let mut arabic_depth = 0usize;
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Html(html) | Event::InlineHtml(html) => {
                let lower = html.to_ascii_lowercase();
                let opens_arabic = ["lang=\"ar\"", "lang='ar'", "lang=ar"]
                    .iter()
                    .any(|m| lower.contains(m));
                if opens_arabic {
                    arabic_depth += 1;
                } else if arabic_depth > 0 && lower.trim_start().starts_with("</") {
                    arabic_depth -= 1;
                }
            }
            Event::Text(_) if !in_code && arabic_depth == 0 => {
                let source = &markdown[range.clone()];
                findings.extend(typography::check_text(source).into_iter().map(|f| {
                    typography::Finding {
                        span: f.span.start + range.start..f.span.end + range.start,
                        ..f
                    }
                }));
            }
            _ => {}
        }
    }
    findings
}

/// How bodies are rendered for this site.
#[derive(Clone, Copy)]
pub struct BodyOptions<'a> {
    /// Digits in running text (code is left as written).
    pub digits: DigitStyle,
    /// The site's base path (`/press/`): root-relative links and images (`/news/12/`) get it,
    /// so a site served from a sub-path keeps its internal links.
    pub base_path: &'a str,
    /// Cleans raw HTML; `None` when the site trusts its writers (`allow_raw_html: true`).
    pub sanitizer: Option<&'a Sanitizer>,
}

impl Default for BodyOptions<'_> {
    fn default() -> Self {
        BodyOptions {
            digits: DigitStyle::AsWritten,
            base_path: "/",
            sanitizer: None,
        }
    }
}

/// Something the renderer changed in a body so it could be published safely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// Byte offset in the Markdown.
    pub offset: usize,
    pub what: String,
}

/// Ids the default theme gives its own elements.
const RESERVED_IDS: [&str; 10] = [
    "main",
    "key-figures-title",
    "chart-title",
    "chart-desc",
    "tags-title",
    "share-title",
    "related-title",
    "latest-title",
    "lead-story-title",
    "chapar-errors",
];

/// `images/a.jpg`: a path with no scheme, not starting with `/`, `#` or `?`.
fn is_site_relative_file(url: &str) -> bool {
    !url.is_empty() && !url.starts_with(['/', '#', '?', '.']) && !url.contains(':')
}

/// A link or image URL as published: checked, then under the base path.
fn safe_link<'e>(
    url: CowStr<'e>,
    is_image: bool,
    offset: usize,
    base_path: &str,
    removed: &mut Vec<Removal>,
) -> CowStr<'e> {
    under_base(checked_url(url, is_image, offset, removed), base_path)
}

/// A link or image URL that is not safe to publish becomes `#`, and is reported.
fn checked_url<'e>(
    url: CowStr<'e>,
    is_image: bool,
    offset: usize,
    removed: &mut Vec<Removal>,
) -> CowStr<'e> {
    if is_safe_url(&url, is_image) {
        return url;
    }
    removed.push(Removal {
        offset,
        what: format!(
            "the link `{url}` was removed: only http(s), mailto and tel links may be published"
        ),
    });
    CowStr::from("#")
}

/// `/news/12/` → `/press/news/12/`; other URLs (`https://…`, `//host/…`, `#…`, relative) as
/// written.
fn under_base<'e>(url: CowStr<'e>, base_path: &str) -> CowStr<'e> {
    if base_path == "/"
        || !url.starts_with('/')
        || url.starts_with("//")
        || url.starts_with(base_path)
    {
        return url;
    }
    CowStr::from(format!("{}{}", base_path.trim_end_matches('/'), url))
}

pub fn render(markdown: &str, options: BodyOptions) -> RenderedMarkdown {
    let BodyOptions {
        digits,
        base_path,
        sanitizer,
    } = options;
    let mut in_code = false;
    let mut in_image = 0usize;
    // Where the first raw HTML stands, for the warning if the sanitizer changes anything.
    let mut raw_html: Option<usize> = None;
    let mut removed = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    for (event, range) in Parser::new_ext(markdown, parser_options()).into_offset_iter() {
        match event {
            Event::Html(_) | Event::InlineHtml(_) => {
                raw_html.get_or_insert(range.start);
                events.push(event);
            }
            // `{#id .class}` is kept; other heading attributes (`{onclick=…}`) would reach the
            // page as written, past the sanitizer, which only sees raw HTML.
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs: _,
            }) => {
                events.push(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs: Vec::new(),
                }));
            }
            Event::Start(Tag::CodeBlock(_)) => {
                in_code = true;
                events.push(event);
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                events.push(event);
            }
            Event::Text(text) if !in_code => {
                let text = match convert_prose_digits(&text, digits) {
                    Cow::Borrowed(_) => text,
                    Cow::Owned(converted) => converted.into(),
                };
                // Inside an image the text is its alt text, where markup would show as letters.
                if in_image > 0 {
                    events.push(Event::Text(text));
                } else {
                    push_isolating_latin(&mut events, text);
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = safe_link(dest_url, false, range.start, base_path, &mut removed);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                in_image += 1;
                // An image path without a leading `/` is a file under static/, as in front matter.
                let dest_url = if is_site_relative_file(&dest_url) {
                    CowStr::from(format!("/{dest_url}"))
                } else {
                    dest_url
                };
                let dest_url = safe_link(dest_url, true, range.start, base_path, &mut removed);
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                in_image = in_image.saturating_sub(1);
                events.push(event);
            }
            other => events.push(other),
        }
    }
    let mut out = RenderedMarkdown {
        removed,
        ..RenderedMarkdown::default()
    };
    // The theme's own ids: a heading must not take them (`## Main` would clash with `<main>`).
    let mut used_ids: HashSet<String> = RESERVED_IDS.iter().map(|s| s.to_string()).collect();

    // Give every heading an id (kept when the editor wrote `{#id}`), unique in the page.
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[i] {
            let level = *level as u8;
            let end = (i..events.len())
                .find(|&j| matches!(events[j], Event::End(TagEnd::Heading(_))))
                .unwrap_or(events.len());
            let text = plain_text(&events[i + 1..end]);
            let wanted = match id {
                Some(id) => id.to_string(),
                None => slugify(&text),
            };
            let id = unique_id(
                if wanted.is_empty() {
                    "section".into()
                } else {
                    wanted
                },
                &mut used_ids,
            );
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
                *slot = Some(CowStr::from(id.clone()));
            }
            out.headings.push(Heading { level, id, text });
            i = end;
        }
        i += 1;
    }

    let mut in_paragraph = false;
    for event in &events {
        match event {
            Event::Start(Tag::Paragraph) if out.first_paragraph.is_empty() => in_paragraph = true,
            Event::End(TagEnd::Paragraph) if in_paragraph => in_paragraph = false,
            // Words never run from one text into the next: each is counted on its own.
            Event::Text(t) | Event::Code(t) => {
                out.word_count += count_words(t);
                if in_paragraph {
                    out.first_paragraph.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak if in_paragraph => out.first_paragraph.push(' '),
            _ => {}
        }
    }
    out.first_paragraph = out.first_paragraph.trim().to_string();
    out.html.reserve(markdown.len() * 3 / 2);
    html::push_html(&mut out.html, events.into_iter());
    // Most releases have no raw HTML; only those that do pay for sanitizing.
    if raw_html.is_some()
        && let Some(sanitizer) = sanitizer
    {
        let clean = sanitizer.clean(&out.html);
        if clean != out.html {
            out.removed.push(Removal {
                offset: raw_html.unwrap_or(0),
                what: "raw HTML that is not allowed (scripts, event handlers, frames from other hosts) was removed".into(),
            });
        }
        out.html = clean;
    }
    out
}

/// Pushes a text, with its Latin runs inside Persian wrapped in `<bdi>` (see `persian::bidi`).
fn push_isolating_latin<'e>(events: &mut Vec<Event<'e>>, text: CowStr<'e>) {
    let runs = latin_runs(&text);
    if runs.is_empty() {
        events.push(Event::Text(text));
        return;
    }
    let mut at = 0;
    for run in runs {
        if run.start > at {
            events.push(Event::Text(text[at..run.start].to_string().into()));
        }
        events.push(Event::InlineHtml("<bdi>".into()));
        events.push(Event::Text(text[run.clone()].to_string().into()));
        events.push(Event::InlineHtml("</bdi>".into()));
        at = run.end;
    }
    if at < text.len() {
        events.push(Event::Text(text[at..].to_string().into()));
    }
}

fn plain_text(events: &[Event]) -> String {
    let mut text = String::new();
    for e in events {
        if let Event::Text(t) | Event::Code(t) = e {
            text.push_str(t);
        }
    }
    text.trim().to_string()
}

fn unique_id(wanted: String, used: &mut HashSet<String>) -> String {
    let mut id = wanted.clone();
    let mut n = 2;
    while !used.insert(id.clone()) {
        id = format!("{wanted}-{n}");
        n += 1;
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_as_written(md: &str) -> RenderedMarkdown {
        render(md, BodyOptions::default())
    }

    fn persian() -> BodyOptions<'static> {
        BodyOptions {
            digits: DigitStyle::Persian,
            ..BodyOptions::default()
        }
    }

    #[test]
    fn root_relative_links_get_the_base_path() {
        let md = "[a](/news/1/) [b](https://x.ir/) [c](#top) [d](other/) ![e](/images/x.jpg) [f](/press/n/1/)";
        let html = render(
            md,
            BodyOptions {
                base_path: "/press/",
                ..BodyOptions::default()
            },
        )
        .html;
        for expected in [
            "href=\"/press/news/1/\"",
            "href=\"https://x.ir/\"",
            "href=\"#top\"",
            "href=\"other/\"",
            "src=\"/press/images/x.jpg\"",
            "href=\"/press/n/1/\"",
        ] {
            assert!(html.contains(expected), "{expected} in {html}");
        }
    }

    #[test]
    fn body_digits_follow_the_setting_except_in_code() {
        let md = "در سال 1402 رشد 12.5 درصدی و COVID-19\n\n`v2 1402`\n\n```\nlet x = 1402;\n```\n";
        let html = render(md, persian()).html;
        assert!(
            html.contains("<p>در سال ۱۴۰۲ رشد ۱۲٫۵ درصدی و <bdi>COVID-19</bdi></p>"),
            "{html}"
        );
        assert!(html.contains("<code>v2 1402</code>"));
        assert!(html.contains("let x = 1402;"));
        assert!(
            render(
                "سال ۱۴۰۲",
                BodyOptions {
                    digits: DigitStyle::Latin,
                    ..BodyOptions::default()
                }
            )
            .html
            .contains("سال 1402")
        );
        assert!(render_as_written("سال 1402").html.contains("سال 1402"));
    }

    #[test]
    fn renders_tables_footnotes_and_strikethrough() {
        let md = "| الف | ب |\n|---|---|\n| ۱ | ۲ |\n\nمتن[^1] و ~~حذف~~\n\n[^1]: پانویس\n";
        let r = render(md, BodyOptions::default());
        assert!(r.html.contains("<table>"), "{}", r.html);
        assert!(r.html.contains("<del>حذف</del>"));
        assert!(r.html.contains("footnote-definition"));
    }

    #[test]
    fn headings_get_unique_persian_ids() {
        let r = render_as_written("## گزارش استان\n\nمتن\n\n## گزارش استان\n\n## {#custom}\n");
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["گزارش-استان", "گزارش-استان-2", "custom"]);
        assert!(
            r.html.contains("<h2 id=\"گزارش-استان\">گزارش استان</h2>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn finds_first_paragraph_and_counts_words() {
        let r = render_as_written("# عنوان\n\nپاراگراف نخست\nادامه‌اش.\n\nپاراگراف دوم\n");
        assert_eq!(r.first_paragraph, "پاراگراف نخست ادامه‌اش.");
        assert_eq!(r.word_count, 6);
        assert_eq!(r.reading_minutes(), 1);
        assert_eq!(render(&"کلمه ".repeat(401), persian()).reading_minutes(), 3);
    }

    #[test]
    fn unsafe_links_and_raw_html_are_cleaned_and_reported() {
        let sanitizer = Sanitizer::new(&[]);
        let options = BodyOptions {
            sanitizer: Some(&sanitizer),
            ..BodyOptions::default()
        };
        let md = "[بد](javascript:alert(1)) و [خوب](https://irna.ir/)\n\n<script>alert(1)</script>\n\n<span lang=\"ar\">قال</span>\n";
        let r = render(md, options);
        assert!(
            r.html.contains("<a href=\"#\">بد</a>") && r.html.contains("href=\"https://irna.ir/\""),
            "{}",
            r.html
        );
        assert!(!r.html.contains("script"), "{}", r.html);
        assert!(r.html.contains("<span lang=\"ar\">قال</span>"));
        assert_eq!(r.removed.len(), 2, "{:?}", r.removed);
        assert_eq!(r.removed[0].offset, 0);
        // A site that trusts its writers keeps raw HTML.
        let trusted = render("<script>x()</script>", BodyOptions::default());
        assert!(trusted.html.contains("<script>"));
        assert!(render("متن ساده", options).removed.is_empty());
    }

    #[test]
    fn heading_attributes_cannot_carry_script() {
        let r = render(
            "## عنوان {#id .c onmouseover=alert(1) style=position:fixed}\n",
            BodyOptions::default(),
        );
        assert!(
            r.html.contains("<h2 id=\"id\" class=\"c\">عنوان</h2>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn images_alt_text_and_paths() {
        let r = render(
            "![نمای NGL ایلام](images/a.jpg) ![x](/b.png) ![y](https://e.ir/c.png)",
            BodyOptions {
                base_path: "/press/",
                ..BodyOptions::default()
            },
        );
        assert!(
            r.html
                .contains("<img src=\"/press/images/a.jpg\" alt=\"نمای NGL ایلام\""),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("src=\"/press/b.png\"")
                && r.html.contains("src=\"https://e.ir/c.png\"")
        );
    }

    #[test]
    fn headings_do_not_take_the_themes_ids() {
        let r = render("## main\n\n## Main\n", BodyOptions::default());
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["main-2", "main-3"]);
    }

    #[test]
    fn the_raw_html_warning_points_at_the_html() {
        let sanitizer = Sanitizer::new(&[]);
        let md = "پاراگراف یکم.\n\nپاراگراف دوم.\n\n<script>x()</script>\n";
        let r = render(
            md,
            BodyOptions {
                sanitizer: Some(&sanitizer),
                ..BodyOptions::default()
            },
        );
        assert_eq!(r.removed.len(), 1);
        assert_eq!(r.removed[0].offset, md.find("<script>").unwrap());
    }

    #[test]
    fn markdown_code_and_marked_arabic_are_left_alone() {
        let md = "كار `كار` و\n\n```\nيك\n```\n\n<span lang=\"ar\">قال علي</span> و علي\n";
        let findings = check_typography(md);
        let spans: Vec<&str> = findings.iter().map(|f| &md[f.span.clone()]).collect();
        assert_eq!(spans, vec!["ك", "ي"], "{findings:?}");
        let last = findings.last().unwrap();
        assert!(last.span.start > md.find("</span>").unwrap());
        assert_eq!(
            typography::apply_fixes(md, &findings),
            md.replacen("كار `", "کار `", 1)
                .replace("</span> و علي", "</span> و علی")
        );
    }
}
