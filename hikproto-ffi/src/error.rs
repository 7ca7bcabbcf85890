//! The detailed error object, and the one place where core errors become result codes.

use std::ffi::c_char;

use hikproto_core::{Error as CoreError, ErrorReport};

use crate::buffer::write_str;
use crate::handle::{BoxCastable, free_box, try_ref};
use crate::panic::{ffi_call_plain, ffi_value, panic_message};
use crate::result::hikproto_result;

/// Details of one failed call: code, message, HTTP status, the device's `ResponseStatus`
/// fields, and the lock-out hints.
///
/// Obtained through the optional `hikproto_error **err_out` parameter of fallible calls: pass
/// the address of a `hikproto_error *` to receive one when the call fails (it is set to NULL
/// first, and stays NULL on success), or pass NULL if the result code is enough.
///
/// Ownership: the caller owns the object and must release it with `hikproto_error_free`.
/// Thread-safety: immutable; it may be read from several threads at once.
///
/// Messages never contain passwords, verification codes or keys.
pub struct hikproto_error {
    _private: [u8; 0],
}

/// What a failure carries; the value behind a `hikproto_error *`.
#[derive(Debug, Clone)]
pub(crate) struct Fail {
    pub(crate) code: hikproto_result,
    pub(crate) message: String,
    pub(crate) http_status: u16,
    pub(crate) status_code: u32,
    pub(crate) sub_status_code: String,
    pub(crate) error_code: u32,
    pub(crate) retry_after_secs: Option<u64>,
    pub(crate) attempts_left: Option<u32>,
    pub(crate) retryable: bool,
}

impl BoxCastable for hikproto_error {
    type Inner = Fail;
}

impl Fail {
    /// A failure with a code and a message (interior NULs are replaced so C can print it).
    pub(crate) fn new(code: hikproto_result, message: impl Into<String>) -> Self {
        let mut message = message.into();
        if message.contains('\0') {
            message = message.replace('\0', "\u{fffd}");
        }
        Self {
            code,
            message,
            http_status: 0,
            status_code: 0,
            sub_status_code: String::new(),
            error_code: 0,
            retry_after_secs: None,
            attempts_left: None,
            retryable: false,
        }
    }

    /// An `INVALID_ARGUMENT` failure.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(hikproto_result::InvalidArgument, message)
    }

    /// The failure for a caught panic.
    pub(crate) fn panic(payload: &(dyn std::any::Any + Send)) -> Self {
        Self::new(
            hikproto_result::Panic,
            format!("internal error (panic): {}", panic_message(payload)),
        )
    }
}

/// The result code for a core error.
pub(crate) fn code_of(e: &CoreError) -> hikproto_result {
    match e {
        CoreError::Transport { .. } => hikproto_result::Transport,
        CoreError::Timeout { .. } => hikproto_result::Timeout,
        CoreError::Tls { .. } => hikproto_result::Tls,
        CoreError::CredentialsRejected { .. } => hikproto_result::CredentialsRejected,
        CoreError::CredentialLatched { .. } => hikproto_result::CredentialLatched,
        CoreError::Locked { .. } => hikproto_result::Locked,
        CoreError::Device { .. } => hikproto_result::DeviceRefused,
        CoreError::NotSupported { .. } => hikproto_result::NotSupported,
        CoreError::NotActivated => hikproto_result::NotActivated,
        CoreError::AlreadyActivated => hikproto_result::AlreadyActivated,
        CoreError::Decode { .. } => hikproto_result::Decode,
        CoreError::TooLarge { .. } => hikproto_result::TooLarge,
        CoreError::InvalidInput(_) => hikproto_result::InvalidArgument,
        _ => hikproto_result::Other,
    }
}

impl From<CoreError> for Fail {
    fn from(e: CoreError) -> Self {
        let mut f = Self::new(code_of(&e), ErrorReport::new(&e).to_string());
        f.retryable = e.is_retryable();
        match &e {
            CoreError::Device {
                http_status,
                status,
                ..
            } => {
                f.http_status = *http_status;
                f.status_code = status.status_code;
                f.sub_status_code.clone_from(&status.sub_status_code);
                f.error_code = status.error_code;
                // refusals that count toward a lock (a wrong security answer or reset code)
                f.attempts_left = status.retry_times;
                f.retry_after_secs = status.lock_remaining_secs;
            }
            CoreError::NotSupported {
                http_status,
                status,
                ..
            } => {
                f.http_status = *http_status;
                // without a ResponseStatus (a bare 404/405/501) the status fields stay empty
                if let Some(st) = status {
                    f.status_code = st.status_code;
                    f.sub_status_code.clone_from(&st.sub_status_code);
                    f.error_code = st.error_code;
                }
            }
            CoreError::Locked { retry_after, .. } => {
                f.retry_after_secs = retry_after.map(|d| d.as_secs());
                f.http_status = 401;
            }
            CoreError::CredentialsRejected { attempts_left, .. } => {
                f.attempts_left = *attempts_left;
                f.http_status = 401;
            }
            _ => {}
        }
        f
    }
}

/// The result code of the failed call. NULL gives `HIKPROTO_RESULT_NULL_PARAMETER`.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_error_code(err: *const hikproto_error) -> hikproto_result {
    ffi_value(hikproto_result::Panic, || {
        try_ref(err, "err").map_or(hikproto_result::NullParameter, |f| f.code)
    })
}

/// Writes the error's message (NUL-terminated UTF-8, no secrets) into `buf`.
///
/// Buffer contract as for `hikproto_result_describe`: on success `*out_n` is the text length;
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` writes the needed size (NUL included) to `*out_n`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_error_message(
    err: *const hikproto_error,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hikproto_result {
    ffi_call_plain(|| write_str(&try_ref(err, "err")?.message, buf, len, out_n))
}

/// The HTTP status of the device's answer, or 0 when there was none (or NULL was passed).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_error_http_status(err: *const hikproto_error) -> u16 {
    ffi_value(0, || try_ref(err, "err").map_or(0, |f| f.http_status))
}

/// The device's `ResponseStatus` `statusCode` (1 OK … 9), or 0 when the device sent none.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_error_status_code(err: *const hikproto_error) -> u32 {
    ffi_value(0, || try_ref(err, "err").map_or(0, |f| f.status_code))
}

/// The device's `errorCode` (for example `0x60000001`), or 0 when the device sent none.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_error_error_code(err: *const hikproto_error) -> u32 {
    ffi_value(0, || try_ref(err, "err").map_or(0, |f| f.error_code))
}

/// Writes the device's `subStatusCode` (for example `"invalidOperation"`) into `buf`; the empty
/// string when the device sent none. Buffer contract as for `hikproto_error_message`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_error_sub_status_code(
    err: *const hikproto_error,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hikproto_result {
    ffi_call_plain(|| write_str(&try_ref(err, "err")?.sub_status_code, buf, len, out_n))
}

/// Seconds until the device lifts a lock, or -1 when unknown: for `HIKPROTO_RESULT_LOCKED`, and
/// for a `HIKPROTO_RESULT_DEVICE_REFUSED` whose `ResponseStatus` names a lock time (a locked
/// reset route).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_error_retry_after_secs(err: *const hikproto_error) -> i64 {
    ffi_value(-1, || {
        try_ref(err, "err")
            .ok()
            .and_then(|f| f.retry_after_secs)
            .map_or(-1, |s| i64::try_from(s).unwrap_or(i64::MAX))
    })
}

/// Attempts the device says remain before it locks, or -1 when it did not say: login attempts
/// for `HIKPROTO_RESULT_CREDENTIALS_REJECTED`; for `HIKPROTO_RESULT_DEVICE_REFUSED`, the
/// `retryTimes` of a refusal that counts toward a lock (a wrong security answer, GUID file or
/// reset code).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_error_attempts_left(err: *const hikproto_error) -> i64 {
    ffi_value(-1, || {
        try_ref(err, "err")
            .ok()
            .and_then(|f| f.attempts_left)
            .map_or(-1, i64::from)
    })
}

/// True when trying again later, unchanged, may succeed (transport trouble, timeouts, a busy
/// device). Credential failures are never retryable: retrying them is how accounts get locked.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_error_is_retryable(err: *const hikproto_error) -> bool {
    ffi_value(false, || try_ref(err, "err").is_ok_and(|f| f.retryable))
}

/// Releases an error object. NULL is a no-op. The pointer must not be used afterwards.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_error_free(err: *mut hikproto_error) {
    ffi_value((), || free_box(err));
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hikproto_core::isapi::status::ResponseStatus;

    use super::*;

    #[test]
    fn core_errors_map_to_codes_and_fields() {
        let locked = Fail::from(CoreError::Locked {
            user: "admin".into(),
            retry_after: Some(Duration::from_secs(1800)),
        });
        assert_eq!(locked.code, hikproto_result::Locked);
        assert_eq!(locked.retry_after_secs, Some(1800));
        assert!(!locked.retryable);

        let rejected = Fail::from(CoreError::CredentialsRejected {
            user: "admin".into(),
            attempts_left: Some(3),
        });
        assert_eq!(rejected.code, hikproto_result::CredentialsRejected);
        assert_eq!(rejected.attempts_left, Some(3));

        let refused = Fail::from(CoreError::Device {
            request: "PUT /ISAPI/System/Network/EZVIZ".into(),
            http_status: 403,
            status: Box::new(ResponseStatus::from_dictionary("invalidOperation")),
        });
        assert_eq!(refused.code, hikproto_result::DeviceRefused);
        assert_eq!(refused.http_status, 403);
        assert_eq!(refused.status_code, 4);
        assert_eq!(refused.sub_status_code, "invalidOperation");

        let not_supported = Fail::from(hikproto_core::isapi::status::status_error(
            ResponseStatus::from_dictionary("notSupport"),
            "GET /ISAPI/No/Such",
            404,
        ));
        assert_eq!(not_supported.code, hikproto_result::NotSupported);
        assert_eq!(not_supported.http_status, 404);
        assert_eq!(not_supported.status_code, 4);
        assert_eq!(not_supported.sub_status_code, "notSupport");
        assert_eq!(not_supported.error_code, 0x4000_0001);

        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused here");
        let t = Fail::from(CoreError::transport("127.0.0.1:9", io));
        assert_eq!(t.code, hikproto_result::Transport);
        assert!(t.retryable);
        assert!(t.message.ends_with(": refused here"), "{}", t.message);

        assert_eq!(
            Fail::from(CoreError::invalid("x")).code,
            hikproto_result::InvalidArgument
        );
        assert_eq!(
            Fail::new(hikproto_result::Other, "a\0b").message,
            "a\u{fffd}b"
        );
    }
}
