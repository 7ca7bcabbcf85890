//! Hik-Connect (EZVIZ) identifiers printed on device labels.
//!
//! * [`ShortSerial`] — the 9-character serial the Hik-Connect app and the EZVIZ cloud use: the
//!   last 9 characters of the device's full serial number (`…BBWR733050127` → `733050127`).
//! * [`LabelQr`] — the QR code on the device label: domain, short serial, verification code,
//!   model, and for sensors a 4-character fifth field. [`LabelQr::parse`] reads every form the
//!   vendor's own scanner accepts (any line-break separator, 1 to 5 fields, the URL variant whose
//!   `f=` parameter carries the same fields in base64); [`LabelQr::to_text`] and
//!   [`LabelQr::to_url`] build them.
//!
//! Validation failures are typed ([`LabelError`]); they convert into
//! [`Error::InvalidInput`](crate::Error::InvalidInput) where an operation needs the crate error.
//! The verification code is a [`Secret`](crate::Secret): it never appears in `Debug`, `Display`
//! or the `Serialize` output.

mod label;
mod serial;

pub use label::{LabelQr, LabelSeparator, LabelSource};
pub use serial::ShortSerial;

/// Why a label QR code, a serial or a verification code was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LabelError {
    /// The text was empty (or only separators).
    #[error("the label text is empty")]
    Empty,
    /// The text is longer than any label QR code.
    #[error("the label text is longer than {max} bytes")]
    TooLong {
        /// The accepted maximum.
        max: usize,
    },
    /// More fields than the 5 a label carries.
    #[error("the label has {found} fields; at most 5 are defined")]
    TooManyFields {
        /// How many fields were found.
        found: usize,
    },
    /// The serial field is not a valid serial.
    #[error("invalid serial: {reason}")]
    BadSerial {
        /// Why.
        reason: String,
    },
    /// The verification-code field is not 6–12 letters or digits (the code itself is not shown).
    #[error(
        "invalid verification code: it must be 6 to 12 letters or digits (found {len} characters)"
    )]
    BadVerificationCode {
        /// Length of what was found.
        len: usize,
    },
    /// The model field contains characters a model name cannot have.
    #[error("invalid model field: {reason}")]
    BadModel {
        /// Why.
        reason: String,
    },
    /// The fifth (sensor) field is not 4 characters starting with `T` or `K`.
    #[error("invalid sensor field {found:?}: it must be 4 letters or digits starting with T or K")]
    BadSensorCode {
        /// What was found.
        found: String,
    },
    /// The URL variant could not be decoded.
    #[error("invalid label URL: {reason}")]
    BadUrl {
        /// Why.
        reason: String,
    },
}

impl From<LabelError> for crate::Error {
    fn from(e: LabelError) -> Self {
        Self::InvalidInput(e.to_string())
    }
}
