//! Result codes: stable numbers in bands, their names and plain-words descriptions.

use std::ffi::c_char;

use crate::buffer::write_str;
use crate::panic::{ffi_call_plain, ffi_value};

/// The result of every fallible hikproto call.
///
/// Numbers are stable and grouped in bands by what the caller can do about them. A number is
/// never reused: a retired code stays listed as a comment. Band ranges:
///
/// - 0: success;
/// - 100–199: an argument or buffer was wrong; nothing was sent;
/// - 200–299: the device could not be reached (network, timeout, TLS);
/// - 300–399: the device rejected the credentials;
/// - 400–499: the account or client address is locked;
/// - 500–599: the device refused the request (see the error object's status fields);
/// - 600–699: what came back could not be decoded, or was too large;
/// - 700–799: the simulator;
/// - 900–999: inside the library (panic caught, runtime failure, unmapped error).
///
/// Functions take result codes as `uint32_t` (see `hikproto_result_describe`), so a value from
/// a newer library version is never undefined behaviour.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum hikproto_result {
    /// Success.
    Ok = 0,

    /// A required pointer argument was NULL.
    NullParameter = 100,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 101,
    /// An argument had a value the function does not accept.
    InvalidArgument = 102,
    /// The caller's buffer is too small; the needed size was written to `*out_n`. No error
    /// object is made for this code.
    InsufficientSize = 103,

    /// The device could not be reached, or the connection broke.
    Transport = 200,
    /// The operation did not finish within its deadline.
    Timeout = 201,
    /// TLS failed: certificate not trusted, fingerprint pin mismatch, handshake error.
    Tls = 202,

    /// The device rejected the user name or password. Do not retry the same credentials.
    CredentialsRejected = 300,
    /// hikproto refused to send credentials the device already rejected (lock-out guard).
    CredentialLatched = 301,

    /// The account or client address is locked after too many failed logins.
    Locked = 400,

    /// The device answered with a `ResponseStatus` that is not a success.
    DeviceRefused = 500,
    /// The device does not support this operation.
    NotSupported = 501,
    /// The device is not activated: it needs an admin password first.
    NotActivated = 502,
    /// Activation was asked of a device that is already activated.
    AlreadyActivated = 503,

    /// A response or document could not be decoded.
    Decode = 600,
    /// A response or document was larger than the configured cap.
    TooLarge = 601,

    /// The simulator could not be started or configured.
    SimFailed = 700,
    /// A simulated device index was out of range.
    SimNoSuchDevice = 701,

    /// A panic inside the library was caught at the boundary (a bug in hikproto: report it).
    Panic = 900,
    /// The library's internal runtime could not start, or was entered from inside itself.
    Runtime = 901,
    /// The call was cancelled before it finished (`hikproto_device_cancel`,
    /// `hikproto_discovery_cancel`, `hikproto_sadp_client_cancel`, `hikproto_fleet_cancel`).
    Cancelled = 902,
    /// `hikproto_shutdown` was called: the library no longer runs calls.
    ShutDown = 903,
    /// An error this version of the C ABI has no specific code for yet.
    Other = 999,
}

impl hikproto_result {
    /// Every code, in numeric order (for tests and for `from_u32`).
    pub(crate) const ALL: [Self; 24] = [
        Self::Ok,
        Self::NullParameter,
        Self::InvalidUtf8,
        Self::InvalidArgument,
        Self::InsufficientSize,
        Self::Transport,
        Self::Timeout,
        Self::Tls,
        Self::CredentialsRejected,
        Self::CredentialLatched,
        Self::Locked,
        Self::DeviceRefused,
        Self::NotSupported,
        Self::NotActivated,
        Self::AlreadyActivated,
        Self::Decode,
        Self::TooLarge,
        Self::SimFailed,
        Self::SimNoSuchDevice,
        Self::Panic,
        Self::Runtime,
        Self::Cancelled,
        Self::ShutDown,
        Self::Other,
    ];

    /// The code for a number, when it is one of ours.
    pub fn from_u32(n: u32) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| *c as u32 == n)
    }

    /// The C name of the code (`"HIKPROTO_RESULT_TIMEOUT"`), NUL-terminated.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ok => "HIKPROTO_RESULT_OK\0",
            Self::NullParameter => "HIKPROTO_RESULT_NULL_PARAMETER\0",
            Self::InvalidUtf8 => "HIKPROTO_RESULT_INVALID_UTF8\0",
            Self::InvalidArgument => "HIKPROTO_RESULT_INVALID_ARGUMENT\0",
            Self::InsufficientSize => "HIKPROTO_RESULT_INSUFFICIENT_SIZE\0",
            Self::Transport => "HIKPROTO_RESULT_TRANSPORT\0",
            Self::Timeout => "HIKPROTO_RESULT_TIMEOUT\0",
            Self::Tls => "HIKPROTO_RESULT_TLS\0",
            Self::CredentialsRejected => "HIKPROTO_RESULT_CREDENTIALS_REJECTED\0",
            Self::CredentialLatched => "HIKPROTO_RESULT_CREDENTIAL_LATCHED\0",
            Self::Locked => "HIKPROTO_RESULT_LOCKED\0",
            Self::DeviceRefused => "HIKPROTO_RESULT_DEVICE_REFUSED\0",
            Self::NotSupported => "HIKPROTO_RESULT_NOT_SUPPORTED\0",
            Self::NotActivated => "HIKPROTO_RESULT_NOT_ACTIVATED\0",
            Self::AlreadyActivated => "HIKPROTO_RESULT_ALREADY_ACTIVATED\0",
            Self::Decode => "HIKPROTO_RESULT_DECODE\0",
            Self::TooLarge => "HIKPROTO_RESULT_TOO_LARGE\0",
            Self::SimFailed => "HIKPROTO_RESULT_SIM_FAILED\0",
            Self::SimNoSuchDevice => "HIKPROTO_RESULT_SIM_NO_SUCH_DEVICE\0",
            Self::Panic => "HIKPROTO_RESULT_PANIC\0",
            Self::Runtime => "HIKPROTO_RESULT_RUNTIME\0",
            Self::Cancelled => "HIKPROTO_RESULT_CANCELLED\0",
            Self::ShutDown => "HIKPROTO_RESULT_SHUT_DOWN\0",
            Self::Other => "HIKPROTO_RESULT_OTHER\0",
        }
    }

    /// A plain-words description of the code.
    pub fn description(self) -> &'static str {
        match self {
            Self::Ok => "success",
            Self::NullParameter => "a required pointer argument was NULL",
            Self::InvalidUtf8 => "a string argument was not valid UTF-8",
            Self::InvalidArgument => "an argument had a value the function does not accept",
            Self::InsufficientSize => "the buffer is too small; the needed size was written back",
            Self::Transport => "the device could not be reached, or the connection broke",
            Self::Timeout => "the operation did not finish within its deadline",
            Self::Tls => "TLS failed: certificate not trusted, pin mismatch or handshake error",
            Self::CredentialsRejected => {
                "the device rejected the credentials; do not retry them unchanged"
            }
            Self::CredentialLatched => {
                "not sending credentials the device already rejected; supply new credentials"
            }
            Self::Locked => "the account or client address is locked after failed logins",
            Self::DeviceRefused => "the device refused the request (see its status code)",
            Self::NotSupported => "the device does not support this operation",
            Self::NotActivated => "the device is not activated",
            Self::AlreadyActivated => "the device is already activated",
            Self::Decode => "a response or document could not be decoded",
            Self::TooLarge => "a response or document was larger than the configured cap",
            Self::SimFailed => "the simulator could not be started or configured",
            Self::SimNoSuchDevice => "no simulated device with that index",
            Self::Panic => "internal error: a panic was caught (please report it)",
            Self::Runtime => {
                "the library's runtime could not start, or was called from one of its own threads \
                 (a callback)"
            }
            Self::Cancelled => "the call was cancelled before it finished",
            Self::ShutDown => "the library was shut down (hikproto_shutdown)",
            Self::Other => "an error without a specific code in this version",
        }
    }
}

/// Writes the plain-words description of result code `code` into `buf` (NUL-terminated UTF-8).
///
/// A number that is not a hikproto result code is described as `unknown result code` and still
/// returns `HIKPROTO_RESULT_OK`, so that printing an error never fails.
///
/// Buffer contract: `buf` holds `len` bytes (`buf` may be NULL when `len` is 0). On success
/// `*out_n` receives the text length without the NUL. When `len` is too small nothing is
/// written to `buf`, `*out_n` receives the size needed including the NUL, and the result is
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE`.
///
/// Thread-safety: may be called from any thread at any time.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_result_describe(
    code: u32,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hikproto_result {
    ffi_call_plain(|| {
        let text = hikproto_result::from_u32(code)
            .map(hikproto_result::description)
            .unwrap_or("unknown result code");
        write_str(text, buf, len, out_n)
    })
}

/// The C name of result code `code` (for example `"HIKPROTO_RESULT_TIMEOUT"`), as a static
/// NUL-terminated string, or `"HIKPROTO_RESULT_UNKNOWN"` for a number that is not a code.
///
/// Ownership: the string is static; do not free it. Thread-safety: any thread, any time.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_result_name(code: u32) -> *const c_char {
    ffi_value(c"HIKPROTO_RESULT_UNKNOWN".as_ptr(), || {
        hikproto_result::from_u32(code)
            .map(|c| c.name().as_ptr().cast::<c_char>())
            .unwrap_or(c"HIKPROTO_RESULT_UNKNOWN".as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_named_and_in_their_bands() {
        let mut seen = std::collections::HashSet::new();
        for c in &hikproto_result::ALL {
            assert!(seen.insert(*c as u32), "duplicate code {c:?}");
            assert!(c.name().ends_with('\0'));
            let name = c.name().trim_end_matches('\0');
            assert!(name.starts_with("HIKPROTO_RESULT_"), "{name}");
            assert!(!c.description().is_empty());
            assert_eq!(hikproto_result::from_u32(*c as u32), Some(*c));
        }
        assert_eq!(hikproto_result::Timeout as u32 / 100, 2);
        assert_eq!(hikproto_result::CredentialsRejected as u32 / 100, 3);
        assert_eq!(hikproto_result::Locked as u32 / 100, 4);
        assert_eq!(hikproto_result::DeviceRefused as u32 / 100, 5);
        assert_eq!(hikproto_result::Decode as u32 / 100, 6);
        assert_eq!(hikproto_result::from_u32(12345), None);
    }
}
