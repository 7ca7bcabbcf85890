//! Users on a `hikproto_device`: list, add, delete (password changes are
//! `hikproto_device_change_password`).
//!
//! Every write checks the device password policy locally first. On devices that verify the
//! operator, the operator's own password goes along: `login_password`, or NULL for the password
//! this handle logs in with. Passwords are copied into memory that is wiped.

use std::ffi::c_char;

use hikproto_core::isapi::users::UserLevel;
use hikproto_core::keys::Password;

use crate::buffer::{secret_arg, str_arg};
use crate::call::{Discard, JsonOut, U32Out};
use crate::error::{Fail, hikproto_error};
use crate::result::hikproto_result;

use super::{device_op, hikproto_device};

fn login(p: *const c_char) -> Result<Option<hikproto_core::Secret>, Fail> {
    (!p.is_null())
        .then(|| secret_arg(p, "login_password"))
        .transpose()
}

/// Lists the users (`GET /ISAPI/Security/users`) as a JSON array into `buf`; each entry has
/// `id`, `userName`, `enabled`, `level` (`"administrator"`, `"operator"`, `"viewer"`, …) and
/// `extra` (the other fields the device sent). No password is ever included. Buffer contract: on
/// success `*out_n` is the text length; when `len` is too small,
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included (a retry
/// asks again). Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_users_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_users_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_users_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_users_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_users_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_users_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| Ok(d.users()))
}

/// Adds user `user` (1–32 characters) with `password` (policy-checked first) at `level`
/// (`"Operator"`, `"Viewer"`, `"Administrator"`; NULL means `"Operator"`). `login_password`: the
/// operator's own password for devices that verify it, or NULL for the handle's password.
/// `out_id`: NULL, or receives the new user's id. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_add_user(
    device: *const hikproto_device,
    user: *const c_char,
    password: *const c_char,
    level: *const c_char,
    login_password: *const c_char,
    out_id: *mut u32,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, U32Out(out_id), |d| {
        let user = str_arg(user, "user")?;
        let password = Password::new(user, secret_arg(password, "password")?)?;
        let level = if level.is_null() {
            UserLevel::Operator
        } else {
            UserLevel::parse(str_arg(level, "level")?)
        };
        let login = login(login_password)?;
        Ok(async move { d.add_user(user, &password, level, login.as_ref()).await })
    })
}

/// Deletes user `user` (the administrator, id 1, is refused locally with `INVALID_ARGUMENT`;
/// an unknown name too). `login_password` as for `hikproto_device_add_user`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_delete_user(
    device: *const hikproto_device,
    user: *const c_char,
    login_password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| {
        let user = str_arg(user, "user")?;
        let login = login(login_password)?;
        Ok(async move { d.delete_user(user, login.as_ref()).await })
    })
}
