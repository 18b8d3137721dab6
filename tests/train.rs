//! `garbled train`, `merge` and `info` run as a user would, on the tiny corpora in
//! tests/fixtures.

mod util;

use util::{fixture, Dir};

fn bytes(dir: &Dir, name: &str) -> Vec<u8> {
    std::fs::read(dir.path(name)).expect("model written")
}

#[test]
fn trains_a_model_and_describes_it() {
    let dir = Dir::new();
    let (a, b) = (fixture("corpus-a.txt"), fixture("corpus-b.txt"));
    dir.run(&["train", "--quiet", "--order", "5", "--out", "m.bin", &a, &b])
        .success();
    let info = dir.run(&["info", "m.bin"]).success().stdout();
    assert!(info.contains("order 5"), "{info}");
    assert!(info.contains("interpolated modified Kneser-Ney"), "{info}");
    assert!(info.contains("corpus-a.txt (text; 1 files"), "{info}");
    assert!(info.contains("order 5:"), "{info}");
    let json = dir.run(&["info", "--json", "m.bin"]).success().stdout();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["metadata"]["ngram"]["order"], 5);
    assert_eq!(v["metadata"]["corpora"].as_array().unwrap().len(), 2);
}

#[test]
fn output_is_byte_identical_for_any_number_of_jobs() {
    let dir = Dir::new();
    let (a, b) = (fixture("corpus-a.txt"), fixture("corpus-b.txt"));
    dir.run(&["train", "-q", "-j", "1", "--out", "j1.bin", &a, &b])
        .success();
    dir.run(&["train", "-q", "-j", "2", "--out", "j2.bin", &a, &b])
        .success();
    dir.run(&["train", "-q", "-j", "3", "--out", "j3.bin", &a, &b])
        .success();
    assert_eq!(bytes(&dir, "j1.bin"), bytes(&dir, "j2.bin"));
    assert_eq!(bytes(&dir, "j1.bin"), bytes(&dir, "j3.bin"));
}

#[test]
fn a_model_with_a_word_model_stores_its_confusion_sets_the_same_for_any_jobs() {
    let dir = Dir::new();
    let (a, b) = (fixture("corpus-a.txt"), fixture("corpus-b.txt"));
    let thesaurus = fixture("thesaurus.tsv");
    for (jobs, out) in [("1", "j1.bin"), ("2", "j2.bin")] {
        let args = [
            "train",
            "-q",
            "-j",
            jobs,
            "--thesaurus",
            &thesaurus,
            "--context",
            &a,
            "--out",
            out,
            &a,
            &b,
        ];
        dir.run(&args).success();
    }
    assert_eq!(bytes(&dir, "j1.bin"), bytes(&dir, "j2.bin"));
    let info = dir.run(&["info", "j1.bin"]).success().stdout();
    let line = info
        .lines()
        .find(|l| l.starts_with("confusion sets:"))
        .unwrap_or_else(|| panic!("{info}"));
    let words: usize = line.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!(words > 0, "{line}");
    let json = dir.run(&["info", "--json", "j1.bin"]).success().stdout();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["sizes"]["confusion_sets"], words);
    assert!(v["sizes"]["confusion_alternatives"].as_u64().unwrap() >= words as u64);
    // Without a word model there are none, and `info` says nothing about them.
    dir.run(&["train", "-q", "--out", "plain.bin", &a])
        .success();
    let info = dir.run(&["info", "plain.bin"]).success().stdout();
    assert!(!info.contains("confusion sets"), "{info}");
}

#[test]
fn context_corpora_give_pairs_unless_triples_are_asked_for() {
    // Pairs keep real-word checks bounded (fast); triples are opt-in.
    let dir = Dir::new();
    let a = fixture("corpus-a.txt");
    let word_model = |more: &[&str], out: &str| {
        let mut args = vec!["train", "-q", "--context", &a];
        args.extend_from_slice(more);
        args.extend_from_slice(&["--out", out, &a]);
        dir.run(&args).success();
        let info = dir.run(&["info", out]).success().stdout();
        let line = info.lines().find(|l| l.starts_with("word model:"));
        line.unwrap_or_else(|| panic!("{info}")).to_string()
    };
    let pairs = word_model(&[], "pairs.bin");
    assert!(
        pairs.contains("2-grams") && !pairs.contains("3-grams"),
        "{pairs}"
    );
    let triples = word_model(&["--word-order", "3"], "triples.bin");
    assert!(triples.contains("3-grams"), "{triples}");
}

#[test]
fn merged_shards_equal_training_on_everything() {
    let dir = Dir::new();
    let (a, b) = (fixture("corpus-a.txt"), fixture("corpus-b.txt"));
    dir.run(&["train", "-q", "--out", "all.bin", &a, &b])
        .success();
    dir.run(&["train", "-q", "--counts-only", "--out", "a.shard", &a])
        .success();
    dir.run(&["train", "-q", "--counts-only", "--out", "b.shard", &b])
        .success();
    dir.run(&["merge", "-q", "--out", "merged.bin", "a.shard", "b.shard"])
        .success();
    assert_eq!(bytes(&dir, "all.bin"), bytes(&dir, "merged.bin"));

    // A shard is not a model, and the error says what to do.
    dir.run(&["info", "a.shard"])
        .fails_with(&["a.shard", "counts shard", "garbled train"]);
}

#[test]
fn base_model_plus_new_text_equals_training_on_all_of_it() {
    let dir = Dir::new();
    let (a, b) = (fixture("corpus-a.txt"), fixture("corpus-b.txt"));
    dir.run(&["train", "-q", "--order", "4", "--out", "all.bin", &a, &b])
        .success();
    dir.run(&["train", "-q", "--order", "4", "--out", "a.bin", &a])
        .success();
    dir.run(&["train", "-q", "--base", "a.bin", "--out", "ab.bin", &b])
        .success();
    assert_eq!(bytes(&dir, "all.bin"), bytes(&dir, "ab.bin"));
    // Options that contradict the base model are refused.
    dir.run(&[
        "train", "-q", "--base", "a.bin", "--order", "6", "--out", "x.bin", &b,
    ])
    .fails_with(&["base model"]);
}

#[test]
fn reads_stdin_gzip_frequency_lists_and_weights() {
    let dir = Dir::new();
    let text = std::fs::read(fixture("corpus-a.txt")).unwrap();
    dir.run_with_stdin(&["train", "-q", "--out", "stdin.bin", "-"], Some(&text))
        .success();
    dir.run(&["train", "-q", "--out", "file.bin", &fixture("corpus-a.txt")])
        .success();
    let info = dir.run(&["info", "--json", "stdin.bin"]).success().stdout();
    let v: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(v["metadata"]["corpora"][0]["name"], "-");

    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&text).unwrap();
    let gz_path = dir.write("a.txt.gz", gz.finish().unwrap());
    dir.run(&["train", "-q", "--out", "gz.bin", gz_path.to_str().unwrap()])
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&dir.run(&["info", "--json", "gz.bin"]).success().stdout()).unwrap();
    let tokens_gz = v["metadata"]["tokens"].as_u64().unwrap();
    assert!(tokens_gz > 50);

    let weighted = format!("{}:3", fixture("words.tsv"));
    dir.run(&["train", "-q", "--out", "f.bin", &weighted])
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&dir.run(&["info", "--json", "f.bin"]).success().stdout()).unwrap();
    assert_eq!(v["metadata"]["corpora"][0]["format"], "freq");
    assert_eq!(v["metadata"]["corpora"][0]["weight"], 3.0);
    assert_eq!(v["metadata"]["tokens"], 3 * (1200 + 700 + 90 + 40 + 12 + 3));
}

#[test]
fn bad_input_gives_one_line_errors() {
    let dir = Dir::new();
    dir.run(&["train", "--out", "m.bin", &fixture("invalid-utf8.txt")])
        .fails_with(&["invalid-utf8.txt", "invalid UTF-8 at byte 17", "--lossy"]);
    dir.run(&[
        "train",
        "-q",
        "--lossy",
        "--out",
        "m.bin",
        &fixture("invalid-utf8.txt"),
    ])
    .success();
    dir.run(&[
        "train",
        "--input-format",
        "freq",
        "--out",
        "m.bin",
        &fixture("bad-freq.tsv"),
    ])
    .fails_with(&["bad-freq.tsv:2:", "\"many\""]);
    dir.run(&["train", "--out", "m.bin", "no-such-file.txt"])
        .fails_with(&["no-such-file.txt"]);
    dir.run(&[
        "train",
        "--order",
        "12",
        "--out",
        "m.bin",
        &fixture("corpus-a.txt"),
    ])
    .fails_with(&["--order"]);
    let empty = dir.write("empty.txt", "  \n\n");
    dir.run(&["train", "--out", "m.bin", empty.to_str().unwrap()])
        .fails_with(&["no words"]);
}

#[test]
fn damaged_model_files_give_one_line_errors() {
    let dir = Dir::new();
    dir.run(&["train", "-q", "--out", "m.bin", &fixture("corpus-a.txt")])
        .success();
    let good = bytes(&dir, "m.bin");

    dir.write("text.bin", "just some text, not a model");
    dir.run(&["info", "text.bin"])
        .fails_with(&["text.bin", "not a garbled model", "text file"]);

    dir.write("short.bin", &good[..good.len() / 2]);
    dir.run(&["info", "short.bin"])
        .fails_with(&["short.bin", "truncated"]);

    let mut flipped = good.clone();
    let last = flipped.len() - 10;
    flipped[last] ^= 0x55;
    dir.write("flipped.bin", &flipped);
    dir.run(&["info", "flipped.bin"])
        .fails_with(&["flipped.bin", "corrupt", "checksum"]);

    let mut newer = good.clone();
    newer[8..12].copy_from_slice(&999u32.to_le_bytes());
    dir.write("newer.bin", &newer);
    dir.run(&["info", "newer.bin"])
        .fails_with(&["newer.bin", "version 999", "retrain"]);

    dir.run(&["info", "missing.bin"])
        .fails_with(&["missing.bin"]);
}

/// A small back-off model over words of the fixture corpora, as KenLM or SRILM would
/// write one.
const ARPA: &str = "\\data\\
ngram 1=6
ngram 2=4

\\1-grams:
-1.0\t<s>\t-0.3
-1.2\tthe\t-0.4
-2.0\tcity\t-0.2
-2.1\tcouncil
-2.3\tmet\t-0.1
-2.5\tcame

\\2-grams:
-0.3\tthe city
-0.5\tcity council
-0.6\tcouncil met
-0.2\t<s> the

\\end\\
";

#[test]
fn a_back_off_model_from_an_arpa_file_is_the_word_model() {
    let dir = Dir::new();
    let (a, b) = (fixture("corpus-a.txt"), fixture("corpus-b.txt"));
    // Trains on both corpora with this ARPA file and more options; `garbled info`.
    let train = |arpa: &std::path::Path, more: &[&str], out: &str| {
        let mut args = vec!["train", "-q", "--context-arpa", t(arpa)];
        args.extend_from_slice(more);
        args.extend_from_slice(&["--out", out, &a, &b]);
        dir.run(&args).success();
        dir.run(&["info", out]).success().stdout()
    };
    let info = train(
        &dir.write("small.arpa", ARPA),
        &["--calibrate", &a, &b],
        "m.bin",
    );
    // The sentence marker is left out; the file is the one context source.
    let sizes = "word model:      5 1-grams, 3 2-grams (back-off model)";
    assert!(info.contains(sizes), "{info}");
    assert!(info.contains("small.arpa (arpa; 1 files"), "{info}");
    // A gzipped file reads the same.
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(ARPA.as_bytes()).unwrap();
    let info = train(
        &dir.write("small.arpa.gz", gz.finish().unwrap()),
        &[],
        "gz.bin",
    );
    assert!(info.contains(sizes), "{info}");
    // Checking uses it.
    let text = dir.write("t.txt", "The city council met on Tuesday.\n");
    dir.run(&["check", "--model", "m.bin", t(&text)]).success();
    // A model trained on top of it keeps it.
    dir.run(&["train", "-q", "--base", "m.bin", "--out", "more.bin", &a])
        .success();
    let info = dir.run(&["info", "more.bin"]).success().stdout();
    assert!(info.contains("small.arpa (arpa; 1 files"), "{info}");
}

fn t(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn bad_arpa_files_give_one_line_errors() {
    let dir = Dir::new();
    let a = fixture("corpus-a.txt");
    let truncated = dir.write("cut.arpa", &ARPA[..ARPA.find("-0.6").unwrap()]);
    dir.run(&[
        "train",
        "-q",
        "--context-arpa",
        t(&truncated),
        "--out",
        "m.bin",
        &a,
    ])
    .fails_with(&["cut.arpa:", "no `\\end\\`", "truncated"]);
    let bad = dir.write("bad.arpa", ARPA.replace("-2.3\tmet", "x\tmet"));
    dir.run(&[
        "train",
        "-q",
        "--context-arpa",
        t(&bad),
        "--out",
        "m.bin",
        &a,
    ])
    .fails_with(&["bad.arpa:10:", "`x` is not a number"]);
    let good = dir.write("good.arpa", ARPA);
    dir.run(&[
        "train",
        "-q",
        "--context-arpa",
        t(&good),
        "--context",
        &a,
        "--out",
        "m.bin",
        &a,
    ])
    .fails_with(&["--context-arpa", "one or the other"]);
    dir.run(&[
        "train",
        "-q",
        "--context-arpa",
        "no-such.arpa",
        "--out",
        "m.bin",
        &a,
    ])
    .fails_with(&["no-such.arpa"]);
    // A counts shard holds counts only: what goes into a model is refused, not dropped.
    dir.run(&[
        "train",
        "-q",
        "--counts-only",
        "--context-arpa",
        t(&good),
        "--out",
        "a.shard",
        &a,
    ])
    .fails_with(&["--context-arpa", "counts shard", "garbled merge"]);
}

/// A model calibrated by a build with other features (another number of weights) is
/// refused by the commands that score, with a pointer to `garbled calibrate`, and
/// `calibrate` brings it up to date.
#[test]
fn a_model_calibrated_for_other_features_is_recalibrated() {
    let dir = Dir::new();
    let tiny = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny.garbled");
    let mut model = garbled::Model::load(&tiny).unwrap();
    let mut stale = model.calibration().unwrap().clone();
    stale.weights.push(0.0);
    model.set_calibration(stale);
    let path = dir.path("stale.garbled");
    model.save(&path).unwrap();
    let text = dir.write("t.txt", "The council met.\n");
    dir.run(&["check", "--model", t(&path), t(&text)])
        .fails_with(&["stale.garbled", "run `garbled calibrate` again"]);
    let (a, b) = (fixture("corpus-a.txt"), fixture("corpus-b.txt"));
    let fresh = dir.path("fresh.garbled");
    dir.run(&[
        "calibrate",
        "-q",
        "--model",
        t(&path),
        "--out",
        t(&fresh),
        &a,
        &b,
    ])
    .success();
    let recalibrated = garbled::Model::load(&fresh).expect("recalibrated for this build");
    let weights = recalibrated.calibration().unwrap().weights.len();
    assert_eq!(weights, garbled::features::NUM_FEATURES);
    dir.run(&["check", "--model", t(&fresh), t(&text)])
        .success();
    // Other damage is still refused.
    let junk = dir.write("junk.garbled", "not a model");
    dir.run(&["calibrate", "--model", t(&junk), "--out", t(&fresh), &a])
        .fails_with(&["junk.garbled"]);
}
