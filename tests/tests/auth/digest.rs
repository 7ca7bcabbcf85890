//! Digest and Basic against the simulator's personalities.

use std::time::Duration;

use hikproto::auth::NonceReuse;
use hikproto::{AuthMode, Error, RequestStats};
use hikproto_sim::{AuthMode as SimAuth, Fault, Personality};

use crate::{PW, assert_no_repeat, client, logs, site};

/// Reads deviceInfo once and returns what that call cost the client.
async fn one_call(dev: &hikproto::Device) -> RequestStats {
    let before = dev.stats();
    let info = dev.device_info().await.expect("deviceInfo");
    assert!(info.serial_number.is_some());
    dev.stats().since(&before)
}

#[tokio::test]
async fn md5_steady_state_costs_exactly_one_round_trip_per_call() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Auto, PW);

    let first = one_call(&dev).await;
    assert_eq!(
        first.requests_sent, 2,
        "probe + one authenticated try: {first:?}"
    );
    assert_eq!(first.auth_round_trips, 1);
    assert_eq!(first.unauthorized_seen, 1);
    assert_eq!(first.credentials_sent, 1);

    for i in 0..10 {
        let sim_before = d.stats();
        let c = one_call(&dev).await;
        let sim_after = d.stats();
        assert_eq!(c.requests_sent, 1, "call {i}: {c:?}");
        assert_eq!(c.unauthorized_seen, 0, "call {i}");
        assert_eq!(c.auth_round_trips, 0, "call {i}");
        // the device agrees: one request, one login, no challenge
        assert_eq!(sim_after.requests - sim_before.requests, 1, "call {i}");
        assert_eq!(sim_after.challenges, sim_before.challenges, "call {i}");
        assert_eq!(sim_after.logins - sim_before.logins, 1, "call {i}");
    }
    assert_eq!(dev.nonce_reuse(), NonceReuse::Accepted);
    let s = d.stats();
    assert_eq!((s.auth_failures, s.nonce_reuse_rejections), (0, 0));
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn sha256_only_device() {
    let site = site(Personality::camera().auth(SimAuth::DigestSha256)).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Digest, PW);
    one_call(&dev).await;
    assert_eq!(one_call(&dev).await.requests_sent, 1);
    let s = d.stats();
    assert_eq!((s.logins, s.auth_failures), (2, 0));
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn several_headers_choose_sha256() {
    let site = site(Personality::camera().auth(SimAuth::DigestMulti)).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Auto, PW);
    one_call(&dev).await;
    assert_eq!(one_call(&dev).await.requests_sent, 1);
    let host = d.host();
    let chosen = logs()
        .lines()
        .filter(|l| l.contains(&host) && l.contains("challenge received"))
        .map(str::to_owned)
        .collect::<Vec<_>>();
    assert_eq!(chosen.len(), 1, "{chosen:?}");
    assert!(chosen[0].contains("chosen=Digest SHA-256"), "{}", chosen[0]);
    assert!(
        chosen[0].contains("Digest MD5"),
        "both were offered: {}",
        chosen[0]
    );
    assert_eq!(d.stats().auth_failures, 0);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn nvr_style_challenge_with_odd_parameters() {
    let site = site(Personality::nvr()).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Auto, PW);
    one_call(&dev).await;
    assert_eq!(one_call(&dev).await.requests_sent, 1);
    assert_eq!(d.stats().auth_failures, 0);
    site.shutdown().await;
}

#[tokio::test]
async fn stale_nonce_is_rechallenged_without_a_rejection() {
    let mut p = Personality::camera();
    p.nonce_lifetime_secs = 1;
    let site = site(p).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Auto, PW);
    one_call(&dev).await;
    one_call(&dev).await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let c = one_call(&dev).await;
    assert_eq!(
        c.requests_sent, 2,
        "reused answer (stale) + fresh answer: {c:?}"
    );
    assert_eq!(c.credentials_sent, 2);
    let s = d.stats();
    assert_eq!(s.stale_nonces, 1);
    assert_eq!(s.auth_failures, 0);
    assert_eq!(
        dev.nonce_reuse(),
        NonceReuse::Accepted,
        "stale is not a reuse refusal"
    );
    assert_eq!(
        one_call(&dev).await.requests_sent,
        1,
        "back to one round trip"
    );
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn device_refusing_nonce_reuse_switches_to_fresh_challenges() {
    let site = site(Personality::camera().nonce_reuse(false)).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Auto, PW);
    one_call(&dev).await;
    let c = one_call(&dev).await;
    assert_eq!(c.requests_sent, 2, "refused reuse + one fresh try: {c:?}");
    assert_eq!(dev.nonce_reuse(), NonceReuse::Rejected);
    for _ in 0..3 {
        let c = one_call(&dev).await;
        assert_eq!(
            (c.requests_sent, c.credentials_sent),
            (2, 1),
            "probe + one try: {c:?}"
        );
    }
    let s = d.stats();
    assert_eq!(s.nonce_reuse_rejections, 1, "detected once, never again");
    assert_eq!(s.auth_failures, 0);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn basic_only_device() {
    let site = site(Personality::legacy()).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Auto, PW);
    let first = one_call(&dev).await;
    assert_eq!(
        first.requests_sent, 2,
        "Basic only after the device offered it"
    );
    assert_eq!(one_call(&dev).await.requests_sent, 1, "then pre-emptively");
    let s = d.stats();
    assert_eq!((s.auth_failures, s.basic_refused), (0, 0));
    // a Digest-only client refuses without sending anything
    let strict = client(d, AuthMode::Digest, PW);
    let err = strict.device_info().await.unwrap_err();
    assert!(matches!(err, Error::NotSupported { .. }), "{err:?}");
    assert!(err.to_string().contains("WEB Authentication"), "{err}");
    assert_eq!(strict.stats().credentials_sent, 0);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn digest_basic_device_gets_digest() {
    let site = site(Personality::camera().auth(SimAuth::DigestBasic)).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Auto, PW);
    one_call(&dev).await;
    one_call(&dev).await;
    let host = d.host();
    let line = logs()
        .lines()
        .find(|l| l.contains(&host) && l.contains("challenge received"))
        .map(str::to_owned)
        .expect("logged");
    assert!(line.contains("chosen=Digest MD5"), "{line}");
    // explicit Basic mode uses the Basic the device offers
    let basic = client(d, AuthMode::Basic, PW);
    basic.device_info().await.unwrap();
    let s = d.stats();
    assert_eq!((s.auth_failures, s.basic_refused), (0, 0));
    // Basic mode against a Digest-only device: refused locally, nothing sent
    let site2 = crate::site(Personality::camera()).await;
    let strict = client(site2.device(0), AuthMode::Basic, PW);
    assert!(matches!(
        strict.device_info().await,
        Err(Error::NotSupported { .. })
    ));
    assert_eq!(
        site2.device(0).stats().basic_refused,
        0,
        "never Basic blind"
    );
    site.shutdown().await;
    site2.shutdown().await;
}

#[tokio::test]
async fn concurrent_calls_share_one_device_handle() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Auto, PW);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let dev = dev.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..5 {
                dev.device_info().await.expect("deviceInfo");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let s = d.stats();
    assert_eq!(s.auth_failures, 0, "{s:?}");
    assert_eq!(s.logins, 20);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn the_deadline_covers_the_authentication_probe() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    d.set_fault(Fault::Latency(Duration::from_secs(3)));
    let dev = hikproto::Device::builder(d.host())
        .credentials("admin", PW)
        .lockout_guard(hikproto::LockoutGuard::new())
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let t0 = std::time::Instant::now();
    let err = dev.device_info().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
    assert_eq!(dev.stats().credentials_sent, 0);
    d.clear_faults();
    site.shutdown().await;
}
