//! ARPA back-off language models, read into a word model.
//!
//! Counting running text is one way to get word n-gram statistics ([`crate::wordlm`]);
//! the other is a language model someone has already estimated, and the common format
//! for those is ARPA text, written by KenLM (`lmplz`), SRILM, IRSTLM and CMU Sphinx:
//!
//! ```text
//! \data\
//! ngram 1=3
//! ngram 2=2
//!
//! \1-grams:
//! -1.2  the   -0.3
//! -2.0  city  -0.1
//! -2.5  came
//!
//! \2-grams:
//! -0.4  the city
//! -1.1  came the
//!
//! \end\
//! ```
//!
//! Each line gives `log10 P(wn | w1..wn-1)`, the n-gram, and (below the top order)
//! `log10` of the back-off weight of the n-gram as a history. [`read`] turns these into
//! the joint form [`BackOffLm`] holds, `log2 P(w1..wn) = log2 P(w1..wn-1) + log2 P(wn |
//! w1..wn-1)`, where the history's joint probability is itself held or backed off, so a
//! back-off model answers the same questions as counted n-grams.
//!
//! Words are case-folded, as the word model keys them; n-grams that fold together
//! have their probabilities added (and keep the first one's back-off weight). N-grams with a sentence marker (`<s>`, `</s>`) are
//! left out: the word model compares words inside runs and never asks about sentence
//! boundaries. `<unk>` gives the probability of words the file does not list.

use std::io::BufRead;
use std::path::Path;

use rustc_hash::FxHashMap;

use crate::counts::fold_case;
use crate::error::{Error, Result};
use crate::wordlm::{ceilings_of, ngram_key, word_key, BackOffLm, MAX_ORDER};

/// Reads the ARPA model in the file `path` (plain or gzip), keeping orders 1 to
/// `max_order`, as [`read`] does.
///
/// # Errors
///
/// As [`read`], and [`Error::Io`] for a file that cannot be opened.
pub fn read_file(path: &Path, max_order: usize) -> Result<BackOffLm> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read(crate::corpus::decompressed(path, file)?, path, max_order)
}

/// log2 of 10: ARPA files use base-10 logarithms, the word model base 2.
const LOG2_10: f64 = std::f64::consts::LOG2_10;

/// Reads an ARPA model from `reader` (named `path` in errors), keeping orders 1 to
/// `max_order` (at least 2, since the word model needs pairs; at most [`MAX_ORDER`]).
///
/// # Errors
///
/// [`Error::MalformedArpa`] for text that is not an ARPA model (with the line), a
/// section that lists a different number of n-grams than its header declares (a
/// truncated file), or a model without pairs; [`Error::InvalidUtf8`] and
/// [`Error::Io`] for unreadable input.
pub fn read(reader: impl BufRead, path: &Path, max_order: usize) -> Result<BackOffLm> {
    let mut parser = Parser::new(path, max_order.clamp(2, MAX_ORDER));
    let mut line = Vec::new();
    let mut reader = reader;
    let mut offset = 0u64;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        let text = std::str::from_utf8(&line).map_err(|e| Error::InvalidUtf8 {
            path: path.to_path_buf(),
            offset: offset + e.valid_up_to() as u64,
        })?;
        offset += n as u64;
        parser.line(text.trim())?;
    }
    parser.finish()
}

/// Where in the file the parser is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    /// Before `\data\`: free text.
    Preamble,
    /// The `ngram N=COUNT` lines.
    Counts,
    /// The n-grams of one order.
    Ngrams(usize),
    /// After `\end\`.
    End,
}

struct Parser<'p> {
    path: &'p Path,
    line: u64,
    max_order: usize,
    section: Section,
    /// Declared number of n-grams of each order.
    declared: Vec<u64>,
    /// Lines read of the current order.
    listed: u64,
    /// Per order: key → log2 joint probability.
    joint: Vec<FxHashMap<u64, f32>>,
    /// Key of a history n-gram → log2 back-off weight.
    weights: FxHashMap<u64, f32>,
    unknown: Option<f32>,
    keys: Vec<u64>,
    /// Key of a pair → its words' keys, for the pair ceilings.
    pair_words: FxHashMap<u64, [u64; 2]>,
}

impl<'p> Parser<'p> {
    fn new(path: &'p Path, max_order: usize) -> Parser<'p> {
        Parser {
            path,
            line: 0,
            max_order,
            section: Section::Preamble,
            declared: Vec::new(),
            listed: 0,
            joint: Vec::new(),
            weights: FxHashMap::default(),
            unknown: None,
            keys: Vec::with_capacity(MAX_ORDER),
            pair_words: FxHashMap::default(),
        }
    }

    fn error(&self, reason: impl Into<String>) -> Error {
        Error::MalformedArpa {
            path: self.path.to_path_buf(),
            line: self.line,
            reason: reason.into(),
        }
    }

    fn line(&mut self, text: &str) -> Result<()> {
        self.line += 1;
        if text.is_empty() {
            return Ok(());
        }
        if text == "\\data\\" {
            return match self.section {
                Section::Preamble => {
                    self.section = Section::Counts;
                    Ok(())
                }
                _ => Err(self.error("a second `\\data\\` header")),
            };
        }
        if text == "\\end\\" {
            self.close_section()?;
            self.section = Section::End;
            return Ok(());
        }
        if let Some(n) = text
            .strip_prefix('\\')
            .and_then(|t| t.strip_suffix("-grams:"))
        {
            let order: usize = n
                .parse()
                .ok()
                .filter(|&o| o >= 1)
                .ok_or_else(|| self.error(format!("bad section header `{text}`")))?;
            self.close_section()?;
            let expected = match self.section {
                Section::Counts => 1,
                Section::Ngrams(o) => o + 1,
                _ => return Err(self.error(format!("`{text}` outside the model"))),
            };
            if order != expected || order > self.declared.len() {
                return Err(self.error(format!(
                    "section `{text}` out of order or not declared under `\\data\\`"
                )));
            }
            self.section = Section::Ngrams(order);
            self.listed = 0;
            if order <= self.max_order {
                self.joint.push(FxHashMap::default());
            }
            return Ok(());
        }
        match self.section {
            Section::Preamble | Section::End => Ok(()),
            Section::Counts => self.count_line(text),
            Section::Ngrams(order) => {
                self.listed += 1;
                if order <= self.max_order {
                    self.ngram_line(text, order)
                } else {
                    Ok(())
                }
            }
        }
    }

    /// `ngram N=COUNT` under `\data\`.
    fn count_line(&mut self, text: &str) -> Result<()> {
        let parsed = text
            .strip_prefix("ngram ")
            .and_then(|t| t.split_once('='))
            .and_then(|(n, c)| Some((n.trim().parse::<usize>().ok()?, c.trim().parse().ok()?)));
        match parsed {
            Some((n, count)) if n == self.declared.len() + 1 => {
                self.declared.push(count);
                Ok(())
            }
            _ => Err(self.error(format!(
                "expected `ngram {}=COUNT`, found `{text}`",
                self.declared.len() + 1
            ))),
        }
    }

    /// Checks that the section just read listed as many n-grams as declared.
    fn close_section(&self) -> Result<()> {
        if let Section::Ngrams(order) = self.section {
            let declared = self.declared[order - 1];
            if self.listed != declared {
                return Err(self.error(format!(
                    "`\\{order}-grams:` lists {} n-grams but `\\data\\` declares {declared}; the file may be truncated",
                    self.listed
                )));
            }
        }
        Ok(())
    }

    /// One n-gram line: `log10 P`, the words, and perhaps `log10` of the back-off weight.
    fn ngram_line(&mut self, text: &str, order: usize) -> Result<()> {
        let mut fields = text.split_whitespace();
        let log10_p = self.number(fields.next(), "probability")?;
        let mut words: [&str; MAX_ORDER] = [""; MAX_ORDER];
        for w in words.iter_mut().take(order) {
            *w = fields
                .next()
                .ok_or_else(|| self.error(format!("a {order}-gram line with fewer words")))?;
        }
        let weight = match fields.next() {
            Some(w) => Some(self.number(Some(w), "back-off weight")?),
            None => None,
        };
        if fields.next().is_some() {
            return Err(self.error(format!("a {order}-gram line with too many fields")));
        }
        let words = &words[..order];
        if words.iter().any(|&w| w == "<s>" || w == "</s>") {
            return Ok(());
        }
        let log2_p = (f64::from(log10_p) * LOG2_10) as f32;
        if words.contains(&"<unk>") {
            if order == 1 {
                self.unknown = Some(log2_p);
            }
            return Ok(());
        }
        self.keys.clear();
        self.keys
            .extend(words.iter().map(|w| word_key(&fold_case(w))));
        let keys = std::mem::take(&mut self.keys);
        let joint = if order == 1 {
            log2_p
        } else {
            self.log2_joint(&keys[..order - 1]) + log2_p
        };
        let key = ngram_key(&keys);
        if let [a, b] = keys[..] {
            self.pair_words.insert(key, [a, b]);
        }
        self.keys = keys;
        let slot = self.joint[order - 1]
            .entry(key)
            .or_insert(f32::NEG_INFINITY);
        *slot = log2_add(*slot, joint);
        if let Some(w) = weight.filter(|&w| w != 0.0) {
            if order < self.max_order {
                self.weights
                    .entry(key)
                    .or_insert((f64::from(w) * LOG2_10) as f32);
            }
        }
        Ok(())
    }

    fn number(&self, field: Option<&str>, what: &str) -> Result<f32> {
        let field = field.ok_or_else(|| self.error(format!("no {what}")))?;
        field
            .parse::<f32>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.error(format!("{what} `{field}` is not a number")))
    }

    /// log2 P of an n-gram of an order already read: held, or backed off from its parts
    /// as the model defines it.
    fn log2_joint(&self, keys: &[u64]) -> f32 {
        let n = keys.len();
        if let Some(&p) = self.joint[n - 1].get(&ngram_key(keys)) {
            return p;
        }
        if n == 1 {
            return self.unknown.unwrap_or(-99.0 * LOG2_10 as f32);
        }
        let weight = self
            .weights
            .get(&ngram_key(&keys[..n - 1]))
            .copied()
            .unwrap_or(0.0);
        let last = self.log2_joint(&keys[n - 1..]);
        let conditional = if n == 2 {
            last
        } else {
            self.log2_joint(&keys[1..]) - self.log2_joint(&keys[1..n - 1])
        };
        self.log2_joint(&keys[..n - 1]) + weight + conditional
    }

    fn finish(mut self) -> Result<BackOffLm> {
        if self.section == Section::Preamble {
            return Err(self.error("no `\\data\\` header"));
        }
        if self.section != Section::End {
            return Err(self.error("no `\\end\\` line; the file may be truncated"));
        }
        if self.joint.len() < 2 {
            return Err(self.error("the model has no pairs (2-grams), which the word model needs"));
        }
        let sorted = |map: FxHashMap<u64, f32>| {
            let mut v: Vec<(u64, f32)> = map.into_iter().collect();
            v.sort_unstable_by_key(|e| e.0);
            v
        };
        let weights = sorted(std::mem::take(&mut self.weights));
        let pair_ceilings = ceilings_of(
            self.joint[1]
                .iter()
                .map(|(key, &p)| (self.pair_words[key], p)),
        );
        Ok(BackOffLm {
            orders: self.joint.into_iter().map(sorted).collect(),
            weights,
            unknown: self.unknown,
            pair_ceilings,
        })
    }
}

/// log2(2^a + 2^b).
fn log2_add(a: f32, b: f32) -> f32 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if lo == f32::NEG_INFINITY {
        hi
    } else {
        hi + (1.0 + (lo - hi).exp2()).log2()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wordlm::WordLm;

    const SMALL: &str = "\\data\\
ngram 1=6
ngram 2=4

\\1-grams:
-99 <s> -0.5
-1.0 </s>
-0.8 the -0.3
-1.5 city -0.2
-2.0 Came
-2.5 <unk>

\\2-grams:
-0.2 <s> the
-0.4 the city
-1.1 came the
-0.3 city </s>

\\end\\
";

    fn read_str(text: &str) -> Result<BackOffLm> {
        read(text.as_bytes(), Path::new("t.arpa"), MAX_ORDER)
    }

    fn key(words: &str) -> u64 {
        let keys: Vec<u64> = words.split(' ').map(word_key).collect();
        ngram_key(&keys)
    }

    #[test]
    fn joint_probabilities_are_the_chain_of_the_file() {
        let lm = read_str(SMALL).unwrap();
        let l2 = |x: f64| (x * LOG2_10) as f32;
        let find = |order: usize, words: &str| {
            lm.orders[order - 1]
                .iter()
                .find(|e| e.0 == key(words))
                .map(|e| e.1)
        };
        assert_eq!(find(1, "the"), Some(l2(-0.8)));
        // Folded: "Came" is "came".
        assert_eq!(find(1, "came"), Some(l2(-2.0)));
        assert!((find(2, "the city").unwrap() - l2(-0.8 - 0.4)).abs() < 1e-5);
        assert!((find(2, "came the").unwrap() - l2(-2.0 - 1.1)).abs() < 1e-5);
        // Sentence markers are left out; <unk> is the unknown word.
        assert_eq!(lm.sizes(), vec![3, 2]);
        assert_eq!(lm.unknown, Some(l2(-2.5)));
        assert_eq!(lm.weights.len(), 2);
    }

    #[test]
    fn an_unheld_pair_backs_off_through_the_weight() {
        let lm = WordLm::from_back_off(read_str(SMALL).unwrap());
        let k = |w: &str| word_key(w);
        // P(city the) = P(city) bow(city) P(the): log10 -1.5 - 0.2 - 0.8.
        let expected = (-2.5 * LOG2_10) as f32;
        let got = lm.log2_joint(&[k("city"), k("the")]);
        assert!((got - expected).abs() < 1e-5, "{got} != {expected}");
        // A word with no weight backs off with weight 1.
        let got = lm.log2_joint(&[k("came"), k("city")]);
        assert!((got - (-3.5 * LOG2_10) as f32).abs() < 1e-5);
        // A held pair is what the file says.
        let got = lm.log2_joint(&[k("the"), k("city")]);
        assert!((got - (-1.2 * LOG2_10) as f32).abs() < 1e-5);
    }

    #[test]
    fn trigrams_back_off_through_their_history() {
        let text = "\\data\\\nngram 1=3\nngram 2=2\nngram 3=1\n\n\\1-grams:\n-1 a -0.1\n-1 b -0.2\n-1 c\n\n\\2-grams:\n-0.5 a b -0.3\n-0.5 b c\n\n\\3-grams:\n-0.1 a b c\n\n\\end\\\n";
        let lm = WordLm::from_back_off(read_str(text).unwrap());
        let k: Vec<u64> = ["a", "b", "c"].iter().map(|w| word_key(w)).collect();
        let l2 = |x: f64| (x * LOG2_10) as f32;
        let held = lm.log2_joint(&k);
        assert!((held - l2(-1.0 - 0.5 - 0.1)).abs() < 1e-5);
        // "b c a": not held; P(b c) bow(b c)=1 P(a | c) = P(c) bow(c)=1 P(a) / P(c)...
        let unheld = lm.log2_joint(&[k[1], k[2], k[0]]);
        let bc = l2(-1.0 - 0.5);
        let ca = l2(-1.0 - 1.0); // c has no weight
        assert!((unheld - (bc + ca - l2(-1.0))).abs() < 1e-4);
        // Read with max order 2, the trigram is dropped and so are the pairs' weights.
        let two = read(text.as_bytes(), Path::new("t.arpa"), 2).unwrap();
        assert_eq!(two.sizes(), vec![3, 2]);
        assert_eq!(two.weights.len(), 2);
    }

    #[test]
    fn bad_files_name_the_line_and_the_problem() {
        let cases = [
            ("the 1\n", "no `\\data\\` header"),
            ("\\data\\\nngram 1=1\n\\1-grams:\n-1 a\n", "no `\\end\\`"),
            (
                "\\data\\\nngram 1=2\nngram 2=0\n\\1-grams:\n-1 a\n\\2-grams:\n\\end\\\n",
                "declares 2",
            ),
            (
                "\\data\\\nngram 1=1\nngram 2=1\n\\1-grams:\nx a\n",
                "`x` is not a number",
            ),
            ("\\data\\\nngram one=1\n", "expected `ngram 1=COUNT`"),
            (
                "\\data\\\nngram 1=1\n\\1-grams:\n-1 a\n\\end\\\n",
                "no pairs",
            ),
            (
                "\\data\\\nngram 1=1\nngram 2=1\n\\2-grams:\n",
                "out of order",
            ),
            (
                "\\data\\\nngram 1=1\nngram 2=1\n\\1-grams:\n-1 a -1 x\n",
                "too many fields",
            ),
        ];
        for (text, expected) in cases {
            let err = read_str(text).unwrap_err().to_string();
            assert!(err.starts_with("t.arpa:"), "{err}");
            assert!(err.contains(expected), "{text:?}: {err}");
        }
        let err = read_str("\\data\\\nngram 1=1\nngram 2=1\n\\1-grams:\nx a\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("t.arpa:5:"), "{err}");
    }

    #[test]
    fn invalid_utf8_is_reported_with_its_offset() {
        let mut bytes = b"\\data\\\nngram 1=1\n".to_vec();
        bytes.extend_from_slice(b"\xff\n");
        let err = read(&bytes[..], Path::new("t.arpa"), 2).unwrap_err();
        assert!(
            matches!(err, Error::InvalidUtf8 { offset: 17, .. }),
            "{err}"
        );
    }

    proptest::proptest! {
        /// A valid file with a few bytes changed, cut or repeated is read or refused,
        /// never a panic.
        #[test]
        fn damaged_files_are_read_or_refused_without_a_panic(
            edits in proptest::collection::vec(
                (0..SMALL.len(), proptest::sample::select(b"-0123456789. \t\nab\\<>s=".to_vec())),
                0..6,
            ),
            cut in 0..=SMALL.len(),
        ) {
            let mut bytes = SMALL.as_bytes()[..cut].to_vec();
            for (at, b) in edits {
                if at < bytes.len() {
                    bytes[at] = b;
                }
            }
            let _ = read(&bytes[..], Path::new("t.arpa"), MAX_ORDER);
        }
    }

    #[test]
    fn words_that_fold_together_add_their_probabilities() {
        let text = "\\data\\\nngram 1=2\nngram 2=1\n\\1-grams:\n-1 US\n-1 us\n\\2-grams:\n-1 us US\n\\end\\\n";
        let lm = read_str(text).unwrap();
        let p = lm.orders[0][0].1;
        assert!((p - (-LOG2_10 as f32 + 1.0)).abs() < 1e-5);
    }
}
