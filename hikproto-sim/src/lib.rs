//! # hikproto-sim
//!
//! A simulated fleet of Hikvision devices for tests, CI and demos: one process serves many
//! devices, each on its own loopback port — or, with [`LanAddressing`], each on its own loopback
//! address behind one listening socket per port, like a LAN — speaking ISAPI over HTTP (and
//! HTTPS with a self-signed certificate), with a simulated Hik-Connect platform behind them.
//!
//! The simulator is a second, independent implementation of the device side: it verifies
//! Digest responses, hashes session logins, decrypts activation passwords and protects
//! `security=1` fields with its own code written from the protocol description, so a bug that
//! is symmetric in the client and the device cannot pass the tests. It reuses only the core's
//! document models (`hikproto::xml`, `ResponseStatus`, `DeviceInfo`, `userCheck`).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> hikproto_sim::Result<()> {
//! use hikproto_sim::{AuthMode, Fault, Personality, Site};
//!
//! let site = Site::builder()
//!     .devices(2)
//!     .password("Passw0rd!x")
//!     .personality(Personality::camera().auth(AuthMode::DigestSha256))
//!     .start()
//!     .await?;
//! let dev = site.device(0);
//! println!("{} {} {}", dev.serial(), dev.model(), dev.isapi_url());
//! dev.set_fault(Fault::Http500);
//! dev.clear_faults();
//! assert_eq!(dev.stats().auth_failures, 0);
//! site.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! What a device does is set by its [`DeviceConfig`] (identity, activation, users, Hik-Connect,
//! ISUP, network, reset methods) and its [`Personality`] (authentication scheme, namespace, 401
//! bodies, nonce policy, refused endpoints, activation version, …). Counters
//! ([`SimDevice::stats`]) let client tests prove what went over the wire, including
//! [`DeviceStats::repeated_rejected_credentials`]. Faults ([`Fault`]) are switched per device at
//! runtime. [`support`] plays the vendor's support desk with a documented test key.
//!
//! Endpoints whose exact form is not public are marked "\[inf\]" in the handler docs and accept
//! the shapes the reference describes leniently.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
pub mod captured;
pub mod config;
mod crypto;
mod error;
pub mod faults;
mod handlers;
mod http;
mod listen;
mod meter;
mod persist;
pub mod platform;
mod reqlog;
pub mod sadp;
mod site;
mod state;
mod stats;
pub mod support;
mod tls;
mod user_list;

pub use config::{
    AuthMode, DeviceConfig, LanAddressing, NamespaceStyle, Personality, RiskyPasswords, SiteConfig,
    UnauthorizedBody,
};
pub use error::{Result, SimError};
pub use faults::Fault;
pub use meter::LoadMeter;
pub use platform::{Platform, PlatformError, PlatformRecord};
pub use reqlog::ReceivedRequest;
pub use site::{BlockingSite, SimDevice, Site, SiteBuilder};
pub use stats::DeviceStats;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
