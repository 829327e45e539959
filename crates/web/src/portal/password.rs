//! Passwords on a portal: the forgotten-password request, the reset link's
//! form, and the (possibly forced) change of a signed-in customer's password.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gatehouse_app::AppError;
use gatehouse_app::portal::sessions::Current;
use gatehouse_app::portal::{password, reset};
use minijinja::context;
use serde::Deserialize;

use super::register::{EmailForm, email_page};
use crate::cookies;
use crate::extract::visit::*;

// ---- forgotten password

pub(super) async fn forgot_form(v: Visit) -> Response {
    if !v.site.settings.forgot_password_enabled {
        let text = v.tr("forgot_disabled");
        return v.notice(StatusCode::FORBIDDEN, "forgot_heading", &[text], None);
    }
    email_page(v, StatusCode::OK, "forgot", "", None)
}

pub(super) async fn forgot_submit(v: Visit, Form(form): Form<EmailForm>) -> Response {
    let v = match v.admit(&form.csrf, Some(&form.email)) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    match reset::request_reset(&v.state.app, &v.site, &form.email).await {
        Ok(()) => {
            let text = v.tr("check_mail_text");
            v.notice(StatusCode::OK, "check_mail_heading", &[text], None)
        }
        Err(AppError::Forbidden { .. }) => {
            let text = v.tr("forgot_disabled");
            v.notice(StatusCode::FORBIDDEN, "forgot_heading", &[text], None)
        }
        Err(e) => v.fail(e).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct NewPasswordForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) token: String,
    #[serde(default)]
    pub(super) current_password: String,
    #[serde(default)]
    pub(super) new_password: String,
    #[serde(default)]
    pub(super) new_password_confirm: String,
}

pub(super) fn reset_page(
    v: Visit,
    status: StatusCode,
    token: &str,
    error: Option<String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let heading = v.tr("reset_heading");
    let action = v.path("reset-password");
    v.page(
        status,
        "portal/new_password.html",
        context! { heading, intro => "", action, token, ask_current => false, error, errors },
    )
}

pub(super) fn link_gone(v: Visit) -> Response {
    let text = v.tr("link_invalid_text");
    let again = v.path("forgot-password");
    let label = v.tr("forgot_heading");
    v.notice(
        StatusCode::BAD_REQUEST,
        "link_invalid_heading",
        &[text],
        Some((&again, label)),
    )
}

pub(super) async fn reset_form(v: Visit, Query(q): Query<PageQuery>) -> Response {
    let token = q.token.clone().unwrap_or_default();
    match reset::reset_link_valid(&v.state.app, &token).await {
        Ok(true) => reset_page(v, StatusCode::OK, &token, None, BTreeMap::new()),
        Ok(false) => link_gone(v),
        Err(e) => v.fail(e).into_response(),
    }
}

pub(super) async fn reset_submit(v: Visit, Form(form): Form<NewPasswordForm>) -> Response {
    let v = match v.admit(&form.csrf, None) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    if form.new_password != form.new_password_confirm {
        let mut errors = BTreeMap::new();
        errors.insert(
            "new_password_confirm".to_string(),
            v.tr("error_passwords_differ"),
        );
        let error = Some(v.tr("error_fix_fields"));
        return reset_page(
            v,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form.token,
            error,
            errors,
        );
    }
    match reset::reset_password(&v.state.app, &v.site, &form.token, &form.new_password).await {
        Ok(()) => {
            let to = format!("{}?notice=reset_done", v.path("login"));
            v.redirect(&to)
        }
        Err(AppError::LinkInvalid) => link_gone(v),
        Err(e @ (AppError::Fields(_) | AppError::Invalid { .. } | AppError::Refused(_))) => {
            let (error, errors) = form_errors(&v, &e);
            reset_page(
                v,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.token,
                error,
                errors,
            )
        }
        Err(e) => v.fail(e).into_response(),
    }
}

// ---- signed in: password, profile, sessions

pub(super) fn change_page(
    v: Visit,
    current: &Current,
    status: StatusCode,
    error: Option<String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let heading = v.tr("change_heading");
    let intro = if current.must_change_password {
        v.tr("change_forced")
    } else {
        String::new()
    };
    let action = v.path("change-password");
    v.page(
        status,
        "portal/new_password.html",
        context! { heading, intro, action, token => "", ask_current => true, error, errors },
    )
}

pub(super) async fn change_form(SignedIn { visit: v, current }: SignedIn<true>) -> Response {
    change_page(v, &current, StatusCode::OK, None, BTreeMap::new())
}

pub(super) async fn change_submit(
    SignedIn { visit: v, current }: SignedIn<true>,
    Form(form): Form<NewPasswordForm>,
) -> Response {
    let mut v = match v.admit(&form.csrf, Some(&current.account.login_id)) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    if form.new_password != form.new_password_confirm {
        let mut errors = BTreeMap::new();
        errors.insert(
            "new_password_confirm".to_string(),
            v.tr("error_passwords_differ"),
        );
        let error = Some(v.tr("error_fix_fields"));
        return change_page(v, &current, StatusCode::UNPROCESSABLE_ENTITY, error, errors);
    }
    match password::change_password(
        &v.state.app,
        &current,
        &form.current_password,
        &form.new_password,
        &v.meta,
    )
    .await
    {
        Ok(session) => {
            cookies::set(
                &mut v.set_cookies,
                v.state.cookies,
                &cookies::portal_session_name(&v.site.key),
                &session.token,
                u64::from(session.max_age_seconds),
                true,
            );
            let to = format!("{}?notice=change_done", v.path("profile"));
            v.redirect(&to)
        }
        Err(e @ (AppError::Fields(_) | AppError::Invalid { .. } | AppError::Forbidden { .. })) => {
            let (error, errors) = form_errors(&v, &e);
            change_page(v, &current, StatusCode::UNPROCESSABLE_ENTITY, error, errors)
        }
        Err(e) => v.fail(e).into_response(),
    }
}
