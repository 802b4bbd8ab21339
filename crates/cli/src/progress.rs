//! Progress bars for commands that run long: drawn on stderr only when it is
//! a terminal, and only once the command has run for 2 seconds (a quick
//! command prints nothing but its result), with an estimate of the time left.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a command runs before its bar shows.
const SHOW_AFTER: Duration = Duration::from_secs(2);

/// A bar of `len` steps.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    terminal: bool,
}

impl Progress {
    /// A bar of `len` steps named `what`, hidden until it has run 2 s.
    pub fn new(len: u64, what: &str) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden()).with_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}, {eta} left")
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        bar.set_prefix(what.to_string());
        Progress { bar, start: Instant::now(), terminal: std::io::stderr().is_terminal() }
    }

    fn show_if_long(&self) {
        if self.terminal && self.bar.is_hidden() && self.start.elapsed() >= SHOW_AFTER {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// The step being done.
    pub fn message(&self, text: &str) {
        self.bar.set_message(text.to_string());
        self.show_if_long();
    }

    /// One step more done.
    pub fn advance(&self) {
        self.bar.inc(1);
        self.show_if_long();
    }

    /// `done` of `total` steps done (the total may come late).
    pub fn set(&self, done: u64, total: u64) {
        self.bar.set_length(total);
        self.bar.set_position(done);
        self.show_if_long();
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
