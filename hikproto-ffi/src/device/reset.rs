//! Resetting a lost admin password over ISAPI on a `hikproto_device`: by security answers, by
//! GUID file, by the code mailed to the reserved address, by the code the Hik-Connect app
//! shows. None of these needs credentials (the handle may have none).
//!
//! `new_password` is the admin password the device will have afterwards, checked against the
//! device password policy before anything is sent (`INVALID_ARGUMENT` with the reasons).
//! `sync_cameras` asks an NVR to push it to its cameras too (the device decides). Codes,
//! answers and passwords are copied into memory that is wiped.
//!
//! A refusal is `DEVICE_REFUSED` with the device's `subStatusCode` in the error object (for
//! example `SEQCertificateUnmatch` for a wrong answer, `checkCodeError` for a wrong code,
//! `notSetPhoneNo` when the device is bound to no Hik-Connect account); where the refusal
//! counts toward a lock, `hikproto_error_attempts_left` gives the attempts the device says
//! remain. After a successful reset, give the handle the new password with
//! `hikproto_device_set_credentials`.
//!
//! `password_risky` (may be NULL) receives, on success, whether the device accepted the new
//! password but flagged it as risky (`riskPassword`): the device then insists on a change at
//! the next login, so prompt the user for a stronger one.

use std::ffi::c_char;
use std::path::Path;

use hikproto_core::Error as CoreError;
use hikproto_core::reset::files::GuidFile;
use hikproto_core::reset::{NewPassword, ResetCode};

use crate::buffer::{secret_arg, str_arg};
use crate::call::{Flag, JsonOut};
use crate::error::{Fail, hikproto_error};
use crate::result::hikproto_result;

use super::recovery::question_answers;
use super::{device_op, hikproto_device};

/// The new admin password, checked against the device password policy (nothing is sent when
/// it fails).
fn new_password(p: *const c_char, sync_cameras: bool) -> Result<NewPassword, Fail> {
    let new = NewPassword::new(secret_arg(p, "new_password")?).sync_camera_passwords(sync_cameras);
    new.check()?;
    Ok(new)
}

/// A reset code (4 to 64 printable characters; surrounding spaces ignored).
fn reset_code(p: *const c_char) -> Result<ResetCode, Fail> {
    Ok(ResetCode::parse(secret_arg(p, "code")?.expose())?)
}

/// Resets the admin password by answering the security questions
/// (`PUT /ISAPI/Security/questionCertification`): question `ids[i]` answered by `answers[i]`
/// for `i < n` (1 to 16, distinct ids, none empty). A wrong answer is `DEVICE_REFUSED` with the
/// attempts left in the error object. The request's method and body are inferred, unverified on
/// real firmware: a device that refuses it as malformed gets an error message saying so.
/// Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments, reason = "a flat C signature")]
pub extern "C" fn hikproto_device_reset_by_answers(
    device: *const hikproto_device,
    ids: *const u32,
    answers: *const *const c_char,
    n: usize,
    new_password: *const c_char,
    sync_cameras: bool,
    password_risky: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Flag::risky(password_risky), |d| {
        let answers = question_answers(ids, answers, n)?;
        let new = self::new_password(new_password, sync_cameras)?;
        Ok(async move { d.reset_with_security_answers(&answers, &new).await })
    })
}

/// Resets the admin password with the GUID file at `path` (as
/// `hikproto_device_export_guid_file` or `hikproto_sadp_export_guid_file` wrote it). The file
/// is read and checked first (size, kind; at most a few KiB are read): a file that is no GUID
/// file is `INVALID_ARGUMENT` and nothing is sent. A GUID the device does not recognise (another
/// device's, or replaced by a newer export) is `DEVICE_REFUSED`. The device's serial is not
/// known before login, so matching the file's sidecar against it is the caller's part
/// (`hikproto_guid_file_check_json`). The request's path and body are inferred, unverified on
/// real firmware: a device that refuses it as malformed gets an error message saying so.
/// Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_reset_with_guid_file(
    device: *const hikproto_device,
    path: *const c_char,
    new_password: *const c_char,
    sync_cameras: bool,
    password_risky: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Flag::risky(password_risky), |d| {
        let file =
            GuidFile::load(Path::new(str_arg(path, "path")?), None).map_err(CoreError::from)?;
        let new = self::new_password(new_password, sync_cameras)?;
        Ok(async move { d.reset_with_guid_file(&file, &new).await })
    })
}

/// Gets the e-mail reset's QR payload (`GET /ISAPI/Security/email/qrCode`, no credentials
/// needed) and writes it as JSON into `buf`: `{"kind": "email", "qrText": "…", "mailbox":
/// "…"|null, "serviceMailbox": "…"|null, …}`. Render `qrText` as a QR code and mail it to the
/// service address; the code that comes back goes to `hikproto_device_reset_by_email_code`.
/// A new payload replaces the previous one. `DEVICE_REFUSED` (`noSetSecurityEmail`) when no
/// address is reserved.
///
/// Buffer contract: on success `*out_n` is the text length; when `len` is too small,
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included (a retry
/// asks again, which makes a new payload). Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_email_reset_qr_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_email_reset_qr_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_email_reset_qr_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_email_reset_qr_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_email_reset_qr_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_email_reset_qr_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| Ok(d.email_reset_qr()))
}

/// Resets the admin password with the code mailed to the reserved address
/// (`PUT /ISAPI/Security/emailCertification`). `code`: 4 to 64 printable characters
/// (checked first). A wrong or expired code is `DEVICE_REFUSED` with the attempts left. The
/// request body is inferred, unverified on real firmware: a device that refuses it as malformed
/// gets an error message saying so. Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_reset_by_email_code(
    device: *const hikproto_device,
    code: *const c_char,
    new_password: *const c_char,
    sync_cameras: bool,
    password_risky: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Flag::risky(password_risky), |d| {
        let code = reset_code(code)?;
        let new = self::new_password(new_password, sync_cameras)?;
        Ok(async move { d.reset_with_email_code(&code, &new).await })
    })
}

/// Gets the QR payload to scan with the Hik-Connect app of the account the device is bound to
/// (no credentials needed) and writes it as JSON into `buf`: `{"kind": "hikConnectApp",
/// "qrText": "…", "domain": "…"|null, "model": "…"|null, …}`. The code the app shows goes to
/// `hikproto_device_reset_by_app_code`. `DEVICE_REFUSED` (`notSetPhoneNo`) when the device is
/// bound to no account. The route's paths are documented for access-control terminals and
/// inferred for other families, so some devices answer `NOT_SUPPORTED`. Buffer contract as for
/// `hikproto_device_email_reset_qr_json`. Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_app_reset_qr_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_app_reset_qr_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_app_reset_qr_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_app_reset_qr_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_app_reset_qr_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_app_reset_qr_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| Ok(d.app_reset_qr()))
}

/// Resets the admin password with the code the Hik-Connect app showed for the QR payload of
/// `hikproto_device_app_reset_qr_json`. `code` as for `hikproto_device_reset_by_email_code`;
/// a wrong or expired code is `DEVICE_REFUSED` with the attempts left. The request body is
/// inferred, unverified on real firmware: a device that refuses it as malformed gets an error
/// message saying so. Thread-safety: any thread. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_reset_by_app_code(
    device: *const hikproto_device,
    code: *const c_char,
    new_password: *const c_char,
    sync_cameras: bool,
    password_risky: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Flag::risky(password_risky), |d| {
        let code = reset_code(code)?;
        let new = self::new_password(new_password, sync_cameras)?;
        Ok(async move { d.reset_with_app_code(&code, &new).await })
    })
}
