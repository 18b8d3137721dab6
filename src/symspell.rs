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
//! open table with a power-of-two number of buckets; `bucket_starts` / `ids` hold the
//! entries of each bucket as one flat array (CSR). Hash collisions only add false
//! candidates, which verification removes, so the table needs no keys. An entry is a
//! `u64`: the word id, its length, and either the word itself (up to four ASCII bytes) or
//! the set of its letters as a 32-bit mask. Reading a word from the table costs a cache
//! miss or two, which dominated queries; with the entry, most candidates are rejected by
//! length or letter set (one edit brings in at most one letter and takes out at most one)
//! or, if short, verified without touching the table. Verification prepares the token
//! once ([`OsaPattern`], Hyyrö's bit-parallel OSA) instead of filling a DP band per word:
//! short tokens verify hundreds of words each, and this halved the cost of a look-up on
//! the default model's lexicon. Ids are frequency ranks and each bucket is in id
//! order, so a query can stop at the `N` most frequent words
//! ([`DeleteIndex::candidates_below`]).
//!
//! Cost: building hashes `sum over words of C(p, <=k)` deletes (p = prefix length, 29 for
//! p = 7, k = 2); memory is 8 bytes per (delete, word) pair plus 4 bytes per bucket. A
//! query hashes the token's own prefix deletes (at most 29), reads those buckets, filters
//! by length and letters, and verifies the survivors with bit-parallel OSA (about fifteen
//! word operations per letter of the candidate).
//!
//! Weaknesses: short tokens hit crowded buckets (every word of three letters or fewer
//! shares the empty delete) and have genuinely many neighbours (a three-letter token has
//! hundreds of words within two edits), so their queries are output-bound; long common
//! prefixes ("inter...") crowd buckets to a lesser degree. Memory grows linearly with the
//! lexicon: restrict the words indexed (by count, or to the most frequent) for big
//! lexicons. A larger `max_distance` at query time than at build time is not supported.
//!
//! Reference: W. Garbe, "1000x Faster Spelling Correction algorithm" (SymSpell), 2012,
//! <https://github.com/wolfgarbe/SymSpell>; the prefix optimisation is from the same work.

use std::hash::Hasher;

use rustc_hash::FxHasher;

use crate::edit::{letter_mask, masks_within, osa_distance_within, OsaPattern};

/// The words corrections may propose, with their counts.
///
/// Ids are frequency ranks: id 0 is the most frequent word (ties broken bytewise), so
/// "the N most frequent words" is the id range `0..N` and the words most often proposed
/// sit together in memory. Words are stored once, concatenated, with their lengths in
/// `char`s so the length filter of a query needs no decoding; `by_word` lists the ids in
/// bytewise order for look-ups by text.
#[derive(Debug, Clone, Default)]
pub struct WordTable {
    text: String,
    offsets: Vec<u32>,
    counts: Vec<u64>,
    char_lens: Vec<u16>,
    by_word: Vec<u32>,
    /// Open-addressing hash table of ids (`EMPTY` = free), for exact look-ups.
    slots: Vec<u32>,
    total: u64,
}

impl WordTable {
    /// Builds a table from `(word, count)` pairs in any order; a repeated word keeps its
    /// largest count. Empty words, words longer than 65,535 characters and words that
    /// would push the table past 4 GiB are skipped.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, u64)>) -> WordTable {
        let mut pairs: Vec<(&str, u64)> = pairs
            .into_iter()
            .filter(|(w, _)| !w.is_empty() && w.len() <= usize::from(u16::MAX))
            .collect();
        // Input from a lexicon is already in word order; sort only if it isn't.
        if !pairs.windows(2).all(|p| p[0].0 <= p[1].0) {
            pairs.sort_unstable_by(|a, b| a.0.cmp(b.0).then(b.1.cmp(&a.1)));
        } else {
            // Equal words are adjacent; put the largest count first for `dedup_by`.
            pairs.sort_by(|a, b| a.0.cmp(b.0).then(b.1.cmp(&a.1)));
        }
        pairs.dedup_by(|later, first| later.0 == first.0);
        // `pairs` is in word order; ids are ranks by count (ties in word order), so the
        // word-order list of ids is the inverse permutation: no string comparisons.
        let mut order: Vec<u32> = (0..pairs.len() as u32).collect();
        order.sort_by(|&a, &b| {
            pairs[b as usize]
                .1
                .cmp(&pairs[a as usize].1)
                .then(a.cmp(&b))
        });
        let mut t = WordTable {
            offsets: vec![0],
            ..WordTable::default()
        };
        let mut kept = vec![u32::MAX; pairs.len()];
        for &i in &order {
            let (w, c) = pairs[i as usize];
            let Ok(end) = u32::try_from(t.text.len() + w.len()) else {
                break;
            };
            kept[i as usize] = t.counts.len() as u32;
            t.text.push_str(w);
            t.offsets.push(end);
            t.counts.push(c);
            t.char_lens.push(w.chars().count() as u16);
            t.total = t.total.saturating_add(c);
        }
        t.by_word = kept.into_iter().filter(|&id| id != u32::MAX).collect();
        let n = (2 * t.len()).next_power_of_two().max(16);
        t.slots = vec![EMPTY; n];
        for id in 0..t.len() as u32 {
            let mut slot = word_hash(t.word(id)) as usize & (n - 1);
            while t.slots[slot] != EMPTY {
                slot = (slot + 1) & (n - 1);
            }
            t.slots[slot] = id;
        }
        t
    }

    /// Position in `by_word` of the first word `>= key`.
    fn lower_bound(&self, key: &str) -> usize {
        self.by_word.partition_point(|&id| self.word(id) < key)
    }

    /// The id of `word`, if the table has it (a hash look-up).
    pub fn lookup(&self, word: &str) -> Option<u32> {
        let n = self.slots.len();
        if n == 0 {
            return None;
        }
        let mut slot = word_hash(word) as usize & (n - 1);
        loop {
            match self.slots[slot] {
                EMPTY => return None,
                id if self.word(id) == word => return Some(id),
                _ => slot = (slot + 1) & (n - 1),
            }
        }
    }

    /// Whether some word of the table starts with `prefix`.
    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.by_word
            .get(self.lower_bound(prefix))
            .is_some_and(|&id| self.word(id).starts_with(prefix))
    }

    /// Number of words with a count of at least `min_count` (they are ids
    /// `0..count_at_least(min_count)`).
    pub fn count_at_least(&self, min_count: u64) -> usize {
        self.counts.partition_point(|&c| c >= min_count)
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
            + (self.by_word.capacity() + self.slots.capacity()) * 4
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
    /// Largest distance queries may ask for (at most 3; larger values act as 3).
    pub max_distance: usize,
    /// Characters of each word that take part in deletes (SymSpell's prefix length, at
    /// most 64; larger values act as 64).
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

/// A symmetric-delete index over a [`WordTable`]; see the module doc. Only the first
/// [`MAX_INDEXED_WORDS`] words of the table are indexed.
///
/// # Performance
///
/// For the 235k words of the default English model (k = 2, prefix 7) the index holds
/// about 6.0 million (delete, word) entries in 64 MB and builds in under a second in a
/// release build (hashing runs in parallel with rayon; the result does not depend on the
/// number of threads). A look-up at distance 2 takes 10 to 40 microseconds for
/// words of six letters or more and a few hundred for two- or three-letter tokens, which
/// have hundreds of words within two edits (`benches/correct.rs`,
/// `examples/misspellings.rs`).
#[derive(Debug, Clone)]
pub struct DeleteIndex {
    config: IndexConfig,
    mask: u64,
    bucket_starts: Vec<u32>,
    /// [`Entry`]s packed as `u64`.
    ids: Vec<u64>,
}

/// `n` choose `k`.
fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1, |acc, i| acc * (n - i) / (i + 1))
}

/// Hash of a word for [`WordTable::lookup`].
fn word_hash(word: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(word.as_bytes());
    finish(&h)
}

/// Mixes a 64-bit hash so its low bits (used as the bucket) depend on all input bits.
#[inline]
fn finish(h: &FxHasher) -> u64 {
    let x = h.finish();
    (x ^ (x >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (x >> 32)
}

/// Hashes of every string obtained by deleting at most `k` (at most 3) chars of `s`,
/// including `s` itself, sorted and deduplicated (repeated letters such as "ll" give the
/// same delete more than once). `s` must be at most 64 chars long.
fn delete_hashes(s: &[char], k: usize, out: &mut Vec<u64>) {
    out.clear();
    let n = s.len().min(64);
    let hash_without = |mask: u64| {
        let mut h = FxHasher::default();
        let mut len = 0usize;
        for (i, &c) in s[..n].iter().enumerate() {
            if mask & (1 << i) == 0 {
                h.write_u32(c as u32);
                len += 1;
            }
        }
        h.write_usize(len);
        finish(&h)
    };
    out.push(hash_without(0));
    if k >= 1 {
        for i in 0..n {
            out.push(hash_without(1 << i));
            if k >= 2 {
                for j in i + 1..n {
                    out.push(hash_without(1 << i | 1 << j));
                    if k >= 3 {
                        for l in j + 1..n {
                            out.push(hash_without(1 << i | 1 << j | 1 << l));
                        }
                    }
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
}

impl DeleteIndex {
    /// Builds the index over all words of `table`.
    pub fn build(table: &WordTable, config: IndexConfig) -> DeleteIndex {
        use rayon::prelude::*;
        let config = IndexConfig {
            max_distance: config.max_distance.min(3),
            prefix_chars: config.prefix_chars.min(64),
        };
        let n = table.len().min(MAX_INDEXED_WORDS);
        // Buckets for about two entries each: the number of deletes of a full prefix,
        // sum over i <= k of C(p, i), is an upper bound per word.
        let per_word: usize = (0..=config.max_distance)
            .map(|i| binomial(config.prefix_chars, i))
            .sum();
        let buckets = (n * per_word / 2).next_power_of_two().max(1);
        let mask = buckets as u64 - 1;
        // (bucket, id) pairs, hashed in parallel chunks and concatenated in id order, so
        // the index is the same whatever the number of threads.
        const CHUNK: usize = 4096;
        let chunks: Vec<Vec<(u32, u32)>> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut out = Vec::with_capacity(CHUNK * per_word / 2);
                let mut chars = Vec::new();
                let mut hashes = Vec::new();
                for id in (c * CHUNK) as u32..((c + 1) * CHUNK).min(n) as u32 {
                    chars.clear();
                    chars.extend(table.word(id).chars().take(config.prefix_chars));
                    delete_hashes(&chars, config.max_distance, &mut hashes);
                    out.extend(hashes.iter().map(|&h| ((h & mask) as u32, id)));
                }
                out
            })
            .collect();
        let mut bucket_starts = vec![0u32; buckets + 1];
        for &(b, _) in chunks.iter().flatten() {
            bucket_starts[b as usize + 1] += 1;
        }
        for b in 0..buckets {
            bucket_starts[b + 1] += bucket_starts[b];
        }
        let entries: Vec<u64> = (0..n as u32)
            .into_par_iter()
            .map(|id| Entry::pack(id, table.word(id), table.char_len(id)))
            .collect();
        let mut fill = bucket_starts.clone();
        let mut ids = vec![0u64; bucket_starts[buckets] as usize];
        for &(b, id) in chunks.iter().flatten() {
            ids[fill[b as usize] as usize] = entries[id as usize];
            fill[b as usize] += 1;
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
        self.bucket_starts.capacity() * 4 + self.ids.capacity() * 8
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
        self.candidates_below(table, query, max_distance, u32::MAX, scratch, out);
    }

    /// [`DeleteIndex::candidates`] restricted to ids below `max_id`, i.e. to the `max_id`
    /// most frequent words. Cheaper than filtering afterwards: bucket entries are in id
    /// order, so each bucket is read only up to `max_id`.
    pub fn candidates_below(
        &self,
        table: &WordTable,
        query: &[char],
        max_distance: usize,
        max_id: u32,
        scratch: &mut QueryScratch,
        out: &mut Vec<(u32, u8)>,
    ) {
        out.clear();
        let k = max_distance.min(self.config.max_distance);
        let prefix = &query[..query.len().min(self.config.prefix_chars)];
        let ascii = query.iter().all(char::is_ascii);
        let query_mask = letter_mask(query.iter().copied());
        scratch.query_bytes.clear();
        if ascii {
            scratch.query_bytes.extend(query.iter().map(|&c| c as u8));
        }
        let QueryScratch {
            seen,
            word,
            query_bytes,
            hashes,
            ranges,
            pattern,
        } = scratch;
        let bit_parallel = pattern.set(query);
        delete_hashes(prefix, k, hashes);
        ranges.clear();
        let mut visits = 0;
        for &h in hashes.iter() {
            let b = (h & self.mask) as usize;
            let (lo, hi) = (
                self.bucket_starts[b] as usize,
                self.bucket_starts[b + 1] as usize,
            );
            ranges.push((lo, hi));
            visits += hi - lo;
        }
        // Deduplicate ids with a small open-addressing set sized for this query, which
        // stays in cache (a short token can visit tens of thousands of mostly repeated
        // ids; a per-word stamp array would miss the cache on each).
        let slots = (2 * visits).next_power_of_two().max(16);
        seen.clear();
        seen.resize(slots, EMPTY);
        let slot_mask = slots - 1;
        for &(lo, hi) in ranges.iter() {
            for &entry in &self.ids[lo..hi] {
                let e = Entry::unpack(entry);
                if e.id >= max_id {
                    break;
                }
                let len = if e.len == LEN_SATURATED {
                    table.char_len(e.id)
                } else {
                    e.len as usize
                };
                if len.abs_diff(query.len()) > k {
                    continue;
                }
                let mask = if e.inline {
                    letter_mask(e.bytes()[..len].iter().map(|&b| char::from(b)))
                } else {
                    e.high
                };
                if !masks_within(mask, query_mask, k) {
                    continue;
                }
                let id = e.id;
                let mut slot = (id.wrapping_mul(0x9e37_79b9) >> 7) as usize & slot_mask;
                let fresh = loop {
                    match seen[slot] {
                        EMPTY => {
                            seen[slot] = id;
                            break true;
                        }
                        x if x == id => break false,
                        _ => slot = (slot + 1) & slot_mask,
                    }
                };
                if !fresh {
                    continue;
                }
                let d = if bit_parallel {
                    let d = if e.inline {
                        pattern.distance_ascii(&e.bytes()[..len])
                    } else {
                        let w = table.word(id);
                        if w.len() == len {
                            pattern.distance_ascii(w.as_bytes())
                        } else {
                            pattern.distance(w.chars())
                        }
                    };
                    (d <= k).then_some(d)
                } else if e.inline {
                    // Inline words are ASCII, so a non-ASCII query differs in every
                    // non-ASCII char: compare chars.
                    let bytes = e.bytes();
                    if ascii {
                        osa_distance_within(query_bytes, &bytes[..len], k)
                    } else {
                        word.clear();
                        word.extend(bytes[..len].iter().map(|&b| char::from(b)));
                        osa_distance_within(query, word, k)
                    }
                } else {
                    let w = table.word(id);
                    if ascii && w.len() == len {
                        osa_distance_within(query_bytes, w.as_bytes(), k)
                    } else {
                        word.clear();
                        word.extend(w.chars());
                        osa_distance_within(query, word, k)
                    }
                };
                if let Some(d) = d {
                    out.push((id, d as u8));
                }
            }
        }
        out.sort_unstable();
    }
}

/// An index entry: a word id and what the filters need to know about the word without
/// reading it from the table (which costs a cache miss or two per word).
///
/// Packed in a `u64`: id in the low 24 bits; then 7 bits of length in chars (saturated at
/// 127) and an "inline" flag; then 32 bits that hold the word itself (up to 4 ASCII
/// bytes, zero-padded) when inline, else its [`letter_mask`]. Short tokens are verified
/// against thousands of short words, and inlining them avoids reading the table at all.
struct Entry {
    id: u32,
    len: u32,
    inline: bool,
    high: u32,
}

impl Entry {
    fn pack(id: u32, word: &str, len: usize) -> u64 {
        let (inline, high) = if word.is_ascii() && word.len() <= 4 {
            let mut b = [0u8; 4];
            b[..word.len()].copy_from_slice(word.as_bytes());
            (true, u32::from_le_bytes(b))
        } else {
            (false, letter_mask(word.chars()))
        };
        let len = len.min(LEN_SATURATED as usize) as u64 | u64::from(inline) << 7;
        u64::from(id & ID_MASK) | len << ID_BITS | u64::from(high) << 32
    }

    #[inline]
    fn unpack(x: u64) -> Entry {
        let len = (x >> ID_BITS) as u32 & 0xff;
        Entry {
            id: (x as u32) & ID_MASK,
            len: len & 0x7f,
            inline: len & 0x80 != 0,
            high: (x >> 32) as u32,
        }
    }

    /// The inline word's bytes (meaningful only if `inline`).
    #[inline]
    fn bytes(&self) -> [u8; 4] {
        self.high.to_le_bytes()
    }
}

const ID_BITS: u32 = 24;
const ID_MASK: u32 = (1 << ID_BITS) - 1;
const LEN_SATURATED: u32 = 127;
/// Words beyond this many (16.7 million) are not indexed.
pub const MAX_INDEXED_WORDS: usize = 1 << ID_BITS;
/// An empty slot of the per-query id set.
const EMPTY: u32 = u32::MAX;

/// Reusable buffers for [`DeleteIndex::candidates`].
#[derive(Debug, Default)]
pub struct QueryScratch {
    seen: Vec<u32>,
    word: Vec<char>,
    query_bytes: Vec<u8>,
    hashes: Vec<u64>,
    ranges: Vec<(usize, usize)>,
    /// The query prepared for bit-parallel verification.
    pattern: OsaPattern,
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
        let t = WordTable::from_pairs([("bc", 1), ("", 9), ("a", 5), ("bc", 2)]);
        assert_eq!(t.len(), 2);
        assert_eq!(t.word(1), "bc");
        assert_eq!(t.count(1), 2);
        assert_eq!(t.count_at_least(2), 2);
        assert_eq!(t.count_at_least(3), 1);
        assert_eq!(t.lookup("bc"), Some(1));
        assert_eq!(t.lookup("a"), Some(0));
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
        fn table_lookups_agree_with_the_pairs(
            pairs in proptest::collection::vec(("[a-cé]{0,5}", 0u64..5), 0..40),
            probe in "[a-cé]{0,5}",
        ) {
            let t = WordTable::from_pairs(pairs.iter().map(|(w, c)| (w.as_str(), *c)));
            let mut best: std::collections::BTreeMap<&str, u64> = Default::default();
            for (w, c) in pairs.iter().filter(|(w, _)| !w.is_empty()) {
                let e = best.entry(w.as_str()).or_insert(0);
                *e = (*e).max(*c);
            }
            prop_assert_eq!(t.len(), best.len());
            for (w, c) in &best {
                let id = t.lookup(w);
                prop_assert!(id.is_some());
                prop_assert_eq!(t.count(id.unwrap_or(0)), *c);
            }
            // Ids are ranks: counts never increase with the id.
            prop_assert!((1..t.len() as u32).all(|id| t.count(id - 1) >= t.count(id)));
            prop_assert_eq!(t.lookup(&probe).is_some(), best.contains_key(probe.as_str()));
            prop_assert_eq!(t.has_prefix(&probe), best.keys().any(|w| w.starts_with(probe.as_str())));
        }

        #[test]
        fn same_as_naive_scan(words in proptest::collection::vec(word(), 1..40), q in word(), k in 0usize..3, p in 3usize..8) {
            let t = WordTable::from_pairs(words.iter().map(|w| (w.as_str(), 1)));
            let idx = DeleteIndex::build(&t, IndexConfig { max_distance: 2, prefix_chars: p });
            let qc: Vec<char> = q.chars().collect();
            let mut fast = Vec::new();
            idx.candidates(&t, &qc, k, &mut QueryScratch::default(), &mut fast);
            let mut slow = Vec::new();
            t.scan(&qc, k, &mut slow);
            prop_assert_eq!(&fast, &slow);
            let below = t.len() as u32 / 2;
            idx.candidates_below(&t, &qc, k, below, &mut QueryScratch::default(), &mut fast);
            slow.retain(|&(id, _)| id < below);
            prop_assert_eq!(fast, slow);
        }
    }
}
