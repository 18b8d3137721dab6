//! `garbled merge`: the reduce step of distributed training.

use std::path::PathBuf;

use anyhow::{Context, Result};
use garbled::model_file::{self, FileKind};
use garbled::train::{self, Shard};

use super::train::{EstimateArgs, ExtrasArgs};
use super::Outcome;

/// Arguments of `garbled merge`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Count shards written by `garbled train --counts-only`, in corpus order.
    #[arg(required = true, value_name = "SHARD")]
    shards: Vec<PathBuf>,
    /// Where to write the model (or the merged shard, with --counts-only).
    #[arg(short, long, value_name = "MODEL")]
    out: PathBuf,
    /// Write the merged counts as a shard instead of a model (tree reductions).
    #[arg(long)]
    counts_only: bool,
    #[command(flatten)]
    estimate: EstimateArgs,
    #[command(flatten)]
    extras: ExtrasArgs,
    /// Worker threads [default: all cores].
    #[arg(short, long)]
    jobs: Option<usize>,
    /// No summary line.
    #[arg(short, long)]
    quiet: bool,
}

/// Runs `garbled merge`.
pub fn run(args: Args) -> Result<Outcome> {
    let config = args.estimate.config(None)?;
    let shards = args
        .shards
        .iter()
        .map(|p| {
            model_file::read::<Shard>(FileKind::Shard, p)
                .with_context(|| format!("reading shard {}", p.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let merged = train::merge(shards);
    if args.counts_only {
        model_file::write(FileKind::Shard, &args.out, &merged)
            .with_context(|| format!("writing shard {}", args.out.display()))?;
        return Ok(Outcome::Ok);
    }
    super::train::write_model(
        merged,
        &config,
        &args.extras,
        None,
        &args.out,
        args.jobs,
        args.quiet,
    )
}
