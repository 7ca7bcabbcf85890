//! `hikproto_sim`: a simulated site of Hikvision devices on loopback, started from C.

use std::ffi::c_char;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use ::hikproto_sim::{Fault, SimDevice, SimError, Site, SiteConfig};

use crate::buffer::{opt_str_arg, str_arg, write_str};
use crate::error::{Fail, hikproto_error};
use crate::handle::{BoxCastable, check_out, free_box, try_ref, write_out, write_value};
use crate::panic::{ffi_call, ffi_value};
use crate::result::hikproto_result;
use crate::runtime::block_on;

/// Flag for `hikproto_sim_start`: also serve HTTPS with one self-signed certificate for the
/// site (see `hikproto_sim_device_https_port` and `hikproto_sim_device_cert_sha256`).
pub const HIKPROTO_SIM_HTTPS: u32 = 1;

/// Flag for `hikproto_sim_start`: every device also answers SADP on a loopback UDP port of its
/// own, sharing its state with the ISAPI side (activation, password, lock-out); see
/// `hikproto_sim_device_sadp_port`.
pub const HIKPROTO_SIM_SADP: u32 = 2;

const SIM_FLAGS: u32 = HIKPROTO_SIM_HTTPS | HIKPROTO_SIM_SADP;

/// Fault for `hikproto_sim_device_set_fault`: delay every answer by `latency_ms`.
pub const HIKPROTO_SIM_FAULT_LATENCY: u32 = 1;
/// Fault: accept new connections and close them at once, without an answer.
pub const HIKPROTO_SIM_FAULT_DROP_CONNECTIONS: u32 = 2;
/// Fault: announce the full body length but close the connection halfway.
pub const HIKPROTO_SIM_FAULT_TRUNCATED_BODIES: u32 = 3;
/// Fault: answer every request with HTTP 500 and a `deviceError` status.
pub const HIKPROTO_SIM_FAULT_HTTP_500: u32 = 4;
/// Fault: send malformed XML in every successful answer.
pub const HIKPROTO_SIM_FAULT_GARBAGE_XML: u32 = 5;
/// Fault: label every answer `text/plain`.
pub const HIKPROTO_SIM_FAULT_WRONG_CONTENT_TYPE: u32 = 6;
/// Fault: accept connections but never read from nor answer them (a stuck peer).
pub const HIKPROTO_SIM_FAULT_STOP_READING: u32 = 7;

/// A running simulated site: N devices, each serving ISAPI on its own loopback port, with a
/// simulated Hik-Connect platform behind them. For tests and demos; nothing leaves loopback.
///
/// Methods: `hikproto_sim_start`, `hikproto_sim_start_config` (constructors),
/// `_device_count`, `_device_port`, `_device_sadp_port`, `_device_https_port`, `_device_url`,
/// `_device_serial`, `_device_app_reset_code`, `_device_cert_sha256`, `_device_stats_json`,
/// `_device_set_fault`, `_device_clear_faults`, `_device_unlock`, `_stop`, `_free`.
///
/// The site runs on the library's runtime threads until `hikproto_sim_stop` or
/// `hikproto_sim_free`.
/// Ownership: the caller owns the handle and releases it with `hikproto_sim_free` (which
/// stops the site first if needed).
/// Thread-safety: every function may be called from several threads at once, except `_free`,
/// which must be the last call.
pub struct hikproto_sim {
    _private: [u8; 0],
}

/// The value behind a `hikproto_sim *`.
pub(crate) struct SimInner {
    site: Mutex<Option<Site>>,
    devices: Vec<SimDevice>,
}

impl BoxCastable for hikproto_sim {
    type Inner = SimInner;
}

impl Drop for SimInner {
    fn drop(&mut self) {
        self.stop();
    }
}

impl SimInner {
    fn start(config: SiteConfig) -> Result<Self, Fail> {
        let site = block_on(Site::start(config))?.map_err(sim_fail)?;
        let devices = site.devices().to_vec();
        Ok(Self {
            site: Mutex::new(Some(site)),
            devices,
        })
    }

    fn stop(&self) {
        let site = match self.site.lock() {
            Ok(mut g) => g.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(site) = site {
            // Graceful when the runtime can be entered; otherwise dropping the site aborts its
            // tasks, which also stops it.
            let _ = block_on(site.shutdown());
        }
    }

    fn device(&self, index: usize) -> Result<&SimDevice, Fail> {
        self.devices.get(index).ok_or_else(|| {
            Fail::new(
                hikproto_result::SimNoSuchDevice,
                format!(
                    "no simulated device {index} (the site has {})",
                    self.devices.len()
                ),
            )
        })
    }
}

fn sim_fail(e: SimError) -> Fail {
    Fail::new(
        hikproto_result::SimFailed,
        hikproto_core::ErrorReport::new(&e).to_string(),
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts a simulated site of `n_devices` cameras (1 to 1000) on 127.0.0.1, each on its own
/// ephemeral port.
///
/// `password`: NUL-terminated UTF-8; the devices are activated with user `admin` and this
/// password. NULL leaves them in factory state (not activated). `flags`: 0, or
/// `HIKPROTO_SIM_HTTPS` and/or `HIKPROTO_SIM_SADP`; unknown bits give `INVALID_ARGUMENT`.
///
/// Returns `HIKPROTO_RESULT_OK` and writes the handle to `*out`; on failure `*out` is left
/// untouched and `*err_out` (when not NULL) receives the details (`HIKPROTO_RESULT_SIM_FAILED`).
/// Ownership: the caller frees `*out` with `hikproto_sim_free`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_start(
    n_devices: usize,
    password: *const c_char,
    flags: u32,
    out: *mut *mut hikproto_sim,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        if !(1..=1000).contains(&n_devices) {
            return Err(Fail::invalid("n_devices must be between 1 and 1000"));
        }
        if flags & !SIM_FLAGS != 0 {
            return Err(Fail::invalid(format!("unknown simulator flags {flags:#x}")));
        }
        let mut b = Site::builder()
            .devices(n_devices)
            .https(flags & HIKPROTO_SIM_HTTPS != 0);
        if let Some(pw) = opt_str_arg(password, "password")? {
            b = b.password(pw);
        }
        if flags & HIKPROTO_SIM_SADP != 0 {
            b = b.sadp_port(0); // ephemeral ports
        }
        write_out(out, SimInner::start(b.into_config())?);
        Ok(())
    })
}

/// Starts a simulated site described by a configuration file (TOML, or JSON when the name ends
/// in `.json`; the format of `hikproto-sim --config`). Otherwise as `hikproto_sim_start`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_start_config(
    config_path: *const c_char,
    out: *mut *mut hikproto_sim,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        let path = str_arg(config_path, "config_path")?;
        let config = SiteConfig::from_file(Path::new(path)).map_err(sim_fail)?;
        write_out(out, SimInner::start(config)?);
        Ok(())
    })
}

/// The number of simulated devices (0 for NULL).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_device_count(sim: *const hikproto_sim) -> usize {
    ffi_value(0, || try_ref(sim, "sim").map_or(0, |s| s.devices.len()))
}

/// Writes the loopback UDP port on which device `index` answers SADP to `*out_port` (add
/// `127.0.0.1:PORT` as a `hikproto_discovery` target). `INVALID_ARGUMENT` when the site was
/// started without `HIKPROTO_SIM_SADP`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_device_sadp_port(
    sim: *const hikproto_sim,
    index: usize,
    out_port: *mut u16,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let addr = try_ref(sim, "sim")?
            .device(index)?
            .sadp_addr()
            .ok_or_else(|| Fail::invalid("the site does not answer SADP"))?;
        write_value(out_port, "out_port", addr.port())
    })
}

/// Writes device `index`'s ISAPI (HTTP) port on 127.0.0.1 to `*out_port`.
/// `HIKPROTO_RESULT_SIM_NO_SUCH_DEVICE` for an index out of range.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_device_port(
    sim: *const hikproto_sim,
    index: usize,
    out_port: *mut u16,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let port = try_ref(sim, "sim")?.device(index)?.http_addr().port();
        write_value(out_port, "out_port", port)
    })
}

/// Writes device `index`'s HTTPS port to `*out_port`; `INVALID_ARGUMENT` when the site was
/// started without `HIKPROTO_SIM_HTTPS`.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_device_https_port(
    sim: *const hikproto_sim,
    index: usize,
    out_port: *mut u16,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let addr = try_ref(sim, "sim")?
            .device(index)?
            .https_addr()
            .ok_or_else(|| Fail::invalid("the site does not serve HTTPS"))?;
        write_value(out_port, "out_port", addr.port())
    })
}

/// Writes device `index`'s ISAPI base URL (`http://127.0.0.1:PORT`) into `buf`
/// (NUL-terminated). Buffer contract: on success `*out_n` is the length; when `len` is too
/// small, `HIKPROTO_RESULT_INSUFFICIENT_SIZE` and `*out_n` is the size needed, NUL included.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_device_url(
    sim: *const hikproto_sim,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let url = try_ref(sim, "sim")?.device(index)?.isapi_url();
        write_str(&url, buf, len, out_n)
    })
}

/// Writes device `index`'s serial number into `buf` (NUL-terminated; buffer contract as for
/// `hikproto_sim_device_url`).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_device_serial(
    sim: *const hikproto_sim,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let dev = try_ref(sim, "sim")?.device(index)?;
        write_str(dev.serial(), buf, len, out_n)
    })
}

/// Kind for `hikproto_sim_code`: support's reply to an encrypted string (export-file reset).
pub const HIKPROTO_SIM_CODE_SUPPORT_REPLY: u32 = 1;
/// Kind for `hikproto_sim_code`: the code "mailed" for an e-mail reset QR payload.
pub const HIKPROTO_SIM_CODE_MAIL: u32 = 2;
/// Kind for `hikproto_sim_code`: the code the "Hik-Connect app" shows for its QR payload.
pub const HIKPROTO_SIM_CODE_APP: u32 = 3;

/// Plays the simulator's support desk, mailbox or Hik-Connect app: writes the code the
/// simulated devices accept for `input` (an encrypted string, or a QR payload) into `buf`.
/// These are the simulator's own test schemes, not the vendor's: they work only with
/// simulated devices. `kind`: one of `HIKPROTO_SIM_CODE_*`. Buffer contract as for
/// `hikproto_sim_device_url`. Pure; any thread.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_code(
    kind: u32,
    input: *const c_char,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    use ::hikproto_sim::{sadp::tokens, support};
    ffi_call(err_out, || {
        let input = str_arg(input, "input")?;
        let refused = |e: support::SupportError| Fail::invalid(format!("input: {e}"));
        let code = match kind {
            HIKPROTO_SIM_CODE_SUPPORT_REPLY => support::answer_export(input).map_err(refused)?,
            HIKPROTO_SIM_CODE_MAIL => support::answer_email_qr(input).map_err(refused)?,
            HIKPROTO_SIM_CODE_APP => tokens::app_code(input),
            n => return Err(Fail::invalid(format!("unknown code kind {n}"))),
        };
        write_str(&code, buf, len, out_n)
    })
}

/// Plays the Hik-Connect app of `account` on device `index`'s pending ISAPI reset QR payload
/// (the one `hikproto_device_app_reset_qr_json` got last): writes the code the app shows into
/// `buf` (buffer contract as for `hikproto_sim_device_url`). Only the account the simulated
/// platform has the device bound to gets a code (bind it at start-up with
/// `ezviz = { bound_account = "…" }` in a `hikproto_sim_start_config` file):
/// `INVALID_ARGUMENT` for another account, or when the device shows no payload. The
/// simulator's own test scheme, not the vendor's. Any thread.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_device_app_reset_code(
    sim: *const hikproto_sim,
    index: usize,
    account: *const c_char,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let dev = try_ref(sim, "sim")?.device(index)?;
        let account = str_arg(account, "account")?;
        let code = dev
            .app_reset_code(account)
            .ok_or_else(|| Fail::invalid("the device shows no app reset QR payload"))?
            .map_err(|e| Fail::invalid(format!("the simulated app refused: {e}")))?;
        write_str(&code, buf, len, out_n)
    })
}

/// Writes the SHA-256 fingerprint of device `index`'s HTTPS certificate as 64 lowercase hex
/// digits into `buf` (ready for `hikproto_device_builder_set_tls_pin_sha256`); buffer contract
/// as for `hikproto_sim_device_url`. `INVALID_ARGUMENT` when the site does not serve HTTPS.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_device_cert_sha256(
    sim: *const hikproto_sim,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let fp = try_ref(sim, "sim")?
            .device(index)?
            .cert_sha256()
            .ok_or_else(|| Fail::invalid("the site does not serve HTTPS"))?;
        write_str(&hex(&fp), buf, len, out_n)
    })
}

/// Writes device `index`'s counters as a JSON object into `buf` (buffer contract as for
/// `hikproto_sim_device_url`): `requests`, `connections`, `challenges`, `logins`,
/// `auth_failures`, `locks`, `locked_rejections`, `repeated_rejected_credentials` (times a
/// credential the device had already rejected was sent again), `stale_nonces`, and more.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_device_stats_json(
    sim: *const hikproto_sim,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let stats = try_ref(sim, "sim")?.device(index)?.stats();
        let json = crate::json::c_json(&stats)?;
        write_str(&json, buf, len, out_n)
    })
}

/// Switches fault `fault` (one of `HIKPROTO_SIM_FAULT_*`) on (`on` true) or off for device
/// `index`. `latency_ms` is used by `HIKPROTO_SIM_FAULT_LATENCY` only. Several faults may be
/// active at once; each stays until switched off.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_device_set_fault(
    sim: *const hikproto_sim,
    index: usize,
    fault: u32,
    latency_ms: u32,
    on: bool,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        let dev = try_ref(sim, "sim")?.device(index)?;
        let f = match fault {
            HIKPROTO_SIM_FAULT_LATENCY => {
                Fault::Latency(Duration::from_millis(u64::from(latency_ms)))
            }
            HIKPROTO_SIM_FAULT_DROP_CONNECTIONS => Fault::DropConnections,
            HIKPROTO_SIM_FAULT_TRUNCATED_BODIES => Fault::TruncatedBodies,
            HIKPROTO_SIM_FAULT_HTTP_500 => Fault::Http500,
            HIKPROTO_SIM_FAULT_GARBAGE_XML => Fault::GarbageXml,
            HIKPROTO_SIM_FAULT_WRONG_CONTENT_TYPE => Fault::WrongContentType,
            HIKPROTO_SIM_FAULT_STOP_READING => Fault::StopReading,
            n => return Err(Fail::invalid(format!("unknown simulator fault {n}"))),
        };
        if on {
            dev.set_fault(f);
        } else {
            dev.clear_fault(f);
        }
        Ok(())
    })
}

/// Switches every fault of device `index` off.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_device_clear_faults(
    sim: *const hikproto_sim,
    index: usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        try_ref(sim, "sim")?.device(index)?.clear_faults();
        Ok(())
    })
}

/// Lifts every login lock on device `index` (what waiting out the lock time would do).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_device_unlock(
    sim: *const hikproto_sim,
    index: usize,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        try_ref(sim, "sim")?.device(index)?.unlock_all();
        Ok(())
    })
}

/// Stops serving: every device becomes unreachable. The handle stays valid (counters remain
/// readable) and must still be freed. Stopping twice is harmless; NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_stop(sim: *const hikproto_sim) {
    ffi_value((), || {
        if let Ok(s) = try_ref(sim, "sim") {
            s.stop();
        }
    });
}

/// Stops the site if it is running and releases the handle. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_sim_free(sim: *mut hikproto_sim) {
    ffi_value((), || free_box(sim));
}
