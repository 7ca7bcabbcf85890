//! Single flight: however many calls race with one unverified wrong password — through one
//! handle, separately built handles, `Fleet`, or SADP — the device counts exactly one failed
//! login, and every call fails with a credential error.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use hikproto::fleet::Fleet;
use hikproto::sadp::{ClientOptions, DiscoverOptions, SadpClient, discover};
use hikproto::{AuthMode, Device, Error, LockoutGuard, Secret};
use hikproto_sim::{Personality, SimDevice, Site};

use crate::{PW, WRONG, assert_no_repeat, client, init_logs, site};

/// Runs `n` copies of a call concurrently (each on its own task) and collects the results.
pub(crate) async fn all<T, F, Fut>(n: usize, mk: F) -> Vec<hikproto::Result<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = hikproto::Result<T>> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(mk(i))).collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

/// Every result is a credential error, and at least one is the device's own rejection.
fn all_refused<T: std::fmt::Debug>(results: &[hikproto::Result<T>]) {
    let mut rejected = 0;
    for r in results {
        match r {
            Err(Error::CredentialsRejected { .. }) => rejected += 1,
            Err(Error::CredentialLatched { .. }) => {}
            other => panic!("expected a credential error, got {other:?}"),
        }
    }
    assert!(rejected >= 1);
}

fn exactly_one_failed_login(d: &SimDevice) {
    let s = d.stats();
    assert_eq!(s.failed_logins, 1, "{s:?}");
    assert_eq!(s.auth_failures, 1, "{s:?}");
    assert_no_repeat(d);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_calls_through_one_handle() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Auto, WRONG);
    let results = all(64, |_| {
        let dev = dev.clone();
        async move { dev.device_info().await }
    })
    .await;
    all_refused(&results);
    assert_eq!(dev.stats().credentials_sent, 1);
    exactly_one_failed_login(d);
    site.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_handles_built_separately_share_the_global_guard() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    // a password no other test uses: the process-wide guard is shared by every test here
    let wrong = "Wr0ng-Global-64!";
    let host = d.host();
    let results = all(64, |_| {
        let host = host.clone();
        async move {
            let dev = Device::builder(host).credentials("admin", wrong).build()?;
            assert!(dev.lockout_guard().same_as(&LockoutGuard::global()));
            dev.device_info().await
        }
    })
    .await;
    all_refused(&results);
    exactly_one_failed_login(d);
    site.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_devices_of_a_fleet() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    let guard = LockoutGuard::new();
    let devices: Vec<Device> = (0..64)
        .map(|_| {
            Device::builder(d.host())
                .credentials("admin", WRONG)
                .lockout_guard(guard.clone())
                .build()
                .unwrap()
        })
        .collect();
    let results = Fleet::new()
        .concurrency(64)
        .per_host_limit(64)
        .per_account_limit(64)
        .run(devices, |dev| async move { dev.device_info().await })
        .await;
    let outcomes: Vec<_> = results.into_iter().map(|r| r.outcome).collect();
    all_refused(&outcomes);
    exactly_one_failed_login(d);
    site.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accepted_credentials_are_not_serialized() {
    let site = site(Personality::camera()).await;
    let d = site.device(0);
    let dev = client(d, AuthMode::Auto, PW);
    dev.device_info().await.expect("logs in");
    let results = all(32, |_| {
        let dev = dev.clone();
        async move { dev.device_info().await }
    })
    .await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(d.stats().failed_logins, 0);
    site.shutdown().await;
}

#[tokio::test]
async fn sadp_wrong_password_repeated_ten_times_is_counted_once() {
    init_logs();
    let site = Site::builder()
        .devices(1)
        .password(PW)
        .sadp_port(0)
        .start()
        .await
        .expect("simulator starts");
    let d = site.device(0);
    let local: SocketAddr = ([127, 0, 0, 1], 0).into();
    let addr = d.sadp_addr().expect("SADP responder");
    let mut opts = DiscoverOptions::unicast(vec![addr])
        .bind(local)
        .timeout(Duration::from_secs(3));
    opts.expect = Some(1);
    let found = discover(&opts).await.expect("discovered");
    let target = found[0].target();
    let client = SadpClient::new(ClientOptions {
        bind: local,
        timeout: Duration::from_secs(5),
        lockout_guard: LockoutGuard::new(),
        ..ClientOptions::default()
    })
    .await
    .expect("client");
    let code = Secret::new("ABCdef123");
    let mut errors = Vec::new();
    for _ in 0..10 {
        errors.push(
            client
                .set_verification_code(&target, &code, &Secret::new(WRONG))
                .await
                .unwrap_err(),
        );
    }
    assert!(
        matches!(
            errors[0],
            Error::CredentialsRejected {
                attempts_left: Some(6),
                ..
            }
        ),
        "{:?}",
        errors[0]
    );
    assert!(
        errors[1..]
            .iter()
            .all(|e| matches!(e, Error::CredentialLatched { .. })),
        "{errors:?}"
    );
    // concurrent commands with another wrong password: one reaches the device
    let results = all(8, |_| {
        let (client, target) = (client.clone(), target.clone());
        async move {
            client
                .set_hc_platform(&target, true, &Secret::new("An0ther-Wr0ng"))
                .await
        }
    })
    .await;
    all_refused(&results);
    // the right password still works
    client
        .set_verification_code(&target, &code, &Secret::new(PW))
        .await
        .expect("the right password");
    let s = d.stats();
    assert_eq!(s.sadp_failures, 2, "{s:?}");
    assert_eq!(s.failed_logins, 2, "{s:?}");
    assert_no_repeat(d);
    site.shutdown().await;
}
