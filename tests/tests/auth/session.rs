//! ISAPI session login: the three hash variants (checked by the simulator's own hashing), the
//! cookie, expiry, heartbeat, logout, and wrong passwords.

use std::time::Duration;

use hikproto::auth::session::{CAPABILITIES_PATH, HEARTBEAT_PATH, LOGIN_PATH, LOGOUT_PATH};
use hikproto::{AuthMode, Error};
use hikproto_sim::Personality;

use crate::{INFO, PW, WRONG, assert_no_repeat, client, site};

#[tokio::test]
async fn session_login_then_cookie_only() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Session, PW);
    assert!(!dev.session_open());
    dev.device_info().await.expect("first call logs in");
    assert!(dev.session_open());
    let first = dev.stats();
    assert_eq!(first.session_logins, 1);
    assert_eq!(
        first.requests_sent, 3,
        "capabilities, login, request: {first:?}"
    );
    for _ in 0..5 {
        let before = dev.stats();
        dev.device_info().await.unwrap();
        let c = dev.stats().since(&before);
        assert_eq!((c.requests_sent, c.credentials_sent), (1, 0), "{c:?}");
    }
    let s = d.stats();
    assert_eq!(s.hits_method("GET", CAPABILITIES_PATH), 1);
    assert_eq!(s.hits_method("POST", LOGIN_PATH), 1);
    assert_eq!(s.hits_method("GET", INFO), 6);
    assert_eq!(s.challenges, 0, "no digest challenge was ever needed");
    assert_eq!(s.auth_failures, 0);

    dev.session_heartbeat().await.expect("heartbeat");
    assert_eq!(d.stats().hits_method("PUT", HEARTBEAT_PATH), 1);
    dev.logout().await.expect("logout");
    assert!(!dev.session_open());
    assert_eq!(d.stats().hits_method("PUT", LOGOUT_PATH), 1);
    dev.device_info().await.expect("logs in again");
    assert_eq!(dev.stats().session_logins, 2);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn all_three_hash_variants_match_the_device() {
    let variants = [
        ("irreversible", true, false, 100),
        ("irreversible + salt2", true, true, 100),
        ("reversible", false, false, 100),
        ("few iterations", true, false, 3),
    ];
    for (name, irreversible, salt2, iterations) in variants {
        let mut p = Personality::camera();
        p.irreversible = irreversible;
        p.session_salt2 = salt2;
        p.session_iterations = iterations;
        let site = site(p).await;
        let d = site.device(0);
        let dev = client(d, AuthMode::Session, PW);
        dev.login().await.unwrap_or_else(|e| panic!("{name}: {e}"));
        dev.device_info().await.unwrap();
        assert_eq!(d.stats().auth_failures, 0, "{name}");
        site.shutdown().await;
    }
}

#[tokio::test]
async fn expired_session_logs_in_again_once() {
    let mut p = Personality::camera();
    p.session_timeout_secs = 1;
    let site = site(p).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Session, PW);
    dev.device_info().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let before = dev.stats();
    dev.device_info().await.expect("re-login is transparent");
    let c = dev.stats().since(&before);
    assert_eq!(c.session_logins, 1);
    assert_eq!(
        c.requests_sent, 4,
        "expired request, capabilities, login, request again: {c:?}"
    );
    assert_eq!(d.stats().auth_failures, 0);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn wrong_password_in_session_mode() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Session, WRONG);
    let e = dev.device_info().await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::CredentialsRejected {
                attempts_left: Some(6),
                ..
            }
        ),
        "{e:?}"
    );
    let before = d.stats().requests;
    assert!(matches!(
        dev.device_info().await,
        Err(Error::CredentialLatched { .. })
    ));
    assert!(matches!(
        dev.login().await,
        Err(Error::CredentialLatched { .. })
    ));
    assert_eq!(d.stats().requests, before);
    assert_eq!(d.stats().auth_failures, 1);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn device_without_session_login() {
    let site = site(Personality::legacy()).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Session, PW);
    let e = dev.device_info().await.unwrap_err();
    assert!(matches!(e, Error::NotSupported { .. }), "{e:?}");
    assert_eq!(dev.stats().credentials_sent, 0);
    site.shutdown().await;
}

#[tokio::test]
async fn background_heartbeat_keeps_the_session() {
    let mut p = Personality::camera();
    p.session_timeout_secs = 2;
    let site = site(p).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Session, PW);
    dev.login().await.unwrap();
    let hb = dev
        .spawn_session_heartbeat(Duration::from_millis(250))
        .unwrap();
    // longer than the session's idle lifetime: only the heartbeats keep it alive
    tokio::time::sleep(Duration::from_millis(2600)).await;
    assert!(hb.is_running());
    dev.device_info().await.unwrap();
    assert_eq!(dev.stats().session_logins, 1, "the session never expired");
    assert!(d.stats().hits_method("PUT", HEARTBEAT_PATH) >= 3);
    hb.stop();
    // heartbeats are a session-mode feature
    let digest = client(d, AuthMode::Auto, PW);
    assert!(digest.session_heartbeat().await.is_err());
    assert!(
        digest
            .spawn_session_heartbeat(Duration::from_secs(1))
            .is_err()
    );
    site.shutdown().await;
}
