//! chapar: a static site generator for Persian newsrooms.
//!
//! The build is a one-way pipeline, one module per stage:
//! `config` + `content` (load) → `site` (assemble) → `render` → `output` (write).

pub mod config;
pub mod content;
pub mod diagnostic;
pub mod markdown;
pub mod persian;
pub mod yaml;
