//! `garbled calibrate`: fit the scorer's weights on corruptions of clean text.

use std::path::PathBuf;

use anyhow::{Context, Result};
use garbled::calibrate::{self, CalibrateOptions};
use garbled::realword::RealwordCalibrateOptions;
use garbled::Model;

use super::common::read_documents;
use super::Outcome;

/// Arguments of `garbled calibrate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Clean text (files or directories) like the text the model will check.
    #[arg(required = true, value_name = "CLEAN_TEXT")]
    text: Vec<PathBuf>,
    /// The model to calibrate.
    #[arg(short, long)]
    model: PathBuf,
    /// Where to write the calibrated model (may be the same path).
    #[arg(short, long)]
    out: PathBuf,
    #[command(flatten)]
    options: CalibrateArgs,
    /// Worker threads [default: all cores].
    #[arg(short, long)]
    jobs: Option<usize>,
    /// No summary line.
    #[arg(short, long)]
    quiet: bool,
}

/// Options of the calibration step, shared with `train --calibrate`.
#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// Corruption passes over the calibration text.
    #[arg(long, default_value_t = 8)]
    pub passes: u64,
    /// Fraction of words corrupted in each pass.
    #[arg(long, default_value_t = 0.05)]
    pub calibration_rate: f64,
    /// Seed of the first pass.
    #[arg(long, default_value_t = 1)]
    pub calibration_seed: u64,
}

impl CalibrateArgs {
    /// The library options.
    pub fn options(&self) -> Result<CalibrateOptions> {
        anyhow::ensure!(
            self.calibration_rate > 0.0 && self.calibration_rate < 1.0,
            "--calibration-rate must be between 0 and 1 (exclusive)"
        );
        anyhow::ensure!(self.passes > 0, "--passes must be at least 1");
        Ok(CalibrateOptions {
            passes: self.passes,
            rate: self.calibration_rate,
            seed: self.calibration_seed,
            ..CalibrateOptions::default()
        })
    }
}

/// Calibrates `model` in place on the documents under `text`.
pub fn calibrate_model(
    model: &mut Model,
    text: &[PathBuf],
    args: &CalibrateArgs,
    jobs: Option<usize>,
) -> Result<()> {
    let docs = read_documents(text)?;
    let options = args.options()?;
    let calibration = super::with_jobs(jobs, || calibrate::calibrate(model, &docs, &options))??;
    model.set_calibration(calibration);
    if model.word_lm().is_some() {
        super::with_jobs(jobs, || model.index_confusions())?;
        let options = RealwordCalibrateOptions {
            rate: options.rate,
            seed: options.seed,
            ..RealwordCalibrateOptions::default()
        };
        let realword = super::with_jobs(jobs, || {
            garbled::realword::calibrate(model, &docs, &options)
        })??;
        model.set_realword_calibration(realword);
    }
    Ok(())
}

/// Runs `garbled calibrate`.
pub fn run(args: Args) -> Result<Outcome> {
    let mut model = Model::load_to_recalibrate(&args.model)
        .with_context(|| format!("loading model {}", args.model.display()))?;
    calibrate_model(&mut model, &args.text, &args.options, args.jobs)?;
    model
        .save(&args.out)
        .with_context(|| format!("writing model {}", args.out.display()))?;
    if !args.quiet {
        if let Some(c) = model.calibration() {
            eprintln!(
                "garbled: calibrated on {} words ({} corrupted); wrote {}",
                c.examples,
                c.positives,
                args.out.display()
            );
        }
    }
    Ok(Outcome::Ok)
}
