//! Client-side cryptography of the device protocols. Primitives come from RustCrypto (`rsa`, `aes`,
//! `ecb`, `cbc`, `md-5`, `sha2`); keys and clear texts are zeroized after use and never printed.
//!
//! * [`activation`] — the RSA challenge and AES password encryption of ISAPI activation
//!   (legacy and V3).
//! * [`sadp`] — the SADP exchange code and field protection.

pub mod activation;
pub mod sadp;
