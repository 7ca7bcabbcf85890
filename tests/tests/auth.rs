//! End-to-end authentication tests: the hikproto client against hikproto-sim over loopback.
//!
//! Every test checks the simulator's own counters (an independent, device-side view) as well
//! as the client's: above all, that no credential the device rejected was ever sent again
//! (`repeated_rejected_credentials == 0`).

mod auth {
    pub(crate) mod blocking;
    pub(crate) mod concurrency;
    pub(crate) mod digest;
    pub(crate) mod lockout;
    pub(crate) mod rule;
    pub(crate) mod session;
    pub(crate) mod tls;
}

use std::io::Write;
use std::sync::{Mutex, Once};

use hikproto::{AuthMode, Device, LockoutGuard};
use hikproto_sim::{Personality, SimDevice, Site};

/// The admin password of every simulated device.
pub(crate) const PW: &str = "Passw0rd!x";
/// A wrong password.
pub(crate) const WRONG: &str = "Wr0ngPass!x";
pub(crate) const INFO: &str = "/ISAPI/System/deviceInfo";

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures every log line of this test binary (hikproto at trace level) into [`logs`].
pub(crate) fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let sub = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "hikproto=trace,reqwest=trace,hyper=debug,hyper_util=debug",
            ))
            .with_ansi(false)
            .with_writer(|| Capture)
            .finish();
        tracing::subscriber::set_global_default(sub).expect("no other subscriber");
    });
}

/// Everything logged so far by this test binary.
pub(crate) fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
}

/// A site of one activated device with this personality.
pub(crate) async fn site(p: Personality) -> Site {
    init_logs();
    Site::builder()
        .devices(1)
        .password(PW)
        .personality(p)
        .start()
        .await
        .expect("simulator starts")
}

/// A client for `d` with its own lock-out guard (tests stay independent of each other).
pub(crate) fn client(d: &SimDevice, mode: AuthMode, password: &str) -> Device {
    Device::builder(d.host())
        .credentials("admin", password)
        .auth_mode(mode)
        .lockout_guard(LockoutGuard::new())
        .build()
        .expect("client builds")
}

/// Asserts the invariant of every test: no rejected credential was sent twice.
pub(crate) fn assert_no_repeat(d: &SimDevice) {
    let s = d.stats();
    assert_eq!(
        s.repeated_rejected_credentials, 0,
        "a rejected credential was sent again: {s:?}"
    );
}
