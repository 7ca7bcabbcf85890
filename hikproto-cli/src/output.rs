//! Human and JSON output, and the error report.
//!
//! Everything the command line prints goes through [`write_out`] / [`write_err`] (and the
//! [`outln!`](crate::outln) / [`errln!`](crate::errln) macros): a closed stdout ends the command
//! quietly with [`PIPE_CLOSED`], a closed stderr is ignored; nothing panics on output.

use std::io::Write as _;
use std::process::ExitCode;

use serde::Serialize;

/// Exit status when a check answered "no" (`hik-connect check-code`: the codes differ).
pub(crate) const EXIT_NO: u8 = 1;

/// Exit status when stdout was closed before the command finished printing (128 + SIGPIPE,
/// as shells report a process ended by a closed pipe).
pub(crate) const PIPE_CLOSED: i32 = 141;

/// Writes `text` to stdout; when stdout is closed (a pipe whose reader went away), exits at
/// once, quietly, with [`PIPE_CLOSED`].
pub(crate) fn write_out(text: std::fmt::Arguments<'_>) {
    let mut o = std::io::stdout().lock();
    if o.write_fmt(text).and_then(|()| o.flush()).is_err() {
        std::process::exit(PIPE_CLOSED);
    }
}

/// Writes `text` to stderr; a closed stderr is ignored (there is nowhere left to report it).
pub(crate) fn write_err(text: std::fmt::Arguments<'_>) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_fmt(text).and_then(|()| e.flush());
}

/// `println!` that never panics: see [`write_out`].
#[macro_export]
macro_rules! outln {
    () => { $crate::output::write_out(format_args!("\n")) };
    ($($t:tt)*) => { $crate::output::write_out(format_args!("{}\n", format_args!($($t)*))) };
}

/// `print!` that never panics: see [`write_out`].
#[macro_export]
macro_rules! out {
    ($($t:tt)*) => { $crate::output::write_out(format_args!($($t)*)) };
}

/// `eprintln!` that never panics: see [`write_err`].
#[macro_export]
macro_rules! errln {
    ($($t:tt)*) => { $crate::output::write_err(format_args!("{}\n", format_args!($($t)*))) };
}

/// `1 device`, `2 devices`: a count with its noun in the right number (nouns taking `s`).
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

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
                Ok(s) => crate::outln!("{s}"),
                Err(e) => crate::errln!("error: cannot render JSON: {e}"),
            }
        } else {
            crate::outln!("{}", human());
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
            crate::outln!("{v}");
        }
        crate::errln!("error: {e}");
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            crate::errln!("  caused by: {s}");
            src = s.source();
        }
        if let Some(hint) = e.hint() {
            crate::errln!("hint: {hint}");
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
    /// The device answered, but the operation did not take effect: what happened, and what to do.
    Failed {
        /// What happened.
        message: String,
        /// What to do about it (a command line).
        remedy: String,
    },
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Lib(e) => write!(f, "{e}"),
            Self::Usage(s) | Self::NotFound(s) => f.write_str(s),
            Self::Reset(r, e) => write!(f, "reset refused: {r} ({e})"),
            Self::Failed { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Lib(e) | Self::Reset(_, e) => std::error::Error::source(e),
            Self::Usage(_) | Self::NotFound(_) | Self::Failed { .. } => None,
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
        use hikproto::reset::ResetRefusal as R;
        match self {
            Self::Usage(_) => "usage",
            Self::NotFound(_) => "not_found",
            Self::Failed { .. } => "failed",
            Self::Reset(
                R::WrongAnswer { .. } | R::WrongCode { .. } | R::GuidMismatch { .. },
                _,
            ) => "reset_rejected",
            Self::Reset(R::Locked { .. }, _) => "locked",
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

    /// The exit status: the table in the README ("Exit codes"), one row per kind.
    pub(crate) fn exit_code(&self) -> u8 {
        match self.kind() {
            "usage" | "invalid_input" => 2,
            "credentials_rejected" | "locked" | "credential_latched" | "reset_rejected" => 3,
            "transport" | "timeout" | "tls" | "not_found" => 4,
            "device" | "not_supported" | "not_activated" | "already_activated" | "failed" => 5,
            "decode" => 6,
            _ => 7,
        }
    }

    fn hint(&self) -> Option<String> {
        if let Self::Failed { remedy, .. } = self {
            return Some(remedy.clone());
        }
        if let Self::Lib(hikproto::Error::InvalidInput(m)) = self {
            if m.contains("allow_plaintext_secrets") && m.contains("over SADP") {
                return Some(
                    "use the ISAPI route (--host HOST --https instead of --mac), or on a trusted LAN pass --allow-plaintext-secrets".into(),
                );
            }
            if m.contains("allow_plaintext_secrets") {
                return Some(
                    "use --https (with --pin-sha256 for the device's own certificate), or on a trusted network pass --allow-plaintext-secrets".into(),
                );
            }
        }
        if let Self::Lib(hikproto::Error::Device { status, .. }) = self {
            match status.sub_status_code.as_str() {
                "platformAccessDisabled" => {
                    return Some(
                        "enable platform access: `hikproto hik-connect enable --host HOST`".into(),
                    );
                }
                "secretKeyInvalid" => {
                    return Some(
                        "set a new verification code (`hikproto hik-connect generate-code --host HOST`), then enter it in the app; or run `hikproto doctor --host HOST`".into(),
                    );
                }
                _ => {}
            }
        }
        self.static_hint().map(str::to_owned)
    }

    fn static_hint(&self) -> Option<&'static str> {
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
            "reset_rejected" => Some(
                "check the answers, code or file before trying again: each refusal spends one of the device's tries",
            ),
            _ => None,
        }
    }
}
