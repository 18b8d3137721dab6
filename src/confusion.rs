//! Confusion sets: the words that might have stood where a real word is.
//!
//! The real-word check ([`crate::realword`]) asks, of each word it judges, which other
//! words a spinner or a typist could have turned into it. The answer depends on the model
//! alone, not on the text, so `garbled train` finds it once for every lexicon word and
//! stores it in the model ([`ConfusionTable`]); a check only reads it. Finding a set costs
//! a thesaurus look-up, a few hundred one-edit strings screened against the word model,
//! and the typing channel's price of each edit found: on text with a large vocabulary,
//! where most word types are new to the checker, that was most of the real-word check's
//! cost.
//!
//! # What a set holds
//!
//! The alternatives of a lexicon word are:
//! - thesaurus sources: the words that list it as a synonym, which a spinner may have
//!   replaced by it ("alerted" <- "reported"), and, for an inflected word, the sources
//!   of its stem with the same suffix ("endorsements" <- "sanctions": a spinner looks up
//!   the stem and keeps the plural, [`Thesaurus::spun_from`]);
//! - words one edit away (deletion, insertion, substitution, transposition of letters)
//!   that the lexicon knows and the word model finds common enough
//!   ([`MIN_EDIT_LOG2_P`]), for plain lowercase words ("form" <- "from").
//!
//! British and American spellings of one word are never each other's alternatives. When
//! there are more than [`MAX_ALTERNATIVES`], the set keeps those likeliest to have become
//! the word: by the alternative's probability times that of the change, a spinner's
//! choice of the word among the alternative's synonyms or the typing channel's price of
//! the edit ([`log2_made_from`]). Each alternative carries what the decision needs and
//! only the model can say: where it came from, how many synonyms a spinner had to choose
//! from, and the typing channel's cost of the edit (at training time: a model keeps the
//! costs it was trained with).
//!
//! # Layout
//!
//! Sets are stored by the [`word_key`] of the word they belong to, sorted, so a look-up is
//! a binary search (done once per word type and thread: the detector caches what it
//! reads). Alternatives are ids into a table of the distinct alternative words, which are
//! few (the common words) and each stored once.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::channel::Channel;
use crate::edit::for_each_one_edit;
use crate::lexicon::Lexicon;
use crate::thesaurus::Thesaurus;
use crate::wordlm::{word_key, KeyFilter, PrefixKeys, WordLm};

/// Most alternatives per word: those likeliest to have become the word are kept (see
/// the module docs). Bounds the work per token.
pub const MAX_ALTERNATIVES: usize = 8;

/// Least word-model probability (log2) of an alternative one edit away: the word a
/// typist meant is almost always a common one, and rare look-alikes ("tho", "ta") would
/// only add work and false alarms.
pub const MIN_EDIT_LOG2_P: f32 = -24.0;

/// How many bits likelier an alternative one edit away is taken to be than a thesaurus
/// source, before the channel's cost of the edit and the spinner's choice among the
/// source's synonyms: ranks the two kinds against each other, when a set has more than
/// [`MAX_ALTERNATIVES`] and when the real-word decision picks the best alternative
/// ([`log2_made_from`]). The channel's costs are tuned to rank corrections, which leaves
/// their level free, and this sets it. Chosen on whole-word spins and real-word typos of
/// `training/calibration/` (seeds 101 and 202, rate 0.05, sets of up to 32 cut to 8):
/// the original survives the cut for 0.907 of the spins and 0.806 of the typos, against
/// 0.881 and 0.788 when the commonest alternatives were kept; at 0, 2 and 8 bits the two
/// shares sum lower.
pub const EDIT_PRIOR_BITS: f32 = 4.0;

/// Whether a (folded) lexicon word is one the real-word check judges, so needs a set:
/// letters only, two or more of them, or one lowercase letter other than "a" ("f" and
/// "n" are what typing leaves of "of" and "in"). "a" is left out: it is right nearly
/// every time it stands, and it is the commonest word there is.
pub fn judged(folded: &str) -> bool {
    // Most words are plain ASCII lowercase: answered without decoding characters.
    if folded.bytes().all(|b| b.is_ascii_lowercase()) {
        return !folded.is_empty() && folded != "a";
    }
    let mut chars = folded.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c.is_ascii_lowercase() && c != 'a',
        (Some(_), Some(_)) => folded.chars().all(char::is_alphabetic),
        _ => false,
    }
}

/// Whether a lexicon word may be a typo's alternative: one letter is "a" only, since the
/// other letters on their own are initials and symbols, which a writer rarely meant.
fn typo_target(word: &str) -> bool {
    word.len() > 1 || word == "a"
}

/// log2 P(observed word | alternative meant), up to a constant: for a thesaurus source
/// with `synonyms` synonyms, the chance a spinner picked the observed one; for an edit,
/// the typing channel's probability of it (`channel_nats`), plus [`EDIT_PRIOR_BITS`].
pub fn log2_made_from(source: Source, synonyms: u32, channel_nats: f32) -> f32 {
    match source {
        Source::Thesaurus => -(synonyms.max(1) as f32).log2(),
        Source::Edit => EDIT_PRIOR_BITS - channel_nats * std::f32::consts::LOG2_E,
    }
}

/// The letters of plain lowercase words, the only typo alternatives tried.
const LOWERCASE: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

/// Where an alternative came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A word the thesaurus lists the observed word as a synonym of.
    Thesaurus,
    /// A word one edit away.
    Edit,
}

/// One alternative of a word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Confusion<'t> {
    /// The alternative, case-folded.
    pub word: &'t str,
    /// Where it came from.
    pub source: Source,
    /// How many words a spinner could write for the alternative (0 for an edit; its
    /// synonyms, inflected ones included, [`Thesaurus::spin_choices`]): a spinner picks
    /// one of them, so the fewer it has, the likelier the observed one.
    pub synonyms: u32,
    /// For an edit, `-ln P(word typed | alternative meant)` under the typing channel
    /// ([`crate::channel`]): "form" for "from" is a cheap slip, "tin" for "in" is not.
    /// 0 for a thesaurus source.
    pub channel_nats: f32,
}

/// The confusion sets of every lexicon word that has one (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Packed", into = "Packed")]
pub struct ConfusionTable {
    /// [`word_key`] of each word with alternatives, ascending.
    keys: Vec<u64>,
    /// `ends[i]`: where word `i`'s alternatives end in `alternatives` (they start where
    /// word `i - 1`'s end).
    ends: Vec<u32>,
    /// Each alternative: its id in the word table, shifted left once, plus 1 for an edit.
    alternatives: Vec<u32>,
    /// Each alternative's [`Confusion::channel_nats`].
    channel_nats: Vec<f32>,
    /// The distinct alternative words, concatenated.
    text: String,
    /// `word_ends[id]`: where word `id` ends in `text`.
    word_ends: Vec<u32>,
    /// `synonyms[id]`: [`Confusion::synonyms`] of word `id` (0 if it has none).
    synonyms: Vec<u32>,
    /// Not stored: where the keys of each value of their top [`INDEX_BITS`] bits start
    /// in `keys` ([`index_keys`]), so that a look-up searches the two or so keys of its
    /// bucket instead of all of them. Most look-ups are a word type's first, on a part of
    /// the table no earlier look-up brought into the cache, and the search's own steps
    /// missed the cache too.
    starts: Vec<u32>,
}

/// Bits of a key that pick its bucket in [`ConfusionTable::get`]'s index: 256 KiB for
/// 2^16 buckets, about two keys each for the default model.
const INDEX_BITS: u32 = 16;

/// The index of sorted `keys`: `starts[b]` is where the keys whose top [`INDEX_BITS`]
/// bits are `b` start, and `starts[2^INDEX_BITS]` is `keys.len()`.
fn index_keys(keys: &[u64]) -> Vec<u32> {
    let buckets = 1usize << INDEX_BITS;
    let mut starts = Vec::with_capacity(buckets + 1);
    let mut at = 0;
    for b in 0..buckets as u64 {
        while at < keys.len() && keys[at] >> (64 - INDEX_BITS) < b {
            at += 1;
        }
        starts.push(at as u32);
    }
    starts.push(keys.len() as u32);
    starts
}

/// How a [`ConfusionTable`] is stored: each array as one byte string of little-endian
/// values, so that loading it copies memory instead of decoding half a million numbers
/// one by one (about 20 ms of the default model's load).
#[derive(Serialize, Deserialize)]
struct Packed {
    #[serde(with = "crate::model_file::byte_string")]
    keys: Vec<u8>,
    #[serde(with = "crate::model_file::byte_string")]
    ends: Vec<u8>,
    #[serde(with = "crate::model_file::byte_string")]
    alternatives: Vec<u8>,
    #[serde(with = "crate::model_file::byte_string")]
    channel_nats: Vec<u8>,
    text: String,
    #[serde(with = "crate::model_file::byte_string")]
    word_ends: Vec<u8>,
    #[serde(with = "crate::model_file::byte_string")]
    synonyms: Vec<u8>,
}

/// `values` as little-endian bytes.
fn to_le<T: Copy, const N: usize>(values: &[T], bytes: fn(T) -> [u8; N]) -> Vec<u8> {
    values.iter().flat_map(|&v| bytes(v)).collect()
}

/// The values of [`to_le`]'s bytes; `what` names the array in the error.
fn from_le<T, const N: usize>(
    bytes: &[u8],
    value: fn([u8; N]) -> T,
    what: &str,
) -> Result<Vec<T>, String> {
    let chunks = bytes.chunks_exact(N);
    if !chunks.remainder().is_empty() {
        return Err(format!("confusion table: {what} cut short"));
    }
    Ok(chunks
        .map(|c| {
            let mut v = [0; N];
            v.copy_from_slice(c);
            value(v)
        })
        .collect())
}

impl From<ConfusionTable> for Packed {
    fn from(t: ConfusionTable) -> Packed {
        Packed {
            keys: to_le(&t.keys, u64::to_le_bytes),
            ends: to_le(&t.ends, u32::to_le_bytes),
            alternatives: to_le(&t.alternatives, u32::to_le_bytes),
            channel_nats: to_le(&t.channel_nats, f32::to_le_bytes),
            text: t.text,
            word_ends: to_le(&t.word_ends, u32::to_le_bytes),
            synonyms: to_le(&t.synonyms, u32::to_le_bytes),
        }
    }
}

impl TryFrom<Packed> for ConfusionTable {
    type Error = String;

    /// Unpacks the arrays and checks what look-ups rely on ([`ConfusionTable::validate`]).
    fn try_from(p: Packed) -> Result<ConfusionTable, String> {
        let mut table = ConfusionTable {
            keys: from_le(&p.keys, u64::from_le_bytes, "keys")?,
            ends: from_le(&p.ends, u32::from_le_bytes, "ends")?,
            alternatives: from_le(&p.alternatives, u32::from_le_bytes, "alternatives")?,
            channel_nats: from_le(&p.channel_nats, f32::from_le_bytes, "channel costs")?,
            text: p.text,
            word_ends: from_le(&p.word_ends, u32::from_le_bytes, "word ends")?,
            synonyms: from_le(&p.synonyms, u32::from_le_bytes, "synonym counts")?,
            starts: Vec::new(),
        };
        table.validate()?;
        table.starts = index_keys(&table.keys);
        Ok(table)
    }
}

/// An alternative while a set is being found.
struct Found {
    word: String,
    key: u64,
    source: Source,
    log2_p: f32,
    synonyms: u32,
    channel_nats: f32,
}

impl Found {
    /// log2 P(this alternative was meant and became the observed word), up to a constant:
    /// the alternative's own probability, times the chance that a spinner picked the
    /// observed word among its synonyms, or the typing channel's probability of the edit
    /// (with [`EDIT_PRIOR_BITS`] between the two kinds). Decides which alternatives a
    /// set keeps when it has too many.
    fn log2_source_p(&self) -> f32 {
        self.log2_p + log2_made_from(self.source, self.synonyms, self.channel_nats)
    }
}

/// What finding a word's set reads of the model.
struct Finder<'m> {
    lm: &'m WordLm,
    lexicon: &'m Lexicon,
    thesaurus: Option<&'m Thesaurus>,
    channel: Channel,
    /// The words common enough to be a typo's alternative ([`MIN_EDIT_LOG2_P`]).
    edit_targets: KeyFilter,
}

impl Finder<'_> {
    /// How many words a spinner chose among when it wrote a synonym for `word`
    /// ([`Thesaurus::spin_choices`], spellings the lexicon knows); 0 without a thesaurus.
    fn spin_choices(&self, word: &str) -> u32 {
        self.thesaurus.map_or(0, |t| {
            t.spin_choices(word, |w| self.lexicon.contains(w)) as u32
        })
    }

    /// The alternatives of a (folded) lexicon word in the order they were found:
    /// thesaurus sources, then edits in the order of a walk of the lexicon's automaton
    /// ([`Lexicon::for_each_neighbour`]); the likeliest [`MAX_ALTERNATIVES`] of them when
    /// there are more ([`Found::log2_source_p`]). Ties between alternatives keep that
    /// order.
    fn find(&self, folded: &str) -> Vec<Found> {
        let mut out: Vec<Found> = Vec::new();
        let typed: Vec<char> = folded.chars().collect();
        // `key` is `word_key(word)`.
        let push = |word: &str, key: u64, source: Source, out: &mut Vec<Found>| {
            if word != folded
                && self.lm.knows(key)
                && !spelling_variants(word, folded)
                && !out.iter().any(|a| a.key == key)
            {
                let (synonyms, channel_nats) = match source {
                    Source::Thesaurus => (self.spin_choices(word), 0.0),
                    Source::Edit => {
                        let meant: Vec<char> = word.chars().collect();
                        (0, self.channel.cost(&typed, &meant) as f32)
                    }
                };
                out.push(Found {
                    word: word.into(),
                    key,
                    source,
                    log2_p: self.lm.log2_joint(&[key]),
                    synonyms,
                    channel_nats,
                });
            }
        };
        if let Some(t) = self.thesaurus {
            t.spun_from(
                folded,
                |w| self.lexicon.contains(w),
                |w| {
                    if w.chars().all(char::is_alphabetic) {
                        push(w, word_key(w), Source::Thesaurus, &mut out);
                    }
                },
            );
        }
        // Real-word typos of plain lowercase words, into plain lowercase words.
        if folded.bytes().all(|b| b.is_ascii_lowercase()) {
            // The strings one edit away (a few hundred) are screened by a filter of the
            // common words and the word model's table before the lexicon is asked: half
            // the instructions of walking the lexicon's automaton for its neighbours.
            // They come in that walk's order.
            let keys = PrefixKeys::new(folded.as_bytes());
            let common =
                |key| self.edit_targets.maybe(key) && self.lm.log2_joint(&[key]) >= MIN_EDIT_LOG2_P;
            for_each_one_edit(folded.as_bytes(), LOWERCASE, |v, shared| {
                let key = keys.key(v, shared);
                if common(key) {
                    if let Ok(w) = std::str::from_utf8(v) {
                        if typo_target(w) && self.lexicon.contains(w) {
                            push(w, key, Source::Edit, &mut out);
                        }
                    }
                }
            });
        }
        if out.len() > MAX_ALTERNATIVES {
            out.sort_by(|a, b| {
                b.log2_source_p()
                    .total_cmp(&a.log2_source_p())
                    .then_with(|| a.word.cmp(&b.word))
            });
            out.truncate(MAX_ALTERNATIVES);
        }
        out
    }
}

impl ConfusionTable {
    /// Finds the confusion set of every lexicon word that a real-word check may judge
    /// ([`judged`]), in parallel. The result is the same on
    /// every run and for every number of threads.
    pub fn build(lm: &WordLm, lexicon: &Lexicon, thesaurus: Option<&Thesaurus>) -> Self {
        use fst::Streamer;
        let finder = Finder {
            lm,
            lexicon,
            thesaurus,
            channel: Channel::default(),
            edit_targets: lm.word_filter(MIN_EDIT_LOG2_P),
        };
        let mut words: Vec<String> = Vec::new();
        let mut stream = lexicon.map().stream();
        while let Some((w, _)) = stream.next() {
            if let Ok(w) = std::str::from_utf8(w) {
                if judged(w) {
                    words.push(w.to_string());
                }
            }
        }
        let mut sets: Vec<(u64, Vec<Found>)> = words
            .par_iter()
            .filter_map(|w| {
                let found = finder.find(w);
                (!found.is_empty()).then(|| (word_key(w), found))
            })
            .collect();
        sets.sort_unstable_by_key(|&(key, _)| key);
        let mut table = ConfusionTable::default();
        let mut ids: HashMap<String, u32> = HashMap::new();
        for (key, found) in sets {
            table.keys.push(key);
            for a in found {
                let id = match ids.get(&a.word) {
                    Some(&id) => id,
                    None => {
                        let id = table.word_ends.len() as u32;
                        table.text.push_str(&a.word);
                        table.word_ends.push(table.text.len() as u32);
                        // The word's own count: `a` may be an edit, which carries none.
                        let synonyms = match a.source {
                            Source::Thesaurus => a.synonyms,
                            Source::Edit => finder.spin_choices(&a.word),
                        };
                        table.synonyms.push(synonyms);
                        ids.insert(a.word.clone(), id);
                        id
                    }
                };
                table
                    .alternatives
                    .push(id << 1 | u32::from(a.source == Source::Edit));
                table.channel_nats.push(a.channel_nats);
            }
            table.ends.push(table.alternatives.len() as u32);
        }
        table.starts = index_keys(&table.keys);
        table
    }

    /// The alternatives of the word with [`word_key`] `key`, in order (none for a word
    /// the table does not hold).
    pub fn get(&self, key: u64) -> impl ExactSizeIterator<Item = Confusion<'_>> + '_ {
        let bucket = (key >> (64 - INDEX_BITS)) as usize;
        // A table without its index (only `default()`'s, which is empty) searches all.
        let (from, to) = match (self.starts.get(bucket), self.starts.get(bucket + 1)) {
            (Some(&from), Some(&to)) => (from as usize, to as usize),
            _ => (0, self.keys.len()),
        };
        let range = match self.keys[from..to].binary_search(&key).map(|i| i + from) {
            Ok(i) => {
                let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
                start..self.ends[i] as usize
            }
            Err(_) => 0..0,
        };
        range.map(move |j| {
            let entry = self.alternatives[j];
            let id = (entry >> 1) as usize;
            let start = if id == 0 {
                0
            } else {
                self.word_ends[id - 1] as usize
            };
            let edit = entry & 1 == 1;
            Confusion {
                word: &self.text[start..self.word_ends[id] as usize],
                source: if edit {
                    Source::Edit
                } else {
                    Source::Thesaurus
                },
                synonyms: if edit { 0 } else { self.synonyms[id] },
                channel_nats: self.channel_nats[j],
            }
        })
    }

    /// Words with a confusion set.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no word has a confusion set.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Alternatives over all sets.
    pub fn alternatives(&self) -> usize {
        self.alternatives.len()
    }

    /// Checks what a look-up relies on, so that a damaged table fails to load rather
    /// than panic later.
    fn validate(&self) -> Result<(), String> {
        let bad = |what: &str| Err(format!("confusion table: {what}"));
        if self.ends.len() != self.keys.len() {
            return bad("one end per word expected");
        }
        if !self.keys.windows(2).all(|w| w[0] < w[1]) {
            return bad("words out of order");
        }
        let ascending = |ends: &[u32], len: usize| {
            ends.windows(2).all(|w| w[0] <= w[1])
                && ends.last().map_or(len == 0, |&e| e as usize == len)
        };
        if !ascending(&self.ends, self.alternatives.len()) {
            return bad("alternative ranges out of order or out of bounds");
        }
        if self.channel_nats.len() != self.alternatives.len() {
            return bad("one channel cost per alternative expected");
        }
        if self.synonyms.len() != self.word_ends.len() {
            return bad("one synonym count per word expected");
        }
        if !ascending(&self.word_ends, self.text.len())
            || !self
                .word_ends
                .iter()
                .all(|&e| self.text.is_char_boundary(e as usize))
        {
            return bad("word ranges out of order or out of bounds");
        }
        if self
            .alternatives
            .iter()
            .any(|&a| (a >> 1) as usize >= self.word_ends.len())
        {
            return bad("alternative names no word");
        }
        Ok(())
    }
}

/// Whether two folded words are the same word in British and American spelling
/// ("centre"/"center", "offence"/"offense", "travelled"/"traveled"): never an error.
fn spelling_variants(a: &str, b: &str) -> bool {
    a.len().abs_diff(b.len()) <= 2
        && (a == b || (may_be_british(a) || may_be_british(b)) && american(a) == american(b))
}

/// British spellings and their American forms, anywhere in a word and at its end, for
/// [`american`].
const BRITISH: [(&str, &str); 8] = [
    ("our", "or"),
    ("ise", "ize"),
    ("yse", "yze"),
    ("ence", "ense"),
    ("ogue", "og"),
    ("ae", "e"),
    ("oe", "e"),
    ("ll", "l"),
];
const BRITISH_ENDINGS: [(&str, &str); 3] = [("tres", "ters"), ("tre", "ter"), ("tred", "tered")];

/// Whether [`american`] may change the word: without any British spelling it is the
/// word itself, and most pairs of words are told apart without building it.
fn may_be_british(word: &str) -> bool {
    // One pass over the word's letter pairs rules most words out before eight substring
    // searches.
    (word.as_bytes().windows(2).any(starts_british)
        && BRITISH.iter().any(|(british, _)| word.contains(british)))
        || BRITISH_ENDINGS
            .iter()
            .any(|(british, _)| word.ends_with(british))
}

/// Whether a pair of letters begins one of the patterns of [`BRITISH`] (a test checks
/// that every pattern begins with one of them).
fn starts_british(pair: &[u8]) -> bool {
    matches!(
        pair,
        b"ou" | b"is" | b"ys" | b"en" | b"og" | b"ae" | b"oe" | b"ll"
    )
}

/// A rough American spelling of a word, for comparing spellings only.
fn american(word: &str) -> String {
    let mut w = BRITISH
        .iter()
        .fold(word.to_string(), |w, (british, american)| {
            w.replace(british, american)
        });
    for (british, american) in BRITISH_ENDINGS {
        if let Some(stem) = w.strip_suffix(british) {
            w = format!("{stem}{american}");
            break;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::WordCounts;
    use crate::model::Model;
    use crate::train::{estimate, Shard, TrainConfig};
    use crate::wordlm::ContextCounts;

    /// A model of `words` (each also a context unigram) and the context pair "from the",
    /// with `thesaurus` packed in.
    fn model(words: &[(&str, u64)], thesaurus: Option<Thesaurus>) -> Model {
        let mut ngrams: Vec<(String, u64)> =
            words.iter().map(|&(w, n)| (w.to_string(), n)).collect();
        let mut shard = Shard::of_counts(WordCounts::from_pairs(ngrams.iter().cloned()));
        ngrams.push(("from the".to_string(), 10));
        shard.context = ContextCounts::from_ngrams(&WordCounts::from_pairs(ngrams));
        let mut model = estimate(shard, &TrainConfig::default()).unwrap();
        if let Some(t) = thesaurus {
            model.set_thesaurus(t);
        }
        model
    }

    fn table_of(model: &Model) -> ConfusionTable {
        ConfusionTable::build(model.word_lm().unwrap(), model.lexicon(), model.thesaurus())
    }

    fn words_of(table: &ConfusionTable, word: &str, source: Source) -> Vec<String> {
        table
            .get(word_key(word))
            .filter(|c| c.source == source)
            .map(|c| c.word.to_string())
            .collect()
    }

    #[test]
    fn the_key_index_gives_each_bucket_its_keys() {
        let keys = [0, 1, 1 << 48, (1 << 48) + 5, u64::MAX - 1, u64::MAX];
        let starts = index_keys(&keys);
        assert_eq!(starts.len(), (1 << INDEX_BITS) + 1);
        assert_eq!(&starts[..3], &[0, 2, 4]);
        assert_eq!(starts[(1 << INDEX_BITS) - 1], 4);
        assert_eq!(starts[1 << INDEX_BITS], 6);
        assert_eq!(index_keys(&[]), vec![0; (1 << INDEX_BITS) + 1]);
    }

    #[test]
    fn judged_words_are_letters_and_single_letters_other_than_a() {
        for word in ["of", "form", "naïve", "f", "n", "i"] {
            assert!(judged(word), "{word}");
        }
        for word in ["a", "", "é", "1", "o'", "co-op", "4th"] {
            assert!(!judged(word), "{word}");
        }
    }

    #[test]
    fn single_letters_have_sets_of_longer_words_and_a() {
        // What typing leaves of "of" and "in" is judged; other letters alone are never an
        // alternative, and "a" itself has no set.
        let common = 1_000_000_000;
        let words: Vec<(&str, u64)> = ["of", "if", "in", "on", "f", "n", "i", "o", "a"]
            .iter()
            .map(|&w| (w, common))
            .collect();
        let table = table_of(&model(&words, None));
        let mut f = words_of(&table, "f", Source::Edit);
        f.sort();
        assert_eq!(f, ["a", "if", "of"]);
        let mut n = words_of(&table, "n", Source::Edit);
        n.sort();
        assert_eq!(n, ["a", "in", "on"]);
        assert_eq!(table.get(word_key("a")).len(), 0);
        // Two-letter words lose their one-letter look-alikes other than "a".
        assert_eq!(words_of(&table, "of", Source::Edit), ["if", "on"]);
    }

    #[test]
    fn typo_alternatives_are_the_common_lexicon_words_one_edit_away_in_walk_order() {
        // "farm" is too rare for a typo's alternative (log2 P about -33) and "fórm" is
        // not plain lowercase.
        let common = 1_000_000_000;
        let mut words: Vec<(&str, u64)> = [
            "form", "from", "forms", "for", "norm", "firm", "fora", "orm", "fro", "fórm", "storm",
        ]
        .iter()
        .map(|&w| (w, common))
        .collect();
        words.push(("farm", 1));
        let model = model(&words, None);
        let (lm, lexicon) = (model.word_lm().unwrap(), model.lexicon());
        let table = table_of(&model);
        let plain = |w: &str| w.bytes().all(|b| b.is_ascii_lowercase());
        for word in ["form", "from", "for", "fro", "orm", "storm", "farm", "fórm"] {
            // The reference: the lexicon's own walk for neighbours, filtered.
            let mut want: Vec<String> = Vec::new();
            lexicon.for_each_neighbour(word, |w, _| {
                let common = lm.log2_joint(&[word_key(w)]) >= MIN_EDIT_LOG2_P;
                if plain(w) && common && !want.iter().any(|x| x == w) {
                    want.push(w.to_string());
                }
            });
            assert!(want.len() <= MAX_ALTERNATIVES, "{word}: {want:?}");
            let got = words_of(&table, word, Source::Edit);
            assert_eq!(got, want, "{word}");
            assert!(!got.iter().any(|w| w == "farm"));
        }
        assert!(words_of(&table, "form", Source::Edit).contains(&"from".to_string()));
        // Words the lexicon lacks have no set.
        assert_eq!(table.get(word_key("forn")).len(), 0);
    }

    #[test]
    fn alternatives_carry_their_channel_cost_and_synonym_count() {
        let thesaurus = Thesaurus::from_pairs([("weapons", vec!["armaments", "arms"])]);
        let model = model(
            &[
                ("form", 100),
                ("from", 100),
                ("weapons", 100),
                ("armaments", 100),
            ],
            Some(thesaurus),
        );
        let table = table_of(&model);
        let from = table
            .get(word_key("form"))
            .find(|a| a.word == "from")
            .expect("one edit");
        assert_eq!(from.source, Source::Edit);
        let expected = Channel::default().cost(&['f', 'o', 'r', 'm'], &['f', 'r', 'o', 'm']);
        assert!(from.channel_nats > 0.0);
        assert!((f64::from(from.channel_nats) - expected).abs() < 1e-4);
        assert_eq!(from.synonyms, 0);
        let weapons: Vec<Confusion<'_>> = table.get(word_key("armaments")).collect();
        assert_eq!(weapons.len(), 1, "{weapons:?}");
        assert_eq!(weapons[0].word, "weapons");
        assert_eq!(weapons[0].source, Source::Thesaurus);
        assert_eq!((weapons[0].synonyms, weapons[0].channel_nats), (2, 0.0));
    }

    #[test]
    fn the_table_holds_what_finding_gives_the_same_for_any_number_of_threads() {
        // Enough words that sets overflow the cap and share alternatives.
        let words: Vec<String> = (0..400)
            .map(|i| {
                let a = b"abcdefgh"[i % 8] as char;
                let b = b"aeiou"[(i / 8) % 5] as char;
                let c = b"nrst"[(i / 40) % 4] as char;
                let d = b"aeiouy"[(i / 160) % 3] as char;
                format!("{a}{b}{c}{d}")
            })
            .collect();
        let counts: Vec<(&str, u64)> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (w.as_str(), 1_000 + i as u64 * 7))
            .collect();
        let thesaurus =
            Thesaurus::from_pairs([("bane", vec!["cane", "dane"]), ("fine", vec!["cane"])]);
        let model = model(&counts, Some(thesaurus));
        let table = table_of(&model);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(one.install(|| table_of(&model)), table);
        let finder = Finder {
            lm: model.word_lm().unwrap(),
            lexicon: model.lexicon(),
            thesaurus: model.thesaurus(),
            channel: Channel::default(),
            edit_targets: model.word_lm().unwrap().word_filter(MIN_EDIT_LOG2_P),
        };
        let mut capped = 0;
        for (w, _) in &counts {
            let found = finder.find(w);
            capped += usize::from(found.len() == MAX_ALTERNATIVES);
            let got: Vec<(String, Source)> = table
                .get(word_key(w))
                .map(|c| (c.word.to_string(), c.source))
                .collect();
            let want: Vec<(String, Source)> =
                found.into_iter().map(|f| (f.word, f.source)).collect();
            assert_eq!(got, want, "{w}");
        }
        assert!(capped > 10, "{capped}");
        assert!(table.len() > 300 && table.alternatives() > 2_000);
        assert!(table.validate().is_ok());
    }

    #[test]
    fn a_full_set_keeps_the_likeliest_sources_not_the_commonest_words() {
        // "glad" is a synonym of ten words. Nine of them, each common, have 40 synonyms
        // to choose from; "happy", 4 times rarer, has only "glad": a spinner that met
        // "happy" wrote "glad" 40 times as often, so it must outrank them.
        let spread: Vec<String> = (0..40).map(|i| format!("syn{i}")).collect();
        let spread: Vec<&str> = spread.iter().map(String::as_str).collect();
        let heads = [
            "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        ];
        let mut pairs: Vec<(&str, Vec<&str>)> = vec![("happy", vec!["glad"])];
        let mut counts: Vec<(&str, u64)> = vec![("glad", 1_000), ("happy", 250)];
        for (i, &h) in heads.iter().enumerate() {
            let mut synonyms = vec!["glad"];
            synonyms.extend(&spread[..39]);
            pairs.push((h, synonyms));
            counts.push((h, 1_000 + i as u64));
        }
        let model = model(&counts, Some(Thesaurus::from_pairs(pairs)));
        let got = words_of(&table_of(&model), "glad", Source::Thesaurus);
        assert_eq!(got.len(), MAX_ALTERNATIVES);
        assert!(got.contains(&"happy".to_string()), "{got:?}");
        // Among equals, the commoner stay: the rarest of the nine is cut.
        assert!(!got.contains(&"alpha".to_string()), "{got:?}");
    }

    #[test]
    fn a_table_round_trips_and_a_damaged_one_is_rejected() {
        let model = model(&[("form", 100), ("from", 100), ("fort", 100)], None);
        let table = table_of(&model);
        assert!(table.len() >= 3, "{table:?}");
        let unpack = |p: Packed| ConfusionTable::try_from(p);
        assert_eq!(unpack(Packed::from(table.clone())).as_ref(), Ok(&table));
        let damaged: [fn(&mut ConfusionTable); 5] = [
            |t| t.alternatives[0] = (t.word_ends.len() as u32) << 1,
            |t| t.ends.truncate(t.ends.len() - 1),
            |t| t.keys.reverse(),
            |t| t.word_ends[0] = t.text.len() as u32 + 1,
            |t| t.channel_nats.push(0.0),
        ];
        for (i, damage) in damaged.iter().enumerate() {
            let mut t = table.clone();
            damage(&mut t);
            assert!(unpack(Packed::from(t)).is_err(), "damage {i}");
        }
        let mut cut = Packed::from(table);
        cut.keys.pop();
        assert_eq!(unpack(cut).unwrap_err(), "confusion table: keys cut short");
    }

    #[test]
    fn spelling_variants_are_recognised() {
        for (a, b) in [
            ("centre", "center"),
            ("offence", "offense"),
            ("travelled", "traveled"),
            ("neighbours", "neighbors"),
            ("organise", "organize"),
        ] {
            assert!(spelling_variants(a, b), "{a}/{b}");
        }
        assert!(!spelling_variants("form", "from"));
        assert!(!spelling_variants("there", "their"));
        // Only a British spelling may change under `american`.
        for (british, _) in BRITISH {
            assert!(starts_british(&british.as_bytes()[..2]), "{british}");
        }
        for word in ["form", "from", "there", "center", "traveled", "neighbors"] {
            assert!(!may_be_british(word) && american(word) == word, "{word}");
        }
        for word in ["centre", "travelled", "neighbours", "organise"] {
            assert!(may_be_british(word) && american(word) != word, "{word}");
        }
    }
}
