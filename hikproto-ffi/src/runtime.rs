//! The one tokio runtime inside the library.
//!
//! It is created on first use (the first call that talks to the network or starts a simulator)
//! with two worker threads named `hikproto-rt`, and lives until the process exits. Blocking C
//! calls park the calling thread in `block_on` while the work runs on the runtime, so any
//! number of C threads may call in at once. Simulators started from C run on the same runtime.
//!
//! Consequences for C programs, stated in the header: the library starts threads; do not call
//! hikproto after `fork()` in the child; the runtime's memory is still reachable at exit (a
//! leak checker reports it as "still reachable", not as a leak).

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

use crate::error::Fail;
use crate::result::hikproto_result;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The shared runtime, started on first use.
pub(crate) fn runtime() -> Result<&'static Runtime, Fail> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("hikproto-rt")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            Fail::new(
                hikproto_result::Runtime,
                format!("could not start the runtime: {e}"),
            )
        })
}

/// Runs a future to completion on the shared runtime, blocking the calling thread.
///
/// Fails with `RUNTIME` instead of panicking when called from inside an async runtime (for
/// example from a Rust program that already runs tokio and calls the C ABI from a task).
pub(crate) fn block_on<F: Future>(f: F) -> Result<F::Output, Fail> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Fail::new(
            hikproto_result::Runtime,
            "blocking hikproto call made from inside an async runtime",
        ));
    }
    Ok(runtime()?.block_on(f))
}

/// Runs `f` with the shared runtime entered (for constructors that need a reactor).
pub(crate) fn with_runtime<T>(f: impl FnOnce() -> T) -> Result<T, Fail> {
    let rt = runtime()?;
    let _guard = rt.enter();
    Ok(f())
}
