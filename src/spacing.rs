//! Words broken in two by a space whose pieces read as words: "o f", "t he", "sell ing".
//!
//! OCR engines break words where the letters sit too far apart. When a piece is no word
//! ("governme nts") the non-word check flags it and the corrector reads it together with
//! its neighbour ([`crate::correct::Corrector::suggest_joined`]). But most broken words
//! are short and common, and break into pieces that are words of the lexicon, if odd
//! ones ("o", "f", "t", "he", "ing"): a reader sees the damage at once, and a spelling
//! check sees nothing. In the evaluation's OCR damage, half of the broken words were
//! missed that way, a fifth of all OCR errors.
//!
//! # Decision: which reading the word model prefers
//!
//! Two adjacent words `a b`, one space apart, may be one word broken in two when `ab` is
//! a common word of the lexicon ([`MIN_WORD_LOG2_P`]). The word model
//! ([`crate::wordlm`]) compares the two readings of the window around them, with the word
//! before and the word after (within the run of words), by the chain rule: the gain is
//! `log2 P(prev ab next) - log2 P(prev a b next)`. An unbroken text has one more word to
//! pay for when read broken, so a gain is expected of most pairs: "o f the" against "of
//! the" gains tens of bits, "in to the" against "into the" a few. The probability of a
//! break is the posterior of those odds against a prior of [`BREAK_PRIOR_BITS`], `P = 1
//! / (1 + 2^(prior - gain))`, and the pair is flagged (as real-word damage, with the
//! joined word as the suggestion) when `P` reaches the real-word threshold.
//!
//! Only the case patterns a broken word leaves count: a lowercase second piece after a
//! lowercase or Capitalized first one (a lone capital only at a sentence start: "W e",
//! not the initial of "S and P"), or two ALL-CAPS pieces of two letters or more ("RAB
//! AT"). Names ("Exxon Mobil", "Al Jazeera", "de Vries") would otherwise be read as one
//! word. Pieces already flagged are left to the non-word check.
//!
//! The other way, words run together, is the non-word check's: the default lexicon
//! leaves out the web's run-togethers of common words ("ofthe", "inthe";
//! `training/lexicon.py`). Reading every rare word of the lexicon as two common ones
//! where it can cost about 0.15 of the plain check's time, for 1-2% of the OCR damage
//! mended.
//!
//! Weaknesses: a pair the word list holds neither way is judged by the model's back-off,
//! which cannot tell a rare phrase from a broken word ("de facto" reads as "defacto",
//! which the lexicon keeps as a common spelling, by 20 bits, and is left alone only
//! because "defacto" is rarer than [`MIN_WORD_LOG2_P`]); a word broken in three is not
//! found.

use std::ops::Range;

use rustc_hash::FxHashSet;

use crate::counts::fold_case;
use crate::lexicon::Lexicon;
use crate::tokenize::Token;
use crate::wordlm::{
    folded_word_key, for_each_run_of, joined_key, ngram_key, word_key, KeyFilter, WordLm,
};

/// Prior log2-odds against a break: a break is as likely as not when the joined reading
/// makes the window this many bits more probable. Set with a margin on
/// `training/calibration/` and its OCR damage (`garbled corrupt --kind ocr --rate 0.05`,
/// seeds 101 and 202): at the real-word threshold 0.7 (a gain of 9.2 bits), and down to
/// a gain of 4 bits, no pair of the clean text is flagged and every flag on the damage
/// is a broken word (95 flags, the same at both gains). With the back-off word model and
/// the default threshold 0.65 (8.9 bits) the same holds: 0 and 95 (54 + 41). Without that margin,
/// the held-out articles have clean pairs that gain 4-5 bits ("a dam", "by e").
pub const BREAK_PRIOR_BITS: f32 = 8.0;

/// Least word-model probability (log2) of the word two broken pieces make: about one in
/// a million words. Three in four pairs of the evaluation's clean articles that make a
/// known word make a rarer one ("as a" -> "asa", "in a" -> "ina"); judging them was a
/// third of this check's cost, for a few rare names among the broken words (the
/// evaluation's OCR damage, seeds 7 and 11: 335 of 344 broken words found make a
/// commoner word).
pub const MIN_WORD_LOG2_P: f32 = -20.0;

/// A word broken in two.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokenWord {
    /// Byte span of both pieces.
    pub span: Range<usize>,
    /// The text mended, in its case: "W e" -> "We".
    pub fix: String,
    /// How many bits more probable the window is mended.
    pub gain_bits: f32,
    /// `P(the pieces are one word broken in two)`.
    pub probability: f32,
}

/// The probability of a break whose joined reading gains `gain_bits` (see the module
/// docs).
pub fn break_probability(gain_bits: f32) -> f32 {
    1.0 / (1.0 + (BREAK_PRIOR_BITS - gain_bits).exp2())
}

/// Whether a pair of words has a case pattern a broken word leaves (see the module docs;
/// letters only); `sentence_start` is whether the first piece starts a sentence.
fn breaks_like_a_word(a: &str, b: &str, sentence_start: bool) -> bool {
    let lower = |s: &str| s.chars().all(char::is_lowercase);
    let upper = |s: &str| s.chars().all(char::is_uppercase);
    let mut first = a.chars();
    let capitalized = first.next().is_some_and(char::is_uppercase) && lower(first.as_str());
    let one_letter = a.chars().nth(1).is_none();
    if lower(b) {
        lower(a) || (capitalized && (!one_letter || sentence_start))
    } else {
        upper(a) && upper(b) && !one_letter && b.chars().nth(1).is_some()
    }
}

/// Finds words broken in two with a word model (see the module docs).
#[derive(Debug, Clone)]
pub struct Spacing<'m> {
    lm: &'m WordLm,
    /// The [`word_key`]s of the lexicon's common words, the words a broken pair may
    /// make.
    common: FxHashSet<u64>,
    /// Every way to cut a common word of the lexicon ([`MIN_WORD_LOG2_P`] or more) in
    /// two, by the [`ngram_key`] of its pieces' [`word_key`]s: almost no two adjacent
    /// words make a common word together, and the keys of a document's words are known
    /// already, so most pairs stop here without a look at their text (8 bits per cut).
    cuts: KeyFilter,
}

impl<'m> Spacing<'m> {
    /// A finder for the word model `lm`, which reads as broken the common words of
    /// `lexicon` (builds a filter of their cuts into two pieces, 8 bits per cut: about
    /// 25 ms for the default model, most of it reading the lexicon).
    pub fn new(lm: &'m WordLm, lexicon: &Lexicon) -> Spacing<'m> {
        use fst::Streamer;
        let screen = lm.word_filter(MIN_WORD_LOG2_P);
        let mut common = FxHashSet::default();
        let mut cuts: Vec<u64> = Vec::new();
        let mut words = lexicon.map().stream();
        while let Some((word, _)) = words.next() {
            let Ok(word) = std::str::from_utf8(word) else {
                continue;
            };
            let key = word_key(word);
            if word.len() < 2 || !screen.maybe(key) || lm.log2_joint(&[key]) < MIN_WORD_LOG2_P {
                continue;
            }
            common.insert(key);
            for (at, _) in word.char_indices().skip(1) {
                let (a, b) = word.split_at(at);
                cuts.push(ngram_key(&[word_key(a), word_key(b)]));
            }
        }
        let mut filter = KeyFilter::with_capacity(cuts.len(), 1);
        for cut in cuts {
            filter.insert(cut);
        }
        Spacing {
            lm,
            common,
            cuts: filter,
        }
    }

    /// The broken words of a text whose probability reaches `threshold`, in text order
    /// and without overlap. `skip` says which tokens (by byte span) are flagged already.
    pub fn find(
        &self,
        text: &str,
        tokens: &[Token],
        threshold: f32,
        skip: impl Fn(&Range<usize>) -> bool,
    ) -> Vec<BrokenWord> {
        let mut found = Vec::new();
        let mut keys = Vec::new();
        for_each_run_of(text, tokens.iter().copied(), |run| {
            keys.clear();
            keys.extend(run.iter().map(|t| folded_word_key(t.text(text))));
            self.find_in_run(text, run, &keys, threshold, &skip, &mut found);
        });
        found
    }

    /// [`Spacing::find`] in one run of words ([`for_each_run_of`]) whose [`word_key`]s
    /// are `keys`, adding to `found`.
    pub(crate) fn find_in_run(
        &self,
        text: &str,
        run: &[Token],
        keys: &[u64],
        threshold: f32,
        skip: &dyn Fn(&Range<usize>) -> bool,
        found: &mut Vec<BrokenWord>,
    ) {
        // Pieces already read as part of a broken word end before this.
        let mut taken_until = 0;
        for (i, ab) in run.windows(2).enumerate() {
            // Cheapest test first: almost every pair stops at the filter.
            if i < taken_until || !self.cuts.maybe(ngram_key(&keys[i..i + 2])) {
                continue;
            }
            let (a, b) = (&ab[0], &ab[1]);
            let (pa, pb) = (a.text(text), b.text(text));
            if &text[a.end..b.start] != " "
                || !breaks_like_a_word(pa, pb, a.sentence_start)
                || skip(&a.byte_span())
                || skip(&b.byte_span())
            {
                continue;
            }
            // The filter lets a few pairs through that make no common word.
            let joined = joined_key(&fold_case(pa), &fold_case(pb));
            if !self.common.contains(&joined) {
                continue;
            }
            let gain_bits = self.gain(keys, i, joined);
            let probability = break_probability(gain_bits);
            if probability >= threshold {
                found.push(BrokenWord {
                    span: a.start..b.end,
                    fix: format!("{pa}{pb}"),
                    gain_bits,
                    probability,
                });
                taken_until = i + 2;
            }
        }
    }

    /// How many bits more probable the window around words `i` and `i + 1` of a run
    /// (keys `keys`; one word each side) is with the one word `joined` in their place.
    fn gain(&self, keys: &[u64], i: usize, joined: u64) -> f32 {
        let from = i.saturating_sub(1);
        let to = (i + 3).min(keys.len());
        let mut together: Vec<u64> = keys[from..i].to_vec();
        together.push(joined);
        together.extend_from_slice(&keys[i + 2..to]);
        self.lm.log2_window(&together) - self.lm.log2_window(&keys[from..to])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::WordCounts;
    use crate::tokenize;
    use crate::wordlm::ContextCounts;

    /// The words of [`lm`], each its own lexicon word.
    const WORDS: [&str; 16] = [
        "the", "end", "of", "day", "king", "north", "o", "f", "t", "he", "we", "went", "in", "to",
        "into", "room",
    ];

    /// A word model that knows "of the", "the north" and both "went in to" and "went
    /// into"; "o", "f", "t" and "he" are words too.
    fn lm() -> WordLm {
        let pairs = [
            "the end",
            "end of",
            "of the",
            "the day",
            "the king",
            "king of",
            "the north",
            "we went",
            "went in",
            "in to",
            "to the",
            "went into",
            "into the",
            "the room",
        ];
        let ngrams = WORDS
            .iter()
            .map(|w| (w.to_string(), 1_000_000))
            .chain(pairs.iter().map(|p| (p.to_string(), 500_000)));
        WordLm::estimate(ContextCounts::from_ngrams(&WordCounts::from_pairs(ngrams)))
    }

    fn lexicon(words: &[&str]) -> Lexicon {
        Lexicon::from_counts(&WordCounts::from_pairs(
            words.iter().map(|w| (w.to_string(), 1_000_000)),
        ))
    }

    fn mended(lm: &WordLm, text: &str) -> Vec<String> {
        mended_with(lm, &WORDS, text)
    }

    /// The words of `text` read as broken, with `words` as the lexicon.
    fn mended_with(lm: &WordLm, words: &[&str], text: &str) -> Vec<String> {
        let tokens: Vec<Token> = tokenize::tokenize(text).collect();
        Spacing::new(lm, &lexicon(words))
            .find(text, &tokens, 0.7, |_| false)
            .into_iter()
            .map(|e| format!("{} -> {}", &text[e.span], e.fix))
            .collect()
    }

    #[test]
    fn a_word_broken_into_words_is_read_whole() {
        let lm = lm();
        assert_eq!(mended(&lm, "the end o f the day"), ["o f -> of"]);
        assert_eq!(mended(&lm, "the king of t he north"), ["t he -> the"]);
        assert!(mended(&lm, "the end of the day").is_empty());
        // "in to" is a pair of its own: the joined reading is not much likelier.
        assert!(mended(&lm, "we went in to the room").is_empty());
    }

    #[test]
    fn only_common_words_of_the_lexicon_are_read_as_broken() {
        // The word model knows "the"; a lexicon without it mends nothing.
        let lm = lm();
        let text = "the king of t he north";
        let without: Vec<&str> = WORDS.iter().copied().filter(|&w| w != "the").collect();
        assert!(mended_with(&lm, &without, text).is_empty());
        assert_eq!(mended(&lm, text), ["t he -> the"]);
    }

    #[test]
    fn case_patterns_of_names_are_left_alone() {
        assert!(breaks_like_a_word("o", "f", false));
        assert!(breaks_like_a_word("Th", "ey", false));
        assert!(breaks_like_a_word("W", "e", true));
        assert!(!breaks_like_a_word("S", "and", false), "an initial");
        assert!(!breaks_like_a_word("Exxon", "Mobil", false));
        assert!(!breaks_like_a_word("de", "Vries", false));
        assert!(breaks_like_a_word("RAB", "AT", false));
        assert!(!breaks_like_a_word("A", "U", false));
        let lm = lm();
        assert!(mended(&lm, "the end O F the day").is_empty());
    }

    #[test]
    fn flagged_words_are_skipped_and_probability_follows_the_gain() {
        let lm = lm();
        let text = "the end o f the day";
        let tokens: Vec<Token> = tokenize::tokenize(text).collect();
        let words = lexicon(&WORDS);
        let finder = Spacing::new(&lm, &words);
        assert!(finder.find(text, &tokens, 0.7, |r| r.start == 8).is_empty());
        let all = finder.find(text, &tokens, 0.0, |_| false);
        assert!(all
            .iter()
            .all(|e| (e.probability - break_probability(e.gain_bits)).abs() < 1e-6));
        assert!((break_probability(BREAK_PRIOR_BITS) - 0.5).abs() < 1e-6);
        assert!(break_probability(BREAK_PRIOR_BITS + 10.0) > 0.999);
    }
}
