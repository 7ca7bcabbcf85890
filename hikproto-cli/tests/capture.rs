//! `hikproto capture` round trips: simulator A (one per personality) → capture → simulator B
//! from the site file → a second capture identical to the first, and the client reads the same
//! from A and B. The file holds no secret and, without `--keep-identity`, none of A's
//! identifiers.

use std::path::Path;
use std::process::Command;

use hikproto::Device;
use hikproto::Secret;
use hikproto_sim::config::{AuthMode, EhomeConfig, NamespaceStyle, UnauthorizedBody, UserConfig};
use hikproto_sim::{DeviceConfig, Personality, SimDevice, Site, SiteConfig};
use serde_json::{Value, json};

const ADMIN_PW: &str = "Hik!Vision2024";
const OP_PW: &str = "Op3rator#Pass";
const CODE: &str = "Hq7pRt2mW";
const ISUP_KEY: &str = "IsupK3y!2024x";
const NAME: &str = "Lobby camera 7";
const IP: &str = "10.20.30.40";
const GATEWAY: &str = "10.20.30.1";

fn personalities() -> Vec<(&'static str, Personality)> {
    vec![
        ("camera", Personality::camera()),
        ("nvr", Personality::nvr()),
        ("legacy", Personality::legacy()),
        (
            "sha256-isapi",
            Personality::camera()
                .auth(AuthMode::DigestSha256)
                .namespace(NamespaceStyle::IsapiV20)
                .unauthorized_body(UnauthorizedBody::ResponseStatus),
        ),
        (
            "multi-digest",
            Personality::camera()
                .auth(AuthMode::DigestMulti)
                .namespace(NamespaceStyle::HikvisionV10),
        ),
    ]
}

fn device_a(p: Personality) -> DeviceConfig {
    let mut d = DeviceConfig::camera(7)
        .with_admin(ADMIN_PW)
        .with_personality(p);
    d.name = NAME.into();
    d.verification_code = Some(Secret::new(CODE));
    d.ezviz.enabled = true;
    d.network.ip = IP.into();
    d.network.gateway = GATEWAY.into();
    d.users.push(UserConfig {
        id: 2,
        name: "op".into(),
        password: Secret::new(OP_PW),
        level: "Operator".into(),
        ..UserConfig::default()
    });
    d.ehome.push(EhomeConfig {
        key: Some(Secret::new(ISUP_KEY)),
        ..EhomeConfig::default()
    });
    d
}

fn capture(host: &str, file: &Path, keep_identity: bool) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hikproto"));
    cmd.args(["--json", "capture", "--host", host, "-o"])
        .arg(file)
        .env("HIKPROTO_PASSWORD", ADMIN_PW)
        .stdin(std::process::Stdio::null());
    if keep_identity {
        cmd.arg("--keep-identity");
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for s in [ADMIN_PW, OP_PW, CODE, ISUP_KEY] {
        assert!(!stdout.contains(s) && !stderr.contains(s), "{s} printed");
    }
    std::fs::read_to_string(file).unwrap()
}

/// Simulator B from a captured file: the operator sets the admin password the file cannot hold.
async fn site_from(file: &Path) -> Site {
    let mut cfg = SiteConfig::from_file(file).unwrap();
    for u in &mut cfg.devices[0].users {
        if u.id == 1 {
            u.password = Secret::new(ADMIN_PW);
        }
    }
    hikproto_sim::SiteBuilder::from_config(cfg)
        .start()
        .await
        .unwrap()
}

/// A read as JSON, or its error.
fn j<T: serde::Serialize>(x: hikproto::Result<T>) -> Value {
    match x {
        Ok(v) => serde_json::to_value(v).unwrap(),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

/// Everything the client reads, as JSON.
async fn reads(d: &SimDevice) -> Value {
    let dev = Device::builder(d.host())
        .credentials("admin", Secret::new(ADMIN_PW))
        .build()
        .unwrap();
    json!({
        "deviceInfo": j(dev.device_info().await),
        "capabilities": j(dev.capabilities().await),
        "securityCapabilities": j(dev.security_capabilities().await),
        "ezviz": j(dev.ezviz().await),
        "interfaces": j(dev.network_interfaces().await),
        "time": j(dev.time().await),
        "ntp": j(dev.ntp_servers().await),
        "users": j(dev.users().await),
        "adminAccesses": j(dev.admin_accesses().await),
        "activation": j(dev.activation_status().await),
        "extern": j(dev.extern_security_capabilities().await),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_round_trip_for_every_personality() {
    let dir = tempfile::tempdir().unwrap();
    for (name, p) in personalities() {
        let a = Site::builder().device(device_a(p)).start().await.unwrap();
        let da = a.device(0);
        let anon = dir.path().join(format!("{name}-a.json"));
        let text = capture(&da.host(), &anon, false);
        let kept = dir.path().join(format!("{name}-a-kept.json"));
        let kept_text = capture(&da.host(), &kept, true);

        // no secret in either file, and no identifier of A in the anonymised one
        for s in [ADMIN_PW, OP_PW, CODE, ISUP_KEY] {
            assert!(
                !text.contains(s) && !kept_text.contains(s),
                "{name}: {s} captured"
            );
        }
        let mac_dashes = da.mac().replace(':', "-");
        for id in [
            da.serial(),
            da.short_serial(),
            da.mac(),
            &mac_dashes,
            NAME,
            IP,
            GATEWAY,
        ] {
            assert!(
                !text.to_ascii_lowercase().contains(&id.to_ascii_lowercase()),
                "{name}: identifier {id} in the anonymised capture"
            );
        }
        assert!(
            kept_text.contains(da.serial()),
            "{name}: --keep-identity lost the serial"
        );

        // the documents were read
        let site: Value = serde_json::from_str(&text).unwrap();
        let docs = &site["devices"][0]["captured"]["documents"];
        for p in [
            "/ISAPI/System/deviceInfo",
            "/ISAPI/System/capabilities",
            "/ISAPI/Security/users",
            "/ISAPI/System/Network/EZVIZ",
        ] {
            assert!(docs.get(p).is_some(), "{name}: {p} not captured: {docs}");
        }
        assert!(
            site["devices"][0]["captured"]["challenge"]["status"] == 401,
            "{name}"
        );

        // B plays the capture: a second capture is identical, the client reads the same
        for (file, first) in [(&anon, &text), (&kept, &kept_text)] {
            let b = site_from(file).await;
            let again = dir.path().join(format!("{name}-b.json"));
            let second = capture(&b.device(0).host(), &again, file == &kept);
            assert_eq!(
                &second, first,
                "{name}: the capture of B differs from the capture of A"
            );
            if file == &kept {
                let (mut ra, mut rb) = (reads(da).await, reads(b.device(0)).await);
                // the clock moves on between the two reads
                for r in [&mut ra, &mut rb] {
                    assert!(
                        r["time"]["localTime"]
                            .as_str()
                            .is_some_and(|t| t.len() >= 19),
                        "{name}"
                    );
                    r["time"]["localTime"] = Value::Null;
                }
                for k in [
                    "deviceInfo",
                    "capabilities",
                    "users",
                    "ezviz",
                    "interfaces",
                    "time",
                ] {
                    assert!(ra[k].get("error").is_none(), "{name}: {k}: {}", ra[k]);
                }
                assert_eq!(ra["users"].as_array().map(Vec::len), Some(2), "{name}");
                assert_eq!(ra, rb, "{name}: reads differ");
            }
            b.shutdown().await;
        }
        a.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_go_through_the_state_machine() {
    let dir = tempfile::tempdir().unwrap();
    let a = Site::builder()
        .device(device_a(Personality::camera()))
        .start()
        .await
        .unwrap();
    let file = dir.path().join("a.json");
    capture(&a.device(0).host(), &file, false);
    let b = site_from(&file).await;
    let dev = Device::builder(b.device(0).host())
        .credentials("admin", Secret::new(ADMIN_PW))
        .build()
        .unwrap();
    // the captured document, verbatim
    let before = dev.ezviz().await.unwrap();
    assert_eq!(before.enabled, Some(true));
    dev.disable_platform_access().await.unwrap();
    // after the write, the state machine answers
    assert_eq!(dev.ezviz().await.unwrap().enabled, Some(false));
    // documents nobody wrote are still the captured ones
    let info = dev.device_info().await.unwrap();
    assert_eq!(info.device_name.as_deref(), Some("Captured device"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sadp_answer_is_captured_without_identifiers() {
    let dir = tempfile::tempdir().unwrap();
    let a = Site::builder()
        .device(device_a(Personality::camera()))
        .sadp_port(0)
        .start()
        .await
        .unwrap();
    let da = a.device(0);
    let port = da.sadp_addr().expect("SADP responder").port();
    let file = dir.path().join("sadp.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hikproto"));
    let out = cmd
        .args([
            "capture",
            "--sadp",
            "--sadp-port",
            &port.to_string(),
            "--host",
            &da.host(),
            "-o",
        ])
        .arg(&file)
        .env("HIKPROTO_PASSWORD", ADMIN_PW)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let site: Value = serde_json::from_str(&text).unwrap();
    let pm = site["devices"][0]["captured"]["sadp_probe_match"]
        .as_str()
        .expect("the ProbeMatch");
    assert!(pm.contains("<ProbeMatch"), "{pm}");
    let d = hikproto::decode::decode_any(pm.as_bytes()).unwrap();
    assert_eq!(d.kind, "SadpProbeMatch");
    let mac_dashes = da.mac().replace(':', "-");
    for id in [da.serial(), da.short_serial(), da.mac(), &mac_dashes] {
        assert!(
            !text.to_ascii_lowercase().contains(&id.to_ascii_lowercase()),
            "{id} in {pm}"
        );
    }
    a.shutdown().await;
}
