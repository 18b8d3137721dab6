//! Word n-gram statistics: how well a word fits between its neighbours.
//!
//! A character model sees only the letters of a word, so "state media alerted" (for
//! "reported") or "came form the city" (for "from") look fine to it. These real-word
//! errors need context, and this module supplies it: the probability of a short window
//! of words, for comparing a word with the alternatives that might have stood there
//! ([`crate::realword`]).
//!
//! # Counts
//!
//! [`ContextCounts`] holds weighted counts of word n-grams of orders 1 to [`MAX_ORDER`],
//! keyed by a stable 64-bit hash of the case-folded words (FNV-1a, then one mixing step
//! per word). They come from running text (every run of words inside a sentence with
//! nothing but spaces and commas between them; any other token, other punctuation
//! included, breaks the run: [`for_each_run`]) and from word-pair
//! lists (frequency lists whose entries have two or three words). Counts are sums, so
//! shards merge exactly, as the word lexicon does. A hash collision between two n-grams
//! of one order is possible in principle; at 64 bits it is not a practical concern for
//! tables of millions of entries.
//!
//! # Probabilities
//!
//! The model works with joint probabilities: `P(w1..wn) = (c(w1..wn) - D_n) / N_n`,
//! where `N_n` is the total count of order `n` and `D_n` the absolute discount that
//! Kneser-Ney estimates from the counts of counts (`n1 / (n1 + 2 n2)`, 0 when it cannot
//! be estimated). An n-gram the model does not hold is estimated from its parts by the
//! Markov assumption, `P(u v w) ~ P(u v) P(v w) / P(v)` (`P(v) P(w)` for a pair), capped
//! at the smallest probability a held n-gram of that order has: it was not held, so it
//! was rarer than every one that was (true of pruned counts and of truncated published
//! lists alike). A window's probability follows by the chain rule
//! ([`WordLm::log2_window`]).
//!
//! Why joint frequencies rather than a conditional Kneser-Ney model: counts may come
//! from a published list truncated at a high count, with unigram counts from a
//! different corpus, so the context totals a conditional model needs do not exist.
//! Joint estimates with a capped back-off behave sensibly on truncated lists and on
//! counts from the user's own text alike, and comparing two words in the same window
//! only needs ratios, in which the normalisers cancel.
//!
//! # Back-off models
//!
//! A model can also come ready-made, as an ARPA back-off model ([`crate::arpa`],
//! [`BackOffLm`], [`WordLm::from_back_off`]): the held n-grams' joint probabilities
//! follow from the file's chain of conditionals, and an n-gram it does not hold is the
//! same Markov estimate times the back-off weight of its history, `P(u v) ~ P(u)
//! bow(u) P(v)`, uncapped: such models are pruned by how much a held n-gram differs
//! from its back-off, not by count, so the weight is the file's own account of what
//! is missing. The default model's word statistics are one ([`crate::realword`] gives
//! the figures; `training/context_lm.py` builds it).
//!
//! # Layout
//!
//! The counts (or the back-off model) are serialized as sorted `(key, value)` arrays;
//! loading builds one open-addressing table of log-probabilities per order from 2, in
//! 8-byte slots (a 32-bit fingerprint of the key and the probability), so a look-up is
//! one hash probe. Single words get a table of their own, whose slots hold all that is
//! asked of a word at once ([`WordEntry`]: its probability, the value a pair it starts
//! backs off from, and its pair ceilings, below). Most pairs asked about are not held,
//! so a blocked Bloom filter of 8 bits per held pair (each sets three bits of one
//! 64-bit word; 1.16 MB for the default model's 1.16 million pairs) answers most pair
//! look-ups with one read and without the table, eight times its size. Beside it, the log-probability of the most probable
//! pair in each 256-bit block of the filter bounds any pair that may be held there,
//! which lets [`crate::realword`] rule most words out without a table probe. Before
//! even that, each word's pair ceilings (the most probable held pair it ends and the
//! most probable one it starts, [`WordLm::pair_ceilings`]) bound every pair it is in
//! from the word types alone. A pair's key cannot be split back into its words, so
//! the ceilings are found while the words are known: the counts keep each pair's
//! words, and the ARPA reader computes them as it reads.

use serde::{Deserialize, Serialize};

use crate::counts::{fnv1a, fnv1a_from, fold_case, WordCounts};
use crate::tokenize::{self, Token, TokenKind};

/// Highest n-gram order counted.
pub const MAX_ORDER: usize = 3;

/// Pairs per stage in [`WordLm::log2_pairs`].
const PAIR_CHUNK: usize = 32;

/// Calls `f` with every maximal run of word tokens of `text` with nothing but spaces
/// and commas between them: a run ends at any other token (other punctuation, number,
/// URL, ...) and before a word that starts a sentence or line. A comma is a pause, not
/// a break: "deposits, and the mines" reads on as "deposits and the mines" does, and
/// the word models' sources (speech transcripts, n-gram lists) carry no commas between
/// their words. Training counts n-grams inside runs and checking takes a word's
/// neighbours from its run, so both see the same contexts.
pub fn for_each_run(text: &str, f: impl FnMut(&[Token])) {
    for_each_run_of(text, tokenize::tokenize(text), f);
}

/// Whether `token` of `text` ends the run of words before it ([`for_each_run`]): any
/// token but a word or a comma does, and so does a word that starts a sentence.
pub fn breaks_run(token: &Token, text: &str) -> bool {
    token.sentence_start || (token.kind != TokenKind::Word && !is_pause(token, text))
}

/// Whether `token` of `text` is a comma, which a run of words reads through.
pub fn is_pause(token: &Token, text: &str) -> bool {
    token.kind == TokenKind::Punct && token.text(text) == ","
}

/// [`for_each_run`] over the tokens of `text`, already tokenized (all of them, in
/// order).
pub fn for_each_run_of(
    text: &str,
    tokens: impl IntoIterator<Item = Token>,
    mut f: impl FnMut(&[Token]),
) {
    let mut run: Vec<Token> = Vec::new();
    for token in tokens {
        if breaks_run(&token, text) && !run.is_empty() {
            f(&run);
            run.clear();
        }
        if token.kind == TokenKind::Word {
            run.push(token);
        }
    }
    if !run.is_empty() {
        f(&run);
    }
}

/// Stable key of one case-folded word (never 0, which marks an empty slot).
pub fn word_key(folded: &str) -> u64 {
    key_of_hash(fnv1a(folded.bytes()))
}

/// A [`word_key`] from the FNV-1a hash of the word's bytes: mixed, and never 0.
fn key_of_hash(hash: u64) -> u64 {
    mix(hash).max(1)
}

/// The [`word_key`] of a word's folded form ([`fold_case`]): for an ASCII word, hashed
/// letter by letter in lowercase without writing the folded word (a check asks for every
/// word of its text).
pub fn folded_word_key(word: &str) -> u64 {
    if word.is_ascii() {
        key_of_hash(fnv1a(word.bytes().map(|b| b.to_ascii_lowercase())))
    } else {
        word_key(&fold_case(word))
    }
}

/// The [`word_key`] of `a` and `b` written together (both case-folded), without
/// writing them together.
pub fn joined_key(a: &str, b: &str) -> u64 {
    key_of_hash(fnv1a_from(fnv1a(a.bytes()), b.bytes()))
}

/// [`word_key`]s of strings that share prefixes with one word (its one-edit variants,
/// say): the hash state after each prefix of the word is kept, so each string is hashed
/// only from where it leaves the word.
pub(crate) struct PrefixKeys {
    /// `states[i]`: the hash state after the word's first `i` bytes.
    states: Vec<u64>,
}

impl PrefixKeys {
    pub(crate) fn new(word: &[u8]) -> PrefixKeys {
        let mut states = Vec::with_capacity(word.len() + 1);
        states.push(fnv1a([]));
        for &b in word {
            states.push(fnv1a_from(states[states.len() - 1], [b]));
        }
        PrefixKeys { states }
    }

    /// [`word_key`] of `s`, whose first `shared` bytes are the word's (folded, as
    /// `word_key` expects).
    #[inline]
    pub(crate) fn key(&self, s: &[u8], shared: usize) -> u64 {
        let shared = shared.min(self.states.len() - 1).min(s.len());
        key_of_hash(fnv1a_from(self.states[shared], s[shared..].iter().copied()))
    }
}

/// Key of the n-gram `prefix` followed by the word with key `word`.
#[inline]
fn extend_key(prefix: u64, word: u64) -> u64 {
    mix(prefix.rotate_left(23) ^ word).max(1)
}

/// A blocked Bloom filter of 64-bit keys: each key sets three bits of one 64-bit word,
/// so a query reads one word. At 8 bits per key ([`FILTER_KEYS_PER_WORD`]) it answers
/// "maybe" for about 3% of absent keys and for every key it holds. The keys must be
/// well mixed: the word comes from a key's top bits (multiplied onto the word count, so
/// any size works and the filter takes no more than its keys need) and the bits from
/// its lowest three sixes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KeyFilter {
    words: Vec<u64>,
}

impl KeyFilter {
    /// An empty filter for `n` keys, of a whole number of `min_words`-word blocks.
    pub(crate) fn with_capacity(n: usize, min_words: usize) -> KeyFilter {
        let words = (n / FILTER_KEYS_PER_WORD)
            .max(1)
            .next_multiple_of(min_words.max(1));
        KeyFilter {
            words: vec![0; words],
        }
    }

    /// The word of `key` and the three bits in it that stand for the key.
    #[inline]
    fn bits(&self, key: u64) -> (usize, u64) {
        let word = ((u128::from(key) * self.words.len() as u128) >> 64) as usize;
        (
            word,
            1 << (key & 63) | 1 << ((key >> 6) & 63) | 1 << ((key >> 12) & 63),
        )
    }

    /// The index of the word that holds `key`.
    #[inline]
    pub(crate) fn word_of(&self, key: u64) -> usize {
        self.bits(key).0
    }

    /// Number of 64-bit words.
    pub(crate) fn words(&self) -> usize {
        self.words.len()
    }

    pub(crate) fn insert(&mut self, key: u64) {
        let (word, bits) = self.bits(key);
        self.words[word] |= bits;
    }

    /// Whether `key` may have been inserted (false: certainly not).
    #[inline]
    pub(crate) fn maybe(&self, key: u64) -> bool {
        let (word, bits) = self.bits(key);
        self.words.get(word).is_some_and(|w| w & bits == bits)
    }
}

/// Keys per 64-bit word of a [`KeyFilter`]: 8 bits per key. (Rounding the size up to a
/// power of two gave 8 to 16; with the default model's 1.16 million pairs that made the
/// pair filter 2 MiB, twice the processor's private cache, and the real-word check 7%
/// slower than at 1.16 MB.)
const FILTER_KEYS_PER_WORD: usize = 8;

/// Key of a whole n-gram of word keys.
#[inline]
pub fn ngram_key(words: &[u64]) -> u64 {
    match words {
        [] => 0,
        [w] => *w,
        [first, rest @ ..] => rest.iter().fold(*first, |k, &w| extend_key(k, w)),
    }
}

/// Word n-gram key → log2 P, in 8-byte slots: 32 bits of the key and the probability.
///
/// The pair table is the look-up that real-word checking waits on most, and with the
/// character model's 16-byte slots (a whole key and two values) it took 4.8 MB for the
/// 242,342 pairs of an earlier default model; these slots halve that (and the word
/// table's), so more of it stays in cache. A key's home slot
/// comes from its top bits (multiply-high onto the slot count) and its fingerprint from
/// bits 16 to 47, which neither the home nor the pair filter's bit choice uses, so a
/// probe confuses two keys only when they share a home run and 32 more bits: about one
/// look-up in a billion, far below the hash collisions the 64-bit keys already accept.
/// Linear probing at a load factor of 0.8; fingerprint 0 marks an empty slot. The home
/// slot grows with the key, so the sorted counts are inserted front to back and building
/// the tables at load streams through memory.
/// The same table, with a word's [`WordEntry`] in each slot, serves the single words.
#[derive(Debug, Clone, Default, PartialEq)]
struct KeyTable<V = f32> {
    /// (fingerprint, value), side by side so a probe touches one cache line.
    slots: Vec<(u32, V)>,
}

impl<V: Copy + Default> KeyTable<V> {
    fn with_capacity(n: usize) -> KeyTable<V> {
        KeyTable {
            slots: vec![(0, V::default()); (n + n / 4 + 1).max(8)],
        }
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        ((u128::from(key) * self.slots.len() as u128) >> 64) as usize
    }

    #[inline]
    fn fingerprint(key: u64) -> u32 {
        ((key >> 16) as u32).max(1)
    }

    /// Adds a key that is not in the table yet.
    fn insert(&mut self, key: u64, value: V) {
        let fingerprint = Self::fingerprint(key);
        let mut i = self.home(key);
        while self.slots[i].0 != 0 {
            i = if i + 1 == self.slots.len() { 0 } else { i + 1 };
        }
        self.slots[i] = (fingerprint, value);
    }

    #[inline]
    fn get(&self, key: u64) -> Option<V> {
        let fingerprint = Self::fingerprint(key);
        let mut i = self.home(key);
        loop {
            let (f, p) = self.slots[i];
            if f == fingerprint {
                return Some(p);
            }
            if f == 0 {
                return None;
            }
            i = if i + 1 == self.slots.len() { 0 } else { i + 1 };
        }
    }
}

/// A 64-bit finaliser (SplitMix64), so keys of similar words spread over the table.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Weighted word n-gram counts of orders 1 to [`MAX_ORDER`], keyed by hash; the word
/// statistics part of a training shard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextCounts {
    /// `orders[n - 1]`: `(key, count)` of the n-grams, sorted by key, no duplicates.
    orders: Vec<Vec<(u64, u64)>>,
    /// The word keys of each pair of `orders[1]`, in the same order. A pair's key
    /// cannot be split back into its words, and the words' pair ceilings
    /// ([`WordLm::pair_ceilings`]) are found from them.
    pair_words: Vec<[u64; 2]>,
}

/// A counted pair: its key, count and words.
type CountedPair = (u64, u64, [u64; 2]);

impl ContextCounts {
    /// Hashes counted n-grams given as text: each entry is one to [`MAX_ORDER`] case-
    /// folded words separated by single spaces (longer entries are ignored).
    pub fn from_ngrams(counts: &WordCounts) -> ContextCounts {
        let mut orders: Vec<Vec<(u64, u64)>> = vec![Vec::new(); MAX_ORDER];
        let mut pairs: Vec<CountedPair> = Vec::new();
        let mut keys = Vec::with_capacity(MAX_ORDER);
        for (ngram, count) in counts.as_slice() {
            keys.clear();
            keys.extend(ngram.split(' ').map(word_key));
            match keys[..] {
                [a, b] => pairs.push((ngram_key(&keys), *count, [a, b])),
                _ if keys.len() <= MAX_ORDER => {
                    orders[keys.len() - 1].push((ngram_key(&keys), *count))
                }
                _ => {}
            }
        }
        for order in &mut orders {
            sort_and_sum(order);
        }
        let mut counts = ContextCounts {
            orders,
            pair_words: Vec::new(),
        };
        counts.set_pairs(pairs);
        counts.trim();
        counts
    }

    /// Adds `other` into these counts.
    pub fn merge(&mut self, other: &ContextCounts) {
        if self.orders.len() < other.orders.len() {
            self.orders.resize(other.orders.len(), Vec::new());
        }
        let mut pairs = self.take_pairs();
        pairs.extend(other.pairs());
        for (mine, theirs) in self.orders.iter_mut().zip(&other.orders).skip(2) {
            mine.extend_from_slice(theirs);
            sort_and_sum(mine);
        }
        if let (Some(mine), Some(theirs)) = (self.orders.first_mut(), other.orders.first()) {
            mine.extend_from_slice(theirs);
            sort_and_sum(mine);
        }
        self.set_pairs(pairs);
        self.trim();
    }

    /// Drops n-grams of order 2 and up seen fewer than `min_count` times (unigrams are
    /// kept: they are the back-off of everything else).
    pub fn prune(&mut self, min_count: u64) {
        let mut pairs = self.take_pairs();
        pairs.retain(|&(_, c, _)| c >= min_count);
        self.set_pairs(pairs);
        for order in self.orders.iter_mut().skip(2) {
            order.retain(|&(_, c)| c >= min_count);
        }
        self.trim();
    }

    /// The pairs with their words.
    fn pairs(&self) -> impl Iterator<Item = CountedPair> + '_ {
        let pairs = self.orders.get(1).map_or(&[][..], Vec::as_slice);
        pairs
            .iter()
            .zip(&self.pair_words)
            .map(|(&(key, count), &words)| (key, count, words))
    }

    /// Takes the pairs out, leaving none.
    fn take_pairs(&mut self) -> Vec<CountedPair> {
        let pairs = self.pairs().collect();
        if let Some(order) = self.orders.get_mut(1) {
            order.clear();
        }
        self.pair_words.clear();
        pairs
    }

    /// Sets the pairs from `pairs`, in any order, adding up the counts of equal keys.
    fn set_pairs(&mut self, mut pairs: Vec<CountedPair>) {
        sort_and_combine(&mut pairs, |p| p.0, |kept, next| kept.1 += next.1);
        if self.orders.len() < 2 {
            self.orders.resize(2, Vec::new());
        }
        self.orders[1] = pairs.iter().map(|&(k, c, _)| (k, c)).collect();
        self.pair_words = pairs.into_iter().map(|(_, _, w)| w).collect();
    }

    /// Highest order with any n-gram (0 when empty).
    pub fn order(&self) -> usize {
        self.orders.len()
    }

    /// Distinct n-grams of each order, from 1.
    pub fn sizes(&self) -> Vec<usize> {
        self.orders.iter().map(Vec::len).collect()
    }

    /// Whether there is nothing to build a context model from: no pairs.
    pub fn is_empty(&self) -> bool {
        self.orders.len() < 2
    }

    /// Removes empty top orders.
    fn trim(&mut self) {
        while self.orders.last().is_some_and(Vec::is_empty) {
            self.orders.pop();
        }
    }
}

/// Sorts by key and adds up the counts of equal keys.
fn sort_and_sum(entries: &mut Vec<(u64, u64)>) {
    sort_and_combine(entries, |e| e.0, |kept, next| kept.1 += next.1);
}

/// Sorts `entries` by `key` and folds each run of entries with equal keys into its
/// first with `combine(kept, next)`.
fn sort_and_combine<T>(
    entries: &mut Vec<T>,
    key: impl Fn(&T) -> u64,
    combine: impl Fn(&mut T, &T),
) {
    entries.sort_unstable_by_key(&key);
    entries.dedup_by(|next, kept| {
        let same = key(next) == key(kept);
        if same {
            combine(kept, next);
        }
        same
    });
}

/// Pair ceilings ([`WordLm::pair_ceilings`]) of pairs given as `([first word, second
/// word], log2 P)`: per word, sorted by key, log2 P of the most probable pair that ends
/// with it and of the most probable one that starts with it (`-inf` where there is
/// none).
pub(crate) fn ceilings_of(pairs: impl Iterator<Item = ([u64; 2], f32)>) -> Vec<(u64, [f32; 2])> {
    let none = f32::NEG_INFINITY;
    let mut ceilings: Vec<(u64, [f32; 2])> = pairs
        .flat_map(|([a, b], p)| [(b, [p, none]), (a, [none, p])])
        .collect();
    sort_and_combine(
        &mut ceilings,
        |c| c.0,
        |kept, next| kept.1 = [kept.1[0].max(next.1[0]), kept.1[1].max(next.1[1])],
    );
    ceilings
}

/// A back-off n-gram model in joint form: what [`crate::arpa`] reads from an ARPA file
/// (KenLM, SRILM, CMU Sphinx and most other toolkits write one).
///
/// An ARPA file gives conditional probabilities `P(wn | w1..wn-1)` and back-off weights;
/// this form holds `P(w1..wn)`, the product of the chain, so that a back-off model
/// answers the same joint questions as counted n-grams do ([`WordLm`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackOffLm {
    /// `orders[n - 1]`: `(key, log2 P(w1..wn))` of the n-grams the file lists, sorted
    /// by key, no duplicates.
    pub(crate) orders: Vec<Vec<(u64, f32)>>,
    /// `(key, log2 back-off weight)` of the n-grams whose weight is not 1, sorted by key.
    pub(crate) weights: Vec<(u64, f32)>,
    /// log2 P of a word the file does not list (its `<unk>`), if it gives one.
    pub(crate) unknown: Option<f32>,
    /// For each word of a listed pair, by key (sorted): log2 P of the most probable
    /// pair that ends with it (`[0]`) and that starts with it (`[1]`), `-inf` where
    /// there is none ([`WordLm::pair_ceilings`]).
    pub(crate) pair_ceilings: Vec<(u64, [f32; 2])>,
}

impl BackOffLm {
    /// Distinct n-grams of each order, from 1.
    pub fn sizes(&self) -> Vec<usize> {
        self.orders.iter().map(Vec::len).collect()
    }

    fn validate(&self) -> Result<(), String> {
        let sorted = |v: &[(u64, f32)]| {
            v.windows(2).all(|w| w[0].0 < w[1].0) && v.iter().all(|&(k, p)| k != 0 && p.is_finite())
        };
        let ceilings_sorted = self.pair_ceilings.windows(2).all(|w| w[0].0 < w[1].0)
            && self
                .pair_ceilings
                .iter()
                .all(|(_, c)| c.iter().all(|p| !p.is_nan()));
        if !self.orders.iter().all(|o| sorted(o)) || !sorted(&self.weights) || !ceilings_sorted {
            return Err("back-off n-grams are not sorted by key, or hold a bad value".into());
        }
        if self.orders.len() < 2 {
            return Err("a back-off word model needs pairs".into());
        }
        Ok(())
    }
}

/// What a word model is estimated from, as a model file stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Stored {
    /// Counted n-grams: running text and frequency lists ([`ContextCounts`]).
    Counts(ContextCounts),
    /// A back-off model read from an ARPA file ([`BackOffLm`]).
    BackOff(BackOffLm),
}

/// How the model estimates an n-gram it does not hold from its parts (see the module
/// docs).
#[derive(Debug, Clone, PartialEq)]
enum BackOffRule {
    /// From counts: the Markov estimate, capped at `floors[n - 1]`, the smallest
    /// probability a held n-gram of order n has.
    Capped(Vec<f32>),
    /// From a back-off model: the Markov estimate times the back-off weight of the
    /// n-gram's history (all but its last word), looked up by key (1 when absent).
    Weighted(KeyTable),
}

/// Word n-gram model: joint window probabilities for comparing words in context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Stored", into = "Stored")]
pub struct WordLm {
    stored: Stored,
    /// Word key → what the model holds on the word ([`WordLm::word`]), for the words it
    /// knows and those of its held pairs.
    words: KeyTable<WordEntry>,
    /// `tables[n - 2]`: key → log2 P(n-gram), for the orders from 2.
    tables: Vec<KeyTable>,
    back_off: BackOffRule,
    /// log2 P of a word the model has never seen.
    unknown: f32,
    /// A filter of the held pairs. Most pairs asked about are not held, and the filter
    /// (8 bits per pair) answers that without touching the pair table, eight times its
    /// size.
    pair_filter: KeyFilter,
    /// For each block of [`PAIR_BOUND_WORDS`] words of `pair_filter`, log2 P of the most
    /// probable pair whose bits are in it: an upper bound on every pair held there,
    /// found without touching the pair table ([`WordLm::log2_pair_bound`]).
    pair_bounds: Vec<f32>,
}

/// What a word model holds on one word ([`WordLm::word`]), found with one table probe:
/// what a real-word check reads of every word it meets and of each alternative.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WordEntry {
    /// log2 P of the word alone ([`WordLm::log2_joint`]).
    pub log2_p: f32,
    /// Its [`WordLm::log2_history`].
    pub log2_history: f32,
    /// Its [`WordLm::pair_ceilings`].
    pub pair_ceilings: [f32; 2],
    /// Whether the model knows the word ([`WordLm::knows`]); a word it does not know may
    /// still be in held pairs.
    known: bool,
}

/// Words of the pair filter that share one bound in [`WordLm::log2_pair_bound`]: 4 (256
/// bits, about 32 pairs), so the bounds take 1/64 of the filter's size (145 KB for the
/// default model) and stay in cache beside it.
const PAIR_BOUND_WORDS: usize = 4;

impl TryFrom<Stored> for WordLm {
    type Error = String;

    fn try_from(stored: Stored) -> Result<WordLm, String> {
        match stored {
            Stored::Counts(counts) => {
                for order in &counts.orders {
                    if order.windows(2).any(|w| w[0].0 >= w[1].0) {
                        return Err("word n-gram counts are not sorted by key".into());
                    }
                    if order.iter().any(|&(k, c)| k == 0 || c == 0) {
                        return Err("word n-gram counts hold a zero key or count".into());
                    }
                }
                if counts.pair_words.len() != counts.orders.get(1).map_or(0, Vec::len) {
                    return Err("word pair counts and their words do not match".into());
                }
                Ok(WordLm::estimate(counts))
            }
            Stored::BackOff(lm) => {
                lm.validate()?;
                Ok(WordLm::from_back_off(lm))
            }
        }
    }
}

impl TryFrom<ContextCounts> for WordLm {
    type Error = String;

    fn try_from(counts: ContextCounts) -> Result<WordLm, String> {
        WordLm::try_from(Stored::Counts(counts))
    }
}

impl From<WordLm> for Stored {
    fn from(lm: WordLm) -> Stored {
        lm.stored
    }
}

impl WordLm {
    /// Estimates the model from counts (see the module docs).
    pub fn estimate(counts: ContextCounts) -> WordLm {
        let mut orders = Vec::with_capacity(counts.orders.len());
        let mut floors = Vec::with_capacity(counts.orders.len());
        let mut pair_ceilings = Vec::new();
        for (n, order) in counts.orders.iter().enumerate() {
            let total: f64 = order.iter().map(|&(_, c)| c as f64).sum::<f64>().max(1.0);
            let discount = discount_of(order);
            let probabilities: Vec<(u64, f32)> = order
                .iter()
                .map(|&(key, count)| {
                    let p = ((count as f64 - discount).max(0.5) / total).log2() as f32;
                    (key, p)
                })
                .collect();
            floors.push(probabilities.iter().fold(0.0f32, |f, &(_, p)| f.min(p)));
            if n == 1 {
                pair_ceilings = ceilings_of(
                    counts
                        .pair_words
                        .iter()
                        .zip(&probabilities)
                        .map(|(&words, &(_, p))| (words, p)),
                );
            }
            orders.push(probabilities);
        }
        // An unseen word: half as likely as the rarest seen one.
        let unknown = floors.first().map_or(0.0, |f| f - 1.0);
        WordLm::build(
            &orders,
            &pair_ceilings,
            BackOffRule::Capped(floors),
            unknown,
            Stored::Counts(counts),
        )
    }

    /// The model of a back-off n-gram model ([`BackOffLm`]).
    pub fn from_back_off(mut lm: BackOffLm) -> WordLm {
        let mut weights = KeyTable::with_capacity(lm.weights.len());
        for &(key, w) in &lm.weights {
            weights.insert(key, w);
        }
        let rarest = lm.orders.first().into_iter().flatten().map(|&(_, p)| p);
        let unknown = lm
            .unknown
            .unwrap_or_else(|| rarest.fold(0.0f32, f32::min) - 1.0);
        // The tables are built from the n-grams the model keeps for its file; lent out
        // for that and put back, not copied (a million pairs and more).
        let orders = std::mem::take(&mut lm.orders);
        let pair_ceilings = std::mem::take(&mut lm.pair_ceilings);
        let mut built = WordLm::build(
            &orders,
            &pair_ceilings,
            BackOffRule::Weighted(weights),
            unknown,
            Stored::BackOff(lm),
        );
        if let Stored::BackOff(lm) = &mut built.stored {
            lm.orders = orders;
            lm.pair_ceilings = pair_ceilings;
        }
        built
    }

    /// The tables and the pair filter of held n-grams with these log2 probabilities,
    /// with the pair ceilings of their words.
    fn build(
        orders: &[Vec<(u64, f32)>],
        pair_ceilings: &[(u64, [f32; 2])],
        back_off: BackOffRule,
        unknown: f32,
        stored: Stored,
    ) -> WordLm {
        let weight = |key: u64| match &back_off {
            BackOffRule::Capped(_) => 0.0,
            BackOffRule::Weighted(weights) => weights.get(key).unwrap_or(0.0),
        };
        // The single words and the pair ceilings' words, both sorted by key, merged.
        let singles = orders.first().map_or(&[][..], Vec::as_slice);
        let mut words = KeyTable::with_capacity(singles.len().max(pair_ceilings.len()));
        let (mut i, mut j) = (0, 0);
        while i < singles.len() || j < pair_ceilings.len() {
            let single = singles.get(i).map_or(u64::MAX, |e| e.0);
            let paired = pair_ceilings.get(j).map_or(u64::MAX, |e| e.0);
            let key = single.min(paired);
            let (log2_p, known) = if single == key {
                i += 1;
                (singles[i - 1].1, true)
            } else {
                (unknown, false)
            };
            let ceilings = if paired == key {
                j += 1;
                pair_ceilings[j - 1].1
            } else {
                [f32::NEG_INFINITY; 2]
            };
            let entry = WordEntry {
                log2_p,
                log2_history: log2_p + weight(key),
                pair_ceilings: ceilings,
                known,
            };
            words.insert(key, entry);
        }
        let tables: Vec<KeyTable> = orders
            .iter()
            .skip(1)
            .map(|order| {
                let mut table = KeyTable::with_capacity(order.len());
                for &(key, p) in order {
                    table.insert(key, p);
                }
                table
            })
            .collect();
        let pairs = orders.get(1).map_or(&[][..], Vec::as_slice);
        let mut pair_filter = KeyFilter::with_capacity(pairs.len(), PAIR_BOUND_WORDS);
        let mut pair_bounds = vec![f32::NEG_INFINITY; pair_filter.words() / PAIR_BOUND_WORDS];
        for &(key, p) in pairs {
            pair_filter.insert(key);
            let bound = &mut pair_bounds[pair_filter.word_of(key) / PAIR_BOUND_WORDS];
            *bound = bound.max(p);
        }
        WordLm {
            stored,
            words,
            tables,
            back_off,
            unknown,
            pair_filter,
            pair_bounds,
        }
    }

    /// Whether the pair with this key may be held (false: certainly not).
    #[inline]
    fn maybe_pair(&self, key: u64) -> bool {
        self.pair_filter.maybe(key)
    }

    /// log2 P of a pair the model does not hold, from the first word's
    /// [`WordLm::log2_history`] and the second word's log2 probability.
    #[inline]
    fn pair_back_off(&self, log2_ha: f32, log2_pb: f32) -> f32 {
        match &self.back_off {
            BackOffRule::Capped(floors) => match floors.get(1) {
                Some(&floor) => (log2_ha + log2_pb).min(floor),
                None => log2_ha + log2_pb,
            },
            BackOffRule::Weighted(_) => log2_ha + log2_pb,
        }
    }

    /// log2 of the back-off weight of the n-gram with this key as a history (0 for a
    /// model from counts, and for a history the back-off model gives no weight).
    #[inline]
    fn log2_weight(&self, key: u64) -> f32 {
        match &self.back_off {
            BackOffRule::Capped(_) => 0.0,
            BackOffRule::Weighted(weights) => weights.get(key).unwrap_or(0.0),
        }
    }

    /// The history value of a word whose log2 P is `log2_p`: that plus its log2 back-off
    /// weight, what a pair it starts and the model does not hold is estimated from
    /// ([`WordLm::log2_pair`]). For a model from counts, `log2_p` itself.
    pub fn log2_history(&self, word: u64, log2_p: f32) -> f32 {
        log2_p + self.log2_weight(word)
    }

    /// A filter of the words (by [`word_key`]) whose log2 P is at least `min_log2_p`:
    /// screens candidate words before their table probe, most of which, for strings that
    /// are not words, would run to the end of a probe sequence.
    pub(crate) fn word_filter(&self, min_log2_p: f32) -> KeyFilter {
        let keys: Vec<u64> = self
            .words()
            .filter(|&key| self.log2_joint(&[key]) >= min_log2_p)
            .collect();
        let mut filter = KeyFilter::with_capacity(keys.len(), 1);
        for key in keys {
            filter.insert(key);
        }
        filter
    }

    /// The keys of the words the model holds.
    fn words(&self) -> Box<dyn Iterator<Item = u64> + '_> {
        match &self.stored {
            Stored::Counts(c) => Box::new(c.orders.first().into_iter().flatten().map(|e| e.0)),
            Stored::BackOff(b) => Box::new(b.orders.first().into_iter().flatten().map(|e| e.0)),
        }
    }

    /// The counts the model was estimated from (for `train --base`), or `None` for a
    /// model read from a back-off model.
    pub fn counts(&self) -> Option<&ContextCounts> {
        match &self.stored {
            Stored::Counts(c) => Some(c),
            Stored::BackOff(_) => None,
        }
    }

    /// Distinct n-grams the model holds of each order, from 1.
    pub fn sizes(&self) -> Vec<usize> {
        match &self.stored {
            Stored::Counts(c) => c.sizes(),
            Stored::BackOff(b) => b.sizes(),
        }
    }

    /// Whether the model came from a back-off model ([`WordLm::from_back_off`]) rather
    /// than from counts.
    pub fn is_back_off(&self) -> bool {
        matches!(self.stored, Stored::BackOff(_))
    }

    /// Highest n-gram order.
    pub fn order(&self) -> usize {
        self.tables.len() + 1
    }

    /// Whether a word (by [`word_key`]) was seen at all.
    pub fn knows(&self, word: u64) -> bool {
        self.words.get(word).is_some_and(|e| e.known)
    }

    /// Whether the model holds this n-gram itself (rather than estimating it).
    pub fn holds(&self, words: &[u64]) -> bool {
        let key = ngram_key(words);
        match words.len() {
            0 => false,
            1 => self.knows(key),
            n => {
                (n != 2 || self.maybe_pair(key))
                    && self.table(n).is_some_and(|t| t.get(key).is_some())
            }
        }
    }

    /// log2 of the joint probability of an n-gram of word keys (1 to [`MAX_ORDER`]
    /// words; longer n-grams are estimated from their parts).
    pub fn log2_joint(&self, words: &[u64]) -> f32 {
        let n = words.len();
        if n == 0 {
            return 0.0;
        }
        if n == 1 {
            return self.word(words[0]).log2_p;
        }
        if n != 2 {
            if let Some(p) = self.table(n).and_then(|t| t.get(ngram_key(words))) {
                return p;
            }
        }
        if n == 2 {
            return self.log2_pair(
                words[0],
                words[1],
                self.word(words[0]).log2_history,
                self.word(words[1]).log2_p,
            );
        }
        let markov = self.log2_joint(&words[..n - 1]) + self.log2_joint(&words[1..])
            - self.log2_joint(&words[1..n - 1]);
        match &self.back_off {
            BackOffRule::Capped(floors) => match floors.get(n - 1) {
                Some(&floor) => markov.min(floor),
                None => markov,
            },
            BackOffRule::Weighted(_) => markov + self.log2_weight(ngram_key(&words[..n - 1])),
        }
    }

    /// log2 of the joint probability of the pair `a b`, given `a`'s
    /// [`WordLm::log2_history`] and `b`'s log2 probability (as [`WordLm::log2_joint`]
    /// would find them): one table probe.
    #[inline]
    pub fn log2_pair(&self, a: u64, b: u64, log2_ha: f32, log2_pb: f32) -> f32 {
        let key = extend_key(a, b);
        let held = if self.maybe_pair(key) {
            self.table(2).and_then(|t| t.get(key))
        } else {
            None
        };
        held.unwrap_or_else(|| self.pair_back_off(log2_ha, log2_pb))
    }

    /// [`WordLm::log2_pair`] of many pairs `(a, b, history value of a, log2 P(b))` into `out`,
    /// each with whether the model holds the pair ([`WordLm::holds`]).
    ///
    /// Same results; faster than one call at a time, because each stage (keys, then the
    /// filter, then the table) runs over all pairs before the next, so the processor
    /// overlaps their cache misses instead of waiting for each in turn.
    pub fn log2_pairs(&self, pairs: &[(u64, u64, f32, f32)], out: &mut Vec<(f32, bool)>) {
        out.clear();
        let table = self.table(2);
        // In chunks, so the stages' scratch stays on the stack.
        for chunk in pairs.chunks(PAIR_CHUNK) {
            let mut keys = [0u64; PAIR_CHUNK];
            let mut maybe = [false; PAIR_CHUNK];
            for ((k, m), &(a, b, _, _)) in keys.iter_mut().zip(&mut maybe).zip(chunk) {
                *k = extend_key(a, b);
                *m = self.maybe_pair(*k);
            }
            for ((&(_, _, pa, pb), &key), &maybe) in chunk.iter().zip(&keys).zip(&maybe) {
                let held = if maybe {
                    table.and_then(|t| t.get(key))
                } else {
                    None
                };
                out.push(match held {
                    Some(p) => (p, true),
                    None => (self.pair_back_off(pa, pb), false),
                });
            }
        }
    }

    /// Upper bounds on the log2 P of every pair the model holds that ends with the
    /// word (`[0]`) and that starts with it (`[1]`): `-inf` where it holds none. So a
    /// pair `a b` the model holds has at most `min(ceilings(a)[1], ceilings(b)[0])`
    /// ([`WordLm::log2_pair_ceiling`]), known from the words alone, before any look-up
    /// of the pair. The bounds are exact: the most probable such pair.
    pub fn pair_ceilings(&self, word: u64) -> [f32; 2] {
        self.word(word).pair_ceilings
    }

    /// What the model holds on a word (by [`word_key`]), with one table probe: the same
    /// values as [`WordLm::log2_joint`], [`WordLm::log2_history`] and
    /// [`WordLm::pair_ceilings`] give.
    #[inline]
    pub fn word(&self, word: u64) -> WordEntry {
        self.words.get(word).unwrap_or_else(|| WordEntry {
            log2_p: self.unknown,
            log2_history: self.unknown + self.log2_weight(word),
            pair_ceilings: [f32::NEG_INFINITY; 2],
            known: false,
        })
    }

    /// The table of n-grams of order `n`, from 2.
    #[inline]
    fn table(&self, n: usize) -> Option<&KeyTable> {
        n.checked_sub(2).and_then(|i| self.tables.get(i))
    }

    /// An upper bound on [`WordLm::log2_pair`] without a look-up: `(bound, may be
    /// held)`, for a pair whose words' [`WordLm::pair_ceilings`] allow a held pair of
    /// at most `ceiling` (`-inf`: it is not held, and the bound is its exact back-off
    /// value).
    #[inline]
    pub fn log2_pair_ceiling(&self, log2_ha: f32, log2_pb: f32, ceiling: f32) -> (f32, bool) {
        // A pair not held is its back-off, which for a model from counts never exceeds
        // the rarest held pair, but for a back-off model may exceed any.
        let back_off = self.pair_back_off(log2_ha, log2_pb);
        (back_off.max(ceiling), ceiling > f32::NEG_INFINITY)
    }

    /// An upper bound on [`WordLm::log2_pair`] from the pair filter, never touching the
    /// pair table: `(bound, may be held)`, at most [`WordLm::log2_pair_ceiling`]'s. A
    /// pair the filter (or the ceiling) rules out gets its exact (back-off) value and
    /// `false`; any other the lower of the ceiling and the bound of its filter block,
    /// the most probable pair there, which is at least its own probability if it is
    /// held.
    #[inline]
    pub fn log2_pair_bound(
        &self,
        a: u64,
        b: u64,
        log2_ha: f32,
        log2_pb: f32,
        ceiling: f32,
    ) -> (f32, bool) {
        let key = extend_key(a, b);
        let maybe = self.maybe_pair(key) && ceiling > f32::NEG_INFINITY;
        // Both sides computed, then chosen: no branch waits on the filter load.
        let block = self.pair_bounds[self.pair_filter.word_of(key) / PAIR_BOUND_WORDS];
        let back_off = self.pair_back_off(log2_ha, log2_pb);
        (
            if maybe {
                block.min(ceiling).max(back_off)
            } else {
                back_off
            },
            maybe,
        )
    }

    /// log2 of the probability of a run of words by the chain rule, using n-grams up to
    /// the model's order: `P(w1) P(w2 | w1) P(w3 | w1 w2) ...`, each conditional a ratio
    /// of joint probabilities.
    pub fn log2_window(&self, words: &[u64]) -> f32 {
        let m = self.order().max(1);
        let mut total = 0.0;
        for i in 0..words.len() {
            let from = (i + 1).saturating_sub(m);
            total += self.log2_joint(&words[from..=i]);
            if i > from {
                total -= self.log2_joint(&words[from..i]);
            }
        }
        total
    }

    /// The part of [`WordLm::log2_window`] that depends on the word at `at`: the chain
    /// rule's terms whose n-gram or history contains that position. Comparing words at
    /// one position needs only this; the other terms are the same for all of them.
    pub fn log2_window_at(&self, words: &[u64], at: usize) -> f32 {
        let m = self.order().max(1);
        let mut total = 0.0;
        for i in at..words.len().min(at + m) {
            let from = (i + 1).saturating_sub(m);
            total += self.log2_joint(&words[from..=i]);
            if i > at {
                total -= self.log2_joint(&words[from..i]);
            }
        }
        total
    }

    /// Structural checks for a loaded model.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.order() > MAX_ORDER {
            return Err(format!(
                "word model has order {}, at most {MAX_ORDER} is supported",
                self.order()
            ));
        }
        Ok(())
    }
}

/// Kneser-Ney's absolute discount `n1 / (n1 + 2 n2)` from the counts of counts, or 0
/// when there are no singletons or doubletons (a truncated list).
fn discount_of(order: &[(u64, u64)]) -> f64 {
    let n1 = order.iter().filter(|&&(_, c)| c == 1).count() as f64;
    let n2 = order.iter().filter(|&&(_, c)| c == 2).count() as f64;
    if n1 > 0.0 && n2 > 0.0 {
        n1 / (n1 + 2.0 * n2)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u64)]) -> ContextCounts {
        ContextCounts::from_ngrams(&WordCounts::from_pairs(
            pairs.iter().map(|&(w, c)| (w.to_string(), c)),
        ))
    }

    fn keys(text: &str) -> Vec<u64> {
        text.split(' ').map(word_key).collect()
    }

    /// The single words of [`lm`].
    const WORDS: [(&str, u64); 5] = [
        ("came", 50),
        ("from", 400),
        ("form", 60),
        ("the", 1000),
        ("city", 40),
    ];

    fn lm() -> WordLm {
        let mut c = counts(&WORDS);
        c.merge(&counts(&[
            ("came from", 30),
            ("from the", 200),
            ("form the", 5),
            ("the city", 20),
            ("came from the", 12),
        ]));
        WordLm::estimate(c)
    }

    /// The same words as [`lm`] in a back-off model ([`crate::arpa`]), with weights
    /// above and below 1 (a positive weight lets a pair it does not hold outrank held
    /// ones, which bounds must allow for).
    fn back_off_lm() -> WordLm {
        let arpa = "\\data\\\nngram 1=5\nngram 2=4\n\n\\1-grams:\n\
            -2.0 came -0.2\n-1.3 from 0.4\n-2.1 form\n-0.9 the -0.5\n-2.3 city 1.5\n\n\
            \\2-grams:\n-0.8 came from\n-0.4 from the\n-1.9 form the\n-1.5 the city\n\n\\end\\\n";
        let lm = crate::arpa::read(arpa.as_bytes(), std::path::Path::new("t.arpa"), 2).unwrap();
        WordLm::from_back_off(lm)
    }

    #[test]
    fn a_back_off_model_answers_as_its_file_defines() {
        let lm = back_off_lm();
        assert!(lm.is_back_off() && lm.counts().is_none());
        assert_eq!(lm.sizes(), vec![5, 4]);
        let log2 = |log10: f64| (log10 * std::f64::consts::LOG2_10) as f32;
        let close = |a: f32, b: f32| (a - b).abs() < 1e-4;
        // Held: P(from) P(the | from).
        assert!(close(lm.log2_joint(&keys("from the")), log2(-1.3 - 0.4)));
        // Not held: P(city) bow(city) P(the), above every held pair here.
        let unheld = lm.log2_joint(&keys("city the"));
        assert!(close(unheld, log2(-2.3 + 1.5 - 0.9)));
        // Held n-grams are what the window is built of; the right word still wins.
        let right = lm.log2_window(&keys("came from the city"));
        let wrong = lm.log2_window(&keys("came form the city"));
        assert!(right > wrong);
        // Unknown words: below the rarest known one.
        assert!(lm.log2_joint(&keys("zebra")) < lm.log2_joint(&keys("city")));
    }

    #[test]
    fn a_joined_key_is_the_key_of_the_words_written_together() {
        for (a, b) in [
            ("o", "f"),
            ("sell", "ing"),
            ("", "the"),
            ("the", ""),
            ("ré", "sumé"),
        ] {
            assert_eq!(joined_key(a, b), word_key(&format!("{a}{b}")), "{a} {b}");
        }
    }

    #[test]
    fn folded_keys_are_the_keys_of_the_folded_words() {
        for word in [
            "the",
            "The",
            "NASA",
            "don't",
            "don\u{2019}t",
            "Zürich",
            "ÉCOLE",
            "a",
            "",
        ] {
            assert_eq!(folded_word_key(word), word_key(&fold_case(word)), "{word}");
        }
        assert_eq!(folded_word_key("The"), word_key("the"));
    }

    #[test]
    fn the_pair_filter_holds_every_pair_and_few_others() {
        // About as many pairs per filter word as the default model has (7.3).
        let texts: Vec<(String, u64)> = (0..30_000)
            .map(|i| (format!("w{} w{}", i % 997, i / 997 * 31 + i % 13), 2))
            .chain((0..2_000).map(|i| (format!("w{i}"), 50)))
            .collect();
        let lm = WordLm::estimate(ContextCounts::from_ngrams(&WordCounts::from_pairs(
            texts.iter().cloned(),
        )));
        let pairs: Vec<(u64, u64)> = texts
            .iter()
            .filter_map(|(t, _)| t.split_once(' '))
            .map(|(a, b)| (word_key(a), word_key(b)))
            .collect();
        let held = |&(a, b): &(u64, u64)| lm.maybe_pair(extend_key(a, b));
        assert!(pairs.iter().all(held), "a held pair was ruled out");
        // Pairs of words never seen together: about 3% pass by chance.
        let absent: Vec<(u64, u64)> = (0..50_000u64)
            .map(|i| (word_key(&format!("x{i}")), word_key(&format!("y{i}"))))
            .collect();
        let rate = absent.iter().filter(|p| held(p)).count() as f64 / absent.len() as f64;
        assert!(rate < 0.05, "false maybe for {rate:.3} of absent pairs");
    }

    #[test]
    fn keys_are_stable_and_order_sensitive() {
        // Pinned: keys are stored in model files, so they must never change.
        assert_eq!(word_key("the"), 10_383_438_331_419_178_197);
        assert_ne!(ngram_key(&keys("from the")), ngram_key(&keys("the from")));
        assert_ne!(ngram_key(&keys("came")), ngram_key(&keys("came came")));
        assert_eq!(word_key("from"), word_key("from"));
    }

    #[test]
    fn prefix_keys_equal_word_keys() {
        let keys = PrefixKeys::new(b"from");
        for (s, shared) in [("from", 4), ("form", 1), ("frog", 3), ("fro", 3), ("x", 0)] {
            assert_eq!(keys.key(s.as_bytes(), shared), word_key(s), "{s}");
        }
        // A claim longer than the word or the string is capped, not trusted.
        assert_eq!(keys.key(b"fr", 9), word_key("fr"));
    }

    #[test]
    fn key_tables_find_every_key_and_only_those() {
        let keys: Vec<u64> = (1..=50_000u64).map(mix).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        let mut table = KeyTable::with_capacity(sorted.len());
        for &k in &sorted {
            table.insert(k, -((k % 1000) as f32));
        }
        for &k in &keys {
            assert_eq!(table.get(k), Some(-((k % 1000) as f32)), "{k}");
        }
        let strays = (50_001..=250_000u64).filter(|&i| table.get(mix(i)).is_some());
        assert_eq!(strays.count(), 0);
    }

    #[test]
    fn the_right_word_wins_its_window() {
        let lm = lm();
        let right = lm.log2_window(&keys("came from the city"));
        let wrong = lm.log2_window(&keys("came form the city"));
        assert!(right > wrong + 2.0, "{right} vs {wrong}");
    }

    #[test]
    fn held_ngrams_beat_estimated_ones() {
        let lm = lm();
        assert!(lm.holds(&keys("from the")));
        assert!(!lm.holds(&keys("city came")));
        // An unseen pair is capped below every held pair of its order.
        let unseen = lm.log2_joint(&keys("the from"));
        let rarest_held = lm.log2_joint(&keys("form the"));
        assert!(unseen <= rarest_held, "{unseen} vs {rarest_held}");
        assert!(lm.log2_joint(&keys("zebra")) < lm.log2_joint(&keys("city")));
    }

    #[test]
    fn window_at_differs_from_the_window_by_a_constant() {
        let lm = lm();
        let a = keys("came from the city");
        let b = keys("came form the city");
        let full = lm.log2_window(&a) - lm.log2_window(&b);
        let at = lm.log2_window_at(&a, 1) - lm.log2_window_at(&b, 1);
        assert!((full - at).abs() < 1e-4, "{full} vs {at}");
    }

    /// Every ordered pair of the words of `text`, as [`WordLm::log2_pairs`] takes them.
    fn all_pairs(lm: &WordLm, text: &str) -> Vec<(u64, u64, f32, f32)> {
        let k = keys(text);
        let p: Vec<f32> = k.iter().map(|&w| lm.log2_joint(&[w])).collect();
        let mut pairs = Vec::new();
        for i in 0..k.len() {
            for j in 0..k.len() {
                pairs.push((k[i], k[j], lm.log2_history(k[i], p[i]), p[j]));
            }
        }
        pairs
    }

    #[test]
    fn batched_pairs_equal_single_look_ups() {
        for lm in [lm(), back_off_lm()] {
            batched_pairs_equal_single_look_ups_in(&lm);
        }
    }

    fn batched_pairs_equal_single_look_ups_in(lm: &WordLm) {
        let pairs = all_pairs(lm, "came from form the city zebra");
        let mut out = Vec::new();
        lm.log2_pairs(&pairs, &mut out);
        for (&(a, b, pa, pb), &(got, held)) in pairs.iter().zip(&out) {
            assert_eq!(got, lm.log2_pair(a, b, pa, pb));
            assert_eq!(got, lm.log2_joint(&[a, b]));
            assert_eq!(held, lm.holds(&[a, b]));
        }
        assert!(out.iter().any(|&(_, held)| held) && out.iter().any(|&(_, held)| !held));
    }

    /// [`lm`]'s counts in two shards, merged.
    fn merged_lm() -> WordLm {
        let mut c = counts(&WORDS);
        c.merge(&counts(&[
            ("came from", 30),
            ("from the", 150),
            ("the city", 2),
        ]));
        c.merge(&counts(&[
            ("from the", 50),
            ("form the", 5),
            ("the city", 18),
            ("came from the", 12),
        ]));
        WordLm::estimate(c)
    }

    #[test]
    fn pair_bounds_are_exact_or_above() {
        for lm in [lm(), back_off_lm(), merged_lm()] {
            pair_bounds_are_exact_or_above_in(&lm);
        }
    }

    /// The ceiling bound is at least the filter's, which is at least the pair's
    /// probability; both are exact for a pair they rule out.
    fn pair_bounds_are_exact_or_above_in(lm: &WordLm) {
        let pairs = all_pairs(lm, "came from form the city zebra");
        let mut exact = Vec::new();
        lm.log2_pairs(&pairs, &mut exact);
        let mut ruled_out = 0;
        for (&(a, b, pa, pb), &(p, held)) in pairs.iter().zip(&exact) {
            let ceiling = lm.pair_ceilings(a)[1].min(lm.pair_ceilings(b)[0]);
            let (above, may) = lm.log2_pair_ceiling(pa, pb, ceiling);
            let (bound, maybe) = lm.log2_pair_bound(a, b, pa, pb, ceiling);
            assert!(may || !held, "a held pair was ruled out by its ceiling");
            assert!(maybe || !held, "a held pair was ruled out by the filter");
            assert!(
                above >= bound && bound >= p,
                "{above} < {bound} or {bound} < {p}"
            );
            if !may {
                assert_eq!(above, p);
            }
            if !maybe {
                assert_eq!(bound, p);
            }
            ruled_out += usize::from(!may);
        }
        assert!(exact.iter().any(|&(_, held)| held));
        // Words in no pair at all ("zebra") and words that only end pairs.
        assert!(ruled_out > 0);
    }

    #[test]
    fn a_word_entry_holds_what_the_single_look_ups_give() {
        // "zebra" is unknown; "gnu" is in a held pair but not among the single words.
        let mut c = counts(&WORDS);
        c.merge(&counts(&[("came from", 30), ("the gnu", 3)]));
        let with_gnu = WordLm::estimate(c);
        let held = with_gnu.log2_joint(&keys("the gnu"));
        assert_eq!(with_gnu.pair_ceilings(word_key("gnu"))[0], held);
        for lm in [lm(), back_off_lm(), with_gnu] {
            for word in ["came", "from", "form", "the", "city", "zebra", "gnu"] {
                let key = word_key(word);
                let entry = lm.word(key);
                let p = lm.log2_joint(&[key]);
                assert_eq!(entry.log2_p, p, "{word}");
                assert_eq!(entry.log2_history, lm.log2_history(key, p), "{word}");
                assert_eq!(entry.pair_ceilings, lm.pair_ceilings(key), "{word}");
                assert_eq!(lm.knows(key), !matches!(word, "zebra" | "gnu"), "{word}");
            }
        }
    }

    #[test]
    fn pair_ceilings_are_the_most_probable_pairs_of_a_word() {
        let lm = lm();
        let [_, from_starts] = lm.pair_ceilings(word_key("from"));
        let [the_ends, the_starts] = lm.pair_ceilings(word_key("the"));
        // "from the" is the likeliest pair both starting with "from" and ending with "the".
        assert_eq!(from_starts, lm.log2_joint(&keys("from the")));
        assert_eq!(the_ends, from_starts);
        assert_eq!(the_starts, lm.log2_joint(&keys("the city")));
        // "city" starts no pair; "zebra" is in none.
        assert_eq!(lm.pair_ceilings(word_key("city"))[1], f32::NEG_INFINITY);
        assert_eq!(lm.pair_ceilings(word_key("zebra")), [f32::NEG_INFINITY; 2]);
        // Shards counted apart and merged: the same ceilings as counted together,
        // though the shards' likeliest pairs differ ("the city" is rare in the first).
        let merged = merged_lm();
        for word in ["came", "from", "form", "the", "city", "zebra"] {
            assert_eq!(
                merged.pair_ceilings(word_key(word)),
                lm.pair_ceilings(word_key(word))
            );
        }
        assert_eq!(merged, lm);
    }

    #[test]
    fn window_of_one_word_is_its_unigram() {
        let lm = lm();
        let k = keys("city");
        assert_eq!(lm.log2_window(&k), lm.log2_joint(&k));
    }

    #[test]
    fn runs_break_at_punctuation_and_sentence_starts_but_not_at_commas() {
        let text = "He came from the city, then left. Rain fell\nNext line 42 here; now";
        let mut runs = Vec::new();
        for_each_run(text, |run| {
            runs.push(
                run.iter()
                    .map(|t| t.text(text))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        });
        assert_eq!(
            runs,
            [
                "He came from the city then left",
                "Rain fell",
                "Next line",
                "here",
                "now"
            ]
        );
    }

    #[test]
    fn merge_equals_counting_together() {
        let a = counts(&[("a b", 2), ("a", 3)]);
        let b = counts(&[("a b", 1), ("b", 4), ("b c a", 1)]);
        let mut merged = a.clone();
        merged.merge(&b);
        let together = counts(&[("a b", 3), ("a", 3), ("b", 4), ("b c a", 1)]);
        assert_eq!(merged, together);
        assert_eq!(merged.sizes(), vec![2, 1, 1]);
    }

    #[test]
    fn prune_keeps_unigrams() {
        let mut c = counts(&[("a b", 1), ("a", 1), ("b c", 5)]);
        c.prune(2);
        assert_eq!(c.sizes(), vec![1, 1]);
    }

    #[test]
    fn serde_round_trip_rebuilds_the_tables() {
        for lm in [lm(), back_off_lm()] {
            let bytes = bincode::serde::encode_to_vec(&lm, bincode::config::standard()).unwrap();
            let (back, _): (WordLm, usize) =
                bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
            assert_eq!(back, lm);
        }
    }

    #[test]
    fn unsorted_counts_are_rejected() {
        let bad = ContextCounts {
            orders: vec![vec![(5, 1), (3, 1)]],
            pair_words: Vec::new(),
        };
        assert!(WordLm::try_from(bad).is_err());
    }
}
