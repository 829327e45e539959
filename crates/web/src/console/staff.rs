//! Staff users in the console (`/admin/staff`): the list, inviting one (a
//! set-password link is shown and mailed), changing a role or the active
//! switch, and a way back for a colleague who lost a password or a phone
//! (a single-use link shown to hand on). Admins only (the app layer's
//! `ManageStaff`).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use gatehouse_app::AppError;
use gatehouse_app::staff::{self, Reset, StaffInvitation};
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_domain::StaffRole;
use minijinja::context;
use serde::Deserialize;
use uuid::Uuid;

use super::{OnPage, PageResult, checked, page};
use crate::extract::{ConsoleCaller, ConsoleForm, ConsolePath};
use crate::pages;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/staff", get(staff_page).post(staff_invite))
        .route("/admin/staff/{id}", post(staff_update))
        .route("/admin/staff/{id}/reset", post(staff_reset))
}

/// A link the page shows once: an invitation, or a colleague's way back.
#[derive(Default)]
struct Shown {
    invitation: Option<StaffInvitation>,
    reset: Option<Reset>,
}

async fn staff_view(
    state: &AppState,
    caller: &StaffCaller,
    status: StatusCode,
    shown: Shown,
    error: Option<String>,
) -> PageResult {
    let items = staff::list(&state.app, caller).await.on_page(caller)?;
    Ok(page(
        caller,
        status,
        "console/staff.html",
        context! { items => pages::ser(items), invitation => pages::ser(shown.invitation),
        reset => pages::ser(shown.reset), error, flash => None::<String> },
    ))
}

async fn staff_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
) -> PageResult {
    staff_view(&state, &caller, StatusCode::OK, Shown::default(), None).await
}

/// Answers a staff form: the list, with the refusal when there was one.
async fn answer<T>(
    state: &AppState,
    caller: &StaffCaller,
    done: Result<T, AppError>,
    shown: impl FnOnce(T) -> Shown,
) -> PageResult {
    match done {
        Ok(value) => staff_view(state, caller, StatusCode::OK, shown(value), None).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_) | AppError::NotFound(_))) => {
            let status = match e {
                AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::CONFLICT,
            };
            staff_view(
                state,
                caller,
                status,
                Shown::default(),
                Some(super::refusal_said(&e)),
            )
            .await
        }
        Err(e) => Err(e).on_page(caller),
    }
}

#[derive(Debug, Default, Deserialize)]
struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

async fn staff_invite(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<InviteForm>,
) -> PageResult {
    let done = match StaffRole::parse(&form.role) {
        Ok(role) => staff::invite(&state.app, &caller, &form.email, role).await,
        Err(e) => Err(AppError::invalid("role", e)),
    };
    answer(&state, &caller, done, |i| Shown {
        invitation: Some(i),
        reset: None,
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
struct UpdateForm {
    #[serde(default)]
    role: String,
    active: Option<String>,
}

async fn staff_update(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<UpdateForm>,
) -> PageResult {
    let done = match StaffRole::parse(&form.role) {
        Ok(role) => staff::update(&state.app, &caller, id, role, checked(&form.active)).await,
        Err(e) => Err(AppError::invalid("role", e)),
    };
    answer(&state, &caller, done, |_| Shown::default()).await
}

#[derive(Debug, Default, Deserialize)]
struct ResetForm {
    remove_second_factor: Option<String>,
}

async fn staff_reset(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<ResetForm>,
) -> PageResult {
    let remove = checked(&form.remove_second_factor);
    let done = staff::reset_colleague(&state.app, &caller, id, remove, super::lang()).await;
    answer(&state, &caller, done, |r| Shown {
        invitation: None,
        reset: Some(r),
    })
    .await
}
