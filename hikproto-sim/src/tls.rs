//! Self-signed certificates (rcgen) and the rustls server configuration.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};

use crate::error::{Result, SimError};

/// A certificate and the TLS configuration serving it.
#[derive(Clone)]
pub(crate) struct CertBundle {
    pub(crate) config: Arc<rustls::ServerConfig>,
    pub(crate) der: Arc<Vec<u8>>,
    pub(crate) sha256: [u8; 32],
}

impl std::fmt::Debug for CertBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertBundle")
            .field("sha256", &hex::encode(self.sha256))
            .finish_non_exhaustive()
    }
}

/// Makes a self-signed certificate for `localhost`, `127.0.0.1`, `::1` and `extra` names.
pub(crate) fn self_signed(extra: &[String]) -> Result<CertBundle> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    names.extend(extra.iter().cloned());
    let ck = rcgen::generate_simple_self_signed(names).map_err(|e| SimError::Tls(e.to_string()))?;
    let der: CertificateDer<'static> = ck.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SimError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(vec![der.clone()], key)
        .map_err(|e| SimError::Tls(e.to_string()))?;
    let sha256 = Sha256::digest(der.as_ref()).into();
    Ok(CertBundle {
        config: Arc::new(config),
        der: Arc::new(der.as_ref().to_vec()),
        sha256,
    })
}
