//! `chapar check`: everything `build` validates, plus what an editor should look at before
//! publishing: Persian typography, links to pages and files that do not exist, images
//! without alt text, duplicate titles. Nothing is written.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Result;
use jiff::Timestamp;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::assemble;
use crate::commands::pipeline::STATIC_DIR;
use crate::emit::render::{self, Renderer};
use crate::emit::{self, PublishOptions};
use crate::load::config;
use crate::load::yaml::{Seg, YamlSource};
use crate::load::{self, markdown, split};
use crate::model::article::Article;
use crate::model::diagnostic::{self, Diagnostic};
use crate::model::fingerprint::Fingerprint;
use crate::model::links::Links;
use crate::model::paths;
use crate::model::site::{Selection, Site};
use crate::persian::typography::{self, Finding};
use crate::write::Output;

#[derive(Debug, Default)]
pub struct CheckReport {
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    pub files: usize,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// A link or image a body points to, with where it stands.
struct BodyLink {
    line: usize,
    column: usize,
    url: String,
    is_image: bool,
    alt_missing: bool,
}

/// Takes every page and file a build makes, keeping only its path.
#[derive(Default)]
struct PathCollector(std::sync::Mutex<HashSet<String>>);

impl Output for PathCollector {
    fn keep(&self, _: &str, _: Fingerprint) -> Result<bool, Diagnostic> {
        Ok(false)
    }

    fn write(&self, path: &str, _: Vec<u8>, _: Fingerprint) -> Result<(), Diagnostic> {
        if let Ok(mut paths) = self.0.lock() {
            paths.insert(path.to_string());
        }
        Ok(())
    }
}

pub fn check(root: &Path, now: Option<Timestamp>) -> Result<CheckReport> {
    let mut report = CheckReport::default();
    let config = match config::load(root) {
        Ok(config) => config,
        Err(problems) => {
            report.diagnostics = problems;
            return Ok(report);
        }
    };
    let bodies = load::Bodies::default();
    let loaded = load::load(
        load::find_releases(root),
        root,
        &config,
        &load::Sources::default(),
        None,
        &|article, body| {
            bodies.offer(article.fingerprint, body);
        },
    );
    report.files = loaded.files;
    report.diagnostics.extend(loaded.diagnostics);
    let now = now.unwrap_or_else(Timestamp::now);
    let stylesheet = render::assets::stylesheet(&root.join(STATIC_DIR))?;
    let renderer = Renderer::new(root, &config, now, &stylesheet.path);
    if let Err(problems) = &renderer {
        report.diagnostics.extend(problems.iter().cloned());
    }

    let mut links: Vec<(PathBuf, Vec<BodyLink>)> = Vec::new();
    for article in &loaded.articles {
        let text = match std::fs::read_to_string(root.join(&article.source)) {
            Ok(text) => text,
            Err(_) => continue,
        };
        let text = split::normalize(&text);
        let Ok(parts) = split::split(&text) else {
            continue;
        };
        report.diagnostics.extend(typography_of(article, &parts));
        if let Some(d) = missing_image(root, article, &parts) {
            report.diagnostics.push(d);
        }
        links.push((
            article.source.clone(),
            body_links(parts.body, parts.body_line),
        ));
    }
    report
        .diagnostics
        .extend(duplicate_titles(&loaded.articles));

    let site = assemble::assemble(
        config,
        loaded.articles,
        Selection {
            include_drafts: true,
            now,
        },
    );
    // Every page and file is made and thrown away, keeping only its path: a template that
    // fails on some page fails here, and links are checked against what a build would write.
    let Ok(renderer) = &renderer else {
        diagnostic::sort(&mut report.diagnostics);
        return Ok(report);
    };
    let collect = PathCollector::default();
    let bodies = load::BodyReader::new(&bodies, root, load::Parsing::new(&site.config));
    report.diagnostics.extend(render::render_site(
        &site,
        renderer,
        &bodies,
        &site.related_table(),
        &render::summary_fingerprints(&site, &renderer.calendar, &Default::default()),
        &collect,
    ));
    let publish = PublishOptions {
        now,
        own_robots_txt: false,
        calendar: renderer.calendar.clone(),
        defer_whole_site: false,
    };
    let published = emit::write_all(&site, &publish, &bodies, &collect, &Default::default());
    report.diagnostics.extend(published.problems);
    let mut files = collect.0.into_inner().unwrap_or_default();
    files.insert(stylesheet.path.clone());
    files.extend(
        render::theme::STATIC_FILES
            .iter()
            .map(|(p, _)| p.to_string()),
    );
    let static_dir = root.join(STATIC_DIR);
    for entry in walkdir::WalkDir::new(&static_dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        if let Ok(rel) = entry.path().strip_prefix(&static_dir) {
            files.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    let known = KnownPaths {
        base_path: site.config.base_path.clone(),
        files,
    };
    for (source, body_links) in &links {
        report
            .diagnostics
            .extend(check_links(source, body_links, &known, &site));
    }
    diagnostic::sort(&mut report.diagnostics);
    Ok(report)
}

/// A front matter image that is neither in the site's `static/` nor in the theme.
fn missing_image(root: &Path, article: &Article, parts: &split::Parts) -> Option<Diagnostic> {
    let src = &article.front.image.as_ref()?.src;
    let rel = src.trim_start_matches('/');
    let exists = src.starts_with("http://")
        || src.starts_with("https://")
        || root.join(STATIC_DIR).join(rel).is_file()
        || render::theme::STATIC_FILES.iter().any(|(p, _)| *p == rel);
    if exists {
        return None;
    }
    let (line, column) = YamlSource::new(parts.front_matter, parts.front_matter_line)
        .locate(&[Seg::Key("image"), Seg::Key("src")]);
    Some(
        Diagnostic::error(&article.source, format!("the image `{src}` does not exist"))
            .at(line, column)
            .with_hint(format!(
                "put the picture at static/{rel}, or correct `src:`"
            )),
    )
}

/// Typography findings in the title, the lead and the body, positioned in the file.
fn typography_of(article: &Article, parts: &split::Parts) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let source = YamlSource::new(parts.front_matter, parts.front_matter_line);
    let lines: Vec<&str> = parts.front_matter.lines().collect();
    for (key, value, findings) in [
        (
            "title",
            Some(article.front.title.as_str()),
            typography::check_title(&article.front.title),
        ),
        (
            "lead",
            article.front.lead.as_deref(),
            article
                .front
                .lead
                .as_deref()
                .map(typography::check_text)
                .unwrap_or_default(),
        ),
    ] {
        let Some(value) = value else { continue };
        let (line, _) = source.locate(&[Seg::Key(key)]);
        let raw = lines
            .get(line.saturating_sub(parts.front_matter_line))
            .copied()
            .unwrap_or_default();
        // Where the value starts on its line, in characters; 1 when it is not on that line.
        let value_column = raw
            .find(value)
            .map_or(1, |byte| raw[..byte].chars().count() + 1);
        for f in findings {
            let column = value_column + value[..f.span.start].chars().count();
            out.push(finding(&article.source, line, column, value, &f));
        }
    }
    for f in markdown::check_typography(parts.body) {
        let (line, column) = diagnostic::line_column(parts.body, f.span.start);
        let line = parts.body_line + line;
        out.push(finding(&article.source, line, column, parts.body, &f));
    }
    out
}

fn finding(path: &Path, line: usize, column: usize, text: &str, f: &Finding) -> Diagnostic {
    let hint = match &f.fix {
        Some(fix) => {
            // Show the words around the finding, before and after, so an invisible ZWNJ or a
            // space reads as a word written apart or together.
            let start = text[..f.span.start]
                .rfind(char::is_whitespace)
                // Past the whitespace character, which may be wider than a byte (a no-break
                // space pasted from Word).
                .map_or(0, |i| {
                    i + text[i..].chars().next().map_or(1, char::len_utf8)
                });
            let end = text[f.span.end..]
                .find(char::is_whitespace)
                .map_or(text.len(), |i| f.span.end + i);
            let before = &text[start..end];
            let after = format!(
                "{}{fix}{}",
                &text[start..f.span.start],
                &text[f.span.end..end]
            );
            format!(
                "write «{}» instead of «{}» ({})",
                after.trim(),
                before.trim(),
                f.rule.message_fa()
            )
        }
        None => f.rule.message_fa().to_string(),
    };
    Diagnostic::warning(path, f.rule.message_en())
        .at(line, column)
        .with_hint(hint)
        .with_rule(f.rule.id())
}

fn body_links(body: &str, first_line: usize) -> Vec<BodyLink> {
    let options = crate::load::markdown::parser_options();
    let mut links = Vec::new();
    let mut image_alt: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let position = |offset: usize| {
            let (line, column) = diagnostic::line_column(body, offset);
            (first_line + line, column)
        };
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                let (line, column) = position(range.start);
                links.push(BodyLink {
                    line,
                    column,
                    url: dest_url.to_string(),
                    is_image: false,
                    alt_missing: false,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                image_alt = Some((links.len(), String::new()));
                let (line, column) = position(range.start);
                links.push(BodyLink {
                    line,
                    column,
                    url: dest_url.to_string(),
                    is_image: true,
                    alt_missing: false,
                });
            }
            Event::Text(t) if image_alt.is_some() => {
                if let Some((_, alt)) = &mut image_alt {
                    alt.push_str(&t);
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((i, alt)) = image_alt.take() {
                    links[i].alt_missing = alt.trim().is_empty();
                }
            }
            _ => {}
        }
    }
    links
}

/// The files a build of this site writes, to check links against.
struct KnownPaths {
    base_path: String,
    /// Site-relative: `news/12/خبر/index.html`, `images/a.jpg`.
    files: HashSet<String>,
}

impl KnownPaths {
    /// Whether a root-relative URL names something the site has.
    fn resolves(&self, url: &str) -> bool {
        let path = url.split(['#', '?']).next().unwrap_or_default();
        let rel = path
            .strip_prefix(&self.base_path)
            .or_else(|| path.strip_prefix('/'))
            .unwrap_or(path);
        let rel = percent_encoding::percent_decode_str(rel)
            .decode_utf8_lossy()
            .into_owned();
        if rel.is_empty() {
            return true;
        }
        let page = if rel.ends_with('/') {
            format!("{rel}index.html")
        } else {
            format!("{rel}/index.html")
        };
        self.files.contains(&rel) || self.files.contains(&page)
    }
}

fn check_links(
    source: &Path,
    links: &[BodyLink],
    known: &KnownPaths,
    site: &Site,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let ids: HashMap<u64, &Article> = site.articles.iter().map(|a| (a.front.id, &**a)).collect();
    for link in links {
        if link.alt_missing {
            out.push(
                Diagnostic::warning(source, "an image without alt text")
                    .at(link.line, link.column)
                    .with_hint("describe the picture between the brackets: ![شرح تصویر](…)"),
            );
        }
        if !link.url.starts_with('/') || link.url.starts_with("//") || known.resolves(&link.url) {
            continue;
        }
        if link.is_image {
            out.push(
                Diagnostic::error(source, format!("the image `{}` does not exist", link.url))
                    .at(link.line, link.column)
                    .with_hint(
                        "put the picture under static/ at that path, or correct the address",
                    ),
            );
            continue;
        }
        let mut d = Diagnostic::error(
            source,
            format!(
                "the link `{}` points to a page that does not exist",
                link.url
            ),
        )
        .at(link.line, link.column);
        // A link to /news/<id>/<old-slug>/ whose code exists: suggest the current address.
        let code = link
            .url
            .trim_start_matches(&known.base_path)
            .trim_start_matches('/')
            .strip_prefix("news/");
        let article = code
            .and_then(|c| c.split('/').next())
            .and_then(|c| c.parse::<u64>().ok())
            .and_then(|id| ids.get(&id));
        d = match article {
            Some(a) => d.with_hint(format!(
                "release {} is at {}; or link its short link /news/{}/",
                a.front.id,
                Links::new(&site.config).link(&paths::article_path(a)),
                a.front.id
            )),
            None => d.with_hint(
                "correct the address; links to releases are safest as short links: /news/<news code>/",
            ),
        };
        out.push(d);
    }
    out
}

/// Two published releases with one title confuse readers and search engines.
fn duplicate_titles(articles: &[std::sync::Arc<Article>]) -> Vec<Diagnostic> {
    let mut seen: HashMap<String, &Article> = HashMap::new();
    let mut out = Vec::new();
    for a in articles {
        let folded = crate::persian::folding::fold(&a.front.title);
        let key = folded.split_whitespace().collect::<Vec<_>>().join(" ");
        match seen.get(&key) {
            Some(first) => out.push(
                Diagnostic::warning(
                    &a.source,
                    format!("the title is the same as {}'s", first.source.display()),
                )
                .with_hint("give each release its own headline"),
            ),
            None => {
                seen.insert(key, a);
            }
        }
    }
    out
}
