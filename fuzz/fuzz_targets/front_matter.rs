//! A whole release file: front matter splitting, YAML, the schema, Markdown, sanitizing.
#![no_main]

use std::sync::OnceLock;

use chapar::model::config::SiteConfig;
use chapar::load::{Parsing, parse_article};
use libfuzzer_sys::fuzz_target;

fn config() -> &'static SiteConfig {
    static CONFIG: OnceLock<SiteConfig> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let yaml = "title: t\nbase_url: https://e.org/press/\ndesks:\n  - key: provinces\n    name: استان‌ها\n";
        chapar::load::config::parse(yaml).expect("a valid site.yaml")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let parsing = Parsing::new(config());
        let (article, diagnostics) = parse_article("fuzz.md".into(), text, &parsing);
        // A file gives an article or says why not.
        assert!(article.is_some() || diagnostics.iter().any(|d| d.is_error()));
        for d in diagnostics {
            let _ = d.to_string();
        }
    }
});
