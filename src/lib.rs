//! garbled finds corrupted words in English text and says what they should have been.
//!
//! Text reaches people damaged: article spinners swap synonyms in and even inside words
//! ("said" → "shelp" because aid → help), OCR confuses "rn" and "m", people make typos.
//! garbled trains character n-gram language models and word statistics from clean text
//! ([`train`]), and uses them to flag improbable tokens and propose corrections.
//!
//! ```
//! use garbled::{train, corpus::CorpusSpec, counts::WordCounts};
//!
//! let shard = train::Shard::of_counts(WordCounts::from_pairs([
//!     ("said".to_string(), 50),
//!     ("aid".to_string(), 9),
//! ]));
//! let model = train::estimate(shard, &train::TrainConfig::default()).unwrap();
//! assert!(model.lexicon().contains("said"));
//! let lm = model.char_lm();
//! assert!(lm.log2_prob_word("said") > lm.log2_prob_word("shelp"));
//! # let _ = CorpusSpec { path: None, weight: 1.0 };
//! ```

#![warn(missing_docs)]

pub mod alphabet;
pub mod arpa;
mod cache;
pub mod calibrate;
pub mod channel;
pub mod check;
pub mod confusion;
pub mod corpus;
pub mod correct;
pub mod corrupt;
pub mod counts;
pub mod edit;
pub mod error;
pub mod eval;
pub mod features;
pub mod feed;
pub mod lexicon;
pub mod model;
pub mod model_file;
pub mod morphology;
pub mod ngram;
pub mod realword;
pub mod report;
pub mod score;
pub mod sound;
pub mod spacing;
pub mod spin;
pub mod symspell;
pub mod thesaurus;
pub mod tokenize;
pub mod train;
pub mod wordlm;

pub use error::{Error, RecordError, Result};
pub use model::Model;
