//! `garbled info`: what a model was trained on and how big its parts are.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use garbled::Model;

use super::Outcome;

/// Arguments of `garbled info`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model to describe.
    model: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `garbled info`.
pub fn run(args: Args) -> Result<Outcome> {
    let model = Model::load(&args.model)
        .with_context(|| format!("loading model {}", args.model.display()))?;
    let bytes = std::fs::metadata(&args.model).map(|m| m.len()).unwrap_or(0);
    let text = if args.json {
        let value = serde_json::json!({
            "path": args.model.display().to_string(),
            "file_bytes": bytes,
            "metadata": model.metadata(),
            "sizes": model.sizes(),
        });
        format!("{}\n", serde_json::to_string_pretty(&value)?)
    } else {
        describe(&model, &args.model.display().to_string(), bytes)
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
