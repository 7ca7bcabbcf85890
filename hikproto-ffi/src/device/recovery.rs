//! Preparing password recovery on a `hikproto_device` while the admin password is known (the
//! security questions, the reserved e-mail, the GUID file), and the two ways back to a known
//! state: factory reset and reboot. The resets themselves are in `reset.rs`.
//!
//! The preparation calls repeat the admin password this handle logs in with inside the request
//! (the device wants it), `security=1`-encrypted where the device offers that. Answers are
//! copied into memory that is wiped. Writes return no text: success is the answer.

use std::ffi::c_char;
use std::path::Path;

use hikproto_core::isapi::security::QuestionAnswer;
use hikproto_core::isapi::system::FactoryResetMode;

use crate::buffer::{answers_arg, str_arg};
use crate::call::{Discard, JsonOut};
use crate::error::hikproto_error;
use crate::result::hikproto_result;

use super::{device_op, hikproto_device};

/// Reads which security questions are answered (`GET questionConfiguration`, needs the admin
/// credentials) and writes them as JSON into `buf`: `{"questions": [{"id", "question"?,
/// "configured"}, …], "namespace"?}`. The answers are never included (the device does not
/// send them).
///
/// Buffer contract: on success `*out_n` is the text length; when `len` is too small,
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included (a retry
/// asks the device again). Thread-safety: any thread, as for every call on the handle.
/// Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_security_questions_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_security_questions_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_security_questions_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_security_questions_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_security_questions_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_security_questions_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| Ok(d.security_questions()))
}

/// Sets the three security questions (`PUT questionConfiguration`): question `ids[i]`
/// answered by `answers[i]` for `i < n`. Checked before anything is sent: exactly three
/// answers with distinct ids, none empty, within the device's length limit (read from its
/// capabilities when offered): `INVALID_ARGUMENT` otherwise. The handle must have the admin
/// credentials (its password is repeated in the request). The answers are copied into memory
/// that is wiped. Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_set_security_questions(
    device: *const hikproto_device,
    ids: *const u32,
    answers: *const *const c_char,
    n: usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| {
        let answers = question_answers(ids, answers, n)?;
        Ok(async move { d.set_security_questions(&answers).await })
    })
}

/// The security answers of parallel C arrays, as the core wants them.
pub(super) fn question_answers(
    ids: *const u32,
    answers: *const *const c_char,
    n: usize,
) -> Result<Vec<QuestionAnswer>, crate::error::Fail> {
    Ok(answers_arg(ids, answers, n)?
        .into_iter()
        .map(|(id, a)| QuestionAnswer::new(id, a))
        .collect())
}

/// Reads the reserved e-mail address (`GET /ISAPI/Security/email/parameter`, needs the admin
/// credentials) and writes `{"address": "…"|null}` into `buf`. Buffer contract as for
/// `hikproto_device_security_questions_json`. Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_security_email_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_security_email_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_security_email_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_security_email_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_security_email_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_security_email_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| Ok(d.security_email()))
}

/// Sets the reserved e-mail address the e-mail reset route mails its code to. The address
/// (surrounding spaces ignored) is checked first, against the device's length limit when its
/// capabilities give one (`INVALID_ARGUMENT`). The handle must have the admin credentials.
/// Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_set_security_email(
    device: *const hikproto_device,
    address: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| {
        let address = str_arg(address, "address")?;
        Ok(async move { d.set_security_email(address).await })
    })
}

/// Exports the GUID file (`PUT /ISAPI/Security/GUIDFileData`, authorised by the handle's admin
/// password) and writes it to exactly `path` (binary, atomically, owner-only), with a
/// `<path>.hikproto.json` sidecar recording the device's serial and the time. Whoever holds the
/// file can reset the admin password: keep it safe. A new export replaces the previous one on
/// the device. Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_export_guid_file(
    device: *const hikproto_device,
    path: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| {
        let path = Path::new(str_arg(path, "path")?);
        Ok(async move { d.export_guid_file(path).await })
    })
}

/// Restores factory settings (`PUT /ISAPI/System/factoryReset?mode=…`, needs the admin
/// credentials). `mode`: `"basic"` keeps the network and user settings (the admin password
/// survives); `"full"` restores everything, after which the device must be activated again; any
/// other word of letters and digits (at most 32) is sent as given for families with modes of
/// their own. Anything else is `INVALID_ARGUMENT`, before anything is sent.
/// Thread-safety: any thread. Blocks until the device answers (it restarts afterwards).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_factory_reset(
    device: *const hikproto_device,
    mode: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| {
        let mode = FactoryResetMode::parse(str_arg(mode, "mode")?)?;
        Ok(async move { d.factory_reset(&mode).await })
    })
}

/// Reboots the device (`PUT /ISAPI/System/reboot`, needs the admin credentials). The device is
/// unreachable for a while afterwards; a reboot voids a pending e-mail or app reset code and an
/// exported key file. Thread-safety: any thread. Blocks until the device answers.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_reboot(
    device: *const hikproto_device,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Discard, |d| Ok(d.reboot()))
}
