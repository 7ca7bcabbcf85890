//! The one tokio runtime of the extension, and the helper every blocking call goes through.
//!
//! Every network call runs as a task on the shared multi-threaded runtime (the same one
//! `pyo3-async-runtimes` uses for the asyncio flavour). The calling thread waits for the task with
//! the GIL released, waking every [`SIGNAL_POLL`] to let Python handle signals: Ctrl-C cancels
//! the task and raises `KeyboardInterrupt` instead of hanging until the device answers.
//!
//! [`Flavour`] runs one task either way, blocking or as an asyncio awaitable, so that a binding
//! builds its future once for both; a [`Warner`] lets that task raise a Python warning midway
//! where the caller of either flavour sees it.

use std::ffi::CString;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{OnceLock, mpsc};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyType;
use pyo3::{IntoPyObjectExt, PyTypeInfo};
use tokio::runtime::Runtime;
use tokio::sync::{Notify, oneshot};

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
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(PyRuntimeError::new_err(
                "the operation's task ended without a result",
            )),
        };
        if let Err(e) = step {
            abort.abort();
            return Err(e);
        }
    }
}

/// How a call hands back its result: blocking until the task ends (GIL released, see [`wait`]),
/// or as an asyncio awaitable resolved on the same runtime (cancelling the awaiting task drops
/// the task's future).
#[derive(Clone, Copy)]
pub(crate) enum Flavour {
    Blocking,
    Asyncio,
}

impl Flavour {
    /// Runs the task `make` builds and returns its value (blocking) or an awaitable of it. The
    /// task gets the [`Warner`] of this flavour.
    pub(crate) fn run<'py, T, F, Fut>(self, py: Python<'py>, make: F) -> PyResult<Bound<'py, PyAny>>
    where
        T: for<'a> IntoPyObject<'a> + Send + 'static,
        F: FnOnce(Warner) -> Fut,
        Fut: Future<Output = PyResult<T>> + Send + 'static,
    {
        match self {
            Self::Blocking => {
                let value = wait_with_events(
                    py,
                    |tx| {
                        make(Warner::Waiter(Box::new(move |w| {
                            tx.send(Event::Progress(w)).is_ok()
                        })))
                    },
                    |py, w: Warning| w.raise(py),
                )??;
                value.into_bound_py_any(py)
            }
            Self::Asyncio => {
                pyo3_async_runtimes::tokio::future_into_py(py, guarded(make(Warner::Context)))
            }
        }
    }
}

/// Set once the interpreter starts exiting: awaitables still running end at once.
static EXITING: AtomicBool = AtomicBool::new(false);
/// Awaitable tasks still running.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
/// Wakes the running awaitable tasks when the interpreter exits.
fn exit_notice() -> &'static Notify {
    static N: OnceLock<Notify> = OnceLock::new();
    N.get_or_init(Notify::new)
}

/// Counts a running awaitable task while alive.
struct InFlight;

impl InFlight {
    fn new() -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        Self
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An awaitable's task that ends early (with an error nobody will see) when the interpreter
/// exits, so that it hands its result back while Python is still there to take it.
async fn guarded<T, Fut>(fut: Fut) -> PyResult<T>
where
    Fut: Future<Output = PyResult<T>> + Send,
{
    let _count = InFlight::new();
    if EXITING.load(Ordering::SeqCst) {
        return Err(PyRuntimeError::new_err("the interpreter is exiting"));
    }
    let notice = exit_notice().notified();
    tokio::select! {
        r = fut => r,
        () = notice => Err(PyRuntimeError::new_err("the interpreter is exiting")),
    }
}

/// Most time [`quiesce`] waits for running awaitables to hand back their results.
const QUIESCE_LIMIT: Duration = Duration::from_secs(2);
/// Time left, after the last task ended, for its result to reach Python.
const QUIESCE_GRACE: Duration = Duration::from_millis(200);

/// Called at interpreter exit (`atexit`): ends every running awaitable task and waits, with the
/// GIL released, until they have handed back their results (bounded by [`QUIESCE_LIMIT`]). A
/// task cancelled by asyncio (timeout, `Task.cancel()`, Ctrl-C in `asyncio.run`) can otherwise
/// finish after the interpreter is gone and abort the process with a panic.
#[pyfunction]
pub(crate) fn _quiesce(py: Python<'_>) {
    EXITING.store(true, Ordering::SeqCst);
    exit_notice().notify_waiters();
    py.detach(|| {
        let start = std::time::Instant::now();
        while IN_FLIGHT.load(Ordering::SeqCst) > 0 && start.elapsed() < QUIESCE_LIMIT {
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(QUIESCE_GRACE);
    });
}

/// A task's way to raise a Python warning midway and go on only once it is raised, so that a
/// warnings filter of "error" stops the task there: blocking calls raise it on the waiting
/// thread (attributed to the first caller outside the `hikproto` package), awaitables on the
/// runtime's thread in the context of the task that awaits them.
pub(crate) enum Warner {
    /// Hands the warning to the waiting thread; false once nobody waits.
    Waiter(Box<dyn Fn(Warning) -> bool + Send>),
    /// Raises it in the awaiting task's `contextvars` context.
    Context,
}

/// A warning on its way to the waiting thread, acknowledged once raised.
pub(crate) struct Warning {
    category: for<'py> fn(Python<'py>) -> Bound<'py, PyType>,
    message: String,
    raised: oneshot::Sender<()>,
}

impl Warning {
    fn raise(self, py: Python<'_>) -> PyResult<()> {
        let msg = CString::new(self.message.replace('\0', " "))
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        PyErr::warn(py, &(self.category)(py), &msg, caller_stacklevel(py))?;
        let _ = self.raised.send(());
        Ok(())
    }
}

/// The `stacklevel` of the innermost frame outside the `hikproto` package: the user's call.
fn caller_stacklevel(py: Python<'_>) -> i32 {
    let mut level = 1;
    let mut frame = py
        .import("sys")
        .and_then(|sys| sys.call_method1("_getframe", (0,)))
        .ok();
    while let Some(f) = frame.filter(|f| !f.is_none()) {
        let module = f
            .getattr("f_globals")
            .and_then(|g| g.get_item("__name__"))
            .and_then(|n| n.extract::<String>())
            .unwrap_or_default();
        if module != "hikproto" && !module.starts_with("hikproto.") {
            break;
        }
        level += 1;
        frame = f.getattr("f_back").ok();
    }
    level
}

impl Warner {
    /// Raises warning `message` of category `W`; an error when the warning became one.
    pub(crate) async fn warn<W: PyTypeInfo>(self, message: String) -> PyResult<()> {
        match self {
            Self::Waiter(send) => {
                let (raised, done) = oneshot::channel();
                let w = Warning {
                    category: W::type_object,
                    message,
                    raised,
                };
                if !send(w) {
                    return Err(PyRuntimeError::new_err("the caller stopped waiting"));
                }
                done.await
                    .map_err(|_| PyRuntimeError::new_err("the caller stopped waiting"))
            }
            Self::Context => Python::attach(|py| {
                let locals = pyo3_async_runtimes::tokio::get_current_locals(py)?;
                let warn = py.import("warnings")?.getattr("warn")?;
                locals
                    .context(py)
                    .call_method1("run", (warn, message, W::type_object(py), 1))?;
                Ok(())
            }),
        }
    }
}
