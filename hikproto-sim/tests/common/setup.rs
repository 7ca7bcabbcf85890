//! The set-up and request shapes the simulator's tests repeat: an activated site, an
//! unauthenticated request, a request with a session cookie, a Digest login probe.

use hikproto_sim::{Personality, Site};

use super::{Resp, digest, send};

/// The admin password of every activated test device.
pub const PW: &str = "Passw0rd!x";
/// The path every login probe reads.
pub const INFO: &str = "/ISAPI/System/deviceInfo";

/// `n` cameras activated with [`PW`] and personality `p`.
pub async fn site(n: usize, p: Personality) -> Site {
    Site::builder()
        .devices(n)
        .password(PW)
        .personality(p)
        .start()
        .await
        .expect("the simulated site starts")
}

/// `n` activated cameras of the default personality.
pub async fn activated(n: usize) -> Site {
    site(n, Personality::camera()).await
}

/// A request without credentials.
pub async fn open(host: &str, method: &str, target: &str, body: &[u8]) -> Resp {
    send(host, method, target, &[], body)
        .await
        .expect("the device answers")
}

/// A request carrying a session cookie.
pub async fn with_cookie(host: &str, method: &str, target: &str, cookie: &str) -> Resp {
    send(host, method, target, &[("Cookie", cookie.to_owned())], b"")
        .await
        .expect("the device answers")
}

/// The HTTP status of `GET deviceInfo` as `admin` with `password` (Digest).
pub async fn login_status(host: &str, password: &str) -> u16 {
    digest(host, "GET", INFO, "admin", password, b"")
        .await
        .status
}

/// A request carrying an `Authorization` header (no body).
pub async fn with_authorization(host: &str, method: &str, target: &str, header: String) -> Resp {
    send(host, method, target, &[("Authorization", header)], b"")
        .await
        .expect("the device answers")
}
