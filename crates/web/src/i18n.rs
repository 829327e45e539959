//! Words in English and German by message ID, with Project Fluent's
//! arguments and plural rules: one catalogue per language in
//! `i18n/{en,de}.ftl`, compiled into the binary. Pages look words up with
//! the templates' `t(id, name=value)` function (see `pages.rs`); refusals
//! carry their message ID from the use case ([`gatehouse_domain::Words`]), so
//! rewording the English never loses a translation. A test fails when a
//! language lacks an ID that another has.
//!
//! A missing ID falls back to English, then to the ID itself: a page never
//! fails over a word.

use std::sync::LazyLock;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use gatehouse_domain::{Language, Words};

type Bundle = FluentBundle<FluentResource>;

/// Every language's catalogue, as shipped.
const SOURCES: [(Language, &str); 2] = [
    (Language::En, include_str!("../i18n/en.ftl")),
    (Language::De, include_str!("../i18n/de.ftl")),
];

fn load(lang: Language, source: &str) -> Bundle {
    let tag = lang.as_str().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // Plain text and HTML pages: no Unicode isolation marks around values.
    bundle.set_use_isolating(false);
    let resource =
        FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, errors)| {
            tracing::error!(
                ?errors,
                language = lang.as_str(),
                "a message catalogue has errors"
            );
            partial
        });
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(
            ?errors,
            language = lang.as_str(),
            "a message catalogue repeats an ID"
        );
    }
    bundle
}

static EN: LazyLock<Bundle> = LazyLock::new(|| load(Language::En, SOURCES[0].1));
static DE: LazyLock<Bundle> = LazyLock::new(|| load(Language::De, SOURCES[1].1));

fn bundle(lang: Language) -> &'static Bundle {
    match lang {
        Language::En => &EN,
        Language::De => &DE,
    }
}

/// An argument as Fluent takes it: a whole count (`0`, `37`) as a number,
/// so plural rules apply; anything else (a login ID of `007`, `1e5` or `inf`)
/// as the text it is.
fn value(raw: &str) -> FluentValue<'static> {
    let count = !raw.is_empty()
        && raw.len() < 16
        && raw.bytes().all(|b| b.is_ascii_digit())
        && (raw == "0" || !raw.starts_with('0'));
    match raw.parse::<f64>() {
        Ok(n) if count => FluentValue::from(n),
        _ => FluentValue::from(raw.to_string()),
    }
}

fn format(bundle: &Bundle, id: &str, args: &[(&str, String)]) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut fluent_args = FluentArgs::new();
    for (name, v) in args {
        fluent_args.set(name.to_string(), value(v));
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    if !errors.is_empty() {
        tracing::warn!(?errors, id, "a message was formatted with errors");
    }
    Some(text.into_owned())
}

/// The words of a message in a language, with arguments: English when the
/// language lacks it, the ID when English does too.
pub fn text(lang: Language, id: &str, args: &[(&str, String)]) -> String {
    format(bundle(lang), id, args)
        .or_else(|| format(&EN, id, args))
        .unwrap_or_else(|| id.to_string())
}

/// One word without arguments.
pub fn word(lang: Language, id: &str) -> String {
    text(lang, id, &[])
}

/// A refusal in the reader's language: by its words when it has them,
/// otherwise the English the use case wrote.
pub fn refusal(lang: Language, english: &str, words: Option<&Words>) -> String {
    match words {
        Some(w) => text(lang, w.id, &w.args),
        None => english.to_string(),
    }
}

/// The message IDs of a language's catalogue, sorted.
pub fn ids(lang: Language) -> Vec<String> {
    let source = SOURCES
        .iter()
        .find(|(l, _)| *l == lang)
        .map_or("", |(_, s)| *s);
    let mut ids: Vec<String> = match FluentResource::try_new(source.to_string()) {
        Ok(r) | Err((r, _)) => r
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect(),
    };
    ids.sort();
    ids
}

/// A moment as people of `lang` write it, in UTC ("4 Dec 2026, 17:36 UTC",
/// "04.12.2026, 17:36 UTC").
pub fn when(lang: Language, t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let format = match lang {
        Language::En => time::macros::format_description!(
            "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
        ),
        Language::De => {
            time::macros::format_description!("[day].[month].[year], [hour]:[minute] UTC")
        }
    };
    t.format(&format).unwrap_or_default()
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
    fn every_language_has_every_id_and_each_parses_whole() {
        for (lang, source) in SOURCES {
            let resource = FluentResource::try_new(source.to_string());
            assert!(resource.is_ok(), "{} parses without errors", lang.as_str());
            // An ID given twice keeps its first text and hides the second.
            let mut bundle = FluentBundle::new_concurrent(vec![lang.as_str().parse().unwrap()]);
            if let Ok(resource) = resource {
                assert_eq!(
                    bundle.add_resource(resource).map_err(|e| format!("{e:?}")),
                    Ok(()),
                    "{} repeats no ID",
                    lang.as_str()
                );
            }
        }
        let en = ids(Language::En);
        assert!(en.len() > 60, "the English catalogue loaded: {}", en.len());
        for (lang, _) in SOURCES {
            let other = ids(lang);
            let missing: Vec<_> = en.iter().filter(|id| !other.contains(id)).collect();
            let extra: Vec<_> = other.iter().filter(|id| !en.contains(id)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{} lacks {missing:?} and has {extra:?} that English lacks",
                lang.as_str()
            );
            for id in &other {
                assert!(!word(lang, id).trim().is_empty(), "{id} is empty");
            }
        }
    }

    #[test]
    fn every_customer_field_has_its_words() {
        let en = ids(Language::En);
        for f in gatehouse_app::customers::CustomerPatch::FIELDS {
            let id = format!("customer-field-{}", f.name);
            assert!(en.contains(&id), "{id} is missing");
        }
    }

    #[test]
    fn an_apps_refusals_say_in_english_what_the_api_says_and_in_every_language() {
        use gatehouse_domain::oidc::{
            ClientType, GrantType, UriRefusal, check_grant_types, check_redirect_uri,
        };
        let mut refusals: Vec<(String, gatehouse_domain::Words)> = [
            "shop",
            "https://shop.example/#x",
            "http://shop.example/cb",
            "data.x:text/html",
            "https://me:pw@shop.example/cb",
        ]
        .iter()
        .map(|uri| {
            let e: UriRefusal = check_redirect_uri(uri).unwrap_err();
            (e.to_string(), e.words())
        })
        .collect();
        for (kind, grants) in [
            (ClientType::Public, vec![GrantType::ClientCredentials]),
            (ClientType::Confidential, vec![]),
        ] {
            let e = check_grant_types(kind, &grants).unwrap_err();
            refusals.push((e.message.clone(), e.words.unwrap()));
        }
        assert_eq!(refusals.len(), 7);
        for (english, words) in &refusals {
            assert_eq!(
                &refusal(Language::En, english, Some(words)),
                english,
                "{}",
                words.id
            );
            let german = refusal(Language::De, english, Some(words));
            assert!(
                german != *english && !german.contains(words.id),
                "{}: {german}",
                words.id
            );
        }
    }

    #[test]
    fn only_whole_counts_become_numbers() {
        let banner = |login: &str| {
            text(
                Language::En,
                "impersonation_banner",
                &[("login", login.into())],
            )
        };
        for login in ["007", "1e5", "inf", "12.50"] {
            assert!(
                banner(login).contains(&format!(" as {login}.")),
                "{login}: {}",
                banner(login)
            );
        }
        let say = |n: &str| text(Language::En, "c-customers-total", &[("count", n.into())]);
        assert_eq!(say("0"), "0 customers");
        assert_eq!(say("12345"), "12345 customers");
    }

    #[test]
    fn counts_take_the_plural_rules_of_each_language() {
        let say = |lang, n: i64| text(lang, "c-customers-total", &[("count", n.to_string())]);
        assert_eq!(say(Language::En, 1), "1 customer");
        assert_eq!(say(Language::En, 2), "2 customers");
        assert_eq!(say(Language::De, 1), "1 Kunde");
        assert_eq!(say(Language::De, 37), "37 Kunden");
    }

    #[test]
    fn refusals_are_said_by_their_id_with_arguments() {
        let short = gatehouse_domain::PolicyError::PasswordTooShort(8);
        let words = short.words();
        assert_eq!(
            refusal(Language::De, &short.to_string(), Some(&words)),
            "Das Passwort ist zu kurz: es braucht mindestens 8 Zeichen"
        );
        assert_eq!(
            refusal(Language::En, &short.to_string(), Some(&words)),
            short.to_string(),
            "the catalogue's English is the use case's"
        );
        let email = gatehouse_domain::Email::parse("x").unwrap_err();
        assert_eq!(
            refusal(Language::De, &email.to_string(), Some(&email.words())),
            "Das ist keine gültige E-Mail-Adresse"
        );
        assert_eq!(
            refusal(Language::De, "something new", None),
            "something new"
        );
        assert_eq!(text(Language::De, "no-such-id", &[]), "no-such-id");
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
