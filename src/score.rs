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
//! a name than damage. The exception is a name a spinner damaged: "Wednesdaylight" or
//! "Tulkbranch" beside "Tulkarm" looks like a name, but undoing a synonym swap inside it
//! ([`crate::spin`]) gives a lexicon word or a name the document repeats, and that
//! evidence has its own weight for capitalised words.
//!
//! The document score is the mean corruption probability over its words (the expected
//! fraction of damaged words, in [0, 1]); the perplexity is `2^(bits / symbols)` over
//! every character and word end of its words, so a feed can be sorted by either.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::cache::TokenCache;
use crate::calibrate::Calibration;
use crate::counts::fold_case;
use crate::error::{Error, Result};
use crate::features::{FeatureVector, TokenEvidence};
use crate::model::Model;
use crate::spin::{SpinCosts, SpinReverser};
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

    /// The (case-folded) entries, in no particular order.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(String::as_str)
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

/// What the model alone says about a folded word: the part of [`TypeEvidence`] worth
/// caching across documents.
#[derive(Debug, Clone, Copy, PartialEq)]
struct CachedType {
    count: u64,
    bits: f32,
    symbols: u32,
    max_bits: f32,
    chars: u32,
}

impl CachedType {
    fn evidence(&self, allowed: bool) -> TypeEvidence {
        TypeEvidence {
            count: self.count,
            bits: f64::from(self.bits),
            symbols: u64::from(self.symbols),
            max_bits: self.max_bits,
            chars: self.chars as usize,
            allowed,
            doc_count: 0,
            doc_neighbour: false,
            spin_source: false,
            spin_source_count: 0,
            neighbour_count: 0,
            split_count: 0,
            inflection_count: 0,
        }
    }
}

/// Most words a thread's cache holds before it starts over.
const TYPE_CACHE_WORDS: usize = 1 << 17;

// Per-thread caches of what the model says about a folded word, owned by one scorer at
// a time ([`TokenCache`]).
//
// [`TYPE_CACHE`] holds [`CachedType`] for lexicon words. News is Zipfian: a few thousand
// words make most tokens, so after the first documents nearly every known word is a hash
// look-up instead of a lexicon walk and a character-model pass. Unknown words are not
// kept there (they are rare and would fill it with junk); their costly part, the
// spin-reversal search and the lexicon walks around them, has its own
// [`UNKNOWN_CACHE`], since names recur from document to document.
thread_local! {
    static TYPE_CACHE: std::cell::RefCell<TokenCache<CachedType>> =
        std::cell::RefCell::new(TokenCache::new(TYPE_CACHE_WORDS));
    static UNKNOWN_CACHE: std::cell::RefCell<TokenCache<UnknownType>> =
        std::cell::RefCell::new(TokenCache::new(TYPE_CACHE_WORDS));
}

/// What the lexicon says around an unknown word ([`Scorer::unknown_type`]).
#[derive(Debug, Clone, Copy, PartialEq)]
struct UnknownType {
    /// Count of the most frequent word that undoing a swap inside it gives (0: none).
    spin_source_count: u64,
    /// Count of its most frequent one-edit neighbour (0: none).
    neighbour_count: u64,
    /// How well it reads as two words (0: not at all).
    split_count: u64,
    /// How well it reads as a regular inflection of a word (0: not at all).
    inflection_count: u64,
}

/// What the scorer knows about one distinct (folded) word of a document.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TypeEvidence {
    count: u64,
    bits: f64,
    symbols: u64,
    max_bits: f32,
    chars: usize,
    allowed: bool,
    doc_count: u32,
    doc_neighbour: bool,
    spin_source: bool,
    spin_source_count: u64,
    neighbour_count: u64,
    split_count: u64,
    inflection_count: u64,
}

impl TypeEvidence {
    /// Adds what the lexicon says around this unknown word; the spin source only when
    /// `with_spin` (see [`Scorer::document_evidence_forgetting`]).
    fn add_surroundings(&mut self, u: UnknownType, with_spin: bool) {
        self.neighbour_count = u.neighbour_count;
        self.split_count = u.split_count;
        self.inflection_count = u.inflection_count;
        if with_spin {
            self.spin_source_count = u.spin_source_count;
            self.spin_source = u.spin_source_count > 0;
        }
    }

    fn token_evidence(&self, word: &str, sentence_start: bool, repeated: bool) -> TokenEvidence {
        TokenEvidence {
            count: self.count,
            mean_bits: (self.bits / self.symbols.max(1) as f64) as f32,
            max_bits: self.max_bits,
            chars: self.chars,
            shape: tokenize::stem_shape(word),
            sentence_start,
            has_digit: tokenize::has_digit(word),
            repeated,
            doc_neighbour: self.doc_neighbour,
            spin_source: self.spin_source,
            spin_source_count: self.spin_source_count,
            neighbour_count: self.neighbour_count,
            split_count: self.split_count,
            inflection_count: self.inflection_count,
        }
    }
}

/// Prefixes that English writes before a hyphen as a part of their own ("pre-war",
/// "tri-border", "quasi-official") but that a lexicon may not list as words: the
/// default one drops "pre" and "tri" as likely slips of "per" and "try". Only a part
/// of a hyphenated compound that a hyphen and a letter follow is excused this way.
const COMBINING_PREFIXES: [&str; 40] = [
    "ante", "anti", "auto", "bi", "bio", "co", "contra", "counter", "cyber", "de", "demi", "eco",
    "ex", "extra", "hemi", "hyper", "hypo", "infra", "inter", "intra", "macro", "mega", "micro",
    "mid", "mini", "multi", "neo", "non", "para", "post", "pre", "pro", "proto", "pseudo", "quasi",
    "re", "semi", "sub", "tri", "uni",
];

/// True when `word` is a combining prefix (any case) and `after`, the text that follows
/// it, goes on with a hyphen and a letter.
fn is_combining_prefix(word: &str, after: &str) -> bool {
    let mut rest = after.chars();
    rest.next() == Some('-')
        && rest.next().is_some_and(char::is_alphabetic)
        && COMBINING_PREFIXES
            .iter()
            .any(|p| p.eq_ignore_ascii_case(word))
}

/// The part of a folded word that is spelt: all of it but a possessive ending. That
/// ending is grammar, not spelling: the character model learnt from a word list that
/// hardly has it ("TSMC's" would owe most of its surprisal to the apostrophe), and the
/// lexicon's view of an unknown word's surroundings is of its stem.
fn spelling(folded: &str) -> &str {
    tokenize::possessive_stem(folded)
        .filter(|s| !s.is_empty())
        .unwrap_or(folded)
}

/// Hashes of a word and of each of its one-character deletions.
fn delete_hashes(chars: &[char], out: &mut Vec<u64>) {
    use std::hash::Hasher;
    let hash = |skip: Option<usize>| {
        let mut h = rustc_hash::FxHasher::default();
        for (i, &c) in chars.iter().enumerate() {
            if Some(i) != skip {
                h.write_u32(c as u32);
            }
        }
        h.finish()
    };
    out.clear();
    out.push(hash(None));
    out.extend((0..chars.len()).map(|i| hash(Some(i))));
}

/// Marks the unknown words that are near misses of another word of the same document
/// which the lexicon knows or the document uses more often.
///
/// Near misses are found like SymSpell does: two words within one edit share the word
/// itself or a one-character deletion of each, so a sorted index of those deletion
/// hashes yields every candidate in a few look-ups; each candidate is then verified with
/// the edit distance (at most 1, or 2 for words longer than 6 characters; a pair two
/// edits apart is found when the edits are substitutions or a transposition).
fn mark_near_misses(names: &[std::borrow::Cow<'_, str>], types: &mut [TypeEvidence]) {
    let unknown: Vec<usize> = (0..types.len())
        .filter(|&i| types[i].count == 0 && !types[i].allowed)
        .collect();
    if unknown.is_empty() || types.len() < 2 {
        return;
    }
    let chars: Vec<Vec<char>> = names.iter().map(|n| n.chars().collect()).collect();
    let mut hashes = Vec::new();
    let mut index: Vec<(u64, u32)> = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        delete_hashes(c, &mut hashes);
        index.extend(hashes.iter().map(|&h| (h, i as u32)));
    }
    index.sort_unstable();
    for u in unknown {
        delete_hashes(&chars[u], &mut hashes);
        let max = if chars[u].len() <= 6 { 1 } else { 2 };
        let own = types[u].doc_count;
        let found = hashes.iter().any(|&h| {
            let from = index.partition_point(|&(k, _)| k < h);
            index[from..]
                .iter()
                .take_while(|&&(k, _)| k == h)
                .map(|&(_, t)| t as usize)
                .any(|t| {
                    t != u
                        && (types[t].count > 0 || types[t].doc_count > own)
                        && crate::edit::osa_chars_within(&chars[u], &chars[t], max).is_some()
                })
        });
        types[u].doc_neighbour = found;
    }
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
    /// Tags this scorer's entries in the per-thread word cache.
    id: u64,
    model: &'m Model,
    calibration: &'m Calibration,
    allow: AllowList,
    /// Undoes synonym swaps inside unknown words (`None` without a thesaurus).
    spin: Option<Arc<SpinReverser<'m>>>,
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
        Ok(Scorer::with_allow_list(model, calibration, allow))
    }

    /// A scorer with explicit weights (used while calibrating).
    pub(crate) fn with_calibration(model: &'m Model, calibration: &'m Calibration) -> Scorer<'m> {
        Scorer::with_allow_list(model, calibration, AllowList::new())
    }

    fn with_allow_list(
        model: &'m Model,
        calibration: &'m Calibration,
        allow: AllowList,
    ) -> Scorer<'m> {
        Scorer {
            id: crate::cache::next_owner(),
            model,
            calibration,
            allow,
            spin: model
                .thesaurus()
                .map(|t| Arc::new(SpinReverser::new(t, SpinCosts::default()))),
        }
    }

    /// The model.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// The spin reverser it uses (default [`SpinCosts`]; `None` without a thesaurus), to
    /// share with a [`crate::correct::Corrector`].
    pub fn spin_reverser(&self) -> Option<&Arc<SpinReverser<'m>>> {
        self.spin.as_ref()
    }

    /// Whether the user declared any word right (an allow list or a user lexicon): when
    /// not, [`Scorer::is_allowed`] is false for every word.
    pub fn allows_any(&self) -> bool {
        !self.allow.is_empty() || self.model.user_words().is_some()
    }

    /// Whether the user declared this folded word right (allow list or user lexicon).
    pub fn is_allowed(&self, folded: &str) -> bool {
        self.allow.contains(folded) || self.model.user_words().is_some_and(|u| u.contains(folded))
    }

    /// The lexicon count of a folded word; a possessive ("chatbot's", "students'")
    /// counts as its stem when the lexicon lacks the full form.
    pub fn lexicon_count(&self, folded: &str) -> u64 {
        let lexicon = self.model.lexicon();
        lexicon
            .count(folded)
            .or_else(|| lexicon.count(tokenize::possessive_stem(folded)?))
            .unwrap_or(0)
    }

    /// What a word's folded form alone tells: lexicon count and character surprisal.
    fn type_evidence(
        &self,
        folded: &str,
        symbols: &mut Vec<u8>,
        surprisals: &mut Vec<f32>,
    ) -> TypeEvidence {
        let allowed = self.is_allowed(folded);
        if let Some(cached) = TYPE_CACHE.with(|c| c.borrow().get(self.id, folded)) {
            return cached.evidence(allowed);
        }
        self.spelling_surprisals(folded, symbols, surprisals);
        let core = CachedType {
            count: self.lexicon_count(folded),
            bits: surprisals.iter().sum(),
            symbols: surprisals.len() as u32,
            max_bits: surprisals.iter().copied().fold(0.0f32, f32::max),
            chars: symbols.len().saturating_sub(2) as u32,
        };
        if core.count > 0 {
            TYPE_CACHE.with(|c| c.borrow_mut().insert(self.id, folded, core));
        }
        core.evidence(allowed)
    }

    /// The character model's surprisal of each symbol of `folded`'s spelling (see
    /// [`spelling`]) into `surprisals`, its symbols into `symbols`.
    fn spelling_surprisals(&self, folded: &str, symbols: &mut Vec<u8>, surprisals: &mut Vec<f32>) {
        let lm = self.model.char_lm();
        lm.alphabet().encode_word(spelling(folded), symbols);
        surprisals.clear();
        lm.surprisals_of_symbols(symbols, surprisals);
    }

    /// Gathers the evidence for one word on its own (no document context).
    pub fn evidence(
        &self,
        word: &str,
        sentence_start: bool,
        repeated: bool,
        symbols: &mut Vec<u8>,
        surprisals: &mut Vec<f32>,
    ) -> TokenEvidence {
        let folded = fold_case(word);
        let mut t = self.type_evidence(&folded, symbols, surprisals);
        if t.count == 0 && !t.allowed {
            t.add_surroundings(self.unknown_type(&folded), true);
        }
        t.token_evidence(word, sentence_start, repeated)
    }

    /// What the lexicon says around the unknown word `folded`, cached per thread:
    ///
    /// * the count of the most frequent word that undoing a synonym swap inside it
    ///   gives ([`SpinReverser::reversals`]); whole-word swaps don't count, since a
    ///   token that is itself a synonym is a word;
    /// * the count of its most frequent one-edit neighbour or OCR look-alike
    ///   ([`crate::lexicon::Lexicon::best_neighbour_count`],
    ///   [`crate::lexicon::Lexicon::best_look_alike_count`]) and how well it splits
    ///   into two words ([`crate::lexicon::Lexicon::best_split_count`]) or as an
    ///   inflection of one ([`crate::lexicon::Lexicon::best_inflection_count`]), a
    ///   possessive looked at without its `'s`.
    fn unknown_type(&self, folded: &str) -> UnknownType {
        if let Some(hit) = UNKNOWN_CACHE.with(|c| c.borrow().get(self.id, folded)) {
            return hit;
        }
        let lexicon = self.model.lexicon();
        let spin_source_count = self.spin.as_ref().map_or(0, |spin| {
            spin.reversals(
                folded,
                |w| self.lexicon_count(w) > 0,
                |p| lexicon.has_prefix(p),
            )
            .iter()
            .filter(|r| r.swaps > 0)
            .map(|r| self.lexicon_count(&r.word))
            .max()
            .unwrap_or(0)
        });
        let stem = spelling(folded);
        let found = UnknownType {
            spin_source_count,
            neighbour_count: lexicon
                .best_neighbour_count(stem)
                .max(lexicon.best_look_alike_count(stem)),
            split_count: lexicon.best_split_count(stem),
            inflection_count: lexicon.best_inflection_count(stem),
        };
        UNKNOWN_CACHE.with(|c| c.borrow_mut().insert(self.id, folded, found));
        found
    }

    /// Marks the unknown words that a synonym swap inside a known word explains: undoing
    /// the swap gives a word the lexicon knows (already in `spin_source`, from
    /// [`Scorer::unknown_type`]), or one the document uses more often than the unknown word (a name damaged by a spinner,
    /// "Tulkbranch" beside "Tulkarm": arm -> branch).
    ///
    /// Cost: the lexicon search is cached per word; the document check compares each
    /// unknown word only with the unknown words the document repeats more often
    /// ([`SpinReverser::is_inword_swap`]), a handful per document. Known words, the
    /// bulk of any text, pay nothing.
    fn mark_spin_sources(
        &self,
        names: &[std::borrow::Cow<'_, str>],
        types: &mut [TypeEvidence],
        consider: impl Fn(&str) -> bool,
    ) {
        let Some(spin) = &self.spin else {
            return;
        };
        let unknown: Vec<usize> = (0..types.len())
            .filter(|&u| types[u].count == 0 && !types[u].allowed && consider(&names[u]))
            .collect();
        for &u in &unknown {
            let own = types[u].doc_count;
            types[u].spin_source = types[u].spin_source
                || (0..types.len()).any(|t| {
                    types[t].count == 0
                        && types[t].doc_count > own
                        && spin.is_inword_swap(&names[t], &names[u])
                });
        }
    }

    /// Gathers the evidence of every word token of `text`, in order.
    ///
    /// Besides each word on its own, this looks at the document: whether a form recurs
    /// (names do), and whether an unknown word is a near miss of a word that the same
    /// document uses more often or that the lexicon knows ("Rakotomakala" beside three
    /// "Rakotomalala"): the signature of damage to a name no lexicon has.
    ///
    /// Everything that depends only on the folded form (lexicon, character model, near
    /// misses) is computed once per distinct word of the document, not per token.
    pub fn document_evidence(&self, text: &str) -> Vec<WordEvidence> {
        self.document_evidence_forgetting(text, |_| false)
    }

    /// As [`Scorer::document_evidence`], but every word for which `forget(folded)` holds
    /// is treated as unknown to the lexicon, in its own evidence and as a neighbour of the
    /// others (calibration uses this to show the scorer unknown names; see
    /// [`crate::calibrate::labelled_rows`]).
    pub(crate) fn document_evidence_forgetting(
        &self,
        text: &str,
        forget: impl Fn(&str) -> bool,
    ) -> Vec<WordEvidence> {
        self.document_evidence_of(text, tokenize::tokenize(text), forget)
    }

    /// [`Scorer::document_evidence_forgetting`] over the tokens of `text`, already found.
    fn document_evidence_of(
        &self,
        text: &str,
        tokens: impl IntoIterator<Item = tokenize::Token>,
        forget: impl Fn(&str) -> bool,
    ) -> Vec<WordEvidence> {
        let tokens: Vec<tokenize::Token> = tokens
            .into_iter()
            .filter(|t| t.kind == TokenKind::Word)
            .collect();
        let mut type_ids: FxHashMap<std::borrow::Cow<'_, str>, u32> = FxHashMap::default();
        let mut names: Vec<std::borrow::Cow<'_, str>> = Vec::new();
        // Uses of each surface form, a possessive counting as its stem: "Korvex's" is
        // the name used four times as "Korvex".
        let mut surface_counts: FxHashMap<&str, u32> = FxHashMap::default();
        let surface = |w| tokenize::possessive_stem(w).unwrap_or(w);
        let mut token_types = Vec::with_capacity(tokens.len());
        for t in &tokens {
            let w = t.text(text);
            *surface_counts.entry(surface(w)).or_default() += 1;
            let folded = fold_case(w);
            let id = match type_ids.get(folded.as_ref()) {
                Some(&id) => id,
                None => {
                    let id = names.len() as u32;
                    names.push(folded.clone());
                    type_ids.insert(folded, id);
                    id
                }
            };
            token_types.push(id);
        }
        let (mut symbols, mut surprisals) = (Vec::new(), Vec::new());
        let mut types: Vec<TypeEvidence> = names
            .iter()
            .map(|n| {
                let mut t = self.type_evidence(n, &mut symbols, &mut surprisals);
                if forget(n) {
                    t.count = 0;
                }
                t
            })
            .collect();
        for &id in &token_types {
            types[id as usize].doc_count += 1;
        }
        mark_near_misses(&names, &mut types);
        // A forgotten word stands in for an unknown name, but it is an English word, and
        // English words are made of pieces that reverse into other English words: in
        // the calibration text 38% of the forgotten names have a spin reversal against
        // 3 of the 71 names the lexicon really lacks. So forgotten words are shown
        // without spin evidence, as real names nearly always are. Neighbours and pieces
        // are shown for them: measured on the held-out sets, hiding those lets
        // calibration learn that an unknown name is never one edit from a common word,
        // and names like "Daniela" or "Shahed" then get flagged.
        for (name, t) in names.iter().zip(types.iter_mut()) {
            if t.count == 0 && !t.allowed {
                t.add_surroundings(self.unknown_type(name), !forget(name));
            }
        }
        self.mark_spin_sources(&names, &mut types, |n| !forget(n));
        tokens
            .iter()
            .zip(token_types)
            .map(|(t, id)| {
                let word = t.text(text);
                let ty = &types[id as usize];
                let repeated = surface_counts.get(surface(word)).copied().unwrap_or(0) > 1;
                WordEvidence {
                    start: t.start,
                    end: t.end,
                    evidence: ty.token_evidence(word, t.sentence_start, repeated),
                    bits: ty.bits,
                    symbols: ty.symbols,
                    allowed: ty.allowed || is_combining_prefix(word, &text[t.end..]),
                }
            })
            .collect()
    }

    /// Scores every word token of `text`.
    pub fn score_text(&self, text: &str) -> TextScore {
        self.score_tokens(text, tokenize::tokenize(text))
    }

    /// [`Scorer::score_text`] over the tokens of `text` (all of them, in order), for a
    /// caller that tokenizes once for several passes.
    pub fn score_tokens(
        &self,
        text: &str,
        tokens: impl IntoIterator<Item = tokenize::Token>,
    ) -> TextScore {
        let norms = self.model.length_norms();
        let evidence = self.document_evidence_of(text, tokens, |_| false);
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
        let folded = fold_case(word);
        self.spelling_surprisals(&folded, &mut symbols, &mut surprisals);
        let alphabet = self.model.char_lm().alphabet();
        let names = spelling(&folded)
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
    use crate::tokenize::Shape;

    #[test]
    fn allow_list_folds_and_splits_entries() {
        let mut a = AllowList::new();
        a.extend_from_text("# names\nZaporizhzhia\n\nNguyen Van Thanh\n");
        assert!(a.contains("zaporizhzhia"));
        assert!(a.contains("thanh"));
        assert_eq!(a.len(), 4);
    }

    /// The evidence of each word of `text` (embedded model).
    fn evidence_of(text: &str) -> Vec<(String, TokenEvidence)> {
        let model = Model::embedded().expect("the embedded model loads");
        let scorer = Scorer::new(&model, AllowList::new()).expect("calibrated");
        scorer
            .document_evidence(text)
            .into_iter()
            .map(|w| (text[w.start..w.end].to_string(), w.evidence))
            .collect()
    }

    #[test]
    fn a_possessive_counts_as_a_use_of_its_stem() {
        let ev = evidence_of("Korvex fell. Analysts like Korvex, and Korvex's token rose.");
        let possessive = ev.iter().find(|(w, _)| w == "Korvex's").unwrap();
        assert!(possessive.1.repeated);
        let ev = evidence_of("Analysts said Korvex's token rose.");
        assert!(!ev.iter().find(|(w, _)| w == "Korvex's").unwrap().1.repeated);
    }

    #[test]
    fn possessive_and_acronym_plural_keep_the_stem_s_shape_and_spelling() {
        let ev = evidence_of("Shares of TSMC's rivals and the NGOs rose.");
        let get = |word: &str| ev.iter().find(|(w, _)| w == word).unwrap().1;
        assert_eq!(get("TSMC's").shape, Shape::AllCaps);
        assert_eq!(get("NGOs").shape, Shape::AllCaps);
        // The apostrophe is not part of the spelling the character model judges.
        let model = Model::embedded().expect("the embedded model loads");
        let scorer = Scorer::new(&model, AllowList::new()).expect("calibrated");
        let with = scorer.explain("TSMC's");
        let without = scorer.explain("TSMC");
        assert_eq!(with.surprisals, without.surprisals);
        assert_eq!(with.evidence.mean_bits, without.evidence.mean_bits);
    }

    #[test]
    fn combining_prefixes_are_excused_only_before_a_hyphen() {
        let model = Model::embedded().expect("the embedded model loads");
        let scorer = Scorer::new(&model, AllowList::new()).expect("calibrated");
        let text = "The tri-border area, a pre-war tri and Tri-state, pre -war, tri-.";
        let allowed: Vec<(&str, bool)> = scorer
            .document_evidence(text)
            .into_iter()
            .map(|w| (&text[w.start..w.end], w.allowed))
            .filter(|(w, _)| w.eq_ignore_ascii_case("tri") || *w == "pre")
            .collect();
        assert_eq!(
            allowed,
            [
                ("tri", true),
                ("pre", true),
                ("tri", false),
                ("Tri", true),
                ("pre", false),
                ("tri", false)
            ]
        );
    }

    /// The spin-source evidence of each word of `text` (embedded model).
    fn spin_sources(text: &str) -> Vec<(String, bool)> {
        evidence_of(text)
            .into_iter()
            .map(|(w, e)| (w, e.spin_source))
            .collect()
    }

    #[test]
    fn unknown_words_know_their_lexicon_neighbours_and_pieces() {
        let text =
            "Nuited officials met Batjargal about the megatrend in Nuited's port on Monclay.";
        let evidence: FxHashMap<String, TokenEvidence> = evidence_of(text).into_iter().collect();
        let model = Model::embedded().expect("the embedded model loads");
        let lexicon = model.lexicon();
        // "Nuited" is one swap from "united"; its possessive is looked at without 's.
        let united = lexicon.count("united").expect("in the lexicon");
        assert_eq!(evidence["Nuited"].neighbour_count, united);
        assert_eq!(evidence["Nuited's"].neighbour_count, united);
        // "Monclay" is "Monday" misread (cl <- d), two plain edits.
        let monday = lexicon.count("monday").expect("in the lexicon");
        assert_eq!(evidence["Monclay"].neighbour_count, monday);
        // A name one edit from nothing, and a compound of two words.
        assert_eq!(evidence["Batjargal"].neighbour_count, 0);
        assert_eq!(evidence["Batjargal"].split_count, 0);
        assert!(evidence["megatrend"].split_count > 0);
        // Known words carry neither.
        assert_eq!(evidence["officials"].neighbour_count, 0);
        assert_eq!(evidence["port"].split_count, 0);
        assert_eq!(evidence["port"].inflection_count, 0);
    }

    #[test]
    fn unknown_words_know_the_words_they_inflect() {
        let text = "New foldables and fabs, but the giveed dutys.";
        let evidence: FxHashMap<String, TokenEvidence> = evidence_of(text).into_iter().collect();
        let model = Model::embedded().expect("the embedded model loads");
        let lexicon = model.lexicon();
        assert_eq!(lexicon.count("foldables"), None);
        assert_eq!(
            evidence["foldables"].inflection_count,
            lexicon.count("foldable").expect("in the lexicon")
        );
        assert!(evidence["fabs"].inflection_count > 0);
        // Rule-breaking forms: give + "ed", duty + "s".
        assert_eq!(evidence["giveed"].inflection_count, 0);
        assert_eq!(evidence["dutys"].inflection_count, 0);
    }

    fn spin_source_of(text: &str, word: &str) -> bool {
        spin_sources(text)
            .into_iter()
            .find(|(w, _)| w == word)
            .expect("word in text")
            .1
    }

    #[test]
    fn spin_source_undoes_a_swap_into_a_lexicon_word() {
        // day -> daylight inside "Wednesday".
        assert!(spin_source_of(
            "They met on Wednesdaylight.",
            "Wednesdaylight"
        ));
        // The evidence carries how common the word put back is.
        let model = Model::embedded().expect("the embedded model loads");
        let wednesday = model.lexicon().count("wednesday").expect("in the lexicon");
        let evidence = evidence_of("They met on Wednesdaylight.");
        assert_eq!(evidence[3].0, "Wednesdaylight");
        assert_eq!(evidence[3].1.spin_source_count, wednesday);
        // Real names and known words have none.
        let text = "Tshisekedi met Zaporizhzhia officials on Wednesday.";
        assert!(spin_sources(text).iter().all(|(_, s)| !s), "{text}");
    }

    #[test]
    fn spin_source_undoes_a_swap_into_a_name_the_document_repeats() {
        // arm -> branch inside an invented name the lexicon lacks.
        let text = "Zorvarm is calm. Zorvarm was shelled. Zorvbranch is far.";
        assert!(spin_source_of(text, "Zorvbranch"));
        // The name it came from is not itself suspect, and without it nothing explains
        // the damaged one.
        assert!(!spin_source_of(text, "Zorvarm"));
        assert!(!spin_source_of("Zorvbranch is far.", "Zorvbranch"));
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
