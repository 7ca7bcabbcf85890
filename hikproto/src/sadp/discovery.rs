//! Discovery: one-shot [`discover`] (the continuous search is in [`super::watch`]).
//!
//! Probes go to the multicast group, the broadcast address, unicast targets and/or every address
//! of a subnet range (`inquiry_v32`, cross-subnet). Replies are heard on the sending socket
//! (devices answering unicast) and on the SADP port joined to the group (devices answering by
//! multicast, `Hello` announcements); both are de-duplicated by MAC. Unicast targets that have not
//! answered are probed again every `resend_interval`, so a lost datagram costs one interval, not
//! the device.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use serde::Serialize;
use tokio::time::{Instant, sleep_until};

use crate::error::{Error, Result};

use super::client::DeviceTarget;
use super::mac::MacAddr;
use super::message::{Message, decode};
use super::probe::Probe;
use super::probe_match::ProbeMatch;
use super::transport::{Endpoint, MAX_DATAGRAM, Via};
use super::{BROADCAST_ADDR, MAX_SUBNET_SWEEP, MULTICAST_ADDR, after, new_uuid};

/// Where inquiries go.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProbeTarget {
    /// A multicast group (normally [`MULTICAST_ADDR`]).
    Multicast(SocketAddrV4),
    /// A broadcast address (`255.255.255.255:37020` or a subnet broadcast).
    Broadcast(SocketAddrV4),
    /// One device (or responder) address.
    Unicast(SocketAddr),
    /// `inquiry_v32` to every address from `start` to `end` inclusive (at most 4096).
    SubnetRange {
        /// First address.
        start: Ipv4Addr,
        /// Last address.
        end: Ipv4Addr,
        /// Destination port (normally 37020).
        port: u16,
    },
}

/// Options of [`discover`].
#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// Local address of the sending socket: the interface to search on (`0.0.0.0` = all; a
    /// specific address also selects the multicast interface). Port 0 picks an ephemeral port.
    pub bind: SocketAddr,
    /// Where to send inquiries.
    pub targets: Vec<ProbeTarget>,
    /// Also listen on this group and port (the port bound on all interfaces with address reuse,
    /// joined to the group). `None` hears only replies to the sending socket.
    pub listen_group: Option<SocketAddrV4>,
    /// How long to listen.
    pub timeout: Duration,
    /// How often to repeat inquiries (to the group, and to unicast targets that have not answered).
    pub resend_interval: Duration,
    /// Stop as soon as this many distinct devices have answered.
    pub expect: Option<usize>,
    /// Devices kept at most (memory bound against a flood of fake MACs).
    pub max_devices: usize,
}

impl Default for DiscoverOptions {
    /// The LAN search: multicast and limited broadcast to port 37020, listening on the sending
    /// socket and on 37020 joined to the group, for 3 s, repeating every second.
    fn default() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
            targets: vec![
                ProbeTarget::Multicast(MULTICAST_ADDR),
                ProbeTarget::Broadcast(BROADCAST_ADDR),
            ],
            listen_group: Some(MULTICAST_ADDR),
            timeout: Duration::from_secs(3),
            resend_interval: Duration::from_secs(1),
            expect: None,
            max_devices: 65_536,
        }
    }
}

impl DiscoverOptions {
    /// Unicast inquiries to the given addresses only, no group listener.
    pub fn unicast(addrs: impl IntoIterator<Item = SocketAddr>) -> Self {
        Self {
            targets: addrs.into_iter().map(ProbeTarget::Unicast).collect(),
            listen_group: None,
            ..Self::default()
        }
    }

    /// `inquiry_v32` to every address of `start..=end` on port 37020 (cross-subnet search).
    pub fn subnet_range(start: Ipv4Addr, end: Ipv4Addr) -> Self {
        Self {
            targets: vec![ProbeTarget::SubnetRange {
                start,
                end,
                port: super::PORT,
            }],
            listen_group: None,
            ..Self::default()
        }
    }

    /// Sets the local address (interface) to search from.
    #[must_use]
    pub fn bind(mut self, bind: SocketAddr) -> Self {
        self.bind = bind;
        self
    }

    /// Sets how long to listen.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Stops once `n` devices have answered.
    #[must_use]
    pub fn expect(mut self, n: usize) -> Self {
        self.expect = Some(n);
        self
    }

    pub(super) fn validate(&self) -> Result<()> {
        if self.targets.is_empty() && self.listen_group.is_none() {
            return Err(Error::invalid(
                "SADP discovery needs a target or a group to listen on",
            ));
        }
        if self.resend_interval.is_zero() {
            return Err(Error::invalid("the SADP resend interval must be positive"));
        }
        for t in &self.targets {
            if let ProbeTarget::SubnetRange { start, end, .. } = t {
                subnet_len(*start, *end)?;
            }
        }
        Ok(())
    }
}

fn subnet_len(start: Ipv4Addr, end: Ipv4Addr) -> Result<u32> {
    let (s, e) = (u32::from(start), u32::from(end));
    if s > e || e - s >= MAX_SUBNET_SWEEP {
        return Err(Error::invalid(format!(
            "invalid subnet range {start}-{end}: at most {MAX_SUBNET_SWEEP} addresses, start before end (SADP error 2048)"
        )));
    }
    Ok(e - s + 1)
}

/// A device found on the LAN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscoveredDevice {
    /// Its MAC: the identity every command uses.
    pub mac: MacAddr,
    /// Everything it said about itself (the latest reply).
    pub info: ProbeMatch,
    /// Where the reply came from (the address commands are sent to).
    pub from: SocketAddr,
    /// The socket it arrived on.
    pub via: Via,
    /// How many replies were heard from it.
    pub replies: u32,
}

impl DiscoveredDevice {
    /// The command target for this device (MAC, reply address, admin user, salt, `codeEncrypt`).
    pub fn target(&self) -> DeviceTarget {
        DeviceTarget::from_probe_match(self.mac, self.from, &self.info)
    }
}

pub(super) struct Sweep {
    inquiry: Vec<u8>,
    inquiry_v32: Vec<u8>,
    pub(super) queue: Vec<(SocketAddr, bool)>,
}

impl Sweep {
    pub(super) fn new(uuid: &str) -> Self {
        Self {
            inquiry: Probe::inquiry(uuid).encode(),
            inquiry_v32: Probe::inquiry_v32(uuid).encode(),
            queue: Vec::new(),
        }
    }

    /// Queues one round; unicast and range addresses in `answered` are skipped when `only_silent`.
    pub(super) fn plan(
        &mut self,
        targets: &[ProbeTarget],
        answered: &HashSet<IpAddr>,
        answered_addr: &HashSet<SocketAddr>,
        only_silent: bool,
    ) {
        self.queue.clear();
        for t in targets {
            match t {
                ProbeTarget::Multicast(a) | ProbeTarget::Broadcast(a) => {
                    self.queue.push((SocketAddr::V4(*a), false));
                }
                ProbeTarget::Unicast(a) => {
                    if !(only_silent && answered_addr.contains(a)) {
                        self.queue.push((*a, false));
                    }
                }
                ProbeTarget::SubnetRange { start, end, port } => {
                    for ip in u32::from(*start)..=u32::from(*end) {
                        let ip = IpAddr::V4(Ipv4Addr::from(ip));
                        if !(only_silent && answered.contains(&ip)) {
                            self.queue.push((SocketAddr::new(ip, *port), true));
                        }
                    }
                }
            }
        }
        // send in target order
        self.queue.reverse();
    }

    /// Sends up to `n` queued datagrams.
    pub(super) async fn send_some(&mut self, ep: &Endpoint, n: usize) -> Result<()> {
        for _ in 0..n {
            let Some((to, v32)) = self.queue.pop() else {
                break;
            };
            let bytes = if v32 {
                &self.inquiry_v32
            } else {
                &self.inquiry
            };
            ep.send_to(bytes, to).await?;
        }
        Ok(())
    }
}

/// What a datagram told the search.
pub(super) fn device_of(bytes: &[u8], from: SocketAddr, via: Via) -> Option<DiscoveredDevice> {
    let msg = match decode(bytes) {
        Ok(m) => m,
        Err(e) => {
            tracing::debug!(%from, error = %e, "SADP: ignoring an undecodable datagram");
            return None;
        }
    };
    let info = match msg {
        Message::Match(m) | Message::Hello(m) => m,
        _ => return None,
    };
    let Some(mac) = info.mac else {
        tracing::debug!(%from, "SADP: ignoring a reply without MAC");
        return None;
    };
    Some(DiscoveredDevice {
        mac,
        info,
        from,
        via,
        replies: 1,
    })
}

/// Datagrams sent between two receive checks while a sweep is in progress.
pub(super) const SEND_BURST: usize = 32;

/// Searches once and returns every device heard, in the order first heard, de-duplicated by MAC.
///
/// Ends after `timeout`, or as soon as `expect` devices have answered. Errors only when the socket
/// cannot be opened or sending fails for good; silent networks give an empty list.
pub async fn discover(options: &DiscoverOptions) -> Result<Vec<DiscoveredDevice>> {
    options.validate()?;
    let ep = Endpoint::open(options.bind, options.listen_group)?;
    let uuid = new_uuid();
    let mut sweep = Sweep::new(&uuid);
    let mut answered_ip = HashSet::new();
    let mut answered_addr = HashSet::new();
    sweep.plan(&options.targets, &answered_ip, &answered_addr, false);
    let mut found: Vec<DiscoveredDevice> = Vec::new();
    let mut index: HashMap<MacAddr, usize> = HashMap::new();
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let start = Instant::now();
    let deadline = start
        .checked_add(options.timeout)
        .unwrap_or_else(|| after(options.timeout));
    let mut next_round = after(options.resend_interval);
    loop {
        if options.expect.is_some_and(|n| found.len() >= n) {
            break;
        }
        tokio::select! {
            biased;
            r = ep.recv(&mut buf) => {
                let (n, from, via) = r?;
                answered_addr.insert(from);
                answered_ip.insert(from.ip());
                if let Some(d) = device_of(&buf[..n], from, via) {
                    match index.get(&d.mac) {
                        Some(&i) => {
                            let e = &mut found[i];
                            e.replies = e.replies.saturating_add(1);
                            e.info = d.info;
                            // a unicast reply is the better command address
                            if via == Via::Unicast || e.via == Via::Group {
                                e.from = d.from;
                                e.via = d.via;
                            }
                        }
                        None if found.len() < options.max_devices => {
                            index.insert(d.mac, found.len());
                            found.push(d);
                        }
                        None => {}
                    }
                }
            }
            r = sweep.send_some(&ep, SEND_BURST), if !sweep.queue.is_empty() => r?,
            () = sleep_until(next_round) => {
                sweep.plan(&options.targets, &answered_ip, &answered_addr, true);
                next_round = after(options.resend_interval);
            }
            () = sleep_until(deadline) => break,
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnet_ranges_are_bounded() {
        let a = Ipv4Addr::new(10, 0, 0, 0);
        assert_eq!(subnet_len(a, Ipv4Addr::new(10, 0, 15, 255)).unwrap(), 4096);
        assert!(subnet_len(a, Ipv4Addr::new(10, 0, 16, 0)).is_err());
        assert!(subnet_len(Ipv4Addr::new(10, 0, 0, 5), Ipv4Addr::new(10, 0, 0, 4)).is_err());
        assert_eq!(subnet_len(a, a).unwrap(), 1);
        let o = DiscoverOptions::subnet_range(a, Ipv4Addr::new(10, 1, 0, 0));
        assert!(o.validate().is_err());
    }

    #[test]
    fn sweep_skips_answered_unicast_targets() {
        let a: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let b: SocketAddr = "127.0.0.1:4001".parse().unwrap();
        let targets = vec![
            ProbeTarget::Unicast(a),
            ProbeTarget::Unicast(b),
            ProbeTarget::Multicast(MULTICAST_ADDR),
            ProbeTarget::SubnetRange {
                start: Ipv4Addr::new(127, 0, 0, 2),
                end: Ipv4Addr::new(127, 0, 0, 4),
                port: 9,
            },
        ];
        let mut s = Sweep::new("U");
        let mut ips = HashSet::new();
        let mut addrs = HashSet::new();
        s.plan(&targets, &ips, &addrs, false);
        assert_eq!(s.queue.len(), 6);
        addrs.insert(a);
        ips.insert(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)));
        s.plan(&targets, &ips, &addrs, true);
        let to: Vec<SocketAddr> = s.queue.iter().rev().map(|(t, _)| *t).collect();
        assert_eq!(
            to,
            vec![
                b,
                SocketAddr::V4(MULTICAST_ADDR),
                "127.0.0.2:9".parse().unwrap(),
                "127.0.0.4:9".parse().unwrap()
            ]
        );
    }
}
