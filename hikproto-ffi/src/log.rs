//! The logging callback: the library's log records, delivered to a C function.
//!
//! The core logs through `tracing`; `hikproto_set_log_callback` installs (once per process) a
//! small subscriber that formats each record enabled at the chosen level and hands it to the
//! callback as `(level, target, message, userdata)`. Records never carry secrets: the core
//! logs passwords, codes and keys only through their redacting `Debug`, and never logs
//! headers or bodies that hold them.

use std::cell::Cell;
use std::ffi::{CString, c_char, c_void};
use std::fmt::Write as _;
use std::sync::{PoisonError, RwLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

use crate::error::{Fail, hikproto_error};
use crate::panic::ffi_call;
use crate::result::hikproto_result;

/// Level of a log record: errors only.
pub const HIKPROTO_LOG_ERROR: u32 = 1;
/// Level of a log record: warnings and above.
pub const HIKPROTO_LOG_WARN: u32 = 2;
/// Level of a log record: informational messages and above.
pub const HIKPROTO_LOG_INFO: u32 = 3;
/// Level of a log record: debugging detail and above (per request).
pub const HIKPROTO_LOG_DEBUG: u32 = 4;
/// Level of a log record: everything.
pub const HIKPROTO_LOG_TRACE: u32 = 5;

/// Receives one log record: the `userdata` given at registration, the record's level
/// (`HIKPROTO_LOG_*`), its target (the module that logged it, for example
/// `hikproto::client::engine`) and the message with its fields
/// (`credentials rejected host=… user=…`). The
/// strings are NUL-terminated UTF-8, valid only during the call.
///
/// Called on whichever thread logged: the caller's, or one of the library's. It must return
/// promptly and must not call hikproto functions that talk to devices (from a library thread
/// they fail with `HIKPROTO_RESULT_RUNTIME`).
pub type hikproto_log_cb = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        level: u32,
        target: *const c_char,
        message: *const c_char,
    ),
>;

/// Where records go: the callback, its level and its userdata.
#[derive(Clone, Copy)]
struct Sink {
    cb: unsafe extern "C" fn(*mut c_void, u32, *const c_char, *const c_char),
    max: Level,
    userdata: *mut c_void,
}

// SAFETY: the userdata pointer is only handed back to the C callback, whose contract says it
// may be called from any thread.
unsafe impl Send for Sink {}
// SAFETY: as above; the sink itself is immutable.
unsafe impl Sync for Sink {}

static SINK: RwLock<Option<Sink>> = RwLock::new(None);

thread_local! {
    /// True on a thread while it runs the callback: a record made meanwhile is dropped, and
    /// changing the callback from inside it is refused (it would wait for itself).
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

fn current() -> Option<Sink> {
    *SINK.read().unwrap_or_else(PoisonError::into_inner)
}

/// Replaces the sink. Waits for the deliveries in progress (they hold the lock for reading), so
/// once it returns the previous callback is neither running nor called again.
fn set(sink: Option<Sink>) {
    *SINK.write().unwrap_or_else(PoisonError::into_inner) = sink;
}

/// True while this thread runs the log callback.
pub(crate) fn in_callback() -> bool {
    IN_CALLBACK.with(Cell::get)
}

/// Drops the callback (on `hikproto_shutdown`).
pub(crate) fn shutdown() {
    set(None);
}

fn level_number(l: Level) -> u32 {
    match l {
        Level::ERROR => HIKPROTO_LOG_ERROR,
        Level::WARN => HIKPROTO_LOG_WARN,
        Level::INFO => HIKPROTO_LOG_INFO,
        Level::DEBUG => HIKPROTO_LOG_DEBUG,
        _ => HIKPROTO_LOG_TRACE,
    }
}

/// Collects an event's message and fields as `message k=v k=v`.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

/// The subscriber behind the callback: spans are ignored, events are formatted and delivered.
struct CallbackSubscriber;

impl Subscriber for CallbackSubscriber {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // the level can change at any time: decide per event
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        current().is_some_and(|s| *metadata.level() <= s.max)
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        if in_callback() {
            return;
        }
        // held for reading while the callback runs: `set` waits for it
        let guard = SINK.read().unwrap_or_else(PoisonError::into_inner);
        let Some(sink) = *guard else { return };
        let meta = event.metadata();
        if *meta.level() > sink.max {
            return;
        }
        let mut line = Line::default();
        event.record(&mut line);
        line.message.push_str(&line.fields);
        let text = |s: &str| CString::new(s.replace('\0', "\u{fffd}")).unwrap_or_default();
        let (target, message) = (text(meta.target()), text(line.message.trim_start()));
        IN_CALLBACK.with(|c| c.set(true));
        // SAFETY: the callback's contract (see `hikproto_log_cb`); the strings outlive the call.
        unsafe {
            (sink.cb)(
                sink.userdata,
                level_number(*meta.level()),
                target.as_ptr(),
                message.as_ptr(),
            );
        }
        IN_CALLBACK.with(|c| c.set(false));
        drop(guard);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Delivers the library's log records at `max_level` (`HIKPROTO_LOG_ERROR` …
/// `HIKPROTO_LOG_TRACE`) and above to `cb`, with `userdata` passed back on every call. A NULL
/// `cb` stops delivery. Calling it again replaces the callback.
///
/// The first registration installs the library's log subscriber for the whole process; it
/// fails with `HIKPROTO_RESULT_RUNTIME` if another Rust library in the process installed one
/// first. Records carry no secrets (see `hikproto_log_cb`).
///
/// Thread-safety: any thread but the callback's own (from inside the callback it fails with
/// `HIKPROTO_RESULT_RUNTIME`). When it returns, the previous callback is no longer running on
/// any thread and is not called again, so its `userdata` may be released. A record the callback
/// itself causes is not delivered.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_set_log_callback(
    cb: hikproto_log_cb,
    max_level: u32,
    userdata: *mut c_void,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let max = match max_level {
            HIKPROTO_LOG_ERROR => Level::ERROR,
            HIKPROTO_LOG_WARN => Level::WARN,
            HIKPROTO_LOG_INFO => Level::INFO,
            HIKPROTO_LOG_DEBUG => Level::DEBUG,
            HIKPROTO_LOG_TRACE => Level::TRACE,
            n => return Err(Fail::invalid(format!("unknown log level {n}"))),
        };
        if in_callback() {
            return Err(Fail::new(
                hikproto_result::Runtime,
                "called from inside the log callback",
            ));
        }
        install()?;
        set(cb.map(|cb| Sink { cb, max, userdata }));
        // callsites cached before this registration are asked again
        tracing::callsite::rebuild_interest_cache();
        Ok(())
    })
}

/// Installs the callback subscriber as the process's default, once.
fn install() -> Result<(), Fail> {
    static INSTALLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *INSTALLED
        .get_or_init(|| tracing::subscriber::set_global_default(CallbackSubscriber).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Fail::new(
            hikproto_result::Runtime,
            "another log subscriber is already installed in this process",
        ))
    }
}
