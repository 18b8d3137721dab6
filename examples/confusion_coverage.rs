//! How often the real-word check could name the right word at all: for each real-word
//! label of `garbled corrupt` (a whole-word spin or a real-word typo), whether the
//! original is in the corrupted word's confusion set ([`garbled::confusion`]), and at
//! which place. A label whose original is missing can never be corrected, whatever the
//! decision does; the rest are the decision's to find.
//!
//! ```text
//! garbled corrupt --mode wordspin --seed 31 --labels L.jsonl --out-dir D eval/clean
//! cargo run --release --example confusion_coverage -- L.jsonl [MODEL] [--missing]
//! ```
//!
//! `--missing` also prints each label whose original is not in the set.

use std::io::BufRead;

use garbled::counts::fold_case;
use garbled::wordlm::word_key;
use garbled::Model;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let list_missing = args.iter().any(|a| a == "--missing");
    args.retain(|a| a != "--missing");
    let mut args = args.into_iter();
    let usage = "usage: confusion_coverage LABELS.jsonl [MODEL] [--missing]";
    let labels = args.next().ok_or(usage)?;
    let mut model = match args.next() {
        Some(path) => Model::load(std::path::Path::new(&path))?,
        None => Model::embedded()?,
    };
    model.index_confusions();
    let table = model.confusions().ok_or("the model has no word model")?;
    let (mut total, mut missing, mut by_place) = (0usize, 0usize, [0usize; 16]);
    let (mut no_set, mut set_sizes) = (0usize, 0usize);
    for line in std::io::BufReader::new(std::fs::File::open(&labels)?).lines() {
        let label: serde_json::Value = serde_json::from_str(&line?)?;
        if label["realword"] != serde_json::Value::Bool(true) {
            continue;
        }
        let (Some(corrupted), Some(original)) =
            (label["corrupted"].as_str(), label["original"].as_str())
        else {
            return Err(format!("{labels}: a label without corrupted/original: {label}").into());
        };
        let (corrupted, original) = (fold_case(corrupted), fold_case(original));
        total += 1;
        let set: Vec<_> = table.get(word_key(&corrupted)).collect();
        no_set += usize::from(set.is_empty());
        set_sizes += set.len();
        match set.iter().position(|c| c.word == original) {
            Some(i) => by_place[i.min(15)] += 1,
            None => {
                missing += 1;
                if list_missing {
                    let set: Vec<&str> = set.iter().map(|c| c.word).collect();
                    println!("missing: {corrupted} <- {original}: {set:?}");
                }
            }
        }
    }
    let share = |n: usize| n as f64 / total.max(1) as f64;
    println!(
        "{total} real-word labels: original in the set {:.3}, missing {:.3} (no set at all {:.3}); mean set size {:.2}",
        share(total - missing),
        share(missing),
        share(no_set),
        set_sizes as f64 / total.max(1) as f64
    );
    let places: Vec<String> = by_place
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(i, n)| format!("{}: {n}", i + 1))
        .collect();
    println!("place of the original: {}", places.join(", "));
    Ok(())
}
