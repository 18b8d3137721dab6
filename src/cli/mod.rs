//! Command-line interface: one module per subcommand, each with an `Args` type (clap
//! derive) and a `run` function that turns the arguments into library calls.
//!
//! Exit codes: 0 the job ran (with or without findings), 1 findings were reported and
//! `--fail-on-flags` was given, 2 an error, 3 (`flag` only) some records of a feed
//! could not be scored and `--fail-on-errors` was given. A closed standard output
//! (`| head`) counts as success.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

mod calibrate;
mod check;
mod common;
mod corrupt;
mod eval;
mod flag;
mod info;
mod merge;
mod progress;
mod train;

/// Find corrupted words in English text and say what they should have been.
#[derive(Debug, Parser)]
#[command(name = "garbled", version, about, long_about = None)]
#[command(
    after_help = "Exit status: 0 the job ran, 1 flags found with --fail-on-flags, 2 error, \
                  3 error records with `flag --fail-on-errors`."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Flag corrupted words in documents (the main job).
    Check(check::Args),
    /// Flag a feed of records (JSON Lines or a directory) in parallel, one line out per record.
    Flag(flag::Args),
    /// Train a model (character n-grams and lexicon) from clean text or word lists.
    Train(train::Args),
    /// Combine count shards from `train --counts-only` into a model.
    Merge(merge::Args),
    /// Describe a model: metadata and table sizes.
    Info(info::Args),
    /// Fit the scorer's weights on corruptions of clean text.
    Calibrate(calibrate::Args),
    /// Corrupt clean text deterministically and write labels (for measuring).
    Corrupt(corrupt::Args),
    /// Measure detection and correction against labels from `garbled corrupt`.
    Eval(eval::Args),
}

/// What a subcommand reports back to `main`.
pub enum Outcome {
    /// The job ran.
    Ok,
    /// Findings were reported and the user asked to fail on them.
    #[allow(dead_code)]
    Findings,
    /// Some records of a feed could not be scored and the user asked to fail on that.
    RecordErrors,
}

/// Parses the command line, runs it, and maps the result to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Ok(Outcome::RecordErrors) => ExitCode::from(3),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("garbled: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Flag(args) => flag::run(args),
        Command::Train(args) => train::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Info(args) => info::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Corrupt(args) => corrupt::run(args),
        Command::Eval(args) => eval::run(args),
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Runs `f` on a rayon pool of `jobs` threads (all cores when `None`).
pub fn with_jobs<T: Send>(jobs: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = jobs {
        anyhow::ensure!(n > 0, "--jobs must be at least 1");
        builder = builder.num_threads(n);
    }
    let pool = builder.build()?;
    Ok(pool.install(f))
}
