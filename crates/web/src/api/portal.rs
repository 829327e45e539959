//! The portal operations as JSON under `/api/v1/sites/{site}/…`, for
//! businesses that build their own front end. Same use cases as the portal
//! pages; the signed-in customer is the [`PortalCaller`] extractor (the
//! site's session cookie), and calls that cost a hash or send mail are
//! rate-limited per client address and per account.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use gatehouse_app::portal::sessions::{self, NewSession};
use gatehouse_app::portal::two_step::PendingStep;
use gatehouse_app::portal::{activate, password, profile, register, reset, sign_in};
use serde::{Deserialize, Serialize};

use super::{Accepted, Items};
use crate::cookies;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, SiteInPath};
use crate::extract::{ClientMeta, FreshPortalCaller, PortalCaller};
use crate::limits::rate_limit;
use crate::state::AppState;
use utoipa::ToSchema;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sites/{site}/registrations", post(register_call))
        .route("/api/v1/sites/{site}/verifications", post(verify_call))
        .route(
            "/api/v1/sites/{site}/verifications/resend",
            post(resend_call),
        )
        .route(
            "/api/v1/sites/{site}/sessions",
            post(sign_in_call).get(list_sessions_call),
        )
        .route(
            "/api/v1/sites/{site}/sessions/current",
            delete(sign_out_call),
        )
        .route(
            "/api/v1/sites/{site}/sessions/others",
            delete(sign_out_others_call),
        )
        .route(
            "/api/v1/sites/{site}/me",
            get(me_call).patch(update_me_call),
        )
        .route(
            "/api/v1/sites/{site}/me/password",
            post(change_password_call),
        )
        .route("/api/v1/sites/{site}/password-resets", post(forgot_call))
        .route(
            "/api/v1/sites/{site}/password-resets/confirm",
            post(reset_call),
        )
}

fn accepted() -> Response {
    (
        StatusCode::ACCEPTED,
        Json(Accepted {
            status: "accepted".into(),
            message: "if the address can be used, a message was sent to it".into(),
        }),
    )
        .into_response()
}

pub(super) fn with_session(
    state: &AppState,
    site: &str,
    session: &NewSession,
    status: StatusCode,
    body: impl Serialize,
) -> Response {
    let mut response = (status, Json(body)).into_response();
    let max_age = u64::from(session.max_age_seconds);
    cookies::set(
        response.headers_mut(),
        state.cookies,
        &cookies::portal_session_name(site),
        &session.token,
        max_age,
        true,
    );
    response
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/registrations",
    tag = "portal",
    summary = "Register",
    params(("site" = String, Path, description = "The site key")),
    request_body = gatehouse_app::portal::register::Registration,
    responses((status = 202, description = "Registered, or the address is known (the same answer)", body = Accepted))
)]
pub(crate) async fn register_call(
    State(state): State<AppState>,
    SiteInPath(site): SiteInPath,
    ClientMeta(meta): ClientMeta,
    ApiJson(input): ApiJson<register::Registration>,
) -> Result<Response, ApiError> {
    rate_limit(&state, &meta, &site.key, Some(&input.email))?;
    register::register(&state.app, &site, &input, &meta).await?;
    Ok(accepted())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct LinkToken {
    /// The `token` of the link's address.
    #[schema(min_length = 1)]
    token: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/verifications",
    tag = "portal",
    summary = "Follow an activation link",
    params(("site" = String, Path, description = "The site key")),
    request_body = LinkToken,
    responses((status = 200, description = "The account status that results", body = Verified))
)]
pub(crate) async fn verify_call(
    State(state): State<AppState>,
    SiteInPath(site): SiteInPath,
    ApiJson(body): ApiJson<LinkToken>,
) -> Result<Response, ApiError> {
    let status = activate::activate(&state.app, &site, &body.token).await?;
    Ok(Json(Verified { status }).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct EmailBody {
    email: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/verifications/resend",
    tag = "portal",
    summary = "Ask for a new activation link",
    params(("site" = String, Path, description = "The site key")),
    request_body = EmailBody,
    responses((status = 202, description = "Sent if the address can be used (the same answer for all)", body = Accepted))
)]
pub(crate) async fn resend_call(
    State(state): State<AppState>,
    SiteInPath(site): SiteInPath,
    ClientMeta(meta): ClientMeta,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<Response, ApiError> {
    rate_limit(&state, &meta, &site.key, Some(&body.email))?;
    activate::resend_activation(&state.app, &site, &body.email).await?;
    Ok(accepted())
}

/// The password was right; a second step comes next.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SecondStepRequired {
    /// Always `second_step_required`.
    status: String,
    /// The account has no second step and the site requires one: it is
    /// set up first (`GET …/sessions/second-step` shows the secret).
    set_up: bool,
    /// Seconds left to finish it.
    expires_in: u32,
}

/// The answer to a sign-in that needs a second step: 202, with the
/// half-done sign-in's cookie.
fn second_step_required(state: &AppState, site: &str, step: &PendingStep) -> Response {
    let body = SecondStepRequired {
        status: "second_step_required".into(),
        set_up: step.set_up,
        expires_in: step.max_age_seconds,
    };
    let mut response = (StatusCode::ACCEPTED, Json(body)).into_response();
    cookies::set(
        response.headers_mut(),
        state.cookies,
        &cookies::sign_in_step_name(site),
        &step.token,
        u64::from(step.max_age_seconds),
        true,
    );
    response
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct SignInBody {
    login_id: String,
    password: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/sessions",
    tag = "portal",
    summary = "Sign in (sets the session cookie)",
    params(("site" = String, Path, description = "The site key")),
    request_body = SignInBody,
    responses(
        (status = 200, description = "Signed in; `must_change_password` says whether only a password change is allowed", body = SignedIn),
        (status = 202, description = "The password was right and a second step comes next: a code (`POST …/sessions/second-step`), or, where the site requires one and the account has none, setting it up first (`GET …/sessions/second-step` shows the secret). A short-lived cookie carries the half-done sign-in; no session yet", body = SecondStepRequired)
    )
)]
pub(crate) async fn sign_in_call(
    State(state): State<AppState>,
    SiteInPath(site): SiteInPath,
    ClientMeta(meta): ClientMeta,
    ApiJson(body): ApiJson<SignInBody>,
) -> Result<Response, ApiError> {
    rate_limit(&state, &meta, &site.key, Some(&body.login_id))?;
    let signed_in = sign_in::sign_in(
        &state.app,
        &site,
        &body.login_id,
        &body.password,
        &meta,
        None,
    )
    .await?;
    let session = match signed_in {
        sign_in::SignedIn::Session(session) => session,
        sign_in::SignedIn::SecondStep(step) => {
            return Ok(second_step_required(&state, &site.key, &step));
        }
    };
    let site = site.key.clone();
    let body = SignedIn {
        status: "signed_in".into(),
        must_change_password: session.must_change_password,
        csrf_token: session.csrf_token.clone(),
    };
    Ok(with_session(&state, &site, &session, StatusCode::OK, body))
}

#[utoipa::path(
    delete,
    path = "/api/v1/sites/{site}/sessions/current",
    tag = "portal",
    summary = "Sign out",
    params(("site" = String, Path, description = "The site key")),
    responses((status = 204, description = "Signed out (also when no session was there)")),
    security((), ("portal_session" = []))
)]
pub(crate) async fn sign_out_call(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let name = cookies::portal_session_name(&site);
    if let Some(token) = cookies::get(&headers, &name) {
        sessions::sign_out(&state.app, &token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    cookies::clear(response.headers_mut(), state.cookies, &name);
    Ok(response)
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/sessions",
    tag = "portal",
    summary = "The signed-in customer's sessions",
    params(("site" = String, Path, description = "The site key")),
    responses((status = 200, description = "Active sessions, newest first", body = Items<gatehouse_app::portal::sessions::SessionView>)),
    security(("portal_session" = []))
)]
pub(crate) async fn list_sessions_call(
    State(state): State<AppState>,
    PortalCaller(current): PortalCaller,
) -> Result<Response, ApiError> {
    let items = sessions::list(&state.app, &current).await?;
    Ok(Json(Items { items }).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/sites/{site}/sessions/others",
    tag = "portal",
    summary = "Sign out every other session",
    params(("site" = String, Path, description = "The site key")),
    responses((status = 200, description = "How many sessions ended", body = SignedOut)),
    security(("portal_session" = []))
)]
pub(crate) async fn sign_out_others_call(
    State(state): State<AppState>,
    PortalCaller(current): PortalCaller,
) -> Result<Response, ApiError> {
    let n = sessions::sign_out_others(&state.app, &current).await?;
    Ok(Json(SignedOut { signed_out: n }).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/me",
    tag = "portal",
    summary = "The signed-in customer's profile",
    params(("site" = String, Path, description = "The site key")),
    responses((status = 200, description = "The profile and which fields may be edited", body = gatehouse_app::portal::profile::Profile)),
    security(("portal_session" = []))
)]
pub(crate) async fn me_call(
    State(state): State<AppState>,
    PortalCaller(current): PortalCaller,
) -> Result<Response, ApiError> {
    Ok(Json(profile::profile(&state.app, &current).await?).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/v1/sites/{site}/me",
    tag = "portal",
    summary = "Change profile fields the site allows",
    params(("site" = String, Path, description = "The site key")),
    request_body = ProfileChanges,
    responses((status = 200, description = "The profile after the change", body = gatehouse_app::portal::profile::Profile)),
    security(("portal_session" = []))
)]
pub(crate) async fn update_me_call(
    State(state): State<AppState>,
    FreshPortalCaller(current): FreshPortalCaller,
    ApiJson(changes): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    let changes = gatehouse_app::customers::CustomerPatch::from_json(&changes);
    Ok(Json(profile::update_profile(&state.app, &current, &changes).await?).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ChangePasswordBody {
    current_password: String,
    new_password: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/me/password",
    tag = "portal",
    summary = "Change the password (a new session cookie follows)",
    params(("site" = String, Path, description = "The site key")),
    request_body = ChangePasswordBody,
    responses((status = 200, description = "Changed; every other session ended", body = PasswordChanged)),
    security(("portal_session" = []))
)]
pub(crate) async fn change_password_call(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
    PortalCaller(current): PortalCaller,
    ClientMeta(meta): ClientMeta,
    ApiJson(body): ApiJson<ChangePasswordBody>,
) -> Result<Response, ApiError> {
    rate_limit(&state, &meta, &site, Some(&current.account.login_id))?;
    let session = password::change_password(
        &state.app,
        &current,
        &body.current_password,
        &body.new_password,
        &meta,
    )
    .await?;
    let body = PasswordChanged {
        status: "password_changed".into(),
        csrf_token: session.csrf_token.clone(),
    };
    Ok(with_session(&state, &site, &session, StatusCode::OK, body))
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/password-resets",
    tag = "portal",
    summary = "Ask for a password reset link",
    params(("site" = String, Path, description = "The site key")),
    request_body = EmailBody,
    responses((status = 202, description = "Sent if the address can be used (the same answer for all)", body = Accepted))
)]
pub(crate) async fn forgot_call(
    State(state): State<AppState>,
    SiteInPath(site): SiteInPath,
    ClientMeta(meta): ClientMeta,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<Response, ApiError> {
    rate_limit(&state, &meta, &site.key, Some(&body.email))?;
    reset::request_reset(&state.app, &site, &body.email).await?;
    Ok(accepted())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ResetBody {
    token: String,
    new_password: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/password-resets/confirm",
    tag = "portal",
    summary = "Set a new password with a reset link's token",
    params(("site" = String, Path, description = "The site key")),
    request_body = ResetBody,
    responses((status = 200, description = "Changed", body = Done))
)]
pub(crate) async fn reset_call(
    State(state): State<AppState>,
    SiteInPath(site): SiteInPath,
    ClientMeta(meta): ClientMeta,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<Response, ApiError> {
    rate_limit(&state, &meta, &site.key, None)?;
    reset::reset_password(&state.app, &site, &body.token, &body.new_password).await?;
    Ok(Json(Done {
        status: "password_changed".into(),
    })
    .into_response())
}

/// The status an activation link led to.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Verified {
    /// `active`, or `pending` while staff must approve or assign.
    status: gatehouse_domain::Status,
}

/// A sign-in that worked (the session cookie comes with it).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignedIn {
    /// Always `signed_in`.
    pub(super) status: String,
    /// Only a password change is allowed until it is done.
    pub(super) must_change_password: bool,
    /// The CSRF token for the portal's forms.
    pub(super) csrf_token: String,
}

/// Sessions ended.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignedOut {
    /// How many.
    signed_out: u64,
}

/// A changed password (a new session cookie comes with it).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PasswordChanged {
    /// Always `password_changed`.
    status: String,
    /// The new session's CSRF token.
    csrf_token: String,
}

/// A change done.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Done {
    /// What was done.
    status: String,
}

/// Profile fields to change: only those the site lets customers edit
/// (`editable_fields` of the profile); `null` or `""` clears one.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // The shape of a JSON body, read as a map.
pub(crate) struct ProfileChanges {
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    phone: Option<String>,
    mobile: Option<String>,
    country: Option<String>,
    region: Option<String>,
    street: Option<String>,
    postcode: Option<String>,
    city: Option<String>,
    url: Option<String>,
    language: Option<String>,
    avatar_url: Option<String>,
}
