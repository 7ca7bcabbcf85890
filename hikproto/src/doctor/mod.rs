//! The doctor: diagnose "Error 2020" and other verification failures, and say (or do) the fix.
//!
//! Three parts, data flowing one way:
//!
//! 1. **Facts** ([`facts`]): plain data about one device — the SADP view, `deviceInfo`, platform
//!    access, network, time, the login — plus what the user supplies (the code their app stores,
//!    the label QR text, the password). A fact that cannot be read is [`Fact::Unknown`] with the
//!    reason; nothing is guessed.
//! 2. **Rules** ([`rules`]): pure functions from facts to [`Finding`]s. Each finding has a stable
//!    id, the cause in plain words, the evidence, a [`Confidence`], a likelihood, the remedy as
//!    ordered [`Step`]s, and — where the doctor can make the change — a [`FixAction`] whose
//!    safety and reversibility are stated per kind.
//! 3. **Report** ([`report`]): [`diagnose`] runs the rules, folds symptoms into the causes that
//!    explain them (a device without DNS is also not registered; the report says so once), and
//!    orders the findings by likelihood. It serialises to JSON and renders as text.
//!
//! ```
//! use hikproto::doctor::{self, Fact, Facts, PlatformFacts, Policy};
//!
//! let mut facts = Facts::new("192.0.2.10");
//! facts.platform = Fact::Known(PlatformFacts {
//!     enabled: Some(false),
//!     ..PlatformFacts::default()
//! });
//! let report = doctor::diagnose(&facts, &Policy::default());
//! assert_eq!(report.ids(), ["platform.disabled"]);
//! println!("{}", report.render_human());
//! ```
//!
//! What "Error 2020" means depends on who shows it: in the SADP tool it is the SDK's "risky
//! password"; in apps it is reported for a wrong or stale verification code, binding conflicts
//! and a device that cannot reach the platform. The rules cover all of these.

pub mod clock;
#[cfg(feature = "client")]
pub mod examine;
pub mod facts;
pub mod finding;
#[cfg(feature = "client")]
pub mod fix;
#[cfg(feature = "client")]
pub mod gather;
pub mod inputs;
pub mod policy;
mod remedy;
pub mod report;
pub mod rules;
#[cfg(feature = "client")]
pub mod undo;

#[cfg(feature = "client")]
pub use examine::{Examination, Options, examine, examine_with};
pub use facts::{
    BindStatus, Fact, Facts, LabelFacts, LoginFacts, LoginState, NetworkFacts, ParameterTest,
    PlatformFacts, Reachability, SadpView, Supplied, TimeFacts, UserInputs,
};
pub use finding::{Confidence, Evidence, Finding, FixAction, Step};
#[cfg(feature = "client")]
pub use fix::{FixOutcome, PlannedFix, apply_fixes, apply_fixes_with, planned};
#[cfg(feature = "client")]
pub use gather::gather;
pub use inputs::{label_facts, supplied};
pub use policy::{FirmwareRange, Policy};
pub use remedy::{Audience, call_for};
pub use report::{FleetSummary, Folded, REQUIRED_FACTS, Report, UnknownFact, diagnose};
pub use rules::ids;
#[cfg(feature = "client")]
pub use undo::{Previous, UndoOutcome, recorded, undo_fixes};
