//! The one tokio runtime of the extension, and the helper every blocking call goes through.
//!
//! Every network call runs as a task on the shared multi-threaded runtime (the same one
//! `pyo3-async-runtimes` uses for the asyncio flavour). The calling thread waits for the task with
//! the GIL released, waking every [`SIGNAL_POLL`] to let Python handle signals: Ctrl-C cancels
//! the task and raises `KeyboardInterrupt` instead of hanging until the device answers.

use std::future::Future;
use std::sync::mpsc;
use std::time::Duration;

use pyo3::prelude::*;
use tokio::runtime::Runtime;

/// How often a waiting thread re-takes the GIL to check for signals.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// The shared runtime (created on first use).
pub(crate) fn runtime() -> &'static Runtime {
    pyo3_async_runtimes::tokio::get_runtime()
}

/// An event delivered to the waiting thread: progress on the way, then the final value.
pub(crate) enum Event<P, T> {
    /// Something to hand to a Python callback on the calling thread.
    Progress(P),
    /// The task finished.
    Done(T),
}

/// Runs `fut` on the runtime and waits for it with the GIL released. See the module docs.
pub(crate) fn wait<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    wait_with_events(py, |_tx: mpsc::Sender<Event<(), T>>| fut, |_py, ()| Ok(()))
}

/// Like [`wait`], but the task may also send progress events, which `on_event` handles on the
/// calling thread with the GIL held. An error from `on_event` (or a pending signal) cancels the
/// task and is returned.
pub(crate) fn wait_with_events<P, T, F, Fut, H>(
    py: Python<'_>,
    make: F,
    mut on_event: H,
) -> PyResult<T>
where
    P: Send + 'static,
    T: Send + 'static,
    F: FnOnce(mpsc::Sender<Event<P, T>>) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    H: FnMut(Python<'_>, P) -> PyResult<()>,
{
    let (tx, rx) = mpsc::channel::<Event<P, T>>();
    let done_tx = tx.clone();
    let fut = make(tx);
    let handle = runtime().spawn(async move {
        let v = fut.await;
        let _ = done_tx.send(Event::Done(v));
    });
    let abort = handle.abort_handle();
    let mut rx = rx;
    loop {
        // The receiver moves into the GIL-free closure and back (it is `Send` but not `Sync`).
        let (got, back) = py.detach(move || {
            let got = rx.recv_timeout(SIGNAL_POLL);
            (got, rx)
        });
        rx = back;
        let step = match got {
            Ok(Event::Done(v)) => return Ok(v),
            Ok(Event::Progress(p)) => on_event(py, p),
            Err(mpsc::RecvTimeoutError::Timeout) => py.check_signals(),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err(pyo3::exceptions::PyRuntimeError::new_err(
                    "the operation's task ended without a result",
                ))
            }
        };
        if let Err(e) = step {
            abort.abort();
            return Err(e);
        }
    }
}
