//! Load generator for `scripts/bench.sh`, against a running `hikproto-sim` (one line of
//! `key=value` figures per run on standard output).
//!
//! ```text
//! hikproto-load sweep DEVICES.json CONCURRENCY PASSWORD       fresh deviceInfo sweep through Fleet
//! hikproto-load keepalive URL PASSWORD SECONDS CONCURRENCY    calls/s on one kept-alive device
//! hikproto-load sadp FIRST LAST PORT EXPECT                   SADP discovery of an address range
//! ```
//!
//! `DEVICES.json` is what `hikproto-sim --json` prints.
#![allow(missing_docs)]

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hikproto::Device;
use hikproto::fleet::{Fleet, Summary};
use hikproto::sadp::{DiscoverOptions, ProbeTarget, discover};

fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> Result<T, String> {
    args.get(i)
        .ok_or_else(|| format!("missing {what}"))?
        .parse()
        .map_err(|_| format!("bad {what}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let r = match args.first().map(String::as_str) {
        Some("sweep") => rt.block_on(sweep(&args)),
        Some("keepalive") => rt.block_on(keepalive(&args)),
        Some("sadp") => rt.block_on(sadp(&args)),
        _ => Err("usage: hikproto-load sweep|keepalive|sadp ...".into()),
    };
    match r {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hikproto-load: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn sweep(args: &[String]) -> Result<String, String> {
    let path: String = arg(args, 1, "devices file")?;
    let concurrency: usize = arg(args, 2, "concurrency")?;
    let password: String = arg(args, 3, "password")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let urls: Vec<String> = doc["devices"]
        .as_array()
        .ok_or("no device list")?
        .iter()
        .filter_map(|d| d["isapi_url"].as_str().map(str::to_owned))
        .collect();
    let n = urls.len();
    let rss0 = status_kib("VmRSS:");
    let t0 = Instant::now();
    let devices: Vec<Device> = urls
        .iter()
        .map(|u| {
            Device::builder(u.as_str())
                .credentials("admin", password.as_str())
                .timeout(Duration::from_secs(30))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    let results = Fleet::new()
        .concurrency(concurrency)
        .run(devices, |d| async move { d.device_info().await })
        .await;
    let secs = t0.elapsed().as_secs_f64();
    let s = Summary::of(&results);
    let peak = status_kib("VmHWM:").saturating_sub(rss0);
    if let Some(e) = results.iter().find_map(|r| r.outcome.as_ref().err()) {
        eprintln!("first failure: {e}");
    }
    Ok(format!(
        "devices={n} ok={} failed={} secs={secs:.3} per_s={:.0} client_kib_per_device={:.1}",
        s.ok,
        s.failed,
        n as f64 / secs,
        peak as f64 / n.max(1) as f64
    ))
}

async fn keepalive(args: &[String]) -> Result<String, String> {
    let url: String = arg(args, 1, "URL")?;
    let password: String = arg(args, 2, "password")?;
    let seconds: f64 = arg(args, 3, "seconds")?;
    let concurrency: usize = arg(args, 4, "concurrency")?;
    let dev = Device::builder(url.as_str())
        .credentials("admin", password.as_str())
        .build()
        .map_err(|e| e.to_string())?;
    dev.device_info().await.map_err(|e| e.to_string())?;
    let calls = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    let t0 = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (dev, calls, errors) = (dev.clone(), calls.clone(), errors.clone());
        set.spawn(async move {
            while Instant::now() < end {
                match dev.device_info().await {
                    Ok(_) => calls.fetch_add(1, Ordering::Relaxed),
                    Err(_) => errors.fetch_add(1, Ordering::Relaxed),
                };
            }
        });
    }
    while set.join_next().await.is_some() {}
    let secs = t0.elapsed().as_secs_f64();
    let stats = dev.stats();
    Ok(format!(
        "calls={} errors={} per_s={:.0} requests={} unauthorized={}",
        calls.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        calls.load(Ordering::Relaxed) as f64 / secs,
        stats.requests_sent,
        stats.unauthorized_seen,
    ))
}

async fn sadp(args: &[String]) -> Result<String, String> {
    let start: Ipv4Addr = arg(args, 1, "first address")?;
    let end: Ipv4Addr = arg(args, 2, "last address")?;
    let port: u16 = arg(args, 3, "port")?;
    let expect: usize = arg(args, 4, "device count")?;
    let mut o = DiscoverOptions::subnet_range(start, end)
        .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .timeout(Duration::from_secs(30))
        .expect(expect);
    o.targets = vec![ProbeTarget::SubnetRange { start, end, port }];
    let t0 = Instant::now();
    let found = discover(&o).await.map_err(|e| e.to_string())?;
    Ok(format!(
        "found={} secs={:.3}",
        found.len(),
        t0.elapsed().as_secs_f64()
    ))
}
