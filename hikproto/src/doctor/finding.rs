//! What a rule reports: a [`Finding`] with its evidence, confidence and remedy, and the safe
//! automatic fixes ([`FixAction`]).

use serde::Serialize;

/// How sure a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Confidence {
    /// The facts show the cause directly.
    High,
    /// The facts point at the cause, but another explanation is possible.
    Medium,
    /// A rule of thumb from installer experience, not a documented fact.
    Heuristic,
}

impl Confidence {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Heuristic => "heuristic",
        }
    }
}

/// One observed value that supports a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Where the value came from, e.g. `ezviz.registerStatus`, `sadp.HCPlatformEnable`.
    pub field: String,
    /// The value (never a secret: codes and passwords are described, not shown).
    pub value: String,
}

impl Evidence {
    /// Builds an evidence line.
    pub fn new(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            value: value.into(),
        }
    }
}

/// One step of a remedy: what to do, where in the device UI, and how with hikproto.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// What to do, in plain words.
    pub text: String,
    /// The menu path in the device's local or web UI, when the step is done there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ui_path: Option<String>,
    /// The `hikproto` command line that does it, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cli: Option<String>,
    /// The hikproto library call that does it, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
}

impl Step {
    /// A step described in words only.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// Adds the UI menu path.
    pub fn ui(mut self, path: impl Into<String>) -> Self {
        self.ui_path = Some(path.into());
        self
    }

    /// Adds the command line.
    pub fn cli(mut self, cli: impl Into<String>) -> Self {
        self.cli = Some(cli.into());
        self
    }

    /// Adds the library call.
    pub fn call(mut self, call: impl Into<String>) -> Self {
        self.call = Some(call.into());
        self
    }
}

/// A fix the doctor may apply by itself.
///
/// Each kind states as facts whether it is safe ([`FixAction::is_safe`]) and whether it can be
/// undone ([`FixAction::is_reversible`]). Reversible fixes record the values they overwrite and
/// `--fix` applies them; a fix that cannot be undone is applied only when asked for by its own
/// option ([`crate::doctor::Options::irreversible`], the command line's `--fix-irreversible`).
///
/// There is deliberately no factory reset, reboot, unbind, password change or gateway change
/// here: those can lock people out or cut the device off, so the doctor only describes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "action")]
#[non_exhaustive]
pub enum FixAction {
    /// Turn Hik-Connect platform access on (`EZVIZ/enabled = true`).
    EnablePlatform,
    /// Set the primary and secondary DNS servers of the main interface.
    SetDns {
        /// Primary DNS.
        primary: String,
        /// Secondary DNS.
        secondary: String,
    },
    /// Point platform access at the platform's server (`EZVIZ/serverAddress/hostName`).
    SetServerAddress {
        /// The host name to set.
        host: String,
    },
    /// Set a new verification code (generated when `generate`), then re-add the device in the app.
    SetVerificationCode {
        /// Generate a random code that meets the device's rule (`^[A-Za-z0-9]{6,12}$`).
        generate: bool,
    },
    /// Set the device clock from the doctor's clock (UTC).
    SyncTime,
}

impl FixAction {
    /// What the fix changes, in plain words.
    pub fn describe(&self) -> String {
        match self {
            Self::EnablePlatform => "enable Hik-Connect platform access".into(),
            Self::SetDns { primary, secondary } => {
                format!("set DNS to {primary} (primary) and {secondary} (secondary)")
            }
            Self::SetServerAddress { host } => {
                format!("set the platform server address to {host}")
            }
            Self::SetVerificationCode { .. } => {
                "set a new random verification code (printed once), then re-add the device".into()
            }
            Self::SyncTime => "set the device clock from this computer's clock (UTC)".into(),
        }
    }

    /// How to undo it.
    pub fn undo(&self) -> &'static str {
        match self {
            Self::EnablePlatform => {
                "the doctor records whether platform access was on; `hikproto doctor --undo REPORT` turns it back off"
            }
            Self::SetDns { .. } => {
                "the doctor records the previous DNS servers; `hikproto doctor --undo REPORT` sets them back"
            }
            Self::SetServerAddress { .. } => {
                "the doctor records the previous server address; `hikproto doctor --undo REPORT` sets it back"
            }
            Self::SetVerificationCode { .. } => {
                "cannot be undone: the previous code is not known to the doctor; bound apps and VMS must be given the new code"
            }
            Self::SyncTime => {
                "the doctor records the time mode and NTP servers (the sync turns NTP off); `hikproto doctor --undo REPORT` restores them"
            }
        }
    }

    /// `(safe, reversible)` for this kind of fix: the one table both labels come from.
    ///
    /// A new verification code is neither: every app and VMS that stores the old code loses
    /// the device until it is re-added, and the old code is not known to put it back. The
    /// others record what they overwrite (platform switch, DNS servers, server address, time
    /// mode and NTP servers) and can write it back; none locks anyone out.
    fn labels(&self) -> (bool, bool) {
        match self {
            Self::EnablePlatform
            | Self::SetDns { .. }
            | Self::SetServerAddress { .. }
            | Self::SyncTime => (true, true),
            Self::SetVerificationCode { .. } => (false, false),
        }
    }

    /// Whether the fix is safe: it cannot lock anyone out of the device, cut it off the network,
    /// or break access that works today.
    pub fn is_safe(&self) -> bool {
        self.labels().0
    }

    /// Whether the doctor can undo the fix: it records the values it overwrites and can write
    /// them back ([`crate::doctor::undo_fixes`]).
    pub fn is_reversible(&self) -> bool {
        self.labels().1
    }

    /// True when `--fix` alone must not apply the fix: it cannot be undone, so it needs its own
    /// option.
    pub fn needs_own_flag(&self) -> bool {
        !self.is_reversible()
    }

    /// A step the user must still do after the fix, when there is one.
    pub fn follow_up(&self) -> Option<&'static str> {
        match self {
            Self::SetVerificationCode { .. } => Some(
                "in Hik-Connect (or iVMS-4200), remove the device, then add it again with the new code",
            ),
            _ => None,
        }
    }
}

/// One diagnosed cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable identifier, e.g. `code.mismatch`. Never renamed once released.
    pub id: &'static str,
    /// Short title.
    pub title: String,
    /// The cause in plain words.
    pub cause: String,
    /// Which fields had which values.
    pub evidence: Vec<Evidence>,
    /// How sure the finding is.
    pub confidence: Confidence,
    /// How likely this is the cause of the user's trouble, 0–100 (reports sort on it).
    pub likelihood: u8,
    /// What to do, in order.
    pub remedy: Vec<Step>,
    /// The safe automatic fix, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<FixAction>,
    /// Ids of findings this one explains (they are folded into it in the report).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explains: Vec<&'static str>,
}

impl Finding {
    /// Starts a finding.
    pub fn new(
        id: &'static str,
        title: impl Into<String>,
        confidence: Confidence,
        likelihood: u8,
    ) -> Self {
        Self {
            id,
            title: title.into(),
            cause: String::new(),
            evidence: Vec::new(),
            confidence,
            likelihood: likelihood.min(100),
            remedy: Vec::new(),
            fix: None,
            explains: Vec::new(),
        }
    }

    /// Sets the cause.
    pub fn cause(mut self, cause: impl Into<String>) -> Self {
        self.cause = cause.into();
        self
    }

    /// Adds an evidence line.
    pub fn evidence(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.evidence.push(Evidence::new(field, value));
        self
    }

    /// Adds a remedy step.
    pub fn step(mut self, step: Step) -> Self {
        self.remedy.push(step);
        self
    }

    /// Sets the automatic fix.
    pub fn fix(mut self, fix: FixAction) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Declares which other findings this one explains.
    pub fn explains(mut self, ids: &[&'static str]) -> Self {
        self.explains.extend_from_slice(ids);
        self
    }
}
