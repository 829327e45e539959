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
use gatehouse_app::{AppError, outbox, templates};
use gatehouse_domain::Permission;
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use crate::staff::CONSOLE_COOKIE;
use crate::{AppState, cookies, pages, portal};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(home))
        .route("/admin/login", get(login_form).post(login_submit))
        .route("/admin/logout", post(logout))
        .route("/admin/outbox", get(outbox_page))
        .route("/admin/outbox/{id}/retry", post(outbox_retry))
        .route("/admin/sites/{site}/templates", get(templates_page))
        .route(
            "/admin/sites/{site}/templates/{key}/{lang}",
            get(template_form).post(template_submit),
        )
}

fn redirect(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

/// The signed-in staff user, or a redirect to the sign-in page.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<StaffCaller, Response> {
    let found = match cookies::get(headers, CONSOLE_COOKIE) {
        Some(token) => staff_auth::by_session(&state.app, &token)
            .await
            .map_err(crate::error::page_error)?,
        None => None,
    };
    found.ok_or_else(|| redirect("/admin/login"))
}

fn base(caller: &StaffCaller) -> Value {
    context! {
        staff => context! { email => caller.staff.email.clone(), role => caller.staff.role.as_str() },
        csrf => caller.csrf_token().unwrap_or_default(),
        may_templates => caller.may(Permission::ManageTemplates),
        may_retry => caller.may(Permission::RetryMail),
    }
}

fn page(caller: &StaffCaller, status: StatusCode, template: &str, extra: Value) -> Response {
    pages::render(status, template, context! { ..extra, ..base(caller) })
}

fn forbidden(caller: &StaffCaller, e: AppError) -> Response {
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

async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match signed_in(&state, &headers).await {
        Ok(caller) => page(
            &caller,
            StatusCode::OK,
            "console/home.html",
            context! { error => None::<String>, flash => None::<String> },
        ),
        Err(r) => r,
    }
}

// ---- sign in and out

#[derive(Debug, Default, Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
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
    match staff_auth::sign_in(&state.app, &form.email, &form.password, &meta).await {
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
            Some("The e-mail address or password is not right."),
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
        return forbidden(
            &caller,
            AppError::Forbidden {
                code: "csrf",
                message: "the form had expired; try again".into(),
            },
        );
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
        return forbidden(
            &caller,
            AppError::Forbidden {
                code: "csrf",
                message: "the form had expired; try again".into(),
            },
        );
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
        return forbidden(
            &caller,
            AppError::Forbidden {
                code: "csrf",
                message: "the form had expired; try again".into(),
            },
        );
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
