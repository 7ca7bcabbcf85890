//! The `security=1` sensitive-field cipher (isapi.md §2.4).
//!
//! Devices that advertise `SecurityCap/securityVersion` 1 accept and return selected fields
//! (user names and passwords in `users`, `loginPassword`, the EZVIZ `verificationCode`, security
//! answers, …) encrypted end to end when the request carries `?security=1&iv=<32 hex chars>`.
//!
//! Key derivation, for the user who is logged in:
//!
//! 1. `irr = SHA256hex(user + salt + password)` when the device says `isIrreversible=true`,
//!    otherwise `irr = password`;
//! 2. `h = SHA256hex(irr + "AaBbCcDd1234!@#$")`, then `h = SHA256hex(h)` again, `keyIterateNum`
//!    SHA-256 computations **in all** (so the first hash counts toward the number — the reference
//!    leaves this open; hikproto's choice is inferred and lives only in `derive_key_hex`);
//! 3. the AES-128 key is the first 32 hex characters of `h`, hex-decoded (16 bytes).
//!
//! A field value is UTF-8 → Base64 → AES-128-CBC (PKCS#7 padding, the request's IV) → lower-case
//! hex. Decryption is the reverse. The salt comes from the session-login capabilities document
//! (`GET /ISAPI/Security/sessionLogin/capabilities?username=…`), or from `SecurityCap/salt`.
//! securityVersion 2 (AES-256) is not public and is not implemented.

use aes::Aes128;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::keys::Secret;
use crate::xml::Element;

/// The constant appended to the key material before hashing.
pub const KEY_SUFFIX: &str = "AaBbCcDd1234!@#$";

/// `keyIterateNum` when the device does not say (the documented default).
pub const DEFAULT_KEY_ITERATIONS: u32 = 100;

/// Largest `keyIterateNum` accepted (the documented range is 100–1000); a larger value from a
/// device is refused rather than burning CPU.
pub const MAX_KEY_ITERATIONS: u32 = 100_000;

/// The device-side inputs of the key derivation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyParams {
    /// `isIrreversible`: the device stores salted hashes, so the key starts from one.
    pub irreversible: bool,
    /// `salt` (needed when `irreversible`).
    pub salt: Option<String>,
    /// `keyIterateNum` (SHA-256 computations in all).
    pub iterations: u32,
}

impl Default for KeyParams {
    fn default() -> Self {
        Self {
            irreversible: false,
            salt: None,
            iterations: DEFAULT_KEY_ITERATIONS,
        }
    }
}

impl KeyParams {
    /// Reads `isIrreversible` and `salt` from a `SessionLoginCap` (or `SecurityCap`) element and
    /// `keyIterateNum` from it when present; `iterations` otherwise stays at the default.
    pub fn from_element(el: &Element) -> Self {
        Self {
            irreversible: el.bool_at("isIrreversible").unwrap_or(false),
            salt: el.string_at("salt"),
            iterations: el.num_at("keyIterateNum").unwrap_or(DEFAULT_KEY_ITERATIONS),
        }
    }
}

fn sha256_hex(parts: &[&[u8]]) -> Zeroizing<String> {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    let mut out = h.finalize();
    let s = Zeroizing::new(hex::encode(out));
    out.zeroize();
    s
}

/// Derives the hex string whose first 32 characters are the AES key (the one place the
/// iteration-count convention lives).
fn derive_key_hex(user: &str, password: &Secret, params: &KeyParams) -> Result<Zeroizing<String>> {
    if params.iterations == 0 || params.iterations > MAX_KEY_ITERATIONS {
        return Err(Error::decode(
            "security capabilities",
            format!(
                "keyIterateNum {} is outside 1..={MAX_KEY_ITERATIONS}",
                params.iterations
            ),
        ));
    }
    let irr: Zeroizing<String> = if params.irreversible {
        let salt = params
            .salt
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::decode(
                    "security capabilities",
                    "isIrreversible is true but the device sent no salt",
                )
            })?;
        sha256_hex(&[
            user.as_bytes(),
            salt.as_bytes(),
            password.expose().as_bytes(),
        ])
    } else {
        Zeroizing::new(password.expose().to_owned())
    };
    let mut h = sha256_hex(&[irr.as_bytes(), KEY_SUFFIX.as_bytes()]);
    for _ in 1..params.iterations {
        h = sha256_hex(&[h.as_bytes()]);
    }
    Ok(h)
}

/// The 16-byte AES-128 field key, zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct FieldKey(Zeroizing<[u8; 16]>);

impl FieldKey {
    /// Derives the key for `user`/`password` with the device's parameters.
    pub fn derive(user: &str, password: &Secret, params: &KeyParams) -> Result<Self> {
        let h = derive_key_hex(user, password, params)?;
        let mut key = Zeroizing::new([0u8; 16]);
        hex::decode_to_slice(&h[..32], &mut key[..]).map_err(|e| Error::decode("field key", e))?;
        Ok(Self(key))
    }

    /// Wraps raw key bytes.
    pub fn from_bytes(key: [u8; 16]) -> Self {
        Self(Zeroizing::new(key))
    }

    /// A cipher for one request with the given IV.
    pub fn cipher(&self, iv: [u8; 16]) -> FieldCipher {
        FieldCipher {
            key: self.clone(),
            iv,
        }
    }

    /// A cipher for one request with a fresh random IV from the operating system's CSPRNG.
    pub fn cipher_random_iv(&self) -> FieldCipher {
        let mut iv = [0u8; 16];
        OsRng.fill_bytes(&mut iv);
        self.cipher(iv)
    }
}

impl std::fmt::Debug for FieldKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FieldKey([redacted])")
    }
}

/// A key plus the IV of one request: encrypts the fields of the request and decrypts those of
/// its answer.
#[derive(Clone, PartialEq, Eq)]
pub struct FieldCipher {
    key: FieldKey,
    iv: [u8; 16],
}

impl std::fmt::Debug for FieldCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldCipher")
            .field("key", &self.key)
            .field("iv", &self.iv_hex())
            .finish()
    }
}

impl FieldCipher {
    /// The IV as 32 lower-case hex characters.
    pub fn iv_hex(&self) -> String {
        hex::encode(self.iv)
    }

    /// The query parameters that announce the encryption: `security=1&iv=<hex>`.
    pub fn query(&self) -> String {
        format!("security=1&iv={}", self.iv_hex())
    }

    /// `path` with [`FieldCipher::query`] appended (`?` or `&` as needed).
    pub fn apply_to_path(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{path}{sep}{}", self.query())
    }

    /// Encrypts one field value: UTF-8 → Base64 → AES-128-CBC/PKCS#7 → lower-case hex.
    pub fn encrypt(&self, plain: &str) -> String {
        let b64 = Zeroizing::new(STANDARD.encode(plain.as_bytes()));
        let enc = cbc::Encryptor::<Aes128>::new((&*self.key.0).into(), (&self.iv).into());
        hex::encode(enc.encrypt_padded_vec_mut::<Pkcs7>(b64.as_bytes()))
    }

    /// Decrypts one field value (the reverse of [`FieldCipher::encrypt`]) into a [`Secret`].
    ///
    /// Errors never include the value or the key.
    pub fn decrypt(&self, hex_text: &str) -> Result<Secret> {
        const WHAT: &str = "security=1 field";
        let ct = hex::decode(hex_text.trim())
            .map_err(|_| Error::decode(WHAT, "the value is not hexadecimal"))?;
        if ct.is_empty() || ct.len() % 16 != 0 {
            return Err(Error::decode(
                WHAT,
                "the value is not a whole number of AES blocks",
            ));
        }
        let dec = cbc::Decryptor::<Aes128>::new((&*self.key.0).into(), (&self.iv).into());
        let b64 =
            Zeroizing::new(dec.decrypt_padded_vec_mut::<Pkcs7>(&ct).map_err(|_| {
                Error::decode(WHAT, "bad padding after decryption (wrong key or IV?)")
            })?);
        let text = std::str::from_utf8(&b64)
            .map_err(|_| Error::decode(WHAT, "decrypted value is not Base64 text"))?
            .trim();
        let raw = Zeroizing::new(
            STANDARD
                .decode(text)
                .or_else(|_| STANDARD_NO_PAD.decode(text))
                .map_err(|_| Error::decode(WHAT, "decrypted value is not Base64"))?,
        );
        let s = std::str::from_utf8(&raw)
            .map_err(|_| Error::decode(WHAT, "decrypted value is not UTF-8"))?;
        Ok(Secret::new(s))
    }

    /// Encrypts the text of every element at `paths` in `el` (absent elements are skipped).
    pub fn encrypt_fields(&self, el: &mut Element, paths: &[&str]) {
        for p in paths {
            if let Some(plain) = el.text_at(p).map(str::to_owned) {
                let plain = Zeroizing::new(plain);
                el.set_text_at(p, self.encrypt(&plain));
            }
        }
    }

    /// Decrypts the text at `path` in `el`, when present.
    pub fn decrypt_field(&self, el: &Element, path: &str) -> Result<Option<Secret>> {
        el.text_at(path).map(|t| self.decrypt(t)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The derivation written out from the reference text with sha2 directly.
    fn spec_key(user: &str, salt: &str, password: &str, irreversible: bool, n: u32) -> [u8; 16] {
        let hexsha = |s: String| hex::encode(Sha256::digest(s.as_bytes()));
        let irr = if irreversible {
            hexsha(format!("{user}{salt}{password}"))
        } else {
            password.to_owned()
        };
        let mut h = hexsha(format!("{irr}AaBbCcDd1234!@#$"));
        for _ in 0..n - 1 {
            h = hexsha(h);
        }
        let mut k = [0u8; 16];
        hex::decode_to_slice(&h[..32], &mut k).unwrap();
        k
    }

    fn params(irreversible: bool, n: u32) -> KeyParams {
        KeyParams {
            irreversible,
            salt: Some("ADX8O3PD524FPPFKFV".into()),
            iterations: n,
        }
    }

    #[test]
    fn derivation_matches_the_spec_in_both_variants() {
        let pw = Secret::new("Passw0rd!x");
        for irreversible in [true, false] {
            for n in [1, 2, 100, 1000] {
                let got = FieldKey::derive("admin", &pw, &params(irreversible, n)).unwrap();
                let want = spec_key("admin", "ADX8O3PD524FPPFKFV", "Passw0rd!x", irreversible, n);
                assert_eq!(*got.0, want, "irreversible={irreversible} n={n}");
            }
        }
        let a = FieldKey::derive("admin", &pw, &params(true, 100)).unwrap();
        let b = FieldKey::derive("admin", &pw, &params(false, 100)).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn encryption_matches_the_spec_vector() {
        let key = spec_key("admin", "ADX8O3PD524FPPFKFV", "Passw0rd!x", true, 100);
        let iv: [u8; 16] = *b"0123456789abcdef";
        // independent computation: base64 of the UTF-8 text, AES-128-CBC with PKCS#7, hex
        let b64 = STANDARD.encode("Hq7pRt2mW");
        let ct = cbc::Encryptor::<Aes128>::new(&key.into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(b64.as_bytes());
        let want = hex::encode(ct);
        let c = FieldKey::derive("admin", &Secret::new("Passw0rd!x"), &params(true, 100))
            .unwrap()
            .cipher(iv);
        assert_eq!(c.encrypt("Hq7pRt2mW"), want);
        assert_eq!(c.decrypt(&want).unwrap().expose(), "Hq7pRt2mW");
        assert_eq!(c.iv_hex(), hex::encode(iv));
        assert_eq!(
            c.apply_to_path("/ISAPI/System/Network/EZVIZ"),
            format!(
                "/ISAPI/System/Network/EZVIZ?security=1&iv={}",
                hex::encode(iv)
            )
        );
        assert!(
            c.apply_to_path("/a?b=1")
                .starts_with("/a?b=1&security=1&iv=")
        );
    }

    #[test]
    fn round_trips() {
        let c = FieldKey::from_bytes([7; 16]).cipher_random_iv();
        for s in ["", "a", "admin", "Ünïcödé ✓", &"x".repeat(200), "<&>\"'"] {
            let e = c.encrypt(s);
            assert!(
                e.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
            assert_eq!(c.decrypt(&e).unwrap().expose(), s);
        }
        let mut el = Element::new("User")
            .push_text("userName", "op1")
            .push_text("password", "Secr3t!pw");
        c.encrypt_fields(&mut el, &["userName", "password", "loginPassword"]);
        assert_ne!(el.text_at("password"), Some("Secr3t!pw"));
        assert_eq!(el.text_at("loginPassword"), None);
        assert_eq!(
            c.decrypt_field(&el, "password").unwrap().unwrap().expose(),
            "Secr3t!pw"
        );
    }

    #[test]
    fn bad_input_is_a_typed_error_without_secrets() {
        let c = FieldKey::from_bytes([1; 16]).cipher([2; 16]);
        let other = FieldKey::from_bytes([3; 16]).cipher([2; 16]);
        let enc = c.encrypt("Hq7pRt2mW");
        for bad in ["zz", "abcd", "", &enc[..enc.len() - 2]] {
            assert!(matches!(c.decrypt(bad), Err(Error::Decode { .. })), "{bad}");
        }
        match other.decrypt(&enc) {
            Err(e) => assert!(!e.to_string().contains("Hq7pRt2mW")),
            Ok(s) => assert_ne!(s.expose(), "Hq7pRt2mW"),
        }
        let pw = Secret::new("x");
        assert!(FieldKey::derive("admin", &pw, &params(true, 0)).is_err());
        assert!(FieldKey::derive("admin", &pw, &params(true, MAX_KEY_ITERATIONS + 1)).is_err());
        let no_salt = KeyParams {
            irreversible: true,
            salt: None,
            iterations: 100,
        };
        assert!(FieldKey::derive("admin", &pw, &no_salt).is_err());
        assert_eq!(format!("{c:?}").matches("redacted").count(), 1);
    }

    #[test]
    fn params_from_capabilities() {
        let el = Element::parse(
            b"<SessionLoginCap><isIrreversible>true</isIrreversible><salt>ABC</salt><iterations>100</iterations></SessionLoginCap>",
        )
        .unwrap();
        let p = KeyParams::from_element(&el);
        assert!(p.irreversible);
        assert_eq!(p.salt.as_deref(), Some("ABC"));
        assert_eq!(p.iterations, DEFAULT_KEY_ITERATIONS);
    }
}
