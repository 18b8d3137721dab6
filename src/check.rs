//! Checking text end to end: score the words, flag the improbable ones, attach
//! suggestions. `garbled check`, `garbled flag` and `garbled eval` all go through
//! [`Checker`], so they agree by construction.

use crate::cache::TokenCache;
use crate::correct::{CorrectConfig, Corrector, Side};
use crate::counts::{fold_case, WordCounts};
use crate::error::Result;
use crate::model::Model;
use crate::realword::{RealwordDetector, DEFAULT_REALWORD_THRESHOLD};
use crate::report::{round4, Flag, FlagKind, Report, Suggestion};
use crate::score::{AllowList, Scorer, TextScore, WordScore, DEFAULT_THRESHOLD};
use crate::tokenize::{self, Token};

/// The count a user's word gets as a correction candidate: the frequency of a moderately
/// common word, so it wins against rare lexicon words at the same distance but not
/// against everyday ones.
pub const USER_WORD_COUNT: u64 = 10_000;

/// Most tokens a thread's suggestion cache holds before it starts over.
const SUGGESTION_CACHE_TOKENS: usize = 1 << 14;

thread_local! {
    static SUGGESTION_CACHE: std::cell::RefCell<TokenCache<Vec<Suggestion>>> =
        std::cell::RefCell::new(TokenCache::new(SUGGESTION_CACHE_TOKENS));
}

/// Options for [`Checker`].
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOptions {
    /// Flag words whose corruption probability is at least this.
    pub threshold: f32,
    /// Most suggestions per flag.
    pub max_suggestions: usize,
    /// Look for real-word errors with the model's word n-grams (when it has them).
    pub context: bool,
    /// Flag real words whose error probability is at least this.
    pub realword_threshold: f32,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            threshold: DEFAULT_THRESHOLD,
            max_suggestions: 5,
            context: true,
            realword_threshold: DEFAULT_REALWORD_THRESHOLD,
        }
    }
}

/// Flags corrupted words and proposes originals.
///
/// # Performance
///
/// Creating a checker copies the lexicon for the corrector and builds the scorer's spin
/// reverser, which the corrector shares (0.2 to 0.3 s for the default model); the
/// corrector's word table and candidate index are built on the first suggestion (about
/// 0.9 s, in parallel), so a run that flags nothing never pays for them. Share one
/// checker between threads.
#[derive(Debug)]
pub struct Checker<'m> {
    /// Tags this checker's entries in the per-thread suggestion cache.
    id: u64,
    scorer: Scorer<'m>,
    corrector: Corrector<'m>,
    realword: Option<RealwordDetector<'m>>,
    options: CheckOptions,
}

impl<'m> Checker<'m> {
    /// A checker for `model`.
    ///
    /// # Errors
    ///
    /// As [`Scorer::new`] (a model without calibration).
    pub fn new(model: &'m Model, allow: AllowList, options: CheckOptions) -> Result<Checker<'m>> {
        // Correction candidates: the lexicon, plus the words the user declared right
        // (the model's user lexicon and the allow list).
        let mut words = model.lexicon().to_counts();
        let model_user = model
            .user_words()
            .map(|u| u.to_counts())
            .unwrap_or_default();
        let user = model_user
            .as_slice()
            .iter()
            .map(|(w, _)| (w.clone(), USER_WORD_COUNT))
            .chain(allow.words().map(|w| (w.to_string(), USER_WORD_COUNT)));
        words.merge(&WordCounts::from_pairs(user));
        let scorer = Scorer::new(model, allow)?;
        let mut corrector = Corrector::from_words(
            words.as_slice().iter().map(|(w, c)| (w.as_str(), *c)),
            model.thesaurus(),
            CorrectConfig::default(),
        )?;
        if let Some(spin) = scorer.spin_reverser() {
            corrector = corrector.share_spin_reverser(spin.clone());
        }
        Ok(Checker {
            id: crate::cache::next_owner(),
            scorer,
            corrector,
            realword: options
                .context
                .then(|| RealwordDetector::new(model, options.realword_threshold))
                .flatten(),
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

    /// Suggestions for one flagged token, best first (at most `max_suggestions`; none,
    /// and no correction work at all, when that is 0).
    ///
    /// Results are cached per thread: spinners and OCR repeat the same damage ("shelp"
    /// for every "said"), so a feed asks for the same token many times.
    pub fn suggest(&self, token: &str) -> Vec<Suggestion> {
        if self.options.max_suggestions == 0 {
            return Vec::new();
        }
        if let Some(hit) = SUGGESTION_CACHE.with(|c| c.borrow().get(self.id, token)) {
            return hit;
        }
        let suggestions: Vec<Suggestion> = self
            .corrector
            .suggest(token, self.options.max_suggestions)
            .into_iter()
            .map(|s| Suggestion {
                text: s.text,
                score: s.score,
            })
            .collect();
        SUGGESTION_CACHE.with(|c| c.borrow_mut().insert(self.id, token, suggestions.clone()));
        suggestions
    }

    /// Reads each non-word flag together with a neighbour it was broken from by a space
    /// ("governme nts", "Th ey"), where [`Corrector::suggest_joined`] finds that likelier:
    /// the flag then spans both words (and absorbs the neighbour's own flag).
    fn rejoin(&self, text: &str, words: &[WordScore], flags: &mut Vec<Flag>) {
        let max = self.options.max_suggestions;
        if max == 0 || flags.is_empty() {
            return;
        }
        let word_at = |span: &WordScore| &text[span.start..span.end];
        let mut out: Vec<Flag> = Vec::with_capacity(flags.len());
        // Flags starting before this were taken in by a join to their left.
        let mut taken_until = 0;
        for flag in flags.drain(..) {
            if flag.start < taken_until {
                if let Some(last) = out.last_mut() {
                    last.score = last.score.max(flag.score);
                }
                continue;
            }
            let k = words.partition_point(|w| w.start < flag.start);
            let own = words
                .get(k)
                .filter(|w| (w.start, w.end) == (flag.start, flag.end));
            let Some(own) = own else {
                out.push(flag);
                continue;
            };
            let left = k
                .checked_sub(1)
                .map(|j| &words[j])
                .filter(|w| &text[w.end..own.start] == " ");
            let right = words.get(k + 1).filter(|w| &text[own.end..w.start] == " ");
            let joined = self.corrector.suggest_joined(
                &flag.token,
                left.map(word_at),
                right.map(word_at),
                max,
            );
            let Some(joined) = joined else {
                out.push(flag);
                continue;
            };
            let (start, end) = match joined.side {
                Side::Left => (left.map_or(flag.start, |w| w.start), flag.end),
                Side::Right => (flag.start, right.map_or(flag.end, |w| w.end)),
            };
            let mut score = flag.score;
            if out.last().is_some_and(|f| f.end > start) {
                score = score.max(out.pop().map_or(0.0, |f| f.score));
            }
            taken_until = end;
            out.push(Flag {
                start,
                end,
                token: text[start..end].to_string(),
                score,
                kind: FlagKind::Nonword,
                phrase: None,
                suggestions: joined
                    .suggestions
                    .into_iter()
                    .map(|s| Suggestion {
                        text: s.text,
                        score: round4(s.score),
                    })
                    .collect(),
            });
        }
        *flags = out;
    }

    /// Whether real-word errors are looked for (the option is on and the model has a
    /// calibrated word n-gram model).
    pub fn checks_context(&self) -> bool {
        self.realword.is_some()
    }

    /// Checks one text: the report (offsets relative to `text`) and the raw scores.
    pub fn check(&self, name: &str, text: &str) -> (Report, TextScore) {
        // One tokenization for both passes.
        let tokens: Vec<Token> = tokenize::tokenize(text).collect();
        let scores = self.scorer.score_tokens(text, tokens.iter().copied());
        let mut report = Report::from_scores(name, text, &scores, self.options.threshold, |t| {
            self.suggest(t)
        });
        self.rejoin(text, &scores.words, &mut report.flags);
        if let Some(detector) = &self.realword {
            // Non-word flags are in text order and do not overlap.
            let flagged: Vec<std::ops::Range<usize>> =
                report.flags.iter().map(|f| f.start..f.end).collect();
            let allows_any = self.scorer.allows_any();
            let skip = |span: &std::ops::Range<usize>| {
                let after = flagged.partition_point(|f| f.end <= span.start);
                flagged.get(after).is_some_and(|f| f.start < span.end)
                    || (allows_any && self.scorer.is_allowed(&fold_case(&text[span.clone()])))
            };
            let found = detector.detect_tokens(text, &tokens, skip);
            report.add_realword(text, found, self.options.max_suggestions);
        }
        (report, scores)
    }
}
