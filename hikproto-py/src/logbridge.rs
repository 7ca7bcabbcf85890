//! The bridge from the library's `tracing` records to Python's `logging`.
//!
//! Every record of the core goes to the logger named after its module (`hikproto.sadp.client`,
//! `hikproto.client.engine`, …), children of the `hikproto` logger, with the matching level
//! (`TRACE` and `DEBUG` → `logging.DEBUG`). Configure it the usual way
//! (`logging.getLogger("hikproto").setLevel(logging.DEBUG)`); `HIKPROTO_LOG` (an env filter such
//! as `hikproto::sadp=debug`) narrows it further. The library never puts a secret in a record;
//! this bridge adds only the level, the logger name and the record's fields.
//!
//! The `hikproto` logger's effective level is read at most every [`REFRESH`], so that records
//! below it cost no trip to the interpreter.

use std::fmt::{self, Write as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;

/// How often the `hikproto` logger's level is read again.
const REFRESH: Duration = Duration::from_secs(1);

/// The `hikproto` logger's effective level, as a Python `logging` number.
static THRESHOLD: AtomicU8 = AtomicU8::new(30);
/// When [`THRESHOLD`] was last read.
static READ_AT: Mutex<Option<Instant>> = Mutex::new(None);

/// Python's number for a tracing level.
fn py_level(l: Level) -> u8 {
    match l {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG | Level::TRACE => 10,
    }
}

/// The threshold, read again from Python when it is older than [`REFRESH`].
fn threshold() -> u8 {
    let stale = READ_AT
        .lock()
        .map(|mut at| {
            let now = Instant::now();
            let stale = at.is_none_or(|t| now.duration_since(t) >= REFRESH);
            if stale {
                *at = Some(now);
            }
            stale
        })
        .unwrap_or(false);
    if stale {
        let read = Python::try_attach(|py| -> PyResult<u8> {
            let logger = py
                .import("logging")?
                .call_method1("getLogger", ("hikproto",))?;
            let n: i64 = logger.call_method0("getEffectiveLevel")?.extract()?;
            Ok(u8::try_from(n.clamp(0, 255)).unwrap_or(30))
        });
        if let Some(Ok(n)) = read {
            THRESHOLD.store(n, Ordering::Relaxed);
        }
    }
    THRESHOLD.load(Ordering::Relaxed)
}

/// Collects a record's message and fields as one line: `message (k=v, …)`.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            if !self.fields.is_empty() {
                self.fields.push_str(", ");
            }
            let _ = write!(self.fields, "{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            if !self.fields.is_empty() {
                self.fields.push_str(", ");
            }
            let _ = write!(self.fields, "{}={value}", field.name());
        }
    }
}

/// The layer that hands records to Python.
struct PythonLogging;

impl<S: Subscriber> Layer<S> for PythonLogging {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = py_level(*event.metadata().level());
        if level < threshold() {
            return;
        }
        let mut line = Line::default();
        event.record(&mut line);
        let text = if line.fields.is_empty() {
            line.message
        } else {
            format!("{} ({})", line.message, line.fields)
        };
        let name = event.metadata().target().replace("::", ".");
        let name = if name == "hikproto" || name.starts_with("hikproto.") {
            name
        } else {
            format!("hikproto.{name}")
        };
        // Not while the interpreter is gone (records from tasks ending at exit are dropped).
        let _ = Python::try_attach(|py| -> PyResult<()> {
            let logger = py.import("logging")?.call_method1("getLogger", (name,))?;
            logger.call_method1("log", (level, text))?;
            Ok(())
        });
    }
}

/// Installs the bridge as the process's tracing subscriber (once; a no-op when the embedding
/// program installed its own).
pub(crate) fn install() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HIKPROTO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("trace"));
    let _ = tracing_subscriber::registry()
        .with(PythonLogging.with_filter(filter))
        .try_init();
}
