//! SADP for the simulator's site devices: the responder reads and changes the same state as the
//! ISAPI side, so a device activated, re-addressed or reset over SADP behaves accordingly over
//! HTTP, and the site's support-desk scheme ([`crate::support`]) answers SADP exports too.
//!
//! Mapping notes: the SADP admin is user id 1; its per-user salt is the `Salt` the salted
//! `update` uses; `DeviceType` is a numeric class chosen per `device_type` (141945 cameras,
//! 155650 NVRs, 142378 DVRs, values seen on real devices); `BootTime` is fixed; port changes
//! sent with `update` are not applied (the ISAPI listeners stay where they are bound); the GUID
//! travels as base64 of the same 128-byte file that `GUIDFileData` exports.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hikproto::Secret;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{RiskyPasswords, UserConfig};
use crate::error::{Result, SimError};
use crate::handlers::{CameraSync, check_policy, push_to_cameras, unix_now};
use crate::site::SimDevice;
use crate::state::{DeviceShared, Fingerprint};
use crate::stats::bump;
use crate::support::{self, SupportError};

use super::device::{DeviceView, Features, Quirks, ReplyCheck, SadpDevice, Separator};
use super::policy::LockPolicy;
use super::{Registration, Responder, ResponderConfig};

/// The fixed `BootTime` site devices report.
const BOOT_TIME: &str = "2024-03-15 08:00:00";

/// A site device seen through the SADP trait.
pub(crate) struct SiteDevice {
    shared: Arc<DeviceShared>,
}

impl SiteDevice {
    pub(crate) fn new(shared: Arc<DeviceShared>) -> Self {
        Self { shared }
    }

    fn serial(&self) -> String {
        self.shared.lock().cfg.serial.clone()
    }
}

fn numeric_type(t: &str) -> u32 {
    match t.to_ascii_uppercase().as_str() {
        "NVR" => 155_650,
        "DVR" => 142_378,
        _ => 141_945,
    }
}

fn ip(s: &str) -> Ipv4Addr {
    s.trim().parse().unwrap_or(Ipv4Addr::UNSPECIFIED)
}

impl SadpDevice for SiteDevice {
    fn load(&self) -> DeviceView {
        let serial = self.serial();
        let record = self.shared.platform.record(&serial);
        let rt = self.shared.lock();
        let cfg = &rt.cfg;
        let admin = cfg
            .users
            .iter()
            .find(|u| u.id == 1)
            .filter(|_| cfg.activated);
        let nvr = cfg.device_type.eq_ignore_ascii_case("NVR");
        let rm = &cfg.reset_methods;
        DeviceView {
            serial,
            model: cfg.model.clone(),
            device_type: numeric_type(&cfg.device_type),
            mac: cfg.mac.clone(),
            firmware: format!("{}{}", cfg.firmware, cfg.firmware_build),
            dsp_version: format!("V7.3 {}", cfg.firmware_build),
            boot_time: BOOT_TIME.into(),
            analog_channels: 0,
            digital_channels: if nvr { 8 } else { 1 },
            disks: u32::from(nvr),
            ipv4: ip(&cfg.network.ip),
            mask: ip(&cfg.network.mask),
            gateway: ip(&cfg.network.gateway),
            ipv6: std::net::Ipv6Addr::UNSPECIFIED,
            ipv6_gateway: std::net::Ipv6Addr::UNSPECIFIED,
            ipv6_mask_len: 64,
            dhcp: cfg.network.addressing.eq_ignore_ascii_case("dynamic"),
            command_port: 8000,
            http_port: cfg.http_port,
            https_port: if cfg.https_port == 0 {
                443
            } else {
                cfg.https_port
            },
            sdk_over_tls_port: 8443,
            activated: cfg.activated,
            admin_user: admin.map_or_else(|| "admin".to_owned(), |u| u.name.clone()),
            admin_password: admin.map(|u| u.password.clone()),
            salt: admin.map(|u| u.salt.clone()).filter(|s| !s.is_empty()),
            features: Features {
                security_questions: rm.security_questions,
                guid: rm.guid_file,
                mailbox: rm.email,
                hc_platform: true,
                phone_reset: rm.hc_app,
                restore_inactive: true,
                code_encrypt: false,
                ezviz_unbind: true,
                export_file: rm.export_file,
                password_reset_type: true,
                legacy_reset: false,
                sync_ipc: nvr,
                device_lock: cfg.lockout.enabled,
            },
            platform_enabled: cfg.ezviz.enabled,
            platform_online: record
                .as_ref()
                .is_none_or(|r| r.registered || !cfg.ezviz.enabled),
            verification_code: cfg.verification_code.clone(),
            bound_account: record.and_then(|r| r.account),
            security_questions: cfg
                .security_questions
                .iter()
                .map(|q| (q.id, q.answer.clone()))
                .collect(),
            mailbox: cfg.reserved_email.clone(),
            export: rt
                .recovery
                .export
                .clone()
                .map(|(s, at)| (s, UNIX_EPOCH + Duration::from_secs(at))),
            mail_qr: rt.recovery.email_qr.clone(),
            guid: cfg.guid.clone(),
            sync_ipc_password: false,
        }
    }

    fn store(&self, before: &DeviceView, v: DeviceView) {
        let serial = self.serial();
        let mut sync = None;
        {
            let mut rt = self.shared.lock();
            if v.sync_ipc_password
                && v.admin_password.is_some()
                && before.admin_password != v.admin_password
                && !rt.cfg.channel_cameras.is_empty()
            {
                sync = v.admin_password.clone().map(|password| CameraSync {
                    serials: rt.cfg.channel_cameras.clone(),
                    password,
                });
            }
            if (before.ipv4, before.mask, before.gateway, before.dhcp)
                != (v.ipv4, v.mask, v.gateway, v.dhcp)
            {
                let net = &mut rt.cfg.network;
                net.ip = v.ipv4.to_string();
                net.mask = v.mask.to_string();
                net.gateway = v.gateway.to_string();
                net.addressing = if v.dhcp { "dynamic" } else { "static" }.into();
            }
            if before.activated != v.activated || before.admin_password != v.admin_password {
                match (v.activated, v.admin_password.clone()) {
                    (true, Some(pw)) if !rt.cfg.activated => {
                        rt.cfg.activated = true;
                        rt.cfg.users = vec![UserConfig::admin(pw.expose())];
                        rt.activation_r = None;
                        apply_password(&mut rt, &pw);
                    }
                    (true, Some(pw)) => apply_password(&mut rt, &pw),
                    (false, _) => {
                        rt.cfg.activated = false;
                        rt.cfg.users.clear();
                        rt.risky_password = false;
                        rt.drop_logins();
                        rt.clients.clear();
                    }
                    (true, None) => {}
                }
            }
            if before.platform_enabled != v.platform_enabled
                || before.verification_code != v.verification_code
            {
                rt.cfg.ezviz.enabled = v.platform_enabled;
                rt.cfg.verification_code = v.verification_code.clone();
                rt.ezviz_changed_at = Instant::now();
            }
            if before.security_questions != v.security_questions {
                rt.cfg.security_questions = v
                    .security_questions
                    .iter()
                    .map(|(id, answer)| crate::config::QuestionConfig {
                        id: *id,
                        answer: answer.clone(),
                    })
                    .collect();
            }
            if before.mailbox != v.mailbox {
                rt.cfg.reserved_email = v.mailbox.clone();
            }
            if before.export != v.export {
                rt.recovery.export = v
                    .export
                    .clone()
                    .map(|(s, at)| (s, at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())));
            }
            if before.mail_qr != v.mail_qr {
                rt.recovery.email_qr = v.mail_qr.clone();
            }
            if before.guid != v.guid {
                rt.cfg.guid = v.guid.clone();
            }
        }
        if before.bound_account.is_some() && v.bound_account.is_none() {
            self.shared.platform.state().unbind(&serial);
        }
        if let Some(sync) = sync {
            push_to_cameras(&self.shared, &sync);
        }
        self.shared.mark_dirty();
    }

    fn password_refusal(&self, user: &str, password: &str) -> Option<&'static str> {
        let reject = self.shared.lock().cfg.personality.risky_passwords == RiskyPasswords::Reject;
        match check_policy(user, password) {
            Err(_) => Some("riskPassword"),
            Ok(true) if reject => Some("riskPassword"),
            Ok(_) => None,
        }
    }

    /// Counted like an ISAPI failed login in the device's [`crate::DeviceStats`]
    /// (`failed_logins`, `sadp_failures`), and a wrong secret sent again counts in
    /// `repeated_rejected_credentials`.
    fn failed_login(&self, token: &str, secret: &str) -> bool {
        use sha2::Digest as _;
        let stats = &self.shared.stats;
        bump(&stats.failed_logins);
        bump(&stats.sadp_failures);
        let fp: [u8; 32] = sha2::Sha256::digest(format!("sadp:{token}:{secret}").as_bytes()).into();
        let repeat = self.shared.lock().remember_rejected(Fingerprint::Known(fp));
        if repeat {
            bump(&stats.repeated_rejected_credentials);
        }
        repeat
    }

    /// The `ProbeMatch` of the capture the device plays, if it has one.
    fn probe_match_template(&self) -> Option<String> {
        self.shared.lock().cfg.captured.sadp_probe_match.clone()
    }

    fn lock_policy(&self) -> Option<LockPolicy> {
        let l = self.shared.lock().cfg.lockout.clone();
        Some(LockPolicy {
            max_attempts: l.max_attempts.max(1),
            lock_for: Duration::from_secs(l.lock_seconds),
        })
    }

    fn new_export(&self, v: &DeviceView) -> String {
        support::export_string(&v.serial, unix_now(), &crate::crypto::rand_hex(8))
    }

    fn export_validity(&self) -> Option<Duration> {
        Some(Duration::from_secs(support::EXPORT_VALIDITY_SECS))
    }

    fn check_reply(&self, v: &DeviceView, export: &str, reply: &str) -> ReplyCheck {
        match support::verify_reply(reply, &v.serial, export) {
            Ok(()) => ReplyCheck::Valid,
            Err(SupportError::Expired) => ReplyCheck::Stale,
            Err(_) => ReplyCheck::Wrong,
        }
    }

    fn new_mail_qr(&self, v: &DeviceView, email: &str) -> String {
        support::email_qr(&v.serial, unix_now(), &crate::crypto::rand_hex(8), email)
    }

    fn mail_validity(&self) -> Option<Duration> {
        Some(Duration::from_secs(support::EMAIL_CODE_VALIDITY_SECS))
    }

    fn check_mail_code(&self, qr: &str, code: &str) -> bool {
        crate::crypto::ct_eq(&support::email_code(qr), &code.trim().to_ascii_uppercase())
    }

    fn new_guid(&self) -> Secret {
        Secret::new(crate::crypto::rand_hex(16))
    }

    fn guid_on_wire(&self, stored: &Secret) -> String {
        let mut file = stored.expose().as_bytes().to_vec();
        file.resize(128, 0);
        B64.encode(file)
    }

    fn check_guid(&self, stored: &Secret, sent: &str) -> bool {
        let file = B64.decode(sent.trim()).unwrap_or_default();
        let text: String = file
            .iter()
            .take_while(|&&b| b != 0)
            .map(|&b| char::from(b))
            .collect();
        !text.is_empty() && crate::crypto::ct_eq(stored.expose(), text.trim())
    }
}

/// What a new admin password does to the rest of the device (as ISAPI's password paths do).
fn apply_password(rt: &mut crate::state::DeviceRuntime, pw: &Secret) {
    let risky = check_policy("admin", pw.expose()).unwrap_or(true);
    rt.replace_admin_password(pw, risky);
}

/// Firmware spellings site devices use: CRLF and the `flase` typo of real replies.
fn site_quirks() -> Quirks {
    Quirks {
        flase: true,
        separator: Separator::CrLf,
        ..Quirks::default()
    }
}

/// Starts one responder per site device on `addr(index, port of device 0)`, records each
/// address in the device, and returns the tasks; they stop when `shutdown` turns true.
pub(crate) async fn start_for_site(
    devices: &mut [SimDevice],
    addr: impl Fn(usize, Option<u16>) -> Result<SocketAddr>,
    shutdown: &watch::Receiver<bool>,
) -> Result<Vec<JoinHandle<()>>> {
    let mut tasks = Vec::with_capacity(devices.len());
    let mut first_port = None;
    for (i, d) in devices.iter_mut().enumerate() {
        let bind = addr(i, first_port)?;
        let cfg = ResponderConfig {
            bind,
            ..ResponderConfig::loopback()
        };
        let dev = Arc::new(SiteDevice::new(d.shared.clone()));
        let r = Responder::start_until(
            cfg,
            vec![Registration::new(dev, site_quirks())],
            Some(shutdown.clone()),
        )
        .await
        .map_err(|e| SimError::io(format!("binding the SADP responder on {bind}"), e))?;
        d.sadp_addr = Some(r.local_addr());
        first_port.get_or_insert(r.local_addr().port());
        tasks.push(r.detach());
    }
    Ok(tasks)
}
