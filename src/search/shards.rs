//! The inverted index, cut into shards: every word with its posting list, words in order,
//! consecutive words grouped into files of about `target` bytes. The browser reads the list
//! of shards' first words, then fetches only the shards that hold the words of its query.
//! A shard's file name is a hash of its bytes, so a host may cache it for ever.

use std::collections::HashMap;

use rayon::prelude::*;

use super::document::SearchDoc;
use super::encoding::encode_postings;
use super::fingerprint;

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
    a.encode_utf16().cmp(b.encode_utf16())
}

/// `docs` in article-number order (number = position). Each shard file is a JSON array of
/// `[word, postings]` pairs.
pub fn build(docs: &[&SearchDoc], target: usize) -> Vec<Shard> {
    let mut postings: HashMap<&str, Vec<(u32, u8)>> = HashMap::new();
    for (number, doc) in docs.iter().enumerate() {
        for (word, weight) in doc.terms.iter() {
            postings
                .entry(word)
                .or_default()
                .push((number as u32, weight));
        }
    }
    let mut words: Vec<(&str, Vec<(u32, u8)>)> = postings.into_iter().collect();
    words.par_sort_unstable_by(|a, b| js_order(a.0, b.0));
    let entries: Vec<(&str, String)> = words
        .par_iter()
        .map(|(word, list)| {
            let line =
                serde_json::to_string(&(word, encode_postings(list))).expect("strings serialize");
            (*word, line)
        })
        .collect();

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
    use super::*;

    fn doc(terms: &[(&str, u8)]) -> SearchDoc {
        SearchDoc {
            id: 1,
            timestamp: 0,
            year: 1402,
            date: String::new(),
            desk: String::new(),
            path: String::new(),
            title: String::new(),
            text: String::new(),
            terms: terms.iter().map(|(t, w)| (*t, *w)).collect(),
        }
    }

    #[test]
    fn words_are_sorted_and_cut_into_shards() {
        let a = doc(&[("ایلام", 10), ("کار", 1), ("zebra", 2)]);
        let b = doc(&[("کار", 4), ("alpha", 3)]);
        let one = build(&[&a, &b], 1 << 20);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].first, "");
        let text = String::from_utf8(one[0].bytes.clone()).unwrap();
        let parsed: Vec<(String, String)> = serde_json::from_str(&text).unwrap();
        let words: Vec<&str> = parsed.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(words, ["alpha", "zebra", "ایلام", "کار"]);
        assert_eq!(parsed[3].1, "0114", "article 0 weight 1, then +1 weight 4");

        let many = build(&[&a, &b], 10);
        assert_eq!(many.len(), 4, "one word per shard when the target is tiny");
        let firsts: Vec<&str> = many.iter().map(|s| s.first.as_str()).collect();
        assert_eq!(firsts, ["", "zebra", "ایلام", "کار"]);
        for shard in &many {
            serde_json::from_slice::<Vec<(String, String)>>(&shard.bytes).unwrap();
        }
    }

    #[test]
    fn an_empty_site_has_one_empty_shard() {
        let shards = build(&[], 100);
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
    }
}
