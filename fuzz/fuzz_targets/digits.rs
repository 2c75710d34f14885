//! Digit conversion leaves words with Latin letters alone and never changes the word count.
#![no_main]

use chapar::persian::digits::{DigitStyle, convert_prose_digits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for style in [DigitStyle::Persian, DigitStyle::Latin, DigitStyle::AsWritten] {
            let converted = convert_prose_digits(text, style);
            let before: Vec<&str> = text.split_whitespace().collect();
            let after: Vec<&str> = converted.split_whitespace().collect();
            assert_eq!(before.len(), after.len());
            for (b, a) in before.iter().zip(&after) {
                if b.chars().any(|c| c.is_ascii_alphabetic()) {
                    assert_eq!(b, a);
                }
            }
        }
    }
});
