//! `hikproto fleet pins`: show device certificates (SHA-256 fingerprint, subject, validity)
//! and, after confirmation, record each HTTPS device's pin in the devices file (trust on first
//! use). An existing pin is never replaced: a different certificate is reported.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use hikproto::fleet::certs::{CertInfo, fetch};
use hikproto::fleet::devices_file::{DevicesFile, read_text_checked, record_pins};
use serde_json::json;

use super::{EXIT_PARTIAL, confirm};
use crate::output::{CliError, Output};

/// Arguments of `hikproto fleet pins`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["host", "devices"])))]
pub(crate) struct Args {
    /// One device: HOST:PORT of its HTTPS port.
    #[arg(long)]
    host: Option<String>,
    /// Every HTTPS device of this devices file.
    #[arg(long, value_name = "FILE")]
    devices: Option<PathBuf>,
    /// Record the pins of devices that have none into the devices file (after confirmation).
    #[arg(long, requires = "devices")]
    write: bool,
    /// Record without asking.
    #[arg(long)]
    yes: bool,
    /// Deadline per device, in seconds.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

fn show(name: &str, c: &CertInfo, note: &str) {
    crate::outln!("{name}  SHA-256 {}{note}", c.fingerprint());
    crate::outln!("    subject {}  issuer {}", c.subject, c.issuer);
    crate::outln!(
        "    valid {} .. {}{}",
        c.not_before,
        c.not_after,
        if c.valid_now { "" } else { "  (NOT valid now)" }
    );
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    let timeout = Duration::from_secs(a.timeout.max(1));
    if let Some(host) = &a.host {
        let c = fetch(host, timeout).await?;
        out.print(&c, || {
            show(host, &c, "");
            format!("pin it with --pin-sha256 {}", c.fingerprint())
        });
        return Ok(ExitCode::SUCCESS);
    }
    let Some(path) = &a.devices else {
        return Err(CliError::Usage("give --host or --devices".into()));
    };
    let file = DevicesFile::load(path).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut new_pins = Vec::new();
    let mut rows = Vec::new();
    let mut problems = 0;
    for d in file.devices.iter().filter(|d| d.https) {
        let key = d.key();
        match fetch(&d.address(), timeout).await {
            Ok(c) => {
                let state = match d.pin {
                    None => {
                        new_pins.push((d.line, c.sha256));
                        "new"
                    }
                    Some(p) if p == c.sha256 => "pinned",
                    Some(_) => {
                        problems += 1;
                        "MISMATCH"
                    }
                };
                if !out.json {
                    let note = match state {
                        "new" => "  (not pinned yet)",
                        "pinned" => "  (matches the pin)",
                        _ => "  (DIFFERENT from the pin in the file: not changed)",
                    };
                    show(&key, &c, note);
                }
                rows.push(json!({ "device": key, "certificate": c, "pin": state }));
            }
            Err(e) => {
                problems += 1;
                if !out.json {
                    crate::outln!("{key}  cannot read the certificate: {e}");
                }
                rows.push(json!({ "device": key, "error": e.to_string() }));
            }
        }
    }
    let mut written = 0;
    if a.write && !new_pins.is_empty() {
        confirm(
            &format!(
                "Trust these {} certificates and record their pins in {}?",
                new_pins.len(),
                path.display()
            ),
            a.yes,
        )?;
        let text = read_text_checked(path).map_err(|e| CliError::Usage(e.to_string()))?;
        let updated = record_pins(&file.file, &text, &new_pins);
        let tmp = path.with_extension("pins-tmp");
        std::fs::copy(path, &tmp)
            .and_then(|_| std::fs::write(&tmp, updated))
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
        written = new_pins.len();
    }
    let v = json!({ "devices": rows, "pinsWritten": written });
    out.print(&v, || {
        if written > 0 {
            format!("{written} pins recorded in {}", path.display())
        } else if new_pins.is_empty() {
            "no new pin to record".into()
        } else {
            format!(
                "{} devices not pinned yet; record them with --write",
                new_pins.len()
            )
        }
    });
    Ok(if problems == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    })
}
