//! Time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30 s, one step of
//! clock skew) as the second step of staff's and customers' sign-in.

use totp_rs::{Algorithm, Secret, Totp};

use crate::{AppError, AppResult};

/// The name the console's entry has in an authenticator app.
pub const STAFF_ISSUER: &str = "Gatehouse";

fn totp(secret_base32: &str, issuer: &str, account: &str) -> AppResult<Totp> {
    let secret = Secret::try_from_base32(secret_base32)
        .map_err(|_| AppError::invalid("secret", "the TOTP secret is not valid"))?;
    totp_rs::Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_account_name(account.replace(':', " "))
        // The `otpauth` label is `issuer:account`: a colon in either
        // would split it in the wrong place.
        .with_issuer(Some(issuer.replace(':', " ")))
        .build()
        .map_err(|e| AppError::Internal(format!("TOTP: {e}")))
}

/// A new random secret (160 bits), base32.
pub fn new_secret() -> String {
    Secret::generate().to_base32()
}

/// The `otpauth://` address an authenticator app takes: its entry is named
/// `issuer` (the console's, or the site's brand) and `account`.
pub fn otpauth_url(secret_base32: &str, issuer: &str, account: &str) -> AppResult<String> {
    totp(secret_base32, issuer, account)?
        .to_url()
        .map_err(|e| AppError::Internal(format!("TOTP: {e}")))
}

/// The 30-second step `code` is right for, for the secret at `unix_seconds`
/// (one step of skew either side), if any. A caller accepts each step once
/// (RFC 6238 §5.2): see [`check`]'s callers.
pub fn matched_step(secret_base32: &str, code: &str, unix_seconds: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 {
        return None;
    }
    let step = totp(secret_base32, STAFF_ISSUER, "staff")
        .ok()?
        .check(&code, unix_seconds)?;
    i64::try_from(step).ok()
}

/// Whether `code` is right for the secret at `unix_seconds` (±30 s).
pub fn check(secret_base32: &str, code: &str, unix_seconds: u64) -> bool {
    matched_step(secret_base32, code, unix_seconds).is_some()
}

/// The code for the secret at a time (for tests and enrolment checks).
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> AppResult<String> {
    Ok(totp(secret_base32, STAFF_ISSUER, "staff")?
        .generate(unix_seconds)
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_vectors_and_skew() {
        // RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (base32 below), 6 digits.
        let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        assert_eq!(code_at(seed, 59).unwrap(), "287082");
        assert_eq!(code_at(seed, 1_111_111_109).unwrap(), "081804");
        assert_eq!(code_at(seed, 1_234_567_890).unwrap(), "005924");
        assert!(check(seed, "287082", 59));
        assert!(check(seed, "287 082", 89), "one step late is accepted");
        assert!(!check(seed, "287082", 59 + 90), "three steps late is not");
        assert!(!check(seed, "12345", 59));
        let fresh = new_secret();
        assert!(check(
            &fresh,
            &code_at(&fresh, 1_000_000).unwrap(),
            1_000_000
        ));
        assert!(
            otpauth_url(&fresh, STAFF_ISSUER, "admin@example.com")
                .unwrap()
                .starts_with("otpauth://totp/Gatehouse:admin%40example.com?secret=")
        );
        let url = otpauth_url(&fresh, "Kessler: Heating", "ada:b").unwrap();
        assert!(
            url.starts_with("otpauth://totp/Kessler%20%20Heating:ada%20b?secret="),
            "a colon in a name does not split the label: {url}"
        );
    }
}
