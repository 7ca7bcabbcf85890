//! Time until 1,000 simulated SADP responders are all discovered by unicast on loopback.
//!
//! Two fleets: 1,000 responders with one device and one socket each (the LAN case: every
//! camera answers for itself), and one responder socket serving 1,000 devices (one inquiry,
//! 1,000 replies in a burst). Each iteration is one `discover` call that stops as soon as all
//! 1,000 MACs have answered; an iteration that misses any device fails the bench.
#![allow(missing_docs)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use hikproto::sadp::{DiscoverOptions, discover};
use hikproto_sim::sadp::{
    DeviceView, MemoryDevice, Quirks, Registration, Responder, ResponderConfig,
};

const FLEET: usize = 1000;

fn options(addrs: Vec<SocketAddr>) -> DiscoverOptions {
    DiscoverOptions {
        timeout: Duration::from_secs(30),
        resend_interval: Duration::from_millis(250),
        ..DiscoverOptions::unicast(addrs)
    }
    .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
    .expect(FLEET)
}

async fn run(addrs: &[SocketAddr]) -> Duration {
    let started = Instant::now();
    let found = discover(&options(addrs.to_vec())).await.expect("discovery");
    let took = started.elapsed();
    assert_eq!(found.len(), FLEET, "every responder was discovered");
    took
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (separate, shared) = rt.block_on(async {
        let mut separate = Vec::with_capacity(FLEET);
        for i in 0..FLEET {
            let dev = MemoryDevice::new(DeviceView::camera(i as u32));
            separate.push(
                Responder::start(
                    ResponderConfig::loopback(),
                    vec![Registration::new(dev, Quirks::default())],
                )
                .await
                .expect("responder"),
            );
        }
        let shared = Responder::start(
            ResponderConfig::loopback(),
            (0..FLEET)
                .map(|i| {
                    Registration::new(
                        MemoryDevice::new(DeviceView::camera(10_000 + i as u32)),
                        Quirks::default(),
                    )
                })
                .collect(),
        )
        .await
        .expect("responder");
        (separate, shared)
    });
    let separate_addrs: Vec<SocketAddr> = separate.iter().map(Responder::local_addr).collect();
    let shared_addr = vec![shared.local_addr()];

    // one plain measurement first, so the figure is visible without criterion's report
    let first = rt.block_on(run(&separate_addrs));
    println!("sadp_discovery: {FLEET} responders (one socket each) discovered in {first:?}");
    let first = rt.block_on(run(&shared_addr));
    println!("sadp_discovery: {FLEET} devices behind one responder discovered in {first:?}");

    let mut g = c.benchmark_group("sadp_discovery");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(15));
    g.bench_function("1000_responders_unicast", |b| {
        b.iter(|| rt.block_on(run(&separate_addrs)))
    });
    g.bench_function("1000_devices_one_responder", |b| {
        b.iter(|| rt.block_on(run(&shared_addr)))
    });
    g.finish();
    drop((separate, shared));
}

criterion_group!(benches, bench);
criterion_main!(benches);
