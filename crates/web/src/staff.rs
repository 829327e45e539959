//! How a staff request names its staff user: an API token (`Authorization:
//! Bearer …`) or a console session (its own cookie, never a customer's). The
//! extractors of `crate::extract` read them; the permission check itself is
//! `StaffCaller::require` in the app layer.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

/// The console session cookie.
pub const CONSOLE_COOKIE: &str = "gh_console";

/// The bearer token of a request, if it carries one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    // The scheme's name is case-insensitive (RFC 9110 §11.1).
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}
