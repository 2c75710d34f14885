//! Fingerprints: 128-bit hashes of everything a page or file is made from. Incremental builds
//! compare them with the previous build's to decide what to render and write again; at 128
//! bits a collision between two versions of one page is not a practical concern.

use std::hash::Hasher;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Fingerprint(pub u128);

impl Fingerprint {
    pub fn of_bytes(bytes: &[u8]) -> Fingerprint {
        Fingerprint(xxhash_rust::xxh3::xxh3_128(bytes))
    }
}

/// Of chapar itself: its version and its executable's size and modification time. Part of
/// every fingerprint, so a new build of chapar (even of the same version, while it is being
/// developed) never keeps a page an older one made, nor reads an older one's state.
pub fn tool() -> Fingerprint {
    static TOOL: std::sync::LazyLock<Fingerprint> = std::sync::LazyLock::new(|| {
        let exe = std::env::current_exe().and_then(std::fs::metadata).ok();
        let modified = exe
            .as_ref()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64);
        FingerprintBuilder::new()
            .str(env!("CARGO_PKG_VERSION"))
            .u64(exe.map_or(0, |m| m.len()))
            .u64(modified)
            .finish()
    });
    *TOOL
}

/// Builds a fingerprint from parts. Each part is written with its length, so `("ab", "c")` and
/// `("a", "bc")` differ.
#[derive(Default, Clone)]
pub struct FingerprintBuilder(Xxh3);

impl FingerprintBuilder {
    pub fn new() -> Self {
        FingerprintBuilder(Xxh3::new())
    }

    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.write_u64(bytes.len() as u64);
        self.0.update(bytes);
        self
    }

    pub fn str(&mut self, text: &str) -> &mut Self {
        self.bytes(text.as_bytes())
    }

    pub fn u64(&mut self, n: u64) -> &mut Self {
        self.0.write_u64(n);
        self
    }

    pub fn fingerprint(&mut self, f: Fingerprint) -> &mut Self {
        self.0.write_u128(f.0);
        self
    }

    /// A value as its JSON text: what a template context holds is exactly what it renders from.
    pub fn json(&mut self, value: &impl Serialize) -> &mut Self {
        // Writing into the hasher never fails; a value that cannot be serialized would fail
        // rendering the same way, so it is hashed as a marker rather than hidden.
        let mut writer = HashWriter(&mut self.0);
        if serde_json::to_writer(&mut writer, value).is_err() {
            self.0.update(b"\0unserializable");
        }
        self.0.update(b"\0");
        self
    }

    pub fn finish(&self) -> Fingerprint {
        Fingerprint(self.0.digest128())
    }
}

struct HashWriter<'a>(&'a mut Xxh3);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_delimited() {
        let ab_c = FingerprintBuilder::new().str("ab").str("c").finish();
        let a_bc = FingerprintBuilder::new().str("a").str("bc").finish();
        assert_ne!(ab_c, a_bc);
        assert_eq!(ab_c, FingerprintBuilder::new().str("ab").str("c").finish());
    }

    #[test]
    fn json_follows_the_value() {
        let one = FingerprintBuilder::new().json(&vec![1, 2]).finish();
        let two = FingerprintBuilder::new().json(&vec![1, 3]).finish();
        assert_ne!(one, two);
        assert_eq!(one, FingerprintBuilder::new().json(&vec![1, 2]).finish());
    }
}
