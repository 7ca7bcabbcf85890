//! `hikproto_fleet`: one operation over many devices, bounded and concurrent.

use std::ffi::{CString, c_char, c_void};
use std::time::Duration;

use hikproto_core::fleet::{DeviceResult, Fleet};
use serde_json::{Value, json};

use crate::buffer::{str_arg, write_str};
use crate::cancel::Canceller;
use crate::decode::decode_document;
use crate::device::hikproto_device;
use crate::error::{Fail, hikproto_error};
use crate::handle::{
    BoxCastable, check_out, free_box, free_box_in_runtime, try_mut, try_ref, write_out,
};
use crate::panic::{ffi_call, ffi_value};
use crate::result::hikproto_result;

/// Progress callback of a fleet run: called once per device as it finishes, with the caller's
/// `userdata`, the number of devices finished so far, the total, the device's base URL
/// (NUL-terminated, valid only during the call) and whether it succeeded.
///
/// Called from the library's runtime threads, possibly from several at once: it must be
/// thread-safe, return quickly, and not call back into hikproto.
pub type hikproto_fleet_progress_cb = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        done: usize,
        total: usize,
        device: *const c_char,
        ok: bool,
    ),
>;

/// A set of devices to run one operation over, with its limits.
///
/// Methods: `_new`, `_add_device`, `_len`, `_set_concurrency`, `_set_per_host_limit`,
/// `_set_deadline_ms`, `_set_progress_callback`, `_device_info`, `_get_json`, `_doctor`,
/// `_inventory`, `_cancel`, `_free`.
///
/// Defaults: 32 devices at once, one operation at a time per device address, no deadline
/// beyond each device's own timeouts. One device's failure never affects the others.
///
/// Ownership: the caller owns the fleet and releases it with `hikproto_fleet_free`; devices
/// added are shared with the caller's handles, which may be freed independently.
/// Thread-safety: setters and `_add_device` must not race with each other or with a run; runs
/// themselves only read the fleet, and `hikproto_fleet_cancel` may be called from any thread.
pub struct hikproto_fleet {
    _private: [u8; 0],
}

#[derive(Clone, Copy)]
struct Progress {
    cb: unsafe extern "C" fn(*mut c_void, usize, usize, *const c_char, bool),
    userdata: *mut c_void,
}

impl Progress {
    fn call(&self, pr: &hikproto_core::fleet::Progress) {
        let device = CString::new(pr.device.replace('\0', "")).unwrap_or_default();
        // SAFETY: the caller's callback with the caller's userdata; `device` outlives the call.
        unsafe { (self.cb)(self.userdata, pr.done, pr.total, device.as_ptr(), pr.ok) };
    }
}

// SAFETY: the caller promises (header text) that the callback and its userdata may be used
// from any thread; the library only passes the pointer back.
unsafe impl Send for Progress {}
// SAFETY: as above.
unsafe impl Sync for Progress {}

/// The value behind a `hikproto_fleet *`.
pub(crate) struct FleetInner {
    devices: Vec<hikproto_core::Device>,
    concurrency: usize,
    per_host: usize,
    deadline: Option<Duration>,
    progress: Option<Progress>,
    cancel: Canceller,
}

impl BoxCastable for hikproto_fleet {
    type Inner = FleetInner;
}

/// The outcomes of one fleet run, in the order the devices were added.
///
/// Methods: `_len`, `_ok_count`, `_code`, `_json`, `_free`.
/// Ownership: the caller owns it and releases it with `hikproto_fleet_results_free`.
/// Thread-safety: immutable; may be read from several threads at once.
pub struct hikproto_fleet_results {
    _private: [u8; 0],
}

/// The value behind a `hikproto_fleet_results *`.
pub(crate) struct ResultsInner {
    codes: Vec<hikproto_result>,
    json: String,
}

impl BoxCastable for hikproto_fleet_results {
    type Inner = ResultsInner;
}

impl FleetInner {
    fn runner(&self) -> Fleet {
        let mut f = Fleet::new()
            .concurrency(self.concurrency)
            .per_host_limit(self.per_host);
        if let Some(d) = self.deadline {
            f = f.deadline(d);
        }
        if let Some(p) = self.progress {
            f = f.on_progress(move |pr| {
                p.call(pr);
            });
        }
        f
    }

    fn run<F, Fut>(&self, op: F) -> Result<ResultsInner, Fail>
    where
        F: Fn(hikproto_core::Device) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = hikproto_core::Result<Value>> + Send + 'static,
    {
        let runner = self.runner();
        let devices = self.devices.clone();
        let results = self.cancel.run("hikproto_fleet_cancel", async move {
            runner.run(devices, op).await
        })?;
        Ok(collect(results))
    }
}

pub(crate) fn collect(results: Vec<DeviceResult<Value>>) -> ResultsInner {
    let mut codes = Vec::with_capacity(results.len());
    let mut items = Vec::with_capacity(results.len());
    for r in results {
        let elapsed_ms = u64::try_from(r.elapsed.as_millis()).unwrap_or(u64::MAX);
        match r.outcome {
            Ok(value) => {
                codes.push(hikproto_result::Ok);
                items.push(json!({
                    "index": r.index, "device": r.device, "ok": true,
                    "elapsedMs": elapsed_ms, "value": value, "error": null,
                }));
            }
            Err(e) => {
                let f = Fail::from(e);
                codes.push(f.code);
                items.push(json!({
                    "index": r.index, "device": r.device, "ok": false,
                    "elapsedMs": elapsed_ms, "value": null, "error": error_json(&f),
                }));
            }
        }
    }
    let mut all = Value::Array(items);
    crate::json::normalize(&mut all);
    ResultsInner {
        codes,
        json: all.to_string(),
    }
}

/// The JSON form of an error object's fields (used in fleet results).
pub(crate) fn error_json(f: &Fail) -> Value {
    json!({
        "code": f.code as u32,
        "name": f.code.name().trim_end_matches('\0'),
        "message": f.message,
        "httpStatus": f.http_status,
        "statusCode": f.status_code,
        "subStatusCode": f.sub_status_code,
        "errorCode": f.error_code,
        "retryAfterSecs": f.retry_after_secs,
        "attemptsLeft": f.attempts_left,
        "retryable": f.retryable,
    })
}

/// The one shape of every fleet run export: checks `out` and the fleet, lets `make` parse the
/// export's arguments into the per-device operation, runs it, and writes the results to `*out`.
pub(crate) fn run_export<F, Fut>(
    fleet: *const hikproto_fleet,
    out: *mut *mut hikproto_fleet_results,
    err_out: *mut *mut hikproto_error,
    make: impl FnOnce() -> Result<F, Fail>,
) -> hikproto_result
where
    F: Fn(hikproto_core::Device) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = hikproto_core::Result<Value>> + Send + 'static,
{
    ffi_call(err_out, || {
        check_out(out, "out")?;
        let f = try_ref(fleet, "fleet")?;
        let op = make()?;
        write_out(out, f.run(op)?);
        Ok(())
    })
}

/// Cancels the run in progress on `fleet` (`_device_info`, `_get_json`, `_doctor`,
/// `_inventory`): it returns `HIKPROTO_RESULT_CANCELLED` promptly, without a results object;
/// the devices' requests still running are abandoned (a write a device already received may
/// still take effect). Runs started afterwards are not affected. NULL is a no-op.
///
/// Thread-safety: any thread; it is meant for a thread other than the blocked run's (a UI
/// thread, a watchdog). It does not block. Not async-signal-safe.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_cancel(fleet: *const hikproto_fleet) {
    ffi_value((), || {
        if let Ok(f) = try_ref(fleet, "fleet") {
            f.cancel.cancel();
        }
    });
}

/// A device's typed result as a JSON value (`what` names it in a decode error).
pub(crate) fn to_value<T: serde::Serialize>(
    what: &'static str,
    v: T,
) -> hikproto_core::Result<Value> {
    serde_json::to_value(v).map_err(|e| hikproto_core::Error::decode(what, e))
}

/// Creates an empty fleet. Writes it to `*out` on success only.
/// Ownership: the caller frees it with `hikproto_fleet_free`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_new(
    out: *mut *mut hikproto_fleet,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        write_out(
            out,
            FleetInner {
                devices: Vec::new(),
                concurrency: 32,
                per_host: 1,
                deadline: None,
                progress: None,
                cancel: Canceller::default(),
            },
        );
        Ok(())
    })
}

/// Adds a device. The fleet shares the handle's connections, credentials and lock-out state;
/// `device` may be freed afterwards without affecting the fleet.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_add_device(
    fleet: *mut hikproto_fleet,
    device: *const hikproto_device,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let dev = try_ref(device, "device")?.async_device().clone();
        try_mut(fleet, "fleet")?.devices.push(dev);
        Ok(())
    })
}

/// The number of devices in the fleet (0 for NULL).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_len(fleet: *const hikproto_fleet) -> usize {
    ffi_value(0, || try_ref(fleet, "fleet").map_or(0, |f| f.devices.len()))
}

/// How many devices are worked on at once (0 gives `INVALID_ARGUMENT`).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_set_concurrency(
    fleet: *mut hikproto_fleet,
    n: usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        if n == 0 {
            return Err(Fail::invalid("concurrency must be at least 1"));
        }
        try_mut(fleet, "fleet")?.concurrency = n;
        Ok(())
    })
}

/// How many operations run at once against one device address (default 1; 0 gives
/// `INVALID_ARGUMENT`).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_set_per_host_limit(
    fleet: *mut hikproto_fleet,
    n: usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        if n == 0 {
            return Err(Fail::invalid("the per-host limit must be at least 1"));
        }
        try_mut(fleet, "fleet")?.per_host = n;
        Ok(())
    })
}

/// A deadline in milliseconds for each device's whole operation (0 removes it); past it the
/// device's outcome is `HIKPROTO_RESULT_TIMEOUT`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_set_deadline_ms(
    fleet: *mut hikproto_fleet,
    ms: u32,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        try_mut(fleet, "fleet")?.deadline = (ms != 0).then(|| Duration::from_millis(u64::from(ms)));
        Ok(())
    })
}

/// Sets (or, with a NULL `cb`, removes) the progress callback; see `hikproto_fleet_progress_cb`
/// for the threads it runs on. `userdata` is passed back untouched.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_set_progress_callback(
    fleet: *mut hikproto_fleet,
    cb: hikproto_fleet_progress_cb,
    userdata: *mut c_void,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        try_mut(fleet, "fleet")?.progress = cb.map(|cb| Progress { cb, userdata });
        Ok(())
    })
}

/// Reads `/ISAPI/System/deviceInfo` from every device. Blocks until all have finished.
///
/// On success (the run itself worked, whatever each device answered) writes a results object
/// to `*out`; each entry's `value` is the JSON of `hikproto_device_info_json`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_device_info(
    fleet: *const hikproto_fleet,
    out: *mut *mut hikproto_fleet_results,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    run_export(fleet, out, err_out, || {
        Ok(|dev: hikproto_core::Device| async move {
            to_value(
                "DeviceInfo",
                crate::shape::InfoJson(dev.device_info().await?),
            )
        })
    })
}

/// Runs the doctor on every device (as `hikproto_device_doctor_json` does without a stored
/// code: facts gathered with one login at most, nothing fixed). Blocks until all have finished.
/// Writes a results object to `*out` on success; each entry's `value` is the device's
/// diagnosis JSON. An unreachable device or rejected credentials are findings in its report,
/// not a failed entry, so a nightly sweep reads every device's state the same way.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_doctor(
    fleet: *const hikproto_fleet,
    out: *mut *mut hikproto_fleet_results,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    run_export(fleet, out, err_out, || {
        Ok(|dev: hikproto_core::Device| async move {
            let inputs = hikproto_core::doctor::UserInputs::default();
            let report = dev.doctor(&inputs).await;
            to_value(
                "Report",
                report.for_audience(hikproto_core::doctor::Audience::C),
            )
            .map(crate::shape::doctor_value)
        })
    })
}

/// GETs `path` (an ISAPI resource, starting with `/`) from every device and decodes each answer
/// as `hikproto_isapi_to_json` does (`{"root", "typed", "kind", "value"}`). Blocks until all
/// have finished. Writes a results object to `*out` on success.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_get_json(
    fleet: *const hikproto_fleet,
    path: *const c_char,
    out: *mut *mut hikproto_fleet_results,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    run_export(fleet, out, err_out, || {
        let path = str_arg(path, "path")?;
        if !path.starts_with('/') || path.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Fail::invalid(
                "path must start with '/' and contain no spaces",
            ));
        }
        let path = path.to_owned();
        Ok(move |dev: hikproto_core::Device| {
            let path = path.clone();
            async move {
                let resp = dev
                    .request(hikproto_core::client::Request::get(&path))
                    .await?;
                decode_document(&resp.body)
                    .map_err(|fail| hikproto_core::Error::decode(path.as_str(), fail.message))
            }
        })
    })
}

/// Releases a fleet (not the devices' caller handles). NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_free(fleet: *mut hikproto_fleet) {
    ffi_value((), || free_box_in_runtime(fleet));
}

/// The number of outcomes (the fleet's device count at the run), 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_results_len(results: *const hikproto_fleet_results) -> usize {
    ffi_value(0, || {
        try_ref(results, "results").map_or(0, |r| r.codes.len())
    })
}

/// How many devices succeeded, 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_results_ok_count(results: *const hikproto_fleet_results) -> usize {
    ffi_value(0, || {
        try_ref(results, "results").map_or(0, |r| {
            r.codes
                .iter()
                .filter(|c| **c == hikproto_result::Ok)
                .count()
        })
    })
}

/// The result code of device `index` (in the order added): `HIKPROTO_RESULT_OK` or the code of
/// its failure. `NULL_PARAMETER` for NULL, `INVALID_ARGUMENT` for an index out of range.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_results_code(
    results: *const hikproto_fleet_results,
    index: usize,
) -> hikproto_result {
    ffi_value(hikproto_result::Panic, || {
        match try_ref(results, "results") {
            Err(_) => hikproto_result::NullParameter,
            Ok(r) => r
                .codes
                .get(index)
                .copied()
                .unwrap_or(hikproto_result::InvalidArgument),
        }
    })
}

/// Writes all outcomes as a JSON array into `buf` (NUL-terminated). Each entry:
/// `{"index", "device", "ok", "elapsedMs", "value", "error"}`: on success `"value":` is the
/// device's result and `"error":` is `null`; on failure `"value":` is `null` and `"error":` is
/// `{"code", "name", "message", "httpStatus", "statusCode", "subStatusCode", "errorCode",
/// "retryAfterSecs", "attemptsLeft", "retryable"}`. Buffer contract: on success `*out_n` is the text length; when `len` is too
/// small, `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included
/// (the results stay in the object: ask again with a larger buffer).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_results_json(
    results: *const hikproto_fleet_results,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        write_str(&try_ref(results, "results")?.json, buf, len, out_n)
    })
}

/// Releases a results object. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_results_free(results: *mut hikproto_fleet_results) {
    ffi_value((), || free_box(results));
}
