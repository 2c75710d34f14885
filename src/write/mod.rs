//! Writing the site. New and changed files go into a staging folder beside the output folder
//! and reach the output folder only when the whole build succeeded: a failed build leaves the
//! previous site exactly as it was. Then, one of two ways:
//!
//! - Few files changed (the usual edit): each is renamed into place, under a journal that the
//!   next build finishes if this one is killed halfway. Every file is always whole; readers
//!   may briefly see some pages of the new build beside others of the old.
//! - Many changed, or the previous build's files cannot be told (no record of them, and the
//!   folder is not one chapar wrote): the staging folder is completed with hard links to the
//!   unchanged files and exchanged with the output folder in one atomic step, so readers see
//!   the old site or the new one, never a mix.
//!
//! Unchanged files are never rewritten: they keep their inode and modification time, and
//! deploy tools see real differences only.

mod commit;
mod guard;
mod journal;
mod lock;
pub mod output;
mod paths;
mod record;
mod staging;
mod staging_output;
pub mod trash;

pub use commit::Committed;
pub use guard::{MARKER, marker_identity, refuse_output};
pub use lock::OutputLock;
pub use output::Output;
pub use paths::beside;
pub use record::Outputs;
pub use staging::{Staging, WriteStats};
pub use staging_output::StagingOutput;
