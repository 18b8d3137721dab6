//! `garbled train`: count corpora and estimate a model (or write a counts shard).

use std::path::PathBuf;

use anyhow::{Context, Result};
use garbled::corpus::{CorpusInfo, CorpusSpec, InputFormat, ReadOptions};
use garbled::model_file::{self, FileKind};
use garbled::ngram::{NgramConfig, Weighting};
use garbled::train::{self, Shard, TrainConfig};
use garbled::wordlm::WordLm;
use garbled::Model;

use garbled::thesaurus::Thesaurus;

use super::calibrate::{calibrate_model, CalibrateArgs};
use super::progress::Bar;
use super::Outcome;

/// Options of the estimation stage, shared by `train` and `merge`.
#[derive(Debug, clap::Args)]
pub struct EstimateArgs {
    /// Longest character n-gram [default: 6].
    #[arg(long)]
    pub order: Option<usize>,
    /// How word counts weight their character n-grams: log (1+log2 count), tokens, types
    /// [default: log].
    #[arg(long)]
    pub weighting: Option<Weighting>,
    /// Prune character n-grams of order ≥ 3 with an adjusted count below this [default: 1].
    #[arg(long)]
    pub min_count: Option<u64>,
    /// Leave words seen fewer times than this out of the model [default: 1].
    #[arg(long)]
    pub min_word_count: Option<u64>,
    /// Most characters in the alphabet; rarer ones become <unk> [default: 160].
    #[arg(long)]
    pub max_chars: Option<usize>,
    /// Longest word n-gram counted from --context corpora or read from --context-arpa, 1
    /// to 3 [default: 2]. With 3, real-word checks judge every word in full, several
    /// times slower.
    #[arg(long)]
    pub word_order: Option<usize>,
    /// Leave word n-grams (pairs and up) seen fewer times than this out [default: 1].
    #[arg(long)]
    pub word_min_count: Option<u64>,
}

impl EstimateArgs {
    /// The config these flags ask for, on top of `base` (a base model's config, or the
    /// defaults). With a base model, a flag that contradicts it is an error: the result
    /// would no longer equal training on everything at once.
    pub fn config(&self, base: Option<&TrainConfig>) -> Result<TrainConfig> {
        let start = base.cloned().unwrap_or_default();
        let ngram = NgramConfig {
            order: self.order.unwrap_or(start.ngram.order),
            weighting: self.weighting.unwrap_or(start.ngram.weighting),
            min_count: self.min_count.unwrap_or(start.ngram.min_count),
            max_chars: self.max_chars.unwrap_or(start.ngram.max_chars),
            ..start.ngram.clone()
        };
        let config = TrainConfig {
            ngram,
            min_word_count: self.min_word_count.unwrap_or(start.min_word_count),
            word_order: self.word_order.unwrap_or(start.word_order),
            word_min_count: self.word_min_count.unwrap_or(start.word_min_count),
        };
        if let Some(base) = base {
            anyhow::ensure!(
                &config == base,
                "options differ from the base model's ({base:?}); drop them to train with the base model's settings"
            );
        }
        Ok(config)
    }
}

/// Arguments of `garbled train`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Corpora: files, directories (read recursively) or `-` for stdin; plain or .gz
    /// text, or `word<TAB>count` lists. Append `:WEIGHT` to scale a corpus's counts.
    #[arg(required = true, value_name = "CORPUS")]
    corpora: Vec<CorpusSpec>,
    /// Where to write the model (or the shard, with --counts-only).
    #[arg(short, long, value_name = "MODEL")]
    out: PathBuf,
    /// Context corpora for the word n-gram model (real-word errors): running text, or
    /// lists of word pairs/triples with counts (`of the<TAB>123`). Not added to the
    /// lexicon. Repeat the flag for several; `:WEIGHT` works as for CORPUS.
    #[arg(long, value_name = "CORPUS")]
    context: Vec<CorpusSpec>,
    /// Write a counts shard for `garbled merge` instead of a model.
    #[arg(long)]
    counts_only: bool,
    /// Extend this model with the new corpora (same result as training on all of it).
    #[arg(long, value_name = "MODEL", conflicts_with = "counts_only")]
    base: Option<PathBuf>,
    /// How to read corpus files: auto, text or freq.
    #[arg(long, default_value = "auto")]
    input_format: InputFormat,
    /// Replace invalid UTF-8 with U+FFFD (with a warning) instead of stopping.
    #[arg(long)]
    lossy: bool,
    #[command(flatten)]
    estimate: EstimateArgs,
    #[command(flatten)]
    extras: ExtrasArgs,
    /// Worker threads [default: all cores].
    #[arg(short, long)]
    jobs: Option<usize>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

/// What goes into a model besides the counts: shared by `train` and `merge`.
#[derive(Debug, clap::Args)]
pub struct ExtrasArgs {
    /// Pack a thesaurus (`word<TAB>syn1|syn2|...` per line) for spin generation and reversal.
    #[arg(long, value_name = "FILE")]
    pub thesaurus: Option<PathBuf>,
    /// Words and names that are always right (one per line): never flagged, offered as
    /// corrections.
    #[arg(long, value_name = "FILE")]
    pub user_words: Option<PathBuf>,
    /// Use this back-off language model (ARPA text, plain or .gz, as KenLM, SRILM or CMU
    /// Sphinx write it) as the word model for real-word errors, instead of counting
    /// --context corpora.
    #[arg(long, value_name = "FILE")]
    pub context_arpa: Option<PathBuf>,
    /// Calibrate the scorer on corruptions of this clean text (files or directories).
    #[arg(long, value_name = "CLEAN_TEXT", num_args = 1..)]
    pub calibrate: Vec<PathBuf>,
    #[command(flatten)]
    pub calibration: CalibrateArgs,
}

impl ExtrasArgs {
    /// The flags given, by name: they go into a model, so a counts shard cannot take
    /// them.
    fn given(&self) -> Vec<&'static str> {
        [
            (self.context_arpa.is_some(), "--context-arpa"),
            (self.thesaurus.is_some(), "--thesaurus"),
            (self.user_words.is_some(), "--user-words"),
            (!self.calibrate.is_empty(), "--calibrate"),
        ]
        .into_iter()
        .filter_map(|(given, name)| given.then_some(name))
        .collect()
    }

    /// Adds the back-off word model, thesaurus, user words and calibration to a fresh
    /// model; parts not given are taken from `base` (the model being extended), if any.
    /// A back-off word model is read up to `word_order`.
    fn apply(
        &self,
        model: &mut Model,
        base: Option<&Model>,
        jobs: Option<usize>,
        word_order: usize,
    ) -> Result<()> {
        if let Some(path) = &self.context_arpa {
            anyhow::ensure!(
                model.word_lm().is_none(),
                "--context-arpa replaces the word model counted from --context corpora (or a base model's); give one or the other"
            );
            let (lm, source) = read_arpa(path, word_order)?;
            model.set_back_off_lm(lm, source);
        } else if model.word_lm().is_none() {
            if let Some(base) = base {
                if let (Some(lm), Some(source)) = (
                    base.word_lm().filter(|lm| lm.is_back_off()),
                    base.metadata().context_corpora.first(),
                ) {
                    model.set_back_off_lm(lm.clone(), source.clone());
                }
            }
        }
        if let Some(path) = &self.thesaurus {
            let file = std::fs::File::open(path)
                .with_context(|| format!("reading thesaurus {}", path.display()))?;
            let t = Thesaurus::from_tsv(std::io::BufReader::new(file), path)?;
            model.set_thesaurus(t);
        } else if let Some(t) = base.and_then(Model::thesaurus) {
            model.set_thesaurus(t.clone());
        }
        if let Some(path) = &self.user_words {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading user words {}", path.display()))?;
            let mut counter = garbled::counts::Counter::new();
            for line in text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                garbled::tokenize::for_each_word(line, |w| counter.add(w, 1));
            }
            model.set_user_words(garbled::lexicon::Lexicon::from_counts(&counter.freeze(1.0)));
        } else if let Some(u) = base.and_then(Model::user_words) {
            model.set_user_words(u.clone());
        }
        // Every trained model stores them (`calibrate_model` finds them stored).
        super::with_jobs(jobs, || model.index_confusions())?;
        if !self.calibrate.is_empty() {
            calibrate_model(model, &self.calibrate, &self.calibration, jobs)?;
        } else {
            if let Some(c) = base.and_then(Model::calibration) {
                model.set_calibration(c.clone());
            }
            if let Some(c) = base.and_then(Model::realword_calibration) {
                if model.word_lm().is_some() {
                    model.set_realword_calibration(c.clone());
                }
            }
        }
        Ok(())
    }
}

/// Runs `garbled train`.
pub fn run(args: Args) -> Result<Outcome> {
    let extras = args.extras.given();
    anyhow::ensure!(
        !args.counts_only || extras.is_empty(),
        "{} go into a model, not a counts shard: give them to `garbled merge`",
        extras.join(", ")
    );
    let base = args
        .base
        .as_ref()
        .map(|p| Model::load(p).with_context(|| format!("loading base model {}", p.display())))
        .transpose()?;
    let base_config = base.as_ref().map(train::config_of);
    let config = args.estimate.config(base_config.as_ref())?;
    config.ngram.validate()?;
    let options = ReadOptions {
        format: args.input_format,
        lossy: args.lossy,
        ..ReadOptions::default()
    };
    let bar = Bar::bytes(args.quiet, "counting");
    let (mut shard, mut warnings) =
        super::with_jobs(args.jobs, || train::count(&args.corpora, &options, &bar))??;
    bar.finish();
    if !args.context.is_empty() {
        let bar = Bar::bytes(args.quiet, "counting context");
        let (context, more) = super::with_jobs(args.jobs, || {
            train::count_context(&args.context, config.word_order, &options, &bar)
        })??;
        bar.finish();
        shard = train::merge([shard, context]);
        warnings.extend(more);
    }
    for w in &warnings {
        eprintln!("garbled: warning: {w}");
    }
    if args.counts_only {
        model_file::write(FileKind::Shard, &args.out, &shard)
            .with_context(|| format!("writing shard {}", args.out.display()))?;
        report_shard(&shard, &args.out, args.quiet);
        return Ok(Outcome::Ok);
    }
    let shard = match &base {
        Some(model) => train::merge([train::shard_of(model), shard]),
        None => shard,
    };
    write_model(
        shard,
        &config,
        &args.extras,
        base.as_ref(),
        &args.out,
        args.jobs,
        args.quiet,
    )
}

/// Estimates and writes a model, printing a one-line summary unless quiet.
pub fn write_model(
    shard: Shard,
    config: &TrainConfig,
    extras: &ExtrasArgs,
    base: Option<&Model>,
    out: &std::path::Path,
    jobs: Option<usize>,
    quiet: bool,
) -> Result<Outcome> {
    let mut model = super::with_jobs(jobs, || train::estimate(shard, config))??;
    extras.apply(&mut model, base, jobs, config.word_order)?;
    model
        .save(out)
        .with_context(|| format!("writing model {}", out.display()))?;
    if !quiet {
        let meta = model.metadata();
        let ngrams: usize = model.sizes().orders.iter().map(|o| o.ngrams).sum();
        eprintln!(
            "garbled: wrote {} ({} words, {} tokens, order {}, {} n-grams; word n-grams {:?})",
            out.display(),
            meta.types,
            meta.tokens,
            meta.ngram.order,
            ngrams,
            model.sizes().word_ngrams
        );
    }
    Ok(Outcome::Ok)
}

fn report_shard(shard: &Shard, out: &std::path::Path, quiet: bool) {
    if !quiet {
        eprintln!(
            "garbled: wrote counts shard {} ({} words, {} tokens)",
            out.display(),
            shard.counts.len(),
            shard.counts.tokens()
        );
    }
}

/// Reads an ARPA back-off model (plain or gzip) as a word model, up to `order`, with the
/// corpus record the model's metadata keeps of it.
fn read_arpa(path: &std::path::Path, order: usize) -> Result<(WordLm, CorpusInfo)> {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let lm = garbled::arpa::read_file(path, order)?;
    let source = CorpusInfo {
        name: path.display().to_string(),
        bytes,
        weight: 1.0,
        files: 1,
        format: "arpa".into(),
        tokens: 0,
        types: lm.sizes().first().copied().unwrap_or(0) as u64,
    };
    Ok((WordLm::from_back_off(lm), source))
}
