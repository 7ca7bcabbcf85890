//! Offline checks of the secrets installers type: device passwords and Hik-Connect
//! verification codes. Pure functions: nothing is sent, and no secret is kept or echoed.

use std::ffi::c_char;

use hikproto_core::keys::{PasswordPolicy, VerificationCode};
use serde_json::json;

use crate::buffer::{opt_str_arg, str_arg, write_str};
use crate::error::{Fail, hikproto_error};
use crate::panic::ffi_call;
use crate::result::hikproto_result;

/// Password policy for `hikproto_password_check_json`: the standard rules (cameras, NVRs).
pub const HIKPROTO_PASSWORD_POLICY_STANDARD: u32 = 0;
/// Password policy for `hikproto_password_check_json`: the stricter DVR rules.
pub const HIKPROTO_PASSWORD_POLICY_DVR: u32 = 1;

/// Checks a device password for `user` against the device password policy and writes the
/// verdict as JSON into `buf`:
/// `{"acceptable": bool, "strength": "...", "level": 0-3, "issues": [...], "explanation": "..."}`.
/// The password is only read; it never appears in the output.
///
/// `policy`: `HIKPROTO_PASSWORD_POLICY_STANDARD` or `HIKPROTO_PASSWORD_POLICY_DVR`.
/// Buffer contract: on success `*out_n` is the text length; when `len` is too small,
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included.
/// Pure; any thread.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_password_check_json(
    user: *const c_char,
    password: *const c_char,
    policy: u32,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let user = str_arg(user, "user")?;
        let password = str_arg(password, "password")?;
        let policy = match policy {
            HIKPROTO_PASSWORD_POLICY_STANDARD => PasswordPolicy::standard(),
            HIKPROTO_PASSWORD_POLICY_DVR => PasswordPolicy::dvr(),
            n => return Err(Fail::invalid(format!("unknown password policy {n}"))),
        };
        let check = policy.check(user, password);
        let v = json!({
            "acceptable": check.is_acceptable(),
            "strength": check.strength,
            "level": check.strength.level(),
            "issues": check.issues,
            "explanation": check.explain(),
        });
        write_str(&crate::json::c_json(&v)?, buf, len, out_n)
    })
}

/// Checks a Hik-Connect verification code (6–12 letters and digits, not trivially guessable,
/// not derived from `serial` when one is given) and writes `{"acceptable": bool, "issues":
/// [...], "explanation": "..."}` into `buf`. `serial` may be NULL. The code never appears in
/// the output. Buffer contract as for `hikproto_password_check_json`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_verification_code_check_json(
    code: *const c_char,
    serial: *const c_char,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let code = str_arg(code, "code")?;
        let serial = opt_str_arg(serial, "serial")?;
        let issues = VerificationCode::issues(code, serial);
        let explanation = issues
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        let v = json!({
            "acceptable": issues.is_empty(),
            "issues": issues,
            "explanation": explanation,
        });
        write_str(&crate::json::c_json(&v)?, buf, len, out_n)
    })
}

/// Generates a random verification code of `code_len` characters (6–12; 0 means the default,
/// 10) with at least one letter and one digit, and writes it NUL-terminated into `buf`.
///
/// The library's copy is wiped before returning; the caller owns the one in `buf` and should
/// wipe it when done. Buffer contract as for `hikproto_password_check_json` (a too-small
/// buffer gets nothing, and a new code is made on the next call).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_verification_code_generate(
    code_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let code = if code_len == 0 {
            VerificationCode::generate()
        } else {
            VerificationCode::generate_with_len(code_len)?
        };
        // `code` zeroizes itself when dropped at the end of this closure.
        write_str(code.expose(), buf, len, out_n)
    })
}
