//! The committed header is exactly what the pinned cbindgen generates from the sources, and
//! its version macros match the crate version.

use std::path::{Path, PathBuf};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate() -> String {
    let dir = crate_dir();
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("UTF-8 header")
}

fn header_path() -> PathBuf {
    crate_dir().join("include/hikproto.h")
}

#[test]
fn header_is_up_to_date() {
    let fresh = generate();
    let path = header_path();
    if std::env::var_os("HIKPROTO_BLESS_HEADER").is_some() {
        std::fs::write(&path, &fresh).expect("write header");
        println!("wrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let line = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "the end".to_owned(), |i| format!("line {}", i + 1));
        panic!(
            "{} is out of date (first difference at {line}); regenerate it with\n  \
             HIKPROTO_BLESS_HEADER=1 cargo test -p hikproto-ffi --test header\nand commit it",
            relative(&path)
        );
    }
}

fn relative(p: &Path) -> String {
    p.strip_prefix(crate_dir().parent().unwrap_or(Path::new("/")))
        .unwrap_or(p)
        .display()
        .to_string()
}

fn macro_value(header: &str, name: &str) -> String {
    let prefix = format!("#define {name} ");
    header
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{name} missing from the header"))
        .trim()
        .trim_matches('"')
        .to_owned()
}

#[test]
fn version_macros_match_the_crate() {
    let header = std::fs::read_to_string(header_path()).expect("committed header");
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(macro_value(&header, "HIKPROTO_VERSION"), version);
    let mut parts = version.split(['.', '-', '+']);
    for name in [
        "HIKPROTO_VERSION_MAJOR",
        "HIKPROTO_VERSION_MINOR",
        "HIKPROTO_VERSION_PATCH",
    ] {
        assert_eq!(macro_value(&header, name), parts.next().unwrap(), "{name}");
    }
}
