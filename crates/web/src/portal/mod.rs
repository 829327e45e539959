//! The customer portal of each site: pages under `/s/{site}/…` (working
//! without JavaScript, English and German). The same operations as JSON are
//! `crate::api::portal`; both call the use cases in `gatehouse_app::portal`
//! and share the rate limit here. One file per part of the portal; `visit`
//! owns what every page view shares.
//!
//! Invariants owned here:
//! - The session cookie is per site, `HttpOnly`, `SameSite=Lax`, `Secure`
//!   when configured, and replaced at every sign-in.
//! - Every page form carries a CSRF token: the session's once signed in, a
//!   double-submit cookie's before; the origin check of `csrf.rs` applies too.
//! - Unauthenticated calls that cost a hash or send mail are rate-limited per
//!   client address and per account.

pub(crate) mod next;
mod oauth;
mod passkeys;
mod password;
mod profile;
mod register;
mod sessions;
mod sign_in;
mod team;
mod two_step;

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::extract::visit::Visit;
use crate::state::AppState;

/// The portal's routes.
/// The portal addresses an app's page may POST to from its own site: the
/// authorization and logout endpoints, where a POST carries what a link
/// would (see `crate::csrf`).
pub(crate) fn posted_like_a_link(path: &str) -> bool {
    path.starts_with("/s/")
        && (path.ends_with("/oauth2/authorize") || path.ends_with("/oauth2/logout"))
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{site}", get(home))
        .route("/s/{site}/", get(home))
        .route(
            "/s/{site}/register",
            get(register::register_form).post(register::register_submit),
        )
        .route("/s/{site}/activate", get(register::activate_link))
        .route(
            "/s/{site}/resend-activation",
            get(register::resend_form).post(register::resend_submit),
        )
        .route(
            "/s/{site}/login",
            get(sign_in::login_form).post(sign_in::login_submit),
        )
        .route(
            "/s/{site}/login/second-step",
            get(two_step::step_form).post(two_step::step_submit),
        )
        .route("/s/{site}/login/second-step/lost", post(two_step::lost))
        .route(
            "/s/{site}/two-step-reset",
            get(two_step::reset_form).post(two_step::reset_submit),
        )
        .route(
            "/s/{site}/two-step",
            get(two_step::security_page).post(two_step::turn_on),
        )
        .route(
            "/s/{site}/two-step/recovery-codes",
            post(two_step::renew_codes),
        )
        .route("/s/{site}/two-step/off", post(two_step::turn_off))
        .route("/s/{site}/passkeys", get(passkeys::passkeys_page))
        .route("/s/{site}/passkeys/{id}/rename", post(passkeys::rename))
        .route("/s/{site}/passkeys/{id}/remove", post(passkeys::remove))
        .route("/s/{site}/logout", post(sign_in::logout))
        .route(
            "/s/{site}/oauth2/authorize",
            get(oauth::authorize).post(oauth::authorize_posted),
        )
        .route("/s/{site}/oauth2/consent", post(oauth::consent_answer))
        .route("/s/{site}/apps", get(oauth::apps_page))
        .route(
            "/s/{site}/apps/{client_id}/disconnect",
            post(oauth::disconnect),
        )
        .route(
            "/s/{site}/oauth2/logout",
            get(oauth::logout).post(oauth::logout_posted),
        )
        .route(
            "/s/{site}/forgot-password",
            get(password::forgot_form).post(password::forgot_submit),
        )
        .route(
            "/s/{site}/reset-password",
            get(password::reset_form).post(password::reset_submit),
        )
        .route(
            "/s/{site}/change-password",
            get(password::change_form).post(password::change_submit),
        )
        .route(
            "/s/{site}/profile",
            get(profile::profile_form).post(profile::profile_submit),
        )
        .route("/s/{site}/sessions", get(sessions::sessions_page))
        .route("/s/{site}/personal-data", get(profile::personal_data))
        .route("/s/{site}/team", get(team::team_view).post(team::invite))
        .route("/s/{site}/team/{account_id}/access", post(team::switch))
        .route("/s/{site}/team/{account_id}/resend", post(team::resend))
        .route("/s/{site}/sessions/others", post(sessions::sessions_others))
        .route("/s/{site}/impersonate", get(sessions::impersonate_link))
        .route(
            "/s/{site}/impersonation/end",
            post(sessions::end_impersonation),
        )
}

/// `/s/{site}/`: the customer's home page when signed in (their account,
/// their sessions, their apps, and where to go from here), else the
/// sign-in page.
async fn home(v: Visit) -> Response {
    if let Some(current) = v.current.clone() {
        if current.must_change_password {
            let to = v.path("change-password");
            return v.redirect(&to);
        }
        let sessions = match gatehouse_app::portal::sessions::list(&v.state.app, &current).await {
            Ok(list) => list.len(),
            Err(e) => return v.fail(e).into_response(),
        };
        let apps: Vec<String> =
            match gatehouse_app::oidc::connected::list(&v.state.app, &current).await {
                Ok(list) => list.into_iter().map(|a| a.name).collect(),
                Err(e) => return v.fail(e).into_response(),
            };
        let account = &current.account;
        let name = Some(account.first_name.trim())
            .filter(|n| !n.is_empty())
            .unwrap_or(account.login_id.as_str())
            .to_string();
        return v.page(
            axum::http::StatusCode::OK,
            "portal/home.html",
            minijinja::context! {
                name, email => account.email.clone(), login => account.login_id.clone(),
                sessions, apps,
            },
        );
    }
    let to = v.path("login");
    v.redirect(&to)
}
