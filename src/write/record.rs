//! The record a build leaves of its output folder, which the next build reads to keep what
//! it would make again: each file with the fingerprint of what it was made from and its size.

use serde::{Deserialize, Serialize};

use crate::model::fast_hash::FastMap;
use crate::model::fingerprint::Fingerprint;

/// What a build left in the output folder: each file with the fingerprint of what it was made
/// from and its size. The next build keeps a file whose fingerprint it computes again.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Outputs {
    pub(super) files: FastMap<String, OutputFile>,
}

/// One file of a build: the fingerprint of what it was made from, its size, and, while the
/// build runs, whether it waits in the staging folder (written) or was made with the previous
/// build's bytes. The files a build keeps are its previous record's entries; with those it
/// makes, they become the record the next build reads.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct OutputFile {
    pub(super) fingerprint: Fingerprint,
    pub(super) len: u64,
    #[serde(skip)]
    pub(super) staged: bool,
    /// Its place in the record of the previous build, while the next one runs (`Staging::
    /// taken`): set by `Staging::begin_with` for that record's entries only, and meaningless
    /// in the files a build makes.
    #[serde(skip)]
    pub(super) slot: usize,
}

impl Outputs {
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
