//! `hikproto_device`: one device handle and the operations on it.

mod builder;
mod isup;
mod network;
mod ops;
mod provisioning;
mod recovery;
mod reset;
mod users;

pub use builder::*;
pub use isup::*;
pub use network::*;
pub use ops::*;
pub use provisioning::*;
pub use recovery::*;
pub use reset::*;
pub use users::*;

use std::ffi::c_char;
use std::future::Future;

use crate::cancel::Canceller;
use bytes::Bytes;
use hikproto_core::client::{Body, Method, Request};

use crate::buffer::{bytes_arg, opt_str_arg, secret_arg, str_arg, write_str};
use crate::call::{Deliver, JsonOut};
use crate::error::{Fail, hikproto_error};
use crate::handle::{BoxCastable, check_out, free_box_in_runtime, try_ref, write_out};
use crate::panic::{ffi_call, ffi_value};
use crate::response::hikproto_response;
use crate::result::hikproto_result;

/// A handle to one device: its address, credentials, connection pool and authentication state.
///
/// Methods: `hikproto_device_new`, `hikproto_device_builder_build` (constructors),
/// `_base_url`, `_info_json`, `_get_json`, `_request`, `_recovery_plan_json`, `_login`,
/// `_logout`, `_set_credentials`, `_credentials_latched`, `_clear_credential_latch`,
/// `_activation_status_json`, `_activate`, `_change_password`, `_platform_json`,
/// `_enable_platform_access`, `_disable_platform_access`, `_set_verification_code`,
/// `_check_verification_code`, `_unbind_platform`, `_test_platform_parameters_json`,
/// `_wait_until_registered`, `_security_questions_json`, `_set_security_questions`,
/// `_security_email_json`, `_set_security_email`, `_export_guid_file`, `_reset_by_answers`,
/// `_reset_with_guid_file`, `_email_reset_qr_json`, `_reset_by_email_code`,
/// `_app_reset_qr_json`, `_reset_by_app_code`, `_factory_reset`, `_reboot`, `_isup_json`,
/// `_set_isup`, `_network_interfaces_json`, `_ip_addressing_json`, `_set_dns`,
/// `_time_json`, `_ntp_servers_json`, `_use_ntp`, `_set_time`, `_users_json`, `_add_user`,
/// `_delete_user`, `_doctor_json`, `_cancel`, `_free`; each `_json` call also as `_json_alloc`
/// (and `_wait_until_registered_alloc`).
///
/// Ownership: the caller owns the handle and releases it with `hikproto_device_free`.
/// Thread-safety: safe to use from several threads at once (calls take a `const` pointer and
/// share one connection pool); it must not be freed while another thread is using it.
/// Every call blocks the calling thread until it completes or its deadline expires.
pub struct hikproto_device {
    _private: [u8; 0],
}

impl BoxCastable for hikproto_device {
    type Inner = DeviceInner;
}

/// The value behind a `hikproto_device *`: the core's handle and what cancels its calls.
#[derive(Debug)]
pub(crate) struct DeviceInner {
    device: hikproto_core::Device,
    cancel: Canceller,
}

impl DeviceInner {
    pub(crate) fn new(device: hikproto_core::Device) -> Self {
        Self {
            device,
            cancel: Canceller::default(),
        }
    }

    /// The core's async handle.
    pub(crate) fn async_device(&self) -> &hikproto_core::Device {
        &self.device
    }

    /// Runs `fut` on the library's runtime until it completes or `hikproto_device_cancel` is
    /// called on this handle (`HIKPROTO_RESULT_CANCELLED`; the request is dropped mid-flight).
    pub(crate) fn run<F>(&self, fut: F) -> Result<F::Output, Fail>
    where
        F: Future + Send,
        F::Output: Send,
    {
        self.cancel.run("hikproto_device_cancel", fut)
    }
}

/// Cancels every call in progress on `device` at this moment: each returns
/// `HIKPROTO_RESULT_CANCELLED` promptly, its request abandoned (a write the device already
/// received may still take effect). Calls started afterwards are not affected. NULL is a no-op.
///
/// Thread-safety: any thread; it is meant for a thread other than the blocked call's (a UI
/// thread, a watchdog). It does not block. Not async-signal-safe: do not call it from a
/// signal handler.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_cancel(device: *const hikproto_device) {
    ffi_value((), || {
        if let Ok(d) = try_ref(device, "device") {
            d.cancel.cancel();
        }
    });
}

/// Flag for `hikproto_device_request`: never answer an authentication challenge (for the
/// endpoints devices serve before login, such as `/SDK/activateStatus`).
pub const HIKPROTO_REQUEST_NO_AUTH: u32 = 1;

const KNOWN_FLAGS: u32 = HIKPROTO_REQUEST_NO_AUTH;

/// Creates a handle for a device over plain HTTP with default timeouts: the short path for
/// the common case (use `hikproto_device_builder_new` for HTTPS, pinning and timeouts).
///
/// `host` as for `hikproto_device_builder_new`; `port` 0 means 80. `user` and `password` are
/// both NULL (no credentials) or both set; the password is copied into memory that is wiped
/// when the handle is freed.
///
/// Returns `HIKPROTO_RESULT_OK` and writes the handle to `*out`; on failure `*out` is left
/// untouched and `*err_out` (when `err_out` is not NULL) receives the details.
/// Ownership: the caller owns `*out` and frees it with `hikproto_device_free`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_new(
    host: *const c_char,
    port: u16,
    user: *const c_char,
    password: *const c_char,
    out: *mut *mut hikproto_device,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        let mut b = BuilderInner::new(str_arg(host, "host")?, port)?;
        match (opt_str_arg(user, "user")?, password.is_null()) {
            (None, true) => {}
            (Some(user), false) => b.credentials(user, secret_arg(password, "password")?),
            (Some(_), true) => return Err(Fail::null("password")),
            (None, false) => return Err(Fail::null("user")),
        }
        write_out(out, b.build()?);
        Ok(())
    })
}

/// Writes the base URL requests go to (`http://host:port`) into `buf` (NUL-terminated).
///
/// Buffer contract: on success `*out_n` is the text length; when `len` is too small,
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_base_url(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        write_str(
            try_ref(device, "device")?.async_device().base_url(),
            buf,
            len,
            out_n,
        )
    })
}

/// Reads `GET /ISAPI/System/deviceInfo` and writes it as a JSON object into `buf`
/// (NUL-terminated UTF-8).
///
/// JSON shape (schema `hikproto_device_info_json.json`): the `DeviceInfo` element names as the
/// device wrote them, for example `{"deviceName": "…", "deviceID": "…", "model": "…",
/// "serialNumber": "…", "macAddress": "aa:bb:cc:dd:ee:ff", "firmwareVersion": "…",
/// "firmwareReleasedDate": "…", "hardwareVersion": "…", "deviceType": "…", …}`. Every element
/// of the official list has its key, `null` when the device did not send it (firmware differs
/// in what it sends). `"abnormalStatus":` is an object of booleans, `"extra":` an object of
/// any other elements (text), `"namespace":` the XML namespace the device used (or `null`).
///
/// Buffer contract as for `hikproto_device_base_url`. A too-small buffer costs a repeat of the
/// request: size it generously (4 KiB holds any device's answer seen so far).
/// Blocks until the answer arrives or the deadline expires. Errors: any transport,
/// credential, lock-out or device code, with details in `*err_out`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_info_json(
    device: *const hikproto_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_info_json_to(device, JsonOut::new(buf, len, out_n), err_out)
}

/// As `hikproto_device_info_json`, but the library allocates the text: on success `*out` receives a
/// NUL-terminated string to release with `hikproto_string_free` (on failure `*out` is
/// left untouched), so the work is never repeated to learn a size.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_info_json_alloc(
    device: *const hikproto_device,
    out: *mut *mut c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    hikproto_device_info_json_to(device, JsonOut::alloc(out), err_out)
}

fn hikproto_device_info_json_to(
    device: *const hikproto_device,
    out: JsonOut,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    device_op(device, err_out, out, |d| {
        Ok(async move { d.device_info().await.map(crate::shape::InfoJson) })
    })
}

/// Sends a raw ISAPI request and returns the device's answer as a `hikproto_response`.
///
/// - `method`: `"GET"`, `"PUT"`, `"POST"` or `"DELETE"` (case-insensitive).
/// - `path`: path and query, starting with `/` (for example `/ISAPI/System/deviceInfo`).
/// - `body`/`body_len`: the request body (copied); `body` may be NULL when `body_len` is 0.
/// - `content_type`: NULL to infer it from the body (`<` → XML, `{` or `[` → JSON, else
///   `application/octet-stream`).
/// - `flags`: 0, or `HIKPROTO_REQUEST_NO_AUTH`. Unknown bits give `INVALID_ARGUMENT`.
///
/// The request goes through the authentication engine. A non-success answer becomes an error
/// code (a 401 becomes `CREDENTIALS_REJECTED` or `LOCKED`, a refusing `ResponseStatus` becomes
/// `DEVICE_REFUSED` with its fields in `*err_out`, 404/405/501 `NOT_SUPPORTED`), and no
/// response object is made. A success (2xx) writes a new response object to `*out`.
///
/// Ownership: the caller owns `*out` and frees it with `hikproto_response_free`.
/// Blocks until the answer arrives or the deadline expires.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments, reason = "a flat C signature")]
pub extern "C" fn hikproto_device_request(
    device: *const hikproto_device,
    method: *const c_char,
    path: *const c_char,
    body: *const u8,
    body_len: usize,
    content_type: *const c_char,
    flags: u32,
    out: *mut *mut hikproto_response,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        let dev = try_ref(device, "device")?;
        let method = Method::parse(str_arg(method, "method")?)?;
        let path = str_arg(path, "path")?;
        check_path(path)?;
        if flags & !KNOWN_FLAGS != 0 {
            return Err(Fail::invalid(format!("unknown request flags {flags:#x}")));
        }
        let body = bytes_arg(body, body_len, "body")?;
        let content_type = opt_str_arg(content_type, "content_type")?;
        let mut req = Request::new(method, path).body(make_body(body, content_type));
        if flags & HIKPROTO_REQUEST_NO_AUTH != 0 {
            req = req.without_auth();
        }
        let resp = dev.run(dev.async_device().request(req))??;
        write_out(out, resp);
        Ok(())
    })
}

/// Runs one operation on a device handle behind the panic boundary (see [`crate::call`]):
/// `op` parses the export's arguments and returns the core operation's future, which runs on
/// the shared runtime; `out` receives the result.
pub(crate) fn device_op<'a, T, E, Fut, D>(
    device: *const hikproto_device,
    err_out: *mut *mut hikproto_error,
    out: D,
    op: impl FnOnce(&'a hikproto_core::Device) -> Result<Fut, Fail>,
) -> hikproto_result
where
    Fut: Future<Output = Result<T, E>> + Send,
    T: Send,
    E: Send,
    Fail: From<E>,
    D: Deliver<T>,
{
    ffi_call(err_out, || {
        let dev: &'a DeviceInner = try_ref(device, "device")?;
        out.check()?;
        let fut = op(dev.async_device())?;
        out.deliver(dev.run(fut)??)
    })
}

/// Checks a request path: starts with `/`, no spaces or control characters.
pub(crate) fn check_path(path: &str) -> Result<(), Fail> {
    if !path.starts_with('/') || path.chars().any(char::is_control) || path.contains(' ') {
        return Err(Fail::invalid(
            "path must start with '/' and contain no spaces or control characters",
        ));
    }
    Ok(())
}

fn make_body(body: &[u8], content_type: Option<&str>) -> Body {
    if body.is_empty() && content_type.is_none() {
        return Body::Empty;
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let content_type = content_type.map_or_else(
        || {
            match first {
                Some(b'<') => "application/xml; charset=\"UTF-8\"",
                Some(b'{' | b'[') => "application/json",
                _ => "application/octet-stream",
            }
            .to_owned()
        },
        str::to_owned,
    );
    Body::Raw {
        content_type,
        bytes: Bytes::copy_from_slice(body),
    }
}

/// Releases a device handle, its connections and the credentials it holds (wiped). NULL is a
/// no-op. No call on this handle may be running or start afterwards.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_free(device: *mut hikproto_device) {
    ffi_value((), || free_box_in_runtime(device));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_typed_by_content() {
        let ct = |b: &[u8]| match make_body(b, None) {
            Body::Raw { content_type, .. } => content_type,
            other => format!("{other:?}"),
        };
        assert!(ct(b"  <a/>").starts_with("application/xml"));
        assert_eq!(ct(b"{\"a\":1}"), "application/json");
        assert_eq!(ct(b"\x00\x01"), "application/octet-stream");
        assert_eq!(make_body(b"", None), Body::Empty);
        assert!(matches!(
            make_body(b"", Some("text/plain")),
            Body::Raw { .. }
        ));
    }
}
