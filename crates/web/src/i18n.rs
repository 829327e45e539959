//! The portal's words in English and German: one flat table per language in
//! `i18n/{en,de}.toml`, handed to templates as `tr`. A test makes sure both
//! languages have every key.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use gatehouse_domain::Language;

type Table = BTreeMap<String, String>;

fn load(source: &str) -> Table {
    toml::from_str(source).unwrap_or_else(|e| {
        tracing::error!(error = %e, "a translation table does not parse");
        Table::new()
    })
}

static EN: LazyLock<Table> = LazyLock::new(|| load(include_str!("../i18n/en.toml")));
static DE: LazyLock<Table> = LazyLock::new(|| load(include_str!("../i18n/de.toml")));

/// The words of a language.
pub fn table(lang: Language) -> &'static Table {
    match lang {
        Language::En => &EN,
        Language::De => &DE,
    }
}

/// One word, or the key itself when missing (never a panic on a page).
pub fn word(lang: Language, key: &str) -> String {
    table(lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// Parses a language tag we speak.
pub fn parse(tag: &str) -> Option<Language> {
    match tag.trim().get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("en") => Some(Language::En),
        Some("de") => Some(Language::De),
        _ => None,
    }
}

/// The visitor's language: an explicit choice (query or cookie), else the
/// first of the browser's languages we speak, else the site's.
pub fn choose(explicit: Option<&str>, headers: &HeaderMap, site_default: Language) -> Language {
    if let Some(lang) = explicit.and_then(parse) {
        return lang;
    }
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|part| parse(part.split(';').next().unwrap_or("")))
        })
        .unwrap_or(site_default)
}

/// The German for the refusals the use cases word in English (keyed by how
/// the English begins); other languages and unknown texts are left as they are.
const GERMAN_REFUSALS: [(&str, &str); 14] = [
    ("is required", "ist erforderlich"),
    ("the password must be at least", "Das Passwort ist zu kurz"),
    ("the password must be at most", "Das Passwort ist zu lang"),
    (
        "the password is too easy to guess",
        "Das Passwort ist zu leicht zu erraten; verwenden Sie einige ungewöhnliche Wörter",
    ),
    (
        "a username must be",
        "Ein Benutzername besteht aus 5 bis 31 Buchstaben, Ziffern, - _ @ .",
    ),
    (
        "this username is taken",
        "Dieser Benutzername ist vergeben; wählen Sie einen anderen",
    ),
    (
        "the current password is not right",
        "Das aktuelle Passwort stimmt nicht",
    ),
    (
        "the new password must differ",
        "Das neue Passwort muss sich vom aktuellen unterscheiden",
    ),
    ("cannot be changed here", "kann hier nicht geändert werden"),
    (
        "must be an http",
        "muss eine http://- oder https://-Adresse sein",
    ),
    ("must be at most", "ist zu lang"),
    ("must be en or de", "muss en oder de sein"),
    (
        "must not contain control characters",
        "darf keine Steuerzeichen enthalten",
    ),
    ("must be text", "muss Text sein"),
];

/// A refusal's text in the visitor's language, as far as we have it.
pub fn refusal(lang: Language, english: &str) -> String {
    if lang == Language::De {
        let lower = english.to_lowercase();
        if lower.contains("is not a valid e-mail address") {
            return "Das ist keine gültige E-Mail-Adresse".into();
        }
        if let Some((_, german)) = GERMAN_REFUSALS.iter().find(|(en, _)| lower.starts_with(en)) {
            return (*german).to_string();
        }
    }
    english.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys_and_no_empty_words() {
        let en: Vec<_> = EN.keys().collect();
        let de: Vec<_> = DE.keys().collect();
        assert!(en.len() > 40, "the English table loaded");
        assert_eq!(en, de);
        assert!(EN.values().chain(DE.values()).all(|w| !w.trim().is_empty()));
    }

    #[test]
    fn refusals_are_put_into_german() {
        assert_eq!(
            refusal(
                Language::De,
                "the password must be at least 8 characters long"
            ),
            "Das Passwort ist zu kurz"
        );
        assert_eq!(
            refusal(Language::De, "'x' is not a valid e-mail address"),
            "Das ist keine gültige E-Mail-Adresse"
        );
        assert_eq!(refusal(Language::En, "is required"), "is required");
        assert_eq!(refusal(Language::De, "something new"), "something new");
    }

    #[test]
    fn the_language_follows_choice_then_browser_then_site() {
        let mut h = HeaderMap::new();
        h.insert(
            ACCEPT_LANGUAGE,
            "fr-CH, de-DE;q=0.8, en;q=0.5".parse().unwrap(),
        );
        assert_eq!(choose(None, &h, Language::En), Language::De);
        assert_eq!(choose(Some("en"), &h, Language::De), Language::En);
        assert_eq!(
            choose(Some("xx"), &HeaderMap::new(), Language::De),
            Language::De
        );
    }
}
