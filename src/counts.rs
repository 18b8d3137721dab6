//! Word counts: what training counts, what shards carry, what the lexicon is built from.
//!
//! Training is a map-reduce over word types. The map step turns text into a
//! [`Counter`] (case-folded word → occurrences); the reduce step adds counters. Because
//! addition is commutative, the result does not depend on how the input was split into
//! chunks, threads or shards, which is what makes `--jobs`, `garbled merge` and
//! `garbled train --base` produce byte-identical models. The frozen, sorted form is
//! [`WordCounts`].

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::tokenize;

/// Case-folds a word the way the lexicon and the character model see it: Unicode
/// lowercase, with the typographic apostrophe (U+2019) written as `'`.
pub fn fold_case(word: &str) -> Cow<'_, str> {
    if !needs_folding(word) {
        return Cow::Borrowed(word);
    }
    let mut out = String::with_capacity(word.len());
    fold_case_into(word, &mut out);
    if out == word {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(out)
    }
}

/// Whether [`fold_case`] might change `word` (an ASCII capital or any non-ASCII byte).
#[inline]
fn needs_folding(word: &str) -> bool {
    word.bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
}

/// Appends the folded form of `word` to `out`.
fn fold_case_into(word: &str, out: &mut String) {
    for c in word.chars() {
        if c == '\u{2019}' {
            out.push('\'');
        } else if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a (64-bit) of a byte stream: a hash that stays the same across Rust releases
/// (std's hashers are not guaranteed to), for seeds and other reproducible choices.
pub(crate) fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    fnv1a_from(FNV_OFFSET, bytes)
}

/// [`fnv1a`] of a stream that goes on from one whose hash was `hash`.
pub(crate) fn fnv1a_from(hash: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(hash, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// A mutable word → count table used while counting.
///
/// Counting is a hash look-up per token, so the table is laid out for it: a word of up
/// to 16 bytes (nearly every English word) is packed into its own 128-bit key, so a
/// look-up compares integers and never follows a pointer to the word's bytes; longer
/// words go to a second table keyed by string. Folding uses a scratch buffer, so
/// counting a capitalised word allocates nothing.
#[derive(Debug, Default, Clone)]
pub struct Counter {
    short: FxHashMap<u128, u64>,
    long: FxHashMap<Box<str>, u64>,
    scratch: String,
    tokens: u64,
}

/// `word` as a 128-bit key: its bytes, zero-padded. `None` if it is longer than 16
/// bytes or holds a NUL byte (which the padding could not tell apart).
#[inline]
fn pack(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    if bytes.len() > 16 || bytes.contains(&0) {
        return None;
    }
    let mut key = [0u8; 16];
    key[..bytes.len()].copy_from_slice(bytes);
    Some(u128::from_le_bytes(key))
}

/// The word a [`pack`]ed key holds.
fn unpack(key: u128) -> String {
    let bytes = key.to_le_bytes();
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    // The bytes were a whole `&str`, so they are valid UTF-8.
    String::from_utf8_lossy(&bytes[..len]).into_owned()
}

impl Counter {
    /// An empty counter.
    pub fn new() -> Counter {
        Counter::default()
    }

    /// Adds `count` occurrences of one word (folded here).
    #[inline]
    pub fn add(&mut self, word: &str, count: u64) {
        let Counter {
            short,
            long,
            scratch,
            tokens,
        } = self;
        *tokens += count;
        let folded = if needs_folding(word) {
            scratch.clear();
            fold_case_into(word, scratch);
            scratch.as_str()
        } else {
            word
        };
        if let Some(key) = pack(folded) {
            *short.entry(key).or_default() += count;
        } else if let Some(c) = long.get_mut(folded) {
            *c += count;
        } else {
            long.insert(folded.into(), count);
        }
    }

    /// Counts every word of running text (same segmentation as the scorer).
    pub fn add_text(&mut self, text: &str) {
        tokenize::for_each_word(text, |w| self.add(w, 1));
    }

    /// Adds another counter into this one.
    pub fn merge(&mut self, mut other: Counter) {
        if other.short.len() + other.long.len() > self.short.len() + self.long.len() {
            std::mem::swap(self, &mut other);
        }
        self.tokens += other.tokens;
        for (k, c) in other.short {
            *self.short.entry(k).or_default() += c;
        }
        for (w, c) in other.long {
            *self.long.entry(w).or_default() += c;
        }
    }

    /// Word tokens counted so far.
    pub fn tokens(&self) -> u64 {
        self.tokens
    }

    /// Freezes into sorted counts, each multiplied by `weight` (rounded; a word that was
    /// seen keeps a count of at least 1).
    pub fn freeze(self, weight: f64) -> WordCounts {
        self.into_sorted().scaled(weight)
    }

    /// Freezes into sorted counts as they are (sorted on the calling thread, so several
    /// counters can be frozen side by side).
    pub fn into_sorted(self) -> WordCounts {
        let mut words: Vec<(String, u64)> = Vec::with_capacity(self.short.len() + self.long.len());
        words.extend(self.short.into_iter().map(|(k, c)| (unpack(k), c)));
        words.extend(self.long.into_iter().map(|(w, c)| (w.into_string(), c)));
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        WordCounts {
            words,
            tokens: self.tokens,
        }
    }
}

/// Sorted, deduplicated word counts.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordCounts {
    words: Vec<(String, u64)>,
    tokens: u64,
}

impl WordCounts {
    /// Builds from pairs in any order; repeated words are added.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, u64)>) -> WordCounts {
        let mut counter = Counter::new();
        for (w, c) in pairs {
            counter.add(&w, c);
        }
        counter.freeze(1.0)
    }

    /// Wraps pairs that are already sorted by word and free of repeats (as read back
    /// from a lexicon).
    pub(crate) fn from_sorted_unchecked(words: Vec<(String, u64)>) -> WordCounts {
        debug_assert!(words.windows(2).all(|p| p[0].0 < p[1].0));
        let tokens = words.iter().map(|&(_, c)| c).sum();
        WordCounts { words, tokens }
    }

    /// Adds `other` into `self` (a sorted merge; the sum of two shards).
    pub fn merge(&mut self, other: &WordCounts) {
        self.merge_sorted(other.words.iter().cloned(), other.words.len(), other.tokens);
    }

    /// [`WordCounts::merge`] taking `other` by value: its words are moved, not copied.
    pub fn merge_owned(&mut self, other: WordCounts) {
        if self.words.is_empty() {
            let tokens = self.tokens;
            *self = other;
            self.tokens += tokens;
            return;
        }
        let (len, tokens) = (other.words.len(), other.tokens);
        self.merge_sorted(other.words.into_iter(), len, tokens);
    }

    /// Merges the sorted, repeat-free `other` (of `len` words and `tokens` tokens) into
    /// `self`, adding the counts of shared words.
    fn merge_sorted(
        &mut self,
        other: impl Iterator<Item = (String, u64)>,
        len: usize,
        tokens: u64,
    ) {
        let mut merged = Vec::with_capacity(self.words.len().max(len));
        let mut a = std::mem::take(&mut self.words).into_iter().peekable();
        let mut b = other.peekable();
        loop {
            match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => match x.0.as_str().cmp(y.0.as_str()) {
                    std::cmp::Ordering::Less => merged.extend(a.next()),
                    std::cmp::Ordering::Greater => merged.extend(b.next()),
                    std::cmp::Ordering::Equal => {
                        let (w, c) = a.next().expect("peeked");
                        let (_, d) = b.next().expect("peeked");
                        merged.push((w, c + d));
                    }
                },
                (Some(_), None) => merged.extend(a.by_ref()),
                (None, Some(_)) => merged.extend(b.by_ref()),
                (None, None) => break,
            }
        }
        self.words = merged;
        self.tokens += tokens;
    }

    /// Every count multiplied by `weight` (rounded; a word that was seen keeps a count of
    /// at least 1).
    pub fn scaled(mut self, weight: f64) -> WordCounts {
        if weight != 1.0 {
            for (_, c) in &mut self.words {
                *c = ((*c as f64 * weight).round() as u64).max(1);
            }
            self.tokens = self.words.iter().map(|&(_, c)| c).sum();
        }
        self
    }

    /// Drops words seen fewer than `min_count` times.
    pub fn prune(&mut self, min_count: u64) {
        self.words.retain(|&(_, c)| c >= min_count);
        self.tokens = self.words.iter().map(|&(_, c)| c).sum();
    }

    /// The count of a (folded) word.
    pub fn get(&self, word: &str) -> Option<u64> {
        self.words
            .binary_search_by(|(w, _)| w.as_str().cmp(word))
            .ok()
            .map(|i| self.words[i].1)
    }

    /// The words and counts, sorted by word.
    pub fn as_slice(&self) -> &[(String, u64)] {
        &self.words
    }

    /// Number of distinct words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when no word was counted.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Sum of all counts.
    pub fn tokens(&self) -> u64 {
        self.tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_lowercases_and_normalises_apostrophes() {
        assert_eq!(fold_case("the"), "the");
        assert!(matches!(fold_case("the"), Cow::Borrowed(_)));
        assert_eq!(fold_case("Russia\u{2019}s"), "russia's");
        assert_eq!(fold_case("ÉCOLE"), "école");
        assert_eq!(fold_case("ΣΟΦΙΑ"), "σοφια");
    }

    #[test]
    fn counting_text_folds_case() {
        let mut c = Counter::new();
        c.add_text("The cat saw the other cat.");
        let w = c.freeze(1.0);
        assert_eq!(w.get("the"), Some(2));
        assert_eq!(w.get("cat"), Some(2));
        assert_eq!(w.tokens(), 6);
    }

    #[test]
    fn short_and_long_words_count_alike() {
        // 16 bytes fit a packed key, 17 do not; a NUL byte and non-ASCII letters too.
        let words = [
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "a\0b",
            "naïve",
            "",
            "Ünïcödé-ünïcödé-ünïcödé",
        ];
        let mut c = Counter::new();
        for (i, w) in words.iter().enumerate() {
            c.add(w, i as u64 + 1);
        }
        c.add("ABCDEFGHIJKLMNOP", 10);
        c.add("ABCDEFGHIJKLMNOPQ", 20);
        let w = c.into_sorted();
        assert_eq!(w.get("abcdefghijklmnop"), Some(11));
        assert_eq!(w.get("abcdefghijklmnopq"), Some(22));
        assert_eq!(w.get("a\0b"), Some(3));
        assert_eq!(w.get("naïve"), Some(4));
        assert_eq!(w.get(""), Some(5));
        assert_eq!(w.get("ünïcödé-ünïcödé-ünïcödé"), Some(6));
        assert_eq!(w.len(), 6);
        assert_eq!(w.tokens(), 51);
        for (k, word) in ["", "a", "abcdefghijklmnop", "naïve"].iter().enumerate() {
            assert_eq!(pack(word).map(unpack).as_deref(), Some(*word), "case {k}");
        }
        assert_eq!(pack("abcdefghijklmnopq"), None);
        assert_eq!(pack("a\0"), None);
    }

    #[test]
    fn merge_equals_counting_everything_at_once() {
        let mut a = Counter::new();
        a.add_text("alpha beta beta");
        let mut b = Counter::new();
        b.add_text("beta gamma");
        let mut all = Counter::new();
        all.add_text("alpha beta beta beta gamma");

        let mut merged = a.clone().freeze(1.0);
        merged.merge(&b.clone().freeze(1.0));
        assert_eq!(merged, all.clone().freeze(1.0));
        // By value, into an empty or a non-empty list.
        let mut owned = WordCounts::default();
        owned.merge_owned(a.clone().into_sorted());
        owned.merge_owned(b.clone().into_sorted());
        assert_eq!(owned, merged);
        assert_eq!(owned.tokens(), 5);

        a.merge(b);
        assert_eq!(a.freeze(1.0), all.freeze(1.0));
    }

    #[test]
    fn weights_scale_counts_and_keep_seen_words() {
        let mut c = Counter::new();
        c.add("x", 3);
        c.add("y", 1);
        let w = c.freeze(0.2);
        assert_eq!(w.get("x"), Some(1));
        assert_eq!(w.get("y"), Some(1));
        let mut c = Counter::new();
        c.add("x", 3);
        assert_eq!(c.freeze(2.5).get("x"), Some(8));
        // Scaling after a merge scales the sums, not the parts.
        let mut one = WordCounts::from_pairs([("x".into(), 1)]);
        one.merge_owned(WordCounts::from_pairs([("x".into(), 1)]));
        let w = one.scaled(0.75);
        assert_eq!((w.get("x"), w.tokens()), (Some(2), 2));
    }

    #[test]
    fn prune_drops_rare_words() {
        let mut w = WordCounts::from_pairs([("a".into(), 5), ("b".into(), 1)]);
        w.prune(2);
        assert_eq!(w.len(), 1);
        assert_eq!(w.tokens(), 5);
    }
}
