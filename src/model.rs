//! A trained model: metadata, the lexicon and the character language model.
//!
//! [`Model`] is what `garbled train` writes and every other command reads. It is one
//! serde struct inside the container of [`crate::model_file`]. The default English
//! model is compiled into the binary (see [`Model::embedded`]).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::calibrate::Calibration;
use crate::confusion::ConfusionTable;
use crate::corpus::CorpusInfo;
use crate::error::{Error, Result};
use crate::features::LengthNorms;
use crate::lexicon::Lexicon;
use crate::model_file::{self, FileKind};
use crate::ngram::{CharLm, NgramConfig, OrderSize};
use crate::thesaurus::Thesaurus;
use crate::wordlm::WordLm;

/// The bytes of the default English model.
static EMBEDDED: &[u8] = include_bytes!("../models/en.garbled");

/// How the embedded model is named in messages.
pub const EMBEDDED_NAME: &str = "<embedded models/en.garbled>";

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
    /// The corpora the word n-gram model was counted from, in order.
    pub context_corpora: Vec<CorpusInfo>,
    /// Longest word n-gram counted (0: no word model).
    pub word_order: usize,
    /// Word n-grams (order 2 and up) seen fewer times than this were left out.
    pub word_min_count: u64,
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
    /// Word n-grams of each order, from 1 (empty without a word model).
    pub word_ngrams: Vec<usize>,
    /// Words with a stored confusion set ([`crate::confusion`]; 0 when none are
    /// stored).
    pub confusion_sets: usize,
    /// Alternatives over all stored confusion sets.
    pub confusion_alternatives: usize,
}

/// A trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    meta: Metadata,
    lexicon: Lexicon,
    lm: CharLm,
    norms: LengthNorms,
    calibration: Option<Calibration>,
    thesaurus: Option<Thesaurus>,
    user_words: Option<Lexicon>,
    word_lm: Option<WordLm>,
    realword: Option<Calibration>,
    confusions: Option<ConfusionTable>,
}

impl Model {
    /// Assembles a model from its parts (no calibration, thesaurus or user words yet).
    pub(crate) fn new(meta: Metadata, lexicon: Lexicon, lm: CharLm, norms: LengthNorms) -> Model {
        Model {
            meta,
            lexicon,
            lm,
            norms,
            calibration: None,
            thesaurus: None,
            user_words: None,
            word_lm: None,
            realword: None,
            confusions: None,
        }
    }

    /// Surprisal statistics of lexicon words by length.
    pub fn length_norms(&self) -> &LengthNorms {
        &self.norms
    }

    /// The fitted scorer weights, if the model was calibrated.
    pub fn calibration(&self) -> Option<&Calibration> {
        self.calibration.as_ref()
    }

    /// Replaces the scorer weights.
    pub fn set_calibration(&mut self, calibration: Calibration) {
        self.calibration = Some(calibration);
    }

    /// The thesaurus used to reverse and generate synonym swaps.
    pub fn thesaurus(&self) -> Option<&Thesaurus> {
        self.thesaurus.as_ref()
    }

    /// Packs a thesaurus into the model.
    pub fn set_thesaurus(&mut self, thesaurus: Thesaurus) {
        self.thesaurus = Some(thesaurus);
        self.confusions = None;
    }

    /// Words the user declared correct: never flagged, offered as corrections.
    pub fn user_words(&self) -> Option<&Lexicon> {
        self.user_words.as_ref()
    }

    /// Sets the model-level user lexicon.
    pub fn set_user_words(&mut self, words: Lexicon) {
        self.user_words = Some(words);
    }

    /// The word n-gram model for real-word errors, if the model has one.
    pub fn word_lm(&self) -> Option<&WordLm> {
        self.word_lm.as_ref()
    }

    /// Sets the word n-gram model; its real-word calibration no longer fits and is dropped.
    pub fn set_word_lm(&mut self, lm: WordLm) {
        self.word_lm = Some(lm);
        self.realword = None;
        self.confusions = None;
    }

    /// Sets the word n-gram model to one read from a back-off language model
    /// ([`crate::arpa`]), recording `source` as its one context corpus and its order.
    pub fn set_back_off_lm(&mut self, lm: WordLm, source: CorpusInfo) {
        self.meta.word_order = lm.order();
        self.meta.context_corpora = vec![source];
        self.set_word_lm(lm);
    }

    /// The stored confusion sets of the real-word check ([`crate::confusion`]), if
    /// [`Model::index_confusions`] has run since the word model and thesaurus were set.
    pub fn confusions(&self) -> Option<&ConfusionTable> {
        self.confusions.as_ref()
    }

    /// Finds and stores the confusion sets of the real-word check, unless they are
    /// stored already: a few seconds for the default model, in parallel. Without a word
    /// model there is nothing to do. `garbled train` does this; a model without them
    /// still checks the same, but finds them each time a check starts.
    pub fn index_confusions(&mut self) {
        if let (None, Some(lm)) = (&self.confusions, &self.word_lm) {
            self.confusions = Some(ConfusionTable::build(
                lm,
                &self.lexicon,
                self.thesaurus.as_ref(),
            ));
        }
    }

    /// The fitted weights of the real-word decision ([`crate::realword`]).
    pub fn realword_calibration(&self) -> Option<&Calibration> {
        self.realword.as_ref()
    }

    /// Replaces the real-word decision weights.
    pub fn set_realword_calibration(&mut self, calibration: Calibration) {
        self.realword = Some(calibration);
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
            word_ngrams: self.word_lm.as_ref().map(|w| w.sizes()).unwrap_or_default(),
            confusion_sets: self.confusions.as_ref().map_or(0, ConfusionTable::len),
            confusion_alternatives: self
                .confusions
                .as_ref()
                .map_or(0, ConfusionTable::alternatives),
        }
    }

    /// The default English model compiled into the binary (see models/README.md).
    ///
    /// # Errors
    ///
    /// Only if the build embedded a damaged file, which the test suite rules out.
    pub fn embedded() -> Result<Model> {
        Model::from_bytes(Path::new(EMBEDDED_NAME), EMBEDDED)
    }

    /// The file bytes of the embedded model.
    pub fn embedded_bytes() -> &'static [u8] {
        EMBEDDED
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
        Model::checked(path, model)
    }

    /// Loads a model to calibrate it again (`garbled calibrate`): as [`Model::load`],
    /// except that weights fitted for another build's features, a different number of
    /// them, are dropped instead of refused, since calibrating replaces them. A model
    /// from a build with other features can then be brought up to date.
    ///
    /// # Errors
    ///
    /// As [`Model::load`].
    pub fn load_to_recalibrate(path: &Path) -> Result<Model> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let mut model: Model = model_file::decode(FileKind::Model, path, &bytes)?;
        let stale = |c: &Option<Calibration>, features: usize| {
            c.as_ref().is_some_and(|c| c.weights.len() != features)
        };
        if stale(&model.calibration, crate::features::NUM_FEATURES) {
            model.calibration = None;
        }
        if stale(&model.realword, crate::realword::NUM_FEATURES) {
            model.realword = None;
        }
        Model::checked(path, model)
    }

    /// `model`, decoded from `path`, if its parts are sound.
    fn checked(path: &Path, model: Model) -> Result<Model> {
        let calibration = model.calibration.as_ref().map_or(Ok(()), |c| c.validate());
        let word_lm = model.word_lm.as_ref().map_or(Ok(()), WordLm::validate);
        let realword = model
            .realword
            .as_ref()
            .map_or(Ok(()), crate::realword::validate_calibration);
        model
            .lm
            .validate()
            .and(calibration)
            .and(word_lm)
            .and(realword)
            .map_err(|reason| Error::Corrupt {
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
