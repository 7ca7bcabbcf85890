//! Opaque handles: how a C pointer maps to the Rust value behind it.
//!
//! Every C type is a zero-sized marker struct; the pointer C holds is really a `Box` of the
//! marker's [`BoxCastable::Inner`]. All casts go through these helpers, never through `as`.

use crate::error::Fail;
use crate::result::hikproto_result;

/// A C handle type whose pointer owns a `Box<Self::Inner>`.
pub(crate) trait BoxCastable {
    /// The Rust value behind the handle.
    type Inner;
}

/// Moves `inner` to the heap and returns the handle pointer C will own.
pub(crate) fn into_raw<T: BoxCastable>(inner: T::Inner) -> *mut T {
    Box::into_raw(Box::new(inner)).cast::<T>()
}

/// Borrows the value behind a handle, or fails with `NULL_PARAMETER` naming the argument.
pub(crate) fn try_ref<'a, T: BoxCastable>(
    p: *const T,
    what: &'static str,
) -> Result<&'a T::Inner, Fail> {
    // SAFETY: a non-NULL handle was produced by `into_raw::<T>` and not yet freed (caller contract).
    unsafe { p.cast::<T::Inner>().as_ref() }.ok_or_else(|| Fail::null(what))
}

/// Mutably borrows the value behind a handle, or fails with `NULL_PARAMETER`.
pub(crate) fn try_mut<'a, T: BoxCastable>(
    p: *mut T,
    what: &'static str,
) -> Result<&'a mut T::Inner, Fail> {
    // SAFETY: as in `try_ref`; the caller does not use the handle from another thread meanwhile.
    unsafe { p.cast::<T::Inner>().as_mut() }.ok_or_else(|| Fail::null(what))
}

/// Frees a handle made by [`into_raw`]; NULL is a no-op.
pub(crate) fn free_box<T: BoxCastable>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: produced by `into_raw::<T>`, freed once (caller contract).
        drop(unsafe { Box::from_raw(p.cast::<T::Inner>()) });
    }
}

/// Frees a handle whose value holds connections or tasks: it is dropped inside the library's
/// runtime while that runs (so they close at once), plainly after `hikproto_shutdown`.
pub(crate) fn free_box_in_runtime<T: BoxCastable>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: produced by `into_raw::<T>`, freed once (caller contract).
        crate::runtime::drop_in_runtime(unsafe { Box::from_raw(p.cast::<T::Inner>()) });
    }
}

/// Checks an out-pointer before any work is done.
pub(crate) fn check_out<T>(out: *mut *mut T, what: &'static str) -> Result<(), Fail> {
    if out.is_null() {
        Err(Fail::null(what))
    } else {
        Ok(())
    }
}

/// Writes a new handle to a checked out-pointer (only ever on success).
pub(crate) fn write_out<T: BoxCastable>(out: *mut *mut T, inner: T::Inner) {
    debug_assert!(!out.is_null());
    // SAFETY: checked non-NULL by `check_out`; the caller passes a writable slot.
    unsafe { out.write(into_raw::<T>(inner)) };
}

/// Writes a plain value through an out-pointer that may not be NULL.
pub(crate) fn write_value<T>(out: *mut T, what: &'static str, v: T) -> Result<(), Fail> {
    if out.is_null() {
        return Err(Fail::null(what));
    }
    // SAFETY: non-NULL; the caller passes a writable slot.
    unsafe { out.write(v) };
    Ok(())
}

impl Fail {
    /// A `NULL_PARAMETER` failure naming the argument.
    pub(crate) fn null(what: &'static str) -> Self {
        Self::new(hikproto_result::NullParameter, format!("{what} is NULL"))
    }
}
