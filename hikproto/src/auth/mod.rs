//! Authentication helpers.
//!
//! * [`field_cipher`] — the `security=1` sensitive-field cipher.

pub mod field_cipher;
