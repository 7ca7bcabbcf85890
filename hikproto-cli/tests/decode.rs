//! `hikproto decode` on every real device response in the repository's fixtures, `--kind` and
//! `--list`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixtures() -> PathBuf {
    std::env::var_os("HIKPROTO_FIXTURES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures"),
        PathBuf::from,
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hikproto"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            xml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "xml") {
            out.push(p);
        }
    }
}

#[test]
fn every_fixture_decodes() {
    let mut files = Vec::new();
    for sub in ["real-devices", "real-responses"] {
        xml_files(&fixtures().join(sub), &mut files);
    }
    assert!(files.len() >= 27, "{} files", files.len());
    for f in &files {
        let (code, stdout, stderr) = run(&["--json", "decode", f.to_str().unwrap()]);
        assert_eq!(code, 0, "{}: {stderr}", f.display());
        let v: Value = serde_json::from_str(&stdout).unwrap();
        let kind = v["kind"].as_str().unwrap();
        assert!(
            ["DeviceInfo", "DeviceCap", "AdminAccesses", "ResponseStatus"].contains(&kind),
            "{}: {kind}",
            f.display()
        );
        if kind == "DeviceInfo" {
            let doc = std::fs::read_to_string(f).unwrap();
            let serial = v["value"]["serialNumber"].as_str().unwrap();
            assert!(doc.contains(&format!("<serialNumber>{serial}</serialNumber>")));
        }
    }
}

#[test]
fn kind_forces_and_list_names_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("renamed.xml");
    std::fs::write(&f, "<Renamed><timeZone>CST-8:00:00</timeZone></Renamed>").unwrap();
    let (code, _, stderr) = run(&["decode", f.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(stderr.contains("unknown document <Renamed>"), "{stderr}");
    let (code, stdout, stderr) = run(&["--json", "decode", "--kind", "Time", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["value"]["timeZone"], "CST-8:00:00");

    let (code, stdout, _) = run(&["--json", "decode", "--list"]);
    assert_eq!(code, 0);
    let kinds: Value = serde_json::from_str(&stdout).unwrap();
    let names: Vec<&str> = kinds
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    for k in [
        "DeviceCap",
        "AdminAccesses",
        "Ezviz",
        "Users",
        "SessionLoginCap",
        "SadpProbeMatch",
    ] {
        assert!(names.contains(&k), "{k} missing from {names:?}");
    }
    let (code, stdout, _) = run(&["decode", "--list"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("<AdminAccessProtocolList>"), "{stdout}");
}
