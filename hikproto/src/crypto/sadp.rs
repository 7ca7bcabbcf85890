//! SADP protocol-3.0 protection of secret fields, client side (reference §1.7).
//!
//! 1. The client makes an RSA-1024 key pair and sends `exchangecode` with `Code` = base64 of its
//!    PKCS#1 `RSAPublicKey` DER ([`ExchangeKeyPair::public_key_base64`]).
//! 2. The device answers `Code` = base64(RSA-PKCS#1-v1.5(random string)); the client decrypts it
//!    and keeps the first 16 bytes as the AES-128 key ([`ExchangeKeyPair::open_exchange_code`]).
//! 3. A secret field (password, security answer, e-mail, verification code, encrypted reset code)
//!    is sent as base64(AES-128-ECB(key, key ‖ value, zero padding)) ([`SessionKey::seal`]).
//!    The "key ‖ value" layout is the one the working public activation code uses; that the other
//!    fields use the same layout is an inference (the SDK names `EncryptPWByRandomStr` and
//!    `EncryptAnswerByRandomStr` only).
//!
//! The salted `update` form (`<Password bSalt="true">`) needs no exchange:
//! [`salted_password`] (single public source; verify on hardware).
//!
//! Protocol 3.1 (`_v31`: RSA-2048, AES-CBC with `<Iv>`) is not implemented: its key derivation is
//! not public.

use std::fmt;

use aes::Aes128;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ecb::cipher::block_padding::{NoPadding, ZeroPadding};
use ecb::cipher::{BlockDecryptMut, BlockEncryptMut, KeyInit};
use md5::{Digest as _, Md5};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::keys::Secret;

type EcbEnc = ecb::Encryptor<Aes128>;
type EcbDec = ecb::Decryptor<Aes128>;

/// Size of the exchange key pair (protocol 3.0).
pub const RSA_BITS: usize = 1024;

/// Longest exchange-code ciphertext accepted (base64 of a 4096-bit block, with margin).
const MAX_CODE_B64: usize = 1024;

/// Longest sealed field accepted by [`SessionKey::open`].
const MAX_SEALED_B64: usize = 4096;

/// The client's RSA key pair for `exchangecode`. Generate one per client and reuse it: each
/// exchange still yields a fresh device-chosen session key.
#[derive(Clone)]
pub struct ExchangeKeyPair {
    private: RsaPrivateKey,
}

impl ExchangeKeyPair {
    /// Generates an RSA-1024 key pair (e = 65537) from the OS random source.
    pub fn generate() -> Result<Self> {
        let private = RsaPrivateKey::new(&mut rand::rngs::OsRng, RSA_BITS)
            .map_err(|e| Error::invalid(format!("RSA key generation failed: {e}")))?;
        Ok(Self { private })
    }

    /// Wraps an existing private key (tests, or a key kept by the caller).
    pub fn from_private_key(private: RsaPrivateKey) -> Self {
        Self { private }
    }

    /// The public half.
    pub fn public_key(&self) -> RsaPublicKey {
        self.private.to_public_key()
    }

    /// The `Code` of the `exchangecode` request: base64 of the PKCS#1 `RSAPublicKey` DER
    /// (the familiar `MIGJAoGBA…` for 1024 bits).
    pub fn public_key_base64(&self) -> Result<String> {
        let der = self
            .public_key()
            .to_pkcs1_der()
            .map_err(|e| Error::invalid(format!("cannot encode the RSA public key: {e}")))?;
        Ok(B64.encode(der.as_bytes()))
    }

    /// Decrypts the device's `exchangecode` reply `Code` into the session key.
    pub fn open_exchange_code(&self, code_b64: &str) -> Result<SessionKey> {
        const WHAT: &str = "SADP exchange code";
        let code_b64 = code_b64.trim();
        if code_b64.len() > MAX_CODE_B64 {
            return Err(Error::decode(WHAT, "the code is too long"));
        }
        let ct = B64
            .decode(code_b64)
            .map_err(|_| Error::decode(WHAT, "the code is not base64"))?;
        let random = Zeroizing::new(
            self.private
                .decrypt(Pkcs1v15Encrypt, &ct)
                .map_err(|_| Error::decode(WHAT, "RSA decryption failed"))?,
        );
        SessionKey::from_random(&random)
    }
}

impl fmt::Debug for ExchangeKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExchangeKeyPair([redacted])")
    }
}

/// The AES-128 key agreed by one `exchangecode`: the first 16 bytes of the device's random string.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKey {
    key: [u8; 16],
}

impl Drop for SessionKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl SessionKey {
    /// The key from the decrypted random string (at least 16 bytes).
    pub fn from_random(random: &[u8]) -> Result<Self> {
        let head = random.get(..16).ok_or_else(|| {
            Error::decode(
                "SADP exchange code",
                "the device's random string is shorter than 16 bytes",
            )
        })?;
        let mut key = [0u8; 16];
        key.copy_from_slice(head);
        Ok(Self { key })
    }

    /// Seals a secret field: base64(AES-128-ECB(key, key ‖ value, zero padding)).
    ///
    /// A value containing a NUL byte is refused (zero padding could not be undone).
    pub fn seal(&self, value: &str) -> Result<String> {
        if value.as_bytes().contains(&0) {
            return Err(Error::invalid(
                "a secret field cannot contain a NUL character",
            ));
        }
        let mut pt = Zeroizing::new(Vec::with_capacity(32 + value.len()));
        pt.extend_from_slice(&self.key);
        pt.extend_from_slice(value.as_bytes());
        let ct = EcbEnc::new(&self.key.into()).encrypt_padded_vec_mut::<ZeroPadding>(&pt);
        Ok(B64.encode(ct))
    }

    /// Opens a sealed field (the inverse of [`Self::seal`]): checks the key prefix, strips the
    /// zero padding. Used by tests and tools that inspect captured traffic.
    pub fn open(&self, sealed: &str) -> Result<Secret> {
        const WHAT: &str = "SADP sealed field";
        let sealed = sealed.trim();
        if sealed.len() > MAX_SEALED_B64 {
            return Err(Error::decode(WHAT, "too long"));
        }
        let ct = B64
            .decode(sealed)
            .map_err(|_| Error::decode(WHAT, "not base64"))?;
        if ct.is_empty() || ct.len() % 16 != 0 {
            return Err(Error::decode(WHAT, "not a whole number of AES blocks"));
        }
        let pt = Zeroizing::new(
            EcbDec::new(&self.key.into())
                .decrypt_padded_vec_mut::<NoPadding>(&ct)
                .map_err(|_| Error::decode(WHAT, "AES decryption failed"))?,
        );
        if pt.len() < 16 || pt[..16] != self.key {
            return Err(Error::decode(WHAT, "the key prefix does not match"));
        }
        let body = &pt[16..];
        let end = body.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        let s = std::str::from_utf8(&body[..end]).map_err(|_| Error::decode(WHAT, "not UTF-8"))?;
        Ok(Secret::new(s))
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey([redacted])")
    }
}

/// The salted `update` password (`<Password bSalt="true">`, reference §1.7, single source):
/// key = MD5(lower-case hex of SHA-256(user ‖ Salt ‖ password)); value = base64(AES-128-ECB(key,
/// key zero-extended to 64 bytes)). `salt` is the device's `Salt` from its `ProbeMatch`.
pub fn salted_password(user: &str, salt: &str, password: &str) -> String {
    let mut h = Sha256::new();
    h.update(user.as_bytes());
    h.update(salt.as_bytes());
    h.update(password.as_bytes());
    let sha_hex = Zeroizing::new(hex::encode(h.finalize()));
    let mut key = [0u8; 16];
    key.copy_from_slice(&Md5::digest(sha_hex.as_bytes()));
    let mut pt = Zeroizing::new([0u8; 64]);
    pt[..16].copy_from_slice(&key);
    let ct = EcbEnc::new(&key.into()).encrypt_padded_vec_mut::<NoPadding>(&pt[..]);
    key.zeroize();
    B64.encode(ct)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SessionKey {
        SessionKey::from_random(b"0123456789ABCDEFGHIJKLMNOPQRSTUV").unwrap()
    }

    // Expected values computed independently with `openssl enc -aes-128-ecb -nopad` and Python's
    // hashlib (see the commit that added them); they pin the byte layout, not just a round trip.
    #[test]
    fn seal_known_answers() {
        assert_eq!(
            key().seal("Passw0rd!x").unwrap(),
            "jYNdDP/YutWF/otClMQhiDRUgq/WZ1RuHaSpKz0Grrc="
        );
        // exactly 16 bytes of value: no extra padding block
        assert_eq!(
            key().seal("Abcdefgh12345678").unwrap(),
            "jYNdDP/YutWF/otClMQhiLyFukLy7Y+k0imauuRVxvI="
        );
    }

    #[test]
    fn salted_known_answer() {
        let salt = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
        assert_eq!(
            salted_password("admin", salt, "Passw0rd!x"),
            "ZeJIfnJltHEiNyyWbDwGKhA/8dJrT6zye1w8OTl+njIQP/HSa0+s8ntcPDk5fp4yED/x0mtPrPJ7XDw5OX6eMg=="
        );
        assert_ne!(
            salted_password("admin", salt, "Passw0rd!y"),
            salted_password("admin", salt, "Passw0rd!x")
        );
    }

    #[test]
    fn seal_open_round_trip_and_tamper() {
        let k = key();
        for v in [
            "",
            "a",
            "Passw0rd!x",
            "exactly16bytes!!",
            "ünïcödé-pässwörd",
            &"x".repeat(200),
        ] {
            let s = k.seal(v).unwrap();
            assert_eq!(k.open(&s).unwrap().expose(), v);
        }
        assert!(k.seal("a\0b").is_err());
        let other = SessionKey::from_random(b"FEDCBA9876543210").unwrap();
        let s = k.seal("Passw0rd!x").unwrap();
        assert!(other.open(&s).is_err());
        for bad in ["", "!!!", "AAAA", &"A".repeat(5000)] {
            assert!(k.open(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn exchange_round_trip_with_a_device_side_encryption() {
        let kp = ExchangeKeyPair::generate().unwrap();
        let b64 = kp.public_key_base64().unwrap();
        assert!(b64.starts_with("MIGJAoGBA"), "{b64}");
        // play the device: RSA-PKCS#1-v1.5 encrypt a random string with the client's public key
        let der = B64.decode(&b64).unwrap();
        let public =
            <RsaPublicKey as rsa::pkcs1::DecodeRsaPublicKey>::from_pkcs1_der(&der).unwrap();
        let random = b"k3Y9fQ2mZ8xW1vB7nT4rL6pH0jD5sG2a";
        let ct = public
            .encrypt(&mut rand::rngs::OsRng, Pkcs1v15Encrypt, random)
            .unwrap();
        let session = kp.open_exchange_code(&B64.encode(ct)).unwrap();
        assert_eq!(session, SessionKey::from_random(random).unwrap());
        // short random strings and garbage are refused
        let short = public
            .encrypt(&mut rand::rngs::OsRng, Pkcs1v15Encrypt, b"short")
            .unwrap();
        assert!(kp.open_exchange_code(&B64.encode(short)).is_err());
        assert!(kp.open_exchange_code("not base64!").is_err());
        assert!(kp.open_exchange_code(&B64.encode([1u8; 128])).is_err());
        assert!(kp.open_exchange_code(&"A".repeat(2000)).is_err());
    }

    #[test]
    fn keys_never_print() {
        let k = key();
        assert_eq!(format!("{k:?}"), "SessionKey([redacted])");
        assert!(!format!("{k:?}").contains("0123"));
    }
}
