//! One build, stage by stage (`build_locked` reads as the list): set up (settings and
//! templates) → read → assemble → render → publish → write → remember. Each stage is a
//! function in `stages` that takes the previous stage's value and its own slot of the
//! `BuildState`, and returns its value; each reports diagnostics, and the build writes
//! nothing when any of them is an error.
//!
//! Builds are incremental: a `BuildState` remembers what each release file gave and what each
//! output file was made from, so an unchanged file is not parsed again and a page whose
//! inputs are unchanged is not rendered again. The output is the same as a clean build's.
//! `serve`'s edits go down the same stages: `edit` reads only the changed releases into the
//! last site, and the scope it gives (`Scope::Touching`) renders only the pages showing them
//! and leaves publishing to the full build that follows.

mod edit;
pub mod options;
pub mod report;
mod stages;
pub mod state;

use std::path::Path;
use std::time::Instant;

use anyhow::Result;

pub use options::{BuildOptions, DEFAULT_OUT_DIR, STATIC_DIR};
pub use report::{BuildReport, CpuTime, Stage};
use stages::Run;
pub use state::BuildState;

use crate::load;
use crate::write::OutputLock;

/// Builds the site, starting from the state the previous build into the same output folder
/// left (`--force` starts clean). `Err` only for the tool's own I/O failures (a full disk,
/// say); everything an editor can fix comes back as diagnostics in the report.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let out_dir = options.out_dir();
    // The lock first: another build must not change the folder between this one reading the
    // state and using it. (A refused folder is not touched, not even for its lock: the build
    // reports the refusal.)
    let lock = match crate::write::refuse_output(&options.root, &out_dir, options.force) {
        None => Some(OutputLock::take(&out_dir)?),
        Some(_) => None,
    };
    let path = BuildState::path(&out_dir);
    let (started, cpu) = (Instant::now(), CpuTime::now());
    let (mut state, found) = std::thread::scope(|scope| {
        // The release files are listed while the state is decoded: the walk is mostly the
        // file system's work, on one thread, and decoding leaves room beside it. (Without a
        // thread, or if it fails, the files are listed when they are read.)
        let finding = std::thread::Builder::new()
            .spawn_scoped(scope, || load::find_releases(&options.root))
            .ok();
        let state = if options.force {
            BuildState::default()
        } else {
            BuildState::read(&path)
        };
        (state, finding.and_then(|f| f.join().ok()))
    });
    state
        .search
        .keep_documents_in(crate::write::beside(&out_dir, "search"));
    let (loading, _) = Stage::since("state", started, cpu);
    let mut report = build_locked(options, &mut state, Some(&path), lock, found)?;
    report.stages.insert(0, loading);
    // Freeing the state of a large site takes a while (0.4-0.6 s at 100,000 releases, after
    // the build has finished), and nobody needs to wait for it: it is freed on a thread of
    // its own, which the process may end before it is done. (If no thread can be started, it
    // is freed here.)
    let _ = std::thread::Builder::new().spawn(move || drop(state));
    Ok(report)
}

/// Builds the site from `state` and updates it. With `state_file`, the state is also saved
/// there for the next build; the file is made unreadable while the output folder changes
/// (`BuildState::invalidate`), so a build killed in between leaves no record that could
/// mislead the next one.
pub fn build_with(
    options: &BuildOptions,
    state: &mut BuildState,
    state_file: Option<&Path>,
) -> Result<BuildReport> {
    build_locked(options, state, state_file, None, None)
}

/// `build_with`, under `lock` when the caller took it already, and of the release files
/// `found` if the caller looked for them already.
fn build_locked(
    options: &BuildOptions,
    state: &mut BuildState,
    state_file: Option<&Path>,
    lock: Option<OutputLock>,
    found: Option<load::ReleaseFiles>,
) -> Result<BuildReport> {
    let mut run = Run::new(options, state_file);
    let Some((setup, config)) = stages::set_up(&mut run)? else {
        return Ok(run.finish());
    };
    run.stage_done("templates");
    let read = match edit::plan(&run, state, &setup) {
        Some(plan) => edit::read(&mut run, state, &setup, plan),
        None => stages::read(&mut run, state, &setup, config, found),
    };
    run.stage_done("reading");
    let (Some(renderer), 0) = (&setup.renderer, run.report.errors()) else {
        return Ok(run.finish());
    };
    let site = stages::assemble(&mut run, state, renderer, setup.now, read);
    run.stage_done("assembling");
    let rendered = stages::render(&mut run, state, renderer, &site, lock)?;
    run.stage_done("rendering");
    let published = stages::publish(&mut run, state, &setup, &site, &rendered)?;
    if site.scope.is_all() {
        run.stage_done("publishing");
    }
    if run.report.errors() > 0 {
        return Ok(run.finish());
    }
    stages::write(&mut run, state, &setup, &site, rendered, published)?;
    run.stage_done("writing");
    stages::remember(&mut run, state, renderer, site);
    Ok(run.finish())
}
