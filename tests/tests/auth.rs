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

use hikproto_sim::{Personality, Site};

/// The admin password of every simulated device.
pub(crate) const PW: &str = "Passw0rd!x";
/// A wrong password.
pub(crate) const WRONG: &str = "Wr0ngPass!x";
pub(crate) const INFO: &str = "/ISAPI/System/deviceInfo";

pub(crate) use hikproto_tests::clients::{admin_with as client, assert_no_repeat};
pub(crate) use hikproto_tests::logs::captured as logs;

/// Captures every log line of this test binary (hikproto at trace level) into [`logs`].
pub(crate) fn init_logs() {
    hikproto_tests::logs::capture("hikproto=trace,reqwest=trace,hyper=debug,hyper_util=debug");
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
