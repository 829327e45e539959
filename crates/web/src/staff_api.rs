//! Staff calls of the JSON API for mail: the outbox and the e-mail templates.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gatehouse_app::mail::Parts;
use gatehouse_app::{accounts, outbox, templates};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use crate::openapi::{Counts, Items};
use crate::staff::api_caller;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/outbox", get(list_outbox))
        .route("/api/v1/outbox/{id}/retry", post(retry_mail))
        .route("/api/v1/sites/{site}/templates", get(list_templates))
        .route(
            "/api/v1/sites/{site}/templates/{key}/{lang}",
            get(get_template).put(save_template).delete(reset_template),
        )
        .route(
            "/api/v1/sites/{site}/templates/{key}/{lang}/preview",
            post(preview_template),
        )
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
            "/api/v1/accounts/{id}/sessions/{session}",
            axum::routing::delete(revoke_session),
        )
        .route("/api/v1/audit", get(list_audit))
        .route("/api/v1/audit.csv", get(audit_csv))
        .route("/api/v1/tokens", get(list_tokens).post(create_token))
        .route(
            "/api/v1/customers",
            get(list_customers).post(create_customer),
        )
        .route("/api/v1/customers.csv", get(customers_csv))
        .route("/api/v1/customers/actions", post(customers_action))
        .route("/api/v1/reports/dashboard", get(dashboard))
        .route("/api/v1/sites", get(list_sites).post(create_site))
        .route("/api/v1/reports/registrations", get(registrations_report))
        .route(
            "/api/v1/reports/registrations.csv",
            get(registrations_report_csv),
        )
        .route(
            "/api/v1/sites/{site}/settings",
            get(site_settings).patch(patch_site_settings),
        )
        .route(
            "/api/v1/customers/{id}",
            get(get_customer)
                .patch(update_customer)
                .delete(delete_customer),
        )
        .route("/api/v1/groups", get(list_groups).post(create_group))
        .route(
            "/api/v1/groups/{id}",
            axum::routing::patch(update_group).delete(delete_group),
        )
        .route("/api/v1/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/api/v1/staff", get(list_staff).post(invite_staff))
        .route("/api/v1/staff/{id}", axum::routing::patch(update_staff))
        .route("/api/v1/settings", get(get_settings).put(put_settings))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct OutboxQuery {
    status: Option<String>,
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/outbox",
    tag = "mail",
    summary = "The outbox",
    params(OutboxQuery),
    responses((status = 200, description = "Messages, newest first", body = Items<gatehouse_app::outbox::OutboxItem>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_outbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let items = outbox::list(
        &state.app,
        &caller,
        q.status.as_deref(),
        q.limit.unwrap_or(100),
    )
    .await?;
    Ok(Json(Items { items }).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/outbox/{id}/retry",
    tag = "mail",
    summary = "Send a failed message again",
    params(("id" = Uuid, Path, description = "The message's ID")),
    responses((status = 200, description = "The message, due again", body = gatehouse_app::outbox::OutboxItem)),
    security(("bearer" = []))
)]
pub(crate) async fn retry_mail(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(outbox::retry(&state.app, &caller, id).await?).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/templates",
    tag = "mail",
    summary = "A site's e-mail templates",
    params(("site" = String, Path, description = "The site key")),
    responses((status = 200, description = "Every message and language", body = Items<gatehouse_app::templates::TemplateView>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_templates(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(site): ApiPath<String>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(Items {
        items: templates::list(&state.app, &caller, &site).await?,
    })
    .into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/sites/{site}/templates/{key}/{lang}",
    tag = "mail",
    summary = "One e-mail template",
    params(("site" = String, Path, description = "The site key"), ("key" = String, Path, description = "The message: activation, approved, declined, welcome, password_reset, password_changed, account_locked, registration_notice"), ("lang" = String, Path, description = "en or de")),
    responses((status = 200, description = "The template in force", body = gatehouse_app::templates::TemplateView)),
    security(("bearer" = []))
)]
pub(crate) async fn get_template(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath((site, key, lang)): ApiPath<(String, String, String)>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(templates::get(&state.app, &caller, &site, &key, &lang).await?).into_response())
}

#[utoipa::path(
    put,
    path = "/api/v1/sites/{site}/templates/{key}/{lang}",
    tag = "mail",
    summary = "Change an e-mail template (refused when it does not render)",
    params(("site" = String, Path, description = "The site key"), ("key" = String, Path, description = "The message: activation, approved, declined, welcome, password_reset, password_changed, account_locked, registration_notice"), ("lang" = String, Path, description = "en or de")),
    request_body = gatehouse_app::mail::Parts,
    responses((status = 200, description = "The template in force", body = gatehouse_app::templates::TemplateView)),
    security(("bearer" = []))
)]
pub(crate) async fn save_template(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath((site, key, lang)): ApiPath<(String, String, String)>,
    ApiJson(parts): ApiJson<Parts>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(
        Json(templates::save(&state.app, &caller, &site, &key, &lang, &parts).await?)
            .into_response(),
    )
}

#[utoipa::path(
    delete,
    path = "/api/v1/sites/{site}/templates/{key}/{lang}",
    tag = "mail",
    summary = "Go back to the shipped template",
    params(("site" = String, Path, description = "The site key"), ("key" = String, Path, description = "The message: activation, approved, declined, welcome, password_reset, password_changed, account_locked, registration_notice"), ("lang" = String, Path, description = "en or de")),
    responses((status = 200, description = "The template in force", body = gatehouse_app::templates::TemplateView)),
    security(("bearer" = []))
)]
pub(crate) async fn reset_template(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath((site, key, lang)): ApiPath<(String, String, String)>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(templates::reset(&state.app, &caller, &site, &key, &lang).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/sites/{site}/templates/{key}/{lang}/preview",
    tag = "mail",
    summary = "Render a template on sample data",
    params(("site" = String, Path, description = "The site key"), ("key" = String, Path, description = "The message: activation, approved, declined, welcome, password_reset, password_changed, account_locked, registration_notice"), ("lang" = String, Path, description = "en or de")),
    request_body = gatehouse_app::mail::Parts,
    responses((status = 200, description = "The rendered message", body = Preview)),
    security(("bearer" = []))
)]
pub(crate) async fn preview_template(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath((site, key, lang)): ApiPath<(String, String, String)>,
    ApiJson(parts): ApiJson<Parts>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let r = templates::preview(&state.app, &caller, &site, &key, &lang, &parts).await?;
    Ok(Json(Preview {
        subject: r.subject,
        text: r.text,
        html: r.html,
    })
    .into_response())
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
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<accounts::ListQuery>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(accounts::list(&state.app, &caller, &q).await?).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SiteQuery {
    site: Option<String>,
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
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<SiteQuery>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let counts = accounts::counts(&state.app, &caller, q.site.as_deref()).await?;
    let map: Counts = counts
        .into_iter()
        .map(|(s, n)| (s.as_str().to_string(), n))
        .collect();
    Ok(Json(map).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct BulkBody {
    action: String,
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
    headers: HeaderMap,
    ApiJson(body): ApiJson<BulkBody>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
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
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
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
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<accounts::AccountPatch>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(accounts::update(&state.app, &caller, id, &patch).await?).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PasswordBody {
    #[serde(default, with = "time::serde::rfc3339::option")]
    expires_at: Option<time::OffsetDateTime>,
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
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
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
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(Items {
        items: accounts::duplicates(&state.app, &caller, id).await?,
    })
    .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AssignBody {
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
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AssignBody>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
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
    reason: String,
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
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ImpersonateBody>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
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
    headers: HeaderMap,
    ApiPath((id, session)): ApiPath<(Uuid, String)>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    accounts::revoke_session(&state.app, &caller, id, &session).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// The audit log's filters, shared by the API, its CSV and the page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuditQuery {
    limit: Option<i64>,
    target: Option<Uuid>,
    action: Option<String>,
    actor: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    since: Option<time::OffsetDateTime>,
}

impl AuditQuery {
    pub(crate) fn filter(&self) -> gatehouse_store::AuditFilter {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        gatehouse_store::AuditFilter {
            action: text(&self.action),
            actor: text(&self.actor),
            target_id: self.target,
            since: self.since,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    summary = "The audit log",
    params(AuditQuery),
    responses((status = 200, description = "Events, newest first", body = Items<gatehouse_store::AuditEvent>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let items =
        gatehouse_app::audit::list(&state.app, &caller, &q.filter(), q.limit.unwrap_or(100))
            .await?;
    Ok(Json(Items { items }).into_response())
}

/// A cell a spreadsheet would not run as a formula.
pub(crate) fn neutral_cell(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/audit.csv",
    tag = "audit",
    summary = "The audit log as CSV",
    params(AuditQuery),
    responses((status = 200, description = "RFC 4180; cells a spreadsheet would run are neutralised", body = String, content_type = "text/csv")),
    security(("bearer" = []))
)]
pub(crate) async fn audit_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let items =
        gatehouse_app::audit::list(&state.app, &caller, &q.filter(), q.limit.unwrap_or(10_000))
            .await?;
    let header = [
        "at",
        "actor_kind",
        "actor",
        "action",
        "target_kind",
        "target_id",
        "site_id",
        "ip",
        "details",
    ];
    let rows = items.iter().map(|e| {
        vec![
            e.at.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            e.actor.kind.clone(),
            e.actor.label.clone(),
            e.action.clone(),
            e.target_kind.clone().unwrap_or_default(),
            e.target_id.map(|t| t.to_string()).unwrap_or_default(),
            e.site_id.map(|t| t.to_string()).unwrap_or_default(),
            e.ip.clone().unwrap_or_default(),
            e.details.to_string(),
        ]
    });
    let bytes =
        csv_lines(std::iter::once(header.iter().map(|h| h.to_string()).collect()).chain(rows))
            .map_err(|e| ApiError::from(gatehouse_app::AppError::Internal(e.to_string())))?;
    Ok(csv_response("audit.csv", axum::body::Body::from(bytes)))
}

/// A CSV download.
fn csv_response(filename: &str, body: axum::body::Body) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&disposition) {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    response
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
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(Items {
        items: gatehouse_app::staff::list(&state.app, &caller).await?,
    })
    .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct InviteBody {
    email: String,
    role: gatehouse_domain::StaffRole,
}

#[utoipa::path(
    post,
    path = "/api/v1/staff",
    tag = "staff",
    summary = "Invite a staff user (a set-password link is mailed)",
    request_body = InviteBody,
    responses((status = 201, description = "The invitation", body = gatehouse_app::staff::Invitation)),
    security(("bearer" = []))
)]
pub(crate) async fn invite_staff(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let invitation =
        gatehouse_app::staff::invite(&state.app, &caller, &body.email, body.role).await?;
    Ok((axum::http::StatusCode::CREATED, Json(invitation)).into_response())
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
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<StaffPatch>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
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
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
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
    headers: HeaderMap,
    ApiJson(body): ApiJson<gatehouse_app::installation::InstallationSettings>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(gatehouse_app::installation::save(&state.app, &caller, &body).await?).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    tag = "tokens",
    summary = "API tokens",
    responses((status = 200, description = "Every token (never its secret)", body = Items<gatehouse_app::api_tokens::TokenView>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_tokens(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(Items {
        items: gatehouse_app::api_tokens::list(&state.app, &caller).await?,
    })
    .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct TokenBody {
    staff: Option<String>,
    name: String,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    expires_at: Option<time::OffsetDateTime>,
}

#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    tag = "tokens",
    summary = "Create an API token (its secret is shown once)",
    request_body = TokenBody,
    responses((status = 201, description = "The token and its secret", body = TokenCreated)),
    security(("bearer" = []))
)]
pub(crate) async fn create_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let staff = body
        .staff
        .clone()
        .unwrap_or_else(|| caller.staff.email.clone());
    let made = gatehouse_app::api_tokens::create(
        &state.app,
        &caller,
        &staff,
        &body.name,
        &body.scopes,
        body.expires_at,
    )
    .await?;
    let view = gatehouse_app::api_tokens::TokenView::from(&made.token);
    Ok((
        axum::http::StatusCode::CREATED,
        Json(TokenCreated {
            token: view,
            secret: made.secret,
        }),
    )
        .into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "tokens",
    summary = "Revoke an API token",
    params(("id" = Uuid, Path, description = "The token's ID")),
    responses((status = 204, description = "Revoked")),
    security(("bearer" = []))
)]
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    gatehouse_app::api_tokens::revoke(&state.app, &caller, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/customers",
    tag = "customers",
    summary = "Add a customer, optionally with a portal account and a welcome mail",
    request_body = CustomerInput,
    responses((status = 201, description = "The customer and their accounts", body = gatehouse_app::customers::CustomerDetail)),
    security(("bearer" = []))
)]
pub(crate) async fn create_customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let account = match body.remove("account") {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value::<gatehouse_app::customers::NewAccount>(v)
                .map_err(|e| gatehouse_app::AppError::invalid("account", e.to_string()))?,
        ),
    };
    let made =
        gatehouse_app::customers::create(&state.app, &caller, &body, account.as_ref()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(made)).into_response())
}

/// A bulk action on customers, as posted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomersAction {
    action: String,
    ids: Vec<Uuid>,
    #[serde(default)]
    group_id: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/customers/actions",
    tag = "customers",
    summary = "An action on several customers",
    request_body = CustomersAction,
    responses((status = 200, description = "A result per customer", body = CustomersReply)),
    security(("bearer" = []))
)]
pub(crate) async fn customers_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CustomersAction>,
) -> Result<Response, ApiError> {
    use gatehouse_app::customers;
    let caller = api_caller(&state, &headers).await?;
    let action = customers::CustomerAction::parse(&body.action, body.group_id.as_deref())?;
    let results = customers::bulk(&state.app, &caller, action, &body.ids).await?;
    let summary = customers::bulk_summary(action, &results);
    Ok(Json(CustomersReply { summary, results }).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/dashboard",
    tag = "reports",
    summary = "Counts per status per site, registrations per day",
    params(SiteQuery),
    responses((status = 200, description = "The dashboard", body = gatehouse_app::reports::Dashboard)),
    security(("bearer" = []))
)]
pub(crate) async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<SiteQuery>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let site = q.site.as_deref().filter(|s| !s.is_empty());
    Ok(Json(gatehouse_app::reports::dashboard(&state.app, &caller, site).await?).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/customers/{id}",
    tag = "customers",
    summary = "A customer",
    params(("id" = Uuid, Path, description = "The customer's ID")),
    responses((status = 200, description = "The customer and their accounts", body = gatehouse_app::customers::CustomerDetail)),
    security(("bearer" = []))
)]
pub(crate) async fn get_customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(gatehouse_app::customers::get(&state.app, &caller, id).await?).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/v1/customers/{id}",
    tag = "customers",
    summary = "Change a customer (absent fields stay)",
    params(("id" = Uuid, Path, description = "The customer's ID")),
    request_body = CustomerInput,
    responses((status = 200, description = "The customer after the change", body = gatehouse_app::customers::CustomerDetail)),
    security(("bearer" = []))
)]
pub(crate) async fn update_customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(
        Json(gatehouse_app::customers::update(&state.app, &caller, id, &body).await?)
            .into_response(),
    )
}

#[utoipa::path(
    delete,
    path = "/api/v1/customers/{id}",
    tag = "customers",
    summary = "Delete a customer",
    params(("id" = Uuid, Path, description = "The customer's ID")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
pub(crate) async fn delete_customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    gatehouse_app::customers::delete(&state.app, &caller, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct GroupsQuery {
    #[serde(default)]
    all: bool,
}

#[utoipa::path(
    get,
    path = "/api/v1/groups",
    tag = "groups",
    summary = "Customer groups",
    params(GroupsQuery),
    responses((status = 200, description = "Groups with their member counts", body = Items<gatehouse_app::groups::GroupView>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_groups(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<GroupsQuery>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(Items {
        items: gatehouse_app::groups::list(&state.app, &caller, q.all).await?,
    })
    .into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/groups",
    tag = "groups",
    summary = "Add a group",
    request_body = gatehouse_app::groups::GroupInput,
    responses((status = 201, description = "The group", body = gatehouse_store::Group)),
    security(("bearer" = []))
)]
pub(crate) async fn create_group(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<gatehouse_app::groups::GroupInput>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let group = gatehouse_app::groups::create(&state.app, &caller, &body).await?;
    Ok((axum::http::StatusCode::CREATED, Json(group)).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/v1/groups/{id}",
    tag = "groups",
    summary = "Change a group",
    params(("id" = Uuid, Path, description = "The group's ID")),
    request_body = gatehouse_app::groups::GroupInput,
    responses((status = 200, description = "The group", body = gatehouse_store::Group)),
    security(("bearer" = []))
)]
pub(crate) async fn update_group(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<gatehouse_app::groups::GroupInput>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(gatehouse_app::groups::update(&state.app, &caller, id, &body).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}",
    tag = "groups",
    summary = "Delete a group (refused while it has members)",
    params(("id" = Uuid, Path, description = "The group's ID")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = []))
)]
pub(crate) async fn delete_group(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    gatehouse_app::groups::delete(&state.app, &caller, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/customers",
    tag = "customers",
    summary = "The customer list: search, filters, sort, pages",
    params(gatehouse_app::customers::ListQuery),
    responses((status = 200, description = "One page of customers with the total", body = gatehouse_app::accounts::Page<gatehouse_store::Customer>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_customers(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<gatehouse_app::customers::ListQuery>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(gatehouse_app::customers::list(&state.app, &caller, &q).await?).into_response())
}

/// The CSV columns: the stable field names.
const CUSTOMER_COLUMNS: [&str; 20] = [
    "id",
    "first_name",
    "last_name",
    "email",
    "company",
    "url",
    "phone",
    "mobile",
    "country",
    "region",
    "street",
    "postcode",
    "city",
    "external_id",
    "group_id",
    "avatar_url",
    "notifications",
    "notes",
    "created_at",
    "updated_at",
];

/// A customer's CSV cells, borrowed where the text is stored as it is shown
/// (an export writes a million of these).
fn customer_record(c: &gatehouse_store::Customer) -> [std::borrow::Cow<'_, str>; 20] {
    use std::borrow::Cow::{Borrowed, Owned};
    let f = &c.fields;
    fn t(v: &Option<String>) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(v.as_deref().unwrap_or(""))
    }
    let time = |t: time::OffsetDateTime| {
        Owned(
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        )
    };
    [
        Owned(c.id.to_string()),
        Borrowed(f.first_name.as_str()),
        Borrowed(f.last_name.as_str()),
        t(&f.email),
        t(&f.company),
        t(&f.url),
        t(&f.phone),
        t(&f.mobile),
        t(&f.country),
        t(&f.region),
        t(&f.street),
        t(&f.postcode),
        t(&f.city),
        t(&f.external_id),
        Owned(f.group_id.map(|g| g.to_string()).unwrap_or_default()),
        t(&f.avatar_url),
        Borrowed(if f.notifications { "true" } else { "false" }),
        t(&f.notes),
        time(c.created_at),
        time(c.updated_at),
    ]
}

/// RFC 4180 lines of the records, every cell neutralised.
fn csv_lines<R, C>(records: impl IntoIterator<Item = R>) -> Result<Vec<u8>, csv::Error>
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut out = csv::Writer::from_writer(Vec::new());
    for record in records {
        for cell in record {
            out.write_field(neutral_cell(cell.as_ref()).as_bytes())?;
        }
        out.write_record(None::<&[u8]>)?;
    }
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// The filtered customer list as CSV, streamed a chunk at a time (constant
/// memory whatever its length), in ID order (the order they were added).
#[utoipa::path(
    get,
    path = "/api/v1/customers.csv",
    tag = "customers",
    summary = "The filtered customer list as CSV, streamed",
    params(gatehouse_app::customers::ListQuery),
    responses((status = 200, description = "Every customer the filter matches (RFC 4180; formulas neutralised)", body = String, content_type = "text/csv")),
    security(("bearer" = []))
)]
pub(crate) async fn customers_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<gatehouse_app::customers::ListQuery>,
) -> Result<Response, ApiError> {
    const CHUNK: i64 = 1000;
    let caller = api_caller(&state, &headers).await?;
    let filter = gatehouse_app::customers::filter_of(&state.app, &q).await?;
    // Refuse before the first byte when the caller may not read customers.
    gatehouse_app::customers::export_chunk(&state.app, &caller, &filter, None, 1).await?;
    let header = csv_lines([CUSTOMER_COLUMNS])
        .map_err(|e| ApiError::from(gatehouse_app::AppError::Internal(e.to_string())))?;
    let app = state.app.clone();
    let rows = futures_util::stream::unfold(Some(None::<Uuid>), move |cursor| {
        let app = app.clone();
        let caller = caller.clone();
        let filter = filter.clone();
        async move {
            let after = cursor?;
            match gatehouse_app::customers::export_chunk(&app, &caller, &filter, after, CHUNK).await
            {
                Ok(chunk) if chunk.is_empty() => None,
                Ok(chunk) => {
                    let next = if (chunk.len() as i64) < CHUNK {
                        None
                    } else {
                        chunk.last().map(|c| Some(c.id))
                    };
                    let bytes =
                        csv_lines(chunk.iter().map(customer_record)).map_err(std::io::Error::other);
                    Some((bytes.map(axum::body::Bytes::from), next))
                }
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        }
    });
    let head = futures_util::stream::once(async move {
        Ok::<_, std::io::Error>(axum::body::Bytes::from(header))
    });
    let body = axum::body::Body::from_stream(futures_util::StreamExt::chain(head, rows));
    Ok(csv_response("customers.csv", body))
}

#[utoipa::path(
    get,
    path = "/api/v1/sites",
    tag = "sites",
    summary = "Sites",
    responses((status = 200, description = "Every site", body = Items<gatehouse_store::Site>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_sites(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(Json(Items {
        items: gatehouse_app::sites::list(&state.app, &caller).await?,
    })
    .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct SiteBody {
    key: String,
    name: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/sites",
    tag = "sites",
    summary = "Add a site",
    request_body = SiteBody,
    responses((status = 201, description = "The site with default settings", body = gatehouse_store::Site)),
    security(("bearer" = []))
)]
pub(crate) async fn create_site(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SiteBody>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    let site = gatehouse_app::sites::create(&state.app, &caller, &body.key, &body.name).await?;
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
    headers: HeaderMap,
    ApiPath(site): ApiPath<String>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
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
    headers: HeaderMap,
    ApiPath(site): ApiPath<String>,
    ApiJson(patch): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    let caller = api_caller(&state, &headers).await?;
    Ok(
        Json(gatehouse_app::sites::patch_settings(&state.app, &caller, &site, &patch).await?)
            .into_response(),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportQuery {
    site: Option<String>,
    limit: Option<i64>,
}

async fn registrations_rows(
    state: &AppState,
    headers: &HeaderMap,
    q: &ReportQuery,
) -> Result<Vec<gatehouse_app::reports::RegistrationRow>, ApiError> {
    let caller = api_caller(state, headers).await?;
    let site = q.site.as_deref().unwrap_or("main");
    Ok(
        gatehouse_app::reports::registrations(&state.app, &caller, site, q.limit.unwrap_or(10_000))
            .await?,
    )
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/registrations",
    tag = "reports",
    summary = "Registrations report of a site",
    params(ReportQuery),
    responses((status = 200, description = "A row per account", body = Items<gatehouse_app::reports::RegistrationRow>)),
    security(("bearer" = []))
)]
pub(crate) async fn registrations_report(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let rows = registrations_rows(&state, &headers, &q).await?;
    Ok(Json(Items { items: rows }).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/registrations.csv",
    tag = "reports",
    summary = "Registrations report of a site as CSV",
    params(ReportQuery),
    responses((status = 200, description = "A row per account", body = String, content_type = "text/csv")),
    security(("bearer" = []))
)]
pub(crate) async fn registrations_report_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let rows = registrations_rows(&state, &headers, &q).await?;
    let time = |t: Option<time::OffsetDateTime>| {
        t.and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
    };
    let header = [
        "id",
        "login_id",
        "email",
        "status",
        "registered_at",
        "verified_at",
        "approved_at",
        "last_login_at",
        "access_expires_at",
        "password_expires_at",
    ];
    let records = rows.iter().map(|r| {
        vec![
            r.id.to_string(),
            r.login_id.clone(),
            r.email.clone(),
            r.status.clone(),
            time(Some(r.registered_at)),
            time(r.verified_at),
            time(r.approved_at),
            time(r.last_login_at),
            time(r.access_expires_at),
            time(r.password_expires_at),
        ]
    });
    let bytes =
        csv_lines(std::iter::once(header.iter().map(|h| h.to_string()).collect()).chain(records))
            .map_err(|e| ApiError::from(gatehouse_app::AppError::Internal(e.to_string())))?;
    Ok(csv_response(
        "registrations.csv",
        axum::body::Body::from(bytes),
    ))
}

/// A rendered template.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Preview {
    subject: String,
    text: String,
    html: String,
}

/// What a bulk action on accounts did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BulkReply {
    /// One sentence for a person ("3 approved; 1: …").
    summary: String,
    /// One per account, in the order given.
    results: Vec<accounts::BulkResult>,
}

/// What a bulk action on customers did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CustomersReply {
    /// One sentence for a person.
    summary: String,
    /// One per customer, in the order given.
    results: Vec<gatehouse_app::customers::CustomerResult>,
}

/// An impersonation begun.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Impersonation {
    /// Opens the portal as the customer; single use, short-lived.
    url: String,
}

/// A token just made: its secret is shown here and never again.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TokenCreated {
    token: gatehouse_app::api_tokens::TokenView,
    /// Send as `Authorization: Bearer <secret>`.
    secret: String,
}

/// A customer's fields by their stable names; every one optional on a
/// change (absent ones stay), `first_name` and `last_name` needed to add.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // The shape of a JSON body, read as a map.
pub(crate) struct CustomerInput {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    company: Option<String>,
    url: Option<String>,
    phone: Option<String>,
    mobile: Option<String>,
    country: Option<String>,
    region: Option<String>,
    street: Option<String>,
    postcode: Option<String>,
    city: Option<String>,
    external_id: Option<String>,
    group_id: Option<Uuid>,
    avatar_url: Option<String>,
    notifications: Option<bool>,
    notes: Option<String>,
    language: Option<String>,
    /// A portal account to make with the customer (on adding only).
    account: Option<gatehouse_app::customers::NewAccount>,
}

#[cfg(test)]
mod tests {
    use super::neutral_cell;

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        for risky in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutral_cell(risky), format!("'{risky}"));
        }
        assert_eq!(neutral_cell("ada@example.com"), "ada@example.com");
        assert_eq!(neutral_cell(""), "");
    }
}
