//! Counting words the way Persian readers do.

use std::sync::LazyLock;

/// Counts words the way a Persian reader does: ZWNJ joins the parts of one word
/// ("پرونده‌های" is one word), whitespace separates words.
pub fn count_words(text: &str) -> usize {
    // One pass: a word counts at its first letter or digit, and whitespace starts the next.
    let mut count = 0;
    let mut counted = false;
    for c in text.chars() {
        if c.is_whitespace() {
            counted = false;
        } else if !counted && is_word_char(c) {
            count += 1;
            counted = true;
        }
    }
    count
}

/// `char::is_alphanumeric`, answered from a table below U+0800 (Latin and the Arabic block
/// hold most of a Persian text): the standard library's general lookup is the slowest part
/// of indexing otherwise.
pub fn is_word_char(c: char) -> bool {
    static TABLE: LazyLock<Vec<bool>> = LazyLock::new(|| {
        (0..0x800)
            .map(|n| char::from_u32(n).is_some_and(char::is_alphanumeric))
            .collect()
    });
    match c as u32 {
        0..0x80 => c.is_ascii_alphanumeric(),
        n @ 0x80..0x800 => TABLE[n as usize],
        _ => c.is_alphanumeric(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn counts_as_the_words_split_at_whitespace(text in "[a-z0-9 \n.،—\u{200c}\u{a0}\u{2009}\u{600}-\u{6ff}]{0,40}") {
            let by_definition = text
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count();
            proptest::prop_assert_eq!(count_words(&text), by_definition);
        }
    }

    #[test]
    fn zwnj_does_not_split_words() {
        assert_eq!(count_words("پرونده‌های حوادث کار — ۴۷ درصد"), 5);
        assert_eq!(count_words("   "), 0);
    }

    #[test]
    fn the_word_table_agrees_with_the_standard_library() {
        for n in 0..0x1000 {
            let c = char::from_u32(n).unwrap();
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "U+{n:04X}");
        }
    }
}
