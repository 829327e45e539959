//! Staff sign-in and sign-out (`/admin/login`, `/admin/logout`) and the
//! second factor's set-up (`/admin/security`). The sign-in form is shown
//! before there is a session, so its CSRF token is the double-submit cookie
//! of anonymous forms; everything after sign-in uses the session's token.
//! After signing in, the staff user goes on to the console page they had
//! asked for, or gets back a form they had sent after their session ended,
//! filled as it was (only console addresses are followed).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gatehouse_app::staff_auth::{self, StaffCaller};
use gatehouse_app::{AppError, totp};
use minijinja::context;
use serde::Deserialize;

use super::{Button, ConsoleError, PageResult, page, redirect};
use crate::extract::{ClientMeta, ConsoleCaller, ConsoleForm, EnrollingCaller};
use crate::staff::CONSOLE_COOKIE;
use crate::state::AppState;
use crate::{cookies, csrf, pages};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/login", get(login_form).post(login_submit))
        .route("/admin/logout", post(logout))
        .route("/admin/security", get(security_page).post(security_submit))
        .route("/admin/security/password", post(password_submit))
        .route(
            "/admin/forgot-password",
            get(forgot_form).post(forgot_submit),
        )
        .route("/admin/security/recovery-codes", post(recovery_submit))
        .route("/admin/security/off", post(off_submit))
}

#[derive(Debug, Default, Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    /// The console page to go to after signing in.
    next: Option<String>,
    /// A form posted after the session ended, URL-encoded, to send again.
    resume: Option<String>,
    #[serde(default)]
    code: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// Where the sign-in form goes on to: the page asked for, and a form to send
/// again.
#[derive(Debug, Default, Clone)]
struct Onward {
    next: Option<String>,
    resume: Option<String>,
    /// A line to show first (by message ID).
    said: Option<&'static str>,
}

/// The sign-in page; a fresh form token is made (and its cookie set) when
/// the browser has none or sent a stale one.
fn login_page(
    options: cookies::CookieOptions,
    status: StatusCode,
    csrf: Option<&str>,
    email: &str,
    error: Option<&str>,
    onward: &Onward,
) -> Response {
    let mut set = HeaderMap::new();
    let csrf = match csrf {
        Some(token) => token.to_string(),
        None => cookies::new_form_csrf(&mut set, options),
    };
    let next = onward.next.as_deref().filter(|n| super::resumable(n));
    let resume = onward.resume.as_deref().filter(|_| next.is_some());
    let mut r = pages::render(
        status,
        "console/login.html",
        context! {
            csrf, email, error, next, resume,
            lang => super::lang().as_str(), staff => None::<String>,
            flash => resume.map(|_| "c-session-ended").or(onward.said),
        },
    );
    r.headers_mut().extend(set);
    r
}

/// The answer to a form posted after its session ended: the sign-in page,
/// saying so, with the form's fields kept for after the sign-in.
pub(super) fn session_ended(
    options: cookies::CookieOptions,
    action: &str,
    resume: &str,
) -> Response {
    let onward = Onward {
        next: Some(action.to_string()),
        resume: Some(resume.to_string()),
        said: None,
    };
    login_page(options, StatusCode::UNAUTHORIZED, None, "", None, &onward)
}

#[derive(Debug, Default, Deserialize)]
struct LoginQuery {
    next: Option<String>,
    /// Back after changing the password.
    changed: Option<String>,
}

async fn login_form(
    State(state): State<AppState>,
    signed_in: Result<ConsoleCaller, ConsoleError>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    if signed_in.is_ok() {
        return redirect("/admin");
    }
    let csrf = cookies::get(&headers, cookies::FORM_CSRF);
    let onward = Onward {
        next: q.next,
        resume: None,
        said: q.changed.map(|_| "c-password-changed"),
    };
    login_page(
        state.cookies,
        StatusCode::OK,
        csrf.as_deref(),
        "",
        None,
        &onward,
    )
}

/// After signing in: the form that was posted when the session had ended,
/// filled as it was, to send with one press (with the new session's token);
/// else the page asked for; else the console's front page.
async fn onward_after_sign_in(state: &AppState, token: &str, onward: &Onward) -> Response {
    let Some(next) = onward.next.as_deref().filter(|n| super::resumable(n)) else {
        return redirect("/admin");
    };
    let Some(resume) = onward.resume.as_deref() else {
        return redirect(next);
    };
    let caller = match staff_auth::by_session(&state.app, token).await {
        Ok(Some(caller)) => caller,
        _ => return redirect("/admin"),
    };
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(resume.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    page(
        &caller,
        StatusCode::OK,
        "console/resume.html",
        context! { action => next, fields, flash => None::<String>, error => None::<String> },
    )
}

async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientMeta(meta): ClientMeta,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let expected = cookies::get(&headers, cookies::FORM_CSRF).unwrap_or_default();
    let onward = Onward {
        next: form.next.clone(),
        resume: form.resume.clone(),
        said: None,
    };
    if !csrf::same(&expected, &form.csrf) {
        return login_page(
            state.cookies,
            StatusCode::FORBIDDEN,
            None,
            &form.email,
            Some(&super::word("c-login-expired")),
            &onward,
        );
    }
    if let Err(e) = crate::limits::rate_limit(&state, &meta, "admin", Some(&form.email)) {
        return e.into_response();
    }
    let code = Some(form.code.as_str()).filter(|c| !c.trim().is_empty());
    match staff_auth::sign_in(&state.app, &form.email, &form.password, code, &meta).await {
        Ok(session) => {
            let mut r = onward_after_sign_in(&state, &session.token, &onward).await;
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
            state.cookies,
            StatusCode::UNAUTHORIZED,
            Some(&expected),
            &form.email,
            Some(&super::word("c-login-wrong")),
            &onward,
        ),
        Err(e) => crate::error::page_error(e),
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: ConsoleForm<Button, EnrollingCaller>,
) -> PageResult {
    if let Some(token) = cookies::get(&headers, CONSOLE_COOKIE) {
        staff_auth::sign_out(&state.app, &token).await?;
    }
    let mut r = redirect("/admin/login");
    cookies::clear(r.headers_mut(), state.cookies, CONSOLE_COOKIE);
    Ok(r)
}

/// The set-up page: the secret kept for the caller to scan, or that one is
/// enrolled.
async fn security_view(
    state: &AppState,
    caller: &StaffCaller,
    status: StatusCode,
    error: Option<String>,
) -> PageResult {
    if caller.staff.totp_secret.is_some() {
        return enrolled_view(state, caller, status, error, None).await;
    }
    let secret = staff_auth::enrolment_secret(&state.app, caller).await?;
    let url =
        totp::otpauth_url(&secret, totp::STAFF_ISSUER, &caller.staff.email).unwrap_or_default();
    let qr = crate::pages::qr_svg(&url);
    Ok(page(
        caller,
        status,
        "console/security.html",
        context! {
            enrolled => false, forced => caller.must_enrol_totp(),
            secret, url, qr, error, flash => None::<String>,
        },
    ))
}

/// The page of a staff user whose authenticator app is on: how many
/// recovery codes are left, new ones (`codes`, shown this once), and the
/// forms to make new ones or turn the app off.
async fn enrolled_view(
    state: &AppState,
    caller: &StaffCaller,
    status: StatusCode,
    error: Option<String>,
    codes: Option<Vec<String>>,
) -> PageResult {
    let left = staff_auth::recovery_codes_left(&state.app, caller).await?;
    Ok(page(
        caller,
        status,
        "console/security.html",
        context! { enrolled => true, forced => false, left, codes, error, flash => None::<String> },
    ))
}

async fn security_page(
    State(state): State<AppState>,
    EnrollingCaller(caller): EnrollingCaller,
) -> PageResult {
    security_view(&state, &caller, StatusCode::OK, None).await
}

#[derive(Debug, Default, Deserialize)]
struct EnrolForm {
    #[serde(default)]
    code: String,
}

/// The "forgot password" page: the form, or (`sent`) the answer every
/// address gets.
fn forgot_page(
    options: cookies::CookieOptions,
    status: StatusCode,
    csrf: Option<&str>,
    error: Option<String>,
    sent: bool,
) -> Response {
    let mut set = HeaderMap::new();
    let csrf = match csrf {
        Some(token) => token.to_string(),
        None => cookies::new_form_csrf(&mut set, options),
    };
    let mut r = pages::render(
        status,
        "console/forgot.html",
        context! {
            csrf, error, sent, lang => super::lang().as_str(), staff => None::<String>,
            flash => None::<String>,
        },
    );
    r.headers_mut().extend(set);
    r
}

async fn forgot_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let csrf = cookies::get(&headers, cookies::FORM_CSRF);
    forgot_page(state.cookies, StatusCode::OK, csrf.as_deref(), None, false)
}

#[derive(Debug, Default, Deserialize)]
struct ForgotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// `POST /admin/forgot-password`: the same answer for every address (a
/// staff user's gets a link by mail), limited like the sign-in.
async fn forgot_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientMeta(meta): ClientMeta,
    axum::Form(form): axum::Form<ForgotForm>,
) -> Response {
    let expected = cookies::get(&headers, cookies::FORM_CSRF).unwrap_or_default();
    if !csrf::same(&expected, &form.csrf) {
        let said = super::word("c-login-expired");
        return forgot_page(
            state.cookies,
            StatusCode::FORBIDDEN,
            None,
            Some(said),
            false,
        );
    }
    if let Err(e) = crate::limits::rate_limit(&state, &meta, "admin", Some(&form.email)) {
        return e.into_response();
    }
    match gatehouse_app::staff::forgot_password(
        &state.app,
        &form.email,
        super::lang(),
        meta.ip.clone(),
    )
    .await
    {
        Ok(()) => forgot_page(state.cookies, StatusCode::OK, Some(&expected), None, true),
        Err(e) => ConsoleError::from(e).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

/// `POST /admin/security/recovery-codes`: new recovery codes, shown once.
async fn recovery_submit(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<ConfirmForm, EnrollingCaller>,
) -> PageResult {
    match staff_auth::renew_recovery_codes(&state.app, &caller, &form.password, &form.code).await {
        Ok(codes) => enrolled_view(&state, &caller, StatusCode::OK, None, Some(codes)).await,
        Err(e) => enrolled_refusal(&state, &caller, e).await,
    }
}

/// A refused form of the enrolled page: the page again, saying why.
async fn enrolled_refusal(state: &AppState, caller: &StaffCaller, e: AppError) -> PageResult {
    match e {
        AppError::Invalid { .. } => {
            let said = super::refusal_said(&e);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            enrolled_view(state, caller, status, Some(said), None).await
        }
        e => Err(e.into()),
    }
}

/// `POST /admin/security/off`: the authenticator app off (a new phone is
/// set up from the page that follows).
async fn off_submit(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<ConfirmForm, EnrollingCaller>,
) -> PageResult {
    match staff_auth::turn_off_totp(&state.app, &caller, &form.password, &form.code).await {
        Ok(()) => Ok(redirect("/admin/security")),
        Err(e) => enrolled_refusal(&state, &caller, e).await,
    }
}

#[derive(Debug, Default, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_again: String,
}

/// `POST /admin/security/password`: one's own new password; every console
/// session of theirs ends, and they sign in again with it.
async fn password_submit(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<PasswordForm, EnrollingCaller>,
) -> PageResult {
    let done = if form.new_password == form.new_password_again {
        staff_auth::change_password(
            &state.app,
            &caller,
            &form.current_password,
            &form.new_password,
        )
        .await
    } else {
        Err(AppError::said(
            "new_password_again",
            gatehouse_domain::Words::id("c-passwords-differ"),
            "the two new passwords are not the same",
        ))
    };
    match done {
        Ok(()) => {
            let mut r = redirect("/admin/login?changed=1");
            cookies::clear(r.headers_mut(), state.cookies, CONSOLE_COOKIE);
            Ok(r)
        }
        Err(e @ AppError::Invalid { .. }) => {
            let said = super::refusal_said(&e);
            security_view(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(said),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn security_submit(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<EnrolForm, EnrollingCaller>,
) -> PageResult {
    match staff_auth::enrol_totp(&state.app, &caller, &form.code).await {
        Ok(codes) => {
            // The caller was read before the change: show it as it is now.
            let mut now_on = caller.clone();
            now_on.staff.totp_secret = Some(String::new());
            enrolled_view(&state, &now_on, StatusCode::OK, None, Some(codes)).await
        }
        Err(e @ AppError::Invalid { .. }) => {
            let said = super::refusal_said(&e);
            security_view(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(said),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
