//! Staff calls of the JSON API for mail: the outbox and the e-mail templates.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gatehouse_app::mail::Parts;
use gatehouse_app::{outbox, templates};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, ApiJson};
use crate::staff::api_caller;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/outbox", get(list_outbox))
        .route("/api/v1/outbox/{id}/retry", post(retry_mail))
        .route("/api/v1/sites/{site}/templates", get(list_templates))
        .route(
            "/api/v1/sites/{site}/templates/{key}/{lang}",
            get(get_template).put(save_template).delete(reset_template),
        )
        .route(
            "/api/v1/sites/{site}/templates/{key}/{lang}/preview",
            post(preview_template),
        )
}

#[derive(Debug, Deserialize)]
struct OutboxQuery {
    status: Option<String>,
    limit: Option<i64>,
}

async fn list_outbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<OutboxQuery>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let items = outbox::list(
        &state.app,
        &caller,
        q.status.as_deref(),
        q.limit.unwrap_or(100),
    )
    .await?;
    Ok(Json(json!({ "items": items })).into_response())
}

async fn retry_mail(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(outbox::retry(&state.app, &caller, id).await?).into_response())
}

async fn list_templates(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(
        Json(json!({ "items": templates::list(&state.app, &caller, &site).await? }))
            .into_response(),
    )
}

async fn get_template(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, key, lang)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(templates::get(&state.app, &caller, &site, &key, &lang).await?).into_response())
}

async fn save_template(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, key, lang)): Path<(String, String, String)>,
    ApiJson(parts): ApiJson<Parts>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(
        Json(templates::save(&state.app, &caller, &site, &key, &lang, &parts).await?)
            .into_response(),
    )
}

async fn reset_template(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, key, lang)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(templates::reset(&state.app, &caller, &site, &key, &lang).await?).into_response())
}

async fn preview_template(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, key, lang)): Path<(String, String, String)>,
    ApiJson(parts): ApiJson<Parts>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let r = templates::preview(&state.app, &caller, &site, &key, &lang, &parts).await?;
    Ok(Json(json!({"subject": r.subject, "text": r.text, "html": r.html})).into_response())
}
