//! The continuous search: [`watch`] sends an inquiry round every `interval` and reports devices
//! found, changed and gone as a stream of [`DiscoveryEvent`]s.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};

use crate::error::{Error, Result};

use super::discovery::{DiscoverOptions, DiscoveredDevice, SEND_BURST, Sweep, device_of};
use super::mac::MacAddr;
use super::transport::{Endpoint, MAX_DATAGRAM};
use super::{after, new_uuid};

/// Options of [`watch`].
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Sockets and targets (its `timeout`, `expect` and `resend_interval` are not used).
    pub discover: DiscoverOptions,
    /// How often to send a new inquiry round (the SDK's default is 60 s).
    pub interval: Duration,
    /// A device not heard for this long is reported [`DiscoveryEvent::Gone`] (there is no "bye"
    /// message in SADP).
    pub offline_after: Duration,
    /// Events buffered for a slow consumer before the watcher waits.
    pub capacity: usize,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            discover: DiscoverOptions::default(),
            interval: Duration::from_secs(60),
            offline_after: Duration::from_secs(150),
            capacity: 1024,
        }
    }
}

/// A change seen by [`watch`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum DiscoveryEvent {
    /// A device answered for the first time (or again after being gone).
    Found(DiscoveredDevice),
    /// A known device answered with different details (address, activation, platform state…).
    Updated(DiscoveredDevice),
    /// A device stopped answering for `offline_after`.
    Gone(DiscoveredDevice),
}

impl DiscoveryEvent {
    /// The device the event is about.
    pub fn device(&self) -> &DiscoveredDevice {
        match self {
            Self::Found(d) | Self::Updated(d) | Self::Gone(d) => d,
        }
    }
}

/// The continuous search started by [`watch`]: a stream of [`DiscoveryEvent`]s. Dropping it
/// stops the search and closes the sockets.
#[derive(Debug)]
pub struct Watcher {
    rx: mpsc::Receiver<DiscoveryEvent>,
    refresh: Arc<Notify>,
    task: JoinHandle<()>,
    local: SocketAddr,
}

impl Watcher {
    /// The next event; `None` once the search has stopped (a socket error, logged).
    pub async fn next(&mut self) -> Option<DiscoveryEvent> {
        self.rx.recv().await
    }

    /// Sends an inquiry round now instead of at the next interval.
    pub fn refresh(&self) {
        self.refresh.notify_one();
    }

    /// The local address of the sending socket.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl futures_util::Stream for Watcher {
    type Item = DiscoveryEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

/// Starts a continuous search (must be called inside a tokio runtime).
pub async fn watch(options: WatchOptions) -> Result<Watcher> {
    options.discover.validate()?;
    if options.interval.is_zero() || options.offline_after.is_zero() {
        return Err(Error::invalid("SADP watch intervals must be positive"));
    }
    let ep = Endpoint::open(options.discover.bind, options.discover.listen_group)?;
    let local = ep.local_addr()?;
    let (tx, rx) = mpsc::channel(options.capacity.max(1));
    let refresh = Arc::new(Notify::new());
    let task = tokio::spawn(watch_loop(ep, options, tx, Arc::clone(&refresh)));
    Ok(Watcher {
        rx,
        refresh,
        task,
        local,
    })
}

struct Known {
    device: DiscoveredDevice,
    last_seen: Instant,
}

/// The device details that matter for "updated" (the echoed UUID and `Types` do not).
fn same_details(a: &DiscoveredDevice, b: &DiscoveredDevice) -> bool {
    a.from == b.from && {
        let mut x = a.info.clone();
        let mut y = b.info.clone();
        x.uuid.clear();
        y.uuid.clear();
        x.types = y.types.clone();
        x == y
    }
}

async fn watch_loop(
    ep: Endpoint,
    o: WatchOptions,
    tx: mpsc::Sender<DiscoveryEvent>,
    refresh: Arc<Notify>,
) {
    let uuid = new_uuid();
    let mut sweep = Sweep::new(&uuid);
    let none_ip = HashSet::new();
    let none_addr = HashSet::new();
    sweep.plan(&o.discover.targets, &none_ip, &none_addr, false);
    let mut known: HashMap<MacAddr, Known> = HashMap::new();
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut next_round = after(o.interval);
    let sweep_every = (o.offline_after / 4).max(Duration::from_millis(10));
    let mut next_sweep = after(sweep_every);
    loop {
        let mut events = Vec::new();
        tokio::select! {
            biased;
            r = ep.recv(&mut buf) => {
                let (n, from, via) = match r {
                    Ok(x) => x,
                    Err(e) => {
                        tracing::warn!(error = %e, "SADP watch stopped");
                        return;
                    }
                };
                if let Some(d) = device_of(&buf[..n], from, via) {
                    let now = Instant::now();
                    let room = known.len() < o.discover.max_devices;
                    if let Some(k) = known.get_mut(&d.mac) {
                        k.last_seen = now;
                        let replies = k.device.replies.saturating_add(1);
                        if !same_details(&k.device, &d) {
                            k.device = DiscoveredDevice { replies, ..d };
                            events.push(DiscoveryEvent::Updated(k.device.clone()));
                        } else {
                            k.device.replies = replies;
                            k.device.info.uuid = d.info.uuid;
                        }
                    } else if room {
                        events.push(DiscoveryEvent::Found(d.clone()));
                        known.insert(d.mac, Known { device: d, last_seen: now });
                    }
                }
            }
            r = sweep.send_some(&ep, SEND_BURST), if !sweep.queue.is_empty() => {
                if let Err(e) = r {
                    tracing::warn!(error = %e, "SADP watch stopped");
                    return;
                }
            }
            () = refresh.notified() => {
                sweep.plan(&o.discover.targets, &none_ip, &none_addr, false);
            }
            () = sleep_until(next_round) => {
                sweep.plan(&o.discover.targets, &none_ip, &none_addr, false);
                next_round = after(o.interval);
            }
            () = sleep_until(next_sweep) => {
                let now = Instant::now();
                let gone: Vec<MacAddr> = known
                    .iter()
                    .filter(|(_, k)| now.duration_since(k.last_seen) >= o.offline_after)
                    .map(|(m, _)| *m)
                    .collect();
                for m in gone {
                    if let Some(k) = known.remove(&m) {
                        events.push(DiscoveryEvent::Gone(k.device));
                    }
                }
                next_sweep = after(sweep_every);
            }
        }
        for ev in events {
            if tx.send(ev).await.is_err() {
                return;
            }
        }
    }
}
