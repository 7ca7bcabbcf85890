//! Wrong passwords, locks and the credential latch.

use std::time::Duration;

use hikproto::{AuthMode, Device, Error, LockoutGuard};
use hikproto_sim::{Personality, UnauthorizedBody};

use crate::{INFO, PW, WRONG, assert_no_repeat, client, site};

#[tokio::test]
async fn wrong_password_is_sent_once_then_latched() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Auto, WRONG);

    let err = dev.device_info().await.unwrap_err();
    match &err {
        Error::CredentialsRejected {
            user,
            attempts_left,
        } => {
            assert_eq!(user, "admin");
            assert_eq!(*attempts_left, Some(6), "7 allowed, 1 used");
        }
        other => panic!("expected CredentialsRejected, got {other:?}"),
    }
    assert!(!err.to_string().contains(WRONG));
    assert_eq!(dev.stats().credentials_sent, 1);

    // every later call stops before the network
    let sim_before = d.stats().requests;
    for _ in 0..3 {
        let e = dev.device_info().await.unwrap_err();
        assert!(matches!(e, Error::CredentialLatched { .. }), "{e:?}");
        assert!(dev.get_xml(INFO).await.is_err());
    }
    assert_eq!(d.stats().requests, sim_before, "nothing reached the device");
    assert!(dev.credentials_latched());
    // a clone shares the latch
    assert!(matches!(
        dev.clone().device_info().await,
        Err(Error::CredentialLatched { .. })
    ));
    // a request without credentials is still fine (it is not a login attempt)
    let st = dev
        .request(hikproto::client::Request::get("/SDK/activateStatus").without_auth())
        .await
        .expect("activateStatus needs no login");
    assert_eq!(st.status, 200);

    // the same wrong password again: still refused; new credentials: accepted at once
    dev.set_credentials("admin", WRONG);
    assert!(matches!(
        dev.device_info().await,
        Err(Error::CredentialLatched { .. })
    ));
    dev.set_credentials("admin", PW);
    dev.device_info().await.expect("new credentials work");

    let s = d.stats();
    assert_eq!(s.auth_failures, 1, "{s:?}");
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn handles_sharing_a_guard_never_resend_a_rejected_password() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    let guard = LockoutGuard::new();
    let mk = || {
        Device::builder(d.host())
            .credentials("admin", WRONG)
            .lockout_guard(guard.clone())
            .build()
            .unwrap()
    };
    let a = mk();
    assert!(matches!(
        a.device_info().await,
        Err(Error::CredentialsRejected { .. })
    ));
    // a brand-new handle with the same wrong password, as a polling loop would create
    let b = mk();
    assert!(matches!(
        b.device_info().await,
        Err(Error::CredentialLatched { .. })
    ));
    assert_eq!(b.stats().requests_sent, 0);
    assert_eq!(d.stats().auth_failures, 1);
    // the caller knows better (the device password was changed to this one): clear the latch
    d.update(|c| c.users[0].password = WRONG.into());
    b.clear_credential_latch();
    b.device_info()
        .await
        .expect("accepted after the device changed");
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn locked_device_reports_the_lock_and_is_not_hammered() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    d.update(|c| {
        c.lockout.max_attempts = 2;
        c.lockout.lock_seconds = 600;
    });
    // let the device recognise these two wrong passwords exactly, so that its repeat counter
    // does not lump them together as "an unknown password twice"
    d.recognise_password("Wrong-One1");
    d.recognise_password("Wrong-Two2");
    let first = client(d, AuthMode::Auto, "Wrong-One1");
    assert!(matches!(
        first.device_info().await,
        Err(Error::CredentialsRejected {
            attempts_left: Some(1),
            ..
        })
    ));
    let second = client(d, AuthMode::Auto, "Wrong-Two2");
    match second.device_info().await {
        Err(Error::Locked { retry_after, .. }) => {
            let r = retry_after.expect("the device says how long");
            assert!(
                r > Duration::from_secs(500) && r <= Duration::from_secs(600),
                "{r:?}"
            );
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    // even the right password is refused while locked; the lock is reported, then latched
    let good = client(d, AuthMode::Auto, PW);
    let e = good.device_info().await.unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e:?}");
    assert!(e.to_string().contains("min"), "{e}");
    let before = d.stats().requests;
    assert!(matches!(
        good.device_info().await,
        Err(Error::CredentialLatched { .. })
    ));
    assert_eq!(d.stats().requests, before);
    let s = d.stats();
    assert_eq!(s.locks, 1);
    assert_eq!(s.locked_rejections, 1);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn every_401_body_form_is_understood() {
    for (form, left) in [
        (UnauthorizedBody::UserCheck, Some(6)),
        (UnauthorizedBody::ResponseStatus, Some(6)),
        (UnauthorizedBody::Html, None),
        (UnauthorizedBody::Empty, None),
    ] {
        let site = site(Personality::camera().unauthorized_body(form)).await;
        let d = site.device(0);
        let dev = client(d, AuthMode::Auto, WRONG);
        let e = dev.device_info().await.unwrap_err();
        assert!(
            matches!(e, Error::CredentialsRejected { attempts_left, .. } if attempts_left == left),
            "{form:?}: {e:?}"
        );
        assert!(matches!(
            dev.device_info().await,
            Err(Error::CredentialLatched { .. })
        ));
        assert_eq!(d.stats().auth_failures, 1, "{form:?}");
        assert_no_repeat(d);
        site.shutdown().await;
    }
}

#[tokio::test]
async fn explicit_login_check() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    client(d, AuthMode::Auto, PW).login().await.expect("login");
    let bad = client(d, AuthMode::Auto, WRONG);
    assert!(matches!(
        bad.login().await,
        Err(Error::CredentialsRejected { .. })
    ));
    assert!(matches!(
        bad.login().await,
        Err(Error::CredentialLatched { .. })
    ));
    assert_eq!(d.stats().auth_failures, 1);
    assert_no_repeat(d);
    site.shutdown().await;
}
