//! The per-address and per-account rate limits of the portal's and the
//! console's sign-in, registration and mail requests, checked in one place.

use gatehouse_app::portal::RequestMeta;

use crate::error::ApiError;
use crate::state::AppState;

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
