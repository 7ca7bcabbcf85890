//! The one error type of hikproto.
//!
//! Variants are grouped by what a caller can *do* about them:
//!
//! | group | variants | what to do |
//! |---|---|---|
//! | reach the device | [`Error::Transport`], [`Error::Timeout`], [`Error::Tls`] | check the address, the network, the certificate |
//! | credentials | [`Error::CredentialsRejected`], [`Error::Locked`], [`Error::CredentialLatched`] | supply other credentials, or wait |
//! | the device said no | [`Error::Device`], [`Error::NotSupported`], [`Error::NotActivated`], [`Error::AlreadyActivated`] | read the [`ResponseStatus`] |
//! | what came back | [`Error::Decode`], [`Error::TooLarge`] | report it: the device or the network sent something unexpected |
//! | what went in | [`Error::InvalidInput`] | fix the argument; nothing was sent |
//!
//! Messages never contain secrets, and a source error is chained, never repeated in the message.

use std::fmt;
use std::time::Duration;

use crate::isapi::status::ResponseStatus;

/// A `Result` with hikproto's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to a device.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The device could not be reached, or the connection broke.
    #[error("transport error talking to {host}")]
    Transport {
        /// The host (and port) hikproto was talking to.
        host: String,
        /// What went wrong underneath.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// The operation did not finish within its deadline.
    #[error("{operation} timed out after {after:?}")]
    Timeout {
        /// What was being done (for example `"connect"` or `"GET /ISAPI/System/deviceInfo"`).
        operation: String,
        /// The deadline that expired.
        after: Duration,
    },

    /// TLS failed: certificate not trusted, fingerprint pin mismatch, handshake error.
    #[error("TLS error: {reason}")]
    Tls {
        /// Plain-words reason.
        reason: String,
    },

    /// The device rejected the credentials. hikproto will not retry them: supply new ones.
    #[error("credentials rejected for user {user:?}{}", attempts_hint(*.attempts_left))]
    CredentialsRejected {
        /// The user name that was rejected (never the password).
        user: String,
        /// Login attempts the device says remain before it locks (`retryLoginTime` / `retryTimes`).
        attempts_left: Option<u32>,
    },

    /// The account or client address is locked after too many failed logins.
    #[error("account {user:?} is locked{}", lock_hint(*.retry_after))]
    Locked {
        /// The user name that is locked.
        user: String,
        /// How long until the device lifts the lock (`unlockTime` / `resLockTime`), when it says.
        retry_after: Option<Duration>,
    },

    /// hikproto refused to send credentials that this device already rejected.
    ///
    /// This is the lock-out guard: a rejected credential is never sent again until the caller
    /// supplies new credentials (see [`crate::auth::LockoutGuard`]).
    #[error(
        "not sending credentials for user {user:?} again: the device rejected them; supply new credentials"
    )]
    CredentialLatched {
        /// The user whose credential is latched.
        user: String,
    },

    /// The device answered with a `ResponseStatus` that is not a success.
    #[error("device refused {request}: {}", status.describe())]
    Device {
        /// Method and path of the request.
        request: String,
        /// HTTP status code of the answer.
        http_status: u16,
        /// The decoded `ResponseStatus`.
        status: Box<ResponseStatus>,
    },

    /// The device does not support this operation (HTTP 404/405/501, or `notSupport`).
    #[error("not supported by the device: {what}")]
    NotSupported {
        /// What was asked for.
        what: String,
        /// HTTP status code of the answer (404, 405, 501, or the status that carried
        /// `notSupport`); 0 when the library concluded it without such an answer.
        http_status: u16,
        /// The device's `ResponseStatus` when it sent one (`subStatusCode` `notSupport`).
        status: Option<Box<ResponseStatus>>,
    },

    /// The device is not activated: it needs an admin password first.
    #[error("the device is not activated")]
    NotActivated,

    /// Activation was asked of a device that is already activated.
    #[error("the device is already activated")]
    AlreadyActivated,

    /// A response (or a file) could not be decoded.
    #[error("could not decode {what}: {reason}")]
    Decode {
        /// What was being decoded (for example `"DeviceInfo"`).
        what: String,
        /// Plain-words reason, without secrets.
        reason: String,
    },

    /// A response was larger than the configured cap.
    #[error("response too large: more than {limit} bytes")]
    TooLarge {
        /// The cap that was exceeded.
        limit: usize,
    },

    /// An argument was invalid; nothing was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

fn attempts_hint(left: Option<u32>) -> String {
    match left {
        Some(1) => " (1 attempt left before lock-out)".to_owned(),
        Some(n) => format!(" ({n} attempts left before lock-out)"),
        None => String::new(),
    }
}

fn lock_hint(after: Option<Duration>) -> String {
    match after {
        Some(d) => format!(" for another {}", human_duration(d)),
        None => String::new(),
    }
}

/// Formats a duration the way the device web UI does: seconds under a minute, else minutes.
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s} s")
    } else {
        format!("{} min", s.div_ceil(60))
    }
}

impl Error {
    /// Builds a [`Error::Decode`].
    pub fn decode(what: impl Into<String>, reason: impl fmt::Display) -> Self {
        Self::Decode {
            what: what.into(),
            reason: reason.to_string(),
        }
    }

    /// Builds an [`Error::NotSupported`] concluded without a device answer to show.
    pub fn not_supported(what: impl Into<String>) -> Self {
        Self::NotSupported {
            what: what.into(),
            http_status: 0,
            status: None,
        }
    }

    /// Builds an [`Error::InvalidInput`].
    pub fn invalid(reason: impl Into<String>) -> Self {
        Self::InvalidInput(reason.into())
    }

    /// Builds an [`Error::Transport`], or an [`Error::Tls`] when a TLS error (an untrusted
    /// or invalid certificate, a failed handshake) is anywhere in `source`'s chain: HTTP
    /// clients report those as connection errors, wrapped several layers deep.
    pub fn transport(
        host: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        let host = host.into();
        let source = source.into();
        #[cfg(feature = "client")]
        if let Some(tls) = find_rustls_error(&*source) {
            return Self::Tls {
                reason: format!("{host} refused: {tls}"),
            };
        }
        Self::Transport { host, source }
    }

    /// The device's `ResponseStatus`, when the device refused the request.
    pub fn response_status(&self) -> Option<&ResponseStatus> {
        match self {
            Self::Device { status, .. } => Some(status),
            _ => None,
        }
    }

    /// True when the error is about credentials (rejected, locked or latched).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Self::CredentialsRejected { .. } | Self::Locked { .. } | Self::CredentialLatched { .. }
        )
    }

    /// True when trying again later, unchanged, may succeed (transport trouble, timeouts, a busy device).
    ///
    /// Credential errors are never retryable: retrying them is how accounts get locked.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::Timeout { .. } => true,
            Self::Device { status, .. } => status.status_code == 2,
            _ => false,
        }
    }
}

/// An error rendered once with its chain of sources: the one place that flattens a chain, for
/// every binding (C messages, Python exceptions, CLI output, the doctor's facts).
///
/// `Display` joins the error and its causes with `": "`; a cause whose text is empty or already
/// part of the message is left out (libraries often repeat their source in their own message),
/// and the walk stops after [`ErrorReport::MAX_DEPTH`] causes. [`ErrorReport::causes`] gives the
/// same causes one by one, for callers that print them on lines of their own.
///
/// ```
/// use hikproto::ErrorReport;
///
/// let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
/// let e = hikproto::Error::transport("192.0.2.10:80", refused);
/// assert_eq!(
///     ErrorReport::new(&e).to_string(),
///     "transport error talking to 192.0.2.10:80: connection refused"
/// );
/// ```
#[derive(Clone, Copy)]
pub struct ErrorReport<'e> {
    error: &'e (dyn std::error::Error + 'static),
}

impl<'e> ErrorReport<'e> {
    /// Most causes rendered: chains are short in practice; the bound guards against cycles.
    pub const MAX_DEPTH: usize = 16;

    /// A report of `error` and its sources.
    pub fn new(error: &'e (dyn std::error::Error + 'static)) -> Self {
        Self { error }
    }

    /// The causes worth showing, outermost first: each source's text, skipping empty ones and
    /// ones whose text is already in the error's own message or an earlier cause.
    pub fn causes(&self) -> Vec<String> {
        let mut seen = self.error.to_string();
        let mut out = Vec::new();
        let mut cur = self.error.source();
        for _ in 0..Self::MAX_DEPTH {
            let Some(src) = cur else { break };
            let text = src.to_string();
            if !text.is_empty() && !seen.contains(&text) {
                seen.push_str(": ");
                seen.push_str(&text);
                out.push(text);
            }
            cur = src.source();
        }
        out
    }
}

impl fmt::Display for ErrorReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)?;
        for cause in self.causes() {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ErrorReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(feature = "client")]
/// Finds a rustls error in a chain. It may sit inside an `io::Error`, whose `source()` skips
/// the error it wraps, so those are opened with `get_ref()` instead. Bounded depth.
fn find_rustls_error<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut cur: Option<&'e (dyn std::error::Error + 'static)> = Some(e);
    for _ in 0..16 {
        let err = cur?;
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        cur = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error whose `source()` is the next link, like the HTTP client's own error types.
    #[derive(Debug)]
    struct Link(&'static str, Box<dyn std::error::Error + Send + Sync>);

    impl fmt::Display for Link {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Link {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&*self.1)
        }
    }

    #[test]
    fn a_report_renders_the_chain_once() {
        let io = std::io::Error::other("connection refused");
        let chain = Link(
            "error sending request",
            Box::new(Link("client error (Connect)", Box::new(io))),
        );
        let r = ErrorReport::new(&chain);
        assert_eq!(
            r.to_string(),
            "error sending request: client error (Connect): connection refused"
        );
        assert_eq!(r.causes(), ["client error (Connect)", "connection refused"]);

        // a source already quoted in the message, or empty, is not repeated
        let quoting = Link(
            "read failed: connection reset",
            Box::new(Link(
                "",
                Box::new(std::io::Error::other("connection reset")),
            )),
        );
        assert_eq!(
            ErrorReport::new(&quoting).to_string(),
            "read failed: connection reset"
        );
        assert!(ErrorReport::new(&quoting).causes().is_empty());

        // a plain error renders as itself
        let e = Error::invalid("port out of range");
        assert_eq!(
            ErrorReport::new(&e).to_string(),
            "invalid input: port out of range"
        );
    }

    #[test]
    fn a_report_stops_at_its_depth_bound() {
        #[derive(Debug)]
        struct Endless(u32);
        impl fmt::Display for Endless {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "level {}", self.0)
            }
        }
        impl std::error::Error for Endless {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                // a self-referential chain: the walk must end anyway
                Some(self)
            }
        }
        let r = ErrorReport::new(&Endless(7));
        assert_eq!(r.to_string(), "level 7");
        let causes: Vec<String> = (1..=20).map(|i| format!("cause {i}")).collect();
        let mut e: Box<dyn std::error::Error + Send + Sync> =
            Box::new(std::io::Error::other("root"));
        for c in causes.iter().rev() {
            e = Box::new(Link(Box::leak(c.clone().into_boxed_str()), e));
        }
        let top = Link("top", e);
        assert_eq!(
            ErrorReport::new(&top).causes().len(),
            ErrorReport::MAX_DEPTH
        );
    }

    #[cfg(feature = "client")]
    #[test]
    fn rustls_errors_are_found_inside_nested_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let inner = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
        let outer = std::io::Error::other(inner);
        let found = find_rustls_error(&outer).expect("found");
        assert!(matches!(found, rustls::Error::InvalidCertificate(_)));
        assert!(find_rustls_error(&std::io::Error::other("plain")).is_none());
    }

    #[cfg(feature = "client")]
    #[test]
    fn a_certificate_refusal_in_a_transport_chain_is_a_tls_error() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
        let chain = Link(
            "error sending request",
            Box::new(Link("client error (Connect)", Box::new(io))),
        );
        let e = Error::transport("127.0.0.1:443", chain);
        let Error::Tls { reason } = &e else {
            panic!("expected a TLS error, got {e:?}");
        };
        assert!(reason.starts_with("127.0.0.1:443 refused: "), "{reason}");
        assert!(reason.contains("UnknownIssuer"), "{reason}");
        assert!(!e.is_retryable());

        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = Error::transport(
            "127.0.0.1:9",
            Link("error sending request", Box::new(refused)),
        );
        assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    }
}
