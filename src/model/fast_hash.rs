//! Hash tables keyed by output paths, release paths and fingerprints, with a fast hasher
//! (aHash). Their keys come from the site's own files, so SipHash's defence against crafted
//! collisions buys nothing here, and hashing with it was a twentieth of a one-edit build.

pub type FastMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
pub type FastSet<T> = std::collections::HashSet<T, ahash::RandomState>;
