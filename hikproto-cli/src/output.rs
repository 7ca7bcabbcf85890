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

    /// Reports an error on stderr (and as JSON on stdout with `--json`) and picks the exit code.
    pub(crate) fn error(&self, e: &CliError) -> ExitCode {
        if self.json {
            let v = serde_json::json!({ "error": { "kind": e.kind(), "message": e.to_string() } });
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
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Lib(e) => write!(f, "{e}"),
            Self::Usage(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Lib(e) => std::error::Error::source(e),
            Self::Usage(_) => None,
        }
    }
}

impl From<hikproto::Error> for CliError {
    fn from(e: hikproto::Error) -> Self {
        Self::Lib(e)
    }
}

impl CliError {
    fn kind(&self) -> &'static str {
        use hikproto::Error as E;
        match self {
            Self::Usage(_) => "usage",
            Self::Lib(e) => match e {
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
            "transport" | "timeout" | "tls" => 4,
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
            "tls" => Some(
                "pin the device certificate with --pin-sha256 HEX (preferred) or pass --insecure-accept-invalid-certs",
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
