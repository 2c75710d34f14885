//! The `chapar` command line: parses arguments, calls the library, prints diagnostics and
//! sets the exit code. All logic lives in the library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chapar::Diagnostic;
use chapar::model::diagnostic::Severity;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "chapar",
    version,
    about = "A static site generator for Persian newsrooms"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print only errors.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Print more: how long each stage of a build took.
    #[arg(long, short, global = true)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (public/ by default).
    Build {
        /// The site root, holding site.yaml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The output folder (default: public/ under the root).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Include drafts and releases dated in the future.
        #[arg(long)]
        drafts: bool,
        /// Use this base URL instead of site.yaml's `base_url`.
        #[arg(long)]
        base_url: Option<String>,
        /// Replace the output folder even if it holds files chapar did not write.
        #[arg(long)]
        force: bool,
    },
    /// Check the site without building it: everything `build` checks, plus typography, links,
    /// images and duplicate titles.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit with 2 when there are warnings (and no errors).
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Apply the safe typography fixes to release files (all of content/ by default).
    Fix {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Print what would change, as a diff, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Files or folders, relative to the root.
        paths: Vec<PathBuf>,
    },
    /// Create a new release under content/<desk>/ and print its path.
    New {
        /// The headline.
        title: String,
        /// A desk key (or Persian name) from site.yaml.
        #[arg(long)]
        desk: String,
        #[arg(long)]
        author: Option<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Start a new newsroom in DIR: site.yaml and one release.
    Init { dir: PathBuf },
    /// Preview the site: build, serve on 127.0.0.1, rebuild and reload the browser on save.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port; the next free one is taken when it is busy. 0 picks any free port.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// The address to listen on. Anything but loopback shows the preview to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Include drafts and releases dated in the future (as a preview should).
        #[arg(long)]
        drafts: bool,
        /// Open the site in the browser.
        #[arg(long)]
        open: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Prints to standard output; a reader that went away (`chapar check | head`) ends the
/// program quietly instead of a panic.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write;
        if writeln!(std::io::stdout().lock(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// Prints to standard error; a stderr that cannot be written (`2>/dev/full`, a closed pipe)
/// loses the message, never the build: the exit code still says how it went.
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// glibc's allocator took 13 % of a full build's user time (a profile of 10,000 releases):
/// the build makes and drops many small strings on two threads, which mimalloc serves from
/// per-thread pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (quiet, verbose) = (cli.quiet, cli.verbose);
    let result = match cli.command {
        Command::Build {
            root,
            out,
            drafts,
            base_url,
            force,
        } => {
            let options = chapar::BuildOptions {
                root,
                out_dir: out,
                include_drafts: drafts,
                base_url,
                now: None,
                force,
                progress: (!quiet && std::io::stderr().is_terminal()).then(Bar::handle),
                defer_whole_site: false,
                changed: None,
            };
            chapar::build(&options).map(|report| {
                print_diagnostics(&report.diagnostics, quiet);
                if verbose {
                    print_stages(&report.stages, 0);
                }
                if !quiet || !report.succeeded {
                    err!("{}", report.summary());
                }
                if report.succeeded {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            })
        }
        Command::Check {
            root,
            format,
            deny_warnings,
        } => chapar::commands::check::check(&root, None).map(|report| {
            match format {
                Format::Text => print_grouped(&report.diagnostics, quiet),
                Format::Json => out!("{}", json_report(&report)),
            }
            if !quiet && matches!(format, Format::Text) {
                err!(
                    "{} error(s), {} warning(s) in {} file(s) checked",
                    report.errors(),
                    report.warnings(),
                    report.files
                );
            }
            match (report.errors(), report.warnings()) {
                (0, 0) => ExitCode::SUCCESS,
                (0, _) if !deny_warnings => ExitCode::SUCCESS,
                (0, _) => ExitCode::from(2),
                _ => ExitCode::from(1),
            }
        }),
        Command::Fix {
            root,
            dry_run,
            paths,
        } => chapar::commands::fix::plan(&root, &paths).and_then(|fixes| {
            let total: usize = fixes.iter().map(|f| f.fixes).sum();
            if dry_run {
                for fix in &fixes {
                    out!("{}", fix.diff().trim_end());
                }
            } else {
                chapar::commands::fix::apply(&root, &fixes)?;
                if !quiet {
                    for fix in &fixes {
                        err!("fixed {} ({} change(s))", fix.path.display(), fix.fixes);
                    }
                }
            }
            if !quiet {
                let verb = if dry_run { "would change" } else { "changed" };
                err!("{total} fix(es) {verb} {} file(s)", fixes.len());
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::New {
            title,
            desk,
            author,
            root,
        } => chapar::commands::scaffold::new_release(
            &root,
            &title,
            &desk,
            author.as_deref(),
            jiff::Timestamp::now(),
        )
        .map(|path| {
            out!("{}", path.display());
            ExitCode::SUCCESS
        }),
        Command::Serve {
            root,
            port,
            bind,
            drafts,
            open,
        } => serve(root, port, bind, drafts, open, quiet, verbose),
        Command::Init { dir } => chapar::commands::scaffold::init(&dir, jiff::Timestamp::now())
            .map(|created| {
                if !quiet {
                    for path in &created {
                        err!("created {}", dir.join(path).display());
                    }
                    err!("build it with: chapar build --root {}", dir.display());
                }
                ExitCode::SUCCESS
            }),
    };
    result.unwrap_or_else(|e| {
        err!("{}: {e:#}", paint("error", Severity::Error));
        ExitCode::from(1)
    })
}

/// The stages of a build with their time (with `decimals`), the peak memory so far and the
/// CPU time they took.
fn print_stages(stages: &[chapar::commands::pipeline::Stage], decimals: usize) {
    for stage in stages {
        let peak = stage
            .peak_memory
            .map(|bytes| format!("  peak {:>5} MB", bytes / (1024 * 1024)))
            .unwrap_or_default();
        let cpu = stage
            .cpu
            .map(|cpu| {
                format!(
                    "  cpu {:>6} ms user {:>6} ms system",
                    cpu.user.as_millis(),
                    cpu.system.as_millis()
                )
            })
            .unwrap_or_default();
        err!(
            "  {:<10} {:>8.decimals$} ms{peak}{cpu}",
            stage.name,
            stage.took.as_secs_f64() * 1000.0
        );
    }
}

/// Runs the preview server until Ctrl-C.
fn serve(
    root: PathBuf,
    port: u16,
    bind: String,
    drafts: bool,
    open: bool,
    quiet: bool,
    verbose: bool,
) -> anyhow::Result<ExitCode> {
    use std::sync::Arc;
    let loopback = bind
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
        || bind == "localhost";
    if !loopback {
        err!(
            "{}: serving on {bind} shows the preview, drafts included, to every machine that can reach it",
            paint("warning", Severity::Warning)
        );
    }
    let session = chapar::commands::serve::session_dir()?;
    let out = session.path().join("site");
    let session_path = session.path().to_path_buf();
    let cleanup = move || {
        let _ = std::fs::remove_dir_all(&session_path);
    };
    let on_exit = cleanup.clone();
    // Ctrl-C, or a SIGTERM from a process manager: remove the preview folder, then leave.
    ctrlc::set_handler(move || {
        on_exit();
        std::process::exit(0);
    })?;
    if !quiet {
        err!("preview folder: {}", session.path().display());
    }
    let options = chapar::commands::serve::ServeOptions {
        root,
        bind,
        port,
        drafts,
    };
    let server = match chapar::commands::serve::Server::start(&options, &out) {
        Ok((server, diagnostics)) => {
            print_diagnostics(&diagnostics, quiet);
            Arc::new(server)
        }
        Err(e) => {
            cleanup();
            return Err(e);
        }
    };
    out!("serving {} (Ctrl-C to stop)", server.url);
    server.watch(move |rebuilt| {
        print_diagnostics(&rebuilt.diagnostics, quiet);
        let took = rebuilt.until_reload.as_secs_f64() * 1000.0;
        let errors = rebuilt.diagnostics.iter().filter(|d| d.is_error()).count();
        if errors > 0 {
            err!("rebuild failed with {errors} error(s) in {took:.0} ms; the last good pages are still served");
        } else if !quiet {
            err!("rebuilt in {took:.0} ms");
        }
        if verbose {
            print_stages(&rebuilt.stages, 1);
        }
    })?;
    if open {
        let _ = std::process::Command::new("xdg-open")
            .arg(&server.url)
            .spawn();
    }
    server.serve_forever();
    cleanup();
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on the terminal for long builds (only when stderr is one).
struct Bar(indicatif::ProgressBar);

impl Bar {
    fn handle() -> chapar::model::progress::ProgressHandle {
        let bar = indicatif::ProgressBar::new_spinner();
        // Drawn only when a build lasts long enough to need it.
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(8));
        chapar::model::progress::ProgressHandle(std::sync::Arc::new(Bar(bar)))
    }
}

impl chapar::model::progress::Progress for Bar {
    fn stage(&self, name: &'static str, _total: Option<u64>) {
        self.0.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {pos} files, {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        self.0.set_message(name);
        self.0
            .enable_steady_tick(std::time::Duration::from_millis(120));
    }

    fn advance(&self) {
        self.0.inc(1);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// Colour only for a terminal, and never when NO_COLOR is set (no-color.org).
fn paint(word: &str, severity: Severity) -> String {
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    match (colour, severity) {
        (false, _) => word.to_string(),
        (true, Severity::Error) => format!("\x1b[1;31m{word}\x1b[0m"),
        (true, Severity::Warning) => format!("\x1b[1;33m{word}\x1b[0m"),
    }
}

fn severity_word(d: &Diagnostic) -> &'static str {
    if d.is_error() { "error" } else { "warning" }
}

fn print_diagnostics(diagnostics: &[Diagnostic], quiet: bool) {
    for d in diagnostics.iter().filter(|d| d.is_error() || !quiet) {
        let text = d.to_string();
        let word = severity_word(d);
        err!(
            "{}",
            text.replacen(
                &format!(": {word}: "),
                &format!(": {}: ", paint(word, d.severity)),
                1
            )
        );
    }
}

/// `check`'s text output: diagnostics grouped under their file.
fn print_grouped(diagnostics: &[Diagnostic], quiet: bool) {
    let mut current: Option<&Path> = None;
    for d in diagnostics.iter().filter(|d| d.is_error() || !quiet) {
        if current != Some(d.path.as_path()) {
            out!("{}", d.shown_path());
            current = Some(d.path.as_path());
        }
        let place = match (d.line, d.column) {
            (0, _) => String::from("-"),
            (l, 0) => l.to_string(),
            (l, c) => format!("{l}:{c}"),
        };
        let rule = d.rule.map(|r| format!(" [{r}]")).unwrap_or_default();
        out!(
            "  {place:>7}  {}: {}{rule}",
            paint(severity_word(d), d.severity),
            d.message
        );
        if let Some(hint) = &d.hint {
            out!("  {:>7}  hint: {hint}", "");
        }
    }
}

fn json_report(report: &chapar::commands::check::CheckReport) -> String {
    let items: Vec<serde_json::Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            serde_json::json!({
                "path": d.path.to_string_lossy(),
                "line": d.line,
                "column": d.column,
                "severity": severity_word(d),
                "rule": d.rule,
                "message": d.message,
                "hint": d.hint,
            })
        })
        .collect();
    serde_json::json!({
        "files": report.files,
        "errors": report.errors(),
        "warnings": report.warnings(),
        "diagnostics": items,
    })
    .to_string()
}
