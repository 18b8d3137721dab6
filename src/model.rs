//! A trained model: metadata, the lexicon and the character language model.
//!
//! [`Model`] is what `garbled train` writes and every other command reads. It is one
//! serde struct inside the container of [`crate::model_file`]. The default English
//! model is compiled into the binary (see [`Model::embedded`]).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::corpus::CorpusInfo;
use crate::error::{Error, Result};
use crate::lexicon::Lexicon;
use crate::model_file::{self, FileKind};
use crate::ngram::{CharLm, NgramConfig, OrderSize};

/// How a model was trained; written into the model and shown by `garbled info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Version of garbled that trained it.
    pub tool_version: String,
    /// Smoothing method.
    pub smoothing: String,
    /// Character model options.
    pub ngram: NgramConfig,
    /// Words seen fewer times than this were left out of the lexicon.
    pub min_word_count: u64,
    /// The corpora, in the order they were counted.
    pub corpora: Vec<CorpusInfo>,
    /// Weighted word tokens in the lexicon.
    pub tokens: u64,
    /// Distinct words in the lexicon.
    pub types: u64,
}

/// Sizes of a model's parts, for `garbled info`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSizes {
    /// Words in the lexicon.
    pub lexicon_words: usize,
    /// Bytes of the lexicon's FST.
    pub lexicon_bytes: usize,
    /// Characters in the alphabet.
    pub alphabet: usize,
    /// N-grams per order.
    pub orders: Vec<OrderSize>,
}

/// A trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    meta: Metadata,
    lexicon: Lexicon,
    lm: CharLm,
}

impl Model {
    /// Assembles a model from its parts.
    pub(crate) fn new(meta: Metadata, lexicon: Lexicon, lm: CharLm) -> Model {
        Model { meta, lexicon, lm }
    }

    /// Training metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.meta
    }

    /// The lexicon.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The character language model.
    pub fn char_lm(&self) -> &CharLm {
        &self.lm
    }

    /// Sizes of each part.
    pub fn sizes(&self) -> ModelSizes {
        ModelSizes {
            lexicon_words: self.lexicon.len(),
            lexicon_bytes: self.lexicon.bytes(),
            alphabet: self.lm.alphabet().len(),
            orders: self.lm.sizes(),
        }
    }

    /// Loads a model file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`], [`Error::Truncated`], [`Error::NotAModel`],
    /// [`Error::UnsupportedVersion`] or [`Error::Corrupt`], each naming the file.
    pub fn load(path: &Path) -> Result<Model> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Model::from_bytes(path, &bytes)
    }

    /// Decodes a model from bytes; `path` is only used in error messages.
    ///
    /// # Errors
    ///
    /// As [`Model::load`], without [`Error::Io`].
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Model> {
        let model: Model = model_file::decode(FileKind::Model, path, bytes)?;
        model.lm.validate().map_err(|reason| Error::Corrupt {
            path: path.to_path_buf(),
            reason,
        })?;
        Ok(model)
    }

    /// Writes the model atomically.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] or [`Error::Encode`].
    pub fn save(&self, path: &Path) -> Result<()> {
        model_file::write(FileKind::Model, path, self)
    }

    /// The model as file bytes.
    ///
    /// # Errors
    ///
    /// [`Error::Encode`].
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        model_file::encode(FileKind::Model, self)
    }
}
