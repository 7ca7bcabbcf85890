//! What ends a blocked call early: one [`Canceller`] per handle whose calls block (device,
//! discovery, SADP client, fleet), and its `hikproto_*_cancel` export.
//!
//! The design is the same for every handle: `hikproto_<handle>_cancel(h)` ends every call in
//! progress on `h` at that moment with `HIKPROTO_RESULT_CANCELLED`; calls started afterwards
//! are not affected. A handle rather than a separate token type, so that there is nothing more
//! to create, pass or free: the handle a call blocks on is the one to cancel.

use std::future::Future;

use tokio::sync::Notify;

use crate::error::Fail;
use crate::result::hikproto_result;
use crate::runtime::block_on;

/// Wakes the calls in progress on one handle so that they return `CANCELLED`.
#[derive(Debug, Default)]
pub(crate) struct Canceller {
    notify: Notify,
}

impl Canceller {
    /// Runs `fut` on the library's runtime until it completes or [`Canceller::cancel`] is
    /// called (`HIKPROTO_RESULT_CANCELLED`, naming `by`, the export that cancels; the future
    /// is dropped mid-flight).
    pub(crate) fn run<F>(&self, by: &'static str, fut: F) -> Result<F::Output, Fail>
    where
        F: Future + Send,
        F::Output: Send,
    {
        // registered before the call starts: a cancel from now on reaches it, even before
        // the future is first polled
        let cancelled = self.notify.notified();
        block_on(async move {
            tokio::select! {
                out = fut => Ok(out),
                () = cancelled => Err(Fail::new(
                    hikproto_result::Cancelled,
                    format!("cancelled with {by}"),
                )),
            }
        })?
    }

    /// Ends every call running under [`Canceller::run`] at this moment.
    pub(crate) fn cancel(&self) {
        self.notify.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn cancel_ends_a_running_call_and_not_a_later_one() {
        let c = Arc::new(Canceller::default());
        let c2 = Arc::clone(&c);
        let waiter = std::thread::spawn(move || {
            c2.run("test_cancel", async {
                tokio::time::sleep(Duration::from_secs(30)).await;
            })
        });
        let started = Instant::now();
        let outcome = loop {
            c.cancel();
            if waiter.is_finished() {
                break waiter.join().unwrap();
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "cancel never arrived"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        let e = outcome.unwrap_err();
        assert_eq!(e.code, hikproto_result::Cancelled);
        assert!(e.message.contains("test_cancel"));
        // a cancel that came before the call does not reach it
        c.cancel();
        assert_eq!(c.run("test_cancel", async { 7 }).unwrap(), 7);
    }
}
