//! Counting words the way Persian readers do.

/// Counts words the way a Persian reader does: ZWNJ joins the parts of one word
/// ("پرونده‌های" is one word), whitespace separates words.
pub fn count_words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zwnj_does_not_split_words() {
        assert_eq!(count_words("پرونده‌های حوادث کار — ۴۷ درصد"), 5);
        assert_eq!(count_words("   "), 0);
    }
}
