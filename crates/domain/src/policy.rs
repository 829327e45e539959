//! Input policies as parsed newtypes: e-mail addresses, login
//! IDs, new passwords and site keys. A value of one of these types has passed
//! its policy; the refusal says what was wrong in plain words.

use serde::{Deserialize, Serialize, Serializer};

/// Why an input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not an e-mail address.
    #[error("'{0}' is not a valid e-mail address")]
    InvalidEmail(String),
    /// A username outside the username policy.
    #[error("a username must be 5 to 31 characters of letters, digits, '-', '_', '@' and '.'")]
    InvalidUsername,
    /// Too short.
    #[error("the password must be at least {0} characters long")]
    PasswordTooShort(u32),
    /// Too long (a guard against hashing huge inputs).
    #[error("the password must be at most {0} characters long")]
    PasswordTooLong(usize),
    /// Guessable by the strength estimate.
    #[error("the password is too easy to guess{0}")]
    PasswordTooWeak(String),
    /// A site key outside its policy.
    #[error(
        "'{0}' is not a valid site key: use 1 to 32 lowercase letters, digits and '-', starting with a letter or digit"
    )]
    InvalidSiteKey(String),
}

impl PolicyError {
    /// The refusal by message ID, for the pages' languages.
    pub fn words(&self) -> crate::Words {
        use crate::Words;
        match self {
            PolicyError::InvalidEmail(typed) => Words::id("email-invalid").arg("typed", typed),
            PolicyError::InvalidUsername => Words::id("username-invalid"),
            PolicyError::PasswordTooShort(n) => Words::id("password-too-short").arg("min", n),
            PolicyError::PasswordTooLong(n) => Words::id("password-too-long").arg("max", n),
            PolicyError::PasswordTooWeak(hint) => Words::id("password-too-weak").arg("hint", hint),
            PolicyError::InvalidSiteKey(typed) => Words::id("site-key-invalid").arg("typed", typed),
        }
    }
}

/// An e-mail address: trimmed, one `@`, a plausible domain; the domain is
/// lowercased, the local part kept as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses an address as typed by a person.
    pub fn parse(raw: &str) -> Result<Email, PolicyError> {
        let trimmed = raw.trim();
        let bad = || PolicyError::InvalidEmail(trimmed.chars().take(100).collect());
        if trimmed.len() > 254 {
            return Err(bad());
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(bad)?;
        let local_ok = !local.is_empty()
            && local.chars().count() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[]\\,;:\"@".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
        if !local_ok || !domain_ok {
            return Err(bad());
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address as stored and shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address in the form compared for identity: all lowercase.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// How a customer is identified at sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LoginIdMode {
    /// The e-mail address, normalised.
    Email,
    /// A chosen username (5–31 of letters, digits, `-`, `_`, `@`, `.`).
    Username,
}

/// A login ID under a site's policy: the normalised e-mail address, or a
/// username. Compared case-insensitively (the database enforces uniqueness
/// on its lowercase form).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LoginId(String);

impl LoginId {
    /// Parses a login ID for a site in the given mode.
    pub fn parse(raw: &str, mode: LoginIdMode) -> Result<LoginId, PolicyError> {
        match mode {
            LoginIdMode::Email => Ok(LoginId(Email::parse(raw)?.normalized())),
            LoginIdMode::Username => {
                let name = raw.trim();
                let len = name.chars().count();
                let ok = (5..=31).contains(&len)
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_@.".contains(c));
                if ok {
                    Ok(LoginId(name.to_string()))
                } else {
                    Err(PolicyError::InvalidUsername)
                }
            }
        }
    }

    /// The login ID as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The longest password accepted. The product asks for at least 128; more would
/// only let a caller make the server hash megabytes.
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Passwords past this length are not run through the strength estimate,
/// whose cost grows with length; at this length guessing is not the risk.
const STRENGTH_CHECK_MAX_CHARS: usize = 64;

/// A new password that passed the site's policy: long enough, not too long,
/// not guessable. No composition rules (NIST SP 800-63B).
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// The words an attacker who knows whose account it is tries first: each
/// input whole, and its parts (an e-mail address's local part and domain
/// labels without the top level, names split at spaces, dots, hyphens,
/// underscores and plus signs), each part also run together
/// (`kessler-heating` gives `kessler`, `heating` and `kesslerheating`),
/// lowercased; parts of one or two letters are left out.
pub fn guessable_words(inputs: &[&str]) -> Vec<String> {
    let mut words = std::collections::BTreeSet::new();
    for input in inputs {
        let lower = input.trim().to_lowercase();
        if lower.is_empty() {
            continue;
        }
        words.insert(lower.clone());
        let (local, domain) = match lower.rsplit_once('@') {
            Some((local, domain)) => (local.to_string(), domain.to_string()),
            None => (lower.clone(), String::new()),
        };
        // The top-level domain (`.example`, `.de`) says nothing of the person.
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_parts = &labels[..labels.len().saturating_sub(1)];
        for chunk in std::iter::once(local.as_str()).chain(domain_parts.iter().copied()) {
            let parts: Vec<&str> = chunk
                .split(|c: char| !c.is_alphanumeric())
                .filter(|p| p.chars().count() > 2)
                .collect();
            words.insert(parts.concat());
            words.extend(parts.iter().map(|p| p.to_string()));
        }
    }
    words.retain(|w| w.chars().count() > 2);
    words.into_iter().collect()
}

/// Whether the letters of a password are nothing but guessable words
/// (digits and fewer than four other letters aside): `klausbecker1` for
/// Klaus Becker, which the strength estimate alone scores just strong
/// enough.
fn made_of(joined: &str, words: &[&str]) -> bool {
    let mut rest: String = joined
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    if rest.is_empty() {
        return false;
    }
    let mut longest_first: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| w.chars().all(char::is_alphabetic))
        .collect();
    longest_first.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    for word in longest_first {
        rest = rest.replace(word, "");
    }
    rest.chars().count() < 4
}

impl NewPassword {
    /// Checks a password; `user_inputs` (e-mail, names, login ID, company,
    /// site) and their parts ([`guessable_words`]) count as guessable words.
    pub fn parse(
        raw: &str,
        min_length: u32,
        user_inputs: &[&str],
    ) -> Result<NewPassword, PolicyError> {
        let chars = raw.chars().count();
        if chars < min_length as usize {
            return Err(PolicyError::PasswordTooShort(min_length));
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err(PolicyError::PasswordTooLong(PASSWORD_MAX_CHARS));
        }
        if chars <= STRENGTH_CHECK_MAX_CHARS {
            let words = guessable_words(user_inputs);
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            // Spaces and punctuation between guessable words add little for
            // an attacker who tries them (`jonas weber 2026`): the password
            // is judged as written and run together, by the weaker.
            let joined: String = raw.chars().filter(|c| c.is_alphanumeric()).collect();
            if made_of(&joined, &words) {
                return Err(PolicyError::PasswordTooWeak(
                    ": it is made of your own name or address".into(),
                ));
            }
            let written = zxcvbn::zxcvbn(raw, &words);
            let estimate = match joined.chars().count() {
                n if n == chars || n == 0 => written,
                _ => {
                    let run_together = zxcvbn::zxcvbn(&joined, &words);
                    if run_together.score() < written.score() {
                        run_together
                    } else {
                        written
                    }
                }
            };
            if (estimate.score() as u8) < 3 {
                let hint = estimate
                    .feedback()
                    .and_then(|f| f.warning())
                    .map(|w| format!(": {w}"))
                    .unwrap_or_else(|| ": add more words or characters".into());
                return Err(PolicyError::PasswordTooWeak(hint));
            }
        }
        Ok(NewPassword(raw.to_string()))
    }

    /// The password, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The key of a site, used in URLs (`/s/{site}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SiteKey(String);

impl SiteKey {
    /// Parses a site key: 1–32 of `a-z`, `0-9`, `-`, not starting with `-`.
    pub fn parse(raw: &str) -> Result<SiteKey, PolicyError> {
        let ok = (1..=32).contains(&raw.len())
            && !raw.starts_with('-')
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(SiteKey(raw.to_string()))
        } else {
            Err(PolicyError::InvalidSiteKey(raw.chars().take(40).collect()))
        }
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! serialize_as_str {
    ($($ty:ty),+) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )+};
}
serialize_as_str!(Email, LoginId, SiteKey);

/// Reads an optional whole number that JSON may write as `16` or `16.0`
/// (JSON Schema's `integer` allows both): the one rule for every body field
/// that counts something.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::Deserialize;
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                    .map(|f| f as i64)
            })
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_trimmed_and_their_domain_lowercased() {
        let e = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "Ada.Lovelace@example.com");
        assert_eq!(e.normalized(), "ada.lovelace@example.com");
    }

    #[test]
    fn bad_emails_are_refused_with_the_address_named() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@exa mple.com",
            "a@-x.com",
            "a..b@example.com",
            "a@example.123",
            "<a>@example.com",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert!(
                err.to_string().contains("is not a valid e-mail address"),
                "{bad}"
            );
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn the_default_login_id_is_the_normalised_email() {
        let id = LoginId::parse(" Ada@Example.com", LoginIdMode::Email).unwrap();
        assert_eq!(id.as_str(), "ada@example.com");
        assert!(LoginId::parse("ada", LoginIdMode::Email).is_err());
    }

    #[test]
    fn usernames_follow_the_policy() {
        for good in ["ada_l", "Ada.Lovelace-1", "a@b.c", &"x".repeat(31)] {
            assert!(
                LoginId::parse(good, LoginIdMode::Username).is_ok(),
                "{good}"
            );
        }
        for bad in ["abcd", &"x".repeat(32), "ada lovelace", "adä_l", "ada+l"] {
            assert_eq!(
                LoginId::parse(bad, LoginIdMode::Username),
                Err(PolicyError::InvalidUsername),
                "{bad}"
            );
        }
    }

    #[test]
    fn ones_own_name_in_any_form_is_guessable() {
        // The passwords that passed before the parts were given (each one's
        // owner as the page has them), and one that is the person's own
        // choice of unrelated words.
        let rows: [(&str, &[&str], bool); 5] = [
            (
                "KesslerHeating2026",
                &["anna.kessler@kessler-heating.example", "Anna", "Kessler"],
                false,
            ),
            (
                "jonas weber 2026",
                &["jonas.weber@kessler-heating.example"],
                false,
            ),
            (
                "klausbecker1",
                &["k.becker@example.org", "Klaus", "Becker"],
                false,
            ),
            ("KesslerHeating2026", &[], true),
            (
                "violet tractor under moonlight",
                &["anna.kessler@kessler-heating.example", "Anna", "Kessler"],
                true,
            ),
        ];
        for (password, inputs, accepted) in rows {
            assert_eq!(
                NewPassword::parse(password, 8, inputs).is_ok(),
                accepted,
                "{password} for {inputs:?}"
            );
        }
        assert_eq!(
            guessable_words(&["Anna.Kessler@kessler-heating.example", "Mary-Ann"]),
            [
                "ann",
                "anna",
                "anna.kessler@kessler-heating.example",
                "annakessler",
                "heating",
                "kessler",
                "kesslerheating",
                "mary",
                "mary-ann",
                "maryann"
            ]
        );
    }

    #[test]
    fn passwords_need_length_and_strength_but_no_composition() {
        assert_eq!(
            NewPassword::parse("short", 8, &[]),
            Err(PolicyError::PasswordTooShort(8))
        );
        assert!(matches!(
            NewPassword::parse("password1", 8, &[]),
            Err(PolicyError::PasswordTooWeak(_))
        ));
        // Guessable from the person's own data.
        assert!(matches!(
            NewPassword::parse("lovelace1815", 8, &["lovelace", "ada@example.com"]),
            Err(PolicyError::PasswordTooWeak(_))
        ));
        // Lowercase words only: accepted, no composition rules.
        assert!(NewPassword::parse("correct horse battery staple", 8, &[]).is_ok());
        assert!(NewPassword::parse(&"k".repeat(PASSWORD_MAX_CHARS), 8, &[]).is_ok());
        assert_eq!(
            NewPassword::parse(&"k".repeat(PASSWORD_MAX_CHARS + 1), 8, &[]),
            Err(PolicyError::PasswordTooLong(PASSWORD_MAX_CHARS))
        );
        assert_eq!(
            format!(
                "{:?}",
                NewPassword::parse("correct horse battery staple", 8, &[]).unwrap()
            ),
            "NewPassword(…)"
        );
    }

    #[test]
    fn site_keys_follow_the_policy() {
        assert!(SiteKey::parse("main").is_ok());
        assert!(SiteKey::parse("installer-portal-2").is_ok());
        for bad in ["", "Main", "-x", "a_b", "a b", &"a".repeat(33)] {
            assert!(SiteKey::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parsed_usernames_always_satisfy_the_policy(raw in "\\PC{0,40}") {
            if let Ok(id) = LoginId::parse(&raw, LoginIdMode::Username) {
                let s = id.as_str();
                prop_assert!((5..=31).contains(&s.chars().count()));
                prop_assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || "-_@.".contains(c)));
            }
        }

        #[test]
        fn email_login_ids_are_lowercase_and_parse_again_to_themselves(
            local in "[A-Za-z0-9._+-]{1,20}", domain in "[A-Za-z]{1,10}\\.[A-Za-z]{2,5}"
        ) {
            if let Ok(id) = LoginId::parse(&format!("{local}@{domain}"), LoginIdMode::Email) {
                prop_assert_eq!(id.as_str().to_lowercase(), id.as_str());
                let again = LoginId::parse(id.as_str(), LoginIdMode::Email).unwrap();
                prop_assert_eq!(again, id);
            }
        }
    }
}
