//! Cross-site request forgery defence shared by every page form: a request
//! that changes state (anything but GET, HEAD, OPTIONS) is refused when the
//! browser says it comes from another site (`Sec-Fetch-Site: cross-site`) or
//! its `Origin` is not this server's. Per-session form tokens come on top
//! with sessions. Calls with a bearer token are exempt: a browser never sends
//! one by itself; so are the OpenID token and userinfo endpoints, which read
//! no cookie, and the authorization and logout endpoints, which an app's
//! page may POST to exactly as it may send the browser there with GET (OpenID
//! Connect Core §3.1.2.1, RP-Initiated Logout §2): a POST there does nothing
//! a GET would not. Portal API calls made with the session cookie are not.

use axum::extract::Request;
use axum::http::header::{CONNECTION, HOST, ORIGIN};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Whether a submitted form token is the expected one, compared in constant
/// time (the one comparison every form uses). An empty token never matches.
pub(crate) fn same(expected: &str, submitted: &str) -> bool {
    !expected.is_empty() && gatehouse_app::secrets::same(expected.as_bytes(), submitted.as_bytes())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The refusal of a cross-site request that changes state, if it is one.
/// `bearer` says the request carries a bearer token; `exempt` names the
/// paths whose POST carries no cookie-based authority (the router knows
/// them; this module knows none of its pages).
pub(crate) fn refusal(
    request: &Request,
    bearer: bool,
    exempt: fn(&str) -> bool,
) -> Option<Response> {
    let path = request.uri().path();
    if is_safe(request.method()) || bearer || exempt(path) {
        return None;
    }
    let headers = request.headers();
    let cross_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site");
    let origin_mismatch = match (headers.get(ORIGIN), headers.get(HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or("");
            let host = host.to_str().unwrap_or("");
            let origin_host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .unwrap_or("");
            origin_host != host
        }
        (Some(_), None) => true,
        (None, _) => false,
    };
    (cross_site || origin_mismatch).then(|| {
        let mut refused = ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site_request",
            "this form was sent from another site and was refused",
        )
        .into_response();
        // The body was never read: the connection cannot carry another
        // request, so say it closes (a client reusing it would fail).
        refused
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        refused
    })
}
