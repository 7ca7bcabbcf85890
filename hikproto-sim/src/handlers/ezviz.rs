//! Hik-Connect (EZVIZ) platform access: `/ISAPI/System/Network/EZVIZ` and its companions
//! (isapi.md §5). Registration is decided by the simulated [`Platform`](crate::Platform).
//!
//! Forms the reference leaves open \[inf\]: `verificationCodeCheck` answers a `ResponseStatus`
//! (OK, or `checkCodeError`); `parameterTest` answers
//! `{"EZVIZParameterTest": {"registerStatus", "dnsResolve", "serverConnect",
//! "verificationCodeValid", "offlineStatus"}}`; the app QR code is the four-line label text
//! (`www.hik-connect.com`, short serial, code, model, CRLF-separated).

use std::time::Instant;

use base64::Engine as _;
use hikproto::Secret;
use hikproto::xml::Element;

use super::security::{field_cipher, read_field};
use super::{Call, b, body_json, body_xml, json, ok, refuse, xml};
use crate::crypto;
use crate::http::Reply;
use crate::platform::valid_code;

/// `GET /ISAPI/System/Network/EZVIZ[?security=1&iv=…]`. Without `security=1` the code is
/// shown in clear or left out, as the personality says.
pub(super) fn get(c: &mut Call<'_>) -> Reply {
    let cipher = match field_cipher(c) {
        Ok(ci) => ci,
        Err(r) => return r,
    };
    let reg = c.shared.platform.state().registration(c.rt);
    let ez = c.rt.cfg.ezviz.clone();
    let mut server =
        Element::new("serverAddress").push_text("addressingFormatType", ez.addressing.clone());
    server = if ez.addressing.eq_ignore_ascii_case("ipaddress") {
        server.push_text("ipAddress", ez.server_ip.clone())
    } else {
        server.push_text("hostName", ez.server_host.clone())
    };
    let mut e = Element::new("EZVIZ")
        .push_text("enabled", b(ez.enabled))
        .push_text("registerStatus", b(reg.registered))
        .push_text("redirect", b(ez.redirect))
        .push(server);
    if let Some(code) = &c.rt.cfg.verification_code {
        match &cipher {
            Some(ci) => e = e.push_text("verificationCode", ci.enc(code.expose())),
            None if c.rt.cfg.personality.verification_code_clear => {
                e = e.push_text("verificationCode", code.expose())
            }
            None => {}
        }
    }
    if !reg.registered {
        if let Some(reason) = reg.offline_reason {
            e = e.push_text("offlineStatus", reason);
        }
    } else {
        let op = crypto::sha256_hex(format!("{}operate", c.rt.cfg.serial));
        e = e.push_text("operateCode", op[..12].to_ascii_uppercase());
    }
    e = e
        .push_text("enabledTiming", b(ez.enabled_timing))
        .push_text("streamEncrypteEnabled", b(ez.stream_encryption))
        .push_text("convergenceCloudEnabled", b(ez.convergence_cloud))
        .push_text("netWork", ez.network.to_string())
        .push_text("bindStatus", if reg.bound { "bind" } else { "unbind" });
    xml(c.rt, e)
}

fn set_code(c: &mut Call<'_>, code: &str) -> Result<(), Reply> {
    if !valid_code(code) {
        return Err(refuse(c, "illegalVerificationCode"));
    }
    let new = Secret::new(code);
    if c.rt.cfg.verification_code.as_ref() != Some(&new) {
        c.rt.cfg.verification_code = Some(new);
        c.rt.ezviz_changed_at = Instant::now();
    }
    Ok(())
}

/// `PUT /ISAPI/System/Network/EZVIZ[?security=1&iv=…]`: read-modify-write; elements left out
/// keep their value. Enabling without any verification code gives `lackVerificationCode`.
pub(super) fn put(c: &mut Call<'_>) -> Reply {
    let cipher = match field_cipher(c) {
        Ok(ci) => ci,
        Err(r) => return r,
    };
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    if doc.name != "EZVIZ" {
        return refuse(c, "badXmlContent");
    }
    let before = c.rt.cfg.ezviz.clone();
    let mut ez = before.clone();
    if let Some(v) = doc.text_at("enabled") {
        match hikproto::xml::parse_bool(v) {
            Some(v) => ez.enabled = v,
            None => return refuse(c, "badParameters"),
        }
    }
    for (path, slot) in [
        ("redirect", &mut ez.redirect),
        ("enabledTiming", &mut ez.enabled_timing),
        ("streamEncrypteEnabled", &mut ez.stream_encryption),
        ("convergenceCloudEnabled", &mut ez.convergence_cloud),
    ] {
        if let Some(v) = doc.bool_at(path) {
            *slot = v;
        }
    }
    if let Some(n) = doc.text_at("netWork") {
        match n.parse::<u32>() {
            Ok(n) if n <= 4 => ez.network = n,
            _ => return refuse(c, "badParameters"),
        }
    }
    if let Some(t) = doc.text_at("serverAddress/addressingFormatType") {
        match t.to_ascii_lowercase().as_str() {
            "hostname" => ez.addressing = "hostname".into(),
            "ipaddress" => ez.addressing = "ipaddress".into(),
            _ => return refuse(c, "badParameters"),
        }
    }
    if let Some(h) = doc.text_at("serverAddress/hostName") {
        if h.len() > 128 || h.contains(char::is_whitespace) {
            return refuse(c, "badParameters");
        }
        ez.server_host = h.to_owned();
    }
    if let Some(ip) = doc.text_at("serverAddress/ipAddress") {
        ez.server_ip = ip.to_owned();
    }
    if let Some(v) = doc.text_at("verificationCode") {
        let Ok(code) = read_field(cipher.as_ref(), v) else {
            return refuse(c, "illegalVerificationCode");
        };
        if let Err(r) = set_code(c, &code) {
            return r;
        }
    }
    if ez.enabled && c.rt.cfg.verification_code.is_none() {
        return refuse(c, "lackVerificationCode");
    }
    if ez.enabled != before.enabled
        || ez.server_host != before.server_host
        || ez.server_ip != before.server_ip
        || ez.addressing != before.addressing
    {
        c.rt.ezviz_changed_at = Instant::now();
    }
    c.rt.cfg.ezviz = ez;
    if c.rt.cfg.personality.ezviz_reboot_required {
        refuse(c, "rebootRequired")
    } else {
        ok(c)
    }
}

/// `GET /ISAPI/System/Network/EZVIZ/capabilities`.
pub(super) fn capabilities(c: &mut Call<'_>) -> Reply {
    use super::system::el;
    let e = Element::new("EZVIZ")
        .push(el("enabled", "", &[("opt", "true,false")]))
        .push(el("verificationCode", "", &[("min", "6"), ("max", "12")]))
        .push(el("bindStatus", "", &[("opt", "bind,unbind")]))
        .push(el("netWork", "", &[("min", "0"), ("max", "4")]))
        .push_text("isSupportEnabledTiming", "true")
        .push_text("isSupportStreamEncrypt", "true");
    xml(c.rt, e)
}

/// `POST /ISAPI/System/Network/verificationCodeCheck`:
/// `<CheckInfo><randomString>R</randomString><verificationCode>base64(SHA256hex(R + code))</verificationCode></CheckInfo>`.
pub(super) fn check_code(c: &mut Call<'_>) -> Reply {
    let doc = match body_xml(c) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let (Some(r), Some(sent)) = (doc.text_at("randomString"), doc.text_at("verificationCode"))
    else {
        return refuse(c, "MessageParametersLack");
    };
    let Some(code) = c.rt.cfg.verification_code.clone() else {
        return refuse(c, "lackVerificationCode");
    };
    let hex_digest = crypto::sha256_hex(format!("{r}{}", code.expose()));
    let b64 = base64::engine::general_purpose::STANDARD;
    let as_text = b64.encode(hex_digest.as_bytes());
    let as_raw = hex::decode(&hex_digest)
        .map(|d| b64.encode(d))
        .unwrap_or_default();
    if crypto::ct_eq(sent.trim(), &as_text) || crypto::ct_eq(sent.trim(), &as_raw) {
        ok(c)
    } else {
        refuse(c, "checkCodeError")
    }
}

/// `PUT /ISAPI/System/Network/EZVIZ/unbind?format=json`: releases the account binding.
pub(super) fn unbind(c: &mut Call<'_>) -> Reply {
    let serial = c.rt.cfg.serial.clone();
    c.shared.platform.state().unbind(&serial);
    ok(c)
}

/// `GET /ISAPI/System/Network/EZVIZ/QRCode?format=json`.
pub(super) fn qr_code(c: &mut Call<'_>) -> Reply {
    let Some(code) = c.rt.cfg.verification_code.clone() else {
        return refuse(c, "lackVerificationCode");
    };
    let cfg = &c.rt.cfg;
    let short = cfg.short_serial();
    let text = format!(
        "www.hik-connect.com\r\n{short}\r\n{}\r\n{}\r\n",
        code.expose(),
        cfg.model
    );
    json(serde_json::json!({ "EZVIZQRCode": { "QRCode": text } }))
}

/// `GET|PUT|POST /ISAPI/System/Network/EZVIZ/parameterTest?format=json`.
pub(super) fn parameter_test(c: &mut Call<'_>) -> Reply {
    let reg = c.shared.platform.state().registration(c.rt);
    let reason = reg.offline_reason.unwrap_or("");
    json(serde_json::json!({
        "EZVIZParameterTest": {
            "registerStatus": reg.registered,
            "dnsResolve": reason != "dnsResolveFailed",
            "serverConnect": reg.registered || !matches!(reason, "serverUnreachable" | "dnsResolveFailed"),
            "verificationCodeValid": reason != "noVerificationCode" && reason != "secretKeyInvalid",
            "offlineStatus": reason,
        }
    }))
}

/// `PUT /ISAPI/System/Network/EZVIZ/secretKey?format=json[&security=1&iv=…]` with
/// `{"EZVIZSecretKey": {"secretKey": "…"}}`.
pub(super) fn secret_key(c: &mut Call<'_>) -> Reply {
    let cipher = match field_cipher(c) {
        Ok(ci) => ci,
        Err(r) => return r,
    };
    let v = match body_json(c) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(sent) = v
        .pointer("/EZVIZSecretKey/secretKey")
        .and_then(|x| x.as_str())
        .map(str::to_owned)
    else {
        return refuse(c, "MessageParametersLack");
    };
    if sent.len() > 64 {
        return refuse(c, "invalidEZVIZSecretKey");
    }
    let Ok(code) = read_field(cipher.as_ref(), &sent) else {
        return refuse(c, "invalidEZVIZSecretKey");
    };
    if !valid_code(&code) {
        return refuse(c, "invalidEZVIZSecretKey");
    }
    if let Err(r) = set_code(c, &code) {
        return r;
    }
    ok(c)
}
