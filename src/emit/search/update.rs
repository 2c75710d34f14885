//! Bringing the index up to date with a build: kept whole when no document changed, otherwise
//! made again from the documents, those not at hand read back or made from their bodies.

use std::collections::HashSet;
use std::sync::PoisonError;

use rayon::prelude::*;

use super::document::{document, fresh_document};
use super::index_files::{Previous, index_fingerprint, write_index};
use super::state::{Documents, Entry, IndexState};
use crate::load::BodyReader;
use crate::model::article::Article;
use crate::model::diagnostic::Diagnostic;
use crate::model::fast_hash::FastMap;
use crate::model::fingerprint::Fingerprint;
use crate::model::site::Site;
use crate::persian::PersianCalendar;
use crate::write::Output;

impl IndexState {
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::emit::search::index_files::tests::{CONFIG, Files, site};
    use crate::load::{Bodies, Parsing};

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
