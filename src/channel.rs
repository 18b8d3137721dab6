//! The error channel: how likely a typist, an OCR engine or a speller turns an intended
//! word into what was typed, `P(typed | intended)`.
//!
//! Ranking corrections is a noisy-channel decision ([`crate::correct`]): the best
//! candidate `c` for a token `t` maximises `P(c) * P(t | c)`. Unit edit distance treats
//! "recieve" -> "receive" (a transposition) like "recieve" -> "relieve" (a substitution),
//! but people and machines err in patterns: neighbouring keys, doubled letters typed once,
//! vowels confused with vowels, `rn` read as `m`. This module prices those edits.
//!
//! # Algorithm: weighted edit distance with multi-character rules
//!
//! Idea: the cost of the cheapest alignment of the intended word with the typed one,
//! where each edit costs `-ln P(edit)` (nats) and depends on its context: a substitution
//! by a QWERTY neighbour, a vowel for a vowel or an accented letter for its base letter
//! is cheaper than any other; leaving out one letter of a double ("acomodate") is
//! cheaper than leaving out any letter; typing a letter twice or a key next to it is
//! cheaper than inserting any letter; adjacent letters swapped cost one edit. Multi-letter
//! rules cover confusions a character edit can't express cheaply: OCR look-alikes (`rn`
//! / `m`, `cl` / `d`, `li` / `h`, `vv` / `w`, `ii` / `u`, `l` / `1` / `i`, `o` / `0`, `e` /
//! `c`, `h` / `b`) and a few English sound-alike spellings (`ph` / `f`, `c` / `s` / `k`,
//! `s` / `z`, ...). Any edit touching the first letter costs extra, because people rarely
//! get the first letter wrong. `P(typed | intended) = exp(-cost)`.
//!
//! Cost: a `(|intended| + 1) x (|typed| + 1)` table; each cell tries the four classic edits
//! and the rules ending at it, so about `30 * n * m` steps. It runs only on the few hundred
//! candidates [`crate::symspell`] returns, never over the lexicon.
//!
//! Weaknesses: the minimum over alignments (Viterbi) instead of their sum slightly
//! underestimates words reachable in many ways; costs are hand-set and tuned on synthetic
//! typos and the Aspell list (see `examples/misspellings.rs`), not learned from a corpus of
//! real errors as Brill & Moore do; edit positions other than the first letter are
//! treated alike.
//!
//! Reference: M. D. Kernighan, K. W. Church, W. A. Gale, "A spelling correction program
//! based on a noisy channel model", COLING 1990; E. Brill, R. C. Moore, "An improved error
//! model for noisy channel spelling correction", ACL 2000.

/// Costs of the edits, in nats (`-ln` probability). Lower is more likely.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelCosts {
    /// Any letter replaced by any other.
    pub substitute: f64,
    /// A letter replaced by a QWERTY neighbour.
    pub substitute_neighbour: f64,
    /// A vowel replaced by another vowel.
    pub substitute_vowel: f64,
    /// A letter replaced by the same base letter with or without an accent (`é` / `e`).
    pub substitute_accent: f64,
    /// A letter left out.
    pub delete: f64,
    /// One letter of a doubled pair left out (`acomodate`).
    pub delete_double: f64,
    /// An extra letter typed.
    pub insert: f64,
    /// A letter typed twice (`untill`).
    pub insert_double: f64,
    /// An extra key next to a neighbouring typed letter.
    pub insert_neighbour: f64,
    /// An apostrophe or hyphen left out or added (`dont`).
    pub punctuation: f64,
    /// Two adjacent letters swapped.
    pub transpose: f64,
    /// An OCR look-alike confusion (`rn` / `m`).
    pub ocr: f64,
    /// A sound-alike spelling (`ph` / `f`).
    pub sound: f64,
    /// Added to any edit that touches the first letter.
    pub first_letter: f64,
}

impl Default for ChannelCosts {
    /// Set by coordinate descent (`scripts/tune_correct.py`) on synthetic typos, OCR
    /// errors and in-word spins plus the Aspell misspelling list; `substitute_accent` and
    /// `punctuation` were not tuned.
    fn default() -> Self {
        ChannelCosts {
            substitute: 6.9,
            substitute_neighbour: 4.8,
            substitute_vowel: 4.85,
            substitute_accent: 2.5,
            delete: 4.25,
            delete_double: 3.0,
            insert: 6.3,
            insert_double: 3.75,
            insert_neighbour: 5.2,
            punctuation: 3.0,
            transpose: 3.15,
            ocr: 3.0,
            sound: 3.25,
            first_letter: 0.5,
        }
    }
}

impl ChannelCosts {
    /// A lower bound of [`Channel::cost`] for any two words `distance` OSA edits apart.
    ///
    /// An alignment is made of one-edit steps (plain edits, one-letter rules) and
    /// two-letter rules that span at most two OSA edits, so the bound is the cheapest mix
    /// of `a` single steps and `b` double rules with `a + 2b >= distance`.
    pub fn lower_bound(&self, distance: usize) -> f64 {
        let single = [
            self.substitute,
            self.substitute_neighbour,
            self.substitute_vowel,
            self.substitute_accent,
            self.delete,
            self.delete_double,
            self.insert,
            self.insert_double,
            self.insert_neighbour,
            self.punctuation,
            self.transpose,
            self.ocr,
            self.sound,
        ]
        .into_iter()
        .fold(f64::INFINITY, f64::min);
        let double = self.ocr.min(self.sound);
        (0..=distance.div_ceil(2))
            .map(|b| (distance.saturating_sub(2 * b)) as f64 * single + b as f64 * double)
            .fold(f64::INFINITY, f64::min)
    }
}

/// Which family a multi-character rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuleKind {
    Ocr,
    Sound,
}

/// `intended` written as `typed`.
struct Rule {
    intended: &'static [char],
    typed: &'static [char],
    kind: RuleKind,
}

macro_rules! rules {
    ($kind:ident: $($a:expr => $b:expr),* $(,)?) => {
        &[$(Rule { intended: $a, typed: $b, kind: RuleKind::$kind }),*]
    };
}

/// OCR look-alikes on case-folded text (`I` and `l` both fold to letters, so the `I` / `l`
/// / `1` triangle becomes `i` / `l` / `1`), in both directions.
const OCR_RULES: &[Rule] = rules!(Ocr:
    &['r', 'n'] => &['m'], &['m'] => &['r', 'n'],
    &['c', 'l'] => &['d'], &['d'] => &['c', 'l'],
    &['l', 'i'] => &['h'], &['h'] => &['l', 'i'],
    &['v', 'v'] => &['w'], &['w'] => &['v', 'v'],
    &['i', 'i'] => &['u'], &['u'] => &['i', 'i'],
    &['l'] => &['1'], &['1'] => &['l'],
    &['i'] => &['1'], &['1'] => &['i'],
    &['i'] => &['l'], &['l'] => &['i'],
    &['o'] => &['0'], &['0'] => &['o'],
    &['e'] => &['c'], &['c'] => &['e'],
    &['h'] => &['b'], &['b'] => &['h'],
);

/// Most readings [`ocr_readings`] visits for one token, a bound on hostile input.
const MAX_OCR_READINGS: usize = 4096;

/// Calls `f` with every reading of `typed` (case-folded) that undoes one to `max_rules`
/// OCR look-alike confusions at non-overlapping places (`mcrnory` -> `memory` undoes
/// `c` <- `e` and `m` <- `rn`), at most `MAX_OCR_READINGS` (4096) of them, in a fixed order. A
/// reading may repeat when two rule sets give the same word.
///
/// Why: the edit-distance index finds words at most two plain edits away, but two OCR
/// confusions are often three or four (`rn` for `m` is a substitution and an insertion),
/// while the channel prices each as one cheap edit. Undoing the rules directly reaches
/// those words at a cost of a few dozen look-ups.
pub fn ocr_readings(typed: &[char], max_rules: usize, mut f: impl FnMut(&[char])) {
    // Every place a rule's typed side occurs: (position, rule).
    let sites: Vec<(usize, &Rule)> = (0..typed.len())
        .flat_map(|at| {
            OCR_RULES
                .iter()
                .filter(move |r| typed[at..].starts_with(r.typed))
                .map(move |r| (at, r))
        })
        .collect();
    let mut walk = ReadingWalk {
        typed,
        sites: &sites,
        reading: Vec::with_capacity(typed.len() + max_rules),
        visited: 0,
    };
    walk.visit(0, 0, max_rules, &mut f);
}

/// The depth-first walk of [`ocr_readings`] over sets of sites in increasing order.
struct ReadingWalk<'a> {
    typed: &'a [char],
    sites: &'a [(usize, &'a Rule)],
    /// The reading being built: `typed` with the chosen rules undone.
    reading: Vec<char>,
    visited: usize,
}

impl ReadingWalk<'_> {
    /// Extends the current choice with sites from index `from` on that start at or after
    /// `done` (the part of `typed` already copied), at most `left` more.
    fn visit(&mut self, from: usize, done: usize, left: usize, f: &mut impl FnMut(&[char])) {
        if left == 0 {
            return;
        }
        for k in from..self.sites.len() {
            let (at, rule) = self.sites[k];
            if at < done || self.visited >= MAX_OCR_READINGS {
                continue;
            }
            let mark = self.reading.len();
            self.reading.extend_from_slice(&self.typed[done..at]);
            self.reading.extend_from_slice(rule.intended);
            let end = at + rule.typed.len();
            let rest = self.reading.len();
            self.reading.extend_from_slice(&self.typed[end..]);
            self.visited += 1;
            f(&self.reading);
            self.reading.truncate(rest);
            self.visit(k + 1, end, left - 1, f);
            self.reading.truncate(mark);
        }
    }
}

/// English sound-alike spellings, in both directions.
const SOUND_RULES: &[Rule] = rules!(Sound:
    &['p', 'h'] => &['f'], &['f'] => &['p', 'h'],
    &['c'] => &['s'], &['s'] => &['c'],
    &['c'] => &['k'], &['k'] => &['c'],
    &['s'] => &['z'], &['z'] => &['s'],
    &['c', 'k'] => &['k'], &['k'] => &['c', 'k'],
    &['x'] => &['k', 's'], &['k', 's'] => &['x'],
    &['g'] => &['j'], &['j'] => &['g'],
    &['y'] => &['i'], &['i'] => &['y'],
    &['w', 'h'] => &['w'], &['w'] => &['w', 'h'],
);

/// QWERTY position of a lowercase ASCII letter: (row, x) with rows staggered as on a
/// keyboard (offsets 0, 0.25, 0.75 key widths).
const fn key_position(c: u8) -> Option<(i32, f32)> {
    const ROWS: [(&[u8], f32); 3] = [
        (b"qwertyuiop", 0.0),
        (b"asdfghjkl", 0.25),
        (b"zxcvbnm", 0.75),
    ];
    let mut row = 0;
    while row < ROWS.len() {
        let (keys, offset) = ROWS[row];
        let mut col = 0;
        while col < keys.len() {
            if keys[col] == c {
                return Some((row as i32, col as f32 + offset));
            }
            col += 1;
        }
        row += 1;
    }
    None
}

/// `NEIGHBOURS[a] & (1 << b)` for letters `a`, `b` (0 = `a`): whether the keys touch.
const NEIGHBOURS: [u32; 26] = {
    let mut table = [0u32; 26];
    let mut a = 0;
    while a < 26 {
        let mut b = 0;
        while b < 26 {
            if let (Some((ra, xa)), Some((rb, xb))) =
                (key_position(b'a' + a as u8), key_position(b'a' + b as u8))
            {
                let dx = if xa > xb { xa - xb } else { xb - xa };
                let same_row = ra == rb && dx > 0.99 && dx < 1.01;
                let next_row = (ra - rb == 1 || rb - ra == 1) && dx < 1.0;
                if same_row || next_row {
                    table[a] |= 1 << b;
                }
            }
            b += 1;
        }
        a += 1;
    }
    table
};

/// Whether two keys touch on a QWERTY keyboard (same row next to each other, or on an
/// adjacent row less than a key width apart).
pub fn keyboard_neighbours(a: char, b: char) -> bool {
    if a.is_ascii_lowercase() && b.is_ascii_lowercase() {
        NEIGHBOURS[(a as u8 - b'a') as usize] & (1 << (b as u8 - b'a')) != 0
    } else {
        false
    }
}

/// A 64-bit summary of which characters occur in a word (a Bloom-style mask), so rules
/// that cannot apply are skipped before the table is filled.
fn char_mask(chars: &[char]) -> u64 {
    chars.iter().fold(0, |m, &c| m | 1 << (c as u32 % 64))
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// The unaccented base of a Latin letter, for the common precomposed ones.
fn base_letter(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'č' | 'ć' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'š' | 'ś' | 'ş' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        'ł' => 'l',
        'ř' => 'r',
        _ => c,
    }
}

fn is_punctuation(c: char) -> bool {
    matches!(c, '\'' | '-' | '.')
}

/// The weighted edit distance of the module doc; see [`Channel::cost`].
#[derive(Debug, Clone)]
pub struct Channel {
    costs: ChannelCosts,
    /// Substitution costs between `a`..=`z` (intended row, typed column), precomputed
    /// because the table's inner loop asks for one per cell.
    ascii_substitution: [[f64; 26]; 26],
}

impl Default for Channel {
    fn default() -> Self {
        Channel::new(ChannelCosts::default())
    }
}

impl Channel {
    /// A channel with the given costs.
    pub fn new(costs: ChannelCosts) -> Channel {
        let mut channel = Channel {
            costs,
            ascii_substitution: [[0.0; 26]; 26],
        };
        for a in 0..26u8 {
            for b in 0..26u8 {
                let (ca, cb) = (char::from(b'a' + a), char::from(b'a' + b));
                channel.ascii_substitution[usize::from(a)][usize::from(b)] =
                    channel.substitution_slow(ca, cb);
            }
        }
        channel
    }

    /// The costs in use.
    pub fn costs(&self) -> &ChannelCosts {
        &self.costs
    }

    #[inline]
    fn substitution(&self, intended: char, typed: char) -> f64 {
        if intended.is_ascii_lowercase() && typed.is_ascii_lowercase() {
            let (a, b) = (
                intended as usize - 'a' as usize,
                typed as usize - 'a' as usize,
            );
            return self.ascii_substitution[a][b];
        }
        self.substitution_slow(intended, typed)
    }

    fn substitution_slow(&self, intended: char, typed: char) -> f64 {
        let c = &self.costs;
        if base_letter(intended) == base_letter(typed) {
            c.substitute_accent
        } else if is_vowel(intended) && is_vowel(typed) {
            c.substitute_vowel
        } else if keyboard_neighbours(intended, typed) {
            c.substitute_neighbour
        } else {
            c.substitute
        }
    }

    /// Cost of leaving out `intended[i]`.
    fn deletion(&self, intended: &[char], i: usize) -> f64 {
        let c = intended[i];
        if is_punctuation(c) {
            self.costs.punctuation
        } else if (i > 0 && intended[i - 1] == c) || intended.get(i + 1) == Some(&c) {
            self.costs.delete_double
        } else {
            self.costs.delete
        }
    }

    /// Cost of the extra `typed[j]`.
    fn insertion(&self, typed: &[char], j: usize) -> f64 {
        let c = typed[j];
        let prev = j.checked_sub(1).map(|p| typed[p]);
        let next = typed.get(j + 1).copied();
        if is_punctuation(c) {
            self.costs.punctuation
        } else if prev == Some(c) || next == Some(c) {
            self.costs.insert_double
        } else if prev.is_some_and(|p| keyboard_neighbours(p, c))
            || next.is_some_and(|n| keyboard_neighbours(n, c))
        {
            self.costs.insert_neighbour
        } else {
            self.costs.insert
        }
    }

    /// `-ln P(typed | intended)` in nats: the cheapest alignment under the module's
    /// weighted edits. 0 when the words are equal. Both words are case-folded `char`s.
    pub fn cost(&self, typed: &[char], intended: &[char]) -> f64 {
        self.cost_within(typed, intended, f64::INFINITY, &mut Vec::new())
            .unwrap_or(f64::INFINITY)
    }

    /// [`Channel::cost`] if it is at most `limit`, else `None` (computed faster: the table
    /// stops once two consecutive rows exceed `limit`). `scratch` is reused between calls.
    pub fn cost_within(
        &self,
        typed: &[char],
        intended: &[char],
        limit: f64,
        scratch: &mut Vec<f64>,
    ) -> Option<f64> {
        if typed == intended {
            return Some(0.0);
        }
        // Only the rules whose letters occur in both words can apply.
        let (mi, mt) = (char_mask(intended), char_mask(typed));
        let mut rules: [Option<&Rule>; 64] = [None; 64];
        let mut nrules = 0;
        for rule in OCR_RULES.iter().chain(SOUND_RULES) {
            if char_mask(rule.intended) & !mi == 0
                && char_mask(rule.typed) & !mt == 0
                && nrules < 64
            {
                rules[nrules] = Some(rule);
                nrules += 1;
            }
        }
        let rules = &rules[..nrules];

        let (n, m) = (intended.len(), typed.len());
        let w = m + 1;
        let t = scratch;
        t.clear();
        t.resize((n + 1) * w + n + m, f64::INFINITY);
        // Context-dependent deletion and insertion costs, once per position, stored after
        // the table.
        let (t, rest) = t.split_at_mut((n + 1) * w);
        let (deletion, insertion) = rest.split_at_mut(n);
        for (i, d) in deletion.iter_mut().enumerate() {
            *d = self.deletion(intended, i);
        }
        for (j, c) in insertion.iter_mut().enumerate() {
            *c = self.insertion(typed, j);
        }
        t[0] = 0.0;
        let first = self.costs.first_letter;
        // Extra cost when an edit starts at intended position `i` or typed position `j`.
        let at_start = |i: usize, j: usize| if i == 0 || j == 0 { first } else { 0.0 };
        let mut prev_row_min = 0.0f64;
        for i in 0..=n {
            let mut row_min = f64::INFINITY;
            for j in 0..=m {
                if i == 0 && j == 0 {
                    row_min = 0.0;
                    continue;
                }
                let mut best = f64::INFINITY;
                if i > 0 && j > 0 {
                    let (a, b) = (intended[i - 1], typed[j - 1]);
                    let step = if a == b {
                        0.0
                    } else {
                        self.substitution(a, b) + at_start(i - 1, j - 1)
                    };
                    best = best.min(t[(i - 1) * w + j - 1] + step);
                    if i > 1 && j > 1 && a == typed[j - 2] && intended[i - 2] == b && a != b {
                        let step = self.costs.transpose + at_start(i - 2, j - 2);
                        best = best.min(t[(i - 2) * w + j - 2] + step);
                    }
                }
                if i > 0 {
                    let step = deletion[i - 1] + at_start(i - 1, j);
                    best = best.min(t[(i - 1) * w + j] + step);
                }
                if j > 0 {
                    let step = insertion[j - 1] + at_start(i, j - 1);
                    best = best.min(t[i * w + j - 1] + step);
                }
                for rule in rules.iter().flatten() {
                    let (la, lb) = (rule.intended.len(), rule.typed.len());
                    if la > i
                        || lb > j
                        || intended[i - la..i] != *rule.intended
                        || typed[j - lb..j] != *rule.typed
                    {
                        continue;
                    }
                    let base = match rule.kind {
                        RuleKind::Ocr => self.costs.ocr,
                        RuleKind::Sound => self.costs.sound,
                    };
                    let step = base + at_start(i - la, j - lb);
                    best = best.min(t[(i - la) * w + j - lb] + step);
                }
                t[i * w + j] = best;
                row_min = row_min.min(best);
            }
            // Every path to the end passes through row i or (by a two-row step) row i - 1.
            if row_min.min(prev_row_min) > limit {
                return None;
            }
            prev_row_min = row_min;
        }
        let c = t[n * w + m];
        (c <= limit).then_some(c)
    }

    /// `ln P(typed | intended)`, the negated [`Channel::cost`].
    pub fn log_prob(&self, typed: &[char], intended: &[char]) -> f64 {
        -self.cost(typed, intended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_look_alike_the_corrupter_makes_is_an_ocr_rule() {
        // `corrupt` confuses text in its own case and the channel prices folded text:
        // each confusion the evaluation data can hold, folded, must be one the channel
        // knows, or the corrector would price it as plain edits.
        for &(seen, read) in crate::corrupt::OCR_CONFUSIONS {
            let intended: Vec<char> = seen.to_lowercase().chars().collect();
            let typed: Vec<char> = read.to_lowercase().chars().collect();
            assert!(
                OCR_RULES
                    .iter()
                    .any(|r| r.intended == intended.as_slice() && r.typed == typed.as_slice()),
                "{seen} -> {read}"
            );
        }
    }
    use proptest::prelude::*;

    fn cost(typed: &str, intended: &str) -> f64 {
        let t: Vec<char> = typed.chars().collect();
        let i: Vec<char> = intended.chars().collect();
        Channel::default().cost(&t, &i)
    }

    #[test]
    fn neighbours() {
        assert!(keyboard_neighbours('a', 's'));
        assert!(keyboard_neighbours('a', 'q'));
        assert!(keyboard_neighbours('a', 'z'));
        assert!(keyboard_neighbours('f', 'v'));
        assert!(!keyboard_neighbours('a', 'd'));
        assert!(!keyboard_neighbours('q', 'p'));
        assert!(!keyboard_neighbours('a', 'é'));
    }

    #[test]
    fn likely_edits_are_cheaper() {
        let c = ChannelCosts::default();
        // Keyboard neighbour vs a far key.
        assert_eq!(cost("cst", "cat"), c.substitute_neighbour);
        assert_eq!(cost("cpt", "cat"), c.substitute);
        assert_eq!(cost("cot", "cat"), c.substitute_vowel);
        assert!(cost("caf", "cat") < cost("cam", "cat"));
        // Doubled letters.
        assert_eq!(cost("acomodate", "accommodate"), 2.0 * c.delete_double);
        assert_eq!(cost("untill", "until"), c.insert_double);
        // Transposition.
        assert_eq!(cost("recieve", "receive"), c.transpose);
        // First letter.
        assert_eq!(cost("xat", "cat"), c.substitute_neighbour + c.first_letter);
        // Apostrophe.
        assert_eq!(cost("dont", "don't"), c.punctuation);
    }

    fn readings(typed: &str, max_rules: usize) -> Vec<String> {
        let t: Vec<char> = typed.chars().collect();
        let mut out = Vec::new();
        ocr_readings(&t, max_rules, |r| out.push(r.iter().collect::<String>()));
        out
    }

    #[test]
    fn ocr_readings_undo_look_alikes_in_combination() {
        let one = readings("mcrnory", 1);
        assert!(one.contains(&"mernory".to_string()));
        assert!(one.contains(&"mcmory".to_string()));
        assert!(!one.contains(&"memory".to_string()));
        let two = readings("mcrnory", 2);
        assert!(two.contains(&"memory".to_string()));
        assert!(readings("tlic", 2).contains(&"the".to_string()));
        assert!(readings("vvcre", 2).contains(&"were".to_string()));
        assert!(readings("siinclay", 2).contains(&"sunday".to_string()));
        // Every reading is priced by the channel as that many OCR edits at most.
        let c = ChannelCosts::default();
        assert!(cost("mcrnory", "memory") <= 2.0 * c.ocr + 1e-9);
        // Nothing to undo, nothing read; the token itself is never a reading.
        assert!(readings("gag", 3).is_empty());
        assert!(!readings("modern", 3).contains(&"modern".to_string()));
    }

    #[test]
    fn ocr_readings_are_bounded() {
        let long = "rn".repeat(30);
        assert!(readings(&long, 3).len() <= MAX_OCR_READINGS);
        assert!(readings("rnrn", 0).is_empty());
    }

    #[test]
    fn ocr_confusions_are_single_edits() {
        let c = ChannelCosts::default();
        assert_eq!(cost("modem", "modern"), c.ocr);
        assert_eq!(cost("rnodern", "modern"), c.ocr + c.first_letter);
        assert_eq!(cost("hcllo", "hello"), c.ocr);
        assert_eq!(cost("he11o", "hello"), 2.0 * c.ocr);
        assert_eq!(cost("c0ld", "cold"), c.ocr);
        assert_eq!(cost("vvorld", "world"), c.ocr + c.first_letter);
        assert_eq!(cost("tbe", "the"), c.ocr);
        assert_eq!(cost("clog", "dog"), c.ocr + c.first_letter);
    }

    #[test]
    fn sound_alikes() {
        let c = ChannelCosts::default();
        assert_eq!(cost("fone", "phone"), c.sound + c.first_letter);
        assert_eq!(cost("nesessary", "necessary"), c.sound);
    }

    #[test]
    fn accents() {
        assert_eq!(
            cost("cafe", "café"),
            ChannelCosts::default().substitute_accent
        );
    }

    fn word() -> impl Strategy<Value = Vec<char>> {
        proptest::collection::vec(
            prop::sample::select(vec!['a', 'r', 'n', 'm', 'l', '1', 'é', '\'']),
            0..10,
        )
    }

    proptest! {
        #[test]
        fn finite_nonnegative_and_zero_iff_equal(a in word(), b in word()) {
            let ch = Channel::default();
            let c = ch.cost(&a, &b);
            prop_assert!(c.is_finite() && c >= 0.0);
            prop_assert_eq!(c == 0.0, a == b);
        }

        #[test]
        fn bounded_version_agrees(a in word(), b in word(), limit in 0.0f64..30.0) {
            let ch = Channel::default();
            let full = ch.cost(&a, &b);
            let bounded = ch.cost_within(&a, &b, limit, &mut Vec::new());
            prop_assert_eq!(bounded, (full <= limit).then_some(full));
        }

        #[test]
        fn lower_bound_holds_for_rule_letters(a in "[ackspfhxwilrnmeovuydgjz10']{0,9}", b in "[ackspfhxwilrnmeovuydgjz10']{0,9}") {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let costs = ChannelCosts::default();
            let d = crate::edit::osa_distance(&a, &b);
            let c = Channel::default().cost(&a, &b);
            prop_assert!(c >= costs.lower_bound(d) - 1e-9, "cost {} < bound {} at distance {}", c, costs.lower_bound(d), d);
        }

        #[test]
        fn lower_bound_holds(a in word(), b in word()) {
            let costs = ChannelCosts::default();
            let d = crate::edit::osa_distance(&a, &b);
            prop_assert!(Channel::default().cost(&a, &b) >= costs.lower_bound(d) - 1e-9);
        }

        #[test]
        fn bounded_by_plain_edits(a in word(), b in word()) {
            // Never more than deleting everything and typing everything again.
            let costs = ChannelCosts::default();
            let worst = (a.len() + b.len()) as f64
                * (costs.delete.max(costs.insert).max(costs.punctuation) + costs.first_letter);
            prop_assert!(Channel::default().cost(&a, &b) <= worst);
        }
    }
}
