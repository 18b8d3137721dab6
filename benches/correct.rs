//! Benchmarks for corrections: candidate look-up (symmetric-delete index vs a naive scan
//! of the lexicon), full `suggest`, index build time, and the substring search behind
//! spin reversal (FST walk vs a binary search per substring).
//!
//! Inputs are generated here, deterministically, so the bench needs no data files and no
//! network: a 120,000-word lexicon of pronounceable words (English-like length mix, Zipf
//! counts) and typo'd queries drawn from it two ways: uniformly over the lexicon (the usual
//! SymSpell benchmark, mostly longer words) and by frequency (what running text produces:
//! many short words, which have thousands of neighbours within two edits).
//!
//! The same look-ups also run on the real lexicon of the embedded default model (235k
//! words, committed as `models/en.garbled`), with queries typo'd from its words drawn by
//! frequency, next to the naive scan of that lexicon: short English words have many more
//! neighbours than the synthetic ones, so this is the figure that matters in practice.
//!
//! `cargo bench --bench correct`; look-ups per second = queries per iteration / time.

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, Throughput,
};
use garbled::correct::{CorrectConfig, Corrector};
use garbled::symspell::{DeleteIndex, IndexConfig, QueryScratch, WordTable};
use garbled::thesaurus::Thesaurus;

const WORDS: usize = 120_000;
const QUERIES: usize = 1_000;

#[path = "support/splitmix.rs"]
mod splitmix;

use splitmix::Rng;

/// A pronounceable word of 1 to 5 syllables (lengths 2 to about 15, mean about 8).
fn word(rng: &mut Rng) -> String {
    const ONSETS: &[&str] = &[
        "", "b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "ch",
        "cl", "pr", "sh", "st", "th", "tr",
    ];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ea", "ou", "io", "ai"];
    const CODAS: &[&str] = &["", "", "n", "r", "s", "t", "l", "nd", "st", "ng", "ck"];
    let syllables = [1, 1, 2, 2, 2, 3, 3, 3, 4, 5][rng.below(10)];
    let mut w = String::new();
    for _ in 0..syllables {
        w.push_str(ONSETS[rng.below(ONSETS.len())]);
        w.push_str(VOWELS[rng.below(VOWELS.len())]);
        w.push_str(CODAS[rng.below(CODAS.len())]);
    }
    w
}

/// `WORDS` distinct words with Zipf counts (`10^9 / rank`), most frequent first. The
/// frequent ones are the short ones, as in English.
fn lexicon() -> Vec<(String, u64)> {
    let mut rng = Rng(7);
    let mut seen = std::collections::HashSet::new();
    let mut words = Vec::with_capacity(WORDS);
    while words.len() < WORDS {
        let w = word(&mut rng);
        if w.len() >= 2 && seen.insert(w.clone()) {
            words.push(w);
        }
    }
    // Shorter words are more frequent, with some noise; keys drawn once (a sort key must
    // be a function of the element).
    let mut keyed: Vec<(usize, u64, String)> = words
        .into_iter()
        .map(|w| (w.len() + rng.below(6), rng.next(), w))
        .collect();
    keyed.sort_unstable();
    keyed
        .into_iter()
        .map(|(_, _, w)| w)
        .enumerate()
        .map(|(rank, w)| (w, 1_000_000_000 / (rank as u64 + 1)))
        .collect()
}

/// One random edit (substitute, delete, insert or transpose), or two with probability 1/6.
fn typo(w: &str, rng: &mut Rng) -> String {
    let mut c: Vec<char> = w.chars().collect();
    let edits = if rng.below(6) == 0 { 2 } else { 1 };
    for _ in 0..edits {
        let letter = (b'a' + rng.below(26) as u8) as char;
        let n = c.len();
        match rng.below(4) {
            0 => c[rng.below(n)] = letter,
            1 if n > 1 => {
                c.remove(rng.below(n));
            }
            2 => c.insert(rng.below(n + 1), letter),
            _ if n > 1 => {
                let i = rng.below(n - 1);
                c.swap(i, i + 1);
            }
            _ => c.push(letter),
        }
    }
    c.into_iter().collect()
}

/// Typo'd queries: uniformly over the words, or weighted by count.
fn queries(lex: &[(String, u64)], by_frequency: bool) -> Vec<Vec<char>> {
    queries_seeded(lex, by_frequency, if by_frequency { 11 } else { 13 })
}

fn queries_seeded(lex: &[(String, u64)], by_frequency: bool, seed: u64) -> Vec<Vec<char>> {
    let mut rng = Rng(seed);
    let total: u64 = lex.iter().map(|(_, c)| c).sum();
    let cum: Vec<u64> = lex
        .iter()
        .scan(0, |acc, (_, c)| {
            *acc += c;
            Some(*acc)
        })
        .collect();
    (0..QUERIES)
        .map(|_| {
            let i = if by_frequency {
                let r = rng.next() % total;
                cum.partition_point(|&c| c <= r).min(lex.len() - 1)
            } else {
                rng.below(lex.len())
            };
            typo(&lex[i].0, &mut rng).chars().collect()
        })
        .collect()
}

/// Times `index` look-ups at distance 2 for every query of `qs`.
fn bench_index<P: std::fmt::Display>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    param: P,
    index: &DeleteIndex,
    table: &WordTable,
    qs: &[Vec<char>],
) {
    g.throughput(Throughput::Elements(qs.len() as u64));
    g.bench_with_input(BenchmarkId::new("symspell", param), qs, |b, qs| {
        let mut scratch = QueryScratch::default();
        let mut out = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for q in qs {
                index.candidates(table, q, 2, &mut scratch, &mut out);
                n += out.len();
            }
            black_box(n)
        })
    });
}

/// Times the naive scan on the first 20 queries of `qs` (it is ~1000x slower), with
/// fewer samples; restores the group's sample size afterwards.
fn bench_naive_scan<P: std::fmt::Display>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    param: P,
    table: &WordTable,
    qs: &[Vec<char>],
) {
    let few = &qs[..20.min(qs.len())];
    g.throughput(Throughput::Elements(few.len() as u64));
    g.sample_size(10);
    g.bench_with_input(BenchmarkId::new("naive_scan", param), few, |b, qs| {
        let mut out = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for q in qs {
                table.scan(q, 2, &mut out);
                n += out.len();
            }
            black_box(n)
        })
    });
    g.sample_size(100);
}

fn bench_candidates(c: &mut Criterion) {
    let lex = lexicon();
    let table = WordTable::from_pairs(lex.iter().map(|(w, n)| (w.as_str(), *n)));
    let index = DeleteIndex::build(&table, IndexConfig::default());
    let mut g = c.benchmark_group("candidates_distance_2");
    for (name, by_frequency) in [("uniform", false), ("by_frequency", true)] {
        let qs = queries(&lex, by_frequency);
        bench_index(&mut g, name, &index, &table, &qs);
        bench_naive_scan(&mut g, name, &table, &qs);
    }
    g.finish();
}

/// Look-ups on the embedded model's lexicon: the index against the naive scan, in one
/// group so criterion prints the two figures together.
fn bench_candidates_real(c: &mut Criterion) {
    let model = garbled::Model::embedded().expect("the embedded model loads");
    let corrector = Corrector::new(model.lexicon(), None, CorrectConfig::default())
        .expect("default config is valid");
    let index = corrector.warm_up();
    let table = corrector.words();
    let lex: Vec<(String, u64)> = (0..table.len() as u32)
        .map(|id| (table.word(id).to_string(), table.count(id)))
        .collect();
    let qs = queries_seeded(&lex, true, 19);
    let mut g = c.benchmark_group("candidates_distance_2_real_lexicon");
    bench_index(&mut g, table.len(), index, table, &qs);
    bench_naive_scan(&mut g, table.len(), table, &qs);
    g.finish();
}

fn bench_suggest(c: &mut Criterion) {
    let lex = lexicon();
    let corrector = Corrector::from_words(
        lex.iter().map(|(w, n)| (w.as_str(), *n)),
        None,
        CorrectConfig::default(),
    )
    .expect("default config is valid");
    corrector.warm_up();
    let mut g = c.benchmark_group("suggest");
    for (name, by_frequency) in [("uniform", false), ("by_frequency", true)] {
        let qs: Vec<String> = queries(&lex, by_frequency)
            .into_iter()
            .map(|q| q.into_iter().collect())
            .collect();
        g.throughput(Throughput::Elements(qs.len() as u64));
        g.bench_with_input(BenchmarkId::new("top5", name), &qs, |b, qs| {
            b.iter(|| {
                for q in qs {
                    black_box(corrector.suggest(q, 5));
                }
            })
        });
    }
    g.finish();
}

fn bench_build(c: &mut Criterion) {
    let lex = lexicon();
    let table = WordTable::from_pairs(lex.iter().map(|(w, n)| (w.as_str(), *n)));
    let mut g = c.benchmark_group("build");
    g.sample_size(10);
    g.bench_function("delete_index_120k", |b| {
        b.iter(|| black_box(DeleteIndex::build(&table, IndexConfig::default()).pairs()))
    });
    g.finish();
}

/// Every (start, end) byte range of `text` that is a key of `set`, by walking the FST
/// from each char boundary (what spin reversal does).
fn fst_matches(set: &fst::Set<Vec<u8>>, text: &str, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let f = set.as_fst();
    let bytes = text.as_bytes();
    for (start, _) in text.char_indices() {
        let mut node = f.root();
        for (k, &b) in bytes[start..].iter().enumerate() {
            let Some(i) = node.find_input(b) else { break };
            node = f.node(node.transition(i).addr);
            if node.is_final() {
                out.push((start, start + k + 1));
            }
        }
    }
}

/// The same by looking up every substring (up to `max_len` bytes) in the thesaurus.
fn lookup_matches(th: &Thesaurus, text: &str, max_len: usize, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    for &a in &starts {
        for b in (a + 1..=text.len().min(a + max_len)).filter(|&b| text.is_char_boundary(b)) {
            if th.sources(&text[a..b]).next().is_some() {
                out.push((a, b));
            }
        }
    }
}

fn bench_spin_search(c: &mut Criterion) {
    // A thesaurus over the synthetic words: each of 20,000 headwords gets 4 synonyms.
    let lex = lexicon();
    let mut rng = Rng(17);
    let pairs: Vec<(&str, Vec<&str>)> = (0..20_000)
        .map(|i| {
            let syns = (0..4)
                .map(|_| lex[rng.below(lex.len())].0.as_str())
                .collect();
            (lex[i].0.as_str(), syns)
        })
        .collect();
    let th = Thesaurus::from_pairs(pairs.iter().map(|(h, s)| (*h, s.clone())));
    let mut syns: Vec<&str> = pairs.iter().flat_map(|(_, s)| s.iter().copied()).collect();
    syns.sort_unstable();
    syns.dedup();
    let max_len = syns.iter().map(|s| s.len()).max().unwrap_or(1);
    let set = fst::Set::from_iter(syns).expect("sorted and deduplicated above");
    let tokens: Vec<String> = (0..QUERIES)
        .map(|_| {
            let a = &lex[rng.below(lex.len())].0;
            let b = &lex[rng.below(lex.len())].0;
            format!("{a}{b}")
        })
        .collect();
    let mut g = c.benchmark_group("spin_substring_search");
    g.throughput(Throughput::Elements(tokens.len() as u64));
    g.bench_function("fst_walk", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for t in &tokens {
                fst_matches(&set, t, &mut out);
                n += out.len();
            }
            black_box(n)
        })
    });
    g.bench_function("binary_search_per_substring", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for t in &tokens {
                lookup_matches(&th, t, max_len, &mut out);
                n += out.len();
            }
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_candidates,
    bench_candidates_real,
    bench_suggest,
    bench_build,
    bench_spin_search
);
criterion_main!(benches);
