//! What the doctor knows about one device: plain data, filled by the gatherer or by a test.
//!
//! Every value that comes from the device is a [`Fact`]: [`Fact::Known`] with the value, or
//! [`Fact::Unknown`] with the reason it could not be read ("not supported by the firmware",
//! "login rejected", "not gathered"). Rules never guess an unknown fact; they stay silent.
//!
//! Inside a known group, single fields are `Option`s: `None` means the device's document did not
//! carry that element (firmware differ in what they send).
//!
//! Secrets (verification codes, the supplied password) are [`Secret`]s and are serialised as
//! `"[redacted]"`.

use serde::{Serialize, Serializer};

use crate::isapi::device_info::DeviceInfo;
use crate::keys::Secret;

/// A value read from the device, or the reason it could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Fact<T> {
    /// The value.
    Known(T),
    /// It could not be read; the reason says why (never a guess of the value).
    Unknown {
        /// Plain-words reason, e.g. `"not supported by the device"`.
        reason: String,
    },
}

impl<T> Default for Fact<T> {
    fn default() -> Self {
        Self::unknown("not gathered")
    }
}

impl<T> Fact<T> {
    /// An unknown fact with its reason.
    pub fn unknown(reason: impl Into<String>) -> Self {
        Self::Unknown {
            reason: reason.into(),
        }
    }

    /// The value, when known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Self::Known(v) => Some(v),
            Self::Unknown { .. } => None,
        }
    }

    /// Mutable access to the value, when known.
    pub fn known_mut(&mut self) -> Option<&mut T> {
        match self {
            Self::Known(v) => Some(v),
            Self::Unknown { .. } => None,
        }
    }

    /// True when the value is known.
    pub fn is_known(&self) -> bool {
        matches!(self, Self::Known(_))
    }

    /// Why the value is unknown, when it is.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Known(_) => None,
            Self::Unknown { reason } => Some(reason),
        }
    }

    /// Maps the known value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fact<U> {
        match self {
            Self::Known(v) => Fact::Known(f(v)),
            Self::Unknown { reason } => Fact::Unknown { reason },
        }
    }

    /// A known fact from `Ok`, an unknown one (reason = the error's message) from `Err`.
    ///
    /// Error messages of hikproto never contain secrets, so they are safe to keep as reasons.
    pub fn from_result(r: crate::Result<T>) -> Self {
        match r {
            Ok(v) => Self::Known(v),
            Err(e) => Self::unknown(e.to_string()),
        }
    }
}

/// Whether the device answered at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum Reachability {
    /// The device answered over HTTP(S).
    Reachable,
    /// Nothing usable came back.
    Unreachable {
        /// What went wrong (connection refused, timeout, TLS failure…), without secrets.
        error: String,
    },
}

/// The result of the (single) login attempt the gatherer makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum LoginState {
    /// The credentials were accepted.
    Accepted,
    /// The credentials were rejected.
    Rejected {
        /// Attempts left before the device locks, when it says (`retryLoginTime`/`retryTimes`).
        attempts_left: Option<u32>,
    },
    /// The account (or the client address) is locked.
    Locked {
        /// Seconds until the lock lifts, when the device says (`unlockTime`/`resLockTime`).
        retry_after_secs: Option<u64>,
    },
    /// No password was supplied, so no login was tried.
    NotTried,
}

/// The login, and what the device said about the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginFacts {
    /// The user name used (never the password).
    pub user: String,
    /// How the login went.
    pub state: LoginState,
    /// `isRiskPassword`: the device considers the password risky (weak).
    pub risky_password: Option<bool>,
    /// `isDefaultPassword`: the password is still the factory default.
    pub default_password: Option<bool>,
}

/// Hik-Connect binding state of the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BindStatus {
    /// Bound to a Hik-Connect account (ISAPI `bind`, SADP `EZVIZBindStatus` 1).
    Bound,
    /// Not bound (ISAPI `unbind`, SADP `EZVIZBindStatus` 2).
    NotBound,
}

impl BindStatus {
    /// Reads the ISAPI (`bind`/`unbind`) or SADP (`1`/`2`) spelling; `0` and anything else is unknown.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bind" | "bound" | "1" | "true" => Some(Self::Bound),
            "unbind" | "notbind" | "unbound" | "2" | "false" => Some(Self::NotBound),
            _ => None,
        }
    }

    /// The ISAPI spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bound => "bind",
            Self::NotBound => "unbind",
        }
    }
}

/// What a SADP reply (seen on the LAN, no login needed) says about the device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SadpView {
    /// `Activated`.
    pub activated: Option<bool>,
    /// `SupportHCPlatform`.
    pub hc_platform_supported: Option<bool>,
    /// `HCPlatformEnable` (`flase` reads as false).
    pub hc_platform_enabled: Option<bool>,
    /// `EZVIZBindStatus`.
    pub bind_status: Option<BindStatus>,
    /// `SoftwareVersion`, e.g. `V5.6.2build 190701`.
    pub software_version: Option<String>,
    /// `DeviceDescription` (the model).
    pub model: Option<String>,
    /// `DeviceSN` (full serial).
    pub serial: Option<String>,
    /// `MAC`.
    pub mac: Option<String>,
    /// `IPv4Address`.
    pub ipv4_address: Option<String>,
    /// `IPv4SubnetMask`.
    pub ipv4_subnet_mask: Option<String>,
    /// `IPv4Gateway`.
    pub ipv4_gateway: Option<String>,
    /// `HttpPort`.
    pub http_port: Option<u16>,
    /// The device reported a lock (a SADP command answered `locked`).
    pub locked: Option<bool>,
    /// `SurplusLockTime`, in minutes.
    pub lock_minutes_left: Option<u32>,
}

/// Hik-Connect (EZVIZ) platform access as `GET /ISAPI/System/Network/EZVIZ` and the
/// capabilities report it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformFacts {
    /// `isSupportEZVIZ` from the network capabilities.
    pub supported: Option<bool>,
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `registerStatus`.
    pub registered: Option<bool>,
    /// `offlineStatus`: why the device is offline (documented value: `secretKeyInvalid`; the full
    /// list is not public, so any text is kept and shown as given).
    pub offline_status: Option<String>,
    /// `bindStatus`.
    pub bind_status: Option<BindStatus>,
    /// `serverAddress/addressingFormatType` (`hostname` or `ipaddress`).
    pub server_addressing: Option<String>,
    /// `serverAddress/hostName` or `serverAddress/ipAddress`, whichever the addressing type names.
    pub server_address: Option<String>,
    /// `verificationCodeType` (`normal`, or `empty` when no code is set).
    pub code_type: Option<String>,
    /// The device's verification code in clear, when the firmware returns it. Many firmware mask
    /// it or return it only encrypted; then this is unknown with the reason.
    #[serde(serialize_with = "redact_fact")]
    pub device_code: Fact<Secret>,
    /// The device's own check of the supplied code (`verificationCodeCheck`), when it offers one.
    pub code_check: Option<bool>,
}

/// The device's own platform parameter test (`EZVIZ/parameterTest`), where offered.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParameterTest {
    /// Overall result, when the answer says.
    pub passed: Option<bool>,
    /// The device's own words.
    pub detail: Option<String>,
}

/// The IPv4 settings of the main network interface (`/ISAPI/System/Network/interfaces/1`).
///
/// Addresses are kept as the device's text so that invalid values can be diagnosed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkFacts {
    /// `addressingType`: `static`, `dynamic` (DHCP) or `apipa`.
    pub addressing: Option<String>,
    /// `ipAddress`.
    pub ipv4_address: Option<String>,
    /// `subnetMask`.
    pub subnet_mask: Option<String>,
    /// `DefaultGateway/ipAddress`.
    pub gateway: Option<String>,
    /// `PrimaryDNS/ipAddress`.
    pub primary_dns: Option<String>,
    /// `SecondaryDNS/ipAddress`.
    pub secondary_dns: Option<String>,
}

/// The device clock and how it is kept.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeFacts {
    /// `timeMode`: `NTP`, `manual` or `platform`.
    pub mode: Option<String>,
    /// The NTP server, when one is configured.
    pub ntp_server: Option<String>,
    /// Device clock minus the doctor's clock, in seconds (both in UTC).
    pub skew_secs: Option<i64>,
    /// An NTP failure the device reported (for example `NTPUnconnect`).
    pub ntp_error: Option<String>,
}

/// The device label's QR code, as the gatherer parsed it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelFacts {
    /// The 9-character serial on the label.
    pub serial: Option<String>,
    /// The verification code on the label.
    #[serde(serialize_with = "redact_opt")]
    pub code: Option<Secret>,
    /// The model on the label.
    pub model: Option<String>,
    /// Set when the text could not be read as a label QR code (the reason).
    pub unreadable: Option<String>,
}

/// What the user supplied, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Supplied {
    /// The verification code stored in the user's app or VMS.
    #[serde(serialize_with = "redact_opt")]
    pub stored_code: Option<Secret>,
    /// The label QR code, when given.
    pub label: Option<LabelFacts>,
    /// Problems of the supplied password under the device password policy (empty: none found;
    /// `None`: no password was supplied or it was not checked).
    pub password_problems: Option<Vec<String>>,
    /// The error code the user's app shows (e.g. `2020`, `105001`, `105002`), when given.
    pub app_error: Option<u32>,
    /// Whether the device appears in the user's own Hik-Connect account, when the user says.
    pub in_own_account: Option<bool>,
}

/// Everything the rules look at, for one device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Facts {
    /// The device as the user named it (host, or host:port).
    pub target: String,
    /// Whether the device answered.
    pub reachability: Fact<Reachability>,
    /// Whether the device is activated (`/SDK/activateStatus`, SADP or `isActivated`).
    pub activated: Fact<bool>,
    /// The login.
    pub login: Fact<LoginFacts>,
    /// The SADP view of the device.
    pub sadp: Fact<SadpView>,
    /// `deviceInfo`.
    pub device: Fact<DeviceInfo>,
    /// Hik-Connect platform access.
    pub platform: Fact<PlatformFacts>,
    /// The device's own platform parameter test.
    pub parameter_test: Fact<ParameterTest>,
    /// Network interface, gateway and DNS.
    pub network: Fact<NetworkFacts>,
    /// Clock and NTP.
    pub time: Fact<TimeFacts>,
    /// What the user supplied.
    pub supplied: Supplied,
}

impl Facts {
    /// Facts for `target` with every device fact still unknown ("not gathered").
    pub fn new(target: impl Into<String>) -> Self {
        Self {
            target: target.into(),
            ..Self::default()
        }
    }

    /// The facts that could not be read, with their reasons, for the report.
    pub fn unknowns(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut add = |name: &'static str, r: Option<&str>| {
            if let Some(r) = r {
                out.push((name, r.to_owned()));
            }
        };
        add("reachability", self.reachability.reason());
        add("activated", self.activated.reason());
        add("login", self.login.reason());
        add("sadp", self.sadp.reason());
        add("deviceInfo", self.device.reason());
        add("platform", self.platform.reason());
        if let Some(p) = self.platform.known() {
            add("platform.verificationCode", p.device_code.reason());
        }
        add("parameterTest", self.parameter_test.reason());
        add("network", self.network.reason());
        add("time", self.time.reason());
        out
    }

    /// Whether platform access is enabled, from ISAPI or else from SADP.
    pub fn platform_enabled(&self) -> Option<bool> {
        self.platform
            .known()
            .and_then(|p| p.enabled)
            .or_else(|| self.sadp.known().and_then(|s| s.hc_platform_enabled))
    }

    /// The binding state, from ISAPI or else from SADP.
    pub fn bind_status(&self) -> Option<BindStatus> {
        self.platform
            .known()
            .and_then(|p| p.bind_status)
            .or_else(|| self.sadp.known().and_then(|s| s.bind_status))
    }

    /// The device's verification code in clear, when it could be read.
    pub fn device_code(&self) -> Option<&Secret> {
        self.platform.known().and_then(|p| p.device_code.known())
    }

    /// The full serial number, from deviceInfo or else from SADP.
    pub fn serial(&self) -> Option<&str> {
        self.device
            .known()
            .and_then(|d| d.serial_number.as_deref())
            .or_else(|| self.sadp.known().and_then(|s| s.serial.as_deref()))
    }

    /// The firmware version text, from deviceInfo (`firmwareVersion` + `firmwareReleasedDate`)
    /// or else from SADP (`SoftwareVersion`).
    pub fn firmware(&self) -> Option<String> {
        if let Some(d) = self.device.known() {
            if let Some(v) = &d.firmware_version {
                return Some(match &d.firmware_released_date {
                    Some(b) => format!("{v} {b}"),
                    None => v.clone(),
                });
            }
        }
        self.sadp.known().and_then(|s| s.software_version.clone())
    }
}

/// The user's inputs to the gatherer: what their app stores, the label, their password.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UserInputs {
    /// The verification code stored in the app or VMS that fails.
    pub stored_code: Option<Secret>,
    /// The text of the device label's QR code.
    pub label_qr: Option<String>,
    /// The password the user logs in with (used for one login, and checked against the policy).
    pub password: Option<Secret>,
    /// The user name (default `admin`).
    pub user: Option<String>,
    /// The error code the app shows, when the user gives it.
    pub app_error: Option<u32>,
    /// Whether the device appears in the user's own Hik-Connect account.
    pub in_own_account: Option<bool>,
}

impl std::fmt::Debug for UserInputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserInputs")
            .field("stored_code", &self.stored_code)
            .field("label_qr", &self.label_qr.as_ref().map(|_| "[given]"))
            .field("password", &self.password)
            .field("user", &self.user)
            .field("app_error", &self.app_error)
            .field("in_own_account", &self.in_own_account)
            .finish()
    }
}

fn redact_opt<S: Serializer>(v: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_str("[redacted]"),
        None => s.serialize_none(),
    }
}

fn redact_fact<S: Serializer>(v: &Fact<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Fact::Known(_) => Fact::Known("[redacted]").serialize(s),
        Fact::Unknown { reason } => Fact::<()>::unknown(reason.clone()).serialize(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_json_and_debug() {
        let mut f = Facts::new("192.0.2.10");
        f.platform = Fact::Known(PlatformFacts {
            device_code: Fact::Known(Secret::new("Qw3rty99")),
            ..PlatformFacts::default()
        });
        f.supplied.stored_code = Some(Secret::new("Zz8877aa"));
        f.supplied.label = Some(LabelFacts {
            code: Some(Secret::new("ABCXYZ")),
            ..LabelFacts::default()
        });
        let json = serde_json::to_string(&f).unwrap();
        let dbg = format!("{f:?}");
        for s in ["Qw3rty99", "Zz8877aa", "ABCXYZ"] {
            assert!(!json.contains(s), "{json}");
            assert!(!dbg.contains(s), "{dbg}");
        }
        assert!(json.contains("[redacted]"));
        let inputs = UserInputs {
            password: Some(Secret::new("Pa55word!x")),
            label_qr: Some("www.hik-connect.com\n123456789\nSECRET\nDS-1".into()),
            ..UserInputs::default()
        };
        let dbg = format!("{inputs:?}");
        assert!(
            !dbg.contains("Pa55word") && !dbg.contains("SECRET"),
            "{dbg}"
        );
    }

    #[test]
    fn unknowns_carry_their_reasons() {
        let mut f = Facts::new("h");
        f.reachability = Fact::Known(Reachability::Reachable);
        f.time = Fact::unknown("not supported by the device");
        let u = f.unknowns();
        assert!(
            u.iter()
                .any(|(n, r)| *n == "time" && r.contains("not supported"))
        );
        assert!(!u.iter().any(|(n, _)| *n == "reachability"));
        assert!(
            u.iter()
                .any(|(n, r)| *n == "network" && r == "not gathered")
        );
    }

    #[test]
    fn bind_status_spellings() {
        assert_eq!(BindStatus::parse("bind"), Some(BindStatus::Bound));
        assert_eq!(BindStatus::parse(" unbind "), Some(BindStatus::NotBound));
        assert_eq!(BindStatus::parse("1"), Some(BindStatus::Bound));
        assert_eq!(BindStatus::parse("2"), Some(BindStatus::NotBound));
        assert_eq!(BindStatus::parse("0"), None);
    }
}
