//! Multicast discovery on the real group and port (239.255.255.250:37020), inside a network
//! namespace the test creates so that nothing leaves the machine. Needs root and `ip`
//! (iproute2); otherwise the test prints why it was skipped — unless `HIKPROTO_REQUIRE_NETNS=1`
//! (the test command sets it when it runs as root), where not being able to run is a failure.
//!
//! The outer test creates the namespace (`lo` up, multicast on, a 224.0.0.0/4 route on `lo`),
//! re-runs this test binary inside it with `ip netns exec`, and deletes the namespace afterwards.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::Command;
use std::time::Duration;

use hikproto::sadp::{DiscoverOptions, MULTICAST_ADDR, ProbeTarget, Via, discover};

use hikproto_sim::sadp::{
    DeviceView, MemoryDevice, Quirks, Registration, Responder, ResponderConfig,
};

const INNER: &str = "HIKPROTO_SADP_NETNS_INNER";
const REQUIRE: &str = "HIKPROTO_REQUIRE_NETNS";
const TEST: &str = "sadp::netns::multicast_discovery_in_a_network_namespace";

fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// Says why the test cannot run: a failure when the environment requires it, else a counted skip.
fn cannot_run(reason: &str) {
    assert!(
        std::env::var_os(REQUIRE).is_none_or(|v| v != "1"),
        "{TEST} cannot run although {REQUIRE}=1: {reason}"
    );
    println!("SKIPPED multicast_discovery_in_a_network_namespace: {reason}");
}

struct Namespace(String);

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "delete", &self.0])
            .status();
    }
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

#[test]
fn multicast_discovery_in_a_network_namespace() {
    if std::env::var_os(INNER).is_some() {
        inner();
        return;
    }
    if effective_uid() != Some(0) {
        cannot_run("needs root to create a network namespace");
        return;
    }
    let name = format!("hikproto-sadp-{}", std::process::id());
    if let Err(e) = ip(&["netns", "add", &name]) {
        cannot_run(&e);
        return;
    }
    let ns = Namespace(name);
    for args in [
        &["-n", &ns.0, "link", "set", "lo", "up"][..],
        &["-n", &ns.0, "link", "set", "lo", "multicast", "on"],
        &["-n", &ns.0, "route", "add", "224.0.0.0/4", "dev", "lo"],
    ] {
        ip(args).expect("namespace set-up");
    }
    let exe = std::env::current_exe().expect("test binary path");
    let out = Command::new("ip")
        .args(["netns", "exec", &ns.0])
        .arg(exe)
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(INNER, "1")
        .output()
        .expect("re-run inside the namespace");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "inside the namespace: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 passed"), "the inner test ran: {stdout}");
    assert!(stdout.contains("INNER OK"), "{stdout}");
}

fn inner() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // A answers unicast to the sender; B answers to the group, like one vendor code base.
        let a = MemoryDevice::new(DeviceView::camera(900));
        let b = MemoryDevice::new(DeviceView::camera(901));
        let ra = Responder::start(
            ResponderConfig::lan(),
            vec![Registration::new(a.clone(), Quirks::default())],
        )
        .await
        .expect("responder A on 0.0.0.0:37020");
        let rb = Responder::start(
            ResponderConfig {
                discovery_to_group: Some(MULTICAST_ADDR),
                ..ResponderConfig::lan()
            },
            vec![Registration::new(b.clone(), Quirks::all())],
        )
        .await
        .expect("responder B on 0.0.0.0:37020");
        let opts = DiscoverOptions {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            targets: vec![ProbeTarget::Multicast(MULTICAST_ADDR)],
            listen_group: Some(MULTICAST_ADDR),
            timeout: Duration::from_secs(5),
            resend_interval: Duration::from_millis(300),
            expect: Some(2),
            max_devices: 16,
        };
        let found = discover(&opts).await.expect("discovery");
        assert_eq!(found.len(), 2, "{found:#?}");
        let da = found
            .iter()
            .find(|d| d.mac.to_string() == a.view().mac)
            .expect("A found");
        let db = found
            .iter()
            .find(|d| d.mac.to_string() == b.view().mac)
            .expect("B found");
        assert_eq!(da.via, Via::Unicast);
        assert_eq!(db.via, Via::Group, "B answered by multicast");
        assert!(ra.stats().inquiries >= 1 && rb.stats().inquiries >= 1);
        println!("INNER OK");
    });
}
