//! Listening sockets and what an accepted connection is routed to: one listener per device
//! and port, or — with LAN addressing — one listener per port for the whole site that finds the
//! device by the address the connection was made to. Also the process-wide descriptor limit and
//! what the accept loop does when descriptors run out.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::error::{Result, SimError};
use crate::state::DeviceShared;

/// A device as one listener serves it.
#[derive(Clone)]
pub(crate) struct Endpoint {
    pub(crate) shared: Arc<DeviceShared>,
    pub(crate) tls: Option<TlsAcceptor>,
}

/// Where a listener's connections go.
#[derive(Clone)]
pub(crate) enum Route {
    /// Every connection to this listener is for one device.
    One(Endpoint),
    /// Device `i` is at address `first + i`.
    ByAddress {
        first: u32,
        devices: Arc<[Endpoint]>,
    },
}

impl Route {
    /// The device a connection made to `local` is for (`None`: no device there; drop it).
    pub(crate) fn find(&self, local: impl FnOnce() -> Option<SocketAddr>) -> Option<&Endpoint> {
        match self {
            Self::One(e) => Some(e),
            Self::ByAddress { first, devices } => {
                let IpAddr::V4(ip) = local()?.ip() else {
                    return None;
                };
                let i = u32::from(ip).checked_sub(*first)?;
                devices.get(usize::try_from(i).ok()?)
            }
        }
    }
}

/// Raises the soft open-file limit to the hard limit (each device connection is a descriptor);
/// returns the limit in force.
pub(crate) fn raise_fd_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => Some(n),
        Err(e) => {
            tracing::warn!("could not raise the open-file limit: {e}");
            None
        }
    }
}

/// Binds one listener for every device of a LAN-addressed site on `port`: on all addresses,
/// tied to the loopback interface where the system allows it (connections to addresses that are
/// not a device's are dropped on accept either way). `None` tries `standard`, then `fallback`
/// when the process may not bind privileged ports.
pub(crate) fn bind_shared(port: Option<u16>, standard: u16, fallback: u16) -> Result<TcpListener> {
    match port {
        Some(p) => bind_any(p),
        None => match bind_any(standard) {
            Err(SimError::Io { source, .. })
                if source.kind() == io::ErrorKind::PermissionDenied =>
            {
                bind_any(fallback)
            }
            r => r,
        },
    }
}

fn bind_any(port: u16) -> Result<TcpListener> {
    let what = || format!("binding the shared listener on port {port}");
    let io = |e| SimError::io(what(), e);
    let s = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).map_err(io)?;
    s.set_reuse_address(true).map_err(io)?;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Err(e) = s.bind_device(Some(b"lo")) {
        tracing::debug!("listener on port {port} not tied to the loopback interface: {e}");
    }
    s.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)).into())
        .map_err(io)?;
    s.listen(4096).map_err(io)?;
    s.set_nonblocking(true).map_err(io)?;
    TcpListener::from_std(s.into()).map_err(io)
}

/// What the accept loop does when `accept` fails: descriptors ran out (or a transient network
/// error). It logs — at most every few seconds, with the count since the last message — and
/// backs off briefly; it never stops accepting. Idle connections closing free descriptors.
#[derive(Debug, Default)]
pub(crate) struct AcceptErrors {
    since_log: u64,
    last_log: Option<Instant>,
}

impl AcceptErrors {
    pub(crate) async fn failed(&mut self, e: &io::Error, local: Option<SocketAddr>) {
        self.since_log += 1;
        let due = self
            .last_log
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(5));
        if due {
            let hint = if is_out_of_descriptors(e) {
                " (out of file descriptors: raise the open-file limit or lower the idle time)"
            } else {
                ""
            };
            tracing::warn!(
                "accepting on {} failed {} time(s){hint}: {e}; still serving",
                local.map_or_else(|| "?".to_owned(), |a| a.to_string()),
                self.since_log,
            );
            self.since_log = 0;
            self.last_log = Some(Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn is_out_of_descriptors(e: &io::Error) -> bool {
    // EMFILE (24) and ENFILE (23) on Linux and the BSDs
    matches!(e.raw_os_error(), Some(23 | 24))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_descriptors_is_recognised() {
        assert!(is_out_of_descriptors(&io::Error::from_raw_os_error(24)));
        assert!(!is_out_of_descriptors(&io::Error::from_raw_os_error(104)));
    }
}
