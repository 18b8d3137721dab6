//! Checking text end to end: score the words, flag the improbable ones, attach
//! suggestions. `garbled check`, `garbled flag` and `garbled eval` all go through
//! [`Checker`], so they agree by construction.

use crate::cache::TokenCache;
use crate::correct::{Candidates, CorrectConfig, Corrector, DocumentWords, Side};
use crate::counts::{fold_case, WordCounts};
use crate::error::Result;
use crate::model::Model;
use crate::realword::{RealwordDetector, DEFAULT_REALWORD_THRESHOLD};
use crate::report::{round4, Flag, FlagKind, Report, Suggestion};
use crate::score::{AllowList, Scorer, TextScore, WordScore, DEFAULT_THRESHOLD};
use crate::tokenize::{self, Token, TokenKind};
use crate::wordlm::{breaks_run, folded_word_key, is_pause, WordLm};

/// The count a user's word gets as a correction candidate: the frequency of a moderately
/// common word, so it wins against rare lexicon words at the same distance but not
/// against everyday ones.
pub const USER_WORD_COUNT: u64 = 10_000;

/// Most tokens a thread's suggestion cache holds before it starts over.
const SUGGESTION_CACHE_TOKENS: usize = 1 << 14;

/// How many of a non-word's likeliest corrections are weighed again in context, when
/// the model has a word model ([`Checker::rerank_in_context`]).
const CONTEXT_POOL: usize = 10;

/// How much a correction's fit with its neighbours counts, as a power of the word
/// model's odds: a candidate's probability is multiplied by `(P(prev c) P(c next) /
/// (P(prev) P(c)^2 P(next)))^CONTEXT_WEIGHT` and shared again. Chosen on typos and
/// mixed damage of `training/calibration/` (rate 0.05, seeds 101 and 202) with the
/// default model's back-off word model: top-1 of the typos 0.857 / 0.817 at 0.5, 0.860
/// / 0.825 at 1, 0.849 / 0.819 at 1.5; fix rate of the mixed damage 0.839 / 0.791 at
/// 0.5 and 0.853 / 0.797 at 1. (With the earlier pairs-only model, 0.5 was best.)
const CONTEXT_WEIGHT: f64 = 1.0;

thread_local! {
    static SUGGESTION_CACHE: std::cell::RefCell<TokenCache<Candidates>> =
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
    /// The word model that weighs corrections in context, when the context check is on.
    context: Option<&'m WordLm>,
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
            context: model.word_lm().filter(|_| options.context),
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
        let mut suggestions = self.suggest_pool(token);
        suggestions.truncate(self.options.max_suggestions);
        suggestions
    }

    /// How many suggestions [`Checker::suggest_pool`] gives: more than are reported
    /// when context may reorder them.
    fn pool_size(&self) -> usize {
        match (self.options.max_suggestions, self.context) {
            (0, _) => 0,
            (max, Some(_)) => max.max(CONTEXT_POOL),
            (max, None) => max,
        }
    }

    /// [`Checker::suggest`] before the cut to `max_suggestions`: [`Checker::pool_size`]
    /// of them.
    fn suggest_pool(&self, token: &str) -> Vec<Suggestion> {
        self.suggest_pool_in(token, &DocumentWords::new())
    }

    /// [`Checker::suggest_pool`] with the words of the token's document as candidates
    /// too ([`Corrector::suggest_in_document`]). The lexicon's candidates are cached.
    fn suggest_pool_in(&self, token: &str, document: &DocumentWords<'_>) -> Vec<Suggestion> {
        let pool = self.pool_size();
        if pool == 0 {
            return Vec::new();
        }
        let cached = SUGGESTION_CACHE.with(|c| c.borrow().get(self.id, token));
        let candidates = cached.unwrap_or_else(|| {
            let found = self.corrector.candidates(token, pool);
            SUGGESTION_CACHE.with(|c| c.borrow_mut().insert(self.id, token, found.clone()));
            found
        });
        let suggestions = self
            .corrector
            .suggest_in_document(token, &candidates, document, pool)
            .unwrap_or_else(|| self.corrector.share(token, &candidates, pool));
        plain(suggestions)
    }

    /// The words of a text that are not flagged, when some are (else none: no
    /// suggestion needs them).
    fn document_words<'t>(&self, text: &'t str, scores: &TextScore) -> DocumentWords<'t> {
        let threshold = self.options.threshold;
        if self.pool_size() == 0 || scores.words.iter().all(|w| w.probability < threshold) {
            return DocumentWords::new();
        }
        scores
            .words
            .iter()
            .filter(|w| w.probability < threshold)
            .map(|w| &text[w.start..w.end])
            .collect()
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

    /// Weighs the corrections of each one-word non-word flag again with its neighbours
    /// under the word model (when there is one), then cuts them to `max_suggestions`.
    ///
    /// The corrector ranks candidates by frequency and the error channel, which cannot
    /// tell "form" from "from" after "came" ([`crate::correct`]). Here each candidate's
    /// probability is multiplied by how much likelier the word model finds it next to
    /// the previous and next words than on its own ([`CONTEXT_WEIGHT`]), and the
    /// probabilities of the candidates weighed are shared again among them, so their sum
    /// is unchanged. A split ("months old") is weighed against its words apart, as the
    /// corrector priced it, so the pair it makes counts too ("monthsold in" is "months
    /// old in", though "sold in" is as common as "old in"). A flag with no neighbour in
    /// its run of words keeps its order.
    fn rerank_in_context(&self, text: &str, tokens: &[Token], flags: &mut [Flag]) {
        let max = self.options.max_suggestions;
        for flag in flags.iter_mut() {
            if let Some(lm) = self.context.filter(|_| flag.suggestions.len() > 1) {
                let at = tokens.partition_point(|t| t.start < flag.start);
                if tokens.get(at).is_some_and(|t| t.end == flag.end) {
                    let (prev, next) = neighbours(text, tokens, at);
                    let key = |t: &Token| folded_word_key(t.text(text));
                    rerank(lm, prev.map(key), next.map(key), &mut flag.suggestions);
                }
            }
            flag.suggestions.truncate(max);
        }
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
        let document = self.document_words(text, &scores);
        let mut report = Report::from_scores(name, text, &scores, self.options.threshold, |t| {
            self.suggest_pool_in(t, &document)
        });
        self.rejoin(text, &scores.words, &mut report.flags);
        self.rerank_in_context(text, &tokens, &mut report.flags);
        if let Some(detector) = &self.realword {
            // Non-word flags are in text order and do not overlap.
            let flagged: Vec<std::ops::Range<usize>> =
                report.flags.iter().map(|f| f.start..f.end).collect();
            let allows_any = self.scorer.allows_any();
            let skip = |span: &std::ops::Range<usize>| {
                tokenize::overlaps_any(&flagged, span)
                    || (allows_any && self.scorer.is_allowed(&fold_case(&text[span.clone()])))
            };
            let found = detector.detect_tokens(text, &tokens, skip);
            report.add_realword(text, found, self.options.max_suggestions);
        }
        (report, scores)
    }
}

/// The corrector's suggestions as the report's.
fn plain(suggestions: Vec<crate::correct::Suggestion>) -> Vec<Suggestion> {
    suggestions
        .into_iter()
        .map(|s| Suggestion {
            text: s.text,
            score: s.score,
        })
        .collect()
}

/// The words next to the word token `at` of `text` in its run of words
/// ([`breaks_run`]).
fn neighbours<'t>(
    text: &str,
    tokens: &'t [Token],
    at: usize,
) -> (Option<&'t Token>, Option<&'t Token>) {
    let heard = |t: &&Token| !is_pause(t, text);
    let prev = (!breaks_run(&tokens[at], text))
        .then(|| tokens[..at].iter().rev().find(heard))
        .flatten()
        .filter(|t| t.kind == TokenKind::Word);
    let next = tokens[at + 1..]
        .iter()
        .find(heard)
        .filter(|t| !breaks_run(t, text));
    (prev, next)
}

/// Reorders `suggestions` by their probability times their fit with the neighbours
/// `prev` and `next` (word keys) under `lm` (see [`Checker::rerank_in_context`]).
fn rerank(lm: &WordLm, prev: Option<u64>, next: Option<u64>, suggestions: &mut [Suggestion]) {
    if prev.is_none() && next.is_none() {
        return;
    }
    let total: f64 = suggestions.iter().map(|s| s.score).sum();
    let mut window: Vec<u64> = Vec::new();
    let weighed: Vec<f64> = suggestions
        .iter()
        .map(|s| {
            let words: Vec<u64> = s.text.split(' ').map(folded_word_key).collect();
            window.clear();
            window.extend(prev);
            window.extend(&words);
            window.extend(next);
            let alone: f32 = words.iter().map(|&w| lm.log2_window(&[w])).sum();
            let fit = f64::from(lm.log2_window(&window) - alone);
            // A rounded-off share still has a little weight.
            s.score.max(1e-5).ln() + CONTEXT_WEIGHT * fit * std::f64::consts::LN_2
        })
        .collect();
    let top = weighed.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let shares: Vec<f64> = weighed.iter().map(|w| (w - top).exp()).collect();
    let sum: f64 = shares.iter().sum();
    for (s, share) in suggestions.iter_mut().zip(&shares) {
        s.score = round4(total * share / sum);
    }
    suggestions.sort_by(|a, b| b.score.total_cmp(&a.score));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wordlm::{word_key, ContextCounts};

    fn suggestion(text: &str, score: f64) -> Suggestion {
        Suggestion {
            text: text.into(),
            score,
        }
    }

    /// A word model of these words (100 each) and pairs (50 each).
    fn lm_of(ngrams: &[&str]) -> WordLm {
        let counts = ngrams
            .iter()
            .map(|w| (w.to_string(), if w.contains(' ') { 50 } else { 100 }));
        WordLm::estimate(ContextCounts::from_ngrams(&WordCounts::from_pairs(counts)))
    }

    #[test]
    fn context_reorders_corrections_and_keeps_their_total() {
        let lm = lm_of(&[
            "he",
            "has",
            "been",
            "even",
            "there",
            "has been",
            "been there",
        ]);
        let key = |w: &str| Some(word_key(w));
        let mut s = vec![suggestion("even", 0.7), suggestion("been", 0.2)];
        rerank(&lm, key("has"), key("there"), &mut s);
        assert_eq!(s[0].text, "been", "{s:?}");
        assert!((s[0].score + s[1].score - 0.9).abs() < 1e-3, "{s:?}");
        // Without neighbours nothing moves.
        let mut alone = vec![suggestion("even", 0.7), suggestion("been", 0.2)];
        rerank(&lm, None, None, &mut alone);
        assert_eq!(alone, [suggestion("even", 0.7), suggestion("been", 0.2)]);
    }

    /// A split is weighed with the pair it makes, not only with its neighbours: the
    /// corrector priced it as two words apart.
    #[test]
    fn a_split_is_weighed_with_its_own_pair() {
        let lm = lm_of(&[
            "children",
            "months",
            "month",
            "old",
            "sold",
            "in",
            "months old",
            "old in",
            "sold in",
        ]);
        // Only the next word known, and "sold in" as common as "old in": the pair inside
        // "months old" decides.
        let mut s = vec![suggestion("month sold", 0.6), suggestion("months old", 0.4)];
        rerank(&lm, None, Some(word_key("in")), &mut s);
        assert_eq!(s[0].text, "months old", "{s:?}");
    }

    #[test]
    fn neighbours_stop_at_punctuation_and_sentence_starts_but_not_at_commas() {
        let text = "He has veen there. Then, veen; so wnet, 5, on";
        let tokens: Vec<Token> = tokenize::tokenize(text).collect();
        let at = |w: &str| tokens.iter().position(|t| t.text(text) == w).unwrap();
        let words = |(p, n): (Option<&Token>, Option<&Token>)| {
            (p.map(|t| t.text(text)), n.map(|t| t.text(text)))
        };
        let around = |w: &str| words(neighbours(text, &tokens, at(w)));
        assert_eq!(around("veen"), (Some("has"), Some("there")));
        // A sentence start has no word before it; a comma is read through, a semicolon
        // and a number are not.
        assert_eq!(around("Then"), (None, Some("veen")));
        let second = tokens.iter().rposition(|t| t.text(text) == "veen").unwrap();
        assert_eq!(
            words(neighbours(text, &tokens, second)),
            (Some("Then"), None)
        );
        assert_eq!(around("wnet"), (Some("so"), None));
        assert_eq!(around("on"), (None, None));
    }
}
