//! Connection options shared by every command that talks to one device over ISAPI.

use std::time::Duration;

use hikproto::{Device, Secret, TlsMode};

use crate::output::CliError;

/// Environment variable holding the device password.
pub(crate) const PASSWORD_ENV: &str = "HIKPROTO_PASSWORD";

/// How to log in and whether to trust the device's certificate: the options every command that
/// talks to a device shares.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct AccessArgs {
    /// Use HTTPS (certificate verified unless pinned or explicitly accepted; implied by
    /// --pin-sha256).
    #[arg(long)]
    pub(crate) https: bool,
    /// User name to log in with.
    #[arg(long, default_value = "admin")]
    pub(crate) user: String,
    /// Trust exactly the certificate with this SHA-256 fingerprint (hex, colons allowed);
    /// implies --https.
    #[arg(long, value_name = "HEX")]
    pub(crate) pin_sha256: Option<String>,
    /// Accept any certificate (gives up protection against interception; prefer --pin-sha256).
    #[arg(long)]
    pub(crate) insecure_accept_invalid_certs: bool,
    /// Send passwords, codes, answers and keys in clear over plain HTTP when neither HTTPS nor
    /// the device's security=1 cipher protects them, and over SADP the reset codes and GUIDs it
    /// cannot seal (anyone on the network can read them).
    #[arg(long)]
    pub(crate) allow_plaintext_secrets: bool,
}

/// Where the device is and how to reach it.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ConnArgs {
    /// Device address: HOST or HOST:PORT.
    #[arg(long)]
    pub(crate) host: String,
    /// Log-in and certificate options.
    #[command(flatten)]
    pub(crate) access: AccessArgs,
    /// Deadline for each operation, in seconds.
    #[arg(long, default_value_t = 15)]
    pub(crate) timeout: u64,
}

impl ConnArgs {
    /// Builds a device handle, reading the password from the environment or a prompt.
    pub(crate) fn device(&self) -> Result<Device, CliError> {
        let password = read_password(&format!(
            "Password for {}@{}: ",
            self.access.user, self.host
        ))?;
        self.device_with(Some(password))
    }

    /// Builds a device handle with the given password (or none, for unauthenticated calls).
    pub(crate) fn device_with(&self, password: Option<Secret>) -> Result<Device, CliError> {
        check_address(&self.host)?;
        // a pinned certificate only means something over HTTPS: --pin-sha256 implies --https
        let https = self.access.https || self.access.pin_sha256.is_some();
        let mut b = Device::builder(&self.host)
            .https(https)
            .timeout(Duration::from_secs(self.timeout))
            .connect_timeout(Duration::from_secs(self.timeout.min(10)));
        if let Some(p) = password {
            b = b.credentials(&self.access.user, p);
        }
        if let Some(pin) = &self.access.pin_sha256 {
            b = b.tls(TlsMode::PinSha256(parse_fingerprint(pin)?));
        } else if self.access.insecure_accept_invalid_certs {
            b = b.tls(TlsMode::DangerAcceptInvalidCerts);
        }
        let dev = b.build()?;
        if self.access.allow_plaintext_secrets {
            warn_plaintext_once();
            return Ok(dev.allow_plaintext_secrets());
        }
        Ok(dev)
    }
}

/// The warning `--allow-plaintext-secrets` prints (once per run, on stderr).
pub(crate) const PLAINTEXT_WARNING: &str = "warning: --allow-plaintext-secrets: passwords, codes, answers and keys that neither HTTPS nor the device's security=1 cipher protects are sent in clear; anyone on the network can read them";

pub(crate) fn warn_plaintext_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| eprintln!("{PLAINTEXT_WARNING}"));
}

/// Checks a device address before anything is sent: `HOST`, `HOST:PORT` or `[V6]:PORT`, with
/// a port from 1 to 65535 when one is given (`10.0.0.5:` is refused, not read as port 80).
pub(crate) fn check_address(host: &str) -> Result<(), CliError> {
    let h = bare_host(host);
    let port = if let Some(rest) = h.strip_prefix('[') {
        match rest.split_once(']') {
            Some((_, "")) => None,
            Some((_, p)) => Some(p.strip_prefix(':').unwrap_or(p)),
            None => return Err(CliError::Usage(format!("{host:?}: unclosed '['"))),
        }
    } else if h.matches(':').count() == 1 {
        h.split_once(':').map(|(_, p)| p)
    } else {
        None // a bare IPv6 address, or no port
    };
    if h.is_empty() {
        return Err(CliError::Usage("the device address is empty".into()));
    }
    match port {
        None => Ok(()),
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => Ok(()),
            _ if p.is_empty() => Err(CliError::Usage(format!(
                "{host:?} ends with ':' but gives no port"
            ))),
            _ => Err(CliError::Usage(format!(
                "{host:?}: the port must be a number from 1 to 65535"
            ))),
        },
    }
}

/// A `--host` value without surrounding blanks, an `http://`/`https://` prefix or a trailing `/`.
pub(crate) fn bare_host(host: &str) -> &str {
    let h = host.trim();
    h.strip_prefix("https://")
        .or_else(|| h.strip_prefix("http://"))
        .unwrap_or(h)
        .trim_end_matches('/')
}

/// Parses a SHA-256 fingerprint written as hex, with or without colons.
pub(crate) fn parse_fingerprint(s: &str) -> Result<[u8; 32], CliError> {
    let clean: String = s
        .chars()
        .filter(|c| *c != ':' && !c.is_whitespace())
        .collect();
    let bytes = (0..clean.len())
        .step_by(2)
        .map(|i| {
            clean
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .filter(|b| b.len() == 32 && clean.len() == 64)
        .ok_or_else(|| CliError::Usage("--pin-sha256 takes 64 hex digits".into()))?;
    let mut out = [0u8; 32];
    out.copy_from_slice(&bytes);
    Ok(out)
}

/// Reads a secret from `HIKPROTO_PASSWORD`, or prompts on the terminal without echo.
pub(crate) fn read_password(prompt: &str) -> Result<Secret, CliError> {
    read_secret(PASSWORD_ENV, prompt)
}

/// Reads a secret from the named environment variable, or prompts on the terminal without echo.
pub(crate) fn read_secret(env: &str, prompt: &str) -> Result<Secret, CliError> {
    if let Ok(v) = std::env::var(env) {
        return Ok(Secret::new(v));
    }
    // no terminal to prompt on (stdin closed, a service, a pipe): say what to do, without the
    // operating system's "No such device or address"
    rpassword::prompt_password(prompt)
        .map(Secret::new)
        .map_err(|_| CliError::Usage(format!("no terminal to prompt on: set {env}")))
}

/// Environment variable holding a new password (activation, password change, new user, reset).
pub(crate) const NEW_PASSWORD_ENV: &str = "HIKPROTO_NEW_PASSWORD";
/// Environment variable holding a code: Hik-Connect verification code, or a reset code.
pub(crate) const CODE_ENV: &str = "HIKPROTO_CODE";
/// Environment variable holding the ISUP (Ehome) key.
pub(crate) const ISUP_KEY_ENV: &str = "HIKPROTO_ISUP_KEY";
/// Environment variable holding security-question answers (`1=answer;2=answer;3=answer`).
pub(crate) const ANSWERS_ENV: &str = "HIKPROTO_ANSWERS";

/// The password from `HIKPROTO_PASSWORD` when it is set; never prompts.
pub(crate) fn password_from_env() -> Option<Secret> {
    std::env::var(PASSWORD_ENV).ok().map(Secret::new)
}

/// Reads a new secret from `env`, or prompts twice on the terminal (without echo) and
/// insists that both entries match.
pub(crate) fn read_new_secret(env: &str, prompt: &str) -> Result<Secret, CliError> {
    if let Ok(v) = std::env::var(env) {
        return Ok(Secret::new(v));
    }
    let first = read_secret(env, prompt)?;
    let again = read_secret(env, "Again: ")?;
    if first != again {
        return Err(CliError::Usage("the two entries differ".into()));
    }
    Ok(first)
}

/// Reads the new password from `HIKPROTO_NEW_PASSWORD`, or prompts twice.
pub(crate) fn read_new_password(prompt: &str) -> Result<Secret, CliError> {
    read_new_secret(NEW_PASSWORD_ENV, prompt)
}

/// Connection options where the device address is optional (commands that can also work
/// over SADP alone).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct OptConnArgs {
    /// Device address for ISAPI: HOST or HOST:PORT.
    #[arg(long)]
    pub(crate) host: Option<String>,
    /// Log-in and certificate options.
    #[command(flatten)]
    pub(crate) access: AccessArgs,
    /// Deadline for each ISAPI operation, in seconds.
    #[arg(long, default_value_t = 15)]
    pub(crate) http_timeout: u64,
}

impl OptConnArgs {
    /// The ISAPI connection options, when `--host` was given.
    pub(crate) fn conn(&self) -> Option<ConnArgs> {
        self.host.as_ref().map(|host| ConnArgs {
            host: host.clone(),
            access: self.access.clone(),
            timeout: self.http_timeout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::check_address;

    #[test]
    fn addresses_are_checked_before_sending() {
        for ok in [
            "10.0.0.5",
            "10.0.0.5:8080",
            "[::1]:80",
            "::1",
            "http://cam.local:81/",
            "[::1]",
        ] {
            assert!(check_address(ok).is_ok(), "{ok}");
        }
        for bad in [
            "127.0.0.1:",
            "10.0.0.5:0",
            "10.0.0.5:70000",
            "cam:http",
            "",
            "[::1",
            "[::1]:",
        ] {
            assert!(check_address(bad).is_err(), "{bad}");
        }
    }
}
