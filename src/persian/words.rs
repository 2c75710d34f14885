//! Counting words the way Persian readers do.

use std::sync::LazyLock;

/// Counts words the way a Persian reader does: ZWNJ joins the parts of one word
/// ("پرونده‌های" is one word), whitespace separates words.
pub fn count_words(text: &str) -> usize {
    // One pass: a word counts at its first letter or digit, and whitespace starts the next.
    let classes = classes();
    let mut count = 0;
    let mut counted = false;
    for c in text.chars() {
        match classes.of(c) {
            Class::Space => counted = false,
            Class::Word if !counted => {
                count += 1;
                counted = true;
            }
            _ => {}
        }
    }
    count
}

/// `char::is_alphanumeric`, answered from a table below U+0800.
pub fn is_word_char(c: char) -> bool {
    classes().of(c) == Class::Word
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// `char::is_whitespace`.
    Space,
    /// `char::is_alphanumeric`.
    Word,
    Other,
}

/// The class of every character below U+0800 (Latin and the Arabic block hold nearly all of
/// a Persian text): the standard library's general lookups were the slowest part of counting
/// and indexing words. Callers take the table once per text, not once per character.
struct Classes([Class; 0x800]);

fn classes() -> &'static Classes {
    static TABLE: LazyLock<Classes> = LazyLock::new(|| {
        let mut table = [Class::Other; 0x800];
        for (n, class) in table.iter_mut().enumerate() {
            if let Some(c) = char::from_u32(n as u32) {
                *class = Class::computed(c);
            }
        }
        Classes(table)
    });
    &TABLE
}

impl Class {
    fn computed(c: char) -> Class {
        if c.is_whitespace() {
            Class::Space
        } else if c.is_alphanumeric() {
            Class::Word
        } else {
            Class::Other
        }
    }
}

impl Classes {
    fn of(&self, c: char) -> Class {
        match self.0.get(c as usize) {
            Some(&class) => class,
            None => Class::computed(c),
        }
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
    fn the_class_table_agrees_with_the_standard_library() {
        for c in (0..0x3100).filter_map(char::from_u32) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "U+{:04X}", c as u32);
            let space = classes().of(c) == Class::Space;
            assert_eq!(space, c.is_whitespace(), "U+{:04X}", c as u32);
        }
    }
}
