//! Joining a portal: the registration form, the activation link's landing,
//! and asking for a new activation link.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gatehouse_app::AppError;
use gatehouse_app::portal::{activate, register};
use gatehouse_domain::Status;
use minijinja::context;
use serde::Deserialize;

use crate::extract::visit::*;

// ---- register

#[derive(Debug, Default, Deserialize)]
pub(super) struct RegisterForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) login_id: String,
    #[serde(default)]
    pub(super) first_name: String,
    #[serde(default)]
    pub(super) last_name: String,
    #[serde(default)]
    pub(super) company: String,
    #[serde(default)]
    pub(super) password: String,
    #[serde(default)]
    pub(super) language: String,
}

pub(super) fn register_page(
    v: Visit,
    status: StatusCode,
    form: &RegisterForm,
    error: Option<String>,
    errors: BTreeMap<String, String>,
) -> Response {
    if !v.site.settings.self_registration {
        let text = v.tr("register_closed");
        return v.notice(StatusCode::FORBIDDEN, "register_title", &[text], None);
    }
    let form = context! {
        email => form.email.clone(), login_id => form.login_id.clone(), first_name => form.first_name.clone(),
        last_name => form.last_name.clone(), company => form.company.clone(),
    };
    v.page(
        status,
        "portal/register.html",
        context! { form, error, errors },
    )
}

pub(super) async fn register_form(v: Visit) -> Response {
    register_page(
        v,
        StatusCode::OK,
        &RegisterForm::default(),
        None,
        BTreeMap::new(),
    )
}

pub(super) async fn register_submit(v: Visit, Form(form): Form<RegisterForm>) -> Response {
    let v = match v.admit(&form.csrf, Some(&form.email)) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    let input = register::Registration {
        email: form.email.clone(),
        password: form.password.clone(),
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        company: Some(form.company.clone()),
        login_id: Some(form.login_id.clone()),
        language: Some(if form.language.is_empty() {
            v.lang.as_str().to_string()
        } else {
            form.language.clone()
        }),
    };
    match register::register(&v.state.app, &v.site, &input, &v.meta).await {
        Ok(()) => {
            let text = v.tr("check_mail_text");
            v.notice(StatusCode::OK, "check_mail_heading", &[text], None)
        }
        Err(e @ (AppError::Fields(_) | AppError::Invalid { .. })) => {
            let (error, errors) = form_errors(&v, &e);
            register_page(v, StatusCode::UNPROCESSABLE_ENTITY, &form, error, errors)
        }
        Err(AppError::Forbidden { .. }) => {
            register_page(v, StatusCode::FORBIDDEN, &form, None, BTreeMap::new())
        }
        Err(e) => v.fail(e).into_response(),
    }
}

// ---- activation

pub(super) async fn activate_link(v: Visit, Query(q): Query<PageQuery>) -> Response {
    let token = q.token.clone().unwrap_or_default();
    match activate::activate(&v.state.app, &v.site, &token).await {
        Ok(status) => {
            let (line, link) = if status == Status::Active {
                (
                    v.tr("activated_active"),
                    Some((v.path("login"), v.tr("go_to_login"))),
                )
            } else {
                (v.tr("activated_pending"), None)
            };
            let link = link.as_ref().map(|(h, l)| (h.as_str(), l.clone()));
            v.notice(StatusCode::OK, "activated_heading", &[line], link)
        }
        Err(AppError::LinkInvalid | AppError::Refused(_)) => {
            match activate::used_activation(&v.state.app, &v.site, &token).await {
                Ok(Some(Status::Active)) => {
                    let (login, label) = (v.path("login"), v.tr("go_to_login"));
                    let line = v.tr("activation_used_active");
                    return v.notice(
                        StatusCode::OK,
                        "activation_used_heading",
                        &[line],
                        Some((&login, label)),
                    );
                }
                Ok(Some(_)) => {
                    let line = v.tr("activation_used_pending");
                    return v.notice(StatusCode::OK, "activation_used_heading", &[line], None);
                }
                Ok(None) => {}
                Err(e) => return v.fail(e).into_response(),
            }
            let text = v.tr("link_invalid_text");
            let again = v.path("resend-activation");
            let label = v.tr("resend_heading");
            v.notice(
                StatusCode::BAD_REQUEST,
                "link_invalid_heading",
                &[text],
                Some((&again, label)),
            )
        }
        Err(e) => v.fail(e).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct EmailForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) email: String,
}

pub(super) fn email_page(
    v: Visit,
    status: StatusCode,
    kind: &str,
    email: &str,
    error: Option<String>,
) -> Response {
    let (heading, intro, submit, action) = if kind == "resend" {
        (
            v.tr("resend_heading"),
            v.tr("resend_intro"),
            v.tr("resend_submit"),
            v.path("resend-activation"),
        )
    } else {
        (
            v.tr("forgot_heading"),
            v.tr("forgot_intro"),
            v.tr("forgot_submit"),
            v.path("forgot-password"),
        )
    };
    let form = context! { email };
    v.page(
        status,
        "portal/email_form.html",
        context! { heading, intro, submit, action, form, error, errors => context! {} },
    )
}

pub(super) async fn resend_form(v: Visit) -> Response {
    email_page(v, StatusCode::OK, "resend", "", None)
}

pub(super) async fn resend_submit(v: Visit, Form(form): Form<EmailForm>) -> Response {
    let v = match v.admit(&form.csrf, Some(&form.email)) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    match activate::resend_activation(&v.state.app, &v.site, &form.email).await {
        Ok(()) => {
            let text = v.tr("check_mail_text");
            v.notice(StatusCode::OK, "check_mail_heading", &[text], None)
        }
        Err(e) => v.fail(e).into_response(),
    }
}
