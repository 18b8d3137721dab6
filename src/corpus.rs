//! Reading training input: files, directories, standard input; plain or gzip text, or
//! word-frequency lists; in chunks that rayon counts in parallel.
//!
//! Every corpus streams through a fixed-size window ([`ReadOptions::chunk_bytes`] times
//! the number of threads), so memory is bounded by the counts, not by the input.
//! A worker that is free reads the next chunk and counts it, so reading is shared by
//! the workers and nobody waits for a batch to finish. Each worker thread adds into its
//! own [`Counter`] for the whole corpus (a `Tally`); the per-thread counters are merged
//! once at the end, so the sequential part of counting does not grow with the number of
//! chunks.
//!
//! Chunks are cut after a newline (or other ASCII whitespace), never inside a word or a
//! UTF-8 sequence, so counting a chunk on its own gives the same words as counting the
//! whole file. Invalid UTF-8 is an error that names the file and the byte offset
//! ([`Error::InvalidUtf8`]); with [`ReadOptions::lossy`] it is replaced by U+FFFD
//! instead and reported as a [`CorpusReport::warnings`] entry.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::counts::{Counter, WordCounts};
use crate::error::{Error, Result};

/// Reports how far reading has got. Implemented by the binary (an indicatif bar); the
/// library never prints.
pub trait Progress: Sync {
    /// Total bytes to read, when known.
    fn set_total(&self, _bytes: Option<u64>) {}
    /// `bytes` more bytes were read.
    fn advance(&self, _bytes: u64) {}
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// What a corpus file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum InputFormat {
    /// Decide per file: a word-frequency list if its first lines all look like
    /// `word<TAB>count`, running text otherwise.
    #[default]
    Auto,
    /// Running text.
    Text,
    /// `word<TAB>count` per line.
    Freq,
}

impl InputFormat {
    /// The name used on the command line and in metadata.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Auto => "auto",
            InputFormat::Text => "text",
            InputFormat::Freq => "freq",
        }
    }
}

impl FromStr for InputFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "auto" => Ok(InputFormat::Auto),
            "text" => Ok(InputFormat::Text),
            "freq" => Ok(InputFormat::Freq),
            _ => Err(format!("unknown input format {s:?} (auto, text or freq)")),
        }
    }
}

/// One corpus argument: a path (file or directory) or standard input, with a weight.
#[derive(Debug, Clone, PartialEq)]
pub struct CorpusSpec {
    /// `None` for standard input.
    pub path: Option<PathBuf>,
    /// Counts from this corpus are multiplied by this.
    pub weight: f64,
}

impl CorpusSpec {
    /// The name shown in metadata and messages.
    pub fn name(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "-".to_string(), |p| p.display().to_string())
    }
}

impl FromStr for CorpusSpec {
    type Err = String;
    /// `PATH`, `-` (stdin), or either followed by `:WEIGHT` (e.g. `news.txt:2.5`). A path
    /// that exists as written is never split, so file names containing `:` still work.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (target, weight) = match s.rsplit_once(':') {
            Some((p, w)) if !Path::new(s).exists() && !p.is_empty() => {
                let weight: f64 = w
                    .parse()
                    .map_err(|_| format!("{s}: weight {w:?} after ':' is not a number"))?;
                if !(weight.is_finite() && weight > 0.0) {
                    return Err(format!("{s}: weight must be a positive number"));
                }
                (p, weight)
            }
            _ => (s, 1.0),
        };
        Ok(CorpusSpec {
            path: (target != "-").then(|| PathBuf::from(target)),
            weight,
        })
    }
}

/// Options for reading corpora.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// How to read each file.
    pub format: InputFormat,
    /// Replace invalid UTF-8 with U+FFFD (and warn) instead of failing.
    pub lossy: bool,
    /// Size of the chunks handed to worker threads.
    pub chunk_bytes: usize,
    /// What to count: words (the lexicon) or word n-grams (context statistics).
    pub unit: CountUnit,
}

/// What [`count_corpus`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CountUnit {
    /// Case-folded words.
    #[default]
    Words,
    /// Word n-grams of orders 1 to `n` inside runs of words
    /// ([`crate::wordlm::for_each_run`]), keyed as folded words joined by single spaces.
    /// In a frequency list an entry of up to `n` words is one n-gram.
    Ngrams(usize),
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: InputFormat::Auto,
            lossy: false,
            chunk_bytes: 256 << 10,
            unit: CountUnit::Words,
        }
    }
}

/// What was read from one corpus argument; stored in model metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorpusInfo {
    /// The path as given (`-` for standard input).
    pub name: String,
    /// Bytes read (compressed bytes for `.gz`).
    pub bytes: u64,
    /// The corpus weight.
    pub weight: f64,
    /// Files read (1 for a file or stdin).
    pub files: u64,
    /// Formats seen: `text`, `freq`, or `text+freq`.
    pub format: String,
    /// Word tokens counted, before weighting.
    pub tokens: u64,
    /// Distinct (folded) words.
    pub types: u64,
}

/// The result of counting one corpus.
#[derive(Debug)]
pub struct CorpusReport {
    /// Weighted counts.
    pub counts: WordCounts,
    /// Metadata for the model.
    pub info: CorpusInfo,
    /// Non-fatal problems (lossy decoding), one line each.
    pub warnings: Vec<String>,
}

/// The files a corpus argument stands for, in a stable order.
///
/// # Errors
///
/// [`Error::Io`] if the path cannot be read.
pub fn files_of(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let p = e.path().unwrap_or(path).to_path_buf();
            Error::io(p, e.into())
        })?;
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

/// Counts the words of one corpus argument.
///
/// # Errors
///
/// I/O errors, invalid UTF-8 (unless lossy) and malformed frequency lines, each naming
/// the file.
pub fn count_corpus(
    spec: &CorpusSpec,
    options: &ReadOptions,
    progress: &dyn Progress,
) -> Result<CorpusReport> {
    let tally = Tally::new();
    let mut warnings = Vec::new();
    let mut formats = Vec::new();
    let mut bytes = 0;
    let files = match &spec.path {
        Some(p) => files_of(p)?,
        None => Vec::new(),
    };
    let nfiles = if spec.path.is_some() { files.len() } else { 1 };
    let mut count = |source| {
        count_source(
            source,
            options,
            progress,
            &tally,
            &mut warnings,
            &mut formats,
        )
    };
    if spec.path.is_none() {
        bytes += count(Source::open_reader(Path::new("-"), Box::new(io::stdin()))?)?;
    }
    for file in &files {
        let f = File::open(file).map_err(|e| Error::io(file, e))?;
        bytes += count(Source::open_reader(file, Box::new(f))?)?;
    }
    formats.sort_unstable();
    formats.dedup();
    let counts = tally.into_counts();
    let tokens = counts.tokens();
    let counts = counts.scaled(spec.weight);
    let info = CorpusInfo {
        name: spec.name(),
        bytes,
        weight: spec.weight,
        files: nfiles as u64,
        format: formats.join("+"),
        tokens,
        types: counts.len() as u64,
    };
    Ok(CorpusReport {
        counts,
        info,
        warnings,
    })
}

/// A reader that counts the (possibly compressed) bytes pulled through it.
struct Counted<R> {
    inner: R,
    bytes: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

/// One input stream, decompressed if needed.
struct Source<'a> {
    path: PathBuf,
    reader: Box<dyn BufRead + Send + 'a>,
    raw_bytes: Arc<AtomicU64>,
}

/// Shares the raw byte count of a [`Counted`] reader that sits under a decoder.
struct SharedCount<R> {
    inner: Counted<R>,
    shared: Arc<AtomicU64>,
}

impl<R: Read> Read for SharedCount<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.shared.store(self.inner.bytes, Ordering::Relaxed);
        Ok(n)
    }
}

impl<'a> Source<'a> {
    fn open_reader(path: &Path, raw: Box<dyn Read + Send + 'a>) -> Result<Source<'a>> {
        let shared = Arc::new(AtomicU64::new(0));
        let counted = SharedCount {
            inner: Counted {
                inner: raw,
                bytes: 0,
            },
            shared: shared.clone(),
        };
        Ok(Source {
            path: path.to_path_buf(),
            reader: decompressed(path, counted)?,
            raw_bytes: shared,
        })
    }
}

/// `raw` (named `path` in errors), buffered, and decompressed when it starts with the
/// gzip magic bytes.
pub(crate) fn decompressed<'a>(
    path: &Path,
    raw: impl Read + Send + 'a,
) -> Result<Box<dyn BufRead + Send + 'a>> {
    let mut buffered = BufReader::with_capacity(1 << 16, raw);
    let head = buffered.fill_buf().map_err(|e| Error::io(path, e))?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    })
}

/// A piece of input that ends on a line (or whitespace) boundary.
struct Chunk {
    data: Vec<u8>,
    /// Byte offset of `data[0]` in the (decompressed) stream.
    offset: u64,
    /// 1-based line number of the first line in `data`.
    first_line: u64,
}

/// Splits a stream into chunks at line or whitespace boundaries.
struct Chunker<'s, 'a> {
    source: &'s mut Source<'a>,
    carry: Vec<u8>,
    offset: u64,
    line: u64,
    chunk_bytes: usize,
    whole_lines: bool,
    done: bool,
}

/// Longest line a frequency list may have.
const MAX_LINE_BYTES: usize = 64 << 20;

impl Chunker<'_, '_> {
    fn next_chunk(&mut self) -> Result<Option<Chunk>> {
        if self.done && self.carry.is_empty() {
            return Ok(None);
        }
        let mut data = std::mem::take(&mut self.carry);
        let mut want = self.chunk_bytes;
        loop {
            while data.len() < want && !self.done {
                let path = &self.source.path;
                let buf = self
                    .source
                    .reader
                    .fill_buf()
                    .map_err(|e| Error::io(path, e))?;
                if buf.is_empty() {
                    self.done = true;
                    break;
                }
                let take = buf.len().min(want - data.len());
                data.extend_from_slice(&buf[..take]);
                self.source.reader.consume(take);
            }
            if self.done {
                break;
            }
            if let Some(cut) = self.cut_point(&data) {
                self.carry = data.split_off(cut);
                break;
            }
            if data.len() < MAX_LINE_BYTES {
                // No boundary yet: read more rather than split a word or a line.
                want = data.len() * 2;
                continue;
            }
            if self.whole_lines {
                return Err(Error::MalformedFreqLine {
                    path: self.source.path.clone(),
                    line: self.line,
                    reason: format!("line longer than {MAX_LINE_BYTES} bytes"),
                });
            }
            // A single "word" of 64 MiB: split it, but never inside a character.
            let cut = data
                .iter()
                .rposition(|&b| (b as i8) >= -0x40)
                .filter(|&i| i > 0)
                .unwrap_or(data.len());
            self.carry = data.split_off(cut);
            break;
        }
        if data.is_empty() {
            return Ok(None);
        }
        let chunk = Chunk {
            offset: self.offset,
            first_line: self.line,
            data,
        };
        self.offset += chunk.data.len() as u64;
        self.line += memchr_count(b'\n', &chunk.data);
        Ok(Some(chunk))
    }

    /// Where to end a full buffer: after its last newline or, for text, after its last
    /// ASCII whitespace.
    fn cut_point(&self, data: &[u8]) -> Option<usize> {
        let boundary = |b: &u8| {
            if self.whole_lines {
                *b == b'\n'
            } else {
                b.is_ascii_whitespace()
            }
        };
        data.iter().rposition(boundary).map(|i| i + 1)
    }
}

/// Streams a text file (or stdin, or gzip) to `f` in pieces of about `chunk_bytes` that
/// end at whitespace, with the byte offset of each piece. Used by `check` so a huge file
/// is scored in bounded memory. Returns lossy-decoding warnings.
///
/// # Errors
///
/// I/O errors, invalid UTF-8 (unless `lossy`; then offsets after the first invalid byte
/// refer to the decoded text), or whatever `f` returns.
pub fn for_each_text_chunk<E: From<Error>>(
    path: &Path,
    reader: Box<dyn Read + Send + '_>,
    chunk_bytes: usize,
    lossy: bool,
    mut f: impl FnMut(&str, u64) -> std::result::Result<(), E>,
) -> std::result::Result<Vec<String>, E> {
    let mut source = Source::open_reader(path, reader)?;
    let mut chunker = Chunker {
        source: &mut source,
        carry: Vec::new(),
        offset: 0,
        line: 1,
        chunk_bytes: chunk_bytes.max(1),
        whole_lines: false,
        done: false,
    };
    let mut warnings = Vec::new();
    let mut shift: i64 = 0;
    while let Some(chunk) = chunker.next_chunk()? {
        let offset = (chunk.offset as i64 + shift) as u64;
        match std::str::from_utf8(&chunk.data) {
            Ok(text) => f(text, offset)?,
            Err(e) if lossy => {
                warnings.push(format!(
                    "{}: invalid UTF-8 from byte {} replaced with U+FFFD",
                    path.display(),
                    chunk.offset + e.valid_up_to() as u64
                ));
                let text = String::from_utf8_lossy(&chunk.data);
                shift += text.len() as i64 - chunk.data.len() as i64;
                f(&text, offset)?;
            }
            Err(e) => {
                return Err(Error::InvalidUtf8 {
                    path: path.to_path_buf(),
                    offset: chunk.offset + e.valid_up_to() as u64,
                }
                .into())
            }
        }
    }
    Ok(warnings)
}

fn memchr_count(needle: u8, data: &[u8]) -> u64 {
    data.iter().filter(|&&b| b == needle).count() as u64
}

/// Decides whether a stream is a frequency list from its first lines.
fn looks_like_freq(head: &[u8]) -> bool {
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(t) => t,
            Err(_) => return false,
        },
    };
    let mut lines = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .peekable();
    if lines.peek().is_none() {
        return false;
    }
    // The last line may be cut short by the peek window, so look at complete lines.
    let complete: Vec<&str> = lines.collect();
    let considered = if complete.len() > 1 && !text.ends_with('\n') {
        &complete[..complete.len() - 1]
    } else {
        &complete[..]
    };
    considered.iter().all(|l| parse_freq_line(l).is_ok())
}

/// Parses `word<TAB>count` (trailing whitespace allowed).
fn parse_freq_line(line: &str) -> std::result::Result<(&str, u64), String> {
    let line = line.trim_end_matches(['\r', ' ', '\t']);
    let (word, count) = line
        .rsplit_once('\t')
        .ok_or_else(|| "no tab between word and count".to_string())?;
    if word.trim().is_empty() {
        return Err("empty word".into());
    }
    let count = count
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("count {count:?} is not a non-negative integer"))?;
    Ok((word, count))
}

fn count_source(
    mut source: Source<'_>,
    options: &ReadOptions,
    progress: &dyn Progress,
    tally: &Tally,
    warnings: &mut Vec<String>,
    formats: &mut Vec<&'static str>,
) -> Result<u64> {
    let head = source
        .reader
        .fill_buf()
        .map_err(|e| Error::io(&source.path, e))?;
    let freq = match options.format {
        InputFormat::Freq => true,
        InputFormat::Text => false,
        InputFormat::Auto => looks_like_freq(&head[..head.len().min(4096)]),
    };
    formats.push(if freq { "freq" } else { "text" });
    let path = source.path.clone();
    let raw_bytes = source.raw_bytes.clone();
    let mut chunker = Chunker {
        source: &mut source,
        carry: Vec::new(),
        offset: 0,
        line: 1,
        chunk_bytes: options.chunk_bytes.max(1),
        whole_lines: freq,
        done: false,
    };
    // Whichever worker is free reads the next chunk (under `par_bridge`'s lock) and
    // counts it: no reader thread, no batches, no barrier between them, and at most one
    // chunk per worker in memory. Reading stops at the first error; the results are put
    // back in input order so the first error and the warnings come out as they would
    // from a sequential read.
    let failed = AtomicBool::new(false);
    let mut reported = 0u64;
    let mut index = 0usize;
    let chunks = std::iter::from_fn(|| {
        if failed.load(Ordering::Relaxed) {
            return None;
        }
        let next = chunker.next_chunk().transpose()?;
        let counted = raw_bytes.load(Ordering::Relaxed);
        progress.advance(counted - reported);
        reported = counted;
        index += 1;
        Some((index, next))
    });
    let mut results: Vec<(usize, Result<Vec<String>>)> = chunks
        .par_bridge()
        .map(|(i, chunk)| {
            let result = chunk.and_then(|c| count_chunk(&c, &path, freq, options, tally));
            if result.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            (i, result)
        })
        .collect();
    results.sort_unstable_by_key(|(i, _)| *i);
    for (_, result) in results {
        warnings.append(&mut result?);
    }
    let total = raw_bytes.load(Ordering::Relaxed);
    progress.advance(total - reported);
    Ok(total)
}

/// One [`Counter`] per rayon worker thread, so chunks are counted without sharing a
/// table; merged once by [`Tally::into_counts`]. Counts are sums, so the result does not
/// depend on which thread counted which chunk.
struct Tally {
    counters: Vec<Mutex<Counter>>,
}

impl Tally {
    fn new() -> Tally {
        // One slot more than the pool, for a caller outside it.
        let slots = rayon::current_num_threads().max(1) + 1;
        Tally {
            counters: (0..slots).map(|_| Mutex::new(Counter::new())).collect(),
        }
    }

    /// Runs `f` on the calling thread's counter. Only that thread takes its slot's lock,
    /// so it is never contended.
    fn with<T>(&self, f: impl FnOnce(&mut Counter) -> T) -> T {
        let last = self.counters.len() - 1;
        let slot = rayon::current_thread_index().map_or(last, |i| i.min(last));
        let mut counter = self.counters[slot]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut counter)
    }

    /// The sum of every thread's counts. Each counter is sorted on its own thread and
    /// the sorted lists are merged pairwise in parallel: with a hash-map merge and one
    /// sort of the result this tail was sequential, a fifth of a 2-thread count of 16 MB.
    fn into_counts(self) -> WordCounts {
        self.counters
            .into_par_iter()
            .map(|m| {
                m.into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .into_sorted()
            })
            .reduce(WordCounts::default, |mut a, b| {
                a.merge_owned(b);
                a
            })
    }
}

fn count_chunk(
    chunk: &Chunk,
    path: &Path,
    freq: bool,
    options: &ReadOptions,
    tally: &Tally,
) -> Result<Vec<String>> {
    let lossy = options.lossy;
    let mut warnings = Vec::new();
    let text = match std::str::from_utf8(&chunk.data) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(e) => {
            let offset = chunk.offset + e.valid_up_to() as u64;
            if !lossy {
                return Err(Error::InvalidUtf8 {
                    path: path.to_path_buf(),
                    offset,
                });
            }
            warnings.push(format!(
                "{}: invalid UTF-8 from byte {offset} replaced with U+FFFD",
                path.display()
            ));
            String::from_utf8_lossy(&chunk.data)
        }
    };
    if freq {
        // Parse first, so a malformed line leaves the tally untouched.
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let entry = parse_freq_line(line).map_err(|reason| Error::MalformedFreqLine {
                path: path.to_path_buf(),
                line: chunk.first_line + i as u64,
                reason,
            })?;
            entries.push(entry);
        }
        tally.with(|counter| {
            for (entry, count) in entries {
                match options.unit {
                    // An entry may hold several words ("new york"): each gets the count.
                    CountUnit::Words => {
                        crate::tokenize::for_each_word(entry, |w| counter.add(w, count));
                    }
                    CountUnit::Ngrams(n) => add_entry_ngram(counter, entry, n, count),
                }
            }
        });
    } else {
        tally.with(|counter| match options.unit {
            CountUnit::Words => counter.add_text(&text),
            CountUnit::Ngrams(n) => add_text_ngrams(counter, &text, n),
        });
    }
    Ok(warnings)
}

/// Counts a frequency-list entry of 1 to `n` words as one n-gram.
fn add_entry_ngram(counter: &mut Counter, entry: &str, n: usize, count: u64) {
    let mut words = Vec::new();
    crate::tokenize::for_each_word(entry, |w| words.push(w));
    if (1..=n).contains(&words.len()) {
        counter.add(&words.join(" "), count);
    }
}

/// Counts every n-gram of orders 1 to `n` inside the runs of words of `text`.
fn add_text_ngrams(counter: &mut Counter, text: &str, n: usize) {
    let mut key = String::new();
    crate::wordlm::for_each_run(text, |run| {
        for end in 1..=run.len() {
            for len in 1..=n.min(end) {
                key.clear();
                for (i, token) in run[end - len..end].iter().enumerate() {
                    if i > 0 {
                        key.push(' ');
                    }
                    key.push_str(token.text(text));
                }
                counter.add(&key, 1);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }

    fn count(path: &Path, options: &ReadOptions) -> Result<CorpusReport> {
        let spec = CorpusSpec {
            path: Some(path.to_path_buf()),
            weight: 1.0,
        };
        count_corpus(&spec, options, &NoProgress)
    }

    #[test]
    fn spec_parses_weights_and_stdin() {
        let s: CorpusSpec = "news.txt:2.5".parse().unwrap();
        assert_eq!(s.path, Some(PathBuf::from("news.txt")));
        assert_eq!(s.weight, 2.5);
        let s: CorpusSpec = "-".parse().unwrap();
        assert_eq!(s.path, None);
        assert!("x.txt:abc".parse::<CorpusSpec>().is_err());
        assert!("x.txt:-1".parse::<CorpusSpec>().is_err());
    }

    #[test]
    fn small_chunks_count_like_one_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let text =
            "The quick brown fox jumps over the lazy dog.\nÉlan vital, naïve café!\n".repeat(50);
        let p = write(dir.path(), "a.txt", text.as_bytes());
        let big = count(&p, &ReadOptions::default()).unwrap();
        for chunk_bytes in [1, 3, 7, 64] {
            let small = count(
                &p,
                &ReadOptions {
                    chunk_bytes,
                    ..ReadOptions::default()
                },
            )
            .unwrap();
            assert_eq!(small.counts, big.counts, "chunk_bytes {chunk_bytes}");
        }
        assert_eq!(big.counts.get("the"), Some(100));
        assert_eq!(big.counts.get("café"), Some(50));
    }

    #[test]
    fn gzip_is_read_transparently() {
        let dir = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"alpha beta alpha\n").unwrap();
        let p = write(dir.path(), "a.txt.gz", &gz.finish().unwrap());
        let r = count(&p, &ReadOptions::default()).unwrap();
        assert_eq!(r.counts.get("alpha"), Some(2));
    }

    #[test]
    fn frequency_lists_are_detected() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "f.tsv", b"the\t100\nNew York\t7\n\ncat\t3\n");
        let r = count(&p, &ReadOptions::default()).unwrap();
        assert_eq!(r.info.format, "freq");
        assert_eq!(r.counts.get("the"), Some(100));
        assert_eq!(r.counts.get("york"), Some(7));
    }

    #[test]
    fn malformed_frequency_line_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "f.tsv", b"the\t100\ncat\t3\ndog\tmany\n");
        let options = ReadOptions {
            format: InputFormat::Freq,
            chunk_bytes: 4,
            ..ReadOptions::default()
        };
        let err = count(&p, &options).unwrap_err().to_string();
        assert!(err.contains("f.tsv:3:"), "{err}");
        assert!(err.contains("\"many\""), "{err}");
    }

    #[test]
    fn invalid_utf8_names_file_and_offset_or_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "bad.txt", b"good words \xff\xfe more");
        let err = count(&p, &ReadOptions::default()).unwrap_err();
        match err {
            Error::InvalidUtf8 { offset, .. } => assert_eq!(offset, 11),
            other => panic!("unexpected {other}"),
        }
        let lossy = ReadOptions {
            lossy: true,
            ..ReadOptions::default()
        };
        let r = count(&p, &lossy).unwrap();
        assert_eq!(r.counts.get("more"), Some(1));
        assert_eq!(r.warnings.len(), 1);
    }

    #[test]
    fn parallel_reading_reports_the_first_error_and_warnings_in_input_order() {
        let dir = tempfile::tempdir().unwrap();
        // Three bad bytes in different chunks, far apart.
        let mut data = Vec::new();
        let mut bad = Vec::new();
        for i in 0..300 {
            if i % 100 == 40 {
                bad.push(data.len() as u64);
                data.push(0xff);
            }
            data.extend_from_slice(b"some words here\n");
        }
        let p = write(dir.path(), "bad.txt", &data);
        let small = ReadOptions {
            chunk_bytes: 64,
            ..ReadOptions::default()
        };
        let lossy = ReadOptions {
            lossy: true,
            ..small.clone()
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        for _ in 0..20 {
            match pool.install(|| count(&p, &small)).unwrap_err() {
                Error::InvalidUtf8 { offset, .. } => assert_eq!(offset, bad[0]),
                other => panic!("unexpected {other}"),
            }
            let r = pool.install(|| count(&p, &lossy)).unwrap();
            let offsets: Vec<String> = bad.iter().map(|o| format!("from byte {o} ")).collect();
            assert_eq!(r.warnings.len(), 3);
            for (w, o) in r.warnings.iter().zip(&offsets) {
                assert!(w.contains(o.as_str()), "{w} lacks {o}");
            }
            assert_eq!(r.counts.get("words"), Some(300));
        }
    }

    #[test]
    fn directories_are_read_recursively_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        write(dir.path(), "b.txt", b"beta");
        write(&dir.path().join("sub"), "a.txt", b"alpha");
        let r = count(dir.path(), &ReadOptions::default()).unwrap();
        assert_eq!(r.info.files, 2);
        assert_eq!(r.counts.len(), 2);
    }

    #[test]
    fn missing_file_is_an_io_error_with_path() {
        let err = count(Path::new("/no/such/file.txt"), &ReadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("/no/such/file.txt"));
    }
}
