//! Words as the index and the query see them. Text is folded first (`persian::folding::fold`:
//! ي/ی, ك/ک, ZWNJ, diacritics, digits), then cut into runs of letters and digits. The
//! browser's `tokenize` in `static/js/search.js` does exactly the same; a test runs both over
//! the same strings.

use crate::persian::folding::fold;

/// Words shorter than this are not indexed nor searched ("و", "ب", single digits): they
/// match nearly every release and would make the index much larger for no gain.
pub const MIN_CHARS: usize = 2;
/// Longer runs (hashes, glued URLs) are not words anyone types.
pub const MAX_CHARS: usize = 40;

/// The folded words of `text`, in order, repeats kept. A thousands separator (`,` or `٬`)
/// between two digits joins them, so "۱۶۵٬۰۰۰" is the one word "165000".
pub fn tokenize(text: &str) -> Vec<String> {
    let folded = fold(text);
    let chars: Vec<char> = folded.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut len = 0;
    for (i, &c) in chars.iter().enumerate() {
        if is_word_char(c) {
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
        push_word(&mut words, &mut word, len);
        len = 0;
    }
    push_word(&mut words, &mut word, len);
    words
}

/// `char::is_alphanumeric`, with the Arabic block (most of a Persian text) answered from a
/// table: the standard library's general lookup is the slowest part of indexing otherwise.
fn is_word_char(c: char) -> bool {
    static ARABIC_BLOCK: std::sync::LazyLock<[bool; 256]> = std::sync::LazyLock::new(|| {
        std::array::from_fn(|i| {
            char::from_u32(0x0600 + i as u32).is_some_and(char::is_alphanumeric)
        })
    });
    match c as u32 {
        0..0x80 => c.is_ascii_alphanumeric(),
        n @ 0x0600..0x0700 => ARABIC_BLOCK[(n - 0x0600) as usize],
        _ => c.is_alphanumeric(),
    }
}

fn push_word(words: &mut Vec<String>, word: &mut String, len: usize) {
    if (MIN_CHARS..=MAX_CHARS).contains(&len) {
        words.push(std::mem::take(word));
    } else {
        word.clear();
    }
}

/// The text of an HTML fragment as a reader sees it: tags dropped (block-level ones leave a
/// space, inline ones nothing, so `<b>کار</b>گران` stays one word), the usual entities
/// decoded, whitespace collapsed.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find(['<', '&']) {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        if rest.starts_with('<') {
            let Some(close) = rest.find('>') else {
                break;
            };
            let tag = &rest[1..close];
            let name: String = tag
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
mod tests {
    use super::*;

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
    fn the_word_table_agrees_with_the_standard_library() {
        for n in 0..0x800 {
            let c = char::from_u32(n).unwrap();
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "U+{n:04X}");
        }
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
