//! Corrections: the most likely original words for a flagged token.
//!
//! The scorer says *that* a token is damaged; this module says what it most likely was.
//! A [`Corrector`] gathers candidates from several sources and ranks them together:
//!
//! - **Edit**: lexicon words within `max_distance` edits (optimal string alignment) of the
//!   case-folded token, found with a symmetric-delete index ([`crate::symspell`]) and
//!   priced by a weighted error channel ([`crate::channel`]): typos, OCR look-alikes and
//!   sound-alike spellings.
//! - **OCR look-alikes** (reported as [`SuggestionSource::Edit`]): words further than
//!   `max_distance` plain edits that undoing up to three OCR confusions reaches
//!   ("rnernory" -> "memory", [`crate::channel::ocr_readings`]); `rn` for `m` is two
//!   plain edits but one cheap step of the channel.
//! - **Sound-alike** (reported as [`SuggestionSource::Edit`]): words further away whose
//!   [`sound_key`] is within `sound_key_distance` of the token's ("aratictature" ->
//!   "architecture"), priced by the same channel. People misspell by ear; one Aspell-list
//!   misspelling in five is more than two edits from its word.
//! - **Spin**: article spinners replace a word, or a piece inside a word, by a synonym of
//!   that piece ("said" -> "shelp", aid -> help). For every substring of the token that is
//!   a synonym in the [`Thesaurus`], each headword it may have replaced is put back (once,
//!   or twice for two swaps), and the results that are lexicon words are candidates.
//! - **Split**: two words run together ("alot" -> "a lot").
//! - **Document** ([`Corrector::suggest_in_document`]): the words the token's own text
//!   uses elsewhere, within `max_distance` edits, whether or not the lexicon knows them
//!   ("Marandiaga" beside "Maradiaga"), with a prior that adds their share of the
//!   document to their frequency ([`DocumentWords`]).
//! - **Join** ([`Corrector::suggest_joined`]): a word broken in two by a space, read
//!   together with the neighbour it was broken from ("governme nts" -> "governments").
//!   The checker asks for it when a flagged token next to a word makes a lexicon word
//!   with it; the suggestions then cover both words.
//!
//! Case is restored at the end: a lowercase, Capitalized or ALL-CAPS token gets its
//! suggestions in the same pattern. A hyphenated token not in the lexicon is also
//! corrected part by part ("lnog-range" -> "long-range").
//!
//! # Ranking: one noisy channel for all sources
//!
//! Idea: candidate `c` for token `t` scores `log P(c) + log P(t | c)` (natural logs).
//! `P(c)` is the word's relative frequency in the lexicon raised to `prior_weight` (or
//! what a pluggable [`ContextModel`] says, given the neighbouring words). `P(t | c)`
//! depends on the source: the weighted edit distance for edits; for spins the chance a
//! spinner touched one of the word's synonym-bearing pieces times `1 / (synonyms of the
//! replaced piece)`, which is how likely this particular synonym was drawn; for splits a
//! fixed cost for the lost space, with `P("a lot") = P(a) P(lot)`, and for joins one for the
//! added space, against `P(neighbour)` times the token's own candidates. A candidate reached by
//! several sources adds their probabilities. The reported `score` is the candidate's
//! share of the total over *every* candidate kept (a softmax over all of them), so it is
//! a probability conditional on the token being wrong and its original being among the
//! candidates, and the scores of the returned (truncated) list sum to at most 1.
//!
//! Pruning: candidates are scored in order of decreasing prior, and one that cannot come
//! within `prune_margin` nats of the best so far (its prior minus the channel's lower
//! bound for its distance, [`ChannelCosts::lower_bound`]) is dropped unscored. Word ids
//! are frequency ranks, so "frequent enough" is an id range, and the distance-2 and
//! sound-alike enumerations only read words in that range: short tokens have thousands of
//! rare words two edits away ("teh": every three-letter abbreviation) that could never
//! win. Each dropped candidate had less than `e^-prune_margin` of the best one's
//! probability, so rankings above the margin are exact.
//!
//! Cost: two index queries (microseconds), one channel table per surviving candidate
//! (tens to a few hundred), `O(len * longest synonym)` FST steps for the spin search, and
//! `O(len)` look-ups for splits; about 1,000 to 10,000 suggestions per second per core
//! depending on token length (`examples/misspellings.rs`, `benches/correct.rs`).
//!
//! Weaknesses: without a context model, real-word choices ("there" / "their", "statement"
//! / "statements") fall back on frequency (`garbled check` weighs the likeliest
//! candidates again with their neighbours, [`crate::check`]); a spin is reversed only if the thesaurus lists
//! the spinner's pair (WordNet gives reside -> dwell, but nothing gives man -> guy, so
//! "spokesguy" becomes "spokes"); a join is only looked for next to a flagged token
//! ("Moldo va", where neither piece is flagged, stays apart); channel costs are hand-set and tuned (see
//! `scripts/tune_correct.py`), not learned from an error corpus.
//!
//! Reference: the noisy channel of Kernighan, Church & Gale (COLING 1990); candidate
//! generation of Garbe's SymSpell; see the module docs of [`crate::channel`],
//! [`crate::symspell`] and [`crate::sound`].

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::channel::{ocr_readings, Channel, ChannelCosts};
use crate::counts::fold_case;
use crate::edit::{letter_mask, masks_within, osa_distance_within};
use crate::error::{Error, Result};
use crate::lexicon::Lexicon;
use crate::sound::sound_key;
pub use crate::spin::SpinCosts;
use crate::spin::SpinReverser;
use crate::symspell::{DeleteIndex, IndexConfig, QueryScratch, WordTable};
use crate::thesaurus::Thesaurus;
use crate::tokenize::{self, Shape};

thread_local! {
    /// Per-thread buffers for index queries, so `suggest` allocates little and a shared
    /// `Corrector` needs no lock.
    static SCRATCH: RefCell<QueryScratch> = RefCell::new(QueryScratch::default());
}

/// Prior of a candidate: its case-folded text and, when known, its id in the word table.
type Prior<'a> = dyn Fn(&str, Option<u32>) -> f64 + 'a;

/// At most this many sound-alike candidates (the most frequent ones) are scored per token.
const MAX_SOUND_CANDIDATES: usize = 100;

/// Sound-alike words more than this many edits from the token are not proposed.
const MAX_SOUND_DISTANCE: usize = 8;

/// Tokens with fewer letters get no sound-alike candidates: their keys are one or two
/// letters long and shared by thousands of words.
pub const MIN_SOUND_KEY_LETTERS: usize = 4;

/// Most OCR look-alike confusions undone together by the OCR stage of edit candidates.
const MAX_OCR_RULES: usize = 3;

/// Tokens longer than this many `char`s get no suggestions (no English word is that long,
/// and it bounds the work a hostile input can cause).
pub const MAX_TOKEN_CHARS: usize = 64;

/// Where a suggestion came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SuggestionSource {
    /// Within `max_distance` edits of the token (typo, OCR, misspelling).
    Edit,
    /// A thesaurus synonym inside the token put back to the word it replaced.
    Spin,
    /// The token split into two words.
    Split,
    /// The token joined with a neighbouring word it was broken from.
    Join,
    /// A word its document uses elsewhere, within `max_distance` edits of the token
    /// ([`Corrector::suggest_in_document`]).
    Document,
}

/// Which neighbour a [`Joined`] reading takes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The word before the token.
    Left,
    /// The word after the token.
    Right,
}

/// Suggestions for a flagged token read together with one neighbour, from
/// [`Corrector::suggest_joined`]. They replace the whole span `neighbour token` (or
/// `token neighbour`), the space included.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    /// The neighbour taken in.
    pub side: Side,
    /// Best first: the joined word, then the token's own candidates with the neighbour
    /// kept as written.
    pub suggestions: Vec<Suggestion>,
}

/// One proposed correction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The corrected text, in the token's case pattern (`"a lot"` for a split).
    pub text: String,
    /// Probability of this suggestion among all candidates considered, in `[0, 1]`.
    pub score: f64,
    /// The source that explains it best.
    pub source: SuggestionSource,
}

/// Default [`CorrectConfig::split`]: the cost of a lost space between two words, in
/// nats.
pub const DEFAULT_SPLIT_NATS: f64 = 3.5;

/// Default [`CorrectConfig::document_weight`], chosen on the damage of
/// `training/calibration/` (rate 0.05, seeds 101 and 202): fix rate of the mixed damage
/// 0.862 / 0.799 without the document, 0.868 / 0.802 at 0.1 and 0.3, 0.868 / 0.799 at
/// 1; of the typos 0.846 / 0.814, 0.854 / 0.822, 0.857 / 0.828 and 0.860 / 0.825.
pub const DEFAULT_DOCUMENT_WEIGHT: f64 = 0.3;

/// The words a document uses, for [`Corrector::suggest_in_document`]: a name spelt
/// right in one place is the likeliest original of a damaged spelling of it in another
/// ("Esvvatini" beside "Eswatini"), though no lexicon lists it, and a rare word the
/// document is about is likelier there than its frequency says (a cache model, after
/// Kuhn and De Mori, IEEE PAMI 1990).
///
/// Words are kept as written, borrowed from the text: most documents are read for a
/// flag or two, so the words are case-folded only when a flag first asks, and sorted
/// by length then. A long, badly damaged text has thousands of flags and tens of
/// thousands of distinct words: each flag compares itself only with the words of about
/// its length whose letters it nearly shares, and computes the edit distance only to
/// those.
#[derive(Debug, Clone, Default)]
pub struct DocumentWords<'t> {
    /// Word as written -> index in `words`.
    index: rustc_hash::FxHashMap<&'t str, usize>,
    /// Each distinct word as written and its uses.
    words: Vec<(&'t str, u32)>,
    /// Uses of all the words.
    uses: u64,
    /// The words case-folded, by length (built on the first question).
    folded: std::cell::OnceCell<FoldedWords>,
}

/// The distinct case-folded words of a [`DocumentWords`] with their uses, grouped by
/// length: `by_length[n]` holds indices into `words` of words of `n` characters.
#[derive(Debug, Clone, Default)]
struct FoldedWords {
    words: Vec<FoldedWord>,
    by_length: Vec<Vec<u32>>,
}

#[derive(Debug, Clone)]
struct FoldedWord {
    text: String,
    chars: Vec<char>,
    /// Its [`letter_mask`]: most pairs of words are told apart by that alone, without
    /// the edit distance.
    letters: u32,
    uses: u32,
}

impl<'t> FromIterator<&'t str> for DocumentWords<'t> {
    fn from_iter<I: IntoIterator<Item = &'t str>>(words: I) -> Self {
        let mut document = DocumentWords::new();
        for word in words {
            document.add(word);
        }
        document
    }
}

/// A word of the document near a token: case-folded, its `char`s and its uses.
struct NearWord<'a> {
    word: &'a str,
    chars: &'a [char],
    uses: u32,
}

impl<'t> DocumentWords<'t> {
    /// No words.
    pub fn new() -> DocumentWords<'t> {
        DocumentWords::default()
    }

    /// Counts one use of `word` (ignored unless it has a letter).
    pub fn add(&mut self, word: &'t str) {
        if !word.chars().any(char::is_alphabetic) {
            return;
        }
        self.uses += 1;
        self.folded.take();
        match self.index.get(word) {
            Some(&i) => self.words[i].1 += 1,
            None => {
                self.index.insert(word, self.words.len());
                self.words.push((word, 1));
            }
        }
    }

    /// Number of distinct words (as written).
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when no word was added.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The distinct case-folded words, their uses in any case summed.
    fn folded(&self) -> &FoldedWords {
        self.folded.get_or_init(|| {
            let mut folded = FoldedWords::default();
            let mut at: rustc_hash::FxHashMap<String, usize> = Default::default();
            for &(written, uses) in &self.words {
                let text = fold_case(written).into_owned();
                if let Some(&i) = at.get(&text) {
                    folded.words[i].uses += uses;
                    continue;
                }
                let chars: Vec<char> = text.chars().collect();
                let n = chars.len();
                if folded.by_length.len() <= n {
                    folded.by_length.resize_with(n + 1, Vec::new);
                }
                folded.by_length[n].push(folded.words.len() as u32);
                at.insert(text.clone(), folded.words.len());
                folded.words.push(FoldedWord {
                    letters: letter_mask(chars.iter().copied()),
                    text,
                    chars,
                    uses,
                });
            }
            folded
        })
    }

    /// The case-folded words other than `query` (case-folded `char`s) within `k` edits
    /// of it.
    fn near(&self, query: &[char], k: usize) -> Vec<NearWord<'_>> {
        let folded = self.folded();
        let letters = letter_mask(query.iter().copied());
        let lengths = query.len().saturating_sub(k)..=query.len() + k;
        lengths
            .filter_map(|n| folded.by_length.get(n))
            .flatten()
            .map(|&i| &folded.words[i as usize])
            .filter(|w| {
                masks_within(w.letters, letters, k)
                    && w.chars != query
                    && osa_distance_within(query, &w.chars, k).is_some()
            })
            .map(|w| NearWord {
                word: &w.text,
                chars: &w.chars,
                uses: w.uses,
            })
            .collect()
    }
}

/// Options of a [`Corrector`]. Build with [`Default`] and the builder methods.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrectConfig {
    /// Largest edit distance (optimal string alignment) of edit candidates; 0 to 3.
    pub max_distance: usize,
    /// Lexicon words seen fewer times are never proposed.
    pub min_count: u64,
    /// Only this many of the most frequent lexicon words are proposed (`None`: all).
    pub max_words: Option<usize>,
    /// Characters of each word that the delete index uses (SymSpell's prefix length).
    pub prefix_chars: usize,
    /// Exponent of the frequency prior: 1 is the plain noisy channel, lower trusts the
    /// channel more than frequency (0.72 by tuning, see `scripts/tune_correct.py`).
    pub prior_weight: f64,
    /// Edit costs.
    pub channel: ChannelCosts,
    /// Spin costs.
    pub spin: SpinCosts,
    /// Cost of a lost space between two words, in nats (3.5: tuned on words joined by
    /// the corruption generator's OCR mode over `training/calibration/`).
    pub split: f64,
    /// Cost of a lost space where the token's case turns from a small letter to a
    /// capital ("SanPedro", "saidMarta"), in nats (0.5): a capital inside an unknown word
    /// is far likelier a word's start than a slip. The calibration text has no such
    /// joins (its fix rates are the same from 0.5 to 3.5); on the evaluation's OCR
    /// damage it mends 0-2 labels per set and breaks none.
    pub case_split: f64,
    /// Cost of a space inside a word, in nats, for a flagged token read together with a
    /// neighbour ("governme nts" -> "governments"; see [`Corrector::suggest_joined`]).
    pub join: f64,
    /// Weight of the document's own words in the prior of
    /// [`Corrector::suggest_in_document`]: a word the document uses `n` times in `N`
    /// adds `document_weight * n / N` to its probability.
    pub document_weight: f64,
    /// Also propose words whose [`sound_key`] is within this many edits of the token's
    /// (for tokens of [`MIN_SOUND_KEY_LETTERS`] letters or more), reaching misspellings
    /// beyond `max_distance`; `None` turns this off.
    pub sound_key_distance: Option<usize>,
    /// Edit candidates that score more than this many nats below the best one are
    /// dropped, and words too rare to come within it are not enumerated at distance 2
    /// (see `edit_candidates`). Each dropped candidate had less than `e^-margin` of the
    /// best one's probability.
    pub prune_margin: f64,
}

impl Default for CorrectConfig {
    fn default() -> Self {
        CorrectConfig {
            max_distance: 2,
            min_count: 1,
            max_words: None,
            prefix_chars: 7,
            prior_weight: 0.72,
            channel: ChannelCosts::default(),
            spin: SpinCosts::default(),
            split: DEFAULT_SPLIT_NATS,
            case_split: 0.5,
            join: 3.5,
            document_weight: DEFAULT_DOCUMENT_WEIGHT,
            prune_margin: 8.0,
            sound_key_distance: Some(1),
        }
    }
}

impl CorrectConfig {
    /// Sets [`CorrectConfig::max_distance`].
    pub fn max_distance(mut self, d: usize) -> Self {
        self.max_distance = d;
        self
    }

    /// Sets [`CorrectConfig::min_count`].
    pub fn min_count(mut self, c: u64) -> Self {
        self.min_count = c;
        self
    }

    /// Sets [`CorrectConfig::max_words`].
    pub fn max_words(mut self, n: Option<usize>) -> Self {
        self.max_words = n;
        self
    }

    /// Sets [`CorrectConfig::prior_weight`].
    pub fn prior_weight(mut self, w: f64) -> Self {
        self.prior_weight = w;
        self
    }

    /// Checks every option.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] naming the first bad option.
    pub fn validate(&self) -> Result<()> {
        let bad =
            |option: &'static str, reason: String| Err(Error::InvalidOption { option, reason });
        if self.max_distance > 3 {
            return bad(
                "--max-distance",
                format!("{} is too large; use 0 to 3", self.max_distance),
            );
        }
        if !(self.max_distance + 1..=16).contains(&self.prefix_chars) {
            return bad(
                "prefix_chars",
                format!(
                    "{} must be between max_distance + 1 and 16",
                    self.prefix_chars
                ),
            );
        }
        if self.sound_key_distance.is_some_and(|d| d > 2) {
            return bad(
                "sound_key_distance",
                "must be 0, 1 or 2 (or None)".to_string(),
            );
        }
        let c = &self.channel;
        let s = &self.spin;
        let costs = [
            ("prior_weight", self.prior_weight),
            ("split", self.split),
            ("join", self.join),
            ("document_weight", self.document_weight),
            ("prune_margin", self.prune_margin),
            ("spin.inword", s.inword),
            ("spin.second_swap", s.second_swap),
            ("spin.whole_word", s.whole_word),
            ("channel.substitute", c.substitute),
            ("channel.substitute_neighbour", c.substitute_neighbour),
            ("channel.substitute_vowel", c.substitute_vowel),
            ("channel.substitute_accent", c.substitute_accent),
            ("channel.delete", c.delete),
            ("channel.delete_double", c.delete_double),
            ("channel.insert", c.insert),
            ("channel.insert_double", c.insert_double),
            ("channel.insert_neighbour", c.insert_neighbour),
            ("channel.punctuation", c.punctuation),
            ("channel.transpose", c.transpose),
            ("channel.ocr", c.ocr),
            ("channel.sound", c.sound),
            ("channel.first_letter", c.first_letter),
        ];
        for (name, v) in costs {
            if !(v.is_finite() && v >= 0.0) {
                return bad(name, format!("{v} must be a finite number >= 0"));
            }
        }
        Ok(())
    }
}

/// A prior over candidates that looks at the neighbouring words, plugged into
/// [`Corrector::suggest_in_context`] (e.g. a word-bigram model).
///
/// Any `Fn(Option<&str>, &str, Option<&str>) -> Option<f64> + Sync` closure is one.
pub trait ContextModel: Sync {
    /// `ln P(candidate | prev, next)` up to a constant shared by all candidates, or
    /// `None` to use the lexicon frequency (`prior_weight * ln(count / total)`) for this
    /// candidate. The two are compared directly, so a model that answers for some
    /// candidates of a token and not others must be on the same scale as the lexicon
    /// prior. Words are case-folded; a split candidate is passed as its two words with a
    /// space (`"a lot"`).
    fn log_prior(&self, prev: Option<&str>, candidate: &str, next: Option<&str>) -> Option<f64>;
}

impl<F> ContextModel for F
where
    F: Fn(Option<&str>, &str, Option<&str>) -> Option<f64> + Sync,
{
    fn log_prior(&self, prev: Option<&str>, candidate: &str, next: Option<&str>) -> Option<f64> {
        self(prev, candidate, next)
    }
}

/// The words grouped by [`sound_key`], with a delete index over the distinct keys.
#[derive(Debug)]
struct SoundIndex {
    /// Distinct keys (a key's count is that of its most frequent word).
    keys: WordTable,
    index: DeleteIndex,
    /// `words[starts[k]..starts[k + 1]]` are the ids of the words with key id `k`.
    starts: Vec<u32>,
    words: Vec<u32>,
}

impl SoundIndex {
    fn build(table: &WordTable, max_distance: usize) -> SoundIndex {
        let mut by_key: Vec<(String, u32)> = (0..table.len() as u32)
            .map(|id| (sound_key(table.word(id)), id))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        by_key.sort_unstable();
        let keys =
            WordTable::from_pairs(by_key.iter().map(|(k, id)| (k.as_str(), table.count(*id))));
        let mut starts = vec![0u32; keys.len() + 1];
        let key_ids: Vec<u32> = by_key
            .iter()
            .map(|(k, _)| {
                keys.lookup(k)
                    .expect("every key was added to the key table")
            })
            .collect();
        for &k in &key_ids {
            starts[k as usize + 1] += 1;
        }
        for k in 0..keys.len() {
            starts[k + 1] += starts[k];
        }
        let mut fill = starts.clone();
        let mut words = vec![0u32; by_key.len()];
        for (&k, (_, id)) in key_ids.iter().zip(&by_key) {
            words[fill[k as usize] as usize] = *id;
            fill[k as usize] += 1;
        }
        let index = DeleteIndex::build(
            &keys,
            IndexConfig {
                max_distance,
                prefix_chars: 7,
            },
        );
        SoundIndex {
            keys,
            index,
            starts,
            words,
        }
    }
}

/// Byte offsets in an ASCII `token` (the same in its folded form) where a small letter
/// is followed by a capital: where a lost space most likely was ("SanPedro" -> 3).
/// Empty for other tokens.
fn case_cuts(token: &str) -> Vec<usize> {
    if !token.is_ascii() {
        return Vec::new();
    }
    let b = token.as_bytes();
    (1..b.len())
        .filter(|&i| b[i - 1].is_ascii_lowercase() && b[i].is_ascii_uppercase())
        .collect()
}

/// The case pattern of a token, re-applied to its suggestions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CaseShape {
    Lower,
    Capitalized,
    AllCaps,
    /// An acronym with a lowercase possessive or plural ending: "ISRO's", "NGOs".
    Acronym,
}

fn case_shape(token: &str) -> CaseShape {
    if tokenize::stem_shape(token) == Shape::AllCaps && tokenize::shape(token) != Shape::AllCaps {
        return CaseShape::Acronym;
    }
    // A capitalised stem before an apostrophe and a lowercase ending after it: an
    // acronym's possessive, its ending mistyped ("IAEA'xs", "NATO'z").
    if let Some((stem, ending)) = token.split_once(tokenize::is_apostrophe) {
        if stem.chars().count() >= 2
            && tokenize::shape(stem) == Shape::AllCaps
            && !ending.is_empty()
            && ending.chars().all(char::is_lowercase)
        {
            return CaseShape::Acronym;
        }
    }
    let mut cased = token
        .chars()
        .filter(|c| c.is_uppercase() || c.is_lowercase());
    let Some(first) = cased.next() else {
        return CaseShape::Lower;
    };
    let mut rest_upper = 0;
    let mut rest_lower = 0;
    for c in cased {
        if c.is_uppercase() {
            rest_upper += 1;
        } else {
            rest_lower += 1;
        }
    }
    match (first.is_uppercase(), rest_upper, rest_lower) {
        (true, u, 0) if u > 0 => CaseShape::AllCaps,
        (true, _, _) => CaseShape::Capitalized,
        (false, _, _) => CaseShape::Lower,
    }
}

/// `folded` in the case pattern of `token` (lower, Capitalized or ALL CAPS).
pub(crate) fn match_case(token: &str, folded: &str) -> String {
    apply_case(
        read_shape(token, folded).unwrap_or(case_shape(token)),
        folded,
    )
}

/// The case pattern of `token` when its first glyph is one OCR confuses, "I", "l", "1",
/// "|" or "0", and the correction `folded` starts with an "i", "l" or "o" in its place:
/// that glyph's own case says nothing, the letter it stood for does. An "l"-like glyph
/// read for an "i" was a capital I (a small i has its dot); an "I"-like glyph read for
/// an "l" was a small l; a zero read for an "o" was a capital O, as tall as a digit. The
/// rest of the token in capitals makes it ALL CAPS all the same. "Iast" -> "last",
/// "1ndian" -> "Indian", "lt" -> "It", "0rganisation" -> "Organisation", "IAST" -> "LAST".
fn read_shape(token: &str, folded: &str) -> Option<CaseShape> {
    let mut glyphs = token.chars();
    let capital = match (glyphs.next()?, folded.chars().next()?) {
        ('l' | '1' | '|', 'i') => true,
        ('I' | '1' | '|', 'l') => false,
        ('0', 'o') => true,
        _ => return None,
    };
    let rest = glyphs.as_str();
    Some(
        if rest.chars().any(char::is_uppercase) && !rest.chars().any(char::is_lowercase) {
            CaseShape::AllCaps
        } else if capital {
            CaseShape::Capitalized
        } else {
            CaseShape::Lower
        },
    )
}

fn apply_case(shape: CaseShape, folded: &str) -> String {
    match shape {
        CaseShape::Lower => folded.to_string(),
        CaseShape::AllCaps => folded.to_uppercase(),
        CaseShape::Acronym => {
            // The suggestion's own ending stays lowercase: "isro's" -> "ISRO's".
            let stem = tokenize::possessive_stem(folded)
                .or_else(|| folded.strip_suffix('s'))
                .unwrap_or(folded);
            format!("{}{}", stem.to_uppercase(), &folded[stem.len()..])
        }
        CaseShape::Capitalized => {
            let mut out = String::with_capacity(folded.len());
            let mut done = false;
            for c in folded.chars() {
                if !done && (c.is_lowercase() || c.is_uppercase()) {
                    out.extend(c.to_uppercase());
                    done = true;
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

/// A split suggestion in the case of the token's two parts ("ofDarfur" -> "of Darfur",
/// "Alot" -> "A lot"); the whole token's `shape` if the parts can't be matched up (case
/// folding changed the number of chars).
fn case_split(token: &str, folded_split: &str, shape: CaseShape) -> String {
    let Some((left, right)) = folded_split.split_once(' ') else {
        return apply_case(shape, folded_split);
    };
    let k = left.chars().count();
    if token.chars().count() != k + right.chars().count() {
        return apply_case(shape, folded_split);
    }
    let split = token.char_indices().nth(k).map_or(token.len(), |(i, _)| i);
    let (tl, tr) = token.split_at(split);
    let (sl, sr) = (case_shape(tl), case_shape(tr));
    // An all-caps token keeps both parts in capitals, even a one-letter part.
    let (sl, sr) = if shape == CaseShape::AllCaps {
        (CaseShape::AllCaps, CaseShape::AllCaps)
    } else {
        (sl, sr)
    };
    format!("{} {}", apply_case(sl, left), apply_case(sr, right))
}

/// A candidate before normalisation: case-folded text and `ln` of its joint probability.
#[derive(Debug, Clone, PartialEq)]
struct Candidate {
    text: String,
    log_score: f64,
    source: SuggestionSource,
}

/// What [`Corrector::suggest`] ranks for a token before it shares out the scores: the
/// likeliest candidates and the probability of all the others. A caller can keep it to
/// rank it again with the words of a document ([`Corrector::suggest_in_document`])
/// without searching the lexicon again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidates {
    /// Merged, best first.
    best: Vec<Candidate>,
    /// `ln` of the summed probability of the others (`-inf` when there are none).
    rest: f64,
}

impl Candidates {
    /// The `keep` likeliest of `cands` (merged) and the probability of the others.
    fn of(cands: Vec<Candidate>, keep: usize) -> Candidates {
        let mut cands = merge(cands);
        cands.retain(|c| c.log_score.is_finite());
        cands.sort_by(|a, b| {
            b.log_score
                .total_cmp(&a.log_score)
                .then(a.text.cmp(&b.text))
        });
        let rest = cands.get(keep..).map_or(f64::NEG_INFINITY, log_sum);
        cands.truncate(keep);
        Candidates { best: cands, rest }
    }

    /// Number of candidates kept.
    pub fn len(&self) -> usize {
        self.best.len()
    }

    /// True when no candidate was found.
    pub fn is_empty(&self) -> bool {
        self.best.is_empty()
    }

    /// The first `max`, each with its share of the probability of all the candidates,
    /// written with `text`.
    fn shared(&self, max: usize, text: impl Fn(&Candidate) -> String) -> Vec<Suggestion> {
        let total = log_add(log_sum(&self.best), self.rest);
        self.best
            .iter()
            .take(max)
            .map(|c| Suggestion {
                text: text(c),
                score: (c.log_score - total).exp(),
                source: c.source,
            })
            .collect()
    }
}

/// `ln` of the summed probability of `cands`.
fn log_sum(cands: &[Candidate]) -> f64 {
    cands
        .iter()
        .fold(f64::NEG_INFINITY, |acc, c| log_add(acc, c.log_score))
}

/// Whether `piece` may be one of the two words a token splits into: it has two or more
/// characters, or it is "a" or "i" (the other single letters are slips, not words).
pub(crate) fn stands_alone(piece: &str) -> bool {
    piece.chars().nth(1).is_some() || piece == "a" || piece == "i"
}

/// `ln(e^a + e^b)`.
fn log_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        hi
    } else {
        hi + (lo - hi).exp().ln_1p()
    }
}

/// Proposes corrections for flagged tokens; see the module doc.
///
/// # Performance
///
/// [`Corrector::new`] only checks the options (microseconds). The first
/// [`Corrector::suggest`] (or [`Corrector::warm_up`]) builds, for the default model's
/// 235k words and 54k thesaurus headwords (release build, 2 cores): the word table and
/// the spin reverser's FSTs, about 0.3 s and 9 MB; then, in parallel, the delete index
/// (6.0 million entries, 64 MB) and the sound-key index, about 1 s together; peak
/// resident memory of a process holding the model and a warm corrector is about 260 MB.
/// A run that flags nothing never pays for any of it. The indexes are not stored in the
/// model: the delete index alone is three times the size of the whole model file and
/// over the 50 MB budget for the embedded one, and it rebuilds in about a second.
///
/// [`CorrectConfig::max_words`] trades memory for recall of rare words: with the 100k
/// most frequent words the delete index is 28 MB (peak 160 MB) and the measured accuracy
/// (Aspell and Holbrook lists, frequency-weighted synthetic typos and spins) does not
/// change; with 50k, Aspell-list top-1 drops 1.2 points and in-word spins 1.7.
///
/// A look-up of all words within two edits takes tens of microseconds for ordinary
/// words and a few hundred for two- or three-letter tokens (which have hundreds of such
/// neighbours); a full `suggest` takes 0.1 to 1 ms. A `Corrector` is `Sync`: share one
/// between threads (each thread keeps its own small query buffers).
#[derive(Debug)]
pub struct Corrector<'t> {
    config: CorrectConfig,
    channel: Channel,
    source: WordSource<'t>,
    thesaurus: Option<&'t Thesaurus>,
    /// A spin reverser built elsewhere for the same thesaurus and costs.
    shared_spin: Option<Arc<SpinReverser<'t>>>,
    built: OnceLock<Built<'t>>,
    index: OnceLock<DeleteIndex>,
    sound: OnceLock<SoundIndex>,
}

/// Where the proposable words come from.
#[derive(Debug)]
enum WordSource<'t> {
    Lexicon(&'t Lexicon),
    Words(Vec<(String, u64)>),
}

/// What the first suggestion builds from the word source and the thesaurus.
#[derive(Debug)]
struct Built<'t> {
    table: WordTable,
    /// `ln` of the table's total count, for the unigram prior.
    log_total: f64,
    spin: Option<Arc<SpinReverser<'t>>>,
}

impl<'t> Corrector<'t> {
    /// A corrector proposing words of `lexicon` (filtered by `config.min_count` and
    /// `config.max_words`, and to words with at least one letter and no space), with spin
    /// reversal when a thesaurus is given. Cheap: the tables and indexes are built on
    /// first use (see the type's performance notes).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] if `config` is invalid (see [`CorrectConfig::validate`]).
    pub fn new(
        lexicon: &'t Lexicon,
        thesaurus: Option<&'t Thesaurus>,
        config: CorrectConfig,
    ) -> Result<Corrector<'t>> {
        Corrector::with_source(WordSource::Lexicon(lexicon), thesaurus, config)
    }

    /// A corrector over explicit `(case-folded word, count)` pairs instead of a
    /// [`Lexicon`] (same filtering as [`Corrector::new`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] if `config` is invalid.
    pub fn from_words<'a>(
        words: impl IntoIterator<Item = (&'a str, u64)>,
        thesaurus: Option<&'t Thesaurus>,
        config: CorrectConfig,
    ) -> Result<Corrector<'t>> {
        let words = words.into_iter().map(|(w, c)| (w.to_string(), c)).collect();
        Corrector::with_source(WordSource::Words(words), thesaurus, config)
    }

    fn with_source(
        source: WordSource<'t>,
        thesaurus: Option<&'t Thesaurus>,
        config: CorrectConfig,
    ) -> Result<Corrector<'t>> {
        config.validate()?;
        Ok(Corrector {
            channel: Channel::new(config.channel),
            config,
            source,
            thesaurus,
            shared_spin: None,
            built: OnceLock::new(),
            index: OnceLock::new(),
            sound: OnceLock::new(),
        })
    }

    /// The word table and spin reverser, built on first use.
    fn built(&self) -> &Built<'t> {
        self.built.get_or_init(|| off_pool(|| self.build_words()))
    }

    /// Builds the word table and spin reverser (see [`off_pool`]).
    fn build_words(&self) -> Built<'t> {
        let eligible = |w: &str, c: u64| {
            c >= self.config.min_count
                && w.chars().any(char::is_alphabetic)
                && !w.chars().any(char::is_whitespace)
        };
        let mut words: Vec<(&str, u64)> = Vec::new();
        let stream_buf: Vec<(String, u64)>;
        match &self.source {
            WordSource::Lexicon(lexicon) => {
                use fst::Streamer;
                let mut buf = Vec::with_capacity(lexicon.len());
                let mut stream = lexicon.map().stream();
                while let Some((k, count)) = stream.next() {
                    if let Ok(w) = std::str::from_utf8(k) {
                        if eligible(w, count) {
                            buf.push((w.to_string(), count));
                        }
                    }
                }
                stream_buf = buf;
                words.extend(stream_buf.iter().map(|(w, c)| (w.as_str(), *c)));
            }
            WordSource::Words(pairs) => {
                words.extend(
                    pairs
                        .iter()
                        .filter(|(w, c)| eligible(w, *c))
                        .map(|(w, c)| (w.as_str(), *c)),
                );
            }
        }
        if let Some(n) = self.config.max_words {
            if words.len() > n {
                // Keep the n most frequent; ties broken by word for determinism.
                words.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                words.truncate(n);
            }
        }
        // The table and the spin reverser's sets are independent builds of about
        // the same length: side by side.
        let (table, spin) = rayon::join(
            || WordTable::from_pairs(words),
            || {
                self.shared_spin.clone().or_else(|| {
                    self.thesaurus
                        .map(|t| Arc::new(SpinReverser::new(t, self.config.spin)))
                })
            },
        );
        Built {
            log_total: (table.total().max(1) as f64).ln(),
            spin,
            table,
        }
    }

    /// Uses `spin` for spin reversals instead of building one on first use (which takes
    /// a tenth of a second or more for a large thesaurus), when it was built for this
    /// corrector's thesaurus with this corrector's [`CorrectConfig::spin`] costs; otherwise
    /// changes nothing. The checker shares its scorer's this way.
    pub fn share_spin_reverser(mut self, spin: Arc<SpinReverser<'t>>) -> Self {
        let same_thesaurus = self
            .thesaurus
            .is_some_and(|t| std::ptr::eq(t, spin.thesaurus()));
        if same_thesaurus && *spin.costs() == self.config.spin {
            self.shared_spin = Some(spin);
        }
        self
    }

    /// The options in use.
    pub fn config(&self) -> &CorrectConfig {
        &self.config
    }

    /// The words that can be proposed (built on first use).
    pub fn words(&self) -> &WordTable {
        &self.built().table
    }

    /// Builds the word table and the indexes now instead of on the first suggestion, and
    /// returns the delete index.
    pub fn warm_up(&self) -> &DeleteIndex {
        self.built();
        let (index, _) = rayon::join(|| self.delete_index(), || self.sound_index());
        index
    }

    fn sound_index(&self) -> Option<&SoundIndex> {
        let d = self.config.sound_key_distance?;
        Some(self.sound.get_or_init(|| {
            let table = &self.built().table;
            off_pool(|| SoundIndex::build(table, d))
        }))
    }

    fn delete_index(&self) -> &DeleteIndex {
        self.index.get_or_init(|| {
            let table = &self.built().table;
            let config = IndexConfig {
                max_distance: self.config.max_distance,
                prefix_chars: self.config.prefix_chars,
            };
            off_pool(|| DeleteIndex::build(table, config))
        })
    }

    /// Up to `max` corrections for `token`, best first, without context. See
    /// [`Corrector::suggest_in_context`].
    pub fn suggest(&self, token: &str, max: usize) -> Vec<Suggestion> {
        self.suggest_with(token, None, None, None, max)
    }

    /// Up to `max` corrections for `token`, best first, with `context` supplying the prior
    /// given the previous and next words. The token itself (case-folded) is never
    /// proposed: it was flagged. Returns nothing for a token without letters or digits
    /// or longer than [`MAX_TOKEN_CHARS`].
    pub fn suggest_in_context(
        &self,
        token: &str,
        prev: Option<&str>,
        next: Option<&str>,
        context: &dyn ContextModel,
        max: usize,
    ) -> Vec<Suggestion> {
        self.suggest_with(token, prev, next, Some(context), max)
    }

    /// A word broken in two by a space ("governme nts", "Th ey"): when `token` joined
    /// with the word before it (`left`) or after it (`right`) is a lexicon word that
    /// explains the pair better than reading them apart, suggestions for the pair read
    /// as one span. `None` when no join is a word or keeping the words apart is likelier;
    /// then [`Corrector::suggest`] applies to the token alone.
    ///
    /// Noisy channel over the span: apart, the pair scores `P(neighbour) P(c) P(token |
    /// c)` for each candidate `c` of the token (an unknown neighbour gets the prior of a
    /// word seen once); joined, `P(joined) e^-join`. The scores are shares of the total
    /// over both readings, as for [`Corrector::suggest`].
    pub fn suggest_joined(
        &self,
        token: &str,
        left: Option<&str>,
        right: Option<&str>,
        max: usize,
    ) -> Option<Joined> {
        if max == 0 || !token.chars().any(char::is_alphabetic) {
            return None;
        }
        let folded = fold_case(token);
        // (side, neighbour, joined word's id, neighbour's log prior)
        let joins: Vec<(Side, &str, u32, f64)> = [(Side::Left, left), (Side::Right, right)]
            .into_iter()
            .filter_map(|(side, n)| {
                let n = n.filter(|n| n.chars().all(char::is_alphabetic))?;
                let fn_ = fold_case(n);
                let joined = match side {
                    Side::Left => format!("{fn_}{folded}"),
                    Side::Right => format!("{folded}{fn_}"),
                };
                if joined.chars().count() > MAX_TOKEN_CHARS {
                    return None;
                }
                let id = self.words().lookup(&joined)?;
                let np = self.unigram_log_prior(&fn_);
                let np = if np.is_finite() {
                    np
                } else {
                    self.unseen_log_prior()
                };
                Some((side, n, id, np))
            })
            .collect();
        if joins.is_empty() {
            return None;
        }
        let prior = |w: &str, id: Option<u32>| self.frequency_prior(w, id);
        let own = merge(self.candidates_of(&folded, &case_cuts(token), &prior, true));
        let best_own = own
            .iter()
            .map(|c| c.log_score)
            .fold(f64::NEG_INFINITY, f64::max);
        let joined_score = |id: u32| self.unigram_log_prior_id(id) - self.config.join;
        let (side, neighbour, id, np) = joins
            .into_iter()
            .map(|j| (joined_score(j.2) - (best_own + j.3), j))
            .filter(|(margin, _)| *margin > 0.0)
            .max_by(|a, b| a.0.total_cmp(&b.0))?
            .1;
        let shape = case_shape(token);
        let joined_shape = case_shape(match side {
            Side::Left => neighbour,
            Side::Right => token,
        });
        let mut cands: Vec<Candidate> = own
            .into_iter()
            .map(|c| {
                let text = cased(token, shape, &c);
                Candidate {
                    text: match side {
                        Side::Left => format!("{neighbour} {text}"),
                        Side::Right => format!("{text} {neighbour}"),
                    },
                    log_score: c.log_score + np,
                    source: c.source,
                }
            })
            .collect();
        cands.push(Candidate {
            text: apply_case(joined_shape, self.words().word(id)),
            log_score: joined_score(id),
            source: SuggestionSource::Join,
        });
        Some(Joined {
            side,
            suggestions: rank_by(cands, max, |c| c.text.clone()),
        })
    }

    /// The `keep` likeliest candidates for `token` without context, and the probability
    /// of the others: what [`Corrector::suggest`] shares out ([`Corrector::share`]).
    pub fn candidates(&self, token: &str, keep: usize) -> Candidates {
        Candidates::of(self.gather(token, None, None, None), keep)
    }

    /// The first `max` of `candidates` (found for `token`) as suggestions, each with its
    /// share of the probability of all the candidates.
    pub fn share(&self, token: &str, candidates: &Candidates, max: usize) -> Vec<Suggestion> {
        let shape = case_shape(token);
        candidates.shared(max, |c| cased(token, shape, c))
    }

    /// Up to `max` corrections for `token` from its `candidates` ([`Corrector::candidates`])
    /// and from `document`, the words of the text it comes from (without the flagged
    /// ones), or `None` when no word of the document is within `max_distance` edits of
    /// the token (then [`Corrector::share`] has the answer). A document word within reach
    /// is a candidate whether or not the lexicon knows it, and adds
    /// [`CorrectConfig::document_weight`] times its share of the document's words to its
    /// prior (raised to `prior_weight`, as the lexicon frequency is), priced by the same
    /// channel as edits.
    pub fn suggest_in_document(
        &self,
        token: &str,
        candidates: &Candidates,
        document: &DocumentWords<'_>,
        max: usize,
    ) -> Option<Vec<Suggestion>> {
        if self.config.document_weight <= 0.0 || document.is_empty() || !self.suggestible(token) {
            return None;
        }
        let query: Vec<char> = fold_case(token).chars().collect();
        let near = document.near(&query, self.config.max_distance);
        if near.is_empty() {
            return None;
        }
        let weight = self.config.document_weight / document.uses as f64;
        let mut cands = candidates.best.clone();
        cands.extend(near.into_iter().map(|n| Candidate {
            log_score: self.config.prior_weight * (weight * f64::from(n.uses)).ln()
                - self.channel.cost(&query, n.chars),
            text: n.word.to_string(),
            source: SuggestionSource::Document,
        }));
        let keep = cands.len();
        let mut with_document = Candidates::of(cands, keep);
        with_document.rest = candidates.rest;
        Some(self.share(token, &with_document, max))
    }

    /// Whether `token` gets suggestions at all: it has a letter or digit and at most
    /// [`MAX_TOKEN_CHARS`] characters.
    fn suggestible(&self, token: &str) -> bool {
        token.chars().count() <= MAX_TOKEN_CHARS && token.chars().any(char::is_alphanumeric)
    }

    fn suggest_with(
        &self,
        token: &str,
        prev: Option<&str>,
        next: Option<&str>,
        context: Option<&dyn ContextModel>,
        max: usize,
    ) -> Vec<Suggestion> {
        if max == 0 {
            return Vec::new();
        }
        let cands = Candidates::of(self.gather(token, prev, next, context), max);
        self.share(token, &cands, max)
    }

    /// Every candidate for `token` from every source (not merged), with the prior
    /// `context` gives (or frequency); none for a token that is not
    /// [`Corrector::suggestible`].
    fn gather(
        &self,
        token: &str,
        prev: Option<&str>,
        next: Option<&str>,
        context: Option<&dyn ContextModel>,
    ) -> Vec<Candidate> {
        if !self.suggestible(token) {
            return Vec::new();
        }
        let folded = fold_case(token);
        let prev = prev.map(fold_case);
        let next = next.map(fold_case);
        let prior = |w: &str, id: Option<u32>| -> f64 {
            let ctx = context.and_then(|c| c.log_prior(prev.as_deref(), w, next.as_deref()));
            ctx.unwrap_or_else(|| self.frequency_prior(w, id))
        };
        let frequency_prior = context.is_none();
        let mut cands = self.candidates_of(&folded, &case_cuts(token), &prior, frequency_prior);
        if folded.contains('-') && self.words().lookup(&folded).is_none() {
            cands.extend(self.hyphenated(&folded, &prior, frequency_prior));
        }
        cands
    }

    /// The frequency prior of a candidate: by its word id when known, else by its text
    /// (summed over the words of a split).
    fn frequency_prior(&self, folded: &str, id: Option<u32>) -> f64 {
        match id {
            Some(id) => self.unigram_log_prior_id(id),
            None => self.unigram_log_prior(folded),
        }
    }

    /// `prior_weight * ln(count / total)` of word `id`.
    fn unigram_log_prior_id(&self, id: u32) -> f64 {
        self.config.prior_weight
            * ((self.words().count(id).max(1) as f64).ln() - self.built().log_total)
    }

    /// The prior of a word seen once: what a word the lexicon lacks is given.
    fn unseen_log_prior(&self) -> f64 {
        -self.config.prior_weight * self.built().log_total
    }

    /// `prior_weight * ln(count / total)` (summed over the words of a split), or `-inf`
    /// for a word not in the table.
    fn unigram_log_prior(&self, folded: &str) -> f64 {
        let mut total = 0.0;
        for part in folded.split(' ') {
            match self.words().lookup(part) {
                Some(id) => total += (self.words().count(id) as f64).ln() - self.built().log_total,
                None => return f64::NEG_INFINITY,
            }
        }
        self.config.prior_weight * total
    }

    /// Every candidate from every source for a case-folded token (not deduplicated);
    /// `case_cuts` are where the token's case turns to a capital ([`case_cuts`]).
    fn candidates_of(
        &self,
        folded: &str,
        case_cuts: &[usize],
        prior: &Prior<'_>,
        frequency_prior: bool,
    ) -> Vec<Candidate> {
        let mut out = Vec::new();
        self.edit_candidates(folded, prior, frequency_prior, &mut out);
        self.spin_candidates(folded, prior, &mut out);
        self.split_candidates(folded, case_cuts, prior, &mut out);
        out
    }

    /// Edit candidates.
    ///
    /// With the frequency prior (no context model), enumeration is staged: first every
    /// word within one edit, which fixes the best score `B` so far; then words two edits
    /// away, but only among words frequent enough to score within [`CorrectConfig::prune_margin`]
    /// of `B` (their prior minus the channel's lower bound for two edits). Word ids are
    /// frequency ranks, so that is an id range and the index reads only the head of each
    /// bucket. Short tokens have thousands of rare words two edits away ("teh": every
    /// three-letter abbreviation), and this skips most of them without changing any
    /// score above the margin. A context model's prior is not monotone in frequency, so
    /// with one every word within `max_distance` is scored.
    fn edit_candidates(
        &self,
        folded: &str,
        prior: &Prior<'_>,
        frequency_prior: bool,
        out: &mut Vec<Candidate>,
    ) {
        let k = self.config.max_distance;
        if k == 0 {
            return;
        }
        let index = self.warm_up();
        let query: Vec<char> = folded.chars().collect();
        let mut found = Vec::new();
        let mut local = None;
        let mut best = f64::NEG_INFINITY;
        SCRATCH.with(|cell| {
            // A context model that calls back into `suggest` finds the buffers in use.
            let mut guard = cell.try_borrow_mut().ok();
            let qs = match guard.as_deref_mut() {
                Some(s) => s,
                None => local.insert(QueryScratch::default()),
            };
            if !frequency_prior || k == 1 {
                index.candidates(self.words(), &query, k, qs, &mut found);
                self.score_edits(&query, &found, prior, &mut best, out);
                self.sound_candidates(folded, &query, qs, prior, frequency_prior, &mut best, out);
                self.ocr_candidates(&query, prior, &mut best, out);
                return;
            }
            index.candidates(self.words(), &query, 1, qs, &mut found);
            self.score_edits(&query, &found, prior, &mut best, out);
            let max_id = self.max_useful_id(
                best - self.config.prune_margin + self.channel.costs().lower_bound(2),
            );
            index.candidates_below(self.words(), &query, k, max_id, qs, &mut found);
            found.retain(|&(_, d)| d >= 2);
            self.score_edits(&query, &found, prior, &mut best, out);
            self.sound_candidates(folded, &query, qs, prior, true, &mut best, out);
            self.ocr_candidates(&query, prior, &mut best, out);
        });
    }

    /// Words more than `max_distance` plain edits away that undoing up to
    /// [`MAX_OCR_RULES`] OCR look-alikes reaches ("mcrnory" -> "memory"), priced by the
    /// same channel as the edit candidates; words another stage found are skipped, so no
    /// candidate is counted twice.
    fn ocr_candidates(
        &self,
        query: &[char],
        prior: &Prior<'_>,
        best: &mut f64,
        out: &mut Vec<Candidate>,
    ) {
        let k = self.config.max_distance;
        let far = (k + 1).min(usize::from(u8::MAX)) as u8;
        let mut found: Vec<(u32, u8)> = Vec::new();
        let mut text = String::new();
        ocr_readings(query, MAX_OCR_RULES, |reading| {
            text.clear();
            text.extend(reading);
            if let Some(id) = self.words().lookup(&text) {
                if osa_distance_within(query, reading, k).is_none() {
                    found.push((id, far));
                }
            }
        });
        found.sort_unstable();
        found.dedup();
        found.retain(|&(id, _)| {
            let word = self.words().word(id);
            !out.iter().any(|c| c.text == word)
        });
        self.score_edits(query, &found, prior, best, out);
    }

    /// Words whose sound key is within `sound_key_distance` of the token's but which are
    /// more than `max_distance` edits away (closer ones are edit candidates already).
    /// With the frequency prior, only words frequent enough to come within the margin
    /// of `best` at that distance are considered, as in `edit_candidates`.
    #[allow(clippy::too_many_arguments)]
    fn sound_candidates(
        &self,
        folded: &str,
        query: &[char],
        qs: &mut QueryScratch,
        prior: &Prior<'_>,
        frequency_prior: bool,
        best: &mut f64,
        out: &mut Vec<Candidate>,
    ) {
        let Some(sound) = self.sound_index() else {
            return;
        };
        if folded.chars().filter(|c| c.is_alphabetic()).count() < MIN_SOUND_KEY_LETTERS {
            return;
        }
        let key: Vec<char> = sound_key(folded).chars().collect();
        let mut keys = Vec::new();
        let d = self.config.sound_key_distance.unwrap_or(0);
        sound.index.candidates(&sound.keys, &key, d, qs, &mut keys);
        let far = (self.config.max_distance + 1).min(u8::MAX as usize) as u8;
        let max_id = if frequency_prior {
            let bound = self.channel.costs().lower_bound(usize::from(far));
            self.max_useful_id(*best - self.config.prune_margin + bound)
        } else {
            u32::MAX
        };
        // Word ids are frequency ranks: visit the words of the matching keys from the most
        // frequent (with the frequency prior the only ones that can win; with a context
        // model, a cap on the work) and keep the first MAX_SOUND_CANDIDATES far ones.
        let mut ids: Vec<u32> = Vec::new();
        for (k, _) in keys {
            let (lo, hi) = (sound.starts[k as usize], sound.starts[k as usize + 1]);
            ids.extend(
                sound.words[lo as usize..hi as usize]
                    .iter()
                    .filter(|&&id| id < max_id),
            );
        }
        ids.sort_unstable();
        let mut found = Vec::new();
        let mut chars = Vec::new();
        for id in ids {
            if found.len() == MAX_SOUND_CANDIDATES {
                break;
            }
            chars.clear();
            chars.extend(self.words().word(id).chars());
            // The true distance gives a much tighter channel bound than `far` for pruning;
            // words more than MAX_SOUND_DISTANCE edits away are implausible.
            match osa_distance_within(query, &chars, MAX_SOUND_DISTANCE) {
                Some(d) if d > self.config.max_distance => found.push((id, d as u8)),
                _ => {}
            }
        }
        self.score_edits(query, &found, prior, best, out);
    }

    /// Ids of the words whose frequency prior is at least `min_log_prior` are
    /// `0..max_useful_id(min_log_prior)`.
    fn max_useful_id(&self, min_log_prior: f64) -> u32 {
        let w = self.config.prior_weight;
        if !min_log_prior.is_finite() || w <= 0.0 {
            return u32::MAX;
        }
        // prior = w * (ln count - ln total) >= min  <=>  count >= exp(min / w + ln total)
        let min_count = (min_log_prior / w + self.built().log_total).exp();
        if min_count <= 1.0 {
            return u32::MAX;
        }
        // `as` saturates for counts beyond u64 (then no word qualifies).
        let min_count = min_count.ceil() as u64;
        u32::try_from(self.words().count_at_least(min_count)).unwrap_or(u32::MAX)
    }

    /// Scores `(id, distance)` candidates (`distance` may be a lower bound) in order of
    /// decreasing prior, skipping those whose channel cost can't be low enough to come
    /// within [`CorrectConfig::prune_margin`] of `best` (updated as better ones are found)
    /// and cutting the channel table short for the others.
    fn score_edits(
        &self,
        query: &[char],
        found: &[(u32, u8)],
        prior: &Prior<'_>,
        best: &mut f64,
        out: &mut Vec<Candidate>,
    ) {
        let mut scored: Vec<(f64, u32, u8)> = found
            .iter()
            .filter(|&&(_, d)| d > 0)
            .map(|&(id, d)| (prior(self.words().word(id), Some(id)), id, d))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut chars = Vec::new();
        let mut table = Vec::new();
        let costs = *self.channel.costs();
        for (p, id, d) in scored {
            let limit = p - (*best - self.config.prune_margin);
            if limit < 0.0 {
                break; // priors only decrease and `best` only grows from here
            }
            if costs.lower_bound(usize::from(d)) > limit {
                continue;
            }
            let word = self.words().word(id);
            chars.clear();
            chars.extend(word.chars());
            if let Some(cost) = self.channel.cost_within(query, &chars, limit, &mut table) {
                let log_score = p - cost;
                *best = best.max(log_score);
                out.push(Candidate {
                    text: word.to_string(),
                    log_score,
                    source: SuggestionSource::Edit,
                });
            }
        }
    }

    /// In-word (one or two swaps) and whole-word spin reversals of a case-folded token.
    fn spin_candidates(&self, folded: &str, prior: &Prior<'_>, out: &mut Vec<Candidate>) {
        let Some(spin) = self.built().spin.as_ref() else {
            return;
        };
        let reversals = spin.reversals(
            folded,
            |w| self.words().lookup(w).is_some(),
            |p| self.words().has_prefix(p),
        );
        for r in reversals {
            out.push(Candidate {
                log_score: prior(&r.word, self.words().lookup(&r.word)) + r.log_prob,
                text: r.word,
                source: SuggestionSource::Spin,
            });
        }
    }

    /// Two words run together: both halves must be words (a one-letter half only `a` or
    /// `i`, since every letter is a "word" in a frequency list). A cut where the token's
    /// case turns to a capital (`case_cuts`) costs [`CorrectConfig::case_split`].
    fn split_candidates(
        &self,
        folded: &str,
        case_cuts: &[usize],
        prior: &Prior<'_>,
        out: &mut Vec<Candidate>,
    ) {
        for (at, _) in folded.char_indices().skip(1) {
            let (l, r) = folded.split_at(at);
            let ok = |p: &str| {
                stands_alone(p)
                    && p.chars().any(char::is_alphabetic)
                    && self.words().lookup(p).is_some()
            };
            if ok(l) && ok(r) {
                let text = format!("{l} {r}");
                let cost = if case_cuts.contains(&at) {
                    self.config.case_split
                } else {
                    self.config.split
                };
                let log_score = prior(&text, None) - cost;
                out.push(Candidate {
                    text,
                    log_score,
                    source: SuggestionSource::Split,
                });
            }
        }
    }

    /// A hyphenated token corrected part by part: each unknown part replaced by its best
    /// candidates, the known parts kept (scored as their prior, no channel cost).
    fn hyphenated(&self, folded: &str, prior: &Prior<'_>, frequency_prior: bool) -> Vec<Candidate> {
        const PER_PART: usize = 3;
        let parts: Vec<&str> = folded.split('-').collect();
        if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
            return Vec::new();
        }
        // Options for each part: (text, log score, source).
        let mut options: Vec<Vec<Candidate>> = Vec::new();
        for p in &parts {
            if self.words().lookup(p).is_some() {
                options.push(vec![Candidate {
                    text: p.to_string(),
                    log_score: prior(p, None),
                    source: SuggestionSource::Edit,
                }]);
                continue;
            }
            let mut c = merge(self.candidates_of(p, &[], prior, frequency_prior));
            c.sort_by(|a, b| {
                b.log_score
                    .total_cmp(&a.log_score)
                    .then(a.text.cmp(&b.text))
            });
            c.truncate(PER_PART);
            if c.is_empty() {
                return Vec::new();
            }
            options.push(c);
        }
        // The best of every part, then each alternative for one part at a time.
        let best: Vec<&Candidate> = options.iter().map(|o| &o[0]).collect();
        let combine = |choice: &[&Candidate]| Candidate {
            text: choice
                .iter()
                .map(|c| c.text.as_str())
                .collect::<Vec<_>>()
                .join("-"),
            log_score: choice.iter().map(|c| c.log_score).sum(),
            source: choice
                .iter()
                .map(|c| c.source)
                .find(|&s| s != SuggestionSource::Edit)
                .unwrap_or(SuggestionSource::Edit),
        };
        let mut out = vec![combine(&best)];
        for (k, o) in options.iter().enumerate() {
            for alt in o.iter().skip(1) {
                let mut choice = best.clone();
                choice[k] = alt;
                out.push(combine(&choice));
            }
        }
        out
    }
}

/// A candidate's text in the case pattern of `token` (whose shape is `shape`).
/// Runs `build` (which uses rayon) on a pool of its own, entered from a plain thread, and
/// waits for it without taking part in any other pool's work.
///
/// The corrector builds its tables on first use inside `OnceLock`s, and callers reach
/// them from rayon workers (a feed's records, the files of one check). Were a build to run
/// on the callers' pool, a thread waiting there for a stolen piece of it could steal one of
/// those callers' jobs instead, which then blocks on the very `OnceLock` that the thread is
/// filling further down its stack: a deadlock (it hung `tests/correct.rs` about once in 40
/// runs). A private pool runs only the build's own jobs, and the callers blocked on the
/// lock simply wait. The pool has as many threads as the caller's.
fn off_pool<R: Send>(build: impl FnOnce() -> R + Send) -> R {
    let Ok(pool) = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .thread_name(|i| format!("garbled-build-{i}"))
        .build()
    else {
        // No threads can be started: build here.
        return build();
    };
    if rayon::current_thread_index().is_none() {
        // A plain thread blocks in `install` without running anyone else's jobs.
        return pool.install(build);
    }
    // A pool's worker would run its pool's jobs while it waited: wait on a plain thread.
    let mut build = Some(build);
    let built = std::thread::scope(|scope| {
        let (build, pool) = (&mut build, &pool);
        let waiter = std::thread::Builder::new()
            .spawn_scoped(scope, move || build.take().map(|b| pool.install(b)))
            .ok()?;
        waiter
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    match built {
        Some(built) => built,
        // The thread did not start, so `build` never ran: run it here.
        None => build.take().expect("`build` runs at most once")(),
    }
}

fn cased(token: &str, shape: CaseShape, c: &Candidate) -> String {
    match c.source {
        SuggestionSource::Split => case_split(token, &c.text, shape),
        _ => apply_case(read_shape(token, &c.text).unwrap_or(shape), &c.text),
    }
}

/// Merges repeated candidates, normalises over all of them, sorts best first, truncates
/// to `max` and writes each with `text`.
fn rank_by(
    cands: Vec<Candidate>,
    max: usize,
    text: impl Fn(&Candidate) -> String,
) -> Vec<Suggestion> {
    Candidates::of(cands, max).shared(max, text)
}

/// Adds the probabilities of candidates with the same text; the source kept is the one
/// contributing most.
fn merge(mut cands: Vec<Candidate>) -> Vec<Candidate> {
    cands.sort_by(|a, b| {
        a.text
            .cmp(&b.text)
            .then(b.log_score.total_cmp(&a.log_score))
    });
    let mut out: Vec<Candidate> = Vec::with_capacity(cands.len());
    for c in cands {
        match out.last_mut() {
            Some(last) if last.text == c.text => {
                last.log_score = log_add(last.log_score, c.log_score)
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::WordCounts;

    fn lexicon(words: &[(&str, u64)]) -> Lexicon {
        Lexicon::from_counts(&WordCounts::from_pairs(
            words.iter().map(|&(w, c)| (w.to_string(), c)),
        ))
    }

    fn sample_lexicon() -> Lexicon {
        lexicon(&[
            ("the", 50_000),
            ("a", 30_000),
            ("lot", 900),
            ("of", 40_000),
            ("said", 5_000),
            ("help", 2_000),
            ("shell", 300),
            ("receive", 700),
            ("relieve", 200),
            ("deceive", 100),
            ("president", 1_500),
            ("cold", 800),
            ("told", 2_500),
            ("caged", 20),
            ("biggest", 900),
            ("formally", 200),
            ("form", 1_000),
            ("ally", 150),
            ("modern", 600),
            ("memory", 500),
            ("decade", 400),
            ("long", 3_000),
            ("range", 900),
            ("measures", 700),
            ("against", 2_000),
            ("architecture", 400),
            ("architect", 100),
        ])
    }

    fn sample_thesaurus() -> Thesaurus {
        Thesaurus::from_pairs([
            ("aid", vec!["help", "assist"]),
            ("reside", vec!["dwell", "live"]),
            ("old", vec!["elderly", "aged"]),
            ("big", vec!["huge", "large"]),
            ("form", vec!["establish", "shape"]),
            ("ally", vec!["associate", "friend"]),
            ("sure", vec!["certain"]),
            ("gain", vec!["obtain"]),
        ])
    }

    fn texts(s: &[Suggestion]) -> Vec<&str> {
        s.iter().map(|s| s.text.as_str()).collect()
    }

    macro_rules! case {
        ($name:ident, $token:expr, $want:expr) => {
            #[test]
            fn $name() {
                let lex = sample_lexicon();
                let th = sample_thesaurus();
                let c = Corrector::new(&lex, Some(&th), CorrectConfig::default()).unwrap();
                let got = c.suggest($token, 5);
                assert_eq!(
                    got.first().map(|s| s.text.as_str()),
                    Some($want),
                    "{}: got {:?}",
                    $token,
                    got
                );
            }
        };
    }

    case!(transposition, "recieve", "receive");
    case!(ocr_rn_for_m, "modem", "modern");
    case!(ocr_digit_for_letter, "c0ld", "cold");
    case!(spin_inside_word, "shelp", "said");
    case!(spin_keeps_capital, "Pdwellnt", "President");
    case!(spin_two_swaps, "establishassociate", "formally");
    case!(spin_all_caps, "TELDERLY", "TOLD");
    case!(spin_capital_short_word, "Celderly", "Cold");
    case!(spin_in_middle, "meacertains", "measures");
    case!(spin_after_prefix, "aobtainst", "against");
    case!(spin_two_letters_kept, "hugegest", "biggest");
    case!(split_words, "alot", "a lot");
    case!(split_function_words, "ofthe", "of the");
    case!(split_keeps_capital, "Ofthe", "Of the");
    case!(split_keeps_inner_capital, "ofThe", "of The");
    case!(hyphenated_part_by_part, "lnog-range", "long-range");
    case!(sound_alike_beyond_two_edits, "aratictature", "architecture");

    /// Issue 6: "spokesguy" (a spinner's man -> guy) was offered as "spokes guy" with
    /// score 0.999. With the pair in the thesaurus the spin explains the token far better
    /// than two words that make no phrase, and the split must lose clearly; splits off a
    /// function word ("a lot", "of the") must still win.
    #[test]
    fn issue_6_split_loses_to_a_better_explanation() {
        let lex = lexicon(&[
            ("the", 60_000),
            ("of", 40_000),
            ("a", 30_000),
            ("lot", 900),
            ("spokesman", 300),
            ("spokes", 40),
            ("guy", 500),
            ("man", 2_000),
        ]);
        let th = Thesaurus::from_pairs([("man", vec!["guy", "male"])]);
        let c = Corrector::new(&lex, Some(&th), CorrectConfig::default()).unwrap();
        let got = c.suggest("spokesguy", 5);
        assert_eq!(texts(&got).first(), Some(&"spokesman"), "{got:?}");
        let split = got.iter().find(|s| s.text == "spokes guy");
        assert!(split.is_none_or(|s| s.score < 0.01), "{got:?}");
        // A function word keeps the split first.
        assert_eq!(texts(&c.suggest("alot", 5)).first(), Some(&"a lot"));
        assert_eq!(texts(&c.suggest("ofthe", 5)).first(), Some(&"of the"));
    }

    case!(ocr_beyond_two_plain_edits, "rnernory", "memory");
    case!(ocr_two_digraph_look_alikes, "clecacle", "decade");

    #[test]
    fn ocr_stage_does_not_count_a_word_twice() {
        // "modern" is one plain edit from "modem" and also an OCR reading of it: one
        // candidate, whose score is the same as without the OCR stage.
        let lex = sample_lexicon();
        let c = Corrector::new(&lex, None, CorrectConfig::default()).unwrap();
        let got = c.suggest("modem", 10);
        assert_eq!(got.iter().filter(|s| s.text == "modern").count(), 1);
        let total: f64 = got.iter().map(|s| s.score).sum();
        assert!(total <= 1.0 + 1e-9, "{got:?}");
    }

    fn join_lexicon() -> Lexicon {
        lexicon(&[
            ("the", 60_000),
            ("be", 40_000),
            ("they", 20_000),
            ("before", 5_000),
            ("art", 1_000),
            ("eye", 800),
            ("hey", 300),
            ("beef", 100),
            ("ore", 50),
            ("thwart", 5),
        ])
    }

    #[test]
    fn words_broken_by_a_space_are_joined() {
        let lex = join_lexicon();
        let c = Corrector::new(&lex, None, CorrectConfig::default()).unwrap();
        // The flagged token is the first half...
        let j = c.suggest_joined("bef", None, Some("ore"), 5).unwrap();
        assert_eq!(j.side, Side::Right);
        assert_eq!(j.suggestions[0].text, "before");
        assert_eq!(j.suggestions[0].source, SuggestionSource::Join);
        // ...or the second, and the case of the span's first letter is kept. The other
        // readings keep the neighbour as written.
        let j = c.suggest_joined("ey", Some("Th"), None, 5).unwrap();
        assert_eq!(j.side, Side::Left);
        assert_eq!(texts(&j.suggestions)[0], "They");
        assert!(texts(&j.suggestions).contains(&"Th eye"), "{j:?}");
        let total: f64 = j.suggestions.iter().map(|s| s.score).sum();
        assert!(total <= 1.0 + 1e-9);
    }

    #[test]
    fn joins_need_a_word_and_a_better_explanation() {
        let lex = join_lexicon();
        let c = Corrector::new(&lex, None, CorrectConfig::default()).unwrap();
        // No joined word.
        assert_eq!(c.suggest_joined("bef", Some("art"), Some("eye"), 5), None);
        assert_eq!(c.suggest_joined("bef", None, None, 5), None);
        // "thw art" is a word, but a rare one: "the" for "thw" next to a common "art"
        // explains the pair better.
        assert_eq!(c.suggest_joined("thw", None, Some("art"), 5), None);
        assert_eq!(texts(&c.suggest("thw", 5))[0], "the");
        // Nothing asked, nothing done.
        assert_eq!(c.suggest_joined("bef", None, Some("ore"), 0), None);
    }

    #[test]
    fn a_shared_spin_reverser_gives_the_same_suggestions() {
        let lex = sample_lexicon();
        let th = sample_thesaurus();
        let own = Corrector::new(&lex, Some(&th), CorrectConfig::default()).unwrap();
        let spin = Arc::new(SpinReverser::new(&th, SpinCosts::default()));
        let shared = Corrector::new(&lex, Some(&th), CorrectConfig::default())
            .unwrap()
            .share_spin_reverser(spin.clone());
        assert!(shared.shared_spin.is_some());
        for t in ["shelp", "Pdwellnt", "establishassociate", "recieve"] {
            assert_eq!(own.suggest(t, 5), shared.suggest(t, 5), "{t}");
        }
        // Built with other costs, or for another thesaurus: not used.
        let other = SpinCosts {
            inword: SpinCosts::default().inword + 1.0,
            ..SpinCosts::default()
        };
        let config = CorrectConfig {
            spin: other,
            ..CorrectConfig::default()
        };
        let c = Corrector::new(&lex, Some(&th), config)
            .unwrap()
            .share_spin_reverser(spin.clone());
        assert!(c.shared_spin.is_none());
        let th2 = sample_thesaurus();
        let c = Corrector::new(&lex, Some(&th2), CorrectConfig::default())
            .unwrap()
            .share_spin_reverser(spin);
        assert!(c.shared_spin.is_none());
    }

    #[test]
    fn scores_are_probabilities_summing_to_at_most_one() {
        let lex = sample_lexicon();
        let c = Corrector::new(&lex, None, CorrectConfig::default()).unwrap();
        for token in ["recieve", "teh", "x", "shelp", "alot"] {
            let s = c.suggest(token, 3);
            let sum: f64 = s.iter().map(|s| s.score).sum();
            assert!(sum <= 1.0 + 1e-9, "{token}: {sum}");
            assert!(s.windows(2).all(|p| p[0].score >= p[1].score), "{token}");
            assert!(s.iter().all(|s| (0.0..=1.0).contains(&s.score)));
        }
        let all = c.suggest("recieve", 100);
        let sum: f64 = all.iter().map(|s| s.score).sum();
        assert!((sum - 1.0).abs() < 1e-9, "{sum}");
    }

    #[test]
    fn never_proposes_the_token_itself() {
        let lex = sample_lexicon();
        let c = Corrector::new(&lex, None, CorrectConfig::default()).unwrap();
        assert!(!texts(&c.suggest("told", 10)).contains(&"told"));
        assert!(texts(&c.suggest("told", 10)).contains(&"cold"));
    }

    #[test]
    fn case_patterns() {
        let lex = sample_lexicon();
        let c = Corrector::new(&lex, None, CorrectConfig::default()).unwrap();
        assert_eq!(c.suggest("RECIEVE", 1)[0].text, "RECEIVE");
        assert_eq!(c.suggest("Recieve", 1)[0].text, "Receive");
        assert_eq!(c.suggest("recieve", 1)[0].text, "receive");
        assert_eq!(c.suggest("ALOT", 1)[0].text, "A LOT");
    }

    #[test]
    fn a_lost_space_before_a_capital_is_the_likeliest_split() {
        assert_eq!(case_cuts("SanPedro"), vec![3]);
        assert_eq!(case_cuts("HoChiMinh"), vec![2, 5]);
        assert!(case_cuts("NATO").is_empty() && case_cuts("Zürich").is_empty());
        // "sandal" and "pedro" could also be read as a slip; the capital settles it.
        let lex = lexicon(&[("san", 200), ("pedro", 100), ("sampedro", 300)]);
        let c = Corrector::new(&lex, None, CorrectConfig::default()).unwrap();
        assert_eq!(c.suggest("SanPedro", 1)[0].text, "San Pedro");
        assert_eq!(c.suggest("sanpedro", 1)[0].text, "sampedro");
    }

    #[test]
    fn acronyms_keep_their_lowercase_endings() {
        assert_eq!(match_case("ISRO's", "isro's"), "ISRO's");
        assert_eq!(match_case("TSCM\u{2019}s", "tsmc's"), "TSMC's");
        assert_eq!(match_case("NGOs", "ngos"), "NGOs");
        assert_eq!(match_case("NGOS", "ngos"), "NGOS");
        assert_eq!(match_case("Apps", "apes"), "Apes");
        // The ending mistyped: still an acronym's possessive.
        assert_eq!(match_case("IAEA'xs", "iaea's"), "IAEA's");
        assert_eq!(match_case("NATO\u{2019}z", "nato's"), "NATO's");
        assert_eq!(match_case("O'xs", "o's"), "O's");
        let shape = case_shape("theEU's");
        assert_eq!(case_split("theEU's", "the eu's", shape), "the EU's");
        assert_eq!(case_split("atISRO's", "at isro's", shape), "at ISRO's");
    }

    #[test]
    fn a_glyph_ocr_confuses_takes_the_case_of_the_letter_it_stood_for() {
        for (token, folded, want) in [
            ("Iast", "last", "last"),
            ("IAST", "last", "LAST"),
            ("1ndian", "indian", "Indian"),
            ("lsraeh", "israeli", "Israeli"),
            ("|t", "it", "It"),
            ("lt", "it", "It"),
            ("0rganisation", "organisation", "Organisation"),
            ("0CTOBER", "october", "OCTOBER"),
            // The glyph is the letter meant, or no I-like glyph: the token's own case.
            ("Inclia", "india", "India"),
            ("lnog", "long", "long"),
            ("Tlie", "the", "The"),
        ] {
            assert_eq!(match_case(token, folded), want, "{token}");
        }
        let lex = sample_lexicon();
        let c = Corrector::new(&lex, None, CorrectConfig::default()).unwrap();
        assert_eq!(c.suggest("Iot", 1)[0].text, "lot");
    }

    #[test]
    fn sources_are_reported() {
        let lex = sample_lexicon();
        let th = sample_thesaurus();
        let c = Corrector::new(&lex, Some(&th), CorrectConfig::default()).unwrap();
        assert_eq!(c.suggest("shelp", 1)[0].source, SuggestionSource::Spin);
        assert_eq!(c.suggest("recieve", 1)[0].source, SuggestionSource::Edit);
        assert_eq!(c.suggest("alot", 1)[0].source, SuggestionSource::Split);
    }

    #[test]
    fn a_document_lends_its_words_to_the_candidates() {
        let lex = sample_lexicon();
        let c = Corrector::new(&lex, None, CorrectConfig::default()).unwrap();
        let in_document = |token: &str, doc: &DocumentWords, max: usize| {
            c.suggest_in_document(token, &c.candidates(token, 10), doc, max)
        };
        let doc: DocumentWords = "Eswatini said the ESWATINI decade of memory"
            .split(' ')
            .collect();
        assert_eq!(doc.len(), 7);
        // A name the lexicon lacks, spelt right elsewhere in the document (in any case).
        assert!(texts(&c.suggest("Esvvatini", 3))
            .iter()
            .all(|&t| t != "Eswatini"));
        let s = in_document("Esvvatini", &doc, 3).unwrap();
        assert_eq!(s[0].text, "Eswatini");
        assert_eq!(s[0].source, SuggestionSource::Document);
        // A lexicon word the document uses gains on a commoner one as far away:
        // "cold" (800) beats "told" (2,500) for "oold" once the document is about it.
        assert_eq!(c.suggest("oold", 1)[0].text, "told");
        let cold: DocumentWords = "cold cold weather and cold nights".split(' ').collect();
        assert_eq!(in_document("oold", &cold, 1).unwrap()[0].text, "cold");
        // A word's uses in any case count together.
        let share = |words: &str| {
            let doc: DocumentWords = words.split(' ').collect();
            let s = in_document("oold", &doc, 5).unwrap();
            s.iter().find(|s| s.text == "cold").unwrap().score
        };
        assert!(share("cold weather and COLD nights") > share("cold weather and warm nights"));
        // Far words, the token itself and words without letters lend nothing.
        let far = DocumentWords::from_iter(["Esvvatini", "architecture", "1990", ""]);
        assert_eq!(far.len(), 2);
        assert_eq!(in_document("Esvvatini", &far, 5), None);
        // Nor does any document with no weight.
        let off = CorrectConfig {
            document_weight: 0.0,
            ..CorrectConfig::default()
        };
        let c0 = Corrector::new(&lex, None, off).unwrap();
        assert_eq!(
            c0.suggest_in_document("oold", &c0.candidates("oold", 5), &cold, 3),
            None
        );
    }

    proptest::proptest! {
        /// The words a document offers near a token are exactly those within `k` edits:
        /// the length groups and the letter masks only skip words that are further.
        #[test]
        fn document_words_near_a_token_are_all_those_within_reach(
            words in proptest::collection::vec("[abcdeE]{1,7}", 1..40),
            query in "[abcde]{1,7}",
            k in 0usize..3,
        ) {
            let doc: DocumentWords = words.iter().map(String::as_str).collect();
            let q: Vec<char> = query.chars().collect();
            let mut found: Vec<&str> = doc.near(&q, k).iter().map(|n| n.word).collect();
            found.sort_unstable();
            let mut want: Vec<String> = words.iter().map(|w| fold_case(w).into_owned()).collect();
            want.sort_unstable();
            want.dedup();
            want.retain(|w| {
                let w: Vec<char> = w.chars().collect();
                w != q && osa_distance_within(&q, &w, k).is_some()
            });
            proptest::prop_assert_eq!(found, want);
        }
    }

    #[test]
    fn kept_candidates_share_as_suggest_does() {
        let lex = sample_lexicon();
        let th = sample_thesaurus();
        let c = Corrector::new(&lex, Some(&th), CorrectConfig::default()).unwrap();
        for token in ["recieve", "shelp", "alot", "oold", "Pdwellnt", "xyzzy", ""] {
            for max in [1, 3, 10] {
                let kept = c.candidates(token, max);
                assert!(kept.len() <= max);
                assert_eq!(c.share(token, &kept, max), c.suggest(token, max), "{token}");
            }
        }
    }

    #[test]
    fn context_model_can_override_frequency() {
        let lex = sample_lexicon();
        let c = Corrector::new(&lex, None, CorrectConfig::default()).unwrap();
        // Without context, "recieve" -> "receive"; a context preferring "relieve" wins.
        let ctx = |_: Option<&str>, w: &str, next: Option<&str>| {
            (next == Some("pain")).then(|| if w == "relieve" { 0.0 } else { -20.0 })
        };
        let got = c.suggest_in_context("recieve", Some("to"), Some("Pain"), &ctx, 2);
        assert_eq!(got[0].text, "relieve");
        let got = c.suggest_in_context("recieve", Some("to"), Some("gifts"), &ctx, 2);
        assert_eq!(got[0].text, "receive");
    }

    #[test]
    fn hostile_tokens_give_nothing_and_do_not_panic() {
        let lex = sample_lexicon();
        let th = sample_thesaurus();
        let c = Corrector::new(&lex, Some(&th), CorrectConfig::default()).unwrap();
        assert!(c.suggest("", 5).is_empty());
        assert!(c.suggest("...", 5).is_empty());
        assert!(c.suggest(&"a".repeat(1000), 5).is_empty());
        assert!(c.suggest("recieve", 0).is_empty());
        let _ = c.suggest("-", 5);
        let _ = c.suggest("a--b", 5);
        let _ = c.suggest("ǅemal", 5);
    }

    #[test]
    fn invalid_config_is_rejected() {
        let lex = sample_lexicon();
        let err = Corrector::new(&lex, None, CorrectConfig::default().max_distance(7)).unwrap_err();
        assert!(matches!(err, Error::InvalidOption { .. }), "{err}");
        let err = Corrector::new(&lex, None, CorrectConfig::default().prior_weight(f64::NAN))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidOption { .. }), "{err}");
    }

    #[test]
    fn word_filters() {
        let lex = sample_lexicon();
        let c = Corrector::new(&lex, None, CorrectConfig::default().min_count(1000)).unwrap();
        assert!(c.words().lookup("the").is_some());
        assert!(c.words().lookup("relieve").is_none());
        let c = Corrector::new(&lex, None, CorrectConfig::default().max_words(Some(3))).unwrap();
        assert_eq!(c.words().len(), 3);
        assert!(c.words().lookup("the").is_some());
    }

    #[test]
    fn first_uses_from_many_threads_at_once_finish() {
        // Threads that reach a fresh corrector together all wait for the one build of its
        // tables, which runs in parallel; while waiting, no thread may be handed a job that
        // needs the tables it is itself building (see `off_pool`). A deadlock fails the
        // test at the time-out rather than hanging it.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let words: Vec<(String, u64)> = (0..30_000)
            .map(|i| {
                let word = (0..7)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1);
                        char::from(b'a' + (state >> 59) as u8 % 26)
                    })
                    .collect();
                (word, 1 + i % 1000)
            })
            .collect();
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for _ in 0..20 {
                let pairs = words.iter().map(|(w, c)| (w.as_str(), *c));
                let c = Corrector::from_words(pairs, None, CorrectConfig::default()).unwrap();
                std::thread::scope(|scope| {
                    for (w, _) in &words[..4] {
                        let c = &c;
                        scope.spawn(move || {
                            let got = c.suggest(&w[1..], 5);
                            assert!(got.iter().any(|s| &s.text == w), "{w}: {got:?}");
                        });
                    }
                });
            }
            done.send(()).unwrap();
        });
        finished
            .recv_timeout(std::time::Duration::from_secs(300))
            .expect("the first uses finish (a time-out means a deadlock)");
    }

    #[test]
    fn corrector_is_sync() {
        fn is_sync<T: Sync + Send>() {}
        is_sync::<Corrector<'static>>();
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn pruning_keeps_the_best_suggestion(
                words in proptest::collection::vec(("[a-e]{1,7}", 1u64..100_000), 1..60),
                token in "[a-e]{1,8}",
            ) {
                // Pruning drops only candidates more than `prune_margin` nats below the
                // best, so the winner is the one exhaustive scoring finds.
                let pairs: Vec<(&str, u64)> = words.iter().map(|(w, c)| (w.as_str(), *c)).collect();
                let pruned = Corrector::from_words(pairs.clone(), None, CorrectConfig::default()).unwrap();
                let all = CorrectConfig { prune_margin: 1e9, ..CorrectConfig::default() };
                let exhaustive = Corrector::from_words(pairs, None, all).unwrap();
                let a = pruned.suggest(&token, 1);
                let b = exhaustive.suggest(&token, 1);
                prop_assert_eq!(a.first().map(|s| &s.text), b.first().map(|s| &s.text));
            }

            #[test]
            fn never_panics_and_scores_are_sane(token in "\\PC{0,20}") {
                let lex = sample_lexicon();
                let th = sample_thesaurus();
                let c = Corrector::new(&lex, Some(&th), CorrectConfig::default()).unwrap();
                let s = c.suggest(&token, 5);
                let sum: f64 = s.iter().map(|s| s.score).sum();
                prop_assert!(sum <= 1.0 + 1e-9);
                prop_assert!(s.iter().all(|s| s.score.is_finite() && s.score >= 0.0));
            }
        }
    }
}
