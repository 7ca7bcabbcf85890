//! What a device does with each SADP request.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use hikproto::Secret;
use hikproto::xml::{Element, Limits};
use zeroize::Zeroizing;

use super::crypto;
use super::device::{DeviceView, Quirks, SadpDevice, mac_key};
use super::policy::{Failure, LockPolicy, LockState, is_risky};
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
    pub(crate) exchange_ttl: std::time::Duration,
    pub(crate) export_ttl: std::time::Duration,
}

/// One device as the responder serves it: its state handle plus what lives only in SADP.
pub(crate) struct Slot {
    pub(crate) device: Arc<dyn SadpDevice>,
    pub(crate) quirks: Quirks,
    pub(crate) mac: String,
    pub(crate) lamp: bool,
    lock: LockState,
    keys: VecDeque<(SocketAddr, [u8; 16], Instant)>,
    export: Option<(String, Instant)>,
    guid: Option<String>,
    mail_qr: Option<String>,
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
            export: None,
            guid: None,
            mail_qr: None,
            phone_qr: None,
            unbind_status: "notBind",
            recent: VecDeque::new(),
        }
    }

    fn key_for(
        &self,
        from: SocketAddr,
        now: Instant,
        ttl: std::time::Duration,
    ) -> Option<[u8; 16]> {
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
            .map(|s| Out {
                bytes: wire::device_description(&s.device.load(), s.quirks, Some(uuid), t),
                discovery: true,
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
    let mut view = slot.device.load();
    let ctx = Ctx {
        rules,
        now,
        from,
        types,
    };
    let Some(ans) = command(slot, &mut view, &req, &ctx, stats) else {
        return Vec::new();
    };
    if ans.changed {
        slot.device.store(view);
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
    from: SocketAddr,
    types: &'a str,
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

fn failure(
    slot: &mut Slot,
    view: &DeviceView,
    ctx: &Ctx<'_>,
    token: &'static str,
    stats: &mut Counters,
) -> Answer {
    if !view.features.device_lock {
        return Answer::result(token);
    }
    let update = ctx.types == "update";
    match slot.lock.fail(&ctx.rules.lock, ctx.now) {
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
    let good = if pw
        .attr("bSalt")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        let salt = view
            .salt
            .as_deref()
            .ok_or_else(|| Answer::result("failed"))?;
        crypto::salted_matches(&view.admin_user, salt, stored, &pw.text)
    } else {
        let given = unseal(slot, ctx, &pw.text)?;
        !stored.is_empty() && given.as_str() == stored
    };
    if good {
        slot.lock.succeed();
        Ok(())
    } else {
        stats.wrong_passwords += 1;
        Err(failure(slot, view, ctx, "PasswordError", stats))
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
    if is_risky(&view.admin_user, &pw) {
        return Err(Answer::result("riskPassword"));
    }
    Ok(pw)
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

fn set_password(view: &mut DeviceView, pw: &str) {
    view.admin_password = Some(Secret::new(pw));
    view.activated = true;
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
        "update" => update(slot, view, req, ctx, stats),
        "getencryptstring" => encrypt_string(slot, view),
        "reset" => reset(slot, view, req, ctx, stats),
        "ExportGUID" => export_guid(slot, view, req, ctx, stats),
        "GUIDReset" => guid_reset(slot, view, req, ctx, stats),
        "getsecurityquestion" => Ok(get_questions(view)),
        "setsecurityquestion" => set_questions(slot, view, req, ctx, stats),
        "AnswerReset" => answer_reset(slot, view, req, ctx, stats),
        "SetMailBox" => set_mailbox(slot, view, req, ctx, stats),
        "GetQRcodes" => mail_qr(slot, view),
        "MailReset" => mail_reset(slot, view, req, ctx, stats),
        "GetPhoneNoQRCode" => phone_qr(slot, view),
        "PhoneNoReset" => phone_reset(slot, view, req, ctx, stats),
        "getPasswordResetType" => Ok(reset_types(slot, view)),
        "SetHCPlatform" => set_platform(slot, view, req, ctx, stats),
        "SetVerificationCode" => set_code(slot, view, req, ctx, stats),
        "ezvizUnbind" => unbind(slot, view, req, ctx, stats),
        "getUnbindStatus" => Ok(Answer::result(slot.unbind_status)),
        "restoreInactive" => restore_inactive(slot, view, req, ctx, stats),
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
    set_password(view, &pw);
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

fn update(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    authorize(slot, view, req, ctx, stats)?;
    let ip = |n: &str, alt: &str| {
        req.text_at(n)
            .or_else(|| req.text_at(alt))
            .and_then(|s| s.trim().parse().ok())
    };
    let (Some(addr), Some(mask)) = (
        ip("IPv4Address", "Ipv4Address"),
        ip("IPv4SubnetMask", "Ipv4SubnetMask"),
    ) else {
        return Err(Answer::result("failed"));
    };
    view.ipv4 = addr;
    view.mask = mask;
    if let Some(g) = ip("IPv4Gateway", "Ipv4Gateway") {
        view.gateway = g;
    }
    if let Some(v6) = req
        .text_at("IPv6Address")
        .and_then(|s| s.trim().parse().ok())
    {
        view.ipv6 = v6;
    }
    if let Some(v6) = req
        .text_at("IPv6Gateway")
        .and_then(|s| s.trim().parse().ok())
    {
        view.ipv6_gateway = v6;
    }
    if let Some(n) = req.num_at("IPv6MaskLen") {
        view.ipv6_mask_len = n;
    }
    if let Some(b) = req.bool_at("DHCP") {
        view.dhcp = b;
    }
    if let Some(p) = req.num_at("CommandPort") {
        view.command_port = p;
    }
    if let Some(p) = req.num_at("HttpPort") {
        view.http_port = p;
    }
    if let Some(p) = req.num_at("SDKOverTLSPort") {
        view.sdk_over_tls_port = p;
    }
    Ok(Answer::ok().changed())
}

fn encrypt_string(slot: &mut Slot, view: &DeviceView) -> Step<Answer> {
    feature(view.features.export_file)?;
    let s = tokens::random_token(48);
    slot.export = Some((s.clone(), Instant::now()));
    Ok(Answer::ok().with("EncryptString", s))
}

fn reset(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    not_locked(slot, view, ctx)?;
    if req.child("Password").is_none() {
        // legacy form: a security code restores the factory password
        feature(view.features.legacy_reset)?;
        let code = reset_code(slot, view, req, ctx)?;
        let date = view.boot_time.split(' ').next().unwrap_or("");
        if code.as_str() != tokens::legacy_code(&view.serial, date) {
            return Err(failure(slot, view, ctx, "codeError", stats));
        }
        slot.lock.succeed();
        set_password(view, "12345");
        return Ok(Answer::ok().changed());
    }
    feature(view.features.export_file)?;
    let Some((export, issued)) = slot.export.clone() else {
        return Err(Answer::result("emptyEncryptString"));
    };
    if ctx.now.duration_since(issued) > ctx.rules.export_ttl {
        return Err(Answer::result("exportFileOverDue"));
    }
    let code = reset_code(slot, view, req, ctx)?;
    if code.as_str() != tokens::support_reply(&export) {
        return Err(failure(slot, view, ctx, "codeError", stats));
    }
    let pw = new_password(slot, view, req, ctx)?;
    slot.lock.succeed();
    slot.export = None;
    set_password(view, &pw);
    Ok(Answer::ok().changed())
}

fn export_guid(
    slot: &mut Slot,
    view: &DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    feature(view.features.guid)?;
    authorize(slot, view, req, ctx, stats)?;
    let g = tokens::random_token(96);
    slot.guid = Some(g.clone());
    Ok(Answer::ok().with("GUID", g))
}

fn guid_reset(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    feature(view.features.guid)?;
    not_locked(slot, view, ctx)?;
    let given = req.text_at("GUID").unwrap_or("").trim();
    if slot.guid.as_deref() != Some(given) || given.is_empty() {
        return Err(failure(slot, view, ctx, "invalidGUID", stats));
    }
    let pw = new_password(slot, view, req, ctx)?;
    slot.lock.succeed();
    slot.guid = None;
    set_password(view, &pw);
    Ok(Answer::ok().changed())
}

fn get_questions(view: &DeviceView) -> Answer {
    let mut list = String::from("<QuestionList>");
    for (id, _) in &view.security_questions {
        list.push_str(&format!(
            "<Question><ID>{id}</ID><mark>true</mark></Question>"
        ));
    }
    list.push_str("</QuestionList>");
    Answer {
        raw: Some(list),
        ..Answer::ok()
    }
}

/// (id, answer) pairs of a `QuestionList`; answers decrypted.
fn questions(slot: &Slot, req: &Element, ctx: &Ctx<'_>) -> Step<Vec<(u32, Zeroizing<String>)>> {
    let list = req
        .child("QuestionList")
        .ok_or_else(|| Answer::result("QuestionNumErr"))?;
    list.children_named("Question")
        .map(|q| {
            let id = q.num_at("ID").ok_or_else(|| Answer::result("failed"))?;
            let a = q
                .text_at("Answer")
                .ok_or_else(|| Answer::result("failed"))?;
            Ok((id, unseal(slot, ctx, a)?))
        })
        .collect()
}

fn set_questions(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    feature(view.features.security_questions)?;
    authorize(slot, view, req, ctx, stats)?;
    let qs = questions(slot, req, ctx)?;
    if qs.len() != 3 || (1..3).any(|i| qs[..i].iter().any(|(id, _)| *id == qs[i].0)) {
        return Err(Answer::result("QuestionNumErr"));
    }
    if qs.iter().any(|(_, a)| a.is_empty() || a.len() > 256) {
        return Err(Answer::result("LongAnswer"));
    }
    view.security_questions = qs
        .iter()
        .map(|(id, a)| (*id, Secret::new(a.as_str())))
        .collect();
    Ok(Answer::ok().changed())
}

fn answer_reset(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    feature(view.features.security_questions)?;
    not_locked(slot, view, ctx)?;
    if view.security_questions.is_empty() {
        return Err(Answer::result("failed"));
    }
    let qs = questions(slot, req, ctx)?;
    if qs.len() != view.security_questions.len() {
        return Err(Answer::result("QuestionNumErr"));
    }
    let all_right = view.security_questions.iter().all(|(id, want)| {
        qs.iter()
            .any(|(i, got)| i == id && got.as_str() == want.expose())
    });
    if !all_right {
        return Err(failure(slot, view, ctx, "AnswerError", stats));
    }
    let pw = new_password(slot, view, req, ctx)?;
    slot.lock.succeed();
    set_password(view, &pw);
    Ok(Answer::ok().changed())
}

fn set_mailbox(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    feature(view.features.mailbox)?;
    authorize(slot, view, req, ctx, stats)?;
    let mail = unseal(slot, ctx, req.text_at("MailBox").unwrap_or(""))?;
    if !mail.contains('@') {
        return Err(Answer::result("failed"));
    }
    view.mailbox = Some(mail.to_string());
    slot.mail_qr = None;
    Ok(Answer::ok().changed())
}

fn masked(mail: &str) -> String {
    match mail.split_once('@') {
        Some((user, domain)) => format!("{}***@{domain}", user.chars().next().unwrap_or('*')),
        None => "***".into(),
    }
}

fn mail_qr(slot: &mut Slot, view: &DeviceView) -> Step<Answer> {
    feature(view.features.mailbox)?;
    let mail = view
        .mailbox
        .as_deref()
        .ok_or_else(|| Answer::result("notSetMailBox"))?;
    let qr = tokens::random_token(32);
    slot.mail_qr = Some(qr.clone());
    Ok(Answer::ok()
        .with("QRcodes", qr)
        .with("MailBox", masked(mail))
        .with("MailServiceBox", "pw_recovery@sim.hikproto.invalid"))
}

fn mail_reset(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    feature(view.features.mailbox)?;
    not_locked(slot, view, ctx)?;
    if view.mailbox.is_none() {
        return Err(Answer::result("notSetMailBox"));
    }
    let qr = slot
        .mail_qr
        .clone()
        .ok_or_else(|| Answer::result("codeError"))?;
    let code = reset_code(slot, view, req, ctx)?;
    if !code.trim().eq_ignore_ascii_case(&tokens::mail_code(&qr)) {
        return Err(failure(slot, view, ctx, "codeError", stats));
    }
    let pw = new_password(slot, view, req, ctx)?;
    slot.lock.succeed();
    slot.mail_qr = None;
    set_password(view, &pw);
    Ok(Answer::ok().changed())
}

fn phone_qr(slot: &mut Slot, view: &DeviceView) -> Step<Answer> {
    feature(view.features.phone_reset)?;
    if view.bound_account.is_none() {
        return Err(Answer::result("notSetPhoneNo"));
    }
    let qr = tokens::random_token(32);
    slot.phone_qr = Some(qr.clone());
    Ok(Answer::ok()
        .with("QRCode", qr)
        .with("DomainName", "sim.hik-connect.invalid")
        .with("Model", view.model.clone()))
}

fn phone_reset(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    feature(view.features.phone_reset)?;
    not_locked(slot, view, ctx)?;
    if view.bound_account.is_none() {
        return Err(Answer::result("notSetPhoneNo"));
    }
    let qr = slot
        .phone_qr
        .clone()
        .ok_or_else(|| Answer::result("codeError"))?;
    let code = reset_code(slot, view, req, ctx)?;
    if !code.trim().eq_ignore_ascii_case(&tokens::app_code(&qr)) {
        return Err(failure(slot, view, ctx, "codeError", stats));
    }
    let pw = new_password(slot, view, req, ctx)?;
    slot.lock.succeed();
    slot.phone_qr = None;
    set_password(view, &pw);
    Ok(Answer::ok().changed())
}

fn reset_types(slot: &Slot, view: &DeviceView) -> Answer {
    let f = &view.features;
    Answer::ok()
        .with("PasswordResetTypeEnabled", "true")
        .with(
            "SecurityQuestionEnabled",
            b(f.security_questions && !view.security_questions.is_empty()),
        )
        .with("GuidFileDataEnabled", b(f.guid && slot.guid.is_some()))
        .with(
            "SecurityEmailEnabled",
            b(f.mailbox && view.mailbox.is_some()),
        )
        .with(
            "HCVerificationCodeEnabled",
            b(f.phone_reset && view.bound_account.is_some()),
        )
}

fn b(v: bool) -> &'static str {
    if v { "true" } else { "false" }
}

fn set_platform(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    feature(view.features.hc_platform)?;
    authorize(slot, view, req, ctx, stats)?;
    let on = req
        .bool_at("HCPlatformEnable")
        .ok_or_else(|| Answer::result("failed"))?;
    view.platform_enabled = on;
    Ok(Answer::ok().changed())
}

fn set_code(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    feature(view.features.hc_platform)?;
    authorize(slot, view, req, ctx, stats)?;
    let code = unseal(slot, ctx, req.text_at("VerificationCode").unwrap_or(""))?;
    let valid = (6..=12).contains(&code.len())
        && code.bytes().all(|c| c.is_ascii_alphanumeric())
        && code.bytes().any(|c| c.is_ascii_alphabetic());
    if !valid {
        return Err(Answer::result("IllegalVerificationCode"));
    }
    view.verification_code = Some(Secret::new(code.as_str()));
    Ok(Answer::ok().changed())
}

fn unbind(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    feature(view.features.ezviz_unbind)?;
    authorize(slot, view, req, ctx, stats)?;
    slot.unbind_status = if !view.platform_enabled {
        "unenableHCPlatform"
    } else if !view.platform_online {
        "offlineHCPlatform"
    } else if view.bound_account.is_none() {
        "notBind"
    } else {
        view.bound_account = None;
        "success"
    };
    Ok(Answer::ok().changed())
}

fn restore_inactive(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    feature(view.features.restore_inactive)?;
    authorize(slot, view, req, ctx, stats)?;
    view.activated = false;
    view.admin_password = None;
    slot.export = None;
    slot.guid = None;
    slot.mail_qr = None;
    slot.phone_qr = None;
    Ok(Answer::ok().changed())
}
