//! The embedded default English model: metadata, and that it tells words from damage.

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
