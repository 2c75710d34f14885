//! What the index keeps between builds: each article's document fingerprint, the record of
//! the files last written, and the documents themselves (their words as numbers into one
//! vocabulary, their result text in the store), which releases add as they are parsed.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use super::document::Document;
use super::shards;
use super::store::{Store, TextRef};
use super::vocabulary::{PackedTerms, Vocabulary};
use crate::model::fast_hash::FastMap;
use crate::model::fingerprint::Fingerprint;

/// What the index keeps of a document: what the shards and `meta.json` need, and where its
/// result text is in the store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Entry {
    pub(super) fingerprint: Fingerprint,
    pub(super) id: u64,
    pub(super) timestamp: i64,
    pub(super) year: i32,
    pub(super) desk: Box<str>,
    pub(super) terms: PackedTerms,
    /// The `ResultText`, as postcard bytes.
    pub(super) text: TextRef,
}

/// The index files a build wrote, each with the fingerprint it was recorded under, and the
/// fingerprint of all the documents they were made from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexRecord {
    pub(super) inputs: Fingerprint,
    pub(super) files: Vec<(String, Fingerprint)>,
}

/// The kept documents.
#[derive(Default)]
pub(super) struct Documents {
    /// By article fingerprint.
    pub(super) entries: FastMap<Fingerprint, Entry>,
    pub(super) words: Vocabulary,
    /// The lines of the last index written from them, which the next one starts from.
    pub(super) lines: Option<shards::Lines>,
    /// Opened when first needed.
    pub(super) store: Option<Store>,
    pub(super) store_path: Option<PathBuf>,
}

impl Documents {
    pub(super) fn store(&mut self) -> &mut Store {
        let path = self.store_path.as_deref();
        self.store.get_or_insert_with(|| Store::open(path))
    }
}

/// What the index needs from earlier builds. The documents themselves are the bulk of it
/// (every word of every release): a build that keeps the index as it was does not need
/// them, so `build` keeps them in a file of their own, read only when the index changes.
#[derive(Default, Serialize, Deserialize)]
pub struct IndexState {
    /// Each article's document fingerprint, by article fingerprint.
    pub(super) fingerprints: FastMap<Fingerprint, Fingerprint>,
    pub(super) record: Option<IndexRecord>,
    /// Behind a lock so releases can add their documents from the threads that parse them.
    #[serde(skip)]
    pub(super) docs: Mutex<Documents>,
    /// Where the documents are kept between builds (none for `serve`, which keeps them here).
    #[serde(skip)]
    pub(super) docs_file: Option<PathBuf>,
    #[serde(skip)]
    pub(super) docs_read: bool,
    #[serde(skip)]
    pub(super) docs_changed: bool,
    /// Whether this build changed what is kept in the state file.
    #[serde(skip)]
    pub(super) record_changed: bool,
}

impl IndexState {
    /// Keeps the documents in `path` between builds, and their result text beside it
    /// (`.public.search-text` for `.public.search`).
    pub fn keep_documents_in(&mut self, path: PathBuf) {
        self.documents().store_path = Some(path.with_extension("search-text"));
        self.docs_file = Some(path);
    }

    pub(super) fn documents(&mut self) -> &mut Documents {
        self.docs.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Documents> {
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

    /// Whether the state file must be written for what this build learned about the index.
    pub fn changed(&self) -> bool {
        self.record_changed || self.docs_changed
    }
}
