//! The lock-out rule on every path, checked against the simulator's own counters: a
//! credential the device may have counted as a failed login is never sent to it again.

use std::time::Duration;

use hikproto::{AuthMode, Device, Error, LockoutGuard, TlsMode};
use hikproto_sim::{Personality, SimDevice, Site};

use crate::{INFO, PW, WRONG, assert_no_repeat, client, init_logs, site};

/// A new password the device is given while the client still holds the old one.
const CHANGED: &str = "Chang3d-Passw0rd";

fn with_guard(d: &SimDevice, guard: &LockoutGuard, password: &str) -> Device {
    Device::builder(d.host())
        .credentials("admin", password)
        .lockout_guard(guard.clone())
        .build()
        .expect("client builds")
}

/// The password changes on the device while the client answers with a cached nonce.
async fn password_changed_under_a_cached_nonce(p: Personality) -> (SimDevice, Error, Site) {
    let site = site(p).await;
    let d = site.device(0).clone();
    let dev = client(&d, AuthMode::Auto, PW);
    dev.device_info().await.expect("the first call logs in");
    d.update(|c| c.users[0].password = CHANGED.into());
    let err = dev.device_info().await.unwrap_err();
    // every later call stays local
    let requests = d.stats().requests;
    for _ in 0..3 {
        assert!(matches!(
            dev.device_info().await,
            Err(Error::CredentialLatched { .. })
        ));
    }
    assert_eq!(d.stats().requests, requests);
    (d, err, site)
}

#[tokio::test]
async fn password_changed_under_a_nonce_the_device_refuses_without_counting() {
    let (d, err, site) =
        password_changed_under_a_cached_nonce(Personality::camera().nonce_reuse(false)).await;
    assert!(
        matches!(
            err,
            Error::CredentialsRejected {
                attempts_left: Some(6),
                ..
            }
        ),
        "the refused nonce was read, the fresh answer rejected: {err:?}"
    );
    let s = d.stats();
    assert_eq!(s.nonce_reuse_rejections, 1, "{s:?}");
    assert_eq!(s.failed_logins, 1, "{s:?}");
    assert_no_repeat(&d);
    site.shutdown().await;
}

#[tokio::test]
async fn password_changed_under_a_nonce_the_device_refuses_and_counts() {
    let p = Personality::camera()
        .nonce_reuse(false)
        .reused_nonce_counted(true);
    let (d, err, site) = password_changed_under_a_cached_nonce(p).await;
    assert!(
        matches!(
            err,
            Error::CredentialsRejected {
                attempts_left: Some(6),
                ..
            }
        ),
        "{err:?}"
    );
    let s = d.stats();
    assert_eq!(s.failed_logins, 1, "the counted refusal only: {s:?}");
    assert_no_repeat(&d);
    site.shutdown().await;
}

#[tokio::test]
async fn password_changed_under_a_nonce_the_device_accepts() {
    let (d, err, site) = password_changed_under_a_cached_nonce(Personality::camera()).await;
    assert!(matches!(err, Error::CredentialsRejected { .. }), "{err:?}");
    assert_eq!(d.stats().failed_logins, 1);
    assert_no_repeat(&d);
    site.shutdown().await;
}

#[tokio::test]
async fn a_lock_that_expires_leaves_the_credentials_that_caused_it_latched() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    d.update(|c| {
        c.lockout.max_attempts = 2;
        c.lockout.lock_seconds = 2;
    });
    d.recognise_password("Wrong-One1");
    d.recognise_password("Wrong-Two2");
    let guard = LockoutGuard::new();
    let good = with_guard(d, &guard, PW);
    good.device_info().await.expect("the right password, once");
    let one = with_guard(d, &guard, "Wrong-One1");
    assert!(matches!(
        one.device_info().await,
        Err(Error::CredentialsRejected {
            attempts_left: Some(1),
            ..
        })
    ));
    let two = with_guard(d, &guard, "Wrong-Two2");
    assert!(matches!(two.device_info().await, Err(Error::Locked { .. })));
    // the right password meets the lock: reported, latched until the lock ends
    let good2 = with_guard(d, &guard, PW);
    assert!(matches!(
        good2.device_info().await,
        Err(Error::Locked { .. })
    ));
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let requests = d.stats().requests;
    for wrong in [&one, &two] {
        assert!(
            matches!(
                wrong.device_info().await,
                Err(Error::CredentialLatched { .. })
            ),
            "a credential that caused the lock stays latched after it"
        );
    }
    assert_eq!(d.stats().requests, requests, "nothing was sent");
    good2
        .device_info()
        .await
        .expect("a lock the credential did not cause expires");
    // a new credential (the device's password changed) works at once
    d.update(|c| c.users[0].password = CHANGED.into());
    with_guard(d, &guard, CHANGED)
        .device_info()
        .await
        .expect("a new credential works");
    let s = d.stats();
    assert_eq!(s.failed_logins, 2, "{s:?}");
    assert_eq!(s.locks, 1);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn session_login_rejection_is_sent_once() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Session, WRONG);
    let results = crate::auth::concurrency::all(16, |_| {
        let dev = dev.clone();
        async move { dev.device_info().await }
    })
    .await;
    for r in &results {
        assert!(
            matches!(
                r,
                Err(Error::CredentialsRejected { .. } | Error::CredentialLatched { .. })
            ),
            "{r:?}"
        );
    }
    assert!(matches!(
        dev.login().await,
        Err(Error::CredentialLatched { .. })
    ));
    let s = d.stats();
    assert_eq!(s.failed_logins, 1, "{s:?}");
    assert_eq!(s.hits("/ISAPI/Security/sessionLogin"), 1);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn a_device_answering_403_while_locked_is_never_taken_as_accepting() {
    let site = site(Personality::camera().locked_answers_403(true)).await;
    let d = site.device(0);
    d.update(|c| c.lockout.max_attempts = 1);
    let wrong = client(d, AuthMode::Auto, WRONG);
    let e = wrong.device_info().await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Locked {
                retry_after: Some(_),
                ..
            }
        ),
        "{e:?}"
    );
    let good = client(d, AuthMode::Auto, PW);
    let e = good.get_xml(INFO).await.unwrap_err();
    assert!(
        matches!(e, Error::Locked { .. }),
        "403 is not success: {e:?}"
    );
    assert!(good.credentials_latched());
    assert!(wrong.credentials_latched());
    let s = d.stats();
    assert_eq!(s.failed_logins, 1, "{s:?}");
    assert_eq!(s.locked_rejections, 1, "{s:?}");
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn a_stale_storm_gets_an_error_not_a_flood() {
    let site = site(Personality::camera().nonce_lifetime_secs(0)).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Auto, PW);
    for _ in 0..3 {
        assert!(dev.device_info().await.is_err(), "never accepted");
    }
    assert!(
        dev.stats().credentials_sent <= 6,
        "at most one stale resend per call: {:?}",
        dev.stats()
    );
    let s = d.stats();
    assert_eq!(s.failed_logins, 0, "stale is not a failed login: {s:?}");
    assert!(s.stale_nonces >= 3, "{s:?}");
    // a wrong password under the storm is judged, once
    let wrong = client(d, AuthMode::Auto, WRONG);
    assert!(matches!(
        wrong.device_info().await,
        Err(Error::CredentialsRejected { .. })
    ));
    assert!(matches!(
        wrong.device_info().await,
        Err(Error::CredentialLatched { .. })
    ));
    assert_eq!(d.stats().failed_logins, 1);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn http_and_https_of_one_device_share_the_latch() {
    init_logs();
    let site = Site::builder()
        .devices(1)
        .password(PW)
        .personality(Personality::camera())
        .https(true)
        .start()
        .await
        .expect("simulator starts");
    let d = site.device(0);
    let guard = LockoutGuard::new();
    let http = with_guard(d, &guard, WRONG);
    assert!(matches!(
        http.device_info().await,
        Err(Error::CredentialsRejected { .. })
    ));
    let https = Device::builder(d.https_url().expect("https"))
        .https(true)
        .tls(TlsMode::DangerAcceptInvalidCerts)
        .credentials("admin", WRONG)
        .lockout_guard(guard.clone())
        .build()
        .expect("client builds");
    assert!(matches!(
        https.device_info().await,
        Err(Error::CredentialLatched { .. })
    ));
    assert_eq!(https.stats().requests_sent, 0);
    assert_eq!(d.stats().failed_logins, 1);
    assert_no_repeat(d);
    site.shutdown().await;
}
