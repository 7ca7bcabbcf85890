//! Device-side SADP protection (protocol 3.0), written from the protocol description and
//! independent of the client's code:
//!
//! * `exchangecode`: parse the client's PKCS#1 `RSAPublicKey` (base64 DER), make a random string
//!   of 32 letters and digits, return it RSA-PKCS#1-v1.5-encrypted; its first 16 bytes are the
//!   AES-128 key of the client's next command.
//! * A sealed field is base64(AES-128-ECB(key, key ‖ value, zero padding)); the device decrypts
//!   block by block, checks the key prefix and strips the zeros. A value without the prefix is
//!   accepted too (the layout of fields other than the password is not public).
//! * The salted `update` password is checked by recomputing the key from the stored password:
//!   key = MD5(hex(SHA-256(user ‖ salt ‖ password))), blob = AES-ECB(key, key ‖ 48 zero bytes).

use aes::Aes128;
use aes::cipher::{BlockDecrypt, KeyInit, generic_array::GenericArray};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use md5::{Digest as _, Md5};
use rand::Rng;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Encrypt, RsaPublicKey};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Accepted client key sizes, in bits.
const KEY_BITS: std::ops::RangeInclusive<usize> = 1024..=4096;

/// Parses the client's public key from an `exchangecode` `Code`.
pub(crate) fn client_key(code_b64: &str) -> Option<RsaPublicKey> {
    let code = code_b64.trim();
    if code.len() > 2048 {
        return None;
    }
    let der = B64.decode(code).ok()?;
    let key = RsaPublicKey::from_pkcs1_der(&der).ok()?;
    KEY_BITS.contains(&(key.size() * 8)).then_some(key)
}

/// A fresh random string (32 letters and digits) and its RSA encryption for the client.
pub(crate) fn exchange(key: &RsaPublicKey) -> Option<([u8; 16], String)> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    let random: Zeroizing<Vec<u8>> = Zeroizing::new(
        (0..32)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())])
            .collect(),
    );
    let ct = key.encrypt(&mut rng, Pkcs1v15Encrypt, &random).ok()?;
    let mut k = [0u8; 16];
    k.copy_from_slice(&random[..16]);
    Some((k, B64.encode(ct)))
}

fn ecb_decrypt(key: &[u8; 16], data: &mut [u8]) {
    let cipher = Aes128::new(GenericArray::from_slice(key));
    for block in data.chunks_exact_mut(16) {
        cipher.decrypt_block(GenericArray::from_mut_slice(block));
    }
}

/// Opens a sealed field; `None` when it is not base64, not whole blocks, or not UTF-8.
pub(crate) fn open(key: &[u8; 16], sealed_b64: &str) -> Option<Zeroizing<String>> {
    let s = sealed_b64.trim();
    if s.len() > 8192 {
        return None;
    }
    let mut data = Zeroizing::new(B64.decode(s).ok()?);
    if data.is_empty() || data.len() % 16 != 0 {
        return None;
    }
    ecb_decrypt(key, &mut data);
    let body: &[u8] = if data.len() >= 16 && data[..16] == key[..] {
        &data[16..]
    } else {
        &data[..]
    };
    let end = body.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let text = std::str::from_utf8(&body[..end]).ok()?;
    Some(Zeroizing::new(text.to_owned()))
}

/// Checks a salted `update` password blob against the stored password.
pub(crate) fn salted_matches(user: &str, salt: &str, password: &str, blob_b64: &str) -> bool {
    let Ok(mut data) = B64.decode(blob_b64.trim()) else {
        return false;
    };
    if data.len() != 64 {
        return false;
    }
    let sha_hex = Zeroizing::new(hex::encode(Sha256::digest(
        [user.as_bytes(), salt.as_bytes(), password.as_bytes()].concat(),
    )));
    let mut key = [0u8; 16];
    key.copy_from_slice(&Md5::digest(sha_hex.as_bytes()));
    ecb_decrypt(&key, &mut data);
    let ok = data[..16] == key && data[16..].iter().all(|&b| b == 0);
    key.fill(0);
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors computed with `openssl enc -aes-128-ecb -nopad` and Python hashlib, independent of
    // both implementations.
    #[test]
    fn opens_the_reference_vectors() {
        let key: [u8; 16] = *b"0123456789ABCDEF";
        let pw = open(&key, "jYNdDP/YutWF/otClMQhiDRUgq/WZ1RuHaSpKz0Grrc=").unwrap();
        assert_eq!(pw.as_str(), "Passw0rd!x");
        let pw = open(&key, "jYNdDP/YutWF/otClMQhiLyFukLy7Y+k0imauuRVxvI=").unwrap();
        assert_eq!(pw.as_str(), "Abcdefgh12345678");
        let salt = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
        let blob = "ZeJIfnJltHEiNyyWbDwGKhA/8dJrT6zye1w8OTl+njIQP/HSa0+s8ntcPDk5fp4yED/x0mtPrPJ7XDw5OX6eMg==";
        assert!(salted_matches("admin", salt, "Passw0rd!x", blob));
        assert!(!salted_matches("admin", salt, "Passw0rd!y", blob));
        assert!(!salted_matches("root", salt, "Passw0rd!x", blob));
        assert!(!salted_matches("admin", salt, "Passw0rd!x", "AAAA"));
    }

    #[test]
    fn garbage_is_refused() {
        let key = [7u8; 16];
        assert!(open(&key, "not base64").is_none());
        assert!(open(&key, "AAAA").is_none());
        assert!(client_key("AAAA").is_none());
        assert!(client_key(&"A".repeat(5000)).is_none());
    }
}
