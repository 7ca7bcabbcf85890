//! UDP sockets for SADP: one ephemeral socket that sends and hears unicast replies, and
//! optionally a listener on the SADP port joined to the multicast group (devices that answer by
//! multicast, `Hello` announcements, replies to other clients).

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;

use serde::Serialize;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use crate::error::{Error, Result};

/// Receive buffer asked of the kernel (it may grant less), so bursts of replies are not dropped.
const RECV_BUFFER: usize = 4 * 1024 * 1024;

/// Largest datagram read.
pub(crate) const MAX_DATAGRAM: usize = 65_535;

/// Which socket a datagram arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Via {
    /// On the sending socket: a reply addressed to this client.
    Unicast,
    /// On the SADP-port listener: multicast or broadcast traffic.
    Group,
}

/// The sockets of one SADP client.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub(crate) socket: Arc<UdpSocket>,
    pub(crate) group: Option<Arc<UdpSocket>>,
}

fn io_err(what: String, e: io::Error) -> Error {
    Error::transport(what, e)
}

impl Endpoint {
    /// Opens the sending socket on `bind` and, when `listen` is given, a listener on
    /// `0.0.0.0:<listen port>` joined to the group on the interface of `bind`. A listener that
    /// cannot be opened (port taken without address reuse, no multicast route) is logged and
    /// skipped: unicast replies still arrive.
    pub(crate) fn open(bind: SocketAddr, listen: Option<SocketAddrV4>) -> Result<Self> {
        let socket = Arc::new(sending_socket(bind)?);
        let group = match listen {
            None => None,
            Some(g) => match group_socket(g, bind.ip()) {
                Ok(s) => Some(Arc::new(s)),
                Err(e) => {
                    tracing::warn!(group = %g, error = %e, "SADP: not listening on the group; unicast replies only");
                    None
                }
            },
        };
        Ok(Self { socket, group })
    }

    pub(crate) fn local_addr(&self) -> Result<SocketAddr> {
        self.socket
            .local_addr()
            .map_err(|e| io_err("SADP socket".into(), e))
    }

    /// Sends one datagram. Sends to an unreachable unicast address are not errors (the device may
    /// simply be gone); other failures are.
    pub(crate) async fn send_to(&self, bytes: &[u8], to: SocketAddr) -> Result<()> {
        match self.socket.send_to(bytes, to).await {
            Ok(_) => Ok(()),
            Err(e) if transient(&e) => {
                tracing::debug!(%to, error = %e, "SADP send failed transiently");
                Ok(())
            }
            Err(e) => Err(io_err(format!("SADP {to}"), e)),
        }
    }

    /// Receives the next datagram from either socket into `buf`.
    pub(crate) async fn recv(&self, buf: &mut [u8]) -> Result<(usize, SocketAddr, Via)> {
        loop {
            tokio::select! {
                r = self.socket.readable() => {
                    r.map_err(|e| io_err("SADP socket".into(), e))?;
                    match self.socket.try_recv_from(buf) {
                        Ok((n, from)) => return Ok((n, from, Via::Unicast)),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock || transient(&e) => continue,
                        Err(e) => return Err(io_err("SADP socket".into(), e)),
                    }
                }
                r = readable(self.group.as_deref()), if self.group.is_some() => {
                    r.map_err(|e| io_err("SADP group listener".into(), e))?;
                    let Some(g) = self.group.as_deref() else { continue };
                    match g.try_recv_from(buf) {
                        Ok((n, from)) => return Ok((n, from, Via::Group)),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock || transient(&e) => continue,
                        Err(e) => return Err(io_err("SADP group listener".into(), e)),
                    }
                }
            }
        }
    }
}

async fn readable(s: Option<&UdpSocket>) -> io::Result<()> {
    match s {
        Some(s) => s.readable().await,
        None => std::future::pending().await,
    }
}

/// ICMP "port unreachable" comes back as ECONNREFUSED on the next socket call on Linux, and a
/// host without a route yields a send error for that one destination: neither ends a search.
fn transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
    )
}

fn sending_socket(bind: SocketAddr) -> Result<UdpSocket> {
    let what = || format!("SADP socket {bind}");
    let domain = if bind.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let s = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)).map_err(|e| io_err(what(), e))?;
    if let Err(e) = s.set_recv_buffer_size(RECV_BUFFER) {
        tracing::debug!(error = %e, "SADP: could not enlarge the receive buffer");
    }
    if let IpAddr::V4(ip) = bind.ip() {
        s.set_broadcast(true).map_err(|e| io_err(what(), e))?;
        s.set_multicast_loop_v4(true)
            .map_err(|e| io_err(what(), e))?;
        if !ip.is_unspecified() {
            // interface selection for multicast sends
            if let Err(e) = s.set_multicast_if_v4(&ip) {
                tracing::debug!(error = %e, %ip, "SADP: could not select the multicast interface");
            }
        }
    }
    s.set_nonblocking(true).map_err(|e| io_err(what(), e))?;
    s.bind(&bind.into()).map_err(|e| io_err(what(), e))?;
    UdpSocket::from_std(s.into()).map_err(|e| io_err(what(), e))
}

fn group_socket(group: SocketAddrV4, iface: IpAddr) -> io::Result<UdpSocket> {
    let s = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    s.set_reuse_address(true)?;
    let _ = s.set_recv_buffer_size(RECV_BUFFER);
    s.set_nonblocking(true)?;
    s.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, group.port())).into())?;
    let iface = match iface {
        IpAddr::V4(ip) => ip,
        IpAddr::V6(_) => Ipv4Addr::UNSPECIFIED,
    };
    if group.ip().is_multicast() {
        s.join_multicast_v4(group.ip(), &iface)?;
    }
    UdpSocket::from_std(s.into())
}
