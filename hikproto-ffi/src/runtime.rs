//! The one tokio runtime the library runs on.
//!
//! It is the core's shared blocking runtime ([`hikproto_core::blocking::runtime`]): multi-threaded,
//! two worker threads, created on first use (the first call that talks to the network or
//! starts a simulator) and alive until the process exits. Blocking C calls park the calling
//! thread in `block_on` while connections and timers run on the workers, so any number of C
//! threads may call in at once. Simulators started from C run on the same runtime, and so do
//! the Python binding's calls when both are loaded in one process.
//!
//! Consequences for C programs, stated in the header: the library starts threads; do not call
//! hikproto in the child after `fork()`; the runtime's memory is still reachable at exit (a
//! leak checker reports it as "still reachable", not as a leak).
//!
//! `SIGPIPE`: a Rust program ignores it from `main`, but a C program keeps the default, which
//! kills the process when a write hits a connection the peer has closed (a device rebooting,
//! dropping connections, a stopped simulator). On its first call the library therefore sets
//! `SIGPIPE` to ignored **if it is still at its default**; a program that installed its own
//! handler keeps it. Writes then fail with `EPIPE`, which becomes a transport error.

use std::future::Future;
use std::sync::Once;

use crate::error::Fail;
use crate::result::hikproto_result;

fn runtime_fail(e: hikproto_core::Error) -> Fail {
    Fail::new(
        hikproto_result::Runtime,
        format!("could not start the runtime: {e}"),
    )
}

/// Runs a future to completion on the shared runtime, blocking the calling thread.
pub(crate) fn block_on<F>(f: F) -> Result<F::Output, Fail>
where
    F: Future + Send,
    F::Output: Send,
{
    hikproto_core::blocking::block_on(f).map_err(runtime_fail)
}

/// Runs `f` with the shared runtime entered (for constructors that need a reactor).
#[allow(
    dead_code,
    reason = "used by the simulator, discovery and fleet entry points"
)]
pub(crate) fn with_runtime<T>(f: impl FnOnce() -> T) -> Result<T, Fail> {
    let rt = hikproto_core::blocking::runtime().map_err(runtime_fail)?;
    let _guard = rt.enter();
    Ok(f())
}

/// Ignores `SIGPIPE` once per process, unless the program set its own disposition (see the
/// module docs).
pub(crate) fn ignore_sigpipe_once() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(unix)]
        // SAFETY: plain libc calls on a zeroed `sigaction`; only the default disposition is
        // replaced, so a handler the program installed is never overridden.
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
