//! The `chapar` command line: parses arguments, calls the library, prints diagnostics and
//! sets the exit code. All logic lives in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "chapar",
    version,
    about = "A static site generator for Persian newsrooms"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
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
            };
            match chapar::build(&options) {
                Ok(report) => {
                    for d in &report.diagnostics {
                        eprintln!("{d}");
                    }
                    eprintln!("{}", report.summary());
                    if report.succeeded {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    eprintln!("build failed; the previous site was left as it was");
                    ExitCode::from(1)
                }
            }
        }
    }
}
