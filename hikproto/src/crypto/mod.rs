//! Cryptography of the device protocols.
//!
//! * [`activation`] — the RSA challenge and AES password encryption of ISAPI activation
//!   (legacy and V3).

pub mod activation;
