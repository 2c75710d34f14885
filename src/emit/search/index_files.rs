//! Every index file, made from the documents alone: `meta.json`, the shards and the result
//! files, each kept from the previous build when its inputs are unchanged.

use std::collections::HashSet;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use super::document::ResultText;
use super::shards;
use super::state::{Entry, IndexRecord};
use super::vocabulary::{PackedTerms, Vocabulary};
use super::{CHUNK_SIZE, FORMAT_VERSION, INDEX_DIR, SCRIPT, SHARD_TARGET_BYTES};
use crate::model::diagnostic::Diagnostic;
use crate::model::fast_hash::FastMap;
use crate::model::fingerprint::{Fingerprint, FingerprintBuilder};
use crate::model::links::Links;
use crate::model::site::Site;
use crate::write::Output;

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
pub(super) fn write_index(
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
pub(super) struct Previous<'a> {
    pub(super) lines: &'a shards::Lines,
    pub(super) entries: &'a FastMap<Fingerprint, Entry>,
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
pub(super) fn index_fingerprint(docs: &[Fingerprint], site: &Site) -> Fingerprint {
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
pub(crate) mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::emit::search::document::{Document, SearchDoc};
    use crate::emit::search::state::IndexState;
    use crate::model::article::Article;

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
    pub(crate) struct Files(pub(crate) Mutex<BTreeMap<String, Vec<u8>>>);

    impl Output for Files {
        fn keep(&self, _: &str, _: Fingerprint) -> Result<bool, Diagnostic> {
            Ok(false)
        }

        fn write(&self, path: &str, bytes: Vec<u8>, _: Fingerprint) -> Result<(), Diagnostic> {
            self.0.lock().unwrap().insert(path.to_string(), bytes);
            Ok(())
        }
    }

    pub(crate) const CONFIG: &str = "title: t\nbase_url: https://e.org/press/\ndesks:\n  - key: a\n    name: A\n  - key: b\n    name: B\n";

    pub(crate) fn site(articles: Vec<Arc<Article>>) -> Site {
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
}
