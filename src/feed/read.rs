//! Reading a feed in batches: lines of JSON Lines (plain or gzip) or `.txt` files of a
//! directory, gathered into one buffer per batch so that a batch costs two allocations,
//! not one per record. A line longer than the record limit is skipped over while it is
//! read, keeping only its head (to find its id in), so it never sits in memory whole.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;

use super::{FeedInput, FeedOptions, ID_PROBE_BYTES};
use crate::corpus::files_of;
use crate::error::{Error, RecordError, Result};

/// Records read together: their bytes in one buffer, and where each one is.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) data: Vec<u8>,
    pub(super) items: Vec<Item>,
    /// Raw (possibly compressed) bytes consumed, for progress.
    pub(super) raw_bytes: u64,
}

/// Where one record is in its batch, and where it came from.
pub(super) struct Item {
    pub(super) start: usize,
    pub(super) end: usize,
    /// Bytes of input it took (after decompression, with its newline).
    pub(super) input_bytes: u64,
    pub(super) source: ItemSource,
}

pub(super) enum ItemSource {
    /// A line; `too_large` holds its length when it exceeded the limit (then only its
    /// first [`ID_PROBE_BYTES`] are in the batch).
    Line { line: u64, too_large: Option<u64> },
    /// A file of a directory feed.
    File {
        id: String,
        problem: Option<RecordError>,
    },
}

/// Reads batches from a [`FeedInput`].
pub(super) struct BatchReader(Source);

enum Source {
    Lines(LineReader),
    Files(FileReader),
}

impl BatchReader {
    pub(super) fn open(input: FeedInput) -> Result<BatchReader> {
        Ok(BatchReader(match input {
            FeedInput::Lines {
                name,
                reader,
                total_bytes,
            } => Source::Lines(LineReader::open(name, reader, total_bytes)?),
            FeedInput::Directory(root) => Source::Files(FileReader::open(root)?),
        }))
    }

    /// Bytes the input holds, when known (before decompression).
    pub(super) fn total_bytes(&self) -> Option<u64> {
        match &self.0 {
            Source::Lines(r) => r.total_bytes,
            Source::Files(r) => Some(r.total_bytes),
        }
    }

    /// Reads batches on a thread of its own, one batch ahead of the consumer; the
    /// receiver gets `Ok(None)` at the end, or the error that stopped reading. The
    /// thread ends after either, or when the receiver is dropped.
    pub(super) fn read_ahead(
        mut self,
        options: FeedOptions,
    ) -> Result<Receiver<Result<Option<Batch>>>> {
        let (tx, rx) = sync_channel(1);
        std::thread::Builder::new()
            .name("garbled-feed-reader".into())
            .spawn(move || loop {
                let next = self.next_batch(&options);
                let last = !matches!(next, Ok(Some(_)));
                if tx.send(next).is_err() || last {
                    break;
                }
            })
            .map_err(|e| Error::io("<reader thread>", e))?;
        Ok(rx)
    }

    /// The next batch, `None` at the end.
    fn next_batch(&mut self, options: &FeedOptions) -> Result<Option<Batch>> {
        match &mut self.0 {
            Source::Lines(r) => r.next_batch(options),
            Source::Files(r) => Ok(r.next_batch(options)),
        }
    }
}

/// Counts the raw bytes pulled from the input, for progress.
struct CountingReader {
    inner: Box<dyn Read + Send>,
    count: Arc<AtomicU64>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

struct LineReader {
    name: PathBuf,
    inner: Box<dyn BufRead + Send>,
    raw_count: Arc<AtomicU64>,
    raw_reported: u64,
    total_bytes: Option<u64>,
    /// Lines read so far.
    line: u64,
    eof: bool,
    /// A read error met after some lines of a batch: reported on the next call, so the
    /// lines before it are still written.
    pending: Option<io::Error>,
}

const READ_BUFFER_BYTES: usize = 256 << 10;

impl LineReader {
    fn open(
        name: PathBuf,
        reader: Box<dyn Read + Send>,
        total_bytes: Option<u64>,
    ) -> Result<LineReader> {
        let raw_count = Arc::new(AtomicU64::new(0));
        let counted = CountingReader {
            inner: reader,
            count: raw_count.clone(),
        };
        let mut buffered = BufReader::with_capacity(READ_BUFFER_BYTES, counted);
        let head = buffered.fill_buf().map_err(|e| Error::io(&name, e))?;
        let inner: Box<dyn BufRead + Send> = if head.starts_with(&[0x1f, 0x8b]) {
            Box::new(BufReader::with_capacity(
                READ_BUFFER_BYTES,
                flate2::bufread::MultiGzDecoder::new(buffered),
            ))
        } else {
            Box::new(buffered)
        };
        Ok(LineReader {
            name,
            inner,
            raw_count,
            raw_reported: 0,
            total_bytes,
            line: 0,
            eof: false,
            pending: None,
        })
    }

    fn next_batch(&mut self, options: &FeedOptions) -> Result<Option<Batch>> {
        if let Some(source) = self.pending.take() {
            return Err(Error::FeedInput {
                path: self.name.clone(),
                line: self.line + 1,
                source,
            });
        }
        let mut batch = Batch::default();
        while !self.eof && batch.data.len() < options.batch_bytes {
            let start = batch.data.len();
            match self.read_line(&mut batch.data, options.max_record_bytes) {
                Ok(Some((len, newline))) => {
                    self.line += 1;
                    batch.items.push(Item {
                        start,
                        end: batch.data.len(),
                        input_bytes: len + u64::from(newline),
                        source: ItemSource::Line {
                            line: self.line,
                            too_large: (len > options.max_record_bytes as u64).then_some(len),
                        },
                    });
                }
                Ok(None) => self.eof = true,
                Err(e) => {
                    batch.data.truncate(start);
                    self.eof = true;
                    self.pending = Some(e);
                }
            }
        }
        let raw = self.raw_count.load(Ordering::Relaxed);
        batch.raw_bytes = raw - self.raw_reported;
        self.raw_reported = raw;
        if batch.items.is_empty() {
            return match self.pending.take() {
                Some(source) => Err(Error::FeedInput {
                    path: self.name.clone(),
                    line: self.line + 1,
                    source,
                }),
                None => Ok(None),
            };
        }
        Ok(Some(batch))
    }

    /// Appends the next line (without its newline) to `data`, or only its first
    /// [`ID_PROBE_BYTES`] when it is longer than `limit`, so a huge line never sits in
    /// memory. Returns the line's full length and whether a newline ended it, or `None`
    /// at the end of the input.
    fn read_line(&mut self, data: &mut Vec<u8>, limit: usize) -> io::Result<Option<(u64, bool)>> {
        let start = data.len();
        let mut len: u64 = 0;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok((len > 0).then_some((len, false)));
            }
            let (chunk, newline) = match memchr::memchr(b'\n', buf) {
                Some(i) => (&buf[..i], true),
                None => (buf, false),
            };
            let n = chunk.len();
            if len + n as u64 <= limit as u64 {
                data.extend_from_slice(chunk);
            } else {
                // Too long: keep only the head, to find the id in.
                let stored = data.len() - start;
                data.truncate(start + stored.min(ID_PROBE_BYTES));
                let room = ID_PROBE_BYTES.saturating_sub(data.len() - start);
                data.extend_from_slice(&chunk[..n.min(room)]);
            }
            len += n as u64;
            self.inner.consume(n + usize::from(newline));
            if newline {
                return Ok(Some((len, true)));
            }
        }
    }
}

struct FileReader {
    root: PathBuf,
    files: std::vec::IntoIter<PathBuf>,
    total_bytes: u64,
}

impl FileReader {
    fn open(root: PathBuf) -> Result<FileReader> {
        let files: Vec<PathBuf> = files_of(&root)?
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "txt"))
            .collect();
        // For progress only: a file that cannot be stat'ed counts 0 (and gives an error
        // record when read).
        let total_bytes = files
            .iter()
            .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
            .sum();
        Ok(FileReader {
            root,
            files: files.into_iter(),
            total_bytes,
        })
    }

    fn next_batch(&mut self, options: &FeedOptions) -> Option<Batch> {
        let mut batch = Batch::default();
        while batch.data.len() < options.batch_bytes {
            let Some(file) = self.files.next() else {
                break;
            };
            let id = file
                .strip_prefix(&self.root)
                .unwrap_or(&file)
                .display()
                .to_string();
            let start = batch.data.len();
            let (bytes, problem) =
                match read_file_limited(&file, &mut batch.data, options.max_record_bytes) {
                    Ok(bytes) if bytes > options.max_record_bytes as u64 => (
                        bytes,
                        Some(RecordError::TooLarge {
                            bytes,
                            limit: options.max_record_bytes as u64,
                        }),
                    ),
                    Ok(bytes) => (bytes, None),
                    Err(e) => (
                        0,
                        Some(RecordError::Unreadable {
                            reason: e.to_string(),
                        }),
                    ),
                };
            if problem.is_some() {
                batch.data.truncate(start);
            }
            batch.raw_bytes += bytes;
            batch.items.push(Item {
                start,
                end: batch.data.len(),
                input_bytes: bytes,
                source: ItemSource::File { id, problem },
            });
        }
        (!batch.items.is_empty()).then_some(batch)
    }
}

/// Appends the file to `data` unless it is longer than `limit`; returns its length.
fn read_file_limited(path: &Path, data: &mut Vec<u8>, limit: usize) -> io::Result<u64> {
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    if size > limit as u64 {
        return Ok(size);
    }
    let start = data.len();
    // One byte more than the limit tells a file that grew since the stat.
    let read = (&mut file).take(limit as u64 + 1).read_to_end(data);
    match read {
        Ok(n) => Ok(n as u64),
        Err(e) => {
            data.truncate(start);
            Err(e)
        }
    }
}
