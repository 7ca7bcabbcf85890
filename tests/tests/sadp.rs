//! End-to-end SADP tests: the hikproto SADP client against hikproto-sim's SADP responder, over
//! loopback unicast (and, as root, multicast inside a network namespace).

mod sadp {
    pub(crate) mod commands;
    pub(crate) mod discovery;
    pub(crate) mod netns;
    pub(crate) mod recovery;
    pub(crate) mod site;
}

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hikproto::sadp::{DeviceTarget, DiscoverOptions, SadpClient, SadpErrorCode, discover};
use hikproto::{Error, Secret};

use hikproto_sim::sadp::{
    DeviceView, MemoryDevice, Quirks, Registration, Responder, ResponderConfig,
};

/// The admin password of the activated test devices.
pub(crate) const PW: &str = "Sim-Passw0rd!";

pub(crate) struct One {
    pub(crate) responder: Responder,
    pub(crate) dev: Arc<MemoryDevice>,
}

/// One responder serving one device.
pub(crate) async fn one(view: DeviceView, quirks: Quirks, cfg: ResponderConfig) -> One {
    let dev = MemoryDevice::new(view);
    let responder = Responder::start(cfg, vec![Registration::new(dev.clone(), quirks)])
        .await
        .expect("responder starts");
    One { responder, dev }
}

/// An activated camera on its own loopback responder.
pub(crate) async fn activated(index: u32) -> One {
    one(
        DeviceView::camera(index).with_password(PW),
        Quirks::default(),
        ResponderConfig::loopback(),
    )
    .await
}

pub(crate) async fn client() -> SadpClient {
    // tests stay independent of each other: each client has its own lock-out guard
    hikproto_tests::clients::sadp_client().await
}

/// Discovers the device behind one responder and returns its command target.
pub(crate) async fn target_of(addr: SocketAddr) -> DeviceTarget {
    let found = discover(&fast(vec![addr]).expect(1))
        .await
        .expect("discovery runs");
    assert_eq!(found.len(), 1, "the responder at {addr} answered");
    found[0].target()
}

pub(crate) fn fast(addrs: Vec<SocketAddr>) -> DiscoverOptions {
    DiscoverOptions {
        timeout: Duration::from_secs(3),
        resend_interval: Duration::from_millis(200),
        ..DiscoverOptions::unicast(addrs)
    }
    .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
}

pub(crate) fn secret(s: &str) -> Secret {
    Secret::new(s)
}

/// The SDK code of a SADP error, failing the test with the error when there is none.
#[track_caller]
pub(crate) fn code_of(e: &Error) -> SadpErrorCode {
    SadpErrorCode::from_error(e).unwrap_or_else(|| panic!("no SADP code in {e:?}"))
}
