//! API tokens: list, create (the secret is shown once), revoke.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Items;
use crate::error::ApiError;
use crate::extract::ApiCaller;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/tokens/{id}", delete(revoke_token))
}

#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    tag = "tokens",
    summary = "API tokens",
    responses((status = 200, description = "Every token (never its secret)", body = Items<gatehouse_app::api_tokens::TokenView>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_tokens(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Response, ApiError> {
    Ok(Json(Items {
        items: gatehouse_app::api_tokens::list(&state.app, &caller).await?,
    })
    .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct TokenBody {
    /// The staff user the token acts as (e-mail address; default: the caller).
    #[schema(format = Email)]
    staff: Option<String>,
    /// A name to recognise it by.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "[^\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]"
    )]
    name: String,
    /// `read`, `write`, `admin` (default: all the staff user's role allows).
    #[serde(default)]
    #[schema(value_type = Vec<gatehouse_domain::Scope>)]
    scopes: Vec<String>,
    /// When it stops working (RFC 3339; never by default).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<time::OffsetDateTime>,
}

#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    tag = "tokens",
    summary = "Create an API token (its secret is shown once)",
    request_body = TokenBody,
    responses((status = 201, description = "The token and its secret", body = TokenCreated)),
    security(("bearer" = []))
)]
pub(crate) async fn create_token(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<Response, ApiError> {
    let staff = body
        .staff
        .clone()
        .unwrap_or_else(|| caller.staff.email.clone());
    let made = gatehouse_app::api_tokens::create(
        &state.app,
        &caller,
        &staff,
        &body.name,
        &body.scopes,
        body.expires_at,
    )
    .await?;
    let view = gatehouse_app::api_tokens::TokenView::from(&made.token);
    Ok((
        axum::http::StatusCode::CREATED,
        Json(TokenCreated {
            token: view,
            secret: made.secret,
        }),
    )
        .into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "tokens",
    summary = "Revoke an API token",
    params(("id" = Uuid, Path, description = "The token's ID")),
    responses((status = 204, description = "Revoked")),
    security(("bearer" = []))
)]
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    gatehouse_app::api_tokens::revoke(&state.app, &caller, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// A token just made: its secret is shown here and never again.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TokenCreated {
    token: gatehouse_app::api_tokens::TokenView,
    /// Send as `Authorization: Bearer <secret>`.
    secret: String,
}
