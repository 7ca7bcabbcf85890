//! Activation cryptography (isapi.md §4.2 and §4.4).
//!
//! Both flows start the same way: the client makes an RSA key pair and sends its modulus as
//! `base64(hex(n))` (lower-case hex, big-endian, no leading zero byte; the device assumes
//! e = 65537). The device answers with a random hex string R, RSA-encrypted with PKCS#1 v1.5 and
//! sent as `base64(hex(ciphertext))`. The client decrypts R and encrypts the new password:
//!
//! * **legacy** (1024-bit key): AES-128-**ECB**, key = hexdecode(R) (16 bytes), plaintext = the
//!   first 16 characters of R followed by the password, **zero-padded** to whole blocks; sent as
//!   `base64(hex(ciphertext))`. (ACTV3 uses PKCS#7 here and an older guide says CBC; hikproto
//!   follows the newer guide and QB60 — see the open question in isapi.md §11.2.)
//! * **V3** (3072-bit key, `supportVersion` ≥ 3): AES-**CBC** with a random IV and PKCS#7, key =
//!   hexdecode(R) — R may have 32, 48 or 64 hex characters (AES-128/192/256); same plaintext;
//!   sent as `base64(hex(ciphertext))` plus `hex(iv)`. Single source (ACTV3); tolerant by design.
//!
//! RSA key generation is slow in unoptimised builds: generate one key per activation.

use aes::cipher::block_padding::{NoPadding, Pkcs7};
use aes::cipher::{BlockEncryptMut, KeyInit, KeyIvInit};
use aes::{Aes128, Aes192, Aes256};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use rand::rngs::OsRng;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::keys::Secret;

/// Which activation exchange a device speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ActivationFlow {
    /// `POST /ISAPI/Security/challenge` + `PUT /ISAPI/System/activate` (RSA-1024, AES-ECB).
    Legacy,
    /// `GetChallengeV3` + `StartActivateV3` (RSA-3072, AES-CBC, JSON).
    V3,
}

impl ActivationFlow {
    /// The flow for a `supportVersion` value (V3 from 3 on).
    pub fn for_support_version(v: Option<u32>) -> Self {
        match v {
            Some(n) if n >= 3 => Self::V3,
            _ => Self::Legacy,
        }
    }

    /// The RSA modulus size this flow uses.
    pub fn rsa_bits(self) -> usize {
        match self {
            Self::Legacy => 1024,
            Self::V3 => 3072,
        }
    }
}

/// The client's RSA key pair for one activation.
pub struct ActivationKey {
    private: RsaPrivateKey,
}

impl std::fmt::Debug for ActivationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActivationKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

impl ActivationKey {
    /// Generates a key pair of `bits` bits (e = 65537) from the operating system's CSPRNG.
    pub fn generate(bits: usize) -> Result<Self> {
        let private = RsaPrivateKey::new(&mut OsRng, bits)
            .map_err(|e| Error::invalid(format!("RSA key generation failed: {e}")))?;
        Ok(Self { private })
    }

    /// Generates the key pair a flow needs (1024 or 3072 bits).
    pub fn for_flow(flow: ActivationFlow) -> Result<Self> {
        Self::generate(flow.rsa_bits())
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.private.size() * 8
    }

    /// The public key as devices expect it: `base64(lower-hex(n))`.
    pub fn public_key_field(&self) -> String {
        STANDARD.encode(hex::encode(self.private.n().to_bytes_be()))
    }

    /// Decrypts the device's challenge (`base64(hex(RSA(R)))`) into R.
    ///
    /// Tolerates a device that Base64-encodes the raw ciphertext instead of its hex (inferred).
    pub fn decrypt_challenge(&self, field: &str) -> Result<ActivationSecret> {
        const WHAT: &str = "activation challenge";
        let outer = STANDARD
            .decode(field.trim())
            .map_err(|_| Error::decode(WHAT, "not Base64"))?;
        let ct = match std::str::from_utf8(&outer)
            .ok()
            .filter(|s| s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            Some(hex_text) => {
                hex::decode(hex_text).map_err(|_| Error::decode(WHAT, "not hexadecimal"))?
            }
            None => outer,
        };
        let plain = Zeroizing::new(
            self.private
                .decrypt(Pkcs1v15Encrypt, &ct)
                .map_err(|_| Error::decode(WHAT, "RSA decryption failed"))?,
        );
        let text = std::str::from_utf8(&plain)
            .map_err(|_| Error::decode(WHAT, "the random string is not text"))?;
        ActivationSecret::new(text.trim())
    }
}

/// The random string R the device sent (hex text), zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct ActivationSecret(Zeroizing<String>);

impl std::fmt::Debug for ActivationSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActivationSecret([redacted])")
    }
}

impl ActivationSecret {
    /// Wraps R: 32, 48 or 64 hex characters.
    pub fn new(hex_text: &str) -> Result<Self> {
        if !matches!(hex_text.len(), 32 | 48 | 64)
            || !hex_text.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(Error::decode(
                "activation challenge",
                "the random string is not 32, 48 or 64 hex characters",
            ));
        }
        Ok(Self(Zeroizing::new(hex_text.to_owned())))
    }

    fn key(&self) -> Zeroizing<Vec<u8>> {
        // validated as hex in `new`
        Zeroizing::new(hex::decode(self.0.as_bytes()).unwrap_or_default())
    }

    fn plaintext(&self, password: &Secret) -> Zeroizing<Vec<u8>> {
        let mut p = Zeroizing::new(Vec::with_capacity(16 + password.len() + 16));
        p.extend_from_slice(&self.0.as_bytes()[..16]);
        p.extend_from_slice(password.expose().as_bytes());
        p
    }

    /// Legacy flow: `base64(hex(AES-128-ECB(R[0..16] + password, zero padding)))`.
    pub fn encrypt_password_legacy(&self, password: &Secret) -> Result<String> {
        let key = self.key();
        if key.len() != 16 {
            return Err(Error::decode(
                "activation challenge",
                "the legacy flow needs a 32-hex-character random string",
            ));
        }
        let mut buf = self.plaintext(password);
        let padded = buf.len().div_ceil(16) * 16;
        buf.resize(padded, 0);
        let n = buf.len();
        let enc = ecb::Encryptor::<Aes128>::new(key.as_slice().into());
        let ct = enc
            .encrypt_padded_mut::<NoPadding>(&mut buf, n)
            .map_err(|_| Error::invalid("AES encryption failed"))?;
        Ok(STANDARD.encode(hex::encode(ct)))
    }

    /// V3 flow: `(base64(hex(AES-CBC(R[0..16] + password, PKCS#7))), hex(iv))` with a random IV.
    pub fn encrypt_password_v3(&self, password: &Secret) -> Result<(String, String)> {
        let mut iv = [0u8; 16];
        OsRng.fill_bytes(&mut iv);
        self.encrypt_password_v3_with_iv(password, iv)
    }

    /// [`ActivationSecret::encrypt_password_v3`] with a given IV (for tests and simulators).
    pub fn encrypt_password_v3_with_iv(
        &self,
        password: &Secret,
        iv: [u8; 16],
    ) -> Result<(String, String)> {
        let key = self.key();
        let pt = self.plaintext(password);
        let ct = match key.len() {
            16 => cbc::Encryptor::<Aes128>::new(key.as_slice().into(), (&iv).into())
                .encrypt_padded_vec_mut::<Pkcs7>(&pt),
            24 => cbc::Encryptor::<Aes192>::new(key.as_slice().into(), (&iv).into())
                .encrypt_padded_vec_mut::<Pkcs7>(&pt),
            32 => cbc::Encryptor::<Aes256>::new(key.as_slice().into(), (&iv).into())
                .encrypt_padded_vec_mut::<Pkcs7>(&pt),
            _ => return Err(Error::decode("activation challenge", "bad key length")),
        };
        Ok((STANDARD.encode(hex::encode(ct)), hex::encode(iv)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockDecryptMut;
    use rsa::{BigUint, RsaPublicKey};

    /// Plays the device: reads the client's public-key field, encrypts R with it.
    fn device_challenge(public_field: &str, r: &str) -> String {
        let hex_n = STANDARD.decode(public_field).unwrap();
        let n = BigUint::from_bytes_be(&hex::decode(hex_n).unwrap());
        let pk = RsaPublicKey::new(n, BigUint::from(65_537u32)).unwrap();
        let ct = pk
            .encrypt(&mut OsRng, Pkcs1v15Encrypt, r.as_bytes())
            .unwrap();
        STANDARD.encode(hex::encode(ct))
    }

    #[test]
    fn legacy_exchange_matches_the_documented_construction() {
        let key = ActivationKey::for_flow(ActivationFlow::Legacy).unwrap();
        assert_eq!(key.bits(), 1024);
        let field = key.public_key_field();
        let hex_n = String::from_utf8(STANDARD.decode(&field).unwrap()).unwrap();
        assert_eq!(hex_n.len(), 256);
        assert!(
            hex_n
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );

        let r = "aaaabbbbccccdddd0123456789abcdef";
        let secret = key.decrypt_challenge(&device_challenge(&field, r)).unwrap();
        let sent = secret
            .encrypt_password_legacy(&Secret::new("Abc12345"))
            .unwrap();
        // independent: AES-128-ECB over two zero-padded blocks, key = hexdecode(R)
        let mut block = *b"aaaabbbbccccddddAbc12345\0\0\0\0\0\0\0\0";
        let k = hex::decode(r).unwrap();
        let ct = ecb::Encryptor::<Aes128>::new(k.as_slice().into())
            .encrypt_padded_mut::<NoPadding>(&mut block, 32)
            .unwrap()
            .to_vec();
        assert_eq!(sent, STANDARD.encode(hex::encode(&ct)));
        // and the device side recovers the password by dropping the first 16 characters
        let mut back = hex::decode(STANDARD.decode(&sent).unwrap()).unwrap();
        let plain = ecb::Decryptor::<Aes128>::new(k.as_slice().into())
            .decrypt_padded_mut::<NoPadding>(&mut back)
            .unwrap();
        let pw: Vec<u8> = plain[16..]
            .iter()
            .copied()
            .take_while(|&b| b != 0)
            .collect();
        assert_eq!(pw, b"Abc12345");
    }

    #[test]
    fn v3_exchange_with_every_key_size() {
        let key = ActivationKey::for_flow(ActivationFlow::V3).unwrap();
        assert_eq!(key.bits(), 3072);
        for r in [
            "00112233445566778899aabbccddeeff",
            "00112233445566778899aabbccddeeff0011223344556677",
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        ] {
            let secret = key
                .decrypt_challenge(&device_challenge(&key.public_key_field(), r))
                .unwrap();
            let iv = [9u8; 16];
            let (pw, iv_hex) = secret
                .encrypt_password_v3_with_iv(&Secret::new("Hik!Vision24"), iv)
                .unwrap();
            assert_eq!(iv_hex, hex::encode(iv));
            let ct = hex::decode(STANDARD.decode(pw).unwrap()).unwrap();
            let k = hex::decode(r).unwrap();
            let plain = match k.len() {
                16 => cbc::Decryptor::<Aes128>::new(k.as_slice().into(), (&iv).into())
                    .decrypt_padded_vec_mut::<Pkcs7>(&ct),
                24 => cbc::Decryptor::<Aes192>::new(k.as_slice().into(), (&iv).into())
                    .decrypt_padded_vec_mut::<Pkcs7>(&ct),
                _ => cbc::Decryptor::<Aes256>::new(k.as_slice().into(), (&iv).into())
                    .decrypt_padded_vec_mut::<Pkcs7>(&ct),
            }
            .unwrap();
            assert_eq!(&plain[..16], &r.as_bytes()[..16]);
            assert_eq!(&plain[16..], b"Hik!Vision24");
        }
        let (_, iv_a) = ActivationSecret::new("00112233445566778899aabbccddeeff")
            .unwrap()
            .encrypt_password_v3(&Secret::new("x"))
            .unwrap();
        assert_eq!(iv_a.len(), 32);
    }

    #[test]
    fn bad_challenges_are_typed_errors() {
        let key = ActivationKey::generate(1024).unwrap();
        for bad in ["***", "", "YWJj", &STANDARD.encode("zz")] {
            assert!(matches!(
                key.decrypt_challenge(bad),
                Err(Error::Decode { .. })
            ));
        }
        // R of the wrong shape
        let field = device_challenge(&key.public_key_field(), "not-hex-at-all");
        assert!(key.decrypt_challenge(&field).is_err());
        assert!(ActivationSecret::new("abcd").is_err());
        let long = ActivationSecret::new(&"ab".repeat(24)).unwrap();
        assert!(long.encrypt_password_legacy(&Secret::new("x")).is_err());
        assert!(!format!("{long:?}").contains("abab"));
        assert_eq!(
            ActivationFlow::for_support_version(Some(3)),
            ActivationFlow::V3
        );
        assert_eq!(
            ActivationFlow::for_support_version(Some(2)),
            ActivationFlow::Legacy
        );
        assert_eq!(
            ActivationFlow::for_support_version(None),
            ActivationFlow::Legacy
        );
    }
}
