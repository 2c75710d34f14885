//! The Markdown pipeline with every option on: digits, base path, sanitizing.
#![no_main]

use chapar::load::markdown::{BodyOptions, render};
use chapar::persian::digits::DigitStyle;
use chapar::load::sanitize::Sanitizer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let sanitizer = Sanitizer::new(&["www.aparat.com".to_string()]);
        let options = BodyOptions { digits: DigitStyle::Persian, base_path: "/press/", sanitizer: Some(&sanitizer) };
        let out = render(text, options);
        assert!(!out.html.contains("<script"), "a script survived: {}", out.html);
        assert!(out.reading_minutes() >= 1);
    }
});
