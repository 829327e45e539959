//! Sites and their settings.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

use super::Items;
use crate::error::ApiError;
use crate::extract::ApiCaller;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sites", get(list_sites).post(create_site))
        .route(
            "/api/v1/sites/{site}/settings",
            get(site_settings).patch(patch_site_settings),
        )
}

#[utoipa::path(
    get,
    path = "/api/v1/sites",
    tag = "sites",
    summary = "Sites",
    responses((status = 200, description = "Every site", body = Items<gatehouse_app::wire::Site>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_sites(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Response, ApiError> {
    let sites = gatehouse_app::sites::list(&state.app, &caller).await?;
    let items: Vec<gatehouse_app::wire::Site> = sites.into_iter().map(Into::into).collect();
    Ok(Json(Items { items }).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct SiteBody {
    /// 1–32 of `a-z`, `0-9`, `-`, not starting with `-`; the site's address
    /// is `/s/{key}/`.
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,31}$")]
    key: String,
    /// Shown to customers.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "[^\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]"
    )]
    name: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites",
    tag = "sites",
    summary = "Add a site",
    request_body = SiteBody,
    responses((status = 201, description = "The site with default settings", body = gatehouse_app::wire::Site)),
    security(("bearer" = []))
)]
pub(crate) async fn create_site(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<SiteBody>,
) -> Result<Response, ApiError> {
    let site = gatehouse_app::sites::create(&state.app, &caller, &body.key, &body.name).await?;
    let site = gatehouse_app::wire::Site::from(site);
    Ok((axum::http::StatusCode::CREATED, Json(site)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/settings",
    tag = "sites",
    summary = "A site's settings",
    params(("site" = String, Path, description = "The site key")),
    responses((status = 200, description = "The settings", body = gatehouse_domain::SiteSettings)),
    security(("bearer" = []))
)]
pub(crate) async fn site_settings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(site): ApiPath<String>,
) -> Result<Response, ApiError> {
    Ok(Json(gatehouse_app::sites::settings(&state.app, &caller, &site).await?).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/v1/sites/{site}/settings",
    tag = "sites",
    summary = "Change some of a site's settings (all or nothing)",
    params(("site" = String, Path, description = "The site key")),
    request_body = gatehouse_domain::SiteSettings,
    responses((status = 200, description = "The settings after the change", body = gatehouse_domain::SiteSettings)),
    security(("bearer" = []))
)]
pub(crate) async fn patch_site_settings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(site): ApiPath<String>,
    ApiJson(patch): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    Ok(
        Json(gatehouse_app::sites::patch_settings(&state.app, &caller, &site, &patch).await?)
            .into_response(),
    )
}
