//! More operations on a `hikproto_device`: credentials and the lock-out latch, session login,
//! reading any resource as JSON, the password-recovery plan.

use std::ffi::c_char;

use hikproto_core::client::Request;

use crate::buffer::{secret_arg, str_arg};
use crate::call::{Discard, JsonOut, TextOut};
use crate::decode::decode_document;
use crate::error::hikproto_error;
use crate::handle::try_ref;
use crate::panic::{ffi_call, ffi_value};
use crate::result::hikproto_result;

use super::{device_op, hikproto_device};

/// Replaces the handle's credentials (for every thread using it). The password is copied into
/// memory that is wiped when replaced or freed. A credential the device already rejected stays
/// refused (`HIKPROTO_RESULT_CREDENTIAL_LATCHED`): supplying different credentials is how to go
/// on.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_set_credentials(
    device: *const hikproto_device,
    user: *const c_char,
    password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let dev = try_ref(device, "device")?;
        let user = str_arg(user, "user")?;
        let password = secret_arg(password, "password")?;
        dev.async_device().set_credentials(user, password);
        Ok(())
    })
}

/// True when the handle's current credentials are latched: the device rejected them (or was
/// locked) and hikproto will not send them again. False for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_credentials_latched(device: *const hikproto_device) -> bool {
    ffi_value(false, || {
        try_ref(device, "device").is_ok_and(|d| d.async_device().credentials_latched())
    })
}

/// Forgets that the device rejected this handle's user, so its credentials are sent again.
///
/// Use it only when you know the device now accepts them (its lock was lifted, or its password
/// was reset to match): each rejected try counts toward the device's lock-out.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_clear_credential_latch(
    device: *const hikproto_device,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        try_ref(device, "device")?
            .async_device()
            .clear_credential_latch();
        Ok(())
    })
}

/// Checks the credentials with one login and no hidden retries (in session mode it opens the
/// session). A rejection gives `CREDENTIALS_REJECTED` or `LOCKED` and latches the credential.
/// Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_login(
    device: *const hikproto_device,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| Ok(d.login()))
}

/// Closes the session if one is open (a no-op otherwise). Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_logout(
    device: *const hikproto_device,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| Ok(d.logout()))
}

/// GETs `path` (an ISAPI resource starting with `/`) and writes the answer decoded as
/// `hikproto_isapi_to_json` does (`{"root", "typed", "kind", "value"}`) into `buf`.
///
/// Buffer contract: on success `*out_n` is the text length; when `len` is too small,
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included (a retry
/// repeats the request). Blocks until done; errors as for `hikproto_device_request`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_get_json(
    device: *const hikproto_device,
    path: *const c_char,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_get_json_to(device, path, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_get_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_get_json_alloc(
    device: *const hikproto_device,
    path: *const c_char,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_get_json_to(device, path, JsonOut::alloc(out), err_out)
}

fn hikproto_device_get_json_to(
    device: *const hikproto_device,
    path: *const c_char,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    // the device's own names: not restyled (see `crate::json`)
    device_op(device, err_out, TextOut(out), |d| {
        let path = str_arg(path, "path")?;
        super::check_path(path)?;
        Ok(async move {
            let resp = d.request(Request::get(path)).await?;
            decode_document(&resp.body).map(|v| v.to_string())
        })
    })
}

/// Gathers the device's password-recovery facts over ISAPI (reset capabilities, security
/// questions, reserved e-mail, GUID, Hik-Connect) and writes the recovery plan as JSON into
/// `buf`: the routes this device offers, in the order to try them, each with what it needs and
/// why it is or is not available (schema `hikproto_device_recovery_plan_json.json`):
/// `{"device": {"serial", "model", "deviceType", "firmware"}, "routes": [{"method", "status",
/// "supported", "configured", "transports", "prerequisites", "evidence", "notes",
/// "provenance", "unverified"}, …], "minMethodsRequired", "methodsConfigured",
/// "syncCameraPasswords", "warnings", "gaps"}`. Facts are `"yes"`, `"no"` or `"unknown"`. Each
/// route's `"provenance":` lists its requests with where each is known from (`"documented"`,
/// `"observed"` or `"inferred"`); `"unverified": true` marks a route with an inferred request,
/// unverified on real firmware. Buffer contract as for `hikproto_device_get_json`.
/// Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_recovery_plan_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_recovery_plan_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_recovery_plan_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_recovery_plan_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_recovery_plan_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_recovery_plan_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| Ok(d.recovery_plan()))
}
