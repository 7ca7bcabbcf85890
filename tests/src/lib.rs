//! Shared helpers for hikproto's end-to-end tests: the fixtures, clients of simulated devices
//! ([`clients`]) and log capture ([`logs`]).

pub mod clients;
pub mod logs;

use std::path::PathBuf;

/// The real device responses the tests read: `HIKPROTO_FIXTURES` when set (an override, e.g. to try a
/// refreshed copy), else the repository's own copy in `tests/fixtures/` (see its README for provenance).
///
/// Panics with the reason when the folder holds no `real-devices/`: a fixture test never passes by not
/// running.
pub fn fixtures() -> PathBuf {
    let dir = std::env::var_os("HIKPROTO_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures"));
    assert!(
        dir.join("real-devices").is_dir(),
        "device fixtures missing: {} holds no real-devices/ folder (the repository carries them in \
         tests/fixtures/; HIKPROTO_FIXTURES overrides the location)",
        dir.display()
    );
    dir
}

/// The fixture devices (`real-devices/<model>/`), sorted by name; at least eight.
pub fn fixture_devices() -> Vec<(String, PathBuf)> {
    let mut v: Vec<_> = std::fs::read_dir(fixtures().join("real-devices"))
        .expect("real-devices/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .filter_map(|p| Some((p.file_name()?.to_string_lossy().into_owned(), p)))
        .collect();
    v.sort();
    assert!(
        v.len() >= 8,
        "expected at least 8 device folders, found {}",
        v.len()
    );
    v
}
