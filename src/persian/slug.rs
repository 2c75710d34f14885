//! Slugs that keep Persian letters.
//!
//! Written by hand because the `slug`/`slugify` crates transliterate Persian into lossy ASCII
//! ("گروه استان‌ها" becomes `grwh-stnh`), which readers cannot read and which collides.

use super::digits::digit_value;

/// Turns a title or a name into a URL path segment: Persian and Latin letters and digits are
/// kept (Latin lowercased, digits made Latin so a URL reads the same from any keyboard),
/// Arabic ي/ك become Persian ی/ک, spaces, ZWNJ, hyphens and underscores become one `-`,
/// diacritics, tatweel and punctuation are dropped. The result may be empty; callers fall back
/// to another identifier (the news code) then.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    // Lowercase first: lowering can add combining marks (İ → i + U+0307), which must then
    // be dropped like any other, or a second pass would change the slug.
    for c in text.chars().flat_map(char::to_lowercase) {
        let kept = match c {
            'ي' | 'ى' => Some('ی'),
            'ك' => Some('ک'),
            c if is_diacritic(c) || c == '\u{0640}' => continue,
            c if digit_value(c).is_some() => digit_value(c).and_then(|v| char::from_digit(v, 10)),
            c if c.is_alphabetic() => Some(c),
            _ => None,
        };
        match kept {
            Some(c) => {
                if pending_dash && !slug.is_empty() {
                    slug.push('-');
                }
                pending_dash = false;
                slug.push(c);
            }
            // Word separators become a dash; other punctuation just disappears, so
            // "ایلام؛ گزارش" and "ایلام گزارش" give the same slug.
            None if is_separator(c) => pending_dash = true,
            None => {}
        }
    }
    shorten(slug)
}

/// The longest slug, in bytes. File systems allow 255 bytes per name and Persian letters
/// take two; long headlines make unreadable addresses anyway.
pub const MAX_SLUG_BYTES: usize = 120;

/// Cuts a slug to `MAX_SLUG_BYTES`, at a word boundary when there is one.
fn shorten(slug: String) -> String {
    if slug.len() <= MAX_SLUG_BYTES {
        return slug;
    }
    let mut end = MAX_SLUG_BYTES;
    while !slug.is_char_boundary(end) {
        end -= 1;
    }
    let cut = &slug[..end];
    let cut = match cut.rfind('-') {
        Some(i) if i > MAX_SLUG_BYTES / 2 => &cut[..i],
        _ => cut.trim_end_matches('-'),
    };
    cut.to_string()
}

/// The slug of `text`, or of `fallback` (e.g. the news code) when `text` has no letter or
/// digit. Never empty when the fallback has one.
pub fn slugify_or(text: &str, fallback: &str) -> String {
    let slug = slugify(text);
    if slug.is_empty() {
        slugify(fallback)
    } else {
        slug
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200C}' | '\u{200D}' | '-' | '_' | '/' | '.' | '–' | '—'
        )
}

/// Arabic-script harakat and other combining marks that do not change a word's identity.
fn is_diacritic(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0300}'..='\u{036F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_persian_letters() {
        assert_eq!(slugify("گروه استان‌ها"), "گروه-استان-ها");
        assert_eq!(
            slugify("کاهش ۴۷ درصدی پرونده‌های حوادث کار در ایلام"),
            "کاهش-47-درصدی-پرونده-های-حوادث-کار-در-ایلام"
        );
    }

    #[test]
    fn folds_arabic_letters_and_drops_marks() {
        assert_eq!(slugify("كارگران يزد"), "کارگران-یزد");
        assert_eq!(slugify("مُحَمَّد"), "محمد");
        assert_eq!(slugify("خـــبر"), "خبر");
    }

    #[test]
    fn drops_punctuation_and_collapses_separators() {
        assert_eq!(slugify("  «سلام»، دنیا!  "), "سلام-دنیا");
        assert_eq!(slugify("a -- b"), "a-b");
        assert_eq!(slugify("NGL Ilam; COVID-19"), "ngl-ilam-covid-19");
        assert_eq!(slugify("؟!"), "");
    }

    #[test]
    fn long_titles_make_bounded_slugs() {
        let slug = slugify(&"پرونده‌های حوادث کار ".repeat(300));
        assert!(
            slug.len() <= MAX_SLUG_BYTES && !slug.ends_with('-'),
            "{slug}"
        );
        assert!(slug.starts_with("پرونده-های-حوادث-کار-"));
        assert_eq!(slugify(&slug), slug);
        let one_word = slugify(&"ب".repeat(500));
        assert!(one_word.len() <= MAX_SLUG_BYTES && !one_word.is_empty());
    }

    #[test]
    fn is_idempotent() {
        // Found by fuzzing: İ lowercases to i and a combining dot above.
        let crash = String::from_utf8(
            std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/data/fuzz-slug-crash.bin"
            ))
            .unwrap(),
        )
        .unwrap();
        for s in [
            crash.as_str(),
            "İstanbul",
            "گروه استان‌ها",
            "a -- B",
            "كارگران ۱۴۰۲",
        ] {
            let once = slugify(s);
            assert_eq!(slugify(&once), once);
        }
    }
}
