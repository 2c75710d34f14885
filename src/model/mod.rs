//! The data every stage shares: the settings, the articles and the assembled site's data,
//! the addresses pages live at, diagnostics and fingerprints. Nothing here reads or writes a
//! file.

pub mod article;
pub mod config;
pub mod diagnostic;
pub(crate) mod fast_hash;
pub mod fingerprint;
pub mod front_matter;
pub(crate) mod json_text;
pub mod links;
pub(crate) mod long_text;
pub mod paths;
pub mod progress;
pub mod record;
pub mod site;
