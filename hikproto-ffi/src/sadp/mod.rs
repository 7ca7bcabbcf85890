//! SADP commands from C: `hikproto_sadp_client` (one UDP socket that sends commands and matches
//! replies) and `hikproto_sadp_target` (the device a command goes to).
//!
//! Commands are sent only to the target's address (unicast); nothing goes to multicast or
//! broadcast. Password-bearing commands run the SADP key exchange first and seal each secret
//! with the session key; secrets passed in are copied into memory that is wiped.

mod commands;
mod reset;

pub use commands::*;
pub use reset::*;

use std::ffi::c_char;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use hikproto_core::sadp::{
    ClientOptions, DeviceTarget, DiscoveredDevice, MacAddr, ProbeMatch, SadpClient,
};
use serde::Deserialize;

use crate::buffer::str_arg;
use crate::call::Deliver;
use crate::cancel::Canceller;
use crate::discovery::hikproto_discovery;
use crate::error::{Fail, hikproto_error};
use crate::handle::{
    BoxCastable, check_out, free_box, free_box_in_runtime, try_mut, try_ref, write_out,
};
use crate::panic::{ffi_call, ffi_value};
use crate::result::hikproto_result;
use crate::runtime::block_on;

/// A SADP command client: one UDP socket on an ephemeral port of all interfaces, and a receive
/// task matching replies to commands by UUID and MAC.
///
/// Methods: `hikproto_sadp_client_new` (constructor), the `hikproto_sadp_*` commands,
/// `hikproto_sadp_client_allow_plaintext_secrets`, `hikproto_sadp_client_cancel`, `_free`.
/// Ownership: the caller owns it and releases it with `hikproto_sadp_client_free`.
/// Thread-safety: safe to use from several threads at once (commands to one device are
/// serialised inside; commands to different devices run in parallel); it must not be freed
/// while a command runs. Every command blocks the calling thread until the device answers, the
/// client's timeout passes (`HIKPROTO_RESULT_TIMEOUT`) or `hikproto_sadp_client_cancel` is
/// called (`HIKPROTO_RESULT_CANCELLED`).
pub struct hikproto_sadp_client {
    _private: [u8; 0],
}

impl BoxCastable for hikproto_sadp_client {
    type Inner = ClientInner;
}

/// The value behind a `hikproto_sadp_client *`: the core's client and what cancels its waits.
pub(crate) struct ClientInner {
    client: SadpClient,
    cancel: Canceller,
}

/// The device a SADP command goes to: its MAC, the address it answers on, and what its
/// discovery reply said (admin user, `Salt`, `codeEncrypt`, serial, boot time).
///
/// Methods: `hikproto_sadp_target_new`, `hikproto_discovery_target` (constructors),
/// `_configure`, `_free`.
/// Ownership: the caller owns it and releases it with `hikproto_sadp_target_free`.
/// Thread-safety: commands only read it, so several threads may use it at once;
/// `_configure` must not run concurrently with anything else on it.
pub struct hikproto_sadp_target {
    _private: [u8; 0],
}

/// The value behind a `hikproto_sadp_target *`.
pub(crate) struct TargetInner {
    pub(crate) target: DeviceTarget,
    pub(crate) serial: Option<String>,
    pub(crate) boot_time: Option<String>,
    pub(crate) info: Option<ProbeMatch>,
}

impl BoxCastable for hikproto_sadp_target {
    type Inner = TargetInner;
}

impl TargetInner {
    fn from_discovered(d: &DiscoveredDevice) -> Self {
        let text = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
        Self {
            target: d.target(),
            serial: text(&d.info.device_sn),
            boot_time: text(&d.info.boot_time),
            info: Some(d.info.clone()),
        }
    }

    /// The device's full serial, needed by the reset files.
    pub(crate) fn serial(&self) -> Result<&str, Fail> {
        self.serial.as_deref().ok_or_else(|| {
            Fail::invalid(
                "the target has no serial: make it with hikproto_discovery_target, or set \
                 \"serial\" with hikproto_sadp_target_configure",
            )
        })
    }
}

/// Runs one SADP command behind the panic boundary (see [`crate::call`]).
pub(crate) fn sadp_op<'a, T, E, Fut, D>(
    client: *const hikproto_sadp_client,
    target: *const hikproto_sadp_target,
    err_out: *mut *mut hikproto_error,
    out: D,
    op: impl FnOnce(&'a SadpClient, &'a TargetInner) -> Result<Fut, Fail>,
) -> hikproto_result
where
    Fut: Future<Output = Result<T, E>> + Send,
    T: Send,
    E: Send,
    Fail: From<E>,
    D: Deliver<T>,
{
    ffi_call(err_out, || {
        let c: &'a ClientInner = try_ref(client, "client")?;
        let t: &'a TargetInner = try_ref(target, "target")?;
        out.check()?;
        let fut = op(&c.client, t)?;
        out.deliver(c.cancel.run("hikproto_sadp_client_cancel", fut)??)
    })
}

/// Creates a SADP client: opens a UDP socket on an ephemeral port and starts its receive task.
///
/// `timeout_ms`: how long one command waits for its reply (0 means 10000, the vendor SDK's
/// value). Writes the client to `*out` on success only; failing to open the socket is
/// `HIKPROTO_RESULT_TRANSPORT`. Ownership: the caller frees it with `hikproto_sadp_client_free`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_client_new(
    timeout_ms: u32,
    out: *mut *mut hikproto_sadp_client,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        // the library-wide lock-out guard, as for device handles (see `crate::guard`)
        let mut options = ClientOptions {
            lockout_guard: crate::guard::library_guard(),
            ..ClientOptions::default()
        };
        if timeout_ms != 0 {
            options.timeout = Duration::from_millis(u64::from(timeout_ms));
        }
        let client = block_on(SadpClient::new(options))??;
        write_out(
            out,
            ClientInner {
                client,
                cancel: Canceller::default(),
            },
        );
        Ok(())
    })
}

/// Cancels every command in progress on `client` at this moment: each returns
/// `HIKPROTO_RESULT_CANCELLED` promptly, its wait for the reply abandoned (a command the device
/// already received may still take effect). Commands started afterwards are not affected.
/// NULL is a no-op.
///
/// Thread-safety: any thread; it is meant for a thread other than the blocked command's. It
/// does not block. Not async-signal-safe.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_client_cancel(client: *const hikproto_sadp_client) {
    ffi_value((), || {
        if let Ok(c) = try_ref(client, "client") {
            c.cancel.cancel();
        }
    });
}

/// Makes a second client handle on the same socket whose commands may send **in clear** a secret
/// SADP 3.0 cannot seal: a reset code to a device that does not advertise `codeEncrypt`
/// (`hikproto_sadp_reset_with_code`, `_with_reply_file`, `_by_mail_code`, `_by_phone_code`), the
/// GUID of `hikproto_sadp_reset_with_guid_file`. Without it those commands fail with
/// `HIKPROTO_RESULT_INVALID_ARGUMENT` before anything is sent. Passwords, answers, e-mail addresses
/// and verification codes are always sealed and need no opt-in. Use it for one command on a
/// trusted LAN only. Writes `*out` on success only; the caller frees it with
/// `hikproto_sadp_client_free` (independently of `client`); `hikproto_sadp_client_cancel` on one
/// handle does not reach the other's commands.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_client_allow_plaintext_secrets(
    client: *const hikproto_sadp_client,
    out: *mut *mut hikproto_sadp_client,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let c: &ClientInner = try_ref(client, "client")?;
        check_out(out, "out")?;
        write_out(
            out,
            ClientInner {
                client: c.client.allow_plaintext_secrets(),
                cancel: Canceller::default(),
            },
        );
        Ok(())
    })
}

/// Releases a SADP client, closing its socket. NULL is a no-op. No command may be running.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_client_free(client: *mut hikproto_sadp_client) {
    // the receive task is aborted when the client drops
    ffi_value((), || free_box_in_runtime(client));
}

/// Creates a target from a MAC (`"aa:bb:cc:dd:ee:ff"` or with `-`) and the address the device
/// answers SADP on (`"192.0.2.10:37020"`). The admin user is `admin`, with no `Salt`, plain
/// reset codes and no serial: set those with `hikproto_sadp_target_configure`, or make the
/// target with `hikproto_discovery_target`, which knows them. Writes `*out` on success only.
/// Ownership: the caller frees it with `hikproto_sadp_target_free`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_target_new(
    mac: *const c_char,
    address: *const c_char,
    out: *mut *mut hikproto_sadp_target,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        let mac = MacAddr::parse(str_arg(mac, "mac")?)
            .map_err(|_| Fail::invalid("mac is not a MAC address"))?;
        let addr: SocketAddr = str_arg(address, "address")?
            .trim()
            .parse()
            .map_err(|_| Fail::invalid("address must be IP:PORT"))?;
        write_out(
            out,
            TargetInner {
                target: DeviceTarget::new(mac, addr),
                serial: None,
                boot_time: None,
                info: None,
            },
        );
        Ok(())
    })
}

/// Creates a target for device `index` (0-based, in the order of
/// `hikproto_discovery_results_json`) of the last `hikproto_discovery_run`: its MAC, the
/// address its reply came from, its admin user, `Salt`, `codeEncrypt`, serial, boot time and
/// network parameters. `INVALID_ARGUMENT` when `index` is out of range. Writes `*out` on
/// success only. Ownership: the caller frees it with `hikproto_sadp_target_free`; it does not
/// depend on the discovery handle afterwards.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_discovery_target(
    discovery: *const hikproto_discovery,
    index: usize,
    out: *mut *mut hikproto_sadp_target,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        let found = crate::discovery::found(try_ref(discovery, "discovery")?);
        let d = found.get(index).ok_or_else(|| {
            Fail::invalid(format!(
                "no device {index} in the last run (it found {})",
                found.len()
            ))
        })?;
        write_out(out, TargetInner::from_discovered(d));
        Ok(())
    })
}

/// What `hikproto_sadp_target_configure` may set.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TargetSettings {
    user: Option<String>,
    #[serde(default, with = "serde_with_null")]
    salt: Option<Option<String>>,
    code_encrypt: Option<bool>,
    serial: Option<String>,
    boot_time: Option<String>,
}

/// `Option<Option<T>>` fields: absent → keep, `null` → clear, value → set.
mod serde_with_null {
    use serde::{Deserialize, Deserializer};

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

/// Changes what the target knows about its device. `settings_json` is a JSON object with any
/// of `user` (the admin user name), `salt` (the device's `Salt`, or `null` for none: `update`
/// then uses the sealed password form), `codeEncrypt` (bool: reset codes are sent encrypted),
/// `serial` (the full serial, needed by the reset-file commands) and `bootTime` (the device's
/// SADP `BootTime`, recorded in an exported key file); unknown names give `INVALID_ARGUMENT`.
/// Not safe to call while a command uses the target.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_target_configure(
    target: *mut hikproto_sadp_target,
    settings_json: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let t = try_mut(target, "target")?;
        let s: TargetSettings = serde_json::from_str(str_arg(settings_json, "settings_json")?)
            .map_err(|e| Fail::invalid(format!("settings_json is not valid: {e}")))?;
        if let Some(u) = s.user {
            if u.trim().is_empty() {
                return Err(Fail::invalid("user must not be empty"));
            }
            t.target.user = u;
        }
        if let Some(salt) = s.salt {
            t.target.salt = salt.filter(|v| !v.trim().is_empty());
        }
        if let Some(c) = s.code_encrypt {
            t.target.code_encrypt = c;
        }
        t.serial = s.serial.or(t.serial.take());
        t.boot_time = s.boot_time.or(t.boot_time.take());
        Ok(())
    })
}

/// Releases a target. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sadp_target_free(target: *mut hikproto_sadp_target) {
    ffi_value((), || free_box(target));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_settings_keep_clear_and_set() {
        let mut t: *mut hikproto_sadp_target = std::ptr::null_mut();
        assert_eq!(
            hikproto_sadp_target_new(
                c"aa:bb:cc:dd:ee:ff".as_ptr(),
                c"127.0.0.1:37020".as_ptr(),
                &mut t,
                std::ptr::null_mut()
            ),
            hikproto_result::Ok
        );
        let cfg = |j: &std::ffi::CStr| {
            hikproto_sadp_target_configure(t, j.as_ptr(), std::ptr::null_mut())
        };
        assert_eq!(
            cfg(cr#"{"salt":"abc","serial":"DS-1"}"#),
            hikproto_result::Ok
        );
        assert_eq!(cfg(cr#"{"codeEncrypt":true}"#), hikproto_result::Ok);
        let inner = try_ref(t, "t").unwrap();
        assert_eq!(inner.target.salt.as_deref(), Some("abc"));
        assert!(inner.target.code_encrypt);
        assert_eq!(inner.serial().unwrap(), "DS-1");
        assert_eq!(cfg(cr#"{"salt":null}"#), hikproto_result::Ok);
        assert_eq!(try_ref(t, "t").unwrap().target.salt, None);
        assert_eq!(cfg(cr#"{"sault":"x"}"#), hikproto_result::InvalidArgument);
        assert_eq!(cfg(cr#"{"user":" "}"#), hikproto_result::InvalidArgument);
        hikproto_sadp_target_free(t);
        assert_eq!(
            hikproto_sadp_target_new(
                c"nope".as_ptr(),
                c"127.0.0.1:1".as_ptr(),
                &mut t,
                std::ptr::null_mut()
            ),
            hikproto_result::InvalidArgument
        );
    }
}
