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
    #[error("{path}: {source}")]
    Io {
        /// The file involved (`-` for standard input/output).
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
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
            source,
        }
    }
}
