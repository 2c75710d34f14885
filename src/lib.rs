//! chapar: a static site generator for Persian newsrooms.
//!
//! The build is a one-way pipeline, one module per stage:
//! `config` + `content` (load) → `site` (assemble) → `render` → `output` (write),
//! driven by `build`.

pub mod build;
pub mod check;
pub mod config;
pub mod content;
pub mod diagnostic;
mod fast_hash;
pub mod fingerprint;
pub mod fix;
mod json_text;
pub mod links;
mod long_text;
pub mod markdown;
pub mod output;
pub mod persian;
pub mod progress;
pub mod publish;
pub mod render;
pub mod sanitize;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
mod trash;
pub mod yaml;

pub use build::{BuildOptions, BuildReport, build};
pub use diagnostic::Diagnostic;
