//! Typography findings point at real text, and applying their fixes never breaks UTF-8.
#![no_main]

use chapar::load::markdown::check_typography as check_markdown;
use chapar::persian::typography::{apply_fixes, check_text, check_title};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for findings in [check_text(text), check_title(text), check_markdown(text)] {
            for f in &findings {
                assert!(f.span.start <= f.span.end && f.span.end <= text.len());
                assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
            }
            let _ = apply_fixes(text, &findings);
        }
    }
});
