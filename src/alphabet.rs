//! Characters to symbol ids for the character language model.
//!
//! The model works on small integer symbols, not `char`s, so that n-grams pack into a
//! single `u64` key (8 bits per symbol, see [`crate::ngram`]). The alphabet keeps the
//! most frequent characters of the training words; every other character maps to
//! [`UNK`], which the model learns like any other symbol (its counts are those of the
//! characters that fell out of the alphabet), so text in any script gets a finite,
//! meaningful score.
//!
//! Reserved ids: `0` never appears in a key (it marks "no symbol"), [`BOW`] opens every
//! word and is only ever a context, [`EOW`] closes every word and is predicted like a
//! character, [`UNK`] stands for characters outside the alphabet.

use serde::{Deserialize, Serialize};

/// Beginning-of-word marker: context only, never predicted.
pub const BOW: u8 = 1;
/// End-of-word marker: predicted after the last character.
pub const EOW: u8 = 2;
/// Any character outside the alphabet.
pub const UNK: u8 = 3;
/// Id of the first real character.
pub const FIRST_CHAR: u8 = 4;
/// Most characters an alphabet can hold (ids must fit in a byte).
pub const MAX_CHARS: usize = (u8::MAX - FIRST_CHAR) as usize + 1;

/// A mapping from characters to symbol ids, and back.
///
/// Serialized as the list of kept characters in id order; the lookup tables are rebuilt
/// on load (a few microseconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "AlphabetRepr", into = "AlphabetRepr")]
pub struct Alphabet {
    chars: Vec<char>,
    ascii: [u8; 128],
    /// Non-ASCII characters sorted by char, with their ids.
    other: Vec<(char, u8)>,
}

#[derive(Serialize, Deserialize)]
struct AlphabetRepr {
    chars: Vec<char>,
}

impl From<AlphabetRepr> for Alphabet {
    fn from(repr: AlphabetRepr) -> Self {
        Alphabet::from_chars(repr.chars)
    }
}

impl From<Alphabet> for AlphabetRepr {
    fn from(alphabet: Alphabet) -> Self {
        AlphabetRepr {
            chars: alphabet.chars,
        }
    }
}

impl Alphabet {
    /// Builds an alphabet from characters in id order (the first gets [`FIRST_CHAR`]).
    /// Characters past [`MAX_CHARS`] and repeats are ignored.
    pub fn from_chars(chars: impl IntoIterator<Item = char>) -> Alphabet {
        let mut kept: Vec<char> = Vec::new();
        let mut ascii = [UNK; 128];
        let mut other = Vec::new();
        for c in chars {
            if kept.len() == MAX_CHARS || kept.contains(&c) {
                continue;
            }
            let id = FIRST_CHAR + kept.len() as u8;
            if c.is_ascii() {
                ascii[c as usize] = id;
            } else {
                other.push((c, id));
            }
            kept.push(c);
        }
        other.sort_unstable();
        Alphabet {
            chars: kept,
            ascii,
            other,
        }
    }

    /// Chooses the alphabet from weighted character counts: the `max_chars` most frequent
    /// characters whose count is at least `min_count`, ties broken by code point so the
    /// result does not depend on the order of `counts`.
    pub fn from_counts(counts: &[(char, u64)], max_chars: usize, min_count: u64) -> Alphabet {
        let mut sorted: Vec<(char, u64)> = counts
            .iter()
            .copied()
            .filter(|&(_, n)| n >= min_count.max(1))
            .collect();
        sorted.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        sorted.truncate(max_chars.min(MAX_CHARS));
        Alphabet::from_chars(sorted.into_iter().map(|(c, _)| c))
    }

    /// The symbol id of `c` ([`UNK`] if it is not in the alphabet).
    #[inline]
    pub fn symbol(&self, c: char) -> u8 {
        if c.is_ascii() {
            self.ascii[c as usize]
        } else {
            match self.other.binary_search_by_key(&c, |&(k, _)| k) {
                Ok(i) => self.other[i].1,
                Err(_) => UNK,
            }
        }
    }

    /// Appends `[BOW] word [EOW]` as symbols to `out` (cleared first).
    pub fn encode_word(&self, word: &str, out: &mut Vec<u8>) {
        out.clear();
        out.push(BOW);
        out.extend(word.chars().map(|c| self.symbol(c)));
        out.push(EOW);
    }

    /// The character for a symbol id, if it is a real character.
    pub fn char_of(&self, symbol: u8) -> Option<char> {
        symbol
            .checked_sub(FIRST_CHAR)
            .and_then(|i| self.chars.get(i as usize).copied())
    }

    /// A printable name for any symbol id (for `--explain` and debugging).
    pub fn display(&self, symbol: u8) -> String {
        match symbol {
            BOW => "<w>".to_string(),
            EOW => "</w>".to_string(),
            UNK => "<unk>".to_string(),
            s => self
                .char_of(s)
                .map_or_else(|| "<?>".to_string(), String::from),
        }
    }

    /// Number of real characters kept.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// True if no character was kept (every character is [`UNK`]).
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The kept characters in id order.
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// Number of symbols the model can predict: every character, [`UNK`] and [`EOW`].
    pub fn predictable(&self) -> usize {
        self.chars.len() + 2
    }

    /// One past the largest symbol id in use.
    pub fn symbol_bound(&self) -> usize {
        FIRST_CHAR as usize + self.chars.len()
    }

    /// Iterates over the ids of every predictable symbol.
    pub fn predictable_symbols(&self) -> impl Iterator<Item = u8> {
        std::iter::once(EOW)
            .chain(std::iter::once(UNK))
            .chain((0..self.chars.len()).map(|i| FIRST_CHAR + i as u8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_frequent_chars_get_the_first_ids() {
        let a = Alphabet::from_counts(&[('b', 5), ('a', 9), ('z', 1), ('é', 5)], 10, 2);
        assert_eq!(a.chars(), &['a', 'b', 'é']);
        assert_eq!(a.symbol('a'), FIRST_CHAR);
        assert_eq!(a.symbol('é'), FIRST_CHAR + 2);
        assert_eq!(a.symbol('z'), UNK, "below min_count");
        assert_eq!(a.symbol('ж'), UNK);
    }

    #[test]
    fn capacity_is_capped_at_a_byte() {
        let counts: Vec<(char, u64)> = (0..400u32)
            .filter_map(|i| char::from_u32(0x400 + i).map(|c| (c, 10)))
            .collect();
        let a = Alphabet::from_counts(&counts, usize::MAX, 1);
        assert_eq!(a.len(), MAX_CHARS);
        assert_eq!(a.symbol_bound(), 256);
    }

    #[test]
    fn encode_and_display_round_trip() {
        let a = Alphabet::from_chars("cat".chars());
        let mut out = Vec::new();
        a.encode_word("tax", &mut out);
        assert_eq!(out, vec![BOW, FIRST_CHAR + 2, FIRST_CHAR + 1, UNK, EOW]);
        let shown: Vec<String> = out.iter().map(|&s| a.display(s)).collect();
        assert_eq!(shown, ["<w>", "t", "a", "<unk>", "</w>"]);
        assert_eq!(a.predictable_symbols().count(), a.predictable());
    }

    #[test]
    fn serde_keeps_the_mapping() {
        let a = Alphabet::from_chars("xyzé".chars());
        let json = serde_json::to_string(&a).unwrap();
        let b: Alphabet = serde_json::from_str(&json).unwrap();
        assert_eq!(a, b);
        assert_eq!(b.symbol('é'), FIRST_CHAR + 3);
    }
}
