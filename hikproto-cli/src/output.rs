//! Human and JSON output, logging set-up, and the error report.

use std::process::ExitCode;

use serde::Serialize;

/// Where and how results are printed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    pub(crate) json: bool,
}

impl Output {
    /// Prints a value: JSON with `--json`, otherwise the human rendering.
    pub(crate) fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(s) => println!("{s}"),
                Err(e) => eprintln!("error: cannot render JSON: {e}"),
            }
        } else {
            println!("{}", human());
        }
    }

    /// Reports a completed write: `what` was done, and whether the device needs a reboot for it.
    pub(crate) fn done(&self, what: &str, st: &hikproto::isapi::status::ResponseStatus) {
        let v = serde_json::json!({
            "done": what,
            "rebootRequired": st.reboot_required(),
            "status": st,
        });
        self.print(&v, || {
            if st.reboot_required() {
                format!("{what} (takes effect after a reboot)")
            } else {
                what.to_owned()
            }
        });
    }

    /// Reports an error on stderr (and as JSON on stdout with `--json`) and picks the exit code.
    pub(crate) fn error(&self, e: &CliError) -> ExitCode {
        if self.json {
            let mut v =
                serde_json::json!({ "error": { "kind": e.kind(), "message": e.to_string() } });
            if let CliError::Reset(r, _) = e {
                v["error"]["refusal"] = serde_json::to_value(r).unwrap_or_default();
            }
            println!("{v}");
        }
        eprintln!("error: {e}");
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            eprintln!("  caused by: {s}");
            src = s.source();
        }
        if let Some(hint) = e.hint() {
            eprintln!("hint: {hint}");
        }
        ExitCode::from(e.exit_code())
    }
}

/// Errors of the command line.
#[derive(Debug)]
pub(crate) enum CliError {
    /// An error from the library.
    Lib(hikproto::Error),
    /// A usage or local problem (file not found, no password, …).
    Usage(String),
    /// The device was not found (SADP search without an answer from that MAC).
    NotFound(String),
    /// The device refused a password reset; the reason, and the library error it came from.
    Reset(hikproto::reset::ResetRefusal, hikproto::Error),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Lib(e) => write!(f, "{e}"),
            Self::Usage(s) | Self::NotFound(s) => f.write_str(s),
            Self::Reset(r, e) => write!(f, "reset refused: {r} ({e})"),
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Lib(e) | Self::Reset(_, e) => std::error::Error::source(e),
            Self::Usage(_) | Self::NotFound(_) => None,
        }
    }
}

impl From<hikproto::Error> for CliError {
    fn from(e: hikproto::Error) -> Self {
        Self::Lib(e)
    }
}

impl CliError {
    /// Wraps an error of a reset with `method`, classified when the device refused it.
    pub(crate) fn reset(method: hikproto::reset::ResetMethod, e: hikproto::Error) -> Self {
        match hikproto::reset::ResetRefusal::classify(method, &e) {
            Some(r) => Self::Reset(r, e),
            None => Self::Lib(e),
        }
    }

    fn kind(&self) -> &'static str {
        use hikproto::Error as E;
        match self {
            Self::Usage(_) => "usage",
            Self::NotFound(_) => "not_found",
            Self::Lib(e) | Self::Reset(_, e) => match e {
                E::Transport { .. } => "transport",
                E::Timeout { .. } => "timeout",
                E::Tls { .. } => "tls",
                E::CredentialsRejected { .. } => "credentials_rejected",
                E::Locked { .. } => "locked",
                E::CredentialLatched { .. } => "credential_latched",
                E::Device { .. } => "device",
                E::NotSupported { .. } => "not_supported",
                E::NotActivated => "not_activated",
                E::AlreadyActivated => "already_activated",
                E::Decode { .. } | E::TooLarge { .. } => "decode",
                E::InvalidInput(_) => "invalid_input",
                _ => "other",
            },
        }
    }

    fn exit_code(&self) -> u8 {
        match self.kind() {
            "usage" | "invalid_input" => 2,
            "credentials_rejected" | "locked" | "credential_latched" => 3,
            "transport" | "timeout" | "tls" | "not_found" => 4,
            "device" | "not_supported" | "not_activated" | "already_activated" => 5,
            "decode" => 6,
            _ => 1,
        }
    }

    fn hint(&self) -> Option<&'static str> {
        match self.kind() {
            "credentials_rejected" => Some(
                "hikproto does not retry rejected credentials; check the password before trying again",
            ),
            "locked" => Some("wait until the lock lifts; further attempts may extend it"),
            "already_activated" => Some(
                "the device already has an admin password: log in with it, or see `hikproto recover plan`",
            ),
            "not_found" => Some(
                "check the MAC, give the device's address with --target, or search longer with --timeout",
            ),
            "tls" => Some(
                "see the device certificate and its fingerprint with `hikproto fleet pins --host HOST:PORT`, then pin it with --pin-sha256 HEX (preferred), or pass --insecure-accept-invalid-certs",
            ),
            _ => None,
        }
    }
}

/// Sets up tracing on stderr.
pub(crate) fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("HIKPROTO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
