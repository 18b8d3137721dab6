//! A compact synonym table: headword -> synonyms, and the inverse, synonym -> headwords.
//!
//! Article spinners replace words (or pieces of words) by thesaurus synonyms. The detector
//! asks "which word could this token have replaced?" (the inverse, [`Thesaurus::sources`]),
//! and the corruption generator (`corrupt`) asks "what could a spinner put here?"
//! ([`Thesaurus::synonyms`]). The table is loaded from a TSV file, packed into the model file
//! with bincode, and queried per token, so it is stored as flat arrays rather than maps.
//!
//! # Layout
//!
//! Every distinct word (headword or synonym) is stored once in a string table sorted bytewise:
//! `words` is their concatenation and `word_offsets[i]..word_offsets[i + 1]` is word `i`'s
//! byte range. Word ids are positions in that order, so a lookup is a binary search.
//! `syn_offsets[i]..syn_offsets[i + 1]` is the range of `syn_ids` holding word `i`'s synonyms
//! in the order the source listed them (empty if `i` is not a headword).
//!
//! The inverse index (`src_offsets` / `src_ids`, same shape, headwords ascending) is built
//! whenever a table is constructed, including on deserialization, and is not serialized.
//! It takes one `u32` per pair plus one per word, and building it is a linear counting pass
//! (milliseconds for a 100k-headword thesaurus), so storing it would only make the model file
//! bigger and give a corrupt file a way to disagree with itself. Building it eagerly rather
//! than lazily keeps the table immutable and `Sync` with no first-query latency in the
//! detector's hot path. Deserialization also checks every offset and id, so a corrupt model
//! file fails to load instead of panicking later.
//!
//! # Inflected swaps
//!
//! A thesaurus lists lemmas ("sanction"), and a spinner that meets "sanctions" looks up
//! the stem and writes the synonym's plural: "endorsements". [`Thesaurus::spins`] gives
//! what a spinner may write for a word, its own synonyms and those of its stems spelt
//! with its suffix ([`crate::morphology`]), and [`Thesaurus::spun_from`] the inverse.
//! Only spellings a word list knows are kept, so the caller passes one.
//!
//! # Normalization
//!
//! Words are case-folded (Unicode lowercase) and trimmed, like the lexicon. A headword's
//! synonyms are deduplicated keeping the first occurrence, a word listed as its own synonym is
//! dropped, and repeated headword lines are merged in file order. A headword left with no
//! synonyms is not stored.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A synonym table with forward (headword -> synonyms) and inverse (synonym -> headwords)
/// lookups.
///
/// # Performance
///
/// Lookups binary-search a sorted string table: `O(log n)` string comparisons, no hashing,
/// no allocation. Iterators borrow the table. Memory is the distinct words' bytes plus
/// 4 bytes per word for each of three offset arrays and 8 bytes per (headword, synonym) pair.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "ThesaurusRepr")]
pub struct Thesaurus {
    words: String,
    word_offsets: Vec<u32>,
    syn_offsets: Vec<u32>,
    syn_ids: Vec<u32>,
    src_offsets: Vec<u32>,
    src_ids: Vec<u32>,
    headword_count: usize,
}

/// The serialized form: the forward table only (see the module doc).
#[derive(Deserialize)]
struct ThesaurusRepr {
    words: String,
    word_offsets: Vec<u32>,
    syn_offsets: Vec<u32>,
    syn_ids: Vec<u32>,
}

/// Borrowed twin of [`ThesaurusRepr`], so serializing doesn't clone the table.
/// Field names and order must match `ThesaurusRepr`.
#[derive(Serialize)]
struct ThesaurusReprRef<'a> {
    words: &'a str,
    word_offsets: &'a [u32],
    syn_offsets: &'a [u32],
    syn_ids: &'a [u32],
}

impl Serialize for Thesaurus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ThesaurusReprRef {
            words: &self.words,
            word_offsets: &self.word_offsets,
            syn_offsets: &self.syn_offsets,
            syn_ids: &self.syn_ids,
        }
        .serialize(serializer)
    }
}

impl TryFrom<ThesaurusRepr> for Thesaurus {
    type Error = String;

    /// Checks the invariants the lookups rely on, then builds the inverse index.
    fn try_from(repr: ThesaurusRepr) -> Result<Self, String> {
        let ThesaurusRepr {
            words,
            word_offsets,
            syn_offsets,
            syn_ids,
        } = repr;
        let n = word_offsets
            .len()
            .checked_sub(1)
            .ok_or("thesaurus: empty word offset table")?;
        check_offsets(&word_offsets, words.len(), "word")?;
        let mut previous: Option<&str> = None;
        for i in 0..n {
            let word = words
                .get(word_offsets[i] as usize..word_offsets[i + 1] as usize)
                .ok_or("thesaurus: word offset not on a character boundary")?;
            if word.is_empty() || previous.is_some_and(|p| p >= word) {
                return Err("thesaurus: string table is not sorted and deduplicated".into());
            }
            previous = Some(word);
        }
        if syn_offsets.len() != n + 1 {
            return Err("thesaurus: synonym offsets don't match the word count".into());
        }
        check_offsets(&syn_offsets, syn_ids.len(), "synonym")?;
        for head in 0..n {
            let range = syn_offsets[head] as usize..syn_offsets[head + 1] as usize;
            if syn_ids[range]
                .iter()
                .any(|&s| s as usize >= n || s as usize == head)
            {
                return Err("thesaurus: synonym id out of range".into());
            }
        }
        Ok(Thesaurus::from_forward(
            words,
            word_offsets,
            syn_offsets,
            syn_ids,
        ))
    }
}

/// `offsets` must start at 0, never decrease and end at `total`.
fn check_offsets(offsets: &[u32], total: usize, what: &str) -> Result<(), String> {
    let ok = offsets.first() == Some(&0)
        && offsets.windows(2).all(|w| w[0] <= w[1])
        && offsets.last().map(|&last| last as usize) == Some(total);
    if ok {
        Ok(())
    } else {
        Err(format!("thesaurus: {what} offsets are inconsistent"))
    }
}

/// Builds the inverse index by counting sort: for each word, the headwords listing it,
/// ascending by id (= alphabetically).
fn invert(n: usize, syn_offsets: &[u32], syn_ids: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let mut src_offsets = vec![0u32; n + 1];
    for &s in syn_ids {
        src_offsets[s as usize + 1] += 1;
    }
    for i in 0..n {
        src_offsets[i + 1] += src_offsets[i];
    }
    let mut fill: Vec<u32> = src_offsets[..n].to_vec();
    let mut src_ids = vec![0u32; syn_ids.len()];
    for head in 0..n {
        for &s in &syn_ids[syn_offsets[head] as usize..syn_offsets[head + 1] as usize] {
            let slot = &mut fill[s as usize];
            src_ids[*slot as usize] = head as u32;
            *slot += 1;
        }
    }
    (src_offsets, src_ids)
}

impl Default for Thesaurus {
    fn default() -> Self {
        Thesaurus::build(Entries::new())
    }
}

/// Headword -> synonyms in first-seen order, while loading.
type Entries = BTreeMap<String, Vec<String>>;

/// Folds `word` the way the lexicon does.
fn fold(word: &str) -> String {
    word.trim().to_lowercase()
}

/// Whether a (folded) word can be stored: non-empty and a single TSV field.
fn is_storable(word: &str) -> bool {
    !word.is_empty() && !word.contains(|c: char| c.is_whitespace() || c == '|')
}

/// Merges one headword line into `entries`, normalizing as the module doc says.
fn add_entry<S: AsRef<str>>(
    entries: &mut Entries,
    headword: &str,
    synonyms: impl IntoIterator<Item = S>,
) {
    let head = fold(headword);
    if !is_storable(&head) {
        return;
    }
    let list = entries.entry(head.clone()).or_default();
    for syn in synonyms {
        let syn = fold(syn.as_ref());
        if is_storable(&syn) && syn != head && !list.contains(&syn) {
            list.push(syn);
        }
    }
    if list.is_empty() {
        entries.remove(&head);
    }
}

/// Largest table [`Thesaurus::from_tsv`] accepts, in string bytes and in pairs, so every
/// offset and id fits the `u32` arrays.
const MAX_TABLE: usize = u32::MAX as usize;

/// `value` as a `u32`. Callers guarantee the bound (see [`MAX_TABLE`]).
fn to_u32(value: usize) -> u32 {
    u32::try_from(value).expect("thesaurus size is checked against MAX_TABLE before building")
}

impl Thesaurus {
    /// Builds the flat table from normalized entries.
    ///
    /// # Panics
    ///
    /// If the distinct words take more than `u32::MAX` bytes or there are more than
    /// `u32::MAX` pairs.
    fn build(entries: Entries) -> Self {
        let vocab: BTreeSet<&str> = entries
            .iter()
            .flat_map(|(head, syns)| std::iter::once(head).chain(syns))
            .map(String::as_str)
            .collect();
        let vocab: Vec<&str> = vocab.into_iter().collect();
        let id = |word: &str| -> u32 {
            let pos = vocab
                .binary_search(&word)
                .expect("every headword and synonym is in the vocabulary");
            to_u32(pos)
        };

        let mut words = String::new();
        let mut word_offsets = Vec::with_capacity(vocab.len() + 1);
        word_offsets.push(0);
        for word in &vocab {
            words.push_str(word);
            word_offsets.push(to_u32(words.len()));
        }

        let mut syn_offsets = Vec::with_capacity(vocab.len() + 1);
        let mut syn_ids = Vec::new();
        syn_offsets.push(0);
        for word in &vocab {
            if let Some(syns) = entries.get(*word) {
                syn_ids.extend(syns.iter().map(|s| id(s)));
            }
            syn_offsets.push(to_u32(syn_ids.len()));
        }

        Thesaurus::from_forward(words, word_offsets, syn_offsets, syn_ids)
    }

    /// Completes a consistent forward table with the derived fields.
    fn from_forward(
        words: String,
        word_offsets: Vec<u32>,
        syn_offsets: Vec<u32>,
        syn_ids: Vec<u32>,
    ) -> Self {
        let n = word_offsets.len().saturating_sub(1);
        let (src_offsets, src_ids) = invert(n, &syn_offsets, &syn_ids);
        let headword_count = syn_offsets.windows(2).filter(|w| w[0] < w[1]).count();
        Thesaurus {
            words,
            word_offsets,
            syn_offsets,
            syn_ids,
            src_offsets,
            src_ids,
            headword_count,
        }
    }

    /// Builds a table from `(headword, synonyms)` pairs, normalized as the module doc says.
    /// Meant for tests and small built-in tables. Words that [`Thesaurus::from_tsv`] would
    /// reject (empty, or containing whitespace or `|`) are skipped, so the table always
    /// round-trips through [`Thesaurus::to_tsv`].
    ///
    /// # Panics
    ///
    /// If the distinct words take more than 4 GiB or there are more than `u32::MAX` pairs;
    /// use [`Thesaurus::from_tsv`] for untrusted input.
    pub fn from_pairs<I, H, V, S>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (H, V)>,
        H: AsRef<str>,
        V: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut entries = Entries::new();
        for (head, syns) in pairs {
            add_entry(&mut entries, head.as_ref(), syns);
        }
        Thesaurus::build(entries)
    }

    /// Reads a TSV thesaurus: one `headword<TAB>syn1|syn2|...` per line, single words,
    /// case-folded on load. Blank lines and lines starting with `#` are skipped; a trailing
    /// `\r` is ignored. `path` is only used in error messages.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedThesaurus`] naming the path and 1-based line for: invalid UTF-8, no
    /// tab, more than one tab, an empty headword or synonym, whitespace inside a word, or a
    /// table too big for 32-bit offsets. [`Error::Io`] if reading fails.
    pub fn from_tsv<R: BufRead>(mut reader: R, path: &Path) -> Result<Self, Error> {
        let mut entries = Entries::new();
        let mut buf = Vec::new();
        let mut line_no = 0u64;
        // Upper bound on the string table and pair count, to keep offsets within u32.
        let mut bytes_seen = 0usize;
        let mut pairs_seen = 0usize;
        loop {
            buf.clear();
            let read = reader
                .read_until(b'\n', &mut buf)
                .map_err(|error| Error::Io {
                    path: path.to_path_buf(),
                    error,
                })?;
            if read == 0 {
                break;
            }
            line_no += 1;
            let malformed = |reason: &str| Error::MalformedThesaurus {
                path: path.to_path_buf(),
                line: line_no,
                reason: reason.to_string(),
            };
            let line = std::str::from_utf8(&buf).map_err(|_| malformed("not valid UTF-8"))?;
            let line = line.trim_end_matches(['\n', '\r']);
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (head, syns) = line.split_once('\t').ok_or_else(|| malformed("no tab"))?;
            if syns.contains('\t') {
                return Err(malformed("more than one tab"));
            }
            let syns: Vec<&str> = syns.split('|').map(str::trim).collect();
            for word in std::iter::once(head.trim()).chain(syns.iter().copied()) {
                if word.is_empty() {
                    return Err(malformed("empty headword or synonym"));
                }
                if word.contains(char::is_whitespace) {
                    return Err(malformed(&format!(
                        "{word:?} is not a single word (contains whitespace)"
                    )));
                }
                // Folding can grow a word (e.g. 'İ' -> "i̇"), at most 3x in bytes.
                bytes_seen = bytes_seen.saturating_add(word.len().saturating_mul(3));
            }
            pairs_seen = pairs_seen.saturating_add(syns.len());
            if bytes_seen > MAX_TABLE || pairs_seen > MAX_TABLE {
                return Err(malformed("thesaurus too large (limit 4 GiB of words)"));
            }
            add_entry(&mut entries, head, syns);
        }
        Ok(Thesaurus::build(entries))
    }

    /// Writes the table as TSV (the format [`Thesaurus::from_tsv`] reads), headwords in
    /// bytewise order, synonyms in stored order. `path` is only used in error messages.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if writing fails.
    pub fn to_tsv<W: Write>(&self, mut writer: W, path: &Path) -> Result<(), Error> {
        let io = |error| Error::Io {
            path: path.to_path_buf(),
            error,
        };
        for id in 0..self.word_count() {
            let syns = self.syn_slice(id);
            if syns.is_empty() {
                continue;
            }
            let mut line = String::from(self.word(id));
            line.push('\t');
            for (k, &s) in syns.iter().enumerate() {
                if k > 0 {
                    line.push('|');
                }
                line.push_str(self.word(s as usize));
            }
            line.push('\n');
            writer.write_all(line.as_bytes()).map_err(io)?;
        }
        writer.flush().map_err(io)
    }

    /// The synonyms of `word` (a case-folded word), in the order the source listed them.
    /// Empty if `word` is not a headword.
    pub fn synonyms(&self, word: &str) -> impl Iterator<Item = &str> + '_ {
        let ids = self.id(word).map_or(&[][..], |id| self.syn_slice(id));
        ids.iter().map(move |&s| self.word(s as usize))
    }

    /// The inverse of [`Thesaurus::synonyms`]: every headword that lists `synonym` (a
    /// case-folded word) as a synonym, i.e. the words a spinner may have replaced by it.
    /// Sorted bytewise; empty if `synonym` is no headword's synonym.
    pub fn sources(&self, synonym: &str) -> impl Iterator<Item = &str> + '_ {
        let ids = self.id(synonym).map_or(&[][..], |id| {
            slice_between(&self.src_ids, &self.src_offsets, id)
        });
        ids.iter().map(move |&h| self.word(h as usize))
    }

    /// What a spinner may write for `word` (case-folded), calling `f` once with each: its
    /// synonyms, then, for each regular analysis of `word` as a stem and a suffix
    /// ([`crate::morphology::analyses`]), the stem's synonyms spelt with that suffix when
    /// `is_word` knows the spelling ("sanctions" -> "endorsements"). Letters-only
    /// synonyms are inflected; `word` itself is never given.
    pub fn spins(&self, word: &str, is_word: impl Fn(&str) -> bool, f: impl FnMut(&str)) {
        self.inflected(word, |w| self.synonyms(w), is_word, f);
    }

    /// The inverse of [`Thesaurus::spins`]: each word a spinner may have replaced by
    /// `word`, once: the headwords that list it, and the sources of its stems spelt with
    /// its suffix when `is_word` knows the spelling ("endorsements" <- "sanctions").
    pub fn spun_from(&self, word: &str, is_word: impl Fn(&str) -> bool, f: impl FnMut(&str)) {
        self.inflected(word, |w| self.sources(w), is_word, f);
    }

    /// How many words a spinner chose among when it spun `word`: the number of
    /// [`Thesaurus::spins`] of `word`.
    pub fn spin_choices(&self, word: &str, is_word: impl Fn(&str) -> bool) -> usize {
        let mut n = 0;
        self.spins(word, is_word, |_| n += 1);
        n
    }

    /// `related(word)`, then `related(stem)` spelt with `word`'s suffix for each analysis
    /// of `word`; each result once.
    fn inflected<'s, I: Iterator<Item = &'s str>>(
        &'s self,
        word: &str,
        related: impl Fn(&str) -> I,
        is_word: impl Fn(&str) -> bool,
        mut f: impl FnMut(&str),
    ) {
        let mut seen: Vec<String> = Vec::new();
        let mut give = |w: &str| {
            if w != word && !seen.iter().any(|s| s == w) {
                seen.push(w.to_string());
                f(w);
            }
        };
        related(word).for_each(&mut give);
        crate::morphology::analyses(word, |stem, inflection| {
            for r in related(stem).filter(|r| r.chars().all(char::is_alphabetic)) {
                crate::morphology::inflect(r, inflection, |spelt| {
                    if is_word(spelt) {
                        give(spelt);
                    }
                });
            }
        });
    }

    /// Whether `word` is a headword (has at least one synonym).
    pub fn is_headword(&self, word: &str) -> bool {
        self.id(word)
            .is_some_and(|id| !self.syn_slice(id).is_empty())
    }

    /// All headwords, in bytewise order.
    pub fn headwords(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.word_count())
            .filter(move |&id| !self.syn_slice(id).is_empty())
            .map(move |id| self.word(id))
    }

    /// Number of headwords.
    pub fn len(&self) -> usize {
        self.headword_count
    }

    /// Whether the table has no headwords.
    pub fn is_empty(&self) -> bool {
        self.syn_ids.is_empty()
    }

    /// Number of (headword, synonym) pairs.
    pub fn synonym_pairs(&self) -> usize {
        self.syn_ids.len()
    }

    /// Number of distinct words (headwords and synonyms).
    fn word_count(&self) -> usize {
        self.word_offsets.len().saturating_sub(1)
    }

    /// Word `id`'s text; `""` for an id out of range (never happens on a validated table).
    fn word(&self, id: usize) -> &str {
        match (self.word_offsets.get(id), self.word_offsets.get(id + 1)) {
            (Some(&a), Some(&b)) => self.words.get(a as usize..b as usize).unwrap_or(""),
            _ => "",
        }
    }

    fn syn_slice(&self, id: usize) -> &[u32] {
        slice_between(&self.syn_ids, &self.syn_offsets, id)
    }

    /// Binary search in the sorted string table.
    fn id(&self, word: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.word_count());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.word(mid).cmp(word) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

/// `ids[offsets[i]..offsets[i + 1]]`, or empty if out of range.
fn slice_between<'a>(ids: &'a [u32], offsets: &[u32], i: usize) -> &'a [u32] {
    match (offsets.get(i), offsets.get(i + 1)) {
        (Some(&a), Some(&b)) => ids.get(a as usize..b as usize).unwrap_or(&[]),
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Thesaurus {
        Thesaurus::from_pairs([
            ("aid", vec!["help", "assist", "support"]),
            ("help", vec!["aid", "assist"]),
            ("reside", vec!["dwell", "live"]),
            ("form", vec!["establish", "shape"]),
        ])
    }

    fn collect<'a>(it: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
        it.collect()
    }

    fn parse(tsv: &str) -> Result<Thesaurus, Error> {
        Thesaurus::from_tsv(tsv.as_bytes(), Path::new("test.tsv"))
    }

    #[test]
    fn forward_lookup_keeps_source_order() {
        let t = sample();
        assert_eq!(
            collect(t.synonyms("aid")),
            vec!["help", "assist", "support"]
        );
        assert_eq!(collect(t.synonyms("reside")), vec!["dwell", "live"]);
        assert!(collect(t.synonyms("assist")).is_empty());
        assert!(collect(t.synonyms("nothing")).is_empty());
        assert!(collect(t.synonyms("")).is_empty());
    }

    #[test]
    fn inverse_lookup_lists_every_headword() {
        let t = sample();
        assert_eq!(collect(t.sources("assist")), vec!["aid", "help"]);
        assert_eq!(collect(t.sources("help")), vec!["aid"]);
        assert_eq!(collect(t.sources("aid")), vec!["help"]);
        assert_eq!(collect(t.sources("dwell")), vec!["reside"]);
        assert!(collect(t.sources("reside")).is_empty());
        assert!(collect(t.sources("zzz")).is_empty());
    }

    #[test]
    fn counts() {
        let t = sample();
        assert_eq!(t.len(), 4);
        assert!(!t.is_empty());
        assert_eq!(t.synonym_pairs(), 9);
        assert_eq!(
            collect(t.headwords()),
            vec!["aid", "form", "help", "reside"]
        );
        assert!(t.is_headword("form"));
        assert!(!t.is_headword("shape"));
        let empty = Thesaurus::default();
        assert!(empty.is_empty());
        assert_eq!(empty.len(), 0);
        assert!(collect(empty.synonyms("aid")).is_empty());
        assert!(collect(empty.sources("aid")).is_empty());
    }

    #[test]
    fn normalizes_case_duplicates_and_self_references() {
        let t = Thesaurus::from_pairs([
            ("Big", vec!["large", "LARGE", "big", "huge"]),
            ("big", vec!["huge", "great"]),
            ("lonely", vec!["lonely"]),
            ("look", vec!["look up", "see", "a|b", ""]),
            ("two words", vec!["skipped"]),
        ]);
        assert_eq!(collect(t.synonyms("look")), vec!["see"]);
        assert!(!t.is_headword("two words"));
        assert_eq!(collect(t.synonyms("big")), vec!["large", "huge", "great"]);
        assert_eq!(t.len(), 2);
        assert!(!t.is_headword("lonely"));
    }

    #[test]
    fn tsv_round_trip() {
        let t = sample();
        let mut out = Vec::new();
        t.to_tsv(&mut out, Path::new("out.tsv")).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert_eq!(
            text,
            "aid\thelp|assist|support\nform\testablish|shape\nhelp\taid|assist\nreside\tdwell|live\n"
        );
        let back = parse(&text).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn tsv_skips_comments_blank_lines_and_crlf() {
        let t = parse("# a comment\n\nquick\tfast|rapid\r\n  \nslow\tsluggish").unwrap();
        assert_eq!(collect(t.synonyms("quick")), vec!["fast", "rapid"]);
        assert_eq!(collect(t.synonyms("slow")), vec!["sluggish"]);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn tsv_errors_name_path_and_line() {
        let cases = [
            ("no_tab", "ok\tfine\n\nbroken line\n", 3, "no tab"),
            ("empty_synonym", "a\tb||c\n", 1, "empty"),
            ("empty_list", "a\t\n", 1, "empty"),
            ("empty_headword", "\tb\n", 1, "empty"),
            ("two_tabs", "a\tb\tc\n", 1, "more than one tab"),
            ("multiword", "look\tlook up|see\n", 1, "single word"),
        ];
        for (name, input, want_line, want_reason) in cases {
            match parse(input) {
                Err(Error::MalformedThesaurus { path, line, reason }) => {
                    assert_eq!(path, Path::new("test.tsv"), "{name}");
                    assert_eq!(line, want_line, "{name}");
                    assert!(reason.contains(want_reason), "{name}: {reason}");
                }
                other => panic!("{name}: expected MalformedThesaurus, got {other:?}"),
            }
        }
        let err = parse("a\tb\nc d\te\n").unwrap_err();
        assert!(err.to_string().starts_with("test.tsv:2: "), "{err}");
    }

    #[test]
    fn tsv_rejects_invalid_utf8() {
        let err = Thesaurus::from_tsv(&b"a\tb\n\xff\tc\n"[..], Path::new("x.tsv")).unwrap_err();
        assert!(
            matches!(err, Error::MalformedThesaurus { line: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn bincode_round_trip_rebuilds_inverse() {
        let t = sample();
        let config = bincode::config::standard();
        let bytes = bincode::serde::encode_to_vec(&t, config).unwrap();
        let (back, _): (Thesaurus, usize) =
            bincode::serde::decode_from_slice(&bytes, config).unwrap();
        assert_eq!(back, t);
        assert_eq!(collect(back.sources("assist")), vec!["aid", "help"]);
    }

    #[test]
    fn corrupt_serialized_table_fails_to_load() {
        let config = bincode::config::standard();
        let bad = ThesaurusReprRef {
            words: "ab",
            word_offsets: &[0, 1, 2],
            syn_offsets: &[0, 1, 1],
            syn_ids: &[7],
        };
        let bytes = bincode::serde::encode_to_vec(&bad, config).unwrap();
        let res: Result<(Thesaurus, usize), _> = bincode::serde::decode_from_slice(&bytes, config);
        assert!(res.is_err());
        let unsorted = ThesaurusReprRef {
            words: "ba",
            word_offsets: &[0, 1, 2],
            syn_offsets: &[0, 1, 1],
            syn_ids: &[1],
        };
        let bytes = bincode::serde::encode_to_vec(&unsorted, config).unwrap();
        let res: Result<(Thesaurus, usize), _> = bincode::serde::decode_from_slice(&bytes, config);
        assert!(res.is_err());
    }

    #[test]
    fn non_ascii_words() {
        let t = Thesaurus::from_pairs([("große", vec!["riesig", "Über"])]);
        assert_eq!(collect(t.synonyms("große")), vec!["riesig", "über"]);
        assert_eq!(collect(t.sources("über")), vec!["große"]);
    }

    #[test]
    fn inflected_words_are_spun_through_their_stem_and_back() {
        let t = Thesaurus::from_pairs([
            ("sanction", vec!["endorsement", "approval"]),
            ("live", vec!["exist", "dwell"]),
            ("meet", vec!["encounter"]),
            ("stop", vec!["halt"]),
        ]);
        let known = [
            "sanctions",
            "endorsements",
            "lives",
            "exists",
            "dwells",
            "meeting",
            "encountering",
            "stopped",
            "halted",
        ];
        let is_word = |w: &str| known.contains(&w);
        let spins = |w: &str| {
            let mut out = Vec::new();
            t.spins(w, is_word, |s| out.push(s.to_string()));
            out
        };
        let spun_from = |w: &str| {
            let mut out = Vec::new();
            t.spun_from(w, is_word, |s| out.push(s.to_string()));
            out
        };
        assert_eq!(spins("sanction"), ["endorsement", "approval"]);
        // "approvals" is not a word here, so it is not written.
        assert_eq!(spins("sanctions"), ["endorsements"]);
        assert_eq!(spins("lives"), ["exists", "dwells"]);
        assert_eq!(spins("meeting"), ["encountering"]);
        assert_eq!(spins("stopped"), ["halted"]);
        assert_eq!(t.spin_choices("lives", is_word), 2);
        assert_eq!(spun_from("endorsements"), ["sanctions"]);
        assert_eq!(spun_from("exists"), ["lives"]);
        assert_eq!(spun_from("encountering"), ["meeting"]);
        assert_eq!(spun_from("halted"), ["stopped"]);
        assert!(spins("endorsements").is_empty());
    }
}
