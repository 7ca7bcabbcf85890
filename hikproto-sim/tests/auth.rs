//! Authentication personalities, lock-out and counters, over real loopback sockets.

mod common;

use std::time::Duration;

use common::{authorization, basic, challenges, digest, send};
use hikproto_sim::{AuthMode, DeviceConfig, NamespaceStyle, Personality, Site, UnauthorizedBody};

const PW: &str = "Passw0rd!x";
const INFO: &str = "/ISAPI/System/deviceInfo";

async fn site_with(p: Personality) -> Site {
    Site::builder()
        .devices(1)
        .password(PW)
        .personality(p)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn digest_md5_reads_device_info_and_counts() {
    let site = site_with(Personality::camera()).await;
    let dev = site.device(0);
    let probe = send(&dev.host(), "GET", INFO, &[], b"").await.unwrap();
    assert_eq!(probe.status, 401);
    let hdrs = probe.headers_named("www-authenticate");
    assert_eq!(hdrs.len(), 1, "{hdrs:?}");
    assert!(
        hdrs[0].starts_with("Digest ") && !hdrs[0].contains("algorithm"),
        "{}",
        hdrs[0]
    );
    assert!(hdrs[0].contains("realm=\"IP Camera("));
    // A request without credentials is a challenge, not a failed login.
    let r = digest(&dev.host(), "GET", INFO, "admin", PW, b"").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let x = r.xml();
    assert_eq!(x.name, "DeviceInfo");
    assert_eq!(
        x.namespace(),
        Some("http://www.hikvision.com/ver20/XMLSchema")
    );
    assert_eq!(x.text_at("serialNumber"), Some(dev.serial()));
    assert_eq!(x.text_at("model"), Some(dev.model()));
    assert_eq!(x.text_at("macAddress"), Some(dev.mac()));
    let s = dev.stats();
    assert_eq!(s.auth_failures, 0);
    assert_eq!(s.logins, 1);
    assert!(s.challenges >= 2);
    assert_eq!(s.hits_method("GET", INFO), 3);
    site.shutdown().await;
}

#[tokio::test]
async fn core_client_reads_device_info() {
    let site = site_with(Personality::camera()).await;
    let dev = site.device(0);
    let client = hikproto::Device::builder(dev.host())
        .credentials("admin", PW)
        .build()
        .unwrap();
    let info = client.device_info().await.unwrap();
    assert_eq!(info.serial_number.as_deref(), Some(dev.serial()));
    assert_eq!(info.short_serial(), Some(dev.short_serial()));
    site.shutdown().await;
}

#[tokio::test]
async fn sha256_only_and_several_headers() {
    let site = site_with(Personality::camera().auth(AuthMode::DigestSha256)).await;
    let dev = site.device(0);
    let probe = send(&dev.host(), "GET", INFO, &[], b"").await.unwrap();
    let ch = challenges(&probe);
    assert_eq!(ch.len(), 1);
    assert_eq!(ch[0].algorithm, "SHA-256");
    let ok = digest(&dev.host(), "GET", INFO, "admin", PW, b"").await;
    assert_eq!(ok.status, 200);
    // An MD5 answer to a SHA-256-only device is malformed, not a failed login.
    let mut md5 = challenges(&send(&dev.host(), "GET", INFO, &[], b"").await.unwrap())[0].clone();
    md5.algorithm = "MD5".into();
    let r = send(
        &dev.host(),
        "GET",
        INFO,
        &[(
            "Authorization",
            authorization(&md5, "admin", PW, "GET", INFO, 1),
        )],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(dev.stats().auth_failures, 0);
    site.shutdown().await;

    let site = site_with(Personality::camera().auth(AuthMode::DigestMulti)).await;
    let dev = site.device(0);
    let probe = send(&dev.host(), "GET", INFO, &[], b"").await.unwrap();
    let ch = challenges(&probe);
    let algs: Vec<_> = ch.iter().map(|c| c.algorithm.as_str()).collect();
    assert_eq!(algs, ["SHA-256", "MD5"]);
    for c in &ch {
        let a = authorization(c, "admin", PW, "GET", INFO, 1);
        let r = send(&dev.host(), "GET", INFO, &[("Authorization", a)], b"")
            .await
            .unwrap();
        assert_eq!(r.status, 200, "{}", c.algorithm);
    }
    site.shutdown().await;
}

#[tokio::test]
async fn basic_modes() {
    // digest/basic: both headers, Basic accepted.
    let site = site_with(Personality::camera().auth(AuthMode::DigestBasic)).await;
    let dev = site.device(0);
    let probe = send(&dev.host(), "GET", INFO, &[], b"").await.unwrap();
    let h = probe.headers_named("www-authenticate");
    assert!(
        h.iter().any(|v| v.starts_with("Digest ")) && h.iter().any(|v| v.starts_with("Basic ")),
        "{h:?}"
    );
    let r = send(
        &dev.host(),
        "GET",
        INFO,
        &[("Authorization", basic("admin", PW))],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    site.shutdown().await;

    // Basic only (legacy): no Digest offered, HTML 401 page, ver10 namespace.
    let site = site_with(Personality::legacy()).await;
    let dev = site.device(0);
    let probe = send(&dev.host(), "GET", INFO, &[], b"").await.unwrap();
    assert_eq!(probe.headers_named("www-authenticate").len(), 1);
    assert!(
        probe
            .header("www-authenticate")
            .unwrap()
            .starts_with("Basic realm=")
    );
    assert!(
        probe
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let r = send(
        &dev.host(),
        "GET",
        INFO,
        &[("Authorization", basic("admin", PW))],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        r.xml().namespace(),
        Some("http://www.hikvision.com/ver10/XMLSchema")
    );
    assert_eq!(r.xml().attr("version"), Some("1.0"));
    site.shutdown().await;

    // Digest only: Basic is refused without counting a failed login.
    let site = site_with(Personality::camera()).await;
    let dev = site.device(0);
    let r = send(
        &dev.host(),
        "GET",
        INFO,
        &[("Authorization", basic("admin", PW))],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(dev.stats().basic_refused, 1);
    assert_eq!(dev.stats().auth_failures, 0);
    site.shutdown().await;
}

#[tokio::test]
async fn lockout_after_seven_and_repeated_credentials() {
    let site = site_with(Personality::camera()).await;
    let dev = site.device(0);
    let host = dev.host();
    for i in 1..=6u32 {
        let r = digest(&host, "GET", INFO, "admin", "Wrong-pass1", b"").await;
        assert_eq!(r.status, 401);
        let x = r.xml();
        assert_eq!(x.name, "userCheck");
        assert_eq!(x.text_at("lockStatus"), Some("unlock"));
        assert_eq!(
            x.num_at::<u32>("retryLoginTime"),
            Some(7 - i),
            "attempt {i}"
        );
    }
    let r = digest(&host, "GET", INFO, "admin", "Wrong-pass1", b"").await;
    let x = r.xml();
    assert_eq!(x.text_at("lockStatus"), Some("lock"));
    assert_eq!(x.num_at::<u32>("retryLoginTime"), Some(0));
    assert!(x.num_at::<u64>("unlockTime").unwrap() > 1700);
    // Even the right password is refused while locked.
    let r = digest(&host, "GET", INFO, "admin", PW, b"").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.xml().text_at("lockStatus"), Some("lock"));
    let s = dev.stats();
    assert_eq!(s.auth_failures, 7);
    assert_eq!(s.locks, 1);
    assert_eq!(s.locked_rejections, 1);
    // The same wrong password was sent 7 times: 6 repeats.
    assert_eq!(s.repeated_rejected_credentials, 6);
    assert_eq!(s.logins, 0);
    site.shutdown().await;
}

#[tokio::test]
async fn repeated_credentials_are_told_apart_when_known() {
    let mut p = Personality::camera();
    p.auth = AuthMode::DigestMd5;
    let site = site_with(p).await;
    let dev = site.device(0);
    dev.recognise_password("Wrong-pass1");
    dev.recognise_password("Wrong-pass2");
    let host = dev.host();
    assert_eq!(
        digest(&host, "GET", INFO, "admin", "Wrong-pass1", b"")
            .await
            .status,
        401
    );
    assert_eq!(
        digest(&host, "GET", INFO, "admin", "Wrong-pass2", b"")
            .await
            .status,
        401
    );
    assert_eq!(dev.stats().repeated_rejected_credentials, 0);
    assert_eq!(
        digest(&host, "GET", INFO, "admin", "Wrong-pass2", b"")
            .await
            .status,
        401
    );
    assert_eq!(dev.stats().repeated_rejected_credentials, 1);
    // A success in between clears the memory of unknown passwords only; known ones stay.
    assert_eq!(
        digest(&host, "GET", INFO, "admin", PW, b"").await.status,
        200
    );
    assert_eq!(
        digest(&host, "GET", INFO, "admin", "Wrong-pass1", b"")
            .await
            .status,
        401
    );
    assert_eq!(dev.stats().repeated_rejected_credentials, 2);
    // Unknown passwords over Digest: a second failure counts as a repeat.
    assert_eq!(
        digest(&host, "GET", INFO, "admin", "Unknown-a1", b"")
            .await
            .status,
        401
    );
    assert_eq!(dev.stats().repeated_rejected_credentials, 2);
    assert_eq!(
        digest(&host, "GET", INFO, "admin", "Unknown-b2", b"")
            .await
            .status,
        401
    );
    assert_eq!(dev.stats().repeated_rejected_credentials, 3);
    // Basic is identified exactly.
    site.shutdown().await;
    let site = site_with(Personality::camera().auth(AuthMode::Basic)).await;
    let dev = site.device(0);
    for pw in ["Wrong-a1", "Wrong-b2", "Wrong-a1"] {
        let r = send(
            &dev.host(),
            "GET",
            INFO,
            &[("Authorization", basic("admin", pw))],
            b"",
        )
        .await
        .unwrap();
        assert_eq!(r.status, 401);
    }
    assert_eq!(dev.stats().repeated_rejected_credentials, 1);
    site.shutdown().await;
}

#[tokio::test]
async fn short_lock_expires() {
    let mut d = DeviceConfig::camera(0).with_admin(PW);
    d.lockout.max_attempts = 3;
    d.lockout.lock_seconds = 1;
    let site = Site::builder().device(d).start().await.unwrap();
    let host = site.device(0).host();
    for _ in 0..3 {
        digest(&host, "GET", INFO, "admin", "Nope-1234", b"").await;
    }
    assert_eq!(
        digest(&host, "GET", INFO, "admin", PW, b"").await.status,
        401
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        digest(&host, "GET", INFO, "admin", PW, b"").await.status,
        200
    );
    site.shutdown().await;
}

#[tokio::test]
async fn nonce_reuse_policies_and_nc() {
    let site = site_with(Personality::camera()).await;
    let dev = site.device(0);
    let host = dev.host();
    let ch = challenges(&send(&host, "GET", INFO, &[], b"").await.unwrap())[0].clone();
    for nc in 1..=3 {
        let r = send(
            &host,
            "GET",
            INFO,
            &[(
                "Authorization",
                authorization(&ch, "admin", PW, "GET", INFO, nc),
            )],
            b"",
        )
        .await
        .unwrap();
        assert_eq!(r.status, 200, "nc {nc}");
    }
    // Replaying an nc is refused (not a failed login).
    let r = send(
        &host,
        "GET",
        INFO,
        &[(
            "Authorization",
            authorization(&ch, "admin", PW, "GET", INFO, 2),
        )],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(r.xml().text_at("subStatusCode"), Some("invalidOperation"));
    assert_eq!(dev.stats().nonce_reuse_rejections, 1);
    assert_eq!(dev.stats().auth_failures, 0);
    // The uri must be the request-target.
    let r = send(
        &host,
        "GET",
        INFO,
        &[(
            "Authorization",
            authorization(&ch, "admin", PW, "GET", "/other", 9),
        )],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    site.shutdown().await;

    let site = site_with(Personality::camera().nonce_reuse(false)).await;
    let dev = site.device(0);
    let host = dev.host();
    let ch = challenges(&send(&host, "GET", INFO, &[], b"").await.unwrap())[0].clone();
    let first = send(
        &host,
        "GET",
        INFO,
        &[(
            "Authorization",
            authorization(&ch, "admin", PW, "GET", INFO, 1),
        )],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(first.status, 200);
    let second = send(
        &host,
        "GET",
        INFO,
        &[(
            "Authorization",
            authorization(&ch, "admin", PW, "GET", INFO, 2),
        )],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(second.status, 401);
    assert_eq!(
        second.xml().text_at("subStatusCode"),
        Some("invalidOperation")
    );
    // A fresh challenge comes with the refusal and works once.
    let fresh = challenges(&second)[0].clone();
    assert_ne!(fresh.nonce, ch.nonce);
    let third = send(
        &host,
        "GET",
        INFO,
        &[(
            "Authorization",
            authorization(&fresh, "admin", PW, "GET", INFO, 1),
        )],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(third.status, 200);
    assert_eq!(dev.stats().auth_failures, 0);
    site.shutdown().await;
}

#[tokio::test]
async fn stale_nonce() {
    let mut p = Personality::camera();
    p.nonce_lifetime_secs = 1;
    let site = site_with(p).await;
    let dev = site.device(0);
    let host = dev.host();
    let ch = challenges(&send(&host, "GET", INFO, &[], b"").await.unwrap())[0].clone();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let r = send(
        &host,
        "GET",
        INFO,
        &[(
            "Authorization",
            authorization(&ch, "admin", PW, "GET", INFO, 1),
        )],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 401);
    let fresh = challenges(&r);
    assert!(fresh[0].stale, "{:?}", r.headers);
    assert_eq!(dev.stats().stale_nonces, 1);
    assert_eq!(dev.stats().auth_failures, 0);
    // A wrong password with a stale nonce is a failed login, not stale.
    let r = send(
        &host,
        "GET",
        INFO,
        &[(
            "Authorization",
            authorization(&ch, "admin", "Bad-pass1", "GET", INFO, 1),
        )],
        b"",
    )
    .await
    .unwrap();
    assert!(!challenges(&r)[0].stale);
    assert_eq!(dev.stats().auth_failures, 1);
    site.shutdown().await;
}

#[tokio::test]
async fn unauthorized_body_forms() {
    for (form, ctype, root) in [
        (
            UnauthorizedBody::UserCheck,
            "application/xml",
            Some("userCheck"),
        ),
        (
            UnauthorizedBody::ResponseStatus,
            "application/xml",
            Some("ResponseStatus"),
        ),
        (UnauthorizedBody::Html, "text/html", None),
        (UnauthorizedBody::Empty, "text/plain", None),
    ] {
        let site = site_with(Personality::camera().unauthorized_body(form)).await;
        let host = site.device(0).host();
        let r = digest(&host, "GET", INFO, "admin", "Wrong-pass9", b"").await;
        assert_eq!(r.status, 401);
        assert!(
            r.header("content-type").unwrap().starts_with(ctype),
            "{form:?}"
        );
        match root {
            Some(root) => {
                let x = r.xml();
                assert_eq!(x.name, root);
                let retry = x
                    .num_at::<u32>("retryLoginTime")
                    .or_else(|| x.num_at("retryTimes"));
                assert_eq!(retry, Some(6), "{form:?}");
            }
            None if form == UnauthorizedBody::Empty => assert!(r.body.is_empty()),
            None => assert!(r.text().contains("401")),
        }
        site.shutdown().await;
    }
}

#[tokio::test]
async fn namespaces_and_refusals() {
    for (style, ns) in [
        (
            NamespaceStyle::IsapiV20,
            Some("http://www.isapi.org/ver20/XMLSchema"),
        ),
        (
            NamespaceStyle::StdCgi,
            Some("http://www.std-cgi.com/ver20/XMLSchema"),
        ),
        (NamespaceStyle::None, None),
    ] {
        let site = site_with(Personality::camera().namespace(style)).await;
        let r = digest(&site.device(0).host(), "GET", INFO, "admin", PW, b"").await;
        assert_eq!(r.xml().namespace(), ns);
        site.shutdown().await;
    }
    let site =
        site_with(Personality::camera().refuse("/ISAPI/System/Network/EZVIZ", "notSupport")).await;
    let host = site.device(0).host();
    let r = digest(
        &host,
        "GET",
        "/ISAPI/System/Network/EZVIZ",
        "admin",
        PW,
        b"",
    )
    .await;
    assert_eq!(r.status, 403);
    let x = r.xml();
    assert_eq!(x.text_at("subStatusCode"), Some("notSupport"));
    assert_eq!(x.num_at::<u32>("errorCode"), Some(0x4000_0001));
    // The capabilities no longer advertise it.
    let caps = digest(&host, "GET", "/ISAPI/System/capabilities", "admin", PW, b"")
        .await
        .xml();
    assert_eq!(
        caps.text_at("SysCap/NetworkCap/isSupportEZVIZ"),
        Some("false")
    );
    // Unknown path: 404 notSupport; wrong method: 405.
    let r = digest(&host, "GET", "/ISAPI/Nope", "admin", PW, b"").await;
    assert_eq!(r.status, 404);
    let r = digest(&host, "DELETE", INFO, "admin", PW, b"").await;
    assert_eq!(r.status, 405);
    site.shutdown().await;
}

#[tokio::test]
async fn user_check_and_capabilities() {
    let site = site_with(Personality::camera().auth(AuthMode::DigestMulti)).await;
    let host = site.device(0).host();
    let r = digest(&host, "GET", "/ISAPI/Security/userCheck", "admin", PW, b"").await;
    assert_eq!(r.status, 200);
    let x = r.xml();
    assert_eq!(x.num_at::<u32>("statusValue"), Some(200));
    assert_eq!(x.text_at("isActivated"), Some("true"));
    let caps = digest(&host, "GET", "/ISAPI/System/capabilities", "admin", PW, b"")
        .await
        .xml();
    assert_eq!(caps.name, "DeviceCap");
    assert_eq!(
        caps.text_at("SysCap/NetworkCap/isSupportEZVIZ"),
        Some("true")
    );
    let vcm = caps
        .path("SysCap/NetworkCap/VerificationCodeModification")
        .unwrap();
    assert_eq!(
        vcm.path("verificationCodeType").unwrap().attr("opt"),
        Some("normal,empty")
    );
    assert_eq!(vcm.text_at("isSupportVerificationCodeCheck"), Some("true"));
    let sec = caps.child("SecurityCap").unwrap();
    assert_eq!(sec.text_at("keyIterateNum"), Some("100"));
    assert_eq!(
        sec.text_at("WebCertificateCap/SecurityAlgorithm/algorithmType"),
        Some("MD5/SHA256")
    );
    assert_eq!(sec.text_at("maxIllegalLoginTimes"), Some("7"));
    assert_eq!(sec.text_at("salt").map(str::len), Some(64));
    let sc = digest(
        &host,
        "GET",
        "/ISAPI/Security/capabilities",
        "admin",
        PW,
        b"",
    )
    .await
    .xml();
    assert_eq!(sc.name, "SecurityCap");
    site.shutdown().await;
}

#[tokio::test]
async fn inactive_device_answers_only_activation() {
    let site = Site::builder().devices(1).start().await.unwrap();
    let dev = site.device(0);
    assert!(!dev.is_activated());
    let r = send(&dev.host(), "GET", INFO, &[], b"").await.unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.xml().text_at("subStatusCode"), Some("notActivated"));
    let r = send(&dev.host(), "GET", "/SDK/activateStatus", &[], b"")
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.xml().text_at("Activated"), Some("false"));
    let r = send(
        &dev.host(),
        "GET",
        "/SDK/activateStatus?format=json",
        &[],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.json()["ActivateStatus"]["Activated"], false);
    site.shutdown().await;
}

#[test]
fn blocking_site_serves_and_stops() {
    let site = Site::builder()
        .devices(2)
        .password(PW)
        .start_blocking()
        .unwrap();
    assert_eq!(site.len(), 2);
    let addr = site.device(1).http_addr();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    use std::io::{Read, Write};
    s.write_all(b"GET /SDK/activateStatus HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    assert!(buf.starts_with("HTTP/1.1 200"), "{buf}");
    assert!(buf.contains("<Activated>true</Activated>"));
    site.shutdown();
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[tokio::test]
async fn hostile_requests_get_typed_answers() {
    let mut d = DeviceConfig::camera(0).with_admin(PW);
    d.serial = "DS-ÜNICODE-序列号-123".into();
    let site = Site::builder().device(d).start().await.unwrap();
    let host = site.device(0).host();
    for authz in [
        "Digest",
        "Digest username=",
        "Digest username=\"admin\", nonce=\"x\", uri=\"/ISAPI/System/deviceInfo\", response=\"00\", algorithm=ROT13",
        "Basic !!!notbase64",
        "Basic YWRtaW4=",
        "Negotiate abc",
        "Digest username=\"é\", realm=\"序\", nonce=\"\\\", uri=\"",
    ] {
        let r = send(
            &host,
            "GET",
            INFO,
            &[("Authorization", authz.to_owned())],
            b"",
        )
        .await
        .unwrap();
        assert!(matches!(r.status, 400 | 401), "{authz}: {}", r.status);
    }
    let r = digest(
        &host,
        "PUT",
        "/ISAPI/System/Network/EZVIZ",
        "admin",
        PW,
        b"<EZVIZ><enabled>",
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.xml().text_at("subStatusCode"), Some("badXmlFormat"));
    let big = vec![b'a'; 2 * 1024 * 1024];
    let r = send(&host, "PUT", "/ISAPI/System/Network/EZVIZ", &[], &big).await;
    assert!(r.map(|r| r.status == 413).unwrap_or(true));
    site.device(0)
        .update(|c| c.verification_code = Some("Abc123xyz".into()));
    let qr = digest(
        &host,
        "GET",
        "/ISAPI/System/Network/EZVIZ/QRCode?format=json",
        "admin",
        PW,
        b"",
    )
    .await;
    assert_eq!(qr.status, 200);
    // The device still answers normally afterwards.
    assert_eq!(
        digest(&host, "GET", INFO, "admin", PW, b"").await.status,
        200
    );
    site.shutdown().await;
}
