//! `hikproto demo` runs the whole story on its embedded site and every step succeeds.

use std::process::Command;

#[test]
fn demo_runs_every_step() {
    let out = Command::new(env!("CARGO_BIN_EXE_hikproto"))
        .args(["demo", "--json"])
        .output()
        .expect("run hikproto demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON summary");
    let steps = v["steps"].as_array().expect("steps");
    let names: Vec<&str> = steps.iter().filter_map(|s| s["step"].as_str()).collect();
    for want in [
        "discover",
        "activate",
        "hik-connect",
        "fleet",
        "lockout",
        "recovery",
        "doctor",
    ] {
        assert!(names.contains(&want), "missing step {want}: {names:?}");
    }
    assert!(steps.iter().all(|s| s["ok"] == true), "{stdout}");
}

#[test]
fn demo_human_report_ends_with_the_tally() {
    let out = Command::new(env!("CARGO_BIN_EXE_hikproto"))
        .args(["demo", "--devices", "5"])
        .output()
        .expect("run hikproto demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.contains("steps succeeded") && last.starts_with("7 of 7"),
        "{last}"
    );
}
