//! Words as the index and the query see them. Text is folded first (`persian::folding::fold`:
//! ي/ی, ك/ک, ZWNJ, diacritics, digits), then cut into runs of letters and digits. The
//! browser's `tokenize` in `static/js/search.js` does exactly the same; a test runs both over
//! the same strings.

use crate::persian::folding::fold_each;
use crate::persian::words::is_word_char;

/// Words shorter than this are not indexed nor searched ("و", "ب", single digits): they
/// match nearly every release and would make the index much larger for no gain.
pub const MIN_CHARS: usize = 2;
/// Longer runs (hashes, glued URLs) are not words anyone types.
pub const MAX_CHARS: usize = 40;

/// The folded words of `text`, in order, repeats kept. A thousands separator (`,` or `٬`)
/// between two digits joins them, so "۱۶۵٬۰۰۰" is the one word "165000".
pub fn tokenize(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for_each_word(text, |w| words.push(w.to_string()));
    words
}

/// Hands each word of `tokenize(text)` to `f`, in order: folding and splitting in one pass,
/// with one buffer for all the words rather than a string each.
pub fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut splitter = Splitter::default();
    fold_each(text, |c| splitter.feed(c, &mut f));
    splitter.end_word(&mut f);
}

/// Cuts folded characters into words.
#[derive(Default)]
struct Splitter {
    word: String,
    chars: usize,
    /// Whether the previous character was an ASCII digit.
    after_digit: bool,
    /// The previous character was a thousands separator after a digit: it joins that digit
    /// to the next character if that is a digit too, and ends the word otherwise.
    separator: bool,
}

impl Splitter {
    fn feed(&mut self, c: char, f: &mut impl FnMut(&str)) {
        if std::mem::take(&mut self.separator) && !c.is_ascii_digit() {
            self.end_word(f);
        }
        if is_word_char(c) {
            self.word.push(c);
            self.chars += 1;
            self.after_digit = c.is_ascii_digit();
        } else if std::mem::take(&mut self.after_digit) && matches!(c, ',' | '\u{066C}') {
            self.separator = true;
        } else {
            self.end_word(f);
        }
    }

    fn end_word(&mut self, f: &mut impl FnMut(&str)) {
        if (MIN_CHARS..=MAX_CHARS).contains(&self.chars) {
            f(&self.word);
        }
        self.word.clear();
        self.chars = 0;
    }
}

/// The text of an HTML fragment as a reader sees it, but with its whitespace as it comes:
/// tags dropped (block-level ones leave a space, inline ones nothing, so `<b>کار</b>گران`
/// stays one word), the usual entities decoded. Whitespace never changes the words, and the
/// search index collapses (`collapse_whitespace`) only the start it shows.
pub fn html_text_uncollapsed(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // memchr2 rather than `str::find` with two chars: the body is mostly two-byte Persian
    // letters, which the standard library's char search decodes one by one.
    while let Some(open) = memchr::memchr2(b'<', b'&', rest.as_bytes()) {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        if rest.starts_with('<') {
            let Some(close) = rest.find('>') else {
                break;
            };
            let tag = rest[1..close].trim_start_matches('/');
            let name = &tag[..tag.bytes().take_while(u8::is_ascii_alphanumeric).count()];
            if !INLINE_TAGS.iter().any(|t| t.eq_ignore_ascii_case(name)) {
                out.push(' ');
            }
            rest = &rest[close + 1..];
        } else {
            let end = rest[1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
                .map(|i| i + 1);
            match end.filter(|&e| rest[e..].starts_with(';')) {
                Some(e) => {
                    match entity(&rest[1..e]) {
                        Some(c) => out.push(c),
                        None => out.push_str(&rest[..=e]),
                    }
                    rest = &rest[e + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` with each run of whitespace made one space and none at either end: all of it, or
/// when that is longer than `min_len` bytes, a start of it at least that long, ending at a
/// word.
pub fn collapse_whitespace(text: &str, min_len: usize) -> String {
    let mut out = String::with_capacity(text.len().min(min_len.saturating_add(64)));
    let push_word = |out: &mut String, word: &str| {
        if !word.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    };
    let bytes = text.as_bytes();
    let mut word_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Only these lead bytes begin a whitespace character (`char::is_whitespace`):
        // ASCII ones, U+0085 and U+00A0 (0xC2), U+1680 (0xE1), U+2000–U+205F (0xE2) and
        // U+3000 (0xE3). Persian letters (0xD8–0xDB) are passed over a byte at a time.
        let width = match bytes[i] {
            b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' => 1,
            0xC2 | 0xE1 | 0xE2 | 0xE3 => match text[i..].chars().next() {
                Some(c) if c.is_whitespace() => c.len_utf8(),
                _ => 0,
            },
            _ => 0,
        };
        if width == 0 {
            i += 1;
            continue;
        }
        push_word(&mut out, &text[word_start..i]);
        if out.len() >= min_len {
            return out;
        }
        i += width;
        word_start = i;
    }
    push_word(&mut out, &text[word_start..]);
    out
}

const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q",
    "s", "small", "span", "strong", "sub", "sup", "u", "wbr",
];

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let number = name.strip_prefix('#')?;
            let value = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(value)?
        }
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::persian::folding::tests::{reference_fold, tricky_text};

    /// `tokenize` as it was before folding and splitting were one pass: the reference.
    pub(crate) fn reference_tokenize(text: &str) -> Vec<String> {
        let folded = reference_fold(text);
        let chars: Vec<char> = folded.chars().collect();
        let mut words = Vec::new();
        let mut word = String::new();
        let mut len = 0;
        let mut push = |word: &mut String, len: usize| {
            if (MIN_CHARS..=MAX_CHARS).contains(&len) {
                words.push(std::mem::take(word));
            } else {
                word.clear();
            }
        };
        for (i, &c) in chars.iter().enumerate() {
            if c.is_alphanumeric() {
                word.push(c);
                len += 1;
                continue;
            }
            let joins_digits = matches!(c, ',' | '\u{066C}')
                && i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if joins_digits {
                continue;
            }
            push(&mut word, len);
            len = 0;
        }
        push(&mut word, len);
        words
    }

    /// The reader's text: `html_text_uncollapsed`, collapsed.
    fn html_text(html: &str) -> String {
        collapse_whitespace(&html_text_uncollapsed(html), usize::MAX)
    }

    /// `html_text` as it was before it stopped allocating per tag: the reference.
    fn reference_html_text(html: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(open) = rest.find(['<', '&']) {
            out.push_str(&rest[..open]);
            rest = &rest[open..];
            if rest.starts_with('<') {
                let Some(close) = rest.find('>') else {
                    break;
                };
                let name: String = rest[1..close]
                    .trim_start_matches('/')
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase();
                if !INLINE_TAGS.contains(&name.as_str()) {
                    out.push(' ');
                }
                rest = &rest[close + 1..];
            } else {
                let end = rest[1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
                    .map(|i| i + 1);
                match end.filter(|&e| rest[e..].starts_with(';')) {
                    Some(e) => {
                        match entity(&rest[1..e]) {
                            Some(c) => out.push(c),
                            None => out.push_str(&rest[..=e]),
                        }
                        rest = &rest[e + 1..];
                    }
                    None => {
                        out.push('&');
                        rest = &rest[1..];
                    }
                }
            }
        }
        out.push_str(rest);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Text with digit groups, separators and words at both length limits.
    pub(crate) fn words_text() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            tricky_text(),
            proptest::string::string_regex("[0-9۰-۹٠-٩]{0,4}[,٬][0-9۰-۹٠-٩]{0,4}[,٬]{0,2}")
                .unwrap(),
            (1usize..=3).prop_map(|n| "ب".repeat(n)),
            (38usize..=42).prop_map(|n| "a".repeat(n)),
        ];
        proptest::collection::vec(pieces, 0..8).prop_map(|v| v.concat())
    }

    fn html() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            words_text(),
            proptest::string::string_regex(
                "</?(p|b|Strong|SPAN|h2|li|a href=\"x\"|bdi|code|x1)>|&(amp|lt|nbsp|quot|#1740|#x06A9|#xZZ|unknown|);?|[<>&;#]"
            )
            .unwrap(),
            // Every whitespace character, and others that share their first byte.
            proptest::string::string_regex(
                "[ \t\n\r\u{B}\u{C}\u{85}\u{A0}\u{A9}\u{1680}\u{1681}\u{2000}-\u{2010}\u{2028}-\u{202F}\u{205F}\u{2060}\u{3000}\u{3001}\u{180E}\u{FEFF}]{0,3}"
            )
            .unwrap(),
        ];
        proptest::collection::vec(pieces, 0..10).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_one_pass_tokenizer_is_the_reference(text in words_text()) {
            prop_assert_eq!(tokenize(&text), reference_tokenize(&text));
        }

        #[test]
        fn html_text_is_the_reference(text in html()) {
            prop_assert_eq!(html_text(&text), reference_html_text(&text));
        }

        #[test]
        fn collapsing_does_not_change_the_words(text in html()) {
            let uncollapsed = html_text_uncollapsed(&text);
            prop_assert_eq!(tokenize(&uncollapsed), tokenize(&html_text(&text)));
        }

        #[test]
        fn a_collapsed_start_is_long_enough_and_a_start(text in html(), min_len in 0usize..40) {
            let all = html_text(&text);
            let start = collapse_whitespace(&html_text_uncollapsed(&text), min_len);
            prop_assert!(all.starts_with(&start));
            prop_assert!(start.len() >= min_len || start == all);
        }
    }

    #[test]
    fn keyboard_variants_give_the_same_words() {
        assert_eq!(tokenize("كارگران"), tokenize("کارگران"));
        assert_eq!(tokenize("يزد"), vec!["یزد"]);
        assert_eq!(tokenize("می‌شود"), tokenize("میشود"));
        assert_eq!(tokenize("سال ۱۴۰۲"), vec!["سال", "1402"]);
        assert_eq!(tokenize("سال ١٤٠٢"), tokenize("سال 1402"));
    }

    #[test]
    fn punctuation_splits_and_short_words_drop() {
        assert_eq!(
            tokenize("ایلام، کرمانشاه و «خوزستان»؛ COVID-19!"),
            vec!["ایلام", "کرمانشاه", "خوزستان", "covid", "19"]
        );
        assert_eq!(tokenize("۱۴۰۱–۱۴۰۲"), vec!["1401", "1402"]);
        assert!(tokenize("و ب ۱").is_empty());
        assert!(tokenize(&"ا".repeat(MAX_CHARS + 1)).is_empty());
    }

    #[test]
    fn thousands_separators_join_digits() {
        assert_eq!(tokenize("۱۶۵٬۰۰۰ نفر"), vec!["165000", "نفر"]);
        assert_eq!(tokenize("165,000"), vec!["165000"]);
        assert_eq!(tokenize("الف، ۲"), vec!["الف"]);
    }

    #[test]
    fn html_becomes_reader_text() {
        assert_eq!(
            html_text(
                "<h2 id=\"x\">نشست</h2><p>طرح <bdi>NGL</bdi> و <strong>کار</strong>گران &amp; &#1740;&#x06A9;</p>"
            ),
            "نشست طرح NGL و کارگران & یک"
        );
        assert_eq!(html_text("a &unknown; b & c"), "a &unknown; b & c");
        assert_eq!(html_text("<li>یک</li><li>دو</li>"), "یک دو");
    }
}
