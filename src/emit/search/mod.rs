//! Client-side search for static hosts, Persian-aware: the index is built here from every
//! published article, split so a query downloads only what it needs, and read by the theme's
//! plain JavaScript (`static/js/search.js`) on the `/search/` page. Both sides fold text with
//! the same rules (`persian::folding`). See `docs/search.md` for the format and the reasons.
//!
//! Two steps, so incremental builds can keep the first for unchanged articles:
//! 1. [`document`]: one article → a self-contained [`SearchDoc`], made while its body is at
//!    hand. [`IndexState::add`] keeps what the shards need in memory (words as numbers into
//!    one `vocabulary`) and writes what only the result files need to disk (`store`);
//! 2. [`IndexState::update`]: all the documents → every index file, byte-identical for the
//!    same documents in any order.
//!
//! Files written under `search/`:
//! - `meta.json`: the article count, the chunk size, the shards' first words and file names,
//!   the desks, each article's desk, and each Jalali year's range of article numbers;
//! - `s/<hash>.json`: the shards of the inverted index (see `shards`);
//! - `d/<c>.json`: what results show (title, link, date, snippet text) of articles
//!   `c × CHUNK_SIZE` to `(c + 1) × CHUNK_SIZE - 1`, one array each.
//!
//! Articles are numbered oldest first (by date, then news code), so a new release gets the
//! next number and joins the last chunk: older chunks stay as they were.

mod chunked_file;
pub mod document;
mod documents_file;
pub mod encoding;
mod index_files;
pub mod shards;
mod state;
pub mod store;
pub mod tokens;
mod update;
pub mod vocabulary;

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

pub use document::{Document, ResultText, SearchDoc, document, fresh_document};
#[cfg(test)]
pub(crate) use documents_file::trace_saved_types;
pub use state::{IndexRecord, IndexState};

use crate::model::paths::SEARCH_PATH;

/// Whether `path` is a file of the index (or its script), rather than the search page.
pub fn is_index_file(path: &str) -> bool {
    (path.starts_with(INDEX_DIR) && path != format!("{SEARCH_PATH}index.html"))
        || path == SCRIPT.path
}
/// Where the index files go, relative to the site root.
pub const INDEX_DIR: &str = "search/";
/// The index format; the script refuses an index of another version.
pub const FORMAT_VERSION: u32 = 2;
/// About how many bytes one shard file holds. Smaller shards mean less transfer per query
/// word but a longer list of shards in `meta.json`; see docs/search.md for the measurements.
pub const SHARD_TARGET_BYTES: usize = 12 * 1024;
/// Articles per result file. Creating files is most of a large build's cost, and one file
/// per article was a quarter of them; larger chunks mean fewer files but more bytes for a
/// page of results (up to 10 chunks): see docs/search.md for the measurements.
pub const CHUNK_SIZE: usize = 16;

/// The theme's search script, published under a name that carries a hash of its bytes.
pub static SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    let bytes = include_bytes!("../../../static/js/search.js");
    Script {
        path: format!("js/search.{}.js", fingerprint(bytes)),
        bytes,
    }
});

pub struct Script {
    /// Relative to the site root.
    pub path: String,
    pub bytes: &'static [u8],
}

/// The first 12 hex digits of the SHA-256 of `bytes`.
pub(crate) fn fingerprint(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}
