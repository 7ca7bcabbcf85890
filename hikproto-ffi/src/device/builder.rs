//! `hikproto_device_builder`: address, credentials, timeouts and TLS for a device handle.

use std::ffi::c_char;
use std::time::Duration;

use hikproto_core::{LockoutGuard, Secret, TlsMode};

use crate::buffer::{bytes_arg, secret_arg, str_arg};
use crate::error::{Fail, hikproto_error};
use crate::handle::{BoxCastable, check_out, free_box, try_mut, try_ref, write_out};
use crate::panic::{ffi_call, ffi_value};
use crate::result::hikproto_result;

use super::{DeviceInner, hikproto_device};
use crate::guard::hikproto_guard;

/// How a device's HTTPS certificate is checked (values for `hikproto_device_builder_set_tls_mode`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hikproto_tls_mode {
    /// Verify the chain and host name against the system roots and any added roots (default).
    Verify = 0,
    /// Accept exactly the certificate whose SHA-256 fingerprint was set with
    /// `hikproto_device_builder_set_tls_pin_sha256` (the way to trust a self-signed device).
    PinSha256 = 1,
    /// Accept any certificate. Gives up protection against interception; prefer pinning.
    DangerAcceptInvalidCerts = 2,
}

/// Settings for a device handle; `hikproto_device_builder_build` turns them into a
/// `hikproto_device`.
///
/// Methods: `_new`, `_set_https`, `_set_allow_plaintext_secrets`, `_set_credentials`,
/// `_set_timeouts_ms`, `_set_tls_mode`, `_set_tls_pin_sha256`, `_add_root_certificate_der`,
/// `_set_max_response_bytes`, `_set_guard`, `_build`, `_free`. `_new` checks the host at once;
/// every setter takes an `err_out` saying why it refused a value.
///
/// Ownership: the caller owns the builder and must release it with
/// `hikproto_device_builder_free`; building does not consume it. The password it holds is
/// wiped from memory when it is replaced or freed.
/// Thread-safety: not safe for concurrent mutation; setters must not race with each other or
/// with `_build`.
pub struct hikproto_device_builder {
    _private: [u8; 0],
}

/// The value behind a `hikproto_device_builder *`.
#[derive(Debug, Clone)]
pub(crate) struct BuilderInner {
    host: String,
    port: u16,
    https: bool,
    user: Option<String>,
    password: Option<Secret>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    tls_mode: hikproto_tls_mode,
    pin: Option<[u8; 32]>,
    roots_der: Vec<Vec<u8>>,
    max_response_bytes: Option<usize>,
    guard: Option<LockoutGuard>,
    allow_plaintext_secrets: bool,
}

impl BoxCastable for hikproto_device_builder {
    type Inner = BuilderInner;
}

impl BuilderInner {
    pub(crate) fn new(host: &str, port: u16) -> Result<Self, Fail> {
        let host = host.trim();
        if host.is_empty() {
            return Err(Fail::invalid("host is empty"));
        }
        if port != 0 && names_port(host) {
            return Err(Fail::invalid(
                "host already names a port; pass port 0 or a host without one",
            ));
        }
        let b = Self {
            host: host.to_owned(),
            port,
            https: false,
            allow_plaintext_secrets: false,
            user: None,
            password: None,
            connect_timeout: None,
            timeout: None,
            tls_mode: hikproto_tls_mode::Verify,
            pin: None,
            roots_der: Vec::new(),
            max_response_bytes: None,
            guard: None,
        };
        // refused at once, not at `_build`
        hikproto_core::client::check_host(&b.authority())?;
        Ok(b)
    }

    pub(crate) fn credentials(&mut self, user: &str, password: Secret) {
        self.user = Some(user.to_owned());
        self.password = Some(password);
    }

    /// `host[:port]` as the core expects it (IPv6 literals bracketed).
    fn authority(&self) -> String {
        if self.port == 0 {
            return self.host.clone();
        }
        hikproto_core::DeviceAddress::new(self.host.as_str(), Some(self.port)).to_string()
    }

    pub(crate) fn build(&self) -> Result<DeviceInner, Fail> {
        let tls = match self.tls_mode {
            hikproto_tls_mode::Verify => TlsMode::Verify,
            hikproto_tls_mode::DangerAcceptInvalidCerts => TlsMode::DangerAcceptInvalidCerts,
            hikproto_tls_mode::PinSha256 => TlsMode::PinSha256(self.pin.ok_or_else(|| {
                Fail::invalid("TLS mode is PIN_SHA256 but no fingerprint was set")
            })?),
        };
        let mut b = hikproto_core::Device::builder(self.authority())
            .https(self.https)
            .tls(tls)
            .lockout_guard(
                self.guard
                    .clone()
                    .unwrap_or_else(crate::guard::library_guard),
            );
        if let (Some(user), Some(password)) = (&self.user, &self.password) {
            b = b.credentials(user.clone(), password.clone());
        }
        if let Some(d) = self.connect_timeout {
            b = b.connect_timeout(d);
        }
        if let Some(d) = self.timeout {
            b = b.timeout(d);
        }
        if let Some(n) = self.max_response_bytes {
            b = b.max_response_bytes(n);
        }
        for der in &self.roots_der {
            b = b.add_root_certificate_der(der.clone());
        }
        // built inside the library's runtime (see `crate::runtime`)
        let dev = crate::runtime::with_runtime(|| b.build())??;
        Ok(DeviceInner::new(if self.allow_plaintext_secrets {
            dev.allow_plaintext_secrets()
        } else {
            dev
        }))
    }
}

/// True when `host` already carries a port (`h:80`, `[::1]:80`), as opposed to a bare IPv6
/// literal (`::1`) or a name.
fn names_port(host: &str) -> bool {
    let host = host
        .strip_prefix("http://")
        .or_else(|| host.strip_prefix("https://"))
        .unwrap_or(host);
    if host.starts_with('[') {
        return host.contains("]:");
    }
    host.matches(':').count() == 1
}

/// Parses a SHA-256 fingerprint (64 hex digits, `:` separators allowed) with the core's parser.
pub(crate) fn parse_fingerprint(s: &str) -> Result<[u8; 32], Fail> {
    match TlsMode::pin_from_hex(s)? {
        TlsMode::PinSha256(fp) => Ok(fp),
        _ => Err(Fail::invalid("not a SHA-256 fingerprint")),
    }
}

/// Creates a builder for the device at `host` (a name, an IPv4 address, or an IPv6 literal,
/// optionally `host:port`) and `port` (0 means the scheme's default, 80 or 443).
///
/// Returns `HIKPROTO_RESULT_OK` and writes a new builder to `*out`; on failure `*out` is left
/// untouched. No network traffic happens until a request is made.
/// Ownership: the caller owns `*out` and frees it with `hikproto_device_builder_free`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_builder_new(
    host: *const c_char,
    port: u16,
    out: *mut *mut hikproto_device_builder,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        let inner = BuilderInner::new(str_arg(host, "host")?, port)?;
        write_out(out, inner);
        Ok(())
    })
}

/// Uses HTTPS (`true`) or plain HTTP (`false`, the default).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_builder_set_https(
    builder: *mut hikproto_device_builder,
    https: bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        try_mut(builder, "builder")?.https = https;
        Ok(())
    })
}

/// Lets the handles built from this builder send passwords, codes, answers and keys **in
/// clear** over plain HTTP when neither HTTPS nor the device's `security=1` cipher protects
/// them (`true`), or not (`false`, the default: such calls fail with
/// `HIKPROTO_INVALID_ARGUMENT` before anything secret is sent). Build a separate handle for the
/// calls that need it, on trusted networks only.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_builder_set_allow_plaintext_secrets(
    builder: *mut hikproto_device_builder,
    allow: bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        try_mut(builder, "builder")?.allow_plaintext_secrets = allow;
        Ok(())
    })
}

/// Logs in as `user` with `password` (both NUL-terminated UTF-8, neither NULL).
///
/// The password is copied into memory that is wiped when the builder is freed; the caller may
/// wipe its own copy as soon as this returns.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_builder_set_credentials(
    builder: *mut hikproto_device_builder,
    user: *const c_char,
    password: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let b = try_mut(builder, "builder")?;
        let user = str_arg(user, "user")?;
        let password = secret_arg(password, "password")?;
        b.credentials(user, password);
        Ok(())
    })
}

/// Sets the connect deadline and the whole-operation deadline in milliseconds (authentication
/// round trips included). 0 keeps the default (5 s to connect, 15 s per operation).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_builder_set_timeouts_ms(
    builder: *mut hikproto_device_builder,
    connect_ms: u32,
    request_ms: u32,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let b = try_mut(builder, "builder")?;
        let ms = |n: u32| (n != 0).then(|| Duration::from_millis(u64::from(n)));
        b.connect_timeout = ms(connect_ms);
        b.timeout = ms(request_ms);
        Ok(())
    })
}

/// Sets how certificates are checked: one of the `HIKPROTO_TLS_MODE_*` values. Other numbers
/// give `HIKPROTO_RESULT_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_builder_set_tls_mode(
    builder: *mut hikproto_device_builder,
    mode: u32,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let b = try_mut(builder, "builder")?;
        b.tls_mode = match mode {
            0 => hikproto_tls_mode::Verify,
            1 => hikproto_tls_mode::PinSha256,
            2 => hikproto_tls_mode::DangerAcceptInvalidCerts,
            n => return Err(Fail::invalid(format!("unknown TLS mode {n}"))),
        };
        Ok(())
    })
}

/// Pins the device certificate by its SHA-256 fingerprint (64 hex digits, `:` separators
/// allowed) and switches the TLS mode to `HIKPROTO_TLS_MODE_PIN_SHA256`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_builder_set_tls_pin_sha256(
    builder: *mut hikproto_device_builder,
    fingerprint_hex: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let b = try_mut(builder, "builder")?;
        b.pin = Some(parse_fingerprint(str_arg(
            fingerprint_hex,
            "fingerprint_hex",
        )?)?);
        b.tls_mode = hikproto_tls_mode::PinSha256;
        Ok(())
    })
}

/// Trusts an additional root certificate (DER bytes, copied) in `HIKPROTO_TLS_MODE_VERIFY`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_builder_add_root_certificate_der(
    builder: *mut hikproto_device_builder,
    der: *const u8,
    der_len: usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let b = try_mut(builder, "builder")?;
        let der = bytes_arg(der, der_len, "der")?;
        if der.is_empty() {
            return Err(Fail::invalid("der is empty"));
        }
        b.roots_der.push(der.to_vec());
        Ok(())
    })
}

/// Gives the handles this builder makes the lock-out guard `guard` (see `hikproto_guard`)
/// instead of the library-wide one; NULL goes back to the library-wide guard. The builder
/// keeps its own share: `guard` may be freed afterwards.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_builder_set_guard(
    builder: *mut hikproto_device_builder,
    guard: *const hikproto_guard,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let b = try_mut(builder, "builder")?;
        b.guard = if guard.is_null() {
            None
        } else {
            Some(try_ref(guard, "guard")?.clone())
        };
        Ok(())
    })
}

/// Caps response bodies at `max_bytes` (larger answers fail with `HIKPROTO_RESULT_TOO_LARGE`).
/// 0 keeps the default (8 MiB).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_builder_set_max_response_bytes(
    builder: *mut hikproto_device_builder,
    max_bytes: usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        try_mut(builder, "builder")?.max_response_bytes = (max_bytes != 0).then_some(max_bytes);
        Ok(())
    })
}

/// Builds a device handle from the builder's settings. The builder stays valid (and must still
/// be freed); it may build more handles.
///
/// Returns `HIKPROTO_RESULT_OK` and writes the handle to `*out`; on failure `*out` is left
/// untouched and `*err_out` (when `err_out` is not NULL) receives the details.
/// Ownership: the caller owns `*out` and frees it with `hikproto_device_free`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_builder_build(
    builder: *const hikproto_device_builder,
    out: *mut *mut hikproto_device,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        let device = try_ref(builder, "builder")?.build()?;
        write_out(out, device);
        Ok(())
    })
}

/// Releases a builder and wipes the password it holds. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_device_builder_free(builder: *mut hikproto_device_builder) {
    ffi_value((), || free_box(builder));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_and_ports() {
        let a = |h: &str, p: u16| BuilderInner::new(h, p).map(|b| b.authority());
        assert_eq!(a("10.0.0.5", 0).unwrap(), "10.0.0.5");
        assert_eq!(a("10.0.0.5", 8080).unwrap(), "10.0.0.5:8080");
        assert_eq!(a("10.0.0.5:81", 0).unwrap(), "10.0.0.5:81");
        assert_eq!(a("::1", 8080).unwrap(), "[::1]:8080");
        assert_eq!(a("[::1]", 8080).unwrap(), "[::1]:8080");
        assert!(a("10.0.0.5:81", 80).is_err());
        assert!(a("[::1]:81", 80).is_err());
        assert!(a("  ", 80).is_err());
        assert!(a("bad host!", 0).is_err());
        assert!(a("cam/ISAPI", 0).is_err());
    }

    #[test]
    fn fingerprints() {
        let hex = "AB:".repeat(31) + "CD";
        let fp = parse_fingerprint(&hex).unwrap();
        assert_eq!(fp[0], 0xab);
        assert_eq!(fp[31], 0xcd);
        assert!(parse_fingerprint("abcd").is_err());
        assert!(parse_fingerprint(&"zz".repeat(32)).is_err());
    }
}
