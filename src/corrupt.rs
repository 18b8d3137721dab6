//! Deterministic, labelled corruption of clean text: typos, OCR noise and spinner swaps.
//!
//! The detector has no labelled real-world corpus to be measured or calibrated on, so we make
//! one: take clean text, corrupt a chosen fraction of its words the way typists, OCR engines
//! and article spinners do, and record each change as a [`Label`] (byte span in the corrupted
//! text, original text, kind). `eval` scores the detector against these labels and `calibrate`
//! trains on them.
//!
//! # What gets corrupted
//!
//! Only [`TokenKind::Word`] tokens of two or more characters are candidates; numbers, URLs,
//! e-mail addresses, handles, hashtags and punctuation are never touched, and every byte
//! outside a label's span is copied unchanged. `rate` is the fraction of *all* word tokens
//! to change (`round(rate * words)`, so one-letter words count in the denominator but are never
//! picked). Candidates are visited in a random order; when the method drawn for a token can't
//! change it (no OCR look-alike, no thesaurus entry), the other methods allowed by the mode are
//! tried, then the next token, so the achieved rate is the requested one unless the text runs
//! out of corruptible words (e.g. `spin` on text the thesaurus barely covers). A joined-words
//! OCR error changes two word tokens and counts as two.
//!
//! # Methods
//!
//! - typo ([`CorruptionKind::Typo`]): one edit, or two with probability 0.15. Edits are
//!   substitution and insertion (a QWERTY neighbour of the letter 85% of the time, otherwise
//!   any letter), deletion, transposition of adjacent letters, a doubled letter, and a dropped
//!   double letter. Lowercase, Capitalized and ALLCAPS words keep their pattern.
//! - ocr ([`CorruptionKind::Ocr`]): a look-alike confusion (`rn`/`m`, `cl`/`d`, `l`/`1`/`I`,
//!   `O`/`0`, `e`/`c`, `li`/`h`, `h`/`b`, `vv`/`w`, `ii`/`u`; a second one with probability
//!   0.2), a broken word (`inform ation`) or two words joined (`ofthe`, when they are separated
//!   by exactly one space). The label spans the whole corrupted text, and `original` is the
//!   original span (`information`, `of the`).
//! - spin, in-word ([`CorruptionKind::InwordSpin`]): a substring of the lowercased word, of at
//!   least three letters and shorter than the word, that is a thesaurus headword is replaced
//!   by one of its synonyms (two non-overlapping substrings, with probability 0.4, in words of
//!   eight or more characters): `said` -> `shelp` (aid -> help). This mimics spinners that
//!   match synonyms without word boundaries.
//! - spin, whole word ([`CorruptionKind::WordSpin`]): the word is replaced by a synonym
//!   (`meeting` -> `encounter`), or by a synonym of its stem with its suffix kept when the
//!   word list knows the spelling (`sanctions` -> `endorsements`, `meeting` ->
//!   `encountering`), keeping its case pattern. Spin mode picks in-word or
//!   whole-word with equal odds when both are possible.
//! - mix: each token draws typo, ocr or spin with equal odds, falling back to the others, so
//!   spin labels are rarer than a third where the thesaurus covers few words.
//!
//! Spin only uses synonyms made of letters alone, so a replacement stays one word.
//!
//! `realword` is whether every whitespace-separated part of the lowercased corruption passes
//! `is_word` (a real-word error, which needs context to detect), except for whole-word spins,
//! which are always real words: the synonym came from a thesaurus even if the word list given
//! as `is_word` lacks it.
//!
//! # Determinism
//!
//! Each document gets its own ChaCha8 stream seeded with FNV-1a of `(seed, doc id)`, so the
//! output depends only on the configuration, the document id and text, the thesaurus and
//! `is_word`, whatever order or thread the documents are processed in. Changing the
//! generator (or the `rand` version) changes the output for a given seed.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::counts::fnv1a;
use crate::error::Error;
use crate::thesaurus::Thesaurus;
use crate::tokenize::{self, Shape, Token, TokenKind};

/// What kind of corruption a label records.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum CorruptionKind {
    /// Keyboard error: insertion, deletion, substitution, transposition, (un)doubled letter.
    Typo,
    /// OCR error: look-alike characters, a broken word or two joined words.
    Ocr,
    /// A substring of the word replaced by a synonym of that substring.
    InwordSpin,
    /// The whole word replaced by a synonym.
    WordSpin,
}

impl CorruptionKind {
    /// The name used in JSON (`typo`, `ocr`, `inword_spin`, `word_spin`).
    pub fn as_str(self) -> &'static str {
        match self {
            CorruptionKind::Typo => "typo",
            CorruptionKind::Ocr => "ocr",
            CorruptionKind::InwordSpin => "inword_spin",
            CorruptionKind::WordSpin => "word_spin",
        }
    }
}

impl fmt::Display for CorruptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which corruptions to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorruptMode {
    /// Typos only.
    Typo,
    /// OCR errors only.
    Ocr,
    /// Spinner swaps only (in-word and whole-word); needs a thesaurus.
    Spin,
    /// A random method per token.
    Mix,
    /// Whole-word synonym swaps only (real words by construction); needs a thesaurus.
    WordSpin,
    /// Typos that happen to make another real word ("from" -> "form") only.
    RealTypo,
}

impl CorruptMode {
    /// The name accepted by [`FromStr`]: `typo`, `ocr`, `spin`, `mix`, `wordspin` or
    /// `realtypo`.
    pub fn as_str(self) -> &'static str {
        match self {
            CorruptMode::Typo => "typo",
            CorruptMode::Ocr => "ocr",
            CorruptMode::Spin => "spin",
            CorruptMode::Mix => "mix",
            CorruptMode::WordSpin => "wordspin",
            CorruptMode::RealTypo => "realtypo",
        }
    }

    /// Whether the mode needs a thesaurus to do anything.
    pub fn needs_thesaurus(self) -> bool {
        matches!(self, CorruptMode::Spin | CorruptMode::WordSpin)
    }
}

impl fmt::Display for CorruptMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CorruptMode {
    type Err = Error;

    /// Parses a name of [`CorruptMode::as_str`] (ASCII case-insensitive).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] (`--mode`) for any other name.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "typo" => Ok(CorruptMode::Typo),
            "ocr" => Ok(CorruptMode::Ocr),
            "spin" => Ok(CorruptMode::Spin),
            "mix" => Ok(CorruptMode::Mix),
            "wordspin" => Ok(CorruptMode::WordSpin),
            "realtypo" => Ok(CorruptMode::RealTypo),
            _ => Err(Error::InvalidOption {
                option: "--mode",
                reason: format!(
                    "unknown corruption mode {s:?}; expected typo, ocr, spin, mix, wordspin or realtypo"
                ),
            }),
        }
    }
}

/// Settings for a [`Corrupter`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CorruptConfig {
    /// Which corruptions to generate.
    pub mode: CorruptMode,
    /// Fraction of word tokens to corrupt, in `0..=1`.
    pub rate: f64,
    /// Seed; combined with each document id.
    pub seed: u64,
}

impl Default for CorruptConfig {
    /// `mix` at rate 0.1, seed 0.
    fn default() -> Self {
        CorruptConfig {
            mode: CorruptMode::Mix,
            rate: 0.1,
            seed: 0,
        }
    }
}

impl CorruptConfig {
    /// A checked configuration.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] (`--rate`) if `rate` is not in `0..=1`.
    pub fn new(mode: CorruptMode, rate: f64, seed: u64) -> Result<Self, Error> {
        let config = CorruptConfig { mode, rate, seed };
        config.validate()?;
        Ok(config)
    }

    /// Checks the fields (they are public, so a config may be built without [`Self::new`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] (`--rate`) if `rate` is not in `0..=1` (NaN included).
    pub fn validate(&self) -> Result<(), Error> {
        if (0.0..=1.0).contains(&self.rate) {
            Ok(())
        } else {
            Err(Error::InvalidOption {
                option: "--rate",
                reason: format!("{} is not a fraction in 0..=1", self.rate),
            })
        }
    }
}

/// One corrupted span of a document.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Label {
    /// The document id passed to [`Corrupter::corrupt`].
    pub doc: String,
    /// UTF-8 byte offset of the corrupted text in the corrupted document.
    pub start: usize,
    /// End (exclusive) byte offset of the corrupted text in the corrupted document.
    pub end: usize,
    /// The corrupted text, `output[start..end]`.
    pub corrupted: String,
    /// What the span was in the input; never equal to `corrupted`.
    pub original: String,
    /// How it was corrupted.
    pub kind: CorruptionKind,
    /// Whether the corruption is made of real words (see the module doc).
    pub realword: bool,
}

/// Generates labelled corruptions; see the module doc.
///
/// # Performance considerations
///
/// A document costs one tokenization, a shuffle of its word tokens and, per corrupted token,
/// a few small allocations; in-word spin adds about `len * longest_headword` thesaurus
/// lookups per token tried. `new` scans the thesaurus headwords once, so build one corrupter
/// and reuse it: it holds no per-document state and is `Sync`, so a rayon pool can share it.
pub struct Corrupter<'a> {
    config: CorruptConfig,
    rate: f64,
    thesaurus: Option<&'a Thesaurus>,
    is_word: &'a (dyn Fn(&str) -> bool + Sync),
    /// Longest headword, in chars: bounds the in-word substring search.
    max_headword_chars: usize,
}

/// Typos drawn per word when looking for one that makes a real word (`realtypo`).
const REAL_TYPO_TRIES: usize = 40;

/// One way to corrupt a token. Each maps to one [`CorruptionKind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Typo,
    RealTypo,
    OcrConfusion,
    OcrSplit,
    OcrJoin,
    InwordSpin,
    WordSpin,
}

/// A planned replacement of `text[span]`, in input coordinates.
struct Edit {
    span: Range<usize>,
    replacement: String,
    kind: CorruptionKind,
    realword: bool,
}

impl<'a> Corrupter<'a> {
    /// A corrupter. `thesaurus` is needed for spin (without one, spin finds nothing to do and
    /// mix falls back to typo and ocr). `is_word` gets a lowercased word and says whether it is
    /// a real word; it only sets [`Label::realword`]. A `rate` outside `0..=1` is clamped
    /// (NaN counts as 0); use [`CorruptConfig::validate`] to reject one instead.
    pub fn new(
        config: CorruptConfig,
        thesaurus: Option<&'a Thesaurus>,
        is_word: &'a (dyn Fn(&str) -> bool + Sync),
    ) -> Self {
        let rate = if config.rate.is_nan() {
            0.0
        } else {
            config.rate.clamp(0.0, 1.0)
        };
        let max_headword_chars = thesaurus
            .and_then(|t| t.headwords().map(|h| h.chars().count()).max())
            .unwrap_or(0);
        Corrupter {
            config,
            rate,
            thesaurus,
            is_word,
            max_headword_chars,
        }
    }

    /// The configuration this corrupter was built with.
    pub fn config(&self) -> &CorruptConfig {
        &self.config
    }

    /// Corrupts `text`, the document with id `doc`.
    ///
    /// Returns the corrupted text and one label per changed span, sorted by `start`, with
    /// `start`/`end` as UTF-8 byte offsets into the returned text. Text outside the labels is
    /// byte-for-byte the input, so writing each label's `original` back over its span restores
    /// `text` exactly.
    pub fn corrupt(&self, doc: &str, text: &str) -> (String, Vec<Label>) {
        let mut rng = ChaCha8Rng::seed_from_u64(doc_seed(self.config.seed, doc));
        // Every span in `tokens`, and every gap between two of them, is a valid slice of
        // `text`, so the slicing below can't panic.
        let tokens = clean_tokens(text);
        let word_count = tokens.iter().filter(|t| t.kind == TokenKind::Word).count();
        // rate is clamped to 0..=1, so the product is within 0..=word_count.
        let target = (self.rate * word_count as f64).round() as usize;

        let mut candidates: Vec<usize> = (0..tokens.len())
            .filter(|&i| {
                tokens[i].kind == TokenKind::Word
                    && text[tokens[i].start..tokens[i].end]
                        .chars()
                        .nth(1)
                        .is_some()
            })
            .collect();
        candidates.shuffle(&mut rng);

        let mut used = vec![false; tokens.len()];
        let mut changed = 0;
        let mut edits = Vec::new();
        for &i in &candidates {
            if changed >= target {
                break;
            }
            if used[i] {
                continue;
            }
            // The next token, if an OCR join with it is allowed.
            let join_with = tokens.get(i + 1).filter(|next| {
                target - changed >= 2
                    && next.kind == TokenKind::Word
                    && !used[i + 1]
                    && &text[tokens[i].end..next.start] == " "
            });
            for method in self.method_order(&mut rng) {
                let Some(edit) = self.apply(method, text, tokens[i], join_with, &mut rng) else {
                    continue;
                };
                let consumed = if edit.span.end > tokens[i].end { 2 } else { 1 };
                used[i..i + consumed].iter_mut().for_each(|u| *u = true);
                changed += consumed;
                edits.push(edit);
                break;
            }
        }
        edits.sort_by_key(|e| e.span.start);

        let mut out = String::with_capacity(text.len() + text.len() / 8);
        let mut labels = Vec::with_capacity(edits.len());
        let mut copied = 0;
        for edit in edits {
            out.push_str(&text[copied..edit.span.start]);
            let start = out.len();
            out.push_str(&edit.replacement);
            labels.push(Label {
                doc: doc.to_string(),
                start,
                end: out.len(),
                corrupted: edit.replacement,
                original: text[edit.span.clone()].to_string(),
                kind: edit.kind,
                realword: edit.realword,
            });
            copied = edit.span.end;
        }
        out.push_str(&text[copied..]);
        (out, labels)
    }

    /// The methods to try for one token, in order.
    fn method_order(&self, rng: &mut ChaCha8Rng) -> Vec<Method> {
        match self.config.mode {
            CorruptMode::Typo => vec![Method::Typo],
            CorruptMode::RealTypo => vec![Method::RealTypo],
            CorruptMode::WordSpin => vec![Method::WordSpin],
            CorruptMode::Ocr => ocr_order(rng),
            CorruptMode::Spin => spin_order(rng),
            CorruptMode::Mix => {
                let mut families = [CorruptMode::Typo, CorruptMode::Ocr, CorruptMode::Spin];
                families.shuffle(rng);
                let mut order = Vec::with_capacity(6);
                for family in families {
                    match family {
                        CorruptMode::Typo => order.push(Method::Typo),
                        CorruptMode::Ocr => order.extend(ocr_order(rng)),
                        _ => order.extend(spin_order(rng)),
                    }
                }
                order
            }
        }
    }

    /// Tries `method` on `token`; `join_with` is the following word when an OCR join with it
    /// is allowed. The edit spans both tokens for a join, else just `token`.
    fn apply(
        &self,
        method: Method,
        text: &str,
        token: Token,
        join_with: Option<&Token>,
        rng: &mut ChaCha8Rng,
    ) -> Option<Edit> {
        let word = &text[token.start..token.end];
        let mut span = token.start..token.end;
        let (replacement, kind) = match method {
            Method::Typo => (typo(word, rng)?, CorruptionKind::Typo),
            Method::RealTypo => (self.real_typo(word, rng)?, CorruptionKind::Typo),
            Method::OcrConfusion => (ocr_confusion(word, rng)?, CorruptionKind::Ocr),
            Method::OcrSplit => (ocr_split(word, rng)?, CorruptionKind::Ocr),
            Method::OcrJoin => {
                let next = join_with?;
                span.end = next.end;
                let joined = format!("{word}{}", &text[next.start..next.end]);
                (joined, CorruptionKind::Ocr)
            }
            Method::InwordSpin => (self.inword_spin(word, rng)?, CorruptionKind::InwordSpin),
            Method::WordSpin => (self.word_spin(word, rng)?, CorruptionKind::WordSpin),
        };
        if replacement == text[span.clone()] {
            return None;
        }
        let realword = kind == CorruptionKind::WordSpin || self.is_real(&replacement);
        Some(Edit {
            span,
            replacement,
            kind,
            realword,
        })
    }

    /// Whether every whitespace-separated part of `corrupted`, lowercased, is a word.
    fn is_real(&self, corrupted: &str) -> bool {
        let lower = corrupted.to_lowercase();
        let mut parts = lower.split_whitespace().peekable();
        parts.peek().is_some() && parts.all(|part| (self.is_word)(part))
    }

    /// A typo that makes another real word: up to [`REAL_TYPO_TRIES`] typos are drawn
    /// and the first real word different from the original (ignoring case) is kept.
    fn real_typo(&self, word: &str, rng: &mut ChaCha8Rng) -> Option<String> {
        let lower = word.to_lowercase();
        (0..REAL_TYPO_TRIES)
            .filter_map(|_| typo(word, rng))
            .find(|t| t.to_lowercase() != lower && self.is_real(t) && !t.contains(' '))
    }

    /// Whole-word spin: a random letters-only synonym of the lowercased word, or of its
    /// stem with its suffix kept when `is_word` knows the spelling ([`Thesaurus::spins`]:
    /// "sanctions" -> "endorsements"), in the word's case pattern.
    fn word_spin(&self, word: &str, rng: &mut ChaCha8Rng) -> Option<String> {
        let thesaurus = self.thesaurus?;
        let lower = word.to_lowercase();
        let mut synonyms: Vec<String> = Vec::new();
        thesaurus.spins(
            &lower,
            |w| (self.is_word)(w),
            |s| {
                if is_spin_word(s) {
                    synonyms.push(s.to_string());
                }
            },
        );
        let synonym = synonyms.choose(rng)?;
        Some(case_like(word, synonym))
    }

    /// In-word spin; see the module doc.
    ///
    /// Cost: one binary search per substring of 3..=longest-headword chars, so about
    /// `len * max_headword_chars` lookups per word.
    fn inword_spin(&self, word: &str, rng: &mut ChaCha8Rng) -> Option<String> {
        let thesaurus = self.thesaurus?;
        let chars: Vec<char> = word.chars().collect();
        let n = chars.len();
        if n < 4 || self.max_headword_chars < 3 {
            return None;
        }
        // Map char positions between the word and its lowercase form; give up on the rare
        // characters whose lowercase is not a single char.
        let mut lower = String::with_capacity(word.len());
        let mut bounds = Vec::with_capacity(n + 1);
        bounds.push(0);
        for &c in &chars {
            let mut folded = c.to_lowercase();
            match (folded.next(), folded.next()) {
                (Some(l), None) => lower.push(l),
                _ => return None,
            }
            bounds.push(lower.len());
        }

        // (char range, usable synonyms) for every headword substring.
        let mut sites: Vec<(Range<usize>, Vec<&str>)> = Vec::new();
        for a in 0..n {
            for b in a + 1..=n.min(a + self.max_headword_chars) {
                if !chars[b - 1].is_alphabetic() {
                    break;
                }
                if b - a < 3 || b - a == n {
                    continue;
                }
                let synonyms: Vec<&str> = thesaurus
                    .synonyms(&lower[bounds[a]..bounds[b]])
                    .filter(|s| is_spin_word(s))
                    .collect();
                if !synonyms.is_empty() {
                    sites.push((a..b, synonyms));
                }
            }
        }

        if sites.is_empty() {
            return None;
        }
        let first = rng.random_range(0..sites.len());
        let first_range = sites[first].0.clone();
        let mut picks = vec![first];
        if n >= 8 && rng.random_bool(0.4) {
            let others: Vec<usize> = (0..sites.len())
                .filter(|&k| {
                    sites[k].0.end <= first_range.start || sites[k].0.start >= first_range.end
                })
                .collect();
            if let Some(&second) = others.choose(rng) {
                picks.push(second);
            }
        }
        picks.sort_by_key(|&k| sites[k].0.start);

        let mut out = String::with_capacity(word.len() + 8);
        let mut at = 0;
        for k in picks {
            let (range, synonyms) = &sites[k];
            out.extend(&chars[at..range.start]);
            let synonym = synonyms.choose(rng)?;
            out.push_str(&case_like_segment(&chars[range.clone()], synonym));
            at = range.end;
        }
        out.extend(&chars[at..]);
        Some(out)
    }
}

/// OCR methods in a weighted random order: confusions are the common case.
fn ocr_order(rng: &mut ChaCha8Rng) -> Vec<Method> {
    weighted_order(
        &[
            (Method::OcrConfusion, 6),
            (Method::OcrSplit, 2),
            (Method::OcrJoin, 2),
        ],
        rng,
    )
}

/// In-word and whole-word spin with equal odds, the other one as fallback.
fn spin_order(rng: &mut ChaCha8Rng) -> Vec<Method> {
    if rng.random_bool(0.5) {
        vec![Method::InwordSpin, Method::WordSpin]
    } else {
        vec![Method::WordSpin, Method::InwordSpin]
    }
}

/// Index drawn with probability proportional to its weight; `None` if all weights are 0.
fn weighted_index<T>(items: &[(T, u32)], rng: &mut ChaCha8Rng) -> Option<usize> {
    let total: u32 = items.iter().map(|&(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    let mut r = rng.random_range(0..total);
    for (k, &(_, w)) in items.iter().enumerate() {
        if r < w {
            return Some(k);
        }
        r -= w;
    }
    None
}

/// All items in a random order, each next one drawn by weight among the rest.
fn weighted_order<T: Copy>(items: &[(T, u32)], rng: &mut ChaCha8Rng) -> Vec<T> {
    let mut rest = items.to_vec();
    let mut order = Vec::with_capacity(items.len());
    while let Some(k) = weighted_index(&rest, rng) {
        order.push(rest.remove(k).0);
    }
    order
}

/// FNV-1a of the seed's little-endian bytes followed by the document id: a stable
/// per-document seed.
fn doc_seed(seed: u64, doc: &str) -> u64 {
    fnv1a(seed.to_le_bytes().into_iter().chain(doc.bytes()))
}

/// The tokens of `text`, keeping only in-bounds, ordered, non-overlapping spans, so that
/// slicing by them can't panic whatever the tokenizer does.
fn clean_tokens(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut last_end = 0;
    for token in tokenize::tokenize(text) {
        if token.start >= last_end
            && token.start < token.end
            && text.get(token.start..token.end).is_some()
        {
            last_end = token.end;
            tokens.push(token);
        }
    }
    tokens
}

/// Whether a synonym can be spun in: letters only, so the result stays one word.
fn is_spin_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(char::is_alphabetic)
}

fn is_cased(c: char) -> bool {
    c.is_uppercase() || c.is_lowercase()
}

/// `s` with its first cased character uppercased.
fn capitalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut done = false;
    for c in s.chars() {
        if !done && is_cased(c) {
            out.extend(c.to_uppercase());
            done = true;
        } else {
            out.push(c);
        }
    }
    out
}

/// Re-imposes `shape` on an edited word if the edit broke it (an insertion before the
/// capital of "Hello", a transposition moving it): Lower, Capitalized and AllCaps are
/// restored; mixed-case and uncased words are left as edited.
fn restore_shape(word: &str, shape: Shape) -> String {
    if tokenize::shape(word) == shape {
        return word.to_string();
    }
    match shape {
        Shape::Lower => word.to_lowercase(),
        Shape::AllCaps => word.to_uppercase(),
        Shape::Capitalized => capitalize(&word.to_lowercase()),
        Shape::MixedCase | Shape::NoCase => word.to_string(),
    }
}

/// `replacement` (lowercase) in the case pattern of `word`. A mixed-case word gives a
/// capitalized replacement if its first cased letter is uppercase.
fn case_like(word: &str, replacement: &str) -> String {
    match tokenize::shape(word) {
        Shape::AllCaps => replacement.to_uppercase(),
        Shape::Capitalized => capitalize(replacement),
        Shape::MixedCase
            if word
                .chars()
                .find(|&c| is_cased(c))
                .is_some_and(char::is_uppercase) =>
        {
            capitalize(replacement)
        }
        _ => replacement.to_string(),
    }
}

/// `replacement` in the case of the `segment` it replaces inside a word: uppercase if the
/// segment is all uppercase (and longer than one letter), capitalized if it starts with an
/// uppercase letter, else lowercase.
fn case_like_segment(segment: &[char], replacement: &str) -> String {
    if segment.len() > 1 && segment.iter().all(|c| c.is_uppercase()) {
        replacement.to_uppercase()
    } else if segment.first().is_some_and(|c| c.is_uppercase()) {
        capitalize(replacement)
    } else {
        replacement.to_string()
    }
}

/// QWERTY neighbours of `a`..=`z` (same row and the rows above and below).
const QWERTY_NEIGHBOURS: [&str; 26] = [
    "qwsxz", "vghn", "xdfv", "serfcx", "wrsdf", "drtgvc", "ftyhbv", "gyujnb", "ujko", "huikmn",
    "jiolm", "kop", "njk", "bhjm", "iklp", "ol", "wa", "edft", "awedxz", "rfgy", "yhji", "cfgb",
    "qeasd", "zsdc", "tghu", "asx",
];

/// A plausible wrong letter for `c`: a keyboard neighbour 85% of the time, else any letter,
/// both in `c`'s case. For non-ASCII letters (no keyboard model), another letter of `word`.
fn wrong_letter(c: char, word: &[char], rng: &mut ChaCha8Rng) -> Option<char> {
    let lower = c.to_ascii_lowercase();
    let pick = if lower.is_ascii_lowercase() {
        let neighbours = QWERTY_NEIGHBOURS[usize::from(lower as u8 - b'a')].as_bytes();
        let byte = if rng.random_bool(0.85) {
            *neighbours.choose(rng)?
        } else {
            let mut other = rng.random_range(b'a'..=b'y');
            if other >= lower as u8 {
                other += 1;
            }
            other
        };
        char::from(byte)
    } else {
        let others: Vec<char> = word
            .iter()
            .copied()
            .filter(|&o| o.is_alphabetic() && o != c)
            .collect();
        *others.choose(rng)?
    };
    Some(if c.is_uppercase() {
        pick.to_uppercase().next().unwrap_or(pick)
    } else {
        pick
    })
}

#[derive(Clone, Copy)]
enum TypoEdit {
    Substitute,
    Delete,
    Insert,
    Transpose,
    Double,
    DropDouble,
}

/// One random typo edit applied to `chars` in place; `None` if the drawn edit can't apply.
fn typo_edit(chars: &mut Vec<char>, rng: &mut ChaCha8Rng) -> Option<()> {
    let n = chars.len();
    let letters: Vec<usize> = (0..n).filter(|&i| chars[i].is_alphabetic()).collect();
    let swaps: Vec<usize> = (0..n.saturating_sub(1))
        .filter(|&i| chars[i] != chars[i + 1])
        .collect();
    let doubles: Vec<usize> = (0..n.saturating_sub(1))
        .filter(|&i| chars[i] == chars[i + 1] && chars[i].is_alphabetic())
        .collect();
    let weight = |ok: bool, w: u32| if ok { w } else { 0 };
    let edits = [
        (TypoEdit::Substitute, weight(!letters.is_empty(), 30)),
        (TypoEdit::Delete, weight(n >= 2, 20)),
        (TypoEdit::Insert, weight(!letters.is_empty(), 18)),
        (TypoEdit::Transpose, weight(!swaps.is_empty(), 15)),
        (TypoEdit::Double, weight(!letters.is_empty(), 7)),
        (TypoEdit::DropDouble, weight(!doubles.is_empty(), 10)),
    ];
    let edit = edits[weighted_index(&edits, rng)?].0;
    match edit {
        TypoEdit::Substitute => {
            let &i = letters.choose(rng)?;
            chars[i] = wrong_letter(chars[i], chars, rng)?;
        }
        TypoEdit::Delete => {
            chars.remove(rng.random_range(0..n));
        }
        TypoEdit::Insert => {
            // A finger slips onto a key next to the one it meant, before or after it.
            let &i = letters.choose(rng)?;
            let extra = wrong_letter(chars[i], chars, rng)?;
            let at = if rng.random_bool(0.5) { i } else { i + 1 };
            chars.insert(at, extra);
        }
        TypoEdit::Transpose => {
            let &i = swaps.choose(rng)?;
            chars.swap(i, i + 1);
        }
        TypoEdit::Double => {
            let &i = letters.choose(rng)?;
            chars.insert(i, chars[i]);
        }
        TypoEdit::DropDouble => {
            let &i = doubles.choose(rng)?;
            chars.remove(i);
        }
    }
    Some(())
}

/// A typo of `word` (one edit, two with probability 0.15), in the word's case pattern.
fn typo(word: &str, rng: &mut ChaCha8Rng) -> Option<String> {
    let shape = tokenize::shape(word);
    let original: Vec<char> = word.chars().collect();
    for _ in 0..4 {
        let mut chars = original.clone();
        let edits = if rng.random_bool(0.15) { 2 } else { 1 };
        if (0..edits).all(|_| typo_edit(&mut chars, rng).is_some()) {
            let edited: String = chars.iter().collect();
            let edited = restore_shape(&edited, shape);
            if edited != word && !edited.is_empty() {
                return Some(edited);
            }
        }
    }
    None
}

/// Look-alike substitutions an OCR engine makes, `(seen, read as)`, in the text's own
/// case. The channel's OCR rules ([`crate::channel`]) price the same confusions on
/// case-folded text; a test there checks that each of these is among them.
pub(crate) const OCR_CONFUSIONS: &[(&str, &str)] = &[
    ("rn", "m"),
    ("m", "rn"),
    ("RN", "M"),
    ("M", "RN"),
    ("cl", "d"),
    ("d", "cl"),
    ("l", "1"),
    ("l", "I"),
    ("I", "l"),
    ("I", "1"),
    ("1", "l"),
    ("O", "0"),
    ("0", "O"),
    ("e", "c"),
    ("c", "e"),
    ("li", "h"),
    ("h", "li"),
    ("h", "b"),
    ("b", "h"),
    ("vv", "w"),
    ("w", "vv"),
    ("W", "VV"),
    ("ii", "u"),
    ("u", "ii"),
];

/// One random OCR confusion in `word`, not touching bytes `avoid`. Returns the new word and
/// the byte range of the replacement in it.
fn confuse_once(
    word: &str,
    avoid: Option<&Range<usize>>,
    rng: &mut ChaCha8Rng,
) -> Option<(String, Range<usize>)> {
    let mut sites = Vec::new();
    for (at, _) in word.char_indices() {
        for &(seen, read) in OCR_CONFUSIONS {
            let end = at + seen.len();
            let clear = avoid.map_or(true, |r| end <= r.start || at >= r.end);
            if clear && word[at..].starts_with(seen) {
                sites.push((at, seen, read));
            }
        }
    }
    let &(at, seen, read) = sites.choose(rng)?;
    let out = format!("{}{read}{}", &word[..at], &word[at + seen.len()..]);
    Some((out, at..at + read.len()))
}

/// One OCR confusion, a second one with probability 0.2.
fn ocr_confusion(word: &str, rng: &mut ChaCha8Rng) -> Option<String> {
    let (once, range) = confuse_once(word, None, rng)?;
    if rng.random_bool(0.2) {
        if let Some((twice, _)) = confuse_once(&once, Some(&range), rng) {
            return Some(twice);
        }
    }
    Some(once)
}

/// A space inserted inside `word`, preferably leaving two or more chars on each side.
fn ocr_split(word: &str, rng: &mut ChaCha8Rng) -> Option<String> {
    let inner: Vec<usize> = word.char_indices().skip(1).map(|(b, _)| b).collect();
    let preferred = inner.get(1..inner.len().saturating_sub(1)).unwrap_or(&[]);
    let &at = if preferred.is_empty() {
        inner.choose(rng)?
    } else {
        preferred.choose(rng)?
    };
    Some(format!("{} {}", &word[..at], &word[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    // Explicit, because proptest's prelude exports another `Rng` (rand 0.10).
    use rand::{Rng, SeedableRng};

    const WORDS: &[&str] = &[
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "that",
        "for",
        "it",
        "was",
        "on",
        "are",
        "as",
        "with",
        "his",
        "they",
        "at",
        "be",
        "this",
        "from",
        "have",
        "or",
        "by",
        "one",
        "had",
        "not",
        "but",
        "what",
        "all",
        "were",
        "when",
        "we",
        "there",
        "can",
        "an",
        "your",
        "which",
        "their",
        "said",
        "if",
        "do",
        "will",
        "each",
        "about",
        "how",
        "up",
        "out",
        "them",
        "then",
        "she",
        "many",
        "some",
        "so",
        "these",
        "would",
        "other",
        "into",
        "has",
        "more",
        "her",
        "two",
        "like",
        "him",
        "see",
        "time",
        "could",
        "no",
        "make",
        "than",
        "first",
        "been",
        "its",
        "who",
        "now",
        "people",
        "my",
        "made",
        "over",
        "did",
        "down",
        "only",
        "way",
        "find",
        "use",
        "may",
        "water",
        "long",
        "little",
        "very",
        "after",
        "words",
        "called",
        "just",
        "where",
        "most",
        "know",
        "meeting",
        "reported",
        "agreed",
        "president",
        "information",
        "formally",
        "a",
        "i",
    ];

    fn is_word(w: &str) -> bool {
        WORDS.contains(&w) || matches!(w, "help" | "dwell" | "consent" | "an" | "other")
    }

    static IS_WORD: fn(&str) -> bool = is_word;

    fn spin_thesaurus() -> Thesaurus {
        Thesaurus::from_pairs([
            ("aid", vec!["help", "assist"]),
            ("reside", vec!["dwell"]),
            ("agree", vec!["consent"]),
            ("form", vec!["establish"]),
            ("ally", vec!["associate"]),
            ("meeting", vec!["encountering"]),
            ("reported", vec!["alerted"]),
            ("time", vec!["period", "era"]),
            ("water", vec!["aqua", "liquid"]),
            ("people", vec!["folk", "persons"]),
            ("made", vec!["created"]),
            ("little", vec!["small"]),
            ("long", vec!["lengthy"]),
            ("first", vec!["initial"]),
            ("find", vec!["discover"]),
            ("and", vec!["plus"]),
            ("her", vec!["she"]),
            ("the", vec!["thy"]),
            ("many", vec!["several", "numerous"]),
            ("over", vec!["above"]),
            ("make", vec!["create"]),
            ("use", vec!["employ"]),
            ("words", vec!["terms"]),
            ("called", vec!["named"]),
            ("know", vec!["understand"]),
            ("see", vec!["well-known", "view"]),
        ])
    }

    fn config(mode: CorruptMode, rate: f64, seed: u64) -> CorruptConfig {
        CorruptConfig { mode, rate, seed }
    }

    /// A deterministic pseudo-text of `n` words with punctuation and capitals.
    fn sample_text(n: usize, seed: u64) -> String {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut out = String::new();
        let mut capital = true;
        for k in 0..n {
            let w = WORDS.choose(&mut rng).copied().unwrap_or("the");
            if k > 0 {
                out.push(' ');
            }
            if capital {
                out.push_str(&capitalize(w));
            } else if rng.random_bool(0.02) {
                out.push_str(&w.to_uppercase());
            } else {
                out.push_str(w);
            }
            capital = false;
            if rng.random_bool(0.08) {
                out.push('.');
                capital = true;
            } else if rng.random_bool(0.05) {
                out.push(',');
            }
        }
        out
    }

    fn word_tokens(text: &str) -> usize {
        tokenize::tokenize(text)
            .filter(|t| t.kind == TokenKind::Word)
            .count()
    }

    /// Writes each label's original back over its span.
    fn restore(corrupted: &str, labels: &[Label]) -> String {
        let mut out = corrupted.to_string();
        for label in labels.iter().rev() {
            out.replace_range(label.start..label.end, &label.original);
        }
        out
    }

    /// Checks the invariants every output must satisfy.
    fn check_output(input: &str, out: &str, labels: &[Label], doc: &str) {
        let mut last_end = 0;
        for label in labels {
            assert!(
                label.start >= last_end,
                "labels sorted, disjoint: {labels:?}"
            );
            assert!(label.start < label.end, "{label:?}");
            assert_eq!(
                out.get(label.start..label.end),
                Some(label.corrupted.as_str())
            );
            assert_ne!(label.corrupted, label.original);
            assert_eq!(label.doc, doc);
            last_end = label.end;
        }
        assert_eq!(restore(out, labels), input);
    }

    /// Corrupts a one-word document with rate 1 for seeds 0..200; all distinct outputs.
    fn outputs(
        word: &str,
        mode: CorruptMode,
        thesaurus: Option<&Thesaurus>,
    ) -> Vec<(String, CorruptionKind)> {
        let mut seen = Vec::new();
        for seed in 0..200 {
            let c = Corrupter::new(config(mode, 1.0, seed), thesaurus, &IS_WORD);
            let (out, labels) = c.corrupt("d", word);
            if let [label] = labels.as_slice() {
                let pair = (out, label.kind);
                if !seen.contains(&pair) {
                    seen.push(pair);
                }
            }
        }
        seen
    }

    fn produces(
        word: &str,
        mode: CorruptMode,
        t: Option<&Thesaurus>,
        want: &str,
        kind: CorruptionKind,
    ) -> bool {
        outputs(word, mode, t)
            .iter()
            .any(|(o, k)| o == want && *k == kind)
    }

    #[test]
    fn same_seed_same_output_different_seed_different_output() {
        let t = spin_thesaurus();
        let text = sample_text(300, 1);
        for mode in [
            CorruptMode::Typo,
            CorruptMode::Ocr,
            CorruptMode::Spin,
            CorruptMode::Mix,
        ] {
            let a = Corrupter::new(config(mode, 0.2, 7), Some(&t), &IS_WORD).corrupt("doc1", &text);
            let b = Corrupter::new(config(mode, 0.2, 7), Some(&t), &IS_WORD).corrupt("doc1", &text);
            assert_eq!(a, b, "{mode}");
            let c = Corrupter::new(config(mode, 0.2, 8), Some(&t), &IS_WORD).corrupt("doc1", &text);
            assert_ne!(a.0, c.0, "{mode}");
            let d = Corrupter::new(config(mode, 0.2, 7), Some(&t), &IS_WORD).corrupt("doc2", &text);
            assert_ne!(a.0, d.0, "{mode}: doc id must feed the seed");
        }
    }

    #[test]
    fn documents_are_independent_of_processing_order() {
        let texts = [sample_text(50, 2), sample_text(50, 3)];
        let c = Corrupter::new(config(CorruptMode::Mix, 0.3, 1), None, &IS_WORD);
        let forward: Vec<_> = (0..2)
            .map(|k| c.corrupt(&k.to_string(), &texts[k]))
            .collect();
        let backward: Vec<_> = (0..2)
            .rev()
            .map(|k| c.corrupt(&k.to_string(), &texts[k]))
            .collect();
        assert_eq!(forward[0], backward[1]);
        assert_eq!(forward[1], backward[0]);
    }

    #[test]
    fn seed_hash_is_stable() {
        // Pinned so a refactor can't silently reshuffle every generated corpus.
        assert_eq!(doc_seed(0, ""), 0xa8c7_f832_281a_39c5);
        assert_eq!(doc_seed(42, "doc-1"), 0x549f_e9fb_9dd1_1f89);
        assert_ne!(doc_seed(1, "a"), doc_seed(1, "b"));
        assert_ne!(doc_seed(1, "a"), doc_seed(2, "a"));
    }

    #[test]
    fn achieved_rate_is_close_to_requested() {
        let t = spin_thesaurus();
        let text = sample_text(2000, 4);
        let words = word_tokens(&text) as f64;
        for mode in [CorruptMode::Typo, CorruptMode::Ocr, CorruptMode::Mix] {
            for rate in [0.02, 0.1, 0.3] {
                for thesaurus in [None, Some(&t)] {
                    let c = Corrupter::new(config(mode, rate, 11), thesaurus, &IS_WORD);
                    let (out, labels) = c.corrupt("doc", &text);
                    let changed: usize = labels.iter().map(|l| word_tokens(&l.original)).sum();
                    let achieved = changed as f64 / words;
                    assert!((achieved - rate).abs() <= 0.02, "{mode} {rate}: {achieved}");
                    check_output(&text, &out, &labels, "doc");
                }
            }
        }
        // Spin can only reach the words the thesaurus covers; at a low rate it hits the target.
        let c = Corrupter::new(config(CorruptMode::Spin, 0.1, 11), Some(&t), &IS_WORD);
        let (_, labels) = c.corrupt("doc", &text);
        let achieved = labels.len() as f64 / words;
        assert!((achieved - 0.1).abs() <= 0.02, "spin: {achieved}");
    }

    #[test]
    fn rate_zero_changes_nothing_and_bad_rates_are_clamped() {
        let text = sample_text(100, 5);
        let c = Corrupter::new(config(CorruptMode::Mix, 0.0, 1), None, &IS_WORD);
        assert_eq!(c.corrupt("d", &text), (text.clone(), vec![]));
        let c = Corrupter::new(config(CorruptMode::Mix, f64::NAN, 1), None, &IS_WORD);
        assert_eq!(c.corrupt("d", &text).1, vec![]);
        let c = Corrupter::new(config(CorruptMode::Typo, 5.0, 1), None, &IS_WORD);
        let (out, labels) = c.corrupt("d", &text);
        check_output(&text, &out, &labels, "d");
        assert!(labels.len() > 80);
    }

    #[test]
    fn spin_examples_are_producible() {
        let t = spin_thesaurus();
        let cases = [
            ("said", "shelp", CorruptionKind::InwordSpin),
            ("President", "Pdwellnt", CorruptionKind::InwordSpin),
            ("agreed", "consentd", CorruptionKind::InwordSpin),
            ("formally", "establishassociate", CorruptionKind::InwordSpin),
            ("meeting", "encountering", CorruptionKind::WordSpin),
            ("reported", "alerted", CorruptionKind::WordSpin),
            ("Meeting", "Encountering", CorruptionKind::WordSpin),
            ("MEETING", "ENCOUNTERING", CorruptionKind::WordSpin),
            ("SAID", "SHELP", CorruptionKind::InwordSpin),
        ];
        for (word, want, kind) in cases {
            assert!(
                produces(word, CorruptMode::Spin, Some(&t), want, kind),
                "{word} -> {want}: got {:?}",
                outputs(word, CorruptMode::Spin, Some(&t))
            );
        }
    }

    #[test]
    fn spin_never_swaps_the_whole_word_in_word_or_uses_multiword_synonyms() {
        let t = spin_thesaurus();
        // "aid" is a headword, but replacing all of it is a word spin, not an in-word spin.
        for (out, kind) in outputs("aid", CorruptMode::Spin, Some(&t)) {
            assert_eq!(kind, CorruptionKind::WordSpin, "{out}");
        }
        // "see" only has "view" usable ("well-known" would become two tokens).
        let got = outputs("see", CorruptMode::Spin, Some(&t));
        assert_eq!(got, vec![("view".to_string(), CorruptionKind::WordSpin)]);
    }

    #[test]
    fn spin_skips_tokens_it_cannot_spin() {
        let t = spin_thesaurus();
        let text = "Zebras quietly graze; 42 onyx jugs.";
        let c = Corrupter::new(config(CorruptMode::Spin, 1.0, 3), Some(&t), &IS_WORD);
        assert_eq!(c.corrupt("d", text), (text.to_string(), vec![]));
        let c = Corrupter::new(config(CorruptMode::Spin, 1.0, 3), None, &IS_WORD);
        assert_eq!(c.corrupt("d", text), (text.to_string(), vec![]));
    }

    #[test]
    fn realword_flags() {
        let t = Thesaurus::from_pairs([("aid", ["help"]), ("meeting", ["encountering"])]);
        let c = Corrupter::new(config(CorruptMode::Spin, 1.0, 0), Some(&t), &IS_WORD);
        let (_, labels) = c.corrupt("d", "said");
        assert_eq!(labels[0].corrupted, "shelp");
        assert!(!labels[0].realword);
        let shelp_is_word = |w: &str| w == "shelp";
        let c = Corrupter::new(config(CorruptMode::Spin, 1.0, 0), Some(&t), &shelp_is_word);
        assert!(c.corrupt("d", "said").1[0].realword);
        // Whole-word spins are real words even when is_word doesn't know the synonym.
        let never = |_: &str| false;
        let c = Corrupter::new(config(CorruptMode::Spin, 1.0, 0), Some(&t), &never);
        let (_, labels) = c.corrupt("d", "meeting");
        assert_eq!(labels[0].kind, CorruptionKind::WordSpin);
        assert!(labels[0].realword);
        // A broken word whose parts are both words is a real-word error.
        let found = (0..300).any(|seed| {
            let c = Corrupter::new(config(CorruptMode::Ocr, 1.0, seed), None, &IS_WORD);
            let (out, labels) = c.corrupt("d", "another");
            out == "an other" && labels[0].realword
        });
        assert!(found);
    }

    #[test]
    fn realword_modes_only_make_real_words() {
        let t = Thesaurus::from_pairs([("meeting", ["encountering"]), ("said", ["stated"])]);
        let c = Corrupter::new(config(CorruptMode::WordSpin, 1.0, 0), Some(&t), &IS_WORD);
        let (out, labels) = c.corrupt("d", "the meeting said");
        assert_eq!(out, "the encountering stated");
        assert!(labels
            .iter()
            .all(|l| l.realword && l.kind == CorruptionKind::WordSpin));
        // Typos into other real words: "form" <- "from" and the like.
        let words = [
            "from", "form", "there", "three", "their", "the", "then", "than",
        ];
        let is_word = |w: &str| words.contains(&w);
        let text = "from there their then than";
        let mut made = 0;
        for seed in 0..20 {
            let c = Corrupter::new(config(CorruptMode::RealTypo, 1.0, seed), None, &is_word);
            let (out, labels) = c.corrupt("d", text);
            for l in &labels {
                assert!(l.realword && l.kind == CorruptionKind::Typo, "{l:?}");
                assert!(is_word(&l.corrupted) && l.corrupted != l.original, "{l:?}");
                assert_eq!(&out[l.start..l.end], l.corrupted);
            }
            made += labels.len();
        }
        assert!(made > 20, "only {made} real-word typos in 20 passes");
        assert_eq!(
            "realtypo".parse::<CorruptMode>().unwrap(),
            CorruptMode::RealTypo
        );
        assert_eq!(
            "wordspin".parse::<CorruptMode>().unwrap(),
            CorruptMode::WordSpin
        );
    }

    #[test]
    fn ocr_examples_are_producible() {
        let cases = [
            ("information", "inform ation"),
            ("modern", "modem"),
            ("clean", "dean"),
            ("Illinois", "1llinois"),
            ("OPEN", "0PEN"),
            ("will", "wiII"),
            ("the", "tbe"),
            ("light", "hght"),
            ("window", "vvindow"),
        ];
        for (word, want) in cases {
            let got = outputs(word, CorruptMode::Ocr, None);
            assert!(
                got.iter()
                    .any(|(o, k)| o == want && *k == CorruptionKind::Ocr),
                "{word} -> {want}: got {got:?}"
            );
        }
    }

    #[test]
    fn ocr_joins_words_separated_by_one_space() {
        let mut joined = false;
        for seed in 0..100 {
            let c = Corrupter::new(config(CorruptMode::Ocr, 1.0, seed), None, &IS_WORD);
            let (out, labels) = c.corrupt("d", "of the");
            check_output("of the", &out, &labels, "d");
            if out == "ofthe" {
                assert_eq!(labels.len(), 1);
                assert_eq!(labels[0].original, "of the");
                assert_eq!((labels[0].start, labels[0].end), (0, 5));
                assert!(!labels[0].realword);
                joined = true;
            }
            // Never joined across anything but a single space.
            let (out, labels) = c.corrupt("d", "of  the, them");
            check_output("of  the, them", &out, &labels, "d");
            assert!(
                labels.iter().all(|l| !l.original.contains(' ')),
                "{labels:?}"
            );
        }
        assert!(joined);
    }

    /// Unrestricted Damerau-Levenshtein distance (Lowrance-Wagner), for checking that
    /// typos stay within their edit budget (a transposition followed by an insertion
    /// between the swapped letters counts 2 here, 3 in optimal string alignment).
    fn damerau(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let max = a.len() + b.len();
        let mut last_row: std::collections::HashMap<char, usize> = Default::default();
        let mut d = vec![vec![0usize; b.len() + 2]; a.len() + 2];
        d[0][0] = max;
        for i in 0..=a.len() {
            d[i + 1][0] = max;
            d[i + 1][1] = i;
        }
        for j in 0..=b.len() {
            d[0][j + 1] = max;
            d[1][j + 1] = j;
        }
        for i in 1..=a.len() {
            let mut last_col = 0;
            for j in 1..=b.len() {
                let k = last_row.get(&b[j - 1]).copied().unwrap_or(0);
                let l = last_col;
                let cost = if a[i - 1] == b[j - 1] {
                    last_col = j;
                    0
                } else {
                    1
                };
                d[i + 1][j + 1] = (d[i][j] + cost)
                    .min(d[i + 1][j] + 1)
                    .min(d[i][j + 1] + 1)
                    .min(d[k][l] + (i - k - 1) + 1 + (j - l - 1));
            }
            last_row.insert(a[i - 1], i);
        }
        d[a.len() + 1][b.len() + 1]
    }

    #[test]
    fn typos_are_one_or_two_edits_mostly_one_and_keep_case() {
        let text = sample_text(2000, 6);
        let c = Corrupter::new(config(CorruptMode::Typo, 0.5, 9), None, &IS_WORD);
        let (out, labels) = c.corrupt("d", &text);
        check_output(&text, &out, &labels, "d");
        let mut ones = 0;
        for label in &labels {
            assert_eq!(label.kind, CorruptionKind::Typo);
            // Case-insensitive: a Capitalized word that loses its first letter keeps
            // the capital on the new first letter ("Many" -> "Any").
            let d = damerau(
                &label.original.to_lowercase(),
                &label.corrupted.to_lowercase(),
            );
            assert!((1..=2).contains(&d), "{label:?}");
            ones += usize::from(d == 1);
            let shape = tokenize::shape(&label.original);
            if matches!(shape, Shape::Lower | Shape::Capitalized | Shape::AllCaps) {
                assert_eq!(tokenize::shape(&label.corrupted), shape, "{label:?}");
            }
        }
        assert!(
            ones as f64 > 0.75 * labels.len() as f64,
            "{ones} of {}",
            labels.len()
        );
    }

    #[test]
    fn typo_substitutions_prefer_keyboard_neighbours() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let word: Vec<char> = "g".chars().collect();
        let near = (0..1000)
            .filter(|_| wrong_letter('g', &word, &mut rng).is_some_and(|c| "ftyhbv".contains(c)))
            .count();
        assert!(near > 800, "{near}");
        assert_eq!(
            wrong_letter('G', &word, &mut rng).map(|c| c.is_uppercase()),
            Some(true)
        );
    }

    #[test]
    fn spin_keeps_case() {
        let t = spin_thesaurus();
        let text = sample_text(2000, 7);
        let c = Corrupter::new(config(CorruptMode::Spin, 0.3, 2), Some(&t), &IS_WORD);
        let (out, labels) = c.corrupt("d", &text);
        check_output(&text, &out, &labels, "d");
        assert!(labels.iter().any(|l| l.kind == CorruptionKind::InwordSpin));
        assert!(labels.iter().any(|l| l.kind == CorruptionKind::WordSpin));
        for label in &labels {
            assert_eq!(
                tokenize::shape(&label.corrupted),
                tokenize::shape(&label.original),
                "{label:?}"
            );
        }
    }

    #[test]
    fn mix_uses_every_kind() {
        let t = spin_thesaurus();
        let text = sample_text(2000, 8);
        let c = Corrupter::new(config(CorruptMode::Mix, 0.3, 3), Some(&t), &IS_WORD);
        let (out, labels) = c.corrupt("d", &text);
        check_output(&text, &out, &labels, "d");
        for kind in [
            CorruptionKind::Typo,
            CorruptionKind::Ocr,
            CorruptionKind::InwordSpin,
            CorruptionKind::WordSpin,
        ] {
            assert!(labels.iter().any(|l| l.kind == kind), "{kind}");
        }
    }

    #[test]
    fn non_word_tokens_and_one_letter_words_are_untouched() {
        let t = spin_thesaurus();
        let text =
            "See https://example.com/time or mail a.b@water.org, @people #time 2024 3.5 I a x.";
        for mode in [
            CorruptMode::Typo,
            CorruptMode::Ocr,
            CorruptMode::Spin,
            CorruptMode::Mix,
        ] {
            for seed in 0..50 {
                let c = Corrupter::new(config(mode, 1.0, seed), Some(&t), &IS_WORD);
                let (out, labels) = c.corrupt("d", text);
                check_output(text, &out, &labels, "d");
                for label in &labels {
                    let kinds: Vec<TokenKind> = tokenize::tokenize(&label.original)
                        .map(|t| t.kind)
                        .collect();
                    assert!(kinds.iter().all(|&k| k == TokenKind::Word), "{label:?}");
                    assert!(label.original.chars().count() >= 2, "{label:?}");
                }
            }
        }
    }

    #[test]
    fn mode_names_round_trip() {
        for mode in [
            CorruptMode::Typo,
            CorruptMode::Ocr,
            CorruptMode::Spin,
            CorruptMode::Mix,
        ] {
            assert_eq!(mode.to_string().parse::<CorruptMode>().unwrap(), mode);
        }
        assert_eq!("MIX".parse::<CorruptMode>().unwrap(), CorruptMode::Mix);
        let err = "spinning".parse::<CorruptMode>().unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidOption {
                option: "--mode",
                ..
            }
        ));
        assert!(err.to_string().contains("\"spinning\""), "{err}");
        assert!(CorruptConfig::new(CorruptMode::Typo, 1.5, 0).is_err());
        assert!(CorruptConfig::new(CorruptMode::Typo, f64::NAN, 0).is_err());
        assert!(CorruptConfig::new(CorruptMode::Typo, 0.5, 0).is_ok());
    }

    #[test]
    fn kind_names_match_serde() {
        for kind in [
            CorruptionKind::Typo,
            CorruptionKind::Ocr,
            CorruptionKind::InwordSpin,
            CorruptionKind::WordSpin,
        ] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{kind}\""));
        }
        let label = Label {
            doc: "d".into(),
            start: 0,
            end: 5,
            corrupted: "shelp".into(),
            original: "said".into(),
            kind: CorruptionKind::InwordSpin,
            realword: false,
        };
        let json = serde_json::to_string(&label).unwrap();
        assert_eq!(
            json,
            r#"{"doc":"d","start":0,"end":5,"corrupted":"shelp","original":"said","kind":"inword_spin","realword":false}"#
        );
        assert_eq!(serde_json::from_str::<Label>(&json).unwrap(), label);
    }

    proptest! {
        #[test]
        fn labels_restore_the_input_exactly(
            text in "([a-zA-Z]{1,12}[ ,.'\\-]{0,2}){0,40}|\\PC{0,80}|([a-zé'İßﬁ]{1,8} ?){0,20}",
            seed in any::<u64>(),
            rate in 0.0f64..=1.0,
            mode in prop_oneof![
                Just(CorruptMode::Typo),
                Just(CorruptMode::Ocr),
                Just(CorruptMode::Spin),
                Just(CorruptMode::Mix),
            ],
        ) {
            let t = spin_thesaurus();
            let c = Corrupter::new(config(mode, rate, seed), Some(&t), &IS_WORD);
            let (out, labels) = c.corrupt("p", &text);
            let mut last_end = 0;
            for label in &labels {
                prop_assert!(label.start >= last_end);
                prop_assert_eq!(out.get(label.start..label.end), Some(label.corrupted.as_str()));
                prop_assert_ne!(&label.corrupted, &label.original);
                last_end = label.end;
            }
            prop_assert_eq!(restore(&out, &labels), text.clone());
            prop_assert_eq!(c.corrupt("p", &text), (out, labels));
        }
    }
}
