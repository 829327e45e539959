//! One account's page (`/admin/accounts/{id}`): the account, its customer,
//! sessions and audit trail, and its forms: a lifecycle action, the
//! editable fields, a temporary password, assignment to a customer,
//! impersonation and ending a session. Each form answers with the page
//! again, saying what happened or what was wrong.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use gatehouse_app::AppError;
use gatehouse_app::accounts::{self, AccountPatch, AssignTo, BulkAction, TemporaryPassword};
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_domain::{AccountRole, Permission};
use minijinja::context;
use serde::Deserialize;
use uuid::Uuid;

use super::{Button, OnPage, PageResult, checked, end_of_day, page, redirect};
use crate::extract::{ConsoleCaller, ConsoleForm, ConsolePath, ConsoleQuery};
use crate::pages;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
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
            "/admin/accounts/{id}/sessions/revoke",
            post(account_sign_out_everywhere),
        )
        .route(
            "/admin/accounts/{id}/two-step/remove",
            post(account_remove_two_step),
        )
        .route(
            "/admin/accounts/{id}/passkeys/{passkey}/remove",
            post(account_remove_passkey),
        )
        .route(
            "/admin/accounts/{id}/sessions/{session}/revoke",
            post(account_revoke),
        )
}

/// What the account page shows besides the account.
#[derive(Default)]
struct Extras<'a> {
    flash: Option<String>,
    error: Option<String>,
    temporary: Option<TemporaryPassword>,
    /// A customer search for assignment: the text and what it found.
    search: Option<(&'a str, Vec<gatehouse_store::Customer>)>,
}

async fn account_page(
    caller: &StaffCaller,
    state: &AppState,
    id: Uuid,
    status: StatusCode,
    extras: Extras<'_>,
) -> PageResult {
    let detail = accounts::get(&state.app, caller, id)
        .await
        .on_page(caller)?;
    let (customer_q, candidates) = match extras.search {
        Some((text, found)) => (
            text.to_string(),
            found
                .into_iter()
                .map(|customer| accounts::Candidate {
                    customer: customer.into(),
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
    let actions: Vec<&str> = detail.actions.iter().map(|a| a.as_str()).collect();
    let sessions: Vec<minijinja::Value> = detail
        .sessions
        .iter()
        .map(|s| {
            let device = s
                .user_agent
                .as_deref()
                .and_then(|ua| crate::device::label(super::lang(), ua));
            context! { device, ..pages::ser(s) }
        })
        .collect();
    Ok(page(
        caller,
        status,
        "console/account.html",
        context! {
            a => pages::ser(&detail.account), customer => pages::ser(detail.customer.as_ref().map(|c| &c.fields)),
            sessions, two_step => pages::ser(&detail.two_step), passkeys => pages::ser(&detail.passkeys), audit => super::reports::audit_rows(&detail.audit), candidates => pages::ser(&candidates),
            access_expires_on, actions, temporary => pages::ser(&extras.temporary), customer_q,
            may_manage => caller.may(Permission::ManageAccounts), may_impersonate => caller.may(Permission::Impersonate),
            may_audit => caller.may(Permission::ViewAudit), flash => extras.flash, error => extras.error,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
struct AccountQuery {
    customer_q: Option<String>,
}

async fn account(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleQuery(q): ConsoleQuery<AccountQuery>,
) -> PageResult {
    let text = q.customer_q.unwrap_or_default();
    let search = if text.trim().is_empty() {
        None
    } else {
        let found = accounts::search_customers(&state.app, &caller, &text)
            .await
            .on_page(&caller)?;
        Some((text.as_str(), found))
    };
    let extras = Extras {
        search,
        ..Extras::default()
    };
    account_page(&caller, &state, id, StatusCode::OK, extras).await
}

/// What an account form did.
enum Outcome {
    Done(String),
    Password(TemporaryPassword),
    Redirect(String),
}

/// Answers an account form: the page with what happened; a refusal the
/// staff user can act on shown on the page; anything else as an error page.
async fn answer(
    state: &AppState,
    caller: &StaffCaller,
    id: Uuid,
    done: Result<Outcome, AppError>,
) -> PageResult {
    let (status, extras) = match done {
        Ok(Outcome::Redirect(to)) => return Ok(redirect(&to)),
        Ok(Outcome::Done(flash)) => (
            StatusCode::OK,
            Extras {
                flash: Some(flash),
                ..Extras::default()
            },
        ),
        Ok(Outcome::Password(t)) => (
            StatusCode::OK,
            Extras {
                temporary: Some(t),
                ..Extras::default()
            },
        ),
        Err(
            e @ (AppError::Invalid { .. }
            | AppError::Refused(_)
            | AppError::Conflict(_)
            | AppError::Forbidden { .. }
            | AppError::SignIn(_)),
        ) => {
            let status = match &e {
                AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let extras = Extras {
                error: Some(e.to_string()),
                ..Extras::default()
            };
            (status, extras)
        }
        Err(e) => return Err(e.into()),
    };
    account_page(caller, state, id, status, extras).await
}

#[derive(Debug, Default, Deserialize)]
struct ActionForm {
    #[serde(default)]
    action: String,
    reason: Option<String>,
    notify: Option<String>,
}

async fn account_action(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<ActionForm>,
) -> PageResult {
    let done = async {
        let action = BulkAction::parse(&form.action)?;
        let reason = form.reason.as_deref().filter(|r| !r.trim().is_empty());
        let notify = checked(&form.notify);
        let results = accounts::bulk(&state.app, &caller, action, &[id], reason, notify).await?;
        match results.first() {
            Some(r) if !r.ok => Err(AppError::Conflict(r.message.clone())),
            _ => Ok(Outcome::Done(crate::api::accounts::bulk_summary(
                action, &results,
            ))),
        }
    }
    .await;
    answer(&state, &caller, id, done).await
}

#[derive(Debug, Default, Deserialize)]
struct UpdateForm {
    login_id: Option<String>,
    email_validated: Option<String>,
    access_granted: Option<String>,
    #[serde(default)]
    access_expires_on: String,
    role: Option<String>,
}

async fn account_update(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<UpdateForm>,
) -> PageResult {
    let done = async {
        let expires = end_of_day(&form.access_expires_on, "access_expires_on")?;
        let role = match &form.role {
            Some(r) => Some(AccountRole::parse(r).map_err(|e| AppError::invalid("role", e))?),
            None => None,
        };
        let patch = AccountPatch {
            login_id: form.login_id.clone(),
            email_validated: Some(checked(&form.email_validated)),
            access_granted: Some(checked(&form.access_granted)),
            clear_access_expiry: expires.is_none(),
            access_expires_at: expires,
            role,
        };
        accounts::update(&state.app, &caller, id, &patch).await?;
        Ok(Outcome::Done("c-saved".into()))
    }
    .await;
    answer(&state, &caller, id, done).await
}

#[derive(Debug, Default, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    expires_on: String,
}

async fn account_password(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<PasswordForm>,
) -> PageResult {
    let done = async {
        let expires = end_of_day(&form.expires_on, "expires_on")?;
        let made = accounts::set_temporary_password(&state.app, &caller, id, expires).await?;
        Ok(Outcome::Password(made))
    }
    .await;
    answer(&state, &caller, id, done).await
}

#[derive(Debug, Default, Deserialize)]
struct AssignForm {
    customer_id: Option<String>,
}

async fn account_assign(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<AssignForm>,
) -> PageResult {
    // No customer picked (or "new") makes one from the registration.
    let to = match form.customer_id.and_then(|c| c.parse().ok()) {
        Some(customer) => AssignTo::Customer(customer),
        None => AssignTo::New,
    };
    let done = accounts::assign(&state.app, &caller, id, &to)
        .await
        .map(|_| Outcome::Done("c-assigned-done".into()));
    answer(&state, &caller, id, done).await
}

#[derive(Debug, Default, Deserialize)]
struct ImpersonateForm {
    #[serde(default)]
    reason: String,
    minutes: Option<String>,
}

async fn account_impersonate(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<ImpersonateForm>,
) -> PageResult {
    let minutes = form.minutes.and_then(|m| m.parse().ok());
    let done = accounts::impersonate(&state.app, &caller, id, &form.reason, minutes)
        .await
        .map(Outcome::Redirect);
    answer(&state, &caller, id, done).await
}

async fn account_sign_out_everywhere(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, .. }: ConsoleForm<Button>,
) -> PageResult {
    let done = accounts::sign_out_everywhere(&state.app, &caller, id)
        .await
        .map(|_| Outcome::Done("c-signed-out-everywhere".into()));
    answer(&state, &caller, id, done).await
}

async fn account_remove_two_step(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, .. }: ConsoleForm<Button>,
) -> PageResult {
    let done = accounts::remove_two_step(&state.app, &caller, id)
        .await
        .map(|()| Outcome::Done("c-two-step-removed".into()));
    answer(&state, &caller, id, done).await
}

async fn account_remove_passkey(
    State(state): State<AppState>,
    ConsolePath((id, passkey)): ConsolePath<(Uuid, Uuid)>,
    ConsoleForm { caller, .. }: ConsoleForm<Button>,
) -> PageResult {
    let done = accounts::remove_passkey(&state.app, &caller, id, passkey)
        .await
        .map(|()| Outcome::Done("c-passkey-removed".into()));
    answer(&state, &caller, id, done).await
}

async fn account_revoke(
    State(state): State<AppState>,
    ConsolePath((id, session)): ConsolePath<(Uuid, String)>,
    ConsoleForm { caller, .. }: ConsoleForm<Button>,
) -> PageResult {
    let done = accounts::revoke_session(&state.app, &caller, id, &session)
        .await
        .map(|_| Outcome::Done("c-session-signed-out".into()));
    answer(&state, &caller, id, done).await
}
