//! Client-side cryptography of the device protocols: the SADP exchange code and field protection
//! ([`sadp`]). Primitives come from RustCrypto (`rsa`, `aes`, `ecb`, `md-5`, `sha2`); keys and
//! clear texts are zeroized after use and never printed.

pub mod sadp;
