//! Training: corpora → counts → model, as a pipeline of named stages.
//!
//! 1. [`count`]: read each corpus in parallel chunks and count case-folded word types
//!    ([`crate::corpus`]); the result is a [`Shard`].
//! 2. [`merge`]: add shards (from `--counts-only` runs, or a `--base` model's lexicon).
//! 3. [`estimate`]: prune rare words, then estimate the character model from the word
//!    types ([`crate::ngram`]) and build the lexicon ([`crate::lexicon`]).
//!
//! Context corpora ([`count_context`]) go through the same stages for the word n-gram
//! model ([`crate::wordlm`]): counted into [`Shard::context`], merged, pruned by
//! [`TrainConfig::word_min_count`] and estimated alongside the character model. They do
//! not touch the lexicon, so a list of word pairs can be given without its counts
//! inflating single words.
//!
//! Counting is the only stage that touches the raw text, and its result is a sum, so the
//! model is byte-identical whatever the number of threads or however the input was
//! split into shards (tested).

use serde::{Deserialize, Serialize};

use crate::corpus::{self, CorpusInfo, CorpusSpec, CountUnit, Progress, ReadOptions};
use crate::counts::WordCounts;
use crate::error::{Error, Result};
use crate::features::LengthNorms;
use crate::lexicon::Lexicon;
use crate::model::{Metadata, Model};
use crate::ngram::{CharLm, NgramConfig};
use crate::wordlm::{ContextCounts, WordLm, MAX_ORDER};

/// The longest word n-gram a model is trained with unless told otherwise: pairs. The
/// real-word check bounds its decisions by pairs and passes over most words
/// ([`crate::realword`]); with triples it judges every word in full, and a check took
/// over four times as long as one without context (with CMU Sphinx's trigram model;
/// the README's speed table) instead of under twice. The default model has pairs only
/// too.
pub const DEFAULT_WORD_ORDER: usize = 2;

/// Options for the estimation stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Character model options.
    pub ngram: NgramConfig,
    /// Leave words seen fewer times than this out of the lexicon and the character
    /// model (1 keeps all). A pruned model cannot be extended exactly with `--base`.
    pub min_word_count: u64,
    /// Longest word n-gram counted from context corpora (1 to [`MAX_ORDER`]; default
    /// [`DEFAULT_WORD_ORDER`]).
    pub word_order: usize,
    /// Leave word n-grams of order 2 and up seen fewer times than this out (1 keeps all).
    pub word_min_count: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            ngram: NgramConfig::default(),
            min_word_count: 1,
            word_order: DEFAULT_WORD_ORDER,
            word_min_count: 1,
        }
    }
}

impl TrainConfig {
    /// Checks the options.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] naming the option.
    pub fn validate(&self) -> Result<()> {
        self.ngram.validate()?;
        if self.min_word_count == 0 {
            return Err(Error::InvalidOption {
                option: "--min-word-count",
                reason: "must be at least 1".into(),
            });
        }
        if !(1..=MAX_ORDER).contains(&self.word_order) {
            return Err(Error::InvalidOption {
                option: "--word-order",
                reason: format!("must be 1 to {MAX_ORDER}, got {}", self.word_order),
            });
        }
        if self.word_min_count == 0 {
            return Err(Error::InvalidOption {
                option: "--word-min-count",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// Word counts of some corpora, with their metadata: the map output of training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shard {
    /// The corpora counted, in order.
    pub corpora: Vec<CorpusInfo>,
    /// Their weighted word counts, summed.
    pub counts: WordCounts,
    /// The context corpora counted for the word n-gram model, in order.
    pub context_corpora: Vec<CorpusInfo>,
    /// Their weighted word n-gram counts, summed.
    pub context: ContextCounts,
}

impl Shard {
    /// A shard with these word counts and nothing else.
    pub fn of_counts(counts: WordCounts) -> Shard {
        Shard {
            corpora: Vec::new(),
            counts,
            context_corpora: Vec::new(),
            context: ContextCounts::default(),
        }
    }
}

/// Stage 1: counts the words of every corpus.
///
/// Returns the shard and any warnings (lossy decoding), one line each.
///
/// # Errors
///
/// Reading errors from [`corpus::count_corpus`].
pub fn count(
    specs: &[CorpusSpec],
    options: &ReadOptions,
    progress: &dyn Progress,
) -> Result<(Shard, Vec<String>)> {
    let total: Option<u64> = specs
        .iter()
        .map(|s| {
            let path = s.path.as_ref()?;
            let files = corpus::files_of(path).ok()?;
            files
                .iter()
                .map(|f| std::fs::metadata(f).ok().map(|m| m.len()))
                .sum::<Option<u64>>()
        })
        .sum();
    progress.set_total(total);
    let mut shard = Shard::of_counts(WordCounts::default());
    let mut warnings = Vec::new();
    for spec in specs {
        let report = corpus::count_corpus(spec, options, progress)?;
        shard.counts.merge_owned(report.counts);
        shard.corpora.push(report.info);
        warnings.extend(report.warnings);
    }
    Ok((shard, warnings))
}

/// Stage 1 for context corpora: counts their word n-grams of orders 1 to `order` into
/// a shard with no word counts (merge it with the main shard).
///
/// # Errors
///
/// As [`count`], and [`Error::InvalidOption`] for an order outside 1 to [`MAX_ORDER`].
pub fn count_context(
    specs: &[CorpusSpec],
    order: usize,
    options: &ReadOptions,
    progress: &dyn Progress,
) -> Result<(Shard, Vec<String>)> {
    if !(1..=MAX_ORDER).contains(&order) {
        return Err(Error::InvalidOption {
            option: "--word-order",
            reason: format!("must be 1 to {MAX_ORDER}, got {order}"),
        });
    }
    let options = ReadOptions {
        unit: CountUnit::Ngrams(order),
        ..options.clone()
    };
    let (counted, warnings) = count(specs, &options, progress)?;
    let mut shard = Shard::of_counts(WordCounts::default());
    shard.context = ContextCounts::from_ngrams(&counted.counts);
    shard.context_corpora = counted.corpora;
    Ok((shard, warnings))
}

/// Stage 2: adds shards together, keeping the corpora in the order given.
pub fn merge(shards: impl IntoIterator<Item = Shard>) -> Shard {
    let mut iter = shards.into_iter();
    let mut acc = iter
        .next()
        .unwrap_or_else(|| Shard::of_counts(WordCounts::default()));
    for s in iter {
        acc.counts.merge(&s.counts);
        acc.corpora.extend(s.corpora);
        acc.context.merge(&s.context);
        acc.context_corpora.extend(s.context_corpora);
    }
    acc
}

/// The counts a model was trained on, as a shard (for `train --base`).
pub fn shard_of(model: &Model) -> Shard {
    Shard {
        corpora: model.metadata().corpora.clone(),
        counts: model.lexicon().to_counts(),
        context_corpora: model.metadata().context_corpora.clone(),
        context: model
            .word_lm()
            .and_then(|w| w.counts().cloned())
            .unwrap_or_default(),
    }
}

/// The training options a model was built with.
pub fn config_of(model: &Model) -> TrainConfig {
    TrainConfig {
        ngram: model.metadata().ngram.clone(),
        min_word_count: model.metadata().min_word_count,
        word_order: model.metadata().word_order.max(1),
        word_min_count: model.metadata().word_min_count.max(1),
    }
}

/// Stage 3: prunes and estimates the model.
///
/// # Errors
///
/// [`Error::InvalidOption`] for bad options, [`Error::EmptyCorpus`] when nothing is left.
pub fn estimate(mut shard: Shard, config: &TrainConfig) -> Result<Model> {
    config.validate()?;
    shard.counts.prune(config.min_word_count);
    if shard.counts.is_empty() {
        return Err(Error::EmptyCorpus);
    }
    let lm = CharLm::estimate(shard.counts.as_slice(), &config.ngram)?;
    let lexicon = Lexicon::from_counts(&shard.counts);
    let norms = LengthNorms::measure(
        &lm,
        shard
            .counts
            .as_slice()
            .iter()
            .map(|(w, c)| (w.as_str(), *c)),
    );
    let meta = Metadata {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        smoothing: "interpolated modified Kneser-Ney".into(),
        ngram: config.ngram.clone(),
        min_word_count: config.min_word_count,
        corpora: shard.corpora,
        tokens: shard.counts.tokens(),
        types: shard.counts.len() as u64,
        context_corpora: shard.context_corpora,
        word_order: if shard.context.is_empty() {
            0
        } else {
            config.word_order
        },
        word_min_count: config.word_min_count,
    };
    let mut model = Model::new(meta, lexicon, lm, norms);
    shard.context.prune(config.word_min_count);
    if !shard.context.is_empty() {
        model.set_word_lm(WordLm::estimate(shard.context));
    }
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::NoProgress;
    use std::path::Path;

    fn spec(path: &Path) -> CorpusSpec {
        CorpusSpec {
            path: Some(path.to_path_buf()),
            weight: 1.0,
        }
    }

    const TEXT_A: &str = "The committee met on Tuesday and agreed to the measures.\n";
    const TEXT_B: &str = "Officials said the meeting was the biggest of the year.\n";

    #[test]
    fn shards_merge_into_the_same_model_as_one_run() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        std::fs::write(&a, TEXT_A.repeat(20)).unwrap();
        std::fs::write(&b, TEXT_B.repeat(20)).unwrap();
        let config = TrainConfig::default();
        let opts = ReadOptions::default();

        // Each file is also a context corpus, so the word n-grams go through the same
        // stages.
        let counted = |specs: &[CorpusSpec]| {
            let (words, _) = count(specs, &opts, &NoProgress).unwrap();
            let (context, _) = count_context(specs, 3, &opts, &NoProgress).unwrap();
            merge([words, context])
        };
        let both = counted(&[spec(&a), spec(&b)]);
        let sa = counted(&[spec(&a)]);
        let sb = counted(&[spec(&b)]);
        assert!(
            both.context.sizes().len() == 3,
            "{:?}",
            both.context.sizes()
        );
        let one = estimate(both, &config).unwrap();
        assert!(one.word_lm().is_some());
        let merged = estimate(merge([sa.clone(), sb.clone()]), &config).unwrap();
        assert_eq!(one.to_bytes().unwrap(), merged.to_bytes().unwrap());

        // Incremental: a model of A extended with B equals a model of A and B.
        let base = estimate(sa, &config).unwrap();
        let extended = estimate(merge([shard_of(&base), sb]), &config_of(&base)).unwrap();
        assert_eq!(one.to_bytes().unwrap(), extended.to_bytes().unwrap());
    }

    #[test]
    fn min_word_count_prunes_the_lexicon() {
        let shard = Shard::of_counts(WordCounts::from_pairs([
            ("often".into(), 5),
            ("once".into(), 1),
        ]));
        let config = TrainConfig {
            min_word_count: 2,
            ..TrainConfig::default()
        };
        let model = estimate(shard, &config).unwrap();
        assert!(model.lexicon().contains("often"));
        assert!(!model.lexicon().contains("once"));
    }
}
