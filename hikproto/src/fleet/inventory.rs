//! What a fleet is made of: one flat [`Inventory`] row per device (model, firmware, platform
//! access, DNS, NTP, clock, users), read with one login, for tables, CSV and JSON.
//!
//! ```no_run
//! # async fn run(dev: hikproto::Device) {
//! let row = hikproto::fleet::inventory::inventory(&dev).await;
//! println!("{} {:?} {:?}", row.access, row.model, row.firmware);
//! # }
//! ```

use serde::Serialize;

use crate::client::Device;
use crate::doctor::clock;
use crate::doctor::gather::MAIN_INTERFACE;
use crate::error::Error;
use crate::isapi::ezviz::BindStatus;
use crate::isapi::time::TimeMode;

/// How the device answered the login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Logged in.
    Ok,
    /// The credentials were rejected (not retried).
    Rejected,
    /// The device (or the lock-out guard) refused while locked.
    Locked,
    /// No answer: connection, TLS or deadline.
    Unreachable,
    /// Another error (see [`Inventory::error`]).
    Error,
}

impl Access {
    /// Classifies an error.
    pub fn of(e: &Error) -> Self {
        match e {
            Error::CredentialsRejected { .. } | Error::CredentialLatched { .. } => Self::Rejected,
            Error::Locked { .. } => Self::Locked,
            Error::Transport { .. } | Error::Timeout { .. } | Error::Tls { .. } => {
                Self::Unreachable
            }
            _ => Self::Error,
        }
    }

    /// The lower-case name (`ok`, `rejected`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Rejected => "rejected",
            Self::Locked => "locked",
            Self::Unreachable => "unreachable",
            Self::Error => "error",
        }
    }
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One device's inventory row. Unknown values (not supported, not readable) are `None`; the
/// verification code is reported as set or not, never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inventory {
    /// `host:port`.
    pub address: String,
    /// The login's outcome.
    pub access: Access,
    /// Why the login or the first read failed.
    pub error: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Serial number.
    pub serial: Option<String>,
    /// Firmware version.
    pub firmware: Option<String>,
    /// Device type (`IPCamera`, `NVR`, …).
    pub device_type: Option<String>,
    /// Activated (an admin password is set).
    pub activated: Option<bool>,
    /// Hik-Connect access enabled.
    pub hik_connect_enabled: Option<bool>,
    /// Registered with the Hik-Connect platform.
    pub hik_connect_registered: Option<bool>,
    /// Bound to a Hik-Connect account.
    pub hik_connect_bound: Option<bool>,
    /// A verification code is set (its value is never read out).
    pub code_set: Option<bool>,
    /// ISUP (Ehome) enabled.
    pub isup_enabled: Option<bool>,
    /// Primary DNS server.
    pub dns1: Option<String>,
    /// Secondary DNS server.
    pub dns2: Option<String>,
    /// Time mode (`NTP`, `manual`).
    pub time_mode: Option<String>,
    /// First NTP server, when the time comes from NTP.
    pub ntp_server: Option<String>,
    /// Device clock minus this computer's clock, in seconds.
    pub clock_offset_secs: Option<i64>,
    /// Number of user accounts.
    pub users: Option<usize>,
}

impl Inventory {
    /// Column names, in [`Inventory::csv_row`] order.
    pub const COLUMNS: &'static [&'static str] = &[
        "address",
        "access",
        "model",
        "serial",
        "firmware",
        "device_type",
        "activated",
        "hik_connect_enabled",
        "hik_connect_registered",
        "hik_connect_bound",
        "code_set",
        "isup_enabled",
        "dns1",
        "dns2",
        "time_mode",
        "ntp_server",
        "clock_offset_secs",
        "users",
        "error",
    ];

    fn empty(address: String) -> Self {
        Self {
            address,
            access: Access::Ok,
            error: None,
            model: None,
            serial: None,
            firmware: None,
            device_type: None,
            activated: None,
            hik_connect_enabled: None,
            hik_connect_registered: None,
            hik_connect_bound: None,
            code_set: None,
            isup_enabled: None,
            dns1: None,
            dns2: None,
            time_mode: None,
            ntp_server: None,
            clock_offset_secs: None,
            users: None,
        }
    }

    /// The values as text (empty when unknown), in [`Inventory::COLUMNS`] order.
    pub fn csv_row(&self) -> Vec<String> {
        fn o<T: ToString>(v: &Option<T>) -> String {
            v.as_ref().map(ToString::to_string).unwrap_or_default()
        }
        vec![
            self.address.clone(),
            self.access.to_string(),
            o(&self.model),
            o(&self.serial),
            o(&self.firmware),
            o(&self.device_type),
            o(&self.activated),
            o(&self.hik_connect_enabled),
            o(&self.hik_connect_registered),
            o(&self.hik_connect_bound),
            o(&self.code_set),
            o(&self.isup_enabled),
            o(&self.dns1),
            o(&self.dns2),
            o(&self.time_mode),
            o(&self.ntp_server),
            o(&self.clock_offset_secs),
            o(&self.users),
            o(&self.error),
        ]
    }
}

/// Reads one device's inventory. Never fails: a refused login or an unreachable device is
/// reported in [`Inventory::access`]; a value the device does not give stays `None`. One login
/// at most (a rejected password is not sent again).
pub async fn inventory(dev: &Device) -> Inventory {
    let mut inv = Inventory::empty(dev.host().to_owned());
    inv.activated = dev.activation_status().await.ok().map(|s| s.activated);
    let info = match dev.device_info().await {
        Ok(i) => i,
        Err(e) => {
            inv.access = if matches!(e, Error::NotActivated) {
                inv.activated = Some(false);
                Access::Error
            } else {
                Access::of(&e)
            };
            inv.error = Some(e.to_string());
            return inv;
        }
    };
    inv.activated = inv.activated.or(Some(true));
    inv.model = info.model;
    inv.serial = info.serial_number;
    inv.firmware = info.firmware_version;
    inv.device_type = info.device_type;
    if let Ok(e) = dev.ezviz().await {
        inv.hik_connect_enabled = e.enabled;
        inv.hik_connect_registered = e.register_status;
        inv.hik_connect_bound = match e.bind_status {
            Some(BindStatus::Bound) => Some(true),
            Some(BindStatus::Unbound) => Some(false),
            _ => None,
        };
        inv.code_set = Some(e.verification_code.is_some());
    }
    inv.isup_enabled = dev.ehome(None).await.ok().and_then(|e| e.enabled);
    if let Ok(ip) = dev.ip_addressing(MAIN_INTERFACE).await {
        let (dns1, dns2) = ip.dns_ipv4();
        inv.dns1 = dns1;
        inv.dns2 = dns2.filter(|s| !s.is_empty());
    }
    if let Ok(t) = dev.time().await {
        let zone = t.time_zone.as_deref().and_then(clock::zone_offset);
        inv.clock_offset_secs = t
            .local_time
            .as_deref()
            .and_then(|lt| clock::parse_local_time(lt, zone))
            .map(|d| d - clock::now_unix());
        inv.time_mode = t.time_mode.as_ref().map(|m| m.as_str().to_owned());
        if t.time_mode == Some(TimeMode::Ntp) {
            inv.ntp_server = dev
                .ntp_servers()
                .await
                .ok()
                .and_then(|s| s.servers.iter().find_map(|x| x.host().map(str::to_owned)));
        }
    }
    inv.users = dev.users().await.ok().map(|u| u.len());
    inv
}
