//! What a load learned from each release file, kept for the next load: an unchanged file is
//! neither read nor parsed again. "Unchanged" is decided as `make` and git do, by size and
//! modification time; a file modified around the time of the previous load is read and
//! compared by its bytes instead, because a second edit within one clock tick keeps the time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{Article, Parsing};
use crate::diagnostic::Diagnostic;
use crate::fingerprint::Fingerprint;

/// Files modified less than this before a load began are checked by their bytes next time.
const RACY_WINDOW_NANOS: i128 = 2_000_000_000;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Sources {
    /// The parse settings the records were made with; under other settings none is valid.
    settings: Option<Fingerprint>,
    /// When the load that made these records began, in nanoseconds since 1970.
    started: i128,
    files: HashMap<PathBuf, Record>,
}

/// A file's size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    modified: i128,
}

impl Stamp {
    /// `None` when the file cannot be examined (it is then read, and the error reported).
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: meta.len(),
            modified: nanos(meta.modified().ok()?),
        })
    }
}

fn nanos(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// What one file gave: an article or the errors that kept it out, and its warnings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    stamp: Option<Stamp>,
    /// Of the settings and the bytes; `None` when the file could not be read.
    fingerprint: Option<Fingerprint>,
    pub article: Option<Arc<Article>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether this load parsed the file (rather than taking the record from the last one).
    #[serde(skip)]
    pub parsed_now: bool,
    /// Whether this load read the file and found its bytes unchanged under a new time.
    #[serde(skip)]
    pub restamped: bool,
}

impl Record {
    pub fn failed(stamp: Option<Stamp>, problem: Diagnostic) -> Record {
        Record {
            stamp,
            fingerprint: None,
            article: None,
            diagnostics: vec![problem],
            parsed_now: true,
            restamped: false,
        }
    }

    pub fn parsed(
        stamp: Option<Stamp>,
        fingerprint: Fingerprint,
        article: Option<Arc<Article>>,
        diagnostics: Vec<Diagnostic>,
    ) -> Record {
        Record {
            stamp,
            fingerprint: Some(fingerprint),
            article,
            diagnostics,
            parsed_now: true,
            restamped: false,
        }
    }

    /// The same record under `stamp`, for a file whose bytes are unchanged.
    pub fn restamped(&self, stamp: Option<Stamp>) -> Record {
        Record {
            restamped: stamp != self.stamp,
            stamp,
            parsed_now: false,
            ..self.clone()
        }
    }
}

impl Sources {
    /// Empty records for a load with these settings, starting now.
    pub fn starting(parsing: &Parsing) -> Sources {
        Sources {
            settings: Some(parsing.settings),
            started: nanos(SystemTime::now()),
            files: HashMap::new(),
        }
    }

    /// These records, if they were made with the same settings.
    pub fn usable_for(&self, parsing: &Parsing) -> Option<&Sources> {
        (self.settings == Some(parsing.settings)).then_some(self)
    }

    /// The articles of every file, sorted by source path (as `load` lists them).
    pub fn articles(&self) -> Vec<Arc<Article>> {
        let mut articles: Vec<Arc<Article>> = self
            .files
            .values()
            .filter_map(|r| r.article.clone())
            .collect();
        articles.sort_by(|a, b| a.source.cmp(&b.source));
        articles
    }

    pub fn get(&self, shown: &Path) -> Option<&Record> {
        self.files.get(shown)
    }

    pub fn insert(&mut self, shown: PathBuf, record: Record) {
        self.files.insert(shown, record);
    }

    /// The record of `shown` if the file at `path` has the size and time it had, and that
    /// time is safely before the load that recorded it.
    pub fn unchanged(&self, shown: &Path, path: &Path) -> Option<Record> {
        let record = self.files.get(shown)?;
        let recorded = record.stamp?;
        record.fingerprint?;
        let racy = recorded.modified > self.started - RACY_WINDOW_NANOS;
        (!racy && Stamp::of(path) == Some(recorded)).then(|| record.restamped(Some(recorded)))
    }

    /// The record of `shown`, for a caller that knows the file is unchanged (`serve`, told by
    /// its watcher).
    pub fn recorded(&self, shown: &Path) -> Option<Record> {
        let record = self.files.get(shown)?;
        record.fingerprint?;
        Some(record.restamped(record.stamp))
    }

    /// The record of `shown` if it was made from bytes with this fingerprint.
    pub fn same_bytes(&self, shown: &Path, fingerprint: Fingerprint) -> Option<&Record> {
        self.files
            .get(shown)
            .filter(|r| r.fingerprint == Some(fingerprint))
    }
}
