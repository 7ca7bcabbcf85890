//! A running site: devices, their listeners, the platform, persistence, shutdown.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hikproto::Secret;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::config::{DeviceConfig, LanAddressing, Personality, SiteConfig};
use crate::error::{Result, SimError};
use crate::faults::Fault;
use crate::http::serve;
use crate::listen::{Endpoint, Route};
use crate::platform::Platform;
use crate::state::DeviceShared;
use crate::stats::DeviceStats;
use crate::tls::{self, CertBundle};

/// Builds and starts a [`Site`].
///
/// ```
/// # async fn run() -> hikproto_sim::Result<()> {
/// let site = hikproto_sim::Site::builder()
///     .devices(3)
///     .password("Passw0rd!x")
///     .start()
///     .await?;
/// println!("{}", site.device(0).isapi_url());
/// site.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct SiteBuilder {
    config: SiteConfig,
    generated: usize,
    password: Option<String>,
    personality: Option<Personality>,
}

impl SiteBuilder {
    /// Starts from a full configuration (devices added with [`SiteBuilder::devices`] come after
    /// the configured ones).
    pub fn from_config(config: SiteConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// Adds `n` default cameras.
    #[must_use]
    pub fn devices(mut self, n: usize) -> Self {
        self.generated = n;
        self
    }

    /// Activates the generated devices with an `admin` user whose password is this. Without
    /// it they start in factory state (inactive).
    #[must_use]
    pub fn password(mut self, password: &str) -> Self {
        self.password = Some(password.to_owned());
        self
    }

    /// Gives the generated devices this personality.
    #[must_use]
    pub fn personality(mut self, p: Personality) -> Self {
        self.personality = Some(p);
        self
    }

    /// Adds one configured device.
    #[must_use]
    pub fn device(mut self, d: DeviceConfig) -> Self {
        self.config.devices.push(d);
        self
    }

    /// Also serves HTTPS with a self-signed certificate.
    #[must_use]
    pub fn https(mut self, yes: bool) -> Self {
        self.config.https = yes;
        self
    }

    /// One certificate per device instead of one per site.
    #[must_use]
    pub fn cert_per_device(mut self, yes: bool) -> Self {
        self.config.cert_per_device = yes;
        self
    }

    /// Persists device state in this file (and reloads it at start when it exists).
    #[must_use]
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.state_file = Some(path.into());
        self
    }

    /// Puts device `i` on loopback address `lan.first + i`, every device on the same ports,
    /// served by one listening socket per port (see [`LanAddressing`]).
    #[must_use]
    pub fn lan(mut self, lan: LanAddressing) -> Self {
        self.config.lan = Some(lan);
        self
    }

    /// Closes idle keep-alive connections after `idle` (default
    /// [`crate::config::DEFAULT_IDLE_TIMEOUT_MS`]).
    #[must_use]
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.config.idle_timeout_ms = u64::try_from(idle.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// Runs SADP responders: device `i` on UDP `port + i` (any free port when 0); with
    /// [`SiteBuilder::lan`], every device on `port` at its own address.
    #[must_use]
    pub fn sadp_port(mut self, port: u16) -> Self {
        self.config.sadp_port = Some(port);
        self
    }

    /// The configuration this builder would start.
    pub fn into_config(self) -> SiteConfig {
        let mut cfg = self.config;
        let base = cfg.devices.len();
        for i in 0..self.generated {
            let mut d = DeviceConfig::camera(base + i);
            if let Some(p) = &self.personality {
                d.personality = p.clone();
            }
            if let Some(pw) = &self.password {
                d = d.with_admin(pw);
            }
            cfg.devices.push(d);
        }
        cfg
    }

    /// Binds every listener and starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<Site> {
        Site::start(self.into_config()).await
    }

    /// Starts the site on a runtime of its own (for blocking callers: FFI, Python, plain
    /// `main`). Must not be called from inside a tokio runtime.
    pub fn start_blocking(self) -> Result<BlockingSite> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hikproto-sim")
            .enable_all()
            .build()
            .map_err(|e| SimError::io("building the runtime", e))?;
        let site = rt.block_on(self.start())?;
        Ok(BlockingSite {
            runtime: Some(rt),
            site: Some(site),
        })
    }
}

/// One simulated device of a running [`Site`].
#[derive(Debug, Clone)]
pub struct SimDevice {
    pub(crate) shared: Arc<DeviceShared>,
    http_addr: SocketAddr,
    https_addr: Option<SocketAddr>,
    cert: Option<CertBundle>,
    serial: String,
    model: String,
    mac: String,
    pub(crate) sadp_addr: Option<SocketAddr>,
}

impl SimDevice {
    /// Position of the device in the site.
    pub fn index(&self) -> usize {
        self.shared.index
    }

    /// `http://127.0.0.1:<port>`.
    pub fn isapi_url(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// `host:port` of the HTTP listener (what `hikproto::Device::builder` takes).
    pub fn host(&self) -> String {
        self.http_addr.to_string()
    }

    /// The HTTP listener's address.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// `https://127.0.0.1:<port>` when the site serves HTTPS.
    pub fn https_url(&self) -> Option<String> {
        self.https_addr.map(|a| format!("https://{a}"))
    }

    /// The HTTPS listener's address.
    pub fn https_addr(&self) -> Option<SocketAddr> {
        self.https_addr
    }

    /// SHA-256 of the DER certificate served over HTTPS (for pinning tests).
    pub fn cert_sha256(&self) -> Option<[u8; 32]> {
        self.cert.as_ref().map(|c| c.sha256)
    }

    /// The DER certificate served over HTTPS.
    pub fn cert_der(&self) -> Option<Vec<u8>> {
        self.cert.as_ref().map(|c| c.der.as_ref().clone())
    }

    /// Address of the device's SADP responder, when one runs.
    pub fn sadp_addr(&self) -> Option<SocketAddr> {
        self.sadp_addr
    }

    /// Full serial number.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The 9-character short serial.
    pub fn short_serial(&self) -> &str {
        let s = &self.serial;
        if s.len() >= 9 && s.is_ascii() {
            &s[s.len() - 9..]
        } else {
            s
        }
    }

    /// Model.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// MAC address.
    pub fn mac(&self) -> &str {
        &self.mac
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> DeviceStats {
        self.shared.stats.snapshot()
    }

    /// Counts this device's requests on `meter` too (attach one meter to several devices to
    /// see their load together).
    pub fn attach_meter(&self, meter: &crate::LoadMeter) {
        self.shared
            .meters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(meter.clone());
    }

    /// Sets every counter back to zero.
    pub fn reset_stats(&self) {
        self.shared.stats.reset();
    }

    /// Every request this device received, oldest first (request line, headers and body;
    /// the last 4096 are kept). Requests dropped unanswered (an oversized body, or while the
    /// device reboots) are not included; [`DeviceStats::requests`](crate::DeviceStats) counts
    /// only answered ones.
    pub fn received_requests(&self) -> Vec<crate::ReceivedRequest> {
        self.shared.received.snapshot()
    }

    /// Forgets the received requests.
    pub fn clear_received_requests(&self) {
        self.shared.received.clear();
    }

    /// Turns a fault on (it stays until [`SimDevice::clear_fault`] or [`SimDevice::clear_faults`]).
    pub fn set_fault(&self, fault: Fault) {
        self.shared.faults_mut().set(fault, true);
    }

    /// Turns one fault off (for [`Fault::Latency`] the duration is ignored).
    pub fn clear_fault(&self, fault: Fault) {
        self.shared.faults_mut().set(fault, false);
    }

    /// Turns every fault off.
    pub fn clear_faults(&self) {
        *self.shared.faults_mut() = Default::default();
    }

    /// The platform the device registers with.
    pub fn platform(&self) -> &Platform {
        &self.shared.platform
    }

    /// A copy of the device's current configuration and state (passwords stay redacted in
    /// `Debug`).
    pub fn config(&self) -> DeviceConfig {
        self.shared.snapshot()
    }

    /// True when the device is activated.
    pub fn is_activated(&self) -> bool {
        self.shared.lock().cfg.activated
    }

    /// The current password of `user`, if that user exists.
    pub fn password(&self, user: &str) -> Option<Secret> {
        let rt = self.shared.lock();
        rt.cfg
            .users
            .iter()
            .find(|u| u.name == user)
            .map(|u| u.password.clone())
    }

    /// The current verification code.
    pub fn verification_code(&self) -> Option<Secret> {
        self.shared.lock().cfg.verification_code.clone()
    }

    /// Makes the device recognise `password` exactly when it is sent and rejected, so that
    /// [`DeviceStats::repeated_rejected_credentials`] tells two different wrong passwords
    /// apart even over Digest.
    pub fn recognise_password(&self, password: &str) {
        let mut rt = self.shared.lock();
        let s = Secret::new(password);
        if !rt.probe_passwords.contains(&s) {
            rt.probe_passwords.push(s);
        }
    }

    /// Lifts every lock-out and failure counter (an administrator's "unlock").
    pub fn unlock_all(&self) {
        self.shared.lock().clients.clear();
    }

    /// Changes the device's configuration in place (for test set-ups). Logins stay valid.
    pub fn update(&self, f: impl FnOnce(&mut DeviceConfig)) {
        let mut rt = self.shared.lock();
        f(&mut rt.cfg);
        rt.ezviz_changed_at = Instant::now();
        drop(rt);
        self.shared.mark_dirty();
    }

    /// Reboots now: unreachable for the configured `reboot_ms`.
    pub fn reboot(&self) {
        let mut rt = self.shared.lock();
        let d = Duration::from_millis(rt.cfg.reboot_ms);
        rt.reboot_until = Some(Instant::now() + d);
        rt.drop_logins();
    }

    /// True while a reboot keeps the device unreachable.
    pub fn is_rebooting(&self) -> bool {
        self.shared.lock().rebooting()
    }

    /// Makes the pending e-mail and Hik-Connect-app reset QR payloads (and so their codes) older
    /// by `by`, to test their expiry without waiting.
    pub fn age_reset_codes(&self, by: Duration) {
        let mut rt = self.shared.lock();
        let r = &mut rt.recovery;
        for (_, at) in [&mut r.email_qr, &mut r.app_qr].into_iter().flatten() {
            // wall-clock times: moving them back works however long the machine has been up
            *at = at.checked_sub(by).unwrap_or(std::time::UNIX_EPOCH);
        }
    }

    /// Plays the Hik-Connect app of `account` on this device's pending reset QR payload (see
    /// [`Platform::app_reset_code`]); `None` when the device shows no such payload.
    pub fn app_reset_code(
        &self,
        account: &str,
    ) -> Option<std::result::Result<String, crate::platform::PlatformError>> {
        let qr = self.shared.lock().recovery.app_qr.clone()?.0;
        Some(self.platform().app_reset_code(account, &qr))
    }

    /// Exports a reset string (the "encrypted string" of SADP reset mode 2, in the simulator's
    /// scheme, see [`crate::support`]); earlier exports stop being answerable.
    pub fn export_reset_string(&self) -> std::result::Result<String, crate::support::SupportError> {
        self.shared.lock().export_reset_string()
    }

    /// Imports support's reply and sets the new admin password.
    pub fn apply_reset_reply(
        &self,
        reply: &str,
        new_password: &str,
    ) -> std::result::Result<(), crate::support::SupportError> {
        let r = self.shared.lock().apply_reset_reply(reply, new_password);
        self.shared.mark_dirty();
        r
    }
}

/// A running simulated site. Dropping it stops the listeners; prefer [`Site::shutdown`].
#[derive(Debug)]
pub struct Site {
    devices: Vec<SimDevice>,
    platform: Platform,
    config: SiteConfig,
    shutdown_tx: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Site {
    /// Starts building a site.
    pub fn builder() -> SiteBuilder {
        SiteBuilder::default()
    }

    /// Starts a site from a configuration (or from its state file when that exists).
    pub async fn start(mut config: SiteConfig) -> Result<Self> {
        if let Some(path) = &config.state_file {
            if let Some(saved) = crate::persist::load(path)? {
                config.devices = saved.devices;
            }
        }
        config.normalise()?;
        let platform = Platform::new();
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let site_cert = if config.https && !config.cert_per_device {
            Some(tls::self_signed(&[])?)
        } else {
            None
        };
        crate::listen::raise_fd_limit();
        let idle = Duration::from_millis(config.idle_timeout_ms.max(1));
        let lan = match config.lan {
            Some(l) => Some(LanListeners::bind(l, config.https)?),
            None => None,
        };
        let mut devices = Vec::with_capacity(config.devices.len());
        let mut tasks = Vec::with_capacity(config.devices.len() * 2 + 1);
        let (mut lan_http, mut lan_https) = (Vec::new(), Vec::new());
        for (i, dcfg) in config.devices.iter_mut().enumerate() {
            let lan_ip = lan.as_ref().and_then(|l| l.addressing.address(i));
            if let Some(ip) = lan_ip {
                dcfg.network.ip = ip.to_string();
                dcfg.network.mask = "255.0.0.0".into();
            }
            let cert = match (&site_cert, config.https) {
                (_, false) => None,
                (Some(c), true) => Some(c.clone()),
                (None, true) => Some(tls::self_signed(std::slice::from_ref(&dcfg.serial))?),
            };
            let acceptor = cert.as_ref().map(|c| TlsAcceptor::from(c.config.clone()));
            let shared = Arc::new(DeviceShared::new(i, dcfg.clone(), platform.clone()));
            platform.register_device(&dcfg.serial, &shared);
            let held = dcfg
                .ezviz
                .bound_code
                .clone()
                .or_else(|| dcfg.verification_code.clone());
            if let (Some(account), Some(code)) = (&dcfg.ezviz.bound_account, held) {
                platform.preload(&dcfg.serial, account, code);
            }
            let plain = Endpoint {
                shared: shared.clone(),
                tls: None,
            };
            let secure = acceptor.map(|tls| Endpoint {
                shared: shared.clone(),
                tls: Some(tls),
            });
            let (http_addr, https_addr) = match (&lan, lan_ip) {
                (Some(l), Some(ip)) => {
                    lan_http.push(plain);
                    lan_https.extend(secure);
                    (
                        SocketAddr::new(ip.into(), l.http_port),
                        l.https_port.map(|p| SocketAddr::new(ip.into(), p)),
                    )
                }
                _ => {
                    let http = bind(config.bind, dcfg.http_port).await?;
                    let http_addr = local(&http)?;
                    let sd = shutdown_rx.clone();
                    tasks.push(tokio::spawn(serve(Route::One(plain), http, idle, sd)));
                    let mut https_addr = None;
                    if let Some(ep) = secure {
                        let listener = bind(config.bind, dcfg.https_port).await?;
                        https_addr = Some(local(&listener)?);
                        let sd = shutdown_rx.clone();
                        tasks.push(tokio::spawn(serve(Route::One(ep), listener, idle, sd)));
                    }
                    (http_addr, https_addr)
                }
            };
            devices.push(SimDevice {
                serial: dcfg.serial.clone(),
                model: dcfg.model.clone(),
                mac: dcfg.mac.clone(),
                shared,
                http_addr,
                https_addr,
                cert,
                sadp_addr: None,
            });
        }
        if let Some(l) = lan {
            tasks.extend(l.serve(lan_http, lan_https, idle, &shutdown_rx));
        }
        // Remember the ports actually bound, so a restart from the state file keeps them.
        for (d, cfg) in devices.iter().zip(config.devices.iter_mut()) {
            cfg.http_port = d.http_addr.port();
            if let Some(a) = d.https_addr {
                cfg.https_port = a.port();
            }
            let port = d.http_addr.port();
            d.shared.lock().cfg.http_port = port;
            if let Some(a) = d.https_addr {
                d.shared.lock().cfg.https_port = a.port();
            }
        }
        let mut site = Self {
            devices,
            platform,
            config,
            shutdown_tx,
            tasks,
        };
        site.spawn_udp_responders(&shutdown_rx).await?;
        if let Some(path) = site.config.state_file.clone() {
            site.save()?;
            let shared: Vec<_> = site.devices.iter().map(|d| d.shared.clone()).collect();
            let persister = Arc::new(crate::persist::Persister::new(
                path,
                site.config.clone(),
                &shared,
            ));
            for d in &shared {
                d.set_persister(persister.clone());
            }
            site.tasks
                .push(tokio::spawn(persist_loop(persister, shutdown_rx)));
        }
        Ok(site)
    }

    /// Where the SADP responders start: one UDP task per device, bound to
    /// `sadp_port + index` on the site's address (ephemeral ports when `sadp_port` is 0), or to
    /// `sadp_port` on the device's own address with LAN addressing,
    /// serving the device's shared state (see `crate::sadp::site`).
    async fn spawn_udp_responders(&mut self, shutdown: &watch::Receiver<bool>) -> Result<()> {
        if let Some(port) = self.config.sadp_port {
            let (bind, lan) = (self.config.bind, self.config.lan);
            let addr = |i: usize, first: Option<u16>| -> Result<SocketAddr> {
                if let Some(l) = lan {
                    let ip = l.address(i).ok_or_else(|| {
                        SimError::Config("SADP addresses run past 127.255.255.254".into())
                    })?;
                    // every device on the same port (device 0's when the port is free-chosen)
                    return Ok(SocketAddr::new(ip.into(), first.unwrap_or(port)));
                }
                let port = if port == 0 {
                    0
                } else {
                    u16::try_from(i)
                        .ok()
                        .and_then(|i| port.checked_add(i))
                        .ok_or_else(|| SimError::Config("SADP ports run past 65535".into()))?
                };
                Ok(SocketAddr::new(bind, port))
            };
            let tasks =
                crate::sadp::site::start_for_site(&mut self.devices, addr, shutdown).await?;
            self.tasks.extend(tasks);
        }
        Ok(())
    }

    /// The devices.
    pub fn devices(&self) -> &[SimDevice] {
        &self.devices
    }

    /// Device `i`. Panics when `i` is out of range, like slice indexing; see [`Site::get`].
    pub fn device(&self, i: usize) -> &SimDevice {
        &self.devices[i]
    }

    /// Device `i`, if it exists.
    pub fn get(&self, i: usize) -> Option<&SimDevice> {
        self.devices.get(i)
    }

    /// The device with this full or short serial.
    pub fn by_serial(&self, serial: &str) -> Option<&SimDevice> {
        self.devices
            .iter()
            .find(|d| d.serial == serial || d.short_serial() == serial)
    }

    /// Number of devices.
    pub fn len(&self) -> usize {
        self.devices.len()
    }

    /// True when the site has no device.
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }

    /// The simulated Hik-Connect platform.
    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// The site configuration with every device's current state.
    pub fn snapshot(&self) -> SiteConfig {
        let mut cfg = self.config.clone();
        cfg.devices = self.devices.iter().map(|d| d.shared.snapshot()).collect();
        cfg
    }

    /// Writes the state file now (no-op without one).
    pub fn save(&self) -> Result<()> {
        match &self.config.state_file {
            Some(path) => crate::persist::save(path, &self.snapshot()),
            None => Ok(()),
        }
    }

    /// Stops every listener and connection, then writes the state file one last time.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        for t in self.tasks.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(3), t).await;
        }
        if let Err(e) = self.save() {
            tracing::warn!("saving the state file failed: {e}");
        }
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn bind(ip: std::net::IpAddr, port: u16) -> Result<TcpListener> {
    TcpListener::bind((ip, port))
        .await
        .map_err(|e| SimError::io(format!("binding {ip}:{port}"), e))
}

fn local(l: &TcpListener) -> Result<SocketAddr> {
    l.local_addr()
        .map_err(|e| SimError::io("reading a listener address", e))
}

/// Writes changes made outside requests (the [`SimDevice`] API) within 200 ms; changes made
/// by requests are written before they are answered (see `crate::persist::Persister`).
async fn persist_loop(
    persister: Arc<crate::persist::Persister>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
        let p = persister.clone();
        match tokio::task::spawn_blocking(move || p.flush()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("saving the state file failed: {e}"),
            Err(e) => tracing::warn!("the state-file writer failed: {e}"),
        }
    }
}

/// A [`Site`] running on a runtime it owns, for callers without an async runtime.
/// Dereferences to [`Site`].
#[derive(Debug)]
pub struct BlockingSite {
    runtime: Option<tokio::runtime::Runtime>,
    site: Option<Site>,
}

impl std::ops::Deref for BlockingSite {
    type Target = Site;

    fn deref(&self) -> &Site {
        // `site` is only taken by `shutdown`/`drop`, which consume or end the value.
        self.site.as_ref().expect("site is running")
    }
}

impl BlockingSite {
    /// Stops the site and its runtime.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let (Some(rt), Some(site)) = (self.runtime.as_ref(), self.site.take()) {
            rt.block_on(site.shutdown());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

impl Drop for BlockingSite {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The shared listeners of a LAN-addressed site (one per port).
struct LanListeners {
    addressing: LanAddressing,
    http: TcpListener,
    http_port: u16,
    https: Option<TcpListener>,
    https_port: Option<u16>,
}

impl LanListeners {
    fn bind(addressing: LanAddressing, https: bool) -> Result<Self> {
        let http = crate::listen::bind_shared(addressing.http_port, 80, 8080)?;
        let http_port = local(&http)?.port();
        let https = if https {
            Some(crate::listen::bind_shared(
                addressing.https_port,
                443,
                8443,
            )?)
        } else {
            None
        };
        let https_port = https.as_ref().map(local).transpose()?.map(|a| a.port());
        Ok(Self {
            addressing,
            http,
            http_port,
            https,
            https_port,
        })
    }

    /// Starts the accept loops: `http` and `https` hold device `i` at position `i`.
    fn serve(
        self,
        http: Vec<Endpoint>,
        https: Vec<Endpoint>,
        idle: Duration,
        shutdown: &watch::Receiver<bool>,
    ) -> Vec<JoinHandle<()>> {
        let first = u32::from(self.addressing.first);
        let route = |devices: Vec<Endpoint>| Route::ByAddress {
            first,
            devices: devices.into(),
        };
        let mut tasks = vec![tokio::spawn(serve(
            route(http),
            self.http,
            idle,
            shutdown.clone(),
        ))];
        if let Some(listener) = self.https {
            tasks.push(tokio::spawn(serve(
                route(https),
                listener,
                idle,
                shutdown.clone(),
            )));
        }
        tasks
    }
}
