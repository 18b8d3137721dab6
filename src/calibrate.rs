//! Learning how to weigh the evidence: logistic regression from labelled corruptions.
//!
//! `garbled calibrate` corrupts clean text with [`crate::corrupt`], scores every word
//! token's [`crate::features`], and fits `P(corrupted | x) = σ(w · x)` by Newton's method
//! (iteratively reweighted least squares) with a small L2 penalty, over an `ndarray`
//! feature matrix. Newton converges in a handful of iterations for a few dozen features,
//! and needs no learning rate. The weights are stored in the model, so the probability a
//! flag reports is calibrated on data like the user's, not chosen by hand.
//!
//! Weakness: a linear model cannot express every interaction; the most useful ones
//! (unknown × shape, unknown × surprisal) are explicit features.

use ndarray::{Array1, Array2, ArrayView1};
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use crate::corrupt::{CorruptConfig, CorruptMode, Corrupter, Label};
use crate::counts::fold_case;
use crate::error::{Error, Result};
use crate::features::{FeatureVector, NUM_FEATURES};
use crate::model::Model;
use crate::score::Scorer;
use crate::tokenize::{self, Shape, TokenKind};

/// How to generate the labelled data the weights are fitted on.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrateOptions {
    /// Corruption passes over the text, each with its own seed.
    pub passes: u64,
    /// Fraction of words corrupted in each pass.
    pub rate: f64,
    /// Seed of the first pass.
    pub seed: u64,
    /// L2 penalty of the logistic regression.
    pub l2: f64,
    /// Fraction of capitalised and all-caps word types treated as unknown to the
    /// lexicon while calibrating (see [`labelled_rows`]).
    pub name_dropout: f64,
    /// Fraction of rare lowercase word types (see [`CalibrateOptions::rare_per_million`])
    /// treated as unknown to the lexicon while calibrating.
    pub rare_dropout: f64,
    /// A word is rare when the lexicon counts it fewer times than this per million
    /// tokens.
    pub rare_per_million: f64,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        CalibrateOptions {
            passes: 8,
            rate: 0.05,
            seed: 1,
            l2: 1e-2,
            name_dropout: 0.5,
            rare_dropout: 0.5,
            rare_per_million: 3.0,
        }
    }
}

/// Labelled feature rows: `x` (one row per word token) and `y` (1 = corrupted).
#[derive(Debug, Clone)]
pub struct LabelledRows {
    /// Feature rows.
    pub x: Vec<FeatureVector>,
    /// Labels.
    pub y: Vec<bool>,
}

/// Corrupts `docs` (`(name, clean text)`) with every mode mixed and collects the feature
/// row of each word token, labelled by whether a corruption produced it.
///
/// Tokens a corruption turned into another lexicon word (real-word damage) are left out:
/// no character or lexicon evidence can see them, and they would only teach the scorer
/// to distrust the lexicon.
///
/// Clean text rarely contains names the lexicon lacks, yet news is full of them
/// ("Tshisekedi", "UNRWA"). So that the scorer learns what an unknown *name* looks like,
/// a fixed share ([`CalibrateOptions::name_dropout`]) of the clean capitalised and
/// all-caps word types is scored as if the lexicon did not know them, as a name and as a
/// neighbour of the document's other words. Likewise a share
/// ([`CalibrateOptions::rare_dropout`]) of the rare lowercase words is scored as
/// unknown, standing in for the new and technical words news uses ("megatrend",
/// "hyperscalers"); otherwise every unknown lowercase word calibration sees would be a
/// corrupted one. The choice hashes the word, so it is deterministic and consistent
/// within a document.
pub fn labelled_rows(
    model: &Model,
    docs: &[(String, String)],
    options: &CalibrateOptions,
) -> LabelledRows {
    let is_word = |w: &str| model.lexicon().contains(w);
    let zero = Calibration {
        weights: vec![0.0; NUM_FEATURES],
        examples: 0,
        positives: 0,
    };
    let scorer = Scorer::with_calibration(model, &zero);
    let jobs: Vec<(u64, &(String, String))> = (0..options.passes)
        .flat_map(|p| docs.iter().map(move |d| (p, d)))
        .collect();
    let parts: Vec<LabelledRows> = jobs
        .par_iter()
        .map(|&(pass, (name, text))| {
            let config = CorruptConfig {
                mode: CorruptMode::Mix,
                rate: options.rate,
                seed: options.seed.wrapping_add(pass),
            };
            let corrupter = Corrupter::new(config, model.thesaurus(), &is_word);
            let (corrupted, labels) = corrupter.corrupt(name, text);
            rows_of(&scorer, &corrupted, &labels, options)
        })
        .collect();
    let mut all = LabelledRows {
        x: Vec::new(),
        y: Vec::new(),
    };
    for mut p in parts {
        all.x.append(&mut p.x);
        all.y.append(&mut p.y);
    }
    all
}

/// A stable pseudo-random number in [0, 1) from a word (FNV-1a).
fn word_hash01(word: &str) -> f64 {
    let h = crate::counts::fnv1a(word.bytes());
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Capitalised away from a sentence start, or all caps: how names look.
fn name_like(shape: Shape, sentence_start: bool) -> bool {
    match shape {
        Shape::AllCaps => true,
        Shape::Capitalized => !sentence_start,
        _ => false,
    }
}

fn rows_of(
    scorer: &Scorer<'_>,
    text: &str,
    labels: &[Label],
    options: &CalibrateOptions,
) -> LabelledRows {
    let norms = scorer.model().length_norms();
    let lexicon = scorer.model().lexicon();
    let is_corrupted =
        |start: usize, end: usize| labels.iter().any(|l| l.start < end && start < l.end);
    let clean_words = || {
        tokenize::tokenize(text)
            .filter(|t| t.kind == TokenKind::Word && !is_corrupted(t.start, t.end))
    };
    // The clean names of this document shown as unknown. They are forgotten for the
    // whole document, so that the evidence that compares words (near misses, spin
    // sources) sees them as unknown too.
    let forgotten: FxHashSet<String> = clean_words()
        .filter(|t| name_like(tokenize::stem_shape(t.text(text)), t.sentence_start))
        .map(|t| fold_case(t.text(text)).into_owned())
        .filter(|f| word_hash01(f) < options.name_dropout)
        .collect();
    // Rare lowercase words shown as unknown, the way a new or technical word the
    // lexicon lacks looks ("megatrend", "hyperscalers"). Without them every unknown
    // lowercase word calibration sees is a corrupted one.
    let rare_below = lexicon.tokens() as f64 * options.rare_per_million / 1e6;
    let rare: FxHashSet<String> = clean_words()
        .filter(|t| tokenize::stem_shape(t.text(text)) == Shape::Lower)
        .map(|t| fold_case(t.text(text)).into_owned())
        .filter(|f| {
            let count = scorer.lexicon_count(f);
            count > 0
                && (count as f64) < rare_below
                && !forgotten.contains(f)
                && f.chars().all(char::is_alphabetic)
                && word_hash01(&format!("{f}#rare")) < options.rare_dropout
        })
        .collect();
    let forget = |f: &str| forgotten.contains(f) || rare.contains(f);
    let evidence = scorer.document_evidence_forgetting(text, forget);
    let mut rows = LabelledRows {
        x: Vec::with_capacity(evidence.len()),
        y: Vec::with_capacity(evidence.len()),
    };
    for w in evidence {
        let word = &text[w.start..w.end];
        let corrupted = is_corrupted(w.start, w.end);
        let folded = fold_case(word);
        // Known corrupted forms are the real-word detector's; allowed words are never
        // scored.
        if (corrupted && lexicon.contains(&folded)) || (w.allowed && !corrupted) {
            continue;
        }
        let mut ev = w.evidence;
        if forgotten.contains(folded.as_ref())
            && (corrupted || !name_like(ev.shape, ev.sentence_start))
        {
            // Only the name-like clean tokens of a forgotten word are shown as unknown.
            ev.count = scorer.lexicon_count(&folded);
        }
        rows.x.push(ev.features(norms));
        rows.y.push(corrupted);
    }
    rows
}

/// Fits the scorer's weights for `model` on corruptions of `docs`.
///
/// # Errors
///
/// [`Error::InvalidOption`] when the text yields no corrupted or no clean words.
pub fn calibrate(
    model: &Model,
    docs: &[(String, String)],
    options: &CalibrateOptions,
) -> Result<Calibration> {
    let rows = labelled_rows(model, docs, options);
    let n = rows.x.len();
    let x = Array2::from_shape_fn((n, NUM_FEATURES), |(i, j)| f64::from(rows.x[i][j]));
    let y = Array1::from_iter(rows.y.iter().map(|&b| f64::from(u8::from(b))));
    fit(&x, &y, options.l2)
}

/// Logistic-regression weights over [`crate::features::FEATURE_NAMES`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// One weight per feature.
    pub weights: Vec<f32>,
    /// Rows the weights were fitted on.
    pub examples: u64,
    /// Of which positive (corrupted).
    pub positives: u64,
}

impl Calibration {
    /// `P(corrupted)` for one feature row.
    #[inline]
    pub fn probability(&self, x: &FeatureVector) -> f32 {
        self.probability_of(x)
    }

    /// `P(positive)` for a feature row of any length (weights past its end are unused).
    #[inline]
    pub fn probability_of(&self, x: &[f32]) -> f32 {
        sigmoid(self.logit_of(x))
    }

    /// The log-odds `w · x` behind [`Calibration::probability_of`].
    #[inline]
    pub fn logit_of(&self, x: &[f32]) -> f32 {
        self.weights.iter().zip(x).map(|(w, v)| w * v).sum()
    }

    /// Checks the weights fit this build's features.
    pub(crate) fn validate(&self) -> std::result::Result<(), String> {
        self.validate_for("calibration", NUM_FEATURES)
    }

    /// Checks there are `features` finite weights; `what` names the weights in the
    /// message.
    pub(crate) fn validate_for(
        &self,
        what: &str,
        features: usize,
    ) -> std::result::Result<(), String> {
        if self.weights.len() != features {
            return Err(format!(
                "{what} has {} weights, this build uses {features} features; run `garbled calibrate` again",
                self.weights.len()
            ));
        }
        if self.weights.iter().any(|w| !w.is_finite()) {
            return Err(format!("{what} weights are not finite"));
        }
        Ok(())
    }
}

#[inline]
pub(crate) fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Fits the weights: rows of `x` with labels `y` (1 = corrupted).
///
/// # Errors
///
/// [`Error::InvalidOption`] when there are no positive or no negative examples.
pub fn fit(x: &Array2<f64>, y: &Array1<f64>, l2: f64) -> Result<Calibration> {
    let positives = y.iter().filter(|&&v| v > 0.5).count();
    if positives == 0 || positives == y.len() {
        return Err(Error::InvalidOption {
            option: "calibration text",
            reason: format!(
                "need both clean and corrupted tokens, got {positives} corrupted of {}",
                y.len()
            ),
        });
    }
    let d = x.ncols();
    let mut w = Array1::<f64>::zeros(d);
    for _ in 0..50 {
        let z = x.dot(&w);
        let p = z.mapv(|v| 1.0 / (1.0 + (-v).exp()));
        let grad = x.t().dot(&(&p - y)) + l2 * &w;
        let s = p.mapv(|v| (v * (1.0 - v)).max(1e-9));
        let xs = x * &s.view().insert_axis(ndarray::Axis(1));
        let mut hess = x.t().dot(&xs);
        for i in 0..d {
            hess[[i, i]] += l2;
        }
        let step = solve(hess, grad.view()).ok_or_else(|| Error::InvalidOption {
            option: "calibration text",
            reason: "features are degenerate (singular Hessian)".into(),
        })?;
        w -= &step;
        if step.iter().map(|v| v.abs()).fold(0.0, f64::max) < 1e-7 {
            break;
        }
    }
    Ok(Calibration {
        weights: w.iter().map(|&v| v as f32).collect(),
        examples: y.len() as u64,
        positives: positives as u64,
    })
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting (a is small and
/// symmetric positive definite here).
fn solve(mut a: Array2<f64>, b: ArrayView1<f64>) -> Option<Array1<f64>> {
    let n = b.len();
    let mut b = b.to_owned();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[[i, col]].abs().total_cmp(&a[[j, col]].abs()))?;
        if a[[pivot, col]].abs() < 1e-12 {
            return None;
        }
        if pivot != col {
            for k in 0..n {
                a.swap([col, k], [pivot, k]);
            }
            b.swap(col, pivot);
        }
        for row in col + 1..n {
            let f = a[[row, col]] / a[[col, col]];
            if f != 0.0 {
                for k in col..n {
                    a[[row, k]] -= f * a[[col, k]];
                }
                b[row] -= f * b[col];
            }
        }
    }
    let mut x = Array1::zeros(n);
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[[row, k]] * x[k]).sum();
        x[row] = (b[row] - s) / a[[row, row]];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_small_system() {
        let a = ndarray::arr2(&[[4.0, 1.0], [1.0, 3.0]]);
        let b = ndarray::arr1(&[1.0, 2.0]);
        let x = solve(a.clone(), b.view()).unwrap();
        let back = a.dot(&x);
        assert!((back[0] - 1.0).abs() < 1e-12 && (back[1] - 2.0).abs() < 1e-12);
    }

    #[test]
    fn fit_separates_a_noisy_threshold() {
        // y = 1 when the second feature is large, with some label noise.
        let n = 400;
        let mut x = Array2::<f64>::zeros((n, NUM_FEATURES));
        let mut y = Array1::<f64>::zeros(n);
        for i in 0..n {
            let v = i as f64 / n as f64;
            x[[i, 0]] = 1.0;
            x[[i, 1]] = v;
            y[i] = f64::from(u8::from((v > 0.5) ^ (i % 17 == 0)));
        }
        let cal = fit(&x, &y, 1e-3).unwrap();
        let mut row = [0f32; NUM_FEATURES];
        row[0] = 1.0;
        row[1] = 0.9;
        assert!(cal.probability(&row) > 0.8);
        row[1] = 0.1;
        assert!(cal.probability(&row) < 0.2);
        assert!(cal.validate().is_ok());
    }

    #[test]
    fn one_class_is_an_error() {
        let x = Array2::<f64>::ones((3, NUM_FEATURES));
        let y = Array1::<f64>::zeros(3);
        assert!(fit(&x, &y, 1e-3).is_err());
    }
}
