//! The live state of one simulated device: its configuration (which is also what gets
//! persisted) plus transient protocol state (nonces, lock-outs, sessions, challenges).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use hikproto::Secret;

use crate::config::DeviceConfig;
use crate::crypto;
use crate::faults::FaultSet;
use crate::platform::Platform;
use crate::stats::Stats;

/// Most nonces a device remembers; the oldest is forgotten first (a forgotten nonce is stale).
const MAX_NONCES: usize = 256;
/// Most client addresses with failure counters.
const MAX_CLIENTS: usize = 1024;
/// Most remembered rejected credentials.
const MAX_REJECTED: usize = 256;
/// Most pending (capabilities fetched, not yet logged in) and active sessions.
const MAX_SESSIONS: usize = 128;

/// Everything the server tasks share about one device.
#[derive(Debug)]
pub(crate) struct DeviceShared {
    pub(crate) index: usize,
    rt: Mutex<DeviceRuntime>,
    pub(crate) stats: Stats,
    /// Every request received (line, headers, body), bounded.
    pub(crate) received: crate::reqlog::RequestLog,
    faults: Mutex<FaultSet>,
    pub(crate) platform: Platform,
    dirty: AtomicBool,
    /// The site's state-file writer, when the site has a state file.
    persister: OnceLock<Arc<crate::persist::Persister>>,
    /// The load meters this device counts its requests on.
    pub(crate) meters: Mutex<Vec<crate::meter::LoadMeter>>,
}

impl DeviceShared {
    pub(crate) fn new(index: usize, cfg: DeviceConfig, platform: Platform) -> Self {
        Self {
            index,
            rt: Mutex::new(DeviceRuntime::new(cfg)),
            stats: Stats::default(),
            received: crate::reqlog::RequestLog::default(),
            faults: Mutex::new(FaultSet::default()),
            platform,
            dirty: AtomicBool::new(false),
            persister: OnceLock::new(),
            meters: Mutex::new(Vec::new()),
        }
    }

    /// Locks the runtime state. Never hold it across an `.await`.
    pub(crate) fn lock(&self) -> MutexGuard<'_, DeviceRuntime> {
        self.rt.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn faults(&self) -> FaultSet {
        self.faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn faults_mut(&self) -> MutexGuard<'_, FaultSet> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn mark_dirty(&self) {
        self.dirty.store(true, Ordering::Release);
    }

    pub(crate) fn set_persister(&self, p: Arc<crate::persist::Persister>) {
        let _ = self.persister.set(p);
    }

    /// The state-file writer, when there is a state file.
    pub(crate) fn persister(&self) -> Option<Arc<crate::persist::Persister>> {
        self.persister.get().cloned()
    }

    pub(crate) fn take_dirty(&self) -> bool {
        self.dirty.swap(false, Ordering::AcqRel)
    }

    /// A copy of the current configuration (what would be persisted).
    pub(crate) fn snapshot(&self) -> DeviceConfig {
        let rt = self.lock();
        let mut cfg = rt.cfg.clone();
        let binding = self.platform.state().binding_of(&cfg.serial);
        drop(rt);
        cfg.ezviz.bound_account = binding.as_ref().map(|(a, _)| a.clone());
        cfg.ezviz.bound_code = binding.map(|(_, c)| c);
        cfg
    }
}

/// A nonce the device issued.
#[derive(Debug, Clone)]
pub(crate) struct NonceEntry {
    pub(crate) issued: Instant,
    pub(crate) uses: u32,
    pub(crate) last_nc: u32,
}

/// Failure counter and lock of one client address.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientState {
    pub(crate) failures: u32,
    pub(crate) locked_until: Option<Instant>,
}

/// How a rejected credential is recognised when it comes again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fingerprint {
    /// The password is known: SHA-256 of `user:password`.
    Known([u8; 32]),
    /// An unknown password for `user`, sent from `ip`.
    Unknown(String, IpAddr),
}

/// `GET sessionLogin/capabilities` issued this; `POST sessionLogin` consumes it.
#[derive(Debug, Clone)]
pub(crate) struct PendingSession {
    pub(crate) user: String,
    pub(crate) challenge: String,
    pub(crate) salt: String,
    pub(crate) salt2: Option<String>,
    pub(crate) created: Instant,
}

/// A logged-in web session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) user: String,
    pub(crate) last_seen: Instant,
    pub(crate) long_term: bool,
}

/// Password-recovery state that lives only while the device runs.
#[derive(Debug, Default)]
pub(crate) struct RecoveryRuntime {
    /// The current exported reset string and when it was made (unix seconds).
    pub(crate) export: Option<(String, u64)>,
    /// The e-mail reset QR payload currently valid and when it was made.
    pub(crate) email_qr: Option<(String, SystemTime)>,
    /// The Hik-Connect-app reset QR payload currently valid and when it was made.
    pub(crate) app_qr: Option<(String, SystemTime)>,
    /// Wrong security answers / GUIDs in a row, and when the lock lifts.
    pub(crate) answer_failures: u32,
    pub(crate) guid_failures: u32,
    pub(crate) recovery_locked_until: Option<Instant>,
}

/// The mutable state of one device.
#[derive(Debug)]
pub(crate) struct DeviceRuntime {
    pub(crate) cfg: DeviceConfig,
    pub(crate) realm: String,
    nonces: HashMap<String, NonceEntry>,
    nonce_order: VecDeque<String>,
    pub(crate) clients: HashMap<IpAddr, ClientState>,
    pub(crate) rejected: VecDeque<Fingerprint>,
    /// Passwords this device has had (so a resent old password is recognised).
    pub(crate) password_history: Vec<Secret>,
    /// Extra passwords tests asked the device to recognise.
    pub(crate) probe_passwords: Vec<Secret>,
    pub(crate) pending_sessions: HashMap<String, PendingSession>,
    pub(crate) sessions: HashMap<String, Session>,
    pub(crate) cookie_name: String,
    /// The current activation challenge `R` and when it was issued.
    pub(crate) activation_r: Option<(Secret, Instant)>,
    pub(crate) reboot_until: Option<Instant>,
    pub(crate) ezviz_changed_at: Instant,
    /// The admin password was accepted with a `riskPassword` warning.
    pub(crate) risky_password: bool,
    pub(crate) recovery: RecoveryRuntime,
    /// When the device (last) started, for `deviceUpTime`.
    pub(crate) started: Instant,
}

impl DeviceRuntime {
    pub(crate) fn new(cfg: DeviceConfig) -> Self {
        let tag = crypto::sha256_hex(&cfg.serial).to_ascii_uppercase();
        let realm = if !cfg.personality.realm.is_empty() {
            cfg.personality.realm.clone()
        } else if cfg.personality.nvr_challenge {
            crypto::md5_hex(&cfg.serial)
        } else {
            let code: String = tag
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(5)
                .collect();
            format!("IP Camera({code})")
        };
        let password_history = cfg.users.iter().map(|u| u.password.clone()).collect();
        Self {
            cookie_name: format!("WebSession_{}", &tag[..10]),
            realm,
            nonces: HashMap::new(),
            nonce_order: VecDeque::new(),
            clients: HashMap::new(),
            rejected: VecDeque::new(),
            password_history,
            probe_passwords: Vec::new(),
            pending_sessions: HashMap::new(),
            sessions: HashMap::new(),
            activation_r: None,
            reboot_until: None,
            ezviz_changed_at: Instant::now(),
            risky_password: false,
            recovery: RecoveryRuntime::default(),
            started: Instant::now(),
            cfg,
        }
    }

    /// The XML namespace and version this device writes.
    pub(crate) fn ns(&self) -> Option<(&'static str, &'static str)> {
        self.cfg.personality.namespace.uri()
    }

    /// Issues a new Digest nonce.
    pub(crate) fn issue_nonce(&mut self) -> String {
        let nonce = if self.cfg.personality.nvr_challenge {
            let secs = SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            format!("{}:{secs}", crypto::rand_hex(16))
        } else {
            crypto::rand_hex(16)
        };
        if self.nonce_order.len() >= MAX_NONCES {
            if let Some(old) = self.nonce_order.pop_front() {
                self.nonces.remove(&old);
            }
        }
        self.nonce_order.push_back(nonce.clone());
        self.nonces.insert(
            nonce.clone(),
            NonceEntry {
                issued: Instant::now(),
                uses: 0,
                last_nc: 0,
            },
        );
        nonce
    }

    pub(crate) fn nonce_mut(&mut self, nonce: &str) -> Option<&mut NonceEntry> {
        self.nonces.get_mut(nonce)
    }

    /// The password of an enabled user.
    pub(crate) fn password_of(&self, user: &str) -> Option<&Secret> {
        self.cfg
            .users
            .iter()
            .find(|u| u.name == user && u.enabled)
            .map(|u| &u.password)
    }

    /// The salt of a user, or a stable per-device salt for unknown names (so the answer does
    /// not reveal whether a user exists).
    pub(crate) fn salt_of(&self, user: &str) -> String {
        self.cfg
            .users
            .iter()
            .find(|u| u.name == user)
            .map(|u| u.salt.clone())
            .unwrap_or_else(|| {
                crypto::sha256_hex(format!("{}{user}", self.cfg.serial)).to_ascii_uppercase()
            })
    }

    /// Passwords to try when recognising a rejected credential.
    pub(crate) fn candidate_passwords(&self) -> Vec<Secret> {
        let mut v: Vec<Secret> = self.cfg.users.iter().map(|u| u.password.clone()).collect();
        v.extend(self.password_history.iter().cloned());
        v.extend(self.probe_passwords.iter().cloned());
        v
    }

    pub(crate) fn remember_password(&mut self, pw: &Secret) {
        if !self.password_history.contains(pw) {
            if self.password_history.len() >= 32 {
                self.password_history.remove(0);
            }
            self.password_history.push(pw.clone());
        }
    }

    pub(crate) fn client(&mut self, ip: IpAddr) -> &mut ClientState {
        if self.clients.len() >= MAX_CLIENTS && !self.clients.contains_key(&ip) {
            let now = Instant::now();
            self.clients
                .retain(|_, c| c.locked_until.is_some_and(|t| t > now));
        }
        self.clients.entry(ip).or_default()
    }

    /// Remaining lock time of `ip`, clearing an expired lock.
    pub(crate) fn lock_remaining(&mut self, ip: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let c = self.clients.get_mut(&ip)?;
        match c.locked_until {
            Some(t) if t > now => Some(t - now),
            Some(_) => {
                c.locked_until = None;
                c.failures = 0;
                None
            }
            None => None,
        }
    }

    pub(crate) fn remember_rejected(&mut self, fp: Fingerprint) -> bool {
        if self.rejected.contains(&fp) {
            return true;
        }
        if self.rejected.len() >= MAX_REJECTED {
            self.rejected.pop_front();
        }
        self.rejected.push_back(fp);
        false
    }

    pub(crate) fn add_pending_session(&mut self, id: String, p: PendingSession) {
        if self.pending_sessions.len() >= MAX_SESSIONS {
            if let Some(oldest) = self
                .pending_sessions
                .iter()
                .min_by_key(|(_, s)| s.created)
                .map(|(k, _)| k.clone())
            {
                self.pending_sessions.remove(&oldest);
            }
        }
        self.pending_sessions.insert(id, p);
    }

    pub(crate) fn add_session(&mut self, cookie: String, s: Session) {
        if self.sessions.len() >= MAX_SESSIONS {
            if let Some(oldest) = self
                .sessions
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(k, _)| k.clone())
            {
                self.sessions.remove(&oldest);
            }
        }
        self.sessions.insert(cookie, s);
    }

    /// Forgets everything tied to credentials (after a password change, reset or reboot).
    pub(crate) fn drop_logins(&mut self) {
        self.nonces.clear();
        self.nonce_order.clear();
        self.sessions.clear();
        self.pending_sessions.clear();
    }

    /// Gives the administrator (user id 1) a new password after a reset: remembered, flagged
    /// `risky` or not, and every login, lock-out and recovery counter tied to the old one dropped.
    pub(crate) fn replace_admin_password(&mut self, pw: &Secret, risky: bool) {
        self.remember_password(pw);
        if let Some(admin) = self.cfg.users.iter_mut().find(|u| u.id == 1) {
            admin.password = pw.clone();
        }
        self.risky_password = risky;
        self.drop_logins();
        self.clients.clear();
        self.recovery.answer_failures = 0;
        self.recovery.guid_failures = 0;
    }

    /// Makes a new exported reset string (SADP reset mode 2); earlier ones stop being answerable.
    pub(crate) fn export_reset_string(&mut self) -> Result<String, crate::support::SupportError> {
        if !self.cfg.reset_methods.export_file || !self.cfg.activated {
            return Err(crate::support::SupportError::NotSupported);
        }
        let now = crate::handlers::unix_now();
        let s = crate::support::export_string(&self.cfg.serial, now, &crypto::rand_hex(8));
        self.recovery.export = Some((s.clone(), now));
        Ok(s)
    }

    /// Checks support's reply against the latest export and sets the new admin password.
    pub(crate) fn apply_reset_reply(
        &mut self,
        reply: &str,
        new_password: &str,
    ) -> Result<(), crate::support::SupportError> {
        use crate::support::{EXPORT_VALIDITY_SECS, SupportError, verify_reply};
        let (export, at) = self.recovery.export.clone().ok_or(SupportError::NoExport)?;
        verify_reply(reply, &self.cfg.serial, &export)?;
        if crate::handlers::unix_now().saturating_sub(at) > EXPORT_VALIDITY_SECS {
            return Err(SupportError::Expired);
        }
        let risky = crate::handlers::check_policy("admin", new_password)
            .map_err(|(_, sub)| SupportError::Password(sub.to_owned()))?;
        if risky && self.cfg.personality.risky_passwords == crate::config::RiskyPasswords::Reject {
            return Err(SupportError::Password("riskPassword".into()));
        }
        self.replace_admin_password(&Secret::new(new_password), risky);
        self.recovery.export = None;
        Ok(())
    }

    /// True while a reboot keeps the device unreachable.
    pub(crate) fn rebooting(&mut self) -> bool {
        match self.reboot_until {
            Some(t) if t > Instant::now() => true,
            Some(_) => {
                self.reboot_until = None;
                false
            }
            None => false,
        }
    }
}
