//! The library's error type.
//!
//! Every fallible function in `garbled` returns [`Result<T>`]. Variants carry the
//! context a user needs to fix the problem (which file, which line or byte, what was
//! expected), so the binary can print them as one line without further decoration.

use std::io;
use std::path::PathBuf;

/// Convenience alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error while reading or writing `path`.
    ///
    /// The message includes the cause, so the I/O error is not also chained as a
    /// `source` (printing the chain would repeat it).
    #[error("{path}: {error}")]
    Io {
        /// The file involved (`-` for standard input/output).
        path: PathBuf,
        /// The underlying error.
        error: io::Error,
    },

    /// Input that should be UTF-8 text is not.
    #[error("{path}: invalid UTF-8 at byte {offset}; convert the file to UTF-8 (e.g. `iconv -f latin1 -t utf-8`) or pass --lossy")]
    InvalidUtf8 {
        /// The file involved.
        path: PathBuf,
        /// Byte offset of the first invalid byte (in the decompressed stream for `.gz`).
        offset: u64,
    },

    /// A line of a thesaurus TSV file is not `headword<TAB>syn1|syn2|...`.
    #[error("{path}:{line}: {reason}; expected `headword<TAB>syn1|syn2|...`")]
    MalformedThesaurus {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },

    /// A line of a word-frequency list is not `word<TAB>count`.
    #[error("{path}:{line}: {reason}; expected `word<TAB>count`")]
    MalformedFreqLine {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },

    /// A back-off language model file is not valid ARPA text.
    #[error("{path}:{line}: {reason}; expected an ARPA back-off model (`\\data\\` with `ngram N=COUNT` lines, then `\\N-grams:` sections of `log10(p) WORDS [log10(backoff)]`)")]
    MalformedArpa {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number (the last line, for a file that ends too early).
        line: u64,
        /// What is wrong with it.
        reason: String,
    },

    /// A file is too short to be a model or counts shard.
    #[error("{path}: file is truncated ({found} bytes, expected {expected}); re-copy it or retrain with `garbled train`")]
    Truncated {
        /// The file involved.
        path: PathBuf,
        /// Bytes present.
        found: u64,
        /// Bytes the header promises.
        expected: u64,
    },

    /// A file does not start with the magic bytes of a garbled file of the expected kind.
    #[error("{path}: not a garbled {expected} (found {found}); {hint}")]
    NotAModel {
        /// The file involved.
        path: PathBuf,
        /// What kind of file was expected ("model" or "counts shard").
        expected: &'static str,
        /// What was found instead.
        found: String,
        /// What to do about it.
        hint: &'static str,
    },

    /// A model written by a different (newer or older) format version.
    #[error("{path}: model format version {found} is not supported (this build reads version {supported}); retrain with `garbled train`, or use a garbled build that reads format {found}")]
    UnsupportedVersion {
        /// The file involved.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },

    /// The body of a model or shard fails its checksum or cannot be decoded.
    #[error("{path}: model is corrupt ({reason}); re-copy it or retrain with `garbled train`")]
    Corrupt {
        /// The file involved.
        path: PathBuf,
        /// What check failed.
        reason: String,
    },

    /// A model could not be serialized.
    #[error("cannot encode model: {0}")]
    Encode(String),

    /// A training or scoring option has an invalid value.
    #[error("invalid option {option}: {reason}")]
    InvalidOption {
        /// The option's name as the user sees it (e.g. `--order`).
        option: &'static str,
        /// Why the value is rejected.
        reason: String,
    },

    /// Training saw no words at all.
    #[error("no words found in the training input; give it UTF-8 text or a `word<TAB>count` list")]
    EmptyCorpus,

    /// Reading a feed failed part way (a truncated gzip stream, a disk error). Every
    /// record before `line` has been written.
    #[error("{path}: cannot read line {line} (every record before it has been written)")]
    FeedInput {
        /// The feed (`-` for standard input).
        path: PathBuf,
        /// 1-based line being read when it failed.
        line: u64,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// Shards or a base model that cannot be combined.
    #[error("cannot combine {path}: {reason}")]
    Incompatible {
        /// The shard or model that does not fit.
        path: PathBuf,
        /// What differs.
        reason: String,
    },
}

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            error: source,
        }
    }
}

/// Why one record of a feed could not be scored. Written into the record's output line
/// (`"error"` is the message, `"error_kind"` is [`RecordError::kind`]); the feed goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// An empty (or all-whitespace) line.
    #[error("blank line; expected a JSON object")]
    BlankLine,

    /// The line is not valid JSON.
    #[error("malformed JSON at column {column}: {message}")]
    MalformedJson {
        /// 1-based byte column where the parser gave up.
        column: usize,
        /// The parser's message.
        message: String,
    },

    /// Valid JSON, but not an object.
    #[error("expected a JSON object, found {found}")]
    NotAnObject {
        /// What was found: `an array`, `a string`, ...
        found: &'static str,
    },

    /// The object has no text field.
    #[error("no \"{field}\" field; name the text field with --text-field")]
    MissingText {
        /// The text field's name.
        field: String,
    },

    /// The text field holds something other than a string.
    #[error("field \"{field}\" is {found}, expected a string")]
    TextNotString {
        /// The text field's name.
        field: String,
        /// What it holds: `null`, `a number`, ...
        found: &'static str,
    },

    /// A field garbled reads (text, id or a kept field) appears more than once.
    #[error("field \"{field}\" appears more than once")]
    DuplicateField {
        /// The field's name.
        field: String,
    },

    /// The record is not UTF-8.
    #[error(
        "invalid UTF-8 at byte {offset} of the record; convert the feed to UTF-8 or pass --lossy"
    )]
    InvalidUtf8 {
        /// 0-based offset of the first invalid byte within the line (or file).
        offset: u64,
    },

    /// The record is longer than the limit.
    #[error("record is {bytes} bytes, more than the limit of {limit}; raise --max-record-bytes")]
    TooLarge {
        /// Its length.
        bytes: u64,
        /// The limit in force.
        limit: u64,
    },

    /// A file of a directory feed could not be read.
    #[error("cannot read: {reason}")]
    Unreadable {
        /// The I/O error.
        reason: String,
    },
}

impl RecordError {
    /// A stable snake_case name for the kind of problem (the `error_kind` field).
    pub fn kind(&self) -> &'static str {
        match self {
            RecordError::BlankLine => "blank_line",
            RecordError::MalformedJson { .. } => "malformed_json",
            RecordError::NotAnObject { .. } => "not_an_object",
            RecordError::MissingText { .. } => "missing_text",
            RecordError::TextNotString { .. } => "text_not_string",
            RecordError::DuplicateField { .. } => "duplicate_field",
            RecordError::InvalidUtf8 { .. } => "invalid_utf8",
            RecordError::TooLarge { .. } => "too_large",
            RecordError::Unreadable { .. } => "unreadable",
        }
    }
}
