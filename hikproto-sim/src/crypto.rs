//! Device-side cryptography, written from the protocol description (isapi.md §2, §4), not from
//! the client: digest hashing, session-login hashing, the `security=1` field cipher, activation
//! (RSA challenge + AES) and HMAC for the simulator's own reset-file scheme.
//!
//! This module deliberately shares no code with `hikproto::auth` or `hikproto::crypto`: a bug
//! that is symmetric in client and device must not be able to pass the tests.

use aes::cipher::block_padding::{NoPadding, Pkcs7};
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyInit, KeyIvInit};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use md5::Md5;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `s`.
pub(crate) fn sha256_hex(s: impl AsRef<[u8]>) -> String {
    hex::encode(Sha256::digest(s.as_ref()))
}

/// Lower-case hex MD5 of `s`.
pub(crate) fn md5_hex(s: impl AsRef<[u8]>) -> String {
    hex::encode(Md5::digest(s.as_ref()))
}

/// `n` random bytes as lower-case hex.
pub(crate) fn rand_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::thread_rng().fill(&mut b[..]);
    hex::encode(b)
}

/// A 64-character `[A-Z0-9]` salt, like the one in the session capabilities.
pub(crate) fn random_salt() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::thread_rng();
    (0..64)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Constant-time comparison of two strings of ASCII hex.
pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The Digest hash functions a device offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DigestAlg {
    Md5,
    Sha256,
}

impl DigestAlg {
    pub(crate) fn hash(self, s: &str) -> String {
        match self {
            Self::Md5 => md5_hex(s),
            Self::Sha256 => sha256_hex(s),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha256 => "SHA-256",
        }
    }
}

/// The parameters of one Digest `Authorization` the device checks.
pub(crate) struct DigestInput<'a> {
    pub(crate) alg: DigestAlg,
    pub(crate) sess: bool,
    pub(crate) user: &'a str,
    pub(crate) realm: &'a str,
    pub(crate) method: &'a str,
    pub(crate) uri: &'a str,
    pub(crate) nonce: &'a str,
    pub(crate) nc: Option<&'a str>,
    pub(crate) cnonce: Option<&'a str>,
    pub(crate) qop: Option<&'a str>,
}

/// The `response=` value RFC 7616 expects for `password` (qop `auth`, or RFC 2069 without qop).
pub(crate) fn digest_response(d: &DigestInput<'_>, password: &str) -> String {
    let mut ha1 = d.alg.hash(&format!("{}:{}:{}", d.user, d.realm, password));
    if d.sess {
        ha1 = d.alg.hash(&format!(
            "{ha1}:{}:{}",
            d.nonce,
            d.cnonce.unwrap_or_default()
        ));
    }
    let ha2 = d.alg.hash(&format!("{}:{}", d.method, d.uri));
    match d.qop {
        Some(qop) => d.alg.hash(&format!(
            "{ha1}:{}:{}:{}:{qop}:{ha2}",
            d.nonce,
            d.nc.unwrap_or_default(),
            d.cnonce.unwrap_or_default()
        )),
        None => d.alg.hash(&format!("{ha1}:{}:{ha2}", d.nonce)),
    }
}

/// The session-login password hash (isapi.md §2.3, all three variants).
pub(crate) struct SessionParams<'a> {
    pub(crate) user: &'a str,
    pub(crate) salt: &'a str,
    pub(crate) salt2: Option<&'a str>,
    pub(crate) challenge: &'a str,
    pub(crate) iterations: u32,
    pub(crate) irreversible: bool,
}

pub(crate) fn session_hash(p: &SessionParams<'_>, password: &str) -> String {
    if p.irreversible {
        let mut h = sha256_hex(format!("{}{}{password}", p.user, p.salt));
        if let Some(salt2) = p.salt2 {
            h = sha256_hex(format!("{}{salt2}{h}", p.user));
        }
        h = sha256_hex(format!("{h}{}", p.challenge));
        for _ in 2..p.iterations {
            h = sha256_hex(&h);
        }
        h
    } else {
        let mut h = format!("{}{}", sha256_hex(password), p.challenge);
        for _ in 1..p.iterations {
            h = sha256_hex(&h);
        }
        h
    }
}

/// The AES-128 key of the `security=1` field cipher (isapi.md §2.4).
///
/// Inferred detail: the first SHA-256 over `irr + "AaBbCcDd1234!@#$"` counts toward
/// `keyIterateNum` (so `keyIterateNum` hashes in all).
pub(crate) fn field_key(
    user: &str,
    password: &str,
    salt: &str,
    irreversible: bool,
    iterations: u32,
) -> [u8; 16] {
    let irr = if irreversible {
        sha256_hex(format!("{user}{salt}{password}"))
    } else {
        password.to_owned()
    };
    let mut h = sha256_hex(format!("{irr}AaBbCcDd1234!@#$"));
    for _ in 1..iterations.max(1) {
        h = sha256_hex(&h);
    }
    let mut key = [0u8; 16];
    // `h` is 64 hex characters, so its first 32 always decode to 16 bytes.
    let _ = hex::decode_to_slice(&h[..32], &mut key);
    key
}

/// Encrypts one field value: UTF-8 → Base64 → AES-128-CBC (PKCS#7) → lower-case hex.
pub(crate) fn encrypt_field(key: &[u8; 16], iv: &[u8; 16], value: &str) -> String {
    let inner = B64.encode(value.as_bytes());
    let ct = cbc::Encryptor::<aes::Aes128>::new(key.into(), iv.into())
        .encrypt_padded_vec_mut::<Pkcs7>(inner.as_bytes());
    hex::encode(ct)
}

/// Decrypts a value made by [`encrypt_field`]; `None` when it is not one.
pub(crate) fn decrypt_field(key: &[u8; 16], iv: &[u8; 16], hex_text: &str) -> Option<String> {
    let ct = hex::decode(hex_text.trim()).ok()?;
    if ct.is_empty() || ct.len() % 16 != 0 {
        return None;
    }
    let inner = cbc::Decryptor::<aes::Aes128>::new(key.into(), iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(&ct)
        .ok()?;
    let plain = B64.decode(&inner).ok()?;
    String::from_utf8(plain).ok()
}

/// Parses the `iv` query value (32 hex characters).
pub(crate) fn parse_iv(s: &str) -> Option<[u8; 16]> {
    let mut iv = [0u8; 16];
    hex::decode_to_slice(s.trim(), &mut iv).ok()?;
    Some(iv)
}

/// Why an activation step failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActivationError {
    /// The public key is not `base64(hex(modulus))`.
    BadKey,
    /// The key has the wrong size for this flow.
    KeySize,
    /// The encrypted password does not decrypt to `R[0..16] + password`.
    Decrypt,
}

/// Decodes `base64(hex(bytes))`.
pub(crate) fn b64_hex_decode(s: &str) -> Option<Vec<u8>> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let hex_text = B64.decode(compact.as_bytes()).ok()?;
    let hex_text = std::str::from_utf8(&hex_text).ok()?;
    hex::decode(hex_text.trim()).ok()
}

/// Encodes `base64(hex(bytes))`.
pub(crate) fn b64_hex_encode(bytes: &[u8]) -> String {
    B64.encode(hex::encode(bytes))
}

/// Makes the challenge `R` (`hex_len` hex characters) and encrypts it with the client's public
/// key (modulus sent as `base64(hex(n))`, exponent 65537, RSA PKCS#1 v1.5).
/// `min_bits`/`max_bits` bound the modulus size. Returns `(R, base64(hex(ciphertext)))`.
pub(crate) fn activation_challenge(
    key_b64: &str,
    hex_len: usize,
    min_bits: usize,
    max_bits: usize,
) -> Result<(String, String), ActivationError> {
    let n = b64_hex_decode(key_b64).ok_or(ActivationError::BadKey)?;
    let first = n
        .iter()
        .position(|&b| b != 0)
        .ok_or(ActivationError::BadKey)?;
    let n = &n[first..];
    let bits = (n.len() - 1) * 8 + (8 - n[0].leading_zeros() as usize);
    if bits < min_bits || bits > max_bits {
        return Err(ActivationError::KeySize);
    }
    let public = rsa::RsaPublicKey::new(
        rsa::BigUint::from_bytes_be(n),
        rsa::BigUint::from(65_537u32),
    )
    .map_err(|_| ActivationError::BadKey)?;
    let r = rand_hex(hex_len / 2);
    let ct = public
        .encrypt(&mut rand::thread_rng(), rsa::Pkcs1v15Encrypt, r.as_bytes())
        .map_err(|_| ActivationError::BadKey)?;
    Ok((r, b64_hex_encode(&ct)))
}

/// Legacy activation: `base64(hex(AES-128-ECB(key = hexdecode(R), zero-pad(R[0..16] + pw))))`.
/// Trailing zero bytes are padding; PKCS#7 padding is also accepted (some tools use it).
pub(crate) fn activation_decrypt_ecb(
    r: &str,
    password_b64: &str,
) -> Result<String, ActivationError> {
    let key = hex::decode(r).map_err(|_| ActivationError::Decrypt)?;
    let ct = b64_hex_decode(password_b64).ok_or(ActivationError::Decrypt)?;
    if key.len() != 16 || ct.is_empty() || ct.len() % 16 != 0 {
        return Err(ActivationError::Decrypt);
    }
    let mut plain = ecb::Decryptor::<aes::Aes128>::new_from_slice(&key)
        .map_err(|_| ActivationError::Decrypt)?
        .decrypt_padded_vec_mut::<NoPadding>(&ct)
        .map_err(|_| ActivationError::Decrypt)?;
    strip_padding(&mut plain);
    split_prefix(r, plain)
}

/// V3 activation: `base64(hex(AES-CBC(key = hexdecode(R), iv, PKCS7(R[0..16] + pw))))`; the key
/// is 16, 24 or 32 bytes depending on the length of `R`.
pub(crate) fn activation_decrypt_v3(
    r: &str,
    password_b64: &str,
    iv_hex: &str,
) -> Result<String, ActivationError> {
    let key = hex::decode(r).map_err(|_| ActivationError::Decrypt)?;
    let iv = parse_iv(iv_hex).ok_or(ActivationError::Decrypt)?;
    let ct = b64_hex_decode(password_b64).ok_or(ActivationError::Decrypt)?;
    if ct.is_empty() || ct.len() % 16 != 0 {
        return Err(ActivationError::Decrypt);
    }
    let plain = match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, &iv)
            .map_err(|_| ActivationError::Decrypt)?
            .decrypt_padded_vec_mut::<Pkcs7>(&ct),
        24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(&key, &iv)
            .map_err(|_| ActivationError::Decrypt)?
            .decrypt_padded_vec_mut::<Pkcs7>(&ct),
        32 => cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, &iv)
            .map_err(|_| ActivationError::Decrypt)?
            .decrypt_padded_vec_mut::<Pkcs7>(&ct),
        _ => return Err(ActivationError::Decrypt),
    }
    .map_err(|_| ActivationError::Decrypt)?;
    split_prefix(r, plain)
}

fn strip_padding(plain: &mut Vec<u8>) {
    while plain.last() == Some(&0) {
        plain.pop();
    }
    // Tolerate PKCS#7 as well: a valid PKCS#7 tail of printable-free bytes 1..=16.
    if let Some(&n) = plain.last() {
        let n = n as usize;
        if (1..=16).contains(&n)
            && n <= plain.len()
            && plain[plain.len() - n..].iter().all(|&b| b as usize == n)
        {
            plain.truncate(plain.len() - n);
        }
    }
}

fn split_prefix(r: &str, plain: Vec<u8>) -> Result<String, ActivationError> {
    let prefix = r.as_bytes().get(..16).ok_or(ActivationError::Decrypt)?;
    if plain.len() < 16 || &plain[..16] != prefix {
        return Err(ActivationError::Decrypt);
    }
    String::from_utf8(plain[16..].to_vec()).map_err(|_| ActivationError::Decrypt)
}

/// HMAC-SHA-256 (RFC 2104), used by the simulator's support-desk test scheme.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(msg);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2617_digest_vector() {
        // RFC 2617 §3.5 ("Mufasa").
        let d = DigestInput {
            alg: DigestAlg::Md5,
            sess: false,
            user: "Mufasa",
            realm: "testrealm@host.com",
            method: "GET",
            uri: "/dir/index.html",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            nc: Some("00000001"),
            cnonce: Some("0a4f113b"),
            qop: Some("auth"),
        };
        assert_eq!(
            digest_response(&d, "Circle Of Life"),
            "6629fae49393a05397450978507c4ef1"
        );
    }

    #[test]
    fn rfc7616_sha256_vector() {
        let d = DigestInput {
            alg: DigestAlg::Sha256,
            sess: false,
            user: "Mufasa",
            realm: "http-auth@example.org",
            method: "GET",
            uri: "/dir/index.html",
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            nc: Some("00000001"),
            cnonce: Some("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"),
            qop: Some("auth"),
        };
        assert_eq!(
            digest_response(&d, "Circle of Life"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
    }

    #[test]
    fn hmac_rfc4231_case_2() {
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn field_cipher_round_trip_and_tamper() {
        let key = field_key("admin", "Passw0rd!x", "SALT", true, 100);
        let iv = [7u8; 16];
        let enc = encrypt_field(&key, &iv, "Abc123xyz");
        assert_eq!(enc.len() % 32, 0);
        assert_eq!(decrypt_field(&key, &iv, &enc).as_deref(), Some("Abc123xyz"));
        let other = field_key("admin", "Other!pass1", "SALT", true, 100);
        assert_ne!(
            decrypt_field(&other, &iv, &enc).as_deref(),
            Some("Abc123xyz")
        );
        assert_eq!(decrypt_field(&key, &iv, "zz"), None);
    }

    #[test]
    fn session_hash_iteration_counts() {
        let p = SessionParams {
            user: "admin",
            salt: "S",
            salt2: None,
            challenge: "C",
            iterations: 3,
            irreversible: true,
        };
        let h1 = sha256_hex("adminSPw");
        let h2 = sha256_hex(format!("{h1}C"));
        assert_eq!(session_hash(&p, "Pw"), sha256_hex(h2));
        let rev = SessionParams {
            irreversible: false,
            ..p
        };
        let r = sha256_hex(sha256_hex(format!("{}C", sha256_hex("Pw"))));
        assert_eq!(session_hash(&rev, "Pw"), r);
    }
}
