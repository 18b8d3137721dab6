//! Checking text end to end: score the words, flag the improbable ones, attach
//! suggestions. `garbled check`, `garbled flag` and `garbled eval` all go through
//! [`Checker`], so they agree by construction.

use crate::error::Result;
use crate::model::Model;
use crate::report::{Report, Suggestion};
use crate::score::{AllowList, Scorer, TextScore, DEFAULT_THRESHOLD};

/// Options for [`Checker`].
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOptions {
    /// Flag words whose corruption probability is at least this.
    pub threshold: f32,
    /// Most suggestions per flag.
    pub max_suggestions: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            threshold: DEFAULT_THRESHOLD,
            max_suggestions: 5,
        }
    }
}

/// Flags corrupted words and proposes originals.
#[derive(Debug, Clone)]
pub struct Checker<'m> {
    scorer: Scorer<'m>,
    options: CheckOptions,
}

impl<'m> Checker<'m> {
    /// A checker for `model`.
    ///
    /// # Errors
    ///
    /// As [`Scorer::new`] (a model without calibration).
    pub fn new(model: &'m Model, allow: AllowList, options: CheckOptions) -> Result<Checker<'m>> {
        Ok(Checker {
            scorer: Scorer::new(model, allow)?,
            options,
        })
    }

    /// The scorer.
    pub fn scorer(&self) -> &Scorer<'m> {
        &self.scorer
    }

    /// The options.
    pub fn options(&self) -> &CheckOptions {
        &self.options
    }

    /// Suggestions for one flagged token, best first.
    pub fn suggest(&self, _token: &str) -> Vec<Suggestion> {
        Vec::new()
    }

    /// Checks one text: the report (offsets relative to `text`) and the raw scores.
    pub fn check(&self, name: &str, text: &str) -> (Report, TextScore) {
        let scores = self.scorer.score_text(text);
        let report = Report::from_scores(name, text, &scores, self.options.threshold, |t| {
            let mut s = self.suggest(t);
            s.truncate(self.options.max_suggestions);
            s
        });
        (report, scores)
    }
}
