//! What a build is asked to do.

use std::path::PathBuf;

use jiff::Timestamp;

use crate::model::progress::ProgressHandle;

pub const STATIC_DIR: &str = "static";
pub const DEFAULT_OUT_DIR: &str = "public";

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site root: where `site.yaml`, `content/`, `templates/` and `static/` are.
    pub root: PathBuf,
    /// Where the site goes; `public/` under the root by default.
    pub out_dir: Option<PathBuf>,
    pub include_drafts: bool,
    /// Replaces `base_url` from `site.yaml`.
    pub base_url: Option<String>,
    /// The moment that decides which releases are published; now by default.
    pub now: Option<Timestamp>,
    /// Replace an output folder that holds files chapar did not write.
    pub force: bool,
    /// Hears how the build is going (for a progress bar).
    pub progress: Option<ProgressHandle>,
    /// Keep the previous build's files for machines (feeds, sitemaps, open data, redirects,
    /// the search index) as they are: `serve` shows an edited page at once, then builds again
    /// without this to bring them up to date.
    pub defer_whole_site: bool,
    /// The source files (relative to the root: releases, templates, static files,
    /// `site.yaml`) that may have changed since the build that made the state; the releases
    /// not named are taken from the state without a look at the disk. `None`: any file may
    /// have changed. `serve` knows from its watcher.
    pub changed: Option<Vec<PathBuf>>,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions {
            root: root.into(),
            out_dir: None,
            include_drafts: false,
            base_url: None,
            now: None,
            force: false,
            progress: None,
            defer_whole_site: false,
            changed: None,
        }
    }

    pub fn out_dir(&self) -> PathBuf {
        self.out_dir
            .clone()
            .unwrap_or_else(|| self.root.join(DEFAULT_OUT_DIR))
    }
}
