//! The words of every kept search document, each stored once: a document holds its words as
//! numbers into this list, packed into bytes. A large site holds millions of (word, weight)
//! pairs but only some hundred thousand distinct words, so this is a fraction of the memory
//! of a string per document, and cutting the shards needs no hashing of words.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::document::FxHasher;

/// Distinct words, numbered in the order they were first seen (the numbers mean nothing
/// else: the index files depend on the words only).
#[derive(Default)]
pub struct Vocabulary {
    words: Vec<Arc<str>>,
    numbers: HashMap<Arc<str>, u32, BuildHasherDefault<FxHasher>>,
}

impl Vocabulary {
    pub fn from_words(words: impl IntoIterator<Item = String>) -> Vocabulary {
        let mut vocabulary = Vocabulary::default();
        for word in words {
            vocabulary.number(&word);
        }
        vocabulary
    }

    /// The word's number, added if new.
    pub fn number(&mut self, word: &str) -> u32 {
        if let Some(&n) = self.numbers.get(word) {
            return n;
        }
        let n = self.words.len() as u32;
        let word: Arc<str> = word.into();
        self.words.push(word.clone());
        self.numbers.insert(word, n);
        n
    }

    pub fn words(&self) -> &[Arc<str>] {
        &self.words
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// (word, weight) pairs as packed terms, adding new words.
    pub fn pack<'a>(&mut self, terms: impl IntoIterator<Item = (&'a str, u8)>) -> PackedTerms {
        let numbered: Vec<(u32, u8)> = terms
            .into_iter()
            .map(|(w, n)| (self.number(w), n))
            .collect();
        PackedTerms::new(numbered)
    }

    /// Terms packed against `from` (another list's words), packed against this one.
    pub fn repack(&mut self, terms: &PackedTerms, from: &[impl AsRef<str>]) -> PackedTerms {
        let numbered: Vec<(u32, u8)> = terms
            .iter()
            .map(|(n, weight)| (self.number(from[n as usize].as_ref()), weight))
            .collect();
        PackedTerms::new(numbered)
    }
}

/// A document's (word number, weight) pairs: numbers ascending, each as the gap from the
/// previous one in LEB128 (one byte for gaps below 128), followed by the weight's byte.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackedTerms(Box<[u8]>);

impl PackedTerms {
    fn new(mut numbered: Vec<(u32, u8)>) -> PackedTerms {
        numbered.sort_unstable();
        let mut bytes = Vec::with_capacity(numbered.len() * 3);
        let mut previous = 0;
        for (n, weight) in numbered {
            let mut gap = n - previous;
            while gap >= 0x80 {
                bytes.push((gap & 0x7f) as u8 | 0x80);
                gap >>= 7;
            }
            bytes.push(gap as u8);
            bytes.push(weight);
            previous = n;
        }
        PackedTerms(bytes.into_boxed_slice())
    }

    /// (word number, weight), numbers ascending. Bytes that do not decode end the list.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u8)> + '_ {
        let mut bytes = self.0.iter().copied();
        let mut previous = 0u32;
        std::iter::from_fn(move || {
            let (mut gap, mut shift) = (0u32, 0);
            loop {
                let b = bytes.next()?;
                gap |= u32::from(b & 0x7f).checked_shl(shift)?;
                if b < 0x80 {
                    break;
                }
                shift += 7;
            }
            previous = previous.checked_add(gap)?;
            Some((previous, bytes.next()?))
        })
    }

    /// Whether every number is below `words` (a list read from a file is checked).
    pub fn fits(&self, words: usize) -> bool {
        self.iter().all(|(n, _)| (n as usize) < words)
    }

    pub fn bytes(&self) -> usize {
        self.0.len()
    }
}

// As one byte string, not a sequence of numbers: reading and writing the documents file is
// then a copy.
impl Serialize for PackedTerms {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for PackedTerms {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl<'de> serde::de::Visitor<'de> for Bytes {
            type Value = PackedTerms;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("packed terms")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<PackedTerms, E> {
                Ok(PackedTerms(v.into()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<PackedTerms, E> {
                Ok(PackedTerms(v.into_boxed_slice()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<PackedTerms, A::Error> {
                let mut bytes = Vec::new();
                while let Some(b) = seq.next_element()? {
                    bytes.push(b);
                }
                Ok(PackedTerms(bytes.into_boxed_slice()))
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn words_are_numbered_once() {
        let mut v = Vocabulary::default();
        assert_eq!(v.number("کار"), 0);
        assert_eq!(v.number("ایلام"), 1);
        assert_eq!(v.number("کار"), 0);
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn repacking_keeps_the_words() {
        let mut a = Vocabulary::default();
        let terms = a.pack([("کار", 3), ("ایلام", 10)]);
        let mut b = Vocabulary::from_words(["x".to_string(), "ایلام".to_string()]);
        let moved = b.repack(&terms, a.words());
        let words: Vec<(&str, u8)> = moved
            .iter()
            .map(|(n, w)| (&*b.words()[n as usize], w))
            .collect();
        assert_eq!(words, [("ایلام", 10), ("کار", 3)]);
    }

    #[test]
    fn damaged_bytes_end_the_list() {
        let terms = PackedTerms(vec![0x85, 0x80].into_boxed_slice());
        assert_eq!(terms.iter().count(), 0);
        let terms = PackedTerms(vec![0xff; 12].into_boxed_slice());
        assert_eq!(terms.iter().count(), 0);
    }

    proptest! {
        #[test]
        fn packed_terms_round_trip(set in proptest::collection::btree_map(any::<u32>(), 1u8..=41, 0..50)) {
            let numbered: Vec<(u32, u8)> = set.into_iter().collect();
            let packed = PackedTerms::new(numbered.clone());
            prop_assert_eq!(packed.iter().collect::<Vec<_>>(), numbered);
            let bytes = postcard::to_stdvec(&packed).unwrap();
            prop_assert_eq!(postcard::from_bytes::<PackedTerms>(&bytes).unwrap(), packed);
        }
    }
}
