//! Staff users in the console (`/admin/staff`): the list, inviting one (a
//! set-password link is shown and mailed), and changing a role or the
//! active switch. Admins only (the app layer's `ManageStaff`).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use gatehouse_app::AppError;
use gatehouse_app::staff::{self, Invitation};
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
}

async fn staff_view(
    state: &AppState,
    caller: &StaffCaller,
    status: StatusCode,
    invitation: Option<Invitation>,
    error: Option<String>,
) -> PageResult {
    let items = staff::list(&state.app, caller).await.on_page(caller)?;
    Ok(page(
        caller,
        status,
        "console/staff.html",
        context! { items => pages::ser(items), invitation => pages::ser(invitation), error, flash => None::<String> },
    ))
}

async fn staff_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
) -> PageResult {
    staff_view(&state, &caller, StatusCode::OK, None, None).await
}

/// Answers a staff form: the list, with the refusal when there was one.
async fn answer<T>(
    state: &AppState,
    caller: &StaffCaller,
    done: Result<T, AppError>,
    shown: impl FnOnce(T) -> Option<Invitation>,
) -> PageResult {
    match done {
        Ok(value) => staff_view(state, caller, StatusCode::OK, shown(value), None).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_) | AppError::NotFound(_))) => {
            let status = match e {
                AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::CONFLICT,
            };
            staff_view(state, caller, status, None, Some(e.to_string())).await
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
    answer(&state, &caller, done, Some).await
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
    answer(&state, &caller, done, |_| None).await
}
