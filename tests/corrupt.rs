//! `garbled corrupt` and `garbled eval`: the project's own measuring tools.

mod util;

use serde::Deserialize;
use util::{fixture, Dir};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Label {
    doc: String,
    start: usize,
    end: usize,
    corrupted: String,
    original: String,
    kind: String,
    realword: bool,
}

fn labels(dir: &Dir, name: &str) -> Vec<Label> {
    std::fs::read_to_string(dir.path(name))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn corruption_is_deterministic_and_labels_restore_the_original() {
    let dir = Dir::new();
    let input = fixture("corpus-a.txt");
    for kind in ["typo", "ocr", "spin", "mix"] {
        let a = format!("{kind}-a.txt");
        let b = format!("{kind}-b.txt");
        let la = format!("{kind}-a.jsonl");
        let lb = format!("{kind}-b.jsonl");
        let args = |out: &str, lab: &str| -> Vec<String> {
            [
                "corrupt", "--kind", kind, "--rate", "0.2", "--seed", "3", &input, "--out", out,
                "--labels", lab,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        };
        let run = |a: Vec<String>| {
            dir.run(&a.iter().map(String::as_str).collect::<Vec<_>>())
                .success()
        };
        run(args(&a, &la));
        run(args(&b, &lb));
        let text_a = std::fs::read(dir.path(&a)).unwrap();
        assert_eq!(
            text_a,
            std::fs::read(dir.path(&b)).unwrap(),
            "{kind}: same seed, same text"
        );

        let corrupted = String::from_utf8(text_a).unwrap();
        let ls = labels(&dir, &la);
        assert!(ls.len() >= 10, "{kind}: only {} labels", ls.len());
        let mut restored = String::new();
        let mut pos = 0;
        for l in &ls {
            assert_eq!(l.doc, "corpus-a.txt");
            assert_eq!(&corrupted[l.start..l.end], l.corrupted);
            assert_ne!(l.corrupted, l.original);
            assert!(["typo", "ocr", "inword_spin", "word_spin"].contains(&l.kind.as_str()));
            restored.push_str(&corrupted[pos..l.start]);
            restored.push_str(&l.original);
            pos = l.end;
        }
        restored.push_str(&corrupted[pos..]);
        assert_eq!(restored, std::fs::read_to_string(&input).unwrap(), "{kind}");
        if kind == "spin" {
            assert!(ls.iter().any(|l| l.realword), "spin leaves real words");
        }
    }
}

#[test]
fn eval_scores_the_builtin_checker_and_external_predictions() {
    let dir = Dir::new();
    let input = format!("{}/eval/clean", env!("CARGO_MANIFEST_DIR"));
    dir.run(&[
        "corrupt", "--kind", "typo", "--rate", "0.05", "--seed", "1", &input, "--out", "out",
        "--labels", "l.jsonl",
    ])
    .success();
    assert!(dir.path("out/news-01.txt").exists());
    let json = dir
        .run(&["eval", "--json", "--labels", "l.jsonl", "out"])
        .success()
        .stdout();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let f1 = v["nonword"]["f1"].as_f64().unwrap();
    assert!(f1 > 0.85, "non-word F1 {f1}");
    assert!(v["false_flags_per_1000"].as_f64().unwrap() < 5.0);
    assert!(v["by_kind"]["typo"]["labels"].as_u64().unwrap() > 100);

    // The same numbers from check's JSON output fed back as predictions.
    let files: Vec<String> = (1..=24).map(|i| format!("out/news-{i:02}.txt")).collect();
    let mut args = vec!["check", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let preds = dir.run(&args).success().stdout();
    dir.write("pred.jsonl", preds);
    let json2 = dir
        .run(&[
            "eval",
            "--json",
            "--labels",
            "l.jsonl",
            "--predictions",
            "pred.jsonl",
            "out",
        ])
        .success()
        .stdout();
    let v2: serde_json::Value = serde_json::from_str(&json2).unwrap();
    assert_eq!(v["nonword"], v2["nonword"]);

    let table = dir
        .run(&["eval", "--labels", "l.jsonl", "out"])
        .success()
        .stdout();
    assert!(table.contains("non-word"), "{table}");
}
