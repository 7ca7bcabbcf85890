//! The slots of one fleet run (global, per host, per account, per site) and the task of each
//! device.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{DeviceResult, Fleet, Progress, ProgressHook};
use crate::client::Device;
use crate::error::{Error, Result};

/// A device of a run: its index in the input, its handle, its site.
pub(super) type Numbered = (usize, Device, Option<String>);

/// Pairs each device with its index and site (`sites[i]`, none past its end).
pub(super) fn numbered(devices: Vec<Device>, sites: &[Option<String>]) -> Vec<Numbered> {
    devices
        .into_iter()
        .enumerate()
        .map(|(i, d)| (i, d, sites.get(i).cloned().flatten()))
        .collect()
}

/// The limits of one run, shared by every device of it (whichever phase it runs in).
pub(super) struct Slots {
    fleet: Fleet,
    global: Arc<Semaphore>,
    hosts: HashMap<String, Arc<Semaphore>>,
    accounts: HashMap<String, Arc<Semaphore>>,
    sites: HashMap<String, Arc<Semaphore>>,
    done: Arc<AtomicUsize>,
    total: usize,
}

fn slot(map: &mut HashMap<String, Arc<Semaphore>>, key: String, n: usize) -> Arc<Semaphore> {
    map.entry(key)
        .or_insert_with(|| Arc::new(Semaphore::new(n)))
        .clone()
}

impl Slots {
    pub(super) fn new(fleet: &Fleet, total: usize) -> Self {
        Self {
            fleet: fleet.clone(),
            global: Arc::new(Semaphore::new(fleet.concurrency)),
            hosts: HashMap::new(),
            accounts: HashMap::new(),
            sites: HashMap::new(),
            done: Arc::new(AtomicUsize::new(0)),
            total,
        }
    }

    /// Spawns one task per device into `set`, each waiting for its slots.
    pub(super) fn spawn<T, F, Fut>(
        &mut self,
        set: &mut JoinSet<DeviceResult<T>>,
        devices: Vec<Numbered>,
        op: &Arc<F>,
    ) where
        T: Send + 'static,
        F: Fn(usize, Device) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        for (index, dev, site) in devices {
            let host = slot(
                &mut self.hosts,
                dev.base_url().to_owned(),
                self.fleet.per_host,
            );
            let account = match (self.fleet.per_account, dev.user()) {
                (Some(n), Some(user)) => Some(slot(&mut self.accounts, user, n)),
                _ => None,
            };
            let site = match (self.fleet.per_site, site) {
                (Some(n), Some(s)) => Some(slot(&mut self.sites, s, n)),
                _ => None,
            };
            let task = Task {
                index,
                total: self.total,
                limits: [account, site, Some(host), Some(self.global.clone())],
                deadline: self.fleet.deadline,
                progress: self.fleet.progress.clone(),
                done: self.done.clone(),
                release: !self.fleet.keep_connections,
            };
            set.spawn(task.run(dev, op.clone()));
        }
    }
}

/// One device's run.
struct Task {
    index: usize,
    total: usize,
    /// Acquired in this fixed order (account, site, host, global) so runs cannot deadlock.
    limits: [Option<Arc<Semaphore>>; 4],
    deadline: Option<std::time::Duration>,
    progress: Option<ProgressHook>,
    done: Arc<AtomicUsize>,
    release: bool,
}

impl Task {
    async fn run<T, F, Fut>(self, dev: Device, op: Arc<F>) -> DeviceResult<T>
    where
        T: Send + 'static,
        F: Fn(usize, Device) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        let name = dev.base_url().to_owned();
        let mut permits = Vec::with_capacity(self.limits.len());
        for s in self.limits.iter().flatten() {
            permits.push(s.acquire().await.ok());
        }
        let release = self.release.then(|| dev.clone());
        let t0 = Instant::now();
        let index = self.index;
        // A panicking operation becomes that device's error; the run goes on.
        let fut = async move {
            use futures_util::FutureExt as _;
            match std::panic::AssertUnwindSafe(op(index, dev))
                .catch_unwind()
                .await
            {
                Ok(r) => r,
                Err(_) => Err(Error::invalid("the operation panicked")),
            }
        };
        let outcome = match self.deadline {
            Some(d) => match tokio::time::timeout(d, fut).await {
                Ok(r) => r,
                Err(_) => Err(Error::Timeout {
                    operation: format!("fleet operation on {name}"),
                    after: d,
                }),
            },
            None => fut.await,
        };
        let elapsed = t0.elapsed();
        if let Some(dev) = release {
            dev.release_connections();
        }
        drop(permits);
        let n = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(p) = self.progress {
            p(&Progress {
                done: n,
                total: self.total,
                device: name.clone(),
                ok: outcome.is_ok(),
            });
        }
        DeviceResult {
            index,
            device: name,
            outcome,
            elapsed,
        }
    }
}
