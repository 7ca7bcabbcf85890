//! `hikproto capture` round trips: simulator A (one per personality) → capture → simulator B
//! from the site file → a second capture identical to the first, and the client reads the same
//! from A and B. The file holds no secret and, without `--keep-identity`, none of A's
//! identifiers.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use hikproto::Device;
use hikproto::Secret;
use hikproto_sim::captured::set_element_text;
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
        (
            "fresh-nonce-only",
            Personality::nvr()
                .nonce_reuse(false)
                .unauthorized_body(UnauthorizedBody::Empty),
        ),
    ]
}

/// The nonce behaviour a capture should record for a personality (`None`: no Digest).
fn expected_nonce(p: &Personality) -> Value {
    match (p.auth, p.nonce_reuse) {
        (AuthMode::Basic, _) => Value::Null,
        (_, true) => json!({ "reuse_accepted": true }),
        (_, false) => json!({ "reuse_accepted": false, "refusal_counted": false }),
    }
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
    capture_with(host, file, keep_identity, &[])
}

/// `hikproto capture` with extra arguments; the site file's text.
fn capture_with(host: &str, file: &Path, keep_identity: bool, extra: &[&str]) -> String {
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
async fn site_from(file: &Path) -> Site {
    site_from_with(file, |_| {}).await
}

/// [`site_from`] with the site's settings changed by `tweak` first.
async fn site_from_with(file: &Path, tweak: impl FnOnce(&mut SiteConfig)) -> Site {
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

/// An answer to a request without credentials, as sent.
struct Raw {
    status: u16,
    www: Vec<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// `GET /ISAPI/System/deviceInfo` without credentials, on a connection of its own.
async fn unauthenticated(base: &str) -> Raw {
    unauthenticated_with(reqwest::Client::builder(), base).await
}

async fn unauthenticated_with(b: reqwest::ClientBuilder, base: &str) -> Raw {
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
fn blank(h: &str) -> String {
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

fn shape_of(headers: &[String]) -> Vec<String> {
    headers.iter().map(|h| blank(h)).collect()
}

fn shape(headers: &[Value]) -> Vec<String> {
    headers.iter().map(|h| blank(h.as_str().unwrap())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_round_trip_for_every_personality() {
    let dir = tempfile::tempdir().unwrap();
    for (name, p) in personalities() {
        let nonce = expected_nonce(&p);
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
        let captured = &site["devices"][0]["captured"];
        assert!(captured["challenge"]["status"] == 401, "{name}");
        // the 401 as A sent it: headers, content type and body
        let raw = unauthenticated(&da.isapi_url()).await;
        let ch = &captured["challenge"];
        assert_eq!(
            ch["body"].as_str().unwrap().as_bytes(),
            &raw.body[..],
            "{name}"
        );
        assert_eq!(
            ch["content_type"].as_str(),
            raw.content_type.as_deref(),
            "{name}"
        );
        assert_eq!(
            shape(ch["www_authenticate"].as_array().unwrap()),
            shape_of(&raw.www),
            "{name}"
        );
        // the nonce behaviour A showed
        assert_eq!(captured["nonce"], nonce, "{name}");

        // B plays the capture: a second capture is identical, the client reads the same
        for (file, first) in [(&anon, &text), (&kept, &kept_text)] {
            let b = site_from(file).await;
            let again = dir.path().join(format!("{name}-b.json"));
            let second = capture(&b.device(0).host(), &again, file == &kept);
            assert_eq!(
                &second, first,
                "{name}: the capture of B differs from the capture of A"
            );
            // B answers without credentials byte for byte as A did, with fresh nonces
            let (ra, rb) = (
                unauthenticated(&da.isapi_url()).await,
                unauthenticated(&b.device(0).isapi_url()).await,
            );
            assert_eq!(ra.body, rb.body, "{name}: 401 bodies differ");
            assert_eq!(ra.content_type, rb.content_type, "{name}");
            assert_eq!(
                shape_of(&ra.www),
                shape_of(&rb.www),
                "{name}: challenges differ"
            );
            if ra.www.iter().any(|h| h.contains("nonce=")) {
                assert_ne!(ra.www, rb.www, "{name}: B repeats A's nonces");
            }
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

/// Simulator A (a camera) and its capture in `dir`.
async fn captured_camera(dir: &Path) -> (Site, std::path::PathBuf) {
    let a = Site::builder()
        .device(device_a(Personality::camera()))
        .start()
        .await
        .unwrap();
    let file = dir.join("a.json");
    capture(&a.device(0).host(), &file, false);
    (a, file)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_go_through_the_state_machine() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, file) = captured_camera(dir.path()).await;
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

/// Simulator A (a camera with a SADP responder) and its capture with `--sadp` in `dir`: the
/// site, the file and its text.
async fn sadp_captured_camera(dir: &Path) -> (Site, std::path::PathBuf, String) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sadp_answer_is_captured_without_identifiers() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _, text) = sadp_captured_camera(dir.path()).await;
    let da = a.device(0);
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

/// A site file whose captured 401 is not one the simulator's own personalities produce: it is
/// served exactly, with fresh nonces, the client logs in through it, and a capture reads it
/// back unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captured_401_is_served_verbatim() {
    let dir = tempfile::tempdir().unwrap();
    let (a, file) = captured_camera(dir.path()).await;
    a.shutdown().await;
    let mut cfg = SiteConfig::from_file(&file).unwrap();
    let body = "<!DOCTYPE html><html><body>Firmware 5.5 says: unauthorized (\u{e9}t\u{e9})</body></html>\r\n";
    let www = json!([
        "Basic realm=\"DS-2CD2032\"",
        "Digest qop=\"auth\", realm=\"DS-2CD2032\", nonce=\"…\", stale=\"FALSE\", opaque=\"…\"",
    ]);
    let written = json!({
        "status": 401,
        "www_authenticate": www,
        "content_type": "text/html; charset=ISO-8859-1",
        "body": body,
    });
    // the device as a capture of such a device would write it
    let mut cap = cfg.devices[0].captured.clone();
    cap.challenge = Some(serde_json::from_value(written.clone()).unwrap());
    cfg.devices[0] = hikproto_sim::captured::device_from_capture(&cap, None);
    std::fs::write(&file, serde_json::to_string(&cfg).unwrap()).unwrap();
    let b = site_from(&file).await;
    let db = b.device(0);
    let first = unauthenticated(&db.isapi_url()).await;
    let second = unauthenticated(&db.isapi_url()).await;
    assert_eq!(first.status, 401);
    assert_eq!(first.body, body.as_bytes());
    assert_eq!(
        first.content_type.as_deref(),
        Some("text/html; charset=ISO-8859-1")
    );
    assert_eq!(shape_of(&first.www), shape(www.as_array().unwrap()));
    assert!(!first.www[1].contains('…'), "{:?}", first.www);
    assert_ne!(first.www, second.www, "a nonce served twice");
    // the personality follows the headers: Digest and Basic, the captured realm
    let cfg = db.config();
    assert_eq!(cfg.personality.auth, AuthMode::DigestBasic);
    assert_eq!(cfg.personality.realm, "DS-2CD2032");
    // the client logs in through the captured challenge
    let dev = Device::builder(db.host())
        .credentials("admin", Secret::new(ADMIN_PW))
        .build()
        .unwrap();
    dev.device_info().await.unwrap();
    // and a capture of B reads the challenge back as it was written
    let again = dir.path().join("b.json");
    let text = capture(&db.host(), &again, false);
    let back: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back["devices"][0]["captured"]["challenge"], written);
    b.shutdown().await;
}

/// A capture over HTTPS (the certificate pinned) reads the same 401 and nonce behaviour as over
/// HTTP, and a simulator serving the file over TLS captures identically.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_over_https() {
    let dir = tempfile::tempdir().unwrap();
    for p in [Personality::camera(), Personality::nvr().nonce_reuse(false)] {
        let a = Site::builder()
            .device(device_a(p))
            .https(true)
            .start()
            .await
            .unwrap();
        let da = a.device(0);
        let pin = |d: &SimDevice| hex(&d.cert_sha256().expect("a certificate"));
        let https_host = |d: &SimDevice| d.https_addr().expect("HTTPS").to_string();
        let plain = capture(&da.host(), &dir.path().join("plain.json"), false);
        let tls_file = dir.path().join("tls.json");
        let tls = capture_with(
            &https_host(da),
            &tls_file,
            false,
            &["--pin-sha256", &pin(da)],
        );
        let (plain, tls): (Value, Value) = (
            serde_json::from_str(&plain).unwrap(),
            serde_json::from_str(&tls).unwrap(),
        );
        let cap = |v: &Value, k: &str| v["devices"][0]["captured"][k].clone();
        assert_eq!(cap(&tls, "challenge")["status"], 401);
        assert_eq!(cap(&tls, "challenge"), cap(&plain, "challenge"));
        assert_eq!(cap(&tls, "nonce"), cap(&plain, "nonce"));
        assert!(cap(&tls, "nonce").is_object());
        assert_eq!(cap(&tls, "documents"), cap(&plain, "documents"));
        // without a pin or an explicit acceptance the self-signed certificate is refused
        let refused = Command::new(env!("CARGO_BIN_EXE_hikproto"))
            .args(["capture", "--https", "--host", &https_host(da), "-o"])
            .arg(dir.path().join("refused.json"))
            .env("HIKPROTO_PASSWORD", ADMIN_PW)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(!refused.status.success());
        // B over TLS, captured with the certificate accepted explicitly
        let b = site_from_with(&tls_file, |c| c.https = true).await;
        let db = b.device(0);
        let tls_b = capture_with(
            &https_host(db),
            &dir.path().join("tls-b.json"),
            false,
            &["--https", "--insecure-accept-invalid-certs"],
        );
        let tls_b: Value = serde_json::from_str(&tls_b).unwrap();
        assert_eq!(tls_b, tls);
        // B's 401 over TLS is A's
        let insecure = || reqwest::Client::builder().tls_danger_accept_invalid_certs(true);
        let (ra, rb) = (
            unauthenticated_with(insecure(), &format!("https://{}", https_host(da))).await,
            unauthenticated_with(insecure(), &format!("https://{}", https_host(db))).await,
        );
        assert_eq!((ra.status, &ra.body), (rb.status, &rb.body));
        assert_eq!(shape_of(&ra.www), shape_of(&rb.www));
        b.shutdown().await;
        a.shutdown().await;
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// capture --sadp → a simulator serving the file answers SADP inquiries with the captured
/// `ProbeMatch`: the SADP client reads the captured fields, and the device's own address,
/// ports and identity where those belong to the simulated device.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_captured_probe_match_is_played_back() {
    let dir = tempfile::tempdir().unwrap();
    let (a, file, _) = sadp_captured_camera(dir.path()).await;
    a.shutdown().await;
    // a field the simulator never writes, to tell the captured answer from a generated one
    let mut site: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let pm = site["devices"][0]["captured"]["sadp_probe_match"]
        .as_str()
        .unwrap()
        .replace(
            "</ProbeMatch>",
            "<FutureFeature>42</FutureFeature></ProbeMatch>",
        );
    assert!(!pm.contains("<Uuid>"), "the inquiry's UUID was kept: {pm}");
    site["devices"][0]["captured"]["sadp_probe_match"] = json!(pm);
    std::fs::write(&file, site.to_string()).unwrap();
    let captured = hikproto::sadp::ProbeMatch::from_element(
        &hikproto::xml::Element::parse(pm.as_bytes()).unwrap(),
    )
    .unwrap();

    let b = site_from_with(&file, |c| c.sadp_port = Some(0)).await;
    let db = b.device(0);
    let opts = hikproto::sadp::DiscoverOptions::unicast([db.sadp_addr().unwrap()])
        .timeout(Duration::from_secs(5))
        .expect(1);
    let found = hikproto::sadp::discover(&opts).await.unwrap();
    assert_eq!(found.len(), 1);
    let got = &found[0].info;
    // the device's own values
    let bcfg = db.config();
    assert_eq!(got.device_sn.as_deref(), Some(db.serial()));
    assert_eq!(
        got.mac
            .map(|m| m.to_string().replace('-', ":").to_ascii_lowercase()),
        Some(db.mac().to_ascii_lowercase())
    );
    assert_eq!(
        got.ipv4_address.map(|a| a.to_string()),
        Some(bcfg.network.ip.clone())
    );
    assert_eq!(got.http_port, Some(db.http_addr().port()));
    assert_eq!(got.is_activated(), Some(true));
    // the captured ones, the unknown element included
    let mut expected = captured.clone();
    let mut seen = got.clone();
    for m in [&mut expected, &mut seen] {
        m.uuid.clear();
        (
            m.device_sn,
            m.mac,
            m.ipv4_address,
            m.ipv4_subnet_mask,
            m.ipv4_gateway,
        ) = (None, None, None, None, None);
        (m.http_port, m.https_port, m.dhcp, m.ipv4_dhcp) = (None, None, None, None);
        (m.activated, m.salt) = (None, None);
    }
    assert_eq!(seen, expected);
    assert!(
        got.unknown
            .iter()
            .any(|e| e.name == "FutureFeature" && e.text == "42")
    );
    // a capture of B reads the template back byte for byte, but for B's own port and salt
    let sadp_port = db.sadp_addr().unwrap().port().to_string();
    let again = capture_with(
        &db.host(),
        &dir.path().join("sadp-b.json"),
        false,
        &["--sadp", "--sadp-port", &sadp_port],
    );
    let again: Value = serde_json::from_str(&again).unwrap();
    let port = db.http_addr().port().to_string();
    let expected = set_element_text(&pm, "HttpPort", &port).unwrap();
    let salt = &bcfg.users.iter().find(|u| u.id == 1).unwrap().salt;
    let expected = set_element_text(&expected, "Salt", salt).unwrap_or(expected);
    assert_eq!(
        again["devices"][0]["captured"]["sadp_probe_match"].as_str(),
        Some(expected.as_str())
    );
    b.shutdown().await;
}

/// A correct answer to an expired nonce gets the captured challenge with `stale` set, the
/// captured body, and nothing else changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_nonce_gets_the_captured_challenge_marked_stale() {
    use hikproto::auth::challenge::{Challenge, SchemeFilter, parse_www_authenticate, strongest};
    use hikproto::auth::digest::DigestNonce;
    use hikproto::keys::Credentials;

    let dir = tempfile::tempdir().unwrap();
    let (a, file) = captured_camera(dir.path()).await;
    a.shutdown().await;
    // every nonce is stale at once
    let b = site_from_with(&file, |c| c.devices[0].personality.nonce_lifetime_secs = 0).await;
    let base = b.device(0).isapi_url();
    let first = unauthenticated(&base).await;
    let offered = parse_www_authenticate(first.www.iter().map(String::as_str));
    let Some(Challenge::Digest(d)) = strongest(&offered, SchemeFilter::DigestOnly) else {
        panic!("no digest challenge: {:?}", first.www);
    };
    let creds = Credentials::new("admin", Secret::new(ADMIN_PW));
    let path = "/ISAPI/System/deviceInfo";
    let answer = DigestNonce::new(d.clone())
        .respond(&creds, "GET", path, b"")
        .unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let resp = client
        .get(format!("{base}{path}"))
        .header("authorization", answer.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let www: Vec<String> = resp
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let body = resp.bytes().await.unwrap();
    assert_eq!(&body[..], &first.body[..]);
    assert_eq!(www.len(), first.www.len());
    assert!(www[0].contains("stale=\"TRUE\""), "{www:?}");
    assert_eq!(
        shape_of(&www)[0].replace("stale=\"TRUE\"", "stale=\"FALSE\""),
        shape_of(&first.www)[0]
    );
    b.shutdown().await;
}
