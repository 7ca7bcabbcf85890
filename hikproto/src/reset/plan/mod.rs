//! The recovery plan: which routes a device offers, which are set up, and what each still needs.
//!
//! [`RecoveryPlan::from_facts`] is a pure function of [`RecoveryFacts`]. The facts come from
//! ISAPI ([`Device::recovery_facts`](crate::Device::recovery_facts) gathers them), from SADP
//! ([`RecoveryFacts::with_sadp`], filled from a `ProbeMatch`) and from the caller (whether a
//! GUID file is at hand). Sources are combined per method: a method is supported when any
//! interface says so, and unknown when none says anything.

use serde::Serialize;

use super::method::{Fact, Prerequisite, ResetMethod, Transport};
use super::sadp_facts::SadpResetFacts;
use crate::isapi::security::{ExternSecurityCap, ResetCapabilities};
use crate::provenance::{self, Operation};

/// Identity of the device the facts describe.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceSummary {
    /// Full serial number.
    pub serial: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// `deviceType` (`IPCamera`, `NVR`, `DVR`, …).
    pub device_type: Option<String>,
    /// Firmware version.
    pub firmware: Option<String>,
}

impl DeviceSummary {
    /// True for recorders (`NVR`, `DVR`, `HybirdNVR`, …), which can have cameras behind them.
    pub fn is_recorder(&self) -> bool {
        self.device_type.as_deref().is_some_and(|t| {
            let t = t.to_ascii_uppercase();
            t.contains("NVR") || t.contains("DVR") || t.contains("CVR")
        })
    }
}

/// Everything known about a device's recovery options. Start from `Default` and fill what you
/// know; `None` means unknown.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryFacts {
    /// Who the device is.
    pub device: DeviceSummary,
    /// `GET /ISAPI/Security/extern/capabilities` (readable without the password).
    pub extern_caps: Option<ExternSecurityCap>,
    /// The reset flags of `SecurityCap` (needs the password).
    pub security_caps: Option<ResetCapabilities>,
    /// Security questions are answered (`questionConfiguration` marks).
    pub questions_configured: Option<bool>,
    /// A reserved e-mail address is set.
    pub email_configured: Option<bool>,
    /// The device is bound to a Hik-Connect account (`EZVIZ/bindStatus`).
    pub hik_connect_bound: Option<bool>,
    /// Hik-Connect platform access is enabled (`EZVIZ/enabled`).
    pub hik_connect_enabled: Option<bool>,
    /// The caller holds a GUID file exported from this device.
    pub guid_file_on_hand: Option<bool>,
    /// The caller is on the device's LAN segment (it answered SADP).
    pub same_lan: Option<bool>,
    /// The admin password is known (credentials were accepted).
    pub password_known: Option<bool>,
    /// What SADP said, when the device was discovered.
    pub sadp: Option<SadpResetFacts>,
    /// What could not be read, and why (for the report; never secrets).
    pub gaps: Vec<String>,
}

impl RecoveryFacts {
    /// Adds SADP facts; a SADP answer also proves the caller is on the same LAN.
    #[must_use]
    pub fn with_sadp(mut self, sadp: SadpResetFacts) -> Self {
        if self.device.serial.is_none() {
            self.device.serial.clone_from(&sadp.serial);
        }
        self.same_lan = Some(true);
        self.sadp = Some(sadp);
        self
    }

    /// Records whether a GUID file for this device is at hand.
    #[must_use]
    pub fn with_guid_file_on_hand(mut self, on_hand: bool) -> Self {
        self.guid_file_on_hand = Some(on_hand);
        self
    }
}

/// Where a route stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RouteStatus {
    /// Supported and every prerequisite is known to hold.
    Ready,
    /// Nothing known to be missing, but something is not known (try it).
    Possible,
    /// A prerequisite is missing that can be set up now, with the admin password.
    NeedsPreparation,
    /// A prerequisite is missing and cannot be set up now.
    Blocked,
    /// The device says it does not offer this method.
    Unsupported,
    /// The device offers it, but hikproto does not implement it by design.
    NotImplemented,
}

/// One prerequisite and whether it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrerequisiteState {
    /// The condition.
    pub prerequisite: Prerequisite,
    /// Whether it holds.
    pub met: Fact,
}

/// One interface a route can run over, and whether the device offers the route there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransportState {
    /// The interface.
    pub transport: Transport,
    /// Whether the device offers the route over it.
    pub available: Fact,
}

/// The assessment of one recovery route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteAssessment {
    /// The method.
    pub method: ResetMethod,
    /// Where it stands.
    pub status: RouteStatus,
    /// Whether the device offers it at all.
    pub supported: Fact,
    /// Whether it is set up on the device (`None`: nothing to set up).
    pub configured: Option<Fact>,
    /// The interfaces it can run over.
    pub transports: Vec<TransportState>,
    /// What it needs.
    pub prerequisites: Vec<PrerequisiteState>,
    /// The facts the assessment rests on (`source: flag=value`).
    pub evidence: Vec<String>,
    /// Advice and caveats.
    pub notes: Vec<String>,
    /// How each operation the route uses is known (rows of [`crate::provenance::OPERATIONS`]).
    pub provenance: Vec<Operation>,
    /// True when some operation of the route is inferred: unverified on real firmware.
    pub unverified: bool,
}

impl RouteAssessment {
    /// True for `Ready` and `Possible`.
    pub fn usable(&self) -> bool {
        matches!(self.status, RouteStatus::Ready | RouteStatus::Possible)
    }

    /// Fills [`Self::provenance`] and [`Self::unverified`] from the table, and notes what is
    /// inferred.
    pub(crate) fn with_provenance(mut self) -> Self {
        self.provenance = provenance::for_method(self.method)
            .into_iter()
            .copied()
            .collect();
        let inferred: Vec<&Operation> = self
            .provenance
            .iter()
            .filter(|o| !o.provenance.is_verified())
            .collect();
        self.unverified = !inferred.is_empty();
        if self.unverified {
            let what: Vec<String> = inferred.iter().map(|o| o.describe()).collect();
            self.notes
                .push(format!("{}: {}", provenance::UNVERIFIED, what.join("; ")));
        }
        self
    }
}

/// The recovery plan for one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPlan {
    /// Who the device is.
    pub device: DeviceSummary,
    /// Every route, self-service first, destructive last.
    pub routes: Vec<RouteAssessment>,
    /// `minResetAdminPassWordNum`: how many methods the device wants configured.
    pub min_methods_required: Option<u32>,
    /// Self-service methods known to be set up.
    pub methods_configured: Vec<ResetMethod>,
    /// Whether an NVR can push a new password to its cameras during a reset.
    pub sync_camera_passwords: Fact,
    /// Things to act on.
    pub warnings: Vec<String>,
    /// What could not be read.
    pub gaps: Vec<String>,
}

mod routes;
#[cfg(test)]
mod tests;

impl RecoveryPlan {
    /// Assesses every route from the facts. Pure: no I/O.
    pub fn from_facts(facts: &RecoveryFacts) -> Self {
        let routes = routes::assess_all(facts)
            .into_iter()
            .map(RouteAssessment::with_provenance)
            .collect();
        let ext = facts.extern_caps.clone().unwrap_or_default();
        let cap = facts.security_caps.clone().unwrap_or_default();
        let sadp = facts.sadp.clone().unwrap_or_default();
        Self::finish(facts, routes, &ext, &cap, &sadp)
    }

    fn finish(
        facts: &RecoveryFacts,
        routes: Vec<RouteAssessment>,
        ext: &ExternSecurityCap,
        cap: &ResetCapabilities,
        sadp: &SadpResetFacts,
    ) -> Self {
        let methods_configured: Vec<ResetMethod> = routes
            .iter()
            .filter(|r| r.configured == Some(Fact::Yes) && r.supported != Fact::No)
            .map(|r| r.method)
            .collect();
        let sync = Fact::any([
            Fact::from_option(cap.sync_ipc_password),
            Fact::from_option(cap.reset_channel_password),
            Fact::from_option(sadp.sync_ipc_password),
        ]);
        let mut warnings = Vec::new();
        let password_known = facts.password_known == Some(true);
        if let Some(min) = ext.min_reset_methods {
            let have = methods_configured.len() as u32;
            if have < min {
                warnings.push(format!(
                    "the device wants at least {min} reset method(s) configured; {have} known to be"
                ));
            }
        }
        if password_known {
            let prep: Vec<&str> = routes
                .iter()
                .filter(|r| r.status == RouteStatus::NeedsPreparation)
                .map(|r| r.method.label())
                .collect();
            if !prep.is_empty() {
                warnings.push(format!(
                    "while the password is known, set up: {}",
                    prep.join(", ")
                ));
            }
        } else if !routes
            .iter()
            .any(|r| r.usable() && r.method.keeps_configuration())
        {
            warnings.push(
                "no route that keeps the configuration is known to be usable: contact vendor support, or reset to factory state"
                    .into(),
            );
        }
        if facts.device.is_recorder() && sync.is_no() {
            warnings.push(
                "this recorder cannot push a new password to its cameras: reset them separately"
                    .into(),
            );
        }
        Self {
            device: facts.device.clone(),
            routes,
            min_methods_required: ext.min_reset_methods,
            methods_configured,
            sync_camera_passwords: sync,
            warnings,
            gaps: facts.gaps.clone(),
        }
    }

    /// The assessment of one method, if the plan lists it.
    pub fn route(&self, method: ResetMethod) -> Option<&RouteAssessment> {
        self.routes.iter().find(|r| r.method == method)
    }

    /// The route to try first: a `Ready` one that keeps the configuration, else a `Possible`
    /// one, else a usable destructive one.
    pub fn recommended(&self) -> Option<ResetMethod> {
        let pick = |status: RouteStatus, keeps: bool| {
            self.routes
                .iter()
                .find(|r| r.status == status && r.method.keeps_configuration() == keeps)
                .map(|r| r.method)
        };
        pick(RouteStatus::Ready, true)
            .or_else(|| pick(RouteStatus::Possible, true))
            .or_else(|| pick(RouteStatus::Ready, false))
            .or_else(|| pick(RouteStatus::Possible, false))
    }
}
