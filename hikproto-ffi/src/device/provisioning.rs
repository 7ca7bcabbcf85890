//! Provisioning a `hikproto_device`: activation, passwords, Hik-Connect platform access,
//! verification codes, binding and registration, and the doctor.

use std::ffi::c_char;
use std::time::Duration;

use hikproto_core::doctor::UserInputs;
use hikproto_core::keys::{Password, VerificationCode};

use crate::buffer::{opt_str_arg, secret_arg, str_arg};
use crate::call::{BoolOut, Discard, JsonOut};
use crate::error::{Fail, hikproto_error};
use crate::result::hikproto_result;

use super::{device_op, hikproto_device};

/// Reads whether the device is activated (`GET /SDK/activateStatus`, no login needed) and
/// writes `{"activated": bool, ...}` into `buf`. Buffer contract: on success `*out_n` is the
/// text length; when `len` is too small, `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is
/// the size needed, NUL included (a retry asks the device again). Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_activation_status_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_activation_status_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_activation_status_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_activation_status_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_activation_status_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_activation_status_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| Ok(d.activation_status()))
}

/// Activates a device in factory state with `admin` and `password` (checked against the
/// password policy first: `INVALID_ARGUMENT` with the reasons). Afterwards the handle logs in
/// as `admin` with this password. `ALREADY_ACTIVATED` when the device has an admin password; a
/// `riskPassword` refusal is `DEVICE_REFUSED` with sub-status `riskPassword`. The password is
/// copied into memory that is wiped. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_activate(
    device: *const hikproto_device,
    password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| {
        let password = Password::new("admin", secret_arg(password, "password")?)?;
        Ok(async move { d.activate(&password).await })
    })
}

/// Changes `user`'s password to `new_password` (policy-checked first). The handle's own
/// password confirms the change; when `user` is the handle's user, the handle switches to the
/// new password. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_change_password(
    device: *const hikproto_device,
    user: *const c_char,
    new_password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| {
        let user = str_arg(user, "user")?;
        let password = Password::new(user, secret_arg(new_password, "new_password")?)?;
        Ok(async move { d.change_password(user, &password, None).await })
    })
}

/// Reads the Hik-Connect platform-access settings (`EZVIZ`) and writes them as JSON into
/// `buf`: `enabled`, `registerStatus`, `serverAddress`, `offlineStatus`, `bindStatus`, … The
/// verification code is never included. Buffer contract as for
/// `hikproto_device_activation_status_json`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_platform_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_platform_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_platform_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_platform_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_platform_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_platform_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| Ok(d.ezviz()))
}

/// Enables Hik-Connect platform access with verification code `code` (6–12 letters and
/// digits, checked first). The code is copied into memory that is wiped. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_enable_platform_access(
    device: *const hikproto_device,
    code: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| {
        let code = VerificationCode::new(secret_arg(code, "code")?)?;
        Ok(async move { d.enable_platform_access(&code).await })
    })
}

/// Disables Hik-Connect platform access. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_disable_platform_access(
    device: *const hikproto_device,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(
        device,
        err_out,
        Discard,
        |d| Ok(d.disable_platform_access()),
    )
}

/// Sets the Hik-Connect verification code (checked first). Note: a device already bound to an
/// account keeps working with the platform under the old code until it is re-added there.
/// Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_set_verification_code(
    device: *const hikproto_device,
    code: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| {
        let code = VerificationCode::new(secret_arg(code, "code")?)?;
        Ok(async move { d.set_verification_code(&code).await })
    })
}

/// Runs the doctor on the device: gathers its facts (one login at most) and writes the
/// diagnosis as JSON into `buf`: the findings, most likely first, each with a stable `id`, the
/// cause in plain words, the evidence, a confidence and the remedy steps.
///
/// `stored_code`: the verification code the failing app or VMS stores (compared with the
/// device's), or NULL. Buffer contract as for `hikproto_device_activation_status_json` (a retry
/// gathers again). Unreachable facts become findings, not errors. `healthy` is true only when
/// no finding fired and every fact the rules need was read; otherwise `unchecked` lists each
/// unread fact with its error. Remedy steps name C functions (`call`). Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_doctor_json(
    device: *const hikproto_device,
    stored_code: *const c_char,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_doctor_json_to(device, stored_code, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_doctor_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_doctor_json_alloc(
    device: *const hikproto_device,
    stored_code: *const c_char,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_doctor_json_to(device, stored_code, JsonOut::alloc(out), err_out)
}

fn hikproto_device_doctor_json_to(
    device: *const hikproto_device,
    stored_code: *const c_char,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| {
        let inputs = UserInputs {
            stored_code: opt_str_arg(stored_code, "stored_code")?
                .map(|c| hikproto_core::Secret::new(c.to_owned())),
            ..UserInputs::default()
        };
        Ok(async move {
            let report = d.doctor(&inputs).await;
            let shown = report.for_audience(hikproto_core::doctor::Audience::C);
            let value = serde_json::to_value(shown)
                .map_err(|e| Fail::new(hikproto_result::Decode, e.to_string()))?;
            Ok::<_, Fail>(crate::shape::doctor_value(value))
        })
    })
}

/// Checks whether `code` is the device's Hik-Connect verification code without reading it back
/// (`POST /ISAPI/System/Network/verificationCodeCheck`; on devices without that endpoint the
/// code is read, encrypted where offered, and compared in constant time). `code` is checked
/// first (6–12 letters and digits) and copied into memory that is wiped. `*out_matches`
/// (required) receives the answer. Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_check_verification_code(
    device: *const hikproto_device,
    code: *const c_char,
    out_matches: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, BoolOut(out_matches, "out_matches"), |d| {
        let code = VerificationCode::new(secret_arg(code, "code")?)?;
        Ok(async move { d.check_verification_code(&code).await })
    })
}

/// Unbinds the device from its Hik-Connect account (`…/EZVIZ/unbind`; PUT, or POST on devices
/// that refuse the PUT: the method is not documented). Returns no text: success is the answer.
/// Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_unbind_platform(
    device: *const hikproto_device,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| Ok(d.unbind_platform()))
}

/// Runs the device's platform parameter test (`…/EZVIZ/parameterTest`; GET, or PUT on devices
/// that refuse the GET: the method is not documented) and writes the device's JSON answer, as
/// sent, into `buf`. Buffer contract as for `hikproto_device_activation_status_json` (a retry
/// runs the test again). Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_test_platform_parameters_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_test_platform_parameters_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_test_platform_parameters_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_test_platform_parameters_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_test_platform_parameters_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_test_platform_parameters_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| Ok(d.test_platform_parameters()))
}

/// The longest wait `hikproto_device_wait_until_registered` accepts: one hour.
pub const HIKPROTO_MAX_REGISTER_WAIT_MS: u32 = 3_600_000;

/// Polls the Hik-Connect settings until the device reports itself registered with the
/// platform, then writes them as JSON into `buf` (the shape of `hikproto_device_platform_json`).
/// `timeout_ms`: 1 to `HIKPROTO_MAX_REGISTER_WAIT_MS` (`INVALID_ARGUMENT` otherwise). When it
/// passes first: `TIMEOUT`, the message naming the device's last `offlineStatus`. Buffer
/// contract as for `hikproto_device_activation_status_json` (a retry waits again).
/// Thread-safety: any thread. Blocks the calling thread for up to `timeout_ms` (plus one
/// request's deadline).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_wait_until_registered(
    device: *const hikproto_device,
    timeout_ms: u32,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_wait_until_registered_to(
        device,
        timeout_ms,
        JsonOut::new(buf, len, out_n),
        err_out,
    )
}

/// As `hikproto_device_wait_until_registered`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_wait_until_registered_alloc(
    device: *const hikproto_device,
    timeout_ms: u32,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_wait_until_registered_to(device, timeout_ms, JsonOut::alloc(out), err_out)
}

fn hikproto_device_wait_until_registered_to(
    device: *const hikproto_device,
    timeout_ms: u32,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| {
        if !(1..=HIKPROTO_MAX_REGISTER_WAIT_MS).contains(&timeout_ms) {
            return Err(Fail::invalid(format!(
                "timeout_ms must be between 1 and {HIKPROTO_MAX_REGISTER_WAIT_MS}"
            )));
        }
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        Ok(async move { d.wait_until_registered(timeout).await })
    })
}
