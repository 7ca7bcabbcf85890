//! Strings and bytes across the boundary.
//!
//! In: NUL-terminated UTF-8 `const char *`, checked (`INVALID_UTF8`), never trusted. Secrets
//! are copied once, straight into a zeroizing [`Secret`].
//!
//! Out: into caller buffers `(buf, len, out_n)`. Text is NUL-terminated; on success `*out_n` is
//! the text length without the NUL. When the buffer is too small nothing is written to `buf`,
//! `*out_n` receives the size needed (NUL included for text) and the call returns
//! `HIKPROTO_RESULT_INSUFFICIENT_SIZE`. `buf` may be NULL when `len` is 0 (a size query).

use std::ffi::{CStr, CString, c_char};

use hikproto_core::Secret;

use crate::error::Fail;
use crate::result::hikproto_result;

/// A NUL-terminated copy of `s` allocated by the library (interior NULs become U+FFFD), for
/// `hikproto_string_free`.
pub(crate) fn new_c_string(s: &str) -> *mut c_char {
    let owned = if s.contains('\0') {
        s.replace('\0', "\u{fffd}")
    } else {
        s.to_owned()
    };
    CString::new(owned).unwrap_or_default().into_raw()
}

/// Releases a string the library allocated (a `char **out` result). NULL is a no-op. Strings
/// from the library must be released here, never with `free()`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_string_free(s: *mut c_char) {
    crate::panic::ffi_value((), || {
        if !s.is_null() {
            // SAFETY: produced by `new_c_string` (`CString::into_raw`), released once (caller
            // contract).
            drop(unsafe { CString::from_raw(s) });
        }
    });
}

/// A required string argument.
pub(crate) fn str_arg<'a>(p: *const c_char, what: &'static str) -> Result<&'a str, Fail> {
    opt_str_arg(p, what)?.ok_or_else(|| Fail::null(what))
}

/// An optional string argument (NULL means absent).
pub(crate) fn opt_str_arg<'a>(
    p: *const c_char,
    what: &'static str,
) -> Result<Option<&'a str>, Fail> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated (caller contract); only read for the call's duration.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map(Some).map_err(|_| {
        Fail::new(
            hikproto_result::InvalidUtf8,
            format!("{what} is not valid UTF-8"),
        )
    })
}

/// A required secret argument, copied once into a zeroizing [`Secret`].
pub(crate) fn secret_arg(p: *const c_char, what: &'static str) -> Result<Secret, Fail> {
    // The borrowed &str is the caller's memory (theirs to wipe); the only Rust copy is the
    // String inside the Secret, which zeroizes itself on drop.
    Ok(Secret::new(str_arg(p, what)?.to_owned()))
}

/// Security answers from parallel C arrays: `ids[i]` answered by `answers[i]` (copied into
/// memory that is wiped).
pub(crate) fn answers_arg(
    ids: *const u32,
    answers: *const *const c_char,
    n: usize,
) -> Result<Vec<(u32, Secret)>, Fail> {
    if n == 0 || n > 16 {
        return Err(Fail::invalid("between 1 and 16 answers are needed"));
    }
    if ids.is_null() {
        return Err(Fail::null("ids"));
    }
    if answers.is_null() {
        return Err(Fail::null("answers"));
    }
    // SAFETY: non-NULL, `n` readable elements each (caller contract), read during the call.
    let (ids, answers) = unsafe {
        (
            std::slice::from_raw_parts(ids, n),
            std::slice::from_raw_parts(answers, n),
        )
    };
    ids.iter()
        .zip(answers)
        .map(|(id, a)| Ok((*id, secret_arg(*a, "answers[i]")?)))
        .collect()
}

/// A byte-slice argument; NULL is accepted only with length 0.
pub(crate) fn bytes_arg<'a>(
    p: *const u8,
    len: usize,
    what: &'static str,
) -> Result<&'a [u8], Fail> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Fail::null(what));
    }
    if len > isize::MAX as usize {
        return Err(Fail::invalid(format!("{what} length is too large")));
    }
    // SAFETY: non-NULL, `len` readable bytes (caller contract), read for the call's duration.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Writes NUL-terminated text into a caller buffer (see the module docs for the contract).
pub(crate) fn write_str(
    s: &str,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> Result<(), Fail> {
    copy_out(s.as_bytes(), true, buf.cast::<u8>(), len, out_n)
}

/// Writes bytes (no NUL added) into a caller buffer.
pub(crate) fn write_bytes(
    b: &[u8],
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> Result<(), Fail> {
    copy_out(b, false, buf, len, out_n)
}

fn copy_out(
    src: &[u8],
    nul: bool,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> Result<(), Fail> {
    if out_n.is_null() {
        return Err(Fail::null("out_n"));
    }
    if buf.is_null() && len != 0 {
        return Err(Fail::null("buf"));
    }
    let needed = src.len() + usize::from(nul);
    if len < needed {
        // SAFETY: non-NULL, writable (caller contract).
        unsafe { out_n.write(needed) };
        return Err(Fail::new(
            hikproto_result::InsufficientSize,
            format!("buffer of {len} bytes is too small: {needed} bytes needed"),
        ));
    }
    if needed > 0 {
        // SAFETY: `buf` holds `len >= needed` writable bytes that do not overlap our data.
        unsafe {
            std::ptr::copy_nonoverlapping(src.as_ptr(), buf, src.len());
            if nul {
                buf.add(src.len()).write(0);
            }
        }
    }
    // SAFETY: as above.
    unsafe { out_n.write(src.len()) };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizing_contract() {
        let mut n = 0usize;
        let e = write_str("hello", std::ptr::null_mut(), 0, &mut n).unwrap_err();
        assert_eq!(e.code, hikproto_result::InsufficientSize);
        assert_eq!(n, 6);
        let mut buf = [0x55 as c_char; 6];
        let e = write_str("hello", buf.as_mut_ptr(), 5, &mut n).unwrap_err();
        assert_eq!(e.code, hikproto_result::InsufficientSize);
        assert_eq!(buf[0], 0x55, "nothing written on a short buffer");
        write_str("hello", buf.as_mut_ptr(), 6, &mut n).unwrap();
        assert_eq!(n, 5);
        assert_eq!(buf[5], 0);
        let mut b = [0u8; 2];
        write_bytes(b"ab", b.as_mut_ptr(), 2, &mut n).unwrap();
        assert_eq!((&b, n), (b"ab", 2));
        assert_eq!(
            write_str("x", buf.as_mut_ptr(), 6, std::ptr::null_mut())
                .unwrap_err()
                .code,
            hikproto_result::NullParameter
        );
        assert_eq!(
            write_str("x", std::ptr::null_mut(), 6, &mut n)
                .unwrap_err()
                .code,
            hikproto_result::NullParameter
        );
    }

    #[test]
    fn strings_in_are_checked() {
        let bad = [0xffu8 as c_char, 0];
        let e = str_arg(bad.as_ptr(), "host").unwrap_err();
        assert_eq!(e.code, hikproto_result::InvalidUtf8);
        assert!(e.message.contains("host"));
        assert_eq!(
            str_arg(std::ptr::null(), "host").unwrap_err().code,
            hikproto_result::NullParameter
        );
        assert_eq!(opt_str_arg(std::ptr::null(), "user").unwrap(), None);
        assert_eq!(str_arg(c"10.0.0.1".as_ptr(), "host").unwrap(), "10.0.0.1");
        assert_eq!(bytes_arg(std::ptr::null(), 0, "body").unwrap(), b"");
        assert!(bytes_arg(std::ptr::null(), 3, "body").is_err());
    }
}
