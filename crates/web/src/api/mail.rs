//! Staff calls for mail: the outbox (list, send a failed message again) and
//! each site's e-mail templates (read, change, go back to the shipped one,
//! preview on sample data).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::Items;
use crate::error::ApiError;
use crate::extract::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use gatehouse_app::mail::Parts;
use gatehouse_app::{outbox, templates};

pub(super) fn routes() -> Router<AppState> {
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct OutboxQuery {
    /// Only messages of this status; all when absent or empty.
    #[param(pattern = "^(pending|sent|failed)?$")]
    status: Option<String>,
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/outbox",
    tag = "mail",
    summary = "The outbox",
    params(OutboxQuery),
    responses((status = 200, description = "Messages, newest first", body = Items<gatehouse_app::outbox::OutboxItem>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_outbox(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Response, ApiError> {
    let items = outbox::list(
        &state.app,
        &caller,
        q.status.as_deref().filter(|s| !s.is_empty()),
        q.limit.unwrap_or(100),
    )
    .await?;
    Ok(Json(Items { items }).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/outbox/{id}/retry",
    tag = "mail",
    summary = "Send a failed message again",
    params(("id" = Uuid, Path, description = "The message's ID")),
    responses((status = 200, description = "The message, due again", body = gatehouse_app::outbox::OutboxItem)),
    security(("bearer" = []))
)]
pub(crate) async fn retry_mail(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    Ok(Json(outbox::retry(&state.app, &caller, id).await?).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/templates",
    tag = "mail",
    summary = "A site's e-mail templates",
    params(("site" = String, Path, description = "The site key")),
    responses((status = 200, description = "Every message and language", body = Items<gatehouse_app::templates::TemplateView>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_templates(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(site): ApiPath<String>,
) -> Result<Response, ApiError> {
    Ok(Json(Items {
        items: templates::list(&state.app, &caller, &site).await?,
    })
    .into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/templates/{key}/{lang}",
    tag = "mail",
    summary = "One e-mail template",
    params(("site" = String, Path, description = "The site key"), ("key" = String, Path, description = "The message: activation, approved, declined, welcome, password_reset, password_changed, account_locked, registration_notice, two_step_off, passkey_removed, two_step_reset"), ("lang" = String, Path, description = "en or de")),
    responses((status = 200, description = "The template in force", body = gatehouse_app::templates::TemplateView)),
    security(("bearer" = []))
)]
pub(crate) async fn get_template(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((site, key, lang)): ApiPath<(String, String, String)>,
) -> Result<Response, ApiError> {
    Ok(Json(templates::get(&state.app, &caller, &site, &key, &lang).await?).into_response())
}

#[utoipa::path(
    put,
    path = "/api/v1/sites/{site}/templates/{key}/{lang}",
    tag = "mail",
    summary = "Change an e-mail template (refused when it does not render)",
    params(("site" = String, Path, description = "The site key"), ("key" = String, Path, description = "The message: activation, approved, declined, welcome, password_reset, password_changed, account_locked, registration_notice, two_step_off, passkey_removed, two_step_reset"), ("lang" = String, Path, description = "en or de")),
    request_body = gatehouse_app::mail::Parts,
    responses((status = 200, description = "The template in force", body = gatehouse_app::templates::TemplateView)),
    security(("bearer" = []))
)]
pub(crate) async fn save_template(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((site, key, lang)): ApiPath<(String, String, String)>,
    ApiJson(parts): ApiJson<Parts>,
) -> Result<Response, ApiError> {
    Ok(
        Json(templates::save(&state.app, &caller, &site, &key, &lang, &parts).await?)
            .into_response(),
    )
}

#[utoipa::path(
    delete,
    path = "/api/v1/sites/{site}/templates/{key}/{lang}",
    tag = "mail",
    summary = "Go back to the shipped template",
    params(("site" = String, Path, description = "The site key"), ("key" = String, Path, description = "The message: activation, approved, declined, welcome, password_reset, password_changed, account_locked, registration_notice, two_step_off, passkey_removed, two_step_reset"), ("lang" = String, Path, description = "en or de")),
    responses((status = 200, description = "The template in force", body = gatehouse_app::templates::TemplateView)),
    security(("bearer" = []))
)]
pub(crate) async fn reset_template(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((site, key, lang)): ApiPath<(String, String, String)>,
) -> Result<Response, ApiError> {
    Ok(Json(templates::reset(&state.app, &caller, &site, &key, &lang).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/templates/{key}/{lang}/preview",
    tag = "mail",
    summary = "Render a template on sample data",
    params(("site" = String, Path, description = "The site key"), ("key" = String, Path, description = "The message: activation, approved, declined, welcome, password_reset, password_changed, account_locked, registration_notice, two_step_off, passkey_removed, two_step_reset"), ("lang" = String, Path, description = "en or de")),
    request_body = gatehouse_app::mail::Parts,
    responses((status = 200, description = "The rendered message", body = Preview)),
    security(("bearer" = []))
)]
pub(crate) async fn preview_template(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((site, key, lang)): ApiPath<(String, String, String)>,
    ApiJson(parts): ApiJson<Parts>,
) -> Result<Response, ApiError> {
    let r = templates::preview(&state.app, &caller, &site, &key, &lang, &parts).await?;
    Ok(Json(Preview {
        subject: r.subject,
        text: r.text,
        html: r.html,
    })
    .into_response())
}

/// A rendered template.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Preview {
    subject: String,
    text: String,
    html: String,
}
