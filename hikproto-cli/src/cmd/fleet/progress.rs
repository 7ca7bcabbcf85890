//! The progress display of fleet commands: done/total, ok/failed, rate and ETA on stderr, only
//! on a terminal.

use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counts finished devices and draws them when a terminal is attached.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    ok: AtomicUsize,
    failed: AtomicUsize,
}

impl Progress {
    /// A display for `total` devices; drawn only when `show`.
    pub(crate) fn new(total: usize, show: bool) -> Self {
        let bar = show.then(|| {
            let b = ProgressBar::with_draw_target(
                Some(total as u64),
                ProgressDrawTarget::stderr_with_hz(10),
            );
            let style = ProgressStyle::with_template(
                "{bar:30} {pos}/{len} devices  {msg}  {per_sec}  ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            b.set_style(style);
            b.set_message("ok 0 failed 0");
            b
        });
        Self {
            bar,
            ok: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
        }
    }

    /// One more device finished.
    pub(crate) fn tick(&self, ok: bool) {
        if ok {
            self.ok.fetch_add(1, Ordering::Relaxed);
        } else {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(b) = &self.bar {
            b.inc(1);
            b.set_message(format!("ok {} failed {}", self.ok(), self.failed()));
        }
    }

    /// Devices that succeeded.
    pub(crate) fn ok(&self) -> usize {
        self.ok.load(Ordering::Relaxed)
    }

    /// Devices that failed.
    pub(crate) fn failed(&self) -> usize {
        self.failed.load(Ordering::Relaxed)
    }

    /// Devices finished.
    pub(crate) fn done(&self) -> usize {
        self.ok() + self.failed()
    }

    /// Prints a line above the bar (or plainly when there is none).
    pub(crate) fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.suspend(|| crate::outln!("{line}")),
            None => crate::outln!("{line}"),
        }
    }

    /// Removes the bar after a complete run.
    pub(crate) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    /// Leaves the bar where it stopped (Ctrl-C).
    pub(crate) fn abandon(&self) {
        if let Some(b) = &self.bar {
            b.abandon();
        }
    }
}
