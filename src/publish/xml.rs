//! Escaping text for XML, for the feeds and sitemaps this crate writes.

/// Escapes `&`, `<`, `>`, `"` and `'`, and drops characters XML 1.0 forbids (control
/// characters other than tab and newlines), which would make a feed unreadable.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
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

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            super::escape("<b>\"R&D\"</b> 'x'\u{1}"),
            "&lt;b&gt;&quot;R&amp;D&quot;&lt;/b&gt; &apos;x&apos;"
        );
        assert_eq!(super::escape("خبر تازه"), "خبر تازه");
    }
}
