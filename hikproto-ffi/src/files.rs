//! The password-reset files, without a device: write an exported key file from an encrypted
//! string obtained elsewhere, and check a key file, a support reply file or a GUID file before
//! using it. Nothing here sends anything, and no secret is ever written to a result.
//!
//! Files are written only where the caller says, atomically and owner-only, each with a
//! `<file>.hikproto.json` sidecar (serial, time, SHA-256; no secrets). Reads are bounded.
//! A refused file is `HIKPROTO_RESULT_INVALID_ARGUMENT` with the reason (wrong kind, changed
//! since written, for another device, stale, the device rebooted, unreadable).

use std::ffi::c_char;
use std::path::Path;
use std::time::SystemTime;

use hikproto_core::Error as CoreError;
use hikproto_core::reset::files::{GuidFile, KeyExport, SupportReply, VALIDITY_LONG, unix_secs};
use serde_json::json;

use crate::buffer::{opt_str_arg, str_arg};
use crate::call::{Deliver, JsonOut};
use crate::error::{Fail, hikproto_error};
use crate::panic::ffi_call;
use crate::result::hikproto_result;

/// Loads a key file hikproto wrote and checks it is still usable at `now` (48 h, no reboot
/// when `boot_time` is known).
pub(crate) fn load_key_export(
    path: &Path,
    boot_time: Option<&str>,
    now: SystemTime,
) -> Result<KeyExport, Fail> {
    let export = KeyExport::load(path).map_err(CoreError::from)?;
    export.check(now, boot_time).map_err(CoreError::from)?;
    Ok(export)
}

/// Checks the caller's buffer, runs `f`, writes its value as JSON (see [`crate::call`]).
fn file_json(
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
    f: impl FnOnce() -> Result<serde_json::Value, Fail>,
) -> hikproto_result {
    ffi_call(err_out, || {
        let out = JsonOut::new(buf, len, out_n);
        Deliver::<serde_json::Value>::check(&out)?;
        out.deliver(f()?)
    })
}

/// Writes `encrypted_string` (a device's SADP `getencryptstring` answer, up to 1024
/// characters) verbatim to the key file at exactly `path`, with its sidecar. `serial`: the
/// device's full serial (required, checked); `boot_time`: its SADP `BootTime` (NULL if unknown:
/// a reboot then cannot be detected later); `mac`: NULL or its MAC. Overwrites `path`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_key_file_write(
    path: *const c_char,
    encrypted_string: *const c_char,
    serial: *const c_char,
    boot_time: *const c_char,
    mac: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        KeyExport::write(
            Path::new(str_arg(path, "path")?),
            str_arg(encrypted_string, "encrypted_string")?,
            str_arg(serial, "serial")?,
            opt_str_arg(boot_time, "boot_time")?,
            opt_str_arg(mac, "mac")?,
            SystemTime::now(),
        )
        .map_err(CoreError::from)?;
        Ok(())
    })
}

/// Reads and checks a key file hikproto wrote (its sidecar is required) and writes what is
/// known about it as JSON into `buf`: `{"path", "serial", "exportedAt" (Unix seconds),
/// "ageSecs", "mayHaveExpired" (older than 24 h), "validUntil" (Unix seconds, export + 48 h),
/// "warnings": [...]}`.
///
/// `current_boot_time`: the device's SADP `BootTime` now, or NULL; when both it and the
/// recorded one are known and differ, the device rebooted and the export is void
/// (`INVALID_ARGUMENT`), as it is after 48 hours. Buffer contract: on success `*out_n` is the
/// text length; when `len` is too small, `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is
/// the size needed, NUL included.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_key_file_check_json(
    path: *const c_char,
    current_boot_time: *const c_char,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    file_json(buf, len, out_n, err_out, || {
        let export = KeyExport::load(Path::new(str_arg(path, "path")?)).map_err(CoreError::from)?;
        let check = export
            .check(
                SystemTime::now(),
                opt_str_arg(current_boot_time, "current_boot_time")?,
            )
            .map_err(CoreError::from)?;
        let exported = unix_secs(export.exported_at());
        Ok(json!({
            "path": export.path,
            "serial": export.sidecar.serial,
            "exportedAt": exported,
            "ageSecs": check.age.as_secs(),
            "mayHaveExpired": check.may_have_expired,
            "validUntil": exported + VALIDITY_LONG.as_secs(),
            "warnings": check.warnings,
        }))
    })
}

/// Reads and checks support's reply file at `reply_path` without using it, and writes
/// `{"path", "nameSerial", "contentSerial", "bytes"}` as JSON into `buf` (the serials found
/// in its file name and content, each `null` when none is found; never the code itself). The
/// file-name pattern (`Encrypt_<9-digit short serial>_<suffix>.xml`) is inferred from one
/// vendor sample, unverified on real firmware.
///
/// `key_file_path`: the key file it answers (as `hikproto_key_file_write` or
/// `hikproto_sadp_export_key_file` wrote it), or NULL; it enables the age and "answers an
/// earlier export" checks. `serial`: the device's serial (full or short), or NULL for the key
/// file's. Buffer contract as for `hikproto_key_file_check_json`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_support_reply_check_json(
    reply_path: *const c_char,
    key_file_path: *const c_char,
    serial: *const c_char,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    file_json(buf, len, out_n, err_out, || {
        let now = SystemTime::now();
        let export = opt_str_arg(key_file_path, "key_file_path")?
            .map(|p| load_key_export(Path::new(p), None, now))
            .transpose()?;
        let reply = SupportReply::load(
            Path::new(str_arg(reply_path, "reply_path")?),
            export.as_ref(),
            opt_str_arg(serial, "serial")?,
            now,
        )
        .map_err(CoreError::from)?;
        Ok(json!({
            "path": reply.path,
            "nameSerial": reply.name_serial,
            "contentSerial": reply.content_serial,
            "bytes": reply.code().len(),
        }))
    })
}

/// Reads and checks the GUID file at `path` without using it, and writes
/// `{"path", "bytes", "format" ("bytes128", "bytes512" or {"other": n}), "source", "serial"}`
/// as JSON into `buf` (never the content). `serial`: the device's serial (full or short) to
/// match against the file's sidecar, or NULL. Buffer contract as for
/// `hikproto_key_file_check_json`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_guid_file_check_json(
    path: *const c_char,
    serial: *const c_char,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    file_json(buf, len, out_n, err_out, || {
        let path = str_arg(path, "path")?;
        let file = GuidFile::load(Path::new(path), opt_str_arg(serial, "serial")?)
            .map_err(CoreError::from)?;
        Ok(json!({
            "path": path,
            "bytes": file.len(),
            "format": file.format,
            "source": file.source,
            "serial": file.serial(),
        }))
    })
}
