//! Throughput of training, character-model queries and checking, each beside a baseline
//! measured in the same run. Run with `cargo bench --bench throughput`.
//!
//! Inputs are generated or committed, never downloaded: the training corpus is sampled
//! from the embedded model's lexicon by word frequency (a Zipf-like stream of running
//! text with sentence punctuation, seeded), the check corpus is the committed news text
//! in `eval/clean/`. Every figure is the median of several runs; the machine may be
//! noisy, so ratios against the baseline matter more than absolute numbers.
//!
//! Sections: `cargo bench --bench throughput -- load train queries check` (default: all).
//! Environment: `GARBLED_BENCH_MB` sets the size of the generated training corpus
//! (default 64), `GARBLED_BENCH_RUNS` the number of runs (default 5).

use std::io::Write;
use std::time::{Duration, Instant};

use garbled::check::{CheckOptions, Checker};
use garbled::corpus::{CorpusSpec, NoProgress, ReadOptions};
use garbled::counts::fold_case;
use garbled::score::AllowList;
use garbled::{tokenize, train, Model};
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn median_f64(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn time_runs(runs: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

/// `text` cut after whitespace into pieces of about `len` bytes.
fn corpus_pieces(text: &str, len: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = len.min(rest.len());
        while cut < rest.len() && !rest.as_bytes()[cut - 1].is_ascii_whitespace() {
            cut += 1;
        }
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// Running text sampled from the lexicon by frequency.
fn generate_corpus(model: &Model, bytes: usize) -> String {
    let counts = model.lexicon().to_counts();
    let words: Vec<(&str, u64)> = counts
        .as_slice()
        .iter()
        .filter(|(w, _)| w.chars().all(char::is_alphabetic))
        .map(|(w, c)| (w.as_str(), *c))
        .collect();
    let mut cumulative = Vec::with_capacity(words.len());
    let mut total = 0u64;
    for (_, c) in &words {
        total += c;
        cumulative.push(total);
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let mut text = String::with_capacity(bytes + 100);
    while text.len() < bytes {
        let n = rng.random_range(6..22);
        for i in 0..n {
            let r = rng.random_range(0..total);
            let w = words[cumulative.partition_point(|&c| c <= r)].0;
            if i == 0 {
                let mut cs = w.chars();
                if let Some(c) = cs.next() {
                    text.extend(c.to_uppercase());
                    text.push_str(cs.as_str());
                }
            } else {
                text.push(' ');
                text.push_str(w);
            }
        }
        text.push_str(if rng.random_range(0..8) == 0 {
            ".\n"
        } else {
            ". "
        });
    }
    text
}

/// Baseline for training: slide over every token's character n-grams without counting
/// word types first (what a token-level counter does).
fn count_ngrams_per_token(text: &str, order: usize) -> usize {
    let mut map: FxHashMap<u64, u64> = FxHashMap::default();
    let mut symbols: Vec<u32> = Vec::new();
    tokenize::for_each_word(text, |w| {
        symbols.clear();
        symbols.push(1);
        symbols.extend(fold_case(w).chars().map(|c| c as u32 & 0xff));
        symbols.push(2);
        for i in 1..symbols.len() {
            let start = (i + 1).saturating_sub(order);
            let key = symbols[start..=i]
                .iter()
                .fold(0u64, |k, &s| (k << 8) | u64::from(s));
            *map.entry(key).or_default() += 1;
        }
    });
    map.len()
}

fn main() {
    let runs = env_or("GARBLED_BENCH_RUNS", 5);
    let mb = env_or("GARBLED_BENCH_MB", 64);
    let model = Model::embedded().expect("embedded model");
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let run = |section: &str| wanted.is_empty() || wanted.iter().any(|w| w == section);
    println!(
        "garbled throughput bench: median of {runs} runs, {} cores available",
        rayon::current_num_threads()
    );

    if run("load") {
        let t = time_runs(runs, || {
            std::hint::black_box(Model::embedded().expect("embedded model"));
        });
        println!(
            "\nload the embedded model ({:.1} MB): {:.1} ms",
            Model::embedded_bytes().len() as f64 / 1e6,
            t.as_secs_f64() * 1e3
        );
    }
    if run("train") {
        bench_training(&model, runs, mb);
    }
    if run("queries") {
        bench_queries(&model, runs);
    }
    if run("check") {
        bench_check(&model, runs);
    }
}

fn bench_training(model: &Model, runs: usize, mb: usize) {
    let corpus = generate_corpus(model, mb << 20);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("corpus.txt");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(corpus.as_bytes()))
        .expect("write corpus");
    let spec = CorpusSpec {
        path: Some(path.clone()),
        weight: 1.0,
    };
    let size_mb = corpus.len() as f64 / 1e6;
    println!("\ntraining corpus: {size_mb:.1} MB generated text");
    // The pipeline (read + tokenize + count) and a ceiling (the same tokenize + count
    // work on pieces already in memory, one counter per thread, no reading and no final
    // merge) run in turn on 1 and 2 threads, so a noisy neighbour hits all four alike.
    // The ceiling is what 2 threads give on this machine for this work right now.
    let pieces: Vec<&str> = corpus_pieces(&corpus, 256 << 10);
    let pools = [pool(1), pool(2)];
    let mut pipeline = [Vec::new(), Vec::new()];
    let mut ceiling = [Vec::new(), Vec::new()];
    for _ in 0..runs {
        for (i, p) in pools.iter().enumerate() {
            let t = Instant::now();
            p.install(|| {
                train::count(
                    std::slice::from_ref(&spec),
                    &ReadOptions::default(),
                    &NoProgress,
                )
            })
            .expect("count");
            pipeline[i].push(t.elapsed());
            let t = Instant::now();
            p.install(|| {
                // One counter per thread over an even share of the pieces, like the
                // trainer's per-thread tally.
                let threads = rayon::current_num_threads();
                let counters: Vec<garbled::counts::Counter> = (0..threads)
                    .into_par_iter()
                    .map(|k| {
                        let mut c = garbled::counts::Counter::new();
                        for piece in pieces.iter().skip(k).step_by(threads) {
                            c.add_text(piece);
                        }
                        c
                    })
                    .collect();
                std::hint::black_box(counters);
            });
            ceiling[i].push(t.elapsed());
        }
    }
    let speedups = |times: &[Vec<Duration>; 2]| -> Vec<f64> {
        times[0]
            .iter()
            .zip(&times[1])
            .map(|(one, two)| one.as_secs_f64() / two.as_secs_f64())
            .collect()
    };
    let (pipe_up, ceil_up) = (speedups(&pipeline), speedups(&ceiling));
    let efficiency: Vec<f64> = pipe_up.iter().zip(&ceil_up).map(|(p, c)| p / c).collect();
    let count_time = pipeline.clone().map(median);
    let ceiling_time = ceiling.map(median);
    for threads in [1, 2] {
        println!(
            "  count (read + tokenize + count types), {threads} thread(s): {:8.1} MB/s   (ceiling {:.1} MB/s)",
            size_mb / count_time[threads - 1].as_secs_f64(),
            size_mb / ceiling_time[threads - 1].as_secs_f64()
        );
    }
    println!(
        "  speed-up 1 -> 2 threads (median of paired runs): {:.2}x; ceiling {:.2}x; pipeline / ceiling {:.2}",
        median_f64(pipe_up),
        median_f64(ceil_up),
        median_f64(efficiency)
    );
    let (shard, _) = train::count(
        std::slice::from_ref(&spec),
        &ReadOptions::default(),
        &NoProgress,
    )
    .expect("count");
    let full = time_runs(runs, || {
        let (shard, _) = pool(2)
            .install(|| {
                train::count(
                    std::slice::from_ref(&spec),
                    &ReadOptions::default(),
                    &NoProgress,
                )
            })
            .expect("count");
        pool(2)
            .install(|| train::estimate(shard, &train::TrainConfig::default()))
            .expect("estimate");
    });
    println!(
        "  full train at order 6 (count + estimate, {} types), 2 threads: {:8.1} MB/s",
        shard.counts.len(),
        size_mb / full.as_secs_f64()
    );
    let baseline = time_runs(runs.min(3), || {
        std::hint::black_box(count_ngrams_per_token(&corpus, 6));
    });
    println!(
        "  baseline: per-token character 6-gram counting, 1 thread: {:8.1} MB/s (type-first count is {:.1}x faster on 1 thread)",
        size_mb / baseline.as_secs_f64(),
        baseline.as_secs_f64() / count_time[0].as_secs_f64()
    );
}

fn bench_queries(model: &Model, runs: usize) {
    let lm = model.char_lm();
    let words: Vec<String> = model
        .lexicon()
        .to_counts()
        .as_slice()
        .iter()
        .map(|(w, _)| w.clone())
        .collect();
    let mut encoded = Vec::with_capacity(words.len());
    for w in &words {
        let mut s = Vec::new();
        lm.alphabet().encode_word(w, &mut s);
        encoded.push(s);
    }
    let lookups: usize = encoded.iter().map(|s| s.len() - 1).sum();
    let mut out = Vec::new();
    let q = time_runs(runs, || {
        for s in &encoded {
            out.clear();
            lm.surprisals_of_symbols(s, &mut out);
            std::hint::black_box(&out);
        }
    });
    let lex = time_runs(runs, || {
        for w in &words {
            std::hint::black_box(model.lexicon().count(w));
        }
    });
    println!(
        "\nqueries over the {} lexicon words ({lookups} character look-ups), 1 thread:",
        words.len()
    );
    println!(
        "  character log-prob look-ups: {:8.1} M/s",
        lookups as f64 / q.as_secs_f64() / 1e6
    );
    println!(
        "  lexicon look-ups (fst):       {:8.1} M/s",
        words.len() as f64 / lex.as_secs_f64() / 1e6
    );
}

fn bench_check(model: &Model, runs: usize) {
    let docs: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/eval/clean"))
        .expect("eval/clean")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| std::fs::read_to_string(e.path()).expect("read"))
        .collect();
    let bytes: usize = docs.iter().map(String::len).sum();
    let words_n: usize = docs
        .iter()
        .map(|d| {
            let mut n = 0;
            tokenize::for_each_word(d, |_| n += 1);
            n
        })
        .sum();
    // Detection only (no suggestions), so the correction index stays out of the timing.
    let detect = CheckOptions {
        max_suggestions: 0,
        ..CheckOptions::default()
    };
    let checker = Checker::new(model, AllowList::new(), detect.clone()).expect("checker");
    let no_context = CheckOptions {
        context: false,
        ..detect.clone()
    };
    let plain = Checker::new(model, AllowList::new(), no_context.clone()).expect("checker");
    let reps = 10;
    // With and without the word-context check, alternating pass by pass. The checkers
    // keep per-thread caches of what they learnt about each word type, tagged with their
    // own ids: one untimed pass fills them first, and the timing is of the steady state a
    // process checking with one checker sees. This machine's speed drifts over seconds,
    // so the cost of the context check is the median of the ratios of passes timed next
    // to each other, `reps` pairs per run.
    let pass = |checker: &Checker| {
        for d in &docs {
            std::hint::black_box(checker.check("bench", d));
        }
        let t = Instant::now();
        for d in &docs {
            std::hint::black_box(checker.check("bench", d));
        }
        t.elapsed()
    };
    let mut with_context = Vec::new();
    let mut without = Vec::new();
    let mut ratios = Vec::new();
    for _ in 0..runs * reps {
        let c = pass(&checker);
        let c0 = pass(&plain);
        ratios.push(c.as_secs_f64() / c0.as_secs_f64());
        with_context.push(c);
        without.push(c0);
    }
    // The same with the options `garbled check` runs with by default: every flag gets
    // its suggestions, as in the command's output.
    let full = Checker::new(model, AllowList::new(), CheckOptions::default()).expect("checker");
    let full_plain = Checker::new(
        model,
        AllowList::new(),
        CheckOptions {
            context: false,
            ..CheckOptions::default()
        },
    )
    .expect("checker");
    let full_ratio = median_f64(
        (0..runs * reps)
            .map(|_| pass(&full).as_secs_f64() / pass(&full_plain).as_secs_f64())
            .collect(),
    );
    // Fresh checkers, whose caches are empty, over `docs`: every word type is met for the
    // first time. The cost of the context check is the median ratio of `runs` pairs.
    let fresh_ratio = |docs: &[&str]| {
        let pass = |options: &CheckOptions| {
            let fresh = Checker::new(model, AllowList::new(), options.clone()).expect("checker");
            let t = Instant::now();
            for d in docs {
                std::hint::black_box(fresh.check("bench", d));
            }
            t.elapsed().as_secs_f64()
        };
        median_f64(
            (0..runs)
                .map(|_| pass(&detect) / pass(&no_context))
                .collect(),
        )
    };
    // The cold pass, as in a one-off check of a fresh article.
    let cold_ratio = fresh_ratio(&docs.iter().map(String::as_str).collect::<Vec<_>>());
    // A long feed of varied words: text sampled from the lexicon by frequency meets tens of
    // thousands of word types, many of them rare, so finding alternatives for types never
    // seen before (the cold path) dominates.
    let varied = generate_corpus(model, 2 << 20);
    let mut varied_types = std::collections::HashSet::new();
    tokenize::for_each_word(&varied, |w| {
        varied_types.insert(w);
    });
    let varied_ratio = fresh_ratio(&corpus_pieces(&varied, 8 << 10));
    let c = median(with_context) * reps as u32;
    let c0 = median(without) * reps as u32;
    let ratio = median_f64(ratios);
    let tok = time_runs(runs, || {
        for _ in 0..reps {
            for d in &docs {
                std::hint::black_box(tokenize::tokenize(d).count());
            }
        }
    });
    let total_words = (words_n * reps) as f64;
    println!(
        "\ncheck on clean news ({} docs of eval/clean, {:.2} MB x {reps}), 1 thread:",
        docs.len(),
        bytes as f64 / 1e6
    );
    println!(
        "  garbled check: {:8.2} M words/s, {:6.1} MB/s (real-word context check {})",
        total_words / c.as_secs_f64() / 1e6,
        (bytes * reps) as f64 / c.as_secs_f64() / 1e6,
        if checker.checks_context() {
            "on"
        } else {
            "unavailable"
        }
    );
    println!(
        "  baseline: check without the context check: {:8.2} M words/s (context costs {ratio:.2}x, median of {} paired passes)",
        total_words / c0.as_secs_f64() / 1e6,
        runs * reps
    );
    println!(
        "  with suggestions, as `garbled check` runs by default: context costs {full_ratio:.2}x (median of {} paired passes)",
        runs * reps
    );
    println!(
        "  first pass of fresh checkers (empty caches): context costs {cold_ratio:.2}x (median of {runs} paired passes)"
    );
    println!(
        "  varied text ({:.1} MB sampled from the lexicon, {} word types), fresh checkers: context costs {varied_ratio:.2}x (median of {runs} paired passes)",
        varied.len() as f64 / 1e6,
        varied_types.len()
    );
    println!(
        "  baseline: tokenizer alone: {:8.2} M words/s (check costs {:.1}x the tokenizer)",
        total_words / tok.as_secs_f64() / 1e6,
        c.as_secs_f64() / tok.as_secs_f64()
    );
}
