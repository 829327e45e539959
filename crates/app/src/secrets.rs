//! Random secrets and their stored form. A token is 256 random bits, shown
//! once as URL-safe base64; the store keeps only its SHA-256.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token (256 bits), URL-safe, with an optional prefix that
/// tells what it is when it turns up somewhere (`gh_` for API tokens).
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Whether two secrets (or their hashes) are equal, in time that does not
/// depend on where they differ: the one constant-time comparison of
/// Gatehouse, for form tokens, client secrets and password hashes alike.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed_to_32_bytes() {
        let a = new_token("gh_");
        let b = new_token("gh_");
        assert_ne!(a, b);
        assert!(a.starts_with("gh_"));
        assert_eq!(a.len(), 3 + 43, "32 bytes in unpadded base64");
        assert_eq!(token_hash(&a).len(), 32);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn same_is_equality_of_bytes() {
        assert!(same(b"secret", b"secret"));
        assert!(!same(b"secret", b"secreT"));
        assert!(!same(b"secret", b"secre"), "a prefix is not the secret");
        assert!(same(b"", b""));
    }
}
