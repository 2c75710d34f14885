//! The one codec of every file chapar keeps beside the output folder between builds: the
//! build state, the search documents and the search result text. Each begins with a header
//! line naming the file's kind, the format version and the fingerprint of chapar itself, so a
//! file another build of chapar wrote, or of another layout, is never read as this one's;
//! values are postcard-encoded, and a file that must survive being cut short ends with a
//! checksum (`Checksummed`, `END`).

use serde::Deserialize;

use crate::model::fingerprint;

/// The layout of every saved file. It goes up whenever the shape of anything saved changes:
/// `the_saved_layout_is_the_recorded_one` (in `commands::pipeline::state`) hashes serde's
/// description of the saved types and fails, saying what to write, until it does.
pub const FORMAT_VERSION: u32 = 8;
/// Each format version with the hash of its saved types' layout, oldest first; the last is
/// `FORMAT_VERSION`'s.
pub const LAYOUTS: &[(u32, u64)] = &[(8, 0xa302_646e_3968_2bbb)];

/// The first line of a saved file of `kind` (`build state`, `search documents`, ...).
pub fn header(kind: &str) -> String {
    format!(
        "chapar {kind} {FORMAT_VERSION} {:032x}\n",
        fingerprint::tool().0
    )
}

/// The last bytes of a whole file that ends with a checksum, after the lengths of its parts
/// and the checksum.
pub const END: &[u8; 8] = b"chapar\0\n";
/// The end's length: three lengths, the checksum and `END`.
pub const END_LEN: usize = 40;

/// `bytes` decoded as one value, read to its last byte: postcard stops where a value ends,
/// so trailing bytes (a part that was not written whole) would otherwise go unnoticed.
pub fn whole<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    match postcard::take_from_bytes(bytes) {
        Ok((value, [])) => Some(value),
        _ => None,
    }
}

/// A writer that hashes what goes through it.
pub struct Checksummed<W> {
    pub inner: W,
    pub hash: xxhash_rust::xxh3::Xxh3,
}

impl<W: std::io::Write> std::io::Write for Checksummed<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.hash.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
