//! The `hikproto-sim` binary: starts, prints its devices, serves, stops on SIGTERM.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn binary_prints_devices_serves_and_stops() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hikproto-sim"))
        .args(["--devices", "2", "--password", "Passw0rd!x", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start hikproto-sim");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    let devices = v["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    let url = devices[1]["isapi_url"].as_str().unwrap();
    let host = url.strip_prefix("http://").unwrap();
    let r = common::digest(
        host,
        "GET",
        "/ISAPI/System/deviceInfo",
        "admin",
        "Passw0rd!x",
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.xml().text_at("serialNumber"),
        devices[1]["serial"].as_str()
    );
    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn binary_text_output_and_bad_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("site.toml");
    std::fs::write(
        &cfg,
        "[[devices]]\nmodel = \"DS-7608NXI-I2\"\ndevice_type = \"NVR\"\nactivated = false\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hikproto-sim"))
        .args(["--config", cfg.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let fields: Vec<&str> = first.split_whitespace().collect();
    assert!(fields[0].starts_with("DS-7608NXI-I2"), "{first}");
    assert_eq!(fields[1], "DS-7608NXI-I2");
    assert!(fields[2].starts_with("http://127.0.0.1:"));
    let mut ready = String::new();
    out.read_line(&mut ready).unwrap();
    assert_eq!(ready.trim(), "ready");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());

    std::fs::write(&cfg, "devices = 3\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hikproto-sim"))
        .args(["--config", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid configuration"));
}
