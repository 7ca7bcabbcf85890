//! How the `hikproto` binary behaves around its commands: a closed stdout never makes it panic
//! (every command is run with its output pipe closed), every row of the README's exit-code
//! table is produced by a real situation, arguments the command line can check are refused
//! before anything reaches the device (the simulator's counters stay at zero), outcomes are
//! honest (`hik-connect wait` stops early when registration cannot happen), and logs never
//! carry raw terminal codes.

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hikproto_sim::{DeviceConfig, Fault, SimDevice, Site};
use serde_json::Value;

const ADMIN_PW: &str = "Hik!Vision2024";
const CODE: &str = "Hq7pRt2mW";

/// One run of the binary.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }
}

fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hikproto"));
    cmd.args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("HIKPROTO_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs the binary to completion.
async fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = command(args, env);
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("the binary runs"))
        .await
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the binary with its stdout pipe closed before it writes anything.
async fn run_stdout_closed(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = command(args, env);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("the binary runs");
        drop(child.stdout.take()); // the reader goes away at once
        let mut stderr = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        let status = child.wait().expect("the binary ends");
        Run {
            code: status.code(),
            stdout: String::new(),
            stderr,
        }
    })
    .await
    .unwrap()
}

async fn site(devices: Vec<DeviceConfig>) -> Site {
    let mut b = Site::builder();
    for d in devices {
        b = b.device(d);
    }
    b.start().await.expect("simulated site")
}

fn camera(index: usize) -> DeviceConfig {
    let mut c = DeviceConfig::camera(index).with_admin(ADMIN_PW);
    c.verification_code = Some(hikproto::Secret::new(CODE));
    c
}

const PW: (&str, &str) = ("HIKPROTO_PASSWORD", ADMIN_PW);

/// SADP arguments that reach no device (nothing listens on port 9): a quick "not found".
const NO_SADP_DEVICE: [&str; 4] = ["--target", "127.0.0.1:9", "--timeout", "0.3"];
/// A MAC no device has.
const NO_MAC: [&str; 2] = ["--mac", "00-11-22-33-44-55"];

/// Every leaf command of the binary, read from its own `--help`.
async fn leaf_commands() -> Vec<Vec<String>> {
    fn commands(help: &str) -> Vec<String> {
        help.lines()
            .skip_while(|l| !l.starts_with("Commands:"))
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .filter(|c| c != "help")
            .collect()
    }
    let mut out = Vec::new();
    let mut todo: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = todo.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let subs = commands(&run(&args, &[]).await.stdout);
        if subs.is_empty() {
            out.push(path);
        } else {
            for s in subs {
                let mut p = path.clone();
                p.push(s);
                todo.push(p);
            }
        }
    }
    out.sort();
    out
}

/// An invocation of each leaf command against the simulated device `h` (ISAPI) or an absent
/// SADP device: whatever it does, it prints a result or an error to stdout with `--json`.
fn invocation(leaf: &str, h: &str, dir: &std::path::Path) -> Vec<String> {
    let mac = [&NO_MAC[..], &NO_SADP_DEVICE].concat();
    let file = dir.join("file.bin").to_string_lossy().into_owned();
    let devices = dir.join("devices.csv").to_string_lossy().into_owned();
    let journal = dir.join("missing.journal").to_string_lossy().into_owned();
    let host = ["--host", h];
    let mut a: Vec<&str> = leaf.split(' ').collect();
    match leaf {
        "demo" | "discover" => {
            if leaf == "discover" {
                a.extend(NO_SADP_DEVICE);
            }
        }
        "decode" => a.push(&file),
        "request" => a.extend(["--host", h, "GET", "/ISAPI/System/deviceInfo"]),
        "doctor" | "info" | "activate" | "password" | "capture" => a.extend(host),
        l if l.starts_with("hik-connect")
            || l.starts_with("isup")
            || l.starts_with("network")
            || l.starts_with("users") =>
        {
            a.extend(host);
            match l {
                "users add" | "users delete" => a.extend(["--name", "op1"]),
                "network set-dns" => a.extend(["--primary", "8.8.8.8"]),
                "network set-ip" => a.extend(["--dhcp"]),
                "isup set" => a.push("--enable"),
                "hik-connect wait" => a.extend(["--timeout", "1"]),
                _ => {}
            }
        }
        l if l.starts_with("sadp") => {
            a.extend(mac);
            match l {
                "sadp set-ip" => a.push("--dhcp"),
                "sadp hc-platform" => a.push("--enable"),
                "sadp restore-inactive" => a.push("--yes"),
                _ => {}
            }
        }
        l if l.starts_with("fleet ") => {
            let (ip, port) = h.rsplit_once(':').unwrap();
            let text = format!("host,port,credential\n{ip},{port},env:HIKPROTO_PASSWORD\n");
            std::fs::write(&devices, text).unwrap();
            a.extend(["--devices", &devices]);
            match l {
                "fleet apply" => a.extend(["--ntp", "ntp.example.net", "--plan"]),
                // a resume of a journal that does not exist: refused before any device is touched
                "fleet rotate" => a.extend(["--journal", &journal, "--resume"]),
                _ => {}
            }
        }
        "recover plan" => a.extend(host),
        "recover factory-reset" => a.extend(["--host", h, "--mode", "basic"]),
        l if l.starts_with("recover prepare") => {
            a.extend(host);
            match l {
                "recover prepare guid" => a.extend(["--out", &file]),
                "recover prepare email" => a.extend(["--address", "a@example.com"]),
                _ => {}
            }
        }
        l if l.ends_with("-qr") || l == "recover export-key" => {
            a.extend(mac);
            a.extend(["--out", &file]);
        }
        "recover guid" | "recover import-reply" => {
            a.extend(mac);
            a.extend(["--file", &file]);
        }
        _ => a.extend(mac),
    }
    a.into_iter().map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_survives_a_closed_stdout() {
    let site = site(vec![camera(0)]).await;
    let h = site.device(0).host();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file.bin"), b"<DeviceInfo/>").unwrap();
    let leaves = leaf_commands().await;
    assert!(leaves.len() > 40, "{leaves:?}");
    let env = [
        PW,
        ("HIKPROTO_NEW_PASSWORD", "N3w-Passw0rd!z"),
        ("HIKPROTO_CODE", CODE),
        ("HIKPROTO_ISUP_KEY", "IsupK3y!2024x"),
        ("HIKPROTO_ANSWERS", "1=a;2=b;3=c"),
    ];
    for leaf in &leaves {
        let leaf = leaf.join(" ");
        let args = invocation(&leaf, &h, dir.path());
        let mut json: Vec<&str> = vec!["--json"];
        json.extend(args.iter().map(String::as_str));
        // with --json every outcome, result or error, goes to stdout: the command must end
        // quietly with the closed-pipe status
        let r = run_stdout_closed(&json, &env).await;
        assert!(!r.stderr.contains("panicked"), "{leaf}: {r:?}");
        assert_eq!(r.code, Some(141), "{leaf}: {r:?}");
        // the human report, and the help text, likewise never panic
        let human: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run_stdout_closed(&human, &env).await;
        assert!(
            !r.stderr.contains("panicked") && r.code != Some(101),
            "{leaf}: {r:?}"
        );
        let mut help: Vec<&str> = leaf.split(' ').collect();
        help.push("--help");
        let r = run_stdout_closed(&help, &[]).await;
        assert!(
            !r.stderr.contains("panicked") && r.code != Some(101),
            "{leaf}: {r:?}"
        );
    }
}

/// The README's exit-code table, one situation per row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_follow_the_table() {
    let mut bound = camera(1);
    bound.ezviz.enabled = true;
    let site = site(vec![camera(0), bound]).await;
    let h = site.device(0).host();
    let info = ["info", "--host", h.as_str()];

    // 0: success
    assert_eq!(run(&info, &[PW]).await.code, Some(0));
    // 1: a check answered no
    let r = run(
        &["hik-connect", "check-code", "--host", &h],
        &[PW, ("HIKPROTO_CODE", "Zz9yXw8vU")],
    )
    .await;
    assert_eq!(r.code, Some(1), "{r:?}");
    // 2: usage, refused before sending
    let r = run(&["info", "--host", "127.0.0.1:"], &[PW]).await;
    assert_eq!(r.code, Some(2), "{r:?}");
    // 3: credentials rejected
    let r = run(&info, &[("HIKPROTO_PASSWORD", "Wrong-Passw0rd!")]).await;
    assert_eq!(r.code, Some(3), "{r:?}");
    // 4: unreachable (a closed port), the doctor included, and a discovery short of --expect
    let closed = closed_port();
    let r = run(&["info", "--host", &closed, "--timeout", "3"], &[PW]).await;
    assert_eq!(r.code, Some(4), "{r:?}");
    let r = run(&["doctor", "--host", &closed, "--timeout", "3"], &[PW]).await;
    assert_eq!(r.code, Some(4), "{r:?}");
    let r = run(
        &[&["discover", "--expect", "1"][..], &NO_SADP_DEVICE].concat(),
        &[],
    )
    .await;
    assert_eq!(r.code, Some(4), "{r:?}");
    // 5: the device refused, or the operation did not take effect
    let r = run(
        &[
            "--json",
            "hik-connect",
            "wait",
            "--host",
            &h,
            "--timeout",
            "5",
        ],
        &[PW],
    )
    .await;
    assert_eq!(r.code, Some(5), "{r:?}");
    // 6: an answer that cannot be decoded
    site.device(1).set_fault(Fault::GarbageXml);
    let r = run(&["info", "--host", &site.device(1).host()], &[PW]).await;
    assert_eq!(r.code, Some(6), "{r:?}");
    site.device(1).clear_faults();
    // 8: the doctor found something (platform access is off on device 0)
    let r = run(&["doctor", "--host", &h], &[PW]).await;
    assert_eq!(r.code, Some(8), "{r:?}");
    // 141: stdout closed
    let r = run_stdout_closed(&info, &[PW]).await;
    assert_eq!(r.code, Some(141), "{r:?}");
}

/// An address nothing listens on.
fn closed_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let a = l.local_addr().unwrap();
    drop(l);
    a.to_string()
}

/// Arguments the command line can check never reach the device: its request counter stays at 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_happen_before_sending() {
    let site = site(vec![camera(0)]).await;
    let sim: &SimDevice = site.device(0);
    let h = sim.host();
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "recover",
            "factory-reset",
            "--host",
            &h,
            "--mode",
            "medium",
            "--yes",
        ],
        vec!["isup", "set", "--host", &h, "--protocol-version", "v9"],
        vec!["isup", "set", "--host", &h, "--device-id", "has space"],
        vec!["isup", "set", "--host", &h, "--server-port", "0"],
        vec![
            "hik-connect",
            "generate-code",
            "--host",
            &h,
            "--length",
            "4",
        ],
        vec!["info", "--host", "127.0.0.1:"],
        vec!["info", "--host", "127.0.0.1:70000"],
        vec!["demo", "--devices", "3"],
    ];
    for args in &cases {
        let r = run(args, &[PW]).await;
        assert_eq!(r.code, Some(2), "{args:?}: {r:?}");
        assert!(!r.stderr.contains("panicked"), "{r:?}");
    }
    assert_eq!(sim.stats().requests, 0, "{:?}", sim.stats());
}

/// `--pin-sha256` means HTTPS: it is never silently ignored over plain HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pin_implies_https() {
    let site = site(vec![camera(0)]).await;
    let sim = site.device(0);
    // a wrong pin against the plain-HTTP port: HTTPS is tried (and fails), never plain HTTP
    let pin = "00".repeat(32);
    let r = run(
        &[
            "info",
            "--host",
            &sim.host(),
            "--pin-sha256",
            &pin,
            "--timeout",
            "3",
        ],
        &[PW],
    )
    .await;
    assert_eq!(r.code, Some(4), "{r:?}");
    assert_eq!(
        sim.stats().requests,
        0,
        "no plain-HTTP request: {:?}",
        sim.stats()
    );
}

/// `hik-connect wait` gives up at once when registration cannot happen, with the reason and
/// the command that fixes it, and keeps its deadline otherwise.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_stops_early_when_registration_is_impossible() {
    let site = site(vec![camera(0)]).await;
    let h = site.device(0).host();
    let t = Instant::now();
    let r = run(
        &["hik-connect", "wait", "--host", &h, "--timeout", "30"],
        &[PW],
    )
    .await;
    assert_eq!(r.code, Some(5), "{r:?}");
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "waited out the deadline"
    );
    assert!(r.stderr.contains("disabled"), "{r:?}");
    assert!(r.stderr.contains("hikproto hik-connect enable"), "{r:?}");
}

/// Replacing the code of a device bound to an account needs --yes; nothing is written without.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_of_a_bound_device_need_confirmation() {
    let mut c = camera(0);
    c.ezviz.enabled = true;
    c.ezviz.bound_account = Some("owner@example.com".into());
    c.ezviz.bound_code = Some(hikproto::Secret::new(CODE));
    let site = site(vec![c]).await;
    let sim = site.device(0);
    let h = sim.host();
    let put = |s: &SimDevice| -> u64 {
        let st = s.stats();
        st.endpoints
            .iter()
            .filter(|(k, _)| k.starts_with("PUT ") || k.starts_with("POST "))
            .map(|(_, n)| n)
            .sum()
    };
    let before = put(sim);
    for args in [
        vec!["hik-connect", "generate-code", "--host", h.as_str()],
        vec!["hik-connect", "set-code", "--host", h.as_str()],
    ] {
        let r = run(&args, &[PW, ("HIKPROTO_CODE", "Nw8bQ2zKx")]).await;
        assert_eq!(r.code, Some(2), "{r:?}");
        assert!(
            r.stderr.contains("bound") && r.stderr.contains("--yes"),
            "{r:?}"
        );
    }
    assert_eq!(put(sim), before, "nothing written");
    let r = run(
        &[
            "--json",
            "hik-connect",
            "generate-code",
            "--host",
            &h,
            "--yes",
        ],
        &[PW],
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(put(sim) > before);
}

/// `operateCode` is hidden unless asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operate_code_is_hidden_unless_asked() {
    let site = site(vec![camera(0)]).await;
    let h = site.device(0).host();
    let r = run(&["--json", "hik-connect", "status", "--host", &h], &[PW]).await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.json().get("operateCode").is_none(), "{r:?}");
    let r = run(
        &[
            "--json",
            "hik-connect",
            "status",
            "--host",
            &h,
            "--reveal-operate-code",
        ],
        &[PW],
    )
    .await;
    assert!(r.json().get("operateCode").is_some(), "{r:?}");
}

/// Logs on a pipe carry no terminal codes; with --json they are JSON lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_are_plain_off_a_terminal_and_json_with_json() {
    let site = site(vec![camera(0)]).await;
    let h = site.device(0).host();
    let r = run(&["-v", "info", "--host", &h], &[PW]).await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(!r.stderr.is_empty(), "-v logs something");
    assert!(!r.stderr.contains('\x1b'), "{r:?}");
    let r = run(&["-v", "--json", "info", "--host", &h], &[PW]).await;
    assert_eq!(r.code, Some(0), "{r:?}");
    for line in r.stderr.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        assert!(v["log"].is_string() && v["message"].is_string(), "{line}");
    }
    assert!(!r.stderr.contains(ADMIN_PW));
    // -v shows what SADP commands do
    let r = run(
        &[&["-v", "sadp", "blink"][..], &NO_MAC, &NO_SADP_DEVICE].concat(),
        &[],
    )
    .await;
    assert_eq!(r.code, Some(4), "{r:?}");
    assert!(r.stderr.contains("SADP: searching"), "{r:?}");
    // a secret missing with no terminal: what to do, without the operating system's noise
    let r = run(&["info", "--host", &h], &[]).await;
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("HIKPROTO_PASSWORD"), "{r:?}");
    assert!(!r.stderr.contains("os error"), "{r:?}");
}

/// The doctor never calls a device it could not read healthy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_doctor_reports_what_it_could_not_check() {
    let mut c = camera(0);
    c.ezviz.enabled = true;
    let site = site(vec![c]).await;
    let sim = site.device(0);
    let h = sim.host();
    for fault in [Fault::Http500, Fault::GarbageXml] {
        sim.clear_faults();
        sim.set_fault(fault);
        let r = run(&["--json", "doctor", "--host", &h, "--timeout", "3"], &[PW]).await;
        assert_eq!(r.code, Some(8), "{fault:?}: {r:?}");
        let report = &r.json()["doctor"]["report"];
        assert_eq!(report["healthy"], false, "{fault:?}: {report}");
        let unchecked = report["unchecked"].as_array().unwrap();
        assert!(!unchecked.is_empty(), "{fault:?}: {report}");
        assert!(unchecked.iter().all(|u| u["reason"].is_string()));
        let r = run(&["doctor", "--host", &h, "--timeout", "3"], &[PW]).await;
        assert!(r.stdout.contains("NOT CHECKED"), "{r:?}");
        // the command line names commands, not library calls
        assert!(
            !r.stdout.contains("hikproto::") && !r.stdout.contains("API:"),
            "{r:?}"
        );
    }
    // a device that answers too late or drops every connection: unreachable, never healthy
    for fault in [
        Fault::Latency(Duration::from_secs(5)),
        Fault::DropConnections,
    ] {
        sim.clear_faults();
        sim.set_fault(fault);
        let r = run(&["--json", "doctor", "--host", &h, "--timeout", "2"], &[PW]).await;
        assert_eq!(r.code, Some(4), "{fault:?}: {r:?}");
        let report = &r.json()["doctor"]["report"];
        assert_eq!(report["healthy"], false, "{fault:?}: {report}");
        assert_eq!(
            report["findings"][0]["id"], "device.unreachable",
            "{report}"
        );
    }
}

/// `sadp unbind` succeeds only when the device confirms the release; an offline platform is a
/// failure with the reason and what to do, and the device stays bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sadp_unbind_reports_only_a_confirmed_release() {
    use hikproto_sim::sadp::{
        DeviceView, MemoryDevice, Quirks, Registration, Responder, ResponderConfig,
    };
    let dev = MemoryDevice::new(DeviceView::camera(1).with_password(ADMIN_PW));
    dev.update(|v| {
        v.platform_enabled = true;
        v.bound_account = Some("installer@example.com".into());
        v.platform_online = false;
    });
    let resp = Responder::start(
        ResponderConfig::loopback(),
        vec![Registration::new(dev.clone(), Quirks::default())],
    )
    .await
    .expect("SADP responder");
    let target = resp.local_addr().to_string();
    let mac = dev.view().mac;
    let args = [
        "--json",
        "sadp",
        "unbind",
        "--mac",
        &mac,
        "--target",
        &target,
        "--timeout",
        "3",
    ];
    let r = run(&args, &[PW]).await;
    assert_eq!(r.code, Some(5), "{r:?}");
    assert!(
        r.stderr.contains("offlineHCPlatform") && r.stderr.contains("hint:"),
        "{r:?}"
    );
    assert_eq!(r.json()["error"]["kind"], "failed", "{r:?}");
    assert!(dev.view().bound_account.is_some(), "still bound");
    dev.update(|v| v.platform_online = true);
    let r = run(&args, &[PW]).await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.json()["unbound"], true, "{r:?}");
    assert!(dev.view().bound_account.is_none());
}

/// A GUID file whose sidecar names another device is refused over ISAPI as over SADP: the
/// device's identity is checked over SADP first, and none of its tries is spent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guid_file_of_another_device_is_refused_before_sending() {
    let site = Site::builder()
        .sadp_port(0)
        .device(camera(0))
        .device(camera(1))
        .start()
        .await
        .expect("simulated site");
    let (a, b) = (site.device(0), site.device(1));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.guid");
    let f = file.to_str().unwrap();
    let r = run(
        &[
            "recover",
            "prepare",
            "guid",
            "--host",
            &a.host(),
            "--out",
            f,
        ],
        &[PW],
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    let before = b.stats().requests;
    let sadp = b.sadp_addr().expect("a SADP responder").to_string();
    let r = run(
        &[
            "recover",
            "guid",
            "--host",
            &b.host(),
            "--target",
            &sadp,
            "--file",
            f,
        ],
        &[("HIKPROTO_NEW_PASSWORD", "N3w-Passw0rd!z")],
    )
    .await;
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("belongs to the device with serial"),
        "{r:?}"
    );
    assert_eq!(
        b.stats().requests,
        before,
        "nothing sent to the device: {:?}",
        b.stats()
    );
    assert!(b.password("admin").is_some_and(|p| p.expose() == ADMIN_PW));
}

/// A QR payload written to --out is not echoed to the terminal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_payloads_written_to_a_file_are_not_echoed() {
    let mut cam = camera(0);
    cam.ezviz.enabled = true;
    cam.ezviz.bound_account = Some("owner@example.net".into());
    let site = site(vec![cam]).await;
    let h = site.device(0).host();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.qr");
    let f = file.to_str().unwrap();
    for json in [false, true] {
        let mut args = vec!["recover", "app-qr", "--host", h.as_str(), "--out", f];
        if json {
            args.insert(0, "--json");
        }
        let r = run(&args, &[]).await;
        assert_eq!(r.code, Some(0), "{r:?}");
        let text = std::fs::read_to_string(&file).unwrap().trim().to_owned();
        assert!(text.len() > 8, "{text}");
        assert!(
            !r.stdout.contains(&text) && !r.stderr.contains(&text),
            "{r:?}"
        );
    }
}
