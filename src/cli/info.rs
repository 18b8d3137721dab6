//! `garbled info`: what a model was trained on and how big its parts are.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use garbled::model::EMBEDDED_NAME;
use garbled::Model;

use super::Outcome;

/// Arguments of `garbled info`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model to describe [default: the embedded English model].
    model: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `garbled info`.
pub fn run(args: Args) -> Result<Outcome> {
    let model = super::common::load_model(args.model.as_deref())?;
    let (name, bytes) = match &args.model {
        Some(p) => (
            p.display().to_string(),
            std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        ),
        None => (
            EMBEDDED_NAME.to_string(),
            Model::embedded_bytes().len() as u64,
        ),
    };
    let text = if args.json {
        let value = serde_json::json!({
            "path": name,
            "file_bytes": bytes,
            "metadata": model.metadata(),
            "sizes": model.sizes(),
        });
        format!("{}\n", serde_json::to_string_pretty(&value)?)
    } else {
        describe(&model, &name, bytes)
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(Outcome::Ok)
}

fn describe(model: &Model, name: &str, file_bytes: u64) -> String {
    let meta = model.metadata();
    let sizes = model.sizes();
    let mut s = String::new();
    let _ = writeln!(s, "model:           {name} ({file_bytes} bytes)");
    let _ = writeln!(
        s,
        "format version:  {}",
        garbled::model_file::FORMAT_VERSION
    );
    let _ = writeln!(s, "trained by:      garbled {}", meta.tool_version);
    let _ = writeln!(s, "smoothing:       {}", meta.smoothing);
    let _ = writeln!(
        s,
        "options:         order {}, weighting {}, min-count {}, min-word-count {}, max-chars {}",
        meta.ngram.order,
        meta.ngram.weighting.name(),
        meta.ngram.min_count,
        meta.min_word_count,
        meta.ngram.max_chars
    );
    let _ = writeln!(s, "tokens:          {}", meta.tokens);
    let _ = writeln!(s, "types:           {}", meta.types);
    let _ = writeln!(s, "corpora:");
    for c in &meta.corpora {
        let _ = writeln!(
            s,
            "  {} ({}; {} files, {} bytes, weight {}, {} tokens, {} types)",
            c.name, c.format, c.files, c.bytes, c.weight, c.tokens, c.types
        );
    }
    let _ = writeln!(
        s,
        "lexicon:         {} words, {} bytes",
        sizes.lexicon_words, sizes.lexicon_bytes
    );
    let _ = writeln!(s, "alphabet:        {} characters", sizes.alphabet);
    match model.thesaurus() {
        Some(t) => {
            let _ = writeln!(
                s,
                "thesaurus:       {} headwords, {} synonym pairs",
                t.len(),
                t.synonym_pairs()
            );
        }
        None => {
            let _ = writeln!(s, "thesaurus:       none");
        }
    }
    let _ = writeln!(
        s,
        "user words:      {}",
        model.user_words().map_or(0, |u| u.len())
    );
    match model.calibration() {
        Some(c) => {
            let _ = writeln!(
                s,
                "calibration:     fitted on {} words ({} corrupted)",
                c.examples, c.positives
            );
            let _ = writeln!(
                s,
                "  weights: {}",
                weights(&garbled::features::FEATURE_NAMES, &c.weights)
            );
        }
        None => {
            let _ = writeln!(s, "calibration:     none (run `garbled calibrate`)");
        }
    }
    if sizes.word_ngrams.is_empty() {
        let _ = writeln!(
            s,
            "word model:      none (train with --context or --context-arpa for real-word checks)"
        );
    } else {
        let counts: Vec<String> = sizes
            .word_ngrams
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{n} {}-grams", i + 1))
            .collect();
        let how = match model.word_lm() {
            Some(lm) if lm.is_back_off() => "back-off model".to_string(),
            _ => format!("min count {}", meta.word_min_count),
        };
        let _ = writeln!(s, "word model:      {} ({how})", counts.join(", "));
        for c in &meta.context_corpora {
            let _ = writeln!(
                s,
                "  context {} ({}; {} files, {} bytes, weight {})",
                c.name, c.format, c.files, c.bytes, c.weight
            );
        }
        match model.confusions() {
            Some(c) => {
                let _ = writeln!(
                    s,
                    "confusion sets:  {} words, {} alternatives",
                    c.len(),
                    c.alternatives()
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "confusion sets:  not stored (found when a check starts; retrain to store them)"
                );
            }
        }
        match model.realword_calibration() {
            Some(c) => {
                let _ = writeln!(
                    s,
                    "real-word calib: fitted on {} words ({} corrupted)",
                    c.examples, c.positives
                );
                let _ = writeln!(
                    s,
                    "  weights: {}",
                    weights(&garbled::realword::FEATURE_NAMES, &c.weights)
                );
            }
            None => {
                let _ = writeln!(s, "real-word calib: none (real-word checks are off)");
            }
        }
    }
    for o in &sizes.orders {
        let d = model.char_lm().discounts()[o.order - 1];
        let _ = writeln!(
            s,
            "order {}:         {} n-grams, {} bytes, discounts {:.3} {:.3} {:.3}{}",
            o.order,
            o.ngrams,
            o.bytes,
            d.d[0],
            d.d[1],
            d.d[2],
            if d.fallback { " (fallback)" } else { "" }
        );
    }
    s
}

/// `name weight, ...` for a calibration's weights.
fn weights(names: &[&str], weights: &[f32]) -> String {
    names
        .iter()
        .zip(weights)
        .map(|(n, w)| format!("{n} {w:.3}"))
        .collect::<Vec<_>>()
        .join(", ")
}
