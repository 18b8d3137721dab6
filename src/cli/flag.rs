//! `garbled flag`: flag the records of a feed (JSON Lines, plain or gzip, or a directory
//! of `.txt` files) in parallel; one JSON line out per record, in input order. The work
//! is [`garbled::feed`]'s; this file turns flags into [`FeedOptions`], draws progress,
//! prints the summary, and makes a terminating signal stop between two batches.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use garbled::check::Checker;
use garbled::feed::{
    BelowMinScore, Feed, FeedInput, FeedOptions, FeedSummary, DEFAULT_BATCH_BYTES,
    DEFAULT_MAX_RECORD_BYTES,
};

use super::common::CheckerArgs;
use super::progress::Bar;
use super::Outcome;

const EXIT_STATUS: &str = "\
Exit status: 0 the feed was read to the end (error records included); 1 records were flagged
and --fail-on-flags was given; 2 an error stopped the run (unreadable input, unwritable
output, bad options); 3 some records were error records and --fail-on-errors was given
(3 wins over 1); 128+N stopped by signal N (SIGINT, SIGTERM, SIGHUP) after writing the
batch in progress, so the output ends with a whole line.";

/// Arguments of `garbled flag`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_STATUS)]
pub struct Args {
    /// JSON Lines feed (plain or gzip), a directory of .txt files (id = path relative to
    /// it), or `-` for standard input.
    #[arg(short, long, value_name = "FILE|DIR|-", default_value = "-")]
    input: PathBuf,
    /// Where to write the findings (JSON Lines), or `-` for standard output.
    #[arg(short, long, value_name = "FILE|-", default_value = "-")]
    output: PathBuf,
    /// The record field that holds the text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    text_field: String,
    /// The record field copied into the output's `id`.
    #[arg(long, value_name = "NAME", default_value = "id")]
    id_field: String,
    /// Record fields copied into the output as they are (comma-separated).
    #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
    keep_fields: Vec<String>,
    /// Records scoring below S are written without flags (or left out with --drop-below).
    #[arg(long, value_name = "S")]
    min_score: Option<f64>,
    /// Leave records scoring below --min-score out of the output.
    #[arg(long, requires = "min_score")]
    drop_below: bool,
    #[command(flatten)]
    checker: CheckerArgs,
    /// Longest record (line or file) scored; longer ones give an error record.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_RECORD_BYTES)]
    max_record_bytes: usize,
    /// Replace invalid UTF-8 with U+FFFD instead of giving an error record (offsets then
    /// refer to the decoded text).
    #[arg(long)]
    lossy: bool,
    /// Exit with status 1 when any record has a flag.
    #[arg(long)]
    fail_on_flags: bool,
    /// Exit with status 3 when any record gave an error record.
    #[arg(long)]
    fail_on_errors: bool,
    /// Worker threads [default: all cores]; `-j 1` runs serially.
    #[arg(short, long)]
    jobs: Option<usize>,
    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    quiet: bool,
    /// Input bytes per batch (tuning and tests).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BATCH_BYTES, hide = true)]
    batch_bytes: usize,
}

impl Args {
    fn feed_options(&self) -> FeedOptions {
        let mut options = FeedOptions::default()
            .text_field(&self.text_field)
            .id_field(&self.id_field)
            .keep_fields(self.keep_fields.iter().filter(|f| !f.is_empty()))
            .max_record_bytes(self.max_record_bytes)
            .batch_bytes(self.batch_bytes)
            .lossy(self.lossy);
        if let Some(min) = self.min_score {
            let below = if self.drop_below {
                BelowMinScore::Drop
            } else {
                BelowMinScore::KeepUnflagged
            };
            options = options.min_score(min, below);
        }
        options
    }
}

/// Runs `garbled flag`.
pub fn run(args: Args) -> Result<Outcome> {
    let model = args.checker.load_model()?;
    let (allow, options) = args.checker.checker_options()?;
    let checker = Checker::new(&model, allow, options)?;
    let feed = Feed::new(&checker, args.feed_options())?;
    // The library's message already names the cause; don't repeat it as a chain.
    let input = FeedInput::open(&args.input).map_err(|e| anyhow::anyhow!("{e}"))?;
    ensure_distinct(&args.input, &args.output)?;
    let sink: Box<dyn Write + Send> = if args.output.as_os_str() == "-" {
        Box::new(io::stdout())
    } else {
        let file = File::create(&args.output)
            .with_context(|| format!("creating {}", args.output.display()))?;
        Box::new(file)
    };
    let mut output = WholeLines::new(sink);
    let bar = Bar::bytes(args.quiet, "flag");
    stop_on_signals(output.written.clone(), bar.clone())?;
    let start = Instant::now();
    let result = super::with_jobs(args.jobs, || {
        feed.run(input, &mut output, &args.output, &bar)
    });
    bar.finish();
    let summary = result??;
    if !args.quiet {
        eprintln!("{}", summary_line(&summary, start.elapsed()));
    }
    Ok(if summary.errors > 0 && args.fail_on_errors {
        Outcome::RecordErrors
    } else if summary.flagged > 0 && args.fail_on_flags {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}

/// Refuses to truncate the input by writing the output over it.
fn ensure_distinct(input: &Path, output: &Path) -> Result<()> {
    if input.as_os_str() == "-" || output.as_os_str() == "-" {
        return Ok(());
    }
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(input), std::fs::canonicalize(output)) {
        anyhow::ensure!(
            a != b,
            "--output {} is the input; write the findings to another file",
            output.display()
        );
    }
    Ok(())
}

/// `garbled flag: 10000 records, 12 flagged, 3 errors; 41.2 MB in 3.10 s: 13.3 MB/s, 3226 records/s`
fn summary_line(s: &FeedSummary, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-6);
    let mb = s.input_bytes as f64 / 1e6;
    let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "garbled flag: {}, {} flagged, {}",
        plural(s.records, "record"),
        s.flagged,
        plural(s.errors, "error")
    );
    if s.below_min_score > 0 {
        line.push_str(&format!(
            ", {} below --min-score ({} left out)",
            s.below_min_score, s.dropped
        ));
    }
    line.push_str(&format!(
        "; {mb:.1} MB in {secs:.2} s: {:.1} MB/s, {:.0} records/s",
        mb / secs,
        s.records as f64 / secs
    ));
    line
}

/// What the signal handler needs to know about the output.
struct Written {
    /// Held while a batch is being written.
    lock: Mutex<()>,
    /// Records (lines) written so far.
    lines: AtomicU64,
}

/// The output, written one whole batch at a time under [`Written::lock`]. The feed hands
/// over each batch in one `write_all` call of whole lines, so whoever holds the lock
/// between two calls sees an output that ends with a whole line.
struct WholeLines {
    inner: Box<dyn Write + Send>,
    written: Arc<Written>,
}

impl WholeLines {
    fn new(inner: Box<dyn Write + Send>) -> WholeLines {
        WholeLines {
            inner,
            written: Arc::new(Written {
                lock: Mutex::new(()),
                lines: AtomicU64::new(0),
            }),
        }
    }
}

impl Write for WholeLines {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let _guard = self
            .written
            .lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.inner.write_all(buf)?;
        self.inner.flush()?;
        let lines = memchr::memchr_iter(b'\n', buf).count() as u64;
        self.written.lines.fetch_add(lines, Ordering::Relaxed);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _guard = self
            .written
            .lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.inner.flush()
    }
}

/// On SIGINT, SIGTERM or SIGHUP: wait until the batch being written is complete, then
/// exit with 128 + the signal, so the output never ends in half a record. A second
/// signal exits at once.
fn stop_on_signals(written: Arc<Written>, bar: Bar) -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
        .context("installing signal handlers")?;
    std::thread::spawn(move || {
        let mut pending = signals.forever();
        let Some(first) = pending.next() else {
            return;
        };
        std::thread::spawn(move || {
            let _guard = written.lock.lock().unwrap_or_else(PoisonError::into_inner);
            bar.finish();
            eprintln!(
                "garbled: interrupted; the output holds {} whole records",
                written.lines.load(Ordering::Relaxed)
            );
            std::process::exit(128 + first);
        });
        if let Some(second) = pending.next() {
            std::process::exit(128 + second);
        }
    });
    Ok(())
}
