//! `hikproto_response`: the answer to a raw ISAPI request.

use std::ffi::c_char;

use hikproto_core::client::Response;

use crate::buffer::{write_bytes, write_str};
use crate::error::{Fail, hikproto_error};
use crate::handle::{BoxCastable, free_box, try_ref};
use crate::panic::{ffi_call, ffi_value};
use crate::result::hikproto_result;

/// A device's successful answer to `hikproto_device_request`: HTTP status, content type and
/// body bytes.
///
/// Methods: `_status`, `_body_len`, `_body_data`, `_body`, `_body_text`, `_content_type`,
/// `_free`.
///
/// Ownership: the caller owns it and releases it with `hikproto_response_free`.
/// Thread-safety: immutable; may be read from several threads at once.
pub struct hikproto_response {
    _private: [u8; 0],
}

impl BoxCastable for hikproto_response {
    type Inner = Response;
}

/// The HTTP status of the answer (2xx), or 0 when `response` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_response_status(response: *const hikproto_response) -> u16 {
    ffi_value(0, || try_ref(response, "response").map_or(0, |r| r.status))
}

/// The body length in bytes, or 0 when `response` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_response_body_len(response: *const hikproto_response) -> usize {
    ffi_value(0, || {
        try_ref(response, "response").map_or(0, |r| r.body.len())
    })
}

/// A borrowed view of the body bytes (`hikproto_response_body_len` of them, not
/// NUL-terminated), valid until the response is freed. NULL when `response` is NULL or the
/// body is empty.
///
/// Ownership: the bytes belong to the response; do not free or modify them.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_response_body_data(response: *const hikproto_response) -> *const u8 {
    ffi_value(std::ptr::null(), || match try_ref(response, "response") {
        Ok(r) if !r.body.is_empty() => r.body.as_ptr(),
        _ => std::ptr::null(),
    })
}

/// Copies the body bytes into `buf` (no NUL is added; the body may be binary).
///
/// On success `*out_n` is the number of bytes copied. When `len` is smaller than the body,
/// nothing is copied, `*out_n` is the body length and the result is
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_response_body(
    response: *const hikproto_response,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        write_bytes(&try_ref(response, "response")?.body, buf, len, out_n)
    })
}

/// Copies the body as NUL-terminated text into `buf`.
///
/// Fails with `HIKPROTO_RESULT_DECODE` when the body is not UTF-8 or contains a NUL byte (use
/// `hikproto_response_body` for binary bodies). Buffer contract: on success `*out_n` is the text
/// length; when `len` is too small, `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the
/// size needed, NUL included.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_response_body_text(
    response: *const hikproto_response,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let r = try_ref(response, "response")?;
        let text = std::str::from_utf8(&r.body)
            .map_err(|_| Fail::new(hikproto_result::Decode, "the body is not UTF-8 text"))?;
        if text.contains('\0') {
            return Err(Fail::new(
                hikproto_result::Decode,
                "the body contains a NUL byte",
            ));
        }
        write_str(text, buf, len, out_n)
    })
}

/// Copies the answer's `Content-Type` (the empty string when the device sent none) into `buf`,
/// NUL-terminated. Buffer contract as for `hikproto_response_body_text`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_response_content_type(
    response: *const hikproto_response,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let r = try_ref(response, "response")?;
        write_str(r.content_type.as_deref().unwrap_or(""), buf, len, out_n)
    })
}

/// Releases a response. NULL is a no-op. Views from `hikproto_response_body_data` become
/// invalid.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_response_free(response: *mut hikproto_response) {
    ffi_value((), || free_box(response));
}
