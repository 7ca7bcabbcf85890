//! Commands that change settings: network, Hik-Connect, unbinding, restoring inactive.

use hikproto::Secret;
use hikproto::xml::Element;

use super::super::device::DeviceView;
use super::{Answer, Counters, Ctx, Slot, Step, authorize, feature, unseal};

pub(super) fn update(
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

pub(super) fn reset_types(view: &DeviceView) -> Answer {
    let f = &view.features;
    Answer::ok()
        .with("PasswordResetTypeEnabled", "true")
        .with(
            "SecurityQuestionEnabled",
            b(f.security_questions && !view.security_questions.is_empty()),
        )
        .with("GuidFileDataEnabled", b(f.guid && view.guid.is_some()))
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

pub(super) fn set_platform(
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

pub(super) fn set_code(
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

pub(super) fn unbind(
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

pub(super) fn restore_inactive(
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
    view.export = None;
    view.mail_qr = None;
    view.guid = None;
    slot.phone_qr = None;
    Ok(Answer::ok().changed())
}
