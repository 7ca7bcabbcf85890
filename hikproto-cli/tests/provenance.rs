//! Inferred recovery routes say so in their help and in the plan.

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hikproto"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn help_of_inferred_routes_says_unverified() {
    for cmd in ["answers", "guid", "email-code", "app-code", "import-reply"] {
        let text = help(&["recover", cmd]);
        assert!(
            text.contains("unverified on real firmware"),
            "recover {cmd}: {text}"
        );
    }
    for cmd in ["plan", "factory-reset", "export-key"] {
        let text = help(&["recover", cmd]);
        assert!(!text.contains("unverified"), "recover {cmd}: {text}");
    }
}
