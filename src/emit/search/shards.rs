//! The inverted index, cut into shards: every word with its posting list, words in order,
//! consecutive words grouped into files of about `target` bytes. The browser reads the list
//! of shards' first words, then fetches only the shards that hold the words of its query.
//! A shard's file name is a hash of its bytes, so a host may cache it for ever.

use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::encoding::{decode_numbers, encode_postings};
use super::fingerprint;
use super::vocabulary::PackedTerms;
use crate::model::fast_hash::FastMap;
use crate::model::fingerprint::Fingerprint;

pub struct Shard {
    /// The shard's first word ("" for the first shard, so every word has a shard).
    pub first: String,
    /// The content hash that names the file: `search/s/<hash>.json`.
    pub hash: String,
    /// The fingerprint of its bytes.
    pub key: Fingerprint,
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

/// Every used word of the index with its line (`["word","postings"]`), in JavaScript order,
/// and the article of each article number they were made for: what the next index starts
/// from when few articles changed (`updated`), rather than from every article's terms.
/// Kept with the search documents.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lines {
    /// The article fingerprint of each article number.
    pub numbers: Vec<Fingerprint>,
    words: String,
    word_ends: Vec<u32>,
    text: String,
    text_ends: Vec<u32>,
    /// The name of each shard cut from these lines, by the fingerprint of its bytes: the
    /// next index names a shard with the same bytes without hashing them again.
    pub names: Vec<(Fingerprint, String)>,
}

impl Lines {
    fn with_numbers(numbers: Vec<Fingerprint>) -> Lines {
        Lines {
            numbers,
            ..Lines::default()
        }
    }

    fn len(&self) -> usize {
        self.word_ends.len()
    }

    fn span(ends: &[u32], i: usize) -> std::ops::Range<usize> {
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        start..ends[i] as usize
    }

    fn word(&self, i: usize) -> &str {
        &self.words[Self::span(&self.word_ends, i)]
    }

    fn line(&self, i: usize) -> &str {
        &self.text[Self::span(&self.text_ends, i)]
    }

    fn push(&mut self, word: &str, line: &str) {
        self.words.push_str(word);
        self.word_ends.push(self.words.len() as u32);
        self.text.push_str(line);
        self.text_ends.push(self.text.len() as u32);
    }

    /// Appends `from`'s lines in `range`, copied as they are, in one run.
    fn copy(&mut self, from: &Lines, range: std::ops::Range<usize>) {
        if range.is_empty() {
            return;
        }
        let last = range.end - 1;
        let words = Self::span(&from.word_ends, range.start).start..from.word_ends[last] as usize;
        let text = Self::span(&from.text_ends, range.start).start..from.text_ends[last] as usize;
        let (word_base, text_base) = (self.words.len(), self.text.len());
        self.words.push_str(&from.words[words.clone()]);
        self.text.push_str(&from.text[text.clone()]);
        for i in range {
            let shift = |end: u32, start: usize, base: usize| (end as usize - start + base) as u32;
            self.word_ends
                .push(shift(from.word_ends[i], words.start, word_base));
            self.text_ends
                .push(shift(from.text_ends[i], text.start, text_base));
        }
    }

    /// Whether the buffers hold together (a list read from a file is checked).
    pub fn is_whole(&self) -> bool {
        let fits = |ends: &[u32], text: &str| {
            ends.windows(2).all(|w| w[0] <= w[1])
                && ends.last().is_none_or(|&e| e as usize == text.len())
                && ends.iter().all(|&e| text.is_char_boundary(e as usize))
        };
        self.word_ends.len() == self.text_ends.len()
            && fits(&self.word_ends, &self.words)
            && fits(&self.text_ends, &self.text)
    }
}

/// The line of `word` with `postings` ((article number, weight), numbers ascending).
fn line(word: &str, postings: impl ExactSizeIterator<Item = (u32, u8)>) -> String {
    serde_json::to_string(&(word, encode_postings(postings))).expect("strings serialize")
}

/// The lines of `terms`, the articles' terms in article-number order (number = position),
/// their word numbers into `words`; `numbers` are the articles' fingerprints.
pub fn lines(terms: &[&PackedTerms], words: &[Arc<str>], numbers: Vec<Fingerprint>) -> Lines {
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
    let mut article_numbers = vec![0u32; total];
    let mut weights = vec![0u8; total];
    let mut next = starts.clone();
    for (number, doc) in terms.iter().enumerate() {
        for (word, weight) in doc.iter() {
            let at = &mut next[word as usize];
            article_numbers[*at] = number as u32;
            weights[*at] = weight;
            *at += 1;
        }
    }
    let mut used: Vec<u32> = (0..words.len() as u32)
        .filter(|&w| starts[w as usize + 1] > starts[w as usize])
        .collect();
    used.par_sort_unstable_by(|a, b| js_order(&words[*a as usize], &words[*b as usize]));
    let made: Vec<String> = used
        .par_iter()
        .map(|&w| {
            let range = starts[w as usize]..starts[w as usize + 1];
            let postings = article_numbers[range.clone()]
                .iter()
                .copied()
                .zip(weights[range].iter().copied());
            line(&words[w as usize], postings)
        })
        .collect();
    let mut lines = Lines::with_numbers(numbers);
    lines.text.reserve(made.iter().map(String::len).sum());
    // Each line is freed once copied: at 100,000 releases they are some 60 MB.
    for (&w, made) in used.iter().zip(made) {
        lines.push(&words[w as usize], &made);
    }
    lines
}

/// A change to the index: the terms of article `number` were `old` (empty for a new
/// number) and are `new`.
pub struct Change<'a> {
    pub number: u32,
    pub old: Vec<(&'a str, u8)>,
    pub new: Vec<(&'a str, u8)>,
}

/// `previous` with `changes` made, for articles numbered as `numbers` says (the same
/// numbers as before, perhaps with more after them). Only the lines of the words whose
/// postings changed are made again: the same lines `lines` would make from every article.
/// `None` if a line of `previous` does not read back.
pub fn updated(previous: &Lines, numbers: Vec<Fingerprint>, changes: &[Change]) -> Option<Lines> {
    // Per word, the new weight of each changed article number (`None`: no longer there).
    type Edits = Vec<(u32, Option<u8>)>;
    let mut edits: FastMap<&str, Edits> = FastMap::default();
    for change in changes {
        let new: FastMap<&str, u8> = change.new.iter().copied().collect();
        let old: FastMap<&str, u8> = change.old.iter().copied().collect();
        // One edit per word and article: gone, or a new weight.
        for &(word, _) in &change.old {
            if !new.contains_key(word) {
                edits.entry(word).or_default().push((change.number, None));
            }
        }
        for &(word, weight) in &change.new {
            if old.get(word) != Some(&weight) {
                let edit = (change.number, Some(weight));
                edits.entry(word).or_default().push(edit);
            }
        }
    }
    let mut edited: Vec<(&str, Edits)> = edits.into_iter().collect();
    edited.sort_unstable_by(|a, b| js_order(a.0, b.0));

    let mut lines = Lines::with_numbers(numbers);
    let mut at = 0;
    for (word, mut edits) in edited {
        // The first line at or after `word`.
        let (mut found, mut end) = (at, previous.len());
        while found < end {
            let mid = found + (end - found) / 2;
            if js_order(previous.word(mid), word).is_lt() {
                found = mid + 1;
            } else {
                end = mid;
            }
        }
        lines.copy(previous, at..found);
        at = found;
        let postings: Vec<(u32, u8)> = if at < previous.len() && previous.word(at) == word {
            at += 1;
            postings_of(previous.line(at - 1))?
        } else {
            Vec::new()
        };
        edits.sort_unstable_by_key(|&(number, _)| number);
        let postings = merged(postings, &edits);
        if !postings.is_empty() {
            lines.push(word, &line(word, postings.into_iter()));
        }
    }
    lines.copy(previous, at..previous.len());
    Some(lines)
}

/// `postings` with `edits` made, both in article-number order: an edit sets the weight of
/// its number (`Some`) or removes it (`None`). One pass, however long the list.
fn merged(postings: Vec<(u32, u8)>, edits: &[(u32, Option<u8>)]) -> Vec<(u32, u8)> {
    let mut out = Vec::with_capacity(postings.len() + edits.len());
    let mut edits = edits.iter().copied().peekable();
    for (number, weight) in postings {
        let mut edited = false;
        while let Some((n, edit)) = edits.next_if(|&(n, _)| n <= number) {
            out.extend(edit.map(|w| (n, w)));
            edited |= n == number;
        }
        if !edited {
            out.push((number, weight));
        }
    }
    out.extend(edits.filter_map(|(n, edit)| edit.map(|w| (n, w))));
    out
}

/// The postings of a line `line` made.
fn postings_of(made: &str) -> Option<Vec<(u32, u8)>> {
    let (_, encoded) = serde_json::from_str::<(String, String)>(made).ok()?;
    let numbers = decode_numbers(&encoded)?;
    if numbers.len() % 2 != 0 {
        return None;
    }
    let mut postings = Vec::with_capacity(numbers.len() / 2);
    let mut number = 0u32;
    for pair in numbers.chunks_exact(2) {
        number = number.checked_add(pair[0])?;
        postings.push((number, u8::try_from(pair[1]).ok()?));
    }
    Some(postings)
}

/// `terms` of the articles in article-number order (number = position), their word numbers
/// into `words`, cut into shards of about `target` bytes.
#[cfg(test)]
pub fn build(terms: &[&PackedTerms], words: &[Arc<str>], target: usize) -> Vec<Shard> {
    cut(&lines(terms, words, Vec::new()), target, &[])
}

/// `lines` cut into shards of about `target` bytes: each a JSON array of its lines. A shard
/// whose bytes one of `named` had keeps its name.
pub fn cut(lines: &Lines, target: usize, named: &[(Fingerprint, String)]) -> Vec<Shard> {
    let named: FastMap<Fingerprint, &str> = named.iter().map(|(f, n)| (*f, n.as_str())).collect();
    let finish = |first: String, current: &mut Vec<u8>| {
        current.extend_from_slice(b"]\n");
        let bytes = std::mem::take(current);
        let key = Fingerprint::of_bytes(&bytes);
        Shard {
            first,
            hash: named
                .get(&key)
                .map_or_else(|| fingerprint(&bytes), |n| n.to_string()),
            key,
            bytes,
        }
    };
    let mut shards = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut first = String::new();
    for i in 0..lines.len() {
        if current.is_empty() {
            if !shards.is_empty() {
                first = lines.word(i).to_string();
            }
            current.push(b'[');
        } else {
            current.extend_from_slice(b",\n");
        }
        current.extend_from_slice(lines.line(i).as_bytes());
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

    use proptest::prelude::*;

    type Doc = Vec<(String, u8)>;

    /// Terms of one article: distinct words from a small list (so that articles share
    /// them), with weights, some needing JSON escapes or sorting apart in UTF-16.
    fn doc() -> impl Strategy<Value = Doc> {
        let word = prop::sample::select(vec![
            "کار",
            "کارگر",
            "ایلام",
            "a",
            "b\"q",
            "z",
            "\u{FF21}",
            "\u{1D400}",
            "۱۴۰۲",
            "x",
        ]);
        prop::collection::btree_map(word, 1u8..=31, 0..6)
            .prop_map(|m| m.into_iter().map(|(w, n)| (w.to_string(), n)).collect())
    }

    fn lines_of(docs: &[Doc], words: &mut Vocabulary) -> Lines {
        let terms: Vec<PackedTerms> = docs
            .iter()
            .map(|d| words.pack(d.iter().map(|(w, n)| (w.as_str(), *n))))
            .collect();
        let terms: Vec<&PackedTerms> = terms.iter().collect();
        let numbers = (0..docs.len()).map(|n| Fingerprint(n as u128)).collect();
        lines(&terms, words.words(), numbers)
    }

    fn pairs(doc: &Doc) -> Vec<(&str, u8)> {
        doc.iter().map(|(w, n)| (w.as_str(), *n)).collect()
    }

    proptest! {
        /// Lines updated with the changed articles' terms are the lines made from all of
        /// them: the index an edit gives is the index a clean build gives.
        #[test]
        fn updated_lines_are_the_lines_made_anew(
            before in prop::collection::vec(doc(), 0..12),
            edits in prop::collection::vec((any::<prop::sample::Index>(), doc()), 0..4),
            added in prop::collection::vec(doc(), 0..3),
        ) {
            let mut words = Vocabulary::default();
            let previous = lines_of(&before, &mut words);
            let mut after = before.clone();
            for (at, doc) in &edits {
                if !after.is_empty() {
                    let i = at.index(after.len());
                    after[i] = doc.clone();
                }
            }
            after.extend(added.iter().cloned());
            let changes: Vec<Change> = (0..after.len())
                .filter(|&n| before.get(n) != Some(&after[n]))
                .map(|n| Change {
                    number: n as u32,
                    old: before.get(n).map(pairs).unwrap_or_default(),
                    new: pairs(&after[n]),
                })
                .collect();
            let anew = lines_of(&after, &mut words);
            let updated = updated(&previous, anew.numbers.clone(), &changes).unwrap();
            prop_assert_eq!(&updated, &anew);
            prop_assert!(updated.is_whole());
            let (a, b) = (cut(&updated, 40, &[]), cut(&anew, 40, &[]));
            prop_assert_eq!(
                a.iter().map(|s| &s.bytes).collect::<Vec<_>>(),
                b.iter().map(|s| &s.bytes).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn a_shard_the_last_index_had_keeps_its_name() {
        let mut words = Vocabulary::default();
        let docs: Vec<Doc> = (0..20).map(|n| vec![(format!("w{n}"), 1)]).collect();
        let lines = lines_of(&docs, &mut words);
        let first = cut(&lines, 40, &[]);
        assert!(first.len() > 2);
        assert!(first.iter().all(|s| s.hash == fingerprint(&s.bytes)));
        // Named from the list (a made-up name proves it is taken from there), not hashed.
        let named = vec![(first[1].key, "kept".to_string())];
        let again = cut(&lines, 40, &named);
        assert_eq!(again[1].hash, "kept");
        assert_eq!(again[0].hash, first[0].hash);
    }

    #[test]
    fn a_line_that_does_not_read_back_is_refused() {
        let mut words = Vocabulary::default();
        let docs = vec![vec![("کار".to_string(), 3)]];
        let mut previous = lines_of(&docs, &mut words);
        let change = |new: u8| Change {
            number: 0,
            old: vec![("کار", 3)],
            new: vec![("کار", new)],
        };
        assert!(updated(&previous, previous.numbers.clone(), &[change(4)]).is_some());
        previous.text = previous.text.replace("\"03\"", "\"0!\"");
        assert!(updated(&previous, previous.numbers.clone(), &[change(4)]).is_none());
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
