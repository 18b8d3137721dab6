//! `garbled eval`: detection and correction quality against labelled corruptions.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use garbled::check::{CheckOptions, Checker};
use garbled::corrupt::Label;
use garbled::eval::{evaluate, PredictedFlag};
use garbled::realword::DEFAULT_REALWORD_THRESHOLD;
use garbled::report::{FlagKind, Report};
use garbled::score::{AllowList, DEFAULT_THRESHOLD};
use rayon::prelude::*;

use super::common::{load_model, read_documents};
use super::Outcome;

/// Arguments of `garbled eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The corrupted text (file or directory) that `garbled corrupt` wrote.
    corrupted: PathBuf,
    /// The labels `garbled corrupt` wrote.
    #[arg(short, long)]
    labels: PathBuf,
    /// Score these predictions (JSON Lines shaped like `garbled check --format json`)
    /// instead of running garbled's own checker.
    #[arg(short, long)]
    predictions: Option<PathBuf>,
    /// Model for the built-in checker [default: the embedded English model].
    #[arg(short, long)]
    model: Option<PathBuf>,
    /// Flag threshold of the built-in checker.
    #[arg(short, long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: f32,
    /// Least suggestion score the fix protocol applies (as `check --fix-confidence`).
    #[arg(long, default_value_t = 0.5)]
    fix_confidence: f64,
    /// Least real-word error probability that is flagged.
    #[arg(long, default_value_t = DEFAULT_REALWORD_THRESHOLD)]
    realword_threshold: f32,
    /// Only look for non-words (no word-context check).
    #[arg(long)]
    no_context: bool,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Worker threads [default: all cores].
    #[arg(short, long)]
    jobs: Option<usize>,
}

fn read_labels(path: &PathBuf) -> Result<Vec<Label>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("reading labels {}", path.display()))?;
    let mut labels = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading labels {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let label: Label = serde_json::from_str(&line)
            .map_err(|e| anyhow::anyhow!("{}:{}: not a label: {e}", path.display(), i + 1))?;
        labels.push(label);
    }
    Ok(labels)
}

fn to_predicted(report: &Report) -> Vec<PredictedFlag> {
    report
        .flags
        .iter()
        .map(|f| PredictedFlag {
            start: f.start,
            end: f.end,
            realword: f.kind == FlagKind::Realword,
            suggestions: f
                .suggestions
                .iter()
                .map(|s| (s.text.clone(), s.score))
                .collect(),
        })
        .collect()
}

/// Matches a prediction's `path` to a document name: exact, or the document name is a
/// path suffix of it (predictions made with `check corrupted/dir/...`).
fn match_document<'a>(names: &'a [String], path: &str) -> Option<&'a String> {
    names.iter().find(|n| *n == path).or_else(|| {
        names
            .iter()
            .filter(|n| std::path::Path::new(path).ends_with(n.as_str()))
            .max_by_key(|n| n.len())
    })
}

/// Runs `garbled eval`.
pub fn run(args: Args) -> Result<Outcome> {
    let docs = read_documents(std::slice::from_ref(&args.corrupted))?;
    let labels = read_labels(&args.labels)?;
    let mut predictions = BTreeMap::new();
    match &args.predictions {
        Some(path) => {
            let names: Vec<String> = docs.iter().map(|(n, _)| n.clone()).collect();
            let file = std::fs::File::open(path)
                .with_context(|| format!("reading predictions {}", path.display()))?;
            for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let report: Report = serde_json::from_str(&line).map_err(|e| {
                    anyhow::anyhow!("{}:{}: not a check report: {e}", path.display(), i + 1)
                })?;
                let name = match_document(&names, &report.path).ok_or_else(|| {
                    anyhow::anyhow!(
                        "{}:{}: path {:?} matches no document under {}",
                        path.display(),
                        i + 1,
                        report.path,
                        args.corrupted.display()
                    )
                })?;
                predictions.insert(name.clone(), to_predicted(&report));
            }
        }
        None => {
            let model = load_model(args.model.as_deref())?;
            let options = CheckOptions {
                threshold: args.threshold,
                context: !args.no_context,
                realword_threshold: args.realword_threshold,
                ..CheckOptions::default()
            };
            let checker = Checker::new(&model, AllowList::new(), options)?;
            let reports: Vec<(String, Vec<PredictedFlag>)> = super::with_jobs(args.jobs, || {
                docs.par_iter()
                    .map(|(name, text)| (name.clone(), to_predicted(&checker.check(name, text).0)))
                    .collect()
            })?;
            predictions.extend(reports);
        }
    }
    let report = evaluate(&docs, &labels, &predictions, args.fix_confidence);
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(out, "{}", report.table())?;
    }
    Ok(Outcome::Ok)
}
