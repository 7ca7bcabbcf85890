//! Certificate pinning: trust exactly one device certificate by its SHA-256 fingerprint.
//!
//! Devices ship self-signed certificates, often for an IP address, often with a wrong clock.
//! [`TlsMode::PinSha256`](super::TlsMode::PinSha256) trusts the one leaf certificate whose
//! DER encoding hashes to the pinned value (compared in constant time) — that is the device's
//! identity, so the host name, the issuer and the validity period are not checked. The
//! handshake signatures are still verified with the crypto provider, so a peer that merely
//! replays the certificate without its private key is refused.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// SHA-256 fingerprint of a DER certificate.
pub fn cert_sha256(der: &[u8]) -> [u8; 32] {
    Sha256::digest(der).into()
}

/// Formats a fingerprint as colon-separated upper-case hex (the way browsers show it).
pub fn format_fingerprint(fp: &[u8; 32]) -> String {
    fp.iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Parses a fingerprint written as 64 hex digits, with or without `:` separators.
pub fn parse_fingerprint(s: &str) -> Option<[u8; 32]> {
    let hex: String = s
        .chars()
        .filter(|c| *c != ':' && !c.is_whitespace())
        .collect();
    let bytes = hex::decode(hex).ok()?;
    bytes.try_into().ok()
}

/// A [`ServerCertVerifier`] that accepts exactly one leaf certificate.
pub struct PinVerifier {
    pin: [u8; 32],
    algorithms: WebPkiSupportedAlgorithms,
    /// The fingerprint of the last certificate refused, for a clear error message.
    last_mismatch: Mutex<Option<[u8; 32]>>,
}

impl fmt::Debug for PinVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinVerifier")
            .field("pin", &format_fingerprint(&self.pin))
            .finish_non_exhaustive()
    }
}

impl PinVerifier {
    /// A verifier for `pin`, checking signatures with `provider`'s algorithms.
    pub fn new(pin: [u8; 32], provider: &CryptoProvider) -> Self {
        Self {
            pin,
            algorithms: provider.signature_verification_algorithms,
            last_mismatch: Mutex::new(None),
        }
    }

    /// The pinned fingerprint.
    pub fn pin(&self) -> [u8; 32] {
        self.pin
    }

    /// Takes the fingerprint of the last refused certificate, if any.
    pub fn take_mismatch(&self) -> Option<[u8; 32]> {
        self.last_mismatch.lock().ok().and_then(|mut m| m.take())
    }
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let seen = cert_sha256(end_entity.as_ref());
        if bool::from(seen.ct_eq(&self.pin)) {
            return Ok(ServerCertVerified::assertion());
        }
        if let Ok(mut m) = self.last_mismatch.lock() {
            *m = Some(seen);
        }
        Err(rustls::Error::InvalidCertificate(
            rustls::CertificateError::ApplicationVerificationFailure,
        ))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The verifying configuration used by every handle in [`TlsMode::Verify`](super::TlsMode::Verify)
/// without extra roots: the platform's trust store, loaded once per process.
///
/// Loading the trust store costs milliseconds; a fleet of a thousand handles would otherwise pay
/// it a thousand times. Verification is exactly the same as a fresh configuration's.
pub fn shared_verifying_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let mut cached = SHARED_CONFIG.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(c) = &*cached {
        return Ok(c.clone());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = {
        use rustls_platform_verifier::BuilderVerifierExt as _;
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_platform_verifier()?
            .with_no_client_auth()
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    *cached = Some(config.clone());
    Ok(config)
}

static SHARED_CONFIG: Mutex<Option<rustls::ClientConfig>> = Mutex::new(None);

/// Drops the cached configuration of [`shared_verifying_config`] (handles holding a copy keep
/// it; the next call loads the trust store again). For a library's shutdown, so that nothing it
/// allocated stays behind.
pub fn release_shared_verifying_config() {
    *SHARED_CONFIG.lock().unwrap_or_else(PoisonError::into_inner) = None;
}

/// A rustls client configuration that trusts only the pinned certificate (HTTP/1.1 ALPN).
pub fn pinned_config(
    pin: [u8; 32],
) -> Result<(rustls::ClientConfig, Arc<PinVerifier>), rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(PinVerifier::new(pin, &provider));
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((config, verifier))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify(v: &PinVerifier, der: &[u8]) -> Result<ServerCertVerified, rustls::Error> {
        let name = ServerName::try_from("192.0.2.1").unwrap();
        v.verify_server_cert(
            &CertificateDer::from(der.to_vec()),
            &[],
            &name,
            &[],
            UnixTime::now(),
        )
    }

    #[test]
    fn pin_accepts_only_the_pinned_leaf() {
        let provider = rustls::crypto::ring::default_provider();
        let der = b"not really a certificate, but the pin is over the bytes".to_vec();
        let v = PinVerifier::new(cert_sha256(&der), &provider);
        assert!(verify(&v, &der).is_ok());
        assert!(v.take_mismatch().is_none());
        let other = b"another certificate".to_vec();
        let err = verify(&v, &other).unwrap_err();
        assert!(matches!(err, rustls::Error::InvalidCertificate(_)));
        assert_eq!(v.take_mismatch(), Some(cert_sha256(&other)));
        assert!(v.take_mismatch().is_none());
        assert!(!v.supported_verify_schemes().is_empty());
    }

    #[test]
    fn fingerprint_text_round_trip() {
        let fp = cert_sha256(b"x");
        let s = format_fingerprint(&fp);
        assert_eq!(s.len(), 32 * 3 - 1);
        assert_eq!(parse_fingerprint(&s), Some(fp));
        assert_eq!(parse_fingerprint(&hex::encode(fp)), Some(fp));
        assert_eq!(parse_fingerprint("abcd"), None);
        assert_eq!(parse_fingerprint("zz"), None);
    }

    #[test]
    fn config_builds() {
        let (cfg, v) = pinned_config([7; 32]).unwrap();
        assert_eq!(cfg.alpn_protocols, vec![b"http/1.1".to_vec()]);
        assert_eq!(v.pin(), [7; 32]);
    }
}
