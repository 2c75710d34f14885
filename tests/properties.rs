//! Properties of the Persian layer over generated inputs.

use chapar::persian::calendar::{gregorian_to_jalali, jalali_month_length, jalali_to_gregorian};
use chapar::persian::digits::{DigitStyle, convert_prose_digits};
use chapar::persian::folding::fold;
use chapar::persian::{slugify, slugify_or};
use proptest::prelude::*;

/// A valid Jalali date between 1300 and 1500.
fn jalali_date() -> impl Strategy<Value = (i16, i8, i8)> {
    (1300i16..=1500, 1i8..=12).prop_flat_map(|(y, m)| {
        let days = jalali_month_length(y, m) as i8;
        (Just(y), Just(m), 1..=days)
    })
}

/// Text mixing Persian, Latin, digits of every style, ZWNJ and punctuation.
fn mixed_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9۰-۹٠-٩ابپتثجچکگیيكهٔ\u{200c} .,،؛!؟«»()-]{0,40}")
        .unwrap()
}

proptest! {
    #[test]
    fn jalali_to_gregorian_and_back((y, m, d) in jalali_date()) {
        let greg = jalali_to_gregorian(y, m, d).unwrap();
        let back = gregorian_to_jalali(greg).unwrap();
        prop_assert_eq!((back.year, back.month, back.day), (i32::from(y), m as u8, d as u8));
    }

    #[test]
    fn gregorian_to_jalali_and_back(days in 0i64..73_000) {
        let greg = jiff::civil::date(1921, 3, 21).checked_add(jiff::Span::new().days(days)).unwrap();
        let j = gregorian_to_jalali(greg).unwrap();
        prop_assert_eq!(jalali_to_gregorian(j.year as i16, j.month as i8, j.day as i8).unwrap(), greg);
    }

    #[test]
    fn slugs_are_idempotent_and_never_empty_with_a_fallback(text in mixed_text(), id in 1u64..u64::MAX) {
        let slug = slugify(&text);
        prop_assert_eq!(slugify(&slug), slug.clone());
        prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
        prop_assert!(!slugify_or(&text, &id.to_string()).is_empty());
    }

    #[test]
    fn digit_conversion_leaves_latin_words_alone(words in proptest::collection::vec(mixed_text(), 0..6)) {
        let text = words.join(" ");
        for style in [DigitStyle::Persian, DigitStyle::Latin] {
            let converted = convert_prose_digits(&text, style);
            let before: Vec<&str> = text.split(' ').collect();
            let after: Vec<&str> = converted.split(' ').collect();
            prop_assert_eq!(before.len(), after.len());
            for (b, a) in before.iter().zip(&after) {
                if b.chars().any(|c| c.is_ascii_alphabetic()) {
                    prop_assert_eq!(b, a, "a word with Latin letters changed");
                }
            }
        }
    }

    #[test]
    fn folding_is_idempotent(text in mixed_text()) {
        prop_assert_eq!(fold(&fold(&text)), fold(&text));
    }
}
