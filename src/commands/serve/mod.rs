//! `chapar serve`: the editor's loop. Builds the site into a private folder, serves it on
//! 127.0.0.1, watches the sources, rebuilds on every save, and reloads the browser. A build
//! error shows over the last good pages instead of stopping the server.

mod http;
mod watch;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::commands::pipeline::{BuildOptions, BuildReport, BuildState, build_with};
use crate::model::diagnostic::Diagnostic;

pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: String,
    /// 0 picks a free port.
    pub port: u16,
    pub drafts: bool,
}

/// What the server shows: where the last good build is, and the errors of the last build if
/// it failed.
#[derive(Default)]
pub(crate) struct State {
    pub out_dir: PathBuf,
    pub errors: Vec<Diagnostic>,
    /// The `Host` values a request may carry: this server's own names. Anything else is
    /// refused, so a web page cannot reach the preview through DNS rebinding.
    pub hosts: Vec<String>,
}

/// Browsers waiting for the next reload.
#[derive(Default)]
pub(crate) struct Listeners {
    senders: Mutex<Vec<Sender<()>>>,
}

impl Listeners {
    pub fn subscribe(&self) -> Receiver<()> {
        let (tx, rx) = mpsc::channel();
        if let Ok(mut s) = self.senders.lock() {
            s.push(tx);
        }
        rx
    }

    /// Tells every open page to reload; forgets pages that went away.
    pub fn reload(&self) {
        if let Ok(mut s) = self.senders.lock() {
            s.retain(|tx| tx.send(()).is_ok());
        }
    }
}

/// What one rebuild gave.
pub struct Rebuilt {
    pub diagnostics: Vec<Diagnostic>,
    /// From the start of the build to the reload event.
    pub until_reload: Duration,
    /// The stages of the build before the reload (`BuildReport::stages`).
    pub stages: Vec<crate::commands::pipeline::Stage>,
}

/// A running server. Dropping it does not stop the threads; `chapar serve` runs until Ctrl-C.
pub struct Server {
    pub url: String,
    listener: TcpListener,
    state: Arc<RwLock<State>>,
    listeners: Arc<Listeners>,
    options: BuildOptions,
    /// What the last build made, kept in memory: a save re-renders only what it affects.
    build_state: Mutex<BuildState>,
}

impl Server {
    /// Binds the port (the next free one when it is taken, unless 0 was asked for) and makes
    /// the first build, whose diagnostics it returns. Build errors do not stop it.
    pub fn start(options: &ServeOptions, out_dir: &Path) -> Result<(Server, Vec<Diagnostic>)> {
        let (server, port) = bind(&options.bind, options.port)?;
        let url = format!("http://{}:{port}/", options.bind);
        let build_options = BuildOptions {
            root: options.root.clone(),
            out_dir: Some(out_dir.to_path_buf()),
            include_drafts: options.drafts,
            base_url: Some(url.clone()),
            now: None,
            force: true,
            progress: None,
            defer_whole_site: false,
            changed: None,
        };
        let server = Server {
            url,
            listener: server,
            state: Arc::new(RwLock::new(State {
                out_dir: out_dir.to_path_buf(),
                errors: Vec::new(),
                hosts: [options.bind.as_str(), "localhost", "127.0.0.1", "[::1]"]
                    .iter()
                    .flat_map(|h| [format!("{h}:{port}"), h.to_string()])
                    .collect(),
            })),
            listeners: Arc::new(Listeners::default()),
            options: build_options,
            build_state: Mutex::new(BuildState::default()),
        };
        let diagnostics = server.rebuild().diagnostics;
        Ok((server, diagnostics))
    }

    /// Builds again and reloads the browsers. The files made from the whole site (sitemaps,
    /// open data, the search index) are brought up to date right after the reload, so an
    /// edited page shows without waiting for them.
    pub fn rebuild(&self) -> Rebuilt {
        self.rebuild_after(None)
    }

    /// `rebuild`, told which source files changed since the last build (`None`: any may have).
    fn rebuild_after(&self, changed: watch::Changes) -> Rebuilt {
        let started = Instant::now();
        // A rebuild that failed midway may have left the state half updated: start clean.
        let mut state = self.build_state.lock().unwrap_or_else(|poisoned| {
            let mut state = poisoned.into_inner();
            *state = BuildState::default();
            state
        });
        let pages_first = BuildOptions {
            defer_whole_site: true,
            changed: changed.map(|c| c.into_iter().collect()),
            ..self.options.clone()
        };
        let result = build_with(&pages_first, &mut state, None);
        let stages = result
            .as_ref()
            .map(|report| report.stages.clone())
            .unwrap_or_default();
        let succeeded = matches!(&result, Ok(report) if report.succeeded);
        let diagnostics = self.show(result);
        self.listeners.reload();
        let until_reload = started.elapsed();
        if succeeded {
            // Nothing changed since the first build: its records are the truth.
            let whole_site = BuildOptions {
                changed: Some(Vec::new()),
                ..self.options.clone()
            };
            let result = build_with(&whole_site, &mut state, None);
            if !matches!(&result, Ok(report) if report.succeeded) {
                self.show(result);
                self.listeners.reload();
            }
        }
        Rebuilt {
            diagnostics,
            until_reload,
            stages,
        }
    }

    /// Makes a build's errors what the browsers see (none after a good build); returns its
    /// diagnostics.
    fn show(&self, result: Result<BuildReport>) -> Vec<Diagnostic> {
        match result {
            Ok(report) if report.succeeded => {
                self.set_errors(Vec::new());
                report.diagnostics
            }
            Ok(report) => {
                self.set_errors(
                    report
                        .diagnostics
                        .iter()
                        .filter(|d| d.is_error())
                        .cloned()
                        .collect(),
                );
                report.diagnostics
            }
            Err(e) => {
                let d = Diagnostic::error("build", format!("{e:#}"));
                self.set_errors(vec![d.clone()]);
                vec![d]
            }
        }
    }

    fn set_errors(&self, errors: Vec<Diagnostic>) {
        if let Ok(mut state) = self.state.write() {
            state.errors = errors;
        }
    }

    /// Answers requests, one thread each (event streams stay open), until the process ends.
    pub fn serve_forever(&self) {
        for stream in self.listener.incoming().flatten() {
            let state = self.state.clone();
            let listeners = self.listeners.clone();
            std::thread::spawn(move || http::handle(stream, &state, &listeners));
        }
    }

    /// Watches the sources and rebuilds on every change, in a thread of its own; `on_build`
    /// hears about each rebuild.
    pub fn watch(self: &Arc<Self>, on_build: impl Fn(&Rebuilt) + Send + 'static) -> Result<()> {
        let server = self.clone();
        let changes = watch::watch(&self.options.root)?;
        std::thread::spawn(move || {
            while let Ok(mut changed) = changes.recv() {
                // Saves come in bursts (several files, editor temp files): take them together.
                while let Ok(more) = changes.try_recv() {
                    changed = watch::merge(changed, more);
                }
                on_build(&server.rebuild_after(changed));
            }
        });
        Ok(())
    }
}

/// Binds `port`, or the next free one of the ten after it.
fn bind(address: &str, port: u16) -> Result<(TcpListener, u16)> {
    let tries = if port == 0 { 1 } else { 10 };
    let mut last_error = String::new();
    for candidate in (0..tries).map(|i| port.saturating_add(i)) {
        match TcpListener::bind((address, candidate)) {
            Ok(listener) => {
                let actual = listener.local_addr().map_or(candidate, |a| a.port());
                return Ok((listener, actual));
            }
            Err(e) => last_error = e.to_string(),
        }
    }
    bail!(
        "cannot listen on {address}:{port} or the {} ports after it: {last_error}; choose another with --port",
        tries - 1
    )
}

/// The private output folder of a serve session: a new folder with a random name that only
/// this user may read (drafts are in it), removed when it ends.
pub fn session_dir() -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("chapar-serve-")
        .tempdir()
        .context("cannot create a folder for the preview")?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
            .context("cannot make the preview folder private")?;
    }
    Ok(dir)
}
