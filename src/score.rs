//! Scoring documents: a calibrated probability that each word is corrupted, and a
//! corruption score and perplexity for the whole document.
//!
//! For every word token ([`crate::tokenize`]) the scorer gathers [`TokenEvidence`]: the
//! lexicon count of its case-folded form, its per-symbol surprisal under the character
//! model, its shape (capitalised mid-sentence, all caps, digits among letters) and
//! whether the same form recurs in the document. The model's [`Calibration`] turns that
//! evidence into `P(corrupted)`. Numbers, URLs, e-mail addresses, handles and hashtags
//! are never scored, and words on the user's allow list (or in the model's user
//! lexicon) score 0.
//!
//! Names are the hard case: "Zaporizhzhia" is in no lexicon, yet it is not corrupt. The
//! calibration learns from labelled data that capitalisation away from a sentence start,
//! repetition and name-like character sequences (low surprisal) make a word more likely
//! a name than damage.
//!
//! The document score is the mean corruption probability over its words (the expected
//! fraction of damaged words, in [0, 1]); the perplexity is `2^(bits / symbols)` over
//! every character and word end of its words, so a feed can be sorted by either.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::calibrate::Calibration;
use crate::counts::fold_case;
use crate::error::{Error, Result};
use crate::features::{FeatureVector, TokenEvidence};
use crate::model::Model;
use crate::tokenize::{self, TokenKind};

/// Default probability above which a word is flagged.
pub const DEFAULT_THRESHOLD: f32 = 0.5;

/// Words the user declares correct (compared case-folded).
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    words: FxHashSet<String>,
}

impl AllowList {
    /// An empty list.
    pub fn new() -> AllowList {
        AllowList::default()
    }

    /// Adds a word or name.
    pub fn insert(&mut self, word: &str) {
        let w = word.trim();
        if !w.is_empty() {
            self.words.insert(fold_case(w).into_owned());
        }
    }

    /// Adds one entry per line (blank lines and lines starting with `#` are skipped).
    /// An entry of several words ("Nguyen Van Thanh") allows each of them.
    pub fn extend_from_text(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            tokenize::for_each_word(line, |w| self.insert(w));
        }
    }

    /// True if the (case-folded) word is allowed.
    pub fn contains(&self, folded: &str) -> bool {
        self.words.contains(folded)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// The score of one word token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordScore {
    /// Byte offset of the first byte, in the scored text.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// `P(corrupted)`.
    pub probability: f32,
    /// The folded word is in the lexicon (or allowed).
    pub known: bool,
}

/// Scores of one text (a document or a piece of one).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextScore {
    /// Every word token, in order (may be cleared to save memory; `tokens` still counts).
    pub words: Vec<WordScore>,
    /// Number of word tokens scored.
    pub tokens: u64,
    /// Sum of the word probabilities.
    pub probability_sum: f64,
    /// Total surprisal of the words' symbols, in bits.
    pub bits: f64,
    /// Number of symbols predicted (characters and word ends).
    pub symbols: u64,
}

impl TextScore {
    /// Adds a later piece of the same document, shifting its offsets by `offset`.
    pub fn append(&mut self, mut other: TextScore, offset: usize) {
        for w in &mut other.words {
            w.start += offset;
            w.end += offset;
        }
        self.words.append(&mut other.words);
        self.tokens += other.tokens;
        self.probability_sum += other.probability_sum;
        self.bits += other.bits;
        self.symbols += other.symbols;
    }

    /// Mean corruption probability of the words (0 for a text without words).
    pub fn document_score(&self) -> f64 {
        if self.tokens == 0 {
            0.0
        } else {
            self.probability_sum / self.tokens as f64
        }
    }

    /// Per-symbol perplexity of the words under the character model (1 without words).
    pub fn perplexity(&self) -> f64 {
        if self.symbols == 0 {
            1.0
        } else {
            (self.bits / self.symbols as f64).exp2()
        }
    }
}

/// The evidence about one word token, with where it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordEvidence {
    /// Byte offset of the first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What the scorer weighs.
    pub evidence: TokenEvidence,
    /// Total surprisal of its symbols, in bits.
    pub bits: f64,
    /// Symbols predicted.
    pub symbols: u64,
    /// On the allow list or in the model's user lexicon.
    pub allowed: bool,
}

/// Most document word types compared with one unknown word.
const MAX_NEIGHBOUR_COMPARISONS: usize = 4096;

/// True if another word type of the document is within a small edit distance of
/// `word` and is either known to the lexicon or more frequent in the document.
fn has_doc_neighbour(word: &str, own_count: u32, types: &[(Vec<char>, u32, bool)]) -> bool {
    let chars: Vec<char> = word.chars().collect();
    let max = if chars.len() <= 6 { 1 } else { 2 };
    types
        .iter()
        .filter(|(t, count, known)| {
            t.len().abs_diff(chars.len()) <= max && (*known || *count > own_count) && *t != chars
        })
        .take(MAX_NEIGHBOUR_COMPARISONS)
        .any(|(t, _, _)| crate::edit::osa_chars_within(&chars, t, max).is_some())
}

/// Why a token scored as it did (for `--explain`).
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Each predicted symbol (characters, then `</w>`) with its surprisal in bits.
    pub surprisals: Vec<(String, f32)>,
    /// The evidence gathered.
    pub evidence: TokenEvidence,
    /// The feature row.
    pub features: FeatureVector,
    /// `P(corrupted)`.
    pub probability: f32,
}

/// Scores text with one model.
#[derive(Debug, Clone)]
pub struct Scorer<'m> {
    model: &'m Model,
    calibration: &'m Calibration,
    allow: AllowList,
}

impl<'m> Scorer<'m> {
    /// A scorer for `model` that never flags the words in `allow`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] when the model has no calibration.
    pub fn new(model: &'m Model, allow: AllowList) -> Result<Scorer<'m>> {
        let calibration = model.calibration().ok_or(Error::InvalidOption {
            option: "--model",
            reason: "the model has no scorer calibration; run `garbled calibrate --model MODEL --out MODEL CLEAN_TEXT...` (or train with --calibrate)".into(),
        })?;
        Ok(Scorer {
            model,
            calibration,
            allow,
        })
    }

    /// A scorer with explicit weights (used while calibrating).
    pub(crate) fn with_calibration(model: &'m Model, calibration: &'m Calibration) -> Scorer<'m> {
        Scorer {
            model,
            calibration,
            allow: AllowList::new(),
        }
    }

    /// The model.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    fn is_allowed(&self, folded: &str) -> bool {
        self.allow.contains(folded) || self.model.user_words().is_some_and(|u| u.contains(folded))
    }

    /// The lexicon count of a folded word; a possessive ("chatbot's", "students'")
    /// counts as its stem when the lexicon lacks the full form.
    pub fn lexicon_count(&self, folded: &str) -> u64 {
        let lexicon = self.model.lexicon();
        lexicon
            .count(folded)
            .or_else(|| {
                let stem = folded
                    .strip_suffix("'s")
                    .or_else(|| folded.strip_suffix('\''))?;
                lexicon.count(stem)
            })
            .unwrap_or(0)
    }

    /// Gathers the evidence for one word; also returns its total bits and symbols.
    pub fn evidence(
        &self,
        word: &str,
        sentence_start: bool,
        repeated: bool,
        symbols: &mut Vec<u8>,
        surprisals: &mut Vec<f32>,
    ) -> TokenEvidence {
        let folded = fold_case(word);
        let lm = self.model.char_lm();
        lm.alphabet().encode_word(&folded, symbols);
        surprisals.clear();
        lm.surprisals_of_symbols(symbols, surprisals);
        let total: f32 = surprisals.iter().sum();
        let max = surprisals.iter().copied().fold(0.0f32, f32::max);
        TokenEvidence {
            count: self.lexicon_count(&folded),
            mean_bits: total / surprisals.len().max(1) as f32,
            max_bits: max,
            chars: symbols.len().saturating_sub(2),
            shape: tokenize::shape(word),
            sentence_start,
            has_digit: tokenize::has_digit(word),
            repeated,
            doc_neighbour: false,
        }
    }

    /// Gathers the evidence of every word token of `text`, in order.
    ///
    /// Besides each word on its own, this looks at the document: whether a form recurs
    /// (names do), and whether an unknown word is a near miss of a word that the same
    /// document uses more often or that the lexicon knows ("Rakotomakala" beside three
    /// "Rakotomalala"): the signature of damage to a name no lexicon has.
    pub fn document_evidence(&self, text: &str) -> Vec<WordEvidence> {
        let tokens: Vec<tokenize::Token> = tokenize::tokenize(text)
            .filter(|t| t.kind == TokenKind::Word)
            .collect();
        let mut doc_counts: FxHashMap<String, u32> = FxHashMap::default();
        let mut surface_counts: FxHashMap<&str, u32> = FxHashMap::default();
        for t in &tokens {
            let w = t.text(text);
            *surface_counts.entry(w).or_default() += 1;
            *doc_counts.entry(fold_case(w).into_owned()).or_default() += 1;
        }
        let mut doc_types: Vec<(Vec<char>, u32, bool)> = doc_counts
            .iter()
            .map(|(w, &c)| (w.chars().collect(), c, self.lexicon_count(w) > 0))
            .collect();
        doc_types.sort_unstable();
        let (mut symbols, mut surprisals) = (Vec::new(), Vec::new());
        let mut out = Vec::with_capacity(tokens.len());
        for t in &tokens {
            let word = t.text(text);
            let repeated = surface_counts.get(word).copied().unwrap_or(0) > 1;
            let mut evidence = self.evidence(
                word,
                t.sentence_start,
                repeated,
                &mut symbols,
                &mut surprisals,
            );
            let folded = fold_case(word);
            let allowed = self.is_allowed(&folded);
            if evidence.count == 0 && !allowed {
                let own = doc_counts.get(folded.as_ref()).copied().unwrap_or(0);
                evidence.doc_neighbour = has_doc_neighbour(&folded, own, &doc_types);
            }
            out.push(WordEvidence {
                start: t.start,
                end: t.end,
                evidence,
                bits: surprisals.iter().map(|&b| f64::from(b)).sum(),
                symbols: surprisals.len() as u64,
                allowed,
            });
        }
        out
    }

    /// Scores every word token of `text`.
    pub fn score_text(&self, text: &str) -> TextScore {
        let norms = self.model.length_norms();
        let evidence = self.document_evidence(text);
        let mut out = TextScore {
            words: Vec::with_capacity(evidence.len()),
            ..TextScore::default()
        };
        for w in evidence {
            out.bits += w.bits;
            out.symbols += w.symbols;
            let probability = if w.allowed {
                0.0
            } else {
                self.calibration.probability(&w.evidence.features(norms))
            };
            out.probability_sum += f64::from(probability);
            out.tokens += 1;
            out.words.push(WordScore {
                start: w.start,
                end: w.end,
                probability,
                known: w.evidence.count > 0 || w.allowed,
            });
        }
        out
    }

    /// Explains the score of one word as if it stood in mid-sentence, alone.
    pub fn explain(&self, word: &str) -> Explanation {
        let (mut symbols, mut surprisals) = (Vec::new(), Vec::new());
        let evidence = self.evidence(word, false, false, &mut symbols, &mut surprisals);
        let alphabet = self.model.char_lm().alphabet();
        let folded = fold_case(word);
        let names = folded
            .chars()
            .map(|c| {
                if alphabet.symbol(c) == crate::alphabet::UNK {
                    format!("{c} (<unk>)")
                } else {
                    c.to_string()
                }
            })
            .chain(std::iter::once("</w>".to_string()));
        let features = evidence.features(self.model.length_norms());
        let probability = if self.is_allowed(&fold_case(word)) {
            0.0
        } else {
            self.calibration.probability(&features)
        };
        Explanation {
            surprisals: names.zip(surprisals.iter().copied()).collect(),
            evidence,
            features,
            probability,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_folds_and_splits_entries() {
        let mut a = AllowList::new();
        a.extend_from_text("# names\nZaporizhzhia\n\nNguyen Van Thanh\n");
        assert!(a.contains("zaporizhzhia"));
        assert!(a.contains("thanh"));
        assert_eq!(a.len(), 4);
    }

    #[test]
    fn text_scores_append_with_offsets() {
        let mut a = TextScore::default();
        let b = TextScore {
            words: vec![WordScore {
                start: 1,
                end: 4,
                probability: 0.5,
                known: false,
            }],
            tokens: 1,
            probability_sum: 0.5,
            bits: 8.0,
            symbols: 4,
        };
        a.append(b, 100);
        assert_eq!(a.words[0].start, 101);
        assert_eq!(a.document_score(), 0.5);
        assert_eq!(a.perplexity(), 4.0);
        assert_eq!(TextScore::default().perplexity(), 1.0);
    }
}
