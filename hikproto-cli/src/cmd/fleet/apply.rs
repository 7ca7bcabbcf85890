//! `hikproto fleet apply`: plan settings across the fleet, show the plan, and apply it after
//! confirmation. Passwords change through `hikproto fleet rotate` (journaled).

use std::io::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use hikproto::fleet::changes::{self, Applied, Change, CodeChoice, Desired};
use hikproto::fleet::devices_file::create_private;
use hikproto::keys::VerificationCode;
use serde_json::json;

use super::{EXIT_PARTIAL, FleetArgs, Progress, confirm, drive, interactive, interrupted};
use crate::conn::{CODE_ENV, read_secret};
use crate::output::{CliError, Output};

/// Where the verification code comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CodeSource {
    /// A new random code for each device that has none (written to --codes-out only).
    Generate,
    /// The code in HIKPROTO_CODE (or asked) on every device.
    Set,
}

/// Arguments of `hikproto fleet apply`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    fleet: FleetArgs,
    /// Turn Hik-Connect access on or off.
    #[arg(long, value_name = "on|off", value_parser = parse_on_off)]
    hik_connect: Option<bool>,
    /// DNS servers: PRIMARY[,SECONDARY].
    #[arg(long, value_name = "IP[,IP]")]
    dns: Option<String>,
    /// Take the time from this NTP server.
    #[arg(long, value_name = "HOST")]
    ntp: Option<String>,
    /// Set the verification code.
    #[arg(long, value_enum)]
    code: Option<CodeSource>,
    /// New private file (mode 0600) receiving generated codes: host,port,serial-less CSV.
    #[arg(long, value_name = "CSV")]
    codes_out: Option<PathBuf>,
    /// Only show what would change.
    #[arg(long)]
    plan: bool,
    /// Apply without asking.
    #[arg(long)]
    yes: bool,
}

fn parse_on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        _ => Err("on or off".into()),
    }
}

impl Args {
    fn desired(&self) -> Result<Desired, CliError> {
        let dns = match &self.dns {
            None => None,
            Some(s) => {
                let mut it = s.split(',').map(|x| x.trim().parse::<IpAddr>());
                let bad = || CliError::Usage(format!("--dns takes IP[,IP], not {s:?}"));
                let p = it.next().and_then(Result::ok).ok_or_else(bad)?;
                let sec = it.next().map(|r| r.map_err(|_| bad())).transpose()?;
                Some((p, sec))
            }
        };
        let code = match self.code {
            None => None,
            Some(CodeSource::Generate) => {
                if self.codes_out.is_none() && !self.plan {
                    return Err(CliError::Usage(
                        "--code generate needs --codes-out FILE: generated codes are written only there".into(),
                    ));
                }
                Some(CodeChoice::Generate)
            }
            Some(CodeSource::Set) => Some(CodeChoice::Set(VerificationCode::new(read_secret(
                CODE_ENV,
                "Verification code: ",
            )?)?)),
        };
        let d = Desired {
            hik_connect: self.hik_connect,
            dns,
            ntp: self.ntp.clone(),
            code,
        };
        if d == Desired::default() {
            return Err(CliError::Usage(
                "nothing to change: give --hik-connect, --dns, --ntp or --code".into(),
            ));
        }
        Ok(d)
    }
}

fn describe(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "no change".into();
    }
    changes
        .iter()
        .map(|c| format!("{}: {} -> {}", c.setting, c.from, c.to))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    let want = a.desired()?;
    let loaded = a.fleet.load()?;
    let entries = loaded.file.devices.clone();
    let total = entries.len();
    let human = !out.json;

    // 1. the plan
    let progress = Progress::new(total, interactive(out));
    let (w, sites) = (want.clone(), FleetArgs::sites(&loaded));
    let stream = a
        .fleet
        .fleet()
        .stream_sited(a.fleet.devices(&loaded)?, &sites, move |_, dev| {
            let w = w.clone();
            async move { changes::plan(&dev, &w).await }
        });
    let mut plans: Vec<(usize, Result<Vec<Change>, String>)> = Vec::new();
    let stopped = drive(
        stream,
        &progress,
        |r, _| plans.push((r.index, r.outcome.map_err(|e| e.to_string()))),
        |r| r.outcome.is_ok(),
    )
    .await;
    progress.finish();
    if stopped {
        return Ok(interrupted(plans.len(), total, "nothing was changed"));
    }
    plans.sort_by_key(|(i, _)| *i);
    let to_change = plans
        .iter()
        .filter(|(_, p)| p.as_ref().is_ok_and(|c| !c.is_empty()))
        .count();
    let plan_failed = plans.iter().filter(|(_, p)| p.is_err()).count();
    if human {
        for (i, p) in &plans {
            let what = match p {
                Ok(c) => describe(c),
                Err(e) => format!("cannot plan: {e}"),
            };
            crate::outln!("{}  {what}", entries[*i].key());
        }
        crate::outln!("plan: {to_change} of {total} devices to change, {plan_failed} unreadable");
    }
    if a.plan || to_change == 0 {
        let v = json!({
            "plan": plans.iter().map(|(i, p)| json!({
                "device": entries[*i].key(),
                "changes": p.as_ref().ok(),
                "error": p.as_ref().err(),
            })).collect::<Vec<_>>(),
            "summary": { "total": total, "toChange": to_change, "failed": plan_failed },
        });
        if out.json {
            out.print(&v, String::new);
        }
        return Ok(if plan_failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_PARTIAL)
        });
    }
    confirm(
        &format!("Apply these changes to {to_change} devices?"),
        a.yes,
    )?;

    // 2. apply, where the plan said so
    let mut codes_file = match (&want.code, &a.codes_out) {
        (Some(CodeChoice::Generate), Some(p)) => Some(create_private(p).map_err(|e| {
            CliError::Usage(format!(
                "{}: cannot create it (new files only): {e}",
                p.display()
            ))
        })?),
        _ => None,
    };
    if let Some(f) = codes_file.as_mut() {
        writeln!(f, "host,port,user,code")
            .map_err(|e| CliError::Usage(format!("cannot write the codes file: {e}")))?;
    }
    let chosen: Vec<bool> = plans
        .iter()
        .map(|(_, p)| p.as_ref().is_ok_and(|c| !c.is_empty()))
        .collect();
    let progress = Progress::new(to_change, interactive(out));
    let devices: Vec<_> = a
        .fleet
        .devices(&loaded)?
        .into_iter()
        .zip(&chosen)
        .enumerate()
        .filter(|(_, (_, c))| **c)
        .map(|(i, (d, _))| (i, d))
        .collect();
    let index: Vec<usize> = devices.iter().map(|(i, _)| *i).collect();
    let chosen_sites: Vec<_> = index.iter().map(|i| sites[*i].clone()).collect();
    let w = want.clone();
    let stream = a.fleet.fleet().stream_sited(
        devices.into_iter().map(|(_, d)| d).collect(),
        &chosen_sites,
        move |_, dev| {
            let w = w.clone();
            async move { changes::apply(&dev, &w).await }
        },
    );
    let mut results = Vec::new();
    let mut write_err = None;
    let stopped = drive(
        stream,
        &progress,
        |r, p| {
            let e = &entries[index[r.index]];
            match &r.outcome {
                Ok(Applied { changes, new_code }) => {
                    if let (Some(code), Some(f)) = (new_code, codes_file.as_mut()) {
                        if let Err(err) =
                            writeln!(f, "{},{},{},{}", e.host, e.port, e.user, code.expose())
                                .and_then(|()| f.sync_data())
                        {
                            write_err = Some(err);
                        }
                    }
                    if human {
                        p.println(&format!("{}  done: {}", e.key(), describe(changes)));
                    }
                }
                Err(err) if human => p.println(&format!("{}  FAILED: {err}", e.key())),
                Err(_) => {}
            }
            results.push(json!({
                "device": e.key(),
                "changes": r.outcome.as_ref().ok().map(|a| &a.changes),
                "error": r.outcome.as_ref().err().map(ToString::to_string),
            }));
        },
        |r| r.outcome.is_ok(),
    )
    .await;
    progress.finish();
    if let Some(e) = write_err {
        return Err(CliError::Usage(format!(
            "cannot write the codes file: {e} (the codes set are lost: generate again)"
        )));
    }
    let failed = progress.failed();
    let v = json!({
        "applied": results,
        "summary": { "total": total, "changed": progress.ok(), "failed": failed },
    });
    out.print(&v, || {
        let mut s = format!("{} devices changed, {failed} failed", progress.ok());
        if let Some(p) = &a.codes_out {
            s.push_str(&format!("\nnew codes written to {}", p.display()));
        }
        s
    });
    if stopped {
        return Ok(interrupted(
            progress.done(),
            to_change,
            "run the plan again to see what is left",
        ));
    }
    Ok(if failed == 0 && plan_failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PARTIAL)
    })
}
