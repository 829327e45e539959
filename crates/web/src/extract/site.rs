//! The site a request is about: `{site}` in its path, resolved once per
//! request ([`gatehouse_app::sites::resolve`], a recent copy while no site
//! changed) and handed to the handler as a value, which passes it on to
//! the use case. Portal pages, the portal's JSON calls and the OpenID
//! endpoints all resolve it here.

use std::sync::Arc;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use gatehouse_app::{AppError, AppResult, sites};
use gatehouse_store::Site;

use crate::error::ApiError;
use crate::state::AppState;

/// The key in the path under `/…/{site}/…`, if the route has one.
pub(crate) fn key_in_path(params: &RawPathParams) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| *k == "site")
        .map(|(_, v)| v.to_string())
}

/// The site named by the request's path, or not found.
pub(crate) async fn in_path(parts: &mut Parts, state: &AppState) -> AppResult<Arc<Site>> {
    let key = RawPathParams::from_request_parts(parts, state)
        .await
        .ok()
        .and_then(|p| key_in_path(&p))
        .unwrap_or_default();
    sites::resolve(&state.app, &key).await
}

/// The site of the path; an unknown one answers 404 in the API's error body.
#[derive(Debug, Clone)]
pub(crate) struct SiteInPath(pub Arc<Site>);

impl FromRequestParts<AppState> for SiteInPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        in_path(parts, state)
            .await
            .map(SiteInPath)
            .map_err(|e: AppError| ApiError::from(e))
    }
}
