//! Client-side search for static hosts, Persian-aware: the index is built here from every
//! published article, split so a query downloads only what it needs, and read by the theme's
//! plain JavaScript (`static/js/search.js`) on the `/search/` page. Both sides fold text with
//! the same rules (`persian::folding`). See `docs/search.md` for the format and the reasons.
//!
//! Two steps, so incremental builds can keep the first for unchanged articles:
//! 1. [`document`]: one article → a self-contained [`SearchDoc`], made while its body is at
//!    hand. [`IndexState::add`] keeps what the shards need in memory (words as numbers into
//!    one `vocabulary`) and writes what only the result files need to disk (`store`);
//! 2. [`IndexState::update`]: all the documents → every index file, byte-identical for the
//!    same documents in any order.
//!
//! Files written under `search/`:
//! - `meta.json`: the article count, the chunk size, the shards' first words and file names,
//!   the desks, each article's desk, and each Jalali year's range of article numbers;
//! - `s/<hash>.json`: the shards of the inverted index (see `shards`);
//! - `d/<c>.json`: what results show (title, link, date, snippet text) of articles
//!   `c × CHUNK_SIZE` to `(c + 1) × CHUNK_SIZE - 1`, one array each.
//!
//! Articles are numbered oldest first (by date, then news code), so a new release gets the
//! next number and joins the last chunk: older chunks stay as they were.

pub mod document;
pub mod encoding;
pub mod shards;
pub mod store;
pub mod tokens;
pub mod vocabulary;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use document::{ResultText, SearchDoc, document};

use crate::load::BodyReader;
use crate::model::article::Article;
use crate::model::config::SiteConfig;
use crate::model::diagnostic::Diagnostic;
use crate::model::fast_hash::FastMap;
use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::model::links::Links;
use crate::model::paths::SEARCH_PATH;
use crate::model::site::Site;
use crate::persian::PersianCalendar;
use crate::write::Output;
use crate::write::trash::Trash;
use store::{Store, TextRef};
use vocabulary::{PackedTerms, Vocabulary};

/// Whether `path` is a file of the index (or its script), rather than the search page.
pub fn is_index_file(path: &str) -> bool {
    (path.starts_with(INDEX_DIR) && path != format!("{SEARCH_PATH}index.html"))
        || path == SCRIPT.path
}
/// Where the index files go, relative to the site root.
pub const INDEX_DIR: &str = "search/";
/// The index format; the script refuses an index of another version.
pub const FORMAT_VERSION: u32 = 2;
/// About how many bytes one shard file holds. Smaller shards mean less transfer per query
/// word but a longer list of shards in `meta.json`; see docs/search.md for the measurements.
pub const SHARD_TARGET_BYTES: usize = 12 * 1024;
/// Articles per result file. Creating files is most of a large build's cost, and one file
/// per article was a quarter of them; larger chunks mean fewer files but more bytes for a
/// page of results (up to 10 chunks): see docs/search.md for the measurements.
pub const CHUNK_SIZE: usize = 16;

/// The theme's search script, published under a name that carries a hash of its bytes.
pub static SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    let bytes = include_bytes!("../../../static/js/search.js");
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

/// A search document just made, with its fingerprint.
#[derive(Debug, Clone)]
pub struct Document {
    pub doc: SearchDoc,
    pub fingerprint: Fingerprint,
}

/// The search document of a release just parsed, from its body.
pub fn fresh_document(
    article: &Article,
    body: &str,
    site: &SiteConfig,
    calendar: &PersianCalendar,
) -> Document {
    Document::new(document(article, body, site, calendar))
}

impl Document {
    pub fn new(doc: SearchDoc) -> Document {
        let mut f = FingerprintBuilder::new();
        f.u64(doc.id)
            .u64(doc.timestamp as u64)
            .u64(doc.year as u64)
            .str(&doc.desk)
            .u64(doc.terms.len() as u64);
        for (word, weight) in doc.terms.iter() {
            f.str(word).u64(u64::from(weight));
        }
        let r = &doc.result;
        f.str(&r.title).str(&r.path).str(&r.date).str(&r.text);
        Document {
            fingerprint: f.finish(),
            doc,
        }
    }
}

/// What the index keeps of a document: what the shards and `meta.json` need, and where its
/// result text is in the store.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    fingerprint: Fingerprint,
    id: u64,
    timestamp: i64,
    year: i32,
    desk: Box<str>,
    terms: PackedTerms,
    /// The `ResultText`, as postcard bytes.
    text: TextRef,
}

/// The index files a build wrote, each with the fingerprint it was recorded under, and the
/// fingerprint of all the documents they were made from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexRecord {
    inputs: Fingerprint,
    files: Vec<(String, Fingerprint)>,
}

/// The kept documents.
#[derive(Default)]
struct Documents {
    /// By article fingerprint.
    entries: FastMap<Fingerprint, Entry>,
    words: Vocabulary,
    /// The lines of the last index written from them, which the next one starts from.
    lines: Option<shards::Lines>,
    /// Opened when first needed.
    store: Option<Store>,
    store_path: Option<PathBuf>,
}

impl Documents {
    fn store(&mut self) -> &mut Store {
        let path = self.store_path.as_deref();
        self.store.get_or_insert_with(|| Store::open(path))
    }
}

/// A file that postcard encodes into through a buffer written out a megabyte at a time:
/// postcard's own `io` flavor hands the writer each byte of a number in a call of its own.
/// Encoding and writing the documents of 10,000 releases took 8 ms that way, 5 ms this one.
/// (Encoding the whole file into memory first would hold 130 MB more at 100,000 releases.)
struct ChunkedFile<W = std::fs::File> {
    file: W,
    buffer: Vec<u8>,
    failure: Option<std::io::Error>,
}

const CHUNK: usize = 1 << 20;

impl ChunkedFile {
    fn create(path: &std::path::Path) -> std::io::Result<ChunkedFile> {
        Ok(ChunkedFile::new(std::fs::File::create(path)?))
    }
}

impl<W: std::io::Write> ChunkedFile<W> {
    fn new(file: W) -> ChunkedFile<W> {
        ChunkedFile {
            file,
            buffer: Vec::with_capacity(2 * CHUNK),
            failure: None,
        }
    }

    /// Writes `header`, then `value` encoded.
    fn write(mut self, header: &[u8], value: &impl Serialize) -> std::io::Result<()> {
        self.buffer.extend_from_slice(header);
        let encoded = postcard::serialize_with_flavor(value, &mut self);
        if let Some(e) = self.failure.take() {
            return Err(e);
        }
        encoded.map_err(std::io::Error::other)?;
        std::io::Write::write_all(&mut self.file, &self.buffer)
    }

    fn spill(&mut self) -> postcard::Result<()> {
        if self.buffer.len() < CHUNK {
            return Ok(());
        }
        match std::io::Write::write_all(&mut self.file, &self.buffer) {
            Ok(()) => {
                self.buffer.clear();
                Ok(())
            }
            Err(e) => {
                self.failure = Some(e);
                Err(postcard::Error::SerializeBufferFull)
            }
        }
    }
}

impl<W: std::io::Write> postcard::ser_flavors::Flavor for &mut ChunkedFile<W> {
    type Output = ();

    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        self.buffer.push(byte);
        self.spill()
    }

    fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
        self.buffer.extend_from_slice(bytes);
        self.spill()
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

/// What the index needs from earlier builds. The documents themselves are the bulk of it
/// (every word of every release): a build that keeps the index as it was does not need
/// them, so `build` keeps them in a file of their own, read only when the index changes.
#[derive(Default, Serialize, Deserialize)]
pub struct IndexState {
    /// Each article's document fingerprint, by article fingerprint.
    fingerprints: FastMap<Fingerprint, Fingerprint>,
    record: Option<IndexRecord>,
    /// Behind a lock so releases can add their documents from the threads that parse them.
    #[serde(skip)]
    docs: Mutex<Documents>,
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
/// goes up whenever the shape of what it holds changes.
const DOCS_MAGIC: &str = "chapar search documents 4";

/// The documents file: the store it refers to, the words, the entries.
#[derive(Deserialize)]
struct StoredDocuments {
    store: u128,
    words: Vec<String>,
    entries: Vec<(Fingerprint, Entry)>,
    lines: Option<shards::Lines>,
}

#[derive(Serialize)]
struct StoredDocumentsRef<'a> {
    store: u128,
    words: Vec<&'a str>,
    entries: Vec<(&'a Fingerprint, &'a Entry)>,
    lines: Option<&'a shards::Lines>,
}

impl IndexState {
    /// Keeps the documents in `path` between builds, and their result text beside it
    /// (`.public.search-text` for `.public.search`).
    pub fn keep_documents_in(&mut self, path: PathBuf) {
        self.documents().store_path = Some(path.with_extension("search-text"));
        self.docs_file = Some(path);
    }

    fn documents(&mut self) -> &mut Documents {
        self.docs.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock(&self) -> MutexGuard<'_, Documents> {
        self.docs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A document made from a release parsed in this build. Its result text goes to the
    /// store at once, so a build never holds every release's text.
    pub fn add(&self, article: Fingerprint, document: Document) {
        let text = postcard::to_stdvec(&document.doc.result).unwrap_or_default();
        let doc = document.doc;
        let mut docs = self.lock();
        let text = docs.store().append(&text);
        let terms = docs.words.pack(doc.terms.iter());
        let entry = Entry {
            fingerprint: document.fingerprint,
            id: doc.id,
            timestamp: doc.timestamp,
            year: doc.year,
            desk: doc.desk.into(),
            terms,
            text,
        };
        docs.entries.insert(article, entry);
    }

    /// Reads the kept documents of the articles of `site` that this build did not make.
    fn read_documents(&mut self, site: &Site) {
        let docs = self.docs.get_mut().unwrap_or_else(PoisonError::into_inner);
        let needed: HashSet<Fingerprint> = site
            .articles
            .iter()
            .map(|a| a.fingerprint)
            .filter(|f| !docs.entries.contains_key(f))
            .collect();
        if needed.is_empty() || self.docs_read {
            return;
        }
        self.docs_read = true;
        let Some(bytes) = self.docs_file.as_ref().and_then(|p| std::fs::read(p).ok()) else {
            return;
        };
        let header = format!(
            "{DOCS_MAGIC} {:032x}\n",
            crate::model::fingerprint::tool().0
        );
        let Some(stored) = bytes
            .strip_prefix(header.as_bytes())
            .and_then(|rest| postcard::from_bytes::<StoredDocuments>(rest).ok())
        else {
            return;
        };
        drop(bytes);
        // Documents whose text is in another store than this one are of no use.
        if stored.store != docs.store().id() {
            return;
        }
        // The documents the last index was made of too: the next one is made from it and
        // from the changes to their terms.
        let lines = stored.lines.filter(|l| l.is_whole());
        let indexed: HashSet<Fingerprint> = lines
            .iter()
            .flat_map(|l| &l.numbers)
            .filter(|f| !docs.entries.contains_key(*f))
            .copied()
            .collect();
        if docs.lines.is_none() {
            docs.lines = lines;
        }
        // In parallel: checking that each document's numbers fit decodes all their terms.
        let mut entries: Vec<(Fingerprint, Entry)> = stored
            .entries
            .into_par_iter()
            .filter(|(f, e)| {
                (needed.contains(f) || indexed.contains(f)) && e.terms.fits(stored.words.len())
            })
            .collect();
        // A document depends on its article alone, so a stored one is as good as a new one.
        // The smaller side's words are numbered into the larger side's list.
        if entries.len() >= docs.entries.len() {
            let mut words = Vocabulary::from_words(stored.words);
            for entry in docs.entries.values_mut() {
                entry.terms = words.repack(&entry.terms, docs.words.words());
            }
            docs.words = words;
        } else {
            for (_, entry) in &mut entries {
                entry.terms = docs.words.repack(&entry.terms, &stored.words);
            }
        }
        docs.entries.extend(entries);
    }

    /// Whether the state file must be written for what this build learned about the index.
    pub fn changed(&self) -> bool {
        self.record_changed || self.docs_changed
    }

    /// Saves the documents if this build changed them, whole or not at all; first the store
    /// is written anew if it is mostly dead text, and the word list if it is largely words no
    /// document uses any more.
    /// The file they replace is freed by `trash`, if there is one.
    pub fn save_documents(&mut self, trash: Option<&Trash>) -> std::io::Result<()> {
        let Some(path) = self.docs_file.clone().filter(|_| self.docs_changed) else {
            return Ok(());
        };
        let docs = self.documents();
        docs.store().flush();
        let mut refs: Vec<&mut TextRef> = docs.entries.values_mut().map(|e| &mut e.text).collect();
        refs.sort_unstable_by_key(|r| r.offset);
        let store = docs.store.get_or_insert_with(|| Store::open(None));
        store.compact(&mut refs);
        let store_id = store.id();
        // In parallel, a list per thread: it decodes every document's terms, while the other
        // core mostly waits on the commit beside it.
        let words = docs.words.len();
        let entries: Vec<&Entry> = docs.entries.values().collect();
        let per_thread = entries.len().div_ceil(rayon::current_num_threads()).max(1);
        let used = entries
            .par_chunks(per_thread)
            .map(|part| {
                let mut used = vec![false; words];
                for entry in part {
                    for (n, _) in entry.terms.iter() {
                        used[n as usize] = true;
                    }
                }
                used
            })
            .reduce(
                || vec![false; words],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(a, b)| *a |= b);
                    a
                },
            );
        // Dropping them renumbers every document, so a few are left for a later save.
        if used.iter().filter(|u| !**u).count() > used.len() / 8 {
            let mut words = Vocabulary::default();
            for entry in docs.entries.values_mut() {
                entry.terms = words.repack(&entry.terms, docs.words.words());
            }
            docs.words = words;
        }

        let aside = path.with_extension("new");
        let file = ChunkedFile::create(&aside)?;
        let header = format!(
            "{DOCS_MAGIC} {:032x}\n",
            crate::model::fingerprint::tool().0
        );
        let stored = StoredDocumentsRef {
            store: store_id,
            words: docs.words.words().iter().map(|w| &**w).collect(),
            entries: docs.entries.iter().collect(),
            lines: docs.lines.as_ref(),
        };
        file.write(header.as_bytes(), &stored)?;
        match trash {
            Some(trash) => trash.replace(&aside, &path)?,
            None => std::fs::rename(&aside, path)?,
        }
        self.docs_changed = false;
        Ok(())
    }

    /// Writes the index of `site` into `out`: kept whole when no document changed, remade
    /// otherwise (keeping each file whose inputs are unchanged).
    pub fn update(
        &mut self,
        site: &Site,
        bodies: &BodyReader,
        calendar: &PersianCalendar,
        out: &dyn Output,
    ) -> Vec<Diagnostic> {
        let known: Option<Vec<Fingerprint>> = {
            let docs = self.docs.get_mut().unwrap_or_else(PoisonError::into_inner);
            site.articles
                .iter()
                .map(|a| {
                    docs.entries
                        .get(&a.fingerprint)
                        .map(|d| d.fingerprint)
                        .or_else(|| self.fingerprints.get(&a.fingerprint).copied())
                })
                .collect()
        };
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
                let current: FastMap<Fingerprint, Fingerprint> = site
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
        self.read_documents(site);
        // Documents neither made in this build nor kept (their file was lost) are made from
        // their bodies.
        let missing: Vec<&Article> = {
            let docs = self.documents();
            site.articles
                .iter()
                .filter(|a| !docs.entries.contains_key(&a.fingerprint))
                .map(|a| &**a)
                .collect()
        };
        let this = &*self;
        let mut missing_problems: Vec<Diagnostic> = missing
            .par_iter()
            .filter_map(|a| match bodies.body(a) {
                Ok(body) => {
                    this.add(
                        a.fingerprint,
                        fresh_document(a, &body, &site.config, calendar),
                    );
                    None
                }
                Err(d) => Some(d),
            })
            .collect();
        if !missing_problems.is_empty() {
            problems.append(&mut missing_problems);
            return problems;
        }

        let docs = self.docs.get_mut().unwrap_or_else(PoisonError::into_inner);
        docs.store().flush();
        let Documents {
            entries,
            words,
            store,
            lines,
            ..
        } = &*docs;
        let Some(store) = store else {
            return problems;
        };
        let Some(in_order) = site
            .articles
            .iter()
            .map(|a| entries.get(&a.fingerprint))
            .collect::<Option<Vec<&Entry>>>()
        else {
            return problems;
        };
        // A record the store no longer holds as it was written (a damaged file) is made
        // again from the article.
        let text_of = |i: usize| -> Result<Vec<u8>, Diagnostic> {
            if let Some(bytes) = store.read(in_order[i].text) {
                return Ok(bytes);
            }
            let article = &site.articles[i];
            let body = bodies.body(article)?;
            let doc = document(article, &body, &site.config, calendar);
            postcard::to_stdvec(&doc.result)
                .map_err(|e| Diagnostic::error(&article.source, e.to_string()))
        };
        let articles: Vec<Fingerprint> = site.articles.iter().map(|a| a.fingerprint).collect();
        let previous = lines.as_ref().map(|lines| Previous { lines, entries });
        let (index_problems, record, lines) = write_index(
            &in_order, &articles, words, site, out, &kept, previous, &text_of,
        );
        problems.extend(index_problems);
        self.record = Some(record);
        self.fingerprints = site
            .articles
            .iter()
            .zip(&in_order)
            .map(|(a, d)| (a.fingerprint, d.fingerprint))
            .collect();
        docs.lines = Some(lines);
        let current: HashSet<Fingerprint> = site.articles.iter().map(|a| a.fingerprint).collect();
        docs.entries.retain(|f, _| current.contains(f));
        self.docs_changed = true;
        self.record_changed = true;
        problems
    }
}

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    count: usize,
    /// Articles per result file: article `n` is item `n % chunk` of `d/<n / chunk>.json`.
    chunk: usize,
    /// `[first word, file hash]` per shard, in word order.
    shards: Vec<(&'a str, &'a str)>,
    /// `[key, name]` per desk, in `site.yaml` order (then any unknown key).
    desks: Vec<(String, String)>,
    /// One character per article number: `'0'` + the index of its desk in `desks`.
    desk_of: String,
    /// `[Jalali year, first article number, one past the last]`, oldest first.
    years: Vec<(i32, usize, usize)>,
}

/// Writes the whole index from `docs` alone (the site gives only its settings: desks and
/// the base path), plus the search script; `text_of(i)` is the result text of `docs[i]`.
/// The result does not depend on the order of `docs` nor on thread scheduling.
///
/// Files in `kept` are already kept from the previous build. A result file whose articles'
/// text and numbers are unchanged is kept without being made; shards and `meta.json` are
/// made and kept when their bytes are unchanged. Returns the problems met and the record of
/// the files.
#[allow(clippy::too_many_arguments)]
fn write_index(
    docs: &[&Entry],
    articles: &[Fingerprint],
    words: &Vocabulary,
    site: &Site,
    out: &dyn Output,
    kept: &HashSet<String>,
    previous: Option<Previous>,
    text_of: &(dyn Fn(usize) -> Result<Vec<u8>, Diagnostic> + Sync),
) -> (Vec<Diagnostic>, IndexRecord, shards::Lines) {
    let fingerprints: Vec<Fingerprint> = docs.iter().map(|d| d.fingerprint).collect();
    let inputs = index_fingerprint(&fingerprints, site);
    let written = Writer {
        out,
        kept,
        files: Mutex::new(Vec::new()),
    };
    let (problems, lines) = make_index(docs, articles, words, site, &written, previous, text_of);
    let mut files = written.files.into_inner().unwrap_or_default();
    files.sort();
    (problems, IndexRecord { inputs, files }, lines)
}

/// The last index's lines, and the documents (by article fingerprint) of this index and of
/// that one.
struct Previous<'a> {
    lines: &'a shards::Lines,
    entries: &'a FastMap<Fingerprint, Entry>,
}

impl Previous<'_> {
    /// What changed from the last index to one of the articles `numbers` (by article
    /// number): for each number whose article is not the one it was, the old terms and the
    /// new. `None` when articles were removed, when a document is missing, or when so many
    /// numbers changed (an article dated before others shifts all after it) that making
    /// every line is as quick.
    fn changes<'w>(
        &self,
        numbers: &[Fingerprint],
        words: &'w Vocabulary,
    ) -> Option<Vec<shards::Change<'w>>> {
        let before = &self.lines.numbers;
        if numbers.len() < before.len() {
            return None;
        }
        let terms = |entry: &Entry| -> Vec<(&'w str, u8)> {
            let words = words.words();
            entry
                .terms
                .iter()
                .map(|(w, weight)| (&*words[w as usize], weight))
                .collect()
        };
        let mut changes = Vec::new();
        for (number, now) in numbers.iter().enumerate() {
            let was = before.get(number);
            if was == Some(now) {
                continue;
            }
            if changes.len() > numbers.len() / 16 {
                return None;
            }
            let old = match was {
                Some(was) => terms(self.entries.get(was)?),
                None => Vec::new(),
            };
            changes.push(shards::Change {
                number: number as u32,
                old,
                new: terms(self.entries.get(now)?),
            });
        }
        Some(changes)
    }
}

/// Of the documents' fingerprints in the site's order, the settings and the index format.
fn index_fingerprint(docs: &[Fingerprint], site: &Site) -> Fingerprint {
    let mut f = FingerprintBuilder::new();
    f.fingerprint(crate::model::fingerprint::tool())
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
        crate::write::output::put(self.out, path, fingerprint, make)
    }

    /// A file whose inputs are its bytes.
    fn put_bytes(&self, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        self.put(path, Fingerprint::of_bytes(&bytes), || Ok(bytes))
    }
}

fn make_index(
    docs: &[&Entry],
    articles: &[Fingerprint],
    words: &Vocabulary,
    site: &Site,
    writer: &Writer,
    previous: Option<Previous>,
    text_of: &(dyn Fn(usize) -> Result<Vec<u8>, Diagnostic> + Sync),
) -> (Vec<Diagnostic>, shards::Lines) {
    // Positions in `docs`, by article number.
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| (docs[i].timestamp, docs[i].id));
    let links = Links::new(&site.config);

    let mut desks: Vec<(String, String)> = site
        .config
        .desks
        .iter()
        .map(|d| (d.key.clone(), d.name.clone()))
        .collect();
    let mut desk_of = String::with_capacity(docs.len());
    for doc in order.iter().map(|&i| docs[i]) {
        let index = match desks.iter().position(|(key, _)| **key == *doc.desk) {
            Some(i) => i,
            None => {
                desks.push((doc.desk.to_string(), doc.desk.to_string()));
                desks.len() - 1
            }
        };
        desk_of.push(char::from_u32(0x30 + index as u32).unwrap_or('0'));
    }
    let mut years: Vec<(i32, usize, usize)> = Vec::new();
    for (number, doc) in order.iter().map(|&i| docs[i]).enumerate() {
        match years.last_mut() {
            Some((year, _, end)) if *year == doc.year => *end = number + 1,
            _ => years.push((doc.year, number, number + 1)),
        }
    }

    // Each word's line, made again only for the words whose articles changed, when the
    // articles that stayed keep their numbers.
    let numbers: Vec<Fingerprint> = order.iter().map(|&i| articles[i]).collect();
    let named = previous
        .as_ref()
        .map(|p| p.lines.names.clone())
        .unwrap_or_default();
    let updated = previous.and_then(|previous| {
        let changes = previous.changes(&numbers, words)?;
        shards::updated(previous.lines, numbers.clone(), &changes)
    });
    let lines = updated.unwrap_or_else(|| {
        let terms: Vec<&PackedTerms> = order.iter().map(|&i| &docs[i].terms).collect();
        shards::lines(&terms, words.words(), numbers)
    });
    let mut lines = lines;
    let shards = shards::cut(&lines, SHARD_TARGET_BYTES, &named);
    lines.names = shards.iter().map(|s| (s.key, s.hash.clone())).collect();
    let meta = Meta {
        version: FORMAT_VERSION,
        count: docs.len(),
        chunk: CHUNK_SIZE,
        shards: shards
            .iter()
            .map(|s| (s.first.as_str(), s.hash.as_str()))
            .collect(),
        desks,
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
    results.extend(
        order
            .par_chunks(CHUNK_SIZE)
            .enumerate()
            .map(|(chunk, members)| {
                let path = format!("{INDEX_DIR}d/{chunk}.json");
                // What the file shows is its articles' text, linked under the base path;
                // its name is the chunk's number.
                let mut inputs = FingerprintBuilder::new();
                inputs.str(&site.config.base_path).str(&path);
                for &i in members {
                    inputs.fingerprint(docs[i].text.hash);
                }
                writer.put(&path, inputs.finish(), || {
                    let mut items = Vec::with_capacity(members.len());
                    for &i in members {
                        let bytes = text_of(i)?;
                        let text: ResultText = postcard::from_bytes(&bytes)
                            .map_err(|e| Diagnostic::error(&path, e.to_string()))?;
                        items.push((text.title, links.link(&text.path), text.date, text.text));
                    }
                    json(&path, &items)
                })
            })
            .collect::<Vec<_>>(),
    );
    results.push(writer.put_bytes(&SCRIPT.path, SCRIPT.bytes.to_vec()));
    (results.into_iter().filter_map(Result::err).collect(), lines)
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
    use std::sync::Arc;

    use super::*;

    #[test]
    fn documents_are_encoded_as_postcard_writes_them_a_megabyte_at_a_time() {
        /// Keeps what is written, and the size of each write.
        #[derive(Default)]
        struct Writes(Vec<u8>, Vec<usize>);
        impl std::io::Write for &mut Writes {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.extend_from_slice(buf);
                self.1.push(buf.len());
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        // Numbers and a byte list pushed a byte at a time, strings in one piece each.
        let value: (Vec<u32>, Vec<String>, Vec<u8>) = (
            (0..800_000u32).map(|n| n.wrapping_mul(7919)).collect(),
            (0..20_000).map(|n| format!("واژهٔ {n}")).collect(),
            vec![7; 3 * CHUNK],
        );
        let mut writes = Writes::default();
        ChunkedFile::new(&mut writes)
            .write(b"header\n", &value)
            .unwrap();
        let mut expected = b"header\n".to_vec();
        expected.extend(postcard::to_stdvec(&value).unwrap());
        assert!(writes.0 == expected, "the bytes differ from postcard's");
        assert!(writes.1.len() > 5, "{:?}", writes.1);
        // No write holds more than a chunk and the last piece added (a word here).
        assert!(writes.1.iter().all(|&n| n <= CHUNK + 64), "{:?}", writes.1);
        // A full disk fails the save, whether it is found spilling or at the end.
        #[cfg(target_os = "linux")]
        for size in [10, 3 * CHUNK] {
            let full = ChunkedFile::create(std::path::Path::new("/dev/full"))
                .unwrap()
                .write(b"h", &vec![1u8; size]);
            assert_eq!(
                full.map_err(|e| e.kind()),
                Err(std::io::ErrorKind::StorageFull),
                "{size} bytes"
            );
        }
    }
    use crate::load::{Bodies, Parsing};

    fn doc(id: u64, timestamp: i64, desk: &str, words: &[&str]) -> Document {
        Document::new(SearchDoc {
            id,
            timestamp,
            year: 1402,
            desk: desk.into(),
            terms: words.iter().map(|w| (*w, 3)).collect(),
            result: ResultText {
                title: format!("خبر {id}"),
                path: format!("news/{id}/x/"),
                date: "۹ مهر ۱۴۰۲".into(),
                text: "متن".into(),
            },
        })
    }

    /// Keeps every file it is handed; keeps nothing from before.
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

    const CONFIG: &str = "title: t\nbase_url: https://e.org/press/\ndesks:\n  - key: a\n    name: A\n  - key: b\n    name: B\n";

    fn site(articles: Vec<Arc<Article>>) -> Site {
        crate::assemble::assemble(
            crate::load::config::parse(CONFIG).unwrap(),
            articles,
            crate::model::site::Selection {
                include_drafts: false,
                now: jiff::Timestamp::MAX,
            },
        )
    }

    /// The index of `docs`, handed to `write_index` in this order.
    fn written(docs: &[&Document]) -> BTreeMap<String, Vec<u8>> {
        let site = site(Vec::new());
        let state = IndexState::default();
        for (i, d) in docs.iter().enumerate() {
            state.add(Fingerprint(i as u128), (*d).clone());
        }
        let mut docs = state.lock();
        docs.store().flush();
        let entries: Vec<&Entry> = (0..docs.entries.len())
            .map(|i| &docs.entries[&Fingerprint(i as u128)])
            .collect();
        let store = docs.store.as_ref().unwrap();
        let text_of = |i: usize| Ok(store.read(entries[i].text).unwrap());
        let files = Files::default();
        let articles: Vec<Fingerprint> =
            (0..entries.len()).map(|i| Fingerprint(i as u128)).collect();
        let (problems, _, _) = write_index(
            &entries,
            &articles,
            &docs.words,
            &site,
            &files,
            &HashSet::new(),
            None,
            &text_of,
        );
        assert!(problems.is_empty(), "{problems:?}");
        files.0.into_inner().unwrap()
    }

    #[test]
    fn the_index_does_not_depend_on_the_order_of_the_docs() {
        let docs: Vec<Document> = (0..200)
            .map(|i| {
                let words = [
                    format!("واژه{}", i % 17),
                    format!("w{i}"),
                    "کار".to_string(),
                ];
                let mut words: Vec<&str> = words.iter().map(String::as_str).collect();
                words.sort_unstable();
                doc(
                    1000 + i,
                    (i as i64 * 7919) % 500,
                    ["a", "b"][i as usize % 2],
                    &words,
                )
            })
            .collect();
        let forward: Vec<&Document> = docs.iter().collect();
        let backward: Vec<&Document> = docs.iter().rev().collect();
        let first = written(&forward);
        assert_eq!(first, written(&backward));
        assert!(first.contains_key("search/meta.json"));
        assert!(first.contains_key(&SCRIPT.path));
        let chunks = first.keys().filter(|k| k.starts_with("search/d/")).count();
        assert_eq!(chunks, 200usize.div_ceil(CHUNK_SIZE));
        let meta: serde_json::Value = serde_json::from_slice(&first["search/meta.json"]).unwrap();
        assert_eq!(meta["count"], 200);
        assert_eq!(meta["chunk"], CHUNK_SIZE);
        assert_eq!(meta["years"], serde_json::json!([[1402, 0, 200]]));
        let last: Vec<(String, String, String, String)> =
            serde_json::from_slice(&first[&format!("search/d/{}.json", 199 / CHUNK_SIZE)]).unwrap();
        assert_eq!(last.len(), 200 - 199 / CHUNK_SIZE * CHUNK_SIZE);
        let chunk: Vec<(String, String, String, String)> =
            serde_json::from_slice(&first["search/d/0.json"]).unwrap();
        assert_eq!(chunk.len(), CHUNK_SIZE);
        assert!(
            chunk[0].1.starts_with("/press/news/"),
            "links carry the base path: {chunk:?}"
        );
        // Article 0 is the oldest: timestamp 0 is i = 0.
        assert_eq!(chunk[0].0, "خبر 1000");
    }

    /// A site of `n` releases, their bodies kept in `bodies`.
    fn releases(n: usize, bodies: &Bodies) -> Site {
        let config = crate::load::config::parse(CONFIG).unwrap();
        let parsing = Parsing::new(&config);
        let articles = (0..n)
            .map(|i| {
                let text = format!(
                    "---\ntitle: خبر شماره {i}\nauthor: x\ndesk: a\ndate: 1402-07-{:02}\nid: {}\n---\nمتن خبر {i} دربارهٔ کارگران.\n",
                    i % 28 + 1,
                    100 + i
                );
                let parsed = crate::load::parse_article(format!("content/{i}.md").into(), &text, &parsing)
                    .0
                    .unwrap();
                bodies.offer(parsed.article.fingerprint, parsed.body);
                Arc::new(parsed.article)
            })
            .collect();
        site(articles)
    }

    /// Builds the index of `site` with `state`; returns the files.
    fn update(state: &mut IndexState, site: &Site, bodies: &Bodies) -> BTreeMap<String, Vec<u8>> {
        let root = tempfile::tempdir().unwrap();
        let reader = BodyReader::new(bodies, root.path(), Parsing::new(&site.config));
        let calendar = PersianCalendar::new(jiff::tz::TimeZone::get("Asia/Tehran").unwrap());
        let files = Files::default();
        let problems = state.update(site, &reader, &calendar, &files);
        assert!(problems.is_empty(), "{problems:?}");
        files.0.into_inner().unwrap()
    }

    #[test]
    fn kept_documents_give_the_same_index_as_new_ones() {
        let dir = tempfile::tempdir().unwrap();
        let bodies = Bodies::default();
        let site = releases(40, &bodies);
        let clean = update(&mut IndexState::default(), &site, &bodies);
        assert_eq!(
            clean.keys().filter(|k| k.starts_with("search/d/")).count(),
            3
        );

        let mut first = IndexState::default();
        first.keep_documents_in(dir.path().join(".public.search"));
        assert_eq!(update(&mut first, &site, &bodies), clean);
        first.save_documents(None).unwrap();
        assert!(dir.path().join(".public.search-text").exists());

        // A later build reads the documents and their text back instead of making them.
        let mut second = IndexState::default();
        second.keep_documents_in(dir.path().join(".public.search"));
        second.read_documents(&site);
        assert_eq!(second.documents().entries.len(), 40);
        assert_eq!(update(&mut second, &site, &bodies), clean);

        // A damaged store: the text is made again from the articles.
        let text = dir.path().join(".public.search-text");
        let mut bytes = std::fs::read(&text).unwrap();
        let at = bytes.len() - 10;
        bytes[at] ^= 1;
        std::fs::write(&text, bytes).unwrap();
        let mut third = IndexState::default();
        third.keep_documents_in(dir.path().join(".public.search"));
        assert_eq!(update(&mut third, &site, &bodies), clean);

        // Another store than the one the documents were written against: not trusted.
        std::fs::remove_file(&text).unwrap();
        let mut fourth = IndexState::default();
        fourth.keep_documents_in(dir.path().join(".public.search"));
        fourth.read_documents(&site);
        assert!(fourth.documents().entries.is_empty());
        assert_eq!(update(&mut fourth, &site, &bodies), clean);
    }

    #[test]
    fn words_of_removed_releases_are_dropped_from_the_saved_list() {
        let dir = tempfile::tempdir().unwrap();
        let bodies = Bodies::default();
        let all = releases(30, &bodies);
        let mut state = IndexState::default();
        state.keep_documents_in(dir.path().join(".public.search"));
        update(&mut state, &all, &bodies);
        state.save_documents(None).unwrap();
        let before = state.documents().words.len();

        let few = site(all.articles[..2].to_vec());
        update(&mut state, &few, &bodies);
        state.save_documents(None).unwrap();
        assert!(state.documents().words.len() < before);
        let mut next = IndexState::default();
        next.keep_documents_in(dir.path().join(".public.search"));
        let clean = update(&mut IndexState::default(), &few, &bodies);
        assert_eq!(update(&mut next, &few, &bodies), clean);
    }

    #[test]
    fn documents_made_in_a_build_join_the_kept_ones() {
        let dir = tempfile::tempdir().unwrap();
        let bodies = Bodies::default();
        let site = releases(30, &bodies);
        let clean = update(&mut IndexState::default(), &site, &bodies);
        let mut first = IndexState::default();
        first.keep_documents_in(dir.path().join(".public.search"));
        update(&mut first, &site, &bodies);
        first.save_documents(None).unwrap();

        // Few made, many read: the made ones are numbered into the read words; and the
        // other way round.
        for made in [2, 25] {
            let mut next = IndexState::default();
            next.keep_documents_in(dir.path().join(".public.search"));
            let calendar = PersianCalendar::new(jiff::tz::TimeZone::get("Asia/Tehran").unwrap());
            for a in site.articles.iter().take(made) {
                let body = bodies
                    .get(dir.path(), dir.path(), a, &Parsing::new(&site.config))
                    .unwrap();
                next.add(
                    a.fingerprint,
                    fresh_document(a, &body, &site.config, &calendar),
                );
            }
            assert_eq!(
                update(&mut next, &site, &bodies),
                clean,
                "{made} made in the build"
            );
        }
    }
}
