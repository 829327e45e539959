//! Two-step sign-in on a portal: the second step of a sign-in (the
//! authenticator app's code, or setting it up where the site requires it),
//! and the signed-in customer's page to turn it on or off and make new
//! recovery codes. The half-done sign-in is a short-lived `HttpOnly` cookie
//! of its own (`gh_step_{site}`); the session cookie is set only when the
//! last step is done.

use axum::Form;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gatehouse_app::AppError;
use gatehouse_app::portal::two_step::{self, StepView};
use minijinja::context;
use serde::Deserialize;

use super::sign_in::{refused, signed_in, start_over};
use crate::cookies;
use crate::extract::visit::*;
use crate::limits::rate_limit;

#[derive(Debug, Default, Deserialize)]
pub(super) struct StepQuery {
    #[serde(default)]
    next: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

/// The half-done sign-in's token, from its cookie.
fn step_token(v: &Visit, headers: &HeaderMap) -> Option<String> {
    cookies::get(headers, &cookies::sign_in_step_name(&v.site.key))
}

/// Forgets the half-done sign-in's cookie.
fn clear_step(v: &mut Visit) {
    let name = cookies::sign_in_step_name(&v.site.key);
    cookies::clear(&mut v.set_cookies, v.state.cookies, &name);
}

fn step_view(
    v: Visit,
    status: StatusCode,
    view: &StepView,
    error: Option<String>,
    next: &str,
) -> Response {
    let next = super::next::safe_next(&v.site.key, next);
    let enrolment = view.enrolment.as_ref();
    let qr = enrolment.and_then(|e| crate::pages::qr_svg(&e.otpauth_url));
    v.page(
        status,
        "portal/second_step.html",
        context! {
            set_up => view.set_up,
            who => view.login_id.clone(),
            secret => enrolment.map(|e| e.secret.clone()),
            otpauth_url => enrolment.map(|e| e.otpauth_url.clone()),
            qr, error, next,
        },
    )
}

pub(super) async fn step_form(
    mut v: Visit,
    headers: HeaderMap,
    Query(q): Query<StepQuery>,
) -> Response {
    let Some(token) = step_token(&v, &headers) else {
        return start_over(v, &q.next);
    };
    match two_step::step(&v.state.app, &v.site, &token).await {
        Ok(view) => step_view(v, StatusCode::OK, &view, None, &q.next),
        Err(AppError::SignedOut) => {
            clear_step(&mut v);
            start_over(v, &q.next)
        }
        Err(e) => v.fail(e).into_response(),
    }
}

pub(super) async fn step_submit(
    mut v: Visit,
    headers: HeaderMap,
    Form(form): Form<StepForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    if let Err(e) = rate_limit(&v.state, &v.meta, &v.site.key, None) {
        return v.rate_limited(e);
    }
    let Some(token) = step_token(&v, &headers) else {
        return start_over(v, &form.next);
    };
    let app = v.state.app.clone();
    match two_step::finish(
        &app,
        &v.site,
        &token,
        &form.code,
        &v.meta,
        v.current.as_ref(),
    )
    .await
    {
        Ok(finished) if finished.recovery_codes.is_empty() => {
            clear_step(&mut v);
            signed_in(v, &finished.session, &form.next, "").await
        }
        Ok(finished) => {
            // Just set up: the recovery codes are shown once, then on.
            clear_step(&mut v);
            let next = super::next::safe_next(&v.site.key, &form.next)
                .filter(|_| !finished.session.must_change_password)
                .unwrap_or_else(|| {
                    v.path(if finished.session.must_change_password {
                        "change-password"
                    } else {
                        ""
                    })
                });
            v.current = None;
            cookies::set(
                &mut v.set_cookies,
                v.state.cookies,
                &cookies::portal_session_name(&v.site.key),
                &finished.session.token,
                u64::from(finished.session.max_age_seconds),
                true,
            );
            v.page(
                StatusCode::OK,
                "portal/recovery_codes.html",
                context! { codes => finished.recovery_codes, next, signing_in => true },
            )
        }
        Err(AppError::SignedOut) => {
            clear_step(&mut v);
            start_over(v, &form.next)
        }
        Err(AppError::SignIn(refusal)) => {
            clear_step(&mut v);
            refused(v, refusal, "", &form.next, "")
        }
        Err(e @ AppError::Invalid { .. }) => {
            let (_, error) = refusal_line(&v, &e);
            let error = Some(error);
            match two_step::step(&app, &v.site, &token).await {
                Ok(view) => step_view(v, StatusCode::UNAUTHORIZED, &view, error, &form.next),
                Err(AppError::SignedOut) => {
                    clear_step(&mut v);
                    start_over(v, &form.next)
                }
                Err(e) => v.fail(e).into_response(),
            }
        }
        Err(e) => v.fail(e).into_response(),
    }
}

// ---- a lost phone: a link by mail turns it off

pub(super) async fn lost(mut v: Visit, headers: HeaderMap, Form(form): Form<CsrfForm>) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    if let Err(e) = rate_limit(&v.state, &v.meta, &v.site.key, None) {
        return v.rate_limited(e);
    }
    let Some(token) = step_token(&v, &headers) else {
        return start_over(v, "");
    };
    match two_step::mail_lost_phone_link(&v.state.app, &v.site, &token).await {
        Ok(()) => {
            let text = v.tr("two_step_lost_sent");
            v.notice(StatusCode::OK, "check_mail_heading", &[text], None)
        }
        Err(AppError::SignedOut) => {
            clear_step(&mut v);
            start_over(v, "")
        }
        Err(e) => v.fail(e).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct LinkQuery {
    #[serde(default)]
    token: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
}

fn link_invalid(v: Visit) -> Response {
    let text = v.tr("link_invalid_text");
    v.notice(
        StatusCode::BAD_REQUEST,
        "link_invalid_heading",
        &[text],
        None,
    )
}

/// The lost-phone link's page: a button, so that a mail scanner following
/// the link changes nothing.
pub(super) async fn reset_form(v: Visit, Query(q): Query<LinkQuery>) -> Response {
    match two_step::lost_phone_link_valid(&v.state.app, &q.token).await {
        Ok(true) => v.page(
            StatusCode::OK,
            "portal/two_step_reset.html",
            context! { token => q.token },
        ),
        Ok(false) => link_invalid(v),
        Err(e) => v.fail(e).into_response(),
    }
}

pub(super) async fn reset_submit(v: Visit, Form(form): Form<LinkForm>) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    match two_step::reset_by_link(&v.state.app, &v.site, &form.token).await {
        Ok(()) => {
            let text = v.tr("two_step_reset_done");
            let login = v.path("login");
            let label = v.tr("nav_login");
            v.notice(
                StatusCode::OK,
                "two_step_reset_title",
                &[text],
                Some((&login, label)),
            )
        }
        Err(AppError::LinkInvalid) => link_invalid(v),
        Err(e) => v.fail(e).into_response(),
    }
}

// ---- the signed-in customer's page

#[derive(Debug, Default, Deserialize)]
pub(super) struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

/// What the page shows besides where it stands: an error, and recovery
/// codes just made (shown once).
#[derive(Default)]
struct Shown {
    error: Option<String>,
    codes: Vec<String>,
}

async fn security_view(
    v: Visit,
    current: &gatehouse_app::portal::sessions::Current,
    status: StatusCode,
    shown: Shown,
) -> Response {
    let app = v.state.app.clone();
    let standing = match two_step::status(&app, current).await {
        Ok(s) => s,
        Err(e) => return v.fail(e).into_response(),
    };
    let impersonating = current.session.impersonator_id.is_some();
    let enrolment = if !standing.on && standing.offered && !impersonating {
        match two_step::enrolment(&app, current).await {
            Ok(e) => Some(e),
            Err(e) => return v.fail(e).into_response(),
        }
    } else {
        None
    };
    let qr = enrolment
        .as_ref()
        .and_then(|e| crate::pages::qr_svg(&e.otpauth_url));
    let last_used = standing.last_used_at.map(|t| crate::i18n::when(v.lang, t));
    v.page(
        status,
        "portal/two_step.html",
        context! {
            on => standing.on,
            offered => standing.offered,
            required => standing.required,
            left => standing.recovery_codes_left,
            last_used,
            secret => enrolment.as_ref().map(|e| e.secret.clone()),
            otpauth_url => enrolment.as_ref().map(|e| e.otpauth_url.clone()),
            qr,
            error => shown.error,
            codes => shown.codes,
        },
    )
}

pub(super) async fn security_page(SignedIn { visit: v, current }: SignedIn<false>) -> Response {
    security_view(v, &current, StatusCode::OK, Shown::default()).await
}

/// The answer to a change: the page again with the codes made, or saying
/// why it was refused (a refusal a person can put right; others fail).
async fn after(
    v: Visit,
    current: &gatehouse_app::portal::sessions::Current,
    result: Result<Vec<String>, AppError>,
    notice: &str,
) -> Response {
    match result {
        Ok(codes) if codes.is_empty() => {
            let to = format!("{}?notice={notice}", v.path("two-step"));
            v.redirect(&to)
        }
        Ok(codes) => {
            let shown = Shown { error: None, codes };
            security_view(v, current, StatusCode::OK, shown).await
        }
        Err(
            e @ (AppError::Invalid { .. } | AppError::Conflict(_) | AppError::Forbidden { .. }),
        ) => {
            let (status, error) = refusal_line(&v, &e);
            let shown = Shown {
                error: Some(error),
                codes: Vec::new(),
            };
            security_view(v, current, status, shown).await
        }
        Err(e) => v.fail(e).into_response(),
    }
}

pub(super) async fn turn_on(
    SignedIn { visit: v, current }: SignedIn<false>,
    Form(form): Form<CodeForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    let result = two_step::turn_on(&v.state.app, &current, &form.code).await;
    after(v, &current, result, "two_step_turned_on").await
}

pub(super) async fn renew_codes(
    SignedIn { visit: v, current }: SignedIn<false>,
    Form(form): Form<ConfirmForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    let result =
        two_step::renew_recovery_codes(&v.state.app, &current, &form.password, &form.code).await;
    after(v, &current, result, "two_step_codes_renewed").await
}

pub(super) async fn turn_off(
    SignedIn { visit: v, current }: SignedIn<false>,
    Form(form): Form<ConfirmForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    let result = two_step::turn_off(&v.state.app, &current, &form.password, &form.code)
        .await
        .map(|()| Vec::new());
    after(v, &current, result, "two_step_turned_off").await
}
