//! Staff calls on portal accounts: the registrations queue and its counts,
//! an action on several accounts, one account (read, change), a temporary
//! password, duplicates, assignment to a customer, impersonation, ending a
//! session.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::SiteQuery;
use super::{Counts, Items};
use crate::error::ApiError;
use crate::extract::ApiCaller;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use gatehouse_app::accounts;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/accounts", get(list_accounts))
        .route("/api/v1/accounts/counts", get(account_counts))
        .route("/api/v1/accounts/actions", post(bulk_action))
        .route(
            "/api/v1/accounts/{id}",
            get(get_account).patch(update_account),
        )
        .route("/api/v1/accounts/{id}/password", post(temporary_password))
        .route("/api/v1/accounts/{id}/duplicates", get(account_duplicates))
        .route("/api/v1/accounts/{id}/assignment", post(assign_account))
        .route("/api/v1/accounts/{id}/impersonation", post(impersonate))
        .route(
            "/api/v1/accounts/{id}/sessions",
            delete(sign_out_everywhere),
        )
        .route("/api/v1/accounts/{id}/two-step", delete(remove_two_step))
        .route(
            "/api/v1/accounts/{id}/passkeys/{passkey}",
            delete(remove_passkey),
        )
        .route(
            "/api/v1/accounts/{id}/sessions/{session}",
            delete(revoke_session),
        )
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts",
    tag = "accounts",
    summary = "The registrations queue",
    params(gatehouse_app::accounts::ListQuery),
    responses((status = 200, description = "One page of accounts", body = gatehouse_app::accounts::Page<gatehouse_app::accounts::AccountView>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_accounts(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<accounts::ListQuery>,
) -> Result<Response, ApiError> {
    Ok(Json(accounts::list(&state.app, &caller, &q).await?).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/counts",
    tag = "accounts",
    summary = "Accounts per status",
    params(SiteQuery),
    responses((status = 200, description = "Count per status", body = Counts)),
    security(("bearer" = []))
)]
pub(crate) async fn account_counts(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(q): ApiQuery<SiteQuery>,
) -> Result<Response, ApiError> {
    let counts = accounts::counts(&state.app, &caller, q.site.as_deref()).await?;
    let map: Counts = counts
        .into_iter()
        .map(|(s, n)| (s.as_str().to_string(), n))
        .collect();
    Ok(Json(map).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct BulkBody {
    #[schema(value_type = accounts::BulkAction)]
    action: String,
    #[schema(min_items = 1)]
    ids: Vec<Uuid>,
    reason: Option<String>,
    #[serde(default)]
    notify: bool,
}

/// "3 approved; 1: cannot approve an account that is blocked; left unchanged".
pub(crate) fn bulk_summary(
    action: accounts::BulkAction,
    results: &[accounts::BulkResult],
) -> String {
    gatehouse_app::bulk_sentence(
        results.iter().filter(|r| r.ok).count(),
        past_tense(action),
        results.iter().filter(|r| !r.ok).map(|r| r.message.as_str()),
    )
}

fn past_tense(action: accounts::BulkAction) -> &'static str {
    use accounts::BulkAction::*;
    match action {
        Approve => "approved",
        Delete => "deleted",
        Disapprove => "disapproved",
        Undelete => "undeleted",
        Block => "blocked",
        Unblock => "unblocked",
        Unlock => "unlocked",
        ResendActivation => "sent a new activation link",
        SendPasswordReset => "sent a password reset link",
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/actions",
    tag = "accounts",
    summary = "An action on several accounts (each changes entirely or not at all)",
    request_body = BulkBody,
    responses((status = 200, description = "A result per account", body = BulkReply)),
    security(("bearer" = []))
)]
pub(crate) async fn bulk_action(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<BulkBody>,
) -> Result<Response, ApiError> {
    let action = accounts::BulkAction::parse(&body.action)?;
    let results = accounts::bulk(
        &state.app,
        &caller,
        action,
        &body.ids,
        body.reason.as_deref(),
        body.notify,
    )
    .await?;
    let summary = bulk_summary(action, &results);
    Ok(Json(BulkReply { summary, results }).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{id}",
    tag = "accounts",
    summary = "The account page",
    params(("id" = Uuid, Path, description = "The account's ID")),
    responses((status = 200, description = "The account, its customer, sessions and audit trail", body = gatehouse_app::accounts::AccountDetail)),
    security(("bearer" = []))
)]
pub(crate) async fn get_account(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    Ok(Json(accounts::get(&state.app, &caller, id).await?).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{id}",
    tag = "accounts",
    summary = "Change login ID, e-mail validated, access switch and expiry, role",
    params(("id" = Uuid, Path, description = "The account's ID")),
    request_body = gatehouse_app::accounts::AccountPatch,
    responses((status = 200, description = "The account after the change", body = gatehouse_app::accounts::AccountView)),
    security(("bearer" = []))
)]
pub(crate) async fn update_account(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<accounts::AccountPatch>,
) -> Result<Response, ApiError> {
    Ok(Json(accounts::update(&state.app, &caller, id, &patch).await?).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PasswordBody {
    /// When the temporary password stops working (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<time::OffsetDateTime>,
    /// Never accepted: staff do not choose a customer's password.
    #[schema(ignore)]
    password: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{id}/password",
    tag = "accounts",
    summary = "A generated temporary password, shown once",
    params(("id" = Uuid, Path, description = "The account's ID")),
    request_body = PasswordBody,
    responses((status = 200, description = "The password, to hand to the customer", body = gatehouse_app::accounts::TemporaryPassword)),
    security(("bearer" = []))
)]
pub(crate) async fn temporary_password(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<Response, ApiError> {
    if body.password.is_some() {
        return Err(gatehouse_app::AppError::invalid(
            "password",
            "staff never choose a customer's password; leave it out and one is generated and shown once",
        )
        .into());
    }
    Ok(
        Json(accounts::set_temporary_password(&state.app, &caller, id, body.expires_at).await?)
            .into_response(),
    )
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{id}/duplicates",
    tag = "accounts",
    summary = "Customers the account may belong to, best first",
    params(("id" = Uuid, Path, description = "The account's ID")),
    responses((status = 200, description = "Ranked candidates", body = Items<gatehouse_app::accounts::Candidate>)),
    security(("bearer" = []))
)]
pub(crate) async fn account_duplicates(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    Ok(Json(Items {
        items: accounts::duplicates(&state.app, &caller, id).await?,
    })
    .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AssignBody {
    /// The customer to assign to (or `create: true` instead).
    #[schema(value_type = Option<String>, format = Uuid, pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    customer_id: Option<Uuid>,
    #[serde(default)]
    create: bool,
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{id}/assignment",
    tag = "accounts",
    summary = "Assign the account to a customer, or make one from the registration",
    params(("id" = Uuid, Path, description = "The account's ID")),
    request_body = AssignBody,
    responses((status = 200, description = "The account after the assignment", body = gatehouse_app::accounts::AccountView)),
    security(("bearer" = []))
)]
pub(crate) async fn assign_account(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AssignBody>,
) -> Result<Response, ApiError> {
    let to = match (body.customer_id, body.create) {
        (Some(c), false) => accounts::AssignTo::Customer(c),
        (None, true) => accounts::AssignTo::New,
        _ => {
            return Err(gatehouse_app::AppError::invalid(
                "customer_id",
                "give either customer_id or create: true",
            )
            .into());
        }
    };
    Ok(Json(accounts::assign(&state.app, &caller, id, &to).await?).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ImpersonateBody {
    /// Why (kept in the audit log).
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "[^\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]"
    )]
    reason: String,
    /// How long the portal session lasts (default 30).
    #[schema(minimum = 1, maximum = 60)]
    #[serde(default, deserialize_with = "gatehouse_domain::policy::whole_number")]
    minutes: Option<i64>,
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{id}/impersonation",
    tag = "accounts",
    summary = "Open the portal as the customer (audited)",
    params(("id" = Uuid, Path, description = "The account's ID")),
    request_body = ImpersonateBody,
    responses((status = 200, description = "The single-use address that opens the portal", body = Impersonation)),
    security(("bearer" = []))
)]
pub(crate) async fn impersonate(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ImpersonateBody>,
) -> Result<Response, ApiError> {
    let url = accounts::impersonate(&state.app, &caller, id, &body.reason, body.minutes).await?;
    Ok(Json(Impersonation { url }).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{id}/sessions/{session}",
    tag = "accounts",
    summary = "End one of the account's sessions",
    params(("id" = Uuid, Path, description = "The account's ID"), ("session" = String, Path, description = "The session's ID from the account page")),
    responses((status = 204, description = "Ended")),
    security(("bearer" = []))
)]
pub(crate) async fn revoke_session(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((id, session)): ApiPath<(Uuid, String)>,
) -> Result<Response, ApiError> {
    accounts::revoke_session(&state.app, &caller, id, &session).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{id}/sessions",
    tag = "accounts",
    summary = "Sign the account out everywhere",
    description = "Ends every portal session, revokes every app's grant (refresh tokens stop working, userinfo and introspection answer inactive) and sends each app a back-channel logout.",
    params(("id" = Uuid, Path, description = "The account's ID")),
    responses((status = 204, description = "Signed out everywhere")),
    security(("bearer" = []))
)]
pub(crate) async fn sign_out_everywhere(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    accounts::sign_out_everywhere(&state.app, &caller, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{id}/two-step",
    tag = "accounts",
    summary = "Remove the customer's two-step sign-in (a lost phone)",
    description = "The authenticator app's secret and the recovery codes go; the customer is mailed. They sign in with the password alone, or, where the site requires a second step, set up a new one at the next sign-in. Audited.",
    params(("id" = Uuid, Path, description = "The account's ID")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "The account has no two-step sign-in", body = crate::error::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(crate) async fn remove_two_step(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    accounts::remove_two_step(&state.app, &caller, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{id}/passkeys/{passkey}",
    tag = "accounts",
    summary = "Remove one of the customer's passkeys (a lost device)",
    description = "It signs in no more; the customer is mailed. Audited.",
    params(("id" = Uuid, Path, description = "The account's ID"), ("passkey" = Uuid, Path, description = "The passkey's ID")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such passkey of the account's", body = crate::error::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(crate) async fn remove_passkey(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((id, passkey)): ApiPath<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    accounts::remove_passkey(&state.app, &caller, id, passkey).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// What a bulk action on accounts did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BulkReply {
    /// One sentence for a person ("3 approved; 1: …").
    summary: String,
    /// One per account, in the order given.
    results: Vec<accounts::BulkResult>,
}

/// An impersonation begun.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Impersonation {
    /// Opens the portal as the customer; single use, short-lived.
    url: String,
}
