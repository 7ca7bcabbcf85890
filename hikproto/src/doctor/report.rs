//! The doctor's report for one device (ordered by likelihood, JSON and human text), and the
//! summary over a fleet.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::facts::Facts;
use super::finding::Finding;
use super::policy::Policy;
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
    /// True when no rule fired (on the facts that could be read).
    pub healthy: bool,
    /// Findings, most likely first.
    pub findings: Vec<Finding>,
    /// Findings folded into the ones that explain them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub folded: Vec<Folded>,
    /// Facts that could not be read.
    pub unknown: Vec<UnknownFact>,
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
    Report {
        target: facts.target.clone(),
        healthy: findings.is_empty(),
        findings,
        folded,
        unknown: facts
            .unknowns()
            .into_iter()
            .map(|(fact, reason)| UnknownFact { fact, reason })
            .collect(),
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

    /// One line for fleet output: `host  healthy` or `host  2 findings: a, b`.
    pub fn summary_line(&self) -> String {
        if self.findings.is_empty() {
            let unknown = if self.unknown.is_empty() {
                String::new()
            } else {
                format!(" ({} facts unreadable)", self.unknown.len())
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

    /// The human report: findings by likelihood, each with cause, evidence, fix and steps.
    pub fn render_human(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "Doctor report for {}", self.target);
        if self.findings.is_empty() {
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
                    if let Some(cli) = &st.cli {
                        let _ = writeln!(s, "        run:  {cli}");
                    }
                    if let Some(call) = &st.call {
                        let _ = writeln!(s, "        API:  {call}");
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
    /// Devices without findings.
    pub healthy: usize,
    /// Devices with at least one finding.
    pub with_findings: usize,
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
            "{} devices: {} healthy, {} with findings",
            self.devices, self.healthy, self.with_findings
        );
        let mut by: Vec<(&&str, &usize)> = self.by_finding.iter().collect();
        by.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (id, n) in by {
            let _ = write!(s, "\n  {n:>5}  {id}");
        }
        s
    }
}
