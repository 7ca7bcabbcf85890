//! SADP (Search Active Devices Protocol): LAN discovery and provisioning over UDP.
//!
//! Two layers:
//!
//! * **Codec, sans-IO** — pure functions over bytes: [`Probe`] requests for every command
//!   hikproto uses, [`ProbeMatch`] with the complete element inventory, [`Reply`] with the
//!   `Result` and lock counters, [`decode`] for any datagram, the SDK error codes
//!   ([`SadpErrorCode`], 2020 = risky password), and the legacy binary frames ([`binary`],
//!   EtherType 0x8033). Hostile datagrams give [`crate::Error::Decode`], never a panic; parsing is
//!   bounded by [`DATAGRAM_LIMITS`].
//! * **UDP transport** — [`discover`] (one shot), [`watch`] (a stream of found/updated/gone
//!   events) and [`SadpClient`] (every command, with deadlines; password-bearing commands run
//!   `exchangecode` first and seal secrets with [`crate::crypto::sadp`]).
//!
//! ```no_run
//! # async fn run() -> hikproto::Result<()> {
//! use hikproto::sadp::{self, DiscoverOptions, SadpClient};
//! let found = sadp::discover(&DiscoverOptions::default()).await?;
//! let client = SadpClient::new(Default::default()).await?;
//! for dev in &found {
//!     println!("{} {:?} {:?}", dev.mac, dev.info.device_description, dev.info.ipv4_address);
//!     if dev.info.activated == Some(false) {
//!         client.activate(&dev.target(), &"Str0ng!Passw0rd".into()).await?;
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Facts the public sources leave open are handled tolerantly and marked in the item docs:
//! whether devices answer by unicast or multicast (hikproto listens for both), the exact layout of
//! secret fields other than the activation password, where `getUnbindStatus` puts its status, and
//! the 3.0 form of `PhoneNoReset`. Protocol 3.1 (`_v31`) commands are recognised but not sent.

mod args;
pub mod binary;
#[cfg(feature = "sadp-udp")]
mod client;
mod codes;
#[cfg(feature = "sadp-udp")]
mod commands;
#[cfg(feature = "sadp-udp")]
mod discovery;
#[cfg(feature = "sadp-udp")]
mod latch;
mod mac;
mod message;
mod probe;
mod probe_match;
mod reply;
#[cfg(feature = "sadp-udp")]
mod transport;
mod types;
#[cfg(feature = "sadp-udp")]
mod watch;

pub use args::{GuidFile, MAX_ANSWER_LEN, MAX_PASSWORD_LEN, check_verification_code};
#[cfg(feature = "sadp-udp")]
pub use client::{ClientOptions, DeviceTarget, SadpClient};
pub use codes::{CommandResult, LockInfo, SadpErrorCode, command_error};
#[cfg(feature = "sadp-udp")]
pub use discovery::{DiscoverOptions, DiscoveredDevice, ProbeTarget, discover};
pub use mac::MacAddr;
pub use message::{DATAGRAM_LIMITS, Message, decode, decode_element, parse_datagram};
pub use probe::{NetworkParams, Probe, QuestionField};
pub use probe_match::{BindStatus, INVENTORY, ProbeMatch};
pub use reply::{
    MailResetQr, PasswordResetTypes, PhoneResetQr, Reply, SecurityQuestion, UnbindStatus,
    security_questions,
};
#[cfg(feature = "sadp-udp")]
pub use transport::Via;
pub use types::ProbeType;
#[cfg(feature = "sadp-udp")]
pub use watch::{DiscoveryEvent, WatchOptions, Watcher, watch};

use std::net::{Ipv4Addr, SocketAddrV4};

/// The SADP UDP port.
pub const PORT: u16 = 37020;

/// The multicast group SADP uses.
pub const MULTICAST_GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);

/// `239.255.255.250:37020`.
pub const MULTICAST_ADDR: SocketAddrV4 = SocketAddrV4::new(MULTICAST_GROUP, PORT);

/// `255.255.255.255:37020`.
pub const BROADCAST_ADDR: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::BROADCAST, PORT);

/// Most addresses one `inquiry_v32` sweep may cover (the SDK's limit; error 2048 beyond).
pub const MAX_SUBNET_SWEEP: u32 = 4096;

/// `now + d`, saturating far in the future instead of overflowing on absurd durations.
#[cfg(feature = "sadp-udp")]
pub(crate) fn after(d: std::time::Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(d)
        .unwrap_or_else(|| now + std::time::Duration::from_secs(365 * 24 * 3600))
}

/// A fresh RFC 4122 version-4 UUID in upper case, as the SDK sends them.
pub fn new_uuid() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode_upper(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_are_v4_upper_case_and_unique() {
        let a = super::new_uuid();
        let b = super::new_uuid();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "A" | "B"));
        assert_eq!(a, a.to_ascii_uppercase());
    }
}
