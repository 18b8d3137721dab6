//! Candidate generation: every word within `max_distance` edits of a token, fast.
//!
//! [`crate::correct`] needs, for each flagged token, the lexicon words within a small
//! optimal-string-alignment distance ([`crate::edit`]) of it. Scanning a 100k–300k word
//! lexicon per token ([`WordTable::scan`]) costs milliseconds; this index answers in
//! microseconds.
//!
//! # Algorithm: symmetric deletes with a prefix (SymSpell)
//!
//! Idea: if `d(a, b) <= k` then deleting at most `k` characters from each gives a common
//! string (a substitution is a delete on both sides, an insertion a delete on one side, a
//! transposition one delete on each). So index, for every word, the strings obtained by
//! deleting up to `k` characters, and at query time look up the deletes of the token. Only
//! the first `prefix_chars` characters of each word take part: if `d(a, b) <= k`, the
//! prefixes of `a` and `b` also reach a common string with at most `k` deletes each (take
//! the common string of the whole words and cut it to the shorter of the two prefix
//! images), so the prefix trick loses no candidate, it only lets through more false ones,
//! which the OSA check removes.
//!
//! Layout: a delete is not stored, only a 64-bit hash of it, folded to a bucket of an
//! open table with a power-of-two number of buckets; `bucket_starts` / `ids` hold the word
//! ids of each bucket as one flat array (CSR). Hash collisions only add false candidates,
//! which verification removes, so the table needs no keys.
//!
//! Cost: building hashes `sum over words of C(p, <=k)` deletes (p = prefix length, 29 for
//! p = 7, k = 2); memory is 4 bytes per (delete, word) pair plus 4 bytes per bucket. A
//! query hashes the token's own prefix deletes (at most 29), reads those buckets, filters
//! by length and verifies the survivors with banded OSA.
//!
//! Weaknesses: short tokens hit crowded buckets (every word of three letters or fewer
//! shares the empty delete), so a two-letter token verifies a few thousand words; long
//! common prefixes ("inter...") do the same to a lesser degree. Memory grows linearly with
//! the lexicon: restrict the words indexed (by count, or to the most frequent) for big
//! lexicons. A larger `max_distance` at query time than at build time is not supported.
//!
//! Reference: W. Garbe, "1000x Faster Spelling Correction algorithm" (SymSpell), 2012,
//! <https://github.com/wolfgarbe/SymSpell>; the prefix optimisation is from the same work.

use std::hash::Hasher;

use rustc_hash::FxHasher;

use crate::edit::osa_distance_within;

/// The words corrections may propose, with their counts; ids are positions in this table.
///
/// Words are stored once, concatenated, with their lengths in `char`s so the length
/// filter of a query needs no decoding.
#[derive(Debug, Clone, Default)]
pub struct WordTable {
    text: String,
    offsets: Vec<u32>,
    counts: Vec<u64>,
    char_lens: Vec<u16>,
    total: u64,
}

impl WordTable {
    /// Builds a table from `(word, count)` pairs in any order; a repeated word keeps its
    /// largest count. Empty words, words longer than 65,535 characters and words that
    /// would push the table past 4 GiB are skipped. Ids follow bytewise word order.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, u64)>) -> WordTable {
        let mut pairs: Vec<(&str, u64)> = pairs.into_iter().collect();
        pairs.sort_unstable_by(|a, b| a.0.cmp(b.0).then(b.1.cmp(&a.1)));
        pairs.dedup_by(|later, first| later.0 == first.0);
        let mut t = WordTable {
            offsets: vec![0],
            ..WordTable::default()
        };
        for (w, c) in pairs {
            let chars = w.chars().count();
            if w.is_empty() || chars > usize::from(u16::MAX) {
                continue;
            }
            let Ok(end) = u32::try_from(t.text.len() + w.len()) else {
                break;
            };
            t.text.push_str(w);
            t.offsets.push(end);
            t.counts.push(c);
            t.char_lens.push(chars as u16);
            t.total = t.total.saturating_add(c);
        }
        t
    }

    /// The id of `word`, if the table has it (binary search).
    pub fn lookup(&self, word: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.word(mid as u32).cmp(word) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }

    /// Whether some word of the table starts with `prefix`.
    pub fn has_prefix(&self, prefix: &str) -> bool {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.word(mid as u32) < prefix {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo < self.len() && self.word(lo as u32).starts_with(prefix)
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// True if there are no words.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Sum of the counts.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Word `id`; `""` when out of range.
    pub fn word(&self, id: u32) -> &str {
        let i = id as usize;
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => self.text.get(a as usize..b as usize).unwrap_or(""),
            _ => "",
        }
    }

    /// Count of word `id`; 0 when out of range.
    pub fn count(&self, id: u32) -> u64 {
        self.counts.get(id as usize).copied().unwrap_or(0)
    }

    /// Length of word `id` in `char`s; 0 when out of range.
    pub fn char_len(&self, id: u32) -> usize {
        self.char_lens
            .get(id as usize)
            .map_or(0, |&n| usize::from(n))
    }

    /// Heap bytes used.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.offsets.capacity() * 4
            + self.counts.capacity() * 8
            + self.char_lens.capacity() * 2
    }

    /// The naive baseline: every word within `max_distance` of `query`, by scanning the
    /// whole table. Same output as [`DeleteIndex::candidates`]; kept for benchmarks and
    /// as the test oracle.
    pub fn scan(&self, query: &[char], max_distance: usize, out: &mut Vec<(u32, u8)>) {
        out.clear();
        let mut buf = Vec::new();
        for id in 0..self.len() as u32 {
            if self.char_len(id).abs_diff(query.len()) > max_distance {
                continue;
            }
            buf.clear();
            buf.extend(self.word(id).chars());
            if let Some(d) = osa_distance_within(query, &buf, max_distance) {
                out.push((id, d as u8));
            }
        }
    }
}

/// Options of a [`DeleteIndex`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexConfig {
    /// Largest distance queries may ask for.
    pub max_distance: usize,
    /// Characters of each word that take part in deletes (SymSpell's prefix length).
    pub prefix_chars: usize,
}

impl Default for IndexConfig {
    fn default() -> Self {
        IndexConfig {
            max_distance: 2,
            prefix_chars: 7,
        }
    }
}

/// A symmetric-delete index over a [`WordTable`]; see the module doc.
///
/// # Performance
///
/// For the 230k most common English words (k = 2, prefix 7) the index holds about 5.6
/// million (delete, word) pairs, about 30 MB, and builds in well under a second in a
/// release build; a query at distance 2 takes a few microseconds (see
/// `benches/correct.rs`).
#[derive(Debug, Clone)]
pub struct DeleteIndex {
    config: IndexConfig,
    mask: u64,
    bucket_starts: Vec<u32>,
    ids: Vec<u32>,
}

/// Hash of a sequence of chars.
#[inline]
fn hash_chars(chars: &[char]) -> u64 {
    let mut h = FxHasher::default();
    for &c in chars {
        h.write_u32(c as u32);
    }
    h.write_usize(chars.len());
    // FxHash's low bits are weak for short keys; mix before masking.
    let x = h.finish();
    (x ^ (x >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (x >> 32)
}

/// Calls `f` with every distinct string obtained by deleting at most `k` chars of `s`
/// (including `s` itself).
fn for_each_delete(s: &[char], k: usize, f: &mut impl FnMut(&[char])) {
    // Breadth-first over deletion levels; deduplicated per level with a sort, because
    // repeated letters ("ll") produce the same delete twice.
    f(s);
    let mut level: Vec<Vec<char>> = vec![s.to_vec()];
    for _ in 0..k {
        let mut next: Vec<Vec<char>> = Vec::new();
        for w in &level {
            for i in 0..w.len() {
                let mut d = Vec::with_capacity(w.len().saturating_sub(1));
                d.extend_from_slice(&w[..i]);
                d.extend_from_slice(&w[i + 1..]);
                next.push(d);
            }
        }
        next.sort_unstable();
        next.dedup();
        for d in &next {
            f(d);
        }
        level = next;
    }
}

impl DeleteIndex {
    /// Builds the index over all words of `table`.
    pub fn build(table: &WordTable, config: IndexConfig) -> DeleteIndex {
        let mut pairs: Vec<(u64, u32)> = Vec::with_capacity(table.len() * 24);
        let mut chars = Vec::new();
        for id in 0..table.len() as u32 {
            chars.clear();
            chars.extend(table.word(id).chars().take(config.prefix_chars));
            for_each_delete(&chars, config.max_distance, &mut |d| {
                pairs.push((hash_chars(d), id));
            });
        }
        let buckets = (pairs.len() / 2).next_power_of_two().max(1);
        let mask = buckets as u64 - 1;
        let mut bucket_starts = vec![0u32; buckets + 1];
        for &(h, _) in &pairs {
            bucket_starts[(h & mask) as usize + 1] += 1;
        }
        for b in 0..buckets {
            bucket_starts[b + 1] += bucket_starts[b];
        }
        let mut fill = bucket_starts.clone();
        let mut ids = vec![0u32; pairs.len()];
        for &(h, id) in &pairs {
            let b = (h & mask) as usize;
            ids[fill[b] as usize] = id;
            fill[b] += 1;
        }
        DeleteIndex {
            config,
            mask,
            bucket_starts,
            ids,
        }
    }

    /// The options it was built with.
    pub fn config(&self) -> IndexConfig {
        self.config
    }

    /// Heap bytes used.
    pub fn heap_bytes(&self) -> usize {
        (self.bucket_starts.capacity() + self.ids.capacity()) * 4
    }

    /// Number of (delete, word) pairs stored.
    pub fn pairs(&self) -> usize {
        self.ids.len()
    }

    /// Every word of `table` (which must be the table the index was built from) within
    /// `max_distance` of `query` (capped at the build-time maximum), as `(id, distance)`
    /// pairs sorted by id, written to `out`. `scratch` is reused between calls.
    pub fn candidates(
        &self,
        table: &WordTable,
        query: &[char],
        max_distance: usize,
        scratch: &mut QueryScratch,
        out: &mut Vec<(u32, u8)>,
    ) {
        out.clear();
        let k = max_distance.min(self.config.max_distance);
        let prefix = &query[..query.len().min(self.config.prefix_chars)];
        let seen = &mut scratch.seen;
        seen.clear();
        for_each_delete(prefix, k, &mut |d| {
            let b = (hash_chars(d) & self.mask) as usize;
            let (lo, hi) = (
                self.bucket_starts[b] as usize,
                self.bucket_starts[b + 1] as usize,
            );
            seen.extend_from_slice(&self.ids[lo..hi]);
        });
        seen.sort_unstable();
        seen.dedup();
        let buf = &mut scratch.word;
        for &id in seen.iter() {
            if table.char_len(id).abs_diff(query.len()) > k {
                continue;
            }
            buf.clear();
            buf.extend(table.word(id).chars());
            if let Some(d) = osa_distance_within(query, buf, k) {
                out.push((id, d as u8));
            }
        }
    }
}

/// Reusable buffers for [`DeleteIndex::candidates`].
#[derive(Debug, Default)]
pub struct QueryScratch {
    seen: Vec<u32>,
    word: Vec<char>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn table(words: &[&str]) -> WordTable {
        WordTable::from_pairs(words.iter().map(|w| (*w, 1)))
    }

    fn query(index: &DeleteIndex, t: &WordTable, q: &str, k: usize) -> Vec<String> {
        let q: Vec<char> = q.chars().collect();
        let mut out = Vec::new();
        index.candidates(t, &q, k, &mut QueryScratch::default(), &mut out);
        let mut words: Vec<String> = out.iter().map(|&(id, _)| t.word(id).to_string()).collect();
        words.sort();
        words
    }

    #[test]
    fn finds_words_within_distance() {
        let t = table(&[
            "receive", "recipe", "deceive", "relieve", "the", "then", "them",
        ]);
        let idx = DeleteIndex::build(&t, IndexConfig::default());
        assert_eq!(query(&idx, &t, "recieve", 1), vec!["receive", "relieve"]);
        assert_eq!(
            query(&idx, &t, "recieve", 2),
            vec!["deceive", "receive", "recipe", "relieve"]
        );
        assert_eq!(query(&idx, &t, "teh", 1), vec!["the"]);
        assert_eq!(query(&idx, &t, "teh", 2), vec!["the", "them", "then"]);
    }

    #[test]
    fn long_words_beyond_the_prefix() {
        // The edit is after the 7-char prefix: found through the prefix's own entry.
        let t = table(&["internationally", "international"]);
        let idx = DeleteIndex::build(&t, IndexConfig::default());
        assert_eq!(
            query(&idx, &t, "internationaly", 1),
            vec!["international", "internationally"]
        );
    }

    #[test]
    fn table_accessors_are_total() {
        let t = table(&["bc", "", "a", "bc"]);
        assert_eq!(t.len(), 2);
        assert_eq!(t.word(1), "bc");
        assert_eq!(t.lookup("bc"), Some(1));
        assert_eq!(t.lookup("b"), None);
        assert!(t.has_prefix("b"));
        assert!(t.has_prefix(""));
        assert!(!t.has_prefix("bcd"));
        assert!(!t.has_prefix("c"));
        assert_eq!(t.word(9), "");
        assert_eq!(t.count(9), 0);
        assert_eq!(t.char_len(9), 0);
    }

    fn word() -> impl Strategy<Value = String> {
        proptest::collection::vec(prop::sample::select(vec!['a', 'b', 'c', 'd', 'ö']), 0..11)
            .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn same_as_naive_scan(words in proptest::collection::vec(word(), 1..40), q in word(), k in 0usize..3, p in 3usize..8) {
            let t = WordTable::from_pairs(words.iter().map(|w| (w.as_str(), 1)));
            let idx = DeleteIndex::build(&t, IndexConfig { max_distance: 2, prefix_chars: p });
            let qc: Vec<char> = q.chars().collect();
            let mut fast = Vec::new();
            idx.candidates(&t, &qc, k, &mut QueryScratch::default(), &mut fast);
            let mut slow = Vec::new();
            t.scan(&qc, k, &mut slow);
            prop_assert_eq!(fast, slow);
        }
    }
}
