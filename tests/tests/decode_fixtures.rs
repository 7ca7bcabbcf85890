//! `decode` on every real device response in `tests/fixtures`: every file is recognised, and the
//! values survive: every scalar of the typed value is in the document, and for the documents a
//! model covers whole, every value of the document is in the typed value.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use hikproto::decode::decode_any;
use hikproto::xml::Element;
use hikproto_tests::fixtures;
use serde_json::Value;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "xml" || x == "json") {
            out.push(p);
        }
    }
}

fn fixture_files() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for sub in ["real-devices", "real-responses"] {
        files(&fixtures().join(sub), &mut v);
    }
    v.sort();
    v
}

/// Every scalar of a JSON value, as text.
fn scalars(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.trim().to_owned());
        }
        Value::Number(n) => {
            out.insert(n.to_string());
        }
        Value::Bool(b) => {
            out.insert(b.to_string());
        }
        Value::Array(a) => a.iter().for_each(|x| scalars(x, out)),
        Value::Object(o) => o.values().for_each(|x| scalars(x, out)),
        Value::Null => {}
    }
}

/// Every leaf element's text.
fn leaves(el: &Element, out: &mut Vec<(String, String)>) {
    if el.children.is_empty() {
        let t = el.text.trim();
        if !t.is_empty() {
            out.push((el.name.clone(), t.to_owned()));
        }
    }
    el.children.iter().for_each(|c| leaves(c, out));
}

/// The kind each fixture file must decode as, by file name.
fn expected_kind(path: &Path) -> &'static str {
    let name = path.file_name().unwrap().to_string_lossy();
    if name.starts_with("System.deviceInfo") {
        "DeviceInfo"
    } else if name.starts_with("System.capabilities") {
        "DeviceCap"
    } else if name.starts_with("Security.adminAccesses") {
        "AdminAccesses"
    } else {
        "ResponseStatus"
    }
}

#[test]
fn every_fixture_is_recognised_with_its_values_intact() {
    let all = fixture_files();
    assert!(all.len() >= 27, "only {} fixture files", all.len());
    let mut recognised = 0;
    for path in &all {
        let bytes = fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let d = decode_any(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(d.kind, expected_kind(path), "{}", path.display());
        recognised += 1;

        // soundness: nothing in the typed value was made up or altered
        let mut values = BTreeSet::new();
        scalars(&d.value, &mut values);
        let el = Element::parse(&bytes).unwrap();
        let doc_leaves = {
            let mut l = Vec::new();
            leaves(&el, &mut l);
            l
        };
        for v in &values {
            let in_doc = text.contains(v.as_str())
                || doc_leaves.iter().any(|(_, t)| {
                    hikproto::xml::parse_bool(t).is_some_and(|b| b.to_string() == *v)
                })
                || v.split(',').all(|p| text.contains(p.trim()));
            assert!(in_doc, "{}: {v:?} is not in the document", path.display());
        }

        // completeness where the model covers the whole document
        if d.kind != "DeviceCap" {
            for (name, t) in &doc_leaves {
                let as_bool = hikproto::xml::parse_bool(t).map(|b| b.to_string());
                assert!(
                    values.contains(t) || as_bool.is_some_and(|b| values.contains(&b)),
                    "{}: <{name}>{t} lost in {}",
                    path.display(),
                    d.value
                );
            }
        }
    }
    assert_eq!(recognised, all.len(), "100 % recognised");
}

/// The capability document: the blocks the core models keep the device's values.
#[test]
fn capabilities_keep_the_modelled_blocks() {
    for path in fixture_files()
        .iter()
        .filter(|p| expected_kind(p) == "DeviceCap")
    {
        let bytes = fs::read(path).unwrap();
        let el = Element::parse(&bytes).unwrap();
        let d = decode_any(&bytes).unwrap();
        let sec = el.child("SecurityCap").expect("SecurityCap");
        for (elem, key) in [
            ("supportUserNums", "supportUserNums"),
            ("keyIterateNum", "keyIterateNum"),
            ("salt", "salt"),
        ] {
            if let Some(t) = sec.text_at(elem) {
                let v = &d.value["security"][key];
                let got = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                assert_eq!(got, t.trim(), "{}: {elem}", path.display());
            }
        }
        for root_leaf in el.children.iter().filter(|c| c.children.is_empty()) {
            if let Some(b) = hikproto::xml::parse_bool(&root_leaf.text) {
                assert_eq!(
                    d.value["flags"][&root_leaf.name],
                    Value::Bool(b),
                    "{}: {}",
                    path.display(),
                    root_leaf.name
                );
            }
        }
        let ezviz = el
            .child("SysCap")
            .and_then(|s| s.child("NetworkCap"))
            .and_then(|n| n.text_at("isSupportEZVIZ"));
        if let Some(t) = ezviz {
            assert_eq!(
                d.value["network"]["isSupportEzviz"].to_string(),
                t.trim(),
                "{}",
                path.display()
            );
        }
    }
}
