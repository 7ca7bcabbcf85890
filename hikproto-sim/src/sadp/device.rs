//! The device state the SADP responder needs, behind a small trait so the responder runs on its
//! own ([`MemoryDevice`]) or on the simulator's devices.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use hikproto::Secret;

use super::policy::{LockPolicy, is_risky};
use super::tokens;

/// What a device supports, as its `ProbeMatch` advertises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Features {
    /// `SupportSecurityQuestion`.
    pub security_questions: bool,
    /// `SupportGUID`.
    pub guid: bool,
    /// `SupportMailBox`.
    pub mailbox: bool,
    /// `SupportHCPlatform`.
    pub hc_platform: bool,
    /// `SupportResetPwByPhoneNo` (Hik-Connect app reset).
    pub phone_reset: bool,
    /// `SupportRestoreInactive`.
    pub restore_inactive: bool,
    /// `codeEncrypt`: accepts `bEncrypt="true"` reset codes (and then requires them).
    pub code_encrypt: bool,
    /// `supportEzvizUnbind`.
    pub ezviz_unbind: bool,
    /// `PasswordResetModeSecond`: the export-file ("encrypted string") reset.
    pub export_file: bool,
    /// `SupportPasswordResetType`.
    pub password_reset_type: bool,
    /// `ResetAbility`: the legacy security-code reset to the factory password.
    pub legacy_reset: bool,
    /// `SyncIPCPassword` (NVRs).
    pub sync_ipc: bool,
    /// `DeviceLock`: wrong passwords count and lock the device.
    pub device_lock: bool,
}

impl Default for Features {
    /// A current camera: every self-service route, lock-out, no legacy reset, plain codes.
    fn default() -> Self {
        Self {
            security_questions: true,
            guid: true,
            mailbox: true,
            hc_platform: true,
            phone_reset: true,
            restore_inactive: true,
            code_encrypt: false,
            ezviz_unbind: true,
            export_file: true,
            password_reset_type: true,
            legacy_reset: false,
            sync_ipc: false,
            device_lock: true,
        }
    }
}

/// Everything SADP reads or changes on a device.
#[derive(Clone)]
pub struct DeviceView {
    /// Full serial number.
    pub serial: String,
    /// Model (`DeviceDescription`).
    pub model: String,
    /// Numeric `DeviceType`.
    pub device_type: u32,
    /// MAC, any common spelling.
    pub mac: String,
    /// `SoftwareVersion`.
    pub firmware: String,
    /// `DSPVersion`.
    pub dsp_version: String,
    /// `BootTime`.
    pub boot_time: String,
    /// `AnalogChannelNum`.
    pub analog_channels: u32,
    /// `DigitalChannelNum`.
    pub digital_channels: u32,
    /// `DiskNumber`.
    pub disks: u32,
    /// IPv4 address.
    pub ipv4: Ipv4Addr,
    /// Subnet mask.
    pub mask: Ipv4Addr,
    /// Gateway.
    pub gateway: Ipv4Addr,
    /// IPv6 address.
    pub ipv6: Ipv6Addr,
    /// IPv6 gateway.
    pub ipv6_gateway: Ipv6Addr,
    /// IPv6 prefix length.
    pub ipv6_mask_len: u8,
    /// DHCP on.
    pub dhcp: bool,
    /// SDK port.
    pub command_port: u16,
    /// HTTP port.
    pub http_port: u16,
    /// HTTPS port.
    pub https_port: u16,
    /// SDK-over-TLS port.
    pub sdk_over_tls_port: u16,
    /// Activated.
    pub activated: bool,
    /// Admin user name.
    pub admin_user: String,
    /// Admin password (when activated).
    pub admin_password: Option<Secret>,
    /// `Salt` advertised for the salted `update` (none: the device has no salt).
    pub salt: Option<String>,
    /// Supported features.
    pub features: Features,
    /// Hik-Connect enabled.
    pub platform_enabled: bool,
    /// The platform is reachable (for `getUnbindStatus`).
    pub platform_online: bool,
    /// Hik-Connect verification code.
    pub verification_code: Option<Secret>,
    /// The Hik-Connect account the device is bound to.
    pub bound_account: Option<String>,
    /// Security questions (id, answer).
    pub security_questions: Vec<(u32, Secret)>,
    /// Reserved e-mail.
    pub mailbox: Option<String>,
    /// The latest exported encrypted string (export-file reset) and when it was made.
    pub export: Option<(String, SystemTime)>,
    /// The e-mail reset QR payload currently valid and when it was made.
    pub mail_qr: Option<(String, SystemTime)>,
    /// The GUID of the latest exported GUID file, as the device stores it.
    pub guid: Option<Secret>,
    /// Set with a new admin password by a reset that carried `SyncIPCPassword=true`: a
    /// recorder passes the password on to its cameras (site devices do; a
    /// [`MemoryDevice`] only records it).
    pub sync_ipc_password: bool,
}

impl std::fmt::Debug for DeviceView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceView")
            .field("serial", &self.serial)
            .field("mac", &self.mac)
            .field("ipv4", &self.ipv4)
            .field("activated", &self.activated)
            .field("platform_enabled", &self.platform_enabled)
            .field("bound_account", &self.bound_account)
            .finish_non_exhaustive()
    }
}

impl DeviceView {
    /// An inactive camera whose identity derives from `index` (serial, MAC `02-48-53-…`,
    /// address `10.64.x.y`, per-device salt).
    pub fn camera(index: u32) -> Self {
        let serial = format!("DS-2CD2386G2-IU20240315CCWR{:09}", 700_000_000 + index);
        let salt = {
            use sha2::Digest as _;
            hex::encode(sha2::Sha256::digest(format!("sadp-salt|{serial}")))
        };
        Self {
            model: "DS-2CD2386G2-IU".into(),
            device_type: 141_945,
            mac: format!(
                "02-48-53-{:02x}-{:02x}-{:02x}",
                (index >> 16) & 0xff,
                (index >> 8) & 0xff,
                index & 0xff
            ),
            firmware: "V5.7.18build 240826".into(),
            dsp_version: "V7.3 build 240826".into(),
            boot_time: "2024-03-15 08:00:00".into(),
            analog_channels: 0,
            digital_channels: 1,
            disks: 0,
            ipv4: Ipv4Addr::new(10, 64, (index / 250) as u8, (index % 250) as u8 + 2),
            mask: Ipv4Addr::new(255, 255, 0, 0),
            gateway: Ipv4Addr::new(10, 64, 0, 1),
            ipv6: Ipv6Addr::UNSPECIFIED,
            ipv6_gateway: Ipv6Addr::UNSPECIFIED,
            ipv6_mask_len: 64,
            dhcp: false,
            command_port: 8000,
            http_port: 80,
            https_port: 443,
            sdk_over_tls_port: 8443,
            activated: false,
            admin_user: "admin".into(),
            admin_password: None,
            salt: Some(salt),
            features: Features::default(),
            platform_enabled: false,
            platform_online: true,
            verification_code: None,
            bound_account: None,
            security_questions: Vec::new(),
            mailbox: None,
            export: None,
            mail_qr: None,
            guid: None,
            sync_ipc_password: false,
            serial,
        }
    }

    /// Activated with this admin password.
    #[must_use]
    pub fn with_password(mut self, password: &str) -> Self {
        self.activated = true;
        self.admin_password = Some(Secret::new(password));
        self
    }

    /// The MAC as 12 lower-case hex digits (for matching any spelling).
    pub fn mac_key(&self) -> String {
        mac_key(&self.mac).unwrap_or_default()
    }
}

/// Normalises a MAC in any common spelling to 12 lower-case hex digits.
pub fn mac_key(s: &str) -> Option<String> {
    let hex: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | ':' | '.' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (hex.len() == 12 && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(hex)
}

/// How a reset reply from the support desk compares with the latest export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyCheck {
    /// It answers the latest export.
    Valid,
    /// It answers an older export (the device answers `exportFileOverDue`).
    Stale,
    /// It is not a valid answer (`codeError`).
    Wrong,
}

/// The device state behind a responder entry: read it, write it back, and the device's own
/// rules where the vendor keeps a secret.
///
/// The responder calls [`SadpDevice::load`], works on a copy and, when a command changed
/// something, calls [`SadpDevice::store`] with the state it loaded and the changed one, so a
/// device shared with other protocols applies only what SADP changed; one responder never runs
/// two commands for the same device at once. The provided methods are the responder's test schemes ([`tokens`]) and
/// password policy ([`is_risky`]); a device that has its own (the simulator's site devices)
/// overrides them so that SADP and ISAPI agree.
pub trait SadpDevice: Send + Sync + 'static {
    /// The current state.
    fn load(&self) -> DeviceView;

    /// Writes a changed state back: `after` is `before` (what [`SadpDevice::load`] returned)
    /// with the command's changes.
    fn store(&self, before: &DeviceView, after: DeviceView);

    /// Why the device refuses `password` for `user` as a new password (a SADP `Result` token,
    /// normally `riskPassword`), or `None` when it accepts it.
    fn password_refusal(&self, user: &str, password: &str) -> Option<&'static str> {
        is_risky(user, password).then_some("riskPassword")
    }

    /// The device counted a failed login over SADP (`token` says what was wrong: a password,
    /// answers, a code or a GUID; `secret` is what was sent, in clear). Returns true when that
    /// same wrong secret had been refused before (a repeat). The default remembers nothing.
    fn failed_login(&self, _token: &str, _secret: &str) -> bool {
        false
    }

    /// Lock-out settings; `None` uses the responder's.
    fn lock_policy(&self) -> Option<LockPolicy> {
        None
    }

    /// A captured `ProbeMatch` to answer inquiries with instead of the generated one: kept
    /// byte for byte, except the values that are this device's own (request UUID, `Types`,
    /// serial, MAC, IPv4 address, mask and gateway, DHCP, HTTP and HTTPS ports, `Activated`,
    /// `Salt`), which come from [`SadpDevice::load`] where the template has those elements.
    fn probe_match_template(&self) -> Option<String> {
        None
    }

    /// A new encrypted string for the export-file reset.
    fn new_export(&self, _view: &DeviceView) -> String {
        tokens::random_token(48)
    }

    /// How long an export stays answerable; `None` uses the responder's setting.
    fn export_validity(&self) -> Option<Duration> {
        None
    }

    /// Checks the support desk's reply against the latest export.
    fn check_reply(&self, _view: &DeviceView, export: &str, reply: &str) -> ReplyCheck {
        if reply.trim() == tokens::support_reply(export) {
            ReplyCheck::Valid
        } else {
            ReplyCheck::Wrong
        }
    }

    /// A new e-mail reset QR payload for the reserved address.
    fn new_mail_qr(&self, _view: &DeviceView, _email: &str) -> String {
        tokens::random_token(32)
    }

    /// How long a mailed code stays valid; `None` = until the next QR or reset.
    fn mail_validity(&self) -> Option<Duration> {
        None
    }

    /// Checks a mailed code against the QR payload it answers.
    fn check_mail_code(&self, qr: &str, code: &str) -> bool {
        code.trim().eq_ignore_ascii_case(&tokens::mail_code(qr))
    }

    /// A new GUID, as the device stores it.
    fn new_guid(&self) -> Secret {
        Secret::new(tokens::random_token(96))
    }

    /// The GUID as `ExportGUID` sends it.
    fn guid_on_wire(&self, stored: &Secret) -> String {
        stored.expose().to_owned()
    }

    /// Checks a GUID sent back by `GUIDReset`.
    fn check_guid(&self, stored: &Secret, sent: &str) -> bool {
        !sent.trim().is_empty() && stored.expose() == sent.trim()
    }
}

/// A device that lives only in the responder's memory.
#[derive(Debug)]
pub struct MemoryDevice {
    view: Mutex<DeviceView>,
}

impl MemoryDevice {
    /// Wraps a state.
    pub fn new(view: DeviceView) -> Arc<Self> {
        Arc::new(Self {
            view: Mutex::new(view),
        })
    }

    /// A copy of the current state.
    pub fn view(&self) -> DeviceView {
        self.load()
    }

    /// Changes the state in place (for tests: bind to an account, change the address…).
    pub fn update(&self, f: impl FnOnce(&mut DeviceView)) {
        let mut v = self.view.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut v);
    }
}

impl SadpDevice for MemoryDevice {
    fn load(&self) -> DeviceView {
        self.view.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn store(&self, _before: &DeviceView, view: DeviceView) {
        *self.view.lock().unwrap_or_else(|e| e.into_inner()) = view;
    }
}

/// Firmware quirks the responder can reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quirks {
    /// Spell false `flase` in `HCPlatformEnable` and `DeviceLock`.
    pub flase: bool,
    /// Spell `Ipv4Address`/`Ipv4SubnetMask`/`Ipv4Gateway`.
    pub ipv4_lower_v: bool,
    /// What goes between elements.
    pub separator: Separator,
    /// Reply `Types` with a trailing space (`"activate "`).
    pub types_trailing_space: bool,
    /// End datagrams with a NUL byte (C string terminator).
    pub trailing_nul: bool,
}

/// What separates elements in a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    /// Nothing.
    None,
    /// `\n`.
    Lf,
    /// `\r\n` (what most firmware sends).
    CrLf,
}

impl Separator {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::None => "",
            Self::Lf => "\n",
            Self::CrLf => "\r\n",
        }
    }
}

impl Default for Quirks {
    /// CRLF separators, nothing else.
    fn default() -> Self {
        Self {
            flase: false,
            ipv4_lower_v: false,
            separator: Separator::CrLf,
            types_trailing_space: false,
            trailing_nul: false,
        }
    }
}

impl Quirks {
    /// Every quirk at once.
    pub fn all() -> Self {
        Self {
            flase: true,
            ipv4_lower_v: true,
            separator: Separator::CrLf,
            types_trailing_space: true,
            trailing_nul: true,
        }
    }
}
