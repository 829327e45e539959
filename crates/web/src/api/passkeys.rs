//! Passkeys as JSON: the signed-in customer's (begin adding one, finish it
//! with the browser's answer, list, rename, remove) and the sign-in with
//! one. The portal's pages call these from `assets/passkeys.js`; a
//! business's own front end may too. Same use cases as the pages
//! (`gatehouse_app::portal::passkeys`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post};
use axum::{Json, Router};
use gatehouse_app::portal::passkeys::{self, Challenge, PasskeyView};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Items;
use super::portal::{SignedIn, with_session};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ClientMeta, PortalCaller, SiteInPath};
use crate::limits::rate_limit;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/sites/{site}/me/passkeys",
            post(finish_adding_call).get(list_call),
        )
        .route(
            "/api/v1/sites/{site}/me/passkeys/options",
            post(begin_adding_call),
        )
        .route(
            "/api/v1/sites/{site}/me/passkeys/{id}",
            patch(rename_call).delete(remove_call),
        )
        .route(
            "/api/v1/sites/{site}/sessions/passkey/options",
            post(begin_sign_in_call),
        )
        .route(
            "/api/v1/sites/{site}/sessions/passkey",
            post(finish_sign_in_call),
        )
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/me/passkeys/options",
    tag = "portal",
    summary = "Begin adding a passkey",
    description = "The options for `navigator.credentials.create` (binary values in base64url), and the ceremony to send back with the browser's answer within five minutes.",
    params(("site" = String, Path, description = "The site key")),
    responses(
        (status = 200, description = "The options", body = Challenge),
        (status = 403, description = "The site's address is an IP address: passkeys need a host name", body = crate::error::ErrorBody)
    ),
    security(("portal_session" = []))
)]
pub(crate) async fn begin_adding_call(
    State(state): State<AppState>,
    PortalCaller(current): PortalCaller,
) -> Result<Response, ApiError> {
    Ok(Json(passkeys::begin_adding(&state.app, &current).await?).into_response())
}

/// The browser's answer to a ceremony.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PasskeyAddBody {
    /// From the options call.
    ceremony: String,
    /// What the customer calls it ("iPhone", "YubiKey"), 1 to 60 characters.
    name: String,
    /// The `PublicKeyCredential` from `navigator.credentials.create`, as
    /// JSON (binary values in base64url).
    #[schema(value_type = Object)]
    credential: Value,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/me/passkeys",
    tag = "portal",
    summary = "Finish adding a passkey",
    params(("site" = String, Path, description = "The site key")),
    request_body = PasskeyAddBody,
    responses(
        (status = 201, description = "Added", body = PasskeyView),
        (status = 409, description = "This passkey is added already", body = crate::error::ErrorBody),
        (status = 422, description = "The name, or the browser's answer, is not right; or the ceremony expired", body = crate::error::ErrorBody)
    ),
    security(("portal_session" = []))
)]
pub(crate) async fn finish_adding_call(
    State(state): State<AppState>,
    PortalCaller(current): PortalCaller,
    ApiJson(body): ApiJson<PasskeyAddBody>,
) -> Result<Response, ApiError> {
    let added = passkeys::finish_adding(
        &state.app,
        &current,
        &body.ceremony,
        &body.name,
        &body.credential,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/me/passkeys",
    tag = "portal",
    summary = "The customer's passkeys",
    params(("site" = String, Path, description = "The site key")),
    responses((status = 200, description = "Oldest first", body = Items<PasskeyView>)),
    security(("portal_session" = []))
)]
pub(crate) async fn list_call(
    State(state): State<AppState>,
    PortalCaller(current): PortalCaller,
) -> Result<Response, ApiError> {
    let items = passkeys::list(&state.app, &current).await?;
    Ok(Json(Items { items }).into_response())
}

/// A passkey's new name.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PasskeyRenameBody {
    /// 1 to 60 characters.
    name: String,
}

#[utoipa::path(
    patch,
    path = "/api/v1/sites/{site}/me/passkeys/{id}",
    tag = "portal",
    summary = "Rename a passkey",
    params(("site" = String, Path, description = "The site key"), ("id" = Uuid, Path, description = "The passkey")),
    request_body = PasskeyRenameBody,
    responses((status = 204, description = "Renamed"), (status = 404, description = "No such passkey of the customer's", body = crate::error::ErrorBody)),
    security(("portal_session" = []))
)]
pub(crate) async fn rename_call(
    State(state): State<AppState>,
    ApiPath((_, id)): ApiPath<(String, Uuid)>,
    PortalCaller(current): PortalCaller,
    ApiJson(body): ApiJson<PasskeyRenameBody>,
) -> Result<Response, ApiError> {
    passkeys::rename(&state.app, &current, id, &body.name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/sites/{site}/me/passkeys/{id}",
    tag = "portal",
    summary = "Remove a passkey",
    params(("site" = String, Path, description = "The site key"), ("id" = Uuid, Path, description = "The passkey")),
    responses((status = 204, description = "Removed"), (status = 404, description = "No such passkey of the customer's", body = crate::error::ErrorBody)),
    security(("portal_session" = []))
)]
pub(crate) async fn remove_call(
    State(state): State<AppState>,
    ApiPath((_, id)): ApiPath<(String, Uuid)>,
    PortalCaller(current): PortalCaller,
) -> Result<Response, ApiError> {
    passkeys::remove(&state.app, &current, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/sessions/passkey/options",
    tag = "portal",
    summary = "Begin signing in with a passkey",
    description = "The options for `navigator.credentials.get` (no login ID: the device offers the passkeys it keeps for the site), and the ceremony to send back within five minutes.",
    params(("site" = String, Path, description = "The site key")),
    responses(
        (status = 200, description = "The options", body = Challenge),
        (status = 403, description = "The site's address is an IP address: passkeys need a host name", body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn begin_sign_in_call(
    State(state): State<AppState>,
    SiteInPath(site): SiteInPath,
    ClientMeta(meta): ClientMeta,
) -> Result<Response, ApiError> {
    rate_limit(&state, &meta, &site.key, None)?;
    Ok(Json(passkeys::begin_sign_in(&state.app, &site).await?).into_response())
}

/// The browser's answer to a sign-in ceremony.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PasskeySignInBody {
    /// From the options call.
    ceremony: String,
    /// The `PublicKeyCredential` from `navigator.credentials.get`, as JSON
    /// (binary values in base64url).
    #[schema(value_type = Object)]
    credential: Value,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/sessions/passkey",
    tag = "portal",
    summary = "Sign in with a passkey (sets the session cookie)",
    description = "A passkey counts as both steps: no code is asked after it. The same refusals as a password sign-in, named only once the passkey was proven.",
    params(("site" = String, Path, description = "The site key")),
    request_body = PasskeySignInBody,
    responses(
        (status = 200, description = "Signed in", body = SignedIn),
        (status = 401, description = "The passkey is not one of this site's, or did not prove itself", body = crate::error::ErrorBody),
        (status = 422, description = "The ceremony expired or was answered already", body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn finish_sign_in_call(
    State(state): State<AppState>,
    SiteInPath(site): SiteInPath,
    ClientMeta(meta): ClientMeta,
    ApiJson(body): ApiJson<PasskeySignInBody>,
) -> Result<Response, ApiError> {
    rate_limit(&state, &meta, &site.key, None)?;
    let session = passkeys::finish_sign_in(
        &state.app,
        &site,
        &body.ceremony,
        &body.credential,
        &meta,
        None,
    )
    .await?;
    let body = SignedIn {
        status: "signed_in".into(),
        must_change_password: session.must_change_password,
        csrf_token: session.csrf_token.clone(),
    };
    Ok(with_session(
        &state,
        &site.key,
        &session,
        StatusCode::OK,
        body,
    ))
}
