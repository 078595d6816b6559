//! Progress bars on stderr, shown only when stderr is a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use signalgraph::progress::Progress;
use std::io::IsTerminal;
use std::sync::Mutex;

/// An indicatif bar per phase, or nothing when stderr is not a terminal or `-q` is set.
pub struct Bar {
    enabled: bool,
    current: Mutex<Option<ProgressBar>>,
}

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        Bar {
            enabled: !quiet && std::io::stderr().is_terminal(),
            current: Mutex::new(None),
        }
    }
}

impl Progress for Bar {
    fn start(&self, phase: &'static str, total: u64) {
        if !self.enabled {
            return;
        }
        let bar = ProgressBar::new(total).with_message(phase);
        bar.set_style(
            ProgressStyle::with_template("{msg:>8} [{bar:40}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        if let Ok(mut current) = self.current.lock() {
            *current = Some(bar);
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(current) = self.current.lock() {
            if let Some(bar) = current.as_ref() {
                bar.inc(n);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            if let Some(bar) = current.take() {
                bar.finish_and_clear();
            }
        }
    }
}

/// One bar for a whole multi-step run: the step in front, the current
/// phase's progress behind it. Nothing when stderr is not a terminal or `-q`.
pub struct Steps {
    bar: Option<ProgressBar>,
}

impl Steps {
    pub fn new(quiet: bool) -> Steps {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(1);
            bar.set_style(
                ProgressStyle::with_template("{prefix:>22} {msg:>9} [{bar:30}] {pos}/{len}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        });
        Steps { bar }
    }

    /// Removes the bar (before the final summary).
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Steps {
    fn step(&self, index: usize, total: usize, name: &'static str) {
        if let Some(bar) = &self.bar {
            bar.set_prefix(format!("[{index}/{total}] {name}"));
            bar.set_message("");
            bar.set_position(0);
            bar.set_length(1);
        }
    }

    fn start(&self, phase: &'static str, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_message(phase);
            bar.set_position(0);
            bar.set_length(total.max(1));
        }
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.set_position(bar.length().unwrap_or(0));
        }
    }
}
