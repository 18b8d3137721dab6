//! Spin reversal: which word did an article spinner turn into this token?
//!
//! Spinners rewrite text by replacing words with thesaurus synonyms, and the crude ones
//! match synonyms without regard to word boundaries, so a piece *inside* a word gets
//! replaced: "said" -> "shelp" (aid -> help), "measures" -> "meacertains" (sure ->
//! certain), sometimes twice ("formally" -> "establishassociate": form -> establish,
//! ally -> associate). Edit distance can't reach these: the token shares little with its
//! original. [`SpinReverser`] undoes the substitution; [`crate::correct`] ranks its
//! results together with the edit candidates.
//!
//! # Algorithm
//!
//! Idea: find every substring of the token that is a synonym in the thesaurus, put back
//! each headword that lists it (the word a spinner may have replaced), and keep the
//! results that are known words; do the same for pairs of non-overlapping substrings (two
//! swaps, pruned by requiring the left part to be a prefix of some known word); a token
//! that is itself a synonym may be a whole-word swap. Each reversal gets the probability
//! a spinner would produce exactly this token from that word:
//! `P(inword) * (1 / sites)^swaps * prod(1 / synonyms(headword)) [* P(second swap)]`,
//! where `sites` counts the places in the original where a spinner could have swapped
//! (headword substrings), and `synonyms(headword)` the synonyms it could have drawn.
//!
//! Substring search walks a finite-state set of the synonyms from each position of the
//! token and stops as soon as no synonym continues, instead of looking up every substring
//! (`benches/correct.rs`: 18x faster on 20k headwords).
//!
//! Cost: `O(len * longest synonym)` FST transitions to find the synonyms; one look-up per
//! (synonym, headword) pair for single swaps; for pairs, one prefix check per first
//! headword and one look-up per second headword that passes it.
//!
//! Weaknesses: only pairs the thesaurus lists can be undone (a spinner with another
//! thesaurus makes "spokesguy" from "spokesman" via man -> guy, which neither MyThes nor
//! the WordNet relations we take have);
//! short synonyms ("go", "set") have hundreds of headwords and make many candidates,
//! which the ranking must sort out; a swap that also changed case or spacing is missed.
//!
//! Reference: the in-word spin of garbled's own corruption generator (`corrupt.rs`), which
//! mimics the "spun" articles studied in Shahid et al., "Detecting and Analyzing Spun
//! Content", 2017.

use std::collections::BTreeSet;

use fst::raw::Fst;

use crate::thesaurus::Thesaurus;

/// Costs of the spin channel, in nats (`-ln` probability).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpinCosts {
    /// A spinner replaced a piece inside a word (before choosing which piece and which
    /// synonym, which the channel prices from the thesaurus).
    pub inword: f64,
    /// Extra cost when two pieces were replaced.
    pub second_swap: f64,
    /// A spinner replaced the whole word by a synonym.
    pub whole_word: f64,
    /// Synonyms shorter than this (in `char`s) are not searched for inside tokens.
    pub min_synonym_chars: usize,
    /// Replaced pieces (headwords) shorter than this are not put back.
    pub min_headword_chars: usize,
}

impl Default for SpinCosts {
    /// `inword` tuned with the channel costs (`scripts/tune_correct.py`); the others set
    /// by hand (the tuning data has no whole-word swaps).
    fn default() -> Self {
        SpinCosts {
            inword: 0.75,
            second_swap: 1.0,
            whole_word: 6.0,
            min_synonym_chars: 2,
            min_headword_chars: 3,
        }
    }
}

/// One way the token may have been spun from a word.
#[derive(Debug, Clone, PartialEq)]
pub struct Reversal {
    /// The original word (case-folded).
    pub word: String,
    /// `ln P(token | word, spun)`: see the module doc.
    pub log_prob: f64,
    /// Pieces swapped: 1 or 2 inside the word, 0 for a whole-word swap.
    pub swaps: usize,
}

/// Whether a thesaurus word can be spun in or out: letters only, so it stays one word.
pub fn is_spin_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(char::is_alphabetic)
}

/// Calls `f(start, end)` for every byte range of `text` that is a key of `set`.
///
/// Walks the FST once from every char boundary, stopping as soon as no key continues
/// the bytes read, so the cost is `O(len * longest key)` transitions at worst and far
/// less in practice.
fn for_each_key_in(set: &fst::Set<Vec<u8>>, text: &str, mut f: impl FnMut(usize, usize)) {
    let fst: &Fst<Vec<u8>> = set.as_fst();
    let bytes = text.as_bytes();
    for (start, _) in text.char_indices() {
        let mut node = fst.root();
        for (k, &b) in bytes[start..].iter().enumerate() {
            let Some(i) = node.find_input(b) else {
                break;
            };
            node = fst.node(node.transition(i).addr);
            if node.is_final() {
                f(start, start + k + 1);
            }
        }
    }
}

/// Length in bytes of the longest common prefix of `a` and `b`, on a char boundary.
fn common_prefix_bytes(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|&((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i)
}

/// Length in bytes of the longest common suffix of `a` and `b`, on a char boundary.
fn common_suffix_bytes(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum()
}

/// Undoes in-word and whole-word synonym swaps; see the module doc.
#[derive(Debug, Clone)]
pub struct SpinReverser<'t> {
    thesaurus: &'t Thesaurus,
    costs: SpinCosts,
    /// Letters-only synonyms of `min_synonym_chars` or more.
    synonyms: fst::Set<Vec<u8>>,
    /// Headwords with at least one letters-only synonym.
    headwords: fst::Set<Vec<u8>>,
}

impl<'t> SpinReverser<'t> {
    /// Builds the synonym and headword sets of `thesaurus` (tens of milliseconds for
    /// 50k headwords).
    pub fn new(thesaurus: &'t Thesaurus, costs: SpinCosts) -> SpinReverser<'t> {
        let mut synonyms = BTreeSet::new();
        let mut headwords = Vec::new();
        for h in thesaurus.headwords() {
            let mut usable = false;
            for s in thesaurus.synonyms(h).filter(|s| is_spin_word(s)) {
                usable = true;
                if s.chars().count() >= costs.min_synonym_chars {
                    synonyms.insert(s);
                }
            }
            if usable && is_spin_word(h) {
                headwords.push(h);
            }
        }
        SpinReverser {
            thesaurus,
            costs,
            synonyms: fst::Set::from_iter(synonyms)
                .expect("a BTreeSet iterates in sorted order without repeats"),
            headwords: fst::Set::from_iter(headwords)
                .expect("thesaurus headwords come in bytewise order without repeats"),
        }
    }

    /// The thesaurus it reverses.
    pub fn thesaurus(&self) -> &'t Thesaurus {
        self.thesaurus
    }

    /// The costs it prices reversals with.
    pub fn costs(&self) -> &SpinCosts {
        &self.costs
    }

    /// Byte ranges of `folded` that are searchable synonyms.
    pub fn synonym_matches(&self, folded: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for_each_key_in(&self.synonyms, folded, |a, b| out.push((a, b)));
        out
    }

    /// Number of letters-only synonyms of headword `h`.
    fn synonym_count(&self, h: &str) -> usize {
        self.thesaurus
            .synonyms(h)
            .filter(|s| is_spin_word(s))
            .count()
    }

    /// Number of places in `word` where a spinner could have swapped a piece: substrings
    /// of `min_headword_chars` or more, shorter than the word, that are headwords.
    fn sites(&self, word: &str) -> usize {
        let mut n = 0;
        for_each_key_in(&self.headwords, word, |a, b| {
            if b - a < word.len() && word[a..b].chars().count() >= self.costs.min_headword_chars {
                n += 1;
            }
        });
        n
    }

    /// Whether a spinner could have turned `word` into `token` (both case-folded) by
    /// swapping one piece inside it: the two differ only where a headword of `word`
    /// stands in `word` and one of its synonyms in `token`.
    ///
    /// This is the question [`SpinReverser::reversals`] answers for every word at once,
    /// asked of one pair: the swapped piece must cover the part where the two differ,
    /// so only the splits inside their common prefix and suffix are tried, one thesaurus
    /// look-up each. Cost: `O(prefix * suffix)` look-ups, none when the two share no
    /// first or last character.
    pub fn is_inword_swap(&self, word: &str, token: &str) -> bool {
        let prefix = common_prefix_bytes(word, token);
        let limit = word.len().min(token.len()) - prefix;
        let suffix = common_suffix_bytes(&word[prefix..], &token[prefix..]).min(limit);
        let costs = &self.costs;
        (0..=prefix).filter(|&i| word.is_char_boundary(i)).any(|i| {
            (0..=suffix)
                .filter(|&j| word.is_char_boundary(word.len() - j))
                .any(|j| {
                    let head = &word[i..word.len() - j];
                    let piece = &token[i..token.len() - j];
                    head.len() < word.len()
                        && is_spin_word(head)
                        && is_spin_word(piece)
                        && head.chars().count() >= costs.min_headword_chars
                        && piece.chars().count() >= costs.min_synonym_chars
                        && self.thesaurus.synonyms(head).any(|s| s == piece)
                })
        })
    }

    /// Every word `is_word` accepts that a spinner could have turned into `folded` (a
    /// case-folded token) with one or two in-word swaps or one whole-word swap, with its
    /// channel probability. `has_prefix(p)` must say whether some accepted word starts
    /// with `p` (it prunes two-swap combinations). The same word may appear more than once
    /// (reached by different swaps); the caller adds their probabilities.
    pub fn reversals(
        &self,
        folded: &str,
        is_word: impl Fn(&str) -> bool,
        has_prefix: impl Fn(&str) -> bool,
    ) -> Vec<Reversal> {
        let costs = &self.costs;
        let usable = |h: &&str| is_spin_word(h) && h.chars().count() >= costs.min_headword_chars;
        let matches = self.synonym_matches(folded);
        let mut out = Vec::new();
        // (word, headwords put back); priced below.
        let mut found: Vec<(String, Vec<&str>)> = Vec::new();
        for &(a, b) in &matches {
            let s = &folded[a..b];
            if a == 0 && b == folded.len() {
                for h in self.thesaurus.sources(s).filter(usable) {
                    if is_word(h) {
                        out.push(Reversal {
                            word: h.to_string(),
                            log_prob: -costs.whole_word - (self.synonym_count(h) as f64).ln(),
                            swaps: 0,
                        });
                    }
                }
                continue;
            }
            for h in self.thesaurus.sources(s).filter(usable) {
                let w = format!("{}{h}{}", &folded[..a], &folded[b..]);
                if w != h && is_word(&w) {
                    found.push((w, vec![h]));
                }
            }
        }
        for (i, &(a1, b1)) in matches.iter().enumerate() {
            for &(a2, b2) in &matches[i + 1..] {
                if a2 < b1 {
                    continue;
                }
                let (s1, s2) = (&folded[a1..b1], &folded[a2..b2]);
                for h1 in self.thesaurus.sources(s1).filter(usable) {
                    let head = format!("{}{h1}{}", &folded[..a1], &folded[b1..a2]);
                    if !has_prefix(&head) {
                        continue;
                    }
                    for h2 in self.thesaurus.sources(s2).filter(usable) {
                        let w = format!("{head}{h2}{}", &folded[b2..]);
                        if is_word(&w) {
                            found.push((w, vec![h1, h2]));
                        }
                    }
                }
            }
        }
        for (word, heads) in found {
            let sites = self.sites(&word).max(heads.len()) as f64;
            let mut log_prob = -costs.inword - heads.len() as f64 * sites.ln();
            if heads.len() > 1 {
                log_prob -= costs.second_swap;
            }
            for h in &heads {
                log_prob -= (self.synonym_count(h).max(1) as f64).ln();
            }
            out.push(Reversal {
                word,
                log_prob,
                swaps: heads.len(),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thesaurus() -> Thesaurus {
        Thesaurus::from_pairs([
            ("aid", vec!["help", "assist"]),
            ("form", vec!["establish", "shape"]),
            ("ally", vec!["associate", "friend"]),
            ("old", vec!["elderly", "aged"]),
            ("go", vec!["elderly"]),
        ])
    }

    const WORDS: &[&str] = &["said", "formally", "form", "cold", "told", "aid", "old"];

    fn reversals(token: &str) -> Vec<Reversal> {
        let th = thesaurus();
        let r = SpinReverser::new(&th, SpinCosts::default());
        let mut out = r.reversals(
            token,
            |w| WORDS.contains(&w),
            |p| WORDS.iter().any(|w| w.starts_with(p)),
        );
        out.sort_by(|a, b| a.word.cmp(&b.word));
        out
    }

    #[test]
    fn one_swap_inside_a_word() {
        let got = reversals("shelp");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].word, "said");
        assert_eq!(got[0].swaps, 1);
        // "said" has one site (aid), "aid" two synonyms: ln P = -inword - ln 1 - ln 2.
        let want = -SpinCosts::default().inword - 2f64.ln();
        assert!((got[0].log_prob - want).abs() < 1e-12, "{got:?}");
    }

    #[test]
    fn two_swaps() {
        let got = reversals("establishassociate");
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].word.as_str(), got[0].swaps), ("formally", 2));
    }

    #[test]
    fn whole_word_swap() {
        let got = reversals("elderly");
        // "go" is too short to be a swapped piece (min_headword_chars = 3).
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].word.as_str(), got[0].swaps), ("old", 0));
    }

    #[test]
    fn headwords_are_put_back_only_where_a_word_results() {
        let got: Vec<String> = reversals("telderly").into_iter().map(|r| r.word).collect();
        assert_eq!(got, vec!["told"]);
        assert!(reversals("xyz").is_empty());
        assert!(reversals("").is_empty());
    }

    #[test]
    fn recognises_one_swap_between_two_given_words() {
        let th = thesaurus();
        let r = SpinReverser::new(&th, SpinCosts::default());
        // Every single-swap reversal is recognised from the pair alone.
        for token in [
            "shelp",
            "telderly",
            "sassist",
            "xyz",
            "elderly",
            "establishally",
        ] {
            for got in reversals(token).into_iter().filter(|g| g.swaps == 1) {
                assert!(
                    r.is_inword_swap(&got.word, token),
                    "{} -> {token}",
                    got.word
                );
            }
        }
        assert!(r.is_inword_swap("said", "shelp"));
        // The swap may share letters with what surrounds it ("aid" -> "assist" keeps
        // the "a" of "said").
        assert!(r.is_inword_swap("said", "sassist"));
        assert!(r.is_inword_swap("tulkaid", "tulkhelp"));
        // Not a synonym of the piece, the whole word, a piece too short, or equal.
        assert!(!r.is_inword_swap("said", "sfoo"));
        assert!(!r.is_inword_swap("old", "elderly"));
        assert!(!r.is_inword_swap("ago", "aelderly"));
        assert!(!r.is_inword_swap("said", "said"));
        assert!(!r.is_inword_swap("", ""));
    }

    #[test]
    fn finds_synonyms_at_every_position() {
        let th = thesaurus();
        let r = SpinReverser::new(&th, SpinCosts::default());
        assert_eq!(r.synonym_matches("xhelpxassist"), vec![(1, 5), (6, 12)]);
        assert_eq!(r.synonym_matches("héhelp"), vec![(3, 7)]);
    }
}
