//! The management console's pages (`/admin/…`): staff sign-in and out, the
//! outbox, and the e-mail templates with a live preview. Every page asks the
//! app layer's permission table through `StaffCaller::require`; every form
//! carries the console session's CSRF token.

// The error side of these helpers is the page to answer with.
#![allow(clippy::result_large_err)]

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use gatehouse_app::mail::Parts;
use gatehouse_app::staff_auth::{self, StaffCaller};
use gatehouse_app::{AppError, accounts, outbox, templates};
use gatehouse_domain::Permission;
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use crate::staff::CONSOLE_COOKIE;
use crate::{AppState, cookies, pages, portal};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/login", get(login_form).post(login_submit))
        .route("/admin/logout", post(logout))
        .route("/admin/outbox", get(outbox_page))
        .route("/admin/registrations", get(registrations))
        .route("/admin/registrations/actions", post(registrations_action))
        .route("/admin/accounts/{id}", get(account))
        .route("/admin/accounts/{id}/action", post(account_action))
        .route("/admin/accounts/{id}/update", post(account_update))
        .route("/admin/accounts/{id}/password", post(account_password))
        .route("/admin/accounts/{id}/assign", post(account_assign))
        .route(
            "/admin/accounts/{id}/impersonate",
            post(account_impersonate),
        )
        .route(
            "/admin/accounts/{id}/sessions/{session}/revoke",
            post(account_revoke),
        )
        .route("/admin/audit", get(audit_page))
        .route("/admin/security", get(security_page).post(security_submit))
        .route("/admin/settings", get(settings_page).post(settings_submit))
        .route("/admin/staff", get(staff_page).post(staff_invite))
        .route("/admin/staff/{id}", post(staff_update))
        .route("/admin/tokens", get(tokens_page).post(tokens_create))
        .route("/admin/tokens/{id}/revoke", post(tokens_revoke))
        .route("/admin/outbox/{id}/retry", post(outbox_retry))
        .route("/admin/sites/{site}/templates", get(templates_page))
        .route(
            "/admin/sites/{site}/templates/{key}/{lang}",
            get(template_form).post(template_submit),
        )
}

pub(crate) fn redirect(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

/// The signed-in staff user, or a redirect to the sign-in page (or to the
/// second-factor set-up, when the installation requires one they lack).
pub(crate) async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<StaffCaller, Response> {
    let caller = signed_in_any(state, headers).await?;
    if caller.must_enrol_totp() {
        return Err(redirect("/admin/security"));
    }
    Ok(caller)
}

/// The signed-in staff user, even one who must still set up a second factor.
async fn signed_in_any(state: &AppState, headers: &HeaderMap) -> Result<StaffCaller, Response> {
    let found = match cookies::get(headers, CONSOLE_COOKIE) {
        Some(token) => staff_auth::by_session(&state.app, &token)
            .await
            .map_err(crate::error::page_error)?,
        None => None,
    };
    found
        .map(|caller| StaffCaller {
            ip: crate::client::ip(headers),
            ..caller
        })
        .ok_or_else(|| redirect("/admin/login"))
}

fn base(caller: &StaffCaller) -> Value {
    context! {
        staff => context! { email => caller.staff.email.clone(), role => caller.staff.role.as_str() },
        csrf => caller.csrf_token().unwrap_or_default(),
        may_templates => caller.may(Permission::ManageTemplates),
        may_retry => caller.may(Permission::RetryMail),
        may_audit => caller.may(Permission::ViewAudit),
        may_staff => caller.may(Permission::ManageStaff),
    }
}

pub(crate) fn page(
    caller: &StaffCaller,
    status: StatusCode,
    template: &str,
    extra: Value,
) -> Response {
    pages::render(status, template, context! { ..extra, ..base(caller) })
}

pub(crate) fn forbidden(caller: &StaffCaller, e: AppError) -> Response {
    let api = crate::error::ApiError::from(e);
    page(
        caller,
        api.status,
        "console/home.html",
        context! { error => api.message, flash => None::<String> },
    )
}

fn csrf_ok(caller: &StaffCaller, submitted: &str) -> bool {
    caller
        .csrf_token()
        .is_some_and(|t| !submitted.is_empty() && t == submitted)
}

// ---- sign in and out

#[derive(Debug, Default, Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

fn login_page(
    status: StatusCode,
    csrf: &str,
    email: &str,
    error: Option<&str>,
    set_cookie: bool,
) -> Response {
    let mut r = pages::render(
        status,
        "console/login.html",
        context! { csrf, email, error, staff => None::<String>, flash => None::<String> },
    );
    if set_cookie {
        cookies::set(
            r.headers_mut(),
            cookies::CookieOptions { secure: false },
            cookies::FORM_CSRF,
            csrf,
            86_400,
            true,
        );
    }
    r
}

async fn login_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if signed_in(&state, &headers).await.is_ok() {
        return redirect("/admin");
    }
    match cookies::get(&headers, cookies::FORM_CSRF) {
        Some(csrf) => login_page(StatusCode::OK, &csrf, "", None, false),
        None => {
            let csrf = gatehouse_app::secrets::new_token("");
            let mut r = login_page(StatusCode::OK, &csrf, "", None, false);
            cookies::set(
                r.headers_mut(),
                state.cookies,
                cookies::FORM_CSRF,
                &csrf,
                86_400,
                true,
            );
            r
        }
    }
}

async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: ConnectInfo<SocketAddr>,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = cookies::get(&headers, cookies::FORM_CSRF).unwrap_or_default();
    if expected.is_empty() || expected != form.csrf {
        let csrf = gatehouse_app::secrets::new_token("");
        return login_page(
            StatusCode::FORBIDDEN,
            &csrf,
            &form.email,
            Some("The form had expired. Please sign in again."),
            true,
        );
    }
    let meta = portal::request_meta(&headers, Some(&peer));
    if let Err(e) = portal::rate_limit(&state, &meta, "admin", Some(&form.email)) {
        return e.into_response();
    }
    let code = Some(form.code.as_str()).filter(|c| !c.trim().is_empty());
    match staff_auth::sign_in(&state.app, &form.email, &form.password, code, &meta).await {
        Ok(session) => {
            let mut r = redirect("/admin");
            cookies::set(
                r.headers_mut(),
                state.cookies,
                CONSOLE_COOKIE,
                &session.token,
                u64::from(session.max_age_seconds),
                true,
            );
            r
        }
        Err(AppError::SignIn(_)) => login_page(
            StatusCode::UNAUTHORIZED,
            &expected,
            &form.email,
            Some("The e-mail address, password or code is not right."),
            false,
        ),
        Err(e) => crate::error::page_error(e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !csrf_ok(&caller, &form.csrf) {
        return expired(&caller);
    }
    if let Some(token) = cookies::get(&headers, CONSOLE_COOKIE)
        && let Err(e) = staff_auth::sign_out(&state.app, &token).await
    {
        return crate::error::page_error(e);
    }
    let mut r = redirect("/admin/login");
    cookies::clear(r.headers_mut(), state.cookies, CONSOLE_COOKIE);
    r
}

// ---- outbox

#[derive(Debug, Default, Deserialize)]
struct OutboxQuery {
    status: Option<String>,
    retried: Option<String>,
}

async fn outbox_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<OutboxQuery>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let status = q.status.filter(|s| !s.is_empty());
    match outbox::list(&state.app, &caller, status.as_deref(), 200).await {
        Ok(items) => {
            let flash = q
                .retried
                .map(|_| "The message is queued again.".to_string());
            page(
                &caller,
                StatusCode::OK,
                "console/outbox.html",
                context! { items => pages::ser(items), status, statuses => outbox::STATUSES, flash, error => None::<String> },
            )
        }
        Err(e) => forbidden(&caller, e),
    }
}

async fn outbox_retry(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !csrf_ok(&caller, &form.csrf) {
        return expired(&caller);
    }
    match outbox::retry(&state.app, &caller, id).await {
        Ok(_) => redirect("/admin/outbox?retried=1"),
        Err(e) => forbidden(&caller, e),
    }
}

// ---- templates

async fn templates_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match templates::list(&state.app, &caller, &site).await {
        Ok(items) => page(
            &caller,
            StatusCode::OK,
            "console/templates.html",
            context! { site, items => pages::ser(items), flash => None::<String>, error => None::<String> },
        ),
        Err(e) => forbidden(&caller, e),
    }
}

fn edit_page(
    caller: &StaffCaller,
    status: StatusCode,
    site: &str,
    view: &templates::TemplateView,
    extra: Value,
) -> Response {
    page(
        caller,
        status,
        "console/template_edit.html",
        context! {
            ..extra,
            ..context! { site, key => view.key.clone(), language => view.language.clone(), custom => view.custom, parts => pages::ser(&view.parts) }
        },
    )
}

async fn template_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, key, lang)): Path<(String, String, String)>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match templates::get(&state.app, &caller, &site, &key, &lang).await {
        Ok(view) => edit_page(
            &caller,
            StatusCode::OK,
            &site,
            &view,
            context! { preview => None::<String>, flash => None::<String>, error => None::<String>, field => None::<String> },
        ),
        Err(e) => forbidden(&caller, e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct TemplateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    html: String,
}

async fn template_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((site, key, lang)): Path<(String, String, String)>,
    Form(form): Form<TemplateForm>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !csrf_ok(&caller, &form.csrf) {
        return expired(&caller);
    }
    let parts = Parts {
        subject: form.subject.clone(),
        text: form.text.clone(),
        html: form.html.clone(),
    };
    let current = match templates::get(&state.app, &caller, &site, &key, &lang).await {
        Ok(v) => v,
        Err(e) => return forbidden(&caller, e),
    };
    let typed = templates::TemplateView {
        parts: parts.clone(),
        ..current.clone()
    };
    let refused = |e: AppError| {
        let (field, message) = match &e {
            AppError::Invalid { field, message } => (field.clone(), message.clone()),
            other => (None, other.to_string()),
        };
        edit_page(
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            &site,
            &typed,
            context! { preview => None::<String>, flash => None::<String>, error => message, field },
        )
    };
    match form.action.as_str() {
        "save" => match templates::save(&state.app, &caller, &site, &key, &lang, &parts).await {
            Ok(view) => edit_page(
                &caller,
                StatusCode::OK,
                &site,
                &view,
                context! { preview => None::<String>, flash => "Saved.", error => None::<String>, field => None::<String> },
            ),
            Err(e) => refused(e),
        },
        "reset" => match templates::reset(&state.app, &caller, &site, &key, &lang).await {
            Ok(view) => edit_page(
                &caller,
                StatusCode::OK,
                &site,
                &view,
                context! { preview => None::<String>, flash => "The shipped default applies again.", error => None::<String>, field => None::<String> },
            ),
            Err(e) => refused(e),
        },
        _ => match templates::preview(&state.app, &caller, &site, &key, &lang, &parts).await {
            Ok(r) => edit_page(
                &caller,
                StatusCode::OK,
                &site,
                &typed,
                context! { preview => context! { subject => r.subject, text => r.text, html => r.html }, flash => None::<String>, error => None::<String>, field => None::<String> },
            ),
            Err(e) => refused(e),
        },
    }
}

// ---- registrations queue and account page

/// The queue's tabs, in order.
const TABS: [(&str, &str); 6] = [
    ("unverified", "Unverified"),
    ("pending", "Pending"),
    ("locked", "Locked"),
    ("blocked", "Blocked"),
    ("deleted", "Deleted"),
    ("active", "Active"),
];

/// The answer to a form whose CSRF token is wrong or stale.
pub(crate) fn expired(caller: &StaffCaller) -> Response {
    forbidden(
        caller,
        AppError::Forbidden {
            code: "csrf",
            message: "the form had expired; try again".into(),
        },
    )
}

/// A console form post: the signed-in staff user and the form's fields, or
/// the answer when there is no session or the CSRF token is wrong.
pub(crate) async fn posted(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(StaffCaller, Vec<(String, String)>), Response> {
    let caller = signed_in(state, headers).await?;
    let all = fields(body);
    if !csrf_ok(&caller, field(&all, "csrf").unwrap_or("")) {
        return Err(expired(&caller));
    }
    Ok((caller, all))
}

/// A posted form with repeated keys (`ids=…&ids=…`).
fn fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

pub(crate) fn field<'a>(all: &'a [(String, String)], name: &str) -> Option<&'a str> {
    all.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

pub(crate) fn all_of(all: &[(String, String)], name: &str) -> Vec<Uuid> {
    all.iter()
        .filter(|(k, _)| k == name)
        .filter_map(|(_, v)| v.parse().ok())
        .collect()
}

async fn registrations_page(
    caller: &StaffCaller,
    state: &AppState,
    q: &accounts::ListQuery,
    flash: Option<String>,
    error: Option<String>,
) -> Response {
    let status = q
        .status
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "pending".into());
    let query = accounts::ListQuery {
        status: Some(status.clone()),
        ..q.clone()
    };
    let list = match accounts::list(&state.app, caller, &query).await {
        Ok(l) => l,
        Err(e) => return forbidden(caller, e),
    };
    let counts = match accounts::counts(
        &state.app,
        caller,
        q.site.as_deref().filter(|s| !s.is_empty()),
    )
    .await
    {
        Ok(c) => c,
        Err(e) => return forbidden(caller, e),
    };
    let tabs: Vec<Value> = TABS
        .iter()
        .map(|(s, label)| {
            let count = counts
                .iter()
                .find(|(st, _)| st.as_str() == *s)
                .map_or(0, |(_, n)| *n);
            context! { status => *s, label => *label, count }
        })
        .collect();
    let sites: Vec<String> = match state.app.store.read().await {
        Ok(mut tx) => tx
            .list_sites()
            .await
            .map(|v| v.into_iter().map(|s| s.key).collect())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let site = q.site.clone().unwrap_or_default();
    let search = q.q.clone().unwrap_or_default();
    let back = format!(
        "/admin/registrations?status={status}&site={}&q={}",
        url::form_urlencoded::byte_serialize(site.as_bytes()).collect::<String>(),
        url::form_urlencoded::byte_serialize(search.as_bytes()).collect::<String>()
    );
    let pages = (list.total + list.per_page - 1) / list.per_page;
    let actions: Vec<&str> = accounts::BulkAction::ALL
        .iter()
        .map(|a| a.as_str())
        .collect();
    page(
        caller,
        StatusCode::OK,
        "console/registrations.html",
        context! {
            items => pages::ser(&list.items), total => list.total, page => list.page, pages, tabs, status, sites, site,
            q => search, back, actions, may_manage => caller.may(Permission::ManageAccounts), flash, error,
            may_audit => caller.may(Permission::ViewAudit),
        },
    )
}

async fn registrations(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<accounts::ListQuery>,
) -> Response {
    match signed_in(&state, &headers).await {
        Ok(caller) => registrations_page(&caller, &state, &q, None, None).await,
        Err(r) => r,
    }
}

async fn registrations_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (caller, all) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let ids = if field(&all, "scope") == Some("page") {
        all_of(&all, "page_ids")
    } else {
        all_of(&all, "ids")
    };
    // Back to the list the staff user was looking at.
    let back = field(&all, "back").unwrap_or("/admin/registrations");
    let query: accounts::ListQuery = serde_urlencoded_query(back);
    let outcome = match accounts::BulkAction::parse(field(&all, "action").unwrap_or("")) {
        Ok(action) if !ids.is_empty() => {
            let reason = field(&all, "reason").filter(|r| !r.trim().is_empty());
            accounts::bulk(
                &state.app,
                &caller,
                action,
                &ids,
                reason,
                field(&all, "notify").is_some(),
            )
            .await
            .map(|results| crate::staff_api::bulk_summary(action, &results))
        }
        Ok(_) => Err(AppError::invalid("ids", "select at least one account")),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(summary) => registrations_page(&caller, &state, &query, Some(summary), None).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Forbidden { .. })) => {
            registrations_page(&caller, &state, &query, None, Some(e.to_string())).await
        }
        Err(e) => crate::error::page_error(e),
    }
}

/// The filters of the queue address a form came back from.
fn serde_urlencoded_query(back: &str) -> accounts::ListQuery {
    let query = back.split_once('?').map_or("", |(_, q)| q);
    let all = fields(query.as_bytes());
    let get = |k: &str| field(&all, k).filter(|v| !v.is_empty()).map(str::to_string);
    accounts::ListQuery {
        status: get("status"),
        site: get("site"),
        q: get("q"),
        page: get("page").and_then(|p| p.parse().ok()),
        per_page: None,
    }
}

/// What the account page shows besides the account.
#[derive(Default)]
struct AccountExtras<'a> {
    flash: Option<String>,
    error: Option<String>,
    temporary: Option<accounts::TemporaryPassword>,
    /// A customer search for assignment: the text and what it found.
    search: Option<(&'a str, Vec<gatehouse_store::Customer>)>,
}

async fn account_page(
    caller: &StaffCaller,
    state: &AppState,
    id: Uuid,
    status: StatusCode,
    extras: AccountExtras<'_>,
) -> Response {
    let detail = match accounts::get(&state.app, caller, id).await {
        Ok(d) => d,
        Err(e) => return forbidden(caller, e),
    };
    let (customer_q, candidates) = match extras.search {
        Some((text, found)) => (
            text.to_string(),
            found
                .into_iter()
                .map(|customer| accounts::Candidate {
                    customer,
                    score: 0,
                    reasons: vec!["found by search"],
                })
                .collect(),
        ),
        None if detail.account.customer_id.is_none() => (
            String::new(),
            accounts::duplicates(&state.app, caller, id)
                .await
                .unwrap_or_default(),
        ),
        None => (String::new(), Vec::new()),
    };
    let access_expires_on = detail
        .account
        .access_expires_at
        .map(|t| t.date().to_string())
        .unwrap_or_default();
    let actions: Vec<&str> = accounts::BulkAction::ALL
        .iter()
        .map(|a| a.as_str())
        .collect();
    page(
        caller,
        status,
        "console/account.html",
        context! {
            a => pages::ser(&detail.account), customer => pages::ser(detail.customer.as_ref().map(|c| &c.fields)),
            sessions => pages::ser(&detail.sessions), audit => pages::ser(&detail.audit), candidates => pages::ser(&candidates),
            access_expires_on, actions, temporary => pages::ser(&extras.temporary), customer_q,
            may_manage => caller.may(Permission::ManageAccounts), may_impersonate => caller.may(Permission::Impersonate),
            may_audit => caller.may(Permission::ViewAudit), flash => extras.flash, error => extras.error,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
struct AccountQuery {
    customer_q: Option<String>,
}

async fn account(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Query(q): Query<AccountQuery>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let text = q.customer_q.unwrap_or_default();
    let search = if text.trim().is_empty() {
        None
    } else {
        match accounts::search_customers(&state.app, &caller, &text).await {
            Ok(found) => Some((text.as_str(), found)),
            Err(e) => return forbidden(&caller, e),
        }
    };
    account_page(
        &caller,
        &state,
        id,
        StatusCode::OK,
        AccountExtras {
            search,
            ..AccountExtras::default()
        },
    )
    .await
}
/// Runs one account form: checks the session and CSRF token, then `work`,
/// and shows the account page with what happened.
async fn account_form<F, Fut>(
    state: AppState,
    headers: HeaderMap,
    id: Uuid,
    body: axum::body::Bytes,
    work: F,
) -> Response
where
    F: FnOnce(StaffCaller, Vec<(String, String)>) -> Fut,
    Fut: std::future::Future<Output = Result<Outcome, AppError>>,
{
    let (caller, all) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match work(caller.clone(), all).await {
        Ok(Outcome::Done(flash)) => {
            account_page(
                &caller,
                &state,
                id,
                StatusCode::OK,
                AccountExtras {
                    flash: Some(flash),
                    ..AccountExtras::default()
                },
            )
            .await
        }
        Ok(Outcome::Password(t)) => {
            account_page(
                &caller,
                &state,
                id,
                StatusCode::OK,
                AccountExtras {
                    temporary: Some(t),
                    ..AccountExtras::default()
                },
            )
            .await
        }
        Ok(Outcome::Redirect(to)) => redirect(&to),
        Err(
            e @ (AppError::Invalid { .. }
            | AppError::Refused(_)
            | AppError::Conflict(_)
            | AppError::Forbidden { .. }
            | AppError::SignIn(_)),
        ) => {
            let code = match &e {
                AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            account_page(
                &caller,
                &state,
                id,
                code,
                AccountExtras {
                    error: Some(e.to_string()),
                    ..AccountExtras::default()
                },
            )
            .await
        }
        Err(e) => crate::error::page_error(e),
    }
}

enum Outcome {
    Done(String),
    Password(accounts::TemporaryPassword),
    Redirect(String),
}

async fn account_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Response {
    let app = state.app.clone();
    account_form(state, headers, id, body, move |caller, all| async move {
        let action = accounts::BulkAction::parse(field(&all, "action").unwrap_or(""))?;
        let reason = field(&all, "reason").filter(|r| !r.trim().is_empty());
        let results = accounts::bulk(
            &app,
            &caller,
            action,
            &[id],
            reason,
            field(&all, "notify").is_some(),
        )
        .await?;
        match results.first() {
            Some(r) if !r.ok => Err(AppError::Conflict(r.message.clone())),
            _ => Ok(Outcome::Done(crate::staff_api::bulk_summary(
                action, &results,
            ))),
        }
    })
    .await
}

fn end_of_day(date: &str, what: &str) -> Result<Option<time::OffsetDateTime>, AppError> {
    if date.trim().is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date.trim(), &format)
        .map_err(|_| AppError::invalid(what, format!("'{date}' is not a date like 2026-12-31")))?;
    Ok(Some(
        day.with_hms(23, 59, 59)
            .map_err(|e| AppError::Internal(e.to_string()))?
            .assume_utc(),
    ))
}

async fn account_update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Response {
    let app = state.app.clone();
    account_form(state, headers, id, body, move |caller, all| async move {
        let expires = end_of_day(
            field(&all, "access_expires_on").unwrap_or(""),
            "access_expires_on",
        )?;
        let role = match field(&all, "role") {
            Some(r) => Some(
                gatehouse_domain::AccountRole::parse(r)
                    .map_err(|e| AppError::invalid("role", e))?,
            ),
            None => None,
        };
        let patch = accounts::AccountPatch {
            login_id: field(&all, "login_id").map(str::to_string),
            email_validated: Some(field(&all, "email_validated").is_some()),
            access_granted: Some(field(&all, "access_granted").is_some()),
            clear_access_expiry: expires.is_none(),
            access_expires_at: expires,
            role,
        };
        accounts::update(&app, &caller, id, &patch).await?;
        Ok(Outcome::Done("Saved.".into()))
    })
    .await
}

async fn account_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Response {
    let app = state.app.clone();
    account_form(state, headers, id, body, move |caller, all| async move {
        let expires = end_of_day(field(&all, "expires_on").unwrap_or(""), "expires_on")?;
        Ok(Outcome::Password(
            accounts::set_temporary_password(&app, &caller, id, expires).await?,
        ))
    })
    .await
}

async fn account_assign(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Response {
    let app = state.app.clone();
    account_form(state, headers, id, body, move |caller, all| async move {
        let to = match field(&all, "customer_id").and_then(|c| c.parse().ok()) {
            Some(customer) => accounts::AssignTo::Customer(customer),
            None => accounts::AssignTo::New,
        };
        accounts::assign(&app, &caller, id, &to).await?;
        Ok(Outcome::Done("Assigned.".into()))
    })
    .await
}

async fn account_impersonate(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Response {
    let app = state.app.clone();
    account_form(state, headers, id, body, move |caller, all| async move {
        let minutes = field(&all, "minutes").and_then(|m| m.parse().ok());
        let url = accounts::impersonate(
            &app,
            &caller,
            id,
            field(&all, "reason").unwrap_or(""),
            minutes,
        )
        .await?;
        Ok(Outcome::Redirect(url))
    })
    .await
}

async fn account_revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, session)): Path<(Uuid, String)>,
    body: axum::body::Bytes,
) -> Response {
    let app = state.app.clone();
    account_form(state, headers, id, body, move |caller, _| async move {
        accounts::revoke_session(&app, &caller, id, &session).await?;
        Ok(Outcome::Done("The session was signed out.".into()))
    })
    .await
}

async fn audit_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::staff_api::AuditQuery>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let filter = q.filter();
    match gatehouse_app::audit::list(&state.app, &caller, &filter, 500).await {
        Ok(items) => page(
            &caller,
            StatusCode::OK,
            "console/audit.html",
            context! {
                items => pages::ser(items), flash => None::<String>, error => None::<String>,
                action => filter.action.unwrap_or_default(), actor => filter.actor.unwrap_or_default(),
            },
        ),
        Err(e) => forbidden(&caller, e),
    }
}

// ---- second factor, installation settings, staff

async fn security_view(
    caller: &StaffCaller,
    status: StatusCode,
    error: Option<String>,
    flash: Option<String>,
) -> Response {
    let secret = gatehouse_app::totp::new_secret();
    let url = gatehouse_app::totp::otpauth_url(&secret, &caller.staff.email).unwrap_or_default();
    page(
        caller,
        status,
        "console/security.html",
        context! { enrolled => caller.staff.totp_secret.is_some(), forced => caller.must_enrol_totp(), secret, url, error, flash },
    )
}

async fn security_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match signed_in_any(&state, &headers).await {
        Ok(caller) => security_view(&caller, StatusCode::OK, None, None).await,
        Err(r) => r,
    }
}

async fn security_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let caller = match signed_in_any(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let all = fields(&body);
    if !csrf_ok(&caller, field(&all, "csrf").unwrap_or("")) {
        return expired(&caller);
    }
    let secret = field(&all, "secret").unwrap_or("");
    match staff_auth::enrol_totp(
        &state.app,
        &caller,
        secret,
        field(&all, "code").unwrap_or(""),
    )
    .await
    {
        Ok(()) => redirect("/admin"),
        Err(e @ AppError::Invalid { .. }) => {
            security_view(
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e.to_string()),
                None,
            )
            .await
        }
        Err(e) => crate::error::page_error(e),
    }
}

async fn settings_view(state: &AppState, caller: &StaffCaller, flash: Option<String>) -> Response {
    if let Err(e) = caller.require(Permission::ManageSettings) {
        return forbidden(caller, e);
    }
    match gatehouse_app::installation::load(&state.app).await {
        Ok(settings) => page(
            caller,
            StatusCode::OK,
            "console/settings.html",
            context! { settings => pages::ser(settings), flash, error => None::<String> },
        ),
        Err(e) => crate::error::page_error(e),
    }
}

async fn settings_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match signed_in(&state, &headers).await {
        Ok(caller) => settings_view(&state, &caller, None).await,
        Err(r) => r,
    }
}

async fn settings_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (caller, all) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let settings = gatehouse_app::installation::InstallationSettings {
        require_admin_totp: field(&all, "require_admin_totp").is_some(),
        support_may_impersonate: field(&all, "support_may_impersonate").is_some(),
    };
    match gatehouse_app::installation::save(&state.app, &caller, &settings).await {
        Ok(_) => settings_view(&state, &caller, Some("Saved.".into())).await,
        Err(e) => forbidden(&caller, e),
    }
}

async fn staff_view(
    state: &AppState,
    caller: &StaffCaller,
    status: StatusCode,
    invitation: Option<gatehouse_app::staff::Invitation>,
    error: Option<String>,
) -> Response {
    match gatehouse_app::staff::list(&state.app, caller).await {
        Ok(items) => page(
            caller,
            status,
            "console/staff.html",
            context! { items => pages::ser(items), invitation => pages::ser(invitation), error, flash => None::<String> },
        ),
        Err(e) => forbidden(caller, e),
    }
}

async fn staff_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match signed_in(&state, &headers).await {
        Ok(caller) => staff_view(&state, &caller, StatusCode::OK, None, None).await,
        Err(r) => r,
    }
}

async fn staff_invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (caller, all) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let role = match gatehouse_domain::StaffRole::parse(field(&all, "role").unwrap_or("")) {
        Ok(r) => r,
        Err(e) => {
            return staff_view(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(e),
            )
            .await;
        }
    };
    match gatehouse_app::staff::invite(
        &state.app,
        &caller,
        field(&all, "email").unwrap_or(""),
        role,
    )
    .await
    {
        Ok(invitation) => staff_view(&state, &caller, StatusCode::OK, Some(invitation), None).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            staff_view(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => forbidden(&caller, e),
    }
}

async fn staff_update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    body: axum::body::Bytes,
) -> Response {
    let (caller, all) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let role = match gatehouse_domain::StaffRole::parse(field(&all, "role").unwrap_or("")) {
        Ok(r) => r,
        Err(e) => {
            return staff_view(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(e),
            )
            .await;
        }
    };
    match gatehouse_app::staff::update(
        &state.app,
        &caller,
        id,
        role,
        field(&all, "active").is_some(),
    )
    .await
    {
        Ok(_) => staff_view(&state, &caller, StatusCode::OK, None, None).await,
        Err(e @ (AppError::Conflict(_) | AppError::NotFound(_))) => {
            staff_view(
                &state,
                &caller,
                StatusCode::CONFLICT,
                None,
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => forbidden(&caller, e),
    }
}

// ---- API tokens

async fn tokens_view(
    state: &AppState,
    caller: &StaffCaller,
    status: StatusCode,
    created: Option<Value>,
    error: Option<String>,
) -> Response {
    let items = match gatehouse_app::api_tokens::list(&state.app, caller).await {
        Ok(items) => items,
        Err(e) => return forbidden(caller, e),
    };
    let staff = match gatehouse_app::staff::list(&state.app, caller).await {
        Ok(s) => s,
        Err(e) => return forbidden(caller, e),
    };
    let staff_names: std::collections::BTreeMap<String, String> = staff
        .iter()
        .map(|s| (s.id.to_string(), s.email.clone()))
        .collect();
    page(
        caller,
        status,
        "console/tokens.html",
        context! { items => pages::ser(items), staff_list => pages::ser(&staff), staff_names => pages::ser(staff_names), created, error, flash => None::<String> },
    )
}

async fn tokens_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match signed_in(&state, &headers).await {
        Ok(caller) => tokens_view(&state, &caller, StatusCode::OK, None, None).await,
        Err(r) => r,
    }
}

async fn tokens_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (caller, all) = match posted(&state, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let scopes: Vec<String> = all
        .iter()
        .filter(|(k, _)| k == "scopes")
        .map(|(_, v)| v.clone())
        .collect();
    let outcome = match end_of_day(field(&all, "expires_on").unwrap_or(""), "expires_on") {
        Ok(expires) => {
            gatehouse_app::api_tokens::create(
                &state.app,
                &caller,
                field(&all, "staff").unwrap_or(""),
                field(&all, "name").unwrap_or(""),
                &scopes,
                expires,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(made) => {
            let created = context! { name => made.token.name.clone(), secret => made.secret };
            tokens_view(&state, &caller, StatusCode::CREATED, Some(created), None).await
        }
        Err(e @ (AppError::Invalid { .. } | AppError::NotFound(_))) => {
            tokens_view(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => forbidden(&caller, e),
    }
}

async fn tokens_revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !csrf_ok(&caller, &form.csrf) {
        return expired(&caller);
    }
    match gatehouse_app::api_tokens::revoke(&state.app, &caller, id).await {
        Ok(()) => tokens_view(&state, &caller, StatusCode::OK, None, None).await,
        Err(e) => forbidden(&caller, e),
    }
}

// ---- customers
