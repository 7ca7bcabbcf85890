//! Bounded concurrent runs of one operation over many devices.
//!
//! All device traffic is I/O-bound, so one process drives thousands of devices through a
//! [`Fleet`]: a global concurrency limit, a per-host limit (devices are fragile: one request at a
//! time per device by default) and an optional per-account limit (the same user name across many
//! devices, e.g. when a lock-out policy or an upstream directory is shared), a deadline per device,
//! and a progress hook. One device's failure never affects the others; results come back in input
//! order, each with its own typed error.
//!
//! ```no_run
//! # async fn run(devices: Vec<hikproto::Device>) {
//! use hikproto::fleet::Fleet;
//! let results = Fleet::new()
//!     .concurrency(64)
//!     .run(devices, |dev| async move { dev.device_info().await })
//!     .await;
//! let ok = results.iter().filter(|r| r.outcome.is_ok()).count();
//! println!("{ok} devices answered");
//! # }
//! ```

pub mod certs;
pub mod changes;
pub mod devices_file;
pub mod inventory;
pub mod journal;
pub mod rotation;
mod runner;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::client::Device;
use crate::error::Result;

/// Progress of a fleet run, given to the progress hook after each device finishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Devices finished so far.
    pub done: usize,
    /// Devices in the run.
    pub total: usize,
    /// The device that just finished (its base URL).
    pub device: String,
    /// Whether it succeeded.
    pub ok: bool,
}

/// The result for one device.
#[derive(Debug)]
pub struct DeviceResult<T> {
    /// Position of the device in the input.
    pub index: usize,
    /// The device's base URL.
    pub device: String,
    /// What the operation returned, or its typed error.
    pub outcome: Result<T>,
    /// How long the operation took (waiting for a slot not included).
    pub elapsed: Duration,
}

type ProgressHook = Arc<dyn Fn(&Progress) + Send + Sync>;

/// A bounded concurrent runner. See the [module docs](self).
#[derive(Clone)]
pub struct Fleet {
    concurrency: usize,
    per_host: usize,
    per_account: Option<usize>,
    per_site: Option<usize>,
    deadline: Option<Duration>,
    progress: Option<ProgressHook>,
    keep_connections: bool,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet")
            .field("concurrency", &self.concurrency)
            .field("per_host", &self.per_host)
            .field("per_account", &self.per_account)
            .field("per_site", &self.per_site)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl Default for Fleet {
    fn default() -> Self {
        Self::new()
    }
}

impl Fleet {
    /// A runner with 32 concurrent devices, one operation at a time per device, no account limit.
    pub fn new() -> Self {
        Self {
            concurrency: 32,
            per_host: 1,
            per_account: None,
            per_site: None,
            deadline: None,
            progress: None,
            keep_connections: false,
        }
    }

    /// How many devices are worked on at once (at least 1).
    #[must_use]
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// How many operations run at once against one device address (`host:port`; default 1).
    #[must_use]
    pub fn per_host_limit(mut self, n: usize) -> Self {
        self.per_host = n.max(1);
        self
    }

    /// How many operations run at once with the same user name across the fleet.
    #[must_use]
    pub fn per_account_limit(mut self, n: usize) -> Self {
        self.per_account = Some(n.max(1));
        self
    }

    /// How many operations run at once on the devices of one site (a site's network, NVR or
    /// uplink is often the real bottleneck). Sites are given with [`Fleet::run_sited`] and
    /// [`Fleet::stream_sited`] (the devices file's `site` column); devices without one are not
    /// limited by it.
    #[must_use]
    pub fn per_site_limit(mut self, n: usize) -> Self {
        self.per_site = Some(n.max(1));
        self
    }

    /// A deadline for each device's whole operation; past it the device gets
    /// [`Error::Timeout`](crate::Error::Timeout).
    #[must_use]
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = Some(d);
        self
    }

    /// Keeps each device's idle connections open after its operation (for a caller that runs
    /// again on the same handles soon). By default they are closed as each device finishes, so a
    /// sweep of any size holds about `concurrency` sockets; calls within one operation reuse
    /// their connection either way.
    #[must_use]
    pub fn keep_connections(mut self, yes: bool) -> Self {
        self.keep_connections = yes;
        self
    }

    /// Called after each device finishes (from the task that ran it; keep it quick).
    #[must_use]
    pub fn on_progress(mut self, hook: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(hook));
        self
    }

    /// Runs `op` on every device and returns one result per device, in input order.
    pub async fn run<T, F, Fut>(&self, devices: Vec<Device>, op: F) -> Vec<DeviceResult<T>>
    where
        T: Send + 'static,
        F: Fn(Device) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        self.run_indexed(devices, move |_, dev| op(dev)).await
    }

    /// Like [`Fleet::run`], giving `op` the device's index in `devices` too (for per-device
    /// arguments).
    pub async fn run_indexed<T, F, Fut>(&self, devices: Vec<Device>, op: F) -> Vec<DeviceResult<T>>
    where
        T: Send + 'static,
        F: Fn(usize, Device) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        self.run_sited(devices, &[], op).await
    }

    /// Like [`Fleet::run_indexed`], with each device's site (`sites[i]` for `devices[i]`; a
    /// device without one is in no site) for [`Fleet::per_site_limit`].
    pub async fn run_sited<T, F, Fut>(
        &self,
        devices: Vec<Device>,
        sites: &[Option<String>],
        op: F,
    ) -> Vec<DeviceResult<T>>
    where
        T: Send + 'static,
        F: Fn(usize, Device) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        let total = devices.len();
        let mut slots = runner::Slots::new(self, total);
        let mut set = tokio::task::JoinSet::new();
        slots.spawn(&mut set, runner::numbered(devices, sites), &Arc::new(op));
        let mut out: Vec<DeviceResult<T>> = Vec::with_capacity(total);
        while let Some(r) = set.join_next().await {
            match r {
                Ok(r) => out.push(r),
                Err(e) => tracing::error!("fleet task was cancelled: {e}"),
            }
        }
        out.sort_by_key(|r| r.index);
        out
    }

    /// Like [`Fleet::run_indexed`], giving each device's result as soon as it finishes
    /// (completion order). Dropping the stream stops the devices still running.
    ///
    /// Must be called inside a tokio runtime.
    pub fn stream_indexed<T, F, Fut>(&self, devices: Vec<Device>, op: F) -> FleetStream<T>
    where
        T: Send + 'static,
        F: Fn(usize, Device) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        self.stream_sited(devices, &[], op)
    }

    /// Like [`Fleet::stream_indexed`], with each device's site (see [`Fleet::run_sited`]).
    ///
    /// Must be called inside a tokio runtime.
    pub fn stream_sited<T, F, Fut>(
        &self,
        devices: Vec<Device>,
        sites: &[Option<String>],
        op: F,
    ) -> FleetStream<T>
    where
        T: Send + 'static,
        F: Fn(usize, Device) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        let all = devices.iter().map(|_| true).collect();
        self.stream_phased(devices, sites, all, op)
    }

    /// Like [`Fleet::stream_sited`] in two phases: the devices with `first[i]` set, then, once
    /// all of those have finished, the others (under the same limits). Results stream as each
    /// device finishes.
    pub(crate) fn stream_phased<T, F, Fut>(
        &self,
        devices: Vec<Device>,
        sites: &[Option<String>],
        first: Vec<bool>,
        op: F,
    ) -> FleetStream<T>
    where
        T: Send + 'static,
        F: Fn(usize, Device) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        let total = devices.len();
        let mut slots = runner::Slots::new(self, total);
        let (now, later): (Vec<_>, Vec<_>) = runner::numbered(devices, sites)
            .into_iter()
            .partition(|(i, _, _)| first.get(*i).copied().unwrap_or(true));
        let op = Arc::new(op);
        let mut set = tokio::task::JoinSet::new();
        slots.spawn(&mut set, now, &op);
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            let mut later = Some(later);
            loop {
                while let Some(r) = set.join_next().await {
                    match r {
                        Ok(r) => {
                            if tx.send(r).is_err() {
                                return;
                            }
                        }
                        Err(e) => tracing::error!("fleet task was cancelled: {e}"),
                    }
                }
                match later.take() {
                    Some(l) if !l.is_empty() => slots.spawn(&mut set, l, &op),
                    _ => return,
                }
            }
        });
        FleetStream { rx, task, total }
    }
}

/// Results of [`Fleet::stream_indexed`] in completion order. Dropping it stops the run.
#[derive(Debug)]
pub struct FleetStream<T> {
    rx: tokio::sync::mpsc::UnboundedReceiver<DeviceResult<T>>,
    task: tokio::task::JoinHandle<()>,
    total: usize,
}

impl<T> FleetStream<T> {
    /// The next finished device, or `None` once every device has finished.
    pub async fn next(&mut self) -> Option<DeviceResult<T>> {
        self.rx.recv().await
    }

    /// The next finished device from blocking code (outside the runtime).
    pub fn blocking_next(&mut self) -> Option<DeviceResult<T>> {
        self.rx.blocking_recv()
    }

    /// Devices in the run.
    pub fn total(&self) -> usize {
        self.total
    }

    /// A handle that stops the run from elsewhere, as dropping the stream does: the devices
    /// still running are stopped and [`FleetStream::next`] gives `None` once the results already
    /// finished are taken.
    pub fn abort_handle(&self) -> tokio::task::AbortHandle {
        self.task.abort_handle()
    }
}

impl<T> Drop for FleetStream<T> {
    fn drop(&mut self) {
        // dropping the task drops its JoinSet, which aborts the devices still running
        self.task.abort();
    }
}

/// Summary counts of a finished run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Summary {
    /// Devices that succeeded.
    pub ok: usize,
    /// Devices that failed.
    pub failed: usize,
    /// Failures that were credential problems (rejected, locked, latched).
    pub auth_failures: usize,
}

impl Summary {
    /// Counts a run's results.
    pub fn of<T>(results: &[DeviceResult<T>]) -> Self {
        let mut s = Self::default();
        for r in results {
            match &r.outcome {
                Ok(_) => s.ok += 1,
                Err(e) => {
                    s.failed += 1;
                    if e.is_auth() {
                        s.auth_failures += 1;
                    }
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn dev(host: &str) -> Device {
        Device::builder(host).build().unwrap()
    }

    #[tokio::test]
    async fn order_limits_panics_and_deadlines() {
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let peak = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen2 = seen.clone();
        let devices: Vec<Device> = (0..20)
            .map(|i| dev(&format!("127.0.0.1:{}", 1000 + i)))
            .collect();
        let (r2, p2) = (running.clone(), peak.clone());
        let results = Fleet::new()
            .concurrency(4)
            .deadline(Duration::from_millis(200))
            .on_progress(move |p| seen2.lock().unwrap().push(p.done))
            .run(devices, move |d| {
                let (running, peak) = (r2.clone(), p2.clone());
                async move {
                    use std::sync::atomic::Ordering::SeqCst;
                    let now = running.fetch_add(1, SeqCst) + 1;
                    peak.fetch_max(now, SeqCst);
                    let port: u16 = d.base_url().rsplit(':').next().unwrap().parse().unwrap();
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    running.fetch_sub(1, SeqCst);
                    match port % 5 {
                        0 => panic!("boom"),
                        1 => {
                            tokio::time::sleep(Duration::from_secs(5)).await;
                            Ok(port)
                        }
                        _ => Ok(port),
                    }
                }
            })
            .await;
        assert_eq!(results.len(), 20);
        assert!(results.iter().enumerate().all(|(i, r)| r.index == i));
        assert!(peak.load(std::sync::atomic::Ordering::SeqCst) <= 4);
        let s = Summary::of(&results);
        assert_eq!((s.ok, s.failed), (12, 8));
        assert!(matches!(results[1].outcome, Err(Error::Timeout { .. })));
        assert!(matches!(results[0].outcome, Err(Error::InvalidInput(_))));
        let mut p = seen.lock().unwrap().clone();
        p.sort_unstable();
        assert_eq!(p, (1..=20).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn per_site_limit_holds_and_phases_run_in_order() {
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        let sites: Vec<Option<String>> = (0..24)
            .map(|i| (i % 4 != 3).then(|| format!("s{}", i % 3)))
            .collect();
        let devices: Vec<Device> = (0..24)
            .map(|i| dev(&format!("127.0.0.1:{}", 2000 + i)))
            .collect();
        let running: Arc<Vec<AtomicUsize>> =
            Arc::new((0..4).map(|_| AtomicUsize::new(0)).collect());
        let peak: Arc<Vec<AtomicUsize>> = Arc::new((0..4).map(|_| AtomicUsize::new(0)).collect());
        let group = Arc::new(
            sites
                .iter()
                .map(|s| match s.as_deref() {
                    Some("s0") => 0,
                    Some("s1") => 1,
                    Some("s2") => 2,
                    _ => 3,
                })
                .collect::<Vec<usize>>(),
        );
        let (r2, p2, g2) = (running.clone(), peak.clone(), group.clone());
        let first: Vec<bool> = (0..24).map(|i| i < 6).collect();
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let o2 = order.clone();
        let mut stream = Fleet::new()
            .concurrency(16)
            .per_site_limit(2)
            .stream_phased(devices, &sites, first, move |i, _d| {
                let (running, peak, g) = (r2.clone(), p2.clone(), g2[i]);
                let order = o2.clone();
                async move {
                    order.lock().unwrap().push(i);
                    let now = running[g].fetch_add(1, SeqCst) + 1;
                    peak[g].fetch_max(now, SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    running[g].fetch_sub(1, SeqCst);
                    Ok(i)
                }
            });
        let mut n = 0;
        while let Some(r) = stream.next().await {
            assert_eq!(r.outcome.unwrap(), r.index);
            n += 1;
        }
        assert_eq!(n, 24);
        for g in 0..3 {
            assert_eq!(peak[g].load(SeqCst), 2, "site s{g}");
        }
        assert!(
            peak[3].load(SeqCst) > 2,
            "devices without a site are not limited by it"
        );
        let order = order.lock().unwrap().clone();
        let mut head = order[..6].to_vec();
        head.sort_unstable();
        assert_eq!(
            head,
            (0..6).collect::<Vec<_>>(),
            "the first phase runs first"
        );
    }
}
