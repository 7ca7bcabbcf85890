//! The one boundary every export goes through: panics are caught here and never cross into C,
//! and failures become a result code plus, when asked for, a detailed error object.
//!
//! The boundary is a closure-taking function rather than a brace macro, so `cargo fmt` formats
//! the bodies of the exports.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

use crate::error::{Fail, hikproto_error};
use crate::handle::into_raw;
use crate::result::hikproto_result;

/// Runs a fallible export body. `*err_out` (when `err_out` is not NULL) is set to NULL first and
/// receives a new error object when the call fails, panics included — except for
/// `INSUFFICIENT_SIZE`, which is the expected answer to a size query and makes no object, so
/// the two-call sizing pattern never leaks one.
pub(crate) fn ffi_call(
    err_out: *mut *mut hikproto_error,
    f: impl FnOnce() -> Result<(), Fail>,
) -> hikproto_result {
    if !err_out.is_null() {
        // SAFETY: the caller passes NULL or a valid, writable `hikproto_error *` slot.
        unsafe { err_out.write(ptr::null_mut()) };
    }
    crate::runtime::ignore_sigpipe_once();
    let fail = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => return hikproto_result::Ok,
        Ok(Err(fail)) => fail,
        Err(payload) => Fail::panic(&*payload),
    };
    let code = fail.code;
    if !err_out.is_null() && code != hikproto_result::InsufficientSize {
        // Building the object only allocates; should even that unwind, the code still goes back.
        if let Ok(obj) = catch_unwind(AssertUnwindSafe(|| into_raw::<hikproto_error>(fail))) {
            // SAFETY: as above.
            unsafe { err_out.write(obj) };
        }
    }
    code
}

/// Runs a fallible export body that has no `err_out` parameter.
pub(crate) fn ffi_call_plain(f: impl FnOnce() -> Result<(), Fail>) -> hikproto_result {
    ffi_call(ptr::null_mut(), f)
}

/// Runs an infallible export body (getters, `_free`); a panic yields `default`.
pub(crate) fn ffi_value<T>(default: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(default)
}

/// The message carried by a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "unknown panic payload"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{hikproto_error_code, hikproto_error_free};

    #[test]
    fn a_panic_becomes_a_code_and_an_error_object() {
        let mut err: *mut hikproto_error = ptr::null_mut();
        let code = ffi_call(&mut err, || panic!("boom in a test"));
        assert_eq!(code, hikproto_result::Panic);
        assert!(!err.is_null());
        assert_eq!(hikproto_error_code(err), hikproto_result::Panic);
        hikproto_error_free(err);
        assert_eq!(ffi_value(7, || panic!("getter")), 7);
    }

    #[test]
    fn a_size_query_makes_no_error_object() {
        let mut err: *mut hikproto_error = ptr::null_mut();
        let code = ffi_call(&mut err, || {
            Err(Fail::new(hikproto_result::InsufficientSize, "too small"))
        });
        assert_eq!(code, hikproto_result::InsufficientSize);
        assert!(err.is_null());
    }

    #[test]
    fn success_clears_err_out() {
        let mut err: *mut hikproto_error = 0x8 as *mut hikproto_error;
        assert_eq!(ffi_call(&mut err, || Ok(())), hikproto_result::Ok);
        assert!(err.is_null());
    }
}
