//! Rendered bodies, by article fingerprint. Bodies are the bulk of a site's memory, so only
//! up to a budget of them is kept; a body that is not kept is parsed again from its file when
//! a page needs it (the article's own page, a feed). Small and medium sites keep every body
//! and never parse twice; a site of 100,000 releases stays within its memory.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use super::{Article, Parsed, Parsing, decode, parse_with, read_inside};
use crate::diagnostic::Diagnostic;
use crate::fingerprint::Fingerprint;

/// Bytes of body HTML kept in memory by default: every body of a 10,000-release site.
pub const DEFAULT_BUDGET: usize = 160 * 1024 * 1024;

pub struct Bodies {
    kept: RwLock<HashMap<Fingerprint, Arc<str>>>,
    budget: usize,
    used: AtomicUsize,
}

impl Default for Bodies {
    fn default() -> Self {
        Bodies::with_budget(DEFAULT_BUDGET)
    }
}

impl Bodies {
    pub fn with_budget(budget: usize) -> Self {
        Bodies {
            kept: RwLock::new(HashMap::new()),
            budget,
            used: AtomicUsize::new(0),
        }
    }

    /// Keeps a body if the budget allows.
    pub fn offer(&self, fingerprint: Fingerprint, body: String) -> Arc<str> {
        let body: Arc<str> = body.into();
        let size = body.len();
        if self.used.fetch_add(size, Ordering::Relaxed) + size <= self.budget
            && let Ok(mut kept) = self.kept.write()
        {
            if kept.insert(fingerprint, body.clone()).is_some() {
                self.used.fetch_sub(size, Ordering::Relaxed);
            }
            return body;
        }
        self.used.fetch_sub(size, Ordering::Relaxed);
        body
    }

    /// Forgets the bodies of articles no longer in the site.
    pub fn retain(&self, current: impl Fn(&Fingerprint) -> bool) {
        if let Ok(mut kept) = self.kept.write() {
            kept.retain(|f, _| current(f));
            let used = kept.values().map(|b| b.len()).sum();
            self.used.store(used, Ordering::Relaxed);
        }
    }

    /// The body of `article`: kept, or parsed again from its file under `root`. An error when
    /// the file changed since the article was loaded (the build must start again).
    pub fn get(
        &self,
        root: &Path,
        article: &Article,
        parsing: &Parsing,
    ) -> Result<Arc<str>, Diagnostic> {
        if let Some(body) = self
            .kept
            .read()
            .ok()
            .and_then(|k| k.get(&article.fingerprint).cloned())
        {
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
        let content = root.join(super::CONTENT_DIR);
        let content = content.canonicalize().unwrap_or(content);
        let bytes = read_inside(&content, &path).map_err(|_| changed())?;
        let fingerprint = parsing.fingerprint(&bytes);
        if fingerprint != article.fingerprint {
            return Err(changed());
        }
        let text = decode(&bytes).map_err(|_| changed())?;
        match parse_with(article.source.clone(), &text, fingerprint, parsing) {
            (Some(Parsed { body, .. }), _) => Ok(self.offer(fingerprint, body)),
            (None, _) => Err(changed()),
        }
    }
}

/// What it takes to get any article's body during a build.
pub struct BodyReader<'a> {
    pub bodies: &'a Bodies,
    /// The site root the articles' sources are relative to.
    pub root: &'a Path,
    pub parsing: Parsing<'a>,
}

impl BodyReader<'_> {
    pub fn body(&self, article: &Article) -> Result<Arc<str>, Diagnostic> {
        self.bodies.get(self.root, article, &self.parsing)
    }
}
