//! `hikproto doctor`: diagnose "Error 2020" and other verification failures, and say (or do)
//! the fix.
//!
//! One device (`--host`) gives the full report; a fleet (`--fleet hosts.csv`) gives one line
//! per device and a summary. `--fix` shows the safe, reversible fixes, applies them, and
//! diagnoses again. Exit status: 0 when every device is healthy, 4 when the one device is
//! unreachable, 8 when findings remain or a device could not be fully checked (its unread facts
//! are listed), 2 when the fleet file has invalid lines (they are reported and skipped).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use hikproto::doctor::fix::PlannedFix;
use hikproto::doctor::{self, Audience, Examination, FleetSummary, Options, UserInputs};
use hikproto::fleet::Fleet;
use hikproto::sadp::{self, DiscoverOptions, ProbeMatch, ProbeTarget};
use hikproto::{Device, Secret};

use crate::cmd::doctor_fix;
use crate::cmd::request::read_input;
use crate::conn::{AccessArgs, CODE_ENV, ConnArgs, read_password, read_secret};
use crate::output::{CliError, Output};

/// Exit status when findings remain (or facts the rules need could not be read).
const EXIT_FINDINGS: u8 = 8;
/// Exit status when the device did not answer at all.
const EXIT_UNREACHABLE: u8 = 4;
/// Exit status when the fleet file had invalid lines (the others were diagnosed).
const EXIT_BAD_LINES: u8 = 2;
/// Most lines read from a fleet file.
const MAX_FLEET: usize = 100_000;

/// Arguments of `hikproto doctor`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["host", "fleet"])))]
pub(crate) struct Args {
    /// Device address: HOST or HOST:PORT.
    #[arg(long)]
    host: Option<String>,
    /// A CSV file of devices, one per line: `host[,user[,name]]` (a `host` header line is
    /// skipped; an invalid line is reported and skipped). Results are listed in file order.
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
    crate::outln!("\nApplying the fixes:");
    for p in plan {
        if p.reversible || irreversible {
            crate::outln!(
                "  - {} (for {}); undo: {}",
                p.description,
                p.finding,
                p.undo
            );
        } else {
            crate::outln!(
                "  - NOT applied: {} (for {}): it cannot be undone; add --fix-irreversible",
                p.description,
                p.finding
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
        crate::outln!("  {label} {}: {}", f.fix.description, f.message);
        if let Some(code) = &f.new_code {
            crate::outln!("    new verification code (shown once): {}", code.expose());
        }
        if let Some(step) = f.follow_up {
            crate::outln!("    then: {step}");
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
            crate::out!("{}", report.render_for(Audience::Cli));
            print_plan(plan, irreversible);
        }
    })
    .await;
    if out.json {
        // A new code is revealed on purpose: the user asked for --fix and must enter it.
        let v = serde_json::json!({ "doctor": ex, "newCode": new_code(&ex) });
        out.print(&v, String::new);
    } else if ex.fixes.is_empty() {
        crate::out!("{}", ex.report.render_for(Audience::Cli));
        if a.fix {
            crate::outln!("\nNo automatic fix applies.");
        }
    } else {
        print_outcomes(&ex);
        if let Some(after) = &ex.after {
            crate::out!("\nAfter the fixes:\n{}", after.render_for(Audience::Cli));
        }
    }
    let report = ex.current();
    if report.ids().contains(&doctor::ids::DEVICE_UNREACHABLE) {
        return Ok(ExitCode::from(EXIT_UNREACHABLE));
    }
    Ok(exit(report.healthy))
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

/// One device of a fleet file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FleetRow {
    /// 1-based line number in the file.
    pub(crate) line: usize,
    /// HOST or HOST:PORT.
    pub(crate) host: String,
    /// The user to log in as, when not the default.
    pub(crate) user: Option<String>,
    /// A name for the device, shown with its address.
    pub(crate) name: Option<String>,
}

impl FleetRow {
    /// How the device is shown: `name (host)` or `host`.
    fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{n} ({})", self.host),
            None => self.host.clone(),
        }
    }
}

/// A line of the fleet file that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct BadLine {
    /// 1-based line number.
    pub(crate) line: usize,
    /// What is wrong with it.
    pub(crate) error: String,
}

/// Reads `host[,user[,name]]` lines; blank lines, `#` comments and a `host` header are skipped.
/// Invalid lines are returned apart, so that one bad line does not stop the others.
pub(crate) fn parse_fleet(text: &str) -> Result<(Vec<FleetRow>, Vec<BadLine>), CliError> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
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
        if let Err(e) = check_host(host) {
            bad.push(BadLine {
                line: n + 1,
                error: e,
            });
            continue;
        }
        let user = cols.next().filter(|u| !u.is_empty()).map(str::to_owned);
        let name = cols.next().filter(|u| !u.is_empty()).map(str::to_owned);
        out.push(FleetRow {
            line: n + 1,
            host: host.to_owned(),
            user,
            name,
        });
        if out.len() > MAX_FLEET {
            return Err(CliError::Usage(format!("more than {MAX_FLEET} devices")));
        }
    }
    if out.is_empty() && bad.is_empty() {
        return Err(CliError::Usage("the fleet file lists no device".into()));
    }
    Ok((out, bad))
}

/// Checks a fleet line's address: not empty, no spaces, a valid port when one is given.
fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("no host".into());
    }
    if host.contains(char::is_whitespace) {
        return Err(format!("{host:?} is not an address"));
    }
    crate::conn::check_address(host).map_err(|e| e.to_string())
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
    let (mut rows, mut bad) = parse_fleet(&text)?;
    let mut devices = Vec::with_capacity(rows.len());
    rows.retain(|r| {
        match a
            .conn(&r.host, r.user.as_deref())
            .device_with(password.clone())
        {
            Ok(d) => {
                devices.push(d);
                true
            }
            Err(e) => {
                bad.push(BadLine {
                    line: r.line,
                    error: e.to_string(),
                });
                false
            }
        }
    });
    bad.sort_by_key(|b| b.line);
    if !out.json {
        for b in &bad {
            crate::outln!("line {}  skipped: {}", b.line, b.error);
        }
    }
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
                        crate::outln!("{host}  fixing: {}", what.join(", "));
                    }
                })
                .await;
                Ok(ex)
            }
        })
        .await;
    // results come back in the order of the file
    let exams: Vec<(&FleetRow, Examination)> = rows
        .iter()
        .zip(results)
        .filter_map(|(row, r)| Some((row, r.outcome.ok()?)))
        .collect();
    if !json {
        for (row, ex) in &exams {
            print_fleet_device(row, ex);
        }
    }
    let summary = FleetSummary::of(exams.iter().map(|(_, e)| e.current()));
    let fixes: usize = exams
        .iter()
        .map(|(_, e)| e.fixes.iter().filter(|f| f.applied).count())
        .sum();
    // New codes are revealed on purpose: the user asked for --fix and must enter them in the app.
    let codes: serde_json::Map<String, serde_json::Value> = exams
        .iter()
        .filter_map(|(_, e)| Some((e.report.target.clone(), new_code(e)?.into())))
        .collect();
    let devices: Vec<serde_json::Value> = exams
        .iter()
        .map(|(row, e)| {
            let mut v = serde_json::to_value(e).unwrap_or_default();
            if let serde_json::Value::Object(m) = &mut v {
                m.insert("line".into(), row.line.into());
                m.insert("name".into(), row.name.clone().into());
            }
            v
        })
        .collect();
    let v = serde_json::json!({
        "devices": devices, "summary": summary, "fixesApplied": fixes, "newCodes": codes,
        "invalidLines": bad,
    });
    out.print(&v, || {
        let mut s = summary.render_human();
        if a.fix {
            s.push_str(&format!(
                "\n{fixes} fix{} applied",
                if fixes == 1 { "" } else { "es" }
            ));
        }
        if !bad.is_empty() {
            s.push_str(&format!(
                "\n{} invalid line{} skipped",
                bad.len(),
                if bad.len() == 1 { "" } else { "s" }
            ));
        }
        s
    });
    if summary.healthy < summary.devices {
        return Ok(ExitCode::from(EXIT_FINDINGS));
    }
    if !bad.is_empty() {
        return Ok(ExitCode::from(EXIT_BAD_LINES));
    }
    Ok(ExitCode::SUCCESS)
}

/// The lines of one fleet device: failed fixes, a new code, and its summary line.
fn print_fleet_device(row: &FleetRow, ex: &Examination) {
    let label = row.label();
    for f in ex.fixes.iter().filter(|f| !f.applied) {
        crate::outln!("{label}  fix FAILED: {}: {}", f.fix.description, f.message);
    }
    if let Some(code) = new_code(ex) {
        crate::outln!("{label}  new verification code (shown once): {code}");
    }
    let line = ex.current().summary_line();
    let rest = line
        .strip_prefix(ex.current().target.as_str())
        .unwrap_or(&line);
    crate::outln!("{label}{rest}");
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
        crate::outln!("  (none)");
        return false;
    }
    let yes = doctor_fix::confirm(&format!("Apply these {n} fixes?"));
    if !yes {
        crate::outln!("No change made.");
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
        crate::outln!(
            "== doctor: {} ({}) reports Error 2020 in the app",
            sim.host(),
            sim.model()
        );
    }
    let ex = doctor::examine_with(&dev, None, &inputs, &options, |report, plan| {
        if human {
            crate::out!("{}", report.render_for(Audience::Cli));
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
            crate::out!("\nAfter the fixes:\n{}", after.render_for(Audience::Cli));
        }
        crate::outln!(
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
        let (rows, bad) =
            parse_fleet("host,user\n# site A\n10.0.0.1\n10.0.0.2, operator, lobby\n\n").unwrap();
        assert!(bad.is_empty());
        let hosts: Vec<(&str, Option<&str>, Option<&str>)> = rows
            .iter()
            .map(|r| (r.host.as_str(), r.user.as_deref(), r.name.as_deref()))
            .collect();
        assert_eq!(
            hosts,
            [
                ("10.0.0.1", None, None),
                ("10.0.0.2", Some("operator"), Some("lobby"))
            ]
        );
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].label(), "lobby (10.0.0.2)");
        assert!(parse_fleet("").is_err());
    }

    #[test]
    fn one_bad_fleet_line_does_not_stop_the_others() {
        let (rows, bad) = parse_fleet("a b,c\n10.0.0.1\n127.0.0.1:\n,x\n10.0.0.2:8080").unwrap();
        assert_eq!(rows.len(), 2);
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [1, 3, 4]);
        assert!(bad[1].error.contains("no port"), "{:?}", bad[1]);
    }
}
