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
