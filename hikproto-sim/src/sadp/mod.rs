//! The device side of SADP: a UDP responder serving one or many simulated devices.
//!
//! It answers `inquiry`/`inquiry_v32` with a `ProbeMatch` per device (unicast to the sender, or to
//! the group), `exchangecode` with an RSA-encrypted session key, and every command hikproto sends
//! with the `Result` tokens and lock counters of real firmware: wrong passwords count and lock the
//! device (`PasswordError` + `RetryTimes`, then `locked` + `SurplusLockTime`), weak new passwords
//! are refused (`riskPassword`, the "error 2020"), reset codes, answers and GUIDs are checked.
//! Quirks reproduce firmware spellings (`flase`, `Ipv4Address`, CRLF, a trailing space in
//! `Types`, a trailing NUL).
//!
//! It is an independent implementation: it parses requests with [`hikproto::xml::Element`] only
//! and does its own cryptography (a private `crypto` module), so a bug shared by client and device code cannot
//! pass the tests. Where the vendor keeps a secret (support desk, mailed codes) it uses the test
//! schemes of [`tokens`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use hikproto_sim::sadp::{DeviceView, MemoryDevice, Quirks, Registration, Responder, ResponderConfig};
//!
//! let dev = MemoryDevice::new(DeviceView::camera(0));
//! let responder = Responder::start(
//!     ResponderConfig::loopback(),
//!     vec![Registration::new(dev.clone(), Quirks::default())],
//! )
//! .await?;
//! println!("SADP on {}", responder.local_addr());
//! responder.shutdown().await;
//! # Ok(()) }
//! ```

mod crypto;
mod device;
mod handler;
mod policy;
pub(crate) mod site;
pub mod tokens;
mod wire;

#[cfg(test)]
mod tests;

pub use device::{
    DeviceView, Features, MemoryDevice, Quirks, ReplyCheck, SadpDevice, Separator, mac_key,
};
pub use policy::{LockPolicy, is_risky};

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use handler::{Counters, Rules, Slot};

/// The SADP port.
pub const PORT: u16 = 37020;
/// The SADP multicast group.
pub const GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);

/// How a responder listens and answers.
#[derive(Debug, Clone)]
pub struct ResponderConfig {
    /// Where to listen (`127.0.0.1:0` in tests, `0.0.0.0:37020` on a LAN).
    pub bind: SocketAddr,
    /// Join this multicast group on the interface of `bind` (with address reuse on the port).
    pub join_group: Option<Ipv4Addr>,
    /// Send discovery replies to this group address instead of the sender (what one vendor code
    /// base does); command replies always go to the sender.
    pub discovery_to_group: Option<SocketAddrV4>,
    /// Send a `Hello` per device here at start-up.
    pub hello_to: Option<SocketAddr>,
    /// Lock-out.
    pub lock: LockPolicy,
    /// How long an exchanged session key stays usable.
    pub exchange_ttl: Duration,
    /// How long an exported encrypted string stays answerable (real devices: 24–48 h).
    pub export_ttl: Duration,
}

impl ResponderConfig {
    /// Loopback, ephemeral port, unicast replies.
    pub fn loopback() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            join_group: None,
            discovery_to_group: None,
            hello_to: None,
            lock: LockPolicy::default(),
            exchange_ttl: Duration::from_secs(60),
            export_ttl: Duration::from_secs(48 * 3600),
        }
    }

    /// A LAN responder: `0.0.0.0:37020` joined to 239.255.255.250, unicast replies.
    pub fn lan() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::UNSPECIFIED, PORT)),
            join_group: Some(GROUP),
            ..Self::loopback()
        }
    }
}

/// A device to serve, with its quirks.
pub struct Registration {
    /// The state.
    pub device: Arc<dyn SadpDevice>,
    /// Firmware quirks.
    pub quirks: Quirks,
}

impl Registration {
    /// Pairs a device with its quirks.
    pub fn new(device: Arc<dyn SadpDevice>, quirks: Quirks) -> Self {
        Self { device, quirks }
    }
}

/// What a responder has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResponderStats {
    /// Datagrams that were not a SADP request.
    pub malformed: u64,
    /// Inquiries answered.
    pub inquiries: u64,
    /// Commands handled (first copies).
    pub commands: u64,
    /// Resent requests answered from the reply cache.
    pub duplicates: u64,
    /// Wrong admin passwords.
    pub wrong_passwords: u64,
    /// Times a device locked itself.
    pub locks: u64,
    /// Wrong secrets (password, answers, code, GUID) sent again after the device refused them.
    pub repeated_secrets: u64,
}

/// How many received datagrams [`Responder::received`] keeps (the newest).
pub const RECEIVED_KEPT: usize = 256;

struct Shared {
    slots: Mutex<Vec<Slot>>,
    counters: Mutex<Counters>,
    /// The newest datagrams received, as they arrived (at most [`RECEIVED_KEPT`]).
    received: Mutex<std::collections::VecDeque<Vec<u8>>>,
}

/// A running responder. Dropping it without [`Responder::shutdown`] also stops it.
pub struct Responder {
    local: SocketAddr,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        if let Some(t) = &self.task {
            t.abort();
        }
    }
}

fn open_socket(cfg: &ResponderConfig) -> io::Result<UdpSocket> {
    let domain = if cfg.bind.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let s = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
    if cfg.join_group.is_some() || cfg.bind.port() == PORT {
        s.set_reuse_address(true)?;
    }
    let _ = s.set_recv_buffer_size(1 << 20);
    s.set_nonblocking(true)?;
    s.bind(&cfg.bind.into())?;
    if let Some(g) = cfg.join_group {
        let iface = match cfg.bind.ip() {
            IpAddr::V4(ip) => ip,
            IpAddr::V6(_) => Ipv4Addr::UNSPECIFIED,
        };
        s.join_multicast_v4(&g, &iface)?;
        s.set_multicast_loop_v4(true)?;
        if !iface.is_unspecified() {
            s.set_multicast_if_v4(&iface)?;
        }
    }
    UdpSocket::from_std(s.into())
}

impl Responder {
    /// Binds and starts serving `devices` (inside a tokio runtime).
    pub async fn start(config: ResponderConfig, devices: Vec<Registration>) -> io::Result<Self> {
        Self::start_until(config, devices, None).await
    }

    /// [`Responder::start`] that also stops when `shutdown` turns true.
    pub(crate) async fn start_until(
        config: ResponderConfig,
        devices: Vec<Registration>,
        shutdown: Option<watch::Receiver<bool>>,
    ) -> io::Result<Self> {
        let socket = Arc::new(open_socket(&config)?);
        let local = socket.local_addr()?;
        let shared = Arc::new(Shared {
            slots: Mutex::new(
                devices
                    .into_iter()
                    .map(|r| Slot::new(r.device, r.quirks))
                    .collect(),
            ),
            counters: Mutex::new(Counters::default()),
            received: Mutex::default(),
        });
        if let Some(to) = config.hello_to {
            let hellos: Vec<Vec<u8>> = lock(&shared.slots)
                .iter()
                .map(|s| wire::device_description(&s.device.load(), s.quirks, None, "hello"))
                .collect();
            for h in hellos {
                let _ = socket.send_to(&h, to).await;
            }
        }
        let task = tokio::spawn(serve(socket, config, Arc::clone(&shared), shutdown));
        Ok(Self {
            local,
            shared,
            task: Some(task),
        })
    }

    /// Where it listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The counters so far.
    pub fn stats(&self) -> ResponderStats {
        let c = lock(&self.shared.counters);
        ResponderStats {
            malformed: c.malformed,
            inquiries: c.inquiries,
            commands: c.commands,
            duplicates: c.duplicates,
            wrong_passwords: c.wrong_passwords,
            locks: c.locks,
            repeated_secrets: c.repeated_secrets,
        }
    }

    /// The newest datagrams this responder received (at most [`RECEIVED_KEPT`], oldest first),
    /// byte for byte: what a client actually put on the wire, for tests that prove a secret
    /// never arrived, or arrived only sealed.
    pub fn received(&self) -> Vec<Vec<u8>> {
        lock(&self.shared.received).iter().cloned().collect()
    }

    /// Whether device `index`'s locator LED is on (`lamp`).
    pub fn lamp(&self, index: usize) -> Option<bool> {
        lock(&self.shared.slots).get(index).map(|s| s.lamp)
    }

    /// Changes device `index`'s quirks.
    pub fn set_quirks(&self, index: usize, quirks: Quirks) {
        if let Some(s) = lock(&self.shared.slots).get_mut(index) {
            s.quirks = quirks;
        }
    }

    /// Gives up the handle: the responder keeps running until its task is aborted or its
    /// shutdown signal fires.
    pub(crate) fn detach(mut self) -> JoinHandle<()> {
        self.task
            .take()
            .unwrap_or_else(|| tokio::spawn(std::future::ready(())))
    }

    /// Stops serving and waits for the task to end.
    pub async fn shutdown(mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

async fn stopped(shutdown: &mut Option<watch::Receiver<bool>>) {
    match shutdown {
        Some(rx) => loop {
            if *rx.borrow_and_update() || rx.changed().await.is_err() {
                return;
            }
        },
        None => std::future::pending().await,
    }
}

async fn serve(
    socket: Arc<UdpSocket>,
    cfg: ResponderConfig,
    shared: Arc<Shared>,
    mut shutdown: Option<watch::Receiver<bool>>,
) {
    let rules = Rules {
        lock: cfg.lock,
        exchange_ttl: cfg.exchange_ttl,
        export_ttl: cfg.export_ttl,
    };
    let mut buf = vec![0u8; 65_535];
    loop {
        let received = tokio::select! {
            r = socket.recv_from(&mut buf) => r,
            () = stopped(&mut shutdown) => return,
        };
        let (n, from) = match received {
            Ok(x) => x,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset
                ) =>
            {
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "SADP responder stopped");
                return;
            }
        };
        {
            let mut kept = lock(&shared.received);
            if kept.len() == RECEIVED_KEPT {
                kept.pop_front();
            }
            kept.push_back(buf[..n].to_vec());
        }
        let outs = {
            let mut slots = lock(&shared.slots);
            let mut counters = lock(&shared.counters);
            handler::handle(&mut slots, &rules, &mut counters, &buf[..n], from)
        };
        for o in outs {
            let to = match (o.discovery, cfg.discovery_to_group) {
                (true, Some(g)) => SocketAddr::V4(g),
                _ => from,
            };
            if let Err(e) = socket.send_to(&o.bytes, to).await {
                tracing::debug!(%to, error = %e, "SADP responder send failed");
            }
        }
    }
}
