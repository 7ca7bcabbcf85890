//! The doctor: one visit to one device (gather, diagnose, optionally apply the safe fixes and
//! diagnose again) over [`hikproto::doctor::examine`].

use std::time::Duration;

use pyo3::prelude::*;
use serde_json::{Value, json};

use hikproto::doctor::{Audience, Examination, Options, UserInputs};
use hikproto::sadp::ProbeMatch;
use hikproto::{Device, Error, Secret};

use super::Out;
use crate::args::Args;
use crate::errors::invalid;
use crate::sadp::PySadpDevice;

/// A doctor visit's arguments.
#[derive(Clone)]
pub(crate) struct Doctor {
    inputs: UserInputs,
    options: Options,
    sadp: Option<ProbeMatch>,
}

/// Operation names of this family.
pub(crate) const NAMES: &[&str] = &["doctor"];

impl Doctor {
    /// Parses `name`'s arguments, or `None` when `name` is not `doctor`.
    ///
    /// `code`: the verification code the user's app stores; `label_qr`: the label's QR text;
    /// `app_error`: the error number the app shows; `in_own_account`: whether the device is in
    /// the user's own Hik-Connect account; `fix`: apply the safe fixes; `settle`: seconds to wait
    /// for registration after fixes; `sadp`: the device's SADP reply (a discovered device).
    pub(crate) fn parse(name: &str, a: &mut Args<'_, '_>) -> PyResult<Option<Self>> {
        if name != "doctor" {
            return Ok(None);
        }
        let inputs = UserInputs {
            stored_code: a.opt::<String>("code")?.map(Secret::new),
            label_qr: a.opt("label_qr")?,
            app_error: a.opt("app_error")?,
            in_own_account: a.opt("in_own_account")?,
            ..UserInputs::default()
        };
        let settle: f64 = a.opt("settle")?.unwrap_or(30.0);
        if !(settle.is_finite() && (0.0..86_400.0).contains(&settle)) {
            return Err(invalid("doctor: settle must be 0 or more seconds"));
        }
        let options = Options {
            fix: a.opt("fix")?.unwrap_or(false),
            irreversible: a.opt("fix_irreversible")?.unwrap_or(false),
            settle: Duration::from_secs_f64(settle),
            ..Options::default()
        };
        let sadp = match a.any("sadp")? {
            None => None,
            Some(v) => Some(
                v.cast::<PySadpDevice>()
                    .map_err(|_| {
                        invalid("doctor: sadp must be a device found by hikproto.sadp.discover()")
                    })?
                    .get()
                    .probe_match()
                    .clone(),
            ),
        };
        Ok(Some(Self {
            inputs,
            options,
            sadp,
        }))
    }

    pub(crate) async fn run(self, dev: Device) -> hikproto::Result<Out> {
        let exam =
            hikproto::doctor::examine(&dev, self.sadp.as_ref(), &self.inputs, &self.options).await;
        to_value(&exam).map(Out::Json)
    }
}

/// The examination as the Python side builds `DoctorReport` from it: the current report at the
/// top (with its text rendering), the fixes, and the first report under `before` when fixes ran.
/// A new verification code a fix set is included once, as `newCode`, for the caller to show.
fn to_value(exam: &Examination) -> hikproto::Result<Value> {
    let enc = |e: serde_json::Error| Error::decode("doctor report", e);
    // remedies name Python calls, not Rust ones
    let report = |r: &hikproto::doctor::Report| -> hikproto::Result<Value> {
        let mut v = serde_json::to_value(r.for_audience(Audience::Python)).map_err(enc)?;
        if let Value::Object(m) = &mut v {
            m.insert("text".into(), Value::String(r.render_for(Audience::Python)));
        }
        Ok(v)
    };
    let mut top = report(exam.current())?;
    let mut fixes = Vec::with_capacity(exam.fixes.len());
    for f in &exam.fixes {
        let mut v = serde_json::to_value(f).map_err(enc)?;
        if let (Value::Object(m), Some(code)) = (&mut v, &f.new_code) {
            m.insert("newCode".into(), json!(code.secret().expose()));
        }
        fixes.push(v);
    }
    if let Value::Object(m) = &mut top {
        // what the doctor read on its (first) visit; secrets are redacted by the facts' Serialize
        m.insert(
            "facts".into(),
            serde_json::to_value(&exam.facts).map_err(enc)?,
        );
        m.insert("fixes".into(), Value::Array(fixes));
        let before = match exam.after {
            Some(_) => report(&exam.report)?,
            None => Value::Null,
        };
        m.insert("before".into(), before);
    }
    Ok(top)
}
