//! The documents file beside the output folder: the documents earlier builds kept, read back
//! only when the index changes, and saved whole when a build changed them.

use std::collections::HashSet;
use std::sync::PoisonError;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::chunked_file::ChunkedFile;
use super::shards;
use super::state::{Entry, IndexState};
use super::store::{Store, TextRef};
use super::vocabulary::Vocabulary;
use crate::model::fingerprint::Fingerprint;
use crate::model::site::Site;
use crate::write::trash::Trash;

/// What the documents file's header calls it (`cache::codec::header`).
const DOCS_KIND: &str = "search documents";

/// The documents file: the store it refers to, the words, the entries.
#[derive(Deserialize)]
struct StoredDocuments {
    store: u128,
    words: Vec<String>,
    entries: Vec<(Fingerprint, Entry)>,
    lines: Option<shards::Lines>,
}

/// Traces the types of what the search keeps on disk (the documents file and the result text
/// of the text store), for the test that derives the saved layout from the saved types.
#[cfg(test)]
pub(crate) fn trace_saved_types(
    tracer: &mut serde_reflection::Tracer,
    samples: &serde_reflection::Samples,
) -> serde_reflection::Result<()> {
    tracer.trace_type::<StoredDocuments>(samples)?;
    tracer.trace_type::<super::document::ResultText>(samples)?;
    Ok(())
}

#[derive(Serialize)]
struct StoredDocumentsRef<'a> {
    store: u128,
    words: Vec<&'a str>,
    entries: Vec<(&'a Fingerprint, &'a Entry)>,
    lines: Option<&'a shards::Lines>,
}

impl IndexState {
    /// Reads the kept documents of the articles of `site` that this build did not make.
    pub(super) fn read_documents(&mut self, site: &Site) {
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
        let header = crate::cache::codec::header(DOCS_KIND);
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
        let header = crate::cache::codec::header(DOCS_KIND);
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
}
