//! `hikproto doctor`: diagnose "Error 2020" and other verification failures, and say (or do)
//! the fix.
//!
//! One device (`--host`) gives the full report; a fleet (`--fleet hosts.csv`) gives one line
//! per device and a summary. `--fix` shows the safe, reversible fixes, applies them, and
//! diagnoses again. Exit status: 0 when every device is healthy, 8 when findings remain.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use hikproto::doctor::fix::PlannedFix;
use hikproto::doctor::{self, Examination, FleetSummary, Options, UserInputs};
use hikproto::fleet::Fleet;
use hikproto::sadp::{self, DiscoverOptions, ProbeMatch, ProbeTarget};
use hikproto::{Device, Secret};

use crate::cmd::doctor_fix;
use crate::cmd::request::read_input;
use crate::conn::{AccessArgs, CODE_ENV, ConnArgs, read_password, read_secret};
use crate::output::{CliError, Output};

/// Exit status when findings remain.
const EXIT_FINDINGS: u8 = 8;
/// Most lines read from a fleet file.
const MAX_FLEET: usize = 100_000;

/// Arguments of `hikproto doctor`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["host", "fleet"])))]
pub(crate) struct Args {
    /// Device address: HOST or HOST:PORT.
    #[arg(long)]
    host: Option<String>,
    /// A CSV file of devices, one per line: `host[,user]` (a `host` header line is skipped).
    #[arg(long, value_name = "CSV")]
    fleet: Option<PathBuf>,
    /// Check the verification code your app or VMS stores (read from HIKPROTO_CODE, or asked).
    #[arg(long)]
    code: bool,
    /// A file with the text of the device label's QR code (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    label_qr: Option<String>,
    /// The error code your app shows (e.g. 2020, 105001, 105002).
    #[arg(long, value_name = "N")]
    app_error: Option<u32>,
    /// The device is not in your own Hik-Connect account.
    #[arg(long)]
    not_in_my_account: bool,
    /// Apply the reversible fixes (after showing them; each records what it overwrites), then
    /// diagnose again.
    #[arg(long)]
    fix: bool,
    /// With --fix, also apply the fixes that cannot be undone (a new verification code).
    #[arg(long, requires = "fix")]
    fix_irreversible: bool,
    /// Undo the fixes recorded in a saved result (`hikproto --json doctor --host H --fix > FILE`).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["fix", "fleet"])]
    undo: Option<PathBuf>,
    /// Fleet --fix: apply without asking (required when not run from a terminal).
    #[arg(long)]
    yes: bool,
    /// Also ask the device over SADP: `lan` searches the LAN, HOST:PORT asks one responder.
    #[arg(long, value_name = "lan|HOST:PORT")]
    sadp: Option<String>,
    /// Seconds to wait for platform registration after fixes.
    #[arg(long, default_value_t = 30)]
    settle: u64,
    /// Devices diagnosed at once in fleet mode.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Do not log in (only the unauthenticated facts are read).
    #[arg(long)]
    no_login: bool,
    /// Log-in and certificate options.
    #[command(flatten)]
    access: AccessArgs,
    /// Deadline for each operation, in seconds.
    #[arg(long, default_value_t = 15)]
    timeout: u64,
}

impl Args {
    fn conn(&self, host: &str, user: Option<&str>) -> ConnArgs {
        let mut access = self.access.clone();
        if let Some(user) = user {
            user.clone_into(&mut access.user);
        }
        ConnArgs {
            host: host.to_owned(),
            access,
            timeout: self.timeout,
        }
    }

    fn options(&self) -> Options {
        Options {
            fix: self.fix,
            irreversible: self.fix_irreversible,
            settle: Duration::from_secs(self.settle),
            ..Options::default()
        }
    }

    fn inputs(&self, password: Option<&Secret>) -> Result<UserInputs, CliError> {
        let stored_code = if self.code {
            Some(read_secret(
                CODE_ENV,
                "Verification code stored in your app: ",
            )?)
        } else {
            None
        };
        let label_qr = self.label_qr.as_deref().map(read_input).transpose()?;
        Ok(UserInputs {
            stored_code,
            label_qr,
            password: password.cloned(),
            user: Some(self.access.user.clone()),
            app_error: self.app_error,
            in_own_account: self.not_in_my_account.then_some(false),
        })
    }
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    if a.fleet.is_some() && a.fix {
        // before any prompt or request: a fleet fix must be confirmable
        doctor_fix::check_confirmable(a.yes)?;
    }
    let password = if a.no_login {
        None
    } else {
        Some(read_password(&format!("Password for {}: ", a.access.user))?)
    };
    if let (Some(file), Some(host)) = (&a.undo, &a.host) {
        let dev = a.conn(host, None).device_with(password)?;
        return doctor_fix::undo(&dev, file, out).await;
    }
    let inputs = a.inputs(password.as_ref())?;
    match (&a.host, &a.fleet) {
        (Some(host), _) => one(&a, host, password, &inputs, out).await,
        (None, Some(file)) => fleet(&a, file, password, &inputs, out).await,
        (None, None) => Err(CliError::Usage("give --host or --fleet".into())),
    }
}

/// The SADP reply of the device at `host`, when asked for.
async fn sadp_view(how: Option<&str>, host: &str) -> Result<Option<ProbeMatch>, CliError> {
    let Some(how) = how else {
        return Ok(None);
    };
    let mut opts = DiscoverOptions::default();
    if !how.eq_ignore_ascii_case("lan") {
        let addr = how
            .parse()
            .map_err(|_| CliError::Usage(format!("--sadp takes lan or HOST:PORT, not {how:?}")))?;
        opts.targets = vec![ProbeTarget::Unicast(addr)];
        opts.listen_group = None;
        opts.expect = Some(1);
    }
    let found = sadp::discover(&opts).await?;
    let ip = host
        .rsplit_once(':')
        .map_or(host, |(h, _)| h)
        .trim_matches(['[', ']']);
    let single =
        (found.len() == 1 && !how.eq_ignore_ascii_case("lan")).then(|| found[0].info.clone());
    Ok(found
        .into_iter()
        .find(|d| d.info.ipv4_address.is_some_and(|a| a.to_string() == ip))
        .map(|d| d.info)
        .or(single))
}

fn print_plan(plan: &[PlannedFix], irreversible: bool) {
    println!("\nApplying the fixes:");
    for p in plan {
        if p.reversible || irreversible {
            println!(
                "  - {} (for {}); undo: {}",
                p.description, p.finding, p.undo
            );
        } else {
            println!(
                "  - NOT applied: {} (for {}): it cannot be undone; add --fix-irreversible",
                p.description, p.finding
            );
        }
    }
}

fn print_outcomes(ex: &Examination) {
    for f in &ex.fixes {
        let label = match (f.applied, f.skipped) {
            (true, _) => "done:   ",
            (false, true) => "skipped:",
            (false, false) => "FAILED: ",
        };
        println!("  {label} {}: {}", f.fix.description, f.message);
        if let Some(code) = &f.new_code {
            println!("    new verification code (shown once): {}", code.expose());
        }
        if let Some(step) = f.follow_up {
            println!("    then: {step}");
        }
    }
}

async fn one(
    a: &Args,
    host: &str,
    password: Option<Secret>,
    inputs: &UserInputs,
    out: &Output,
) -> Result<ExitCode, CliError> {
    let dev = a.conn(host, None).device_with(password)?;
    let sadp = sadp_view(a.sadp.as_deref(), host).await?;
    let human = !out.json;
    let irreversible = a.fix_irreversible;
    let ex = doctor::examine_with(&dev, sadp.as_ref(), inputs, &a.options(), |report, plan| {
        if human {
            print!("{}", report.render_human());
            print_plan(plan, irreversible);
        }
    })
    .await;
    if out.json {
        // A new code is revealed on purpose: the user asked for --fix and must enter it.
        let v = serde_json::json!({ "doctor": ex, "newCode": new_code(&ex) });
        out.print(&v, String::new);
    } else if ex.fixes.is_empty() {
        print!("{}", ex.report.render_human());
        if a.fix {
            println!("\nNo automatic fix applies.");
        }
    } else {
        print_outcomes(&ex);
        if let Some(after) = &ex.after {
            print!("\nAfter the fixes:\n{}", after.render_human());
        }
    }
    Ok(exit(ex.current().healthy))
}

/// The verification code a fix set, in clear (for the one place that shows it).
fn new_code(ex: &Examination) -> Option<String> {
    ex.fixes
        .iter()
        .find_map(|f| f.new_code.as_ref())
        .map(|c| c.expose().to_owned())
}

fn exit(healthy: bool) -> ExitCode {
    if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    }
}

/// Reads `host[,user]` lines; blank lines, `#` comments and a `host` header are skipped.
pub(crate) fn parse_fleet(text: &str) -> Result<Vec<(String, Option<String>)>, CliError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split(',').map(str::trim);
        let host = cols.next().unwrap_or_default();
        if n == 0 && host.eq_ignore_ascii_case("host") {
            continue;
        }
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(CliError::Usage(format!("fleet line {}: no host", n + 1)));
        }
        let user = cols.next().filter(|u| !u.is_empty()).map(str::to_owned);
        out.push((host.to_owned(), user));
        if out.len() > MAX_FLEET {
            return Err(CliError::Usage(format!("more than {MAX_FLEET} devices")));
        }
    }
    if out.is_empty() {
        return Err(CliError::Usage("the fleet file lists no device".into()));
    }
    Ok(out)
}

async fn fleet(
    a: &Args,
    file: &PathBuf,
    password: Option<Secret>,
    inputs: &UserInputs,
    out: &Output,
) -> Result<ExitCode, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
    let rows = parse_fleet(&text)?;
    let devices: Vec<Device> = rows
        .iter()
        .map(|(h, u)| a.conn(h, u.as_deref()).device_with(password.clone()))
        .collect::<Result<_, _>>()?;
    let mut options = a.options();
    if a.fix && !a.yes {
        options.fix = confirm_fleet_fix(&devices, inputs, &options, a.concurrency).await;
    }
    let inputs = inputs.clone();
    let json = out.json;
    let results = Fleet::new()
        .concurrency(a.concurrency.max(1))
        .run(devices, move |dev| {
            let (options, inputs) = (options.clone(), inputs.clone());
            async move {
                let host = dev.host().to_owned();
                let ex = doctor::examine_with(&dev, None, &inputs, &options, |_, plan| {
                    if !json {
                        let what: Vec<&str> = plan.iter().map(|p| p.finding).collect();
                        println!("{host}  fixing: {}", what.join(", "));
                    }
                })
                .await;
                if !json {
                    for f in ex.fixes.iter().filter(|f| !f.applied) {
                        println!("{host}  fix FAILED: {}: {}", f.fix.description, f.message);
                    }
                    if let Some(code) = new_code(&ex) {
                        println!("{host}  new verification code (shown once): {code}");
                    }
                    // one line per device, as each finishes
                    println!("{}", ex.current().summary_line());
                }
                Ok(ex)
            }
        })
        .await;
    let exams: Vec<Examination> = results.into_iter().filter_map(|r| r.outcome.ok()).collect();
    let summary = FleetSummary::of(exams.iter().map(Examination::current));
    let fixes: usize = exams
        .iter()
        .map(|e| e.fixes.iter().filter(|f| f.applied).count())
        .sum();
    // New codes are revealed on purpose: the user asked for --fix and must enter them in the app.
    let codes: serde_json::Map<String, serde_json::Value> = exams
        .iter()
        .filter_map(|e| Some((e.report.target.clone(), new_code(e)?.into())))
        .collect();
    let v = serde_json::json!({
        "devices": exams, "summary": summary, "fixesApplied": fixes, "newCodes": codes,
    });
    out.print(&v, || {
        let mut s = summary.render_human();
        if a.fix {
            s.push_str(&format!("\n{fixes} fixes applied"));
        }
        s
    });
    Ok(exit(summary.with_findings == 0))
}

/// Diagnoses the fleet without changing anything, prints the fixes it plans, and asks
/// whether to apply them (on a terminal: [`doctor_fix::check_confirmable`] ran first).
async fn confirm_fleet_fix(
    devices: &[Device],
    inputs: &UserInputs,
    options: &Options,
    concurrency: usize,
) -> bool {
    let look = Options {
        fix: false,
        ..options.clone()
    };
    let inputs = inputs.clone();
    let preview: Vec<Examination> =
        Fleet::new()
            .concurrency(concurrency.max(1))
            .run(devices.to_vec(), move |dev| {
                let (look, inputs) = (look.clone(), inputs.clone());
                async move {
                    Ok::<_, hikproto::Error>(doctor::examine(&dev, None, &inputs, &look).await)
                }
            })
            .await
            .into_iter()
            .filter_map(|r| r.outcome.ok())
            .collect();
    let n = doctor_fix::print_fleet_plan(&preview, options.irreversible);
    if n == 0 {
        println!("  (none)");
        return false;
    }
    let yes = doctor_fix::confirm(&format!("Apply these {n} fixes?"));
    if !yes {
        println!("No change made.");
    }
    yes
}

/// The doctor's part of `hikproto demo`: a simulated device with Error-2020 trouble (platform
/// access off, no DNS), diagnosed, fixed with the safe fixes, and shown healthy and registered.
///
/// Returns true when the device ends healthy.
pub(crate) async fn demo_section(
    sim: &hikproto_sim::SimDevice,
    password: &str,
    out: &Output,
) -> Result<bool, CliError> {
    sim.update(|c| {
        if c.verification_code.is_none() {
            c.verification_code = Some(Secret::new("Demo2020ok"));
        }
        c.ezviz.enabled = false;
        c.network.dns1 = "0.0.0.0".into();
        c.network.dns2 = String::new();
    });
    let dev = Device::builder(sim.host())
        .credentials("admin", password)
        .timeout(Duration::from_secs(10))
        .build()?;
    let inputs = UserInputs {
        password: Some(Secret::new(password)),
        ..UserInputs::default()
    };
    let options = Options {
        fix: true,
        settle: Duration::from_secs(5),
        ..Options::default()
    };
    let human = !out.json;
    if human {
        println!(
            "== doctor: {} ({}) reports Error 2020 in the app",
            sim.host(),
            sim.model()
        );
    }
    let ex = doctor::examine_with(&dev, None, &inputs, &options, |report, plan| {
        if human {
            print!("{}", report.render_human());
            print_plan(plan, false);
        }
    })
    .await;
    let registered = sim
        .platform()
        .record(sim.serial())
        .is_some_and(|r| r.registered);
    if human {
        print_outcomes(&ex);
        if let Some(after) = &ex.after {
            print!("\nAfter the fixes:\n{}", after.render_human());
        }
        println!(
            "platform registration: {}",
            if registered {
                "registered"
            } else {
                "NOT registered"
            }
        );
    }
    // In JSON mode the demo prints one summary of all its steps; this section reports through it.
    Ok(ex.current().healthy && registered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fleet_files() {
        let rows = parse_fleet("host,user\n# site A\n10.0.0.1\n10.0.0.2, operator\n\n").unwrap();
        assert_eq!(
            rows,
            [
                ("10.0.0.1".to_owned(), None),
                ("10.0.0.2".to_owned(), Some("operator".to_owned()))
            ]
        );
        assert!(parse_fleet("").is_err());
        assert!(parse_fleet("a b,c").is_err());
    }
}
