//! The embedded default English model: metadata, and that it tells words from damage.

use garbled::confusion::ConfusionTable;
use garbled::score::{AllowList, Scorer};
use garbled::Model;

#[test]
fn embedded_model_metadata() {
    let model = Model::embedded().expect("the embedded model loads");
    let meta = model.metadata();
    assert_eq!(meta.ngram.order, 6);
    assert!(meta.types > 200_000, "lexicon has {} words", meta.types);
    assert!(meta.corpora[0].name.ends_with("en-lexicon.tsv"));
    assert!(model.calibration().is_some());
    assert!(model.thesaurus().is_some_and(|t| t.len() > 40_000));
}

fn probability(scorer: &Scorer<'_>, sentence: &str, word: &str) -> f32 {
    let scores = scorer.score_text(sentence);
    let start = sentence.find(word).expect("word in sentence");
    scores
        .words
        .iter()
        .find(|w| w.start == start)
        .expect("word scored")
        .probability
}

#[test]
fn words_names_and_modern_terms_are_clean_garbled_forms_are_not() {
    let model = Model::embedded().unwrap();
    let scorer = Scorer::new(&model, AllowList::new()).unwrap();
    let clean = [
        "government",
        "received",
        "smartphone",
        "cryptocurrency",
        "ransomware",
        "livestream",
        "Shenzhen",
        "UNRWA",
        "Tshisekedi",
    ];
    for w in clean {
        let s = format!("On Monday the {w} was in the news.");
        let p = probability(&scorer, &s, w);
        assert!(p < 0.5, "{w}: P(corrupted) = {p}");
    }
    let garbled = [
        "shelp",
        "consentd",
        "aobtainst",
        "meacertains",
        "hugegest",
        "goverment",
        "recieved",
        "rneeting",
        "off1cial",
    ];
    for w in garbled {
        let s = format!("On Monday the {w} was in the news.");
        let p = probability(&scorer, &s, w);
        assert!(p >= 0.5, "{w}: P(corrupted) = {p}");
    }
}

/// A model committed with the current format: if the serialized structs change without
/// a FORMAT_VERSION bump (and `tests/data/regenerate.sh`), this fails.
#[test]
fn committed_tiny_model_still_loads() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny.garbled");
    let model = Model::load(&path).expect("tests/data/tiny.garbled loads with this build");
    assert_eq!(model.metadata().ngram.order, 3);
    assert_eq!(model.metadata().corpora.len(), 2);
    assert!(model.lexicon().contains("council"));
    assert_eq!(model.thesaurus().map(|t| t.len()), Some(3));
    // `train` stores the real-word confusion sets, found after the thesaurus was packed.
    let stored = model.confusions().expect("train stores the confusion sets");
    assert!(!stored.is_empty());
    let fresh = ConfusionTable::build(
        model.word_lm().expect("trained with --context"),
        model.lexicon(),
        model.thesaurus(),
    );
    assert_eq!(stored, &fresh);
    let scorer = Scorer::new(&model, AllowList::new()).expect("calibrated");
    let scores = scorer.score_text("The council met.");
    assert_eq!(scores.tokens, 3);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        model.to_bytes().unwrap(),
        bytes,
        "re-encoding gives the same bytes"
    );
}
