//! `hikproto fleet inventory`: one row per device, as a table, CSV, JSON or NDJSON (streamed).

use std::process::ExitCode;

use hikproto::fleet::devices_file::DeviceEntry;
use hikproto::fleet::inventory::{Access, Inventory, inventory};
use serde_json::Value;

use super::{EXIT_PARTIAL, FleetArgs, Progress, csv_field, drive, interactive, interrupted};
use crate::output::{CliError, Output};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Aligned columns (default on a terminal).
    Table,
    /// CSV with a header line, one row per device as it finishes.
    Csv,
    /// One JSON document once every device has finished (the default with --json).
    Json,
    /// One JSON object per line, per device as it finishes.
    Ndjson,
}

/// Arguments of `hikproto fleet inventory`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    fleet: FleetArgs,
    /// Output format.
    #[arg(long, value_enum)]
    format: Option<Format>,
}

/// The row as JSON, with the devices file's site and label.
fn json_row(e: &DeviceEntry, inv: &Inventory) -> Value {
    let mut v = serde_json::to_value(inv).unwrap_or_default();
    v["site"] = e.site.clone().into();
    v["label"] = e.label.clone().into();
    v["user"] = e.user.clone().into();
    v
}

fn csv_line(e: &DeviceEntry, inv: &Inventory) -> String {
    let mut cols = vec![
        e.site.clone().unwrap_or_default(),
        e.label.clone().unwrap_or_default(),
    ];
    cols.extend(inv.csv_row());
    cols.iter()
        .map(|c| csv_field(c))
        .collect::<Vec<_>>()
        .join(",")
}

fn csv_header() -> String {
    let mut cols = vec!["site", "label"];
    cols.extend(Inventory::COLUMNS);
    cols.join(",")
}

/// Columns of the terminal table.
const TABLE: &[&str] = &[
    "site", "label", "address", "access", "model", "firmware", "HC", "code", "ISUP", "DNS", "NTP",
    "offset", "users",
];

fn table_cells(e: &DeviceEntry, i: &Inventory) -> Vec<String> {
    fn yn(v: Option<bool>) -> String {
        v.map_or("?", |b| if b { "yes" } else { "no" }).to_owned()
    }
    let hc = match (i.hik_connect_enabled, i.hik_connect_registered) {
        (Some(true), Some(true)) => "on/reg".to_owned(),
        (Some(true), _) => "on".to_owned(),
        (e, _) => yn(e),
    };
    vec![
        e.site.clone().unwrap_or_default(),
        e.label.clone().unwrap_or_default(),
        i.address.clone(),
        i.access.to_string(),
        i.model.clone().unwrap_or_default(),
        i.firmware.clone().unwrap_or_default(),
        hc,
        yn(i.code_set),
        yn(i.isup_enabled),
        i.dns1.clone().unwrap_or_default(),
        i.ntp_server
            .clone()
            .or_else(|| i.time_mode.clone())
            .unwrap_or_default(),
        i.clock_offset_secs
            .map(|s| format!("{s:+}s"))
            .unwrap_or_default(),
        i.users.map(|n| n.to_string()).unwrap_or_default(),
    ]
}

fn print_table(rows: &[(&DeviceEntry, &Inventory)]) {
    let cells: Vec<Vec<String>> = rows.iter().map(|(e, i)| table_cells(e, i)).collect();
    let widths: Vec<usize> = (0..TABLE.len())
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .chain([TABLE[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |r: &[String]| {
        r.iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let head: Vec<String> = TABLE.iter().map(|s| (*s).to_owned()).collect();
    crate::outln!("{}", line(&head));
    for r in &cells {
        crate::outln!("{}", line(r));
    }
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    let loaded = a.fleet.load()?;
    let devices = a.fleet.devices(&loaded)?;
    let entries = loaded.file.devices.clone();
    let total = entries.len();
    let format = match (a.format, out.json) {
        (Some(f), _) => f,
        (None, true) => Format::Json,
        (None, false) => Format::Table,
    };
    let progress = Progress::new(total, interactive(out));
    let stream =
        a.fleet
            .fleet()
            .stream_sited(devices, &FleetArgs::sites(&loaded), |_, dev| async move {
                Ok(inventory(&dev).await)
            });
    if format == Format::Csv {
        crate::outln!("{}", csv_header());
    }
    let mut rows: Vec<(usize, Inventory)> = Vec::with_capacity(total);
    let stopped = drive(
        stream,
        &progress,
        |r, p| {
            let Ok(inv) = r.outcome else { return };
            let e = &entries[r.index];
            match format {
                Format::Ndjson => p.println(&json_row(e, &inv).to_string()),
                Format::Csv => p.println(&csv_line(e, &inv)),
                Format::Table | Format::Json => {}
            }
            rows.push((r.index, inv));
        },
        |r| r.outcome.as_ref().is_ok_and(|i| i.access == Access::Ok),
    )
    .await;
    progress.finish();
    rows.sort_by_key(|(i, _)| *i);
    let failed = rows.iter().filter(|(_, i)| i.access != Access::Ok).count();
    match format {
        Format::Json => {
            let list: Vec<Value> = rows
                .iter()
                .map(|(n, i)| json_row(&entries[*n], i))
                .collect();
            let v = serde_json::json!({
                "devices": list,
                "summary": { "total": total, "finished": rows.len(), "ok": rows.len() - failed, "failed": failed },
            });
            crate::outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format::Table => {
            let view: Vec<(&DeviceEntry, &Inventory)> =
                rows.iter().map(|(n, i)| (&entries[*n], i)).collect();
            print_table(&view);
            crate::outln!(
                "\n{} devices: {} ok, {failed} failed",
                rows.len(),
                rows.len() - failed
            );
        }
        Format::Csv | Format::Ndjson => {}
    }
    if stopped {
        return Ok(interrupted(
            rows.len(),
            total,
            "the rows above are those that finished",
        ));
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    })
}
