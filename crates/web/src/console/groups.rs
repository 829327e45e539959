//! Customer groups in the console (`/admin/groups`): the list with member
//! counts, adding, renaming or switching one off, and deleting one that has
//! no members. A refused form is answered with the list, why, and what was
//! typed, in place.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_app::{AppError, groups};
use gatehouse_domain::Permission;
use minijinja::context;
use serde::Deserialize;
use uuid::Uuid;

use super::{Button, OnPage, PageResult, checked, page};
use crate::extract::{ConsoleCaller, ConsoleForm, ConsolePath};
use crate::pages;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/groups", get(groups_page).post(create_group))
        .route("/admin/groups/{id}", post(update_group))
        .route("/admin/groups/{id}/delete", post(delete_group))
}

async fn groups_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
) -> PageResult {
    group_list(&caller, &state, StatusCode::OK, None, None, None).await
}

/// A refused group form as typed: which group (none for a new one) and
/// its fields, shown again in place.
#[derive(Debug, serde::Serialize)]
struct Typed {
    id: Option<Uuid>,
    name: String,
    description: String,
    active: bool,
}

async fn group_list(
    caller: &StaffCaller,
    state: &AppState,
    status: StatusCode,
    flash: Option<&str>,
    error: Option<String>,
    typed: Option<Typed>,
) -> PageResult {
    let list = groups::list(&state.app, caller, true)
        .await
        .on_page(caller)?;
    Ok(page(
        caller,
        status,
        "console/groups.html",
        context! {
            groups => pages::ser(&list),
            may_manage => caller.may(Permission::ManageAccounts),
            flash, error, typed => typed.as_ref().map(pages::ser),
        },
    ))
}

/// The group form as posted.
#[derive(Debug, Default, Deserialize)]
struct GroupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    active: Option<String>,
}

impl From<GroupForm> for groups::GroupInput {
    fn from(f: GroupForm) -> groups::GroupInput {
        groups::GroupInput {
            name: f.name,
            description: f.description,
            active: checked(&f.active),
        }
    }
}

/// Answers a group form: the list with what happened, or with why not and
/// what was typed.
async fn group_done<T>(
    caller: &StaffCaller,
    state: &AppState,
    done: Result<T, AppError>,
    flash: &str,
    typed: Option<Typed>,
) -> PageResult {
    match done {
        Ok(_) => group_list(caller, state, StatusCode::OK, Some(flash), None, None).await,
        Err(
            e @ (AppError::Invalid { .. }
            | AppError::Fields(_)
            | AppError::Conflict(_)
            | AppError::NotFound(_)),
        ) => {
            let status = super::refusal_status(&e);
            group_list(caller, state, status, None, Some(e.to_string()), typed).await
        }
        Err(e) => Err(e).on_page(caller),
    }
}

impl GroupForm {
    fn typed(&self, id: Option<Uuid>) -> Typed {
        Typed {
            id,
            name: self.name.clone(),
            description: self.description.clone(),
            active: checked(&self.active),
        }
    }
}

async fn create_group(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<GroupForm>,
) -> PageResult {
    let typed = form.typed(None);
    let done = groups::create(&state.app, &caller, &form.into()).await;
    group_done(&caller, &state, done, "c-group-added", Some(typed)).await
}

async fn update_group(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, form, .. }: ConsoleForm<GroupForm>,
) -> PageResult {
    let typed = form.typed(Some(id));
    let done = groups::update(&state.app, &caller, id, &form.into()).await;
    group_done(&caller, &state, done, "c-group-saved", Some(typed)).await
}

async fn delete_group(
    State(state): State<AppState>,
    ConsolePath(id): ConsolePath<Uuid>,
    ConsoleForm { caller, .. }: ConsoleForm<Button>,
) -> PageResult {
    let done = groups::delete(&state.app, &caller, id).await;
    group_done(&caller, &state, done, "c-group-deleted", None).await
}
