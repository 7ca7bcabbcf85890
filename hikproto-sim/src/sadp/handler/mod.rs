//! What a device does with each SADP request.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use hikproto::Secret;
use hikproto::xml::{Element, Limits};
use zeroize::Zeroizing;

mod recovery;
mod settings;

use super::crypto;
use super::device::{DeviceView, Quirks, SadpDevice, mac_key};
use super::policy::{Failure, LockPolicy, LockState};
use super::tokens;
use super::wire::{self, Doc};

/// Parsing caps for one request.
const LIMITS: Limits = Limits {
    max_depth: 8,
    max_elements: 512,
    max_bytes: 65_535,
};

/// Client keys remembered per device (one per client address).
const MAX_KEYS: usize = 32;
/// Replies remembered per device, to answer a resent request identically.
const MAX_RECENT: usize = 32;

/// Settings the handler needs from the responder's configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    pub(crate) lock: LockPolicy,
    pub(crate) exchange_ttl: Duration,
    pub(crate) export_ttl: Duration,
}

/// One device as the responder serves it: its state handle plus what lives only in SADP.
pub(crate) struct Slot {
    pub(crate) device: Arc<dyn SadpDevice>,
    pub(crate) quirks: Quirks,
    pub(crate) mac: String,
    pub(crate) lamp: bool,
    lock: LockState,
    keys: VecDeque<(SocketAddr, [u8; 16], Instant)>,
    phone_qr: Option<String>,
    unbind_status: &'static str,
    recent: VecDeque<(String, Vec<u8>)>,
}

impl Slot {
    pub(crate) fn new(device: Arc<dyn SadpDevice>, quirks: Quirks) -> Self {
        let mac = device.load().mac_key();
        Self {
            device,
            quirks,
            mac,
            lamp: false,
            lock: LockState::default(),
            keys: VecDeque::new(),
            phone_qr: None,
            unbind_status: "notBind",
            recent: VecDeque::new(),
        }
    }

    fn key_for(&self, from: SocketAddr, now: Instant, ttl: Duration) -> Option<[u8; 16]> {
        self.keys
            .iter()
            .rev()
            .find(|(a, _, t)| *a == from && now.duration_since(*t) <= ttl)
            .map(|(_, k, _)| *k)
    }
}

/// Counters of one responder.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) malformed: u64,
    pub(crate) inquiries: u64,
    pub(crate) commands: u64,
    pub(crate) wrong_passwords: u64,
    pub(crate) locks: u64,
    pub(crate) repeated_secrets: u64,
    pub(crate) duplicates: u64,
}

/// What the handler decided.
pub(crate) struct Out {
    pub(crate) bytes: Vec<u8>,
    /// Discovery replies may go to the group instead of the sender.
    pub(crate) discovery: bool,
}

/// Handles one datagram; returns the replies to send.
pub(crate) fn handle(
    slots: &mut [Slot],
    rules: &Rules,
    stats: &mut Counters,
    datagram: &[u8],
    from: SocketAddr,
) -> Vec<Out> {
    let mut d = datagram;
    while let [rest @ .., 0] = d {
        d = rest;
    }
    let Ok(req) = Element::parse_with(d, LIMITS) else {
        stats.malformed += 1;
        return Vec::new();
    };
    if req.name != "Probe" {
        stats.malformed += 1;
        return Vec::new();
    }
    let (Some(uuid), Some(types)) = (req.text_at("Uuid"), req.text_at("Types")) else {
        stats.malformed += 1;
        return Vec::new();
    };
    let types = types.trim();
    if types.eq_ignore_ascii_case("inquiry") || types.eq_ignore_ascii_case("inquiry_v32") {
        stats.inquiries += 1;
        let t = if types.eq_ignore_ascii_case("inquiry") {
            "inquiry"
        } else {
            "inquiry_v32"
        };
        return slots
            .iter()
            .map(|s| {
                let view = s.device.load();
                let bytes = s
                    .device
                    .probe_match_template()
                    .and_then(|tpl| wire::from_template(&tpl, &view, uuid, t))
                    .unwrap_or_else(|| wire::device_description(&view, s.quirks, Some(uuid), t));
                Out {
                    bytes,
                    discovery: true,
                }
            })
            .collect();
    }
    let Some(mac) = req.text_at("MAC").and_then(mac_key) else {
        stats.malformed += 1;
        return Vec::new();
    };
    let Some(slot) = slots.iter_mut().find(|s| s.mac == mac) else {
        return Vec::new();
    };
    if let Some((_, cached)) = slot.recent.iter().find(|(u, _)| u == uuid) {
        stats.duplicates += 1;
        return vec![Out {
            bytes: cached.clone(),
            discovery: false,
        }];
    }
    stats.commands += 1;
    let now = Instant::now();
    let before = slot.device.load();
    let mut view = before.clone();
    let ctx = Ctx {
        rules,
        now,
        now_sys: SystemTime::now(),
        from,
        types,
    };
    let Some(ans) = command(slot, &mut view, &req, &ctx, stats) else {
        return Vec::new();
    };
    if ans.changed {
        slot.device.store(&before, view);
    }
    let bytes = ans.encode(slot, uuid, types);
    if slot.recent.len() >= MAX_RECENT {
        slot.recent.pop_front();
    }
    slot.recent.push_back((uuid.to_owned(), bytes.clone()));
    vec![Out {
        bytes,
        discovery: false,
    }]
}

struct Ctx<'a> {
    rules: &'a Rules,
    now: Instant,
    now_sys: SystemTime,
    from: SocketAddr,
    types: &'a str,
}

impl Ctx<'_> {
    /// True when something made at `made` is older than `validity`.
    fn expired(&self, made: SystemTime, validity: Duration) -> bool {
        self.now_sys
            .duration_since(made)
            .is_ok_and(|age| age > validity)
    }
}

#[derive(Default)]
struct Answer {
    result: Option<&'static str>,
    fields: Vec<(&'static str, String)>,
    raw: Option<String>,
    changed: bool,
}

impl Answer {
    fn ok() -> Self {
        Self::result("success")
    }

    fn result(r: &'static str) -> Self {
        Self {
            result: Some(r),
            ..Self::default()
        }
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.fields.push((name, value.into()));
        self
    }

    fn changed(mut self) -> Self {
        self.changed = true;
        self
    }

    fn encode(&self, slot: &Slot, uuid: &str, types: &str) -> Vec<u8> {
        let mut d = Doc::new("ProbeMatch", slot.quirks);
        d.text("Uuid", uuid)
            .text("MAC", &wire::dashed(slot.mac.clone()))
            .types(types);
        if let Some(r) = self.result {
            d.text("Result", r);
        }
        for (n, v) in &self.fields {
            d.text(n, v);
        }
        if let Some(raw) = &self.raw {
            d.raw(raw);
        }
        d.finish()
    }
}

type Step<T> = Result<T, Answer>;

/// A wrong password, answer, code or GUID (`secret`, as the device read it): counted as a
/// failed login by the device (and reported to it, see [`SadpDevice::failed_login`]), then the
/// refusal with the attempts left, or the lock.
fn failure(
    slot: &mut Slot,
    view: &DeviceView,
    ctx: &Ctx<'_>,
    token: &'static str,
    secret: &str,
    stats: &mut Counters,
) -> Answer {
    if slot.device.failed_login(token, secret) {
        stats.repeated_secrets += 1;
    }
    if !view.features.device_lock {
        return Answer::result(token);
    }
    let update = ctx.types == "update";
    let policy = slot.device.lock_policy().unwrap_or(ctx.rules.lock);
    match slot.lock.fail(&policy, ctx.now) {
        Failure::Retry(n) => {
            let a = Answer::result(token).with("RetryTimes", n.to_string());
            if update {
                a.with("RetryModifyTime", n.to_string())
            } else {
                a
            }
        }
        Failure::Locked(m) => {
            stats.locks += 1;
            Answer::result("locked")
                .with("RetryTimes", "0")
                .with("SurplusLockTime", m.to_string())
        }
    }
}

fn not_locked(slot: &mut Slot, view: &DeviceView, ctx: &Ctx<'_>) -> Step<()> {
    if !view.features.device_lock {
        return Ok(());
    }
    match slot.lock.locked(ctx.now) {
        Some(m) => Err(Answer::result("locked")
            .with("RetryTimes", "0")
            .with("SurplusLockTime", m.to_string())),
        None => Ok(()),
    }
}

/// Opens a sealed field with the key this client exchanged.
fn unseal(slot: &Slot, ctx: &Ctx<'_>, text: &str) -> Step<Zeroizing<String>> {
    let key = slot
        .key_for(ctx.from, ctx.now, ctx.rules.exchange_ttl)
        .ok_or_else(|| Answer::result("failed"))?;
    crypto::open(&key, text).ok_or_else(|| Answer::result("failed"))
}

/// Checks the admin password of an authorised command (and the lock).
fn authorize(
    slot: &mut Slot,
    view: &DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<()> {
    not_locked(slot, view, ctx)?;
    let pw = req
        .child("Password")
        .ok_or_else(|| Answer::result("failed"))?;
    let stored = view
        .admin_password
        .as_ref()
        .map(Secret::expose)
        .unwrap_or("");
    let (good, given) = if pw
        .attr("bSalt")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        let salt = view
            .salt
            .as_deref()
            .ok_or_else(|| Answer::result("failed"))?;
        let good = crypto::salted_matches(&view.admin_user, salt, stored, &pw.text);
        (good, Zeroizing::new(pw.text.clone()))
    } else {
        let given = unseal(slot, ctx, &pw.text)?;
        (!stored.is_empty() && given.as_str() == stored, given)
    };
    if good {
        slot.lock.succeed();
        Ok(())
    } else {
        stats.wrong_passwords += 1;
        Err(failure(slot, view, ctx, "PasswordError", &given, stats))
    }
}

/// The new password of an activation or reset, checked against the policy.
fn new_password(
    slot: &Slot,
    view: &DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
) -> Step<Zeroizing<String>> {
    let text = req
        .text_at("Password")
        .ok_or_else(|| Answer::result("failed"))?;
    let pw = unseal(slot, ctx, text)?;
    match slot.device.password_refusal(&view.admin_user, &pw) {
        Some(token) => Err(Answer::result(token)),
        None => Ok(pw),
    }
}

/// A reset code, decrypted when sent with `bEncrypt="true"`.
fn reset_code(
    slot: &Slot,
    view: &DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
) -> Step<Zeroizing<String>> {
    let c = req.child("Code").ok_or_else(|| Answer::result("failed"))?;
    let encrypted = c
        .attr("bEncrypt")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if encrypted {
        unseal(slot, ctx, &c.text)
    } else if view.features.code_encrypt {
        // a device that advertises codeEncrypt expects the protected form
        Err(Answer::result("failed"))
    } else {
        Ok(Zeroizing::new(c.text.trim().to_owned()))
    }
}

fn set_password(view: &mut DeviceView, pw: &str, sync_cameras: bool) {
    view.admin_password = Some(Secret::new(pw));
    view.activated = true;
    view.sync_ipc_password = sync_cameras;
}

fn feature(on: bool) -> Step<()> {
    if on {
        Ok(())
    } else {
        Err(Answer::result("failed"))
    }
}

fn command(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Option<Answer> {
    let t = ctx.types;
    let always = ["exchangecode", "activate", "lamp", "getcode"];
    if !view.activated && !always.iter().any(|a| a.eq_ignore_ascii_case(t)) {
        return Some(Answer::result("notActivated"));
    }
    let r = match t {
        "exchangecode" => exchange(slot, req, ctx),
        "activate" => activate(slot, view, req, ctx),
        "lamp" => lamp(slot, req),
        "getcode" => Ok(Answer::ok().with("Code", tokens::device_code(&view.serial))),
        "update" => settings::update(slot, view, req, ctx, stats),
        "getencryptstring" => recovery::encrypt_string(slot, view, ctx),
        "reset" => recovery::reset(slot, view, req, ctx, stats),
        "ExportGUID" => recovery::export_guid(slot, view, req, ctx, stats),
        "GUIDReset" => recovery::guid_reset(slot, view, req, ctx, stats),
        "getsecurityquestion" => Ok(recovery::get_questions(view)),
        "setsecurityquestion" => recovery::set_questions(slot, view, req, ctx, stats),
        "AnswerReset" => recovery::answer_reset(slot, view, req, ctx, stats),
        "SetMailBox" => recovery::set_mailbox(slot, view, req, ctx, stats),
        "GetQRcodes" => recovery::mail_qr(slot, view, ctx),
        "MailReset" => recovery::mail_reset(slot, view, req, ctx, stats),
        "GetPhoneNoQRCode" => recovery::phone_qr(slot, view),
        "PhoneNoReset" => recovery::phone_reset(slot, view, req, ctx, stats),
        "getPasswordResetType" => Ok(settings::reset_types(view)),
        "SetHCPlatform" => settings::set_platform(slot, view, req, ctx, stats),
        "SetVerificationCode" => settings::set_code(slot, view, req, ctx, stats),
        "ezvizUnbind" => settings::unbind(slot, view, req, ctx, stats),
        "getUnbindStatus" => Ok(Answer::result(slot.unbind_status)),
        "restoreInactive" => settings::restore_inactive(slot, view, req, ctx, stats),
        // unknown commands (3.1 names, NVR commands) get no answer, like firmware without them
        _ => return None,
    };
    Some(r.unwrap_or_else(|a| a))
}

fn exchange(slot: &mut Slot, req: &Element, ctx: &Ctx<'_>) -> Step<Answer> {
    let key = req
        .text_at("Code")
        .and_then(crypto::client_key)
        .ok_or_else(|| Answer::result("failed"))?;
    let (k, code) = crypto::exchange(&key).ok_or_else(|| Answer::result("failed"))?;
    slot.keys.retain(|(a, _, _)| *a != ctx.from);
    if slot.keys.len() >= MAX_KEYS {
        slot.keys.pop_front();
    }
    slot.keys.push_back((ctx.from, k, ctx.now));
    Ok(Answer::ok().with("Code", code))
}

fn activate(slot: &mut Slot, view: &mut DeviceView, req: &Element, ctx: &Ctx<'_>) -> Step<Answer> {
    if view.activated {
        return Err(Answer::result("hasActivated"));
    }
    let pw = new_password(slot, view, req, ctx)?;
    set_password(view, &pw, false);
    slot.lock.succeed();
    Ok(Answer::ok().changed())
}

fn lamp(slot: &mut Slot, req: &Element) -> Step<Answer> {
    match req.text_at("Action").map(str::trim) {
        Some(a) if a.eq_ignore_ascii_case("open") => slot.lamp = true,
        Some(a) if a.eq_ignore_ascii_case("close") => slot.lamp = false,
        _ => return Err(Answer::result("failed")),
    }
    Ok(Answer::ok())
}
