//! Folding text to its search form, so that a query typed on one keyboard finds text typed
//! on another: "كارگران" (Arabic kaf) finds "کارگران", "میشود" finds "می‌شود", "1402" finds
//! "۱۴۰۲". The search index and the query go through the same function.

use std::sync::LazyLock;

use icu_normalizer::ComposingNormalizerBorrowed;

/// The search form of `text`: NFKC (Arabic presentation forms become letters), Arabic letter
/// variants folded to Persian ones, hamza seats and madda folded to their base letter,
/// diacritics, tatweel, ZWNJ and invisible controls removed, every digit made Latin, and
/// letters lowercased.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_each(text, |c| out.push(c));
    out
}

/// Hands each character of `fold(text)` to `emit`, in order, without building the string
/// (the search index folds every word of every release).
pub fn fold_each(text: &str, mut emit: impl FnMut(char)) {
    // ICU's check that the text is already in NFKC (nearly always) is 3 % of a build. A
    // table-driven check for Persian text's characters, hamza and harakat included, was
    // tried: 2.6 %, not worth its hundred lines.
    let normalized = ComposingNormalizerBorrowed::new_nfkc().normalize(text);
    let table = &*TABLE;
    for c in normalized.chars() {
        let n = c as u32;
        if n < 0x80 {
            emit(c.to_ascii_lowercase());
        } else if let Some(&folded) = table.get(n as usize) {
            match folded {
                DROPPED => {}
                SEVERAL => fold_char(c, &mut emit),
                // The table holds only chars.
                _ => emit(char::from_u32(folded).unwrap_or(c)),
            }
        } else {
            fold_char(c, &mut emit);
        }
    }
}

/// Table entries for characters that fold to nothing, or to more than one character.
const DROPPED: u32 = u32::MAX;
const SEVERAL: u32 = u32::MAX - 1;

/// `fold_char` of every character below U+0800 (Latin, Greek, Cyrillic, Arabic: nearly all
/// of a Persian text), computed once from `fold_char` itself, so both always agree: the
/// standard library's case lookup is a binary search, the slowest part of indexing otherwise.
static TABLE: LazyLock<Vec<u32>> = LazyLock::new(|| {
    (0..0x800)
        .map(|n| {
            let Some(c) = char::from_u32(n) else {
                return SEVERAL;
            };
            let mut out = Vec::new();
            fold_char(c, &mut |f| out.push(f));
            match out[..] {
                [] => DROPPED,
                [one] => one as u32,
                _ => SEVERAL,
            }
        })
        .collect()
});

/// The search form of one (NFKC-normalized) character.
fn fold_char(c: char, emit: &mut impl FnMut(char)) {
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
        | '\u{2066}'..='\u{2069}' => return,
        c => match super::digits::digit_value(c) {
            Some(v) => char::from_digit(v, 10).unwrap_or(c),
            None => {
                for lower in c.to_lowercase() {
                    emit(lower);
                }
                return;
            }
        },
    };
    emit(folded);
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    /// `fold` as it was before the table and the callback: the reference the fast one must
    /// match character for character.
    pub(crate) fn reference_fold(text: &str) -> String {
        let normalized = ComposingNormalizerBorrowed::new_nfkc().normalize(text);
        let mut out = String::with_capacity(normalized.len());
        for c in normalized.chars() {
            let folded = match c {
                'ي' | 'ى' | 'ئ' => 'ی',
                'ك' => 'ک',
                'ة' | 'ۀ' => 'ه',
                'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
                'ؤ' => 'و',
                '\u{0640}'
                | '\u{064B}'..='\u{065F}'
                | '\u{0670}'
                | '\u{200B}'..='\u{200F}'
                | '\u{00AD}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}' => continue,
                c => match crate::persian::digits::digit_value(c) {
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

    #[test]
    fn the_table_agrees_with_the_reference_for_every_character() {
        // The table covers up to U+0800; above, both go through `fold_char`.
        for n in 0..0x3000 {
            if let Some(c) = char::from_u32(n) {
                let s = c.to_string();
                assert_eq!(fold(&s), reference_fold(&s), "U+{n:04X}");
            }
        }
    }

    /// Characters where folding, case and normalization have something to do.
    pub(crate) fn tricky_text() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            proptest::string::string_regex(
                "[a-zA-Z0-9۰-۹٠-٩ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكىئةۀأإآٱؤءـ\u{64B}-\u{65F}\u{670}\u{654}\u{200B}-\u{200F}\u{AD}\u{202A}-\u{202E}\u{2066}-\u{2069} .,،؛!؟«»()٬٫٪-]{0,12}"
            )
            .unwrap(),
            proptest::string::string_regex("[İıΣσςßẞǅÅÉéẞ\u{301}\u{308}ﻛﺎﺭﻻﷲﬁＡ１①²½Ⅻ𝐀👍🏽\u{1E900}\u{10400}]{0,6}")
                .unwrap(),
            any::<String>(),
        ];
        proptest::collection::vec(pieces, 0..6).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn the_fast_fold_is_the_reference_fold(text in tricky_text()) {
            prop_assert_eq!(fold(&text), reference_fold(&text));
        }
    }
}
