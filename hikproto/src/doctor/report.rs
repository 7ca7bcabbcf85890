//! The doctor's report for one device (ordered by likelihood, JSON and human text), and the
//! summary over a fleet.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::facts::Facts;
use super::finding::Finding;
use super::policy::Policy;
use super::remedy::{self, Audience};
use super::rules;

/// A finding folded into another one that explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Folded {
    /// The folded finding's id.
    pub id: &'static str,
    /// The id of the finding that explains it.
    pub into: &'static str,
}

/// A fact that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownFact {
    /// The fact's name.
    pub fact: &'static str,
    /// Why it is unknown.
    pub reason: String,
}

/// The diagnosis of one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The device as the user named it.
    pub target: String,
    /// True only when no rule fired **and** every fact the rules need was read (see
    /// [`Report::unchecked`]); a device that could not be examined is never called healthy.
    pub healthy: bool,
    /// Findings, most likely first.
    pub findings: Vec<Finding>,
    /// Findings folded into the ones that explain them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub folded: Vec<Folded>,
    /// Facts that could not be read.
    pub unknown: Vec<UnknownFact>,
    /// The facts the rules need that could not be read, with the error (a subset of
    /// [`Report::unknown`]: facts the device does not offer are not listed). While this is not
    /// empty the report is not [`Report::healthy`]: the rules could not check everything.
    pub unchecked: Vec<UnknownFact>,
}

/// The facts every diagnosis needs: while one of them is unread the device is not healthy.
pub const REQUIRED_FACTS: &[&str] = &[
    "activated",
    "login",
    "deviceInfo",
    "platform",
    "network",
    "time",
];

/// Whether an unknown fact's reason says the device does not offer it (not an error).
fn not_offered(reason: &str) -> bool {
    reason.starts_with("not supported by the device")
        || reason.starts_with("not offered by the device")
}

/// Runs every rule on the facts and builds the report: explained findings are folded into the
/// finding that explains them, the rest are ordered by likelihood (then confidence, then id).
pub fn diagnose(facts: &Facts, policy: &Policy) -> Report {
    let all = rules::run_all(facts, policy);
    let mut folded = Vec::new();
    let mut findings: Vec<Finding> = Vec::with_capacity(all.len());
    for f in &all {
        let by = all
            .iter()
            .find(|other| other.id != f.id && other.explains.contains(&f.id));
        match by {
            Some(other) => folded.push(Folded {
                id: f.id,
                into: other.id,
            }),
            None => findings.push(f.clone()),
        }
    }
    findings.sort_by(|a, b| {
        b.likelihood
            .cmp(&a.likelihood)
            .then(a.confidence.cmp(&b.confidence))
            .then(a.id.cmp(b.id))
    });
    let unknown: Vec<UnknownFact> = facts
        .unknowns()
        .into_iter()
        .map(|(fact, reason)| UnknownFact { fact, reason })
        .collect();
    let unchecked: Vec<UnknownFact> = unknown
        .iter()
        .filter(|u| REQUIRED_FACTS.contains(&u.fact) && !not_offered(&u.reason))
        .cloned()
        .collect();
    Report {
        target: facts.target.clone(),
        healthy: findings.is_empty() && unchecked.is_empty(),
        findings,
        folded,
        unknown,
        unchecked,
    }
}

impl Report {
    /// The ids of the findings, most likely first.
    pub fn ids(&self) -> Vec<&'static str> {
        self.findings.iter().map(|f| f.id).collect()
    }

    /// The findings that carry an automatic fix, most likely first.
    pub fn fixable(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.fix.is_some())
    }

    /// Whether the report is inconclusive: no finding, but facts the rules need are unread.
    pub fn inconclusive(&self) -> bool {
        self.findings.is_empty() && !self.unchecked.is_empty()
    }

    /// One line for fleet output: `host  healthy`, `host  2 findings: a, b`, or
    /// `host  not checked: login, deviceInfo (first error)`.
    pub fn summary_line(&self) -> String {
        if self.findings.is_empty() {
            if let Some(first) = self.unchecked.first() {
                let names: Vec<&str> = self.unchecked.iter().map(|u| u.fact).collect();
                return format!(
                    "{}  not checked: {} ({})",
                    self.target,
                    names.join(", "),
                    first.reason
                );
            }
            let unknown = match self.unknown.len() {
                0 => String::new(),
                1 => " (1 fact not offered)".to_owned(),
                n => format!(" ({n} facts not offered)"),
            };
            format!("{}  healthy{unknown}", self.target)
        } else {
            format!(
                "{}  {} finding{}: {}",
                self.target,
                self.findings.len(),
                if self.findings.len() == 1 { "" } else { "s" },
                self.ids().join(", ")
            )
        }
    }

    /// The human report: findings by likelihood, each with cause, evidence, fix and steps,
    /// naming library calls in Rust (see [`Report::render_for`]).
    pub fn render_human(&self) -> String {
        self.render_for(Audience::Rust)
    }

    /// This report with every remedy's library call in `audience`'s language (the command line
    /// gets its commands only; Python and C their own calls); see [`remedy::call_for`].
    pub fn for_audience(&self, audience: Audience) -> Self {
        let mut r = self.clone();
        for f in &mut r.findings {
            for st in &mut f.remedy {
                st.call = st
                    .call
                    .as_deref()
                    .and_then(|c| remedy::call_for(c, audience))
                    .map(str::to_owned);
            }
        }
        r
    }

    /// The human report for `audience`: library calls in its language (none for the command
    /// line, which gets the commands to run).
    pub fn render_for(&self, audience: Audience) -> String {
        let label = match audience {
            Audience::Python => "Python:",
            Audience::C => "C:     ",
            _ => "API:  ",
        };
        // command lines for the command line (and Rust, as before); library calls for the others
        let commands = matches!(audience, Audience::Cli | Audience::Rust);
        let shown = self.for_audience(audience);
        shown.render_with(label, commands)
    }

    fn render_with(&self, call_label: &str, commands: bool) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "Doctor report for {}", self.target);
        if self.inconclusive() {
            let names: Vec<&str> = self.unchecked.iter().map(|u| u.fact).collect();
            let _ = writeln!(
                s,
                "\nNOT CHECKED: the device could not be examined ({} unread), so it is not \
                 reported healthy; see below for the errors.",
                names.join(", ")
            );
        } else if self.findings.is_empty() {
            let _ = writeln!(
                s,
                "\nNo problem found in what could be checked{}.",
                if self.unknown.is_empty() {
                    ""
                } else {
                    " (see below for what could not be)"
                }
            );
        } else {
            let _ = writeln!(
                s,
                "{} finding{}, most likely first:",
                self.findings.len(),
                if self.findings.len() == 1 { "" } else { "s" }
            );
        }
        for (i, f) in self.findings.iter().enumerate() {
            let _ = writeln!(
                s,
                "\n{}. {}  [{}; {} confidence; likelihood {}]",
                i + 1,
                f.title,
                f.id,
                f.confidence.as_str(),
                f.likelihood
            );
            let _ = writeln!(s, "   Cause: {}", f.cause);
            if !f.evidence.is_empty() {
                let _ = writeln!(s, "   Evidence:");
                for e in &f.evidence {
                    let _ = writeln!(s, "     - {} = {}", e.field, e.value);
                }
            }
            if let Some(fix) = &f.fix {
                let _ = writeln!(
                    s,
                    "   Automatic fix (safe, reversible; applied only with --fix): {}",
                    fix.describe()
                );
                let _ = writeln!(s, "     undo: {}", fix.undo());
            }
            if !f.remedy.is_empty() {
                let _ = writeln!(s, "   What to do:");
                for (j, st) in f.remedy.iter().enumerate() {
                    let _ = writeln!(s, "     {}. {}", j + 1, st.text);
                    if let Some(ui) = &st.ui_path {
                        let _ = writeln!(s, "        menu: {ui}");
                    }
                    if let Some(cli) = st.cli.as_ref().filter(|_| commands) {
                        let _ = writeln!(s, "        run:  {cli}");
                    }
                    if let Some(call) = &st.call {
                        let _ = writeln!(s, "        {call_label} {call}");
                    }
                }
            }
            let folded: Vec<&str> = self
                .folded
                .iter()
                .filter(|x| x.into == f.id)
                .map(|x| x.id)
                .collect();
            if !folded.is_empty() {
                let _ = writeln!(s, "   Also explains: {}", folded.join(", "));
            }
        }
        if !self.unknown.is_empty() {
            let _ = writeln!(s, "\nCould not check:");
            for u in &self.unknown {
                let _ = writeln!(s, "  - {}: {}", u.fact, u.reason);
            }
        }
        s
    }
}

/// Counts over many reports.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetSummary {
    /// Devices diagnosed.
    pub devices: usize,
    /// Devices without findings and with every needed fact read.
    pub healthy: usize,
    /// Devices with at least one finding.
    pub with_findings: usize,
    /// Devices without findings whose needed facts could not all be read.
    pub not_checked: usize,
    /// How many devices have each finding id.
    pub by_finding: BTreeMap<&'static str, usize>,
}

impl FleetSummary {
    /// Summarises reports.
    pub fn of<'a>(reports: impl IntoIterator<Item = &'a Report>) -> Self {
        let mut s = Self::default();
        for r in reports {
            s.devices += 1;
            if r.healthy {
                s.healthy += 1;
            } else if r.findings.is_empty() {
                s.not_checked += 1;
            } else {
                s.with_findings += 1;
            }
            for f in &r.findings {
                *s.by_finding.entry(f.id).or_default() += 1;
            }
        }
        s
    }

    /// The closing line(s) of fleet output.
    pub fn render_human(&self) -> String {
        let mut s = format!(
            "{} device{}: {} healthy, {} with findings",
            self.devices,
            if self.devices == 1 { "" } else { "s" },
            self.healthy,
            self.with_findings
        );
        if self.not_checked > 0 {
            let _ = write!(s, ", {} not checked", self.not_checked);
        }
        let mut by: Vec<(&&str, &usize)> = self.by_finding.iter().collect();
        by.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (id, n) in by {
            let _ = write!(s, "\n  {n:>5}  {id}");
        }
        s
    }
}
