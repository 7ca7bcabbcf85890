use std::net::Ipv4Addr;
use std::time::Duration;

use hikproto::Error;
use hikproto::sadp::{NetworkParams, Probe, ProbeType, SadpErrorCode, UnbindStatus, discover};

use crate::*;
use hikproto_sim::sadp::{
    DeviceView, LockPolicy, MemoryDevice, Quirks, Registration, Responder, ResponderConfig,
};

#[tokio::test]
async fn activation_refuses_a_risky_password_then_activates() {
    let o = one(
        DeviceView::camera(100),
        Quirks::all(),
        ResponderConfig::loopback(),
    )
    .await;
    let t = target_of(o.responder.local_addr()).await;
    let c = client().await;
    let e = c.activate(&t, &secret("12345678")).await.unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::RiskPassword);
    let shown = e.to_string();
    assert!(
        shown.contains("2020") && shown.contains("riskPassword"),
        "{shown}"
    );
    assert!(
        !shown.contains("12345678"),
        "the password never appears: {shown}"
    );
    assert!(!o.dev.view().activated);

    c.activate(&t, &secret("Str0ng!Passw0rd")).await.unwrap();
    let v = o.dev.view();
    assert!(v.activated);
    assert_eq!(v.admin_password.unwrap().expose(), "Str0ng!Passw0rd");

    let e = c
        .activate(&t, &secret("An0ther!Passw0rd"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::AlreadyActivated), "{e:?}");
    assert_eq!(code_of(&e), SadpErrorCode::HasActivated);
    let found = discover(&fast(vec![o.responder.local_addr()]).expect(1))
        .await
        .unwrap();
    assert_eq!(found[0].info.activated, Some(true));
}

#[tokio::test]
async fn update_network_with_the_salted_password() {
    let o = activated(101).await;
    let t = target_of(o.responder.local_addr()).await;
    assert!(t.salt.is_some(), "this device advertises a salt");
    let c = client().await;
    let mut params = NetworkParams::from_probe_match(
        &discover(&fast(vec![o.responder.local_addr()]).expect(1))
            .await
            .unwrap()[0]
            .info,
    )
    .unwrap();
    params.ipv4_address = Ipv4Addr::new(192, 0, 2, 77);
    params.ipv4_gateway = Ipv4Addr::new(192, 0, 2, 1);
    params.http_port = Some(8080);

    let e = c
        .update_network(&t, &params, &secret("Wrong-Passw0rd"))
        .await
        .unwrap_err();
    match e {
        Error::CredentialsRejected {
            ref user,
            attempts_left,
        } => {
            assert_eq!(user, "admin");
            assert_eq!(attempts_left, Some(6));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        o.dev.view().ipv4,
        DeviceView::camera(101).ipv4,
        "nothing changed"
    );

    c.update_network(&t, &params, &secret(PW)).await.unwrap();
    let v = o.dev.view();
    assert_eq!(v.ipv4, Ipv4Addr::new(192, 0, 2, 77));
    assert_eq!(v.gateway, Ipv4Addr::new(192, 0, 2, 1));
    assert_eq!(v.http_port, 8080);
    let again = discover(&fast(vec![o.responder.local_addr()]).expect(1))
        .await
        .unwrap();
    assert_eq!(
        again[0].info.ipv4_address,
        Some(Ipv4Addr::new(192, 0, 2, 77))
    );
}

#[tokio::test]
async fn update_network_without_salt_uses_the_exchange_code() {
    let mut view = DeviceView::camera(102).with_password(PW);
    view.salt = None;
    let o = one(view, Quirks::default(), ResponderConfig::loopback()).await;
    let t = target_of(o.responder.local_addr()).await;
    assert!(t.salt.is_none());
    let c = client().await;
    let mut params = NetworkParams::from_probe_match(
        &discover(&fast(vec![o.responder.local_addr()]).expect(1))
            .await
            .unwrap()[0]
            .info,
    )
    .unwrap();
    params.dhcp = true;
    assert!(matches!(
        c.update_network(&t, &params, &secret("nope-Passw0rd"))
            .await,
        Err(Error::CredentialsRejected {
            attempts_left: Some(6),
            ..
        })
    ));
    c.update_network(&t, &params, &secret(PW)).await.unwrap();
    assert!(o.dev.view().dhcp);
}

#[tokio::test]
async fn wrong_passwords_count_lock_and_the_lock_expires() {
    let cfg = ResponderConfig {
        lock: LockPolicy {
            max_attempts: 3,
            lock_for: Duration::from_millis(600),
        },
        ..ResponderConfig::loopback()
    };
    let o = one(
        DeviceView::camera(103).with_password(PW),
        Quirks::default(),
        cfg,
    )
    .await;
    let t = target_of(o.responder.local_addr()).await;
    let c = client().await;
    // the right password once: the client knows it is good
    c.set_hc_platform(&t, false, &secret(PW)).await.unwrap();
    // three different wrong passwords (one and the same is never sent twice)
    for (bad, left) in [("Bad-Passw0rd1", 2), ("Bad-Passw0rd2", 1)] {
        match c.set_hc_platform(&t, true, &secret(bad)).await {
            Err(Error::CredentialsRejected { attempts_left, .. }) => {
                assert_eq!(attempts_left, Some(left))
            }
            other => panic!("{other:?}"),
        }
    }
    let commands = o.responder.stats().commands;
    assert!(matches!(
        c.set_hc_platform(&t, true, &secret("Bad-Passw0rd1")).await,
        Err(Error::CredentialLatched { .. })
    ));
    assert_eq!(o.responder.stats().commands, commands, "refused locally");
    match c.set_hc_platform(&t, true, &secret("Bad-Passw0rd3")).await {
        Err(e @ Error::Locked { .. }) => {
            let Error::Locked { retry_after, .. } = &e else {
                unreachable!()
            };
            assert_eq!(
                *retry_after,
                Some(Duration::from_secs(60)),
                "SurplusLockTime is in minutes"
            );
            assert_eq!(code_of(&e), SadpErrorCode::Locked);
        }
        other => panic!("{other:?}"),
    }
    // locked: even the right password is refused, and refusals while locked do not count
    assert!(matches!(
        c.set_hc_platform(&t, true, &secret(PW)).await,
        Err(Error::Locked { .. })
    ));
    assert!(!o.dev.view().platform_enabled);
    tokio::time::sleep(Duration::from_millis(700)).await;
    // this client waits for the lock time the device announced (rounded up to a minute)...
    assert!(matches!(
        c.set_hc_platform(&t, true, &secret(PW)).await,
        Err(Error::CredentialLatched { .. })
    ));
    // ...and the wrong password that triggered the lock stays latched after it
    assert!(matches!(
        c.set_hc_platform(&t, true, &secret("Bad-Passw0rd3")).await,
        Err(Error::CredentialLatched { .. })
    ));
    // the device's own lock has ended
    client()
        .await
        .set_hc_platform(&t, true, &secret(PW))
        .await
        .unwrap();
    assert!(o.dev.view().platform_enabled);
    let s = o.responder.stats();
    assert_eq!(s.wrong_passwords, 3);
    assert_eq!(s.locks, 1);
    assert_eq!(s.repeated_secrets, 0);
}

#[tokio::test]
async fn platform_access_and_verification_code() {
    let o = one(
        DeviceView::camera(104).with_password(PW),
        Quirks::all(),
        ResponderConfig::loopback(),
    )
    .await;
    let addr = o.responder.local_addr();
    let t = target_of(addr).await;
    let c = client().await;
    c.set_hc_platform(&t, true, &secret(PW)).await.unwrap();
    let d = discover(&fast(vec![addr]).expect(1)).await.unwrap();
    assert_eq!(d[0].info.hc_platform_enable, Some(true));
    c.set_hc_platform(&t, false, &secret(PW)).await.unwrap();
    let d = discover(&fast(vec![addr]).expect(1)).await.unwrap();
    assert_eq!(d[0].info.hc_platform_enable, Some(false), "sent as flase");

    c.set_verification_code(&t, &secret("Abc123xyz"), &secret(PW))
        .await
        .unwrap();
    assert_eq!(
        o.dev.view().verification_code.unwrap().expose(),
        "Abc123xyz"
    );
    // refused client-side, nothing sent
    assert!(matches!(
        c.set_verification_code(&t, &secret("abc"), &secret(PW))
            .await,
        Err(Error::InvalidInput(_))
    ));
    // the device's own check (digits only) through a raw probe
    let key = c.exchange_code(&t).await.unwrap();
    let probe = Probe::set_verification_code(
        t.mac,
        &key.seal("12345678").unwrap(),
        &key.seal(PW).unwrap(),
    );
    let e = c
        .request(&t, &probe)
        .await
        .unwrap()
        .check("admin")
        .unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::IllegalVerificationCode);
}

#[tokio::test]
async fn unbind_from_hik_connect() {
    let o = activated(105).await;
    let t = target_of(o.responder.local_addr()).await;
    let c = client().await;
    assert_eq!(c.unbind_status(&t).await.unwrap(), UnbindStatus::NotBound);
    c.unbind_hik_connect(&t, &secret(PW)).await.unwrap();
    assert_eq!(
        c.unbind_status(&t).await.unwrap(),
        UnbindStatus::PlatformDisabled
    );
    o.dev.update(|v| {
        v.platform_enabled = true;
        v.bound_account = Some("installer@example.com".into());
        v.platform_online = false;
    });
    c.unbind_hik_connect(&t, &secret(PW)).await.unwrap();
    assert_eq!(
        c.unbind_status(&t).await.unwrap(),
        UnbindStatus::PlatformOffline
    );
    o.dev.update(|v| v.platform_online = true);
    c.unbind_hik_connect(&t, &secret(PW)).await.unwrap();
    assert_eq!(c.unbind_status(&t).await.unwrap(), UnbindStatus::Success);
    assert!(o.dev.view().bound_account.is_none());
    assert!(matches!(
        c.unbind_hik_connect(&t, &secret("Wrong-Passw0rd")).await,
        Err(Error::CredentialsRejected { .. })
    ));
}

#[tokio::test]
async fn restore_inactive_then_activate_again() {
    let o = activated(106).await;
    let t = target_of(o.responder.local_addr()).await;
    let c = client().await;
    c.restore_inactive(&t, &secret(PW)).await.unwrap();
    assert!(!o.dev.view().activated);
    // commands other than activation now say "not activated"
    let e = c.set_hc_platform(&t, true, &secret(PW)).await.unwrap_err();
    assert!(matches!(e, Error::NotActivated), "{e:?}");
    c.activate(&t, &secret("N3w!Passw0rd")).await.unwrap();
    assert_eq!(
        o.dev.view().admin_password.unwrap().expose(),
        "N3w!Passw0rd"
    );
}

#[tokio::test]
async fn blink_the_locator_led_and_run_commands_concurrently() {
    let devs: Vec<_> = (0..5)
        .map(|i| MemoryDevice::new(DeviceView::camera(110 + i).with_password(PW)))
        .collect();
    let r = Responder::start(
        ResponderConfig::loopback(),
        devs.iter()
            .map(|d| Registration::new(d.clone(), Quirks::default()))
            .collect(),
    )
    .await
    .unwrap();
    let found = discover(&fast(vec![r.local_addr()]).expect(5))
        .await
        .unwrap();
    assert_eq!(found.len(), 5);
    let c = client().await;
    let mut tasks = Vec::new();
    for d in &found {
        for _ in 0..4 {
            let c = c.clone();
            let t = d.target();
            tasks.push(tokio::spawn(async move {
                c.blink(&t, true).await?;
                c.password_reset_types(&t).await?;
                c.set_hc_platform(&t, true, &Secret::new(PW)).await
            }));
        }
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    for (i, d) in devs.iter().enumerate() {
        assert_eq!(r.lamp(i), Some(true));
        assert!(d.view().platform_enabled);
    }
    c.blink(&found[0].target(), false).await.unwrap();
    let off = (0..5).filter(|&i| r.lamp(i) == Some(false)).count();
    assert_eq!(off, 1);
    assert_eq!(r.stats().wrong_passwords, 0);
}

#[tokio::test]
async fn a_password_without_key_exchange_is_refused() {
    let o = one(
        DeviceView::camera(107),
        Quirks::default(),
        ResponderConfig::loopback(),
    )
    .await;
    let t = target_of(o.responder.local_addr()).await;
    let c = client().await;
    // an activate whose password was not sealed with an exchanged key
    let probe = Probe::activate(t.mac, "cGxhaW50ZXh0");
    let e = c
        .request(&t, &probe)
        .await
        .unwrap()
        .check("admin")
        .unwrap_err();
    assert_eq!(code_of(&e), SadpErrorCode::DeviceDenied);
    assert!(!o.dev.view().activated);
    // a resent request (same UUID) is answered from the cache, not executed twice
    let again = c.request(&t, &probe).await.unwrap();
    assert_eq!(again.result, Some(hikproto::sadp::CommandResult::Failed));
    assert_eq!(o.responder.stats().duplicates, 1);
    assert_eq!(probe.types(), &ProbeType::Activate);
}
