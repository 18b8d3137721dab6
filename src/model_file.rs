//! The on-disk container for models and count shards.
//!
//! ```text
//! offset  size  field
//! 0       8     magic: b"GARBLEDM" (model) or b"GARBLEDC" (counts shard)
//! 8       4     format version, u32 little-endian
//! 12      8     body length in bytes, u64 little-endian
//! 20      4     CRC-32 of the body, u32 little-endian
//! 24      …     body: bincode 2 (standard config) of the serde struct
//! ```
//!
//! Loading checks, in order: too short → [`Error::Truncated`]; wrong magic →
//! [`Error::NotAModel`] (saying what the file looks like instead); other version →
//! [`Error::UnsupportedVersion`]; short body → [`Error::Truncated`]; checksum or decode
//! failure → [`Error::Corrupt`]. The checksum makes a flipped byte an error rather than
//! a silently different model; decoding also has a size limit, so a corrupt length can
//! never ask for more memory than the file holds.
//!
//! Files are written to a temporary file in the target directory and renamed into
//! place, so an interrupted `train` never leaves a half-written file that looks valid.
//!
//! Any change to a serialized struct bumps [`FORMAT_VERSION`] in the same commit.

use std::io::Write;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};

/// Format version written by this build, and the only one it reads.
pub const FORMAT_VERSION: u32 = 7;

/// What kind of file a container holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A trained model.
    Model,
    /// A counts shard from `garbled train --counts-only`.
    Shard,
}

impl FileKind {
    fn magic(self) -> &'static [u8; 8] {
        match self {
            FileKind::Model => b"GARBLEDM",
            FileKind::Shard => b"GARBLEDC",
        }
    }

    fn name(self) -> &'static str {
        match self {
            FileKind::Model => "model",
            FileKind::Shard => "counts shard",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            FileKind::Model => "give a file written by `garbled train`",
            FileKind::Shard => "give files written by `garbled train --counts-only`",
        }
    }
}

const HEADER_LEN: usize = 24;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<{ 1 << 32 }>()
}

/// Serializes `body` into a complete container.
///
/// # Errors
///
/// [`Error::Encode`] if serde refuses the value.
pub fn encode<T: Serialize>(kind: FileKind, body: &T) -> Result<Vec<u8>> {
    let body =
        bincode::serde::encode_to_vec(body, config()).map_err(|e| Error::Encode(e.to_string()))?;
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(kind.magic());
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Checks and decodes a container read from `path` (used only in messages).
///
/// # Errors
///
/// See the module docs for the order of checks and the error of each.
pub fn decode<T: DeserializeOwned>(kind: FileKind, path: &Path, bytes: &[u8]) -> Result<T> {
    let truncated = |expected: u64| Error::Truncated {
        path: path.to_path_buf(),
        found: bytes.len() as u64,
        expected,
    };
    if bytes.len() < 8 {
        return Err(truncated(HEADER_LEN as u64));
    }
    let magic = &bytes[..8];
    if magic != kind.magic() {
        let found = if magic == FileKind::Model.magic() {
            "a garbled model".to_string()
        } else if magic == FileKind::Shard.magic() {
            "a garbled counts shard".to_string()
        } else if magic.starts_with(b"GARBLED") {
            "a garbled file of an unknown kind".to_string()
        } else {
            describe_foreign(magic)
        };
        return Err(Error::NotAModel {
            path: path.to_path_buf(),
            expected: kind.name(),
            found,
            hint: kind.hint(),
        });
    }
    if bytes.len() < HEADER_LEN {
        return Err(truncated(HEADER_LEN as u64));
    }
    let field = |range: std::ops::Range<usize>| -> [u8; 8] {
        let mut b = [0u8; 8];
        b[..range.len()].copy_from_slice(&bytes[range]);
        b
    };
    let version = u32::from_le_bytes(field(8..12)[..4].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(Error::UnsupportedVersion {
            path: path.to_path_buf(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let body_len = u64::from_le_bytes(field(12..20));
    let crc = u32::from_le_bytes(field(20..24)[..4].try_into().expect("4 bytes"));
    let available = (bytes.len() - HEADER_LEN) as u64;
    if body_len > available {
        return Err(truncated(HEADER_LEN as u64 + body_len));
    }
    if body_len < available {
        return Err(Error::Corrupt {
            path: path.to_path_buf(),
            reason: format!("{} bytes of trailing data", available - body_len),
        });
    }
    let body = &bytes[HEADER_LEN..];
    if crc32fast::hash(body) != crc {
        return Err(Error::Corrupt {
            path: path.to_path_buf(),
            reason: "checksum mismatch".into(),
        });
    }
    let (value, used) =
        bincode::serde::decode_from_slice(body, config()).map_err(|e| Error::Corrupt {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    if used != body.len() {
        return Err(Error::Corrupt {
            path: path.to_path_buf(),
            reason: "body is longer than its contents".into(),
        });
    }
    Ok(value)
}

fn describe_foreign(magic: &[u8]) -> String {
    if magic.starts_with(&[0x1f, 0x8b]) {
        "a gzip file".into()
    } else if magic
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        "a text file".into()
    } else {
        "an unknown binary file".into()
    }
}

/// Reads and decodes a container file.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read, then as [`decode`].
pub fn read<T: DeserializeOwned>(kind: FileKind, path: &Path) -> Result<T> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode(kind, path, &bytes)
}

/// Writes a container atomically: a temporary file beside `path`, then a rename.
///
/// # Errors
///
/// [`Error::Encode`] or [`Error::Io`].
pub fn write<T: Serialize>(kind: FileKind, path: &Path, body: &T) -> Result<()> {
    let bytes = encode(kind, body)?;
    write_atomically(path, &bytes)
}

/// Writes bytes to `path` through a temporary file and a rename.
///
/// # Errors
///
/// [`Error::Io`] naming `path`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(path, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        // Temporary files are created private; a model is an ordinary file.
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode());
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Serde helpers that write a byte buffer as one byte string (a length and a copy)
/// rather than a sequence of numbers, so large tables load at memory speed.
pub mod byte_string {
    use serde::{Deserializer, Serializer};

    /// Writes the bytes as a byte string.
    ///
    /// # Errors
    ///
    /// Whatever the serializer reports.
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    /// Reads a byte string (or, from formats without one, a sequence of bytes).
    ///
    /// # Errors
    ///
    /// Whatever the deserializer reports.
    pub fn deserialize<'de, D: Deserializer<'de>, T: From<Vec<u8>>>(d: D) -> Result<T, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Vec<u8>, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
                while let Some(b) = seq.next_element()? {
                    v.push(b);
                }
                Ok(v)
            }
        }
        d.deserialize_byte_buf(Visitor).map(T::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Body {
        name: String,
        values: Vec<u64>,
    }

    fn body() -> Body {
        Body {
            name: "x".into(),
            values: (0..100).collect(),
        }
    }

    fn decode_body(bytes: &[u8]) -> Result<Body> {
        decode(FileKind::Model, Path::new("m.bin"), bytes)
    }

    #[test]
    fn round_trip() {
        let bytes = encode(FileKind::Model, &body()).unwrap();
        assert_eq!(decode_body(&bytes).unwrap(), body());
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = encode(FileKind::Model, &body()).unwrap();
        for len in 0..bytes.len() {
            let err = decode_body(&bytes[..len]).unwrap_err();
            assert!(
                matches!(err, Error::Truncated { .. }),
                "length {len}: {err}"
            );
        }
    }

    #[test]
    fn every_flipped_body_byte_is_an_error() {
        let bytes = encode(FileKind::Model, &body()).unwrap();
        for i in HEADER_LEN..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            assert!(
                matches!(decode_body(&bad), Err(Error::Corrupt { .. })),
                "byte {i}"
            );
        }
    }

    #[test]
    fn wrong_kind_and_foreign_files_are_named() {
        let shard = encode(FileKind::Shard, &body()).unwrap();
        let err = decode_body(&shard).unwrap_err().to_string();
        assert!(err.contains("counts shard"), "{err}");
        let err = decode_body(b"hello world, this is text")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not a garbled model (found a text file)"),
            "{err}"
        );
    }

    #[test]
    fn newer_version_is_rejected_with_both_versions() {
        let mut bytes = encode(FileKind::Model, &body()).unwrap();
        bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        match decode_body(&bytes) {
            Err(Error::UnsupportedVersion {
                found, supported, ..
            }) => {
                assert_eq!(found, FORMAT_VERSION + 1);
                assert_eq!(supported, FORMAT_VERSION);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn atomic_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.bin");
        std::fs::write(&p, b"old").unwrap();
        write(FileKind::Model, &p, &body()).unwrap();
        let back: Body = read(FileKind::Model, &p).unwrap();
        assert_eq!(back, body());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp files left"
        );
    }
}
