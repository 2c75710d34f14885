//! Folding text to its search form, so that a query typed on one keyboard finds text typed
//! on another: "كارگران" (Arabic kaf) finds "کارگران", "میشود" finds "می‌شود", "1402" finds
//! "۱۴۰۲". The search index and the query go through the same function.

use icu_normalizer::ComposingNormalizerBorrowed;

/// The search form of `text`: NFKC (Arabic presentation forms become letters), Arabic letter
/// variants folded to Persian ones, hamza seats and madda folded to their base letter,
/// diacritics, tatweel, ZWNJ and invisible controls removed, every digit made Latin, and
/// letters lowercased.
pub fn fold(text: &str) -> String {
    let normalized = ComposingNormalizerBorrowed::new_nfkc().normalize(text);
    let mut out = String::with_capacity(normalized.len());
    for c in normalized.chars() {
        let folded = match c {
            'ي' | 'ى' | 'ئ' => 'ی',
            'ك' => 'ک',
            'ة' | 'ۀ' => 'ه',
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ؤ' => 'و',
            // Tatweel, harakat, superscript alef, ZWNJ/ZWJ, soft hyphen, bidi marks.
            '\u{0640}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{200B}'..='\u{200F}'
            | '\u{00AD}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}' => continue,
            c => match super::digits::digit_value(c) {
                Some(v) => char::from_digit(v, 10).unwrap_or(c),
                None => {
                    out.extend(c.to_lowercase());
                    continue;
                }
            },
        };
        out.push(folded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyboard_variants_fold_together() {
        assert_eq!(fold("كارگران"), fold("کارگران"));
        assert_eq!(fold("يزد"), "یزد");
        assert_eq!(fold("می‌شود"), "میشود");
        assert_eq!(fold("۱۴۰۲"), "1402");
        assert_eq!(fold("١٤٠٢"), "1402");
        assert_eq!(fold("NGL Ilam"), "ngl ilam");
        assert_eq!(fold("آب"), "اب");
        assert_eq!(fold("مسئله"), fold("مسیله"));
        assert_eq!(fold("خانهٔ کارگر"), "خانه کارگر");
        assert_eq!(fold("خـــبر"), "خبر");
        assert_eq!(fold("مُحَمَّد"), "محمد");
    }

    #[test]
    fn presentation_forms_become_letters() {
        // "ﻛﺎﺭ" typed with Arabic presentation forms, as text pasted from some PDFs is.
        assert_eq!(fold("\u{FEDB}\u{FE8E}\u{FEAD}"), "کار");
    }

    #[test]
    fn folding_is_idempotent() {
        for s in ["كارگران می‌شوند ۱۴۰۲", "ﻛﺎﺭ", "Ünïcode ٤٧٪"] {
            assert_eq!(fold(&fold(s)), fold(s));
        }
    }
}
