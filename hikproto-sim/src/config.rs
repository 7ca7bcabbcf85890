//! Site and device configuration: what each simulated device is and how it behaves.
//!
//! Everything has a default, so a TOML file only names what differs:
//!
//! ```toml
//! https = true
//!
//! [[devices]]
//! model = "DS-7608NXI-I2"
//! device_type = "NVR"
//! activated = false
//! personality = { auth = "digest-sha256", namespace = "isapi-v20" }
//!
//! [[devices]]
//! users = [{ name = "admin", password = "Passw0rd!x" }]
//! verification_code = "Abc123xyz"
//! ezviz = { enabled = true }
//! ```
//!
//! The same structures load from JSON ([`SiteConfig::from_json`]) and are what the state file
//! stores. Passwords, verification codes and keys are [`Secret`]s: redacted in `Debug`.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use hikproto::Secret;
use serde::{Deserialize, Serialize};

use crate::error::{Result, SimError};

/// A whole simulated site: devices plus site-wide settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// Address every listener binds to. Only loopback addresses are accepted.
    pub bind: IpAddr,
    /// Also serve HTTPS (a self-signed certificate, see [`SiteConfig::cert_per_device`]).
    pub https: bool,
    /// One certificate per device instead of one for the whole site.
    pub cert_per_device: bool,
    /// Keep device state in this file (atomic writes); a restarted site reloads it.
    pub state_file: Option<PathBuf>,
    /// SADP responders: device `i` answers on UDP `sadp_port + i` (any free port when 0);
    /// `None` = no SADP. With [`SiteConfig::lan`] every device answers on this same port at its
    /// own address.
    pub sadp_port: Option<u16>,
    /// Puts every device on a loopback address of its own, like a LAN (see [`LanAddressing`]);
    /// `None` = every device on `bind`, each with ports of its own.
    pub lan: Option<LanAddressing>,
    /// Idle keep-alive connections (and connections that send no request) are closed after
    /// this many milliseconds, as devices do.
    pub idle_timeout_ms: u64,
    /// The devices.
    pub devices: Vec<DeviceConfig>,
}

/// Default idle time of a keep-alive connection before the device closes it.
pub const DEFAULT_IDLE_TIMEOUT_MS: u64 = 10_000;

/// LAN-like addressing: device `i` listens on `first + i` (in 127.0.0.0/8), every device on the
/// same ports. One listening socket per port serves the whole site and finds the device by the
/// address the connection was made to, so 100,000 devices need 2 TCP sockets (3 with HTTPS).
///
/// ```toml
/// lan = { first = "127.0.1.1", http_port = 80 }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LanAddressing {
    /// Address of device 0; device `i` is `first + i`.
    pub first: Ipv4Addr,
    /// HTTP port of every device: `None` = 80, or 8080 when the process may not bind 80;
    /// 0 = one free port chosen at start.
    pub http_port: Option<u16>,
    /// HTTPS port: `None` = 443, or 8443 when the process may not bind 443; 0 = a free port.
    pub https_port: Option<u16>,
}

impl Default for LanAddressing {
    fn default() -> Self {
        Self {
            first: Ipv4Addr::new(127, 0, 1, 1),
            http_port: None,
            https_port: None,
        }
    }
}

impl LanAddressing {
    /// Device `index`'s address, if it stays inside 127.0.0.0/8 (and off its broadcast address).
    pub fn address(&self, index: usize) -> Option<Ipv4Addr> {
        let ip = u32::from(self.first).checked_add(u32::try_from(index).ok()?)?;
        let ip = Ipv4Addr::from(ip);
        (ip.is_loopback() && ip != Ipv4Addr::new(127, 255, 255, 255)).then_some(ip)
    }

    /// Ephemeral ports (for tests running side by side): every device on the same two free ports.
    pub fn ephemeral(first: Ipv4Addr) -> Self {
        Self {
            first,
            http_port: Some(0),
            https_port: Some(0),
        }
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            https: false,
            cert_per_device: false,
            state_file: None,
            sadp_port: None,
            lan: None,
            idle_timeout_ms: DEFAULT_IDLE_TIMEOUT_MS,
            devices: Vec::new(),
        }
    }
}

impl SiteConfig {
    /// Parses a TOML document. Unknown keys and impossible values are refused with their line.
    pub fn from_toml(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| SimError::Config(e.to_string()))
    }

    /// Parses a JSON document. Unknown keys and impossible values are refused with their line.
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| SimError::Config(e.to_string()))
    }

    /// Reads a `.toml` or `.json` file (chosen by extension; anything else is tried as TOML);
    /// an error names the file and the line.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| SimError::io(format!("reading {}", path.display()), e))?;
        let parsed = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Self::from_json(&text)
        } else {
            Self::from_toml(&text)
        };
        parsed.map_err(|e| match e {
            SimError::Config(m) => SimError::Config(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// `n` activated cameras whose `admin` password is `password`.
    pub fn activated_cameras(n: usize, password: &str) -> Self {
        Self {
            devices: (0..n)
                .map(|i| DeviceConfig::camera(i).with_admin(password))
                .collect(),
            ..Self::default()
        }
    }

    /// Fills in missing serials/MACs/names/salts and checks the configuration.
    pub(crate) fn normalise(&mut self) -> Result<()> {
        if !self.bind.is_loopback() {
            return Err(SimError::Config(format!(
                "bind address {} is not a loopback address",
                self.bind
            )));
        }
        if let Some(lan) = &self.lan {
            if !lan.first.is_loopback() {
                return Err(SimError::Config(format!(
                    "LAN addressing starts at {}, outside 127.0.0.0/8",
                    lan.first
                )));
            }
            if !self.devices.is_empty() && lan.address(self.devices.len() - 1).is_none() {
                return Err(SimError::Config(format!(
                    "{} devices from {} run past 127.255.255.254",
                    self.devices.len(),
                    lan.first
                )));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, d) in self.devices.iter_mut().enumerate() {
            d.normalise(i)?;
            if !seen.insert(d.serial.clone()) {
                return Err(SimError::Config(format!("duplicate serial {}", d.serial)));
            }
        }
        Ok(())
    }
}

/// One simulated device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceConfig {
    /// `deviceName`.
    pub name: String,
    /// `model`, for example `DS-2CD2386G2-IU`.
    pub model: String,
    /// `firmwareVersion`, for example `V5.7.18`.
    pub firmware: String,
    /// `firmwareReleasedDate`, for example `build 240826`.
    pub firmware_build: String,
    /// Full serial number; empty = derived from the model and the device index.
    pub serial: String,
    /// MAC address; empty = derived from the device index.
    pub mac: String,
    /// `deviceType`: `IPCamera`, `NVR`, `DVR`, …
    pub device_type: String,
    /// Activated (has an admin password). An inactive device answers only the activation calls.
    pub activated: bool,
    /// Users; `id` 1 is the administrator. In a site file a user without `id` gets the next
    /// free one and, unless `level` says otherwise, is an `Operator` (the user with id 1 is the
    /// `Administrator`); duplicate ids or names and unknown levels are refused.
    #[serde(deserialize_with = "crate::user_list::deserialize")]
    pub users: Vec<UserConfig>,
    /// The Hik-Connect verification code (6–12 letters and digits), if set.
    #[serde(with = "secret_opt")]
    pub verification_code: Option<Secret>,
    /// Hik-Connect (EZVIZ) platform access.
    pub ezviz: EzvizConfig,
    /// ISUP (Ehome) centres, by `centerID`.
    pub ehome: Vec<EhomeConfig>,
    /// Network interface 1.
    pub network: NetworkConfig,
    /// Time settings.
    pub time: TimeConfig,
    /// Which password-reset methods the device supports.
    pub reset_methods: ResetMethods,
    /// Security questions (ids and answers) when configured.
    pub security_questions: Vec<QuestionConfig>,
    /// The reserved (security) e-mail address, when configured.
    pub reserved_email: Option<String>,
    /// The GUID of the last exported GUID file (hex), when one was exported.
    #[serde(with = "secret_opt")]
    pub guid: Option<Secret>,
    /// Failed-login lock-out.
    pub lockout: LockoutConfig,
    /// Firmware behaviour.
    pub personality: Personality,
    /// ISAPI HTTP port on the bind address; 0 = any free port.
    pub http_port: u16,
    /// ISAPI HTTPS port; 0 = any free port (used only when the site serves HTTPS).
    pub https_port: u16,
    /// How long a reboot keeps the device unreachable, in milliseconds.
    pub reboot_ms: u64,
    /// Recorders: full serials of the site's cameras on this device's IP channels. A password
    /// reset that carries `syncIPCPassword` gives their administrators the new password too.
    pub channel_cameras: Vec<String>,
    /// Documents captured from a real device (`hikproto capture`), served verbatim for their
    /// `GET`s until a write changes them (see [`crate::captured`]).
    #[serde(skip_serializing_if = "crate::captured::Captured::is_empty")]
    pub captured: crate::captured::Captured,
}

impl Default for DeviceConfig {
    /// A factory-state camera without identity: the site derives serial, MAC and name from the
    /// device's index when they are empty.
    fn default() -> Self {
        Self {
            name: String::new(),
            model: "DS-2CD2386G2-IU".into(),
            firmware: "V5.7.18".into(),
            firmware_build: "build 240826".into(),
            serial: String::new(),
            mac: String::new(),
            device_type: "IPCamera".into(),
            activated: false,
            users: Vec::new(),
            verification_code: None,
            ezviz: EzvizConfig::default(),
            ehome: vec![EhomeConfig::default()],
            network: NetworkConfig::default(),
            time: TimeConfig::default(),
            reset_methods: ResetMethods::default(),
            security_questions: Vec::new(),
            reserved_email: None,
            guid: None,
            lockout: LockoutConfig::default(),
            personality: Personality::camera(),
            http_port: 0,
            https_port: 0,
            reboot_ms: 2000,
            channel_cameras: Vec::new(),
            captured: crate::captured::Captured::default(),
        }
    }
}

impl DeviceConfig {
    /// A factory-state (inactive) camera; serial and MAC are derived from `index`.
    pub fn camera(index: usize) -> Self {
        Self::default().indexed(index)
    }

    /// A factory-state NVR (isapi.org namespace, NVR-style digest challenge).
    pub fn nvr(index: usize) -> Self {
        Self {
            model: "DS-7608NXI-I2".into(),
            firmware: "V4.62.210".into(),
            firmware_build: "build 230619".into(),
            device_type: "NVR".into(),
            personality: Personality::nvr(),
            ..Self::default()
        }
        .indexed(index)
    }

    fn indexed(mut self, index: usize) -> Self {
        self.serial.clear();
        self.mac.clear();
        self.name.clear();
        let _ = self.normalise(index);
        self
    }

    /// Activates the device with an `admin` user (id 1) whose password is `password`.
    #[must_use]
    pub fn with_admin(mut self, password: &str) -> Self {
        self.activated = true;
        self.users.retain(|u| u.id != 1);
        self.users.insert(0, UserConfig::admin(password));
        self
    }

    /// Replaces the personality.
    #[must_use]
    pub fn with_personality(mut self, p: Personality) -> Self {
        self.personality = p;
        self
    }

    /// The 9-character short serial Hik-Connect uses.
    pub fn short_serial(&self) -> &str {
        let s = &self.serial;
        if s.len() >= 9 && s.is_ascii() {
            &s[s.len() - 9..]
        } else {
            s
        }
    }

    pub(crate) fn normalise(&mut self, index: usize) -> Result<()> {
        if self.serial.is_empty() {
            self.serial = format!("{}20240315CCWR{:09}", self.model, 700_000_000 + index);
        }
        if self.mac.is_empty() {
            let i = index as u32;
            self.mac = format!(
                "02:48:4b:{:02x}:{:02x}:{:02x}",
                (i >> 16) & 0xff,
                (i >> 8) & 0xff,
                i & 0xff
            );
        }
        if self.name.is_empty() {
            self.name = if self.device_type == "NVR" {
                "Network Video Recorder".into()
            } else {
                "IP CAMERA".into()
            };
        }
        for u in &mut self.users {
            if u.salt.is_empty() {
                u.salt = crate::crypto::random_salt();
            }
        }
        if self.activated && !self.users.iter().any(|u| u.id == 1) {
            return Err(SimError::Config(format!(
                "device {} is activated but has no admin user (id 1)",
                self.serial
            )));
        }
        if self.personality.session_iterations < 2 {
            return Err(SimError::Config(
                "session_iterations must be at least 2".into(),
            ));
        }
        Ok(())
    }
}

/// A device user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserConfig {
    /// User id; 1 is the administrator and cannot be deleted.
    pub id: u32,
    /// User name.
    pub name: String,
    /// Password.
    #[serde(with = "secret")]
    pub password: Secret,
    /// `Administrator`, `Operator` or `Viewer`.
    pub level: String,
    /// Enabled.
    pub enabled: bool,
    /// The per-user salt of session login and the `security=1` key (generated when empty).
    pub salt: String,
}

impl Default for UserConfig {
    fn default() -> Self {
        Self {
            id: 1,
            name: "admin".into(),
            password: Secret::default(),
            level: "Administrator".into(),
            enabled: true,
            salt: String::new(),
        }
    }
}

impl UserConfig {
    /// The administrator (id 1, `admin`).
    pub fn admin(password: &str) -> Self {
        Self {
            password: Secret::new(password),
            salt: crate::crypto::random_salt(),
            ..Self::default()
        }
    }
}

/// Hik-Connect (EZVIZ) platform access settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EzvizConfig {
    /// Platform access enabled.
    pub enabled: bool,
    /// `ipaddress` or `hostname`.
    pub addressing: String,
    /// Server host name.
    pub server_host: String,
    /// Server IP address (when `addressing = "ipaddress"`).
    pub server_ip: String,
    /// `redirect`.
    pub redirect: bool,
    /// `enabledTiming` (time sync from the platform).
    pub enabled_timing: bool,
    /// `streamEncrypteEnabled` (stream encryption with the verification code).
    pub stream_encryption: bool,
    /// `convergenceCloudEnabled`.
    pub convergence_cloud: bool,
    /// `netWork` (0–4; meaning not confirmed).
    pub network: u32,
    /// Hik-Connect account the platform has this device bound to at start-up.
    pub bound_account: Option<String>,
    /// The verification code the platform holds for the binding (default: the device's code).
    /// The state file records it, so a code changed after binding stays a mismatch.
    #[serde(with = "secret_opt")]
    pub bound_code: Option<Secret>,
    /// How long registration takes after a change, in milliseconds.
    pub register_delay_ms: u64,
}

impl Default for EzvizConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            addressing: "hostname".into(),
            server_host: "dev.hik-connect.com".into(),
            server_ip: String::new(),
            redirect: true,
            enabled_timing: false,
            stream_encryption: false,
            convergence_cloud: false,
            network: 1,
            bound_account: None,
            bound_code: None,
            register_delay_ms: 0,
        }
    }
}

/// One ISUP (Ehome) centre.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EhomeConfig {
    /// `centerID` (1 on single-centre devices).
    pub center_id: u32,
    /// Enabled.
    pub enabled: bool,
    /// `addressingFormatType`: `ipaddress` or `hostname`.
    pub addressing: String,
    /// Server host name.
    pub host: String,
    /// Server IP address.
    pub ip: String,
    /// Server port (default 7660).
    pub port: u16,
    /// `deviceID` (1–32 characters).
    pub device_id: String,
    /// The ISUP key (8–32 characters; write-only over ISAPI).
    #[serde(with = "secret_opt")]
    pub key: Option<Secret>,
    /// `protocolVersion`.
    pub protocol_version: String,
}

impl Default for EhomeConfig {
    fn default() -> Self {
        Self {
            center_id: 1,
            enabled: false,
            addressing: "ipaddress".into(),
            host: String::new(),
            ip: "0.0.0.0".into(),
            port: 7660,
            device_id: String::new(),
            key: None,
            protocol_version: "v5.0".into(),
        }
    }
}

/// Interface 1 addressing and DNS (values reported over ISAPI; nothing is bound to them).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    /// `static` or `dynamic`.
    pub addressing: String,
    /// IPv4 address.
    pub ip: String,
    /// Subnet mask.
    pub mask: String,
    /// Default gateway.
    pub gateway: String,
    /// Primary DNS.
    pub dns1: String,
    /// Secondary DNS.
    pub dns2: String,
    /// MTU.
    pub mtu: u32,
    /// Another host uses this address: `deviceInfo` reports
    /// `DetailAbnormalStatus/ipaddrConflict` until the address changes.
    pub ip_conflict: bool,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            addressing: "static".into(),
            ip: "192.168.1.64".into(),
            mask: "255.255.255.0".into(),
            gateway: "192.168.1.1".into(),
            dns1: "8.8.8.8".into(),
            dns2: "8.8.4.4".into(),
            mtu: 1500,
            ip_conflict: false,
        }
    }
}

/// Time settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimeConfig {
    /// `NTP`, `manual` or `platform`.
    pub mode: String,
    /// Time zone string as devices send it.
    pub time_zone: String,
    /// NTP server host name.
    pub ntp_server: String,
    /// NTP port.
    pub ntp_port: u16,
    /// NTP sync interval in minutes.
    pub ntp_interval: u32,
    /// How far the device clock is ahead of the host's (negative: behind), in seconds. Setting
    /// `localTime` over ISAPI sets it (the NTP server is not contacted: the simulator keeps
    /// whatever offset it has in NTP mode, as a device whose NTP server does not answer).
    pub clock_offset_secs: i64,
}

impl Default for TimeConfig {
    fn default() -> Self {
        Self {
            mode: "NTP".into(),
            time_zone: "CST+0:00:00".into(),
            ntp_server: "time.windows.com".into(),
            ntp_port: 123,
            ntp_interval: 1440,
            clock_offset_secs: 0,
        }
    }
}

/// Which password-reset methods the firmware supports (`RestAdminPassWord`, `SecurityCap`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResetMethods {
    /// Security questions.
    pub security_questions: bool,
    /// GUID file.
    pub guid_file: bool,
    /// Reserved e-mail.
    pub email: bool,
    /// Hik-Connect app.
    pub hc_app: bool,
    /// Exported key file answered by support (SADP reset mode 2).
    pub export_file: bool,
    /// `minResetAdminPassWordNum`: how many methods must be configured.
    pub min_configured: u32,
}

impl Default for ResetMethods {
    fn default() -> Self {
        Self {
            security_questions: true,
            guid_file: true,
            email: true,
            hc_app: true,
            export_file: true,
            min_configured: 1,
        }
    }
}

/// One security question.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuestionConfig {
    /// Question id.
    pub id: u32,
    /// The answer.
    #[serde(with = "secret")]
    pub answer: Secret,
}

impl Default for QuestionConfig {
    fn default() -> Self {
        Self {
            id: 1,
            answer: Secret::default(),
        }
    }
}

/// Failed-login lock-out, per client address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LockoutConfig {
    /// Lock-out enabled.
    pub enabled: bool,
    /// Failed attempts that lock the client address (`maxIllegalLoginTimes`, default 7).
    pub max_attempts: u32,
    /// How long the lock lasts, in seconds (default 1800).
    pub lock_seconds: u64,
}

impl Default for LockoutConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_attempts: 7,
            lock_seconds: 1800,
        }
    }
}

/// How the device authenticates HTTP requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AuthMode {
    /// Digest, MD5 (the header has no `algorithm=`, so MD5 is implied).
    #[default]
    DigestMd5,
    /// Digest, SHA-256 only.
    DigestSha256,
    /// Two `WWW-Authenticate: Digest` headers: SHA-256 first, then MD5.
    DigestMulti,
    /// "WEB Authentication = digest/basic": a Digest (MD5) and a Basic header.
    DigestBasic,
    /// Basic only (old firmware).
    Basic,
}

impl AuthMode {
    /// True when Basic credentials are accepted.
    pub fn allows_basic(self) -> bool {
        matches!(self, Self::DigestBasic | Self::Basic)
    }
}

/// The XML namespace the device writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum NamespaceStyle {
    /// `http://www.hikvision.com/ver20/XMLSchema`.
    #[default]
    HikvisionV20,
    /// `http://www.hikvision.com/ver10/XMLSchema` (version 1.0).
    HikvisionV10,
    /// `http://www.isapi.org/ver20/XMLSchema`.
    IsapiV20,
    /// `http://www.std-cgi.com/ver20/XMLSchema`.
    StdCgi,
    /// No namespace and no version attribute.
    None,
}

impl NamespaceStyle {
    /// The namespace URI and `version` attribute, or `None`.
    pub fn uri(self) -> Option<(&'static str, &'static str)> {
        use hikproto::xml::ns;
        match self {
            Self::HikvisionV20 => Some((ns::HIKVISION_V20, "2.0")),
            Self::HikvisionV10 => Some((ns::HIKVISION_V10, "1.0")),
            Self::IsapiV20 => Some((ns::ISAPI_V20, "2.0")),
            Self::StdCgi => Some((ns::STD_CGI_V20, "2.0")),
            Self::None => None,
        }
    }
}

/// The body of a 401 answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum UnauthorizedBody {
    /// An HTML error page (no lock details).
    Html,
    /// A `userCheck` document with `lockStatus`, `unlockTime` and `retryLoginTime`.
    #[default]
    UserCheck,
    /// The `ResponseStatus` authentication-failed form with `lockStatus`, `resLockTime`, `retryTimes`.
    ResponseStatus,
    /// No body.
    Empty,
}

/// What the device does when a new password is risky (strength level 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RiskyPasswords {
    /// Refuse it: statusCode 6 `riskPassword`.
    #[default]
    Reject,
    /// Accept it with statusCode 1 `riskPassword`; `isRiskPassword` is then true.
    Warn,
}

/// Firmware behaviour: everything that differs between real models and firmware versions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Personality {
    /// HTTP authentication scheme(s) offered.
    pub auth: AuthMode,
    /// XML namespace of every document the device writes.
    pub namespace: NamespaceStyle,
    /// Body of 401 answers.
    pub unauthorized_body: UnauthorizedBody,
    /// Accept a Digest nonce more than once (with increasing `nc`). When false, every nonce is
    /// good for one request and a reuse gets 401 with subStatusCode `invalidOperation`.
    pub nonce_reuse: bool,
    /// A device that refuses nonce reuse counts a refused reused nonce as a failed login and
    /// answers it like a wrong password (`userCheck` with `retryLoginTime`). When false (the
    /// default, as reported for real firmware) it refuses the nonce before judging the
    /// password: 401 with subStatusCode `invalidOperation`, not a failed login.
    pub reused_nonce_counted: bool,
    /// Nonce lifetime in seconds; an older nonce gets 401 with `stale=true` (0: every nonce is
    /// stale at once, a "stale storm").
    pub nonce_lifetime_secs: u64,
    /// While the client address is locked, answer HTTP 403 with a `ResponseStatus`
    /// `userNameLocked` (with `lockStatus`, `resLockTime`, `retryTimes`) instead of a 401
    /// (no capture shows this; modelled for clients that must not take it as success).
    pub locked_answers_403: bool,
    /// Digest realm; empty = `IP Camera(<code>)` for cameras, a hex string for NVRs.
    pub realm: String,
    /// NVR-style challenge: `domain="::"`, `opaque=""`, `algorithm="MD5"`, nonce `<hex>:<time>`.
    pub nvr_challenge: bool,
    /// Endpoints refused by this firmware: path → subStatusCode (for example `notSupport`).
    pub refused: BTreeMap<String, String>,
    /// `/SDK/activateStatus` `supportVersion`: 3 or more selects V3 activation.
    pub activation_version: u32,
    /// Session login (`/ISAPI/Security/sessionLogin`) offered.
    pub session_login: bool,
    /// `isIrreversible` of session login and of the `security=1` key.
    pub irreversible: bool,
    /// Session capabilities carry `salt2` (the AX PRO variant).
    pub session_salt2: bool,
    /// Session `iterations`.
    pub session_iterations: u32,
    /// Idle lifetime of a login session, in seconds.
    pub session_timeout_secs: u64,
    /// `securityVersion` for `security=1` field encryption; 0 = not supported.
    pub security_version: u32,
    /// `keyIterateNum` of the `security=1` key derivation.
    pub key_iterate_num: u32,
    /// A plain GET of EZVIZ shows the verification code in clear (else it is left out).
    pub verification_code_clear: bool,
    /// Risky passwords are refused or accepted with a warning.
    pub risky_passwords: RiskyPasswords,
    /// `isSupportUserCheck`: user changes must carry the operator's `loginPassword`.
    pub require_login_password: bool,
    /// EZVIZ PUTs answer statusCode 7 (Reboot Required).
    pub ezviz_reboot_required: bool,
    /// The activation body must be wrapped in `<Activate>` (some access-control terminals).
    pub activate_wrapper_required: bool,
}

impl Default for Personality {
    fn default() -> Self {
        Self::camera()
    }
}

impl Personality {
    /// A current camera (V5.7, hikvision.com ver20, digest MD5, userCheck 401 bodies).
    pub fn camera() -> Self {
        Self {
            auth: AuthMode::DigestMd5,
            namespace: NamespaceStyle::HikvisionV20,
            unauthorized_body: UnauthorizedBody::UserCheck,
            nonce_reuse: true,
            reused_nonce_counted: false,
            nonce_lifetime_secs: 300,
            locked_answers_403: false,
            realm: String::new(),
            nvr_challenge: false,
            refused: BTreeMap::new(),
            activation_version: 2,
            session_login: true,
            irreversible: true,
            session_salt2: false,
            session_iterations: 100,
            session_timeout_secs: 1800,
            security_version: 1,
            key_iterate_num: 100,
            verification_code_clear: false,
            risky_passwords: RiskyPasswords::Reject,
            require_login_password: true,
            ezviz_reboot_required: false,
            activate_wrapper_required: false,
        }
    }

    /// A current NVR (V4.62, isapi.org ver20, NVR-style MD5 challenge, bare userCheck bodies).
    pub fn nvr() -> Self {
        Self {
            namespace: NamespaceStyle::IsapiV20,
            nvr_challenge: true,
            ..Self::camera()
        }
    }

    /// Old firmware: Basic only, ver10 namespace, HTML 401 pages, no session login, no
    /// `security=1`, the verification code shown in clear.
    pub fn legacy() -> Self {
        Self {
            auth: AuthMode::Basic,
            namespace: NamespaceStyle::HikvisionV10,
            unauthorized_body: UnauthorizedBody::Html,
            session_login: false,
            security_version: 0,
            verification_code_clear: true,
            require_login_password: false,
            ..Self::camera()
        }
    }

    /// Sets the authentication mode.
    #[must_use]
    pub fn auth(mut self, mode: AuthMode) -> Self {
        self.auth = mode;
        self
    }

    /// Sets the namespace style.
    #[must_use]
    pub fn namespace(mut self, ns: NamespaceStyle) -> Self {
        self.namespace = ns;
        self
    }

    /// Sets the 401 body form.
    #[must_use]
    pub fn unauthorized_body(mut self, body: UnauthorizedBody) -> Self {
        self.unauthorized_body = body;
        self
    }

    /// Accept or reject Digest nonce reuse.
    #[must_use]
    pub fn nonce_reuse(mut self, accepted: bool) -> Self {
        self.nonce_reuse = accepted;
        self
    }

    /// A device refusing reuse counts the refused reused nonce as a failed login (see
    /// [`Personality::reused_nonce_counted`]).
    #[must_use]
    pub fn reused_nonce_counted(mut self, counted: bool) -> Self {
        self.reused_nonce_counted = counted;
        self
    }

    /// Sets the nonce lifetime in seconds (0: every nonce is stale at once).
    #[must_use]
    pub fn nonce_lifetime_secs(mut self, secs: u64) -> Self {
        self.nonce_lifetime_secs = secs;
        self
    }

    /// While locked, answer 403 `userNameLocked` instead of 401.
    #[must_use]
    pub fn locked_answers_403(mut self, on: bool) -> Self {
        self.locked_answers_403 = on;
        self
    }

    /// Refuses `path` with the dictionary status for `sub_status` (for example `notSupport`).
    #[must_use]
    pub fn refuse(mut self, path: &str, sub_status: &str) -> Self {
        self.refused.insert(path.to_owned(), sub_status.to_owned());
        self
    }
}

/// Serde for a [`Secret`] as a plain string (the state file is the simulator's own store).
mod secret {
    use hikproto::Secret;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(s: &Secret, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.expose())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Secret, D::Error> {
        String::deserialize(de).map(Secret::from)
    }
}

/// Serde for an optional [`Secret`].
mod secret_opt {
    use hikproto::Secret;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(s: &Option<Secret>, ser: S) -> Result<S::Ok, S::Error> {
        match s {
            Some(s) => ser.serialize_some(s.expose()),
            None => ser.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        de: D,
    ) -> Result<Option<Secret>, D::Error> {
        Ok(Option::<String>::deserialize(de)?.map(Secret::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_with_defaults_and_secrets_redacted() {
        let cfg = SiteConfig::from_toml(
            r#"
            https = true
            [[devices]]
            model = "DS-7608NXI-I2"
            device_type = "NVR"
            personality = { auth = "digest-sha256", namespace = "isapi-v20" }
            [[devices]]
            activated = true
            users = [{ name = "admin", password = "Passw0rd!x" }]
            verification_code = "Abc123xyz"
            "#,
        )
        .unwrap();
        assert!(cfg.https);
        assert_eq!(cfg.devices.len(), 2);
        assert_eq!(cfg.devices[0].personality.auth, AuthMode::DigestSha256);
        assert_eq!(cfg.devices[1].users[0].password.expose(), "Passw0rd!x");
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("Passw0rd!x") && !shown.contains("Abc123xyz"));
    }

    #[test]
    fn normalise_fills_identity_and_rejects_bad_sites() {
        let mut cfg = SiteConfig::activated_cameras(3, "Passw0rd!x");
        cfg.normalise().unwrap();
        assert_eq!(cfg.devices[2].short_serial(), "700000002");
        assert_eq!(cfg.devices[2].mac, "02:48:4b:00:00:02");
        let mut dup = cfg.clone();
        dup.devices[1].serial = dup.devices[0].serial.clone();
        assert!(dup.normalise().is_err());
        let mut remote = cfg;
        remote.bind = "192.0.2.1".parse().unwrap();
        assert!(remote.normalise().is_err());
        assert!(SiteConfig::from_toml("nonsense = 1").is_err());
    }
}
