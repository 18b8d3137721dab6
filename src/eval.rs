//! Measuring a detector against labelled corruptions.
//!
//! Inputs: the corrupted documents, the labels [`crate::corrupt`] wrote for them, and
//! predictions: flagged spans with their suggestions, from garbled's own scorer or from
//! another tool's `garbled check --format json`-shaped output.
//!
//! Token-level detection: a label counts as *found* when some flag overlaps its span; a
//! flag is *correct* when it overlaps some label. Precision = correct flags / flags,
//! recall = found labels / labels, F1 their harmonic mean. Because the scorer can only see
//! damage that leaves a non-word, the report also gives the *non-word* view, where labels
//! whose corrupted form is made of real words (`realword`), and flags on them, are left
//! out. False flags per 1000 clean tokens = flags overlapping no label per 1000 word
//! tokens outside every label.
//!
//! Correction: top-1 / top-5 = labels whose flag's first / first five suggestions contain
//! the original (case-insensitive), over all labels of the kind (a missed label is a
//! miss); *of found* divides the same counts by the found labels instead, which measures
//! the corrector alone on the tokens the detector handed it. `--fix` protocol: a label is *fixed* when the replacement applied at its span
//! (the best suggestion, if its score reaches the fix confidence) equals the original
//! exactly; the *broken rate* is replacements applied to clean tokens over clean tokens.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::corrupt::Label;
use crate::tokenize::{self, TokenKind};

/// A flag as the evaluator sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictedFlag {
    /// Byte offset of the first byte in the corrupted document.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// A real-word flag (`kind: "realword"`) rather than a non-word one.
    #[serde(default)]
    pub realword: bool,
    /// Suggestions, best first, with their scores.
    pub suggestions: Vec<(String, f64)>,
}

/// Counts for one slice of the labels.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KindStats {
    /// Labels.
    pub labels: u64,
    /// Labels some flag overlaps.
    pub found: u64,
    /// Labels whose first suggestion is the original.
    pub top1: u64,
    /// Labels with the original among the first five suggestions.
    pub top5: u64,
    /// Labels restored exactly by the fix protocol.
    pub fixed: u64,
}

impl KindStats {
    /// found / labels.
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.labels)
    }

    /// top1 / found: how often the corrector's first suggestion is right on the labels
    /// the detector found.
    pub fn top1_of_found(&self) -> f64 {
        ratio(self.top1, self.found)
    }

    /// top5 / found.
    pub fn top5_of_found(&self) -> f64 {
        ratio(self.top5, self.found)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Detection figures for one view (all labels, or non-word labels only).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Detection {
    /// Flags considered.
    pub flags: u64,
    /// Flags overlapping a label.
    pub correct_flags: u64,
    /// Labels considered.
    pub labels: u64,
    /// Labels found.
    pub found: u64,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
}

impl Detection {
    fn finish(mut self) -> Detection {
        self.precision = ratio(self.correct_flags, self.flags);
        self.recall = ratio(self.found, self.labels);
        let (p, r) = (self.precision, self.recall);
        self.f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        self
    }
}

/// The evaluation report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EvalReport {
    /// Documents evaluated.
    pub documents: u64,
    /// Word tokens outside every label.
    pub clean_tokens: u64,
    /// Flags overlapping no label.
    pub false_flags: u64,
    /// `false_flags` per 1000 clean tokens.
    pub false_flags_per_1000: f64,
    /// Detection over all labels.
    pub all: Detection,
    /// Detection over non-word labels only, by non-word flags (non-word flags on
    /// real-word labels ignored).
    pub nonword: Detection,
    /// Detection of real-word labels by real-word flags: precision over real-word flags
    /// (one on any label counts as correct), recall over real-word labels.
    pub realword: Detection,
    /// Real-word flags overlapping no label.
    pub realword_false_flags: u64,
    /// `realword_false_flags` per 1000 clean tokens.
    pub realword_false_flags_per_1000: f64,
    /// Per corruption kind (`typo`, `ocr`, `inword_spin`, `word_spin`), plus `nonword`,
    /// `realword` and `all`.
    pub by_kind: BTreeMap<String, KindStats>,
    /// Fixed labels / labels.
    pub fix_rate: f64,
    /// Clean tokens changed by the fix protocol / clean tokens.
    pub broken_rate: f64,
    /// Clean tokens changed by the fix protocol.
    pub broken: u64,
}

/// Evaluates predictions against labels. `docs` are `(name, corrupted text)`;
/// `predictions` maps a document name to its flags; `fix_confidence` is the least
/// suggestion score the fix protocol applies.
pub fn evaluate(
    docs: &[(String, String)],
    labels: &[Label],
    predictions: &BTreeMap<String, Vec<PredictedFlag>>,
    fix_confidence: f64,
) -> EvalReport {
    let mut by_doc: BTreeMap<&str, Vec<&Label>> = BTreeMap::new();
    for l in labels {
        by_doc.entry(l.doc.as_str()).or_default().push(l);
    }
    let mut report = EvalReport {
        documents: docs.len() as u64,
        ..EvalReport::default()
    };
    let mut all = Detection::default();
    let mut nonword = Detection::default();
    let mut realword = Detection::default();
    let empty = Vec::new();
    for (name, text) in docs {
        let labels = by_doc.get(name.as_str()).map_or(&[][..], |v| &v[..]);
        let flags = predictions.get(name).unwrap_or(&empty);
        let overlaps = |f: &PredictedFlag, l: &Label| f.start < l.end && l.start < f.end;

        // Clean tokens, and fixes applied to them.
        for t in tokenize::tokenize(text).filter(|t| t.kind == TokenKind::Word) {
            if labels.iter().any(|l| t.start < l.end && l.start < t.end) {
                continue;
            }
            report.clean_tokens += 1;
        }
        for f in flags {
            let hit: Vec<&&Label> = labels.iter().filter(|l| overlaps(f, l)).collect();
            all.flags += 1;
            realword.flags += u64::from(f.realword);
            if hit.is_empty() {
                report.false_flags += 1;
                if f.realword {
                    report.realword_false_flags += 1;
                } else {
                    nonword.flags += 1;
                }
                if best_fix(f, fix_confidence).is_some() {
                    report.broken += 1;
                }
                continue;
            }
            all.correct_flags += 1;
            realword.correct_flags += u64::from(f.realword);
            if !f.realword && hit.iter().any(|l| !l.realword) {
                nonword.flags += 1;
                nonword.correct_flags += 1;
            }
        }
        for l in labels {
            let hits: Vec<&PredictedFlag> = flags.iter().filter(|f| overlaps(f, l)).collect();
            let found = !hits.is_empty();
            let original = l.original.to_lowercase();
            // Suggestions of the flag that covers the label exactly (a single token).
            let exact = hits.iter().find(|f| f.start == l.start && f.end == l.end);
            let rank = exact.and_then(|f| {
                f.suggestions
                    .iter()
                    .position(|(s, _)| s.to_lowercase() == original)
            });
            let fixed = exact
                .and_then(|f| best_fix(f, fix_confidence))
                .is_some_and(|s| s == l.original);
            let kinds = [
                l.kind.as_str(),
                if l.realword { "realword" } else { "nonword" },
                "all",
            ];
            for k in kinds {
                let s = report.by_kind.entry(k.to_string()).or_default();
                s.labels += 1;
                s.found += u64::from(found);
                s.top1 += u64::from(rank == Some(0));
                s.top5 += u64::from(rank.is_some_and(|r| r < 5));
                s.fixed += u64::from(fixed);
            }
            all.labels += 1;
            all.found += u64::from(found);
            if l.realword {
                realword.labels += 1;
                realword.found += u64::from(hits.iter().any(|f| f.realword));
            } else {
                nonword.labels += 1;
                nonword.found += u64::from(hits.iter().any(|f| !f.realword));
            }
        }
    }
    report.all = all.finish();
    report.nonword = nonword.finish();
    report.realword = realword.finish();
    report.false_flags_per_1000 = 1000.0 * ratio(report.false_flags, report.clean_tokens);
    report.realword_false_flags_per_1000 =
        1000.0 * ratio(report.realword_false_flags, report.clean_tokens);
    let total = report.by_kind.get("all").cloned().unwrap_or_default();
    report.fix_rate = ratio(total.fixed, total.labels);
    report.broken_rate = ratio(report.broken, report.clean_tokens);
    report
}

fn best_fix(f: &PredictedFlag, min_score: f64) -> Option<&str> {
    f.suggestions
        .first()
        .filter(|(_, score)| *score >= min_score)
        .map(|(s, _)| s.as_str())
}

impl EvalReport {
    /// The report as an aligned text table.
    pub fn table(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "documents {}, clean word tokens {}, false flags {} ({:.2} per 1000 clean tokens; real-word {}, {:.2} per 1000)\n\n",
            self.documents,
            self.clean_tokens,
            self.false_flags,
            self.false_flags_per_1000,
            self.realword_false_flags,
            self.realword_false_flags_per_1000
        ));
        s.push_str("detection     flags  correct  labels   found  precision  recall      F1\n");
        for (name, d) in [
            ("all", &self.all),
            ("non-word", &self.nonword),
            ("real-word", &self.realword),
        ] {
            s.push_str(&format!(
                "{name:<12} {:>6} {:>8} {:>7} {:>7} {:>10.4} {:>7.4} {:>7.4}\n",
                d.flags, d.correct_flags, d.labels, d.found, d.precision, d.recall, d.f1
            ));
        }
        s.push_str(
            "\nby kind       labels  recall   top-1   top-5  fixed  top-1 of found  top-5 of found\n",
        );
        for (k, v) in &self.by_kind {
            s.push_str(&format!(
                "{k:<12} {:>7} {:>7.4} {:>7.4} {:>7.4} {:>6.4} {:>15.4} {:>15.4}\n",
                v.labels,
                v.recall(),
                ratio(v.top1, v.labels),
                ratio(v.top5, v.labels),
                ratio(v.fixed, v.labels),
                v.top1_of_found(),
                v.top5_of_found()
            ));
        }
        s.push_str(&format!(
            "\nfix protocol: fix rate {:.4}, broken rate {:.5} ({} clean tokens changed)\n",
            self.fix_rate, self.broken_rate, self.broken
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corrupt::CorruptionKind;

    fn label(start: usize, end: usize, corrupted: &str, original: &str, realword: bool) -> Label {
        Label {
            doc: "d".into(),
            start,
            end,
            corrupted: corrupted.into(),
            original: original.into(),
            kind: if realword {
                CorruptionKind::WordSpin
            } else {
                CorruptionKind::Typo
            },
            realword,
        }
    }

    fn flag(start: usize, end: usize, suggestions: &[&str]) -> PredictedFlag {
        PredictedFlag {
            realword: false,
            start,
            end,
            suggestions: suggestions.iter().map(|s| (s.to_string(), 0.9)).collect(),
        }
    }

    #[test]
    fn real_word_flags_are_measured_on_their_own() {
        let text = "teh cat sat on teh encountering mat";
        let docs = vec![("d".to_string(), text.to_string())];
        let labels = vec![
            label(0, 3, "teh", "the", false),
            label(19, 31, "encountering", "meeting", true),
        ];
        let realword = |start, end| PredictedFlag {
            realword: true,
            ..flag(start, end, &["meeting"])
        };
        let mut preds = BTreeMap::new();
        preds.insert(
            "d".to_string(),
            vec![flag(0, 3, &["the"]), realword(8, 11), realword(19, 31)],
        );
        let r = evaluate(&docs, &labels, &preds, 0.5);
        assert_eq!((r.realword.flags, r.realword.correct_flags), (2, 1));
        assert_eq!((r.realword.labels, r.realword.found), (1, 1));
        assert_eq!(r.realword_false_flags, 1);
        // The non-word view is untouched by real-word flags.
        assert_eq!((r.nonword.flags, r.nonword.correct_flags), (1, 1));
        assert_eq!(r.by_kind["word_spin"].top1, 1);
    }

    #[test]
    fn counts_precision_recall_and_corrections() {
        // "teh cat sat on teh encountering mat"
        let text = "teh cat sat on teh encountering mat";
        let docs = vec![("d".to_string(), text.to_string())];
        let labels = vec![
            label(0, 3, "teh", "the", false),
            label(15, 18, "teh", "the", false),
            label(19, 31, "encountering", "meeting", true),
        ];
        let mut preds = BTreeMap::new();
        preds.insert(
            "d".to_string(),
            vec![
                flag(0, 3, &["the"]),
                flag(4, 7, &["car"]),
                flag(15, 18, &["ten", "the"]),
            ],
        );
        let r = evaluate(&docs, &labels, &preds, 0.5);
        assert_eq!(r.all.flags, 3);
        assert_eq!(r.all.correct_flags, 2);
        assert_eq!(r.all.found, 2);
        assert!((r.all.recall - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.nonword.labels, 2);
        assert_eq!(r.nonword.recall, 1.0);
        assert_eq!(r.clean_tokens, 4);
        assert_eq!(r.false_flags, 1);
        assert_eq!(r.false_flags_per_1000, 250.0);
        let typo = &r.by_kind["typo"];
        assert_eq!((typo.top1, typo.top5, typo.fixed), (1, 2, 1));
        assert_eq!((typo.top1_of_found(), typo.top5_of_found()), (0.5, 1.0));
        assert_eq!(r.broken, 1, "the flag on 'cat' would replace it");
        assert!(r.table().contains("non-word"));
    }
}
