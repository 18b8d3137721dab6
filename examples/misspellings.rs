//! Measures corrections: top-1 / top-5 accuracy on real misspelling lists, synthetic typos,
//! OCR errors and in-word synonym swaps (made by the project's own generator,
//! `garbled::corrupt`, one word at a time), plus build time, memory and throughput.
//!
//! Not a test: it reads data outside the repository (a word-frequency list, a dictionary,
//! a thesaurus, Birkbeck-format misspelling lists), which `scripts/eval-correct.sh` passes
//! in. Run with `--release`:
//!
//! ```text
//! cargo run --release --example misspellings -- \
//!     --freq en-wordfreq.tsv --dict en-dict-core.txt --min-count 20 \
//!     --thesaurus thesaurus.tsv --list aspell.dat --list holbrook-missp.dat \
//!     --typos 5000 --ocr 2000 --spins 2000 --seed 1
//! ```
//!
//! Lexicon rule: a word of the frequency list is kept if the dictionary has it or its
//! count is at least `--min-count`. Misspelling lists are read like
//! `scripts/spellers_top1.py` reads them for Aspell and Hunspell: multi-word entries and
//! case-only differences are skipped for everyone; a suggestion is right if it equals the
//! target ignoring case. `--set name=value` overrides a ranking parameter (see `set`);
//! `--suggest TOKEN` prints the suggestions for one token.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use garbled::check::{CheckOptions, Checker};
use garbled::correct::{CorrectConfig, Corrector, Suggestion};
use garbled::corrupt::{CorruptConfig, CorruptMode, Corrupter, CorruptionKind, Label};
use garbled::counts::{fold_case, WordCounts};
use garbled::lexicon::Lexicon;
use garbled::model::Model;
use garbled::report::{self, Report};
use garbled::score::AllowList;
use garbled::symspell::QueryScratch;
use garbled::thesaurus::Thesaurus;

#[path = "../benches/support/splitmix.rs"]
mod splitmix;

use splitmix::Rng;

#[derive(Default)]
struct Args {
    freq: Option<PathBuf>,
    dict: Option<PathBuf>,
    min_count: u64,
    thesaurus: Option<PathBuf>,
    lists: Vec<PathBuf>,
    typos: usize,
    ocr: usize,
    spins: usize,
    seed: u64,
    sets: Vec<(String, f64)>,
    dump: Option<PathBuf>,
    max_words: Option<usize>,
    neighbour_ratio: Option<f64>,
    model: Option<String>,
    corrupted: Option<PathBuf>,
    labels: Option<PathBuf>,
    predictions: Option<PathBuf>,
    no_throughput: bool,
    bigrams: Option<PathBuf>,
    suggest: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        min_count: 20,
        seed: 1,
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--freq" => a.freq = Some(val()?.into()),
            "--dict" => a.dict = Some(val()?.into()),
            "--min-count" => a.min_count = val()?.parse().map_err(|e| format!("{e}"))?,
            "--thesaurus" => a.thesaurus = Some(val()?.into()),
            "--list" => a.lists.push(val()?.into()),
            "--typos" => a.typos = val()?.parse().map_err(|e| format!("{e}"))?,
            "--ocr" => a.ocr = val()?.parse().map_err(|e| format!("{e}"))?,
            "--spins" => a.spins = val()?.parse().map_err(|e| format!("{e}"))?,
            "--seed" => a.seed = val()?.parse().map_err(|e| format!("{e}"))?,
            "--no-throughput" => a.no_throughput = true,
            "--bigrams" => a.bigrams = Some(val()?.into()),
            "--suggest" => a.suggest.push(val()?),
            "--model" => a.model = Some(val()?),
            "--corrupted" => a.corrupted = Some(val()?.into()),
            "--labels" => a.labels = Some(val()?.into()),
            "--predictions" => a.predictions = Some(val()?.into()),
            "--neighbour-ratio" => {
                a.neighbour_ratio = Some(val()?.parse().map_err(|e| format!("{e}"))?)
            }
            "--max-words" => a.max_words = Some(val()?.parse().map_err(|e| format!("{e}"))?),
            "--dump" => a.dump = Some(val()?.into()),
            "--set" => {
                let v = val()?;
                let (k, x) = v.split_once('=').ok_or("--set wants name=value")?;
                a.sets
                    .push((k.to_string(), x.parse().map_err(|e| format!("{v}: {e}"))?));
            }
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if a.freq.is_none() == a.model.is_none() {
        return Err(
            "give exactly one of --freq (with --dict) and --model (a path or `embedded`)".into(),
        );
    }
    Ok(a)
}

/// Applies `--set name=value`.
fn set(config: &mut CorrectConfig, name: &str, v: f64) -> Result<(), String> {
    let c = &mut config.channel;
    let s = &mut config.spin;
    match name {
        "prior_weight" => config.prior_weight = v,
        "split" => config.split = v,
        "prune_margin" => config.prune_margin = v,
        "sound_key_distance" => config.sound_key_distance = (v >= 0.0).then_some(v as usize),
        "max_distance" => config.max_distance = v as usize,
        "prefix_chars" => config.prefix_chars = v as usize,
        "spin.inword" => s.inword = v,
        "spin.second_swap" => s.second_swap = v,
        "spin.whole_word" => s.whole_word = v,
        "spin.min_synonym_chars" => s.min_synonym_chars = v as usize,
        "channel.substitute" => c.substitute = v,
        "channel.substitute_neighbour" => c.substitute_neighbour = v,
        "channel.substitute_vowel" => c.substitute_vowel = v,
        "channel.substitute_accent" => c.substitute_accent = v,
        "channel.delete" => c.delete = v,
        "channel.delete_double" => c.delete_double = v,
        "channel.insert" => c.insert = v,
        "channel.insert_double" => c.insert_double = v,
        "channel.insert_neighbour" => c.insert_neighbour = v,
        "channel.punctuation" => c.punctuation = v,
        "channel.transpose" => c.transpose = v,
        "channel.ocr" => c.ocr = v,
        "channel.sound" => c.sound = v,
        "channel.first_letter" => c.first_letter = v,
        _ => return Err(format!("unknown parameter {name}")),
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, String> {
    fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// `(misspelling, target)` pairs of a Birkbeck-format list; see the module doc.
fn read_pairs(path: &Path) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut target: Option<String> = None;
    for line in read(path)?.lines() {
        if line.is_empty() {
            continue;
        }
        if let Some(t) = line.strip_prefix('$') {
            target = Some(t.to_string());
            continue;
        }
        let Some(t) = target.as_deref() else { continue };
        let Some(m) = line.split_whitespace().next() else {
            continue;
        };
        if t == "?"
            || t.contains(['_', ' '])
            || m.contains('_')
            || m.to_lowercase() == t.to_lowercase()
        {
            continue;
        }
        pairs.push((m.to_string(), t.to_string()));
    }
    Ok(pairs)
}

/// Accuracy counters.
#[derive(Default)]
struct Score {
    n: usize,
    top1: usize,
    top5: usize,
}

impl Score {
    fn add(&mut self, got: &[Suggestion], want: &str) {
        let want = want.to_lowercase();
        self.n += 1;
        let pos = got.iter().position(|s| s.text.to_lowercase() == want);
        self.top1 += usize::from(pos == Some(0));
        self.top5 += usize::from(pos.is_some_and(|p| p < 5));
    }
    fn line(&self, name: &str) -> String {
        let pct = |k: usize| 100.0 * k as f64 / self.n.max(1) as f64;
        format!(
            "{name:<28} n={:<6} top1={:5.1}% ({})  top5={:5.1}% ({})",
            self.n,
            pct(self.top1),
            self.top1,
            pct(self.top5),
            self.top5
        )
    }
}

/// Corrupts single words with the project's own generator ([`Corrupter`]), as `garbled
/// corrupt --kind MODE` would inside a text, so these figures and `garbled eval`'s come
/// from the same damage.
struct Generator<'a> {
    corrupter: Corrupter<'a>,
    kind: CorruptionKind,
    /// Words corrupted so far: each one's document name, and so its random stream.
    n: u64,
}

impl<'a> Generator<'a> {
    fn new(
        mode: CorruptMode,
        kind: CorruptionKind,
        seed: u64,
        thesaurus: Option<&'a Thesaurus>,
        is_word: &'a (dyn Fn(&str) -> bool + Sync),
    ) -> Generator<'a> {
        let config = CorruptConfig::new(mode, 1.0, seed).expect("rate 1 is valid");
        Generator {
            corrupter: Corrupter::new(config, thesaurus, is_word),
            kind,
            n: 0,
        }
    }

    /// The corrupted form of `word`, when the generator made it one token of this kind
    /// (not, say, a whole-word swap in spin mode or a split in OCR mode).
    fn corrupt(&mut self, word: &str) -> Option<String> {
        self.n += 1;
        let (text, labels) = self.corrupter.corrupt(&self.n.to_string(), word);
        let label = labels.first()?;
        (label.kind == self.kind && !text.contains(char::is_whitespace)).then_some(text)
    }
}

/// Samples words by frequency (cumulative counts, binary search).
struct Sampler {
    words: Vec<String>,
    cum: Vec<u64>,
}

impl Sampler {
    fn new(pairs: &[(String, u64)], keep: impl Fn(&str) -> bool) -> Sampler {
        let mut words = Vec::new();
        let mut cum = Vec::new();
        let mut total = 0u64;
        for (w, c) in pairs {
            if keep(w) {
                total += c;
                words.push(w.clone());
                cum.push(total);
            }
        }
        Sampler { words, cum }
    }
    fn sample(&self, rng: &mut Rng) -> &str {
        let total = *self.cum.last().unwrap_or(&1);
        let r = rng.next() % total;
        let i = self.cum.partition_point(|&c| c <= r);
        &self.words[i.min(self.words.len() - 1)]
    }
}

/// Candidate look-ups and full suggestions per second on `tokens`, one thread, overall
/// and by token length.
fn throughput(
    corrector: &Corrector<'_>,
    index: &garbled::symspell::DeleteIndex,
    tokens: &[String],
    max_distance: usize,
) {
    // Throughput on these tokens, one thread, overall and by token length.
    let queries: Vec<Vec<char>> = tokens.iter().map(|t| t.chars().collect()).collect();
    let mut scratch = QueryScratch::default();
    let mut out = Vec::new();
    let mut by_len = [(0usize, 0usize, 0f64); 5]; // (queries, candidates, seconds)
    let t0 = Instant::now();
    for q in &queries {
        let t = Instant::now();
        index.candidates(corrector.words(), q, max_distance, &mut scratch, &mut out);
        let b = &mut by_len[(q.len().max(2) - 2).min(4)];
        b.0 += 1;
        b.1 += out.len();
        b.2 += t.elapsed().as_secs_f64();
    }
    let dt = t0.elapsed().as_secs_f64();
    let found: usize = by_len.iter().map(|b| b.1).sum();
    let t0 = Instant::now();
    for t in tokens {
        std::hint::black_box(corrector.suggest(t, 5));
    }
    let ds = t0.elapsed().as_secs_f64();
    println!(
        "throughput: candidate look-ups {:.0}/s ({:.1} candidates each); full suggest {:.0}/s",
        queries.len() as f64 / dt,
        found as f64 / queries.len() as f64,
        tokens.len() as f64 / ds
    );
    for (k, b) in by_len.iter().enumerate() {
        let label = ["<=2", "3", "4", "5", ">=6"][k];
        println!(
            "  length {label:>3}: {:5} tokens, {:7.1} candidates each, {:8.0} look-ups/s",
            b.0,
            b.1 as f64 / b.0.max(1) as f64,
            b.0 as f64 / b.2.max(1e-9)
        );
    }
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("misspellings: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("misspellings: {e}");
        std::process::exit(2);
    }
}

/// The lexicon from `--freq`: dictionary words, plus words with count >= `--min-count`
/// (and, with `--neighbour-ratio`, no much more frequent dictionary word one edit away).
fn frequency_lexicon(args: &Args) -> Result<(Lexicon, Vec<(String, u64)>), String> {
    let dict: Option<HashSet<String>> = match &args.dict {
        Some(p) => Some(
            read(p)?
                .lines()
                .map(|l| fold_case(l.trim()).into_owned())
                .collect(),
        ),
        None => None,
    };
    let freq_path = args.freq.as_deref().ok_or("--freq is required")?;
    let mut all: Vec<(String, u64)> = Vec::new();
    for line in read(freq_path)?.lines() {
        let Some((w, c)) = line.split_once('\t') else {
            continue;
        };
        let Ok(c) = c.trim().parse::<u64>() else {
            continue;
        };
        all.push((fold_case(w).into_owned(), c));
    }
    let in_dict = |w: &str| dict.as_ref().is_some_and(|d| d.contains(w));
    // Rule B of training/build/contamination.txt: a word outside the dictionary must also
    // have no dictionary word one edit away that is `ratio` times as frequent (such a
    // word is most likely a misspelling of it).
    let count_of: std::collections::HashMap<&str, u64> =
        all.iter().map(|(w, c)| (w.as_str(), *c)).collect();
    let has_frequent_dict_neighbour = |w: &str, c: u64, ratio: f64| -> bool {
        let chars: Vec<char> = w.chars().collect();
        let mut edits: Vec<String> = Vec::new();
        let letters = "abcdefghijklmnopqrstuvwxyz'";
        for i in 0..=chars.len() {
            let (a, b) = (&chars[..i], &chars[i..]);
            let a: String = a.iter().collect();
            if !b.is_empty() {
                edits.push(format!("{a}{}", b[1..].iter().collect::<String>()));
                for l in letters.chars() {
                    edits.push(format!("{a}{l}{}", b[1..].iter().collect::<String>()));
                }
            }
            if b.len() > 1 {
                edits.push(format!(
                    "{a}{}{}{}",
                    b[1],
                    b[0],
                    b[2..].iter().collect::<String>()
                ));
            }
            for l in letters.chars() {
                edits.push(format!("{a}{l}{}", b.iter().collect::<String>()));
            }
        }
        edits.iter().any(|e| {
            e != w
                && in_dict(e)
                && count_of
                    .get(e.as_str())
                    .is_some_and(|&n| n as f64 >= ratio * c as f64)
        })
    };
    let pairs: Vec<(String, u64)> = all
        .iter()
        .filter(|(w, c)| {
            in_dict(w)
                || (*c >= args.min_count
                    && args
                        .neighbour_ratio
                        .map_or(true, |r| !has_frequent_dict_neighbour(w, *c, r)))
        })
        .cloned()
        .collect();
    let lexicon = Lexicon::from_counts(&WordCounts::from_pairs(pairs.clone()));
    Ok((lexicon, pairs))
}

fn run(args: &Args) -> Result<(), String> {
    let mut config = CorrectConfig::default().max_words(args.max_words);
    for (k, v) in &args.sets {
        set(&mut config, k, *v)?;
    }

    // Lexicon and thesaurus: a trained model's, or a frequency list filtered here.
    let t0 = Instant::now();
    let model = match args.model.as_deref() {
        Some("embedded") => Some(Model::embedded().map_err(|e| e.to_string())?),
        Some(path) => Some(Model::load(Path::new(path)).map_err(|e| e.to_string())?),
        None => None,
    };
    let (lexicon, pairs, thesaurus) = match &model {
        Some(m) => {
            let pairs = m.lexicon().to_counts().as_slice().to_vec();
            (m.lexicon().clone(), pairs, m.thesaurus().cloned())
        }
        None => {
            let (lexicon, pairs) = frequency_lexicon(args)?;
            let thesaurus = match &args.thesaurus {
                Some(p) => {
                    let f = fs::File::open(p).map_err(|e| format!("{}: {e}", p.display()))?;
                    Some(
                        Thesaurus::from_tsv(std::io::BufReader::new(f), p)
                            .map_err(|e| e.to_string())?,
                    )
                }
                None => None,
            };
            (lexicon, pairs, thesaurus)
        }
    };
    println!(
        "lexicon: {} words ({}), loaded in {:.2?}; thesaurus: {} headwords",
        lexicon.len(),
        match (&args.model, args.neighbour_ratio) {
            (Some(m), _) => format!("model {m}"),
            (None, None) => format!("dict, or count >= {}", args.min_count),
            (None, Some(r)) => format!(
                "dict, or count >= {} without a dict word one edit away {r}x as frequent",
                args.min_count
            ),
        },
        t0.elapsed(),
        thesaurus.as_ref().map_or(0, Thesaurus::len)
    );

    let t0 = Instant::now();
    let corrector =
        Corrector::new(&lexicon, thesaurus.as_ref(), config.clone()).map_err(|e| e.to_string())?;
    let t_new = t0.elapsed();
    let t0 = Instant::now();
    let words = corrector.words().len();
    let t_table = t0.elapsed();
    let t0 = Instant::now();
    let index = corrector.warm_up();
    let t_index = t0.elapsed();
    println!(
        "corrector: new() {t_new:.2?}; word table {words} words, {:.1} MB, {t_table:.2?} (with the spin FSTs); \
         delete index {} pairs, {:.1} MB, and sound-key index, {t_index:.2?}",
        corrector.words().heap_bytes() as f64 / 1e6,
        index.pairs(),
        index.heap_bytes() as f64 / 1e6,
    );

    for token in &args.suggest {
        let got: Vec<String> = corrector
            .suggest(token, 5)
            .iter()
            .map(|s| format!("{} {:.3} ({:?})", s.text, s.score, s.source))
            .collect();
        println!("{token}: {}", got.join(", "));
    }

    let mut dump = match &args.dump {
        Some(p) => Some(fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => None,
    };
    let mut record = |set: &str, token: &str, want: &str, got: &[Suggestion]| {
        if let Some(f) = dump.as_mut() {
            let list: Vec<String> = got
                .iter()
                .map(|s| format!("{}:{:.3}:{:?}", s.text, s.score, s.source))
                .collect();
            let ok = got
                .first()
                .is_some_and(|s| s.text.to_lowercase() == want.to_lowercase());
            let _ = writeln!(
                f,
                "{set}\t{}\t{token}\t{want}\t{}",
                if ok { "ok" } else { "MISS" },
                list.join(" ")
            );
        }
    };

    // Real misspelling lists.
    for path in &args.lists {
        let name = path
            .file_name()
            .map_or("list".into(), |n| n.to_string_lossy().into_owned());
        let mut all = Score::default();
        let mut nonword = Score::default();
        for (m, t) in read_pairs(path)? {
            let got = corrector.suggest(&m, 5);
            record(&name, &m, &t, &got);
            all.add(&got, &t);
            if !lexicon.contains(&fold_case(&m)) {
                nonword.add(&got, &t);
            }
        }
        println!("{}", all.line(&name));
        println!("{}", nonword.line(&format!("{name} (non-words)")));
    }

    let mut rng = Rng(args.seed);
    let sampler = Sampler::new(&pairs, |w| {
        w.chars().count() >= 2 && w.chars().all(|c| c.is_ascii_lowercase())
    });

    let is_word = |w: &str| lexicon.contains(w);
    // Synthetic typos.
    if args.typos > 0 {
        let mut typos = Generator::new(
            CorruptMode::Typo,
            CorruptionKind::Typo,
            args.seed,
            None,
            &is_word,
        );
        let mut all = Score::default();
        let mut nonword = Score::default();
        let mut tokens = Vec::new();
        while all.n < args.typos {
            let w = sampler.sample(&mut rng).to_string();
            let Some(t) = typos.corrupt(&w) else {
                continue;
            };
            let got = corrector.suggest(&t, 5);
            record("typo", &t, &w, &got);
            all.add(&got, &w);
            if !lexicon.contains(&t) {
                nonword.add(&got, &w);
            }
            tokens.push(t);
        }
        println!("{}", all.line("typos (all)"));
        println!("{}", nonword.line("typos (non-words)"));

        if !args.no_throughput {
            throughput(&corrector, index, &tokens, config.max_distance);
        }
    }

    if args.ocr > 0 {
        let mut ocr = Generator::new(
            CorruptMode::Ocr,
            CorruptionKind::Ocr,
            args.seed,
            None,
            &is_word,
        );
        let mut all = Score::default();
        while all.n < args.ocr {
            let w = sampler.sample(&mut rng).to_string();
            let Some(t) = ocr.corrupt(&w) else { continue };
            let got = corrector.suggest(&t, 5);
            record("ocr", &t, &w, &got);
            all.add(&got, &w);
        }
        println!("{}", all.line("ocr look-alikes"));
    }

    if let Some(th) = thesaurus.as_ref() {
        if args.spins > 0 {
            let long = Sampler::new(&pairs, |w| {
                w.chars().count() >= 4 && w.chars().all(|c| c.is_ascii_lowercase())
            });
            let mut spins = Generator::new(
                CorruptMode::Spin,
                CorruptionKind::InwordSpin,
                args.seed,
                Some(th),
                &is_word,
            );
            let mut all = Score::default();
            let mut nonword = Score::default();
            let mut tries = 0;
            while all.n < args.spins && tries < args.spins * 100 {
                tries += 1;
                let w = long.sample(&mut rng).to_string();
                let Some(t) = spins.corrupt(&w) else {
                    continue;
                };
                let got = corrector.suggest(&t, 5);
                record("spin", &t, &w, &got);
                all.add(&got, &w);
                if !lexicon.contains(&t) {
                    nonword.add(&got, &w);
                }
            }
            println!("{}", all.line("in-word spins (all)"));
            println!("{}", nonword.line("in-word spins (non-words)"));
        }
        let examples = [
            ("shelp", "said"),
            ("Pdwellnt", "President"),
            ("consentd", "agreed"),
            ("aobtainst", "against"),
            ("meacertains", "measures"),
            ("befirearm", "begun"),
            ("hugegest", "biggest"),
            ("telderly", "told"),
            ("Celderly", "Cold"),
            ("establishassociate", "formally"),
        ];
        let mut s = Score::default();
        for (t, w) in examples {
            let got = corrector.suggest(t, 5);
            let top: Vec<String> = got
                .iter()
                .take(3)
                .map(|g| format!("{} {:.2}", g.text, g.score))
                .collect();
            println!("  {t:<20} want {w:<10} got {}", top.join(", "));
            s.add(&got, w);
        }
        println!("{}", s.line("issue spin examples"));
    }

    if let (Some(dir), Some(labels)) = (&args.corrupted, &args.labels) {
        let context = match &args.bigrams {
            Some(p) => Some(BigramContext::load(p, &lexicon)?),
            None => None,
        };
        evaluate_labels(
            &corrector,
            dir,
            labels,
            args.predictions.as_deref(),
            model.as_ref(),
            context.as_ref(),
        )?;
    }
    Ok(())
}

/// The words before and after byte range `start..end` of `text` (letters, digits and
/// apostrophes), if any.
fn neighbours(text: &str, start: usize, end: usize) -> (Option<String>, Option<String>) {
    let is_word = |c: char| c.is_alphanumeric() || c == '\'';
    let before: String = {
        let head = text.get(..start).unwrap_or("");
        let trimmed = head.trim_end_matches(|c: char| !is_word(c));
        let word: Vec<char> = trimmed.chars().rev().take_while(|&c| is_word(c)).collect();
        word.into_iter().rev().collect()
    };
    let after: String = text
        .get(end..)
        .unwrap_or("")
        .trim_start_matches(|c: char| !is_word(c))
        .chars()
        .take_while(|&c| is_word(c))
        .collect();
    let some = |w: String| (!w.is_empty()).then(|| w.to_lowercase());
    (some(before), some(after))
}

/// A crude word-bigram prior, to show what the `ContextModel` hook can do: the lexicon's
/// unigram log-probability of a candidate plus, for each neighbour, the pointwise mutual
/// information of the pair in SymSpell's bigram list (Google Books counts), or a fixed
/// penalty when the pair is missing and both words are common.
struct BigramContext {
    bigrams: std::collections::HashMap<String, f64>,
    unigrams: std::collections::HashMap<String, f64>,
    unigram_total: f64,
    lexicon: std::collections::HashMap<String, f64>,
    lexicon_total: f64,
}

impl BigramContext {
    fn load(bigrams: &Path, lexicon: &Lexicon) -> Result<BigramContext, String> {
        let parse = |path: &Path| -> Result<Vec<(String, f64)>, String> {
            Ok(read(path)?
                .lines()
                .filter_map(|l| l.rsplit_once('\t'))
                .filter_map(|(w, c)| Some((w.to_string(), c.trim().parse::<f64>().ok()?)))
                .collect())
        };
        let unigram_path = bigrams.with_file_name("en-symspell.tsv");
        let unigrams: std::collections::HashMap<String, f64> =
            parse(&unigram_path)?.into_iter().collect();
        let lexicon: std::collections::HashMap<String, f64> = lexicon
            .to_counts()
            .as_slice()
            .iter()
            .map(|(w, c)| (w.clone(), *c as f64))
            .collect();
        Ok(BigramContext {
            bigrams: parse(bigrams)?.into_iter().collect(),
            unigram_total: unigrams.values().sum(),
            unigrams,
            lexicon_total: lexicon.values().sum(),
            lexicon,
        })
    }

    /// PMI of the pair `a b`, a penalty if it is unseen but both words are common (the
    /// bigram list only keeps pairs above a count), else 0.
    fn association(&self, a: &str, b: &str) -> f64 {
        let (Some(&ca), Some(&cb)) = (self.unigrams.get(a), self.unigrams.get(b)) else {
            return 0.0;
        };
        match self.bigrams.get(&format!("{a} {b}")) {
            Some(&cab) => (cab * self.unigram_total / (ca * cb)).ln(),
            None => -1.5,
        }
    }

    fn log_prior(&self, prev: Option<&str>, candidate: &str, next: Option<&str>) -> Option<f64> {
        let words: Vec<&str> = candidate.split(' ').collect();
        let mut lp = 0.0;
        for w in &words {
            lp += (self.lexicon.get(*w).copied().unwrap_or(1.0) / self.lexicon_total).ln();
        }
        for pair in words.windows(2) {
            lp += self.association(pair[0], pair[1]);
        }
        if let (Some(p), Some(first)) = (prev, words.first()) {
            lp += self.association(p, first);
        }
        if let (Some(n), Some(last)) = (next, words.last()) {
            lp += self.association(last, n);
        }
        Some(lp)
    }
}

/// Correction-only accuracy on labelled corruptions (`garbled corrupt` output): for each
/// label, the suggestions for its corrupted text against its original, by kind and by
/// whether the corruption is a real word. Labels spanning several tokens (an OCR-broken
/// word, "inform ation") are counted apart: the checker sees them as two tokens.
///
/// With `--predictions`, also writes `garbled check --format json`-shaped reports (the
/// model's own flags, these suggestions) for `garbled eval --predictions`.
fn evaluate_labels(
    corrector: &Corrector<'_>,
    dir: &Path,
    labels: &Path,
    predictions: Option<&Path>,
    model: Option<&Model>,
    context: Option<&BigramContext>,
) -> Result<(), String> {
    let mut scores: std::collections::BTreeMap<String, Score> = Default::default();
    let mut multi = 0;
    let mut docs: std::collections::HashMap<String, String> = Default::default();
    let mut calibration: Vec<(f64, bool)> = Vec::new();
    for line in read(labels)?.lines().filter(|l| !l.trim().is_empty()) {
        let label: Label =
            serde_json::from_str(line).map_err(|e| format!("{}: {e}", labels.display()))?;
        if label.corrupted.contains(char::is_whitespace) {
            multi += 1;
            continue;
        }
        let got = match context {
            None => corrector.suggest(&label.corrupted, 5),
            Some(ctx) => {
                if !docs.contains_key(&label.doc) {
                    docs.insert(label.doc.clone(), read(&dir.join(&label.doc))?);
                }
                let text = &docs[&label.doc];
                let (prev, next) = neighbours(text, label.start, label.end);
                let prior = |p: Option<&str>, w: &str, n: Option<&str>| ctx.log_prior(p, w, n);
                corrector.suggest_in_context(
                    &label.corrupted,
                    prev.as_deref(),
                    next.as_deref(),
                    &prior,
                    5,
                )
            }
        };
        if let Some(first) = got.first() {
            calibration.push((
                first.score,
                first.text.to_lowercase() == label.original.to_lowercase(),
            ));
        }
        let view = if label.realword {
            "real-word"
        } else {
            "non-word"
        };
        for key in [
            format!("{} (all)", label.kind),
            format!("{} ({view})", label.kind),
            format!("all ({view})"),
            "all".to_string(),
        ] {
            scores.entry(key).or_default().add(&got, &label.original);
        }
    }
    println!(
        "labels in {} ({multi} multi-token labels skipped):",
        labels.display()
    );
    // Calibration: how often the first suggestion is right, by its score.
    let edges = [0.0, 0.5, 0.8, 0.95, 0.99, 1.01];
    for w in edges.windows(2) {
        let (n, right) = calibration
            .iter()
            .filter(|(s, _)| *s >= w[0] && *s < w[1])
            .fold((0, 0), |(n, r), (_, ok)| (n + 1, r + usize::from(*ok)));
        if n > 0 {
            println!(
                "  top-1 score in [{:.2}, {:.2}): {n:4} labels, right {:5.1}%",
                w[0],
                w[1].min(1.0),
                100.0 * right as f64 / n as f64
            );
        }
    }
    for (k, s) in &scores {
        println!("{}", s.line(k));
    }

    if let Some(out) = predictions {
        let model = model.ok_or("--predictions needs --model (the checker's scorer)")?;
        let checker = Checker::new(model, AllowList::new(), CheckOptions::default())
            .map_err(|e| e.to_string())?;
        let mut files: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        let mut f = fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
        for path in files {
            let text = read(&path)?;
            let name = path
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            let scores = checker.scorer().score_text(&text);
            let report =
                Report::from_scores(&name, &text, &scores, checker.options().threshold, |t| {
                    corrector
                        .suggest(t, 5)
                        .into_iter()
                        .map(|s| report::Suggestion {
                            text: s.text,
                            score: s.score,
                        })
                        .collect()
                });
            let json = serde_json::to_string(&report).map_err(|e| e.to_string())?;
            writeln!(f, "{json}").map_err(|e| format!("{}: {e}", out.display()))?;
        }
        println!("predictions in {}", out.display());
    }
    Ok(())
}
