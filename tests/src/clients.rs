//! Clients of simulated devices, as the tests build them.
//!
//! Every client here has a lock-out guard of its own: every simulated device listens on
//! 127.0.0.1 and latches are per host, so a shared guard would tie tests to each other.

use hikproto::{AuthMode, Device, DeviceBuilder, LockoutGuard};
use hikproto_sim::SimDevice;

/// A builder for `dev` as `admin` with `password` and its own lock-out guard.
pub fn admin_builder(dev: &SimDevice, password: &str) -> DeviceBuilder {
    Device::builder(dev.host())
        .credentials("admin", password)
        .lockout_guard(LockoutGuard::new())
}

/// A client for `dev` as `admin` with `password` (see [`admin_builder`]).
pub fn admin(dev: &SimDevice, password: &str) -> Device {
    admin_builder(dev, password).build().expect("client builds")
}

/// A client for `dev` as `admin` with `password`, authenticating with `mode`.
pub fn admin_with(dev: &SimDevice, mode: AuthMode, password: &str) -> Device {
    admin_builder(dev, password)
        .auth_mode(mode)
        .build()
        .expect("client builds")
}

/// True when `dev` now accepts `password` for admin (checked with a fresh handle).
pub async fn password_works(dev: &SimDevice, password: &str) -> bool {
    admin(dev, password).device_info().await.is_ok()
}

/// Asserts the invariant of every test against the simulator: no credential the device
/// rejected was ever sent again.
#[track_caller]
pub fn assert_no_repeat(dev: &SimDevice) {
    let s = dev.stats();
    assert_eq!(
        s.repeated_rejected_credentials, 0,
        "a rejected credential was sent again: {s:?}"
    );
}

/// A SADP command client on loopback with a short deadline and its own lock-out guard.
pub async fn sadp_client() -> hikproto::sadp::SadpClient {
    hikproto::sadp::SadpClient::new(hikproto::sadp::ClientOptions {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        timeout: std::time::Duration::from_secs(3),
        resend_interval: std::time::Duration::from_millis(300),
        lockout_guard: LockoutGuard::new(),
        ..hikproto::sadp::ClientOptions::default()
    })
    .await
    .expect("client starts")
}
