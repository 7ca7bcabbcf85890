//! `hikproto demo`: the whole story on an embedded simulated site.
//!
//! A site of simulated devices is started on 127.0.0.1 (nothing leaves this machine), then:
//! discovery over SADP, activation of a factory-state camera, Hik-Connect set-up until the camera
//! registers, a concurrent fleet audit, the lock-out guard at work, a password recovery, and the
//! doctor diagnosing and fixing a camera with two faults.
//! Each step prints what it did; `--json` prints a summary of every step instead.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use hikproto::fleet::{Fleet, Summary};
use hikproto::isapi::security::QuestionAnswer;
use hikproto::keys::{Password, VerificationCode};
use hikproto::reset::NewPassword;
use hikproto::sadp::{DiscoverOptions, discover};
use hikproto::{Device, Error, Secret};
use hikproto_sim::config::QuestionConfig;
use hikproto_sim::{DeviceConfig, Site};
use serde::Serialize;

use crate::output::{CliError, Output};

/// The admin password of the site's activated devices (shown: it is a simulator's).
const SITE_PASSWORD: &str = "Demo!Site2024";

/// Arguments of `hikproto demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Number of simulated devices on the site (5 to 64: the story needs five roles).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u16).range(5..=64))]
    devices: u16,
}

/// One step's outcome, for `--json`.
#[derive(Debug, Serialize)]
struct StepReport {
    step: &'static str,
    ok: bool,
    detail: String,
    millis: u128,
}

struct Demo<'a> {
    out: &'a Output,
    steps: Vec<StepReport>,
}

impl Demo<'_> {
    fn say(&self, line: impl AsRef<str>) {
        if !self.out.json {
            crate::outln!("{}", line.as_ref());
        }
    }

    fn heading(&self, n: usize, title: &str) {
        self.say(format!("\n{n}. {title}"));
    }

    fn record(&mut self, step: &'static str, t0: Instant, r: Result<String, CliError>) -> bool {
        let ok = r.is_ok();
        let detail = match r {
            Ok(d) => d,
            Err(e) => {
                self.say(format!("   FAILED: {e}"));
                e.to_string()
            }
        };
        self.steps.push(StepReport {
            step,
            ok,
            detail,
            millis: t0.elapsed().as_millis(),
        });
        ok
    }
}

fn sim_err(e: impl std::fmt::Display) -> CliError {
    CliError::Usage(format!("simulator: {e}"))
}

pub(crate) async fn run(a: Args, out: &Output) -> Result<ExitCode, CliError> {
    let n = usize::from(a.devices);
    let mut builder = Site::builder()
        .sadp_port(0)
        .https(true)
        .device(DeviceConfig::camera(0));
    for i in 1..n {
        let mut cfg = if i == 1 {
            DeviceConfig::nvr(i)
        } else {
            DeviceConfig::camera(i)
        };
        cfg = cfg.with_admin(SITE_PASSWORD);
        if i == n - 1 {
            cfg.security_questions = (1..=3)
                .map(|id| QuestionConfig {
                    id,
                    answer: Secret::new(format!("answer number {id}")),
                })
                .collect();
        }
        builder = builder.device(cfg);
    }
    let site = builder.start().await.map_err(sim_err)?;
    let mut demo = Demo {
        out,
        steps: Vec::new(),
    };
    demo.say(format!(
        "hikproto demo: a simulated site of {} on 127.0.0.1 (nothing leaves this machine)",
        crate::output::count(n, "device")
    ));
    for d in site.devices() {
        demo.say(format!(
            "   {:<18} {:<28} {}",
            d.model(),
            d.serial(),
            d.isapi_url()
        ));
    }

    let t = Instant::now();
    demo.heading(1, "Discover the devices on the LAN (SADP)");
    let r = step_discover(&demo, &site).await;
    demo.record("discover", t, r);

    let t = Instant::now();
    demo.heading(2, "Activate the factory-state camera");
    let r = step_activate(&demo, &site).await;
    let activated = demo.record("activate", t, r);

    let t = Instant::now();
    demo.heading(3, "Hik-Connect: verification code and platform access");
    let r = if activated {
        step_hik_connect(&demo, &site).await
    } else {
        Err(CliError::Usage("skipped: activation failed".into()))
    };
    demo.record("hik-connect", t, r);

    let t = Instant::now();
    demo.heading(4, "Fleet audit: every device's identity, concurrently");
    let r = step_fleet(&demo, &site).await;
    demo.record("fleet", t, r);

    let t = Instant::now();
    demo.heading(
        5,
        "Lock-out safety: a wrong password is tried once, never again",
    );
    let r = step_lockout(&demo, &site).await;
    demo.record("lockout", t, r);

    let t = Instant::now();
    demo.heading(6, "Password recovery by security questions");
    let r = step_recovery(&demo, &site).await;
    demo.record("recovery", t, r);

    let t = Instant::now();
    demo.heading(7, "Doctor: a camera shows \"Error 2020\" in the app");
    let r = step_doctor(&demo, &site).await;
    demo.record("doctor", t, r);

    site.shutdown().await;
    let failed = demo.steps.iter().filter(|s| !s.ok).count();
    if out.json {
        out.print(
            &serde_json::json!({ "devices": n, "steps": demo.steps }),
            String::new,
        );
    } else {
        crate::outln!(
            "\n{} of {} steps succeeded.",
            demo.steps.len() - failed,
            demo.steps.len()
        );
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn device(sim: &hikproto_sim::SimDevice, password: Option<&str>) -> Result<Device, CliError> {
    let mut b = Device::builder(sim.host()).timeout(Duration::from_secs(10));
    if let Some(p) = password {
        b = b.credentials("admin", p);
    }
    Ok(b.build()?)
}

async fn step_discover(demo: &Demo<'_>, site: &Site) -> Result<String, CliError> {
    let targets: Vec<_> = site
        .devices()
        .iter()
        .filter_map(|d| d.sadp_addr())
        .collect();
    let opts = DiscoverOptions::unicast(targets.clone())
        .timeout(Duration::from_secs(3))
        .expect(targets.len());
    let found = discover(&opts).await?;
    for d in &found {
        let pm = &d.info;
        demo.say(format!(
            "   {}  {:<18} {:<28} activated={}",
            d.mac,
            pm.device_description.as_deref().unwrap_or("-"),
            pm.device_sn.as_deref().unwrap_or("-"),
            pm.activated.map_or("?".into(), |b| b.to_string()),
        ));
    }
    let inactive = found
        .iter()
        .filter(|d| d.info.activated == Some(false))
        .count();
    if found.len() != targets.len() {
        return Err(CliError::Usage(format!(
            "found {} of {}",
            found.len(),
            crate::output::count(targets.len(), "device")
        )));
    }
    Ok(format!(
        "{} found, {inactive} not activated",
        crate::output::count(found.len(), "device")
    ))
}

async fn step_activate(demo: &Demo<'_>, site: &Site) -> Result<String, CliError> {
    let sim = site.device(0);
    let dev = device(sim, None)?;
    let weak = hikproto::keys::PasswordPolicy::standard().check("admin", "12345678");
    demo.say(format!(
        "   \"12345678\" is refused before anything is sent: {}",
        weak.explain()
    ));
    let password = Password::new("admin", SITE_PASSWORD)?;
    let report = dev.activate(&password).await?;
    demo.say(format!(
        "   activated {} with the {:?} flow (password strength: {}); one login verified it",
        sim.serial(),
        report.flow,
        password.strength()
    ));
    Ok(format!("{} activated", sim.serial()))
}

async fn step_hik_connect(demo: &Demo<'_>, site: &Site) -> Result<String, CliError> {
    let sim = site.device(0);
    let dev = device(sim, Some(SITE_PASSWORD))?;
    let generated = VerificationCode::generate();
    let code = VerificationCode::new_for_device(generated.expose(), sim.serial())?;
    dev.enable_platform_access(&code).await?;
    let ezviz = dev.wait_until_registered(Duration::from_secs(20)).await?;
    demo.say(format!(
        "   platform access enabled; registered={} (the code for the Hik-Connect app is {})",
        ezviz.is_registered(),
        code.expose()
    ));
    let ok = dev.check_verification_code(&code).await?;
    demo.say(format!(
        "   the device confirms the code without revealing it: {ok}"
    ));
    if !ezviz.is_registered() || !ok {
        return Err(CliError::Usage("the camera did not register".into()));
    }
    Ok("registered".into())
}

async fn step_fleet(demo: &Demo<'_>, site: &Site) -> Result<String, CliError> {
    let devices = site
        .devices()
        .iter()
        .map(|d| device(d, Some(SITE_PASSWORD)))
        .collect::<Result<Vec<_>, _>>()?;
    let results = Fleet::new()
        .concurrency(16)
        .run(devices, |d| async move { d.device_info().await })
        .await;
    for r in &results {
        match &r.outcome {
            Ok(info) => demo.say(format!(
                "   {:<24} {:<18} firmware {:<10} {} ms",
                r.device,
                info.model.as_deref().unwrap_or("-"),
                info.firmware_version.as_deref().unwrap_or("-"),
                r.elapsed.as_millis()
            )),
            Err(e) => demo.say(format!("   {:<24} error: {e}", r.device)),
        }
    }
    let s = Summary::of(&results);
    if s.failed != 0 {
        return Err(CliError::Usage(format!(
            "{} failed",
            crate::output::count(s.failed, "device")
        )));
    }
    Ok(format!("{} answered", crate::output::count(s.ok, "device")))
}

async fn step_lockout(demo: &Demo<'_>, site: &Site) -> Result<String, CliError> {
    let sim = site.device(2);
    let before = sim.stats();
    let dev = device(sim, Some("Wrong!Pass99"))?;
    match dev.device_info().await {
        Err(e @ Error::CredentialsRejected { .. }) => demo.say(format!("   first try: {e}")),
        other => {
            return Err(CliError::Usage(format!(
                "expected a rejection, got {other:?}"
            )));
        }
    }
    match dev.device_info().await {
        Err(e @ Error::CredentialLatched { .. }) => {
            demo.say(format!("   second try, refused by hikproto itself: {e}"));
        }
        other => {
            return Err(CliError::Usage(format!(
                "expected the latch, got {other:?}"
            )));
        }
    }
    let after = sim.stats();
    let failures = after.auth_failures - before.auth_failures;
    demo.say(format!(
        "   the device counted {failures} failed login(s); rejected credentials sent again: {}",
        after.repeated_rejected_credentials
    ));
    if after.repeated_rejected_credentials != 0 || failures != 1 {
        return Err(CliError::Usage("the guard let a repeat through".into()));
    }
    Ok("one failed attempt, no repeat".into())
}

async fn step_recovery(demo: &Demo<'_>, site: &Site) -> Result<String, CliError> {
    let sim = site.device(site.len() - 1);
    // the answers and the new password cannot use the field cipher (its key derives from the
    // lost password): they go inside TLS, the simulator's certificate pinned
    let open = Device::builder(sim.https_url().unwrap_or_default())
        .tls(hikproto::TlsMode::PinSha256(
            sim.cert_sha256().unwrap_or_default(),
        ))
        .timeout(Duration::from_secs(10))
        .build()?;
    let plan = open.recovery_plan().await?;
    let usable: Vec<String> = plan
        .routes
        .iter()
        .filter(|r| r.usable())
        .map(|r| format!("{:?}", r.method))
        .collect();
    demo.say(format!("   usable routes: {}", usable.join(", ")));
    let answers: Vec<QuestionAnswer> = (1..=3)
        .map(|id| QuestionAnswer::new(id, format!("answer number {id}")))
        .collect();
    let new = NewPassword::new("Rec0vered!Pw");
    let outcome = open.reset_with_security_answers(&answers, &new).await?;
    demo.say(format!(
        "   reset by {:?} inside TLS: {}",
        outcome.method,
        outcome.status.describe()
    ));
    let dev = device(sim, Some("Rec0vered!Pw"))?;
    let info = dev.device_info().await?;
    demo.say(format!(
        "   logged in with the new password: {}",
        info.serial_number.as_deref().unwrap_or("-")
    ));
    Ok("password reset by security answers".into())
}

async fn step_doctor(demo: &Demo<'_>, site: &Site) -> Result<String, CliError> {
    // device 3: activated, never touched by the steps above (recovery uses the last one)
    let healthy = crate::cmd::doctor::demo_section(site.device(3), SITE_PASSWORD, demo.out).await?;
    if !healthy {
        return Err(CliError::Usage(
            "the camera is not healthy after the fixes".into(),
        ));
    }
    Ok("two faults diagnosed and fixed; registered".into())
}
