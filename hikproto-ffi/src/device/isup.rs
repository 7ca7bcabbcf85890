//! ISUP (Ehome) platform access on a `hikproto_device`: read the settings, change them and the
//! ISUP key, and generate keys.

use std::ffi::c_char;

use hikproto_core::isapi::ehome::EhomeChange;
use hikproto_core::keys::IsupKey;

use crate::buffer::{opt_str_arg, secret_arg, write_str};
use crate::call::{Flag, JsonOut};
use crate::error::{Fail, hikproto_error};
use crate::panic::ffi_call;
use crate::result::hikproto_result;

use super::{device_op, hikproto_device};

fn parse_change(json: Option<&str>) -> Result<EhomeChange, Fail> {
    json.map_or(Ok(EhomeChange::default()), |j| {
        serde_json::from_str(j)
            .map_err(|e| Fail::invalid(format!("settings_json is not valid ISUP settings: {e}")))
    })
}

fn center(center_id: u32) -> Option<u32> {
    (center_id != 0).then_some(center_id)
}

/// Reads the ISUP settings (`GET /ISAPI/System/Network/Ehome`) and writes them as JSON into
/// `buf`: `enabled`, `addressingFormatType`, `hostName`, `ipAddress`, `ipv6Address`, `portNo`,
/// `deviceId`, `registerStatus`, `version`, `netWork`, `voiceDeviceType`, `protocolVersion`
/// (each `null` when the device sent nothing) and `extra` (other elements). The ISUP key is
/// write-only on devices and never appears.
///
/// `center_id`: 0 for the device's only centre, else the centre number (`?centerID=`).
/// Buffer contract: on success `*out_n` is the text length; when `len` is too small,
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included (a retry
/// asks the device again). Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_isup_json(
    device: *const hikproto_device,
    center_id: u32,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_isup_json_to(device, center_id, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_isup_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_isup_json_alloc(
    device: *const hikproto_device,
    center_id: u32,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_isup_json_to(device, center_id, JsonOut::alloc(out), err_out)
}

fn hikproto_device_isup_json_to(
    device: *const hikproto_device,
    center_id: u32,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| Ok(d.ehome(center(center_id))))
}

/// Changes the ISUP settings by read-modify-write and, when `key` is not NULL, sets the ISUP key.
///
/// `settings_json`: NULL (change nothing but the key) or a JSON object with any of
/// `enabled` (bool), `host` (an IP address, or a host name), `port` (1024–65535), `deviceId`
/// (1–32 characters), `protocolVersion` (`"v2.0"`, `"v2.6"`, `"v4.0"`, `"v5.0"`); unknown names
/// give `INVALID_ARGUMENT`. `key`: 8–32 printable ASCII characters without spaces (checked
/// first), copied into memory that is wiped; NULL keeps the device's key.
/// `center_id` as for `hikproto_device_isup_json`. `reboot_required`: NULL, or receives true
/// when the device said the change takes effect after a reboot.
/// Blocks until done.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_set_isup(
    device: *const hikproto_device,
    center_id: u32,
    settings_json: *const c_char,
    key: *const c_char,
    reboot_required: *mut bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, Flag::reboot(reboot_required), |d| {
        let mut change = parse_change(opt_str_arg(settings_json, "settings_json")?)?;
        let key = match key.is_null() {
            true => None,
            false => Some(IsupKey::new(secret_arg(key, "key")?)?),
        };
        change.key = key;
        let center = center(center_id);
        Ok(async move { d.change_ehome(center, change).await })
    })
}

/// Generates a random ISUP key of `key_len` characters (8–32; 0 means 16) and writes it
/// NUL-terminated into `buf`. The library's copy is wiped; the caller should wipe `buf` when
/// done. Buffer contract as for `hikproto_device_isup_json` (a new key is made on each call).
/// Pure; any thread.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_isup_key_generate(
    key_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let key = IsupKey::generate(if key_len == 0 { 16 } else { key_len })?;
        write_str(key.expose(), buf, len, out_n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_json_is_parsed_strictly() {
        assert!(parse_change(Some(r#"{"enable": true}"#)).is_err());
        assert!(parse_change(Some("[1]")).is_err());
        assert!(parse_change(Some(r#"{"key": "in-json-never"}"#)).is_err());
        let c = parse_change(Some(r#"{"enabled":true,"host":"192.0.2.7","port":7661}"#)).unwrap();
        assert_eq!((c.enabled, c.port), (Some(true), Some(7661)));
        assert_eq!(c.host.as_deref(), Some("192.0.2.7"));
        let none = parse_change(None).unwrap();
        assert!(none.enabled.is_none() && none.host.is_none() && none.key.is_none());
    }
}
