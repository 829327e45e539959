//! Recovery codes: ten single-use codes that stand in for the authenticator
//! app's code when the phone is lost, for staff and customers alike. Shown
//! once when made, kept only as SHA-256 hashes; what a person types is
//! matched in any case, with or without the dash and spaces.

use crate::secrets;

/// How many recovery codes a person gets at a time.
pub const COUNT: usize = 10;

/// The letters of a recovery code: no 0/o, 1/l/i to mix up.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// New recovery codes: what is shown once (`abcde-fghjk`), and the hashes
/// kept.
pub(crate) fn new() -> (Vec<String>, Vec<Vec<u8>>) {
    use rand::Rng as _;
    let mut rng = rand::rng();
    let codes: Vec<String> = (0..COUNT)
        .map(|_| {
            let raw: String = (0..10)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect();
            format!("{}-{}", &raw[..5], &raw[5..])
        })
        .collect();
    let hashes = codes.iter().filter_map(|c| hash_of(c)).collect();
    (codes, hashes)
}

/// The stored hash of what was typed, if it has the shape of a recovery
/// code.
pub(crate) fn hash_of(typed: &str) -> Option<Vec<u8>> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    let shaped = code.len() == 10 && code.bytes().all(|b| ALPHABET.contains(&b));
    shaped.then(|| secrets::token_hash(&code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_typed_loosely() {
        let (codes, hashes) = new();
        assert_eq!(codes.len(), COUNT);
        assert_eq!(hashes.len(), COUNT);
        let unique: std::collections::HashSet<_> = hashes.iter().collect();
        assert_eq!(unique.len(), COUNT, "ten different codes");
        let first = &codes[0];
        let loose = format!(" {} ", first.replace('-', " ").to_uppercase());
        assert_eq!(hash_of(&loose).as_ref(), Some(&hashes[0]));
        assert_eq!(
            hash_of("123456"),
            None,
            "an app's code is not a recovery code"
        );
        assert_eq!(hash_of("abcde-fghi0"), None, "0 is not in the alphabet");
    }
}
