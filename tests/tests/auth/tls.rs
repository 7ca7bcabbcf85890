//! HTTPS with the simulator's self-signed certificate: refused by default, accepted when pinned
//! or by explicit opt-in, a wrong pin refused with a clear reason.

use hikproto::client::tls::format_fingerprint;
use hikproto::{AuthMode, Device, Error, LockoutGuard, TlsMode};
use hikproto_sim::{Personality, Site};

use crate::{PW, assert_no_repeat, init_logs};

async fn https_site() -> Site {
    init_logs();
    Site::builder()
        .devices(1)
        .password(PW)
        .personality(Personality::camera())
        .https(true)
        .start()
        .await
        .expect("simulator starts")
}

fn https_client(url: &str, tls: TlsMode) -> Device {
    Device::builder(url)
        .https(true)
        .credentials("admin", PW)
        .auth_mode(AuthMode::Auto)
        .lockout_guard(LockoutGuard::new())
        .tls(tls)
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn self_signed_refused_by_default() {
    let site = https_site().await;
    let d = site.device(0);
    let url = d.https_url().expect("https");
    let dev = https_client(&url, TlsMode::Verify);
    let e = dev.device_info().await.unwrap_err();
    assert!(matches!(e, Error::Tls { .. }), "{e:?}");
    assert_eq!(dev.stats().credentials_sent, 0);
    assert_eq!(
        d.stats().requests,
        0,
        "no HTTP request crossed the failed handshake"
    );
    site.shutdown().await;
}

#[tokio::test]
async fn pinned_certificate_accepted() {
    let site = https_site().await;
    let d = site.device(0);
    let url = d.https_url().expect("https");
    let pin = d.cert_sha256().expect("fingerprint");
    let dev = https_client(&url, TlsMode::PinSha256(pin));
    assert!(dev.base_url().starts_with("https://"));
    dev.device_info().await.expect("pinned");
    dev.device_info()
        .await
        .expect("again, same connection pool");
    // the text form works as well
    let dev2 = https_client(
        &url,
        TlsMode::pin_from_hex(&format_fingerprint(&pin)).unwrap(),
    );
    dev2.device_info().await.expect("pinned from text");
    assert_eq!(d.stats().auth_failures, 0);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn wrong_pin_refused_with_a_clear_reason() {
    let site = https_site().await;
    let d = site.device(0);
    let url = d.https_url().expect("https");
    let real = d.cert_sha256().unwrap();
    let mut wrong = real;
    wrong[0] ^= 0xFF;
    let dev = https_client(&url, TlsMode::PinSha256(wrong));
    let e = dev.device_info().await.unwrap_err();
    let Error::Tls { reason } = &e else {
        panic!("expected a TLS error, got {e:?}");
    };
    assert!(reason.contains("pin mismatch"), "{reason}");
    assert!(
        reason.contains(&format_fingerprint(&real)),
        "the reason names what the device presented: {reason}"
    );
    assert_eq!(dev.stats().credentials_sent, 0);
    assert_eq!(d.stats().requests, 0);
    site.shutdown().await;
}

#[tokio::test]
async fn explicit_opt_in_accepts_any_certificate() {
    let site = https_site().await;
    let d = site.device(0);
    let url = d.https_url().expect("https");
    let dev = https_client(&url, TlsMode::DangerAcceptInvalidCerts);
    dev.device_info().await.expect("accepted by opt-in");
    site.shutdown().await;
}

#[tokio::test]
async fn device_certificate_as_an_extra_root() {
    let site = https_site().await;
    let d = site.device(0);
    let url = d.https_url().expect("https");
    let dev = Device::builder(&url)
        .https(true)
        .credentials("admin", PW)
        .lockout_guard(LockoutGuard::new())
        .add_root_certificate_der(d.cert_der().unwrap())
        .build()
        .unwrap();
    dev.device_info()
        .await
        .expect("trusted through the added root");
    site.shutdown().await;
}

#[tokio::test]
async fn another_devices_pin_is_refused() {
    init_logs();
    let site = Site::builder()
        .devices(2)
        .password(PW)
        .https(true)
        .cert_per_device(true)
        .start()
        .await
        .expect("simulator starts");
    let (a, b) = (site.device(0), site.device(1));
    let pin_a = a.cert_sha256().expect("fingerprint");
    assert_ne!(Some(pin_a), b.cert_sha256(), "one certificate per device");
    let dev = https_client(&b.https_url().expect("https"), TlsMode::PinSha256(pin_a));
    let e = dev.device_info().await.unwrap_err();
    assert!(matches!(e, Error::Tls { .. }), "{e:?}");
    assert_eq!(dev.stats().credentials_sent, 0);
    assert_eq!(b.stats().requests, 0);
    site.shutdown().await;
}

#[tokio::test]
async fn malformed_pins_and_plain_http_ports_are_typed_errors() {
    for bad in ["", "zz", "ab:cd", &"a".repeat(63), &"a".repeat(65)] {
        let e = TlsMode::pin_from_hex(bad).unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{bad:?}: {e:?}");
    }
    let site = https_site().await;
    let d = site.device(0);
    // HTTPS spoken to the plain-HTTP port: a TLS or transport error, quickly, nothing sent
    let pin = d.cert_sha256().expect("fingerprint");
    let dev = Device::builder(format!("https://{}", d.http_addr()))
        .https(true)
        .credentials("admin", PW)
        .lockout_guard(LockoutGuard::new())
        .tls(TlsMode::PinSha256(pin))
        .timeout(std::time::Duration::from_secs(3))
        .build()
        .expect("client builds");
    let t0 = std::time::Instant::now();
    let e = dev.device_info().await.unwrap_err();
    assert!(
        matches!(e, Error::Tls { .. } | Error::Transport { .. }),
        "{e:?}"
    );
    assert!(t0.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(dev.stats().credentials_sent, 0);
    site.shutdown().await;
}
