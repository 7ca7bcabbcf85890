//! The command line's own log formatter, on stderr.
//!
//! Human mode writes `warning: message (field=value …)`, coloured only when stderr is a terminal;
//! with `--json` every record is one JSON object per line (`{"log":"warn","target":…,
//! "message":…,"fields":{…}}`), so nothing raw is mixed into machine-readable output. The library
//! never puts secrets in its records; this formatter adds nothing but the level and target.

use std::fmt;
use std::io::IsTerminal as _;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Collects an event's message and fields.
#[derive(Default)]
struct Fields {
    message: String,
    fields: Map<String, Value>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            value.clone_into(&mut self.message);
        } else {
            self.fields.insert(field.name().into(), value.into());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.fields
                .insert(field.name().into(), format!("{value:?}").into());
        }
    }
}

/// The formatter: human or JSON lines, colour only on a terminal.
struct CliFormat {
    json: bool,
    colour: bool,
}

fn level_word(l: Level) -> &'static str {
    match l {
        Level::ERROR => "error",
        Level::WARN => "warning",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

impl<S, N> FormatEvent<S, N> for CliFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut f = Fields::default();
        event.record(&mut f);
        let meta = event.metadata();
        let level = level_word(*meta.level());
        if self.json {
            let v = serde_json::json!({
                "log": level,
                "target": meta.target(),
                "message": f.message,
                "fields": f.fields,
            });
            return writeln!(w, "{v}");
        }
        if self.colour {
            let code = match *meta.level() {
                Level::ERROR => "31",
                Level::WARN => "33",
                _ => "2",
            };
            write!(w, "\x1b[{code}m{level}\x1b[0m: {}", f.message)?;
        } else {
            write!(w, "{level}: {}", f.message)?;
        }
        if !f.fields.is_empty() {
            let parts: Vec<String> = f
                .fields
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => format!("{k}={s}"),
                    other => format!("{k}={other}"),
                })
                .collect();
            write!(w, " ({})", parts.join(", "))?;
        }
        if *meta.level() >= Level::DEBUG {
            write!(w, " [{}]", meta.target())?;
        }
        writeln!(w)
    }
}

/// Sets up logging on stderr: `-v` debug, `-vv` trace, `HIKPROTO_LOG` overrides (an env filter).
pub(crate) fn init(verbose: u8, json: bool) {
    let level = match verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("HIKPROTO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let colour = !json && std::io::stderr().is_terminal();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .event_format(CliFormat { json, colour })
        .try_init();
}
