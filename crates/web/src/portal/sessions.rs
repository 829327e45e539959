//! The signed-in customer's sessions (signing out the others), and staff
//! impersonation's entry and exit.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gatehouse_app::AppError;
use gatehouse_app::portal::sessions::{self};
use minijinja::{Value, context};
use serde::Deserialize;

use crate::cookies;
use crate::extract::visit::CsrfForm;
use crate::extract::visit::*;

pub(super) async fn sessions_page(SignedIn { visit: v, current }: SignedIn<false>) -> Response {
    match sessions::list(&v.state.app, &current).await {
        Ok(list) => {
            let when = |t| crate::i18n::when(v.lang, t);
            let rows: Vec<Value> = list
                .iter()
                .map(|s| {
                    context! {
                        created_at => when(s.created_at),
                        last_seen_at => when(s.last_seen_at),
                        ip => s.ip.clone(),
                        user_agent => s.user_agent.clone(),
                        device => s.user_agent.as_deref().and_then(|ua| crate::device::label(v.lang, ua)),
                        current => s.current,
                    }
                })
                .collect();
            v.page(
                StatusCode::OK,
                "portal/sessions.html",
                context! { sessions => rows },
            )
        }
        Err(e) => v.fail(e).into_response(),
    }
}

pub(super) async fn sessions_others(
    SignedIn { visit: v, current }: SignedIn<false>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    match sessions::sign_out_others(&v.state.app, &current).await {
        Ok(_) => {
            let to = format!("{}?notice=sessions_signed_out_others", v.path("sessions"));
            v.redirect(&to)
        }
        Err(e) => v.fail(e).into_response(),
    }
}

// ---- impersonation

#[derive(Debug, Default, Deserialize)]
pub(super) struct ImpersonateQuery {
    pub(super) token: Option<String>,
    pub(super) minutes: Option<i64>,
}

pub(super) async fn impersonate_link(mut v: Visit, Query(q): Query<ImpersonateQuery>) -> Response {
    let token = q.token.unwrap_or_default();
    match gatehouse_app::accounts::open_impersonation(
        &v.state.app,
        &v.site.key,
        &token,
        q.minutes.unwrap_or(30),
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
            let to = v.path("profile");
            v.redirect(&to)
        }
        Err(AppError::LinkInvalid) => {
            let text = v.tr("link_invalid_text");
            v.notice(
                StatusCode::BAD_REQUEST,
                "link_invalid_heading",
                &[text],
                None,
            )
        }
        Err(e) => v.fail(e).into_response(),
    }
}

pub(super) async fn end_impersonation(
    SignedIn {
        visit: mut v,
        current,
    }: SignedIn<true>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    match gatehouse_app::accounts::end_impersonation(&v.state.app, &current).await {
        Ok(id) => {
            cookies::clear(
                &mut v.set_cookies,
                v.state.cookies,
                &cookies::portal_session_name(&v.site.key),
            );
            v.redirect(&format!("/admin/accounts/{id}"))
        }
        Err(e) => v.fail(e).into_response(),
    }
}
