//! # hikproto
//!
//! The management protocols of Hikvision IP cameras, NVRs and DVRs, in Rust: ISAPI over HTTP with
//! lock-out-safe authentication, SADP discovery on the LAN, activation, Hik-Connect (EZVIZ)
//! platform access and verification codes, ISUP keys, network settings, the "Error 2020" doctor
//! and every self-service password-recovery route.
//!
//! Layers, data flowing one way: bytes ⇄ codecs ([`xml`], [`sadp`]) ⇄ typed models ([`isapi`]) ⇄
//! operations (methods on [`Device`]) ⇄ transports ([`client`]).
//!
//! ```no_run
//! # async fn run() -> hikproto::Result<()> {
//! let dev = hikproto::Device::builder("192.0.2.10")
//!     .credentials("admin", "Passw0rd!x")
//!     .build()?;
//! let info = dev.device_info().await?;
//! println!("{:?} runs {:?}", info.model, info.firmware_version);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod address;
pub mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(feature = "client")]
pub mod client;
pub mod crypto;
pub mod decode;
pub mod doctor;
pub mod error;
#[cfg(feature = "client")]
pub mod fleet;
pub mod hikconnect;
pub mod isapi;
pub mod keys;
pub mod provenance;
pub mod reset;
pub mod sadp;
pub mod xml;

pub use address::DeviceAddress;
pub use auth::AuthMode;
#[cfg(any(feature = "client", feature = "sadp-udp"))]
pub use auth::LockoutGuard;
#[cfg(feature = "client")]
pub use client::{Device, DeviceBuilder, RequestStats, TlsMode};
pub use error::{Error, ErrorReport, Result};
pub use keys::{Credentials, Secret};

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
