//! The portal operations as JSON, for businesses that build their own front
//! end (the "Stable surface" of DESIGN.md). Same use cases as the pages.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use gatehouse_app::portal::sessions::{self, Current, NewSession};
use gatehouse_app::portal::{activate, password, profile, register, reset, sign_in};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{rate_limit, request_meta};
use crate::AppState;
use crate::cookies;
use crate::error::{ApiError, ApiJson};

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

type Peer = ConnectInfo<SocketAddr>;

fn accepted() -> Response {
    (
        StatusCode::ACCEPTED,
        Json(json!({"status": "accepted", "message": "if the address can be used, a message was sent to it"})),
    )
        .into_response()
}

/// The signed-in customer of the request, or 401.
async fn current(state: &AppState, site: &str, headers: &HeaderMap) -> Result<Current, ApiError> {
    let token = cookies::get(headers, &cookies::portal_session_name(site))
        .ok_or_else(ApiError::not_signed_in)?;
    sessions::authenticate(&state.app, site, &token)
        .await?
        .ok_or_else(ApiError::not_signed_in)
}

/// Refuses everything but changing the password while it must be changed.
fn require_fresh_password(current: &Current) -> Result<(), ApiError> {
    if current.must_change_password {
        return Err(gatehouse_app::AppError::PasswordChangeRequired.into());
    }
    Ok(())
}

fn with_session(
    state: &AppState,
    site: &str,
    session: &NewSession,
    status: StatusCode,
    body: Value,
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

async fn register_call(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    peer: Peer,
    ApiJson(input): ApiJson<register::Registration>,
) -> Result<Response, ApiError> {
    let meta = request_meta(&headers, Some(&peer));
    rate_limit(&state, &meta, &site, Some(&input.email))?;
    register::register(&state.app, &site, &input, &meta).await?;
    Ok(accepted())
}

#[derive(Debug, Deserialize)]
struct TokenBody {
    token: String,
}

async fn verify_call(
    State(state): State<AppState>,
    Path(site): Path<String>,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<Response, ApiError> {
    let status = activate::activate(&state.app, &site, &body.token).await?;
    Ok(Json(json!({"status": status.as_str()})).into_response())
}

#[derive(Debug, Deserialize)]
struct EmailBody {
    email: String,
}

async fn resend_call(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    peer: Peer,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<Response, ApiError> {
    rate_limit(
        &state,
        &request_meta(&headers, Some(&peer)),
        &site,
        Some(&body.email),
    )?;
    activate::resend_activation(&state.app, &site, &body.email).await?;
    Ok(accepted())
}

#[derive(Debug, Deserialize)]
struct SignInBody {
    login_id: String,
    password: String,
}

async fn sign_in_call(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    peer: Peer,
    ApiJson(body): ApiJson<SignInBody>,
) -> Result<Response, ApiError> {
    let meta = request_meta(&headers, Some(&peer));
    rate_limit(&state, &meta, &site, Some(&body.login_id))?;
    let session =
        sign_in::sign_in(&state.app, &site, &body.login_id, &body.password, &meta).await?;
    let body = json!({
        "status": "signed_in",
        "must_change_password": session.must_change_password,
        "csrf_token": session.csrf_token,
    });
    Ok(with_session(&state, &site, &session, StatusCode::OK, body))
}

async fn sign_out_call(
    State(state): State<AppState>,
    Path(site): Path<String>,
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

async fn list_sessions_call(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let current = current(&state, &site, &headers).await?;
    let items = sessions::list(&state.app, &current).await?;
    Ok(Json(json!({ "items": items })).into_response())
}

async fn sign_out_others_call(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let current = current(&state, &site, &headers).await?;
    let n = sessions::sign_out_others(&state.app, &current).await?;
    Ok(Json(json!({ "signed_out": n })).into_response())
}

async fn me_call(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let current = current(&state, &site, &headers).await?;
    Ok(Json(profile::profile(&state.app, &current).await?).into_response())
}

async fn update_me_call(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    ApiJson(changes): ApiJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let current = current(&state, &site, &headers).await?;
    require_fresh_password(&current)?;
    Ok(Json(profile::update_profile(&state.app, &current, &changes).await?).into_response())
}

#[derive(Debug, Deserialize)]
struct ChangePasswordBody {
    current_password: String,
    new_password: String,
}

async fn change_password_call(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    peer: Peer,
    ApiJson(body): ApiJson<ChangePasswordBody>,
) -> Result<Response, ApiError> {
    let current = current(&state, &site, &headers).await?;
    let meta = request_meta(&headers, Some(&peer));
    rate_limit(&state, &meta, &site, Some(&current.account.login_id))?;
    let session = password::change_password(
        &state.app,
        &current,
        &body.current_password,
        &body.new_password,
        &meta,
    )
    .await?;
    let body = json!({"status": "password_changed", "csrf_token": session.csrf_token});
    Ok(with_session(&state, &site, &session, StatusCode::OK, body))
}

async fn forgot_call(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    peer: Peer,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<Response, ApiError> {
    rate_limit(
        &state,
        &request_meta(&headers, Some(&peer)),
        &site,
        Some(&body.email),
    )?;
    reset::request_reset(&state.app, &site, &body.email).await?;
    Ok(accepted())
}

#[derive(Debug, Deserialize)]
struct ResetBody {
    token: String,
    new_password: String,
}

async fn reset_call(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    peer: Peer,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<Response, ApiError> {
    rate_limit(&state, &request_meta(&headers, Some(&peer)), &site, None)?;
    reset::reset_password(&state.app, &site, &body.token, &body.new_password).await?;
    Ok(Json(json!({"status": "password_changed"})).into_response())
}
