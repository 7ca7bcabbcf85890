//! The library's version at run time (the header's `HIKPROTO_VERSION*` macros give it at
//! compile time; compare the two to detect a header/library mismatch).

use std::ffi::c_char;

const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library version as a static NUL-terminated string, for example `"0.1.0"`.
///
/// Ownership: static; do not free. Thread-safety: any thread, any time.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_version() -> *const c_char {
    VERSION.as_ptr().cast::<c_char>()
}

/// The library version as one number, `major * 10000 + minor * 100 + patch` (the same form as
/// the header's `HIKPROTO_VERSION_NUMBER`).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_version_number() -> u32 {
    version_number(env!("CARGO_PKG_VERSION"))
}

pub(crate) fn version_number(v: &str) -> u32 {
    let mut parts = v
        .split(['.', '-', '+'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    let patch = parts.next().unwrap_or(0);
    major * 10000 + minor * 100 + patch
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers() {
        assert_eq!(super::version_number("0.1.0"), 100);
        assert_eq!(super::version_number("1.12.3-rc.1"), 11203);
    }
}
