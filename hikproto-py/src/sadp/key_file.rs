//! The key-file route through vendor support, as the command line runs it: export the key file
//! (with its sidecar), then reset with support's reply file. All file logic is the core's
//! (`hikproto::reset::files`); this module only sequences it and maps its refusals onto
//! `ResetFileError` (reason in `.kind`) instead of folding them into `InvalidArgumentError`.
//!
//! Both commands are SADP client commands (`Cmd`), blocking or awaitable as the caller asks. Both
//! ask the device about itself first (a unicast SADP inquiry to the target's address, matched by
//! MAC): the key file needs the serial, and the reset compares the boot time with the one
//! recorded at export, which only a fresh answer shows.

use std::ffi::CString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use pyo3::prelude::*;
use serde_json::{Value, json};

use hikproto::reset::NewPassword;
use hikproto::reset::files::{
    ExportCheck, FileError, KeyExport, SupportReply, VALIDITY_LONG, unix_secs,
};
use hikproto::sadp::{DeviceTarget, DiscoverOptions, DiscoveredDevice, SadpClient};

use super::commands::sync;
use crate::args::Args;
use crate::convert::to_py;
use crate::errors::{ResetFileWarning, file_error, invalid, to_py_err};
use crate::runtime::Warner;

/// A failure of a SADP command: from the device or the core (`HikprotoError` family), a refused
/// reset file (`ResetFileError`), or an exception raised midway.
pub(super) enum Fail {
    Core(hikproto::Error),
    File(FileError),
    /// Raised in Python midway (a warning that became an error).
    Py(PyErr),
}

impl From<hikproto::Error> for Fail {
    fn from(e: hikproto::Error) -> Self {
        Self::Core(e)
    }
}

impl From<PyErr> for Fail {
    fn from(e: PyErr) -> Self {
        Self::Py(e)
    }
}

impl From<FileError> for Fail {
    fn from(e: FileError) -> Self {
        Self::File(e)
    }
}

impl From<Fail> for PyErr {
    fn from(f: Fail) -> Self {
        match f {
            Fail::Core(e) => to_py_err(e),
            Fail::File(e) => file_error(e),
            Fail::Py(e) => e,
        }
    }
}

/// What the device says about itself now: a unicast inquiry to `t.addr` from the client's
/// local address, answered by the device with `t.mac`.
async fn locate(c: &SadpClient, t: &DeviceTarget) -> hikproto::Result<DiscoveredDevice> {
    let bind = SocketAddr::new(c.options().bind.ip(), 0);
    let opts = DiscoverOptions::unicast([t.addr])
        .bind(bind)
        .timeout(c.timeout())
        .expect(1);
    hikproto::sadp::discover(&opts)
        .await?
        .into_iter()
        .find(|d| d.mac == t.mac)
        .ok_or_else(|| hikproto::Error::Timeout {
            operation: format!("SADP inquiry to {} at {}", t.mac, t.addr),
            after: c.timeout(),
        })
}

/// The export's record (serial, time, suggested name, …) as the Python `KeyFileRecord` takes it.
fn export_record(ex: &KeyExport) -> Value {
    let sc = &ex.sidecar;
    json!({
        "path": ex.path.to_string_lossy(),
        "serial": sc.serial,
        "short_serial": sc.short_serial,
        "exported_at": sc.created_at,
        "exported": sc.created,
        "suggested_name": sc.serial.as_deref()
            .map(|s| KeyExport::suggested_file_name(s, ex.exported_at())),
        "boot_time": sc.boot_time,
        "mac": sc.mac,
    })
}

fn check_record(c: &ExportCheck) -> Value {
    json!({
        "age": c.age.as_secs_f64(),
        "may_have_expired": c.may_have_expired,
        "valid_until_latest": unix_secs(c.valid_until_latest),
        "warnings": c.warnings,
    })
}

/// The warning for an export older than the shorter validity some devices use, if it is.
fn old_export(export: &Path, check: &ExportCheck) -> Option<String> {
    check.may_have_expired.then(|| {
        format!(
            "{} was exported {:.1} h ago: devices that keep an export for 24 hours have discarded \
             it (all devices do after {} h)",
            export.display(),
            check.age.as_secs_f64() / 3600.0,
            VALIDITY_LONG.as_secs() / 3600
        )
    })
}

/// Raises `ResetFileWarning` (or, under a warnings filter of "error", fails) when the export is
/// older than the shorter validity some devices use.
fn warn_if_old(py: Python<'_>, export: &Path, check: &ExportCheck) -> PyResult<()> {
    let Some(msg) = old_export(export, check) else {
        return Ok(());
    };
    let msg = CString::new(msg.replace('\0', " ")).map_err(|e| invalid(e.to_string()))?;
    PyErr::warn(py, &py.get_type::<ResetFileWarning>(), &msg, 2)
}

/// `Client.export_key_file`: writes the encrypted string verbatim to exactly `path`, with the
/// sidecar (serial, export time, boot time, MAC) beside it; returns the export's record.
pub(super) async fn export(c: SadpClient, t: DeviceTarget, path: PathBuf) -> Result<Value, Fail> {
    let dev = locate(&c, &t).await?;
    let serial = dev.info.device_sn.clone().ok_or_else(|| {
        hikproto::Error::invalid("the device did not report its serial over SADP")
    })?;
    let text = c.encrypt_string(&dev.target()).await?;
    let ex = KeyExport::write(
        &path,
        &text,
        &serial,
        dev.info.boot_time.as_deref(),
        Some(&dev.mac.to_string()),
        SystemTime::now(),
    )?;
    Ok(export_record(&ex))
}

/// Loads the key file, if given: a refusal here needs no device.
fn load_export(key_file: Option<&Path>) -> Result<Option<KeyExport>, FileError> {
    key_file.map(KeyExport::load).transpose()
}

/// `Client.reset_with_reply_file`: resets the admin password with support's reply file.
pub(super) struct ReplyReset {
    reply: PathBuf,
    new: NewPassword,
    export: Option<KeyExport>,
}

impl ReplyReset {
    /// Reads the arguments and checks the new password and the key file (if given): nothing is
    /// sent for a weak password or a refused key file.
    pub(super) fn parse(a: &mut Args<'_, '_>) -> PyResult<Self> {
        let reply = a.req("reply_path")?;
        let new = NewPassword::new(a.secret("new_password")?).sync_camera_passwords(sync(a)?);
        let key_file: Option<PathBuf> = a.opt("key_file")?;
        new.check().map_err(to_py_err)?;
        let export = load_export(key_file.as_deref()).map_err(file_error)?;
        Ok(Self { reply, new, export })
    }

    /// Checks the key file (age, reboot) and the reply (kind, device, age, superseded) against
    /// the device's fresh answer, warns through `warner` when the export is older than 24 hours,
    /// then sends the reply as the reset code.
    pub(super) async fn run(
        self,
        c: SadpClient,
        t: DeviceTarget,
        warner: Warner,
    ) -> Result<(), Fail> {
        let dev = locate(&c, &t).await?;
        let now = SystemTime::now();
        let check = match &self.export {
            Some(ex) => Some(ex.check(now, dev.info.boot_time.as_deref())?),
            None => None,
        };
        let reply = SupportReply::load(
            &self.reply,
            self.export.as_ref(),
            dev.info.device_sn.as_deref(),
            now,
        )?;
        let old = check
            .zip(self.export.as_ref())
            .and_then(|(check, ex)| old_export(&ex.path, &check));
        if let Some(msg) = old {
            warner.warn::<ResetFileWarning>(msg).await?;
        }
        let new = &self.new;
        c.reset_with_code(
            &dev.target(),
            reply.code(),
            &new.password,
            new.sync_camera_passwords,
        )
        .await?;
        Ok(())
    }
}

/// `hikproto.reset_files.check_reply`: the checks of [`ReplyReset`] that need no device. `serial`
/// is the device's (full or short); it defaults to the key file's.
#[pyfunction]
#[pyo3(signature = (reply_path, key_file=None, serial=None))]
pub(crate) fn check_reply(
    py: Python<'_>,
    reply_path: PathBuf,
    key_file: Option<PathBuf>,
    serial: Option<String>,
) -> PyResult<Py<PyAny>> {
    let now = SystemTime::now();
    let export = load_export(key_file.as_deref()).map_err(file_error)?;
    let check = match &export {
        Some(ex) => Some(ex.check(now, None).map_err(file_error)?),
        None => None,
    };
    let reply = SupportReply::load(&reply_path, export.as_ref(), serial.as_deref(), now)
        .map_err(file_error)?;
    if let (Some(ex), Some(check)) = (&export, &check) {
        warn_if_old(py, &ex.path, check)?;
    }
    let v = json!({
        "path": reply.path.to_string_lossy(),
        "name_serial": reply.name_serial,
        "content_serial": reply.content_serial,
        "key_file": export.as_ref().map(export_record),
        "check": check.as_ref().map(check_record),
    });
    to_py(py, &v)
}

/// `hikproto.reset_files.load_key_file`: a key file hikproto wrote, with its sidecar, and how
/// usable it still is.
#[pyfunction]
pub(crate) fn load_key_file(py: Python<'_>, path: PathBuf) -> PyResult<Py<PyAny>> {
    let ex = KeyExport::load(&path).map_err(file_error)?;
    let check = ex.check(SystemTime::now(), None).map_err(file_error)?;
    let mut v = export_record(&ex);
    v["check"] = check_record(&check);
    to_py(py, &v)
}
