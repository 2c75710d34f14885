//! What a build tells its caller: the diagnostics, the counts, and how long each stage took.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::model::diagnostic::Diagnostic;
use crate::write::WriteStats;

#[derive(Debug, Default)]
pub struct BuildReport {
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Press release files found.
    pub files: usize,
    /// Release files read and parsed (the others were unchanged since the previous build).
    pub parsed: usize,
    /// Articles published in the site.
    pub articles: usize,
    pub written: WriteStats,
    pub elapsed: Duration,
    /// How long each stage took: state (reading the previous build's state, for `build`),
    /// templates (setting up the renderer), reading (with the search
    /// documents of the releases parsed), assembling, rendering, publishing (feeds, sitemaps,
    /// open data and the search index), writing.
    pub stages: Vec<Stage>,
    /// Whether the output folder was replaced.
    pub succeeded: bool,
    /// Whether the build applied an edit to the last site, rendering only the pages that
    /// show the edited releases (see `delta`).
    pub only_touched_pages: bool,
}

impl BuildReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// The number of files with at least one error.
    pub fn files_with_errors(&self) -> usize {
        let mut paths: Vec<&Path> = self
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.path.as_path())
            .collect();
        paths.dedup();
        paths.len()
    }

    /// One line for the end of the output.
    pub fn summary(&self) -> String {
        let warnings = self.diagnostics.len() - self.errors();
        let warned = if warnings > 0 {
            format!(", {warnings} warning(s)")
        } else {
            String::new()
        };
        if self.succeeded {
            let removed = if self.written.removed > 0 {
                format!(", {} removed", self.written.removed)
            } else {
                String::new()
            };
            format!(
                "built {} articles from {} files ({} parsed) in {:.2}s: {} files written, {} unchanged{removed}{warned}",
                self.articles,
                self.files,
                self.parsed,
                self.elapsed.as_secs_f64(),
                self.written.written,
                self.written.unchanged
            )
        } else {
            format!(
                "build failed: {} error(s) in {} file(s), {} files read{warned}; the previous site was left as it was",
                self.errors(),
                self.files_with_errors(),
                self.files
            )
        }
    }
}

/// One stage of a build.
#[derive(Debug, Clone)]
pub struct Stage {
    pub name: &'static str,
    pub took: Duration,
    /// The process's peak resident memory so far, in bytes, where the system tells it.
    pub peak_memory: Option<u64>,
    /// The CPU time all the process's threads spent in the stage, in chapar and in the kernel
    /// (writing files is mostly the kernel's), where the system tells it.
    pub cpu: Option<CpuTime>,
}

impl Stage {
    /// The stage `name`, begun at `started` when the process had used `cpu`; with the CPU
    /// time now, where the next stage begins.
    pub(super) fn since(
        name: &'static str,
        started: Instant,
        cpu: Option<CpuTime>,
    ) -> (Stage, Option<CpuTime>) {
        let now = CpuTime::now();
        let stage = Stage {
            name,
            took: started.elapsed(),
            peak_memory: peak_memory(),
            cpu: now.zip(cpu).map(|(now, then)| now.since(then)),
        };
        (stage, now)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTime {
    pub user: Duration,
    pub system: Duration,
}

impl CpuTime {
    /// This process's CPU time so far (Linux's `/proc/self/stat`, in 1/100 s).
    pub(super) fn now() -> Option<CpuTime> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // The command name, in parentheses, may hold spaces: fields are counted after it.
        let fields: Vec<&str> = stat
            .get(stat.rfind(')')? + 1..)?
            .split_whitespace()
            .collect();
        let ticks = |i: usize| -> Option<Duration> {
            Some(Duration::from_millis(
                fields.get(i)?.parse::<u64>().ok()? * 10,
            ))
        };
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        Some(CpuTime {
            user: ticks(11)?,
            system: ticks(12)?,
        })
    }

    fn since(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
        }
    }
}

/// The peak resident memory of this process so far (Linux's `VmHWM`).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_grows_with_work_done() {
        // The figures are the whole process's (other tests run beside this one), so the test
        // works until they grow, and checks they grow no faster than the CPUs can.
        let before = CpuTime::now().expect("Linux tells a process its CPU time");
        let started = Instant::now();
        let mut spent = CpuTime::default();
        let mut x = 1u64;
        while spent.user < Duration::from_millis(50) && started.elapsed() < Duration::from_secs(10)
        {
            for _ in 0..1_000_000 {
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
            spent = CpuTime::now().unwrap().since(before);
        }
        let elapsed = started.elapsed();
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        assert!(
            spent.user >= Duration::from_millis(50),
            "user time {spent:?} after {elapsed:?} of work"
        );
        assert!(
            spent.user + spent.system <= elapsed * cpus + Duration::from_millis(30),
            "{spent:?} in {elapsed:?} on {cpus} CPUs"
        );
    }
}
