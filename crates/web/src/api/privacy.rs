//! Personal data: everything held about a customer as one JSON download
//! (for staff, and for the signed-in customer on their own portal), and
//! erasure.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;
use crate::extract::{ApiCaller, PortalCaller};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/customers/{id}/personal-data", get(customer_data))
        .route("/api/v1/customers/{id}/erasure", post(erase))
        .route("/api/v1/sites/{site}/me/personal-data", get(own_data))
}

/// A JSON document offered as a file to save.
pub(crate) fn download(value: serde_json::Value, filename: &str) -> Response {
    let mut response = Json(value).into_response();
    if let Ok(v) =
        axum::http::HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
    {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    response
}

#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}/personal-data",
    tag = "customers",
    summary = "Everything held about a customer, as one JSON document",
    description = "Profile, accounts with their sessions and app consents, audit events about them, and the mail sent to them (the newest 1 000 events and mails).",
    params(("id" = Uuid, Path, description = "The customer's ID")),
    responses((status = 200, description = "The document (offered as a file)", body = Object), (status = 404, description = "No such customer", body = crate::error::ErrorBody)),
    security(("bearer" = []))
)]
pub(crate) async fn customer_data(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let data = gatehouse_app::privacy::customer_data(&state.app, &caller, id).await?;
    Ok(download(data, &format!("personal-data-{id}.json")))
}

/// Why a customer is erased.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErasureRequest {
    /// The reason, kept in the audit trail (write no personal data in it).
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/customers/{id}/erasure",
    tag = "customers",
    summary = "Erase a customer's personal data for good (admins)",
    description = "Removes the customer, every account of theirs (with sessions, app sign-ins and consents), every mail to their addresses, and the personal data in audit events about them; one audit event records the erasure and its reason.",
    params(("id" = Uuid, Path, description = "The customer's ID")),
    request_body = ErasureRequest,
    responses((status = 200, description = "What was removed", body = gatehouse_app::privacy::ErasureReport), (status = 404, description = "No such customer", body = crate::error::ErrorBody)),
    security(("bearer" = []))
)]
pub(crate) async fn erase(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ErasureRequest>,
) -> Result<Response, ApiError> {
    let report = gatehouse_app::privacy::erase(&state.app, &caller, id, &body.reason).await?;
    Ok(Json(report).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/me/personal-data",
    tag = "portal",
    summary = "Everything held about the signed-in customer, as one JSON document",
    params(("site" = String, Path, description = "The site key")),
    responses((status = 200, description = "The document (offered as a file)", body = Object)),
    security(("portal_session" = []))
)]
pub(crate) async fn own_data(
    State(state): State<AppState>,
    PortalCaller(current): PortalCaller,
) -> Result<Response, ApiError> {
    let data = gatehouse_app::privacy::own_data(&state.app, &current).await?;
    Ok(download(data, "my-data.json"))
}
