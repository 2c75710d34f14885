//! Escaping text for XML, for the feeds and sitemaps this crate writes.

/// Escapes `&`, `<`, `>`, `"` and `'`, and drops characters XML 1.0 forbids (control
/// characters other than tab and newlines, U+FFFE and U+FFFF), which would make a feed
/// unreadable. Feeds escape whole article bodies, so runs of ordinary text are copied at once
/// rather than character by character.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (replacement, width) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&apos;", 1),
            b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            0..0x20 => ("", 1),
            // U+FFFE and U+FFFF: EF BF BE and EF BF BF in UTF-8.
            0xEF if bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                ("", 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[copied..i]);
        out.push_str(replacement);
        i += width;
        copied = i;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// The plain definition the fast `escape` must agree with.
    fn escape_char_by_char(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                '\t' | '\n' | '\r' => out.push(c),
                c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
                c => out.push(c),
            }
        }
        out
    }

    proptest! {
        #[test]
        fn agrees_with_the_plain_definition(text in "(?s)[\\x00-\\x7f&<>\"'\u{600}-\u{6ff}\u{fffd}-\u{ffff}\u{10000}-\u{10010}]{0,64}") {
            prop_assert_eq!(super::escape(&text), escape_char_by_char(&text));
        }
    }

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            super::escape("<b>\"R&D\"</b> 'x'\u{1}"),
            "&lt;b&gt;&quot;R&amp;D&quot;&lt;/b&gt; &apos;x&apos;"
        );
        assert_eq!(super::escape("خبر تازه"), "خبر تازه");
        assert_eq!(
            super::escape("a\u{FFFE}b\u{FFFF}c\u{FFFD}\tد"),
            "abc\u{FFFD}\tد"
        );
    }
}
