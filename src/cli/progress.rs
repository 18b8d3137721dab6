//! Progress bars on standard error, only when it is a terminal and not `--quiet`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use garbled::corpus::Progress;
use garbled::feed::FeedProgress;

/// With a known total: a bar, bytes, throughput, records (feeds) and ETA.
const BAR_TEMPLATE: &str =
    "{prefix} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {msg} ETA {eta}";
/// Reading a stream of unknown length.
const SPINNER_TEMPLATE: &str =
    "{prefix} [{elapsed_precise}] {spinner} {bytes} {bytes_per_sec} {msg}";

/// An indicatif bar over bytes read (and records written, for feeds), or nothing.
/// Clones share the bar.
#[derive(Clone)]
pub struct Bar {
    bar: Option<ProgressBar>,
    records: Arc<AtomicU64>,
}

impl Bar {
    /// A byte-count bar, hidden when `quiet` or when stderr is not a terminal.
    pub fn bytes(quiet: bool, label: &str) -> Bar {
        let records = Arc::new(AtomicU64::new(0));
        if quiet || !std::io::stderr().is_terminal() {
            return Bar { bar: None, records };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(style(BAR_TEMPLATE));
        bar.set_prefix(label.to_string());
        Bar {
            bar: Some(bar),
            records,
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("the templates are constants")
        .progress_chars("=> ")
}

impl Progress for Bar {
    fn set_total(&self, bytes: Option<u64>) {
        match (&self.bar, bytes) {
            (Some(bar), Some(total)) => bar.set_length(total),
            (Some(bar), None) => bar.set_style(style(SPINNER_TEMPLATE)),
            (None, _) => {}
        }
    }

    fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }
}

impl FeedProgress for Bar {
    fn records(&self, n: u64) {
        let total = self.records.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(bar) = &self.bar {
            let secs = bar.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!("{total} records ({:.0}/s)", total as f64 / secs));
        }
    }
}
