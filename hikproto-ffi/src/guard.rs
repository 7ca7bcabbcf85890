//! `hikproto_guard`: the lock-out latch's scope.
//!
//! A device answers a rejected login by counting it toward a lock. The latch stops a credential
//! the device rejected from being sent again (`HIKPROTO_RESULT_CREDENTIAL_LATCHED`) until new
//! credentials are set or the latch is cleared. Its scope is a guard: by default every handle
//! this library makes shares one library-wide guard, so a credential one handle saw rejected is
//! not re-sent by any other handle to the same host and user, whichever thread uses it. A
//! handle built with `hikproto_device_builder_set_guard` uses that guard instead, shared only
//! with the other handles given the same guard (one per tenant, per test, per site).

use std::sync::{Mutex, PoisonError};

use hikproto_core::LockoutGuard;

use crate::error::hikproto_error;
use crate::handle::{BoxCastable, check_out, free_box, write_out};
use crate::panic::{ffi_call, ffi_value};
use crate::result::hikproto_result;

/// A lock-out guard: the scope within which a rejected credential stays latched.
///
/// Methods: `hikproto_guard_new`, `hikproto_guard_free`; give it to builders with
/// `hikproto_device_builder_set_guard`.
///
/// Ownership: the caller owns it and frees it with `hikproto_guard_free`; handles built with it
/// keep their own share, so it may be freed while they live.
/// Thread-safety: any number of threads and handles may use one guard at once.
pub struct hikproto_guard {
    _private: [u8; 0],
}

impl BoxCastable for hikproto_guard {
    type Inner = LockoutGuard;
}

static LIBRARY_GUARD: Mutex<Option<LockoutGuard>> = Mutex::new(None);

/// The guard of handles built without one (created on first use).
pub(crate) fn library_guard() -> LockoutGuard {
    LIBRARY_GUARD
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(LockoutGuard::new)
        .clone()
}

/// Lets go of the library-wide guard (on `hikproto_shutdown`); handles keep their share.
pub(crate) fn release_library_guard() {
    *LIBRARY_GUARD.lock().unwrap_or_else(PoisonError::into_inner) = None;
}

/// Creates an isolated lock-out guard (see `hikproto_guard`). Writes it to `*out` on success
/// only. Ownership: the caller frees it with `hikproto_guard_free`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_guard_new(
    out: *mut *mut hikproto_guard,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        write_out(out, LockoutGuard::new());
        Ok(())
    })
}

/// Releases the caller's share of a guard. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_guard_free(guard: *mut hikproto_guard) {
    ffi_value((), || free_box(guard));
}
