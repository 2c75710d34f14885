//! What the command line runs: `build` (the pipeline, stage by stage), `serve`, `check`,
//! `fix`, `new` and `init`.

pub mod build;
pub mod check;
mod edit;
pub mod fix;
pub mod report;
pub mod scaffold;
pub mod serve;
pub mod state;
