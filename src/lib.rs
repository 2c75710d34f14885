//! chapar: a static site generator for Persian newsrooms.
//!
//! The build is a one-way pipeline, a folder per stage (`docs/architecture.md`):
//! `load` (site.yaml and the release files) → `assemble` (the site's indexes) → `emit`
//! (pages, feeds, sitemaps, open data, search) → `write` (staging, commit, journal, lock),
//! driven by `commands::pipeline`. The layers, lowest first: `persian` (the language), `model`
//! (the data every stage shares), `cache` (the saved-state codec), `load`, `assemble`,
//! `write`, `emit`, `commands`. A module uses only its own layer and those below it
//! (`tests/layers.rs` checks it); `emit` writes through `write::Output`, which lies below it.

pub mod assemble;
pub mod cache;
pub mod commands;
pub mod emit;
pub mod load;
pub mod model;
pub mod persian;
pub mod write;

pub use commands::pipeline::{BuildOptions, BuildReport, build};
pub use model::diagnostic::Diagnostic;
