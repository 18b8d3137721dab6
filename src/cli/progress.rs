//! Progress bars on standard error, only when it is a terminal and not `--quiet`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use garbled::corpus::Progress;

/// An indicatif bar over bytes read, or nothing.
pub struct Bar(Option<ProgressBar>);

impl Bar {
    /// A byte-count bar, hidden when `quiet` or when stderr is not a terminal.
    pub fn bytes(quiet: bool, label: &str) -> Bar {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
            )
            .expect("the template is a constant")
            .progress_chars("=> "),
        );
        bar.set_prefix(label.to_string());
        Bar(Some(bar))
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn set_total(&self, bytes: Option<u64>) {
        if let (Some(bar), Some(total)) = (&self.0, bytes) {
            bar.set_length(total);
        }
    }

    fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }
}
