//! Two-step sign-in as JSON, beside the portal's pages: finishing a sign-in
//! whose password was right (the half-done sign-in is the `gh_step_{site}`
//! cookie the sign-in call set), and the signed-in customer's own two-step
//! sign-in (turn on, new recovery codes, turn off). Same use cases as the
//! pages (`gatehouse_app::portal::two_step`).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gatehouse_app::AppError;
use gatehouse_app::portal::two_step::{self, Enrolment, TwoStepStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::portal::{SignedIn, with_session};
use crate::cookies;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ClientMeta, PortalCaller, SiteInPath};
use crate::limits::rate_limit;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/sites/{site}/sessions/second-step",
            get(step_call).post(finish_call),
        )
        .route(
            "/api/v1/sites/{site}/me/two-step",
            get(status_call).post(turn_on_call),
        )
        .route(
            "/api/v1/sites/{site}/me/two-step/enrolment",
            post(enrolment_call),
        )
        .route(
            "/api/v1/sites/{site}/me/two-step/recovery-codes",
            post(renew_call),
        )
        .route("/api/v1/sites/{site}/me/two-step/off", post(turn_off_call))
}

/// The half-done sign-in's token, or the refusal to sign in again.
fn step_token(headers: &HeaderMap, site: &str) -> Result<String, ApiError> {
    cookies::get(headers, &cookies::sign_in_step_name(site)).ok_or(AppError::SignedOut.into())
}

/// What the second step asks.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StepAnswer {
    /// The login ID signing in.
    login_id: String,
    /// Setting up (else: a code of the app, or a recovery code).
    set_up: bool,
    /// When setting up: the secret to scan or type (the same until a code
    /// confirms it).
    enrolment: Option<Enrolment>,
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/sessions/second-step",
    tag = "portal",
    summary = "What the second step of a sign-in asks",
    params(("site" = String, Path, description = "The site key")),
    responses(
        (status = 200, description = "A code, or setting one up (with the secret)", body = StepAnswer),
        (status = 401, description = "No sign-in half done, or it expired: sign in again", body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn step_call(
    State(state): State<AppState>,
    SiteInPath(site): SiteInPath,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = step_token(&headers, &site.key)?;
    let view = two_step::step(&state.app, &site, &token).await?;
    Ok(Json(StepAnswer {
        login_id: view.login_id,
        set_up: view.set_up,
        enrolment: view.enrolment,
    })
    .into_response())
}

/// A code of the second step.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct CodeBody {
    /// The authenticator app's six digits, or a recovery code.
    code: String,
}

/// A sign-in finished by its second step.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignedInWithCodes {
    #[serde(flatten)]
    signed_in: SignedIn,
    /// Recovery codes made now (the second step was just set up): shown
    /// this once. Empty otherwise.
    recovery_codes: Vec<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/sessions/second-step",
    tag = "portal",
    summary = "Finish a sign-in with its second step (sets the session cookie)",
    params(("site" = String, Path, description = "The site key")),
    request_body = CodeBody,
    responses(
        (status = 200, description = "Signed in", body = SignedInWithCodes),
        (status = 401, description = "No sign-in half done, or it expired: sign in again", body = crate::error::ErrorBody),
        (status = 422, description = "The code is not right (it counts toward the account's lock)", body = crate::error::ErrorBody)
    )
)]
pub(crate) async fn finish_call(
    State(state): State<AppState>,
    SiteInPath(site): SiteInPath,
    ClientMeta(meta): ClientMeta,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CodeBody>,
) -> Result<Response, ApiError> {
    rate_limit(&state, &meta, &site.key, None)?;
    let token = step_token(&headers, &site.key)?;
    let finished = two_step::finish(&state.app, &site, &token, &body.code, &meta, None).await?;
    let session = &finished.session;
    let answer = SignedInWithCodes {
        signed_in: SignedIn {
            status: "signed_in".into(),
            must_change_password: session.must_change_password,
            csrf_token: session.csrf_token.clone(),
        },
        recovery_codes: finished.recovery_codes,
    };
    let mut response = with_session(&state, &site.key, session, StatusCode::OK, answer);
    cookies::clear(
        response.headers_mut(),
        state.cookies,
        &cookies::sign_in_step_name(&site.key),
    );
    Ok(response)
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/me/two-step",
    tag = "portal",
    summary = "Where the customer's two-step sign-in stands",
    params(("site" = String, Path, description = "The site key")),
    responses((status = 200, description = "On or off, recovery codes left, what the site asks", body = TwoStepStatus)),
    security(("portal_session" = []))
)]
pub(crate) async fn status_call(
    State(state): State<AppState>,
    PortalCaller(current): PortalCaller,
) -> Result<Response, ApiError> {
    Ok(Json(two_step::status(&state.app, &current).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/me/two-step/enrolment",
    tag = "portal",
    summary = "The secret to set two-step sign-in up with",
    description = "Made once and kept until a code confirms it: asking again answers the same secret.",
    params(("site" = String, Path, description = "The site key")),
    responses(
        (status = 200, description = "The secret and its otpauth address", body = Enrolment),
        (status = 403, description = "The site does not offer two-step sign-in", body = crate::error::ErrorBody)
    ),
    security(("portal_session" = []))
)]
pub(crate) async fn enrolment_call(
    State(state): State<AppState>,
    PortalCaller(current): PortalCaller,
) -> Result<Response, ApiError> {
    Ok(Json(two_step::enrolment(&state.app, &current).await?).into_response())
}

/// Recovery codes, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecoveryCodes {
    /// Ten single-use codes.
    recovery_codes: Vec<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/me/two-step",
    tag = "portal",
    summary = "Turn two-step sign-in on",
    description = "With a code of the secret from `…/me/two-step/enrolment`.",
    params(("site" = String, Path, description = "The site key")),
    request_body = CodeBody,
    responses(
        (status = 200, description = "On; the recovery codes", body = RecoveryCodes),
        (status = 409, description = "It is on already", body = crate::error::ErrorBody),
        (status = 422, description = "The code is not right, or no secret was asked for", body = crate::error::ErrorBody)
    ),
    security(("portal_session" = []))
)]
pub(crate) async fn turn_on_call(
    State(state): State<AppState>,
    PortalCaller(current): PortalCaller,
    ApiJson(body): ApiJson<CodeBody>,
) -> Result<Response, ApiError> {
    let recovery_codes = two_step::turn_on(&state.app, &current, &body.code).await?;
    Ok(Json(RecoveryCodes { recovery_codes }).into_response())
}

/// The password and a current code (or a recovery code).
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ConfirmBody {
    /// The current password.
    password: String,
    /// The app's current code, or a recovery code.
    code: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/me/two-step/recovery-codes",
    tag = "portal",
    summary = "Make new recovery codes (the old ones stop working)",
    params(("site" = String, Path, description = "The site key")),
    request_body = ConfirmBody,
    responses(
        (status = 200, description = "The new codes", body = RecoveryCodes),
        (status = 422, description = "The password or the code is not right (counts toward the lock)", body = crate::error::ErrorBody)
    ),
    security(("portal_session" = []))
)]
pub(crate) async fn renew_call(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
    PortalCaller(current): PortalCaller,
    ClientMeta(meta): ClientMeta,
    ApiJson(body): ApiJson<ConfirmBody>,
) -> Result<Response, ApiError> {
    rate_limit(&state, &meta, &site, Some(&current.account.login_id))?;
    let recovery_codes =
        two_step::renew_recovery_codes(&state.app, &current, &body.password, &body.code).await?;
    Ok(Json(RecoveryCodes { recovery_codes }).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/me/two-step/off",
    tag = "portal",
    summary = "Turn two-step sign-in off (the customer is mailed)",
    params(("site" = String, Path, description = "The site key")),
    request_body = ConfirmBody,
    responses(
        (status = 204, description = "Off; the recovery codes stopped working"),
        (status = 422, description = "The password or the code is not right (counts toward the lock)", body = crate::error::ErrorBody)
    ),
    security(("portal_session" = []))
)]
pub(crate) async fn turn_off_call(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
    PortalCaller(current): PortalCaller,
    ClientMeta(meta): ClientMeta,
    ApiJson(body): ApiJson<ConfirmBody>,
) -> Result<Response, ApiError> {
    rate_limit(&state, &meta, &site, Some(&current.account.login_id))?;
    two_step::turn_off(&state.app, &current, &body.password, &body.code).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
