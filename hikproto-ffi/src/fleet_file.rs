//! Fleet work for installers: the inventory of a fleet's devices, and the journaled password
//! rotation of every device of a devices file.

use std::ffi::c_char;
use std::path::Path;

use hikproto_core::fleet::devices_file::{CredentialsFile, DevicesFile};
use hikproto_core::fleet::rotation::{Rotation, Target};
use hikproto_core::fleet::{DeviceResult, Fleet};
use serde_json::Value;

use crate::buffer::{opt_str_arg, str_arg};
use crate::error::{Fail, hikproto_error};
use crate::fleet::{collect, hikproto_fleet, hikproto_fleet_results, run_export, to_value};
use crate::handle::{check_out, write_out};
use crate::panic::ffi_call;
use crate::result::hikproto_result;
use crate::runtime::block_on;

/// Reads every device's inventory (model, serial, firmware, device type, activation,
/// Hik-Connect enabled/registered/bound, whether a verification code is set — never its value —,
/// ISUP, DNS, NTP, clock offset, users count, and `access`: `ok`, `rejected`, `locked`,
/// `unreachable` or `error`). Blocks until all have finished. Writes a results object to `*out`
/// on success; every device has an entry with `ok: true` and its inventory as `value` (a
/// refused login is reported in `access`, not as a failed entry).
#[unsafe(no_mangle)]
pub extern "C" fn hikproto_fleet_inventory(
    fleet: *const hikproto_fleet,
    out: *mut *mut hikproto_fleet_results,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    run_export(fleet, out, err_out, || {
        Ok(|dev: hikproto_core::Device| async move {
            to_value(
                "Inventory",
                hikproto_core::fleet::inventory::inventory(&dev).await,
            )
        })
    })
}

/// Gives every device of the devices file `devices_file` (CSV, or TOML when it ends in `.toml`)
/// a new random password, journaled in `journal` (created new with mode 0600, or continued when
/// `resume` is true, after a crash or failures). `credentials_file` (may be NULL) holds the
/// `file:ENTRY` credentials and must be private to its owner. `export_csv` (may be NULL) receives
/// every device's final credentials (a new file, mode 0600). `concurrency` devices are worked on
/// at once (0: 16). Blocks until all have finished.
///
/// Writes a results object to `*out` on success; each entry's `value` is
/// `{"status": "rotated"|"already_rotated"|"recovered", "failed_logins": N}`. A bad devices file
/// or credentials file fails the call with `INVALID_ARGUMENT` naming every bad `file:line`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn hikproto_fleet_rotate(
    devices_file: *const c_char,
    credentials_file: *const c_char,
    journal: *const c_char,
    resume: bool,
    export_csv: *const c_char,
    concurrency: usize,
    out: *mut *mut hikproto_fleet_results,
    err_out: *mut *mut hikproto_error,
) -> hikproto_result {
    ffi_call(err_out, || {
        check_out(out, "out")?;
        let devices = str_arg(devices_file, "devices_file")?;
        let journal = Path::new(str_arg(journal, "journal")?);
        let export = opt_str_arg(export_csv, "export_csv")?;
        let file = DevicesFile::load(devices).map_err(|e| Fail::invalid(e.to_string()))?;
        let creds = opt_str_arg(credentials_file, "credentials_file")?
            .map(CredentialsFile::load)
            .transpose()
            .map_err(|e| Fail::invalid(e.to_string()))?;
        let passwords = file
            .resolve(creds.as_ref())
            .map_err(|e| Fail::invalid(e.to_string()))?;
        let targets: Vec<Target> = file
            .devices
            .iter()
            .zip(passwords)
            .map(|(e, old)| Target {
                entry: e.clone(),
                old,
            })
            .collect();
        let rotation = if resume {
            Rotation::resume(journal)?
        } else {
            Rotation::start(journal)?
        };
        let fleet = Fleet::new().concurrency(if concurrency == 0 { 16 } else { concurrency });
        let run = rotation.clone();
        let list = targets.clone();
        let results = block_on(async move { run.run(&fleet, list).await })??;
        if let Some(path) = export {
            rotation.export_csv(&targets, Path::new(path))?;
        }
        let values: Vec<DeviceResult<Value>> = results
            .into_iter()
            .map(|r| DeviceResult {
                index: r.index,
                device: r.device,
                outcome: r.outcome.and_then(|rep| to_value("Report", rep)),
                elapsed: r.elapsed,
            })
            .collect();
        write_out(out, collect(values));
        Ok(())
    })
}
