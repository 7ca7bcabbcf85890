//! A simulated Hik-Connect (EZVIZ) platform, shared by every device of a site.
//!
//! Model (the installers' "Error 2020" guide, isapi.md §5; the exact cloud behaviour is not
//! public, so the rules below are the simulator's documented reading of it):
//!
//! * A device **registers** (`registerStatus=true`) when platform access is enabled, a valid
//!   verification code (6–12 letters/digits) is set, the platform is reachable, the server
//!   address resolves (host names need a usable DNS server on the device and a platform domain;
//!   see [`Platform::block_host`] and [`Platform::break_dns`]) and, if the device is bound to an
//!   account, the platform's copy of the verification code still matches the device's.
//! * **Binding** ([`Platform::bind`]) adds an online device to one account with its current
//!   verification code. The platform keeps that copy: when the code is changed on the device
//!   afterwards, the device stops registering (`offlineStatus=secretKeyInvalid`) and the app
//!   sees a verification-code mismatch ([`PlatformError::VerificationCodeMismatch`], the
//!   guide's "Error 2020") until the account removes the device and adds it again with the new
//!   code ([`Platform::unbind`] then [`Platform::bind`]), or the device unbinds itself
//!   (`PUT /ISAPI/System/Network/EZVIZ/unbind`).
//! * Binding a device that another account holds fails with [`PlatformError::AddedByOther`].

use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use hikproto::Secret;

use crate::state::{DeviceRuntime, DeviceShared};

/// Domains the simulated DNS resolves for the platform.
const PLATFORM_DOMAINS: &[&str] = &[
    "hik-connect.com",
    "hikvision.com",
    "ezvizlife.com",
    "ezviz7.com",
    "ys7.com",
];

/// The site's simulated Hik-Connect platform. Cheap to clone; clones share state.
#[derive(Debug, Clone, Default)]
pub struct Platform {
    inner: Arc<PlatformInner>,
}

#[derive(Debug, Default)]
struct PlatformInner {
    state: Mutex<PlatformState>,
    devices: Mutex<HashMap<String, Weak<DeviceShared>>>,
}

#[derive(Debug)]
pub(crate) struct PlatformState {
    bindings: HashMap<String, Binding>,
    reachable: bool,
    blocked_hosts: HashSet<String>,
    broken_dns: HashSet<String>,
}

impl Default for PlatformState {
    fn default() -> Self {
        Self {
            bindings: HashMap::new(),
            reachable: true,
            blocked_hosts: HashSet::new(),
            broken_dns: HashSet::new(),
        }
    }
}

#[derive(Debug, Clone)]
struct Binding {
    account: String,
    code: Secret,
}

/// What the platform holds about one device (see [`Platform::record`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlatformRecord {
    /// The device's full serial number.
    pub serial: String,
    /// The account the device is bound to.
    pub account: Option<String>,
    /// The verification code the platform holds for it (set at binding time).
    pub code: Option<Secret>,
    /// The device is registered (online).
    pub registered: bool,
    /// Why it is not registered (`offlineStatus`), when it is not.
    pub offline_reason: Option<String>,
}

/// Why a platform-side operation failed. Codes follow the EZVIZ open-platform table where one
/// exists ([`PlatformError::code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlatformError {
    /// No device with that serial exists on this site.
    #[error("no device with serial {0}")]
    UnknownDevice(String),
    /// The device is not registered with the platform (offline).
    #[error("the device is offline")]
    DeviceOffline,
    /// The verification code given does not match the device's.
    #[error("wrong device verification code")]
    WrongVerificationCode,
    /// The device is already bound to this account.
    #[error("the device is already added to this account")]
    AddedByYou,
    /// The device is bound to another account.
    #[error("the device is added to another account")]
    AddedByOther,
    /// The device is not bound to any account (or not to this one).
    #[error("the device is not bound to this account")]
    NotBound,
    /// The platform's copy of the verification code differs from the device's (the installers'
    /// "Error 2020").
    #[error("the verification code held by the platform no longer matches the device")]
    VerificationCodeMismatch,
}

impl PlatformError {
    /// The numeric code an app would show, when there is a documented one.
    pub fn code(&self) -> Option<u32> {
        match self {
            Self::DeviceOffline => Some(102_003),
            Self::AddedByYou => Some(105_000),
            Self::AddedByOther => Some(105_001),
            Self::WrongVerificationCode => Some(105_002),
            Self::VerificationCodeMismatch => Some(2020),
            Self::UnknownDevice(_) | Self::NotBound => None,
        }
    }
}

/// The registration verdict for one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Registration {
    pub(crate) registered: bool,
    pub(crate) offline_reason: Option<&'static str>,
    pub(crate) bound: bool,
}

/// True for a 6–12 character letters-and-digits verification code.
pub(crate) fn valid_code(code: &str) -> bool {
    (6..=12).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn usable_ip(s: &str) -> bool {
    s.trim()
        .parse::<Ipv4Addr>()
        .is_ok_and(|ip| !ip.is_unspecified() && !ip.is_broadcast() && !ip.is_multicast())
}

impl PlatformState {
    /// Decides whether the device is registered now.
    pub(crate) fn registration(&self, rt: &DeviceRuntime) -> Registration {
        let serial = &rt.cfg.serial;
        let binding = self.bindings.get(serial);
        let not = |reason: Option<&'static str>| Registration {
            registered: false,
            offline_reason: reason,
            bound: binding.is_some(),
        };
        let ez = &rt.cfg.ezviz;
        if !ez.enabled {
            return not(None);
        }
        let Some(code) = rt
            .cfg
            .verification_code
            .as_ref()
            .filter(|c| valid_code(c.expose()))
        else {
            return not(Some("noVerificationCode"));
        };
        if !self.reachable {
            return not(Some("serverUnreachable"));
        }
        if ez.addressing.eq_ignore_ascii_case("ipaddress") {
            if !usable_ip(&ez.server_ip) {
                return not(Some("serverUnreachable"));
            }
        } else {
            let net = &rt.cfg.network;
            let dns_ok = net.addressing.eq_ignore_ascii_case("dynamic")
                || [&net.dns1, &net.dns2]
                    .iter()
                    .any(|d| usable_ip(d) && !self.broken_dns.contains(d.trim()));
            let host = ez.server_host.trim().to_ascii_lowercase();
            let known = PLATFORM_DOMAINS
                .iter()
                .any(|d| host == *d || host.ends_with(&format!(".{d}")));
            if !dns_ok || !known || self.blocked_hosts.contains(&host) {
                return not(Some("dnsResolveFailed"));
            }
        }
        if let Some(b) = binding {
            if b.code != *code {
                return not(Some("secretKeyInvalid"));
            }
        }
        if rt.ezviz_changed_at.elapsed() < Duration::from_millis(ez.register_delay_ms) {
            return not(Some("registering"));
        }
        Registration {
            registered: true,
            offline_reason: None,
            bound: binding.is_some(),
        }
    }

    /// The account and code of a device's binding.
    pub(crate) fn binding_of(&self, serial: &str) -> Option<(String, Secret)> {
        self.bindings
            .get(serial)
            .map(|b| (b.account.clone(), b.code.clone()))
    }

    pub(crate) fn unbind(&mut self, serial: &str) -> bool {
        self.bindings.remove(serial).is_some()
    }
}

impl Platform {
    /// A new, empty platform (reachable, nothing bound).
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, PlatformState> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn register_device(&self, serial: &str, dev: &Arc<DeviceShared>) {
        self.inner
            .devices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(serial.to_owned(), Arc::downgrade(dev));
    }

    /// Binds at start-up (configuration `ezviz.bound_account`), with the device's current code.
    pub(crate) fn preload(&self, serial: &str, account: &str, code: Secret) {
        self.state().bindings.insert(
            serial.to_owned(),
            Binding {
                account: account.to_owned(),
                code,
            },
        );
    }

    /// Finds a device by full serial or by its 9-character short serial.
    fn find(&self, serial: &str) -> Result<(String, Arc<DeviceShared>), PlatformError> {
        let devices = self.inner.devices.lock().unwrap_or_else(|p| p.into_inner());
        devices
            .iter()
            .find(|(full, _)| {
                full.as_str() == serial
                    || (serial.len() == 9 && full.len() >= 9 && full.ends_with(serial))
            })
            .and_then(|(full, w)| w.upgrade().map(|d| (full.clone(), d)))
            .ok_or_else(|| PlatformError::UnknownDevice(serial.to_owned()))
    }

    /// An account adds the device (by full or short serial) with a verification code.
    pub fn bind(&self, serial: &str, account: &str, code: &str) -> Result<(), PlatformError> {
        let (full, dev) = self.find(serial)?;
        let rt = dev.lock();
        let mut st = self.state();
        if let Some(b) = st.bindings.get(&full) {
            return Err(if b.account == account {
                PlatformError::AddedByYou
            } else {
                PlatformError::AddedByOther
            });
        }
        if !st.registration(&rt).registered {
            return Err(PlatformError::DeviceOffline);
        }
        let device_code = rt.cfg.verification_code.clone().unwrap_or_default();
        if device_code.expose() != code {
            return Err(PlatformError::WrongVerificationCode);
        }
        st.bindings.insert(
            full,
            Binding {
                account: account.to_owned(),
                code: device_code,
            },
        );
        Ok(())
    }

    /// The account removes the device (the platform forgets the code it held).
    pub fn unbind(&self, serial: &str) -> Result<(), PlatformError> {
        let (full, _dev) = self.find(serial)?;
        if self.state().unbind(&full) {
            Ok(())
        } else {
            Err(PlatformError::NotBound)
        }
    }

    /// What the app sees when `account` opens the device: bound to it, online, and the
    /// platform's copy of the verification code still matching the device's.
    pub fn app_open(&self, serial: &str, account: &str) -> Result<(), PlatformError> {
        let (full, dev) = self.find(serial)?;
        let rt = dev.lock();
        let st = self.state();
        let b = st.bindings.get(&full).ok_or(PlatformError::NotBound)?;
        if b.account != account {
            return Err(PlatformError::NotBound);
        }
        if rt.cfg.verification_code.as_ref() != Some(&b.code) {
            return Err(PlatformError::VerificationCodeMismatch);
        }
        if !st.registration(&rt).registered {
            return Err(PlatformError::DeviceOffline);
        }
        Ok(())
    }

    /// What the platform holds about a device.
    pub fn record(&self, serial: &str) -> Option<PlatformRecord> {
        let (full, dev) = self.find(serial).ok()?;
        let rt = dev.lock();
        let st = self.state();
        let reg = st.registration(&rt);
        let b = st.bindings.get(&full);
        Some(PlatformRecord {
            serial: full.clone(),
            account: b.map(|b| b.account.clone()),
            code: b.map(|b| b.code.clone()),
            registered: reg.registered,
            offline_reason: reg.offline_reason.map(str::to_owned),
        })
    }

    /// Makes the whole platform reachable or not (a cloud outage or a blocked uplink).
    pub fn set_reachable(&self, reachable: bool) {
        self.state().reachable = reachable;
    }

    /// Makes a server host name fail to resolve.
    pub fn block_host(&self, host: &str) {
        self.state()
            .blocked_hosts
            .insert(host.trim().to_ascii_lowercase());
    }

    /// Undoes [`Platform::block_host`].
    pub fn unblock_host(&self, host: &str) {
        self.state()
            .blocked_hosts
            .remove(&host.trim().to_ascii_lowercase());
    }

    /// Makes a DNS server address (as configured on devices) stop answering.
    pub fn break_dns(&self, dns_ip: &str) {
        self.state().broken_dns.insert(dns_ip.trim().to_owned());
    }

    /// Undoes [`Platform::break_dns`].
    pub fn fix_dns(&self, dns_ip: &str) {
        self.state().broken_dns.remove(dns_ip.trim());
    }
}
