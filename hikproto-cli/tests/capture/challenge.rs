//! The 401 answer: served verbatim, captured over HTTPS, marked stale when a nonce expired.

use std::process::Command;

use hikproto::Device;
use hikproto::Secret;
use hikproto_sim::config::AuthMode;
use hikproto_sim::{Personality, SimDevice, Site, SiteConfig};
use serde_json::{Value, json};

use super::support::*;

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
