//! Rendered bodies, by article fingerprint. Bodies are the bulk of a site's memory, so only
//! up to a budget of them is kept: as they are up to `raw` bytes, then compressed (LZ4, which
//! halves this HTML and gives it back at gigabytes a second) up to `compressed` bytes more.
//! A body that is not kept is parsed again from its file when a page needs it (the article's
//! own page, a feed), which costs far more than decompressing it. A 10,000-release site keeps
//! every body as it is; a site of 100,000 keeps about two thirds of them, within its memory
//! target.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use super::{Article, Parsed, Parsing, canonical_content, decode, parse_with, read_inside};
use crate::model::diagnostic::Diagnostic;
use crate::model::fingerprint::Fingerprint;

/// Bytes of body HTML kept as it is, by default: every body of a 10,000-release site.
pub const DEFAULT_RAW_BUDGET: usize = 160 * 1024 * 1024;
/// Bytes of compressed body HTML kept beyond that, by default.
pub const DEFAULT_COMPRESSED_BUDGET: usize = 320 * 1024 * 1024;

pub struct Bodies {
    kept: RwLock<HashMap<Fingerprint, Kept>>,
    raw: Budget,
    compressed: Budget,
}

#[derive(Clone)]
enum Kept {
    Raw(Arc<str>),
    /// LZ4 with the size in front.
    Compressed(Arc<[u8]>),
}

impl Kept {
    fn len(&self) -> usize {
        match self {
            Kept::Raw(body) => body.len(),
            Kept::Compressed(bytes) => bytes.len(),
        }
    }

    /// The body; `None` if compressed bytes do not come back whole (they cannot).
    fn body(&self) -> Option<Arc<str>> {
        match self {
            Kept::Raw(body) => Some(body.clone()),
            // simdutf8: the standard library's check was 2 % of a 100,000-release build, where
            // most bodies come back from here.
            Kept::Compressed(bytes) => lz4_flex::decompress_size_prepended(bytes)
                .ok()
                .and_then(|bytes| simdutf8::basic::from_utf8(&bytes).ok().map(Arc::from)),
        }
    }
}

struct Budget {
    limit: usize,
    used: AtomicUsize,
}

impl Budget {
    fn new(limit: usize) -> Self {
        Budget {
            limit,
            used: AtomicUsize::new(0),
        }
    }

    /// Takes `size` bytes if they fit.
    fn take(&self, size: usize) -> bool {
        if self.used.fetch_add(size, Ordering::Relaxed) + size <= self.limit {
            true
        } else {
            self.used.fetch_sub(size, Ordering::Relaxed);
            false
        }
    }

    fn give_back(&self, size: usize) {
        self.used.fetch_sub(size, Ordering::Relaxed);
    }
}

impl Default for Bodies {
    fn default() -> Self {
        Bodies::with_budgets(DEFAULT_RAW_BUDGET, DEFAULT_COMPRESSED_BUDGET)
    }
}

impl Bodies {
    pub fn with_budgets(raw: usize, compressed: usize) -> Self {
        Bodies {
            kept: RwLock::new(HashMap::new()),
            raw: Budget::new(raw),
            compressed: Budget::new(compressed),
        }
    }

    /// Keeps a body if a budget allows; returns it.
    pub fn offer(&self, fingerprint: Fingerprint, body: String) -> Arc<str> {
        let body: Arc<str> = body.into();
        let kept = if self.raw.take(body.len()) {
            Kept::Raw(body.clone())
        } else {
            let compressed = lz4_flex::compress_prepend_size(body.as_bytes());
            if !self.compressed.take(compressed.len()) {
                return body;
            }
            Kept::Compressed(compressed.into())
        };
        if let Ok(mut map) = self.kept.write()
            && let Some(old) = map.insert(fingerprint, kept)
        {
            self.budget_of(&old).give_back(old.len());
        }
        body
    }

    fn budget_of(&self, kept: &Kept) -> &Budget {
        match kept {
            Kept::Raw(_) => &self.raw,
            Kept::Compressed(_) => &self.compressed,
        }
    }

    /// Forgets the bodies of articles no longer in the site.
    pub fn retain(&self, current: impl Fn(&Fingerprint) -> bool) {
        if let Ok(mut kept) = self.kept.write() {
            kept.retain(|f, _| current(f));
            for budget in [&self.raw, &self.compressed] {
                budget.used.store(0, Ordering::Relaxed);
            }
            for k in kept.values() {
                self.budget_of(k).used.fetch_add(k.len(), Ordering::Relaxed);
            }
        }
    }

    /// The body of `article`: kept, or parsed again from its file under `root`. An error when
    /// the file changed since the article was loaded (the build must start again).
    /// `content` is the content folder as `canonical_content` gives it.
    pub(crate) fn get(
        &self,
        root: &Path,
        content: &Path,
        article: &Article,
        parsing: &Parsing,
    ) -> Result<Arc<str>, Diagnostic> {
        let kept = self
            .kept
            .read()
            .ok()
            .and_then(|k| k.get(&article.fingerprint).cloned());
        if let Some(body) = kept.and_then(|k| k.body()) {
            return Ok(body);
        }
        let changed = || {
            Diagnostic::error(
                &article.source,
                "the file changed while the site was being built",
            )
            .with_hint("build again")
        };
        let path = root.join(&article.source);
        let bytes = read_inside(content, &path).map_err(|_| changed())?;
        let fingerprint = parsing.fingerprint(&bytes);
        if fingerprint != article.fingerprint {
            return Err(changed());
        }
        let text = decode(&bytes).map_err(|_| changed())?;
        match parse_with(article.source.clone(), text, fingerprint, parsing) {
            (Some(Parsed { body, .. }), _) => Ok(self.offer(fingerprint, body)),
            (None, _) => Err(changed()),
        }
    }
}

/// What it takes to get any article's body during a build.
pub struct BodyReader<'a> {
    bodies: &'a Bodies,
    /// The site root the articles' sources are relative to.
    root: &'a Path,
    /// Its content folder with links resolved, found once: resolving it for each body read
    /// again cost three `readlink` calls and a `getcwd`.
    content: PathBuf,
    parsing: Parsing<'a>,
}

impl<'a> BodyReader<'a> {
    pub fn new(bodies: &'a Bodies, root: &'a Path, parsing: Parsing<'a>) -> Self {
        BodyReader {
            bodies,
            root,
            content: canonical_content(root),
            parsing,
        }
    }

    pub fn body(&self, article: &Article) -> Result<Arc<str>, Diagnostic> {
        self.bodies
            .get(self.root, &self.content, article, &self.parsing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_bodies_come_back_whole_as_they_are_or_compressed_and_others_are_parsed_again() {
        let config = crate::load::config::parse(
            "title: t\nbase_url: https://e.org/\ndesks:\n  - key: a\n    name: A\n",
        )
        .unwrap();
        let parsing = Parsing::new(&config);
        let text = "---\ntitle: خبر\nauthor: x\ndesk: a\ndate: 1402-07-09\nid: 1\n---\nبند نخست با **۴۷ درصد** و [پیوند](/news/1/).\n\nبند دوم.\n";
        let parsed = super::super::parse_article("content/a.md".into(), text, &parsing)
            .0
            .unwrap();
        let (article, body) = (parsed.article, parsed.body);
        // No file on disk: a kept body must come from memory.
        let nowhere = Path::new("/nonexistent-site");
        for (raw, compressed) in [(1 << 20, 0), (0, 1 << 20)] {
            let kept = Bodies::with_budgets(raw, compressed);
            assert_eq!(&*kept.offer(article.fingerprint, body.clone()), body);
            assert_eq!(
                &*kept.get(nowhere, nowhere, &article, &parsing).unwrap(),
                body
            );
        }
        let over_budget = Bodies::with_budgets(0, 0);
        assert_eq!(&*over_budget.offer(article.fingerprint, body.clone()), body);
        assert!(
            over_budget
                .get(nowhere, nowhere, &article, &parsing)
                .is_err(),
            "a body not kept is read from its file again"
        );
    }
}
