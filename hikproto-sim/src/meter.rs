//! A load meter shared by a group of devices (one site, say): how many requests they are
//! serving at once, each on its own connection, and the most at any moment.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts the requests the devices it is attached to are serving at once, and the peak. A
/// request counts from the moment its head is received until its answer is handed over for
/// sending, so a client that waits for each answer before starting another request never sees
/// the meter above its own number of requests in flight. Attach it with
/// [`SimDevice::attach_meter`](crate::SimDevice::attach_meter); clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct LoadMeter(Arc<Counts>);

#[derive(Debug, Default)]
struct Counts {
    now: AtomicUsize,
    peak: AtomicUsize,
    total: AtomicUsize,
}

impl LoadMeter {
    /// A new meter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests being served now.
    pub fn in_progress(&self) -> usize {
        self.0.now.load(Ordering::SeqCst)
    }

    /// The most requests served at once since the meter was made.
    pub fn peak(&self) -> usize {
        self.0.peak.load(Ordering::SeqCst)
    }

    /// Requests served (or being served) since the meter was made.
    pub fn requests(&self) -> usize {
        self.0.total.load(Ordering::SeqCst)
    }

    fn enter(&self) {
        let now = self.0.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.0.peak.fetch_max(now, Ordering::SeqCst);
        self.0.total.fetch_add(1, Ordering::SeqCst);
    }

    fn leave(&self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One request being served, on every meter of its device; counted out when dropped.
pub(crate) struct Busy(Vec<LoadMeter>);

impl Busy {
    pub(crate) fn enter(meters: Vec<LoadMeter>) -> Self {
        for m in &meters {
            m.enter();
        }
        Self(meters)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        for m in &self.0 {
            m.leave();
        }
    }
}
