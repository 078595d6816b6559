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
