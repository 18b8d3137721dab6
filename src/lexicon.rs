//! The lexicon: every (case-folded) word seen in training, with its count.
//!
//! Stored as an [`fst::Map`], a minimal finite-state transducer over the sorted words,
//! which is compact (shared prefixes and suffixes), loads without rebuilding (the map is
//! its serialized bytes) and answers look-ups in time proportional to the word's
//! length. The same map is what `garbled train --base` and `garbled merge` read the
//! counts back from, so it keeps every word unless training pruned it with
//! `--min-word-count`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::counts::WordCounts;

/// Case-folded words and their counts.
#[derive(Clone)]
pub struct Lexicon {
    map: fst::Map<Vec<u8>>,
    tokens: u64,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("words", &self.len())
            .field("tokens", &self.tokens)
            .finish()
    }
}

impl PartialEq for Lexicon {
    fn eq(&self, other: &Self) -> bool {
        self.tokens == other.tokens && self.map.as_fst().as_bytes() == other.map.as_fst().as_bytes()
    }
}

impl Lexicon {
    /// Builds the lexicon from sorted counts.
    pub fn from_counts(counts: &WordCounts) -> Lexicon {
        let map = fst::Map::from_iter(counts.as_slice().iter().map(|(w, c)| (w.as_bytes(), *c)))
            .expect("WordCounts are sorted and deduplicated by construction");
        Lexicon {
            map,
            tokens: counts.tokens(),
        }
    }

    /// The count of a case-folded word.
    #[inline]
    pub fn count(&self, folded: &str) -> Option<u64> {
        self.map.get(folded)
    }

    /// True if the case-folded word is in the lexicon.
    #[inline]
    pub fn contains(&self, folded: &str) -> bool {
        self.map.contains_key(folded)
    }

    /// Whether some word of the lexicon starts with `prefix` (bytewise).
    ///
    /// Walks the FST along the prefix: the map is minimal, so every state it reaches
    /// leads on to a word.
    pub fn has_prefix(&self, prefix: &str) -> bool {
        let fst = self.map.as_fst();
        let mut node = fst.root();
        for &b in prefix.as_bytes() {
            match node.find_input(b) {
                Some(i) => node = fst.node(node.transition(i).addr),
                None => return false,
            }
        }
        !self.is_empty()
    }

    /// Calls `f` with each lexicon word exactly one edit away from `folded` (a deletion,
    /// an insertion, a substitution or a swap of two adjacent bytes) and its count. The
    /// word itself is never passed; a word reached by two different edits is passed
    /// twice.
    ///
    /// This walks the FST instead of looking up each of the hundreds of one-edit
    /// strings: it follows the word exactly, and at each position branches once into
    /// every edit the automaton allows, finishing each branch with an exact walk.
    /// Branches the lexicon has no prefix for stop at once, so a call costs a few
    /// hundred transitions and allocates only for the words it finds. Edits are of
    /// bytes, so for non-ASCII letters a substitution of one character can take two.
    pub fn for_each_neighbour(&self, folded: &str, mut f: impl FnMut(&str, u64)) {
        use fst::raw::{Node, Output};
        let fst = self.map.as_fst();
        /// The value of the word reached by reading `rest` exactly from `node`.
        fn exact<'f>(
            fst: &'f fst::raw::Fst<Vec<u8>>,
            mut node: Node<'f>,
            mut out: Output,
            rest: &[u8],
        ) -> Option<u64> {
            for &b in rest {
                let t = node.transition(node.find_input(b)?);
                out = out.cat(t.out);
                node = fst.node(t.addr);
            }
            node.is_final()
                .then(|| out.cat(node.final_output()).value())
        }
        let word = folded.as_bytes();
        // Reports `word[..at] + middle + rest` when `count` is a lexicon word's.
        let mut found = |at: usize, middle: &[u8], rest: &[u8], count: Option<u64>| {
            if let Some(count) = count {
                let bytes = [&word[..at], middle, rest].concat();
                if let Ok(w) = std::str::from_utf8(&bytes) {
                    f(w, count);
                }
            }
        };
        let (mut node, mut out) = (fst.root(), Output::zero());
        for i in 0..=word.len() {
            let rest = &word[i..];
            // Delete word[i].
            if let Some((_, after)) = rest.split_first() {
                found(i, &[], after, exact(fst, node, out, after));
            }
            // Swap word[i] and word[i + 1].
            if let [a, b, after @ ..] = rest {
                if a != b {
                    let value = node.find_input(*b).and_then(|j| {
                        let t = node.transition(j);
                        let (next, next_out) = (fst.node(t.addr), out.cat(t.out));
                        let t = next.transition(next.find_input(*a)?);
                        exact(fst, fst.node(t.addr), next_out.cat(t.out), after)
                    });
                    found(i, &[*b, *a], after, value);
                }
            }
            for t in node.transitions() {
                let (next, next_out) = (fst.node(t.addr), out.cat(t.out));
                // Insert t.inp before word[i].
                found(i, &[t.inp], rest, exact(fst, next, next_out, rest));
                // Substitute t.inp for word[i].
                if let Some((&c, after)) = rest.split_first() {
                    if c != t.inp {
                        found(i, &[t.inp], after, exact(fst, next, next_out, after));
                    }
                }
            }
            // Follow word[i] with no edit yet.
            let Some(&c) = rest.first() else { break };
            let Some(j) = node.find_input(c) else { break };
            let t = node.transition(j);
            out = out.cat(t.out);
            node = fst.node(t.addr);
        }
    }

    /// The largest count among the lexicon words one edit away from `folded`
    /// ([`Lexicon::for_each_neighbour`]), or 0 if there is none: the scorer's question
    /// "is this unknown word a slip of a common word?".
    pub fn best_neighbour_count(&self, folded: &str) -> u64 {
        let mut best = 0;
        self.for_each_neighbour(folded, |_, count| best = best.max(count));
        best
    }

    /// The largest count among the lexicon words that undoing one OCR look-alike
    /// confusion in `folded` gives ([`crate::channel::ocr_readings`]: "monclay" ->
    /// "monday", "gerrnan" -> "german"), or 0 if none does: a look-alike is often two
    /// plain edits, which [`Lexicon::best_neighbour_count`] does not reach.
    pub fn best_look_alike_count(&self, folded: &str) -> u64 {
        let typed: Vec<char> = folded.chars().collect();
        let mut best = 0;
        let mut reading = String::new();
        crate::channel::ocr_readings(&typed, 1, |r| {
            reading.clear();
            reading.extend(r);
            best = best.max(self.count(&reading).unwrap_or(0));
        });
        best
    }

    /// How well the unknown word `folded` reads as two words written together
    /// ("megatrend", "chipmaking"): over the ways to cut it into two pieces of at
    /// least three bytes that the lexicon both knows, the largest count of the rarer
    /// piece; 0 if there is no such cut.
    pub fn best_split_count(&self, folded: &str) -> u64 {
        const MIN_PIECE: usize = 3;
        (MIN_PIECE..=folded.len().saturating_sub(MIN_PIECE))
            .filter(|&i| folded.is_char_boundary(i))
            .filter_map(|i| {
                let (a, b) = folded.split_at(i);
                Some(self.count(a)?.min(self.count(b)?))
            })
            .max()
            .unwrap_or(0)
    }

    /// How well the unknown word `folded` reads as a regular inflection of a lexicon
    /// word ("foldables", "fabs"; [`crate::morphology::inflection_stems`]): the largest
    /// count among the stems the lexicon knows, 0 if it knows none.
    pub fn best_inflection_count(&self, folded: &str) -> u64 {
        let mut best = 0;
        crate::morphology::inflection_stems(folded, |stem| {
            best = best.max(self.count(stem).unwrap_or(0));
        });
        best
    }

    /// Number of distinct words.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Sum of all counts.
    pub fn tokens(&self) -> u64 {
        self.tokens
    }

    /// Size of the map in bytes.
    pub fn bytes(&self) -> usize {
        self.map.as_fst().as_bytes().len()
    }

    /// The underlying map, for streaming and automaton searches.
    pub fn map(&self) -> &fst::Map<Vec<u8>> {
        &self.map
    }

    /// The counts back as [`WordCounts`] (for `train --base`).
    pub fn to_counts(&self) -> WordCounts {
        use fst::Streamer;
        let mut pairs = Vec::with_capacity(self.len());
        let mut stream = self.map.stream();
        while let Some((k, v)) = stream.next() {
            pairs.push((String::from_utf8_lossy(k).into_owned(), v));
        }
        WordCounts::from_sorted_unchecked(pairs)
    }
}

#[derive(Serialize, Deserialize)]
struct LexiconRepr<'a> {
    #[serde(with = "crate::model_file::byte_string")]
    fst: std::borrow::Cow<'a, [u8]>,
    tokens: u64,
}

impl Serialize for Lexicon {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        LexiconRepr {
            fst: std::borrow::Cow::Borrowed(self.map.as_fst().as_bytes()),
            tokens: self.tokens,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Lexicon {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Lexicon, D::Error> {
        let repr = LexiconRepr::deserialize(d)?;
        let map = fst::Map::new(repr.fst.into_owned()).map_err(serde::de::Error::custom)?;
        Ok(Lexicon {
            map,
            tokens: repr.tokens,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon_of(words: &[(&str, u64)]) -> Lexicon {
        Lexicon::from_counts(&WordCounts::from_pairs(
            words.iter().map(|&(w, c)| (w.to_string(), c)),
        ))
    }

    #[test]
    fn best_split_takes_the_rarer_piece_of_the_best_cut() {
        let lex = lexicon_of(&[
            ("mega", 40),
            ("trend", 90),
            ("meg", 500),
            ("atrend", 1),
            ("chip", 7),
        ]);
        assert_eq!(lex.best_split_count("megatrend"), 40);
        assert_eq!(lex.best_split_count("chiptrend"), 7);
        assert_eq!(lex.best_split_count("chipx"), 0); // "x" is too short a piece
        assert_eq!(lex.best_split_count("trendy"), 0);
        assert_eq!(lex.best_split_count("ab"), 0);
        assert_eq!(lex.best_split_count("méga"), 0);
    }

    #[test]
    fn best_look_alike_undoes_one_ocr_confusion() {
        let words = [
            ("monday", 500),
            ("german", 900),
            ("commission", 70),
            ("modem", 3),
        ];
        let lex = lexicon_of(&words);
        for (word, want) in [
            ("monclay", 500),    // cl <- d
            ("gerrnan", 900),    // rn <- m
            ("comrnission", 70), // rn <- m
            ("cornrnission", 0), // two confusions
            ("monday", 0),       // the word itself is no reading
            ("rnodern", 0),      // two confusions again
            ("tuesday", 0),
            ("", 0),
        ] {
            assert_eq!(lex.best_look_alike_count(word), want, "{word}");
        }
    }

    #[test]
    fn best_neighbour_is_one_edit_away() {
        let words = [
            ("tuesday", 500),
            ("united", 900),
            ("unite", 40),
            ("the", 10_000),
            ("they", 2_000),
            ("daniel", 300),
            ("cat", 50),
        ];
        let lex = lexicon_of(&words);
        let cases = [
            ("tueday", 500),   // deletion
            ("tuesdayy", 500), // insertion at the end
            ("xtuesday", 500), // insertion at the start
            ("tueaday", 500),  // substitution
            ("nuited", 900),   // swap
            ("unitde", 900),   // swap at the end
            ("unted", 900),    // deletion, beside "unite" (also one edit)
            ("th", 10_000),    // "the" beats "they"
            ("daniela", 300),
            ("cta", 50),
            ("dog", 0),
            ("tuesdxyz", 0), // three edits
            ("the", 2_000),  // the word itself never counts
            ("", 0),
        ];
        for (word, want) in cases {
            assert_eq!(lex.best_neighbour_count(word), want, "{word}");
        }
        let mut seen = Vec::new();
        lex.for_each_neighbour("unitd", |w, c| seen.push((w.to_string(), c)));
        seen.sort();
        seen.dedup();
        assert_eq!(
            seen,
            [("unite".to_string(), 40), ("united".to_string(), 900)]
        );
        // Finds exactly the words a brute-force scan over the lexicon finds.
        for probe in [
            "thy", "hte", "uniter", "at", "ca", "cats", "daniell", "x", "tuesdya",
        ] {
            let mut brute: Vec<(String, u64)> = words
                .iter()
                .filter(|(w, _)| crate::edit::osa_within(probe, w, 1) == Some(1))
                .map(|&(w, c)| (w.to_string(), c))
                .collect();
            brute.sort();
            let mut walked = Vec::new();
            lex.for_each_neighbour(probe, |w, c| walked.push((w.to_string(), c)));
            walked.sort();
            walked.dedup();
            assert_eq!(walked, brute, "{probe}");
        }
    }

    #[test]
    fn lookups_and_round_trip() {
        let counts = WordCounts::from_pairs([("cat".into(), 3), ("the".into(), 9)]);
        let lex = Lexicon::from_counts(&counts);
        assert_eq!(lex.count("the"), Some(9));
        assert!(!lex.contains("dog"));
        assert!(lex.has_prefix("ca") && lex.has_prefix("the") && lex.has_prefix(""));
        assert!(!lex.has_prefix("cats") && !lex.has_prefix("d"));
        assert!(!Lexicon::from_counts(&WordCounts::default()).has_prefix(""));
        assert_eq!(lex.to_counts(), counts);
        let json = serde_json::to_string(&lex).unwrap();
        let back: Lexicon = serde_json::from_str(&json).unwrap();
        assert_eq!(back, lex);
    }
}
