//! `hikproto_discovery`: finding devices with SADP, the way the vendor's search tool does.

use std::ffi::c_char;
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use hikproto_core::sadp::{DiscoverOptions, DiscoveredDevice, discover};

use crate::buffer::{str_arg, write_str};
use crate::cancel::Canceller;
use crate::error::{Fail, hikproto_error};
use crate::handle::{BoxCastable, check_out, free_box, try_mut, try_ref, write_out};
use crate::panic::{ffi_call, ffi_value};
use crate::result::hikproto_result;

/// A SADP search: its settings, and the devices found by the last run.
///
/// Without targets it searches the LAN like the vendor's tool (multicast and broadcast to port
/// 37020, listening for 3 s). With targets (`_add_target`) it asks only those addresses, by
/// unicast. Devices are identified by MAC and reported once each.
///
/// Methods: `_new`, `_add_target`, `_set_timeout_ms`, `_set_expect`, `_run`, `_cancel`,
/// `_count`, `_results_json`, `_free`; `hikproto_discovery_target` makes a SADP command target
/// of a result.
/// Ownership: the caller owns it and releases it with `hikproto_discovery_free`.
/// Thread-safety: one thread at a time, except `hikproto_discovery_cancel`, which is meant for
/// another thread while `_run` blocks.
pub struct hikproto_discovery {
    _private: [u8; 0],
}

/// The value behind a `hikproto_discovery *`.
pub(crate) struct DiscoveryInner {
    targets: Vec<SocketAddr>,
    timeout: Duration,
    expect: Option<usize>,
    found: Mutex<Vec<DiscoveredDevice>>,
    cancel: Canceller,
}

impl BoxCastable for hikproto_discovery {
    type Inner = DiscoveryInner;
}

/// The devices the last run found.
pub(crate) fn found(d: &DiscoveryInner) -> MutexGuard<'_, Vec<DiscoveredDevice>> {
    d.found.lock().unwrap_or_else(PoisonError::into_inner)
}

impl DiscoveryInner {
    fn options(&self) -> DiscoverOptions {
        let mut o = if self.targets.is_empty() {
            DiscoverOptions::default()
        } else {
            DiscoverOptions::unicast(self.targets.iter().copied())
        };
        o = o.timeout(self.timeout);
        if let Some(n) = self.expect {
            o = o.expect(n);
        }
        o
    }
}

/// Creates a search with the LAN defaults. Writes it to `*out` on success only.
/// Ownership: the caller frees it with `hikproto_discovery_free`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_discovery_new(
    out: *mut *mut hikproto_discovery,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        write_out(
            out,
            DiscoveryInner {
                targets: Vec::new(),
                timeout: Duration::from_secs(3),
                expect: None,
                found: Mutex::default(),
                cancel: Canceller::default(),
            },
        );
        Ok(())
    })
}

/// Asks this address (`"192.0.2.10:37020"`, `"[::1]:37020"`) by unicast. Once a target is
/// added, the search sends nothing to multicast or broadcast.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_discovery_add_target(
    discovery: *mut hikproto_discovery,
    address: *const c_char,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let d = try_mut(discovery, "discovery")?;
        let addr: SocketAddr = str_arg(address, "address")?
            .trim()
            .parse()
            .map_err(|_| Fail::invalid("address must be IP:PORT"))?;
        d.targets.push(addr);
        Ok(())
    })
}

/// How long a run listens, in milliseconds (default 3000; 0 gives `INVALID_ARGUMENT`).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_discovery_set_timeout_ms(
    discovery: *mut hikproto_discovery,
    ms: u32,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        if ms == 0 {
            return Err(Fail::invalid("the timeout must be greater than zero"));
        }
        try_mut(discovery, "discovery")?.timeout = Duration::from_millis(u64::from(ms));
        Ok(())
    })
}

/// Ends a run early once `n` distinct devices have answered (0: listen for the whole timeout).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_discovery_set_expect(
    discovery: *mut hikproto_discovery,
    n: usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        try_mut(discovery, "discovery")?.expect = (n != 0).then_some(n);
        Ok(())
    })
}

/// Runs the search, blocking for up to the timeout, and keeps the devices found (replacing the
/// previous run's). Finding nothing is a success with a count of 0; failing to open the socket
/// is `HIKPROTO_RESULT_TRANSPORT`; `hikproto_discovery_cancel` from another thread ends it at
/// once with `HIKPROTO_RESULT_CANCELLED` (the previous run's results stay).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_discovery_run(
    discovery: *mut hikproto_discovery,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        // shared access while it blocks: `hikproto_discovery_cancel` reads the handle meanwhile
        let d = try_ref(discovery.cast_const(), "discovery")?;
        let options = d.options();
        let devices = d
            .cancel
            .run("hikproto_discovery_cancel", discover(&options))??;
        *found(d) = devices;
        Ok(())
    })
}

/// Cancels a `hikproto_discovery_run` in progress on `discovery`: it returns
/// `HIKPROTO_RESULT_CANCELLED` promptly and keeps the previous run's results. A run started
/// afterwards is not affected. NULL is a no-op.
///
/// Thread-safety: any thread; it is meant for a thread other than the blocked run's. It does
/// not block. Not async-signal-safe.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_discovery_cancel(discovery: *const hikproto_discovery) {
    ffi_value((), || {
        if let Ok(d) = try_ref(discovery, "discovery") {
            d.cancel.cancel();
        }
    });
}

/// The number of devices the last run found (0 for NULL or before a run).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_discovery_count(discovery: *const hikproto_discovery) -> usize {
    ffi_value(0, || {
        try_ref(discovery, "discovery").map_or(0, |d| found(d).len())
    })
}

/// Writes the devices the last run found as a JSON array into `buf` (schema
/// `hikproto_discovery_results_json.json`). Each entry: `{"mac": "aa:bb:cc:dd:ee:ff",
/// "info": {…}, "from": "ip:port", "via": "Unicast"|"Multicast"|…, "replies": n}`, where
/// `"info":` holds everything the device said, for example `{"deviceSn": "…",
/// "deviceDescription": "…", "deviceType": n, "ipv4Address": "…", "httpPort": n,
/// "activated": bool, "softwareVersion": "…", …}`; `"from":` is the address the reply came
/// from and `"replies":` how many replies were heard.
///
/// Buffer contract: on success `*out_n` is the text length; when `len` is too small,
/// `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included (the
/// results stay: ask again with a larger buffer).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_discovery_results_json(
    discovery: *const hikproto_discovery,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let d = try_ref(discovery, "discovery")?;
        let json = crate::json::c_json(&*found(d))?;
        write_str(&json, buf, len, out_n)
    })
}

/// Releases a search. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_discovery_free(discovery: *mut hikproto_discovery) {
    ffi_value((), || free_box(discovery));
}
