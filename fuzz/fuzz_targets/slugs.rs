//! Slugs: never panicking, idempotent, safe as a path segment.
#![no_main]

use chapar::persian::{slugify, slugify_or};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let slug = slugify(text);
        assert_eq!(slugify(&slug), slug);
        assert!(!slug.contains(['/', '\\', '.', '%']) && !slug.starts_with('-') && !slug.ends_with('-'));
        assert!(!slugify_or(text, "1").is_empty());
    }
});
