//! SADP commands that read or change a device's settings: activation, network parameters,
//! Hik-Connect platform access and verification code, unbinding, security questions, the
//! reserved e-mail, restoring the inactive state, the locator LED, and the read-only queries.
//!
//! `password` arguments are the device's current admin password (it authorises the change);
//! `new_password` arguments are checked against the device password policy before anything is
//! sent (`INVALID_ARGUMENT` with the reasons). A wrong password is `CREDENTIALS_REJECTED`
//! (attempts left in the error object), a lock `LOCKED` (seconds left), a risky password
//! `DEVICE_REFUSED`; a silent device `TIMEOUT`.

use std::ffi::c_char;
use std::net::{Ipv4Addr, Ipv6Addr};

use hikproto_core::Secret;
use hikproto_core::keys::Password;
use hikproto_core::sadp::NetworkParams;
use serde::Deserialize;

use crate::buffer::{answers_arg, secret_arg, str_arg};
use crate::call::{Discard, JsonOut, TextOut};
use crate::error::{Fail, hikproto_error};
use crate::result::hikproto_result;

use super::{TargetInner, hikproto_sadp_client, hikproto_sadp_target, sadp_op};

/// A new admin password for the target, checked against the device password policy.
pub(crate) fn new_password(t: &TargetInner, p: *const c_char) -> Result<Secret, Fail> {
    let pw = Password::new(&t.target.user, secret_arg(p, "new_password")?)?;
    Ok(pw.secret().clone())
}

/// Sets the first admin password of a device in factory state (SADP `activate`). The password
/// is policy-checked first; `ALREADY_ACTIVATED` when the device has an admin password.
/// Blocks until the device answers or the client's timeout passes.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_activate(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    new_password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, Discard, |c, t| {
        let pw = self::new_password(t, new_password)?;
        Ok(async move { c.activate(&t.target, &pw).await })
    })
}

/// The network parameters a caller may change; absent fields keep the device's value.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NetworkChange {
    ipv4_address: Option<Ipv4Addr>,
    ipv4_subnet_mask: Option<Ipv4Addr>,
    ipv4_gateway: Option<Ipv4Addr>,
    ipv6_address: Option<Ipv6Addr>,
    ipv6_gateway: Option<Ipv6Addr>,
    ipv6_mask_len: Option<u8>,
    dhcp: Option<bool>,
    command_port: Option<u16>,
    http_port: Option<u16>,
    sdk_over_tls_port: Option<u16>,
}

impl NetworkChange {
    fn params(self, t: &TargetInner) -> Result<NetworkParams, Fail> {
        let mut p = match &t.info {
            Some(pm) => NetworkParams::from_probe_match(pm)?,
            None => NetworkParams {
                ipv4_address: self.ipv4_address.ok_or_else(|| {
                    Fail::invalid("ipv4Address is needed (the target has no discovery reply)")
                })?,
                ipv4_subnet_mask: self.ipv4_subnet_mask.ok_or_else(|| {
                    Fail::invalid("ipv4SubnetMask is needed (the target has no discovery reply)")
                })?,
                ipv4_gateway: Ipv4Addr::UNSPECIFIED,
                ipv6_address: Ipv6Addr::UNSPECIFIED,
                ipv6_gateway: Ipv6Addr::UNSPECIFIED,
                ipv6_mask_len: 64,
                dhcp: false,
                command_port: 8000,
                http_port: None,
                sdk_over_tls_port: None,
            },
        };
        p.ipv4_address = self.ipv4_address.unwrap_or(p.ipv4_address);
        p.ipv4_subnet_mask = self.ipv4_subnet_mask.unwrap_or(p.ipv4_subnet_mask);
        p.ipv4_gateway = self.ipv4_gateway.unwrap_or(p.ipv4_gateway);
        p.ipv6_address = self.ipv6_address.unwrap_or(p.ipv6_address);
        p.ipv6_gateway = self.ipv6_gateway.unwrap_or(p.ipv6_gateway);
        p.ipv6_mask_len = self.ipv6_mask_len.unwrap_or(p.ipv6_mask_len);
        p.dhcp = self.dhcp.unwrap_or(p.dhcp);
        p.command_port = self.command_port.unwrap_or(p.command_port);
        p.http_port = self.http_port.or(p.http_port);
        p.sdk_over_tls_port = self.sdk_over_tls_port.or(p.sdk_over_tls_port);
        Ok(p)
    }
}

/// Changes the device's network parameters (SADP `update`), authorised by `password`.
///
/// `settings_json`: a JSON object with any of `ipv4Address`, `ipv4SubnetMask`, `ipv4Gateway`,
/// `ipv6Address`, `ipv6Gateway`, `ipv6MaskLen`, `dhcp` (bool), `commandPort`, `httpPort`,
/// `sdkOverTlsPort`; unknown names give `INVALID_ARGUMENT`. Every parameter is sent: absent
/// ones keep what the device reported in discovery (a target made with
/// `hikproto_sadp_target_new` has no report, so `ipv4Address` and `ipv4SubnetMask` are then
/// required). Uses the salted password form when the target has a `Salt`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_update_network(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    settings_json: *const c_char,
    password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, Discard, |c, t| {
        let change: NetworkChange = serde_json::from_str(str_arg(settings_json, "settings_json")?)
            .map_err(|e| Fail::invalid(format!("settings_json is not valid: {e}")))?;
        let params = change.params(t)?;
        let pw = secret_arg(password, "password")?;
        Ok(async move { c.update_network(&t.target, &params, &pw).await })
    })
}

/// Writes the device's legacy "device code" (SADP `getcode`, base64) into `buf`, the text a
/// user sends to support on old firmware. hikproto never computes reset codes. Buffer
/// contract: on success `*out_n` is the text length; when `len` is too small,
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included (a retry
/// asks the device again). Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_device_code(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_device_code_to(client, target, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_sadp_device_code`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_device_code_alloc(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_device_code_to(client, target, JsonOut::alloc(out), err_out)
}

fn hikproto_sadp_device_code_to(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, TextOut(out), |c, t| {
        Ok(c.device_code(&t.target))
    })
}

/// Writes the device's "encrypted string" for the export-file reset (SADP `getencryptstring`)
/// into `buf`: up to 1024 characters, so pass at least 1025 bytes. Each request makes a new
/// string and invalidates the earlier ones (and support's replies to them), so a
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` retry also invalidates the one not received. To keep it
/// with the serial and boot time for a later reply check, prefer
/// `hikproto_sadp_export_key_file`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_encrypt_string(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_encrypt_string_to(client, target, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_sadp_encrypt_string`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_encrypt_string_alloc(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_encrypt_string_to(client, target, JsonOut::alloc(out), err_out)
}

fn hikproto_sadp_encrypt_string_to(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, TextOut(out), |c, t| {
        Ok(c.encrypt_string(&t.target))
    })
}

/// Writes which reset methods the device has configured (SADP `getPasswordResetType`) as JSON
/// into `buf`: `{"resetTypeEnabled": …, "securityQuestion": …, "guidFile": …, "securityEmail": …,
/// "hcVerificationCode": …}`, each a bool or `null` when the device did not say. Buffer
/// contract as for `hikproto_sadp_device_code`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_password_reset_types_json(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_password_reset_types_json_to(
        client,
        target,
        JsonOut::new(buf, len, out_n),
        err_out,
    )
}

/// As `hikproto_sadp_password_reset_types_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_password_reset_types_json_alloc(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_password_reset_types_json_to(client, target, JsonOut::alloc(out), err_out)
}

fn hikproto_sadp_password_reset_types_json_to(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, out, |c, t| {
        Ok(c.password_reset_types(&t.target))
    })
}

/// Writes the security-question slots (SADP `getsecurityquestion`) as a JSON array into
/// `buf`: `[{"id": n, "isSet": bool}, …]`. Answers are never readable. Buffer contract as for
/// `hikproto_sadp_device_code`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_security_questions_json(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_security_questions_json_to(client, target, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_sadp_security_questions_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_security_questions_json_alloc(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_security_questions_json_to(client, target, JsonOut::alloc(out), err_out)
}

fn hikproto_sadp_security_questions_json_to(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, out, |c, t| {
        Ok(c.security_questions(&t.target))
    })
}

/// Sets the three security questions (SADP `setsecurityquestion`): question `ids[i]` gets
/// answer `answers[i]`, for `i < n` (`n` must be 3; IDs distinct; answers 1–256 bytes),
/// authorised by `password`. Answers are copied into memory that is wiped. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_set_security_questions(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    ids: *const u32,
    answers: *const *const c_char,
    n: usize,
    password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, Discard, |c, t| {
        let answers = answers_arg(ids, answers, n)?;
        let pw = secret_arg(password, "password")?;
        Ok(async move { c.set_security_questions(&t.target, &answers, &pw).await })
    })
}

/// Sets the reserved e-mail address for the e-mail reset (SADP `SetMailBox`), authorised by
/// `password`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_set_mailbox(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    email: *const c_char,
    password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, Discard, |c, t| {
        let email = str_arg(email, "email")?;
        let pw = secret_arg(password, "password")?;
        Ok(async move { c.set_mailbox(&t.target, email, &pw).await })
    })
}

/// Enables (`enable` true) or disables Hik-Connect platform access (SADP `SetHCPlatform`),
/// authorised by `password`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_set_platform_access(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    enable: bool,
    password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, Discard, |c, t| {
        let pw = secret_arg(password, "password")?;
        Ok(async move { c.set_hc_platform(&t.target, enable, &pw).await })
    })
}

/// Sets the Hik-Connect verification code (SADP `SetVerificationCode`; 6–12 printable
/// characters, checked first), authorised by `password`. The code is copied into memory that
/// is wiped. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_set_verification_code(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    code: *const c_char,
    password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, Discard, |c, t| {
        let code = secret_arg(code, "code")?;
        let pw = secret_arg(password, "password")?;
        Ok(async move { c.set_verification_code(&t.target, &code, &pw).await })
    })
}

/// Releases the device from its Hik-Connect account (SADP `ezvizUnbind`), authorised by
/// `password`. Check the outcome with `hikproto_sadp_unbind_status_json`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_unbind(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, Discard, |c, t| {
        let pw = secret_arg(password, "password")?;
        Ok(async move { c.unbind_hik_connect(&t.target, &pw).await })
    })
}

/// Writes the outcome of the last unbind (SADP `getUnbindStatus`) as JSON into `buf`: one of
/// `"Success"`, `"NotBound"`, `"PlatformDisabled"`, `"PlatformOffline"`, or `{"other": "…"}`
/// with the device's token. Buffer contract as for `hikproto_sadp_device_code`. Blocks until
/// done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_unbind_status_json(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_unbind_status_json_to(client, target, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_sadp_unbind_status_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_unbind_status_json_alloc(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_unbind_status_json_to(client, target, JsonOut::alloc(out), err_out)
}

fn hikproto_sadp_unbind_status_json_to(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, out, |c, t| {
        Ok(c.unbind_status(&t.target))
    })
}

/// Returns the device to "not activated" (SADP `restoreInactive`), authorised by `password`;
/// it then needs `hikproto_sadp_activate`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_restore_inactive(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, Discard, |c, t| {
        let pw = secret_arg(password, "password")?;
        Ok(async move { c.restore_inactive(&t.target, &pw).await })
    })
}

/// Switches the device's locator LED on (blinking, `on` true) or off (SADP `lamp`), to find it
/// in a rack. No password. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_blink(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    on: bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, Discard, |c, t| {
        Ok(c.blink(&t.target, on))
    })
}
