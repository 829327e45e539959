//! The OpenID provider's signing keys: list them, and rotate (a new key,
//! published first and signing after the time asked for).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gatehouse_app::oidc::keys;

use super::Items;
use crate::error::ApiError;
use crate::extract::ApiCaller;
use crate::extract::ApiJson;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/signing-keys", get(list_keys))
        .route("/api/v1/signing-keys/rotate", post(rotate_keys))
}

#[utoipa::path(
    get,
    path = "/api/v1/signing-keys",
    tag = "apps",
    summary = "The keys ID and access tokens are signed with (public parts only)",
    responses((status = 200, description = "The keys, newest first", body = Items<keys::KeyView>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_keys(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Response, ApiError> {
    let items = keys::list(&state.app, &caller).await?;
    Ok(Json(Items { items }).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/signing-keys/rotate",
    tag = "apps",
    summary = "Make a new signing key of each algorithm (ES256, RS256): published now, signing after publish_ahead_seconds; the keys they replace stay published until their tokens expired",
    request_body = keys::Rotation,
    responses((status = 200, description = "The new keys, one per algorithm", body = Items<keys::KeyView>)),
    security(("bearer" = []))
)]
pub(crate) async fn rotate_keys(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<keys::Rotation>,
) -> Result<Response, ApiError> {
    let items = keys::rotate(&state.app, &caller, &body).await?;
    Ok(Json(Items { items }).into_response())
}
