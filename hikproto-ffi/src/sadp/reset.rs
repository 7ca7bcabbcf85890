//! SADP password resets and the files they use: the exported key file and support's reply,
//! the GUID file, security answers, and the e-mail and Hik-Connect app codes.
//!
//! `new_password` is the admin password the device will have afterwards, checked against the
//! device password policy before anything is sent. `sync_cameras` asks an NVR to push it to its
//! cameras. Codes, answers and passwords are copied into memory that is wiped.
//!
//! `password_risky` (may be NULL) has the meaning it has on the ISAPI resets: on success, whether
//! the device accepted the new password but flagged it as risky. Over SADP a risky password is
//! always refused (`DEVICE_REFUSED`, SADP error 2020), so on success it is always `false`.

use std::ffi::c_char;
use std::path::Path;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hikproto_core::Error as CoreError;
use hikproto_core::reset::files::{GuidFile, KeyExport, SupportReply};
use hikproto_core::sadp::GuidFile as GuidToken;

use crate::buffer::{answers_arg, opt_str_arg, secret_arg, str_arg};
use crate::call::{Discard, Flag, JsonOut};
use crate::error::hikproto_error;
use crate::files::load_key_export;
use crate::result::hikproto_result;

use super::commands::new_password;
use super::{hikproto_sadp_client, hikproto_sadp_target, sadp_op};

/// Resets the admin password with a reset code (SADP `reset`): support's reply (the reply
/// file's content) or the key support typed for the QR variant. `code` is sent encrypted when
/// the target has `codeEncrypt`. Blocks until the device answers or the client's timeout
/// passes; a wrong or stale code is `DEVICE_REFUSED`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_reset_with_code(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    code: *const c_char,
    new_password: *const c_char,
    sync_cameras: bool,
    password_risky: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(
        client,
        target,
        err_out,
        Flag::sadp_risky(password_risky),
        |c, t| {
            let code = secret_arg(code, "code")?;
            let pw = self::new_password(t, new_password)?;
            Ok(async move { c.reset_with_code(&t.target, &code, &pw, sync_cameras).await })
        },
    )
}

/// Exports the device's encrypted string (SADP `getencryptstring`) to the key file at exactly
/// `path` (written atomically, owner-only), with a `<path>.hikproto.json` sidecar recording the
/// target's serial, the time and the device's boot time. Send the file to vendor support.
/// The target needs a serial (`INVALID_ARGUMENT` otherwise). A new export invalidates earlier
/// ones; the device must not reboot before the reply is imported. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_export_key_file(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    path: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, Discard, |c, t| {
        let path = Path::new(str_arg(path, "path")?);
        let serial = t.serial()?;
        Ok(async move {
            let text = c.encrypt_string(&t.target).await?;
            KeyExport::write(
                path,
                &text,
                serial,
                t.boot_time.as_deref(),
                Some(&t.target.mac.to_string()),
                SystemTime::now(),
            )
            .map_err(CoreError::from)
        })
    })
}

/// Resets the admin password with support's reply file at `reply_path` (SADP `reset`).
///
/// The file is read (at most 64 KiB) and checked before anything is sent: `key_file_path` (the
/// key file it answers, as `hikproto_sadp_export_key_file` wrote it, or NULL) enables the age
/// (48 h), reboot and "answers an earlier export" checks; the target's serial, when known, must
/// match the file's. A refused file is `INVALID_ARGUMENT` saying why. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_reset_with_reply_file(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    reply_path: *const c_char,
    key_file_path: *const c_char,
    new_password: *const c_char,
    sync_cameras: bool,
    password_risky: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(
        client,
        target,
        err_out,
        Flag::sadp_risky(password_risky),
        |c, t| {
            let reply_path = Path::new(str_arg(reply_path, "reply_path")?);
            let now = SystemTime::now();
            let export = opt_str_arg(key_file_path, "key_file_path")?
                .map(|p| load_key_export(Path::new(p), t.boot_time.as_deref(), now))
                .transpose()?;
            let reply = SupportReply::load(reply_path, export.as_ref(), t.serial.as_deref(), now)
                .map_err(CoreError::from)?;
            let pw = self::new_password(t, new_password)?;
            Ok(async move {
                c.reset_with_code(&t.target, reply.code(), &pw, sync_cameras)
                    .await
            })
        },
    )
}

/// Exports the GUID reset token (SADP `ExportGUID`, authorised by `password`) to the GUID file
/// at exactly `path` (binary, written atomically, owner-only) with a sidecar recording the
/// target's serial (when known) and the time. Whoever holds the file can reset the device:
/// keep it safe. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_export_guid_file(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    password: *const c_char,
    path: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, Discard, |c, t| {
        let pw = secret_arg(password, "password")?;
        let path = Path::new(str_arg(path, "path")?);
        Ok(async move {
            let token = c.export_guid(&t.target, &pw).await?;
            let mut file = GuidFile::from_export(token.to_bytes(), "sadp")?;
            file.save(path, t.serial.as_deref(), SystemTime::now())?;
            Ok::<_, CoreError>(())
        })
    })
}

/// Resets the admin password with the GUID file at `path` (SADP `GUIDReset`). The file is read
/// and checked first (size, and the target's serial against its sidecar when both are known).
/// Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_reset_with_guid_file(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    path: *const c_char,
    new_password: *const c_char,
    sync_cameras: bool,
    password_risky: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(
        client,
        target,
        err_out,
        Flag::sadp_risky(password_risky),
        |c, t| {
            let file = GuidFile::load(Path::new(str_arg(path, "path")?), t.serial.as_deref())
                .map_err(CoreError::from)?;
            let token = GuidToken::new(B64.encode(file.as_bytes()));
            let pw = self::new_password(t, new_password)?;
            Ok(async move { c.reset_by_guid(&t.target, &token, &pw, sync_cameras).await })
        },
    )
}

/// Resets the admin password by answering the security questions (SADP `AnswerReset`):
/// question `ids[i]` answered by `answers[i]` for `i < n`. Blocks until done.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments, reason = "a flat C signature")]
pub extern "C" fn hikproto_sadp_reset_by_answers(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    ids: *const u32,
    answers: *const *const c_char,
    n: usize,
    new_password: *const c_char,
    sync_cameras: bool,
    password_risky: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(
        client,
        target,
        err_out,
        Flag::sadp_risky(password_risky),
        |c, t| {
            let answers = answers_arg(ids, answers, n)?;
            let pw = self::new_password(t, new_password)?;
            Ok(async move {
                c.reset_by_answers(&t.target, &answers, &pw, sync_cameras)
                    .await
            })
        },
    )
}

/// Writes the e-mail reset's QR payload (SADP `GetQRcodes`) as JSON into `buf`:
/// `{"qrCodes": "…", "mailBox": "…"|null, "mailServiceBox": "…"|null}`. Mail the QR code to
/// the service mailbox; the code that comes back goes to `hikproto_sadp_reset_by_mail_code`.
/// Buffer contract: on success `*out_n` is the text length; when `len` is too small,
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included (a retry
/// asks again, which may make a new payload). Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_mail_reset_qr_json(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_mail_reset_qr_json_to(client, target, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_sadp_mail_reset_qr_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_mail_reset_qr_json_alloc(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_mail_reset_qr_json_to(client, target, JsonOut::alloc(out), err_out)
}

fn hikproto_sadp_mail_reset_qr_json_to(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, out, |c, t| {
        Ok(c.mail_reset_qr(&t.target))
    })
}

/// Resets the admin password with the code received at the reserved e-mail (SADP
/// `MailReset`). Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_reset_by_mail_code(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    code: *const c_char,
    new_password: *const c_char,
    sync_cameras: bool,
    password_risky: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(
        client,
        target,
        err_out,
        Flag::sadp_risky(password_risky),
        |c, t| {
            let code = secret_arg(code, "code")?;
            let pw = self::new_password(t, new_password)?;
            Ok(async move {
                c.reset_by_mail_code(&t.target, &code, &pw, sync_cameras)
                    .await
            })
        },
    )
}

/// Writes the Hik-Connect app reset's QR payload (SADP `GetPhoneNoQRCode`) as JSON into `buf`:
/// `{"qrCode": "…", "domainName": "…"|null, "model": "…"|null}`. Scan it with the app; the
/// code the app shows goes to `hikproto_sadp_reset_by_phone_code`. Buffer contract as for
/// `hikproto_sadp_mail_reset_qr_json`. Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_phone_reset_qr_json(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_phone_reset_qr_json_to(client, target, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_sadp_phone_reset_qr_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_phone_reset_qr_json_alloc(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_sadp_phone_reset_qr_json_to(client, target, JsonOut::alloc(out), err_out)
}

fn hikproto_sadp_phone_reset_qr_json_to(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(client, target, err_out, out, |c, t| {
        Ok(c.phone_reset_qr(&t.target))
    })
}

/// Resets the admin password with the code the Hik-Connect app showed (SADP `PhoneNoReset`;
/// its protocol-3.0 form is inferred from `MailReset`, unverified on real firmware, so devices
/// may differ). Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_reset_by_phone_code(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    code: *const c_char,
    new_password: *const c_char,
    password_risky: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    sadp_op(
        client,
        target,
        err_out,
        Flag::sadp_risky(password_risky),
        |c, t| {
            let code = secret_arg(code, "code")?;
            let pw = self::new_password(t, new_password)?;
            Ok(async move { c.reset_by_phone_code(&t.target, &code, &pw).await })
        },
    )
}
