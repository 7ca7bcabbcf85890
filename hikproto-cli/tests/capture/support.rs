//! What every capture test shares: simulator A, running `hikproto capture`, simulator B from
//! the file, and raw unauthenticated requests.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use hikproto::Device;
use hikproto::Secret;
use hikproto_sim::config::{AuthMode, EhomeConfig, NamespaceStyle, UnauthorizedBody, UserConfig};
use hikproto_sim::{DeviceConfig, Personality, SimDevice, Site, SiteConfig};
use serde_json::{Value, json};

pub(crate) const ADMIN_PW: &str = "Hik!Vision2024";
pub(crate) const OP_PW: &str = "Op3rator#Pass";
pub(crate) const CODE: &str = "Hq7pRt2mW";
pub(crate) const ISUP_KEY: &str = "IsupK3y!2024x";
pub(crate) const NAME: &str = "Lobby camera 7";
pub(crate) const IP: &str = "10.20.30.40";
pub(crate) const GATEWAY: &str = "10.20.30.1";

pub(crate) fn personalities() -> Vec<(&'static str, Personality)> {
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
        (
            "fresh-nonce-only",
            Personality::nvr()
                .nonce_reuse(false)
                .unauthorized_body(UnauthorizedBody::Empty),
        ),
    ]
}

/// The nonce behaviour a capture should record for a personality (`None`: no Digest).
pub(crate) fn expected_nonce(p: &Personality) -> Value {
    match (p.auth, p.nonce_reuse) {
        (AuthMode::Basic, _) => Value::Null,
        (_, true) => json!({ "reuse_accepted": true }),
        (_, false) => json!({ "reuse_accepted": false, "refusal_counted": false }),
    }
}

pub(crate) fn device_a(p: Personality) -> DeviceConfig {
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

pub(crate) fn capture(host: &str, file: &Path, keep_identity: bool) -> String {
    capture_with(host, file, keep_identity, &[])
}

/// `hikproto capture` with extra arguments; the site file's text.
pub(crate) fn capture_with(host: &str, file: &Path, keep_identity: bool, extra: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hikproto"));
    cmd.args(["--json", "capture", "--host", host, "-o"])
        .arg(file)
        .args(extra)
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
pub(crate) async fn site_from(file: &Path) -> Site {
    site_from_with(file, |_| {}).await
}

/// [`site_from`] with the site's settings changed by `tweak` first.
pub(crate) async fn site_from_with(file: &Path, tweak: impl FnOnce(&mut SiteConfig)) -> Site {
    let mut cfg = SiteConfig::from_file(file).unwrap();
    tweak(&mut cfg);
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
pub(crate) fn j<T: serde::Serialize>(x: hikproto::Result<T>) -> Value {
    match x {
        Ok(v) => serde_json::to_value(v).unwrap(),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

/// Everything the client reads, as JSON.
pub(crate) async fn reads(d: &SimDevice) -> Value {
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

/// An answer to a request without credentials, as sent.
pub(crate) struct Raw {
    pub(crate) status: u16,
    pub(crate) www: Vec<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// `GET /ISAPI/System/deviceInfo` without credentials, on a connection of its own.
pub(crate) async fn unauthenticated(base: &str) -> Raw {
    unauthenticated_with(reqwest::Client::builder(), base).await
}

pub(crate) async fn unauthenticated_with(b: reqwest::ClientBuilder, base: &str) -> Raw {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = b
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(0)
        .no_proxy()
        .build()
        .unwrap();
    let resp = client
        .get(format!("{base}/ISAPI/System/deviceInfo"))
        .send()
        .await
        .unwrap();
    let h = resp.headers();
    let www = h
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let content_type = h
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    Raw {
        status: resp.status().as_u16(),
        www,
        content_type,
        body: resp.bytes().await.unwrap().to_vec(),
    }
}

/// A challenge header with its single-use values (nonce, opaque) blanked: what must stay the
/// same from one answer to the next.
pub(crate) fn blank(h: &str) -> String {
    let mut out = h.to_owned();
    for name in ["nonce=\"", "opaque=\""] {
        if let Some(i) = out.find(name) {
            let start = i + name.len();
            if let Some(len) = out[start..].find('"').filter(|l| *l > 0) {
                out.replace_range(start..start + len, "…");
            }
        }
    }
    out
}

pub(crate) fn shape_of(headers: &[String]) -> Vec<String> {
    headers.iter().map(|h| blank(h)).collect()
}

pub(crate) fn shape(headers: &[Value]) -> Vec<String> {
    headers.iter().map(|h| blank(h.as_str().unwrap())).collect()
}

/// Simulator A (a camera) and its capture in `dir`.
pub(crate) async fn captured_camera(dir: &Path) -> (Site, std::path::PathBuf) {
    let a = Site::builder()
        .device(device_a(Personality::camera()))
        .start()
        .await
        .unwrap();
    let file = dir.join("a.json");
    capture(&a.device(0).host(), &file, false);
    (a, file)
}

/// Simulator A (a camera with a SADP responder) and its capture with `--sadp` in `dir`: the
/// site, the file and its text.
pub(crate) async fn sadp_captured_camera(dir: &Path) -> (Site, std::path::PathBuf, String) {
    let a = Site::builder()
        .device(device_a(Personality::camera()))
        .sadp_port(0)
        .start()
        .await
        .unwrap();
    let port = a.device(0).sadp_addr().expect("SADP responder").port();
    let file = dir.join("sadp.json");
    let text = capture_with(
        &a.device(0).host(),
        &file,
        false,
        &["--sadp", "--sadp-port", &port.to_string()],
    );
    (a, file, text)
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
