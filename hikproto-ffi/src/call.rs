//! The one shape of every operation export: check the handle and the output slot, parse the
//! arguments (secrets straight into zeroizing memory), run one core operation on the shared
//! runtime, and deliver its result (JSON text, a reboot flag, or nothing).
//!
//! Everything that can be refused locally is refused before anything is sent: the output slot
//! is checked first, then the arguments are parsed by the export's closure, and only then does
//! the operation run.

use std::ffi::c_char;

use hikproto_core::isapi::status::ResponseStatus;
use hikproto_core::reset::ResetOutcome;
use serde::Serialize;

use crate::buffer::write_str;
use crate::error::Fail;
use crate::handle::write_value;

/// Where an operation's result goes.
pub(crate) trait Deliver<T> {
    /// Checks the output slot before anything is sent.
    fn check(&self) -> Result<(), Fail>;
    /// Delivers the result.
    fn deliver(self, value: T) -> Result<(), Fail>;
}

/// Where a text result goes: a caller buffer `(buf, len, out_n)`, or a string the library
/// allocates (`char **out`, released with `hikproto_string_free`).
pub(crate) enum JsonOut {
    /// The caller's buffer triple.
    Buffer {
        buf: *mut c_char,
        len: usize,
        out_n: *mut usize,
    },
    /// A library-allocated string written to `*out` on success.
    Alloc(*mut *mut c_char),
}

impl JsonOut {
    /// The caller's buffer triple (checked by [`Deliver::check`]).
    pub(crate) fn new(buf: *mut c_char, len: usize, out_n: *mut usize) -> Self {
        Self::Buffer { buf, len, out_n }
    }

    /// A library-allocated result written to `*out` (checked by [`Deliver::check`]).
    pub(crate) fn alloc(out: *mut *mut c_char) -> Self {
        Self::Alloc(out)
    }

    fn check_slot(&self) -> Result<(), Fail> {
        match self {
            Self::Buffer { out_n, .. } if out_n.is_null() => Err(Fail::null("out_n")),
            Self::Alloc(out) if out.is_null() => Err(Fail::null("out")),
            _ => Ok(()),
        }
    }

    /// Delivers `text` to the buffer or as a new string.
    pub(crate) fn put(self, text: &str) -> Result<(), Fail> {
        match self {
            Self::Buffer { buf, len, out_n } => write_str(text, buf, len, out_n),
            Self::Alloc(out) => write_value(out, "out", crate::buffer::new_c_string(text)),
        }
    }
}

/// A value as JSON text in the library's style (see [`crate::json`]).
pub(crate) fn to_json<T: Serialize + ?Sized>(v: &T) -> Result<String, Fail> {
    crate::json::c_json(v)
}

impl<T: Serialize> Deliver<T> for JsonOut {
    fn check(&self) -> Result<(), Fail> {
        self.check_slot()
    }

    fn deliver(self, value: T) -> Result<(), Fail> {
        self.put(&to_json(&value)?)
    }
}

/// A caller buffer `(buf, len, out_n)` receiving the result as plain NUL-terminated text.
pub(crate) struct TextOut(pub(crate) JsonOut);

impl Deliver<String> for TextOut {
    fn check(&self) -> Result<(), Fail> {
        self.0.check_slot()
    }

    fn deliver(self, text: String) -> Result<(), Fail> {
        self.0.put(&text)
    }
}

/// An optional `bool *` receiving one yes/no fact of the result (NULL: not wanted), e.g. whether
/// a change takes effect after a reboot.
pub(crate) struct Flag<T> {
    out: *mut bool,
    name: &'static str,
    read: fn(&T) -> bool,
}

impl Flag<ResponseStatus> {
    /// `bool *reboot_required`: the device said the change takes effect after a reboot
    /// (`statusCode` 7).
    pub(crate) fn reboot(out: *mut bool) -> Self {
        Self {
            out,
            name: "reboot_required",
            read: ResponseStatus::reboot_required,
        }
    }
}

impl Flag<ResetOutcome> {
    /// `bool *password_risky`: the device accepted a reset's new password but flagged it as
    /// risky (`statusCode` 1, `riskPassword`); its UI then insists on a change at the next login.
    pub(crate) fn risky(out: *mut bool) -> Self {
        Self {
            out,
            name: "password_risky",
            read: ResetOutcome::password_is_risky,
        }
    }
}

impl Flag<()> {
    /// `bool *password_risky` of a SADP reset: SADP refuses a risky password outright, so an
    /// accepted one never is.
    pub(crate) fn sadp_risky(out: *mut bool) -> Self {
        Self {
            out,
            name: "password_risky",
            read: |()| false,
        }
    }
}

impl<T> Deliver<T> for Flag<T> {
    fn check(&self) -> Result<(), Fail> {
        Ok(())
    }

    fn deliver(self, value: T) -> Result<(), Fail> {
        if self.out.is_null() {
            return Ok(());
        }
        write_value(self.out, self.name, (self.read)(&value))
    }
}

/// An optional `uint32_t *` receiving a number (a new user's id). NULL: not wanted.
pub(crate) struct U32Out(pub(crate) *mut u32);

impl Deliver<u32> for U32Out {
    fn check(&self) -> Result<(), Fail> {
        Ok(())
    }

    fn deliver(self, v: u32) -> Result<(), Fail> {
        if self.0.is_null() {
            return Ok(());
        }
        write_value(self.0, "out_id", v)
    }
}

/// A required `bool *` receiving a yes/no answer (checked before anything is sent).
pub(crate) struct BoolOut(pub(crate) *mut bool, pub(crate) &'static str);

impl Deliver<bool> for BoolOut {
    fn check(&self) -> Result<(), Fail> {
        if self.0.is_null() {
            return Err(Fail::null(self.1));
        }
        Ok(())
    }

    fn deliver(self, v: bool) -> Result<(), Fail> {
        write_value(self.0, self.1, v)
    }
}

/// The result is not returned (success is the answer).
pub(crate) struct Discard;

impl<T> Deliver<T> for Discard {
    fn check(&self) -> Result<(), Fail> {
        Ok(())
    }

    fn deliver(self, _: T) -> Result<(), Fail> {
        Ok(())
    }
}
