//! A device's TLS certificate, read without trusting it: SHA-256 fingerprint (what a pin
//! holds), subject, issuer and validity, so that a user can check it and pin it (trust on
//! first use).
//!
//! The handshake is stopped as soon as the certificate arrives: nothing is sent to the device
//! and no credential is involved.
//!
//! ```no_run
//! # async fn run() -> hikproto::Result<()> {
//! let c = hikproto::fleet::certs::fetch("192.0.2.10:443", std::time::Duration::from_secs(5)).await?;
//! println!("{} {} until {}", c.fingerprint(), c.subject, c.not_after);
//! # Ok(()) }
//! ```

use std::io::{Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use serde::Serialize;

use crate::client::tls::{cert_sha256, format_fingerprint};
use crate::error::{Error, Result};

/// What a device's certificate says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertInfo {
    /// SHA-256 of the DER certificate.
    #[serde(serialize_with = "ser_fp")]
    pub sha256: [u8; 32],
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Start of validity (RFC 2822 text).
    pub not_before: String,
    /// End of validity (RFC 2822 text).
    pub not_after: String,
    /// True when the current time is inside the validity period.
    pub valid_now: bool,
    /// True when subject and issuer are the same (self-signed, as devices ship).
    pub self_signed: bool,
}

fn ser_fp<S: serde::Serializer>(fp: &[u8; 32], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&format_fingerprint(fp))
}

impl CertInfo {
    /// The fingerprint as colon-separated hex (what `--pin-sha256` and a devices file take).
    pub fn fingerprint(&self) -> String {
        format_fingerprint(&self.sha256)
    }

    /// Reads a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let (_, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|e| Error::decode("certificate", e.to_string()))?;
        let v = cert.validity();
        let text = |t: &x509_parser::time::ASN1Time| {
            t.to_rfc2822().unwrap_or_else(|_| t.timestamp().to_string())
        };
        Ok(Self {
            sha256: cert_sha256(der),
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            not_before: text(&v.not_before),
            not_after: text(&v.not_after),
            valid_now: v.is_valid(),
            self_signed: cert.subject() == cert.issuer(),
        })
    }
}

/// Keeps the leaf certificate and refuses it, which ends the handshake.
#[derive(Debug)]
struct Capture {
    seen: Mutex<Option<Vec<u8>>>,
    schemes: Vec<rustls::SignatureScheme>,
}

impl ServerCertVerifier for Capture {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut s) = self.seen.lock() {
            *s = Some(end_entity.as_ref().to_vec());
        }
        Err(rustls::Error::InvalidCertificate(
            rustls::CertificateError::ApplicationVerificationFailure,
        ))
    }

    fn verify_tls12_signature(
        &self,
        _m: &[u8],
        _c: &CertificateDer<'_>,
        _d: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("certificate capture only".into()))
    }

    fn verify_tls13_signature(
        &self,
        _m: &[u8],
        _c: &CertificateDer<'_>,
        _d: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("certificate capture only".into()))
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.schemes.clone()
    }
}

/// Connects to `address` (`host:port`) and reads its certificate, within `timeout`.
pub async fn fetch(address: &str, timeout: Duration) -> Result<CertInfo> {
    let address = address.to_owned();
    let work = tokio::task::spawn_blocking(move || fetch_blocking(&address, timeout));
    match tokio::time::timeout(timeout + Duration::from_secs(1), work).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => Err(Error::invalid(format!("certificate read failed: {e}"))),
        Err(_) => Err(Error::Timeout {
            operation: "reading the certificate".into(),
            after: timeout,
        }),
    }
}

fn fetch_blocking(address: &str, timeout: Duration) -> Result<CertInfo> {
    let transport = |e: std::io::Error| Error::Transport {
        host: address.to_owned(),
        source: Box::new(e),
    };
    let addr = address
        .to_socket_addrs()
        .map_err(transport)?
        .next()
        .ok_or_else(|| Error::invalid(format!("{address} resolves to no address")))?;
    let host = address
        .rsplit_once(':')
        .map_or(address, |(h, _)| h)
        .trim_matches(['[', ']']);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let capture = Arc::new(Capture {
        seen: Mutex::new(None),
        schemes: provider
            .signature_verification_algorithms
            .supported_schemes(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::invalid(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(capture.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned())
        .unwrap_or_else(|_| ServerName::try_from("device.invalid").expect("a valid name"));
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name)
        .map_err(|e| Error::invalid(e.to_string()))?;
    let mut sock = TcpStream::connect_timeout(&addr, timeout).map_err(transport)?;
    sock.set_read_timeout(Some(timeout)).map_err(transport)?;
    sock.set_write_timeout(Some(timeout)).map_err(transport)?;
    // Drive the handshake until the verifier has seen the certificate (it then refuses it).
    let mut buf = [0u8; 0];
    while conn.is_handshaking() {
        if conn.complete_io(&mut sock).is_err() {
            break;
        }
    }
    let _ = sock.flush();
    let _ = conn.reader().read(&mut buf);
    let der = capture
        .seen
        .lock()
        .ok()
        .and_then(|mut s| s.take())
        .ok_or_else(|| Error::Tls {
            reason: format!("{address} sent no certificate (is it an HTTPS port?)"),
        })?;
    CertInfo::from_der(&der)
}
