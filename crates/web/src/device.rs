//! A person's name for the device behind a User-Agent string ("Firefox on
//! Windows"), for session lists; the raw string stays on hover. Only the
//! common browsers and systems are named; anything else is "a browser" on
//! "an unknown system", never the raw string on its own.

use gatehouse_domain::Language;

/// The browser, or `None` when it is none of the common ones.
fn browser(ua: &str) -> Option<&'static str> {
    // Order matters: Edge and Opera also say "Chrome", Chrome also says
    // "Safari".
    [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .into_iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| name)
}

/// The operating system, or `None`.
fn system(ua: &str) -> Option<&'static str> {
    [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| name)
}

/// "Firefox on Windows" ("Firefox unter Windows"), "Safari on iOS",
/// "Chrome", "Windows"; `None` when neither is known.
pub fn label(lang: Language, ua: &str) -> Option<String> {
    match (browser(ua), system(ua)) {
        (Some(b), Some(s)) => Some(crate::i18n::text(
            lang,
            "device-on",
            &[("browser", b.to_string()), ("system", s.to_string())],
        )),
        (Some(b), None) => Some(b.to_string()),
        (None, Some(s)) => Some(s.to_string()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_and_systems_are_named() {
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
                Some("Firefox on Windows"),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                Some("Edge on Windows"),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                Some("Safari on iOS"),
            ),
            (
                "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                Some("Chrome on Android"),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                Some("Safari on macOS"),
            ),
            ("curl/8.5.0", Some("curl")),
            ("something else entirely", None),
        ];
        for (ua, want) in cases {
            assert_eq!(label(Language::En, ua).as_deref(), want, "{ua}");
        }
        assert_eq!(
            label(Language::De, cases[0].0).as_deref(),
            Some("Firefox unter Windows")
        );
    }
}
