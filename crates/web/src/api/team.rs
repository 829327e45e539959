//! The customer manager's team as portal JSON calls under
//! `/api/v1/sites/{site}/team`: the same session cookie and cross-site
//! rules as the other portal calls; who may do what is the team rules'
//! decision (403 for a caller without a team, 404 for an account outside
//! it). Invitations send mail, so they are rate-limited per client address
//! and per manager.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use gatehouse_app::portal::team;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Items;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::extract::{ClientMeta, FreshPortalCaller};
use crate::limits::rate_limit;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/sites/{site}/team",
            get(list_team_call).post(invite_call),
        )
        .route("/api/v1/sites/{site}/team/{account_id}", patch(switch_call))
        .route(
            "/api/v1/sites/{site}/team/{account_id}/resend",
            post(resend_call),
        )
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/team",
    tag = "portal",
    summary = "A customer manager's team: the accounts on this site of the manager's company",
    params(("site" = String, Path, description = "The site key")),
    responses(
        (status = 200, description = "The team, by login ID", body = Items<team::TeamMember>),
        (status = 403, description = "The caller is no customer manager, or belongs to no company", body = crate::error::ErrorBody),
    ),
    security(("portal_session" = []))
)]
pub(crate) async fn list_team_call(
    State(state): State<AppState>,
    FreshPortalCaller(current): FreshPortalCaller,
) -> Result<Response, ApiError> {
    Ok(Json(Items {
        items: team::list(&state.app, &current).await?,
    })
    .into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/team",
    tag = "portal",
    summary = "Invite a colleague (an invitation mail with a single-use link to choose a password, or staff approval first when the site says so)",
    params(("site" = String, Path, description = "The site key")),
    request_body = team::Invitation,
    responses(
        (status = 201, description = "The colleague's account", body = team::TeamMember),
        (status = 409, description = "The address has an account on this site already", body = crate::error::ErrorBody),
    ),
    security(("portal_session" = []))
)]
pub(crate) async fn invite_call(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    FreshPortalCaller(current): FreshPortalCaller,
    ApiJson(body): ApiJson<team::Invitation>,
) -> Result<Response, ApiError> {
    rate_limit(
        &state,
        &meta,
        &current.site.key,
        Some(&current.account.login_id),
    )?;
    let made = team::invite(&state.app, &current, &body).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// The access switch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Switch {
    /// On or off (off ends the colleague's sessions and app sign-ins).
    access_granted: bool,
}

#[utoipa::path(
    patch,
    path = "/api/v1/sites/{site}/team/{account_id}",
    tag = "portal",
    summary = "Switch a colleague's access off or on",
    params(
        ("site" = String, Path, description = "The site key"),
        ("account_id" = Uuid, Path, description = "The colleague's account"),
    ),
    request_body = Switch,
    responses(
        (status = 200, description = "The colleague after the change", body = team::TeamMember),
        (status = 403, description = "Your own account, another manager, or no team", body = crate::error::ErrorBody),
        (status = 404, description = "No such account in your team", body = crate::error::ErrorBody),
    ),
    security(("portal_session" = []))
)]
pub(crate) async fn switch_call(
    State(state): State<AppState>,
    FreshPortalCaller(current): FreshPortalCaller,
    ApiPath((_site, id)): ApiPath<(String, Uuid)>,
    ApiJson(body): ApiJson<Switch>,
) -> Result<Response, ApiError> {
    Ok(Json(team::switch(&state.app, &current, id, body.access_granted).await?).into_response())
}

/// What was sent again.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ResentBody {
    sent: team::Resent,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/team/{account_id}/resend",
    tag = "portal",
    summary = "Send a colleague a new invitation or activation link (older ones stop working)",
    params(
        ("site" = String, Path, description = "The site key"),
        ("account_id" = Uuid, Path, description = "The colleague's account"),
    ),
    responses(
        (status = 200, description = "What was sent", body = ResentBody),
        (status = 403, description = "Your own account, another manager, or no team", body = crate::error::ErrorBody),
        (status = 404, description = "No such account in your team", body = crate::error::ErrorBody),
        (status = 409, description = "Nothing to send: the colleague has signed up, or waits for approval", body = crate::error::ErrorBody),
    ),
    security(("portal_session" = []))
)]
pub(crate) async fn resend_call(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    FreshPortalCaller(current): FreshPortalCaller,
    ApiPath((_site, id)): ApiPath<(String, Uuid)>,
) -> Result<Response, ApiError> {
    rate_limit(
        &state,
        &meta,
        &current.site.key,
        Some(&current.account.login_id),
    )?;
    let sent = team::resend(&state.app, &current, id).await?;
    Ok(Json(ResentBody { sent }).into_response())
}
