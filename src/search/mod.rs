//! Client-side search for static hosts, Persian-aware: the index is built here from every
//! published article, split so a query downloads only what it needs, and read by the theme's
//! plain JavaScript (`static/js/search.js`) on the `/search/` page. Both sides fold text with
//! the same rules (`persian::folding`). See `docs/search.md` for the format and the reasons.
//!
//! Two steps, so incremental builds can keep the first for unchanged articles:
//! 1. [`document`]: one article → a self-contained, serializable [`SearchDoc`];
//! 2. [`write_index`]: all the docs → every index file, byte-identical for the same docs in
//!    any order.
//!
//! Files written under `search/`:
//! - `meta.json`: the article count, the shards' first words and file names, the desks, each
//!   article's desk, and each Jalali year's range of article numbers;
//! - `s/<hash>.json`: the shards of the inverted index (see `shards`);
//! - `d/<n>.json`: what a result shows of article `n` (title, link, date, desk, snippet text).
//!
//! Articles are numbered oldest first (by date, then news code), so a new release gets the
//! next number and older articles' `d/<n>.json` stay as they were.

pub mod document;
pub mod encoding;
pub mod page;
pub mod shards;
pub mod tokens;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use document::{SearchDoc, document};
pub use page::{SearchPageContext, page_context};

use crate::config::SiteConfig;
use crate::content::{Article, BodyReader};
use crate::diagnostic::Diagnostic;
use crate::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::links::Links;
use crate::persian::PersianCalendar;
use crate::render::Output;
use crate::site::Site;

/// The search page's folder.
pub const PAGE_PATH: &str = "search/";

/// Whether `path` is a file of the index (or its script), rather than the search page.
pub fn is_index_file(path: &str) -> bool {
    (path.starts_with(INDEX_DIR) && path != format!("{PAGE_PATH}index.html")) || path == SCRIPT.path
}
/// Where the index files go, relative to the site root.
pub const INDEX_DIR: &str = "search/";
/// The index format; the script refuses an index of another version.
pub const FORMAT_VERSION: u32 = 1;
/// About how many bytes one shard file holds. Smaller shards mean less transfer per query
/// word but a longer list of shards in `meta.json`; see docs/search.md for the measurements.
pub const SHARD_TARGET_BYTES: usize = 12 * 1024;

/// The theme's search script, published under a name that carries a hash of its bytes.
pub static SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    let bytes = include_bytes!("../../static/js/search.js");
    Script {
        path: format!("js/search.{}.js", fingerprint(bytes)),
        bytes,
    }
});

pub struct Script {
    /// Relative to the site root.
    pub path: String,
    pub bytes: &'static [u8],
}

/// The first 12 hex digits of the SHA-256 of `bytes`.
pub(crate) fn fingerprint(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A search document with its fingerprint, kept between builds by article fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    pub doc: Arc<SearchDoc>,
    pub fingerprint: Fingerprint,
}

/// The search documents of every published article, in the site's order. A document is made
/// from its article (and the settings, which the article's fingerprint covers): those in
/// `known`, by article fingerprint, are taken as they are; the others need the body.
pub fn documents(
    site: &Site,
    bodies: &BodyReader,
    calendar: &PersianCalendar,
    known: &HashMap<Fingerprint, Document>,
) -> Result<Vec<Document>, Vec<Diagnostic>> {
    let results: Vec<Result<Document, Diagnostic>> = site
        .articles
        .par_iter()
        .map(|a| {
            if let Some(known) = known.get(&a.fingerprint) {
                return Ok(known.clone());
            }
            let body = bodies.body(a)?;
            Ok(fresh_document(a, &body, &site.config, calendar))
        })
        .collect();
    let problems: Vec<Diagnostic> = results
        .iter()
        .filter_map(|r| r.as_ref().err().cloned())
        .collect();
    if problems.is_empty() {
        Ok(results.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(problems)
    }
}

/// The search document of a release just parsed, from its body.
pub fn fresh_document(
    article: &Article,
    body: &str,
    site: &SiteConfig,
    calendar: &PersianCalendar,
) -> Document {
    let doc = document(article, body, site, calendar);
    let fingerprint = FingerprintBuilder::new().json(&doc).finish();
    Document {
        doc: Arc::new(doc),
        fingerprint,
    }
}

/// The index files a build wrote, each with the fingerprint it was recorded under, and the
/// fingerprint of all the documents they were made from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexRecord {
    inputs: Fingerprint,
    files: Vec<(String, Fingerprint)>,
}

/// What the index needs from earlier builds. The documents themselves are the bulk of it
/// (every word of every release): a build that keeps the index as it was does not need
/// them, so `build` keeps them in a file of their own, read only when the index changes.
#[derive(Default, Serialize, Deserialize)]
pub struct IndexState {
    /// Each article's document fingerprint, by article fingerprint.
    fingerprints: HashMap<Fingerprint, Fingerprint>,
    record: Option<IndexRecord>,
    #[serde(skip)]
    docs: HashMap<Fingerprint, Document>,
    /// Where the documents are kept between builds (none for `serve`, which keeps them here).
    #[serde(skip)]
    docs_file: Option<PathBuf>,
    #[serde(skip)]
    docs_read: bool,
    #[serde(skip)]
    docs_changed: bool,
    /// Whether this build changed what is kept in the state file.
    #[serde(skip)]
    record_changed: bool,
}

/// The first bytes of the documents file, with the fingerprint of chapar itself; the number
/// goes up whenever the shape of `Document` changes.
const DOCS_MAGIC: &str = "chapar search documents 2";

impl IndexState {
    /// Keeps the documents in `path` between builds.
    pub fn keep_documents_in(&mut self, path: PathBuf) {
        self.docs_file = Some(path);
    }

    /// A document made from a release parsed in this build.
    pub fn add(&mut self, article: Fingerprint, document: Document) {
        self.docs.insert(article, document);
    }

    fn read_documents(&mut self) {
        if self.docs_read {
            return;
        }
        self.docs_read = true;
        let Some(bytes) = self.docs_file.as_ref().and_then(|p| std::fs::read(p).ok()) else {
            return;
        };
        let header = format!("{DOCS_MAGIC} {:032x}\n", crate::fingerprint::tool().0);
        let stored: HashMap<Fingerprint, Document> = bytes
            .strip_prefix(header.as_bytes())
            .and_then(|rest| postcard::from_bytes(rest).ok())
            .unwrap_or_default();
        // A document depends on its article alone, so a stored one is as good as a new one.
        for (article, doc) in stored {
            self.docs.entry(article).or_insert(doc);
        }
    }

    /// Whether the state file must be written for what this build learned about the index.
    pub fn changed(&self) -> bool {
        self.record_changed || self.docs_changed
    }

    /// Saves the documents if this build changed them, whole or not at all.
    pub fn save_documents(&mut self) -> std::io::Result<()> {
        let Some(path) = self.docs_file.as_ref().filter(|_| self.docs_changed) else {
            return Ok(());
        };
        use std::io::Write;
        let aside = path.with_extension("new");
        let mut writer = std::io::BufWriter::new(std::fs::File::create(&aside)?);
        writeln!(writer, "{DOCS_MAGIC} {:032x}", crate::fingerprint::tool().0)?;
        let writer = postcard::to_io(&self.docs, writer).map_err(std::io::Error::other)?;
        writer.into_inner().map_err(|e| e.into_error())?;
        std::fs::rename(&aside, path)?;
        self.docs_changed = false;
        Ok(())
    }

    /// Writes the index of `site` into `out`: kept whole when no document changed, remade
    /// otherwise (keeping each file whose bytes are unchanged).
    pub fn update(
        &mut self,
        site: &Site,
        bodies: &BodyReader,
        calendar: &PersianCalendar,
        out: &dyn Output,
    ) -> Vec<Diagnostic> {
        let known: Option<Vec<Fingerprint>> = site
            .articles
            .iter()
            .map(|a| {
                self.docs
                    .get(&a.fingerprint)
                    .map(|d| d.fingerprint)
                    .or_else(|| self.fingerprints.get(&a.fingerprint).copied())
            })
            .collect();
        let mut problems = Vec::new();
        let mut kept = HashSet::new();
        if let (Some(known), Some(record)) = (&known, &self.record)
            && index_fingerprint(known, site) == record.inputs
        {
            for (path, fingerprint) in &record.files {
                match out.keep(path, *fingerprint) {
                    Ok(true) => {
                        kept.insert(path.clone());
                    }
                    Ok(false) => {}
                    Err(d) => problems.push(d),
                }
            }
            if kept.len() == record.files.len() || !problems.is_empty() {
                // An edit that left the documents as they were (a figure, an image) still
                // gives its article a new fingerprint: remember which document it has.
                let current: HashMap<Fingerprint, Fingerprint> = site
                    .articles
                    .iter()
                    .zip(known)
                    .map(|(a, d)| (a.fingerprint, *d))
                    .collect();
                if current != self.fingerprints {
                    self.fingerprints = current;
                    self.record_changed = true;
                }
                return problems;
            }
        }
        self.read_documents();
        let docs = match documents(site, bodies, calendar, &self.docs) {
            Ok(docs) => docs,
            Err(mut doc_problems) => {
                problems.append(&mut doc_problems);
                return problems;
            }
        };
        let (index_problems, record) = write_index(&docs, site, out, &kept);
        problems.extend(index_problems);
        self.record = Some(record);
        self.fingerprints = site
            .articles
            .iter()
            .zip(&docs)
            .map(|(a, d)| (a.fingerprint, d.fingerprint))
            .collect();
        self.docs = site
            .articles
            .iter()
            .map(|a| a.fingerprint)
            .zip(docs)
            .collect();
        self.docs_changed = true;
        self.record_changed = true;
        problems
    }
}

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    count: usize,
    /// `[first word, file hash]` per shard, in word order.
    shards: Vec<(&'a str, &'a str)>,
    /// `[key, name]` per desk, in `site.yaml` order (then any unknown key).
    desks: Vec<(String, String)>,
    /// One character per article number: `'0'` + the index of its desk in `desks`.
    desk_of: String,
    /// `[Jalali year, first article number, one past the last]`, oldest first.
    years: Vec<(i32, usize, usize)>,
}

/// What the browser shows of one result.
#[derive(Serialize)]
struct Fragment<'a> {
    title: &'a str,
    url: String,
    date: &'a str,
    desk: &'a str,
    text: &'a str,
}

/// Writes the whole index from `docs` alone (the site gives only its settings: desks and
/// the base path), plus the search script. The result does not depend on the order of
/// `docs` nor on thread scheduling.
///
/// Files in `kept` are already kept from the previous build. A result file whose article and
/// number are unchanged is kept without being made; shards and `meta.json` are made and kept
/// when their bytes are unchanged. Returns the problems met and the record of the files.
pub fn write_index(
    docs: &[Document],
    site: &Site,
    out: &dyn Output,
    kept: &HashSet<String>,
) -> (Vec<Diagnostic>, IndexRecord) {
    let fingerprints: Vec<Fingerprint> = docs.iter().map(|d| d.fingerprint).collect();
    let inputs = index_fingerprint(&fingerprints, site);
    let written = Writer {
        out,
        kept,
        files: Mutex::new(Vec::new()),
    };
    let problems = make_index(docs, site, &written);
    let mut files = written.files.into_inner().unwrap_or_default();
    files.sort();
    (problems, IndexRecord { inputs, files })
}

/// Of the documents' fingerprints in the site's order, the settings and the index format.
fn index_fingerprint(docs: &[Fingerprint], site: &Site) -> Fingerprint {
    let mut f = FingerprintBuilder::new();
    f.fingerprint(crate::fingerprint::tool())
        .u64(u64::from(FORMAT_VERSION))
        .fingerprint(site.config.fingerprint())
        .u64(docs.len() as u64);
    for d in docs {
        f.fingerprint(*d);
    }
    f.finish()
}

/// Hands index files to the output, keeping what is unchanged, and records them.
struct Writer<'a> {
    out: &'a dyn Output,
    /// Files already kept from the previous build's record.
    kept: &'a HashSet<String>,
    files: Mutex<Vec<(String, Fingerprint)>>,
}

impl Writer<'_> {
    /// The file at `path` made from inputs `fingerprint` by `make`, which runs only when the
    /// previous build's file cannot be kept.
    fn put(
        &self,
        path: &str,
        fingerprint: Fingerprint,
        make: impl FnOnce() -> Result<Vec<u8>, Diagnostic>,
    ) -> Result<(), Diagnostic> {
        if let Ok(mut files) = self.files.lock() {
            files.push((path.to_string(), fingerprint));
        }
        if self.kept.contains(path) {
            return Ok(());
        }
        crate::render::put(self.out, path, fingerprint, make)
    }

    /// A file whose inputs are its bytes.
    fn put_bytes(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        self.put(path, Fingerprint::of_bytes(&bytes), || Ok(bytes))
    }
}

fn make_index(docs: &[Document], site: &Site, writer: &Writer) -> Vec<Diagnostic> {
    let mut docs: Vec<&Document> = docs.iter().collect();
    docs.sort_by_key(|d| (d.doc.timestamp, d.doc.id));
    let settings = site.config.fingerprint();
    let links = Links::new(&site.config);

    let mut desks: Vec<(String, String)> = site
        .config
        .desks
        .iter()
        .map(|d| (d.key.clone(), d.name.clone()))
        .collect();
    let mut desk_of = String::with_capacity(docs.len());
    for doc in docs.iter().map(|d| &d.doc) {
        let index = match desks.iter().position(|(key, _)| *key == doc.desk) {
            Some(i) => i,
            None => {
                desks.push((doc.desk.clone(), doc.desk.clone()));
                desks.len() - 1
            }
        };
        desk_of.push(char::from_u32(0x30 + index as u32).unwrap_or('0'));
    }
    let mut years: Vec<(i32, usize, usize)> = Vec::new();
    for (number, doc) in docs.iter().map(|d| &d.doc).enumerate() {
        match years.last_mut() {
            Some((year, _, end)) if *year == doc.year => *end = number + 1,
            _ => years.push((doc.year, number, number + 1)),
        }
    }

    let plain: Vec<&SearchDoc> = docs.iter().map(|d| &*d.doc).collect();
    let shards = shards::build(&plain, SHARD_TARGET_BYTES);
    let meta = Meta {
        version: FORMAT_VERSION,
        count: docs.len(),
        shards: shards
            .iter()
            .map(|s| (s.first.as_str(), s.hash.as_str()))
            .collect(),
        desks: desks.clone(),
        desk_of,
        years,
    };
    let mut results: Vec<Result<(), Diagnostic>> = Vec::new();
    let meta_path = format!("{INDEX_DIR}meta.json");
    results.push(json(&meta_path, &meta).and_then(|bytes| writer.put_bytes(&meta_path, bytes)));
    results.extend(
        shards
            .into_par_iter()
            .map(|shard| {
                writer.put_bytes(&format!("{INDEX_DIR}s/{}.json", shard.hash), shard.bytes)
            })
            .collect::<Vec<_>>(),
    );
    let desk_name = |key: &str| {
        desks
            .iter()
            .find(|(k, _)| k == key)
            .map_or(key.to_string(), |(_, name)| name.clone())
    };
    results.extend(
        docs.par_iter()
            .enumerate()
            .map(|(number, document)| {
                let path = format!("{INDEX_DIR}d/{number}.json");
                // What the file shows is the document's and the settings' (desk names, base
                // path); its name is the article's number.
                let inputs = FingerprintBuilder::new()
                    .fingerprint(settings)
                    .fingerprint(document.fingerprint)
                    .str(&path)
                    .finish();
                writer.put(&path, inputs, || {
                    let doc = &document.doc;
                    let name = desk_name(&doc.desk);
                    let fragment = Fragment {
                        title: &doc.title,
                        url: links.link(&doc.path),
                        date: &doc.date,
                        desk: &name,
                        text: &doc.text,
                    };
                    json(&path, &fragment)
                })
            })
            .collect::<Vec<_>>(),
    );
    results.push(writer.put_bytes(&SCRIPT.path, SCRIPT.bytes.to_vec()));
    results.into_iter().filter_map(Result::err).collect()
}

/// A value as one line of compact JSON.
fn json(path: &str, value: &impl Serialize) -> Result<Vec<u8>, Diagnostic> {
    let mut bytes =
        serde_json::to_vec(value).map_err(|e| Diagnostic::error(path, e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use super::*;

    fn doc(id: u64, timestamp: i64, desk: &str, words: &[&str]) -> SearchDoc {
        SearchDoc {
            id,
            timestamp,
            year: 1402,
            date: "۹ مهر ۱۴۰۲".into(),
            desk: desk.into(),
            path: format!("news/{id}/x/"),
            title: format!("خبر {id}"),
            text: "متن".into(),
            terms: words.iter().map(|w| (*w, 3)).collect(),
        }
    }

    /// Keeps every file it is handed.
    #[derive(Default)]
    struct Files(Mutex<BTreeMap<String, Vec<u8>>>);

    impl Output for Files {
        fn keep(&self, _: &str, _: Fingerprint) -> Result<bool, Diagnostic> {
            Ok(false)
        }

        fn write(&self, path: &str, bytes: Vec<u8>, _: Fingerprint) -> Result<(), Diagnostic> {
            self.0.lock().unwrap().insert(path.to_string(), bytes);
            Ok(())
        }
    }

    fn written(docs: &[&SearchDoc]) -> BTreeMap<String, Vec<u8>> {
        let config = crate::config::parse(
            "title: t\nbase_url: https://e.org/press/\ndesks:\n  - key: a\n    name: A\n  - key: b\n    name: B\n",
        )
        .unwrap();
        let site = crate::site::assemble(
            config,
            Vec::new(),
            crate::site::Selection {
                include_drafts: false,
                now: jiff::Timestamp::UNIX_EPOCH,
            },
        );
        let files = Files::default();
        let docs: Vec<Document> = docs
            .iter()
            .map(|d| Document {
                doc: Arc::new((*d).clone()),
                fingerprint: FingerprintBuilder::new().json(d).finish(),
            })
            .collect();
        let (problems, _) = write_index(&docs, &site, &files, &HashSet::new());
        assert!(problems.is_empty(), "{problems:?}");
        files.0.into_inner().unwrap()
    }

    #[test]
    fn the_index_does_not_depend_on_the_order_of_the_docs() {
        let docs: Vec<SearchDoc> = (0..200)
            .map(|i| {
                let words = [
                    format!("واژه{}", i % 17),
                    format!("w{i}"),
                    "کار".to_string(),
                ];
                let words: Vec<&str> = words.iter().map(String::as_str).collect();
                doc(
                    1000 + i,
                    (i as i64 * 7919) % 500,
                    ["a", "b"][i as usize % 2],
                    &words,
                )
            })
            .collect();
        let forward: Vec<&SearchDoc> = docs.iter().collect();
        let backward: Vec<&SearchDoc> = docs.iter().rev().collect();
        let first = written(&forward);
        assert_eq!(first, written(&backward));
        assert!(first.contains_key("search/meta.json"));
        assert!(first.contains_key("search/d/199.json"));
        assert!(first.contains_key(&SCRIPT.path));
        let meta: serde_json::Value = serde_json::from_slice(&first["search/meta.json"]).unwrap();
        assert_eq!(meta["count"], 200);
        assert_eq!(meta["years"], serde_json::json!([[1402, 0, 200]]));
        let fragment: serde_json::Value =
            serde_json::from_slice(&first["search/d/0.json"]).unwrap();
        assert!(
            fragment["url"]
                .as_str()
                .unwrap()
                .starts_with("/press/news/"),
            "links carry the base path: {fragment}"
        );
    }
}
