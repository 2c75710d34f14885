//! Latin runs inside Persian text ("طرح NGL استان", "COVID-19"), which readers' browsers
//! should lay out as isolated left-to-right islands (`<bdi>`), so that neighbouring
//! punctuation and numbers do not jump to the wrong side.

use std::ops::Range;

fn is_arabic_script(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// The byte ranges of Latin runs in `text`, when `text` also holds Persian. A run starts at a
/// Latin letter and goes on over Latin letters, digits, and `-`, `.`, `_`, `/`, `'`, `&` or a
/// space that are followed by more of the run; it never ends on a separator.
pub fn latin_runs(text: &str) -> Vec<Range<usize>> {
    // Every character a run can hold is ASCII, so runs are found in the bytes; the Latin
    // check comes first, being the rarer and the cheaper one (this runs on every text of
    // every release).
    let bytes = text.as_bytes();
    if !bytes.iter().any(u8::is_ascii_alphabetic) || !text.chars().any(is_arabic_script) {
        return Vec::new();
    }
    let mut runs = Vec::new();
    let mut k = 0;
    while k < bytes.len() {
        if !bytes[k].is_ascii_alphabetic() {
            k += 1;
            continue;
        }
        let start = k;
        let mut end = k + 1;
        let mut j = k + 1;
        while j < bytes.len() {
            let b = bytes[j];
            if b.is_ascii_alphanumeric() {
                end = j + 1;
            } else if !matches!(b, b'-' | b'.' | b'_' | b'/' | b'\'' | b'&' | b' ') {
                break;
            }
            j += 1;
        }
        runs.push(start..end);
        k = end;
    }
    runs
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// `latin_runs` as it was, character by character: the byte version must agree with it.
    fn reference_latin_runs(text: &str) -> Vec<Range<usize>> {
        if !text.chars().any(is_arabic_script) || !text.chars().any(|c| c.is_ascii_alphabetic()) {
            return Vec::new();
        }
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut runs = Vec::new();
        let mut k = 0;
        while k < chars.len() {
            if !chars[k].1.is_ascii_alphabetic() {
                k += 1;
                continue;
            }
            let start = chars[k].0;
            let mut end_k = k;
            let mut j = k + 1;
            while j < chars.len() {
                let c = chars[j].1;
                if c.is_ascii_alphanumeric() {
                    end_k = j;
                } else if !matches!(c, '-' | '.' | '_' | '/' | '\'' | '&' | ' ') {
                    break;
                }
                j += 1;
            }
            let end = chars[end_k].0 + chars[end_k].1.len_utf8();
            runs.push(start..end);
            k = end_k + 1;
        }
        runs
    }

    proptest! {
        #[test]
        fn agrees_with_the_char_by_char_reference(text in "[a-zA-Z0-9 \\-._/'&,()۰-۹\u{600}-\u{6ff}\u{a0}é]{0,40}") {
            prop_assert_eq!(latin_runs(&text), reference_latin_runs(&text));
        }
    }

    fn runs(text: &str) -> Vec<&str> {
        latin_runs(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn finds_latin_islands_in_persian() {
        assert_eq!(runs("طرح NGL استان"), ["NGL"]);
        assert_eq!(runs("شیوع COVID-19 در ۱۴۰۰."), ["COVID-19"]);
        assert_eq!(
            runs("پتروشیمی (NGL Ilam Co.) و H2O"),
            ["NGL Ilam Co", "H2O"]
        );
        assert_eq!(runs("نشانی example.ir/news را ببینید"), ["example.ir/news"]);
    }

    #[test]
    fn leaves_other_text_alone() {
        assert!(runs("only English here").is_empty());
        assert!(runs("فقط فارسی ۱۴۰۲").is_empty());
    }
}
