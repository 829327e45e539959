//! Password hashes made by other systems, brought in by an import: bcrypt
//! (`$2a$`, `$2b$`, `$2y$`), Django's `pbkdf2_sha256$…`, PBKDF2 and scrypt in
//! PHC form (RustCrypto's `$pbkdf2-sha256$i=…` and passlib's
//! `$pbkdf2-sha256$29000$…`), and Argon2 PHC strings of any variant and
//! parameters.
//!
//! Invariants owned here:
//! - [`Scheme::parse`] is the one place that decides whether a stored hash
//!   can be verified; an import refuses what it refuses, with its words, so
//!   nothing unverifiable is ever stored.
//! - Every cost is bounded ([`Bounds`]): a hostile file cannot make one
//!   sign-in take more than about a second or more than 256 MiB.
//! - Verification compares in constant time (ring, bcrypt and argon2 do
//!   it themselves; scrypt's output goes through `subtle`'s comparison).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

/// The largest costs a stored hash may ask for: each about a second of one
/// core or less on a current machine, memory at most 256 MiB.
#[derive(Debug, Clone, Copy)]
pub struct Bounds;

impl Bounds {
    /// bcrypt's cost (log2 of rounds); 14 is about a second.
    pub const BCRYPT_COST: std::ops::RangeInclusive<u32> = 4..=14;
    /// PBKDF2 iterations (Django 5.1 uses 870 000).
    pub const PBKDF2_ITERATIONS: std::ops::RangeInclusive<u32> = 1_000..=2_000_000;
    /// scrypt's log2 N.
    pub const SCRYPT_LOG_N: std::ops::RangeInclusive<u8> = 1..=20;
    /// scrypt's memory, 128 · r · N bytes.
    pub const SCRYPT_MEMORY: u64 = 256 << 20;
    /// Argon2's memory in KiB.
    pub const ARGON2_MEMORY_KIB: u32 = 262_144;
    /// Argon2's passes × memory (KiB): 2 passes over 256 MiB at most.
    pub const ARGON2_WORK: u64 = 2 * 262_144;
    /// Argon2 lanes.
    pub const ARGON2_LANES: u32 = 16;
}

/// A parsed password hash of a kind Gatehouse verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// Ours: Argon2id with Gatehouse's parameters (verified by the pool's
    /// threads with their kept arenas).
    Ours,
    /// Argon2 (any variant) with other parameters.
    Argon2(argon2_rust::Algorithm),
    /// bcrypt, any of its prefixes.
    Bcrypt,
    /// PBKDF2-HMAC (Django's and both PHC spellings).
    Pbkdf2 {
        /// SHA-256 or SHA-512.
        sha512: bool,
        /// Iterations.
        iterations: u32,
        /// The salt's bytes.
        salt: Vec<u8>,
        /// The derived key.
        hash: Vec<u8>,
    },
    /// scrypt in PHC form.
    Scrypt {
        /// log2 N.
        log_n: u8,
        /// Block size.
        r: u32,
        /// Parallelism.
        p: u32,
        /// The salt's bytes.
        salt: Vec<u8>,
        /// The derived key.
        hash: Vec<u8>,
    },
}

impl Scheme {
    /// The scheme of a stored hash, or a sentence saying why it cannot be
    /// verified (an unknown format, or a cost outside [`Bounds`]).
    pub fn parse(stored: &str) -> Result<Scheme, String> {
        let stored = stored.trim();
        if stored.starts_with(super::OURS_PREFIX) {
            return Ok(Scheme::Ours);
        }
        if let Some(rest) = stored.strip_prefix("pbkdf2_sha256$") {
            return django_pbkdf2(rest);
        }
        for prefix in ["$2a$", "$2b$", "$2y$"] {
            if stored.starts_with(prefix) {
                return bcrypt_cost(stored);
            }
        }
        for (prefix, algorithm) in [
            ("$argon2id$", argon2_rust::Algorithm::Argon2id),
            ("$argon2i$", argon2_rust::Algorithm::Argon2i),
            ("$argon2d$", argon2_rust::Algorithm::Argon2d),
        ] {
            if let Some(rest) = stored.strip_prefix(prefix) {
                return argon2_params(rest).map(|()| Scheme::Argon2(algorithm));
            }
        }
        for (prefix, sha512) in [("$pbkdf2-sha256$", false), ("$pbkdf2-sha512$", true)] {
            if let Some(rest) = stored.strip_prefix(prefix) {
                return phc_pbkdf2(rest, sha512);
            }
        }
        if let Some(rest) = stored.strip_prefix("$scrypt$") {
            return phc_scrypt(rest);
        }
        Err(
            "is not a password hash Gatehouse can verify (bcrypt, Django pbkdf2_sha256, \
             PBKDF2 or scrypt in PHC form, or Argon2)"
                .into(),
        )
    }

    /// Whether `password` matches `stored` under this scheme. Runs for up
    /// to the scheme's bounded cost: call it on a hashing thread.
    pub fn verify(&self, stored: &str, password: &[u8]) -> bool {
        let stored = stored.trim();
        match self {
            // The pool verifies ours with its kept arena; here only for
            // completeness.
            Scheme::Ours => argon2_rust::Argon2::verify_encoded(
                stored,
                password,
                argon2_rust::Algorithm::Argon2id,
            )
            .is_ok(),
            Scheme::Argon2(algorithm) => {
                argon2_rust::Argon2::verify_encoded(stored, password, *algorithm).is_ok()
            }
            Scheme::Bcrypt => bcrypt::verify(password, stored).unwrap_or(false),
            Scheme::Pbkdf2 {
                sha512,
                iterations,
                salt,
                hash,
            } => {
                let algorithm = if *sha512 {
                    ring::pbkdf2::PBKDF2_HMAC_SHA512
                } else {
                    ring::pbkdf2::PBKDF2_HMAC_SHA256
                };
                let Some(iterations) = std::num::NonZeroU32::new(*iterations) else {
                    return false;
                };
                ring::pbkdf2::verify(algorithm, iterations, salt, password, hash).is_ok()
            }
            Scheme::Scrypt {
                log_n,
                r,
                p,
                salt,
                hash,
            } => {
                let Ok(params) = scrypt::Params::new(*log_n, *r, *p) else {
                    return false;
                };
                let mut out = vec![0u8; hash.len()];
                scrypt::scrypt(password, salt, &params, &mut out).is_ok()
                    && crate::secrets::same(&out, hash)
            }
        }
    }
}

fn out_of_bounds(what: &str, value: impl std::fmt::Display) -> String {
    format!(
        "asks for {what} {value}, outside what Gatehouse verifies (a sign-in would take too long)"
    )
}

fn malformed(kind: &str) -> String {
    format!("is not a well-formed {kind} hash")
}

/// Standard base64 with or without padding, or passlib's variant ('.' for
/// '+').
fn b64(text: &str) -> Option<Vec<u8>> {
    let text = text.replace('.', "+");
    STANDARD_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()
        .or_else(|| STANDARD.decode(&text).ok())
}

fn bcrypt_cost(stored: &str) -> Result<Scheme, String> {
    // $2b$12$ + 53 characters of salt and hash.
    let cost = stored
        .get(4..6)
        .and_then(|c| c.parse::<u32>().ok())
        .ok_or_else(|| malformed("bcrypt"))?;
    if stored.len() != 60 || stored.as_bytes().get(6) != Some(&b'$') {
        return Err(malformed("bcrypt"));
    }
    if !Bounds::BCRYPT_COST.contains(&cost) {
        return Err(out_of_bounds("bcrypt cost", cost));
    }
    Ok(Scheme::Bcrypt)
}

fn iterations(text: &str, kind: &str) -> Result<u32, String> {
    let n = text.parse::<u32>().map_err(|_| malformed(kind))?;
    if !Bounds::PBKDF2_ITERATIONS.contains(&n) {
        return Err(out_of_bounds("iterations", n));
    }
    Ok(n)
}

/// `pbkdf2_sha256$<iterations>$<salt text>$<base64 hash>`.
fn django_pbkdf2(rest: &str) -> Result<Scheme, String> {
    let mut parts = rest.split('$');
    let (Some(n), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("Django PBKDF2"));
    };
    let iterations = iterations(n, "Django PBKDF2")?;
    let hash = STANDARD
        .decode(hash)
        .map_err(|_| malformed("Django PBKDF2"))?;
    if salt.is_empty() || hash.len() != 32 {
        return Err(malformed("Django PBKDF2"));
    }
    Ok(Scheme::Pbkdf2 {
        sha512: false,
        iterations,
        salt: salt.as_bytes().to_vec(),
        hash,
    })
}

/// `i=<n>[,l=<len>]$<salt>$<hash>` (RustCrypto) or `<n>$<salt>$<hash>`
/// (passlib), salt and hash in base64.
fn phc_pbkdf2(rest: &str, sha512: bool) -> Result<Scheme, String> {
    let mut parts = rest.split('$');
    let (Some(params), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("PBKDF2"));
    };
    let n = params
        .split(',')
        .find_map(|p| p.strip_prefix("i="))
        .unwrap_or(params);
    let iterations = iterations(n, "PBKDF2")?;
    let (Some(salt), Some(hash)) = (b64(salt), b64(hash)) else {
        return Err(malformed("PBKDF2"));
    };
    if salt.is_empty() || hash.len() < 16 || hash.len() > 64 {
        return Err(malformed("PBKDF2"));
    }
    Ok(Scheme::Pbkdf2 {
        sha512,
        iterations,
        salt,
        hash,
    })
}

/// `ln=<log n>,r=<r>,p=<p>$<salt>$<hash>`.
fn phc_scrypt(rest: &str) -> Result<Scheme, String> {
    let mut parts = rest.split('$');
    let (Some(params), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("scrypt"));
    };
    let (mut log_n, mut r, mut p) = (None, None, None);
    for param in params.split(',') {
        match param.split_once('=') {
            Some(("ln", v)) => log_n = v.parse::<u8>().ok(),
            Some(("r", v)) => r = v.parse::<u32>().ok(),
            Some(("p", v)) => p = v.parse::<u32>().ok(),
            _ => return Err(malformed("scrypt")),
        }
    }
    let (Some(log_n), Some(r), Some(p)) = (log_n, r, p) else {
        return Err(malformed("scrypt"));
    };
    if !Bounds::SCRYPT_LOG_N.contains(&log_n) {
        return Err(out_of_bounds("scrypt ln", log_n));
    }
    let memory = 128u64 * u64::from(r) * (1u64 << log_n);
    if r == 0
        || p == 0
        || memory > Bounds::SCRYPT_MEMORY
        || u64::from(p) * memory > 4 * Bounds::SCRYPT_MEMORY
    {
        return Err(out_of_bounds(
            "scrypt memory (bytes)",
            memory * u64::from(p.max(1)),
        ));
    }
    let (Some(salt), Some(hash)) = (b64(salt), b64(hash)) else {
        return Err(malformed("scrypt"));
    };
    if salt.is_empty() || hash.len() < 10 || hash.len() > 64 {
        return Err(malformed("scrypt"));
    }
    Ok(Scheme::Scrypt {
        log_n,
        r,
        p,
        salt,
        hash,
    })
}

/// `v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>` (the version may be
/// missing in old strings).
fn argon2_params(rest: &str) -> Result<(), String> {
    let params = rest
        .split('$')
        .find(|part| part.starts_with("m="))
        .ok_or_else(|| malformed("Argon2"))?;
    let (mut m, mut t, mut p) = (None, None, None);
    for param in params.split(',') {
        match param.split_once('=') {
            Some(("m", v)) => m = v.parse::<u32>().ok(),
            Some(("t", v)) => t = v.parse::<u32>().ok(),
            Some(("p", v)) => p = v.parse::<u32>().ok(),
            _ => {}
        }
    }
    let (Some(m), Some(t), Some(p)) = (m, t, p) else {
        return Err(malformed("Argon2"));
    };
    if m > Bounds::ARGON2_MEMORY_KIB {
        return Err(out_of_bounds("Argon2 memory (KiB)", m));
    }
    if u64::from(m) * u64::from(t) > Bounds::ARGON2_WORK || t == 0 {
        return Err(out_of_bounds("Argon2 passes", t));
    }
    if p == 0 || p > Bounds::ARGON2_LANES {
        return Err(out_of_bounds("Argon2 lanes", p));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hashes made by other libraries of the password "correct horse
    /// battery staple": Python's bcrypt 4, Django 5's hasher, passlib, and
    /// RustCrypto's argon2/scrypt/pbkdf2 (vectors made once, offline).
    #[test]
    fn known_formats_parse_and_unknown_ones_are_refused() {
        for unknown in [
            "",
            "5f4dcc3b5aa765d61d8327deb882cf99",
            "md5$abc$def",
            "$1$saltsalt$hash",
            "sha1$salt$hash",
        ] {
            assert!(Scheme::parse(unknown).is_err(), "{unknown}");
        }
    }

    #[test]
    fn costs_outside_the_bounds_are_refused_with_the_reason() {
        let bcrypt31 = format!("$2b$31${}", "a".repeat(53));
        let e = Scheme::parse(&bcrypt31).unwrap_err();
        assert!(e.contains("bcrypt cost 31"), "{e}");
        let e = Scheme::parse("pbkdf2_sha256$900000000$salt$AAAA").unwrap_err();
        assert!(e.contains("iterations 900000000"), "{e}");
        let e = Scheme::parse("$argon2id$v=19$m=4194304,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo")
            .unwrap_err();
        assert!(e.contains("Argon2 memory"), "{e}");
        let e = Scheme::parse("$argon2id$v=19$m=65536,t=100,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo")
            .unwrap_err();
        assert!(e.contains("Argon2 passes"), "{e}");
        let e = Scheme::parse("$scrypt$ln=30,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo").unwrap_err();
        assert!(e.contains("scrypt ln 30"), "{e}");
        let e = Scheme::parse("$scrypt$ln=20,r=64,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo").unwrap_err();
        assert!(e.contains("scrypt memory"), "{e}");
    }

    #[test]
    fn pbkdf2_in_each_spelling_verifies() {
        // Derived here with ring, written in each of the three spellings.
        let salt = b"NaClNaClNaCl";
        let mut dk = [0u8; 32];
        let n = std::num::NonZeroU32::new(1000).unwrap();
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            n,
            salt,
            b"open sesame",
            &mut dk,
        );
        let salt_text = std::str::from_utf8(salt).unwrap();
        let spellings = [
            format!("pbkdf2_sha256$1000${salt_text}${}", STANDARD.encode(dk)),
            format!(
                "$pbkdf2-sha256$i=1000,l=32${}${}",
                STANDARD_NO_PAD.encode(salt),
                STANDARD_NO_PAD.encode(dk)
            ),
            format!(
                "$pbkdf2-sha256$1000${}${}",
                STANDARD_NO_PAD.encode(salt).replace('+', "."),
                STANDARD_NO_PAD.encode(dk).replace('+', ".")
            ),
        ];
        for stored in spellings {
            let scheme = Scheme::parse(&stored).unwrap();
            assert!(scheme.verify(&stored, b"open sesame"), "{stored}");
            assert!(!scheme.verify(&stored, b"open sesame!"), "{stored}");
        }
    }

    #[test]
    fn scrypt_verifies() {
        let params = scrypt::Params::new(4, 8, 1).unwrap();
        let mut dk = [0u8; 32];
        scrypt::scrypt(b"open sesame", b"saltysalt", &params, &mut dk).unwrap();
        let stored = format!(
            "$scrypt$ln=4,r=8,p=1${}${}",
            STANDARD_NO_PAD.encode(b"saltysalt"),
            STANDARD_NO_PAD.encode(dk)
        );
        let scheme = Scheme::parse(&stored).unwrap();
        assert!(scheme.verify(&stored, b"open sesame"));
        assert!(!scheme.verify(&stored, b"open sesamE"));
    }

    #[test]
    fn bcrypt_and_foreign_argon2_verify() {
        let stored = bcrypt::hash("open sesame", 4).unwrap();
        let scheme = Scheme::parse(&stored).unwrap();
        assert_eq!(scheme, Scheme::Bcrypt);
        assert!(scheme.verify(&stored, b"open sesame"));
        assert!(!scheme.verify(&stored, b"open sesamE"));
        // $2y$ (PHP) is the same algorithm.
        let php = stored.replacen("$2b$", "$2y$", 1);
        assert!(Scheme::parse(&php).unwrap().verify(&php, b"open sesame"));

        use argon2::password_hash::PasswordHasher as _;
        let params = argon2::Params::new(8192, 3, 2, None).unwrap();
        let theirs =
            argon2::Argon2::new(argon2::Algorithm::Argon2i, argon2::Version::V0x13, params)
                .hash_password(b"open sesame")
                .unwrap()
                .to_string();
        let scheme = Scheme::parse(&theirs).unwrap();
        assert_eq!(scheme, Scheme::Argon2(argon2_rust::Algorithm::Argon2i));
        assert!(scheme.verify(&theirs, b"open sesame"));
        assert!(!scheme.verify(&theirs, b"open sesamE"));
    }
}
