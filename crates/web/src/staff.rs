//! Who a staff request comes from: an API token (`Authorization: Bearer …`)
//! or a console session (its own cookie, never a customer's). The permission
//! check itself is `StaffCaller::require` in the app layer.

use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use gatehouse_app::staff_auth::{self, StaffCaller};

use crate::AppState;
use crate::cookies;
use crate::error::ApiError;

/// The console session cookie.
pub const CONSOLE_COOKIE: &str = "gh_console";

/// The bearer token of a request, if it carries one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The staff caller of an API request, or 401.
pub(crate) async fn api_caller(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<StaffCaller, ApiError> {
    let found = if let Some(token) = bearer(headers) {
        staff_auth::by_token(&state.app, token)
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "the API token is unknown, revoked or expired",
                )
            })
    } else {
        match cookies::get(headers, CONSOLE_COOKIE) {
            Some(token) => staff_auth::by_session(&state.app, &token)
                .await?
                .ok_or_else(ApiError::not_signed_in),
            None => Err(ApiError::not_signed_in()),
        }
    };
    found.map(|caller| StaffCaller {
        ip: crate::client::ip(headers),
        ..caller
    })
}
