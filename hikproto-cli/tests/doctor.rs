//! `hikproto doctor` as a user runs it, against an in-process simulated site (loopback only).

use std::process::{Command, Output};

use hikproto::Secret;
use hikproto_sim::{DeviceConfig, Site};

const PASSWORD: &str = "Gx7!pLm2qR";
const CODE: &str = "Hk7Q2mZx";

fn healthy(i: usize) -> DeviceConfig {
    let mut c = DeviceConfig::camera(i).with_admin(PASSWORD);
    c.verification_code = Some(Secret::new(CODE));
    c.ezviz.enabled = true;
    c
}

async fn hikproto(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_hikproto"))
            .args(&args)
            .env("HIKPROTO_PASSWORD", PASSWORD)
            .env("HIKPROTO_CODE", CODE)
            .output()
            .expect("runs")
    })
    .await
    .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_host_fleet_json_and_fix() {
    let mut broken = healthy(1);
    broken.ezviz.enabled = false;
    broken.network.dns2 = broken.network.dns1.clone();
    let site = Site::builder()
        .device(healthy(0))
        .device(broken)
        .sadp_port(0)
        .start()
        .await
        .unwrap();
    let (h0, h1) = (site.device(0).host(), site.device(1).host());

    // A healthy device, with the code the app stores checked too.
    let mut printed = String::new();
    let o = hikproto(args(&["doctor", "--host", &h0, "--code"])).await;
    let t = text(&o);
    printed.push_str(&t);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("No problem found"), "{t}");

    // The broken one, as JSON: exit 8 and exactly its findings.
    let sadp = site.device(1).sadp_addr().unwrap().to_string();
    let o = hikproto(args(&["--json", "doctor", "--host", &h1, "--sadp", &sadp])).await;
    printed.push_str(&text(&o));
    assert_eq!(o.status.code(), Some(8), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v["doctor"]["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["platform.disabled", "dns.equal"]);
    assert!(v["newCode"].is_null());
    // The SADP view was read too (`HCPlatformEnable` is evidence next to the ISAPI value).
    assert_eq!(
        v["doctor"]["facts"]["sadp"]["known"]["hcPlatformEnabled"], false,
        "{v}"
    );

    // The fleet, fixed: every device healthy afterwards, one line each and a summary.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("hosts.csv");
    std::fs::write(&csv, format!("host,user\n{h0}\n{h1},admin\n")).unwrap();
    // not from a terminal, a fleet fix needs --yes; nothing is asked of the devices
    let before = site.device(1).stats().requests;
    let o = hikproto(args(&["doctor", "--fleet", csv.to_str().unwrap(), "--fix"])).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--yes"), "{}", text(&o));
    assert_eq!(site.device(1).stats().requests, before);
    let o = hikproto(args(&[
        "doctor",
        "--fleet",
        csv.to_str().unwrap(),
        "--fix",
        "--yes",
        "--settle",
        "2",
    ]))
    .await;
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains(&format!("{h1}  fixing: dns.equal, platform.disabled")),
        "{t}"
    );
    assert!(t.contains("2 devices: 2 healthy, 0 with findings"), "{t}");
    assert!(
        site.platform()
            .record(site.device(1).serial())
            .unwrap()
            .registered
    );
    let cfg = site.device(1).config();
    assert_ne!(cfg.network.dns1, cfg.network.dns2);

    // Secrets never printed (no new code was set here).
    assert!(
        !printed.contains(PASSWORD) && !printed.contains(CODE),
        "{printed}"
    );
    site.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_then_undo_from_the_saved_report() {
    let mut broken = healthy(0);
    broken.ezviz.enabled = false;
    broken.network.dns1 = "0.0.0.0".into();
    broken.network.dns2 = String::new();
    broken.time.clock_offset_secs = 3 * 3600;
    let site = Site::builder().device(broken).start().await.unwrap();
    let sim = site.device(0);
    let h = sim.host();
    let before = sim.config();
    let o = hikproto(args(&[
        "--json", "doctor", "--host", &h, "--fix", "--settle", "1",
    ]))
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let fixed = sim.config();
    assert_eq!(fixed.time.mode, "manual");
    assert!(fixed.ezviz.enabled);
    assert_ne!(fixed.network.dns1, before.network.dns1);
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("fixed.json");
    std::fs::write(&saved, &o.stdout).unwrap();
    let o = hikproto(args(&[
        "doctor",
        "--host",
        &h,
        "--undo",
        saved.to_str().unwrap(),
    ]))
    .await;
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert_eq!(t.matches("undone:").count(), 3, "{t}");
    let now = sim.config();
    assert_eq!(now.time.mode, before.time.mode, "NTP back on");
    assert_eq!(now.time.ntp_server, before.time.ntp_server);
    assert_eq!(now.ezviz.enabled, before.ezviz.enabled);
    // no DNS server again (written back empty: devices refuse 0.0.0.0 as an address)
    assert_eq!(
        (now.network.dns1.as_str(), now.network.dns2.as_str()),
        ("", "")
    );
    // --undo needs a saved result with recorded values
    std::fs::write(&saved, "{}").unwrap();
    let o = hikproto(args(&[
        "doctor",
        "--host",
        &h,
        "--undo",
        saved.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    site.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_the_doctor_and_ends_healthy() {
    let o = hikproto(args(&["demo", "--devices", "5"])).await;
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains("platform.disabled") && t.contains("dns.missing"),
        "{t}"
    );
    assert!(t.contains("platform registration: registered"), "{t}");
}

#[test]
fn usage_errors() {
    let o = Command::new(env!("CARGO_BIN_EXE_hikproto"))
        .args(["doctor"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "neither --host nor --fleet");
}

/// Runs `hikproto ARGS` on a terminal (a pseudo-terminal made by `script`), typing `input`.
async fn on_terminal(args: &[&str], input: &'static str) -> (bool, String) {
    let line = std::iter::once(env!("CARGO_BIN_EXE_hikproto"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let mut child = Command::new("script")
            .args(["-q", "-e", "-c", &line, "/dev/null"])
            .env("HIKPROTO_PASSWORD", PASSWORD)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("script(1) runs (util-linux)");
        // the answer waits until the question is on the terminal: typed-ahead input is kept by
        // the terminal, so it reaches the prompt's read either way
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        (o.status.success(), text(&o))
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_fix_asks_on_a_terminal_and_does_nothing_unless_told_yes() {
    let mut broken = healthy(1);
    broken.ezviz.enabled = false;
    let site = Site::builder()
        .device(healthy(0))
        .device(broken)
        .start()
        .await
        .unwrap();
    let (h0, h1) = (site.device(0).host(), site.device(1).host());
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("hosts.csv");
    std::fs::write(&csv, format!("host,user\n{h0}\n{h1},admin\n")).unwrap();
    let fleet = csv.to_str().unwrap();
    let cmd = ["doctor", "--fleet", fleet, "--fix", "--settle", "2"];

    // "n": the plan is shown, the question asked, nothing written
    let writes = |s: &Site| {
        s.device(1)
            .received_requests()
            .iter()
            .filter(|r| r.method != "GET")
            .count()
    };
    let before = writes(&site);
    let (_, t) = on_terminal(&cmd, "n\n").await;
    assert!(
        t.contains(&format!("{h1}: ")),
        "the plan names the device: {t}"
    );
    assert!(t.contains("Apply these"), "the question is asked: {t}");
    assert!(t.contains("No change made."), "{t}");
    assert_eq!(writes(&site), before, "nothing was written to the device");
    assert!(!site.device(1).config().ezviz.enabled);

    // "y": the fixes are applied
    let (ok, t) = on_terminal(&cmd, "y\n").await;
    assert!(ok, "{t}");
    assert!(t.contains("Apply these"), "{t}");
    assert!(t.contains("2 devices: 2 healthy, 0 with findings"), "{t}");
    assert!(site.device(1).config().ezviz.enabled);
    assert!(!t.contains(PASSWORD), "{t}");
    site.shutdown().await;
}
