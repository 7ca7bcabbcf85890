//! Scale of the simulator: memory per device and ISAPI requests per second with Digest
//! authentication, for 1,000 devices in one process on loopback.
//!
//! `cargo bench -p hikproto-bench --bench sim_scale` runs the full measurement (1,000 devices,
//! 8,000 authenticated requests; well under a minute). Under `cargo test --benches` it runs a
//! 20-device smoke version. Figures are printed as `name: value` lines.

use std::sync::Arc;
use std::time::Instant;

use hikproto_sim::Site;
use tokio::sync::Semaphore;

const PW: &str = "Passw0rd!x";

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (devices, rounds, concurrency) = if full { (1000, 8, 64) } else { (20, 2, 8) };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(devices, rounds, concurrency));
}

async fn run(devices: usize, rounds: usize, concurrency: usize) {
    let rss0 = rss_kib();
    let t = Instant::now();
    let site = Site::builder()
        .devices(devices)
        .password(PW)
        .start()
        .await
        .expect("site starts");
    let start_ms = t.elapsed().as_millis();
    let rss1 = rss_kib();
    println!("devices: {devices}");
    println!("site_start_ms: {start_ms}");
    if let (Some(a), Some(b)) = (rss0, rss1) {
        println!("rss_site_kib: {}", b.saturating_sub(a));
        println!(
            "rss_per_device_kib: {:.1}",
            b.saturating_sub(a) as f64 / devices as f64
        );
    }
    let clients: Vec<hikproto::Device> = site
        .devices()
        .iter()
        .map(|d| {
            hikproto::Device::builder(d.host())
                .credentials("admin", PW)
                .build()
                .expect("client")
        })
        .collect();
    let sem = Arc::new(Semaphore::new(concurrency));
    let t = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..rounds {
        for c in &clients {
            let c = c.clone();
            let permit = sem.clone().acquire_owned().await.expect("semaphore");
            set.spawn(async move {
                let r = c.device_info().await;
                drop(permit);
                r.is_ok()
            });
        }
    }
    let mut ok = 0usize;
    while let Some(r) = set.join_next().await {
        ok += usize::from(r.unwrap_or(false));
    }
    let secs = t.elapsed().as_secs_f64();
    let total = rounds * devices;
    let http: u64 = site.devices().iter().map(|d| d.stats().requests).sum();
    let fails: u64 = site.devices().iter().map(|d| d.stats().auth_failures).sum();
    println!("operations: {total}");
    println!("operations_ok: {ok}");
    println!("http_requests: {http}");
    println!("auth_failures: {fails}");
    println!("operations_per_sec: {:.0}", total as f64 / secs);
    println!("http_requests_per_sec: {:.0}", http as f64 / secs);
    if let (Some(a), Some(b)) = (rss0, rss_kib()) {
        println!("rss_after_load_kib: {}", b.saturating_sub(a));
    }
    assert_eq!(ok, total, "every authenticated read succeeds");
    assert_eq!(fails, 0);
    site.shutdown().await;
}
