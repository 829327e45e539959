//! The apps of a site (OpenID Connect clients): register, list, read,
//! change, remove, and rotate a confidential app's secret. The secret is in
//! the answer of the call that made it, and nowhere else ever.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gatehouse_app::oidc::clients;

use super::Items;
use crate::error::ApiError;
use crate::extract::ApiCaller;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/sites/{site}/clients",
            get(list_clients).post(create_client),
        )
        .route(
            "/api/v1/sites/{site}/clients/{client_id}",
            get(get_client).patch(update_client).delete(delete_client),
        )
        .route(
            "/api/v1/sites/{site}/clients/{client_id}/secret",
            post(rotate_secret),
        )
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/clients",
    tag = "apps",
    summary = "The apps registered on a site",
    params(("site" = String, Path, description = "The site's key")),
    responses((status = 200, description = "The apps, by name", body = Items<clients::ClientView>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_clients(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(site): ApiPath<String>,
) -> Result<Response, ApiError> {
    let items = clients::list(&state.app, &caller, &site).await?;
    Ok(Json(Items { items }).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/clients",
    tag = "apps",
    summary = "Register an app (its secret is shown in this answer only)",
    params(("site" = String, Path, description = "The site's key")),
    request_body = clients::NewClient,
    responses((status = 201, description = "The app, with its secret if confidential", body = clients::WithSecret,
        headers(("location" = String, description = "The app's address")))),
    security(("bearer" = []))
)]
pub(crate) async fn create_client(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<clients::NewClient>,
) -> Result<Response, ApiError> {
    let made = clients::create(&state.app, &caller, &site, &body).await?;
    let mut response = (StatusCode::CREATED, Json(&made)).into_response();
    let location = format!("/api/v1/sites/{site}/clients/{}", made.client.client_id);
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/clients/{client_id}",
    tag = "apps",
    summary = "One app",
    params(("site" = String, Path, description = "The site's key"),
           ("client_id" = String, Path, description = "The app's client_id")),
    responses((status = 200, description = "The app", body = clients::ClientView)),
    security(("bearer" = []))
)]
pub(crate) async fn get_client(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((site, client_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(Json(clients::get(&state.app, &caller, &site, &client_id).await?).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/v1/sites/{site}/clients/{client_id}",
    tag = "apps",
    summary = "Change an app",
    params(("site" = String, Path, description = "The site's key"),
           ("client_id" = String, Path, description = "The app's client_id")),
    request_body = clients::ClientPatch,
    responses((status = 200, description = "The app as it is now", body = clients::ClientView)),
    security(("bearer" = []))
)]
pub(crate) async fn update_client(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((site, client_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<clients::ClientPatch>,
) -> Result<Response, ApiError> {
    Ok(Json(clients::update(&state.app, &caller, &site, &client_id, &body).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/sites/{site}/clients/{client_id}",
    tag = "apps",
    summary = "Remove an app with everything it was granted",
    params(("site" = String, Path, description = "The site's key"),
           ("client_id" = String, Path, description = "The app's client_id")),
    responses((status = 204, description = "Removed")),
    security(("bearer" = []))
)]
pub(crate) async fn delete_client(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((site, client_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    clients::delete(&state.app, &caller, &site, &client_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/clients/{client_id}/secret",
    tag = "apps",
    summary = "Make a new secret for a confidential app (the old one stops working; the new one is shown in this answer only)",
    params(("site" = String, Path, description = "The site's key"),
           ("client_id" = String, Path, description = "The app's client_id")),
    responses((status = 200, description = "The app with its new secret", body = clients::WithSecret)),
    security(("bearer" = []))
)]
pub(crate) async fn rotate_secret(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((site, client_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(Json(clients::rotate_secret(&state.app, &caller, &site, &client_id).await?).into_response())
}
