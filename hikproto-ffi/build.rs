//! Link settings of the shared library: its SONAME, so that programs record
//! `libhikproto.so.<major>` and keep working across compatible updates.

fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" || target_os == "android" || target_os.ends_with("bsd") {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libhikproto.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
