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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_says_which_routes_are_inferred() {
    use hikproto_sim::{DeviceConfig, Site};
    const PW: &str = "Hik!Vision2024";
    let site = Site::builder()
        .device(DeviceConfig::camera(0).with_admin(PW))
        .start()
        .await
        .unwrap();
    let host = site.device(0).host();
    let run = |json: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hikproto"));
        if json {
            cmd.arg("--json");
        }
        let out = cmd
            .args(["recover", "plan", "--host", &host])
            .env("HIKPROTO_PASSWORD", PW)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let plan: serde_json::Value = serde_json::from_str(&run(true)).unwrap();
    let route = |m: &str| {
        plan["routes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["method"] == m)
            .unwrap()
            .clone()
    };
    assert_eq!(route("guidFile")["unverified"], true);
    assert_eq!(route("factoryReset")["unverified"], false);
    assert!(
        route("guidFile")["provenance"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == "isapi.reset_with_guid_file" && o["provenance"] == "inferred")
    );
    assert!(run(false).contains("unverified on real firmware"));
    site.shutdown().await;
}
