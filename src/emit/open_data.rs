//! Open data for other newsrooms and researchers: `data/articles.json` (every article's
//! metadata and URL) and `data/metrics.csv` (one row per key figure).

use crate::model::fast_hash::FastMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use crate::model::article::Article;
use crate::model::diagnostic::Diagnostic;
use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::model::record::{METRIC_COLUMNS, RecordMaker, metric_rows, record_calendar};
use crate::model::site::Site;
use crate::write::Output;

const ARTICLES_PATH: &str = "data/articles.json";
const METRICS_PATH: &str = "data/metrics.csv";

#[derive(Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    url: &'a str,
    language: &'static str,
}

/// Where each article's record is in the `articles.json` a build wrote, so that the next one
/// copies the records of unchanged articles from it instead of making them again: an edit to
/// one release then costs a copy of the file, not 10,000 records made anew.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RecordSpans {
    /// The tool and settings the records were made with: with others, none is copied.
    made_with: Option<Fingerprint>,
    /// By the article's `record_fingerprint`.
    spans: FastMap<Fingerprint, Span>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Span {
    offset: u64,
    len: u32,
    /// Of the record's bytes: a file changed since (by hand, or a build that failed midway)
    /// gives other bytes, and the record is made again.
    hash: u64,
}

/// `articles`: the fingerprint of the site's articles, which `articles.json` is made of. Both
/// files are written as they are made.
///
/// `previous` describes the previous build's `articles.json`; what is returned, the one
/// written, if one was (the caller keeps it once the output folder holds the file).
pub fn write(
    site: &Site,
    articles: Fingerprint,
    out: &dyn Output,
    previous: &RecordSpans,
) -> Result<Option<RecordSpans>, Diagnostic> {
    // The calendar the records were fingerprinted with, when their releases were parsed.
    let calendar = record_calendar(&site.config);
    let maker = RecordMaker::new(&site.config, &calendar);
    let mut written = None;
    if !out.keep(ARTICLES_PATH, articles)? {
        let made_with = FingerprintBuilder::new()
            .fingerprint(crate::model::fingerprint::tool())
            .fingerprint(site.config.fingerprint())
            .finish();
        let usable = previous.made_with == Some(made_with);
        let path = out.previous(ARTICLES_PATH).filter(|_| usable);
        let mut source = Previous::open(path.as_deref(), &previous.spans);
        let mut spans = FastMap::with_capacity_and_hasher(site.articles.len(), Default::default());
        let make = |a: &Article| maker.record_json(a);
        out.write_streamed(ARTICLES_PATH, articles, &mut |w| {
            spans.clear();
            let mut w = Counted { inner: w, at: 0 };
            write_articles_json(site, &mut w, &mut source, &make, &mut spans)
        })?;
        written = Some(RecordSpans {
            made_with: Some(made_with),
            spans,
        });
    }
    let metrics = metrics_fingerprint(site);
    if !out.keep(METRICS_PATH, metrics)? {
        out.write_streamed(METRICS_PATH, metrics, &mut |w| {
            metrics_csv(site, &maker, w).map_err(std::io::Error::other)
        })?;
    }
    Ok(written)
}

/// `articles.json` as `serde_json::to_writer_pretty` writes `{"site": ..., "articles":
/// [...]}`, each record taken from `source` when it holds the article's, or made by `make`
/// (pretty JSON at the top level). Records nest two levels down: every line of one is
/// indented by four more spaces, and only formatting puts a line break in JSON.
fn write_articles_json(
    site: &Site,
    w: &mut Counted,
    source: &mut Previous<'_>,
    make: &dyn Fn(&Article) -> Vec<u8>,
    spans: &mut FastMap<Fingerprint, Span>,
) -> std::io::Result<()> {
    let info = SiteInfo {
        title: &site.config.title,
        url: &site.config.base_url,
        language: "fa",
    };
    let info = serde_json::to_vec_pretty(&info).map_err(std::io::Error::other)?;
    w.write_all(b"{\n  \"site\": ")?;
    write_indented(w, &info, b"\n  ")?;
    w.write_all(b",\n  \"articles\": [")?;
    let mut nested = Vec::new();
    for (i, article) in site.articles.iter().enumerate() {
        w.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        let offset = w.at;
        let bytes = match source.record(article.record_fingerprint) {
            Some(bytes) => bytes,
            None => {
                nested.clear();
                write_indented(&mut nested, &make(article), b"\n    ")?;
                &nested
            }
        };
        w.write_all(bytes)?;
        spans.insert(
            article.record_fingerprint,
            Span {
                offset,
                len: bytes.len() as u32,
                hash: xxh3_64(bytes),
            },
        );
    }
    w.write_all(if site.articles.is_empty() {
        b"]\n}"
    } else {
        b"\n  ]\n}"
    })
}

/// `json` with each line break followed by `indent` (a line break and spaces).
fn write_indented(w: &mut impl Write, json: &[u8], indent: &[u8]) -> std::io::Result<()> {
    let mut lines = json.split(|&b| b == b'\n');
    if let Some(first) = lines.next() {
        w.write_all(first)?;
    }
    for line in lines {
        w.write_all(indent)?;
        w.write_all(line)?;
    }
    Ok(())
}

/// A writer that counts the bytes written through it.
struct Counted<'a> {
    inner: &'a mut dyn Write,
    at: u64,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.at += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The previous `articles.json`, read forward as its records are asked for (in the site's
/// order, so mostly without seeking).
struct Previous<'a> {
    file: Option<BufReader<File>>,
    /// The file's size: spans that do not fit in it are not read.
    len: u64,
    at: u64,
    spans: &'a FastMap<Fingerprint, Span>,
    buffer: Vec<u8>,
}

impl<'a> Previous<'a> {
    /// The file at `path` (none: every record is made) and where its records are.
    fn open(path: Option<&Path>, spans: &'a FastMap<Fingerprint, Span>) -> Previous<'a> {
        let file = path.and_then(|p| File::open(p).ok());
        Previous {
            len: file
                .as_ref()
                .and_then(|f| f.metadata().ok())
                .map_or(0, |m| m.len()),
            file: file.map(|f| BufReader::with_capacity(256 * 1024, f)),
            at: 0,
            spans,
            buffer: Vec::new(),
        }
    }

    /// The article's record as the previous file holds it, if it is there intact.
    fn record(&mut self, article: Fingerprint) -> Option<&[u8]> {
        let span = *self.spans.get(&article)?;
        let end = span.offset.checked_add(u64::from(span.len))?;
        let file = self.file.as_mut().filter(|_| end <= self.len)?;
        let moved = if span.offset >= self.at {
            file.seek_relative((span.offset - self.at) as i64)
        } else {
            file.seek(SeekFrom::Start(span.offset)).map(|_| ())
        };
        self.buffer.resize(span.len as usize, 0);
        let read = moved.and_then(|()| file.read_exact(&mut self.buffer));
        if read.is_err() {
            // Where the reader stands is unknown now: the next record seeks from the start.
            self.at = u64::MAX;
            return None;
        }
        self.at = end;
        (xxh3_64(&self.buffer) == span.hash).then_some(&self.buffer[..])
    }
}

/// Of what the rows of `metrics.csv` are made of: an edit to a body or a lead leaves it
/// unchanged, and the file is not made again.
fn metrics_fingerprint(site: &Site) -> Fingerprint {
    let mut f = FingerprintBuilder::new();
    f.fingerprint(crate::model::fingerprint::tool())
        .fingerprint(site.config.fingerprint());
    for a in site.articles.iter().filter(|a| !a.front.metrics.is_empty()) {
        f.fingerprint(a.metrics_fingerprint);
    }
    f.finish()
}

/// One row per key figure.
fn metrics_csv(
    site: &Site,
    maker: &RecordMaker,
    out: &mut dyn std::io::Write,
) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(METRIC_COLUMNS)?;
    for article in site.articles.iter().filter(|a| !a.front.metrics.is_empty()) {
        for row in metric_rows(&maker.record(article)) {
            writer.write_record(&row)?;
        }
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::assemble::assemble;
    use crate::model::record::ArticleRecord;
    use crate::model::site::Selection;
    use crate::persian::PersianCalendar;

    /// A site of `n` releases whose records hold quotes, line breaks and Persian text.
    fn site(n: u64) -> Site {
        let texts = (1..=n).map(|id| {
            format!(
                "---\ntitle: 'خبر \"{id}\"'\nlead: \"سطر اول\\nسطر دوم\"\nauthor: x\ndesk: a\ndate: 1402-07-0{id}\nid: {id}\ntags: [یک, دو]\nmetrics:\n  - label: شاخص\n    value: 47\n    unit: درصد\n---\nمتن\n"
            )
        });
        site_of(texts)
    }

    /// A site of the releases `texts`, with two desks.
    fn site_of(texts: impl IntoIterator<Item = String>) -> Site {
        let config = crate::load::config::parse(
            "title: «چاپار» \"آزمایشی\"\nbase_url: https://e.org/press/\ndesks:\n  - key: a\n    name: الف\n  - key: b\n    name: ب\n",
        )
        .unwrap();
        let parsing = crate::load::Parsing::new(&config);
        let articles = texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| {
                let parsed = crate::load::parse_article(format!("{i}.md").into(), &text, &parsing);
                let diagnostics = format!("{:?}", parsed.1);
                Arc::new(parsed.0.expect(&diagnostics).article)
            })
            .collect();
        let now = "2030-01-01T00:00:00Z".parse().unwrap();
        let selection = Selection {
            include_drafts: false,
            now,
        };
        assemble(config, articles, selection)
    }

    fn calendar(site: &Site) -> PersianCalendar {
        PersianCalendar::at(site.config.timezone.clone(), jiff::Timestamp::UNIX_EPOCH)
    }

    /// The file as serde_json writes the whole document at once: the reference.
    fn reference(site: &Site) -> String {
        #[derive(Serialize)]
        struct ArticlesFile<'a> {
            site: SiteInfo<'a>,
            articles: Vec<ArticleRecord<'a>>,
        }
        let calendar = calendar(site);
        let maker = RecordMaker::new(&site.config, &calendar);
        let file = ArticlesFile {
            site: SiteInfo {
                title: &site.config.title,
                url: &site.config.base_url,
                language: "fa",
            },
            articles: site.articles.iter().map(|a| maker.record(a)).collect(),
        };
        serde_json::to_string_pretty(&file).unwrap()
    }

    /// The file made record by record, from `source` where it can, and the spans.
    fn written(
        site: &Site,
        source: &mut Previous<'_>,
        make: &dyn Fn(&Article) -> Vec<u8>,
    ) -> (String, FastMap<Fingerprint, Span>) {
        let (mut bytes, mut spans) = (Vec::new(), FastMap::default());
        let mut w = Counted {
            inner: &mut bytes,
            at: 0,
        };
        write_articles_json(site, &mut w, source, make, &mut spans).unwrap();
        (String::from_utf8(bytes).unwrap(), spans)
    }

    #[test]
    fn records_made_one_by_one_give_serde_jsons_document() {
        for n in [0, 1, 3] {
            let site = site(n);
            let calendar = calendar(&site);
            let maker = RecordMaker::new(&site.config, &calendar);
            let make = |a: &Article| maker.record_json(a);
            let (file, _) = written(&site, &mut Previous::open(None, &FastMap::default()), &make);
            assert_eq!(file, reference(&site), "{n} releases");
        }
    }

    #[test]
    fn records_are_copied_from_the_previous_file_where_they_are_intact() {
        let site = site(3);
        let calendar = calendar(&site);
        let maker = RecordMaker::new(&site.config, &calendar);
        let make = |a: &Article| maker.record_json(a);
        let (first, spans) = written(&site, &mut Previous::open(None, &FastMap::default()), &make);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("articles.json");

        // Every record is taken from the file: none is made.
        std::fs::write(&path, &first).unwrap();
        let never = |_: &Article| -> Vec<u8> { panic!("a record was made again") };
        let (copied, _) = written(&site, &mut Previous::open(Some(&path), &spans), &never);
        assert_eq!(copied, first);

        // One record changed in the file, which keeps its size: only that one is made again.
        let changed = first.replacen("سطر اول", "سطر سوم", 1);
        assert_eq!(changed.len(), first.len());
        std::fs::write(&path, &changed).unwrap();
        let made = std::cell::Cell::new(0);
        let counting = |a: &Article| {
            made.set(made.get() + 1);
            make(a)
        };
        let (repaired, _) = written(&site, &mut Previous::open(Some(&path), &spans), &counting);
        assert_eq!(repaired, first);
        assert_eq!(made.get(), 1);
    }

    /// The record's fingerprint and its JSON, for a site of the one release `text`.
    fn record_of(text: &str) -> (Fingerprint, String) {
        let site = site_of([text.to_string()]);
        let calendar = calendar(&site);
        let article = &site.articles[0];
        let json = RecordMaker::new(&site.config, &calendar).record_json(article);
        (article.record_fingerprint, String::from_utf8(json).unwrap())
    }

    #[test]
    fn a_record_keeps_its_fingerprint_exactly_when_it_keeps_its_bytes() {
        let with_lead = "---\ntitle: گزارش\nlead: سطر اول\nslug: gozaresh\nauthor: x\ndesk: a\ndate: 1402-07-01\nid: 7\ntags: [یک]\nmetrics:\n  - label: شاخص\n    value: 47\n    unit: درصد\n---\nبند نخست متن.\n\nبند دوم متن.\n";
        let without_lead = with_lead.replace("lead: سطر اول\n", "");
        let same_lead = with_lead.replace("lead: سطر اول", "lead: بند نخست متن.");
        let first_paragraph = without_lead.replace("بند نخست متن.", "بند اول متن.");
        // Each edit changes what the record shows, so it must change the fingerprint: an edit
        // of the release with a lead, and then three from other starting points.
        let shown = [
            (
                "title",
                with_lead.replace("title: گزارش", "title: گزارش تازه"),
            ),
            ("lead", with_lead.replace("lead: سطر اول", "lead: سطر دیگر")),
            ("lead removed", without_lead.clone()),
            ("slug", with_lead.replace("slug: gozaresh", "slug: digar")),
            ("id", with_lead.replace("id: 7", "id: 8")),
            ("date", with_lead.replace("1402-07-01", "1402-07-02")),
            (
                "updated",
                with_lead.replace("id: 7", "id: 7\nupdated: 1402-07-03"),
            ),
            ("desk", with_lead.replace("desk: a", "desk: b")),
            ("author", with_lead.replace("author: x", "author: y")),
            ("tags", with_lead.replace("[یک]", "[یک, دو]")),
            ("metric value", with_lead.replace("value: 47", "value: 48")),
            (
                "metric label",
                with_lead.replace("label: شاخص", "label: نرخ"),
            ),
            (
                "word count",
                with_lead.replace("بند دوم متن.", "بند دوم متن تازه."),
            ),
        ];
        let shown = shown
            .into_iter()
            .map(|(what, text)| (what, with_lead.to_string(), text))
            .chain([
                // A lead that reads like the first paragraph, then no lead.
                (
                    "lead equal to the first paragraph, removed",
                    same_lead,
                    without_lead.clone(),
                ),
                // Without a lead the summary is the first paragraph.
                (
                    "first paragraph without a lead",
                    without_lead.clone(),
                    first_paragraph,
                ),
            ]);
        for (what, from, to) in shown {
            let (before, after) = (record_of(&from), record_of(&to));
            assert_ne!(
                after.1, before.1,
                "{what}: the test's edit does not show in the record"
            );
            assert_ne!(
                after.0, before.0,
                "{what}: the record changed, its fingerprint did not"
            );
        }
        let base = record_of(with_lead);

        // Edits the record does not show keep it, and its fingerprint.
        let unseen = [
            (
                "a word of the body",
                with_lead.replace("بند دوم متن.", "بند سوم متن."),
            ),
            (
                "the first paragraph, under a lead",
                with_lead.replace("بند نخست متن.", "بند اول متن."),
            ),
        ];
        for (what, text) in &unseen {
            let edited = record_of(text);
            assert_eq!(
                edited.1, base.1,
                "{what}: the test's edit shows in the record"
            );
            assert_eq!(
                edited.0, base.0,
                "{what}: the record is the same, its fingerprint is not"
            );
        }
    }
}
