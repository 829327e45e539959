//! Reading and writing the few cookies Gatehouse sets: the portal session (one
//! per site, so a customer may be signed in to two portals), the console
//! session, the anonymous forms' CSRF token, and the chosen language. Session
//! cookies are `HttpOnly` and `SameSite=Lax`, and `Secure` when the server is
//! told it is reached over TLS.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};

/// The session cookie of a portal site.
pub fn portal_session_name(site: &str) -> String {
    format!("gh_session_{site}")
}

/// The cookie of a portal sign-in half done (the second step to come).
pub fn sign_in_step_name(site: &str) -> String {
    format!("gh_step_{site}")
}

/// The double-submit CSRF cookie of forms shown before sign-in.
pub const FORM_CSRF: &str = "gh_csrf";

/// The language a visitor chose.
pub const LANGUAGE: &str = "gh_lang";

/// The value of a cookie sent with the request.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
}

/// How a cookie is set.
#[derive(Debug, Clone, Copy)]
pub struct CookieOptions {
    /// Add `Secure`.
    pub secure: bool,
}

fn header(line: String) -> Option<HeaderValue> {
    HeaderValue::from_str(&line).ok()
}

/// Adds a `Set-Cookie` that stores `value` for `max_age` seconds.
pub fn set(
    headers: &mut HeaderMap,
    options: CookieOptions,
    name: &str,
    value: &str,
    max_age: u64,
    http_only: bool,
) {
    let mut line = format!("{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax");
    if http_only {
        line.push_str("; HttpOnly");
    }
    if options.secure {
        line.push_str("; Secure");
    }
    if let Some(v) = header(line) {
        headers.append(SET_COOKIE, v);
    }
}

/// A fresh token for the double-submit CSRF cookie of anonymous forms, set
/// on `headers` (the one place that writes that cookie, so its flags are the
/// same on every page).
pub fn new_form_csrf(headers: &mut HeaderMap, options: CookieOptions) -> String {
    let token = gatehouse_app::secrets::new_token("");
    set(headers, options, FORM_CSRF, &token, 86_400, true);
    token
}

/// Adds a `Set-Cookie` that removes the cookie.
pub fn clear(headers: &mut HeaderMap, options: CookieOptions, name: &str) {
    set(headers, options, name, "", 0, true);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others_and_set_with_their_flags() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("a=1; gh_session_main=tok; b=2"),
        );
        assert_eq!(get(&h, "gh_session_main").as_deref(), Some("tok"));
        assert_eq!(get(&h, "gh_session"), None);
        let mut out = HeaderMap::new();
        set(&mut out, CookieOptions { secure: true }, "x", "v", 60, true);
        let line = out[SET_COOKIE].to_str().unwrap();
        assert_eq!(
            line,
            "x=v; Path=/; Max-Age=60; SameSite=Lax; HttpOnly; Secure"
        );
    }
}
