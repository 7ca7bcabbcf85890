//! `hikproto fleet rotate`: a new random password for every device, journaled (see
//! `hikproto::fleet::rotation`), resumable after a crash, exported to a private CSV file.

use std::path::PathBuf;
use std::process::ExitCode;

use hikproto::fleet::rotation::{Rotation, Status, Target};
use serde_json::json;

use super::{EXIT_PARTIAL, FleetArgs, Progress, confirm, drive, interactive, interrupted};
use crate::output::{CliError, Output};

/// Arguments of `hikproto fleet rotate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    fleet: FleetArgs,
    /// The journal: created new (mode 0600); it holds the new passwords until they are
    /// exported, so keep it private and delete it once they are in your vault.
    #[arg(long, value_name = "FILE")]
    journal: PathBuf,
    /// Continue the rotation recorded in the journal (after a crash, Ctrl-C or failures).
    #[arg(long)]
    resume: bool,
    /// Write every device's final credentials to this new private CSV file (mode 0600).
    #[arg(long, value_name = "CSV")]
    export: Option<PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long)]
    yes: bool,
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    let loaded = a.fleet.load()?;
    let targets: Vec<Target> = loaded
        .file
        .devices
        .iter()
        .zip(&loaded.passwords)
        .map(|(e, p)| Target {
            entry: e.clone(),
            old: p.clone(),
        })
        .collect();
    let total = targets.len();
    let rotation = if a.resume {
        Rotation::resume(&a.journal)?
    } else {
        confirm(
            &format!(
                "Give {total} devices a new random password (recorded in {})?",
                a.journal.display()
            ),
            a.yes,
        )?;
        Rotation::start(&a.journal)?
    }
    .timeout(a.fleet.timeout());
    let progress = Progress::new(total, interactive(out));
    let stream = rotation.stream(&a.fleet.fleet(), targets.clone())?;
    let mut rows = Vec::with_capacity(total);
    let human = !out.json;
    let stopped = drive(
        stream,
        &progress,
        |r, p| {
            let key = targets[r.index].entry.key();
            let (status, failed_logins, error) = match &r.outcome {
                Ok(rep) => (
                    match rep.status {
                        Status::Rotated => "rotated",
                        Status::AlreadyRotated => "already_rotated",
                        Status::Recovered => "recovered",
                    },
                    rep.failed_logins,
                    None,
                ),
                Err(e) => ("failed", 0, Some(e.to_string())),
            };
            if human {
                p.println(&match &error {
                    Some(e) => format!("{key}  FAILED: {e}"),
                    None => format!("{key}  {status}"),
                });
            }
            rows.push(json!({
                "device": key, "status": status, "failedLogins": failed_logins, "error": error,
            }));
        },
        |r| r.outcome.is_ok(),
    )
    .await;
    progress.finish();
    let (ok, failed) = (progress.ok(), progress.failed());
    let exported = match &a.export {
        Some(path) if !stopped => Some(rotation.export_csv(&targets, path)?),
        _ => None,
    };
    let v = json!({
        "devices": rows,
        "summary": { "total": total, "ok": ok, "failed": failed, "interrupted": stopped },
        "exported": exported,
    });
    out.print(&v, || {
        let mut s = format!("{total} devices: {ok} on their new password, {failed} failed");
        if failed > 0 {
            s.push_str(&format!(
                "\nrun again with --resume --journal {} to finish",
                a.journal.display()
            ));
        }
        if let (Some(n), Some(p)) = (exported, &a.export) {
            s.push_str(&format!("\n{n} credentials written to {}", p.display()));
        }
        s
    });
    if stopped {
        return Ok(interrupted(
            progress.done(),
            total,
            &format!("resume with --resume --journal {}", a.journal.display()),
        ));
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    })
}
