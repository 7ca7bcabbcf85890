//! The doctor's change control: `--undo FILE` (write back what a saved `--fix` run recorded),
//! and the confirmation a fleet `--fix` asks for before it changes anything.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use hikproto::Device;
use hikproto::doctor::{self, Examination};

use crate::output::{CliError, Output};

/// Undoes the fixes recorded in the saved result at `file` (the JSON that
/// `hikproto --json doctor --host H --fix` printed) on `dev`, last applied first.
pub(crate) async fn undo(dev: &Device, file: &Path, out: &Output) -> Result<ExitCode, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
    let saved: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        CliError::Usage(format!(
            "{}: not a saved doctor result ({e}); save one with `hikproto --json doctor --host H --fix > FILE`",
            file.display()
        ))
    })?;
    let recorded = doctor::recorded(&saved);
    if recorded.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: no applied fix with recorded previous values to undo",
            file.display()
        )));
    }
    let undone = doctor::undo_fixes(dev, &recorded).await;
    let failed = undone.iter().filter(|u| !u.restored).count();
    out.print(&serde_json::json!({ "undone": undone }), || {
        let mut s = String::new();
        for u in &undone {
            s.push_str(&format!(
                "  {} {} (for {}): {}\n",
                if u.restored { "undone:" } else { "FAILED:" },
                u.description,
                u.finding,
                u.message
            ));
        }
        s
    });
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Refuses a fleet `--fix` that could not be confirmed: without `--yes` it needs a terminal.
pub(crate) fn check_confirmable(yes: bool) -> Result<(), CliError> {
    if yes || std::io::stdin().is_terminal() {
        Ok(())
    } else {
        Err(CliError::Usage(
            "doctor --fleet --fix changes many devices: it asks for confirmation on a terminal; pass --yes to apply without asking"
                .into(),
        ))
    }
}

/// The fixes the first diagnosis of each device plans, one line per device; the number of
/// fixes (irreversible ones are listed, marked, only when `irreversible`).
pub(crate) fn print_fleet_plan(exams: &[Examination], irreversible: bool) -> usize {
    let mut n = 0;
    crate::outln!("Planned fixes:");
    for ex in exams {
        let plan: Vec<String> = doctor::planned(&ex.report)
            .into_iter()
            .filter(|p| p.reversible || irreversible)
            .map(|p| {
                let mark = if p.reversible {
                    ""
                } else {
                    " [cannot be undone]"
                };
                format!("{}{mark}", p.description)
            })
            .collect();
        if plan.is_empty() {
            continue;
        }
        n += plan.len();
        crate::outln!("  {}: {}", ex.report.target, plan.join("; "));
    }
    n
}

/// Asks on the terminal; true for yes.
pub(crate) fn confirm(question: &str) -> bool {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
}
