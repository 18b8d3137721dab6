//! Character n-gram language model: estimation with interpolated modified Kneser-Ney
//! smoothing, and fast log-probability queries.
//!
//! # What it models
//!
//! The probability of each character of a word given up to `order - 1` previous
//! characters, over the symbols of an [`Alphabet`]: every word is seen as
//! `<w> c1 c2 … cn </w>`, where `<w>` ([`crate::alphabet::BOW`]) is context only and
//! `</w>` ([`crate::alphabet::EOW`]) is predicted like a character, so a word's
//! probability includes how plausible its beginning and its end are. Words are
//! case-folded before they get here (see [`crate::train`]).
//!
//! # Estimation: from word types, not running text
//!
//! The input is a list of word types with counts ([`crate::counts::WordCounts`]). Each
//! type contributes its n-grams once, weighted by a function of its count
//! ([`Weighting`]). This is exactly what sliding over every token would count, at a
//! fraction of the cost, because a corpus has far fewer types than tokens.
//!
//! # Smoothing: interpolated modified Kneser-Ney (Chen & Goodman 1998)
//!
//! For the highest order, counts are the weighted occurrence counts. For every lower
//! order, an n-gram's count is its *continuation count*: the number of distinct symbols
//! seen to its left. An n-gram that starts with `<w>` has no left context, so it keeps its
//! occurrence count (as KenLM does for `<s>`). With `c(h·w)` those adjusted counts:
//!
//! ```text
//! P(w | h) = max(c(h·w) − D(c(h·w)), 0) / c(h·)  +  γ(h) · P(w | h')
//! γ(h)     = (D1·N1(h·) + D2·N2(h·) + D3+·N3+(h·)) / c(h·)
//! ```
//!
//! where `h'` is `h` without its first symbol, `N_j(h·)` counts the symbols seen after
//! `h` exactly `j` times (`3+`: at least 3), and the discounts of each order come from
//! its count-of-counts `n1..n4`: `Y = n1/(n1+2·n2)`, `D_j = j − (j+1)·Y·n_{j+1}/n_j`.
//! When the counts are too regular for that formula (a tiny corpus, or weighted counts
//! with no singletons), the discounts fall back to `0.5, 1.0, 1.5`. The unigram level
//! interpolates with the uniform distribution over the predictable symbols, so every
//! probability is positive and, for every context, they sum to 1 over the alphabet
//! (tested).
//!
//! # Pruning
//!
//! `min_count` drops n-grams of order 3 and up whose adjusted count is below it, then
//! every n-gram whose suffix or context was dropped, so the tables stay closed under
//! the lookups a query makes. The surviving mass of each context is renormalised by
//! computing `c(h·)` and `N_j(h·)` over what is kept, so probabilities still sum to 1.
//!
//! # Layout and queries
//!
//! Interpolation is folded into a backoff form at build time (as KenLM and ARPA files
//! do): each stored n-gram holds its final `log2 P(w|h)` and, as a context, `log2 γ`.
//! A query for the longest n-gram tries the longest context first and adds the backoff
//! weights of the contexts that missed. Orders 1 and 2 are dense `ndarray` tables
//! (every pair precomputed, no backoff at all); orders 3 and up are open-addressing hash
//! tables keyed by the n-gram packed into a `u64` (8 bits per symbol, first symbol
//! highest), serialized as flat arrays so loading is a copy, not a rebuild.
//!
//! Weakness: 8 bits per symbol caps the order at 8 and the alphabet at 252 characters;
//! both are far beyond what helps for words.

use ndarray::Array2;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::alphabet::Alphabet;
use crate::error::{Error, Result};

/// Highest supported order (8 symbols of 8 bits fill a `u64` key).
pub const MAX_ORDER: usize = 8;

/// How a word type's count turns into the weight of its character n-grams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Weighting {
    /// Weight = count: the model of running text (frequent words dominate).
    Tokens,
    /// Weight = 1 + ⌊log2 count⌋: every word matters, frequent ones a little more.
    #[default]
    Log,
    /// Weight = 1: the model of the vocabulary.
    Types,
}

impl Weighting {
    /// The n-gram weight of a word seen `count` times.
    pub fn weight(self, count: u64) -> u64 {
        match self {
            Weighting::Tokens => count,
            Weighting::Log => {
                if count == 0 {
                    0
                } else {
                    1 + u64::from(63 - count.leading_zeros())
                }
            }
            Weighting::Types => u64::from(count > 0),
        }
    }

    /// The name used on the command line and in model metadata.
    pub fn name(self) -> &'static str {
        match self {
            Weighting::Tokens => "tokens",
            Weighting::Log => "log",
            Weighting::Types => "types",
        }
    }
}

impl std::str::FromStr for Weighting {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "tokens" => Ok(Weighting::Tokens),
            "log" => Ok(Weighting::Log),
            "types" => Ok(Weighting::Types),
            _ => Err(format!("unknown weighting {s:?} (tokens, log or types)")),
        }
    }
}

/// Options for estimating a [`CharLm`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NgramConfig {
    /// Longest n-gram, in symbols (2..=8).
    pub order: usize,
    /// How word counts weight their n-grams.
    pub weighting: Weighting,
    /// Drop n-grams of order ≥ 3 whose adjusted count is below this (1 keeps all).
    pub min_count: u64,
    /// Most characters kept in the alphabet; the rest map to `<unk>`.
    pub max_chars: usize,
    /// A character enters the alphabet only if its weighted count reaches this.
    pub min_char_count: u64,
}

impl Default for NgramConfig {
    fn default() -> Self {
        NgramConfig {
            order: 6,
            weighting: Weighting::default(),
            min_count: 1,
            max_chars: 160,
            min_char_count: 2,
        }
    }
}

impl NgramConfig {
    /// Checks the options, naming the offending flag.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] when the order is outside `2..=8` or `max_chars` is 0.
    pub fn validate(&self) -> Result<()> {
        if !(2..=MAX_ORDER).contains(&self.order) {
            return Err(Error::InvalidOption {
                option: "--order",
                reason: format!("{} is outside 2..={MAX_ORDER}", self.order),
            });
        }
        if self.min_count == 0 {
            return Err(Error::InvalidOption {
                option: "--min-count",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// Packs symbols into a key, first symbol in the highest byte.
#[inline]
fn pack(symbols: &[u8]) -> u64 {
    symbols.iter().fold(0u64, |k, &s| (k << 8) | u64::from(s))
}

/// A mask of the low `k` bytes (the last `k` symbols of a key).
#[inline]
fn low_bytes(k: usize) -> u64 {
    if k >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * k)) - 1
    }
}

/// The key without its first symbol.
#[inline]
fn suffix(key: u64, order: usize) -> u64 {
    key & ((1u64 << (8 * (order - 1))) - 1)
}

/// The multiplier of the tables' multiply-shift hash (2^64 / golden ratio, odd).
pub(crate) const TABLE_MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// An open-addressing hash table from packed n-gram keys to `[log2 P, log2 γ]`.
///
/// Linear probing over a power-of-two array; key 0 marks an empty slot (no n-gram packs
/// to 0 because symbol 0 is never used). The hash is a fixed multiply-shift, so the
/// serialized arrays are valid as they are after loading.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(into = "TableRepr")]
pub(crate) struct NgramTable {
    /// Key and value side by side, so a probe touches one cache line.
    slots: Vec<Slot>,
    len: usize,
}

/// One slot: a packed key (0 = empty) and `[log2 P, log2 γ]`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Slot {
    key: u64,
    value: [f32; 2],
}

/// Bytes of one serialized slot: key (u64), log2 P and log2 γ (f32), little-endian.
const SLOT_BYTES: usize = 16;

/// The serialized form of a table: the slot array itself, as one little-endian byte
/// string, so loading is a copy and a decode loop, not a rebuild of the hash table.
#[derive(Serialize, Deserialize)]
struct TableRepr {
    len: u64,
    #[serde(with = "crate::model_file::byte_string")]
    slots: Vec<u8>,
}

impl From<NgramTable> for TableRepr {
    fn from(t: NgramTable) -> TableRepr {
        let mut slots = Vec::with_capacity(t.slots.len() * SLOT_BYTES);
        for s in &t.slots {
            slots.extend_from_slice(&s.key.to_le_bytes());
            slots.extend_from_slice(&s.value[0].to_le_bytes());
            slots.extend_from_slice(&s.value[1].to_le_bytes());
        }
        TableRepr {
            len: t.len as u64,
            slots,
        }
    }
}

impl NgramTable {
    /// Rebuilds a table from its serialized slot bytes.
    fn from_slot_bytes(len: u64, bytes: &[u8]) -> std::result::Result<NgramTable, String> {
        if bytes.len() % SLOT_BYTES != 0 || bytes.is_empty() {
            return Err("n-gram table has a partial slot".into());
        }
        let f32_at = |b: &[u8]| f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let slots: Vec<Slot> = bytes
            .chunks_exact(SLOT_BYTES)
            .map(|b| Slot {
                key: u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
                value: [f32_at(&b[8..12]), f32_at(&b[12..16])],
            })
            .collect();
        let table = NgramTable {
            slots,
            len: usize::try_from(len).map_err(|_| "n-gram table too large".to_string())?,
        };
        table.validate()?;
        Ok(table)
    }
}

/// Deserializes straight from the slot bytes the format hands over (borrowed from the
/// file buffer where it can), without an intermediate copy.
impl<'de> Deserialize<'de> for NgramTable {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Slots;
        impl<'de> serde::de::Visitor<'de> for Slots {
            type Value = NgramTable;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an n-gram table (length and slot bytes)")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<NgramTable, A::Error> {
                use serde::de::Error;
                let len: u64 = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(0, &self))?;
                let bytes: SlotBytes = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(1, &self))?;
                NgramTable::from_slot_bytes(len, &bytes.0).map_err(A::Error::custom)
            }
        }
        d.deserialize_struct("TableRepr", &["len", "slots"], Slots)
    }
}

/// Slot bytes as the deserializer offers them.
struct SlotBytes<'a>(std::borrow::Cow<'a, [u8]>);

impl<'de> Deserialize<'de> for SlotBytes<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Bytes;
        impl<'de> serde::de::Visitor<'de> for Bytes {
            type Value = SlotBytes<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_borrowed_bytes<E>(
                self,
                v: &'de [u8],
            ) -> std::result::Result<SlotBytes<'de>, E> {
                Ok(SlotBytes(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> std::result::Result<SlotBytes<'de>, E> {
                Ok(SlotBytes(std::borrow::Cow::Owned(v.to_vec())))
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> std::result::Result<SlotBytes<'de>, E> {
                Ok(SlotBytes(std::borrow::Cow::Owned(v)))
            }
        }
        d.deserialize_bytes(Bytes)
    }
}

impl NgramTable {
    pub(crate) fn with_capacity(n: usize) -> NgramTable {
        // Load factor 0.8 with linear probing: short probes, little waste. The slot
        // count need not be a power of two (the hash maps onto it by multiply-high).
        NgramTable::with_slots((n + n / 4 + 1).max(8))
    }

    fn with_slots(slots: usize) -> NgramTable {
        NgramTable {
            slots: vec![Slot::default(); slots],
            len: 0,
        }
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        let h = key.wrapping_mul(TABLE_MULTIPLIER);
        ((u128::from(h) * self.slots.len() as u128) >> 64) as usize
    }

    pub(crate) fn insert(&mut self, key: u64, value: [f32; 2]) {
        let n = self.slots.len();
        let mut i = self.slot(key);
        loop {
            let slot = &mut self.slots[i];
            if slot.key == 0 {
                *slot = Slot { key, value };
                self.len += 1;
                return;
            }
            if slot.key == key {
                slot.value = value;
                return;
            }
            i += 1;
            if i == n {
                i = 0;
            }
        }
    }

    #[inline]
    fn find(&self, key: u64) -> Option<usize> {
        let n = self.slots.len();
        let mut i = self.slot(key);
        loop {
            let k = self.slots[i].key;
            if k == key {
                return Some(i);
            }
            if k == 0 {
                return None;
            }
            i += 1;
            if i == n {
                i = 0;
            }
        }
    }

    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<[f32; 2]> {
        self.find(key).map(|i| self.slots[i].value)
    }

    fn set_backoff(&mut self, key: u64, log2_gamma: f32) {
        if let Some(i) = self.find(key) {
            self.slots[i].value[1] = log2_gamma;
        }
    }

    /// Structural checks so a bad file cannot cause an endless probe or a panic.
    fn validate(&self) -> std::result::Result<(), String> {
        let slots = self.slots.len();
        let used = self.slots.iter().filter(|s| s.key != 0).count();
        if used != self.len || used >= slots {
            return Err("hash table occupancy does not match its header".into());
        }
        Ok(())
    }
}

/// Interpolated modified Kneser-Ney discounts of one order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Discounts {
    /// Discount for n-grams seen once, twice, three or more times.
    pub d: [f64; 3],
    /// True when the count-of-counts did not allow the closed-form estimate.
    pub fallback: bool,
}

impl Discounts {
    fn from_count_of_counts(n: [u64; 4]) -> Discounts {
        let [n1, n2, n3, n4] = n.map(|x| x as f64);
        let fallback = Discounts {
            d: [0.5, 1.0, 1.5],
            fallback: true,
        };
        if n1 == 0.0 || n2 == 0.0 || n3 == 0.0 || n4 == 0.0 {
            return fallback;
        }
        let y = n1 / (n1 + 2.0 * n2);
        let d = [
            1.0 - 2.0 * y * n2 / n1,
            2.0 - 3.0 * y * n3 / n2,
            3.0 - 4.0 * y * n4 / n3,
        ];
        if d.iter()
            .enumerate()
            .any(|(j, &dj)| !(dj > 0.0 && dj < (j + 1) as f64))
        {
            return fallback;
        }
        Discounts { d, fallback: false }
    }

    #[inline]
    fn of(&self, count: u64) -> f64 {
        match count {
            0 => 0.0,
            1 => self.d[0],
            2 => self.d[1],
            _ => self.d[2],
        }
    }
}

/// Number of n-grams stored per order, for `garbled info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSize {
    /// The n-gram order.
    pub order: usize,
    /// Distinct n-grams kept.
    pub ngrams: usize,
    /// Bytes the order's table takes in memory.
    pub bytes: usize,
}

/// A smoothed character n-gram model, ready for queries.
///
/// # Performance
///
/// A look-up of the longest n-gram is one probe of one hash table when the n-gram was
/// seen in training, and two probes per order it backs off through otherwise; orders 1
/// and 2 are array indexing. Scoring a word walks its symbols once
/// ([`CharLm::surprisals`]). Loading is a copy of flat arrays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CharLm {
    order: usize,
    alphabet: Alphabet,
    discounts: Vec<Discounts>,
    /// `[log2 P(w), log2 γ(w as a context)]` by symbol id.
    unigram: Vec<[f32; 2]>,
    /// `log2 P(w | h)` for every pair, `[h, w]`.
    bigram: Array2<f32>,
    /// `log2 γ(h1 h2)` of each bigram as a context, `[h1, h2]`.
    bigram_backoff: Array2<f32>,
    /// Orders 3..=order, at index `order - 3`.
    higher: Vec<NgramTable>,
}

/// One context's n-grams as built: context key, `log2 γ`, `(key, log2 P)` per n-gram.
type ContextEntries = (u64, f32, Vec<(u64, f32)>);

/// Adjusted counts of one order, sorted by key.
type OrderCounts = Vec<(u64, u64)>;

impl CharLm {
    /// Estimates a model from word types and their counts (case-folded words).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] for a bad config, [`Error::EmptyCorpus`] when no word has
    /// a positive weight.
    pub fn estimate<W: AsRef<str> + Sync>(
        words: &[(W, u64)],
        config: &NgramConfig,
    ) -> Result<CharLm> {
        config.validate()?;
        let words = || words.par_iter().map(|(w, c)| (w.as_ref(), *c));
        let alphabet = choose_alphabet(words(), config);
        let counts = count_ngrams(words(), &alphabet, config);
        if counts[0].is_empty() {
            return Err(Error::EmptyCorpus);
        }
        let discounts: Vec<Discounts> = counts
            .iter()
            .map(|c| Discounts::from_count_of_counts(count_of_counts(c)))
            .collect();
        let counts = prune(counts, config.min_count);
        Ok(build(alphabet, discounts, &counts, config.order))
    }

    /// The n-gram order.
    pub fn order(&self) -> usize {
        self.order
    }

    /// The alphabet.
    pub fn alphabet(&self) -> &Alphabet {
        &self.alphabet
    }

    /// The discounts of each order (index 0 is order 1).
    pub fn discounts(&self) -> &[Discounts] {
        &self.discounts
    }

    /// `log2 P(symbol | context)`, using at most the last `order - 1` symbols of
    /// `context`. The context of a word's first character is `[BOW]`.
    #[inline]
    pub fn log2_prob(&self, context: &[u8], symbol: u8) -> f32 {
        let ctx = &context[context.len().saturating_sub(self.order - 1)..];
        let key = (pack(ctx) << 8) | u64::from(symbol);
        self.log2_prob_packed(key, ctx.len() + 1)
    }

    /// `log2 P` of the last symbol of the `n`-gram packed in `key` given the others
    /// (`n <= order`). Lower-order n-grams and contexts are masks and shifts of the one
    /// key, so a query packs nothing.
    #[inline]
    fn log2_prob_packed(&self, key: u64, n: usize) -> f32 {
        let mut backoff = 0.0f32;
        for k in (3..=n).rev() {
            if let Some(v) = self.higher[k - 3].get(key & low_bytes(k)) {
                return backoff + v[0];
            }
            let ctx = (key >> 8) & low_bytes(k - 1);
            backoff += match k - 1 {
                2 => self.bigram_backoff[[(ctx >> 8) as usize, (ctx & 0xff) as usize]],
                j => self.higher[j - 3].get(ctx).map_or(0.0, |v| v[1]),
            };
        }
        let symbol = (key & 0xff) as usize;
        if n >= 2 {
            backoff + self.bigram[[((key >> 8) & 0xff) as usize, symbol]]
        } else {
            backoff + self.unigram[symbol][0]
        }
    }

    /// Surprisal in bits of every predicted symbol of `symbols` (an encoded word
    /// `[BOW] … [EOW]`, see [`Alphabet::encode_word`]); appends `symbols.len() - 1` values.
    pub fn surprisals_of_symbols(&self, symbols: &[u8], out: &mut Vec<f32>) {
        let mut key = symbols.first().map_or(0, |&s| u64::from(s));
        for (i, &s) in symbols.iter().enumerate().skip(1) {
            let n = (i + 1).min(self.order);
            key = ((key << 8) | u64::from(s)) & low_bytes(n);
            out.push(-self.log2_prob_packed(key, n));
        }
    }

    /// Surprisal in bits of every character of `word` and of its end: `chars + 1`
    /// values. `word` should already be case-folded.
    pub fn surprisals(&self, word: &str) -> Vec<f32> {
        let mut symbols = Vec::with_capacity(word.len() + 2);
        self.alphabet.encode_word(word, &mut symbols);
        let mut out = Vec::with_capacity(symbols.len());
        self.surprisals_of_symbols(&symbols, &mut out);
        out
    }

    /// `log2 P(word)` including its end marker.
    pub fn log2_prob_word(&self, word: &str) -> f64 {
        -self
            .surprisals(word)
            .iter()
            .map(|&s| f64::from(s))
            .sum::<f64>()
    }

    /// Sizes of the tables of each order.
    pub fn sizes(&self) -> Vec<OrderSize> {
        let mut sizes = vec![
            OrderSize {
                order: 1,
                ngrams: self.unigram.iter().filter(|v| v[0].is_finite()).count(),
                bytes: self.unigram.len() * 8,
            },
            OrderSize {
                order: 2,
                ngrams: self.bigram.len(),
                bytes: (self.bigram.len() + self.bigram_backoff.len()) * 4,
            },
        ];
        for (i, t) in self.higher.iter().enumerate() {
            sizes.push(OrderSize {
                order: i + 3,
                ngrams: t.len,
                bytes: t.slots.len() * std::mem::size_of::<Slot>(),
            });
        }
        sizes
    }

    /// Checks the structure of a model read from a file.
    pub(crate) fn validate(&self) -> std::result::Result<(), String> {
        if !(2..=MAX_ORDER).contains(&self.order) || self.higher.len() != self.order - 2 {
            return Err(format!(
                "character model has inconsistent order {}",
                self.order
            ));
        }
        let bound = self.alphabet.symbol_bound();
        if self.unigram.len() != bound
            || self.bigram.dim() != (bound, bound)
            || self.bigram_backoff.dim() != (bound, bound)
        {
            return Err("character model tables do not match its alphabet".into());
        }
        self.higher.iter().try_for_each(NgramTable::validate)
    }
}

/// Picks the alphabet from the weighted character counts of the words.
fn choose_alphabet<'a>(
    words: impl ParallelIterator<Item = (&'a str, u64)>,
    config: &NgramConfig,
) -> Alphabet {
    let counts = words
        .fold(FxHashMap::<char, u64>::default, |mut acc, (word, count)| {
            let w = config.weighting.weight(count);
            for c in word.chars() {
                *acc.entry(c).or_default() += w;
            }
            acc
        })
        .reduce(FxHashMap::default, merge_maps);
    let counts: Vec<(char, u64)> = counts.into_iter().collect();
    Alphabet::from_counts(&counts, config.max_chars, config.min_char_count)
}

fn merge_maps<K: std::hash::Hash + Eq>(
    mut a: FxHashMap<K, u64>,
    mut b: FxHashMap<K, u64>,
) -> FxHashMap<K, u64> {
    if a.len() < b.len() {
        std::mem::swap(&mut a, &mut b);
    }
    for (k, v) in b {
        *a.entry(k).or_default() += v;
    }
    a
}

/// Counts the adjusted n-gram counts of every order (index `k - 1` is order `k`).
///
/// Each position of each word contributes once, to its longest n-gram: a full
/// `order`-gram, or a shorter one that starts with `<w>`. Lower orders are then derived
/// as continuation counts (module docs), which also supplies every n-gram that does
/// not start a word.
fn count_ngrams<'a>(
    words: impl ParallelIterator<Item = (&'a str, u64)>,
    alphabet: &Alphabet,
    config: &NgramConfig,
) -> Vec<OrderCounts> {
    let n = config.order;
    let raw = words
        .fold(
            || (vec![FxHashMap::<u64, u64>::default(); n], Vec::new()),
            |(mut maps, mut symbols), (word, count)| {
                let w = config.weighting.weight(count);
                if w > 0 {
                    alphabet.encode_word(word, &mut symbols);
                    for i in 1..symbols.len() {
                        let start = (i + 1).saturating_sub(n);
                        let gram = &symbols[start..=i];
                        *maps[gram.len() - 1].entry(pack(gram)).or_default() += w;
                    }
                }
                (maps, symbols)
            },
        )
        .map(|(maps, _)| maps)
        .reduce(
            || vec![FxHashMap::default(); n],
            |a, b| {
                a.into_iter()
                    .zip(b)
                    .map(|(x, y)| merge_maps(x, y))
                    .collect()
            },
        );

    let mut orders: Vec<FxHashMap<u64, u64>> = raw;
    // Continuation counts, from the highest order down: each distinct k+1-gram adds one
    // to its suffix. Suffixes never start with <w>, so they never collide with the raw
    // counts of word-initial n-grams already in the map.
    for k in (1..n).rev() {
        let (lower, upper) = orders.split_at_mut(k);
        let target = &mut lower[k - 1];
        for &key in upper[0].keys() {
            *target.entry(suffix(key, k + 1)).or_default() += 1;
        }
    }
    orders
        .into_par_iter()
        .map(|m| {
            let mut v: Vec<(u64, u64)> = m.into_iter().collect();
            v.par_sort_unstable();
            v
        })
        .collect()
}

fn count_of_counts(counts: &[(u64, u64)]) -> [u64; 4] {
    let mut n = [0u64; 4];
    for &(_, c) in counts {
        if (1..=4).contains(&c) {
            n[c as usize - 1] += 1;
        }
    }
    n
}

/// Drops rare n-grams of order ≥ 3, keeping every table closed under suffix and
/// context look-ups.
fn prune(mut counts: Vec<OrderCounts>, min_count: u64) -> Vec<OrderCounts> {
    for k in 3..=counts.len() {
        let (lower, upper) = counts.split_at_mut(k - 1);
        let below = &lower[k - 2];
        let has = |key: u64| below.binary_search_by_key(&key, |&(g, _)| g).is_ok();
        upper[0].retain(|&(key, c)| c >= min_count && has(suffix(key, k)) && has(key >> 8));
    }
    counts
}

/// Statistics of one context: total adjusted count and `N1, N2, N3+`.
fn context_gamma(counts: &[(u64, u64)], d: &Discounts) -> (f64, f64) {
    let total: u64 = counts.iter().map(|&(_, c)| c).sum();
    let mass: f64 = counts.iter().map(|&(_, c)| d.of(c)).sum();
    let total = total as f64;
    (total, if total > 0.0 { mass / total } else { 1.0 })
}

/// Splits sorted counts into runs that share a context (all but the last symbol).
fn context_groups(counts: &[(u64, u64)]) -> Vec<&[(u64, u64)]> {
    counts.chunk_by(|a, b| a.0 >> 8 == b.0 >> 8).collect()
}

fn build(
    alphabet: Alphabet,
    discounts: Vec<Discounts>,
    counts: &[OrderCounts],
    order: usize,
) -> CharLm {
    let bound = alphabet.symbol_bound();
    let predictable: Vec<u8> = alphabet.predictable_symbols().collect();
    let uniform = 1.0 / predictable.len() as f64;

    // Order 1: interpolate with the uniform distribution.
    let mut unigram = vec![[f32::NEG_INFINITY, 0.0]; bound];
    let mut p1 = vec![0.0f64; bound];
    {
        let (total, gamma) = context_gamma(&counts[0], &discounts[0]);
        let mut count_of = vec![0u64; bound];
        for &(key, c) in &counts[0] {
            count_of[key as usize] = c;
        }
        for &s in &predictable {
            let c = count_of[s as usize];
            let seen = if total > 0.0 {
                (c as f64 - discounts[0].of(c)).max(0.0) / total
            } else {
                0.0
            };
            p1[s as usize] = seen + gamma * uniform;
            unigram[s as usize][0] = p1[s as usize].log2() as f32;
        }
    }

    // Order 2: dense, every (context, symbol) pair precomputed.
    let mut bigram = Array2::from_elem((bound, bound), f32::NEG_INFINITY);
    let bigram_backoff = Array2::from_elem((bound, bound), 0.0f32);
    for h in 0..bound {
        for &s in &predictable {
            bigram[[h, s as usize]] = p1[s as usize].log2() as f32;
        }
    }
    for group in context_groups(&counts[1]) {
        let h = (group[0].0 >> 8) as usize;
        let (total, gamma) = context_gamma(group, &discounts[1]);
        let mut seen = vec![0u64; bound];
        for &(key, c) in group {
            seen[(key & 0xff) as usize] = c;
        }
        for &s in &predictable {
            let c = seen[s as usize];
            let p = (c as f64 - discounts[1].of(c)).max(0.0) / total + gamma * p1[s as usize];
            bigram[[h, s as usize]] = p.log2() as f32;
        }
        unigram[h][1] = gamma.log2() as f32;
    }

    let mut lm = CharLm {
        order,
        alphabet,
        discounts,
        unigram,
        bigram,
        bigram_backoff,
        higher: Vec::with_capacity(order.saturating_sub(2)),
    };

    // Orders 3..: each n-gram's probability interpolates with the (already built)
    // lower orders, queried through the same look-up path that scoring uses.
    for k in 3..=order {
        let level = &counts[k - 1];
        let d = lm.discounts[k - 1];
        let groups = context_groups(level);
        let computed: Vec<ContextEntries> = groups
            .par_iter()
            .map(|group| {
                let ctx_key = group[0].0 >> 8;
                let (total, gamma) = context_gamma(group, &d);
                let ctx = unpack(ctx_key, k - 1);
                let entries = group
                    .iter()
                    .map(|&(key, c)| {
                        let s = (key & 0xff) as u8;
                        let lower = f64::from(lm.log2_prob(&ctx[1..], s)).exp2();
                        let p = (c as f64 - d.of(c)).max(0.0) / total + gamma * lower;
                        (key, p.log2() as f32)
                    })
                    .collect();
                (ctx_key, gamma.log2() as f32, entries)
            })
            .collect();
        let mut table = NgramTable::with_capacity(level.len());
        for (_, _, entries) in &computed {
            for &(key, lp) in entries {
                table.insert(key, [lp, 0.0]);
            }
        }
        // Record each context's γ on its entry one order down.
        for (ctx_key, log2_gamma, _) in &computed {
            if k == 3 {
                let h1 = (ctx_key >> 8) as usize;
                let h2 = (ctx_key & 0xff) as usize;
                lm.bigram_backoff[[h1, h2]] = *log2_gamma;
            } else {
                lm.higher[k - 4].set_backoff(*ctx_key, *log2_gamma);
            }
        }
        lm.higher.push(table);
    }
    lm
}

fn unpack(key: u64, order: usize) -> Vec<u8> {
    (0..order).rev().map(|i| (key >> (8 * i)) as u8).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alphabet::{BOW, UNK};
    use proptest::prelude::*;

    fn model(words: &[(&str, u64)], order: usize, min_count: u64) -> CharLm {
        let config = NgramConfig {
            order,
            min_count,
            min_char_count: 1,
            ..NgramConfig::default()
        };
        CharLm::estimate(words, &config).unwrap()
    }

    fn sum_over_alphabet(lm: &CharLm, context: &[u8]) -> f64 {
        lm.alphabet()
            .predictable_symbols()
            .map(|s| f64::from(lm.log2_prob(context, s)).exp2())
            .sum()
    }

    const WORDS: &[(&str, u64)] = &[
        ("the", 50),
        ("then", 7),
        ("there", 9),
        ("other", 4),
        ("cat", 3),
        ("cats", 1),
        ("at", 12),
        ("hat", 2),
        ("that", 20),
        ("theatre", 1),
    ];

    #[test]
    fn weighting_functions() {
        assert_eq!(Weighting::Tokens.weight(1000), 1000);
        assert_eq!(Weighting::Log.weight(1), 1);
        assert_eq!(Weighting::Log.weight(8), 4);
        assert_eq!(Weighting::Types.weight(77), 1);
        assert_eq!(Weighting::Log.weight(0), 0);
    }

    #[test]
    fn pack_suffix_first_agree() {
        let key = pack(&[BOW, 7, 9]);
        assert_eq!(suffix(key, 3), pack(&[7, 9]));
        assert_eq!(unpack(key, 3), vec![BOW, 7, 9]);
    }

    #[test]
    fn known_words_beat_scrambled_ones() {
        let lm = model(WORDS, 4, 1);
        assert!(lm.log2_prob_word("that") > lm.log2_prob_word("ttah"));
        assert!(lm.log2_prob_word("there") > lm.log2_prob_word("ehert"));
    }

    #[test]
    fn rolling_keys_agree_with_slice_queries() {
        let lm = model(WORDS, 4, 1);
        let mut symbols = Vec::new();
        lm.alphabet().encode_word("theatres", &mut symbols);
        let mut rolling = Vec::new();
        lm.surprisals_of_symbols(&symbols, &mut rolling);
        let direct: Vec<f32> = (1..symbols.len())
            .map(|i| -lm.log2_prob(&symbols[..i], symbols[i]))
            .collect();
        assert_eq!(rolling, direct);
    }

    #[test]
    fn unknown_characters_get_finite_scores() {
        let lm = model(WORDS, 5, 1);
        let s = lm.surprisals("thé中");
        assert_eq!(s.len(), 5);
        assert!(s.iter().all(|x| x.is_finite() && *x > 0.0));
        assert_eq!(lm.alphabet().symbol('中'), UNK);
    }

    #[test]
    fn continuation_counts_replace_raw_counts() {
        // "at" follows many different letters, so its continuation count is the number
        // of distinct left contexts, not how often it occurs.
        let alphabet = Alphabet::from_chars("acht".chars());
        let config = NgramConfig {
            order: 3,
            ..NgramConfig::default()
        };
        let words = vec![("cat", 1u64), ("hat", 1), ("that", 1)];
        let counts = count_ngrams(words.into_par_iter(), &alphabet, &config);
        let key = pack(&[alphabet.symbol('a'), alphabet.symbol('t')]);
        let c = counts[1].iter().find(|&&(k, _)| k == key).unwrap().1;
        assert_eq!(c, 2, "'at' follows c and h");
    }

    #[test]
    fn probabilities_sum_to_one_for_seen_and_unseen_contexts() {
        for min_count in [1, 2, 3] {
            let lm = model(WORDS, 5, min_count);
            let a = lm.alphabet().clone();
            let mut contexts: Vec<Vec<u8>> = vec![vec![BOW]];
            for (w, _) in WORDS {
                let mut s = Vec::new();
                a.encode_word(w, &mut s);
                for i in 1..s.len() {
                    contexts.push(s[..i].to_vec());
                }
            }
            contexts.push(vec![BOW, UNK, UNK, UNK]);
            for ctx in contexts {
                let total = sum_over_alphabet(&lm, &ctx);
                assert!((total - 1.0).abs() < 1e-4, "context {ctx:?}: sum {total}");
            }
        }
    }

    #[test]
    fn pruning_shrinks_tables_but_keeps_them_closed() {
        let full = model(WORDS, 5, 1);
        let pruned = model(WORDS, 5, 2);
        let n = |lm: &CharLm| lm.sizes().iter().skip(2).map(|s| s.ngrams).sum::<usize>();
        assert!(n(&pruned) < n(&full));
        assert!(pruned.validate().is_ok());
    }

    #[test]
    fn estimation_is_deterministic() {
        let a = model(WORDS, 6, 1);
        let mut reversed = WORDS.to_vec();
        reversed.reverse();
        let b = model(&reversed, 6, 1);
        assert_eq!(a, b);
    }

    #[test]
    fn empty_input_is_an_error() {
        let err = CharLm::estimate(&Vec::<(&str, u64)>::new(), &NgramConfig::default());
        assert!(matches!(err, Err(Error::EmptyCorpus)));
    }

    #[test]
    fn bad_order_is_rejected() {
        let config = NgramConfig {
            order: 9,
            ..NgramConfig::default()
        };
        assert!(matches!(
            CharLm::estimate(WORDS, &config),
            Err(Error::InvalidOption {
                option: "--order",
                ..
            })
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn every_context_sums_to_one(
            words in prop::collection::vec(("[a-e]{1,7}", 1u64..50), 1..30),
            order in 2usize..7,
            min_count in 1u64..3,
            ctx in prop::collection::vec(0u8..12, 0..6),
        ) {
            let words: Vec<(&str, u64)> = words.iter().map(|(w, c)| (w.as_str(), *c)).collect();
            let lm = model(&words, order, min_count);
            // Contexts: every prefix of a training word, and an arbitrary symbol string
            // (symbols past the alphabet are clamped to UNK).
            let bound = lm.alphabet().symbol_bound() as u8;
            let mut arbitrary = vec![BOW];
            arbitrary.extend(ctx.iter().map(|&s| if (UNK..bound).contains(&s) { s } else { UNK }));
            let mut contexts = vec![arbitrary];
            for (w, _) in &words {
                let mut s = Vec::new();
                lm.alphabet().encode_word(w, &mut s);
                contexts.extend((1..s.len()).map(|i| s[..i].to_vec()));
            }
            for c in contexts {
                let total = sum_over_alphabet(&lm, &c);
                prop_assert!((total - 1.0).abs() < 1e-3, "context {:?} sums to {}", c, total);
            }
        }
    }
}
