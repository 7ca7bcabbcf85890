//! Decoding speed of the documents a sweep reads most: a 1.2 KB `deviceInfo`, a 17 KB
//! `capabilities` (both real device answers from `tests/fixtures`) and a SADP `ProbeMatch`.
//! Each iteration decodes into the typed model, the way the client does.
//!
//! `cargo bench -p hikproto-bench --bench decode`; `scripts/bench.sh` reads criterion's
//! estimates from `target/criterion/decode/*/new/estimates.json`.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use hikproto::isapi::capabilities::DeviceCap;
use hikproto::isapi::device_info::DeviceInfo;
use hikproto::xml::FromXml;

const DEVICE_INFO: &[u8] =
    include_bytes!("../../tests/fixtures/real-responses/System.deviceInfo-ipc1.xml");
const CAPABILITIES: &[u8] =
    include_bytes!("../../tests/fixtures/real-devices/DS-2CD2386G2-IU/System.capabilities.xml");
const PROBE_MATCH: &[u8] = include_bytes!("../data/probe_match.xml");

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    g.bench_function("deviceInfo", |b| {
        b.iter(|| DeviceInfo::from_xml(std::hint::black_box(DEVICE_INFO)).expect("decodes"));
    });
    g.bench_function("capabilities", |b| {
        b.iter(|| DeviceCap::from_xml(std::hint::black_box(CAPABILITIES)).expect("decodes"));
    });
    g.bench_function("ProbeMatch", |b| {
        b.iter(|| hikproto::sadp::decode(std::hint::black_box(PROBE_MATCH)).expect("decodes"));
    });
    g.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
