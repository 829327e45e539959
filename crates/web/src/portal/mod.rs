//! The customer portal of each site: pages under `/s/{site}/…` (working
//! without JavaScript, English and German) and the same operations as JSON
//! under `/api/v1/sites/{site}/…`. Both call the same use cases in
//! `gatehouse_app::portal`; this module only translates HTTP.
//!
//! Invariants owned here:
//! - The session cookie is per site, `HttpOnly`, `SameSite=Lax`, `Secure`
//!   when configured, and replaced at every sign-in.
//! - Every page form carries a CSRF token: the session's once signed in, a
//!   double-submit cookie's before; the origin check of `csrf.rs` applies too.
//! - Unauthenticated calls that cost a hash or send mail are rate-limited per
//!   client address and per account.

pub(crate) mod api;
mod pages;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;
use gatehouse_app::portal::RequestMeta;

use crate::AppState;
use crate::error::ApiError;

/// The portal's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().merge(pages::routes()).merge(api::routes())
}

/// Who is asking.
pub(crate) fn request_meta(
    headers: &HeaderMap,
    peer: Option<&ConnectInfo<SocketAddr>>,
) -> RequestMeta {
    RequestMeta {
        ip: crate::client::ip(headers).or_else(|| peer.map(|p| p.0.ip().to_string())),
        user_agent: headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}

/// Takes one request from the client's and (when given) the account's budget.
pub(crate) fn rate_limit(
    state: &AppState,
    meta: &RequestMeta,
    site: &str,
    account_key: Option<&str>,
) -> Result<(), ApiError> {
    let ip = meta.ip.as_deref().unwrap_or("unknown");
    state
        .limiter
        .check(&format!("ip:{ip}"), state.limits.per_ip)
        .map_err(ApiError::rate_limited)?;
    if let Some(key) = account_key {
        let key = key.trim().to_lowercase();
        state
            .limiter
            .check(&format!("account:{site}:{key}"), state.limits.per_account)
            .map_err(ApiError::rate_limited)?;
    }
    Ok(())
}
