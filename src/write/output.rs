//! The output every emitter writes through: a trait here, below the emitters, so that pages,
//! feeds, sitemaps, open data and the search index need nothing of how files are staged or
//! committed (`Staging` implements it for builds; `check` has one that only collects).

use crate::model::diagnostic::Diagnostic;
use crate::model::fingerprint::Fingerprint;

/// Where rendered and published files go: the build's staging folder, or the list of paths
/// `check` collects. Each file comes with the fingerprint of what it is made from.
pub trait Output: Sync {
    /// Keeps the previous build's file at `path` if it was made from inputs with this
    /// fingerprint; then the caller need not make it. Returns whether it was kept.
    fn keep(&self, path: &str, fingerprint: Fingerprint) -> Result<bool, Diagnostic>;
    /// Writes a file (a path relative to the output folder) made from inputs with this
    /// fingerprint.
    fn write(&self, path: &str, bytes: Vec<u8>, fingerprint: Fingerprint)
    -> Result<(), Diagnostic>;
    /// As `write`, for a large file whose bytes `fill` writes to a stream: an output that
    /// can writes them to disk as they come rather than holding them all.
    fn write_streamed(
        &self,
        path: &str,
        fingerprint: Fingerprint,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), Diagnostic> {
        let mut bytes = Vec::new();
        fill(&mut bytes).map_err(|e| Diagnostic::error(path, e.to_string()))?;
        self.write(path, bytes, fingerprint)
    }
    /// The previous build's file at `path`, to copy checked parts of: `None` when there is
    /// none, or the output cannot say.
    fn previous(&self, _path: &str) -> Option<std::path::PathBuf> {
        None
    }
}

/// The file at `path`, made from inputs with `fingerprint` by `make`, which runs only when
/// the previous build's file cannot be kept.
pub fn put(
    out: &dyn Output,
    path: &str,
    fingerprint: Fingerprint,
    make: impl FnOnce() -> Result<Vec<u8>, Diagnostic>,
) -> Result<(), Diagnostic> {
    if out.keep(path, fingerprint)? {
        return Ok(());
    }
    out.write(path, make()?, fingerprint)
}

/// Writes a file whose inputs are its own bytes (a sitemap, a data file), unless it is
/// unchanged.
pub fn emit(out: &dyn Output, path: &str, bytes: Vec<u8>) -> Result<(), Diagnostic> {
    put(out, path, Fingerprint::of_bytes(&bytes), || Ok(bytes))
}
