//! What the command line runs: `build` (the pipeline, stage by stage), `serve`, `check`,
//! `fix`, `new` and `init`.

pub mod check;
pub mod fix;
pub mod pipeline;
pub mod scaffold;
pub mod serve;
