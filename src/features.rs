//! The evidence the scorer weighs for each word: features of one token in its document.
//!
//! A token is suspicious when its characters are improbable under the character model
//! *and* the lexicon does not know it *and* its shape does not explain it (a capitalised
//! word in mid-sentence is probably a name; an all-caps one an acronym). Each of these is
//! one number in a [`FeatureVector`]; [`crate::calibrate`] learns how much each matters
//! from labelled corruptions, so no hand-set weights decide a flag. One feature asks
//! whether a correction explains an unknown word (a synonym swap inside it undone gives
//! a known word), with a separate weight for capitalised words, because spun names are
//! the damage that the name features otherwise let through. Another counts the
//! commonest word one slip or one OCR look-alike away ("Nuited" for "united", "Monclay"
//! for "Monday"), again with a weight of its own for capitalised words, long ones only:
//! a name one slip from a common word is short ("Arce", "Bennu"), a long capitalised
//! word one slip from a common one is mostly damage ("Internatinal").
//!
//! Character evidence is length-normalised twice: as bits per symbol, and as a z-score
//! against lexicon words of the same length ([`LengthNorms`]), because short words carry
//! fewer bits in total but more per character.

use serde::{Deserialize, Serialize};

use crate::ngram::CharLm;
use crate::tokenize::Shape;

/// Number of features, including the constant bias.
pub const NUM_FEATURES: usize = 29;

/// Names of the features, in order (for `--explain` and `garbled info`).
pub const FEATURE_NAMES: [&str; NUM_FEATURES] = [
    "bias",
    "known",
    "log10_count",
    "mean_bits",
    "max_bits",
    "z_mean_bits",
    "inv_length",
    "capitalised_mid_sentence",
    "capitalised_sentence_start",
    "all_caps",
    "mixed_case",
    "digit_in_word",
    "repeated_in_document",
    "unknown_x_mean_bits",
    "unknown_x_max_bits",
    "unknown_x_z",
    "unknown_x_capitalised_mid",
    "unknown_x_all_caps",
    "unknown_x_inv_length",
    "unknown_x_repeated",
    "unknown_near_other_word",
    "unknown_spin_source",
    "unknown_spin_source_x_capitalised",
    "unknown_x_neighbour",
    "unknown_x_neighbour_x_inv_length",
    "unknown_x_split",
    "unknown_x_spin_source_count",
    "unknown_x_inflection",
    "unknown_x_neighbour_x_capitalised_long",
];

/// Least length of a "long" word for the capitalised-neighbour feature: names one slip
/// from a common word are short ("Arce", "Bennu"), while a capitalised long word one slip
/// or look-alike from a common one is mostly damage ("Internatinal", "Comrnission").
const LONG_WORD: usize = 7;

/// One row of the feature matrix.
pub type FeatureVector = [f32; NUM_FEATURES];

/// Mean and standard deviation of the mean surprisal (bits per symbol) of lexicon words,
/// by length in characters (index = length, the last bucket holds all longer words).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LengthNorms {
    /// `[mean, std]` per length.
    pub by_length: Vec<[f32; 2]>,
}

/// Longest length with its own bucket.
const MAX_LENGTH_BUCKET: usize = 24;

impl LengthNorms {
    /// Measures the lexicon's words under the model; each word weighs `1 + log2 count`
    /// so that the norms describe ordinary vocabulary rather than a few frequent words.
    pub fn measure<'a>(lm: &CharLm, words: impl Iterator<Item = (&'a str, u64)>) -> LengthNorms {
        let mut sums = vec![[0f64; 3]; MAX_LENGTH_BUCKET + 1];
        for (word, count) in words {
            let n = word.chars().count();
            if n == 0 || count == 0 {
                continue;
            }
            let w = 1.0 + (count as f64).log2();
            let s = lm.surprisals(word);
            let mean = s.iter().map(|&x| f64::from(x)).sum::<f64>() / s.len() as f64;
            let b = &mut sums[n.min(MAX_LENGTH_BUCKET)];
            b[0] += w;
            b[1] += w * mean;
            b[2] += w * mean * mean;
        }
        let mut by_length = vec![[0f32, 1f32]; MAX_LENGTH_BUCKET + 1];
        let mut last = [3.0f32, 1.0f32];
        for (len, s) in sums.iter().enumerate() {
            if s[0] > 0.0 {
                let mean = s[1] / s[0];
                let var = (s[2] / s[0] - mean * mean).max(0.01);
                last = [mean as f32, var.sqrt() as f32];
            }
            by_length[len] = last;
        }
        LengthNorms { by_length }
    }

    /// `[mean, std]` for a word of `len` characters.
    pub fn get(&self, len: usize) -> [f32; 2] {
        self.by_length
            .get(len.min(self.by_length.len().saturating_sub(1)))
            .copied()
            .unwrap_or([3.0, 1.0])
    }
}

/// What the scorer knows about a token before weighing it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenEvidence {
    /// Lexicon count of the folded form (0 when unknown).
    pub count: u64,
    /// Mean surprisal, bits per predicted symbol.
    pub mean_bits: f32,
    /// Largest surprisal of one symbol.
    pub max_bits: f32,
    /// Length in characters.
    pub chars: usize,
    /// Capitalisation pattern.
    pub shape: Shape,
    /// First word of a sentence.
    pub sentence_start: bool,
    /// Contains a digit among letters.
    pub has_digit: bool,
    /// The same surface form occurs more than once in the document.
    pub repeated: bool,
    /// Unknown, and a small edit away from a word the document uses more often or the
    /// lexicon knows.
    pub doc_neighbour: bool,
    /// Unknown, and undoing a synonym swap inside it ([`crate::spin`]) gives a word the
    /// lexicon knows or the document uses more often: "Wednesdaylight" (day -> daylight)
    /// or "Tulkbranch" beside "Tulkarm" (arm -> branch).
    pub spin_source: bool,
    /// The lexicon count of the most frequent word that undoing a swap inside it gives
    /// (0 when none does, or when only a word of the document explains it).
    pub spin_source_count: u64,
    /// Unknown, and the lexicon count of the most frequent word one edit or one OCR
    /// look-alike away ([`crate::lexicon::Lexicon::best_neighbour_count`],
    /// [`crate::lexicon::Lexicon::best_look_alike_count`]; 0 if none): "Nuited" is a
    /// slip of "united" and "Monclay" a misreading of "Monday", while a name like
    /// "Batjargal" is one edit from nothing.
    pub neighbour_count: u64,
    /// Unknown, and how well it reads as two lexicon words written together
    /// ([`crate::lexicon::Lexicon::best_split_count`]; 0 if it does not): "megatrend".
    pub split_count: u64,
    /// Unknown, and how well it reads as a regular inflection of a lexicon word
    /// ([`crate::lexicon::Lexicon::best_inflection_count`]; 0 if it does not):
    /// "foldables", but not "giveed".
    pub inflection_count: u64,
}

impl TokenEvidence {
    /// The feature row for this evidence.
    pub fn features(&self, norms: &LengthNorms) -> FeatureVector {
        let known = f32::from(self.count > 0);
        let unknown = 1.0 - known;
        let [mean, std] = norms.get(self.chars);
        let z = ((self.mean_bits - mean) / std.max(0.05)).clamp(-6.0, 6.0) / 3.0;
        let mean_bits = self.mean_bits / 5.0;
        let max_bits = self.max_bits / 10.0;
        let inv_len = 1.0 / self.chars.max(1) as f32;
        let capitalised = matches!(self.shape, Shape::Capitalized);
        let cap_mid = f32::from(capitalised && !self.sentence_start);
        let cap_start = f32::from(capitalised && self.sentence_start);
        let all_caps = f32::from(matches!(self.shape, Shape::AllCaps) && self.chars >= 2);
        let mixed = f32::from(matches!(self.shape, Shape::MixedCase));
        let repeated = f32::from(self.repeated);
        let spin_source = f32::from(self.spin_source);
        let log_count = |c: u64| ((c as f64 + 1.0).log10() / 4.0) as f32;
        let neighbour = log_count(self.neighbour_count);
        [
            1.0,
            known,
            log_count(self.count),
            mean_bits,
            max_bits,
            z,
            inv_len,
            cap_mid,
            cap_start,
            all_caps,
            mixed,
            f32::from(self.has_digit),
            repeated,
            unknown * mean_bits,
            unknown * max_bits,
            unknown * z,
            unknown * cap_mid,
            unknown * all_caps,
            unknown * inv_len,
            unknown * repeated,
            unknown * f32::from(self.doc_neighbour),
            unknown * spin_source,
            unknown * spin_source * f32::from(capitalised || all_caps > 0.0),
            unknown * neighbour,
            unknown * neighbour * inv_len,
            unknown * log_count(self.split_count),
            unknown * log_count(self.spin_source_count),
            unknown * log_count(self.inflection_count),
            unknown * neighbour * f32::from(capitalised && self.chars >= LONG_WORD),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_features() {
        let e = TokenEvidence {
            count: 0,
            mean_bits: 5.0,
            max_bits: 10.0,
            chars: 4,
            shape: Shape::Capitalized,
            sentence_start: false,
            has_digit: false,
            repeated: true,
            doc_neighbour: false,
            spin_source: true,
            spin_source_count: 0,
            neighbour_count: 9_999,
            split_count: 0,
            inflection_count: 0,
        };
        let norms = LengthNorms {
            by_length: vec![[3.0, 1.0]; 5],
        };
        let f = e.features(&norms);
        let by_name = |n: &str| f[FEATURE_NAMES.iter().position(|&x| x == n).unwrap()];
        assert_eq!(by_name("bias"), 1.0);
        assert_eq!(by_name("known"), 0.0);
        assert_eq!(by_name("capitalised_mid_sentence"), 1.0);
        assert_eq!(by_name("unknown_x_capitalised_mid"), 1.0);
        assert!((by_name("z_mean_bits") - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(by_name("unknown_x_repeated"), 1.0);
        assert_eq!(by_name("unknown_spin_source"), 1.0);
        assert_eq!(by_name("unknown_spin_source_x_capitalised"), 1.0);
        assert_eq!(by_name("unknown_x_neighbour"), 1.0);
        assert_eq!(by_name("unknown_x_neighbour_x_inv_length"), 0.25);
        // Four letters are short: the capitalised-neighbour feature is for long words.
        assert_eq!(by_name("unknown_x_neighbour_x_capitalised_long"), 0.0);
        let long = TokenEvidence { chars: 8, ..e }.features(&norms);
        assert_eq!(long[FEATURE_NAMES.len() - 1], 1.0);
        let lower = TokenEvidence {
            chars: 8,
            shape: Shape::Lower,
            ..e
        };
        assert_eq!(lower.features(&norms)[FEATURE_NAMES.len() - 1], 0.0);
        // The unknown-only features say nothing about a lexicon word.
        let known = TokenEvidence { count: 7, ..e }.features(&norms);
        for (name, v) in FEATURE_NAMES.iter().zip(known) {
            if name.starts_with("unknown_") {
                assert_eq!(v, 0.0, "{name}");
            }
        }
    }
}
