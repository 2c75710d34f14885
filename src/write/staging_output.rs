//! The staging folder as the emitters' output, telling the progress bar as files are done.

use std::path::PathBuf;

use crate::model::diagnostic::Diagnostic;
use crate::model::fingerprint::Fingerprint;
use crate::model::progress::ProgressHandle;
use crate::write::{Output, Staging};

/// The build's staging folder as the renderer's output; the first I/O failure is kept to end
/// the build with.
pub struct StagingOutput<'a> {
    staging: &'a Staging,
    progress: Option<&'a ProgressHandle>,
    pub failure: std::sync::Mutex<Option<anyhow::Error>>,
}

impl<'a> StagingOutput<'a> {
    pub fn new(staging: &'a Staging, progress: Option<&'a ProgressHandle>) -> Self {
        StagingOutput {
            staging,
            progress,
            failure: std::sync::Mutex::new(None),
        }
    }

    fn fail(&self, path: &str, e: anyhow::Error) -> Diagnostic {
        let d = Diagnostic::error(path, format!("{e:#}"));
        if let Ok(mut slot) = self.failure.lock() {
            slot.get_or_insert(e);
        }
        d
    }
}

impl Output for StagingOutput<'_> {
    fn keep(&self, path: &str, fingerprint: Fingerprint) -> Result<bool, Diagnostic> {
        let kept = self
            .staging
            .keep_if_unchanged(path, fingerprint)
            .map_err(|e| self.fail(path, e))?;
        if kept && let Some(p) = self.progress {
            p.0.advance();
        }
        Ok(kept)
    }

    fn write(
        &self,
        path: &str,
        bytes: Vec<u8>,
        fingerprint: Fingerprint,
    ) -> Result<(), Diagnostic> {
        if let Some(p) = self.progress {
            p.0.advance();
        }
        self.staging
            .write(path, &bytes, fingerprint)
            .map_err(|e| self.fail(path, e))
    }

    fn write_streamed(
        &self,
        path: &str,
        fingerprint: Fingerprint,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), Diagnostic> {
        if let Some(p) = self.progress {
            p.0.advance();
        }
        self.staging
            .write_streamed(path, fingerprint, fill)
            .map_err(|e| self.fail(path, e))
    }

    fn previous(&self, path: &str) -> Option<PathBuf> {
        self.staging.previous_file(path)
    }
}
