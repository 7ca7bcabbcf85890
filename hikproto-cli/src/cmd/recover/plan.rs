//! `hikproto recover plan`: the recovery plan from ISAPI facts, SADP facts, or both.

use std::process::ExitCode;

use hikproto::reset::{
    Fact, RecoveryFacts, RecoveryPlan, RouteStatus, SadpConfiguredTypes, SadpResetFacts,
};

use super::RouteArgs;
use crate::conn::password_from_env;
use crate::output::{CliError, Output};

/// Arguments of `hikproto recover plan`.
#[derive(Debug, clap::Args)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    route: RouteArgs,
    /// Log in (password from HIKPROTO_PASSWORD or a prompt) to read what only the admin sees.
    /// Without it, the password is used only when HIKPROTO_PASSWORD is set.
    #[arg(long)]
    login: bool,
    /// A GUID file exported earlier is at hand.
    #[arg(long)]
    guid_file_on_hand: bool,
}

fn status_text(s: RouteStatus) -> &'static str {
    match s {
        RouteStatus::Ready => "ready",
        RouteStatus::Possible => "possible",
        RouteStatus::NeedsPreparation => "needs preparation",
        RouteStatus::Blocked => "blocked",
        RouteStatus::Unsupported => "unsupported",
        RouteStatus::NotImplemented => "not implemented",
    }
}

fn fact_text(f: Fact) -> &'static str {
    match f {
        Fact::Yes => "yes",
        Fact::No => "no",
        Fact::Unknown => "unknown",
    }
}

fn human(plan: &RecoveryPlan) -> String {
    let d = &plan.device;
    let mut s = format!(
        "device   {} {} (serial {})\n",
        d.model.as_deref().unwrap_or("-"),
        d.firmware.as_deref().unwrap_or(""),
        d.serial.as_deref().unwrap_or("unknown")
    );
    if let Some(m) = plan.recommended() {
        s.push_str(&format!("try first: {}\n", m.label()));
    }
    for r in &plan.routes {
        s.push_str(&format!(
            "\n{:<30} {}",
            r.method.label(),
            status_text(r.status)
        ));
        for p in &r.prerequisites {
            if p.met != Fact::Yes {
                s.push_str(&format!(
                    "\n    needs {} ({})",
                    p.prerequisite.label(),
                    fact_text(p.met)
                ));
            }
        }
        for n in &r.notes {
            s.push_str(&format!("\n    {n}"));
        }
    }
    for w in &plan.warnings {
        s.push_str(&format!("\nwarning: {w}"));
    }
    for g in &plan.gaps {
        s.push_str(&format!("\nnot read: {g}"));
    }
    s
}

pub(crate) async fn run(a: PlanArgs, out: &Output) -> Result<ExitCode, CliError> {
    let conn = a.route.conn.conn();
    let sadp = a.route.sadp();
    if conn.is_none() && sadp.is_none() {
        return Err(CliError::Usage(
            "give --host HOST (ISAPI), --mac MAC (SADP), or both".into(),
        ));
    }
    let mut facts = match &conn {
        Some(c) => {
            let password = if a.login {
                Some(crate::conn::read_password(&format!(
                    "Password for {}@{}: ",
                    c.access.user, c.host
                ))?)
            } else {
                password_from_env()
            };
            c.device_with(password)?.recovery_facts().await?
        }
        None => RecoveryFacts::default(),
    };
    if let Some(s) = &sadp {
        let dev = s.locate().await?;
        let mut sf = SadpResetFacts::from_probe_match(&dev.info.to_element());
        if dev.info.support_password_reset_type != Some(false) {
            match s.client().await?.password_reset_types(&dev.target()).await {
                Ok(t) => sf = sf.with_configured(SadpConfiguredTypes::from(&t)),
                Err(e) => facts.gaps.push(format!("SADP reset types: {e}")),
            }
        }
        facts = facts.with_sadp(sf);
        facts.same_lan = Some(true);
    }
    if a.guid_file_on_hand {
        facts = facts.with_guid_file_on_hand(true);
    }
    let plan = RecoveryPlan::from_facts(&facts);
    out.print(&plan, || human(&plan));
    Ok(ExitCode::SUCCESS)
}
