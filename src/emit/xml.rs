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

/// `text` as CDATA sections, for feeds' HTML content: the markup stays as it is, which is
/// smaller and far cheaper than escaping every tag of every body in every feed. `]]>` in the
/// text ends one section and starts the next; characters XML 1.0 forbids are dropped, as in
/// `escape`.
pub fn cdata(text: &str) -> String {
    const OPEN: &str = "<![CDATA[";
    const CLOSE: &str = "]]>";
    let forbidden = |c: char| {
        ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
            || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    };
    // Bodies come from the Markdown renderer: nearly always the bytes can go in as they are.
    let has_forbidden = text
        .bytes()
        .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF)
        && text.chars().any(forbidden);
    let clean: std::borrow::Cow<str> = if has_forbidden {
        text.chars()
            .filter(|&c| !forbidden(c))
            .collect::<String>()
            .into()
    } else {
        text.into()
    };
    let mut out = String::with_capacity(clean.len() + OPEN.len() + CLOSE.len());
    out.push_str(OPEN);
    let mut rest: &str = &clean;
    while let Some(at) = rest.find(CLOSE) {
        // `]]` closes this section, `>` opens the next.
        out.push_str(&rest[..at + 2]);
        out.push_str(CLOSE);
        out.push_str(OPEN);
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out.push_str(CLOSE);
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

    /// The text a reader of `cdata`'s output sees: the sections' contents, joined.
    fn read_cdata(xml: &str) -> String {
        let mut text = String::new();
        let mut rest = xml;
        while !rest.is_empty() {
            let inner = rest.strip_prefix("<![CDATA[").expect("a section opens");
            let end = inner.find("]]>").expect("the section closes");
            text.push_str(&inner[..end]);
            rest = &inner[end + 3..];
        }
        text
    }

    proptest! {
        #[test]
        fn cdata_reads_back_as_the_text(text in "(?s)[\\x00-\\x7f\\]>\u{600}-\u{6ff}\u{fffd}-\u{ffff}]{0,64}") {
            let xml = super::cdata(&text);
            let allowed: String = text
                .chars()
                .filter(|&c| (c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
                .filter(|&c| !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
                .collect();
            prop_assert_eq!(read_cdata(&xml), allowed);
            prop_assert!(!xml.contains(|c: char| (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')));
        }
    }

    #[test]
    fn cdata_splits_at_its_end_marker() {
        assert_eq!(super::cdata("<p>a</p>"), "<![CDATA[<p>a</p>]]>");
        assert_eq!(super::cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
        assert_eq!(super::cdata("x\u{1}\u{FFFF}y"), "<![CDATA[xy]]>");
        assert_eq!(super::cdata(""), "<![CDATA[]]>");
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
