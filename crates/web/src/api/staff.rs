//! Staff users (list, invite, change role or switch off) and the
//! installation's settings.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Items;
use crate::error::ApiError;
use crate::extract::ApiCaller;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/staff", get(list_staff).post(invite_staff))
        .route("/api/v1/staff/{id}", patch(update_staff))
        .route("/api/v1/staff/{id}/reset", post(reset_staff))
        .route("/api/v1/settings", get(get_settings).put(put_settings))
}

#[utoipa::path(
    get,
    path = "/api/v1/staff",
    tag = "staff",
    summary = "Staff users",
    responses((status = 200, description = "Every staff user", body = Items<gatehouse_app::staff::StaffView>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_staff(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Response, ApiError> {
    Ok(Json(Items {
        items: gatehouse_app::staff::list(&state.app, &caller).await?,
    })
    .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct InviteBody {
    #[schema(format = Email)]
    email: String,
    role: gatehouse_domain::StaffRole,
}

#[utoipa::path(
    post,
    path = "/api/v1/staff",
    tag = "staff",
    summary = "Invite a staff user (a set-password link is mailed)",
    request_body = InviteBody,
    responses((status = 201, description = "The invitation", body = gatehouse_app::staff::StaffInvitation)),
    security(("bearer" = []))
)]
pub(crate) async fn invite_staff(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<Response, ApiError> {
    let invitation =
        gatehouse_app::staff::invite(&state.app, &caller, &body.email, body.role).await?;
    Ok((axum::http::StatusCode::CREATED, Json(invitation)).into_response())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StaffResetBody {
    /// Also turn their authenticator app off (a lost phone); their sessions
    /// end at once.
    #[serde(default)]
    remove_second_factor: bool,
}

#[utoipa::path(
    post,
    path = "/api/v1/staff/{id}/reset",
    tag = "staff",
    summary = "A single-use link (24 hours) for a staff user to choose a new password",
    description = "For a colleague who lost the password or the phone: the link is answered once, \
                   to hand on; their older links stop working, and setting the new password ends \
                   their sessions. Admins only; audited.",
    params(("id" = Uuid, Path, description = "The staff user's ID")),
    request_body = StaffResetBody,
    responses((status = 200, description = "The link", body = gatehouse_app::staff::Reset)),
    security(("bearer" = []))
)]
pub(crate) async fn reset_staff(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<StaffResetBody>,
) -> Result<Response, ApiError> {
    let reset = gatehouse_app::staff::reset_colleague(
        &state.app,
        &caller,
        id,
        body.remove_second_factor,
        gatehouse_domain::Language::En,
    )
    .await?;
    Ok(Json(reset).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct StaffPatch {
    role: gatehouse_domain::StaffRole,
    active: bool,
}

#[utoipa::path(
    patch,
    path = "/api/v1/staff/{id}",
    tag = "staff",
    summary = "Change a staff user's role or active switch",
    params(("id" = Uuid, Path, description = "The staff user's ID")),
    request_body = StaffPatch,
    responses((status = 200, description = "The staff user", body = gatehouse_app::staff::StaffView)),
    security(("bearer" = []))
)]
pub(crate) async fn update_staff(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<StaffPatch>,
) -> Result<Response, ApiError> {
    Ok(
        Json(gatehouse_app::staff::update(&state.app, &caller, id, body.role, body.active).await?)
            .into_response(),
    )
}

#[utoipa::path(
    get,
    path = "/api/v1/settings",
    tag = "settings",
    summary = "Installation settings",
    responses((status = 200, description = "The settings", body = gatehouse_app::installation::InstallationSettings)),
    security(("bearer" = []))
)]
pub(crate) async fn get_settings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Response, ApiError> {
    caller.require(gatehouse_domain::Permission::ManageSettings)?;
    Ok(Json(gatehouse_app::installation::load(&state.app).await?).into_response())
}

#[utoipa::path(
    put,
    path = "/api/v1/settings",
    tag = "settings",
    summary = "Replace the installation settings",
    request_body = gatehouse_app::installation::InstallationSettings,
    responses((status = 200, description = "The settings", body = gatehouse_app::installation::InstallationSettings)),
    security(("bearer" = []))
)]
pub(crate) async fn put_settings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<gatehouse_app::installation::InstallationSettings>,
) -> Result<Response, ApiError> {
    Ok(Json(gatehouse_app::installation::save(&state.app, &caller, &body).await?).into_response())
}
