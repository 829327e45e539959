//! Signing in and out of a portal.

use axum::Form;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gatehouse_app::AppError;
use gatehouse_app::portal::sessions::{self, NewSession};
use gatehouse_app::portal::sign_in::{self, SignedIn};
use gatehouse_domain::SignInRefusal;
use minijinja::context;
use serde::Deserialize;

use crate::cookies;
use crate::extract::visit::*;
use crate::limits::rate_limit;

// ---- sign in and out

#[derive(Debug, Default, Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) login_id: String,
    #[serde(default)]
    pub(super) password: String,
    /// Where to continue after signing in (an app's authorization request,
    /// or one of the portal's own pages).
    #[serde(default)]
    pub(super) next: String,
    /// A form posted after the session ended (URL-encoded, without its
    /// token or any password), to fill in again on `next`.
    #[serde(default)]
    pub(super) resume: String,
}

/// The query of the sign-in page.
#[derive(Debug, Default, Deserialize)]
pub(super) struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    login_hint: String,
    /// An app asked for a fresh sign-in (`prompt=login`, `max_age`): the
    /// form is shown even to a signed-in visitor, whose session stays until
    /// the new sign-in succeeds.
    #[serde(default)]
    fresh: Option<String>,
}

/// What the sign-in page says above its form.
enum Said {
    /// Nothing.
    Nothing,
    /// The sign-in was refused for something the visitor can put right.
    Refused(String),
    /// News, not an error: the account waits for someone else (approval),
    /// or the session ended before a form was sent.
    News(String),
}

/// Where the sign-in goes on to, carried by its form.
struct Onward<'a> {
    next: &'a str,
    resume: &'a str,
}

fn login_page(
    v: Visit,
    status: StatusCode,
    login_id: &str,
    said: Said,
    resend: bool,
    onward: &Onward,
) -> Response {
    let form = context! { login_id };
    let passkeys = gatehouse_app::portal::passkeys::available(&v.state.app, &v.site);
    let next = super::next::safe_next(&v.site.key, onward.next);
    let resume = Some(onward.resume).filter(|r| next.is_some() && !r.is_empty());
    let (error, info) = match said {
        Said::Nothing => (None, None),
        Said::Refused(e) => (Some(e), None),
        Said::News(i) => (None, Some(i)),
    };
    v.page(
        status,
        "portal/login.html",
        context! { form, error, info, resend, next, resume, passkeys },
    )
}

impl IntoResponse for crate::extract::visit::FormRefused {
    fn into_response(self) -> Response {
        match self {
            crate::extract::visit::FormRefused::Answer(r) => r,
            crate::extract::visit::FormRefused::SessionEnded { visit, page, kept } => {
                session_ended(*visit, &page, &kept)
            }
        }
    }
}

/// A signed-in form posted after its session ended: the sign-in page (401)
/// saying so, carrying what was typed back to `page` after signing in.
fn session_ended(v: Visit, page: &str, resume: &str) -> Response {
    let said = Said::News(v.tr("session_ended_form_kept"));
    let onward = Onward { next: page, resume };
    login_page(v, StatusCode::UNAUTHORIZED, "", said, false, &onward)
}

pub(super) async fn login_form(v: Visit, Query(q): Query<LoginQuery>) -> Response {
    let fresh = q.fresh.is_some() && super::next::is_app_request(&v.site.key, &q.next);
    if v.current.is_some() && !fresh {
        let to = match super::next::safe_next(&v.site.key, &q.next) {
            Some(next) => next,
            None => v.path(""),
        };
        return v.redirect(&to);
    }
    let onward = Onward {
        next: &q.next,
        resume: "",
    };
    login_page(
        v,
        StatusCode::OK,
        &q.login_hint,
        Said::Nothing,
        false,
        &onward,
    )
}

pub(super) async fn login_submit(mut v: Visit, Form(form): Form<LoginForm>) -> Response {
    if !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    if let Err(e) = rate_limit(&v.state, &v.meta, &v.site.key, Some(&form.login_id)) {
        return v.rate_limited(e);
    }
    // The session this browser had ends only when the new sign-in
    // succeeds (in the same transaction): a wrong password signs nobody
    // out, and the same customer keeps their apps signed in.
    match sign_in::sign_in(
        &v.state.app,
        &v.site,
        &form.login_id,
        &form.password,
        &v.meta,
        v.current.as_ref(),
    )
    .await
    {
        Ok(SignedIn::Session(session)) => signed_in(v, &session, &form.next, &form.resume).await,
        Ok(SignedIn::SecondStep(step)) => {
            // The browser's old session stays until the second step is
            // done (it is replaced then, as here).
            cookies::set(
                &mut v.set_cookies,
                v.state.cookies,
                &cookies::sign_in_step_name(&v.site.key),
                &step.token,
                u64::from(step.max_age_seconds),
                true,
            );
            let to = step_page(&v, &form.next);
            v.redirect(&to)
        }
        Err(AppError::SignIn(refusal)) => {
            refused(v, refusal, &form.login_id, &form.next, &form.resume)
        }
        Err(e) => v.fail(e).into_response(),
    }
}

/// The second step's page, carrying `next` on.
pub(super) fn step_page(v: &Visit, next: &str) -> String {
    let mut to = v.path("login/second-step");
    if let Some(next) = super::next::safe_next(&v.site.key, next) {
        to.push_str("?next=");
        to.extend(url::form_urlencoded::byte_serialize(next.as_bytes()));
    }
    to
}

/// The sign-in page again, saying why the sign-in was refused.
pub(super) fn refused(
    v: Visit,
    refusal: SignInRefusal,
    login_id: &str,
    next: &str,
    resume: &str,
) -> Response {
    let (status, key) = match refusal {
        SignInRefusal::InvalidCredentials => {
            (StatusCode::UNAUTHORIZED, "error_invalid_credentials")
        }
        SignInRefusal::Unverified => (StatusCode::FORBIDDEN, "error_unverified"),
        SignInRefusal::Pending => (StatusCode::FORBIDDEN, "error_pending"),
        SignInRefusal::Locked => (StatusCode::FORBIDDEN, "error_locked"),
        SignInRefusal::Blocked => (StatusCode::FORBIDDEN, "error_blocked"),
        SignInRefusal::Deactivated => (StatusCode::FORBIDDEN, "error_deactivated"),
    };
    let said = match refusal {
        SignInRefusal::Pending => Said::News(v.tr(key)),
        _ => Said::Refused(v.tr(key)),
    };
    let onward = Onward { next, resume };
    login_page(
        v,
        status,
        login_id,
        said,
        refusal == SignInRefusal::Unverified,
        &onward,
    )
}

/// The sign-in page again, for a sign-in that must start over (its second
/// step took too long, or was finished already), saying so.
pub(super) fn start_over(v: Visit, next: &str) -> Response {
    let said = Said::News(v.tr("two_step_start_over"));
    let onward = Onward { next, resume: "" };
    login_page(v, StatusCode::UNAUTHORIZED, "", said, false, &onward)
}

/// The answer to a finished sign-in with its new `session`: the cookie set,
/// then on to `next` (an app's request through a page; a form posted after
/// the session ended, filled in again from `resume`; one of the portal's own
/// pages), or to the password change the account needs first.
pub(super) async fn signed_in(
    mut v: Visit,
    session: &NewSession,
    next: &str,
    resume: &str,
) -> Response {
    // The old session is gone; this answer is the new one's.
    v.current = None;
    cookies::set(
        &mut v.set_cookies,
        v.state.cookies,
        &cookies::portal_session_name(&v.site.key),
        &session.token,
        u64::from(session.max_age_seconds),
        true,
    );
    let next = super::next::safe_next(&v.site.key, next);
    match next {
        // Back to the app's request through a page, not a redirect:
        // Chromium applies the sign-in form's `form-action 'self'` to every
        // redirect after the post, and the app is elsewhere.
        Some(next)
            if !session.must_change_password && super::next::is_app_request(&v.site.key, &next) =>
        {
            v.page(StatusCode::OK, "portal/continue.html", context! { next })
        }
        // A form posted after the session ended: back, filled in as it
        // was, with nothing saved or sent yet (the pages whose forms can be
        // shown again; others are just opened).
        Some(next) if !session.must_change_password && !resume.is_empty() => {
            if next == v.path("profile") {
                super::profile::resumed(v, session, resume).await
            } else if next == v.path("team") {
                super::team::resumed(v, session, resume).await
            } else {
                v.redirect(&next)
            }
        }
        Some(next) if !session.must_change_password => v.redirect(&next),
        _ => {
            let to = v.path(if session.must_change_password {
                "change-password"
            } else {
                ""
            });
            v.redirect(&to)
        }
    }
}

pub(super) async fn logout(
    mut v: Visit,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if v.current.is_some() && !v.csrf_ok(&form.csrf) {
        return v.csrf_refused();
    }
    let name = cookies::portal_session_name(&v.site.key);
    if let Some(token) = cookies::get(&headers, &name)
        && let Err(e) = sessions::sign_out(&v.state.app, &token).await
    {
        return v.fail(e).into_response();
    }
    cookies::clear(&mut v.set_cookies, v.state.cookies, &name);
    let to = format!("{}?notice=signed_out", v.path("login"));
    v.redirect(&to)
}
