//! The inverted index, cut into shards: every word with its posting list, words in order,
//! consecutive words grouped into files of about `target` bytes. The browser reads the list
//! of shards' first words, then fetches only the shards that hold the words of its query.
//! A shard's file name is a hash of its bytes, so a host may cache it for ever.

use std::sync::Arc;

use rayon::prelude::*;

use super::encoding::encode_postings;
use super::fingerprint;
use super::vocabulary::PackedTerms;

pub struct Shard {
    /// The shard's first word ("" for the first shard, so every word has a shard).
    pub first: String,
    /// The content hash that names the file: `search/s/<hash>.json`.
    pub hash: String,
    pub bytes: Vec<u8>,
}

/// Sorts words the way JavaScript compares strings (by UTF-16 code units), so the browser's
/// binary search over first words agrees with this order for every word.
pub fn js_order(a: &str, b: &str) -> std::cmp::Ordering {
    // UTF-8 bytes sort like code points, and code points like UTF-16 units except where
    // U+E000..U+FFFF meets a character past U+FFFF (their first bytes are EE..F4).
    if a.bytes().chain(b.bytes()).all(|byte| byte < 0xEE) {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// `terms` of the articles in article-number order (number = position), their word numbers
/// into `words`. Each shard file is a JSON array of `[word, postings]` pairs.
pub fn build(terms: &[&PackedTerms], words: &[Arc<str>], target: usize) -> Vec<Shard> {
    // Every posting in one pair of arrays, grouped by word (counted first, then placed):
    // two allocations rather than a growing list per word.
    let mut starts = vec![0usize; words.len() + 1];
    for doc in terms {
        for (word, _) in doc.iter() {
            starts[word as usize + 1] += 1;
        }
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let total = starts[words.len()];
    let mut numbers = vec![0u32; total];
    let mut weights = vec![0u8; total];
    let mut next = starts.clone();
    for (number, doc) in terms.iter().enumerate() {
        for (word, weight) in doc.iter() {
            let at = &mut next[word as usize];
            numbers[*at] = number as u32;
            weights[*at] = weight;
            *at += 1;
        }
    }
    let mut used: Vec<u32> = (0..words.len() as u32)
        .filter(|&w| starts[w as usize + 1] > starts[w as usize])
        .collect();
    used.par_sort_unstable_by(|a, b| js_order(&words[*a as usize], &words[*b as usize]));
    let entries: Vec<(&str, String)> = used
        .par_iter()
        .map(|&w| {
            let range = starts[w as usize]..starts[w as usize + 1];
            let postings = numbers[range.clone()]
                .iter()
                .copied()
                .zip(weights[range].iter().copied());
            let word = &*words[w as usize];
            let line = serde_json::to_string(&(word, encode_postings(postings)))
                .expect("strings serialize");
            (word, line)
        })
        .collect();
    drop((numbers, weights));

    let mut shards = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut first = String::new();
    for (word, line) in entries {
        if current.is_empty() {
            if !shards.is_empty() {
                first = word.to_string();
            }
            current.push(b'[');
        } else {
            current.extend_from_slice(b",\n");
        }
        current.extend_from_slice(line.as_bytes());
        if current.len() >= target {
            shards.push(finish(std::mem::take(&mut first), &mut current));
        }
    }
    if !current.is_empty() || shards.is_empty() {
        if current.is_empty() {
            current.push(b'[');
        }
        shards.push(finish(first, &mut current));
    }
    shards
}

fn finish(first: String, current: &mut Vec<u8>) -> Shard {
    current.extend_from_slice(b"]\n");
    let bytes = std::mem::take(current);
    Shard {
        first,
        hash: fingerprint(&bytes),
        bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::super::vocabulary::Vocabulary;
    use super::*;

    fn build_from(docs: &[&[(&str, u8)]], target: usize) -> Vec<Shard> {
        let mut words = Vocabulary::default();
        // A word no article uses any more is left out.
        words.number("unused");
        let terms: Vec<PackedTerms> = docs.iter().map(|d| words.pack(d.iter().copied())).collect();
        let terms: Vec<&PackedTerms> = terms.iter().collect();
        build(&terms, words.words(), target)
    }

    #[test]
    fn words_are_sorted_and_cut_into_shards() {
        let a: &[(&str, u8)] = &[("ایلام", 10), ("کار", 1), ("zebra", 2)];
        let b: &[(&str, u8)] = &[("کار", 4), ("alpha", 3)];
        let one = build_from(&[a, b], 1 << 20);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].first, "");
        let text = String::from_utf8(one[0].bytes.clone()).unwrap();
        let parsed: Vec<(String, String)> = serde_json::from_str(&text).unwrap();
        let words: Vec<&str> = parsed.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(words, ["alpha", "zebra", "ایلام", "کار"]);
        assert_eq!(parsed[3].1, "0114", "article 0 weight 1, then +1 weight 4");

        let many = build_from(&[a, b], 10);
        assert_eq!(many.len(), 4, "one word per shard when the target is tiny");
        let firsts: Vec<&str> = many.iter().map(|s| s.first.as_str()).collect();
        assert_eq!(firsts, ["", "zebra", "ایلام", "کار"]);
        for shard in &many {
            serde_json::from_slice::<Vec<(String, String)>>(&shard.bytes).unwrap();
        }
    }

    #[test]
    fn an_empty_site_has_one_empty_shard() {
        let shards = build_from(&[], 100);
        assert_eq!(shards.len(), 1);
        assert_eq!(
            serde_json::from_slice::<Vec<(String, String)>>(&shards[0].bytes).unwrap(),
            vec![]
        );
    }

    #[test]
    fn order_is_utf16_order() {
        // U+FF21 (BMP, above the surrogates) sorts after U+1D400 (astral) in UTF-16.
        assert_eq!(
            js_order("\u{FF21}", "\u{1D400}"),
            std::cmp::Ordering::Greater
        );
        assert_eq!(js_order("a", "ab"), std::cmp::Ordering::Less);
        for (a, b) in [
            ("کار", "کارگر"),
            ("z", "ا"),
            ("\u{E000}", "\u{10000}"),
            ("\u{D7FF}", "\u{10000}"),
        ] {
            assert_eq!(
                js_order(a, b),
                a.encode_utf16().cmp(b.encode_utf16()),
                "{a:?} {b:?}"
            );
            assert_eq!(
                js_order(b, a),
                b.encode_utf16().cmp(a.encode_utf16()),
                "{b:?} {a:?}"
            );
        }
    }
}
