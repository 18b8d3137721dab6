//! Findings and how they are written: JSON Lines for programs, annotated text for people.
//!
//! # JSON wire format
//!
//! `garbled check --format json` and `garbled flag` write one JSON object per document,
//! one per line. These fields are a contract (other tools and the tests parse them);
//! fields may be added, never renamed:
//!
//! ```text
//! {"path": str,          the input's name (file path, `-` for stdin, or a record id)
//!  "tokens": int,        word tokens scored (numbers, URLs, handles... are not words)
//!  "score": float,       document corruption score in [0, 1]: mean P(corrupted) of its words
//!  "perplexity": float,  per-character perplexity of its words under the model (≥ 1)
//!  "flags": [            flagged words, in text order
//!    {"start": int,      UTF-8 byte offset of the word's first byte in the input
//!     "end": int,        byte offset one past its last byte
//!     "token": str,      the word as written
//!     "score": float,    P(corrupted) in [0, 1]
//!     "kind": "nonword" | "realword",   a realword flag may span two words broken
//!                        apart ("o f" -> "of", `crate::spacing`)
//!     "suggestions": [{"text": str, "score": float}]   best first; may be empty
//!    }]}
//! ```
//!
//! Floats are rounded to 4 decimal places, so output is stable across platforms.

use serde::{Deserialize, Serialize};

use crate::realword::RealwordFlag;

use crate::score::TextScore;

/// What kind of damage a flag reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlagKind {
    /// Not a word of the language (as far as the model knows).
    Nonword,
    /// A real word that does not fit its context, or two that are one word broken in
    /// two ([`crate::spacing`]).
    Realword,
}

/// A proposed original for a flagged word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The replacement text, in the flagged word's case.
    pub text: String,
    /// Its probability among the candidates considered.
    pub score: f64,
}

/// One flagged word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// The word as written.
    pub token: String,
    /// `P(corrupted)`.
    pub score: f64,
    /// Non-word or real-word damage.
    pub kind: FlagKind,
    /// Likely originals, best first.
    pub suggestions: Vec<Suggestion>,
    /// For a real-word flag next to other real-word flags: what the group of words most
    /// likely was, read together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrase: Option<PhraseSuggestion>,
}

/// The joint reading of adjacent real-word flags ("conservative armaments" ->
/// "conventional weapons").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhraseSuggestion {
    /// Byte offset of the group's first byte.
    pub start: usize,
    /// Byte offset one past the group's last byte.
    pub end: usize,
    /// The group as written.
    pub text: String,
    /// What it most likely was.
    pub suggestion: String,
}

/// The findings for one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The document's name.
    pub path: String,
    /// Word tokens scored.
    pub tokens: u64,
    /// Document corruption score in [0, 1].
    pub score: f64,
    /// Per-character perplexity of the words.
    pub perplexity: f64,
    /// Flagged words, in text order.
    pub flags: Vec<Flag>,
}

/// Rounds to 4 decimal places for stable output.
pub fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

impl Report {
    /// Builds the report of a scored text: every word at or above `threshold` is flagged
    /// as a non-word, with the suggestions `suggest` gives for it.
    pub fn from_scores(
        path: &str,
        text: &str,
        scores: &TextScore,
        threshold: f32,
        mut suggest: impl FnMut(&str) -> Vec<Suggestion>,
    ) -> Report {
        let flags = scores
            .words
            .iter()
            .filter(|w| w.probability >= threshold)
            .map(|w| {
                let token = &text[w.start..w.end];
                Flag {
                    start: w.start,
                    end: w.end,
                    token: token.to_string(),
                    score: round4(f64::from(w.probability)),
                    kind: FlagKind::Nonword,
                    phrase: None,
                    suggestions: suggest(token)
                        .into_iter()
                        .map(|s| Suggestion {
                            score: round4(s.score),
                            ..s
                        })
                        .collect(),
                }
            })
            .collect();
        Report {
            path: path.to_string(),
            tokens: scores.tokens,
            score: round4(scores.document_score()),
            perplexity: round4(scores.perplexity()),
            flags,
        }
    }

    /// Adds real-word flags (at most `max_suggestions` suggestions each), keeping the
    /// flags in text order.
    pub fn add_realword(&mut self, text: &str, found: Vec<RealwordFlag>, max_suggestions: usize) {
        if found.is_empty() {
            return;
        }
        self.flags.extend(found.into_iter().map(|f| {
            Flag {
                start: f.span.start,
                end: f.span.end,
                token: text[f.span.clone()].to_string(),
                score: round4(f64::from(f.probability)),
                kind: FlagKind::Realword,
                suggestions: f
                    .suggestions
                    .into_iter()
                    .take(max_suggestions)
                    .map(|(text, score)| Suggestion {
                        text,
                        score: round4(score),
                    })
                    .collect(),
                phrase: f.phrase.map(|p| PhraseSuggestion {
                    start: p.span.start,
                    end: p.span.end,
                    text: text[p.span].to_string(),
                    suggestion: p.suggestion,
                }),
            }
        }));
        self.flags.sort_by_key(|f| f.start);
    }

    /// One JSON line (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("a Report always serializes")
    }

    /// The one-line summary printed after the text.
    pub fn summary(&self) -> String {
        format!(
            "{}: {} words, {} flagged, score {:.4}, perplexity {:.2}",
            self.path,
            self.tokens,
            self.flags.len(),
            self.score,
            self.perplexity
        )
    }

    /// The text with every flagged word marked: `[[word -> best]]`, or in colour with
    /// the best suggestion after it. `flags` must be sorted and refer to `text`.
    pub fn annotate(text: &str, flags: &[Flag], color: bool) -> String {
        let mut out = String::with_capacity(text.len() + 32 * flags.len());
        let mut pos = 0;
        for f in flags {
            if f.start < pos || f.end > text.len() {
                continue;
            }
            out.push_str(&text[pos..f.start]);
            let best = f.suggestions.first().map(|s| s.text.as_str());
            match (color, best) {
                (true, Some(b)) => {
                    out.push_str(&format!("\x1b[1;31m{}\x1b[0m\x1b[2m→{b}\x1b[0m", f.token))
                }
                (true, None) => out.push_str(&format!("\x1b[1;31m{}\x1b[0m", f.token)),
                (false, Some(b)) => out.push_str(&format!("[[{} -> {b}]]", f.token)),
                (false, None) => out.push_str(&format!("[[{}]]", f.token)),
            }
            pos = f.end;
        }
        out.push_str(&text[pos.min(text.len())..]);
        out
    }

    /// One line describing a flag at `line:col`: token, probability, suggestions.
    pub fn flag_line(path: &str, line: usize, col: usize, f: &Flag) -> String {
        let sugg: Vec<String> = f
            .suggestions
            .iter()
            .map(|s| format!("{} ({:.2})", s.text, s.score))
            .collect();
        let kind = match f.kind {
            FlagKind::Nonword => "nonword",
            FlagKind::Realword => "realword",
        };
        let phrase = f.phrase.as_ref().map_or(String::new(), |p| {
            format!("; together: \"{}\" -> \"{}\"", p.text, p.suggestion)
        });
        format!(
            "{path}:{line}:{col}: {} (p={:.2}, {kind}){}{}{phrase}",
            f.token,
            f.score,
            if sugg.is_empty() { "" } else { " -> " },
            sugg.join(", ")
        )
    }

    /// The whole text rendering of a document held in memory: annotated text, one line
    /// per flag, then the summary.
    pub fn render_text(&self, text: &str, color: bool) -> String {
        let mut out = Report::annotate(text, &self.flags, color);
        if !out.ends_with('\n') {
            out.push('\n');
        }
        if !self.flags.is_empty() {
            out.push('\n');
            for f in &self.flags {
                let (line, col) = line_col(text, f.start);
                out.push_str(&Report::flag_line(&self.path, line, col, f));
                out.push('\n');
            }
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::WordScore;

    fn scores() -> TextScore {
        TextScore {
            words: vec![
                WordScore {
                    start: 0,
                    end: 3,
                    probability: 0.1,
                    known: true,
                },
                WordScore {
                    start: 4,
                    end: 9,
                    probability: 0.912_345,
                    known: false,
                },
            ],
            tokens: 2,
            probability_sum: 1.012_345,
            bits: 20.0,
            symbols: 10,
        }
    }

    #[test]
    fn flags_words_above_threshold_with_rounded_scores() {
        let r = Report::from_scores("a.txt", "The shelp.", &scores(), 0.5, |_| {
            vec![Suggestion {
                text: "said".into(),
                score: 0.812_345_6,
            }]
        });
        assert_eq!(r.tokens, 2);
        assert_eq!(r.flags.len(), 1);
        assert_eq!(r.flags[0].token, "shelp");
        assert_eq!(r.flags[0].score, 0.9123);
        assert_eq!(r.flags[0].suggestions[0].score, 0.8123);
        assert_eq!(r.perplexity, 4.0);
        let json = r.to_json_line();
        assert!(json.contains(r#""kind":"nonword""#), "{json}");
    }

    #[test]
    fn text_rendering_marks_flags_and_ends_with_summary() {
        let r = Report::from_scores("a.txt", "The shelp.", &scores(), 0.5, |_| Vec::new());
        let t = r.render_text("The shelp.", false);
        assert!(t.starts_with("The [[shelp]]."), "{t}");
        assert!(t.contains("a.txt:1:5: shelp"), "{t}");
        assert!(t.trim_end().ends_with("perplexity 4.00"), "{t}");
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("ab\ncdé f", 7), (2, 4));
        assert_eq!(line_col("x", 0), (1, 1));
    }
}
