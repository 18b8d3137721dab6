//! Sound-alike keys: a rough spelling of how an English word sounds, so that misspellings
//! too far from their word for edit distance ("aratictature" for "architecture") can
//! still find it.
//!
//! One misspelling in five in the Aspell test list is more than two edits from its word,
//! but most keep its consonant skeleton. [`crate::correct`] indexes every lexicon word by
//! [`sound_key`] and proposes the words whose key is within one edit of the token's; the
//! noisy channel then ranks them with the other candidates.
//!
//! # Algorithm
//!
//! Idea: a simplified Metaphone. Case-fold, keep letters only; rewrite spellings that
//! sound alike (`ph` -> `f`, `ck` -> `k`, soft `c` -> `s`, hard `c` -> `k`, soft `g` ->
//! `j`, `x` -> `ks`, `z` -> `s`, silent `k` / `w` in `kn` / `wr`, ...); keep the first
//! letter; drop vowels, `y`, `h` and `w` after it; merge repeated letters (also across the dropped vowels). "architecture"
//! -> `arktktr`, "aratictature" -> `artktr` (one deletion apart).
//!
//! Cost: linear in the word, a few small allocations.
//!
//! Weaknesses: English spelling only (other scripts keep their letters unchanged, which
//! still works as a consonant skeleton for Latin-script languages); short words collapse
//! to one- or two-letter keys shared by thousands of words, so the corrector uses keys
//! only for tokens of four or more letters; vowel-only mistakes are invisible to it, which
//! is fine since edit distance handles those.
//!
//! Reference: L. Philips, "Hanging on the Metaphone", Computer Language 7(12), 1990; the
//! "soundslike" suggestions of GNU Aspell follow the same idea.

/// The sound-alike key of a word; see the module doc. Empty if the word has no letters.
pub fn sound_key(word: &str) -> String {
    let mut w: String = word
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    const REWRITES: [(&str, &str); 12] = [
        ("tch", "ch"),
        ("sch", "sk"),
        ("ph", "f"),
        ("ck", "k"),
        ("dg", "j"),
        ("wh", "w"),
        ("gh", "g"),
        ("kn", "n"),
        ("wr", "r"),
        ("q", "k"),
        ("x", "ks"),
        ("z", "s"),
    ];
    for (from, to) in REWRITES {
        if w.contains(from) {
            w = w.replace(from, to);
        }
    }
    let chars: Vec<char> = w.chars().collect();
    let mut out = String::with_capacity(chars.len());
    let mut last = None;
    for (i, &c) in chars.iter().enumerate() {
        let soft = matches!(chars.get(i + 1), Some('e' | 'i' | 'y'));
        let c = match c {
            'c' if soft => 's',
            'c' => 'k',
            'g' if soft => 'j',
            _ => c,
        };
        if i > 0 && matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'h' | 'w') {
            continue;
        }
        if last != Some(c) {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! case {
        ($name:ident, $word:expr, $key:expr) => {
            #[test]
            fn $name() {
                assert_eq!(sound_key($word), $key);
            }
        };
    }

    case!(consonant_skeleton, "architecture", "arktktr");
    case!(far_misspelling_is_one_edit_away, "aratictature", "artktr");
    case!(ph_is_f, "phone", "fn");
    case!(soft_c, "necessary", "nsr");
    case!(soft_c_misspelt, "nesesary", "nsr");
    case!(doubled_letters_merge, "accommodate", "akmdt");
    case!(case_and_punctuation_ignored, "Don't", "dnt");
    case!(silent_k, "knight", "ngt");
    case!(no_letters, "123", "");

    proptest! {
        #[test]
        fn never_panics_and_stays_short(w in "\\PC{0,30}") {
            let k = sound_key(&w);
            prop_assert!(k.chars().count() <= 2 * w.chars().count());
        }

        #[test]
        fn ignores_ascii_case(w in "[a-zA-Z']{0,20}") {
            prop_assert_eq!(sound_key(&w), sound_key(&w.to_ascii_uppercase()));
        }
    }
}
