//! The customer manager's team page (`/s/{site}/team`), without JavaScript:
//! the colleagues with their status and last sign-in, a form to invite one
//! (what was typed is kept when refused), and per colleague a switch for
//! their access and a button to send the invitation or activation again.
//! The rules are the use cases' (`gatehouse_app::portal::team`); a caller
//! without a team is told why on the page.

use std::collections::BTreeMap;

use axum::extract::RawPathParams;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gatehouse_app::AppError;
use gatehouse_app::portal::sessions::Current;
use gatehouse_app::portal::team::{self, Invitation, Resent};
use minijinja::{Value, context};
use serde::Deserialize;
use uuid::Uuid;

use crate::extract::visit::*;
use crate::limits::rate_limit;

/// Words that may be shown after a team action.
pub(super) const TEAM_NOTICES: [&str; 5] = [
    "team_invited",
    "team_invited_pending",
    "team_access_on",
    "team_access_off",
    "team_resent",
];

/// The team page: the list, and the invitation form as typed (when a
/// refusal brought it back).
async fn team_page(
    v: Visit,
    current: &Current,
    status: StatusCode,
    typed: Option<(&Invitation, Option<String>, BTreeMap<String, String>)>,
    notice: Option<String>,
) -> Response {
    let members = match team::list(&v.state.app, current).await {
        Ok(m) => m,
        Err(e) => return refused(v, e),
    };
    let lang = v.lang;
    let rows: Vec<Value> = members
        .iter()
        .map(|m| {
            context! {
                id => m.account_id.to_string(),
                name => format!("{} {}", m.first_name, m.last_name).trim().to_string(),
                login_id => m.login_id.clone(),
                status => m.status.clone(),
                access_granted => m.access_granted,
                signed_up => m.signed_up,
                last_login => m.last_login_at.map(|t| crate::i18n::when(lang, t)),
                manager => m.role == "customer_manager",
                is_you => m.is_you,
                manageable => m.manageable,
            }
        })
        .collect();
    let (form, error, errors) = match typed {
        Some((i, error, errors)) => (
            context! { first_name => i.first_name.clone(), last_name => i.last_name.clone(), email => i.email.clone() },
            error,
            errors,
        ),
        None => (
            context! { first_name => "", last_name => "", email => "" },
            None,
            BTreeMap::new(),
        ),
    };
    v.page(
        status,
        "portal/team.html",
        context! { members => rows, form, error, errors, notice },
    )
}

/// The invitation form as posted.
#[derive(Debug, Default, Deserialize)]
pub(super) struct InviteForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
}

pub(super) async fn invite(
    SignedInForm {
        visit: v,
        current,
        form,
    }: SignedInForm<InviteForm>,
) -> Response {
    if let Err(e) = rate_limit(
        &v.state,
        &v.meta,
        &v.site.key,
        Some(&current.account.login_id),
    ) {
        return v.rate_limited(e);
    }
    let invitation = Invitation {
        first_name: form.first_name,
        last_name: form.last_name,
        email: form.email,
    };
    match team::invite(&v.state.app, &current, &invitation).await {
        Ok(made) => {
            let notice = if made.status == "pending" {
                "team_invited_pending"
            } else {
                "team_invited"
            };
            let to = format!("{}?done={notice}", v.path("team"));
            v.redirect(&to)
        }
        Err(e @ (AppError::Fields(_) | AppError::Taken(_) | AppError::Invalid { .. })) => {
            let status = crate::error::classify(&e).0;
            let (error, errors) = form_errors(&v, &e);
            let typed = Some((&invitation, error, errors));
            team_page(v, &current, status, typed, None).await
        }
        Err(e) => v.fail(e).into_response(),
    }
}

/// Just signed in again after the session ended under a posted invitation:
/// the team page with the form as typed, nothing sent yet.
pub(super) async fn resumed(
    v: Visit,
    session: &gatehouse_app::portal::sessions::NewSession,
    resume: &str,
) -> Response {
    let (v, current, typed) = match v.resuming(session, resume, "resume_form").await {
        Ok(resumed) => resumed,
        Err(response) => return *response,
    };
    let field = |name: &str| typed.get(name).cloned().unwrap_or_default();
    let invitation = Invitation {
        first_name: field("first_name"),
        last_name: field("last_name"),
        email: field("email"),
    };
    let typed = Some((&invitation, None, BTreeMap::new()));
    team_page(v, &current, StatusCode::OK, typed, None).await
}

/// The colleague a per-colleague form is about.
fn colleague_of(params: &RawPathParams) -> Option<Uuid> {
    params
        .iter()
        .find(|(k, _)| *k == "account_id")
        .and_then(|(_, v)| v.parse().ok())
}

/// The access switch's form: `on` present means on.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SwitchForm {
    on: Option<String>,
}

pub(super) async fn switch(
    params: RawPathParams,
    SignedInForm {
        visit: v,
        current,
        form,
    }: SignedInForm<SwitchForm>,
) -> Response {
    let Some(id) = colleague_of(&params) else {
        return v.fail(AppError::NotFound("account".into())).into_response();
    };
    let on = form.on.is_some();
    match team::switch(&v.state.app, &current, id, on).await {
        Ok(_) => {
            let notice = if on {
                "team_access_on"
            } else {
                "team_access_off"
            };
            let to = format!("{}?done={notice}", v.path("team"));
            v.redirect(&to)
        }
        Err(e) => refused(v, e),
    }
}

pub(super) async fn resend(
    params: RawPathParams,
    SignedInForm {
        visit: v, current, ..
    }: SignedInForm<crate::extract::visit::CsrfForm>,
) -> Response {
    let Some(id) = colleague_of(&params) else {
        return v.fail(AppError::NotFound("account".into())).into_response();
    };
    if let Err(e) = rate_limit(
        &v.state,
        &v.meta,
        &v.site.key,
        Some(&current.account.login_id),
    ) {
        return v.rate_limited(e);
    }
    match team::resend(&v.state.app, &current, id).await {
        Ok(Resent::Invitation | Resent::Activation) => {
            let to = format!("{}?done=team_resent", v.path("team"));
            v.redirect(&to)
        }
        Err(e) => refused(v, e),
    }
}

/// A team action refused, said in the visitor's language on a page with a
/// way back to the team; other failures as every portal page shows them.
fn refused(v: Visit, e: AppError) -> Response {
    let key = match &e {
        AppError::Forbidden { code, .. } => format!("team_refused_{code}"),
        AppError::NotFound(_) => "team_refused_not_found".into(),
        AppError::Conflict(m) if m == team::NOTHING_TO_RESEND => {
            "team_refused_nothing_to_resend".into()
        }
        AppError::Conflict(m) if m == team::WAITS_FOR_APPROVAL => {
            "team_refused_waits_for_approval".into()
        }
        _ => return v.fail(e).into_response(),
    };
    let status = crate::error::classify(&e).0;
    let said = v.tr(&key);
    let back = v.path("team");
    let label = v.tr("team_back");
    v.notice(status, "team_title", &[said], Some((&back, label)))
}

/// `?done=` after a team action: the notice to show, if it is one.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Done {
    done: Option<String>,
}

pub(super) async fn team_view(
    SignedIn { visit: v, current }: SignedIn<false>,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> Response {
    let notice = q
        .done
        .as_deref()
        .filter(|d| TEAM_NOTICES.contains(d))
        .map(|d| v.tr(d));
    team_page(v, &current, StatusCode::OK, None, notice).await
}
