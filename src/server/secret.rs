//! Secrets: instructor keys and seat tokens (128 random bits from the OS, shown once, stored only
//! as SHA-256), join codes, and random seeds.

use sha2::{Digest, Sha256};

/// Join-code letters: no 0/O, 1/I/L, so a code read off a projector is typed right.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// 8 letters of 31: 31^8 ≈ 8.5 × 10^11 codes (39.6 bits). With the guess limits, a guesser with
/// any number of addresses needs centuries to find one of 20 live games (`docs/reliability.md`).
pub const CODE_LEN: usize = 8;

#[derive(Debug, thiserror::Error)]
#[error("the operating system's random generator failed: {0}")]
pub struct RandomError(getrandom::Error);

fn random_bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(RandomError)?;
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new secret: `prefix` then 128 random bits in hex (`ik_…` keys, `st_…` seat tokens).
pub fn new_secret(prefix: &str) -> Result<String, RandomError> {
    Ok(format!("{prefix}{}", hex(&random_bytes::<16>()?)))
}

/// What is stored instead of a secret.
pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// A random join code (uniqueness among live sessions is the registry's job).
pub fn join_code() -> Result<String, RandomError> {
    let mut code = String::with_capacity(CODE_LEN);
    while code.len() < CODE_LEN {
        for b in random_bytes::<16>()? {
            // 248 = 8 × 31: rejecting bytes above it keeps every letter equally likely.
            if usize::from(b) < CODE_ALPHABET.len() * 8 && code.len() < CODE_LEN {
                code.push(char::from(CODE_ALPHABET[usize::from(b) % CODE_ALPHABET.len()]));
            }
        }
    }
    Ok(code)
}

/// Reads a join code as typed: upper case, without spaces or dashes (a code may be shown in
/// groups, `K7QX-3MPA`).
pub fn normalize_code(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect()
}

/// A game seed below 2^53, so that JavaScript clients read it exactly.
pub fn seed() -> Result<u64, RandomError> {
    Ok(u64::from_le_bytes(random_bytes::<8>()?) >> 11)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_unambiguous_alphabet() {
        for _ in 0..200 {
            let code = join_code().unwrap();
            assert_eq!(code.len(), CODE_LEN);
            assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
        }
    }

    #[test]
    fn codes_are_read_as_typed() {
        assert_eq!(normalize_code(" k7qx-3mpa "), "K7QX3MPA");
        assert_eq!(normalize_code("K7QX 3MPA"), "K7QX3MPA");
    }

    #[test]
    fn secrets_have_128_bits_and_hash_to_hex() {
        let key = new_secret("ik_").unwrap();
        assert_eq!(key.len(), 3 + 32);
        assert_ne!(key, new_secret("ik_").unwrap());
        assert_eq!(hash(&key).len(), 64);
        assert_ne!(hash(&key), key);
    }
}
