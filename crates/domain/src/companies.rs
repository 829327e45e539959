//! Company names: what makes two spellings the same company. One company per
//! [`company_key`]; the migration from free text merges by it, and a new
//! company whose key is taken is refused with the existing one offered.

/// The key two company names share when they name the same company: case,
/// surrounding spaces, inner runs of spaces and trailing full stops do not
/// count ("Engines Ltd", "Engines Ltd." and " engines  ltd " are one).
pub fn company_key(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let joined = words.join(" ");
    joined.trim_end_matches('.').trim_end().to_lowercase()
}

/// A company name as it is kept: trimmed, inner runs of spaces as one; the
/// spelling (case, full stop) is the one given.
pub fn company_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_that_differ_only_in_case_spaces_or_a_full_stop_are_one_company() {
        let one = [
            "Engines Ltd",
            "Engines Ltd.",
            "engines ltd",
            "  ENGINES   Ltd. ",
            "Engines Ltd..",
        ];
        for name in one {
            assert_eq!(company_key(name), "engines ltd", "{name:?}");
        }
        for other in [
            "Engines Ltd (UK)",
            "Engine Ltd",
            "Engines GmbH",
            "Engines L.t.d",
        ] {
            assert_ne!(company_key(other), "engines ltd", "{other:?}");
        }
        assert_eq!(company_key("Müller GmbH"), company_key("MÜLLER gmbh."));
        assert_eq!(company_key("  . "), "");
    }

    #[test]
    fn a_name_is_kept_as_spelled_without_stray_spaces() {
        assert_eq!(company_name("  Engines   Ltd. "), "Engines Ltd.");
    }
}
