//! Unit-cost edit distance between words: optimal string alignment (OSA).
//!
//! Candidate generation ([`crate::symspell`]) proposes lexicon words that *may* be within
//! `max_distance` edits of a token and verifies each one here, so this is the filter that
//! decides which words are candidates at all; ranking them is the job of the weighted
//! channel model in [`crate::channel`]. Distances count Unicode scalar values (`char`s),
//! not bytes, so "café" and "cafe" are one substitution apart.
//!
//! # Algorithm
//!
//! Idea: the Wagner–Fischer dynamic programme over a `(|a|+1) x (|b|+1)` table with the
//! extra transposition case of Damerau (adjacent letters swapped cost 1), restricted as in
//! OSA: no substring is edited twice, so "ca" -> "abc" costs 3, not 2. The bounded variant
//! only fills a diagonal band of width `2 * max + 1` (cells further from the diagonal are
//! necessarily above `max`, Ukkonen 1985) and stops as soon as a whole row exceeds `max`.
//!
//! Cost: `O(|a| * |b|)` time for [`osa_distance`], `O(min(|a|, |b|) * max)` for
//! [`osa_distance_within`]; three rows of memory.
//!
//! Weakness: OSA is not a metric. It breaks the triangle inequality (`d(ca, ac) = 1`,
//! `d(ac, abc) = 1`, `d(ca, abc) = 3`), which is harmless for candidate filtering but means
//! callers must not use it to prune a metric tree. The true Damerau–Levenshtein distance
//! (Lowrance–Wagner) fixes that at the price of an alphabet-sized table.
//!
//! Reference: F. J. Damerau, "A technique for computer detection and correction of spelling
//! errors", CACM 7(3), 1964; E. Ukkonen, "Algorithms for approximate string matching",
//! Information and Control 64, 1985.

/// The OSA distance between two words, counting `char`s.
pub fn osa_distance(a: &[char], b: &[char]) -> usize {
    osa_distance_within(a, b, a.len().max(b.len())).unwrap_or(usize::MAX)
}

/// The OSA distance between `a` and `b` if it is at most `max`, else `None`.
///
/// Faster than [`osa_distance`] for small `max`: only a band of the table is computed and
/// the computation stops once every cell of a row exceeds `max`.
pub fn osa_distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    // Strip the common prefix and suffix: they never change the distance and most
    // candidate pairs share a long prefix.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    // Make `a` the shorter one; OSA is symmetric.
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let (n, m) = (a.len(), b.len());
    if m - n > max {
        return None;
    }
    if n == 0 {
        return Some(m);
    }

    // Cells outside the band hold `big`, a value above any bound that can't overflow.
    let big = max + 1;
    let mut prev2 = vec![big; m + 1];
    let mut prev: Vec<usize> = (0..=m).map(|j| if j <= max { j } else { big }).collect();
    let mut cur = vec![big; m + 1];
    for i in 1..=n {
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(m);
        cur[0] = if i <= max { i } else { big };
        if lo > 1 {
            cur[lo - 1] = big;
        }
        let mut row_min = cur[0];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            let v = v.min(big);
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if hi < m {
            cur[hi + 1] = big;
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[m];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        osa_distance(&a, &b)
    }

    fn within(a: &str, b: &str, max: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        osa_distance_within(&a, &b, max)
    }

    /// The textbook full-table OSA, as an oracle for the banded version.
    fn reference(a: &[char], b: &[char]) -> usize {
        let (n, m) = (a.len(), b.len());
        let mut t = vec![vec![0usize; m + 1]; n + 1];
        for (i, row) in t.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in t[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=n {
            for j in 1..=m {
                let c = usize::from(a[i - 1] != b[j - 1]);
                t[i][j] = (t[i - 1][j] + 1)
                    .min(t[i][j - 1] + 1)
                    .min(t[i - 1][j - 1] + c);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    t[i][j] = t[i][j].min(t[i - 2][j - 2] + 1);
                }
            }
        }
        t[n][m]
    }

    macro_rules! case {
        ($name:ident, $a:expr, $b:expr, $want:expr) => {
            #[test]
            fn $name() {
                assert_eq!(d($a, $b), $want);
                assert_eq!(d($b, $a), $want);
            }
        };
    }

    case!(identical, "receive", "receive", 0);
    case!(empty_vs_word, "", "abc", 3);
    case!(one_substitution, "cat", "cut", 1);
    case!(one_insertion, "cat", "cart", 1);
    case!(one_deletion, "cart", "cat", 1);
    case!(one_transposition, "recieve", "receive", 1);
    case!(two_edits, "acommodate", "accommodate", 1);
    case!(non_ascii_counts_chars, "café", "cafe", 1);
    case!(osa_does_not_edit_twice, "ca", "abc", 3);

    #[test]
    fn osa_is_not_a_metric() {
        // Documented weakness: the triangle inequality fails for OSA.
        assert_eq!(d("ca", "ac"), 1);
        assert_eq!(d("ac", "abc"), 1);
        assert_eq!(d("ca", "abc"), 3);
    }

    #[test]
    fn bounded_version_cuts_off() {
        assert_eq!(within("kitten", "sitting", 3), Some(3));
        assert_eq!(within("kitten", "sitting", 2), None);
        assert_eq!(within("a", "abcd", 2), None);
        assert_eq!(within("", "ab", 2), Some(2));
        assert_eq!(within("abc", "abc", 0), Some(0));
    }

    fn word() -> impl Strategy<Value = Vec<char>> {
        proptest::collection::vec(prop::sample::select(vec!['a', 'b', 'c', 'é']), 0..9)
    }

    proptest! {
        #[test]
        fn matches_reference(a in word(), b in word(), max in 0usize..5) {
            let full = reference(&a, &b);
            prop_assert_eq!(osa_distance(&a, &b), full);
            let bounded = osa_distance_within(&a, &b, max);
            prop_assert_eq!(bounded, (full <= max).then_some(full));
        }

        #[test]
        fn zero_only_for_equal(a in word(), b in word()) {
            prop_assert_eq!(osa_distance(&a, &a), 0);
            prop_assert_eq!(osa_distance(&a, &b) == 0, a == b);
        }

        #[test]
        fn symmetric_and_bounded_by_length(a in word(), b in word()) {
            let ab = osa_distance(&a, &b);
            prop_assert_eq!(ab, osa_distance(&b, &a));
            prop_assert!(ab <= a.len().max(b.len()));
            prop_assert!(ab >= a.len().abs_diff(b.len()));
        }

        #[test]
        fn any_single_edit_costs_one(a in word(), pos in 0usize..10, c in prop::sample::select(vec!['a', 'x', 'é'])) {
            let mut ins = a.clone();
            ins.insert(pos.min(a.len()), c);
            prop_assert_eq!(osa_distance(&a, &ins), 1);
            if !a.is_empty() {
                let p = pos % a.len();
                let mut del = a.clone();
                del.remove(p);
                prop_assert_eq!(osa_distance(&a, &del), 1);
                let mut sub = a.clone();
                if sub[p] != c {
                    sub[p] = c;
                    prop_assert_eq!(osa_distance(&a, &sub), 1);
                }
                if p + 1 < a.len() && a[p] != a[p + 1] {
                    let mut tr = a.clone();
                    tr.swap(p, p + 1);
                    prop_assert_eq!(osa_distance(&a, &tr), 1);
                }
            }
        }

        #[test]
        fn relaxed_triangle(a in word(), b in word(), c in word()) {
            // OSA breaks the triangle inequality (see the module doc), but never by more
            // than the transpositions it refuses to edit twice; Levenshtein, which it
            // lower-bounds, is a metric.
            let (ab, bc, ac) = (osa_distance(&a, &b), osa_distance(&b, &c), osa_distance(&a, &c));
            prop_assert!(ac <= 2 * (ab + bc));
        }
    }
}
