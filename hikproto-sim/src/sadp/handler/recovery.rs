//! The password-recovery commands: export file, GUID, security questions, e-mail, app.
//!
//! Wrong codes, answers and GUIDs count against the same lock-out as wrong passwords.

use hikproto::Secret;
use hikproto::xml::Element;
use zeroize::Zeroizing;

use super::super::device::{DeviceView, ReplyCheck};
use super::super::tokens;
use super::{
    Answer, Counters, Ctx, Slot, Step, authorize, failure, feature, new_password, not_locked,
    reset_code, set_password, unseal,
};

/// The common gate of every reset: the device offers the route and SADP is not locked.
fn reset_gate(slot: &mut Slot, view: &DeviceView, ctx: &Ctx<'_>, offered: bool) -> Step<()> {
    feature(offered)?;
    not_locked(slot, view, ctx)
}

/// Ends a reset whose secret was accepted: the new password is checked, the failure count
/// cleared and the password set; `SyncIPCPassword=true` asks a recorder to pass it on to its
/// cameras ([`DeviceView::sync_ipc_password`]).
fn complete_reset(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
) -> Step<Answer> {
    let pw = new_password(slot, view, req, ctx)?;
    slot.lock.succeed();
    let sync = req.bool_at("SyncIPCPassword").unwrap_or(false);
    set_password(view, &pw, sync);
    Ok(Answer::ok().changed())
}

pub(super) fn encrypt_string(
    slot: &mut Slot,
    view: &mut DeviceView,
    ctx: &Ctx<'_>,
) -> Step<Answer> {
    feature(view.features.export_file)?;
    let s = slot.device.new_export(view);
    view.export = Some((s.clone(), ctx.now_sys));
    Ok(Answer::ok().with("EncryptString", s).changed())
}

pub(super) fn reset(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    if req.child("Password").is_none() {
        return legacy_reset(slot, view, req, ctx, stats);
    }
    reset_gate(slot, view, ctx, view.features.export_file)?;
    let Some((export, made)) = view.export.clone() else {
        return Err(Answer::result("emptyEncryptString"));
    };
    let validity = slot
        .device
        .export_validity()
        .unwrap_or(ctx.rules.export_ttl);
    if ctx.expired(made, validity) {
        return Err(Answer::result("exportFileOverDue"));
    }
    let code = reset_code(slot, view, req, ctx)?;
    match slot.device.check_reply(view, &export, &code) {
        ReplyCheck::Valid => {}
        ReplyCheck::Stale => return Err(Answer::result("exportFileOverDue")),
        ReplyCheck::Wrong => return Err(failure(slot, view, ctx, "codeError", &code, stats)),
    }
    let done = complete_reset(slot, view, req, ctx)?;
    view.export = None;
    Ok(done)
}

/// The legacy form (a security code only) restores the factory password.
fn legacy_reset(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    reset_gate(slot, view, ctx, view.features.legacy_reset)?;
    let code = reset_code(slot, view, req, ctx)?;
    let date = view.boot_time.split(' ').next().unwrap_or("");
    if code.as_str() != tokens::legacy_code(&view.serial, date) {
        return Err(failure(slot, view, ctx, "codeError", &code, stats));
    }
    slot.lock.succeed();
    set_password(view, "12345", false);
    Ok(Answer::ok().changed())
}

pub(super) fn export_guid(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    feature(view.features.guid)?;
    authorize(slot, view, req, ctx, stats)?;
    let g = slot.device.new_guid();
    let wire = slot.device.guid_on_wire(&g);
    view.guid = Some(g);
    Ok(Answer::ok().with("GUID", wire).changed())
}

pub(super) fn guid_reset(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    reset_gate(slot, view, ctx, view.features.guid)?;
    let given = req.text_at("GUID").unwrap_or("");
    let ok = view
        .guid
        .as_ref()
        .is_some_and(|g| slot.device.check_guid(g, given));
    if !ok {
        return Err(failure(slot, view, ctx, "invalidGUID", given, stats));
    }
    complete_reset(slot, view, req, ctx)
}

pub(super) fn get_questions(view: &DeviceView) -> Answer {
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

pub(super) fn set_questions(
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

pub(super) fn answer_reset(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    reset_gate(slot, view, ctx, view.features.security_questions)?;
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
        let given: String = qs
            .iter()
            .map(|(i, a)| format!("{i}={}\n", a.as_str()))
            .collect();
        return Err(failure(slot, view, ctx, "AnswerError", &given, stats));
    }
    complete_reset(slot, view, req, ctx)
}

pub(super) fn set_mailbox(
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
    view.mail_qr = None;
    Ok(Answer::ok().changed())
}

fn masked(mail: &str) -> String {
    match mail.split_once('@') {
        Some((user, domain)) => format!("{}***@{domain}", user.chars().next().unwrap_or('*')),
        None => "***".into(),
    }
}

pub(super) fn mail_qr(slot: &mut Slot, view: &mut DeviceView, ctx: &Ctx<'_>) -> Step<Answer> {
    feature(view.features.mailbox)?;
    let mail = view
        .mailbox
        .clone()
        .ok_or_else(|| Answer::result("notSetMailBox"))?;
    let qr = slot.device.new_mail_qr(view, &mail);
    view.mail_qr = Some((qr.clone(), ctx.now_sys));
    Ok(Answer::ok()
        .with("QRcodes", qr)
        .with("MailBox", masked(&mail))
        .with("MailServiceBox", "pw_recovery@sim.hikproto.invalid")
        .changed())
}

pub(super) fn mail_reset(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    reset_gate(slot, view, ctx, view.features.mailbox)?;
    if view.mailbox.is_none() {
        return Err(Answer::result("notSetMailBox"));
    }
    let (qr, made) = view
        .mail_qr
        .clone()
        .ok_or_else(|| Answer::result("codeError"))?;
    let code = reset_code(slot, view, req, ctx)?;
    let fresh = slot
        .device
        .mail_validity()
        .is_none_or(|v| !ctx.expired(made, v));
    if !fresh || !slot.device.check_mail_code(&qr, &code) {
        return Err(failure(slot, view, ctx, "codeError", &code, stats));
    }
    let done = complete_reset(slot, view, req, ctx)?;
    view.mail_qr = None;
    Ok(done)
}

pub(super) fn phone_qr(slot: &mut Slot, view: &DeviceView) -> Step<Answer> {
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

pub(super) fn phone_reset(
    slot: &mut Slot,
    view: &mut DeviceView,
    req: &Element,
    ctx: &Ctx<'_>,
    stats: &mut Counters,
) -> Step<Answer> {
    reset_gate(slot, view, ctx, view.features.phone_reset)?;
    if view.bound_account.is_none() {
        return Err(Answer::result("notSetPhoneNo"));
    }
    let qr = slot
        .phone_qr
        .clone()
        .ok_or_else(|| Answer::result("codeError"))?;
    let code = reset_code(slot, view, req, ctx)?;
    if !code.trim().eq_ignore_ascii_case(&tokens::app_code(&qr)) {
        return Err(failure(slot, view, ctx, "codeError", &code, stats));
    }
    let done = complete_reset(slot, view, req, ctx)?;
    slot.phone_qr = None;
    Ok(done)
}
