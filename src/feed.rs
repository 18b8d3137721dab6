//! Bulk flagging: a feed of records in, one finding per record out (`garbled flag`).
//!
//! A feed is JSON Lines (one object per line, plain or gzip, told apart by the gzip
//! magic bytes), or a directory of `.txt` files, each file one record. [`Feed::run`]
//! reads it in batches of about [`FeedOptions::batch_bytes`], scores the records of a
//! batch in parallel with rayon through the same [`Checker`] as `garbled check`, and
//! writes one JSON line per record, in input order, as soon as its batch is scored. A
//! reader thread reads (and gunzips) the next batch while one is scored, so reading
//! and scoring overlap, and memory stays at about three batches plus one record
//! ([`FeedOptions::max_record_bytes`]) whatever the size of the feed. Output is the same
//! for any number of threads and any batch size.
//!
//! Findings come out a batch at a time: on a slow stream, a batch is scored when
//! [`FeedOptions::batch_bytes`] of input have arrived, or at the end of the input.
//!
//! Nothing is lost and nothing is fatal: every input line gives exactly one output line
//! (unless [`BelowMinScore::Drop`] is asked for). A line that cannot be scored gives an
//! error record that names the reason ([`RecordError`]), and the feed goes on. Only an
//! input that cannot be read any further ([`Error::FeedInput`]) or an output that cannot
//! be written stops the run, after every record read so far has been written.
//!
//! # Input
//!
//! Each JSON Lines record is an object with the text in a string field (`text`, see
//! [`FeedOptions::text_field`]) and, optionally, an id (`id`, any JSON value, see
//! [`FeedOptions::id_field`]). Other fields are ignored unless kept
//! ([`FeedOptions::keep_fields`]). A line may end in `\r\n`; a UTF-8 byte order mark
//! before a record is skipped. An empty text, or one without words, is not an error: it
//! gives `tokens` 0, `score` 0, `perplexity` 1 and no flags, as an empty file does under
//! `garbled check`.
//!
//! For a directory, every file under it whose name ends in `.txt` is a record (in
//! file-name order, recursively, as [`crate::corpus::files_of`] lists them), its id the
//! path relative to the directory.
//!
//! # Output (JSON Lines, one object per input record, in input order)
//!
//! ```text
//! {"id": any,           the record's id field copied verbatim (a string, number, object...);
//!                       null when the record has none or it could not be read.
//!                       Directory input: the file's path relative to the directory.
//!  "line": int,         1-based line number of the record in the (decompressed) feed.
//!                       Absent for directory input.
//!  "tokens": int,       \
//!  "score": float,       | as `garbled check --format json` (see crate::report); `flags` is
//!  "perplexity": float,  | empty when the score is below the minimum score
//!  "flags": [...],      /
//!  ...                  each kept field present in the record, copied verbatim
//! }
//! ```
//!
//! A record that could not be scored has `error` and `error_kind` instead of `tokens`,
//! `score`, `perplexity` and `flags`:
//!
//! ```text
//! {"id": any, "line": int, "error": str, "error_kind": str, ...kept fields}
//! ```
//!
//! `error` is a message for people ([`RecordError`]'s text); `error_kind` is one of
//! `blank_line`, `malformed_json`, `not_an_object`, `missing_text`, `text_not_string`,
//! `duplicate_field`, `invalid_utf8`, `too_large`, `unreadable`
//! ([`RecordError::kind`]). The id is looked for even in a broken record (it is usually
//! written before the text), so most error records still carry it. Kept fields are
//! copied when the record is a well-formed object.
//!
//! There is no `path` field: every record of a feed would carry the same file name, and
//! `id` (with `line`) already names the record.
//!
//! # Performance
//!
//! Scoring dominates: parsing a record and writing its finding cost a few percent of
//! the time. Throughput scales with threads until reading one stream (and gunzipping it)
//! becomes the bottleneck, far above the scorer's speed. The text of a record is scored
//! as one document; memory for it is a few hundred bytes per word, so the default
//! [`FeedOptions::max_record_bytes`] (8 MiB) keeps a worst-case record under ~250 MB.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;

use crate::check::Checker;
use crate::corpus::{NoProgress, Progress};
use crate::error::{Error, RecordError, Result};
use crate::report::Report;

mod parse;
mod read;

use parse::{parse_record, probe_id};
use read::{Batch, BatchReader, Item, ItemSource};

/// Default [`FeedOptions::batch_bytes`]: large enough that a batch holds hundreds of
/// articles for the threads to share, small enough to keep memory flat.
pub const DEFAULT_BATCH_BYTES: usize = 4 << 20;

/// Default [`FeedOptions::max_record_bytes`].
pub const DEFAULT_MAX_RECORD_BYTES: usize = 8 << 20;

/// Bytes at the start of an over-long line kept to look for its id.
const ID_PROBE_BYTES: usize = 64 << 10;

/// Fields the output writes itself; a kept field may not take one of these names.
const OUTPUT_FIELDS: [&str; 8] = [
    "id",
    "line",
    "tokens",
    "score",
    "perplexity",
    "flags",
    "error",
    "error_kind",
];

/// What happens to records whose score is below [`FeedOptions::min_score`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BelowMinScore {
    /// Written with their score but an empty `flags` list.
    #[default]
    KeepUnflagged,
    /// Not written at all (then output lines no longer match input lines one to one).
    Drop,
}

/// How a feed is read and written. Build with [`FeedOptions::default`] and the builder
/// methods; [`Feed::new`] checks the values.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedOptions {
    /// The field that holds a record's text (default `text`).
    pub text_field: String,
    /// The field copied into the output's `id` (default `id`).
    pub id_field: String,
    /// Fields of the input record copied into the output, in this order.
    pub keep_fields: Vec<String>,
    /// Records whose score is below this lose their flags (or are dropped).
    pub min_score: Option<f64>,
    /// What to do with records below `min_score`.
    pub below_min_score: BelowMinScore,
    /// Longest record (line or file) scored, in bytes; longer ones give an error record.
    pub max_record_bytes: usize,
    /// Input bytes read per batch.
    pub batch_bytes: usize,
    /// Replace invalid UTF-8 with U+FFFD instead of giving an error record (offsets then
    /// refer to the decoded text).
    pub lossy: bool,
}

impl Default for FeedOptions {
    fn default() -> Self {
        FeedOptions {
            text_field: "text".into(),
            id_field: "id".into(),
            keep_fields: Vec::new(),
            min_score: None,
            below_min_score: BelowMinScore::default(),
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            batch_bytes: DEFAULT_BATCH_BYTES,
            lossy: false,
        }
    }
}

impl FeedOptions {
    /// Sets [`FeedOptions::text_field`].
    pub fn text_field(mut self, name: impl Into<String>) -> Self {
        self.text_field = name.into();
        self
    }

    /// Sets [`FeedOptions::id_field`].
    pub fn id_field(mut self, name: impl Into<String>) -> Self {
        self.id_field = name.into();
        self
    }

    /// Sets [`FeedOptions::keep_fields`].
    pub fn keep_fields(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keep_fields = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`FeedOptions::min_score`] and what happens below it.
    pub fn min_score(mut self, min_score: f64, below: BelowMinScore) -> Self {
        self.min_score = Some(min_score);
        self.below_min_score = below;
        self
    }

    /// Sets [`FeedOptions::max_record_bytes`].
    pub fn max_record_bytes(mut self, bytes: usize) -> Self {
        self.max_record_bytes = bytes;
        self
    }

    /// Sets [`FeedOptions::batch_bytes`].
    pub fn batch_bytes(mut self, bytes: usize) -> Self {
        self.batch_bytes = bytes;
        self
    }

    /// Sets [`FeedOptions::lossy`].
    pub fn lossy(mut self, lossy: bool) -> Self {
        self.lossy = lossy;
        self
    }

    fn validate(&self) -> Result<()> {
        let invalid = |option, reason: String| Err(Error::InvalidOption { option, reason });
        if self.text_field.is_empty() {
            return invalid("--text-field", "must not be empty".into());
        }
        if self.text_field == self.id_field {
            return invalid(
                "--id-field",
                format!("must differ from --text-field ({})", self.text_field),
            );
        }
        for name in &self.keep_fields {
            if OUTPUT_FIELDS.contains(&name.as_str()) {
                return invalid(
                    "--keep-fields",
                    format!("`{name}` is a field of the output itself; rename it in the input"),
                );
            }
            if self.keep_fields.iter().filter(|n| *n == name).count() > 1 {
                return invalid("--keep-fields", format!("`{name}` is given twice"));
            }
        }
        if let Some(s) = self.min_score {
            if !(0.0..=1.0).contains(&s) {
                return invalid("--min-score", format!("must be between 0 and 1, got {s}"));
            }
        }
        if self.max_record_bytes == 0 {
            return invalid("--max-record-bytes", "must be at least 1".into());
        }
        if self.batch_bytes == 0 {
            return invalid("--batch-bytes", "must be at least 1".into());
        }
        Ok(())
    }
}

/// Where a feed comes from.
pub enum FeedInput {
    /// JSON Lines from a reader, plain or gzip (detected by its magic bytes).
    Lines {
        /// Its name in messages (`-` for standard input).
        name: PathBuf,
        /// The bytes.
        reader: Box<dyn Read + Send>,
        /// Bytes the reader will give (before decompression), when known, for progress.
        total_bytes: Option<u64>,
    },
    /// Every `.txt` file under a directory, one record each.
    Directory(PathBuf),
}

impl FeedInput {
    /// Opens `path`: `-` is standard input, a directory is read as `.txt` files, anything
    /// else as JSON Lines.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the path cannot be opened.
    pub fn open(path: &Path) -> Result<FeedInput> {
        if path.as_os_str() == "-" {
            return Ok(FeedInput::Lines {
                name: path.to_path_buf(),
                reader: Box::new(io::stdin()),
                total_bytes: None,
            });
        }
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            return Ok(FeedInput::Directory(path.to_path_buf()));
        }
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Ok(FeedInput::Lines {
            name: path.to_path_buf(),
            reader: Box::new(file),
            total_bytes: meta.is_file().then_some(meta.len()),
        })
    }

    /// The input's name in messages.
    pub fn name(&self) -> &Path {
        match self {
            FeedInput::Lines { name, .. } => name,
            FeedInput::Directory(path) => path,
        }
    }
}

/// Reports a feed's progress: bytes read (through [`Progress`]) and records written.
/// Implemented by the binary (an indicatif bar); the library never prints.
pub trait FeedProgress: Progress {
    /// `n` more records were written (or dropped).
    fn records(&self, _n: u64) {}
}

impl FeedProgress for NoProgress {}

/// The counts of a finished run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedSummary {
    /// Records read (lines or files), error records included.
    pub records: u64,
    /// Records written with at least one flag.
    pub flagged: u64,
    /// Error records written.
    pub errors: u64,
    /// Records whose score was below the minimum score (written unflagged, or dropped).
    pub below_min_score: u64,
    /// Records not written ([`BelowMinScore::Drop`]).
    pub dropped: u64,
    /// Bytes of input read, after decompression (lines with their newlines, or files).
    pub input_bytes: u64,
}

impl FeedSummary {
    fn add(&mut self, other: &FeedSummary) {
        self.records += other.records;
        self.flagged += other.flagged;
        self.errors += other.errors;
        self.below_min_score += other.below_min_score;
        self.dropped += other.dropped;
        self.input_bytes += other.input_bytes;
    }
}

/// What became of one record.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOutcome {
    /// Scored; the report's `path` is empty (the record is named by its id).
    Scored(Report),
    /// Scored, with a score below the minimum: the report has no flags.
    BelowMinScore(Report),
    /// Could not be scored.
    Failed(RecordError),
}

/// The finding for one record: what [`Feed`] writes as one JSON line (see the module
/// docs for the format; [`Serialize`] writes exactly that).
#[derive(Debug, Clone)]
pub struct FeedRecord {
    /// The record's id, verbatim JSON (`None` is written as `null`).
    pub id: Option<Box<RawValue>>,
    /// 1-based line number in the feed (JSON Lines input only).
    pub line: Option<u64>,
    /// Kept fields present in the record, in [`FeedOptions::keep_fields`] order.
    pub kept: Vec<(String, Box<RawValue>)>,
    /// The scores, or why there are none.
    pub outcome: RecordOutcome,
}

impl FeedRecord {
    fn failed(id: Option<Box<RawValue>>, line: Option<u64>, error: RecordError) -> FeedRecord {
        FeedRecord {
            id,
            line,
            kept: Vec::new(),
            outcome: RecordOutcome::Failed(error),
        }
    }

    /// The record's report, unless it failed.
    pub fn report(&self) -> Option<&Report> {
        match &self.outcome {
            RecordOutcome::Scored(r) | RecordOutcome::BelowMinScore(r) => Some(r),
            RecordOutcome::Failed(_) => None,
        }
    }

    /// The record has at least one flag.
    pub fn is_flagged(&self) -> bool {
        self.report().is_some_and(|r| !r.flags.is_empty())
    }

    /// The record could not be scored.
    pub fn is_error(&self) -> bool {
        matches!(self.outcome, RecordOutcome::Failed(_))
    }

    /// One JSON line (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("a FeedRecord always serializes")
    }
}

impl Serialize for FeedRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &self.id)?;
        if let Some(line) = self.line {
            map.serialize_entry("line", &line)?;
        }
        match &self.outcome {
            RecordOutcome::Scored(r) | RecordOutcome::BelowMinScore(r) => {
                // Every field of `Report` but `path` (a unit test holds this in step).
                map.serialize_entry("tokens", &r.tokens)?;
                map.serialize_entry("score", &r.score)?;
                map.serialize_entry("perplexity", &r.perplexity)?;
                map.serialize_entry("flags", &r.flags)?;
            }
            RecordOutcome::Failed(e) => {
                map.serialize_entry("error", &e.to_string())?;
                map.serialize_entry("error_kind", e.kind())?;
            }
        }
        for (name, value) in &self.kept {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Flags the records of feeds with one [`Checker`].
///
/// # Performance considerations
///
/// Build one `Feed` and reuse it: it holds no per-run state. [`Feed::run`] uses the
/// current rayon pool (run it inside `ThreadPool::install` to choose the thread count).
/// About 95% of the time goes to the scorer; see the module docs.
#[derive(Debug, Clone)]
pub struct Feed<'c, 'm> {
    checker: &'c Checker<'m>,
    options: FeedOptions,
}

impl<'c, 'm> Feed<'c, 'm> {
    /// A feed flagger using `checker`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] for an empty text field, an id field equal to the text
    /// field, a kept field named like an output field or given twice, a minimum score
    /// outside [0, 1], or a zero size limit.
    pub fn new(checker: &'c Checker<'m>, options: FeedOptions) -> Result<Feed<'c, 'm>> {
        options.validate()?;
        Ok(Feed { checker, options })
    }

    /// The options.
    pub fn options(&self) -> &FeedOptions {
        &self.options
    }

    /// Flags one JSON Lines record (the line without its newline). Never fails: a bad
    /// record gives a [`RecordOutcome::Failed`].
    pub fn flag_line(&self, line: &[u8], line_no: Option<u64>) -> FeedRecord {
        let limit = self.options.max_record_bytes;
        if line.len() > limit {
            return FeedRecord::failed(
                probe_id(
                    &line[..ID_PROBE_BYTES.min(line.len())],
                    &self.options.id_field,
                ),
                line_no,
                RecordError::TooLarge {
                    bytes: line.len() as u64,
                    limit: limit as u64,
                },
            );
        }
        let line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
        if line.trim_ascii().is_empty() {
            return FeedRecord::failed(None, line_no, RecordError::BlankLine);
        }
        let json: Cow<'_, str> = match std::str::from_utf8(line) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) if self.options.lossy => String::from_utf8_lossy(line),
            Err(e) => {
                return FeedRecord::failed(
                    probe_id(line, &self.options.id_field),
                    line_no,
                    RecordError::InvalidUtf8 {
                        offset: e.valid_up_to() as u64,
                    },
                )
            }
        };
        let parsed = match parse_record(&json, &self.options) {
            Ok(p) => p,
            Err(error) => {
                let id = probe_id(json.as_bytes(), &self.options.id_field);
                return FeedRecord::failed(id, line_no, error);
            }
        };
        let outcome = match parsed.text_of(&self.options) {
            Ok(text) => self.score(&text),
            Err(e) => RecordOutcome::Failed(e),
        };
        FeedRecord {
            id: parsed.id.map(ToOwned::to_owned),
            line: line_no,
            kept: self
                .options
                .keep_fields
                .iter()
                .zip(&parsed.kept)
                .filter_map(|(name, v)| v.map(|v| (name.clone(), v.to_owned())))
                .collect(),
            outcome,
        }
    }

    /// Flags one document of a directory feed: `bytes` is the file's content, `id` its
    /// name.
    pub fn flag_document(&self, id: &str, bytes: &[u8]) -> FeedRecord {
        let id = Some(string_id(id));
        if bytes.len() > self.options.max_record_bytes {
            let error = RecordError::TooLarge {
                bytes: bytes.len() as u64,
                limit: self.options.max_record_bytes as u64,
            };
            return FeedRecord::failed(id, None, error);
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) if self.options.lossy => String::from_utf8_lossy(bytes),
            Err(e) => {
                let error = RecordError::InvalidUtf8 {
                    offset: e.valid_up_to() as u64,
                };
                return FeedRecord::failed(id, None, error);
            }
        };
        FeedRecord {
            id,
            line: None,
            kept: Vec::new(),
            outcome: self.score(&text),
        }
    }

    fn score(&self, text: &str) -> RecordOutcome {
        let (mut report, _) = self.checker.check("", text);
        match self.options.min_score {
            Some(min) if report.score < min => {
                report.flags.clear();
                RecordOutcome::BelowMinScore(report)
            }
            _ => RecordOutcome::Scored(report),
        }
    }

    /// Flags every record of `input` and writes one JSON line per record to `output`, in
    /// input order.
    ///
    /// The lines of each batch reach `output` through a single `write_all` call (whole
    /// lines only), followed by `flush`, so a writer that serialises those calls against
    /// a shutdown never leaves half a line. `output_name` names the output in errors.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the input cannot be opened or the output written;
    /// [`Error::FeedInput`] when reading fails part way (everything read before has
    /// been written). Bad records are not errors. After an output error the reader
    /// thread ends at its next read.
    pub fn run<W: Write>(
        &self,
        input: FeedInput,
        output: &mut W,
        output_name: &Path,
        progress: &dyn FeedProgress,
    ) -> Result<FeedSummary> {
        let name = input.name().to_path_buf();
        let reader = BatchReader::open(input)?;
        progress.set_total(reader.total_bytes());
        let batches = reader.read_ahead(self.options.clone())?;
        let mut summary = FeedSummary::default();
        loop {
            let batch = match batches.recv() {
                Ok(Ok(Some(batch))) => batch,
                Ok(Ok(None)) => return Ok(summary),
                Ok(Err(read_error)) => return Err(read_error),
                Err(_) => {
                    let stopped = io::Error::other("the reader thread stopped");
                    return Err(Error::io(name, stopped));
                }
            };
            let scored = self.score_batch(&batch);
            drop(batch);
            output
                .write_all(&scored.out)
                .and_then(|()| output.flush())
                .map_err(|e| Error::io(output_name, e))?;
            summary.add(&scored.summary);
            progress.advance(scored.raw_bytes);
            progress.records(scored.summary.records);
        }
    }

    fn score_batch(&self, batch: &Batch) -> Scored {
        let records: Vec<(Vec<u8>, FeedSummary)> = batch
            .items
            .par_iter()
            .map(|item| {
                let record = self.flag_item(batch, item);
                let mut tally = FeedSummary {
                    records: 1,
                    input_bytes: item.input_bytes,
                    ..FeedSummary::default()
                };
                let mut out = Vec::new();
                let below = matches!(record.outcome, RecordOutcome::BelowMinScore(_));
                if below {
                    tally.below_min_score = 1;
                }
                if below && self.options.below_min_score == BelowMinScore::Drop {
                    tally.dropped = 1;
                } else {
                    tally.flagged = u64::from(record.is_flagged());
                    tally.errors = u64::from(record.is_error());
                    serde_json::to_writer(&mut out, &record)
                        .expect("a FeedRecord always serializes");
                    out.push(b'\n');
                }
                (out, tally)
            })
            .collect();
        let mut scored = Scored {
            out: Vec::with_capacity(records.iter().map(|(o, _)| o.len()).sum()),
            summary: FeedSummary::default(),
            raw_bytes: batch.raw_bytes,
        };
        for (out, tally) in records {
            scored.out.extend_from_slice(&out);
            scored.summary.add(&tally);
        }
        scored
    }

    fn flag_item(&self, batch: &Batch, item: &Item) -> FeedRecord {
        let bytes = &batch.data[item.start..item.end];
        match &item.source {
            ItemSource::Line {
                line,
                too_large: None,
            } => self.flag_line(bytes, Some(*line)),
            ItemSource::Line {
                line,
                too_large: Some(len),
            } => FeedRecord::failed(
                probe_id(bytes, &self.options.id_field),
                Some(*line),
                RecordError::TooLarge {
                    bytes: *len,
                    limit: self.options.max_record_bytes as u64,
                },
            ),
            ItemSource::File { id, problem: None } => self.flag_document(id, bytes),
            ItemSource::File {
                id,
                problem: Some(problem),
            } => FeedRecord::failed(Some(string_id(id)), None, problem.clone()),
        }
    }
}

/// A JSON string holding `id`.
fn string_id(id: &str) -> Box<RawValue> {
    let json = serde_json::to_string(id).expect("a string always serializes");
    RawValue::from_string(json).expect("a serialized string is valid JSON")
}

/// A batch's output lines and counts.
struct Scored {
    out: Vec<u8>,
    summary: FeedSummary,
    raw_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckOptions;
    use crate::model::Model;
    use crate::score::AllowList;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn model() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| Model::embedded().expect("the embedded model loads"))
    }

    fn checker() -> Checker<'static> {
        Checker::new(model(), AllowList::new(), CheckOptions::default()).unwrap()
    }

    fn json(record: &FeedRecord) -> serde_json::Value {
        serde_json::from_str(&record.to_json_line()).unwrap()
    }

    fn run(feed: &Feed<'_, '_>, input: &[u8], threads: usize) -> (String, FeedSummary) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut out = Vec::new();
        let input = FeedInput::Lines {
            name: "-".into(),
            reader: Box::new(io::Cursor::new(input.to_vec())),
            total_bytes: None,
        };
        let summary = pool
            .install(|| feed.run(input, &mut out, Path::new("-"), &NoProgress))
            .unwrap();
        (String::from_utf8(out).unwrap(), summary)
    }

    macro_rules! bad_record {
        ($name:ident, $line:expr, $kind:expr, $id:tt) => {
            #[test]
            fn $name() {
                let checker = checker();
                let feed = Feed::new(&checker, FeedOptions::default()).unwrap();
                let record = feed.flag_line($line, Some(7));
                let v = json(&record);
                assert_eq!(v["error_kind"], $kind, "{v}");
                assert_eq!(v["line"], 7);
                assert_eq!(v["id"], serde_json::json!($id), "{v}");
                assert!(v.get("tokens").is_none());
            }
        };
    }

    bad_record!(blank_line, b"  \r", "blank_line", null);
    bad_record!(
        malformed_json_keeps_the_id,
        br#"{"id": "a1", "text": "unterminated"#,
        "malformed_json",
        "a1"
    );
    bad_record!(not_json_at_all, b"hello world", "malformed_json", null);
    bad_record!(array, br#"[1, 2]"#, "not_an_object", null);
    bad_record!(
        missing_text,
        br#"{"id": 5, "body": "x"}"#,
        "missing_text",
        5
    );
    bad_record!(
        number_text,
        br#"{"id": 5, "text": 12}"#,
        "text_not_string",
        5
    );
    bad_record!(
        null_text,
        br#"{"text": null, "id": [1]}"#,
        "text_not_string",
        [1]
    );
    bad_record!(
        duplicate_text,
        br#"{"id": "d", "text": "a", "text": "b"}"#,
        "duplicate_field",
        "d"
    );
    bad_record!(
        invalid_utf8_keeps_the_id,
        b"{\"id\": \"u\", \"text\": \"caf\xe9\"}",
        "invalid_utf8",
        "u"
    );
    bad_record!(
        trailing_garbage,
        br#"{"id": "t", "text": "a"} x"#,
        "malformed_json",
        "t"
    );

    #[test]
    fn malformed_json_message_has_column_without_line() {
        let checker = checker();
        let feed = Feed::new(&checker, FeedOptions::default()).unwrap();
        let v = json(&feed.flag_line(br#"{"text": "a",}"#, Some(1)));
        let error = v["error"].as_str().unwrap();
        assert!(
            error.starts_with("malformed JSON at column 14: trailing comma"),
            "{error}"
        );
        assert!(!error.contains("line 1"), "{error}");
    }

    #[test]
    fn good_record_has_every_report_field_but_path() {
        let checker = checker();
        let feed = Feed::new(&checker, FeedOptions::default().keep_fields(["lang"])).unwrap();
        let record = feed.flag_line(
            "\u{feff}{\"lang\": \"en\", \"id\": {\"n\": 1}, \"text\": \"He shelp it.\\n\"}\r"
                .as_bytes(),
            Some(3),
        );
        let v = json(&record);
        assert_eq!(v["id"], serde_json::json!({"n": 1}));
        assert_eq!(v["lang"], "en");
        assert_eq!(v["flags"][0]["token"], "shelp");
        let report = serde_json::to_value(record.report().unwrap()).unwrap();
        for key in report.as_object().unwrap().keys() {
            assert!(
                key == "path" || v.get(key).is_some(),
                "feed records lack the report field {key}"
            );
        }
        assert!(v.get("path").is_none());
    }

    #[test]
    fn empty_text_is_a_record_with_no_tokens() {
        let checker = checker();
        let feed = Feed::new(&checker, FeedOptions::default()).unwrap();
        let v = json(&feed.flag_line(br#"{"id": 1, "text": ""}"#, None));
        assert_eq!(v["tokens"], 0);
        assert_eq!(v["score"], 0.0);
        assert_eq!(v["perplexity"], 1.0);
        assert!(v.get("line").is_none());
    }

    #[test]
    fn too_long_lines_keep_their_id() {
        let checker = checker();
        let feed = Feed::new(&checker, FeedOptions::default().max_record_bytes(100)).unwrap();
        let line = format!(r#"{{"id": "big", "text": "{}"}}"#, "word ".repeat(50));
        let v = json(&feed.flag_line(line.as_bytes(), Some(1)));
        assert_eq!(v["error_kind"], "too_large");
        assert_eq!(v["id"], "big");
    }

    #[test]
    fn invalid_options_are_rejected() {
        let checker = checker();
        let bad = [
            FeedOptions::default().keep_fields(["score"]),
            FeedOptions::default().keep_fields(["a", "a"]),
            FeedOptions::default().id_field("text"),
            FeedOptions::default().min_score(1.5, BelowMinScore::Drop),
            FeedOptions::default().batch_bytes(0),
        ];
        for options in bad {
            assert!(
                matches!(
                    Feed::new(&checker, options.clone()),
                    Err(Error::InvalidOption { .. })
                ),
                "{options:?}"
            );
        }
    }

    #[test]
    fn read_errors_come_after_the_lines_before_them() {
        // A truncated gzip stream: the lines decoded before the cut are written, then
        // the run stops with the line number it was reading.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..200 {
            writeln!(gz, r#"{{"id": {i}, "text": "a b"}}"#).unwrap();
        }
        let full = gz.finish().unwrap();
        let cut = full[..full.len() - 12].to_vec();
        let checker = checker();
        let feed = Feed::new(&checker, FeedOptions::default().batch_bytes(500)).unwrap();
        let mut out = Vec::new();
        let input = FeedInput::Lines {
            name: "cut.jsonl.gz".into(),
            reader: Box::new(io::Cursor::new(cut)),
            total_bytes: None,
        };
        let err = feed
            .run(input, &mut out, Path::new("-"), &NoProgress)
            .unwrap_err();
        let written = String::from_utf8(out).unwrap();
        let n = written.lines().count() as u64;
        assert!(n > 0 && written.ends_with('\n'));
        match err {
            Error::FeedInput { line, .. } => assert_eq!(line, n + 1, "{written}"),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn min_score_keeps_or_drops_records() {
        let checker = checker();
        let input = b"{\"id\":1,\"text\":\"He said it.\"}\n{\"id\":2,\"text\":\"Hx shelp qzt.\"}\n";
        let keep = Feed::new(
            &checker,
            FeedOptions::default().min_score(0.3, BelowMinScore::KeepUnflagged),
        )
        .unwrap();
        let (out, summary) = run(&keep, input, 1);
        assert_eq!(out.lines().count(), 2);
        assert_eq!((summary.below_min_score, summary.dropped), (1, 0));
        let drop = Feed::new(
            &checker,
            FeedOptions::default().min_score(0.3, BelowMinScore::Drop),
        )
        .unwrap();
        let (out, summary) = run(&drop, input, 1);
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.starts_with("{\"id\":2,"), "{out}");
        assert_eq!((summary.records, summary.dropped), (2, 1));
    }

    /// One record line for the property test: good, or one of the bad kinds.
    fn record_line(i: usize, kind: u8) -> String {
        match kind {
            0 => format!(r#"{{"id": {i}, "text": "Record {i} says teh cat sat."}}"#),
            1 => format!(r#"{{"id": {i}, "text": ""}}"#),
            2 => format!(r#"{{"id": {i}, "text": 7}}"#),
            3 => format!(r#"{{"id": {i}, "text": "broken"#),
            4 => String::new(),
            _ => format!(r#"{{"id": {i}, "text": "{}"}}"#, "long ".repeat(40)),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        #[test]
        fn order_and_ids_survive_any_thread_count_and_batch_size(
            kinds in proptest::collection::vec(0u8..6, 1..60),
            batch_bytes in 1usize..400,
            threads in 1usize..4,
        ) {
            let input: String = kinds
                .iter()
                .enumerate()
                .map(|(i, &k)| record_line(i, k) + "\n")
                .collect();
            let checker = checker();
            let options = FeedOptions::default().max_record_bytes(150);
            let serial = Feed::new(&checker, options.clone()).unwrap();
            let parallel = Feed::new(&checker, options.batch_bytes(batch_bytes)).unwrap();
            let (expected, _) = run(&serial, input.as_bytes(), 1);
            let (got, summary) = run(&parallel, input.as_bytes(), threads);
            prop_assert_eq!(&got, &expected);
            prop_assert_eq!(summary.records, kinds.len() as u64);
            for (i, line) in got.lines().enumerate() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                prop_assert_eq!(v["line"].as_u64(), Some(i as u64 + 1));
                if kinds[i] != 4 {
                    prop_assert_eq!(v["id"].as_u64(), Some(i as u64));
                }
            }
        }
    }
}
