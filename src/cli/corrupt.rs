//! `garbled corrupt`: a deterministic, labelled corruption generator.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use garbled::corpus::files_of;
use garbled::corrupt::{CorruptConfig, CorruptMode, Corrupter, Label};
use garbled::model_file::write_atomically;
use garbled::thesaurus::Thesaurus;
use rayon::prelude::*;

use super::common::{document_name, load_model};
use super::Outcome;

/// Arguments of `garbled corrupt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Clean text: a file, or a directory of files (read recursively).
    input: PathBuf,
    /// Where to write the corrupted text: a file for a file INPUT, a directory (same
    /// relative paths) for a directory INPUT.
    #[arg(short, long)]
    out: PathBuf,
    /// Where to write the labels, one JSON object per changed token.
    #[arg(short, long)]
    labels: PathBuf,
    /// What damage to do: typo, ocr, spin, mix, wordspin (whole-word synonym swaps) or
    /// realtypo (typos that make another real word).
    #[arg(short, long, default_value = "mix")]
    kind: CorruptMode,
    /// Fraction of word tokens to corrupt.
    #[arg(short, long, default_value_t = 0.05)]
    rate: f64,
    /// Random seed (same seed, same output).
    #[arg(short, long, default_value_t = 0)]
    seed: u64,
    /// Model whose lexicon decides what is a real word and whose thesaurus drives spins
    /// [default: the embedded English model].
    #[arg(short, long)]
    model: Option<PathBuf>,
    /// Thesaurus file (`word<TAB>syn1|syn2|...`) to use instead of the model's.
    #[arg(long)]
    thesaurus: Option<PathBuf>,
    /// Worker threads [default: all cores].
    #[arg(short, long)]
    jobs: Option<usize>,
}

/// Runs `garbled corrupt`.
pub fn run(args: Args) -> Result<Outcome> {
    let config = CorruptConfig::new(args.kind, args.rate, args.seed)?;
    let model = load_model(args.model.as_deref())?;
    let thesaurus = match &args.thesaurus {
        Some(p) => {
            let f = std::fs::File::open(p)
                .with_context(|| format!("reading thesaurus {}", p.display()))?;
            Some(Thesaurus::from_tsv(std::io::BufReader::new(f), p)?)
        }
        None => model.thesaurus().cloned(),
    };
    if thesaurus.is_none() && args.kind.needs_thesaurus() {
        anyhow::bail!(
            "{} needs a thesaurus: the model has none; pass --thesaurus FILE",
            args.kind
        );
    }
    let is_word = |w: &str| model.lexicon().contains(w);
    let corrupter = Corrupter::new(config, thesaurus.as_ref(), &is_word);
    let is_dir = args.input.is_dir();
    let files = files_of(&args.input)?;
    let outputs: Vec<Result<(PathBuf, String, Vec<Label>)>> = super::with_jobs(args.jobs, || {
        files
            .par_iter()
            .map(|file| {
                let text = read_text(file)?;
                let name = document_name(&args.input, file);
                let (corrupted, labels) = corrupter.corrupt(&name, &text);
                let out = if is_dir {
                    args.out.join(&name)
                } else {
                    args.out.clone()
                };
                Ok((out, corrupted, labels))
            })
            .collect()
    })?;
    let mut all_labels = Vec::new();
    for r in outputs {
        let (out, corrupted, labels) = r?;
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        write_atomically(&out, corrupted.as_bytes())?;
        all_labels.extend(labels);
    }
    let mut jsonl = Vec::new();
    for l in &all_labels {
        serde_json::to_writer(&mut jsonl, l)?;
        jsonl.write_all(b"\n")?;
    }
    write_atomically(&args.labels, &jsonl)?;
    eprintln!(
        "garbled: corrupted {} tokens in {} documents; labels in {}",
        all_labels.len(),
        files.len(),
        args.labels.display()
    );
    Ok(Outcome::Ok)
}

fn read_text(file: &Path) -> Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        garbled::Error::InvalidUtf8 {
            path: file.to_path_buf(),
            offset: e.utf8_error().valid_up_to() as u64,
        }
        .into()
    })
}
