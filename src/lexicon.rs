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
