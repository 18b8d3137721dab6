//! Parsing one feed record.
//!
//! A record is parsed once, with a visitor that looks at each key without allocating,
//! keeps the raw JSON of the fields the feed needs (text, id, kept fields) as slices of
//! the line, and skips the rest. Only the text is then decoded into a string. A record
//! that fails to parse is probed for its id ([`probe_id`]) so its error record can name it.

use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::FeedOptions;
use crate::error::RecordError;

// A record is parsed once, with a visitor that looks at each key without allocating,
// keeps the raw JSON of the fields it needs (text, id, kept fields) as slices of the
// line, and skips the rest. Only the text is then decoded into a string.
/// The fields of one record that the feed reads, as raw JSON borrowed from the line.
pub(super) struct Parsed<'a> {
    pub(super) text: Option<&'a RawValue>,
    pub(super) id: Option<&'a RawValue>,
    pub(super) kept: Vec<Option<&'a RawValue>>,
    pub(super) duplicate: Option<String>,
}

impl Parsed<'_> {
    /// The text, or why the record has none.
    pub(super) fn text_of(
        &self,
        options: &FeedOptions,
    ) -> std::result::Result<Cow<'_, str>, RecordError> {
        if let Some(field) = &self.duplicate {
            return Err(RecordError::DuplicateField {
                field: field.clone(),
            });
        }
        let Some(raw) = self.text else {
            return Err(RecordError::MissingText {
                field: options.text_field.clone(),
            });
        };
        let found = json_kind(raw.get());
        if found != "a string" {
            return Err(RecordError::TextNotString {
                field: options.text_field.clone(),
                found,
            });
        }
        let mut de = serde_json::Deserializer::from_str(raw.get());
        de.deserialize_str(CowStr).map_err(|e| malformed(&e)) // unreachable: the raw value was validated
    }
}

/// How a JSON value reads in a message, from its first byte.
fn json_kind(json: &str) -> &'static str {
    match json.trim_start().as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'n') => "null",
        Some(b't' | b'f') => "a boolean",
        Some(b'[') => "an array",
        Some(b'{') => "an object",
        _ => "a number",
    }
}

fn malformed(e: &serde_json::Error) -> RecordError {
    let message = e.to_string();
    // serde_json appends " at line L column C"; the line is always 1 here.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m)
        .to_string();
    RecordError::MalformedJson {
        column: e.column(),
        message,
    }
}

pub(super) fn parse_record<'a>(
    json: &'a str,
    options: &FeedOptions,
) -> std::result::Result<Parsed<'a>, RecordError> {
    if !json.trim_start().starts_with('{') {
        // Valid JSON of another type, or not JSON at all?
        return Err(match serde_json::from_str::<IgnoredAny>(json) {
            Ok(_) => RecordError::NotAnObject {
                found: json_kind(json),
            },
            Err(e) => malformed(&e),
        });
    }
    let mut de = serde_json::Deserializer::from_str(json);
    let parsed = de
        .deserialize_map(RecordVisitor { options })
        .map_err(|e| malformed(&e))?;
    de.end().map_err(|e| malformed(&e))?;
    Ok(parsed)
}

/// What a key means to the feed.
struct Role {
    text: bool,
    id: bool,
    keep: Option<usize>,
}

/// Classifies a key without allocating (escaped keys arrive decoded).
#[derive(Clone, Copy)]
struct KeySeed<'o> {
    options: &'o FeedOptions,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Role;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Role, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Role;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> std::result::Result<Role, E> {
        Ok(Role {
            text: key == self.options.text_field,
            id: key == self.options.id_field,
            keep: self.options.keep_fields.iter().position(|k| k == key),
        })
    }
}

struct RecordVisitor<'o> {
    options: &'o FeedOptions,
}

impl<'de> Visitor<'de> for RecordVisitor<'_> {
    type Value = Parsed<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Parsed<'de>, A::Error> {
        let options = self.options;
        let mut parsed = Parsed {
            text: None,
            id: None,
            kept: vec![None; options.keep_fields.len()],
            duplicate: None,
        };
        let seed = KeySeed { options };
        while let Some(role) = map.next_key_seed(seed)? {
            if !role.text && !role.id && role.keep.is_none() {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let value: &'de RawValue = map.next_value()?;
            let mut set = |slot: &mut Option<&'de RawValue>, name: &str| {
                if slot.is_some() {
                    parsed.duplicate.get_or_insert_with(|| name.to_string());
                } else {
                    *slot = Some(value);
                }
            };
            if role.text {
                set(&mut parsed.text, &options.text_field);
            }
            if role.id {
                set(&mut parsed.id, &options.id_field);
            }
            if let Some(i) = role.keep {
                set(&mut parsed.kept[i], &options.keep_fields[i]);
            }
        }
        Ok(parsed)
    }
}

/// Decodes a JSON string without copying when it has no escapes.
struct CowStr;

impl<'de> Visitor<'de> for CowStr {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// Finds the id of a record that failed to parse (broken JSON later in the line,
/// invalid UTF-8 in the text, a line cut at [`ID_PROBE_BYTES`]): reads fields in order
/// until the id field, and keeps it if its value is intact.
pub(super) fn probe_id(line: &[u8], id_field: &str) -> Option<Box<RawValue>> {
    let line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
    let mut found = None;
    let mut de = serde_json::Deserializer::from_slice(line);
    // The probe stops early on purpose, so the parse "fails"; only `found` matters.
    let _ = de.deserialize_map(IdProbe {
        id_field,
        found: &mut found,
    });
    found.map(ToOwned::to_owned)
}

struct IdProbe<'f, 's, 'de> {
    id_field: &'f str,
    found: &'s mut Option<&'de RawValue>,
}

/// Whether a key is the id field.
#[derive(Clone, Copy)]
struct IsKey<'f>(&'f str);

impl<'de> DeserializeSeed<'de> for IsKey<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for IsKey<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> std::result::Result<bool, E> {
        Ok(key == self.0)
    }
}

impl<'de> Visitor<'de> for IdProbe<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(is_id) = map.next_key_seed(IsKey(self.id_field))? {
            if is_id {
                *self.found = Some(map.next_value()?);
                return Ok(());
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}
