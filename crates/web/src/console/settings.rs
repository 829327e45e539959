//! The installation's settings page (`/admin/settings`): whether admins
//! must use a second factor and whether support staff may impersonate.
//! Admins only (the app layer's `ManageSettings`).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use gatehouse_app::installation::{self, InstallationSettings};
use gatehouse_app::staff_auth::StaffCaller;
use gatehouse_domain::Permission;
use minijinja::context;
use serde::Deserialize;

use super::{OnPage, PageResult, checked, page};
use crate::extract::{ConsoleCaller, ConsoleForm};
use crate::pages;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/admin/settings", get(settings_page).post(settings_submit))
}

async fn settings_view(state: &AppState, caller: &StaffCaller, flash: Option<&str>) -> PageResult {
    caller.require(Permission::ManageSettings).on_page(caller)?;
    let settings = installation::load(&state.app).await?;
    Ok(page(
        caller,
        StatusCode::OK,
        "console/settings.html",
        context! { settings => pages::ser(settings), flash, error => None::<String> },
    ))
}

async fn settings_page(
    State(state): State<AppState>,
    ConsoleCaller(caller): ConsoleCaller,
) -> PageResult {
    settings_view(&state, &caller, None).await
}

#[derive(Debug, Default, Deserialize)]
struct SettingsForm {
    require_admin_totp: Option<String>,
    support_may_impersonate: Option<String>,
}

async fn settings_submit(
    State(state): State<AppState>,
    ConsoleForm { caller, form, .. }: ConsoleForm<SettingsForm>,
) -> PageResult {
    let settings = InstallationSettings {
        require_admin_totp: checked(&form.require_admin_totp),
        support_may_impersonate: checked(&form.support_may_impersonate),
    };
    installation::save(&state.app, &caller, &settings)
        .await
        .on_page(&caller)?;
    settings_view(&state, &caller, Some("c-saved")).await
}
