//! The customer portal of each site: pages under `/s/{site}/…` (working
//! without JavaScript, English and German). The same operations as JSON are
//! `crate::api::portal`; both call the use cases in `gatehouse_app::portal`
//! and share the rate limit here.
//!
//! Invariants owned here:
//! - The session cookie is per site, `HttpOnly`, `SameSite=Lax`, `Secure`
//!   when configured, and replaced at every sign-in.
//! - Every page form carries a CSRF token: the session's once signed in, a
//!   double-submit cookie's before; the origin check of `csrf.rs` applies too.
//! - Unauthenticated calls that cost a hash or send mail are rate-limited per
//!   client address and per account.

mod pages;

use axum::Router;
use gatehouse_app::portal::RequestMeta;

use crate::AppState;
use crate::error::ApiError;

/// The portal's routes.
pub(crate) fn routes() -> Router<AppState> {
    pages::routes()
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
