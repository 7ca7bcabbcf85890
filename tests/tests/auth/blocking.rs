//! The blocking facade, and the secrecy of the authentication logs.

use hikproto::{AuthMode, Error, LockoutGuard, blocking};
use hikproto_sim::{AuthMode as SimAuth, Personality, Site};

use crate::{PW, WRONG, assert_no_repeat, client, init_logs, logs, site};

fn blocking_client(host: String, mode: AuthMode, pw: &str) -> blocking::Device {
    blocking::Device::builder(host)
        .credentials("admin", pw)
        .auth_mode(mode)
        .lockout_guard(LockoutGuard::new())
        .build_blocking()
        .expect("blocking client builds")
}

#[test]
fn blocking_facade_without_any_runtime() {
    init_logs();
    let site = Site::builder()
        .devices(1)
        .password(PW)
        .start_blocking()
        .expect("simulator starts");
    let d = site.device(0);
    let dev = blocking_client(d.host(), AuthMode::Auto, PW);
    let info = dev.device_info().expect("deviceInfo");
    assert_eq!(info.serial_number.as_deref(), Some(d.serial()));
    let before = dev.stats();
    let caps = dev
        .get_xml("/ISAPI/System/capabilities")
        .expect("capabilities");
    assert_eq!(caps.name, "DeviceCap");
    assert_eq!(dev.stats().since(&before).requests_sent, 1);
    // the generic twin-maker
    let again = dev.run(dev.async_device().device_info()).expect("run");
    assert_eq!(again.serial_number, info.serial_number);
    let json = dev.get_json("/SDK/activateStatus");
    assert!(
        json.is_ok() || matches!(json, Err(Error::Decode { .. })),
        "{json:?}"
    );

    let bad = blocking_client(d.host(), AuthMode::Auto, WRONG);
    assert!(matches!(
        bad.device_info(),
        Err(Error::CredentialsRejected { .. })
    ));
    assert!(matches!(
        bad.device_info(),
        Err(Error::CredentialLatched { .. })
    ));
    bad.set_credentials("admin", PW);
    bad.device_info().expect("new credentials");

    let session = blocking_client(d.host(), AuthMode::Session, PW);
    session.login().expect("session login");
    session.session_heartbeat().expect("heartbeat");
    let hb = session
        .spawn_session_heartbeat(std::time::Duration::from_secs(30))
        .expect("runs on the shared runtime");
    assert!(hb.is_running());
    hb.stop();
    session.logout().expect("logout");
    assert_no_repeat(d);
    site.shutdown();
}

// multi-threaded: the simulator must keep serving on another worker while this one blocks
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_facade_inside_an_async_task_does_not_panic() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    let dev = blocking_client(d.host(), AuthMode::Auto, PW);
    // not recommended, but it must work rather than panic
    let info = dev.device_info().expect("deviceInfo from inside a runtime");
    assert!(info.model.is_some());
    let n = blocking::block_on(async { 21 * 2 }).unwrap();
    assert_eq!(n, 42);
    site.shutdown().await;
}

#[tokio::test]
async fn logs_never_contain_secrets() {
    // run every flow, at trace level, then read the whole log of this test binary
    for p in [
        Personality::camera(),
        Personality::camera().auth(SimAuth::DigestSha256),
        Personality::legacy(),
        Personality::camera().nonce_reuse(false),
    ] {
        let site = site(p).await;
        let d = site.device(0);
        for mode in [AuthMode::Auto, AuthMode::Session] {
            let dev = client(d, mode, PW);
            let _ = dev.device_info().await;
            let _ = dev.device_info().await;
            let _ = dev.logout().await;
        }
        let bad = client(d, AuthMode::Auto, WRONG);
        let _ = bad.device_info().await;
        site.shutdown().await;
    }
    let text = logs();
    assert!(
        text.contains("challenge received") && text.contains("session opened"),
        "the capture works (else this test would prove nothing): {} bytes",
        text.len()
    );
    for needle in [
        PW,
        WRONG,
        "response=",
        "cnonce",
        "Authorization: ",
        "authorization: Digest",
        "Basic YWRt", // base64 of "adm…"
        "WebSession",
        "<password>",
    ] {
        assert!(!text.contains(needle), "the logs contain {needle:?}");
    }
}
