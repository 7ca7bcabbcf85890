//! [`SadpClient`]: sends commands to devices by MAC and matches replies by UUID.
//!
//! One client owns one socket (plus, optionally, the SADP-port listener) and a receive task that
//! hands each reply to the command waiting for its UUID, so any number of commands can run
//! concurrently. Every exchange has a deadline ([`ClientOptions::timeout`], or per handle with
//! [`SadpClient::with_timeout`]).
//!
//! Password-bearing commands run `exchangecode` and then the command; a device keeps one session
//! key per client, so the client serialises these pairs per device (by MAC) while commands to
//! different devices run in parallel.
//!
//! Only requests that neither change state nor mint tokens are resent while waiting
//! (`getsecurityquestion`, `getPasswordResetType`, `getUnbindStatus`, `lamp`). Everything else is
//! sent once: a duplicate could count twice against the device's lock-out, or invalidate the
//! token (encrypted string, exchange key, QR code) the first reply carries.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OnceCell, oneshot};
use tokio::task::JoinHandle;
use tokio::time::sleep_until;

use crate::auth::LockoutGuard;
use crate::crypto::sadp::{ExchangeKeyPair, SessionKey};
use crate::error::{Error, Result};

use super::after;
use super::mac::MacAddr;
use super::message::{Message, decode};
use super::probe::Probe;
use super::probe_match::ProbeMatch;
use super::reply::Reply;
use super::transport::{Endpoint, MAX_DATAGRAM};
use super::types::ProbeType;

/// Options of a [`SadpClient`].
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Local address of the socket (interface selection). Port 0 picks an ephemeral port.
    pub bind: SocketAddr,
    /// Deadline of one request/reply exchange (the SDK's business timeout is 10 s).
    pub timeout: Duration,
    /// How often idempotent requests are repeated while waiting.
    pub resend_interval: Duration,
    /// Also listen on this group and port for replies (devices that answer by multicast).
    pub listen_group: Option<SocketAddrV4>,
    /// Also send every command to this group (as the SDK does), besides the device's address.
    pub also_send_to_group: Option<SocketAddrV4>,
    /// Replies queued for UUIDs nobody waits for are dropped; this bounds the waiting table.
    pub max_pending: usize,
    /// The lock-out guard that latches refused passwords, answers and codes per device (MAC)
    /// and user (default: the process-wide [`LockoutGuard::global`]).
    pub lockout_guard: LockoutGuard,
}

impl Default for ClientOptions {
    /// Ephemeral port on all interfaces, 10 s per exchange, no group listener (unicast replies).
    fn default() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
            timeout: Duration::from_secs(10),
            resend_interval: Duration::from_secs(1),
            listen_group: None,
            also_send_to_group: None,
            max_pending: 4096,
            lockout_guard: LockoutGuard::global(),
        }
    }
}

/// Where and to whom a command goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceTarget {
    /// The device's MAC (commands are matched by it on the device side).
    pub mac: MacAddr,
    /// Where to send (the address its `ProbeMatch` came from; normally `<device IP>:37020`).
    pub addr: SocketAddr,
    /// The admin user the password belongs to (for error messages; SADP does not send it, except
    /// inside the salted `update` password).
    pub user: String,
    /// The device's `Salt`: when present, `update` uses the salted password form.
    pub salt: Option<String>,
    /// The device accepts encrypted reset codes (`codeEncrypt`).
    pub code_encrypt: bool,
}

impl DeviceTarget {
    /// A target known only by MAC and address (admin user `admin`, no salt, plain codes).
    pub fn new(mac: MacAddr, addr: SocketAddr) -> Self {
        Self {
            mac,
            addr,
            user: "admin".into(),
            salt: None,
            code_encrypt: false,
        }
    }

    /// A target from what the device reported.
    pub fn from_probe_match(mac: MacAddr, addr: SocketAddr, pm: &ProbeMatch) -> Self {
        Self {
            mac,
            addr,
            user: pm.admin_user().to_owned(),
            salt: pm.salt.clone().filter(|s| !s.trim().is_empty()),
            code_encrypt: pm.code_encrypt.unwrap_or(false),
        }
    }
}

struct Waiter {
    mac: Option<MacAddr>,
    tx: oneshot::Sender<Reply>,
    /// A MAC that answered this command instead of the target's (a wrong MAC, most likely).
    other: Option<MacAddr>,
}

type Pending = Arc<Mutex<HashMap<String, Waiter>>>;

struct Inner {
    ep: Endpoint,
    pending: Pending,
    sessions: Mutex<HashMap<MacAddr, Arc<tokio::sync::Mutex<()>>>>,
    keypair: OnceCell<Arc<ExchangeKeyPair>>,
    options: ClientOptions,
    task: JoinHandle<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A SADP command client. Cheap to clone; clones share the socket and the RSA key pair.
#[derive(Clone)]
pub struct SadpClient {
    inner: Arc<Inner>,
    timeout: Duration,
    /// Set on the handles made by [`SadpClient::allow_plaintext_secrets`].
    plaintext_secrets: bool,
}

impl std::fmt::Debug for SadpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SadpClient")
            .field("local", &self.inner.ep.local_addr().ok())
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

/// Removes a waiter when its command ends, however it ends.
struct WaitGuard<'a> {
    pending: &'a Pending,
    uuid: String,
}

impl Drop for WaitGuard<'_> {
    fn drop(&mut self) {
        if let Ok(mut p) = self.pending.lock() {
            p.remove(&self.uuid);
        }
    }
}

impl SadpClient {
    /// Opens the socket and starts the receive task (inside a tokio runtime).
    pub async fn new(options: ClientOptions) -> Result<Self> {
        if options.timeout.is_zero() || options.resend_interval.is_zero() {
            return Err(Error::invalid("SADP client timeouts must be positive"));
        }
        let ep = Endpoint::open(options.bind, options.listen_group)?;
        let pending: Pending = Arc::default();
        let task = tokio::spawn(receive_loop(ep.clone(), Arc::clone(&pending)));
        Ok(Self {
            timeout: options.timeout,
            plaintext_secrets: false,
            inner: Arc::new(Inner {
                ep,
                pending,
                sessions: Mutex::default(),
                keypair: OnceCell::new(),
                options,
                task,
            }),
        })
    }

    /// The local address of the client's socket.
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.inner.ep.local_addr()
    }

    /// A handle on the same socket whose exchanges use another deadline (per-command deadlines:
    /// `client.with_timeout(Duration::from_secs(2)).blink(&t, true)`).
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            timeout: if timeout.is_zero() {
                self.timeout
            } else {
                timeout
            },
            plaintext_secrets: self.plaintext_secrets,
        }
    }

    /// A handle on the same socket whose commands may send a secret **in clear** where SADP
    /// 3.0 has no protection for it: a reset code to a device that does not advertise
    /// `codeEncrypt`, the legacy security code, and the GUID of a GUID reset.
    ///
    /// Without this such a command is refused before anything is sent. Passwords, answers,
    /// e-mail addresses and verification codes are always sealed with the `exchangecode`
    /// session key and need no opt-in. Use it per command, on a trusted LAN only:
    /// `client.allow_plaintext_secrets().reset_by_guid(…)`. Every plain-text send is logged
    /// as a warning.
    pub fn allow_plaintext_secrets(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            timeout: self.timeout,
            plaintext_secrets: true,
        }
    }

    /// True for a handle made by [`SadpClient::allow_plaintext_secrets`].
    pub fn plaintext_secrets_allowed(&self) -> bool {
        self.plaintext_secrets
    }

    /// Admits a secret that SADP would carry in clear: refused (before anything is sent) unless
    /// this handle opted in; `what` names the secret and `instead` the protected way out.
    pub(crate) fn clear_secret(&self, what: &str, instead: &str) -> Result<()> {
        if self.plaintext_secrets {
            tracing::warn!("SADP: sending {what} in clear (allow_plaintext_secrets)");
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "refusing to send {what} in clear over SADP: {instead}, or opt in to plain text \
                 for this command on a trusted LAN (allow_plaintext_secrets)"
            )))
        }
    }

    /// The deadline of one exchange for this handle.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The options in force.
    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    /// Sends a probe to a target and waits for the reply with the same UUID (and, when the reply
    /// names one, the target's MAC). The reply is returned as is: check it with [`Reply::check`].
    pub async fn request(&self, target: &DeviceTarget, probe: &Probe) -> Result<Reply> {
        self.exchange(target, probe, resendable(probe.types()))
            .await
    }

    pub(crate) async fn exchange(
        &self,
        target: &DeviceTarget,
        probe: &Probe,
        resend: bool,
    ) -> Result<Reply> {
        let o = &self.inner.options;
        let (tx, mut rx) = oneshot::channel();
        {
            let mut p = self
                .inner
                .pending
                .lock()
                .map_err(|_| Error::invalid("SADP client state poisoned"))?;
            if p.len() >= o.max_pending {
                return Err(Error::invalid("too many SADP commands in flight"));
            }
            p.insert(
                probe.uuid().to_owned(),
                Waiter {
                    mac: probe.mac(),
                    tx,
                    other: None,
                },
            );
        }
        let _guard = WaitGuard {
            pending: &self.inner.pending,
            uuid: probe.uuid().to_owned(),
        };
        let bytes = probe.encode();
        let send = || async {
            self.inner.ep.send_to(&bytes, target.addr).await?;
            if let Some(g) = o.also_send_to_group {
                self.inner.ep.send_to(&bytes, SocketAddr::V4(g)).await?;
            }
            Ok::<(), Error>(())
        };
        send().await?;
        let deadline = after(self.timeout);
        let mut next = after(o.resend_interval);
        loop {
            tokio::select! {
                r = &mut rx => {
                    return r.map_err(|_| Error::invalid("the SADP client stopped"));
                }
                () = sleep_until(next), if resend => {
                    send().await?;
                    next = after(o.resend_interval);
                }
                () = sleep_until(deadline) => {
                    let other = self
                        .inner
                        .pending
                        .lock()
                        .ok()
                        .and_then(|p| p.get(probe.uuid()).and_then(|w| w.other));
                    let hint = match other {
                        Some(m) => format!(" (the device there answered as {m}: is the MAC right?)"),
                        None => " (no device with that MAC answered: check the MAC against a \
                                 discovery)"
                            .to_owned(),
                    };
                    return Err(Error::Timeout {
                        operation: format!(
                            "SADP {} to {} at {}{hint}",
                            probe.types(),
                            target.mac,
                            target.addr
                        ),
                        after: self.timeout,
                    });
                }
            }
        }
    }

    /// The client's RSA key pair, generated on first use.
    pub(crate) async fn keypair(&self) -> Result<Arc<ExchangeKeyPair>> {
        self.inner
            .keypair
            .get_or_try_init(|| async {
                tokio::task::spawn_blocking(ExchangeKeyPair::generate)
                    .await
                    .map_err(|e| Error::invalid(format!("RSA key generation task failed: {e}")))?
                    .map(Arc::new)
            })
            .await
            .cloned()
    }

    /// Holds the per-device session lock while `f` runs (an exchange and the command it protects).
    pub(crate) async fn with_session<T>(
        &self,
        mac: MacAddr,
        f: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let lock = {
            let mut s = self
                .inner
                .sessions
                .lock()
                .map_err(|_| Error::invalid("SADP client state poisoned"))?;
            Arc::clone(s.entry(mac).or_default())
        };
        let out = {
            let _held = lock.lock().await;
            f.await
        };
        if let Ok(mut s) = self.inner.sessions.lock() {
            // the map's entry and our clone: nobody else waits, forget the device
            if Arc::strong_count(&lock) == 2 {
                s.remove(&mac);
            }
        }
        out
    }

    /// Runs `exchangecode` with a device and returns the session key for its next command.
    ///
    /// Prefer the typed commands: they hold the device's session lock across the exchange and
    /// the command. Use this directly only for one command at a time per device.
    pub async fn exchange_code(&self, target: &DeviceTarget) -> Result<SessionKey> {
        let kp = self.keypair().await?;
        let probe = Probe::exchange_code(target.mac, &kp.public_key_base64()?);
        let reply = self
            .exchange(target, &probe, false)
            .await?
            .check(&target.user)?;
        let code = reply.required("Code")?;
        kp.open_exchange_code(code)
    }
}

/// Requests that are safe to repeat while waiting.
fn resendable(t: &ProbeType) -> bool {
    matches!(
        t,
        ProbeType::Inquiry
            | ProbeType::InquiryV32
            | ProbeType::GetSecurityQuestion
            | ProbeType::GetPasswordResetType
            | ProbeType::GetUnbindStatus
            | ProbeType::Lamp
    )
}

async fn receive_loop(ep: Endpoint, pending: Pending) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        let (n, from, _) = match ep.recv(&mut buf).await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(error = %e, "SADP client receive loop stopped");
                return;
            }
        };
        let reply = match decode(&buf[..n]) {
            Ok(Message::Reply(r)) => r,
            Ok(_) => continue,
            Err(e) => {
                tracing::debug!(%from, error = %e, "SADP: ignoring an undecodable datagram");
                continue;
            }
        };
        let Ok(mut p) = pending.lock() else { return };
        let matches = p
            .get(&reply.uuid)
            .is_some_and(|w| match (w.mac, reply.mac) {
                (Some(want), Some(got)) => want == got,
                _ => true,
            });
        if matches {
            if let Some(w) = p.remove(&reply.uuid) {
                let _ = w.tx.send(reply);
            }
        } else if let Some(w) = p.get_mut(&reply.uuid) {
            tracing::debug!(%from, "SADP: reply MAC does not match the target; ignored");
            w.other = reply.mac;
        }
    }
}
