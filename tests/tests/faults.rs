//! Fault suite: the client (and `hikproto::fleet::Fleet`) against the simulator's injected
//! faults — latency beyond the deadline, connections dropped mid-body or at once, a peer that
//! stops reading, HTTP 500s, garbage bodies, wrong content types, stale-nonce storms, nonce-reuse
//! rejection, a lock-out in the middle of a fleet run, and a device rebooting during an operation.
//!
//! Every test asserts that deadlines are kept (elapsed < deadline + a margin for a busy machine:
//! these are assertions on deadlines, not on speed), that errors are typed and per device, and,
//! from the simulator's own counters, that no credential the device rejected was sent again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hikproto::fleet::{DeviceResult, Fleet};
use hikproto::{Device, Error};
use hikproto_sim::{Fault, Personality, SimDevice, Site};
use hikproto_tests::clients::{admin_builder, assert_no_repeat};

const PW: &str = "Faults-Pass1x";
/// Scheduling slack on a loaded 2-core machine, added to every deadline.
const MARGIN: Duration = Duration::from_millis(1500);

async fn site(n: usize, p: Personality) -> Site {
    Site::builder()
        .devices(n)
        .password(PW)
        .personality(p)
        .start()
        .await
        .expect("simulator starts")
}

fn client(d: &SimDevice, password: &str, timeout: Duration) -> Device {
    admin_builder(d, password)
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .expect("client builds")
}

/// Runs `f`, asserting it ends within `deadline` + [`MARGIN`]; returns its output.
async fn within<T>(deadline: Duration, f: impl Future<Output = T>) -> T {
    let t0 = Instant::now();
    let out = tokio::time::timeout(deadline + MARGIN * 4, f)
        .await
        .expect("the operation hung far past its deadline");
    let took = t0.elapsed();
    assert!(
        took < deadline + MARGIN,
        "took {took:?}, deadline {deadline:?}"
    );
    out
}

#[tokio::test]
async fn latency_beyond_the_deadline_times_out_on_time() {
    let site = site(1, Personality::camera()).await;
    let d = site.device(0);
    let dev = client(d, PW, Duration::from_millis(600));
    dev.device_info().await.expect("healthy first");
    d.set_fault(Fault::Latency(Duration::from_secs(5)));
    for _ in 0..3 {
        let e = within(Duration::from_millis(600), dev.device_info())
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    }
    d.clear_faults();
    dev.device_info()
        .await
        .expect("recovers once the latency is gone");
    assert_eq!(d.stats().auth_failures, 0);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn connection_dropped_mid_body_is_a_typed_error() {
    let site = site(1, Personality::camera()).await;
    let d = site.device(0);
    let dev = client(d, PW, Duration::from_secs(3));
    dev.device_info().await.expect("healthy first");
    d.set_fault(Fault::TruncatedBodies);
    for _ in 0..3 {
        let e = within(Duration::from_secs(3), dev.device_info())
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Transport { .. } | Error::Decode { .. }),
            "{e:?}"
        );
    }
    d.clear_faults();
    dev.device_info().await.expect("recovers");
    assert!(
        !dev.credentials_latched(),
        "a transport fault is not a rejection"
    );
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn connections_reset_at_once_are_a_transport_error() {
    let site = site(1, Personality::camera()).await;
    let d = site.device(0);
    d.set_fault(Fault::DropConnections);
    let dev = client(d, PW, Duration::from_secs(2));
    let e = within(Duration::from_secs(2), dev.device_info())
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Transport { .. } | Error::Timeout { .. }),
        "{e:?}"
    );
    assert_eq!(dev.stats().credentials_sent, 0);
    d.clear_faults();
    dev.device_info().await.expect("recovers");
    site.shutdown().await;
}

#[tokio::test]
async fn a_peer_that_stops_reading_cannot_stall_the_client() {
    let site = site(1, Personality::camera()).await;
    let d = site.device(0);
    d.set_fault(Fault::StopReading);
    let deadline = Duration::from_millis(800);
    let dev = client(d, PW, deadline);
    let e = within(deadline, dev.device_info()).await.unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    // A large upload the peer never reads fills the socket buffers; the deadline still holds.
    let big = serde_json::json!({ "blob": "x".repeat(8 << 20) });
    let e = within(deadline, dev.put_json("/ISAPI/System/time", &big))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Timeout { .. } | Error::Transport { .. }),
        "{e:?}"
    );
    d.clear_faults();
    site.shutdown().await;
}

#[tokio::test]
async fn http_500_is_a_device_error_with_its_status() {
    let site = site(1, Personality::camera()).await;
    let d = site.device(0);
    let dev = client(d, PW, Duration::from_secs(3));
    d.set_fault(Fault::Http500);
    for _ in 0..3 {
        let e = within(Duration::from_secs(3), dev.device_info())
            .await
            .unwrap_err();
        match &e {
            Error::Device { http_status, .. } => assert_eq!(*http_status, 500),
            other => panic!("expected a device error, got {other:?}"),
        }
    }
    assert!(!dev.credentials_latched());
    assert_eq!(d.stats().auth_failures, 0);
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn garbage_bodies_are_decode_errors_and_content_type_is_not_trusted() {
    let site = site(1, Personality::camera()).await;
    let d = site.device(0);
    let dev = client(d, PW, Duration::from_secs(3));
    d.set_fault(Fault::GarbageXml);
    let e = within(Duration::from_secs(3), dev.device_info())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    let e = within(
        Duration::from_secs(3),
        dev.get_xml("/ISAPI/System/Network/interfaces"),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    d.clear_faults();
    // A correct body labelled text/plain is still read: real firmware mislabels.
    d.set_fault(Fault::WrongContentType);
    let info = dev.device_info().await.expect("read despite the label");
    assert_eq!(info.serial_number.as_deref(), Some(d.serial()));
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn stale_nonce_storm_never_counts_as_a_failure() {
    let mut p = Personality::camera();
    p.nonce_lifetime_secs = 1;
    let site = site(1, p).await;
    let d = site.device(0);
    let dev = client(d, PW, Duration::from_secs(5));
    for round in 0..3 {
        let calls: Vec<_> = (0..8)
            .map(|_| {
                let dev = dev.clone();
                tokio::spawn(async move { dev.device_info().await })
            })
            .collect();
        for c in calls {
            c.await
                .expect("no panic")
                .unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        }
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    let s = d.stats();
    assert!(
        s.stale_nonces >= 1,
        "the storm did reach stale nonces: {s:?}"
    );
    assert_eq!(s.auth_failures, 0, "{s:?}");
    assert!(!dev.credentials_latched());
    assert_no_repeat(d);
    site.shutdown().await;
}

#[tokio::test]
async fn nonce_reuse_rejection_under_concurrency() {
    let site = site(1, Personality::camera().nonce_reuse(false)).await;
    let d = site.device(0);
    let dev = client(d, PW, Duration::from_secs(5));
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let dev = dev.clone();
            tokio::spawn(async move { dev.device_info().await })
        })
        .collect();
    for c in calls {
        c.await.expect("no panic").expect("every call succeeds");
    }
    for _ in 0..4 {
        dev.device_info().await.expect("sequential calls succeed");
    }
    let s = d.stats();
    assert_eq!(s.auth_failures, 0, "{s:?}");
    assert!(s.nonce_reuse_rejections <= 16, "{s:?}");
    assert!(!dev.credentials_latched());
    assert_no_repeat(d);
    site.shutdown().await;
}

/// What each device of the mixed fleet is subjected to.
const HEALTHY: [usize; 3] = [0, 4, 5];
const SLOW: usize = 1;
const LOCKED: usize = 2;
const REBOOTED: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_run_survives_lockout_latency_and_reboot_per_device() {
    let site = site(6, Personality::camera()).await;
    site.device(SLOW)
        .set_fault(Fault::Latency(Duration::from_secs(30)));
    site.device(LOCKED).update(|c| {
        c.lockout.max_attempts = 1;
        c.lockout.lock_seconds = 600;
    });
    site.device(REBOOTED).update(|c| c.reboot_ms = 60_000);
    let deadline = Duration::from_secs(4);
    let devices: Vec<Device> = site
        .devices()
        .iter()
        .map(|d| client(d, PW, Duration::from_secs(2)))
        .collect();
    let started = Arc::new(AtomicBool::new(false));
    let flag = started.clone();
    let fleet = Fleet::new().concurrency(6).deadline(deadline);
    let run = fleet.run(devices, move |dev: Device| {
        let flag = flag.clone();
        async move {
            // six calls, 250 ms apart: the lock-out and the reboot land in the middle
            for i in 0..6 {
                dev.device_info().await?;
                if i == 0 {
                    flag.store(true, Ordering::SeqCst);
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Ok::<_, Error>(())
        }
    });
    let t0 = Instant::now();
    let disturb = async {
        while !started.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        // someone else, from the same address, types a wrong password: the device locks
        let rogue = client(site.device(LOCKED), "Not-The-Pass1", Duration::from_secs(2));
        let e = rogue.device_info().await.unwrap_err();
        assert!(
            matches!(e, Error::CredentialsRejected { .. } | Error::Locked { .. }),
            "{e:?}"
        );
        site.device(REBOOTED).reboot();
    };
    let (results, ()) = tokio::join!(run, disturb);
    let took = t0.elapsed();
    assert!(took < deadline + MARGIN * 2, "the run took {took:?}");
    assert_eq!(results.len(), 6);
    let outcome = |i: usize| -> &DeviceResult<()> { &results[i] };
    for i in HEALTHY {
        assert!(
            outcome(i).outcome.is_ok(),
            "device {i}: {:?}",
            outcome(i).outcome
        );
        let s = site.device(i).stats();
        assert_eq!(s.auth_failures, 0, "device {i}");
        assert!(s.logins >= 6, "device {i} did all its calls: {s:?}");
    }
    match &outcome(SLOW).outcome {
        Err(Error::Timeout { .. }) => {}
        other => panic!("slow device: {other:?}"),
    }
    assert!(outcome(SLOW).elapsed < deadline + MARGIN);
    match &outcome(LOCKED).outcome {
        Err(Error::Locked { .. } | Error::CredentialLatched { .. }) => {}
        other => panic!("locked device: {other:?}"),
    }
    let s = site.device(LOCKED).stats();
    assert_eq!(s.locks, 1, "{s:?}");
    // The fleet's client may meet the lock twice (its cached nonce, then one fresh challenge,
    // both with the right password), then stops: its remaining calls never reach the device.
    assert!(
        s.locked_rejections <= 2,
        "the fleet's client stopped at the lock: {s:?}"
    );
    match &outcome(REBOOTED).outcome {
        Err(Error::Transport { .. } | Error::Timeout { .. }) => {}
        other => panic!("rebooting device: {other:?}"),
    }
    for d in site.devices() {
        assert_no_repeat(d);
    }
    site.shutdown().await;
}

#[tokio::test]
async fn a_device_rebooting_during_an_operation_recovers_without_relogin_trouble() {
    let site = site(1, Personality::camera()).await;
    let d = site.device(0);
    d.update(|c| c.reboot_ms = 1200);
    let dev = client(d, PW, Duration::from_secs(2));
    dev.device_info().await.expect("before");
    d.reboot();
    let mut failures = 0;
    let t0 = Instant::now();
    loop {
        match within(Duration::from_secs(2), dev.device_info()).await {
            Ok(_) => break,
            Err(e) => {
                assert!(
                    matches!(e, Error::Transport { .. } | Error::Timeout { .. }),
                    "{e:?}"
                );
                failures += 1;
            }
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "never came back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(failures >= 1, "the reboot was seen");
    assert!(!dev.credentials_latched());
    let s = d.stats();
    assert_eq!(s.auth_failures, 0, "{s:?}");
    assert_no_repeat(d);
    site.shutdown().await;
}
