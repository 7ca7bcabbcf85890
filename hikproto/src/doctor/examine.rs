//! One complete doctor visit: gather, diagnose, and — when asked — apply the safe fixes and
//! diagnose again. This is what the command line, the bindings and the demo call.

use std::time::Duration;

use serde::Serialize;

use super::facts::{Facts, UserInputs};
use super::fix::{FixOutcome, PlannedFix, apply_fixes_with, planned};
use super::gather::gather;
use super::policy::Policy;
use super::report::{Report, diagnose};
use crate::client::Device;
use crate::sadp::ProbeMatch;

/// How a visit runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// What the rules compare against.
    pub policy: Policy,
    /// Apply the reversible fixes, then diagnose again.
    pub fix: bool,
    /// With `fix`, also apply the fixes that cannot be undone (a new verification code).
    pub irreversible: bool,
    /// After fixes, how long to wait for the device to register with the platform before the
    /// second diagnosis (registration takes a moment on real devices).
    pub settle: Duration,
}

impl Default for Options {
    /// The default policy, no fixes (and no irreversible ones), 30 s of settling.
    fn default() -> Self {
        Self {
            policy: Policy::default(),
            fix: false,
            irreversible: false,
            settle: Duration::from_secs(30),
        }
    }
}

/// The result of a visit.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Examination {
    /// The facts as first gathered (secrets redacted when serialised).
    pub facts: Facts,
    /// The diagnosis.
    pub report: Report,
    /// The fixes applied (empty without `fix`, or when none applied).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<FixOutcome>,
    /// The diagnosis after the fixes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Report>,
}

impl Examination {
    /// The report that describes the device now (after fixes when there were any).
    pub fn current(&self) -> &Report {
        self.after.as_ref().unwrap_or(&self.report)
    }
}

/// Gathers, diagnoses and, with [`Options::fix`], applies the safe fixes and diagnoses again.
pub async fn examine(
    dev: &Device,
    sadp: Option<&ProbeMatch>,
    inputs: &UserInputs,
    options: &Options,
) -> Examination {
    examine_with(dev, sadp, inputs, options, |_, _| {}).await
}

/// Like [`examine`], calling `before_fixes` with the first report and the planned fixes before
/// anything is changed (to show them to the user).
pub async fn examine_with(
    dev: &Device,
    sadp: Option<&ProbeMatch>,
    inputs: &UserInputs,
    options: &Options,
    before_fixes: impl FnOnce(&Report, &[PlannedFix]),
) -> Examination {
    let facts = gather(dev, sadp, inputs).await;
    let report = diagnose(&facts, &options.policy);
    let plan = if options.fix {
        planned(&report)
    } else {
        Vec::new()
    };
    if plan.is_empty() {
        return Examination {
            facts,
            report,
            fixes: Vec::new(),
            after: None,
        };
    }
    before_fixes(&report, &plan);
    let fixes = apply_fixes_with(dev, &report, options.irreversible).await;
    if fixes.iter().any(|f| f.applied) && !options.settle.is_zero() {
        // A device that registers soon lets the second diagnosis see it; one that does not is
        // reported as not registered, which is the point.
        let _ = dev.wait_until_registered(options.settle).await;
    }
    // The user's stored code is stale once a fix set a new one: check the new one instead.
    let mut inputs = inputs.clone();
    if let Some(code) = fixes.iter().find_map(|f| f.new_code.as_ref()) {
        if inputs.stored_code.is_some() {
            inputs.stored_code = Some(code.secret().clone());
        }
    }
    let after = diagnose(&gather(dev, sadp, &inputs).await, &options.policy);
    Examination {
        facts,
        report,
        fixes,
        after: Some(after),
    }
}
