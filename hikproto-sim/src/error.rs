//! The simulator's error type.

use std::path::PathBuf;

/// A `Result` with [`SimError`].
pub type Result<T, E = SimError> = std::result::Result<T, E>;

/// What can go wrong starting, configuring or persisting a simulated site.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A socket or file operation failed.
    #[error("I/O error while {context}")]
    Io {
        /// What the simulator was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration is invalid (bad TOML/JSON, duplicate serials, bad values).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The self-signed certificate or the TLS configuration could not be built.
    #[error("TLS set-up failed: {0}")]
    Tls(String),
    /// The state file could not be read or written.
    #[error("state file {path}: {reason}")]
    State {
        /// The state file.
        path: PathBuf,
        /// Plain-words reason.
        reason: String,
    },
}

impl SimError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}
