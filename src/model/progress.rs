//! Telling the person at the terminal how a long build is going. The library only reports;
//! the command line decides whether to draw a progress bar.

use std::fmt;
use std::sync::Arc;

pub trait Progress: Send + Sync {
    /// A stage begins (`reading`, `writing`), with its size when known.
    fn stage(&self, name: &'static str, total: Option<u64>);
    /// One more item of the current stage is done. Called from many threads.
    fn advance(&self);
    /// The build is over.
    fn finish(&self);
}

/// A shareable progress reporter, for `BuildOptions`.
#[derive(Clone)]
pub struct ProgressHandle(pub Arc<dyn Progress>);

impl fmt::Debug for ProgressHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressHandle")
    }
}
