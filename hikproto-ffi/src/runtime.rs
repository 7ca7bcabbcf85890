//! The one tokio runtime the library runs on, and its end.
//!
//! The library owns its runtime: multi-threaded, two worker threads named `hikproto-ffi`,
//! created on first use (the first call that talks to the network or starts a simulator).
//! Blocking C calls park the calling thread in `block_on` while connections and timers run on
//! the workers, so any number of C threads may call in at once. `hikproto_shutdown` stops it
//! (waiting up to a second for its threads) and releases everything it holds, so that a leak
//! checker finds nothing at exit; afterwards every call that needs the runtime fails with
//! `HIKPROTO_RESULT_SHUT_DOWN`.
//!
//! **Re-entry.** A call made from one of the runtime's own threads (a fleet progress or log
//! callback) cannot block there without starving the runtime, so it fails at once with
//! `HIKPROTO_RESULT_RUNTIME`.
//!
//! `SIGPIPE`: a Rust program ignores it from `main`, but a C program keeps the default, which
//! kills the process when a write hits a connection the peer has closed (a device rebooting,
//! dropping connections, a stopped simulator). On its first call the library therefore sets
//! `SIGPIPE` to ignored **if it is still at its default**; a program that installed its own
//! handler keeps it. Writes then fail with `EPIPE`, which becomes a transport error.

use std::future::Future;
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::time::Duration;

use tokio::runtime::Runtime;

use crate::error::Fail;
use crate::panic::ffi_value;
use crate::result::hikproto_result;

/// Worker threads of the library's runtime.
const WORKER_THREADS: usize = 2;

/// The runtime's life: not yet started, running, or shut down for good.
enum State {
    Idle,
    Running(Arc<Runtime>),
    ShutDown,
}

static STATE: Mutex<State> = Mutex::new(State::Idle);

/// The running runtime, started on first use.
fn runtime() -> Result<Arc<Runtime>, Fail> {
    let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    match &*state {
        State::Running(rt) => Ok(Arc::clone(rt)),
        State::ShutDown => Err(shut_down()),
        State::Idle => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(WORKER_THREADS)
                .thread_name("hikproto-ffi")
                .enable_all()
                .build()
                .map(Arc::new)
                .map_err(|e| {
                    Fail::new(
                        hikproto_result::Runtime,
                        format!("could not start the runtime: {e}"),
                    )
                })?;
            *state = State::Running(Arc::clone(&rt));
            Ok(rt)
        }
    }
}

fn shut_down() -> Fail {
    Fail::new(
        hikproto_result::ShutDown,
        "the library was shut down (hikproto_shutdown)",
    )
}

/// Fails with `RUNTIME` on one of the runtime's own threads (inside a callback).
fn refuse_reentry() -> Result<(), Fail> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Fail::new(
            hikproto_result::Runtime,
            "called from one of the library's own threads (inside a callback): \
             call hikproto from a thread of your own",
        ));
    }
    Ok(())
}

/// Runs `f` to completion on the library's runtime, blocking the calling thread.
pub(crate) fn block_on<F>(f: F) -> Result<F::Output, Fail>
where
    F: Future + Send,
    F::Output: Send,
{
    refuse_reentry()?;
    let rt = runtime()?;
    Ok(rt.block_on(f))
}

/// Runs `f` inside the runtime's context (for constructors that spawn tasks or register I/O).
pub(crate) fn with_runtime<T>(f: impl FnOnce() -> T) -> Result<T, Fail> {
    refuse_reentry()?;
    let rt = runtime()?;
    let _guard = rt.enter();
    Ok(f())
}

/// Drops a value inside the runtime's context when it is running (its connections and tasks
/// close there), plainly otherwise.
pub(crate) fn drop_in_runtime<T>(value: T) {
    let rt = {
        let state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
        match &*state {
            State::Running(rt) => Some(Arc::clone(rt)),
            _ => None,
        }
    };
    match rt {
        Some(rt) if tokio::runtime::Handle::try_current().is_err() => {
            let _guard = rt.enter();
            drop(value);
        }
        _ => drop(value),
    }
}

/// Stops the library: ends its runtime (waiting up to one second for its threads and the
/// tasks still on them) and releases what it holds.
///
/// Call it once, last, after every other call has returned and every callback has finished
/// (handles may still be freed afterwards). Idempotent: a second call does nothing. Afterwards
/// every call that would talk to a device, start a simulator or run a fleet fails with
/// `HIKPROTO_RESULT_SHUT_DOWN`; argument checks, error objects and `_free` functions keep
/// working. A call from inside a callback does nothing.
///
/// Thread-safety: any thread except the library's own.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_shutdown() {
    ffi_value((), || {
        // from inside a callback: nothing (the log callback's own lock would wait for itself)
        if refuse_reentry().is_err() || crate::log::in_callback() {
            return;
        }
        let previous = {
            let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
            std::mem::replace(&mut *state, State::ShutDown)
        };
        crate::log::shutdown();
        crate::guard::release_library_guard();
        hikproto_core::client::tls::release_shared_verifying_config();
        if let State::Running(rt) = previous {
            // the last reference is ours unless a call is still running (a contract breach):
            // then that call drops it when it returns
            if let Ok(rt) = Arc::try_unwrap(rt) {
                rt.shutdown_timeout(Duration::from_secs(1));
            }
        }
    });
}

/// Sets `SIGPIPE` to ignored, once per process, if it is still at its default (see the
/// module docs). Called at the top of every fallible export.
pub(crate) fn ignore_sigpipe_once() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(unix)]
        // SAFETY: sigaction with a NULL new action only reads the current one; `signal` is
        // called only when the disposition is the default.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut old) == 0
                && old.sa_sigaction == libc::SIG_DFL
            {
                libc::signal(libc::SIGPIPE, libc::SIG_IGN);
            }
        }
    });
}
